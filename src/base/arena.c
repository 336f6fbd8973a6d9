/*
 * arena.c — objects that are their own handle table (arena.h).
 */
#include "arena.h"

#include "alloc.h"
#include "epoch.h"
#include "error.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sanitize.h"

#define PER_CHUNK (1u << RTM_ARENA_SHIFT)
#define NONE UINT32_MAX
#define HEADER 24u /* bytes of a free object that stay readable: struct rtm_obj, rounded */
enum { FIRST_WINDOW = 64 << 10, LAST_WINDOW = 1 << 20 };

void rtm__arena_init(struct rtm_arena *a, size_t size, unsigned type, struct rtm_limbo *limbo)
{
	memset(a, 0, sizeof(*a));
	a->size = (uint32_t)((size < HEADER ? HEADER : size) + 7) & ~7u;
	a->type = (uint8_t)type;
	a->free_head = a->free_tail = NONE;
	a->gen_floor = 1;
	a->limbo = limbo;
}

static size_t chunk_bytes(const struct rtm_arena *a)
{
	return (size_t)a->size * PER_CHUNK;
}

/* Always inlined: in rtm__arena_lookup_optimistic it must stay out of the
 * race detector's sight with the rest of that function (found by
 * test_arena under TSan). */
static inline __attribute__((always_inline)) struct rtm_obj *at(const struct rtm_arena *a, char *const *chunks,
								uint32_t index)
{
	return (struct rtm_obj *)(void *)(chunks[index >> RTM_ARENA_SHIFT] +
					  (size_t)(index & (PER_CHUNK - 1)) * a->size);
}

/* Maps one more chunk; 0 or RTM_ENOMEM. */
static int grow(struct rtm_arena *a)
{
	if (a->nchunks == (NONE >> RTM_ARENA_SHIFT))
		return RTM_ENOMEM;
	if (a->nchunks == a->cap_chunks) {
		uint32_t cap = a->cap_chunks ? a->cap_chunks * 2 : 8;
		char **c = rtm__malloc(cap * sizeof(*c));
		if (!c)
			return RTM_ENOMEM;
		if (a->nchunks)
			memcpy(c, a->chunks, a->nchunks * sizeof(*c));
		char **old = a->chunks;
		__atomic_store_n(&a->chunks, c, __ATOMIC_RELEASE);
		a->cap_chunks = cap;
		rtm__limbo_retire(a->limbo, old, rtm__free_cb, NULL);
	}
	/* From the second chunk on (a big table) in huge pages (alloc.h); the
	 * first, all a small RIB ever uses, stays in 4 KiB pages. */
	void *m = rtm__map(chunk_bytes(a), a->nchunks > 0, false);
	if (!m)
		return RTM_ENOMEM;
	RTM_LSAN_ROOT(m, chunk_bytes(a));
	RTM_POISON(m, chunk_bytes(a));
	__atomic_store_n(&a->chunks[a->nchunks], (char *)m, __ATOMIC_RELEASE);
	a->nchunks++;
	a->mapped += chunk_bytes(a);
	a->touched = 0;
	return 0;
}

/* Touches the newest chunk's pages ahead of object `place` (its index in
 * the chunk), a window at a time: one system call instead of a page fault
 * per page. */
static void touch_ahead(struct rtm_arena *a, uint32_t place)
{
	if (place < a->touched)
		return;
	/* Windows grow with the chunk's use: a small RIB stays small. */
	size_t from = a->touched * a->size, end = chunk_bytes(a);
	size_t window = from < FIRST_WINDOW ? FIRST_WINDOW : from < LAST_WINDOW ? from : LAST_WINDOW;
	size_t to = from + window < end ? from + window : end;
	if (to < ((size_t)place + 1) * a->size)
		to = ((size_t)place + 1) * a->size;
	char *base = a->chunks[a->nchunks - 1];
	long page = sysconf(_SC_PAGESIZE);
	size_t p0 = from & ~((size_t)page - 1);
#ifdef MADV_POPULATE_WRITE
	if (madvise(base + p0, to - p0, MADV_POPULATE_WRITE) != 0)
#endif
	{
		/* An older kernel: touch the pages one by one (they are zero). */
		for (size_t off = p0; off < to; off += (size_t)page)
			__atomic_store_n(base + off, (char)0, __ATOMIC_RELAXED);
	}
	a->touched = to / a->size;
	if (a->touched <= place)
		a->touched = place + 1;
}

