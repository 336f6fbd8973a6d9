/*
 * test_epoch.c — epoch-based reclamation (base/epoch.c), alone.
 *
 * Links base/ and table/ only (the Makefile's unit rule).  The epoch tests
 * drive real reader threads: a reader enters a section, says so through a
 * flag, and stays inside until the test lets it go; the test retires
 * objects whose free callback records which object went and when, and
 * checks that nothing a reader may still see is freed before it leaves,
 * and that everything is freed once it has.  Every wait on another thread
 * is bounded (WAIT_MS), so a broken mechanism fails a check instead of
 * hanging; testlib's deadline (TL_TIMEOUT_S) ends anything else.
 */
#define TL_TIMEOUT_S 120
#include "../testlib.h"

#include "alloc.h"
#include "epoch.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#ifdef TL_ASAN
#include <sanitizer/asan_interface.h>
#endif

/* Bound of every wait for another thread (a broken mechanism fails a check). */
#define WAIT_MS 10000u

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Waits until *flag != 0, at most WAIT_MS; its last value. */
static int wait_flag(atomic_int *flag)
{
	for (unsigned i = 0; i < WAIT_MS; i++) {
		if (atomic_load(flag))
			return 1;
		sleep_ms(1);
	}
	return atomic_load(flag);
}

/* ---- what the free callbacks saw ------------------------------------------- */

enum { MAX_FREED = 4096 };

/* One object the tests retire: its index, and whether it was freed. */
struct obj {
	unsigned idx;
	atomic_int freed; /* times its callback ran */
};

static struct {
	atomic_uint n;             /* callbacks run */
	unsigned order[MAX_FREED]; /* the index of each object freed, in order */
	void *last_arg;
} freed_log;

static void log_reset(void)
{
	atomic_store(&freed_log.n, 0);
	freed_log.last_arg = NULL;
}

static void on_free(void *p, void *arg)
{
	struct obj *o = p;
	unsigned k = atomic_fetch_add(&freed_log.n, 1);
	if (k < MAX_FREED)
		freed_log.order[k] = o->idx;
	freed_log.last_arg = arg;
	atomic_fetch_add(&o->freed, 1);
}

/* A heap object freed by its callback: what LeakSanitizer watches. */
static atomic_uint heap_freed;
static void free_heap(void *p, void *arg)
{
	(void)arg;
	atomic_fetch_add(&heap_freed, 1);
	free(p);
}

/* ---- a reader thread held inside a section ---------------------------------- */

struct reader {
	pthread_t thread;
	unsigned depth;     /* sections to enter, nested */
	atomic_int inside;  /* all `depth` entered */
	atomic_int unnest;  /* leave all but the outermost */
	atomic_int unnested;
	atomic_int leave;   /* leave the outermost */
	atomic_int leaving; /* about to call the outermost rtm__epoch_exit */
	atomic_int left;    /* outside */
	atomic_int finish;  /* end the thread */
	int inside_seen[3]; /* rtm__epoch_inside after enter, unnest, leave */
};

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	for (unsigned i = 0; i < r->depth; i++)
		rtm__epoch_enter();
	r->inside_seen[0] = rtm__epoch_inside();
	atomic_store(&r->inside, 1);
	if (r->depth > 1) {
		wait_flag(&r->unnest);
		for (unsigned i = 1; i < r->depth; i++)
			rtm__epoch_exit();
		r->inside_seen[1] = rtm__epoch_inside();
		atomic_store(&r->unnested, 1);
	}
	wait_flag(&r->leave);
	atomic_store(&r->leaving, 1);
	rtm__epoch_exit();
	r->inside_seen[2] = rtm__epoch_inside();
	atomic_store(&r->left, 1);
	/* Stays alive (its record still its own) until told to end, so that a
	 * poll after `left` proves the exit, not the thread's end, let go. */
	wait_flag(&r->finish);
	return NULL;
}

static int reader_start(struct reader *r, unsigned depth)
{
	memset(r, 0, sizeof(*r));
	r->depth = depth;
	if (pthread_create(&r->thread, NULL, reader_main, r))
		return -1;
	return wait_flag(&r->inside) ? 0 : -1;
}

static void reader_leave(struct reader *r)
{
	atomic_store(&r->leave, 1);
	CHECK(wait_flag(&r->left));
}

static void reader_end(struct reader *r)
{
	atomic_store(&r->unnest, 1);
	atomic_store(&r->leave, 1);
	atomic_store(&r->finish, 1);
	pthread_join(r->thread, NULL);
}

