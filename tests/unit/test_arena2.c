/*
 * test_arena2.c — arenas, continued (test_arena.c has the rest): foreach,
 * generations across fini, the limbo holding indexes, optimistic readers
 * racing a writer, and AddressSanitizer poisoning.
 */
#include "../arenatest.h"

struct visit {
	struct rtm_arena *a;
	uint32_t *seen;
	size_t n, cap;
	unsigned disorder;
	unsigned mode; /* 0: record; 1: kill + free the even ones; 2: kill the odd ones */
	uint32_t *freed;
	size_t nfreed;
};

static void visitor(struct rtm_obj *o, void *arg)
{
	struct visit *v = arg;
	if (v->n && o->slot <= v->seen[v->n - 1])
		v->disorder++;
	if (v->n < v->cap)
		v->seen[v->n] = o->slot;
	v->n++;
	if (o->type != v->a->type)
		v->disorder++;
	if (v->mode == 1 && o->slot % 2 == 0) {
		rtm__arena_kill(v->a, o);
		rtm__arena_free(v->a, o);
		v->freed[v->nfreed++] = o->slot;
	} else if (v->mode == 2 && o->slot % 2 == 1) {
		rtm__arena_kill(v->a, o);
	}
}

/* What test_foreach does with object i: 0 never published, 1 killed, 2
 * killed and freed, else live (index 0 and the last are live). */
static unsigned kind(uint32_t i)
{
	return (i + 3) % 5;
}

/* Exactly the live objects (not the unpublished, killed or freed ones), in
 * index order, across chunks; the callback may kill and free the one it is
 * given and the walk goes on. */
static void test_foreach(void)
{
	const uint32_t N = PER_CHUNK + 503; /* the last one live */
	struct rtm_arena a;
	rtm__arena_init(&a, 24, RTM_HT_DEST, NULL);
	struct rtm_obj **o = calloc(N, sizeof(*o));
	bool *live = calloc(N, sizeof(*live));
	uint32_t *seen = calloc(N, sizeof(*seen));
	uint32_t *freed = calloc(N, sizeof(*freed));
	REQUIRE(o && live && seen && freed);
	struct visit v = { .a = &a, .seen = seen, .cap = N, .freed = freed };
	rtm__arena_foreach(&a, visitor, &v); /* of an empty arena */
	CHECK_U(v.n, 0);

	for (uint32_t i = 0; i < N; i++) {
		o[i] = must_alloc(&a);
		REQUIRE(o[i]);
		CHECK_U(o[i]->slot, i);
	}
	size_t before = 0; /* freed before the walks */
	for (uint32_t i = 0; i < N; i++) {
		switch (kind(i)) {
		case 0: /* never published */
			break;
		case 1: /* killed, not freed */
			rtm__arena_publish(&a, o[i]);
			rtm__arena_kill(&a, o[i]);
			break;
		case 2: /* killed and freed */
			rtm__arena_publish(&a, o[i]);
			rtm__arena_kill(&a, o[i]);
			rtm__arena_free(&a, o[i]);
			o[i] = NULL;
			before++;
			break;
		default:
			rtm__arena_publish(&a, o[i]);
			live[i] = true;
		}
	}
	size_t nlive = 0;
	for (uint32_t i = 0; i < N; i++)
		nlive += live[i];
	CHECK_U(a.live, nlive);
	CHECK(live[0] && live[N - 1]); /* the ends are walked too */

	rtm__arena_foreach(&a, visitor, &v);
	CHECK_U(v.n, nlive);
	CHECK_U(v.disorder, 0);
	size_t k = 0;
	unsigned mismatch = 0;
	for (uint32_t i = 0; i < N && k <= v.n; i++)
		if (live[i])
			mismatch += k >= v.n || seen[k++] != i;
	CHECK_U(mismatch, 0);

	/* Kill and free the even ones during the walk: every live one is still
	 * visited once, in order. */
	v.n = 0;
	v.mode = 1;
	rtm__arena_foreach(&a, visitor, &v);
	CHECK_U(v.n, nlive);
	CHECK_U(v.disorder, 0);
	size_t killed = 0;
	for (uint32_t i = 0; i < N; i++)
		if (live[i] && i % 2 == 0) {
			CHECK(not_found(&a, i, o[i]->gen));
			live[i] = false;
			o[i] = NULL;
			killed++;
		}
	CHECK_U(v.nfreed, killed);
	CHECK_U(a.live, nlive - killed);
	nlive -= killed;

	/* Kill the odd ones: visited once, then gone from the next walk. */
	v.n = 0;
	v.mode = 2;
	rtm__arena_foreach(&a, visitor, &v);
	CHECK_U(v.n, nlive);
	CHECK_U(a.live, 0);
	v.n = 0;
	v.mode = 0;
	rtm__arena_foreach(&a, visitor, &v);
	CHECK_U(v.n, 0);

	/* The indexes freed in the walk come back in that order (after the
	 * ones freed before it). */
	uint32_t next = a.next;
	struct rtm_obj **again = calloc(before + v.nfreed, sizeof(*again));
	REQUIRE(again);
	unsigned order = 0;
	for (size_t j = 0; j < before + v.nfreed; j++) {
		again[j] = must_alloc(&a);
		REQUIRE(again[j]);
		if (j < before)
			order += kind(again[j]->slot) != 2;
		else
			order += again[j]->slot != freed[j - before];
	}
	CHECK_U(order, 0);
	CHECK_U(a.next, next);
	release_all(&a, again, before + v.nfreed, false);
	for (uint32_t i = 0; i < N; i++)
		if (o[i])
			rtm__arena_free(&a, o[i]);
	CHECK_U(a.in_use, 0);
	rtm__arena_fini(&a);
	free(again);
	free(o);
	free(live);
	free(seen);
	free(freed);
}

