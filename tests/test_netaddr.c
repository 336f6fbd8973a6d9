/*
 * test_netaddr.c — network addresses: the IPv6 helper functions and the
 * RTM_IPV4_* / RTM_IPV6_* macros, the family width limit, and the rule that
 * bits beyond NumBits are ignored (netaddr.c and its users).
 */
#include "rtmtest.h"

static void test_ipv6_helpers_invalid(void)
{
	RTM_NET_ADDRESS na = rt_addr("2001:db8::1", 64);
	IN6_ADDR a;
	DWORD len = 7;
	memset(&a, 0x5A, sizeof(a));
	CHECK_U(RtmConvertNetAddressToIpv6AddressAndLength(NULL, &a, &len, 16), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmConvertNetAddressToIpv6AddressAndLength(&na, NULL, &len, 16), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmConvertNetAddressToIpv6AddressAndLength(&na, &a, NULL, 16), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmConvertNetAddressToIpv6AddressAndLength(&na, &a, &len, 4), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmConvertNetAddressToIpv6AddressAndLength(&na, &a, &len, 0), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmConvertNetAddressToIpv6AddressAndLength(&na, &a, &len, 17), ERROR_INVALID_PARAMETER);
	na.NumBits = 129;
	CHECK_U(RtmConvertNetAddressToIpv6AddressAndLength(&na, &a, &len, 16), ERROR_INVALID_PARAMETER);
	/* Nothing written on failure. */
	CHECK_U(len, 7);
	CHECK_U(a.s6_addr[0], 0x5A);

	IN6_ADDR in;
	inet_pton(AF_INET6, "2001:db8::1", &in);
	RTM_NET_ADDRESS out;
	memset(&out, 0x11, sizeof(out));
	CHECK_U(RtmConvertIpv6AddressAndLengthToNetAddress(NULL, in, 64, 16), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmConvertIpv6AddressAndLengthToNetAddress(&out, in, 129, 16), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmConvertIpv6AddressAndLengthToNetAddress(&out, in, 64, 8), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmConvertIpv6AddressAndLengthToNetAddress(&out, in, 64, 32), ERROR_INVALID_PARAMETER);
	CHECK_U(out.NumBits, 0x1111);
	CHECK_U(out.AddrBits[0], 0x11);
}

static void test_ipv6_round_trip(void)
{
	const char *texts[] = { "::", "2001:db8::", "2001:db8:1:2:3:4:5:6", "fe80::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" };
	DWORD lens[] = { 0, 1, 32, 64, 127, 128 };
	for (unsigned t = 0; t < sizeof(texts) / sizeof(texts[0]); t++)
		for (unsigned l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
			IN6_ADDR in, back;
			inet_pton(AF_INET6, texts[t], &in);
			RTM_NET_ADDRESS na;
			memset(&na, 0xEE, sizeof(na));
			CHECK_U(RTM_IPV6_SET_ADDR_AND_LEN(&na, in, lens[l]), NO_ERROR);
			CHECK_U(na.AddressFamily, AF_INET6);
			CHECK_U(na.NumBits, lens[l]);
			CHECK(memcmp(na.AddrBits, &in, 16) == 0);
			DWORD len = 999;
			memset(&back, 0, sizeof(back));
			CHECK_U(RTM_IPV6_GET_ADDR_AND_LEN(&back, &len, &na), NO_ERROR);
			CHECK_U(len, lens[l]);
			CHECK(memcmp(&back, &in, 16) == 0);
			/* The MAKE macro is the SET macro. */
			RTM_NET_ADDRESS na2;
			memset(&na2, 0xEE, sizeof(na2));
			CHECK_U(RTM_IPV6_MAKE_NET_ADDRESS(&na2, in, lens[l]), NO_ERROR);
			CHECK(memcmp(&na, &na2, sizeof(na)) == 0);
		}
	/* The helper leaves AddressFamily to the macro. */
	RTM_NET_ADDRESS na;
	IN6_ADDR in;
	inet_pton(AF_INET6, "2001:db8::", &in);
	na.AddressFamily = 1234;
	CHECK_U(RtmConvertIpv6AddressAndLengthToNetAddress(&na, in, 32, IPV6_ADDRESS_LEN_IN_BYTES), NO_ERROR);
	CHECK_U(na.AddressFamily, 1234);
	CHECK_U(na.NumBits, 32);
}

