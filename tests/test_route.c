/*
 * test_route.c — routes (route.c): RtmAddRouteToDest's identity rules,
 * handle forms, validation and change flags; RtmDeleteRouteToDest;
 * RtmGetRouteInfo; in-place access (RtmGetRoutePointer, RtmLockRoute,
 * RtmUpdateAndUnlockRoute); RtmIsBestRoute; RtmGetExactMatchRoute.
 */
#include "rtmtest.h"

/* Two entities of one table, each with two next hops. */
struct env {
	RTM_ENTITY_HANDLE a, b;
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_HANDLE a1, a2, b1, b2;
};

static void env_make(struct env *v)
{
	memset(v, 0, sizeof(*v));
	REQUIRE(rt_register_ex(0, AF_INET, 10, 1, NULL, FALSE, NULL, &v->a, &v->prof) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 20, 1, NULL, FALSE, NULL, &v->b, NULL) == NO_ERROR);
	v->a1 = rt_nexthop(v->a, "192.0.2.1", 1);
	v->a2 = rt_nexthop(v->a, "192.0.2.2", 2);
	v->b1 = rt_nexthop(v->b, "198.51.100.1", 3);
	v->b2 = rt_nexthop(v->b, "198.51.100.2", 4);
}

static void env_free(struct env *v)
{
	RTM_NEXTHOP_HANDLE ah[2] = { v->a1, v->a2 }, bh[2] = { v->b1, v->b2 };
	CHECK_U(RtmReleaseNextHops(v->a, 2, ah), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(v->b, 2, bh), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(v->a), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(v->b), NO_ERROR);
}

/* RtmAddRouteToDest with everything spelled out. */
static DWORD add(RTM_ENTITY_HANDLE e, RTM_ROUTE_HANDLE *h, const char *dest, unsigned len, ULONG pref,
		 ULONG metric, RTM_VIEW_SET views, RTM_NEXTHOP_HANDLE nh, RTM_NEXTHOP_HANDLE neighbour,
		 DWORD flags_in, DWORD *flags_out)
{
	RTM_NET_ADDRESS a = rt_addr(dest, len);
	rt_route_buf rb;
	rt_route_fill(&rb.info, pref, metric, views, nh, neighbour);
	DWORD fl = flags_in;
	DWORD rc = RtmAddRouteToDest(e, h, &a, &rb.info, INFINITE, NULL, 0, NULL, &fl);
	if (flags_out)
		*flags_out = fl;
	return rc;
}

