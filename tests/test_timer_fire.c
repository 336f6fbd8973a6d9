/*
 * test_timer_fire.c — the timer service: edge cases, what fires and in which order, the real
 * clock, cancel and arm from inside a fire, and the cancel contract (a cancel waits for a fire
 * in progress).  The heap, out of memory and threads: test_timer_heap.c.
 *
 * Most tests run on a fake clock (rtm__timer_service_set_clock) and move it by hand, then
 * call rtm__timer_service_settle(), which returns once the thread has fired everything due
 * and gone back to sleep.  So what fires, and in which order, is deterministic; nothing here
 * sleeps and then asserts.  Waits for another thread use a condition variable with a very
 * generous bound, only so that a bug fails the test instead of hanging it.
 */
#include "timertest.h"

/* ---- invalid and edge cases first ---- */

static void test_cancel_idle(void)
{
	struct ttimer a;

	tt_init(&a, 1);
	CHECK_U(a.t.heap_index, RTM_TIMER_IDLE);
	REQUIRE(rtm__timer_service_init(&svc, NULL) == 0);
	CHECK_U(rtm__timer_cancel(&svc, &a.t), 0);
	CHECK_U(rtm__timer_cancel_nowait(&svc, &a.t), 0);
	CHECK_U(a.t.heap_index, RTM_TIMER_IDLE);
	CHECK_U(rtm__timer_pending(&svc), 0);
	CHECK_U(rtm__timer_service_bytes(&svc), 0);
	CHECK(rtm__timer_service_check(&svc) == 0);
	/* Nothing armed yet: no thread, and settle/kick have nothing to wait for. */
	CHECK(!svc.thread_started);
	rtm__timer_service_settle(&svc);
	rtm__timer_service_kick(&svc);
	CHECK(!svc.thread_started);

	/* Cancel after the timer fired: it is idle again. */
	rtm__timer_service_set_clock(&svc, fake_clock);
	fake_set(50);
	CHECK(rtm__timer_arm(&svc, &a.t, 5) == 0);
	CHECK(svc.thread_started);
	advance_to(55);
	CHECK_U(a.fires, 1);
	CHECK_U(rtm__timer_cancel(&svc, &a.t), 0);
	CHECK_U(rtm__timer_cancel(&svc, &a.t), 0);
	CHECK_U(log_count(), 1);
	rtm__timer_service_fini(&svc);
}

static void test_fini_edge(void)
{
	/* NULL and a never-armed service are fine; init/fini cycles leak nothing (ASan). */
	rtm__timer_service_fini(NULL);
	for (int i = 0; i < 3; i++) {
		REQUIRE(rtm__timer_service_init(&svc, NULL) == 0);
		rtm__timer_service_fini(&svc);
	}
}

static void test_fini_with_pending(void)
{
	static struct ttimer t[100];

	/* Fake clock: some timers are due but the thread was never told. */
	fake_service();
	for (int i = 0; i < 100; i++) {
		tt_init(&t[i], i);
		CHECK(rtm__timer_arm(&svc, &t[i].t, (uint32_t)(10 + i)) == 0);
	}
	rtm__timer_service_settle(&svc);
	CHECK_U(rtm__timer_pending(&svc), 100);
	fake_set(1050);
	rtm__timer_service_fini(&svc);
	CHECK_U(log_count(), 0);

	/* Real clock, timers an hour away: fini does not wait for them and does not fire them. */
	REQUIRE(rtm__timer_service_init(&svc, NULL) == 0);
	for (int i = 0; i < 100; i++) {
		tt_init(&t[i], i);
		CHECK(rtm__timer_arm(&svc, &t[i].t, 3600u * 1000u + (uint32_t)i) == 0);
	}
	CHECK_U(rtm__timer_pending(&svc), 100);
	rtm__timer_service_fini(&svc);
	CHECK_U(log_count(), 0);
	for (int i = 0; i < 100; i++)
		CHECK_U(t[i].fires, 0);
}

