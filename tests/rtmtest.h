/*
 * rtmtest.h — small helpers shared by the API tests (on top of testlib.h).
 *
 * Addresses from text, entities registered in one line, next hops and
 * routes added with the usual fields, buffers sized for the variable-size
 * information structures, and the counters of rtm_get_stats.  Everything is
 * static inline so that a test uses what it needs without unused-function
 * warnings.  Helpers return the API's DWORD, or report failures through
 * CHECK so that a test reads as a list of facts.
 */
#ifndef RTM_RTMTEST_H
#define RTM_RTMTEST_H

#include <rtmv2.h>
#include <rtmv2/rtmv2_ext.h>

#include "testlib.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

/* A route information buffer for up to 64 next hops (the configuration's maximum). */
typedef union {
	RTM_ROUTE_INFO info;
	char bytes[RTM_SIZE_OF_ROUTE_INFO(64)];
} rt_route_buf;

/* A destination information buffer for up to 32 views. */
typedef union {
	RTM_DEST_INFO info;
	char bytes[RTM_SIZE_OF_DEST_INFO(RTM_MAX_VIEWS)];
} rt_dest_buf;

/* ViewInfo entry i of a destination information buffer. */
#define RT_VIEW(di, i) \
	(*(__typeof__(&(di)->ViewInfo[0]))(void *)((char *)(di)->ViewInfo + (i) * sizeof((di)->ViewInfo[0])))

static inline DWORD WINAPI rt_cb_ignore(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE t, PVOID c1, PVOID c2)
{
	(void)h;
	(void)t;
	(void)c1;
	(void)c2;
	return NO_ERROR;
}

/* "10.1.0.0" / 16 or "2001:db8::" / 32 (family from the text). */
static inline RTM_NET_ADDRESS rt_addr(const char *text, unsigned len)
{
	RTM_NET_ADDRESS a;
	memset(&a, 0, sizeof(a));
	if (strchr(text, ':')) {
		a.AddressFamily = AF_INET6;
		if (inet_pton(AF_INET6, text, a.AddrBits) != 1)
			abort();
	} else {
		a.AddressFamily = AF_INET;
		if (inet_pton(AF_INET, text, a.AddrBits) != 1)
			abort();
	}
	a.NumBits = (USHORT)len;
	return a;
}

static inline bool rt_addr_eq(const RTM_NET_ADDRESS *a, const RTM_NET_ADDRESS *b)
{
	return a->AddressFamily == b->AddressFamily && a->NumBits == b->NumBits &&
	       memcmp(a->AddrBits, b->AddrBits, a->AddressFamily == AF_INET ? 4 : 16) == 0;
}

/* Registers (instance 0, family) entity (proto, inst); NO_ERROR or the code. */
static inline DWORD rt_register_ex(USHORT instance, USHORT family, ULONG proto, ULONG inst,
				   RTM_EVENT_CALLBACK cb, BOOL opaque, PRTM_ENTITY_EXPORT_METHODS methods,
				   RTM_ENTITY_HANDLE *h, RTM_REGN_PROFILE *profile)
{
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE p;
	memset(&info, 0, sizeof(info));
	info.RtmInstanceId = instance;
	info.AddressFamily = family;
	info.EntityId.EntityProtocolId = proto;
	info.EntityId.EntityInstanceId = inst;
	return RtmRegisterEntity(&info, methods, cb ? cb : rt_cb_ignore, opaque,
				 profile ? profile : &p, h);
}

/* Registers entity (proto, 1) with instance 0 of family; the handle, or NULL on failure. */
static inline RTM_ENTITY_HANDLE rt_register(USHORT family, ULONG proto)
{
	RTM_ENTITY_HANDLE h = NULL;
	DWORD rc = rt_register_ex(0, family, proto, 1, NULL, FALSE, NULL, &h, NULL);
	CHECK_U(rc, NO_ERROR);
	return rc == NO_ERROR ? h : NULL;
}

