/*
 * trie.c — the prefix trie: exact match, longest match, less-specific, ordered walk.
 *
 * The structure.  A path-compressed binary trie (Patricia) over bit strings
 * of at most `width` bits.  Every node stands for one prefix (key, len).
 * User nodes are embedded in the caller's objects; glue nodes are branch
 * points the trie allocates where two subtrees part and no user prefix
 * stands.  A node's child[b] holds the longer prefixes whose bit `len` is b;
 * chains of single-child glue never exist, so the depth is bounded by the
 * number of branchings and user prefixes on the way, never by the width
 * alone, and there are fewer glue nodes than user nodes.
 *
 * Nodes name each other by 32-bit references (trie.h): a user node's index
 * in the caller's pool plus one, or RTM_TRIE_GLUE with a glue node's index
 * in the trie's own pool (pool.h).  Child and parent links and the index
 * slots take 4 bytes where pointers took 8, so a node is 20 bytes plus its
 * key (24 for IPv4, 36 for IPv6), and a glue node needs no malloc header.
 * Following a reference costs two loads from cache-resident lines (the
 * pool's chunk array and the chunk's base) and a multiply; no extra miss.
 *
 * Invariants (rtm__trie_check() verifies every one):
 *  1. A child is strictly longer than its parent, its parent's prefix
 *     covers it, and it sits in slot child[bit parent->len of its key];
 *     child->parent points back, and every node's ref is its own
 *     reference.  Keys are zero beyond len.
 *  2. A glue node has exactly two children (so every subtree holds a user
 *     node and a glue node has len < width); a user node has 0, 1 or 2.
 *  3. count and glue_count count the user and glue nodes in the tree.
 *  4. There is exactly one spare glue node per user node with two children.
 *     Removing such a user node must leave a branch point with its prefix in
 *     its place, and remove may neither allocate nor fail: the spare is that
 *     branch point, paid for in advance by the insert that gave the user node
 *     its second child (the only insert case that allocates a spare; the
 *     others allocate at most one glue node).  A user node that lands on an
 *     existing glue node takes its place and the glue node becomes its spare.
 *  5. Width 32 only, the direct index: slot s (the first B = 20 bits of a
 *     key) holds `top`, the topmost node of at least B bits whose first B
 *     bits are s (all such nodes form one subtree, and the root-down walk of
 *     any key starting with s passes through it), and `cover`, the longest
 *     user prefix of C = 12 to B - 1 bits covering s; coarse[s >> (B - C)]
 *     holds the longest user prefix shorter than C bits covering s.  Every
 *     change of a node's parent calls idx_link(), which records the node if
 *     it became a top; adding or removing a user prefix /l rewrites the
 *     cover of its 2^(B-l) slots when C <= l < B (at most 256), or of its
 *     2^(C-l) coarse slots when l < C (at most 4,096, for /0).  The two
 *     levels keep a default route or a /8 from rewriting, and making
 *     resident, a million slots.
 *
 * Operations.  Insert walks down comparing whole keys a 64-bit word at a
 * time (the key is loaded once into two words; the hot functions are
 * instantiated for 4- and 16-byte keys so IPv4 runs on one word) and makes
 * at most one allocation, before changing anything, so -ENOMEM leaves the
 * trie as it was.  Longest match walks down from the root, or for width 32
 * from the index slot's top with its cover as the first candidate, checks
 * that each node still covers the key (it stops at the first that does not:
 * nothing below it can match) and keeps the last user node seen.  Exact
 * match follows single bits and compares once at the end.  Less-specific
 * climbs parent links to the first user node.
 *
 * Walk order is pre-order (ancestor first, then the 0 subtree, then the 1
 * subtree), which is the order of rtm__trie_cmp; the prefixes covered by R
 * are exactly one subtree, hence one contiguous run.  next() needs no stack:
 * down to child[0] or child[1], else up the parent links to the first
 * ancestor whose 1-subtree we have not visited.  seek() walks down the
 * target's path and, where it leaves the trie, answers with the first user
 * node of the subtree before which the target falls, or of the next one:
 * O(depth), whether or not the target is present.
 *
 * Ownership and locking.  The trie owns its glue and spare nodes and the
 * index; the caller owns the user nodes and the lock (readers only read).
 *
 * Measured (bench/bench_trie.c, the 2023 full table: 901,899 IPv4 and
 * 160,147 IPv6 prefixes; a shared 2-vCPU AMD EPYC VM, 32 MiB L3, 4 KiB
 * pages, gcc or clang -O2; lookups are 10 M longest matches of addresses
 * inside random table prefixes / uniformly random addresses; DPDK 22.11
 * rte_rib measured on the same machine with the same keys; ranges are the
 * spread over several runs on a loaded machine):
 *
 *   IPv4                 insert     inside        uniform       remove
 *   rte_rib              102 ns     0.6 M/s       1.4-1.9 M/s   130-140 ns
 *   Patricia alone       185 ns     0.8 M/s       2.1 M/s        21 ns
 *   Patricia + index/16  70-75 ns   1.1-2.0 M/s   5.4-7.9 M/s    22-25 ns
 *   Patricia + index/20  175-205 ns 2.7 M/s       12 M/s         26-28 ns
 *
 *   IPv6 (no index)      insert     inside        remove
 *   rte_rib6             405 ns     0.7-0.8 M/s   350-385 ns
 *   this trie            60-85 ns   1.0-2.1 M/s   16-20 ns
 *
 * The trie has 0.83 glue and 0.07 spare nodes per IPv4 prefix, mean user
 * depth 21.9 (max 32).  A lookup is a chain of dependent loads, one node per
 * level: with 64 keys (all cached) the plain trie still takes 157 ns, and on
 * random keys each level below the cached top costs a cache (and TLB) miss,
 * ~80 ns here.  A 16-bit index skips the ~14 levels above /16, leaving
 * 8.1 nodes per inside lookup and 1.6 per uniform one, and halves insert
 * time; it costs 1 MiB (1.2 bytes per IPv4 prefix).  The 20-bit index used
 * now skips ~4 levels more, which on this machine (where a dependent miss
 * costs 300 ns once the table no longer fits the cache) took the inside
 * lookup from 780 to 370 ns and the uniform one from 250 to 85 ns; it costs
 * 8 MiB of address space (16 before node references), resident only where
 * prefixes are (9.3 bytes per prefix with the full table, a few pages for a
 * small one).  Only insert and remove
 * maintain it and only insert, exact and longest match read it; the walk
 * functions never look at it.  For IPv6 the same index made lookups slower
 * in back-to-back runs (1.32 -> 1.05 M/s): the table's
 * prefixes share few distinct first 16 bits, so it adds a miss and skips
 * little; width 128 (and every width but 32) goes without.
 *
 * Memory per IPv4 prefix: the 24-byte user node (inside the destination)
 * plus 0.9 glue/spare nodes of 24 bytes (21.8 bytes mapped in the pool) plus
 * 9.3 bytes of index; IPv6: 36 + 36.8.  With 8-byte pointers these were 36 +
 * 43 (glibc's 48-byte chunks) + 18.6 and 48 + 60.  The same run, one
 * sitting (bench_trie, 64-byte payload), pointers -> references: IPv4
 * insert 209-310 -> 119-121 ns, inside lookups 1.35-2.24 -> 2.37-3.43 M/s,
 * uniform 7.1-10.9 -> 11.7-14.7 M/s; IPv6 inside lookups 0.76-0.90 ->
 * 1.21-1.56 M/s, insert 70-109 -> 142-153 ns (in file order the insert is
 * cache-bound, not miss-bound, and with no index an IPv6 descent follows
 * ~24 references from the root).
 *
 * Rejected: multibit or level-compressed tries (DIR-24-8, poptrie, tree
 * bitmap) look up in 2-4 memory accesses but cannot be intrusive, need tens
 * of MiB for IPv4 or per-stride node arrays rebuilt on change, and make the
 * ordered walk, seek and O(len) remove far harder; if forwarding-grade
 * lookups are ever needed, such a structure can be built beside this trie
 * as a cache of it.  A larger index (2^20 slots) would cost 16 MiB, 18 bytes
 * per prefix, for an estimated 4 fewer levels (not measured).
 */
