/*
 * test_decide.c — the best-route order (decide.c) as a pure function, and
 * the same order seen through the API.
 *
 * Five routes that tie on preference and metric, differing only in the
 * later tie-breaks (owner, neighbour, next hops, flags, views), are sorted
 * in every one of the 120 insertion orders: the result must always be the
 * same, and the expected one.  Through the API the same holds for the
 * destination's best route, and for the whole order, read by deleting the
 * best route repeatedly.
 */
#include "decide.h"

#include "rtmtest.h"

/* ---- the pure function ------------------------------------------------------ */

static struct rtm_entity ents[3];
static struct rtm_nexthop nhs[4];
static struct rtm_route routes[5];

static void set_nh(struct rtm_nexthop *nh, const char *addr, ULONG ifindex)
{
	memset(nh, 0, sizeof(*nh));
	nh->info.NextHopAddress = rt_addr(addr, 32);
	nh->info.InterfaceIndex = ifindex;
}

/* Next-hop lists as nhlist.c makes them (the routes here are built by
 * hand); freed when build() starts over. */
static struct rtm_nh_list *pool[16];
static unsigned pool_used;

static struct rtm_nh_list *nh_list(unsigned n, struct rtm_nexthop *a, struct rtm_nexthop *b)
{
	struct rtm_nh_list *l = calloc(1, sizeof(*l) + 2 * sizeof(l->nh[0]));
	if (!l || pool_used == 16)
		abort();
	l->n = (uint16_t)n;
	l->nh[0] = a;
	l->nh[1] = b;
	pool[pool_used++] = l;
	return l;
}

static void set_route(struct rtm_route *r, struct rtm_entity *owner, struct rtm_nexthop *neighbour,
		      struct rtm_nexthop *nh, USHORT flags, RTM_VIEW_SET views, uint64_t seq)
{
	memset(r, 0, sizeof(*r));
	r->owner = owner;
	r->neighbour = neighbour;
	r->pref.Preference = 10;
	r->pref.Metric = 5;
	r->flags = flags;
	r->views = views;
	r->seq = seq;
	r->n_nexthops = nh ? 1 : 0;
	r->nhl = nh_list(r->n_nexthops, nh, NULL);
}

/*
 * The routes (all preference 10, metric 5) and their place in the order:
 *   routes[4]  owner  5/9, neighbour .9   1st: the lowest protocol id
 *   routes[2]  owner 10/1, next hop .1    2nd
 *   routes[1]  owner 10/1, next hop .1    3rd: flags 0x10 (after 2: flags 0)
 *   routes[0]  owner 10/1, next hops .1 and .2   4th: more next hops
 *   routes[3]  owner 10/2, neighbour .2   5th: a higher instance id
 */
static void build(void)
{
	while (pool_used)
		free(pool[--pool_used]);
	memset(ents, 0, sizeof(ents));
	ents[0].info.EntityId.EntityProtocolId = 10;
	ents[0].info.EntityId.EntityInstanceId = 1;
	ents[1].info.EntityId.EntityProtocolId = 10;
	ents[1].info.EntityId.EntityInstanceId = 2;
	ents[2].info.EntityId.EntityProtocolId = 5;
	ents[2].info.EntityId.EntityInstanceId = 9;
	set_nh(&nhs[0], "10.0.0.1", 1);
	set_nh(&nhs[1], "10.0.0.2", 1);
	set_nh(&nhs[2], "10.0.0.9", 1);
	set_nh(&nhs[3], "10.0.0.1", 2);
	set_route(&routes[0], &ents[0], NULL, NULL, 0, 1, 1);
	routes[0].n_nexthops = 2;
	routes[0].nhl = nh_list(2, &nhs[0], &nhs[1]);
	set_route(&routes[1], &ents[0], NULL, &nhs[0], 0x10, 1, 2);
	set_route(&routes[2], &ents[0], NULL, &nhs[0], 0, 1, 3);
	set_route(&routes[3], &ents[1], &nhs[1], &nhs[0], 0, 1, 4);
	set_route(&routes[4], &ents[2], &nhs[2], &nhs[2], 0, 1, 5);
}

static const unsigned expected[5] = { 4, 2, 1, 0, 3 };

/* Inserts like dest.c's sorted list: after every route that is better. */
static void insert_sorted(struct rtm_route **list, unsigned *n, struct rtm_route *r)
{
	unsigned i = 0;
	while (i < *n && rtm__decide_cmp(list[i], r) < 0)
		i++;
	memmove(&list[i + 1], &list[i], (*n - i) * sizeof(*list));
	list[i] = r;
	(*n)++;
}

static bool next_perm(unsigned *p, unsigned n)
{
	int i = (int)n - 2;
	while (i >= 0 && p[i] >= p[i + 1])
		i--;
	if (i < 0)
		return false;
	int j = (int)n - 1;
	while (p[j] <= p[i])
		j--;
	unsigned t = p[i];
	p[i] = p[j];
	p[j] = t;
	for (unsigned a = (unsigned)i + 1, b = n - 1; a < b; a++, b--) {
		t = p[a];
		p[a] = p[b];
		p[b] = t;
	}
	return true;
}

