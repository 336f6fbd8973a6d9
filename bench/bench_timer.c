/*
 * bench_timer.c — what a million pending timers cost.
 *
 * Arms 1,000,000 timers with random delays of 1 to 10 hours (route lifetimes), then reports:
 * the time per arm, the memory per pending timer, the CPU time the service thread spends
 * while they sit pending for about a second (it should be about zero: the thread sleeps until
 * the earliest deadline, hours away), the time per re-arm (move) and per cancel, all of them,
 * in random order.  Figures only; nothing is asserted.
 *
 *   bench_timer [count]
 */
#include "timer.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void never_fires(struct rtm_timer *timer, void *arg)
{
	(void)timer;
	(void)arg;
	fprintf(stderr, "bench_timer: a timer fired, which should be hours away\n");
}

static uint32_t random_delay(void)
{
	const uint32_t hour = 3600u * 1000u;

	return hour + (uint32_t)(rng() % (9u * hour + 1));
}

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
	struct rtm_timer_service svc;
	struct rtm_timer *timers;
	uint32_t *order;
	clockid_t thread_clock;
	uint64_t t0, t1, cpu0, cpu1;

	if (n == 0 || n > UINT32_MAX - 1) {
		fprintf(stderr, "usage: bench_timer [count]  (1 .. %" PRIu32 ")\n", UINT32_MAX - 1);
		return 2;
	}
	timers = calloc(n, sizeof(*timers));
	order = malloc(n * sizeof(*order));
	if (!timers || !order || rtm__timer_service_init(&svc, NULL) != 0) {
		fprintf(stderr, "bench_timer: out of memory\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		rtm__timer_init(&timers[i], never_fires);
		order[i] = (uint32_t)i;
	}
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(rng() % (i + 1));
		uint32_t tmp = order[i];

		order[i] = order[j];
		order[j] = tmp;
	}

	/* Arm.  The first arm starts the thread; arm it outside the timed loop. */
	if (rtm__timer_arm(&svc, &timers[0], random_delay()) != 0)
		return 1;
	/* Nobody else touches svc.thread; it was set by our own first arm. */
	if (pthread_getcpuclockid(svc.thread, &thread_clock) != 0) {
		fprintf(stderr, "bench_timer: no CPU clock for the service thread\n");
		return 1;
	}
	cpu0 = clock_ns(thread_clock);
	t0 = clock_ns(CLOCK_MONOTONIC);
	for (size_t i = 1; i < n; i++)
		if (rtm__timer_arm(&svc, &timers[i], random_delay()) != 0)
			return 1;
	t1 = clock_ns(CLOCK_MONOTONIC);
	cpu1 = clock_ns(thread_clock);
	printf("timers                      %zu\n", n);
	printf("arm                         %.1f ns/timer\n", (double)(t1 - t0) / (double)(n - 1));
	printf("service thread CPU, arming  %" PRIu64 " us\n", (cpu1 - cpu0) / 1000);
	printf("pending                     %zu\n", rtm__timer_pending(&svc));
	printf("heap array                  %zu bytes, %.2f bytes/pending timer\n",
	       rtm__timer_service_bytes(&svc),
	       (double)rtm__timer_service_bytes(&svc) / (double)n);
	printf("timer embedded by owner     %zu bytes\n", sizeof(struct rtm_timer));

	/* Idle with a million pending: the thread should not run at all. */
	struct timespec second = { 1, 0 };
	cpu0 = clock_ns(thread_clock);
	t0 = clock_ns(CLOCK_MONOTONIC);
	nanosleep(&second, NULL);
	t1 = clock_ns(CLOCK_MONOTONIC);
	cpu1 = clock_ns(thread_clock);
	printf("service thread CPU, idle    %" PRIu64 " ns over %.3f s\n", cpu1 - cpu0,
	       (double)(t1 - t0) / 1e9);

	/* Move every timer to a new random deadline, in random order. */
	t0 = clock_ns(CLOCK_MONOTONIC);
	for (size_t i = 0; i < n; i++)
		rtm__timer_arm(&svc, &timers[order[i]], random_delay());
	t1 = clock_ns(CLOCK_MONOTONIC);
	printf("re-arm (move)               %.1f ns/timer\n", (double)(t1 - t0) / (double)n);

	/* Cancel them all, in random order. */
	size_t cancelled = 0;
	t0 = clock_ns(CLOCK_MONOTONIC);
	for (size_t i = 0; i < n; i++)
		cancelled += (size_t)rtm__timer_cancel(&svc, &timers[order[i]]);
	t1 = clock_ns(CLOCK_MONOTONIC);
	printf("cancel                      %.1f ns/timer (%zu cancelled)\n",
	       (double)(t1 - t0) / (double)n, cancelled);
	printf("pending after cancel        %zu, heap array %zu bytes\n",
	       rtm__timer_pending(&svc), rtm__timer_service_bytes(&svc));

	rtm__timer_service_fini(&svc);
	free(order);
	free(timers);
	return 0;
}
