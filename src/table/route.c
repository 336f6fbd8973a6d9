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
 * programming guide moves next-hop references through the client: a next hop
 * the owner puts in the shadow carries a reference it took with
 * RtmReferenceHandles, which the commit turns into the route's; one it takes
 * out leaves the route's reference with the client, who releases it with
 * RtmReleaseNextHops (inplace_refs below).
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
#include "lock.h"
#include "netaddr.h"
#include "nexthop.h"
#include "notify.h"
#include "objects.h"
#include "routelist.h"
#include "timerrec.h"

#include <string.h>

#define MAX_NEXTHOPS 64u /* the configuration's upper bound of MaxNextHopsInRoute */

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

int rtm__route_release_info(struct rtm_rib *rib, const RTM_ROUTE_INFO *info)
{
	if (info->NextHopsList.NumNextHops > rib->cfg.max_next_hops_in_route || !info->DestHandle ||
	    !info->RouteOwner)
		return RTM_EHANDLE;
	struct rtm_release items[3 + MAX_NEXTHOPS];
	unsigned k = 0;
	items[k++] = (struct rtm_release){ info->DestHandle, RTM_HT_DEST };
	items[k++] = (struct rtm_release){ info->RouteOwner, RTM_HT_ENTITY };
	items[k++] = (struct rtm_release){ info->Neighbour, RTM_HT_NEXTHOP };
	for (unsigned i = 0; i < info->NextHopsList.NumNextHops; i++) {
		if (!info->NextHopsList.NextHops[i])
			return RTM_EHANDLE;
		items[k++] = (struct rtm_release){ info->NextHopsList.NextHops[i], RTM_HT_NEXTHOP };
	}
	return rtm__rib_release(rib, items, k);
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
	*pp = route;
	if (dest->n_routes++ && route->views != dest->views)
		dest->views_mixed = 1;
	dest->views |= route->views;
}

/* ---- what a client asks for ------------------------------------------------ */

/* A checked copy of the writable fields of an RTM_ROUTE_INFO. */
struct route_spec {
	struct rtm_nexthop *neighbour;
	struct rtm_nexthop *nexthops[MAX_NEXTHOPS];
	unsigned n_nexthops;
	RTM_PREF_INFO pref;
	RTM_VIEW_SET views;
	USHORT flags;
	UCHAR flags1;
	PVOID entity_specific;
};

