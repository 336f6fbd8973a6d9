/*
 * test_oom.c — out of memory is an answer, not a crash (alloc.h).
 *
 * For each scenario (an API call in a given state), a child process first
 * counts the allocations the call makes.  Then, for every i in 1..count, a
 * fresh child builds the same state, makes the i-th allocation fail
 * (rtm__alloc_fail_at), and checks that the call answers
 * ERROR_NOT_ENOUGH_MEMORY, that exactly one allocation was refused, and that
 * everything observable — the counters of rtm_get_stats and the scenario's
 * own view of the table — is exactly as before; then that the same call
 * succeeds with no failure armed.  A child per attempt means every attempt
 * starts from the same state, so every allocation site is reached.
 */
#include "ribcheck.h"
#include "alloc.h"

#include "rtmtest.h"

#include <errno.h>

/* ---- what a scenario works on and looks at ---------------------------------- */

struct ctx {
	RTM_ENTITY_HANDLE a, b, c;
	RTM_NEXTHOP_HANDLE nh[9];
	RTM_ROUTE_HANDLE route, other;
	RTM_DEST_HANDLE dest;
	RTM_ROUTE_LIST_HANDLE list;
	RTM_ENUM_HANDLE en;
	PRTM_ROUTE_INFO ptr;
	unsigned events;
};

/* Everything a scenario can see; compared with memcmp, so always zeroed first. */
struct obs {
	rtm_stats s;
	UINT entities;
	DWORD find_rc;
	DWORD dest_rc;
	UINT num_routes[2];
	RTM_ROUTE_HANDLE best[2], hold[2];
	unsigned list_len;
	unsigned events;
	PRTM_ROUTE_INFO ptr;
	RTM_PREF_INFO pref;
	USHORT hops;
};

static struct ctx *cur; /* for the event callback */

static DWORD WINAPI count_cb(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE t, PVOID c1, PVOID c2)
{
	(void)h;
	(void)t;
	(void)c1;
	(void)c2;
	if (cur)
		cur->events++;
	return NO_ERROR;
}

static unsigned list_len(struct ctx *c)
{
	if (!c->list)
		return 0;
	RTM_ENUM_HANDLE en;
	if (RtmCreateRouteListEnum(c->a, c->list, &en) != NO_ERROR)
		return 999;
	unsigned total = 0;
	for (;;) {
		RTM_ROUTE_HANDLE got[16];
		UINT n = 16;
		if (RtmGetListEnumRoutes(c->a, en, &n, got) != NO_ERROR || n == 0)
			break;
		total += n;
		RtmReleaseRoutes(c->a, n, got);
	}
	RtmDeleteEnumHandle(c->a, en);
	return total;
}

/* Observes through entity a (which every scenario but the first has). */
static void observe(struct ctx *c, struct obs *o)
{
	memset(o, 0, sizeof(*o));
	o->events = c->events;
	if (!c->a)
		return;
	o->s = rt_stats(c->a);
	UINT n = 16;
	RtmGetRegisteredEntities(c->a, &n, NULL, NULL);
	o->entities = n;
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress = rt_addr("10.0.0.1", 32);
	o->find_rc = RtmFindNextHop(c->a, &ni, NULL, NULL);
	RTM_NET_ADDRESS d = rt_addr("10.1.0.0", 16);
	rt_dest_buf db;
	o->dest_rc = RtmGetExactMatchDestination(c->a, &d, 0, 3, &db.info);
	if (o->dest_rc == NO_ERROR) {
		for (unsigned v = 0; v < 2; v++) {
			o->num_routes[v] = RT_VIEW(&db.info, v).NumRoutes;
			o->best[v] = RT_VIEW(&db.info, v).Route;
			o->hold[v] = RT_VIEW(&db.info, v).HoldRoute;
		}
		RtmReleaseDestInfo(c->a, &db.info);
	}
	/* Listing the list allocates an enumeration: not counted above. */
	o->list_len = list_len(c);
	o->s = rt_stats(c->a);
	o->ptr = c->ptr;
	if (c->route) {
		rt_route_buf rb;
		if (rt_route_info(c->a, c->route, &rb) == NO_ERROR) {
			o->pref = rb.info.PrefInfo;
			o->hops = rb.info.NextHopsList.NumNextHops;
			RtmReleaseRouteInfo(c->a, &rb.info);
		}
	}
}

