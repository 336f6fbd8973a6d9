/*
 * timer.c — timers on a binary min-heap, fired by one sleeping thread per service.
 *
 * The structure.  A service keeps its armed timers in an array `heap` used as a binary
 * min-heap on deadline_ms: heap[0] is the earliest, and the children of heap[i] are
 * heap[2i+1] and heap[2i+2].  Each timer remembers its own position in heap_index, which makes
 * cancel and re-arm O(log n) (remove or move the entry at a known index, then sift) without
 * any search, and makes "is it armed?" a field test.  The heap holds pointers to timers that
 * live inside their owners (routes, destinations), so a pending timer costs one pointer in the
 * array on top of the 24 bytes its owner embeds, and no allocation of its own.
 *
 * Invariants, all under svc->lock:
 *   - count <= capacity, and heap[0 .. count-1] are the armed timers, each exactly once;
 *   - heap[i]->heap_index == i, and a timer not in the heap has heap_index == RTM_TIMER_IDLE;
 *   - heap[(i-1)/2]->deadline_ms <= heap[i]->deadline_ms for every i > 0;
 *   - firing is the timer whose callback the thread is running (already out of the heap).
 * rtm__timer_service_check() verifies the first three.
 *
 * The thread.  Started at the first arm (an idle service costs no thread), it loops: if the
 * earliest deadline is due, pop it, drop the lock, call fire, retake the lock; otherwise sleep
 * on `wake` until that deadline (pthread_cond_timedwait on a CLOCK_MONOTONIC condvar, so
 * wall-clock steps do not matter) or, with no timer, indefinitely.  Arm signals `wake` only
 * when the timer it placed became the earliest, so arming a million timers with later
 * deadlines wakes nobody, and a service with pending timers uses no CPU until the earliest is
 * due: there is no tick and no scan.  Because fire runs without the lock, a callback may arm
 * and cancel freely, itself included; because the thread pops one timer at a time and looks
 * at the heap again after each callback, expired timers fire in deadline order, and a timer
 * cancelled by an earlier callback of the same batch does not fire.  (Ties between equal
 * deadlines fire in no particular order: a sequence number would cost 8 bytes per timer.)
 *
 * Cancel against a running fire.  The thread records the timer it is firing in `firing`; a
 * cancel from another thread waits on `done` while firing == timer, which is what lets an
 * owner free a timer after cancelling it.  From the service thread itself cancel cannot wait
 * (the fire it would wait for is its caller) and does not.  rtm__timer_cancel_nowait() skips
 * the wait for callers that hold a lock the callback needs (see the ownership rule in
 * timer.h).  `firing` is compared as a pointer only and never dereferenced after the callback
 * returns, since a callback may free its own timer.
 *
 * Memory.  The array grows by doubling through rtm__realloc, done before anything is changed,
 * so a failed growth leaves the service exactly as it was.  It never shrinks; fini frees it.
 * So the cost is 8 bytes (one pointer) per timer at the high-water mark of pending timers, a
 * small fraction of what the routes behind those timers cost, and in exchange a slot freed
 * by a cancel stays available: an owner that cancels its timer and arms it again (or, after
 * a failure, puts the old arming back) cannot meet -ENOMEM, and neither cancel nor the
 * service thread ever allocates, so other modules' fault-injection tests never see an
 * allocation made behind their backs.  (Shrinking would put a realloc on exactly those
 * paths.)
 *
 * Locking.  svc->lock guards every field of the service and the heap_index/deadline_ms of
 * armed timers.  It is a leaf: nothing else is locked while it is held (the allocator's
 * internal locks aside), and fire runs without it.  The only waits are the thread's own sleep
 * and cancel/settle waiting for the thread to make progress.
 *
 * Why not the alternatives.  A thread (or a POSIX timer) per route does not scale to a
 * million routes.  A periodic tick scanning all timers costs CPU in proportion to the table
 * even when nothing expires.  A hashed timing wheel has O(1) arm but still ticks, and its
 * granularity fights a range of 1 ms to 49 days.  A heap is simple, ordered, tickless and
 * O(log n), and log2 of a million is 20.
 */
#include "timer.h"

#include "alloc.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <time.h>

/* First size of the heap array, in entries. */
#define HEAP_MIN_CAPACITY 16u
/* Largest number of armed timers: heap_index must stay below RTM_TIMER_IDLE. */
#define HEAP_MAX_CAPACITY (RTM_TIMER_IDLE - 1u)

