/*
 * test_samples.c — Microsoft's RTMv2 sample programs as tests, part 1:
 * registration, the entity list, export methods, registering for change
 * notification, adding and updating routes, updating a route in place.
 * Part 2 (test_samples2.c): the event callback, hold-down, enumerations;
 * part 3 (test_samples3.c): searches, opaque pointers, route lists and the
 * examples of the address-macro pages.
 *
 * Each test is named after its sample page and follows the sample's calls,
 * in its order, with its variable names where that helps to compare; what
 * the sample prints or leaves as "do something here" is checked instead.
 * Where a sample is wrong as printed, the test does what it means, and
 * docs/API-NOTES.md ("Microsoft's sample programs") says so.
 */
#include "samples.h"

#include "events.h"

#include <wchar.h>

/*
 * "Register with the Routing Table Manager", "Enumerate the Registered
 * Entities", "Obtain and Call the Exported Methods for a Client" and
 * "Register For Change Notification" define these three by hand, "from
 * routprot.h".  Kept here exactly as the samples spell them, after
 * <routprot.h> (samples.h): the two must agree token for token, so that a
 * port which includes <routprot.h> and keeps the sample's lines compiles
 * without a redefinition warning (the tests build with -Werror in CI).
 * PROTO_VENDOR_ID is the samples' own name (it is not in routprot.h).
 */
// The following #defines are from routprot.h in the Platform Software Development Kit (SDK)
#define PROTO_TYPE_UCAST            0
#define PROTOCOL_ID(Type, VendorId, ProtocolId) (((Type & 0x03)<<30)|((VendorId & 0x3FFF)<<16)|(ProtocolId & 0xFFFF))
#define PROTO_VENDOR_ID            0xFFFF

/* The instance id the samples give their RIP entity. */
#define SMP_RIP_INSTANCE PROTOCOL_ID(PROTO_TYPE_UCAST, PROTO_VENDOR_ID, PROTO_IP_RIP)

/* ==== Register with the Routing Table Manager ============================== */

static void test_register_with_the_routing_table_manager(void)
{
	/* An observer registered first, with a callback, sees the sample's
	 * entity come and go. */
	RTM_ENTITY_HANDLE observer = NULL;
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_OSPF, 1, record_cb, FALSE, NULL, &observer, NULL) ==
		NO_ERROR);
	n_evs = 0;

	RTM_ENTITY_HANDLE RtmRegHandle = NULL;
	RTM_ENTITY_INFO EntityInfo;
	RTM_REGN_PROFILE RegnProfile;
	DWORD dwRet = ERROR_SUCCESS;
	memset(&RegnProfile, 0xEE, sizeof(RegnProfile));

	EntityInfo.RtmInstanceId = 0;
	EntityInfo.AddressFamily = AF_INET;
	EntityInfo.EntityId.EntityProtocolId = PROTO_IP_RIP;
	EntityInfo.EntityId.EntityInstanceId = PROTOCOL_ID(PROTO_TYPE_UCAST, PROTO_VENDOR_ID, PROTO_IP_RIP);

	/* No export methods, no callback. */
	dwRet = RtmRegisterEntity(&EntityInfo, NULL, NULL, FALSE, &RegnProfile, &RtmRegHandle);
	CHECK_U(dwRet, ERROR_SUCCESS);
	REQUIRE(dwRet == ERROR_SUCCESS && RtmRegHandle != NULL);

	/* The profile is filled (the built-in defaults). */
	CHECK_U(RegnProfile.MaxNextHopsInRoute, 8);
	CHECK_U(RegnProfile.MaxHandlesInEnum, 100);
	CHECK_U(RegnProfile.ViewsSupported, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST);
	CHECK_U(RegnProfile.NumberOfViews, 2);

	/* The entity is what the sample asked for: RIP, instance 0x3FFF0008. */
	CHECK_U(SMP_RIP_INSTANCE, 0x3FFF0008);
	RTM_ENTITY_INFO got;
	memset(&got, 0, sizeof(got));
	CHECK_U(RtmGetEntityInfo(observer, RtmRegHandle, &got), NO_ERROR);
	CHECK_U(got.RtmInstanceId, 0);
	CHECK_U(got.AddressFamily, AF_INET);
	CHECK_U(got.EntityId.EntityProtocolId, PROTO_IP_RIP);
	CHECK_U(got.EntityId.EntityInstanceId, 0x3FFF0008);
	CHECK_U(rt_stats(observer).entities, 2);

	/* The other entities are told; it is not (it has no callback). */
	REQUIRE(n_evs == 1);
	CHECK(evs[0].to == observer);
	CHECK_U(evs[0].type, RTM_ENTITY_REGISTERED);
	CHECK(evs[0].c1 == RtmRegHandle);
	CHECK_U(evs[0].info.EntityId.EntityProtocolId, PROTO_IP_RIP);
	CHECK_U(evs[0].info.EntityId.EntityInstanceId, 0x3FFF0008);
	RTM_ENTITY_HANDLE late = NULL;
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_BGP, 1, record_cb, FALSE, NULL, &late, NULL) ==
		NO_ERROR);
	CHECK_U(n_evs, 2); /* the observer only */
	CHECK(evs[1].to == observer && evs[1].c1 == late);

	/* Without a callback, a route of its own that expires is deleted by
	 * the RTM, as for a callback that answers ERROR_NOT_SUPPORTED. */
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(RtmRegHandle, "192.0.2.1", 1);
	RTM_NET_ADDRESS dest = rt_addr("10.9.0.0", 16);
	rt_route_buf rb;
	rt_route_fill(&rb.info, 120, 1, RTM_VIEW_MASK_UCAST, nh, NULL);
	RTM_ROUTE_HANDLE route = NULL;
	RTM_ROUTE_CHANGE_FLAGS fl = 0;
	CHECK_U(RtmAddRouteToDest(RtmRegHandle, &route, &dest, &rb.info, 100, NULL, 0, NULL, &fl),
		NO_ERROR);
	CHECK(smp_wait_dest_gone(observer, "10.9.0.0", 16, 5000));
	rt_route_buf ri;
	CHECK_U(rt_route_info(RtmRegHandle, route, &ri), NO_ERROR);
	CHECK_U(ri.info.State, RTM_ROUTE_STATE_DELETED);
	CHECK_U(RtmReleaseRouteInfo(RtmRegHandle, &ri.info), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(RtmRegHandle, 1, &route), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(RtmRegHandle, 1, &nh), NO_ERROR);

	// Clean-up: Deregister the new entity
	dwRet = RtmDeregisterEntity(RtmRegHandle);
	CHECK_U(dwRet, ERROR_SUCCESS);
	REQUIRE(n_evs == 4);
	for (unsigned i = 2; i < 4; i++) {
		CHECK_U(evs[i].type, RTM_ENTITY_DEREGISTERED);
		CHECK(evs[i].c1 == RtmRegHandle);
		CHECK_U(evs[i].info.EntityId.EntityInstanceId, 0x3FFF0008);
	}
	CHECK(evs[2].to != evs[3].to);
	CHECK_U(RtmGetEntityInfo(observer, RtmRegHandle, &got), ERROR_INVALID_HANDLE);
	CHECK_U(rt_stats(observer).entities, 2);
	CHECK_U(RtmDeregisterEntity(late), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(observer), NO_ERROR);
}