static void test_ipv4_macros(void)
{
	RTM_NET_ADDRESS na;
	ULONG addr, mask, got;
	USHORT len = 0;
	inet_pton(AF_INET, "10.10.10.0", &addr);
	memset(&na, 0xAB, sizeof(na));
	RTM_IPV4_MAKE_NET_ADDRESS(&na, addr, 24);
	CHECK_U(na.AddressFamily, AF_INET);
	CHECK_U(na.NumBits, 24);
	CHECK(na.AddrBits[0] == 10 && na.AddrBits[1] == 10 && na.AddrBits[2] == 10 && na.AddrBits[3] == 0);
	CHECK_U(na.AddrBits[4], 0xAB); /* the rest is left alone, as in the SDK */
	RTM_IPV4_GET_ADDR_AND_LEN(got, len, &na);
	CHECK_U(got, addr);
	CHECK_U(len, 24);
	RTM_IPV4_GET_ADDR_AND_MASK(got, mask, &na);
	CHECK_U(got, addr);
	CHECK_U(ntohl(mask), 0xFFFFFF00u);
	for (unsigned l = 0; l <= 32; l++) {
		ULONG m = RTM_IPV4_MASK_FROM_LEN(l);
		CHECK_U(ntohl(m), l ? 0xFFFFFFFFu << (32 - l) : 0);
		RTM_NET_ADDRESS x;
		RTM_IPV4_SET_ADDR_AND_MASK(&x, addr, m);
		CHECK_U(x.NumBits, l);
		CHECK_U(x.AddressFamily, AF_INET);
	}
}

/* NumBits beyond the family's width is a parameter error wherever an address is taken. */
static void test_width_limit(void)
{
	RTM_ENTITY_HANDLE e4 = rt_register(AF_INET, 1), e6 = rt_register(AF_INET6, 1);
	REQUIRE(e4 && e6);
	RTM_NEXTHOP_HANDLE nh4 = rt_nexthop(e4, "10.0.0.1", 1), nh6 = rt_nexthop(e6, "2001:db8::1", 1);
	rt_route_buf rb;
	rt_dest_buf db;
	DWORD fl;
	struct {
		RTM_ENTITY_HANDLE e;
		RTM_NEXTHOP_HANDLE nh;
		RTM_NET_ADDRESS bad[4];
	} cases[2] = {
		{ e4, nh4, { rt_addr("10.0.0.0", 33), rt_addr("10.0.0.0", 128), rt_addr("2001:db8::", 32),
			     rt_addr("10.0.0.0", 0xFFFF) } },
		{ e6, nh6, { rt_addr("2001:db8::", 129), rt_addr("2001:db8::", 200), rt_addr("10.0.0.0", 8),
			     rt_addr("2001:db8::", 0xFFFF) } },
	};
	for (unsigned c = 0; c < 2; c++)
		for (unsigned i = 0; i < 4; i++) {
			RTM_ENTITY_HANDLE e = cases[c].e;
			RTM_NET_ADDRESS *a = &cases[c].bad[i];
			rt_route_fill(&rb.info, 1, 1, 1, cases[c].nh, NULL);
			fl = 0;
			CHECK_U(RtmAddRouteToDest(e, NULL, a, &rb.info, INFINITE, NULL, 0, NULL, &fl),
				ERROR_INVALID_PARAMETER);
			CHECK_U(RtmGetExactMatchDestination(e, a, 0, 1, &db.info), ERROR_INVALID_PARAMETER);
			CHECK_U(RtmGetMostSpecificDestination(e, a, 0, 1, &db.info), ERROR_INVALID_PARAMETER);
			CHECK_U(RtmGetExactMatchRoute(e, a, RTM_MATCH_NONE, &rb.info, 0, 0, NULL),
				ERROR_INVALID_PARAMETER);
			RTM_NEXTHOP_INFO ni;
			memset(&ni, 0, sizeof(ni));
			ni.NextHopAddress = *a;
			RTM_NEXTHOP_CHANGE_FLAGS nfl;
			CHECK_U(RtmAddNextHop(e, &ni, NULL, &nfl), ERROR_INVALID_PARAMETER);
			CHECK_U(RtmFindNextHop(e, &ni, NULL, NULL), ERROR_INVALID_PARAMETER);
			CHECK_U(RtmDeleteNextHop(e, NULL, &ni), ERROR_INVALID_PARAMETER);
		}
	/* NULL addresses too. */
	rt_route_fill(&rb.info, 1, 1, 1, nh4, NULL);
	fl = 0;
	CHECK_U(RtmAddRouteToDest(e4, NULL, NULL, &rb.info, INFINITE, NULL, 0, NULL, &fl), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetExactMatchDestination(e4, NULL, 0, 1, &db.info), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetMostSpecificDestination(e4, NULL, 0, 1, &db.info), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetExactMatchRoute(e4, NULL, RTM_MATCH_NONE, &rb.info, 0, 0, NULL), ERROR_INVALID_PARAMETER);
	/* The full widths are fine. */
	CHECK_U(rt_add_route(e4, "10.1.2.3", 32, 1, 1, 1, nh4, NULL, NULL, NULL), NO_ERROR);
	CHECK_U(rt_add_route(e6, "2001:db8::5", 128, 1, 1, 1, nh6, NULL, NULL, NULL), NO_ERROR);
	CHECK_U(rt_stats(e4).routes, 1);
	CHECK_U(rt_stats(e6).routes, 1);
	RtmReleaseNextHops(e4, 1, &nh4);
	RtmReleaseNextHops(e6, 1, &nh6);
	RtmDeregisterEntity(e4);
	RtmDeregisterEntity(e6);
}

