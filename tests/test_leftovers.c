/*
 * test_leftovers.c — locking corners that used to be left alone: a stale
 * registration handle racing the newcomer that reuses its slot, client
 * locks still held when their entity deregisters (on its own thread and on
 * another), and an entity invoking its own blocked methods.
 */
#include "rtmtest.h"

#include "enter.h"
#include "error.h"
#include "netaddr.h"

#include <errno.h>

/* ---- a stale handle never acts as the newcomer -------------------------------- */

static int any_target(struct rtm_rib *rib, struct rtm_entity *caller, void *arg, unsigned *stripe,
		      bool *want)
{
	(void)rib;
	(void)caller;
	(void)arg;
	*stripe = 0;
	*want = true;
	return 0;
}

/* The race, made deterministic: a call validated A's handle lock-free (it
 * holds A's slot), then A deregistered and B took the slot.  Under the lock
 * the slot is live again, but under B's generation: A's call must fail. */
static void test_stale_handle_not_newcomer(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1);
	REQUIRE(a);
	struct rtm_entity *slot = rtm__caller(a);
	REQUIRE(slot);
	struct rtm_rib *rib = slot->rib;
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
	RTM_ENTITY_HANDLE b = rt_register(AF_INET, 2);
	REQUIRE(b);
	REQUIRE(rtm__caller(b) == slot); /* the same slot, a new generation */
	CHECK(b != a);
	struct rtm_change c = { .rib = rib, .caller = slot, .caller_h = a };
	CHECK_U(rtm__enter_change(&c, any_target, NULL), RTM_EHANDLE);
	/* B's own handle goes through (and is left). */
	struct rtm_change cb = { .rib = rib, .caller = slot, .caller_h = b };
	CHECK_U(rtm__enter_change(&cb, any_target, NULL), 0);
	rtm__leave_change(&cb, true);
	/* Through the API too: A's handle is refused, B's route is B's. */
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(b, "10.0.0.1", 1);
	RTM_ROUTE_HANDLE r = NULL;
	CHECK_U(rt_add_route(a, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &r, NULL),
		ERROR_INVALID_HANDLE);
	CHECK(r == NULL);
	CHECK_U(rt_stats(b).routes, 0);
	RtmReleaseNextHops(b, 1, &nh);
	CHECK_U(RtmDeregisterEntity(b), NO_ERROR);
}

/* ---- client locks outliving their entity ---------------------------------------- */

/* Is the stripe of dest free (not held by anyone, this thread included)? */
static bool stripe_free(RTM_ENTITY_HANDLE e, const char *dest, unsigned len)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(e, &caller, false);
	if (!rib)
		return false;
	RTM_NET_ADDRESS a = rt_addr(dest, len);
	uint8_t key[16];
	rtm__netaddr_key(&a, rib->width, key);
	unsigned s = rtm__stripe_of_key(key, rib->width / 8, len);
	rtm__leave(rib);
	if (pthread_rwlock_trywrlock(&rib->stripes[s]) != 0)
		return false;
	pthread_rwlock_unlock(&rib->stripes[s]);
	return true;
}

/* The deregistering thread's own locks go with its entity, loans given
 * back. */
static void test_deregister_releases_own_locks(void)
{
	RTM_ENTITY_HANDLE w = rt_register(AF_INET, 9); /* keeps the RIB alive, and watches */
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1);
	REQUIRE(w && a);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(a, "10.0.0.1", 1);
	RTM_ROUTE_HANDLE r = NULL;
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, nh, NULL, &r, NULL) == NO_ERROR);
	CHECK_U(RtmReleaseNextHops(a, 1, &nh), NO_ERROR);
	PRTM_ROUTE_INFO p = NULL;
	CHECK_U(RtmLockRoute(a, r, TRUE, TRUE, &p), NO_ERROR); /* lends a reference on nh */
	CHECK(!stripe_free(w, "10.1.0.0", 16));
	CHECK_U(RtmReleaseRoutes(a, 1, &r), NO_ERROR); /* the lock needs no reference */
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
	CHECK(stripe_free(w, "10.1.0.0", 16));
	/* Nothing of A's is left: its route and next hop went, the loan too. */
	rtm_stats s = rt_stats(w);
	CHECK_U(s.routes, 0);
	CHECK_U(s.next_hops, 0);
	CHECK_U(s.dests, 0);
	/* The lock went: unlocking it now is an error. */
	CHECK_U(RtmLockRoute(a, r, TRUE, FALSE, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterEntity(w), NO_ERROR);
}

