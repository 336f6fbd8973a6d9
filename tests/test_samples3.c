/*
 * test_samples3.c — Microsoft's RTMv2 sample programs as tests, part 3:
 * searching for the best route, walking the prefix tree, the opaque pointer
 * of a destination, client-specific route lists, and the examples of the
 * address-macro reference pages (RTM_IPV4_MAKE_NET_ADDRESS ...
 * RTM_IPV4_MASK_FROM_LEN, with RTM_CHECK_NTH_BIT).  Parts 1 and 2 are
 * test_samples.c and test_samples2.c; samples.h says how they are written.
 */
#include "samples.h"

#include <stdio.h>

/* Adds the caller's route to prefix/len; *out (if not NULL) keeps its handle. */
static void add_simple(RTM_ENTITY_HANDLE e, const char *dest, unsigned len, ULONG pref, ULONG metric,
		       RTM_VIEW_SET views, RTM_NEXTHOP_HANDLE nh, RTM_ROUTE_HANDLE *out)
{
	CHECK_U(rt_add_route(e, dest, len, pref, metric, views, nh, NULL, out, NULL), NO_ERROR);
}

/* ==== Search For the Best Route ============================================== */

/* The sample: the best unicast route of the most specific destination of
 * (Addr, Mask) for ProtocolId; NULL if none. */
static RTM_ROUTE_HANDLE best_match(RTM_ENTITY_HANDLE RtmRegHandle, ULONG Addr, ULONG Mask,
				   ULONG ProtocolId, RTM_NET_ADDRESS *found)
{
	RTM_NET_ADDRESS NetAddress;
	rt_dest_buf db;
	PRTM_DEST_INFO DestInfo = &db.info;
	RTM_ROUTE_HANDLE NewBestRoute = NULL;
	RTM_IPV4_SET_ADDR_AND_MASK(&NetAddress, Addr, Mask);
	DWORD Status = RtmGetMostSpecificDestination(RtmRegHandle, &NetAddress, ProtocolId,
						     RTM_VIEW_MASK_UCAST, DestInfo);
	if (Status == NO_ERROR) {
		CHECK_U(DestInfo->NumberOfViews, 1);
		CHECK_U(DestInfo->ViewInfo[0].ViewId, RTM_VIEW_ID_UCAST);
		NewBestRoute = DestInfo->ViewInfo[0].Route;
		if (found)
			*found = DestInfo->DestAddress;
		CHECK_U(RtmReleaseDestInfo(RtmRegHandle, DestInfo), NO_ERROR);
	} else {
		CHECK_U(Status, ERROR_NOT_FOUND);
	}
	return NewBestRoute;
}