struct scenario {
	const char *name;
	void (*setup)(struct ctx *c);
	DWORD (*call)(struct ctx *c);
	/* The answer expected under a failure (ERROR_NOT_ENOUGH_MEMORY unless
	 * the call cannot fail that way), and whether the state must be as before. */
	DWORD fail_rc;
	bool unchanged;
	/* Checks after the final, successful call. */
	void (*after)(struct ctx *c);
};

static RTM_ENTITY_HANDLE reg(ULONG proto, BOOL opaque)
{
	RTM_ENTITY_HANDLE h = NULL;
	CHECK_U(rt_register_ex(0, AF_INET, proto, 1, count_cb, opaque, NULL, &h, NULL), NO_ERROR);
	return h;
}

/* ---- the scenarios ------------------------------------------------------------ */

static void setup_none(struct ctx *c)
{
	(void)c;
}

static DWORD call_register_first(struct ctx *c)
{
	return rt_register_ex(0, AF_INET, 1, 1, count_cb, TRUE, NULL, &c->a, NULL);
}

static void after_register_first(struct ctx *c)
{
	CHECK_U(rt_stats(c->a).entities, 1);
}

static VOID WINAPI meth(RTM_ENTITY_HANDLE a, RTM_ENTITY_HANDLE b, RTM_ENTITY_METHOD_INPUT *in,
			RTM_ENTITY_METHOD_OUTPUT *out)
{
	(void)a;
	(void)b;
	(void)in;
	out->MethodStatus = NO_ERROR;
	out->OutputSize = 0;
}

static void setup_one(struct ctx *c)
{
	c->a = reg(1, FALSE);
}

static DWORD call_register_second(struct ctx *c)
{
	union {
		RTM_ENTITY_EXPORT_METHODS m;
		char b[sizeof(RTM_ENTITY_EXPORT_METHODS) + sizeof(RTM_ENTITY_EXPORT_METHOD)];
	} mb;
	mb.m.NumMethods = 2;
	mb.m.Methods[0] = meth;
	(&mb.m.Methods[0])[1] = meth;
	return rt_register_ex(0, AF_INET, 2, 1, count_cb, TRUE, &mb.m, &c->b, NULL);
}

static void after_register_second(struct ctx *c)
{
	CHECK_U(c->events, 1); /* a heard of b, once */
	UINT n = 0;
	CHECK_U(RtmGetEntityMethods(c->a, c->b, &n, NULL), NO_ERROR);
	CHECK_U(n, 2);
}

static DWORD call_add_nexthop(struct ctx *c)
{
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress = rt_addr("10.0.0.1", 32);
	RTM_NEXTHOP_CHANGE_FLAGS fl;
	return RtmAddNextHop(c->a, &ni, &c->nh[0], &fl);
}

static void after_add_nexthop(struct ctx *c)
{
	RTM_NEXTHOP_INFO ni;
	CHECK_U(RtmGetNextHopInfo(c->a, c->nh[0], &ni), NO_ERROR);
	CHECK_U(ni.State, RTM_NEXTHOP_STATE_CREATED);
	RtmReleaseNextHopInfo(c->a, &ni);
}

/* The ninth next hop: the owner's array grows. */
static void setup_eight_nexthops(struct ctx *c)
{
	c->a = reg(1, FALSE);
	for (unsigned i = 0; i < 8; i++) {
		char t[32];
		snprintf(t, sizeof(t), "10.0.1.%u", i);
		c->nh[i + 1] = rt_nexthop(c->a, t, 1);
	}
}

static void setup_nexthop(struct ctx *c)
{
	c->a = reg(1, FALSE);
	c->nh[0] = rt_nexthop(c->a, "10.0.0.1", 1);
}

static DWORD call_add_route_new_dest(struct ctx *c)
{
	return rt_add_route(c->a, "10.1.0.0", 16, 5, 5, 1, c->nh[0], NULL, &c->route, NULL);
}

static void after_route(struct ctx *c)
{
	CHECK(rt_best(c->a, "10.1.0.0", 16, 1) == c->route);
}

