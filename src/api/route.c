/*
 * api/route.c — routes: RtmAddRouteToDest, RtmDeleteRouteToDest,
 * RtmUpdateAndUnlockRoute, RtmGetRouteInfo, RtmReleaseRouteInfo,
 * RtmReleaseRoutes, RtmGetRoutePointer, RtmLockRoute, RtmIsBestRoute,
 * RtmGetExactMatchRoute.  What a change does to the table is
 * table/route.c; the route's lifetime timer fires in api/timers.c.
 */
#include "enter.h"

#include "dest.h"
#include "error.h"
#include "info.h"
#include "lifetime.h"
#include "netaddr.h"
#include "nexthop.h"
#include "release.h"
#include "route.h"
#include "routelist.h"

#include <string.h>

/*
 * The in-place protocol's references ("Update a Route In Place Using
 * RtmUpdateAndUnlockRoute"): the owner that takes a next hop out of a locked
 * route releases it with RtmReleaseNextHops, and one that puts one in
 * references it with RtmReferenceHandles.  So the first lock of a route by a
 * thread lends it a client reference on each of the route's next hops and
 * its neighbour (kept with the hold, svc/lock.c); the commit takes over one
 * client reference for every next hop the edited route names (table/route.c),
 * and a release of one taken out, before or after the commit, spends the
 * lent one (after it: the one the commit left to the owner, svc/lock.c's
 * owed record, not another route's loan).  An unlock without a commit gives
 * back what is left of the loan; a commit gives back the old neighbour's
 * (the guide asks for no release of it).
 */
static void lend(struct rtm_rib *rib, const struct rtm_route *route, HANDLE h, HANDLE caller_h)
{
	HANDLE lent[RTM_MAX_NEXTHOPS + 1];
	struct rtm_nexthop *objs[RTM_MAX_NEXTHOPS + 1];
	unsigned n = route->n_nexthops;
	struct rtm_nexthop *const *nh = rtm__route_nexthops(route);
	for (unsigned i = 0; i <= n; i++) {
		objs[i] = i < n ? nh[i] : route->neighbour;
		lent[i] = objs[i] ? rtm__rib_handle(rib, &objs[i]->obj) : NULL;
	}
	if (route->neighbour)
		n++;
	if (rtm__client_loan_set(rib, h, caller_h, lent, n) == 0)
		for (unsigned i = 0; i < n; i++)
			rtm__obj_ref(&objs[i]->obj);
}

/* Gives back n lent references, each unless no client reference is left on
 * its next hop (the owner spent it).  rib->lock exclusive. */
static void give_back(struct rtm_rib *rib, const HANDLE *lent, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct rtm_nexthop *nh = rtm__nexthop_lookup(rib, lent[i]);
		if (nh && rtm__obj_client_refs(&nh->obj))
			rtm__obj_unref_locked(rib, &nh->obj);
	}
}

/* The route this thread holds with a loan was changed by another call of
 * the same thread (RtmAddRouteToDest, RtmDeleteRouteToDest): the loan
 * follows it, so a later commit or unlock balances.  rib->lock exclusive. */
static void relend(struct rtm_rib *rib, struct rtm_route *route, HANDLE h, HANDLE caller_h)
{
	if (!rtm__client_has_loan(rib, h, caller_h))
		return;
	rtm__client_loan_give_back(rib, h, caller_h);
	if (!route->obj.dead)
		lend(rib, route, h, caller_h);
}

/* The stripe of a new or existing route of one destination: by its key,
 * known before the table is looked at (arg: the stripe). */
