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
#include <stdbool.h>
#include <routprot.h>
#include <rtmv2.h>
#include <rtmv2/mrt.h>
#include <zlib.h>

#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#define NO_COMPRESSED "zlib and libbz2 are not built with MemorySanitizer"
#endif
#endif

/* A dump (with_bad: two records among the good ones that are not): peers 192.0.2.1 (AS 64500), 192.0.2.2 (AS 4200000001) and
 * 2001:db8::1 (AS 64502); 198.51.100.0/22 from the first two, a record with
 * a peer index out of range, a record of an unknown type, 203.0.113.0/24
 * from the first with the same attributes as before, and 2001:db8:100::/48
 * from the IPv6 peer and the first. */
static struct buf dump_bytes;
static size_t attrs_a_len;
static uint8_t attrs_a[256];

static void make_dump(struct buf *f, bool with_bad)
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

	if (with_bad) {
		r.n = 0; /* peer 9 of 3 */
		b32(&r, 1), b8(&r, 24), b8(&r, 192), b8(&r, 0), b8(&r, 2), b16(&r, 1);
		b16(&r, 9), b32(&r, 0), b16(&r, (unsigned)a.n), bytes_in(&r, a.b, a.n);
		record(f, MRTB_TABLE_DUMP_V2, MRTB_RIB_IPV4_UNICAST, &r);

		r.n = 0;
		b32(&r, 42);
		record(f, 99, 1, &r); /* a type nobody knows */
	}

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

/* A route added through the API to prefix/len via 192.0.2.<gw> (also its
 * Neighbour when neighbour), Preference 120, esi as its EntitySpecificInfo. */
static DWORD api_route_to(RTM_ENTITY_HANDLE reg, const char *prefix, unsigned len, unsigned gw, bool neighbour,
			  void *esi)
{
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress.AddressFamily = AF_INET;
	ni.NextHopAddress.NumBits = 32;
	ip4(ni.NextHopAddress.AddrBits, "192.0.2.0");
	ni.NextHopAddress.AddrBits[3] = (UCHAR)gw;
	RTM_NEXTHOP_HANDLE nh = NULL;
	DWORD fl = 0;
	DWORD rc = RtmAddNextHop(reg, &ni, &nh, &fl);
	if (rc != NO_ERROR)
		return rc;
	union {
		RTM_ROUTE_INFO r;
		char room[RTM_SIZE_OF_ROUTE_INFO(1)];
	} ri;
	memset(&ri, 0, sizeof(ri));
	ri.r.EntitySpecificInfo = esi;
	ri.r.Neighbour = neighbour ? nh : NULL;
	ri.r.BelongsToViews = RTM_VIEW_MASK_UCAST;
	ri.r.PrefInfo.Preference = 120;
	ri.r.NextHopsList.NumNextHops = 1;
	ri.r.NextHopsList.NextHops[0] = nh;
	RTM_NET_ADDRESS a;
	memset(&a, 0, sizeof(a));
	a.AddressFamily = AF_INET;
	a.NumBits = (USHORT)len;
	ip4(a.AddrBits, prefix);
	fl = 0;
	rc = RtmAddRouteToDest(reg, NULL, &a, &ri.r, INFINITE, NULL, 0, NULL, &fl);
	RtmReleaseNextHops(reg, 1, &nh);
	return rc;
}

/* 10.9.0.0/16 via 192.0.2.77. */
static DWORD api_route(RTM_ENTITY_HANDLE reg, void *esi)
{
	return api_route_to(reg, "10.9.0.0", 16, 77, false, esi);
}

/* The mapping, checked route by route, and a reload that replaces. */
/* rtm_mrt_options.route_added's count of the routes it heard of. */
struct added {
	unsigned v4, v6, bad;
};
static RTM_ENTITY_HANDLE added_v4, added_v6;

