/*
 * route.c — routes: add, update, delete, expiry.
 *
 * A route belongs to one destination and one owner (the entity that added
 * it).  It sits in its destination's list, which is kept in decide.h order,
 * so adding or changing a route is: check and prepare everything that can
 * fail (allocations, the expiry timer), then commit without failure (unlink,
 * set fields, re-insert in order), then compare the destination's best-route
 * state before and after to produce the change flags and the notifications.
 * Running out of memory therefore always leaves the table as it was.
 *
 * Route identity (RtmAddRouteToDest): the route named by the handle; else
 * the caller's route on the destination learned from the same neighbour (any
 * neighbour with RTM_ROUTE_CHANGE_FIRST); else, or with RTM_ROUTE_CHANGE_NEW,
 * a new route.
 *
 * References a route holds: its destination (an internal pin, obj.pins, not
 * a client reference, so that no client release can take it away), its owner
 * entity, and each next hop it names (route_refs).  A deleted route is unlinked at once
 * and marked dead (State RTM_ROUTE_STATE_DELETED); it is freed when the last
 * client handle is released, so a handle never dangles.
 *
 * The owner's in-place view (RtmGetRoutePointer, RtmLockRoute) is a separate
 * RTM_ROUTE_INFO, the "shadow", allocated on first use (or when a lifetime is
 * armed) and rewritten at every commit; RtmUpdateAndUnlockRoute reads the
 * owner's edits back from it.  Other readers never look at the shadow, so an
 * owner editing it races with nobody.  The in-place protocol of the
 * programming guide moves next-hop references through the client: the route's
 * lock lends the owner a reference on each of its next hops, a next hop the
 * owner puts in the shadow carries a reference it took with
 * RtmReferenceHandles, the commit takes over one client reference for every
 * next hop the edited route names, and the lent reference of one taken out
 * is the owner's to release with RtmReleaseNextHops (inplace_refs below).
 *
 * Expiry: a finite TimeToLive arms a timer record (timerrec.h).  When it
 * fires, the owner gets RTM_ROUTE_EXPIRED with a referenced handle of the
 * route and, as Context2, the owner's in-place information (the shadow); if
 * it answers ERROR_NOT_SUPPORTED (or has no callback) the route is deleted
 * and the handle released by the RTM; any other answer leaves the route and
 * the handle to the owner, who may edit the route through Context2 under
 * RtmLockRoute and commit with RtmUpdateAndUnlockRoute.
 */
#include "route.h"

#include "alloc.h"
#include "decide.h"
#include "dest.h"
#include "entity.h"
#include "error.h"
#include "netaddr.h"
#include "nexthop.h"
#include "nhlist.h"
#include "changes.h"
#include "lifetime.h"
#include "timerrec.h"

#include <string.h>

/* ---- lookups and small helpers ----------------------------------------- */

struct rtm_route *rtm__route_lookup(struct rtm_rib *rib, HANDLE h)
{
	return (struct rtm_route *)rtm__rib_lookup(rib, h, RTM_HT_ROUTE);
}

struct rtm_route_ext *rtm__route_ext(struct rtm_route *route)
{
	if (route->ext)
		return route->ext;
	struct rtm_route_ext *ext = rtm__calloc(1, sizeof(*ext));
	if (!ext)
		return NULL;
	rtm__link_init(&ext->list_item.link);
	ext->self = route;
	route->ext = ext;
	return ext;
}

static size_t route_info_size(const struct rtm_rib *rib)
{
	return RTM_SIZE_OF_ROUTE_INFO(rib->cfg.max_next_hops_in_route);
}

