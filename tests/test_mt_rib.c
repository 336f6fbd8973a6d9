/*
 * test_mt_rib.c — concurrency (run under TSan by `make check-tsan`).
 *
 * 1. Several threads register and deregister entities and add, find and
 *    delete next hops at the same time, while every registration and
 *    deregistration is announced to the others (issue #3).
 * 2. Two writer threads churn two protocols' routes over a few thousand
 *    prefixes while two readers do longest-match lookups and information
 *    calls, checking that a best route returned is one of the destination's
 *    routes (RtmGetRouteInfo on it succeeds and names the destination) and
 *    that every handle returned stays valid until released (issue #4).
 * 3. A release that frees objects races the deregistration of the RIB's
 *    last entity, which frees every object left: the release must not touch
 *    what the deregistration freed (found under ASan).
 *
 * Iteration counts are bounded so that each test takes well under a few
 * seconds even under TSan on two cores.
 */
#include "rtmtest.h"

#include <sched.h>
#include <stdatomic.h>

static atomic_uint event_count;

static DWORD WINAPI counting_cb(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE t, PVOID c1, PVOID c2)
{
	(void)h;
	(void)c1;
	(void)c2;
	if (t == RTM_ENTITY_REGISTERED || t == RTM_ENTITY_DEREGISTERED)
		atomic_fetch_add(&event_count, 1);
	return NO_ERROR;
}

/* ---- 1. registration and next hops ---------------------------------------------- */

enum { REG_THREADS = 4, REG_ROUNDS = 150, REG_HOPS = 6 };

static void *reg_thread(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;
	for (unsigned round = 0; round < REG_ROUNDS; round++) {
		RTM_ENTITY_HANDLE e = NULL;
		DWORD rc = rt_register_ex(0, round % 2 ? AF_INET6 : AF_INET, 100 + id, round, counting_cb, round % 3 == 0,
					  NULL, &e, NULL);
		T_CHECK(rc == NO_ERROR);
		if (rc != NO_ERROR)
			continue;
		RTM_NEXTHOP_HANDLE hs[REG_HOPS];
		for (unsigned i = 0; i < REG_HOPS; i++) {
			RTM_NEXTHOP_INFO ni;
			memset(&ni, 0, sizeof(ni));
			char t[64];
			if (round % 2)
				snprintf(t, sizeof(t), "2001:db8::%x:%x", id, i);
			else
				snprintf(t, sizeof(t), "10.%u.%u.1", id, i);
			ni.NextHopAddress = rt_addr(t, round % 2 ? 128 : 32);
			ni.InterfaceIndex = i;
			RTM_NEXTHOP_CHANGE_FLAGS fl = 0;
			hs[i] = NULL;
			T_CHECK(RtmAddNextHop(e, &ni, &hs[i], &fl) == NO_ERROR);
			T_CHECK(fl == RTM_NEXTHOP_CHANGE_NEW);
			RTM_NEXTHOP_HANDLE f = NULL;
			T_CHECK(RtmFindNextHop(e, &ni, &f, NULL) == NO_ERROR && f == hs[i]);
			T_CHECK(RtmReleaseNextHops(e, 1, &f) == NO_ERROR);
			RTM_NEXTHOP_INFO got;
			T_CHECK(RtmGetNextHopInfo(e, hs[i], &got) == NO_ERROR && got.NextHopOwner == e);
			T_CHECK(RtmReleaseNextHopInfo(e, &got) == NO_ERROR);
		}
		/* See who else is there; read their information. */
		RTM_ENTITY_HANDLE others[32];
		UINT n = 32;
		rc = RtmGetRegisteredEntities(e, &n, others, NULL);
		T_CHECK(rc == NO_ERROR && n >= 1);
		for (UINT i = 0; i < n; i++) {
			RTM_ENTITY_INFO ei;
			T_CHECK(RtmGetEntityInfo(e, others[i], &ei) == NO_ERROR);
		}
		T_CHECK(RtmReleaseEntities(e, n, others) == NO_ERROR);
		/* Delete half of the next hops (by handle and by information), keep the rest. */
		for (unsigned i = 0; i < REG_HOPS; i += 2)
			T_CHECK(RtmDeleteNextHop(e, hs[i], NULL) == NO_ERROR);
		for (unsigned i = 1; i < REG_HOPS; i += 2)
			T_CHECK(RtmReleaseNextHops(e, 1, &hs[i]) == NO_ERROR);
		T_CHECK(RtmDeregisterEntity(e) == NO_ERROR);
		T_CHECK(RtmDeregisterEntity(e) == ERROR_INVALID_HANDLE);
	}
	return NULL;
}

