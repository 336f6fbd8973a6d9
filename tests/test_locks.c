/*
 * test_locks.c — client locks (RtmLockNextHop, RtmLockRoute,
 * RtmLockDestination, RtmUpdateAndUnlockRoute) on one thread: invalid input,
 * unlocking after the object was deleted or freed, and objects whose stripes
 * collide.  The cross-thread cases are in test_mt_locks.c.
 *
 * The tests include internal headers to find objects that share a stripe and
 * to see whether a stripe's rwlock is still held.
 */
#include "rtmtest.h"

#include "entity.h"
#include "handle.h"
#include "lock.h"
#include "netaddr.h"

static struct rtm_rib *rib_of(RTM_ENTITY_HANDLE e)
{
	struct rtm_entity *x = rtm__caller(e);
	return x ? x->rib : NULL;
}

static unsigned nexthop_stripe(RTM_NEXTHOP_HANDLE h)
{
	struct rtm_handle_parts p;
	if (rtm__handle_decode(h, &p))
		abort();
	return rtm__stripe_of_slot(p.slot);
}

static unsigned prefix_stripe(const char *text, unsigned len)
{
	RTM_NET_ADDRESS a = rt_addr(text, len);
	uint8_t key[16];
	rtm__netaddr_key(&a, 32, key);
	return rtm__stripe_of_key(key, 4, len);
}

/* Does no thread hold the stripe?  (A held write lock refuses even its owner.) */
static bool stripe_free(struct rtm_rib *rib, unsigned s)
{
	if (pthread_rwlock_trywrlock(&rib->stripes[s]))
		return false;
	pthread_rwlock_unlock(&rib->stripes[s]);
	return true;
}

/* A /24 under 10.0.0.0/8, other than first, in the same stripe as first. */
static void colliding_prefix(const char *first, char *out, size_t n)
{
	unsigned want = prefix_stripe(first, 24);
	for (unsigned i = 1; i < 65536; i++) {
		snprintf(out, n, "10.%u.%u.0", i >> 8, i & 255);
		if (strcmp(out, first) && prefix_stripe(out, 24) == want)
			return;
	}
	abort();
}

/* Routes of a to 10.0.0.0/24 (r1) and to another /24 in its stripe (r2,
 * named in other); returns the stripe. */
static unsigned colliding_routes(RTM_ENTITY_HANDLE a, char *other, size_t n, RTM_ROUTE_HANDLE *r1,
				 RTM_ROUTE_HANDLE *r2)
{
	colliding_prefix("10.0.0.0", other, n);
	unsigned s = prefix_stripe("10.0.0.0", 24);
	if (prefix_stripe(other, 24) != s ||
	    rt_add_route(a, "10.0.0.0", 24, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, r1, NULL) ||
	    rt_add_route(a, other, 24, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, r2, NULL))
		abort();
	return s;
}

static RTM_DEST_HANDLE dest_of(RTM_ENTITY_HANDLE e, const char *text, unsigned len, rt_dest_buf *db)
{
	RTM_NET_ADDRESS a = rt_addr(text, len);
	if (RtmGetExactMatchDestination(e, &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &db->info))
		return NULL;
	return db->info.DestHandle;
}

static ULONG metric_of(RTM_ENTITY_HANDLE e, RTM_ROUTE_HANDLE r)
{
	rt_route_buf rb;
	if (rt_route_info(e, r, &rb) != NO_ERROR)
		return ~0u;
	ULONG m = rb.info.PrefInfo.Metric;
	RtmReleaseRouteInfo(e, &rb.info);
	return m;
}

