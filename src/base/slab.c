/*
 * slab.c — fixed-size objects in large pre-touched chunks (slab.h).
 */
#include "slab.h"

#include "alloc.h"

#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define RTM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RTM_ASAN 1
#endif
#endif
#ifdef RTM_ASAN
/* Free objects are poisoned; chunks are roots for LeakSanitizer, which does
 * not scan mapped memory by itself: what live objects point to (a
 * destination's extension, a route's next-hop array) is not a leak. */
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define ROOT(p, n) __lsan_register_root_region((p), (n))
#define UNROOT(p, n) __lsan_unregister_root_region((p), (n))
#else
#define POISON(p, n) ((void)(p), (void)(n))
#define UNPOISON(p, n) ((void)(p), (void)(n))
#define ROOT(p, n) ((void)(p), (void)(n))
#define UNROOT(p, n) ((void)(p), (void)(n))
#endif

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
	ROOT(m, bytes);
	POISON(s->bump, (size_t)(s->end - s->bump));
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
		UNPOISON(p, s->size);
		s->free = *(void **)p;
	} else {
		if ((size_t)(s->end - s->bump) < s->size && grow(s))
			return NULL;
		p = s->bump;
		s->bump += s->size;
		UNPOISON(p, s->size);
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
	POISON((char *)p + sizeof(void *), s->size - sizeof(void *));
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
		UNPOISON(c, bytes);
		UNROOT(c, bytes);
		rtm__unmap(c, bytes);
	}
	rtm__slab_init(s, size);
}