static void test_arm_moves(void)
{
	struct ttimer a, b, c;

	fake_service();
	tt_init(&a, 1);
	tt_init(&b, 2);
	tt_init(&c, 3);
	CHECK(rtm__timer_arm(&svc, &a.t, 100) == 0);
	CHECK(rtm__timer_arm(&svc, &b.t, 50) == 0);
	CHECK_U(b.t.heap_index, 0);
	CHECK_U(a.t.deadline_ms, 1100);

	/* Earlier: a becomes the first, still one entry. */
	CHECK(rtm__timer_arm(&svc, &a.t, 10) == 0);
	CHECK_U(rtm__timer_pending(&svc), 2);
	CHECK_U(a.t.heap_index, 0);
	CHECK_U(a.t.deadline_ms, 1010);
	CHECK(rtm__timer_service_check(&svc) == 0);

	/* Later: c moves from 1020 to 1200. */
	CHECK(rtm__timer_arm(&svc, &c.t, 20) == 0);
	CHECK(rtm__timer_arm(&svc, &c.t, 200) == 0);
	CHECK_U(c.t.deadline_ms, 1200);
	CHECK_U(rtm__timer_pending(&svc), 3);
	CHECK(rtm__timer_service_check(&svc) == 0);

	advance_to(1010);
	CHECK_U(a.fires, 1);
	CHECK_U(a.fired_deadline, 1010);
	CHECK_U(b.fires, 0);
	advance_to(1100);                /* a's first deadline: it must not fire again */
	CHECK_U(a.fires, 1);
	CHECK_U(b.fires, 1);
	CHECK_U(c.fires, 0);             /* c's first deadline (1020) has passed too */
	advance_to(1200);
	CHECK_U(c.fires, 1);
	CHECK_U(log_count(), 3);
	CHECK_U(rtm__timer_pending(&svc), 0);
	CHECK(log_last_arg == &svc_arg_tag);
	rtm__timer_service_fini(&svc);
}

static void test_delay_limits(void)
{
	struct ttimer a, b;

	fake_service();
	tt_init(&a, 1);
	tt_init(&b, 2);
	CHECK(rtm__timer_arm(&svc, &a.t, UINT32_MAX - 1) == 0);
	CHECK_U(a.t.deadline_ms, 1000 + (uint64_t)(UINT32_MAX - 1));
	CHECK(rtm__timer_arm(&svc, &b.t, 0) == 0);
	rtm__timer_service_settle(&svc);
	CHECK_U(b.fires, 1);                 /* delay 0 fires without the clock moving */
	CHECK_U(a.fires, 0);
	advance_to(1000 + (uint64_t)(UINT32_MAX - 2));
	CHECK_U(a.fires, 0);
	advance_to(1000 + (uint64_t)(UINT32_MAX - 1));
	CHECK_U(a.fires, 1);

	/* The deadline saturates instead of wrapping near the end of a (fake) clock. */
	fake_set(UINT64_MAX - 10);
	CHECK(rtm__timer_arm(&svc, &a.t, 1000) == 0);
	CHECK_U(a.t.deadline_ms, UINT64_MAX);
	CHECK(rtm__timer_cancel(&svc, &a.t) == 1);
	rtm__timer_service_fini(&svc);
}

/* ---- firing ---- */

