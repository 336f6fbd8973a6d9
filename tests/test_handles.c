/*
 * test_handles.c — handles that cannot hurt (handle.c, rib.c, objects.c).
 *
 * A representative set of functions is fed NULL, garbage, stale,
 * double-released and wrong-kind handles: each must answer
 * ERROR_INVALID_HANDLE, change nothing, and never crash.  Then the
 * reference counting: RtmReferenceHandles keeps an object alive through one
 * release, and releasing empty arrays is fine.
 */
#include "rtmtest.h"

/* The world the tests run in: entity a (with a next hop, a route, a dest, a
 * list, an enumeration), b in the same table, c in another instance. */
struct world {
	RTM_ENTITY_HANDLE a, b, c;
	RTM_NEXTHOP_HANDLE nh;
	RTM_ROUTE_HANDLE route;
	RTM_DEST_HANDLE dest;
	RTM_ROUTE_LIST_HANDLE list;
	RTM_ENUM_HANDLE en;
	RTM_ROUTE_HANDLE c_route; /* c's route, in instance 1 */
	RTM_DEST_HANDLE c_dest;
	RTM_NEXTHOP_HANDLE c_nh;
};

static void world_make(struct world *w)
{
	memset(w, 0, sizeof(*w));
	w->a = rt_register(AF_INET, 1);
	w->b = rt_register(AF_INET, 2);
	REQUIRE(rt_register_ex(1, AF_INET, 1, 1, NULL, TRUE, NULL, &w->c, NULL) == NO_ERROR);
	w->nh = rt_nexthop(w->a, "10.0.0.1", 1);
	REQUIRE(rt_add_route(w->a, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, w->nh, NULL, &w->route,
			     NULL) == NO_ERROR);
	rt_route_buf rb;
	REQUIRE(rt_route_info(w->a, w->route, &rb) == NO_ERROR);
	w->dest = rb.info.DestHandle;
	RTM_DEST_HANDLE keep = w->dest;
	REQUIRE(RtmReferenceHandles(w->a, 1, &keep) == NO_ERROR);
	RtmReleaseRouteInfo(w->a, &rb.info);
	REQUIRE(RtmCreateRouteList(w->a, &w->list) == NO_ERROR);
	REQUIRE(RtmCreateRouteListEnum(w->a, w->list, &w->en) == NO_ERROR);
	w->c_nh = rt_nexthop(w->c, "10.0.0.1", 1);
	REQUIRE(rt_add_route(w->c, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, w->c_nh, NULL, &w->c_route,
			     NULL) == NO_ERROR);
	REQUIRE(rt_route_info(w->c, w->c_route, &rb) == NO_ERROR);
	w->c_dest = rb.info.DestHandle;
	keep = w->c_dest;
	REQUIRE(RtmReferenceHandles(w->c, 1, &keep) == NO_ERROR);
	RtmReleaseRouteInfo(w->c, &rb.info);
}

/* What any successful misuse would disturb: the counters, and the route's
 * information and best-route standing. */
struct snap {
	rtm_stats s;
	RTM_ROUTE_HANDLE best;
};

static struct snap world_snap(struct world *w)
{
	struct snap sn;
	sn.s = rt_stats(w->a);
	sn.best = rt_best(w->a, "10.1.0.0", 16, RTM_VIEW_MASK_UCAST);
	return sn;
}

static void world_check(struct world *w, const struct snap *before)
{
	struct snap now = world_snap(w);
	CHECK(memcmp(&now.s, &before->s, sizeof(now.s)) == 0);
	CHECK(now.best == before->best);
	if (!w->route)
		return;
	rt_route_buf rb;
	CHECK_U(rt_route_info(w->a, w->route, &rb), NO_ERROR);
	CHECK(rb.info.DestHandle == w->dest && rb.info.RouteOwner == w->a);
	CHECK_U(rb.info.State, RTM_ROUTE_STATE_CREATED);
	CHECK_U(RtmReleaseRouteInfo(w->a, &rb.info), NO_ERROR);
}

static void world_free(struct world *w)
{
	RtmReleaseRoutes(w->a, 1, &w->route);
	RtmReleaseNextHops(w->a, 1, &w->nh);
	RtmDeleteEnumHandle(w->a, w->en);
	RtmDeleteRouteList(w->a, w->list);
	RtmDeregisterEntity(w->a);
	RtmDeregisterEntity(w->b);
	RtmDeregisterEntity(w->c);
}

