/*
 * timer.h — the one timer mechanism of the library.
 *
 * Routes expire after their TimeToLive and destinations leave hold-down after their hold time;
 * both, and anything else that must happen "later", use a struct rtm_timer embedded in the
 * object it belongs to and armed on a struct rtm_timer_service.  There is no thread per timer
 * and no periodic tick: a service owns one thread, started at its first arm, that sleeps until
 * the earliest deadline, so a million pending timers cost a pointer each and no CPU.  Arm and
 * cancel are O(log n).  The data structure and its invariants are described in timer.c.
 *
 * Threads and locks.  Each service has one mutex.  It is a LEAF in the library's lock order:
 * no other lock is ever taken while it is held, and `fire` callbacks run without it.  Callers
 * may therefore arm and cancel while holding any of their own locks, with one exception that
 * every user must respect:
 *
 *   rtm__timer_cancel() called from any thread but the service thread WAITS until a `fire` of
 *   that timer that is already running has returned.  So never call it while holding a lock
 *   that the timer's `fire` callback takes: the fire would block on the lock and the cancel
 *   on the fire.  Use rtm__timer_cancel_nowait() there instead, with the ownership rule below.
 *
 * Ownership rule for cancel_nowait (and a good rule anyway).  Let "being armed" hold one
 * reference on the object that embeds the timer.  Exactly one party takes the timer out of the
 * heap: either the service thread, which then calls `fire` (fire inherits the reference and
 * must drop it), or a cancel that returns 1 (the canceller inherits it).  A cancel that returns
 * 0 inherits nothing.  Re-arming a pending timer moves it and keeps the one reference.  fire
 * must then re-check, under the owner's lock, whether the expiry still applies (the object may
 * have been deleted or re-armed between the pop and the lock).
 *
 * Time.  Deadlines are CLOCK_MONOTONIC milliseconds (rtm__timer_now_ms()).  A delay is a
 * uint32_t count of milliseconds, so up to UINT32_MAX - 1 (about 49.7 days).  INFINITE
 * (0xFFFFFFFF) in the RTMv2 API means "never expires": callers must not arm a timer for it
 * (and cancel any pending one instead).  This module gives INFINITE no special meaning; if it
 * is passed anyway it is simply a 49.7-day delay.
 */
#ifndef RTM_TIMER_H
#define RTM_TIMER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTM_TIMER_IDLE UINT32_MAX

/*
 * One timer, embedded in (or allocated for) the object it belongs to.  Initialise it with
 * rtm__timer_init() before first use.  The fields are owned by the service while the timer is
 * armed (read them only through the service's functions); when the timer is idle, deadline_ms
 * holds the deadline of its last arming.  A timer belongs to at most one service at a time.
 */
struct rtm_timer {
	uint64_t deadline_ms;     /* CLOCK_MONOTONIC milliseconds */
	uint32_t heap_index;      /* index in the service's heap; RTM_TIMER_IDLE: not armed */
	void (*fire)(struct rtm_timer *timer, void *service_arg);
};

/*
 * A timer service: a min-heap of armed timers and the thread that fires them.  The struct is
 * visible so that it can be embedded (in an instance, say) and so that tests and benchmarks can
 * look at it; other modules use only the functions below.  Every field is guarded by `lock`.
 */
struct rtm_timer_service {
	pthread_mutex_t lock;
	pthread_cond_t wake;          /* the service thread sleeps here (CLOCK_MONOTONIC) */
	pthread_cond_t done;          /* cancel and settle wait here for the thread to progress */
	struct rtm_timer **heap;      /* heap[0] has the earliest deadline; NULL until first arm */
	uint32_t count;               /* armed timers, = entries in heap */
	uint32_t capacity;            /* entries allocated in heap; never decreases */
	void *service_arg;            /* passed to every fire callback */
	uint64_t (*clock)(void);      /* test clock, or NULL for rtm__timer_now_ms() */
	struct rtm_timer *firing;     /* timer whose fire is running now, or NULL */
	unsigned waiters;             /* threads waiting on `done` */
	uint64_t kick_seq;            /* settle requests made ... */
	uint64_t settled_seq;         /* ... and answered by the thread going idle */
	pthread_t thread;             /* valid when thread_started */
	bool thread_started;
	bool stopping;                /* set by fini: the thread exits at its next look */
};

/*
 * Initialise a service.  No memory is allocated and no thread started until the first arm, so
 * an idle service costs nothing but this struct.
 * svc (out): the service to initialise; must not be NULL.
 * service_arg (in): passed unchanged as the second argument of every fire callback.
 * Returns 0, -ENOMEM (the mutex or a condition variable could not be created for lack of
 * memory) or -EAGAIN (any other failure to create them).  On failure nothing needs undoing.
 */
int rtm__timer_service_init(struct rtm_timer_service *svc, void *service_arg);

