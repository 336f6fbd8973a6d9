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

DWORD WINAPI RtmGetDestInfo(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle, ULONG ProtocolId,
			    RTM_VIEW_SET TargetViews, PRTM_DEST_INFO DestInfo)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	struct rtm_dest *dest = rtm__dest_lookup(rib, DestHandle);
	if (!dest)
		err = RTM_EHANDLE;
	else if (!DestInfo)
		err = RTM_EINVAL;
	else
		rtm__dest_fill_one(rib, dest, rtm__protocol_filter(caller, ProtocolId), TargetViews, DestInfo);
	rtm__leave(rib);
	return rtm__win32(err);
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

/* The query functions share their checks and their answer. */
static int query_answer(struct rtm_rib *rib, struct rtm_entity *caller, struct rtm_dest *dest,
			ULONG ProtocolId, RTM_VIEW_SET TargetViews, PRTM_DEST_INFO DestInfo)
{
	if (!dest)
		return RTM_ENOENT;
	rtm__dest_fill_one(rib, dest, rtm__protocol_filter(caller, ProtocolId), TargetViews, DestInfo);
	return 0;
}

DWORD WINAPI RtmGetExactMatchDestination(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NET_ADDRESS DestAddress,
					 ULONG ProtocolId, RTM_VIEW_SET TargetViews,
					 PRTM_DEST_INFO DestInfo)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err;
	if (!DestInfo || rtm__netaddr_check(DestAddress, rib->family, rib->width)) {
		err = RTM_EINVAL;
	} else {
		uint8_t key[16];
		rtm__netaddr_key(DestAddress, rib->width, key);
		struct rtm_dest *dest = rtm__dest_find(rib, key, DestAddress->NumBits);
		if (dest && !rtm__dest_visible(dest))
			dest = NULL;
		err = query_answer(rib, caller, dest, ProtocolId, TargetViews, DestInfo);
	}
	rtm__leave(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmGetMostSpecificDestination(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NET_ADDRESS DestAddress,
					   ULONG ProtocolId, RTM_VIEW_SET TargetViews,
					   PRTM_DEST_INFO DestInfo)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err;
	if (!DestInfo || rtm__netaddr_check(DestAddress, rib->family, rib->width)) {
		err = RTM_EINVAL;
	} else {
		struct rtm_trie_node *n = rtm__trie_find_longest(&rib->trie, DestAddress->AddrBits,
								 DestAddress->NumBits);
		err = query_answer(rib, caller, rtm__dest_usable_or_up(rib, n, TargetViews), ProtocolId,
				   TargetViews, DestInfo);
	}
	rtm__leave(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmGetLessSpecificDestination(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
					   ULONG ProtocolId, RTM_VIEW_SET TargetViews,
					   PRTM_DEST_INFO DestInfo)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err;
	struct rtm_dest *dest = rtm__dest_lookup(rib, DestHandle);
	if (!dest) {
		err = RTM_EHANDLE;
	} else if (!DestInfo) {
		err = RTM_EINVAL;
	} else if (!dest->in_trie) {
		err = RTM_ENOENT;
	} else {
		struct rtm_trie_node *n = rtm__trie_find_less_specific(&rib->trie, &dest->node);
		err = query_answer(rib, caller, rtm__dest_usable_or_up(rib, n, TargetViews), ProtocolId,
				   TargetViews, DestInfo);
	}
	rtm__leave(rib);
	return rtm__win32(err);
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
