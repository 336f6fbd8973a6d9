/*
 * test_mt_readers.c — lookups racing a writer see only states the table had
 * (under TSan too: `make check-tsan` runs every tests/test_mt_*.c).
 *
 * For the lock-free read path (epoch reclamation): a reader must never see a
 * freed object, a half-written route, or a destination whose parts come from
 * two moments.  So every value written is recognisable:
 *   - Protocol A owns N /24s from 10.64.0.0, each with one permanent route
 *     (Preference 1000, Metric MET(K_A, 0, i), views UCAST|MCAST).
 *   - B's writer churns better routes on the /24s and routes on their /25
 *     halves (destinations, hence trie nodes, come and go): adds, deletes,
 *     updates by RtmAddRouteToDest and in-place edits under RtmLockRoute.
 *     Each write has a new version v, published before it, and every field
 *     (Metric, Preference, BelongsToViews, next hop, EntitySpecificInfo) is a
 *     function of (kind, v, prefix): a torn or freed route fails to decode.
 *   - Two readers query at random: longest match (UCAST or no view), exact
 *     match of the /24s (always found) and the /25s, for the best route or
 *     A's or B's; RtmGetDestInfo and RtmGetRouteInfo on a destination and
 *     routes held across writes.  A destination answer must be a snapshot:
 *     on a /24 a view with one route has A's as best, with two B's; a /25's
 *     BelongsToViews agrees with its NumRoutes; a UCAST lookup never lands on
 *     a /25 whose route is MCAST only.  An answered route handle stays valid
 *     until released, and decodes with a version no newer than published.
 *     Every release succeeds.  RtmGetExactMatchRoute finds one write of A or
 *     B, and RtmIsBestRoute of it answers views the table had.
 * Run lengths are iteration counts (readers run while the writer does, from
 * READER_MIN to READER_MAX times); no timing is asserted.  At the end the
 * table matches the writer's records, and once all are gone nothing is left
 * (rtm_stats).  Sub-tests: each reader its own entity; both sharing one.
 */
#define TL_TIMEOUT_S 120 /* a deadlock fails the test; it takes seconds */
#include "rtmtest.h"

enum { N = 2000 }; /* /24s of A (at most 2048: the metric keeps 2i+1 in 12 bits) */
#ifdef TL_SLOW
enum { WRITER_OPS = 30000, READER_MIN = 10000, READER_MAX = 100000 };
#else
enum { WRITER_OPS = 80000, READER_MIN = 30000, READER_MAX = 400000 };
#endif

#define U RTM_VIEW_MASK_UCAST
#define M RTM_VIEW_MASK_MCAST
enum { K_A = 1, K_B24 = 2, K_B25 = 3 };
enum { HOT = 8 }; /* the /24s where half of the writes and a quarter of the reads go */
enum { PROTO_A = 10, PROTO_B = 20, PROTO_R = 30, VER_MAX = 1 << 18 };
/* Metric: kind (2 bits), version (18 bits), prefix index (12 bits: i, or 2i+half). */
#define MET(k, v, idx) ((ULONG)(k) << 30 | (ULONG)(v) << 12 | (ULONG)(idx))

static struct {
	RTM_ENTITY_HANDLE a, b;
	RTM_NEXTHOP_HANDLE anh, bnh[4];
	RTM_ROUTE_HANDLE r24[N], r25[2 * N]; /* the writer's routes */
	atomic_uint ver;                     /* newest version written (or being written) */
	atomic_bool writer_done;
} g;

struct reader {
	RTM_ENTITY_HANDLE e;
	unsigned seed, answers, routes, held_checks;
};