static int spec_from_info(struct rtm_rib *rib, struct rtm_entity *caller, const RTM_ROUTE_INFO *info,
			  struct route_spec *spec)
{
	if (info->NextHopsList.NumNextHops > rib->cfg.max_next_hops_in_route)
		return RTM_EINVAL;
	if (!rtm__views_supported(rib, info->BelongsToViews))
		return RTM_EINVAL;
	spec->neighbour = NULL;
	if (info->Neighbour) {
		spec->neighbour = rtm__nexthop_lookup(rib, info->Neighbour);
		if (!spec->neighbour)
			return RTM_EHANDLE;
	}
	spec->n_nexthops = info->NextHopsList.NumNextHops;
	for (unsigned i = 0; i < spec->n_nexthops; i++) {
		struct rtm_nexthop *nh = rtm__nexthop_lookup(rib, info->NextHopsList.NextHops[i]);
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
 * `many` is a preallocated array when spec has more than one next hop. */
static void commit_spec(struct rtm_rib *rib, struct rtm_route *route, const struct route_spec *spec,
			struct rtm_nexthop **many)
{
	/* Reference the new next hops before dropping the old ones: they may be
	 * the same objects. */
	if (spec->neighbour)
		rtm__nexthop_route_ref(spec->neighbour);
	for (unsigned i = 0; i < spec->n_nexthops; i++)
		rtm__nexthop_route_ref(spec->nexthops[i]);

	struct rtm_nexthop *old_neighbour = route->neighbour;
	struct rtm_nexthop *old_one = route->nh.one;
	struct rtm_nexthop **old_many = route->n_nexthops > 1 ? route->nh.many : NULL;
	unsigned old_n = route->n_nexthops;

	route->neighbour = spec->neighbour;
	route->n_nexthops = (uint16_t)spec->n_nexthops;
	if (spec->n_nexthops > 1) {
		memcpy(many, spec->nexthops, spec->n_nexthops * sizeof(*many));
		route->nh.many = many;
	} else {
		route->nh.one = spec->n_nexthops ? spec->nexthops[0] : NULL;
	}
	route->pref = spec->pref;
	route->views = spec->views;
	route->flags = spec->flags;
	route->flags1 = spec->flags1;
	route->entity_specific = spec->entity_specific;

	if (old_neighbour)
		rtm__nexthop_route_unref(rib, old_neighbour);
	if (old_many) {
		for (unsigned i = 0; i < old_n; i++)
			rtm__nexthop_route_unref(rib, old_many[i]);
		rtm__free(old_many);
	} else if (old_n == 1) {
		rtm__nexthop_route_unref(rib, old_one);
	}
}

/* ---- route objects ---------------------------------------------------------- */

static struct rtm_route *route_new(struct rtm_rib *rib, struct rtm_dest *dest, struct rtm_entity *owner)
{
	struct rtm_route *route = rtm__calloc(1, sizeof(*route));
	if (!route)
		return NULL;
	if (rtm__handle_alloc(&rib->handles, &route->obj, RTM_HT_ROUTE)) {
		rtm__free(route);
		return NULL;
	}
	route->dest = dest;
	route->owner = owner;
	route->state = RTM_ROUTE_STATE_CREATED;
	route->seq = ++rib->route_seq;
	rtm__obj_pin(&dest->obj);
	rtm__entity_ref(owner);
	rib->stats.routes++;
	return route;
}

void rtm__route_free(struct rtm_rib *rib, struct rtm_route *route)
{
	struct route_spec none = { 0 };
	commit_spec(rib, route, &none, NULL); /* drops every next-hop reference */
	if (route->ext) {
		rtm__timerrec_cancel(rib, &route->ext->expiry);
		if (route->ext->list)
			rtm__list_move(route, NULL);
		rtm__free(route->ext->shadow);
		rtm__free(route->ext);
	}
	struct rtm_dest *dest = route->dest;
	struct rtm_entity *owner = route->owner;
	rtm__handle_free(&rib->handles, &route->obj);
	rib->stats.routes--;
	rtm__free(route);
	rtm__entity_unref(owner);
	rtm__rib_unpin_locked(rib, &dest->obj);
}

bool rtm__route_try_free(struct rtm_rib *rib, struct rtm_route *route)
{
	if (!route->obj.dead || rtm__obj_refs(&route->obj) ||
	    atomic_load_explicit(&route->obj.reap_pending, memory_order_relaxed))
		return false;
	rtm__route_free(rib, route);
	return true;
}

/* Deletes a live route: unlink, hold-down, report.  rib->lock exclusive.
 * Returns whether the best route of some view changed. */
static bool route_delete(struct rtm_rib *rib, struct rtm_route *route)
{
	struct rtm_dest *dest = route->dest;
	struct rtm_dest_state before, after;
	rtm__dest_state(rib, dest, &before);
	RTM_VIEW_SET had = dest->views;

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

	rtm__dest_state(rib, dest, &after);
	struct rtm_dest_change ch;
	rtm__dest_diff(rib, &before, &after, route->views, &ch);
	/* Keep dest alive through the report: freeing the route may drop its last
	 * reference. */
	rtm__obj_pin(&dest->obj);
	rtm__notify_changed(rib, dest, &ch);
	rtm__route_try_free(rib, route);
	rtm__rib_unpin_locked(rib, &dest->obj);
	return ch.best != 0;
}

void rtm__routes_remove_owned(struct rtm_rib *rib, struct rtm_entity *e)
{
	struct rtm_dest *dest = rib->first_dest;
	while (dest) {
		/* Pin the destination: deleting its routes may free it. */
		rtm__obj_pin(&dest->obj);
		struct rtm_route *r = dest->routes;
		while (r) {
			struct rtm_route *next = r->next;
			if (r->owner == e)
				route_delete(rib, r);
			r = next;
		}
		if (dest->ext && dest->ext->hold_route && dest->ext->hold_route->owner == e)
			rtm__dest_hold_end(rib, dest);
		struct rtm_dest *next = dest->next;
		rtm__rib_unpin_locked(rib, &dest->obj);
		dest = next;
	}
}

/* ---- expiry ---------------------------------------------------------------- */

static void expiry_fire(struct rtm_timer *timer, void *arg);

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
	return rtm__timerrec_arm(rib, &ext->expiry, rtm__rib_handle(rib, &route->obj), ttl, expiry_fire);
}

/* Deletes the route named by h after its owner let it expire, unless it was
 * deleted or given a new lifetime meanwhile.  Takes the locks itself. */
static void expire_delete(struct rtm_rib *rib, HANDLE h)
{
	rtm__rib_rdlock(rib);
	struct rtm_route *route = rtm__route_lookup(rib, h);
	unsigned stripe = route ? rtm__stripe_of_dest(rib, route->dest) : 0;
	rtm__rib_unlock(rib);
	if (!route)
		return;
	bool taken = rtm__stripe_enter(rib, stripe);
	rtm__rib_wrlock(rib);
	route = rtm__route_lookup(rib, h);
	if (route && !route->obj.dead && !(route->ext && route->ext->expiry))
		route_delete(rib, route);
	/* The RTM releases the handle it gave with the event. */
	if (route)
		rtm__rib_unref_locked(rib, &route->obj);
	rtm__rib_unlock(rib);
	rtm__stripe_leave(rib, stripe, taken);
}

static void expiry_fire(struct rtm_timer *timer, void *arg)
{
	struct rtm_rib *rib = arg;
	struct rtm_timer_rec *rec = rtm_container_of(timer, struct rtm_timer_rec, timer);
	rtm__rib_wrlock(rib);
	HANDLE h = rec->handle;
	struct rtm_route *route = rtm__route_lookup(rib, h);
	bool due = route && !route->obj.dead && route->ext &&
		   rtm__timerrec_current(&route->ext->expiry, rec);
	rtm__timerrec_free(rec);
	struct rtm_entity *owner = NULL;
	PRTM_ROUTE_INFO inplace = NULL;
	if (due) {
		owner = route->owner;
		rtm__entity_ref(owner);
		rtm__obj_ref(&route->obj); /* the handle given with the event */
		/* Context2: the owner's in-place information, allocated when the
		 * lifetime was armed, rewritten by every commit (not here: the
		 * owner may be editing it under its route lock), freed only with
		 * the route, which the handle keeps. */
		inplace = route->ext->shadow;
	}
	rtm__rib_unlock(rib);
	if (!due)
		return;

	bool called;
	DWORD answer = rtm__entity_deliver(owner, RTM_ROUTE_EXPIRED, h, inplace, &called);
	if (!called || answer == ERROR_NOT_SUPPORTED)
		expire_delete(rib, h);
	rtm__entity_unref(owner);
	rtm__notify_flush(rib);
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
static int apply(struct rtm_rib *rib, struct rtm_route *route, const struct route_spec *spec, ULONG ttl,
		 struct rtm_route_list *list, bool is_new, DWORD *change_flags)
{
	struct rtm_nexthop **many = NULL;
	if (spec->n_nexthops > 1) {
		many = rtm__malloc(spec->n_nexthops * sizeof(*many));
		if (!many)
			return RTM_ENOMEM;
	}
	if (list && !rtm__route_ext(route)) {
		rtm__free(many);
		return RTM_ENOMEM;
	}
	if (ttl != INFINITE) {
		if (arm_expiry(rib, route, ttl)) {
			rtm__free(many);
			return RTM_ENOMEM;
		}
	} else if (route->ext) {
		rtm__timerrec_cancel(rib, &route->ext->expiry);
	}

	struct rtm_dest *dest = route->dest;
	struct rtm_dest_state before, after;
	rtm__dest_state(rib, dest, &before);
	RTM_VIEW_SET touched = route->views | spec->views;
	if (!is_new)
		dest_unlink(dest, route);
	commit_spec(rib, route, spec, many);
	dest_link(dest, route);
	if (list)
		rtm__list_move(route, list);
	rtm__dest_touch(dest);
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

DWORD WINAPI RtmAddRouteToDest(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_ROUTE_HANDLE RouteHandle,
			       PRTM_NET_ADDRESS DestAddress, PRTM_ROUTE_INFO RouteInfo, ULONG TimeToLive,
			       RTM_ROUTE_LIST_HANDLE RouteListHandle, RTM_NOTIFY_FLAGS NotifyType,
			       RTM_NOTIFY_HANDLE NotifyHandle, PRTM_ROUTE_CHANGE_FLAGS ChangeFlags)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	struct rtm_rib *rib = caller->rib;
	if (!RouteInfo || !ChangeFlags || TimeToLive == 0 || NotifyType != 0 || NotifyHandle ||
	    (*ChangeFlags & ~(DWORD)(RTM_ROUTE_CHANGE_FIRST | RTM_ROUTE_CHANGE_NEW)) ||
	    rtm__netaddr_check(DestAddress, rib->family, rib->width))
		return ERROR_INVALID_PARAMETER;

	uint8_t key[16];
	rtm__netaddr_key(DestAddress, rib->width, key);
	unsigned stripe = rtm__stripe_of_key(key, rib->width / 8, DestAddress->NumBits);
	bool taken = rtm__stripe_enter(rib, stripe);
	rtm__rib_wrlock(rib);
	int err = 0;
	DWORD flags_in = *ChangeFlags;
	struct route_spec spec;
	struct rtm_route *route = NULL;
	struct rtm_route_list *list = NULL;
	bool created_dest = false, created_route = false;

	if (!rtm__caller_still_valid(caller)) {
		err = RTM_EHANDLE;
		goto out;
	}
	if (RouteListHandle && !(list = rtm__list_lookup(rib, caller, RouteListHandle))) {
		err = RTM_EHANDLE;
		goto out;
	}
	if ((err = spec_from_info(rib, caller, RouteInfo, &spec)))
		goto out;

	if (RouteHandle && *RouteHandle) {
		route = rtm__route_lookup(rib, *RouteHandle);
		if (!route || route->obj.dead) {
			err = RTM_EHANDLE;
			goto out;
		}
		if (route->owner != caller) {
			err = RTM_EACCES;
			goto out;
		}
		if (route->dest->node.len != DestAddress->NumBits ||
		    memcmp(route->dest->node.key, key, rib->width / 8)) {
			err = RTM_EINVAL;
			goto out;
		}
	} else {
		struct rtm_dest *dest;
		if ((err = rtm__dest_get(rib, DestAddress, &dest, &created_dest)))
			goto out;
		if (!(flags_in & RTM_ROUTE_CHANGE_NEW))
			route = find_existing(dest, caller, flags_in & RTM_ROUTE_CHANGE_FIRST,
					      spec.neighbour);
		if (!route) {
			route = route_new(rib, dest, caller);
			if (!route) {
				if (created_dest)
					rtm__dest_try_free(rib, dest);
				err = RTM_ENOMEM;
				goto out;
			}
			created_route = true;
		}
	}

	DWORD out_flags;
	err = apply(rib, route, &spec, TimeToLive, list, created_route, &out_flags);
	if (err) {
		if (created_route) {
			struct rtm_dest *dest = route->dest;
			route->obj.dead = 1;
			rtm__obj_pin(&dest->obj);
			rtm__route_try_free(rib, route);
			rtm__obj_unpin(&dest->obj);
			rtm__dest_try_free(rib, dest);
		}
		goto out;
	}
	*ChangeFlags = out_flags;
	if (RouteHandle && !*RouteHandle) {
		rtm__obj_ref(&route->obj);
		*RouteHandle = rtm__rib_handle(rib, &route->obj);
	}
out:
	rtm__rib_unlock(rib);
	rtm__stripe_leave(rib, stripe, taken);
	rtm__notify_flush(rib);
	return rtm__win32(err);
}

/* Finds a route of the caller for a change: checks handle and ownership, and
 * takes the destination's stripe (unless this thread holds it) and the RIB
 * lock exclusive.  On success the caller must call leave_route(). */
static int enter_route(struct rtm_entity *caller, HANDLE h, struct rtm_route **out, unsigned *stripe,
		       bool *taken)
{
	struct rtm_rib *rib = caller->rib;
	rtm__rib_rdlock(rib);
	struct rtm_route *route = rtm__route_lookup(rib, h);
	int err = 0;
	if (!rtm__caller_still_valid(caller) || !route)
		err = RTM_EHANDLE;
	else if (route->owner != caller)
		err = RTM_EACCES;
	else
		*stripe = rtm__stripe_of_dest(rib, route->dest);
	rtm__rib_unlock(rib);
	if (err)
		return err;
	*taken = rtm__stripe_enter(rib, *stripe);
	rtm__rib_wrlock(rib);
	route = rtm__route_lookup(rib, h);
	if (!rtm__caller_still_valid(caller) || !route) {
		rtm__rib_unlock(rib);
		rtm__stripe_leave(rib, *stripe, *taken);
		return RTM_EHANDLE;
	}
	*out = route;
	return 0;
}

static void leave_route(struct rtm_rib *rib, unsigned stripe, bool taken)
{
	rtm__rib_unlock(rib);
	rtm__stripe_leave(rib, stripe, taken);
	rtm__notify_flush(rib);
}

DWORD WINAPI RtmDeleteRouteToDest(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle,
				  PRTM_ROUTE_CHANGE_FLAGS ChangeFlags)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	struct rtm_rib *rib = caller->rib;
	struct rtm_route *route;
	unsigned stripe;
	bool taken;
	int err = enter_route(caller, RouteHandle, &route, &stripe, &taken);
	if (err)
		return rtm__win32(err);
	if (route->obj.dead) {
		err = RTM_ENOENT;
	} else if (rtm__obj_client_refs(&route->obj) == 0) {
		err = RTM_EHANDLE; /* the caller holds no reference to consume */
	} else {
		/* The handle is consumed: its reference goes with the route. */
		rtm__obj_pin(&route->obj); /* keep it while deleting */
		bool best = route_delete(rib, route);
		rtm__obj_unref(&route->obj);
		rtm__rib_unpin_locked(rib, &route->obj);
		if (ChangeFlags)
			*ChangeFlags = best ? RTM_ROUTE_CHANGE_BEST : 0;
	}
	leave_route(rib, stripe, taken);
	return rtm__win32(err);
}

/* The references an in-place edit moves (RtmUpdateAndUnlockRoute).  A next
 * hop that spec names more often than route does came with a client
 * reference (RtmReferenceHandles), which the route takes over; one that route
 * names more often than spec leaves the route's reference to the client (who
 * releases it with RtmReleaseNextHops).  A new neighbour also comes with a
 * client reference; the old one's reference is the RTM's to drop (the guide
 * asks for no release of it).  All or nothing: RTM_EHANDLE, nothing moved,
 * when an added next hop has no client reference left to take over.
 * rib->lock exclusive. */
struct inplace_moves {
	struct rtm_nexthop *taken[MAX_NEXTHOPS + 1]; /* client references taken over */
	struct rtm_nexthop *given[MAX_NEXTHOPS];     /* route references given to the client */
	unsigned n_taken, n_given;
};

static unsigned count_nh(struct rtm_nexthop *const *v, unsigned n, const struct rtm_nexthop *nh)
{
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++)
		k += v[i] == nh;
	return k;
}

