/*
 * test_timer_heap.c — the timer service: the heap invariant under random operations, its
 * capacity, out of memory, many threads (run under TSan too), two services.  Edge cases,
 * firing and the cancel contract: test_timer_fire.c.
 *
 * Most tests run on a fake clock (rtm__timer_service_set_clock) and move it by hand, then
 * call rtm__timer_service_settle(), which returns once the thread has fired everything due
 * and gone back to sleep.  So what fires, and in which order, is deterministic; nothing here
 * sleeps and then asserts.  Waits for another thread use a condition variable with a very
 * generous bound, only so that a bug fails the test instead of hanging it.
 */
#include "timertest.h"

/* ---- the heap under random operations ---- */

static void test_random_ops(void)
{
	enum { N = 1000, OPS = 100000 };
	static struct ttimer t[N];
	static bool armed[N];
	static uint64_t deadline[N];
	static int fires[N];
	size_t pending = 0;
	uint64_t now = 1000;

	fake_service();
	for (int i = 0; i < N; i++)
		tt_init(&t[i], i);
	for (int op = 1; op <= OPS; op++) {
		int i = (int)(rng() % N);
		unsigned kind = (unsigned)(rng() % 100);

		if (kind < 55) {
			uint32_t delay = 1 + (uint32_t)(rng() % 100000);

			REQUIRE(rtm__timer_arm(&svc, &t[i].t, delay) == 0);
			pending += !armed[i];
			armed[i] = true;
			deadline[i] = now + delay;
		} else if (kind < 85) {
			CHECK_U(rtm__timer_cancel(&svc, &t[i].t), armed[i]);
			pending -= armed[i];
			armed[i] = false;
		} else {
			CHECK_U(rtm__timer_cancel_nowait(&svc, &t[i].t), armed[i]);
			pending -= armed[i];
			armed[i] = false;
		}
		CHECK_U(t[i].t.heap_index == RTM_TIMER_IDLE, !armed[i]);
		if (op % 16 == 0) {
			REQUIRE(rtm__timer_service_check(&svc) == 0);
			REQUIRE(rtm__timer_pending(&svc) == pending);
		}
		if (op % 2500 == 0) {
			/* Let time pass: exactly the armed timers due by now fire, once. */
			now += rng() % 60000;
			advance_to(now);
			for (int k = 0; k < N; k++) {
				if (armed[k] && deadline[k] <= now) {
					fires[k]++;
					armed[k] = false;
					pending--;
				}
				CHECK_U(t[k].fires, fires[k]);
				CHECK_U(t[k].t.heap_index == RTM_TIMER_IDLE, !armed[k]);
				if (armed[k])
					CHECK_U(t[k].t.deadline_ms, deadline[k]);
			}
			REQUIRE(rtm__timer_pending(&svc) == pending);
			REQUIRE(rtm__timer_service_check(&svc) == 0);
		}
	}
	int total = 0;
	for (int k = 0; k < N; k++)
		total += fires[k];
	CHECK(total > 0);
	CHECK_U(log_count(), total);
	rtm__timer_service_fini(&svc);
}

/* The heap keeps its size: a slot freed by cancel or fire can be armed again without memory. */
static void test_heap_keeps_capacity(void)
{
	enum { N = 5000 };
	static struct ttimer t[N];

	fake_service();
	for (int i = 0; i < N; i++) {
		tt_init(&t[i], i);
		REQUIRE(rtm__timer_arm(&svc, &t[i].t, (uint32_t)(1 + rng() % 1000)) == 0);
	}
	size_t bytes = rtm__timer_service_bytes(&svc);
	CHECK(bytes >= N * sizeof(void *));
	CHECK(bytes < 2 * N * sizeof(void *));
	for (int i = 0; i < N; i++)
		CHECK_U(rtm__timer_cancel(&svc, &t[i].t), 1);
	CHECK_U(rtm__timer_service_bytes(&svc), bytes);

	/* With every allocation failing, the cancelled timers can all be armed again. */
	unsigned long failures = rtm__alloc_failures();
	for (int i = 0; i < N; i++) {
		rtm__alloc_fail_at(1);
		REQUIRE(rtm__timer_arm(&svc, &t[i].t, 5) == 0);
	}
	rtm__alloc_fail_at(0);
	CHECK_U(rtm__alloc_failures(), failures);
	/* Emptied by firing, likewise. */
	advance_to(1005);
	CHECK_U(rtm__timer_pending(&svc), 0);
	CHECK_U(rtm__timer_service_bytes(&svc), bytes);
	CHECK_U(log_count(), N);
	rtm__timer_service_fini(&svc);
}

/* ---- out of memory ---- */

