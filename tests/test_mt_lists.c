/*
 * test_mt_lists.c — route-list enumerations while routes move in and out
 * of the list (under TSan too: `make check-tsan` runs every tests/test_mt_*.c).
 *
 * RtmGetListEnumRoutes takes no RIB lock: it walks the list holding the
 * list's own mutex (svc/routelist.c).  The owner has STABLE routes that stay
 * in list L and CHURN others that a writer thread moves between L and a
 * second list, takes out of every list, deletes and adds again into L.
 * Meanwhile two threads enumerate L from the start, again and again, in
 * small batches: every route returned is a route of the owner's (its
 * information readable through the handle the enumeration gave, deleted or
 * not), and each pass returns every stable route exactly once (a churned
 * route moved back in goes to the tail, so a pass may meet it twice).  When
 * the writer has stopped, a pass returns exactly the routes the writer's
 * records put in L.  Counts, no timing.
 */
#define TL_TIMEOUT_S 120
#include "rtmtest.h"

enum { STABLE = 40, CHURN = 60 };
#ifdef TL_SLOW
enum { OPS = 20000 };
#else
enum { OPS = 100000 };
#endif

static struct {
	RTM_ENTITY_HANDLE e;
	RTM_NEXTHOP_HANDLE nh;
	RTM_ROUTE_LIST_HANDLE l, other;
	RTM_ROUTE_HANDLE stable[STABLE], churn[CHURN];
	int where[CHURN]; /* 0: no list, 1: L, 2: the other */
	atomic_bool done;
} g;

static RTM_NET_ADDRESS prefix(unsigned i)
{
	RTM_NET_ADDRESS a = rt_addr("10.0.0.0", 24);
	a.AddrBits[1] = (UCHAR)(i / 256);
	a.AddrBits[2] = (UCHAR)(i % 256);
	return a;
}

static void add_into(RTM_ROUTE_HANDLE *h, unsigned i, RTM_ROUTE_LIST_HANDLE list)
{
	rt_route_buf rb;
	rt_route_fill(&rb.info, 10, i, RTM_VIEW_MASK_UCAST, g.nh, NULL);
	RTM_NET_ADDRESS d = prefix(i);
	RTM_ROUTE_CHANGE_FLAGS fl = 0;
	T_CHECK(RtmAddRouteToDest(g.e, h, &d, &rb.info, INFINITE, list, 0, NULL, &fl) == NO_ERROR);
}

static void *writer_main(void *arg)
{
	(void)arg;
	unsigned seed = 7;
	for (unsigned op = 0; op < OPS; op++) {
		seed = seed * 1103515245u + 12345u;
		unsigned k = (seed >> 8) % CHURN, what = (seed >> 20) % 4;
		RTM_ROUTE_HANDLE *h = &g.churn[k];
		switch (what) {
		case 0: /* into L */
		case 1: /* into the other list */
			T_CHECK(RtmInsertInRouteList(g.e, what ? g.other : g.l, 1, h) == NO_ERROR);
			g.where[k] = what ? 2 : 1;
			break;
		case 2: /* out of every list */
			T_CHECK(RtmInsertInRouteList(g.e, NULL, 1, h) == NO_ERROR);
			g.where[k] = 0;
			break;
		default: /* deleted, and added again into L */
			T_CHECK(RtmDeleteRouteToDest(g.e, *h, NULL) == NO_ERROR);
			*h = NULL;
			add_into(h, STABLE + k, g.l);
			g.where[k] = 1;
		}
	}
	atomic_store(&g.done, true);
	return NULL;
}

/* One pass over L: every route the owner's; the stable ones exactly once.
 * The handles of the routes seen (at most cap) go to seen[]. */
