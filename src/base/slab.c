/*
 * slab.c — fixed-size objects in large pre-touched chunks (slab.h).
 */
#include "slab.h"

#include "alloc.h"

#include <string.h>

#include "sanitize.h"

enum { FIRST_CHUNK = 64 << 10, LAST_CHUNK = 4 << 20 };

struct rtm_slab_chunk {
	struct rtm_slab_chunk *next;
	size_t bytes;
	uint64_t align; /* objects start 8-aligned after the header */
};

void rtm__slab_init(struct rtm_slab *s, size_t size)
{
	memset(s, 0, sizeof(*s));
	s->size = (uint32_t)((size < sizeof(void *) ? sizeof(void *) : size) + 7) & ~7u;
	s->next_bytes = FIRST_CHUNK;
}

static int grow(struct rtm_slab *s)
{
	size_t bytes = s->next_bytes;
	/* Chunks of 2 MiB and more in huge pages (alloc.h). */
	void *m = rtm__map(bytes, bytes >= (2u << 20), true);
	if (!m)
		return -1;
	struct rtm_slab_chunk *c = m;
	c->next = s->chunks;
	c->bytes = bytes;
	s->chunks = c;
	s->mapped += bytes;
	s->bump = (char *)(c + 1);
	s->end = (char *)m + bytes;
	RTM_LSAN_ROOT(m, bytes);
	RTM_POISON(s->bump, (size_t)(s->end - s->bump));
	if (s->next_bytes < LAST_CHUNK)
		s->next_bytes *= 2;
	return 0;
}

void *rtm__slab_alloc(struct rtm_slab *s)
{
	if (rtm__alloc_should_fail())
		return NULL;
	void *p = s->free;
	if (p) {
		RTM_UNPOISON(p, s->size);
		s->free = *(void **)p;
	} else {
		if ((size_t)(s->end - s->bump) < s->size && grow(s))
			return NULL;
		p = s->bump;
		s->bump += s->size;
		RTM_UNPOISON(p, s->size);
	}
	memset(p, 0, s->size);
	s->in_use++;
	return p;
}

void rtm__slab_free(struct rtm_slab *s, void *p)
{
	if (!p)
		return;
	*(void **)p = s->free;
	s->free = p;
	s->in_use--;
	RTM_POISON((char *)p + sizeof(void *), s->size - sizeof(void *));
}

void rtm__slab_free_cb(void *p, void *slab)
{
	rtm__slab_free(slab, p);
}

void rtm__slab_fini(struct rtm_slab *s)
{
	size_t size = s->size;
	for (struct rtm_slab_chunk *c = s->chunks, *next; c; c = next) {
		next = c->next;
		size_t bytes = c->bytes;
		RTM_UNPOISON(c, bytes);
		RTM_LSAN_UNROOT(c, bytes);
		rtm__unmap(c, bytes);
	}
	rtm__slab_init(s, size);
}