void rtm__route_fill_info(struct rtm_rib *rib, const struct rtm_route *route, PRTM_ROUTE_INFO out,
			  bool take_refs)
{
	if (take_refs) {
		rtm__obj_ref(&route->dest->obj);
		rtm__entity_ref_client(route->owner);
	}
	out->DestHandle = rtm__rib_handle(rib, &route->dest->obj);
	out->RouteOwner = rtm__entity_handle(route->owner);
	out->Neighbour = NULL;
	if (route->neighbour) {
		if (take_refs)
			rtm__obj_ref(&route->neighbour->obj);
		out->Neighbour = rtm__rib_handle(rib, &route->neighbour->obj);
	}
	out->State = route->state;
	out->Flags1 = route->flags1;
	out->Flags = route->flags;
	out->PrefInfo = route->pref;
	out->BelongsToViews = route->views;
	out->EntitySpecificInfo = route->entity_specific;
	out->NextHopsList.NumNextHops = route->n_nexthops;
	struct rtm_nexthop *const *nh = rtm__route_nexthops(route);
	for (unsigned i = 0; i < route->n_nexthops; i++) {
		if (take_refs)
			rtm__obj_ref(&nh[i]->obj);
		out->NextHopsList.NextHops[i] = rtm__rib_handle(rib, &nh[i]->obj);
	}
}

static void sync_shadow(struct rtm_rib *rib, struct rtm_route *route)
{
	if (route->ext && route->ext->shadow)
		rtm__route_fill_info(rib, route, route->ext->shadow, false);
}

/* ---- the sorted list of a destination ---------------------------------- */

/* dest->views and dest->views_mixed summarise the routes' views; a route's
 * views change only while it is unlinked, so link and unlink keep them. */
static void dest_unlink(struct rtm_dest *dest, struct rtm_route *route)
{
	for (struct rtm_route **pp = &dest->routes; *pp; pp = &(*pp)->next)
		if (*pp == route) {
			*pp = route->next;
			route->next = NULL;
			dest->n_routes--;
			break;
		}
	if (!dest->views_mixed) {
		/* All the routes belonged to the same views, the rest still do. */
		if (!dest->routes)
			dest->views = 0;
		return;
	}
	RTM_VIEW_SET all = 0, common = ~(RTM_VIEW_SET)0;
	for (const struct rtm_route *r = dest->routes; r; r = r->next) {
		all |= r->views;
		common &= r->views;
	}
	dest->views = all;
	dest->views_mixed = dest->routes && all != common;
}

static void dest_link(struct rtm_dest *dest, struct rtm_route *route)
{
	struct rtm_route **pp = &dest->routes;
	while (*pp && rtm__decide_cmp(*pp, route) < 0)
		pp = &(*pp)->next;
	route->next = *pp;
	__atomic_store_n(pp, route, __ATOMIC_RELEASE); /* published whole (dest.h) */
	if (dest->n_routes++ && route->views != dest->views)
		dest->views_mixed = 1;
	dest->views |= route->views;
}

/* ---- what a client asks for ------------------------------------------------ */

int rtm__route_spec_from_info(struct rtm_rib *rib, struct rtm_entity *caller, const RTM_ROUTE_INFO *info,
			  struct rtm_route_spec *spec)
{
	if (info->NextHopsList.NumNextHops > rib->cfg.max_next_hops_in_route)
		return RTM_EINVAL;
	if (!rtm__views_supported(rib, info->BelongsToViews))
		return RTM_EINVAL;
	spec->neighbour = NULL;
	if (info->Neighbour) {
		spec->neighbour = rtm__nexthop_live(rib, info->Neighbour);
		if (!spec->neighbour)
			return RTM_EHANDLE;
	}
	spec->n_nexthops = info->NextHopsList.NumNextHops;
	for (unsigned i = 0; i < spec->n_nexthops; i++) {
		struct rtm_nexthop *nh = rtm__nexthop_live(rib, info->NextHopsList.NextHops[i]);
		if (!nh)
			return RTM_EHANDLE;
		if (nh->owner != caller)
			return RTM_EACCES;
		spec->nexthops[i] = nh;
	}
	spec->pref = info->PrefInfo;
	spec->views = info->BelongsToViews;
	spec->flags = info->Flags;
	spec->flags1 = info->Flags1;
	spec->entity_specific = info->EntitySpecificInfo;
	return 0;
}

