/*
 * test_dest.c — destinations (dest.c): best route per view, the ProtocolId
 * filter, RtmGetDestInfo's fields, exact / most specific / less specific
 * queries for IPv4 and IPv6, destination locks and opaque pointers.
 */
#include "ribcheck.h"
#include "rtmtest.h"

/* RtmGetDestInfo by address (exact match), into db; NO_ERROR or the code. */
static DWORD dest_info(RTM_ENTITY_HANDLE e, const char *a, unsigned len, ULONG proto, RTM_VIEW_SET views,
		       rt_dest_buf *db)
{
	RTM_NET_ADDRESS d = rt_addr(a, len);
	memset(db, 0xCD, sizeof(*db));
	return RtmGetExactMatchDestination(e, &d, proto, views, &db->info);
}

static uint64_t filetime(FILETIME ft)
{
	return ((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime;
}

static void test_dest_info_invalid(void)
{
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, 1);
	REQUIRE(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "10.0.0.1", 1);
	RTM_ROUTE_HANDLE r;
	REQUIRE(rt_add_route(e, "10.1.0.0", 16, 1, 1, 1, nh, NULL, &r, NULL) == NO_ERROR);
	rt_dest_buf db;
	REQUIRE(dest_info(e, "10.1.0.0", 16, 0, 1, &db) == NO_ERROR);
	RTM_DEST_HANDLE d = db.info.DestHandle;
	CHECK_U(RtmReleaseDestInfo(e, &db.info), NO_ERROR); /* the route keeps d alive */
	CHECK_U(RtmGetDestInfo(e, d, 0, 1, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetDestInfo(e, NULL, 0, 1, &db.info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetDestInfo(NULL, d, 0, 1, &db.info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetDestInfo(e, r, 0, 1, &db.info), ERROR_INVALID_HANDLE);
	RTM_NET_ADDRESS a = rt_addr("10.1.0.0", 16);
	CHECK_U(RtmGetExactMatchDestination(e, &a, 0, 1, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetMostSpecificDestination(e, &a, 0, 1, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetLessSpecificDestination(e, d, 0, 1, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmReleaseDestInfo(e, NULL), ERROR_INVALID_PARAMETER);
	REQUIRE(dest_info(e, "10.1.0.0", 16, 0, 1, &db) == NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(NULL, &db.info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseDestInfo(e, &db.info), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(e, &db.info), ERROR_INVALID_HANDLE);
	RtmReleaseRoutes(e, 1, &r);
	RtmReleaseNextHops(e, 1, &nh);
	RtmDeregisterEntity(e);
}

static void test_best_per_view(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 10), b = rt_register(AF_INET, 20);
	REQUIRE(a && b);
	RTM_NEXTHOP_HANDLE na = rt_nexthop(a, "10.0.0.1", 1), nb = rt_nexthop(b, "10.0.0.2", 2);
	RTM_ROUTE_HANDLE uc, mc, both;
	rt_route_buf rb;
	RTM_NET_ADDRESS d = rt_addr("10.1.0.0", 16);
	DWORD fl;
	/* Unicast-only, preference 5, flags LOCAL. */
	rt_route_fill(&rb.info, 5, 1, RTM_VIEW_MASK_UCAST, na, NULL);
	rb.info.Flags = RTM_ROUTE_FLAGS_LOCAL;
	uc = NULL;
	fl = 0;
	REQUIRE(RtmAddRouteToDest(a, &uc, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl) == NO_ERROR);
	/* Multicast-only, preference 10, flags MCAST. */
	rt_route_fill(&rb.info, 10, 1, RTM_VIEW_MASK_MCAST, nb, NULL);
	rb.info.Flags = RTM_ROUTE_FLAGS_MCAST;
	mc = NULL;
	fl = 0;
	REQUIRE(RtmAddRouteToDest(b, &mc, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl) == NO_ERROR);
	/* In both views, preference 20. */
	rt_route_fill(&rb.info, 20, 1, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST, nb, nb);
	both = NULL;
	fl = 0;
	REQUIRE(RtmAddRouteToDest(b, &both, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl) == NO_ERROR);

	rt_dest_buf db;
	REQUIRE(dest_info(a, "10.1.0.0", 16, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST,
			  &db) == NO_ERROR);
	CHECK(db.info.DestHandle != NULL);
	CHECK(rt_addr_eq(&db.info.DestAddress, &d));
	CHECK(filetime(db.info.LastChanged) > 116444736000000000ULL); /* after 1970 */
	CHECK_U(db.info.BelongsToViews, 3);
	CHECK_U(db.info.NumberOfViews, 2);
	CHECK_U(RT_VIEW(&db.info, 0).ViewId, RTM_VIEW_ID_UCAST);
	CHECK_U(RT_VIEW(&db.info, 0).NumRoutes, 2);
	CHECK(RT_VIEW(&db.info, 0).Route == uc);
	CHECK(RT_VIEW(&db.info, 0).Owner == a);
	CHECK_U(RT_VIEW(&db.info, 0).DestFlags, RTM_ROUTE_FLAGS_LOCAL);
	CHECK(RT_VIEW(&db.info, 0).HoldRoute == NULL);
	CHECK_U(RT_VIEW(&db.info, 1).ViewId, RTM_VIEW_ID_MCAST);
	CHECK_U(RT_VIEW(&db.info, 1).NumRoutes, 2);
	CHECK(RT_VIEW(&db.info, 1).Route == mc);
	CHECK(RT_VIEW(&db.info, 1).Owner == b);
	CHECK_U(RT_VIEW(&db.info, 1).DestFlags, RTM_ROUTE_FLAGS_MCAST);
	CHECK(RT_VIEW(&db.info, 1).HoldRoute == NULL);
	RTM_DEST_HANDLE dh = db.info.DestHandle;
	uint64_t t0 = filetime(db.info.LastChanged);
	CHECK_U(RtmReleaseDestInfo(a, &db.info), NO_ERROR);

	/* One view asked: one entry, for that view. */
	CHECK_U(RtmGetDestInfo(b, dh, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_MCAST, &db.info), NO_ERROR);
	CHECK_U(db.info.NumberOfViews, 1);
	CHECK_U(RT_VIEW(&db.info, 0).ViewId, RTM_VIEW_ID_MCAST);
	CHECK(RT_VIEW(&db.info, 0).Route == mc);
	CHECK_U(RtmReleaseDestInfo(b, &db.info), NO_ERROR);
	/* Views the table does not support are left out. */
	CHECK_U(RtmGetDestInfo(b, dh, RTM_BEST_PROTOCOL, 0x4 | RTM_VIEW_MASK_UCAST, &db.info), NO_ERROR);
	CHECK_U(db.info.NumberOfViews, 1);
	CHECK_U(RT_VIEW(&db.info, 0).ViewId, RTM_VIEW_ID_UCAST);
	CHECK_U(RtmReleaseDestInfo(b, &db.info), NO_ERROR);
	/* RTM_VIEW_MASK_ANY: the destination, no view entries. */
	memset(&db, 0xCD, sizeof(db));
	CHECK_U(RtmGetDestInfo(b, dh, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ANY, &db.info), NO_ERROR);
	CHECK_U(db.info.NumberOfViews, 0);
	CHECK(db.info.DestHandle == dh);
	CHECK_U(db.info.BelongsToViews, 3);
	CHECK(rt_addr_eq(&db.info.DestAddress, &d));
	CHECK_U(RtmReleaseDestInfo(b, &db.info), NO_ERROR);
	/* RTM_VIEW_MASK_ALL: every supported view. */
	CHECK_U(RtmGetDestInfo(b, dh, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ALL, &db.info), NO_ERROR);
	CHECK_U(db.info.NumberOfViews, 2);
	CHECK_U(RtmReleaseDestInfo(b, &db.info), NO_ERROR);

	/* Removing the unicast-only route: the route in both views is best in unicast. */
	rt_sleep_ms(2);
	DWORD dfl;
	CHECK_U(RtmDeleteRouteToDest(a, uc, &dfl), NO_ERROR);
	CHECK_U(dfl, RTM_ROUTE_CHANGE_BEST);
	CHECK_U(RtmGetDestInfo(a, dh, 0, 3, &db.info), NO_ERROR);
	CHECK(filetime(db.info.LastChanged) > t0);
	CHECK_U(RT_VIEW(&db.info, 0).NumRoutes, 1);
	CHECK(RT_VIEW(&db.info, 0).Route == both);
	CHECK(RT_VIEW(&db.info, 0).Owner == b);
	CHECK_U(RT_VIEW(&db.info, 0).DestFlags, 0);
	CHECK(RT_VIEW(&db.info, 1).Route == mc);
	CHECK_U(RtmReleaseDestInfo(a, &db.info), NO_ERROR);
	/* And without the multicast routes, the multicast view is empty. */
	CHECK_U(RtmDeleteRouteToDest(b, mc, &dfl), NO_ERROR);
	rt_route_fill(&rb.info, 20, 1, RTM_VIEW_MASK_UCAST, nb, nb);
	fl = 0;
	CHECK_U(RtmAddRouteToDest(b, &both, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK_U(RtmGetDestInfo(a, dh, 0, 3, &db.info), NO_ERROR);
	CHECK_U(db.info.BelongsToViews, RTM_VIEW_MASK_UCAST);
	CHECK_U(RT_VIEW(&db.info, 1).NumRoutes, 0);
	CHECK(RT_VIEW(&db.info, 1).Route == NULL && RT_VIEW(&db.info, 1).Owner == NULL);
	CHECK_U(RtmReleaseDestInfo(a, &db.info), NO_ERROR);
	/* A multicast lookup does not land on a unicast-only destination. */
	RTM_NET_ADDRESS q = rt_addr("10.1.2.3", 32);
	CHECK_U(RtmGetMostSpecificDestination(a, &q, 0, RTM_VIEW_MASK_MCAST, &db.info), ERROR_NOT_FOUND);
	CHECK_U(RtmGetMostSpecificDestination(a, &q, 0, RTM_VIEW_MASK_UCAST, &db.info), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(a, &db.info), NO_ERROR);
	RtmReleaseRoutes(b, 1, &both);
	RtmReleaseNextHops(a, 1, &na);
	RtmReleaseNextHops(b, 1, &nb);
	RtmDeregisterEntity(a);
	RtmDeregisterEntity(b);
}

static void test_preference_then_metric(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 10);
	REQUIRE(a);
	RTM_NEXTHOP_HANDLE n[3] = { rt_nexthop(a, "10.0.0.1", 1), rt_nexthop(a, "10.0.0.2", 1),
				    rt_nexthop(a, "10.0.0.3", 1) };
	RTM_ROUTE_HANDLE r[3];
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 10, 5, 1, n[0], n[0], &r[0], NULL) == NO_ERROR);
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 10, 3, 1, n[1], n[1], &r[1], NULL) == NO_ERROR);
	CHECK(rt_best(a, "10.1.0.0", 16, 1) == r[1]);
	/* A better preference wins whatever its metric. */
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 5, 1000, 1, n[2], n[2], &r[2], NULL) == NO_ERROR);
	CHECK(rt_best(a, "10.1.0.0", 16, 1) == r[2]);
	/* Preference 0 and metric 0 are the best possible values. */
	RTM_ROUTE_HANDLE same = r[0];
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 0, 0xFFFFFFFF, 1, n[0], n[0], &same, NULL) == NO_ERROR);
	CHECK(rt_best(a, "10.1.0.0", 16, 1) == r[0]);
	rt_dest_buf db;
	REQUIRE(dest_info(a, "10.1.0.0", 16, 0, 1, &db) == NO_ERROR);
	CHECK_U(RT_VIEW(&db.info, 0).NumRoutes, 3);
	RtmReleaseDestInfo(a, &db.info);
	RtmReleaseRoutes(a, 3, r);
	RtmReleaseNextHops(a, 3, n);
	RtmDeregisterEntity(a);
}