static void inplace_undo(struct inplace_moves *m)
{
	for (unsigned i = 0; i < m->n_taken; i++)
		rtm__obj_unclaim(&m->taken[i]->obj);
	for (unsigned i = 0; i < m->n_given; i++)
		rtm__obj_claim(&m->given[i]->obj); /* cannot fail: given just now */
	m->n_taken = m->n_given = 0;
}

static int inplace_refs(const struct rtm_route *route, const struct route_spec *spec,
			struct inplace_moves *m)
{
	struct rtm_nexthop *const *old = rtm__route_nexthops(route);
	unsigned n_old = route->n_nexthops;
	m->n_taken = m->n_given = 0;
	for (unsigned i = 0; i < spec->n_nexthops; i++) {
		struct rtm_nexthop *nh = spec->nexthops[i];
		/* Count each distinct next hop once, at its first place. */
		if (count_nh(spec->nexthops, i, nh))
			continue;
		unsigned want = count_nh(spec->nexthops, spec->n_nexthops, nh);
		unsigned had = count_nh(old, n_old, nh);
		for (; had < want; had++) {
			if (!rtm__obj_claim(&nh->obj)) {
				inplace_undo(m);
				return RTM_EHANDLE;
			}
			m->taken[m->n_taken++] = nh;
		}
	}
	if (spec->neighbour && spec->neighbour != route->neighbour) {
		if (!rtm__obj_claim(&spec->neighbour->obj)) {
			inplace_undo(m);
			return RTM_EHANDLE;
		}
		m->taken[m->n_taken++] = spec->neighbour;
	}
	for (unsigned i = 0; i < n_old; i++) {
		struct rtm_nexthop *nh = old[i];
		if (count_nh(old, i, nh))
			continue;
		unsigned had = count_nh(old, n_old, nh);
		for (unsigned want = count_nh(spec->nexthops, spec->n_nexthops, nh); want < had; want++) {
			/* Given before the commit drops the route's reference, so a
			 * deleted next hop is not freed under the client's handle. */
			rtm__obj_ref(&nh->obj);
			m->given[m->n_given++] = nh;
		}
	}
	return 0;
}

