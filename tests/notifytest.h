/*
 * notifytest.h — helpers shared by test_notify_changes.c and
 * test_notify_state.c: an event callback that counts, entities and
 * registrations created with a check, routes added with flags, and the
 * changed destinations drained batch by batch into plain records.
 */
#ifndef RTM_NOTIFYTEST_H
#define RTM_NOTIFYTEST_H

#include "rtmtest.h"

#include <stdatomic.h>

static __attribute__((unused)) atomic_int g_signals;
static __attribute__((unused)) atomic_int g_expired;
static __attribute__((unused)) PVOID g_c1, g_c2;
static __attribute__((unused)) RTM_ENTITY_HANDLE g_to;

static inline DWORD WINAPI cb_count(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE type, PVOID c1, PVOID c2)
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

static __attribute__((unused)) RTM_ENTITY_HANDLE reg(ULONG proto, RTM_REGN_PROFILE *profile)
{
	RTM_ENTITY_HANDLE h = NULL;
	CHECK_U(rt_register_ex(0, AF_INET, proto, 1, cb_count, FALSE, NULL, &h, profile), NO_ERROR);
	return h;
}

static inline RTM_NOTIFY_HANDLE notify(RTM_ENTITY_HANDLE e, RTM_VIEW_SET views,
				       RTM_NOTIFY_FLAGS flags, PVOID ctx)
{
	RTM_NOTIFY_HANDLE n = NULL;
	CHECK_U(RtmRegisterForChangeNotification(e, views, flags, ctx, &n), NO_ERROR);
	return n;
}

/* Adds or updates the caller's route (same neighbour: none) with flags. */
static inline DWORD add(RTM_ENTITY_HANDLE e, const char *dest, unsigned len, ULONG pref,
			ULONG metric, RTM_VIEW_SET views, USHORT flags, RTM_NEXTHOP_HANDLE nh,
			RTM_ROUTE_HANDLE *out)
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
static inline unsigned drain_batch(RTM_ENTITY_HANDLE e, RTM_NOTIFY_HANDLE nh, unsigned nviews,
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

static inline unsigned drain(RTM_ENTITY_HANDLE e, RTM_NOTIFY_HANDLE nh, unsigned nviews,
			     struct change *out, unsigned cap)
{
	return drain_batch(e, nh, nviews, out, cap, 100);
}

static inline unsigned pending(RTM_ENTITY_HANDLE e, RTM_NOTIFY_HANDLE nh, unsigned nviews)
{
	return drain(e, nh, nviews, NULL, 0);
}

static inline bool addr_is(const RTM_NET_ADDRESS *a, const char *text, unsigned len)
{
	RTM_NET_ADDRESS b = rt_addr(text, len);
	return rt_addr_eq(a, &b);
}

/* The destination handle of a prefix (referenced: release with RtmReleaseDestInfo). */
static inline RTM_DEST_HANDLE dest_of(RTM_ENTITY_HANDLE e, const char *text, unsigned len,
				      rt_dest_buf *db)
{
	RTM_NET_ADDRESS a = rt_addr(text, len);
	if (RtmGetExactMatchDestination(e, &a, RTM_BEST_PROTOCOL, 0, &db->info) != NO_ERROR)
		return NULL;
	return db->info.DestHandle;
}

static inline BOOL status(RTM_ENTITY_HANDLE e, RTM_NOTIFY_HANDLE nh, RTM_DEST_HANDLE d)
{
	BOOL s = 42;
	CHECK_U(RtmGetChangeStatus(e, nh, d, &s), NO_ERROR);
	CHECK(s == TRUE || s == FALSE);
	return s;
}

static inline BOOL marked(RTM_ENTITY_HANDLE e, RTM_NOTIFY_HANDLE nh, RTM_DEST_HANDLE d)
{
	BOOL s = 42;
	CHECK_U(RtmIsMarkedForChangeNotification(e, nh, d, &s), NO_ERROR);
	CHECK(s == TRUE || s == FALSE);
	return s;
}

static const HANDLE GARBAGE __attribute__((unused)) = (HANDLE)(uintptr_t)0xdeadbeefcafe0007ull;

#endif