/* Commits spec into route (unlinked from its destination meanwhile).
 * `list` is the shared list of spec's next hops, referenced (nhlist.h). */
static void commit_spec(struct rtm_rib *rib, struct rtm_route *route, const struct rtm_route_spec *spec,
			struct rtm_nh_list *list)
{
	/* Reference the new next hops before dropping the old ones: they may be
	 * the same objects. */
	if (spec->neighbour)
		rtm__nexthop_route_ref(spec->neighbour);
	for (unsigned i = 0; i < spec->n_nexthops; i++)
		rtm__nexthop_route_ref(spec->nexthops[i]);

	struct rtm_nexthop *old_neighbour = route->neighbour;
	struct rtm_nh_list *old = route->nhl;

	route->neighbour = spec->neighbour;
	route->n_nexthops = (uint16_t)spec->n_nexthops;
	/* One store: a lock-free reader takes the count and the next hops from
	 * whichever list it loads (route_read.c). */
	__atomic_store_n(&route->nhl, list, __ATOMIC_RELEASE);
	route->pref = spec->pref;
	route->views = spec->views;
	route->flags = spec->flags;
	route->flags1 = spec->flags1;
	route->entity_specific = spec->entity_specific;

	if (old_neighbour)
		rtm__nexthop_route_unref(rib, old_neighbour);
	for (unsigned i = 0; i < old->n; i++)
		rtm__nexthop_route_unref(rib, old->nh[i]);
	rtm__nhlist_put(rib, old);
}

/* ---- route objects ---------------------------------------------------------- */

/*
 * A destination's first route lives in the destination (rib.h): no
 * allocation, and a lookup finds it next to the destination's own fields.
 * The place is used once per life of the destination, so that its handles
 * (the destination's index and generation) never name two routes; later
 * routes, and every route once the first went, come from the route arena.
 */
static struct rtm_route *route_new(struct rtm_rib *rib, struct rtm_dest *dest, struct rtm_entity *owner)
{
	struct rtm_route *route;
	if (!dest->first_used && dest->obj.slot < RTM_ROUTE_INLINE) {
		if (rtm__alloc_should_fail())
			return NULL; /* counted as the allocation it stands for */
		route = &dest->first;
		dest->first_used = 1;
		route->obj.slot = dest->obj.slot | RTM_ROUTE_INLINE;
		route->obj.gen = dest->obj.gen;
	} else {
		struct rtm_obj *o;
		if (rtm__arena_alloc(&rib->route_arena, &o))
			return NULL;
		route = (struct rtm_route *)o;
	}
	route->dest = dest;
	route->owner = owner;
	route->state = RTM_ROUTE_STATE_CREATED;
	route->seq = ++rib->route_seq;
	route->nhl = &rtm__nhlist_none;
	rtm__obj_pin(&dest->obj);
	rtm__entity_ref(owner);
	rib->stats.routes++;
	if (rtm__route_is_inline(route))
		__atomic_store_n(&route->obj.type, (uint8_t)RTM_HT_ROUTE, __ATOMIC_RELEASE);
	else
		rtm__arena_publish(&rib->route_arena, &route->obj);
	return route;
}

void rtm__route_free(struct rtm_rib *rib, struct rtm_route *route)
{
	/* Killed first: a lock-free reader that took references on what the
	 * route names looks its handle up again after, and a next hop dropped
	 * below is freed only after a full fence (lifetime.h), so one of the
	 * two sees the other.  The next hops change inside the destination's
	 * write, as every change of a route's fields does (route_read.c). */
	if (rtm__route_is_inline(route))
		__atomic_store_n(&route->obj.type, (uint8_t)0, __ATOMIC_RELEASE);
	else
		rtm__arena_kill(&rib->route_arena, &route->obj);
	struct rtm_route_spec none = { 0 };
	bool opened = rtm__dest_write_begin(route->dest);
	commit_spec(rib, route, &none, &rtm__nhlist_none); /* drops every next-hop reference */
	rtm__dest_write_end(route->dest, opened);
	if (route->ext) {
		rtm__timerrec_cancel(rib, &route->ext->expiry);
		if (route->ext->list)
			rtm__list_move(route, NULL);
		rtm__free(route->ext->shadow);
		rtm__free(route->ext);
	}
	struct rtm_dest *dest = route->dest;
	struct rtm_entity *owner = route->owner;
	rib->stats.routes--;
	/* Lock-free readers may still hold it (dest.h).  A first route is
	 * destination memory, which goes through the limbo with the
	 * destination, after this route's pin on it is dropped below. */
	if (!rtm__route_is_inline(route))
		rtm__limbo_retire(&rib->limbo, route, rtm__arena_free_cb, &rib->route_arena);
	rtm__entity_unref(owner);
	rtm__obj_unpin_locked(rib, &dest->obj);
}

