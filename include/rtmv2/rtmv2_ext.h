/*
 * rtmv2_ext.h — rtmv2's own extensions to the RTMv2 API (snake_case, rtm_ prefix).
 *
 * Nothing here exists on Windows; code that must stay portable to the Windows
 * SDK should not depend on it.
 */
#ifndef RTMV2_EXT_H
#define RTMV2_EXT_H

#include <rtmv2.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A short English message for a Win32 code returned by the API ("unknown error" otherwise). */
RTMV2_API const char *rtm_strerror(DWORD code);

/* Counters of one instance and address family, as seen by the calling entity. */
typedef struct rtm_stats {
	unsigned long entities;      /* registered entities */
	unsigned long dests;         /* destinations in the table (including held and referenced ones) */
	unsigned long routes;        /* routes in the table */
	unsigned long next_hops;     /* next hops of all entities */
	unsigned long handles;       /* handle-table slots in use */
	unsigned long pending_timers;/* armed route-expiry and hold-down timers */
	unsigned long queued_changes;/* entries in all change-notification queues (one per
				      * destination and registration at most) */
	/* Threads blocked in the library at this moment (for tests and
	 * diagnostics: a "still waiting" check knows the waiter is there). */
	unsigned long waiting_locks;   /* on a client lock: RtmLock* calls, and changes and timer
					* fires of a destination, route or next hop a client holds locked */
	unsigned long waiting_invokes; /* in RtmInvokeMethod, on a target's blocked methods */
	unsigned long waiting_drains;  /* in RtmDeregisterEntity or RtmBlockMethods, on the entity's
					* callbacks or methods running on other threads */
} rtm_stats;

/* rtm_stats has the waiting_* counters. */
#define RTM_STATS_HAS_WAITERS 1

/* Fills *stats for the instance and family of RtmRegHandle.
 * Returns NO_ERROR, ERROR_INVALID_HANDLE or ERROR_INVALID_PARAMETER (stats NULL). */
RTMV2_API DWORD rtm_get_stats(RTM_ENTITY_HANDLE RtmRegHandle, rtm_stats *stats);

/* One instance and address family that has registered entities. */
typedef struct rtm_rib_info {
	USHORT instance;
	USHORT family;
	unsigned long entities;  /* registered entities */
} rtm_rib_info;

/* The instances and families of the process that have entities, in the order
 * they were first used: up to *count into ribs, and their number in *count.
 * NO_ERROR; ERROR_INSUFFICIENT_BUFFER (more than *count: *count says how
 * many); ERROR_INVALID_PARAMETER (count NULL, or ribs NULL with *count > 0). */
RTMV2_API DWORD rtm_get_ribs(rtm_rib_info *ribs, UINT *count);

#ifdef __cplusplus
}
#endif

#endif
