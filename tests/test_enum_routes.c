/*
 * test_enum_routes.c — enumerations of routes (destinations and next hops:
 * test_enum_dests.c).
 *
 * Invalid input first; then one destination and the whole table, START /
 * NEXT / RANGE, batches that end inside a destination, the filters (own,
 * views, matching criteria), hold-down routes, and what a batch owes from a
 * split destination when the table changes between calls.
 */
#include "alloc.h"
#include "enumtest.h"
#include "ribcheck.h"

/* ---- invalid input ----------------------------------------------------------------- */

static void test_route_enum_invalid(void)
{
	RTM_REGN_PROFILE p;
	RTM_ENTITY_HANDLE e = reg(100, &p);
	RTM_ENTITY_HANDLE other = reg(101, NULL);
	CHECK_U(add(e, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	RTM_NET_ADDRESS bad = rt_addr("10.0.0.0", 40);
	rt_route_buf crit;
	rt_route_fill(&crit.info, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL);
	RTM_ENUM_HANDLE h = NULL;
	CHECK_U(RtmCreateRouteEnum(NULL, NULL, 0, 0, NULL, 0, NULL, 0, &h), ERROR_INVALID_HANDLE);
	CHECK_U(RtmCreateRouteEnum(e, GARBAGE, 0, 0, NULL, 0, NULL, 0, &h), ERROR_INVALID_HANDLE);
	CHECK_U(RtmCreateRouteEnum(e, NULL, 0, 0, NULL, 0, NULL, 0, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateRouteEnum(e, NULL, 0, RTM_ENUM_NEXT, NULL, 0, NULL, 0, &h),
		ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateRouteEnum(e, NULL, 0, RTM_ENUM_RANGE, &bad, 0, NULL, 0, &h),
		ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateRouteEnum(e, NULL, 0, 3, NULL, 0, NULL, 0, &h), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateRouteEnum(e, NULL, 0, RTM_ENUM_OWN_DESTS, NULL, 0, NULL, 0, &h),
		ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateRouteEnum(e, NULL, 0, 0, NULL, RTM_MATCH_OWNER, NULL, 0, &h),
		ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateRouteEnum(e, NULL, 0, 0, NULL, RTM_MATCH_PREF, NULL, 0, &h),
		ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateRouteEnum(e, NULL, 0, 0, NULL, 0x10000, &crit.info, 0, &h),
		ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateRouteEnum(e, NULL, 0x8, 0, NULL, 0, NULL, 0, &h), ERROR_NOT_SUPPORTED);
	CHECK(h == NULL);
	/* RTM_MATCH_INTERFACE (or none) needs no criteria route. */
	CHECK_U(RtmCreateRouteEnum(e, NULL, 0, 0, NULL, RTM_MATCH_INTERFACE, NULL, 7, &h),
		NO_ERROR);
	RTM_ENUM_HANDLE hd = dest_enum(e, 0, RTM_ENUM_START, NULL, 0, 0);
	RTM_ROUTE_HANDLE r[2];
	UINT n = 2;
	CHECK_U(RtmGetEnumRoutes(NULL, h, &n, r), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEnumRoutes(e, GARBAGE, &n, r), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEnumRoutes(e, hd, &n, r), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEnumRoutes(other, h, &n, r), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEnumRoutes(e, h, NULL, r), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetEnumRoutes(e, h, &n, NULL), ERROR_INVALID_PARAMETER);
	n = p.MaxHandlesInEnum + 1;
	CHECK_U(RtmGetEnumRoutes(e, h, &n, r), ERROR_INVALID_PARAMETER);
	/* No route is on interface 7. */
	n = 2;
	CHECK_U(RtmGetEnumRoutes(e, h, &n, r), ERROR_NO_MORE_ITEMS);
	CHECK_U(n, 0);
	CHECK_U(RtmDeleteEnumHandle(e, h), NO_ERROR);
	CHECK_U(RtmDeleteEnumHandle(e, hd), NO_ERROR);
}

/* ---- routes ------------------------------------------------------------------------- */

/* Reads a route enumeration to its end; checks the end protocol. */
static unsigned read_routes(RTM_ENTITY_HANDLE e, RTM_ENUM_HANDLE en, UINT batch,
			    RTM_ROUTE_HANDLE *out, unsigned cap)
{
	RTM_ROUTE_HANDLE *buf = calloc(batch ? batch : 1, sizeof(*buf));
	unsigned total = 0;
	for (int guard = 0; guard < 100000; guard++) {
		UINT n = batch;
		DWORD rc = RtmGetEnumRoutes(e, en, &n, buf);
		if (rc == ERROR_NO_MORE_ITEMS) {
			CHECK_U(n, 0);
			break;
		}
		CHECK_U(rc, NO_ERROR);
		if (rc != NO_ERROR)
			break;
		CHECK(n > 0 && n <= batch);
		for (UINT i = 0; i < n; i++)
			if (total < cap)
				out[total++] = buf[i];
			else
				total++;
		CHECK_U(RtmReleaseRoutes(e, n, buf), NO_ERROR);
	}
	free(buf);
	return total;
}

static void expect_routes(const RTM_ROUTE_HANDLE *got, unsigned n, const RTM_ROUTE_HANDLE *want,
			  unsigned k)
{
	CHECK_U(n, k);
	for (unsigned i = 0; i < n && i < k; i++)
		if (got[i] != want[i]) {
			fprintf(stderr, "  route %u differs\n", i);
			CHECK(got[i] == want[i]);
		}
}

struct fixture {
	RTM_ENTITY_HANDLE a, b;
	RTM_NEXTHOP_HANDLE nha1, nha2, nhb; /* a's on if 1 and 2, b's on if 3 */
	RTM_ROUTE_HANDLE r10[4];            /* 10/8, best first */
	RTM_ROUTE_HANDLE r11[2];            /* 11/8, best first */
	RTM_ROUTE_HANDLE r9;                /* 9/8 */
	RTM_ROUTE_HANDLE m10;               /* 10/8 multicast */
	RTM_DEST_HANDLE d10;
	rt_dest_buf db10;
};

static void fixture_init(struct fixture *f)
{
	f->a = reg(100, NULL);
	f->b = reg(200, NULL);
	f->nha1 = rt_nexthop(f->a, "192.0.2.1", 1);
	f->nha2 = rt_nexthop(f->a, "192.0.2.2", 2);
	f->nhb = rt_nexthop(f->b, "192.0.2.3", 3);
	/* 10/8: a pref 5 via nha1 (neighbour nha1), b pref 7 via nhb, a pref 9 via
	 * nha2 (neighbour nha2), b pref 9 metric 2 via nhb (neighbour nhb). */
	CHECK_U(add(f->a, "10.0.0.0", 8, 5, 1, RTM_VIEW_MASK_UCAST, f->nha1, f->nha1, &f->r10[0]),
		NO_ERROR);
	CHECK_U(add(f->b, "10.0.0.0", 8, 7, 1, RTM_VIEW_MASK_UCAST, f->nhb, NULL, &f->r10[1]),
		NO_ERROR);
	CHECK_U(add(f->a, "10.0.0.0", 8, 9, 1, RTM_VIEW_MASK_UCAST, f->nha2, f->nha2, &f->r10[2]),
		NO_ERROR);
	CHECK_U(add(f->b, "10.0.0.0", 8, 9, 2, RTM_VIEW_MASK_UCAST, f->nhb, f->nhb, &f->r10[3]),
		NO_ERROR);
	CHECK_U(add(f->b, "11.0.0.0", 8, 1, 1, RTM_VIEW_MASK_UCAST, f->nhb, NULL, &f->r11[0]),
		NO_ERROR);
	CHECK_U(add(f->a, "11.0.0.0", 8, 9, 1, RTM_VIEW_MASK_UCAST, f->nha1, NULL, &f->r11[1]),
		NO_ERROR);
	CHECK_U(add(f->a, "9.0.0.0", 8, 9, 1, RTM_VIEW_MASK_UCAST, f->nha2, NULL, &f->r9),
		NO_ERROR);
	/* A multicast route on 10/8 (b, neighbour nha1: any next hop may be a neighbour). */
	CHECK_U(add(f->b, "10.0.0.0", 8, 1, 1, RTM_VIEW_MASK_MCAST, NULL, f->nha1, &f->m10),
		NO_ERROR);
	RTM_NET_ADDRESS a = rt_addr("10.0.0.0", 8);
	CHECK_U(RtmGetExactMatchDestination(f->a, &a, 0, 0, &f->db10.info), NO_ERROR);
	f->d10 = f->db10.info.DestHandle;
}

static void test_route_enum_dest_and_table(void)
{
	struct fixture f;
	fixture_init(&f);
	RTM_ROUTE_HANDLE got[16];
	RTM_ENUM_HANDLE h;
	/* One destination, unicast: best first; the sample's flags (START + a handle). */
	h = route_enum(f.a, f.d10, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, 0, NULL, 0);
	expect_routes(got, read_routes(f.a, h, 100, got, 16), f.r10, 4);
	/* Position flags do not matter with a destination handle. */
	h = route_enum(f.a, f.d10, RTM_VIEW_MASK_UCAST, RTM_ENUM_RANGE, "11.0.0.0", 8, 0, NULL, 0);
	expect_routes(got, read_routes(f.a, h, 3, got, 16), f.r10, 4);
	/* Any view: the multicast route too, in the destination's order. */
	h = route_enum(f.a, f.d10, 0, RTM_ENUM_START, NULL, 0, 0, NULL, 0);
	RTM_ROUTE_HANDLE any10[5] = { f.m10, f.r10[0], f.r10[1], f.r10[2], f.r10[3] };
	expect_routes(got, read_routes(f.a, h, 2, got, 16), any10, 5);
	/* The whole table, unicast, in batches that split destinations. */
	RTM_ROUTE_HANDLE all[7] = {
		f.r9, f.r10[0], f.r10[1], f.r10[2], f.r10[3], f.r11[0], f.r11[1]
	};
	for (UINT batch = 1; batch <= 8; batch++) {
		h = route_enum(f.a, NULL, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, 0, NULL, 0);
		expect_routes(got, read_routes(f.a, h, batch, got, 16), all, 7);
		CHECK_U(RtmDeleteEnumHandle(f.a, h), NO_ERROR);
	}
	/* NEXT and RANGE. */
	h = route_enum(f.a, NULL, RTM_VIEW_MASK_UCAST, RTM_ENUM_NEXT, "10.0.0.0", 8, 0, NULL, 0);
	expect_routes(got, read_routes(f.a, h, 3, got, 16), all + 1, 6);
	h = route_enum(f.a, NULL, RTM_VIEW_MASK_UCAST, RTM_ENUM_RANGE, "10.0.0.0", 8, 0, NULL, 0);
	expect_routes(got, read_routes(f.a, h, 3, got, 16), all + 1, 4);
	/* Own routes. */
	h = route_enum(f.a, NULL, RTM_VIEW_MASK_UCAST, RTM_ENUM_OWN_ROUTES, NULL, 0, 0, NULL, 0);
	RTM_ROUTE_HANDLE own[4] = { f.r9, f.r10[0], f.r10[2], f.r11[1] };
	expect_routes(got, read_routes(f.a, h, 2, got, 16), own, 4);
	h = route_enum(f.b, f.d10, 0, RTM_ENUM_OWN_ROUTES, NULL, 0, 0, NULL, 0);
	RTM_ROUTE_HANDLE own_b[3] = { f.m10, f.r10[1], f.r10[3] };
	expect_routes(got, read_routes(f.b, h, 2, got, 16), own_b, 3);
	/* Handles returned are referenced: they outlive the route's deletion. */
	h = route_enum(f.b, f.d10, RTM_VIEW_MASK_MCAST, RTM_ENUM_START, NULL, 0, 0, NULL, 0);
	RTM_ROUTE_HANDLE mh[2];
	UINT n = 2;
	CHECK_U(RtmGetEnumRoutes(f.b, h, &n, mh), NO_ERROR);
	CHECK_U(n, 1);
	CHECK(mh[0] == f.m10);
	CHECK_U(RtmDeleteRouteToDest(f.b, f.m10, NULL), NO_ERROR);
	rt_route_buf rb;
	CHECK_U(rt_route_info(f.b, mh[0], &rb), NO_ERROR);
	CHECK_U(rb.info.State, RTM_ROUTE_STATE_DELETED);
	CHECK_U(RtmReleaseRouteInfo(f.b, &rb.info), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(f.b, 1, mh), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(f.a, &f.db10.info), NO_ERROR);
}

static void test_route_enum_match(void)
{
	struct fixture f;
	fixture_init(&f);
	RTM_ROUTE_HANDLE got[16];
	RTM_ENUM_HANDLE h;
	rt_route_buf crit;
	memset(&crit, 0, sizeof(crit));
	/* OWNER */
	crit.info.RouteOwner = f.b;
	h = route_enum(f.a, NULL, RTM_VIEW_MASK_UCAST, 0, NULL, 0, RTM_MATCH_OWNER, &crit.info, 0);
	RTM_ROUTE_HANDLE owner_b[3] = { f.r10[1], f.r10[3], f.r11[0] };
	expect_routes(got, read_routes(f.a, h, 2, got, 16), owner_b, 3);
	/* NEIGHBOUR (NULL matches routes learned from no neighbour). */
	crit.info.Neighbour = f.nha2;
	h = route_enum(f.a, NULL, RTM_VIEW_MASK_UCAST, 0, NULL, 0, RTM_MATCH_NEIGHBOUR, &crit.info,
		       0);
	expect_routes(got, read_routes(f.a, h, 2, got, 16), &f.r10[2], 1);
	crit.info.Neighbour = NULL;
	h = route_enum(f.a, NULL, RTM_VIEW_MASK_UCAST, 0, NULL, 0, RTM_MATCH_NEIGHBOUR, &crit.info,
		       0);
	RTM_ROUTE_HANDLE no_nbr[4] = { f.r9, f.r10[1], f.r11[0], f.r11[1] };
	expect_routes(got, read_routes(f.a, h, 2, got, 16), no_nbr, 4);
	/* PREF: preference and metric. */
	crit.info.PrefInfo.Preference = 9;
	crit.info.PrefInfo.Metric = 1;
	h = route_enum(f.a, NULL, RTM_VIEW_MASK_UCAST, 0, NULL, 0, RTM_MATCH_PREF, &crit.info, 0);
	RTM_ROUTE_HANDLE pref9[3] = { f.r9, f.r10[2], f.r11[1] };
	expect_routes(got, read_routes(f.a, h, 2, got, 16), pref9, 3);
	/* NEXTHOP */
	crit.info.NextHopsList.NumNextHops = 1;
	crit.info.NextHopsList.NextHops[0] = f.nhb;
	h = route_enum(f.a, NULL, RTM_VIEW_MASK_UCAST, 0, NULL, 0, RTM_MATCH_NEXTHOP, &crit.info,
		       0);
	expect_routes(got, read_routes(f.a, h, 2, got, 16), owner_b, 3);
	/* INTERFACE, with no criteria route. */
	h = route_enum(f.a, NULL, RTM_VIEW_MASK_UCAST, 0, NULL, 0, RTM_MATCH_INTERFACE, NULL, 2);
	RTM_ROUTE_HANDLE if2[2] = { f.r9, f.r10[2] };
	expect_routes(got, read_routes(f.a, h, 2, got, 16), if2, 2);
	/* Two criteria at once: owner a and interface 1; and everything with NONE. */
	crit.info.RouteOwner = f.a;
	h = route_enum(f.a, NULL, RTM_VIEW_MASK_UCAST, 0, NULL, 0,
		       RTM_MATCH_OWNER | RTM_MATCH_INTERFACE, &crit.info, 1);
	RTM_ROUTE_HANDLE a_if1[2] = { f.r10[0], f.r11[1] };
	expect_routes(got, read_routes(f.a, h, 2, got, 16), a_if1, 2);
	h = route_enum(f.a, NULL, RTM_VIEW_MASK_UCAST, 0, NULL, 0, RTM_MATCH_NONE, &crit.info, 0);
	CHECK_U(read_routes(f.a, h, 2, got, 16), 7);
	/* FULL: every field, the interface included. */
	rt_route_buf full;
	CHECK_U(rt_route_info(f.a, f.r10[2], &full), NO_ERROR);
	h = route_enum(f.a, NULL, RTM_VIEW_MASK_UCAST, 0, NULL, 0, RTM_MATCH_FULL, &full.info, 2);
	expect_routes(got, read_routes(f.a, h, 2, got, 16), &f.r10[2], 1);
	h = route_enum(f.a, NULL, RTM_VIEW_MASK_UCAST, 0, NULL, 0, RTM_MATCH_FULL, &full.info, 1);
	CHECK_U(read_routes(f.a, h, 2, got, 16), 0);
	CHECK_U(RtmReleaseRouteInfo(f.a, &full.info), NO_ERROR);
	/* The criteria were copied: the client's buffer may change afterwards. */
	crit.info.RouteOwner = f.b;
	h = route_enum(f.a, NULL, RTM_VIEW_MASK_UCAST, 0, NULL, 0, RTM_MATCH_OWNER, &crit.info, 0);
	crit.info.RouteOwner = f.a;
	expect_routes(got, read_routes(f.a, h, 2, got, 16), owner_b, 3);
	CHECK_U(RtmReleaseDestInfo(f.a, &f.db10.info), NO_ERROR);
}

static void test_route_enum_hold(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ROUTE_HANDLE r, keep;
	CHECK_U(add(e, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &r), NO_ERROR);
	rt_dest_buf db;
	RTM_NET_ADDRESS a = rt_addr("10.0.0.0", 8);
	CHECK_U(RtmGetExactMatchDestination(e, &a, 0, 0, &db.info), NO_ERROR);
	CHECK_U(RtmHoldDestination(e, db.info.DestHandle, RTM_VIEW_MASK_UCAST, 60000), NO_ERROR);
	keep = r;
	CHECK_U(RtmReferenceHandles(e, 1, &keep), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(e, r, NULL), NO_ERROR);
	RTM_ROUTE_HANDLE newer;
	CHECK_U(add(e, "10.0.0.0", 8, 20, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &newer), NO_ERROR);
	RTM_ROUTE_HANDLE got[4];
	/* With any view: the live route, then the hold-down route. */
	RTM_ENUM_HANDLE h = route_enum(e, NULL, 0, RTM_ENUM_START, NULL, 0, 0, NULL, 0);
	RTM_ROUTE_HANDLE want[2] = { newer, keep };
	expect_routes(got, read_routes(e, h, 1, got, 4), want, 2);
	/* With the unicast view: not the hold-down route. */
	h = route_enum(e, NULL, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, 0, NULL, 0);
	expect_routes(got, read_routes(e, h, 1, got, 4), want, 1);
	CHECK_U(RtmReleaseRoutes(e, 1, &keep), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(e, 1, &newer), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(e, &db.info), NO_ERROR);
}

/* A batch ends inside a destination; its routes change between calls. */
static void test_route_enum_split_destination(void)
{
	RTM_ENTITY_HANDLE e[8];
	RTM_ROUTE_HANDLE r[8];
	for (unsigned i = 0; i < 8; i++) {
		e[i] = reg(100 + i, NULL);
		CHECK_U(add(e[i], "10.0.0.0", 8, 10 + i, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &r[i]),
			NO_ERROR);
	}
	CHECK_U(add(e[0], "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	RTM_ENUM_HANDLE h =
		route_enum(e[0], NULL, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, 0, NULL, 0);
	RTM_ROUTE_HANDLE got[16];
	UINT n = 3;
	CHECK_U(RtmGetEnumRoutes(e[0], h, &n, got), NO_ERROR);
	CHECK_U(n, 3);
	CHECK(got[0] == r[0] && got[1] == r[1] && got[2] == r[2]);
	CHECK_U(RtmReleaseRoutes(e[0], n, got), NO_ERROR);
	/* Owed: r3..r7.  Delete r4, make r7 the best and r0 the worst. */
	CHECK_U(RtmDeleteRouteToDest(e[4], r[4], NULL), NO_ERROR);
	CHECK_U(add(e[7], "10.0.0.0", 8, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	CHECK_U(add(e[0], "10.0.0.0", 8, 99, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	/* A route added to the destination meanwhile is not owed. */
	RTM_ENTITY_HANDLE late = reg(300, NULL);
	CHECK_U(add(late, "10.0.0.0", 8, 50, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	unsigned k = read_routes(e[0], h, 2, got, 16);
	/* r3, r5, r6, r7 (in snapshot order), then 11/8's route. */
	CHECK_U(k, 5);
	CHECK(got[0] == r[3] && got[1] == r[5] && got[2] == r[6] && got[3] == r[7]);
	CHECK(got[4] == rt_best(e[0], "11.0.0.0", 8, RTM_VIEW_MASK_UCAST));
	for (unsigned i = 0; i < 8; i++)
		if (i != 4)
			CHECK_U(RtmReleaseRoutes(e[i], 1, &r[i]), NO_ERROR);
}

/* The routes owed from a split destination are checked again when the next
 * batch serves them: one deleted while another client still references it
 * (its handle still resolves, to a dead route), one moved out of the
 * enumerated view, and one that no longer meets the criteria are not
 * returned; the others are, once each, in snapshot order. */
static void test_route_enum_owed_recheck(void)
{
	RTM_ENTITY_HANDLE e[8], holder = reg(300, NULL);
	RTM_ROUTE_HANDLE r[8], r11;
	for (unsigned i = 0; i < 8; i++) {
		e[i] = reg(100 + i, NULL);
		CHECK_U(add(e[i], "10.0.0.0", 8, 10 + i, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &r[i]),
			NO_ERROR);
	}
	CHECK_U(add(e[0], "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &r11), NO_ERROR);
	RTM_ENUM_HANDLE h =
		route_enum(e[0], NULL, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, 0, NULL, 0);
	RTM_ROUTE_HANDLE got[16];
	UINT n = 3;
	CHECK_U(RtmGetEnumRoutes(e[0], h, &n, got), NO_ERROR);
	RTM_ROUTE_HANDLE first[3] = { r[0], r[1], r[2] };
	expect_routes(got, n, first, 3);
	CHECK_U(RtmReleaseRoutes(e[0], n, got), NO_ERROR);
	/* Owed: r3..r7.  r4 is deleted while the holder keeps a reference: its
	 * handle still names a (dead) route.  r5 leaves the unicast view. */
	RTM_ROUTE_HANDLE held = r[4];
	CHECK_U(RtmReferenceHandles(holder, 1, &held), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(e[4], r[4], NULL), NO_ERROR); /* consumes e[4]'s handle */
	rt_route_buf rb;
	CHECK_U(rt_route_info(holder, held, &rb), NO_ERROR);
	CHECK_U(rb.info.State, RTM_ROUTE_STATE_DELETED);
	CHECK_U(RtmReleaseRouteInfo(holder, &rb.info), NO_ERROR);
	RTM_ROUTE_HANDLE moved = NULL;
	CHECK_U(add(e[5], "10.0.0.0", 8, 15, 1, RTM_VIEW_MASK_MCAST, NULL, NULL, &moved), NO_ERROR);
	CHECK(moved == r[5]); /* updated in place, not a new route */
	CHECK_U(RtmReleaseRoutes(e[5], 1, &moved), NO_ERROR);
	/* The rest, in batches of 2 and of 1: r3, r6, r7, then 11/8's route. */
	RTM_ROUTE_HANDLE rest[4] = { r[3], r[6], r[7], r11 };
	expect_routes(got, read_routes(e[0], h, 2, got, 16), rest, 4);
	CHECK_U(RtmDeleteEnumHandle(e[0], h), NO_ERROR);

	/* The same split, with every view: the moved route is still in it (it is
	 * returned), the deleted one is not (a dead route is returned only as a
	 * hold-down route). */
	h = route_enum(e[0], NULL, 0, RTM_ENUM_START, NULL, 0, 0, NULL, 0);
	n = 2;
	CHECK_U(RtmGetEnumRoutes(e[0], h, &n, got), NO_ERROR);
	expect_routes(got, n, first, 2);
	CHECK_U(RtmReleaseRoutes(e[0], n, got), NO_ERROR);
	/* Owed: r2, r3, r5, r6, r7.  r6 is deleted, held. */
	RTM_ROUTE_HANDLE held6 = r[6];
	CHECK_U(RtmReferenceHandles(holder, 1, &held6), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(e[6], r[6], NULL), NO_ERROR);
	RTM_ROUTE_HANDLE any_rest[5] = { r[2], r[3], r[5], r[7], r11 };
	expect_routes(got, read_routes(e[0], h, 1, got, 16), any_rest, 5);
	CHECK_U(RtmDeleteEnumHandle(e[0], h), NO_ERROR);

	/* A range of 10/8 (criteria given, matching nothing in particular).
	 * Unicast 10/8 is now r0, r1, r2, r3, r7; after r0 and r1, r7 is deleted,
	 * held. */
	rt_route_buf crit;
	memset(&crit, 0, sizeof(crit));
	RTM_ROUTE_HANDLE m[2] = { r[0], r[1] };
	h = route_enum(e[0], NULL, RTM_VIEW_MASK_UCAST, RTM_ENUM_RANGE, "10.0.0.0", 8,
		       RTM_MATCH_NONE, &crit.info, 0);
	n = 2;
	CHECK_U(RtmGetEnumRoutes(e[0], h, &n, got), NO_ERROR);
	expect_routes(got, n, m, 2);
	CHECK_U(RtmReleaseRoutes(e[0], n, got), NO_ERROR);
	RTM_ROUTE_HANDLE held7 = r[7];
	CHECK_U(RtmReferenceHandles(holder, 1, &held7), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(e[7], r[7], NULL), NO_ERROR);
	RTM_ROUTE_HANDLE range_rest[2] = { r[2], r[3] };
	expect_routes(got, read_routes(e[0], h, 2, got, 16), range_rest, 2);
	CHECK_U(RtmDeleteEnumHandle(e[0], h), NO_ERROR);

	/* Matching preference 12 and metric 1: r3 moves from preference 13 to
	 * 12, so r2 and r3 both match, and a batch of 1 owes one of them. */
	crit.info.PrefInfo.Metric = 1;
	crit.info.PrefInfo.Preference = 12;
	CHECK_U(add(e[3], "10.0.0.0", 8, 12, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	h = route_enum(e[0], NULL, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, RTM_MATCH_PREF,
		       &crit.info, 0);
	n = 1;
	CHECK_U(RtmGetEnumRoutes(e[0], h, &n, got), NO_ERROR);
	CHECK_U(n, 1);
	CHECK(got[0] == r[2] || got[0] == r[3]);
	RTM_ROUTE_HANDLE other = got[0] == r[2] ? r[3] : r[2];
	CHECK_U(RtmReleaseRoutes(e[0], n, got), NO_ERROR);
	/* The owed one gets metric 2: it no longer matches, and is not returned. */
	unsigned owner = other == r[2] ? 2 : 3;
	CHECK_U(add(e[owner], "10.0.0.0", 8, 12, 2, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	CHECK_U(read_routes(e[0], h, 2, got, 16), 0);
	CHECK_U(RtmDeleteEnumHandle(e[0], h), NO_ERROR);

	RTM_ROUTE_HANDLE helds[3] = { held, held6, held7 };
	CHECK_U(RtmReleaseRoutes(holder, 3, helds), NO_ERROR);
	CHECK_U(rt_stats(holder).routes, 6);
	for (unsigned i = 0; i < 8; i++)
		if (i != 4 && i != 6 && i != 7)
			CHECK_U(RtmReleaseRoutes(e[i], 1, &r[i]), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(e[0], 1, &r11), NO_ERROR);
}

/* A route enumeration whose position names a destination freed between two
 * calls (its only route deleted, the handle released) goes on with the next
 * one: the walk resumes by key, not from the freed destination. */
static void test_route_enum_position_freed(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ROUTE_HANDLE r[3];
	static const char *const pfx[3] = { "10.0.0.0", "11.0.0.0", "12.0.0.0" };
	for (unsigned i = 0; i < 3; i++)
		CHECK_U(add(e, pfx[i], 8, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &r[i]), NO_ERROR);
	RTM_ENUM_HANDLE h =
		route_enum(e, NULL, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, 0, NULL, 0);
	RTM_ROUTE_HANDLE got[4];
	UINT n = 1;
	CHECK_U(RtmGetEnumRoutes(e, h, &n, got), NO_ERROR);
	CHECK_U(n, 1);
	CHECK(got[0] == r[0]);
	CHECK_U(RtmReleaseRoutes(e, 1, got), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(e, r[0], NULL), NO_ERROR); /* consumes r[0] */
	CHECK_U(rt_stats(e).dests, 2);                          /* 10/8 is freed */
	CHECK(rt_check_rib(e) == 0);
	n = 4;
	CHECK_U(RtmGetEnumRoutes(e, h, &n, got), NO_ERROR);
	CHECK_U(n, 2);
	CHECK(got[0] == r[1] && got[1] == r[2]);
	CHECK_U(RtmReleaseRoutes(e, n, got), NO_ERROR);
	CHECK_U(RtmDeleteEnumHandle(e, h), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(e, 2, &r[1]), NO_ERROR);
}

/* A filtered enumeration passes over many destinations in one call: it lets
 * go of the table every few thousand (tablenum.c) and still returns each of
 * its destinations and routes once, in order. */
static void test_sparse_own_enumeration(void)
{
	RTM_ENTITY_HANDLE mine = reg(100, NULL), other = reg(200, NULL);
	enum { N = 20000, EVERY = 4999 };
	char t[32];
	unsigned own = 0;
	for (unsigned i = 0; i < N; i++) {
		snprintf(t, sizeof(t), "10.%u.%u.0", i / 256, i % 256);
		RTM_ENTITY_HANDLE who = i % EVERY == 7 ? mine : other;
		own += who == mine;
		REQUIRE(add(who, t, 24, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL) == NO_ERROR);
	}
	REQUIRE(own == 4); /* at 7, 5006, 10005, 15004 */
	/* Destinations: one call returns them all. */
	RTM_ENUM_HANDLE h = dest_enum(mine, RTM_VIEW_MASK_UCAST, RTM_ENUM_START | RTM_ENUM_OWN_DESTS,
				      NULL, 0, 0);
	union {
		RTM_DEST_INFO info;
		char bytes[10 * RTM_SIZE_OF_DEST_INFO(1)];
	} buf;
	UINT num = 10;
	CHECK_U(RtmGetEnumDests(mine, h, &num, &buf.info), NO_ERROR);
	CHECK_U(num, own);
	for (UINT k = 0; k < num && k < own; k++) {
		unsigned i = 7 + k * EVERY;
		snprintf(t, sizeof(t), "10.%u.%u.0", i / 256, i % 256);
		const RTM_DEST_INFO *di = (const void *)(buf.bytes + k * RTM_SIZE_OF_DEST_INFO(1));
		CHECK(addr_is(&di->DestAddress, t, 24));
	}
	CHECK_U(RtmReleaseDests(mine, num, &buf.info), NO_ERROR);
	num = 10;
	CHECK_U(RtmGetEnumDests(mine, h, &num, &buf.info), ERROR_NO_MORE_ITEMS);
	CHECK_U(num, 0);
	CHECK_U(RtmDeleteEnumHandle(mine, h), NO_ERROR);
	/* Routes: the same. */
	h = route_enum(mine, NULL, RTM_VIEW_MASK_UCAST, RTM_ENUM_START | RTM_ENUM_OWN_ROUTES, NULL, 0,
		       RTM_MATCH_NONE, NULL, 0);
	RTM_ROUTE_HANDLE r[10];
	num = 10;
	CHECK_U(RtmGetEnumRoutes(mine, h, &num, r), NO_ERROR);
	CHECK_U(num, own);
	for (UINT k = 0; k < num && k < own; k++) {
		rt_route_buf rb;
		RTM_NET_ADDRESS a;
		CHECK_U(RtmGetRouteInfo(mine, r[k], &rb.info, &a), NO_ERROR);
		unsigned i = 7 + k * EVERY;
		snprintf(t, sizeof(t), "10.%u.%u.0", i / 256, i % 256);
		CHECK(addr_is(&a, t, 24));
		CHECK(rb.info.RouteOwner == mine);
		RtmReleaseRouteInfo(mine, &rb.info);
	}
	CHECK_U(RtmReleaseRoutes(mine, num, r), NO_ERROR);
	num = 10;
	CHECK_U(RtmGetEnumRoutes(mine, h, &num, r), ERROR_NO_MORE_ITEMS);
	CHECK_U(RtmDeleteEnumHandle(mine, h), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(mine), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(other), NO_ERROR);
}

/* A destination with more routes than a lock-free reader references at once
 * (its reap list's room, 80): a batch of 100 still comes whole, best first,
 * the rest owed and paid in the same call; the second batch ends the
 * destination. */
static void test_route_enum_crowded_destination(void)
{
	enum { N = 130 };
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	static RTM_ROUTE_HANDLE want[N];
	for (unsigned i = 0; i < N; i++) {
		char text[32];
		snprintf(text, sizeof(text), "192.0.%u.%u", 2 + i / 200, 1 + i % 200);
		RTM_NEXTHOP_HANDLE nb = rt_nexthop(e, text, 1);
		/* One route per neighbour; metric i puts them in this order. */
		CHECK_U(add(e, "10.0.0.0", 8, 5, i, RTM_VIEW_MASK_UCAST, nb, nb, &want[i]), NO_ERROR);
	}
	RTM_ENUM_HANDLE h = route_enum(e, NULL, 0, RTM_ENUM_START, NULL, 0, 0, NULL, 0);
	static RTM_ROUTE_HANDLE got[N];
	UINT n = 100;
	CHECK_U(RtmGetEnumRoutes(e, h, &n, got), NO_ERROR);
	CHECK_U(n, 100);
	UINT m = N - 100;
	CHECK_U(RtmGetEnumRoutes(e, h, &m, got + 100), NO_ERROR);
	CHECK_U(m, N - 100);
	expect_routes(got, n + m, want, N);
	UINT z = 1;
	CHECK_U(RtmGetEnumRoutes(e, h, &z, got), ERROR_NO_MORE_ITEMS);
	CHECK_U(z, 0);
	CHECK_U(RtmReleaseRoutes(e, n + m, got), NO_ERROR);
	CHECK_U(RtmDeleteEnumHandle(e, h), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(e, N, want), NO_ERROR);
	rtm_stats st = rt_stats(e);
	CHECK_U(st.routes, N);
	CHECK_U(st.dests, 1);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
}

static void test_route_enum_nomem(void)
{
	RTM_ENTITY_HANDLE e[6];
	for (unsigned i = 0; i < 6; i++) {
		e[i] = reg(100 + i, NULL);
		CHECK_U(add(e[i], "10.0.0.0", 8, 10 + i, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL),
			NO_ERROR);
	}
	CHECK_U(add(e[0], "9.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	RTM_ENUM_HANDLE h = route_enum(e[0], NULL, 0, RTM_ENUM_START, NULL, 0, 0, NULL, 0);
	RTM_ROUTE_HANDLE got[8];
	/* 9/8 fits; 10/8 would need a snapshot: the call stops before it. */
	UINT n = 3;
	rtm__alloc_fail_at(1);
	CHECK_U(RtmGetEnumRoutes(e[0], h, &n, got), NO_ERROR);
	rtm__alloc_fail_at(0);
	CHECK_U(n, 1);
	CHECK_U(RtmReleaseRoutes(e[0], n, got), NO_ERROR);
	/* Nothing gathered yet: ERROR_NOT_ENOUGH_MEMORY, and nothing moved. */
	n = 3;
	rtm__alloc_fail_at(1);
	CHECK_U(RtmGetEnumRoutes(e[0], h, &n, got), ERROR_NOT_ENOUGH_MEMORY);
	rtm__alloc_fail_at(0);
	CHECK_U(n, 0);
	CHECK_U(read_routes(e[0], h, 3, got, 8), 6);
}

int main(void)
{
	RUN(test_route_enum_invalid);
	RUN(test_route_enum_dest_and_table);
	RUN(test_route_enum_match);
	RUN(test_route_enum_hold);
	RUN(test_route_enum_split_destination);
	RUN(test_route_enum_owed_recheck);
	RUN(test_route_enum_position_freed);
	RUN(test_route_enum_nomem);
	RUN(test_route_enum_crowded_destination);
	RUN(test_sparse_own_enumeration);
	TEST_MAIN_END();
}