DWORD WINAPI RtmUpdateAndUnlockRoute(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle,
				     ULONG TimeToLive, RTM_ROUTE_LIST_HANDLE RouteListHandle,
				     RTM_NOTIFY_FLAGS NotifyType, RTM_NOTIFY_HANDLE NotifyHandle,
				     PRTM_ROUTE_CHANGE_FLAGS ChangeFlags)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	if (TimeToLive == 0 || NotifyType != 0 || NotifyHandle)
		return ERROR_INVALID_PARAMETER;
	struct rtm_rib *rib = caller->rib;
	struct rtm_route *route;
	unsigned stripe;
	bool taken;
	int err = enter_route(caller, RouteHandle, &route, &stripe, &taken);
	if (err)
		return rtm__win32(err);
	struct rtm_route_list *list = NULL;
	struct route_spec spec;
	struct inplace_moves moves;
	DWORD flags = 0;
	/* Only a route this thread locked (RtmLockRoute) has an edit to commit.
	 * Holding its stripe is not enough: the stripe may be held for another
	 * destination that hashes to it. */
	bool exclusive;
	if (!rtm__client_holds_obj(rib, RouteHandle, &exclusive))
		err = RTM_EHANDLE;
	else if (route->obj.dead)
		err = RTM_ENOENT;
	else if (RouteListHandle && !(list = rtm__list_lookup(rib, caller, RouteListHandle)))
		err = RTM_EHANDLE;
	else if (!route->ext || !route->ext->shadow)
		err = RTM_EINVAL; /* never locked with a pointer: nothing was edited */
	else if (!(err = spec_from_info(rib, caller, route->ext->shadow, &spec)) &&
		 !(err = inplace_refs(route, &spec, &moves)) &&
		 (err = apply(rib, route, &spec, TimeToLive, list, false, &flags)))
		inplace_undo(&moves);
	if (!err && ChangeFlags)
		*ChangeFlags = flags;
	rtm__rib_unlock(rib);
	rtm__stripe_leave(rib, stripe, taken);
	/* Success unlocks the route, as RtmLockRoute(..., FALSE) would, in the
	 * mode it was locked in (exclusive first if it holds both). */
	if (!err)
		rtm__client_unlock_obj(rib, RouteHandle, exclusive);
	rtm__notify_flush(rib);
	return rtm__win32(err);
}

