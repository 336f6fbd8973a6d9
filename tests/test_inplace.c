/*
 * test_inplace.c — the in-place update protocol of the programming guide
 * ("Update a Route In Place Using RtmUpdateAndUnlockRoute"): an owner that
 * puts a next hop into a locked route's NextHopsList (or Neighbour) takes a
 * reference on it with RtmReferenceHandles first, and one that takes a next
 * hop out releases it with RtmReleaseNextHops, before or after the commit
 * (the route lock lends the owner a reference on each of the route's next
 * hops, which that release spends).  RtmAddRouteToDest keeps doing the
 * bookkeeping itself.
 *
 * Reference counts are checked through what they keep alive: a next hop
 * that is deleted is freed (rtm_stats.next_hops drops, its handle goes
 * stale) exactly when its last reference goes, and a release of a handle
 * nobody holds is ERROR_INVALID_HANDLE.
 */
#include "rtmtest.h"

struct env {
	RTM_ENTITY_HANDLE e;
	RTM_NEXTHOP_HANDLE n1, n2, n3;
	RTM_ROUTE_HANDLE r[2];
};

static void env_make(struct env *v)
{
	memset(v, 0, sizeof(*v));
	v->e = rt_register(AF_INET, 8);
	REQUIRE(v->e);
	v->n1 = rt_nexthop(v->e, "192.0.2.1", 1);
	v->n2 = rt_nexthop(v->e, "192.0.2.2", 1);
	v->n3 = rt_nexthop(v->e, "192.0.2.3", 1);
	REQUIRE(rt_add_route(v->e, "10.1.0.0", 16, 10, 1, RTM_VIEW_MASK_UCAST, v->n1, NULL, &v->r[0], NULL) ==
		NO_ERROR);
	REQUIRE(rt_add_route(v->e, "10.2.0.0", 16, 10, 1, RTM_VIEW_MASK_UCAST, v->n1, NULL, &v->r[1], NULL) ==
		NO_ERROR);
}

/* The key of next hop "192.0.2.x" on interface 1, to find or delete it
 * without a handle. */
static RTM_NEXTHOP_INFO key_of(const char *text)
{
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress = rt_addr(text, 32);
	ni.InterfaceIndex = 1;
	return ni;
}

/* The next hops of route r, as its information says. */
static unsigned hops_of(RTM_ENTITY_HANDLE e, RTM_ROUTE_HANDLE r, RTM_NEXTHOP_HANDLE *out, RTM_NEXTHOP_HANDLE *nb)
{
	rt_route_buf rb;
	if (rt_route_info(e, r, &rb) != NO_ERROR)
		return 99;
	unsigned n = rb.info.NextHopsList.NumNextHops;
	for (unsigned i = 0; i < n && i < 8; i++)
		out[i] = (&rb.info.NextHopsList.NextHops[0])[i];
	if (nb)
		*nb = rb.info.Neighbour;
	CHECK_U(RtmReleaseRouteInfo(e, &rb.info), NO_ERROR);
	return n;
}

/* Deletes everything and checks that nothing stays referenced: every object
 * is freed and every handle slot given back. */
static void env_end(struct env *v, RTM_NEXTHOP_HANDLE *own, unsigned n_own)
{
	DWORD fl;
	for (unsigned i = 0; i < 2; i++)
		CHECK_U(RtmDeleteRouteToDest(v->e, v->r[i], &fl), NO_ERROR);
	for (unsigned i = 0; i < n_own; i++)
		CHECK_U(RtmDeleteNextHop(v->e, own[i], NULL), NO_ERROR);
	rtm_stats s = rt_stats(v->e);
	CHECK_U(s.routes, 0);
	CHECK_U(s.dests, 0);
	CHECK_U(s.next_hops, 0);
	CHECK_U(s.handles, 0);
	CHECK_U(RtmDeregisterEntity(v->e), NO_ERROR);
}

/* The reproduction: two routes via N1 move to N2 in place, the old
 * next hop released after the commit. */
