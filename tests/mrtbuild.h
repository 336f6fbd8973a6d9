/*
 * mrtbuild.h — MRT records built by hand for the tests (test_mrt_codec.c,
 * test_mrt.c): a byte buffer, big-endian fields, a record around a body, a
 * BGP attribute block, a peer table.  Numbers from RFC 6396 and RFC 4271.
 */
#ifndef RTM_MRTBUILD_H
#define RTM_MRTBUILD_H

#include "testlib.h"

#include <arpa/inet.h>
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

#endif