/* ---- information and in-place access ------------------------------------------ */

DWORD WINAPI RtmGetRouteInfo(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle,
			     PRTM_ROUTE_INFO RouteInfo, PRTM_NET_ADDRESS DestAddress)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_route *route = rtm__route_lookup(rib, RouteHandle);
	int err = 0;
	if (!route) {
		err = RTM_EHANDLE;
	} else {
		if (RouteInfo)
			rtm__route_fill_info(rib, route, RouteInfo, true);
		if (DestAddress)
			rtm__netaddr_from_key(DestAddress, rib->family, rib->width,
					      route->dest->node.key, route->dest->node.len);
	}
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmReleaseRouteInfo(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_ROUTE_INFO RouteInfo)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	if (!RouteInfo)
		return ERROR_INVALID_PARAMETER;
	return rtm__win32(rtm__route_release_info(caller->rib, RouteInfo));
}

DWORD WINAPI RtmReleaseRoutes(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumRoutes, PRTM_ROUTE_HANDLE RouteHandles)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	if (NumRoutes && !RouteHandles)
		return ERROR_INVALID_PARAMETER;
	return rtm__win32(rtm__rib_release_handles(caller->rib, RouteHandles, NumRoutes, RTM_HT_ROUTE,
						   sizeof(HANDLE)));
}

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
static PRTM_ROUTE_INFO shadow_get(struct rtm_rib *rib, struct rtm_route *route)
{
	PRTM_ROUTE_INFO p = shadow_alloc(rib, route);
	if (p)
		rtm__route_fill_info(rib, route, p, false);
	return p;
}