/*
 * Stop the service: wait for a fire callback in progress to return, stop and join the thread,
 * free the heap.  Timers still pending are dropped WITHOUT firing and are not touched (their
 * owners may already have freed them), so a timer that was pending must be re-initialised
 * with rtm__timer_init() before it is armed again.  No arm or cancel may be made on the
 * service by other threads during or after fini (fire callbacks running while fini waits may
 * still arm and cancel).  Must not be called from the service thread (i.e. from a fire).
 * svc (in/out): an initialised service; NULL is a no-op.
 */
void rtm__timer_service_fini(struct rtm_timer_service *svc);

/*
 * Initialise a timer as idle with the given callback.
 * timer (out): must not be NULL and must not be armed.
 * fire (in): called on the service thread when the timer expires, with the timer and the
 *            service's service_arg, without any lock of the timer module held.  When fire
 *            starts the timer is no longer armed; fire may arm or cancel any timer of the
 *            service, itself included, and take any lock.  It must not call
 *            rtm__timer_service_fini() on its own service.  Must not be NULL.
 */
void rtm__timer_init(struct rtm_timer *timer, void (*fire)(struct rtm_timer *, void *));

/*
 * Arm a timer to fire delay_ms milliseconds from now; if it is already armed, move it to the
 * new deadline (it fires once, at the new deadline).  Never waits for a fire in progress: if
 * the timer's fire is running, it will fire again at the new deadline.  Callable from any
 * thread, the service thread included.  Starts the service thread if it is not running yet.
 * svc (in/out): an initialised service.
 * timer (in/out): an initialised timer, idle or armed on this same service.
 * delay_ms (in): 0 .. UINT32_MAX - 1; 0 means "as soon as possible".
 * Returns:
 *   0        armed.
 *   -ENOMEM  the heap had to grow and could not; the timer and the service are unchanged.
 *            Only the arm of an idle timer can need memory, and the heap never shrinks: after
 *            a cancel that returned 1, one arm of an idle timer cannot fail (unless another
 *            thread's arm took the freed slot in between).
 *   -EAGAIN  the service thread could not be started; the timer and the service are unchanged.
 *            Only the first successful arm of a service starts it.
 */
int rtm__timer_arm(struct rtm_timer_service *svc, struct rtm_timer *timer, uint32_t delay_ms);

/*
 * Cancel a timer.  When it returns, the timer is idle, and unless called from the service
 * thread, no fire of this timer is running (it waited for one in progress to return) and none
 * will run for the arming it cancelled.  Called from the service thread (from inside a fire,
 * of this timer or another) it never waits.  See the header comment for the deadlock to avoid.
 * svc (in/out): an initialised service.
 * timer (in/out): an initialised timer, idle or armed on svc.
 * Returns 1 if the timer was pending and is now cancelled, 0 if it was not pending.
 */
int rtm__timer_cancel(struct rtm_timer_service *svc, struct rtm_timer *timer);

/*
 * Cancel a timer without ever waiting: like rtm__timer_cancel(), but a fire of this timer that
 * is already running (or about to run: the thread has taken the timer out of the heap) goes on
 * concurrently.  Use it while holding a lock the fire callback takes, with the ownership rule
 * in the header comment.
 * Returns 1 if the timer was pending and is now cancelled, 0 if it was not pending.
 */
int rtm__timer_cancel_nowait(struct rtm_timer_service *svc, struct rtm_timer *timer);

/* The CLOCK_MONOTONIC time in milliseconds, the clock of all deadlines. */
uint64_t rtm__timer_now_ms(void);

/* Number of timers armed on svc right now (a snapshot; exact when nobody else is arming). */
size_t rtm__timer_pending(const struct rtm_timer_service *svc);

/*
 * Heap memory the service holds, in bytes: its heap array, which keeps the size of the
 * high-water mark of pending timers until fini (the timers themselves belong to their
 * owners).  For statistics.
 */
size_t rtm__timer_service_bytes(const struct rtm_timer_service *svc);

/*
 * Check the service's invariants: count <= capacity, every heap entry knows its index, and no
 * entry has an earlier deadline than its parent.  O(n), for tests and debug builds.
 * Returns 0 if they hold, -EFAULT at the first violation.
 */
int rtm__timer_service_check(const struct rtm_timer_service *svc);

/*
 * Test hooks.  set_clock replaces the clock of svc (NULL restores rtm__timer_now_ms()); set it
 * before arming.  With a test clock the thread never sleeps with a timeout: it sleeps until a
 * timer is armed earlier than all others or until kicked, so a test moves its clock and then
 * calls kick (wake the thread and return) or settle (wake it and wait until it has fired every
 * timer due by the clock and gone back to sleep; must not be called from a fire callback, and
 * returns at once if the thread was never started).  Both also work with the real clock.
 */
void rtm__timer_service_set_clock(struct rtm_timer_service *svc, uint64_t (*now)(void));
void rtm__timer_service_kick(struct rtm_timer_service *svc);
void rtm__timer_service_settle(struct rtm_timer_service *svc);

#endif
