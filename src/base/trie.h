/*
 * trie.h — an intrusive, path-compressed binary trie of bit-string prefixes.
 *
 * The trie indexes prefixes (key, len) of at most `width` bits (32 for IPv4,
 * 128 for IPv6, any multiple of 8 up to 128).  It knows nothing of locks,
 * handles or RTM types; the caller serialises access (any number of
 * concurrent readers, or one writer).  trie.c opens with the essay on the
 * structure, its invariants and the measured trade-offs.
 *
 * Keys.  A key is width/8 bytes in network (big-endian) bit order: bit 0 is
 * the most significant bit of key[0].  Convention used everywhere in the
 * library: the bits of a stored key beyond its length are zero.
 * rtm__trie_key_normalize() makes a key follow it; insert normalises the node
 * it is given; query functions document which bits of their key they read.
 *
 * Nodes are intrusive and addressed by 32-bit references.  User objects
 * (destinations) live in a pool (pool.h) the caller names at init, each
 * embedding struct rtm_trie_node at a fixed offset as its LAST member, with
 * width/8 bytes of key after it; the caller fills node.key, node.len and
 * node.ref = rtm__trie_user_ref(its index in the pool) and calls
 * rtm__trie_insert().  The trie never allocates or frees user nodes.  Its
 * own branch ("glue") nodes, rtm__trie_node_size() bytes each, live in a
 * pool of its own.  A reference is 0 (none), a user node's index + 1, or
 * RTM_TRIE_GLUE | a glue node's index: child and parent links and the index
 * slots are 4 bytes, not 8, and a node needs no malloc header.
 */
#ifndef RTM_TRIE_H
#define RTM_TRIE_H

#include <stddef.h>
#include <stdint.h>

#include "pool.h"

/* Longest key the trie supports, in bits. */
#define RTM_TRIE_MAX_WIDTH 128

#define RTM_TRIE_GLUE 0x80000000u

struct rtm_trie_node {
	uint32_t child[2];              /* child[b]: the subtree whose next bit is b (a reference) */
	uint32_t parent;                /* 0 for the root */
	uint32_t ref;                   /* the node's own reference */
	uint8_t len;                    /* prefix length in bits, 0..width */
	uint8_t glue;                   /* 1: a branch node the trie allocated itself */
	uint16_t aux;                   /* the embedding object's; the trie never touches it
					 * (a destination's sequence count, dest.h) */
	uint8_t key[];                  /* width/8 bytes, bits beyond len are zero */
};

/*
 * One entry of the direct index over the first RTM_TRIE_INDEX_BITS bits of a
 * key (see trie.c): for the block of keys that start with those bits, the
 * topmost node that lies inside the block, and the longest user prefix
 * shorter than the block that covers all of it.
 */
#define RTM_TRIE_INDEX_BITS 20
#define RTM_TRIE_COARSE_BITS 12

_Static_assert(RTM_TRIE_INDEX_BITS >= 8 && RTM_TRIE_INDEX_BITS <= 24,
	       "rtm__trie_index_block() reads three bytes");

/* The index slot of a key: its first RTM_TRIE_INDEX_BITS bits (trie.c and
 * its checker). */
static inline unsigned rtm__trie_index_block(const uint8_t *key)
{
	return ((unsigned)key[0] << 16 | (unsigned)key[1] << 8 | key[2]) >> (24 - RTM_TRIE_INDEX_BITS);
}

struct rtm_trie_slot {
	uint32_t top;
	uint32_t cover;
};

struct rtm_trie {
	uint32_t root;              /* 0 when empty */
	unsigned width;             /* key width in bits */
	const struct rtm_pool *users; /* where user nodes are, user_off bytes into their objects */
	size_t user_off;
	size_t count;               /* user nodes in the trie */
	size_t glue_count;          /* glue nodes in the trie */
	/*
	 * Glue nodes held in reserve so that removing a user node that has two
	 * children can put a glue node in its place without allocating.  There
	 * is exactly one spare per user node with two children (see trie.c).
	 * The list is chained through child[0].
	 */
	uint32_t spare;
	size_t spare_count;
	/*
	 * The direct index of width-32 tries (use_index = 1): 2^20 slots,
	 * 8 MiB of zeroed address space allocated by the first insert (pages
	 * become resident only where prefixes of /12 or longer are) and freed
	 * by fini, and in the same block `coarse`: for each of the 2^12 blocks
	 * of the first 12 bits, the longest user prefix shorter than 12 bits
	 * covering it (16 KiB).  Other widths (use_index = 0) have none: see
	 * the measurements in trie.c.
	 */
	struct rtm_trie_slot *index;
	/* The glue and spare nodes: a pool, the next index never used, and the
	 * free ones (chained through child[0]).  A glue node unlinked goes
	 * through the limbo (trie_set_memory; NULL: freed at once). */
	struct rtm_pool glue;
	uint32_t glue_next, glue_free;
	struct rtm_limbo *limbo;
	/* A sequence count (epoch.h) made odd while insert or remove change
	 * what readers can see, or NULL; seq_open: it is odd now. */
	uint32_t *seq;
	int seq_open;
	uint32_t *coarse;
	int use_index;
};