/* A destination with b's route; a has three next hops and a list. */
static void setup_busy_dest(struct ctx *c)
{
	c->a = reg(1, FALSE);
	c->b = reg(2, FALSE);
	c->nh[0] = rt_nexthop(c->a, "10.0.0.1", 1);
	c->nh[1] = rt_nexthop(c->a, "10.0.0.2", 1);
	c->nh[2] = rt_nexthop(c->a, "10.0.0.3", 1);
	RTM_NEXTHOP_HANDLE nb = rt_nexthop(c->b, "10.0.0.9", 1);
	CHECK_U(rt_add_route(c->b, "10.1.0.0", 16, 5, 5, 3, nb, NULL, &c->other, NULL), NO_ERROR);
	CHECK_U(RtmCreateRouteList(c->a, &c->list), NO_ERROR);
}

static DWORD call_add_route_full(struct ctx *c)
{
	RTM_NET_ADDRESS d = rt_addr("10.1.0.0", 16);
	rt_route_buf rb;
	rt_route_fill(&rb.info, 1, 1, 3, c->nh[0], NULL);
	rb.info.NextHopsList.NumNextHops = 3;
	(&rb.info.NextHopsList.NextHops[0])[1] = c->nh[1];
	(&rb.info.NextHopsList.NextHops[0])[2] = c->nh[2];
	DWORD fl = 0;
	return RtmAddRouteToDest(c->a, &c->route, &d, &rb.info, 60000, c->list, 0, NULL, &fl);
}

static void after_add_route_full(struct ctx *c)
{
	after_route(c);
	CHECK_U(list_len(c), 1);
	CHECK_U(rt_stats(c->a).pending_timers, 1);
}

/* An existing route of a, updated to three next hops, a lifetime and a list. */
static void setup_route_to_update(struct ctx *c)
{
	setup_busy_dest(c);
	CHECK_U(rt_add_route(c->a, "10.1.0.0", 16, 9, 9, 1, c->nh[0], NULL, &c->route, NULL), NO_ERROR);
}

static void setup_held_dest(struct ctx *c)
{
	setup_nexthop(c);
	CHECK_U(rt_add_route(c->a, "10.1.0.0", 16, 5, 5, 1, c->nh[0], NULL, &c->route, NULL), NO_ERROR);
	rt_route_buf rb;
	CHECK_U(rt_route_info(c->a, c->route, &rb), NO_ERROR);
	c->dest = rb.info.DestHandle;
	RtmReferenceHandles(c->a, 1, &c->dest);
	RtmReleaseRouteInfo(c->a, &rb.info);
}

static DWORD call_hold(struct ctx *c)
{
	return RtmHoldDestination(c->a, c->dest, 1, 60000);
}

static void after_hold(struct ctx *c)
{
	/* The mark took: deleting the route puts it in hold-down. */
	RTM_ROUTE_HANDLE r = c->route;
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(c->a, r, &fl), NO_ERROR);
	rt_dest_buf db;
	CHECK_U(RtmGetDestInfo(c->a, c->dest, 0, 1, &db.info), NO_ERROR);
	CHECK(RT_VIEW(&db.info, 0).HoldRoute == r);
	RtmReleaseDestInfo(c->a, &db.info);
	c->route = NULL;
}

/* Deleting the last route of a held destination arms the hold timer: with
 * no memory for it, the delete still succeeds, without a hold-down. */
static void setup_held_marked(struct ctx *c)
{
	setup_held_dest(c);
	CHECK_U(RtmHoldDestination(c->a, c->dest, 1, 60000), NO_ERROR);
}

static DWORD call_delete_held(struct ctx *c)
{
	DWORD fl;
	DWORD rc = RtmDeleteRouteToDest(c->a, c->route, &fl);
	if (rc == NO_ERROR)
		c->route = NULL;
	return rc;
}

static DWORD call_route_pointer(struct ctx *c)
{
	return RtmGetRoutePointer(c->a, c->route, &c->ptr);
}

static void after_route_pointer(struct ctx *c)
{
	CHECK(c->ptr != NULL && c->ptr->PrefInfo.Metric == 5);
}

static DWORD call_lock_route(struct ctx *c)
{
	return RtmLockRoute(c->a, c->route, TRUE, TRUE, &c->ptr);
}

static void after_lock_route(struct ctx *c)
{
	CHECK(c->ptr != NULL);
	CHECK_U(RtmLockRoute(c->a, c->route, TRUE, FALSE, NULL), NO_ERROR);
}

