/*
 * test_time.c — route expiry (TimeToLive, RTM_ROUTE_EXPIRED) and hold-down
 * (RtmHoldDestination), route.c and dest.c on the timer service.
 *
 * The RIB's timer service runs on a fake clock (the hook test_timer uses,
 * rtm__timer_service_set_clock, reached through the RIB's internals): a test
 * moves the clock by hand and settles the service, which returns once the
 * timer thread has fired everything due and gone back to sleep.  So no test
 * waits for real milliseconds to pass, what fires and when is deterministic
 * (nothing fires a millisecond early), and a cancelled timer is also proved
 * by the order in which timers fire (a later deadline firing means every
 * earlier one would have fired before it).  The waits for events keep a
 * condition variable and a generous bound, so that a bug fails the test
 * instead of hanging it.  The real clock of the RIB's timer thread is
 * exercised by test_mt_locks (the end of a hold-down).
 */
#include "ribcheck.h"
#include "rtmtest.h"

#include <errno.h>

#define BOUND_MS RT_WAIT_BOUND_MS

/* ---- the fake clock ------------------------------------------------------------- */

static _Atomic uint64_t fake_ms = 1000000;
static struct rtm_timer_service *fake_svc;

static uint64_t fake_clock(void)
{
	return atomic_load(&fake_ms);
}

/* From now on, the timer service of e's RIB runs on the fake clock (called
 * before the test arms its first timer). */
static void fake_clock_on(RTM_ENTITY_HANDLE e)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(e, &caller, false);
	if (!rib)
		abort();
	rtm__rib_unlock(rib); /* a RIB is never freed while the process runs */
	fake_svc = &rib->timers;
	rtm__timer_service_set_clock(fake_svc, fake_clock);
}

/* Moves the fake clock ms on and lets the timer thread fire what became due
 * (with no lock of ours held: the fires take the RIB's). */
static void advance(unsigned ms)
{
	atomic_fetch_add(&fake_ms, ms);
	rtm__timer_service_settle(fake_svc);
}