#include "trie.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "epoch.h"
#include "pool.h"
#include "sanitize.h"

/*
 * Readers without a lock.  The RIB's lock-free queries (api/dest.c) descend
 * while one writer changes the trie, and check afterwards, against the RIB's
 * trie sequence count, that no change overlapped: what they read meanwhile
 * may be inconsistent, but it must never be freed memory or a pointer to it.
 * So a node (or an index entry) is made reachable only after all its fields
 * are written (PUBLISH, a release store); nodes the trie allocates are zeroed,
 * so that even a spare's unused child is NULL or a node; a glue node the
 * trie frees goes through rtm__limbo_retire; and the read paths bound their
 * loops (RTM_TRIE_MAX_WIDTH + 2 steps), since a reader that crossed a change
 * may meet a cycle.  A reference is followed through the pool's chunk
 * array (pool.h): the chunk of a new node is published before the node is
 * linked, and the sequence count's fence orders the two for a reader.  fini
 * frees at once: it runs when no reader can be in the trie (a test's end;
 * a RIB's deactivation keeps the trie and its pool for the next life).
 */
#define PUBLISH(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define MAX_STEPS (RTM_TRIE_MAX_WIDTH + 2)

/* A key loaded into two machine words, most significant bits first, zero-padded to 128 bits. */
struct kw {
	uint64_t hi, lo;
};