DWORD WINAPI RtmGetRoutePointer(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle,
				PRTM_ROUTE_INFO *RoutePointer)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_route *route = rtm__route_lookup(rib, RouteHandle);
	int err = 0;
	if (!route)
		err = RTM_EHANDLE;
	else if (route->owner != caller)
		err = RTM_EACCES;
	else if (!RoutePointer)
		err = RTM_EINVAL;
	else if (!(*RoutePointer = shadow_get(rib, route)))
		err = RTM_ENOMEM;
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmLockRoute(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle, BOOL Exclusive,
			  BOOL LockRoute, PRTM_ROUTE_INFO *RoutePointer)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_route *route = rtm__route_lookup(rib, RouteHandle);
	int err = 0;
	unsigned stripe = 0;
	if (!route)
		err = RTM_EHANDLE;
	else if (route->owner != caller)
		err = RTM_EACCES;
	else
		stripe = rtm__stripe_of_dest(rib, route->dest);
	rtm__rib_unlock(rib);
	if (!LockRoute) {
		/* An unlock needs only this thread's record of what it locked: the
		 * route may have been deleted, even freed, since it was locked, and
		 * its stripe must be released all the same.  Without a record, say
		 * what is wrong with the handle, if anything. */
		int u = rtm__client_unlock_obj(rib, RouteHandle, Exclusive != FALSE);
		return rtm__win32(u && err ? err : u);
	}
	if (err)
		return rtm__win32(err);
	if ((err = rtm__client_lock_obj(rib, RouteHandle, stripe, Exclusive != FALSE)))
		return rtm__win32(err);
	if (RoutePointer) {
		rtm__rib_wrlock(rib);
		route = rtm__route_lookup(rib, RouteHandle);
		PRTM_ROUTE_INFO p = route ? shadow_get(rib, route) : NULL;
		rtm__rib_unlock(rib);
		if (!p) {
			rtm__client_unlock_obj(rib, RouteHandle, Exclusive != FALSE);
			return route ? ERROR_NOT_ENOUGH_MEMORY : ERROR_INVALID_HANDLE;
		}
		*RoutePointer = p;
	}
	return NO_ERROR;
}

