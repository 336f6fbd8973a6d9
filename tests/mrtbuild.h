/*
 * mrtbuild.h — MRT records built by hand for the tests (test_mrt_codec.c,
 * test_mrt.c, test_mrt_replay.c): a byte buffer, big-endian fields, a record
 * around a body, a BGP attribute block, a peer table, BGP4MP messages
 * (numbers from RFC 6396 and RFC 4271); and, on RTM's side, a BGP entity, a
 * file written, and the best route of a prefix as a client sees it.
 */
#ifndef RTM_MRTBUILD_H
#define RTM_MRTBUILD_H

#include "testlib.h"

#include <arpa/inet.h>
#include <routprot.h>
#include <rtmv2.h>
#include <rtmv2/mrt.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#define MRTB_TABLE_DUMP 12
#define MRTB_TABLE_DUMP_V2 13
#define MRTB_PEER_INDEX_TABLE 1
#define MRTB_RIB_IPV4_UNICAST 2
#define MRTB_RIB_IPV6_UNICAST 4
#define MRTB_ORIGIN 1
#define MRTB_AS_PATH 2
#define MRTB_NEXT_HOP 3
#define MRTB_MP_REACH_NLRI 14


struct buf {
	uint8_t b[1 << 16];
	size_t n;
};

static inline void b8(struct buf *b, unsigned v)
{
	b->b[b->n++] = (uint8_t)v;
}

static inline void b16(struct buf *b, unsigned v)
{
	b8(b, v >> 8);
	b8(b, v);
}

static inline void b32(struct buf *b, uint32_t v)
{
	b16(b, v >> 16);
	b16(b, v & 0xffff);
}