int rtm__arena_alloc(struct rtm_arena *a, struct rtm_obj **out)
{
	if (rtm__alloc_should_fail())
		return RTM_ENOMEM;
	uint32_t index, gen;
	struct rtm_obj *o;
	if (a->free_head != NONE) {
		index = a->free_head;
		o = at(a, a->chunks, index);
		RTM_UNPOISON((char *)o + HEADER, a->size - HEADER);
		a->free_head = atomic_load_explicit(&o->pins, memory_order_relaxed);
		if (a->free_head == NONE)
			a->free_tail = NONE;
		gen = (o->gen + 1) & RTM_HANDLE_GEN_MASK;
		if (gen == 0)
			gen = 1;
	} else {
		index = a->next;
		if (index > RTM_HANDLE_SLOT_MAX)
			return RTM_ENOMEM; /* a handle has 30 bits for it */
		if ((index >> RTM_ARENA_SHIFT) >= a->nchunks) {
			int err = grow(a);
			if (err)
				return err;
		}
		touch_ahead(a, index & (PER_CHUNK - 1));
		o = at(a, a->chunks, index);
		RTM_UNPOISON(o, a->size);
		gen = a->gen_floor;
	}
	memset(o, 0, a->size);
	o->slot = index;
	o->gen = gen;
	if (gen > a->max_gen)
		a->max_gen = gen;
	if (index == a->next)
		__atomic_store_n(&a->next, index + 1, __ATOMIC_RELEASE);
	a->in_use++;
	*out = o;
	return 0;
}

void rtm__arena_publish(struct rtm_arena *a, struct rtm_obj *o)
{
	__atomic_store_n(&o->type, a->type, __ATOMIC_RELEASE);
	a->live++;
}

void rtm__arena_kill(struct rtm_arena *a, struct rtm_obj *o)
{
	__atomic_store_n(&o->type, (uint8_t)0, __ATOMIC_RELEASE);
	a->live--;
}

void rtm__arena_free(struct rtm_arena *a, struct rtm_obj *o)
{
	if (!o)
		return;
	__atomic_store_n(&o->type, (uint8_t)0, __ATOMIC_RELAXED);
	atomic_store_explicit(&o->pins, NONE, memory_order_relaxed);
	if (a->free_tail == NONE)
		a->free_head = o->slot;
	else
		atomic_store_explicit(&at(a, a->chunks, a->free_tail)->pins, o->slot, memory_order_relaxed);
	a->free_tail = o->slot;
	a->in_use--;
	RTM_POISON((char *)o + HEADER, a->size - HEADER);
}

void rtm__arena_free_cb(void *o, void *arena)
{
	rtm__arena_free(arena, o);
}

struct rtm_obj *rtm__arena_lookup(const struct rtm_arena *a, uint32_t index, uint32_t gen)
{
	if (index >= a->next)
		return NULL;
	struct rtm_obj *o = at(a, a->chunks, index);
	if (o->type != a->type || o->gen != gen)
		return NULL;
	return o;
}

RTM_OPTIMISTIC struct rtm_obj *rtm__arena_lookup_optimistic(const struct rtm_arena *a, uint32_t index,
							    uint32_t gen)
{
	if (index >= __atomic_load_n(&a->next, __ATOMIC_ACQUIRE))
		return NULL;
	char *const *chunks = __atomic_load_n(&a->chunks, __ATOMIC_ACQUIRE);
	struct rtm_obj *o = at(a, chunks, index);
	if (__atomic_load_n(&o->type, __ATOMIC_ACQUIRE) != a->type || o->gen != gen)
		return NULL;
	return o;
}

void rtm__arena_foreach(struct rtm_arena *a, void (*fn)(struct rtm_obj *obj, void *arg), void *arg)
{
	for (uint32_t i = 0; i < a->next; i++) {
		struct rtm_obj *o = at(a, a->chunks, i);
		if (o->type == a->type)
			fn(o, arg);
	}
}

void rtm__arena_fini(struct rtm_arena *a)
{
	for (uint32_t i = 0; i < a->nchunks; i++) {
		RTM_UNPOISON(a->chunks[i], chunk_bytes(a));
		RTM_LSAN_UNROOT(a->chunks[i], chunk_bytes(a));
		rtm__unmap(a->chunks[i], chunk_bytes(a));
	}
	rtm__free(a->chunks);
	uint32_t floor = (a->max_gen + 1) & RTM_HANDLE_GEN_MASK;
	size_t size = a->size;
	unsigned type = a->type;
	struct rtm_limbo *limbo = a->limbo;
	rtm__arena_init(a, size, type, limbo);
	a->gen_floor = floor ? floor : 1;
	a->max_gen = a->gen_floor;
}
