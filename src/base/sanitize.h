/*
 * sanitize.h — what the library's own allocators (pool.c, arena.c) tell
 * AddressSanitizer and LeakSanitizer.  Free objects are poisoned, so a use
 * after free is still reported; chunks are LeakSanitizer roots, since it does
 * not scan mapped memory by itself: what live objects point to (a
 * destination's extension, a route's next-hop array) is not a leak.  Without
 * AddressSanitizer every macro is a no-op.
 */
#ifndef RTM_SANITIZE_H
#define RTM_SANITIZE_H

#if defined(__SANITIZE_ADDRESS__)
#define RTM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RTM_ASAN 1
#endif
#endif

#ifdef RTM_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
#define RTM_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define RTM_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define RTM_LSAN_ROOT(p, n) __lsan_register_root_region((p), (n))
#define RTM_LSAN_UNROOT(p, n) __lsan_unregister_root_region((p), (n))
#else
#define RTM_POISON(p, n) ((void)(p), (void)(n))
#define RTM_UNPOISON(p, n) ((void)(p), (void)(n))
#define RTM_LSAN_ROOT(p, n) ((void)(p), (void)(n))
#define RTM_LSAN_UNROOT(p, n) ((void)(p), (void)(n))
#endif

#endif