struct foreach_first {
	void (*fn)(struct rtm_obj *obj, void *arg);
	void *arg;
};

static void foreach_first(struct rtm_obj *obj, void *arg)
{
	struct foreach_first *f = arg;
	struct rtm_dest *dest = (struct rtm_dest *)obj;
	if (dest->first.obj.type == RTM_HT_ROUTE)
		f->fn(&dest->first.obj, f->arg);
}

void rtm__routes_foreach(struct rtm_rib *rib, void (*fn)(struct rtm_obj *obj, void *arg), void *arg)
{
	struct foreach_first f = { fn, arg };
	rtm__arena_foreach(&rib->route_arena, fn, arg);
	rtm__arena_foreach(&rib->dest_arena, foreach_first, &f);
}

bool rtm__route_try_free(struct rtm_rib *rib, struct rtm_route *route)
{
	/* Made dead before, references read after (lifetime.h). */
	rtm__full_fence();
	if (!route->obj.dead || rtm__obj_refs(&route->obj) ||
	    atomic_load_explicit(&route->obj.reap_pending, memory_order_relaxed))
		return false;
	rtm__route_free(rib, route);
	return true;
}

/* Deletes a live route: unlink, hold-down, report.  rib->lock exclusive.
 * Returns whether the best route of some view changed. */
bool rtm__route_delete(struct rtm_rib *rib, struct rtm_route *route)
{
	struct rtm_dest *dest = route->dest;
	struct rtm_dest_state before, after;
	rtm__dest_state(rib, dest, &before);
	RTM_VIEW_SET had = dest->views;

	bool opened = rtm__dest_write_begin(dest);
	dest_unlink(dest, route);
	route->obj.dead = 1;
	route->state = RTM_ROUTE_STATE_DELETED;
	if (route->ext) {
		rtm__timerrec_cancel(rib, &route->ext->expiry);
		if (route->ext->list)
			rtm__list_move(route, NULL);
	}
	sync_shadow(rib, route);
	RTM_VIEW_SET emptied = had & ~dest->views & route->views;
	if (emptied)
		rtm__dest_hold_removed(rib, dest, route, emptied);
	rtm__dest_touch(dest);
	rtm__dest_write_end(dest, opened);

	rtm__dest_state(rib, dest, &after);
	struct rtm_dest_change ch;
	rtm__dest_diff(rib, &before, &after, route->views, &ch);
	/* Keep dest alive through the report: freeing the route may drop its last
	 * reference. */
	rtm__obj_pin(&dest->obj);
	rtm__notify_changed(rib, dest, &ch);
	rtm__route_try_free(rib, route);
	rtm__obj_unpin_locked(rib, &dest->obj);
	return ch.best != 0;
}

static bool owns_some(const struct rtm_dest *dest, const struct rtm_entity *e)
{
	for (const struct rtm_route *r = dest->routes; r; r = r->next)
		if (r->owner == e)
			return true;
	return dest->ext && dest->ext->hold_route && dest->ext->hold_route->owner == e;
}