static unsigned pass(RTM_ROUTE_HANDLE *seen, unsigned cap)
{
	RTM_ENUM_HANDLE en = NULL;
	T_CHECK(RtmCreateRouteListEnum(g.e, g.l, &en) == NO_ERROR);
	unsigned stable_seen[STABLE] = { 0 }, total = 0;
	for (;;) {
		RTM_ROUTE_HANDLE b[5];
		UINT n = 5;
		T_CHECK(RtmGetListEnumRoutes(g.e, en, &n, b) == NO_ERROR);
		if (n == 0)
			break;
		for (UINT i = 0; i < n; i++) {
			rt_route_buf rb;
			T_CHECK(rt_route_info(g.e, b[i], &rb) == NO_ERROR);
			T_CHECK(rb.info.RouteOwner == g.e && rb.info.PrefInfo.Metric < STABLE + CHURN);
			T_CHECK(RtmReleaseRouteInfo(g.e, &rb.info) == NO_ERROR);
			for (unsigned k = 0; k < STABLE; k++)
				stable_seen[k] += b[i] == g.stable[k];
			if (total < cap)
				seen[total] = b[i];
			total++;
		}
		T_CHECK(RtmReleaseRoutes(g.e, n, b) == NO_ERROR);
	}
	for (unsigned k = 0; k < STABLE; k++)
		T_CHECK(stable_seen[k] == 1);
	T_CHECK(RtmDeleteEnumHandle(g.e, en) == NO_ERROR);
	return total;
}

static void *enumerator_main(void *arg)
{
	(void)arg;
	unsigned passes = 0;
	RTM_ROUTE_HANDLE seen[4 * (STABLE + CHURN)];
	while (passes < 20 || (passes < 200000 && !atomic_load(&g.done))) {
		pass(seen, sizeof(seen) / sizeof(seen[0]));
		passes++;
	}
	printf("  enumerator: %u passes\n", passes);
	return NULL;
}

static void test_list_enumeration_under_churn(void)
{
	memset(&g, 0, sizeof(g));
	g.e = rt_register(AF_INET, 10);
	REQUIRE(g.e);
	g.nh = rt_nexthop(g.e, "192.0.2.1", 1);
	REQUIRE(RtmCreateRouteList(g.e, &g.l) == NO_ERROR);
	REQUIRE(RtmCreateRouteList(g.e, &g.other) == NO_ERROR);
	for (unsigned i = 0; i < STABLE + CHURN; i++) {
		RTM_ROUTE_HANDLE *h = i < STABLE ? &g.stable[i] : &g.churn[i - STABLE];
		add_into(h, i, g.l);
		if (i >= STABLE)
			g.where[i - STABLE] = 1;
	}
	pthread_t w, en[2];
	REQUIRE(pthread_create(&en[0], NULL, enumerator_main, NULL) == 0);
	REQUIRE(pthread_create(&en[1], NULL, enumerator_main, NULL) == 0);
	REQUIRE(pthread_create(&w, NULL, writer_main, NULL) == 0);
	pthread_join(w, NULL);
	pthread_join(en[0], NULL);
	pthread_join(en[1], NULL);
	CHECK_U(atomic_load(&rt_thread_errors), 0);

	/* At rest: exactly the writer's records. */
	static RTM_ROUTE_HANDLE seen[STABLE + CHURN + 1];
	unsigned total = pass(seen, STABLE + CHURN + 1), want = STABLE;
	for (unsigned k = 0; k < CHURN; k++) {
		if (g.where[k] != 1)
			continue;
		want++;
		unsigned found = 0;
		for (unsigned i = 0; i < total && i <= STABLE + CHURN; i++)
			found += seen[i] == g.churn[k];
		CHECK_U(found, 1);
	}
	CHECK_U(total, want);
	CHECK_U(atomic_load(&rt_thread_errors), 0);
	CHECK_U(RtmReleaseRoutes(g.e, STABLE, g.stable), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(g.e, CHURN, g.churn), NO_ERROR);
	CHECK_U(RtmDeleteRouteList(g.e, g.l), NO_ERROR);
	CHECK_U(RtmDeleteRouteList(g.e, g.other), NO_ERROR);
	CHECK_U(rt_stats(g.e).routes, STABLE + CHURN);
	CHECK_U(RtmDeregisterEntity(g.e), NO_ERROR);
}

int main(void)
{
	RUN(test_list_enumeration_under_churn);
	TEST_MAIN_END();
}