/* Adds (or finds) the caller's next hop at address text (host route) on ifindex; its handle. */
static inline RTM_NEXTHOP_HANDLE rt_nexthop(RTM_ENTITY_HANDLE e, const char *text, ULONG ifindex)
{
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress = rt_addr(text, strchr(text, ':') ? 128 : 32);
	ni.InterfaceIndex = ifindex;
	RTM_NEXTHOP_HANDLE h = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS fl = 0;
	DWORD rc = RtmAddNextHop(e, &ni, &h, &fl);
	CHECK_U(rc, NO_ERROR);
	return h;
}

/* Fills a route information structure with one next hop (or none). */
static inline void rt_route_fill(RTM_ROUTE_INFO *ri, ULONG pref, ULONG metric, RTM_VIEW_SET views,
				 RTM_NEXTHOP_HANDLE nh, RTM_NEXTHOP_HANDLE neighbour)
{
	memset(ri, 0, sizeof(*ri));
	ri->Neighbour = neighbour;
	ri->PrefInfo.Preference = pref;
	ri->PrefInfo.Metric = metric;
	ri->BelongsToViews = views;
	ri->NextHopsList.NumNextHops = nh ? 1 : 0;
	ri->NextHopsList.NextHops[0] = nh;
}

/* Adds a route; *out (if not NULL) receives its handle, *flags (if not NULL) the change flags. */
static inline DWORD rt_add_route(RTM_ENTITY_HANDLE e, const char *dest, unsigned len, ULONG pref,
				 ULONG metric, RTM_VIEW_SET views, RTM_NEXTHOP_HANDLE nh,
				 RTM_NEXTHOP_HANDLE neighbour, RTM_ROUTE_HANDLE *out, DWORD *flags)
{
	RTM_NET_ADDRESS a = rt_addr(dest, len);
	rt_route_buf rb;
	rt_route_fill(&rb.info, pref, metric, views, nh, neighbour);
	RTM_ROUTE_CHANGE_FLAGS fl = 0;
	if (out)
		*out = NULL;
	DWORD rc = RtmAddRouteToDest(e, out, &a, &rb.info, INFINITE, NULL, 0, NULL, &fl);
	if (flags)
		*flags = fl;
	return rc;
}

static inline rtm_stats rt_stats(RTM_ENTITY_HANDLE e)
{
	rtm_stats s;
	memset(&s, 0xFF, sizeof(s));
	DWORD rc = rtm_get_stats(e, &s);
	CHECK_U(rc, NO_ERROR);
	return s;
}

/* Route information of h (referenced); release with RtmReleaseRouteInfo. */
static inline DWORD rt_route_info(RTM_ENTITY_HANDLE e, RTM_ROUTE_HANDLE h, rt_route_buf *rb)
{
	memset(rb, 0, sizeof(*rb));
	return RtmGetRouteInfo(e, h, &rb->info, NULL);
}

/* The best route of the exact destination in one view (NULL if none); no reference kept. */
static inline RTM_ROUTE_HANDLE rt_best(RTM_ENTITY_HANDLE e, const char *dest, unsigned len,
				       RTM_VIEW_SET view)
{
	RTM_NET_ADDRESS a = rt_addr(dest, len);
	rt_dest_buf db;
	if (RtmGetExactMatchDestination(e, &a, RTM_BEST_PROTOCOL, view, &db.info) != NO_ERROR)
		return NULL;
	RTM_ROUTE_HANDLE r = db.info.NumberOfViews ? RT_VIEW(&db.info, 0).Route : NULL;
	CHECK_U(RtmReleaseDestInfo(e, &db.info), NO_ERROR);
	return r;
}