static void test_move_release_after(void)
{
	struct env v;
	env_make(&v);
	for (unsigned i = 0; i < 2; i++) {
		PRTM_ROUTE_INFO p = NULL;
		CHECK_U(RtmLockRoute(v.e, v.r[i], TRUE, TRUE, &p), NO_ERROR);
		REQUIRE(p);
		RTM_NEXTHOP_HANDLE old = p->NextHopsList.NextHops[0];
		CHECK(old == v.n1);
		RTM_NEXTHOP_HANDLE add = v.n2;
		CHECK_U(RtmReferenceHandles(v.e, 1, &add), NO_ERROR);
		p->NextHopsList.NextHops[0] = v.n2;
		DWORD fl = 99;
		CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[i], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
		CHECK_U(RtmReleaseNextHops(v.e, 1, &old), NO_ERROR);
		RTM_NEXTHOP_HANDLE hops[8];
		CHECK_U(hops_of(v.e, v.r[i], hops, NULL), 1);
		CHECK(hops[0] == v.n2);
	}
	/* N1 is the client's own handle still: info, then delete, and it is freed
	 * (no route holds it, no stray reference). */
	RTM_NEXTHOP_INFO ni;
	CHECK_U(RtmGetNextHopInfo(v.e, v.n1, &ni), NO_ERROR);
	CHECK_U(RtmReleaseNextHopInfo(v.e, &ni), NO_ERROR);
	CHECK_U(rt_stats(v.e).next_hops, 3);
	CHECK_U(RtmDeleteNextHop(v.e, v.n1, NULL), NO_ERROR);
	CHECK_U(rt_stats(v.e).next_hops, 2);
	CHECK_U(RtmGetNextHopInfo(v.e, v.n1, &ni), ERROR_INVALID_HANDLE);
	/* One release too many is refused. */
	RTM_NEXTHOP_HANDLE again = v.n1;
	CHECK_U(RtmReleaseNextHops(v.e, 1, &again), ERROR_INVALID_HANDLE);
	RTM_NEXTHOP_HANDLE own[2] = { v.n2, v.n3 };
	env_end(&v, own, 2);
}

/* Microsoft's sample order: the old next hop released before the commit,
 * the new one referenced after it is written, before the commit. */
static void test_move_sample_order(void)
{
	struct env v;
	env_make(&v);
	for (unsigned i = 0; i < 2; i++) {
		PRTM_ROUTE_INFO p = NULL;
		CHECK_U(RtmLockRoute(v.e, v.r[i], TRUE, TRUE, &p), NO_ERROR);
		REQUIRE(p);
		p->PrefInfo.Metric = 16;
		RTM_NEXTHOP_HANDLE old = p->NextHopsList.NextHops[0];
		CHECK_U(RtmReleaseNextHops(v.e, 1, &old), NO_ERROR);
		p->NextHopsList.NextHops[0] = v.n2;
		CHECK_U(RtmReferenceHandles(v.e, 1, &p->NextHopsList.NextHops[0]), NO_ERROR);
		DWORD fl;
		CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[i], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
		rt_route_buf rb;
		CHECK_U(rt_route_info(v.e, v.r[i], &rb), NO_ERROR);
		CHECK_U(rb.info.PrefInfo.Metric, 16);
		CHECK(rb.info.NextHopsList.NextHops[0] == v.n2);
		RtmReleaseRouteInfo(v.e, &rb.info);
	}
	RTM_NEXTHOP_HANDLE own[3] = { v.n1, v.n2, v.n3 };
	env_end(&v, own, 3);
}

/* Growing and shrinking a list: the next hops put in come with the owner's
 * references, the ones taken out are released by it, and one that stays
 * moves nothing. */
static void test_grow_shrink(void)
{
	struct env v;
	env_make(&v);
	PRTM_ROUTE_INFO p = NULL;
	DWORD fl;
	/* n1 -> n1, n2, n3 */
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, TRUE, &p), NO_ERROR);
	RTM_NEXTHOP_HANDLE add[2] = { v.n2, v.n3 };
	CHECK_U(RtmReferenceHandles(v.e, 2, add), NO_ERROR);
	p->NextHopsList.NumNextHops = 3;
	(&p->NextHopsList.NextHops[0])[1] = v.n2;
	(&p->NextHopsList.NextHops[0])[2] = v.n3;
	CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[0], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	RTM_NEXTHOP_HANDLE hops[8];
	CHECK_U(hops_of(v.e, v.r[0], hops, NULL), 3);
	CHECK(hops[0] == v.n1 && hops[1] == v.n2 && hops[2] == v.n3);
	/* n1, n2, n3 -> n3: two come out, and are the client's to release. */
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, TRUE, &p), NO_ERROR);
	p->NextHopsList.NumNextHops = 1;
	p->NextHopsList.NextHops[0] = v.n3;
	CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[0], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	RTM_NEXTHOP_HANDLE out[2] = { v.n1, v.n2 };
	CHECK_U(RtmReleaseNextHops(v.e, 2, out), NO_ERROR);
	CHECK_U(hops_of(v.e, v.r[0], hops, NULL), 1);
	CHECK(hops[0] == v.n3);
	/* An edit that leaves the next hops as they are moves nothing. */
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, TRUE, &p), NO_ERROR);
	p->PrefInfo.Metric = 3;
	CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[0], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	RTM_NEXTHOP_HANDLE own[3] = { v.n1, v.n2, v.n3 };
	env_end(&v, own, 3);
}