static int add_target(struct rtm_rib *rib, struct rtm_entity *caller, void *arg, unsigned *stripe,
		      bool *want)
{
	*stripe = *(const unsigned *)arg;
	*want = true;
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
	struct rtm_change c = { .rib = rib, .caller = caller, .caller_h = RtmRegHandle, .stripe = stripe,
				.want = true };
	int err = rtm__enter_change(&c, add_target, &stripe);
	if (err)
		return rtm__win32(err);
	struct rtm_route_list *list = NULL;
	struct rtm_route *route = NULL;
	DWORD flags = 0;
	if (RouteListHandle && !(list = rtm__list_of_caller(rib, caller, RouteListHandle)))
		err = RTM_EHANDLE;
	else
		err = rtm__route_add(rib, caller, DestAddress, RouteHandle ? *RouteHandle : NULL, RouteInfo,
				     TimeToLive, list, *ChangeFlags, &route, &flags);
	if (!err) {
		*ChangeFlags = flags;
		if (RouteHandle && !*RouteHandle) {
			rtm__obj_ref(&route->obj);
			*RouteHandle = rtm__rib_handle(rib, &route->obj);
		}
		relend(rib, route, rtm__rib_handle(rib, &route->obj), RtmRegHandle);
	}
	rtm__leave_change(&c, true);
	return rtm__win32(err);
}

/* The caller's own route named by the handle (live or deleted), for a
 * change: its destination's stripe. */
static int own_route(struct rtm_rib *rib, struct rtm_entity *caller, void *arg, unsigned *stripe,
		     bool *want)
{
	struct rtm_route *route = rtm__route_lookup(rib, *(HANDLE *)arg);
	if (!route)
		return RTM_EHANDLE;
	if (route->owner != caller)
		return RTM_EACCES;
	*stripe = rtm__stripe_of_dest(rib, route->dest);
	*want = true;
	return 0;
}

DWORD WINAPI RtmDeleteRouteToDest(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle,
				  PRTM_ROUTE_CHANGE_FLAGS ChangeFlags)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	struct rtm_rib *rib = caller->rib;
	struct rtm_change c = { .rib = rib, .caller = caller, .caller_h = RtmRegHandle };
	int err = rtm__enter_change(&c, own_route, &RouteHandle);
	if (err)
		return rtm__win32(err);
	struct rtm_route *route = rtm__route_lookup(rib, RouteHandle);
	if (route->obj.dead) {
		err = RTM_ENOENT;
	} else if (rtm__obj_client_refs(&route->obj) == 0) {
		err = RTM_EHANDLE; /* the caller holds no reference to consume */
	} else {
		/* The handle is consumed: its reference goes with the route. */
		rtm__obj_pin(&route->obj); /* keep it while deleting */
		bool best = rtm__route_delete(rib, route);
		relend(rib, route, RouteHandle, RtmRegHandle);
		rtm__obj_unref(&route->obj);
		rtm__obj_unpin_locked(rib, &route->obj);
		if (ChangeFlags)
			*ChangeFlags = best ? RTM_ROUTE_CHANGE_BEST : 0;
	}
	rtm__leave_change(&c, true);
	return rtm__win32(err);
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
	struct rtm_change c = { .rib = rib, .caller = caller, .caller_h = RtmRegHandle };
	int err = rtm__enter_change(&c, own_route, &RouteHandle);
	if (err)
		return rtm__win32(err);
	struct rtm_route *route = rtm__route_lookup(rib, RouteHandle);
	struct rtm_route_list *list = NULL;
	struct rtm_nexthop *old_neighbour = route->neighbour;
	DWORD flags = 0;
	/* Only a route this thread locked (RtmLockRoute) has an edit to commit.
	 * Holding its stripe is not enough: the stripe may be held for another
	 * destination that hashes to it. */
	bool exclusive;
	if (!rtm__client_holds_obj(rib, RouteHandle, RtmRegHandle, &exclusive))
		err = RTM_EHANDLE;
	else if (route->obj.dead)
		err = RTM_ENOENT;
	else if (RouteListHandle && !(list = rtm__list_of_caller(rib, caller, RouteListHandle)))
		err = RTM_EHANDLE;
	else {
		/* A hold without a loan (one that outlived an earlier commit)
		 * lends now, so the commit takes over nothing of the owner's. */
		if (!rtm__client_has_loan(rib, RouteHandle, RtmRegHandle))
			lend(rib, route, RouteHandle, RtmRegHandle);
		err = rtm__route_update_inplace(rib, caller, route, TimeToLive, list, &flags);
	}
	if (!err) {
		if (ChangeFlags)
			*ChangeFlags = flags;
		/* What is left of the loan: a reference on a next hop the route
		 * still names was taken over by the commit; the old neighbour's
		 * goes back; one on a next hop the owner took out is owed, the
		 * owner's to release (and that release spends it, no other
		 * route's loan). */
		HANDLE lent[RTM_MAX_NEXTHOPS + 1], names[RTM_MAX_NEXTHOPS + 1];
		unsigned n = rtm__client_loan_take(rib, RouteHandle, RtmRegHandle, lent), k = 0;
		struct rtm_nexthop *const *nh = rtm__route_nexthops(route);
		for (unsigned i = 0; i < route->n_nexthops; i++)
			names[k++] = rtm__rib_handle(rib, &nh[i]->obj);
		if (route->neighbour)
			names[k++] = rtm__rib_handle(rib, &route->neighbour->obj);
		HANDLE old_nb = old_neighbour && old_neighbour != route->neighbour
					? rtm__rib_handle(rib, &old_neighbour->obj)
					: NULL;
		for (unsigned i = 0; i < n; i++) {
			unsigned j = 0;
			while (j < k && names[j] != lent[i])
				j++;
			if (j < k)
				names[j] = names[--k]; /* taken over by the commit */
			else if (lent[i] == old_nb) {
				give_back(rib, &lent[i], 1);
				old_nb = NULL;
			} else {
				rtm__client_loan_owe(rib, lent[i]);
			}
		}
	}
	rtm__leave_change(&c, false);
	/* Success unlocks the route, as RtmLockRoute(..., FALSE) would, in the
	 * mode it was locked in (exclusive first if it holds both). */
	if (!err)
		rtm__client_unlock_obj(rib, RouteHandle, exclusive, RtmRegHandle);
	rtm__notify_flush(rib);
	return rtm__win32(err);
}