/* ---- epoch tests ---------------------------------------------------------------- */

/* A retired object waits while a reader that entered before the retire is
 * inside, polls or no polls; it is freed by the first poll after the reader
 * left (the reader's thread still alive), exactly once, with its arg. */
static void test_retire_waits_for_reader(void)
{
	struct rtm_limbo l = { 0 };
	struct obj o = { .idx = 7 };
	int arg;
	struct reader r;
	log_reset();
	REQUIRE(reader_start(&r, 1) == 0);
	rtm__limbo_retire(&l, &o, on_free, &arg);
	CHECK_U(l.pending, 1);
	for (int i = 0; i < 5; i++) {
		rtm__limbo_poll(&l);
		sleep_ms(2);
	}
	CHECK_U(atomic_load(&o.freed), 0);
	CHECK_U(l.pending, 1);
	reader_leave(&r);
	rtm__limbo_poll(&l);
	CHECK_U(atomic_load(&o.freed), 1);
	CHECK_U(atomic_load(&freed_log.n), 1);
	CHECK_U(freed_log.order[0], 7);
	CHECK(freed_log.last_arg == &arg);
	CHECK_U(l.pending, 0);
	rtm__limbo_poll(&l); /* nothing left: nothing freed twice */
	CHECK_U(atomic_load(&o.freed), 1);
	reader_end(&r);
	rtm__limbo_flush(&l);
	CHECK_U(atomic_load(&o.freed), 1);
	CHECK(l.first == NULL && l.last == NULL);
}

/* What a reader entered after (the epoch moved past the retire) cannot
 * see does not wait for it: only the reader from before holds it back. */
static void test_later_reader_does_not_hold(void)
{
	struct rtm_limbo l = { 0 };
	struct obj a = { .idx = 1 }, b = { .idx = 2 };
	struct reader early, late;
	log_reset();
	REQUIRE(reader_start(&early, 1) == 0);
	rtm__limbo_retire(&l, &a, on_free, NULL);
	rtm__limbo_poll(&l); /* moves the epoch on; early still holds a */
	CHECK_U(atomic_load(&a.freed), 0);
	REQUIRE(reader_start(&late, 1) == 0);
	reader_leave(&early);
	rtm__limbo_poll(&l);
	CHECK_U(atomic_load(&a.freed), 1); /* late entered after the epoch moved */
	/* b, retired while late is inside, waits for late. */
	rtm__limbo_retire(&l, &b, on_free, NULL);
	rtm__limbo_poll(&l);
	CHECK_U(atomic_load(&b.freed), 0);
	reader_leave(&late);
	rtm__limbo_poll(&l);
	CHECK_U(atomic_load(&b.freed), 1);
	reader_end(&early);
	reader_end(&late);
	rtm__limbo_flush(&l);
}

/* Nested sections: only the outermost exit ends the section. */
static void test_nesting(void)
{
	struct rtm_limbo l = { 0 };
	struct obj o = { .idx = 3 };
	struct reader r;
	log_reset();
	CHECK(!rtm__epoch_inside());
	rtm__epoch_enter();
	rtm__epoch_enter();
	CHECK(rtm__epoch_inside());
	rtm__epoch_exit();
	CHECK(rtm__epoch_inside());
	rtm__epoch_exit();
	CHECK(!rtm__epoch_inside());

	REQUIRE(reader_start(&r, 3) == 0);
	CHECK(r.inside_seen[0]);
	rtm__limbo_retire(&l, &o, on_free, NULL);
	atomic_store(&r.unnest, 1); /* two of three exits */
	CHECK(wait_flag(&r.unnested));
	CHECK(r.inside_seen[1]);
	rtm__limbo_poll(&l);
	CHECK_U(atomic_load(&o.freed), 0); /* still inside the outermost */
	reader_leave(&r);
	CHECK(!r.inside_seen[2]);
	rtm__limbo_poll(&l);
	CHECK_U(atomic_load(&o.freed), 1);
	reader_end(&r);
	rtm__limbo_flush(&l);
}