static void on_added(void *context, RTM_ENTITY_HANDLE entity, const RTM_NET_ADDRESS *dest,
		     RTM_NEXTHOP_HANDLE neighbour)
{
	struct added *a = context;
	if (entity == added_v4 && dest->AddressFamily == AF_INET && neighbour)
		a->v4++;
	else if (entity == added_v6 && dest->AddressFamily == AF_INET6 && neighbour)
		a->v6++;
	else
		a->bad++;
}

static void test_load_maps_entries_to_routes(void)
{
	RTM_ENTITY_HANDLE v4 = bgp(AF_INET, 1), v6 = bgp(AF_INET6, 1);
	REQUIRE(v4 && v6);
	added_v4 = v4;
	added_v6 = v6;
	make_dump(&dump_bytes, true);
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

	/* Again, with a preference and Metric 0: the same routes, replaced;
	 * route_added hears of each, with its entity and destination. */
	struct added seen = { 0, 0, 0 };
	rtm_mrt_options o = { .preference = 170, .flags = RTM_MRT_METRIC_ZERO, .route_added = on_added, .context = &seen };
	CHECK_U(rtm_mrt_load(path, v4, v6, &o, &st), NO_ERROR);
	CHECK_U(st.routes, 5);
	CHECK_U(seen.v4 + seen.v6, 5);
	CHECK_U(seen.v6, 2); /* 2001:db8:100::/48, from two peers */
	CHECK_U(seen.bad, 0);
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
	static int foreign = 7;
	REQUIRE(api_route(v4, &foreign) == NO_ERROR);
	struct route_seen w = best(v4, AF_INET, "10.9.0.0", 16);
	CHECK(w.esi == &foreign);
	CHECK(w.attrs == NULL);
	CHECK(rtm_mrt_route_attrs(NULL, NULL) == NULL);
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
	make_dump(&dump_bytes, true);
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
	make_dump(&dump_bytes, true);
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
	rtm_mrt_options best_only = { .preference = 0, .flags = RTM_MRT_BEST_ONLY }; /* an export's flag */
	CHECK_U(rtm_mrt_load(path, v4, v6, &best_only, &st), ERROR_INVALID_PARAMETER);
	/* A stale registration: the load stops at the first route. */
	write_file(path, dump_bytes.b, dump_bytes.n);
	CHECK_U(RtmDeregisterEntity(v4), NO_ERROR);
	CHECK_U(rtm_mrt_load(path, v4, NULL, NULL, &st), ERROR_INVALID_HANDLE);
	CHECK_U(st.routes, 0);
	unlink(path);
	CHECK_U(RtmDeregisterEntity(v6), NO_ERROR);
}

/* Import, export, import again: the export lists the same routes as the
 * file they came from (bgpdump -m of both, where bgpdump is installed),
 * with a route added through the API as well (minimal attributes); best
 * only gives one route per destination; bad arguments. */