struct route_info_args {
	HANDLE h;
	PRTM_ROUTE_INFO info;
	PRTM_NET_ADDRESS addr;
};

static int route_info_read(struct rtm_rib *rib, struct rtm_entity *caller, void *arg,
			   struct rtm_reap_list *reap)
{
	(void)caller;
	struct route_info_args *a = arg;
	return rtm__route_info_query(rib, a->h, a->info, a->addr, reap);
}

/* Lock-free, as the queries (api/dest.c, table/dest.h). */
DWORD WINAPI RtmGetRouteInfo(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle,
			     PRTM_ROUTE_INFO RouteInfo, PRTM_NET_ADDRESS DestAddress)
{
	struct route_info_args a = { RouteHandle, RouteInfo, DestAddress };
	return rtm__read(RtmRegHandle, route_info_read, &a);
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
	else if (!(*RoutePointer = rtm__route_shadow_get(rib, route)))
		err = RTM_ENOMEM;
	rtm__leave(rib);
	return rtm__win32(err);
}

/* Before the last hold of this thread on route h is released (exclusive:
 * the mode of the unlock asked): gives back what is left of the loan, and
 * the edit is abandoned, so the owner's in-place view shows the route
 * again: no later commit (say, from an expiry callback that locks without a
 * pointer) commits it.  Nothing when this is not the last hold. */
static void unlock_last(struct rtm_rib *rib, HANDLE h, bool exclusive, HANDLE caller_h)
{
	bool held_exclusive;
	if (!rtm__client_holds_obj(rib, h, caller_h, &held_exclusive) ||
	    rtm__client_holds_count(rib, h, caller_h) != 1 ||
	    exclusive != held_exclusive)
		return;
	rtm__rib_wrlock(rib);
	rtm__client_loan_give_back(rib, h, caller_h);
	struct rtm_route *route = rtm__route_lookup(rib, h);
	if (route && route->ext && route->ext->shadow)
		rtm__route_fill_info(rib, route, route->ext->shadow, false);
	rtm__rib_unlock(rib);
}

