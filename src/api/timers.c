/*
 * api/timers.c — the fires of the table's timers: a route's lifetime
 * (RTM_ROUTE_EXPIRED) and the end of a hold-down.  They run on the RIB's
 * timer thread and are entry points like the calls: they take the object's
 * stripe and the exclusive lock through rtm__enter_change (so they wait
 * while a client holds the destination locked), re-validate what they fire
 * for (the table's timer records: "cancel never waits, fire re-validates",
 * timerrec.h), and deliver events with no lock held.
 */
#include "timers.h"

#include "dest.h"
#include "enter.h"
#include "error.h"
#include "events.h"
#include "lifetime.h"
#include "route.h"

/* The destination a timer record is for, by its handle (none: no stripe). */
static int dest_target(struct rtm_rib *rib, struct rtm_entity *caller, void *arg, unsigned *stripe,
		       bool *want)
{
	struct rtm_dest *dest = rtm__dest_lookup(rib, *(HANDLE *)arg);
	if (dest) {
		*stripe = rtm__stripe_of_dest(rib, dest);
		*want = true;
	}
	return 0;
}

/* The route a handle names (none: no stripe). */
static int route_target(struct rtm_rib *rib, struct rtm_entity *caller, void *arg, unsigned *stripe,
			bool *want)
{
	struct rtm_route *route = rtm__route_lookup(rib, *(HANDLE *)arg);
	if (route) {
		*stripe = rtm__stripe_of_dest(rib, route->dest);
		*want = true;
	}
	return 0;
}

/* The hold time ran out (timer thread, no lock held).  Like a client's
 * change, the end of a hold-down takes the destination's stripe first, so it
 * waits while a client holds the destination locked. */
static void hold_fire(struct rtm_timer *timer, void *arg)
{
	struct rtm_rib *rib = arg;
	struct rtm_timer_rec *rec = rtm_container_of(timer, struct rtm_timer_rec, timer);
	HANDLE h = rec->handle;
	struct rtm_change c = { .rib = rib };
	rtm__enter_change(&c, dest_target, &h); /* cannot fail without a caller */
	/* The handle names the same destination, or none now: the stripe held
	 * is its stripe. */
	struct rtm_dest *dest = rtm__dest_lookup(rib, h);
	if (dest && dest->ext && rtm__timerrec_current(&dest->ext->hold_timer, rec) &&
	    dest->ext->hold_route)
		rtm__dest_hold_finish(rib, dest);
	rtm__timerrec_free(rec);
	rtm__leave_change(&c, true);
}

/* Deletes the route named by h after its owner let it expire, unless it was
 * deleted or given a new lifetime meanwhile, and drops the reference given
 * with the event. */
static void expire_delete(struct rtm_rib *rib, HANDLE h)
{
	struct rtm_change c = { .rib = rib };
	rtm__enter_change(&c, route_target, &h);
	struct rtm_route *route = rtm__route_lookup(rib, h);
	if (route) {
		rtm__route_expire(rib, route);
		rtm__obj_unref_locked(rib, &route->obj);
	}
	rtm__leave_change(&c, false);
}

/* A route's lifetime ran out: RTM_ROUTE_EXPIRED to its owner, with a
 * referenced handle (Context1) and the owner's in-place information
 * (Context2); ERROR_NOT_SUPPORTED, or no callback, deletes it. */
static void expiry_fire(struct rtm_timer *timer, void *arg)
{
	struct rtm_rib *rib = arg;
	struct rtm_timer_rec *rec = rtm_container_of(timer, struct rtm_timer_rec, timer);
	HANDLE h = rec->handle;
	/* Only the exclusive lock: the event goes out before any stripe is
	 * taken, since the owner may lock the route from its callback. */
	rtm__rib_wrlock(rib);
	struct rtm_route *route = rtm__route_expiry_fired(rib, rec);
	struct rtm_entity *owner = NULL;
	PRTM_ROUTE_INFO inplace = NULL;
	if (route) {
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
	if (!route)
		return;

	bool called;
	DWORD answer = rtm__entity_deliver(owner, RTM_ROUTE_EXPIRED, h, inplace, &called);
	if (!called || answer == ERROR_NOT_SUPPORTED)
		expire_delete(rib, h);
	rtm__entity_unref(owner);
	rtm__notify_flush(rib);
}

static const struct rtm_table_hooks hooks = { expiry_fire, hold_fire };

void rtm__timers_install(struct rtm_rib *rib)
{
	rib->hooks = &hooks;
}
