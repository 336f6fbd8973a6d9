/*
 * test_notify.c — change notification: the eight functions, what each change
 * type reports per view, coalescing, the signal, marks, ignoring, deleted
 * destinations, cleanup.
 *
 * Invalid input first, function by function; then behaviour, always checked
 * against the data (addresses, best-route handles, counts, view ids), never
 * just the return codes.
 */
#include "alloc.h"
#include "rtmtest.h"

#include <stdatomic.h>

/* ---- helpers ------------------------------------------------------------------ */

static atomic_int g_signals;
static atomic_int g_expired;
static PVOID g_c1, g_c2;
static RTM_ENTITY_HANDLE g_to;

static DWORD WINAPI cb_count(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE type, PVOID c1, PVOID c2)
{
	if (type == RTM_CHANGE_NOTIFICATION) {
		g_c1 = c1;
		g_c2 = c2;
		g_to = h;
		atomic_fetch_add(&g_signals, 1);
	} else if (type == RTM_ROUTE_EXPIRED) {
		atomic_fetch_add(&g_expired, 1);
		return ERROR_NOT_SUPPORTED; /* let the RTM delete it */
	}
	return NO_ERROR;
}

static RTM_ENTITY_HANDLE reg(ULONG proto, RTM_REGN_PROFILE *profile)
{
	RTM_ENTITY_HANDLE h = NULL;
	CHECK_U(rt_register_ex(0, AF_INET, proto, 1, cb_count, FALSE, NULL, &h, profile), NO_ERROR);
	return h;
}

static RTM_NOTIFY_HANDLE notify(RTM_ENTITY_HANDLE e, RTM_VIEW_SET views, RTM_NOTIFY_FLAGS flags,
				PVOID ctx)
{
	RTM_NOTIFY_HANDLE n = NULL;
	CHECK_U(RtmRegisterForChangeNotification(e, views, flags, ctx, &n), NO_ERROR);
	return n;
}

/* Adds or updates the caller's route (same neighbour: none) with flags. */
static DWORD add(RTM_ENTITY_HANDLE e, const char *dest, unsigned len, ULONG pref, ULONG metric,
		 RTM_VIEW_SET views, USHORT flags, RTM_NEXTHOP_HANDLE nh, RTM_ROUTE_HANDLE *out)
{
	RTM_NET_ADDRESS a = rt_addr(dest, len);
	rt_route_buf rb;
	rt_route_fill(&rb.info, pref, metric, views, nh, NULL);
	rb.info.Flags = flags;
	RTM_ROUTE_CHANGE_FLAGS fl = 0;
	if (out)
		*out = NULL;
	return RtmAddRouteToDest(e, out, &a, &rb.info, INFINITE, NULL, 0, NULL, &fl);
}

struct change {
	RTM_NET_ADDRESS addr;
	RTM_DEST_HANDLE dest;
	UINT nviews;
	struct {
		RTM_VIEW_ID id;
		UINT num;
		RTM_ROUTE_HANDLE route, hold;
		RTM_ENTITY_HANDLE owner;
		DWORD flags;
	} v[2];
};

/* Drains everything pending into out[] (at most cap), batch by batch of
 * `batch`, releasing each batch.  Checks the end protocol: items only with
 * NO_ERROR, the end as 0 items with ERROR_NO_MORE_ITEMS.  Returns the count. */
