/*
 * test_owner_refs.c — owner handles handed out by the lock-free queries
 * (RtmGetMostSpecificDestination, RtmGetDestInfo, RtmGetRouteInfo) are
 * counted by the thread that got them (table/entity.c, "client references
 * counted by the thread that gave them"), and must still behave as plain
 * references: released once each, by any thread, in any call, before or
 * after their entity deregistered, and never more often than given.
 *
 * Each test ends by checking that nothing is left over: every handle
 * released exactly once (a second release is refused), the table's counts
 * back where they were, the owners' handles stale once they deregistered,
 * and a newcomer in the same entity slot not named by the old handle.
 * The threads are driven one step at a time (worker_run), so that each
 * scenario is the same on every run; every wait is bounded, and testlib's
 * deadline ends anything else.
 */
#define TL_TIMEOUT_S 120
#include "rtmtest.h"

#include "handle.h" /* rtm__handle_decode: which entity slot a handle names */

/* ---- threads that run one job at a time ------------------------------------ */

typedef void (*job_fn)(void *arg);

struct worker {
	pthread_t thread;
	pthread_mutex_t m;
	pthread_cond_t c;
	job_fn fn;
	void *arg;
	bool pending, quit;
};

static void *worker_main(void *p)
{
	struct worker *w = p;
	pthread_mutex_lock(&w->m);
	for (;;) {
		while (!w->pending && !w->quit)
			rt_cond_wait_ms(&w->c, &w->m, 1000);
		if (w->pending) {
			job_fn fn = w->fn;
			void *arg = w->arg;
			pthread_mutex_unlock(&w->m);
			fn(arg);
			pthread_mutex_lock(&w->m);
			w->pending = false;
			pthread_cond_broadcast(&w->c);
			continue;
		}
		if (w->quit)
			break;
	}
	pthread_mutex_unlock(&w->m);
	return NULL;
}

static bool worker_start(struct worker *w)
{
	memset(w, 0, sizeof(*w));
	pthread_mutex_init(&w->m, NULL);
	pthread_cond_init(&w->c, NULL);
	return pthread_create(&w->thread, NULL, worker_main, w) == 0;
}

/* Runs fn(arg) on w's thread and waits for it (bounded); false if it did
 * not finish in time. */
static bool worker_run(struct worker *w, job_fn fn, void *arg)
{
	pthread_mutex_lock(&w->m);
	w->fn = fn;
	w->arg = arg;
	w->pending = true;
	pthread_cond_broadcast(&w->c);
	uint64_t until = tl_now_ms() + RT_WAIT_BOUND_MS;
	while (w->pending && tl_now_ms() < until)
		rt_cond_wait_ms(&w->c, &w->m, 100);
	bool done = !w->pending;
	pthread_mutex_unlock(&w->m);
	CHECK(done);
	return done;
}

/* Ends w's thread (its per-thread counts are left behind, to be taken over). */
static void worker_stop(struct worker *w)
{
	pthread_mutex_lock(&w->m);
	w->quit = true;
	pthread_cond_broadcast(&w->c);
	pthread_mutex_unlock(&w->m);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->m);
	pthread_cond_destroy(&w->c);
}

struct once {
	job_fn fn;
	void *arg;
};

static void *once_main(void *p)
{
	struct once *o = p;
	o->fn(o->arg);
	return NULL;
}

/* Runs fn(arg) on a new thread, which then ends. */
static void run_on_new_thread(job_fn fn, void *arg)
{
	struct once o = { fn, arg };
	pthread_t t;
	REQUIRE(pthread_create(&t, NULL, once_main, &o) == 0);
	pthread_join(t, NULL);
}

/* ---- jobs ------------------------------------------------------------------------ */

/* A query or a release, with its answer. */
struct job {
	RTM_ENTITY_HANDLE caller;
	const char *addr;       /* query: the address looked up (a /32) */
	RTM_DEST_HANDLE dest;   /* RtmGetDestInfo: the destination */
	RTM_ROUTE_HANDLE route; /* RtmGetRouteInfo: the route */
	rt_dest_buf db;
	rt_route_buf rb;
	RTM_ENTITY_HANDLE owner; /* RtmReleaseEntities: the handle */
	DWORD rc;
};

static void job_most_specific(void *p)
{
	struct job *j = p;
	RTM_NET_ADDRESS a = rt_addr(j->addr, 32);
	memset(&j->db, 0, sizeof(j->db));
	j->rc = RtmGetMostSpecificDestination(j->caller, &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST,
					      &j->db.info);
}

static void job_dest_info(void *p)
{
	struct job *j = p;
	memset(&j->db, 0, sizeof(j->db));
	j->rc = RtmGetDestInfo(j->caller, j->dest, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &j->db.info);
}

static void job_route_info(void *p)
{
	struct job *j = p;
	j->rc = rt_route_info(j->caller, j->route, &j->rb);
}

static void job_release_dest_info(void *p)
{
	struct job *j = p;
	j->rc = RtmReleaseDestInfo(j->caller, &j->db.info);
}

static void job_release_route_info(void *p)
{
	struct job *j = p;
	j->rc = RtmReleaseRouteInfo(j->caller, &j->rb.info);
}

