/*
 * test_mt_locks.c — client locks across threads: an owner's update or delete
 * of a next hop waits while another thread holds it locked; a lock released
 * after its object was deleted lets other threads in; a stripe shared by two
 * locked objects stays held until both are unlocked.
 *
 * "Waits" is checked by waiting until the library shows the other thread
 * waiting for the stripe (rtm_stats.waiting_locks; until the library has that
 * counter, by letting it run for a while) and seeing that it has not finished
 * and changed nothing; "lets in" by waiting (with a generous bound) for it to
 * finish.  A thread that never finishes is left
 * behind: the test has failed and its process ends anyway.
 */
#include "rtmtest.h"

#include "handle.h"
#include "lock.h"

#include <stdatomic.h>

static unsigned nexthop_stripe(RTM_NEXTHOP_HANDLE h)
{
	struct rtm_handle_parts p;
	if (rtm__handle_decode(h, &p))
		abort();
	return rtm__stripe_of_slot(p.slot);
}

struct job {
	pthread_t thread;
	void (*fn)(struct job *);
	RTM_ENTITY_HANDLE e;
	RTM_NEXTHOP_HANDLE nh;
	RTM_ROUTE_HANDLE route;
	PVOID esi;
	DWORD rc;
	atomic_int done;
};

static void *job_main(void *arg)
{
	struct job *j = arg;
	j->fn(j);
	atomic_store(&j->done, 1);
	return NULL;
}

static void job_start(struct job *j)
{
	atomic_store(&j->done, 0);
	if (pthread_create(&j->thread, NULL, job_main, j))
		abort();
}

/* Has the job finished within ms?  Joins it if so. */
static bool job_finished(struct job *j, unsigned ms)
{
	for (unsigned t = 0; t < ms && !atomic_load(&j->done); t += 5)
		rt_sleep_ms(5);
	if (!atomic_load(&j->done))
		return false;
	pthread_join(j->thread, NULL);
	return true;
}

static void do_update_by_handle(struct job *j)
{
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress = rt_addr("10.0.0.1", 32);
	ni.InterfaceIndex = 1;
	ni.EntitySpecificInfo = j->esi;
	RTM_NEXTHOP_HANDLE h = j->nh;
	RTM_NEXTHOP_CHANGE_FLAGS fl;
	j->rc = RtmAddNextHop(j->e, &ni, &h, &fl);
}

static void do_update_by_key(struct job *j)
{
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress = rt_addr("10.0.0.1", 32);
	ni.InterfaceIndex = 1;
	ni.EntitySpecificInfo = j->esi;
	RTM_NEXTHOP_CHANGE_FLAGS fl;
	j->rc = RtmAddNextHop(j->e, &ni, NULL, &fl);
}

static void do_delete(struct job *j)
{
	j->rc = RtmDeleteNextHop(j->e, j->nh, NULL);
}

static void do_lock_unlock_nexthop(struct job *j)
{
	j->rc = RtmLockNextHop(j->e, j->nh, TRUE, TRUE, NULL);
	if (j->rc == NO_ERROR)
		j->rc = RtmLockNextHop(j->e, j->nh, TRUE, FALSE, NULL);
}

static void do_lock_unlock_route(struct job *j)
{
	j->rc = RtmLockRoute(j->e, j->route, TRUE, TRUE, NULL);
	if (j->rc == NO_ERROR)
		j->rc = RtmLockRoute(j->e, j->route, TRUE, FALSE, NULL);
}

static void do_deregister(struct job *j)
{
	j->rc = RtmDeregisterEntity(j->e);
}

static PVOID esi_of(RTM_ENTITY_HANDLE e, RTM_NEXTHOP_HANDLE h, DWORD *state)
{
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	if (RtmGetNextHopInfo(e, h, &ni) != NO_ERROR)
		return (PVOID)-1;
	*state = ni.State;
	RtmReleaseNextHopInfo(e, &ni);
	return ni.EntitySpecificInfo;
}