static void test_search_for_the_best_route(void)
{
	RTM_ENTITY_HANDLE RtmRegHandle = rt_register(AF_INET, PROTO_IP_RIP);
	RTM_ENTITY_HANDLE ospf = rt_register(AF_INET, PROTO_IP_OSPF);
	REQUIRE(RtmRegHandle && ospf);
	RTM_NEXTHOP_HANDLE rnh = rt_nexthop(RtmRegHandle, "192.0.2.1", 1);
	RTM_NEXTHOP_HANDLE onh = rt_nexthop(ospf, "198.51.100.1", 2);
	/* 10/8 from both (OSPF preferred), 10.1/16 from RIP, 10.1.2/24 from
	 * RIP in the multicast view only. */
	RTM_ROUTE_HANDLE r8 = NULL, o8 = NULL, r16 = NULL, r24 = NULL;
	add_simple(RtmRegHandle, "10.0.0.0", 8, 120, 1, RTM_VIEW_MASK_UCAST, rnh, &r8);
	add_simple(ospf, "10.0.0.0", 8, 110, 50, RTM_VIEW_MASK_UCAST, onh, &o8);
	add_simple(RtmRegHandle, "10.1.0.0", 16, 120, 2, RTM_VIEW_MASK_UCAST, rnh, &r16);
	add_simple(RtmRegHandle, "10.1.2.0", 24, 120, 3, RTM_VIEW_MASK_MCAST, rnh, &r24);

	/* A host in 10.1.2/24: the /24 has no unicast route, so 10.1/16. */
	RTM_NET_ADDRESS found, want = rt_addr("10.1.0.0", 16);
	RTM_ROUTE_HANDLE NewBestRoute = best_match(RtmRegHandle, smp_ip("10.1.2.3"),
						   smp_ip("255.255.255.255"), RTM_BEST_PROTOCOL, &found);
	CHECK(NewBestRoute == r16);
	CHECK(rt_addr_eq(&found, &want));
	/* "Call RtmGetRouteInfo using the handle for information". */
	rt_route_buf ri;
	CHECK_U(rt_route_info(RtmRegHandle, NewBestRoute, &ri), NO_ERROR);
	CHECK(ri.info.RouteOwner == RtmRegHandle);
	CHECK_U(ri.info.PrefInfo.Metric, 2);
	CHECK(ri.info.NextHopsList.NextHops[0] == rnh);
	RtmReleaseRouteInfo(RtmRegHandle, &ri.info);

	/* A network in 10/8: OSPF's route, the best by preference; the
	 * protocol id chooses which route is reported, not the destination. */
	want = rt_addr("10.0.0.0", 8);
	CHECK(best_match(RtmRegHandle, smp_ip("10.200.0.0"), smp_ip("255.255.0.0"), RTM_BEST_PROTOCOL,
			 &found) == o8);
	CHECK(rt_addr_eq(&found, &want));
	CHECK(best_match(RtmRegHandle, smp_ip("10.200.0.0"), smp_ip("255.255.0.0"), RTM_THIS_PROTOCOL,
			 &found) == r8);
	CHECK(best_match(RtmRegHandle, smp_ip("10.200.0.0"), smp_ip("255.255.0.0"), PROTO_IP_OSPF,
			 &found) == o8);
	/* Outside every prefix: ERROR_NOT_FOUND. */
	CHECK(best_match(RtmRegHandle, smp_ip("192.168.1.1"), smp_ip("255.255.255.255"),
			 RTM_BEST_PROTOCOL, NULL) == NULL);

	/* "To search for an exact match, use RtmGetExactMatchDestination": it
	 * finds 10.1.2/24 (a route in some view); none in unicast. */
	RTM_NET_ADDRESS NetAddress;
	RTM_IPV4_SET_ADDR_AND_MASK(&NetAddress, smp_ip("10.1.2.0"), smp_ip("255.255.255.0"));
	CHECK_U(NetAddress.NumBits, 24);
	rt_dest_buf db;
	CHECK_U(RtmGetExactMatchDestination(RtmRegHandle, &NetAddress, RTM_BEST_PROTOCOL,
					    RTM_VIEW_MASK_UCAST, &db.info), NO_ERROR);
	CHECK(db.info.ViewInfo[0].Route == NULL);
	CHECK_U(db.info.BelongsToViews, RTM_VIEW_MASK_MCAST);
	RtmReleaseDestInfo(RtmRegHandle, &db.info);
	CHECK_U(RtmGetExactMatchDestination(RtmRegHandle, &NetAddress, RTM_BEST_PROTOCOL,
					    RTM_VIEW_MASK_MCAST, &db.info), NO_ERROR);
	CHECK(db.info.ViewInfo[0].Route == r24);
	RtmReleaseDestInfo(RtmRegHandle, &db.info);

	RTM_ROUTE_HANDLE mine[3] = { r8, r16, r24 };
	CHECK_U(RtmReleaseRoutes(RtmRegHandle, 3, mine), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(ospf, 1, &o8), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(RtmRegHandle, 1, &rnh), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(ospf, 1, &onh), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(ospf), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(RtmRegHandle), NO_ERROR);
}

/* ==== Search for Routes Using a Prefix Tree =================================== */

struct walk {
	unsigned n, exact;
	USHORT lens[8];
	RTM_ROUTE_HANDLE routes[8];
	DWORD last;
};

/* The sample's walk up the tree from the most specific destination of
 * (Addr, Mask), with two RTM_DEST_INFO buffers used in turn. */