/* ---- queries ------------------------------------------------------------------ */

DWORD WINAPI RtmIsBestRoute(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle,
			    PRTM_VIEW_SET BestInViews)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_route *route = rtm__route_lookup(rib, RouteHandle);
	int err = 0;
	if (!route) {
		err = RTM_EHANDLE;
	} else if (!BestInViews) {
		err = RTM_EINVAL;
	} else {
		RTM_VIEW_SET best = 0;
		if (!route->obj.dead)
			for (unsigned v = 0; v < RTM_MAX_VIEWS; v++)
				if ((route->views & (1u << v)) && rtm__dest_best(route->dest, v, 0) == route)
					best |= (RTM_VIEW_SET)1u << v;
		*BestInViews = best;
	}
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

bool rtm__route_matches(struct rtm_rib *rib, const struct rtm_route *route, RTM_MATCH_FLAGS flags,
			const RTM_ROUTE_INFO *criteria, ULONG ifindex)
{
	struct rtm_nexthop *const *nh = rtm__route_nexthops(route);
	if ((flags & RTM_MATCH_OWNER) && rtm__entity_handle(route->owner) != criteria->RouteOwner)
		return false;
	if (flags & RTM_MATCH_NEIGHBOUR) {
		HANDLE n = route->neighbour ? rtm__rib_handle(rib, &route->neighbour->obj) : NULL;
		if (n != criteria->Neighbour)
			return false;
	}
	if ((flags & RTM_MATCH_PREF) && (route->pref.Preference != criteria->PrefInfo.Preference ||
					 route->pref.Metric != criteria->PrefInfo.Metric))
		return false;
	if (flags & RTM_MATCH_NEXTHOP) {
		if (criteria->NextHopsList.NumNextHops == 0) {
			if (route->n_nexthops)
				return false;
		} else {
			bool found = false;
			for (unsigned i = 0; i < route->n_nexthops && !found; i++)
				found = rtm__rib_handle(rib, &nh[i]->obj) ==
					criteria->NextHopsList.NextHops[0];
			if (!found)
				return false;
		}
	}
	if (flags & RTM_MATCH_INTERFACE) {
		bool found = false;
		for (unsigned i = 0; i < route->n_nexthops && !found; i++)
			found = nh[i]->info.InterfaceIndex == ifindex;
		if (!found)
			return false;
	}
	return true;
}

