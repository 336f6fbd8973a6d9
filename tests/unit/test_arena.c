/*
 * test_arena.c — arenas, objects that are their own handle table
 * (base/arena.c), alone.
 *
 * Links base/ and table/ only (the Makefile's unit rule).  What arena.h
 * promises, checked from the outside wherever the header lets us:
 *
 *   - alloc hands out zeroed objects with distinct indexes (obj.slot is the
 *     index), a generation >= 1, not findable until published; published,
 *     (index, gen) finds them with and without the lock, and nothing else
 *     does (wrong generation, wrong index, index never handed out);
 *   - kill makes an object unfindable at once, its memory stays until free;
 *     free queues its index at the tail of a FIFO, reused with gen + 1 only
 *     after every other free index; a stale handle never finds what is now
 *     at its index;
 *   - growth across chunks keeps every object where it was and whole; the
 *     chunks from the second on are 2 MiB-aligned, the pages ahead of use
 *     are made in growing windows;
 *   - a failed alloc (fault injection, alloc.h) changes nothing, at the
 *     free list, at fresh memory, at a chunk boundary and where the chunk
 *     array grows;
 *   - foreach visits exactly the live objects in index order, and its
 *     callback may kill and free the object it is given;
 *   - fini unmaps everything, and generations go on past it: every handle
 *     of before stays stale;
 *   - through a limbo, a retired object's index waits for the readers that
 *     may still see it; optimistic lookups from reader threads while the
 *     writer grows the arena (and replaces its chunk array) and recycles
 *     objects find what they must and never what they must not;
 *   - under ASan, free objects are poisoned past their 24-byte header.
 *
 * Every wait on another thread is bounded (WAIT_MS); testlib's deadline
 * (TL_TIMEOUT_S) ends anything else.
 */
#include "../arenatest.h"

static void test_init_sizes(void)
{
	static const struct {
		size_t asked, got;
	} cases[] = { { 1, 24 }, { 20, 24 }, { 24, 24 }, { 25, 32 }, { 60, 64 }, { 64, 64 }, { 100, 104 } };
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rtm_arena a;
		rtm__arena_init(&a, cases[i].asked, RTM_HT_ROUTE, NULL);
		CHECK_U(a.pool.size, cases[i].got);
		CHECK_U(a.type, RTM_HT_ROUTE);
		CHECK_U(a.pool.mapped, 0);
		CHECK_U(a.pool.nchunks, 0);
		CHECK_U(a.next, 0);
		CHECK_U(a.live, 0);
		CHECK_U(a.in_use, 0);
		CHECK(not_found(&a, 0, 1));
		CHECK(not_found(&a, 0, 0));
		rtm__arena_fini(&a); /* of an arena that never mapped anything */
		CHECK_U(a.pool.mapped, 0);
		CHECK_U(a.pool.size, cases[i].got);
	}
}

/* alloc: zeroed, distinct indexes (slot == index, in order on a new arena),
 * gen >= 1, not findable until published; published, found by (index, gen)
 * with both lookups and by nothing else; the counts follow. */