static struct walk walk_up(RTM_ENTITY_HANDLE RtmRegHandle, ULONG Addr, ULONG Mask)
{
	struct walk w;
	memset(&w, 0, sizeof(w));
	RTM_NET_ADDRESS NetAddress;
	rt_dest_buf b1, b2;
	PRTM_DEST_INFO DestInfo1 = &b1.info, DestInfo2 = &b2.info;
	RTM_IPV4_SET_ADDR_AND_MASK(&NetAddress, Addr, Mask);
	DWORD Status = RtmGetMostSpecificDestination(RtmRegHandle, &NetAddress, RTM_BEST_PROTOCOL,
						     RTM_VIEW_MASK_UCAST, DestInfo1);
#define WALK_NOTE(di)                                                      \
	do {                                                               \
		if (w.n < 8) {                                             \
			w.lens[w.n] = (di)->DestAddress.NumBits;           \
			w.routes[w.n] = (di)->ViewInfo[0].Route;           \
		}                                                          \
		w.n++;                                                     \
	} while (0)
	if (Status == NO_ERROR)
		WALK_NOTE(DestInfo1);
	while (Status == NO_ERROR) {
		if (DestInfo1->DestAddress.NumBits == NetAddress.NumBits)
			w.exact++;
		Status = RtmGetLessSpecificDestination(RtmRegHandle, DestInfo1->DestHandle,
						       RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, DestInfo2);
		// NOTE that the buffer is DestInfo1 and not DestInfo2
		CHECK_U(RtmReleaseDestInfo(RtmRegHandle, DestInfo1), NO_ERROR);
		if (Status != NO_ERROR)
			break;
		WALK_NOTE(DestInfo2);
		Status = RtmGetLessSpecificDestination(RtmRegHandle, DestInfo2->DestHandle,
						       RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, DestInfo1);
		// NOTE that the buffer is DestInfo2 and not DestInfo1
		CHECK_U(RtmReleaseDestInfo(RtmRegHandle, DestInfo2), NO_ERROR);
		if (Status != NO_ERROR)
			break;
		WALK_NOTE(DestInfo1);
	}
#undef WALK_NOTE
	w.last = Status;
	return w;
}

static void test_search_for_routes_using_a_prefix_tree(void)
{
	RTM_ENTITY_HANDLE RtmRegHandle = rt_register(AF_INET, PROTO_IP_RIP);
	REQUIRE(RtmRegHandle);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(RtmRegHandle, "192.0.2.1", 1);
	RTM_ROUTE_HANDLE r0 = NULL, r8 = NULL, r16 = NULL, r24 = NULL, r25 = NULL, other = NULL;
	add_simple(RtmRegHandle, "0.0.0.0", 0, 120, 1, RTM_VIEW_MASK_UCAST, nh, &r0);
	add_simple(RtmRegHandle, "10.0.0.0", 8, 120, 1, RTM_VIEW_MASK_UCAST, nh, &r8);
	add_simple(RtmRegHandle, "10.1.0.0", 16, 120, 1, RTM_VIEW_MASK_UCAST, nh, &r16);
	add_simple(RtmRegHandle, "10.1.2.0", 24, 120, 1, RTM_VIEW_MASK_UCAST, nh, &r24);
	/* Not on the unicast walk: multicast only, and a sibling branch. */
	add_simple(RtmRegHandle, "10.1.2.0", 25, 120, 1, RTM_VIEW_MASK_MCAST, nh, &r25);
	add_simple(RtmRegHandle, "10.2.0.0", 16, 120, 1, RTM_VIEW_MASK_UCAST, nh, &other);
	unsigned long dests = rt_stats(RtmRegHandle).dests;

	/* From a host: 24, 16, 8, then the default route, then ERROR_NOT_FOUND. */
	struct walk w = walk_up(RtmRegHandle, smp_ip("10.1.2.3"), smp_ip("255.255.255.255"));
	CHECK_U(w.n, 4);
	CHECK_U(w.exact, 0);
	CHECK_U(w.last, ERROR_NOT_FOUND);
	CHECK(w.lens[0] == 24 && w.lens[1] == 16 && w.lens[2] == 8 && w.lens[3] == 0);
	CHECK(w.routes[0] == r24 && w.routes[1] == r16 && w.routes[2] == r8 && w.routes[3] == r0);

	/* From a network that is in the table: an exact match first. */
	w = walk_up(RtmRegHandle, smp_ip("10.1.0.0"), smp_ip("255.255.0.0"));
	CHECK_U(w.n, 3);
	CHECK_U(w.exact, 1);
	CHECK_U(w.last, ERROR_NOT_FOUND);
	CHECK(w.lens[0] == 16 && w.lens[1] == 8 && w.lens[2] == 0);

	/* Without a default route the walk ends at 10/8. */
	CHECK_U(RtmDeleteRouteToDest(RtmRegHandle, r0, NULL), NO_ERROR);
	w = walk_up(RtmRegHandle, smp_ip("10.1.2.200"), smp_ip("255.255.255.255"));
	CHECK_U(w.n, 3);
	CHECK_U(w.last, ERROR_NOT_FOUND);
	CHECK(w.lens[0] == 24 && w.lens[1] == 16 && w.lens[2] == 8);
	/* Every information structure of the walks was released: only the
	 * default route's destination is gone. */
	CHECK_U(rt_stats(RtmRegHandle).dests, dests - 1);

	RTM_ROUTE_HANDLE rest[5] = { r8, r16, r24, r25, other };
	for (int i = 0; i < 5; i++)
		CHECK_U(RtmDeleteRouteToDest(RtmRegHandle, rest[i], NULL), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(RtmRegHandle, 1, &nh), NO_ERROR);
	rtm_stats s = rt_stats(RtmRegHandle);
	CHECK_U(s.dests, 0);
	CHECK_U(s.routes, 0);
	CHECK_U(RtmDeregisterEntity(RtmRegHandle), NO_ERROR);
}

