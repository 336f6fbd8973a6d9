/*
 * bench_rib.c — rtmv2's routing table at full Internet-table scale, through
 * the public API, on one thread.
 *
 * usage: bench_rib TABLE.txt.gz [--anchor DPDK_OUTPUT]
 *
 * Every IPv4 prefix of TABLE goes into an AF_INET RIB and every IPv6 prefix
 * into an AF_INET6 RIB.  Two protocol entities register in each: A ("BGP",
 * protocol 14, preference 20) and B ("OSPF", protocol 13, preference 110),
 * each with 32 next hops (its neighbours); route i of A uses neighbour i % 32
 * as its Neighbour and only next hop, route i of B neighbour (i + 7) % 32.
 * The steps (issue #4, item 10):
 *
 *   a  RtmAddRouteToDest of every prefix as A (new destinations, new routes);
 *   b  the same prefixes again as B, with the worse preference;
 *   c  RtmGetMostSpecificDestination + RtmReleaseDestInfo: 10 M IPv4
 *      addresses inside table prefixes, 10 M uniformly random ones, and
 *      2 M + 2 M IPv6 ones (the addresses of bench/common.h, which
 *      bench_dpdk looks up too);
 *   x  RtmGetExactMatchDestination + RtmReleaseDestInfo of every table
 *      prefix once, in a shuffled order (bench_shuffled() in bench/common.h,
 *      the order bench_dpdk's rte_rib_lookup_exact goes through), while the
 *      table holds A's and B's routes; a prefix not found is a wrong answer;
 *   d  every A route's metric changed (RtmAddRouteToDest on its handle);
 *   e  every route deleted (RtmDeleteRouteToDest): A's first (B takes over
 *      each destination), then B's (the destinations go);
 *   a4w  IPv4 loaded as A once more into the emptied table, whose memory
 *      the process keeps: the insert rate without first-touch page faults.
 *
 * Each step prints operations per second; a and b print resident memory per
 * route (VmRSS and malloc'd bytes before and after; every array the bench
 * itself needs is allocated and touched before the first baseline), and a
 * breakdown computes where the bytes go from the library's structures.  With
 * --anchor, the output of bench_dpdk from the same run, each figure that has
 * a DPDK counterpart is followed by the ratio rtmv2 / DPDK (above 1: rtmv2 is
 * faster).  Change notification and enumerations (issue #5) have their own
 * bench, bench_notify.
 *
 * Figures only: the bench exits non-zero on a wrong answer or an API error,
 * never because of speed.  The measured calls use only <rtmv2.h>; the memory
 * breakdown peeks at the library's internal structures (sizes,
 * trie glue counts), which is why this file is built with -Isrc against the
 * static library.
 */
#include <rtmv2.h>
#include <rtmv2/rtmv2_ext.h>

#include "common.h"

/* Internal headers, for the memory breakdown only. */
#include "handle.h"
#include "registry.h"
#include "rib.h"
#include "trie.h"

#include <stdarg.h>
#include <stddef.h>

#define NLOOKUPS4 (10u * 1000 * 1000)
#define NLOOKUPS6 (2u * 1000 * 1000)
#define NEIGHBOURS 32u
#define PROTO_A 14u  /* BGP */
#define PROTO_B 13u  /* OSPF */
#define PREF_A 20u
#define PREF_B 110u

/* One address family: its prefixes, its two entities and their routes. */
struct side {
	struct bench_family *f;
	RTM_ENTITY_HANDLE ent[2];                 /* A, B */
	RTM_NEXTHOP_HANDLE nh[2][NEIGHBOURS];
	RTM_ROUTE_HANDLE *routes[2];              /* f->n handles per entity; NULL: duplicate */
	RTM_REGN_PROFILE profile;
	size_t distinct;                          /* prefixes that made a new destination */
};

/* ---- the DPDK anchor ------------------------------------------------------- */

struct anchor {
	char key[16];
	double ops;
	long matched;
};

static struct anchor anchors[64];
static unsigned n_anchors;

static void load_anchor(const char *path)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f) {
		printf("bench_rib: no anchor (%s unreadable)\n", path);
		return;
	}
	while (fgets(line, sizeof(line), f) && n_anchors < sizeof(anchors) / sizeof(anchors[0])) {
		struct anchor *a = &anchors[n_anchors];
		char matched[32];
		if (sscanf(line, "R %15s %lf %31s", a->key, &a->ops, matched) != 3)
			continue;
		a->matched = matched[0] == '-' ? -1 : strtol(matched, NULL, 10);
		n_anchors++;
	}
	fclose(f);
}

