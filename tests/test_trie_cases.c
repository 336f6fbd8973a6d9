/*
 * test_trie_cases.c — the prefix trie, case by case.
 *
 * Invalid and edge input first (bad lengths, /0 and /width, duplicates, the
 * only node, empty tries), then the key helpers against a bit-by-bit model,
 * then small hand-checked tries.  Random sequences against a brute-force
 * reference and allocation failures: test_trie_random.c.  The structural
 * checker rtm__trie_check() runs after every change of shape.
 */
#include "trietest.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include "epoch.h"

/* ---------------------------------------------------------------- invalid and edge input */

static void test_empty_trie(void)
{
	static const unsigned widths[] = { 8, 32, 64, 128 };
	uint8_t k[16] = { 10, 1, 2, 3 };
	unsigned i;

	for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		struct rtm_trie t;

		trie_init(&t, widths[i]);
		CHECK_U(t.width, widths[i]);
		CHECK_U(t.count, 0);
		CHECK_U(t.glue_count, 0);
		CHECK(t.root == 0);
		CHECK(rtm__trie_first(&t) == NULL);
		CHECK(rtm__trie_find_exact(&t, k, 0) == NULL);
		CHECK(rtm__trie_find_exact(&t, k, widths[i]) == NULL);
		CHECK(rtm__trie_find_longest(&t, k, widths[i]) == NULL);
		CHECK(rtm__trie_find_longest(&t, k, 0) == NULL);
		CHECK(rtm__trie_seek(&t, k, 0, 0) == NULL);
		CHECK(rtm__trie_seek(&t, k, 8, 1) == NULL);
		CHECK(rtm__trie_check(&t) == 0);
		rtm__trie_fini(&t);
		rtm__trie_fini(&t); /* fini of an empty trie is a no-op */
		CHECK(t.root == 0);
	}
}

static void test_insert_bad_length(void)
{
	struct rtm_trie t4, t6;
	struct obj *a = obj_str(32, "10.0.0.0", 33), *b = obj_str(128, "2001:db8::", 129);
	unsigned long allocs = rtm__alloc_count();

	trie_init(&t4, 32);
	trie_init(&t6, 128);
	CHECK(rtm__trie_insert(&t4, &a->node) == -EINVAL);
	CHECK(rtm__trie_insert(&t6, &b->node) == -EINVAL);
	a->node.len = 255;
	CHECK(rtm__trie_insert(&t4, &a->node) == -EINVAL);
	CHECK_U(rtm__alloc_count(), allocs); /* rejected before anything is allocated */
	CHECK_U(t4.count, 0);
	CHECK_U(t6.count, 0);
	CHECK(t4.root == 0 && t6.root == 0);
	/* Queries longer than the width. */
	CHECK(exact_str(&t4, "10.0.0.0", 33) == NULL);
	a->node.len = 32;
	REQUIRE(rtm__trie_insert(&t4, &a->node) == 0);
	CHECK(exact_str(&t4, "10.0.0.0", 33) == NULL);
	CHECK(longest_str(&t4, "10.0.0.0", 200) == &a->node); /* taken as width */
	CHECK(seek_str(&t4, "10.0.0.0", 200, 0) == &a->node);
	CHECK(seek_str(&t4, "10.0.0.0", 200, 1) == NULL);
	rtm__trie_remove(&t4, &a->node);
	rtm__trie_fini(&t4);
	rtm__trie_fini(&t6);
	obj_free(a);
	obj_free(b);
}