static void job_release_owner(void *p)
{
	struct job *j = p;
	j->rc = RtmReleaseEntities(j->caller, 1, &j->owner);
}

/* ---- helpers ------------------------------------------------------------------- */

/* The entity slot an entity handle names (UINT32_MAX if none). */
static uint32_t slot_of(RTM_ENTITY_HANDLE h)
{
	struct rtm_handle_parts p;
	if (rtm__handle_decode(h, &p) || p.type != RTM_HT_ENTITY)
		return UINT32_MAX;
	return p.slot;
}

/* Does h still name an entity (registered, or kept by references)? */
static bool entity_valid(RTM_ENTITY_HANDLE v, RTM_ENTITY_HANDLE h, ULONG *proto)
{
	RTM_ENTITY_INFO ei;
	memset(&ei, 0, sizeof(ei));
	DWORD rc = RtmGetEntityInfo(v, h, &ei);
	if (rc == NO_ERROR && proto)
		*proto = ei.EntityId.EntityProtocolId;
	CHECK(rc == NO_ERROR || rc == ERROR_INVALID_HANDLE);
	return rc == NO_ERROR;
}

static UINT registered_count(RTM_ENTITY_HANDLE v)
{
	UINT n = 0;
	DWORD rc = RtmGetRegisteredEntities(v, &n, NULL, NULL);
	if (rc == ERROR_INSUFFICIENT_BUFFER) {
		n = 1024;
		rc = RtmGetRegisteredEntities(v, &n, NULL, NULL);
	}
	CHECK_U(rc, NO_ERROR);
	return n;
}

/* The information a query of addr must give: destination dest_text/16,
 * one view, one route r, owned by owner. */
static void check_dest_info(const RTM_DEST_INFO *di, const char *dest_text, RTM_ROUTE_HANDLE r,
			    RTM_ENTITY_HANDLE owner)
{
	RTM_NET_ADDRESS want = rt_addr(dest_text, 16);
	CHECK(di->DestHandle != NULL);
	CHECK(rt_addr_eq(&di->DestAddress, &want));
	CHECK_U(di->NumberOfViews, 1);
	CHECK_U(di->ViewInfo[0].ViewId, RTM_VIEW_ID_UCAST);
	CHECK_U(di->ViewInfo[0].NumRoutes, 1);
	CHECK(di->ViewInfo[0].Route == r);
	CHECK(di->ViewInfo[0].Owner == owner);
	CHECK(di->ViewInfo[0].HoldRoute == NULL);
}

/* Releases a destination information's handles other than its owner: the
 * destination through RtmReleaseDests (a copy with no view), the route
 * through RtmReleaseRoutes. */
static void release_all_but_owner(RTM_ENTITY_HANDLE v, const RTM_DEST_INFO *di)
{
	RTM_DEST_INFO bare = *di;
	bare.NumberOfViews = 0;
	CHECK_U(RtmReleaseDests(v, 1, &bare), NO_ERROR);
	RTM_ROUTE_HANDLE r = di->ViewInfo[0].Route;
	CHECK_U(RtmReleaseRoutes(v, 1, &r), NO_ERROR);
}

/* Two entities: v, the querier, and a (protocol 10), which owns the route
 * r to 10.1.0.0/16 (its handle referenced, from the add). */
struct scene {
	RTM_ENTITY_HANDLE v, a;
	RTM_ROUTE_HANDLE r;
	RTM_DEST_HANDLE d;
	rtm_stats base;
};

static bool scene_make(struct scene *s)
{
	memset(s, 0, sizeof(*s));
	s->v = rt_register(AF_INET, 99);
	s->a = rt_register(AF_INET, 10);
	if (!s->v || !s->a)
		return false;
	if (rt_add_route(s->a, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &s->r, NULL) !=
	    NO_ERROR)
		return false;
	RTM_NET_ADDRESS ad = rt_addr("10.1.0.0", 16);
	rt_dest_buf db;
	if (RtmGetExactMatchDestination(s->v, &ad, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &db.info) !=
	    NO_ERROR)
		return false;
	s->d = db.info.DestHandle; /* stays valid while the route exists */
	if (RtmReleaseDestInfo(s->v, &db.info) != NO_ERROR)
		return false;
	s->base = rt_stats(s->v);
	CHECK_U(s->base.entities, 2);
	CHECK_U(s->base.dests, 1);
	CHECK_U(s->base.routes, 1);
	return true;
}

/* Nothing is left referenced: a's handle takes no release, r only the
 * add's own; then everything goes and the counts are zero. */
static void scene_end(struct scene *s)
{
	RTM_ENTITY_HANDLE a = s->a;
	CHECK_U(RtmReleaseEntities(s->v, 1, &a), ERROR_INVALID_HANDLE);
	rtm_stats st = rt_stats(s->v);
	CHECK_U(st.dests, s->base.dests);
	CHECK_U(st.routes, s->base.routes);
	CHECK_U(st.handles, s->base.handles);
	CHECK_U(st.entities, 2);
	CHECK_U(RtmReleaseRoutes(s->a, 1, &s->r), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(s->a, 1, &s->r), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterEntity(s->a), NO_ERROR);
	st = rt_stats(s->v);
	CHECK_U(st.entities, 1);
	CHECK_U(st.dests, 0);
	CHECK_U(st.routes, 0);
	CHECK_U(st.handles, 0);
	CHECK_U(registered_count(s->v), 1);
	CHECK(!entity_valid(s->v, s->a, NULL));
	CHECK_U(RtmDeregisterEntity(s->v), NO_ERROR);
}