#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE uint32_t load_be32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static ALWAYS_INLINE uint64_t load_be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/*
 * Load nbytes (1..16) bytes of key.  The hot functions are
 * instantiated with nbytes a constant 4 or 16, so that this is one or two
 * loads and, for IPv4, every operation on the low word folds away.
 */
static ALWAYS_INLINE struct kw kw_load(const uint8_t *key, unsigned nbytes)
{
	struct kw k;

	if (nbytes == 4) {
		k.hi = (uint64_t)load_be32(key) << 32;
		k.lo = 0;
	} else if (nbytes == 16) {
		k.hi = load_be64(key);
		k.lo = load_be64(key + 8);
	} else {
		uint8_t buf[16] = { 0 };

		memcpy(buf, key, nbytes);
		k.hi = load_be64(buf);
		k.lo = load_be64(buf + 8);
	}
	return k;
}

/* The mask of the first len bits (0..128) of a 128-bit key. */
static ALWAYS_INLINE struct kw kw_mask(unsigned len)
{
	struct kw m;
	unsigned h = len < 64 ? len : 64, l = len > 64 ? len - 64 : 0;

	m.hi = h ? UINT64_MAX << (64 - h) : 0;
	m.lo = l ? UINT64_MAX << (64 - l) : 0;
	return m;
}

/* 1 if a and b agree on their first len bits. */
static ALWAYS_INLINE int kw_match(struct kw a, struct kw b, unsigned len)
{
	struct kw m = kw_mask(len);

	return (((a.hi ^ b.hi) & m.hi) | ((a.lo ^ b.lo) & m.lo)) == 0;
}

/* Number of leading bits on which a and b agree (128 if equal). */
static ALWAYS_INLINE unsigned kw_common(struct kw a, struct kw b)
{
	uint64_t x = a.hi ^ b.hi;

	if (x)
		return (unsigned)__builtin_clzll(x);
	x = a.lo ^ b.lo;
	if (x)
		return 64 + (unsigned)__builtin_clzll(x);
	return 128;
}

/* Bit i (0..127) of k. */
static ALWAYS_INLINE unsigned kw_bit(struct kw k, unsigned i)
{
	if (i < 64)
		return (unsigned)(k.hi >> (63 - i)) & 1u;
	return (unsigned)(k.lo >> (127 - i)) & 1u;
}

static ALWAYS_INLINE struct kw kw_and(struct kw a, struct kw b)
{
	a.hi &= b.hi;
	a.lo &= b.lo;
	return a;
}

/* ---------------------------------------------------------------- keys */

void rtm__trie_key_normalize(uint8_t *key, unsigned width, unsigned len)
{
	unsigned nbytes = width / 8, i = len / 8;

	if (len >= width)
		return;
	if (len % 8) {
		key[i] &= (uint8_t)(0xffu << (8 - len % 8));
		i++;
	}
	memset(key + i, 0, nbytes - i);
}

RTM_OPTIMISTIC int rtm__trie_covers(const uint8_t *pkey, unsigned plen, const uint8_t *key, unsigned len)
{
	unsigned full = plen / 8, rem = plen % 8;

	if (plen > len)
		return 0;
	/* Byte by byte, not memcmp: lock-free enumerations call this on keys
	 * they read racily (RTM_OPTIMISTIC), and the sanitizer's memcmp would
	 * check them all the same. */
	for (unsigned i = 0; i < full; i++)
		if (pkey[i] != key[i])
			return 0;
	if (rem && ((pkey[full] ^ key[full]) & (0xffu << (8 - rem)) & 0xffu))
		return 0;
	return 1;
}

int rtm__trie_cmp(const uint8_t *a, unsigned alen, const uint8_t *b, unsigned blen,
		  unsigned width)
{
	unsigned m, i;

	if (alen > width)
		alen = width;
	if (blen > width)
		blen = width;
	m = alen < blen ? alen : blen;
	for (i = 0; i < (m + 7) / 8; i++) {
		unsigned x = (unsigned)(a[i] ^ b[i]), d;

		if (!x)
			continue;
		d = i * 8 + (unsigned)__builtin_clz(x) - (unsigned)(8 * sizeof(unsigned) - 8);
		if (d >= m)
			break;
		return rtm__trie_bit(a, d) ? 1 : -1;
	}
	return alen < blen ? -1 : alen > blen;
}

/* ---------------------------------------------------------------- life */

/* The node of a reference, and a reference read by a lock-free reader: an
 * acquire load, so that the pool's chunk array it then reads is at least as
 * new as the node (pool.h). */
#define N(r) rtm__trie_node(t, (r))
#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)