/* A next hop put in without a reference the client holds: refused, nothing
 * changed, the route still locked. */
static void test_added_without_reference(void)
{
	struct env v;
	env_make(&v);
	/* The client lets go of its own handle of n3: it holds no reference. */
	RTM_NEXTHOP_HANDLE n3 = v.n3;
	CHECK_U(RtmReleaseNextHops(v.e, 1, &n3), NO_ERROR);
	PRTM_ROUTE_INFO p = NULL;
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, TRUE, &p), NO_ERROR);
	p->PrefInfo.Metric = 12;
	p->NextHopsList.NextHops[0] = v.n3;
	DWORD fl = 99;
	CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[0], INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_HANDLE);
	CHECK_U(fl, 99);
	rt_route_buf rb;
	CHECK_U(rt_route_info(v.e, v.r[0], &rb), NO_ERROR);
	CHECK_U(rb.info.PrefInfo.Metric, 1);
	CHECK(rb.info.NextHopsList.NextHops[0] == v.n1);
	RtmReleaseRouteInfo(v.e, &rb.info);
	/* Still locked: unlocking works once. */
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, FALSE, NULL), NO_ERROR);
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	/* A failed update moved nothing: n1 has exactly the client's one
	 * reference (env_end's delete consumes it and frees it), n3 none. */
	RTM_NEXTHOP_INFO ni = key_of("192.0.2.3");
	RTM_NEXTHOP_HANDLE found = NULL;
	CHECK_U(RtmFindNextHop(v.e, &ni, &found, NULL), NO_ERROR);
	CHECK(found == v.n3);
	RTM_NEXTHOP_HANDLE own[3] = { v.n1, v.n2, found };
	env_end(&v, own, 3);
}

/* A next hop taken out after its owner deleted it: the route's reference is
 * now the client's, the next hop lives until the client releases it. */
static void test_removed_deleted_nexthop(void)
{
	struct env v;
	env_make(&v);
	CHECK_U(RtmDeleteNextHop(v.e, v.n1, NULL), NO_ERROR); /* consumes the client's handle */
	CHECK_U(rt_stats(v.e).next_hops, 3);                   /* the routes keep it */
	RTM_NEXTHOP_HANDLE old[2];
	for (unsigned i = 0; i < 2; i++) {
		PRTM_ROUTE_INFO p = NULL;
		CHECK_U(RtmLockRoute(v.e, v.r[i], TRUE, TRUE, &p), NO_ERROR);
		old[i] = p->NextHopsList.NextHops[0];
		CHECK(old[i] == v.n1);
		CHECK_U(RtmReferenceHandles(v.e, 1, &v.n2), NO_ERROR);
		p->NextHopsList.NextHops[0] = v.n2;
		DWORD fl;
		CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[i], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	}
	/* No route names it, but the client holds the two references given
	 * back: it answers, deleted. */
	RTM_NEXTHOP_INFO ni;
	CHECK_U(RtmGetNextHopInfo(v.e, v.n1, &ni), NO_ERROR);
	CHECK_U(ni.State, RTM_NEXTHOP_STATE_DELETED);
	CHECK_U(RtmReleaseNextHopInfo(v.e, &ni), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(v.e, 1, &old[0]), NO_ERROR);
	CHECK_U(rt_stats(v.e).next_hops, 3);
	CHECK_U(RtmReleaseNextHops(v.e, 1, &old[1]), NO_ERROR);
	CHECK_U(rt_stats(v.e).next_hops, 2); /* the last reference went: freed */
	CHECK_U(RtmGetNextHopInfo(v.e, v.n1, &ni), ERROR_INVALID_HANDLE);
	RTM_NEXTHOP_HANDLE own[2] = { v.n2, v.n3 };
	env_end(&v, own, 2);
}