struct expiry {
	RTM_ENTITY_HANDLE to;
	RTM_ROUTE_HANDLE route;
	RTM_ROUTE_INFO info; /* the copy of the fixed part */
	RTM_NEXTHOP_HANDLE first_hop;
	RTM_NET_ADDRESS dest;
	DWORD dest_rc;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static struct expiry seen[16];
static unsigned n_seen;
static unsigned other_events;
static DWORD answer = ERROR_NOT_SUPPORTED;

static DWORD WINAPI expiry_cb(RTM_ENTITY_HANDLE me, RTM_EVENT_TYPE t, PVOID c1, PVOID c2)
{
	if (t != RTM_ROUTE_EXPIRED) {
		pthread_mutex_lock(&mu);
		other_events++;
		pthread_mutex_unlock(&mu);
		return NO_ERROR;
	}
	struct expiry x;
	memset(&x, 0, sizeof(x));
	x.to = me;
	x.route = c1;
	PRTM_ROUTE_INFO ri = c2;
	x.info = *ri;
	x.first_hop = ri->NextHopsList.NumNextHops ? ri->NextHopsList.NextHops[0] : NULL;
	/* The API may be called from the callback. */
	x.dest_rc = RtmGetRouteInfo(me, c1, NULL, &x.dest);
	pthread_mutex_lock(&mu);
	if (n_seen < 16)
		seen[n_seen] = x;
	n_seen++;
	DWORD a = answer;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return a;
}

/* Waits until at least n expiry events were seen; returns the count. */
static unsigned wait_events(unsigned n)
{
	pthread_mutex_lock(&mu);
	while (n_seen < n)
		if (rt_cond_wait_ms(&cv, &mu, BOUND_MS) == ETIMEDOUT)
			break;
	unsigned got = n_seen;
	pthread_mutex_unlock(&mu);
	return got;
}

static unsigned events(void)
{
	pthread_mutex_lock(&mu);
	unsigned n = n_seen;
	pthread_mutex_unlock(&mu);
	return n;
}

struct q {
	RTM_ENTITY_HANDLE e;
	const char *dest;
	unsigned len;
	unsigned routes;
};

static bool routes_are(void *arg)
{
	struct q *q = arg;
	rtm_stats s;
	return rtm_get_stats(q->e, &s) == NO_ERROR && s.routes == q->routes;
}

static bool no_best(void *arg)
{
	struct q *q = arg;
	return rt_best(q->e, q->dest, q->len, RTM_VIEW_MASK_UCAST) == NULL;
}

static DWORD add_ttl(RTM_ENTITY_HANDLE e, RTM_ROUTE_HANDLE *h, const char *dest, unsigned len, ULONG metric,
		     RTM_NEXTHOP_HANDLE nh, ULONG ttl, DWORD *flags)
{
	RTM_NET_ADDRESS a = rt_addr(dest, len);
	rt_route_buf rb;
	rt_route_fill(&rb.info, 10, metric, RTM_VIEW_MASK_UCAST, nh, NULL);
	DWORD fl = 0;
	DWORD rc = RtmAddRouteToDest(e, h, &a, &rb.info, ttl, NULL, 0, NULL, &fl);
	if (flags)
		*flags = fl;
	return rc;
}

static void test_expiry_deletes(void)
{
	RTM_ENTITY_HANDLE e, other;
	REQUIRE(rt_register_ex(0, AF_INET, 2, 1, expiry_cb, FALSE, NULL, &other, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 1, 1, expiry_cb, FALSE, NULL, &e, NULL) == NO_ERROR);
	pthread_mutex_lock(&mu);
	CHECK_U(other_events, 1); /* other heard of e's registration */
	other_events = 0;
	pthread_mutex_unlock(&mu);
	fake_clock_on(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "10.0.0.1", 1);
	RTM_ROUTE_HANDLE r = NULL;
	answer = ERROR_NOT_SUPPORTED;
	REQUIRE(add_ttl(e, &r, "10.1.0.0", 16, 7, nh, 5, NULL) == NO_ERROR);
	advance(4);
	CHECK_U(events(), 0); /* not a millisecond early */
	CHECK(rt_best(e, "10.1.0.0", 16, RTM_VIEW_MASK_UCAST) == r);
	advance(1);
	REQUIRE(wait_events(1) == 1);
	/* The owner is told, with the route's handle and information. */
	CHECK(seen[0].to == e);
	CHECK(seen[0].route == r);
	CHECK(seen[0].info.RouteOwner == e);
	CHECK_U(seen[0].info.PrefInfo.Preference, 10);
	CHECK_U(seen[0].info.PrefInfo.Metric, 7);
	CHECK_U(seen[0].info.BelongsToViews, RTM_VIEW_MASK_UCAST);
	CHECK_U(seen[0].info.State, RTM_ROUTE_STATE_CREATED);
	CHECK_U(seen[0].info.NextHopsList.NumNextHops, 1);
	CHECK(seen[0].first_hop == nh);
	CHECK(seen[0].info.DestHandle != NULL);
	CHECK_U(seen[0].dest_rc, NO_ERROR);
	RTM_NET_ADDRESS want = rt_addr("10.1.0.0", 16);
	CHECK(rt_addr_eq(&seen[0].dest, &want));
	/* ERROR_NOT_SUPPORTED: the RTM deletes the route (and drops the event's handle). */
	struct q q = { e, "10.1.0.0", 16, 0 };
	CHECK(rt_wait_until(no_best, &q));
	RTM_NET_ADDRESS a = rt_addr("10.1.0.0", 16);
	rt_dest_buf db;
	CHECK_U(RtmGetExactMatchDestination(e, &a, 0, 0, &db.info), ERROR_NOT_FOUND);
	CHECK_U(rt_stats(e).pending_timers, 0);
	/* Our own handle is still referenced: it reads the route as deleted. */
	rt_route_buf rb;
	CHECK_U(rt_route_info(e, r, &rb), NO_ERROR);
	CHECK_U(rb.info.State, RTM_ROUTE_STATE_DELETED);
	RtmReleaseRouteInfo(e, &rb.info);
	CHECK_U(RtmReleaseRoutes(e, 1, &r), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(e, 1, &r), ERROR_INVALID_HANDLE);
	CHECK(rt_wait_until(routes_are, &q));
	CHECK_U(rt_stats(e).dests, 0);
	CHECK_U(events(), 1);
	pthread_mutex_lock(&mu);
	CHECK_U(other_events, 0);
	pthread_mutex_unlock(&mu);
	RtmReleaseNextHops(e, 1, &nh);
	RtmDeregisterEntity(e);
	RtmDeregisterEntity(other);
}

static void test_expiry_kept(void)
{
	RTM_ENTITY_HANDLE e;
	REQUIRE(rt_register_ex(0, AF_INET, 1, 1, expiry_cb, FALSE, NULL, &e, NULL) == NO_ERROR);
	fake_clock_on(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "10.0.0.1", 1);
	answer = NO_ERROR;
	/* No handle asked for: the event's handle is the owner's only one. */
	REQUIRE(add_ttl(e, NULL, "10.2.0.0", 16, 3, nh, 1, NULL) == NO_ERROR);
	advance(1);
	REQUIRE(wait_events(1) == 1);
	RTM_ROUTE_HANDLE r = seen[0].route;
	/* Any other answer: the route stays, and the handle is ours to release. */
	CHECK(rt_best(e, "10.2.0.0", 16, 1) == r);
	rt_route_buf rb;
	CHECK_U(rt_route_info(e, r, &rb), NO_ERROR);
	CHECK_U(rb.info.State, RTM_ROUTE_STATE_CREATED);
	CHECK_U(rb.info.PrefInfo.Metric, 3);
	RtmReleaseRouteInfo(e, &rb.info);
	CHECK_U(rt_stats(e).pending_timers, 0);
	/* It does not expire again.  A later timer firing proves it. */
	REQUIRE(add_ttl(e, NULL, "10.3.0.0", 16, 3, nh, 10, NULL) == NO_ERROR);
	advance(10);
	REQUIRE(wait_events(2) == 2);
	RTM_NET_ADDRESS w3 = rt_addr("10.3.0.0", 16);
	CHECK(rt_addr_eq(&seen[1].dest, &w3));
	CHECK_U(RtmReleaseRoutes(e, 1, &r), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(e, 1, &seen[1].route), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(e, 1, &r), ERROR_INVALID_HANDLE);
	/* Both routes are still there; the owner deletes one itself. */
	CHECK_U(rt_stats(e).routes, 2);
	RTM_ROUTE_HANDLE mine = NULL;
	REQUIRE(add_ttl(e, &mine, "10.2.0.0", 16, 3, nh, INFINITE, NULL) == NO_ERROR);
	CHECK(mine == r);
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(e, mine, &fl), NO_ERROR);
	CHECK_U(rt_stats(e).routes, 1);
	RtmReleaseNextHops(e, 1, &nh);
	RtmDeregisterEntity(e);
}