static void test_protocol_filter(void)
{
	RTM_ENTITY_HANDLE a, a2, b;
	REQUIRE(rt_register_ex(0, AF_INET, 10, 1, NULL, FALSE, NULL, &a, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 10, 2, NULL, FALSE, NULL, &a2, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 20, 1, NULL, FALSE, NULL, &b, NULL) == NO_ERROR);
	RTM_NEXTHOP_HANDLE na = rt_nexthop(a, "10.0.0.1", 1), na2 = rt_nexthop(a2, "10.0.0.2", 1),
			   nb = rt_nexthop(b, "10.0.0.3", 1);
	RTM_ROUTE_HANDLE ra, ra2, rb_;
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 5, 1, 1, na, NULL, &ra, NULL) == NO_ERROR);
	REQUIRE(rt_add_route(a2, "10.1.0.0", 16, 3, 1, 1, na2, NULL, &ra2, NULL) == NO_ERROR);
	REQUIRE(rt_add_route(b, "10.1.0.0", 16, 1, 1, 1, nb, NULL, &rb_, NULL) == NO_ERROR);
	rt_dest_buf db;
	struct {
		RTM_ENTITY_HANDLE caller;
		ULONG proto;
		RTM_ROUTE_HANDLE route;
		RTM_ENTITY_HANDLE owner;
	} cases[] = {
		{ a, RTM_BEST_PROTOCOL, rb_, b },
		{ a, RTM_THIS_PROTOCOL, ra2, a2 }, /* protocol 10, any instance */
		{ a2, RTM_THIS_PROTOCOL, ra2, a2 },
		{ b, RTM_THIS_PROTOCOL, rb_, b },
		{ b, 10, ra2, a2 },
		{ a, 20, rb_, b },
		{ a, 30, NULL, NULL },
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_U(dest_info(cases[i].caller, "10.1.0.0", 16, cases[i].proto, 1, &db), NO_ERROR);
		CHECK_U(db.info.NumberOfViews, 1);
		/* NumRoutes counts every route of the view; the filter picks the reported one. */
		CHECK_U(RT_VIEW(&db.info, 0).NumRoutes, 3);
		if (RT_VIEW(&db.info, 0).Route != cases[i].route || RT_VIEW(&db.info, 0).Owner != cases[i].owner)
			fprintf(stderr, "  protocol filter case %u\n", i);
		CHECK(RT_VIEW(&db.info, 0).Route == cases[i].route);
		CHECK(RT_VIEW(&db.info, 0).Owner == cases[i].owner);
		CHECK_U(RtmReleaseDestInfo(cases[i].caller, &db.info), NO_ERROR);
	}
	/* The same filter in the other queries. */
	RTM_NET_ADDRESS q = rt_addr("10.1.7.7", 32);
	CHECK_U(RtmGetMostSpecificDestination(b, &q, 10, 1, &db.info), NO_ERROR);
	CHECK(RT_VIEW(&db.info, 0).Route == ra2);
	CHECK_U(RtmReleaseDestInfo(b, &db.info), NO_ERROR);
	RTM_ROUTE_HANDLE hs[3] = { ra, ra2, rb_ };
	RtmReleaseRoutes(a, 1, &hs[0]);
	RtmReleaseRoutes(a2, 1, &hs[1]);
	RtmReleaseRoutes(b, 1, &hs[2]);
	RtmReleaseNextHops(a, 1, &na);
	RtmReleaseNextHops(a2, 1, &na2);
	RtmReleaseNextHops(b, 1, &nb);
	RtmDeregisterEntity(a);
	RtmDeregisterEntity(a2);
	RtmDeregisterEntity(b);
}

