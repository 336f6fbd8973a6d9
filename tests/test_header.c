/*
 * test_header.c — checks of the public header set: rtmv2.h, rtmv2/wintypes.h,
 * rtmv2/winerror.h.
 *
 * Most of what a header promises is decided at compile time, so most checks
 * here are _Static_asserts: type widths, every constant's value, the LP64
 * layout of every structure (offset and type of each field, size), the exact
 * prototype of every API function (through _Generic, which does not evaluate
 * its operand, so no library symbol is referenced and the test links alone),
 * and the size macros.  A broken header therefore fails the build, naming the
 * broken item.  The run-time tests then exercise what only running shows:
 * the IPv4 address macros' results and their freedom from undefined
 * behaviour (run under -fsanitize=address,undefined), that buffers sized by
 * the size macros really hold what is written into them, and the behaviour
 * of the unions and function-pointer types.
 *
 * rtmv2.h is included first, and twice, to show that it is self-contained and
 * idempotent.
 */
#include <rtmv2.h>
#include <rtmv2.h>

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

/* ------------------------------------------------------------------------
 * Compile-time helpers
 */

/* 1 if expr has exactly type T (after lvalue conversion), else 0. */
#define TYPE_IS(expr, T) _Generic((expr), T: 1, default: 0)

/* A field of T, named without an object: only for unevaluated contexts. */
#define FLD(T, f) (((T *)0)->f)