/* ==== Access the Opaque Pointer in a Destination ============================== */

// Opaque Info Blob Defn
typedef struct _OPAQUE_INFO {
	ULONG Info1;
	ULONG Info2;
} OPAQUE_INFO, *POPAQUE_INFO;

/* One pass of the sample: under the exclusive destination lock, create the
 * blob (1, 2) if the slot is empty, otherwise set the blob to (3, 4). */
static DWORD opaque_pass(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle)
{
	PVOID OpaqueInfoSlotPointer = NULL;
	PVOID OpaqueInfoSlotInfo;
	POPAQUE_INFO OpaqueInfoPtr;
	DWORD Status = RtmLockDestination(RtmRegHandle, DestHandle, TRUE, TRUE);
	if (Status != NO_ERROR)
		return Status;
	Status = RtmGetOpaqueInformationPointer(RtmRegHandle, DestHandle, &OpaqueInfoSlotPointer);
	if (Status == NO_ERROR) {
		OpaqueInfoSlotInfo = *(PVOID *)OpaqueInfoSlotPointer;
		if (OpaqueInfoSlotInfo == NULL) {
			// No information set yet - create private information BLOB
			OpaqueInfoPtr = malloc(sizeof(OPAQUE_INFO));
			if (OpaqueInfoPtr) {
				OpaqueInfoPtr->Info1 = 1;
				OpaqueInfoPtr->Info2 = 2;
				*(PVOID *)OpaqueInfoSlotPointer = OpaqueInfoPtr;
			}
		} else {
			// Already exists; do something with the opaque information
			OpaqueInfoPtr = (POPAQUE_INFO)OpaqueInfoSlotInfo;
			OpaqueInfoPtr->Info1 = 3;
			OpaqueInfoPtr->Info2 = 4;
		}
	}
	// Unlock destination from exclusive mode that we locked earlier
	DWORD unlock = RtmLockDestination(RtmRegHandle, DestHandle, TRUE, FALSE);
	CHECK_U(unlock, NO_ERROR);
	return Status;
}

/* The blob in the caller's slot (NULL if none). */
static POPAQUE_INFO opaque_blob(RTM_ENTITY_HANDLE e, RTM_DEST_HANDLE d)
{
	PVOID slot = NULL;
	if (RtmGetOpaqueInformationPointer(e, d, &slot) != NO_ERROR || !slot)
		return NULL;
	return *(POPAQUE_INFO *)slot;
}

