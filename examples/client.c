/*
 * client.c — the smallest useful rtmv2 client: register, add a next hop and
 * a route, look an address up, clean up.
 *
 *   cc client.c $(pkg-config --cflags --libs rtmv2) -o client && ./client
 *
 * <routprot.h> (installed with rtmv2, on pkg-config's include path) gives
 * the protocol ids, as on Windows.
 */
#include <routprot.h>
#include <rtmv2.h>
#include <stdio.h>
#include <string.h>

static DWORD WINAPI on_event(RTM_ENTITY_HANDLE self, RTM_EVENT_TYPE type, PVOID ctx1, PVOID ctx2)
{
	(void)self, (void)type, (void)ctx1, (void)ctx2;
	return NO_ERROR;
}

int main(void)
{
	RTM_ENTITY_INFO me = { 0 };
	me.RtmInstanceId = 0;
	me.AddressFamily = AF_INET;
	me.EntityId.EntityProtocolId = PROTO_IP_RIP;
	me.EntityId.EntityInstanceId = PROTOCOL_ID(PROTO_TYPE_UCAST, PROTO_VENDOR_MS0, PROTO_IP_RIP);
	RTM_REGN_PROFILE profile;
	RTM_ENTITY_HANDLE rtm;
	DWORD rc = RtmRegisterEntity(&me, NULL, on_event, FALSE, &profile, &rtm);
	if (rc != NO_ERROR) {
		fprintf(stderr, "RtmRegisterEntity: %u\n", rc);
		return 1;
	}

	RTM_NEXTHOP_INFO nhi = { 0 };
	RTM_IPV4_MAKE_NET_ADDRESS(&nhi.NextHopAddress, inet_addr("192.0.2.1"), 32);
	nhi.InterfaceIndex = 1;
	RTM_NEXTHOP_HANDLE nh = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS nhflags;
	rc = RtmAddNextHop(rtm, &nhi, &nh, &nhflags);

	/* Route infos are variable-sized: room for the profile's next hops,
	 * in a union so that the buffer is aligned for the structure. */
	union {
		RTM_ROUTE_INFO info;
		char bytes[RTM_SIZE_OF_ROUTE_INFO(8)];
	} buf;
	PRTM_ROUTE_INFO route = &buf.info;
	memset(&buf, 0, sizeof(buf));
	route->PrefInfo.Preference = 120;
	route->PrefInfo.Metric = 2;
	route->BelongsToViews = RTM_VIEW_MASK_UCAST;
	route->NextHopsList.NumNextHops = 1;
	route->NextHopsList.NextHops[0] = nh;
	RTM_NET_ADDRESS dest;
	RTM_IPV4_MAKE_NET_ADDRESS(&dest, inet_addr("198.51.100.0"), 24);
	RTM_ROUTE_CHANGE_FLAGS flags = 0;
	if (rc == NO_ERROR)
		rc = RtmAddRouteToDest(rtm, NULL, &dest, route, INFINITE, NULL, 0, NULL, &flags);

	RTM_DEST_INFO info;
	RTM_NET_ADDRESS addr;
	RTM_IPV4_MAKE_NET_ADDRESS(&addr, inet_addr("198.51.100.7"), 32);
	if (rc == NO_ERROR)
		rc = RtmGetMostSpecificDestination(rtm, &addr, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &info);
	if (rc == NO_ERROR) {
		ULONG a;
		UINT len;
		RTM_IPV4_GET_ADDR_AND_LEN(a, len, &info.DestAddress);
		struct in_addr in = { a };
		printf("198.51.100.7 -> %s/%u, %u route(s)\n", inet_ntoa(in), len, info.ViewInfo[0].NumRoutes);
		RtmReleaseDestInfo(rtm, &info);
	}
	if (nh)
		RtmReleaseNextHops(rtm, 1, &nh);
	DWORD dr = RtmDeregisterEntity(rtm);
	if (rc != NO_ERROR || dr != NO_ERROR) {
		fprintf(stderr, "failed: %u %u\n", rc, dr);
		return 1;
	}
	return 0;
}
