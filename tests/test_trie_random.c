/*
 * test_trie_random.c — the prefix trie against a brute-force reference.
 *
 * Random insert/remove sequences for several widths where every query is
 * compared with a linear scan of the live prefixes after each batch, then
 * allocation failures, and what fini leaves to the user (the cases one by
 * one: test_trie_cases.c).  The structural checker rtm__trie_check() runs
 * after every change of shape.
 */
#include "trietest.h"

/* ---------------------------------------------------------------- random, against a reference */

#define NBASE 64

struct ref {
	unsigned width;
	struct obj **v; /* the live objects, in no order */
	size_t n, cap;
	uint8_t base[NBASE][16]; /* keys the random prefixes cluster around */
	unsigned base_len[NBASE];
};

static void ref_init(struct ref *r, unsigned width)
{
	unsigned i;

	memset(r, 0, sizeof(*r));
	r->width = width;
	for (i = 0; i < NBASE; i++) {
		rnd_bytes(r->base[i], 16);
		r->base_len[i] = rnd(width + 1);
	}
	/* Some bases share their first bits, so their subtrees interleave. */
	memcpy(r->base[1], r->base[0], 3);
	memcpy(r->base[2], r->base[0], 1);
}

/*
 * A random prefix: mostly a base key with a few bits flipped, at a length
 * near the base's, so that prefixes nest and part at every depth.  The key
 * may keep host bits beyond len.
 */
static unsigned rnd_prefix(const struct ref *r, uint8_t *k)
{
	unsigned b = rnd(NBASE), len, i, w = r->width;
	int l;

	memcpy(k, r->base[b], 16);
	for (i = rnd(4); i > 0; i--) {
		unsigned bit = rnd(w);

		k[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
	}
	if (rnd(8) == 0)
		return rnd(w + 1);
	l = (int)r->base_len[b] + (int)rnd(17) - 8;
	len = l < 0 ? 0 : (unsigned)l > w ? w : (unsigned)l;
	return len;
}

static struct obj *ref_find(const struct ref *r, const uint8_t *k, unsigned len, size_t *pos)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->v[i]->node.len == len &&
		    rtm__trie_covers(r->v[i]->node.key, len, k, len)) {
			if (pos)
				*pos = i;
			return r->v[i];
		}
	return NULL;
}

static struct rtm_trie_node *ref_longest(const struct ref *r, const uint8_t *k, unsigned len)
{
	struct rtm_trie_node *best = NULL;
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct rtm_trie_node *n = &r->v[i]->node;

		if (rtm__trie_covers(n->key, n->len, k, len) && (!best || n->len > best->len))
			best = n;
	}
	return best;
}

static unsigned cmp_width;

static int cmp_obj(const void *a, const void *b)
{
	const struct rtm_trie_node *x = &(*(struct obj *const *)a)->node;
	const struct rtm_trie_node *y = &(*(struct obj *const *)b)->node;

	return rtm__trie_cmp(x->key, x->len, y->key, y->len, cmp_width);
}

/* Compare every query with the reference; returns the number of mismatches. */
static int ref_verify(const struct ref *r, const struct rtm_trie *t, struct obj **sorted)
{
	unsigned w = r->width, q;
	int bad = 0;
	size_t i;
	struct rtm_trie_node *n;

	if (rtm__trie_check(t) != 0)
		return 1;
	if (t->count != r->n)
		return 1;

	/* walk order = the reference sorted by rtm__trie_cmp */
	memcpy(sorted, r->v, r->n * sizeof(*sorted));
	cmp_width = w;
	qsort(sorted, r->n, sizeof(*sorted), cmp_obj);
	for (i = 0, n = rtm__trie_first(t); i < r->n; i++, n = rtm__trie_next(t, n))
		if (n != &sorted[i]->node) {
			fprintf(stderr, "  walk differs at %zu\n", i);
			return 1;
		}
	if (n != NULL)
		return 1;
	/* and backwards, one step at a time */
	for (i = 0; i < r->n; i++)
		if (rtm__trie_prev(t, &sorted[i]->node) != (i ? &sorted[i - 1]->node : NULL)) {
			fprintf(stderr, "  prev differs at %zu\n", i);
			return 1;
		}

	/* every live prefix: exact, longest at its own length, less-specific */
	for (i = 0; i < r->n; i++) {
		struct rtm_trie_node *x = &r->v[i]->node;

		bad += rtm__trie_find_exact(t, x->key, x->len) != x;
		bad += rtm__trie_find_longest(t, x->key, x->len) != x;
		bad += rtm__trie_find_less_specific(t, x) !=
		       (x->len ? ref_longest(r, x->key, x->len - 1u) : NULL);
	}

	/* random prefixes and addresses */
	for (q = 0; q < 300; q++) {
		uint8_t k[16];
		unsigned len = rnd_prefix(r, k), after = rnd(2);
		struct obj *e = ref_find(r, k, len, NULL);
		size_t lo = 0, hi = r->n, cnt;

		bad += rtm__trie_find_exact(t, k, len) != (e ? &e->node : NULL);
		bad += rtm__trie_find_longest(t, k, len) != ref_longest(r, k, len);
		bad += rtm__trie_find_longest(t, k, w) != ref_longest(r, k, w);

		/* seek: first in sorted order >= (or >) the target, by binary search */
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			const struct rtm_trie_node *m = &sorted[mid]->node;
			int c = rtm__trie_cmp(m->key, m->len, k, len, w);

			if (c < 0 || (after && c == 0))
				lo = mid + 1;
			else
				hi = mid;
		}
		n = rtm__trie_seek(t, k, len, (int)after);
		bad += n != (lo < r->n ? &sorted[lo]->node : NULL);

		/* the subtree range of (k, len): one contiguous run, all of it */
		cnt = 0;
		for (n = rtm__trie_seek(t, k, len, 0); n; n = rtm__trie_next(t, n)) {
			if (!rtm__trie_covers(k, len, n->key, n->len))
				break;
			cnt++;
		}
		for (i = 0; i < r->n; i++)
			cnt -= rtm__trie_covers(k, len, r->v[i]->node.key, r->v[i]->node.len);
		bad += cnt != 0;
	}
	if (bad)
		fprintf(stderr, "  %d queries differ from the reference\n", bad);
	return bad;
}

