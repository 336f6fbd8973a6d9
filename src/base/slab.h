/*
 * slab.h — fixed-size objects in large pre-touched chunks.
 *
 * A RIB keeps its destinations, routes and trie branch nodes in slabs, one
 * per object size: no malloc header or size-class rounding per object, and
 * no page fault on the insert path, since a chunk is mapped with its pages
 * populated (MAP_POPULATE) in one system call.  Chunks grow from 64 KiB to
 * 4 MiB, so that a small RIB stays small.  A freed object goes on a free
 * list threaded through its first word and is the next one handed out;
 * chunks are returned only by rtm__slab_fini (a RIB's deactivation, once
 * every object is back).
 *
 * Every rtm__slab_alloc counts as an allocation for fault injection
 * (alloc.h), so the out-of-memory tests fail it like any malloc.  Under
 * AddressSanitizer free objects are poisoned, so a use after free is still
 * reported.  A slab belongs to one writer at a time (its RIB's exclusive
 * lock); objects that lock-free readers may hold are freed through the
 * RIB's limbo (epoch.h).
 */
#ifndef RTM_SLAB_H
#define RTM_SLAB_H

#include <stddef.h>
#include <stdint.h>

struct rtm_slab_chunk;

struct rtm_slab {
	uint32_t size;                 /* bytes per object, a multiple of 8 */
	void *free;                    /* freed objects, linked through their first word */
	char *bump, *end;              /* the newest chunk's part never handed out */
	struct rtm_slab_chunk *chunks; /* every chunk, newest first */
	size_t next_bytes;             /* the size of the next chunk */
	size_t in_use;                 /* objects handed out and not freed */
	size_t mapped;                 /* bytes of all chunks */
};

/* An empty slab of objects of `size` bytes (rounded up to 8). */
void rtm__slab_init(struct rtm_slab *s, size_t size);
/* A zeroed object, or NULL when memory (or the fault injection) says no. */
void *rtm__slab_alloc(struct rtm_slab *s);
/* Gives p back; p NULL is a no-op. */
void rtm__slab_free(struct rtm_slab *s, void *p);
/* The same with the slab as argument, for rtm__limbo_retire. */
void rtm__slab_free_cb(void *p, void *slab);
/* Unmaps every chunk; the slab is empty and may be used again.  Every
 * object must have been freed. */
void rtm__slab_fini(struct rtm_slab *s);

#endif