/* ---- (a) got on one thread, released on another --------------------------------- */

static void test_dest_info_released_by_other_thread(void)
{
	struct scene s;
	REQUIRE(scene_make(&s));
	struct worker t1;
	REQUIRE(worker_start(&t1));
	struct job q = { .caller = s.v, .addr = "10.1.2.3" };

	/* t1 queries (and stays alive); a new thread releases; nobody can
	 * release it again, t1 neither. */
	REQUIRE(worker_run(&t1, job_most_specific, &q));
	REQUIRE(q.rc == NO_ERROR);
	check_dest_info(&q.db.info, "10.1.0.0", s.r, s.a);
	CHECK(q.db.info.DestHandle == s.d);
	run_on_new_thread(job_release_dest_info, &q);
	CHECK_U(q.rc, NO_ERROR);
	run_on_new_thread(job_release_dest_info, &q);
	CHECK_U(q.rc, ERROR_INVALID_HANDLE);
	worker_run(&t1, job_release_dest_info, &q);
	CHECK_U(q.rc, ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseDestInfo(s.v, &q.db.info), ERROR_INVALID_HANDLE);
	struct job own = { .caller = s.v, .owner = s.a };
	worker_run(&t1, job_release_owner, &own);
	CHECK_U(own.rc, ERROR_INVALID_HANDLE);
	rtm_stats st = rt_stats(s.v);
	CHECK_U(st.dests, 1);
	CHECK_U(st.routes, 1);
	CHECK_U(st.handles, s.base.handles);

	/* t1's count of a was moved away: its own next query and release
	 * still pair up. */
	struct job g = { .caller = s.v, .dest = s.d };
	worker_run(&t1, job_dest_info, &g);
	REQUIRE(g.rc == NO_ERROR);
	check_dest_info(&g.db.info, "10.1.0.0", s.r, s.a);
	worker_run(&t1, job_release_dest_info, &g);
	CHECK_U(g.rc, NO_ERROR);
	worker_run(&t1, job_release_dest_info, &g);
	CHECK_U(g.rc, ERROR_INVALID_HANDLE);

	/* Three from t1: one released by the main thread, two by t1, one at a
	 * time; a fourth release anywhere fails. */
	struct job q3[3];
	for (unsigned i = 0; i < 3; i++) {
		q3[i] = (struct job){ .caller = s.v, .addr = "10.1.200.7" };
		worker_run(&t1, job_most_specific, &q3[i]);
		REQUIRE(q3[i].rc == NO_ERROR);
		check_dest_info(&q3[i].db.info, "10.1.0.0", s.r, s.a);
	}
	CHECK_U(RtmReleaseDestInfo(s.v, &q3[1].db.info), NO_ERROR);
	worker_run(&t1, job_release_dest_info, &q3[0]);
	CHECK_U(q3[0].rc, NO_ERROR);
	worker_run(&t1, job_release_dest_info, &q3[2]);
	CHECK_U(q3[2].rc, NO_ERROR);
	for (unsigned i = 0; i < 3; i++) {
		worker_run(&t1, job_release_dest_info, &q3[i]);
		CHECK_U(q3[i].rc, ERROR_INVALID_HANDLE);
	}

	/* t1 ends holding one: released by the main thread. */
	struct job last = { .caller = s.v, .addr = "10.1.0.1" };
	worker_run(&t1, job_most_specific, &last);
	REQUIRE(last.rc == NO_ERROR);
	worker_stop(&t1);
	CHECK_U(RtmReleaseDestInfo(s.v, &last.db.info), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(s.v, &last.db.info), ERROR_INVALID_HANDLE);

	/* A thread that ends holding one, released by the next new thread (which
	 * takes the ended thread's table over) and then by nobody else. */
	struct job q2 = { .caller = s.v, .addr = "10.1.9.9" };
	run_on_new_thread(job_most_specific, &q2);
	REQUIRE(q2.rc == NO_ERROR);
	check_dest_info(&q2.db.info, "10.1.0.0", s.r, s.a);
	run_on_new_thread(job_release_dest_info, &q2);
	CHECK_U(q2.rc, NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(s.v, &q2.db.info), ERROR_INVALID_HANDLE);
	scene_end(&s);
}