static const struct anchor *anchor_find(const char *key)
{
	for (unsigned i = 0; i < n_anchors; i++)
		if (strcmp(anchors[i].key, key) == 0)
			return &anchors[i];
	return NULL;
}

/* The anchor figure a result is compared with: the same key, except that the
 * warm-heap load (a4w) compares with DPDK's insert too. */
static const char *anchor_key(const char *key)
{
	return strcmp(key, "a4w") == 0 ? "a4" : key;
}

/* Prints a result line, and its ratio to the anchor's figure. */
static void result(const char *key, double ops, long matched, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	bench_result(key, ops, matched, what);
	const struct anchor *a = anchor_find(anchor_key(key));
	if (a && a->ops > 0) {
		printf("           %.2fx DPDK (%.0f/s)\n", ops / a->ops, a->ops);
		/* The same addresses must find the same number of prefixes: a
		 * different count is a wrong answer, not a speed. */
		if (matched >= 0 && a->matched >= 0 && matched != a->matched) {
			printf("bench_rib: %s: DPDK matched %ld, rtmv2 %ld\n", key, a->matched, matched);
			exit(1);
		}
	}
}

static void fail(const char *call, DWORD err, size_t i)
{
	printf("bench_rib: %s failed at item %zu: %lu (%s)\n", call, i, (unsigned long)err,
	       rtm_strerror(err));
	exit(1);
}

/* ---- helpers ------------------------------------------------------------ */

static unsigned long events_seen;

static DWORD WINAPI on_event(RTM_ENTITY_HANDLE me, RTM_EVENT_TYPE type, PVOID c1, PVOID c2)
{
	(void)me;
	(void)type;
	(void)c1;
	(void)c2;
	events_seen++;
	return NO_ERROR;
}

static RTM_ENTITY_HANDLE register_entity(int af, ULONG proto, RTM_REGN_PROFILE *profile)
{
	RTM_ENTITY_INFO info = { .RtmInstanceId = 0, .AddressFamily = (USHORT)af };
	RTM_ENTITY_HANDLE h = NULL;

	info.EntityId.EntityProtocolId = proto;
	info.EntityId.EntityInstanceId = 1;
	DWORD err = RtmRegisterEntity(&info, NULL, on_event, FALSE, profile, &h);
	if (err)
		fail("RtmRegisterEntity", err, proto);
	return h;
}

static void net_address(RTM_NET_ADDRESS *a, const struct bench_family *f, const uint8_t *key,
			unsigned len)
{
	memset(a, 0, sizeof(*a));
	a->AddressFamily = (USHORT)f->af;
	a->NumBits = (USHORT)len;
	memcpy(a->AddrBits, key, f->width / 8);
}

/* Registers A and B in f's family and gives each its 32 next hops. */
static void side_init(struct side *s, struct bench_family *f)
{
	memset(s, 0, sizeof(*s));
	s->f = f;
	s->ent[0] = register_entity(f->af, PROTO_A, &s->profile);
	s->ent[1] = register_entity(f->af, PROTO_B, &s->profile);
	for (int who = 0; who < 2; who++) {
		for (unsigned k = 0; k < NEIGHBOURS; k++) {
			RTM_NEXTHOP_INFO nhi;
			uint8_t key[16] = { 0 };
			RTM_NEXTHOP_CHANGE_FLAGS fl = 0;

			memset(&nhi, 0, sizeof(nhi));
			if (f->af == AF_INET) {
				key[0] = 10, key[1] = (uint8_t)who, key[3] = (uint8_t)(k + 1);
			} else {
				key[0] = 0x20, key[1] = 0x01, key[2] = 0x0d, key[3] = 0xb8;
				key[5] = (uint8_t)who, key[15] = (uint8_t)(k + 1);
			}
			net_address(&nhi.NextHopAddress, f, key, f->width);
			nhi.InterfaceIndex = k + 1;
			DWORD err = RtmAddNextHop(s->ent[who], &nhi, &s->nh[who][k], &fl);
			if (err)
				fail("RtmAddNextHop", err, k);
		}
		s->routes[who] = bench_alloc(f->n * sizeof(RTM_ROUTE_HANDLE));
	}
}