static void test_infinite_cancels(void)
{
	RTM_ENTITY_HANDLE e;
	REQUIRE(rt_register_ex(0, AF_INET, 1, 1, expiry_cb, FALSE, NULL, &e, NULL) == NO_ERROR);
	fake_clock_on(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "10.0.0.1", 1);
	answer = ERROR_NOT_SUPPORTED;
	RTM_ROUTE_HANDLE r1 = NULL, r2 = NULL;
	/* r1 expires after 10 ms, unless re-added with INFINITE; r2 after 20 ms. */
	REQUIRE(add_ttl(e, &r1, "10.1.0.0", 16, 1, nh, 10, NULL) == NO_ERROR);
	CHECK_U(rt_stats(e).pending_timers, 1);
	REQUIRE(add_ttl(e, &r1, "10.1.0.0", 16, 1, nh, INFINITE, NULL) == NO_ERROR);
	CHECK_U(rt_stats(e).pending_timers, 0);
	REQUIRE(add_ttl(e, &r2, "10.2.0.0", 16, 1, nh, 20, NULL) == NO_ERROR);
	advance(20);
	REQUIRE(wait_events(1) == 1);
	/* Only r2 expired: r1's earlier deadline was cancelled. */
	CHECK(seen[0].route == r2);
	CHECK(rt_best(e, "10.1.0.0", 16, 1) == r1);
	/* A new TimeToLive replaces the old one: r1 gets 1 s, then 5 ms. */
	REQUIRE(add_ttl(e, &r1, "10.1.0.0", 16, 1, nh, 1000000, NULL) == NO_ERROR);
	REQUIRE(add_ttl(e, &r1, "10.1.0.0", 16, 2, nh, 5, NULL) == NO_ERROR);
	CHECK_U(rt_stats(e).pending_timers, 1);
	advance(5);
	REQUIRE(wait_events(2) == 2);
	CHECK(seen[1].route == r1);
	CHECK_U(seen[1].info.PrefInfo.Metric, 2);
	struct q q = { e, "10.1.0.0", 16, 0 };
	CHECK(rt_wait_until(no_best, &q));
	/* The deleted routes are still referenced by our handles. */
	RtmReleaseRoutes(e, 1, &r1);
	RtmReleaseRoutes(e, 1, &r2);
	CHECK(rt_wait_until(routes_are, &q));
	CHECK_U(events(), 2);
	/* A route that is deleted before its time never expires. */
	RTM_ROUTE_HANDLE r3 = NULL, r4 = NULL;
	REQUIRE(add_ttl(e, &r3, "10.3.0.0", 16, 1, nh, 5, NULL) == NO_ERROR);
	DWORD fl;
	REQUIRE(RtmDeleteRouteToDest(e, r3, &fl) == NO_ERROR);
	CHECK_U(rt_stats(e).pending_timers, 0);
	REQUIRE(add_ttl(e, &r4, "10.4.0.0", 16, 1, nh, 15, NULL) == NO_ERROR);
	advance(15);
	REQUIRE(wait_events(3) == 3);
	CHECK(seen[2].route == r4);
	CHECK_U(events(), 3);
	RtmReleaseRoutes(e, 1, &r4);
	RtmReleaseNextHops(e, 1, &nh);
	RtmDeregisterEntity(e);
}

