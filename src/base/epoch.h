/*
 * epoch.h — epoch-based reclamation: memory that lock-free readers may still
 * be looking at is freed only once none of them can.
 *
 * A reader brackets its lock-free section with rtm__epoch_enter and
 * rtm__epoch_exit (they nest; the outermost pair counts).  Inside, it may
 * follow pointers into any object a writer has unlinked: a writer that
 * unlinks an object hands its memory to rtm__limbo_retire instead of freeing
 * it, and the memory is freed once every thread that was inside a section
 * when it was retired has left that section.
 *
 * The cost to a reader is two stores to its own cache line (one of them with
 * a full fence, so that a writer scanning the records sees it before the
 * reader reads anything) and one load of the global epoch, which changes only
 * when writers retire memory: readers write no shared cache line.
 *
 * Writers (retire, poll, synchronize) must not be inside a section, and a
 * section must never wait for anything a writer holds (no lock inside a
 * section): synchronize waits for the sections in progress to end.
 *
 * Why our own and not liburcu: the library needs a few dozen lines of it,
 * with retire lists that never allocate per object (a failed allocation
 * falls back to waiting, so a free can never fail), and the sanitizers must
 * see its ordering: every step is a C11 atomic, which ThreadSanitizer
 * understands, where liburcu's membarrier-based flavours would need
 * annotations to stay quiet.
 */
#ifndef RTM_EPOCH_H
#define RTM_EPOCH_H

#include <stdbool.h>
#include <sched.h>
#include <stdint.h>

/*
 * Marks a function that reads, without a lock, memory a writer may be
 * changing, and whose caller checks afterwards (sequence counts, below) that
 * nothing changed meanwhile.  Such reads are races by design, never acted
 * on when they lost: ThreadSanitizer is told not to instrument them.  What
 * they read must still be memory nobody freed: that is what retire is for.
 */
#define RTM_OPTIMISTIC __attribute__((no_sanitize("thread")))

/*
 * Sequence counts.  A writer (one at a time, under its own lock) makes the
 * count odd before it changes what the count guards and even after.  A
 * reader notes the count, reads, and trusts what it read only if the count
 * was even and has not moved.  write_begin ends with a full fence, so a
 * writer that then reads a reference count a reader bumped before checking
 * the count sees the bump, or the reader sees the count move.
 */
/* A full fence.  GCC's ThreadSanitizer does not model fences (and says so
 * with -Werror), so there it is an atomic add of 0 to a word of the
 * thread's own: a locked instruction, a full barrier on the hardware, and
 * an ordinary atomic to the sanitizer. */
#if defined(__SANITIZE_THREAD__)
#define RTM_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RTM_TSAN 1
#endif
#endif
static inline void rtm__full_fence(void)
{
#ifdef RTM_TSAN
	static _Thread_local int word;
	(void)__atomic_fetch_add(&word, 0, __ATOMIC_SEQ_CST);
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

/* Orders the reads before it before the loads after it (a seqlock's
 * re-check): free on x86 (a compiler barrier), an acquire fence elsewhere.
 * Under ThreadSanitizer a compiler barrier: the reads it orders are the
 * uninstrumented RTM_OPTIMISTIC ones. */
static inline void rtm__read_fence(void)
{
#ifdef RTM_TSAN
	__asm__ __volatile__("" ::: "memory");
#else
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
#endif
}

static inline uint32_t rtm__seq_read(const uint32_t *seq)
{
	return __atomic_load_n(seq, __ATOMIC_ACQUIRE);
}
/* The re-check.  A seq_cst load: after a reader's seq_cst reference count
 * add it is the reader's half of the handshake with a writer that opens
 * the count and then reads the references (write_begin). */
static inline bool rtm__seq_changed(const uint32_t *seq, uint32_t seen)
{
	rtm__read_fence();
	return __atomic_load_n(seq, __ATOMIC_SEQ_CST) != seen;
}
static inline void rtm__seq_write_begin(uint32_t *seq)
{
	__atomic_store_n(seq, *seq + 1, __ATOMIC_RELAXED);
	rtm__full_fence();
}
static inline void rtm__seq_write_end(uint32_t *seq)
{
	__atomic_store_n(seq, *seq + 1, __ATOMIC_RELEASE);
}
/* The same on 16 bits (a destination's, which has no room for more). */
static inline uint16_t rtm__seq16_read(const uint16_t *seq)
{
	return __atomic_load_n(seq, __ATOMIC_ACQUIRE);
}
static inline bool rtm__seq16_changed(const uint16_t *seq, uint16_t seen)
{
	rtm__read_fence();
	return __atomic_load_n(seq, __ATOMIC_SEQ_CST) != seen;
}
/* Opens a write if it is not open (odd) yet; true if this call opened it. */
static inline bool rtm__seq16_write_begin(uint16_t *seq)
{
	uint16_t v = __atomic_load_n(seq, __ATOMIC_RELAXED);
	if (v & 1u)
		return false;
	__atomic_store_n(seq, (uint16_t)(v + 1), __ATOMIC_RELAXED);
	rtm__full_fence();
	return true;
}
static inline void rtm__seq16_write_end(uint16_t *seq, bool opened)
{
	if (opened)
		__atomic_store_n(seq, (uint16_t)(__atomic_load_n(seq, __ATOMIC_RELAXED) + 1),
				 __ATOMIC_RELEASE);
}

/* Between two tries of a lock-free read that found a writer in its way:
 * nothing before the first retry, then a pause, and every 64th time a
 * yield (the writer may need this CPU). */
static inline void rtm__read_relax(unsigned tries)
{
	if (tries == 0)
		return;
	if (tries % 64 == 63)
		sched_yield();
#if defined(__x86_64__) || defined(__i386__)
	else
		__builtin_ia32_pause();
#endif
}

/* Enters / leaves a read-side section on this thread.  Never fail, never wait. */
void rtm__epoch_enter(void);
void rtm__epoch_exit(void);
/* Is this thread inside a section? */
bool rtm__epoch_inside(void);

/*
 * Retired memory waits in a limbo: one per RIB, used only by the RIB's
 * writer (under its exclusive lock), so that what is freed goes back to
 * that RIB's allocators without another lock.
 */
struct rtm_limbo_block;
struct rtm_limbo {
	struct rtm_limbo_block *first, *last; /* FIFO of blocks of retired records */
	uint64_t pending;                     /* records not freed yet */
	unsigned since_poll;
};

/* Frees p with fn(p, arg) once no section that may have seen it is in
 * progress.  Never fails: when no room can be allocated for the record, it
 * waits for the readers and frees at once.  l NULL: frees at once (a
 * structure used without readers). */
void rtm__limbo_retire(struct rtm_limbo *l, void *p, void (*fn)(void *p, void *arg), void *arg);
/* Frees what can be freed now (retire does this every so often). */
void rtm__limbo_poll(struct rtm_limbo *l);
/* Waits for every section in progress to end, then frees everything l holds,
 * its own blocks too. */
void rtm__limbo_flush(struct rtm_limbo *l);
/* Waits until every section in progress has ended. */
void rtm__epoch_synchronize(void);

#endif