uint64_t rtm__timer_now_ms(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer on Linux. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t service_now(const struct rtm_timer_service *svc)
{
	return svc->clock ? svc->clock() : rtm__timer_now_ms();
}

static bool on_service_thread(const struct rtm_timer_service *svc)
{
	return svc->thread_started && pthread_equal(pthread_self(), svc->thread);
}

/* Lock a service we were handed as const: the lock is not part of its observable value. */
static void lock_const(const struct rtm_timer_service *svc)
{
	pthread_mutex_lock((pthread_mutex_t *)&svc->lock);
}

static void unlock_const(const struct rtm_timer_service *svc)
{
	pthread_mutex_unlock((pthread_mutex_t *)&svc->lock);
}

/* ---- the heap ---- */

static void heap_place(struct rtm_timer_service *svc, uint32_t i, struct rtm_timer *timer)
{
	svc->heap[i] = timer;
	timer->heap_index = i;
}

/* Move timer, which belongs at or above index i, up to its place. */
static void heap_sift_up(struct rtm_timer_service *svc, uint32_t i, struct rtm_timer *timer)
{
	while (i > 0) {
		uint32_t parent = (i - 1) / 2;

		if (svc->heap[parent]->deadline_ms <= timer->deadline_ms)
			break;
		heap_place(svc, i, svc->heap[parent]);
		i = parent;
	}
	heap_place(svc, i, timer);
}

/* Move timer, which belongs at or below index i, down to its place. */
static void heap_sift_down(struct rtm_timer_service *svc, uint32_t i, struct rtm_timer *timer)
{
	uint32_t n = svc->count;

	for (;;) {
		/* i < n <= UINT32_MAX - 1, so 2i + 2 fits in 64 bits, not always in 32. */
		uint64_t child = 2 * (uint64_t)i + 1;

		if (child >= n)
			break;
		if (child + 1 < n &&
		    svc->heap[child + 1]->deadline_ms < svc->heap[child]->deadline_ms)
			child++;
		if (svc->heap[child]->deadline_ms >= timer->deadline_ms)
			break;
		heap_place(svc, i, svc->heap[child]);
		i = (uint32_t)child;
	}
	heap_place(svc, i, timer);
}

/* Put timer, whose deadline may have changed, in its place starting from index i. */
static void heap_fix(struct rtm_timer_service *svc, uint32_t i, struct rtm_timer *timer)
{
	if (i > 0 && timer->deadline_ms < svc->heap[(i - 1) / 2]->deadline_ms)
		heap_sift_up(svc, i, timer);
	else
		heap_sift_down(svc, i, timer);
}

/* Take the timer at index i out of the heap and mark it idle. */
static void heap_remove(struct rtm_timer_service *svc, uint32_t i)
{
	struct rtm_timer *timer = svc->heap[i];
	uint32_t last = --svc->count;

	if (i != last)
		heap_fix(svc, i, svc->heap[last]);
	svc->heap[last] = NULL;
	timer->heap_index = RTM_TIMER_IDLE;
}

/* Make room for one more entry; on failure nothing changes. */
static int heap_grow(struct rtm_timer_service *svc)
{
	uint32_t cap = svc->capacity;
	struct rtm_timer **heap;
	size_t bytes;

	if (cap >= HEAP_MAX_CAPACITY)
		return -ENOMEM;
	if (cap == 0)
		cap = HEAP_MIN_CAPACITY;
	else if (cap > HEAP_MAX_CAPACITY / 2)
		cap = HEAP_MAX_CAPACITY;
	else
		cap *= 2;
	/* Only a 32-bit size_t can overflow here. */
	if (__builtin_mul_overflow((size_t)cap, sizeof(*heap), &bytes))
		return -ENOMEM;
	heap = rtm__realloc(svc->heap, bytes);
	if (!heap)
		return -ENOMEM;
	svc->heap = heap;
	svc->capacity = cap;
	return 0;
}

/* ---- the thread ---- */

static void ms_to_timespec(uint64_t ms, struct timespec *ts)
{
	/* Only real-clock deadlines get here, so tv_sec is far from overflowing time_t. */
	ts->tv_sec = (time_t)(ms / 1000u);
	ts->tv_nsec = (long)(ms % 1000u) * 1000000L;
}

static void *service_main(void *arg)
{
	struct rtm_timer_service *svc = arg;

	pthread_mutex_lock(&svc->lock);
	while (!svc->stopping) {
		struct rtm_timer *top = svc->count ? svc->heap[0] : NULL;

		if (top && top->deadline_ms <= service_now(svc)) {
			void (*fire)(struct rtm_timer *, void *) = top->fire;
			void *service_arg = svc->service_arg;

			heap_remove(svc, 0);
			svc->firing = top;
			pthread_mutex_unlock(&svc->lock);
			fire(top, service_arg);
			pthread_mutex_lock(&svc->lock);
			/* top may be freed by now: it is only compared, never used. */
			svc->firing = NULL;
			if (svc->waiters)
				pthread_cond_broadcast(&svc->done);
			continue;
		}

		/* Nothing is due: every settle asked before this look is answered. */
		if (svc->settled_seq != svc->kick_seq) {
			svc->settled_seq = svc->kick_seq;
			pthread_cond_broadcast(&svc->done);
		}
		if (!top || svc->clock) {
			pthread_cond_wait(&svc->wake, &svc->lock);
		} else {
			struct timespec ts;

			ms_to_timespec(top->deadline_ms, &ts);
			pthread_cond_timedwait(&svc->wake, &svc->lock, &ts);
		}
	}
	/* Release anyone still waiting for progress that will not come. */
	pthread_cond_broadcast(&svc->done);
	pthread_mutex_unlock(&svc->lock);
	return NULL;
}

/* Start the thread, with svc->lock held.  It blocks every signal: signal handlers belong to
 * the application's threads, not to a library's. */
static int service_start(struct rtm_timer_service *svc)
{
	sigset_t all, old;
	int r;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&svc->thread, NULL, service_main, svc);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0)
		return -EAGAIN;
	/* Best effort, for ps and debuggers; the name is limited to 15 characters. */
	pthread_setname_np(svc->thread, "rtm-timer");
	svc->thread_started = true;
	return 0;
}