/* The same for RtmGetRouteInfo and RtmReleaseRouteInfo. */
static void test_route_info_released_by_other_thread(void)
{
	struct scene s;
	REQUIRE(scene_make(&s));
	struct worker t1, t2;
	REQUIRE(worker_start(&t1));
	REQUIRE(worker_start(&t2));
	struct job q[4];
	for (unsigned i = 0; i < 4; i++) {
		q[i] = (struct job){ .caller = s.v, .route = s.r };
		worker_run(&t1, job_route_info, &q[i]);
		REQUIRE(q[i].rc == NO_ERROR);
		CHECK(q[i].rb.info.RouteOwner == s.a);
		CHECK(q[i].rb.info.DestHandle == s.d);
		CHECK_U(q[i].rb.info.PrefInfo.Preference, 1);
		CHECK_U(q[i].rb.info.NextHopsList.NumNextHops, 0);
	}
	/* Two by t2 while t1 lives, one by t1, one after t1 ended. */
	worker_run(&t2, job_release_route_info, &q[0]);
	CHECK_U(q[0].rc, NO_ERROR);
	worker_run(&t2, job_release_route_info, &q[1]);
	CHECK_U(q[1].rc, NO_ERROR);
	worker_run(&t1, job_release_route_info, &q[2]);
	CHECK_U(q[2].rc, NO_ERROR);
	worker_stop(&t1);
	worker_run(&t2, job_release_route_info, &q[3]);
	CHECK_U(q[3].rc, NO_ERROR);
	for (unsigned i = 0; i < 4; i++) {
		worker_run(&t2, job_release_route_info, &q[i]);
		CHECK_U(q[i].rc, ERROR_INVALID_HANDLE);
	}
	worker_stop(&t2);
	scene_end(&s);
}

/* ---- (b) the owner handle released alone ----------------------------------------- */

static void test_owner_released_alone(void)
{
	struct scene s;
	REQUIRE(scene_make(&s));

	/* Same thread: the other handles first, then the owner alone. */
	struct job q = { .caller = s.v, .addr = "10.1.2.3" };
	job_most_specific(&q);
	REQUIRE(q.rc == NO_ERROR);
	check_dest_info(&q.db.info, "10.1.0.0", s.r, s.a);
	release_all_but_owner(s.v, &q.db.info);
	RTM_ENTITY_HANDLE owner = q.db.info.ViewInfo[0].Owner;
	CHECK_U(RtmReleaseEntities(s.v, 1, &owner), NO_ERROR);
	CHECK_U(RtmReleaseEntities(s.v, 1, &owner), ERROR_INVALID_HANDLE);
	/* The whole information is released now: nothing of it takes a release. */
	CHECK_U(RtmReleaseDestInfo(s.v, &q.db.info), ERROR_INVALID_HANDLE);

	/* The owner first, then the rest. */
	job_most_specific(&q);
	REQUIRE(q.rc == NO_ERROR);
	owner = q.db.info.ViewInfo[0].Owner;
	CHECK(owner == s.a);
	CHECK_U(RtmReleaseEntities(s.v, 1, &owner), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(s.v, &q.db.info), ERROR_INVALID_HANDLE); /* its owner is spent */
	release_all_but_owner(s.v, &q.db.info);
	CHECK_U(RtmReleaseEntities(s.v, 1, &owner), ERROR_INVALID_HANDLE);

	/* Another thread: gets it, releases the rest; the owner alone is
	 * released by a third thread, which is the only one that can. */
	struct worker t1;
	REQUIRE(worker_start(&t1));
	worker_run(&t1, job_most_specific, &q);
	REQUIRE(q.rc == NO_ERROR);
	release_all_but_owner(s.v, &q.db.info); /* by the main thread */
	struct job own = { .caller = s.v, .owner = q.db.info.ViewInfo[0].Owner };
	run_on_new_thread(job_release_owner, &own);
	CHECK_U(own.rc, NO_ERROR);
	worker_run(&t1, job_release_owner, &own);
	CHECK_U(own.rc, ERROR_INVALID_HANDLE);
	run_on_new_thread(job_release_owner, &own);
	CHECK_U(own.rc, ERROR_INVALID_HANDLE);

	/* RtmGetDestInfo on t1, owner released by t1 after the others went
	 * from the main thread, twice over (two informations, two owner
	 * references, in one call). */
	struct job g1 = { .caller = s.v, .dest = s.d }, g2 = g1;
	worker_run(&t1, job_dest_info, &g1);
	worker_run(&t1, job_dest_info, &g2);
	REQUIRE(g1.rc == NO_ERROR && g2.rc == NO_ERROR);
	check_dest_info(&g1.db.info, "10.1.0.0", s.r, s.a);
	check_dest_info(&g2.db.info, "10.1.0.0", s.r, s.a);
	release_all_but_owner(s.v, &g1.db.info);
	release_all_but_owner(s.v, &g2.db.info);
	RTM_ENTITY_HANDLE two[2] = { s.a, s.a }, three[3] = { s.a, s.a, s.a };
	CHECK_U(RtmReleaseEntities(s.v, 3, three), ERROR_INVALID_HANDLE); /* one too many */
	CHECK_U(RtmReleaseEntities(s.v, 2, two), NO_ERROR);
	CHECK_U(RtmReleaseEntities(s.v, 1, two), ERROR_INVALID_HANDLE);

	/* RtmGetRouteInfo's owner alone, by another thread. */
	struct job ri = { .caller = s.v, .route = s.r };
	worker_run(&t1, job_route_info, &ri);
	REQUIRE(ri.rc == NO_ERROR);
	CHECK(ri.rb.info.RouteOwner == s.a);
	RTM_DEST_INFO bare;
	memset(&bare, 0, sizeof(bare));
	bare.DestHandle = ri.rb.info.DestHandle;
	CHECK_U(RtmReleaseDests(s.v, 1, &bare), NO_ERROR);
	own.owner = ri.rb.info.RouteOwner;
	run_on_new_thread(job_release_owner, &own);
	CHECK_U(own.rc, NO_ERROR);
	worker_run(&t1, job_release_owner, &own);
	CHECK_U(own.rc, ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseRouteInfo(s.v, &ri.rb.info), ERROR_INVALID_HANDLE);
	worker_stop(&t1);
	scene_end(&s);
}