static void test_exact_match_destination(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 10);
	REQUIRE(a);
	RTM_NEXTHOP_HANDLE n = rt_nexthop(a, "10.0.0.1", 1);
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 1, 1, 1, n, NULL, NULL, NULL) == NO_ERROR);
	REQUIRE(rt_add_route(a, "10.1.0.0", 24, 1, 1, 1, n, NULL, NULL, NULL) == NO_ERROR);
	rt_dest_buf db;
	CHECK_U(dest_info(a, "10.1.0.0", 16, 0, 1, &db), NO_ERROR);
	RTM_NET_ADDRESS w = rt_addr("10.1.0.0", 16);
	CHECK(rt_addr_eq(&db.info.DestAddress, &w));
	RtmReleaseDestInfo(a, &db.info);
	CHECK_U(dest_info(a, "10.1.0.0", 24, 0, 1, &db), NO_ERROR);
	RtmReleaseDestInfo(a, &db.info);
	/* No partial matches. */
	CHECK_U(dest_info(a, "10.1.0.0", 20, 0, 1, &db), ERROR_NOT_FOUND);
	CHECK_U(dest_info(a, "10.1.0.0", 8, 0, 1, &db), ERROR_NOT_FOUND);
	CHECK_U(dest_info(a, "10.1.0.0", 32, 0, 1, &db), ERROR_NOT_FOUND);
	CHECK_U(dest_info(a, "10.2.0.0", 16, 0, 1, &db), ERROR_NOT_FOUND);
	/* Found whatever the views asked (it has a route). */
	CHECK_U(dest_info(a, "10.1.0.0", 16, 0, RTM_VIEW_MASK_MCAST, &db), NO_ERROR);
	CHECK(RT_VIEW(&db.info, 0).Route == NULL);
	RtmReleaseDestInfo(a, &db.info);
	RtmReleaseNextHops(a, 1, &n);
	RtmDeregisterEntity(a);
}

