/*
 * test_scale.c — a larger table: 100,000 random IPv4 and 20,000 random IPv6
 * prefixes are loaded, looked up (longest matches spot-checked against a
 * brute-force search), and unloaded; afterwards the counters show an empty
 * table and as many handles as before the load.
 */
#include "ribcheck.h"
#include "rtmtest.h"

enum { N4 = 100000, N6 = 20000, SPOT4 = 300, SPOT6 = 300 };

struct pfx {
	UCHAR bits[16];
	unsigned len;
};

static unsigned long long rng = 0x9E3779B97F4A7C15ull;

static unsigned long long rnd64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void mask(struct pfx *p, unsigned width)
{
	memset(p->bits + width / 8, 0, 16 - width / 8);
	for (unsigned b = p->len; b < width; b++)
		p->bits[b / 8] &= (UCHAR)~(0x80u >> (b % 8));
}

static bool covers(const struct pfx *p, const UCHAR *addr)
{
	unsigned full = p->len / 8, rest = p->len % 8;
	if (memcmp(p->bits, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	UCHAR m = (UCHAR)(0xFFu << (8 - rest));
	return (p->bits[full] & m) == (addr[full] & m);
}

static int pfx_cmp(const void *a, const void *b)
{
	const struct pfx *x = a, *y = b;
	int c = memcmp(x->bits, y->bits, 16);
	return c ? c : (int)x->len - (int)y->len;
}

/* Random prefixes of family width (lengths weighted like a real table), sorted, duplicates removed. */
static unsigned make_prefixes(struct pfx *ps, unsigned n, unsigned width)
{
	for (unsigned i = 0; i < n; i++) {
		memset(&ps[i], 0, sizeof(ps[i]));
		unsigned long long r1 = rnd64(), r2 = rnd64();
		memcpy(ps[i].bits, &r1, 8);
		memcpy(ps[i].bits + 8, &r2, 8);
		unsigned pick = (unsigned)(rnd64() % 100);
		if (width == 32) {
			ps[i].bits[0] = (UCHAR)(1 + ps[i].bits[0] % 223);
			ps[i].len = pick < 60 ? 24 : pick < 90 ? 16 + (unsigned)(rnd64() % 8) : 8 + (unsigned)(rnd64() % 25);
		} else {
			ps[i].bits[0] = 0x20;
			ps[i].bits[1] = (UCHAR)(ps[i].bits[1] & 0x0F);
			ps[i].len = pick < 50 ? 48 : pick < 80 ? 32 + (unsigned)(rnd64() % 17) :
				    pick < 95 ? 16 + (unsigned)(rnd64() % 49) : 128;
		}
		mask(&ps[i], width);
	}
	qsort(ps, n, sizeof(*ps), pfx_cmp);
	unsigned u = 0;
	for (unsigned i = 0; i < n; i++)
		if (u == 0 || pfx_cmp(&ps[u - 1], &ps[i]) != 0)
			ps[u++] = ps[i];
	return u;
}

static RTM_NET_ADDRESS to_net(const struct pfx *p, USHORT family)
{
	RTM_NET_ADDRESS a;
	memset(&a, 0, sizeof(a));
	a.AddressFamily = family;
	a.NumBits = (USHORT)p->len;
	memcpy(a.AddrBits, p->bits, family == AF_INET ? 4 : 16);
	return a;
}

static void run_family(USHORT family, unsigned n_wanted, unsigned spots)
{
	unsigned width = family == AF_INET ? 32 : 128;
	struct pfx *ps = calloc(n_wanted, sizeof(*ps));
	RTM_ROUTE_HANDLE *hs = calloc(n_wanted, sizeof(*hs));
	REQUIRE(ps && hs);
	unsigned n = make_prefixes(ps, n_wanted, width);
	CHECK(n > n_wanted * 9 / 10);

	RTM_ENTITY_HANDLE e = rt_register(family, 1);
	REQUIRE(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, family == AF_INET ? "192.0.2.1" : "fe80::1", 1);
	rtm_stats before = rt_stats(e);

	/* Load, in a shuffled order. */
	unsigned *order = malloc(n * sizeof(*order));
	REQUIRE(order);
	for (unsigned i = 0; i < n; i++)
		order[i] = i;
	for (unsigned i = n - 1; i > 0; i--) {
		unsigned j = (unsigned)(rnd64() % (i + 1)), t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	rt_route_buf rb;
	unsigned failures = 0;
	for (unsigned k = 0; k < n; k++) {
		unsigned i = order[k];
		RTM_NET_ADDRESS a = to_net(&ps[i], family);
		rt_route_fill(&rb.info, 1, i, RTM_VIEW_MASK_UCAST, nh, NULL);
		DWORD fl = 0;
		hs[i] = NULL;
		if (RtmAddRouteToDest(e, &hs[i], &a, &rb.info, INFINITE, NULL, 0, NULL, &fl) != NO_ERROR ||
		    fl != (RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST))
			failures++;
	}
	CHECK_U(failures, 0);
	rtm_stats loaded = rt_stats(e);
	CHECK_U(loaded.routes, n);
	CHECK_U(loaded.dests, n);
	CHECK_U(loaded.handles, before.handles + 2 * n);
	CHECK(rt_check_rib(e) == 0);

	/* Spot checks: half random addresses, half addresses inside loaded prefixes. */
	unsigned wrong = 0, found = 0;
	for (unsigned s = 0; s < spots; s++) {
		UCHAR addr[16];
		unsigned long long r1 = rnd64(), r2 = rnd64();
		memcpy(addr, &r1, 8);
		memcpy(addr + 8, &r2, 8);
		if (s % 2) {
			const struct pfx *p = &ps[rnd64() % n];
			for (unsigned b = 0; b < p->len; b++) {
				UCHAR bit = (UCHAR)(0x80u >> (b % 8));
				addr[b / 8] = (UCHAR)((addr[b / 8] & ~bit) | (p->bits[b / 8] & bit));
			}
		} else if (family == AF_INET6) {
			addr[0] = 0x20;
			addr[1] &= 0x0F;
		}
		const struct pfx *best = NULL;
		for (unsigned i = 0; i < n; i++)
			if (covers(&ps[i], addr) && (!best || ps[i].len > best->len))
				best = &ps[i];
		RTM_NET_ADDRESS q;
		memset(&q, 0, sizeof(q));
		q.AddressFamily = family;
		q.NumBits = (USHORT)width;
		memcpy(q.AddrBits, addr, width / 8);
		rt_dest_buf db;
		DWORD rc = RtmGetMostSpecificDestination(e, &q, 0, RTM_VIEW_MASK_UCAST, &db.info);
		if (!best) {
			wrong += rc != ERROR_NOT_FOUND;
			continue;
		}
		found++;
		if (rc != NO_ERROR) {
			wrong++;
			continue;
		}
		RTM_NET_ADDRESS want = to_net(best, family);
		if (!rt_addr_eq(&db.info.DestAddress, &want))
			wrong++;
		/* Its best route is the one loaded for that prefix. */
		if (RT_VIEW(&db.info, 0).Route != hs[best - ps])
			wrong++;
		RtmReleaseDestInfo(e, &db.info);
	}
	CHECK_U(wrong, 0);
	CHECK(found >= spots / 2);
	/* Exact matches of some loaded prefixes, and their information. */
	for (unsigned s = 0; s < 200; s++) {
		unsigned i = (unsigned)(rnd64() % n);
		RTM_NET_ADDRESS a = to_net(&ps[i], family);
		rt_dest_buf db;
		DWORD rc = RtmGetExactMatchDestination(e, &a, 0, RTM_VIEW_MASK_UCAST, &db.info);
		CHECK_U(rc, NO_ERROR);
		if (rc != NO_ERROR)
			continue;
		CHECK(RT_VIEW(&db.info, 0).Route == hs[i]);
		rt_route_buf ri;
		CHECK_U(rt_route_info(e, hs[i], &ri), NO_ERROR);
		CHECK_U(ri.info.PrefInfo.Metric, i);
		CHECK(ri.info.DestHandle == db.info.DestHandle);
		RtmReleaseRouteInfo(e, &ri.info);
		RtmReleaseDestInfo(e, &db.info);
	}

	/* Unload, in the reverse of the load order. */
	failures = 0;
	for (unsigned k = n; k-- > 0;) {
		DWORD fl;
		if (RtmDeleteRouteToDest(e, hs[order[k]], &fl) != NO_ERROR || fl != RTM_ROUTE_CHANGE_BEST)
			failures++;
		if (k == n / 2)
			CHECK(rt_check_rib(e) == 0);
	}
	CHECK_U(failures, 0);
	rtm_stats after = rt_stats(e);
	CHECK_U(after.routes, 0);
	CHECK_U(after.dests, 0);
	CHECK_U(after.handles, before.handles);
	CHECK_U(after.next_hops, 1);
	RTM_NET_ADDRESS q = to_net(&ps[0], family);
	rt_dest_buf db;
	CHECK_U(RtmGetMostSpecificDestination(e, &q, 0, RTM_VIEW_MASK_UCAST, &db.info), ERROR_NOT_FOUND);
	RtmReleaseNextHops(e, 1, &nh);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
	free(order);
	free(ps);
	free(hs);
}

static void test_ipv4(void)
{
	run_family(AF_INET, N4, SPOT4);
}

static void test_ipv6(void)
{
	run_family(AF_INET6, N6, SPOT6);
}

int main(void)
{
	RUN(test_ipv4);
	RUN(test_ipv6);
	TEST_MAIN_END();
}