static void test_access_the_opaque_pointer_in_a_destination(void)
{
	/* Two protocols that reserved a slot, one that did not. */
	RTM_ENTITY_HANDLE RtmRegHandle = NULL, ospf = NULL, bgp = NULL;
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_RIP, 1, NULL, TRUE, NULL, &RtmRegHandle, NULL) ==
		NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_OSPF, 1, NULL, TRUE, NULL, &ospf, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_BGP, 1, NULL, FALSE, NULL, &bgp, NULL) == NO_ERROR);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(RtmRegHandle, "192.0.2.1", 1);
	RTM_ROUTE_HANDLE r = NULL;
	add_simple(RtmRegHandle, "10.1.0.0", 16, 120, 1, RTM_VIEW_MASK_UCAST, nh, &r);
	rt_route_buf ri;
	REQUIRE(rt_route_info(RtmRegHandle, r, &ri) == NO_ERROR);
	RTM_DEST_HANDLE DestHandle = ri.info.DestHandle;

	/* First pass: the slot is empty, the blob is created. */
	CHECK(opaque_blob(RtmRegHandle, DestHandle) == NULL);
	CHECK_U(opaque_pass(RtmRegHandle, DestHandle), NO_ERROR);
	POPAQUE_INFO blob = opaque_blob(RtmRegHandle, DestHandle);
	REQUIRE(blob);
	CHECK(blob->Info1 == 1 && blob->Info2 == 2);
	/* The slot is the caller's: OSPF's is still empty, BGP has none. */
	CHECK(opaque_blob(ospf, DestHandle) == NULL);
	PVOID slot = NULL;
	CHECK_U(RtmGetOpaqueInformationPointer(bgp, DestHandle, &slot), ERROR_NOT_FOUND);
	CHECK(slot == NULL);

	/* The value stays while the destination does, across route changes. */
	RTM_ROUTE_HANDLE r2 = NULL;
	add_simple(RtmRegHandle, "10.1.0.0", 16, 120, 7, RTM_VIEW_MASK_UCAST, nh, NULL);
	RTM_NEXTHOP_HANDLE onh = rt_nexthop(ospf, "198.51.100.1", 2);
	add_simple(ospf, "10.1.0.0", 16, 110, 1, RTM_VIEW_MASK_UCAST, onh, &r2);
	CHECK(opaque_blob(RtmRegHandle, DestHandle) == blob);

	/* Second pass: it exists, it is updated in place. */
	CHECK_U(opaque_pass(RtmRegHandle, DestHandle), NO_ERROR);
	CHECK(opaque_blob(RtmRegHandle, DestHandle) == blob);
	CHECK(blob->Info1 == 3 && blob->Info2 == 4);
	/* OSPF's pass creates its own. */
	CHECK_U(opaque_pass(ospf, DestHandle), NO_ERROR);
	POPAQUE_INFO oblob = opaque_blob(ospf, DestHandle);
	REQUIRE(oblob);
	CHECK(oblob != blob && oblob->Info1 == 1 && oblob->Info2 == 2);
	CHECK(blob->Info1 == 3);

	/* Clean up: each client frees its blob and clears its slot. */
	CHECK_U(RtmLockDestination(ospf, DestHandle, TRUE, TRUE), NO_ERROR);
	CHECK_U(RtmGetOpaqueInformationPointer(ospf, DestHandle, &slot), NO_ERROR);
	free(*(PVOID *)slot);
	*(PVOID *)slot = NULL;
	CHECK_U(RtmLockDestination(ospf, DestHandle, TRUE, FALSE), NO_ERROR);
	CHECK_U(RtmLockDestination(RtmRegHandle, DestHandle, TRUE, TRUE), NO_ERROR);
	CHECK_U(RtmGetOpaqueInformationPointer(RtmRegHandle, DestHandle, &slot), NO_ERROR);
	free(*(PVOID *)slot);
	*(PVOID *)slot = NULL;
	CHECK_U(RtmLockDestination(RtmRegHandle, DestHandle, TRUE, FALSE), NO_ERROR);

	CHECK_U(RtmReleaseRouteInfo(RtmRegHandle, &ri.info), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(RtmRegHandle, 1, &r), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(ospf, 1, &r2), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(RtmRegHandle, 1, &nh), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(ospf, 1, &onh), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(bgp), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(ospf), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(RtmRegHandle), NO_ERROR);
}

/* ==== Use a Client-Specific Route List ======================================== */

