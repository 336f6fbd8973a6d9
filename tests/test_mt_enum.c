/*
 * test_mt_enum.c — enumerations while the table changes.
 *
 * A table of /24s in which every other prefix is stable: it gets three
 * routes at the start — two of the keeper's and one of a second stable
 * entity — and those are never touched.  Two writer threads churn everything
 * else, so that the trie's shape changes around the stable destinations all
 * the time: the odd /24s, a /26 under every /24, covering /8, /16, /20, /22
 * and /23 prefixes, and routes of their own on the stable /24s, added,
 * deleted and moved in preference so that the order of the routes inside a
 * stable destination keeps changing.
 *
 * Meanwhile two threads enumerate the whole table again and again, sharing
 * one enumeration handle (API-NOTES "Enumerations": two threads using one
 * handle are serialised): destinations, a range, every route, and the
 * keeper's own routes.  Batches are small and odd-sized, so route batches
 * often end inside a destination.  The writers are paced by the enumerating
 * threads' calls, so their changes fall between those calls, and now and
 * then they delete the very destination an enumeration was just given, so
 * that resuming after a position that is gone happens in every pass.  Each
 * enumeration checks:
 *
 *   - each thread's batches come in prefix order (address, then length):
 *     destinations strictly increasing, routes' destinations non-decreasing;
 *   - together the two threads return nothing twice — no destination, at
 *     any prefix length, and no route;
 *   - every destination and route present for the whole enumeration comes
 *     exactly once (API-NOTES "Consistent under change"): the stable ones,
 *     and every writer's route (and its destination) that the writer's
 *     version counter shows was neither added nor deleted meanwhile.
 *
 * When the writers have stopped, one more pass must return exactly what the
 * writers' own records say is in the table.  Run under TSan by
 * `make check-tsan`.
 */
#include "ribcheck.h"
#include "rtmtest.h"

#include <sched.h>
#include <stdatomic.h>

#define NPREFIX 2048      /* /24s: 10.0.0.0 .. 10.7.255.0 */
#define NSTABLE (NPREFIX / 2)
#define STABLE_ROUTES 3    /* per stable /24 */
#define NBIG 1100          /* covering prefixes per writer (see big_prefix) */
#define PASSES 12
#define MIN_OPS 20000      /* per writer, before the passes may stop */
#define OPS_PER_CALL 4     /* per writer, for each Get call of an enumerating thread */
#define LANE_MAX 200000    /* items one thread may get from one enumeration */

static atomic_bool g_stop;

/* The writers' pace: at most g_budget changes each so far, raised by every
 * Get call of the enumerating threads.  So the changes fall between those
 * calls, and on a machine where the enumerations run slowly (sanitizers) the
 * writers do not spend the test's time making millions of changes. */
static pthread_mutex_t g_pace_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_pace_cv = PTHREAD_COND_INITIALIZER;
static atomic_ulong g_budget; /* changed under g_pace_mu */

static bool stable(unsigned i)
{
	return i % 2 == 0;
}

static RTM_NET_ADDRESS addr4(unsigned a, unsigned b, unsigned c, unsigned d, unsigned len)
{
	char text[32];
	snprintf(text, sizeof(text), "%u.%u.%u.%u", a, b, c, d);
	return rt_addr(text, len);
}

static RTM_NET_ADDRESS prefix24(unsigned i)
{
	return addr4(10, i / 256, i % 256, 0, 24);
}

/* The /26 of writer id under /24 number i. */
static RTM_NET_ADDRESS prefix26(unsigned id, unsigned i)
{
	return addr4(10, i / 256, i % 256, 64 + 128 * id, 26);
}

/* Covering prefix k of writer id; false past the writer's last one.
 * Writer 0: 10.k/16 (8), 10/8, 10.x.2j/23 (1024); writer 1: /22 (512), /20 (128). */