/*
 * A release that lists an owner handle more often than the caller holds
 * references is refused, also when some of the references are counted by
 * another thread (they are found there, and are still too few); after it,
 * the right number is released, and the owner is intact.
 */
static void test_owner_over_release_refused(void)
{
	struct scene s;
	REQUIRE(scene_make(&s));
	struct worker t1;
	REQUIRE(worker_start(&t1));
	struct job q[2];
	for (unsigned i = 0; i < 2; i++) {
		q[i] = (struct job){ .caller = s.v, .addr = "10.1.5.5" };
		worker_run(&t1, job_most_specific, &q[i]);
		REQUIRE(q[i].rc == NO_ERROR);
		check_dest_info(&q[i].db.info, "10.1.0.0", s.r, s.a);
		release_all_but_owner(s.v, &q[i].db.info);
	}
	/* t1 counts two references of a; the main thread asks for three. */
	RTM_ENTITY_HANDLE three[3] = { s.a, s.a, s.a };
	CHECK_U(RtmReleaseEntities(s.v, 3, three), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseEntities(s.v, 3, three), ERROR_INVALID_HANDLE);
	/* The two are still there, exactly. */
	CHECK_U(RtmReleaseEntities(s.v, 2, three), NO_ERROR);
	CHECK_U(RtmReleaseEntities(s.v, 1, three), ERROR_INVALID_HANDLE);
	ULONG proto = 0;
	CHECK(entity_valid(s.v, s.a, &proto));
	CHECK_U(proto, 10);
	rtm_stats st;
	CHECK_U(rtm_get_stats(s.a, &st), NO_ERROR); /* a is still a caller */

	/* The same split between the caller's own count and t1's: one each. */
	struct job mine = { .caller = s.v, .addr = "10.1.5.6" };
	job_most_specific(&mine);
	worker_run(&t1, job_most_specific, &q[0]);
	REQUIRE(mine.rc == NO_ERROR && q[0].rc == NO_ERROR);
	release_all_but_owner(s.v, &mine.db.info);
	release_all_but_owner(s.v, &q[0].db.info);
	CHECK_U(RtmReleaseEntities(s.v, 3, three), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseEntities(s.v, 2, three), NO_ERROR);
	CHECK_U(RtmReleaseEntities(s.v, 1, three), ERROR_INVALID_HANDLE);
	worker_stop(&t1);
	scene_end(&s);
}

/* ---- (c) the owner deregisters while its handle is held ------------------------------ */

/*
 * v holds six informations naming a as owner: two got by the main thread,
 * two by a thread that has ended, two by a thread still alive.  a
 * deregisters; its handle stays valid (RtmGetEntityInfo answers for a) until
 * the sixth owner release, and a newcomer registered meanwhile does not get
 * a's slot.  After the sixth the handle is stale, and the next newcomer, in
 * a's slot, is not named by it.  owners_first: the owners are released
 * before the routes and destinations (else after, so that a's last internal
 * reference, its route, goes while the threads' counts still hold it).
 */