static void test_fire_order(void)
{
	enum { N = 2000 };
	static struct ttimer t[N];

	fake_service();
	for (int i = 0; i < N; i++) {
		tt_init(&t[i], i);
		/* Few distinct delays, so that there are many ties. */
		CHECK(rtm__timer_arm(&svc, &t[i].t, (uint32_t)(1 + rng() % 500)) == 0);
	}
	CHECK_U(rtm__timer_pending(&svc), N);
	CHECK(rtm__timer_service_check(&svc) == 0);

	/* Advance in steps: at each step exactly the timers due by then have fired. */
	for (uint64_t now = 1000; now <= 1500; now += 37) {
		advance_to(now);
		for (int i = 0; i < N; i++)
			CHECK_U(t[i].fires, t[i].t.deadline_ms <= now ? 1 : 0);
	}
	advance_to(1600);
	REQUIRE(log_count() == N);
	for (int i = 0; i < N; i++) {
		CHECK_U(t[i].fires, 1);
		CHECK(t[i].fired_at >= t[i].t.deadline_ms);
	}
	for (int k = 1; k < N; k++)
		CHECK(log_deadlines[k - 1] <= log_deadlines[k]);
	CHECK_U(rtm__timer_pending(&svc), 0);
	rtm__timer_service_fini(&svc);
}

/* On the real clock: nothing fires early, everything fires, in deadline order. */
static void test_real_clock(void)
{
	enum { N = 40 };
	static struct ttimer t[N];
	static uint64_t real_at[N];

	REQUIRE(rtm__timer_service_init(&svc, &svc_arg_tag) == 0);
	for (int i = 0; i < N; i++) {
		tt_init(&t[i], i);
		CHECK(rtm__timer_arm(&svc, &t[i].t, (uint32_t)(rng() % 30)) == 0);
	}
	REQUIRE(log_wait(N));
	uint64_t after = rtm__timer_now_ms();
	rtm__timer_service_settle(&svc);
	for (int i = 0; i < N; i++) {
		CHECK_U(t[i].fires, 1);
		real_at[i] = t[i].t.deadline_ms;
		CHECK(real_at[i] <= after);
	}
	for (int k = 1; k < N; k++)
		CHECK(log_deadlines[k - 1] <= log_deadlines[k]);
	CHECK(log_last_arg == &svc_arg_tag);
	CHECK_U(rtm__timer_pending(&svc), 0);
	rtm__timer_service_fini(&svc);
}

static uint64_t real_fired_early;

static void fire_check_not_early(struct ttimer *self, void *arg)
{
	(void)arg;
	if (rtm__timer_now_ms() < self->t.deadline_ms)
		real_fired_early++;
}

static void test_real_clock_not_early(void)
{
	enum { N = 20 };
	static struct ttimer t[N];

	REQUIRE(rtm__timer_service_init(&svc, NULL) == 0);
	for (int i = 0; i < N; i++) {
		tt_init(&t[i], i);
		t[i].action = fire_check_not_early;
		CHECK(rtm__timer_arm(&svc, &t[i].t, (uint32_t)(1 + rng() % 20)) == 0);
	}
	REQUIRE(log_wait(N));
	rtm__timer_service_settle(&svc);
	CHECK_U(real_fired_early, 0);
	rtm__timer_service_fini(&svc);
}

static void test_cancel_prevents_fire(void)
{
	enum { N = 50 };
	struct ttimer t[N];

	fake_service();
	for (int i = 0; i < N; i++) {
		tt_init(&t[i], i);
		CHECK(rtm__timer_arm(&svc, &t[i].t, (uint32_t)(N - i)) == 0);
	}
	for (int i = 0; i < N; i += 2) {
		if (i % 4 == 0)
			CHECK_U(rtm__timer_cancel(&svc, &t[i].t), 1);
		else
			CHECK_U(rtm__timer_cancel_nowait(&svc, &t[i].t), 1);
		CHECK_U(t[i].t.heap_index, RTM_TIMER_IDLE);
		CHECK_U(rtm__timer_cancel(&svc, &t[i].t), 0);
		CHECK(rtm__timer_service_check(&svc) == 0);
	}
	CHECK_U(rtm__timer_pending(&svc), N / 2);
	advance_to(1000 + N);
	for (int i = 0; i < N; i++)
		CHECK_U(t[i].fires, i % 2);
	CHECK_U(log_count(), N / 2);
	rtm__timer_service_fini(&svc);
}

/* ---- cancel and arm from inside fire ---- */

