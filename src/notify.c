/*
 * notify.c — change notification.
 *
 * XXX: issue #5 implements change notification; until then registration
 * answers ERROR_CALL_NOT_IMPLEMENTED and changes are not queued.
 */
#include "notify.h"

#include "entity.h"
#include "error.h"
#include "objects.h"

void rtm__notify_changed(struct rtm_rib *rib, struct rtm_dest *dest, const struct rtm_dest_change *ch)
{
	(void)rib;
	(void)dest;
	(void)ch;
}

void rtm__notify_flush(struct rtm_rib *rib)
{
	(void)rib;
}

void rtm__notify_remove_owned(struct rtm_rib *rib, struct rtm_entity *e)
{
	(void)rib;
	(void)e;
}

void rtm__notify_free_all(struct rtm_rib *rib)
{
	(void)rib;
}

bool rtm__notify_try_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	(void)rib;
	(void)obj;
	return false;
}

#define NOT_YET(reg) (rtm__caller(reg) ? ERROR_CALL_NOT_IMPLEMENTED : ERROR_INVALID_HANDLE)

DWORD WINAPI RtmRegisterForChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle, RTM_VIEW_SET TargetViews,
					      RTM_NOTIFY_FLAGS NotifyFlags, PVOID NotifyContext,
					      PRTM_NOTIFY_HANDLE NotifyHandle)
{
	return NOT_YET(RtmRegHandle);
}

DWORD WINAPI RtmGetChangedDests(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
				PUINT NumDests, PRTM_DEST_INFO ChangedDests)
{
	return NOT_YET(RtmRegHandle);
}

DWORD WINAPI RtmReleaseChangedDests(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
				    UINT NumDests, PRTM_DEST_INFO ChangedDests)
{
	return NOT_YET(RtmRegHandle);
}

DWORD WINAPI RtmIgnoreChangedDests(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
				   UINT NumDests, PRTM_DEST_HANDLE ChangedDests)
{
	return NOT_YET(RtmRegHandle);
}

DWORD WINAPI RtmGetChangeStatus(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
				RTM_DEST_HANDLE DestHandle, PBOOL ChangeStatus)
{
	return NOT_YET(RtmRegHandle);
}

DWORD WINAPI RtmMarkDestForChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
					      RTM_DEST_HANDLE DestHandle, BOOL MarkDest)
{
	return NOT_YET(RtmRegHandle);
}

DWORD WINAPI RtmIsMarkedForChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
					      RTM_DEST_HANDLE DestHandle, PBOOL DestMarked)
{
	return NOT_YET(RtmRegHandle);
}

DWORD WINAPI RtmDeregisterFromChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle)
{
	return NOT_YET(RtmRegHandle);
}
