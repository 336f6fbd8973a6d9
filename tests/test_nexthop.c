/*
 * test_nexthop.c — next hops (nexthop.c): add and update, find, delete by
 * handle and by information, information and pointers, locks, IPv6, and
 * what deregistration and routes do to them.
 */
#include "rtmtest.h"

static RTM_NEXTHOP_INFO nh_info(const char *addr, unsigned len, ULONG ifindex)
{
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress = rt_addr(addr, len);
	ni.InterfaceIndex = ifindex;
	return ni;
}

static void test_add_invalid(void)
{
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, 1), other = rt_register(AF_INET, 2);
	REQUIRE(e && other);
	RTM_NEXTHOP_INFO ni = nh_info("10.0.0.1", 32, 1);
	RTM_NEXTHOP_HANDLE h = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS fl = 77;
	CHECK_U(RtmAddNextHop(NULL, &ni, &h, &fl), ERROR_INVALID_HANDLE);
	CHECK_U(RtmAddNextHop((RTM_ENTITY_HANDLE)0x31337, &ni, &h, &fl), ERROR_INVALID_HANDLE);
	CHECK_U(RtmAddNextHop(e, NULL, &h, &fl), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmAddNextHop(e, &ni, &h, NULL), ERROR_INVALID_PARAMETER);
	/* Address of another family, or longer than the family's width. */
	RTM_NEXTHOP_INFO v6 = nh_info("2001:db8::1", 128, 1);
	CHECK_U(RtmAddNextHop(e, &v6, &h, &fl), ERROR_INVALID_PARAMETER);
	ni.NextHopAddress.NumBits = 33;
	CHECK_U(RtmAddNextHop(e, &ni, &h, &fl), ERROR_INVALID_PARAMETER);
	ni.NextHopAddress.NumBits = 32;
	/* A handle that names nothing. */
	h = (RTM_NEXTHOP_HANDLE)0x12345;
	CHECK_U(RtmAddNextHop(e, &ni, &h, &fl), ERROR_INVALID_HANDLE);
	CHECK(h == (RTM_NEXTHOP_HANDLE)0x12345);
	CHECK_U(fl, 77);
	CHECK_U(rt_stats(e).next_hops, 0);
	RtmDeregisterEntity(e);
	RtmDeregisterEntity(other);
}

static void test_add_new_and_existing(void)
{
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, 1);
	REQUIRE(e);
	RTM_NEXTHOP_INFO ni = nh_info("10.0.0.1", 32, 3);
	/* NextHopOwner and State are the RTM's, whatever the caller passes. */
	ni.NextHopOwner = (RTM_ENTITY_HANDLE)0xdead;
	ni.State = 9;
	ni.Flags = RTM_NEXTHOP_FLAGS_REMOTE;
	ni.EntitySpecificInfo = (PVOID)0x1111;
	RTM_NEXTHOP_HANDLE h1 = NULL, h2 = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS fl = 99;
	CHECK_U(RtmAddNextHop(e, &ni, &h1, &fl), NO_ERROR);
	CHECK_U(fl, RTM_NEXTHOP_CHANGE_NEW);
	REQUIRE(h1 != NULL);
	/* The same next hop again: updated, the same handle. */
	ni.EntitySpecificInfo = (PVOID)0x2222;
	CHECK_U(RtmAddNextHop(e, &ni, &h2, &fl), NO_ERROR);
	CHECK_U(fl, 0);
	CHECK(h2 == h1);
	/* Without a handle wanted. */
	ni.Flags = 0;
	CHECK_U(RtmAddNextHop(e, &ni, NULL, &fl), NO_ERROR);
	CHECK_U(fl, 0);
	CHECK_U(rt_stats(e).next_hops, 1);

	RTM_NEXTHOP_INFO got;
	CHECK_U(RtmGetNextHopInfo(e, h1, &got), NO_ERROR);
	CHECK(rt_addr_eq(&got.NextHopAddress, &ni.NextHopAddress));
	CHECK(got.NextHopOwner == e);
	CHECK_U(got.InterfaceIndex, 3);
	CHECK_U(got.State, RTM_NEXTHOP_STATE_CREATED);
	CHECK_U(got.Flags, 0);
	CHECK(got.EntitySpecificInfo == (PVOID)0x2222);
	CHECK(got.RemoteNextHop == NULL);
	CHECK_U(RtmReleaseNextHopInfo(e, &got), NO_ERROR);

	/* Another interface is another next hop; host bits beyond NumBits are not. */
	RTM_NEXTHOP_INFO other_if = nh_info("10.0.0.1", 32, 4);
	RTM_NEXTHOP_HANDLE h3 = NULL;
	CHECK_U(RtmAddNextHop(e, &other_if, &h3, &fl), NO_ERROR);
	CHECK_U(fl, RTM_NEXTHOP_CHANGE_NEW);
	CHECK(h3 != h1);
	RTM_NEXTHOP_INFO net1 = nh_info("10.9.0.7", 16, 1), net2 = nh_info("10.9.200.1", 16, 1);
	RTM_NEXTHOP_HANDLE h4 = NULL, h5 = NULL;
	CHECK_U(RtmAddNextHop(e, &net1, &h4, &fl), NO_ERROR);
	CHECK_U(fl, RTM_NEXTHOP_CHANGE_NEW);
	CHECK_U(RtmAddNextHop(e, &net2, &h5, &fl), NO_ERROR);
	CHECK_U(fl, 0);
	CHECK(h4 == h5);
	CHECK_U(RtmGetNextHopInfo(e, h4, &got), NO_ERROR);
	RTM_NET_ADDRESS want = rt_addr("10.9.0.0", 16);
	CHECK(rt_addr_eq(&got.NextHopAddress, &want));
	RtmReleaseNextHopInfo(e, &got);
	CHECK_U(rt_stats(e).next_hops, 3);

	RTM_NEXTHOP_HANDLE all[5] = { h1, h2, h3, h4, h5 };
	CHECK_U(RtmReleaseNextHops(e, 5, all), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
}

