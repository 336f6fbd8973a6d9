/*
 * test_notify_changes.c — change notification, what is reported: invalid
 * input to the eight functions, what each change type reports per view,
 * coalescing, batches and their order, and the signal (test_notify_state.c
 * has deleted, held and expired destinations, ignoring, marks and cleanup).
 *
 * Invalid input first, function by function; then behaviour, always checked
 * against the data (addresses, best-route handles, counts, view ids), never
 * just the return codes.
 */
#include "notifytest.h"

/* ---- invalid input ----------------------------------------------------------------- */

static void test_register_invalid(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_NOTIFY_HANDLE n = NULL;
	CHECK_U(RtmRegisterForChangeNotification(NULL, 0, RTM_CHANGE_TYPE_BEST, NULL, &n),
		ERROR_INVALID_HANDLE);
	CHECK_U(RtmRegisterForChangeNotification(GARBAGE, 0, RTM_CHANGE_TYPE_BEST, NULL, &n),
		ERROR_INVALID_HANDLE);
	CHECK_U(RtmRegisterForChangeNotification(e, 0, RTM_CHANGE_TYPE_BEST, NULL, NULL),
		ERROR_INVALID_PARAMETER);
	CHECK_U(RtmRegisterForChangeNotification(e, 0, 0, NULL, &n), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmRegisterForChangeNotification(e, 0, RTM_NOTIFY_ONLY_MARKED_DESTS, NULL, &n),
		ERROR_INVALID_PARAMETER);
	CHECK_U(RtmRegisterForChangeNotification(e, 0, RTM_CHANGE_TYPE_BEST | 0x8, NULL, &n),
		ERROR_INVALID_PARAMETER);
	CHECK_U(RtmRegisterForChangeNotification(e, 0x4, RTM_CHANGE_TYPE_BEST, NULL, &n),
		ERROR_NOT_SUPPORTED);
	CHECK_U(RtmRegisterForChangeNotification(e, RTM_VIEW_MASK_ALL, RTM_CHANGE_TYPE_BEST, NULL,
						 &n),
		ERROR_NOT_SUPPORTED);
	CHECK(n == NULL);
	/* A stale entity handle. */
	RTM_ENTITY_HANDLE e2 = reg(101, NULL);
	CHECK_U(RtmDeregisterEntity(e2), NO_ERROR);
	CHECK_U(RtmRegisterForChangeNotification(e2, 0, RTM_CHANGE_TYPE_BEST, NULL, &n),
		ERROR_INVALID_HANDLE);
	CHECK_U(rt_stats(e).handles, 0);
}

static void test_register_limit(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_NOTIFY_HANDLE n[33];
	for (int i = 0; i < 32; i++)
		n[i] = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL, NULL);
	CHECK_U(RtmRegisterForChangeNotification(e, 0, RTM_CHANGE_TYPE_ALL, NULL, &n[32]),
		ERROR_NO_SYSTEM_RESOURCES);
	/* The limit is per instance and family: another entity of it is refused too. */
	RTM_ENTITY_HANDLE e2 = reg(101, NULL);
	CHECK_U(RtmRegisterForChangeNotification(e2, 0, RTM_CHANGE_TYPE_ALL, NULL, &n[32]),
		ERROR_NO_SYSTEM_RESOURCES);
	CHECK_U(RtmDeregisterFromChangeNotification(e, n[7]), NO_ERROR);
	CHECK_U(RtmRegisterForChangeNotification(e2, 0, RTM_CHANGE_TYPE_ALL, NULL, &n[32]),
		NO_ERROR);
	CHECK(n[32] != n[7]);
}

