/*
 * test_timer.c — the timer service: edge cases, ordering, cancel contract, heap invariant, OOM.
 *
 * Most tests run on a fake clock (rtm__timer_service_set_clock) and move it by hand, then
 * call rtm__timer_service_settle(), which returns once the thread has fired everything due
 * and gone back to sleep.  So what fires, and in which order, is deterministic; nothing here
 * sleeps and then asserts.  Waits for another thread use a condition variable with a very
 * generous bound, only so that a bug fails the test instead of hanging it.
 */
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

static _Atomic uint64_t fake_ms;

static uint64_t fake_clock(void)
{
	return atomic_load(&fake_ms);
}

static void fake_set(uint64_t ms)
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

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t log_cond = PTHREAD_COND_INITIALIZER;
static int log_ids[LOG_MAX];
static uint64_t log_deadlines[LOG_MAX];
static int log_n;
static void *log_last_arg;

static void tt_fire(struct rtm_timer *timer, void *service_arg)
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

static void tt_init(struct ttimer *tt, int id)
{
	memset(tt, 0, sizeof(*tt));
	tt->id = id;
	rtm__timer_init(&tt->t, tt_fire);
}

static int log_count(void)
{
	pthread_mutex_lock(&log_lock);
	int n = log_n;
	pthread_mutex_unlock(&log_lock);
	return n;
}

/* Wait until at least n fires were logged, for at most a minute; returns whether it got there. */
static bool log_wait(int n)
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

static struct rtm_timer_service svc;
static int svc_arg_tag;

static void fake_service(void)
{
	REQUIRE(rtm__timer_service_init(&svc, &svc_arg_tag) == 0);
	fake_set(1000);
	rtm__timer_service_set_clock(&svc, fake_clock);
}

/* Move the fake clock and let the service fire what became due. */
static void advance_to(uint64_t ms)
{
	fake_set(ms);
	rtm__timer_service_settle(&svc);
}

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

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

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
	log_n = 0;
	log_last_arg = NULL;
	victim = victim2 = spawned = NULL;
	cancel_self_ret = cancel_other_ret = cancel_nowait_ret = -1;
	rearm_ret = recancel_ret = -1;
	fire_entered = gate_open = fire_finished = rearm_in_blocking_fire = false;
	cancel_returned = finished_seen_by_cancel = false;
	blocked_cancel_ret = -1;
	real_fired_early = 0;
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
	TRUN(test_random_ops);
	TRUN(test_heap_keeps_capacity);
	TRUN(test_oom_growth);
	TRUN(test_threads_stress);
	TRUN(test_two_services);
	TEST_MAIN_END();
}