/* Every call below must reject h as a handle of its kind. */
static void expect_invalid_everywhere(struct world *w, HANDLE h, bool also_entity)
{
	rt_route_buf rb;
	rt_dest_buf db;
	RTM_NEXTHOP_INFO ni;
	RTM_ENTITY_INFO ei;
	RTM_VIEW_SET views;
	PRTM_ROUTE_INFO rp = NULL;
	PRTM_NEXTHOP_INFO np = NULL;
	PVOID *opaque = NULL;
	DWORD fl = 0;
	RTM_ENUM_HANDLE en = NULL;
	HANDLE arr[1] = { h };
	UINT n;
	struct snap before = world_snap(w);

	/* As the caller's own registration handle. */
	if (also_entity) {
		UINT cnt = 4;
		CHECK_U(RtmGetRegisteredEntities(h, &cnt, NULL, NULL), ERROR_INVALID_HANDLE);
		CHECK_U(RtmDeregisterEntity(h), ERROR_INVALID_HANDLE);
		CHECK_U(RtmGetRouteInfo(h, w->route, &rb.info, NULL), ERROR_INVALID_HANDLE);
		CHECK_U(RtmBlockMethods(h, NULL, 0, RTM_BLOCK_METHODS), ERROR_INVALID_HANDLE);
		CHECK_U(RtmReleaseRoutes(h, 1, &w->route), ERROR_INVALID_HANDLE);
		CHECK_U(RtmCreateRouteList(h, &w->list), ERROR_INVALID_HANDLE);
		rtm_stats s;
		CHECK_U(rtm_get_stats(h, &s), ERROR_INVALID_HANDLE);
		/* As another entity. */
		CHECK_U(RtmGetEntityInfo(w->a, h, &ei), ERROR_INVALID_HANDLE);
		n = 2;
		RTM_ENTITY_EXPORT_METHOD m[2];
		CHECK_U(RtmGetEntityMethods(w->a, h, &n, m), ERROR_INVALID_HANDLE);
		CHECK_U(RtmReleaseEntities(w->a, 1, arr), ERROR_INVALID_HANDLE);
	}
	/* As a route. */
	CHECK_U(RtmGetRouteInfo(w->a, h, &rb.info, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmIsBestRoute(w->a, h, &views), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteRouteToDest(w->a, h, &fl), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetRoutePointer(w->a, h, &rp), ERROR_INVALID_HANDLE);
	CHECK_U(RtmLockRoute(w->a, h, TRUE, TRUE, &rp), ERROR_INVALID_HANDLE);
	CHECK_U(RtmLockRoute(w->a, h, TRUE, FALSE, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmUpdateAndUnlockRoute(w->a, h, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseRoutes(w->a, 1, arr), ERROR_INVALID_HANDLE);
	CHECK_U(RtmInsertInRouteList(w->a, w->list, 1, arr), ERROR_INVALID_HANDLE);
	RTM_NET_ADDRESS d = rt_addr("10.1.0.0", 16);
	rt_route_fill(&rb.info, 1, 1, RTM_VIEW_MASK_UCAST, w->nh, NULL);
	RTM_ROUTE_HANDLE rh = h;
	fl = 0;
	if (h) /* a pointer to NULL asks for an add */
		CHECK_U(RtmAddRouteToDest(w->a, &rh, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl),
			ERROR_INVALID_HANDLE);
	/* As a destination. */
	CHECK_U(RtmGetDestInfo(w->a, h, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &db.info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetLessSpecificDestination(w->a, h, 0, RTM_VIEW_MASK_UCAST, &db.info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmHoldDestination(w->a, h, RTM_VIEW_MASK_UCAST, 100), ERROR_INVALID_HANDLE);
	CHECK_U(RtmLockDestination(w->a, h, TRUE, TRUE), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetOpaqueInformationPointer(w->a, h, (PVOID *)&opaque), ERROR_INVALID_HANDLE);
	memset(&db, 0, sizeof(db));
	db.info.DestHandle = h;
	CHECK_U(RtmReleaseDestInfo(w->a, &db.info), ERROR_INVALID_HANDLE);
	/* As a next hop. */
	CHECK_U(RtmGetNextHopInfo(w->a, h, &ni), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetNextHopPointer(w->a, h, &np), ERROR_INVALID_HANDLE);
	CHECK_U(RtmLockNextHop(w->a, h, TRUE, TRUE, &np), ERROR_INVALID_HANDLE);
	if (h) /* NULL handle and NULL info: a parameter error */
		CHECK_U(RtmDeleteNextHop(w->a, h, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseNextHops(w->a, 1, arr), ERROR_INVALID_HANDLE);
	if (h) { /* NULL: no next hop, no neighbour, no list — all valid */
		rt_route_fill(&rb.info, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL);
		rb.info.NextHopsList.NumNextHops = 1;
		rb.info.NextHopsList.NextHops[0] = h;
		fl = 0;
		CHECK_U(RtmAddRouteToDest(w->a, NULL, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl),
			ERROR_INVALID_HANDLE);
		rt_route_fill(&rb.info, 1, 1, RTM_VIEW_MASK_UCAST, w->nh, h);
		fl = 0;
		CHECK_U(RtmAddRouteToDest(w->a, NULL, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl),
			ERROR_INVALID_HANDLE);
		rt_route_fill(&rb.info, 1, 1, RTM_VIEW_MASK_UCAST, w->nh, NULL);
		fl = 0;
		CHECK_U(RtmAddRouteToDest(w->a, NULL, &d, &rb.info, INFINITE, h, 0, NULL, &fl),
			ERROR_INVALID_HANDLE);
		CHECK_U(RtmInsertInRouteList(w->a, h, 1, &w->route), ERROR_INVALID_HANDLE);
	}
	CHECK_U(RtmCreateRouteListEnum(w->a, h, &en), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteRouteList(w->a, h), ERROR_INVALID_HANDLE);
	RTM_ROUTE_HANDLE got[4];
	n = 4;
	CHECK_U(RtmGetListEnumRoutes(w->a, h, &n, got), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteEnumHandle(w->a, h), ERROR_INVALID_HANDLE);
	/* Any kind. */
	CHECK_U(RtmReferenceHandles(w->a, 1, arr), ERROR_INVALID_HANDLE);
	world_check(w, &before);
}

static void test_null_and_garbage(void)
{
	struct world w;
	world_make(&w);
	int on_stack = 5;
	HANDLE bad[] = {
		NULL,
		(HANDLE)0x12345,
		(HANDLE)-1,
		(HANDLE)&on_stack,
		(HANDLE)1,
		(HANDLE)(uintptr_t)0x8000000000000000ull,
		(HANDLE)(uintptr_t)0xFFFFFFFFFFFFFF00ull,
		(HANDLE)&test_null_and_garbage,
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_invalid_everywhere(&w, bad[i], true);
	world_free(&w);
}

/* Every handle value near a real one (one bit flipped) is either that same
 * object or invalid. */
static void test_bit_flips(void)
{
	struct world w;
	world_make(&w);
	HANDLE real[] = { w.route, w.dest, w.nh, w.list, w.en, w.a };
	for (unsigned k = 0; k < sizeof(real) / sizeof(real[0]); k++)
		for (unsigned bit = 0; bit < 64; bit++) {
			HANDLE h = (HANDLE)((uintptr_t)real[k] ^ ((uintptr_t)1 << bit));
			bool is_real = false;
			for (unsigned j = 0; j < sizeof(real) / sizeof(real[0]); j++)
				is_real |= h == real[j] || h == w.b || h == w.c || h == w.c_route ||
					   h == w.c_dest || h == w.c_nh;
			if (!is_real)
				expect_invalid_everywhere(&w, h, true);
		}
	world_free(&w);
}

static void test_wrong_kind(void)
{
	struct world w;
	world_make(&w);
	rt_route_buf rb;
	rt_dest_buf db;
	RTM_NEXTHOP_INFO ni;
	RTM_ENTITY_INFO ei;
	RTM_VIEW_SET views;
	DWORD fl;
	struct snap before = world_snap(&w);
	/* A route where a destination is expected, and the other way round. */
	CHECK_U(RtmGetDestInfo(w.a, w.route, 0, RTM_VIEW_MASK_UCAST, &db.info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmHoldDestination(w.a, w.route, RTM_VIEW_MASK_UCAST, 10), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetRouteInfo(w.a, w.dest, &rb.info, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteRouteToDest(w.a, w.dest, &fl), ERROR_INVALID_HANDLE);
	CHECK_U(RtmIsBestRoute(w.a, w.nh, &views), ERROR_INVALID_HANDLE);
	/* A next hop, list or enumeration where a route is expected. */
	CHECK_U(RtmGetRouteInfo(w.a, w.nh, &rb.info, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetRouteInfo(w.a, w.list, &rb.info, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseRoutes(w.a, 1, &w.en), ERROR_INVALID_HANDLE);
	/* Entities where objects are expected and objects where entities are. */
	CHECK_U(RtmGetRouteInfo(w.a, w.a, &rb.info, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetNextHopInfo(w.a, w.b, &ni), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEntityInfo(w.a, w.route, &ei), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetRegisteredEntities(w.nh, &(UINT){ 1 }, NULL, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterEntity(w.dest), ERROR_INVALID_HANDLE);
	/* A list where an enumeration is expected and vice versa. */
	RTM_ROUTE_HANDLE got[2];
	UINT n = 2;
	CHECK_U(RtmGetListEnumRoutes(w.a, w.list, &n, got), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteRouteList(w.a, w.en), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteEnumHandle(w.a, w.list), ERROR_INVALID_HANDLE);
	/* Handles of another instance: the same kinds, another table. */
	CHECK_U(RtmGetRouteInfo(w.a, w.c_route, &rb.info, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetDestInfo(w.a, w.c_dest, 0, RTM_VIEW_MASK_UCAST, &db.info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetNextHopInfo(w.a, w.c_nh, &ni), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteRouteToDest(w.a, w.c_route, &fl), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseRoutes(w.a, 1, &w.c_route), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReferenceHandles(w.a, 1, &w.c_dest), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEntityInfo(w.a, w.c, &ei), ERROR_INVALID_HANDLE);
	n = 2;
	RTM_ENTITY_EXPORT_METHOD m[2];
	CHECK_U(RtmGetEntityMethods(w.a, w.c, &n, m), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReferenceHandles(w.a, 1, &w.c), ERROR_INVALID_HANDLE);
	/* And the reverse: c's calls with a's handles. */
	CHECK_U(RtmGetRouteInfo(w.c, w.route, &rb.info, NULL), ERROR_INVALID_HANDLE);
	PVOID *slot = NULL;
	CHECK_U(RtmGetOpaqueInformationPointer(w.c, w.dest, (PVOID *)&slot), ERROR_INVALID_HANDLE);
	CHECK(slot == NULL);
	world_check(&w, &before);
	/* c's own handles still work. */
	CHECK_U(RtmGetRouteInfo(w.c, w.c_route, &rb.info, NULL), NO_ERROR);
	CHECK_U(RtmReleaseRouteInfo(w.c, &rb.info), NO_ERROR);
	world_free(&w);
}

static void test_stale(void)
{
	struct world w;
	world_make(&w);
	/* A next hop whose slot is freed and then reused by a new object. */
	RTM_NEXTHOP_HANDLE old = rt_nexthop(w.a, "10.0.0.99", 1);
	CHECK_U(RtmDeleteNextHop(w.a, old, NULL), NO_ERROR);
	RTM_NEXTHOP_HANDLE fresh = rt_nexthop(w.a, "10.0.0.99", 1);
	CHECK(fresh != old);
	RTM_NEXTHOP_INFO ni;
	CHECK_U(RtmGetNextHopInfo(w.a, fresh, &ni), NO_ERROR);
	RtmReleaseNextHopInfo(w.a, &ni);
	expect_invalid_everywhere(&w, old, false);
	/* The stale handle did not touch the new object. */
	CHECK_U(RtmGetNextHopInfo(w.a, fresh, &ni), NO_ERROR);
	CHECK_U(ni.State, RTM_NEXTHOP_STATE_CREATED);
	RtmReleaseNextHopInfo(w.a, &ni);
	CHECK_U(RtmReleaseNextHops(w.a, 1, &fresh), NO_ERROR);
	CHECK_U(RtmDeleteNextHop(w.a, NULL, &ni), NO_ERROR);

	/* A route deleted and released: its slot comes back for new routes. */
	RTM_ROUTE_HANDLE r;
	REQUIRE(rt_add_route(w.a, "10.2.0.0", 16, 1, 1, 1, w.nh, NULL, &r, NULL) == NO_ERROR);
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(w.a, r, &fl), NO_ERROR);
	expect_invalid_everywhere(&w, r, false);
	/* Churn until the slot is reused (the free list is FIFO). */
	bool reused = false;
	for (unsigned i = 0; i < 64 && !reused; i++) {
		RTM_ROUTE_HANDLE r2;
		REQUIRE(rt_add_route(w.a, "10.3.0.0", 16, 1, 1, 1, w.nh, NULL, &r2, NULL) == NO_ERROR);
		reused = ((uintptr_t)r2 & 0xFFFFFFFFFFull) == ((uintptr_t)r & 0xFFFFFFFFFFull);
		CHECK(r2 != r);
		expect_invalid_everywhere(&w, r, false);
		CHECK_U(RtmDeleteRouteToDest(w.a, r2, &fl), NO_ERROR);
	}
	CHECK(reused);

	/* An entity that deregistered: its handles and registration handle. */
	RTM_ENTITY_HANDLE gone = rt_register(AF_INET, 9);
	REQUIRE(gone);
	CHECK_U(RtmDeregisterEntity(gone), NO_ERROR);
	expect_invalid_everywhere(&w, gone, true);
	RTM_ENTITY_HANDLE again = rt_register(AF_INET, 9);
	CHECK(again != gone);
	expect_invalid_everywhere(&w, gone, true);
	RtmDeregisterEntity(again);
	world_free(&w);
}

static void test_double_release(void)
{
	struct world w;
	world_make(&w);
	/* A route handle. */
	RTM_ROUTE_HANDLE r2 = w.route;
	CHECK_U(RtmReferenceHandles(w.a, 1, &r2), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(w.a, 1, &r2), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(w.a, 1, &w.route), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(w.a, 1, &w.route), ERROR_INVALID_HANDLE);
	/* Released to zero, the route stays in the table. */
	CHECK(rt_best(w.a, "10.1.0.0", 16, RTM_VIEW_MASK_UCAST) == w.route);
	/* Next hops. */
	RTM_NEXTHOP_HANDLE nh = w.nh;
	CHECK_U(RtmReleaseNextHops(w.a, 1, &nh), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(w.a, 1, &nh), ERROR_INVALID_HANDLE);
	/* Entity handles: the registration is not a client reference. */
	RTM_ENTITY_HANDLE hs[2];
	UINT n = 2;
	REQUIRE(RtmGetRegisteredEntities(w.a, &n, hs, NULL) == NO_ERROR);
	CHECK_U(RtmReleaseEntities(w.a, 2, hs), NO_ERROR);
	CHECK_U(RtmReleaseEntities(w.a, 2, hs), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseEntities(w.a, 1, &hs[1]), ERROR_INVALID_HANDLE);
	/* A destination information structure without view info, released
	 * twice: the second release finds no reference of the caller's (the
	 * route's own hold on the destination is not one).  First drop the
	 * reference world_make took. */
	rt_dest_buf db;
	memset(&db, 0, sizeof(db));
	db.info.DestHandle = w.dest;
	CHECK_U(RtmReleaseDestInfo(w.a, &db.info), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(w.a, &db.info), ERROR_INVALID_HANDLE);
	RTM_NET_ADDRESS d = rt_addr("10.1.0.0", 16);
	REQUIRE(RtmGetExactMatchDestination(w.a, &d, 0, RTM_VIEW_MASK_ANY, &db.info) == NO_ERROR);
	CHECK_U(db.info.NumberOfViews, 0);
	CHECK(db.info.DestHandle == w.dest);
	CHECK_U(RtmReleaseDestInfo(w.a, &db.info), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(w.a, &db.info), ERROR_INVALID_HANDLE);
	/* The destination survives on its route; deleting the route frees it
	 * cleanly (a crash here is the bug this guards against). */
	RTM_ROUTE_HANDLE r = NULL;
	RTM_ROUTE_HANDLE best = rt_best(w.a, "10.1.0.0", 16, 1);
	REQUIRE(best == w.route);
	r = best;
	CHECK_U(RtmReferenceHandles(w.a, 1, &r), NO_ERROR);
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(w.a, r, &fl), NO_ERROR);
	rtm_stats s = rt_stats(w.a);
	CHECK_U(s.routes, 0);
	CHECK_U(s.dests, 0);
	/* Route information released twice. */
	REQUIRE(rt_add_route(w.a, "10.4.0.0", 16, 1, 1, 1, w.nh, NULL, &r, NULL) == NO_ERROR);
	rt_route_buf rb;
	REQUIRE(rt_route_info(w.a, r, &rb) == NO_ERROR);
	CHECK_U(RtmReleaseRouteInfo(w.a, &rb.info), NO_ERROR);
	CHECK_U(RtmReleaseRouteInfo(w.a, &rb.info), ERROR_INVALID_HANDLE);
	/* A deleted route in hold-down: double-releasing the last client
	 * reference must not free the held route. */
	RTM_DEST_HANDLE dest4 = rb.info.DestHandle;
	REQUIRE(rt_route_info(w.a, r, &rb) == NO_ERROR);
	CHECK_U(RtmHoldDestination(w.a, dest4, RTM_VIEW_MASK_UCAST, 60000), NO_ERROR);
	RTM_ROUTE_HANDLE extra = r;
	CHECK_U(RtmReferenceHandles(w.a, 1, &extra), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(w.a, r, &fl), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(w.a, 1, &extra), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(w.a, 1, &extra), ERROR_INVALID_HANDLE);
	RTM_NET_ADDRESS d4 = rt_addr("10.4.0.0", 16);
	CHECK_U(RtmGetExactMatchDestination(w.a, &d4, 0, RTM_VIEW_MASK_UCAST, &db.info), NO_ERROR);
	CHECK(RT_VIEW(&db.info, 0).HoldRoute == r);
	CHECK_U(RtmReleaseDestInfo(w.a, &db.info), NO_ERROR);
	CHECK_U(RtmReleaseRouteInfo(w.a, &rb.info), NO_ERROR);
	/* Reference the nexthop again for world_free. */
	w.nh = rt_nexthop(w.a, "10.0.0.1", 1);
	w.route = NULL;
	RtmDeregisterEntity(w.a);
	w.a = NULL;
	RtmDeregisterEntity(w.b);
	RtmDeregisterEntity(w.c);
}

static void test_reference_handles(void)
{
	struct world w;
	world_make(&w);
	struct snap before = world_snap(&w);
	CHECK_U(RtmReferenceHandles(w.a, 0, NULL), NO_ERROR);
	CHECK_U(RtmReferenceHandles(w.a, 1, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmReferenceHandles(NULL, 1, &w.route), ERROR_INVALID_HANDLE);
	/* One bad handle: none is referenced. */
	HANDLE mixed[3] = { w.route, (HANDLE)0x1234, w.nh };
	CHECK_U(RtmReferenceHandles(w.a, 3, mixed), ERROR_INVALID_HANDLE);
	RTM_ROUTE_HANDLE one = w.route;
	CHECK_U(RtmReleaseRoutes(w.a, 1, &one), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(w.a, 1, &one), ERROR_INVALID_HANDLE);
	/* A next hop outlives its deletion through an added reference. */
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(w.a, "10.9.9.9", 3);
	RTM_NEXTHOP_HANDLE ref = nh;
	CHECK_U(RtmReferenceHandles(w.a, 1, &ref), NO_ERROR);
	CHECK_U(RtmDeleteNextHop(w.a, nh, NULL), NO_ERROR);
	RTM_NEXTHOP_INFO ni;
	CHECK_U(RtmGetNextHopInfo(w.a, ref, &ni), NO_ERROR);
	CHECK_U(ni.State, RTM_NEXTHOP_STATE_DELETED);
	CHECK_U(ni.InterfaceIndex, 3);
	RtmReleaseNextHopInfo(w.a, &ni);
	CHECK_U(RtmReleaseNextHops(w.a, 1, &ref), NO_ERROR);
	CHECK_U(RtmGetNextHopInfo(w.a, ref, &ni), ERROR_INVALID_HANDLE);
	/* Mixed kinds in one call. */
	HANDLE kinds[4] = { w.dest, w.nh, w.a, w.list };
	CHECK_U(RtmReferenceHandles(w.a, 4, kinds), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(w.a, 1, &w.nh), NO_ERROR);
	CHECK_U(RtmReleaseEntities(w.a, 1, &w.a), NO_ERROR);
	rt_dest_buf db;
	memset(&db, 0, sizeof(db));
	db.info.DestHandle = w.dest;
	CHECK_U(RtmReleaseDestInfo(w.a, &db.info), NO_ERROR);
	/* A route outlives its deletion. */
	RTM_ROUTE_HANDLE r;
	REQUIRE(rt_add_route(w.a, "10.5.0.0", 16, 3, 4, 1, w.nh, NULL, &r, NULL) == NO_ERROR);
	RTM_ROUTE_HANDLE rref = r;
	CHECK_U(RtmReferenceHandles(w.a, 1, &rref), NO_ERROR);
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(w.a, r, &fl), NO_ERROR);
	rt_route_buf rb;
	CHECK_U(rt_route_info(w.a, rref, &rb), NO_ERROR);
	CHECK_U(rb.info.State, RTM_ROUTE_STATE_DELETED);
	CHECK_U(rb.info.PrefInfo.Metric, 4);
	CHECK_U(RtmReleaseRouteInfo(w.a, &rb.info), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(w.a, 1, &rref), NO_ERROR);
	CHECK_U(rt_route_info(w.a, rref, &rb), ERROR_INVALID_HANDLE);
	world_check(&w, &before);
	world_free(&w);
}

static void test_release_empty(void)
{
	struct world w;
	world_make(&w);
	struct snap before = world_snap(&w);
	CHECK_U(RtmReleaseRoutes(w.a, 0, NULL), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(w.a, 0, NULL), NO_ERROR);
	CHECK_U(RtmReleaseEntities(w.a, 0, NULL), NO_ERROR);
	CHECK_U(RtmReferenceHandles(w.a, 0, NULL), NO_ERROR);
	CHECK_U(RtmInsertInRouteList(w.a, w.list, 0, NULL), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(w.a, 1, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmReleaseNextHops(w.a, 1, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmReleaseEntities(w.a, 1, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmInsertInRouteList(w.a, w.list, 1, NULL), ERROR_INVALID_PARAMETER);
	/* A partly invalid array releases nothing. */
	RTM_ROUTE_HANDLE arr[2] = { w.route, (RTM_ROUTE_HANDLE)0x55 };
	CHECK_U(RtmReleaseRoutes(w.a, 2, arr), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseRoutes(w.a, 1, arr), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(w.a, 1, arr), ERROR_INVALID_HANDLE);
	w.route = NULL;
	before.s.handles = rt_stats(w.a).handles; /* unchanged: the route is still in the table */
	world_check(&w, &before);
	world_free(&w);
}

/* Releasing handles after their RIB was emptied and rebuilt. */
static void test_after_deactivation(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1);
	REQUIRE(a);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(a, "10.0.0.1", 1);
	RTM_ROUTE_HANDLE r;
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 1, 1, 1, nh, NULL, &r, NULL) == NO_ERROR);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
	RTM_ENTITY_HANDLE b = rt_register(AF_INET, 1);
	REQUIRE(b);
	rt_route_buf rb;
	CHECK_U(rt_route_info(b, r, &rb), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseRoutes(b, 1, &r), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseNextHops(b, 1, &nh), ERROR_INVALID_HANDLE);
	rtm_stats s = rt_stats(b);
	CHECK_U(s.routes, 0);
	CHECK_U(s.next_hops, 0);
	CHECK_U(s.handles, 0);
	RtmDeregisterEntity(b);
}

/* A handle listed k times in one release needs k client references: the
 * check pass counts the duplicates, and a call that asks for more than was
 * given is refused and releases nothing, not even its valid handles. */
static void test_duplicate_release(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
	REQUIRE(a && b);

	/* Entities.  hs holds one reference to a and one to b. */
	RTM_ENTITY_HANDLE hs[2];
	UINT n = 2;
	REQUIRE(RtmGetRegisteredEntities(a, &n, hs, NULL) == NO_ERROR && n == 2);
	REQUIRE(hs[0] == a && hs[1] == b);
	RTM_ENTITY_HANDLE bb[3] = { b, b, b };
	CHECK_U(RtmReleaseEntities(a, 2, bb), ERROR_INVALID_HANDLE);
	RTM_ENTITY_HANDLE abb[3] = { a, b, b };
	CHECK_U(RtmReleaseEntities(a, 3, abb), ERROR_INVALID_HANDLE);
	/* a's reference survived the refused call: releasing it works once. */
	CHECK_U(RtmReleaseEntities(a, 1, &hs[0]), NO_ERROR);
	CHECK_U(RtmReleaseEntities(a, 1, &hs[0]), ERROR_INVALID_HANDLE);
	/* Two references to b: listed three times is refused, twice is fine. */
	RTM_ENTITY_HANDLE more = b;
	CHECK_U(RtmReferenceHandles(a, 1, &more), NO_ERROR);
	CHECK_U(RtmReleaseEntities(a, 3, bb), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseEntities(a, 2, bb), NO_ERROR);
	CHECK_U(RtmReleaseEntities(a, 1, bb), ERROR_INVALID_HANDLE);
	/* One reference again; [b, b] is refused and the reference is kept: it
	 * keeps b's handle valid after b deregisters. */
	CHECK_U(RtmReferenceHandles(a, 1, &more), NO_ERROR);
	CHECK_U(RtmReleaseEntities(a, 2, bb), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterEntity(b), NO_ERROR);
	RTM_ENTITY_INFO ei;
	memset(&ei, 0, sizeof(ei));
	CHECK_U(RtmGetEntityInfo(a, b, &ei), NO_ERROR);
	CHECK_U(ei.EntityId.EntityProtocolId, 2);
	CHECK_U(RtmReleaseEntities(a, 1, bb), NO_ERROR);
	CHECK_U(RtmGetEntityInfo(a, b, &ei), ERROR_INVALID_HANDLE);

	/* Next hops: one reference, listed twice. */
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(a, "10.0.0.1", 1);
	RTM_NEXTHOP_HANDLE nn[2] = { nh, nh };
	CHECK_U(RtmReleaseNextHops(a, 2, nn), ERROR_INVALID_HANDLE);
	/* Deleted (by its address: the handle stays ours), the next hop lives
	 * on through the reference the refused call left alone. */
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress = rt_addr("10.0.0.1", 32);
	ni.InterfaceIndex = 1;
	CHECK_U(RtmDeleteNextHop(a, NULL, &ni), NO_ERROR);
	memset(&ni, 0, sizeof(ni));
	CHECK_U(RtmGetNextHopInfo(a, nh, &ni), NO_ERROR);
	CHECK_U(ni.State, RTM_NEXTHOP_STATE_DELETED);
	RTM_NET_ADDRESS want = rt_addr("10.0.0.1", 32);
	CHECK(rt_addr_eq(&ni.NextHopAddress, &want));
	CHECK_U(RtmReleaseNextHopInfo(a, &ni), NO_ERROR);
	CHECK_U(rt_stats(a).next_hops, 1);
	CHECK_U(RtmReleaseNextHops(a, 1, nn), NO_ERROR);
	CHECK_U(RtmGetNextHopInfo(a, nh, &ni), ERROR_INVALID_HANDLE);
	CHECK_U(rt_stats(a).next_hops, 0);

	/* Routes: two references, listed three times, then one listed twice. */
	RTM_ROUTE_HANDLE r;
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &r, NULL) ==
		NO_ERROR);
	RTM_ROUTE_HANDLE rr[3] = { r, r, r };
	RTM_ROUTE_HANDLE extra = r;
	CHECK_U(RtmReferenceHandles(a, 1, &extra), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(a, 3, rr), ERROR_INVALID_HANDLE);
	/* Deleting takes one reference away; one is left. */
	DWORD fl = 0;
	CHECK_U(RtmDeleteRouteToDest(a, r, &fl), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(a, 2, rr), ERROR_INVALID_HANDLE);
	rt_route_buf rb;
	CHECK_U(rt_route_info(a, r, &rb), NO_ERROR);
	CHECK_U(rb.info.PrefInfo.Preference, 1);
	CHECK_U(RtmReleaseRouteInfo(a, &rb.info), NO_ERROR);
	CHECK(rt_stats(a).handles > 0);
	CHECK_U(RtmReleaseRoutes(a, 1, rr), NO_ERROR);
	CHECK_U(rt_route_info(a, r, &rb), ERROR_INVALID_HANDLE);
	rtm_stats s = rt_stats(a);
	CHECK_U(s.routes, 0);
	CHECK_U(s.dests, 0);
	CHECK_U(s.handles, 0);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
}

/*
 * Releases of many destination informations at once claim the owners'
 * references a run of one owner at a time (rib.c).  The runs must add up
 * exactly, also when there are more runs than the release lists and when an
 * owner comes back in several runs; a refused release, whether a handle or
 * an owner's run fails, must leave every reference in place.
 */
static void test_release_owner_runs(void)
{
	enum { OWNERS = 5, DESTS = 24 };
	RTM_ENTITY_HANDLE v = rt_register(AF_INET, 99), e[OWNERS];
	for (unsigned k = 0; k < OWNERS; k++)
		e[k] = rt_register(AF_INET, 10 + k);
	/* Destination i, 10.i.0.0/16, is owned by e[(i / 2) % OWNERS]: runs of
	 * two, twelve runs, each owner in two or three of them. */
	for (unsigned i = 0; i < DESTS; i++) {
		char a[32];
		snprintf(a, sizeof(a), "10.%u.0.0", i);
		REQUIRE(rt_add_route(e[(i / 2) % OWNERS], a, 16, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL,
				     NULL, NULL) == NO_ERROR);
	}
	RTM_DEST_INFO infos[DESTS]; /* one view each */
	RTM_ENUM_HANDLE en;
	REQUIRE(RtmCreateDestEnum(v, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL,
				  &en) == NO_ERROR);
	UINT n = DESTS;
	REQUIRE(RtmGetEnumDests(v, en, &n, infos) == NO_ERROR);
	REQUIRE(n == DESTS);
	for (unsigned i = 0; i < DESTS; i++) {
		CHECK(infos[i].ViewInfo[0].Owner == e[(i / 2) % OWNERS]);
		CHECK(infos[i].ViewInfo[0].Route != NULL);
	}

	/* A garbage handle in the last information: nothing is released. */
	RTM_DEST_INFO bad[DESTS];
	memcpy(bad, infos, sizeof(bad));
	bad[DESTS - 1].DestHandle = (RTM_DEST_HANDLE)(uintptr_t)0x5a5a5a5a5a5a5a5aull;
	CHECK_U(RtmReleaseDests(v, DESTS, bad), ERROR_INVALID_HANDLE);

	/* e[1] short of one reference: its third run fails, nothing is released. */
	RTM_ENTITY_HANDLE one = e[1];
	CHECK_U(RtmReleaseEntities(v, 1, &one), NO_ERROR);
	CHECK_U(RtmReleaseDests(v, DESTS, infos), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReferenceHandles(v, 1, &one), NO_ERROR);

	/* Every reference is still there, exactly once. */
	CHECK_U(RtmReleaseDests(v, DESTS, infos), NO_ERROR);
	CHECK_U(RtmReleaseDests(v, 1, infos), ERROR_INVALID_HANDLE);
	for (unsigned k = 0; k < OWNERS; k++) {
		RTM_ENTITY_HANDLE h = e[k];
		CHECK_U(RtmReleaseEntities(v, 1, &h), ERROR_INVALID_HANDLE);
	}
	CHECK_U(RtmDeleteEnumHandle(v, en), NO_ERROR);
	/* And none is left over: with the owners gone, nothing remains, and
	 * no reference keeps an owner's handle valid. */
	for (unsigned k = 0; k < OWNERS; k++) {
		CHECK_U(RtmDeregisterEntity(e[k]), NO_ERROR);
		RTM_ENTITY_INFO ei;
		CHECK_U(RtmGetEntityInfo(v, e[k], &ei), ERROR_INVALID_HANDLE);
	}
	rtm_stats st = rt_stats(v);
	CHECK_U(st.dests, 0);
	CHECK_U(st.routes, 0);
	CHECK_U(st.handles, 0);
	CHECK_U(RtmDeregisterEntity(v), NO_ERROR);
}

/* No reference keeps e's handle valid any more. */
static bool entity_gone(RTM_ENTITY_HANDLE v, RTM_ENTITY_HANDLE e)
{
	RTM_ENTITY_INFO ei;
	return RtmGetEntityInfo(v, e, &ei) == ERROR_INVALID_HANDLE;
}

/*
 * Informations whose routes were deleted before the release: the release
 * frees the routes and destinations (its second pass) and must still drop
 * every owner's references, listed runs (3 owners) or found again (12).
 */
static void release_reaps_with_owners(unsigned owners)
{
	enum { DESTS = 24 };
	RTM_ENTITY_HANDLE v = rt_register(AF_INET, 99), e[16];
	REQUIRE(owners <= 16);
	for (unsigned k = 0; k < owners; k++)
		e[k] = rt_register(AF_INET, 10 + k);
	RTM_ROUTE_HANDLE r[DESTS];
	for (unsigned i = 0; i < DESTS; i++) {
		char a[32];
		snprintf(a, sizeof(a), "10.%u.0.0", i);
		REQUIRE(rt_add_route(e[i * owners / DESTS], a, 16, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL,
				     &r[i], NULL) == NO_ERROR);
	}
	RTM_DEST_INFO infos[DESTS];
	RTM_ENUM_HANDLE en;
	REQUIRE(RtmCreateDestEnum(v, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL,
				  &en) == NO_ERROR);
	UINT n = DESTS;
	REQUIRE(RtmGetEnumDests(v, en, &n, infos) == NO_ERROR && n == DESTS);
	for (unsigned i = 0; i < DESTS; i++)
		CHECK_U(RtmDeleteRouteToDest(e[i * owners / DESTS], r[i], NULL), NO_ERROR);
	CHECK_U(rt_stats(v).dests, DESTS); /* kept by the informations */
	CHECK_U(RtmReleaseDests(v, DESTS, infos), NO_ERROR);
	rtm_stats st = rt_stats(v);
	CHECK_U(st.dests, 0);
	CHECK_U(st.routes, 0);
	CHECK_U(RtmDeleteEnumHandle(v, en), NO_ERROR);
	for (unsigned k = 0; k < owners; k++) {
		CHECK_U(RtmDeregisterEntity(e[k]), NO_ERROR);
		CHECK(entity_gone(v, e[k]));
	}
	CHECK_U(rt_stats(v).handles, 0);
	CHECK_U(RtmDeregisterEntity(v), NO_ERROR);
}

static void test_release_reaps_listed_owners(void)
{
	release_reaps_with_owners(3);
}

static void test_release_reaps_many_owners(void)
{
	release_reaps_with_owners(12);
}

/* A release of many informations is all or nothing as a whole: 70 of them
 * (280 handles) with a bad one last release none. */
static void test_release_infos_all_or_nothing(void)
{
	enum { DESTS = 70 };
	RTM_ENTITY_HANDLE v = rt_register(AF_INET, 99);
	RTM_DEST_INFO infos[DESTS], bad[DESTS];
	for (unsigned i = 0; i < DESTS; i++) {
		char a[32];
		snprintf(a, sizeof(a), "10.%u.0.0", i);
		REQUIRE(rt_add_route(v, a, 16, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL, NULL) ==
			NO_ERROR);
		RTM_NET_ADDRESS ad = rt_addr(a, 16);
		REQUIRE(RtmGetExactMatchDestination(v, &ad, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST,
						    &infos[i]) == NO_ERROR);
	}
	memcpy(bad, infos, sizeof(bad));
	bad[DESTS - 1].ViewInfo[0].Route = (RTM_ROUTE_HANDLE)(uintptr_t)0x5a5a5a5a5a5a5a5aull;
	CHECK_U(RtmReleaseDests(v, DESTS, bad), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseDests(v, DESTS, infos), NO_ERROR);
	CHECK_U(RtmReleaseDests(v, 1, infos), ERROR_INVALID_HANDLE);
	/* The owner (v itself) kept no reference from the refused call. */
	RTM_ENTITY_HANDLE owner = infos[0].ViewInfo[0].Owner;
	CHECK_U(RtmReleaseEntities(v, 1, &owner), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterEntity(v), NO_ERROR);
}

/* Entity handles in runs: a NULL inside a run, a run that comes back after
 * another entity's, each short of references in turn. */
static void test_release_entity_runs_edges(void)
{
	RTM_ENTITY_HANDLE v = rt_register(AF_INET, 99);
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
	RTM_ENTITY_HANDLE aab[3] = { a, a, b };
	CHECK_U(RtmReferenceHandles(v, 3, aab), NO_ERROR); /* a: 2, b: 1 */
	RTM_ENTITY_HANDLE a_null_a[3] = { a, NULL, a };
	CHECK_U(RtmReleaseEntities(v, 3, a_null_a), ERROR_INVALID_HANDLE); /* NULL is no entity */
	RTM_ENTITY_HANDLE abaa[4] = { a, b, a, a };                         /* a needs 3 */
	CHECK_U(RtmReleaseEntities(v, 4, abaa), ERROR_INVALID_HANDLE);
	RTM_ENTITY_HANDLE abb[3] = { a, b, b }; /* b needs 2 */
	CHECK_U(RtmReleaseEntities(v, 3, abb), ERROR_INVALID_HANDLE);
	RTM_ENTITY_HANDLE aba[3] = { a, b, a };
	CHECK_U(RtmReleaseEntities(v, 3, aba), NO_ERROR);
	CHECK_U(RtmReleaseEntities(v, 1, &a), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseEntities(v, 1, &b), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(b), NO_ERROR);
	CHECK(entity_gone(v, a));
	CHECK(entity_gone(v, b));
	CHECK_U(RtmDeregisterEntity(v), NO_ERROR);
}

int main(void)
{
	RUN(test_null_and_garbage);
	RUN(test_bit_flips);
	RUN(test_wrong_kind);
	RUN(test_stale);
	RUN(test_double_release);
	RUN(test_reference_handles);
	RUN(test_release_empty);
	RUN(test_duplicate_release);
	RUN(test_release_owner_runs);
	RUN(test_release_reaps_listed_owners);
	RUN(test_release_reaps_many_owners);
	RUN(test_release_infos_all_or_nothing);
	RUN(test_release_entity_runs_edges);
	RUN(test_after_deactivation);
	TEST_MAIN_END();
}
