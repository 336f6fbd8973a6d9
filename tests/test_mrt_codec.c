/*
 * test_mrt_codec.c — the MRT codec (mrt/mrt.h): TABLE_DUMP_V2 written and
 * read back, plain, gzip and bzip2 (told by content); TABLE_DUMP; BGP
 * attributes (AS_PATH with 2- and 4-byte ASes, AS4_PATH, NEXT_HOP, the
 * abbreviated and full MP_REACH_NLRI, opaque ones kept); and malformed
 * input, each refused with its reason: a truncated header, a length past
 * the end, an attribute longer than its record, a peer index out of range,
 * a prefix longer than its family, an empty file, random bytes.
 */
#include "testlib.h"

#include "mrt.h"
#include "mrtbuild.h"

#include <arpa/inet.h>
#include <bzlib.h>
#include <sys/socket.h>

#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#define NO_COMPRESSED "zlib and libbz2 are not built with MemorySanitizer"
#endif
#endif

/* ---- reading ----------------------------------------------------------------------------- */

struct seen {
	unsigned records, ribs, routes, errors;
	struct mrt_peer_table peers;
	char last_error[160];
};

/* Reads everything from in: decodes what it can, counts what it cannot. */
static void read_all(struct mrt_in *in, struct seen *s, struct mrt_rib *rib)
{
	struct mrt_record rec;
	struct mrt_error err;
	int r;
	while ((r = mrt_in_next(in, &rec, &err)) == 1) {
		s->records++;
		int d = 0;
		if (rec.type == MRT_TABLE_DUMP_V2 && rec.subtype == MRT_TDV2_PEER_INDEX_TABLE) {
			d = mrt_decode_peer_index(&rec, &s->peers, &err);
		} else if (mrt_is_tdv2_rib(&rec)) {
			d = mrt_decode_rib(&rec, &s->peers, rib, &err);
			if (d == 0) {
				s->ribs++;
				s->routes += rib->n;
			}
		} else if (rec.type == MRT_TABLE_DUMP) {
			struct mrt_peer peer;
			d = mrt_decode_table_dump(&rec, rib, &peer, &err);
			if (d == 0) {
				s->ribs++;
				s->routes += rib->n;
			}
		}
		if (d) {
			s->errors++;
			snprintf(s->last_error, sizeof(s->last_error), "%s", err.what);
		}
	}
	if (r < 0) {
		s->errors++;
		snprintf(s->last_error, sizeof(s->last_error), "%s", err.what);
	}
}

static struct seen read_mem(const void *p, size_t n)
{
	struct seen s;
	memset(&s, 0, sizeof(s));
	struct mrt_in *in;
	if (mrt_in_open_mem(&in, p, n) != 0) {
		CHECK(!"mrt_in_open_mem");
		return s;
	}
	struct mrt_rib rib;
	memset(&rib, 0, sizeof(rib));
	read_all(in, &s, &rib);
	mrt_in_close(in);
	mrt_rib_free(&rib);
	mrt_peer_table_free(&s.peers);
	return s;
}

/* ---- tests ------------------------------------------------------------------------------- */

/* A dump made by hand: the peer table, an IPv4 RIB record with two routes
 * (one per peer) and an IPv6 one; everything read as written. */
static void test_tdv2_decode(void)
{
	struct buf f = { .n = 0 }, r = { .n = 0 }, a = { .n = 0 };
	peer_index(&f);
	b32(&r, 7), b8(&r, 22), b8(&r, 198), b8(&r, 51), b8(&r, 100); /* 198.51.100.0/22 */
	b16(&r, 2);
	attrs4(&a, (const uint32_t[]){ 64500, 64501, 4200000001u }, 3, "192.0.2.1");
	b16(&r, 0), b32(&r, 1690000000u), b16(&r, (unsigned)a.n), bytes_in(&r, a.b, a.n);
	b16(&r, 1), b32(&r, 1690000001u), b16(&r, (unsigned)a.n), bytes_in(&r, a.b, a.n);
	record(&f, MRT_TABLE_DUMP_V2, MRT_TDV2_RIB_IPV4_UNICAST, &r);

	struct mrt_in *in;
	REQUIRE(mrt_in_open_mem(&in, f.b, f.n) == 0);
	struct mrt_record rec;
	struct mrt_error err;
	struct mrt_peer_table peers;
	memset(&peers, 0, sizeof(peers));
	REQUIRE(mrt_in_next(in, &rec, &err) == 1);
	CHECK_U(rec.offset, 0);
	CHECK_U(rec.type, MRT_TABLE_DUMP_V2);
	CHECK_U(mrt_decode_peer_index(&rec, &peers, &err), 0);
	CHECK_U(peers.n, 2);
	CHECK(strcmp(peers.view, "test") == 0);
	CHECK_U(peers.peer[0].family, AF_INET);
	CHECK_U(peers.peer[0].as, 64500);
	CHECK_U(peers.peer[1].family, AF_INET6);
	CHECK_U(peers.peer[1].as, 4200000001u);
	REQUIRE(mrt_in_next(in, &rec, &err) == 1);
	CHECK(mrt_is_tdv2_rib(&rec));
	struct mrt_rib rib;
	memset(&rib, 0, sizeof(rib));
	CHECK_U(mrt_decode_rib(&rec, &peers, &rib, &err), 0);
	CHECK_U(rib.family, AF_INET);
	CHECK_U(rib.len, 22);
	CHECK_U(rib.prefix[0], 198);
	CHECK_U(rib.prefix[2], 100);
	CHECK_U(rib.n, 2);
	CHECK_U(rib.entry[1].peer, 1);
	CHECK_U(rib.entry[1].originated, 1690000001u);
	const struct mrt_attrs *at = &rib.entry[0].attrs;
	CHECK(at->has_origin && at->origin == 0);
	CHECK_U(at->path_len, 3);
	CHECK_U(at->first_as, 64500);
	CHECK(at->has_nexthop && at->nh_family == AF_INET);
	CHECK_U(at->nexthop[0], 192);
	CHECK_U(at->nexthop[3], 1);
	CHECK_U(at->len, a.n); /* the whole block, the opaque COMMUNITIES in it */
	CHECK(memcmp(at->raw, a.b, a.n) == 0);
	CHECK_U(mrt_in_next(in, &rec, &err), 0);
	mrt_in_close(in);
	mrt_rib_free(&rib);
	mrt_peer_table_free(&peers);
}

