/*
 * test_samples2.c — Microsoft's RTMv2 sample programs as tests, part 2: the
 * event callback, the hold-down state, enumerating all destinations and all
 * routes.  Part 1 (test_samples.c) and part 3 (test_samples3.c) have the
 * others; samples.h says how they are written.
 *
 * The expiry in the callback sample runs on the RTM's timer thread: what
 * the callback records is kept under a mutex (the test is run under TSan).
 */
#include "samples.h"

#include <stdio.h>

/* ==== Use the Event Notification Callback ==================================== */

/* The sample's METRIC_UNREACHABLE is not defined by rtmv2.h (nor the SDK's
 * RtmV2.h); RIP's infinity. */
#define SMP_METRIC_UNREACHABLE 16

#define EV_MAX_DESTS 16

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	RTM_REGN_PROFILE RegnProfile;
	unsigned registered, deregistered, others;
	RTM_ENTITY_HANDLE reg_handle, dereg_handle;
	RTM_ENTITY_INFO reg_info, dereg_info;
	unsigned notifications, bad_status, bad_view, max_batch;
	PVOID notify_ctx;
	/* Last state reported per destination. */
	unsigned n_dests;
	struct {
		RTM_NET_ADDRESS addr;
		RTM_ROUTE_HANDLE best;
		UINT num_routes;
		ULONG metric;
		unsigned reports;
	} dests[EV_MAX_DESTS];
	unsigned expired;
	RTM_ROUTE_HANDLE expired_route;
	bool ctx2_is_route_pointer;
	DWORD lock_rc, update_rc, release_rc;
} ev = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

static void ev_record_dest(const RTM_NET_ADDRESS *a, RTM_ROUTE_HANDLE best, UINT num, ULONG metric)
{
	unsigned i;
	for (i = 0; i < ev.n_dests; i++)
		if (rt_addr_eq(&ev.dests[i].addr, a))
			break;
	if (i == EV_MAX_DESTS)
		return;
	if (i == ev.n_dests) {
		ev.n_dests++;
		ev.dests[i].addr = *a;
	}
	ev.dests[i].best = best;
	ev.dests[i].num_routes = num;
	ev.dests[i].metric = metric;
	ev.dests[i].reports++;
}

/* The sample's callback, case by case; the API is never called with ev.mu
 * held (a call may deliver another event on this thread). */