static inline void bytes_in(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static inline void record(struct buf *out, unsigned type, unsigned subtype, const struct buf *body)
{
	b32(out, 1700000000u);
	b16(out, type);
	b16(out, subtype);
	b32(out, (uint32_t)body->n);
	bytes_in(out, body->b, body->n);
}

static inline void ip4(uint8_t *out, const char *s)
{
	REQUIRE(inet_pton(AF_INET, s, out) == 1);
}

static inline void ip6(uint8_t *out, const char *s)
{
	REQUIRE(inet_pton(AF_INET6, s, out) == 1);
}

/* Attributes: ORIGIN, a 4-byte AS_PATH of n ASes, NEXT_HOP, an opaque COMMUNITIES. */
static inline void attrs4(struct buf *a, const uint32_t *as, unsigned n, const char *nh)
{
	b8(a, 0x40), b8(a, MRTB_ORIGIN), b8(a, 1), b8(a, 0);
	b8(a, 0x40), b8(a, MRTB_AS_PATH), b8(a, 2 + 4 * n), b8(a, 2), b8(a, n);
	for (unsigned i = 0; i < n; i++)
		b32(a, as[i]);
	uint8_t g[4];
	ip4(g, nh);
	b8(a, 0x40), b8(a, MRTB_NEXT_HOP), b8(a, 4), bytes_in(a, g, 4);
	b8(a, 0xc0), b8(a, 8), b8(a, 4), b32(a, 0xfde80001u); /* COMMUNITIES 65000:1 */
}

/* A PEER_INDEX_TABLE of two peers: 192.0.2.1 AS 64500 (2-byte), 2001:db8::1 AS 4200000001. */
static inline void peer_index(struct buf *out)
{
	struct buf p = { .n = 0 };
	b32(&p, 0x0a000001u);
	b16(&p, 4), bytes_in(&p, "test", 4);
	b16(&p, 2);
	uint8_t a[16];
	b8(&p, 0), b32(&p, 0xc0000201u), ip4(a, "192.0.2.1"), bytes_in(&p, a, 4), b16(&p, 64500);
	b8(&p, 3), b32(&p, 0xc0000202u), ip6(a, "2001:db8::1"), bytes_in(&p, a, 16), b32(&p, 4200000001u);
	record(out, MRTB_TABLE_DUMP_V2, MRTB_PEER_INDEX_TABLE, &p);
}

/* A BGP4MP record around a BGP message: subtype (4: MESSAGE_AS4, 1:
 * MESSAGE, 5: STATE_CHANGE_AS4), the peer (IPv4 or IPv6 text) and its AS;
 * msg: the BGP message after its 19-byte header, of BGP type. */
static inline void bgp4mp(struct buf *f, uint32_t ts, unsigned subtype, const char *peer, uint32_t peer_as,
			  unsigned type, const struct buf *msg)
{
	struct buf b = { .n = 0 };
	bool as4 = subtype == 4 || subtype == 5 || subtype == 7 || subtype == 9 || subtype == 11,
	     v6 = strchr(peer, ':') != NULL;
	if (as4)
		b32(&b, peer_as), b32(&b, 64999);
	else
		b16(&b, peer_as), b16(&b, 64999);
	b16(&b, 0), b16(&b, v6 ? 2 : 1);
	uint8_t a[16] = { 0 };
	if (v6)
		ip6(a, peer);
	else
		ip4(a, peer);
	bytes_in(&b, a, v6 ? 16 : 4);
	memset(a, 0, sizeof(a));
	bytes_in(&b, a, v6 ? 16 : 4);
	if (subtype == 5) {
		bytes_in(&b, msg->b, msg->n); /* old and new state */
	} else {
		for (unsigned i = 0; i < 16; i++)
			b8(&b, 0xff);
		b16(&b, 19 + (unsigned)msg->n), b8(&b, type);
		bytes_in(&b, msg->b, msg->n);
	}
	struct buf out = { .n = 0 };
	b32(&out, ts), b16(&out, 16), b16(&out, subtype), b32(&out, (uint32_t)b.n);
	bytes_in(&out, b.b, b.n);
	bytes_in(f, out.b, out.n);
}

/* An IPv4 or IPv6 prefix in NLRI form into b. */
static inline void nlri(struct buf *b, const char *prefix, unsigned len)
{
	uint8_t a[16] = { 0 };
	if (strchr(prefix, ':'))
		ip6(a, prefix);
	else
		ip4(a, prefix);
	b8(b, len);
	bytes_in(b, a, (len + 7) / 8);
}

/* The same with an ADD-PATH path identifier first. */
static inline void nlri_path(struct buf *b, uint32_t path_id, const char *prefix, unsigned len)
{
	b32(b, path_id);
	nlri(b, prefix, len);
}

/* An UPDATE's body: withdrawn IPv4 prefixes, attributes, IPv4 NLRI. */
static inline void update(struct buf *msg, const struct buf *withdrawn, const struct buf *attrs,
			  const struct buf *announced)
{
	msg->n = 0;
	b16(msg, (unsigned)withdrawn->n), bytes_in(msg, withdrawn->b, withdrawn->n);
	b16(msg, (unsigned)attrs->n), bytes_in(msg, attrs->b, attrs->n);
	bytes_in(msg, announced->b, announced->n);
}

/* ---- RTM's side ------------------------------------------------------------------------ */

static inline RTM_ENTITY_HANDLE bgp(USHORT family, ULONG instance)
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

static inline void write_file(const char *path, const void *p, size_t n)
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

static inline void addr_text(const RTM_NET_ADDRESS *a, char *out, size_t size)
{
	inet_ntop(a->AddressFamily, a->AddrBits, out, (socklen_t)size);
}

/* The best unicast route of prefix, as reg sees it. */
static inline struct route_seen best(RTM_ENTITY_HANDLE reg, USHORT family, const char *prefix, unsigned len)
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

/* bgpdump -m of path, its lines sorted with the time field cleared, into
 * out; false where bgpdump is not installed. */
static inline bool bgpdump_lines(const char *path, char *out, size_t size)
{
	if (system("command -v bgpdump >/dev/null 2>&1") != 0)
		return false;
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "bgpdump -m %s 2>/dev/null | awk -F'|' 'BEGIN{OFS=\"|\"} {$2=\"T\"; print}' | sort",
		 path);
	FILE *f = popen(cmd, "r");
	if (!f)
		return false;
	size_t n = fread(out, 1, size - 1, f);
	out[n] = 0;
	pclose(f);
	return true;
}

#endif
