/*
 * objects.c — who frees what: the per-type dispatch, what an entity owns,
 * and the RIB-wide sweep when the last entity leaves.
 */
#include "objects.h"

#include "alloc.h"
#include "dest.h"
#include "entity.h"
#include "enum.h"
#include "error.h"
#include "nexthop.h"
#include "notify.h"
#include "route.h"
#include "routelist.h"

#include <rtmv2/rtmv2_ext.h>

bool rtm__objects_try_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	switch (obj->type) {
	case RTM_HT_DEST:
		return rtm__dest_try_free(rib, (struct rtm_dest *)obj);
	case RTM_HT_ROUTE:
		return rtm__route_try_free(rib, (struct rtm_route *)obj);
	case RTM_HT_NEXTHOP:
		return rtm__nexthop_try_free(rib, (struct rtm_nexthop *)obj);
	case RTM_HT_ENUM:
		return rtm__enum_try_free(rib, obj);
	case RTM_HT_LIST:
		return rtm__list_try_free(rib, obj);
	case RTM_HT_NOTIFY:
		return rtm__notify_try_free(rib, obj);
	}
	return false;
}

void rtm__entity_free_owned(struct rtm_rib *rib, struct rtm_entity *e)
{
	/* Lists and enumerations first: they point into routes. */
	rtm__lists_remove_owned(rib, e);
	rtm__enums_remove_owned(rib, e);
	rtm__notify_remove_owned(rib, e);
	rtm__routes_remove_owned(rib, e);
	rtm__nexthops_remove_owned(rib, e);
	if (e->opaque_slot >= 0)
		rtm__dests_clear_opaque(rib, e->opaque_slot);
}

/* ---- the final sweep ------------------------------------------------------ */

static void forget_refs(struct rtm_obj *obj, void *arg)
{
	(void)arg;
	atomic_store_explicit(&obj->pins, 0, memory_order_relaxed);
	atomic_store_explicit(&obj->crefs, 0, memory_order_relaxed);
	atomic_store_explicit(&obj->reap_pending, 0, memory_order_relaxed);
}

static void free_routes(struct rtm_obj *obj, void *arg)
{
	if (obj->type == RTM_HT_ROUTE)
		rtm__route_free(arg, (struct rtm_route *)obj);
}

static void free_rest(struct rtm_obj *obj, void *arg)
{
	struct rtm_rib *rib = arg;
	switch (obj->type) {
	case RTM_HT_DEST:
		rtm__dest_free(rib, (struct rtm_dest *)obj);
		break;
	case RTM_HT_NEXTHOP:
		/* Its remote destination is being swept too: do not touch it. */
		((struct rtm_nexthop *)obj)->remote = NULL;
		rtm__nexthop_free(rib, (struct rtm_nexthop *)obj);
		break;
	default:
		obj->dead = 1;
		rtm__objects_try_free(rib, obj);
		break;
	}
}

void rtm__objects_free_all(struct rtm_rib *rib)
{
	/*
	 * Only objects that clients' unreleased handles kept can be left (every
	 * entity's own objects went with it).  Nobody can name them any more, so
	 * forget those references and free everything: routes first, since they
	 * reference destinations and next hops.
	 */
	rtm__handle_foreach(&rib->handles, forget_refs, NULL);
	rtm__handle_foreach(&rib->handles, free_routes, rib);
	rtm__handle_foreach(&rib->handles, free_rest, rib);
	rtm__notify_free_all(rib);
}

/* ---- handles of any kind ---------------------------------------------------- */

DWORD WINAPI RtmReferenceHandles(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumHandles, HANDLE *RtmHandles)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	if (NumHandles && !RtmHandles)
		err = RTM_EINVAL;
	/* All are checked before any is referenced.  RIB objects cannot go
	 * while the lock is held; entities can (their slots are freed under the
	 * shared lock), so they are referenced in the checking pass already, and
	 * given back if a later handle fails. */
	UINT i;
	for (i = 0; i < NumHandles && !err; i++) {
		struct rtm_handle_parts p;
		if (rtm__handle_decode(RtmHandles[i], &p))
			err = RTM_EHANDLE;
		else if (p.type == RTM_HT_ENTITY)
			err = rtm__entity_ref_client_handle(rib, RtmHandles[i]) ? 0 : RTM_EHANDLE;
		else
			err = rtm__rib_lookup(rib, RtmHandles[i], p.type) ? 0 : RTM_EHANDLE;
	}
	if (err) {
		/* Handles [0, i - 1) passed; the entities among them give back. */
		for (UINT j = 0; j + 1 < i; j++) {
			struct rtm_handle_parts p;
			if (rtm__handle_decode(RtmHandles[j], &p) == 0 && p.type == RTM_HT_ENTITY) {
				struct rtm_entity *e = rtm__entity_claim_client(rib, RtmHandles[j]);
				if (e)
					rtm__entity_unref(e);
			}
		}
	}
	for (i = 0; i < NumHandles && !err; i++) {
		struct rtm_handle_parts p;
		rtm__handle_decode(RtmHandles[i], &p);
		if (p.type != RTM_HT_ENTITY)
			rtm__obj_ref(rtm__rib_lookup(rib, RtmHandles[i], p.type));
	}
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

DWORD rtm_get_stats(RTM_ENTITY_HANDLE RtmRegHandle, rtm_stats *stats)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	if (!stats) {
		rtm__rib_unlock(rib);
		return ERROR_INVALID_PARAMETER;
	}
	stats->entities = rib->n_entities;
	stats->dests = rib->stats.dests;
	stats->routes = rib->stats.routes;
	stats->next_hops = rib->stats.nexthops;
	stats->handles = rib->handles.used;
	stats->pending_timers = rtm__timer_pending(&rib->timers);
	stats->queued_changes = rtm__notify_queued(rib);
	rtm__rib_unlock(rib);
	return NO_ERROR;
}