/* The CLOCK_REALTIME time ms milliseconds from now (for the timed waits). */
static inline struct timespec rt_deadline_ms(unsigned ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* Waits on a condition with a generous bound (no assertion on elapsed time). */
static inline int rt_cond_wait_ms(pthread_cond_t *c, pthread_mutex_t *m, unsigned ms)
{
	struct timespec ts = rt_deadline_ms(ms);
	return pthread_cond_timedwait(c, m, &ts);
}

/* Checks made on threads other than the test's own: a failure is printed and
 * counted in rt_thread_errors, which the test checks once they are joined. */
static atomic_uint rt_thread_errors __attribute__((unused));
#define T_CHECK(cond)                                                                          \
	do {                                                                                   \
		if (!(cond)) {                                                                 \
			fprintf(stderr, "  %s:%d: thread check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                        \
			atomic_fetch_add(&rt_thread_errors, 1);                                \
		}                                                                              \
	} while (0)

static inline void rt_sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* The bound of rt_wait_until: only so that a bug fails the test instead of
 * hanging it (testlib's deadline would end it later anyway). */
#define RT_WAIT_BOUND_MS 10000u

/* Polls cond(arg) (no lock of the test held) until it is true, for at most
 * RT_WAIT_BOUND_MS; returns its last value.  No assertion on elapsed time. */
static inline bool rt_wait_until(bool (*cond)(void *), void *arg)
{
	for (unsigned waited = 0; waited < RT_WAIT_BOUND_MS; waited++) {
		if (cond(arg))
			return true;
		rt_sleep_ms(1);
	}
	return cond(arg);
}

/*
 * "Nothing happened yet" checks: a thread is blocked in the library, and the
 * test checks that it has not got through.  Such a check proves something
 * only once the thread is known to be waiting, so the test waits until the
 * library shows the waiter, in rtm_stats (for the caller's RIB):
 *
 *   waiting_invokes  threads in RtmInvokeMethod waiting for the target's
 *                    methods to be resumed (RtmBlockMethods);
 *   waiting_locks    threads waiting for a client-lock stripe: RtmLock*
 *                    calls, and changes and timer fires waiting for a
 *                    destination, route or next hop a client holds locked;
 *   waiting_drains   threads in RtmDeregisterEntity or RtmBlockMethods
 *                    waiting for the entity's callbacks or methods running on
 *                    other threads to return.
 *
 * rtmv2_ext.h defines RTM_STATS_HAS_WAITERS once rtm_stats has them; until
 * then a check can only give the thread time (fallback_ms) and hope.
 */
enum rt_waiter { RT_WAITING_INVOKES, RT_WAITING_LOCKS, RT_WAITING_DRAINS };

struct rt_waiters_q {
	RTM_ENTITY_HANDLE e;
	enum rt_waiter kind;
	unsigned long n;
};

static inline bool rt_waiters_reached(void *arg)
{
	struct rt_waiters_q *q = arg;
	rtm_stats s;
	if (rtm_get_stats(q->e, &s) != NO_ERROR)
		return false;
#ifdef RTM_STATS_HAS_WAITERS
	unsigned long n = q->kind == RT_WAITING_INVOKES ? s.waiting_invokes
			  : q->kind == RT_WAITING_LOCKS  ? s.waiting_locks
							 : s.waiting_drains;
	return n >= q->n;
#else
	return false;
#endif
}

/* Waits until at least n threads of e's RIB wait as kind says (bounded by
 * RT_WAIT_BOUND_MS; false if they never did), or, without the counters,
 * sleeps fallback_ms and returns true. */
static inline bool rt_wait_waiters(RTM_ENTITY_HANDLE e, enum rt_waiter kind, unsigned long n,
				   unsigned fallback_ms)
{
#ifdef RTM_STATS_HAS_WAITERS
	struct rt_waiters_q q = { e, kind, n };
	(void)fallback_ms;
	return rt_wait_until(rt_waiters_reached, &q);
#else
	(void)e;
	(void)kind;
	(void)n;
	rt_sleep_ms(fallback_ms);
	return true;
#endif
}

#endif