struct lm {
	const char *q;
	unsigned qlen;
	const char *want; /* NULL: not found */
	unsigned wlen;
};

static void check_longest(RTM_ENTITY_HANDLE e, const struct lm *cases, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		RTM_NET_ADDRESS q = rt_addr(cases[i].q, cases[i].qlen);
		rt_dest_buf db;
		DWORD rc = RtmGetMostSpecificDestination(e, &q, 0, RTM_VIEW_MASK_UCAST, &db.info);
		if (!cases[i].want) {
			CHECK_U(rc, ERROR_NOT_FOUND);
			continue;
		}
		CHECK_U(rc, NO_ERROR);
		if (rc != NO_ERROR)
			continue;
		RTM_NET_ADDRESS w = rt_addr(cases[i].want, cases[i].wlen);
		if (!rt_addr_eq(&db.info.DestAddress, &w))
			fprintf(stderr, "  %s/%u: got length %u, want %s/%u\n", cases[i].q, cases[i].qlen,
				db.info.DestAddress.NumBits, cases[i].want, cases[i].wlen);
		CHECK(rt_addr_eq(&db.info.DestAddress, &w));
		CHECK(RT_VIEW(&db.info, 0).Route != NULL);
		CHECK_U(RtmReleaseDestInfo(e, &db.info), NO_ERROR);
	}
}

static void test_most_specific_ipv4(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 10);
	REQUIRE(a);
	RTM_NEXTHOP_HANDLE n = rt_nexthop(a, "10.0.0.1", 1);
	const char *pfx[] = { "10.0.0.0", "10.1.0.0", "10.1.2.0", "10.1.2.128", "192.168.0.0" };
	unsigned len[] = { 8, 16, 24, 25, 16 };
	for (unsigned i = 0; i < 5; i++)
		REQUIRE(rt_add_route(a, pfx[i], len[i], 1, 1, 1, n, NULL, NULL, NULL) == NO_ERROR);
	struct lm before_default[] = {
		{ "10.1.2.3", 32, "10.1.2.0", 24 },     { "10.1.2.200", 32, "10.1.2.128", 25 },
		{ "10.1.3.3", 32, "10.1.0.0", 16 },     { "10.2.0.0", 32, "10.0.0.0", 8 },
		{ "10.1.2.0", 24, "10.1.2.0", 24 },     /* exact match first */
		{ "10.1.0.0", 12, "10.0.0.0", 8 },      /* a shorter query: prefixes of length <= 12 */
		{ "11.0.0.1", 32, NULL, 0 },            { "192.168.255.255", 32, "192.168.0.0", 16 },
		{ "192.169.0.0", 32, NULL, 0 },         { "0.0.0.0", 0, NULL, 0 },
	};
	check_longest(a, before_default, sizeof(before_default) / sizeof(before_default[0]));
	REQUIRE(rt_add_route(a, "0.0.0.0", 0, 1, 1, 1, n, NULL, NULL, NULL) == NO_ERROR);
	struct lm with_default[] = {
		{ "11.0.0.1", 32, "0.0.0.0", 0 },
		{ "10.1.2.3", 32, "10.1.2.0", 24 },
		{ "255.255.255.255", 32, "0.0.0.0", 0 },
		{ "0.0.0.0", 0, "0.0.0.0", 0 },
		{ "10.0.0.0", 7, "0.0.0.0", 0 },
	};
	check_longest(a, with_default, sizeof(with_default) / sizeof(with_default[0]));
	RtmReleaseNextHops(a, 1, &n);
	RtmDeregisterEntity(a);
}