static unsigned drain_batch(RTM_ENTITY_HANDLE e, RTM_NOTIFY_HANDLE nh, unsigned nviews,
			    struct change *out, unsigned cap, UINT batch)
{
	size_t stride = RTM_SIZE_OF_DEST_INFO(nviews);
	char *buf = calloc(batch ? batch : 1, stride);
	unsigned total = 0;
	for (int guard = 0; guard < 100000; guard++) {
		UINT n = batch;
		DWORD rc = RtmGetChangedDests(e, nh, &n, (PRTM_DEST_INFO)(void *)buf);
		if (rc == ERROR_NO_MORE_ITEMS) {
			CHECK_U(n, 0);
			break;
		}
		CHECK_U(rc, NO_ERROR);
		if (rc != NO_ERROR)
			break;
		CHECK(n > 0 && n <= batch);
		for (UINT i = 0; i < n; i++) {
			PRTM_DEST_INFO di = (PRTM_DEST_INFO)(void *)(buf + i * stride);
			CHECK_U(di->NumberOfViews, nviews);
			if (total < cap) {
				struct change *c = &out[total];
				memset(c, 0, sizeof(*c));
				c->addr = di->DestAddress;
				c->dest = di->DestHandle;
				c->nviews = di->NumberOfViews;
				for (UINT v = 0; v < di->NumberOfViews && v < 2; v++) {
					c->v[v].id = RT_VIEW(di, v).ViewId;
					c->v[v].num = RT_VIEW(di, v).NumRoutes;
					c->v[v].route = RT_VIEW(di, v).Route;
					c->v[v].hold = RT_VIEW(di, v).HoldRoute;
					c->v[v].owner = RT_VIEW(di, v).Owner;
					c->v[v].flags = RT_VIEW(di, v).DestFlags;
				}
			}
			total++;
		}
		CHECK_U(RtmReleaseChangedDests(e, nh, n, (PRTM_DEST_INFO)(void *)buf), NO_ERROR);
	}
	free(buf);
	return total;
}

static unsigned drain(RTM_ENTITY_HANDLE e, RTM_NOTIFY_HANDLE nh, unsigned nviews,
		      struct change *out, unsigned cap)
{
	return drain_batch(e, nh, nviews, out, cap, 100);
}

static unsigned pending(RTM_ENTITY_HANDLE e, RTM_NOTIFY_HANDLE nh, unsigned nviews)
{
	return drain(e, nh, nviews, NULL, 0);
}

static bool addr_is(const RTM_NET_ADDRESS *a, const char *text, unsigned len)
{
	RTM_NET_ADDRESS b = rt_addr(text, len);
	return rt_addr_eq(a, &b);
}

/* The destination handle of a prefix (referenced: release with RtmReleaseDestInfo). */
static RTM_DEST_HANDLE dest_of(RTM_ENTITY_HANDLE e, const char *text, unsigned len, rt_dest_buf *db)
{
	RTM_NET_ADDRESS a = rt_addr(text, len);
	if (RtmGetExactMatchDestination(e, &a, RTM_BEST_PROTOCOL, 0, &db->info) != NO_ERROR)
		return NULL;
	return db->info.DestHandle;
}

static BOOL status(RTM_ENTITY_HANDLE e, RTM_NOTIFY_HANDLE nh, RTM_DEST_HANDLE d)
{
	BOOL s = 42;
	CHECK_U(RtmGetChangeStatus(e, nh, d, &s), NO_ERROR);
	CHECK(s == TRUE || s == FALSE);
	return s;
}

static BOOL marked(RTM_ENTITY_HANDLE e, RTM_NOTIFY_HANDLE nh, RTM_DEST_HANDLE d)
{
	BOOL s = 42;
	CHECK_U(RtmIsMarkedForChangeNotification(e, nh, d, &s), NO_ERROR);
	CHECK(s == TRUE || s == FALSE);
	return s;
}

static const HANDLE GARBAGE = (HANDLE)(uintptr_t)0xdeadbeefcafe0007ull;

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

/* ---- deleted destinations, hold-down, expiry ------------------------------------------ */