/* No limbo: freed at once, even with a reader inside; NULL p: nothing. */
static void test_retire_null_limbo(void)
{
	struct obj o = { .idx = 4 };
	int arg;
	struct reader r;
	log_reset();
	REQUIRE(reader_start(&r, 1) == 0);
	rtm__limbo_retire(NULL, &o, on_free, &arg);
	CHECK_U(atomic_load(&o.freed), 1);
	CHECK(freed_log.last_arg == &arg);
	struct rtm_limbo l = { 0 };
	rtm__limbo_retire(&l, NULL, on_free, NULL);
	rtm__limbo_retire(NULL, NULL, on_free, NULL);
	CHECK_U(l.pending, 0);
	CHECK(l.first == NULL);
	CHECK_U(atomic_load(&freed_log.n), 1);
	reader_end(&r);
	void *p = malloc(40);
	atomic_store(&heap_freed, 0);
	rtm__limbo_retire(NULL, p, free_heap, NULL);
	CHECK_U(atomic_load(&heap_freed), 1);
}

/* Flush frees everything, and the limbo's own blocks: nothing stays
 * allocated (LeakSanitizer checks at the end of the test under ASan), and
 * the limbo can be used again. */
static void test_flush_frees_all(void)
{
	enum { N = 600 }; /* more than two blocks */
	struct rtm_limbo l = { 0 };
	struct reader r;
	atomic_store(&heap_freed, 0);
	REQUIRE(reader_start(&r, 1) == 0);
	for (unsigned i = 0; i < N; i++) {
		unsigned *p = malloc(32);
		REQUIRE(p);
		*p = i;
		rtm__limbo_retire(&l, p, free_heap, NULL);
	}
	CHECK_U(atomic_load(&heap_freed), 0);
	CHECK_U(l.pending, N);
	CHECK(l.first != NULL && l.first != l.last);
	reader_leave(&r);
	rtm__limbo_flush(&l);
	CHECK_U(atomic_load(&heap_freed), N);
	CHECK_U(l.pending, 0);
	CHECK(l.first == NULL && l.last == NULL);

	/* Again: a limbo polled empty keeps one block, which flush frees too. */
	for (unsigned i = 0; i < 5; i++)
		rtm__limbo_retire(&l, malloc(16), free_heap, NULL);
	rtm__limbo_poll(&l);
	CHECK_U(atomic_load(&heap_freed), N + 5);
	CHECK_U(l.pending, 0);
	rtm__limbo_flush(&l);
	CHECK(l.first == NULL && l.last == NULL);
	/* And an empty limbo never allocated. */
	rtm__limbo_flush(&l);
	CHECK(l.first == NULL && l.last == NULL);
	reader_end(&r);
	CHECK_U(tl_leaks(), 0);
}

/* Flush while a reader is inside waits for it. */
static void *flusher(void *arg)
{
	struct rtm_limbo *l = arg;
	rtm__limbo_flush(l);
	return NULL;
}

static void test_flush_waits_for_reader(void)
{
	struct rtm_limbo l = { 0 };
	struct obj o = { .idx = 9 };
	struct reader r;
	log_reset();
	REQUIRE(reader_start(&r, 1) == 0);
	rtm__limbo_retire(&l, &o, on_free, NULL);
	pthread_t t;
	REQUIRE(pthread_create(&t, NULL, flusher, &l) == 0);
	sleep_ms(50);
	CHECK_U(atomic_load(&o.freed), 0);
	atomic_store(&r.leave, 1);
	pthread_join(t, NULL);
	CHECK(atomic_load(&r.leaving)); /* flush returned after the reader began to leave */
	CHECK_U(atomic_load(&o.freed), 1);
	CHECK(l.first == NULL && l.last == NULL);
	reader_end(&r);
}

/* More than a block's worth (254 records) retired while a reader holds them
 * all: every one waits, and all are freed once, oldest first, after. */
static struct obj many[1000];

static void test_many_blocks(void)
{
	enum { N = 1000 };
	struct rtm_limbo l = { 0 };
	struct reader r;
	log_reset();
	for (unsigned i = 0; i < N; i++) {
		many[i].idx = i;
		atomic_store(&many[i].freed, 0);
	}
	REQUIRE(reader_start(&r, 1) == 0);
	for (unsigned i = 0; i < N; i++)
		rtm__limbo_retire(&l, &many[i], on_free, NULL); /* polls every so often */
	CHECK_U(atomic_load(&freed_log.n), 0);
	CHECK_U(l.pending, N);
	CHECK(l.first != NULL && l.first != l.last); /* more than one block */
	reader_leave(&r);
	rtm__limbo_poll(&l);
	CHECK_U(atomic_load(&freed_log.n), N);
	CHECK_U(l.pending, 0);
	unsigned once = 0, in_order = 0;
	for (unsigned i = 0; i < N; i++) {
		once += atomic_load(&many[i].freed) == 1;
		in_order += freed_log.order[i] == i;
	}
	CHECK_U(once, N);
	CHECK_U(in_order, N);
	CHECK(l.first == l.last); /* one block kept for what comes next */
	/* Retiring on after a full drain: the kept block is reused. */
	struct obj extra[300];
	for (unsigned i = 0; i < 300; i++) {
		extra[i].idx = N + i;
		atomic_store(&extra[i].freed, 0);
		rtm__limbo_retire(&l, &extra[i], on_free, NULL);
	}
	rtm__limbo_flush(&l);
	unsigned extra_once = 0;
	for (unsigned i = 0; i < 300; i++)
		extra_once += atomic_load(&extra[i].freed) == 1;
	CHECK_U(extra_once, 300);
	CHECK_U(atomic_load(&freed_log.n), N + 300);
	CHECK(l.first == NULL && l.last == NULL);
	reader_end(&r);
}