/* /0 and /width, alone and together, for both families. */
static void test_len0_and_full_width(void)
{
	static const struct {
		unsigned width;
		const char *host, *other;
	} c[] = { { 32, "192.0.2.1", "198.51.100.7" }, { 128, "2001:db8::1", "fe80::1" } };
	unsigned i;

	for (i = 0; i < 2; i++) {
		unsigned w = c[i].width;
		/* The default route is given with host bits set: insert clears them. */
		struct obj *def = obj_str(w, c[i].other, 0);
		struct obj *host = obj_str(w, c[i].host, w);
		struct rtm_trie t;
		uint8_t zero[16] = { 0 };

		trie_init(&t, w);
		REQUIRE(rtm__trie_insert(&t, &def->node) == 0);
		CHECK(memcmp(def->node.key, zero, w / 8) == 0);
		CHECK(def->node.parent == 0 && def->node.glue == 0);
		CHECK(def->node.child[0] == 0 && def->node.child[1] == 0);
		CHECK(longest_str(&t, c[i].host, w) == &def->node);
		CHECK(longest_str(&t, c[i].host, 0) == &def->node);
		CHECK(exact_str(&t, c[i].host, 0) == &def->node); /* reads 0 bits of the key */
		CHECK(exact_str(&t, c[i].host, w) == NULL);
		CHECK(rtm__trie_find_less_specific(&t, &def->node) == NULL);

		REQUIRE(rtm__trie_insert(&t, &host->node) == 0);
		CHECK(rtm__trie_check(&t) == 0);
		CHECK_U(t.glue_count, 0);
		CHECK(exact_str(&t, c[i].host, w) == &host->node);
		CHECK(longest_str(&t, c[i].host, w) == &host->node);
		CHECK(longest_str(&t, c[i].host, w - 1) == &def->node);
		CHECK(longest_str(&t, c[i].other, w) == &def->node);
		CHECK(rtm__trie_find_less_specific(&t, &host->node) == &def->node);
		CHECK(rtm__trie_first(&t) == &def->node);
		CHECK(rtm__trie_next(&t, &def->node) == &host->node);
		CHECK(rtm__trie_next(&t, &host->node) == NULL);
		CHECK(rtm__trie_prev(&t, &host->node) == &def->node);
		CHECK(rtm__trie_prev(&t, &def->node) == NULL);
		CHECK(seek_str(&t, c[i].host, w, 0) == &host->node);
		CHECK(seek_str(&t, c[i].host, w, 1) == NULL);
		CHECK(seek_str(&t, c[i].host, 0, 1) == &host->node);

		rtm__trie_remove(&t, &def->node);
		CHECK(rtm__trie_check(&t) == 0);
		CHECK(longest_str(&t, c[i].other, w) == NULL);
		CHECK(longest_str(&t, c[i].host, w) == &host->node);
		CHECK(rtm__trie_find_less_specific(&t, &host->node) == NULL);
		rtm__trie_remove(&t, &host->node);
		CHECK(t.root == 0);
		CHECK(rtm__trie_check(&t) == 0);
		rtm__trie_fini(&t);
		obj_free(def);
		obj_free(host);
	}
}

static void test_insert_duplicate(void)
{
	struct rtm_trie t;
	struct obj *a = obj_str(32, "10.0.0.0", 8), *b = obj_str(32, "10.1.2.3", 8);
	struct obj *c = obj_str(32, "11.0.0.0", 8);

	trie_init(&t, 32);
	REQUIRE(rtm__trie_insert(&t, &a->node) == 0);
	REQUIRE(rtm__trie_insert(&t, &c->node) == 0);
	CHECK_U(t.glue_count, 1);
	CHECK(rtm__trie_insert(&t, &b->node) == -EEXIST);
	CHECK(rtm__trie_insert(&t, &a->node) == -EEXIST);
	CHECK_U(t.count, 2);
	CHECK_U(t.glue_count, 1);
	CHECK(rtm__trie_check(&t) == 0);
	CHECK(exact_str(&t, "10.0.0.0", 8) == &a->node);
	CHECK(longest_str(&t, "10.9.9.9", 32) == &a->node);
	/* The refused node's key was normalised, nothing else. */
	CHECK(b->node.key[0] == 10 && b->node.key[1] == 0 && b->node.key[3] == 0);
	rtm__trie_remove(&t, &a->node);
	CHECK(rtm__trie_insert(&t, &b->node) == 0); /* now it fits */
	CHECK(exact_str(&t, "10.0.0.0", 8) == &b->node);
	rtm__trie_remove(&t, &b->node);
	rtm__trie_remove(&t, &c->node);
	CHECK_U(t.glue_count, 0);
	rtm__trie_fini(&t);
	obj_free(a);
	obj_free(b);
	obj_free(c);
}