bool rtm__routes_remove_owned_if(struct rtm_rib *rib, struct rtm_entity *e,
				 bool (*may)(void *ctx, const struct rtm_dest *dest), void *ctx)
{
	bool skipped = false;
	struct rtm_dest *dest = rib->first_dest;
	while (dest) {
		struct rtm_dest *next = dest->next;
		if (!owns_some(dest, e)) {
			dest = next;
			continue;
		}
		if (may && !may(ctx, dest)) {
			skipped = true;
			dest = next;
			continue;
		}
		/* Pin the destination: deleting its routes may free it. */
		rtm__obj_pin(&dest->obj);
		struct rtm_route *r = dest->routes;
		while (r) {
			struct rtm_route *rn = r->next;
			if (r->owner == e)
				rtm__route_delete(rib, r);
			r = rn;
		}
		if (dest->ext && dest->ext->hold_route && dest->ext->hold_route->owner == e)
			rtm__dest_hold_end(rib, dest);
		next = dest->next;
		rtm__obj_unpin_locked(rib, &dest->obj);
		dest = next;
	}
	return skipped;
}

void rtm__routes_remove_owned(struct rtm_rib *rib, struct rtm_entity *e)
{
	rtm__routes_remove_owned_if(rib, e, NULL, NULL);
}

/* ---- expiry ---------------------------------------------------------------- */

static PRTM_ROUTE_INFO shadow_alloc(struct rtm_rib *rib, struct rtm_route *route);

/* A route with a lifetime has its shadow from the start: the expiry event
 * hands the owner that in-place RTM_ROUTE_INFO as Context2, and the owner
 * may edit it there and commit with RtmUpdateAndUnlockRoute; an allocation
 * in the timer could only fail where nobody can be told. */
static int arm_expiry(struct rtm_rib *rib, struct rtm_route *route, ULONG ttl)
{
	struct rtm_route_ext *ext = rtm__route_ext(route);
	if (!ext || !shadow_alloc(rib, route))
		return RTM_ENOMEM;
	return rtm__timerrec_arm(rib, &ext->expiry, rtm__rib_handle(rib, &route->obj), ttl,
				 rib->hooks->route_expired);
}

/* ---- add / update ------------------------------------------------------------ */

static struct rtm_route *find_existing(struct rtm_dest *dest, struct rtm_entity *owner, bool first,
				       const struct rtm_nexthop *neighbour)
{
	for (struct rtm_route *r = dest->routes; r; r = r->next)
		if (r->owner == owner && (first || r->neighbour == neighbour))
			return r;
	return NULL;
}

/* Applies spec (and lifetime and list) to route, which is new or live.
 * Everything that can fail happens before the first change. */
int rtm__route_apply(struct rtm_rib *rib, struct rtm_route *route, const struct rtm_route_spec *spec, ULONG ttl,
		 struct rtm_route_list *list, bool is_new, DWORD *change_flags)
{
	/* The next hops are named through a shared list (nhlist.c), referenced
	 * here and given back if a later step fails. */
	struct rtm_nh_list *nhl = rtm__nhlist_get(rib, spec->nexthops, spec->n_nexthops);
	if (!nhl)
		return RTM_ENOMEM;
	if ((list && !rtm__route_ext(route)) || (ttl != INFINITE && arm_expiry(rib, route, ttl))) {
		rtm__nhlist_put(rib, nhl);
		return RTM_ENOMEM;
	}
	if (ttl == INFINITE && route->ext)
		rtm__timerrec_cancel(rib, &route->ext->expiry);

	struct rtm_dest *dest = route->dest;
	struct rtm_dest_state before, after;
	rtm__dest_state(rib, dest, &before);
	RTM_VIEW_SET touched = route->views | spec->views;
	bool opened = rtm__dest_write_begin(dest);
	if (!is_new)
		dest_unlink(dest, route);
	commit_spec(rib, route, spec, nhl);
	dest_link(dest, route);
	if (list)
		rtm__list_move(route, list);
	rtm__dest_touch(dest);
	rtm__dest_write_end(dest, opened);
	sync_shadow(rib, route);