static void test_alloc_publish_lookup(void)
{
	enum { N = 300 };
	struct rtm_arena a;
	rtm__arena_init(&a, 60, RTM_HT_DEST, NULL);
	const size_t size = a.pool.size;
	struct rtm_obj *o[N];
	uint32_t gen[N];
	for (unsigned i = 0; i < N; i++) {
		o[i] = must_alloc(&a);
		REQUIRE(o[i]);
		CHECK_U(o[i]->slot, i);
		CHECK(o[i]->gen >= 1);
		CHECK(fresh(o[i], size));
		CHECK(((uintptr_t)o[i] & 7u) == 0);
		gen[i] = o[i]->gen;
		CHECK_U(a.in_use, i + 1);
		CHECK_U(a.next, i + 1);
		CHECK_U(a.live, 0);
		CHECK(not_found(&a, i, gen[i])); /* not published yet */
	}
	CHECK(a.pool.mapped > 0);
	/* Objects of one chunk lie size apart: distinct, never overlapping. */
	for (unsigned i = 1; i < N; i++)
		CHECK((char *)o[i] - (char *)o[i - 1] == (ptrdiff_t)size);

	for (unsigned i = 0; i < N; i++) {
		fill(o[i], size);
		rtm__arena_publish(&a, o[i]);
		CHECK_U(a.live, i + 1);
		CHECK_U(o[i]->type, RTM_HT_DEST);
	}
	CHECK_U(a.in_use, N);
	for (unsigned i = 0; i < N; i++) {
		CHECK(found(&a, o[i], i, gen[i]));
		CHECK(not_found(&a, i, gen[i] + 1));
		CHECK(not_found(&a, i, gen[i] - 1));
		CHECK(not_found(&a, i, gen[i] + 0x10000u));
		CHECK(intact(o[i], size, i, gen[i]));
	}
	/* Indexes never handed out. */
	CHECK(not_found(&a, N, gen[0]));
	CHECK(not_found(&a, N + 1, gen[0]));
	CHECK(not_found(&a, PER_CHUNK, gen[0]));
	CHECK(not_found(&a, 5 * PER_CHUNK + 3, gen[0]));
	CHECK(not_found(&a, RTM_HANDLE_SLOT_MAX, gen[0]));
	CHECK(not_found(&a, UINT32_MAX, gen[0]));

	/* The wrong index with a generation that is right elsewhere: index 0
	 * goes round once (gen + 1); (1, gen of 0) and (0, gen of 1) name
	 * nothing. */
	rtm__arena_kill(&a, o[0]);
	rtm__arena_free(&a, o[0]);
	o[0] = must_alloc(&a);
	REQUIRE(o[0]);
	CHECK_U(o[0]->slot, 0); /* the only free index */
	CHECK_U(o[0]->gen, gen[0] + 1);
	gen[0] = o[0]->gen;
	rtm__arena_publish(&a, o[0]);
	CHECK(gen[0] != gen[1]);
	CHECK(found(&a, o[0], 0, gen[0]));
	CHECK(not_found(&a, 1, gen[0]));
	CHECK(not_found(&a, 0, gen[1]));
	CHECK(found(&a, o[1], 1, gen[1]));

	/* An object published in an arena of another type is not one of ours. */
	struct rtm_arena b;
	rtm__arena_init(&b, 60, RTM_HT_ROUTE, NULL);
	struct rtm_obj *x = must_alloc(&b);
	REQUIRE(x);
	rtm__arena_publish(&b, x);
	CHECK_U(x->type, RTM_HT_ROUTE);
	CHECK(found(&b, x, 0, x->gen));
	rtm__arena_kill(&b, x);
	rtm__arena_free(&b, x);
	rtm__arena_fini(&b);

	release_all(&a, o, N, true);
	CHECK_U(a.live, 0);
	CHECK_U(a.in_use, 0);
	rtm__arena_fini(&a);
	CHECK_U(a.pool.mapped, 0);
}

/* kill: unfindable at once (both lookups), the memory still there; free:
 * the index goes to the tail of the FIFO.  Freed A, B, C (not in index
 * order): the next allocs get A, B, C, each with gen + 1, zeroed; then
 * fresh indexes.  Interleaved frees and allocs keep the order too, and an
 * object never published may be freed. */