static void side_fini(struct side *s)
{
	for (int who = 0; who < 2; who++) {
		RtmReleaseNextHops(s->ent[who], NEIGHBOURS, s->nh[who]);
		DWORD err = RtmDeregisterEntity(s->ent[who]);
		if (err)
			fail("RtmDeregisterEntity", err, (size_t)who);
		free(s->routes[who]);
	}
}

union route_buf {
	RTM_ROUTE_INFO info;
	char bytes[RTM_SIZE_OF_ROUTE_INFO(1)];
};

static void route_info(union route_buf *u, const struct side *s, int who, size_t i, ULONG metric)
{
	RTM_NEXTHOP_HANDLE nh = s->nh[who][(i + (size_t)who * 7) % NEIGHBOURS];

	memset(u, 0, sizeof(*u));
	u->info.Neighbour = nh;
	u->info.PrefInfo.Preference = who == 0 ? PREF_A : PREF_B;
	u->info.PrefInfo.Metric = metric;
	u->info.BelongsToViews = RTM_VIEW_MASK_UCAST;
	u->info.NextHopsList.NumNextHops = 1;
	u->info.NextHopsList.NextHops[0] = nh;
}

/* Adds every prefix of s as entity `who`; returns the seconds it took. */
static double load(struct side *s, int who)
{
	const struct bench_family *f = s->f;
	union route_buf u;
	RTM_NET_ADDRESS a;
	size_t dups = 0, new_routes = 0;

	double t = bench_now();
	for (size_t i = 0; i < f->n; i++) {
		RTM_ROUTE_CHANGE_FLAGS fl = 0;

		net_address(&a, f, bench_key(f, i), f->lens[i]);
		route_info(&u, s, who, i, 1 + (ULONG)(i % 16));
		s->routes[who][i] = NULL;
		DWORD err = RtmAddRouteToDest(s->ent[who], &s->routes[who][i], &a, &u.info, INFINITE,
					      NULL, 0, NULL, &fl);
		if (err)
			fail("RtmAddRouteToDest", err, i);
		if (!(fl & RTM_ROUTE_CHANGE_NEW)) {
			/* A duplicate prefix in the table: the route already exists and
			 * its handle is held once already. */
			RtmReleaseRoutes(s->ent[who], 1, &s->routes[who][i]);
			s->routes[who][i] = NULL;
			dups++;
		} else {
			new_routes++;
		}
	}
	t = bench_now() - t;
	if (who == 0)
		s->distinct = new_routes; /* A has one route per destination */
	if (dups)
		printf("  (%zu duplicate prefixes in the table: updated, not added)\n", dups);
	return t;
}

/* Changes the metric of every route of `who`, through its handle. */
static double update_metrics(struct side *s, int who)
{
	const struct bench_family *f = s->f;
	union route_buf u;
	RTM_NET_ADDRESS a;

	double t = bench_now();
	for (size_t i = 0; i < f->n; i++) {
		RTM_ROUTE_CHANGE_FLAGS fl = 0;

		if (!s->routes[who][i])
			continue;
		net_address(&a, f, bench_key(f, i), f->lens[i]);
		route_info(&u, s, who, i, 1000 + (ULONG)(i % 16));
		DWORD err = RtmAddRouteToDest(s->ent[who], &s->routes[who][i], &a, &u.info, INFINITE,
					      NULL, 0, NULL, &fl);
		if (err)
			fail("RtmAddRouteToDest (update)", err, i);
		if (fl & RTM_ROUTE_CHANGE_NEW)
			fail("RtmAddRouteToDest (update made a new route)", 0, i);
	}
	return bench_now() - t;
}

/* Deletes every route of `who`; returns the seconds it took. */
static double delete_all(struct side *s, int who, size_t *count)
{
	const struct bench_family *f = s->f;
	size_t n = 0;

	double t = bench_now();
	for (size_t i = 0; i < f->n; i++) {
		RTM_ROUTE_CHANGE_FLAGS fl = 0;

		if (!s->routes[who][i])
			continue;
		DWORD err = RtmDeleteRouteToDest(s->ent[who], s->routes[who][i], &fl);
		if (err)
			fail("RtmDeleteRouteToDest", err, i);
		s->routes[who][i] = NULL;
		n++;
	}
	t = bench_now() - t;
	*count = n;
	return t;
}