/* The Neighbour: a new one comes with the client's reference; the old one's
 * reference is dropped by the RTM (the guide asks for no release). */
static void test_neighbour(void)
{
	struct env v;
	env_make(&v);
	PRTM_ROUTE_INFO p = NULL;
	DWORD fl;
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, TRUE, &p), NO_ERROR);
	CHECK(p->Neighbour == NULL);
	CHECK_U(RtmReferenceHandles(v.e, 1, &v.n3), NO_ERROR);
	p->Neighbour = v.n3;
	CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[0], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	RTM_NEXTHOP_HANDLE hops[8], nb = NULL;
	CHECK_U(hops_of(v.e, v.r[0], hops, &nb), 1);
	CHECK(nb == v.n3);
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, TRUE, &p), NO_ERROR);
	CHECK_U(RtmReferenceHandles(v.e, 1, &v.n2), NO_ERROR);
	p->Neighbour = v.n2;
	CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[0], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_U(hops_of(v.e, v.r[0], hops, &nb), 1);
	CHECK(nb == v.n2);
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, TRUE, &p), NO_ERROR);
	p->Neighbour = NULL;
	CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[0], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_U(hops_of(v.e, v.r[0], hops, &nb), 1);
	CHECK(nb == NULL);
	RTM_NEXTHOP_HANDLE own[3] = { v.n1, v.n2, v.n3 };
	env_end(&v, own, 3);
}

/* RtmAddRouteToDest does the bookkeeping itself: a change of next hop
 * through it needs no reference and no release from the client. */
static void test_add_route_moves_itself(void)
{
	struct env v;
	env_make(&v);
	for (unsigned i = 0; i < 2; i++) {
		RTM_NET_ADDRESS d = rt_addr(i ? "10.2.0.0" : "10.1.0.0", 16);
		rt_route_buf rb;
		rt_route_fill(&rb.info, 10, 1, RTM_VIEW_MASK_UCAST, v.n2, NULL);
		DWORD fl = 0;
		CHECK_U(RtmAddRouteToDest(v.e, &v.r[i], &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	}
	RTM_NEXTHOP_HANDLE own[3] = { v.n1, v.n2, v.n3 };
	env_end(&v, own, 3);
}

/* The guide's two samples together: the next-hop handle released right
 * after the routes were added ("Add and Update Routes"), then each route
 * moved in place with the old next hop released before the commit ("Update
 * a Route In Place"): the route lock lent the reference that release
 * spends.  Every call succeeds, nothing stays referenced. */
static void test_release_before_commit_without_own_handle(void)
{
	struct env v;
	env_make(&v);
	RTM_NEXTHOP_HANDLE n1 = v.n1;
	CHECK_U(RtmReleaseNextHops(v.e, 1, &n1), NO_ERROR); /* only the routes keep it */
	for (unsigned i = 0; i < 2; i++) {
		PRTM_ROUTE_INFO p = NULL;
		CHECK_U(RtmLockRoute(v.e, v.r[i], TRUE, TRUE, &p), NO_ERROR);
		REQUIRE(p);
		RTM_NEXTHOP_HANDLE old = p->NextHopsList.NextHops[0];
		CHECK_U(RtmReleaseNextHops(v.e, 1, &old), NO_ERROR);
		p->NextHopsList.NextHops[0] = v.n2;
		CHECK_U(RtmReferenceHandles(v.e, 1, &p->NextHopsList.NextHops[0]), NO_ERROR);
		DWORD fl;
		CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[i], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	}
	/* n1: no route, no handle: a release is refused, and it is found by its
	 * key to be deleted. */
	CHECK_U(RtmReleaseNextHops(v.e, 1, &n1), ERROR_INVALID_HANDLE);
	RTM_NEXTHOP_INFO ni = key_of("192.0.2.1");
	CHECK_U(RtmDeleteNextHop(v.e, NULL, &ni), NO_ERROR);
	RTM_NEXTHOP_HANDLE own[2] = { v.n2, v.n3 };
	env_end(&v, own, 2);
}

/* A lock given up without a commit gives its loan back, and one taken
 * twice lends once. */
static void test_unlock_returns_loan(void)
{
	struct env v;
	env_make(&v);
	RTM_NEXTHOP_HANDLE n1 = v.n1;
	CHECK_U(RtmReleaseNextHops(v.e, 1, &n1), NO_ERROR);
	PRTM_ROUTE_INFO p = NULL;
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, TRUE, &p), NO_ERROR);
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, TRUE, NULL), NO_ERROR);
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, FALSE, NULL), NO_ERROR);
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, FALSE, NULL), NO_ERROR);
	/* The loan went back with the last unlock: nothing to release. */
	CHECK_U(RtmReleaseNextHops(v.e, 1, &n1), ERROR_INVALID_HANDLE);
	/* Without its own handle, deleting the routes frees n1 once deleted. */
	RTM_NEXTHOP_INFO ni = key_of("192.0.2.1");
	CHECK_U(RtmDeleteNextHop(v.e, NULL, &ni), NO_ERROR);
	RTM_NEXTHOP_HANDLE own[2] = { v.n2, v.n3 };
	env_end(&v, own, 2);
}

