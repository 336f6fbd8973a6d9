/*
 * alloc.h — the library's one door to the heap.
 *
 * Every allocation of the library goes through rtm__malloc / rtm__calloc /
 * rtm__realloc so that tests can make any single allocation fail and check
 * that the API answers ERROR_NOT_ENOUGH_MEMORY with the state left exactly as
 * it was.  The failure switch is one relaxed atomic load on the fast path.
 *
 * rtm__alloc_fail_at(n): the n-th allocation from now (1-based) fails, and
 * only that one, whichever thread makes it; 0 disarms.  rtm__alloc_count()
 * counts the allocations the calling thread made so far, so a test can first
 * run a scenario to learn how many allocation sites it crosses and then fail
 * each one in turn.
 */
#ifndef RTM_ALLOC_H
#define RTM_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

void *rtm__malloc(size_t size);
void *rtm__calloc(size_t count, size_t size);
void *rtm__realloc(void *ptr, size_t size);
void rtm__free(void *ptr);
/* Anonymous memory for the arenas and pools (alloc.c): NULL when the system
 * has none.  No fault injection here: their callers count their objects. */
void *rtm__map(size_t bytes, bool huge, bool populate);
void rtm__unmap(void *p, size_t bytes);
/* rtm__free with the signature of rtm__limbo_retire's callbacks (epoch.h). */
void rtm__free_cb(void *ptr, void *unused);

/* Counts one allocation and says whether it must fail (the injection
 * above): for allocators of the library's own (arena.h, trie.c). */
int rtm__alloc_should_fail(void);

void rtm__alloc_fail_at(unsigned long nth);
unsigned long rtm__alloc_count(void);
/* Number of allocations that were made to fail since start. */
unsigned long rtm__alloc_failures(void);

#endif
