/*
 * api/handles.c — RtmReferenceHandles: one more client reference on handles
 * of any kind.
 */
#include "enter.h"

#include "entity.h"
#include "error.h"

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
	rtm__leave(rib);
	return rtm__win32(err);
}