/* Attributes one by one: a 2-byte path with AS4_PATH, an AS_SET, the full
 * and the abbreviated MP_REACH_NLRI, MED and LOCAL_PREF; and the malformed. */
static void test_attributes(void)
{
	struct mrt_attrs a;
	struct mrt_error err;
	/* 2-byte AS_PATH [64500 23456 23456] with AS4_PATH [4200000001 4200000002]. */
	struct buf b = { .n = 0 };
	b8(&b, 0x40), b8(&b, 2), b8(&b, 8), b8(&b, 2), b8(&b, 3), b16(&b, 64500), b16(&b, 23456), b16(&b, 23456);
	b8(&b, 0xc0), b8(&b, 17), b8(&b, 10), b8(&b, 2), b8(&b, 2), b32(&b, 4200000001u), b32(&b, 4200000002u);
	b8(&b, 0x80), b8(&b, 4), b8(&b, 4), b32(&b, 77);
	b8(&b, 0x40), b8(&b, 5), b8(&b, 4), b32(&b, 150);
	CHECK_U(mrt_parse_attrs(b.b, b.n, false, false, &a, &err), 0);
	CHECK_U(a.path_len, 3); /* the longer */
	CHECK_U(a.first_as, 64500);
	CHECK(a.has_med && a.med == 77);
	CHECK(a.has_local_pref && a.local_pref == 150);
	/* AS4_PATH as long as AS_PATH: its first AS is the neighbour's; longer:
	 * ignored (RFC 6793, 4.2.3). */
	b.n = 0;
	b8(&b, 0x40), b8(&b, 2), b8(&b, 6), b8(&b, 2), b8(&b, 2), b16(&b, 23456), b16(&b, 23456);
	b8(&b, 0xc0), b8(&b, 17), b8(&b, 10), b8(&b, 2), b8(&b, 2), b32(&b, 4200000001u), b32(&b, 4200000002u);
	CHECK_U(mrt_parse_attrs(b.b, b.n, false, false, &a, &err), 0);
	CHECK_U(a.path_len, 2);
	CHECK_U(a.first_as, 4200000001u);
	b.n = 0;
	b8(&b, 0x40), b8(&b, 2), b8(&b, 4), b8(&b, 2), b8(&b, 1), b16(&b, 64500);
	b8(&b, 0xc0), b8(&b, 17), b8(&b, 10), b8(&b, 2), b8(&b, 2), b32(&b, 4200000001u), b32(&b, 4200000002u);
	CHECK_U(mrt_parse_attrs(b.b, b.n, false, false, &a, &err), 0);
	CHECK_U(a.path_len, 1);
	CHECK_U(a.first_as, 64500);
	/* AS_SET counts one; a 4-byte sequence of two before it. */
	b.n = 0;
	b8(&b, 0x40), b8(&b, 2), b8(&b, 2 + 8 + 2 + 12), b8(&b, 2), b8(&b, 2), b32(&b, 1), b32(&b, 2);
	b8(&b, 1), b8(&b, 3), b32(&b, 3), b32(&b, 4), b32(&b, 5);
	CHECK_U(mrt_parse_attrs(b.b, b.n, true, true, &a, &err), 0);
	CHECK_U(a.path_len, 3);
	/* MP_REACH_NLRI abbreviated (TABLE_DUMP_V2) and full, IPv6 global + link-local. */
	uint8_t g[16];
	ip6(g, "2001:db8::9");
	b.n = 0;
	b8(&b, 0x80), b8(&b, 14), b8(&b, 33), b8(&b, 32), bytes_in(&b, g, 16), bytes_in(&b, g, 16);
	CHECK_U(mrt_parse_attrs(b.b, b.n, true, true, &a, &err), 0);
	CHECK(a.has_nexthop && a.nh_family == AF_INET6 && memcmp(a.nexthop, g, 16) == 0);
	b.n = 0;
	b8(&b, 0x80), b8(&b, 14), b8(&b, 21), b16(&b, 2), b8(&b, 1), b8(&b, 16), bytes_in(&b, g, 16), b8(&b, 0);
	CHECK_U(mrt_parse_attrs(b.b, b.n, true, false, &a, &err), 0);
	CHECK(a.has_nexthop && memcmp(a.nexthop, g, 16) == 0);
	CHECK_U(mrt_parse_attrs(b.b, b.n, true, true, &a, &err), 0); /* full form in a dump: told apart */
	CHECK(a.has_nexthop && memcmp(a.nexthop, g, 16) == 0);
	/* An extended-length attribute. */
	b.n = 0;
	b8(&b, 0xd0), b8(&b, 99), b16(&b, 300);
	for (unsigned i = 0; i < 300; i++)
		b8(&b, i);
	CHECK_U(mrt_parse_attrs(b.b, b.n, true, true, &a, &err), 0);
	CHECK_U(a.len, b.n);
	/* Malformed: longer than the block, an AS_PATH segment past its end, bad sizes. */
	b.n = 0;
	b8(&b, 0x40), b8(&b, 1), b8(&b, 5), b8(&b, 0);
	CHECK_U(mrt_parse_attrs(b.b, b.n, true, true, &a, &err) == -1, 1);
	CHECK(strstr(err.what, "longer than its record") != NULL);
	b.n = 0;
	b8(&b, 0x40), b8(&b, 2), b8(&b, 6), b8(&b, 2), b8(&b, 3), b32(&b, 1);
	CHECK_U(mrt_parse_attrs(b.b, b.n, true, true, &a, &err) == -1, 1);
	CHECK(strstr(err.what, "AS_PATH") != NULL);
	b.n = 0;
	b8(&b, 0x40), b8(&b, 3), b8(&b, 3), b8(&b, 1), b8(&b, 2), b8(&b, 3);
	CHECK_U(mrt_parse_attrs(b.b, b.n, true, true, &a, &err) == -1, 1);
	CHECK(strstr(err.what, "NEXT_HOP of 3 bytes") != NULL);
	b.n = 0;
	b8(&b, 0x40); /* a header cut short */
	CHECK_U(mrt_parse_attrs(b.b, b.n, true, true, &a, &err) == -1, 1);
}