static void lookups(const struct side *s, const uint8_t *addrs, size_t count, const char *key,
		    const char *what)
{
	const struct bench_family *f = s->f;
	unsigned nb = f->width / 8;
	RTM_NET_ADDRESS a;
	RTM_DEST_INFO di;
	long hits = 0;

	net_address(&a, f, addrs, f->width);
	double t = bench_now();
	for (size_t i = 0; i < count; i++) {
		memcpy(a.AddrBits, addrs + (i & (BENCH_NKEYS - 1)) * nb, nb);
		DWORD err = RtmGetMostSpecificDestination(s->ent[0], &a, RTM_BEST_PROTOCOL,
							  RTM_VIEW_MASK_UCAST, &di);
		if (err == NO_ERROR) {
			hits++;
			err = RtmReleaseDestInfo(s->ent[0], &di);
			if (err)
				fail("RtmReleaseDestInfo", err, i);
		} else if (err != ERROR_NOT_FOUND) {
			fail("RtmGetMostSpecificDestination", err, i);
		}
	}
	t = bench_now() - t;
	result(key, (double)count / t, hits, "%s, %s (%.0f ns each)", what, f->name,
	       t * 1e9 / (double)count);
}

/* x: every prefix of ex (s's prefixes, shuffled) by exact match; each must be found. */
static void exact_lookups(const struct side *s, const struct bench_family *ex, const char *key)
{
	const struct bench_family *f = s->f;
	unsigned nb = f->width / 8;
	RTM_NET_ADDRESS a;
	RTM_DEST_INFO di;
	long hits = 0;

	net_address(&a, f, bench_key(ex, 0), ex->lens[0]);
	double t = bench_now();
	for (size_t i = 0; i < ex->n; i++) {
		memcpy(a.AddrBits, bench_key(ex, i), nb);
		a.NumBits = ex->lens[i];
		DWORD err = RtmGetExactMatchDestination(s->ent[0], &a, RTM_BEST_PROTOCOL,
							RTM_VIEW_MASK_UCAST, &di);
		if (err)
			fail("RtmGetExactMatchDestination (a table prefix)", err, i);
		hits++;
		err = RtmReleaseDestInfo(s->ent[0], &di);
		if (err)
			fail("RtmReleaseDestInfo", err, i);
	}
	t = bench_now() - t;
	result(key, (double)ex->n / t, hits, "shuffled table prefixes, %s (%.0f ns each; "
	       "target: >= 1.5x DPDK)", f->name, t * 1e9 / (double)ex->n);
}

/* ---- a again, on a warm heap ------------------------------------------------- */

/* Loads IPv4 as A into the emptied table and deletes it again: the insert
 * rate without first-touch page faults (the memory freed by e stays in the
 * process), which is what rte_rib's insert measures (its pool is touched when
 * it is created). */
static void warm_reload(struct side *s)
{
	size_t deleted;
	double t = load(s, 0);

	result("a4w", (double)s->f->n / t, (long)s->f->n,
	       "RtmAddRouteToDest, new destination + route, %s, warm heap (%.0f ns each)",
	       s->f->name, t * 1e9 / (double)s->f->n);
	delete_all(s, 0, &deleted);
}

/* ---- memory ------------------------------------------------------------------ */

/* The RIB behind a side's IPv4/IPv6 table, found through a destination handle. */
static struct rtm_rib *rib_of(const struct side *s)
{
	RTM_NET_ADDRESS a;
	RTM_DEST_INFO di;
	struct rtm_handle_parts parts;

	net_address(&a, s->f, bench_key(s->f, 0), s->f->lens[0]);
	if (RtmGetExactMatchDestination(s->ent[0], &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di))
		return NULL;
	int bad = rtm__handle_decode(di.DestHandle, &parts);
	RtmReleaseDestInfo(s->ent[0], &di);
	return bad ? NULL : rtm__rib_by_index(parts.rib);
}

/* What one route costs, structure by structure, with the table loaded by A
 * (and B if both): the computation behind the measured figures. */