void rtm__trie_init(struct rtm_trie *t, unsigned width_bits, const struct rtm_pool *users,
		    size_t user_off)
{
	assert(width_bits >= 8 && width_bits <= RTM_TRIE_MAX_WIDTH && width_bits % 8 == 0);
	memset(t, 0, sizeof(*t));
	t->width = width_bits;
	t->users = users;
	t->user_off = user_off;
	rtm__pool_init(&t->glue, (rtm__trie_node_size(width_bits) + 3) & ~(size_t)3, NULL);
	t->use_index = width_bits == 32;
}

void rtm__trie_set_memory(struct rtm_trie *t, struct rtm_limbo *limbo, uint32_t *seq)
{
	t->limbo = limbo;
	t->glue.limbo = limbo;
	t->seq = seq;
}

/* A glue node nobody can reach any more: its index is free for reuse.
 * Under AddressSanitizer the rest of it is poisoned (sanitize.h). */
static void glue_free(void *node, void *trie)
{
	struct rtm_trie *t = trie;
	struct rtm_trie_node *g = node;

	g->child[0] = t->glue_free;
	t->glue_free = g->ref;
	RTM_POISON((char *)g + 8, t->glue.size - 8);
}

/* A glue node just unlinked: lock-free readers may still be on it. */
static void glue_retire(struct rtm_trie *t, struct rtm_trie_node *g)
{
	rtm__limbo_retire(t->limbo, g, glue_free, t);
}

void rtm__trie_fini(struct rtm_trie *t)
{
	rtm__pool_fini(&t->glue);
	rtm__free(t->index);
	t->index = NULL;
	t->coarse = NULL;
	t->root = 0;
	t->spare = 0;
	t->spare_count = 0;
	t->glue_next = t->glue_free = 0;
	t->count = 0;
	t->glue_count = 0;
}

/* The slot of the parent (or the root) that holds n. */
static uint32_t *slot_of(struct rtm_trie *t, const struct rtm_trie_node *n)
{
	struct rtm_trie_node *p = N(n->parent);

	if (!p)
		return &t->root;
	return &p->child[p->child[1] == n->ref];
}

/* ---------------------------------------------------------------- direct index */

#define IDX_BITS RTM_TRIE_INDEX_BITS
#define IDX_SIZE (1u << IDX_BITS)
#define COARSE_BITS RTM_TRIE_COARSE_BITS
#define COARSE_SIZE (1u << COARSE_BITS)
_Static_assert(COARSE_BITS < IDX_BITS, "coarse blocks hold index blocks");

/* The index slot of a key (trie.h). */
#define idx_block rtm__trie_index_block

/* Is x, linked under its current parent, the topmost node of its block? */
static int idx_is_top(const struct rtm_trie *t, const struct rtm_trie_node *x)
{
	return t->index && x->len >= IDX_BITS && (!x->parent || N(x->parent)->len < IDX_BITS);
}

/*
 * x has just been linked under its current parent: if that makes it the
 * topmost node of its block, record it.  Called for every node whose parent
 * changes; a node that is not the topmost of its block leaves the index alone.
 */
static void idx_link(struct rtm_trie *t, const struct rtm_trie_node *x)
{
	if (idx_is_top(t, x))
		PUBLISH(&t->index[idx_block(x->key)].top, x->ref);
}

/* Leaf x is about to go: if it was the topmost node of its block, the block is empty. */
static void idx_unlink_leaf(struct rtm_trie *t, const struct rtm_trie_node *x)
{
	if (idx_is_top(t, x))
		PUBLISH(&t->index[idx_block(x->key)].top, 0u);
}

/*
 * The cover slots of a user prefix u shorter than a block: the first one and
 * how many, in the index (C <= len < B) or in coarse (len < C).
 */
static uint32_t *cover_slot(struct rtm_trie *t, const struct rtm_trie_node *u, unsigned i)
{
	if (u->len >= COARSE_BITS)
		return &t->index[idx_block(u->key) + i].cover;
	return &t->coarse[(idx_block(u->key) >> (IDX_BITS - COARSE_BITS)) + i];
}

static unsigned cover_count(const struct rtm_trie_node *u)
{
	return u->len >= COARSE_BITS ? 1u << (IDX_BITS - u->len) : 1u << (COARSE_BITS - u->len);
}

/* User node u (shorter than a block) was added: it may be the best cover of its blocks. */
static void idx_cover_add(struct rtm_trie *t, const struct rtm_trie_node *u)
{
	if (!t->index || u->len >= IDX_BITS)
		return;
	for (unsigned i = 0, n = cover_count(u); i < n; i++) {
		uint32_t *c = cover_slot(t, u, i);

		if (!*c || N(*c)->len < u->len)
			PUBLISH(c, u->ref);
	}
}