static bool big_prefix(unsigned id, unsigned k, RTM_NET_ADDRESS *a)
{
	if (id == 0) {
		if (k < 8)
			*a = addr4(10, k, 0, 0, 16);
		else if (k == 8)
			*a = addr4(10, 0, 0, 0, 8);
		else if (k < 9 + NPREFIX / 2)
			*a = addr4(10, (k - 9) * 2 / 256, (k - 9) * 2 % 256, 0, 23);
		else
			return false;
	} else {
		if (k < NPREFIX / 4)
			*a = addr4(10, k * 4 / 256, k * 4 % 256, 0, 22);
		else if (k < NPREFIX / 4 + NPREFIX / 16)
			*a = addr4(10, (k - NPREFIX / 4) / 16, (k - NPREFIX / 4) % 16 * 16, 0, 20);
		else
			return false;
	}
	return true;
}

/* Prefix order as a number: address, then length (bits beyond the length
 * are zero in what the RTM reports). */
static uint64_t key_of(const RTM_NET_ADDRESS *a)
{
	uint32_t v = (uint32_t)a->AddrBits[0] << 24 | (uint32_t)a->AddrBits[1] << 16 |
		     (uint32_t)a->AddrBits[2] << 8 | a->AddrBits[3];
	return (uint64_t)v << 8 | a->NumBits;
}

