/*
 * epoch.c — epoch-based reclamation (epoch.h).
 *
 * Each thread that enters a section owns a record, a cache line of its own
 * holding `active`: 0 outside a section, else the global epoch the thread saw
 * when it entered.  Records are never freed; a thread gives its record back
 * when it ends and the next new thread takes it over.
 *
 * retire tags what it is given with the global epoch t read at that moment
 * (after the writer unlinked it).  A reader whose `active` is greater than t
 * read the global epoch after it had moved past t, so after the unlink: it
 * cannot reach the object.  A reader with active <= t may have, and one with
 * active 0 is outside.  So the object may go once every record reads 0 or
 * more than t.  Polls move the global epoch on (so that new readers enter
 * with a greater one) and free the oldest retired objects that qualify;
 * retired objects wait in FIFO blocks, oldest first.
 *
 * Ordering: a reader's enter is an atomic exchange (seq_cst, a full fence)
 * before it reads anything; a writer's scan loads the records (seq_cst)
 * after its unlink and its epoch increment.  If the scan misses a reader's
 * enter, that reader's loads come after the unlink in the single total
 * order and cannot find the object.
 */
#include "epoch.h"

#include <assert.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#define TLS __attribute__((tls_model("initial-exec")))

struct rec {
	_Alignas(64) atomic_ullong active; /* 0, or the epoch entered in */
	atomic_int in_use;                  /* a thread owns it */
	struct rec *next;                   /* the list of all records (never shrinks) */
};

enum { STATIC_RECS = 64, BLOCK_ITEMS = 254, POLL_EVERY = 128 };

static struct rec static_recs[STATIC_RECS];
static _Atomic(struct rec *) recs;     /* every record handed out at least once */
static atomic_uint static_used;        /* static records handed out so far */
static atomic_ullong global_epoch = 1;

static TLS _Thread_local struct rec *my_rec;
static TLS _Thread_local unsigned depth;

static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t key;

static void rec_give_back(void *p)
{
	struct rec *r = p;
	atomic_store_explicit(&r->active, 0, memory_order_release);
	atomic_store_explicit(&r->in_use, 0, memory_order_release);
}

static void make_key(void)
{
	(void)pthread_key_create(&key, rec_give_back);
}

static void rec_publish(struct rec *r)
{
	struct rec *head = atomic_load_explicit(&recs, memory_order_relaxed);
	do
		r->next = head;
	while (!atomic_compare_exchange_weak_explicit(&recs, &head, r, memory_order_release,
						      memory_order_relaxed));
}

/* A record no thread owns, now owned by this one; NULL if none. */
static struct rec *rec_take_free(void)
{
	for (struct rec *r = atomic_load_explicit(&recs, memory_order_acquire); r; r = r->next) {
		int expected = 0;
		if (atomic_load_explicit(&r->in_use, memory_order_relaxed) == 0 &&
		    atomic_compare_exchange_strong_explicit(&r->in_use, &expected, 1, memory_order_acquire,
							    memory_order_relaxed))
			return r;
	}
	return NULL;
}

/* A record never handed out before, owned by this thread and listed; NULL
 * when there is no memory for one. */
static struct rec *rec_new(void)
{
	struct rec *r = NULL;
	unsigned i = atomic_fetch_add_explicit(&static_used, 1, memory_order_relaxed);
	if (i < STATIC_RECS) {
		r = &static_recs[i];
	} else {
		void *p = NULL;
		if (posix_memalign(&p, 64, sizeof(struct rec)) != 0)
			return NULL;
		r = p;
		atomic_init(&r->active, 0);
	}
	atomic_store_explicit(&r->in_use, 1, memory_order_relaxed);
	rec_publish(r);
	return r;
}

/* This thread's record: a free one taken over, or a new one.  With no
 * memory for one, it waits for a thread to end. */
static struct rec *rec_get(void)
{
	pthread_once(&key_once, make_key);
	struct rec *r;
	while (!(r = rec_take_free()) && !(r = rec_new()))
		sched_yield();
	my_rec = r;
	(void)pthread_setspecific(key, r);
	return r;
}