/* ---- deregistration waits for client locks like any change --------------------- */

struct dereg {
	RTM_ENTITY_HANDLE a;
	DWORD rc;
};

static void *deregister(void *arg)
{
	struct dereg *d = arg;
	d->rc = RtmDeregisterEntity(d->a);
	return NULL;
}

struct holder {
	RTM_ENTITY_HANDLE a;
	RTM_ROUTE_HANDLE r;
	RTM_DEST_HANDLE d;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int step;             /* 1: locked; 2: the entity deregistered; 3: unlocked */
	DWORD unlock_route_rc, unlock_dest_rc, again_rc;
};

static void step_to(struct holder *h, int step)
{
	pthread_mutex_lock(&h->mu);
	h->step = step;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

static bool wait_step(struct holder *h, int step)
{
	pthread_mutex_lock(&h->mu);
	while (h->step < step)
		if (rt_cond_wait_ms(&h->cv, &h->mu, 10000) == ETIMEDOUT)
			break;
	bool ok = h->step >= step;
	pthread_mutex_unlock(&h->mu);
	return ok;
}

static void *hold_then_unlock(void *arg)
{
	struct holder *h = arg;
	PRTM_ROUTE_INFO p = NULL;
	T_CHECK(RtmLockRoute(h->a, h->r, TRUE, TRUE, &p) == NO_ERROR);
	T_CHECK(RtmLockDestination(h->a, h->d, FALSE, TRUE) == NO_ERROR);
	step_to(h, 1);
	T_CHECK(wait_step(h, 2));
	/* A is deregistering (waiting for these locks): its handle is stale
	 * already, and this thread can still let go of its locks with it. */
	h->unlock_route_rc = RtmLockRoute(h->a, h->r, TRUE, FALSE, NULL);
	h->unlock_dest_rc = RtmLockDestination(h->a, h->d, FALSE, FALSE);
	h->again_rc = RtmLockRoute(h->a, h->r, TRUE, FALSE, NULL);
	step_to(h, 3);
	return NULL;
}

/* Another thread of the entity holds locks when it deregisters: the
 * deregistration waits for them, and that thread releases them with the
 * (already stale) handle; nothing stays held or lent. */
static void test_unlock_after_deregistration(void)
{
	RTM_ENTITY_HANDLE w = rt_register(AF_INET, 9);
	struct holder h;
	memset(&h, 0, sizeof(h));
	pthread_mutex_init(&h.mu, NULL);
	pthread_cond_init(&h.cv, NULL);
	h.a = rt_register(AF_INET, 1);
	REQUIRE(w && h.a);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(h.a, "10.0.0.1", 1);
	REQUIRE(rt_add_route(h.a, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, nh, NULL, &h.r, NULL) ==
		NO_ERROR);
	CHECK_U(RtmReleaseNextHops(h.a, 1, &nh), NO_ERROR);
	RTM_NET_ADDRESS da = rt_addr("10.1.0.0", 16);
	rt_dest_buf db;
	REQUIRE(RtmGetExactMatchDestination(w, &da, 0, RTM_VIEW_MASK_UCAST, &db.info) == NO_ERROR);
	h.d = db.info.DestHandle;
	pthread_t t;
	REQUIRE(pthread_create(&t, NULL, hold_then_unlock, &h) == 0);
	REQUIRE(wait_step(&h, 1));
	RTM_ROUTE_HANDLE r = h.r;
	CHECK_U(RtmReleaseRoutes(h.a, 1, &r), NO_ERROR);
	/* The deregistration, on a third thread, waits for the holder's locks. */
	struct dereg d = { h.a, 99 };
	pthread_t dt;
	REQUIRE(pthread_create(&dt, NULL, deregister, &d) == 0);
	CHECK(rt_wait_waiters(w, RT_WAITING_LOCKS, 1, 200));
	step_to(&h, 2);
	CHECK(wait_step(&h, 3));
	pthread_join(t, NULL);
	pthread_join(dt, NULL);
	CHECK_U(d.rc, NO_ERROR);
	CHECK_U(atomic_load(&rt_thread_errors), 0);
	CHECK_U(h.unlock_route_rc, NO_ERROR);
	CHECK_U(h.unlock_dest_rc, NO_ERROR);
	CHECK_U(h.again_rc, ERROR_INVALID_HANDLE);
	/* The stripe is free for everyone, and the loan was given back: once
	 * W lets go of the destination information (which names A's deleted
	 * route), nothing of A's is left. */
	CHECK(stripe_free(w, "10.1.0.0", 16));
	CHECK_U(RtmReleaseDestInfo(w, &db.info), NO_ERROR);
	rtm_stats s = rt_stats(w);
	CHECK_U(s.routes, 0);
	CHECK_U(s.next_hops, 0);
	CHECK_U(s.dests, 0);
	CHECK_U(RtmDeregisterEntity(w), NO_ERROR);
	pthread_cond_destroy(&h.cv);
	pthread_mutex_destroy(&h.mu);
}

/* ---- an entity's own blocked methods ---------------------------------------------- */

static unsigned calls;

static VOID WINAPI method0(RTM_ENTITY_HANDLE caller, RTM_ENTITY_HANDLE callee,
			   PRTM_ENTITY_METHOD_INPUT in, PRTM_ENTITY_METHOD_OUTPUT out)
{
	(void)caller;
	(void)callee;
	(void)in;
	calls++;
	out->MethodStatus = NO_ERROR;
	out->OutputSize = 0;
}

/* Invoking its own methods while it has them blocked would wait for itself
 * forever: ERROR_POSSIBLE_DEADLOCK at once; resumed, the call goes through. */
static void test_invoke_own_blocked_method(void)
{
	union {
		RTM_ENTITY_EXPORT_METHODS m;
		char b[sizeof(RTM_ENTITY_EXPORT_METHODS) + sizeof(RTM_ENTITY_EXPORT_METHOD)];
	} mb;
	memset(&mb, 0, sizeof(mb));
	mb.m.NumMethods = 1;
	mb.m.Methods[0] = method0;
	RTM_ENTITY_HANDLE a = NULL;
	REQUIRE(rt_register_ex(0, AF_INET, 1, 1, NULL, FALSE, &mb.m, &a, NULL) == NO_ERROR);
	RTM_ENTITY_METHOD_INPUT in;
	memset(&in, 0, sizeof(in));
	in.MethodType = 1;
	union {
		RTM_ENTITY_METHOD_OUTPUT o;
		char b[64];
	} out;
	UINT size = sizeof(out);
	CHECK_U(RtmInvokeMethod(a, a, &in, &size, &out.o), NO_ERROR);
	CHECK_U(calls, 1);
	CHECK_U(RtmBlockMethods(a, NULL, 0, RTM_BLOCK_METHODS), NO_ERROR);
	size = sizeof(out);
	CHECK_U(RtmInvokeMethod(a, a, &in, &size, &out.o), ERROR_POSSIBLE_DEADLOCK);
	CHECK_U(calls, 1);
	CHECK_U(size, sizeof(out)); /* nothing written */
	CHECK(strcmp(rtm_strerror(ERROR_POSSIBLE_DEADLOCK), "unknown error") != 0);
	CHECK_U(RtmBlockMethods(a, NULL, 0, RTM_RESUME_METHODS), NO_ERROR);
	size = sizeof(out);
	CHECK_U(RtmInvokeMethod(a, a, &in, &size, &out.o), NO_ERROR);
	CHECK_U(calls, 2);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
}

static unsigned routes_at(RTM_ENTITY_HANDLE w, const char *dest, unsigned len)
{
	RTM_NET_ADDRESS a = rt_addr(dest, len);
	rt_dest_buf db;
	if (RtmGetExactMatchDestination(w, &a, 0, RTM_VIEW_MASK_UCAST, &db.info) != NO_ERROR)
		return 0;
	unsigned n = RT_VIEW(&db.info, 0).NumRoutes;
	RtmReleaseDestInfo(w, &db.info);
	return n;
}

/* While W holds a destination locked, the deregistration of A (whose route
 * is there) deletes its other routes and waits for that one. */
static void test_deregistration_waits_for_locks(void)
{
	RTM_ENTITY_HANDLE w = rt_register(AF_INET, 9);
	struct dereg d = { rt_register(AF_INET, 1), 0 };
	REQUIRE(w && d.a);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(d.a, "10.0.0.1", 1);
	/* Two destinations on different stripes: one locked, one free. */
	const char *locked = "10.1.0.0", *other = NULL;
	static const char *cands[] = { "10.2.0.0", "10.3.0.0", "10.4.0.0", "10.5.0.0", "10.6.0.0" };
	RTM_NET_ADDRESS la = rt_addr(locked, 16);
	uint8_t key[16];
	rtm__netaddr_key(&la, 32, key);
	unsigned ls = rtm__stripe_of_key(key, 4, 16);
	for (unsigned i = 0; i < 5 && !other; i++) {
		RTM_NET_ADDRESS ca = rt_addr(cands[i], 16);
		rtm__netaddr_key(&ca, 32, key);
		if (rtm__stripe_of_key(key, 4, 16) != ls)
			other = cands[i];
	}
	REQUIRE(other);
	REQUIRE(rt_add_route(d.a, locked, 16, 1, 1, RTM_VIEW_MASK_UCAST, nh, NULL, NULL, NULL) == NO_ERROR);
	REQUIRE(rt_add_route(d.a, other, 16, 1, 1, RTM_VIEW_MASK_UCAST, nh, NULL, NULL, NULL) == NO_ERROR);
	CHECK_U(RtmReleaseNextHops(d.a, 1, &nh), NO_ERROR);
	RTM_NET_ADDRESS da = rt_addr(locked, 16);
	rt_dest_buf db;
	REQUIRE(RtmGetExactMatchDestination(w, &da, 0, RTM_VIEW_MASK_UCAST, &db.info) == NO_ERROR);
	RTM_DEST_HANDLE dest = db.info.DestHandle;
	CHECK_U(RtmLockDestination(w, dest, TRUE, TRUE), NO_ERROR);
	pthread_t t;
	REQUIRE(pthread_create(&t, NULL, deregister, &d) == 0);
	/* The deregistration waits for the lock... */
	CHECK(rt_wait_waiters(w, RT_WAITING_LOCKS, 1, 200));
	/* ...with A's route still in the locked destination, the other gone. */
	CHECK_U(routes_at(w, locked, 16), 1);
	CHECK_U(routes_at(w, other, 16), 0);
	CHECK_U(RtmLockDestination(w, dest, TRUE, FALSE), NO_ERROR);
	pthread_join(t, NULL);
	CHECK_U(d.rc, NO_ERROR);
	CHECK_U(routes_at(w, locked, 16), 0);
	CHECK_U(RtmReleaseDestInfo(w, &db.info), NO_ERROR);
	rtm_stats s = rt_stats(w);
	CHECK_U(s.routes, 0);
	CHECK_U(s.next_hops, 0);
	CHECK_U(s.dests, 0);
	CHECK_U(RtmDeregisterEntity(w), NO_ERROR);
}

/* Two deregistrations at once: A's waits for a lock B's thread holds, and
 * B's thread deregisters B with the lock still held (its own locks go with
 * it).  A's deregistration waits without the registry mutex, so B's gets
 * through, frees the stripe, and both end. */
struct locker {
	RTM_ENTITY_HANDLE b;
	RTM_DEST_HANDLE d;
	atomic_int step; /* 1: locked; 2: go on; 3: B deregistered */
	DWORD rc;
};

static void *lock_then_deregister(void *arg)
{
	struct locker *l = arg;
	T_CHECK(RtmLockDestination(l->b, l->d, TRUE, TRUE) == NO_ERROR);
	atomic_store(&l->step, 1);
	while (atomic_load(&l->step) < 2)
		rt_sleep_ms(1);
	l->rc = RtmDeregisterEntity(l->b);
	atomic_store(&l->step, 3);
	return NULL;
}

static void test_two_deregistrations(void)
{
	RTM_ENTITY_HANDLE w = rt_register(AF_INET, 9);
	struct locker l = { rt_register(AF_INET, 2), NULL, 0, 99 };
	struct dereg d = { rt_register(AF_INET, 1), 99 };
	REQUIRE(w && l.b && d.a);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(d.a, "10.0.0.1", 1);
	REQUIRE(rt_add_route(d.a, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, nh, NULL, NULL, NULL) == NO_ERROR);
	CHECK_U(RtmReleaseNextHops(d.a, 1, &nh), NO_ERROR);
	RTM_NET_ADDRESS da = rt_addr("10.1.0.0", 16);
	rt_dest_buf db;
	REQUIRE(RtmGetExactMatchDestination(w, &da, 0, RTM_VIEW_MASK_UCAST, &db.info) == NO_ERROR);
	l.d = db.info.DestHandle;
	pthread_t lt, dt;
	REQUIRE(pthread_create(&lt, NULL, lock_then_deregister, &l) == 0);
	while (atomic_load(&l.step) < 1)
		rt_sleep_ms(1);
	REQUIRE(pthread_create(&dt, NULL, deregister, &d) == 0);
	CHECK(rt_wait_waiters(w, RT_WAITING_LOCKS, 1, 200));
	/* While A's deregistration waits, A is not listed any more. */
	UINT n = 4;
	RTM_ENTITY_HANDLE hs[4];
	CHECK_U(RtmGetRegisteredEntities(w, &n, hs, NULL), NO_ERROR);
	CHECK_U(n, 2); /* W and B */
	CHECK(hs[0] == w && hs[1] == l.b);
	CHECK_U(RtmReleaseEntities(w, n, hs), NO_ERROR);
	atomic_store(&l.step, 2);
	unsigned waited = 0;
	while (atomic_load(&l.step) < 3 && waited++ < 10000)
		rt_sleep_ms(1);
	if (atomic_load(&l.step) < 3) {
		CHECK(!"B's deregistration is stuck behind A's");
		fflush(stderr);
		_exit(1); /* two threads deadlocked: nothing to clean up */
	}
	pthread_join(lt, NULL);
	pthread_join(dt, NULL);
	CHECK_U(l.rc, NO_ERROR);
	CHECK_U(d.rc, NO_ERROR);
	CHECK_U(atomic_load(&rt_thread_errors), 0);
	CHECK_U(RtmReleaseDestInfo(w, &db.info), NO_ERROR);
	rtm_stats s = rt_stats(w);
	CHECK_U(s.entities, 1);
	CHECK_U(s.routes, 0);
	CHECK_U(s.dests, 0);
	CHECK_U(RtmDeregisterEntity(w), NO_ERROR);
}

/* One thread serving two registrations that lock the same destination:
 * the record keeps their holds apart, so A's deregistration takes only A's
 * hold, in either order of locking, and B's unlock frees the stripe. */
static void test_two_registrations_one_thread(void)
{
	for (int order = 0; order < 2; order++) {
		RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
		REQUIRE(a && b);
		RTM_NEXTHOP_HANDLE nh = rt_nexthop(b, "10.0.0.1", 1);
		REQUIRE(rt_add_route(b, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, nh, NULL, NULL, NULL) ==
			NO_ERROR);
		RTM_NET_ADDRESS da = rt_addr("10.1.0.0", 16);
		rt_dest_buf db;
		REQUIRE(RtmGetExactMatchDestination(b, &da, 0, RTM_VIEW_MASK_UCAST, &db.info) == NO_ERROR);
		RTM_DEST_HANDLE d = db.info.DestHandle;
		RTM_ENTITY_HANDLE first = order ? b : a, second = order ? a : b;
		CHECK_U(RtmLockDestination(first, d, FALSE, TRUE), NO_ERROR);
		CHECK_U(RtmLockDestination(second, d, FALSE, TRUE), NO_ERROR);
		CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
		CHECK(!stripe_free(b, "10.1.0.0", 16)); /* B still holds it */
		CHECK_U(RtmLockDestination(a, d, FALSE, FALSE), ERROR_INVALID_HANDLE); /* A's went */
		CHECK_U(RtmLockDestination(b, d, FALSE, FALSE), NO_ERROR);
		CHECK_U(RtmLockDestination(b, d, FALSE, FALSE), ERROR_INVALID_PARAMETER);
		CHECK(stripe_free(b, "10.1.0.0", 16));
		CHECK_U(RtmReleaseDestInfo(b, &db.info), NO_ERROR);
		CHECK_U(RtmReleaseNextHops(b, 1, &nh), NO_ERROR);
		CHECK_U(RtmDeregisterEntity(b), NO_ERROR);
	}
}

int main(void)
{
	RUN(test_stale_handle_not_newcomer);
	RUN(test_deregister_releases_own_locks);
	RUN(test_unlock_after_deregistration);
	RUN(test_invoke_own_blocked_method);
	RUN(test_deregistration_waits_for_locks);
	RUN(test_two_deregistrations);
	RUN(test_two_registrations_one_thread);
	TEST_MAIN_END();
}