static void print_key(const char *what, uint64_t k)
{
	uint32_t v = (uint32_t)(k >> 8);
	fprintf(stderr, "  %s %u.%u.%u.%u/%u\n", what, v >> 24, (v >> 16) & 255, (v >> 8) & 255,
		v & 255, (unsigned)(k & 255));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool has_u64(const uint64_t *sorted, size_t n, uint64_t v)
{
	return bsearch(&v, sorted, n, sizeof(v), cmp_u64) != NULL;
}

static uint64_t hkey(HANDLE h)
{
	return (uint64_t)(uintptr_t)h;
}

/* ---- writers ------------------------------------------------------------------ */

/* One route a writer may have.  ver tells main, without a lock, whether the
 * route existed for the whole of an enumeration: the writer adds 1 after
 * adding the route (odd: it exists) and 1 before deleting it, so a slot that
 * reads the same odd ver before and after an enumeration had its route the
 * whole time — its destination and the route must come exactly once. */
struct slot {
	RTM_NET_ADDRESS addr;
	uint64_t key;
	bool movable;            /* on a stable /24: also moved in preference */
	RTM_ROUTE_HANDLE h;      /* the writer's reference; the writer's alone */
	atomic_uint ver;
	atomic_uintptr_t route;  /* h, published before ver turns odd */
};

/* Slot kinds, in each writer's slot array in this order. */
enum { K_BIG, K_STABLE, K_26, K_24, K_KINDS };

struct writer {
	RTM_ENTITY_HANDLE e;
	unsigned id;
	uint64_t rng;
	struct slot *slot;
	unsigned nslot, first[K_KINDS + 1];
	uint64_t *by_key; /* (key << 16 | slot index), sorted: the chase's lookup */
	uint64_t chased;
	atomic_ulong ops, chases;
};

/* The destination the enumerating threads were last given (its key). */
static atomic_ulong g_last_key;

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static DWORD add_at(RTM_ENTITY_HANDLE e, RTM_NET_ADDRESS a, ULONG pref, ULONG metric,
		    DWORD flags_in, RTM_ROUTE_HANDLE *h)
{
	rt_route_buf rb;
	rt_route_fill(&rb.info, pref, metric, RTM_VIEW_MASK_UCAST, NULL, NULL);
	RTM_ROUTE_CHANGE_FLAGS fl = flags_in;
	return RtmAddRouteToDest(e, h, &a, &rb.info, INFINITE, NULL, 0, NULL, &fl);
}

static void slot_add(struct writer *w, struct slot *s, ULONG pref)
{
	DWORD rc = add_at(w->e, s->addr, pref, 1, 0, &s->h);
	CHECK_U(rc, NO_ERROR);
	if (rc == NO_ERROR) {
		atomic_store(&s->route, (uintptr_t)s->h);
		atomic_fetch_add(&s->ver, 1);
	}
}

static void slot_delete(struct writer *w, struct slot *s)
{
	atomic_fetch_add(&s->ver, 1);
	CHECK_U(RtmDeleteRouteToDest(w->e, s->h, NULL), NO_ERROR);
	s->h = NULL;
}

static void slot_init(struct writer *w, unsigned kind, RTM_NET_ADDRESS a)
{
	struct slot *s = &w->slot[w->nslot++];
	s->addr = a;
	s->key = key_of(&a);
	s->movable = kind == K_STABLE;
}

/* The slots of writer id: covering prefixes, its route on each stable /24,
 * its /26 under each /24, and its half of the odd /24s. */
static void writer_init(struct writer *w, unsigned id)
{
	w->id = id;
	w->slot = calloc(NBIG + NSTABLE + NPREFIX + NPREFIX / 4, sizeof(*w->slot));
	if (!w->slot)
		abort();
	RTM_NET_ADDRESS a;
	w->first[K_BIG] = w->nslot;
	for (unsigned k = 0; k < NBIG && big_prefix(id, k, &a); k++)
		slot_init(w, K_BIG, a);
	w->first[K_STABLE] = w->nslot;
	for (unsigned i = 0; i < NPREFIX; i += 2)
		slot_init(w, K_STABLE, prefix24(i));
	w->first[K_26] = w->nslot;
	for (unsigned i = 0; i < NPREFIX; i++)
		slot_init(w, K_26, prefix26(id, i));
	w->first[K_24] = w->nslot;
	for (unsigned i = 1 + 2 * id; i < NPREFIX; i += 4)
		slot_init(w, K_24, prefix24(i));
	w->first[K_KINDS] = w->nslot;
	w->by_key = malloc(w->nslot * sizeof(*w->by_key));
	if (!w->by_key)
		abort();
	for (unsigned j = 0; j < w->nslot; j++)
		w->by_key[j] = w->slot[j].key << 16 | j;
	qsort(w->by_key, w->nslot, sizeof(*w->by_key), cmp_u64);
}

/* The writer's slot whose destination has key, if deleting its route
 * deletes the destination (not a stable one); NULL otherwise. */
static struct slot *slot_of_key(struct writer *w, uint64_t key)
{
	size_t lo = 0, hi = w->nslot;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (w->by_key[mid] >> 16 < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == w->nslot || w->by_key[lo] >> 16 != key)
		return NULL;
	struct slot *s = &w->slot[w->by_key[lo] & 0xFFFF];
	return s->movable ? NULL : s;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	/* Kinds by r % 16: 2 covering, 4 stable /24, 3 /26, 7 odd /24. */
	static const unsigned kind_of[16] = { K_BIG, K_BIG, K_STABLE, K_STABLE, K_STABLE, K_STABLE,
					      K_26,  K_26,  K_26,     K_24,     K_24,     K_24,
					      K_24,  K_24,  K_24,     K_24 };
	while (!atomic_load(&g_stop)) {
		if (atomic_load(&w->ops) >= atomic_load(&g_budget)) {
			pthread_mutex_lock(&g_pace_mu);
			while (atomic_load(&w->ops) >= atomic_load(&g_budget) &&
			       !atomic_load(&g_stop))
				pthread_cond_wait(&g_pace_cv, &g_pace_mu);
			pthread_mutex_unlock(&g_pace_mu);
			continue;
		}
		uint64_t r = next_rand(&w->rng);
		atomic_fetch_add(&w->ops, 1);
		/* Now and then, delete the destination an enumerating thread
		 * was just given, so that resuming after a position that is
		 * gone happens in every pass, not by luck. */
		if ((r >> 60) % 4 == 0) {
			uint64_t key = atomic_load(&g_last_key);
			struct slot *s = key != w->chased ? slot_of_key(w, key) : NULL;
			w->chased = key;
			if (s && s->h) {
				slot_delete(w, s);
				atomic_fetch_add(&w->chases, 1);
				continue;
			}
		}
		unsigned kind = kind_of[r % 16];
		unsigned n = w->first[kind + 1] - w->first[kind];
		struct slot *s = &w->slot[w->first[kind] + (unsigned)((r >> 8) % n)];
		/* Preferences around the stable routes' 10, 20 and 30, so a
		 * writer's route moves among them. */
		ULONG pref = 5 + (ULONG)((r >> 40) % 31);
		if (!s->h)
			slot_add(w, s, pref);
		else if (s->movable && (r >> 36) % 3 != 0) /* in place, by handle */
			CHECK_U(add_at(w->e, s->addr, pref, 1, 0, &s->h), NO_ERROR);
		else
			slot_delete(w, s);
	}
	return NULL;
}

/* The slots' versions, before an enumeration. */
static void snapshot(struct writer w[2], unsigned *ver[2])
{
	for (unsigned k = 0; k < 2; k++)
		for (unsigned j = 0; j < w[k].nslot; j++)
			ver[k][j] = atomic_load(&w[k].slot[j].ver);
}

/* What must come exactly once from an enumeration that ran since snapshot
 * ver: the stable destinations (or routes) and those of every slot whose
 * route existed throughout.  Sorted, without duplicates; *n its length. */
static uint64_t *required(struct writer w[2], unsigned *ver[2], bool routes,
			  const uint64_t *stable_set, size_t nstable, size_t *n)
{
	uint64_t *req = malloc((nstable + w[0].nslot + w[1].nslot) * sizeof(*req));
	if (!req)
		abort();
	size_t m = nstable;
	memcpy(req, stable_set, nstable * sizeof(*req));
	for (unsigned k = 0; k < 2; k++) {
		for (unsigned j = 0; j < w[k].nslot; j++) {
			struct slot *s = &w[k].slot[j];
			if (ver[k][j] % 2 == 1 && atomic_load(&s->ver) == ver[k][j])
				req[m++] = routes ? (uint64_t)atomic_load(&s->route) : s->key;
		}
	}
	qsort(req, m, sizeof(*req), cmp_u64);
	size_t u = 0;
	for (size_t j = 0; j < m; j++)
		if (u == 0 || req[u - 1] != req[j])
			req[u++] = req[j];
	*n = u;
	return req;
}

/* ---- lanes: one thread's share of an enumeration --------------------------------- */

struct lane {
	RTM_ENTITY_HANDLE e;
	RTM_ENUM_HANDLE h;
	bool routes;
	UINT batch;
	uint64_t *keys; /* per item, in order: its destination's key */
	uint64_t *rh;   /* routes: the handles, in order */
	size_t n, cap;
	unsigned calls;
};

static void lane_push(struct lane *l, uint64_t key, uint64_t rh)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 4096;
		l->keys = realloc(l->keys, l->cap * sizeof(*l->keys));
		l->rh = realloc(l->rh, l->cap * sizeof(*l->rh));
		if (!l->keys || !l->rh)
			abort();
	}
	l->keys[l->n] = key;
	l->rh[l->n] = rh;
	l->n++;
}