/* ==== Enumerate the Registered Entities ===================================== */

static void test_enumerate_the_registered_entities(void)
{
	/* Two protocols already run: OSPF, then BGP. */
	RTM_ENTITY_HANDLE ospf = NULL, bgp = NULL;
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_OSPF, 1, NULL, FALSE, NULL, &ospf, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_BGP, 1, NULL, FALSE, NULL, &bgp, NULL) == NO_ERROR);

	RTM_ENTITY_HANDLE RtmRegHandle = NULL;
	RTM_ENTITY_INFO EntityInfo = smp_entity_info(PROTO_IP_RIP, SMP_RIP_INSTANCE);
	RTM_ENTITY_HANDLE EntityHandle = (RTM_ENTITY_HANDLE)0x77;
	RTM_REGN_PROFILE RegnProfile;
	UINT NumEntities = 0;
	DWORD dwRet = ERROR_SUCCESS;
	PRTM_ENTITY_INFO EntityInfoArray;
	PRTM_ENTITY_HANDLE EntityHandleArray;

	dwRet = RtmRegisterEntity(&EntityInfo, NULL, NULL, FALSE, &RegnProfile, &RtmRegHandle);
	CHECK_U(dwRet, ERROR_SUCCESS);
	REQUIRE(dwRet == ERROR_SUCCESS);

	/* NumEntities 0: the count, for the next call; nothing filled. */
	dwRet = RtmGetRegisteredEntities(RtmRegHandle, &NumEntities, &EntityHandle, NULL);
	CHECK_U(dwRet, ERROR_INSUFFICIENT_BUFFER);
	CHECK_U(NumEntities, 3);
	CHECK(EntityHandle == (RTM_ENTITY_HANDLE)0x77);
	REQUIRE(dwRet == ERROR_INSUFFICIENT_BUFFER && NumEntities == 3);

	EntityInfoArray = calloc(NumEntities, sizeof(RTM_ENTITY_INFO));
	EntityHandleArray = calloc(NumEntities, sizeof(RTM_ENTITY_HANDLE));
	REQUIRE(EntityInfoArray && EntityHandleArray);

	dwRet = RtmGetRegisteredEntities(RtmRegHandle, &NumEntities, EntityHandleArray, EntityInfoArray);
	CHECK_U(dwRet, NO_ERROR);
	CHECK_U(NumEntities, 3);

	/* Each entity, by protocol id (i < NumEntities: the sample's loop runs
	 * one past the end). */
	unsigned seen_ospf = 0, seen_rip = 0, seen_other = 0;
	for (UINT i = 0; i < NumEntities; i++) {
		if (EntityInfoArray[i].EntityId.EntityProtocolId == PROTO_IP_OSPF) {
			seen_ospf++;
			CHECK(EntityHandleArray[i] == ospf);
		} else if (EntityInfoArray[i].EntityId.EntityProtocolId == PROTO_IP_RIP) {
			seen_rip++;
			CHECK(EntityHandleArray[i] == RtmRegHandle);
			CHECK_U(EntityInfoArray[i].EntityId.EntityInstanceId, 0x3FFF0008);
		} else {
			seen_other++;
			CHECK(EntityHandleArray[i] == bgp);
		}
		CHECK_U(EntityInfoArray[i].AddressFamily, AF_INET);
	}
	CHECK_U(seen_ospf, 1);
	CHECK_U(seen_rip, 1);
	CHECK_U(seen_other, 1);
	/* Registration order. */
	CHECK(EntityHandleArray[0] == ospf && EntityHandleArray[1] == bgp &&
	      EntityHandleArray[2] == RtmRegHandle);

	// Clean up: Release handles and free memory
	CHECK_U(RtmReleaseEntities(RtmRegHandle, NumEntities, EntityHandleArray), NO_ERROR);
	/* One reference each was given, and it is gone. */
	CHECK_U(RtmReleaseEntities(RtmRegHandle, 1, &EntityHandleArray[0]), ERROR_INVALID_HANDLE);

	/* A short buffer that is not empty: the count again, and nothing
	 * filled or referenced. */
	NumEntities = 2;
	memset(EntityInfoArray, 0xAB, 3 * sizeof(RTM_ENTITY_INFO));
	memset(EntityHandleArray, 0xAB, 3 * sizeof(RTM_ENTITY_HANDLE));
	dwRet = RtmGetRegisteredEntities(RtmRegHandle, &NumEntities, EntityHandleArray, EntityInfoArray);
	CHECK_U(dwRet, ERROR_INSUFFICIENT_BUFFER);
	CHECK_U(NumEntities, 3);
	bool untouched = true;
	for (size_t i = 0; i < 3 * sizeof(RTM_ENTITY_INFO); i++)
		untouched &= ((unsigned char *)EntityInfoArray)[i] == 0xAB;
	for (size_t i = 0; i < 3 * sizeof(RTM_ENTITY_HANDLE); i++)
		untouched &= ((unsigned char *)EntityHandleArray)[i] == 0xAB;
	CHECK(untouched);
	RTM_ENTITY_HANDLE probe = ospf;
	CHECK_U(RtmReleaseEntities(RtmRegHandle, 1, &probe), ERROR_INVALID_HANDLE);
	CHECK_U(rt_stats(RtmRegHandle).entities, 3);
	free(EntityInfoArray);
	free(EntityHandleArray);

	// Clean-up: Deregister the new entity
	dwRet = RtmDeregisterEntity(RtmRegHandle);
	CHECK_U(dwRet, ERROR_SUCCESS);
	CHECK_U(RtmDeregisterEntity(bgp), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(ospf), NO_ERROR);
}