/* A 2-byte speaker's attributes made TABLE_DUMP_V2's (RFC 6793, 4.2.3):
 * AS_PATH and AGGREGATOR widened, AS4_PATH and AS4_AGGREGATOR merged and
 * dropped; the AS4 ones ignored when longer or when AGGREGATOR is not
 * AS_TRANS; a widened path that needs an extended length gets one;
 * 4-byte attributes pass as they are, MP_REACH_NLRI cut to its next hop. */
static void test_attrs_widened(void)
{
	static uint8_t out[MRT_RIB_ATTRS_MAX(4096)];
	struct mrt_attrs a;
	struct mrt_error err;
	struct buf b = { .n = 0 }, want = { .n = 0 };
	/* AS_PATH [64500 23456 23456] + AS4_PATH [4200000001 4200000002],
	 * AGGREGATOR AS_TRANS 10.0.0.1 + AS4_AGGREGATOR 4200000009 10.0.0.1, MED. */
	b8(&b, 0x40), b8(&b, 2), b8(&b, 8), b8(&b, 2), b8(&b, 3), b16(&b, 64500), b16(&b, 23456), b16(&b, 23456);
	b8(&b, 0xc0), b8(&b, 7), b8(&b, 6), b16(&b, 23456), b32(&b, 0x0a000001);
	b8(&b, 0xc0), b8(&b, 17), b8(&b, 10), b8(&b, 2), b8(&b, 2), b32(&b, 4200000001u), b32(&b, 4200000002u);
	b8(&b, 0xc0), b8(&b, 18), b8(&b, 8), b32(&b, 4200000009u), b32(&b, 0x0a000001);
	b8(&b, 0x80), b8(&b, 4), b8(&b, 4), b32(&b, 77);
	b8(&want, 0x40), b8(&want, 2), b8(&want, 14), b8(&want, 2), b8(&want, 3), b32(&want, 64500);
	b32(&want, 4200000001u), b32(&want, 4200000002u);
	b8(&want, 0xc0), b8(&want, 7), b8(&want, 8), b32(&want, 4200000009u), b32(&want, 0x0a000001);
	b8(&want, 0x80), b8(&want, 4), b8(&want, 4), b32(&want, 77);
	size_t n = mrt_attrs_for_rib(b.b, b.n, false, out);
	CHECK_U(n, want.n);
	CHECK(n == want.n && memcmp(out, want.b, n) == 0);
	CHECK_U(mrt_parse_attrs(out, n, true, true, &a, &err), 0);
	CHECK_U(a.path_len, 3);
	CHECK_U(a.first_as, 64500);
	CHECK(a.has_med && a.med == 77);

	/* AGGREGATOR of a real AS next to AS4_AGGREGATOR: both AS4 ones ignored. */
	b.n = 0, want.n = 0;
	b8(&b, 0x40), b8(&b, 2), b8(&b, 6), b8(&b, 2), b8(&b, 2), b16(&b, 64500), b16(&b, 23456);
	b8(&b, 0xc0), b8(&b, 7), b8(&b, 6), b16(&b, 64999), b32(&b, 0x0a000002);
	b8(&b, 0xc0), b8(&b, 17), b8(&b, 6), b8(&b, 2), b8(&b, 1), b32(&b, 4200000001u);
	b8(&b, 0xc0), b8(&b, 18), b8(&b, 8), b32(&b, 4200000009u), b32(&b, 0x0a000002);
	b8(&want, 0x40), b8(&want, 2), b8(&want, 10), b8(&want, 2), b8(&want, 2), b32(&want, 64500), b32(&want, 23456);
	b8(&want, 0xc0), b8(&want, 7), b8(&want, 8), b32(&want, 64999), b32(&want, 0x0a000002);
	n = mrt_attrs_for_rib(b.b, b.n, false, out);
	CHECK(n == want.n && memcmp(out, want.b, n) == 0);

	/* AS4_PATH longer than AS_PATH: ignored; an AS_SET counts one. */
	b.n = 0, want.n = 0;
	b8(&b, 0x40), b8(&b, 2), b8(&b, 10), b8(&b, 2), b8(&b, 1), b16(&b, 64500), b8(&b, 1), b8(&b, 2), b16(&b, 1),
		b16(&b, 2);
	b8(&b, 0xc0), b8(&b, 17), b8(&b, 14), b8(&b, 2), b8(&b, 3), b32(&b, 7), b32(&b, 8), b32(&b, 9);
	b8(&want, 0x40), b8(&want, 2), b8(&want, 16), b8(&want, 2), b8(&want, 1), b32(&want, 64500), b8(&want, 1),
		b8(&want, 2), b32(&want, 1), b32(&want, 2);
	n = mrt_attrs_for_rib(b.b, b.n, false, out);
	CHECK(n == want.n && memcmp(out, want.b, n) == 0);
	/* ... as long: the set's place taken by AS4_PATH's tail, one sequence. */
	b.n = 0, want.n = 0;
	b8(&b, 0x40), b8(&b, 2), b8(&b, 10), b8(&b, 2), b8(&b, 1), b16(&b, 64500), b8(&b, 1), b8(&b, 2), b16(&b, 1),
		b16(&b, 2);
	b8(&b, 0xc0), b8(&b, 17), b8(&b, 6), b8(&b, 2), b8(&b, 1), b32(&b, 4200000001u);
	b8(&want, 0x40), b8(&want, 2), b8(&want, 10), b8(&want, 2), b8(&want, 2), b32(&want, 64500);
	b32(&want, 4200000001u);
	n = mrt_attrs_for_rib(b.b, b.n, false, out);
	CHECK(n == want.n && memcmp(out, want.b, n) == 0);

	/* 100 ASes: 202 bytes, 402 widened, so an extended length. */
	b.n = 0;
	b8(&b, 0x40), b8(&b, 2), b8(&b, 202), b8(&b, 2), b8(&b, 100);
	for (unsigned i = 0; i < 100; i++)
		b16(&b, 1000 + i);
	n = mrt_attrs_for_rib(b.b, b.n, false, out);
	CHECK_U(n, 4 + 402);
	CHECK_U(out[0], 0x50);
	CHECK_U((unsigned)(out[2] << 8 | out[3]), 402);
	CHECK_U(mrt_parse_attrs(out, n, true, true, &a, &err), 0);
	CHECK_U(a.path_len, 100);
	CHECK_U(a.first_as, 1000);

	/* Many AS_PATH attributes (mrt_parse_attrs takes the last) and one long
	 * AS4_PATH: the path is the last one's, AS4_PATH merged into it once;
	 * the result within MRT_RIB_ATTRS_MAX (a heap overflow once, AS4_PATH
	 * appended to every empty AS_PATH). */
	{
		static struct buf big;
		big.n = 0;
		b8(&big, 0xd0), b8(&big, 17), b16(&big, 1022), b8(&big, 2), b8(&big, 255);
		for (unsigned i = 0; i < 255; i++)
			b32(&big, 4200000000u + i);
		for (unsigned i = 0; i < 1000; i++)
			b8(&big, 0x40), b8(&big, 2), b8(&big, 0);
		for (unsigned i = 0; i < 100; i++) /* and many AGGREGATORs */
			b8(&big, 0xc0), b8(&big, 7), b8(&big, 6), b16(&big, 64500 + (uint16_t)i), b32(&big, 0x0a000001);
		b8(&big, 0x50), b8(&big, 2), b16(&big, 512), b8(&big, 2), b8(&big, 255);
		for (unsigned i = 0; i < 255; i++)
			b16(&big, 23456);
		CHECK_U(mrt_parse_attrs(big.b, big.n, false, false, &a, &err), 0);
		uint8_t *w = malloc(MRT_RIB_ATTRS_MAX(big.n));
		CHECK(w != NULL);
		n = mrt_attrs_for_rib(big.b, big.n, false, w);
		CHECK(n <= MRT_RIB_ATTRS_MAX(big.n));
		CHECK_U(n, 4 + 1022 + 3 + 8);
		CHECK_U(mrt_parse_attrs(w, n, true, true, &a, &err), 0);
		CHECK_U(a.path_len, 255);
		CHECK_U(a.first_as, 4200000000u);
		free(w);
	}

	/* 4-byte attributes as they are; a full MP_REACH_NLRI cut to its next hop. */
	uint8_t g[16];
	ip6(g, "2001:db8::9");
	b.n = 0, want.n = 0;
	b8(&b, 0x40), b8(&b, 2), b8(&b, 6), b8(&b, 2), b8(&b, 1), b32(&b, 4200000001u);
	b8(&b, 0x80), b8(&b, 14), b8(&b, 26), b16(&b, 2), b8(&b, 1), b8(&b, 16), bytes_in(&b, g, 16), b8(&b, 0);
	b8(&b, 48), b16(&b, 0x2001), b16(&b, 0xdb8), b16(&b, 1);
	b8(&want, 0x40), b8(&want, 2), b8(&want, 6), b8(&want, 2), b8(&want, 1), b32(&want, 4200000001u);
	b8(&want, 0x80), b8(&want, 14), b8(&want, 17), b8(&want, 16), bytes_in(&want, g, 16);
	n = mrt_attrs_for_rib(b.b, b.n, true, out);
	CHECK(n == want.n && memcmp(out, want.b, n) == 0);
}