/* User node u (shorter than a block) goes: its nearest user ancestor of the
 * same level (index or coarse) takes over. */
static void idx_cover_del(struct rtm_trie *t, const struct rtm_trie_node *u)
{
	struct rtm_trie_node *repl;

	if (!t->index || u->len >= IDX_BITS)
		return;
	repl = rtm__trie_find_less_specific(t, u);
	if (u->len >= COARSE_BITS && repl && repl->len < COARSE_BITS)
		repl = NULL; /* coarse holds it */
	for (unsigned i = 0, n = cover_count(u); i < n; i++) {
		uint32_t *c = cover_slot(t, u, i);

		if (*c == u->ref)
			PUBLISH(c, repl ? repl->ref : 0u);
	}
}

/* ---------------------------------------------------------------- insert, remove */

/* A zeroed glue node (counted as an allocation, alloc.h), or NULL. */
static struct rtm_trie_node *glue_alloc(struct rtm_trie *t)
{
	struct rtm_trie_node *g;
	uint32_t ref;

	if (rtm__alloc_should_fail())
		return NULL;
	if (t->glue_free) {
		ref = t->glue_free;
		g = N(ref);
		RTM_UNPOISON(g, t->glue.size);
		t->glue_free = g->child[0];
	} else {
		if (t->glue_next >= RTM_TRIE_GLUE)
			return NULL;
		ref = RTM_TRIE_GLUE | t->glue_next;
		if (!(g = rtm__pool_first_use(&t->glue, t->glue_next)))
			return NULL;
		t->glue_next++;
	}
	memset(g, 0, t->glue.size);
	g->ref = ref;
	g->glue = 1; /* a reader that meets it as a spare must not take it for a user node */
	return g;
}

/* The first write of a change that lock-free readers could see: opens the
 * trie's sequence count (trie.h; closed by the public function). */
static inline void changing(struct rtm_trie *t)
{
	if (t->seq && !t->seq_open) {
		rtm__seq_write_begin(t->seq);
		t->seq_open = 1;
	}
}

static inline void changed(struct rtm_trie *t)
{
	if (t->seq_open) {
		rtm__seq_write_end(t->seq);
		t->seq_open = 0;
	}
}

static ALWAYS_INLINE int insert_impl(struct rtm_trie *t, struct rtm_trie_node *node,
				     unsigned nbytes, struct rtm_trie_node **found)
{
	uint32_t *slot = &t->root;
	struct rtm_trie_node *parent = NULL, *cur;
	unsigned len = node->len;
	struct kw k;

	rtm__trie_key_normalize(node->key, t->width, len);
	k = kw_load(node->key, nbytes);

	/*
	 * A prefix at least a block long is in its block's subtree: the walk
	 * from the root would reach the block's topmost node, so start there.
	 */
	if (t->index && len >= IDX_BITS && (cur = N(t->index[idx_block(node->key)].top))) {
		parent = N(cur->parent);
		slot = slot_of(t, cur);
	}

	while ((cur = N(*slot)) != NULL) {
		struct kw c = kw_load(cur->key, nbytes);
		unsigned m = len < cur->len ? len : cur->len;
		unsigned d = kw_common(k, c);

		if (d > m)
			d = m;
		if (d == cur->len && cur->len == len) {
			if (!cur->glue) {
				if (found)
					*found = cur;
				return -EEXIST;
			}
			changing(t);
			/*
			 * The prefix exists as a branch point: the user node takes
			 * the glue node's place.  It now has two children, and the
			 * glue node becomes the spare that this requires.
			 */
			node->child[0] = cur->child[0];
			node->child[1] = cur->child[1];
			node->parent = cur->parent;
			node->glue = 0;
			N(node->child[0])->parent = node->ref;
			N(node->child[1])->parent = node->ref;
			PUBLISH(slot, node->ref);
			idx_link(t, node);
			idx_cover_add(t, node);
			t->glue_count--;
			cur->child[0] = t->spare;
			t->spare = cur->ref;
			t->spare_count++;
			t->count++;
			return 0;
		}
		if (d == cur->len) {
			/* cur covers the new prefix and is shorter: go down. */
			parent = cur;
			slot = &cur->child[kw_bit(k, cur->len)];
			continue;
		}
		if (d == len) {
			/* The new prefix covers cur: it goes between cur and its parent. */
			unsigned b = kw_bit(c, len);

			changing(t);
			node->child[b] = cur->ref;
			node->child[!b] = 0;
			node->parent = parent ? parent->ref : 0;
			node->glue = 0;
			cur->parent = node->ref;
			PUBLISH(slot, node->ref);
			/*
			 * cur's index entry stays right: if node is a block long it
			 * is the block's top instead of cur, else cur stays the top.
			 */
			idx_link(t, node);
			idx_cover_add(t, node);
			t->count++;
			return 0;
		}
		/* They part at bit d: a new glue node of length d takes cur's place. */
		struct rtm_trie_node *g = glue_alloc(t);
		unsigned b = kw_bit(k, d);

		if (!g)
			return -ENOMEM;
		/* The pool may have moved its chunk array, never a node: slot stands. */
		changing(t);
		memcpy(g->key, node->key, t->width / 8);
		rtm__trie_key_normalize(g->key, t->width, d);
		g->len = (uint8_t)d;
		g->parent = parent ? parent->ref : 0;
		g->child[b] = node->ref;
		g->child[!b] = cur->ref;
		cur->parent = g->ref;
		node->parent = g->ref;
		node->child[0] = node->child[1] = 0;
		node->glue = 0;
		PUBLISH(slot, g->ref);
		/* As above, cur is the top of its block before and after, or not at all. */
		idx_link(t, g);
		idx_link(t, node);
		idx_cover_add(t, node);
		t->glue_count++;
		t->count++;
		return 0;
	}

	/*
	 * An empty slot.  If it belongs to a user node whose other slot is
	 * taken, that node gets its second child and needs a spare glue node.
	 */
	if (parent && (parent->child[0] || parent->child[1])) {
		struct rtm_trie_node *s = glue_alloc(t);

		if (!s)
			return -ENOMEM;
		s->child[0] = t->spare;
		t->spare = s->ref;
		t->spare_count++;
	}
	changing(t);
	node->child[0] = node->child[1] = 0;
	node->parent = parent ? parent->ref : 0;
	node->glue = 0;
	PUBLISH(slot, node->ref);
	idx_link(t, node);
	idx_cover_add(t, node);
	t->count++;
	return 0;
}

