/*
 * test_mrt.c — rtm_mrt_load (<rtmv2/mrt.h>) into a real RTM instance: the
 * mapping of RIB entries to routes (one per peer and prefix, the peer as
 * Neighbour, the next hop, Preference and Metric, the attributes interned
 * and found again from the route), IPv4 peers of IPv6 prefixes, a reload
 * replacing rather than adding, plain, gzip and bzip2 input, malformed
 * records skipped with their reason while the rest loads, a truncated file,
 * and bad arguments.
 */
#include "mrtbuild.h"

#include <bzlib.h>
#include <routprot.h>
#include <rtmv2.h>
#include <rtmv2/mrt.h>
#include <zlib.h>

#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#define NO_COMPRESSED "zlib and libbz2 are not built with MemorySanitizer"
#endif
#endif

static RTM_ENTITY_HANDLE bgp(USHORT family, ULONG instance)
{
	RTM_ENTITY_INFO ei;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h = NULL;
	memset(&ei, 0, sizeof(ei));
	ei.AddressFamily = family;
	ei.EntityId.EntityProtocolId = PROTO_IP_BGP;
	ei.EntityId.EntityInstanceId = instance;
	if (RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &h) != NO_ERROR)
		return NULL;
	return h;
}

/* A dump: peers 192.0.2.1 (AS 64500), 192.0.2.2 (AS 4200000001) and
 * 2001:db8::1 (AS 64502); 198.51.100.0/22 from the first two, a record with
 * a peer index out of range, a record of an unknown type, 203.0.113.0/24
 * from the first with the same attributes as before, and 2001:db8:100::/48
 * from the IPv6 peer and the first. */
static struct buf dump_bytes;
static size_t attrs_a_len;
static uint8_t attrs_a[256];

static void make_dump(struct buf *f)
{
	f->n = 0;
	struct buf p = { .n = 0 }, r = { .n = 0 }, a = { .n = 0 }, b = { .n = 0 }, m = { .n = 0 };
	uint8_t x[16];
	b32(&p, 1), b16(&p, 0), b16(&p, 3);
	b8(&p, 0), b32(&p, 1), ip4(x, "192.0.2.1"), bytes_in(&p, x, 4), b16(&p, 64500);
	b8(&p, 2), b32(&p, 2), ip4(x, "192.0.2.2"), bytes_in(&p, x, 4), b32(&p, 4200000001u);
	b8(&p, 1), b32(&p, 3), ip6(x, "2001:db8::1"), bytes_in(&p, x, 16), b16(&p, 64502);
	record(f, MRTB_TABLE_DUMP_V2, MRTB_PEER_INDEX_TABLE, &p);

	attrs4(&a, (const uint32_t[]){ 64500, 3356, 4200000001u }, 3, "192.0.2.1");
	attrs4(&b, (const uint32_t[]){ 4200000001u }, 1, "192.0.2.2");
	memcpy(attrs_a, a.b, a.n);
	attrs_a_len = a.n;
	b32(&r, 0), b8(&r, 22), b8(&r, 198), b8(&r, 51), b8(&r, 100), b16(&r, 2);
	b16(&r, 0), b32(&r, 0), b16(&r, (unsigned)a.n), bytes_in(&r, a.b, a.n);
	b16(&r, 1), b32(&r, 0), b16(&r, (unsigned)b.n), bytes_in(&r, b.b, b.n);
	record(f, MRTB_TABLE_DUMP_V2, MRTB_RIB_IPV4_UNICAST, &r);

	r.n = 0; /* peer 9 of 3 */
	b32(&r, 1), b8(&r, 24), b8(&r, 192), b8(&r, 0), b8(&r, 2), b16(&r, 1);
	b16(&r, 9), b32(&r, 0), b16(&r, (unsigned)a.n), bytes_in(&r, a.b, a.n);
	record(f, MRTB_TABLE_DUMP_V2, MRTB_RIB_IPV4_UNICAST, &r);

	r.n = 0;
	b32(&r, 42);
	record(f, 99, 1, &r); /* a type nobody knows */

	r.n = 0;
	b32(&r, 2), b8(&r, 24), b8(&r, 203), b8(&r, 0), b8(&r, 113), b16(&r, 1);
	b16(&r, 0), b32(&r, 0), b16(&r, (unsigned)a.n), bytes_in(&r, a.b, a.n);
	record(f, MRTB_TABLE_DUMP_V2, MRTB_RIB_IPV4_UNICAST, &r);

	/* IPv6: ORIGIN, AS_PATH [64502], MP_REACH_NLRI (abbreviated) 2001:db8::9. */
	b8(&m, 0x40), b8(&m, MRTB_ORIGIN), b8(&m, 1), b8(&m, 0);
	b8(&m, 0x40), b8(&m, MRTB_AS_PATH), b8(&m, 6), b8(&m, 2), b8(&m, 1), b32(&m, 64502);
	ip6(x, "2001:db8::9");
	b8(&m, 0x80), b8(&m, MRTB_MP_REACH_NLRI), b8(&m, 17), b8(&m, 16), bytes_in(&m, x, 16);
	r.n = 0;
	b32(&r, 3), b8(&r, 48), b16(&r, 0x2001), b16(&r, 0x0db8), b16(&r, 0x0100), b16(&r, 2);
	b16(&r, 2), b32(&r, 0), b16(&r, (unsigned)m.n), bytes_in(&r, m.b, m.n);
	b16(&r, 0), b32(&r, 0), b16(&r, (unsigned)m.n), bytes_in(&r, m.b, m.n);
	record(f, MRTB_TABLE_DUMP_V2, MRTB_RIB_IPV6_UNICAST, &r);
}