static void test_update_by_handle(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
	REQUIRE(a && b);
	RTM_NEXTHOP_HANDLE h = rt_nexthop(a, "10.0.0.1", 1);
	RTM_NEXTHOP_HANDLE keep = h;
	/* By handle: the handle names the next hop; the info's address is not used. */
	RTM_NEXTHOP_INFO upd = nh_info("10.7.7.7", 32, 9);
	upd.Flags = RTM_NEXTHOP_FLAGS_DOWN;
	upd.EntitySpecificInfo = (PVOID)0x5;
	RTM_NEXTHOP_CHANGE_FLAGS fl = 99;
	CHECK_U(RtmAddNextHop(a, &upd, &h, &fl), NO_ERROR);
	CHECK_U(fl, 0);
	CHECK(h == keep);
	RTM_NEXTHOP_INFO got;
	CHECK_U(RtmGetNextHopInfo(a, h, &got), NO_ERROR);
	RTM_NET_ADDRESS want = rt_addr("10.0.0.1", 32);
	CHECK(rt_addr_eq(&got.NextHopAddress, &want));
	CHECK_U(got.InterfaceIndex, 1);
	CHECK_U(got.Flags, RTM_NEXTHOP_FLAGS_DOWN);
	CHECK(got.EntitySpecificInfo == (PVOID)0x5);
	RtmReleaseNextHopInfo(a, &got);
	CHECK_U(rt_stats(a).next_hops, 1);

	/* Only the owner writes. */
	upd.EntitySpecificInfo = (PVOID)0x6;
	fl = 99;
	CHECK_U(RtmAddNextHop(b, &upd, &h, &fl), ERROR_ACCESS_DENIED);
	CHECK_U(fl, 99);
	CHECK_U(RtmGetNextHopInfo(b, h, &got), NO_ERROR); /* anyone reads */
	CHECK(got.EntitySpecificInfo == (PVOID)0x5);
	CHECK(got.NextHopOwner == a);
	RtmReleaseNextHopInfo(b, &got);
	CHECK_U(RtmReleaseNextHops(a, 1, &h), NO_ERROR);
	RtmDeregisterEntity(a);
	RtmDeregisterEntity(b);
}