/* Malformed records: each refused with its reason, the next record still read. */
static void test_malformed_records(void)
{
	struct buf f = { .n = 0 }, r = { .n = 0 }, a = { .n = 0 };
	peer_index(&f);
	attrs4(&a, (const uint32_t[]){ 64500 }, 1, "192.0.2.1");
	/* Peer index out of range. */
	b32(&r, 1), b8(&r, 8), b8(&r, 10), b16(&r, 1);
	b16(&r, 7), b32(&r, 0), b16(&r, (unsigned)a.n), bytes_in(&r, a.b, a.n);
	record(&f, MRT_TABLE_DUMP_V2, MRT_TDV2_RIB_IPV4_UNICAST, &r);
	/* A prefix longer than 32 bits. */
	r.n = 0;
	b32(&r, 2), b8(&r, 33), b32(&r, 0), b8(&r, 0), b16(&r, 0);
	record(&f, MRT_TABLE_DUMP_V2, MRT_TDV2_RIB_IPV4_UNICAST, &r);
	/* An attribute block longer than the record. */
	r.n = 0;
	b32(&r, 3), b8(&r, 8), b8(&r, 11), b16(&r, 1);
	b16(&r, 0), b32(&r, 0), b16(&r, 500), bytes_in(&r, a.b, a.n);
	record(&f, MRT_TABLE_DUMP_V2, MRT_TDV2_RIB_IPV4_UNICAST, &r);
	/* A good one after them. */
	r.n = 0;
	b32(&r, 4), b8(&r, 8), b8(&r, 12), b16(&r, 1);
	b16(&r, 0), b32(&r, 0), b16(&r, (unsigned)a.n), bytes_in(&r, a.b, a.n);
	record(&f, MRT_TABLE_DUMP_V2, MRT_TDV2_RIB_IPV4_UNICAST, &r);
	struct seen s = read_mem(f.b, f.n);
	CHECK_U(s.records, 5);
	CHECK_U(s.errors, 3);
	CHECK_U(s.ribs, 1);
	CHECK_U(s.routes, 1);

	/* Each alone, for its reason. */
	struct mrt_rib rib;
	memset(&rib, 0, sizeof(rib));
	struct mrt_peer_table peers;
	memset(&peers, 0, sizeof(peers));
	struct mrt_record rec;
	struct mrt_error err;
	struct mrt_in *in;
	REQUIRE(mrt_in_open_mem(&in, f.b, f.n) == 0);
	REQUIRE(mrt_in_next(in, &rec, &err) == 1);
	REQUIRE(mrt_decode_peer_index(&rec, &peers, &err) == 0);
	REQUIRE(mrt_in_next(in, &rec, &err) == 1);
	CHECK_U(mrt_decode_rib(&rec, &peers, &rib, &err) == -1, 1);
	CHECK(strstr(err.what, "peer index 7 out of range") != NULL);
	REQUIRE(mrt_in_next(in, &rec, &err) == 1);
	CHECK_U(mrt_decode_rib(&rec, &peers, &rib, &err) == -1, 1);
	CHECK(strstr(err.what, "prefix length 33 over 32") != NULL);
	REQUIRE(mrt_in_next(in, &rec, &err) == 1);
	CHECK_U(mrt_decode_rib(&rec, &peers, &rib, &err) == -1, 1);
	CHECK(strstr(err.what, "past the end of the record") != NULL);
	mrt_in_close(in);

	/* A truncated header; a body past the end; an empty stream. */
	REQUIRE(mrt_in_open_mem(&in, f.b, 7) == 0);
	CHECK_U(mrt_in_next(in, &rec, &err) == -1, 1);
	CHECK(strstr(err.what, "truncated record header (7 of 12 bytes)") != NULL);
	mrt_in_close(in);
	REQUIRE(mrt_in_open_mem(&in, f.b, f.n - 3) == 0);
	int got = 0, rc;
	while ((rc = mrt_in_next(in, &rec, &err)) == 1)
		got++;
	CHECK_U(got, 4);
	CHECK_U(rc == -1, 1);
	CHECK(strstr(err.what, "runs past the end") != NULL);
	CHECK(err.offset > 0);
	mrt_in_close(in);
	REQUIRE(mrt_in_open_mem(&in, f.b, 0) == 0);
	CHECK_U(mrt_in_next(in, &rec, &err), 0);
	mrt_in_close(in);
	mrt_rib_free(&rib);
	mrt_peer_table_free(&peers);
}