/* RtmUpdateAndUnlockRoute committing three next hops. */
static void setup_locked_route(struct ctx *c)
{
	setup_route_to_update(c);
	CHECK_U(RtmLockRoute(c->a, c->route, TRUE, TRUE, &c->ptr), NO_ERROR);
	c->ptr->PrefInfo.Preference = 1;
	/* The in-place protocol: the added next hops come with references. */
	RTM_NEXTHOP_HANDLE add[2] = { c->nh[1], c->nh[2] };
	CHECK_U(RtmReferenceHandles(c->a, 2, add), NO_ERROR);
	c->ptr->NextHopsList.NumNextHops = 3;
	(&c->ptr->NextHopsList.NextHops[0])[1] = c->nh[1];
	(&c->ptr->NextHopsList.NextHops[0])[2] = c->nh[2];
	c->ptr = NULL; /* not part of what is observed */
}

static DWORD call_update_unlock(struct ctx *c)
{
	DWORD fl;
	return RtmUpdateAndUnlockRoute(c->a, c->route, 60000, c->list, 0, NULL, &fl);
}

static void after_update_unlock(struct ctx *c)
{
	after_add_route_full(c);
	CHECK_U(RtmLockRoute(c->a, c->route, TRUE, FALSE, NULL), ERROR_INVALID_PARAMETER);
}

static DWORD call_create_list(struct ctx *c)
{
	return RtmCreateRouteList(c->a, &c->list);
}

static void setup_route_and_list(struct ctx *c)
{
	setup_held_dest(c);
	CHECK_U(RtmCreateRouteList(c->a, &c->list), NO_ERROR);
}

static DWORD call_insert_in_list(struct ctx *c)
{
	return RtmInsertInRouteList(c->a, c->list, 1, &c->route);
}

static DWORD call_create_list_enum(struct ctx *c)
{
	return RtmCreateRouteListEnum(c->a, c->list, &c->en);
}

static void after_create_list_enum(struct ctx *c)
{
	RTM_ROUTE_HANDLE got[4];
	UINT n = 4;
	CHECK_U(RtmGetListEnumRoutes(c->a, c->en, &n, got), NO_ERROR);
	CHECK_U(n, 1);
	RtmReleaseRoutes(c->a, n, got);
}

static void setup_list_with_route(struct ctx *c)
{
	setup_route_and_list(c);
	CHECK_U(RtmInsertInRouteList(c->a, c->list, 1, &c->route), NO_ERROR);
}

static void setup_three(struct ctx *c)
{
	c->a = reg(1, FALSE);
	c->b = reg(2, FALSE);
	c->c = reg(3, FALSE);
	c->nh[0] = rt_nexthop(c->c, "10.0.0.7", 1);
	CHECK_U(rt_add_route(c->c, "10.1.0.0", 16, 1, 1, 1, c->nh[0], NULL, NULL, NULL), NO_ERROR);
	RtmReleaseNextHops(c->c, 1, &c->nh[0]);
	c->nh[0] = NULL;
}

static DWORD call_deregister(struct ctx *c)
{
	return RtmDeregisterEntity(c->c);
}

static void after_deregister(struct ctx *c)
{
	CHECK_U(rt_stats(c->a).entities, 2);
	CHECK_U(rt_stats(c->a).routes, 0);
	/* Registrations told a once (b) and a, b once (c); the deregistration a and b. */
	CHECK_U(c->events, 5);
}

static DWORD call_add_route_update(struct ctx *c)
{
	return call_add_route_full(c);
}