/* ---- fini -------------------------------------------------------------------------------- */

/* fini unmaps everything; objects after it get generations greater than any
 * handed out before, so every handle of before stays stale, round after
 * round; size, type and limbo are kept. */
static void test_fini_generations(void)
{
	const uint32_t N = PER_CHUNK + 100; /* two chunks */
	struct rtm_limbo l = { 0 };
	struct rtm_arena a;
	rtm__arena_init(&a, 32, RTM_HT_ROUTE, &l);
	struct rtm_obj **o = calloc(N, sizeof(*o));
	REQUIRE(o);
	enum { ROUNDS = 3, MAX_OLD = 4 * (PER_CHUNK + 100) * ROUNDS };
	struct handle {
		uint32_t index, gen;
	} *old = calloc(MAX_OLD, sizeof(*old));
	REQUIRE(old);
	size_t nold = 0;
	uint32_t max_before = 0;
	for (unsigned round = 0; round < ROUNDS; round++) {
		unsigned low = 0, stale = 0;
		for (uint32_t i = 0; i < N; i++) {
			o[i] = must_alloc(&a);
			REQUIRE(o[i]);
			low += o[i]->gen <= max_before;
			rtm__arena_publish(&a, o[i]);
		}
		/* Some go round a few times, to push their generations up. */
		for (unsigned turn = 0; turn < 1 + round; turn++)
			for (uint32_t i = 0; i < N; i += 7) {
				old[nold++] = (struct handle){ i, o[i]->gen };
				rtm__arena_kill(&a, o[i]);
				rtm__arena_free(&a, o[i]);
				o[i] = must_alloc(&a);
				REQUIRE(o[i]);
				low += o[i]->gen <= max_before;
				rtm__arena_publish(&a, o[i]);
			}
		CHECK_U(low, 0);
		/* Every handle of before (earlier rounds, and this one's
		 * recycled ones) is stale now that the indexes are in use again. */
		for (size_t k = 0; k < nold; k++)
			stale += !not_found(&a, old[k].index, old[k].gen);
		CHECK_U(stale, 0);
		for (uint32_t i = 0; i < N; i++) {
			old[nold++] = (struct handle){ i, o[i]->gen };
			if (o[i]->gen > max_before)
				max_before = o[i]->gen;
		}
		CHECK(a.max_gen >= max_before);
		release_all(&a, o, N, true);
		rtm__limbo_flush(&l);
		CHECK_U(a.in_use, 0);
		rtm__arena_fini(&a);
		CHECK_U(a.pool.mapped, 0);
		CHECK_U(a.pool.nchunks, 0);
		CHECK(a.pool.chunks == NULL);
		CHECK_U(a.next, 0);
		CHECK_U(a.live, 0);
		CHECK_U(a.in_use, 0);
		CHECK_U(a.pool.size, 32);
		CHECK_U(a.type, RTM_HT_ROUTE);
		CHECK(a.pool.limbo == &l);
		CHECK(a.gen_floor > max_before);
		for (size_t k = 0; k < nold; k++)
			stale += !not_found(&a, old[k].index, old[k].gen);
		CHECK_U(stale, 0);
	}
	/* fini of an arena that has nothing mapped moves nothing backwards. */
	uint32_t floor = a.gen_floor;
	rtm__arena_fini(&a);
	CHECK(a.gen_floor >= floor);
	struct rtm_obj *x = must_alloc(&a);
	REQUIRE(x);
	CHECK(x->gen > max_before);
	rtm__arena_free(&a, x);
	rtm__arena_fini(&a);
	free(o);
	free(old);
}