static void test_cmp_is_an_order(void)
{
	build();
	for (unsigned i = 0; i < 5; i++) {
		CHECK(rtm__decide_cmp(&routes[i], &routes[i]) == 0);
		for (unsigned j = 0; j < 5; j++) {
			if (i == j)
				continue;
			int a = rtm__decide_cmp(&routes[i], &routes[j]);
			int b = rtm__decide_cmp(&routes[j], &routes[i]);
			CHECK(a != 0);
			CHECK((a < 0) == (b > 0));
			for (unsigned k = 0; k < 5; k++)
				if (k != i && k != j && a < 0 && rtm__decide_cmp(&routes[j], &routes[k]) < 0)
					CHECK(rtm__decide_cmp(&routes[i], &routes[k]) < 0);
		}
	}
	/* Preference first, then metric: a worse preference loses to any metric. */
	struct rtm_route worse = routes[4];
	worse.pref.Preference = 11;
	worse.pref.Metric = 0;
	CHECK(rtm__decide_cmp(&routes[3], &worse) < 0);
	struct rtm_route better = routes[3];
	better.pref.Metric = 4;
	CHECK(rtm__decide_cmp(&better, &routes[4]) < 0);
	/* Routes identical in everything but creation: the older first. */
	struct rtm_route twin = routes[2];
	twin.seq = 99;
	CHECK(rtm__decide_cmp(&routes[2], &twin) < 0);
	CHECK(rtm__decide_cmp(&twin, &routes[2]) > 0);
	/* The next hop's interface separates equal addresses. */
	struct rtm_route other_if = routes[2];
	other_if.nhl = nh_list(1, &nhs[3], NULL);
	CHECK(rtm__decide_cmp(&routes[2], &other_if) < 0);
}

static void test_every_insertion_order(void)
{
	build();
	unsigned perm[5] = { 0, 1, 2, 3, 4 };
	unsigned orders = 0;
	do {
		struct rtm_route *list[5];
		unsigned n = 0;
		for (unsigned i = 0; i < 5; i++)
			insert_sorted(list, &n, &routes[perm[i]]);
		for (unsigned i = 0; i < 5; i++)
			if (list[i] != &routes[expected[i]]) {
				fprintf(stderr, "  order %u %u %u %u %u: position %u is route %ld\n", perm[0],
					perm[1], perm[2], perm[3], perm[4], i, (long)(list[i] - routes));
				CHECK(list[i] == &routes[expected[i]]);
			}
		orders++;
	} while (next_perm(perm, 5));
	CHECK_U(orders, 120);
}

/* ---- through the API ----------------------------------------------------------- */

struct api_world {
	RTM_ENTITY_HANDLE e[3];
	RTM_NEXTHOP_HANDLE nh[3][3]; /* per entity: .1, .2, .9 */
};

static void api_world_make(struct api_world *w)
{
	REQUIRE(rt_register_ex(0, AF_INET, 10, 1, NULL, FALSE, NULL, &w->e[0], NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 10, 2, NULL, FALSE, NULL, &w->e[1], NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 5, 9, NULL, FALSE, NULL, &w->e[2], NULL) == NO_ERROR);
	const char *a[3] = { "10.0.0.1", "10.0.0.2", "10.0.0.9" };
	for (unsigned i = 0; i < 3; i++)
		for (unsigned j = 0; j < 3; j++)
			w->nh[i][j] = rt_nexthop(w->e[i], a[j], 1);
}

/* Adds route k (as in build()) to prefix dest; returns its handle. */
static RTM_ROUTE_HANDLE api_add(struct api_world *w, unsigned k, const RTM_NET_ADDRESS *dest)
{
	rt_route_buf rb;
	RTM_ENTITY_HANDLE owner;
	switch (k) {
	case 0:
		owner = w->e[0];
		rt_route_fill(&rb.info, 10, 5, 1, w->nh[0][0], NULL);
		rb.info.NextHopsList.NumNextHops = 2;
		(&rb.info.NextHopsList.NextHops[0])[1] = w->nh[0][1];
		break;
	case 1:
		owner = w->e[0];
		rt_route_fill(&rb.info, 10, 5, 1, w->nh[0][0], NULL);
		rb.info.Flags = 0x10;
		break;
	case 2:
		owner = w->e[0];
		rt_route_fill(&rb.info, 10, 5, 1, w->nh[0][0], NULL);
		break;
	case 3:
		owner = w->e[1];
		rt_route_fill(&rb.info, 10, 5, 1, w->nh[1][0], w->nh[1][1]);
		break;
	default:
		owner = w->e[2];
		rt_route_fill(&rb.info, 10, 5, 1, w->nh[2][2], w->nh[2][2]);
		break;
	}
	RTM_ROUTE_HANDLE h = NULL;
	/* Routes 0..2 share owner and neighbour: asked for as new routes. */
	DWORD fl = RTM_ROUTE_CHANGE_NEW;
	DWORD rc = RtmAddRouteToDest(owner, &h, (PRTM_NET_ADDRESS)dest, &rb.info, INFINITE, NULL, 0, NULL, &fl);
	CHECK_U(rc, NO_ERROR);
	CHECK(fl & RTM_ROUTE_CHANGE_NEW);
	return h;
}