	rtm__dest_state(rib, dest, &after);
	struct rtm_dest_change ch;
	rtm__dest_diff(rib, &before, &after, touched, &ch);
	bool is_best = false;
	/* rtm__dest_state fills the supported views only. */
	for (RTM_VIEW_SET m = rib->cfg.views_supported; m && !is_best; m &= m - 1)
		is_best = after.v[__builtin_ctz(m)].route == route;
	*change_flags = (is_new ? RTM_ROUTE_CHANGE_NEW : 0) |
			(is_best || ch.best ? RTM_ROUTE_CHANGE_BEST : 0);
	rtm__notify_changed(rib, dest, &ch);
	return 0;
}

/* The references an in-place edit takes over (RtmUpdateAndUnlockRoute).
 * Every next hop the edited route names, and its neighbour, comes with a
 * client reference the route takes over: one its RtmLockRoute lent the
 * owner for a next hop that was already there (api/route.c), one the owner
 * took with RtmReferenceHandles for a next hop it put in.  A next hop it
 * took out keeps the reference lent with it, which the owner releases with
 * RtmReleaseNextHops, before or after the commit.  All or nothing:
 * RTM_EHANDLE, nothing taken, when one has no client reference left.
 * rib->lock exclusive. */
struct inplace_claims {
	struct rtm_nexthop *taken[RTM_MAX_NEXTHOPS + 1];
	unsigned n;
};

static void inplace_undo(struct inplace_claims *m)
{
	for (unsigned i = 0; i < m->n; i++)
		rtm__obj_unclaim(&m->taken[i]->obj);
	m->n = 0;
}

static int inplace_claim(struct inplace_claims *m, struct rtm_nexthop *nh)
{
	if (!rtm__obj_claim(&nh->obj)) {
		inplace_undo(m);
		return RTM_EHANDLE;
	}
	m->taken[m->n++] = nh;
	return 0;
}

static int inplace_refs(const struct rtm_route_spec *spec, struct inplace_claims *m)
{
	m->n = 0;
	int err = 0;
	for (unsigned i = 0; i < spec->n_nexthops && !err; i++)
		err = inplace_claim(m, spec->nexthops[i]);
	if (!err && spec->neighbour)
		err = inplace_claim(m, spec->neighbour);
	return err;
}

/* ---- information and in-place access ------------------------------------------ */

/* The owner's shadow of route, allocated (and filled) on first use; an
 * existing one is left as it is, owner's edits included.  rib->lock
 * exclusive. */
static PRTM_ROUTE_INFO shadow_alloc(struct rtm_rib *rib, struct rtm_route *route)
{
	struct rtm_route_ext *ext = rtm__route_ext(route);
	if (!ext)
		return NULL;
	if (!ext->shadow) {
		ext->shadow = rtm__calloc(1, route_info_size(rib));
		if (!ext->shadow)
			return NULL;
		rtm__route_fill_info(rib, route, ext->shadow, false);
	}
	return ext->shadow;
}

/* The owner's shadow, rewritten from the route (RtmGetRoutePointer,
 * RtmLockRoute). */
PRTM_ROUTE_INFO rtm__route_shadow_get(struct rtm_rib *rib, struct rtm_route *route)
{
	PRTM_ROUTE_INFO p = shadow_alloc(rib, route);
	if (p)
		rtm__route_fill_info(rib, route, p, false);
	return p;
}

/* ---- queries ------------------------------------------------------------------ */

/* ---- the table's part of the API's calls ----------------------------------- */

int rtm__route_update_inplace(struct rtm_rib *rib, struct rtm_entity *caller, struct rtm_route *route,
			      ULONG ttl, struct rtm_route_list *list, DWORD *change_flags)
{
	if (route->obj.dead)
		return RTM_ENOENT;
	if (!route->ext || !route->ext->shadow)
		return RTM_EINVAL; /* never locked with a pointer: nothing was edited */
	struct rtm_route_spec spec;
	struct inplace_claims claims;
	int err = rtm__route_spec_from_info(rib, caller, route->ext->shadow, &spec);
	if (!err)
		err = inplace_refs(&spec, &claims);
	if (!err && (err = rtm__route_apply(rib, route, &spec, ttl, list, false, change_flags)))
		inplace_undo(&claims);
	return err;
}