static void test_remove_only_node(void)
{
	static const unsigned widths[] = { 32, 128 };
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct rtm_trie t;
		struct obj *a = obj_str(widths[i], i ? "2001:db8::" : "192.0.2.0", i ? 32 : 24);

		trie_init(&t, widths[i]);
		REQUIRE(rtm__trie_insert(&t, &a->node) == 0);
		CHECK(t.root == a->node.ref);
		rtm__trie_remove(&t, &a->node);
		CHECK(t.root == 0);
		CHECK_U(t.count, 0);
		CHECK_U(t.glue_count, 0);
		CHECK_U(t.spare_count, 0);
		CHECK(a->node.parent == 0 && a->node.child[0] == 0);
		CHECK(rtm__trie_first(&t) == NULL);
		CHECK(rtm__trie_find_longest(&t, a->node.key, widths[i]) == NULL);
		CHECK(rtm__trie_check(&t) == 0);
		/* The node can go back in. */
		REQUIRE(rtm__trie_insert(&t, &a->node) == 0);
		CHECK(rtm__trie_find_exact(&t, a->node.key, a->node.len) == &a->node);
		rtm__trie_remove(&t, &a->node);
		rtm__trie_fini(&t);
		obj_free(a);
	}
}

/* The structural checker must see corruption, or the random tests prove little. */
static void test_checker_catches_faults(void)
{
	struct rtm_trie t;
	/* Both at least an index block long: each is the top of its block. */
	struct obj *a = obj_str(32, "10.0.0.0", 24), *b = obj_str(32, "10.1.0.0", 24);
	unsigned slot_a = 10u << (RTM_TRIE_INDEX_BITS - 8);
	struct rtm_trie_node *g;

	trie_init(&t, 32);
	REQUIRE(rtm__trie_insert(&t, &a->node) == 0);
	REQUIRE(rtm__trie_insert(&t, &b->node) == 0);
	REQUIRE(rtm__trie_check(&t) == 0);
	g = NODE(&t, t.root);
	REQUIRE(g && g->glue && g->len == 15);

	fprintf(stderr, "  (the faults below are expected)\n");
	a->node.key[3] = 1; /* a host bit */
	CHECK(rtm__trie_check(&t) == -1);
	a->node.key[3] = 0;
	a->node.parent = b->node.ref;
	CHECK(rtm__trie_check(&t) == -1);
	a->node.parent = g->ref;
	t.count++;
	CHECK(rtm__trie_check(&t) == -1);
	t.count--;
	g->child[0] = b->node.ref; /* b in the wrong slot */
	CHECK(rtm__trie_check(&t) == -1);
	g->child[0] = a->node.ref;
	t.index[slot_a].top = 0;
	CHECK(rtm__trie_check(&t) == -1);
	t.index[slot_a].top = a->node.ref;
	CHECK(rtm__trie_check(&t) == 0);
	g->glue = 0; /* a glue reference on a node that says it is a user node */
	CHECK(rtm__trie_check(&t) == -1);
	g->glue = 1;
	CHECK(rtm__trie_check(&t) == 0);
	rtm__trie_remove(&t, &a->node);
	rtm__trie_remove(&t, &b->node);
	rtm__trie_fini(&t);
	obj_free(a);
	obj_free(b);
}

/* ---------------------------------------------------------------- key helpers */