static void test_dump_round_trip(void)
{
	RTM_ENTITY_HANDLE v4 = bgp(AF_INET, 20), v6 = bgp(AF_INET6, 20);
	REQUIRE(v4 && v6);
	make_dump(&dump_bytes, false); /* (bgpdump itself stops at the bad records) */
	char src[64], out[64], out_best[64];
	snprintf(src, sizeof(src), "/tmp/test_mrt.%d.src", (int)getpid());
#ifdef NO_COMPRESSED
	snprintf(out, sizeof(out), "/tmp/test_mrt.%d.out", (int)getpid());
#else
	snprintf(out, sizeof(out), "/tmp/test_mrt.%d.out.gz", (int)getpid()); /* gzip, by its name */
#endif
	snprintf(out_best, sizeof(out_best), "/tmp/test_mrt.%d.best", (int)getpid());
	write_file(src, dump_bytes.b, dump_bytes.n);
	rtm_mrt_stats st;
	CHECK_U(rtm_mrt_load(src, v4, v6, NULL, &st), NO_ERROR);
	CHECK_U(st.routes, 5);

	CHECK_U(rtm_mrt_dump(out, v4, v6, NULL, &st), NO_ERROR);
	CHECK_U(st.routes, 5);
	CHECK_U(st.records, 1 + 3); /* the peer table, three destinations */
	CHECK_U(st.peers, 4); /* two IPv4 peers; the IPv6 one and the first again, of the IPv6 entity */
	static char a[8192], b[8192];
	if (bgpdump_lines(src, a, sizeof(a)) && bgpdump_lines(out, b, sizeof(b))) {
		CHECK(strcmp(a, b) == 0);
		CHECK(strstr(b, "TABLE_DUMP2|T|B|192.0.2.1|64500|198.51.100.0/22|64500 3356 4200000001|IGP|192.0.2.1|0|0|"
				"65000:1|NAG||") != NULL);
		CHECK(strstr(b, "|192.0.2.1|64500|2001:db8:100::/48|64502|IGP|2001:db8::9|") != NULL);
		if (strcmp(a, b))
			fprintf(stderr, "  the file:\n%s  the export:\n%s", a, b);
	} else {
		printf("  test_dump_round_trip: bgpdump is not installed: its check not run\n");
	}

	/* Into a fresh pair: the same routes. */
	RTM_ENTITY_HANDLE w4 = bgp(AF_INET, 21), w6 = bgp(AF_INET6, 21);
	REQUIRE(w4 && w6);
	CHECK_U(rtm_mrt_load(out, w4, w6, NULL, &st), NO_ERROR);
	CHECK_U(st.routes, 5);
	CHECK_U(st.peers, 4);
	CHECK_U(st.skipped, 0);

	/* A route of the API's: written with minimal attributes, its peer
	 * address 0.  Best only: one route per destination. */
	RTM_ENTITY_HANDLE rip = NULL;
	{
		RTM_ENTITY_INFO ei;
		RTM_REGN_PROFILE prof;
		memset(&ei, 0, sizeof(ei));
		ei.AddressFamily = AF_INET;
		ei.EntityId.EntityProtocolId = PROTO_IP_RIP;
		REQUIRE(RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &rip) == NO_ERROR);
	}
	REQUIRE(api_route(rip, NULL) == NO_ERROR);
	rtm_mrt_options best_only = { .preference = 0, .flags = RTM_MRT_BEST_ONLY };
	CHECK_U(rtm_mrt_dump(out_best, v4, v6, &best_only, &st), NO_ERROR);
	CHECK_U(st.routes, 4);
	if (bgpdump_lines(out_best, b, sizeof(b)))
		CHECK(strstr(b, "TABLE_DUMP2|T|B|0.0.0.0|0|10.9.0.0/16||IGP|192.0.2.77|0|0||NAG||") != NULL);

	CHECK_U(rtm_mrt_dump(NULL, v4, v6, NULL, &st), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_mrt_dump(out, NULL, NULL, NULL, &st), ERROR_INVALID_PARAMETER);
	rtm_mrt_options bad = { .preference = 0, .flags = 0x80 };
	CHECK_U(rtm_mrt_dump(out, v4, v6, &bad, &st), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_mrt_dump("/nonexistent/dir/x.mrt", v4, v6, NULL, &st), ERROR_FILE_NOT_FOUND);
	unlink(src);
	unlink(out);
	unlink(out_best);
	CHECK_U(RtmDeregisterEntity(rip), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(v4), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(v6), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(w4), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(w6), NO_ERROR);
	/* A stale registration. */
	CHECK_U(rtm_mrt_dump(out, v4, NULL, NULL, &st), ERROR_INVALID_HANDLE);
	unlink(out);
}

/* From the reviews: a peer whose address came first as another route's
 * NEXT_HOP keeps its AS in an export; a multicast record does not replace
 * the unicast route of its peer (it is not imported); an IPv6 peer's IPv4
 * route is refused (it would have no Neighbour); a gzip file without its
 * end is an error; a destination with many routes of minimal attributes is
 * written whole; a registration of the wrong family is refused. */