static void test_oom_growth(void)
{
	enum { N = 200 };
	static struct ttimer t[N];
	static struct rtm_timer *snap[N];
	unsigned ooms = 0;

	fake_service();
	for (int i = 0; i < N; i++) {
		tt_init(&t[i], i);
		t[i].t.deadline_ms = 4242;          /* "previous state" to be kept on failure */
	}
	for (int i = 0; i < N; i++) {
		size_t pending = rtm__timer_pending(&svc);
		size_t bytes = rtm__timer_service_bytes(&svc);
		bool started = svc.thread_started;

		if (pending)
			memcpy(snap, svc.heap, pending * sizeof(*snap));
		unsigned long failures = rtm__alloc_failures();
		rtm__alloc_fail_at(1);
		int r = rtm__timer_arm(&svc, &t[i].t, (uint32_t)(5000 - i));
		rtm__alloc_fail_at(0);
		if (r == -ENOMEM) {
			ooms++;
			CHECK_U(rtm__alloc_failures(), failures + 1);
			CHECK_U(t[i].t.heap_index, RTM_TIMER_IDLE);
			CHECK_U(t[i].t.deadline_ms, 4242);
			CHECK_U(rtm__timer_pending(&svc), pending);
			CHECK_U(rtm__timer_service_bytes(&svc), bytes);
			CHECK(svc.thread_started == started);
			CHECK(pending == 0 || memcmp(snap, svc.heap, pending * sizeof(*snap)) == 0);
			for (size_t k = 0; k < pending; k++)
				CHECK_U(snap[k]->heap_index, k);
			CHECK(rtm__timer_service_check(&svc) == 0);
			r = rtm__timer_arm(&svc, &t[i].t, (uint32_t)(5000 - i));
		} else {
			CHECK_U(rtm__alloc_failures(), failures);
		}
		CHECK_U(r, 0);
		CHECK_U(rtm__timer_pending(&svc), pending + 1);
		CHECK(rtm__timer_service_check(&svc) == 0);
	}
	/* Growths at 0, 16, 32, 64 and 128 entries. */
	CHECK_U(ooms, 5);
	/* Moving an armed timer never allocates. */
	unsigned long count = rtm__alloc_count();
	for (int i = 0; i < N; i++)
		CHECK(rtm__timer_arm(&svc, &t[i].t, (uint32_t)(1 + i)) == 0);
	CHECK_U(rtm__alloc_count(), count);
	advance_to(1000 + N);
	CHECK_U(log_count(), N);
	rtm__timer_service_fini(&svc);
}

/* ---- many threads (run under TSan too) ---- */

enum { STRESS_THREADS = 4, STRESS_TIMERS = 64, STRESS_OPS = 20000 };

struct stimer {
	struct rtm_timer t;
	atomic_int in_fire;
	atomic_int must_not_fire;    /* set after a waiting cancel returned, cleared before arm */
	atomic_int rearms;
	atomic_int fires;
};

static atomic_int stress_violations;
static atomic_int stress_fires;

static void stress_fire(struct rtm_timer *timer, void *arg)
{
	struct stimer *st = container_of(timer, struct stimer, t);
	struct rtm_timer_service *s = arg;

	if (atomic_exchange(&st->in_fire, 1) != 0)
		atomic_fetch_add(&stress_violations, 1);
	if (atomic_load(&st->must_not_fire))
		atomic_fetch_add(&stress_violations, 1);
	atomic_fetch_add(&st->fires, 1);
	atomic_fetch_add(&stress_fires, 1);
	/* Sometimes re-arm itself, to race with the owner's cancel. */
	if (atomic_fetch_add(&st->rearms, 1) % 3 == 0)
		rtm__timer_arm(s, timer, 1);
	atomic_store(&st->in_fire, 0);
}

static void stress_free_fire(struct rtm_timer *timer, void *arg)
{
	(void)timer;
	(void)arg;
	atomic_fetch_add(&stress_fires, 1);
}