/* Bit-by-bit models of the helpers. */
static int model_covers(const uint8_t *p, unsigned plen, const uint8_t *k, unsigned len)
{
	unsigned i;

	if (plen > len)
		return 0;
	for (i = 0; i < plen; i++)
		if (rtm__trie_bit(p, i) != rtm__trie_bit(k, i))
			return 0;
	return 1;
}

static int model_cmp(const uint8_t *a, unsigned alen, const uint8_t *b, unsigned blen)
{
	unsigned i;

	for (i = 0; i < alen && i < blen; i++)
		if (rtm__trie_bit(a, i) != rtm__trie_bit(b, i))
			return rtm__trie_bit(a, i) ? 1 : -1;
	return alen < blen ? -1 : alen > blen;
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static void test_key_helpers(void)
{
	uint8_t k[16], a[16], b[16];
	unsigned i;

	/* bit access */
	addr(k, "128.1.0.255");
	CHECK_U(rtm__trie_bit(k, 0), 1);
	CHECK_U(rtm__trie_bit(k, 1), 0);
	CHECK_U(rtm__trie_bit(k, 15), 1);
	CHECK_U(rtm__trie_bit(k, 14), 0);
	CHECK_U(rtm__trie_bit(k, 31), 1);

	/* normalize: len 0, partial byte, whole byte, len = width, len > width */
	memset(k, 0xff, sizeof(k));
	rtm__trie_key_normalize(k, 32, 0);
	CHECK(k[0] == 0 && k[3] == 0 && k[4] == 0xff); /* never past width/8 bytes */
	memset(k, 0xff, sizeof(k));
	rtm__trie_key_normalize(k, 32, 13);
	CHECK(k[0] == 0xff && k[1] == 0xf8 && k[2] == 0 && k[3] == 0 && k[4] == 0xff);
	memset(k, 0xff, sizeof(k));
	rtm__trie_key_normalize(k, 32, 16);
	CHECK(k[1] == 0xff && k[2] == 0);
	memset(k, 0xff, sizeof(k));
	rtm__trie_key_normalize(k, 32, 32);
	rtm__trie_key_normalize(k, 32, 40);
	CHECK(k[3] == 0xff);
	memset(k, 0xff, sizeof(k));
	rtm__trie_key_normalize(k, 128, 127);
	CHECK(k[14] == 0xff && k[15] == 0xfe);

	/* covers and cmp: the brief's examples */
	addr(a, "10.0.0.0");
	addr(b, "10.1.0.0");
	CHECK(rtm__trie_covers(a, 8, b, 16) == 1);
	CHECK(rtm__trie_covers(a, 16, b, 16) == 0);
	CHECK(rtm__trie_covers(a, 16, a, 8) == 0); /* plen > len */
	CHECK(rtm__trie_covers(a, 0, b, 0) == 1);
	CHECK(rtm__trie_covers(b, 15, a, 32) == 1);
	CHECK(rtm__trie_cmp(a, 8, a, 16, 32) < 0);
	CHECK(rtm__trie_cmp(a, 16, b, 16, 32) < 0);
	CHECK(rtm__trie_cmp(b, 16, a, 8, 32) > 0);
	CHECK(rtm__trie_cmp(a, 0, b, 0, 32) == 0);
	CHECK(rtm__trie_cmp(a, 40, a, 32, 32) == 0); /* lengths above width are width */
	addr(k, "11.0.0.0");
	CHECK(rtm__trie_cmp(b, 16, k, 8, 32) < 0);
	CHECK(rtm__trie_cmp(a, 0, k, 8, 32) < 0);
	addr(k, "10.255.1.1"); /* host bits beyond len are not read */
	CHECK(rtm__trie_cmp(a, 8, k, 8, 32) == 0);
	CHECK(rtm__trie_covers(k, 8, b, 16) == 1);

	/* against the models, on random keys sharing long prefixes */
	rng_seed(1);
	for (i = 0; i < 200000; i++) {
		unsigned alen = rnd(129), blen = rnd(129), j, flip = rnd(128);

		rnd_bytes(a, 16);
		memcpy(b, a, 16);
		b[flip / 8] ^= (uint8_t)(0x80u >> (flip % 8));
		for (j = 0; j < rnd(3); j++)
			b[rnd(16)] ^= (uint8_t)rng();
		if (rtm__trie_covers(a, alen, b, blen) != model_covers(a, alen, b, blen) ||
		    sign(rtm__trie_cmp(a, alen, b, blen, 128)) != model_cmp(a, alen, b, blen) ||
		    sign(rtm__trie_cmp(b, blen, a, alen, 128)) != model_cmp(b, blen, a, alen)) {
			CHECK(!"helper differs from the model");
			break;
		}
	}
}

/* ---------------------------------------------------------------- small hand-checked tries */

static void test_walk_order_and_queries(void)
{
	static const struct {
		const char *a;
		unsigned len;
	} p[] = {
		/* in walk order */
		{ "0.0.0.0", 0 },    { "10.0.0.0", 8 },    { "10.0.0.0", 16 },
		{ "10.0.0.0", 24 },  { "10.0.1.0", 24 },   { "10.1.0.0", 16 },
		{ "10.128.0.0", 9 }, { "10.200.0.1", 32 }, { "11.0.0.0", 8 },
		{ "192.0.2.0", 24 }, { "192.0.2.128", 25 },
	};
	enum { N = sizeof(p) / sizeof(p[0]) };
	static const unsigned order[N] = { 7, 3, 10, 1, 0, 9, 5, 2, 8, 4, 6 };
	struct obj *o[N];
	struct rtm_trie t;
	struct rtm_trie_node *n;
	unsigned i;

	trie_init(&t, 32);
	for (i = 0; i < N; i++) {
		o[i] = obj_str(32, p[i].a, p[i].len);
		o[i]->id = i;
	}
	for (i = 0; i < N; i++) {
		REQUIRE(rtm__trie_insert(&t, &o[order[i]]->node) == 0);
		REQUIRE(rtm__trie_check(&t) == 0);
	}
	for (i = 0, n = rtm__trie_first(&t); n; n = rtm__trie_next(&t, n), i++)
		CHECK_U(OBJ(n)->id, i);
	CHECK_U(i, N);

	CHECK(longest_str(&t, "10.0.1.77", 32) == &o[4]->node);
	CHECK(longest_str(&t, "10.0.2.1", 32) == &o[2]->node);
	CHECK(longest_str(&t, "10.0.1.77", 23) == &o[2]->node);
	CHECK(longest_str(&t, "10.200.0.1", 32) == &o[7]->node);
	CHECK(longest_str(&t, "10.200.0.0", 32) == &o[6]->node);
	CHECK(longest_str(&t, "10.127.0.0", 32) == &o[1]->node);
	CHECK(longest_str(&t, "12.0.0.0", 32) == &o[0]->node);
	CHECK(longest_str(&t, "192.0.2.200", 32) == &o[10]->node);
	CHECK(exact_str(&t, "10.0.1.0", 24) == &o[4]->node);
	CHECK(exact_str(&t, "10.0.1.99", 24) == &o[4]->node); /* host bits not read */
	CHECK(exact_str(&t, "10.0.1.0", 23) == NULL);
	CHECK(exact_str(&t, "10.0.0.0", 15) == NULL); /* a glue node is not a user node */
	CHECK(rtm__trie_find_less_specific(&t, &o[4]->node) == &o[2]->node);
	CHECK(rtm__trie_find_less_specific(&t, &o[6]->node) == &o[1]->node);
	CHECK(rtm__trie_find_less_specific(&t, &o[9]->node) == &o[0]->node);

	/* seek: present, absent between, after, before first, after last */
	CHECK(seek_str(&t, "10.0.0.0", 16, 0) == &o[2]->node);
	CHECK(seek_str(&t, "10.0.0.0", 16, 1) == &o[3]->node);
	CHECK(seek_str(&t, "10.0.0.0", 20, 0) == &o[3]->node);
	CHECK(seek_str(&t, "10.0.2.0", 24, 0) == &o[5]->node);
	CHECK(seek_str(&t, "10.2.0.0", 16, 1) == &o[6]->node);
	CHECK(seek_str(&t, "10.200.0.1", 32, 1) == &o[8]->node);
	CHECK(seek_str(&t, "0.0.0.0", 0, 0) == &o[0]->node);
	CHECK(seek_str(&t, "0.0.0.0", 0, 1) == &o[1]->node);
	CHECK(seek_str(&t, "192.0.2.128", 25, 1) == NULL);
	CHECK(seek_str(&t, "200.0.0.0", 8, 0) == NULL);

	/* the subtree of 10.0.0.0/8 is one run: 10/8 .. 10.200.0.1/32 */
	{
		uint8_t r[16];
		unsigned seen = 0;

		addr(r, "10.0.0.0");
		for (n = rtm__trie_seek(&t, r, 8, 0); n && rtm__trie_covers(r, 8, n->key, n->len);
		     n = rtm__trie_next(&t, n))
			CHECK_U(OBJ(n)->id, 1 + seen++);
		CHECK_U(seen, 7);
		CHECK(n == &o[8]->node);
	}

	for (i = 0; i < N; i++) {
		rtm__trie_remove(&t, &o[order[N - 1 - i]]->node);
		REQUIRE(rtm__trie_check(&t) == 0);
	}
	CHECK(t.root == 0);
	CHECK_U(t.glue_count, 0);
	CHECK_U(t.spare_count, 0);
	rtm__trie_fini(&t);
	for (i = 0; i < N; i++)
		obj_free(o[i]);
}

/* A user prefix landing on a branch point takes the glue node's place, and gives it back. */
static void test_glue_conversion(void)
{
	struct rtm_trie t;
	struct obj *a = obj_str(32, "10.0.0.0", 16), *b = obj_str(32, "10.1.0.0", 16);
	struct obj *g = obj_str(32, "10.0.0.0", 15), *c = obj_str(32, "10.0.0.0", 24);
	unsigned long allocs;

	trie_init(&t, 32);
	REQUIRE(rtm__trie_insert(&t, &a->node) == 0);
	REQUIRE(rtm__trie_insert(&t, &b->node) == 0);
	CHECK_U(t.glue_count, 1);
	allocs = rtm__alloc_count();
	REQUIRE(rtm__trie_insert(&t, &g->node) == 0);
	CHECK_U(rtm__alloc_count(), allocs); /* the glue node became the spare */
	CHECK_U(t.glue_count, 0);
	CHECK_U(t.spare_count, 1);
	CHECK(t.root == g->node.ref);
	CHECK(rtm__trie_find_less_specific(&t, &b->node) == &g->node);
	CHECK(rtm__trie_check(&t) == 0);
	rtm__trie_remove(&t, &g->node); /* two children: the spare goes back in */
	CHECK_U(rtm__alloc_count(), allocs);
	CHECK_U(t.glue_count, 1);
	CHECK_U(t.spare_count, 0);
	CHECK(t.root && NODE(&t, t.root)->glue && NODE(&t, t.root)->len == 15);
	CHECK(rtm__trie_find_less_specific(&t, &b->node) == NULL);
	CHECK(rtm__trie_check(&t) == 0);
	/* A user node getting its second child costs one spare. */
	REQUIRE(rtm__trie_insert(&t, &c->node) == 0);
	CHECK_U(t.spare_count, 0);
	rtm__trie_remove(&t, &b->node);
	CHECK_U(t.glue_count, 0);
	CHECK(t.root == a->node.ref);
	REQUIRE(rtm__trie_insert(&t, &g->node) == 0);
	CHECK(t.root == g->node.ref && g->node.child[0] == a->node.ref && !g->node.child[1]);
	REQUIRE(rtm__trie_insert(&t, &b->node) == 0);
	CHECK_U(t.spare_count, 1);
	CHECK(rtm__trie_check(&t) == 0);
	rtm__trie_remove(&t, &b->node);
	CHECK_U(t.spare_count, 0);
	CHECK(rtm__trie_check(&t) == 0);
	rtm__trie_fini(&t); /* a, c, g abandoned in the trie: fini frees only its own nodes */
	obj_free(a);
	obj_free(b);
	obj_free(c);
	obj_free(g);
}

/* Prefixes shorter than, equal to and longer than the index block, on both sides of it. */
static void test_index_short_prefixes(void)
{
	static const struct {
		const char *a;
		unsigned len;
	} p[] = { { "0.0.0.0", 0 },	 { "10.0.0.0", 8 },  { "10.0.0.0", 15 },
		  { "10.1.0.0", 16 },	 { "10.1.0.0", 17 }, { "10.1.2.0", 24 },
		  { "10.0.0.0", 7 },	 { "10.1.128.0", 17 }, { "128.0.0.0", 1 } };
	enum { N = sizeof(p) / sizeof(p[0]) };
	struct obj *o[N];
	struct rtm_trie t;
	unsigned i, j;

	trie_init(&t, 32);
	for (i = 0; i < N; i++) {
		o[i] = obj_str(32, p[i].a, p[i].len);
		REQUIRE(rtm__trie_insert(&t, &o[i]->node) == 0);
		REQUIRE(rtm__trie_check(&t) == 0);
	}
	CHECK(t.index != NULL);
	CHECK(longest_str(&t, "10.1.2.3", 32) == &o[5]->node);
	CHECK(longest_str(&t, "10.1.3.3", 32) == &o[4]->node);
	CHECK(longest_str(&t, "10.1.200.3", 32) == &o[7]->node);
	CHECK(longest_str(&t, "10.0.200.3", 32) == &o[2]->node);
	CHECK(longest_str(&t, "10.2.0.0", 32) == &o[1]->node);
	CHECK(longest_str(&t, "11.2.0.0", 32) == &o[6]->node);
	CHECK(longest_str(&t, "200.0.0.0", 32) == &o[8]->node);
	/* Remove in every rotation of the order, checking the index each time. */
	for (j = 0; j < N; j++) {
		for (i = 0; i < N; i++) {
			rtm__trie_remove(&t, &o[(i + j) % N]->node);
			REQUIRE(rtm__trie_check(&t) == 0);
		}
		CHECK(t.root == 0);
		for (i = 0; i < N; i++)
			REQUIRE(rtm__trie_insert(&t, &o[(i * 7 + j) % N]->node) == 0);
		REQUIRE(rtm__trie_check(&t) == 0);
	}
	for (i = 0; i < N; i++)
		rtm__trie_remove(&t, &o[i]->node);
	rtm__trie_fini(&t);
	for (i = 0; i < N; i++)
		obj_free(o[i]);
}

/* ---------------------------------------------------------------- glue memory */

static atomic_int reader_in, reader_go;

static void *reader_main(void *arg)
{
	(void)arg;
	rtm__epoch_enter();
	atomic_store(&reader_in, 1);
	while (!atomic_load(&reader_go))
		sched_yield();
	rtm__epoch_exit();
	return NULL;
}

/* Glue nodes live in the trie's own pool, named by references with the
 * RTM_TRIE_GLUE bit.  One unlinked while a reader is inside its section keeps
 * its memory and its index until the reader has left; then the next glue
 * node takes that index.  Each change that readers can see moves the trie's
 * sequence count by two. */
static void test_glue_through_limbo(void)
{
	struct rtm_trie t;
	struct rtm_limbo l;
	uint32_t seq = 0;
	pthread_t th;
	struct obj *a = obj_str(32, "10.0.0.0", 24), *b = obj_str(32, "10.1.0.0", 24);
	struct obj *c = obj_str(32, "10.2.0.0", 24), *d = obj_str(32, "10.3.0.0", 24);

	memset(&l, 0, sizeof(l));
	trie_init(&t, 32);
	rtm__trie_set_memory(&t, &l, &seq);
	REQUIRE(rtm__trie_insert(&t, &a->node) == 0);
	CHECK_U(t.glue.mapped, 0); /* no glue node yet, no pool memory */
	REQUIRE(rtm__trie_insert(&t, &b->node) == 0);
	CHECK_U(seq, 4);
	struct rtm_trie_node *g = NODE(&t, t.root);
	REQUIRE(g && g->glue && g->len == 15);
	uint32_t gref = g->ref;
	CHECK((gref & RTM_TRIE_GLUE) != 0);
	CHECK(t.glue.mapped > 0);
	CHECK(a->node.parent == gref && b->node.parent == gref);

	atomic_store(&reader_in, 0);
	atomic_store(&reader_go, 0);
	REQUIRE(pthread_create(&th, NULL, reader_main, NULL) == 0);
	while (!atomic_load(&reader_in))
		sched_yield();
	rtm__trie_remove(&t, &b->node);
	CHECK_U(seq, 6);
	CHECK(t.root == a->node.ref && a->node.parent == 0);
	CHECK_U(t.glue_count, 0);
	CHECK_U(l.pending, 1);
	/* What the reader may still be reading is still a glue node on a's
	 * path (b's slot was emptied first). */
	CHECK(g->glue && g->len == 15 && g->child[0] == a->node.ref && g->child[1] == 0);
	CHECK_U(t.glue_free, 0);
	REQUIRE(rtm__trie_insert(&t, &c->node) == 0); /* a new glue /14: not g's index */
	struct rtm_trie_node *g2 = NODE(&t, t.root);
	REQUIRE(g2 && g2->glue && g2->len == 14);
	CHECK(g2->ref != gref);
	CHECK(rtm__trie_check(&t) == 0);

	atomic_store(&reader_go, 1);
	pthread_join(th, NULL);
	rtm__limbo_flush(&l);
	CHECK_U(l.pending, 0);
	CHECK_U(t.glue_free, gref);
	REQUIRE(rtm__trie_insert(&t, &d->node) == 0); /* glue /15 over c and d: g's index again */
	CHECK_U(c->node.parent, gref);
	CHECK(NODE(&t, gref)->len == 15 && NODE(&t, gref)->child[0] == c->node.ref &&
	      NODE(&t, gref)->child[1] == d->node.ref);
	CHECK_U(t.glue_free, 0);
	CHECK(rtm__trie_check(&t) == 0);
	CHECK(longest_str(&t, "10.3.0.9", 32) == &d->node);
	rtm__trie_remove(&t, &a->node);
	rtm__trie_remove(&t, &c->node);
	rtm__trie_remove(&t, &d->node);
	rtm__limbo_flush(&l);
	CHECK(t.root == 0 && t.glue_count == 0 && t.spare_count == 0);
	rtm__trie_fini(&t);
	CHECK_U(t.glue.mapped, 0);
	obj_free(a);
	obj_free(b);
	obj_free(c);
	obj_free(d);
}

int main(void)
{
	RUN(test_empty_trie);
	RUN(test_insert_bad_length);
	RUN(test_len0_and_full_width);
	RUN(test_insert_duplicate);
	RUN(test_remove_only_node);
	RUN(test_checker_catches_faults);
	RUN(test_key_helpers);
	RUN(test_walk_order_and_queries);
	RUN(test_glue_conversion);
	RUN(test_index_short_prefixes);
	RUN(test_glue_through_limbo);
	TEST_MAIN_END();
}