/* ==== Obtain and Call the Exported Methods for a Client ====================== */

static struct {
	unsigned calls;
	RTM_ENTITY_HANDLE caller, callee;
	RTM_ENTITY_METHOD_TYPE type;
	UINT room;
	wchar_t text[64];
} m_seen;

/* The sample's method: echoes nothing, answers a DWORD through OutputData. */
static VOID WINAPI Method(RTM_ENTITY_HANDLE CallerHandle, RTM_ENTITY_HANDLE CalleeHandle,
			  RTM_ENTITY_METHOD_INPUT *Input, RTM_ENTITY_METHOD_OUTPUT *Output)
{
	m_seen.calls++;
	m_seen.caller = CallerHandle;
	m_seen.callee = CalleeHandle;
	m_seen.type = Output->MethodType;
	m_seen.room = Output->OutputSize;
	if (Input != NULL) {
		size_t n = Input->InputSize < sizeof(m_seen.text) ? Input->InputSize : sizeof(m_seen.text);
		memcpy(m_seen.text, Input->InputData, n);
		memset(Output->OutputData, ERROR_SUCCESS, sizeof(ERROR_SUCCESS));
		return;
	}
	memset(Output->OutputData, ERROR_INVALID_DATA, sizeof(ERROR_INVALID_DATA));
}

static void test_obtain_and_call_the_exported_methods_for_a_client(void)
{
	RTM_ENTITY_HANDLE ThisClientHandle = NULL, OtherClientHandle;
	RTM_ENTITY_INFO EntityInfo;
	RTM_REGN_PROFILE RegnProfile;
	UINT NumMethods = 0;
	DWORD dwRet = ERROR_SUCCESS;
	PRTM_ENTITY_EXPORT_METHOD ExportMethods = NULL;
	RTM_ENTITY_EXPORT_METHODS Methods;
	memset(&m_seen, 0, sizeof(m_seen));

	// Set the callback Method() as the exported client function
	Methods.NumMethods = 1;
	Methods.Methods[0] = (RTM_ENTITY_EXPORT_METHOD)Method;
	EntityInfo = smp_entity_info(PROTO_IP_RIP, SMP_RIP_INSTANCE);
	dwRet = RtmRegisterEntity(&EntityInfo, &Methods, NULL, FALSE, &RegnProfile, &ThisClientHandle);
	CHECK_U(dwRet, ERROR_SUCCESS);
	REQUIRE(dwRet == ERROR_SUCCESS);

	/* NumMethods 0 and no buffer: NO_ERROR and the count. */
	OtherClientHandle = ThisClientHandle;
	dwRet = RtmGetEntityMethods(ThisClientHandle, OtherClientHandle, &NumMethods, ExportMethods);
	CHECK_U(dwRet, ERROR_SUCCESS);
	CHECK_U(NumMethods, 1);
	REQUIRE(NumMethods > 0);

	ExportMethods = calloc(NumMethods, sizeof(RTM_ENTITY_EXPORT_METHOD));
	REQUIRE(ExportMethods);
	dwRet = RtmGetEntityMethods(ThisClientHandle, OtherClientHandle, &NumMethods, ExportMethods);
	CHECK_U(dwRet, ERROR_SUCCESS);
	CHECK_U(NumMethods, 1);
	CHECK(ExportMethods[0] == (RTM_ENTITY_EXPORT_METHOD)Method);

	/* The input: a wide string, as in the sample. */
	static const wchar_t InputString[] = L"Hello world from the exported method!";
	UINT InputSize = sizeof(L"Hello world from the exported method!");
	PRTM_ENTITY_METHOD_INPUT Input =
		calloc(1, InputSize + FIELD_OFFSET(RTM_ENTITY_METHOD_INPUT, InputData));
	REQUIRE(Input);
	Input->MethodType = METHOD_TYPE_ALL_METHODS;
	Input->InputSize = InputSize;
	memcpy(Input->InputData, InputString, InputSize);

	/* Room for one method's header and a DWORD. */
	UINT OutputHdrSize = FIELD_OFFSET(RTM_ENTITY_METHOD_OUTPUT, OutputData);
	UINT OutputSize = OutputHdrSize + sizeof(DWORD);
	PRTM_ENTITY_METHOD_OUTPUT Output = malloc(OutputSize);
	REQUIRE(Output);
	memset(Output, 0xFF, OutputSize);

	dwRet = RtmInvokeMethod(ThisClientHandle, OtherClientHandle, Input, &OutputSize, Output);
	CHECK_U(dwRet, NO_ERROR);
	CHECK_U(m_seen.calls, 1);
	CHECK(m_seen.caller == ThisClientHandle && m_seen.callee == OtherClientHandle);
	CHECK_U(m_seen.type, 1);   /* the one method's bit */
	CHECK_U(m_seen.room, 4);   /* the DWORD the sample made room for */
	CHECK(wcscmp(m_seen.text, InputString) == 0);
	/* One output: the method's bit, the DWORD it wrote (0), the RTM's
	 * default status (the sample's method sets none), 16 bytes used. */
	CHECK_U(OutputSize, OutputHdrSize + sizeof(DWORD));
	CHECK_U(Output->MethodType, 1);
	CHECK_U(Output->MethodStatus, ERROR_NOT_SUPPORTED);
	CHECK_U(Output->OutputSize, sizeof(DWORD));
	DWORD code;
	memcpy(&code, Output->OutputData, sizeof(code));
	CHECK_U(code, ERROR_SUCCESS);
	CHECK_U((DWORD)*Output->OutputData, ERROR_SUCCESS); /* what the sample prints */

	/* Another client calls it the same way. */
	RTM_ENTITY_HANDLE other = NULL;
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_OSPF, 1, NULL, FALSE, NULL, &other, NULL) == NO_ERROR);
	OutputSize = OutputHdrSize + sizeof(DWORD);
	memset(Output, 0xFF, OutputSize);
	CHECK_U(RtmInvokeMethod(other, ThisClientHandle, Input, &OutputSize, Output), NO_ERROR);
	CHECK_U(m_seen.calls, 2);
	CHECK(m_seen.caller == other && m_seen.callee == ThisClientHandle);
	memcpy(&code, Output->OutputData, sizeof(code));
	CHECK_U(code, ERROR_SUCCESS);
	CHECK_U(RtmDeregisterEntity(other), NO_ERROR);

	// Clean up: Release handles and free memory
	free(ExportMethods);
	free(Output);
	free(Input);
	dwRet = RtmDeregisterEntity(ThisClientHandle);
	CHECK_U(dwRet, ERROR_SUCCESS);
}