static void write_file(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	REQUIRE(f);
	REQUIRE(fwrite(p, 1, n, f) == n);
	fclose(f);
}

struct route_seen {
	unsigned n_routes;
	ULONG pref, metric;
	char neighbour[64], nexthop[64];
	const void *esi;
	const uint8_t *attrs;
	size_t attrs_len;
};

static void addr_text(const RTM_NET_ADDRESS *a, char *out, size_t size)
{
	inet_ntop(a->AddressFamily, a->AddrBits, out, (socklen_t)size);
}

/* The best unicast route of prefix, as reg sees it. */
static struct route_seen best(RTM_ENTITY_HANDLE reg, USHORT family, const char *prefix, unsigned len)
{
	struct route_seen s;
	memset(&s, 0, sizeof(s));
	RTM_NET_ADDRESS a;
	memset(&a, 0, sizeof(a));
	a.AddressFamily = family;
	a.NumBits = (USHORT)len;
	if (inet_pton(family, prefix, a.AddrBits) != 1)
		return s;
	union {
		RTM_DEST_INFO d;
		char room[RTM_SIZE_OF_DEST_INFO(2)];
	} di;
	if (RtmGetExactMatchDestination(reg, &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di.d) != NO_ERROR)
		return s;
	s.n_routes = di.d.ViewInfo[0].NumRoutes;
	union {
		RTM_ROUTE_INFO r;
		char room[RTM_SIZE_OF_ROUTE_INFO(8)];
	} ri;
	if (di.d.ViewInfo[0].Route && RtmGetRouteInfo(reg, di.d.ViewInfo[0].Route, &ri.r, NULL) == NO_ERROR) {
		s.pref = ri.r.PrefInfo.Preference;
		s.metric = ri.r.PrefInfo.Metric;
		s.esi = ri.r.EntitySpecificInfo;
		s.attrs = rtm_mrt_route_attrs(&ri.r, &s.attrs_len);
		RTM_NEXTHOP_INFO ni;
		if (ri.r.Neighbour && RtmGetNextHopInfo(reg, ri.r.Neighbour, &ni) == NO_ERROR) {
			addr_text(&ni.NextHopAddress, s.neighbour, sizeof(s.neighbour));
			RtmReleaseNextHopInfo(reg, &ni);
		}
		if (ri.r.NextHopsList.NumNextHops &&
		    RtmGetNextHopInfo(reg, ri.r.NextHopsList.NextHops[0], &ni) == NO_ERROR) {
			addr_text(&ni.NextHopAddress, s.nexthop, sizeof(s.nexthop));
			RtmReleaseNextHopInfo(reg, &ni);
		}
		RtmReleaseRouteInfo(reg, &ri.r);
	}
	RtmReleaseDestInfo(reg, &di.d);
	return s;
}

