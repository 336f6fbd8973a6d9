/*
 * handle.h — handles that cannot hurt.
 *
 * A client never sees a pointer.  Every RTM handle is a 64-bit value
 *
 *     bits  0..2   type tag   (RTM_HT_*, never 0)
 *     bits  3..9   RIB index  (which instance × address family; 0 for entities)
 *     bits 10..39  slot       (index into that RIB's handle table)
 *     bits 40..63  generation (of the slot when the handle was made)
 *
 * A slot holds either a pointer to the live object (low bit 0) or, when free,
 * the slot's last generation and the next free slot (low bit 1).  An object
 * records its own slot and generation in its header, so checking a handle is:
 * decode, bounds-check the slot, read it, and compare type and generation
 * with the object.  NULL, garbage (wrong tag, out-of-range slot), a handle of
 * the wrong kind, and a stale handle (its slot was freed or reused: the
 * generation moved on) all fail the check and the API answers
 * ERROR_INVALID_HANDLE.
 *
 * Freed slots go to the tail of a FIFO free list, so a given slot is reused
 * only after every other free slot has been: with 24 generation bits a stale
 * handle could alias a new object only after its slot was reused 2^24 times.
 *
 * Locking: a table belongs to one RIB and is guarded by that RIB's lock.
 * Lookups need the read lock; alloc and free need the write lock.  Objects
 * are only ever freed under the write lock, so an object found under the read
 * lock stays valid until the read lock is dropped, whatever other threads do
 * with (possibly stale) copies of its handle.
 *
 * References come in two counts.  obj.crefs counts the handles clients hold
 * (one per handle given, one less per handle released); obj.pins counts the
 * internal holders named where they are taken (a route's hold on its
 * destination, a hold-down's on its route, short-lived pins).  The table's
 * own link to a live object is neither: an object is freed when it is both
 * unlinked from the routing table (obj.dead) and unreferenced, both counts 0.
 *
 * A release call must match a handle the client was given, so it is checked
 * against crefs alone: a client that releases a handle twice gets
 * ERROR_INVALID_HANDLE instead of silently dropping an internal reference and
 * having the object freed under its internal holder.  Giving and releasing a
 * handle are one atomic instruction each (the enumerations give and take
 * back millions a second; a locked instruction costs several nanoseconds
 * even on a cached line).
 *
 * Concurrency: both counts move with atomic read-modify-writes, crefs
 * without any lock (lock-free readers give handles, releases take them
 * back), pins mostly under the exclusive lock (a change drain drops an
 * entry's pin without it); objects are freed only under the exclusive lock,
 * after both counts are read as 0 there.  A thread that drops one count
 * and reads the other does both seq_cst, so that of two threads dropping
 * the last pin and the last reference at once, one sees the other's.
 */
#ifndef RTM_HANDLE_H
#define RTM_HANDLE_H

#include <rtmv2.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum rtm_handle_type {
	RTM_HT_ENTITY = 1,
	RTM_HT_DEST = 2,
	RTM_HT_ROUTE = 3,
	RTM_HT_NEXTHOP = 4,
	RTM_HT_ENUM = 5,
	RTM_HT_LIST = 6,
	RTM_HT_NOTIFY = 7,
	RTM_HT_MAX = 8, /* one past the last */
};

#define RTM_HANDLE_MAX_RIBS 128u
#define RTM_HANDLE_GEN_MASK 0xFFFFFFu
#define RTM_HANDLE_SLOT_MAX 0x3FFFFFFFu

/* The header every handle-carrying object starts with. */
struct rtm_obj {
	uint32_t gen;                 /* generation of the slot it occupies */
	uint32_t slot;                /* index in the owning RIB's handle table */
	/* Two 32-bit counts rather than one 64-bit word: the header stays 20
	 * bytes with 4-byte alignment, which saves 8 bytes in every
	 * destination and route (measured: a 64-bit word made both 8 bytes
	 * larger and each a malloc size class up). */
	atomic_uint pins;             /* internal references (see above) */
	atomic_uint crefs;            /* handles held by clients */
	uint8_t type;                 /* RTM_HT_* */
	atomic_uchar reap_pending;    /* queued for a write-locked reap, see svc/release.c */
	uint8_t dead;                 /* unlinked; freed when refs reaches 0 */
	uint8_t spare;
};

struct rtm_limbo;
struct rtm_handle_table {
	struct rtm_limbo *limbo;      /* where a replaced chunk array waits for lock-free readers */
	uintptr_t **chunks;           /* chunk i holds slots [i << CHUNK_SHIFT, …) */
	uint32_t nchunks;
	uint32_t cap_chunks;
	uint32_t initialised;         /* slots below this index have been used at least once */
	uint32_t free_head;           /* FIFO of free slots; UINT32_MAX when empty */
	uint32_t free_tail;
	uint32_t used;                /* slots holding a live object */
};