static struct ttimer *victim, *victim2;
static int cancel_self_ret = -1, cancel_other_ret = -1, cancel_nowait_ret = -1;

static void fire_cancels(struct ttimer *self, void *arg)
{
	(void)arg;
	cancel_self_ret = rtm__timer_cancel(&svc, &self->t);
	cancel_other_ret = rtm__timer_cancel(&svc, &victim->t);
	cancel_nowait_ret = rtm__timer_cancel_nowait(&svc, &victim2->t);
}

static void test_cancel_from_fire(void)
{
	struct ttimer a, b, c, d;

	fake_service();
	tt_init(&a, 1);
	tt_init(&b, 2);
	tt_init(&c, 3);
	tt_init(&d, 4);
	a.action = fire_cancels;
	victim = &b;
	victim2 = &c;
	CHECK(rtm__timer_arm(&svc, &a.t, 10) == 0);
	CHECK(rtm__timer_arm(&svc, &b.t, 20) == 0);
	CHECK(rtm__timer_arm(&svc, &c.t, 20) == 0);
	CHECK(rtm__timer_arm(&svc, &d.t, 30) == 0);
	/* All four are due at once: a runs first and cancels b and c before their turn. */
	advance_to(2000);
	CHECK_U(cancel_self_ret, 0);
	CHECK_U(cancel_other_ret, 1);
	CHECK_U(cancel_nowait_ret, 1);
	CHECK_U(a.fires, 1);
	CHECK_U(b.fires, 0);
	CHECK_U(c.fires, 0);
	CHECK_U(d.fires, 1);
	CHECK_U(rtm__timer_pending(&svc), 0);
	rtm__timer_service_fini(&svc);
}

static int rearm_ret = -1, recancel_ret = -1;

static void fire_rearm_then_cancel_self(struct ttimer *self, void *arg)
{
	(void)arg;
	rearm_ret = rtm__timer_arm(&svc, &self->t, 5);
	/* On the service thread, for a timer that is itself firing: must not wait. */
	recancel_ret = rtm__timer_cancel(&svc, &self->t);
}

static void test_cancel_self_rearmed_in_fire(void)
{
	struct ttimer a;

	fake_service();
	tt_init(&a, 1);
	a.action = fire_rearm_then_cancel_self;
	CHECK(rtm__timer_arm(&svc, &a.t, 1) == 0);
	advance_to(1001);
	CHECK_U(rearm_ret, 0);
	CHECK_U(recancel_ret, 1);
	CHECK_U(a.t.heap_index, RTM_TIMER_IDLE);
	advance_to(5000);
	CHECK_U(a.fires, 1);
	rtm__timer_service_fini(&svc);
}

static struct ttimer *spawned;

static void fire_rearm(struct ttimer *self, void *arg)
{
	(void)arg;
	/* Re-arm up to 5 times with delay self->id (0 fires again in the same settle). */
	if (self->fires < 5)
		CHECK(rtm__timer_arm(&svc, &self->t, (uint32_t)self->id) == 0);
	if (self->fires == 1 && spawned)
		CHECK(rtm__timer_arm(&svc, &spawned->t, 7) == 0);
}

static void test_rearm_from_fire(void)
{
	struct ttimer z, p, s;

	fake_service();
	tt_init(&z, 0);
	z.action = fire_rearm;
	CHECK(rtm__timer_arm(&svc, &z.t, 0) == 0);
	rtm__timer_service_settle(&svc);
	CHECK_U(z.fires, 5);
	CHECK_U(z.t.heap_index, RTM_TIMER_IDLE);

	tt_init(&p, 10);
	tt_init(&s, 99);
	spawned = &s;
	p.action = fire_rearm;
	CHECK(rtm__timer_arm(&svc, &p.t, 10) == 0);
	for (int k = 1; k <= 5; k++) {
		advance_to(1000 + 10u * (uint64_t)k - 1);
		CHECK_U(p.fires, k - 1);
		advance_to(1000 + 10u * (uint64_t)k);
		CHECK_U(p.fires, k);
		CHECK_U(p.fired_deadline, 1000 + 10u * (uint64_t)k);
	}
	CHECK_U(p.t.heap_index, RTM_TIMER_IDLE);
	/* s was armed by p's first fire (at 1010) for 7 ms. */
	CHECK_U(s.fires, 1);
	CHECK_U(s.fired_deadline, 1017);
	CHECK_U(rtm__timer_pending(&svc), 0);
	rtm__timer_service_fini(&svc);
}

