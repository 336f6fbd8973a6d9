/*
 * arenatest.h — what the arena tests (tests/unit/test_arena*.c) share: the
 * harness, and helpers that fill, check, allocate and find objects.
 */
#ifndef RTM_ARENATEST_H
#define RTM_ARENATEST_H

#define TL_TIMEOUT_S 120
#include "testlib.h"

#include "alloc.h"
#include "arena.h"
#include "epoch.h"
#include "error.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/mman.h>

#ifdef TL_ASAN
#include <sanitizer/asan_interface.h>
#endif

#define PER_CHUNK (1u << RTM_ARENA_SHIFT)
#define HEADER 24u              /* bytes of a free object that stay readable (arena.c) */
#define HUGE_ALIGN (2u << 20)   /* chunks from the second on (alloc.h) */
#define BODY sizeof(struct rtm_obj) /* where an object's own bytes begin */
#define WAIT_MS 10000u

static inline void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Waits until *flag != 0, at most WAIT_MS; its last value. */
static inline int wait_flag(atomic_int *flag)
{
	for (unsigned i = 0; i < WAIT_MS; i++) {
		if (atomic_load(flag))
			return 1;
		sleep_ms(1);
	}
	return atomic_load(flag);
}

/* ---- objects: a pattern in the bytes past the header ------------------------- */

static inline uint8_t pat(uint32_t index, uint32_t gen, size_t k)
{
	return (uint8_t)(index * 131u + gen * 17u + k * 7u + 1u);
}

static inline void fill(struct rtm_obj *o, size_t size)
{
	uint8_t *b = (uint8_t *)o;
	for (size_t k = BODY; k < size; k++)
		b[k] = pat(o->slot, o->gen, k);
}

/* Is the pattern fill() wrote for (index, gen) still there? */
static inline bool intact(const struct rtm_obj *o, size_t size, uint32_t index, uint32_t gen)
{
	const uint8_t *b = (const uint8_t *)o;
	for (size_t k = BODY; k < size; k++)
		if (b[k] != pat(index, gen, k))
			return false;
	return true;
}

/* A newly allocated object: zeroed but for its index and generation. */
static inline bool fresh(const struct rtm_obj *o, size_t size)
{
	if (atomic_load(&o->pins) || atomic_load(&o->crefs) || o->type || atomic_load(&o->reap_pending) ||
	    o->dead || o->spare)
		return false;
	const uint8_t *b = (const uint8_t *)o;
	for (size_t k = BODY; k < size; k++)
		if (b[k])
			return false;
	return true;
}

static inline struct rtm_obj *must_alloc(struct rtm_arena *a)
{
	struct rtm_obj *o = NULL;
	int err = rtm__arena_alloc(a, &o);
	if (err || !o) {
		fprintf(stderr, "  rtm__arena_alloc: %d\n", err);
		return NULL;
	}
	return o;
}

static inline bool found(const struct rtm_arena *a, const struct rtm_obj *o, uint32_t index, uint32_t gen)
{
	return rtm__arena_lookup(a, index, gen) == o && rtm__arena_lookup_optimistic(a, index, gen) == o;
}

static inline bool not_found(const struct rtm_arena *a, uint32_t index, uint32_t gen)
{
	return !rtm__arena_lookup(a, index, gen) && !rtm__arena_lookup_optimistic(a, index, gen);
}

/* Where index must be: its chunk's base plus its place times the size. */
static inline const void *place_of(const struct rtm_arena *a, uint32_t index)
{
	return a->pool.chunks[index >> RTM_ARENA_SHIFT] + (size_t)(index & (PER_CHUNK - 1)) * a->pool.size;
}

/* Kills (if published) and frees every object of objs[0..n). */
static inline void release_all(struct rtm_arena *a, struct rtm_obj **objs, size_t n, bool published)
{
	for (size_t i = 0; i < n; i++) {
		if (!objs[i])
			continue;
		if (published)
			rtm__arena_kill(a, objs[i]);
		rtm__arena_free(a, objs[i]);
		objs[i] = NULL;
	}
}

/* ---- basics ------------------------------------------------------------------- */

/* Sizes are rounded up to 8, never below the header; nothing is mapped
 * before the first object. */
/* n objects allocated, filled and published, their generations in gen;
 * false if an allocation failed. */
static inline bool alloc_published(struct rtm_arena *a, struct rtm_obj **o, uint32_t *gen, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (!(o[i] = must_alloc(a)))
			return false;
		gen[i] = o[i]->gen;
		fill(o[i], a->pool.size);
		rtm__arena_publish(a, o[i]);
	}
	return true;
}

/* The end of a test's arena: nothing left in it, then unmapped. */
static inline void arena_done(struct rtm_arena *a)
{
	CHECK_U(a->in_use, 0);
	CHECK_U(a->live, 0);
	rtm__arena_fini(a);
	CHECK_U(a->pool.mapped, 0);
}

/* A reader thread holding an epoch section is told to leave; once it has,
 * the limbo gives back everything it held back. */
static inline void reader_leaves(atomic_int *leave, atomic_int *left, struct rtm_limbo *l)
{
	atomic_store(leave, 1);
	CHECK(wait_flag(left));
	rtm__limbo_poll(l);
	CHECK_U(l->pending, 0);
}

#endif