/* ---- through a limbo, with readers ------------------------------------------------ */

struct holder {
	pthread_t thread;
	struct rtm_arena *a;
	atomic_int inside, leave, left, finish;
	/* What the reader checks from inside its section, told by the test. */
	atomic_int check;  /* 1: check the handles below */
	atomic_int checked;
	const struct rtm_obj *const *objs;
	const uint32_t *gens;
	const uint32_t *idx;
	unsigned n;
	size_t size;
	atomic_uint bad;
};

static void *holder_main(void *arg)
{
	struct holder *h = arg;
	rtm__epoch_enter();
	atomic_store(&h->inside, 1);
	if (wait_flag(&h->check)) {
		/* The killed objects: unfindable, their memory still whole. */
		for (unsigned k = 0; k < h->n; k++) {
			const struct rtm_obj *o = h->objs[k];
			if (rtm__arena_lookup_optimistic(h->a, h->idx[k], h->gens[k]) ||
			    !intact(o, h->size, h->idx[k], h->gens[k]))
				atomic_fetch_add(&h->bad, 1);
		}
		atomic_store(&h->checked, 1);
	}
	wait_flag(&h->leave);
	rtm__epoch_exit();
	atomic_store(&h->left, 1);
	wait_flag(&h->finish);
	return NULL;
}

/* Objects retired through the limbo (rtm__arena_free_cb) keep their indexes
 * while a reader that entered before the retire is inside: allocs take
 * fresh indexes meanwhile, and the reader still finds the memory whole.
 * Once it has left, a poll frees them, and the next allocs get their
 * indexes, in retire order, with gen + 1. */