static DWORD WINAPI EntityEventCallback(RTM_ENTITY_HANDLE RtmRegHandle, RTM_EVENT_TYPE EventType,
					PVOID Context1, PVOID Context2)
{
	RTM_ENTITY_HANDLE EntityHandle;
	PRTM_ENTITY_INFO EntityInfo;
	RTM_NOTIFY_HANDLE NotifyHandle;
	PRTM_DEST_INFO DestInfos, DestInfo;
	size_t DestInfoSize;
	UINT NumDests, NumViews, i, MaxHandles;
	RTM_ROUTE_HANDLE RouteHandle, NewBestRoute;
	PRTM_ROUTE_INFO RoutePointer;
	RTM_ROUTE_CHANGE_FLAGS ChangeFlags;
	DWORD Status = ERROR_NOT_SUPPORTED;

	switch (EventType) {
	case RTM_ENTITY_REGISTERED:
	case RTM_ENTITY_DEREGISTERED:
		EntityHandle = (RTM_ENTITY_HANDLE)Context1;
		EntityInfo = (PRTM_ENTITY_INFO)Context2;
		pthread_mutex_lock(&ev.mu);
		if (EventType == RTM_ENTITY_REGISTERED) {
			ev.registered++;
			ev.reg_handle = EntityHandle;
			ev.reg_info = *EntityInfo;
		} else {
			ev.deregistered++;
			ev.dereg_handle = EntityHandle;
			ev.dereg_info = *EntityInfo;
		}
		pthread_mutex_unlock(&ev.mu);
		Status = NO_ERROR;
		break;

	case RTM_CHANGE_NOTIFICATION:
		NotifyHandle = (RTM_NOTIFY_HANDLE)Context1;
		MaxHandles = ev.RegnProfile.MaxHandlesInEnum;
		NumViews = ev.RegnProfile.NumberOfViews;
		DestInfoSize = RTM_SIZE_OF_DEST_INFO(NumViews);
		DestInfos = malloc(DestInfoSize * MaxHandles);
		if (!DestInfos)
			abort();
		pthread_mutex_lock(&ev.mu);
		ev.notifications++;
		ev.notify_ctx = Context2;
		pthread_mutex_unlock(&ev.mu);
		do {
			NumDests = MaxHandles;
			Status = RtmGetChangedDests(RtmRegHandle, NotifyHandle, &NumDests, DestInfos);
			bool status_ok = Status == NO_ERROR || Status == ERROR_NO_MORE_ITEMS;
			DestInfo = DestInfos;
			for (i = 0; i < NumDests; i++) {
				bool view_ok = DestInfo->NumberOfViews == NumViews &&
					       DestInfo->ViewInfo[0].ViewId == RTM_VIEW_ID_UCAST;
				NewBestRoute = DestInfo->ViewInfo[0].Route;
				ULONG metric = ~0u;
				rt_route_buf ri;
				if (NewBestRoute && rt_route_info(RtmRegHandle, NewBestRoute, &ri) == NO_ERROR) {
					metric = ri.info.PrefInfo.Metric;
					RtmReleaseRouteInfo(RtmRegHandle, &ri.info);
				}
				pthread_mutex_lock(&ev.mu);
				ev.bad_view += !view_ok;
				ev_record_dest(&DestInfo->DestAddress, NewBestRoute,
					       DestInfo->ViewInfo[0].NumRoutes, metric);
				pthread_mutex_unlock(&ev.mu);
				DestInfo = smp_dest_at(DestInfo, 1, DestInfoSize);
			}
			DWORD rel = RtmReleaseChangedDests(RtmRegHandle, NotifyHandle, NumDests, DestInfos);
			pthread_mutex_lock(&ev.mu);
			ev.bad_status += !status_ok || rel != NO_ERROR;
			if (NumDests > ev.max_batch)
				ev.max_batch = NumDests;
			pthread_mutex_unlock(&ev.mu);
		} while (NumDests > 0);
		free(DestInfos);
		Status = NO_ERROR;
		break;

	case RTM_ROUTE_EXPIRED: {
		RouteHandle = (RTM_ROUTE_HANDLE)Context1;
		RoutePointer = (PRTM_ROUTE_INFO)Context2;
		PRTM_ROUTE_INFO owners = NULL;
		bool same = RtmGetRoutePointer(RtmRegHandle, RouteHandle, &owners) == NO_ERROR &&
			    owners == RoutePointer;
		DWORD update = ERROR_NOT_SUPPORTED;
		/* Keep the route, unreachable. */
		Status = RtmLockRoute(RtmRegHandle, RouteHandle, TRUE, TRUE, NULL);
		DWORD lock = Status;
		if (Status == NO_ERROR) {
			RoutePointer->PrefInfo.Metric = SMP_METRIC_UNREACHABLE;
			Status = RtmUpdateAndUnlockRoute(RtmRegHandle, RouteHandle, INFINITE, NULL, 0, NULL,
							 &ChangeFlags);
			update = Status;
		}
		/* Not ERROR_NOT_SUPPORTED: the handle is ours to release. */
		DWORD rel = RtmReleaseRoutes(RtmRegHandle, 1, &RouteHandle);
		pthread_mutex_lock(&ev.mu);
		ev.expired++;
		ev.expired_route = RouteHandle;
		ev.ctx2_is_route_pointer = same;
		ev.lock_rc = lock;
		ev.update_rc = update;
		ev.release_rc = rel;
		pthread_cond_broadcast(&ev.cv);
		pthread_mutex_unlock(&ev.mu);
		Status = NO_ERROR;
		break;
	}

	default:
		pthread_mutex_lock(&ev.mu);
		ev.others++;
		pthread_mutex_unlock(&ev.mu);
		break;
	}
	return Status;
}

/* The last report for a destination (copied under the lock). */
static bool ev_dest(const char *text, unsigned len, RTM_ROUTE_HANDLE *best, UINT *num, ULONG *metric,
		    unsigned *reports)
{
	RTM_NET_ADDRESS a = rt_addr(text, len);
	bool found = false;
	pthread_mutex_lock(&ev.mu);
	for (unsigned i = 0; i < ev.n_dests; i++) {
		if (!rt_addr_eq(&ev.dests[i].addr, &a))
			continue;
		*best = ev.dests[i].best;
		*num = ev.dests[i].num_routes;
		*metric = ev.dests[i].metric;
		*reports = ev.dests[i].reports;
		found = true;
	}
	pthread_mutex_unlock(&ev.mu);
	return found;
}