static void test_expiry_after_deregistration(void)
{
	RTM_ENTITY_HANDLE e, keep;
	REQUIRE(rt_register_ex(0, AF_INET, 1, 1, expiry_cb, FALSE, NULL, &e, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 2, 1, expiry_cb, FALSE, NULL, &keep, NULL) == NO_ERROR);
	fake_clock_on(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "10.0.0.1", 1), nk = rt_nexthop(keep, "10.0.0.2", 1);
	REQUIRE(add_ttl(e, NULL, "10.1.0.0", 16, 1, nh, 10, NULL) == NO_ERROR);
	RtmReleaseNextHops(e, 1, &nh);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
	CHECK_U(rt_stats(keep).pending_timers, 0);
	/* A later timer of another entity fires; e's never did. */
	answer = ERROR_NOT_SUPPORTED;
	REQUIRE(add_ttl(keep, NULL, "10.2.0.0", 16, 1, nk, 20, NULL) == NO_ERROR);
	advance(20);
	REQUIRE(wait_events(1) == 1);
	CHECK(seen[0].to == keep);
	RtmReleaseNextHops(keep, 1, &nk);
	RtmDeregisterEntity(keep);
}

/* ---- hold-down ------------------------------------------------------------------ */

struct holdq {
	RTM_ENTITY_HANDLE e;
	RTM_DEST_HANDLE d;
};

static bool hold_gone(void *arg)
{
	struct holdq *h = arg;
	rt_dest_buf db;
	if (RtmGetDestInfo(h->e, h->d, 0, RTM_VIEW_MASK_UCAST, &db.info) != NO_ERROR)
		return false;
	bool gone = RT_VIEW(&db.info, 0).HoldRoute == NULL;
	RtmReleaseDestInfo(h->e, &db.info);
	return gone;
}

static RTM_DEST_HANDLE dest_of(RTM_ENTITY_HANDLE e, const char *a, unsigned len)
{
	RTM_NET_ADDRESS d = rt_addr(a, len);
	rt_dest_buf db;
	if (RtmGetExactMatchDestination(e, &d, 0, 0, &db.info) != NO_ERROR)
		return NULL;
	return db.info.DestHandle; /* referenced: the caller releases it */
}

