/*
 * handle.c — the handle table (see handle.h for the design).
 *
 * Slots live in fixed-size chunks reached through a small array of chunk
 * pointers, so growing the table never moves a slot; the chunk array itself
 * is reallocated only under the RIB's write lock.
 */
#include "handle.h"

#include "alloc.h"
#include "epoch.h"
#include "error.h"

#include <string.h>

#define CHUNK_SHIFT 14u
#define CHUNK_SLOTS (1u << CHUNK_SHIFT)
#define NO_SLOT UINT32_MAX

/* A free slot: bit 0 set, bits 1..31 next free slot + 1 (0 = none), bits 32..55 last gen. */
static inline uintptr_t free_slot_value(uint32_t next, uint32_t gen)
{
	uint64_t nx = next == NO_SLOT ? 0 : (uint64_t)next + 1;
	return (uintptr_t)(((uint64_t)gen << 32) | (nx << 1) | 1u);
}

static inline uint32_t free_slot_next(uintptr_t v)
{
	uint64_t nx = ((uint64_t)v >> 1) & 0x7FFFFFFFu;
	return nx == 0 ? NO_SLOT : (uint32_t)(nx - 1);
}

static inline uint32_t free_slot_gen(uintptr_t v)
{
	return (uint32_t)(((uint64_t)v >> 32) & RTM_HANDLE_GEN_MASK);
}

static inline uintptr_t *slot_ptr(const struct rtm_handle_table *ht, uint32_t slot)
{
	return &ht->chunks[slot >> CHUNK_SHIFT][slot & (CHUNK_SLOTS - 1)];
}

void rtm__handle_table_init(struct rtm_handle_table *ht)
{
	struct rtm_limbo *limbo = ht->limbo;
	memset(ht, 0, sizeof(*ht));
	ht->limbo = limbo;
	ht->free_head = NO_SLOT;
	ht->free_tail = NO_SLOT;
}

void rtm__handle_table_fini(struct rtm_handle_table *ht)
{
	for (uint32_t i = 0; i < ht->nchunks; i++)
		rtm__free(ht->chunks[i]);
	rtm__free(ht->chunks);
	rtm__handle_table_init(ht);
}


/* Makes one more never-used slot available; 0 or RTM_ENOMEM. */
static int grow(struct rtm_handle_table *ht)
{
	if (ht->initialised >= RTM_HANDLE_SLOT_MAX)
		return RTM_ENOMEM;
	if ((ht->initialised >> CHUNK_SHIFT) < ht->nchunks)
		return 0;
	uintptr_t *chunk = rtm__malloc(CHUNK_SLOTS * sizeof(*chunk));
	if (!chunk)
		return RTM_ENOMEM;
	if (ht->nchunks == ht->cap_chunks) {
		/* Lock-free lookups may be reading the old array: it is copied,
		 * and retired rather than freed (epoch.h). */
		uint32_t cap = ht->cap_chunks ? ht->cap_chunks * 2 : 8;
		uintptr_t **c = rtm__malloc(cap * sizeof(*c));
		if (!c) {
			rtm__free(chunk);
			return RTM_ENOMEM;
		}
		if (ht->nchunks)
			memcpy(c, ht->chunks, ht->nchunks * sizeof(*c));
		uintptr_t **old = ht->chunks;
		__atomic_store_n(&ht->chunks, c, __ATOMIC_RELEASE);
		ht->cap_chunks = cap;
		rtm__limbo_retire(ht->limbo, old, rtm__free_cb, NULL);
	}
	ht->chunks[ht->nchunks++] = chunk;
	return 0;
}

int rtm__handle_alloc(struct rtm_handle_table *ht, struct rtm_obj *obj, unsigned type)
{
	uint32_t slot, gen;

	if (ht->free_head != NO_SLOT) {
		slot = ht->free_head;
		uintptr_t v = *slot_ptr(ht, slot);
		ht->free_head = free_slot_next(v);
		if (ht->free_head == NO_SLOT)
			ht->free_tail = NO_SLOT;
		gen = (free_slot_gen(v) + 1) & RTM_HANDLE_GEN_MASK;
		if (gen == 0)
			gen = 1;
	} else {
		int err = grow(ht);
		if (err)
			return err;
		slot = ht->initialised; /* counted once the slot is written (below) */
		gen = 1;
	}
	obj->slot = slot;
	obj->gen = gen;
	obj->type = (uint8_t)type;
	__atomic_store_n(slot_ptr(ht, slot), (uintptr_t)obj, __ATOMIC_RELEASE);
	if (slot == ht->initialised)
		__atomic_store_n(&ht->initialised, slot + 1, __ATOMIC_RELEASE);
	ht->used++;
	return 0;
}