static void test_most_specific_ipv6(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET6, 10);
	REQUIRE(a);
	RTM_NEXTHOP_HANDLE n = rt_nexthop(a, "fe80::1", 1);
	const char *pfx[] = { "2001:db8::", "2001:db8:1::", "2001:db8:1:2::", "2001:db8:1:2::1" };
	unsigned len[] = { 32, 48, 64, 128 };
	for (unsigned i = 0; i < 4; i++)
		REQUIRE(rt_add_route(a, pfx[i], len[i], 1, 1, 1, n, NULL, NULL, NULL) == NO_ERROR);
	struct lm cases[] = {
		{ "2001:db8:1:2::1", 128, "2001:db8:1:2::1", 128 },
		{ "2001:db8:1:2::2", 128, "2001:db8:1:2::", 64 },
		{ "2001:db8:1:3::", 128, "2001:db8:1::", 48 },
		{ "2001:db8:ffff::", 128, "2001:db8::", 32 },
		{ "2001:db9::", 128, NULL, 0 },
		{ "::", 0, NULL, 0 },
	};
	check_longest(a, cases, sizeof(cases) / sizeof(cases[0]));
	REQUIRE(rt_add_route(a, "::", 0, 1, 1, 1, n, NULL, NULL, NULL) == NO_ERROR);
	struct lm with_default[] = {
		{ "2001:db9::", 128, "::", 0 },
		{ "ffff::", 16, "::", 0 },
		{ "2001:db8:1:2::", 63, "2001:db8:1::", 48 },
	};
	check_longest(a, with_default, sizeof(with_default) / sizeof(with_default[0]));
	RtmReleaseNextHops(a, 1, &n);
	RtmDeregisterEntity(a);
}

/* Walks up from a destination with RtmGetLessSpecificDestination; checks the lengths met. */
static void walk_up(RTM_ENTITY_HANDLE e, USHORT family, const char *from, unsigned len, const unsigned *want,
		    unsigned n)
{
	rt_dest_buf db;
	REQUIRE(dest_info(e, from, len, 0, 1, &db) == NO_ERROR);
	for (unsigned i = 0; i <= n; i++) {
		rt_dest_buf up;
		DWORD rc = RtmGetLessSpecificDestination(e, db.info.DestHandle, 0, 1, &up.info);
		CHECK_U(RtmReleaseDestInfo(e, &db.info), NO_ERROR);
		if (i == n) {
			CHECK_U(rc, ERROR_NOT_FOUND);
			return;
		}
		REQUIRE(rc == NO_ERROR);
		CHECK_U(up.info.DestAddress.NumBits, want[i]);
		CHECK_U(up.info.DestAddress.AddressFamily, family);
		CHECK(RT_VIEW(&up.info, 0).Route != NULL);
		db = up;
	}
}

static void test_less_specific(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 10);
	REQUIRE(a);
	RTM_NEXTHOP_HANDLE n = rt_nexthop(a, "10.0.0.1", 1);
	const char *pfx[] = { "10.0.0.0", "10.1.0.0", "10.1.2.0", "10.1.3.0" };
	unsigned len[] = { 8, 16, 24, 24 };
	for (unsigned i = 0; i < 4; i++)
		REQUIRE(rt_add_route(a, pfx[i], len[i], 1, 1, 1, n, NULL, NULL, NULL) == NO_ERROR);
	rt_dest_buf db;
	CHECK_U(RtmGetLessSpecificDestination(a, (RTM_DEST_HANDLE)0x77, 0, 1, &db.info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetLessSpecificDestination(NULL, (RTM_DEST_HANDLE)0x77, 0, 1, &db.info), ERROR_INVALID_HANDLE);
	/* Without a default route: up to /8, then not found. */
	unsigned up1[] = { 16, 8 };
	walk_up(a, AF_INET, "10.1.2.0", 24, up1, 2);
	/* With one: the default route is returned once, then not found. */
	REQUIRE(rt_add_route(a, "0.0.0.0", 0, 1, 1, 1, n, NULL, NULL, NULL) == NO_ERROR);
	unsigned up2[] = { 16, 8, 0 };
	walk_up(a, AF_INET, "10.1.3.0", 24, up2, 3);
	unsigned up3[] = { 0 };
	walk_up(a, AF_INET, "10.0.0.0", 8, up3, 1);
	walk_up(a, AF_INET, "0.0.0.0", 0, NULL, 0);
	/* A destination in between without a route in the view is skipped. */
	RTM_NEXTHOP_HANDLE n2 = rt_nexthop(a, "10.0.0.2", 1);
	RTM_ROUTE_HANDLE r16;
	RTM_NET_ADDRESS d16 = rt_addr("10.1.0.0", 16);
	rt_route_buf rb;
	REQUIRE(RtmGetExactMatchRoute(a, &d16, RTM_MATCH_NONE, NULL, 0, 0, &r16) == NO_ERROR);
	rt_route_fill(&rb.info, 1, 1, RTM_VIEW_MASK_MCAST, n, NULL);
	DWORD fl = 0;
	REQUIRE(RtmAddRouteToDest(a, &r16, &d16, &rb.info, INFINITE, NULL, 0, NULL, &fl) == NO_ERROR);
	unsigned up4[] = { 8, 0 };
	walk_up(a, AF_INET, "10.1.2.0", 24, up4, 2);
	RtmReleaseRoutes(a, 1, &r16);
	RtmReleaseNextHops(a, 1, &n);
	RtmReleaseNextHops(a, 1, &n2);
	RtmDeregisterEntity(a);
}