static void test_api_every_insertion_order(void)
{
	struct api_world w;
	api_world_make(&w);
	unsigned perm[5] = { 0, 1, 2, 3, 4 };
	unsigned p = 0;
	do {
		RTM_NET_ADDRESS d = rt_addr("10.0.0.0", 24);
		d.AddrBits[1] = (UCHAR)(p >> 8);
		d.AddrBits[2] = (UCHAR)p;
		RTM_ROUTE_HANDLE h[5];
		for (unsigned i = 0; i < 5; i++)
			h[perm[i]] = api_add(&w, perm[i], &d);
		/* Read the order by taking the best route away, one by one. */
		for (unsigned i = 0; i < 5; i++) {
			rt_dest_buf db;
			REQUIRE(RtmGetExactMatchDestination(w.e[0], &d, 0, 1, &db.info) == NO_ERROR);
			RTM_ROUTE_HANDLE best = RT_VIEW(&db.info, 0).Route;
			CHECK_U(RT_VIEW(&db.info, 0).NumRoutes, 5 - i);
			CHECK_U(RtmReleaseDestInfo(w.e[0], &db.info), NO_ERROR);
			if (best != h[expected[i]])
				fprintf(stderr, "  API order %u %u %u %u %u: position %u wrong\n", perm[0], perm[1],
					perm[2], perm[3], perm[4], i);
			CHECK(best == h[expected[i]]);
			RTM_ENTITY_HANDLE owner = expected[i] < 3 ? w.e[0] : expected[i] == 3 ? w.e[1] : w.e[2];
			DWORD fl;
			CHECK_U(RtmDeleteRouteToDest(owner, h[expected[i]], &fl), NO_ERROR);
			CHECK_U(fl, RTM_ROUTE_CHANGE_BEST);
		}
		p++;
	} while (next_perm(perm, 5));
	CHECK_U(p, 120);
	rtm_stats s = rt_stats(w.e[0]);
	CHECK_U(s.routes, 0);
	CHECK_U(s.dests, 0);
	for (unsigned i = 0; i < 3; i++) {
		RtmReleaseNextHops(w.e[i], 3, w.nh[i]);
		RtmDeregisterEntity(w.e[i]);
	}
}

/* The best route does not depend on which of two equal routes came first,
 * when they differ in anything visible (here: the owner's instance). */
static void test_api_tie_on_owner(void)
{
	struct api_world w;
	api_world_make(&w);
	RTM_NET_ADDRESS d1 = rt_addr("10.1.0.0", 16), d2 = rt_addr("10.2.0.0", 16);
	rt_route_buf rb;
	DWORD fl;
	RTM_ROUTE_HANDLE x1 = NULL, y1 = NULL, x2 = NULL, y2 = NULL;
	rt_route_fill(&rb.info, 1, 1, 1, w.nh[0][0], NULL);
	fl = 0;
	REQUIRE(RtmAddRouteToDest(w.e[0], &x1, &d1, &rb.info, INFINITE, NULL, 0, NULL, &fl) == NO_ERROR);
	rt_route_fill(&rb.info, 1, 1, 1, w.nh[1][0], NULL);
	fl = 0;
	REQUIRE(RtmAddRouteToDest(w.e[1], &y1, &d1, &rb.info, INFINITE, NULL, 0, NULL, &fl) == NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_NEW);
	rt_route_fill(&rb.info, 1, 1, 1, w.nh[1][0], NULL);
	fl = 0;
	REQUIRE(RtmAddRouteToDest(w.e[1], &y2, &d2, &rb.info, INFINITE, NULL, 0, NULL, &fl) == NO_ERROR);
	rt_route_fill(&rb.info, 1, 1, 1, w.nh[0][0], NULL);
	fl = 0;
	REQUIRE(RtmAddRouteToDest(w.e[0], &x2, &d2, &rb.info, INFINITE, NULL, 0, NULL, &fl) == NO_ERROR);
	CHECK_U(fl, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	CHECK(rt_best(w.e[0], "10.1.0.0", 16, 1) == x1);
	CHECK(rt_best(w.e[0], "10.2.0.0", 16, 1) == x2);
	RtmReleaseRoutes(w.e[0], 1, &x1);
	RtmReleaseRoutes(w.e[0], 1, &x2);
	RtmReleaseRoutes(w.e[1], 1, &y1);
	RtmReleaseRoutes(w.e[1], 1, &y2);
	for (unsigned i = 0; i < 3; i++) {
		RtmReleaseNextHops(w.e[i], 3, w.nh[i]);
		RtmDeregisterEntity(w.e[i]);
	}
}

int main(void)
{
	RUN(test_cmp_is_an_order);
	RUN(test_every_insertion_order);
	RUN(test_api_every_insertion_order);
	RUN(test_api_tie_on_owner);
	TEST_MAIN_END();
}