static void test_review_cases(void)
{
	RTM_ENTITY_HANDLE v4 = bgp(AF_INET, 30), v6 = bgp(AF_INET6, 30);
	REQUIRE(v4 && v6);
	struct buf f = { .n = 0 }, p = { .n = 0 }, r = { .n = 0 }, a = { .n = 0 }, b = { .n = 0 };
	uint8_t x[16];
	b32(&p, 1), b16(&p, 0), b16(&p, 3);
	b8(&p, 0), b32(&p, 1), ip4(x, "192.0.2.1"), bytes_in(&p, x, 4), b16(&p, 64500);
	b8(&p, 2), b32(&p, 2), ip4(x, "192.0.2.2"), bytes_in(&p, x, 4), b32(&p, 4200000001u);
	b8(&p, 1), b32(&p, 3), ip6(x, "2001:db8::1"), bytes_in(&p, x, 16), b16(&p, 64502);
	record(&f, MRTB_TABLE_DUMP_V2, MRTB_PEER_INDEX_TABLE, &p);
	/* Peer 0's route through 192.0.2.2 (peer 1's address) comes first. */
	attrs4(&a, (const uint32_t[]){ 64500 }, 1, "192.0.2.2");
	attrs4(&b, (const uint32_t[]){ 4200000001u }, 1, "192.0.2.2");
	b32(&r, 0), b8(&r, 16), b8(&r, 10), b8(&r, 1), b16(&r, 3);
	b16(&r, 0), b32(&r, 0), b16(&r, (unsigned)a.n), bytes_in(&r, a.b, a.n);
	b16(&r, 1), b32(&r, 0), b16(&r, (unsigned)b.n), bytes_in(&r, b.b, b.n);
	b16(&r, 2), b32(&r, 0), b16(&r, (unsigned)b.n), bytes_in(&r, b.b, b.n); /* the IPv6 peer */
	record(&f, MRTB_TABLE_DUMP_V2, MRTB_RIB_IPV4_UNICAST, &r);
	r.n = 0; /* the same prefix and peer, multicast */
	b32(&r, 1), b8(&r, 16), b8(&r, 10), b8(&r, 1), b16(&r, 1);
	b16(&r, 0), b32(&r, 0), b16(&r, (unsigned)a.n), bytes_in(&r, a.b, a.n);
	record(&f, MRTB_TABLE_DUMP_V2, 3 /* RIB_IPV4_MULTICAST */, &r);
	char path[64], out[64];
	snprintf(path, sizeof(path), "/tmp/test_mrt.%d.rev", (int)getpid());
	snprintf(out, sizeof(out), "/tmp/test_mrt.%d.rev.out", (int)getpid());
	write_file(path, f.b, f.n);
	rtm_mrt_stats st;
	CHECK_U(rtm_mrt_load(path, v4, v6, NULL, &st), NO_ERROR);
	CHECK_U(st.routes, 2);
	CHECK_U(st.refused, 1);
	CHECK_U(st.ignored, 1);
	CHECK_U(best(v4, AF_INET, "10.1.0.0", 16).n_routes, 2);
	CHECK_U(rtm_mrt_dump(out, v4, NULL, NULL, &st), NO_ERROR);
	CHECK_U(st.peers, 2);
	static char t[8192];
	if (bgpdump_lines(out, t, sizeof(t))) {
		CHECK(strstr(t, "|192.0.2.2|4200000001|10.1.0.0/16|4200000001|") != NULL);
		CHECK(strstr(t, "|192.0.2.1|64500|10.1.0.0/16|64500|IGP|192.0.2.2|") != NULL);
	}

	/* 40 routes of minimal attributes on one destination (40 Neighbours). */
	RTM_ENTITY_HANDLE rip = NULL;
	{
		RTM_ENTITY_INFO ei;
		RTM_REGN_PROFILE prof;
		memset(&ei, 0, sizeof(ei));
		ei.AddressFamily = AF_INET;
		ei.EntityId.EntityProtocolId = PROTO_IP_RIP;
		ei.EntityId.EntityInstanceId = 30;
		REQUIRE(RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &rip) == NO_ERROR);
	}
	for (unsigned i = 0; i < 40; i++)
		REQUIRE(api_route_to(rip, "10.0.0.0", 8, 100 + i, true, NULL) == NO_ERROR);
	CHECK_U(rtm_mrt_dump(out, v4, NULL, NULL, &st), NO_ERROR);
	CHECK_U(st.routes, 42);
	if (bgpdump_lines(out, t, sizeof(t))) {
		CHECK(strstr(t, "|192.0.2.139|0|10.0.0.0/8||IGP|192.0.2.139|") != NULL);
		unsigned lines = 0;
		for (const char *q = t; (q = strstr(q, "|10.0.0.0/8|")); q++)
			lines++;
		CHECK_U(lines, 40);
	}

	/* ADD-PATH: two paths of one peer to one prefix are two routes, each
	 * with its own Neighbour (the path identifier as its interface index);
	 * a reload replaces them. */
	f.n = 0, r.n = 0;
	record(&f, MRTB_TABLE_DUMP_V2, MRTB_PEER_INDEX_TABLE, &p);
	b32(&r, 0), b8(&r, 16), b8(&r, 10), b8(&r, 6), b16(&r, 2);
	b16(&r, 0), b32(&r, 0), b32(&r, 1), b16(&r, (unsigned)a.n), bytes_in(&r, a.b, a.n);
	b16(&r, 0), b32(&r, 0), b32(&r, 2), b16(&r, (unsigned)b.n), bytes_in(&r, b.b, b.n);
	record(&f, MRTB_TABLE_DUMP_V2, 8 /* RIB_IPV4_UNICAST_ADDPATH */, &r);
	write_file(path, f.b, f.n);
	for (unsigned k = 0; k < 2; k++) {
		CHECK_U(rtm_mrt_load(path, v4, NULL, NULL, &st), NO_ERROR);
		CHECK_U(st.routes, 2);
		CHECK_U(best(v4, AF_INET, "10.6.0.0", 16).n_routes, 2);
	}

	/* A registration of the other family. */
	CHECK_U(rtm_mrt_load(path, v6, NULL, NULL, &st), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_mrt_dump(out, v6, NULL, NULL, &st), ERROR_INVALID_PARAMETER);

#ifndef NO_COMPRESSED
	/* A gzip file without its trailer: every byte of data is there, the
	 * stream's end is not. */
	gzFile g = gzopen(path, "wb");
	REQUIRE(g);
	REQUIRE(gzwrite(g, f.b, (unsigned)f.n) == (int)f.n);
	gzclose(g);
	FILE *gf = fopen(path, "rb");
	REQUIRE(gf);
	static uint8_t z[1 << 16];
	size_t zn = fread(z, 1, sizeof(z), gf);
	fclose(gf);
	REQUIRE(zn > 8);
	write_file(path, z, zn - 8);
	CHECK_U(rtm_mrt_load(path, v4, v6, NULL, &st), ERROR_INVALID_DATA);
	CHECK(strstr(st.last_error, "gzip") != NULL);
#endif
	unlink(path);
	unlink(out);
	CHECK_U(RtmDeregisterEntity(rip), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(v4), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(v6), NO_ERROR);
}

int main(void)
{
	RUN(test_load_maps_entries_to_routes);
	RUN(test_compressed);
	RUN(test_bad_files_and_arguments);
	RUN(test_dump_round_trip);
	RUN(test_review_cases);
	TEST_MAIN_END();
}
