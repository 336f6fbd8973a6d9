/*
 * trie_check.c — rtm__trie_check: verifies every invariant of a trie (trie.c's
 * essay lists them) and its direct index, for the tests.  It reads the trie,
 * never changes it, and knows its structure; it lives apart so that trie.c
 * holds only what the library runs.
 */
#include "trie_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IDX_BITS RTM_TRIE_INDEX_BITS
#define IDX_SIZE (1u << IDX_BITS)
#define COARSE_BITS RTM_TRIE_COARSE_BITS
#define COARSE_SIZE (1u << COARSE_BITS)
#define idx_block rtm__trie_index_block
#define N(r) rtm__trie_node(t, (r))

struct check_state {
	const struct rtm_trie *t;
	size_t users, glues, two_child_users;
};

#define FAULT(...)                                                      \
	do {                                                            \
		fprintf(stderr, "rtm__trie_check: " __VA_ARGS__);       \
		fputc('\n', stderr);                                    \
		return -1;                                              \
	} while (0)

static int check_node(struct check_state *st, const struct rtm_trie_node *n, unsigned depth)
{
	const struct rtm_trie *t = st->t;
	unsigned nbytes = t->width / 8, b, i;

	if (depth > t->width + 1)
		FAULT("deeper than width: a cycle?");
	if (n->len > t->width)
		FAULT("len %u > width %u", n->len, t->width);
	if (n->glue > 1)
		FAULT("glue flag %u", n->glue);
	if (n->glue != ((n->ref & RTM_TRIE_GLUE) != 0))
		FAULT("/%u: glue flag %u, reference %#x", n->len, n->glue, n->ref);
	for (i = n->len; i < t->width; i++)
		if (rtm__trie_bit(n->key, i))
			FAULT("/%u has bit %u set beyond its length", n->len, i);
	if (n->glue) {
		st->glues++;
		if (!n->child[0] || !n->child[1])
			FAULT("glue /%u with fewer than two children", n->len);
	} else {
		st->users++;
		if (n->child[0] && n->child[1])
			st->two_child_users++;
	}
	for (b = 0; b < 2; b++) {
		const struct rtm_trie_node *c = N(n->child[b]);

		if (!c)
			continue;
		if (c->ref != n->child[b])
			FAULT("child /%u of /%u does not know its reference", c->len, n->len);
		if (c->parent != n->ref)
			FAULT("child /%u of /%u has a wrong parent", c->len, n->len);
		if (c->len <= n->len)
			FAULT("child /%u not longer than its parent /%u", c->len, n->len);
		if (!rtm__trie_covers(n->key, n->len, c->key, c->len))
			FAULT("child /%u not covered by its parent /%u", c->len, n->len);
		if (rtm__trie_bit(c->key, n->len) != b)
			FAULT("child /%u in slot %u of /%u", c->len, b, n->len);
		if (check_node(st, c, depth + 1))
			return -1;
	}
	(void)nbytes;
	return 0;
}

/*
 * The slots [lo, hi) of a level of `bits`-bit blocks as they should be, when
 * the subtree rooted at n (NULL: none) holds every node of those blocks and
 * c is the longest user prefix shorter than a block above n; a slot's cover
 * is c when c is at least min_cover bits long.  One pass over the nodes above
 * block length and the slots: O(nodes + slots), so that checking a 2^20-slot
 * index stays cheap enough to run after every step of a test.
 */
static void index_expect(const struct rtm_trie *t, const struct rtm_trie_node *n,
			 const struct rtm_trie_node *c, unsigned lo, unsigned hi,
			 struct rtm_trie_slot *exp, unsigned bits, unsigned min_cover)
{
	unsigned a, b, mid, s;
	uint32_t cover = c && c->len >= min_cover ? c->ref : 0;