static unsigned rnd(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

/* /24 number i, or its /25 half h. */
static RTM_NET_ADDRESS net(unsigned i, unsigned len, unsigned h)
{
	RTM_NET_ADDRESS a = rt_addr("10.64.0.0", len);
	a.AddrBits[1] = (UCHAR)(64 + i / 256);
	a.AddrBits[2] = (UCHAR)(i % 256);
	a.AddrBits[3] = (UCHAR)(len == 25 && h ? 128 : 0);
	return a;
}

static unsigned idx24(const UCHAR *a) { return (unsigned)(a[1] - 64) * 256 + a[2]; }

/* What a route of this kind (A's, B's on a /24, on a /25) and version looks like. */
static ULONG pref_of(unsigned k, unsigned v)
{
	return k == K_A ? 1000 : (k == K_B24 ? 10 : 20) + v % 8;
}
static RTM_VIEW_SET views_of(unsigned k, unsigned v)
{
	return k == K_A ? U | M : k == K_B24 ? (v & 1 ? U | M : U) : (v & 1 ? U : M);
}

/* A route's information: of destination dest (address i/len/h; dest NULL:
 * any) and owner, exactly one write of A or B. */
static void check_route_info(const RTM_ROUTE_INFO *ri, RTM_DEST_HANDLE dest, RTM_ENTITY_HANDLE owner,
			     unsigned i, unsigned len, unsigned h)
{
	T_CHECK(ri->State == RTM_ROUTE_STATE_CREATED || ri->State == RTM_ROUTE_STATE_DELETED);
	T_CHECK((dest ? ri->DestHandle == dest : ri->DestHandle != NULL) && ri->RouteOwner == owner);
	T_CHECK(ri->Neighbour == NULL && ri->NextHopsList.NumNextHops == 1);
	ULONG m = ri->PrefInfo.Metric;
	unsigned k = m >> 30, v = (m >> 12) & (VER_MAX - 1), idx = m & 0xFFF;
	T_CHECK(ri->EntitySpecificInfo == (PVOID)(uintptr_t)m);
	if (owner == g.a) {
		T_CHECK(m == MET(K_A, 0, i) && len == 24 && ri->NextHopsList.NextHops[0] == g.anh);
	} else {
		T_CHECK(owner == g.b);
		T_CHECK(k == (len == 24 ? K_B24 : K_B25) && idx == (len == 24 ? i : 2 * i + h));
		T_CHECK(v >= 1 && v <= atomic_load(&g.ver));
		T_CHECK(ri->NextHopsList.NextHops[0] == g.bnh[v % 4]);
	}
	T_CHECK(ri->PrefInfo.Preference == pref_of(k, v));
	T_CHECK(ri->BelongsToViews == views_of(k, v));
}

/* The route behind rh, by RtmGetRouteInfo: as check_route_info says. */
static void check_route(struct reader *r, RTM_ROUTE_HANDLE rh, RTM_DEST_HANDLE dest,
			RTM_ENTITY_HANDLE owner, unsigned i, unsigned len, unsigned h)
{
	rt_route_buf rb;
	RTM_NET_ADDRESS ra;
	DWORD rc = RtmGetRouteInfo(r->e, rh, &rb.info, &ra);
	T_CHECK(rc == NO_ERROR);
	if (rc != NO_ERROR)
		return;
	RTM_NET_ADDRESS want = net(i, len, h);
	T_CHECK(rt_addr_eq(&ra, &want));
	check_route_info(&rb.info, dest, owner, i, len, h);
	T_CHECK(RtmReleaseRouteInfo(r->e, &rb.info) == NO_ERROR);
	r->routes++;
}

/*
 * RtmGetExactMatchRoute and RtmIsBestRoute on /24 i (always there) or a /25
 * half: the route found is one write of A or B, and the views in which it is
 * the best are ones the table had.  On a /25, B's route is the only one,
 * best in its one view (or in none once deleted).  On a /24, B's route (in UCAST, and in
 * MCAST or not) beats A's: A's is best in both views (no B), in MCAST alone
 * (B in UCAST only) or in none, never in UCAST alone; B's is best in all its
 * views, which include UCAST, or in none once deleted.
 */
static void check_exact_route(struct reader *r, unsigned i, unsigned y)
{
	bool half = y & 1;
	unsigned h = (y >> 1) & 1, len = half ? 25 : 24;
	RTM_NET_ADDRESS qa = net(i, len, h);
	rt_route_buf rb;
	memset(&rb, 0, sizeof(rb));
	RTM_MATCH_FLAGS flags = RTM_MATCH_NONE;
	RTM_VIEW_SET views = (y >> 2) & 1 ? U : 0;
	if (!half && (y >> 3) % 2) {
		flags = RTM_MATCH_OWNER; /* A's route, whatever B has */
		rb.info.RouteOwner = g.a;
	}
	RTM_ROUTE_HANDLE rh = NULL;
	DWORD rc = RtmGetExactMatchRoute(r->e, &qa, flags, &rb.info, 0, views, &rh);
	if (half) {
		T_CHECK(rc == NO_ERROR || rc == ERROR_NOT_FOUND);
	} else {
		T_CHECK(rc == NO_ERROR);
	}
	if (rc != NO_ERROR)
		return;
	RTM_ENTITY_HANDLE owner = rb.info.RouteOwner;
	T_CHECK(rh != NULL && (owner == g.a || owner == g.b));
	if (flags == RTM_MATCH_OWNER)
		T_CHECK(owner == g.a);
	if (views)
		T_CHECK(rb.info.BelongsToViews & U);
	check_route_info(&rb.info, NULL, owner, i, len, h);
	RTM_VIEW_SET best = 0xFF;
	T_CHECK(RtmIsBestRoute(r->e, rh, &best) == NO_ERROR);
	if (owner == g.a)
		T_CHECK(best == (U | M) || best == M || best == 0);
	else if (len == 24)
		T_CHECK(best == 0 || (best & U) != 0);
	else /* the only route of its /25: best in its one view */
		T_CHECK(best == 0 || best == U || best == M);
	T_CHECK(RtmReleaseRouteInfo(r->e, &rb.info) == NO_ERROR);
	T_CHECK(RtmReleaseRoutes(r->e, 1, &rh) == NO_ERROR);
	r->routes++;
}

/* One destination answer: a snapshot of a /24 or /25 of ours, each view's
 * best route the one its route count implies.  q: the address looked up (or
 * NULL); has_route: found by a query, so it has a route (not merely held). */
static void check_dest(struct reader *r, RTM_DEST_INFO *di, ULONG proto, RTM_VIEW_SET views,
		       const UCHAR *q, bool has_route)
{
	const UCHAR *a = di->DestAddress.AddrBits;
	unsigned len = di->DestAddress.NumBits, i = idx24(a), h = a[3] >> 7;
	RTM_NET_ADDRESS want = net(i, len, h);
	bool ok = di->DestAddress.AddressFamily == AF_INET && (len == 24 || len == 25) && a[0] == 10 &&
		  a[1] >= 64 && i < N && rt_addr_eq(&di->DestAddress, &want);
	T_CHECK(ok);
	if (!ok)
		return;
	if (q)
		T_CHECK(q[0] == a[0] && q[1] == a[1] && q[2] == a[2] && (len == 24 || (q[3] >> 7) == h));
	RTM_VIEW_SET bv = di->BelongsToViews;
	if (len == 24)
		T_CHECK(bv == (U | M));
	else
		T_CHECK(bv == U || bv == M || (!has_route && bv == 0));
	T_CHECK(di->NumberOfViews == (unsigned)__builtin_popcount(views & (U | M)));
	UINT n[2] = { 0, 0 };
	for (UINT k = 0; k < di->NumberOfViews && k < 2; k++) {
		__typeof__(&di->ViewInfo[0]) vi = &RT_VIEW(di, k);
		T_CHECK(vi->ViewId == (RTM_VIEW_ID)k); /* asked: UCAST, or both */
		n[k] = vi->NumRoutes;
		RTM_ENTITY_HANDLE want_owner;
		if (len == 24) {
			T_CHECK(n[k] == 1 || n[k] == 2);
			want_owner = proto == PROTO_A ? g.a : n[k] == 2 ? g.b : proto == PROTO_B ? NULL : g.a;
		} else {
			T_CHECK(n[k] == ((bv >> k) & 1));
			want_owner = n[k] && proto != PROTO_A ? g.b : NULL;
		}
		T_CHECK(vi->Owner == want_owner);
		T_CHECK((vi->Route != NULL) == (want_owner != NULL));
		T_CHECK(vi->HoldRoute == NULL);
		if (vi->Route && vi->Owner == want_owner)
			check_route(r, vi->Route, di->DestHandle, vi->Owner, i, len, h);
	}
	/* B's /24 route is always in UCAST: MCAST cannot have more routes. */
	if (len == 24 && di->NumberOfViews == 2)
		T_CHECK(n[1] <= n[0]);
	/* A unicast lookup lands only on a destination with a unicast route. */
	if (q && views == U)
		T_CHECK(len == 24 || bv == U);
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	static const ULONG protos[4] = { RTM_BEST_PROTOCOL, RTM_BEST_PROTOCOL, PROTO_A, PROTO_B };
	rt_dest_buf held;
	bool have_held = false;
	for (unsigned op = 0; op < READER_MIN || (op < READER_MAX && !atomic_load(&g.writer_done)); op++) {
		unsigned x = rnd(&r->seed), i = x % ((x >> 20) % 4 ? N : HOT), y = rnd(&r->seed);
		ULONG proto = protos[y % 4];
		rt_dest_buf db;
		DWORD rc;
		RTM_VIEW_SET views;
		const UCHAR *q = NULL;
		RTM_NET_ADDRESS qa;
		switch (op % 4) {
		case 0:
		case 1: /* longest match of an address inside the range */
			qa = net(i, 32, 0);
			qa.AddrBits[3] = (UCHAR)(y >> 4);
			views = (y >> 12) % 4 ? U : RTM_VIEW_MASK_ANY;
			q = qa.AddrBits;
			rc = RtmGetMostSpecificDestination(r->e, &qa, proto, views, &db.info);
			T_CHECK(rc == NO_ERROR);
			break;
		default: /* exactly a /24 (always there) or a /25 (there or not) */
			qa = net(i, op % 4 == 2 ? 24 : 25, (y >> 12) & 1);
			views = op % 4 == 2 && (y >> 13) % 2 ? U : RTM_VIEW_MASK_ALL;
			rc = RtmGetExactMatchDestination(r->e, &qa, proto, views, &db.info);
			T_CHECK(rc == NO_ERROR || (op % 4 == 3 && rc == ERROR_NOT_FOUND));
		}
		if (rc == NO_ERROR) {
			r->answers++;
			check_dest(r, &db.info, proto, views, q, true);
			if (!have_held && op % 4 == 3 && proto == RTM_BEST_PROTOCOL) { /* a /25 */
				held = db; /* keep it (and its references) for a while */
				have_held = true;
			} else {
				T_CHECK(RtmReleaseDestInfo(r->e, &db.info) == NO_ERROR);
			}
		}
		if (op % 8 == 5)
			check_exact_route(r, i, rnd(&r->seed));
		if (have_held && op % 8 == 7) {
			/* The held destination and routes, after writes went by. */
			for (UINT k = 0; k < held.info.NumberOfViews; k++) {
				__typeof__(&held.info.ViewInfo[0]) vi = &RT_VIEW(&held.info, k);
				const UCHAR *a = held.info.DestAddress.AddrBits;
				if (vi->Route)
					check_route(r, vi->Route, held.info.DestHandle, vi->Owner, idx24(a),
						    held.info.DestAddress.NumBits, a[3] >> 7);
			}
			rc = RtmGetDestInfo(r->e, held.info.DestHandle, proto, RTM_VIEW_MASK_ALL, &db.info);
			T_CHECK(rc == NO_ERROR);
			if (rc == NO_ERROR) {
				T_CHECK(rt_addr_eq(&db.info.DestAddress, &held.info.DestAddress));
				check_dest(r, &db.info, proto, RTM_VIEW_MASK_ALL, NULL, false);
				T_CHECK(RtmReleaseDestInfo(r->e, &db.info) == NO_ERROR);
			}
			r->held_checks++;
			if (op % 512 == 511) {
				T_CHECK(RtmReleaseDestInfo(r->e, &held.info) == NO_ERROR);
				have_held = false;
			}
		}
	}
	if (have_held)
		T_CHECK(RtmReleaseDestInfo(r->e, &held.info) == NO_ERROR);
	return NULL;
}

/* Writes the route of e (A or B) in *slot (kind k, prefix i/len/h) with
 * version v: added, updated, or, with inplace, edited under RtmLockRoute. */
static void write_route(RTM_ENTITY_HANDLE e, RTM_ROUTE_HANDLE *slot, unsigned k, unsigned i,
			unsigned len, unsigned h, unsigned v, bool inplace)
{
	ULONG m = MET(k, v, len == 24 ? i : 2 * i + h);
	atomic_store(&g.ver, v); /* published before any reader can see it */
	if (inplace) {
		PRTM_ROUTE_INFO p = NULL;
		T_CHECK(RtmLockRoute(e, *slot, TRUE, TRUE, &p) == NO_ERROR && p);
		if (!p)
			return;
		T_CHECK(p->NextHopsList.NextHops[0] == g.bnh[v % 4]);
		p->PrefInfo.Preference = pref_of(k, v);
		p->PrefInfo.Metric = m;
		p->BelongsToViews = views_of(k, v);
		p->EntitySpecificInfo = (PVOID)(uintptr_t)m;
		T_CHECK(RtmUpdateAndUnlockRoute(e, *slot, INFINITE, NULL, 0, NULL, NULL) == NO_ERROR);
		return;
	}
	rt_route_buf rb;
	rt_route_fill(&rb.info, pref_of(k, v), m, views_of(k, v), k == K_A ? g.anh : g.bnh[v % 4], NULL);
	rb.info.EntitySpecificInfo = (PVOID)(uintptr_t)m;
	RTM_NET_ADDRESS d = net(i, len, h);
	RTM_ROUTE_HANDLE old = slot ? *slot : NULL;
	RTM_ROUTE_CHANGE_FLAGS fl = 0;
	T_CHECK(RtmAddRouteToDest(e, slot, &d, &rb.info, INFINITE, NULL, 0, NULL, &fl) == NO_ERROR);
	T_CHECK(old ? *slot == old && !(fl & RTM_ROUTE_CHANGE_NEW) : (fl & RTM_ROUTE_CHANGE_NEW) != 0);
}

static void *writer_main(void *arg)
{
	unsigned seed = 4242, v = 0;
	(void)arg;
	for (unsigned op = 0; op < WRITER_OPS && v < VER_MAX - 8; op++) {
		unsigned x = rnd(&seed), i = x % ((x >> 20) % 2 ? N : HOT);
		unsigned what = (x >> 11) % 10, h = (x >> 15) & 1;
		bool wide = what < 4 || (what >= 8 && h);
		RTM_ROUTE_HANDLE *slot = wide ? &g.r24[i] : &g.r25[2 * i + h];
		unsigned k = wide ? K_B24 : K_B25, len = wide ? 24 : 25;
		if (what >= 8) { /* in place, keeping the next hop: v % 4 unchanged */
			if (!*slot)
				continue;
			rt_route_buf rb;
			T_CHECK(rt_route_info(g.b, *slot, &rb) == NO_ERROR);
			unsigned old = (rb.info.PrefInfo.Metric >> 12) & (VER_MAX - 1);
			T_CHECK(RtmReleaseRouteInfo(g.b, &rb.info) == NO_ERROR);
			v += 1 + (old + 3 - v % 4) % 4;
			write_route(g.b, slot, k, i, len, h, v, true);
		} else if (*slot && (x >> 16) % 2) {
			T_CHECK(RtmDeleteRouteToDest(g.b, *slot, NULL) == NO_ERROR);
			*slot = NULL;
		} else {
			write_route(g.b, slot, k, i, len, h, ++v, false);
		}
	}
	atomic_store(&g.writer_done, true);
	return NULL;
}

static void run(bool shared)
{
	memset(&g, 0, sizeof(g));
	RTM_ENTITY_HANDLE observer = NULL, re[2] = { NULL, NULL };
	RTM_REGN_PROFILE prof;
	REQUIRE(rt_register_ex(0, AF_INET, 1, 1, NULL, FALSE, NULL, &observer, &prof) == NO_ERROR);
	REQUIRE(prof.ViewsSupported == (U | M));
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_A, 1, NULL, FALSE, NULL, &g.a, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_B, 1, NULL, FALSE, NULL, &g.b, NULL) == NO_ERROR);
	for (unsigned k = 0; k < (shared ? 1u : 2u); k++)
		REQUIRE(rt_register_ex(0, AF_INET, PROTO_R + k, 1, NULL, FALSE, NULL, &re[k], NULL) == NO_ERROR);
	g.anh = rt_nexthop(g.a, "192.0.2.1", 1);
	static const char *const bnh[4] = { "192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13" };
	for (unsigned k = 0; k < 4; k++)
		g.bnh[k] = rt_nexthop(g.b, bnh[k], 2 + k);
	for (unsigned i = 0; i < N; i++)
		write_route(g.a, NULL, K_A, i, 24, 0, 0, false);

	struct reader r[2] = { { .e = re[0], .seed = 1 }, { .e = shared ? re[0] : re[1], .seed = 2 } };
	pthread_t tr[2], tw;
	REQUIRE(pthread_create(&tw, NULL, writer_main, NULL) == 0);
	for (unsigned k = 0; k < 2; k++)
		REQUIRE(pthread_create(&tr[k], NULL, reader_main, &r[k]) == 0);
	pthread_join(tw, NULL);
	for (unsigned k = 0; k < 2; k++)
		pthread_join(tr[k], NULL);
	CHECK_U(atomic_load(&rt_thread_errors), 0);
	for (unsigned k = 0; k < 2; k++) {
		printf("  reader %u: %u answers, %u routes checked, %u held checks\n", k, r[k].answers,
		       r[k].routes, r[k].held_checks);
		CHECK(r[k].answers > 0 && r[k].routes > 0 && r[k].held_checks > 0);
	}

	/* The table is what the writer's records say. */
	unsigned live = 0, dests = N;
	for (unsigned j = 0; j < 3 * N; j++) {
		RTM_ROUTE_HANDLE b = j < N ? g.r24[j] : g.r25[j - N];
		RTM_NET_ADDRESS d = j < N ? net(j, 24, 0) : net((j - N) / 2, 25, (j - N) % 2);
		rt_dest_buf db;
		DWORD rc = RtmGetExactMatchDestination(observer, &d, RTM_BEST_PROTOCOL, U | M, &db.info);
		CHECK_U(rc, b || j < N ? NO_ERROR : ERROR_NOT_FOUND);
		if (rc == NO_ERROR) {
			UINT nu = RT_VIEW(&db.info, 0).NumRoutes, nm = RT_VIEW(&db.info, 1).NumRoutes;
			CHECK_U(j < N ? nu : nu + nm, (b != NULL) + (j < N)); /* B's /24 route is in UCAST */
			CHECK(RT_VIEW(&db.info, nu ? 0 : 1).Owner == (b ? g.b : g.a));
			CHECK(!b || RT_VIEW(&db.info, nu ? 0 : 1).Route == b);
			CHECK_U(RtmReleaseDestInfo(observer, &db.info), NO_ERROR);
		}
		live += b != NULL;
		dests += j >= N && b;
	}
	rtm_stats s = rt_stats(observer);
	CHECK_U(s.routes, N + live);
	CHECK_U(s.dests, dests);
	/* B deletes half of its routes and leaves the rest to its deregistration
	 * (releasing its handles first: a deregistration keeps what they hold). */
	for (unsigned j = 0; j < 3 * N; j++) {
		RTM_ROUTE_HANDLE *slot = j < N ? &g.r24[j] : &g.r25[j - N];
		if (*slot && j % 2)
			CHECK_U(RtmDeleteRouteToDest(g.b, *slot, NULL), NO_ERROR);
		else if (*slot)
			CHECK_U(RtmReleaseRoutes(g.b, 1, slot), NO_ERROR);
	}
	CHECK_U(RtmReleaseNextHops(g.b, 4, g.bnh), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(g.b), NO_ERROR);
	s = rt_stats(observer);
	CHECK_U(s.routes, N);
	CHECK_U(s.dests, N);
	for (unsigned k = 0; k < 2; k++)
		if (re[k])
			CHECK_U(RtmDeregisterEntity(re[k]), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(g.a, 1, &g.anh), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(g.a), NO_ERROR);
	/* Nothing is left over but the observer itself. */
	s = rt_stats(observer);
	CHECK(s.entities == 1 && s.pending_timers == 0 && s.queued_changes == 0);
	CHECK_U(s.dests, 0);
	CHECK_U(s.routes, 0);
	CHECK_U(s.next_hops, 0);
	CHECK_U(s.handles, 0);
	CHECK_U(RtmDeregisterEntity(observer), NO_ERROR);
}

static void test_readers_own_entities(void) { run(false); }
static void test_readers_share_entity(void) { run(true); }

int main(void)
{
	RUN(test_readers_own_entities);
	RUN(test_readers_share_entity);
	TEST_MAIN_END();
}
