/*
 * lifetime.c — freeing RIB objects through their classes (lifetime.h).
 */
#include "lifetime.h"

#include "dest.h"
#include "nexthop.h"
#include "nhlist.h"
#include "route.h"

static bool dest_try_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	return rtm__dest_try_free(rib, (struct rtm_dest *)obj);
}

static void dest_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	rtm__dest_free(rib, (struct rtm_dest *)obj);
}

static bool route_try_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	return rtm__route_try_free(rib, (struct rtm_route *)obj);
}

static void route_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	rtm__route_free(rib, (struct rtm_route *)obj);
}

static bool nexthop_try_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	return rtm__nexthop_try_free(rib, (struct rtm_nexthop *)obj);
}

static void nexthop_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	/* Its remote destination is being swept too: do not touch it. */
	((struct rtm_nexthop *)obj)->remote = NULL;
	rtm__nexthop_free(rib, (struct rtm_nexthop *)obj);
}

static const struct rtm_obj_class dest_class = { dest_try_free, dest_free };
static const struct rtm_obj_class route_class = { route_try_free, route_free };
static const struct rtm_obj_class nexthop_class = { nexthop_try_free, nexthop_free };

/* Indexed by RTM_HT_*.  Written once per type above the table, under the
 * registry mutex, before any object of that type exists; read under
 * rib->lock, which orders the two. */
static const struct rtm_obj_class *classes[RTM_HT_MAX] = {
	[RTM_HT_DEST] = &dest_class,
	[RTM_HT_ROUTE] = &route_class,
	[RTM_HT_NEXTHOP] = &nexthop_class,
};

void rtm__obj_class_set(unsigned type, const struct rtm_obj_class *cls)
{
	if (type < RTM_HT_MAX && type != RTM_HT_DEST && type != RTM_HT_ROUTE && type != RTM_HT_NEXTHOP)
		classes[type] = cls;
}

bool rtm__obj_try_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	const struct rtm_obj_class *cls = classes[obj->type];
	return cls ? cls->try_free(rib, obj) : false;
}

void rtm__obj_sweep_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	const struct rtm_obj_class *cls = classes[obj->type];
	if (!cls)
		return;
	if (cls->sweep_free) {
		cls->sweep_free(rib, obj);
	} else {
		obj->dead = 1;
		cls->try_free(rib, obj);
	}
}

bool rtm__obj_needs_reap(struct rtm_obj *obj)
{
	if (obj->dead)
		return true;
	if (obj->type == RTM_HT_DEST)
		return rtm__dest_is_empty((struct rtm_dest *)obj);
	return false;
}

void rtm__rib_tables_init(struct rtm_rib *rib)
{
	rtm__handle_table_init(&rib->handles);
	rib->handles.limbo = &rib->limbo;
	rtm__arena_init(&rib->dest_arena, rtm__dest_size(rib), RTM_HT_DEST, &rib->limbo);
	rtm__arena_init(&rib->route_arena, sizeof(struct rtm_route), RTM_HT_ROUTE, &rib->limbo);
	/* Below the flag's bit, which tells the two kinds apart; with a first
	 * route, no destination holds more than n_routes can count (rib.h). */
	rib->route_arena.limit = RTM_ROUTE_INLINE - 3;
	rtm__arena_init(&rib->nexthop_arena, sizeof(struct rtm_nexthop), RTM_HT_NEXTHOP, &rib->limbo);
	rtm__trie_init(&rib->trie, rib->width, &rib->dest_arena.pool, offsetof(struct rtm_dest, node));
	rtm__trie_set_memory(&rib->trie, &rib->limbo, &rib->trie_seq);
}

void rtm__rib_tables_release_memory(struct rtm_rib *rib)
{
	rtm__limbo_flush(&rib->limbo);
}

void rtm__rib_tables_fini(struct rtm_rib *rib)
{
	rtm__rib_tables_release_memory(rib);
	if (rib->spare_dest)
		rtm__arena_free(&rib->dest_arena, &rib->spare_dest->obj);
	rib->spare_dest = NULL;
	rtm__arena_fini(&rib->dest_arena);
	rtm__arena_fini(&rib->route_arena);
	rtm__arena_fini(&rib->nexthop_arena);
	rtm__nhlists_fini(rib);
	rtm__trie_fini(&rib->trie);
	rtm__handle_table_fini(&rib->handles);
}

RTM_OPTIMISTIC bool rtm__obj_may_need_reap(const struct rtm_obj *obj)
{
	if (obj->dead)
		return true;
	if (obj->type == RTM_HT_DEST) {
		const struct rtm_dest *d = (const void *)obj;
		const struct rtm_dest_ext *ext = d->ext;
		return d->n_routes == 0 && __atomic_load_n(&d->pending, __ATOMIC_ACQUIRE) == 0 &&
		       !(ext && ext->hold_route);
	}
	return false;
}

void rtm__obj_reap(struct rtm_rib *rib, struct rtm_obj *obj)
{
	atomic_store_explicit(&obj->reap_pending, 0, memory_order_relaxed);
	if (rtm__obj_refs(obj) != 0)
		return;
	rtm__obj_try_free(rib, obj);
}

void rtm__obj_unref_locked(struct rtm_rib *rib, struct rtm_obj *obj)
{
	if (rtm__obj_unref(obj) == 0 && rtm__obj_needs_reap(obj) &&
	    !atomic_load_explicit(&obj->reap_pending, memory_order_relaxed))
		rtm__obj_try_free(rib, obj);
}

void rtm__obj_unpin_locked(struct rtm_rib *rib, struct rtm_obj *obj)
{
	if (rtm__obj_unpin(obj) == 0 && rtm__obj_needs_reap(obj) &&
	    !atomic_load_explicit(&obj->reap_pending, memory_order_relaxed))
		rtm__obj_try_free(rib, obj);
}
