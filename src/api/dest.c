/*
 * api/dest.c — destinations: RtmGetDestInfo, RtmReleaseDestInfo, the three
 * queries (exact, most specific, less specific), RtmHoldDestination,
 * RtmLockDestination, RtmGetOpaqueInformationPointer.  The table's side is
 * table/dest.c.
 */
#include "enter.h"

#include "dest.h"
#include "error.h"
#include "info.h"
#include "netaddr.h"

/*
 * The queries and RtmGetDestInfo take no lock: they read the RIB inside an
 * epoch section and check what they read against sequence counts
 * (table/dest.h), so a writer never makes them wait and they never make a
 * writer wait.
 */
struct query_args {
	struct rtm_dest_query *q;
	PRTM_NET_ADDRESS addr;
	ULONG proto;
	PRTM_DEST_INFO info;
};

static int query_read(struct rtm_rib *rib, struct rtm_entity *caller, void *arg, struct rtm_reap_list *reap)
{
	struct query_args *a = arg;
	struct rtm_dest_query *q = a->q;
	uint8_t key[16];
	if (q->kind == RTM_QUERY_HANDLE || q->kind == RTM_QUERY_LESS) {
		if (!a->info)
			return rtm__rib_lookup_optimistic(rib, q->h, RTM_HT_DEST) ? RTM_EINVAL : RTM_EHANDLE;
	} else if (!a->info || rtm__netaddr_check(a->addr, rib->family, rib->width)) {
		return RTM_EINVAL;
	} else {
		rtm__netaddr_key(a->addr, rib->width, key);
		q->key = q->kind == RTM_QUERY_EXACT ? key : a->addr->AddrBits;
		q->len = a->addr->NumBits;
	}
	q->proto = rtm__protocol_filter(caller, a->proto);
	return rtm__dest_query(rib, q, a->info, reap);
}

static DWORD query(RTM_ENTITY_HANDLE RtmRegHandle, struct rtm_dest_query *q, PRTM_NET_ADDRESS addr,
		   ULONG ProtocolId, PRTM_DEST_INFO DestInfo)
{
	struct query_args a = { q, addr, ProtocolId, DestInfo };
	return rtm__read(RtmRegHandle, query_read, &a);
}

DWORD WINAPI RtmGetDestInfo(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle, ULONG ProtocolId,
			    RTM_VIEW_SET TargetViews, PRTM_DEST_INFO DestInfo)
{
	struct rtm_dest_query q = { .kind = RTM_QUERY_HANDLE, .h = DestHandle, .views = TargetViews };
	return query(RtmRegHandle, &q, NULL, ProtocolId, DestInfo);
}

DWORD WINAPI RtmReleaseDestInfo(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_DEST_INFO DestInfo)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	if (!DestInfo)
		return ERROR_INVALID_PARAMETER;
	return rtm__win32(rtm__dest_release_infos(caller->rib, DestInfo, 1, 0));
}

DWORD WINAPI RtmGetExactMatchDestination(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NET_ADDRESS DestAddress,
					 ULONG ProtocolId, RTM_VIEW_SET TargetViews,
					 PRTM_DEST_INFO DestInfo)
{
	struct rtm_dest_query q = { .kind = RTM_QUERY_EXACT, .views = TargetViews };
	return query(RtmRegHandle, &q, DestAddress, ProtocolId, DestInfo);
}

DWORD WINAPI RtmGetMostSpecificDestination(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NET_ADDRESS DestAddress,
					   ULONG ProtocolId, RTM_VIEW_SET TargetViews,
					   PRTM_DEST_INFO DestInfo)
{
	struct rtm_dest_query q = { .kind = RTM_QUERY_LONGEST, .views = TargetViews };
	return query(RtmRegHandle, &q, DestAddress, ProtocolId, DestInfo);
}

DWORD WINAPI RtmGetLessSpecificDestination(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
					   ULONG ProtocolId, RTM_VIEW_SET TargetViews,
					   PRTM_DEST_INFO DestInfo)
{
	struct rtm_dest_query q = { .kind = RTM_QUERY_LESS, .h = DestHandle, .views = TargetViews };
	return query(RtmRegHandle, &q, NULL, ProtocolId, DestInfo);
}

DWORD WINAPI RtmHoldDestination(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
				RTM_VIEW_SET TargetViews, ULONG HoldTime)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	struct rtm_dest *dest = rtm__dest_lookup(rib, DestHandle);
	if (!dest) {
		err = RTM_EHANDLE;
	} else if (HoldTime == 0 || !rtm__views_supported(rib, TargetViews)) {
		err = RTM_EINVAL;
	} else {
		struct rtm_dest_ext *ext = rtm__dest_ext(rib, dest);
		if (!ext) {
			err = RTM_ENOMEM;
		} else {
			/* One hold time for all views: the longest asked for (INFINITE
			 * is held as the longest a timer can wait). */
			uint32_t ms = HoldTime == INFINITE ? INFINITE - 1 : HoldTime;
			ext->hold_marked |= TargetViews ? TargetViews : rib->cfg.views_supported;
			if (ms > ext->hold_time_ms)
				ext->hold_time_ms = ms;
		}
	}
	rtm__leave(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmLockDestination(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle, BOOL Exclusive,
				BOOL LockDest)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib) {
		/* An entity that deregistered while this thread held the lock can
		 * still release it (api/route.c, RtmLockRoute). */
		if (!LockDest && (rib = rtm__client_stale_rib(DestHandle, RtmRegHandle)))
			return rtm__win32(rtm__client_unlock_obj(rib, DestHandle, Exclusive != FALSE, RtmRegHandle));
		return ERROR_INVALID_HANDLE;
	}
	struct rtm_dest *dest = rtm__dest_lookup(rib, DestHandle);
	unsigned stripe = dest ? rtm__stripe_of_dest(rib, dest) : 0;
	rtm__rib_unlock(rib);
	if (!LockDest) {
		/* As for routes: an unlock needs only this thread's record, so it
		 * works after the destination was released and freed. */
		int u = rtm__client_unlock_obj(rib, DestHandle, Exclusive != FALSE, RtmRegHandle);
		return rtm__win32(u && !dest ? RTM_EHANDLE : u);
	}
	if (!dest)
		return ERROR_INVALID_HANDLE;
	return rtm__win32(rtm__client_lock_obj(rib, DestHandle, stripe, Exclusive != FALSE, RtmRegHandle));
}

DWORD WINAPI RtmGetOpaqueInformationPointer(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
					    PVOID *OpaqueInfoPointer)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	struct rtm_dest *dest = rtm__dest_lookup(rib, DestHandle);
	if (!dest) {
		err = RTM_EHANDLE;
	} else if (!OpaqueInfoPointer) {
		err = RTM_EINVAL;
	} else if (caller->opaque_slot < 0) {
		err = RTM_ENOENT;
	} else {
		struct rtm_dest_ext *ext = rtm__dest_ext(rib, dest);
		if (!ext)
			err = RTM_ENOMEM;
		else
			*OpaqueInfoPointer = &ext->opaque[caller->opaque_slot];
	}
	rtm__leave(rib);
	return rtm__win32(err);
}