/* ---- the service ---- */

static int errno_to_init_error(int r)
{
	return r == ENOMEM ? -ENOMEM : -EAGAIN;
}

int rtm__timer_service_init(struct rtm_timer_service *svc, void *service_arg)
{
	pthread_condattr_t attr;
	int r;

	assert(svc);
	*svc = (struct rtm_timer_service){ .service_arg = service_arg };

	r = pthread_condattr_init(&attr);
	if (r != 0)
		return errno_to_init_error(r);
	r = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (r != 0)
		goto fail_attr;
	r = pthread_mutex_init(&svc->lock, NULL);
	if (r != 0)
		goto fail_attr;
	r = pthread_cond_init(&svc->wake, &attr);
	if (r != 0)
		goto fail_mutex;
	r = pthread_cond_init(&svc->done, &attr);
	if (r != 0)
		goto fail_wake;
	pthread_condattr_destroy(&attr);
	return 0;

fail_wake:
	pthread_cond_destroy(&svc->wake);
fail_mutex:
	pthread_mutex_destroy(&svc->lock);
fail_attr:
	pthread_condattr_destroy(&attr);
	return errno_to_init_error(r);
}

void rtm__timer_service_fini(struct rtm_timer_service *svc)
{
	bool started;

	if (!svc)
		return;
	pthread_mutex_lock(&svc->lock);
	/* Joining ourselves would deadlock; this is a caller bug, not a runtime condition. */
	assert(!on_service_thread(svc));
	svc->stopping = true;
	started = svc->thread_started;
	pthread_cond_signal(&svc->wake);
	pthread_mutex_unlock(&svc->lock);

	/* The thread finishes a fire in progress, sees `stopping` and exits; the timers still in
	 * the heap are dropped without being touched. */
	if (started)
		pthread_join(svc->thread, NULL);
	rtm__free(svc->heap);
	pthread_cond_destroy(&svc->done);
	pthread_cond_destroy(&svc->wake);
	pthread_mutex_destroy(&svc->lock);
	svc->heap = NULL;
	svc->count = 0;
	svc->capacity = 0;
	svc->thread_started = false;
}

void rtm__timer_init(struct rtm_timer *timer, void (*fire)(struct rtm_timer *, void *))
{
	assert(timer && fire);
	timer->deadline_ms = 0;
	timer->heap_index = RTM_TIMER_IDLE;
	timer->fire = fire;
}