static void test_kill_free_fifo(void)
{
	enum { N = 10 };
	struct rtm_arena a;
	rtm__arena_init(&a, 48, RTM_HT_ROUTE, NULL);
	const size_t size = a.pool.size;
	struct rtm_obj *o[N];
	uint32_t gen[N];
	REQUIRE(alloc_published(&a, o, gen, N));

	const unsigned A = 6, B = 2, C = 8;
	rtm__arena_kill(&a, o[A]);
	CHECK(not_found(&a, A, gen[A]));
	CHECK_U(a.live, N - 1);
	CHECK_U(a.in_use, N);
	CHECK(intact(o[A], size, A, gen[A])); /* killed, not freed: readable */
	CHECK_U(o[A]->slot, A);
	CHECK_U(o[A]->gen, gen[A]);
	rtm__arena_kill(&a, o[B]);
	rtm__arena_kill(&a, o[C]);
	CHECK(not_found(&a, B, gen[B]) && not_found(&a, C, gen[C]));
	CHECK(intact(o[B], size, B, gen[B]) && intact(o[C], size, C, gen[C]));
	CHECK_U(a.live, N - 3);
	/* The neighbours are untouched. */
	for (unsigned i = 0; i < N; i++)
		if (i != A && i != B && i != C)
			CHECK(found(&a, o[i], i, gen[i]) && intact(o[i], size, i, gen[i]));

	rtm__arena_free(&a, o[A]);
	rtm__arena_free(&a, o[B]);
	rtm__arena_free(&a, o[C]);
	CHECK_U(a.in_use, N - 3);
	CHECK_U(a.live, N - 3);
	CHECK_U(a.next, N);
	CHECK(not_found(&a, A, gen[A]) && not_found(&a, B, gen[B]) && not_found(&a, C, gen[C]));
	/* A free object's header still says which index it is and its last
	 * generation (handle checks read it). */
	CHECK_U(o[A]->slot, A);
	CHECK_U(o[A]->gen, gen[A]);

	const unsigned order[3] = { A, B, C };
	for (unsigned k = 0; k < 3; k++) {
		unsigned i = order[k];
		struct rtm_obj *n = must_alloc(&a);
		REQUIRE(n);
		CHECK_U(n->slot, i);
		CHECK(n == o[i]); /* the same memory: its index */
		CHECK_U(n->gen, gen[i] + 1);
		CHECK(fresh(n, size)); /* zeroed again: the old pattern is gone */
		CHECK(not_found(&a, i, gen[i]));
		CHECK(not_found(&a, i, n->gen)); /* not published yet */
		gen[i] = n->gen;
		fill(n, size);
		rtm__arena_publish(&a, n);
		CHECK(found(&a, n, i, gen[i]));
	}
	CHECK_U(a.next, N);
	CHECK_U(a.in_use, N);
	CHECK_U(a.live, N);
	/* No free index left: a fresh one. */
	struct rtm_obj *f = must_alloc(&a);
	REQUIRE(f);
	CHECK_U(f->slot, N);
	CHECK_U(a.next, N + 1);
	const uint32_t f_gen = f->gen;
	rtm__arena_free(&a, f); /* never published: freed as such */
	CHECK_U(a.in_use, N);
	CHECK_U(a.live, N);

	/* Interleaved: free X, Y; alloc -> f's index (it was free first), then
	 * X; free Z; alloc -> Y, Z, then a fresh index. */
	const unsigned X = 4, Y = 0, Z = 9;
	rtm__arena_kill(&a, o[X]);
	rtm__arena_free(&a, o[X]);
	rtm__arena_kill(&a, o[Y]);
	rtm__arena_free(&a, o[Y]);
	struct rtm_obj *g = must_alloc(&a);
	REQUIRE(g);
	CHECK_U(g->slot, N);
	CHECK_U(g->gen, f_gen + 1);
	struct rtm_obj *x = must_alloc(&a);
	REQUIRE(x);
	CHECK_U(x->slot, X);
	CHECK_U(x->gen, gen[X] + 1);
	rtm__arena_kill(&a, o[Z]);
	rtm__arena_free(&a, o[Z]);
	struct rtm_obj *y = must_alloc(&a);
	struct rtm_obj *z = must_alloc(&a);
	struct rtm_obj *h = must_alloc(&a);
	REQUIRE(y && z && h);
	CHECK_U(y->slot, Y);
	CHECK_U(z->slot, Z);
	CHECK_U(h->slot, N + 1);
	CHECK_U(a.next, N + 2);
	CHECK_U(a.in_use, N + 2);
	CHECK_U(a.live, N - 3);

	/* A longer FIFO: 200 objects freed in a scrambled order come back in
	 * that order, after nothing else. */
	enum { M = 200 };
	struct rtm_obj *m[M];
	for (unsigned i = 0; i < M; i++) {
		m[i] = must_alloc(&a);
		REQUIRE(m[i]);
	}
	uint32_t freed[M];
	for (unsigned k = 0; k < M; k++) {
		unsigned i = (k * 73u + 11u) % M; /* 73 is prime to 200: a permutation */
		freed[k] = m[i]->slot;
		rtm__arena_free(&a, m[i]);
		m[i] = NULL;
	}
	uint32_t next = a.next;
	for (unsigned k = 0; k < M; k++) {
		m[k] = must_alloc(&a);
		REQUIRE(m[k]);
		CHECK_U(m[k]->slot, freed[k]);
	}
	CHECK_U(a.next, next);
	release_all(&a, m, M, false);

	for (unsigned i = 0; i < N; i++) {
		if (i == X || i == Y || i == Z)
			continue;
		rtm__arena_kill(&a, o[i]);
		CHECK(not_found(&a, i, gen[i]));
		rtm__arena_free(&a, o[i]);
	}
	rtm__arena_free(&a, x); /* never published */
	rtm__arena_free(&a, y);
	rtm__arena_free(&a, z);
	rtm__arena_free(&a, g);
	rtm__arena_free(&a, h);
	arena_done(&a);
}