/* ---- cancel waits for a fire in progress ---- */

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static bool fire_entered, gate_open, fire_finished, rearm_in_blocking_fire;
static bool cancel_returned;
static bool finished_seen_by_cancel;
static int blocked_cancel_ret = -1;

static void fire_blocking(struct ttimer *self, void *arg)
{
	(void)arg;
	pthread_mutex_lock(&gate_lock);
	fire_entered = true;
	pthread_cond_broadcast(&gate_cond);
	while (!gate_open)
		pthread_cond_wait(&gate_cond, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
	if (rearm_in_blocking_fire)
		CHECK(rtm__timer_arm(&svc, &self->t, 100) == 0);
	pthread_mutex_lock(&gate_lock);
	fire_finished = true;
	pthread_mutex_unlock(&gate_lock);
}

static struct ttimer blocker;

static void *cancel_thread(void *arg)
{
	(void)arg;
	int r = rtm__timer_cancel(&svc, &blocker.t);

	pthread_mutex_lock(&gate_lock);
	blocked_cancel_ret = r;
	finished_seen_by_cancel = fire_finished;
	cancel_returned = true;
	pthread_mutex_unlock(&gate_lock);
	return NULL;
}

/* Wait (bounded) until pred() holds under gate_lock. */
static bool gate_wait(bool *flag)
{
	struct timespec until;
	bool ok = true;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 60;
	pthread_mutex_lock(&gate_lock);
	while (!*flag && ok)
		ok = pthread_cond_timedwait(&gate_cond, &gate_lock, &until) == 0 || *flag;
	pthread_mutex_unlock(&gate_lock);
	return ok;
}

static unsigned service_waiters(void)
{
	pthread_mutex_lock(&svc.lock);
	unsigned n = svc.waiters;
	pthread_mutex_unlock(&svc.lock);
	return n;
}

static void run_cancel_waits(bool rearm)
{
	pthread_t th;

	fake_service();
	tt_init(&blocker, 1);
	blocker.action = fire_blocking;
	rearm_in_blocking_fire = rearm;
	CHECK(rtm__timer_arm(&svc, &blocker.t, 10) == 0);
	fake_set(1010);
	rtm__timer_service_kick(&svc);
	REQUIRE(gate_wait(&fire_entered));
	/* The fire is running and blocked on the gate; the timer is no longer armed. */
	CHECK_U(blocker.t.heap_index, RTM_TIMER_IDLE);
	CHECK_U(rtm__timer_pending(&svc), 0);

	REQUIRE(pthread_create(&th, NULL, cancel_thread, NULL) == 0);
	/* Once the canceller is registered as a waiter it is provably inside cancel, and it
	 * cannot leave while the fire is blocked on the gate. */
	struct timespec pause = { 0, 1000000 };
	for (int i = 0; i < 60000 && service_waiters() == 0; i++)
		nanosleep(&pause, NULL);
	REQUIRE(service_waiters() == 1);
	pthread_mutex_lock(&gate_lock);
	CHECK(!cancel_returned);
	gate_open = true;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);

	pthread_join(th, NULL);
	CHECK(cancel_returned);
	CHECK(finished_seen_by_cancel);
	/* Re-armed inside the fire: the cancel removed that arming too. */
	CHECK_U(blocked_cancel_ret, rearm ? 1 : 0);
	CHECK_U(blocker.t.heap_index, RTM_TIMER_IDLE);
	CHECK_U(rtm__timer_pending(&svc), 0);
	advance_to(5000);
	CHECK_U(blocker.fires, 1);
	CHECK_U(service_waiters(), 0);
	rtm__timer_service_fini(&svc);
}