static void owner_deregisters(bool owners_first)
{
	struct scene s;
	REQUIRE(scene_make(&s));
	CHECK_U(RtmReleaseRoutes(s.a, 1, &s.r), NO_ERROR); /* only the informations keep r */
	struct job q[6];
	struct worker alive;
	REQUIRE(worker_start(&alive));
	for (unsigned i = 0; i < 6; i++) {
		q[i] = (struct job){ .caller = s.v, .addr = "10.1.77.1", .dest = s.d };
		if (i < 2)
			job_most_specific(&q[i]);
		else if (i < 4)
			run_on_new_thread(i == 2 ? job_most_specific : job_dest_info, &q[i]);
		else
			worker_run(&alive, i == 4 ? job_most_specific : job_dest_info, &q[i]);
		REQUIRE(q[i].rc == NO_ERROR);
		check_dest_info(&q[i].db.info, "10.1.0.0", s.r, s.a);
	}
	uint32_t a_slot = slot_of(s.a);
	REQUIRE(a_slot != UINT32_MAX);

	CHECK_U(RtmDeregisterEntity(s.a), NO_ERROR);
	CHECK_U(registered_count(s.v), 1);
	rtm_stats st = rt_stats(s.v);
	CHECK_U(st.entities, 1);
	CHECK_U(st.routes, 1); /* deleted, kept by the informations */
	CHECK_U(st.dests, 1);
	ULONG proto = 0;
	CHECK(entity_valid(s.v, s.a, &proto));
	CHECK_U(proto, 10);
	CHECK(rtm_get_stats(s.a, &st) == ERROR_INVALID_HANDLE); /* not a caller any more */

	/* A newcomer meanwhile: a's slot is still taken. */
	RTM_ENTITY_HANDLE n1 = rt_register(AF_INET, 11);
	REQUIRE(n1);
	CHECK(n1 != s.a);
	CHECK(slot_of(n1) != a_slot);

	if (!owners_first)
		for (unsigned i = 0; i < 6; i++)
			release_all_but_owner(s.v, &q[i].db.info);
	if (!owners_first) {
		st = rt_stats(s.v);
		CHECK_U(st.routes, 0);
		CHECK_U(st.dests, 0);
	}
	/* Six owner releases from three threads, one at a time; a stays
	 * valid until the sixth. */
	struct job own = { .caller = s.v, .owner = s.a };
	for (unsigned i = 0; i < 6; i++) {
		CHECK(entity_valid(s.v, s.a, &proto));
		CHECK_U(proto, 10);
		if (i % 3 == 0)
			own.rc = RtmReleaseEntities(s.v, 1, &own.owner);
		else if (i % 3 == 1)
			worker_run(&alive, job_release_owner, &own);
		else
			run_on_new_thread(job_release_owner, &own);
		CHECK_U(own.rc, NO_ERROR);
	}
	if (!owners_first) {
		CHECK(!entity_valid(s.v, s.a, NULL)); /* the sixth was a's last reference */
	} else {
		CHECK(entity_valid(s.v, s.a, NULL)); /* its deleted route still keeps it */
		/* The routes still keep a (internal references): valid, but no
		 * client reference is left to release. */
		own.rc = RtmReleaseEntities(s.v, 1, &own.owner);
		CHECK_U(own.rc, ERROR_INVALID_HANDLE);
		for (unsigned i = 0; i < 6; i++)
			release_all_but_owner(s.v, &q[i].db.info);
	}
	CHECK(!entity_valid(s.v, s.a, NULL));
	own.rc = RtmReleaseEntities(s.v, 1, &own.owner);
	CHECK_U(own.rc, ERROR_INVALID_HANDLE);
	worker_run(&alive, job_release_owner, &own);
	CHECK_U(own.rc, ERROR_INVALID_HANDLE);
	for (unsigned i = 0; i < 6; i++)
		CHECK_U(RtmReleaseDestInfo(s.v, &q[i].db.info), ERROR_INVALID_HANDLE);
	st = rt_stats(s.v);
	CHECK_U(st.routes, 0);
	CHECK_U(st.dests, 0);
	CHECK_U(st.handles, 0);
	CHECK_U(st.entities, 2);

	/* The next newcomer takes a's slot; a's handle does not name it. */
	RTM_ENTITY_HANDLE n2 = rt_register(AF_INET, 12);
	REQUIRE(n2);
	CHECK_U(slot_of(n2), a_slot);
	CHECK(n2 != s.a);
	CHECK(!entity_valid(s.v, s.a, NULL));
	CHECK(entity_valid(s.v, n2, &proto));
	CHECK_U(proto, 12);
	CHECK_U(RtmReleaseEntities(s.v, 1, &own.owner), ERROR_INVALID_HANDLE);
	CHECK_U(rtm_get_stats(s.a, &st), ERROR_INVALID_HANDLE);
	/* n2's own route, queried by v: named by n2's handle, released once. */
	CHECK_U(rt_add_route(n2, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL, NULL),
		NO_ERROR);
	struct job nq = { .caller = s.v, .addr = "10.1.0.9" };
	worker_run(&alive, job_most_specific, &nq);
	REQUIRE(nq.rc == NO_ERROR);
	CHECK(nq.db.info.ViewInfo[0].Owner == n2);
	own.owner = s.a;
	worker_run(&alive, job_release_owner, &own); /* the old handle: not n2's reference */
	CHECK_U(own.rc, ERROR_INVALID_HANDLE);
	worker_run(&alive, job_release_dest_info, &nq);
	CHECK_U(nq.rc, NO_ERROR);
	worker_run(&alive, job_release_dest_info, &nq);
	CHECK_U(nq.rc, ERROR_INVALID_HANDLE);
	worker_stop(&alive);

	CHECK_U(registered_count(s.v), 3);
	CHECK_U(RtmDeregisterEntity(n1), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(n2), NO_ERROR);
	st = rt_stats(s.v);
	CHECK_U(st.entities, 1);
	CHECK_U(st.routes, 0);
	CHECK_U(st.dests, 0);
	CHECK_U(st.handles, 0);
	CHECK(!entity_valid(s.v, n1, NULL));
	CHECK(!entity_valid(s.v, n2, NULL));
	CHECK_U(RtmDeregisterEntity(s.v), NO_ERROR);
}

static void test_owner_deregisters_owners_released_last(void)
{
	owner_deregisters(false);
}

static void test_owner_deregisters_owners_released_first(void)
{
	owner_deregisters(true);
}

/* ---- (d) more owners than the per-thread table has entries ---------------------------- */

enum { OWNERS = 70 }; /* more than the 64 entries: slots collide */

struct many {
	RTM_ENTITY_HANDLE v, e[OWNERS];
	RTM_ROUTE_HANDLE r[OWNERS];
	RTM_DEST_INFO di[OWNERS][2]; /* two informations of each destination (one view) */
};

static void addr_of(unsigned i, char *buf, size_t n, bool host)
{
	snprintf(buf, n, host ? "10.%u.3.4" : "10.%u.0.0", i);
}

/* OWNERS entities, each with a route to 10.i.0.0/16; v queries each
 * destination twice from one thread (the caller's). */