int rtm__timer_arm(struct rtm_timer_service *svc, struct rtm_timer *timer, uint32_t delay_ms)
{
	uint64_t now, deadline;
	int r;

	assert(svc && timer && timer->fire);
	pthread_mutex_lock(&svc->lock);
	assert(!svc->stopping || on_service_thread(svc));

	now = service_now(svc);
	/* Saturate: only a test clock can come near the top of the range. */
	deadline = now > UINT64_MAX - delay_ms ? UINT64_MAX : now + delay_ms;

	if (timer->heap_index == RTM_TIMER_IDLE) {
		/* Everything that can fail comes first, so failure changes nothing. */
		if (svc->count == svc->capacity) {
			r = heap_grow(svc);
			if (r)
				goto out;
		}
		if (!svc->thread_started) {
			r = service_start(svc);
			if (r)
				goto out;
		}
		timer->deadline_ms = deadline;
		heap_sift_up(svc, svc->count++, timer);
	} else {
		assert(timer->heap_index < svc->count && svc->heap[timer->heap_index] == timer);
		timer->deadline_ms = deadline;
		heap_fix(svc, timer->heap_index, timer);
	}

	/* A new earliest deadline: the thread may be sleeping until a later one. */
	if (timer->heap_index == 0)
		pthread_cond_signal(&svc->wake);
	r = 0;
out:
	pthread_mutex_unlock(&svc->lock);
	return r;
}

static int cancel_locked(struct rtm_timer_service *svc, struct rtm_timer *timer)
{
	if (timer->heap_index == RTM_TIMER_IDLE)
		return 0;
	assert(timer->heap_index < svc->count && svc->heap[timer->heap_index] == timer);
	/* A sleeping thread will wake at the old deadline, find nothing due and sleep again:
	 * cheaper than waking it now to recompute. */
	heap_remove(svc, timer->heap_index);
	return 1;
}

int rtm__timer_cancel(struct rtm_timer_service *svc, struct rtm_timer *timer)
{
	int r;

	assert(svc && timer);
	pthread_mutex_lock(&svc->lock);
	if (svc->firing == timer && !on_service_thread(svc)) {
		svc->waiters++;
		while (svc->firing == timer)
			pthread_cond_wait(&svc->done, &svc->lock);
		svc->waiters--;
	}
	/* The fire we may have waited for could have re-armed the timer: cancel that too. */
	r = cancel_locked(svc, timer);
	pthread_mutex_unlock(&svc->lock);
	return r;
}

int rtm__timer_cancel_nowait(struct rtm_timer_service *svc, struct rtm_timer *timer)
{
	int r;

	assert(svc && timer);
	pthread_mutex_lock(&svc->lock);
	r = cancel_locked(svc, timer);
	pthread_mutex_unlock(&svc->lock);
	return r;
}

size_t rtm__timer_pending(const struct rtm_timer_service *svc)
{
	size_t n;

	lock_const(svc);
	n = svc->count;
	unlock_const(svc);
	return n;
}

size_t rtm__timer_service_bytes(const struct rtm_timer_service *svc)
{
	size_t n;

	lock_const(svc);
	n = (size_t)svc->capacity * sizeof(*svc->heap);
	unlock_const(svc);
	return n;
}

int rtm__timer_service_check(const struct rtm_timer_service *svc)
{
	int r = 0;

	lock_const(svc);
	if (svc->count > svc->capacity || (svc->capacity && !svc->heap))
		r = -EFAULT;
	for (uint32_t i = 0; r == 0 && i < svc->count; i++) {
		const struct rtm_timer *t = svc->heap[i];

		if (!t || t->heap_index != i)
			r = -EFAULT;
		else if (i > 0 && svc->heap[(i - 1) / 2]->deadline_ms > t->deadline_ms)
			r = -EFAULT;
	}
	unlock_const(svc);
	return r;
}

/* ---- test hooks ---- */

void rtm__timer_service_set_clock(struct rtm_timer_service *svc, uint64_t (*now)(void))
{
	pthread_mutex_lock(&svc->lock);
	svc->clock = now;
	/* The thread may be in a timed sleep on the real clock; make it look again. */
	pthread_cond_signal(&svc->wake);
	pthread_mutex_unlock(&svc->lock);
}

void rtm__timer_service_kick(struct rtm_timer_service *svc)
{
	pthread_mutex_lock(&svc->lock);
	pthread_cond_signal(&svc->wake);
	pthread_mutex_unlock(&svc->lock);
}

void rtm__timer_service_settle(struct rtm_timer_service *svc)
{
	uint64_t seq;

	pthread_mutex_lock(&svc->lock);
	assert(!on_service_thread(svc));
	if (svc->thread_started && !svc->stopping) {
		seq = ++svc->kick_seq;
		pthread_cond_signal(&svc->wake);
		svc->waiters++;
		while (svc->settled_seq < seq && !svc->stopping)
			pthread_cond_wait(&svc->done, &svc->lock);
		svc->waiters--;
	}
	pthread_mutex_unlock(&svc->lock);
}