/* A stale handle never finds the object that took its index: one index
 * goes round many times, every handle it had stays stale, generations go
 * up by one each round. */
static void test_stale_handles(void)
{
	enum { ROUNDS = 2000 };
	struct rtm_arena a;
	rtm__arena_init(&a, 32, RTM_HT_ROUTE, NULL);
	struct rtm_obj *keep = must_alloc(&a); /* a neighbour, index 0 */
	REQUIRE(keep);
	rtm__arena_publish(&a, keep);
	static uint32_t gens[ROUNDS];
	struct rtm_obj *o = must_alloc(&a);
	REQUIRE(o);
	const uint32_t index = o->slot;
	CHECK_U(index, 1);
	unsigned stale_found = 0, bad_gen = 0, bad_index = 0;
	for (unsigned r = 0; r < ROUNDS; r++) {
		gens[r] = o->gen;
		if (r && gens[r] != gens[r - 1] + 1)
			bad_gen++;
		if (o->slot != index)
			bad_index++;
		rtm__arena_publish(&a, o);
		if (!found(&a, o, index, gens[r]))
			stale_found++;
		/* Every older handle of this index stays stale. */
		for (unsigned k = r >= 64 ? r - 64 : 0; k < r; k++)
			stale_found += !not_found(&a, index, gens[k]);
		rtm__arena_kill(&a, o);
		rtm__arena_free(&a, o);
		o = must_alloc(&a);
		REQUIRE(o);
	}
	CHECK_U(stale_found, 0);
	CHECK_U(bad_gen, 0);
	CHECK_U(bad_index, 0);
	rtm__arena_publish(&a, o);
	for (unsigned k = 0; k < ROUNDS; k++)
		stale_found += !not_found(&a, index, gens[k]);
	CHECK_U(stale_found, 0);
	CHECK(found(&a, o, index, gens[ROUNDS - 1] + 1));
	CHECK_U(a.next, 2);
	CHECK(found(&a, keep, 0, keep->gen));
	rtm__arena_kill(&a, o);
	rtm__arena_free(&a, o);
	rtm__arena_kill(&a, keep);
	rtm__arena_free(&a, keep);
	rtm__arena_fini(&a);
}

/* The generation has 24 bits: after 0xFFFFFF it goes on at 1, never 0. */
static void test_generation_wraps(void)
{
	struct rtm_arena a;
	rtm__arena_init(&a, 24, RTM_HT_ROUTE, NULL);
	struct rtm_obj *o = must_alloc(&a);
	REQUIRE(o);
	unsigned long rounds = 0;
	while (o->gen != RTM_HANDLE_GEN_MASK && rounds <= RTM_HANDLE_GEN_MASK) {
		rtm__arena_free(&a, o);
		REQUIRE(rtm__arena_alloc(&a, &o) == 0);
		rounds++;
	}
	CHECK_U(o->gen, RTM_HANDLE_GEN_MASK);
	CHECK_U(o->slot, 0);
	CHECK_U(a.max_gen, RTM_HANDLE_GEN_MASK);
	rtm__arena_publish(&a, o);
	CHECK(found(&a, o, 0, RTM_HANDLE_GEN_MASK));
	rtm__arena_kill(&a, o);
	rtm__arena_free(&a, o);
	REQUIRE(rtm__arena_alloc(&a, &o) == 0);
	CHECK_U(o->gen, 1);
	CHECK_U(o->slot, 0);
	rtm__arena_publish(&a, o);
	CHECK(found(&a, o, 0, 1));
	CHECK(not_found(&a, 0, RTM_HANDLE_GEN_MASK));
	CHECK(not_found(&a, 0, 0));
	rtm__arena_kill(&a, o);
	rtm__arena_free(&a, o);
	rtm__arena_fini(&a);
}

/* ---- growth --------------------------------------------------------------------- */

/* Are all the pages of [p, p + n) resident? */
static bool resident(const void *p, size_t n)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t from = (uintptr_t)p & ~(uintptr_t)(page - 1);
	uintptr_t to = ((uintptr_t)p + n + (size_t)page - 1) & ~(uintptr_t)(page - 1);
	size_t pages = (to - from) / (size_t)page;
	unsigned char *vec = malloc(pages ? pages : 1);
	if (!vec)
		return false;
	bool all = mincore((void *)from, to - from, vec) == 0;
	for (size_t i = 0; all && i < pages; i++)
		all = vec[i] & 1;
	free(vec);
	return all;
}