static bool many_make(struct many *m)
{
	memset(m, 0, sizeof(*m));
	m->v = rt_register(AF_INET, 99);
	if (!m->v)
		return false;
	for (unsigned i = 0; i < OWNERS; i++) {
		char a[32];
		m->e[i] = rt_register(AF_INET, 100 + i);
		if (!m->e[i])
			return false;
		addr_of(i, a, sizeof(a), false);
		if (rt_add_route(m->e[i], a, 16, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &m->r[i], NULL) !=
		    NO_ERROR)
			return false;
	}
	/* The scenario needs owners whose slots share a per-thread entry. */
	bool seen[64] = { false };
	unsigned shared = 0;
	for (unsigned i = 0; i < OWNERS; i++) {
		uint32_t slot = slot_of(m->e[i]);
		CHECK(slot != UINT32_MAX);
		shared += seen[slot % 64];
		seen[slot % 64] = true;
	}
	CHECK(shared >= OWNERS - 64);
	for (unsigned k = 0; k < 2; k++)
		for (unsigned i = 0; i < OWNERS; i++) {
			char host[32], a[32];
			addr_of(i, host, sizeof(host), true);
			addr_of(i, a, sizeof(a), false);
			RTM_NET_ADDRESS ad = rt_addr(host, 32);
			DWORD rc = RtmGetMostSpecificDestination(m->v, &ad, RTM_BEST_PROTOCOL,
								 RTM_VIEW_MASK_UCAST, &m->di[i][k]);
			CHECK_U(rc, NO_ERROR);
			if (rc != NO_ERROR)
				return false;
			check_dest_info(&m->di[i][k], a, m->r[i], m->e[i]);
		}
	rtm_stats st = rt_stats(m->v);
	CHECK_U(st.entities, OWNERS + 1);
	CHECK_U(st.routes, OWNERS);
	CHECK_U(st.dests, OWNERS);
	return true;
}

/* Every owner still registered and working, no owner reference left, then
 * all deregister and every count is right. */
static void many_end(struct many *m, bool routes_gone)
{
	unsigned valid = 0, refused = 0, callers = 0;
	for (unsigned i = 0; i < OWNERS; i++) {
		ULONG proto = 0;
		valid += entity_valid(m->v, m->e[i], &proto) && proto == 100 + i;
		RTM_ENTITY_HANDLE h = m->e[i];
		refused += RtmReleaseEntities(m->v, 1, &h) == ERROR_INVALID_HANDLE;
		rtm_stats st;
		callers += rtm_get_stats(m->e[i], &st) == NO_ERROR;
	}
	CHECK_U(refused, OWNERS);
	CHECK_U(registered_count(m->v), OWNERS + 1);
	CHECK_U(callers, OWNERS);
	/* An owner whose handle went stale while registered has had its slot
	 * freed: newcomers would take the slot of an entity still in the RIB's
	 * list (and corrupt it), so stop here. */
	CHECK_U(valid, OWNERS);
	REQUIRE(valid == OWNERS && callers == OWNERS);
	rtm_stats st = rt_stats(m->v);
	CHECK_U(st.entities, OWNERS + 1);
	CHECK_U(st.routes, routes_gone ? 0 : OWNERS);
	CHECK_U(st.dests, routes_gone ? 0 : OWNERS);
	unsigned released = 0, deregistered = 0;
	for (unsigned i = 0; i < OWNERS; i++) {
		if (!routes_gone)
			released += RtmReleaseRoutes(m->e[i], 1, &m->r[i]) == NO_ERROR;
		deregistered += RtmDeregisterEntity(m->e[i]) == NO_ERROR;
	}
	CHECK_U(released, routes_gone ? 0 : OWNERS);
	CHECK_U(deregistered, OWNERS);
	st = rt_stats(m->v);
	CHECK_U(st.entities, 1);
	CHECK_U(st.routes, 0);
	CHECK_U(st.dests, 0);
	CHECK_U(st.handles, 0);
	CHECK_U(registered_count(m->v), 1);
	unsigned stale = 0;
	for (unsigned i = 0; i < OWNERS; i++)
		stale += !entity_valid(m->v, m->e[i], NULL);
	CHECK_U(stale, OWNERS);
	/* Newcomers take the freed slots; no old handle names one. */
	RTM_ENTITY_HANDLE nc[OWNERS];
	unsigned named = 0;
	for (unsigned i = 0; i < OWNERS; i++)
		nc[i] = rt_register(AF_INET, 300 + i);
	for (unsigned i = 0; i < OWNERS; i++)
		named += entity_valid(m->v, m->e[i], NULL);
	CHECK_U(named, 0);
	for (unsigned i = 0; i < OWNERS; i++)
		CHECK_U(RtmDeregisterEntity(nc[i]), NO_ERROR);
	CHECK_U(rt_stats(m->v).entities, 1);
	CHECK_U(RtmDeregisterEntity(m->v), NO_ERROR);
}

/* One RtmReleaseDestInfo per information, in the querying thread. */
static void test_many_owners_release_each(void)
{
	static struct many m;
	REQUIRE(many_make(&m));
	unsigned ok = 0, again = 0;
	for (unsigned k = 0; k < 2; k++)
		for (unsigned i = 0; i < OWNERS; i++)
			ok += RtmReleaseDestInfo(m.v, &m.di[i][k]) == NO_ERROR;
	for (unsigned i = 0; i < OWNERS; i++)
		again += RtmReleaseDestInfo(m.v, &m.di[i][0]) == ERROR_INVALID_HANDLE;
	CHECK_U(ok, 2 * OWNERS);
	CHECK_U(again, OWNERS);
	many_end(&m, false);
}

