/*
 * pool.c — fixed-size objects in large chunks (pool.h).
 */
#include "pool.h"

#include "alloc.h"
#include "epoch.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sanitize.h"

enum { FIRST_WINDOW = 64 << 10, LAST_WINDOW = 1 << 20 };

void rtm__pool_init(struct rtm_pool *p, size_t size, struct rtm_limbo *limbo)
{
	memset(p, 0, sizeof(*p));
	p->size = (uint32_t)size;
	p->limbo = limbo;
}

static size_t chunk_bytes(const struct rtm_pool *p)
{
	return (size_t)p->size * RTM_POOL_PER_CHUNK;
}

/* Maps one more chunk; 0 or RTM_ENOMEM. */
static int grow(struct rtm_pool *p)
{
	if (p->nchunks == (UINT32_MAX >> RTM_POOL_SHIFT))
		return RTM_ENOMEM;
	if (p->nchunks == p->cap_chunks) {
		uint32_t cap = p->cap_chunks ? p->cap_chunks * 2 : 8;
		/* Not counted for fault injection: the owner counted the object
		 * this is for (pool.h). */
		char **c = malloc(cap * sizeof(*c));
		if (!c)
			return RTM_ENOMEM;
		if (p->nchunks)
			memcpy(c, p->chunks, p->nchunks * sizeof(*c));
		char **old = p->chunks;
		__atomic_store_n(&p->chunks, c, __ATOMIC_RELEASE);
		p->cap_chunks = cap;
		rtm__limbo_retire(p->limbo, old, rtm__free_cb, NULL);
	}
	/* From the second chunk on (a big table) in huge pages (alloc.h); the
	 * first, all a small RIB ever uses, stays in 4 KiB pages. */
	void *m = rtm__map(chunk_bytes(p), p->nchunks > 0, false);
	if (!m)
		return RTM_ENOMEM;
	RTM_LSAN_ROOT(m, chunk_bytes(p));
	RTM_POISON(m, chunk_bytes(p));
	__atomic_store_n(&p->chunks[p->nchunks], (char *)m, __ATOMIC_RELEASE);
	p->nchunks++;
	p->mapped += chunk_bytes(p);
	p->touched = 0;
	return 0;
}

/* Touches the newest chunk's pages ahead of object `place` (its index in
 * the chunk), a window at a time: one system call instead of a page fault
 * per page. */
static void touch_ahead(struct rtm_pool *p, uint32_t place)
{
	if (place < p->touched)
		return;
	/* Windows grow with the chunk's use: a small RIB stays small. */
	size_t from = p->touched * p->size, end = chunk_bytes(p);
	size_t window = from < FIRST_WINDOW ? FIRST_WINDOW : from < LAST_WINDOW ? from : LAST_WINDOW;
	size_t to = from + window < end ? from + window : end;
	if (to < ((size_t)place + 1) * p->size)
		to = ((size_t)place + 1) * p->size;
	char *base = p->chunks[p->nchunks - 1];
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
	p->touched = to / p->size;
	if (p->touched <= place)
		p->touched = place + 1;
}

void *rtm__pool_first_use(struct rtm_pool *p, uint32_t index)
{
	if ((index >> RTM_POOL_SHIFT) >= p->nchunks && grow(p))
		return NULL;
	touch_ahead(p, index & (RTM_POOL_PER_CHUNK - 1));
	void *o = rtm__pool_at(p, index);
	RTM_UNPOISON(o, p->size);
	return o;
}

void rtm__pool_fini(struct rtm_pool *p)
{
	for (uint32_t i = 0; i < p->nchunks; i++) {
		RTM_UNPOISON(p->chunks[i], chunk_bytes(p));
		RTM_LSAN_UNROOT(p->chunks[i], chunk_bytes(p));
		rtm__unmap(p->chunks[i], chunk_bytes(p));
	}
	rtm__free(p->chunks);
	rtm__pool_init(p, p->size, p->limbo);
}