/* A commit that fails after the owner spent the loan (the sample's early
 * release), then an unlock: only what is left of the loan goes back, never
 * a reference another entity holds (here B's, through its route info). */
static void test_failed_commit_after_release(void)
{
	struct env v;
	env_make(&v);
	RTM_NEXTHOP_HANDLE n1 = v.n1;
	CHECK_U(RtmReleaseNextHops(v.e, 1, &n1), NO_ERROR); /* only the routes keep it */
	RTM_ENTITY_HANDLE b = rt_register(AF_INET, 9);
	REQUIRE(b);
	rt_route_buf seen;
	CHECK_U(rt_route_info(b, v.r[0], &seen), NO_ERROR); /* B holds a reference on n1 */
	PRTM_ROUTE_INFO p = NULL;
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, TRUE, &p), NO_ERROR);
	RTM_NEXTHOP_HANDLE old = p->NextHopsList.NextHops[0];
	CHECK_U(RtmReleaseNextHops(v.e, 1, &old), NO_ERROR);
	p->NextHopsList.NextHops[0] = v.n2;
	CHECK_U(RtmReferenceHandles(v.e, 1, &p->NextHopsList.NextHops[0]), NO_ERROR);
	DWORD fl;
	CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[0], INFINITE, (HANDLE)0x1234, 0, NULL, &fl),
		ERROR_INVALID_HANDLE);
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, FALSE, NULL), NO_ERROR);
	/* The route is as it was, and B's information releases whole. */
	RTM_NEXTHOP_HANDLE hops[8];
	CHECK_U(hops_of(v.e, v.r[0], hops, NULL), 1);
	CHECK(hops[0] == v.n1);
	CHECK_U(RtmReleaseRouteInfo(b, &seen.info), NO_ERROR);
	/* The reference taken for the edit is the owner's to release. */
	RTM_NEXTHOP_HANDLE n2 = v.n2;
	CHECK_U(RtmReleaseNextHops(v.e, 1, &n2), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(b), NO_ERROR);
	RTM_NEXTHOP_INFO ni = key_of("192.0.2.1");
	RTM_NEXTHOP_HANDLE own[3] = { NULL, v.n2, v.n3 };
	CHECK_U(RtmFindNextHop(v.e, &ni, &own[0], NULL), NO_ERROR);
	env_end(&v, own, 3);
}

/* Two commits under nested holds: the second lends before it commits, so
 * neither takes a reference of the owner's own. */
