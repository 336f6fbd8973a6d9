/*
 * test_enum.c — enumerations of destinations, routes and next hops.
 *
 * Invalid input first, per function; then order (the trie's: by address, a
 * prefix before those it covers), START / NEXT / RANGE, batches, the filters
 * (own, protocol, views, matching criteria), and the exactly-once rule when
 * the table changes between batches, including deletion of the destination
 * the enumeration stands on.
 */
#include "alloc.h"
#include "ribcheck.h"
#include "rtmtest.h"

/* ---- helpers ------------------------------------------------------------------ */

static const HANDLE GARBAGE = (HANDLE)(uintptr_t)0xdeadbeefcafe0005ull;

static RTM_ENTITY_HANDLE reg(ULONG proto, RTM_REGN_PROFILE *profile)
{
	RTM_ENTITY_HANDLE h = NULL;
	CHECK_U(rt_register_ex(0, AF_INET, proto, 1, NULL, FALSE, NULL, &h, profile), NO_ERROR);
	return h;
}

static DWORD add(RTM_ENTITY_HANDLE e, const char *dest, unsigned len, ULONG pref, ULONG metric,
		 RTM_VIEW_SET views, RTM_NEXTHOP_HANDLE nh, RTM_NEXTHOP_HANDLE neighbour,
		 RTM_ROUTE_HANDLE *out)
{
	return rt_add_route(e, dest, len, pref, metric, views, nh, neighbour, out, NULL);
}

static bool addr_is(const RTM_NET_ADDRESS *a, const char *text, unsigned len)
{
	RTM_NET_ADDRESS b = rt_addr(text, len);
	return rt_addr_eq(a, &b);
}

/* Prefixes as "a.b.c.d/len" strings, for readable comparisons. */
static void fmt(const RTM_NET_ADDRESS *a, char *buf, size_t size)
{
	char text[48];
	inet_ntop(a->AddressFamily, a->AddrBits, text, sizeof(text));
	snprintf(buf, size, "%s/%u", text, a->NumBits);
}

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

static RTM_ENUM_HANDLE dest_enum(RTM_ENTITY_HANDLE e, RTM_VIEW_SET views, RTM_ENUM_FLAGS flags,
				 const char *addr, unsigned len, ULONG proto)
{
	RTM_NET_ADDRESS a;
	if (addr)
		a = rt_addr(addr, len);
	RTM_ENUM_HANDLE h = NULL;
	CHECK_U(RtmCreateDestEnum(e, views, flags, addr ? &a : NULL, proto, &h), NO_ERROR);
	return h;
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

static RTM_ENUM_HANDLE route_enum(RTM_ENTITY_HANDLE e, RTM_DEST_HANDLE d, RTM_VIEW_SET views,
				  RTM_ENUM_FLAGS flags, const char *start, unsigned len,
				  RTM_MATCH_FLAGS match, PRTM_ROUTE_INFO crit, ULONG ifindex)
{
	RTM_NET_ADDRESS a;
	if (start)
		a = rt_addr(start, len);
	RTM_ENUM_HANDLE h = NULL;
	CHECK_U(RtmCreateRouteEnum(e, d, views, flags, start ? &a : NULL, match, crit, ifindex, &h),
		NO_ERROR);
	return h;
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
	RUN(test_route_enum_invalid);
	RUN(test_nexthop_enum_invalid);
	RUN(test_dest_order_and_batches);
	RUN(test_dest_next_range);
	RUN(test_dest_ipv6);
	RUN(test_dest_own_protocol_views);
	RUN(test_dest_hold_only);
	RUN(test_dest_exactly_once_under_deletion);
	RUN(test_route_enum_dest_and_table);
	RUN(test_route_enum_match);
	RUN(test_route_enum_hold);
	RUN(test_route_enum_split_destination);
	RUN(test_route_enum_owed_recheck);
	RUN(test_route_enum_position_freed);
	RUN(test_route_enum_nomem);
	RUN(test_sparse_own_enumeration);
	RUN(test_nexthop_enum);
	RUN(test_enums_freed_with_entity);
	TEST_MAIN_END();
}