/* More than three chunks: every object findable and whole, where its index
 * says, in every chunk; chunks from the second on 2 MiB-aligned; the pages
 * ahead of the newest object made in windows that grow. */
static void test_growth(void)
{
	const uint32_t N = 3 * PER_CHUNK + 777;
	struct rtm_arena a;
	rtm__arena_init(&a, 40, RTM_HT_DEST, NULL);
	const size_t size = a.pool.size;
	const size_t chunk_bytes = size * PER_CHUNK;
	struct rtm_obj **o = calloc(N, sizeof(*o));
	uint32_t *gen = calloc(N, sizeof(*gen));
	REQUIRE(o && gen);
	unsigned bad = 0, windows = 0, not_resident = 0;
	size_t touched = 0;
	for (uint32_t i = 0; i < N; i++) {
		o[i] = must_alloc(&a);
		REQUIRE(o[i]);
		bad += o[i]->slot != i || !fresh(o[i], size);
		gen[i] = o[i]->gen;
		fill(o[i], size);
		rtm__arena_publish(&a, o[i]);
		uint32_t place = i & (PER_CHUNK - 1);
		if (place == 0) {
			/* A new chunk: mapped whole, its first pages made. */
			CHECK_U(a.pool.nchunks, (i >> RTM_ARENA_SHIFT) + 1);
			CHECK_U(a.pool.mapped, a.pool.nchunks * chunk_bytes);
			windows = 0;
			touched = 0;
		}
		/* The object handed out is in the touched part of the newest
		 * chunk, whose pages are there. */
		if (a.pool.touched <= place || a.pool.touched > PER_CHUNK)
			bad++;
		if (a.pool.touched != touched) {
			CHECK(a.pool.touched > touched);
			if (!resident(a.pool.chunks[a.pool.nchunks - 1], a.pool.touched * size))
				not_resident++;
			touched = a.pool.touched;
			windows++;
		}
		if (place == PER_CHUNK - 1) {
			/* A whole chunk in few windows: 64 KiB, then doubling
			 * up to 1 MiB, then 1 MiB at a time (a fixed 64 KiB
			 * window would take 20 here). */
			size_t most = 8 + chunk_bytes / (1u << 20);
			if (windows > most) {
				fprintf(stderr, "  chunk %u: %u windows (at most %zu)\n", i >> RTM_ARENA_SHIFT,
					windows, most);
				bad++;
			}
		}
	}
	CHECK_U(bad, 0);
	CHECK_U(not_resident, 0);
	CHECK_U(a.pool.nchunks, 4);
	CHECK_U(a.pool.mapped, 4 * chunk_bytes);
	CHECK_U(a.in_use, N);
	CHECK_U(a.live, N);
	CHECK_U(a.next, N);
	for (uint32_t c = 1; c < a.pool.nchunks; c++)
		CHECK((uintptr_t)a.pool.chunks[c] % HUGE_ALIGN == 0);
	CHECK((uintptr_t)a.pool.chunks[0] % (uintptr_t)sysconf(_SC_PAGESIZE) == 0);
	/* Chunks do not overlap. */
	for (uint32_t c = 0; c < a.pool.nchunks; c++)
		for (uint32_t d = c + 1; d < a.pool.nchunks; d++)
			CHECK(a.pool.chunks[c] + chunk_bytes <= a.pool.chunks[d] || a.pool.chunks[d] + chunk_bytes <= a.pool.chunks[c]);

	/* Everything findable and whole, where its index says. */
	unsigned lost = 0, broken = 0, misplaced = 0;
	for (uint32_t i = 0; i < N; i++) {
		lost += !found(&a, o[i], i, gen[i]);
		broken += !intact(o[i], size, i, gen[i]);
		misplaced += place_of(&a, i) != (const void *)o[i];
	}
	CHECK_U(lost, 0);
	CHECK_U(broken, 0);
	CHECK_U(misplaced, 0);
	/* Objects across a chunk boundary, one by one. */
	for (uint32_t c = 1; c < a.pool.nchunks; c++) {
		uint32_t i = c << RTM_ARENA_SHIFT;
		CHECK((void *)o[i] == (void *)a.pool.chunks[c]);
		CHECK(found(&a, o[i - 1], i - 1, gen[i - 1]) && found(&a, o[i], i, gen[i]));
	}

	/* Every third killed and freed: the others untouched, the freed ones
	 * back in freeing order, all of them before a fresh index. */
	size_t killed = 0;
	for (uint32_t i = 0; i < N; i += 3) {
		rtm__arena_kill(&a, o[i]);
		rtm__arena_free(&a, o[i]);
		killed++;
	}
	lost = broken = 0;
	unsigned stale = 0;
	for (uint32_t i = 0; i < N; i++) {
		if (i % 3 == 0) {
			stale += !not_found(&a, i, gen[i]);
			continue;
		}
		lost += !found(&a, o[i], i, gen[i]);
		broken += !intact(o[i], size, i, gen[i]);
	}
	CHECK_U(lost, 0);
	CHECK_U(broken, 0);
	CHECK_U(stale, 0);
	CHECK_U(a.live, N - killed);
	CHECK_U(a.in_use, N - killed);
	unsigned wrong = 0;
	for (uint32_t i = 0; i < N; i += 3) {
		o[i] = must_alloc(&a);
		REQUIRE(o[i]);
		wrong += o[i]->slot != i || o[i]->gen != gen[i] + 1 || !fresh(o[i], size);
		gen[i] = o[i]->gen;
		fill(o[i], size);
		rtm__arena_publish(&a, o[i]);
	}
	CHECK_U(wrong, 0);
	CHECK_U(a.next, N);
	CHECK_U(a.pool.nchunks, 4);
	broken = 0;
	for (uint32_t i = 0; i < N; i++)
		broken += !found(&a, o[i], i, gen[i]) || !intact(o[i], size, i, gen[i]);
	CHECK_U(broken, 0);

	release_all(&a, o, N, true);
	arena_done(&a);
	CHECK_U(a.pool.nchunks, 0);
	CHECK(a.pool.chunks == NULL);
	free(o);
	free(gen);
}