/* ==== Register For Change Notification ======================================= */

/* The sample's exported method (never called). */
static VOID WINAPI HelloMethod(RTM_ENTITY_HANDLE CallerHandle, RTM_ENTITY_HANDLE CalleeHandle,
			       RTM_ENTITY_METHOD_INPUT *Input, RTM_ENTITY_METHOD_OUTPUT *Output)
{
	(void)CallerHandle;
	(void)CalleeHandle;
	(void)Input;
	(void)Output;
}

static void test_register_for_change_notification(void)
{
	RTM_ENTITY_HANDLE ThisClientHandle = NULL, OtherClientHandle;
	RTM_ENTITY_INFO EntityInfo;
	RTM_REGN_PROFILE RegnProfile;
	DWORD dwRet = ERROR_SUCCESS;
	RTM_ENTITY_EXPORT_METHODS Methods;
	PRTM_NOTIFY_HANDLE NotifyHandle = NULL;

	Methods.NumMethods = 1;
	Methods.Methods[0] = (RTM_ENTITY_EXPORT_METHOD)HelloMethod;
	EntityInfo = smp_entity_info(PROTO_IP_RIP, SMP_RIP_INSTANCE);
	dwRet = RtmRegisterEntity(&EntityInfo, &Methods, NULL, FALSE, &RegnProfile, &ThisClientHandle);
	CHECK_U(dwRet, ERROR_SUCCESS);
	REQUIRE(dwRet == ERROR_SUCCESS);

	/* Best-route changes in the unicast view; the context is a handle. */
	OtherClientHandle = ThisClientHandle;
	NotifyHandle = calloc(1, sizeof(RTM_NOTIFY_HANDLE));
	REQUIRE(NotifyHandle);
	dwRet = RtmRegisterForChangeNotification(ThisClientHandle, RTM_VIEW_MASK_UCAST,
						 RTM_CHANGE_TYPE_BEST, OtherClientHandle, NotifyHandle);
	CHECK_U(dwRet, ERROR_SUCCESS);
	REQUIRE(dwRet == ERROR_SUCCESS && *NotifyHandle != NULL);

	/* Without a callback it is not signalled, but the changes wait for it. */
	RTM_ENTITY_HANDLE ospf = rt_register(AF_INET, PROTO_IP_OSPF);
	REQUIRE(ospf);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(ospf, "198.51.100.1", 1);
	RTM_ROUTE_HANDLE r = NULL, m = NULL;
	CHECK_U(rt_add_route(ospf, "10.1.0.0", 16, 110, 20, RTM_VIEW_MASK_UCAST, nh, NULL, &r, NULL),
		NO_ERROR);
	/* A multicast-only route is no unicast change. */
	CHECK_U(rt_add_route(ospf, "10.2.0.0", 16, 110, 20, RTM_VIEW_MASK_MCAST, nh, NULL, &m, NULL),
		NO_ERROR);

	rt_route_buf ri;
	REQUIRE(rt_route_info(ospf, r, &ri) == NO_ERROR);
	BOOL changed = FALSE;
	CHECK_U(RtmGetChangeStatus(ThisClientHandle, *NotifyHandle, ri.info.DestHandle, &changed), NO_ERROR);
	CHECK(changed == TRUE);
	RtmReleaseRouteInfo(ospf, &ri.info);

	union {
		RTM_DEST_INFO info;
		char bytes[4 * RTM_SIZE_OF_DEST_INFO(1)];
	} db;
	UINT n = 4;
	CHECK_U(RtmGetChangedDests(ThisClientHandle, *NotifyHandle, &n, &db.info), NO_ERROR);
	REQUIRE(n == 1);
	RTM_NET_ADDRESS want = rt_addr("10.1.0.0", 16);
	CHECK(rt_addr_eq(&db.info.DestAddress, &want));
	CHECK_U(db.info.NumberOfViews, 1);
	CHECK_U(db.info.ViewInfo[0].ViewId, RTM_VIEW_ID_UCAST);
	CHECK_U(db.info.ViewInfo[0].NumRoutes, 1);
	CHECK(db.info.ViewInfo[0].Route == r);
	CHECK(db.info.ViewInfo[0].Owner == ospf);
	CHECK_U(RtmReleaseChangedDests(ThisClientHandle, *NotifyHandle, n, &db.info), NO_ERROR);
	n = 4;
	CHECK_U(RtmGetChangedDests(ThisClientHandle, *NotifyHandle, &n, &db.info), ERROR_NO_MORE_ITEMS);
	CHECK_U(n, 0);

	// Clean-up: Deregister the new entity and free heap memory
	dwRet = RtmDeregisterFromChangeNotification(ThisClientHandle, *NotifyHandle);
	CHECK_U(dwRet, ERROR_SUCCESS);
	n = 4;
	CHECK_U(RtmGetChangedDests(ThisClientHandle, *NotifyHandle, &n, &db.info), ERROR_INVALID_HANDLE);
	dwRet |= RtmDeregisterEntity(ThisClientHandle);
	CHECK_U(dwRet, ERROR_SUCCESS);
	free(NotifyHandle);

	CHECK_U(RtmDeleteRouteToDest(ospf, r, NULL), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(ospf, m, NULL), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(ospf, 1, &nh), NO_ERROR);
	rtm_stats s = rt_stats(ospf);
	CHECK_U(s.entities, 1);
	CHECK_U(s.queued_changes, 0);
	CHECK_U(RtmDeregisterEntity(ospf), NO_ERROR);
}