static const struct scenario scenarios[] = {
	{ "register (new table)", setup_none, call_register_first, ERROR_NOT_ENOUGH_MEMORY, true,
	  after_register_first },
	{ "register (methods, opaque)", setup_one, call_register_second, ERROR_NOT_ENOUGH_MEMORY, true,
	  after_register_second },
	{ "add next hop", setup_one, call_add_nexthop, ERROR_NOT_ENOUGH_MEMORY, true, after_add_nexthop },
	{ "add ninth next hop", setup_eight_nexthops, call_add_nexthop, ERROR_NOT_ENOUGH_MEMORY, true,
	  after_add_nexthop },
	{ "add route (new dest)", setup_nexthop, call_add_route_new_dest, ERROR_NOT_ENOUGH_MEMORY, true,
	  after_route },
	{ "add route (3 hops, TTL, list)", setup_busy_dest, call_add_route_full, ERROR_NOT_ENOUGH_MEMORY,
	  true, after_add_route_full },
	{ "update route (3 hops, TTL, list)", setup_route_to_update, call_add_route_update,
	  ERROR_NOT_ENOUGH_MEMORY, true, after_add_route_full },
	{ "hold destination", setup_held_dest, call_hold, ERROR_NOT_ENOUGH_MEMORY, true, after_hold },
	{ "delete into hold-down", setup_held_marked, call_delete_held, NO_ERROR, false, NULL },
	{ "route pointer", setup_held_dest, call_route_pointer, ERROR_NOT_ENOUGH_MEMORY, true,
	  after_route_pointer },
	{ "lock route", setup_held_dest, call_lock_route, ERROR_NOT_ENOUGH_MEMORY, true, after_lock_route },
	{ "update and unlock", setup_locked_route, call_update_unlock, ERROR_NOT_ENOUGH_MEMORY, true,
	  after_update_unlock },
	{ "create list", setup_one, call_create_list, ERROR_NOT_ENOUGH_MEMORY, true, NULL },
	{ "insert in list", setup_route_and_list, call_insert_in_list, ERROR_NOT_ENOUGH_MEMORY, true, NULL },
	{ "create list enum", setup_list_with_route, call_create_list_enum, ERROR_NOT_ENOUGH_MEMORY, true,
	  after_create_list_enum },
	/* Allocates nothing, so it cannot fail: test_oom_15 checks that instead of walking. */
	{ "deregister", setup_three, call_deregister, NO_ERROR, false, after_deregister },
};

/* ---- the driver ------------------------------------------------------------------ */