/* TABLE_DUMP (the older format): one route a record, its peer in it. */
static void test_table_dump(void)
{
	struct buf f = { .n = 0 }, r = { .n = 0 }, a = { .n = 0 };
	/* 2-byte AS_PATH [65001 65002], NEXT_HOP. */
	b8(&a, 0x40), b8(&a, 1), b8(&a, 1), b8(&a, 2);
	b8(&a, 0x40), b8(&a, 2), b8(&a, 6), b8(&a, 2), b8(&a, 2), b16(&a, 65001), b16(&a, 65002);
	b8(&a, 0x40), b8(&a, 3), b8(&a, 4), b8(&a, 203), b8(&a, 0), b8(&a, 113), b8(&a, 1);
	b16(&r, 0), b16(&r, 9), b8(&r, 10), b8(&r, 20), b8(&r, 30), b8(&r, 77), b8(&r, 24), b8(&r, 1);
	b32(&r, 1690000000u), b8(&r, 203), b8(&r, 0), b8(&r, 113), b8(&r, 1), b16(&r, 65001);
	b16(&r, (unsigned)a.n), bytes_in(&r, a.b, a.n);
	record(&f, MRT_TABLE_DUMP, MRT_TD_AFI_IPV4, &r);
	struct mrt_in *in;
	REQUIRE(mrt_in_open_mem(&in, f.b, f.n) == 0);
	struct mrt_record rec;
	struct mrt_error err;
	REQUIRE(mrt_in_next(in, &rec, &err) == 1);
	struct mrt_rib rib;
	memset(&rib, 0, sizeof(rib));
	struct mrt_peer peer;
	CHECK_U(mrt_decode_table_dump(&rec, &rib, &peer, &err), 0);
	CHECK_U(rib.len, 24);
	CHECK_U(rib.prefix[2], 30);
	CHECK_U(rib.prefix[3], 0); /* bits past the length cleared */
	CHECK_U(rib.n, 1);
	CHECK_U(peer.as, 65001);
	CHECK_U(peer.addr[0], 203);
	CHECK_U(rib.entry[0].attrs.path_len, 2);
	CHECK_U(rib.entry[0].attrs.first_as, 65001);
	CHECK_U(rib.entry[0].attrs.origin, 2);
	mrt_in_close(in);
	mrt_rib_free(&rib);
}