static void test_limbo_holds_indexes(void)
{
	enum { N = 12, K = 4 };
	struct rtm_limbo l = { 0 };
	struct rtm_arena a;
	rtm__arena_init(&a, 56, RTM_HT_ROUTE, &l);
	struct rtm_obj *o[N];
	uint32_t gen[N];
	REQUIRE(alloc_published(&a, o, gen, N));
	static struct holder h;
	memset(&h, 0, sizeof(h));
	h.a = &a;
	h.size = a.pool.size;
	REQUIRE(pthread_create(&h.thread, NULL, holder_main, &h) == 0);
	REQUIRE(wait_flag(&h.inside));

	const unsigned which[K] = { 9, 2, 5, 7 };
	const struct rtm_obj *ko[K];
	uint32_t kg[K], ki[K];
	for (unsigned k = 0; k < K; k++) {
		unsigned i = which[k];
		ko[k] = o[i];
		kg[k] = gen[i];
		ki[k] = i;
		rtm__arena_kill(&a, o[i]);
		rtm__limbo_retire(&l, o[i], rtm__arena_free_cb, &a);
		CHECK(not_found(&a, i, gen[i]));
		o[i] = NULL;
	}
	h.objs = ko;
	h.gens = kg;
	h.idx = ki;
	h.n = K;
	CHECK_U(a.in_use, N);
	CHECK_U(a.live, N - K);
	for (int t = 0; t < 5; t++) {
		rtm__limbo_poll(&l);
		sleep_ms(2);
	}
	CHECK_U(a.in_use, N); /* held back by the reader */
	CHECK_U(l.pending, K);
	/* Meanwhile allocs take fresh indexes. */
	struct rtm_obj *mid[3];
	for (unsigned j = 0; j < 3; j++) {
		mid[j] = must_alloc(&a);
		REQUIRE(mid[j]);
		CHECK_U(mid[j]->slot, N + j);
	}
	atomic_store(&h.check, 1);
	CHECK(wait_flag(&h.checked));
	CHECK_U(atomic_load(&h.bad), 0);

	reader_leaves(&h.leave, &h.left, &l);
	CHECK_U(a.in_use, N - K + 3);
	for (unsigned k = 0; k < K; k++) {
		struct rtm_obj *n = must_alloc(&a);
		REQUIRE(n);
		CHECK_U(n->slot, which[k]);
		CHECK_U(n->gen, kg[k] + 1);
		CHECK(fresh(n, a.pool.size));
		o[which[k]] = n;
	}
	CHECK_U(a.next, N + 3);
	atomic_store(&h.finish, 1);
	pthread_join(h.thread, NULL);

	/* The same retired with nobody inside: freed by the poll (or flush). */
	rtm__arena_publish(&a, o[2]);
	rtm__arena_kill(&a, o[2]);
	rtm__limbo_retire(&l, o[2], rtm__arena_free_cb, &a);
	o[2] = NULL;
	rtm__limbo_flush(&l);
	CHECK_U(a.in_use, N + 3 - 1);
	for (unsigned j = 0; j < 3; j++)
		rtm__arena_free(&a, mid[j]);
	for (unsigned i = 0; i < N; i++) {
		if (!o[i])
			continue;
		if (o[i]->type)
			rtm__arena_kill(&a, o[i]);
		rtm__arena_free(&a, o[i]);
	}
	CHECK_U(a.in_use, 0);
	CHECK_U(a.live, 0);
	rtm__arena_fini(&a);
}

/* Readers doing optimistic lookups while the writer grows the arena past
 * its first chunk array (replaced, the old one retired) and recycles
 * objects through the limbo.  A stable object is always found, where it
 * was, whole; a handle known dead is never found; any hit is the object
 * the handle was made for. */
enum { STABLE = 64, MT_READERS = 2 };
#define MT_OBJECTS (16u * PER_CHUNK) /* a third of them recycled: enough for 10 chunks */

struct mt_handle {
	atomic_uint index, gen;
	_Atomic(struct rtm_obj *) ptr;
	atomic_int dead;
};

static struct mt_handle mt_h[MT_OBJECTS + STABLE];
static atomic_uint mt_count;
static atomic_int mt_stop;
static atomic_uint mt_bad_stable, mt_found_dead, mt_wrong_hit, mt_lookups;
static struct rtm_arena mt_arena;

