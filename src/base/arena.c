/*
 * arena.c — objects that are their own handle table (arena.h).
 */
#include "arena.h"

#include "alloc.h"
#include "epoch.h"
#include "error.h"

#include <string.h>

#include "sanitize.h"

#define NONE UINT32_MAX
#define HEADER 24u /* bytes of a free object that stay readable: struct rtm_obj, rounded */

void rtm__arena_init(struct rtm_arena *a, size_t size, unsigned type, struct rtm_limbo *limbo)
{
	memset(a, 0, sizeof(*a));
	rtm__pool_init(&a->pool, ((size < HEADER ? HEADER : size) + 7) & ~(size_t)7, limbo);
	a->type = (uint8_t)type;
	a->limit = RTM_HANDLE_SLOT_MAX;
	a->free_head = a->free_tail = NONE;
	a->gen_floor = 1;
}

static inline __attribute__((always_inline)) struct rtm_obj *at(const struct rtm_arena *a, uint32_t index)
{
	return (struct rtm_obj *)rtm__pool_at(&a->pool, index);
}

int rtm__arena_alloc(struct rtm_arena *a, struct rtm_obj **out)
{
	if (rtm__alloc_should_fail())
		return RTM_ENOMEM;
	uint32_t index, gen;
	struct rtm_obj *o;
	if (a->free_head != NONE) {
		index = a->free_head;
		o = at(a, index);
		RTM_UNPOISON((char *)o + HEADER, a->pool.size - HEADER);
		a->free_head = atomic_load_explicit(&o->pins, memory_order_relaxed);
		if (a->free_head == NONE)
			a->free_tail = NONE;
		gen = (o->gen + 1) & RTM_HANDLE_GEN_MASK;
		if (gen == 0)
			gen = 1;
	} else {
		index = a->next;
		if (index > a->limit)
			return RTM_ENOMEM; /* a handle has 30 bits for it, or its owner fewer */
		if (!(o = rtm__pool_first_use(&a->pool, index)))
			return RTM_ENOMEM;
		gen = a->gen_floor;
	}
	memset(o, 0, a->pool.size);
	o->slot = index;
	o->gen = gen;
	if (gen > a->max_gen)
		a->max_gen = gen;
	if (index == a->next)
		__atomic_store_n(&a->next, index + 1, __ATOMIC_RELEASE);
	a->in_use++;
	*out = o;
	return 0;
}

void rtm__arena_publish(struct rtm_arena *a, struct rtm_obj *o)
{
	__atomic_store_n(&o->type, a->type, __ATOMIC_RELEASE);
	a->live++;
}

void rtm__arena_kill(struct rtm_arena *a, struct rtm_obj *o)
{
	__atomic_store_n(&o->type, (uint8_t)0, __ATOMIC_RELEASE);
	a->live--;
}

void rtm__arena_free(struct rtm_arena *a, struct rtm_obj *o)
{
	if (!o)
		return;
	__atomic_store_n(&o->type, (uint8_t)0, __ATOMIC_RELAXED);
	atomic_store_explicit(&o->pins, NONE, memory_order_relaxed);
	if (a->free_tail == NONE)
		a->free_head = o->slot;
	else
		atomic_store_explicit(&at(a, a->free_tail)->pins, o->slot, memory_order_relaxed);
	a->free_tail = o->slot;
	a->in_use--;
	RTM_POISON((char *)o + HEADER, a->pool.size - HEADER);
}

void rtm__arena_free_cb(void *o, void *arena)
{
	rtm__arena_free(arena, o);
}

struct rtm_obj *rtm__arena_lookup(const struct rtm_arena *a, uint32_t index, uint32_t gen)
{
	if (index >= a->next)
		return NULL;
	struct rtm_obj *o = at(a, index);
	if (o->type != a->type || o->gen != gen)
		return NULL;
	return o;
}

RTM_OPTIMISTIC struct rtm_obj *rtm__arena_lookup_optimistic(const struct rtm_arena *a, uint32_t index,
							    uint32_t gen)
{
	if (index >= __atomic_load_n(&a->next, __ATOMIC_ACQUIRE))
		return NULL;
	struct rtm_obj *o = rtm__pool_at_optimistic(&a->pool, index);
	if (__atomic_load_n(&o->type, __ATOMIC_ACQUIRE) != a->type || o->gen != gen)
		return NULL;
	return o;
}

void rtm__arena_foreach(struct rtm_arena *a, void (*fn)(struct rtm_obj *obj, void *arg), void *arg)
{
	for (uint32_t i = 0; i < a->next; i++) {
		struct rtm_obj *o = at(a, i);
		if (o->type == a->type)
			fn(o, arg);
	}
}

void rtm__arena_fini(struct rtm_arena *a)
{
	rtm__pool_fini(&a->pool);
	uint32_t floor = (a->max_gen + 1) & RTM_HANDLE_GEN_MASK, limit = a->limit;
	struct rtm_pool pool = a->pool;
	unsigned type = a->type;
	rtm__arena_init(a, pool.size, type, pool.limbo);
	a->limit = limit;
	a->gen_floor = floor ? floor : 1;
	a->max_gen = a->gen_floor;
}
