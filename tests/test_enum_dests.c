/*
 * test_enum_dests.c — enumerations of destinations and next hops, and the
 * enumerations' lifetime (the routes' are in test_enum_routes.c).
 *
 * Invalid input first; then order (the trie's: by address, a prefix before
 * those it covers), START / NEXT / RANGE, batches, the filters (own,
 * protocol, views), and the exactly-once rule when the table changes between
 * batches, including deletion of the destination the enumeration stands on.
 */
#include "enumtest.h"
#include "ribcheck.h"

/* ---- helpers ------------------------------------------------------------------ */

struct item {
	char name[64];
	RTM_DEST_HANDLE dest;
	RTM_ROUTE_HANDLE route; /* best route of the first view, if any */
	UINT num;
	UINT nviews;
};

/* Reads a destination enumeration to its end in batches of `batch`, releasing
 * each batch; checks the end protocol.  Returns the number of items. */
static unsigned read_dests(RTM_ENTITY_HANDLE e, RTM_ENUM_HANDLE en, unsigned nviews, UINT batch,
			   struct item *out, unsigned cap)
{
	size_t stride = RTM_SIZE_OF_DEST_INFO(nviews);
	char *buf = calloc(batch, stride);
	unsigned total = 0;
	for (int guard = 0; guard < 100000; guard++) {
		UINT n = batch;
		DWORD rc = RtmGetEnumDests(e, en, &n, (PRTM_DEST_INFO)(void *)buf);
		if (rc == ERROR_NO_MORE_ITEMS) {
			CHECK_U(n, 0);
			break;
		}
		CHECK_U(rc, NO_ERROR);
		if (rc != NO_ERROR)
			break;
		CHECK(n > 0 && n <= batch);
		for (UINT i = 0; i < n; i++) {
			PRTM_DEST_INFO di = (PRTM_DEST_INFO)(void *)(buf + i * stride);
			CHECK_U(di->NumberOfViews, nviews);
			if (total < cap) {
				fmt(&di->DestAddress, out[total].name, sizeof(out[total].name));
				out[total].dest = di->DestHandle;
				out[total].nviews = di->NumberOfViews;
				out[total].route = nviews ? RT_VIEW(di, 0).Route : NULL;
				out[total].num = nviews ? RT_VIEW(di, 0).NumRoutes : 0;
			}
			total++;
		}
		CHECK_U(RtmReleaseDests(e, n, (PRTM_DEST_INFO)(void *)buf), NO_ERROR);
	}
	free(buf);
	return total;
}

/* Checks that items[0..n) are exactly the names of want[] (NULL-terminated), in order. */
static void expect(const struct item *items, unsigned n, const char *const *want)
{
	unsigned k = 0;
	for (; want[k]; k++) {
		if (k >= n) {
			fprintf(stderr, "  missing %s\n", want[k]);
			CHECK(k < n);
			continue;
		}
		if (strcmp(items[k].name, want[k]) != 0) {
			fprintf(stderr, "  item %u: %s, expected %s\n", k, items[k].name, want[k]);
			CHECK(strcmp(items[k].name, want[k]) == 0);
		}
	}
	CHECK_U(n, k);
}

/* A small table in which walk order and address order differ. */
static const char *const TABLE[] = {
	"0.0.0.0/0",   "9.255.0.0/16", "10.0.0.0/8",     "10.0.0.0/16",
	"10.0.0.0/24", "10.0.1.0/24",  "10.1.0.0/16",    "10.128.0.0/9",
	"11.0.0.0/8",  "192.0.2.0/24", "192.0.2.128/25", NULL,
};