static void test_use_the_event_notification_callback(void)
{
	RTM_ENTITY_HANDLE rip = NULL;
	RTM_ENTITY_INFO info = smp_entity_info(PROTO_IP_RIP, 1);
	REQUIRE(RtmRegisterEntity(&info, NULL, EntityEventCallback, FALSE, &ev.RegnProfile, &rip) ==
		NO_ERROR);
	/* Best-route changes in every view, so that the callback's stride
	 * (RegnProfile.NumberOfViews) is the entries' (one per view of the
	 * registration), and ViewInfo[0] is the unicast view. */
	RTM_NOTIFY_HANDLE notify = NULL;
	REQUIRE(RtmRegisterForChangeNotification(rip, ev.RegnProfile.ViewsSupported, RTM_CHANGE_TYPE_BEST,
						 (PVOID)0x5A, &notify) == NO_ERROR);

	/* RTM_ENTITY_REGISTERED: Context1 the newcomer, Context2 its information. */
	RTM_ENTITY_HANDLE ospf = NULL;
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_OSPF, 7, NULL, FALSE, NULL, &ospf, NULL) == NO_ERROR);
	pthread_mutex_lock(&ev.mu);
	CHECK_U(ev.registered, 1);
	CHECK(ev.reg_handle == ospf);
	CHECK_U(ev.reg_info.EntityId.EntityProtocolId, PROTO_IP_OSPF);
	CHECK_U(ev.reg_info.EntityId.EntityInstanceId, 7);
	pthread_mutex_unlock(&ev.mu);

	/* RTM_CHANGE_NOTIFICATION: OSPF's routes, drained by the callback. */
	static const char *const dests[3] = { "10.1.0.0", "10.2.0.0", "10.3.0.0" };
	RTM_NEXTHOP_HANDLE onh = rt_nexthop(ospf, "198.51.100.1", 1);
	RTM_ROUTE_HANDLE oroute[3];
	for (int i = 0; i < 3; i++)
		CHECK_U(rt_add_route(ospf, dests[i], 16, 110, 20 + i, RTM_VIEW_MASK_UCAST, onh, NULL,
				     &oroute[i], NULL), NO_ERROR);
	RTM_ROUTE_HANDLE best;
	UINT num;
	ULONG metric;
	unsigned reports;
	for (int i = 0; i < 3; i++) {
		REQUIRE(ev_dest(dests[i], 16, &best, &num, &metric, &reports));
		CHECK(best == oroute[i]);
		CHECK_U(num, 1);
		CHECK_U(metric, 20 + i);
	}
	pthread_mutex_lock(&ev.mu);
	CHECK_U(ev.notifications, 3);
	CHECK(ev.notify_ctx == (PVOID)0x5A);
	pthread_mutex_unlock(&ev.mu);

	/* RTM_ROUTE_EXPIRED: RIP's own route times out; the callback keeps it
	 * with the unreachable metric, written through Context2. */
	RTM_NEXTHOP_HANDLE rnh = rt_nexthop(rip, "192.0.2.1", 2);
	RTM_NET_ADDRESS a = rt_addr("10.9.0.0", 16);
	rt_route_buf rb;
	rt_route_fill(&rb.info, 120, 2, RTM_VIEW_MASK_UCAST, rnh, NULL);
	RTM_ROUTE_HANDLE rroute = NULL;
	RTM_ROUTE_CHANGE_FLAGS fl = 0;
	CHECK_U(RtmAddRouteToDest(rip, &rroute, &a, &rb.info, 200, NULL, 0, NULL, &fl), NO_ERROR);
	REQUIRE(ev_dest("10.9.0.0", 16, &best, &num, &metric, &reports));
	CHECK(best == rroute);
	CHECK_U(metric, 2);
	pthread_mutex_lock(&ev.mu);
	while (ev.expired == 0 && rt_cond_wait_ms(&ev.cv, &ev.mu, 10000) == 0)
		;
	unsigned expired = ev.expired;
	bool same = ev.ctx2_is_route_pointer;
	RTM_ROUTE_HANDLE expired_route = ev.expired_route;
	DWORD lock_rc = ev.lock_rc, update_rc = ev.update_rc, release_rc = ev.release_rc;
	pthread_mutex_unlock(&ev.mu);
	CHECK_U(expired, 1);
	CHECK(expired_route == rroute);
	CHECK(same); /* Context2 is the route's own information, RtmGetRoutePointer's */
	CHECK_U(lock_rc, NO_ERROR);
	CHECK_U(update_rc, NO_ERROR);
	CHECK_U(release_rc, NO_ERROR);
	/* The edit is committed: the route stays, unreachable, and the change
	 * was reported; it no longer expires. */
	rt_route_buf ri;
	REQUIRE(rt_route_info(rip, rroute, &ri) == NO_ERROR);
	CHECK_U(ri.info.State, RTM_ROUTE_STATE_CREATED);
	CHECK_U(ri.info.PrefInfo.Metric, SMP_METRIC_UNREACHABLE);
	RtmReleaseRouteInfo(rip, &ri.info);
	REQUIRE(ev_dest("10.9.0.0", 16, &best, &num, &metric, &reports));
	CHECK(best == rroute);
	CHECK_U(metric, SMP_METRIC_UNREACHABLE);
	CHECK_U(reports, 2);
	if (update_rc == NO_ERROR) {
		/* ... and unlocked (a lock still held by the timer thread would
		 * hang here, and the test would time out). */
		CHECK_U(RtmLockRoute(rip, rroute, TRUE, TRUE, NULL), NO_ERROR);
		CHECK_U(RtmLockRoute(rip, rroute, TRUE, FALSE, NULL), NO_ERROR);
	}
	rt_sleep_ms(400);
	pthread_mutex_lock(&ev.mu);
	CHECK_U(ev.expired, 1);
	pthread_mutex_unlock(&ev.mu);
	CHECK_U(rt_stats(rip).pending_timers, 0);

	/* RTM_ENTITY_DEREGISTERED, and the three destinations OSPF's routes
	 * leave, reported without routes. */
	CHECK_U(RtmReleaseNextHops(ospf, 1, &onh), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(ospf, 3, oroute), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(ospf), NO_ERROR);
	pthread_mutex_lock(&ev.mu);
	CHECK_U(ev.deregistered, 1);
	CHECK(ev.dereg_handle == ospf);
	CHECK_U(ev.dereg_info.EntityId.EntityProtocolId, PROTO_IP_OSPF);
	CHECK_U(ev.dereg_info.EntityId.EntityInstanceId, 7);
	CHECK_U(ev.max_batch, 3); /* one batch, entries RTM_SIZE_OF_DEST_INFO(2) apart */
	pthread_mutex_unlock(&ev.mu);
	for (int i = 0; i < 3; i++) {
		REQUIRE(ev_dest(dests[i], 16, &best, &num, &metric, &reports));
		CHECK(best == NULL);
		CHECK_U(num, 0);
		CHECK_U(reports, 2);
	}

	pthread_mutex_lock(&ev.mu);
	CHECK_U(ev.bad_status, 0);
	CHECK_U(ev.bad_view, 0);
	CHECK_U(ev.others, 0);
	CHECK_U(ev.n_dests, 4);
	pthread_mutex_unlock(&ev.mu);

	CHECK_U(RtmDeregisterFromChangeNotification(rip, notify), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(rip, rroute, NULL), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(rip, 1, &rnh), NO_ERROR);
	rtm_stats s = rt_stats(rip);
	CHECK_U(s.routes, 0);
	CHECK_U(s.dests, 0);
	CHECK_U(RtmDeregisterEntity(rip), NO_ERROR);
}