/* Gets batches until the enumeration ends, recording what comes. */
static void lane_run(struct lane *l)
{
	l->n = 0;
	l->calls = 0;
	size_t stride = RTM_SIZE_OF_DEST_INFO(1);
	char *buf = calloc(l->batch, l->routes ? sizeof(RTM_ROUTE_HANDLE) : stride);
	for (;;) {
		UINT n = l->batch;
		RTM_ROUTE_HANDLE *hs = (RTM_ROUTE_HANDLE *)(void *)buf;
		PRTM_DEST_INFO dis = (PRTM_DEST_INFO)(void *)buf;
		DWORD rc = l->routes ? RtmGetEnumRoutes(l->e, l->h, &n, hs)
				     : RtmGetEnumDests(l->e, l->h, &n, dis);
		if (rc == ERROR_NO_MORE_ITEMS) {
			CHECK_U(n, 0);
			break;
		}
		CHECK_U(rc, NO_ERROR);
		if (rc != NO_ERROR)
			break;
		/* Items come with NO_ERROR, the end with ERROR_NO_MORE_ITEMS. */
		CHECK(n > 0 && n <= l->batch);
		if (n == 0 || n > l->batch)
			break;
		l->calls++;
		if (l->routes) {
			for (UINT k = 0; k < n; k++) {
				RTM_NET_ADDRESS a;
				memset(&a, 0, sizeof(a));
				CHECK_U(RtmGetRouteInfo(l->e, hs[k], NULL, &a), NO_ERROR);
				lane_push(l, key_of(&a), hkey(hs[k]));
			}
			CHECK_U(RtmReleaseRoutes(l->e, n, hs), NO_ERROR);
		} else {
			for (UINT k = 0; k < n; k++) {
				PRTM_DEST_INFO di = (PRTM_DEST_INFO)(void *)(buf + k * stride);
				lane_push(l, key_of(&di->DestAddress), 0);
				/* What is returned has a route in the view. */
				CHECK_U(di->NumberOfViews, 1);
				CHECK(RT_VIEW(di, 0).Route != NULL);
			}
			CHECK_U(RtmReleaseDests(l->e, n, dis), NO_ERROR);
		}
		if (l->n)
			atomic_store(&g_last_key, l->keys[l->n - 1]);
		/* A broken enumeration may never end: far more items than the
		 * table ever holds is a failure. */
		if (l->n > LANE_MAX) {
			CHECK(l->n <= LANE_MAX);
			break;
		}
		/* Let the writers and the other lane in between our calls. */
		pthread_mutex_lock(&g_pace_mu);
		atomic_fetch_add(&g_budget, OPS_PER_CALL);
		pthread_cond_broadcast(&g_pace_cv);
		pthread_mutex_unlock(&g_pace_mu);
		sched_yield();
	}
	free(buf);
}