static void test_invalid_input(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1);
	REQUIRE(a);
	struct rtm_rib *rib = rib_of(a);
	RTM_NEXTHOP_HANDLE h = rt_nexthop(a, "10.0.0.1", 1);
	RTM_ROUTE_HANDLE r;
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, h, NULL, &r, NULL) ==
		NO_ERROR);
	PRTM_NEXTHOP_INFO np = NULL;
	PRTM_ROUTE_INFO rp = NULL;
	DWORD fl = 99;

	/* Bad handles, locking and unlocking. */
	CHECK_U(RtmLockNextHop(NULL, h, TRUE, FALSE, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmLockNextHop(a, NULL, TRUE, TRUE, &np), ERROR_INVALID_HANDLE);
	CHECK_U(RtmLockNextHop(a, (RTM_NEXTHOP_HANDLE)0x5, TRUE, FALSE, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmLockNextHop(a, r, TRUE, TRUE, &np), ERROR_INVALID_HANDLE); /* a route */
	CHECK_U(RtmLockRoute(NULL, r, TRUE, FALSE, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmLockRoute(a, (RTM_ROUTE_HANDLE)0x8, TRUE, FALSE, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmLockRoute(a, h, TRUE, TRUE, &rp), ERROR_INVALID_HANDLE); /* a next hop */
	CHECK_U(RtmLockDestination(a, (RTM_DEST_HANDLE)0x1, TRUE, FALSE), ERROR_INVALID_HANDLE);
	CHECK_U(RtmUpdateAndUnlockRoute(a, NULL, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_HANDLE);
	CHECK(np == NULL && rp == NULL);

	/* Unlocking or committing what is not locked. */
	CHECK_U(RtmLockNextHop(a, h, TRUE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmLockRoute(a, r, FALSE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmUpdateAndUnlockRoute(a, r, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_HANDLE);
	CHECK_U(fl, 99);

	/* Unlocking in the other mode than locked is refused; the lock stays. */
	unsigned s = nexthop_stripe(h);
	CHECK(stripe_free(rib, s));
	CHECK_U(RtmLockNextHop(a, h, TRUE, TRUE, &np), NO_ERROR);
	CHECK(np != NULL);
	CHECK_U(RtmLockNextHop(a, h, FALSE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	CHECK(!stripe_free(rib, s));
	CHECK_U(RtmLockNextHop(a, h, TRUE, FALSE, NULL), NO_ERROR);
	CHECK(stripe_free(rib, s));

	RtmReleaseRoutes(a, 1, &r);
	RtmReleaseNextHops(a, 1, &h);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
}

/* Audit finding 1: b locks a's next hop, a deletes it, b's unlock must
 * release the stripe, and must still do so once the next hop is freed. */
static void test_nexthop_unlock_after_delete(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
	REQUIRE(a && b);
	struct rtm_rib *rib = rib_of(a);
	RTM_NEXTHOP_HANDLE h = rt_nexthop(a, "10.0.0.1", 1), hb = h;
	CHECK_U(RtmReferenceHandles(b, 1, &hb), NO_ERROR);
	unsigned s = nexthop_stripe(h);

	PRTM_NEXTHOP_INFO p = (PRTM_NEXTHOP_INFO)0x1;
	CHECK_U(RtmLockNextHop(b, hb, TRUE, TRUE, &p), NO_ERROR);
	CHECK(p == (PRTM_NEXTHOP_INFO)0x1); /* not the owner: no pointer */
	CHECK(!stripe_free(rib, s));
	/* This thread holds the stripe, so the delete goes through. */
	CHECK_U(RtmDeleteNextHop(a, h, NULL), NO_ERROR);
	RTM_NEXTHOP_INFO ni;
	CHECK_U(RtmGetNextHopInfo(b, hb, &ni), NO_ERROR);
	CHECK_U(ni.State, RTM_NEXTHOP_STATE_DELETED);
	CHECK_U(RtmReleaseNextHopInfo(b, &ni), NO_ERROR);
	/* Locking it again is refused, unlocking it works. */
	CHECK_U(RtmLockNextHop(b, hb, TRUE, TRUE, NULL), ERROR_NOT_FOUND);
	CHECK_U(RtmLockNextHop(b, hb, TRUE, FALSE, NULL), NO_ERROR);
	CHECK(stripe_free(rib, s));
	CHECK_U(RtmLockNextHop(b, hb, TRUE, FALSE, NULL), ERROR_NOT_FOUND);
	CHECK_U(RtmReleaseNextHops(b, 1, &hb), NO_ERROR);

	/* Freed before the unlock: the handle alone still unlocks. */
	RTM_NEXTHOP_HANDLE h2 = rt_nexthop(a, "10.0.0.2", 1), h2b = h2;
	CHECK_U(RtmReferenceHandles(b, 1, &h2b), NO_ERROR);
	s = nexthop_stripe(h2);
	CHECK_U(RtmLockNextHop(b, h2b, FALSE, TRUE, NULL), NO_ERROR);
	CHECK_U(RtmDeleteNextHop(a, h2, NULL), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(b, 1, &h2b), NO_ERROR);
	CHECK_U(rt_stats(a).next_hops, 0);
	CHECK(!stripe_free(rib, s));
	CHECK_U(RtmLockNextHop(b, h2b, FALSE, FALSE, NULL), NO_ERROR);
	CHECK(stripe_free(rib, s));
	CHECK_U(RtmLockNextHop(b, h2b, FALSE, FALSE, NULL), ERROR_INVALID_HANDLE);

	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(b), NO_ERROR);
}

/* Audit finding 1 for routes: locked, deleted (the handle consumed, the
 * route freed), then unlocked. */
static void test_route_unlock_after_delete(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1);
	REQUIRE(a);
	struct rtm_rib *rib = rib_of(a);
	RTM_NEXTHOP_HANDLE h = rt_nexthop(a, "10.0.0.1", 1);
	RTM_ROUTE_HANDLE r, r2;
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, h, NULL, &r, NULL) ==
		NO_ERROR);
	unsigned s = prefix_stripe("10.1.0.0", 16);
	PRTM_ROUTE_INFO p = NULL;
	CHECK_U(RtmLockRoute(a, r, TRUE, TRUE, &p), NO_ERROR);
	REQUIRE(p != NULL);
	CHECK_U(p->PrefInfo.Metric, 1);
	CHECK(!stripe_free(rib, s));
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(a, r, &fl), NO_ERROR);
	CHECK_U(rt_stats(a).routes, 0);
	CHECK_U(RtmLockRoute(a, r, TRUE, FALSE, NULL), NO_ERROR);
	CHECK(stripe_free(rib, s));
	CHECK_U(RtmLockRoute(a, r, TRUE, FALSE, NULL), ERROR_INVALID_HANDLE);

	/* Deleted but still referenced: the commit fails, the route stays
	 * locked, and the unlock releases it. */
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 1, 2, RTM_VIEW_MASK_UCAST, h, NULL, &r2, NULL) ==
		NO_ERROR);
	RTM_ROUTE_HANDLE keep = r2;
	CHECK_U(RtmReferenceHandles(a, 1, &keep), NO_ERROR);
	CHECK_U(RtmLockRoute(a, r2, FALSE, TRUE, &p), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(a, r2, &fl), NO_ERROR);
	CHECK_U(RtmUpdateAndUnlockRoute(a, keep, INFINITE, NULL, 0, NULL, &fl), ERROR_NOT_FOUND);
	CHECK(!stripe_free(rib, s));
	CHECK_U(RtmLockRoute(a, keep, FALSE, FALSE, NULL), NO_ERROR);
	CHECK(stripe_free(rib, s));
	CHECK_U(RtmReleaseRoutes(a, 1, &keep), NO_ERROR);

	RtmReleaseNextHops(a, 1, &h);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
}

/* The same check for destinations: emptied while locked, then unlocked. */
static void test_dest_unlock_after_delete(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1);
	REQUIRE(a);
	struct rtm_rib *rib = rib_of(a);
	RTM_ROUTE_HANDLE r;
	REQUIRE(rt_add_route(a, "10.2.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &r, NULL) ==
		NO_ERROR);
	rt_dest_buf db;
	RTM_DEST_HANDLE d = dest_of(a, "10.2.0.0", 16, &db);
	REQUIRE(d != NULL);
	unsigned s = prefix_stripe("10.2.0.0", 16);
	CHECK_U(RtmLockDestination(a, d, TRUE, TRUE), NO_ERROR);
	CHECK(!stripe_free(rib, s));
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(a, r, &fl), NO_ERROR);
	CHECK(rt_best(a, "10.2.0.0", 16, RTM_VIEW_MASK_UCAST) == NULL);
	CHECK_U(RtmLockDestination(a, d, TRUE, FALSE), NO_ERROR);
	CHECK(stripe_free(rib, s));
	CHECK_U(RtmLockDestination(a, d, TRUE, FALSE), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmReleaseDestInfo(a, &db.info), NO_ERROR);
	CHECK_U(rt_stats(a).dests, 0);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
}

/* A destination lock is unlocked by its handle even after the client released
 * that handle and the destination was freed; and two destinations sharing a
 * stripe do not unlock each other. */
static void test_dest_unlock_after_release(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1);
	REQUIRE(a);
	struct rtm_rib *rib = rib_of(a);
	char other[32];
	RTM_ROUTE_HANDLE r1, r2;
	unsigned s = colliding_routes(a, other, sizeof(other), &r1, &r2);
	rt_dest_buf db1, db2;
	RTM_DEST_HANDLE d1 = dest_of(a, "10.0.0.0", 24, &db1), d2 = dest_of(a, other, 24, &db2);
	REQUIRE(d1 && d2);
	CHECK_U(RtmLockDestination(a, d1, FALSE, TRUE), NO_ERROR);
	/* d2 was never locked: its unlock is refused and d1 stays locked. */
	CHECK_U(RtmLockDestination(a, d2, FALSE, FALSE), ERROR_INVALID_PARAMETER);
	CHECK(!stripe_free(rib, s));
	CHECK_U(RtmLockDestination(a, d2, FALSE, TRUE), NO_ERROR);
	/* d1's route and handle go: the destination is freed, its lock is not. */
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(a, r1, &fl), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(a, &db1.info), NO_ERROR);
	CHECK_U(rt_stats(a).dests, 1);
	CHECK(!stripe_free(rib, s));
	CHECK_U(RtmLockDestination(a, d1, FALSE, FALSE), NO_ERROR);
	CHECK(!stripe_free(rib, s)); /* d2 holds it still */
	CHECK_U(RtmLockDestination(a, d1, FALSE, FALSE), ERROR_INVALID_HANDLE);
	CHECK_U(RtmLockDestination(a, d2, FALSE, FALSE), NO_ERROR);
	CHECK(stripe_free(rib, s));
	CHECK_U(RtmReleaseDestInfo(a, &db2.info), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(a, r2, &fl), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
}