struct rtm_handle_parts {
	unsigned type;
	unsigned rib;
	uint32_t slot;
	uint32_t gen;
};

void rtm__handle_table_init(struct rtm_handle_table *ht);
void rtm__handle_table_fini(struct rtm_handle_table *ht);

/* Gives obj a slot; sets obj->slot, obj->gen and obj->type.  0 or RTM_ENOMEM. */
int rtm__handle_alloc(struct rtm_handle_table *ht, struct rtm_obj *obj, unsigned type);
/* Frees obj's slot; every handle to it becomes stale. */
void rtm__handle_free(struct rtm_handle_table *ht, struct rtm_obj *obj);

/* The handle naming obj in RIB rib. */
HANDLE rtm__handle_make(unsigned rib, const struct rtm_obj *obj);
HANDLE rtm__handle_encode(unsigned type, unsigned rib, uint32_t slot, uint32_t gen);
/* Splits a handle; returns 0, or RTM_EHANDLE when its type tag is not a valid one. */
int rtm__handle_decode(HANDLE h, struct rtm_handle_parts *out);

/* The live or dead object named by h in this table, checked for type, RIB and
 * generation; NULL when h does not name one.  Needs the RIB lock (either mode). */
struct rtm_obj *rtm__handle_lookup(const struct rtm_handle_table *ht, unsigned rib, HANDLE h,
				   unsigned type);

/* The same without any lock, inside an epoch section (epoch.h): the object
 * may be changing or just freed (it is still memory), so the caller trusts
 * the answer only as far as the client's own reference on the object, or a
 * sequence count, vouches for it. */
struct rtm_obj *rtm__handle_lookup_optimistic(const struct rtm_handle_table *ht, unsigned rib,
					      HANDLE h, unsigned type);

/* Reference counting.  ref (a handle given to a client) and pin (an internal
 * holder) never fail.  claim takes back a client's handle: false (and
 * nothing changed) when no client reference is left, i.e. the handle was
 * released more often than it was given; unclaim undoes a claim (a release
 * that failed on a later handle).  unref is claim answering with the
 * references left, or -1; unpin returns the references left, or -1 when no
 * internal one was. */
static inline void rtm__obj_ref(struct rtm_obj *obj)
{
	atomic_fetch_add_explicit(&obj->crefs, 1, memory_order_relaxed);
}

static inline void rtm__obj_pin(struct rtm_obj *obj)
{
	atomic_fetch_add_explicit(&obj->pins, 1, memory_order_relaxed);
}

/* Both counts: 0 when nothing references the object. */
static inline unsigned rtm__obj_refs(const struct rtm_obj *obj)
{
	return atomic_load_explicit(&obj->pins, memory_order_seq_cst) +
	       atomic_load_explicit(&obj->crefs, memory_order_seq_cst);
}

/* Client references only: does the client side hold one to release? */
static inline unsigned rtm__obj_client_refs(const struct rtm_obj *obj)
{
	return atomic_load_explicit(&obj->crefs, memory_order_acquire);
}

static inline long rtm__obj_unpin(struct rtm_obj *obj)
{
	unsigned cur = atomic_load_explicit(&obj->pins, memory_order_relaxed);
	do {
		if (cur == 0)
			return -1;
	} while (!atomic_compare_exchange_weak_explicit(&obj->pins, &cur, cur - 1,
							memory_order_seq_cst, memory_order_relaxed));
	return (long)rtm__obj_refs(obj);
}

static inline bool rtm__obj_claim(struct rtm_obj *obj)
{
	unsigned cur = atomic_load_explicit(&obj->crefs, memory_order_relaxed);
	do {
		if (cur == 0)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(&obj->crefs, &cur, cur - 1,
							memory_order_seq_cst, memory_order_relaxed));
	return true;
}

static inline void rtm__obj_unclaim(struct rtm_obj *obj)
{
	atomic_fetch_add_explicit(&obj->crefs, 1, memory_order_relaxed);
}

static inline long rtm__obj_unref(struct rtm_obj *obj)
{
	if (!rtm__obj_claim(obj))
		return -1;
	return (long)rtm__obj_refs(obj);
}

/* Calls fn for every live object of the table, in slot order.  fn may free
 * the object it is given (and only that one).  Needs the write lock. */
void rtm__handle_foreach(struct rtm_handle_table *ht, void (*fn)(struct rtm_obj *obj, void *arg),
			 void *arg);

#endif
