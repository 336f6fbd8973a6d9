/*
 * test_pool.c — pools, fixed-size objects addressed by a 32-bit index
 * (base/pool.c), alone, as the trie uses them for its branch nodes (an
 * object size that is not a multiple of 8).  The arenas built on a pool have
 * their own tests (test_arena*.c: growth windows, huge-page alignment,
 * readers while the chunk array is replaced).
 *
 * Links base/ and table/ only (the Makefile's unit rule).
 */
#define TL_TIMEOUT_S 60
#include "../testlib.h"

#include "epoch.h"
#include "pool.h"

#include <stdint.h>
#include <string.h>

#define OBJ 36u
#define N (2 * RTM_POOL_PER_CHUNK + 100)

static uint8_t pat(uint32_t i, unsigned k)
{
	return (uint8_t)(i * 131u + k * 7u + 1u);
}

/* Indexes handed out in order across chunks: each object where at() and
 * at_optimistic() say, zeroed when first used, whole after every other was
 * written; the pool maps whole chunks; fini gives them back and the pool
 * works again. */
static void test_in_order_across_chunks(void)
{
	struct rtm_pool p;
	struct rtm_limbo l;
	memset(&l, 0, sizeof(l));
	rtm__pool_init(&p, OBJ, &l);
	CHECK_U(p.size, OBJ);
	CHECK_U(p.mapped, 0);
	CHECK(p.chunks == NULL);
	for (unsigned round = 0; round < 2; round++) {
		for (uint32_t i = 0; i < N; i++) {
			uint8_t *o = rtm__pool_first_use(&p, i);
			REQUIRE(o);
			CHECK_U(p.nchunks, (i >> RTM_POOL_SHIFT) + 1);
			if (o != rtm__pool_at(&p, i) || o != rtm__pool_at_optimistic(&p, i))
				CHECK(!"at() disagrees");
			for (unsigned k = 0; k < OBJ; k++)
				if (o[k] != 0)
					CHECK(!"a new object is not zero");
			for (unsigned k = 0; k < OBJ; k++)
				o[k] = pat(i, k);
		}
		unsigned broken = 0;
		for (uint32_t i = 0; i < N; i++) {
			const uint8_t *o = rtm__pool_at(&p, i);
			for (unsigned k = 0; k < OBJ; k++)
				broken += o[k] != pat(i, k);
		}
		CHECK_U(broken, 0);
		CHECK_U(p.nchunks, 3);
		CHECK_U(p.mapped, 3ull * OBJ * RTM_POOL_PER_CHUNK);
		/* Objects of one chunk are contiguous, OBJ bytes apart. */
		CHECK((char *)rtm__pool_at(&p, 1) - (char *)rtm__pool_at(&p, 0) == (ptrdiff_t)OBJ);
		rtm__limbo_flush(&l);
		rtm__pool_fini(&p);
		CHECK_U(p.mapped, 0);
		CHECK_U(p.nchunks, 0);
		CHECK(p.chunks == NULL);
		CHECK_U(p.size, OBJ); /* ready again */
		CHECK(p.limbo == &l);
	}
}

/* The chunk array holds 8 chunks, then is replaced by a larger one: the old
 * one waits in the limbo (a reader may still be reading it) and every object
 * stays where it was. */
static void test_chunk_array_replaced(void)
{
	struct rtm_pool p;
	struct rtm_limbo l;
	memset(&l, 0, sizeof(l));
	rtm__pool_init(&p, 8, &l);
	uint32_t i = 0;
	for (; i < 8 * RTM_POOL_PER_CHUNK; i++)
		REQUIRE(rtm__pool_first_use(&p, i));
	char **first = p.chunks;
	char *chunk0 = first[0];
	CHECK_U(p.cap_chunks, 8);
	uint64_t pending = l.pending;
	REQUIRE(rtm__pool_first_use(&p, i)); /* the ninth chunk */
	CHECK(p.chunks != first);
	CHECK_U(p.cap_chunks, 16);
	CHECK_U(l.pending, pending + 1);
	CHECK(p.chunks[0] == chunk0);
	CHECK(rtm__pool_at(&p, 5) == chunk0 + 5 * 8);
	rtm__limbo_flush(&l);
	CHECK_U(l.pending, 0);
	rtm__pool_fini(&p);
	CHECK_U(p.mapped, 0);
}

int main(void)
{
	RUN(test_in_order_across_chunks);
	RUN(test_chunk_array_replaced);
	TEST_MAIN_END();
}