/* A reader inside a section from before the chunk array is replaced, holding
 * the array it loaded (as rtm__arena_lookup_optimistic does). */
struct array_reader {
	pthread_t thread;
	struct rtm_arena *a;
	char *chunk0;               /* what the old array's first entry must say */
	const struct rtm_obj *first; /* index 0, found by its handle */
	uint32_t first_gen;
	atomic_int inside, go, done, leave, left;
	atomic_int bad;
};

static void *array_reader_main(void *arg)
{
	struct array_reader *r = arg;
	rtm__epoch_enter();
	char *const *old = __atomic_load_n(&r->a->pool.chunks, __ATOMIC_ACQUIRE);
	atomic_store(&r->inside, 1);
	if (wait_flag(&r->go)) {
		/* The array loaded before the replacement is still memory. */
		if (old[0] != r->chunk0)
			atomic_fetch_add(&r->bad, 1);
		if (rtm__arena_lookup_optimistic(r->a, 0, r->first_gen) != r->first)
			atomic_fetch_add(&r->bad, 1);
	}
	atomic_store(&r->done, 1);
	wait_flag(&r->leave);
	rtm__epoch_exit();
	atomic_store(&r->left, 1);
	return NULL;
}

/* More chunks than the first chunk array holds: it is replaced, and the old
 * one goes through the limbo, not to free(): a reader inside a section
 * from before can still read it; it is freed once that reader has left.
 * Every object still where it was. */
