/*
 * trietest.h — shared by test_trie_cases.c and test_trie_random.c: a user
 * object embedding a trie node, keys from address text, queries by text, and
 * a seeded random number generator.
 */
#ifndef RTM_TRIETEST_H
#define RTM_TRIETEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "testlib.h"
#include "trie.h"
#include "trie_check.h"

/* A user object embedding a node as its last member, as destinations do. */
struct obj {
	unsigned id;
	struct rtm_trie_node node;
};

#define OBJ(n) ((struct obj *)((char *)(n) - offsetof(struct obj, node)))

static inline struct obj *obj_new(unsigned width, const uint8_t *key, unsigned len)
{
	struct obj *o = malloc(sizeof(*o) + width / 8);

	if (!o)
		abort();
	memset(o, 0xa5, sizeof(*o) + width / 8); /* the trie must set every field */
	memcpy(o->node.key, key, width / 8);
	o->node.len = (uint8_t)len;
	return o;
}

/* Parse "a.b.c.d" or an IPv6 address into a 16-byte buffer. */
static inline void addr(uint8_t *out, const char *s)
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) != 1 && inet_pton(AF_INET6, s, out) != 1)
		abort();
}

static inline struct obj *obj_str(unsigned width, const char *a, unsigned len)
{
	uint8_t k[16];

	addr(k, a);
	return obj_new(width, k, len);
}

static inline struct rtm_trie_node *longest_str(const struct rtm_trie *t, const char *a,
						unsigned len)
{
	uint8_t k[16];

	addr(k, a);
	return rtm__trie_find_longest(t, k, len);
}

static inline struct rtm_trie_node *exact_str(const struct rtm_trie *t, const char *a, unsigned len)
{
	uint8_t k[16];

	addr(k, a);
	return rtm__trie_find_exact(t, k, len);
}

static inline struct rtm_trie_node *seek_str(const struct rtm_trie *t, const char *a, unsigned len,
					     int after)
{
	uint8_t k[16];

	addr(k, a);
	return rtm__trie_seek(t, k, len, after);
}

static __attribute__((unused)) uint64_t rng_state = 0x243f6a8885a308d3ull;

static inline uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* Every test that draws numbers seeds first, so it sees the same numbers with or without fork. */
static inline void rng_seed(uint64_t seed)
{
	rng_state = 0x243f6a8885a308d3ull ^ (seed * 0x9e3779b97f4a7c15ull);
}

static inline unsigned rnd(unsigned n)
{
	return (unsigned)(rng() % n);
}

static inline void rnd_bytes(uint8_t *k, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		k[i] = (uint8_t)rng();
}

#endif