/* Audit finding 2: while b holds a's next hop locked, a's updates (by handle
 * and by key) and a's delete wait for the unlock. */
static void test_owner_waits_for_lock(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
	REQUIRE(a && b);
	RTM_NEXTHOP_HANDLE h = rt_nexthop(a, "10.0.0.1", 1), hb = h;
	REQUIRE(h != NULL);
	CHECK_U(RtmReferenceHandles(b, 1, &hb), NO_ERROR);
	DWORD state = 99;
	void (*changes[3])(struct job *) = { do_update_by_handle, do_update_by_key, do_delete };
	for (unsigned i = 0; i < 3; i++) {
		struct job j = { .fn = changes[i], .e = a, .nh = h, .esi = (PVOID)(uintptr_t)(0x100 + i) };
		CHECK_U(RtmLockNextHop(b, hb, TRUE, TRUE, NULL), NO_ERROR);
		job_start(&j);
		CHECK(rt_wait_waiters(a, RT_WAITING_LOCKS, 1, 200));
		CHECK(!job_finished(&j, 0));
		/* Nothing changed yet. */
		CHECK(esi_of(b, hb, &state) == (i ? (PVOID)(uintptr_t)(0x100 + i - 1) : NULL));
		CHECK_U(state, RTM_NEXTHOP_STATE_CREATED);
		CHECK_U(RtmLockNextHop(b, hb, TRUE, FALSE, NULL), NO_ERROR);
		REQUIRE(job_finished(&j, 10000));
		CHECK_U(j.rc, NO_ERROR);
		if (changes[i] != do_delete)
			CHECK(esi_of(b, hb, &state) == j.esi);
	}
	esi_of(b, hb, &state);
	CHECK_U(state, RTM_NEXTHOP_STATE_DELETED);
	CHECK_U(RtmReleaseNextHops(b, 1, &hb), NO_ERROR);
	CHECK_U(rt_stats(a).next_hops, 0);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(b), NO_ERROR);
}

/* A next hop of a's in the same stripe as h (there are 64 stripes). */
static RTM_NEXTHOP_HANDLE colliding_nexthop(RTM_ENTITY_HANDLE a, RTM_NEXTHOP_HANDLE h,
					    RTM_NEXTHOP_HANDLE *spare, unsigned *n)
{
	*n = 0;
	for (unsigned i = 2; i < 250; i++) {
		char text[32];
		snprintf(text, sizeof(text), "10.0.1.%u", i);
		RTM_NEXTHOP_HANDLE x = rt_nexthop(a, text, 1);
		if (nexthop_stripe(x) == nexthop_stripe(h))
			return x;
		spare[(*n)++] = x;
	}
	abort();
}

/* Audit finding 1 across threads: b's lock on a's next hop, deleted by a on
 * b's thread (or freed by a's deregistration on another), is released by b's
 * unlock, so another thread can take the stripe. */