static void test_nested_commits(void)
{
	struct env v;
	env_make(&v);
	PRTM_ROUTE_INFO p = NULL;
	DWORD fl;
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, TRUE, &p), NO_ERROR);
	CHECK_U(RtmLockRoute(v.e, v.r[0], FALSE, TRUE, NULL), NO_ERROR);
	p->PrefInfo.Metric = 5;
	CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[0], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	p->PrefInfo.Metric = 6;
	CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[0], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_U(RtmLockRoute(v.e, v.r[0], FALSE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	rt_route_buf rb;
	CHECK_U(rt_route_info(v.e, v.r[0], &rb), NO_ERROR);
	CHECK_U(rb.info.PrefInfo.Metric, 6);
	RtmReleaseRouteInfo(v.e, &rb.info);
	/* The owner's handles are intact: env_end deletes each once. */
	RTM_NEXTHOP_HANDLE own[3] = { v.n1, v.n2, v.n3 };
	env_end(&v, own, 3);
}

/* The locked route changed by the same thread through RtmAddRouteToDest:
 * the loan follows the route, and a commit after it balances. */
static void test_add_under_lock(void)
{
	struct env v;
	env_make(&v);
	PRTM_ROUTE_INFO p = NULL;
	DWORD fl;
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, TRUE, &p), NO_ERROR);
	RTM_NET_ADDRESS d = rt_addr("10.1.0.0", 16);
	rt_route_buf rb;
	rt_route_fill(&rb.info, 10, 1, RTM_VIEW_MASK_UCAST, v.n2, NULL);
	fl = 0;
	CHECK_U(RtmAddRouteToDest(v.e, &v.r[0], &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK(p->NextHopsList.NextHops[0] == v.n2);
	p->PrefInfo.Metric = 7;
	CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[0], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	RTM_NEXTHOP_HANDLE own[3] = { v.n1, v.n2, v.n3 };
	env_end(&v, own, 3);
}

/* An edit abandoned (unlocked without a commit) is not committed by a later
 * lock without a pointer and a commit (the expiry callback's sequence). */
static void test_abandoned_edit(void)
{
	struct env v;
	env_make(&v);
	PRTM_ROUTE_INFO p = NULL;
	DWORD fl;
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, TRUE, &p), NO_ERROR);
	p->PrefInfo.Metric = 99;
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, FALSE, NULL), NO_ERROR);
	CHECK_U(p->PrefInfo.Metric, 1); /* the view shows the route again */
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, TRUE, NULL), NO_ERROR);
	CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[0], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	rt_route_buf rb;
	CHECK_U(rt_route_info(v.e, v.r[0], &rb), NO_ERROR);
	CHECK_U(rb.info.PrefInfo.Metric, 1);
	RtmReleaseRouteInfo(v.e, &rb.info);
	RTM_NEXTHOP_HANDLE own[3] = { v.n1, v.n2, v.n3 };
	env_end(&v, own, 3);
}

/* Two routes via n1 locked by one thread; one is moved to n2 and committed,
 * and n1 released: that release spends what the commit left, not the other
 * route's loan, which its unlock gives back whole. */
static void test_release_spends_the_right_loan(void)
{
	struct env v;
	env_make(&v);
	RTM_NEXTHOP_HANDLE n1 = v.n1;
	CHECK_U(RtmReleaseNextHops(v.e, 1, &n1), NO_ERROR); /* only the routes keep it */
	PRTM_ROUTE_INFO p0 = NULL, p1 = NULL;
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, TRUE, &p0), NO_ERROR);
	CHECK_U(RtmLockRoute(v.e, v.r[1], TRUE, TRUE, &p1), NO_ERROR);
	CHECK_U(RtmReferenceHandles(v.e, 1, &v.n2), NO_ERROR);
	p1->NextHopsList.NextHops[0] = v.n2;
	DWORD fl;
	CHECK_U(RtmUpdateAndUnlockRoute(v.e, v.r[1], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(v.e, 1, &n1), NO_ERROR);
	CHECK_U(RtmLockRoute(v.e, v.r[0], TRUE, FALSE, NULL), NO_ERROR);
	/* n1: route 0 alone keeps it; no reference of the client's is left. */
	CHECK_U(RtmReleaseNextHops(v.e, 1, &n1), ERROR_INVALID_HANDLE);
	RTM_NEXTHOP_INFO ni = key_of("192.0.2.1");
	RTM_NEXTHOP_HANDLE own[3] = { NULL, v.n2, v.n3 };
	CHECK_U(RtmFindNextHop(v.e, &ni, &own[0], NULL), NO_ERROR);
	env_end(&v, own, 3); /* counts every next hop freed */
}

int main(void)
{
	RUN(test_move_release_after);
	RUN(test_move_sample_order);
	RUN(test_grow_shrink);
	RUN(test_added_without_reference);
	RUN(test_removed_deleted_nexthop);
	RUN(test_neighbour);
	RUN(test_add_route_moves_itself);
	RUN(test_release_before_commit_without_own_handle);
	RUN(test_unlock_returns_loan);
	RUN(test_failed_commit_after_release);
	RUN(test_nested_commits);
	RUN(test_add_under_lock);
	RUN(test_abandoned_edit);
	RUN(test_release_spends_the_right_loan);
	TEST_MAIN_END();
}