/* In a child: set up, then count (fail_at 0) or fail the fail_at-th allocation. */
static void attempt(const struct scenario *sc, unsigned long fail_at, int report_fd)
{
	struct ctx c;
	memset(&c, 0, sizeof(c));
	cur = &c;
	sc->setup(&c);
	if (tl_failed_checks)
		return;
	struct obs before, now;
	observe(&c, &before);
	if (fail_at == 0) {
		unsigned long n0 = rtm__alloc_count();
		DWORD rc = sc->call(&c);
		unsigned long n = rtm__alloc_count() - n0;
		CHECK_U(rc, NO_ERROR);
		if (write(report_fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
			CHECK(!"write");
		return;
	}
	unsigned long failures = rtm__alloc_failures();
	rtm__alloc_fail_at(fail_at);
	DWORD rc = sc->call(&c);
	rtm__alloc_fail_at(0);
	if (rc != sc->fail_rc)
		fprintf(stderr, "  %s: allocation %lu: rc %u\n", sc->name, fail_at, rc);
	CHECK_U(rc, sc->fail_rc);
	CHECK_U(rtm__alloc_failures(), failures + 1);
	if (c.a)
		CHECK(rt_check_rib(c.a) == 0);
	if (sc->unchanged) {
		observe(&c, &now);
		if (memcmp(&now, &before, sizeof(now)) != 0) {
			fprintf(stderr, "  %s: allocation %lu: state changed\n", sc->name, fail_at);
			CHECK_U(now.s.entities, before.s.entities);
			CHECK_U(now.s.dests, before.s.dests);
			CHECK_U(now.s.routes, before.s.routes);
			CHECK_U(now.s.next_hops, before.s.next_hops);
			CHECK_U(now.s.handles, before.s.handles);
			CHECK_U(now.s.pending_timers, before.s.pending_timers);
			CHECK_U(now.entities, before.entities);
			CHECK_U(now.list_len, before.list_len);
			CHECK_U(now.events, before.events);
			CHECK(!"observable state changed");
		}
		/* With nothing armed, the same call now succeeds. */
		CHECK_U(sc->call(&c), NO_ERROR);
		if (sc->after)
			sc->after(&c);
	} else if (rc == NO_ERROR && c.dest) {
		/* A delete that could not arm the hold timer: no hold-down, and the
		 * destination is gone once our handle goes. */
		rt_dest_buf db;
		if (RtmGetDestInfo(c.a, c.dest, 0, 1, &db.info) == NO_ERROR) {
			CHECK_U(RT_VIEW(&db.info, 0).NumRoutes, 0);
			CHECK(RT_VIEW(&db.info, 0).HoldRoute == NULL);
			CHECK_U(rt_stats(c.a).pending_timers, 0);
			RtmReleaseDestInfo(c.a, &db.info);
		}
	}
}

static int run_child(const struct scenario *sc, unsigned long fail_at, int fd)
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		tl_failed_checks = 0;
		attempt(sc, fail_at, fd);
		fflush(stderr);
		int leaked = tl_leaks();
		_exit(tl_failed_checks || leaked ? 1 : 0);
	}
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static void walk(const struct scenario *sc)
{
	int fds[2];
	REQUIRE(pipe(fds) == 0);
	int st = run_child(sc, 0, fds[1]);
	close(fds[1]);
	unsigned long n = 0;
	ssize_t got = read(fds[0], &n, sizeof(n));
	close(fds[0]);
	if (st != 0 || got != (ssize_t)sizeof(n))
		fprintf(stderr, "  %s: counting failed (status %d)\n", sc->name, st);
	REQUIRE(st == 0 && got == (ssize_t)sizeof(n));
	if (n == 0 || getenv("RTM_TEST_VERBOSE"))
		fprintf(stderr, "  %s: %lu allocations\n", sc->name, n);
	CHECK(n > 0);
	for (unsigned long i = 1; i <= n; i++) {
		st = run_child(sc, i, -1);
		if (st != 0)
			fprintf(stderr, "  %s: allocation %lu of %lu: child status %d\n", sc->name, i, n, st);
		CHECK_U(st, 0);
	}
}

#define SCENARIO_TEST(i)                                   \
	static void test_oom_##i(void)                     \
	{                                                  \
		walk(&scenarios[i]);                       \
	}
SCENARIO_TEST(0)
SCENARIO_TEST(1)
SCENARIO_TEST(2)
SCENARIO_TEST(3)
SCENARIO_TEST(4)
SCENARIO_TEST(5)
SCENARIO_TEST(6)
SCENARIO_TEST(7)
SCENARIO_TEST(8)
SCENARIO_TEST(9)
SCENARIO_TEST(10)
SCENARIO_TEST(11)
SCENARIO_TEST(12)
SCENARIO_TEST(13)
SCENARIO_TEST(14)

/* Deregistration allocates nothing (entity.c), so it cannot run out of memory:
 * with the next allocation armed to fail it succeeds, and nothing was tried. */
static void test_oom_15(void)
{
	const struct scenario *sc = &scenarios[15];
	struct ctx c;
	memset(&c, 0, sizeof(c));
	cur = &c;
	sc->setup(&c);
	REQUIRE(tl_failed_checks == 0);
	unsigned long n0 = rtm__alloc_count(), failures = rtm__alloc_failures();
	rtm__alloc_fail_at(1);
	CHECK_U(sc->call(&c), sc->fail_rc);
	unsigned long n = rtm__alloc_count() - n0;
	rtm__alloc_fail_at(0);
	CHECK_U(n, 0);
	CHECK_U(rtm__alloc_failures(), failures);
	sc->after(&c);
	cur = NULL;
}

int main(void)
{
	_Static_assert(sizeof(scenarios) / sizeof(scenarios[0]) == 16, "one test per scenario");
	RUN(test_oom_0);  /* register (new table) */
	RUN(test_oom_1);  /* register (methods, opaque) */
	RUN(test_oom_2);  /* add next hop */
	RUN(test_oom_3);  /* add ninth next hop */
	RUN(test_oom_4);  /* add route (new dest) */
	RUN(test_oom_5);  /* add route (3 hops, TTL, list) */
	RUN(test_oom_6);  /* update route (3 hops, TTL, list) */
	RUN(test_oom_7);  /* hold destination */
	RUN(test_oom_8);  /* delete into hold-down */
	RUN(test_oom_9);  /* route pointer */
	RUN(test_oom_10); /* lock route */
	RUN(test_oom_11); /* update and unlock */
	RUN(test_oom_12); /* create list */
	RUN(test_oom_13); /* insert in list */
	RUN(test_oom_14); /* create list enum */
	RUN(test_oom_15); /* deregister */
	TEST_MAIN_END();
}
