/*
 * tablenum.c — enumerations of the table: destinations, routes, next hops.
 *
 * XXX: issue #5 implements these; until then they answer
 * ERROR_CALL_NOT_IMPLEMENTED, as the README's API table says.
 */
#include "entity.h"
#include "enum.h"
#include "error.h"

void rtm__table_enum_fini(struct rtm_rib *rib, struct rtm_enum *en)
{
	(void)rib;
	(void)en;
}

DWORD WINAPI RtmCreateDestEnum(RTM_ENTITY_HANDLE RtmRegHandle, RTM_VIEW_SET TargetViews,
			       RTM_ENUM_FLAGS EnumFlags, PRTM_NET_ADDRESS NetAddress, ULONG ProtocolId,
			       PRTM_ENUM_HANDLE RtmEnumHandle)
{
	return rtm__caller(RtmRegHandle) ? ERROR_CALL_NOT_IMPLEMENTED : ERROR_INVALID_HANDLE;
}

DWORD WINAPI RtmGetEnumDests(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle, PUINT NumDests,
			     PRTM_DEST_INFO DestInfos)
{
	return rtm__caller(RtmRegHandle) ? ERROR_CALL_NOT_IMPLEMENTED : ERROR_INVALID_HANDLE;
}

DWORD WINAPI RtmReleaseDests(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumDests, PRTM_DEST_INFO DestInfos)
{
	return rtm__caller(RtmRegHandle) ? ERROR_CALL_NOT_IMPLEMENTED : ERROR_INVALID_HANDLE;
}

DWORD WINAPI RtmCreateRouteEnum(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
				RTM_VIEW_SET TargetViews, RTM_ENUM_FLAGS EnumFlags,
				PRTM_NET_ADDRESS StartDest, RTM_MATCH_FLAGS MatchingFlags,
				PRTM_ROUTE_INFO CriteriaRoute, ULONG CriteriaInterface,
				PRTM_ENUM_HANDLE RtmEnumHandle)
{
	return rtm__caller(RtmRegHandle) ? ERROR_CALL_NOT_IMPLEMENTED : ERROR_INVALID_HANDLE;
}

DWORD WINAPI RtmGetEnumRoutes(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle, PUINT NumRoutes,
			      PRTM_ROUTE_HANDLE RouteHandles)
{
	return rtm__caller(RtmRegHandle) ? ERROR_CALL_NOT_IMPLEMENTED : ERROR_INVALID_HANDLE;
}

DWORD WINAPI RtmCreateNextHopEnum(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_FLAGS EnumFlags,
				  PRTM_NET_ADDRESS NetAddress, PRTM_ENUM_HANDLE RtmEnumHandle)
{
	return rtm__caller(RtmRegHandle) ? ERROR_CALL_NOT_IMPLEMENTED : ERROR_INVALID_HANDLE;
}

DWORD WINAPI RtmGetEnumNextHops(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle,
				PUINT NumNextHops, PRTM_NEXTHOP_HANDLE NextHopHandles)
{
	return rtm__caller(RtmRegHandle) ? ERROR_CALL_NOT_IMPLEMENTED : ERROR_INVALID_HANDLE;
}