/*
 * Initialise an empty trie of keys of width_bits bits whose user nodes are
 * user_off bytes into the objects of the pool users (which must outlive the
 * trie's use).
 * width_bits: in, a multiple of 8 in 8..128 (asserted).
 */
void rtm__trie_init(struct rtm_trie *t, unsigned width_bits, const struct rtm_pool *users,
		    size_t user_off);

/* For lock-free readers (epoch.h): unlinked glue nodes and replaced chunk
 * arrays freed through this limbo, and this sequence count made odd while
 * an insert or remove changes the trie (not while it only finds an existing
 * node).  Call after init, on an empty trie.  Either may be NULL (free at
 * once; no count); lock-free readers need both (the count's fence orders a
 * new node's chunk before the link to it, trie.c).  With a limbo, insert and
 * remove retire memory into it, so they must not run inside an epoch section,
 * and the limbo's callbacks, which an insert may run, must not touch the
 * trie but through the trie's own (which puts a glue node back on the free
 * list, a step an insert in progress allows). */
struct rtm_limbo;
void rtm__trie_set_memory(struct rtm_trie *t, struct rtm_limbo *limbo, uint32_t *seq);

/*
 * Free every glue and spare node and the index, and leave the trie empty.
 * User nodes still in the trie are abandoned (never read); their fields
 * are stale afterwards.  What went through the limbo must have been freed
 * first.  fini of an initialised empty trie is a no-op, and fini may be
 * called twice; the trie may be reused after rtm__trie_init.
 */
void rtm__trie_fini(struct rtm_trie *t);

/* The reference of the user node of the object at index i of the users pool. */
static inline uint32_t rtm__trie_user_ref(uint32_t i)
{
	return i + 1;
}

/* The node a reference names, NULL for 0.  Safe for lock-free readers
 * (pool.h) for a reference read from the trie inside the epoch section. */
static inline __attribute__((always_inline)) struct rtm_trie_node *
rtm__trie_node(const struct rtm_trie *t, uint32_t ref)
{
	if (ref & RTM_TRIE_GLUE)
		return (struct rtm_trie_node *)rtm__pool_at_optimistic(&t->glue, ref & ~RTM_TRIE_GLUE);
	if (!ref)
		return NULL;
	return (struct rtm_trie_node *)(void *)((char *)rtm__pool_at_optimistic(t->users, ref - 1) +
						 t->user_off);
}

/*
 * Insert a user node.  The caller has filled node->key and node->len; insert
 * zeroes the key bits beyond len and sets every other field.
 * node: in/out, not in any trie, its ref set.
 * Returns:
 *   0        inserted.
 *   -EINVAL  node->len > width (checked first; nothing changed or allocated).
 *   -EEXIST  a user node with the same prefix is present (also when node is
 *            itself already in the trie): nothing changed but node's key
 *            being normalised.
 *   -ENOMEM  the one allocation the insert needed failed: a glue node, a
 *            spare, or (first insert into a width-32 trie) the index.
 *            The trie is exactly as before.
 * At most one allocation is made per call; none when the new node lands on a
 * branch point or between a node and its parent.
 */
int rtm__trie_insert(struct rtm_trie *t, struct rtm_trie_node *node);

/* Insert, or find the user node with node's prefix: as rtm__trie_insert, and
 * on -EEXIST *found is that node (else NULL).  One descent either way. */
int rtm__trie_insert_or_find(struct rtm_trie *t, struct rtm_trie_node *node,
			     struct rtm_trie_node **found);