static void release_dest(RTM_ENTITY_HANDLE e, RTM_DEST_HANDLE d)
{
	rt_dest_buf db;
	memset(&db, 0, sizeof(db));
	db.info.DestHandle = d;
	CHECK_U(RtmReleaseDestInfo(e, &db.info), NO_ERROR);
}

static void test_hold_invalid(void)
{
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, 1);
	REQUIRE(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "10.0.0.1", 1);
	RTM_ROUTE_HANDLE r;
	REQUIRE(rt_add_route(e, "10.1.0.0", 16, 1, 1, 1, nh, NULL, &r, NULL) == NO_ERROR);
	RTM_DEST_HANDLE d = dest_of(e, "10.1.0.0", 16);
	REQUIRE(d);
	CHECK_U(RtmHoldDestination(e, d, RTM_VIEW_MASK_UCAST, 0), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmHoldDestination(e, d, 0x8, 100), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmHoldDestination(e, NULL, RTM_VIEW_MASK_UCAST, 100), ERROR_INVALID_HANDLE);
	CHECK_U(RtmHoldDestination(e, r, RTM_VIEW_MASK_UCAST, 100), ERROR_INVALID_HANDLE);
	CHECK_U(RtmHoldDestination(NULL, d, RTM_VIEW_MASK_UCAST, 100), ERROR_INVALID_HANDLE);
	/* Nothing held: deleting the route removes the destination. */
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(e, r, &fl), NO_ERROR);
	RTM_NET_ADDRESS q = rt_addr("10.1.0.0", 16);
	rt_dest_buf db;
	CHECK_U(RtmGetExactMatchDestination(e, &q, 0, 0, &db.info), ERROR_NOT_FOUND);
	release_dest(e, d);
	CHECK_U(rt_stats(e).dests, 0);
	RtmReleaseNextHops(e, 1, &nh);
	RtmDeregisterEntity(e);
}