static void test_delete_while_pending(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_ROUTE_HANDLE r;
	CHECK_U(add(w, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(w, r, NULL), NO_ERROR);
	/* The queue keeps the empty destination: not visible, but still there. */
	CHECK_U(rt_stats(e).routes, 0);
	CHECK_U(rt_stats(e).dests, 1);
	RTM_NET_ADDRESS a = rt_addr("10.0.0.0", 8);
	rt_dest_buf q;
	CHECK_U(RtmGetExactMatchDestination(e, &a, RTM_BEST_PROTOCOL, 0, &q.info), ERROR_NOT_FOUND);
	BOOL st = FALSE;
	rt_dest_buf db;
	UINT num = 2;
	CHECK_U(RtmGetChangedDests(e, n, &num, &db.info), NO_ERROR);
	REQUIRE(num == 1);
	CHECK(addr_is(&db.info.DestAddress, "10.0.0.0", 8));
	CHECK_U(db.info.BelongsToViews, 0);
	CHECK_U(RT_VIEW(&db.info, 0).NumRoutes, 0);
	CHECK(RT_VIEW(&db.info, 0).Route == NULL);
	CHECK(RT_VIEW(&db.info, 0).Owner == NULL);
	CHECK(RT_VIEW(&db.info, 0).HoldRoute == NULL);
	CHECK_U(RtmGetChangeStatus(e, n, db.info.DestHandle, &st), NO_ERROR);
	CHECK(st == FALSE);
	/* Our information keeps it until it is released; then it is gone. */
	CHECK_U(rt_stats(e).dests, 1);
	CHECK_U(RtmReleaseChangedDests(e, n, 1, &db.info), NO_ERROR);
	CHECK_U(rt_stats(e).dests, 0);
	CHECK_U(pending(e, n, 1), 0);
}

static void test_hold_while_pending(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_ROUTE_HANDLE r;
	CHECK_U(add(w, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r), NO_ERROR);
	rt_dest_buf dq;
	RTM_DEST_HANDLE d = dest_of(w, "10.0.0.0", 8, &dq);
	REQUIRE(d);
	CHECK_U(RtmHoldDestination(w, d, RTM_VIEW_MASK_UCAST, 60000), NO_ERROR);
	CHECK_U(pending(e, n, 1), 1);
	RTM_ROUTE_HANDLE keep = r;
	CHECK_U(RtmReferenceHandles(w, 1, &keep), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(w, r, NULL), NO_ERROR);
	struct change c[2];
	CHECK_U(drain(e, n, 1, c, 2), 1);
	CHECK(c[0].dest == d);
	CHECK_U(c[0].v[0].num, 0);
	CHECK(c[0].v[0].route == NULL);
	CHECK(c[0].v[0].hold == keep);
	rt_route_buf rb;
	CHECK_U(rt_route_info(w, keep, &rb), NO_ERROR);
	CHECK_U(rb.info.State, RTM_ROUTE_STATE_DELETED);
	CHECK_U(RtmReleaseRouteInfo(w, &rb.info), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(w, 1, &keep), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(w, &dq.info), NO_ERROR);
}

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;

static DWORD WINAPI cb_signal_cv(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE type, PVOID c1, PVOID c2)
{
	DWORD rc = cb_count(h, type, c1, c2);
	pthread_mutex_lock(&g_mu);
	pthread_cond_broadcast(&g_cv);
	pthread_mutex_unlock(&g_mu);
	return rc;
}

/* Waits (boundedly) until g_signals reaches n; no timing is asserted. */
static void wait_signals(int n)
{
	pthread_mutex_lock(&g_mu);
	for (int i = 0; i < 200 && atomic_load(&g_signals) < n; i++)
		rt_cond_wait_ms(&g_cv, &g_mu, 50);
	pthread_mutex_unlock(&g_mu);
}

/*
 * The two expiry tests run on real timers, and nothing bounds how long this
 * thread may be held up between starting a timer and draining.  So each tries
 * with a growing time (200 ms, then 4 and 16 times that): an attempt counts
 * when the first drain still saw the state before the timer fired — then the
 * timer's change must come on its own, with its own signal.  An attempt whose
 * timer fired first (the changes coalesced) is checked for consistency and
 * retried.  No timing is asserted.
 */
#define EXPIRY_FIRST_MS 200u
#define EXPIRY_ATTEMPTS 3

static void test_hold_expiry_notifies(void)
{
	RTM_ENTITY_HANDLE e = NULL;
	CHECK_U(rt_register_ex(0, AF_INET, 100, 1, cb_signal_cv, FALSE, NULL, &e, NULL), NO_ERROR);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_NOTIFY_HANDLE fwd = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_FORWARDING, NULL);
	bool seen = false;
	unsigned ms = EXPIRY_FIRST_MS;
	for (unsigned attempt = 0; attempt < EXPIRY_ATTEMPTS && !seen; attempt++, ms *= 4) {
		char text[16];
		snprintf(text, sizeof(text), "%u.0.0.0", 10 + attempt);
		RTM_ROUTE_HANDLE r;
		CHECK_U(add(w, text, 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r), NO_ERROR);
		CHECK_U(pending(e, n, 1), 1);
		CHECK_U(pending(e, fwd, 1), 1);
		rt_dest_buf dq;
		RTM_DEST_HANDLE d = dest_of(w, text, 8, &dq);
		REQUIRE(d);
		CHECK_U(RtmHoldDestination(w, d, RTM_VIEW_MASK_UCAST, ms), NO_ERROR);
		CHECK_U(RtmDeleteRouteToDest(w, r, NULL), NO_ERROR);
		/* Both queues were empty: the delete signalled both, before it
		 * returned.  From here on only the end of the hold-down signals. */
		int before = atomic_load(&g_signals);
		struct change c[2];
		CHECK_U(drain(e, n, 1, c, 2), 1);
		CHECK(c[0].dest == d);
		CHECK(c[0].v[0].route == NULL && c[0].v[0].num == 0);
		CHECK_U(pending(e, fwd, 1), 1); /* the best route went: forwarding changed */
		if (c[0].v[0].hold == NULL) {
			/* The hold-down ended before the drain: its change was
			 * coalesced with the delete's.  Try again, longer. */
			CHECK_U(RtmReleaseDestInfo(w, &dq.info), NO_ERROR);
			continue;
		}
		seen = true;
		/* The hold-down ends on the timer thread: a BEST change with no
		 * hold route, and its own signal. */
		wait_signals(before + 1);
		CHECK_U(atomic_load(&g_signals), before + 1);
		CHECK_U(drain(e, n, 1, c, 2), 1);
		CHECK(c[0].dest == d);
		CHECK(c[0].v[0].hold == NULL && c[0].v[0].route == NULL);
		/* The end of a hold-down does not change forwarding. */
		CHECK_U(pending(e, fwd, 1), 0);
		CHECK_U(atomic_load(&g_signals), before + 1);
		CHECK_U(RtmReleaseDestInfo(w, &dq.info), NO_ERROR);
	}
	CHECK(seen);
	CHECK_U(rt_stats(e).dests, 0);
}