static void breakdown(const struct side *s, int with_b)
{
	const struct rtm_rib *rib = rib_of(s);
	unsigned kb = s->f->width / 8;
	size_t n = s->distinct ? s->distinct : 1;

	if (!rib)
		return;
	/* Arena and pool objects take exactly their (rounded) size: no malloc
	 * header, no size class, no handle-table slot (arena.h, pool.h). */
	double glue = (double)(rib->trie.glue_count + rib->trie.spare_count) / (double)n;
	double per_dest = (double)rib->dest_arena.pool.size + glue * (double)rib->trie.glue.size;
	double per_route = (double)rib->route_arena.pool.size;
	printf("  %s per prefix: destination %u B in its arena (struct rtm_dest with its first route "
	       "inside, up to its %u-byte key);\n", s->f->name, rib->dest_arena.pool.size, kb);
	printf("    trie glue+spare nodes %.2f per prefix x %u B = %.1f B; further routes %u B in their arena\n",
	       glue, rib->trie.glue.size, glue * (double)rib->trie.glue.size, rib->route_arena.pool.size);
	printf("    computed: first route %.0f B (destination with the route + trie), each further "
	       "route %.0f B%s; the /20 index comes on top\n", per_dest, per_route,
	       with_b ? "" : " (B not loaded)");
	printf("    mapped: destinations %.1f MB, routes %.1f MB, trie nodes %.1f MB\n",
	       (double)rib->dest_arena.pool.mapped / 1e6, (double)rib->route_arena.pool.mapped / 1e6,
	       (double)rib->trie.glue.mapped / 1e6);
}

static void print_stats(const struct side *s, const char *when)
{
	rtm_stats st;

	if (rtm_get_stats(s->ent[0], &st) == NO_ERROR)
		printf("  %s %s: %lu destinations, %lu routes, %lu next hops, %lu handles in "
		       "use\n", s->f->name, when, st.dests, st.routes, st.next_hops, st.handles);
}