static void test_add_invalid(void)
{
	struct env v;
	env_make(&v);
	RTM_NET_ADDRESS d = rt_addr("10.1.0.0", 16);
	rt_route_buf rb;
	DWORD fl = 0;
	RTM_ROUTE_HANDLE h = NULL;
	rt_route_fill(&rb.info, 1, 1, RTM_VIEW_MASK_UCAST, v.a1, NULL);
	CHECK_U(RtmAddRouteToDest(NULL, &h, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_HANDLE);
	CHECK_U(RtmAddRouteToDest(v.a, &h, &d, NULL, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmAddRouteToDest(v.a, &h, &d, &rb.info, INFINITE, NULL, 0, NULL, NULL), ERROR_INVALID_PARAMETER);
	/* TimeToLive 0 is refused (INFINITE means never). */
	CHECK_U(RtmAddRouteToDest(v.a, &h, &d, &rb.info, 0, NULL, 0, NULL, &fl), ERROR_INVALID_PARAMETER);
	/* The reserved notification arguments must be 0 / NULL. */
	CHECK_U(RtmAddRouteToDest(v.a, &h, &d, &rb.info, INFINITE, NULL, RTM_CHANGE_TYPE_BEST, NULL, &fl),
		ERROR_INVALID_PARAMETER);
	CHECK_U(RtmAddRouteToDest(v.a, &h, &d, &rb.info, INFINITE, NULL, 0, (RTM_NOTIFY_HANDLE)0x10, &fl),
		ERROR_INVALID_PARAMETER);
	/* Input change flags other than FIRST and NEW. */
	fl = RTM_ROUTE_CHANGE_BEST;
	CHECK_U(RtmAddRouteToDest(v.a, &h, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_PARAMETER);
	CHECK_U(fl, RTM_ROUTE_CHANGE_BEST);
	fl = 0;
	/* Views the table does not support. */
	rb.info.BelongsToViews = 0x4;
	CHECK_U(RtmAddRouteToDest(v.a, &h, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_PARAMETER);
	rb.info.BelongsToViews = RTM_VIEW_MASK_ALL;
	CHECK_U(RtmAddRouteToDest(v.a, &h, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_PARAMETER);
	rb.info.BelongsToViews = RTM_VIEW_MASK_UCAST;
	/* More next hops than MaxNextHopsInRoute. */
	REQUIRE(v.prof.MaxNextHopsInRoute == 8);
	rb.info.NextHopsList.NumNextHops = 9;
	for (unsigned i = 0; i < 9; i++)
		(&rb.info.NextHopsList.NextHops[0])[i] = v.a1;
	CHECK_U(RtmAddRouteToDest(v.a, &h, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_PARAMETER);
	/* Next hops that are not the caller's, or not next hops. */
	rt_route_fill(&rb.info, 1, 1, RTM_VIEW_MASK_UCAST, v.b1, NULL);
	CHECK_U(RtmAddRouteToDest(v.a, &h, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), ERROR_ACCESS_DENIED);
	rt_route_fill(&rb.info, 1, 1, RTM_VIEW_MASK_UCAST, (RTM_NEXTHOP_HANDLE)0x77, NULL);
	CHECK_U(RtmAddRouteToDest(v.a, &h, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_HANDLE);
	rt_route_fill(&rb.info, 1, 1, RTM_VIEW_MASK_UCAST, v.a1, (RTM_NEXTHOP_HANDLE)0x77);
	CHECK_U(RtmAddRouteToDest(v.a, &h, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_HANDLE);
	rt_route_fill(&rb.info, 1, 1, RTM_VIEW_MASK_UCAST, v.a1, NULL);
	CHECK_U(RtmAddRouteToDest(v.a, &h, &d, &rb.info, INFINITE, (RTM_ROUTE_LIST_HANDLE)0x99, 0, NULL, &fl),
		ERROR_INVALID_HANDLE);
	/* A route handle that names nothing. */
	h = (RTM_ROUTE_HANDLE)0x4321;
	CHECK_U(RtmAddRouteToDest(v.a, &h, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_HANDLE);
	CHECK(h == (RTM_ROUTE_HANDLE)0x4321);
	CHECK_U(fl, 0);
	rtm_stats s = rt_stats(v.a);
	CHECK_U(s.routes, 0);
	CHECK_U(s.dests, 0);

	/* With a route handle: only the owner, and only for its destination. */
	RTM_ROUTE_HANDLE ra = NULL;
	REQUIRE(add(v.a, &ra, "10.1.0.0", 16, 1, 1, 1, v.a1, NULL, 0, NULL) == NO_ERROR);
	rt_route_fill(&rb.info, 1, 1, RTM_VIEW_MASK_UCAST, v.b1, NULL);
	CHECK_U(RtmAddRouteToDest(v.b, &ra, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), ERROR_ACCESS_DENIED);
	RTM_NET_ADDRESS other = rt_addr("10.2.0.0", 16);
	rt_route_fill(&rb.info, 1, 1, RTM_VIEW_MASK_UCAST, v.a1, NULL);
	CHECK_U(RtmAddRouteToDest(v.a, &ra, &other, &rb.info, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_PARAMETER);
	other = rt_addr("10.1.0.0", 24);
	CHECK_U(RtmAddRouteToDest(v.a, &ra, &other, &rb.info, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_PARAMETER);
	s = rt_stats(v.a);
	CHECK_U(s.routes, 1);
	CHECK_U(s.dests, 1);
	RtmReleaseRoutes(v.a, 1, &ra);
	env_free(&v);
}

static void test_add_new_and_info(void)
{
	struct env v;
	env_make(&v);
	RTM_NET_ADDRESS d = rt_addr("10.1.0.0", 16);
	rt_route_buf rb;
	rt_route_fill(&rb.info, 7, 11, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST, NULL, v.a2);
	rb.info.Flags = RTM_ROUTE_FLAGS_REMOTE;
	rb.info.Flags1 = 0x5;
	rb.info.EntitySpecificInfo = (PVOID)0xfeed;
	rb.info.NextHopsList.NumNextHops = 3;
	RTM_NEXTHOP_HANDLE a3 = rt_nexthop(v.a, "192.0.2.3", 1);
	rb.info.NextHopsList.NextHops[0] = v.a2;
	(&rb.info.NextHopsList.NextHops[0])[1] = v.a1;
	(&rb.info.NextHopsList.NextHops[0])[2] = a3;
	/* Fields the RTM sets itself. */
	rb.info.DestHandle = (RTM_DEST_HANDLE)0x1;
	rb.info.RouteOwner = v.b;
	rb.info.State = RTM_ROUTE_STATE_DELETED;
	RTM_ROUTE_HANDLE h = NULL;
	DWORD fl = 0;
	CHECK_U(RtmAddRouteToDest(v.a, &h, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	REQUIRE(h != NULL);

	rt_route_buf got;
	RTM_NET_ADDRESS da;
	memset(&got, 0xCC, sizeof(got));
	CHECK_U(RtmGetRouteInfo(v.a, h, &got.info, &da), NO_ERROR);
	CHECK(rt_addr_eq(&da, &d));
	CHECK(got.info.DestHandle != NULL && got.info.DestHandle != (RTM_DEST_HANDLE)0x1);
	CHECK(got.info.RouteOwner == v.a);
	CHECK(got.info.Neighbour == v.a2);
	CHECK_U(got.info.State, RTM_ROUTE_STATE_CREATED);
	CHECK_U(got.info.Flags1, 0x5);
	CHECK_U(got.info.Flags, RTM_ROUTE_FLAGS_REMOTE);
	CHECK_U(got.info.PrefInfo.Preference, 7);
	CHECK_U(got.info.PrefInfo.Metric, 11);
	CHECK_U(got.info.BelongsToViews, 3);
	CHECK(got.info.EntitySpecificInfo == (PVOID)0xfeed);
	CHECK_U(got.info.NextHopsList.NumNextHops, 3);
	RTM_NEXTHOP_HANDLE *hops = &got.info.NextHopsList.NextHops[0];
	CHECK(hops[0] == v.a2 && hops[1] == v.a1 && hops[2] == a3);
	/* The destination handle in it names the destination. */
	rt_dest_buf db;
	CHECK_U(RtmGetDestInfo(v.b, got.info.DestHandle, 0, RTM_VIEW_MASK_UCAST, &db.info), NO_ERROR);
	CHECK(rt_addr_eq(&db.info.DestAddress, &d));
	CHECK(RT_VIEW(&db.info, 0).Route == h);
	RtmReleaseDestInfo(v.b, &db.info);
	/* Only what is wanted. */
	CHECK_U(RtmGetRouteInfo(v.a, h, NULL, NULL), NO_ERROR);
	memset(&da, 0, sizeof(da));
	CHECK_U(RtmGetRouteInfo(v.b, h, NULL, &da), NO_ERROR);
	CHECK(rt_addr_eq(&da, &d));
	/* Every handle in the information is referenced: released once, not twice. */
	CHECK_U(RtmReleaseRouteInfo(v.a, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmReleaseRouteInfo(NULL, &got.info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseRouteInfo(v.a, &got.info), NO_ERROR);
	CHECK_U(RtmReleaseRouteInfo(v.a, &got.info), ERROR_INVALID_HANDLE);
	/* An information structure with a garbage handle releases nothing. */
	CHECK_U(RtmGetRouteInfo(v.b, h, &got.info, NULL), NO_ERROR);
	rt_route_buf bad = got;
	(&bad.info.NextHopsList.NextHops[0])[2] = (RTM_NEXTHOP_HANDLE)0x3;
	CHECK_U(RtmReleaseRouteInfo(v.b, &bad.info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseRouteInfo(v.b, &got.info), NO_ERROR);
	RtmReleaseRoutes(v.a, 1, &h);
	RtmReleaseNextHops(v.a, 1, &a3);
	env_free(&v);
}

static void test_identity(void)
{
	struct env v;
	env_make(&v);
	RTM_ROUTE_HANDLE r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL, r5 = NULL;
	DWORD fl;
	/* (owner, neighbour) names a route: the same pair updates it. */
	CHECK_U(add(v.a, &r1, "10.1.0.0", 16, 5, 5, 1, v.a1, v.a1, 0, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	CHECK_U(add(v.a, &r2, "10.1.0.0", 16, 5, 6, 1, v.a1, v.a1, 0, &fl), NO_ERROR);
	CHECK(r2 == r1);
	CHECK_U(fl, RTM_ROUTE_CHANGE_BEST); /* updated, still the best */
	CHECK_U(rt_stats(v.a).routes, 1);
	/* Another neighbour: another route. */
	CHECK_U(add(v.a, &r3, "10.1.0.0", 16, 9, 9, 1, v.a2, v.a2, 0, &fl), NO_ERROR);
	CHECK(r3 != r1);
	CHECK_U(fl, RTM_ROUTE_CHANGE_NEW);
	/* Another owner with the same neighbour value: another route. */
	CHECK_U(add(v.b, &r4, "10.1.0.0", 16, 9, 9, 1, v.b1, NULL, 0, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_NEW);
	CHECK_U(rt_stats(v.a).routes, 3);
	/* RTM_ROUTE_CHANGE_FIRST ignores the neighbour: the caller's first
	 * (best) route there is updated, neighbour included. */
	CHECK_U(add(v.a, &r5, "10.1.0.0", 16, 5, 7, 1, v.a1, NULL, RTM_ROUTE_CHANGE_FIRST, &fl), NO_ERROR);
	CHECK(r5 == r1);
	CHECK_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK_U(rt_stats(v.a).routes, 3);
	rt_route_buf rb;
	REQUIRE(rt_route_info(v.a, r1, &rb) == NO_ERROR);
	CHECK(rb.info.Neighbour == NULL);
	CHECK_U(rb.info.PrefInfo.Metric, 7);
	RtmReleaseRouteInfo(v.a, &rb.info);
	/* With FIRST and no route of the caller there yet: a new route. */
	RTM_ROUTE_HANDLE r6 = NULL;
	CHECK_U(add(v.a, &r6, "10.9.0.0", 16, 5, 7, 1, v.a1, v.a2, RTM_ROUTE_CHANGE_FIRST, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	/* RTM_ROUTE_CHANGE_NEW on input always adds. */
	RTM_ROUTE_HANDLE r7 = NULL;
	CHECK_U(add(v.a, &r7, "10.1.0.0", 16, 5, 7, 1, v.a1, NULL, RTM_ROUTE_CHANGE_NEW, &fl), NO_ERROR);
	CHECK(r7 != r1);
	CHECK(fl & RTM_ROUTE_CHANGE_NEW);
	CHECK_U(rt_stats(v.a).routes, 5);
	/* Two identical routes now; an update without a handle takes the first. */
	RTM_ROUTE_HANDLE r8 = NULL;
	CHECK_U(add(v.a, &r8, "10.1.0.0", 16, 5, 8, 1, v.a1, NULL, 0, &fl), NO_ERROR);
	CHECK(r8 == r1 || r8 == r7);
	CHECK_U(rt_stats(v.a).routes, 5);
	RTM_ROUTE_HANDLE all[8] = { r1, r2, r3, r4, r5, r6, r7, r8 };
	CHECK_U(RtmReleaseRoutes(v.a, 8, all), NO_ERROR);
	env_free(&v);
}

static void test_handle_forms(void)
{
	struct env v;
	env_make(&v);
	DWORD fl;
	/* NULL: added, no handle. */
	CHECK_U(add(v.a, NULL, "10.1.0.0", 16, 5, 5, 1, v.a1, NULL, 0, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	CHECK_U(rt_stats(v.a).routes, 1);
	/* A pointer to NULL: the same route (found by owner and neighbour), its handle. */
	RTM_ROUTE_HANDLE h = NULL;
	CHECK_U(add(v.a, &h, "10.1.0.0", 16, 5, 9, 1, v.a1, NULL, 0, &fl), NO_ERROR);
	REQUIRE(h != NULL);
	CHECK_U(fl & RTM_ROUTE_CHANGE_NEW, 0);
	CHECK(rt_best(v.a, "10.1.0.0", 16, 1) == h);
	/* A pointer to a handle: that route is updated, even with another
	 * neighbour in the information; the handle is left as it was. */
	RTM_ROUTE_HANDLE same = h;
	CHECK_U(add(v.a, &same, "10.1.0.0", 16, 3, 3, 1, v.a2, v.a2, 0, &fl), NO_ERROR);
	CHECK(same == h);
	CHECK_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK_U(rt_stats(v.a).routes, 1);
	rt_route_buf rb;
	REQUIRE(rt_route_info(v.a, h, &rb) == NO_ERROR);
	CHECK(rb.info.Neighbour == v.a2);
	CHECK_U(rb.info.PrefInfo.Preference, 3);
	CHECK(rb.info.NextHopsList.NextHops[0] == v.a2);
	RtmReleaseRouteInfo(v.a, &rb.info);
	/* The handle from the pointer-to-NULL form holds one reference. */
	CHECK_U(RtmReleaseRoutes(v.a, 1, &h), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(v.a, 1, &h), ERROR_INVALID_HANDLE);
	env_free(&v);
}

static void test_change_flags_best(void)
{
	struct env v;
	env_make(&v);
	RTM_ROUTE_HANDLE ra = NULL, rb_ = NULL, tmp;
	DWORD fl;
	CHECK_U(add(v.a, &ra, "10.1.0.0", 16, 10, 1, 1, v.a1, NULL, 0, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	/* A worse route: new, not best, the best unchanged. */
	CHECK_U(add(v.b, &rb_, "10.1.0.0", 16, 20, 1, 1, v.b1, NULL, 0, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_NEW);
	CHECK(rt_best(v.a, "10.1.0.0", 16, 1) == ra);
	/* A change of the worse route that keeps it worse: nothing. */
	tmp = rb_;
	CHECK_U(add(v.b, &tmp, "10.1.0.0", 16, 15, 1, 1, v.b1, NULL, 0, &fl), NO_ERROR);
	CHECK_U(fl, 0);
	/* Now better: best. */
	CHECK_U(add(v.b, &tmp, "10.1.0.0", 16, 5, 1, 1, v.b1, NULL, 0, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK(rt_best(v.a, "10.1.0.0", 16, 1) == rb_);
	/* The old best changes but stays second: nothing. */
	tmp = ra;
	CHECK_U(add(v.a, &tmp, "10.1.0.0", 16, 10, 2, 1, v.a1, NULL, 0, &fl), NO_ERROR);
	CHECK_U(fl, 0);
	/* Equal preference, lower metric wins. */
	CHECK_U(add(v.a, &tmp, "10.1.0.0", 16, 5, 0, 1, v.a1, NULL, 0, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK(rt_best(v.a, "10.1.0.0", 16, 1) == ra);
	/* Deleting a route that is not the best: no best change. */
	DWORD dfl = 99;
	RTM_ROUTE_HANDLE extra = rb_;
	CHECK_U(RtmReferenceHandles(v.b, 1, &extra), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(v.b, rb_, &dfl), NO_ERROR);
	CHECK_U(dfl, 0);
	/* Deleting the best with nothing left: the best changed (to none). */
	dfl = 99;
	CHECK_U(RtmDeleteRouteToDest(v.a, ra, &dfl), NO_ERROR);
	CHECK_U(dfl, RTM_ROUTE_CHANGE_BEST);
	CHECK(rt_best(v.a, "10.1.0.0", 16, 1) == NULL);
	/* The destination is gone for queries, though the deleted route that b
	 * still holds keeps it allocated. */
	RTM_NET_ADDRESS d = rt_addr("10.1.0.0", 16);
	rt_dest_buf db;
	CHECK_U(RtmGetExactMatchDestination(v.a, &d, 0, 1, &db.info), ERROR_NOT_FOUND);
	CHECK_U(rt_stats(v.a).dests, 1);
	/* The deleted route is still readable through the other reference. */
	rt_route_buf rb;
	CHECK_U(rt_route_info(v.b, extra, &rb), NO_ERROR);
	CHECK_U(rb.info.State, RTM_ROUTE_STATE_DELETED);
	CHECK_U(rb.info.PrefInfo.Preference, 5);
	CHECK(rb.info.RouteOwner == v.b);
	RtmReleaseRouteInfo(v.b, &rb.info);
	RtmReleaseRoutes(v.b, 1, &extra);
	rtm_stats s = rt_stats(v.a);
	CHECK_U(s.dests, 0);
	CHECK_U(s.routes, 0);
	env_free(&v);
}

static void test_delete(void)
{
	struct env v;
	env_make(&v);
	RTM_ROUTE_HANDLE r = NULL, r2 = NULL;
	DWORD fl;
	REQUIRE(add(v.a, &r, "10.1.0.0", 16, 10, 1, 1, v.a1, NULL, 0, NULL) == NO_ERROR);
	REQUIRE(add(v.a, &r2, "10.1.0.0", 16, 20, 1, 1, v.a2, v.a2, 0, NULL) == NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(NULL, r, &fl), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteRouteToDest(v.a, NULL, &fl), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteRouteToDest(v.a, v.a1, &fl), ERROR_INVALID_HANDLE);
	/* Only the owner deletes. */
	RTM_ROUTE_HANDLE theirs = r;
	CHECK_U(RtmReferenceHandles(v.b, 1, &theirs), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(v.b, theirs, &fl), ERROR_ACCESS_DENIED);
	CHECK_U(rt_stats(v.a).routes, 2);
	/* The owner's delete consumes its handle; b's reference keeps the route readable. */
	fl = 99;
	CHECK_U(RtmDeleteRouteToDest(v.a, r, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK_U(rt_stats(v.a).routes, 2); /* counted until freed */
	CHECK(rt_best(v.a, "10.1.0.0", 16, 1) == r2);
	rt_route_buf rb;
	CHECK_U(rt_route_info(v.b, theirs, &rb), NO_ERROR);
	CHECK_U(rb.info.State, RTM_ROUTE_STATE_DELETED);
	CHECK(rb.info.RouteOwner == v.a);
	RTM_NET_ADDRESS da, want = rt_addr("10.1.0.0", 16);
	CHECK_U(RtmGetRouteInfo(v.b, theirs, NULL, &da), NO_ERROR);
	CHECK(rt_addr_eq(&da, &want));
	RtmReleaseRouteInfo(v.b, &rb.info);
	/* A deleted route is best nowhere and cannot be deleted or updated again. */
	RTM_VIEW_SET views = 99;
	CHECK_U(RtmIsBestRoute(v.b, theirs, &views), NO_ERROR);
	CHECK_U(views, 0);
	RTM_ROUTE_HANDLE mine = theirs;
	CHECK_U(RtmReferenceHandles(v.a, 1, &mine), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(v.a, mine, &fl), ERROR_NOT_FOUND);
	CHECK_U(add(v.a, &mine, "10.1.0.0", 16, 10, 1, 1, v.a1, NULL, 0, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseRoutes(v.a, 1, &mine), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(v.b, 1, &theirs), NO_ERROR);
	CHECK_U(rt_stats(v.a).routes, 1);
	CHECK_U(rt_route_info(v.b, theirs, &rb), ERROR_INVALID_HANDLE);
	/* Deleting the last route removes the destination. */
	fl = 99;
	CHECK_U(RtmDeleteRouteToDest(v.a, r2, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK_U(RtmDeleteRouteToDest(v.a, r2, &fl), ERROR_INVALID_HANDLE);
	rtm_stats s = rt_stats(v.a);
	CHECK_U(s.routes, 0);
	CHECK_U(s.dests, 0);
	rt_dest_buf db;
	CHECK_U(RtmGetExactMatchDestination(v.a, &want, 0, 1, &db.info), ERROR_NOT_FOUND);
	env_free(&v);
}

static void test_route_pointer(void)
{
	struct env v;
	env_make(&v);
	RTM_ROUTE_HANDLE r = NULL;
	REQUIRE(add(v.a, &r, "10.1.0.0", 16, 10, 4, 1, v.a1, NULL, 0, NULL) == NO_ERROR);
	PRTM_ROUTE_INFO p = NULL;
	CHECK_U(RtmGetRoutePointer(v.a, r, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetRoutePointer(v.a, (RTM_ROUTE_HANDLE)0x42, &p), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetRoutePointer(v.b, r, &p), ERROR_ACCESS_DENIED);
	CHECK(p == NULL);
	CHECK_U(RtmGetRoutePointer(v.a, r, &p), NO_ERROR);
	REQUIRE(p != NULL);
	CHECK_U(p->PrefInfo.Preference, 10);
	CHECK_U(p->PrefInfo.Metric, 4);
	CHECK(p->RouteOwner == v.a);
	CHECK_U(p->NextHopsList.NumNextHops, 1);
	CHECK(p->NextHopsList.NextHops[0] == v.a1);
	/* The pointer follows later changes, and stays the same pointer. */
	RTM_ROUTE_HANDLE same = r;
	REQUIRE(add(v.a, &same, "10.1.0.0", 16, 10, 8, 1, v.a2, NULL, 0, NULL) == NO_ERROR);
	CHECK_U(p->PrefInfo.Metric, 8);
	CHECK(p->NextHopsList.NextHops[0] == v.a2);
	PRTM_ROUTE_INFO p2 = NULL;
	CHECK_U(RtmGetRoutePointer(v.a, r, &p2), NO_ERROR);
	CHECK(p2 == p);
	/* After deletion, while the handle is held: State DELETED. */
	RTM_ROUTE_HANDLE keep = r;
	RtmReferenceHandles(v.a, 1, &keep);
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(v.a, r, &fl), NO_ERROR);
	CHECK_U(p->State, RTM_ROUTE_STATE_DELETED);
	RtmReleaseRoutes(v.a, 1, &keep);
	env_free(&v);
}

static void test_lock_update(void)
{
	struct env v;
	env_make(&v);
	RTM_ROUTE_HANDLE ra = NULL, rb_ = NULL;
	REQUIRE(add(v.a, &ra, "10.1.0.0", 16, 10, 1, 1, v.a1, NULL, 0, NULL) == NO_ERROR);
	REQUIRE(add(v.b, &rb_, "10.1.0.0", 16, 10, 5, 1, v.b1, NULL, 0, NULL) == NO_ERROR);
	REQUIRE(rt_best(v.a, "10.1.0.0", 16, 1) == ra);
	PRTM_ROUTE_INFO p = NULL;
	DWORD fl = 99;
	CHECK_U(RtmLockRoute(v.a, (RTM_ROUTE_HANDLE)0x8, TRUE, TRUE, &p), ERROR_INVALID_HANDLE);
	CHECK_U(RtmLockRoute(v.b, ra, TRUE, TRUE, &p), ERROR_ACCESS_DENIED);
	CHECK(p == NULL);
	/* Unlocking what is not locked, updating what is not locked. */
	CHECK_U(RtmLockRoute(v.a, ra, TRUE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmUpdateAndUnlockRoute(v.a, ra, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_HANDLE);
	CHECK_U(fl, 99);

	/* Lock, make the route worse in place, commit: the best moves. */
	CHECK_U(RtmLockRoute(v.a, ra, TRUE, TRUE, &p), NO_ERROR);
	REQUIRE(p != NULL);
	CHECK_U(p->PrefInfo.Metric, 1);
	p->PrefInfo.Metric = 9;
	p->EntitySpecificInfo = (PVOID)0x77;
	/* Readers still see the committed route meanwhile. */
	rt_route_buf rb;
	CHECK_U(rt_route_info(v.b, ra, &rb), NO_ERROR);
	CHECK_U(rb.info.PrefInfo.Metric, 1);
	RtmReleaseRouteInfo(v.b, &rb.info);
	CHECK_U(RtmUpdateAndUnlockRoute(v.a, ra, INFINITE, NULL, RTM_CHANGE_TYPE_ALL, NULL, &fl), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmUpdateAndUnlockRoute(v.a, ra, 0, NULL, 0, NULL, &fl), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmUpdateAndUnlockRoute(v.b, ra, INFINITE, NULL, 0, NULL, &fl), ERROR_ACCESS_DENIED);
	CHECK_U(RtmUpdateAndUnlockRoute(v.a, ra, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK(rt_best(v.a, "10.1.0.0", 16, 1) == rb_);
	CHECK_U(rt_route_info(v.b, ra, &rb), NO_ERROR);
	CHECK_U(rb.info.PrefInfo.Metric, 9);
	CHECK(rb.info.EntitySpecificInfo == (PVOID)0x77);
	RtmReleaseRouteInfo(v.b, &rb.info);
	/* It is unlocked now. */
	CHECK_U(RtmLockRoute(v.a, ra, TRUE, FALSE, NULL), ERROR_INVALID_PARAMETER);

	/* A change that does not move the best: no flag. */
	CHECK_U(RtmLockRoute(v.a, ra, TRUE, TRUE, &p), NO_ERROR);
	p->PrefInfo.Metric = 8;
	fl = 99;
	CHECK_U(RtmUpdateAndUnlockRoute(v.a, ra, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_U(fl, 0);
	/* An invalid edit is refused and the route stays locked. */
	CHECK_U(RtmLockRoute(v.a, ra, TRUE, TRUE, &p), NO_ERROR);
	p->NextHopsList.NumNextHops = 9;
	CHECK_U(RtmUpdateAndUnlockRoute(v.a, ra, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_PARAMETER);
	p->NextHopsList.NumNextHops = 1;
	p->BelongsToViews = 0x10;
	CHECK_U(RtmUpdateAndUnlockRoute(v.a, ra, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_PARAMETER);
	p->BelongsToViews = 1;
	p->NextHopsList.NextHops[0] = v.b1;
	CHECK_U(RtmUpdateAndUnlockRoute(v.a, ra, INFINITE, NULL, 0, NULL, &fl), ERROR_ACCESS_DENIED);
	CHECK_U(RtmLockRoute(v.a, ra, TRUE, FALSE, NULL), NO_ERROR);
	CHECK_U(RtmLockRoute(v.a, ra, TRUE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	/* The failed edits did not reach the table; the next lock shows the committed route. */
	CHECK_U(rt_route_info(v.a, ra, &rb), NO_ERROR);
	CHECK_U(rb.info.PrefInfo.Metric, 8);
	CHECK(rb.info.NextHopsList.NextHops[0] == v.a1);
	RtmReleaseRouteInfo(v.a, &rb.info);
	CHECK_U(RtmLockRoute(v.a, ra, FALSE, TRUE, &p), NO_ERROR);
	CHECK(p->NextHopsList.NextHops[0] == v.a1);
	CHECK_U(p->BelongsToViews, 1);
	CHECK_U(RtmLockRoute(v.a, ra, FALSE, FALSE, NULL), NO_ERROR);
	/* A shared lock is also released by a successful update. */
	CHECK_U(RtmLockRoute(v.a, ra, FALSE, TRUE, &p), NO_ERROR);
	p->PrefInfo.Metric = 7;
	CHECK_U(RtmUpdateAndUnlockRoute(v.a, ra, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_U(RtmLockRoute(v.a, ra, FALSE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	/* Locked without asking for the pointer, after a pointer was given
	 * once: the owner's view is committed as it stands. */
	CHECK_U(RtmLockRoute(v.a, ra, TRUE, TRUE, NULL), NO_ERROR);
	CHECK_U(RtmUpdateAndUnlockRoute(v.a, ra, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_U(fl, 0);
	CHECK_U(RtmLockRoute(v.a, ra, TRUE, FALSE, NULL), ERROR_INVALID_PARAMETER);

	/* Better again through the lock, and into a route list. */
	RTM_ROUTE_LIST_HANDLE list;
	REQUIRE(RtmCreateRouteList(v.a, &list) == NO_ERROR);
	CHECK_U(RtmLockRoute(v.a, ra, TRUE, TRUE, &p), NO_ERROR);
	p->PrefInfo.Preference = 1;
	CHECK_U(RtmUpdateAndUnlockRoute(v.a, ra, INFINITE, list, 0, NULL, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK(rt_best(v.a, "10.1.0.0", 16, 1) == ra);
	RTM_ENUM_HANDLE en;
	REQUIRE(RtmCreateRouteListEnum(v.a, list, &en) == NO_ERROR);
	RTM_ROUTE_HANDLE got[4];
	UINT n = 4;
	CHECK_U(RtmGetListEnumRoutes(v.a, en, &n, got), NO_ERROR);
	CHECK(n == 1 && got[0] == ra);
	RtmReleaseRoutes(v.a, n, got);
	RtmDeleteEnumHandle(v.a, en);
	RtmDeleteRouteList(v.a, list);
	RTM_ROUTE_HANDLE hs[2] = { ra, rb_ };
	RtmReleaseRoutes(v.a, 1, &hs[0]);
	RtmReleaseRoutes(v.b, 1, &hs[1]);
	env_free(&v);
}

static void test_is_best_route(void)
{
	struct env v;
	env_make(&v);
	RTM_ROUTE_HANDLE both = NULL, uc = NULL, mc = NULL;
	REQUIRE(add(v.a, &both, "10.1.0.0", 16, 10, 1, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST, v.a1, NULL,
		    0, NULL) == NO_ERROR);
	RTM_VIEW_SET views = 99;
	CHECK_U(RtmIsBestRoute(v.a, both, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmIsBestRoute(v.a, NULL, &views), ERROR_INVALID_HANDLE);
	CHECK_U(RtmIsBestRoute(v.a, both, &views), NO_ERROR);
	CHECK_U(views, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST);
	/* A better unicast-only route takes unicast only. */
	REQUIRE(add(v.b, &uc, "10.1.0.0", 16, 5, 1, RTM_VIEW_MASK_UCAST, v.b1, NULL, 0, NULL) == NO_ERROR);
	CHECK_U(RtmIsBestRoute(v.a, both, &views), NO_ERROR);
	CHECK_U(views, RTM_VIEW_MASK_MCAST);
	CHECK_U(RtmIsBestRoute(v.a, uc, &views), NO_ERROR);
	CHECK_U(views, RTM_VIEW_MASK_UCAST);
	/* A worse multicast-only route is best nowhere. */
	REQUIRE(add(v.b, &mc, "10.1.0.0", 16, 50, 1, RTM_VIEW_MASK_MCAST, v.b2, v.b2, 0, NULL) == NO_ERROR);
	CHECK_U(RtmIsBestRoute(v.b, mc, &views), NO_ERROR);
	CHECK_U(views, 0);
	/* A route in no view is best nowhere. */
	RTM_ROUTE_HANDLE none = NULL;
	REQUIRE(add(v.a, &none, "10.1.0.0", 16, 0, 0, 0, v.a2, v.a2, 0, NULL) == NO_ERROR);
	CHECK_U(RtmIsBestRoute(v.a, none, &views), NO_ERROR);
	CHECK_U(views, 0);
	RtmReleaseRoutes(v.a, 1, &both);
	RtmReleaseRoutes(v.a, 1, &none);
	RtmReleaseRoutes(v.b, 1, &uc);
	RtmReleaseRoutes(v.b, 1, &mc);
	env_free(&v);
}

static void test_exact_match_route(void)
{
	struct env v;
	env_make(&v);
	/* a1r: a, neighbour a1, 10/1, next hop a1 (if 1), unicast
	 * a2r: a, neighbour a2, 20/5, next hop a2 (if 2), multicast
	 * b1r: b, no neighbour,  10/1, next hop b1 (if 3), unicast (loses the tie to a: protocol 10 < 20) */
	RTM_ROUTE_HANDLE a1r = NULL, a2r = NULL, b1r = NULL, h;
	REQUIRE(add(v.a, &a1r, "10.1.0.0", 16, 10, 1, RTM_VIEW_MASK_UCAST, v.a1, v.a1, 0, NULL) == NO_ERROR);
	REQUIRE(add(v.a, &a2r, "10.1.0.0", 16, 20, 5, RTM_VIEW_MASK_MCAST, v.a2, v.a2, 0, NULL) == NO_ERROR);
	REQUIRE(add(v.b, &b1r, "10.1.0.0", 16, 10, 1, RTM_VIEW_MASK_UCAST, v.b1, NULL, 0, NULL) == NO_ERROR);
	RTM_NET_ADDRESS d = rt_addr("10.1.0.0", 16), none = rt_addr("10.2.0.0", 16);
	rt_route_buf c;
	/* Invalid input. */
	CHECK_U(RtmGetExactMatchRoute(NULL, &d, RTM_MATCH_NONE, &c.info, 0, 0, &h), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetExactMatchRoute(v.a, &d, RTM_MATCH_OWNER, NULL, 0, 0, &h), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetExactMatchRoute(v.a, &none, RTM_MATCH_NONE, &c.info, 0, 0, &h), ERROR_NOT_FOUND);

#define EXPECT(flags, ifx, views, want)                                                      \
	do {                                                                                  \
		h = NULL;                                                                     \
		DWORD rc_ = RtmGetExactMatchRoute(v.a, &d, (flags), &c.info, (ifx), (views), &h); \
		if ((want) == NULL) {                                                         \
			CHECK_U(rc_, ERROR_NOT_FOUND);                                       \
			CHECK(h == NULL);                                                     \
		} else {                                                                      \
			CHECK_U(rc_, NO_ERROR);                                               \
			CHECK(h == (want));                                                   \
			if (rc_ == NO_ERROR) {                                                \
				CHECK(c.info.RouteOwner == ((want) == b1r ? v.b : v.a));     \
				CHECK_U(RtmReleaseRouteInfo(v.a, &c.info), NO_ERROR);        \
				CHECK_U(RtmReleaseRoutes(v.a, 1, &h), NO_ERROR);             \
			}                                                                     \
		}                                                                             \
	} while (0)

	/* NONE: the first (best) route of the destination. */
	memset(&c, 0, sizeof(c));
	EXPECT(RTM_MATCH_NONE, 0, 0, a1r);
	CHECK_U(RtmGetExactMatchRoute(v.a, &d, RTM_MATCH_NONE, NULL, 0, 0, NULL), NO_ERROR);
	/* Views: multicast has only a2r. */
	EXPECT(RTM_MATCH_NONE, 0, RTM_VIEW_MASK_MCAST, a2r);
	/* OWNER. */
	rt_route_fill(&c.info, 0, 0, 0, NULL, NULL);
	c.info.RouteOwner = v.b;
	EXPECT(RTM_MATCH_OWNER, 0, 0, b1r);
	c.info.RouteOwner = v.a;
	EXPECT(RTM_MATCH_OWNER, 0, RTM_VIEW_MASK_MCAST, a2r);
	/* NEIGHBOUR (NULL matches NULL). */
	rt_route_fill(&c.info, 0, 0, 0, NULL, v.a2);
	EXPECT(RTM_MATCH_NEIGHBOUR, 0, 0, a2r);
	rt_route_fill(&c.info, 0, 0, 0, NULL, NULL);
	EXPECT(RTM_MATCH_NEIGHBOUR, 0, 0, b1r);
	rt_route_fill(&c.info, 0, 0, 0, NULL, v.b2);
	EXPECT(RTM_MATCH_NEIGHBOUR, 0, 0, NULL);
	/* PREF: preference and metric. */
	rt_route_fill(&c.info, 20, 5, 0, NULL, NULL);
	EXPECT(RTM_MATCH_PREF, 0, 0, a2r);
	rt_route_fill(&c.info, 20, 6, 0, NULL, NULL);
	EXPECT(RTM_MATCH_PREF, 0, 0, NULL);
	rt_route_fill(&c.info, 10, 1, 0, NULL, NULL);
	EXPECT(RTM_MATCH_PREF, 0, 0, a1r);
	/* NEXTHOP. */
	rt_route_fill(&c.info, 0, 0, 0, v.b1, NULL);
	EXPECT(RTM_MATCH_NEXTHOP, 0, 0, b1r);
	rt_route_fill(&c.info, 0, 0, 0, v.b2, NULL);
	EXPECT(RTM_MATCH_NEXTHOP, 0, 0, NULL);
	/* INTERFACE (criteria may be NULL). */
	h = NULL;
	CHECK_U(RtmGetExactMatchRoute(v.a, &d, RTM_MATCH_INTERFACE, NULL, 3, 0, &h), NO_ERROR);
	CHECK(h == b1r);
	RtmReleaseRoutes(v.a, 1, &h);
	EXPECT(RTM_MATCH_INTERFACE, 2, 0, a2r);
	EXPECT(RTM_MATCH_INTERFACE, 9, 0, NULL);
	EXPECT(RTM_MATCH_INTERFACE, 2, RTM_VIEW_MASK_UCAST, NULL);
	/* Combinations and FULL. */
	rt_route_fill(&c.info, 10, 1, 0, NULL, NULL);
	c.info.RouteOwner = v.b;
	EXPECT(RTM_MATCH_OWNER | RTM_MATCH_PREF, 0, 0, b1r);
	rt_route_fill(&c.info, 20, 5, 0, v.a2, v.a2);
	c.info.RouteOwner = v.a;
	EXPECT(RTM_MATCH_FULL, 2, 0, a2r);
	EXPECT(RTM_MATCH_FULL, 1, 0, NULL);
	c.info.RouteOwner = v.b;
	EXPECT(RTM_MATCH_FULL, 2, 0, NULL);
	/* The information returned is the route's. */
	rt_route_fill(&c.info, 0, 0, 0, NULL, NULL);
	h = NULL;
	CHECK_U(RtmGetExactMatchRoute(v.a, &d, RTM_MATCH_NONE, &c.info, 0, RTM_VIEW_MASK_MCAST, &h), NO_ERROR);
	CHECK_U(c.info.PrefInfo.Preference, 20);
	CHECK_U(c.info.PrefInfo.Metric, 5);
	CHECK_U(c.info.BelongsToViews, RTM_VIEW_MASK_MCAST);
	CHECK(c.info.Neighbour == v.a2);
	CHECK(c.info.NextHopsList.NumNextHops == 1 && c.info.NextHopsList.NextHops[0] == v.a2);
	RtmReleaseRouteInfo(v.a, &c.info);
	RtmReleaseRoutes(v.a, 1, &h);
#undef EXPECT
	RTM_ROUTE_HANDLE mine[2] = { a1r, a2r };
	RtmReleaseRoutes(v.a, 2, mine);
	RtmReleaseRoutes(v.b, 1, &b1r);
	env_free(&v);
}

static void test_next_hop_limit(void)
{
	struct env v;
	env_make(&v);
	RTM_NEXTHOP_HANDLE hs[8];
	for (unsigned i = 0; i < 8; i++) {
		char t[32];
		snprintf(t, sizeof(t), "192.0.2.%u", 10 + i);
		hs[i] = rt_nexthop(v.a, t, i);
	}
	rt_route_buf rb;
	rt_route_fill(&rb.info, 1, 1, 1, NULL, NULL);
	rb.info.NextHopsList.NumNextHops = 8;
	for (unsigned i = 0; i < 8; i++)
		(&rb.info.NextHopsList.NextHops[0])[i] = hs[7 - i];
	RTM_NET_ADDRESS d = rt_addr("10.1.0.0", 16);
	RTM_ROUTE_HANDLE r = NULL;
	DWORD fl = 0;
	CHECK_U(RtmAddRouteToDest(v.a, &r, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	rt_route_buf got;
	REQUIRE(rt_route_info(v.a, r, &got) == NO_ERROR);
	CHECK_U(got.info.NextHopsList.NumNextHops, 8);
	for (unsigned i = 0; i < 8; i++)
		CHECK((&got.info.NextHopsList.NextHops[0])[i] == hs[7 - i]);
	RtmReleaseRouteInfo(v.a, &got.info);
	/* Down to none. */
	rb.info.NextHopsList.NumNextHops = 0;
	fl = 0;
	CHECK_U(RtmAddRouteToDest(v.a, &r, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	REQUIRE(rt_route_info(v.a, r, &got) == NO_ERROR);
	CHECK_U(got.info.NextHopsList.NumNextHops, 0);
	RtmReleaseRouteInfo(v.a, &got.info);
	RtmReleaseRoutes(v.a, 1, &r);
	RtmReleaseNextHops(v.a, 8, hs);
	env_free(&v);
}

static void test_deregistration_removes_routes(void)
{
	struct env v;
	env_make(&v);
	RTM_ROUTE_HANDLE rb_ = NULL;
	for (unsigned i = 0; i < 50; i++) {
		char t[32];
		snprintf(t, sizeof(t), "10.%u.0.0", i);
		REQUIRE(add(v.a, NULL, t, 16, 1, 1, 3, v.a1, NULL, 0, NULL) == NO_ERROR);
	}
	REQUIRE(add(v.b, &rb_, "10.7.0.0", 16, 9, 9, 1, v.b1, NULL, 0, NULL) == NO_ERROR);
	CHECK(rt_best(v.b, "10.7.0.0", 16, 1) != rb_);
	rtm_stats s = rt_stats(v.b);
	CHECK_U(s.routes, 51);
	CHECK_U(s.dests, 50);
	RTM_NEXTHOP_HANDLE ah[2] = { v.a1, v.a2 };
	RtmReleaseNextHops(v.a, 2, ah);
	CHECK_U(RtmDeregisterEntity(v.a), NO_ERROR);
	s = rt_stats(v.b);
	CHECK_U(s.routes, 1);
	CHECK_U(s.dests, 1);
	CHECK_U(s.next_hops, 2);
	/* b's route is best now. */
	CHECK(rt_best(v.b, "10.7.0.0", 16, 1) == rb_);
	RTM_VIEW_SET views;
	CHECK_U(RtmIsBestRoute(v.b, rb_, &views), NO_ERROR);
	CHECK_U(views, 1);
	RtmReleaseRoutes(v.b, 1, &rb_);
	RTM_NEXTHOP_HANDLE bh[2] = { v.b1, v.b2 };
	RtmReleaseNextHops(v.b, 2, bh);
	RtmDeregisterEntity(v.b);
}

int main(void)
{
	RUN(test_add_invalid);
	RUN(test_add_new_and_info);
	RUN(test_identity);
	RUN(test_handle_forms);
	RUN(test_change_flags_best);
	RUN(test_delete);
	RUN(test_route_pointer);
	RUN(test_lock_update);
	RUN(test_is_best_route);
	RUN(test_exact_match_route);
	RUN(test_next_hop_limit);
	RUN(test_deregistration_removes_routes);
	TEST_MAIN_END();
}