static void test_expiry_notifies(void)
{
	RTM_ENTITY_HANDLE e = NULL;
	CHECK_U(rt_register_ex(0, AF_INET, 100, 1, cb_signal_cv, FALSE, NULL, &e, NULL), NO_ERROR);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	bool seen = false;
	unsigned ms = EXPIRY_FIRST_MS;
	for (unsigned attempt = 0; attempt < EXPIRY_ATTEMPTS && !seen; attempt++, ms *= 4) {
		char text[16];
		snprintf(text, sizeof(text), "%u.0.0.0", 10 + attempt);
		RTM_NET_ADDRESS a = rt_addr(text, 8);
		rt_route_buf rb;
		rt_route_fill(&rb.info, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL);
		RTM_ROUTE_CHANGE_FLAGS fl = 0;
		int expired = atomic_load(&g_expired);
		CHECK_U(RtmAddRouteToDest(e, NULL, &a, &rb.info, ms, NULL, 0, NULL, &fl), NO_ERROR);
		/* The queue was empty: the add signalled before it returned. */
		int before = atomic_load(&g_signals);
		struct change c[2];
		CHECK_U(drain(e, n, 1, c, 2), 1);
		CHECK(addr_is(&c[0].addr, text, 8));
		if (c[0].v[0].route == NULL) {
			/* It expired before the drain (coalesced with the add):
			 * consistent, but try again, longer. */
			CHECK_U(c[0].v[0].num, 0);
			CHECK_U(atomic_load(&g_expired), expired + 1);
			continue;
		}
		seen = true;
		CHECK_U(c[0].v[0].num, 1);
		/* The owner lets it expire (ERROR_NOT_SUPPORTED): the deletion is a
		 * change, with its own signal. */
		wait_signals(before + 1);
		CHECK_U(atomic_load(&g_expired), expired + 1);
		CHECK_U(atomic_load(&g_signals), before + 1);
		CHECK_U(drain(e, n, 1, c, 2), 1);
		CHECK(addr_is(&c[0].addr, text, 8));
		CHECK(c[0].v[0].route == NULL && c[0].v[0].num == 0);
	}
	CHECK(seen);
	CHECK_U(rt_stats(e).dests, 0);
}