static void test_less_specific_ipv6(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET6, 10);
	REQUIRE(a);
	RTM_NEXTHOP_HANDLE n = rt_nexthop(a, "fe80::1", 1);
	const char *pfx[] = { "::", "2001:db8::", "2001:db8:1:2::", "2001:db8:1:2::1" };
	unsigned len[] = { 0, 32, 64, 128 };
	for (unsigned i = 0; i < 4; i++)
		REQUIRE(rt_add_route(a, pfx[i], len[i], 1, 1, 1, n, NULL, NULL, NULL) == NO_ERROR);
	unsigned up[] = { 64, 32, 0 };
	walk_up(a, AF_INET6, "2001:db8:1:2::1", 128, up, 3);
	RtmReleaseNextHops(a, 1, &n);
	RtmDeregisterEntity(a);
}

static void test_lock_and_opaque(void)
{
	RTM_ENTITY_HANDLE a, b, none;
	REQUIRE(rt_register_ex(0, AF_INET, 10, 1, NULL, TRUE, NULL, &a, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 20, 1, NULL, TRUE, NULL, &b, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 30, 1, NULL, FALSE, NULL, &none, NULL) == NO_ERROR);
	RTM_NEXTHOP_HANDLE n = rt_nexthop(a, "10.0.0.1", 1);
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 1, 1, 1, n, NULL, NULL, NULL) == NO_ERROR);
	REQUIRE(rt_add_route(a, "10.2.0.0", 16, 1, 1, 1, n, NULL, NULL, NULL) == NO_ERROR);
	rt_dest_buf db;
	REQUIRE(dest_info(a, "10.1.0.0", 16, 0, 0, &db) == NO_ERROR);
	RTM_DEST_HANDLE d1 = db.info.DestHandle;
	REQUIRE(dest_info(a, "10.2.0.0", 16, 0, 0, &db) == NO_ERROR);
	RTM_DEST_HANDLE d2 = db.info.DestHandle;

	PVOID *pa = NULL, *pb = NULL, *pn = NULL, *pa2 = NULL;
	CHECK_U(RtmGetOpaqueInformationPointer(a, d1, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetOpaqueInformationPointer(a, (RTM_DEST_HANDLE)0x1, (PVOID *)&pa), ERROR_INVALID_HANDLE);
	/* No slot reserved: not found, nothing written. */
	CHECK_U(RtmGetOpaqueInformationPointer(none, d1, (PVOID *)&pn), ERROR_NOT_FOUND);
	CHECK(pn == NULL);
	CHECK_U(RtmGetOpaqueInformationPointer(a, d1, (PVOID *)&pa), NO_ERROR);
	CHECK_U(RtmGetOpaqueInformationPointer(b, d1, (PVOID *)&pb), NO_ERROR);
	CHECK_U(RtmGetOpaqueInformationPointer(a, d2, (PVOID *)&pa2), NO_ERROR);
	REQUIRE(pa && pb && pa2);
	CHECK(pa != pb && pa != pa2);
	CHECK(*pa == NULL && *pb == NULL && *pa2 == NULL);

	/* Write under the destination lock; the value persists. */
	CHECK_U(RtmLockDestination(a, d1, TRUE, FALSE), ERROR_INVALID_PARAMETER); /* not locked */
	CHECK_U(RtmLockDestination(a, (RTM_DEST_HANDLE)0x1, TRUE, TRUE), ERROR_INVALID_HANDLE);
	CHECK_U(RtmLockDestination(a, d1, TRUE, TRUE), NO_ERROR);
	*pa = (PVOID)0xA1;
	CHECK_U(RtmLockDestination(a, d1, TRUE, FALSE), NO_ERROR);
	CHECK_U(RtmLockDestination(b, d1, TRUE, TRUE), NO_ERROR);
	*pb = (PVOID)0xB1;
	CHECK_U(RtmLockDestination(b, d1, TRUE, FALSE), NO_ERROR);
	/* Shared locks nest; the other mode cannot unlock them. */
	CHECK_U(RtmLockDestination(a, d2, FALSE, TRUE), NO_ERROR);
	CHECK_U(RtmLockDestination(a, d2, FALSE, TRUE), NO_ERROR);
	CHECK_U(RtmLockDestination(a, d2, TRUE, FALSE), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmLockDestination(a, d2, FALSE, FALSE), NO_ERROR);
	CHECK_U(RtmLockDestination(a, d2, FALSE, FALSE), NO_ERROR);
	CHECK_U(RtmLockDestination(a, d2, FALSE, FALSE), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmLockDestination(a, d2, TRUE, TRUE), NO_ERROR);
	*pa2 = (PVOID)0xA2;
	CHECK_U(RtmLockDestination(a, d2, TRUE, FALSE), NO_ERROR);

	PVOID *again = NULL;
	CHECK_U(RtmGetOpaqueInformationPointer(a, d1, (PVOID *)&again), NO_ERROR);
	CHECK(again == pa && *again == (PVOID)0xA1);
	CHECK_U(RtmGetOpaqueInformationPointer(b, d1, (PVOID *)&again), NO_ERROR);
	CHECK(again == pb && *again == (PVOID)0xB1);
	/* Route changes do not touch it. */
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 2, 2, 1, n, NULL, NULL, NULL) == NO_ERROR);
	CHECK(*pa == (PVOID)0xA1);

	/* a deregisters: its slot is cleared in every destination; a newcomer
	 * that gets the slot finds it empty.  b's value stays. */
	RTM_ENTITY_HANDLE c;
	RtmReleaseNextHops(a, 1, &n);
	n = rt_nexthop(b, "10.0.0.9", 1);
	REQUIRE(rt_add_route(b, "10.1.0.0", 16, 9, 9, 1, n, NULL, NULL, NULL) == NO_ERROR);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 40, 1, NULL, TRUE, NULL, &c, NULL) == NO_ERROR);
	PVOID *pc = NULL;
	CHECK_U(RtmGetOpaqueInformationPointer(c, d1, (PVOID *)&pc), NO_ERROR);
	REQUIRE(pc != NULL);
	CHECK(*pc == NULL);
	CHECK_U(RtmGetOpaqueInformationPointer(c, d2, (PVOID *)&pc), NO_ERROR);
	REQUIRE(pc != NULL);
	CHECK(*pc == NULL); /* the slot is cleared in every destination */
	CHECK_U(RtmGetOpaqueInformationPointer(b, d1, (PVOID *)&again), NO_ERROR);
	CHECK(*again == (PVOID)0xB1);
	RTM_DEST_HANDLE ds[2] = { d1, d2 };
	memset(&db, 0, sizeof(db));
	for (unsigned i = 0; i < 2; i++) {
		db.info.DestHandle = ds[i];
		CHECK_U(RtmReleaseDestInfo(b, &db.info), NO_ERROR);
	}
	RtmReleaseNextHops(b, 1, &n);
	RtmDeregisterEntity(b);
	RtmDeregisterEntity(c);
	RtmDeregisterEntity(none);
}