static void *lane_main(void *arg)
{
	lane_run(arg);
	return NULL;
}

/* Runs the enumeration h on two threads at once (lane 1 on a new thread),
 * checks each thread's order, and returns the merged item keys (dest passes)
 * or route handles (route passes), sorted, in *out (malloc'd; n in *nout).
 * Duplicates are reported and counted in *dups. */
static uint64_t *shared_pass(struct lane l[2], RTM_ENUM_HANDLE h, bool routes, UINT batch,
			     UINT max, size_t *nout, unsigned *dups)
{
	for (unsigned k = 0; k < 2; k++) {
		l[k].h = h;
		l[k].routes = routes;
		l[k].batch = k ? (batch + 5 > max ? max : batch + 5) : batch;
	}
	pthread_t t;
	bool threaded = pthread_create(&t, NULL, lane_main, &l[1]) == 0;
	CHECK(threaded);
	lane_run(&l[0]);
	if (threaded)
		pthread_join(t, NULL);
	else
		lane_run(&l[1]);

	/* Each thread's batches in prefix order. */
	for (unsigned k = 0; k < 2; k++) {
		for (size_t j = 1; j < l[k].n; j++) {
			bool ok = routes ? l[k].keys[j - 1] <= l[k].keys[j]
					 : l[k].keys[j - 1] < l[k].keys[j];
			if (!ok) {
				fprintf(stderr, "  lane %u item %zu out of order:\n", k, j);
				print_key("after", l[k].keys[j - 1]);
				print_key("came", l[k].keys[j]);
			}
			CHECK(ok);
		}
	}
	/* Together, nothing twice. */
	size_t n = l[0].n + l[1].n;
	uint64_t *all = malloc((n ? n : 1) * sizeof(*all));
	if (!all)
		abort();
	for (unsigned k = 0, o = 0; k < 2; o += (unsigned)l[k].n, k++)
		if (l[k].n)
			memcpy(all + o, routes ? l[k].rh : l[k].keys, l[k].n * sizeof(*all));
	qsort(all, n, sizeof(*all), cmp_u64);
	*dups = 0;
	for (size_t j = 1; j < n; j++) {
		if (all[j] == all[j - 1]) {
			if ((*dups)++ < 5) {
				if (routes)
					fprintf(stderr, "  route %#" PRIx64 " returned twice\n",
						all[j]);
				else
					print_key("returned twice:", all[j]);
			}
		}
	}
	*nout = n;
	return all;
}