DWORD WINAPI RtmLockRoute(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle, BOOL Exclusive,
			  BOOL LockRoute, PRTM_ROUTE_INFO *RoutePointer)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib) {
		/* The caller deregistered while this thread held the route locked:
		 * its record still names the lock, which it can release. */
		if (!LockRoute && (rib = rtm__client_stale_rib(RouteHandle, RtmRegHandle))) {
			unlock_last(rib, RouteHandle, Exclusive != FALSE, RtmRegHandle);
			return rtm__win32(rtm__client_unlock_obj(rib, RouteHandle, Exclusive != FALSE, RtmRegHandle));
		}
		return ERROR_INVALID_HANDLE;
	}
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
		unlock_last(rib, RouteHandle, Exclusive != FALSE, RtmRegHandle);
		int u = rtm__client_unlock_obj(rib, RouteHandle, Exclusive != FALSE, RtmRegHandle);
		return rtm__win32(u && err ? err : u);
	}
	if (err)
		return rtm__win32(err);
	if ((err = rtm__client_lock_obj(rib, RouteHandle, stripe, Exclusive != FALSE, RtmRegHandle)))
		return rtm__win32(err);
	bool first = rtm__client_holds_count(rib, RouteHandle, RtmRegHandle) == 1;
	if (!RoutePointer && !first)
		return NO_ERROR;
	if (RoutePointer)
		rtm__rib_wrlock(rib);
	else
		rtm__rib_rdlock(rib);
	route = rtm__route_lookup(rib, RouteHandle);
	PRTM_ROUTE_INFO p = NULL;
	if (RoutePointer && route)
		p = rtm__route_shadow_get(rib, route);
	if (first && route && !route->obj.dead && (p || !RoutePointer))
		lend(rib, route, RouteHandle, RtmRegHandle);
	rtm__rib_unlock(rib);
	if (RoutePointer) {
		if (!p) {
			rtm__client_unlock_obj(rib, RouteHandle, Exclusive != FALSE, RtmRegHandle);
			return route ? ERROR_NOT_ENOUGH_MEMORY : ERROR_INVALID_HANDLE;
		}
		*RoutePointer = p;
	}
	return NO_ERROR;
}

struct best_args {
	HANDLE h;
	PRTM_VIEW_SET out;
};

static int best_read(struct rtm_rib *rib, struct rtm_entity *caller, void *arg, struct rtm_reap_list *reap)
{
	(void)caller;
	(void)reap;
	struct best_args *a = arg;
	RTM_VIEW_SET best;
	int err = rtm__route_best_query(rib, a->h, &best);
	if (!err && !a->out)
		err = RTM_EINVAL;
	if (!err)
		*a->out = best;
	return err;
}

/* Lock-free, as RtmGetRouteInfo. */
DWORD WINAPI RtmIsBestRoute(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle,
			    PRTM_VIEW_SET BestInViews)
{
	struct best_args a = { RouteHandle, BestInViews };
	return rtm__read(RtmRegHandle, best_read, &a);
}

struct exact_args {
	PRTM_NET_ADDRESS addr;
	RTM_MATCH_FLAGS flags;
	PRTM_ROUTE_INFO info;
	ULONG ifindex;
	RTM_VIEW_SET views;
	PRTM_ROUTE_HANDLE out;
};

static int exact_read(struct rtm_rib *rib, struct rtm_entity *caller, void *arg, struct rtm_reap_list *reap)
{
	(void)caller;
	struct exact_args *a = arg;
	bool needs_criteria = (a->flags & ~(RTM_MATCH_FLAGS)RTM_MATCH_INTERFACE) != 0;
	if (rtm__netaddr_check(a->addr, rib->family, rib->width) || (!a->info && needs_criteria))
		return RTM_EINVAL;
	uint8_t key[16];
	rtm__netaddr_key(a->addr, rib->width, key);
	struct rtm_route_match q = { key, a->addr->NumBits, a->views, a->flags, a->info, a->ifindex };
	return rtm__route_exact_query(rib, &q, a->info, a->out, reap);
}

/* Lock-free, as RtmGetRouteInfo.  RouteInfo is both the criteria and the
 * answer: it is written once, when the answer holds. */
DWORD WINAPI RtmGetExactMatchRoute(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NET_ADDRESS DestAddress,
				   RTM_MATCH_FLAGS MatchingFlags, PRTM_ROUTE_INFO RouteInfo,
				   ULONG InterfaceIndex, RTM_VIEW_SET TargetViews,
				   PRTM_ROUTE_HANDLE RouteHandle)
{
	struct exact_args a = { DestAddress, MatchingFlags, RouteInfo, InterfaceIndex, TargetViews, RouteHandle };
	return rtm__read(RtmRegHandle, exact_read, &a);
}
