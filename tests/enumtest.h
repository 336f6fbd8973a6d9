/*
 * enumtest.h — helpers shared by test_enum_dests.c and test_enum_routes.c:
 * entities, routes, prefixes as text, and enumeration handles created with a
 * check.
 */
#ifndef RTM_ENUMTEST_H
#define RTM_ENUMTEST_H

#include "rtmtest.h"

static const HANDLE GARBAGE __attribute__((unused)) = (HANDLE)(uintptr_t)0xdeadbeefcafe0005ull;

static inline RTM_ENTITY_HANDLE reg(ULONG proto, RTM_REGN_PROFILE *profile)
{
	RTM_ENTITY_HANDLE h = NULL;
	CHECK_U(rt_register_ex(0, AF_INET, proto, 1, NULL, FALSE, NULL, &h, profile), NO_ERROR);
	return h;
}

static inline DWORD add(RTM_ENTITY_HANDLE e, const char *dest, unsigned len, ULONG pref,
			ULONG metric, RTM_VIEW_SET views, RTM_NEXTHOP_HANDLE nh,
			RTM_NEXTHOP_HANDLE neighbour, RTM_ROUTE_HANDLE *out)
{
	return rt_add_route(e, dest, len, pref, metric, views, nh, neighbour, out, NULL);
}

static inline bool addr_is(const RTM_NET_ADDRESS *a, const char *text, unsigned len)
{
	RTM_NET_ADDRESS b = rt_addr(text, len);
	return rt_addr_eq(a, &b);
}

/* Prefixes as "a.b.c.d/len" strings, for readable comparisons. */
static inline void fmt(const RTM_NET_ADDRESS *a, char *buf, size_t size)
{
	char text[48];
	inet_ntop(a->AddressFamily, a->AddrBits, text, sizeof(text));
	snprintf(buf, size, "%s/%u", text, a->NumBits);
}

static inline RTM_ENUM_HANDLE dest_enum(RTM_ENTITY_HANDLE e, RTM_VIEW_SET views,
					RTM_ENUM_FLAGS flags, const char *addr, unsigned len,
					ULONG proto)
{
	RTM_NET_ADDRESS a;
	if (addr)
		a = rt_addr(addr, len);
	RTM_ENUM_HANDLE h = NULL;
	CHECK_U(RtmCreateDestEnum(e, views, flags, addr ? &a : NULL, proto, &h), NO_ERROR);
	return h;
}

static inline RTM_ENUM_HANDLE route_enum(RTM_ENTITY_HANDLE e, RTM_DEST_HANDLE d, RTM_VIEW_SET views,
					 RTM_ENUM_FLAGS flags, const char *start, unsigned len,
					 RTM_MATCH_FLAGS match, PRTM_ROUTE_INFO crit, ULONG ifindex)
{
	RTM_NET_ADDRESS a;
	if (start)
		a = rt_addr(start, len);
	RTM_ENUM_HANDLE h = NULL;
	CHECK_U(RtmCreateRouteEnum(e, d, views, flags, start ? &a : NULL, match, crit, ifindex, &h),
		NO_ERROR);
	return h;
}

#endif