/* With no reader, retire polls by itself: a writer that retires without
 * ever polling does not pile everything up. */
static void test_retire_polls_itself(void)
{
	enum { N = 1000 };
	struct rtm_limbo l = { 0 };
	log_reset();
	for (unsigned i = 0; i < N; i++) {
		many[i].idx = i;
		atomic_store(&many[i].freed, 0);
		rtm__limbo_retire(&l, &many[i], on_free, NULL);
	}
	CHECK(l.pending < N);
	CHECK_U(atomic_load(&freed_log.n) + l.pending, N);
	rtm__limbo_flush(&l);
	unsigned once = 0;
	for (unsigned i = 0; i < N; i++)
		once += atomic_load(&many[i].freed) == 1;
	CHECK_U(once, N);
}

/* synchronize returns at once without readers, and only after the readers
 * inside when it was called have left. */
static atomic_int sync_done;
static void *synchronizer(void *arg)
{
	(void)arg;
	rtm__epoch_synchronize();
	atomic_store(&sync_done, 1);
	return NULL;
}

static void test_synchronize(void)
{
	rtm__epoch_synchronize(); /* nobody inside: returns */
	struct reader a, b;
	REQUIRE(reader_start(&a, 1) == 0);
	REQUIRE(reader_start(&b, 2) == 0);
	atomic_store(&sync_done, 0);
	pthread_t t;
	REQUIRE(pthread_create(&t, NULL, synchronizer, NULL) == 0);
	sleep_ms(30);
	CHECK_U(atomic_load(&sync_done), 0);
	reader_leave(&a);
	sleep_ms(30);
	CHECK_U(atomic_load(&sync_done), 0); /* b is still inside */
	atomic_store(&b.unnest, 1);
	CHECK(wait_flag(&b.unnested));
	sleep_ms(30);
	CHECK_U(atomic_load(&sync_done), 0); /* b's outermost section still is */
	atomic_store(&b.leave, 1);
	CHECK(wait_flag(&sync_done));
	CHECK(atomic_load(&b.leaving));
	pthread_join(t, NULL);
	reader_end(&a);
	reader_end(&b);
	/* The readers' threads ended: their records read outside. */
	atomic_store(&sync_done, 0);
	REQUIRE(pthread_create(&t, NULL, synchronizer, NULL) == 0);
	CHECK(wait_flag(&sync_done));
	pthread_join(t, NULL);
}

/* More readers at once than the static records (64): records are made on
 * demand, each holds back what it may see, and ended threads' records are
 * taken over by new ones. */
enum { CROWD = 80 };
static struct reader crowd[CROWD];

static void test_many_readers(void)
{
	struct rtm_limbo l = { 0 };
	struct obj o = { .idx = 11 };
	log_reset();
	for (unsigned i = 0; i < CROWD; i++)
		REQUIRE(reader_start(&crowd[i], 1) == 0);
	rtm__limbo_retire(&l, &o, on_free, NULL);
	/* Let them go one by one: o waits until the last one is out. */
	for (unsigned i = 0; i < CROWD; i++) {
		rtm__limbo_poll(&l);
		CHECK_U(atomic_load(&o.freed), 0);
		reader_leave(&crowd[(i * 7) % CROWD]);
	}
	rtm__limbo_poll(&l);
	CHECK_U(atomic_load(&o.freed), 1);
	for (unsigned i = 0; i < CROWD; i++)
		reader_end(&crowd[i]);
	/* New threads take the ended ones' records and still count. */
	for (unsigned round = 0; round < 3; round++) {
		struct obj p = { .idx = 20 + round };
		struct reader r;
		REQUIRE(reader_start(&r, 1) == 0);
		rtm__limbo_retire(&l, &p, on_free, NULL);
		rtm__limbo_poll(&l);
		CHECK_U(atomic_load(&p.freed), 0);
		reader_leave(&r);
		rtm__limbo_poll(&l);
		CHECK_U(atomic_load(&p.freed), 1);
		reader_end(&r);
	}
	rtm__limbo_flush(&l);
}

