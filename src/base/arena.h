/*
 * arena.h — objects that are their own handle table.
 *
 * Destinations and routes live in arenas: chunks of 2^RTM_ARENA_SHIFT
 * objects of one size, addressed by a 32-bit index (chunk, place in it).
 * An object's handle (handle.h) carries that index and the object's
 * generation, so checking a handle is: find the chunk, compute the address,
 * compare the type and the generation stored in the object's header.  No
 * separate handle table (two 8-byte slots and a cache miss per route), no
 * malloc header or size-class rounding.
 *
 * Life of an object: alloc hands out a zeroed object with its index and a
 * new generation, not yet findable (type 0); publish makes it findable;
 * kill makes it unfindable at once (every handle to it is stale from then
 * on); free — after lock-free readers are done with it (epoch.h) — puts its
 * index at the tail of a FIFO of free indexes, so that an index is reused
 * only after every other free one: a stale handle could alias a new object
 * only after its index was reused 2^24 times.  Generations survive fini (a
 * RIB's deactivation unmaps its arenas; stale handles of before must stay
 * stale).
 *
 * The memory is a pool (pool.h: chunks mapped whole and touched ahead of
 * use, so the insert path takes no page fault; a chunk array readers can
 * follow without a lock), so rtm__arena_lookup_optimistic needs no lock.
 * Every other function needs the owner's exclusive lock (the RIB's).  Every
 * alloc counts for fault injection (alloc.h).
 */
#ifndef RTM_ARENA_H
#define RTM_ARENA_H

#include "handle.h"
#include "pool.h"

#include <stddef.h>
#include <stdint.h>

#define RTM_ARENA_SHIFT RTM_POOL_SHIFT

struct rtm_limbo;

struct rtm_arena {
	struct rtm_pool pool;     /* the memory; pool.size: bytes per object, a multiple of 8 */
	uint8_t type;             /* RTM_HT_* of its objects */
	uint32_t limit;           /* the greatest index it hands out (RTM_HANDLE_SLOT_MAX unless set) */
	uint32_t next;            /* indexes below it have been handed out at least once */
	uint32_t free_head, free_tail; /* FIFO of free indexes, linked through obj.pins */
	uint32_t gen_floor;       /* first generation of a never-used index (survives fini) */
	uint32_t max_gen;         /* the greatest generation handed out */
	size_t live;              /* published and not killed */
	size_t in_use;            /* allocated and not freed (live, killed in limbo, unpublished) */
};

void rtm__arena_init(struct rtm_arena *a, size_t size, unsigned type, struct rtm_limbo *limbo);
/* A zeroed object whose obj.slot and obj.gen are set, not findable yet;
 * 0 or RTM_ENOMEM (nothing changed). */
int rtm__arena_alloc(struct rtm_arena *a, struct rtm_obj **out);
/* Makes it findable by its handle. */
void rtm__arena_publish(struct rtm_arena *a, struct rtm_obj *o);
/* Makes it unfindable: its handles are stale from now on.  Its memory
 * stays until free. */
void rtm__arena_kill(struct rtm_arena *a, struct rtm_obj *o);
/* Gives its index back (after kill, or an object never published). */
void rtm__arena_free(struct rtm_arena *a, struct rtm_obj *o);
/* rtm__arena_free as a limbo callback (arg: the arena). */
void rtm__arena_free_cb(void *o, void *arena);
/* The live object (index, gen) names, or NULL.  _optimistic: without the
 * lock, inside an epoch section (the answer may be stale by the time it is
 * used, see handle.h). */
struct rtm_obj *rtm__arena_lookup(const struct rtm_arena *a, uint32_t index, uint32_t gen);
struct rtm_obj *rtm__arena_lookup_optimistic(const struct rtm_arena *a, uint32_t index, uint32_t gen);
/* Calls fn for every live object, in index order; fn may kill the object
 * it is given, and free it. */
void rtm__arena_foreach(struct rtm_arena *a, void (*fn)(struct rtm_obj *obj, void *arg), void *arg);
/* Unmaps everything; every object must have been freed.  Generations go
 * on from where they were. */
void rtm__arena_fini(struct rtm_arena *a);

#endif