/* Destinations held only by a client's handle are not visible to queries. */
static void test_handle_keeps_dest(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 10);
	REQUIRE(a);
	RTM_NEXTHOP_HANDLE n = rt_nexthop(a, "10.0.0.1", 1);
	RTM_ROUTE_HANDLE r;
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 1, 1, 1, n, NULL, &r, NULL) == NO_ERROR);
	rt_dest_buf db;
	REQUIRE(dest_info(a, "10.1.0.0", 16, 0, 1, &db) == NO_ERROR);
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(a, r, &fl), NO_ERROR);
	/* The handle still answers, with no routes. */
	rt_dest_buf db2;
	CHECK_U(RtmGetDestInfo(a, db.info.DestHandle, 0, 1, &db2.info), NO_ERROR);
	CHECK_U(RT_VIEW(&db2.info, 0).NumRoutes, 0);
	CHECK(RT_VIEW(&db2.info, 0).Route == NULL);
	CHECK_U(db2.info.BelongsToViews, 0);
	RtmReleaseDestInfo(a, &db2.info);
	CHECK_U(dest_info(a, "10.1.0.0", 16, 0, 1, &db2), ERROR_NOT_FOUND);
	/* A new route brings the same destination back. */
	RTM_ROUTE_HANDLE r2;
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 1, 1, 1, n, NULL, &r2, NULL) == NO_ERROR);
	CHECK_U(dest_info(a, "10.1.0.0", 16, 0, 1, &db2), NO_ERROR);
	CHECK(db2.info.DestHandle == db.info.DestHandle);
	RtmReleaseDestInfo(a, &db2.info);
	CHECK_U(RtmDeleteRouteToDest(a, r2, &fl), NO_ERROR);
	RtmReleaseDestInfo(a, &db.info);
	rtm_stats s = rt_stats(a);
	CHECK_U(s.dests, 0);
	CHECK_U(s.routes, 0);
	RtmReleaseNextHops(a, 1, &n);
	RtmDeregisterEntity(a);
}

/* A destination counts its routes past 16 bits (a regression: the count was
 * 16 bits wide and the 65,536th route made the destination vanish). */