static void test_use_a_client_specific_route_list(void)
{
	RTM_ENTITY_HANDLE RtmRegHandle = NULL;
	RTM_REGN_PROFILE RegnProfile;
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_RIP, 1, NULL, FALSE, NULL, &RtmRegHandle,
			       &RegnProfile) == NO_ERROR);
	RTM_ROUTE_LIST_HANDLE RouteListHandle1 = NULL, RouteListHandle2 = NULL;
	DWORD Status = RtmCreateRouteList(RtmRegHandle, &RouteListHandle1);
	CHECK_U(Status, NO_ERROR);
	Status = RtmCreateRouteList(RtmRegHandle, &RouteListHandle2);
	CHECK_U(Status, NO_ERROR);
	REQUIRE(RouteListHandle1 && RouteListHandle2 && RouteListHandle1 != RouteListHandle2);

	/* "A bunch of routes" added with RouteListHandle1: 200, twice
	 * MaxHandlesInEnum, so that the last batch is empty. */
	enum { N = 200 };
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(RtmRegHandle, "192.0.2.1", 1);
	static RTM_ROUTE_HANDLE added[N];
	for (int i = 0; i < N; i++) {
		char text[32];
		snprintf(text, sizeof(text), "10.%d.%d.0", i / 100, i % 100);
		RTM_NET_ADDRESS a = rt_addr(text, 24);
		rt_route_buf rb;
		rt_route_fill(&rb.info, 120, 1, RTM_VIEW_MASK_UCAST, nh, NULL);
		RTM_ROUTE_CHANGE_FLAGS ChangeFlags = 0;
		CHECK_U(RtmAddRouteToDest(RtmRegHandle, &added[i], &a, &rb.info, INFINITE, RouteListHandle1,
					  0, NULL, &ChangeFlags), NO_ERROR);
	}
	CHECK_U(RtmReleaseRoutes(RtmRegHandle, N, added), NO_ERROR);

	/* Enumerate list 1, moving each batch to list 2. */
	RTM_ENUM_HANDLE EnumHandle = NULL;
	Status = RtmCreateRouteListEnum(RtmRegHandle, RouteListHandle1, &EnumHandle);
	CHECK_U(Status, NO_ERROR);
	unsigned calls = 0, moved = 0, out_of_order = 0;
	if (Status == NO_ERROR) {
		UINT MaxHandles = RegnProfile.MaxHandlesInEnum, NumHandles, i;
		PRTM_ROUTE_HANDLE RouteHandles = calloc(MaxHandles, sizeof(HANDLE));
		REQUIRE(RouteHandles);
		do {
			NumHandles = MaxHandles;
			Status = RtmGetListEnumRoutes(RtmRegHandle, EnumHandle, &NumHandles, RouteHandles);
			CHECK_U(Status, NO_ERROR); /* always, as the sample says */
			calls++;
			for (i = 0; i < NumHandles; i++)
				out_of_order += moved + i >= N || RouteHandles[i] != added[moved + i];
			// Move all these routes to another route list
			Status = RtmInsertInRouteList(RtmRegHandle, RouteListHandle2, NumHandles, RouteHandles);
			CHECK_U(Status, NO_ERROR);
			moved += NumHandles;
			CHECK_U(RtmReleaseRoutes(RtmRegHandle, NumHandles, RouteHandles), NO_ERROR);
		} while (NumHandles == MaxHandles);
		CHECK_U(RtmDeleteEnumHandle(RtmRegHandle, EnumHandle), NO_ERROR);

		/* Every route was moved once, in order; list 1 is empty, list 2
		 * has them all in the same order. */
		CHECK_U(calls, 3);
		CHECK_U(moved, N);
		CHECK_U(out_of_order, 0);
		REQUIRE(RtmCreateRouteListEnum(RtmRegHandle, RouteListHandle1, &EnumHandle) == NO_ERROR);
		NumHandles = MaxHandles;
		CHECK_U(RtmGetListEnumRoutes(RtmRegHandle, EnumHandle, &NumHandles, RouteHandles), NO_ERROR);
		CHECK_U(NumHandles, 0);
		CHECK_U(RtmDeleteEnumHandle(RtmRegHandle, EnumHandle), NO_ERROR);
		REQUIRE(RtmCreateRouteListEnum(RtmRegHandle, RouteListHandle2, &EnumHandle) == NO_ERROR);
		unsigned seen = 0;
		out_of_order = 0;
		do {
			NumHandles = MaxHandles;
			CHECK_U(RtmGetListEnumRoutes(RtmRegHandle, EnumHandle, &NumHandles, RouteHandles),
				NO_ERROR);
			for (i = 0; i < NumHandles; i++)
				out_of_order += seen + i >= N || RouteHandles[i] != added[seen + i];
			seen += NumHandles;
			CHECK_U(RtmReleaseRoutes(RtmRegHandle, NumHandles, RouteHandles), NO_ERROR);
		} while (NumHandles == MaxHandles);
		CHECK_U(seen, N);
		CHECK_U(out_of_order, 0);
		CHECK_U(RtmDeleteEnumHandle(RtmRegHandle, EnumHandle), NO_ERROR);
		free(RouteHandles);
	}

	/* The lists go; the routes stay. */
	Status = RtmDeleteRouteList(RtmRegHandle, RouteListHandle1);
	CHECK_U(Status, NO_ERROR);
	Status = RtmDeleteRouteList(RtmRegHandle, RouteListHandle2);
	CHECK_U(Status, NO_ERROR);
	CHECK_U(rt_stats(RtmRegHandle).routes, N);
	CHECK(rt_best(RtmRegHandle, "10.1.99.0", 24, RTM_VIEW_MASK_UCAST) == added[N - 1]);
	CHECK_U(RtmReleaseNextHops(RtmRegHandle, 1, &nh), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(RtmRegHandle), NO_ERROR);
}

/* ==== The address-macro reference pages ====================================== */

