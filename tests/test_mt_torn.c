/*
 * test_mt_torn.c — a route whose number of next hops keeps changing, read
 * by lock-free readers at the same time (under TSan too: `make check-tsan`
 * runs every tests/test_mt_*.c).
 *
 * A route keeps its next hops in two fields: their number, and a word that
 * is the one next hop or a shared list's array.  A writer cycles one route
 * through 0, 3 and 2 next hops, so a reader that took the number from one
 * write and the word from another would index NULL, a next hop's own
 * memory, or a list too short (found by review: it crashed at once).
 * Readers meanwhile ask RtmGetExactMatchRoute with RTM_MATCH_INTERFACE
 * (which follows the next hops), RtmGetRouteInfo of the route, and a route
 * enumeration matching the interface: each answer has 0, 2 or 3 next hops,
 * the ones the writer gave, and interface 7 is among them when matched.
 * Counts, no timing.
 */
#define TL_TIMEOUT_S 120
#include "rtmtest.h"

#ifdef TL_SLOW
enum { WRITES = 30000 };
#else
enum { WRITES = 300000 };
#endif

static struct {
	RTM_ENTITY_HANDLE e, r;
	RTM_NEXTHOP_HANDLE nh[3]; /* on interfaces 5, 7, 8 */
	RTM_ROUTE_HANDLE route;
	atomic_bool stop;
} g;

static void *writer_main(void *arg)
{
	(void)arg;
	RTM_NET_ADDRESS a = rt_addr("10.1.0.0", 16);
	for (unsigned i = 0; i < WRITES; i++) {
		rt_route_buf rb;
		rt_route_fill(&rb.info, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL);
		unsigned n = i % 3 == 0 ? 0 : i % 3 == 1 ? 3 : 2;
		RTM_NEXTHOP_HANDLE *hs = rb.info.NextHopsList.NextHops; /* declared [1]; the buffer has room */
		rb.info.NextHopsList.NumNextHops = (USHORT)n;
		for (unsigned j = 0; j < n; j++)
			hs[j] = g.nh[j];
		RTM_ROUTE_CHANGE_FLAGS fl = 0;
		T_CHECK(RtmAddRouteToDest(g.e, &g.route, &a, &rb.info, INFINITE, NULL, 0, NULL, &fl) == NO_ERROR);
	}
	atomic_store(&g.stop, true);
	return NULL;
}

/* The next hops of an answer: 0, 2 or 3 of the writer's, in its order. */
static void check_nexthops(const RTM_ROUTE_INFO *ri, bool on_7)
{
	unsigned n = ri->NextHopsList.NumNextHops;
	const RTM_NEXTHOP_HANDLE *hs = ri->NextHopsList.NextHops;
	T_CHECK(n == 0 || n == 2 || n == 3);
	for (unsigned j = 0; j < n && j < 3; j++)
		T_CHECK(hs[j] == g.nh[j]);
	if (on_7)
		T_CHECK(n >= 2); /* nh[1], on interface 7 */
}

static void *reader_main(void *arg)
{
	(void)arg;
	RTM_NET_ADDRESS a = rt_addr("10.1.0.0", 16);
	unsigned reads = 0;
	while (!atomic_load(&g.stop) || reads < 1000) {
		rt_route_buf rb;
		memset(&rb, 0, sizeof(rb));
		RTM_ROUTE_HANDLE rh = NULL;
		DWORD rc;
		switch (reads++ % 3) {
		case 0:
			rc = RtmGetExactMatchRoute(g.r, &a, RTM_MATCH_INTERFACE, &rb.info, 7, 0, &rh);
			T_CHECK(rc == NO_ERROR || rc == ERROR_NOT_FOUND);
			if (rc == NO_ERROR) {
				check_nexthops(&rb.info, true);
				T_CHECK(RtmReleaseRouteInfo(g.r, &rb.info) == NO_ERROR);
				T_CHECK(RtmReleaseRoutes(g.r, 1, &rh) == NO_ERROR);
			}
			break;
		case 1:
			T_CHECK(rt_route_info(g.r, g.route, &rb) == NO_ERROR);
			check_nexthops(&rb.info, false);
			T_CHECK(RtmReleaseRouteInfo(g.r, &rb.info) == NO_ERROR);
			break;
		default: {
			RTM_ENUM_HANDLE en = NULL;
			T_CHECK(RtmCreateRouteEnum(g.r, NULL, 0, RTM_ENUM_START, NULL, RTM_MATCH_INTERFACE, NULL, 7,
						   &en) == NO_ERROR);
			RTM_ROUTE_HANDLE hs[4];
			UINT n = 4;
			rc = RtmGetEnumRoutes(g.r, en, &n, hs);
			T_CHECK(rc == NO_ERROR || rc == ERROR_NO_MORE_ITEMS);
			T_CHECK(n <= 1 && (n == 0 || hs[0] == g.route));
			if (n)
				T_CHECK(RtmReleaseRoutes(g.r, n, hs) == NO_ERROR);
			T_CHECK(RtmDeleteEnumHandle(g.r, en) == NO_ERROR);
		}
		}
	}
	return NULL;
}

static void test_nexthop_count_and_list_read_together(void)
{
	memset(&g, 0, sizeof(g));
	g.e = rt_register(AF_INET, 10);
	g.r = rt_register(AF_INET, 11);
	REQUIRE(g.e && g.r);
	g.nh[0] = rt_nexthop(g.e, "192.0.2.1", 5);
	g.nh[1] = rt_nexthop(g.e, "192.0.2.2", 7);
	g.nh[2] = rt_nexthop(g.e, "192.0.2.3", 8);
	rt_route_buf rb;
	rt_route_fill(&rb.info, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL);
	RTM_NET_ADDRESS a = rt_addr("10.1.0.0", 16);
	RTM_ROUTE_CHANGE_FLAGS fl = 0;
	REQUIRE(RtmAddRouteToDest(g.e, &g.route, &a, &rb.info, INFINITE, NULL, 0, NULL, &fl) == NO_ERROR);
	pthread_t w, r[2];
	REQUIRE(pthread_create(&r[0], NULL, reader_main, NULL) == 0);
	REQUIRE(pthread_create(&r[1], NULL, reader_main, NULL) == 0);
	REQUIRE(pthread_create(&w, NULL, writer_main, NULL) == 0);
	pthread_join(w, NULL);
	pthread_join(r[0], NULL);
	pthread_join(r[1], NULL);
	CHECK_U(atomic_load(&rt_thread_errors), 0);
	CHECK_U(RtmReleaseRoutes(g.e, 1, &g.route), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(g.e, 3, g.nh), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(g.r), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(g.e), NO_ERROR);
}

int main(void)
{
	RUN(test_nexthop_count_and_list_read_together);
	TEST_MAIN_END();
}