/* ==== Add and Update Routes Using RtmAddRouteToDest ========================== */

static pthread_mutex_t ex_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ex_cv = PTHREAD_COND_INITIALIZER;
static unsigned ex_count;
static RTM_ROUTE_HANDLE ex_route;

/* Lets the RTM delete every route that expires (ERROR_NOT_SUPPORTED). */
static DWORD WINAPI expiry_cb(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE t, PVOID c1, PVOID c2)
{
	(void)h;
	(void)c2;
	if (t != RTM_ROUTE_EXPIRED)
		return NO_ERROR;
	pthread_mutex_lock(&ex_mu);
	ex_count++;
	ex_route = c1;
	pthread_cond_broadcast(&ex_cv);
	pthread_mutex_unlock(&ex_mu);
	return ERROR_NOT_SUPPORTED;
}

/* The sample's steps: add (or find) the next hop, fill a route, add it to
 * the destination (addr, masklen) for 1000 ms in RouteListHandle1, release
 * both handles.  Reports each step's status, flags and handle value. */
struct add_result {
	DWORD nh_status, status;
	RTM_NEXTHOP_CHANGE_FLAGS nh_flags;
	RTM_ROUTE_CHANGE_FLAGS flags;
	RTM_NEXTHOP_HANDLE nh;
	RTM_ROUTE_HANDLE route;
};

static struct add_result add_like_sample(RTM_ENTITY_HANDLE RtmRegHandle, ULONG addr, UINT masklen,
					 ULONG nexthop, ULONG interface, ULONG metric,
					 RTM_ROUTE_LIST_HANDLE RouteListHandle1, DWORD flags_in)
{
	struct add_result res;
	memset(&res, 0, sizeof(res));
	RTM_NEXTHOP_INFO NextHopInfo;
	RTM_NEXTHOP_HANDLE NextHopHandle;
	RTM_NEXTHOP_CHANGE_FLAGS NhFlags = 0;
	RTM_ROUTE_INFO RouteInfo;
	RTM_NET_ADDRESS NetAddress;
	RTM_ROUTE_HANDLE RouteHandle = NULL;
	RTM_ROUTE_CHANGE_FLAGS ChangeFlags;

	memset(&NextHopInfo, 0, sizeof(RTM_NEXTHOP_INFO));
	RTM_IPV4_MAKE_NET_ADDRESS(&NextHopInfo.NextHopAddress, nexthop, 32);
	NextHopInfo.InterfaceIndex = interface;
	NextHopHandle = NULL;
	res.nh_status = RtmAddNextHop(RtmRegHandle, &NextHopInfo, &NextHopHandle, &NhFlags);
	res.nh_flags = NhFlags;
	res.nh = NextHopHandle;
	if (res.nh_status != NO_ERROR)
		return res;

	memset(&RouteInfo, 0, sizeof(RTM_ROUTE_INFO));
	RTM_IPV4_MAKE_NET_ADDRESS(&NetAddress, addr, masklen);
	RouteInfo.Neighbour = NextHopHandle;
	RouteInfo.PrefInfo.Metric = metric;
	RouteInfo.BelongsToViews = RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST;
	RouteInfo.NextHopsList.NumNextHops = 1;
	RouteInfo.NextHopsList.NextHops[0] = NextHopHandle;
	ChangeFlags = flags_in;
	res.status = RtmAddRouteToDest(RtmRegHandle, &RouteHandle, &NetAddress, &RouteInfo, 1000,
				       RouteListHandle1, 0, NULL, &ChangeFlags);
	res.flags = ChangeFlags;
	res.route = RouteHandle;
	if (res.status == NO_ERROR)
		CHECK_U(RtmReleaseRoutes(RtmRegHandle, 1, &RouteHandle), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(RtmRegHandle, 1, &NextHopHandle), NO_ERROR);
	return res;
}

/* Routes in a list, by enumerating it. */
static UINT list_count(RTM_ENTITY_HANDLE e, RTM_ROUTE_LIST_HANDLE list)
{
	RTM_ENUM_HANDLE en = NULL;
	CHECK_U(RtmCreateRouteListEnum(e, list, &en), NO_ERROR);
	RTM_ROUTE_HANDLE hs[100];
	UINT total = 0, n;
	do {
		n = 100;
		CHECK_U(RtmGetListEnumRoutes(e, en, &n, hs), NO_ERROR);
		CHECK_U(RtmReleaseRoutes(e, n, hs), NO_ERROR);
		total += n;
	} while (n == 100);
	CHECK_U(RtmDeleteEnumHandle(e, en), NO_ERROR);
	return total;
}