static void test_register_and_nexthops(void)
{
	RTM_ENTITY_HANDLE watch4, watch6;
	REQUIRE(rt_register_ex(0, AF_INET, 1, 1, counting_cb, FALSE, NULL, &watch4, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET6, 1, 1, counting_cb, FALSE, NULL, &watch6, NULL) == NO_ERROR);
	atomic_store(&event_count, 0);
	pthread_t t[REG_THREADS];
	for (unsigned i = 0; i < REG_THREADS; i++)
		REQUIRE(pthread_create(&t[i], NULL, reg_thread, (void *)(uintptr_t)i) == 0);
	for (unsigned i = 0; i < REG_THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK_U(atomic_load(&rt_thread_errors), 0);
	/* The watchers heard every registration and deregistration of their family. */
	CHECK(atomic_load(&event_count) >= 2u * REG_THREADS * REG_ROUNDS);
	rtm_stats s4 = rt_stats(watch4), s6 = rt_stats(watch6);
	CHECK_U(s4.entities, 1);
	CHECK_U(s4.next_hops, 0);
	CHECK_U(s4.handles, 0);
	CHECK_U(s6.entities, 1);
	CHECK_U(s6.next_hops, 0);
	CHECK_U(s6.handles, 0);
	/* Every opaque slot came back. */
	RTM_ENTITY_HANDLE h[16];
	for (unsigned i = 0; i < 16; i++)
		CHECK_U(rt_register_ex(0, AF_INET, 500 + i, 1, NULL, TRUE, NULL, &h[i], NULL), NO_ERROR);
	for (unsigned i = 0; i < 16; i++)
		RtmDeregisterEntity(h[i]);
	RtmDeregisterEntity(watch4);
	RtmDeregisterEntity(watch6);
}

/* ---- 2. writers and readers ---------------------------------------------------------- */

enum { PREFIXES = 3000, WRITER_OPS = 30000, READER_OPS = 20000 };

static atomic_bool stop_readers;

struct writer {
	RTM_ENTITY_HANDLE e;
	RTM_NEXTHOP_HANDLE nh[4];
	RTM_ROUTE_HANDLE *routes; /* per prefix, or NULL */
	unsigned seed;
};

static unsigned rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* Prefix i (distinct for each i): 10.x.y.0/24, with /20s and /22s among
 * them that cover some of the /24s, so that lookups and walks nest. */
static RTM_NET_ADDRESS prefix(unsigned i)
{
	RTM_NET_ADDRESS a = rt_addr("10.0.0.0", 24);
	a.AddrBits[1] = (UCHAR)(i / 64);
	a.AddrBits[2] = (UCHAR)(i % 64 * 4);
	if (i % 8 == 1) {
		a.NumBits = 20;
		a.AddrBits[2] &= 0xF0;
	} else if (i % 8 == 3) {
		a.NumBits = 22;
	}
	return a;
}

static void *writer_thread(void *arg)
{
	struct writer *w = arg;
	for (unsigned op = 0; op < WRITER_OPS; op++) {
		unsigned i = rnd(&w->seed) % PREFIXES;
		RTM_NET_ADDRESS d = prefix(i);
		if (w->routes[i] && rnd(&w->seed) % 3 == 0) {
			DWORD fl;
			T_CHECK(RtmDeleteRouteToDest(w->e, w->routes[i], &fl) == NO_ERROR);
			w->routes[i] = NULL;
			continue;
		}
		rt_route_buf rb;
		rt_route_fill(&rb.info, rnd(&w->seed) % 4, rnd(&w->seed) % 100, RTM_VIEW_MASK_UCAST,
			      w->nh[rnd(&w->seed) % 4], NULL);
		DWORD fl = 0;
		RTM_ROUTE_HANDLE h = w->routes[i];
		T_CHECK(RtmAddRouteToDest(w->e, &h, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl) == NO_ERROR);
		T_CHECK(w->routes[i] == NULL || h == w->routes[i]);
		T_CHECK(w->routes[i] != NULL || (fl & RTM_ROUTE_CHANGE_NEW));
		w->routes[i] = h;
	}
	return NULL;
}

struct reader {
	RTM_ENTITY_HANDLE e;
	unsigned seed;
	unsigned found, best_checked;
};

static bool contains(const RTM_NET_ADDRESS *pfx, const UCHAR *addr)
{
	for (unsigned b = 0; b < pfx->NumBits; b++) {
		unsigned byte = b / 8, bit = 7 - b % 8;
		if (((pfx->AddrBits[byte] >> bit) & 1) != ((addr[byte] >> bit) & 1))
			return false;
	}
	return true;
}

static void *reader_thread(void *arg)
{
	struct reader *r = arg;
	for (unsigned op = 0; op < READER_OPS; op++) {
		RTM_NET_ADDRESS q = rt_addr("10.0.0.0", 32);
		unsigned v = rnd(&r->seed);
		q.AddrBits[1] = (UCHAR)(v % (PREFIXES / 64 + 1));
		q.AddrBits[2] = (UCHAR)(v >> 8);
		q.AddrBits[3] = (UCHAR)(v >> 16);
		rt_dest_buf db;
		DWORD rc = RtmGetMostSpecificDestination(r->e, &q, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &db.info);
		T_CHECK(rc == NO_ERROR || rc == ERROR_NOT_FOUND);
		if (rc != NO_ERROR)
			continue;
		r->found++;
		T_CHECK(contains(&db.info.DestAddress, q.AddrBits));
		T_CHECK(db.info.NumberOfViews == 1);
		RTM_ROUTE_HANDLE best = RT_VIEW(&db.info, 0).Route;
		/* The longest match lands on a destination with a unicast route. */
		T_CHECK(best != NULL);
		T_CHECK(RT_VIEW(&db.info, 0).NumRoutes >= 1);
		if (best) {
			/* The best route is one of the destination's routes, and its
			 * handle stays valid while we hold it, whatever the writers do. */
			rt_route_buf rb;
			T_CHECK(rt_route_info(r->e, best, &rb) == NO_ERROR);
			T_CHECK(rb.info.DestHandle == db.info.DestHandle);
			T_CHECK(rb.info.RouteOwner == RT_VIEW(&db.info, 0).Owner);
			T_CHECK(rb.info.BelongsToViews & RTM_VIEW_MASK_UCAST);
			T_CHECK(rb.info.State == RTM_ROUTE_STATE_CREATED ||
				rb.info.State == RTM_ROUTE_STATE_DELETED);
			T_CHECK(RtmReleaseRouteInfo(r->e, &rb.info) == NO_ERROR);
			RTM_VIEW_SET views;
			T_CHECK(RtmIsBestRoute(r->e, best, &views) == NO_ERROR);
			RTM_NET_ADDRESS ra;
			T_CHECK(RtmGetRouteInfo(r->e, best, NULL, &ra) == NO_ERROR);
			T_CHECK(rt_addr_eq(&ra, &db.info.DestAddress));
			r->best_checked++;
		}
		/* The destination handle too: its information, and a walk up. */
		rt_dest_buf again;
		T_CHECK(RtmGetDestInfo(r->e, db.info.DestHandle, RTM_THIS_PROTOCOL, RTM_VIEW_MASK_UCAST,
				       &again.info) == NO_ERROR);
		T_CHECK(rt_addr_eq(&again.info.DestAddress, &db.info.DestAddress));
		T_CHECK(RtmReleaseDestInfo(r->e, &again.info) == NO_ERROR);
		rc = RtmGetLessSpecificDestination(r->e, db.info.DestHandle, 0, RTM_VIEW_MASK_UCAST, &again.info);
		T_CHECK(rc == NO_ERROR || rc == ERROR_NOT_FOUND);
		if (rc == NO_ERROR) {
			T_CHECK(again.info.DestAddress.NumBits < db.info.DestAddress.NumBits);
			T_CHECK(contains(&again.info.DestAddress, q.AddrBits));
			T_CHECK(RtmReleaseDestInfo(r->e, &again.info) == NO_ERROR);
		}
		T_CHECK(RtmReleaseDestInfo(r->e, &db.info) == NO_ERROR);
		if (atomic_load_explicit(&stop_readers, memory_order_relaxed) && op > READER_OPS / 4)
			break;
	}
	return NULL;
}

static void test_writers_and_readers(void)
{
	struct writer w[2];
	struct reader r[2];
	for (unsigned i = 0; i < 2; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		REQUIRE(rt_register_ex(0, AF_INET, 10 + i, 1, NULL, FALSE, NULL, &w[i].e, NULL) == NO_ERROR);
		for (unsigned k = 0; k < 4; k++) {
			char t[32];
			snprintf(t, sizeof(t), "192.0.%u.%u", i, k + 1);
			w[i].nh[k] = rt_nexthop(w[i].e, t, k);
		}
		w[i].routes = calloc(PREFIXES, sizeof(RTM_ROUTE_HANDLE));
		REQUIRE(w[i].routes);
		w[i].seed = 17 + i;
		memset(&r[i], 0, sizeof(r[i]));
		REQUIRE(rt_register_ex(0, AF_INET, 50 + i, 1, NULL, FALSE, NULL, &r[i].e, NULL) == NO_ERROR);
		r[i].seed = 99 + i;
	}
	/* A default route so that most lookups find something from the start. */
	RTM_NEXTHOP_HANDLE dn = rt_nexthop(r[0].e, "192.0.9.9", 1);
	REQUIRE(rt_add_route(r[0].e, "0.0.0.0", 0, 100, 100, RTM_VIEW_MASK_UCAST, dn, NULL, NULL, NULL) == NO_ERROR);

	pthread_t tw[2], tr[2];
	for (unsigned i = 0; i < 2; i++) {
		REQUIRE(pthread_create(&tw[i], NULL, writer_thread, &w[i]) == 0);
		REQUIRE(pthread_create(&tr[i], NULL, reader_thread, &r[i]) == 0);
	}
	for (unsigned i = 0; i < 2; i++)
		pthread_join(tw[i], NULL);
	atomic_store(&stop_readers, true);
	for (unsigned i = 0; i < 2; i++)
		pthread_join(tr[i], NULL);
	CHECK_U(atomic_load(&rt_thread_errors), 0);
	CHECK(r[0].found > 0 && r[1].found > 0);
	CHECK(r[0].best_checked > 0);

	/* The table agrees with the writers' own records. */
	unsigned live = 0, both = 0;
	for (unsigned i = 0; i < PREFIXES; i++) {
		unsigned n = (w[0].routes[i] != NULL) + (w[1].routes[i] != NULL);
		live += n;
		both += n == 2;
		RTM_NET_ADDRESS d = prefix(i);
		rt_dest_buf db;
		DWORD rc = RtmGetExactMatchDestination(r[0].e, &d, 0, RTM_VIEW_MASK_UCAST, &db.info);
		if (n == 0) {
			CHECK_U(rc, ERROR_NOT_FOUND);
			continue;
		}
		CHECK_U(rc, NO_ERROR);
		if (rc != NO_ERROR)
			continue;
		CHECK_U(RT_VIEW(&db.info, 0).NumRoutes, n);
		RTM_ROUTE_HANDLE best = RT_VIEW(&db.info, 0).Route;
		CHECK(best == w[0].routes[i] || best == w[1].routes[i]);
		RtmReleaseDestInfo(r[0].e, &db.info);
	}
	rtm_stats s = rt_stats(r[0].e);
	CHECK_U(s.routes, live + 1);
	CHECK(both > 0);
	/* Writers leave; only the default route remains. */
	for (unsigned i = 0; i < 2; i++) {
		for (unsigned p = 0; p < PREFIXES; p++)
			if (w[i].routes[p])
				RtmReleaseRoutes(w[i].e, 1, &w[i].routes[p]);
		RtmReleaseNextHops(w[i].e, 4, w[i].nh);
		CHECK_U(RtmDeregisterEntity(w[i].e), NO_ERROR);
		free(w[i].routes);
	}
	s = rt_stats(r[0].e);
	CHECK_U(s.routes, 1);
	CHECK_U(s.dests, 1);
	RtmReleaseNextHops(r[0].e, 1, &dn);
	RtmDeregisterEntity(r[0].e);
	RtmDeregisterEntity(r[1].e);
}

/* Test 3: the releasing thread and the deregistering main thread. */
enum { RACE_DESTS = 100 };
static struct {
	RTM_ENTITY_HANDLE e;
	RTM_DEST_INFO infos[RACE_DESTS];
	atomic_int go, done; /* round numbers; go < 0: stop */
	DWORD rc;
} race;

static void *race_releaser(void *arg)
{
	(void)arg;
	for (int round = 1;; round++) {
		int g;
		while ((g = atomic_load(&race.go)) != round)
			if (g < 0)
				return NULL;
		race.rc = RtmReleaseDests(race.e, RACE_DESTS, race.infos);
		atomic_store(&race.done, round);
	}
}

static void test_release_races_deactivation(void)
{
	pthread_t t;
	REQUIRE(pthread_create(&t, NULL, race_releaser, NULL) == 0);
	unsigned ok = 0, refused = 0;
	for (int round = 1; round <= 150; round++) {
		RTM_ENTITY_HANDLE e = NULL;
		REQUIRE(rt_register_ex(7, AF_INET, 1, 1, NULL, FALSE, NULL, &e, NULL) == NO_ERROR);
		for (unsigned i = 0; i < RACE_DESTS; i++) {
			char a[32];
			snprintf(a, sizeof(a), "10.%u.%u.0", i / 256, i % 256);
			RTM_ROUTE_HANDLE r;
			REQUIRE(rt_add_route(e, a, 24, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &r, NULL) ==
				NO_ERROR);
			RTM_NET_ADDRESS ad = rt_addr(a, 24);
			REQUIRE(RtmGetExactMatchDestination(e, &ad, RTM_BEST_PROTOCOL,
							    RTM_VIEW_MASK_UCAST,
							    &race.infos[i]) == NO_ERROR);
			/* Deleted: the information keeps route and destination,
			 * and the release frees them. */
			REQUIRE(RtmDeleteRouteToDest(e, r, NULL) == NO_ERROR);
		}
		race.e = e;
		atomic_store(&race.go, round);
		/* Let the release get under way by a varying amount. */
		for (int k = 0; k < round % 7 * 40; k++)
			sched_yield();
		CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
		while (atomic_load(&race.done) != round)
			sched_yield();
		CHECK(race.rc == NO_ERROR || race.rc == ERROR_INVALID_HANDLE);
		if (race.rc == NO_ERROR)
			ok++;
		else
			refused++;
	}
	atomic_store(&race.go, -1);
	pthread_join(t, NULL);
	printf("  %u releases before or during the deregistration, %u after it\n", ok, refused);
	/* The table of instance 7 is empty for its next entity. */
	RTM_ENTITY_HANDLE e = NULL;
	REQUIRE(rt_register_ex(7, AF_INET, 1, 1, NULL, FALSE, NULL, &e, NULL) == NO_ERROR);
	rtm_stats st = rt_stats(e);
	CHECK_U(st.dests, 0);
	CHECK_U(st.routes, 0);
	CHECK_U(st.handles, 0);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
}

int main(void)
{
	RUN(test_register_and_nexthops);
	RUN(test_writers_and_readers);
	RUN(test_release_races_deactivation);
	TEST_MAIN_END();
}