static void ref_add(struct ref *r, struct obj *o)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->v = realloc(r->v, r->cap * sizeof(*r->v));
		if (!r->v)
			abort();
	}
	r->v[r->n++] = o;
}

/* min_peak: the live count the run must reach at least once, or it tested too little. */
static void random_run(unsigned width, unsigned rounds, unsigned per_round, size_t min_peak)
{
	struct rtm_trie t;
	struct ref r;
	struct obj **sorted;
	unsigned round, i;
	size_t peak = 0;

	rng_seed(width * 1000 + rounds);
	ref_init(&r, width);
	trie_init(&t, width);
	sorted = malloc((size_t)rounds * per_round * sizeof(*sorted) + 1);
	REQUIRE(sorted != NULL);
	for (round = 0; round < rounds; round++) {
		/* insert a batch */
		for (i = 0; i < per_round; i++) {
			uint8_t k[16], norm[16];
			unsigned len = rnd_prefix(&r, k);
			struct obj *o = obj_new(width, k, len), *e;
			int rc;

			memcpy(norm, k, 16);
			rtm__trie_key_normalize(norm, width, len);
			e = ref_find(&r, k, len, NULL);
			rc = rtm__trie_insert(&t, &o->node);
			CHECK(memcmp(o->node.key, norm, width / 8) == 0);
			if (e) {
				CHECK(rc == -EEXIST);
				obj_free(o);
			} else {
				CHECK(rc == 0);
				ref_add(&r, o);
			}
		}
		if (r.n > peak)
			peak = r.n;
		REQUIRE(ref_verify(&r, &t, sorted) == 0);
		/* remove a random part, more in later rounds so the trie shrinks at the end */
		for (i = 0; i < per_round * (round + 1) / rounds && r.n; i++) {
			size_t pos = rnd((unsigned)r.n);

			rtm__trie_remove(&t, &r.v[pos]->node);
			obj_free(r.v[pos]);
			r.v[pos] = r.v[--r.n];
		}
		REQUIRE(ref_verify(&r, &t, sorted) == 0);
	}
	while (r.n) {
		rtm__trie_remove(&t, &r.v[r.n - 1]->node);
		obj_free(r.v[--r.n]);
		if (r.n % 97 == 0)
			REQUIRE(ref_verify(&r, &t, sorted) == 0);
	}
	CHECK(t.root == 0);
	CHECK_U(t.count, 0);
	CHECK_U(t.glue_count, 0);
	CHECK_U(t.spare_count, 0);
	if (getenv("TRIE_TEST_VERBOSE") || peak < min_peak)
		fprintf(stderr, "  width %u: peak %zu live prefixes\n", width, peak);
	CHECK(peak >= min_peak);
	CHECK(rtm__trie_check(&t) == 0);
	rtm__trie_fini(&t);
	free(sorted);
	free(r.v);
}

static void test_random_width32(void)
{
	random_run(32, 12, 800, 2000);
}

static void test_random_width128(void)
{
	random_run(128, 12, 800, 2000);
}

/* Widths other than 32 and 128 take the generic key path. */
static void test_random_other_widths(void)
{
	random_run(8, 4, 150, 80);
	random_run(24, 6, 300, 400);
	random_run(64, 6, 300, 500);
}

/* ---------------------------------------------------------------- allocation failures */

struct snapshot {
	size_t count, glue, spare, n;
	struct rtm_trie_node *walk[4096];
	uint8_t len[4096];
};

static void snap(const struct rtm_trie *t, struct snapshot *s)
{
	struct rtm_trie_node *n;

	s->count = t->count;
	s->glue = t->glue_count;
	s->spare = t->spare_count;
	for (s->n = 0, n = rtm__trie_first(t); n && s->n < 4096; n = rtm__trie_next(t, n)) {
		s->walk[s->n] = n;
		s->len[s->n++] = n->len;
	}
}