static void *mt_reader(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg * 2654435761u + 1;
	const size_t size = mt_arena.pool.size; /* set before the thread started */
	while (!atomic_load_explicit(&mt_stop, memory_order_acquire)) {
		rtm__epoch_enter();
		unsigned n = atomic_load_explicit(&mt_count, memory_order_acquire);
		for (unsigned j = 0; j < 64 && n; j++) {
			seed = seed * 1103515245u + 12345u;
			unsigned k = j < 8 ? (seed >> 8) % STABLE : (seed >> 8) % n;
			if (k >= n)
				continue;
			struct mt_handle *h = &mt_h[k];
			uint32_t index = atomic_load_explicit(&h->index, memory_order_relaxed);
			uint32_t gen = atomic_load_explicit(&h->gen, memory_order_relaxed);
			struct rtm_obj *ptr = atomic_load_explicit(&h->ptr, memory_order_relaxed);
			int dead = atomic_load_explicit(&h->dead, memory_order_acquire);
			struct rtm_obj *o = rtm__arena_lookup_optimistic(&mt_arena, index, gen);
			if (k < STABLE) {
				if (o != ptr || !intact(o, size, index, gen))
					atomic_fetch_add(&mt_bad_stable, 1);
			} else if (dead && o) {
				atomic_fetch_add(&mt_found_dead, 1);
			} else if (o && o != ptr) {
				atomic_fetch_add(&mt_wrong_hit, 1);
			}
		}
		rtm__epoch_exit();
		atomic_fetch_add_explicit(&mt_lookups, 1, memory_order_relaxed);
	}
	return NULL;
}

/* Allocates, fills and publishes object k, and notes its handle. */
static void mt_add(unsigned k, struct rtm_obj **out)
{
	struct rtm_obj *o;
	REQUIRE(rtm__arena_alloc(&mt_arena, &o) == 0);
	*out = o;
	fill(o, mt_arena.pool.size);
	rtm__arena_publish(&mt_arena, o);
	atomic_store_explicit(&mt_h[k].index, o->slot, memory_order_relaxed);
	atomic_store_explicit(&mt_h[k].gen, o->gen, memory_order_relaxed);
	atomic_store_explicit(&mt_h[k].ptr, o, memory_order_relaxed);
}

static void test_optimistic_readers(void)
{
	struct rtm_limbo l = { 0 };
	rtm__arena_init(&mt_arena, 32, RTM_HT_DEST, &l);
	atomic_store(&mt_count, 0);
	atomic_store(&mt_stop, 0);
	struct rtm_obj *o;
	for (unsigned k = 0; k < STABLE; k++) {
		mt_add(k, &o);
		atomic_store_explicit(&mt_count, k + 1, memory_order_release);
	}
	pthread_t t[MT_READERS];
	for (unsigned i = 0; i < MT_READERS; i++)
		REQUIRE(pthread_create(&t[i], NULL, mt_reader, (void *)(uintptr_t)i) == 0);
	/* Until the arena has more chunks than its first chunk array holds;
	 * every 3rd object is killed and retired a little later, so its index
	 * comes back with a new generation. */
	unsigned k = STABLE;
	char **first_array = mt_arena.pool.chunks;
	unsigned retired = 0;
	while (mt_arena.pool.nchunks <= 9 && k < MT_OBJECTS + STABLE) {
		mt_add(k, &o);
		atomic_store_explicit(&mt_h[k].dead, 0, memory_order_relaxed);
		atomic_store_explicit(&mt_count, k + 1, memory_order_release);
		if (k >= STABLE + 5 && (k - 5) % 3 == 0) {
			struct mt_handle *h = &mt_h[k - 5];
			struct rtm_obj *v = atomic_load_explicit(&h->ptr, memory_order_relaxed);
			rtm__arena_kill(&mt_arena, v);
			atomic_store_explicit(&h->dead, 1, memory_order_release);
			rtm__limbo_retire(&l, v, rtm__arena_free_cb, &mt_arena);
			retired++;
		}
		if (k % 4096 == 0)
			sched_yield();
		k++;
	}
	/* Let the readers run on a little over the full arena. */
	unsigned lookups = atomic_load(&mt_lookups);
	for (unsigned i = 0; i < 2000 && atomic_load(&mt_lookups) < lookups + 200; i++)
		sleep_ms(1);
	atomic_store_explicit(&mt_stop, 1, memory_order_release);
	for (unsigned i = 0; i < MT_READERS; i++)
		pthread_join(t[i], NULL);
	CHECK(mt_arena.pool.nchunks >= 10);
	CHECK(mt_arena.pool.chunks != first_array);
	CHECK(retired > 1000);
	CHECK(mt_arena.next < k); /* indexes were reused */
	CHECK_U(atomic_load(&mt_bad_stable), 0);
	CHECK_U(atomic_load(&mt_found_dead), 0);
	CHECK_U(atomic_load(&mt_wrong_hit), 0);
	CHECK(atomic_load(&mt_lookups) > 0);

	rtm__limbo_flush(&l);
	CHECK_U(mt_arena.in_use, k - retired);
	for (unsigned j = 0; j < k; j++)
		if (!atomic_load(&mt_h[j].dead)) {
			struct rtm_obj *v = atomic_load(&mt_h[j].ptr);
			rtm__arena_kill(&mt_arena, v);
			rtm__arena_free(&mt_arena, v);
		}
	arena_done(&mt_arena);
}

