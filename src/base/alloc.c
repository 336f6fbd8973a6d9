/*
 * alloc.c — heap wrappers with fault injection (see alloc.h).
 *
 * The countdown is global and atomic: a test that arms it fails exactly one
 * allocation, whichever thread makes it.  The allocation count is the calling
 * thread's own: a shared counter bumped by every allocation of every thread
 * would put one contended cache line on the path of every insert.
 */
#include "alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

static atomic_ulong fail_countdown;
static _Thread_local unsigned long alloc_count;
static atomic_ulong failures;

int rtm__alloc_should_fail(void)
{
	alloc_count++;
	if (__builtin_expect(atomic_load_explicit(&fail_countdown, memory_order_relaxed) == 0, 1))
		return 0;
	/* Decrement only while positive; the one that reaches 0 fails. */
	unsigned long cur = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
	while (cur != 0) {
		if (atomic_compare_exchange_weak_explicit(&fail_countdown, &cur, cur - 1,
							  memory_order_relaxed, memory_order_relaxed)) {
			if (cur == 1) {
				atomic_fetch_add_explicit(&failures, 1, memory_order_relaxed);
				return 1;
			}
			return 0;
		}
	}
	return 0;
}

void *rtm__malloc(size_t size)
{
	return rtm__alloc_should_fail() ? NULL : malloc(size);
}

void *rtm__calloc(size_t count, size_t size)
{
	return rtm__alloc_should_fail() ? NULL : calloc(count, size);
}

void *rtm__realloc(void *ptr, size_t size)
{
	return rtm__alloc_should_fail() ? NULL : realloc(ptr, size);
}

void rtm__free(void *ptr)
{
	free(ptr);
}

void rtm__free_cb(void *ptr, void *unused)
{
	(void)unused;
	free(ptr);
}

void rtm__alloc_fail_at(unsigned long nth)
{
	atomic_store_explicit(&fail_countdown, nth, memory_order_relaxed);
}

unsigned long rtm__alloc_count(void)
{
	return alloc_count;
}

unsigned long rtm__alloc_failures(void)
{
	return atomic_load_explicit(&failures, memory_order_relaxed);
}

/*
 * Memory for the pools.  With `huge`, the mapping is aligned on
 * 2 MiB and asks for transparent huge pages: each 2 MiB extent inside then
 * costs one fault-and-zero instead of 512 (the first load of a full table
 * spent about half its time making pages; with them a cold load runs at
 * about 1.5 times the speed).  `populate` makes the pages at once.
 */
#define HUGE_PAGE (2u << 20)
void *rtm__map(size_t bytes, bool huge, bool populate)
{
	size_t len = huge ? bytes + HUGE_PAGE : bytes;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | (populate && !huge ? MAP_POPULATE : 0), -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	if (!huge)
		return m;
	char *base = (char *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (base > m)
		munmap(m, (size_t)(base - m));
	size_t tail = (size_t)(m + len - (base + bytes));
	if (tail)
		munmap(base + bytes, tail);
#ifdef MADV_HUGEPAGE
	(void)madvise(base, bytes, MADV_HUGEPAGE);
#endif
	if (populate) {
#ifdef MADV_POPULATE_WRITE
		if (madvise(base, bytes, MADV_POPULATE_WRITE) != 0)
#endif
			for (size_t off = 0; off < bytes; off += 4096)
				__atomic_store_n(base + off, (char)0, __ATOMIC_RELAXED);
	}
	return base;
}

void rtm__unmap(void *p, size_t bytes)
{
	if (p)
		munmap(p, bytes);
}
