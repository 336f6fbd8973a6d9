/*
 * api/ext.c — our own extensions of the API (<rtmv2/rtmv2_ext.h>):
 * rtm_strerror, rtm_get_stats and rtm_get_ribs.
 */
#include "enter.h"

#include "changes.h"
#include "error.h"
#include "registry.h"

#include <rtmv2/rtmv2_ext.h>

const char *rtm_strerror(DWORD code)
{
	if (code == NO_ERROR)
		return "success";
#define RTM_X_MSG(name, value, win32, msg) \
	if (code == (DWORD)(win32))        \
		return msg;
	RTM_ERROR_TABLE(RTM_X_MSG)
#undef RTM_X_MSG
	return "unknown error";
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
	stats->handles = rib->handles.used + rib->dest_arena.live + rib->stats.routes +
			 rib->nexthop_arena.live;
	stats->pending_timers = rtm__timer_pending(&rib->timers);
	stats->queued_changes = rtm__notify_queued(rib);
	stats->waiting_locks = atomic_load_explicit(&rib->waiting_locks, memory_order_relaxed);
	stats->waiting_invokes = atomic_load_explicit(&rib->waiting_invokes, memory_order_relaxed);
	stats->waiting_drains = atomic_load_explicit(&rib->waiting_drains, memory_order_relaxed);
	rtm__leave(rib);
	return NO_ERROR;
}

DWORD rtm_get_ribs(rtm_rib_info *ribs, UINT *count)
{
	if (!count || (*count && !ribs))
		return ERROR_INVALID_PARAMETER;
	UINT n = 0, room = *count;
	rtm__registry_lock();
	for (unsigned i = 1; i < RTM_HANDLE_MAX_RIBS; i++) {
		struct rtm_rib *rib = rtm__rib_by_index(i);
		if (!rib || !rib->n_entities)
			continue;
		if (n < room) {
			ribs[n].instance = rib->instance_id;
			ribs[n].family = rib->family;
			ribs[n].entities = rib->n_entities;
		}
		n++;
	}
	rtm__registry_unlock();
	*count = n;
	return n > room ? ERROR_INSUFFICIENT_BUFFER : NO_ERROR;
}