/* The writer's file read back, plain and gzip; a bzip2 file (made with
 * libbz2) read the same: the format told by content, not name. */
static void test_write_and_read_back(void)
{
#ifdef NO_COMPRESSED
	/* gzip and bzip2 go through zlib and libbz2. */
	printf("  test_write_and_read_back: plain only: %s\n", NO_COMPRESSED);
	const unsigned kinds = 1;
#else
	const unsigned kinds = 3;
#endif
	char path[64];
	snprintf(path, sizeof(path), "/tmp/test_mrt_codec.%d", (int)getpid());
	struct mrt_peer_table peers;
	memset(&peers, 0, sizeof(peers));
	peers.collector_id = 1;
	strcpy(peers.view, "rtmv2");
	struct mrt_peer pa[2];
	memset(pa, 0, sizeof(pa));
	pa[0].family = AF_INET, ip4(pa[0].addr, "192.0.2.1"), pa[0].as = 64500;
	pa[1].family = AF_INET6, ip6(pa[1].addr, "2001:db8::1"), pa[1].as = 4200000001u;
	peers.n = 2;
	peers.peer = pa;
	uint8_t attrs[64], nh[16];
	ip4(nh, "192.0.2.1");
	size_t alen = mrt_minimal_attrs(attrs, AF_INET, nh);
	uint8_t attrs6[64];
	ip6(nh, "2001:db8::1");
	size_t alen6 = mrt_minimal_attrs(attrs6, AF_INET6, nh);
	enum { N = 3000 };
	for (unsigned kind = 0; kind < kinds; kind++) { /* plain, gzip, bzip2 */
		struct mrt_out *out;
		REQUIRE(mrt_out_open(&out, path, kind == 1) == 0);
		CHECK_U(mrt_write_peer_index(out, 1, &peers), 0);
		struct mrt_entry e[2];
		memset(e, 0, sizeof(e));
		e[0].peer = 0, e[0].attrs.raw = attrs, e[0].attrs.len = alen;
		e[1].peer = 1, e[1].attrs.raw = attrs6, e[1].attrs.len = alen6;
		struct mrt_rib rib = { .family = AF_INET, .n = 1, .entry = e };
		for (unsigned i = 0; i < N; i++) {
			rib.seq = i;
			rib.family = i % 3 ? AF_INET : AF_INET6;
			rib.len = rib.family == AF_INET ? 24 : 48;
			memset(rib.prefix, 0, 16);
			if (rib.family == AF_INET) {
				rib.prefix[0] = 10, rib.prefix[1] = (uint8_t)(i >> 8), rib.prefix[2] = (uint8_t)i;
				rib.entry = &e[0];
			} else {
				rib.prefix[0] = 0x20, rib.prefix[1] = 0x01, rib.prefix[2] = 0x0d, rib.prefix[3] = 0xb8;
				rib.prefix[4] = (uint8_t)(i >> 8), rib.prefix[5] = (uint8_t)i;
				rib.entry = &e[1];
			}
			CHECK_U(mrt_write_rib(out, 1, &rib), 0);
		}
		CHECK_U(mrt_out_close(out), 0);
		if (kind == 2) {
			/* bzip2 the plain file with libbz2, as two concatenated streams. */
			FILE *pf = fopen(path, "rb");
			REQUIRE(pf);
			static uint8_t data[1 << 20];
			size_t n = fread(data, 1, sizeof(data), pf);
			fclose(pf);
			REQUIRE(n > 0 && n < sizeof(data));
			FILE *bf = fopen(path, "wb");
			REQUIRE(bf);
			for (unsigned half = 0; half < 2; half++) {
				int bzerr;
				BZFILE *bz = BZ2_bzWriteOpen(&bzerr, bf, 9, 0, 0);
				REQUIRE(bzerr == BZ_OK);
				size_t from = half ? n / 2 : 0, to = half ? n : n / 2;
				BZ2_bzWrite(&bzerr, bz, data + from, (int)(to - from));
				REQUIRE(bzerr == BZ_OK);
				BZ2_bzWriteClose(&bzerr, bz, 0, NULL, NULL);
				REQUIRE(bzerr == BZ_OK);
			}
			fclose(bf);
		}
		struct mrt_in *in;
		REQUIRE(mrt_in_open(&in, path) == 0);
		struct seen s;
		memset(&s, 0, sizeof(s));
		struct mrt_rib back;
		memset(&back, 0, sizeof(back));
		read_all(in, &s, &back);
		mrt_in_close(in);
		CHECK_U(s.records, N + 1);
		CHECK_U(s.errors, 0);
		CHECK_U(s.routes, N);
		CHECK_U(s.peers.n, 2);
		CHECK_U(s.peers.peer[1].as, 4200000001u);
		CHECK(back.n == 1 && back.entry[0].attrs.has_nexthop);
		mrt_rib_free(&back);
		mrt_peer_table_free(&s.peers);
		if (s.errors)
			fprintf(stderr, "  kind %u: %s\n", kind, s.last_error);
	}
	unlink(path);
	struct mrt_in *in;
	CHECK(mrt_in_open(&in, "/nonexistent/file.mrt") < 0);
}

