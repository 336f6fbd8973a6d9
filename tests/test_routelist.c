/*
 * test_routelist.c — client route lists (routelist.c): create, insert and
 * move, enumerate in batches while the list changes, delete, and what
 * deregistration does.
 */
#include "rtmtest.h"

struct env {
	RTM_ENTITY_HANDLE a, b;
	RTM_REGN_PROFILE prof;
	RTM_NEXTHOP_HANDLE na, nb;
};

static void env_make(struct env *v)
{
	REQUIRE(rt_register_ex(0, AF_INET, 10, 1, NULL, FALSE, NULL, &v->a, &v->prof) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 20, 1, NULL, FALSE, NULL, &v->b, NULL) == NO_ERROR);
	v->na = rt_nexthop(v->a, "10.0.0.1", 1);
	v->nb = rt_nexthop(v->b, "10.0.0.2", 1);
}

static void env_free(struct env *v)
{
	RtmReleaseNextHops(v->a, 1, &v->na);
	RtmReleaseNextHops(v->b, 1, &v->nb);
	RtmDeregisterEntity(v->a);
	RtmDeregisterEntity(v->b);
}

/* Adds n routes of a to 10.<i>.0.0/16 (i from first), handles into hs. */
static void add_routes(struct env *v, RTM_ROUTE_HANDLE *hs, unsigned first, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char t[32];
		snprintf(t, sizeof(t), "10.%u.%u.0", (first + i) / 256, (first + i) % 256);
		hs[i] = NULL;
		CHECK_U(rt_add_route(v->a, t, 24, 1, 1, 1, v->na, NULL, &hs[i], NULL), NO_ERROR);
	}
}

/* Reads a whole list through a fresh enumeration, `batch` at a time; the
 * handles are released; returns the count, the routes into out. */
static unsigned read_list(RTM_ENTITY_HANDLE e, RTM_ROUTE_LIST_HANDLE list, UINT batch, RTM_ROUTE_HANDLE *out,
			  unsigned cap)
{
	RTM_ENUM_HANDLE en = NULL;
	if (RtmCreateRouteListEnum(e, list, &en) != NO_ERROR) {
		CHECK(!"RtmCreateRouteListEnum");
		return 0;
	}
	unsigned total = 0;
	for (;;) {
		RTM_ROUTE_HANDLE got[128];
		UINT n = batch;
		DWORD rc = RtmGetListEnumRoutes(e, en, &n, got);
		CHECK_U(rc, NO_ERROR);
		if (rc != NO_ERROR || n == 0)
			break;
		CHECK(n <= batch);
		for (UINT i = 0; i < n; i++)
			if (total < cap)
				out[total++] = got[i];
		CHECK_U(RtmReleaseRoutes(e, n, got), NO_ERROR);
	}
	CHECK_U(RtmDeleteEnumHandle(e, en), NO_ERROR);
	return total;
}

