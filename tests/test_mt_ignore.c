/*
 * test_mt_ignore.c — an ignored change, a drain and a new change at once:
 * the new change is never lost (under TSan too: `make check-tsan` runs every
 * tests/test_mt_*.c).
 *
 * RtmGetChangedDests takes no RIB lock (table/changes.c): a drainer can take
 * an ignored entry off the queue at the very moment a writer's new change
 * coalesces into it and revives it.  Exactly one of them may win, and if the
 * drainer wins the writer must queue the destination again.  Each round:
 * destination D has a queued change, which the client ignores; then, started
 * together, one thread drains and another changes D's route (a new metric,
 * a best change).  Afterwards the change must be found: in what that drain
 * returned or in a final drain, with D's new metric, and then nothing is
 * left (RtmGetChangeStatus false, the next drain empty).  Rounds are counts;
 * no timing is asserted.
 */
#define TL_TIMEOUT_S 120
#include "rtmtest.h"

#ifdef TL_SLOW
enum { ROUNDS = 3000 };
#else
enum { ROUNDS = 20000 };
#endif

static struct {
	RTM_ENTITY_HANDLE writer, client;
	RTM_NOTIFY_HANDLE nh;
	RTM_ROUTE_HANDLE route;
	RTM_NEXTHOP_HANDLE nexthop;
	pthread_barrier_t start, done;
	ULONG metric;             /* the writer's next metric */
	UINT drained;             /* destinations the racing drain returned */
	ULONG drained_metric;     /* ... and the best route's metric in it */
	atomic_bool stop;
} g;

static ULONG best_metric(const RTM_DEST_INFO *di)
{
	rt_route_buf rb;
	ULONG m = 0;
	if (di->ViewInfo[0].Route && rt_route_info(g.client, di->ViewInfo[0].Route, &rb) == NO_ERROR) {
		m = rb.info.PrefInfo.Metric;
		T_CHECK(RtmReleaseRouteInfo(g.client, &rb.info) == NO_ERROR);
	}
	return m;
}

static void change(void)
{
	rt_route_buf rb;
	rt_route_fill(&rb.info, 10, g.metric, RTM_VIEW_MASK_UCAST, g.nexthop, NULL);
	RTM_NET_ADDRESS d = rt_addr("10.1.0.0", 16);
	RTM_ROUTE_CHANGE_FLAGS fl = 0;
	T_CHECK(RtmAddRouteToDest(g.writer, &g.route, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl) == NO_ERROR);
	T_CHECK(fl & RTM_ROUTE_CHANGE_BEST);
}

static void *writer_main(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_barrier_wait(&g.start);
		if (atomic_load(&g.stop))
			return NULL;
		change();
		pthread_barrier_wait(&g.done);
	}
}

static void *drainer_main(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_barrier_wait(&g.start);
		if (atomic_load(&g.stop))
			return NULL;
		rt_dest_buf db;
		UINT n = 1;
		DWORD rc = RtmGetChangedDests(g.client, g.nh, &n, &db.info);
		T_CHECK(rc == NO_ERROR || rc == ERROR_NO_MORE_ITEMS);
		g.drained = rc == NO_ERROR ? n : 0;
		if (g.drained) {
			g.drained_metric = best_metric(&db.info);
			T_CHECK(RtmReleaseChangedDests(g.client, g.nh, 1, &db.info) == NO_ERROR);
		}
		pthread_barrier_wait(&g.done);
	}
}

static void test_new_change_survives_ignore(void)
{
	memset(&g, 0, sizeof(g));
	g.writer = rt_register(AF_INET, 10);
	g.client = rt_register(AF_INET, 20);
	REQUIRE(g.writer && g.client);
	REQUIRE(RtmRegisterForChangeNotification(g.client, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL,
						 &g.nh) == NO_ERROR);
	g.nexthop = rt_nexthop(g.writer, "192.0.2.1", 1);
	g.metric = 1;
	change();
	REQUIRE(pthread_barrier_init(&g.start, NULL, 3) == 0);
	REQUIRE(pthread_barrier_init(&g.done, NULL, 3) == 0);
	pthread_t w, d;
	REQUIRE(pthread_create(&w, NULL, writer_main, NULL) == 0);
	REQUIRE(pthread_create(&d, NULL, drainer_main, NULL) == 0);
	unsigned raced = 0, lost = 0;
	RTM_NET_ADDRESS da = rt_addr("10.1.0.0", 16);
	rt_dest_buf cur;
	REQUIRE(RtmGetExactMatchDestination(g.client, &da, 0, RTM_VIEW_MASK_UCAST, &cur.info) == NO_ERROR);
	RTM_DEST_HANDLE dh = cur.info.DestHandle;
	for (unsigned round = 0; round < ROUNDS; round++) {
		/* D has a queued change (the one before), and the client ignores it. */
		BOOL queued = FALSE;
		CHECK_U(RtmGetChangeStatus(g.client, g.nh, dh, &queued), NO_ERROR);
		CHECK(queued);
		CHECK_U(RtmIgnoreChangedDests(g.client, g.nh, 1, &dh), NO_ERROR);
		CHECK_U(RtmGetChangeStatus(g.client, g.nh, dh, &queued), NO_ERROR);
		CHECK(!queued);
		g.metric = round + 2;
		pthread_barrier_wait(&g.start); /* a drain and a change at once */
		pthread_barrier_wait(&g.done);
		/* The change came after the ignore: it is reported, now or then. */
		rt_dest_buf db;
		UINT n = 1;
		DWORD rc = RtmGetChangedDests(g.client, g.nh, &n, &db.info);
		bool later = rc == NO_ERROR && n == 1;
		CHECK(rc == NO_ERROR || rc == ERROR_NO_MORE_ITEMS);
		if (later) {
			CHECK_U(best_metric(&db.info), g.metric);
			CHECK_U(RtmReleaseChangedDests(g.client, g.nh, 1, &db.info), NO_ERROR);
		}
		if (g.drained)
			raced++;
		if (g.drained && !later)
			CHECK_U(g.drained_metric, g.metric);
		if (!g.drained && !later)
			lost++;
		/* Nothing is left; the next round queues a change again. */
		CHECK_U(RtmGetChangeStatus(g.client, g.nh, dh, &queued), NO_ERROR);
		CHECK(!queued);
		n = 1;
		CHECK_U(RtmGetChangedDests(g.client, g.nh, &n, &db.info), ERROR_NO_MORE_ITEMS);
		g.metric = round + 100000;
		change();
	}
	CHECK_U(lost, 0);
	printf("  %u rounds, %u with the change in the racing drain\n", ROUNDS, raced);
	atomic_store(&g.stop, true);
	pthread_barrier_wait(&g.start);
	pthread_join(w, NULL);
	pthread_join(d, NULL);
	CHECK_U(atomic_load(&rt_thread_errors), 0);
	pthread_barrier_destroy(&g.start);
	pthread_barrier_destroy(&g.done);
	CHECK_U(RtmReleaseDestInfo(g.client, &cur.info), NO_ERROR);
	CHECK_U(RtmDeregisterFromChangeNotification(g.client, g.nh), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(g.client), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(g.writer), NO_ERROR);
}

int main(void)
{
	RUN(test_new_change_survives_ignore);
	TEST_MAIN_END();
}