static void test_many_routes_one_dest(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 10), b = rt_register(AF_INET, 20);
	REQUIRE(a && b);
	RTM_NEXTHOP_HANDLE n = rt_nexthop(a, "10.0.0.1", 1);
	enum { N = 65537 };
	RTM_NET_ADDRESS d = rt_addr("10.9.0.0", 16);
	rt_route_buf rb;
	for (unsigned i = 0; i < N; i++) {
		/* Each better than the last: it goes to the head of the list. */
		rt_route_fill(&rb.info, 1, N - i, RTM_VIEW_MASK_UCAST, n, NULL);
		RTM_ROUTE_CHANGE_FLAGS fl = RTM_ROUTE_CHANGE_NEW;
		DWORD rc = RtmAddRouteToDest(a, NULL, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl);
		if (rc != NO_ERROR) {
			CHECK_U(rc, NO_ERROR);
			break;
		}
	}
	rt_dest_buf db;
	CHECK_U(dest_info(b, "10.9.0.0", 16, 0, RTM_VIEW_MASK_UCAST, &db), NO_ERROR);
	CHECK_U(RT_VIEW(&db.info, 0).NumRoutes, N);
	CHECK(RT_VIEW(&db.info, 0).Owner == a);
	rt_route_buf got;
	CHECK_U(RtmGetRouteInfo(b, RT_VIEW(&db.info, 0).Route, &got.info, NULL), NO_ERROR);
	CHECK_U(got.info.PrefInfo.Metric, 1);
	RtmReleaseRouteInfo(b, &got.info);
	RtmReleaseDestInfo(b, &db.info);
	CHECK_U(rt_stats(b).routes, N);
	RtmReleaseNextHops(a, 1, &n);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
	rtm_stats s = rt_stats(b);
	CHECK_U(s.routes, 0);
	CHECK_U(s.dests, 0);
	RtmDeregisterEntity(b);
}

/* RtmDeleteRouteToDest releases the handle it is given.  Deleting a route
 * through the handle in a destination's information consumes that handle:
 * the information is then released with the field cleared (API-NOTES). */
static void test_delete_through_dest_info(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 10);
	REQUIRE(a);
	RTM_NEXTHOP_HANDLE n = rt_nexthop(a, "10.0.0.1", 1);
	REQUIRE(rt_add_route(a, "10.2.0.0", 16, 1, 1, 1, n, NULL, NULL, NULL) == NO_ERROR);
	rt_dest_buf db;
	REQUIRE(dest_info(a, "10.2.0.0", 16, 0, 1, &db) == NO_ERROR);
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(a, RT_VIEW(&db.info, 0).Route, &fl), NO_ERROR);
	/* The route handle is gone: releasing the information as it is refuses
	 * it, and releases nothing. */
	CHECK_U(RtmReleaseDestInfo(a, &db.info), ERROR_INVALID_HANDLE);
	CHECK_U(rt_stats(a).dests, 1);
	RT_VIEW(&db.info, 0).Route = NULL;
	CHECK_U(RtmReleaseDestInfo(a, &db.info), NO_ERROR);
	rtm_stats s = rt_stats(a);
	CHECK_U(s.dests, 0);
	CHECK_U(s.routes, 0);
	RtmReleaseNextHops(a, 1, &n);
	RtmDeregisterEntity(a);
}

/*
 * The destinations are chained in walk order (dest.c) for the enumerations.
 * Adds and deletes at either end of the walk, of covering and covered
 * prefixes, in a scrambled order, keep the chain the trie's walk exactly.
 */
static void test_walk_chain(void)
{
	static const struct {
		const char *addr;
		unsigned len;
	} p[] = {
		{ "10.1.0.0", 16 }, { "0.0.0.0", 0 },	   { "255.255.255.255", 32 },
		{ "10.0.0.0", 8 },  { "10.1.2.0", 24 },	   { "10.1.2.128", 25 },
		{ "10.1.2.0", 25 }, { "10.128.0.0", 9 },   { "0.0.0.0", 32 },
		{ "10.1.3.0", 24 }, { "192.168.0.0", 16 }, { "128.0.0.0", 1 },
	};
	enum { N = sizeof(p) / sizeof(p[0]) };
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, 1);
	RTM_ROUTE_HANDLE r[N];
	/* Add in an order that makes a new first and last now and then. */
	static const unsigned add_order[N] = { 0, 3, 1, 4, 2, 6, 5, 8, 7, 11, 9, 10 };
	for (unsigned k = 0; k < N; k++) {
		unsigned i = add_order[k];
		REQUIRE(rt_add_route(e, p[i].addr, p[i].len, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL,
				     &r[i], NULL) == NO_ERROR);
		CHECK(rt_check_rib(e) == 0);
	}
	CHECK_U(rt_stats(e).dests, N);
	/* Delete the first, the last, then covering prefixes before covered ones. */
	static const unsigned del_order[N] = { 1, 2, 8, 3, 0, 11, 5, 4, 10, 6, 9, 7 };
	for (unsigned k = 0; k < N; k++) {
		CHECK_U(RtmDeleteRouteToDest(e, r[del_order[k]], NULL), NO_ERROR);
		CHECK(rt_check_rib(e) == 0);
		CHECK_U(rt_stats(e).dests, N - 1 - k);
	}
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
}

int main(void)
{
	RUN(test_dest_info_invalid);
	RUN(test_best_per_view);
	RUN(test_preference_then_metric);
	RUN(test_protocol_filter);
	RUN(test_exact_match_destination);
	RUN(test_most_specific_ipv4);
	RUN(test_most_specific_ipv6);
	RUN(test_less_specific);
	RUN(test_less_specific_ipv6);
	RUN(test_lock_and_opaque);
	RUN(test_handle_keeps_dest);
	RUN(test_many_routes_one_dest);
	RUN(test_delete_through_dest_info);
	RUN(test_walk_chain);
	TEST_MAIN_END();
}