static int snap_equal(const struct snapshot *a, const struct snapshot *b)
{
	return a->count == b->count && a->glue == b->glue && a->spare == b->spare &&
	       a->n == b->n && memcmp(a->walk, b->walk, a->n * sizeof(a->walk[0])) == 0 &&
	       memcmp(a->len, b->len, a->n) == 0;
}

static void oom_run(unsigned width)
{
	static struct snapshot before, after;
	struct rtm_trie t;
	struct ref r;
	unsigned i, failed = 0, free_inserts = 0;
	struct obj *first;
	uint8_t k[16];

	rng_seed(width);
	ref_init(&r, width);
	trie_init(&t, width);

	/* The very first insert (which allocates the index for width 32) can fail too. */
	first = obj_new(width, r.base[0], r.base_len[0]);
	rtm__alloc_fail_at(1);
	i = (unsigned)rtm__trie_insert(&t, &first->node);
	rtm__alloc_fail_at(0);
	if (width == 32) {
		CHECK(i == (unsigned)-ENOMEM);
		CHECK(t.root == 0 && t.count == 0 && t.index == NULL);
		REQUIRE(rtm__trie_insert(&t, &first->node) == 0);
	} else {
		CHECK(i == 0);
	}
	ref_add(&r, first);

	for (i = 0; i < 1500; i++) {
		unsigned len = rnd_prefix(&r, k);
		struct obj *o = obj_new(width, k, len);
		unsigned long allocs = rtm__alloc_count();
		int rc;

		snap(&t, &before);
		rtm__alloc_fail_at(1);
		rc = rtm__trie_insert(&t, &o->node);
		rtm__alloc_fail_at(0);
		if (rc == -ENOMEM) {
			failed++;
			snap(&t, &after);
			CHECK(snap_equal(&before, &after));
			CHECK(rtm__trie_find_exact(&t, o->node.key, len) == NULL);
			CHECK(rtm__trie_find_longest(&t, k, width) == ref_longest(&r, k, width));
			CHECK(rtm__trie_check(&t) == 0);
			allocs = rtm__alloc_count();
			rc = rtm__trie_insert(&t, &o->node);
			CHECK(rc == 0);
			/* at most one allocation per insert */
			CHECK_U(rtm__alloc_count(), allocs + 1);
		} else if (rc == 0) {
			free_inserts++;
			/* the armed failure was not crossed */
			CHECK_U(rtm__alloc_count(), allocs);
		}
		if (rc == 0)
			ref_add(&r, o);
		else
			obj_free(o);
		if (i % 100 == 0)
			REQUIRE(rtm__trie_check(&t) == 0);
	}
	CHECK(failed > 100);
	CHECK(free_inserts > 10);

	/* remove never allocates: a failure armed across every removal is never reached */
	{
		unsigned long allocs = rtm__alloc_count();

		rtm__alloc_fail_at(1);
		while (r.n) {
			rtm__trie_remove(&t, &r.v[r.n - 1]->node);
			obj_free(r.v[--r.n]);
		}
		CHECK_U(rtm__alloc_count(), allocs);
		rtm__alloc_fail_at(0);
	}
	CHECK(t.root == 0);
	CHECK_U(t.glue_count, 0);
	CHECK_U(t.spare_count, 0);
	rtm__trie_fini(&t);
	free(r.v);
}

static void test_oom_width32(void)
{
	oom_run(32);
}

static void test_oom_width128(void)
{
	oom_run(128);
}

/* fini with user nodes still inside frees the trie's own nodes (LeakSanitizer sees the rest). */
static void test_fini_abandons_user_nodes(void)
{
	struct rtm_trie t;
	struct ref r;
	unsigned i;

	rng_seed(5);
	ref_init(&r, 32);
	trie_init(&t, 32);
	for (i = 0; i < 500; i++) {
		uint8_t k[16];
		unsigned len = rnd_prefix(&r, k);
		struct obj *o = obj_new(32, k, len);

		if (rtm__trie_insert(&t, &o->node) == 0)
			ref_add(&r, o);
		else
			obj_free(o);
	}
	CHECK(t.glue_count > 0);
	rtm__trie_fini(&t);
	CHECK(t.root == 0 && t.count == 0 && t.glue_count == 0 && t.spare_count == 0);
	CHECK(t.index == NULL && t.spare == 0);
	/* reusable after init */
	trie_init(&t, 32);
	REQUIRE(rtm__trie_insert(&t, &r.v[0]->node) == 0);
	rtm__trie_remove(&t, &r.v[0]->node);
	rtm__trie_fini(&t);
	for (i = 0; i < r.n; i++)
		obj_free(r.v[i]);
	free(r.v);
}

int main(void)
{
	RUN(test_random_width32);
	RUN(test_random_width128);
	RUN(test_random_other_widths);
	RUN(test_oom_width32);
	RUN(test_oom_width128);
	RUN(test_fini_abandons_user_nodes);
	TEST_MAIN_END();
}