void rtm__handle_free(struct rtm_handle_table *ht, struct rtm_obj *obj)
{
	uint32_t slot = obj->slot;
	*slot_ptr(ht, slot) = free_slot_value(NO_SLOT, obj->gen);
	if (ht->free_tail == NO_SLOT) {
		ht->free_head = slot;
	} else {
		uintptr_t *tail = slot_ptr(ht, ht->free_tail);
		*tail = free_slot_value(slot, free_slot_gen(*tail));
	}
	ht->free_tail = slot;
	ht->used--;
	/* Poison the header so a dangling internal pointer shows up in tests. */
	obj->gen = 0;
	obj->type = 0;
}

HANDLE rtm__handle_encode(unsigned type, unsigned rib, uint32_t slot, uint32_t gen)
{
	uint64_t v = (uint64_t)(type & 7u) | ((uint64_t)(rib & 0x7Fu) << 3) |
		     ((uint64_t)(slot & RTM_HANDLE_SLOT_MAX) << 10) |
		     ((uint64_t)(gen & RTM_HANDLE_GEN_MASK) << 40);
	return (HANDLE)(uintptr_t)v;
}

HANDLE rtm__handle_make(unsigned rib, const struct rtm_obj *obj)
{
	return rtm__handle_encode(obj->type, rib, obj->slot, obj->gen);
}

int rtm__handle_decode(HANDLE h, struct rtm_handle_parts *out)
{
	uint64_t v = (uint64_t)(uintptr_t)h;
	out->type = (unsigned)(v & 7u);
	out->rib = (unsigned)((v >> 3) & 0x7Fu);
	out->slot = (uint32_t)((v >> 10) & RTM_HANDLE_SLOT_MAX);
	out->gen = (uint32_t)((v >> 40) & RTM_HANDLE_GEN_MASK);
	if (out->type == 0 || out->gen == 0)
		return RTM_EHANDLE;
	return 0;
}

struct rtm_obj *rtm__handle_lookup(const struct rtm_handle_table *ht, unsigned rib, HANDLE h,
				   unsigned type)
{
	struct rtm_handle_parts p;
	if (rtm__handle_decode(h, &p) || p.type != type || p.rib != rib)
		return NULL;
	if (p.slot >= ht->initialised)
		return NULL;
	uintptr_t v = *slot_ptr(ht, p.slot);
	if (v & 1u)
		return NULL;
	struct rtm_obj *obj = (struct rtm_obj *)v;
	if (obj->gen != p.gen || obj->type != type)
		return NULL;
	return obj;
}

RTM_OPTIMISTIC struct rtm_obj *rtm__handle_lookup_optimistic(const struct rtm_handle_table *ht,
							      unsigned rib, HANDLE h, unsigned type)
{
	struct rtm_handle_parts p;
	if (rtm__handle_decode(h, &p) || p.type != type || p.rib != rib)
		return NULL;
	if (p.slot >= __atomic_load_n(&ht->initialised, __ATOMIC_ACQUIRE))
		return NULL;
	uintptr_t *const *chunks = __atomic_load_n(&ht->chunks, __ATOMIC_ACQUIRE);
	uintptr_t v = __atomic_load_n(&chunks[p.slot >> CHUNK_SHIFT][p.slot & (CHUNK_SLOTS - 1)],
				      __ATOMIC_ACQUIRE);
	if (v & 1u)
		return NULL;
	struct rtm_obj *obj = (struct rtm_obj *)v;
	if (obj->gen != p.gen || obj->type != type)
		return NULL;
	return obj;
}

void rtm__handle_foreach(struct rtm_handle_table *ht, void (*fn)(struct rtm_obj *obj, void *arg),
			 void *arg)
{
	for (uint32_t slot = 0; slot < ht->initialised; slot++) {
		uintptr_t v = *slot_ptr(ht, slot);
		if (!(v & 1u))
			fn((struct rtm_obj *)v, arg);
	}
}