/* ==== Use the Route Hold-Down State ========================================== */

/* Adds the caller's unicast route to prefix/len (no handle kept). */
static void add_simple(RTM_ENTITY_HANDLE e, const char *dest, unsigned len, ULONG pref, ULONG metric,
		       RTM_VIEW_SET views, RTM_NEXTHOP_HANDLE nh, RTM_ROUTE_HANDLE *out)
{
	CHECK_U(rt_add_route(e, dest, len, pref, metric, views, nh, NULL, out, NULL), NO_ERROR);
}

static void test_use_the_route_hold_down_state(void)
{
	RTM_ENTITY_HANDLE RtmRegHandle = NULL;
	RTM_REGN_PROFILE RegnProfile;
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_RIP, 1, NULL, FALSE, NULL, &RtmRegHandle,
			       &RegnProfile) == NO_ERROR);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(RtmRegHandle, "192.0.2.1", 1);
	/* 150 destinations (two batches) and 172.16/16, the one held. */
	char text[32];
	for (int i = 0; i < 150; i++) {
		snprintf(text, sizeof(text), "10.%d.0.0", i);
		add_simple(RtmRegHandle, text, 16, 120, 1, RTM_VIEW_MASK_UCAST, nh, NULL);
	}
	RTM_ROUTE_HANDLE held = NULL;
	add_simple(RtmRegHandle, "172.16.0.0", 16, 120, 1, RTM_VIEW_MASK_UCAST, nh, &held);
	/* The destination's handle, from its (kept) information. */
	rt_dest_buf kept;
	RTM_NET_ADDRESS want = rt_addr("172.16.0.0", 16);
	REQUIRE(RtmGetExactMatchDestination(RtmRegHandle, &want, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST,
					    &kept.info) == NO_ERROR);
	RTM_DEST_HANDLE DestHandle = kept.info.DestHandle;

	// Mark the destination for hold down in Unicast view
	DWORD Status = RtmHoldDestination(RtmRegHandle, DestHandle, RTM_VIEW_MASK_UCAST, 30 * 1000);
	CHECK_U(Status, NO_ERROR);
	/* Its last route goes: it becomes the view's HoldRoute. */
	CHECK_U(RtmDeleteRouteToDest(RtmRegHandle, held, NULL), NO_ERROR);

	/* Every destination, even those with only a hold-down route: views
	 * RTM_VIEW_MASK_ANY, so the entries have no ViewInfo (NumViews 0). */
	UINT MaxHandles = RegnProfile.MaxHandlesInEnum, NumViews = 0, NumInfos, i;
	PRTM_DEST_INFO DestInfos = calloc(MaxHandles, RTM_SIZE_OF_DEST_INFO(NumViews));
	size_t DestInfoSize = RTM_SIZE_OF_DEST_INFO(NumViews);
	REQUIRE(DestInfos);
	RTM_NET_ADDRESS NetAddress;
	RTM_IPV4_MAKE_NET_ADDRESS(&NetAddress, 0x00000000, 0);
	RTM_ENUM_HANDLE EnumHandle = NULL;
	Status = RtmCreateDestEnum(RtmRegHandle, RTM_VIEW_MASK_ANY, RTM_ENUM_RANGE, &NetAddress,
				   RTM_BEST_PROTOCOL, &EnumHandle);
	CHECK_U(Status, NO_ERROR);
	unsigned total = 0, with_hold = 0, with_best = 0, batches = 0, bad = 0;
	if (Status == NO_ERROR) {
		do {
			NumInfos = MaxHandles;
			Status = RtmGetEnumDests(RtmRegHandle, EnumHandle, &NumInfos, DestInfos);
			batches += NumInfos > 0;
			for (i = 0; i < NumInfos; i++) {
				PRTM_DEST_INFO DestInfo = smp_dest_at(DestInfos, i, DestInfoSize);
				bad += DestInfo->NumberOfViews != 0;
				total++;
				/* The unicast view's information. */
				rt_dest_buf DestInfoActual;
				Status = RtmGetDestInfo(RtmRegHandle, DestInfo->DestHandle, RTM_BEST_PROTOCOL,
							RTM_VIEW_MASK_UCAST, &DestInfoActual.info);
				if (Status == NO_ERROR) {
					RTM_ROUTE_HANDLE HoldRoute = DestInfoActual.info.ViewInfo[0].HoldRoute;
					RTM_ROUTE_HANDLE BestRoute = DestInfoActual.info.ViewInfo[0].Route;
					if (HoldRoute) {
						with_hold++;
						CHECK(HoldRoute == held);
						CHECK(BestRoute == NULL);
						CHECK(rt_addr_eq(&DestInfo->DestAddress, &want));
						CHECK(DestInfo->DestHandle == DestHandle);
						rt_route_buf hr;
						CHECK_U(rt_route_info(RtmRegHandle, HoldRoute, &hr), NO_ERROR);
						CHECK_U(hr.info.State, RTM_ROUTE_STATE_DELETED);
						RtmReleaseRouteInfo(RtmRegHandle, &hr.info);
					}
					with_best += BestRoute != NULL;
					CHECK_U(RtmReleaseDestInfo(RtmRegHandle, &DestInfoActual.info), NO_ERROR);
				}
			}
			CHECK_U(RtmReleaseDests(RtmRegHandle, NumInfos, DestInfos), NO_ERROR);
		} while (Status == NO_ERROR);
		CHECK_U(Status, ERROR_NO_MORE_ITEMS);
		CHECK_U(RtmDeleteEnumHandle(RtmRegHandle, EnumHandle), NO_ERROR);
	}
	CHECK_U(total, 151);
	CHECK_U(with_hold, 1);
	CHECK_U(with_best, 150);
	CHECK_U(batches, 2);
	CHECK_U(bad, 0);
	free(DestInfos);

	/* In a view, the held destination has no route: not enumerated. */
	NumViews = 1;
	DestInfos = calloc(MaxHandles, RTM_SIZE_OF_DEST_INFO(NumViews));
	REQUIRE(DestInfos);
	REQUIRE(RtmCreateDestEnum(RtmRegHandle, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL,
				  RTM_BEST_PROTOCOL, &EnumHandle) == NO_ERROR);
	total = 0;
	do {
		NumInfos = MaxHandles;
		Status = RtmGetEnumDests(RtmRegHandle, EnumHandle, &NumInfos, DestInfos);
		for (i = 0; i < NumInfos; i++)
			CHECK(!rt_addr_eq(&smp_dest_at(DestInfos, i, RTM_SIZE_OF_DEST_INFO(1))->DestAddress,
					  &want));
		total += NumInfos;
		CHECK_U(RtmReleaseDests(RtmRegHandle, NumInfos, DestInfos), NO_ERROR);
	} while (Status == NO_ERROR);
	CHECK_U(total, 150);
	CHECK_U(RtmDeleteEnumHandle(RtmRegHandle, EnumHandle), NO_ERROR);
	free(DestInfos);

	CHECK_U(RtmReleaseNextHops(RtmRegHandle, 1, &nh), NO_ERROR);
	/* Still held: the hold time (30 s) has not run out. */
	rt_dest_buf db;
	CHECK_U(RtmGetDestInfo(RtmRegHandle, DestHandle, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &db.info),
		NO_ERROR);
	CHECK(db.info.ViewInfo[0].HoldRoute == held);
	CHECK_U(RtmReleaseDestInfo(RtmRegHandle, &db.info), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(RtmRegHandle, &kept.info), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(RtmRegHandle), NO_ERROR);
}