static void *stress_worker(void *arg)
{
	struct stimer *mine = arg;
	uint64_t seed = (uint64_t)(uintptr_t)arg | 1;

	for (int op = 0; op < STRESS_OPS; op++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		struct stimer *st = &mine[seed % STRESS_TIMERS];
		unsigned kind = (unsigned)((seed >> 20) % 10);

		if (op % 2000 == 0) {
			/* Make sure fires happen in the middle of the churn, whatever the scheduler
			 * does: arm one timer for now and wait (bounded) until it has fired. */
			struct timespec pause = { 0, 100000 };
			int before = atomic_load(&mine[0].fires);

			atomic_store(&mine[0].must_not_fire, 0);
			rtm__timer_arm(&svc, &mine[0].t, 0);
			for (int i = 0; i < 600000 && atomic_load(&mine[0].fires) == before; i++)
				nanosleep(&pause, NULL);
			if (atomic_load(&mine[0].fires) == before)
				atomic_fetch_add(&stress_violations, 1);
		}
		if (kind < 5) {
			atomic_store(&st->must_not_fire, 0);
			if (rtm__timer_arm(&svc, &st->t, (uint32_t)((seed >> 32) % 3)) != 0)
				atomic_fetch_add(&stress_violations, 1);
		} else if (kind < 8) {
			rtm__timer_cancel(&svc, &st->t);
			/* The contract: no fire running now, none to come for this arming. */
			if (atomic_load(&st->in_fire))
				atomic_fetch_add(&stress_violations, 1);
			atomic_store(&st->must_not_fire, 1);
		} else if (kind < 9) {
			rtm__timer_cancel_nowait(&svc, &st->t);
		} else {
			/* Allocate, arm, cancel, free: ASan catches any late touch. */
			struct rtm_timer *t = malloc(sizeof(*t));
			if (!t)
				continue;
			rtm__timer_init(t, stress_free_fire);
			rtm__timer_arm(&svc, t, (uint32_t)((seed >> 40) % 2));
			rtm__timer_cancel(&svc, t);
			free(t);
		}
	}
	for (int i = 0; i < STRESS_TIMERS; i++) {
		rtm__timer_cancel(&svc, &mine[i].t);
		if (atomic_load(&mine[i].in_fire))
			atomic_fetch_add(&stress_violations, 1);
		atomic_store(&mine[i].must_not_fire, 1);
	}
	return NULL;
}

static void test_threads_stress(void)
{
	static struct stimer timers[STRESS_THREADS][STRESS_TIMERS];
	pthread_t th[STRESS_THREADS];

	REQUIRE(rtm__timer_service_init(&svc, &svc) == 0);
	for (int w = 0; w < STRESS_THREADS; w++)
		for (int i = 0; i < STRESS_TIMERS; i++)
			rtm__timer_init(&timers[w][i].t, stress_fire);
	for (int w = 0; w < STRESS_THREADS; w++)
		REQUIRE(pthread_create(&th[w], NULL, stress_worker, timers[w]) == 0);
	for (int w = 0; w < STRESS_THREADS; w++)
		pthread_join(th[w], NULL);
	CHECK_U(rtm__timer_pending(&svc), 0);
	CHECK(rtm__timer_service_check(&svc) == 0);
	rtm__timer_service_fini(&svc);
	CHECK_U(atomic_load(&stress_violations), 0);
	CHECK(atomic_load(&stress_fires) >= STRESS_THREADS * (STRESS_OPS / 2000));
	for (int w = 0; w < STRESS_THREADS; w++)
		for (int i = 0; i < STRESS_TIMERS; i++)
			CHECK_U(timers[w][i].t.heap_index, RTM_TIMER_IDLE);
}

/* Two services are independent: each fires its own timers with its own argument. */
static void test_two_services(void)
{
	struct rtm_timer_service other;
	static int other_tag;
	struct ttimer a, b;

	fake_service();
	REQUIRE(rtm__timer_service_init(&other, &other_tag) == 0);
	rtm__timer_service_set_clock(&other, fake_clock);
	tt_init(&a, 1);
	tt_init(&b, 2);
	CHECK(rtm__timer_arm(&svc, &a.t, 10) == 0);
	CHECK(rtm__timer_arm(&other, &b.t, 20) == 0);
	advance_to(1010);
	rtm__timer_service_settle(&other);
	CHECK_U(a.fires, 1);
	CHECK_U(b.fires, 0);
	CHECK(log_last_arg == &svc_arg_tag);
	fake_set(1020);
	rtm__timer_service_settle(&other);
	CHECK_U(b.fires, 1);
	CHECK(log_last_arg == &other_tag);
	CHECK_U(rtm__timer_pending(&svc), 0);
	CHECK_U(rtm__timer_pending(&other), 0);
	rtm__timer_service_fini(&other);
	rtm__timer_service_fini(&svc);
}

/* Tests run in forked children, but RTM_TEST_NOFORK=1 runs them in one process: start each
 * from the same state either way. */
static void reset_globals(void)
{
	tt_reset_log();
	atomic_store(&stress_violations, 0);
	atomic_store(&stress_fires, 0);
}

#define TRUN(fn)                 \
	do {                     \
		reset_globals(); \
		RUN(fn);         \
	} while (0)

int main(void)
{
	TRUN(test_random_ops);
	TRUN(test_heap_keeps_capacity);
	TRUN(test_oom_growth);
	TRUN(test_threads_stress);
	TRUN(test_two_services);
	TEST_MAIN_END();
}