/* ---- the test ----------------------------------------------------------------- */

/* Counts (and shows a few of) the items of req missing from all. */
static unsigned missing(const uint64_t *all, size_t n, const uint64_t *req, size_t nreq,
			bool routes, const char *what)
{
	unsigned m = 0;
	for (size_t j = 0; j < nreq; j++) {
		if (has_u64(all, n, req[j]))
			continue;
		if (m++ < 5) {
			if (routes)
				fprintf(stderr, "  %s: route %#" PRIx64 " missed\n", what, req[j]);
			else
				print_key(what, req[j]);
		}
	}
	return m;
}

static void test_exactly_once_under_churn(void)
{
	RTM_REGN_PROFILE p;
	RTM_ENTITY_HANDLE keeper = NULL, other = NULL;
	REQUIRE(rt_register_ex(0, AF_INET, 50, 1, NULL, FALSE, NULL, &keeper, &p) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 51, 1, NULL, FALSE, NULL, &other, NULL) == NO_ERROR);

	/* The stable routes: the keeper's two (preferences 10 and 30) and the
	 * other entity's one (20) on each stable /24. */
	static uint64_t stable_routes[NSTABLE * STABLE_ROUTES], keeper_routes[NSTABLE * 2];
	static uint64_t stable_dests[NSTABLE];
	size_t ns = 0, nk = 0, nd = 0;
	for (unsigned i = 0; i < NPREFIX; i++) {
		if (!stable(i))
			continue;
		RTM_ROUTE_HANDLE h[STABLE_ROUTES] = { NULL, NULL, NULL };
		CHECK_U(add_at(keeper, prefix24(i), 10, 1, RTM_ROUTE_CHANGE_NEW, &h[0]), NO_ERROR);
		CHECK_U(add_at(keeper, prefix24(i), 30, 1, RTM_ROUTE_CHANGE_NEW, &h[1]), NO_ERROR);
		CHECK_U(add_at(other, prefix24(i), 20, 1, RTM_ROUTE_CHANGE_NEW, &h[2]), NO_ERROR);
		REQUIRE(h[0] && h[1] && h[2] && h[0] != h[1]);
		for (unsigned k = 0; k < STABLE_ROUTES; k++)
			stable_routes[ns++] = hkey(h[k]);
		keeper_routes[nk++] = hkey(h[0]);
		keeper_routes[nk++] = hkey(h[1]);
		RTM_NET_ADDRESS a = prefix24(i);
		stable_dests[nd++] = key_of(&a);
	}
	qsort(stable_routes, ns, sizeof(uint64_t), cmp_u64);
	qsort(keeper_routes, nk, sizeof(uint64_t), cmp_u64);
	qsort(stable_dests, nd, sizeof(uint64_t), cmp_u64);

	static struct writer w[2];
	unsigned *ver[2];
	for (unsigned k = 0; k < 2; k++) {
		w[k].e = rt_register(AF_INET, 100 + k);
		REQUIRE(w[k].e);
		writer_init(&w[k], k);
		w[k].rng = 0x2545F4914F6CDD1Dull * (k + 7);
		ver[k] = calloc(w[k].nslot, sizeof(unsigned));
		REQUIRE(ver[k]);
	}
	pthread_t tw[2];
	for (unsigned k = 0; k < 2; k++)
		REQUIRE(pthread_create(&tw[k], NULL, writer_main, &w[k]) == 0);

	struct lane l[2];
	memset(l, 0, sizeof(l));
	l[0].e = l[1].e = keeper;
	RTM_NET_ADDRESS range = addr4(10, 2, 0, 0, 15);
	const uint64_t range_lo = (uint64_t)0x0A020000 << 8;
	const uint64_t range_hi = (uint64_t)0x0A03FFFF << 8 | 32;
	unsigned long lane_items[2] = { 0, 0 }, checked_dests = 0, checked_routes = 0;
	unsigned pass = 0, bad_passes = 0;
	for (; pass < PASSES || ((atomic_load(&w[0].ops) < MIN_OPS ||
				  atomic_load(&w[1].ops) < MIN_OPS) &&
				 pass < 5000);
	     pass++) {
		UINT max = p.MaxHandlesInEnum;
		UINT batch = pass % 4 == 0 ? max : 3 + pass % 29;
		int failed_before = tl_failed_checks;
		size_t n, nreq;
		unsigned dups;
		uint64_t *all, *req;
		RTM_ENUM_HANDLE h;

		/* Destinations, whole table. */
		h = NULL;
		snapshot(w, ver);
		CHECK_U(RtmCreateDestEnum(keeper, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL,
					  RTM_BEST_PROTOCOL, &h),
			NO_ERROR);
		all = shared_pass(l, h, false, batch, max, &n, &dups);
		req = required(w, ver, false, stable_dests, nd, &nreq);
		CHECK_U(dups, 0);
		CHECK_U(missing(all, n, req, nreq, false, "destination missed:"), 0);
		checked_dests += nreq;
		lane_items[0] += l[0].n;
		lane_items[1] += l[1].n;
		free(all);
		free(req);
		CHECK_U(RtmDeleteEnumHandle(keeper, h), NO_ERROR);

		/* A range: 10.2.0.0/15 covers 512 of the /24s. */
		h = NULL;
		snapshot(w, ver);
		CHECK_U(RtmCreateDestEnum(keeper, RTM_VIEW_MASK_UCAST, RTM_ENUM_RANGE, &range,
					  RTM_BEST_PROTOCOL, &h),
			NO_ERROR);
		all = shared_pass(l, h, false, batch, max, &n, &dups);
		req = required(w, ver, false, stable_dests, nd, &nreq);
		CHECK_U(dups, 0);
		for (size_t j = 0; j < n; j++)
			CHECK(all[j] >= range_lo && all[j] <= range_hi && (all[j] & 255) >= 15);
		size_t in = 0;
		for (size_t j = 0; j < nreq; j++)
			if (req[j] >= range_lo && req[j] <= range_hi && (req[j] & 255) >= 15)
				req[in++] = req[j];
		CHECK(in > 0);
		CHECK_U(missing(all, n, req, in, false, "range: destination missed:"), 0);
		free(all);
		free(req);
		CHECK_U(RtmDeleteEnumHandle(keeper, h), NO_ERROR);

		/* Every route (several per destination: batches end inside them). */
		h = NULL;
		snapshot(w, ver);
		CHECK_U(RtmCreateRouteEnum(keeper, NULL, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL,
					   RTM_MATCH_NONE, NULL, 0, &h),
			NO_ERROR);
		all = shared_pass(l, h, true, batch, max, &n, &dups);
		req = required(w, ver, true, stable_routes, ns, &nreq);
		CHECK_U(dups, 0);
		CHECK_U(missing(all, n, req, nreq, true, "routes"), 0);
		checked_routes += nreq;
		free(all);
		free(req);
		CHECK_U(RtmDeleteEnumHandle(keeper, h), NO_ERROR);

		/* The keeper's own routes: two per stable destination, no more. */
		h = NULL;
		CHECK_U(RtmCreateRouteEnum(keeper, NULL, RTM_VIEW_MASK_UCAST, RTM_ENUM_OWN_ROUTES,
					   NULL, RTM_MATCH_NONE, NULL, 0, &h),
			NO_ERROR);
		all = shared_pass(l, h, true, batch, max, &n, &dups);
		CHECK_U(dups, 0);
		CHECK_U(n, nk);
		CHECK_U(missing(all, n, keeper_routes, nk, true, "own routes"), 0);
		free(all);
		CHECK_U(RtmDeleteEnumHandle(keeper, h), NO_ERROR);

		if (tl_failed_checks != failed_before && bad_passes++ < 3)
			fprintf(stderr, "  (pass %u, batch %u)\n", pass, batch);
	}
	pthread_mutex_lock(&g_pace_mu);
	atomic_store(&g_stop, true);
	pthread_cond_broadcast(&g_pace_cv);
	pthread_mutex_unlock(&g_pace_mu);
	for (unsigned k = 0; k < 2; k++)
		pthread_join(tw[k], NULL);
	printf("test_mt_enum: %u passes while the writers made %lu + %lu changes (%lu + %lu "
	       "deleting the enumeration's last destination); the two threads got %lu + %lu "
	       "destinations; %lu destinations and %lu routes were checked exactly once\n",
	       pass, atomic_load(&w[0].ops), atomic_load(&w[1].ops), atomic_load(&w[0].chases),
	       atomic_load(&w[1].chases), lane_items[0], lane_items[1], checked_dests,
	       checked_routes);
	CHECK(atomic_load(&w[0].ops) > 0 && atomic_load(&w[1].ops) > 0);
	/* Both threads really shared the enumerations. */
	CHECK(lane_items[0] > 0 && lane_items[1] > 0);

	CHECK(rt_check_rib(keeper) == 0);
	/* At rest, a pass returns exactly what the writers' records hold: the
	 * required set with nothing changing is the whole table. */
	for (unsigned routes = 0; routes < 2; routes++) {
		RTM_ENUM_HANDLE h = NULL;
		snapshot(w, ver);
		if (routes)
			CHECK_U(RtmCreateRouteEnum(keeper, NULL, RTM_VIEW_MASK_UCAST,
						   RTM_ENUM_START, NULL, RTM_MATCH_NONE, NULL, 0,
						   &h),
				NO_ERROR);
		else
			CHECK_U(RtmCreateDestEnum(keeper, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL,
						  RTM_BEST_PROTOCOL, &h),
				NO_ERROR);
		size_t n, nreq;
		unsigned dups;
		uint64_t *all = shared_pass(l, h, routes, 7, p.MaxHandlesInEnum, &n, &dups);
		uint64_t *req = routes ? required(w, ver, true, stable_routes, ns, &nreq)
				       : required(w, ver, false, stable_dests, nd, &nreq);
		CHECK_U(dups, 0);
		CHECK_U(n, nreq);
		if (n == nreq)
			CHECK(memcmp(all, req, n * sizeof(*all)) == 0);
		free(all);
		free(req);
		CHECK_U(RtmDeleteEnumHandle(keeper, h), NO_ERROR);
	}
	for (unsigned k = 0; k < 2; k++) {
		free(l[k].keys);
		free(l[k].rh);
		for (unsigned j = 0; j < w[k].nslot; j++)
			if (w[k].slot[j].h)
				CHECK_U(RtmReleaseRoutes(w[k].e, 1, &w[k].slot[j].h), NO_ERROR);
		free(w[k].slot);
		free(w[k].by_key);
		free(ver[k]);
	}
}

int main(void)
{
	RUN(test_exactly_once_under_churn);
	TEST_MAIN_END();
}