static void test_unlock_after_delete_lets_others_in(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2),
			  c = rt_register(AF_INET, 3);
	REQUIRE(a && b && c);
	RTM_NEXTHOP_HANDLE h = rt_nexthop(a, "10.0.0.1", 1), hb = h;
	RTM_NEXTHOP_HANDLE spare[256];
	unsigned n;
	RTM_NEXTHOP_HANDLE other = colliding_nexthop(a, h, spare, &n);
	CHECK_U(RtmReferenceHandles(b, 1, &hb), NO_ERROR);

	CHECK_U(RtmLockNextHop(b, hb, TRUE, TRUE, NULL), NO_ERROR);
	CHECK_U(RtmDeleteNextHop(a, h, NULL), NO_ERROR);
	CHECK_U(RtmLockNextHop(b, hb, TRUE, FALSE, NULL), NO_ERROR);
	struct job j = { .fn = do_lock_unlock_nexthop, .e = c, .nh = other };
	job_start(&j);
	REQUIRE(job_finished(&j, 10000));
	CHECK_U(j.rc, NO_ERROR);
	CHECK_U(RtmReleaseNextHops(b, 1, &hb), NO_ERROR);

	/* a deregisters on another thread while b holds a lock on its next hop:
	 * the deregistration waits for the lock, as every change does
	 * (docs/API-NOTES.md), and finishes when b lets go. */
	CHECK_U(RtmReleaseNextHops(a, n, spare), NO_ERROR);
	RTM_NEXTHOP_HANDLE ob = other;
	CHECK_U(RtmReferenceHandles(b, 1, &ob), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(a, 1, &other), NO_ERROR);
	CHECK_U(RtmLockNextHop(b, ob, FALSE, TRUE, NULL), NO_ERROR);
	struct job d = { .fn = do_deregister, .e = a };
	job_start(&d);
	CHECK(rt_wait_waiters(b, RT_WAITING_LOCKS, 1, 200));
	CHECK(!atomic_load(&d.done));
	RTM_NEXTHOP_INFO ni;
	CHECK_U(RtmGetNextHopInfo(b, ob, &ni), NO_ERROR); /* not deleted yet */
	CHECK_U(ni.State, RTM_NEXTHOP_STATE_CREATED);
	RtmReleaseNextHopInfo(b, &ni);
	CHECK_U(RtmLockNextHop(b, ob, FALSE, FALSE, NULL), NO_ERROR);
	REQUIRE(job_finished(&d, 10000));
	CHECK_U(d.rc, NO_ERROR);
	CHECK_U(RtmReleaseNextHops(b, 1, &ob), NO_ERROR);
	CHECK_U(rt_stats(b).next_hops, 0);
	CHECK_U(RtmLockNextHop(b, ob, FALSE, FALSE, NULL), ERROR_INVALID_HANDLE);
	/* The stripe is free for anyone: a new next hop in it can be locked. */
	RTM_NEXTHOP_HANDLE x = NULL;
	for (unsigned i = 1; i < 250 && !x; i++) {
		char text[32];
		snprintf(text, sizeof(text), "10.0.3.%u", i);
		RTM_NEXTHOP_HANDLE y = rt_nexthop(c, text, 1);
		if (nexthop_stripe(y) == nexthop_stripe(ob))
			x = y;
	}
	REQUIRE(x != NULL);
	struct job k = { .fn = do_lock_unlock_nexthop, .e = c, .nh = x };
	job_start(&k);
	REQUIRE(job_finished(&k, 10000));
	CHECK_U(k.rc, NO_ERROR);
	CHECK_U(RtmDeregisterEntity(b), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(c), NO_ERROR);
}

/* Audit finding 3 across threads: this thread holds r1 and r2 (same stripe);
 * unlocking r1 keeps the stripe held for r2. */