/* ==== Enumerate All Destinations ============================================= */

/* a before b in the prefix tree's order (IPv4; shorter prefix first on ties). */
static bool before(const RTM_NET_ADDRESS *a, const RTM_NET_ADDRESS *b)
{
	int c = memcmp(a->AddrBits, b->AddrBits, 4);
	return c < 0 || (c == 0 && a->NumBits < b->NumBits);
}

static void test_enumerate_all_destinations(void)
{
	RTM_ENTITY_HANDLE RtmRegHandle = NULL, ospf = NULL;
	RTM_REGN_PROFILE RegnProfile;
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_RIP, 1, NULL, FALSE, NULL, &RtmRegHandle,
			       &RegnProfile) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_OSPF, 1, NULL, FALSE, NULL, &ospf, NULL) == NO_ERROR);
	RTM_NEXTHOP_HANDLE rnh = rt_nexthop(RtmRegHandle, "192.0.2.1", 1);
	RTM_NEXTHOP_HANDLE onh = rt_nexthop(ospf, "198.51.100.1", 2);
	/* 10.i/16: RIP in both views; every third one also OSPF, unicast only,
	 * preferred there.  20.i/16: RIP, multicast only. */
	char text[32];
	for (int i = 0; i < 120; i++) {
		snprintf(text, sizeof(text), "10.%d.0.0", i);
		add_simple(RtmRegHandle, text, 16, 120, (ULONG)i, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST,
			   rnh, NULL);
		if (i % 3 == 0)
			add_simple(ospf, text, 16, 110, 1, RTM_VIEW_MASK_UCAST, onh, NULL);
	}
	for (int i = 0; i < 20; i++) {
		snprintf(text, sizeof(text), "20.%d.0.0", i);
		add_simple(RtmRegHandle, text, 16, 120, 1, RTM_VIEW_MASK_MCAST, rnh, NULL);
	}

	UINT MaxHandles = RegnProfile.MaxHandlesInEnum, NumViews = 2, NumInfos, i;
	PRTM_DEST_INFO DestInfos = calloc(MaxHandles, RTM_SIZE_OF_DEST_INFO(NumViews));
	size_t DestInfoSize = RTM_SIZE_OF_DEST_INFO(NumViews);
	REQUIRE(DestInfos);
	RTM_NET_ADDRESS NetAddress;
	RTM_IPV4_MAKE_NET_ADDRESS(&NetAddress, 0x00000000, 0);
	RTM_ENUM_HANDLE EnumHandle1 = NULL;
	DWORD Status = RtmCreateDestEnum(RtmRegHandle, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST,
					 RTM_ENUM_RANGE, &NetAddress, RTM_BEST_PROTOCOL, &EnumHandle1);
	CHECK_U(Status, NO_ERROR);
	REQUIRE(Status == NO_ERROR);
	unsigned total = 0, batches = 0, ospf_best = 0, ucast_less = 0, bad = 0;
	RTM_NET_ADDRESS last;
	memset(&last, 0, sizeof(last));
	RTM_DEST_HANDLE first_dest = NULL;
	do {
		NumInfos = MaxHandles;
		Status = RtmGetEnumDests(RtmRegHandle, EnumHandle1, &NumInfos, DestInfos);
		batches += NumInfos > 0;
		for (i = 0; i < NumInfos; i++) {
			PRTM_DEST_INFO DestInfo = smp_dest_at(DestInfos, i, DestInfoSize);
			bad += DestInfo->NumberOfViews != 2 || RT_VIEW(DestInfo, 0).ViewId != RTM_VIEW_ID_UCAST ||
			       RT_VIEW(DestInfo, 1).ViewId != RTM_VIEW_ID_MCAST;
			bad += total > 0 && !before(&last, &DestInfo->DestAddress);
			last = DestInfo->DestAddress;
			RTM_ROUTE_HANDLE BestUnicastRoute = RT_VIEW(DestInfo, 0).Route;
			unsigned o1 = DestInfo->DestAddress.AddrBits[0], o2 = DestInfo->DestAddress.AddrBits[1];
			if (o1 == 10) {
				RTM_ENTITY_HANDLE want = o2 % 3 == 0 ? ospf : RtmRegHandle;
				bad += RT_VIEW(DestInfo, 0).Owner != want || !BestUnicastRoute;
				bad += RT_VIEW(DestInfo, 0).NumRoutes != (o2 % 3 == 0 ? 2u : 1u);
				bad += RT_VIEW(DestInfo, 1).Owner != RtmRegHandle;
				ospf_best += want == ospf;
			} else {
				bad += o1 != 20 || BestUnicastRoute != NULL || RT_VIEW(DestInfo, 0).NumRoutes != 0;
				bad += RT_VIEW(DestInfo, 1).Owner != RtmRegHandle;
				ucast_less++;
			}
			if (total == 0)
				first_dest = DestInfo->DestHandle;
			total++;
		}
		/* All routes of the first destination (10.0/16), through a route
		 * enumeration on its handle: OSPF's first, then RIP's. */
		if (first_dest && batches == 1 && total == NumInfos) {
			RTM_ENUM_HANDLE re = NULL;
			CHECK_U(RtmCreateRouteEnum(RtmRegHandle, first_dest, RTM_VIEW_MASK_ANY, RTM_ENUM_START,
						   NULL, RTM_MATCH_NONE, NULL, 0, &re), NO_ERROR);
			RTM_ROUTE_HANDLE rh[4];
			UINT n = 4;
			CHECK_U(RtmGetEnumRoutes(RtmRegHandle, re, &n, rh), NO_ERROR);
			CHECK_U(n, 2);
			rt_route_buf ri;
			if (n == 2 && rt_route_info(RtmRegHandle, rh[0], &ri) == NO_ERROR) {
				CHECK(ri.info.RouteOwner == ospf);
				RtmReleaseRouteInfo(RtmRegHandle, &ri.info);
			}
			CHECK_U(RtmReleaseRoutes(RtmRegHandle, n, rh), NO_ERROR);
			CHECK_U(RtmDeleteEnumHandle(RtmRegHandle, re), NO_ERROR);
		}
		CHECK_U(RtmReleaseDests(RtmRegHandle, NumInfos, DestInfos), NO_ERROR);
	} while (Status == NO_ERROR);
	CHECK_U(Status, ERROR_NO_MORE_ITEMS);
	CHECK_U(RtmDeleteEnumHandle(RtmRegHandle, EnumHandle1), NO_ERROR);
	CHECK_U(total, 140);
	CHECK_U(batches, 2);
	CHECK_U(ospf_best, 40);
	CHECK_U(ucast_less, 20);
	CHECK_U(bad, 0);
	free(DestInfos);

	CHECK_U(RtmReleaseNextHops(ospf, 1, &onh), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(RtmRegHandle, 1, &rnh), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(ospf), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(RtmRegHandle), NO_ERROR);
}