static void add_table(RTM_ENTITY_HANDLE e, const char *const *names, ULONG pref)
{
	for (unsigned i = 0; names[i]; i++) {
		char a[32];
		unsigned len;
		REQUIRE(sscanf(names[i], "%31[^/]/%u", a, &len) == 2);
		CHECK_U(add(e, a, len, pref, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	}
}

/* ---- invalid input ----------------------------------------------------------------- */

static void test_dest_enum_invalid(void)
{
	RTM_REGN_PROFILE p;
	RTM_ENTITY_HANDLE e = reg(100, &p);
	RTM_ENTITY_HANDLE other = reg(101, NULL);
	RTM_NET_ADDRESS a = rt_addr("10.0.0.0", 8), bad = rt_addr("10.0.0.0", 33),
			v6 = rt_addr("2001:db8::", 32);
	RTM_ENUM_HANDLE h = NULL;
	CHECK_U(RtmCreateDestEnum(NULL, 0, RTM_ENUM_START, NULL, 0, &h), ERROR_INVALID_HANDLE);
	CHECK_U(RtmCreateDestEnum(GARBAGE, 0, RTM_ENUM_START, NULL, 0, &h), ERROR_INVALID_HANDLE);
	CHECK_U(RtmCreateDestEnum(e, 0, RTM_ENUM_START, NULL, 0, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateDestEnum(e, 0, RTM_ENUM_NEXT | RTM_ENUM_RANGE, &a, 0, &h),
		ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateDestEnum(e, 0, RTM_ENUM_OWN_ROUTES, NULL, 0, &h), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateDestEnum(e, 0, 0x100, NULL, 0, &h), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateDestEnum(e, 0, RTM_ENUM_NEXT, NULL, 0, &h), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateDestEnum(e, 0, RTM_ENUM_RANGE, NULL, 0, &h), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateDestEnum(e, 0, RTM_ENUM_RANGE, &bad, 0, &h), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateDestEnum(e, 0, RTM_ENUM_RANGE, &v6, 0, &h), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateDestEnum(e, 0x4, RTM_ENUM_START, NULL, 0, &h), ERROR_NOT_SUPPORTED);
	CHECK(h == NULL);
	CHECK_U(rt_stats(e).handles, 0);

	h = dest_enum(e, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, RTM_BEST_PROTOCOL);
	RTM_ENUM_HANDLE hr = NULL;
	CHECK_U(RtmCreateRouteEnum(e, NULL, 0, RTM_ENUM_START, NULL, 0, NULL, 0, &hr), NO_ERROR);
	rt_dest_buf db[2];
	UINT n = 1;
	CHECK_U(RtmGetEnumDests(NULL, h, &n, &db[0].info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEnumDests(e, NULL, &n, &db[0].info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEnumDests(e, GARBAGE, &n, &db[0].info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEnumDests(other, h, &n, &db[0].info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEnumDests(e, hr, &n, &db[0].info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEnumDests(e, h, NULL, &db[0].info), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetEnumDests(e, h, &n, NULL), ERROR_INVALID_PARAMETER);
	n = p.MaxHandlesInEnum + 1;
	CHECK_U(RtmGetEnumDests(e, h, &n, &db[0].info), ERROR_INVALID_PARAMETER);
	/* Empty table: the end at once (and again). */
	n = 1;
	CHECK_U(RtmGetEnumDests(e, h, &n, &db[0].info), ERROR_NO_MORE_ITEMS);
	CHECK_U(n, 0);
	n = 1;
	CHECK_U(RtmGetEnumDests(e, h, &n, &db[0].info), ERROR_NO_MORE_ITEMS);

	CHECK_U(RtmReleaseDests(NULL, 1, &db[0].info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseDests(e, 1, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmReleaseDests(e, 0, NULL), NO_ERROR);
	memset(&db[0], 0, sizeof(db[0]));
	db[0].info.DestHandle = GARBAGE;
	CHECK_U(RtmReleaseDests(e, 1, &db[0].info), ERROR_INVALID_HANDLE);

	CHECK_U(RtmDeleteEnumHandle(other, h), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteEnumHandle(e, GARBAGE), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteEnumHandle(e, h), NO_ERROR);
	CHECK_U(RtmDeleteEnumHandle(e, h), ERROR_INVALID_HANDLE);
	n = 1;
	CHECK_U(RtmGetEnumDests(e, h, &n, &db[0].info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteEnumHandle(e, hr), NO_ERROR);
	CHECK_U(rt_stats(e).handles, 0);
}

static void test_nexthop_enum_invalid(void)
{
	RTM_REGN_PROFILE p;
	RTM_ENTITY_HANDLE e = reg(100, &p);
	RTM_NET_ADDRESS a = rt_addr("192.0.2.0", 24), bad = rt_addr("192.0.2.0", 33);
	RTM_ENUM_HANDLE h = NULL;
	CHECK_U(RtmCreateNextHopEnum(NULL, 0, NULL, &h), ERROR_INVALID_HANDLE);
	CHECK_U(RtmCreateNextHopEnum(e, 0, NULL, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateNextHopEnum(e, 3, &a, &h), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateNextHopEnum(e, RTM_ENUM_OWN_DESTS, NULL, &h), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateNextHopEnum(e, RTM_ENUM_NEXT, NULL, &h), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateNextHopEnum(e, RTM_ENUM_RANGE, &bad, &h), ERROR_INVALID_PARAMETER);
	CHECK(h == NULL);
	CHECK_U(RtmCreateNextHopEnum(e, RTM_ENUM_START, NULL, &h), NO_ERROR);
	RTM_NEXTHOP_HANDLE nh[2];
	UINT n = 2;
	CHECK_U(RtmGetEnumNextHops(NULL, h, &n, nh), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEnumNextHops(e, GARBAGE, &n, nh), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEnumNextHops(e, h, NULL, nh), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetEnumNextHops(e, h, &n, NULL), ERROR_INVALID_PARAMETER);
	n = p.MaxHandlesInEnum + 1;
	CHECK_U(RtmGetEnumNextHops(e, h, &n, nh), ERROR_INVALID_PARAMETER);
	n = 2;
	CHECK_U(RtmGetEnumNextHops(e, h, &n, nh), ERROR_NO_MORE_ITEMS);
	CHECK_U(n, 0);
	CHECK_U(RtmDeleteEnumHandle(e, h), NO_ERROR);
}

/* ---- destinations ----------------------------------------------------------------- */

static void test_dest_order_and_batches(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	add_table(e, TABLE, 10);
	struct item it[20];
	/* Every batch size gives the same walk: by address, a prefix first. */
	for (UINT batch = 1; batch <= 12; batch++) {
		RTM_ENUM_HANDLE h = dest_enum(e, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, 0);
		unsigned n = read_dests(e, h, 1, batch, it, 20);
		expect(it, n, TABLE);
		CHECK_U(RtmDeleteEnumHandle(e, h), NO_ERROR);
	}
	/* The information is the destination's. */
	RTM_ENUM_HANDLE h = dest_enum(e, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, 0);
	size_t stride = RTM_SIZE_OF_DEST_INFO(1);
	char *buf = calloc(4, stride);
	UINT num = 4;
	CHECK_U(RtmGetEnumDests(e, h, &num, (PRTM_DEST_INFO)(void *)buf), NO_ERROR);
	REQUIRE(num == 4);
	PRTM_DEST_INFO d2 = (void *)(buf + 2 * stride);
	CHECK(addr_is(&d2->DestAddress, "10.0.0.0", 8));
	CHECK_U(d2->BelongsToViews, RTM_VIEW_MASK_UCAST);
	CHECK_U(RT_VIEW(d2, 0).ViewId, RTM_VIEW_ID_UCAST);
	CHECK_U(RT_VIEW(d2, 0).NumRoutes, 1);
	CHECK(RT_VIEW(d2, 0).Route == rt_best(e, "10.0.0.0", 8, RTM_VIEW_MASK_UCAST));
	CHECK(RT_VIEW(d2, 0).Owner == e);
	CHECK_U(RtmReleaseDests(e, num, (PRTM_DEST_INFO)(void *)buf), NO_ERROR);
	/* Capacity 0 takes nothing and does not move. */
	num = 0;
	CHECK_U(RtmGetEnumDests(e, h, &num, NULL), NO_ERROR);
	CHECK_U(num, 0);
	unsigned n = read_dests(e, h, 1, 100, it, 20);
	expect(it, n, TABLE + 4);
	/* After the end, the end (even when the table grows behind it). */
	CHECK_U(add(e, "223.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	CHECK_U(read_dests(e, h, 1, 100, it, 20), 0);
	free(buf);
}

static void test_dest_next_range(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	add_table(e, TABLE, 10);
	struct item it[20];
	RTM_ENUM_HANDLE h;

	/* NEXT from 10/16: 10/16 itself and everything after it in the walk. */
	h = dest_enum(e, RTM_VIEW_MASK_UCAST, RTM_ENUM_NEXT, "10.0.0.0", 16, 0);
	expect(it, read_dests(e, h, 1, 3, it, 20), TABLE + 3);
	/* NEXT from a prefix that is not there: what follows it. */
	h = dest_enum(e, RTM_VIEW_MASK_UCAST, RTM_ENUM_NEXT, "10.64.0.0", 10, 0);
	expect(it, read_dests(e, h, 1, 3, it, 20), TABLE + 7);
	/* RANGE 10/8: 10.0.0.0/8 through 10.255.255.255/32. */
	static const char *const r10[] = { "10.0.0.0/8",  "10.0.0.0/16", "10.0.0.0/24",
					   "10.0.1.0/24", "10.1.0.0/16", "10.128.0.0/9",
					   NULL };
	h = dest_enum(e, RTM_VIEW_MASK_UCAST, RTM_ENUM_RANGE, "10.0.0.0", 8, 0);
	expect(it, read_dests(e, h, 1, 2, it, 20), r10);
	/* A range whose own prefix is not a destination; host bits are ignored. */
	static const char *const r100[] = { "10.0.0.0/24", "10.0.1.0/24", NULL };
	h = dest_enum(e, RTM_VIEW_MASK_UCAST, RTM_ENUM_RANGE, "10.0.0.77", 23, 0);
	expect(it, read_dests(e, h, 1, 100, it, 20), r100);
	/* Empty range, and the whole table as a range (the sample's 0/0). */
	h = dest_enum(e, RTM_VIEW_MASK_UCAST, RTM_ENUM_RANGE, "12.0.0.0", 8, 0);
	CHECK_U(read_dests(e, h, 1, 100, it, 20), 0);
	h = dest_enum(e, RTM_VIEW_MASK_UCAST, RTM_ENUM_RANGE, "0.0.0.0", 0, 0);
	expect(it, read_dests(e, h, 1, 5, it, 20), TABLE);
	/* START ignores the address. */
	h = dest_enum(e, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, "11.0.0.0", 8, 0);
	expect(it, read_dests(e, h, 1, 5, it, 20), TABLE);
	/* A /32 range is one destination or none. */
	CHECK_U(add(e, "192.0.2.200", 32, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	static const char *const host[] = { "192.0.2.200/32", NULL };
	h = dest_enum(e, RTM_VIEW_MASK_UCAST, RTM_ENUM_RANGE, "192.0.2.200", 32, 0);
	expect(it, read_dests(e, h, 1, 5, it, 20), host);
}

static void test_dest_ipv6(void)
{
	RTM_ENTITY_HANDLE e = NULL;
	CHECK_U(rt_register_ex(0, AF_INET6, 100, 1, NULL, FALSE, NULL, &e, NULL), NO_ERROR);
	static const char *const names[] = { "2001:db8::/32", "2001:db8::/48", "2001:db8:1::/48",
					     "2001:db9::/32", NULL };
	for (unsigned i = 0; names[i]; i++) {
		char a[64];
		unsigned len;
		REQUIRE(sscanf(names[i], "%63[^/]/%u", a, &len) == 2);
		CHECK_U(add(e, a, len, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	}
	struct item it[8];
	RTM_ENUM_HANDLE h = dest_enum(e, 0, RTM_ENUM_RANGE, "2001:db8::", 32, 0);
	expect(it, read_dests(e, h, 0, 2, it, 8),
	       (const char *const[]){ "2001:db8::/32", "2001:db8::/48", "2001:db8:1::/48", NULL });
}

static void test_dest_own_protocol_views(void)
{
	RTM_ENTITY_HANDLE a = reg(100, NULL);
	RTM_ENTITY_HANDLE a2 = NULL;
	CHECK_U(rt_register_ex(0, AF_INET, 100, 2, NULL, FALSE, NULL, &a2, NULL), NO_ERROR);
	RTM_ENTITY_HANDLE b = reg(200, NULL);
	RTM_ROUTE_HANDLE a_worse, a2_route;
	/* 10/8: a best; 11/8: b best, a worse; 12/8: b only (multicast);
	 * 13/8: a2 (a's protocol, another instance) only. */
	CHECK_U(add(a, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	CHECK_U(add(b, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	CHECK_U(add(a, "11.0.0.0", 8, 20, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &a_worse), NO_ERROR);
	CHECK_U(add(b, "12.0.0.0", 8, 10, 1, RTM_VIEW_MASK_MCAST, NULL, NULL, NULL), NO_ERROR);
	CHECK_U(add(a2, "13.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &a2_route),
		NO_ERROR);
	struct item it[8];
	RTM_ENUM_HANDLE h;
	h = dest_enum(a, RTM_VIEW_MASK_UCAST, RTM_ENUM_OWN_DESTS, NULL, 0, 0);
	expect(it, read_dests(a, h, 1, 10, it, 8), (const char *const[]){ "10.0.0.0/8", NULL });
	h = dest_enum(b, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST, RTM_ENUM_OWN_DESTS, NULL, 0, 0);
	expect(it, read_dests(b, h, 2, 10, it, 8),
	       (const char *const[]){ "11.0.0.0/8", "12.0.0.0/8", NULL });
	h = dest_enum(b, RTM_VIEW_MASK_UCAST, RTM_ENUM_OWN_DESTS, NULL, 0, 0);
	expect(it, read_dests(b, h, 1, 10, it, 8), (const char *const[]){ "11.0.0.0/8", NULL });
	h = dest_enum(b, 0, RTM_ENUM_OWN_DESTS, NULL, 0, 0);
	expect(it, read_dests(b, h, 0, 10, it, 8),
	       (const char *const[]){ "11.0.0.0/8", "12.0.0.0/8", NULL });
	/* Views: unicast and multicast destinations apart, all with ANY. */
	h = dest_enum(a, RTM_VIEW_MASK_MCAST, RTM_ENUM_START, NULL, 0, 0);
	expect(it, read_dests(a, h, 1, 10, it, 8), (const char *const[]){ "12.0.0.0/8", NULL });
	h = dest_enum(a, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, 0);
	CHECK_U(read_dests(a, h, 1, 10, it, 8), 3);
	h = dest_enum(a, 0, RTM_ENUM_START, NULL, 0, 0);
	CHECK_U(read_dests(a, h, 0, 10, it, 8), 4);
	/* ProtocolId is not a criterion: it chooses the route reported. */
	h = dest_enum(a, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, RTM_THIS_PROTOCOL);
	REQUIRE(read_dests(a, h, 1, 10, it, 8) == 3);
	CHECK(strcmp(it[1].name, "11.0.0.0/8") == 0 && it[1].route == a_worse && it[1].num == 2);
	CHECK(strcmp(it[2].name, "13.0.0.0/8") == 0 && it[2].route == a2_route); /* same protocol */
	h = dest_enum(b, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, 100);
	REQUIRE(read_dests(b, h, 1, 10, it, 8) == 3);
	CHECK(it[1].route == a_worse);
	h = dest_enum(b, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, 200);
	REQUIRE(read_dests(b, h, 1, 10, it, 8) == 3);
	CHECK(it[0].route == NULL && it[0].num == 1); /* 10/8 has no route of protocol 200 */
	CHECK(it[1].route != NULL && it[1].route != a_worse);
	CHECK_U(RtmReleaseRoutes(a, 1, &a_worse), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(a2, 1, &a2_route), NO_ERROR);
}

static void test_dest_hold_only(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ROUTE_HANDLE r;
	CHECK_U(add(e, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &r), NO_ERROR);
	CHECK_U(add(e, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	rt_dest_buf db;
	RTM_NET_ADDRESS a = rt_addr("10.0.0.0", 8);
	CHECK_U(RtmGetExactMatchDestination(e, &a, 0, 0, &db.info), NO_ERROR);
	CHECK_U(RtmHoldDestination(e, db.info.DestHandle, RTM_VIEW_MASK_UCAST, 60000), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(e, r, NULL), NO_ERROR);
	struct item it[4];
	/* Only RTM_VIEW_MASK_ANY sees the destination that has only its hold-down route. */
	RTM_ENUM_HANDLE h = dest_enum(e, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, 0);
	expect(it, read_dests(e, h, 1, 10, it, 4), (const char *const[]){ "11.0.0.0/8", NULL });
	h = dest_enum(e, 0, RTM_ENUM_START, NULL, 0, 0);
	expect(it, read_dests(e, h, 0, 10, it, 4),
	       (const char *const[]){ "10.0.0.0/8", "11.0.0.0/8", NULL });
	/* A destination kept only by a handle (no route, no hold) is never enumerated. */
	RTM_ROUTE_HANDLE r2;
	CHECK_U(add(e, "12.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &r2), NO_ERROR);
	rt_dest_buf db2;
	RTM_NET_ADDRESS a2 = rt_addr("12.0.0.0", 8);
	CHECK_U(RtmGetExactMatchDestination(e, &a2, 0, 0, &db2.info), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(e, r2, NULL), NO_ERROR);
	h = dest_enum(e, 0, RTM_ENUM_START, NULL, 0, 0);
	CHECK_U(read_dests(e, h, 0, 10, it, 4), 2);
	CHECK_U(RtmReleaseDestInfo(e, &db.info), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(e, &db2.info), NO_ERROR);
}

/* The destination the enumeration stands on is deleted between batches; so
 * is the next one; one is added behind the position and one ahead of it. */
static void test_dest_exactly_once_under_deletion(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ROUTE_HANDLE r[40];
	char text[32];
	for (unsigned i = 0; i < 40; i++) {
		snprintf(text, sizeof(text), "10.%u.0.0", i);
		CHECK_U(add(e, text, 16, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &r[i]), NO_ERROR);
	}
	RTM_ENUM_HANDLE h = dest_enum(e, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, 0, 0);
	size_t stride = RTM_SIZE_OF_DEST_INFO(1);
	char *buf = calloc(5, stride);
	unsigned seen10[40] = { 0 }, seen9[64] = { 0 }, seen11[64] = { 0 };
	bool deleted[40] = { false }, deleted_unseen[40] = { false };
	unsigned calls = 0;
	for (;;) {
		UINT n = 5;
		DWORD rc = RtmGetEnumDests(e, h, &n, (PRTM_DEST_INFO)(void *)buf);
		if (rc == ERROR_NO_MORE_ITEMS)
			break;
		REQUIRE(rc == NO_ERROR);
		unsigned last = 99;
		for (UINT i = 0; i < n; i++) {
			PRTM_DEST_INFO di = (void *)(buf + i * stride);
			unsigned a = di->DestAddress.AddrBits[0], b = di->DestAddress.AddrBits[1];
			CHECK_U(di->DestAddress.NumBits, 16);
			if (a == 10 && b < 40)
				seen10[last = b]++;
			else if (a == 9 && b < 64)
				seen9[b]++;
			else if (a == 11 && b < 64)
				seen11[b]++;
			else
				CHECK(!"unexpected destination");
		}
		CHECK_U(RtmReleaseDests(e, n, (PRTM_DEST_INFO)(void *)buf), NO_ERROR);
		calls++;
		REQUIRE(calls < 60);
		/* Delete the current position and its successor; add behind and ahead. */
		for (unsigned k = last; k <= last + 1 && k < 40; k++) {
			if (!deleted[k]) {
				CHECK_U(RtmDeleteRouteToDest(e, r[k], NULL), NO_ERROR);
				deleted[k] = true;
				deleted_unseen[k] = seen10[k] == 0;
			}
		}
		if (calls > 4)
			continue; /* (adding ahead forever would never end) */
		snprintf(text, sizeof(text), "9.%u.0.0", calls);
		CHECK_U(add(e, text, 16, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
		snprintf(text, sizeof(text), "11.%u.0.0", calls);
		CHECK_U(add(e, text, 16, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	}
	CHECK(calls > 5);
	/* Never twice; present throughout: exactly once; deleted before the
	 * walk reached it: never. */
	unsigned n11 = 0;
	for (unsigned i = 0; i < 40; i++) {
		CHECK(seen10[i] <= 1);
		if (!deleted[i] || !deleted_unseen[i])
			CHECK_U(seen10[i], 1);
		else
			CHECK_U(seen10[i], 0);
	}
	for (unsigned i = 0; i < 64; i++) {
		CHECK_U(seen9[i], 0); /* behind the position */
		CHECK(seen11[i] <= 1);
		n11 += seen11[i];
	}
	CHECK_U(n11, 4); /* ahead of it */
	CHECK(rt_check_rib(e) == 0);
	for (unsigned i = 0; i < 40; i++)
		if (!deleted[i])
			CHECK_U(RtmReleaseRoutes(e, 1, &r[i]), NO_ERROR);
	free(buf);
}

/* ---- next hops ---------------------------------------------------------------------- */

static unsigned read_nexthops(RTM_ENTITY_HANDLE e, RTM_ENUM_HANDLE en, UINT batch, char names[][64],
			      unsigned cap)
{
	RTM_NEXTHOP_HANDLE *buf = calloc(batch, sizeof(*buf));
	unsigned total = 0;
	for (int guard = 0; guard < 1000; guard++) {
		UINT n = batch;
		DWORD rc = RtmGetEnumNextHops(e, en, &n, buf);
		if (rc == ERROR_NO_MORE_ITEMS) {
			CHECK_U(n, 0);
			break;
		}
		CHECK_U(rc, NO_ERROR);
		if (rc != NO_ERROR)
			break;
		for (UINT i = 0; i < n; i++) {
			RTM_NEXTHOP_INFO ni;
			CHECK_U(RtmGetNextHopInfo(e, buf[i], &ni), NO_ERROR);
			CHECK(ni.NextHopOwner == e);
			if (total < cap) {
				char a[54];
				fmt(&ni.NextHopAddress, a, sizeof(a));
				snprintf(names[total], 64, "%s%%%u", a,
					 ni.InterfaceIndex % 1000000u);
			}
			total++;
			CHECK_U(RtmReleaseNextHopInfo(e, &ni), NO_ERROR);
		}
		CHECK_U(RtmReleaseNextHops(e, n, buf), NO_ERROR);
	}
	free(buf);
	return total;
}

static void expect_names(char names[][64], unsigned n, const char *const *want)
{
	unsigned k = 0;
	for (; want[k]; k++)
		if (k < n && strcmp(names[k], want[k]) != 0) {
			fprintf(stderr, "  next hop %u: %s, expected %s\n", k, names[k], want[k]);
			CHECK(strcmp(names[k], want[k]) == 0);
		}
	CHECK_U(n, k);
}

static void test_nexthop_enum(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE other = reg(200, NULL);
	rt_nexthop(e, "192.0.2.9", 1);
	rt_nexthop(e, "192.0.2.1", 2);
	rt_nexthop(e, "192.0.2.1", 1);
	rt_nexthop(e, "10.0.0.1", 5);
	RTM_NEXTHOP_HANDLE gone = rt_nexthop(e, "198.51.100.1", 1);
	rt_nexthop(e, "203.0.113.1", 1);
	rt_nexthop(other, "192.0.2.5", 1); /* not ours: never enumerated */
	char names[16][64];
	RTM_ENUM_HANDLE h;
	CHECK_U(RtmCreateNextHopEnum(e, RTM_ENUM_START, NULL, &h), NO_ERROR);
	static const char *const all[] = { "10.0.0.1/32%5",
					   "192.0.2.1/32%1",
					   "192.0.2.1/32%2",
					   "192.0.2.9/32%1",
					   "198.51.100.1/32%1",
					   "203.0.113.1/32%1",
					   NULL };
	expect_names(names, read_nexthops(e, h, 2, names, 16), all);
	/* RANGE 192.0.2.0/24, in batches of 1 and 2. */
	RTM_NET_ADDRESS a = rt_addr("192.0.2.0", 24);
	static const char *const r24[] = { "192.0.2.1/32%1", "192.0.2.1/32%2", "192.0.2.9/32%1",
					   NULL };
	for (UINT batch = 1; batch <= 2; batch++) {
		CHECK_U(RtmCreateNextHopEnum(e, RTM_ENUM_RANGE, &a, &h), NO_ERROR);
		expect_names(names, read_nexthops(e, h, batch, names, 16), r24);
	}
	/* NEXT from an address between two next hops. */
	a = rt_addr("192.0.2.5", 32);
	CHECK_U(RtmCreateNextHopEnum(e, RTM_ENUM_NEXT, &a, &h), NO_ERROR);
	expect_names(names, read_nexthops(e, h, 2, names, 16), all + 3);
	/* Deleted while the enumeration stands before it: not returned. */
	CHECK_U(RtmCreateNextHopEnum(e, RTM_ENUM_START, NULL, &h), NO_ERROR);
	RTM_NEXTHOP_HANDLE buf[2];
	UINT n = 2;
	CHECK_U(RtmGetEnumNextHops(e, h, &n, buf), NO_ERROR);
	CHECK_U(n, 2);
	CHECK_U(RtmReleaseNextHops(e, n, buf), NO_ERROR);
	CHECK_U(RtmDeleteNextHop(e, gone, NULL), NO_ERROR);
	static const char *const rest[] = { "192.0.2.1/32%2", "192.0.2.9/32%1", "203.0.113.1/32%1",
					    NULL };
	expect_names(names, read_nexthops(e, h, 2, names, 16), rest);
}

/* ---- lifetime ---------------------------------------------------------------------- */

static void test_enums_freed_with_entity(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	CHECK_U(add(w, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL), NO_ERROR);
	rtm_stats s = rt_stats(w);
	RTM_ENUM_HANDLE h1 = dest_enum(e, 0, RTM_ENUM_START, NULL, 0, 0);
	RTM_ENUM_HANDLE h2 = route_enum(e, NULL, 0, 0, NULL, 0, 0, NULL, 0);
	RTM_ENUM_HANDLE h3;
	CHECK_U(RtmCreateNextHopEnum(e, RTM_ENUM_START, NULL, &h3), NO_ERROR);
	CHECK_U(rt_stats(w).handles, s.handles + 3);
	/* A batch taken and not finished: still freed. */
	rt_dest_buf db;
	UINT n = 1;
	CHECK_U(RtmGetEnumDests(e, h1, &n, &db.info), NO_ERROR);
	CHECK_U(RtmReleaseDests(e, n, &db.info), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
	CHECK_U(rt_stats(w).handles, s.handles);
	/* The handles are invalid, not dangling, for anyone. */
	n = 1;
	CHECK_U(RtmGetEnumDests(w, h1, &n, &db.info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteEnumHandle(w, h2), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteEnumHandle(w, h3), ERROR_INVALID_HANDLE);
}

int main(void)
{
	RUN(test_dest_enum_invalid);
	RUN(test_nexthop_enum_invalid);
	RUN(test_dest_order_and_batches);
	RUN(test_dest_next_range);
	RUN(test_dest_ipv6);
	RUN(test_dest_own_protocol_views);
	RUN(test_dest_hold_only);
	RUN(test_dest_exactly_once_under_deletion);
	RUN(test_nexthop_enum);
	RUN(test_enums_freed_with_entity);
	TEST_MAIN_END();
}