/* ---- AddressSanitizer ------------------------------------------------------------------- */

/* Free objects are poisoned past their 24-byte header, which stays
 * readable; allocated (and killed, not yet freed) ones are not poisoned;
 * memory of a chunk never handed out is.  Checked by asking ASan, not by
 * touching. */
static void test_asan_poisoning(void)
{
#ifdef TL_ASAN
	struct rtm_arena a;
	rtm__arena_init(&a, 64, RTM_HT_ROUTE, NULL);
	const size_t size = a.pool.size;
	struct rtm_obj *o[3];
	for (unsigned i = 0; i < 3; i++) {
		o[i] = must_alloc(&a);
		REQUIRE(o[i]);
		CHECK(__asan_region_is_poisoned(o[i], size) == NULL);
	}
	/* The object after the last handed out: not ours yet. */
	char *beyond = (char *)o[2] + size;
	CHECK(__asan_address_is_poisoned(beyond));
	CHECK(__asan_address_is_poisoned(beyond + HEADER));

	rtm__arena_publish(&a, o[1]);
	rtm__arena_kill(&a, o[1]);
	CHECK(__asan_region_is_poisoned(o[1], size) == NULL); /* killed: still readable */
	rtm__arena_free(&a, o[1]);
	char *b = (char *)o[1];
	CHECK(__asan_region_is_poisoned(b, HEADER) == NULL);
	unsigned unpoisoned = 0;
	for (size_t k = HEADER; k < size; k++)
		unpoisoned += !__asan_address_is_poisoned(b + k);
	CHECK_U(unpoisoned, 0);
	/* Its neighbours are not touched by it. */
	CHECK(__asan_region_is_poisoned(o[0], size) == NULL);
	CHECK(__asan_region_is_poisoned(o[2], size) == NULL);

	/* Back from the free list: all of it ours again. */
	struct rtm_obj *n = must_alloc(&a);
	REQUIRE(n);
	CHECK((void *)n == (void *)o[1]);
	CHECK(__asan_region_is_poisoned(n, size) == NULL);
	o[1] = n;
	for (unsigned i = 0; i < 3; i++)
		rtm__arena_free(&a, o[i]);
	for (unsigned i = 0; i < 3; i++) {
		CHECK(__asan_region_is_poisoned(o[i], HEADER) == NULL);
		CHECK(__asan_address_is_poisoned((char *)o[i] + HEADER));
		CHECK(__asan_address_is_poisoned((char *)o[i] + size - 1));
	}
	rtm__arena_fini(&a);

	/* The smallest objects: nothing past the header to poison. */
	rtm__arena_init(&a, 24, RTM_HT_ROUTE, NULL);
	struct rtm_obj *s = must_alloc(&a), *t = must_alloc(&a);
	REQUIRE(s && t);
	rtm__arena_free(&a, s);
	CHECK(__asan_region_is_poisoned(s, 24) == NULL);
	CHECK(__asan_region_is_poisoned(t, 24) == NULL);
	rtm__arena_free(&a, t);
	rtm__arena_fini(&a);
#else
	fprintf(stderr, "  (not an ASan build: poisoning not checked)\n");
#endif
}

int main(void)
{
	RUN(test_foreach);
	RUN(test_fini_generations);
	RUN(test_limbo_holds_indexes);
	RUN(test_optimistic_readers);
	RUN(test_asan_poisoning);
	TEST_MAIN_END();
}