static void test_find(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
	REQUIRE(a && b);
	RTM_NEXTHOP_HANDLE h = rt_nexthop(a, "10.0.0.1", 1);
	RTM_NEXTHOP_INFO key = nh_info("10.0.0.1", 32, 1);
	RTM_NEXTHOP_HANDLE found = NULL;
	PRTM_NEXTHOP_INFO ptr = NULL;
	CHECK_U(RtmFindNextHop(a, NULL, &found, &ptr), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmFindNextHop(NULL, &key, &found, &ptr), ERROR_INVALID_HANDLE);
	RTM_NEXTHOP_INFO bad = nh_info("2001:db8::1", 128, 1);
	CHECK_U(RtmFindNextHop(a, &bad, &found, &ptr), ERROR_INVALID_PARAMETER);

	CHECK_U(RtmFindNextHop(a, &key, &found, &ptr), NO_ERROR);
	CHECK(found == h);
	REQUIRE(ptr != NULL);
	CHECK(rt_addr_eq(&ptr->NextHopAddress, &key.NextHopAddress));
	CHECK(ptr->NextHopOwner == a);
	CHECK_U(ptr->InterfaceIndex, 1);
	/* The same record as RtmGetNextHopPointer's. */
	PRTM_NEXTHOP_INFO ptr2 = NULL;
	CHECK_U(RtmGetNextHopPointer(a, h, &ptr2), NO_ERROR);
	CHECK(ptr2 == ptr);
	/* Only the status. */
	CHECK_U(RtmFindNextHop(a, &key, NULL, NULL), NO_ERROR);
	/* Another interface: not found. */
	RTM_NEXTHOP_INFO if2 = nh_info("10.0.0.1", 32, 2);
	found = (RTM_NEXTHOP_HANDLE)0x1;
	CHECK_U(RtmFindNextHop(a, &if2, &found, NULL), ERROR_NOT_FOUND);
	CHECK(found == (RTM_NEXTHOP_HANDLE)0x1);
	RTM_NEXTHOP_INFO none = nh_info("10.0.0.9", 32, 1);
	CHECK_U(RtmFindNextHop(a, &none, &found, NULL), ERROR_NOT_FOUND);
	/* Someone else's: access denied, nothing returned. */
	ptr2 = NULL;
	CHECK_U(RtmFindNextHop(b, &key, &found, &ptr2), ERROR_ACCESS_DENIED);
	CHECK(found == (RTM_NEXTHOP_HANDLE)0x1 && ptr2 == NULL);
	/* The handle from Find is referenced. */
	RTM_NEXTHOP_HANDLE f2 = NULL;
	CHECK_U(RtmFindNextHop(a, &key, &f2, NULL), NO_ERROR);
	RTM_NEXTHOP_HANDLE both[3] = { h, f2, h };
	CHECK_U(RtmReleaseNextHops(a, 2, both), NO_ERROR);
	/* One reference (from the first Find) is left. */
	CHECK_U(RtmReleaseNextHops(a, 1, &both[2]), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(a, 1, &both[2]), ERROR_INVALID_HANDLE);
	/* The next hop itself stays in a's list. */
	CHECK_U(RtmFindNextHop(a, &key, NULL, NULL), NO_ERROR);
	RtmDeregisterEntity(a);
	RtmDeregisterEntity(b);
}