/* Audit finding 3: two destinations in one stripe are still two locks. */
static void test_route_stripe_collision(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1);
	REQUIRE(a);
	struct rtm_rib *rib = rib_of(a);
	char other[32];
	RTM_ROUTE_HANDLE r1, r2;
	unsigned s = colliding_routes(a, other, sizeof(other), &r1, &r2);
	rt_dest_buf db;
	RTM_DEST_HANDLE d2 = dest_of(a, other, 24, &db);
	REQUIRE(d2 != NULL);

	/* An edit of r2 through its pointer, r2 never locked, r1 locked: the
	 * commit of r2 is refused and r1 stays locked. */
	PRTM_ROUTE_INFO p1 = NULL, p2 = NULL;
	CHECK_U(RtmGetRoutePointer(a, r2, &p2), NO_ERROR);
	REQUIRE(p2 != NULL);
	p2->PrefInfo.Metric = 9;
	CHECK_U(RtmLockRoute(a, r1, TRUE, TRUE, &p1), NO_ERROR);
	CHECK(!stripe_free(rib, s));
	DWORD fl = 99;
	CHECK_U(RtmUpdateAndUnlockRoute(a, r2, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_HANDLE);
	CHECK_U(fl, 99);
	CHECK_U(metric_of(a, r2), 1);
	CHECK(!stripe_free(rib, s));
	/* Nor does unlocking the other destination release r1's lock. */
	CHECK_U(RtmLockDestination(a, d2, TRUE, FALSE), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmLockRoute(a, r2, TRUE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	CHECK(!stripe_free(rib, s));
	CHECK_U(RtmLockRoute(a, r1, TRUE, FALSE, NULL), NO_ERROR);
	CHECK(stripe_free(rib, s));

	/* Both locked: the stripe is held until both are unlocked, and each
	 * unlocks once. */
	CHECK_U(RtmLockRoute(a, r1, TRUE, TRUE, &p1), NO_ERROR);
	CHECK_U(RtmLockRoute(a, r2, TRUE, TRUE, &p2), NO_ERROR);
	REQUIRE(p2 != NULL);
	p2->PrefInfo.Metric = 7;
	CHECK_U(RtmLockRoute(a, r1, TRUE, FALSE, NULL), NO_ERROR);
	CHECK_U(RtmLockRoute(a, r1, TRUE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	CHECK(!stripe_free(rib, s));
	CHECK_U(RtmUpdateAndUnlockRoute(a, r2, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_U(metric_of(a, r2), 7);
	CHECK(stripe_free(rib, s));
	CHECK_U(RtmLockRoute(a, r2, TRUE, FALSE, NULL), ERROR_INVALID_PARAMETER);

	/* A destination lock and a route lock on one stripe, released in the
	 * other order. */
	CHECK_U(RtmLockDestination(a, d2, FALSE, TRUE), NO_ERROR);
	CHECK_U(RtmLockRoute(a, r1, FALSE, TRUE, NULL), NO_ERROR);
	CHECK_U(RtmLockDestination(a, d2, FALSE, FALSE), NO_ERROR);
	CHECK(!stripe_free(rib, s));
	CHECK_U(RtmLockRoute(a, r1, FALSE, FALSE, NULL), NO_ERROR);
	CHECK(stripe_free(rib, s));

	/* Exclusive inside a shared hold of the stripe would deadlock, even for
	 * another object: refused, documented. */
	CHECK_U(RtmLockRoute(a, r1, FALSE, TRUE, NULL), NO_ERROR);
	CHECK_U(RtmLockRoute(a, r2, TRUE, TRUE, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmLockRoute(a, r2, TRUE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmLockRoute(a, r1, FALSE, FALSE, NULL), NO_ERROR);
	CHECK(stripe_free(rib, s));

	CHECK_U(RtmReleaseDestInfo(a, &db.info), NO_ERROR);
	RTM_ROUTE_HANDLE rs[2] = { r1, r2 };
	CHECK_U(RtmReleaseRoutes(a, 2, rs), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
}

/* Audit finding 3 for next hops. */
static void test_nexthop_stripe_collision(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1);
	REQUIRE(a);
	struct rtm_rib *rib = rib_of(a);
	RTM_NEXTHOP_HANDLE h1 = rt_nexthop(a, "10.0.0.1", 1), h2 = NULL;
	unsigned s = nexthop_stripe(h1);
	RTM_NEXTHOP_HANDLE all[300];
	unsigned n = 0;
	for (unsigned i = 2; i < 250 && !h2; i++) {
		char text[32];
		snprintf(text, sizeof(text), "10.0.1.%u", i);
		all[n] = rt_nexthop(a, text, 1);
		if (nexthop_stripe(all[n]) == s)
			h2 = all[n];
		n++;
	}
	REQUIRE(h2 != NULL);
	CHECK_U(RtmLockNextHop(a, h1, TRUE, TRUE, NULL), NO_ERROR);
	CHECK_U(RtmLockNextHop(a, h2, TRUE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	CHECK(!stripe_free(rib, s));
	CHECK_U(RtmLockNextHop(a, h2, FALSE, TRUE, NULL), NO_ERROR); /* nests */
	CHECK_U(RtmLockNextHop(a, h1, TRUE, FALSE, NULL), NO_ERROR);
	CHECK(!stripe_free(rib, s));
	CHECK_U(RtmLockNextHop(a, h1, TRUE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmLockNextHop(a, h2, FALSE, FALSE, NULL), NO_ERROR);
	CHECK(stripe_free(rib, s));
	CHECK_U(RtmReleaseNextHops(a, n, all), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(a, 1, &h1), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
}

/* Audit finding 2, on one thread: the owner holding its own lock may still
 * update and delete the next hop (no deadlock on its own stripe). */
static void test_owner_changes_under_own_lock(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1);
	REQUIRE(a);
	struct rtm_rib *rib = rib_of(a);
	RTM_NEXTHOP_HANDLE h = rt_nexthop(a, "10.0.0.1", 1);
	unsigned s = nexthop_stripe(h);
	PRTM_NEXTHOP_INFO p = NULL;
	CHECK_U(RtmLockNextHop(a, h, TRUE, TRUE, &p), NO_ERROR);
	REQUIRE(p != NULL);
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress = rt_addr("10.0.0.1", 32);
	ni.InterfaceIndex = 1;
	ni.EntitySpecificInfo = (PVOID)0x42;
	RTM_NEXTHOP_CHANGE_FLAGS fl = 99;
	RTM_NEXTHOP_HANDLE same = h;
	CHECK_U(RtmAddNextHop(a, &ni, &same, &fl), NO_ERROR);
	CHECK_U(fl, 0);
	CHECK(same == h && p->EntitySpecificInfo == (PVOID)0x42);
	/* By key, with a new reference. */
	RTM_NEXTHOP_HANDLE byk = NULL;
	ni.EntitySpecificInfo = (PVOID)0x43;
	CHECK_U(RtmAddNextHop(a, &ni, &byk, &fl), NO_ERROR);
	CHECK(byk == h && p->EntitySpecificInfo == (PVOID)0x43);
	CHECK_U(RtmReleaseNextHops(a, 1, &byk), NO_ERROR);
	CHECK_U(RtmDeleteNextHop(a, NULL, &ni), NO_ERROR);
	CHECK_U(p->State, RTM_NEXTHOP_STATE_DELETED);
	CHECK(!stripe_free(rib, s));
	CHECK_U(RtmLockNextHop(a, h, TRUE, FALSE, NULL), NO_ERROR);
	CHECK(stripe_free(rib, s));
	CHECK_U(RtmReleaseNextHops(a, 1, &h), NO_ERROR);
	CHECK_U(rt_stats(a).next_hops, 0);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
}

/* A thread holds at most 16 objects locked. */
static void test_too_many_locks(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1);
	REQUIRE(a);
	struct rtm_rib *rib = rib_of(a);
	RTM_NEXTHOP_HANDLE h[17];
	for (unsigned i = 0; i < 17; i++) {
		char text[32];
		snprintf(text, sizeof(text), "10.0.2.%u", i + 1);
		h[i] = rt_nexthop(a, text, 1);
	}
	for (unsigned i = 0; i < 16; i++)
		CHECK_U(RtmLockNextHop(a, h[i], FALSE, TRUE, NULL), NO_ERROR);
	CHECK_U(RtmLockNextHop(a, h[16], FALSE, TRUE, NULL), ERROR_NO_SYSTEM_RESOURCES);
	/* Another hold of one already held needs no new entry. */
	CHECK_U(RtmLockNextHop(a, h[0], FALSE, TRUE, NULL), NO_ERROR);
	CHECK_U(RtmLockNextHop(a, h[0], FALSE, FALSE, NULL), NO_ERROR);
	CHECK_U(RtmLockNextHop(a, h[16], FALSE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	for (unsigned i = 0; i < 16; i++)
		CHECK_U(RtmLockNextHop(a, h[i], FALSE, FALSE, NULL), NO_ERROR);
	for (unsigned i = 0; i < 17; i++)
		CHECK(stripe_free(rib, nexthop_stripe(h[i])));
	CHECK_U(RtmReleaseNextHops(a, 17, h), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
}

/* Any entity may lock a destination and a next hop: one that owns nothing
 * there (no route at the destination, not the next hop's owner) locks both,
 * shared and exclusive, and is never answered ERROR_ACCESS_DENIED (the SDK
 * reference lists it; rtmv2 has no owner to deny for).  Only the owner of a
 * next hop is given its pointer. */
static void test_non_owner_locks(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
	REQUIRE(a && b);
	struct rtm_rib *rib = rib_of(a);
	RTM_NEXTHOP_HANDLE h = rt_nexthop(a, "10.0.0.1", 1), hb = h;
	RTM_ROUTE_HANDLE r;
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, h, NULL, &r, NULL) ==
		NO_ERROR);
	rt_dest_buf db;
	RTM_DEST_HANDLE d = dest_of(b, "10.1.0.0", 16, &db); /* b's own reference */
	REQUIRE(d);
	CHECK_U(RtmReferenceHandles(b, 1, &hb), NO_ERROR);
	unsigned ds = prefix_stripe("10.1.0.0", 16), ns = nexthop_stripe(h);
	for (int exclusive = 0; exclusive < 2; exclusive++) {
		CHECK_U(RtmLockDestination(b, d, exclusive, TRUE), NO_ERROR);
		CHECK(!stripe_free(rib, ds));
		CHECK_U(RtmLockDestination(b, d, exclusive, FALSE), NO_ERROR);
		CHECK(stripe_free(rib, ds));
		PRTM_NEXTHOP_INFO p = (PRTM_NEXTHOP_INFO)0x1;
		CHECK_U(RtmLockNextHop(b, hb, exclusive, TRUE, &p), NO_ERROR);
		CHECK(p == (PRTM_NEXTHOP_INFO)0x1); /* not the owner: no pointer */
		CHECK(!stripe_free(rib, ns));
		CHECK_U(RtmLockNextHop(b, hb, exclusive, FALSE, NULL), NO_ERROR);
		CHECK(stripe_free(rib, ns));
	}
	/* The owner is given the pointer. */
	PRTM_NEXTHOP_INFO p = NULL;
	CHECK_U(RtmLockNextHop(a, h, TRUE, TRUE, &p), NO_ERROR);
	CHECK(p != NULL);
	CHECK_U(RtmLockNextHop(a, h, TRUE, FALSE, NULL), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(b, &db.info), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(b, 1, &hb), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(b), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
}

int main(void)
{
	RUN(test_invalid_input);
	RUN(test_nexthop_unlock_after_delete);
	RUN(test_route_unlock_after_delete);
	RUN(test_dest_unlock_after_delete);
	RUN(test_dest_unlock_after_release);
	RUN(test_route_stripe_collision);
	RUN(test_nexthop_stripe_collision);
	RUN(test_owner_changes_under_own_lock);
	RUN(test_too_many_locks);
	RUN(test_non_owner_locks);
	TEST_MAIN_END();
}