static void test_growth_replaces_chunk_array(void)
{
	struct rtm_limbo l = { 0 };
	struct rtm_arena a;
	rtm__arena_init(&a, 24, RTM_HT_ROUTE, &l);
	struct rtm_obj *first = must_alloc(&a);
	REQUIRE(first);
	fill(first, a.pool.size);
	rtm__arena_publish(&a, first);
	char **array = a.pool.chunks;
	const uint32_t cap = a.pool.cap_chunks;
	REQUIRE(cap >= 1);
	CHECK_U(l.pending, 0);

	static struct array_reader r;
	memset(&r, 0, sizeof(r));
	r.a = &a;
	r.chunk0 = a.pool.chunks[0];
	r.first = first;
	r.first_gen = first->gen;
	REQUIRE(pthread_create(&r.thread, NULL, array_reader_main, &r) == 0);
	REQUIRE(wait_flag(&r.inside));

	const uint32_t N = (cap + 1) * PER_CHUNK + 5;
	struct rtm_obj **o = calloc(N, sizeof(*o));
	REQUIRE(o);
	o[0] = first;
	unsigned bad = 0;
	for (uint32_t i = 1; i < N; i++) {
		o[i] = must_alloc(&a);
		REQUIRE(o[i]);
		bad += o[i]->slot != i;
		fill(o[i], a.pool.size);
		rtm__arena_publish(&a, o[i]);
	}
	CHECK_U(bad, 0);
	CHECK_U(a.pool.nchunks, cap + 2);
	CHECK(a.pool.cap_chunks > cap);
	CHECK(a.pool.chunks != array); /* replaced */
	rtm__limbo_poll(&l);
	CHECK_U(l.pending, 1); /* the old array, held by the reader */
#ifdef TL_ASAN
	CHECK(__asan_region_is_poisoned(array, cap * sizeof(char *)) == NULL); /* not freed */
#endif
	atomic_store(&r.go, 1);
	CHECK(wait_flag(&r.done));
	CHECK_U(atomic_load(&r.bad), 0);
	reader_leaves(&r.leave, &r.left, &l); /* the old array freed now */
#ifdef TL_ASAN
	CHECK(__asan_address_is_poisoned(array)); /* freed memory */
#endif
	pthread_join(r.thread, NULL);

	unsigned broken = 0;
	for (uint32_t i = 0; i < N; i++)
		broken += !found(&a, o[i], i, o[i]->gen) || !intact(o[i], a.pool.size, i, o[i]->gen) ||
			  place_of(&a, i) != (const void *)o[i];
	CHECK_U(broken, 0);
	release_all(&a, o, N, true);
	rtm__limbo_flush(&l);
	rtm__arena_fini(&a);
	CHECK_U(a.pool.mapped, 0);
	CHECK(a.pool.limbo == &l); /* kept across fini */
	free(o);
}

/* ---- fault injection -------------------------------------------------------------- */

/* One alloc that must fail: RTM_ENOMEM and the arena exactly as it was. */
static bool fails_cleanly(struct rtm_arena *a, unsigned long nth)
{
	struct rtm_arena before;
	memcpy(&before, a, sizeof(before));
	unsigned long failures = rtm__alloc_failures();
	rtm__alloc_fail_at(nth);
	struct rtm_obj *o = NULL;
	int err = rtm__arena_alloc(a, &o);
	rtm__alloc_fail_at(0);
	bool ok = err == RTM_ENOMEM && memcmp(&before, a, sizeof(before)) == 0 &&
		  rtm__alloc_failures() == failures + 1;
	if (!ok)
		fprintf(stderr, "  fail_at(%lu): err %d, arena %s, failures +%lu\n", nth, err,
			memcmp(&before, a, sizeof(before)) ? "changed" : "as it was",
			rtm__alloc_failures() - failures);
	return ok;
}

/* Fails every allocation site of the next alloc in turn (each must leave
 * the arena as it was), then lets it succeed; the object, or NULL.  *sites:
 * how many sites failed. */
static struct rtm_obj *alloc_failing_each(struct rtm_arena *a, unsigned *sites)
{
	*sites = 0;
	for (unsigned long n = 1; n < 16; n++) {
		struct rtm_arena before;
		memcpy(&before, a, sizeof(before));
		unsigned long failures = rtm__alloc_failures();
		rtm__alloc_fail_at(n);
		struct rtm_obj *o = NULL;
		int err = rtm__arena_alloc(a, &o);
		rtm__alloc_fail_at(0);
		if (err == 0) {
			CHECK_U(rtm__alloc_failures(), failures);
			return o;
		}
		CHECK_U(err, RTM_ENOMEM);
		CHECK(memcmp(&before, a, sizeof(before)) == 0);
		CHECK_U(rtm__alloc_failures(), failures + 1);
		(*sites)++;
	}
	return NULL;
}

/* The next alloc fails and changes nothing, the one after succeeds: on a new
 * arena, from fresh memory, from the free list (whose order and whose
 * generations the failure leaves alone), at a chunk boundary, and where the
 * chunk array must grow. */