static void test_shared_stripe_held_until_both_unlocked(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1);
	REQUIRE(a);
	unsigned s0 = 0;
	char first[32] = "10.0.0.0", other[32] = "";
	{
		RTM_NET_ADDRESS x = rt_addr(first, 24);
		s0 = rtm__stripe_of_key(x.AddrBits, 4, 24);
		for (unsigned i = 1; i < 65536 && !other[0]; i++) {
			char t[32];
			snprintf(t, sizeof(t), "10.%u.%u.0", i >> 8, i & 255);
			RTM_NET_ADDRESS y = rt_addr(t, 24);
			if (rtm__stripe_of_key(y.AddrBits, 4, 24) == s0)
				snprintf(other, sizeof(other), "%s", t);
		}
	}
	REQUIRE(other[0]);
	RTM_ROUTE_HANDLE r1, r2;
	REQUIRE(rt_add_route(a, first, 24, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &r1, NULL) == NO_ERROR);
	REQUIRE(rt_add_route(a, other, 24, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &r2, NULL) == NO_ERROR);
	PRTM_ROUTE_INFO p2 = NULL;
	CHECK_U(RtmLockRoute(a, r1, TRUE, TRUE, NULL), NO_ERROR);
	CHECK_U(RtmLockRoute(a, r2, TRUE, TRUE, &p2), NO_ERROR);
	REQUIRE(p2 != NULL);
	CHECK_U(RtmLockRoute(a, r1, TRUE, FALSE, NULL), NO_ERROR);
	struct job j = { .fn = do_lock_unlock_route, .e = a, .route = r1 };
	job_start(&j);
	CHECK(rt_wait_waiters(a, RT_WAITING_LOCKS, 1, 200));
	CHECK(!job_finished(&j, 0));
	p2->PrefInfo.Metric = 5;
	DWORD fl;
	CHECK_U(RtmUpdateAndUnlockRoute(a, r2, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	REQUIRE(job_finished(&j, 10000));
	CHECK_U(j.rc, NO_ERROR);
	rt_route_buf rb;
	CHECK_U(rt_route_info(a, r2, &rb), NO_ERROR);
	CHECK_U(rb.info.PrefInfo.Metric, 5);
	RtmReleaseRouteInfo(a, &rb.info);
	RTM_ROUTE_HANDLE rs[2] = { r1, r2 };
	CHECK_U(RtmReleaseRoutes(a, 2, rs), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
}

/* The hold-down route of dest in the unicast view (a new reference), or NULL. */
static RTM_ROUTE_HANDLE hold_route_of(RTM_ENTITY_HANDLE e, RTM_DEST_HANDLE d)
{
	rt_dest_buf db;
	if (RtmGetDestInfo(e, d, 0, RTM_VIEW_MASK_UCAST, &db.info) != NO_ERROR)
		return NULL;
	RTM_ROUTE_HANDLE h = RT_VIEW(&db.info, 0).HoldRoute;
	RtmReleaseDestInfo(e, &db.info);
	return h;
}

/* The end of a hold-down (on the timer thread) waits while a client holds the
 * destination locked, like any other change of it. */
static void test_hold_expiry_waits_for_lock(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1);
	REQUIRE(a);
	RTM_ROUTE_HANDLE r;
	REQUIRE(rt_add_route(a, "10.7.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &r, NULL) ==
		NO_ERROR);
	rt_dest_buf db;
	RTM_NET_ADDRESS da = rt_addr("10.7.0.0", 16);
	REQUIRE(RtmGetExactMatchDestination(a, &da, 0, RTM_VIEW_MASK_UCAST, &db.info) == NO_ERROR);
	RTM_DEST_HANDLE d = db.info.DestHandle;
	CHECK_U(RtmHoldDestination(a, d, RTM_VIEW_MASK_UCAST, 50), NO_ERROR);
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(a, r, &fl), NO_ERROR);
	CHECK(hold_route_of(a, d) != NULL);
	CHECK_U(RtmLockDestination(a, d, TRUE, TRUE), NO_ERROR);
	/* The hold time passes and the timer thread waits for the destination's
	 * stripe: the hold-down cannot end while the lock is held. */
	CHECK(rt_wait_waiters(a, RT_WAITING_LOCKS, 1, 300));
	CHECK(hold_route_of(a, d) != NULL);
	CHECK_U(RtmLockDestination(a, d, TRUE, FALSE), NO_ERROR);
	/* Unlocked: it ends (a generous bound, not a timing assertion). */
	bool ended = false;
	for (unsigned t = 0; t < 10000 && !ended; t += 10) {
		ended = hold_route_of(a, d) == NULL;
		if (!ended)
			rt_sleep_ms(10);
	}
	CHECK(ended);
	CHECK_U(RtmReleaseDestInfo(a, &db.info), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
}

int main(void)
{
	RUN(test_owner_waits_for_lock);
	RUN(test_unlock_after_delete_lets_others_in);
	RUN(test_shared_stripe_held_until_both_unlocked);
	RUN(test_hold_expiry_waits_for_lock);
	TEST_MAIN_END();
}