/* The mapping, checked route by route, and a reload that replaces. */
static void test_load_maps_entries_to_routes(void)
{
	RTM_ENTITY_HANDLE v4 = bgp(AF_INET, 1), v6 = bgp(AF_INET6, 1);
	REQUIRE(v4 && v6);
	make_dump(&dump_bytes);
	char path[64];
	snprintf(path, sizeof(path), "/tmp/test_mrt.%d.mrt", (int)getpid());
	write_file(path, dump_bytes.b, dump_bytes.n);
	rtm_mrt_stats st;
	CHECK_U(rtm_mrt_load(path, v4, v6, NULL, &st), NO_ERROR);
	CHECK_U(st.records, 6);
	CHECK_U(st.peers, 3);
	CHECK_U(st.routes, 5);
	CHECK_U(st.skipped, 1);
	CHECK_U(st.ignored, 1);
	CHECK_U(st.refused, 0);
	CHECK(strstr(st.last_error, "peer index 9 out of range (3 peers)") != NULL);
	CHECK(st.last_error_offset > 0);

	/* 198.51.100.0/22: two routes, the shorter path best. */
	struct route_seen s = best(v4, AF_INET, "198.51.100.0", 22);
	CHECK_U(s.n_routes, 2);
	CHECK_U(s.pref, RTM_MRT_DEFAULT_PREFERENCE);
	CHECK_U(s.metric, 1);
	CHECK(strcmp(s.neighbour, "192.0.2.2") == 0);
	CHECK(strcmp(s.nexthop, "192.0.2.2") == 0);
	REQUIRE(s.attrs);
	/* 203.0.113.0/24 has the first block: one interned copy for both routes. */
	struct route_seen t = best(v4, AF_INET, "203.0.113.0", 24);
	CHECK_U(t.n_routes, 1);
	CHECK_U(t.metric, 3);
	CHECK(t.attrs && t.attrs_len == attrs_a_len && memcmp(t.attrs, attrs_a, attrs_a_len) == 0);
	CHECK(strcmp(t.neighbour, "192.0.2.1") == 0);
	/* 2001:db8:100::/48: the IPv6 peer and the IPv4 one, mapped. */
	struct route_seen u = best(v6, AF_INET6, "2001:db8:100::", 48);
	CHECK_U(u.n_routes, 2);
	CHECK_U(u.metric, 1);
	CHECK(strcmp(u.nexthop, "2001:db8::9") == 0);
	CHECK(strcmp(u.neighbour, "2001:db8::1") == 0 || strcmp(u.neighbour, "::ffff:192.0.2.1") == 0);
	CHECK(!best(v4, AF_INET, "192.0.2.0", 24).n_routes); /* the refused record */

	/* Again, with a preference and Metric 0: the same routes, replaced. */
	rtm_mrt_options o = { 170, RTM_MRT_METRIC_ZERO };
	CHECK_U(rtm_mrt_load(path, v4, v6, &o, &st), NO_ERROR);
	CHECK_U(st.routes, 5);
	s = best(v4, AF_INET, "198.51.100.0", 22);
	CHECK_U(s.n_routes, 2);
	CHECK_U(s.pref, 170);
	CHECK_U(s.metric, 0);
	t = best(v4, AF_INET, "203.0.113.0", 24);
	CHECK(t.attrs && t.attrs_len == attrs_a_len);
	/* With equal metrics the lower neighbour is best (API-NOTES, "Best
	 * route"): the first peer's, whose attributes 203.0.113.0/24's route
	 * shares: one copy. */
	CHECK(strcmp(s.neighbour, "192.0.2.1") == 0);
	CHECK(s.esi == t.esi);
	unlink(path);

	/* A route of the API's: its EntitySpecificInfo is not taken for attributes. */
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress.AddressFamily = AF_INET;
	ni.NextHopAddress.NumBits = 32;
	ip4(ni.NextHopAddress.AddrBits, "192.0.2.77");
	RTM_NEXTHOP_HANDLE nh = NULL;
	DWORD fl = 0;
	REQUIRE(RtmAddNextHop(v4, &ni, &nh, &fl) == NO_ERROR);
	union {
		RTM_ROUTE_INFO r;
		char room[RTM_SIZE_OF_ROUTE_INFO(1)];
	} ri;
	memset(&ri, 0, sizeof(ri));
	static int foreign = 7;
	ri.r.EntitySpecificInfo = &foreign;
	ri.r.BelongsToViews = RTM_VIEW_MASK_UCAST;
	ri.r.NextHopsList.NumNextHops = 1;
	ri.r.NextHopsList.NextHops[0] = nh;
	RTM_NET_ADDRESS a;
	memset(&a, 0, sizeof(a));
	a.AddressFamily = AF_INET;
	a.NumBits = 16;
	ip4(a.AddrBits, "10.9.0.0");
	fl = 0;
	REQUIRE(RtmAddRouteToDest(v4, NULL, &a, &ri.r, INFINITE, NULL, 0, NULL, &fl) == NO_ERROR);
	struct route_seen w = best(v4, AF_INET, "10.9.0.0", 16);
	CHECK(w.esi == &foreign);
	CHECK(w.attrs == NULL);
	CHECK(rtm_mrt_route_attrs(NULL, NULL) == NULL);
	RtmReleaseNextHops(v4, 1, &nh);
	CHECK_U(RtmDeregisterEntity(v4), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(v6), NO_ERROR);
}