static void test_add_and_update_routes_using_rtmaddroutetodest(void)
{
	RTM_ENTITY_HANDLE RtmRegHandle = NULL;
	RTM_REGN_PROFILE RegnProfile;
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_RIP, 1, expiry_cb, FALSE, NULL, &RtmRegHandle,
			       &RegnProfile) == NO_ERROR);
	RTM_ROUTE_LIST_HANDLE RouteListHandle1 = NULL;
	REQUIRE(RtmCreateRouteList(RtmRegHandle, &RouteListHandle1) == NO_ERROR);
	ULONG addr = smp_ip("10.1.0.0"), nexthop = smp_ip("192.0.2.1");
	RTM_NET_ADDRESS NetAddress;
	RTM_IPV4_MAKE_NET_ADDRESS(&NetAddress, addr, 16);

	/* To add a route: a new next hop, a new route, best. */
	struct add_result a = add_like_sample(RtmRegHandle, addr, 16, nexthop, 3, 5, RouteListHandle1, 0);
	CHECK_U(a.nh_status, NO_ERROR);
	CHECK_U(a.nh_flags, RTM_NEXTHOP_CHANGE_NEW);
	CHECK_U(a.status, NO_ERROR);
	CHECK_U(a.flags, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	REQUIRE(a.status == NO_ERROR);

	/* Again: the next hop is found, the route (same owner, same neighbour)
	 * updated; still one route, once in the list. */
	struct add_result b = add_like_sample(RtmRegHandle, addr, 16, nexthop, 3, 5, RouteListHandle1, 0);
	CHECK_U(b.nh_status, NO_ERROR);
	CHECK_U(b.nh_flags, 0);
	CHECK(b.nh == a.nh);
	CHECK_U(b.status, NO_ERROR);
	CHECK_U(b.flags, RTM_ROUTE_CHANGE_BEST);
	CHECK(b.route == a.route);
	rt_dest_buf db;
	CHECK_U(RtmGetExactMatchDestination(RtmRegHandle, &NetAddress, RTM_BEST_PROTOCOL,
					    RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST, &db.info), NO_ERROR);
	CHECK_U(db.info.NumberOfViews, 2);
	CHECK_U(RT_VIEW(&db.info, 0).NumRoutes, 1);
	CHECK_U(RT_VIEW(&db.info, 1).NumRoutes, 1);
	CHECK(RT_VIEW(&db.info, 0).Route == a.route && RT_VIEW(&db.info, 1).Route == a.route);
	RtmReleaseDestInfo(RtmRegHandle, &db.info);
	CHECK_U(list_count(RtmRegHandle, RouteListHandle1), 1);

	/* The route as the sample filled it: the neighbour, the metric, both
	 * views, and Preference 0 (rtmv2 sets none "internally"). */
	rt_route_buf ri;
	REQUIRE(rt_route_info(RtmRegHandle, a.route, &ri) == NO_ERROR);
	CHECK(ri.info.Neighbour == a.nh);
	CHECK(ri.info.RouteOwner == RtmRegHandle);
	CHECK_U(ri.info.PrefInfo.Metric, 5);
	CHECK_U(ri.info.PrefInfo.Preference, 0);
	CHECK_U(ri.info.BelongsToViews, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST);
	CHECK_U(ri.info.NextHopsList.NumNextHops, 1);
	CHECK(ri.info.NextHopsList.NextHops[0] == a.nh);

	/* To update a route: RtmGetRouteInfo, change it, RtmAddRouteToDest
	 * with the handle (here: metric 7, kept forever). */
	RTM_ROUTE_HANDLE RouteHandle = a.route;
	ri.info.PrefInfo.Metric = 7;
	RTM_ROUTE_CHANGE_FLAGS ChangeFlags = 0;
	CHECK_U(RtmAddRouteToDest(RtmRegHandle, &RouteHandle, &NetAddress, &ri.info, INFINITE,
				  RouteListHandle1, 0, NULL, &ChangeFlags), NO_ERROR);
	CHECK(RouteHandle == a.route);
	CHECK_U(ChangeFlags, RTM_ROUTE_CHANGE_BEST);
	CHECK_U(RtmReleaseRouteInfo(RtmRegHandle, &ri.info), NO_ERROR);

	/* RTM_ROUTE_CHANGE_NEW: a second route even with the same neighbour;
	 * metric 5 beats the first one's 7. */
	struct add_result c = add_like_sample(RtmRegHandle, addr, 16, nexthop, 3, 5, RouteListHandle1,
					      RTM_ROUTE_CHANGE_NEW);
	CHECK_U(c.status, NO_ERROR);
	CHECK_U(c.flags, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	CHECK(c.route != a.route);
	CHECK(rt_best(RtmRegHandle, "10.1.0.0", 16, RTM_VIEW_MASK_UCAST) == c.route);
	CHECK_U(list_count(RtmRegHandle, RouteListHandle1), 2);

	/* The new route times out after 1000 ms; the first, updated with
	 * INFINITE, stays. */
	pthread_mutex_lock(&ex_mu);
	while (ex_count == 0 && rt_cond_wait_ms(&ex_cv, &ex_mu, 10000) == 0)
		;
	CHECK_U(ex_count, 1);
	CHECK(ex_route == c.route);
	pthread_mutex_unlock(&ex_mu);
	for (int i = 0; i < 500 && rt_best(RtmRegHandle, "10.1.0.0", 16, RTM_VIEW_MASK_UCAST) != a.route;
	     i++)
		rt_sleep_ms(10);
	CHECK(rt_best(RtmRegHandle, "10.1.0.0", 16, RTM_VIEW_MASK_UCAST) == a.route);
	CHECK_U(list_count(RtmRegHandle, RouteListHandle1), 1);
	rt_sleep_ms(1200);
	pthread_mutex_lock(&ex_mu);
	CHECK_U(ex_count, 1);
	pthread_mutex_unlock(&ex_mu);
	rtm_stats s = rt_stats(RtmRegHandle);
	CHECK_U(s.routes, 1);
	CHECK_U(s.pending_timers, 0);

	CHECK_U(RtmDeleteRouteList(RtmRegHandle, RouteListHandle1), NO_ERROR);
	CHECK_U(RtmReferenceHandles(RtmRegHandle, 1, &RouteHandle), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(RtmRegHandle, RouteHandle, NULL), NO_ERROR);
	RTM_NEXTHOP_HANDLE nh = a.nh;
	CHECK_U(RtmReferenceHandles(RtmRegHandle, 1, &nh), NO_ERROR);
	CHECK_U(RtmDeleteNextHop(RtmRegHandle, nh, NULL), NO_ERROR);
	s = rt_stats(RtmRegHandle);
	CHECK_U(s.routes, 0);
	CHECK_U(s.next_hops, 0);
	CHECK_U(s.dests, 0);
	CHECK_U(RtmDeregisterEntity(RtmRegHandle), NO_ERROR);
}

/* ==== Update a Route In Place Using RtmUpdateAndUnlockRoute ================== */

struct inplace {
	RTM_ENTITY_HANDLE e;
	RTM_NEXTHOP_HANDLE n1, n2;
	RTM_ROUTE_HANDLE r[2];
	unsigned long handles0;
};

/* One entity, its next hops N1 and N2 (its own RtmAddNextHop handles), two
 * unicast routes via N1. */
static bool inplace_setup(struct inplace *v)
{
	memset(v, 0, sizeof(*v));
	v->e = rt_register(AF_INET, PROTO_IP_RIP);
	if (!v->e)
		return false;
	v->handles0 = rt_stats(v->e).handles;
	v->n1 = rt_nexthop(v->e, "192.0.2.1", 1);
	v->n2 = rt_nexthop(v->e, "192.0.2.2", 2);
	CHECK_U(rt_add_route(v->e, "10.1.0.0", 16, 120, 1, RTM_VIEW_MASK_UCAST, v->n1, NULL, &v->r[0],
			     NULL), NO_ERROR);
	CHECK_U(rt_add_route(v->e, "10.2.0.0", 16, 120, 1, RTM_VIEW_MASK_UCAST, v->n1, NULL, &v->r[1],
			     NULL), NO_ERROR);
	return v->n1 && v->n2 && v->r[0] && v->r[1];
}

/* What both orders must leave: each route changed as the sample says, N1
 * free to delete with the client's own handle, and once the routes and N2
 * are deleted, nothing referenced. */
static void inplace_check_and_free(struct inplace *v, PVOID X)
{
	static const char *const dests[2] = { "10.1.0.0", "10.2.0.0" };
	for (int i = 0; i < 2; i++) {
		rt_route_buf ri;
		REQUIRE(rt_route_info(v->e, v->r[i], &ri) == NO_ERROR);
		CHECK_U(ri.info.PrefInfo.Metric, 16);
		CHECK_U(ri.info.BelongsToViews, RTM_VIEW_MASK_MCAST);
		CHECK(ri.info.EntitySpecificInfo == X);
		CHECK_U(ri.info.NextHopsList.NumNextHops, 1);
		CHECK(ri.info.NextHopsList.NextHops[0] == v->n2);
		CHECK_U(ri.info.State, RTM_ROUTE_STATE_CREATED);
		CHECK_U(RtmReleaseRouteInfo(v->e, &ri.info), NO_ERROR);
		CHECK(rt_best(v->e, dests[i], 16, RTM_VIEW_MASK_UCAST) == NULL);
		CHECK(rt_best(v->e, dests[i], 16, RTM_VIEW_MASK_MCAST) == v->r[i]);
		RTM_VIEW_SET best = 0;
		CHECK_U(RtmIsBestRoute(v->e, v->r[i], &best), NO_ERROR);
		CHECK_U(best, RTM_VIEW_MASK_MCAST);
	}
	/* N1 is used by nothing: the client deletes it with its own handle. */
	CHECK_U(RtmDeleteNextHop(v->e, v->n1, NULL), NO_ERROR);
	CHECK_U(rt_stats(v->e).next_hops, 1);
	for (int i = 0; i < 2; i++)
		CHECK_U(RtmDeleteRouteToDest(v->e, v->r[i], NULL), NO_ERROR);
	CHECK_U(RtmDeleteNextHop(v->e, v->n2, NULL), NO_ERROR);
	rtm_stats s = rt_stats(v->e);
	CHECK_U(s.routes, 0);
	CHECK_U(s.dests, 0);
	CHECK_U(s.next_hops, 0); /* N2 kept no reference nobody owns */
	CHECK_U(s.handles, v->handles0);
	CHECK_U(RtmDeregisterEntity(v->e), NO_ERROR);
}

/* The sample's order: release the old next hop, put the new one in,
 * reference it, commit. */
static void test_update_a_route_in_place_using_rtmupdateandunlockroute(void)
{
	struct inplace v;
	REQUIRE(inplace_setup(&v));
	RTM_ENTITY_HANDLE RtmRegHandle = v.e;
	RTM_NEXTHOP_HANDLE NextHop1, NextHop2 = v.n2;
	PVOID X = (PVOID)0x5eed;
	for (int i = 0; i < 2; i++) {
		RTM_ROUTE_HANDLE RouteHandle = v.r[i];
		PRTM_ROUTE_INFO RoutePointer = NULL;
		RTM_ROUTE_CHANGE_FLAGS ChangeFlags = 0;
		DWORD Status = RtmLockRoute(RtmRegHandle, RouteHandle, TRUE, TRUE, &RoutePointer);
		CHECK_U(Status, NO_ERROR);
		REQUIRE(Status == NO_ERROR && RoutePointer);

		RoutePointer->PrefInfo.Metric = 16;
		RoutePointer->BelongsToViews = RTM_VIEW_MASK_MCAST;
		RoutePointer->EntitySpecificInfo = X;
		// Change next hop from NextHop1 to NextHop2
		NextHop1 = RoutePointer->NextHopsList.NextHops[0];
		CHECK(NextHop1 == v.n1);
		CHECK_U(RtmReleaseNextHops(RtmRegHandle, 1, &NextHop1), NO_ERROR);
		RoutePointer->NextHopsList.NextHops[0] = NextHop2;
		CHECK_U(RtmReferenceHandles(RtmRegHandle, 1, &NextHop2), NO_ERROR);

		Status = RtmUpdateAndUnlockRoute(RtmRegHandle, RouteHandle, INFINITE, NULL, 0, NULL,
						 &ChangeFlags);
		CHECK_U(Status, NO_ERROR);
		REQUIRE(Status == NO_ERROR);
		/* It left the unicast view, where it was the best route. */
		CHECK(ChangeFlags & RTM_ROUTE_CHANGE_BEST);
	}
	inplace_check_and_free(&v, X);
}

/* The same, in the order issue 10 gives: reference the new next hop before
 * it goes in, release the old one after the commit. */
static void test_update_a_route_in_place_reference_first_release_after(void)
{
	struct inplace v;
	REQUIRE(inplace_setup(&v));
	PVOID X = (PVOID)0xfeed;
	for (int i = 0; i < 2; i++) {
		PRTM_ROUTE_INFO p = NULL;
		REQUIRE(RtmLockRoute(v.e, v.r[i], TRUE, TRUE, &p) == NO_ERROR && p);
		RTM_NEXTHOP_HANDLE old = p->NextHopsList.NextHops[0], add = v.n2;
		CHECK(old == v.n1);
		CHECK_U(RtmReferenceHandles(v.e, 1, &add), NO_ERROR);
		p->NextHopsList.NextHops[0] = add;
		p->PrefInfo.Metric = 16;
		p->BelongsToViews = RTM_VIEW_MASK_MCAST;
		p->EntitySpecificInfo = X;
		RTM_ROUTE_CHANGE_FLAGS fl = 0;
		DWORD rc = RtmUpdateAndUnlockRoute(v.e, v.r[i], INFINITE, NULL, 0, NULL, &fl);
		CHECK_U(rc, NO_ERROR);
		REQUIRE(rc == NO_ERROR);
		CHECK_U(RtmReleaseNextHops(v.e, 1, &old), NO_ERROR);
	}
	inplace_check_and_free(&v, X);
}

/* The two samples together, as a ported protocol runs them: routes added as
 * "Add and Update Routes" does (it releases its next-hop handle at once),
 * then moved in place exactly as the in-place sample does, releasing the old
 * next hop before the commit.  The only references to N1 are the routes',
 * and the route lock lent one (docs/API-NOTES.md, "References in an in-place
 * update"): every call succeeds and nothing stays referenced. */
static void test_update_a_route_in_place_after_add_sample(void)
{
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, PROTO_IP_RIP);
	REQUIRE(e);
	struct add_result a = add_like_sample(e, smp_ip("10.1.0.0"), 16, smp_ip("192.0.2.1"), 1, 1, NULL,
					      0);
	struct add_result b = add_like_sample(e, smp_ip("10.2.0.0"), 16, smp_ip("192.0.2.1"), 1, 1, NULL,
					      0);
	REQUIRE(a.status == NO_ERROR && b.status == NO_ERROR && a.nh == b.nh);
	RTM_NEXTHOP_HANDLE NextHop2 = rt_nexthop(e, "192.0.2.2", 2);
	REQUIRE(NextHop2);
	CHECK_U(RtmReleaseNextHops(e, 1, &NextHop2), NO_ERROR);
	RTM_ROUTE_HANDLE routes[2] = { a.route, b.route };
	for (int i = 0; i < 2; i++) {
		PRTM_ROUTE_INFO p = NULL;
		REQUIRE(RtmLockRoute(e, routes[i], TRUE, TRUE, &p) == NO_ERROR && p);
		RTM_NEXTHOP_HANDLE NextHop1 = p->NextHopsList.NextHops[0];
		CHECK(NextHop1 == a.nh);
		/* The sample's order: the release spends the lock's loan. */
		CHECK_U(RtmReleaseNextHops(e, 1, &NextHop1), NO_ERROR);
		p->NextHopsList.NextHops[0] = NextHop2;
		CHECK_U(RtmReferenceHandles(e, 1, &NextHop2), NO_ERROR);
		p->PrefInfo.Metric = 16;
		RTM_ROUTE_CHANGE_FLAGS fl = 0;
		CHECK_U(RtmUpdateAndUnlockRoute(e, routes[i], INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
		/* Nothing of N1 is left to release: one more is refused. */
		CHECK_U(RtmReleaseNextHops(e, 1, &NextHop1), ERROR_INVALID_HANDLE);
	}
	/* The routes use N2 (N1 stays the neighbour, in the client's list). */
	for (int i = 0; i < 2; i++) {
		rt_route_buf ri;
		REQUIRE(rt_route_info(e, routes[i], &ri) == NO_ERROR);
		CHECK(ri.info.NextHopsList.NextHops[0] == NextHop2);
		CHECK(ri.info.Neighbour == a.nh);
		CHECK_U(ri.info.PrefInfo.Metric, 16);
		RtmReleaseRouteInfo(e, &ri.info);
	}
	/* The client deletes everything, finding it again. */
	for (int i = 0; i < 2; i++) {
		CHECK_U(RtmReferenceHandles(e, 1, &routes[i]), NO_ERROR);
		CHECK_U(RtmDeleteRouteToDest(e, routes[i], NULL), NO_ERROR);
	}
	static const char *const hops[2] = { "192.0.2.1", "192.0.2.2" };
	for (int i = 0; i < 2; i++) {
		RTM_NEXTHOP_INFO ni;
		memset(&ni, 0, sizeof(ni));
		ni.NextHopAddress = rt_addr(hops[i], 32);
		ni.InterfaceIndex = (ULONG)(i + 1);
		RTM_NEXTHOP_HANDLE h = NULL;
		CHECK_U(RtmFindNextHop(e, &ni, &h, NULL), NO_ERROR);
		CHECK_U(RtmDeleteNextHop(e, h, NULL), NO_ERROR);
	}
	rtm_stats s = rt_stats(e);
	CHECK_U(s.routes, 0);
	CHECK_U(s.next_hops, 0);
	CHECK_U(s.dests, 0);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
}

int main(void)
{
	RUN_TIMED(test_register_with_the_routing_table_manager);
	RUN_TIMED(test_enumerate_the_registered_entities);
	RUN_TIMED(test_obtain_and_call_the_exported_methods_for_a_client);
	RUN_TIMED(test_register_for_change_notification);
	RUN_TIMED(test_add_and_update_routes_using_rtmaddroutetodest);
	RUN_TIMED(test_update_a_route_in_place_using_rtmupdateandunlockroute);
	RUN_TIMED(test_update_a_route_in_place_reference_first_release_after);
	RUN_TIMED(test_update_a_route_in_place_after_add_sample);
	TEST_MAIN_END();
}