static void test_create_invalid(void)
{
	struct env v;
	env_make(&v);
	RTM_ROUTE_LIST_HANDLE l = (RTM_ROUTE_LIST_HANDLE)0x5;
	CHECK_U(RtmCreateRouteList(v.a, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateRouteList(NULL, &l), ERROR_INVALID_HANDLE);
	CHECK(l == (RTM_ROUTE_LIST_HANDLE)0x5);
	CHECK_U(RtmCreateRouteList(v.a, &l), NO_ERROR);
	CHECK(l != NULL && l != (RTM_ROUTE_LIST_HANDLE)0x5);
	RTM_ENUM_HANDLE en;
	CHECK_U(RtmCreateRouteListEnum(v.a, l, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmCreateRouteListEnum(v.a, NULL, &en), ERROR_INVALID_HANDLE);
	/* Lists are private: another entity cannot use this one. */
	CHECK_U(RtmCreateRouteListEnum(v.b, l, &en), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteRouteList(v.b, l), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteRouteList(v.a, l), NO_ERROR);
	CHECK_U(RtmDeleteRouteList(v.a, l), ERROR_INVALID_HANDLE);
	CHECK_U(RtmCreateRouteListEnum(v.a, l, &en), ERROR_INVALID_HANDLE);
	env_free(&v);
}

static void test_insert_and_move(void)
{
	struct env v;
	env_make(&v);
	RTM_ROUTE_HANDLE r[6], out[8];
	add_routes(&v, r, 0, 6);
	RTM_ROUTE_LIST_HANDLE l1, l2;
	REQUIRE(RtmCreateRouteList(v.a, &l1) == NO_ERROR);
	REQUIRE(RtmCreateRouteList(v.a, &l2) == NO_ERROR);
	CHECK_U(read_list(v.a, l1, 10, out, 8), 0);

	CHECK_U(RtmInsertInRouteList(v.a, l1, 5, r), NO_ERROR);
	CHECK_U(read_list(v.a, l1, 10, out, 8), 5);
	for (unsigned i = 0; i < 5; i++)
		CHECK(out[i] == r[i]);
	/* Inserting again keeps one entry per route, in its place. */
	CHECK_U(RtmInsertInRouteList(v.a, l1, 1, &r[0]), NO_ERROR);
	CHECK_U(read_list(v.a, l1, 10, out, 8), 5);
	CHECK(out[0] == r[0] && out[4] == r[4]);
	/* Moving to another list takes them out of the first. */
	RTM_ROUTE_HANDLE mv[2] = { r[1], r[2] };
	CHECK_U(RtmInsertInRouteList(v.a, l2, 2, mv), NO_ERROR);
	CHECK_U(read_list(v.a, l1, 10, out, 8), 3);
	CHECK(out[0] == r[0] && out[1] == r[3] && out[2] == r[4]);
	CHECK_U(read_list(v.a, l2, 10, out, 8), 2);
	CHECK(out[0] == r[1] && out[1] == r[2]);
	/* A NULL list takes them out of whatever list. */
	RTM_ROUTE_HANDLE out_of[2] = { r[3], r[1] };
	CHECK_U(RtmInsertInRouteList(v.a, NULL, 2, out_of), NO_ERROR);
	CHECK_U(read_list(v.a, l1, 10, out, 8), 2);
	CHECK_U(read_list(v.a, l2, 10, out, 8), 1);
	CHECK(out[0] == r[2]);
	CHECK_U(RtmInsertInRouteList(v.a, NULL, 1, &r[5]), NO_ERROR); /* in no list: fine */

	/* Invalid: another's route, a deleted route, another's or no list; nothing moves. */
	RTM_ROUTE_HANDLE theirs = NULL;
	REQUIRE(rt_add_route(v.b, "10.0.0.0", 24, 1, 1, 1, v.nb, NULL, &theirs, NULL) == NO_ERROR);
	RTM_ROUTE_HANDLE mixed[2] = { r[5], theirs };
	CHECK_U(RtmInsertInRouteList(v.a, l1, 2, mixed), ERROR_ACCESS_DENIED);
	RTM_ROUTE_LIST_HANDLE lb;
	REQUIRE(RtmCreateRouteList(v.b, &lb) == NO_ERROR);
	CHECK_U(RtmInsertInRouteList(v.a, lb, 1, &r[5]), ERROR_INVALID_HANDLE);
	CHECK_U(RtmInsertInRouteList(v.b, lb, 1, &theirs), NO_ERROR);
	RTM_ROUTE_HANDLE dead = r[4], keep = r[4];
	RtmReferenceHandles(v.a, 1, &keep);
	DWORD fl;
	CHECK_U(RtmDeleteRouteToDest(v.a, dead, &fl), NO_ERROR);
	RTM_ROUTE_HANDLE mixed2[2] = { r[5], keep };
	CHECK_U(RtmInsertInRouteList(v.a, l1, 2, mixed2), ERROR_INVALID_HANDLE);
	CHECK_U(read_list(v.a, l1, 10, out, 8), 1); /* r[4] left l1 when deleted */
	CHECK(out[0] == r[0]);
	RtmReleaseRoutes(v.a, 1, &keep);

	/* RtmAddRouteToDest with a list puts the route there. */
	RTM_ROUTE_HANDLE same = r[5];
	RTM_NET_ADDRESS d5 = rt_addr("10.0.5.0", 24);
	rt_route_buf rb;
	rt_route_fill(&rb.info, 1, 1, 1, v.na, NULL);
	fl = 0;
	CHECK_U(RtmAddRouteToDest(v.a, &same, &d5, &rb.info, INFINITE, l2, 0, NULL, &fl), NO_ERROR);
	CHECK_U(read_list(v.a, l2, 10, out, 8), 2);
	CHECK(out[0] == r[2] && out[1] == r[5]);
	/* Another's list in RtmAddRouteToDest: invalid. */
	fl = 0;
	CHECK_U(RtmAddRouteToDest(v.a, &same, &d5, &rb.info, INFINITE, lb, 0, NULL, &fl), ERROR_INVALID_HANDLE);

	RTM_ROUTE_HANDLE rel[5] = { r[0], r[1], r[2], r[3], r[5] };
	RtmReleaseRoutes(v.a, 5, rel);
	RtmReleaseRoutes(v.b, 1, &theirs);
	env_free(&v);
}

static void test_enum_batches(void)
{
	struct env v;
	env_make(&v);
	REQUIRE(v.prof.MaxHandlesInEnum == 100);
	enum { N = 250 };
	static RTM_ROUTE_HANDLE r[N], out[N];
	add_routes(&v, r, 0, N);
	RTM_ROUTE_LIST_HANDLE l;
	REQUIRE(RtmCreateRouteList(v.a, &l) == NO_ERROR);
	REQUIRE(RtmInsertInRouteList(v.a, l, N, r) == NO_ERROR);
	RTM_ENUM_HANDLE en;
	REQUIRE(RtmCreateRouteListEnum(v.a, l, &en) == NO_ERROR);
	static RTM_ROUTE_HANDLE got[128];
	UINT n = 101;
	CHECK_U(RtmGetListEnumRoutes(v.a, en, &n, got), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetListEnumRoutes(v.a, en, NULL, got), ERROR_INVALID_PARAMETER);
	n = 5;
	CHECK_U(RtmGetListEnumRoutes(v.a, en, &n, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetListEnumRoutes(v.b, en, &n, got), ERROR_INVALID_HANDLE); /* not b's */
	CHECK_U(RtmGetListEnumRoutes(v.a, (RTM_ENUM_HANDLE)0x3, &n, got), ERROR_INVALID_HANDLE);
	unsigned total = 0, calls = 0;
	UINT sizes[4];
	for (;;) {
		n = 100;
		REQUIRE(RtmGetListEnumRoutes(v.a, en, &n, got) == NO_ERROR);
		if (calls < 4)
			sizes[calls] = n;
		calls++;
		if (n == 0)
			break;
		for (UINT i = 0; i < n; i++)
			out[total++] = got[i];
		CHECK_U(RtmReleaseRoutes(v.a, n, got), NO_ERROR);
	}
	CHECK_U(calls, 4);
	CHECK(sizes[0] == 100 && sizes[1] == 100 && sizes[2] == 50 && sizes[3] == 0);
	CHECK_U(total, N);
	for (unsigned i = 0; i < N; i++)
		CHECK(out[i] == r[i]);
	/* Still at the end. */
	n = 100;
	CHECK_U(RtmGetListEnumRoutes(v.a, en, &n, got), NO_ERROR);
	CHECK_U(n, 0);
	/* A route added to the list later is seen by the same enumeration. */
	RTM_ROUTE_HANDLE late;
	add_routes(&v, &late, 300, 1);
	REQUIRE(RtmInsertInRouteList(v.a, l, 1, &late) == NO_ERROR);
	n = 100;
	CHECK_U(RtmGetListEnumRoutes(v.a, en, &n, got), NO_ERROR);
	CHECK(n == 1 && got[0] == late);
	RtmReleaseRoutes(v.a, n, got);
	CHECK_U(RtmDeleteEnumHandle(v.a, en), NO_ERROR);
	n = 10;
	CHECK_U(RtmGetListEnumRoutes(v.a, en, &n, got), ERROR_INVALID_HANDLE);
	RtmReleaseRoutes(v.a, N, r);
	RtmReleaseRoutes(v.a, 1, &late);
	env_free(&v);
}

static void test_enum_survives_changes(void)
{
	struct env v;
	env_make(&v);
	enum { N = 10 };
	RTM_ROUTE_HANDLE r[N + 1], got[16];
	add_routes(&v, r, 0, N + 1);
	RTM_ROUTE_LIST_HANDLE l, other;
	REQUIRE(RtmCreateRouteList(v.a, &l) == NO_ERROR);
	REQUIRE(RtmCreateRouteList(v.a, &other) == NO_ERROR);
	REQUIRE(RtmInsertInRouteList(v.a, l, N, r) == NO_ERROR);
	RTM_ENUM_HANDLE en, en2;
	REQUIRE(RtmCreateRouteListEnum(v.a, l, &en) == NO_ERROR);
	REQUIRE(RtmCreateRouteListEnum(v.a, l, &en2) == NO_ERROR); /* a second, independent cursor */
	UINT n = 3;
	REQUIRE(RtmGetListEnumRoutes(v.a, en, &n, got) == NO_ERROR);
	CHECK(n == 3 && got[0] == r[0] && got[2] == r[2]);
	RtmReleaseRoutes(v.a, n, got);
	/* Ahead of the cursor: r[5] deleted, r[6] moved away, r[3] taken out;
	 * behind it: r[1] deleted.  r[10] added at the tail. */
	DWORD fl;
	RTM_ROUTE_HANDLE d5 = r[5], d1 = r[1];
	RtmReferenceHandles(v.a, 1, &d5);
	RtmReferenceHandles(v.a, 1, &d1);
	CHECK_U(RtmDeleteRouteToDest(v.a, d5, &fl), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(v.a, d1, &fl), NO_ERROR);
	CHECK_U(RtmInsertInRouteList(v.a, other, 1, &r[6]), NO_ERROR);
	CHECK_U(RtmInsertInRouteList(v.a, NULL, 1, &r[3]), NO_ERROR);
	CHECK_U(RtmInsertInRouteList(v.a, l, 1, &r[N]), NO_ERROR);
	RTM_ROUTE_HANDLE rest[16];
	unsigned k = 0;
	for (;;) {
		n = 2;
		REQUIRE(RtmGetListEnumRoutes(v.a, en, &n, got) == NO_ERROR);
		if (n == 0)
			break;
		for (UINT i = 0; i < n; i++)
			rest[k++] = got[i];
		RtmReleaseRoutes(v.a, n, got);
	}
	RTM_ROUTE_HANDLE want[] = { r[4], r[7], r[8], r[9], r[10] };
	CHECK_U(k, 5);
	for (unsigned i = 0; i < 5 && i < k; i++)
		CHECK(rest[i] == want[i]);
	/* The other enumeration sees the list as it is now, from the start. */
	RTM_ROUTE_HANDLE now[] = { r[0], r[2], r[4], r[7], r[8], r[9], r[10] };
	k = 0;
	for (;;) {
		n = 4;
		REQUIRE(RtmGetListEnumRoutes(v.a, en2, &n, got) == NO_ERROR);
		if (n == 0)
			break;
		for (UINT i = 0; i < n; i++)
			rest[k++] = got[i];
		RtmReleaseRoutes(v.a, n, got);
	}
	CHECK_U(k, 7);
	for (unsigned i = 0; i < 7 && i < k; i++)
		CHECK(rest[i] == now[i]);
	/* Deleting the list under an enumeration: it returns nothing more. */
	RTM_ENUM_HANDLE en3;
	REQUIRE(RtmCreateRouteListEnum(v.a, l, &en3) == NO_ERROR);
	n = 1;
	REQUIRE(RtmGetListEnumRoutes(v.a, en3, &n, got) == NO_ERROR && n == 1);
	RtmReleaseRoutes(v.a, n, got);
	CHECK_U(RtmDeleteRouteList(v.a, l), NO_ERROR);
	n = 4;
	CHECK_U(RtmGetListEnumRoutes(v.a, en3, &n, got), NO_ERROR);
	CHECK_U(n, 0);
	CHECK_U(RtmDeleteEnumHandle(v.a, en3), NO_ERROR);
	CHECK_U(RtmDeleteEnumHandle(v.a, en), NO_ERROR);
	CHECK_U(RtmDeleteEnumHandle(v.a, en2), NO_ERROR);
	RtmReleaseRoutes(v.a, 1, &d5);
	RtmReleaseRoutes(v.a, 1, &d1);
	RTM_ROUTE_HANDLE live[] = { r[0], r[2], r[3], r[4], r[6], r[7], r[8], r[9], r[10] };
	CHECK_U(RtmReleaseRoutes(v.a, 9, live), NO_ERROR);
	RtmDeleteRouteList(v.a, other);
	env_free(&v);
}

/* A protocol refreshes its routes passing its list on every update (and
 * inserts them again): a route already in the list keeps its place, so an
 * enumeration in progress returns each route exactly once. */
static void test_refresh_keeps_place(void)
{
	struct env v;
	env_make(&v);
	enum { N = 4 };
	RTM_ROUTE_HANDLE r[N], got[8];
	add_routes(&v, r, 0, N);
	RTM_ROUTE_LIST_HANDLE l;
	REQUIRE(RtmCreateRouteList(v.a, &l) == NO_ERROR);
	REQUIRE(RtmInsertInRouteList(v.a, l, N, r) == NO_ERROR);
	RTM_ENUM_HANDLE en;
	REQUIRE(RtmCreateRouteListEnum(v.a, l, &en) == NO_ERROR);
	UINT n = 2;
	REQUIRE(RtmGetListEnumRoutes(v.a, en, &n, got) == NO_ERROR);
	CHECK(n == 2 && got[0] == r[0] && got[1] == r[1]);
	RtmReleaseRoutes(v.a, n, got);
	/* Refresh every route through RtmAddRouteToDest with the list, and
	 * insert r[0] and r[3] into it again. */
	for (unsigned i = 0; i < N; i++) {
		rt_route_buf rb;
		RTM_ROUTE_HANDLE h = r[i];
		RTM_NET_ADDRESS d;
		char t[32];
		snprintf(t, sizeof(t), "10.0.%u.0", i);
		d = rt_addr(t, 24);
		rt_route_fill(&rb.info, 1, 2 + i, 1, v.na, NULL);
		RTM_ROUTE_CHANGE_FLAGS fl = 0;
		CHECK_U(RtmAddRouteToDest(v.a, &h, &d, &rb.info, INFINITE, l, 0, NULL, &fl), NO_ERROR);
		CHECK(h == r[i]);
		CHECK_U(fl & RTM_ROUTE_CHANGE_NEW, 0);
	}
	RTM_ROUTE_HANDLE again[2] = { r[0], r[3] };
	CHECK_U(RtmInsertInRouteList(v.a, l, 2, again), NO_ERROR);
	/* The enumeration goes on with r[2], r[3] and ends: none returned twice. */
	RTM_ROUTE_HANDLE rest[8];
	unsigned k = 0;
	for (;;) {
		n = 3;
		REQUIRE(RtmGetListEnumRoutes(v.a, en, &n, got) == NO_ERROR);
		if (n == 0)
			break;
		for (UINT i = 0; i < n && k < 8; i++)
			rest[k++] = got[i];
		RtmReleaseRoutes(v.a, n, got);
	}
	CHECK_U(k, 2);
	CHECK(k >= 2 && rest[0] == r[2] && rest[1] == r[3]);
	/* And the list is in its first order, each route once. */
	RTM_ROUTE_HANDLE all[8];
	CHECK_U(read_list(v.a, l, 8, all, 8), N);
	for (unsigned i = 0; i < N; i++)
		CHECK(all[i] == r[i]);
	CHECK_U(RtmDeleteEnumHandle(v.a, en), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(v.a, N, r), NO_ERROR);
	CHECK_U(RtmDeleteRouteList(v.a, l), NO_ERROR);
	env_free(&v);
}

static void test_delete_list_keeps_routes(void)
{
	struct env v;
	env_make(&v);
	RTM_ROUTE_HANDLE r[4], out[4];
	add_routes(&v, r, 0, 4);
	RTM_ROUTE_LIST_HANDLE l;
	REQUIRE(RtmCreateRouteList(v.a, &l) == NO_ERROR);
	REQUIRE(RtmInsertInRouteList(v.a, l, 4, r) == NO_ERROR);
	rtm_stats before = rt_stats(v.a);
	CHECK_U(RtmDeleteRouteList(v.a, NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteRouteList(NULL, l), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeleteRouteList(v.a, l), NO_ERROR);
	rtm_stats after = rt_stats(v.a);
	CHECK_U(after.routes, before.routes);
	CHECK_U(after.dests, before.dests);
	CHECK_U(after.handles, before.handles - 1);
	CHECK(rt_best(v.a, "10.0.2.0", 24, 1) == r[2]);
	/* The routes can go into a new list. */
	RTM_ROUTE_LIST_HANDLE l2;
	REQUIRE(RtmCreateRouteList(v.a, &l2) == NO_ERROR);
	CHECK(l2 != l);
	CHECK_U(RtmInsertInRouteList(v.a, l2, 4, r), NO_ERROR);
	CHECK_U(read_list(v.a, l2, 2, out, 4), 4);
	CHECK_U(RtmInsertInRouteList(v.a, l, 1, r), ERROR_INVALID_HANDLE);
	RtmReleaseRoutes(v.a, 4, r);
	RtmDeleteRouteList(v.a, l2);
	env_free(&v);
}

static void test_deregistration_frees_lists(void)
{
	struct env v;
	env_make(&v);
	rtm_stats base = rt_stats(v.b);
	RTM_ROUTE_HANDLE r[3];
	add_routes(&v, r, 0, 3);
	RTM_ROUTE_LIST_HANDLE l1, l2;
	REQUIRE(RtmCreateRouteList(v.a, &l1) == NO_ERROR);
	REQUIRE(RtmCreateRouteList(v.a, &l2) == NO_ERROR);
	REQUIRE(RtmInsertInRouteList(v.a, l1, 3, r) == NO_ERROR);
	RTM_ENUM_HANDLE en;
	REQUIRE(RtmCreateRouteListEnum(v.a, l1, &en) == NO_ERROR);
	RtmReleaseRoutes(v.a, 3, r);
	CHECK_U(rt_stats(v.b).handles, base.handles + 3 + 3 + 2 + 1);
	RtmReleaseNextHops(v.a, 1, &v.na);
	CHECK_U(RtmDeregisterEntity(v.a), NO_ERROR);
	rtm_stats s = rt_stats(v.b);
	/* Its routes, destinations, next hop, lists and enumeration are gone. */
	CHECK_U(s.handles, base.handles - 1);
	CHECK_U(s.routes, 0);
	CHECK_U(s.dests, 0);
	RtmReleaseNextHops(v.b, 1, &v.nb);
	RtmDeregisterEntity(v.b);
}

int main(void)
{
	RUN(test_create_invalid);
	RUN(test_insert_and_move);
	RUN(test_enum_batches);
	RUN(test_enum_survives_changes);
	RUN(test_refresh_keeps_place);
	RUN(test_delete_list_keeps_routes);
	RUN(test_deregistration_frees_lists);
	TEST_MAIN_END();
}