void rtm__epoch_enter(void)
{
	if (depth++)
		return;
	struct rec *r = my_rec;
	if (__builtin_expect(!r, 0))
		r = rec_get();
	unsigned long long e = atomic_load_explicit(&global_epoch, memory_order_acquire);
	(void)atomic_exchange_explicit(&r->active, e, memory_order_seq_cst);
}

void rtm__epoch_exit(void)
{
	assert(depth > 0);
	if (--depth)
		return;
	atomic_store_explicit(&my_rec->active, 0, memory_order_release);
}

bool rtm__epoch_inside(void)
{
	return depth != 0;
}

/* ---- retired memory ------------------------------------------------------- */

struct item {
	void *p;
	void (*fn)(void *p, void *arg);
	void *arg;
	unsigned long long t;
};

struct rtm_limbo_block {
	struct rtm_limbo_block *next;
	unsigned head, tail; /* items [head, tail) wait */
	struct item it[BLOCK_ITEMS];
};

/* The smallest epoch a reader is in, or ULLONG_MAX when none is. */
static unsigned long long min_active(void)
{
	unsigned long long m = ~0ull;
	for (struct rec *r = atomic_load_explicit(&recs, memory_order_acquire); r; r = r->next) {
		unsigned long long a = atomic_load_explicit(&r->active, memory_order_seq_cst);
		if (a && a < m)
			m = a;
	}
	return m;
}

/* Frees the items retired before epoch `below`. */
static void free_before(struct rtm_limbo *l, unsigned long long below)
{
	while (l->first) {
		struct rtm_limbo_block *b = l->first;
		while (b->head < b->tail && b->it[b->head].t < below) {
			struct item *it = &b->it[b->head++];
			it->fn(it->p, it->arg);
			l->pending--;
		}
		if (b->head < b->tail)
			return;
		if (b == l->last) {
			b->head = b->tail = 0; /* kept for what comes next */
			return;
		}
		l->first = b->next;
		free(b);
	}
}

/* Moves the epoch on and waits for every section entered at epoch <= t. */
static void wait_readers(unsigned long long t)
{
	atomic_fetch_add_explicit(&global_epoch, 1, memory_order_seq_cst);
	while (min_active() <= t)
		sched_yield();
}

void rtm__epoch_synchronize(void)
{
	assert(depth == 0);
	wait_readers(atomic_load_explicit(&global_epoch, memory_order_seq_cst));
}

void rtm__limbo_poll(struct rtm_limbo *l)
{
	if (!l->pending)
		return;
	atomic_fetch_add_explicit(&global_epoch, 1, memory_order_seq_cst);
	free_before(l, min_active());
}

void rtm__limbo_flush(struct rtm_limbo *l)
{
	if (l->pending) {
		rtm__epoch_synchronize();
		free_before(l, ~0ull);
	}
	free(l->first); /* the one block kept, empty */
	l->first = l->last = NULL;
}

void rtm__limbo_retire(struct rtm_limbo *l, void *p, void (*fn)(void *p, void *arg), void *arg)
{
	if (!p)
		return;
	assert(depth == 0);
	if (!l) {
		fn(p, arg);
		return;
	}
	unsigned long long t = atomic_load_explicit(&global_epoch, memory_order_seq_cst);
	if (!l->last || l->last->tail == BLOCK_ITEMS) {
		struct rtm_limbo_block *b = malloc(sizeof(*b));
		if (!b) {
			/* Nowhere to keep it: wait until no reader can see it. */
			wait_readers(t);
			free_before(l, ~0ull);
			fn(p, arg);
			return;
		}
		b->next = NULL;
		b->head = b->tail = 0;
		if (l->last)
			l->last->next = b;
		else
			l->first = b;
		l->last = b;
	}
	l->last->it[l->last->tail++] = (struct item){ p, fn, arg, t };
	l->pending++;
	if (++l->since_poll >= POLL_EVERY) {
		l->since_poll = 0;
		rtm__limbo_poll(l);
	}
}