/* Every owner handle in one RtmReleaseEntities call, each listed twice in
 * a row (a run of two), after the destinations and routes went; once more
 * with one bad handle at the end first (refused, nothing released). */
static void test_many_owners_release_in_one_call(void)
{
	static struct many m;
	REQUIRE(many_make(&m));
	for (unsigned k = 0; k < 2; k++)
		for (unsigned i = 0; i < OWNERS; i++)
			release_all_but_owner(m.v, &m.di[i][k]);
	RTM_ENTITY_HANDLE owners[2 * OWNERS + 1];
	for (unsigned i = 0; i < OWNERS; i++)
		owners[2 * i] = owners[2 * i + 1] = m.di[i][0].ViewInfo[0].Owner;
	owners[2 * OWNERS] = m.e[0]; /* a third reference to e[0]: there is none */
	CHECK_U(RtmReleaseEntities(m.v, 2 * OWNERS + 1, owners), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseEntities(m.v, 2 * OWNERS, owners), NO_ERROR);
	CHECK_U(RtmReleaseEntities(m.v, 2, owners), ERROR_INVALID_HANDLE);
	many_end(&m, false);
}

/* All the informations in one RtmReleaseDests call (OWNERS runs of one
 * owner each, twice), from the thread that got them. */
static void test_many_owners_release_dests_in_one_call(void)
{
	static struct many m;
	REQUIRE(many_make(&m));
	static RTM_DEST_INFO all[2 * OWNERS];
	for (unsigned k = 0; k < 2; k++)
		for (unsigned i = 0; i < OWNERS; i++)
			all[k * OWNERS + i] = m.di[i][k];
	CHECK_U(RtmReleaseDests(m.v, 2 * OWNERS, all), NO_ERROR);
	CHECK_U(RtmReleaseDests(m.v, 1, all), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseDests(m.v, 1, &all[2 * OWNERS - 1]), ERROR_INVALID_HANDLE);
	many_end(&m, false);
}

/* The same after every owner deleted its route: the release frees the
 * routes and destinations, and each owner is left with its registration
 * as its only reference. */
static void test_many_owners_release_dests_after_delete(void)
{
	static struct many m;
	REQUIRE(many_make(&m));
	unsigned deleted = 0;
	for (unsigned i = 0; i < OWNERS; i++)
		deleted += RtmDeleteRouteToDest(m.e[i], m.r[i], NULL) == NO_ERROR;
	CHECK_U(deleted, OWNERS);
	rtm_stats st = rt_stats(m.v);
	CHECK_U(st.routes, OWNERS); /* kept by the informations */
	static RTM_DEST_INFO all[2 * OWNERS];
	for (unsigned k = 0; k < 2; k++)
		for (unsigned i = 0; i < OWNERS; i++)
			all[k * OWNERS + i] = m.di[i][k];
	CHECK_U(RtmReleaseDests(m.v, 2 * OWNERS, all), NO_ERROR);
	CHECK_U(RtmReleaseDests(m.v, 1, all), ERROR_INVALID_HANDLE);
	st = rt_stats(m.v);
	CHECK_U(st.routes, 0);
	CHECK_U(st.dests, 0);
	many_end(&m, true);
}

/* Queried by one thread, released (all in one call) by another. */
static struct many *owners_of;
static void release_owners_job(void *p)
{
	struct job *j = p;
	struct many *m = owners_of;
	RTM_ENTITY_HANDLE owners[2 * OWNERS];
	for (unsigned i = 0; i < OWNERS; i++)
		owners[2 * i] = owners[2 * i + 1] = m->e[i];
	j->rc = RtmReleaseEntities(m->v, 2 * OWNERS, owners);
}

static void test_many_owners_released_by_other_thread(void)
{
	static struct many m;
	REQUIRE(many_make(&m));
	for (unsigned k = 0; k < 2; k++)
		for (unsigned i = 0; i < OWNERS; i++)
			release_all_but_owner(m.v, &m.di[i][k]);
	owners_of = &m;
	struct job j = { .caller = m.v };
	run_on_new_thread(release_owners_job, &j);
	CHECK_U(j.rc, NO_ERROR);
	run_on_new_thread(release_owners_job, &j);
	CHECK_U(j.rc, ERROR_INVALID_HANDLE);
	many_end(&m, false);
}

int main(void)
{
	RUN(test_dest_info_released_by_other_thread);
	RUN(test_route_info_released_by_other_thread);
	RUN(test_owner_released_alone);
	RUN(test_owner_over_release_refused);
	RUN(test_owner_deregisters_owners_released_last);
	RUN(test_owner_deregisters_owners_released_first);
	RUN(test_many_owners_release_each);
	RUN(test_many_owners_release_in_one_call);
	RUN(test_many_owners_release_dests_in_one_call);
	RUN(test_many_owners_release_dests_after_delete);
	RUN(test_many_owners_released_by_other_thread);
	TEST_MAIN_END();
}