static void test_delete(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
	REQUIRE(a && b);
	RTM_NEXTHOP_HANDLE h1 = rt_nexthop(a, "10.0.0.1", 1);
	RTM_NEXTHOP_HANDLE h2 = rt_nexthop(a, "10.0.0.2", 1);
	RTM_NEXTHOP_INFO k2 = nh_info("10.0.0.2", 32, 1);
	CHECK_U(RtmDeleteNextHop(a, NULL, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmDeleteNextHop(NULL, h1, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteNextHop(a, (RTM_NEXTHOP_HANDLE)0x999, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteNextHop(b, h1, NULL), ERROR_ACCESS_DENIED);
	CHECK_U(RtmDeleteNextHop(b, NULL, &k2), ERROR_NOT_FOUND); /* not in b's list */
	RTM_NEXTHOP_INFO k9 = nh_info("10.0.0.9", 32, 1);
	CHECK_U(RtmDeleteNextHop(a, NULL, &k9), ERROR_NOT_FOUND);
	RTM_NEXTHOP_INFO kbad = nh_info("10.0.0.9", 40, 1);
	CHECK_U(RtmDeleteNextHop(a, NULL, &kbad), ERROR_INVALID_PARAMETER);
	CHECK_U(rt_stats(a).next_hops, 2);

	/* By handle: the handle is consumed and the next hop is gone. */
	CHECK_U(RtmDeleteNextHop(a, h1, NULL), NO_ERROR);
	CHECK_U(rt_stats(a).next_hops, 1);
	RTM_NEXTHOP_INFO got;
	CHECK_U(RtmGetNextHopInfo(a, h1, &got), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseNextHops(a, 1, &h1), ERROR_INVALID_HANDLE);
	RTM_NEXTHOP_INFO k1 = nh_info("10.0.0.1", 32, 1);
	CHECK_U(RtmFindNextHop(a, &k1, NULL, NULL), ERROR_NOT_FOUND);

	/* By information: the next hop leaves the list; the handle a still
	 * holds reads it as deleted until released. */
	CHECK_U(RtmDeleteNextHop(a, NULL, &k2), NO_ERROR);
	CHECK_U(RtmFindNextHop(a, &k2, NULL, NULL), ERROR_NOT_FOUND);
	CHECK_U(RtmGetNextHopInfo(a, h2, &got), NO_ERROR);
	CHECK_U(got.State, RTM_NEXTHOP_STATE_DELETED);
	CHECK(rt_addr_eq(&got.NextHopAddress, &k2.NextHopAddress));
	RtmReleaseNextHopInfo(a, &got);
	/* A deleted next hop cannot be deleted again, nor used by a route. */
	RTM_NEXTHOP_HANDLE extra = h2;
	CHECK_U(RtmReferenceHandles(a, 1, &extra), NO_ERROR);
	CHECK_U(RtmDeleteNextHop(a, h2, NULL), ERROR_NOT_FOUND);
	CHECK_U(rt_add_route(a, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, h2, NULL, NULL, NULL),
		ERROR_INVALID_HANDLE);
	CHECK_U(rt_stats(a).routes, 0);
	/* Adding the same address again makes a new next hop. */
	RTM_NEXTHOP_HANDLE h2b = rt_nexthop(a, "10.0.0.2", 1);
	CHECK(h2b != h2);
	CHECK_U(rt_stats(a).next_hops, 2);
	CHECK_U(RtmReleaseNextHops(a, 1, &h2), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(a, 1, &extra), NO_ERROR);
	CHECK_U(rt_stats(a).next_hops, 1);
	CHECK_U(RtmGetNextHopInfo(a, h2, &got), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseNextHops(a, 1, &h2b), NO_ERROR);
	RtmDeregisterEntity(a);
	RtmDeregisterEntity(b);
}

static void test_deleted_but_used_by_route(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1);
	REQUIRE(a);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(a, "10.0.0.1", 1);
	RTM_ROUTE_HANDLE r;
	REQUIRE(rt_add_route(a, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, nh, NULL, &r, NULL) == NO_ERROR);
	CHECK_U(RtmReleaseNextHops(a, 1, &nh), NO_ERROR);
	RTM_NEXTHOP_INFO k = nh_info("10.0.0.1", 32, 1);
	CHECK_U(RtmDeleteNextHop(a, NULL, &k), NO_ERROR);
	/* Still there for the route: listed in its information, readable, deleted. */
	CHECK_U(rt_stats(a).next_hops, 1);
	rt_route_buf rb;
	REQUIRE(rt_route_info(a, r, &rb) == NO_ERROR);
	CHECK_U(rb.info.NextHopsList.NumNextHops, 1);
	CHECK(rb.info.NextHopsList.NextHops[0] == nh);
	RTM_NEXTHOP_INFO got;
	CHECK_U(RtmGetNextHopInfo(a, nh, &got), NO_ERROR);
	CHECK_U(got.State, RTM_NEXTHOP_STATE_DELETED);
	CHECK_U(got.InterfaceIndex, 1);
	RtmReleaseNextHopInfo(a, &got);
	CHECK_U(RtmReleaseRouteInfo(a, &rb.info), NO_ERROR);
	/* Gone once the route no longer names it. */
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(a, r, &fl), NO_ERROR);
	CHECK_U(rt_stats(a).next_hops, 0);
	CHECK_U(RtmGetNextHopInfo(a, nh, &got), ERROR_INVALID_HANDLE);
	RtmDeregisterEntity(a);
}

static void test_info_and_release(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
	REQUIRE(a && b);
	RTM_NEXTHOP_INFO ni = nh_info("192.0.2.77", 32, 12);
	ni.Flags = RTM_NEXTHOP_FLAGS_REMOTE;
	ni.RemoteNextHop = (RTM_DEST_HANDLE)0x4321; /* replaced: the RTM resolves it */
	RTM_NEXTHOP_HANDLE h = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS fl;
	REQUIRE(RtmAddNextHop(a, &ni, &h, &fl) == NO_ERROR);
	RTM_NEXTHOP_INFO got;
	CHECK_U(RtmGetNextHopInfo(a, h, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetNextHopInfo(a, NULL, &got), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetNextHopInfo(NULL, h, &got), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetNextHopInfo(b, h, &got), NO_ERROR);
	CHECK(rt_addr_eq(&got.NextHopAddress, &ni.NextHopAddress));
	CHECK(got.NextHopOwner == a);
	CHECK_U(got.InterfaceIndex, 12);
	CHECK_U(got.State, RTM_NEXTHOP_STATE_CREATED);
	CHECK_U(got.Flags, RTM_NEXTHOP_FLAGS_REMOTE);
	CHECK(got.RemoteNextHop == NULL); /* no route covers 192.0.2.77 */
	CHECK_U(RtmReleaseNextHopInfo(b, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmReleaseNextHopInfo(NULL, &got), ERROR_INVALID_HANDLE);
	RTM_NEXTHOP_INFO garbage = got;
	garbage.NextHopOwner = (RTM_ENTITY_HANDLE)0x777;
	CHECK_U(RtmReleaseNextHopInfo(b, &garbage), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseNextHopInfo(b, &got), NO_ERROR);
	/* The owner reference it held is gone: a second release fails. */
	CHECK_U(RtmReleaseNextHopInfo(b, &got), ERROR_INVALID_HANDLE);
	/* The info keeps the owner's handle valid after it deregisters. */
	CHECK_U(RtmGetNextHopInfo(b, h, &got), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(a, 1, &h), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
	RTM_ENTITY_INFO ei;
	CHECK_U(RtmGetEntityInfo(b, got.NextHopOwner, &ei), NO_ERROR);
	CHECK_U(ei.EntityId.EntityProtocolId, 1);
	CHECK_U(RtmReleaseNextHopInfo(b, &got), NO_ERROR);
	CHECK_U(RtmGetEntityInfo(b, got.NextHopOwner, &ei), ERROR_INVALID_HANDLE);
	RtmDeregisterEntity(b);
}

static void test_pointer(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
	REQUIRE(a && b);
	RTM_NEXTHOP_HANDLE h = rt_nexthop(a, "10.0.0.1", 5);
	PRTM_NEXTHOP_INFO p = NULL;
	CHECK_U(RtmGetNextHopPointer(a, h, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetNextHopPointer(a, (RTM_NEXTHOP_HANDLE)0x4444, &p), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetNextHopPointer(b, h, &p), ERROR_ACCESS_DENIED);
	CHECK(p == NULL);
	CHECK_U(RtmGetNextHopPointer(a, h, &p), NO_ERROR);
	REQUIRE(p != NULL);
	CHECK_U(p->InterfaceIndex, 5);
	CHECK(p->NextHopOwner == a);
	/* The pointer shows later updates. */
	RTM_NEXTHOP_INFO upd = nh_info("10.0.0.1", 32, 5);
	upd.EntitySpecificInfo = (PVOID)0x99;
	RTM_NEXTHOP_CHANGE_FLAGS fl;
	CHECK_U(RtmAddNextHop(a, &upd, NULL, &fl), NO_ERROR);
	CHECK(p->EntitySpecificInfo == (PVOID)0x99);
	CHECK_U(RtmReleaseNextHops(a, 1, &h), NO_ERROR);
	RtmDeregisterEntity(a);
	RtmDeregisterEntity(b);
}

static void test_lock(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
	REQUIRE(a && b);
	RTM_NEXTHOP_HANDLE h = rt_nexthop(a, "10.0.0.1", 1);
	PRTM_NEXTHOP_INFO p = NULL;
	CHECK_U(RtmLockNextHop(a, (RTM_NEXTHOP_HANDLE)0x5, TRUE, TRUE, &p), ERROR_INVALID_HANDLE);
	CHECK_U(RtmLockNextHop(NULL, h, TRUE, TRUE, &p), ERROR_INVALID_HANDLE);
	/* Unlocking what is not locked is an error. */
	CHECK_U(RtmLockNextHop(a, h, TRUE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmLockNextHop(a, h, FALSE, FALSE, NULL), ERROR_INVALID_PARAMETER);

	/* Lock, edit in place, unlock: the change is visible. */
	CHECK_U(RtmLockNextHop(a, h, TRUE, TRUE, &p), NO_ERROR);
	REQUIRE(p != NULL);
	p->EntitySpecificInfo = (PVOID)0xabc;
	p->Flags = RTM_NEXTHOP_FLAGS_REMOTE;
	CHECK_U(RtmLockNextHop(a, h, TRUE, FALSE, NULL), NO_ERROR);
	CHECK_U(RtmLockNextHop(a, h, TRUE, FALSE, NULL), ERROR_INVALID_PARAMETER);
	RTM_NEXTHOP_INFO got;
	CHECK_U(RtmGetNextHopInfo(b, h, &got), NO_ERROR);
	CHECK(got.EntitySpecificInfo == (PVOID)0xabc);
	CHECK_U(got.Flags, RTM_NEXTHOP_FLAGS_REMOTE);
	RtmReleaseNextHopInfo(b, &got);

	/* Shared locks nest; exclusive while shared would deadlock: refused. */
	CHECK_U(RtmLockNextHop(a, h, FALSE, TRUE, NULL), NO_ERROR);
	CHECK_U(RtmLockNextHop(a, h, FALSE, TRUE, NULL), NO_ERROR);
	CHECK_U(RtmLockNextHop(a, h, TRUE, TRUE, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmLockNextHop(a, h, FALSE, FALSE, NULL), NO_ERROR);
	CHECK_U(RtmLockNextHop(a, h, FALSE, FALSE, NULL), NO_ERROR);
	CHECK_U(RtmLockNextHop(a, h, FALSE, FALSE, NULL), ERROR_INVALID_PARAMETER);

	/* Another entity may lock it but gets no pointer. */
	p = NULL;
	CHECK_U(RtmLockNextHop(b, h, TRUE, TRUE, &p), NO_ERROR);
	CHECK(p == NULL);
	CHECK_U(RtmLockNextHop(b, h, TRUE, FALSE, NULL), NO_ERROR);

	/* A deleted next hop: not found. */
	RTM_NEXTHOP_HANDLE extra = h;
	CHECK_U(RtmReferenceHandles(a, 1, &extra), NO_ERROR);
	CHECK_U(RtmDeleteNextHop(a, h, NULL), NO_ERROR);
	CHECK_U(RtmLockNextHop(a, extra, TRUE, TRUE, &p), ERROR_NOT_FOUND);
	CHECK_U(RtmReleaseNextHops(a, 1, &extra), NO_ERROR);
	CHECK_U(RtmLockNextHop(a, extra, TRUE, TRUE, &p), ERROR_INVALID_HANDLE);
	RtmDeregisterEntity(a);
	RtmDeregisterEntity(b);
}

static void test_ipv6(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET6, 1), b = rt_register(AF_INET6, 2);
	REQUIRE(a && b);
	RTM_NEXTHOP_INFO ni = nh_info("2001:db8::1", 128, 2);
	RTM_NEXTHOP_HANDLE h = NULL, h2 = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS fl;
	RTM_NEXTHOP_INFO v4 = nh_info("10.0.0.1", 32, 2);
	CHECK_U(RtmAddNextHop(a, &v4, &h, &fl), ERROR_INVALID_PARAMETER);
	RTM_NEXTHOP_INFO too_long = ni;
	too_long.NextHopAddress.NumBits = 129;
	CHECK_U(RtmAddNextHop(a, &too_long, &h, &fl), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmAddNextHop(a, &ni, &h, &fl), NO_ERROR);
	CHECK_U(fl, RTM_NEXTHOP_CHANGE_NEW);
	CHECK_U(RtmAddNextHop(a, &ni, &h2, &fl), NO_ERROR);
	CHECK_U(fl, 0);
	CHECK(h == h2);
	/* Addresses that differ only in the last bit are different next hops. */
	RTM_NEXTHOP_INFO ni2 = nh_info("2001:db8::", 128, 2);
	RTM_NEXTHOP_HANDLE h3 = NULL;
	CHECK_U(RtmAddNextHop(a, &ni2, &h3, &fl), NO_ERROR);
	CHECK_U(fl, RTM_NEXTHOP_CHANGE_NEW);
	CHECK(h3 != h);
	RTM_NEXTHOP_HANDLE f = NULL;
	CHECK_U(RtmFindNextHop(a, &ni, &f, NULL), NO_ERROR);
	CHECK(f == h);
	CHECK_U(RtmFindNextHop(b, &ni, NULL, NULL), ERROR_ACCESS_DENIED);
	RTM_NEXTHOP_INFO got;
	CHECK_U(RtmGetNextHopInfo(b, h, &got), NO_ERROR);
	CHECK(rt_addr_eq(&got.NextHopAddress, &ni.NextHopAddress));
	CHECK_U(got.NextHopAddress.AddressFamily, AF_INET6);
	RtmReleaseNextHopInfo(b, &got);
	RTM_NEXTHOP_HANDLE all[4] = { h, h2, h3, f };
	CHECK_U(RtmReleaseNextHops(a, 4, all), NO_ERROR);
	CHECK_U(RtmDeleteNextHop(a, NULL, &ni), NO_ERROR);
	CHECK_U(rt_stats(a).next_hops, 1);
	RtmDeregisterEntity(a);
	RtmDeregisterEntity(b);
}

static void test_many_sorted(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1);
	REQUIRE(a);
	enum { N = 300 };
	RTM_NEXTHOP_HANDLE hs[N];
	unsigned order[N];
	for (unsigned i = 0; i < N; i++)
		order[i] = i;
	srand(7);
	for (unsigned i = N - 1; i > 0; i--) {
		unsigned j = (unsigned)rand() % (i + 1), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (unsigned k = 0; k < N; k++) {
		unsigned i = order[k];
		char text[32];
		snprintf(text, sizeof(text), "10.%u.%u.1", i / 7, i % 7);
		hs[i] = rt_nexthop(a, text, i % 3);
	}
	CHECK_U(rt_stats(a).next_hops, N);
	for (unsigned i = 0; i < N; i++) {
		char text[32];
		snprintf(text, sizeof(text), "10.%u.%u.1", i / 7, i % 7);
		RTM_NEXTHOP_INFO k = nh_info(text, 32, i % 3);
		PRTM_NEXTHOP_INFO p = NULL;
		CHECK_U(RtmFindNextHop(a, &k, NULL, &p), NO_ERROR);
		CHECK(p && p->InterfaceIndex == i % 3 && rt_addr_eq(&p->NextHopAddress, &k.NextHopAddress));
		k.InterfaceIndex = 3;
		CHECK_U(RtmFindNextHop(a, &k, NULL, NULL), ERROR_NOT_FOUND);
	}
	/* Delete every other one by information, then check the rest. */
	for (unsigned i = 0; i < N; i += 2) {
		char text[32];
		snprintf(text, sizeof(text), "10.%u.%u.1", i / 7, i % 7);
		RTM_NEXTHOP_INFO k = nh_info(text, 32, i % 3);
		CHECK_U(RtmDeleteNextHop(a, NULL, &k), NO_ERROR);
	}
	CHECK_U(RtmReleaseNextHops(a, N, hs), NO_ERROR);
	CHECK_U(rt_stats(a).next_hops, N / 2);
	for (unsigned i = 0; i < N; i++) {
		char text[32];
		snprintf(text, sizeof(text), "10.%u.%u.1", i / 7, i % 7);
		RTM_NEXTHOP_INFO k = nh_info(text, 32, i % 3);
		CHECK_U(RtmFindNextHop(a, &k, NULL, NULL), i % 2 ? NO_ERROR : ERROR_NOT_FOUND);
	}
	RtmDeregisterEntity(a);
}

static void test_deregistration_frees(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
	REQUIRE(a && b);
	RTM_NEXTHOP_HANDLE hs[10];
	for (unsigned i = 0; i < 10; i++) {
		char text[32];
		snprintf(text, sizeof(text), "10.0.0.%u", i + 1);
		hs[i] = rt_nexthop(a, text, 1);
	}
	RTM_NEXTHOP_HANDLE mine = rt_nexthop(b, "10.0.0.1", 1);
	CHECK_U(RtmReleaseNextHops(a, 10, hs), NO_ERROR);
	rtm_stats before = rt_stats(b);
	CHECK_U(before.next_hops, 11);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
	rtm_stats after = rt_stats(b);
	CHECK_U(after.next_hops, 1);
	CHECK_U(after.handles, before.handles - 10);
	RTM_NEXTHOP_INFO got;
	CHECK_U(RtmGetNextHopInfo(b, hs[0], &got), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetNextHopInfo(b, mine, &got), NO_ERROR);
	RtmReleaseNextHopInfo(b, &got);
	RtmReleaseNextHops(b, 1, &mine);
	RtmDeregisterEntity(b);
}

/* A remote next hop is resolved through the table: RemoteNextHop names the
 * longest-prefix destination (with a unicast route) covering its address, a
 * referenced handle in RtmGetNextHopInfo; adding it again refreshes it. */
static void test_remote_resolution(void)
{
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, 14);
	REQUIRE(e != NULL);
	RTM_NEXTHOP_HANDLE direct = rt_nexthop(e, "192.0.2.1", 1);
	CHECK_U(rt_add_route(e, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, direct, NULL, NULL, NULL),
		NO_ERROR);

	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress = rt_addr("10.1.2.3", 32);
	ni.Flags = RTM_NEXTHOP_FLAGS_REMOTE;
	ni.RemoteNextHop = (RTM_DEST_HANDLE)0x1234; /* replaced by the RTM */
	RTM_NEXTHOP_HANDLE remote = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS fl = 0;
	CHECK_U(RtmAddNextHop(e, &ni, &remote, &fl), NO_ERROR);
	CHECK_U(fl, RTM_NEXTHOP_CHANGE_NEW);

	RTM_NEXTHOP_INFO out;
	CHECK_U(RtmGetNextHopInfo(e, remote, &out), NO_ERROR);
	REQUIRE(out.RemoteNextHop != NULL);
	RTM_DEST_INFO di;
	CHECK_U(RtmGetDestInfo(e, out.RemoteNextHop, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di), NO_ERROR);
	RTM_NET_ADDRESS want = rt_addr("10.0.0.0", 8);
	CHECK(rt_addr_eq(&di.DestAddress, &want));
	CHECK_U(RtmReleaseDestInfo(e, &di), NO_ERROR);
	CHECK_U(RtmReleaseNextHopInfo(e, &out), NO_ERROR);
	/* The RemoteNextHop reference went with the info: a second release fails. */
	CHECK_U(RtmReleaseNextHopInfo(e, &out), ERROR_INVALID_HANDLE);

	/* A more specific route appears: adding the next hop again refreshes it. */
	CHECK_U(rt_add_route(e, "10.1.0.0", 16, 10, 1, RTM_VIEW_MASK_UCAST, direct, NULL, NULL, NULL),
		NO_ERROR);
	CHECK_U(RtmAddNextHop(e, &ni, NULL, &fl), NO_ERROR);
	CHECK_U(fl, 0);
	CHECK_U(RtmGetNextHopInfo(e, remote, &out), NO_ERROR);
	REQUIRE(out.RemoteNextHop != NULL);
	CHECK_U(RtmGetDestInfo(e, out.RemoteNextHop, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di), NO_ERROR);
	want = rt_addr("10.1.0.0", 16);
	CHECK(rt_addr_eq(&di.DestAddress, &want));
	CHECK_U(RtmReleaseDestInfo(e, &di), NO_ERROR);
	CHECK_U(RtmReleaseNextHopInfo(e, &out), NO_ERROR);

	/* Not remote, or nothing covers it: no RemoteNextHop. */
	ni.Flags = 0;
	CHECK_U(RtmAddNextHop(e, &ni, NULL, &fl), NO_ERROR);
	CHECK_U(RtmGetNextHopInfo(e, remote, &out), NO_ERROR);
	CHECK(out.RemoteNextHop == NULL);
	CHECK_U(RtmReleaseNextHopInfo(e, &out), NO_ERROR);
	ni.NextHopAddress = rt_addr("172.16.0.1", 32);
	ni.Flags = RTM_NEXTHOP_FLAGS_REMOTE;
	RTM_NEXTHOP_HANDLE unresolved = NULL;
	CHECK_U(RtmAddNextHop(e, &ni, &unresolved, &fl), NO_ERROR);
	CHECK_U(RtmGetNextHopInfo(e, unresolved, &out), NO_ERROR);
	CHECK(out.RemoteNextHop == NULL);
	CHECK_U(RtmReleaseNextHopInfo(e, &out), NO_ERROR);

	RTM_NEXTHOP_HANDLE hs[3] = { direct, remote, unresolved };
	CHECK_U(RtmReleaseNextHops(e, 3, hs), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
}

int main(void)
{
	RUN(test_add_invalid);
	RUN(test_add_new_and_existing);
	RUN(test_update_by_handle);
	RUN(test_find);
	RUN(test_delete);
	RUN(test_deleted_but_used_by_route);
	RUN(test_info_and_release);
	RUN(test_pointer);
	RUN(test_lock);
	RUN(test_ipv6);
	RUN(test_many_sorted);
	RUN(test_deregistration_frees);
	RUN(test_remote_resolution);
	TEST_MAIN_END();
}