/*
 * Remove a user node that is in this trie.  Never allocates, never fails; it
 * frees at most one glue or spare node.  Passing a node that is not in the
 * trie is undefined (asserted in debug builds where cheap).  Afterwards
 * node->child and node->parent are 0 and the caller may free node.
 */
void rtm__trie_remove(struct rtm_trie *t, struct rtm_trie_node *node);

/*
 * The user node with exactly this prefix, or NULL.
 * key: in, width/8 readable bytes; its bits from len on are ignored.
 * len > width gives NULL.
 */
struct rtm_trie_node *rtm__trie_find_exact(const struct rtm_trie *t, const uint8_t *key,
					   unsigned len);

/*
 * Longest-prefix match: the user node P with the greatest P.len <= len whose
 * first P.len bits equal those of key, or NULL if none.
 * key: in, width/8 readable bytes; its bits from len on are ignored, so an
 * address lookup passes len = width and a "best cover of prefix (k, l)"
 * query passes l.  len > width is taken as width.
 */
struct rtm_trie_node *rtm__trie_find_longest(const struct rtm_trie *t, const uint8_t *key,
					     unsigned len);

/*
 * The nearest user node strictly shorter than node that covers it (its
 * nearest user ancestor in the trie), or NULL.  node must be in the trie
 * (user or glue).  For a prefix that is not in the trie use
 * rtm__trie_find_longest(t, key, len - 1) when len > 0.
 */
struct rtm_trie_node *rtm__trie_find_less_specific(const struct rtm_trie *t,
						   const struct rtm_trie_node *node);

/*
 * Walk order is pre-order by address bits: a prefix comes before every
 * prefix it covers, and the subtree whose next bit is 0 before the one whose
 * next bit is 1 (0.0.0.0/0 < 10.0.0.0/8 < 10.0.0.0/16 < 10.1.0.0/16 <
 * 11.0.0.0/8).  It is the order of rtm__trie_cmp.  The prefixes covered by a
 * prefix R form one contiguous run of the walk, which starts at
 * rtm__trie_seek(t, R.key, R.len, 0).
 *
 * rtm__trie_first: the first user node, or NULL if the trie has none.
 * rtm__trie_next: the user node after node (which must be in the trie), or
 * NULL at the end.  O(depth) worst case, O(1) amortised over a full walk.
 */
struct rtm_trie_node *rtm__trie_first(const struct rtm_trie *t);
struct rtm_trie_node *rtm__trie_next(const struct rtm_trie *t, const struct rtm_trie_node *node);
/* rtm__trie_prev: the user node before node (which must be in the trie) in
 * walk order, or NULL when it is the first.  O(depth). */
struct rtm_trie_node *rtm__trie_prev(const struct rtm_trie *t, const struct rtm_trie_node *node);

/*
 * The first user node >= (key, len) in walk order, or the first > (key, len)
 * if after != 0; NULL if there is none.  (key, len) need not be in the trie:
 * this is how a walk resumes from a remembered prefix after the node it stood
 * on was removed.  key: width/8 readable bytes, bits from len on ignored;
 * len > width is taken as width.  O(depth) <= O(width).
 */
struct rtm_trie_node *rtm__trie_seek(const struct rtm_trie *t, const uint8_t *key, unsigned len,
				     int after);

/*
 * 1 if prefix (pkey, plen) covers (key, len), i.e. plen <= len and their
 * first plen bits are equal; 0 otherwise.  Reads plen bits of each key.
 */
int rtm__trie_covers(const uint8_t *pkey, unsigned plen, const uint8_t *key, unsigned len);

/*
 * Compare two prefixes in walk order: <0, 0 (same length and same first len
 * bits) or >0.  Lengths above width are taken as width.
 */
int rtm__trie_cmp(const uint8_t *a, unsigned alen, const uint8_t *b, unsigned blen,
		  unsigned width);

/* Zero the bits of key (width/8 bytes) from bit len on.  len >= width: no-op. */
void rtm__trie_key_normalize(uint8_t *key, unsigned width, unsigned len);

/* Bit i of key (0 = most significant bit of key[0]): 0 or 1. */
static inline unsigned rtm__trie_bit(const uint8_t *key, unsigned i)
{
	return (key[i >> 3] >> (7 - (i & 7))) & 1u;
}

/* Bytes a node of a trie of this width needs: what user and glue nodes take. */
static inline size_t rtm__trie_node_size(unsigned width)
{
	return sizeof(struct rtm_trie_node) + width / 8;
}

#endif