/* gzip and bzip2 files load as the plain one does (told by content: the
 * names say nothing). */
static void test_compressed(void)
{
#ifdef NO_COMPRESSED
	printf("  test_compressed: not run: %s\n", NO_COMPRESSED);
	return;
#endif
	make_dump(&dump_bytes);
	char path[64];
	snprintf(path, sizeof(path), "/tmp/test_mrt.%d.data", (int)getpid());
	for (unsigned kind = 0; kind < 2; kind++) {
		if (kind == 0) {
			gzFile g = gzopen(path, "wb");
			REQUIRE(g);
			REQUIRE(gzwrite(g, dump_bytes.b, (unsigned)dump_bytes.n) == (int)dump_bytes.n);
			gzclose(g);
		} else {
			FILE *f = fopen(path, "wb");
			REQUIRE(f);
			int e;
			BZFILE *bz = BZ2_bzWriteOpen(&e, f, 9, 0, 0);
			REQUIRE(e == BZ_OK);
			BZ2_bzWrite(&e, bz, dump_bytes.b, (int)dump_bytes.n);
			BZ2_bzWriteClose(&e, bz, 0, NULL, NULL);
			fclose(f);
		}
		RTM_ENTITY_HANDLE v4 = bgp(AF_INET, 2 + kind);
		REQUIRE(v4);
		rtm_mrt_stats st;
		CHECK_U(rtm_mrt_load(path, v4, NULL, NULL, &st), NO_ERROR);
		CHECK_U(st.records, 6);
		CHECK_U(st.routes, 3);
		CHECK_U(st.refused, 2); /* the IPv6 ones: no entity given */
		CHECK_U(best(v4, AF_INET, "198.51.100.0", 22).n_routes, 2);
		CHECK_U(RtmDeregisterEntity(v4), NO_ERROR);
	}
	unlink(path);
}

/* A file cut inside a record: what came before loads, the answer says where
 * it ended; an empty file and random bytes: clear answers, no crash; bad
 * arguments. */
static void test_bad_files_and_arguments(void)
{
	make_dump(&dump_bytes);
	char path[64];
	snprintf(path, sizeof(path), "/tmp/test_mrt.%d.cut", (int)getpid());
	write_file(path, dump_bytes.b, dump_bytes.n - 5);
	RTM_ENTITY_HANDLE v4 = bgp(AF_INET, 9), v6 = bgp(AF_INET6, 9);
	REQUIRE(v4 && v6);
	rtm_mrt_stats st;
	CHECK_U(rtm_mrt_load(path, v4, v6, NULL, &st), ERROR_INVALID_DATA);
	CHECK_U(st.routes, 3);
	CHECK(strstr(st.last_error, "runs past the end") != NULL);
	CHECK(st.last_error_offset > 0 && st.last_error_offset < dump_bytes.n);
	CHECK_U(best(v4, AF_INET, "203.0.113.0", 24).n_routes, 1);
	write_file(path, "", 0);
	CHECK_U(rtm_mrt_load(path, v4, v6, NULL, &st), NO_ERROR);
	CHECK_U(st.records, 0);
	uint8_t junk[4096];
	uint64_t x = 88172645463325252ull;
	for (unsigned round = 0; round < 50; round++) {
		for (size_t i = 0; i < sizeof(junk); i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			junk[i] = (uint8_t)x;
		}
		write_file(path, junk, sizeof(junk) - round * 37);
		DWORD rc = rtm_mrt_load(path, v4, v6, NULL, &st);
		CHECK(rc == NO_ERROR || rc == ERROR_INVALID_DATA);
	}
	unlink(path);
	CHECK_U(rtm_mrt_load("/nonexistent/dir/x.mrt", v4, v6, NULL, &st), ERROR_FILE_NOT_FOUND);
	CHECK_U(rtm_mrt_load(NULL, v4, v6, NULL, &st), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_mrt_load("/tmp", NULL, NULL, NULL, &st), ERROR_INVALID_PARAMETER);
	/* A stale registration: the load stops at the first route. */
	write_file(path, dump_bytes.b, dump_bytes.n);
	CHECK_U(RtmDeregisterEntity(v4), NO_ERROR);
	CHECK_U(rtm_mrt_load(path, v4, NULL, NULL, &st), ERROR_INVALID_HANDLE);
	CHECK_U(st.routes, 0);
	unlink(path);
	CHECK_U(RtmDeregisterEntity(v6), NO_ERROR);
}

int main(void)
{
	RUN(test_load_maps_entries_to_routes);
	RUN(test_compressed);
	RUN(test_bad_files_and_arguments);
	TEST_MAIN_END();
}