/* 10.10.10.0 and 10.10.10/24, the pages' example. */
static bool is_10_10_10_24(const RTM_NET_ADDRESS *a)
{
	static const UCHAR bits[4] = { 10, 10, 10, 0 };
	return a->AddressFamily == AF_INET && a->NumBits == 24 && memcmp(a->AddrBits, bits, 4) == 0;
}

static void test_rtm_ipv4_make_net_address(void)
{
	RTM_NET_ADDRESS NetAddress;
	memset(&NetAddress, 0xCC, sizeof(NetAddress));
	RTM_IPV4_MAKE_NET_ADDRESS(&NetAddress, smp_ip("10.10.10.0"), 24);
	CHECK(is_10_10_10_24(&NetAddress));
	/* As the samples use it: the next hop's /32, the whole tree's 0/0. */
	RTM_IPV4_MAKE_NET_ADDRESS(&NetAddress, smp_ip("192.0.2.1"), 32);
	CHECK(NetAddress.NumBits == 32 && NetAddress.AddrBits[0] == 192 && NetAddress.AddrBits[3] == 1);
	RTM_IPV4_MAKE_NET_ADDRESS(&NetAddress, 0x00000000, 0);
	CHECK(NetAddress.NumBits == 0 && NetAddress.AddressFamily == AF_INET);
	CHECK(NetAddress.AddrBits[0] == 0 && NetAddress.AddrBits[3] == 0);
}

static void test_rtm_ipv4_set_addr_and_len(void)
{
	RTM_NET_ADDRESS NetAddress;
	memset(&NetAddress, 0xCC, sizeof(NetAddress));
	RTM_IPV4_SET_ADDR_AND_LEN(&NetAddress, smp_ip("10.10.10.0"), 24);
	CHECK(is_10_10_10_24(&NetAddress));
	/* The bytes past the IPv4 address are left as they were. */
	CHECK_U(NetAddress.AddrBits[4], 0xCC);
	CHECK_U(NetAddress.AddrBits[15], 0xCC);
}

static void test_rtm_ipv4_get_addr_and_len(void)
{
	RTM_NET_ADDRESS NetAddress = rt_addr("10.10.10.0", 24);
	ULONG Addr = 0;
	UINT Len = 0;
	RTM_IPV4_GET_ADDR_AND_LEN(Addr, Len, &NetAddress);
	CHECK_U(Addr, smp_ip("10.10.10.0"));
	CHECK_U(Len, 24);
}

static void test_rtm_ipv4_set_addr_and_mask(void)
{
	RTM_NET_ADDRESS NetAddress;
	memset(&NetAddress, 0xCC, sizeof(NetAddress));
	/* The page's example gives the mask 255.255.255.255 for /24: a /24 is
	 * 255.255.255.0, and 255.255.255.255 is /32. */
	RTM_IPV4_SET_ADDR_AND_MASK(&NetAddress, smp_ip("10.10.10.0"), smp_ip("255.255.255.0"));
	CHECK(is_10_10_10_24(&NetAddress));
	RTM_IPV4_SET_ADDR_AND_MASK(&NetAddress, smp_ip("10.10.10.0"), smp_ip("255.255.255.255"));
	CHECK_U(NetAddress.NumBits, 32);
	RTM_IPV4_SET_ADDR_AND_MASK(&NetAddress, 0, 0);
	CHECK_U(NetAddress.NumBits, 0);
	/* One expression: safe under an unbraced if. */
	NetAddress.NumBits = 99;
	if (0)
		RTM_IPV4_SET_ADDR_AND_MASK(&NetAddress, smp_ip("10.0.0.0"), smp_ip("255.0.0.0"));
	CHECK_U(NetAddress.NumBits, 99);
}

static void test_rtm_ipv4_get_addr_and_mask(void)
{
	/* The page's example ("NetAddress 10.10.10.24" gives mask
	 * 255.255.255.255) means 10.10.10/24, whose mask is 255.255.255.0. */
	RTM_NET_ADDRESS NetAddress = rt_addr("10.10.10.0", 24);
	ULONG Addr = 0, Mask = 0;
	RTM_IPV4_GET_ADDR_AND_MASK(Addr, Mask, &NetAddress);
	CHECK_U(Addr, smp_ip("10.10.10.0"));
	CHECK_U(Mask, smp_ip("255.255.255.0"));
	NetAddress.NumBits = 32;
	RTM_IPV4_GET_ADDR_AND_MASK(Addr, Mask, &NetAddress);
	CHECK_U(Mask, smp_ip("255.255.255.255"));
	NetAddress.NumBits = 0;
	RTM_IPV4_GET_ADDR_AND_MASK(Addr, Mask, &NetAddress);
	CHECK_U(Mask, 0);
}