static void test_cancel_waits_for_fire(void)
{
	run_cancel_waits(false);
}

static void test_cancel_waits_then_cancels_rearm(void)
{
	run_cancel_waits(true);
}

/* cancel_nowait of a timer whose fire is running returns at once, and arm does not wait. */
static void test_nowait_during_fire(void)
{
	fake_service();
	tt_init(&blocker, 1);
	blocker.action = fire_blocking;
	CHECK(rtm__timer_arm(&svc, &blocker.t, 10) == 0);
	fake_set(1010);
	rtm__timer_service_kick(&svc);
	REQUIRE(gate_wait(&fire_entered));
	CHECK_U(rtm__timer_cancel_nowait(&svc, &blocker.t), 0);
	CHECK(rtm__timer_arm(&svc, &blocker.t, 5) == 0);      /* armed again while firing */
	CHECK_U(rtm__timer_cancel_nowait(&svc, &blocker.t), 1);
	CHECK(rtm__timer_arm(&svc, &blocker.t, 5) == 0);
	pthread_mutex_lock(&gate_lock);
	gate_open = true;
	pthread_cond_broadcast(&gate_cond);
	pthread_mutex_unlock(&gate_lock);
	advance_to(1015);
	CHECK_U(blocker.fires, 2);
	rtm__timer_service_fini(&svc);
}

/* A fire may free its own timer: the service must not touch it afterwards (ASan). */
static void fire_frees(struct rtm_timer *timer, void *arg)
{
	(void)arg;
	free(timer);
	pthread_mutex_lock(&log_lock);
	log_n++;
	pthread_cond_broadcast(&log_cond);
	pthread_mutex_unlock(&log_lock);
}

static void test_fire_frees_timer(void)
{
	fake_service();
	for (int i = 0; i < 20; i++) {
		struct rtm_timer *t = malloc(sizeof(*t));
		REQUIRE(t);
		rtm__timer_init(t, fire_frees);
		CHECK(rtm__timer_arm(&svc, t, (uint32_t)i) == 0);
	}
	advance_to(1020);
	CHECK_U(log_count(), 20);
	rtm__timer_service_fini(&svc);
}

/* Tests run in forked children, but RTM_TEST_NOFORK=1 runs them in one process: start each
 * from the same state either way. */
static void reset_globals(void)
{
	tt_reset_log();
	victim = victim2 = spawned = NULL;
	cancel_self_ret = cancel_other_ret = cancel_nowait_ret = -1;
	rearm_ret = recancel_ret = -1;
	fire_entered = gate_open = fire_finished = rearm_in_blocking_fire = false;
	cancel_returned = finished_seen_by_cancel = false;
	blocked_cancel_ret = -1;
	real_fired_early = 0;
}

#define TRUN(fn)                 \
	do {                     \
		reset_globals(); \
		RUN(fn);         \
	} while (0)

int main(void)
{
	TRUN(test_cancel_idle);
	TRUN(test_fini_edge);
	TRUN(test_fini_with_pending);
	TRUN(test_arm_moves);
	TRUN(test_delay_limits);
	TRUN(test_fire_order);
	TRUN(test_real_clock);
	TRUN(test_real_clock_not_early);
	TRUN(test_cancel_prevents_fire);
	TRUN(test_cancel_from_fire);
	TRUN(test_cancel_self_rearmed_in_fire);
	TRUN(test_rearm_from_fire);
	TRUN(test_cancel_waits_for_fire);
	TRUN(test_cancel_waits_then_cancels_rearm);
	TRUN(test_nowait_during_fire);
	TRUN(test_fire_frees_timer);
	TEST_MAIN_END();
}