static int insert_any(struct rtm_trie *t, struct rtm_trie_node *node, struct rtm_trie_node **found)
{
	if (node->len > t->width)
		return -EINVAL;
	if (t->use_index && !t->index) {
		/* Only ever reached while the trie is empty: nothing to fill in.
		 * One block: the index, then the coarse covers. */
		struct rtm_trie_slot *index = rtm__calloc(1, IDX_SIZE * sizeof(*t->index) +
							   COARSE_SIZE * sizeof(*t->coarse));
		if (!index)
			return -ENOMEM;
		t->coarse = (uint32_t *)(void *)(index + IDX_SIZE);
		PUBLISH(&t->index, index);
	}
	int err;
	switch (t->width) {
	case 32:
		err = insert_impl(t, node, 4, found);
		break;
	case 128:
		err = insert_impl(t, node, 16, found);
		break;
	default:
		err = insert_impl(t, node, t->width / 8, found);
		break;
	}
	changed(t);
	return err;
}

int rtm__trie_insert(struct rtm_trie *t, struct rtm_trie_node *node)
{
	return insert_any(t, node, NULL);
}

int rtm__trie_insert_or_find(struct rtm_trie *t, struct rtm_trie_node *node,
			     struct rtm_trie_node **found)
{
	*found = NULL;
	return insert_any(t, node, found);
}

/* Take a node off the spare list. */
static struct rtm_trie_node *spare_pop(struct rtm_trie *t)
{
	struct rtm_trie_node *s = N(t->spare);

	assert(s && t->spare_count > 0);
	t->spare = s->child[0];
	t->spare_count--;
	return s;
}

void rtm__trie_remove(struct rtm_trie *t, struct rtm_trie_node *node)
{
	struct rtm_trie_node *p = N(node->parent);
	struct rtm_trie_node *c0 = N(node->child[0]), *c1 = N(node->child[1]);
	uint32_t *slot;

	assert(!node->glue);
	assert(p ? (p->child[0] == node->ref || p->child[1] == node->ref) : t->root == node->ref);
	changing(t);
	slot = slot_of(t, node);
	idx_cover_del(t, node);

	if (c0 && c1) {
		/* A branch point stays: a spare glue node takes the user node's place. */
		struct rtm_trie_node *s = spare_pop(t);

		memcpy(s->key, node->key, t->width / 8);
		s->len = node->len;
		s->glue = 1;
		s->parent = node->parent;
		s->child[0] = c0->ref;
		s->child[1] = c1->ref;
		c0->parent = s->ref;
		c1->parent = s->ref;
		PUBLISH(slot, s->ref);
		idx_link(t, s);
		t->glue_count++;
	} else if (c0 || c1) {
		struct rtm_trie_node *c = c0 ? c0 : c1;

		c->parent = node->parent;
		PUBLISH(slot, c->ref);
		idx_link(t, c);
	} else {
		idx_unlink_leaf(t, node);
		PUBLISH(slot, 0u);
		if (p && p->glue) {
			/* A glue node left with one child is no longer needed. */
			struct rtm_trie_node *other = N(p->child[0] ? p->child[0] : p->child[1]);

			other->parent = p->parent;
			PUBLISH(slot_of(t, p), other->ref);
			idx_link(t, other);
			glue_retire(t, p);
			t->glue_count--;
		} else if (p && (p->child[0] || p->child[1])) {
			/* p had two children and has one now: its spare goes. */
			glue_retire(t, spare_pop(t));
		}
	}
	node->child[0] = node->child[1] = node->parent = 0;
	t->count--;
	changed(t);
}

