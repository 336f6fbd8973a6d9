/*
 * pool.h — fixed-size objects in large chunks, addressed by a 32-bit index.
 *
 * The memory under the arenas (arena.h) and the trie's branch nodes
 * (trie.h): chunks of 2^RTM_POOL_SHIFT objects of one size, index i in
 * chunk i >> RTM_POOL_SHIFT.  A pool hands out indexes in order, never
 * frees one (its owner keeps its free list), and returns its memory only at
 * fini.  Chunks are mapped whole (virtual), from the second on in huge pages
 * (alloc.h), and touched ahead of use in growing windows
 * (MADV_POPULATE_WRITE), so the insert path takes no page fault.  The chunk
 * array is published with release stores and a replaced one goes through
 * the limbo (epoch.h), so rtm__pool_at_optimistic needs no lock; everything
 * else needs the owner's exclusive lock.  Under AddressSanitizer a new chunk
 * is poisoned and each object unpoisoned when it is first handed out; chunks
 * are LeakSanitizer roots (sanitize.h).
 */
#ifndef RTM_POOL_H
#define RTM_POOL_H

#include <stddef.h>
#include <stdint.h>

#define RTM_POOL_SHIFT 15u
#define RTM_POOL_PER_CHUNK (1u << RTM_POOL_SHIFT)

struct rtm_limbo;

struct rtm_pool {
	uint32_t size;            /* bytes per object */
	uint32_t nchunks, cap_chunks;
	char **chunks;            /* chunk i: objects [i << RTM_POOL_SHIFT, ...) */
	size_t touched;           /* objects of the newest chunk that are touched */
	size_t mapped;            /* bytes mapped */
	struct rtm_limbo *limbo;  /* where a replaced chunk array waits */
};

/* An empty pool of objects of size bytes (a multiple of 4). */
void rtm__pool_init(struct rtm_pool *p, size_t size, struct rtm_limbo *limbo);
/* Object `index`, the next never handed out (indexes go in order from 0):
 * its chunk mapped and its page touched; NULL when there is no memory (no
 * object handed out; the chunk array may have grown, and replacing it may
 * have run limbo callbacks).  No fault injection here: owners count their
 * objects. */
void *rtm__pool_first_use(struct rtm_pool *p, uint32_t index);
/* Unmaps every chunk; the pool is empty and may be used again. */
void rtm__pool_fini(struct rtm_pool *p);

/* Object index (handed out before), under the owner's lock. */
static inline __attribute__((always_inline)) void *rtm__pool_at(const struct rtm_pool *p,
								  uint32_t index)
{
	return p->chunks[index >> RTM_POOL_SHIFT] +
	       (size_t)(index & (RTM_POOL_PER_CHUNK - 1)) * p->size;
}

/* The same without a lock, inside an epoch section, for an index read after
 * (in happens-before order) the object was handed out.  Always inlined, so
 * that it takes its caller's sanitizer attributes (RTM_OPTIMISTIC). */
static inline __attribute__((always_inline)) void *rtm__pool_at_optimistic(const struct rtm_pool *p,
									     uint32_t index)
{
	char *const *chunks = __atomic_load_n(&p->chunks, __ATOMIC_ACQUIRE);
	return chunks[index >> RTM_POOL_SHIFT] + (size_t)(index & (RTM_POOL_PER_CHUNK - 1)) * p->size;
}

#endif