/* ---- main ---------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	struct bench_family v4, v6;
	struct side sides[2];
	char machine[512];
	const char *table = NULL;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--anchor") == 0 && i + 1 < argc)
			load_anchor(argv[++i]);
		else if (!table)
			table = argv[i];
		else
			table = NULL, i = argc;
	}
	if (!table) {
		fprintf(stderr, "usage: %s TABLE.txt.gz [--anchor DPDK_OUTPUT]\n", argv[0]);
		return 2;
	}
	bench_read_table("bench_rib", table, &v4, &v6);
	bench_machine(machine, sizeof(machine));
	printf("bench_rib: rtmv2 on %s; %zu IPv4 + %zu IPv6 prefixes, one thread, %u neighbours\n",
	       machine, v4.n, v6.n, NEIGHBOURS);

	/* Everything the bench itself needs, allocated before the first baseline. */
	uint8_t *in4 = bench_addrs(&v4, BENCH_NKEYS, 1, BENCH_SEED_INSIDE4);
	uint8_t *rnd4 = bench_addrs(&v4, BENCH_NKEYS, 0, BENCH_SEED_RANDOM4);
	uint8_t *in6 = bench_addrs(&v6, BENCH_NKEYS, 1, BENCH_SEED_INSIDE6);
	uint8_t *rnd6 = bench_addrs(&v6, BENCH_NKEYS, 0, BENCH_SEED_RANDOM6);
	struct bench_family ex4 = bench_shuffled(&v4, BENCH_SEED_EXACT4);
	struct bench_family ex6 = bench_shuffled(&v6, BENCH_SEED_EXACT6);
	side_init(&sides[0], &v4);
	side_init(&sides[1], &v6);
	size_t total = v4.n + v6.n;

	/* a: load as A. */
	size_t rss0 = bench_rss(), heap0 = bench_heap();
	printf("a. load every prefix as A (preference %u)\n", PREF_A);
	for (int k = 0; k < 2; k++) {
		struct side *s = &sides[k];
		size_t h = bench_heap();
		double t = load(s, 0);
		result(k ? "a6" : "a4", (double)s->f->n / t, (long)s->f->n,
		       "RtmAddRouteToDest, new destination + route, %s (%.0f ns each; "
		       "heap +%.0f B per route)", s->f->name, t * 1e9 / (double)s->f->n,
		       (double)(bench_heap() - h) / (double)s->f->n);
	}
	size_t rss1 = bench_rss(), heap1 = bench_heap();
	printf("M a.rss  %6.1f bytes per route resident (VmRSS +%.1f MB for %zu routes; "
	       "target <= 128)\n", (double)(rss1 - rss0) / (double)total,
	       (double)(rss1 - rss0) / 1e6, total);
	printf("M a.heap %6.1f bytes per route malloc'd (+%.1f MB)\n",
	       (double)(heap1 - heap0) / (double)total, (double)(heap1 - heap0) / 1e6);
	print_stats(&sides[0], "after a");
	print_stats(&sides[1], "after a");

	/* b: load again as B. */
	printf("b. load every prefix again as B (preference %u)\n", PREF_B);
	for (int k = 0; k < 2; k++) {
		struct side *s = &sides[k];
		size_t h = bench_heap();
		double t = load(s, 1);
		result(k ? "b6" : "b4", (double)s->f->n / t, (long)s->f->n,
		       "RtmAddRouteToDest, second route of a destination, %s (%.0f ns each; "
		       "heap +%.0f B per route)", s->f->name, t * 1e9 / (double)s->f->n,
		       (double)(bench_heap() - h) / (double)s->f->n);
	}
	size_t rss2 = bench_rss(), heap2 = bench_heap();
	printf("M b.rss  %6.1f bytes per B route resident (VmRSS +%.1f MB; target <= 64)\n",
	       (double)(rss2 - rss1) / (double)total, (double)(rss2 - rss1) / 1e6);
	printf("M b.heap %6.1f bytes per B route malloc'd (+%.1f MB)\n",
	       (double)(heap2 - heap1) / (double)total, (double)(heap2 - heap1) / 1e6);
	print_stats(&sides[0], "after b");
	print_stats(&sides[1], "after b");

	/* c: lookups. */
	printf("c. RtmGetMostSpecificDestination + RtmReleaseDestInfo (best route, unicast view)\n");
	lookups(&sides[0], in4, NLOOKUPS4, "c4in", "inside table prefixes");
	lookups(&sides[0], rnd4, NLOOKUPS4, "c4rnd", "uniformly random");
	lookups(&sides[1], in6, NLOOKUPS6, "c6in", "inside table prefixes");
	lookups(&sides[1], rnd6, NLOOKUPS6, "c6rnd", "random in 2000::/3");

	/* x: exact matches, A's and B's routes still in the table. */
	printf("x. RtmGetExactMatchDestination + RtmReleaseDestInfo of every prefix, shuffled "
	       "(best route, unicast view)\n");
	exact_lookups(&sides[0], &ex4, "x4");
	exact_lookups(&sides[1], &ex6, "x6");

	/* d: metric changes. */
	printf("d. change the metric of every A route (RtmAddRouteToDest on its handle)\n");
	for (int k = 0; k < 2; k++) {
		struct side *s = &sides[k];
		double t = update_metrics(s, 0);
		result(k ? "d6" : "d4", (double)s->f->n / t, (long)s->f->n,
		       "RtmAddRouteToDest update of the best route, %s (%.0f ns each)", s->f->name,
		       t * 1e9 / (double)s->f->n);
	}

	/* Where the bytes go, with both protocols loaded. */
	printf("memory breakdown (computed from the structures)\n");
	breakdown(&sides[0], 1);
	breakdown(&sides[1], 1);

	/* e: delete everything. */
	printf("e. delete every route (A's first: B takes over; then B's: destinations go)\n");
	for (int k = 0; k < 2; k++) {
		struct side *s = &sides[k];
		size_t na, nb;
		double ta = delete_all(s, 0, &na);
		double tb = delete_all(s, 1, &nb);
		printf("  %s: A's routes %.0f/s (%.0f ns each), B's routes %.0f/s (%.0f ns each)\n",
		       s->f->name, (double)na / ta, ta * 1e9 / (double)na, (double)nb / tb,
		       tb * 1e9 / (double)nb);
		/* No match count: DPDK removes prefixes, rtmv2 deletes routes. */
		result(k ? "e6" : "e4", (double)(na + nb) / (ta + tb), -1,
		       "RtmDeleteRouteToDest, %zu routes, %s (target: >= the a rate)", na + nb,
		       s->f->name);
	}
	size_t rss3 = bench_rss(), heap3 = bench_heap();
	printf("M e.heap %6.1f MB malloc'd after deleting everything vs before a "
	       "(VmRSS %+.1f MB: freed memory stays in the process)\n",
	       ((double)heap3 - (double)heap0) / 1e6, ((double)rss3 - (double)rss0) / 1e6);
	print_stats(&sides[0], "after e");
	print_stats(&sides[1], "after e");

	printf("a again: load IPv4 as A into the emptied table, then delete it\n");
	warm_reload(&sides[0]);

	side_fini(&sides[0]);
	side_fini(&sides[1]);
	free(in4);
	free(rnd4);
	free(in6);
	free(rnd6);
	free(ex4.keys);
	free(ex4.lens);
	free(ex6.keys);
	free(ex6.lens);
	free(v4.keys);
	free(v4.lens);
	free(v6.keys);
	free(v6.lens);
	printf("bench_rib: done (%lu events seen)\n", events_seen);
	return 0;
}