/* bgpdump (Debian's bgpdump, where installed) reads what the writer wrote:
 * every route with its prefix, peer, AS path, origin and next hop. */
static void test_bgpdump_reads_ours(void)
{
#ifdef NO_COMPRESSED
	printf("  test_bgpdump_reads_ours: not run: %s\n", NO_COMPRESSED);
	return;
#endif
	if (system("bgpdump -T >/dev/null 2>&1 </dev/null; command -v bgpdump >/dev/null 2>&1") != 0) {
		printf("  test_bgpdump_reads_ours: bgpdump is not installed: not run\n");
		return;
	}
	char path[64], cmd[160];
	snprintf(path, sizeof(path), "/tmp/test_mrt_bgpdump.%d.gz", (int)getpid()); /* bgpdump goes by the name */
	struct mrt_peer pa[2];
	memset(pa, 0, sizeof(pa));
	pa[0].family = AF_INET, ip4(pa[0].addr, "192.0.2.1"), pa[0].as = 64500;
	pa[1].family = AF_INET6, ip6(pa[1].addr, "2001:db8::1"), pa[1].as = 4200000001u;
	struct mrt_peer_table peers = { .collector_id = 1, .n = 2, .peer = pa };
	strcpy(peers.view, "rtmv2");
	struct buf a = { .n = 0 };
	attrs4(&a, (const uint32_t[]){ 64500, 3356, 4200000001u }, 3, "192.0.2.1");
	uint8_t min6[64], nh[16];
	ip6(nh, "2001:db8::1");
	size_t l6 = mrt_minimal_attrs(min6, AF_INET6, nh);
	struct mrt_out *out;
	REQUIRE(mrt_out_open(&out, path, true) == 0);
	CHECK_U(mrt_write_peer_index(out, 1700000000u, &peers), 0);
	struct mrt_entry e;
	memset(&e, 0, sizeof(e));
	struct mrt_rib rib = { .family = AF_INET, .len = 22, .n = 1, .entry = &e };
	ip4(rib.prefix, "198.51.100.0");
	e.peer = 0, e.attrs.raw = a.b, e.attrs.len = a.n;
	CHECK_U(mrt_write_rib(out, 1700000000u, &rib), 0);
	rib.seq = 1, rib.family = AF_INET6, rib.len = 48;
	ip6(rib.prefix, "2001:db8:100::");
	e.peer = 1, e.attrs.raw = min6, e.attrs.len = l6;
	CHECK_U(mrt_write_rib(out, 1700000000u, &rib), 0);
	CHECK_U(mrt_out_close(out), 0);
	snprintf(cmd, sizeof(cmd), "bgpdump -m %s 2>/dev/null", path);
	FILE *f = popen(cmd, "r");
	REQUIRE(f);
	char t[2048];
	size_t n = fread(t, 1, sizeof(t) - 1, f);
	t[n] = 0;
	pclose(f);
	unlink(path);
	CHECK(strstr(t, "TABLE_DUMP2|1700000000|B|192.0.2.1|64500|198.51.100.0/22|64500 3356 4200000001|IGP|"
			"192.0.2.1|0|0|65000:1|NAG||\n") != NULL);
	CHECK(strstr(t, "TABLE_DUMP2|1700000000|B|2001:db8::1|4200000001|2001:db8:100::/48||IGP|2001:db8::1|0|0||"
			"NAG||\n") != NULL);
	if (!strstr(t, "198.51.100.0/22"))
		fprintf(stderr, "  bgpdump printed:\n%s", t);
}

