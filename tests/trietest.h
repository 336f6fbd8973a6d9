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
#include "pool.h"
#include "testlib.h"
#include "trie.h"
#include "trie_check.h"

/* A user object embedding a node as its last member, as destinations do. */
struct obj {
	unsigned id;
	struct rtm_trie_node node;
};

#define OBJ(n) ((struct obj *)((char *)(n) - offsetof(struct obj, node)))

/* The pool the objects live in, as destinations live in their arena's:
 * objects are handed out in order and never reused (obj_free scribbles). */
#define OBJ_SIZE ((sizeof(struct obj) + 16 + 3) & ~(size_t)3)
static __attribute__((unused)) struct rtm_pool test_users;
static __attribute__((unused)) uint32_t test_users_next;

static inline void test_users_ready(void)
{
	if (!test_users.size)
		rtm__pool_init(&test_users, OBJ_SIZE, NULL);
}

/* A trie of width bits over the test's objects. */
static inline void trie_init(struct rtm_trie *t, unsigned width)
{
	test_users_ready();
	rtm__trie_init(t, width, &test_users, offsetof(struct obj, node));
}

static inline struct obj *obj_new(unsigned width, const uint8_t *key, unsigned len)
{
	struct obj *o;

	test_users_ready();
	/* Not a fault-injection site (pool.h): only a real lack of memory. */
	if (!(o = rtm__pool_first_use(&test_users, test_users_next)))
		abort();
	memset(o, 0xa5, OBJ_SIZE); /* the trie must set every field */
	o->node.ref = rtm__trie_user_ref(test_users_next++);
	memcpy(o->node.key, key, width / 8);
	o->node.len = (uint8_t)len;
	return o;
}

/* Done with o: scribbled over, so that a trie still using it would fail its checks. */
static inline void obj_free(struct obj *o)
{
	memset(o, 0x5a, OBJ_SIZE);
}

/* The node a reference names. */
#define NODE(t, r) rtm__trie_node((t), (r))

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