/* ---------------------------------------------------------------- lookups */

static ALWAYS_INLINE RTM_OPTIMISTIC struct rtm_trie_node *exact_impl(const struct rtm_trie *t,
						      const uint8_t *key, unsigned len,
						      unsigned nbytes)
{
	struct rtm_trie_node *cur;
	struct kw q = kw_load(key, nbytes);
	struct rtm_trie_slot *index = LOAD(&t->index);

	cur = N(index && len >= IDX_BITS ? LOAD(&index[idx_block(key)].top) : LOAD(&t->root));
	/*
	 * Go down by single bits only and compare the whole prefix once at the
	 * end: the node found is the only candidate.
	 */
	for (unsigned steps = 0; cur && cur->len < len && steps < MAX_STEPS; steps++)
		cur = N(LOAD(&cur->child[kw_bit(q, cur->len)]));
	if (!cur || cur->len != len || cur->glue)
		return NULL;
	return kw_match(kw_load(cur->key, nbytes), q, len) ? cur : NULL;
}

RTM_OPTIMISTIC struct rtm_trie_node *rtm__trie_find_exact(const struct rtm_trie *t, const uint8_t *key,
					   unsigned len)
{
	if (len > t->width)
		return NULL;
	switch (t->width) {
	case 32:
		return exact_impl(t, key, len, 4);
	case 128:
		return exact_impl(t, key, len, 16);
	default:
		return exact_impl(t, key, len, t->width / 8);
	}
}

static ALWAYS_INLINE RTM_OPTIMISTIC struct rtm_trie_node *longest_impl(const struct rtm_trie *t,
							const uint8_t *key, unsigned len,
							unsigned nbytes)
{
	struct rtm_trie_node *cur, *best = NULL;
	struct kw q = kw_load(key, nbytes);
	struct rtm_trie_slot *index = LOAD(&t->index);

	if (index && len >= IDX_BITS) {
		const struct rtm_trie_slot *sl = &index[idx_block(key)];
		uint32_t cover = LOAD(&sl->cover);

		cur = N(LOAD(&sl->top));
		if (!cover)
			cover = LOAD(&t->coarse[idx_block(key) >> (IDX_BITS - COARSE_BITS)]);
		best = N(cover);
	} else {
		cur = N(LOAD(&t->root));
	}
	/*
	 * Every node on the way is checked against the key, so the walk stops
	 * at the first node that does not cover it; all nodes above it did.
	 */
	for (unsigned steps = 0; cur && cur->len <= len && steps < MAX_STEPS; steps++) {
		if (!kw_match(kw_load(cur->key, nbytes), q, cur->len))
			break;
		if (!cur->glue)
			best = cur;
		if (cur->len == len)
			break;
		cur = N(LOAD(&cur->child[kw_bit(q, cur->len)]));
	}
	return best;
}

RTM_OPTIMISTIC struct rtm_trie_node *rtm__trie_find_longest(const struct rtm_trie *t, const uint8_t *key,
					     unsigned len)
{
	if (len > t->width)
		len = t->width;
	switch (t->width) {
	case 32:
		return longest_impl(t, key, len, 4);
	case 128:
		return longest_impl(t, key, len, 16);
	default:
		return longest_impl(t, key, len, t->width / 8);
	}
}

RTM_OPTIMISTIC struct rtm_trie_node *rtm__trie_find_less_specific(const struct rtm_trie *t,
								  const struct rtm_trie_node *node)
{
	struct rtm_trie_node *p;
	unsigned steps = 0;

	for (p = N(LOAD(&node->parent)); p && steps < MAX_STEPS; p = N(LOAD(&p->parent)), steps++)
		if (!p->glue)
			return p;
	return NULL;
}

/* ---------------------------------------------------------------- walk */

/* The first user node of the subtree rooted at n (n itself if it is one). */
RTM_OPTIMISTIC static struct rtm_trie_node *subtree_first(const struct rtm_trie *t,
							  struct rtm_trie_node *n)
{
	/* Every glue node has two children, so every subtree holds a user node.
	 * (A lock-free reader that crossed a change may find none: NULL.) */
	for (unsigned steps = 0; n && n->glue; steps++) {
		if (steps == MAX_STEPS)
			return NULL;
		/* The walk comes back for the right subtree after the left
		 * one; its first node is asked for now so that the miss
		 * overlaps with the left subtree's (most are small). */
		__builtin_prefetch(N(LOAD(&n->child[1])));
		n = N(LOAD(&n->child[0]));
	}
	return n;
}