/* Deregistering an entity deletes its routes; others hear of it. */
static void test_entity_deregistration_notifies(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	RTM_ENTITY_HANDLE x = reg(300, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_ROUTE_HANDLE rx;
	CHECK_U(add(w, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(add(w, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(add(x, "11.0.0.0", 8, 20, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &rx), NO_ERROR);
	CHECK_U(pending(e, n, 1), 2);
	int before = atomic_load(&g_signals);
	CHECK_U(RtmDeregisterEntity(w), NO_ERROR);
	CHECK_U(atomic_load(&g_signals), before + 1);
	struct change c[4];
	CHECK_U(drain(e, n, 1, c, 4), 2);
	CHECK(addr_is(&c[0].addr, "10.0.0.0", 8));
	CHECK(c[0].v[0].route == NULL);
	CHECK(addr_is(&c[1].addr, "11.0.0.0", 8));
	CHECK(c[1].v[0].route == rx && c[1].v[0].owner == x);
	CHECK_U(RtmReleaseRoutes(x, 1, &rx), NO_ERROR);
}

/* ---- ignore, status, marks -------------------------------------------------------------- */

static void test_ignore(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_NOTIFY_HANDLE other = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	CHECK_U(add(e, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(add(e, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	rt_dest_buf bx, by;
	RTM_DEST_HANDLE x = dest_of(e, "10.0.0.0", 8, &bx), y = dest_of(e, "11.0.0.0", 8, &by);
	REQUIRE(x && y);
	CHECK(status(e, n, x) == TRUE && status(e, n, y) == TRUE);
	CHECK_U(RtmIgnoreChangedDests(e, n, 1, &x), NO_ERROR);
	CHECK(status(e, n, x) == FALSE && status(e, n, y) == TRUE);
	/* Only this registration's change was ignored. */
	CHECK(status(e, other, x) == TRUE);
	struct change c[4];
	CHECK_U(drain(e, n, 1, c, 4), 1);
	CHECK(c[0].dest == y);
	CHECK(status(e, n, y) == FALSE);
	/* Ignoring what is not pending does nothing; a new change is reported. */
	CHECK_U(RtmIgnoreChangedDests(e, n, 1, &x), NO_ERROR);
	CHECK_U(add(e, "10.0.0.0", 8, 10, 2, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK(status(e, n, x) == TRUE);
	/* Ignored, then changed again while still queued: pending again, once. */
	CHECK_U(RtmIgnoreChangedDests(e, n, 1, &x), NO_ERROR);
	CHECK_U(add(e, "10.0.0.0", 8, 10, 3, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK(status(e, n, x) == TRUE);
	CHECK_U(drain(e, n, 1, c, 4), 1);
	CHECK(c[0].dest == x);
	/* Everything pending ignored: the next change signals again. */
	CHECK_U(add(e, "10.0.0.0", 8, 10, 4, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	RTM_DEST_HANDLE both[2] = { x, x };
	CHECK_U(RtmIgnoreChangedDests(e, n, 2, both), NO_ERROR);
	CHECK_U(pending(e, other, 1), 2);
	int before = atomic_load(&g_signals);
	CHECK_U(add(e, "11.0.0.0", 8, 10, 5, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(atomic_load(&g_signals), before + 2); /* n and other */
	CHECK_U(drain(e, n, 1, c, 4), 1);
	CHECK(c[0].dest == y);
	CHECK_U(RtmReleaseDestInfo(e, &bx.info), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(e, &by.info), NO_ERROR);
}

static void test_marks(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	RTM_NOTIFY_HANDLE m1 = notify(e, RTM_VIEW_MASK_UCAST,
				      RTM_CHANGE_TYPE_BEST | RTM_NOTIFY_ONLY_MARKED_DESTS, NULL);
	RTM_NOTIFY_HANDLE m2 = notify(e, RTM_VIEW_MASK_UCAST,
				      RTM_CHANGE_TYPE_ALL | RTM_NOTIFY_ONLY_MARKED_DESTS, NULL);
	RTM_NOTIFY_HANDLE all = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	CHECK_U(add(w, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(add(w, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	/* Nothing is marked yet. */
	CHECK_U(pending(e, m1, 1), 0);
	CHECK_U(pending(e, m2, 1), 0);
	CHECK_U(pending(e, all, 1), 2);
	rt_dest_buf bx, by;
	RTM_DEST_HANDLE x = dest_of(e, "10.0.0.0", 8, &bx), y = dest_of(e, "11.0.0.0", 8, &by);
	REQUIRE(x && y);
	CHECK(marked(e, m1, x) == FALSE);
	CHECK_U(RtmMarkDestForChangeNotification(e, m1, x, TRUE), NO_ERROR);
	CHECK_U(RtmMarkDestForChangeNotification(e, m1, x, TRUE), NO_ERROR); /* twice is once */
	CHECK(marked(e, m1, x) == TRUE);
	CHECK(marked(e, m1, y) == FALSE);
	CHECK(marked(e, m2, x) == FALSE); /* per registration */
	CHECK_U(add(w, "10.0.0.0", 8, 10, 2, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(add(w, "11.0.0.0", 8, 10, 2, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	struct change c[4];
	CHECK_U(drain(e, m1, 1, c, 4), 1);
	CHECK(c[0].dest == x);
	CHECK_U(pending(e, m2, 1), 0);
	/* Marked and unmarked: no more. */
	CHECK_U(RtmMarkDestForChangeNotification(e, m1, x, FALSE), NO_ERROR);
	CHECK(marked(e, m1, x) == FALSE);
	CHECK_U(RtmMarkDestForChangeNotification(e, m1, y, FALSE), NO_ERROR); /* not marked: fine */
	CHECK_U(add(w, "10.0.0.0", 8, 10, 3, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(pending(e, m1, 1), 0);
	/* A marked destination's deletion is reported; the mark lives as long as
	 * the destination object (our handle keeps it). */
	CHECK_U(RtmMarkDestForChangeNotification(e, m2, y, TRUE), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(w), NO_ERROR);
	CHECK_U(drain(e, m2, 1, c, 4), 1);
	CHECK(c[0].dest == y && c[0].v[0].num == 0);
	CHECK(marked(e, m2, y) == TRUE);
	CHECK_U(RtmReleaseDestInfo(e, &bx.info), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(e, &by.info), NO_ERROR);
}

/* ---- cleanup --------------------------------------------------------------------------- */

static void test_deregister_frees(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_NOTIFY_HANDLE m = notify(e, RTM_VIEW_MASK_UCAST,
				     RTM_CHANGE_TYPE_BEST | RTM_NOTIFY_ONLY_MARKED_DESTS, NULL);
	RTM_ROUTE_HANDLE r[3];
	CHECK_U(add(w, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r[0]), NO_ERROR);
	CHECK_U(add(w, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r[1]), NO_ERROR);
	CHECK_U(add(w, "12.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r[2]), NO_ERROR);
	rt_dest_buf bx;
	RTM_DEST_HANDLE x = dest_of(e, "12.0.0.0", 8, &bx);
	CHECK_U(RtmMarkDestForChangeNotification(e, m, x, TRUE), NO_ERROR);
	/* And a destination earlier in the table, marked too. */
	RTM_ROUTE_HANDLE early;
	CHECK_U(add(w, "9.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &early), NO_ERROR);
	rt_dest_buf b9;
	RTM_DEST_HANDLE nine = dest_of(e, "9.0.0.0", 8, &b9);
	CHECK_U(RtmMarkDestForChangeNotification(e, m, nine, TRUE), NO_ERROR);
	for (int i = 0; i < 3; i++)
		CHECK_U(RtmDeleteRouteToDest(w, r[i], NULL), NO_ERROR);
	/* Queued deleted destinations are kept by the queue alone (9/8 lives). */
	CHECK_U(rt_stats(e).dests, 4);
	CHECK_U(RtmDeregisterFromChangeNotification(e, n), NO_ERROR);
	CHECK_U(rt_stats(e).dests, 2); /* 12/8: our handle and m's queue; 9/8 */
	CHECK(status(e, m, x) == TRUE);
	CHECK_U(RtmDeregisterFromChangeNotification(e, m), NO_ERROR);
	CHECK_U(rt_stats(e).dests, 2); /* 12/8: our handle; 9/8 */
	/* The marks went with the registration: a new one (same index) has none. */
	RTM_NOTIFY_HANDLE m2 = notify(e, RTM_VIEW_MASK_UCAST,
				      RTM_CHANGE_TYPE_BEST | RTM_NOTIFY_ONLY_MARKED_DESTS, NULL);
	RTM_NOTIFY_HANDLE m3 = notify(e, RTM_VIEW_MASK_UCAST,
				      RTM_CHANGE_TYPE_BEST | RTM_NOTIFY_ONLY_MARKED_DESTS, NULL);
	CHECK(marked(e, m2, x) == FALSE);
	CHECK(marked(e, m3, x) == FALSE);
	CHECK(marked(e, m2, nine) == FALSE);
	CHECK(marked(e, m3, nine) == FALSE);
	CHECK_U(RtmReleaseDestInfo(e, &bx.info), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(e, &b9.info), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(w, early, NULL), NO_ERROR);
	CHECK_U(rt_stats(e).dests, 0);
	/* Deregistering the entity frees its registrations (their handles). */
	rtm_stats s = rt_stats(w);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
	CHECK_U(rt_stats(w).handles, s.handles - 2);
	CHECK_U(RtmMarkDestForChangeNotification(e, m2, x, TRUE), ERROR_INVALID_HANDLE);
}

static void test_deregister_entity_with_pending(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_ROUTE_HANDLE r;
	CHECK_U(add(w, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(w, r, NULL), NO_ERROR);
	CHECK_U(rt_stats(w).dests, 1);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
	CHECK_U(rt_stats(w).dests, 0);
	CHECK_U(rt_stats(w).handles, 0);
}

/* ---- views and layout ----------------------------------------------------------------- */

static void test_views_layout(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_NOTIFY_HANDLE two =
		notify(e, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST, RTM_CHANGE_TYPE_ALL, NULL);
	RTM_NOTIFY_HANDLE any = notify(e, RTM_VIEW_MASK_ANY, RTM_CHANGE_TYPE_ALL, NULL);
	RTM_ROUTE_HANDLE r1, r2;
	CHECK_U(add(e, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST, 0, NULL,
		    &r1),
		NO_ERROR);
	CHECK_U(add(e, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_MCAST, 0, NULL, &r2), NO_ERROR);
	/* Entries are RTM_SIZE_OF_DEST_INFO(2) apart, each with both views. */
	size_t stride = RTM_SIZE_OF_DEST_INFO(2);
	char *buf = calloc(2, stride);
	UINT num = 2;
	CHECK_U(RtmGetChangedDests(e, two, &num, (PRTM_DEST_INFO)(void *)buf), NO_ERROR);
	REQUIRE(num == 2);
	PRTM_DEST_INFO d0 = (void *)buf, d1 = (void *)(buf + stride);
	CHECK(addr_is(&d0->DestAddress, "10.0.0.0", 8) && addr_is(&d1->DestAddress, "11.0.0.0", 8));
	CHECK_U(d0->NumberOfViews, 2);
	CHECK_U(d1->NumberOfViews, 2);
	CHECK_U(d0->BelongsToViews, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST);
	CHECK_U(d1->BelongsToViews, RTM_VIEW_MASK_MCAST);
	CHECK(RT_VIEW(d0, 0).Route == r1 && RT_VIEW(d0, 1).Route == r1);
	CHECK_U(RT_VIEW(d1, 0).ViewId, RTM_VIEW_ID_UCAST);
	CHECK(RT_VIEW(d1, 0).Route == NULL);
	CHECK_U(RT_VIEW(d1, 1).ViewId, RTM_VIEW_ID_MCAST);
	CHECK(RT_VIEW(d1, 1).Route == r2);
	CHECK_U(RtmReleaseChangedDests(e, two, num, (PRTM_DEST_INFO)(void *)buf), NO_ERROR);
	/* RTM_VIEW_MASK_ANY: every view's changes, entries with no ViewInfo. */
	struct change c[4];
	CHECK_U(drain(e, any, 0, c, 4), 2);
	CHECK_U(c[0].nviews, 0);
	free(buf);
	CHECK_U(RtmReleaseRoutes(e, 1, &r1), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(e, 1, &r2), NO_ERROR);
}

/* ---- out of memory ------------------------------------------------------------------- */

static void test_nomem(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, 0, RTM_CHANGE_TYPE_BEST, NULL);
	CHECK_U(RtmDeregisterFromChangeNotification(e, n), NO_ERROR);
	/* Warmed up (the handle table has its memory): count the sites. */
	rtm_stats s0 = rt_stats(e);
	unsigned long at = rtm__alloc_count();
	n = notify(e, 0, RTM_CHANGE_TYPE_BEST, NULL);
	unsigned long sites = rtm__alloc_count() - at;
	CHECK(sites >= 2);
	CHECK_U(RtmDeregisterFromChangeNotification(e, n), NO_ERROR);
	for (unsigned long i = 1; i <= sites; i++) {
		rtm__alloc_fail_at(i);
		n = NULL;
		CHECK_U(RtmRegisterForChangeNotification(e, 0, RTM_CHANGE_TYPE_BEST, NULL, &n),
			ERROR_NOT_ENOUGH_MEMORY);
		rtm__alloc_fail_at(0);
		CHECK(n == NULL);
		CHECK_U(rt_stats(e).handles, s0.handles);
	}
	n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	/* A registration made on an empty table has room for 64 destinations;
	 * the 65th grows the queue before the destination is created.  When
	 * that fails the add fails and changes nothing. */
	char text[32];
	for (unsigned i = 0; i < 64; i++) {
		snprintf(text, sizeof(text), "10.0.%u.0", i);
		CHECK_U(add(e, text, 24, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	}
	rtm__alloc_fail_at(1);
	CHECK_U(add(e, "10.1.0.0", 24, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL),
		ERROR_NOT_ENOUGH_MEMORY);
	rtm__alloc_fail_at(0);
	CHECK_U(rt_stats(e).dests, 64);
	CHECK_U(rt_stats(e).routes, 64);
	/* A change to an existing destination needs no memory. */
	rtm__alloc_fail_at(1);
	CHECK_U(add(e, "10.0.0.0", 24, 10, 2, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	rtm__alloc_fail_at(0);
	CHECK_U(add(e, "10.1.0.0", 24, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(pending(e, n, 1), 65);
	/* Ignore and mark need the destination's extension. */
	CHECK_U(add(e, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	rt_dest_buf bx;
	RTM_DEST_HANDLE x = dest_of(e, "11.0.0.0", 8, &bx);
	rtm__alloc_fail_at(1);
	CHECK_U(RtmIgnoreChangedDests(e, n, 1, &x), ERROR_NOT_ENOUGH_MEMORY);
	rtm__alloc_fail_at(1);
	CHECK_U(RtmMarkDestForChangeNotification(e, n, x, TRUE), ERROR_NOT_ENOUGH_MEMORY);
	rtm__alloc_fail_at(0);
	CHECK(status(e, n, x) == TRUE);
	CHECK(marked(e, n, x) == FALSE);
	CHECK_U(RtmReleaseDestInfo(e, &bx.info), NO_ERROR);
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
	RUN(test_delete_while_pending);
	RUN(test_hold_while_pending);
	RUN(test_hold_expiry_notifies);
	RUN(test_expiry_notifies);
	RUN(test_entity_deregistration_notifies);
	RUN(test_ignore);
	RUN(test_marks);
	RUN(test_deregister_frees);
	RUN(test_deregister_entity_with_pending);
	RUN(test_views_layout);
	RUN(test_nomem);
	TEST_MAIN_END();
}