DWORD WINAPI RtmGetExactMatchRoute(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NET_ADDRESS DestAddress,
				   RTM_MATCH_FLAGS MatchingFlags, PRTM_ROUTE_INFO RouteInfo,
				   ULONG InterfaceIndex, RTM_VIEW_SET TargetViews,
				   PRTM_ROUTE_HANDLE RouteHandle)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = RTM_ENOENT;
	bool needs_criteria = (MatchingFlags & ~(RTM_MATCH_FLAGS)RTM_MATCH_INTERFACE) != 0;
	if (rtm__netaddr_check(DestAddress, rib->family, rib->width) || (!RouteInfo && needs_criteria)) {
		err = RTM_EINVAL;
		goto out;
	}
	uint8_t key[16];
	rtm__netaddr_key(DestAddress, rib->width, key);
	struct rtm_dest *dest = rtm__dest_find(rib, key, DestAddress->NumBits);
	for (struct rtm_route *r = dest ? dest->routes : NULL; r; r = r->next) {
		if (TargetViews && !(r->views & TargetViews))
			continue;
		if (!rtm__route_matches(rib, r, MatchingFlags, RouteInfo, InterfaceIndex))
			continue;
		if (RouteInfo)
			rtm__route_fill_info(rib, r, RouteInfo, true);
		if (RouteHandle) {
			rtm__obj_ref(&r->obj);
			*RouteHandle = rtm__rib_handle(rib, &r->obj);
		}
		err = 0;
		break;
	}
out:
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}
