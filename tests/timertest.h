/*
 * timertest.h — shared by test_timer_fire.c and test_timer_heap.c: the fake
 * clock, a timer that records its fires in a log, the service under test on
 * that clock, and a small random number generator.
 */
#ifndef RTM_TIMERTEST_H
#define RTM_TIMERTEST_H

#include "alloc.h"
#include "testlib.h"
#include "timer.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* ---- fake clock ---- */

static __attribute__((unused)) _Atomic uint64_t fake_ms;

static inline uint64_t fake_clock(void)
{
	return atomic_load(&fake_ms);
}

static inline void fake_set(uint64_t ms)
{
	atomic_store(&fake_ms, ms);
}

/* ---- a recording timer ---- */

#define LOG_MAX 200000

struct ttimer {
	struct rtm_timer t;
	int id;
	void (*action)(struct ttimer *self, void *service_arg);
	int fires;                    /* written on the service thread, read after settle */
	uint64_t fired_at;            /* fake clock at the last fire */
	uint64_t fired_deadline;      /* t.deadline_ms at the last fire */
};

static __attribute__((unused)) pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static __attribute__((unused)) pthread_cond_t log_cond = PTHREAD_COND_INITIALIZER;
static __attribute__((unused)) int log_ids[LOG_MAX];
static __attribute__((unused)) uint64_t log_deadlines[LOG_MAX];
static __attribute__((unused)) int log_n;
static void *log_last_arg;

static inline void tt_fire(struct rtm_timer *timer, void *service_arg)
{
	struct ttimer *tt = container_of(timer, struct ttimer, t);

	CHECK_U(timer->heap_index, RTM_TIMER_IDLE);
	tt->fires++;
	tt->fired_at = fake_clock();
	tt->fired_deadline = timer->deadline_ms;
	pthread_mutex_lock(&log_lock);
	if (log_n < LOG_MAX) {
		log_ids[log_n] = tt->id;
		log_deadlines[log_n] = timer->deadline_ms;
	}
	log_n++;
	log_last_arg = service_arg;
	pthread_cond_broadcast(&log_cond);
	pthread_mutex_unlock(&log_lock);
	if (tt->action)
		tt->action(tt, service_arg);
}

static inline void tt_init(struct ttimer *tt, int id)
{
	memset(tt, 0, sizeof(*tt));
	tt->id = id;
	rtm__timer_init(&tt->t, tt_fire);
}

static inline int log_count(void)
{
	pthread_mutex_lock(&log_lock);
	int n = log_n;
	pthread_mutex_unlock(&log_lock);
	return n;
}

/* Wait until at least n fires were logged, for at most a minute; returns whether it got there. */
static inline bool log_wait(int n)
{
	struct timespec until;
	bool ok = true;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 60;
	pthread_mutex_lock(&log_lock);
	while (log_n < n && ok)
		ok = pthread_cond_timedwait(&log_cond, &log_lock, &until) == 0 || log_n >= n;
	pthread_mutex_unlock(&log_lock);
	return ok;
}

static __attribute__((unused)) struct rtm_timer_service svc;
static __attribute__((unused)) int svc_arg_tag;

static inline void fake_service(void)
{
	REQUIRE(rtm__timer_service_init(&svc, &svc_arg_tag) == 0);
	fake_set(1000);
	rtm__timer_service_set_clock(&svc, fake_clock);
}

/* Move the fake clock and let the service fire what became due. */
static inline void advance_to(uint64_t ms)
{
	fake_set(ms);
	rtm__timer_service_settle(&svc);
}

static __attribute__((unused)) uint64_t rng_state = 88172645463325252ull;

static inline uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* The log's part of each test's fresh start (see reset_globals). */
static inline void tt_reset_log(void)
{
	log_n = 0;
	log_last_arg = NULL;
}

#endif