/* Bits beyond NumBits are ignored: 10.1.2.3/8 names 10.0.0.0/8. */
static void test_host_bits_ignored(void)
{
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, 1);
	REQUIRE(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "10.0.0.1", 1);
	RTM_ROUTE_HANDLE r1, r2;
	DWORD fl;
	CHECK_U(rt_add_route(e, "10.1.2.3", 8, 5, 5, 1, nh, NULL, &r1, &fl), NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	/* Another spelling of the same prefix updates the same route. */
	CHECK_U(rt_add_route(e, "10.200.0.77", 8, 5, 6, 1, nh, NULL, &r2, &fl), NO_ERROR);
	CHECK(r2 == r1);
	CHECK_U(fl & RTM_ROUTE_CHANGE_NEW, 0);
	rtm_stats s = rt_stats(e);
	CHECK_U(s.dests, 1);
	CHECK_U(s.routes, 1);
	/* DestInfo reports the prefix with the host bits cleared. */
	rt_dest_buf db;
	RTM_NET_ADDRESS q = rt_addr("10.99.99.99", 8);
	CHECK_U(RtmGetExactMatchDestination(e, &q, 0, 1, &db.info), NO_ERROR);
	RTM_NET_ADDRESS want = rt_addr("10.0.0.0", 8);
	CHECK(rt_addr_eq(&db.info.DestAddress, &want));
	CHECK_U(db.info.DestAddress.AddrBits[4], 0);
	RtmReleaseDestInfo(e, &db.info);
	/* So does RtmGetRouteInfo's DestAddress. */
	RTM_NET_ADDRESS ra;
	memset(&ra, 0xFF, sizeof(ra));
	CHECK_U(RtmGetRouteInfo(e, r1, NULL, &ra), NO_ERROR);
	CHECK(rt_addr_eq(&ra, &want));
	/* Longest match with host bits in the query looks the address up. */
	q = rt_addr("10.5.6.7", 32);
	CHECK_U(RtmGetMostSpecificDestination(e, &q, 0, 1, &db.info), NO_ERROR);
	CHECK(rt_addr_eq(&db.info.DestAddress, &want));
	RtmReleaseDestInfo(e, &db.info);
	/* A route handle with another spelling of its prefix is accepted. */
	rt_route_buf rb;
	rt_route_fill(&rb.info, 5, 7, 1, nh, NULL);
	q = rt_addr("10.255.255.255", 8);
	fl = 0;
	CHECK_U(RtmAddRouteToDest(e, &r1, &q, &rb.info, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);
	/* /0 ignores every bit. */
	CHECK_U(rt_add_route(e, "192.168.1.1", 0, 9, 9, 1, nh, NULL, NULL, NULL), NO_ERROR);
	q = rt_addr("0.0.0.0", 0);
	CHECK_U(RtmGetExactMatchDestination(e, &q, 0, 1, &db.info), NO_ERROR);
	CHECK(rt_addr_eq(&db.info.DestAddress, &q));
	RtmReleaseDestInfo(e, &db.info);
	RTM_ROUTE_HANDLE rs[2] = { r1, r2 };
	RtmReleaseRoutes(e, 2, rs);
	RtmReleaseNextHops(e, 1, &nh);
	RtmDeregisterEntity(e);
}

static void test_host_bits_ipv6(void)
{
	RTM_ENTITY_HANDLE e = rt_register(AF_INET6, 1);
	REQUIRE(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "fe80::1", 1);
	CHECK_U(rt_add_route(e, "2001:db8:ffff::1", 33, 1, 1, 1, nh, NULL, NULL, NULL), NO_ERROR);
	rt_dest_buf db;
	RTM_NET_ADDRESS q = rt_addr("2001:db8:8000::", 33);
	CHECK_U(RtmGetExactMatchDestination(e, &q, 0, 1, &db.info), NO_ERROR);
	CHECK(rt_addr_eq(&db.info.DestAddress, &q));
	RtmReleaseDestInfo(e, &db.info);
	q = rt_addr("2001:db8::", 33);
	CHECK_U(RtmGetExactMatchDestination(e, &q, 0, 1, &db.info), ERROR_NOT_FOUND);
	RtmReleaseNextHops(e, 1, &nh);
	RtmDeregisterEntity(e);
}

int main(void)
{
	RUN(test_ipv6_helpers_invalid);
	RUN(test_ipv6_round_trip);
	RUN(test_ipv4_macros);
	RUN(test_width_limit);
	RUN(test_host_bits_ignored);
	RUN(test_host_bits_ipv6);
	TEST_MAIN_END();
}