int rtm__route_add(struct rtm_rib *rib, struct rtm_entity *caller, const RTM_NET_ADDRESS *addr,
		   HANDLE route_handle, const RTM_ROUTE_INFO *info, ULONG ttl,
		   struct rtm_route_list *list, DWORD flags_in, struct rtm_route **out,
		   DWORD *change_flags)
{
	struct rtm_route_spec spec;
	int err = rtm__route_spec_from_info(rib, caller, info, &spec);
	if (err)
		return err;
	struct rtm_route *route = NULL;
	bool created_dest = false, created_route = false;
	if (route_handle) {
		/* The key only to check the route is at this address (the
		 * destination lookup below makes its own). */
		uint8_t key[16];
		rtm__netaddr_key(addr, rib->width, key);
		route = rtm__route_lookup(rib, route_handle);
		if (!route || route->obj.dead)
			return RTM_EHANDLE;
		if (route->owner != caller)
			return RTM_EACCES;
		if (route->dest->node.len != addr->NumBits ||
		    memcmp(route->dest->node.key, key, rib->width / 8))
			return RTM_EINVAL;
	} else {
		struct rtm_dest *dest;
		if ((err = rtm__dest_get(rib, addr, &dest, &created_dest)))
			return err;
		if (!(flags_in & RTM_ROUTE_CHANGE_NEW))
			route = find_existing(dest, caller, flags_in & RTM_ROUTE_CHANGE_FIRST,
					      spec.neighbour);
		if (!route) {
			route = route_new(rib, dest, caller);
			if (!route) {
				if (created_dest)
					rtm__dest_try_free(rib, dest);
				return RTM_ENOMEM;
			}
			created_route = true;
		}
	}
	err = rtm__route_apply(rib, route, &spec, ttl, list, created_route, change_flags);
	if (err) {
		if (created_route) {
			struct rtm_dest *dest = route->dest;
			route->obj.dead = 1;
			rtm__obj_pin(&dest->obj);
			rtm__route_try_free(rib, route);
			rtm__obj_unpin(&dest->obj);
			rtm__dest_try_free(rib, dest);
		}
		return err;
	}
	*out = route;
	return 0;
}

struct rtm_route *rtm__route_expiry_fired(struct rtm_rib *rib, struct rtm_timer_rec *rec)
{
	struct rtm_route *route = rtm__route_lookup(rib, rec->handle);
	bool due = route && !route->obj.dead && route->ext &&
		   rtm__timerrec_current(&route->ext->expiry, rec);
	rtm__timerrec_free(rec);
	return due ? route : NULL;
}

bool rtm__route_expire(struct rtm_rib *rib, struct rtm_route *route)
{
	if (route->obj.dead || (route->ext && route->ext->expiry))
		return false;
	rtm__route_delete(rib, route);
	return true;
}

/* ---- client route lists: membership ---------------------------------------- */

void rtm__list_move(struct rtm_route *route, struct rtm_route_list *list)
{
	struct rtm_route_ext *ext = route->ext;
	/* Already there: it keeps its place, so that an enumeration in
	 * progress neither returns it twice nor misses it (a protocol
	 * refreshing its routes passes its list on every update). */
	if (ext->list == list)
		return;
	if (ext->list) {
		struct rtm_route_list *old = ext->list;
		pthread_mutex_lock(&old->mutex);
		rtm__link_unlink(&ext->list_item.link);
		old->count--;
		pthread_mutex_unlock(&old->mutex);
		ext->list = NULL;
	}
	if (list) {
		pthread_mutex_lock(&list->mutex);
		rtm__link_add_tail(&list->items, &ext->list_item.link);
		list->count++;
		pthread_mutex_unlock(&list->mutex);
		ext->list = list;
	}
}