/* Field f of struct T is at offset off and has type type. */
#define ASSERT_FIELD(T, f, off, type)                                          \
	_Static_assert(offsetof(T, f) == (off), #T "." #f " offset");          \
	_Static_assert(TYPE_IS(FLD(T, f), type), #T "." #f " type")

/* Array field f of struct T is at offset off and is of type `type`. */
#define ASSERT_ARRAY(T, f, off, type)                                          \
	_Static_assert(offsetof(T, f) == (off), #T "." #f " offset");          \
	_Static_assert(TYPE_IS(&FLD(T, f), type), #T "." #f " type")

#define ASSERT_VALUE(name, value) _Static_assert((name) == (value), #name " value")

/* ------------------------------------------------------------------------
 * Base types (rtmv2/wintypes.h)
 */
_Static_assert(sizeof(DWORD) == 4, "DWORD");
_Static_assert(sizeof(ULONG) == 4, "ULONG");
_Static_assert(sizeof(LONG) == 4, "LONG");
_Static_assert(sizeof(INT) == 4 && sizeof(UINT) == 4, "INT/UINT");
_Static_assert(sizeof(BOOL) == 4, "BOOL");
_Static_assert(sizeof(USHORT) == 2 && sizeof(SHORT) == 2 && sizeof(WORD) == 2, "16-bit");
_Static_assert(sizeof(UCHAR) == 1 && sizeof(CHAR) == 1 && sizeof(BYTE) == 1, "8-bit");
_Static_assert(sizeof(BOOLEAN) == 1, "BOOLEAN");
_Static_assert(sizeof(ULONGLONG) == 8 && sizeof(LONGLONG) == 8, "64-bit");
_Static_assert(sizeof(HANDLE) == sizeof(void *), "HANDLE");
_Static_assert(sizeof(PVOID) == sizeof(void *), "PVOID");
_Static_assert(TYPE_IS((DWORD)0, uint32_t) && TYPE_IS((ULONG)0, uint32_t), "unsigned 32");
_Static_assert(TYPE_IS((LONG)0, int32_t), "LONG is int32_t");
_Static_assert((DWORD)-1 > 0 && (ULONG)-1 > 0 && (ULONGLONG)-1 > 0, "unsigned");
_Static_assert((LONG)-1 < 0 && (LONGLONG)-1 < 0 && (INT)-1 < 0, "signed");
_Static_assert(TYPE_IS((HANDLE)0, void *) && TYPE_IS((PVOID)0, void *), "pointers");
_Static_assert(TYPE_IS((PULONG)0, ULONG *) && TYPE_IS((PUSHORT)0, USHORT *), "P types");
_Static_assert(TYPE_IS((PUCHAR)0, UCHAR *) && TYPE_IS((PUINT)0, UINT *), "P types");
_Static_assert(TYPE_IS((PDWORD)0, DWORD *) && TYPE_IS((PBOOL)0, BOOL *), "P types");
_Static_assert(TYPE_IS((PFILETIME)0, FILETIME *), "PFILETIME");
_Static_assert(TYPE_IS((PIN6_ADDR)0, struct in6_addr *), "PIN6_ADDR");
_Static_assert(sizeof(IN6_ADDR) == 16, "IN6_ADDR");
ASSERT_FIELD(FILETIME, dwLowDateTime, 0, DWORD);
ASSERT_FIELD(FILETIME, dwHighDateTime, 4, DWORD);
_Static_assert(sizeof(FILETIME) == 8 && alignof(FILETIME) == 4, "FILETIME");
ASSERT_VALUE(TRUE, 1);
ASSERT_VALUE(FALSE, 0);
ASSERT_VALUE(INFINITE, 0xFFFFFFFFu);
_Static_assert(FIELD_OFFSET(FILETIME, dwHighDateTime) == 4, "FIELD_OFFSET");

/* ------------------------------------------------------------------------
 * Error codes (rtmv2/winerror.h): the standard winerror.h values.
 */
ASSERT_VALUE(NO_ERROR, 0);
ASSERT_VALUE(ERROR_SUCCESS, 0);
ASSERT_VALUE(ERROR_FILE_NOT_FOUND, 2);
ASSERT_VALUE(ERROR_ACCESS_DENIED, 5);
ASSERT_VALUE(ERROR_INVALID_HANDLE, 6);
ASSERT_VALUE(ERROR_NOT_ENOUGH_MEMORY, 8);
ASSERT_VALUE(ERROR_BAD_ENVIRONMENT, 10);
ASSERT_VALUE(ERROR_INVALID_DATA, 13);
ASSERT_VALUE(ERROR_NOT_SUPPORTED, 50);
ASSERT_VALUE(ERROR_INVALID_PARAMETER, 87);
ASSERT_VALUE(ERROR_CALL_NOT_IMPLEMENTED, 120);
ASSERT_VALUE(ERROR_INSUFFICIENT_BUFFER, 122);
ASSERT_VALUE(ERROR_ALREADY_EXISTS, 183);
ASSERT_VALUE(ERROR_NO_MORE_ITEMS, 259);
ASSERT_VALUE(ERROR_CAN_NOT_COMPLETE, 1003);
ASSERT_VALUE(ERROR_NOT_FOUND, 1168);
ASSERT_VALUE(ERROR_NO_SYSTEM_RESOURCES, 1450);
ASSERT_VALUE(ERROR_TIMEOUT, 1460);
ASSERT_VALUE(ERROR_BAD_CONFIGURATION, 1610);
/* Plain int constants, so they compare with a DWORD without surprises. */
_Static_assert(TYPE_IS(ERROR_NOT_FOUND, int) && TYPE_IS(NO_ERROR, int), "int codes");

/* ------------------------------------------------------------------------
 * Constants of rtmv2.h (RTMV2.md section 12)
 */
ASSERT_VALUE(RTM_MAX_ADDRESS_SIZE, 16);
ASSERT_VALUE(RTM_MAX_VIEWS, 32);
ASSERT_VALUE(RTM_VIEW_ID_UCAST, 0);
ASSERT_VALUE(RTM_VIEW_ID_MCAST, 1);
ASSERT_VALUE(RTM_VIEW_MASK_SIZE, 32);
ASSERT_VALUE(RTM_VIEW_MASK_NONE, 0);
ASSERT_VALUE(RTM_VIEW_MASK_ANY, 0);
ASSERT_VALUE(RTM_VIEW_MASK_UCAST, 1u << RTM_VIEW_ID_UCAST);
ASSERT_VALUE(RTM_VIEW_MASK_MCAST, 1u << RTM_VIEW_ID_MCAST);
ASSERT_VALUE(RTM_VIEW_MASK_ALL, 0xFFFFFFFFu);
ASSERT_VALUE(RTM_BEST_PROTOCOL, 0);
ASSERT_VALUE(RTM_THIS_PROTOCOL, 0xFFFFFFFFu);
_Static_assert(TYPE_IS(RTM_BEST_PROTOCOL, ULONG) && TYPE_IS(RTM_THIS_PROTOCOL, ULONG), "ULONG");
ASSERT_VALUE(RTM_RESUME_METHODS, 0);
ASSERT_VALUE(RTM_BLOCK_METHODS, 1);
ASSERT_VALUE(METHOD_TYPE_ALL_METHODS, 0xFFFFFFFFu);
ASSERT_VALUE(METHOD_RIP2_NEIGHBOUR_ADDR, 0x1);
ASSERT_VALUE(METHOD_RIP2_OUTBOUND_INTF, 0x2);
ASSERT_VALUE(METHOD_RIP2_ROUTE_TAG, 0x4);
ASSERT_VALUE(METHOD_RIP2_ROUTE_TIMESTAMP, 0x8);
ASSERT_VALUE(METHOD_BGP4_AS_PATH, 0x1);
ASSERT_VALUE(METHOD_BGP4_PEER_ID, 0x2);
ASSERT_VALUE(METHOD_BGP4_PA_ORIGIN, 0x4);
ASSERT_VALUE(METHOD_BGP4_NEXTHOP_ATTR, 0x8);
ASSERT_VALUE(IPV6_ADDRESS_LEN_IN_BYTES, 16);

/* 12.1 destination flags */
ASSERT_VALUE(RTM_DEST_FLAG_NATURAL_NET, 0x01);
ASSERT_VALUE(RTM_DEST_FLAG_FWD_ENGIN_ADD, 0x02);
ASSERT_VALUE(RTM_DEST_FLAG_DONT_FORWARD, 0x04);

/* 12.2 route flags and groups */
ASSERT_VALUE(RTM_ROUTE_FLAGS_MARTIAN, 0x0001);
ASSERT_VALUE(RTM_ROUTE_FLAGS_BLACKHOLE, 0x0002);
ASSERT_VALUE(RTM_ROUTE_FLAGS_DISCARD, 0x0004);
ASSERT_VALUE(RTM_ROUTE_FLAGS_INACTIVE, 0x0008);
ASSERT_VALUE(RTM_ROUTE_FLAGS_LOCAL, 0x0010);
ASSERT_VALUE(RTM_ROUTE_FLAGS_REMOTE, 0x0020);
ASSERT_VALUE(RTM_ROUTE_FLAGS_MYSELF, 0x0040);
ASSERT_VALUE(RTM_ROUTE_FLAGS_LOOPBACK, 0x0080);
ASSERT_VALUE(RTM_ROUTE_FLAGS_MCAST, 0x0100);
ASSERT_VALUE(RTM_ROUTE_FLAGS_LOCAL_MCAST, 0x0200);
ASSERT_VALUE(RTM_ROUTE_FLAGS_LIMITED_BC, 0x0400);
ASSERT_VALUE(RTM_ROUTE_FLAGS_ZEROS_NETBC, 0x1000);
ASSERT_VALUE(RTM_ROUTE_FLAGS_ZEROS_SUBNETBC, 0x2000);
ASSERT_VALUE(RTM_ROUTE_FLAGS_ONES_NETBC, 0x4000);
ASSERT_VALUE(RTM_ROUTE_FLAGS_ONES_SUBNETBC, 0x8000);
ASSERT_VALUE(RTM_ROUTE_FLAGS_FORWARDING, 0x000F);
ASSERT_VALUE(RTM_ROUTE_FLAGS_ANY_UNICAST, 0x0070);
ASSERT_VALUE(RTM_ROUTE_FLAGS_ANY_MCAST, 0x0300);
ASSERT_VALUE(RTM_ROUTE_FLAGS_NET_BCAST, 0x5000);
ASSERT_VALUE(RTM_ROUTE_FLAGS_SUBNET_BCAST, 0xA000);
ASSERT_VALUE(RTM_ROUTE_FLAGS_ANY_BCAST, 0xF400);
/* Every flag fits the USHORT Flags field. */
_Static_assert((RTM_ROUTE_FLAGS_FORWARDING | RTM_ROUTE_FLAGS_ANY_UNICAST |
		RTM_ROUTE_FLAGS_LOOPBACK | RTM_ROUTE_FLAGS_ANY_MCAST |
		RTM_ROUTE_FLAGS_ANY_BCAST) <= 0xFFFF, "route flags fit USHORT");

/* 12.3, 12.4 states and next-hop flags */
ASSERT_VALUE(RTM_ROUTE_STATE_CREATED, 0);
ASSERT_VALUE(RTM_ROUTE_STATE_DELETING, 1);
ASSERT_VALUE(RTM_ROUTE_STATE_DELETED, 2);
ASSERT_VALUE(RTM_NEXTHOP_STATE_CREATED, 0);
ASSERT_VALUE(RTM_NEXTHOP_STATE_DELETED, 1);
ASSERT_VALUE(RTM_NEXTHOP_FLAGS_REMOTE, 0x0001);
ASSERT_VALUE(RTM_NEXTHOP_FLAGS_DOWN, 0x0002);

/* 12.5 change flags */
ASSERT_VALUE(RTM_ROUTE_CHANGE_FIRST, 0x01);
ASSERT_VALUE(RTM_ROUTE_CHANGE_NEW, 0x02);
ASSERT_VALUE(RTM_ROUTE_CHANGE_BEST, 0x00010000);
ASSERT_VALUE(RTM_NEXTHOP_CHANGE_NEW, 0x01);

/* 12.6 match flags */
ASSERT_VALUE(RTM_MATCH_NONE, 0x0);
ASSERT_VALUE(RTM_MATCH_OWNER, 0x1);
ASSERT_VALUE(RTM_MATCH_NEIGHBOUR, 0x2);
ASSERT_VALUE(RTM_MATCH_PREF, 0x4);
ASSERT_VALUE(RTM_MATCH_NEXTHOP, 0x8);
ASSERT_VALUE(RTM_MATCH_INTERFACE, 0x10);
ASSERT_VALUE(RTM_MATCH_FULL, 0xFFFF);

/* 12.7 enumeration flags */
ASSERT_VALUE(RTM_ENUM_START, 0x0);
ASSERT_VALUE(RTM_ENUM_NEXT, 0x1);
ASSERT_VALUE(RTM_ENUM_RANGE, 0x2);
ASSERT_VALUE(RTM_ENUM_ALL_DESTS, 0x0);
ASSERT_VALUE(RTM_ENUM_OWN_DESTS, 0x01000000);
ASSERT_VALUE(RTM_ENUM_ALL_ROUTES, 0x0);
ASSERT_VALUE(RTM_ENUM_OWN_ROUTES, 0x00010000);

/* 12.8 notification flags */
ASSERT_VALUE(RTM_NUM_CHANGE_TYPES, 3);
ASSERT_VALUE(RTM_CHANGE_TYPE_ALL, 0x0001);
ASSERT_VALUE(RTM_CHANGE_TYPE_BEST, 0x0002);
ASSERT_VALUE(RTM_CHANGE_TYPE_FORWARDING, 0x0004);
ASSERT_VALUE(RTM_NOTIFY_ONLY_MARKED_DESTS, 0x00010000);

/* 12.9 events */
ASSERT_VALUE(RTM_ENTITY_REGISTERED, 0);
ASSERT_VALUE(RTM_ENTITY_DEREGISTERED, 1);
ASSERT_VALUE(RTM_ROUTE_EXPIRED, 2);
ASSERT_VALUE(RTM_CHANGE_NOTIFICATION, 3);

/* ------------------------------------------------------------------------
 * Typedefs of rtmv2.h
 */
_Static_assert(TYPE_IS((RTM_VIEW_ID)0, INT) && TYPE_IS((PRTM_VIEW_ID)0, RTM_VIEW_ID *), "view");
_Static_assert(TYPE_IS((RTM_VIEW_SET)0, DWORD) && TYPE_IS((PRTM_VIEW_SET)0, DWORD *), "view");
_Static_assert(TYPE_IS((RTM_ENTITY_HANDLE)0, HANDLE), "handle");
_Static_assert(TYPE_IS((RTM_DEST_HANDLE)0, HANDLE), "handle");
_Static_assert(TYPE_IS((RTM_ROUTE_HANDLE)0, HANDLE), "handle");
_Static_assert(TYPE_IS((RTM_NEXTHOP_HANDLE)0, HANDLE), "handle");
_Static_assert(TYPE_IS((RTM_ENUM_HANDLE)0, HANDLE), "handle");
_Static_assert(TYPE_IS((RTM_ROUTE_LIST_HANDLE)0, HANDLE), "handle");
_Static_assert(TYPE_IS((RTM_NOTIFY_HANDLE)0, HANDLE), "handle");
_Static_assert(TYPE_IS((PRTM_ENTITY_HANDLE)0, HANDLE *), "handle pointer");
_Static_assert(TYPE_IS((PRTM_DEST_HANDLE)0, HANDLE *), "handle pointer");
_Static_assert(TYPE_IS((PRTM_ROUTE_HANDLE)0, HANDLE *), "handle pointer");
_Static_assert(TYPE_IS((PRTM_NEXTHOP_HANDLE)0, HANDLE *), "handle pointer");
_Static_assert(TYPE_IS((PRTM_ENUM_HANDLE)0, HANDLE *), "handle pointer");
_Static_assert(TYPE_IS((PRTM_ROUTE_LIST_HANDLE)0, HANDLE *), "handle pointer");
_Static_assert(TYPE_IS((PRTM_NOTIFY_HANDLE)0, HANDLE *), "handle pointer");
_Static_assert(TYPE_IS((RTM_ROUTE_CHANGE_FLAGS)0, DWORD), "flags");
_Static_assert(TYPE_IS((PRTM_ROUTE_CHANGE_FLAGS)0, DWORD *), "flags");
_Static_assert(TYPE_IS((RTM_NEXTHOP_CHANGE_FLAGS)0, DWORD), "flags");
_Static_assert(TYPE_IS((PRTM_NEXTHOP_CHANGE_FLAGS)0, DWORD *), "flags");
_Static_assert(TYPE_IS((RTM_MATCH_FLAGS)0, DWORD) && TYPE_IS((PRTM_MATCH_FLAGS)0, DWORD *), "");
_Static_assert(TYPE_IS((RTM_ENUM_FLAGS)0, DWORD) && TYPE_IS((PRTM_ENUM_FLAGS)0, DWORD *), "");
_Static_assert(TYPE_IS((RTM_NOTIFY_FLAGS)0, DWORD) && TYPE_IS((PRTM_NOTIFY_FLAGS)0, DWORD *), "");
_Static_assert(TYPE_IS((RTM_ENTITY_METHOD_TYPE)0, DWORD), "method type");
_Static_assert(TYPE_IS((PRTM_ENTITY_METHOD_TYPE)0, DWORD *), "method type");
_Static_assert(TYPE_IS((PRTM_EVENT_TYPE)0, RTM_EVENT_TYPE *), "event type");
_Static_assert(TYPE_IS((PRTM_ENTITY_ID)0, RTM_ENTITY_ID *), "P struct");
_Static_assert(TYPE_IS((PRTM_ENTITY_INFO)0, RTM_ENTITY_INFO *), "P struct");
_Static_assert(TYPE_IS((PRTM_REGN_PROFILE)0, RTM_REGN_PROFILE *), "P struct");
_Static_assert(TYPE_IS((PRTM_NET_ADDRESS)0, RTM_NET_ADDRESS *), "P struct");
_Static_assert(TYPE_IS((PRTM_PREF_INFO)0, RTM_PREF_INFO *), "P struct");
_Static_assert(TYPE_IS((PRTM_NEXTHOP_LIST)0, RTM_NEXTHOP_LIST *), "P struct");
_Static_assert(TYPE_IS((PRTM_DEST_INFO)0, RTM_DEST_INFO *), "P struct");
_Static_assert(TYPE_IS((PRTM_ROUTE_INFO)0, RTM_ROUTE_INFO *), "P struct");
_Static_assert(TYPE_IS((PRTM_NEXTHOP_INFO)0, RTM_NEXTHOP_INFO *), "P struct");
_Static_assert(TYPE_IS((PRTM_ENTITY_METHOD_INPUT)0, RTM_ENTITY_METHOD_INPUT *), "P struct");
_Static_assert(TYPE_IS((PRTM_ENTITY_METHOD_OUTPUT)0, RTM_ENTITY_METHOD_OUTPUT *), "P struct");
_Static_assert(TYPE_IS((PRTM_ENTITY_EXPORT_METHODS)0, RTM_ENTITY_EXPORT_METHODS *), "P struct");
_Static_assert(TYPE_IS((struct _RTM_ROUTE_INFO *)0, PRTM_ROUTE_INFO), "SDK struct tags");
_Static_assert(TYPE_IS((struct _RTM_DEST_INFO *)0, PRTM_DEST_INFO), "SDK struct tags");

/* The callback and method pointer types. */
typedef DWORD (*expected_event_callback)(RTM_ENTITY_HANDLE, RTM_EVENT_TYPE, PVOID, PVOID);
typedef VOID (*expected_entity_method)(RTM_ENTITY_HANDLE, RTM_ENTITY_HANDLE,
				       RTM_ENTITY_METHOD_INPUT *, RTM_ENTITY_METHOD_OUTPUT *);
_Static_assert(TYPE_IS((RTM_EVENT_CALLBACK)0, expected_event_callback), "RTM_EVENT_CALLBACK");
_Static_assert(TYPE_IS((_EVENT_CALLBACK)0, expected_event_callback), "_EVENT_CALLBACK");
_Static_assert(TYPE_IS((PRTM_EVENT_CALLBACK)0, expected_event_callback *), "PRTM_EVENT_CALLBACK");
_Static_assert(TYPE_IS((RTM_ENTITY_EXPORT_METHOD)0, expected_entity_method), "method");
_Static_assert(TYPE_IS((_ENTITY_METHOD)0, expected_entity_method), "_ENTITY_METHOD");
_Static_assert(TYPE_IS((PRTM_ENTITY_EXPORT_METHOD)0, expected_entity_method *), "method ptr");

/* ------------------------------------------------------------------------
 * Structure layouts on LP64 (Linux x86-64, aarch64, ...)
 */
#if defined(__LP64__)
ASSERT_FIELD(RTM_REGN_PROFILE, MaxNextHopsInRoute, 0, UINT);
ASSERT_FIELD(RTM_REGN_PROFILE, MaxHandlesInEnum, 4, UINT);
ASSERT_FIELD(RTM_REGN_PROFILE, ViewsSupported, 8, RTM_VIEW_SET);
ASSERT_FIELD(RTM_REGN_PROFILE, NumberOfViews, 12, UINT);
_Static_assert(sizeof(RTM_REGN_PROFILE) == 16, "RTM_REGN_PROFILE size");

ASSERT_FIELD(RTM_NET_ADDRESS, AddressFamily, 0, USHORT);
ASSERT_FIELD(RTM_NET_ADDRESS, NumBits, 2, USHORT);
ASSERT_ARRAY(RTM_NET_ADDRESS, AddrBits, 4, UCHAR(*)[RTM_MAX_ADDRESS_SIZE]);
_Static_assert(sizeof(RTM_NET_ADDRESS) == 20, "RTM_NET_ADDRESS size");
_Static_assert(alignof(RTM_NET_ADDRESS) == 2, "RTM_NET_ADDRESS alignment");

ASSERT_FIELD(RTM_PREF_INFO, Metric, 0, ULONG);
ASSERT_FIELD(RTM_PREF_INFO, Preference, 4, ULONG);
_Static_assert(sizeof(RTM_PREF_INFO) == 8, "RTM_PREF_INFO size");

ASSERT_FIELD(RTM_NEXTHOP_LIST, NumNextHops, 0, USHORT);
ASSERT_ARRAY(RTM_NEXTHOP_LIST, NextHops, 8, RTM_NEXTHOP_HANDLE(*)[1]);
_Static_assert(sizeof(RTM_NEXTHOP_LIST) == 16, "RTM_NEXTHOP_LIST size");

ASSERT_FIELD(RTM_DEST_INFO, DestHandle, 0, RTM_DEST_HANDLE);
ASSERT_FIELD(RTM_DEST_INFO, DestAddress, 8, RTM_NET_ADDRESS);
ASSERT_FIELD(RTM_DEST_INFO, LastChanged, 28, FILETIME);
ASSERT_FIELD(RTM_DEST_INFO, BelongsToViews, 36, RTM_VIEW_SET);
ASSERT_FIELD(RTM_DEST_INFO, NumberOfViews, 40, UINT);
_Static_assert(offsetof(RTM_DEST_INFO, ViewInfo) == 48, "ViewInfo offset");
_Static_assert(sizeof(FLD(RTM_DEST_INFO, ViewInfo)) == 40, "ViewInfo[1] size");
ASSERT_FIELD(RTM_DEST_INFO, ViewInfo[0].ViewId, 48 + 0, RTM_VIEW_ID);
ASSERT_FIELD(RTM_DEST_INFO, ViewInfo[0].NumRoutes, 48 + 4, UINT);
ASSERT_FIELD(RTM_DEST_INFO, ViewInfo[0].Route, 48 + 8, RTM_ROUTE_HANDLE);
ASSERT_FIELD(RTM_DEST_INFO, ViewInfo[0].Owner, 48 + 16, RTM_ENTITY_HANDLE);
ASSERT_FIELD(RTM_DEST_INFO, ViewInfo[0].DestFlags, 48 + 24, DWORD);
ASSERT_FIELD(RTM_DEST_INFO, ViewInfo[0].HoldRoute, 48 + 32, RTM_ROUTE_HANDLE);
_Static_assert(sizeof(RTM_DEST_INFO) == 88, "RTM_DEST_INFO size");

ASSERT_FIELD(RTM_ROUTE_INFO, DestHandle, 0, RTM_DEST_HANDLE);
ASSERT_FIELD(RTM_ROUTE_INFO, RouteOwner, 8, RTM_ENTITY_HANDLE);
ASSERT_FIELD(RTM_ROUTE_INFO, Neighbour, 16, RTM_NEXTHOP_HANDLE);
ASSERT_FIELD(RTM_ROUTE_INFO, State, 24, UCHAR);
ASSERT_FIELD(RTM_ROUTE_INFO, Flags1, 25, UCHAR);
ASSERT_FIELD(RTM_ROUTE_INFO, Flags, 26, USHORT);
ASSERT_FIELD(RTM_ROUTE_INFO, PrefInfo, 28, RTM_PREF_INFO);
ASSERT_FIELD(RTM_ROUTE_INFO, BelongsToViews, 36, RTM_VIEW_SET);
ASSERT_FIELD(RTM_ROUTE_INFO, EntitySpecificInfo, 40, PVOID);
ASSERT_FIELD(RTM_ROUTE_INFO, NextHopsList, 48, RTM_NEXTHOP_LIST);
ASSERT_FIELD(RTM_ROUTE_INFO, NextHopsList.NumNextHops, 48, USHORT);
ASSERT_ARRAY(RTM_ROUTE_INFO, NextHopsList.NextHops, 56, RTM_NEXTHOP_HANDLE(*)[1]);
_Static_assert(sizeof(RTM_ROUTE_INFO) == 64, "RTM_ROUTE_INFO size");

ASSERT_FIELD(RTM_NEXTHOP_INFO, NextHopAddress, 0, RTM_NET_ADDRESS);
ASSERT_FIELD(RTM_NEXTHOP_INFO, NextHopOwner, 24, RTM_ENTITY_HANDLE);
ASSERT_FIELD(RTM_NEXTHOP_INFO, InterfaceIndex, 32, ULONG);
ASSERT_FIELD(RTM_NEXTHOP_INFO, State, 36, USHORT);
ASSERT_FIELD(RTM_NEXTHOP_INFO, Flags, 38, USHORT);
ASSERT_FIELD(RTM_NEXTHOP_INFO, EntitySpecificInfo, 40, PVOID);
ASSERT_FIELD(RTM_NEXTHOP_INFO, RemoteNextHop, 48, RTM_DEST_HANDLE);
_Static_assert(sizeof(RTM_NEXTHOP_INFO) == 56, "RTM_NEXTHOP_INFO size");

ASSERT_FIELD(RTM_ENTITY_ID, EntityProtocolId, 0, ULONG);
ASSERT_FIELD(RTM_ENTITY_ID, EntityInstanceId, 4, ULONG);
ASSERT_FIELD(RTM_ENTITY_ID, EntityId, 0, ULONGLONG);
_Static_assert(sizeof(RTM_ENTITY_ID) == 8 && alignof(RTM_ENTITY_ID) == 8, "RTM_ENTITY_ID");

/* USHORT, USHORT, then the 8-byte-aligned RTM_ENTITY_ID: offset 8, size 16. */
ASSERT_FIELD(RTM_ENTITY_INFO, RtmInstanceId, 0, USHORT);
ASSERT_FIELD(RTM_ENTITY_INFO, AddressFamily, 2, USHORT);
ASSERT_FIELD(RTM_ENTITY_INFO, EntityId, 8, RTM_ENTITY_ID);
_Static_assert(sizeof(RTM_ENTITY_INFO) == 16, "RTM_ENTITY_INFO size");

ASSERT_FIELD(RTM_ENTITY_METHOD_INPUT, MethodType, 0, RTM_ENTITY_METHOD_TYPE);
ASSERT_FIELD(RTM_ENTITY_METHOD_INPUT, InputSize, 4, UINT);
ASSERT_ARRAY(RTM_ENTITY_METHOD_INPUT, InputData, 8, UCHAR(*)[1]);
_Static_assert(sizeof(RTM_ENTITY_METHOD_INPUT) == 12, "RTM_ENTITY_METHOD_INPUT size");

ASSERT_FIELD(RTM_ENTITY_METHOD_OUTPUT, MethodType, 0, RTM_ENTITY_METHOD_TYPE);
ASSERT_FIELD(RTM_ENTITY_METHOD_OUTPUT, MethodStatus, 4, DWORD);
ASSERT_FIELD(RTM_ENTITY_METHOD_OUTPUT, OutputSize, 8, UINT);
ASSERT_ARRAY(RTM_ENTITY_METHOD_OUTPUT, OutputData, 12, UCHAR(*)[1]);
_Static_assert(sizeof(RTM_ENTITY_METHOD_OUTPUT) == 16, "RTM_ENTITY_METHOD_OUTPUT size");

ASSERT_FIELD(RTM_ENTITY_EXPORT_METHODS, NumMethods, 0, UINT);
ASSERT_ARRAY(RTM_ENTITY_EXPORT_METHODS, Methods, 8, RTM_ENTITY_EXPORT_METHOD(*)[1]);
_Static_assert(sizeof(RTM_ENTITY_EXPORT_METHODS) == 16, "RTM_ENTITY_EXPORT_METHODS size");

/* ------------------------------------------------------------------------
 * Size macros
 */
ASSERT_VALUE(RTM_BASIC_DEST_INFO_SIZE, 48);
ASSERT_VALUE(RTM_DEST_VIEW_INFO_SIZE, 40);
ASSERT_VALUE(RTM_SIZE_OF_DEST_INFO(1), sizeof(RTM_DEST_INFO));
ASSERT_VALUE(RTM_SIZE_OF_DEST_INFO(2), 128);
ASSERT_VALUE(RTM_BASIC_ROUTE_INFO_SIZE, 48);
ASSERT_VALUE(RTM_SIZE_OF_ROUTE_INFO(0), sizeof(RTM_ROUTE_INFO));
ASSERT_VALUE(RTM_SIZE_OF_ROUTE_INFO(1), sizeof(RTM_ROUTE_INFO));
ASSERT_VALUE(RTM_SIZE_OF_ROUTE_INFO(2), 72);
ASSERT_VALUE(RTM_SIZE_OF_ROUTE_INFO(3), 80);
#endif /* __LP64__ */

/* On every ABI: the size macros are constant expressions of type size_t. */
_Static_assert(TYPE_IS(RTM_SIZE_OF_ROUTE_INFO(2), size_t), "size_t");
_Static_assert(TYPE_IS(RTM_SIZE_OF_DEST_INFO(2), size_t), "size_t");
_Static_assert(RTM_SIZE_OF_ROUTE_INFO(1) == sizeof(RTM_ROUTE_INFO), "one hop fills the struct");
_Static_assert(RTM_SIZE_OF_DEST_INFO(1) == sizeof(RTM_DEST_INFO), "one view fills the struct");

/* ------------------------------------------------------------------------
 * IPv4/IPv6 macros: types of their results.  The IPv6 ones are only
 * type-checked, inside sizeof: they call library functions this test does
 * not link.
 */
_Static_assert(TYPE_IS(RTM_IPV4_MASK_FROM_LEN(24), ULONG), "mask is a ULONG");
_Static_assert(sizeof(RTM_IPV6_SET_ADDR_AND_LEN((PRTM_NET_ADDRESS)0, in6addr_any, 64)) ==
		       sizeof(DWORD), "RTM_IPV6_SET_ADDR_AND_LEN yields a DWORD");
_Static_assert(sizeof(RTM_IPV6_MAKE_NET_ADDRESS((PRTM_NET_ADDRESS)0, in6addr_any, 64)) ==
		       sizeof(DWORD), "RTM_IPV6_MAKE_NET_ADDRESS yields a DWORD");
_Static_assert(TYPE_IS(RTM_IPV6_GET_ADDR_AND_LEN((PIN6_ADDR)0, (PDWORD)0, (PRTM_NET_ADDRESS)0),
		       DWORD), "RTM_IPV6_GET_ADDR_AND_LEN yields a DWORD");

/* ------------------------------------------------------------------------
 * Prototypes of every API function, checked against the SDK's.  _Generic
 * does not evaluate &fn, so nothing here needs the library at link time.
 */
#define H RTM_ENTITY_HANDLE
#define PROTOTYPES(X)                                                                          \
	X(RtmRegisterEntity, DWORD(*)(PRTM_ENTITY_INFO, PRTM_ENTITY_EXPORT_METHODS,            \
				      RTM_EVENT_CALLBACK, BOOL, PRTM_REGN_PROFILE,              \
				      PRTM_ENTITY_HANDLE))                                      \
	X(RtmDeregisterEntity, DWORD(*)(H))                                                    \
	X(RtmGetRegisteredEntities, DWORD(*)(H, PUINT, PRTM_ENTITY_HANDLE, PRTM_ENTITY_INFO))  \
	X(RtmReleaseEntities, DWORD(*)(H, UINT, PRTM_ENTITY_HANDLE))                           \
	X(RtmLockDestination, DWORD(*)(H, RTM_DEST_HANDLE, BOOL, BOOL))                        \
	X(RtmGetOpaqueInformationPointer, DWORD(*)(H, RTM_DEST_HANDLE, PVOID *))               \
	X(RtmGetEntityMethods, DWORD(*)(H, H, PUINT, PRTM_ENTITY_EXPORT_METHOD))               \
	X(RtmInvokeMethod, DWORD(*)(H, H, PRTM_ENTITY_METHOD_INPUT, PUINT,                     \
				    PRTM_ENTITY_METHOD_OUTPUT))                                 \
	X(RtmBlockMethods, DWORD(*)(H, HANDLE, UCHAR, DWORD))                                  \
	X(RtmGetEntityInfo, DWORD(*)(H, H, PRTM_ENTITY_INFO))                                  \
	X(RtmGetDestInfo, DWORD(*)(H, RTM_DEST_HANDLE, ULONG, RTM_VIEW_SET, PRTM_DEST_INFO))   \
	X(RtmGetRouteInfo, DWORD(*)(H, RTM_ROUTE_HANDLE, PRTM_ROUTE_INFO, PRTM_NET_ADDRESS))   \
	X(RtmGetNextHopInfo, DWORD(*)(H, RTM_NEXTHOP_HANDLE, PRTM_NEXTHOP_INFO))               \
	X(RtmReleaseEntityInfo, DWORD(*)(H, PRTM_ENTITY_INFO))                                 \
	X(RtmReleaseDestInfo, DWORD(*)(H, PRTM_DEST_INFO))                                     \
	X(RtmReleaseRouteInfo, DWORD(*)(H, PRTM_ROUTE_INFO))                                   \
	X(RtmReleaseNextHopInfo, DWORD(*)(H, PRTM_NEXTHOP_INFO))                               \
	X(RtmAddRouteToDest, DWORD(*)(H, PRTM_ROUTE_HANDLE, PRTM_NET_ADDRESS, PRTM_ROUTE_INFO, \
				      ULONG, RTM_ROUTE_LIST_HANDLE, RTM_NOTIFY_FLAGS,           \
				      RTM_NOTIFY_HANDLE, PRTM_ROUTE_CHANGE_FLAGS))              \
	X(RtmDeleteRouteToDest, DWORD(*)(H, RTM_ROUTE_HANDLE, PRTM_ROUTE_CHANGE_FLAGS))        \
	X(RtmHoldDestination, DWORD(*)(H, RTM_DEST_HANDLE, RTM_VIEW_SET, ULONG))               \
	X(RtmGetRoutePointer, DWORD(*)(H, RTM_ROUTE_HANDLE, PRTM_ROUTE_INFO *))                \
	X(RtmLockRoute, DWORD(*)(H, RTM_ROUTE_HANDLE, BOOL, BOOL, PRTM_ROUTE_INFO *))          \
	X(RtmUpdateAndUnlockRoute, DWORD(*)(H, RTM_ROUTE_HANDLE, ULONG, RTM_ROUTE_LIST_HANDLE, \
					    RTM_NOTIFY_FLAGS, RTM_NOTIFY_HANDLE,                \
					    PRTM_ROUTE_CHANGE_FLAGS))                           \
	X(RtmGetExactMatchDestination, DWORD(*)(H, PRTM_NET_ADDRESS, ULONG, RTM_VIEW_SET,      \
						PRTM_DEST_INFO))                                \
	X(RtmGetMostSpecificDestination, DWORD(*)(H, PRTM_NET_ADDRESS, ULONG, RTM_VIEW_SET,    \
						  PRTM_DEST_INFO))                              \
	X(RtmGetLessSpecificDestination, DWORD(*)(H, RTM_DEST_HANDLE, ULONG, RTM_VIEW_SET,     \
						  PRTM_DEST_INFO))                              \
	X(RtmGetExactMatchRoute, DWORD(*)(H, PRTM_NET_ADDRESS, RTM_MATCH_FLAGS,                \
					  PRTM_ROUTE_INFO, ULONG, RTM_VIEW_SET,                 \
					  PRTM_ROUTE_HANDLE))                                   \
	X(RtmIsBestRoute, DWORD(*)(H, RTM_ROUTE_HANDLE, PRTM_VIEW_SET))                        \
	X(RtmAddNextHop, DWORD(*)(H, PRTM_NEXTHOP_INFO, PRTM_NEXTHOP_HANDLE,                   \
				  PRTM_NEXTHOP_CHANGE_FLAGS))                                   \
	X(RtmFindNextHop, DWORD(*)(H, PRTM_NEXTHOP_INFO, PRTM_NEXTHOP_HANDLE,                  \
				   PRTM_NEXTHOP_INFO *))                                        \
	X(RtmDeleteNextHop, DWORD(*)(H, RTM_NEXTHOP_HANDLE, PRTM_NEXTHOP_INFO))                \
	X(RtmGetNextHopPointer, DWORD(*)(H, RTM_NEXTHOP_HANDLE, PRTM_NEXTHOP_INFO *))          \
	X(RtmLockNextHop, DWORD(*)(H, RTM_NEXTHOP_HANDLE, BOOL, BOOL, PRTM_NEXTHOP_INFO *))    \
	X(RtmCreateDestEnum, DWORD(*)(H, RTM_VIEW_SET, RTM_ENUM_FLAGS, PRTM_NET_ADDRESS,       \
				      ULONG, PRTM_ENUM_HANDLE))                                 \
	X(RtmGetEnumDests, DWORD(*)(H, RTM_ENUM_HANDLE, PUINT, PRTM_DEST_INFO))                \
	X(RtmReleaseDests, DWORD(*)(H, UINT, PRTM_DEST_INFO))                                  \
	X(RtmCreateRouteEnum, DWORD(*)(H, RTM_DEST_HANDLE, RTM_VIEW_SET, RTM_ENUM_FLAGS,       \
				       PRTM_NET_ADDRESS, RTM_MATCH_FLAGS, PRTM_ROUTE_INFO,      \
				       ULONG, PRTM_ENUM_HANDLE))                                \
	X(RtmGetEnumRoutes, DWORD(*)(H, RTM_ENUM_HANDLE, PUINT, PRTM_ROUTE_HANDLE))            \
	X(RtmReleaseRoutes, DWORD(*)(H, UINT, PRTM_ROUTE_HANDLE))                              \
	X(RtmCreateNextHopEnum, DWORD(*)(H, RTM_ENUM_FLAGS, PRTM_NET_ADDRESS,                  \
					 PRTM_ENUM_HANDLE))                                     \
	X(RtmGetEnumNextHops, DWORD(*)(H, RTM_ENUM_HANDLE, PUINT, PRTM_NEXTHOP_HANDLE))        \
	X(RtmReleaseNextHops, DWORD(*)(H, UINT, PRTM_NEXTHOP_HANDLE))                          \
	X(RtmDeleteEnumHandle, DWORD(*)(H, RTM_ENUM_HANDLE))                                   \
	X(RtmRegisterForChangeNotification, DWORD(*)(H, RTM_VIEW_SET, RTM_NOTIFY_FLAGS, PVOID, \
						     PRTM_NOTIFY_HANDLE))                       \
	X(RtmGetChangedDests, DWORD(*)(H, RTM_NOTIFY_HANDLE, PUINT, PRTM_DEST_INFO))           \
	X(RtmReleaseChangedDests, DWORD(*)(H, RTM_NOTIFY_HANDLE, UINT, PRTM_DEST_INFO))        \
	X(RtmIgnoreChangedDests, DWORD(*)(H, RTM_NOTIFY_HANDLE, UINT, PRTM_DEST_HANDLE))       \
	X(RtmGetChangeStatus, DWORD(*)(H, RTM_NOTIFY_HANDLE, RTM_DEST_HANDLE, PBOOL))          \
	X(RtmMarkDestForChangeNotification, DWORD(*)(H, RTM_NOTIFY_HANDLE, RTM_DEST_HANDLE,    \
						     BOOL))                                     \
	X(RtmIsMarkedForChangeNotification, DWORD(*)(H, RTM_NOTIFY_HANDLE, RTM_DEST_HANDLE,    \
						     PBOOL))                                    \
	X(RtmDeregisterFromChangeNotification, DWORD(*)(H, RTM_NOTIFY_HANDLE))                 \
	X(RtmCreateRouteList, DWORD(*)(H, PRTM_ROUTE_LIST_HANDLE))                             \
	X(RtmInsertInRouteList, DWORD(*)(H, RTM_ROUTE_LIST_HANDLE, UINT, PRTM_ROUTE_HANDLE))   \
	X(RtmCreateRouteListEnum, DWORD(*)(H, RTM_ROUTE_LIST_HANDLE, PRTM_ENUM_HANDLE))        \
	X(RtmGetListEnumRoutes, DWORD(*)(H, RTM_ENUM_HANDLE, PUINT, PRTM_ROUTE_HANDLE))        \
	X(RtmDeleteRouteList, DWORD(*)(H, RTM_ROUTE_LIST_HANDLE))                              \
	X(RtmReferenceHandles, DWORD(*)(H, UINT, HANDLE *))                                    \
	X(RtmConvertNetAddressToIpv6AddressAndLength,                                          \
	  DWORD(*)(PRTM_NET_ADDRESS, PIN6_ADDR, PDWORD, DWORD))                                 \
	X(RtmConvertIpv6AddressAndLengthToNetAddress,                                          \
	  DWORD(*)(PRTM_NET_ADDRESS, IN6_ADDR, DWORD, DWORD))

#define PROTO_ASSERT(fn, type) _Static_assert(TYPE_IS(&fn, type), "prototype of " #fn);
PROTOTYPES(PROTO_ASSERT)

struct proto_check {
	const char *name;
	int ok;
};

#define PROTO_ENTRY(fn, type) {#fn, TYPE_IS(&fn, type)},
static const struct proto_check protos[] = {PROTOTYPES(PROTO_ENTRY)};
#undef H

/* ------------------------------------------------------------------------
 * Run-time tests
 */

static void test_base_types(void)
{
	DWORD d = 0xFFFFFFFFu;
	ULONG u = 0xFFFFFFFFu;

	CHECK_U(sizeof(DWORD), 4);
	CHECK_U(sizeof(ULONG), 4);
	CHECK_U(sizeof(HANDLE), sizeof(void *));
	/* 32-bit wrap-around, which a 64-bit `long` DWORD would not do. */
	d++;
	u++;
	CHECK_U(d, 0);
	CHECK_U(u, 0);
	CHECK(TRUE && !FALSE);
	CHECK_U(INFINITE, 4294967295u);
}

static void test_error_codes_compare_with_dword(void)
{
	DWORD codes[] = {ERROR_FILE_NOT_FOUND, ERROR_ACCESS_DENIED, ERROR_INVALID_HANDLE,
			 ERROR_NOT_ENOUGH_MEMORY, ERROR_INVALID_PARAMETER, ERROR_NOT_FOUND,
			 ERROR_BAD_CONFIGURATION};
	DWORD expect[] = {2, 5, 6, 8, 87, 1168, 1610};

	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		CHECK_U(codes[i], expect[i]);
	CHECK(codes[5] == ERROR_NOT_FOUND);
	CHECK(NO_ERROR == ERROR_SUCCESS);
}

static void test_prototypes(void)
{
	size_t n = sizeof(protos) / sizeof(protos[0]);

	/* The 57 functions of API-MAP.md's groups plus the two IPv6 helpers. */
	CHECK_U(n, 59);
	for (size_t i = 0; i < n; i++) {
		if (!protos[i].ok)
			fprintf(stderr, "  prototype differs: %s\n", protos[i].name);
		CHECK(protos[i].ok);
	}
}

static void test_api_visibility_macro(void)
{
#define STR_(x) #x
#define STR(x) STR_(x)
	const char *api = STR(RTMV2_API);

	CHECK(strstr(api, "visibility") != NULL);
	CHECK(strstr(api, "default") != NULL);
#undef STR
#undef STR_
}

static void test_route_flag_groups(void)
{
	CHECK_U(RTM_ROUTE_FLAGS_SUBNET_BCAST,
		RTM_ROUTE_FLAGS_ONES_SUBNETBC | RTM_ROUTE_FLAGS_ZEROS_SUBNETBC);
	CHECK_U(RTM_ROUTE_FLAGS_ANY_BCAST, RTM_ROUTE_FLAGS_LIMITED_BC | RTM_ROUTE_FLAGS_NET_BCAST |
						   RTM_ROUTE_FLAGS_SUBNET_BCAST);
	/* The groups do not overlap. */
	CHECK_U(RTM_ROUTE_FLAGS_FORWARDING & RTM_ROUTE_FLAGS_ANY_UNICAST, 0);
	CHECK_U(RTM_ROUTE_FLAGS_ANY_MCAST & RTM_ROUTE_FLAGS_ANY_BCAST, 0);
	CHECK_U(RTM_ROUTE_FLAGS_NET_BCAST & RTM_ROUTE_FLAGS_SUBNET_BCAST, 0);
	USHORT f = RTM_ROUTE_FLAGS_ANY_BCAST;
	CHECK_U(f, 0xF400);
}

/*
 * A buffer of RTM_SIZE_OF_ROUTE_INFO(n) bytes holds n next hops: ASan
 * reports it if writing NextHops[n - 1] overflows.  The SDK's formula is
 * shown to be short.
 */
static void test_route_info_size_holds_hops(void)
{
	for (unsigned n = 0; n <= 16; n++) {
		size_t size = RTM_SIZE_OF_ROUTE_INFO(n);
		size_t need = offsetof(RTM_ROUTE_INFO, NextHopsList.NextHops) +
			      n * sizeof(RTM_NEXTHOP_HANDLE);

		CHECK_U(size, need > sizeof(RTM_ROUTE_INFO) ? need : sizeof(RTM_ROUTE_INFO));
		CHECK(size >= sizeof(RTM_ROUTE_INFO));
		CHECK_U(size % alignof(RTM_ROUTE_INFO), 0);
		if (n >= 1)
			CHECK(RTM_BASIC_ROUTE_INFO_SIZE + n * sizeof(RTM_NEXTHOP_HANDLE) < size);

		PRTM_ROUTE_INFO ri = malloc(size);
		REQUIRE(ri != NULL);
		memset(ri, 0, size);
		ri->NextHopsList.NumNextHops = (USHORT)n;
		/* Through a pointer, as the library does for n > 1. */
		RTM_NEXTHOP_HANDLE *hops = ri->NextHopsList.NextHops;
		for (unsigned i = 0; i < n; i++)
			hops[i] = (RTM_NEXTHOP_HANDLE)(uintptr_t)(0x1000 + i);
		for (unsigned i = 0; i < n; i++)
			CHECK(hops[i] == (RTM_NEXTHOP_HANDLE)(uintptr_t)(0x1000 + i));
		CHECK_U((char *)&hops[n] - (char *)ri, need);
		free(ri);
	}
}

/* Indexing the one-element array directly, as SDK client code does. */
static void test_route_info_index_hops_directly(void)
{
	PRTM_ROUTE_INFO ri = malloc(RTM_SIZE_OF_ROUTE_INFO(4));

	REQUIRE(ri != NULL);
	ri->NextHopsList.NumNextHops = 4;
	for (int i = 0; i < 4; i++)
		ri->NextHopsList.NextHops[i] = (RTM_NEXTHOP_HANDLE)(uintptr_t)(i + 1);
	CHECK(ri->NextHopsList.NextHops[3] == (RTM_NEXTHOP_HANDLE)(uintptr_t)4);
	free(ri);
}

/*
 * Arrays of variable-size RTM_DEST_INFO (RtmGetEnumDests, RtmGetChangedDests)
 * step by RTM_SIZE_OF_DEST_INFO(views); every entry must be aligned and hold
 * all its views.
 */
static void test_dest_info_stride(void)
{
	for (unsigned views = 1; views <= 4; views++) {
		size_t stride = RTM_SIZE_OF_DEST_INFO(views);
		unsigned count = 3;
		char *buf = malloc(stride * count);

		REQUIRE(buf != NULL);
		CHECK_U(stride % alignof(RTM_DEST_INFO), 0);
		CHECK_U(stride, RTM_BASIC_DEST_INFO_SIZE + views * RTM_DEST_VIEW_INFO_SIZE);
		for (unsigned k = 0; k < count; k++) {
			PRTM_DEST_INFO di = (PRTM_DEST_INFO)(void *)(buf + k * stride);
			di->NumberOfViews = views;
			for (unsigned v = 0; v < views; v++) {
				di->ViewInfo[v].ViewId = (RTM_VIEW_ID)v;
				di->ViewInfo[v].HoldRoute =
					(RTM_ROUTE_HANDLE)(uintptr_t)(k * 16 + v + 1);
			}
			CHECK_U((char *)&di->ViewInfo[views] - (char *)di, stride);
		}
		for (unsigned k = 0; k < count; k++) {
			PRTM_DEST_INFO di = (PRTM_DEST_INFO)(void *)(buf + k * stride);
			CHECK_U(di->NumberOfViews, views);
			CHECK((uintptr_t)di->ViewInfo[views - 1].HoldRoute == k * 16 + views);
		}
		free(buf);
	}
}

/* 10.10.10.0/24 through every IPv4 macro; the RTM_IPV4_GET page's example. */
static void test_ipv4_macros_slash24(void)
{
	RTM_NET_ADDRESS na;
	ULONG addr = htonl(0x0A0A0A00); /* 10.10.10.0 */
	ULONG got_addr = 0, got_len = 0, got_mask = 0;

	memset(&na, 0xAB, sizeof(na));
	RTM_IPV4_MAKE_NET_ADDRESS(&na, addr, 24);
	CHECK_U(na.AddressFamily, AF_INET);
	CHECK_U(na.NumBits, 24);
	CHECK_U(na.AddrBits[0], 10);
	CHECK_U(na.AddrBits[1], 10);
	CHECK_U(na.AddrBits[2], 10);
	CHECK_U(na.AddrBits[3], 0);
	/* Bytes past the IPv4 address are left alone, as in the SDK. */
	for (int i = 4; i < RTM_MAX_ADDRESS_SIZE; i++)
		CHECK_U(na.AddrBits[i], 0xAB);

	RTM_IPV4_GET_ADDR_AND_LEN(got_addr, got_len, &na);
	CHECK_U(got_addr, addr);
	CHECK_U(got_len, 24);

	RTM_IPV4_GET_ADDR_AND_MASK(got_addr, got_mask, &na);
	CHECK_U(got_addr, addr);
	CHECK_U(got_mask, htonl(0xFFFFFF00));
	/* Network order: 255.255.255.0 in memory. */
	UCHAR mb[4];
	memcpy(mb, &got_mask, 4);
	CHECK(mb[0] == 255 && mb[1] == 255 && mb[2] == 255 && mb[3] == 0);

	RTM_NET_ADDRESS nm;
	memset(&nm, 0, sizeof(nm));
	RTM_IPV4_SET_ADDR_AND_MASK(&nm, addr, htonl(0xFFFFFF00));
	CHECK_U(nm.AddressFamily, AF_INET);
	CHECK_U(nm.NumBits, 24);
	CHECK(memcmp(nm.AddrBits, na.AddrBits, 4) == 0);

	RTM_NET_ADDRESS ns;
	memset(&ns, 0, sizeof(ns));
	RTM_IPV4_SET_ADDR_AND_LEN(&ns, addr, 24);
	CHECK(memcmp(&ns, &nm, sizeof(ns)) == 0);
}

static void test_ipv4_macros_slash0_and_slash32(void)
{
	RTM_NET_ADDRESS na;
	ULONG a = 0, l = 99, m = 99;

	memset(&na, 0, sizeof(na));
	RTM_IPV4_SET_ADDR_AND_MASK(&na, 0, 0);
	CHECK_U(na.AddressFamily, AF_INET);
	CHECK_U(na.NumBits, 0);
	RTM_IPV4_GET_ADDR_AND_MASK(a, m, &na);
	CHECK_U(a, 0);
	CHECK_U(m, 0);
	RTM_IPV4_GET_ADDR_AND_LEN(a, l, &na);
	CHECK_U(l, 0);

	ULONG host = htonl(0xC0A80101); /* 192.168.1.1 */
	RTM_IPV4_SET_ADDR_AND_MASK(&na, host, 0xFFFFFFFFu);
	CHECK_U(na.NumBits, 32);
	RTM_IPV4_GET_ADDR_AND_MASK(a, m, &na);
	CHECK_U(a, host);
	CHECK_U(m, 0xFFFFFFFFu);
	CHECK_U(na.AddrBits[0], 192);
	CHECK_U(na.AddrBits[3], 1);

	RTM_IPV4_MAKE_NET_ADDRESS(&na, host, 32);
	RTM_IPV4_GET_ADDR_AND_LEN(a, l, &na);
	CHECK_U(a, host);
	CHECK_U(l, 32);

	CHECK_U(RTM_IPV4_MASK_FROM_LEN(0), 0);
	CHECK_U(RTM_IPV4_MASK_FROM_LEN(32), 0xFFFFFFFFu);
	CHECK_U(RTM_IPV4_MASK_FROM_LEN(1), htonl(0x80000000u));
	CHECK_U(RTM_IPV4_MASK_FROM_LEN(8), htonl(0xFF000000u));
	CHECK_U(RTM_IPV4_MASK_FROM_LEN(31), htonl(0xFFFFFFFEu));
}

/* Every length round-trips through MASK_FROM_LEN and LEN_FROM_MASK. */
static void test_ipv4_mask_len_roundtrip(void)
{
	for (unsigned len = 0; len <= 32; len++) {
		ULONG mask = RTM_IPV4_MASK_FROM_LEN(len);
		/* Reference computed in 64 bits: no shift of 32 on a 32-bit type. */
		ULONG expect = len ? htonl((ULONG)(0xFFFFFFFFull << (32 - len))) : 0;
		USHORT back = 99;

		CHECK_U(mask, expect);
		RTM_IPV4_LEN_FROM_MASK(back, mask);
		CHECK_U(back, len);
	}
}

/* A corrupt NumBits above 32 gives the all-ones mask, not a UBSan report. */
static void test_ipv4_mask_from_len_out_of_range(void)
{
	unsigned lens[] = {33, 40, 64, 128, 65535};

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		CHECK_U(RTM_IPV4_MASK_FROM_LEN(lens[i]), 0xFFFFFFFFu);

	RTM_NET_ADDRESS na;
	ULONG a, m;
	memset(&na, 0, sizeof(na));
	na.NumBits = 200;
	RTM_IPV4_GET_ADDR_AND_MASK(a, m, &na);
	CHECK_U(a, 0);
	CHECK_U(m, 0xFFFFFFFFu);
}

/*
 * The SDK's LEN_FROM_MASK algorithm, written with its public step macro
 * RTM_CHECK_NTH_BIT: ours must agree on every mask, contiguous or not.
 */
static USHORT sdk_len_from_mask(ULONG mask)
{
	ULONG t = ntohl(mask);
	USHORT len = 0;

	RTM_CHECK_NTH_BIT(t, 16, len);
	RTM_CHECK_NTH_BIT(t, 8, len);
	RTM_CHECK_NTH_BIT(t, 4, len);
	while (t) {
		len += 1;
		t <<= 1;
	}
	return len;
}

static void test_ipv4_len_from_mask_matches_sdk(void)
{
	ULONG x = 0x12345678u;

	for (int i = 0; i < 4096; i++) {
		/* xorshift32: varied masks, contiguous or not, deterministic. */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		ULONG masks[] = {x, x & 0xFFFF0000u, x | 0xFFFF0000u, 1u << (i % 32)};
		for (size_t k = 0; k < 4; k++) {
			USHORT ours;
			RTM_IPV4_LEN_FROM_MASK(ours, masks[k]);
			CHECK_U(ours, sdk_len_from_mask(masks[k]));
		}
	}
	CHECK_U(sdk_len_from_mask(0), 0);
}

/*
 * The SDK macros cast AddrBits to ULONG *; an RTM_NET_ADDRESS is only 2-byte
 * aligned, so AddrBits can sit at an address 2 mod 4.  Ours must work there
 * without a UBSan misalignment report.
 */
static void test_ipv4_macros_unaligned(void)
{
	union {
		ULONGLONG align;
		UCHAR bytes[64];
	} buf;
	PRTM_NET_ADDRESS na = (PRTM_NET_ADDRESS)(void *)(buf.bytes + 2);
	ULONG addr = htonl(0xAC100000); /* 172.16.0.0 */
	ULONG a = 0, l = 0, m = 0;

	REQUIRE(((uintptr_t)na->AddrBits) % 4 == 2);
	RTM_IPV4_SET_ADDR_AND_LEN(na, addr, 12);
	RTM_IPV4_GET_ADDR_AND_LEN(a, l, na);
	CHECK_U(a, addr);
	CHECK_U(l, 12);
	RTM_IPV4_SET_ADDR_AND_MASK(na, addr, htonl(0xFFF00000));
	RTM_IPV4_GET_ADDR_AND_MASK(a, m, na);
	CHECK_U(na->NumBits, 12);
	CHECK_U(m, htonl(0xFFF00000));
	CHECK_U(na->AddrBits[0], 172);
	CHECK_U(na->AddrBits[1], 16);
}

/* Each macro is one expression: safe in an unbraced if/else. */
static void test_ipv4_macros_are_expressions(void)
{
	RTM_NET_ADDRESS na;
	ULONG a = 0, l = 0;
	volatile int yes = 1;

	memset(&na, 0, sizeof(na));
	if (!yes)
		RTM_IPV4_SET_ADDR_AND_LEN(&na, htonl(0x01020300), 24);
	else
		RTM_IPV4_SET_ADDR_AND_LEN(&na, htonl(0x0A000000), 8);
	CHECK_U(na.NumBits, 8);
	CHECK_U(na.AddrBits[0], 10);

	if (!yes)
		RTM_IPV4_GET_ADDR_AND_LEN(a, l, &na);
	CHECK_U(l, 0); /* the whole macro was skipped, not only its first part */
	CHECK_U(a, 0);

	RTM_NET_ADDRESS nb;
	memset(&nb, 0, sizeof(nb));
	if (!yes)
		RTM_IPV4_SET_ADDR_AND_MASK(&nb, htonl(0x0A000000), htonl(0xFF000000));
	CHECK_U(nb.AddressFamily, 0);
	CHECK_U(nb.NumBits, 0);
}

static void test_check_nth_bit(void)
{
	ULONG v = 0x00010000u;
	int len = 0;

	RTM_CHECK_NTH_BIT(v, 16, len);
	CHECK_U(len, 16);
	CHECK_U(v, 0);
	v = 0x80u;
	RTM_CHECK_NTH_BIT(v, 16, len); /* bit 16 clear: nothing happens */
	CHECK_U(len, 16);
	CHECK_U(v, 0x80u);
}

static void test_entity_id_union(void)
{
	RTM_ENTITY_INFO info;

	memset(&info, 0, sizeof(info));
	info.RtmInstanceId = 0;
	info.AddressFamily = AF_INET;
	info.EntityId.EntityProtocolId = 0x11223344u;
	info.EntityId.EntityInstanceId = 0x55667788u;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	CHECK_U(info.EntityId.EntityId, 0x5566778811223344ull);
#else
	CHECK_U(info.EntityId.EntityId, 0x1122334455667788ull);
#endif
	info.EntityId.EntityId = 0;
	CHECK_U(info.EntityId.EntityProtocolId, 0);
	CHECK_U(info.EntityId.EntityInstanceId, 0);
}

static RTM_ENTITY_HANDLE cb_seen_handle;
static RTM_EVENT_TYPE cb_seen_event;

static DWORD WINAPI sample_callback(RTM_ENTITY_HANDLE RtmRegHandle, RTM_EVENT_TYPE EventType,
				    PVOID Context1, PVOID Context2)
{
	(void)Context1;
	(void)Context2;
	cb_seen_handle = RtmRegHandle;
	cb_seen_event = EventType;
	return EventType == RTM_ROUTE_EXPIRED ? ERROR_NOT_SUPPORTED : NO_ERROR;
}

static VOID WINAPI sample_method(RTM_ENTITY_HANDLE CallerHandle, RTM_ENTITY_HANDLE CalleeHandle,
				 RTM_ENTITY_METHOD_INPUT *Input, RTM_ENTITY_METHOD_OUTPUT *Output)
{
	(void)CallerHandle;
	(void)CalleeHandle;
	Output->MethodType = Input->MethodType;
	Output->MethodStatus = NO_ERROR;
	Output->OutputSize = Input->InputSize;
	memcpy(Output->OutputData, Input->InputData, Input->InputSize);
}

static void test_callback_and_method_types(void)
{
	RTM_EVENT_CALLBACK cb = sample_callback;
	RTM_ENTITY_HANDLE h = (RTM_ENTITY_HANDLE)(uintptr_t)0x42;

	CHECK_U(cb(h, RTM_ROUTE_EXPIRED, NULL, NULL), ERROR_NOT_SUPPORTED);
	CHECK(cb_seen_handle == h);
	CHECK(cb_seen_event == RTM_ROUTE_EXPIRED);
	CHECK_U(cb(h, RTM_CHANGE_NOTIFICATION, NULL, NULL), NO_ERROR);

	/* An export table for two methods, sized like the SDK's users do. */
	size_t tsize = offsetof(RTM_ENTITY_EXPORT_METHODS, Methods) +
		       2 * sizeof(RTM_ENTITY_EXPORT_METHOD);
	PRTM_ENTITY_EXPORT_METHODS table = malloc(tsize);
	REQUIRE(table != NULL);
	table->NumMethods = 2;
	table->Methods[0] = sample_method;
	table->Methods[1] = sample_method;

	union {
		ULONGLONG align;
		UCHAR bytes[64];
	} in, out;
	PRTM_ENTITY_METHOD_INPUT input = (PRTM_ENTITY_METHOD_INPUT)(void *)in.bytes;
	PRTM_ENTITY_METHOD_OUTPUT output = (PRTM_ENTITY_METHOD_OUTPUT)(void *)out.bytes;
	input->MethodType = METHOD_RIP2_ROUTE_TAG;
	input->InputSize = 5;
	memcpy(input->InputData, "hello", 5);
	table->Methods[1](h, h, input, output);
	CHECK_U(output->MethodType, METHOD_RIP2_ROUTE_TAG);
	CHECK_U(output->OutputSize, 5);
	CHECK(memcmp(output->OutputData, "hello", 5) == 0);
	free(table);
}

int main(void)
{
	/* Out-of-range input first. */
	RUN(test_ipv4_mask_from_len_out_of_range);
	RUN(test_base_types);
	RUN(test_error_codes_compare_with_dword);
	RUN(test_prototypes);
	RUN(test_api_visibility_macro);
	RUN(test_route_flag_groups);
	RUN(test_route_info_size_holds_hops);
	RUN(test_route_info_index_hops_directly);
	RUN(test_dest_info_stride);
	RUN(test_ipv4_macros_slash24);
	RUN(test_ipv4_macros_slash0_and_slash32);
	RUN(test_ipv4_mask_len_roundtrip);
	RUN(test_ipv4_len_from_mask_matches_sdk);
	RUN(test_ipv4_macros_unaligned);
	RUN(test_ipv4_macros_are_expressions);
	RUN(test_check_nth_bit);
	RUN(test_entity_id_union);
	RUN(test_callback_and_method_types);
	TEST_MAIN_END();
}