/* Readers and a writer at full speed: an object is retired only after it
 * was unlinked, and a reader that finds it linked inside its section reads
 * it whole; the free callback poisons what it frees, so a reader that saw
 * a freed object counts a fault (and ASan / TSan see it). */
enum { SLOTS = 8, STRESS_WRITES = 20000, STRESS_READERS = 3 };
struct cell {
	atomic_uint value;
	atomic_uint magic; /* MAGIC while alive */
};
#define MAGIC 0x5eedu
static _Atomic(struct cell *) slots[SLOTS];
static atomic_int stress_stop;
static atomic_uint stress_faults, stress_reads;

static void cell_free(void *p, void *arg)
{
	(void)arg;
	struct cell *c = p;
	atomic_store_explicit(&c->magic, 0xdeadu, memory_order_relaxed);
	free(c);
}

static void *stress_reader(void *arg)
{
	(void)arg;
	unsigned k = 0;
	while (!atomic_load_explicit(&stress_stop, memory_order_relaxed)) {
		rtm__epoch_enter();
		for (unsigned i = 0; i < SLOTS; i++) {
			struct cell *c = atomic_load_explicit(&slots[(i + k) % SLOTS], memory_order_acquire);
			if (c && (atomic_load_explicit(&c->magic, memory_order_relaxed) != MAGIC ||
				  atomic_load_explicit(&c->value, memory_order_relaxed) % 3 != 0))
				atomic_fetch_add(&stress_faults, 1);
		}
		rtm__epoch_exit();
		atomic_fetch_add_explicit(&stress_reads, 1, memory_order_relaxed);
		k++;
	}
	return NULL;
}

static void test_stress(void)
{
	struct rtm_limbo l = { 0 };
	pthread_t t[STRESS_READERS];
	atomic_store(&stress_stop, 0);
	for (unsigned i = 0; i < SLOTS; i++) {
		struct cell *c = malloc(sizeof(*c));
		REQUIRE(c);
		atomic_init(&c->value, 0);
		atomic_init(&c->magic, MAGIC);
		atomic_store(&slots[i], c);
	}
	for (unsigned i = 0; i < STRESS_READERS; i++)
		REQUIRE(pthread_create(&t[i], NULL, stress_reader, NULL) == 0);
	for (unsigned w = 0; w < STRESS_WRITES; w++) {
		struct cell *c = malloc(sizeof(*c));
		REQUIRE(c);
		atomic_init(&c->value, 3 * w);
		atomic_init(&c->magic, MAGIC);
		struct cell *old = atomic_exchange_explicit(&slots[w % SLOTS], c, memory_order_acq_rel);
		rtm__limbo_retire(&l, old, cell_free, NULL);
		if (w % 1000 == 999)
			sched_yield();
	}
	/* The readers must have read at all (they may not have been scheduled
	 * yet on a busy machine); the test's deadline bounds the wait. */
	while (atomic_load(&stress_reads) < STRESS_READERS)
		sched_yield();
	atomic_store(&stress_stop, 1);
	for (unsigned i = 0; i < STRESS_READERS; i++)
		pthread_join(t[i], NULL);
	CHECK_U(atomic_load(&stress_faults), 0);
	CHECK(atomic_load(&stress_reads) > 0);
	for (unsigned i = 0; i < SLOTS; i++)
		rtm__limbo_retire(&l, atomic_exchange(&slots[i], NULL), cell_free, NULL);
	rtm__limbo_flush(&l);
	CHECK_U(l.pending, 0);
}

int main(void)
{
	RUN(test_retire_waits_for_reader);
	RUN(test_later_reader_does_not_hold);
	RUN(test_nesting);
	RUN(test_retire_null_limbo);
	RUN(test_flush_frees_all);
	RUN(test_flush_waits_for_reader);
	RUN(test_many_blocks);
	RUN(test_retire_polls_itself);
	RUN(test_synchronize);
	RUN(test_many_readers);
	RUN(test_stress);
	TEST_MAIN_END();
}