static void test_hold_down(void)
{
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
	REQUIRE(e && b);
	fake_clock_on(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "10.0.0.1", 1), nb = rt_nexthop(b, "10.0.0.2", 1);
	RTM_ROUTE_HANDLE r = NULL;
	REQUIRE(rt_add_route(e, "10.1.0.0", 16, 1, 4, RTM_VIEW_MASK_UCAST, nh, NULL, &r, NULL) == NO_ERROR);
	RTM_DEST_HANDLE d = dest_of(e, "10.1.0.0", 16);
	REQUIRE(d);
	CHECK_U(RtmHoldDestination(e, d, RTM_VIEW_MASK_UCAST, 40), NO_ERROR);
	CHECK_U(rt_stats(e).pending_timers, 0); /* armed only when the last route goes */
	/* The last route is deleted: it becomes the hold route. */
	RTM_ROUTE_HANDLE held = r;
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(e, r, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK_U(rt_stats(e).pending_timers, 1);
	RTM_NET_ADDRESS q = rt_addr("10.1.0.0", 16);
	rt_dest_buf db;
	REQUIRE(RtmGetExactMatchDestination(e, &q, 0, RTM_VIEW_MASK_UCAST, &db.info) == NO_ERROR);
	CHECK(db.info.DestHandle == d);
	CHECK_U(RT_VIEW(&db.info, 0).NumRoutes, 0);
	CHECK(RT_VIEW(&db.info, 0).Route == NULL);
	CHECK(RT_VIEW(&db.info, 0).HoldRoute == held);
	/* The hold route reads as deleted. */
	rt_route_buf rb;
	CHECK_U(rt_route_info(e, RT_VIEW(&db.info, 0).HoldRoute, &rb), NO_ERROR);
	CHECK_U(rb.info.State, RTM_ROUTE_STATE_DELETED);
	CHECK_U(rb.info.PrefInfo.Metric, 4);
	RtmReleaseRouteInfo(e, &rb.info);
	CHECK_U(RtmReleaseDestInfo(e, &db.info), NO_ERROR);
	/* A longest-match lookup does not forward to it. */
	RTM_NET_ADDRESS host = rt_addr("10.1.2.3", 32);
	CHECK_U(RtmGetMostSpecificDestination(e, &host, 0, RTM_VIEW_MASK_UCAST, &db.info), ERROR_NOT_FOUND);
	/* A new route arrives: it is used, the hold route stays until expiry. */
	RTM_ROUTE_HANDLE r2 = NULL;
	REQUIRE(rt_add_route(b, "10.1.0.0", 16, 1, 9, RTM_VIEW_MASK_UCAST, nb, NULL, &r2, &fl) == NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	REQUIRE(RtmGetDestInfo(b, d, 0, RTM_VIEW_MASK_UCAST, &db.info) == NO_ERROR);
	CHECK(RT_VIEW(&db.info, 0).Route == r2);
	CHECK_U(RT_VIEW(&db.info, 0).NumRoutes, 1);
	CHECK(RT_VIEW(&db.info, 0).HoldRoute == held);
	CHECK_U(RtmReleaseDestInfo(b, &db.info), NO_ERROR);
	/* After the hold time, no hold route; the new route remains. */
	struct holdq hq = { b, d };
	advance(39);
	CHECK(!hold_gone(&hq)); /* not a millisecond early */
	advance(1);
	CHECK(rt_wait_until(hold_gone, &hq));
	REQUIRE(RtmGetDestInfo(b, d, 0, RTM_VIEW_MASK_UCAST, &db.info) == NO_ERROR);
	CHECK(RT_VIEW(&db.info, 0).Route == r2);
	CHECK(RT_VIEW(&db.info, 0).HoldRoute == NULL);
	CHECK_U(RtmReleaseDestInfo(b, &db.info), NO_ERROR);
	CHECK_U(rt_stats(e).routes, 1);
	CHECK_U(rt_stats(e).pending_timers, 0);
	CHECK_U(rt_route_info(e, held, &rb), ERROR_INVALID_HANDLE);
	/* The mark was used up: deleting the new last route does not hold. */
	CHECK_U(RtmDeleteRouteToDest(b, r2, &fl), NO_ERROR);
	CHECK_U(RtmGetExactMatchDestination(e, &q, 0, 0, &db.info), ERROR_NOT_FOUND);
	release_dest(e, d);
	CHECK_U(rt_stats(e).dests, 0);
	RtmReleaseNextHops(e, 1, &nh);
	RtmReleaseNextHops(b, 1, &nb);
	RtmDeregisterEntity(e);
	RtmDeregisterEntity(b);
}

static void test_hold_down_expires_dest(void)
{
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, 1);
	REQUIRE(e);
	fake_clock_on(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "10.0.0.1", 1);
	RTM_ROUTE_HANDLE r = NULL, u = NULL;
	REQUIRE(rt_add_route(e, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST, nh, NULL, &r,
			     NULL) == NO_ERROR);
	RTM_DEST_HANDLE d = dest_of(e, "10.1.0.0", 16);
	REQUIRE(d);
	/* Held in both views; the route was the last in both. */
	CHECK_U(RtmHoldDestination(e, d, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST, 5), NO_ERROR);
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(e, r, &fl), NO_ERROR);
	rt_dest_buf db;
	REQUIRE(RtmGetDestInfo(e, d, 0, 3, &db.info) == NO_ERROR);
	CHECK(RT_VIEW(&db.info, 0).HoldRoute == r);
	CHECK(RT_VIEW(&db.info, 1).HoldRoute == r);
	RtmReleaseDestInfo(e, &db.info);
	release_dest(e, d);
	/* After the hold time the destination is gone altogether. */
	struct q q = { e, NULL, 0, 0 };
	advance(5);
	CHECK(rt_wait_until(routes_are, &q));
	RTM_NET_ADDRESS a = rt_addr("10.1.0.0", 16);
	CHECK_U(RtmGetExactMatchDestination(e, &a, 0, 0, &db.info), ERROR_NOT_FOUND);
	CHECK_U(rt_stats(e).dests, 0);
	/* A hold in another view than the route's: no hold-down. */
	REQUIRE(rt_add_route(e, "10.2.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, nh, NULL, &u, NULL) == NO_ERROR);
	d = dest_of(e, "10.2.0.0", 16);
	CHECK_U(RtmHoldDestination(e, d, RTM_VIEW_MASK_MCAST, 60000), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(e, u, &fl), NO_ERROR);
	a = rt_addr("10.2.0.0", 16);
	CHECK_U(RtmGetExactMatchDestination(e, &a, 0, 0, &db.info), ERROR_NOT_FOUND);
	release_dest(e, d);
	CHECK_U(rt_stats(e).pending_timers, 0);
	/* Deregistering the hold route's owner ends its hold-down at once. */
	REQUIRE(rt_add_route(e, "10.3.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, nh, NULL, &u, NULL) == NO_ERROR);
	d = dest_of(e, "10.3.0.0", 16);
	CHECK_U(RtmHoldDestination(e, d, RTM_VIEW_MASK_UCAST, 60000), NO_ERROR);
	release_dest(e, d);
	CHECK_U(RtmDeleteRouteToDest(e, u, &fl), NO_ERROR);
	RTM_ENTITY_HANDLE watcher = rt_register(AF_INET, 2);
	CHECK_U(rt_stats(watcher).pending_timers, 1);
	RtmReleaseNextHops(e, 1, &nh);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
	rtm_stats s = rt_stats(watcher);
	CHECK_U(s.pending_timers, 0);
	CHECK_U(s.routes, 0);
	CHECK_U(s.dests, 0);
	RtmDeregisterEntity(watcher);
}

/* An entity without an event callback (Microsoft's samples register with
 * NULL): it registers, hears nothing, and its expiring routes are deleted by
 * the RTM as for a callback answering ERROR_NOT_SUPPORTED. */
static void test_expiry_without_callback(void)
{
	RTM_ENTITY_HANDLE other;
	REQUIRE(rt_register_ex(0, AF_INET, 2, 1, expiry_cb, FALSE, NULL, &other, NULL) == NO_ERROR);
	RTM_ENTITY_INFO info;
	memset(&info, 0, sizeof(info));
	info.AddressFamily = AF_INET;
	info.EntityId.EntityProtocolId = 1;
	info.EntityId.EntityInstanceId = 1;
	RTM_REGN_PROFILE prof;
	memset(&prof, 0, sizeof(prof));
	RTM_ENTITY_HANDLE e = NULL;
	REQUIRE(RtmRegisterEntity(&info, NULL, NULL, FALSE, &prof, &e) == NO_ERROR);
	REQUIRE(e != NULL);
	CHECK_U(prof.MaxNextHopsInRoute, 8);
	pthread_mutex_lock(&mu);
	CHECK_U(other_events, 1); /* others still hear of it */
	other_events = 0;
	pthread_mutex_unlock(&mu);
	fake_clock_on(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "10.0.0.1", 1);
	RTM_ROUTE_HANDLE r = NULL;
	REQUIRE(add_ttl(e, &r, "10.1.0.0", 16, 7, nh, 1, NULL) == NO_ERROR);
	struct q q = { e, "10.1.0.0", 16, 0 };
	advance(1);
	CHECK(rt_wait_until(no_best, &q));
	CHECK_U(rt_stats(e).pending_timers, 0);
	rt_route_buf rb;
	CHECK_U(rt_route_info(e, r, &rb), NO_ERROR);
	CHECK_U(rb.info.State, RTM_ROUTE_STATE_DELETED);
	RtmReleaseRouteInfo(e, &rb.info);
	/* The RTM released the handle of the event; ours is the only one left. */
	CHECK_U(RtmReleaseRoutes(e, 1, &r), NO_ERROR);
	CHECK(rt_wait_until(routes_are, &q));
	CHECK_U(rt_stats(e).dests, 0);
	CHECK_U(events(), 0); /* expiry_cb is other's, and other owns no route */
	CHECK_U(RtmReleaseNextHops(e, 1, &nh), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
	pthread_mutex_lock(&mu);
	CHECK_U(other_events, 1); /* the deregistration */
	pthread_mutex_unlock(&mu);
	RtmDeregisterEntity(other);
}

/* "Use the Event Notification Callback": on RTM_ROUTE_EXPIRED the owner
 * locks the route without asking for a pointer, writes the new metric
 * through Context2 and commits with RtmUpdateAndUnlockRoute. */
static struct {
	PRTM_ROUTE_INFO context2;
	DWORD lock_rc, update_rc, release_rc;
	ULONG metric_seen;
	unsigned calls;
} refresh;

static DWORD WINAPI refresh_cb(RTM_ENTITY_HANDLE me, RTM_EVENT_TYPE t, PVOID c1, PVOID c2)
{
	if (t != RTM_ROUTE_EXPIRED)
		return NO_ERROR;
	RTM_ROUTE_HANDLE route = c1;
	PRTM_ROUTE_INFO info = c2;
	DWORD lock_rc = RtmLockRoute(me, route, TRUE, TRUE, NULL);
	ULONG seen_metric = info->PrefInfo.Metric;
	info->PrefInfo.Metric = 16;
	RTM_ROUTE_CHANGE_FLAGS fl = 0;
	DWORD update_rc = RtmUpdateAndUnlockRoute(me, route, INFINITE, NULL, 0, NULL, &fl);
	if (update_rc != NO_ERROR)
		RtmLockRoute(me, route, TRUE, FALSE, NULL);
	DWORD release_rc = RtmReleaseRoutes(me, 1, &route);
	pthread_mutex_lock(&mu);
	refresh.context2 = info;
	refresh.lock_rc = lock_rc;
	refresh.update_rc = update_rc;
	refresh.release_rc = release_rc;
	refresh.metric_seen = seen_metric;
	refresh.calls++;
	n_seen++;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	return NO_ERROR;
}

static void test_expiry_update_in_place(void)
{
	RTM_ENTITY_HANDLE e;
	REQUIRE(rt_register_ex(0, AF_INET, 1, 1, refresh_cb, FALSE, NULL, &e, NULL) == NO_ERROR);
	fake_clock_on(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "10.0.0.1", 1);
	RTM_ROUTE_HANDLE r = NULL;
	REQUIRE(add_ttl(e, &r, "10.4.0.0", 16, 5, nh, 1, NULL) == NO_ERROR);
	advance(1);
	REQUIRE(wait_events(1) == 1);
	pthread_mutex_lock(&mu);
	CHECK_U(refresh.calls, 1);
	CHECK_U(refresh.lock_rc, NO_ERROR);
	CHECK_U(refresh.update_rc, NO_ERROR);
	CHECK_U(refresh.release_rc, NO_ERROR);
	CHECK_U(refresh.metric_seen, 5);
	PRTM_ROUTE_INFO c2 = refresh.context2;
	pthread_mutex_unlock(&mu);
	/* Context2 is the owner's in-place information... */
	PRTM_ROUTE_INFO p = NULL;
	CHECK_U(RtmGetRoutePointer(e, r, &p), NO_ERROR);
	CHECK(p == c2);
	/* ... and the edit was committed: the route stays, with the new metric,
	 * no longer expiring, and unlocked (this thread can lock it). */
	CHECK(rt_best(e, "10.4.0.0", 16, 1) == r);
	rt_route_buf rb;
	CHECK_U(rt_route_info(e, r, &rb), NO_ERROR);
	CHECK_U(rb.info.PrefInfo.Metric, 16);
	CHECK_U(rb.info.State, RTM_ROUTE_STATE_CREATED);
	RtmReleaseRouteInfo(e, &rb.info);
	CHECK_U(rt_stats(e).pending_timers, 0);
	CHECK_U(RtmLockRoute(e, r, TRUE, TRUE, NULL), NO_ERROR);
	CHECK_U(RtmLockRoute(e, r, TRUE, FALSE, NULL), NO_ERROR);
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(e, r, &fl), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(e, 1, &nh), NO_ERROR);
	CHECK_U(rt_stats(e).routes, 0);
	RtmDeregisterEntity(e);
}

int main(void)
{
	RUN(test_expiry_deletes);
	RUN(test_expiry_kept);
	RUN(test_infinite_cancels);
	RUN(test_expiry_after_deregistration);
	RUN(test_expiry_without_callback);
	RUN(test_expiry_update_in_place);
	RUN(test_hold_invalid);
	RUN(test_hold_down);
	RUN(test_hold_down_expires_dest);
	TEST_MAIN_END();
}