/* ==== Enumerate All Routes =================================================== */

static void test_enumerate_all_routes(void)
{
	RTM_ENTITY_HANDLE RtmRegHandle = NULL, ospf = NULL;
	RTM_REGN_PROFILE RegnProfile;
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_RIP, 1, NULL, FALSE, NULL, &RtmRegHandle,
			       &RegnProfile) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_OSPF, 1, NULL, FALSE, NULL, &ospf, NULL) == NO_ERROR);
	RTM_NEXTHOP_HANDLE rnh = rt_nexthop(RtmRegHandle, "192.0.2.1", 1);
	RTM_NEXTHOP_HANDLE rnh2 = rt_nexthop(RtmRegHandle, "192.0.2.2", 1);
	RTM_NEXTHOP_HANDLE onh = rt_nexthop(ospf, "198.51.100.1", 2);
	/* RIP: 250 routes in one view or the other or both, and on 10.0.5/24
	 * a second route (another neighbour, metric 9); OSPF: 50 routes of its
	 * own on the same destinations. */
	char text[32];
	static const RTM_VIEW_SET views[3] = { RTM_VIEW_MASK_UCAST, RTM_VIEW_MASK_MCAST,
					       RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST };
	for (int i = 0; i < 250; i++) {
		snprintf(text, sizeof(text), "10.%d.%d.0", i / 100, i % 100);
		add_simple(RtmRegHandle, text, 24, 120, 3, views[i % 3], rnh, NULL);
		if (i % 5 == 0)
			add_simple(ospf, text, 24, 110, 1, RTM_VIEW_MASK_UCAST, onh, NULL);
	}
	RTM_NET_ADDRESS a = rt_addr("10.0.5.0", 24);
	rt_route_buf rb;
	rt_route_fill(&rb.info, 120, 9, RTM_VIEW_MASK_UCAST, rnh2, rnh2);
	RTM_ROUTE_CHANGE_FLAGS fl = 0;
	CHECK_U(RtmAddRouteToDest(RtmRegHandle, NULL, &a, &rb.info, INFINITE, NULL, 0, NULL, &fl), NO_ERROR);

	UINT MaxHandles = RegnProfile.MaxHandlesInEnum, NumHandles, k;
	PRTM_ROUTE_HANDLE RouteHandles = calloc(MaxHandles, sizeof(HANDLE));
	REQUIRE(RouteHandles);
	RTM_DEST_HANDLE DestHandle = NULL; /* the whole table */
	RTM_ENUM_HANDLE EnumHandle2 = NULL;
	DWORD Status = RtmCreateRouteEnum(RtmRegHandle, DestHandle, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST,
					  RTM_ENUM_OWN_ROUTES, NULL, 0, NULL, 0, &EnumHandle2);
	CHECK_U(Status, NO_ERROR);
	REQUIRE(Status == NO_ERROR);
	unsigned l = 0, batches = 0, bad = 0, on_5 = 0;
	RTM_NET_ADDRESS prev;
	ULONG prev_metric = 0;
	memset(&prev, 0, sizeof(prev));
	do {
		NumHandles = MaxHandles;
		Status = RtmGetEnumRoutes(RtmRegHandle, EnumHandle2, &NumHandles, RouteHandles);
		batches += NumHandles > 0;
		for (k = 0; k < NumHandles; k++) {
			l++;
			rt_route_buf ri;
			RTM_NET_ADDRESS da;
			Status = RtmGetRouteInfo(RtmRegHandle, RouteHandles[k], &ri.info, &da);
			if (Status == NO_ERROR) {
				bad += ri.info.RouteOwner != RtmRegHandle;
				/* By address, then preference and metric. */
				bool same = rt_addr_eq(&prev, &da);
				bad += l > 1 && !same && !before(&prev, &da);
				bad += same && ri.info.PrefInfo.Metric < prev_metric;
				if (rt_addr_eq(&da, &a)) {
					on_5++;
					bad += ri.info.PrefInfo.Metric != (on_5 == 1 ? 3u : 9u);
				}
				prev = da;
				prev_metric = ri.info.PrefInfo.Metric;
				CHECK_U(RtmReleaseRouteInfo(RtmRegHandle, &ri.info), NO_ERROR);
			}
		}
		CHECK_U(RtmReleaseRoutes(RtmRegHandle, NumHandles, RouteHandles), NO_ERROR);
	} while (Status == NO_ERROR);
	CHECK_U(Status, ERROR_NO_MORE_ITEMS);
	CHECK_U(RtmDeleteEnumHandle(RtmRegHandle, EnumHandle2), NO_ERROR);
	CHECK_U(l, 251);
	CHECK_U(batches, 3);
	CHECK_U(on_5, 2);
	CHECK_U(bad, 0);
	free(RouteHandles);

	RTM_NEXTHOP_HANDLE mine[2] = { rnh, rnh2 };
	CHECK_U(RtmReleaseNextHops(RtmRegHandle, 2, mine), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(ospf, 1, &onh), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(ospf), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(RtmRegHandle), NO_ERROR);
}

int main(void)
{
	RUN_TIMED(test_use_the_event_notification_callback);
	RUN_TIMED(test_use_the_route_hold_down_state);
	RUN_TIMED(test_enumerate_all_destinations);
	RUN_TIMED(test_enumerate_all_routes);
	TEST_MAIN_END();
}