static void test_register_limit_configured(void)
{
	char path[] = "/tmp/rtmv2-notify-XXXXXX";
	int fd = mkstemp(path);
	REQUIRE(fd >= 0);
	const char text[] = "[instance 0 ipv4]\nmax_change_notifications = 2\n";
	REQUIRE(write(fd, text, sizeof(text) - 1) == (ssize_t)(sizeof(text) - 1));
	close(fd);
	setenv("RTMV2_CONFIG", path, 1);
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	unlink(path);
	RTM_NOTIFY_HANDLE n;
	CHECK_U(RtmRegisterForChangeNotification(e, 0, RTM_CHANGE_TYPE_ALL, NULL, &n), NO_ERROR);
	CHECK_U(RtmRegisterForChangeNotification(e, 0, RTM_CHANGE_TYPE_ALL, NULL, &n), NO_ERROR);
	CHECK_U(RtmRegisterForChangeNotification(e, 0, RTM_CHANGE_TYPE_ALL, NULL, &n),
		ERROR_NO_SYSTEM_RESOURCES);
}

static void test_get_invalid(void)
{
	RTM_REGN_PROFILE p;
	RTM_ENTITY_HANDLE e = reg(100, &p);
	RTM_ENTITY_HANDLE other = reg(101, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL, NULL);
	RTM_NOTIFY_HANDLE n_other = notify(other, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL, NULL);
	CHECK_U(add(e, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	rt_dest_buf db[2];
	UINT num = 1;
	CHECK_U(RtmGetChangedDests(NULL, n, &num, &db[0].info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetChangedDests(GARBAGE, n, &num, &db[0].info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetChangedDests(e, NULL, &num, &db[0].info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetChangedDests(e, GARBAGE, &num, &db[0].info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetChangedDests(e, n_other, &num, &db[0].info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetChangedDests(e, e, &num, &db[0].info), ERROR_INVALID_HANDLE); /* wrong type */
	CHECK_U(RtmGetChangedDests(e, n, NULL, &db[0].info), ERROR_INVALID_PARAMETER);
	num = p.MaxHandlesInEnum + 1;
	CHECK_U(RtmGetChangedDests(e, n, &num, &db[0].info), ERROR_INVALID_PARAMETER);
	num = 1;
	CHECK_U(RtmGetChangedDests(e, n, &num, NULL), ERROR_INVALID_PARAMETER);
	/* Capacity 0: nothing taken, and the change is still pending. */
	num = 0;
	CHECK_U(RtmGetChangedDests(e, n, &num, NULL), NO_ERROR);
	CHECK_U(num, 0);
	/* None of that consumed the change. */
	num = 2;
	CHECK_U(RtmGetChangedDests(e, n, &num, &db[0].info), NO_ERROR);
	CHECK_U(num, 1);
	CHECK(addr_is(&db[0].info.DestAddress, "10.0.0.0", 8));
	CHECK_U(RtmReleaseChangedDests(e, n, num, &db[0].info), NO_ERROR);
	num = 0;
	CHECK_U(RtmGetChangedDests(e, n, &num, NULL), ERROR_NO_MORE_ITEMS);
	/* Deregistered: the handle is stale. */
	CHECK_U(RtmDeregisterFromChangeNotification(e, n), NO_ERROR);
	num = 1;
	CHECK_U(RtmGetChangedDests(e, n, &num, &db[0].info), ERROR_INVALID_HANDLE);
	CHECK_U(pending(other, n_other, 1), 1);
}

static void test_release_invalid(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL, NULL);
	RTM_ROUTE_HANDLE r;
	CHECK_U(add(e, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r), NO_ERROR);
	rt_dest_buf db;
	UINT num = 1;
	CHECK_U(RtmGetChangedDests(e, n, &num, &db.info), NO_ERROR);
	CHECK_U(num, 1);
	CHECK(RT_VIEW(&db.info, 0).Route == r);
	CHECK_U(RtmReleaseChangedDests(NULL, n, 1, &db.info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseChangedDests(e, NULL, 1, &db.info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseChangedDests(e, GARBAGE, 1, &db.info), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseChangedDests(e, n, 1, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmReleaseChangedDests(e, n, 0, NULL), NO_ERROR);
	rt_dest_buf bad = db;
	bad.info.DestHandle = GARBAGE;
	CHECK_U(RtmReleaseChangedDests(e, n, 1, &bad.info), ERROR_INVALID_HANDLE);
	rtm_stats before = rt_stats(e);
	CHECK_U(RtmReleaseChangedDests(e, n, 1, &db.info), NO_ERROR);
	/* Released once: the second time there is nothing left to release. */
	CHECK_U(RtmReleaseChangedDests(e, n, 1, &db.info), ERROR_INVALID_HANDLE);
	rtm_stats after = rt_stats(e);
	CHECK_U(after.handles, before.handles); /* the objects remain: route, dest, notify */
	CHECK_U(RtmReleaseRoutes(e, 1, &r), NO_ERROR);
}

static void test_ignore_invalid(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL, NULL);
	CHECK_U(add(e, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	rt_dest_buf db;
	RTM_DEST_HANDLE d = dest_of(e, "10.0.0.0", 8, &db);
	REQUIRE(d);
	RTM_DEST_HANDLE two[2] = { d, GARBAGE };
	CHECK_U(RtmIgnoreChangedDests(NULL, n, 1, &d), ERROR_INVALID_HANDLE);
	CHECK_U(RtmIgnoreChangedDests(e, GARBAGE, 1, &d), ERROR_INVALID_HANDLE);
	CHECK_U(RtmIgnoreChangedDests(e, n, 1, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmIgnoreChangedDests(e, n, 0, NULL), NO_ERROR);
	/* One bad handle: nothing is ignored. */
	CHECK_U(RtmIgnoreChangedDests(e, n, 2, two), ERROR_INVALID_HANDLE);
	CHECK(status(e, n, d) == TRUE);
	struct change c[2];
	CHECK_U(drain(e, n, 1, c, 2), 1);
	CHECK(c[0].dest == d);
	CHECK_U(RtmReleaseDestInfo(e, &db.info), NO_ERROR);
}

static void test_status_mark_invalid(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE other = reg(101, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL, NULL);
	RTM_NOTIFY_HANDLE n_other = notify(other, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL, NULL);
	CHECK_U(add(e, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	rt_dest_buf db;
	RTM_DEST_HANDLE d = dest_of(e, "10.0.0.0", 8, &db);
	REQUIRE(d);
	BOOL b = 42;
	CHECK_U(RtmGetChangeStatus(NULL, n, d, &b), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetChangeStatus(e, GARBAGE, d, &b), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetChangeStatus(e, n_other, d, &b), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetChangeStatus(e, n, NULL, &b), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetChangeStatus(e, n, GARBAGE, &b), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetChangeStatus(e, n, n, &b), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetChangeStatus(e, n, d, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(b, 42);
	CHECK_U(RtmMarkDestForChangeNotification(NULL, n, d, TRUE), ERROR_INVALID_HANDLE);
	CHECK_U(RtmMarkDestForChangeNotification(e, GARBAGE, d, TRUE), ERROR_INVALID_HANDLE);
	CHECK_U(RtmMarkDestForChangeNotification(e, n_other, d, TRUE), ERROR_INVALID_HANDLE);
	CHECK_U(RtmMarkDestForChangeNotification(e, n, GARBAGE, TRUE), ERROR_INVALID_HANDLE);
	CHECK_U(RtmIsMarkedForChangeNotification(NULL, n, d, &b), ERROR_INVALID_HANDLE);
	CHECK_U(RtmIsMarkedForChangeNotification(e, GARBAGE, d, &b), ERROR_INVALID_HANDLE);
	CHECK_U(RtmIsMarkedForChangeNotification(e, n, GARBAGE, &b), ERROR_INVALID_HANDLE);
	CHECK_U(RtmIsMarkedForChangeNotification(e, n, d, NULL), ERROR_INVALID_PARAMETER);
	/* None of the failures marked anything. */
	CHECK(marked(e, n, d) == FALSE);
	CHECK(marked(other, n_other, d) == FALSE);
	CHECK_U(RtmReleaseDestInfo(e, &db.info), NO_ERROR);
}

static void test_deregister_invalid(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE other = reg(101, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, 0, RTM_CHANGE_TYPE_ALL, NULL);
	CHECK_U(RtmDeregisterFromChangeNotification(NULL, n), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterFromChangeNotification(e, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterFromChangeNotification(e, GARBAGE), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterFromChangeNotification(other, n), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterFromChangeNotification(e, n), NO_ERROR);
	CHECK_U(RtmDeregisterFromChangeNotification(e, n), ERROR_INVALID_HANDLE);
	CHECK_U(rt_stats(e).handles, 0);
}

/* ---- what each change type reports ------------------------------------------------ */

struct regs {
	RTM_NOTIFY_HANDLE all_u, best_u, fwd_u, best_m, all_any;
};

/* Which of the five registrations have 10/8 pending; drains them all. */
static unsigned got(RTM_ENTITY_HANDLE e, const struct regs *r)
{
	unsigned mask = 0;
	RTM_NOTIFY_HANDLE h[5] = { r->all_u, r->best_u, r->fwd_u, r->best_m, r->all_any };
	unsigned views[5] = { 1, 1, 1, 1, 0 };
	for (unsigned i = 0; i < 5; i++) {
		struct change c[4];
		unsigned k = drain(e, h[i], views[i], c, 4);
		CHECK(k <= 1);
		if (k == 1) {
			CHECK(addr_is(&c[0].addr, "10.0.0.0", 8));
			mask |= 1u << i;
		}
	}
	return mask;
}

enum { ALL_U = 1, BEST_U = 2, FWD_U = 4, BEST_M = 8, ALL_ANY = 16 };

static void test_change_types(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	struct regs r;
	r.all_u = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL, NULL);
	r.best_u = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	r.fwd_u = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_FORWARDING, NULL);
	r.best_m = notify(e, RTM_VIEW_MASK_MCAST, RTM_CHANGE_TYPE_BEST, NULL);
	r.all_any = notify(e, RTM_VIEW_MASK_ANY, RTM_CHANGE_TYPE_ALL, NULL);
	RTM_NEXTHOP_HANDLE nh1 = rt_nexthop(w, "192.0.2.1", 1);
	RTM_NEXTHOP_HANDLE nh2 = rt_nexthop(w, "192.0.2.2", 2);
	RTM_ENTITY_HANDLE e3 = reg(300, NULL);
	RTM_NEXTHOP_HANDLE nh3 = rt_nexthop(e3, "192.0.2.3", 3);

	/* A first (best) unicast route: everything unicast, not multicast. */
	RTM_ROUTE_HANDLE best;
	CHECK_U(add(w, "10.0.0.0", 8, 10, 5, RTM_VIEW_MASK_UCAST, 0, nh1, &best), NO_ERROR);
	CHECK_U(got(e, &r), ALL_U | BEST_U | FWD_U | ALL_ANY);
	/* A worse route of another entity: only ALL. */
	CHECK_U(add(e3, "10.0.0.0", 8, 20, 5, RTM_VIEW_MASK_UCAST, 0, nh3, NULL), NO_ERROR);
	CHECK_U(got(e, &r), ALL_U | ALL_ANY);
	/* A flag of the best route outside the forwarding flags: BEST, not FORWARDING. */
	CHECK_U(add(w, "10.0.0.0", 8, 10, 5, RTM_VIEW_MASK_UCAST, RTM_ROUTE_FLAGS_LOCAL, nh1, NULL),
		NO_ERROR);
	CHECK_U(got(e, &r), ALL_U | BEST_U | ALL_ANY);
	/* A forwarding flag: both. */
	CHECK_U(add(w, "10.0.0.0", 8, 10, 5, RTM_VIEW_MASK_UCAST,
		    RTM_ROUTE_FLAGS_LOCAL | RTM_ROUTE_FLAGS_DISCARD, nh1, NULL),
		NO_ERROR);
	CHECK_U(got(e, &r), ALL_U | BEST_U | FWD_U | ALL_ANY);
	/* The best route's metric, then its next hop. */
	CHECK_U(add(w, "10.0.0.0", 8, 10, 6, RTM_VIEW_MASK_UCAST,
		    RTM_ROUTE_FLAGS_LOCAL | RTM_ROUTE_FLAGS_DISCARD, nh1, NULL),
		NO_ERROR);
	CHECK_U(got(e, &r), ALL_U | BEST_U | FWD_U | ALL_ANY);
	CHECK_U(add(w, "10.0.0.0", 8, 10, 6, RTM_VIEW_MASK_UCAST,
		    RTM_ROUTE_FLAGS_LOCAL | RTM_ROUTE_FLAGS_DISCARD, nh2, NULL),
		NO_ERROR);
	CHECK_U(got(e, &r), ALL_U | BEST_U | FWD_U | ALL_ANY);
	/* The worse route's metric: only ALL. */
	CHECK_U(add(e3, "10.0.0.0", 8, 20, 9, RTM_VIEW_MASK_UCAST, 0, nh3, NULL), NO_ERROR);
	CHECK_U(got(e, &r), ALL_U | ALL_ANY);
	/* A multicast-only route: the multicast BEST registration and ANY. */
	RTM_ENTITY_HANDLE e4 = reg(400, NULL);
	CHECK_U(add(e4, "10.0.0.0", 8, 50, 1, RTM_VIEW_MASK_MCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(got(e, &r), BEST_M | ALL_ANY);
	/* The worse unicast route becomes best: everything unicast; check the data. */
	CHECK_U(RtmDeleteRouteToDest(w, best, NULL), NO_ERROR);
	struct change c[2];
	CHECK_U(drain(e, r.best_u, 1, c, 2), 1);
	CHECK_U(c[0].v[0].id, RTM_VIEW_ID_UCAST);
	CHECK_U(c[0].v[0].num, 1);
	CHECK(c[0].v[0].owner == e3);
	CHECK_U(c[0].v[0].flags, 0);
	CHECK(c[0].v[0].route != NULL && c[0].v[0].route != best);
	CHECK(c[0].v[0].hold == NULL);
	CHECK_U(got(e, &r), ALL_U | FWD_U | ALL_ANY);
	/* Nothing else was left behind. */
	CHECK_U(got(e, &r), 0);
}

/* The best route's data as the registration reports it, in its own view. */
static void test_best_route_data(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE a = reg(200, NULL);
	RTM_ENTITY_HANDLE b = reg(300, NULL);
	RTM_NOTIFY_HANDLE nb =
		notify(e, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_ROUTE_HANDLE ra, rb;
	CHECK_U(add(a, "10.1.0.0", 16, 10, 1, RTM_VIEW_MASK_UCAST, RTM_ROUTE_FLAGS_LOCAL, NULL,
		    &ra),
		NO_ERROR);
	CHECK_U(add(b, "10.1.0.0", 16, 5, 1, RTM_VIEW_MASK_MCAST, 0, NULL, &rb), NO_ERROR);
	struct change c[2];
	CHECK_U(drain(e, nb, 2, c, 2), 1);
	CHECK(addr_is(&c[0].addr, "10.1.0.0", 16));
	CHECK_U(c[0].nviews, 2);
	CHECK_U(c[0].v[0].id, RTM_VIEW_ID_UCAST);
	CHECK_U(c[0].v[1].id, RTM_VIEW_ID_MCAST);
	CHECK(c[0].v[0].route == ra && c[0].v[0].owner == a);
	CHECK_U(c[0].v[0].flags, RTM_ROUTE_FLAGS_LOCAL);
	CHECK(c[0].v[1].route == rb && c[0].v[1].owner == b);
	CHECK_U(c[0].v[0].num, 1);
	CHECK_U(c[0].v[1].num, 1);
	CHECK_U(RtmReleaseRoutes(a, 1, &ra), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(b, 1, &rb), NO_ERROR);
}

/* ---- coalescing, batches, order ------------------------------------------------------ */

static void test_coalescing(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_NOTIFY_HANDLE all = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL, NULL);
	for (ULONG m = 1; m <= 100; m++)
		CHECK_U(add(e, "10.0.0.0", 8, 10, m, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(add(e, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	for (ULONG m = 1; m <= 100; m++)
		CHECK_U(add(e, "10.0.0.0", 8, 10, m, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	/* 202 changes, two destinations, two registrations: four queue entries. */
	CHECK_U(rt_stats(e).queued_changes, 4);
	struct change c[4];
	/* One entry per destination, in the order they first changed, latest state. */
	CHECK_U(drain(e, n, 1, c, 4), 2);
	CHECK(addr_is(&c[0].addr, "10.0.0.0", 8));
	CHECK(addr_is(&c[1].addr, "11.0.0.0", 8));
	RTM_ROUTE_HANDLE r10 = c[0].v[0].route;
	rt_route_buf rb;
	CHECK_U(rt_route_info(e, r10, &rb), NO_ERROR);
	CHECK_U(rb.info.PrefInfo.Metric, 100);
	CHECK_U(RtmReleaseRouteInfo(e, &rb.info), NO_ERROR);
	CHECK_U(drain(e, all, 1, c, 4), 2);
	/* A queue holds a destination once: memory does not grow with changes. */
	rtm_stats s = rt_stats(e);
	CHECK_U(s.dests, 2);
	CHECK_U(s.queued_changes, 0);
}

/* The queue grows while it wraps around its ring: the entries still come out
 * once each, in the order the destinations changed.  (The ring holds 1.5
 * slots per destination; it wraps when destinations drained once change
 * again, and grows when new destinations come.) */
static void test_queue_grows_wrapped(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	enum { OLD = 100, NEW = 120 };
	static struct change c[OLD + NEW];
	char t[32];
	for (unsigned i = 0; i < OLD + NEW; i++) {
		snprintf(t, sizeof(t), "10.0.%u.0", i);
		if (i < OLD)
			CHECK_U(add(e, t, 24, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	}
	CHECK_U(drain(e, n, 1, c, OLD + NEW), OLD);
	/* The same destinations change again: the queue runs past the ring's end. */
	for (unsigned i = 0; i < OLD; i++) {
		snprintf(t, sizeof(t), "10.0.%u.0", i);
		CHECK_U(add(e, t, 24, 10, 2, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	}
	/* New destinations make it grow, wrapped as it is. */
	for (unsigned i = OLD; i < OLD + NEW; i++) {
		snprintf(t, sizeof(t), "10.0.%u.0", i);
		CHECK_U(add(e, t, 24, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	}
	CHECK_U(rt_stats(e).queued_changes, OLD + NEW);
	CHECK_U(drain(e, n, 1, c, OLD + NEW), OLD + NEW);
	for (unsigned k = 0; k < OLD + NEW; k++) {
		snprintf(t, sizeof(t), "10.0.%u.0", k);
		CHECK(addr_is(&c[k].addr, t, 24));
	}
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
}

/* Changing or deleting a next hop is not a change of the destinations whose
 * routes use it (API-NOTES "Next hops are not routes"); the route changes
 * a protocol then makes are. */
static void test_nexthop_changes_are_not_route_changes(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST,
				     RTM_CHANGE_TYPE_ALL | RTM_CHANGE_TYPE_BEST | RTM_CHANGE_TYPE_FORWARDING,
				     NULL);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "192.0.2.1", 1);
	RTM_ROUTE_HANDLE r;
	CHECK_U(add(e, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, nh, &r), NO_ERROR);
	struct change c[2];
	CHECK_U(drain(e, n, 1, c, 2), 1);
	/* The next hop goes down: nothing is queued. */
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	RTM_NET_ADDRESS na = rt_addr("192.0.2.1", 32);
	ni.NextHopAddress = na;
	ni.InterfaceIndex = 1;
	ni.Flags = RTM_NEXTHOP_FLAGS_DOWN;
	RTM_NEXTHOP_HANDLE same = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS nfl = 0;
	CHECK_U(RtmAddNextHop(e, &ni, &same, &nfl), NO_ERROR);
	CHECK(same == nh);
	CHECK_U(nfl & RTM_NEXTHOP_CHANGE_NEW, 0);
	CHECK_U(rt_stats(e).queued_changes, 0);
	/* Deleted while the route still names it: still nothing. */
	CHECK_U(RtmDeleteNextHop(e, nh, NULL), NO_ERROR);
	CHECK_U(rt_stats(e).queued_changes, 0);
	CHECK_U(pending(e, n, 1), 0);
	/* The protocol withdraws the route: that is reported. */
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(e, r, &fl), NO_ERROR);
	CHECK_U(drain(e, n, 1, c, 2), 1);
	CHECK(addr_is(&c[0].addr, "10.0.0.0", 8));
	CHECK_U(c[0].v[0].num, 0);
	RtmReleaseNextHops(e, 1, &same);
	RtmReleaseNextHops(e, 1, &nh);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
}

static int cmp_key(const void *a, const void *b)
{
	const RTM_NET_ADDRESS *x = a, *y = b;
	int c = memcmp(x->AddrBits, y->AddrBits, 4);
	return c ? c : (int)x->NumBits - (int)y->NumBits;
}

static void test_batches(void)
{
	RTM_REGN_PROFILE p;
	RTM_ENTITY_HANDLE e = reg(100, &p);
	CHECK_U(p.MaxHandlesInEnum, 100);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	char text[32];
	for (unsigned i = 0; i < 250; i++) {
		snprintf(text, sizeof(text), "10.%u.%u.0", i / 16, i % 16);
		CHECK_U(add(e, text, 24, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	}
	/* Batches of at most 100: 100, 100, 50, then 0 with ERROR_NO_MORE_ITEMS. */
	size_t stride = RTM_SIZE_OF_DEST_INFO(1);
	char *buf = calloc(100, stride);
	UINT sizes[4];
	RTM_NET_ADDRESS seen[260];
	unsigned total = 0;
	for (int call = 0; call < 4; call++) {
		UINT num = 100;
		DWORD rc = RtmGetChangedDests(e, n, &num, (PRTM_DEST_INFO)(void *)buf);
		sizes[call] = num;
		CHECK_U(rc, call < 3 ? NO_ERROR : ERROR_NO_MORE_ITEMS);
		for (UINT i = 0; i < num && total < 260; i++)
			seen[total++] = ((PRTM_DEST_INFO)(void *)(buf + i * stride))->DestAddress;
		CHECK_U(RtmReleaseChangedDests(e, n, num, (PRTM_DEST_INFO)(void *)buf), NO_ERROR);
	}
	CHECK_U(sizes[0], 100);
	CHECK_U(sizes[1], 100);
	CHECK_U(sizes[2], 50);
	CHECK_U(sizes[3], 0);
	CHECK_U(total, 250);
	/* Each destination exactly once, in the order they changed. */
	for (unsigned i = 0; i < total; i++) {
		snprintf(text, sizeof(text), "10.%u.%u.0", i / 16, i % 16);
		CHECK(addr_is(&seen[i], text, 24));
	}
	qsort(seen, total, sizeof(seen[0]), cmp_key);
	for (unsigned i = 1; i < total; i++)
		CHECK(cmp_key(&seen[i - 1], &seen[i]) != 0);
	free(buf);
}

/* ---- the signal ---------------------------------------------------------------- */

static void test_signal_once(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	int ctx1, ctx2;
	RTM_NOTIFY_HANDLE n1 = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, &ctx1);
	CHECK_U(atomic_load(&g_signals), 0);
	CHECK_U(add(w, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	/* Delivered before the call returned, on this thread. */
	CHECK_U(atomic_load(&g_signals), 1);
	CHECK(g_c1 == n1 && g_c2 == &ctx1 && g_to == e);
	/* More changes while some are pending: no new signal. */
	for (int i = 0; i < 5; i++)
		CHECK_U(add(w, "10.0.0.0", 8, 10, (ULONG)i + 2, RTM_VIEW_MASK_UCAST, 0, NULL, NULL),
			NO_ERROR);
	CHECK_U(add(w, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(atomic_load(&g_signals), 1);
	/* Draining part of the queue does not re-arm it. */
	rt_dest_buf db;
	UINT num = 1;
	CHECK_U(RtmGetChangedDests(e, n1, &num, &db.info), NO_ERROR);
	CHECK_U(num, 1);
	CHECK_U(RtmReleaseChangedDests(e, n1, num, &db.info), NO_ERROR);
	CHECK_U(add(w, "12.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(atomic_load(&g_signals), 1);
	/* Drained to ERROR_NO_MORE_ITEMS: the next change signals again. */
	CHECK_U(pending(e, n1, 1), 2);
	CHECK_U(add(w, "12.0.0.0", 8, 10, 2, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(atomic_load(&g_signals), 2);
	/* A change nobody registered for (worse route) does not signal. */
	CHECK_U(pending(e, n1, 1), 1);
	CHECK_U(add(e, "12.0.0.0", 8, 90, 2, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(atomic_load(&g_signals), 2);
	/* Two registrations: each is signalled with its own handle and context. */
	RTM_NOTIFY_HANDLE n2 = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL, &ctx2);
	CHECK_U(add(e, "12.0.0.0", 8, 91, 2, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(atomic_load(&g_signals), 3);
	CHECK(g_c1 == n2 && g_c2 == &ctx2);
}

/* A client draining inside its callback, as the documentation's sample does;
 * changes it makes there are signalled after the callback returns. */
static RTM_NOTIFY_HANDLE g_cb_notify;
static unsigned g_cb_drained;
static int g_cb_depth, g_cb_max_depth;

static DWORD WINAPI cb_drain(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE type, PVOID c1, PVOID c2)
{
	(void)c2;
	if (type != RTM_CHANGE_NOTIFICATION)
		return NO_ERROR;
	CHECK(c1 == g_cb_notify);
	if (++g_cb_depth > g_cb_max_depth)
		g_cb_max_depth = g_cb_depth;
	atomic_fetch_add(&g_signals, 1);
	unsigned k = pending(h, c1, 1);
	g_cb_drained += k;
	/* The first time, change a route of our own from inside the callback. */
	if (atomic_load(&g_signals) == 1)
		CHECK_U(add(h, "99.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	g_cb_depth--;
	return NO_ERROR;
}

static void test_drain_in_callback(void)
{
	RTM_ENTITY_HANDLE e = NULL;
	CHECK_U(rt_register_ex(0, AF_INET, 100, 1, cb_drain, FALSE, NULL, &e, NULL), NO_ERROR);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	g_cb_notify = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	CHECK_U(add(w, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	/* The callback drained 10/8, added 99/8 (its own change), and was
	 * called again for it after it returned — not from inside itself. */
	CHECK_U(atomic_load(&g_signals), 2);
	CHECK_U(g_cb_drained, 2);
	CHECK_U(g_cb_max_depth, 1);
}

/* The entity that made a change is told like everyone else. */
static void test_own_changes(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_ROUTE_HANDLE r;
	CHECK_U(add(e, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r), NO_ERROR);
	CHECK_U(atomic_load(&g_signals), 1);
	struct change c[2];
	CHECK_U(drain(e, n, 1, c, 2), 1);
	CHECK(c[0].v[0].route == r && c[0].v[0].owner == e);
	CHECK_U(RtmReleaseRoutes(e, 1, &r), NO_ERROR);
}

int main(void)
{
	RUN(test_register_invalid);
	RUN(test_register_limit);
	RUN(test_register_limit_configured);
	RUN(test_get_invalid);
	RUN(test_release_invalid);
	RUN(test_ignore_invalid);
	RUN(test_status_mark_invalid);
	RUN(test_deregister_invalid);
	RUN(test_change_types);
	RUN(test_best_route_data);
	RUN(test_coalescing);
	RUN(test_nexthop_changes_are_not_route_changes);
	RUN(test_queue_grows_wrapped);
	RUN(test_batches);
	RUN(test_signal_once);
	RUN(test_drain_in_callback);
	RUN(test_own_changes);
	TEST_MAIN_END();
}