static void test_fault_injection(void)
{
	struct rtm_arena a;
	rtm__arena_init(&a, 32, RTM_HT_ROUTE, NULL);
	unsigned long count = rtm__alloc_count();

	CHECK(fails_cleanly(&a, 1)); /* the very first: nothing mapped after */
	CHECK_U(a.pool.mapped, 0);
	CHECK(a.pool.chunks == NULL);
	struct rtm_obj *o0 = must_alloc(&a);
	REQUIRE(o0);
	CHECK_U(o0->slot, 0);
	CHECK_U(o0->gen, 1);
	CHECK(rtm__alloc_count() > count); /* allocs count */
	unsigned sites;
	count = rtm__alloc_count();
	struct rtm_obj *o1 = alloc_failing_each(&a, &sites); /* fresh memory, no growth */
	REQUIRE(o1);
	CHECK_U(sites, 1);
	CHECK_U(o1->slot, 1);
	CHECK_U(rtm__alloc_count() - count, 2); /* the failed one counted too */

	/* The second from now: one alloc goes through, the next fails cleanly,
	 * the one after goes through again. */
	rtm__alloc_fail_at(2);
	struct rtm_obj *o2 = must_alloc(&a);
	REQUIRE(o2);
	CHECK_U(o2->slot, 2);
	struct rtm_arena before;
	memcpy(&before, &a, sizeof(before));
	struct rtm_obj *none = NULL;
	CHECK_U(rtm__arena_alloc(&a, &none), RTM_ENOMEM);
	CHECK(memcmp(&before, &a, sizeof(before)) == 0);
	struct rtm_obj *o3 = must_alloc(&a);
	REQUIRE(o3);
	CHECK_U(o3->slot, 3);
	rtm__alloc_fail_at(0);

	/* From the free list: freed o1 then o0; failures leave both queued. */
	uint32_t g0 = o0->gen, g1 = o1->gen;
	rtm__arena_free(&a, o1);
	rtm__arena_free(&a, o0);
	CHECK(fails_cleanly(&a, 1));
	CHECK(fails_cleanly(&a, 1));
	struct rtm_obj *p = must_alloc(&a);
	struct rtm_obj *q = must_alloc(&a);
	REQUIRE(p && q);
	CHECK_U(p->slot, 1);
	CHECK_U(p->gen, g1 + 1); /* the failures did not use up a generation */
	CHECK_U(q->slot, 0);
	CHECK_U(q->gen, g0 + 1);
	rtm__arena_free(&a, p);
	rtm__arena_free(&a, q);
	rtm__arena_free(&a, o2);
	rtm__arena_free(&a, o3);
	/* Drain the free list so that what follows takes fresh indexes. */
	struct rtm_obj **o = calloc(10 * PER_CHUNK, sizeof(*o));
	REQUIRE(o);
	uint32_t n = 0;
	while (a.free_head != UINT32_MAX) {
		o[n] = must_alloc(&a);
		REQUIRE(o[n]);
		n++;
	}
	CHECK_U(n, 4);

	/* Up to each chunk boundary, ten chunks (the first chunk array holds 8):
	 * at each boundary every site fails cleanly, then the alloc maps a
	 * chunk. */
	unsigned boundary_sites[10] = { 0 };
	while (n < 9 * PER_CHUNK + 1) {
		struct rtm_obj *x;
		if (a.next % PER_CHUNK == 0) {
			uint32_t chunks = a.pool.nchunks;
			size_t mapped = a.pool.mapped;
			x = alloc_failing_each(&a, &boundary_sites[a.next / PER_CHUNK]);
			REQUIRE(x);
			CHECK_U(a.pool.nchunks, chunks + 1);
			CHECK_U(a.pool.mapped, mapped + (size_t)a.pool.size * PER_CHUNK);
		} else {
			x = must_alloc(&a);
			REQUIRE(x);
		}
		CHECK_U(x->slot, n);
		o[n++] = x;
	}
	CHECK_U(a.pool.nchunks, 10);
	for (unsigned c = 1; c < 10; c++)
		CHECK(boundary_sites[c] >= 1);
	/* Where the chunk array grows too, an alloc is still one allocation to
	 * fault injection: the pool's chunk array is counted with the object
	 * it is for (pool.h), so the trie's "one allocation per insert" holds. */
	CHECK_U(boundary_sites[8], 1);
	/* Failing in the middle of a chunk after all that. */
	CHECK(fails_cleanly(&a, 1));
	struct rtm_obj *last = must_alloc(&a);
	REQUIRE(last);
	CHECK_U(last->slot, n);
	o[n++] = last;
	release_all(&a, o, n, false);
	CHECK_U(a.in_use, 0);
	rtm__arena_fini(&a);
	CHECK_U(a.pool.mapped, 0);
	free(o);
}

/* ---- foreach ------------------------------------------------------------------------ */

int main(void)
{
	RUN(test_init_sizes);
	RUN(test_alloc_publish_lookup);
	RUN(test_kill_free_fifo);
	RUN(test_stale_handles);
	RUN(test_generation_wraps);
	RUN(test_growth);
	RUN(test_growth_replaces_chunk_array);
	RUN(test_fault_injection);
	TEST_MAIN_END();
}