/* The algorithm printed on the RTM_IPV4_LEN_FROM_MASK page, built on
 * RTM_CHECK_NTH_BIT: steps of 16, 8 and 4 bits, then bit by bit. */
static UINT page_len_from_mask(ULONG Mask)
{
	ULONG _Temp_ = ntohl(Mask);
	UINT Len = 0;
	RTM_CHECK_NTH_BIT(_Temp_, 16, Len);
	RTM_CHECK_NTH_BIT(_Temp_, 8, Len);
	RTM_CHECK_NTH_BIT(_Temp_, 4, Len);
	while (_Temp_) {
		Len += 1;
		_Temp_ <<= 1;
	}
	return Len;
}

static void test_rtm_ipv4_len_from_mask(void)
{
	/* The page's example says 255.255.255.255 gives 24: it gives 32, and
	 * 255.255.255.0 gives 24. */
	UINT Len = 99;
	RTM_IPV4_LEN_FROM_MASK(Len, smp_ip("255.255.255.0"));
	CHECK_U(Len, 24);
	RTM_IPV4_LEN_FROM_MASK(Len, smp_ip("255.255.255.255"));
	CHECK_U(Len, 32);
	RTM_IPV4_LEN_FROM_MASK(Len, 0);
	CHECK_U(Len, 0);
	/* Every contiguous mask, through the macro and the page's algorithm. */
	for (UINT len = 0; len <= 32; len++) {
		ULONG mask = len ? htonl(~(ULONG)0 << (32 - len)) : 0;
		RTM_IPV4_LEN_FROM_MASK(Len, mask);
		CHECK_U(Len, len);
		CHECK_U(page_len_from_mask(mask), len);
	}
}

static void test_rtm_check_nth_bit(void)
{
	/* Bit N set: Len grows by N and Value shifts by N; clear: nothing. */
	ULONG v = 0xFFFFFF00u;
	UINT len = 0;
	RTM_CHECK_NTH_BIT(v, 16, len);
	CHECK_U(len, 16);
	CHECK_U(v, 0xFF000000u);
	RTM_CHECK_NTH_BIT(v, 8, len);
	CHECK_U(len, 16);
	CHECK_U(v, 0xFF000000u);
	/* A statement: safe under an unbraced if/else. */
	if (v)
		RTM_CHECK_NTH_BIT(v, 4, len);
	else
		len = 99;
	CHECK_U(len, 16);
}

static void test_rtm_ipv4_mask_from_len(void)
{
	/* The page's example says 24 gives 255.255.255.255: it gives
	 * 255.255.255.0.  Usable inside an expression (the page's definition
	 * ends in a ';'). */
	CHECK_U(RTM_IPV4_MASK_FROM_LEN(24), smp_ip("255.255.255.0"));
	CHECK(RTM_IPV4_MASK_FROM_LEN(32) == smp_ip("255.255.255.255"));
	CHECK_U(RTM_IPV4_MASK_FROM_LEN(0), 0);
	CHECK_U(RTM_IPV4_MASK_FROM_LEN(1), smp_ip("128.0.0.0"));
	/* Back and forth. */
	for (UINT len = 0; len <= 32; len++) {
		UINT back = 99;
		RTM_IPV4_LEN_FROM_MASK(back, RTM_IPV4_MASK_FROM_LEN(len));
		CHECK_U(back, len);
	}
}

int main(void)
{
	RUN_TIMED(test_search_for_the_best_route);
	RUN_TIMED(test_search_for_routes_using_a_prefix_tree);
	RUN_TIMED(test_access_the_opaque_pointer_in_a_destination);
	RUN_TIMED(test_use_a_client_specific_route_list);
	RUN_TIMED(test_rtm_ipv4_make_net_address);
	RUN_TIMED(test_rtm_ipv4_set_addr_and_len);
	RUN_TIMED(test_rtm_ipv4_get_addr_and_len);
	RUN_TIMED(test_rtm_ipv4_set_addr_and_mask);
	RUN_TIMED(test_rtm_ipv4_get_addr_and_mask);
	RUN_TIMED(test_rtm_ipv4_len_from_mask);
	RUN_TIMED(test_rtm_check_nth_bit);
	RUN_TIMED(test_rtm_ipv4_mask_from_len);
	TEST_MAIN_END();
}