/* Random bytes and mutations of a good dump: never a crash, never a read
 * outside the input (ASan), always an answer.  A fixed seed: the same run
 * every time. */
static void test_random_input(void)
{
	struct buf f = { .n = 0 }, r = { .n = 0 }, a = { .n = 0 };
	peer_index(&f);
	attrs4(&a, (const uint32_t[]){ 64500, 64501 }, 2, "192.0.2.1");
	for (unsigned k = 0; k < 20; k++) {
		r.n = 0;
		b32(&r, k), b8(&r, 16), b8(&r, 10), b8(&r, k), b16(&r, 2);
		for (unsigned p = 0; p < 2; p++)
			b16(&r, p), b32(&r, 0), b16(&r, (unsigned)a.n), bytes_in(&r, a.b, a.n);
		record(&f, MRT_TABLE_DUMP_V2, MRT_TDV2_RIB_IPV4_UNICAST, &r);
	}
	struct seen s = read_mem(f.b, f.n);
	CHECK_U(s.errors, 0);
	CHECK_U(s.routes, 40);
	uint64_t x = 0x9E3779B97F4A7C15ull;
	unsigned total_errors = 0;
	static uint8_t m[sizeof(f.b)];
	for (unsigned iter = 0; iter < 20000; iter++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		size_t n;
		if (iter % 4 == 0) { /* random bytes, sometimes behind a real header */
			n = x % 512;
			for (size_t i = 0; i < n; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				m[i] = (uint8_t)x;
			}
		} else { /* a good dump with a few bytes changed, and maybe cut */
			n = f.n;
			memcpy(m, f.b, n);
			for (unsigned j = 0; j < 1 + iter % 5; j++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				m[x % n] = (uint8_t)(x >> 32);
			}
			if (iter % 3 == 0)
				n = (x >> 16) % n;
		}
		s = read_mem(m, n);
		total_errors += s.errors;
	}
	CHECK(total_errors > 1000);
}

int main(void)
{
	RUN(test_tdv2_decode);
	RUN(test_attributes);
	RUN(test_attrs_widened);
	RUN(test_malformed_records);
	RUN(test_table_dump);
	RUN(test_write_and_read_back);
	RUN(test_bgpdump_reads_ours);
	RUN(test_random_input);
	TEST_MAIN_END();
}