	if (n && n->len < bits) {
		a = idx_block(n->key) >> (IDX_BITS - bits);
		b = a + (1u << (bits - n->len));
	} else {
		a = b = n ? idx_block(n->key) >> (IDX_BITS - bits) : hi;
	}
	for (s = lo; s < hi; s++)
		if (s < a || s >= b)
			exp[s].cover = cover;
	if (!n)
		return;
	if (n->len >= bits) {
		if (a >= lo && a < hi)
			exp[a].top = n->ref;
		return;
	}
	if (!n->glue)
		c = n;
	mid = a + (1u << (bits - n->len - 1));
	index_expect(t, N(n->child[0]), c, a, mid, exp, bits, min_cover);
	index_expect(t, N(n->child[1]), c, mid, b, exp, bits, min_cover);
}

/* The length of the node ref names, -1 for none (messages). */
static int len_of(const struct rtm_trie *t, uint32_t ref)
{
	return ref ? N(ref)->len : -1;
}

/* Recompute every index slot from the trie and compare. */
static int check_index(const struct rtm_trie *t)
{
	struct rtm_trie_slot *exp;
	unsigned s;

	if (!t->use_index && t->index)
		FAULT("an index that should not exist");
	if (t->use_index && !t->index && (t->root || t->spare))
		FAULT("a non-empty trie without its index");
	if (!t->index)
		return 0;
	/*
	 * One scratch index for every check of the process, kept: tests check
	 * after every step, and a fresh 16 MiB each time would cost its page
	 * faults each time.  Plain calloc: a check must not count as, or fail
	 * like, a trie allocation.  Not thread-safe, like the checker.
	 */
	static struct rtm_trie_slot *scratch;
	if (!scratch && !(scratch = calloc(IDX_SIZE, sizeof(*scratch))))
		FAULT("no memory to check the index");
	exp = scratch;
	memset(exp, 0, COARSE_SIZE * sizeof(*exp));
	index_expect(t, N(t->root), NULL, 0, COARSE_SIZE, exp, COARSE_BITS, 0);
	for (s = 0; s < COARSE_SIZE; s++)
		if (t->coarse[s] != exp[s].cover)
			FAULT("coarse slot %u: cover /%d, expected /%d", s, len_of(t, t->coarse[s]),
			      len_of(t, exp[s].cover));
	memset(exp, 0, IDX_SIZE * sizeof(*exp));
	index_expect(t, N(t->root), NULL, 0, IDX_SIZE, exp, IDX_BITS, COARSE_BITS);
	for (s = 0; s < IDX_SIZE; s++) {
		const struct rtm_trie_slot got = t->index[s], want = exp[s];

		if (got.top != want.top)
			FAULT("index slot %u: top /%d, expected /%d", s, len_of(t, got.top),
			      len_of(t, want.top));
		if (got.cover != want.cover)
			FAULT("index slot %u: cover /%d, expected /%d", s, len_of(t, got.cover),
			      len_of(t, want.cover));
	}
	return 0;
}

int rtm__trie_check(const struct rtm_trie *t)
{
	struct check_state st = { t, 0, 0, 0 };
	size_t spares = 0;

	if (t->width < 8 || t->width > RTM_TRIE_MAX_WIDTH || t->width % 8)
		FAULT("bad width %u", t->width);
	if (t->root) {
		if (N(t->root)->parent)
			FAULT("root has a parent");
		if (N(t->root)->ref != t->root)
			FAULT("the root does not know its reference");
		if (check_node(&st, N(t->root), 0))
			return -1;
	}
	if (st.users != t->count)
		FAULT("%zu user nodes, count says %zu", st.users, t->count);
	if (st.glues != t->glue_count)
		FAULT("%zu glue nodes, glue_count says %zu", st.glues, t->glue_count);
	for (uint32_t s = t->spare; s && spares <= t->spare_count; s = N(s)->child[0]) {
		if (!(s & RTM_TRIE_GLUE) || (s & ~RTM_TRIE_GLUE) >= t->glue_next || !N(s)->glue)
			FAULT("spare %#x is not a glue node", s);
		spares++;
	}
	if (spares != t->spare_count)
		FAULT("%zu spares listed, spare_count says %zu", spares, t->spare_count);
	if (spares != st.two_child_users)
		FAULT("%zu spares for %zu user nodes with two children", spares,
		      st.two_child_users);
	return check_index(t);
}