/* The root of the subtree that follows n's subtree in walk order, or NULL. */
RTM_OPTIMISTIC static struct rtm_trie_node *after_subtree(const struct rtm_trie *t,
							  const struct rtm_trie_node *n)
{
	struct rtm_trie_node *p;
	unsigned steps = 0;

	for (; (p = N(LOAD(&n->parent))) != NULL && steps < MAX_STEPS; n = p, steps++) {
		uint32_t right = LOAD(&p->child[1]);
		if (LOAD(&p->child[0]) == n->ref && right)
			return N(right);
	}
	return NULL;
}

/* The first user node after n (user or glue) in walk order, or NULL. */
RTM_OPTIMISTIC static struct rtm_trie_node *next_node(const struct rtm_trie *t,
						      const struct rtm_trie_node *n)
{
	uint32_t c0 = LOAD(&n->child[0]), c1 = LOAD(&n->child[1]);
	struct rtm_trie_node *r;

	if (c0) {
		if (c1)
			__builtin_prefetch(N(c1));
		return subtree_first(t, N(c0));
	}
	if (c1)
		return subtree_first(t, N(c1));
	r = after_subtree(t, n);
	return r ? subtree_first(t, r) : NULL;
}

/* The leaf below n reached by going to child[side] wherever there is one:
 * the last node of n's subtree in walk order for side 1 (a leaf, and leaves
 * are user nodes). */
static struct rtm_trie_node *outer_leaf(const struct rtm_trie *t, struct rtm_trie_node *n,
					unsigned side)
{
	for (;;) {
		if (n->child[side])
			n = N(n->child[side]);
		else if (n->child[!side])
			n = N(n->child[!side]);
		else
			return n;
	}
}

struct rtm_trie_node *rtm__trie_prev(const struct rtm_trie *t, const struct rtm_trie_node *node)
{
	for (const struct rtm_trie_node *n = node; n->parent; n = N(n->parent)) {
		struct rtm_trie_node *p = N(n->parent);
		if (p->child[1] == n->ref && p->child[0])
			return outer_leaf(t, N(p->child[0]), 1);
		if (!p->glue)
			return p;
		/* A glue parent: what comes before its subtree comes before n. */
	}
	return NULL;
}

struct rtm_trie_node *rtm__trie_first(const struct rtm_trie *t)
{
	return subtree_first(t, N(LOAD(&t->root)));
}

struct rtm_trie_node *rtm__trie_next(const struct rtm_trie *t, const struct rtm_trie_node *node)
{
	return next_node(t, node);
}

RTM_OPTIMISTIC static struct rtm_trie_node *seek_impl(const struct rtm_trie *t, const uint8_t *key,
						      unsigned len, int after, unsigned nbytes)
{
	struct rtm_trie_node *cur = N(LOAD(&t->root)), *r;
	struct kw q = kw_and(kw_load(key, nbytes), kw_mask(len));

	for (unsigned steps = 0; cur && steps < MAX_STEPS; steps++) {
		unsigned m = len < cur->len ? len : cur->len;
		unsigned d = kw_common(q, kw_load(cur->key, nbytes));
		unsigned b;

		if (d < m) {
			/*
			 * The target parts from cur's subtree at bit d: it comes
			 * before the whole subtree if its bit is 0, after it if 1.
			 */
			if (!kw_bit(q, d))
				return subtree_first(t, cur);
			r = after_subtree(t, cur);
			return r ? subtree_first(t, r) : NULL;
		}
		if (cur->len > len)
			return subtree_first(t, cur); /* the target covers cur */
		if (cur->len == len)
			return after ? next_node(t, cur) : subtree_first(t, cur);
		/* cur covers the target and is shorter: the target is below. */
		b = kw_bit(q, cur->len);
		uint32_t c = LOAD(&cur->child[b]), other = LOAD(&cur->child[1]);
		if (c) {
			cur = N(c);
			continue;
		}
		/* The target would sit in an empty slot. */
		if (b == 0 && other)
			return subtree_first(t, N(other));
		r = after_subtree(t, cur);
		return r ? subtree_first(t, r) : NULL;
	}
	return NULL;
}

RTM_OPTIMISTIC struct rtm_trie_node *rtm__trie_seek(const struct rtm_trie *t, const uint8_t *key, unsigned len,
				     int after)
{
	if (len > t->width)
		len = t->width;
	return seek_impl(t, key, len, after, t->width / 8);
}
