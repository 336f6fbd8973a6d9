/*
 * test_mt_notify.c — change notification under concurrent change.
 *
 * Two writer threads, of two protocols, churn routes on a shared set of
 * prefixes: they add routes (up to two each per prefix), delete them, and
 * change existing ones in place (RtmAddRouteToDest on the route handle) —
 * preference, metric and next hops — so that the best route of a prefix
 * moves between the writers, between a writer's own routes, and changes
 * without moving.  A third entity, registered for BEST changes in the unicast
 * view, drains on its own thread, woken only by its RTM_CHANGE_NOTIFICATION
 * (no polling, and nobody else drains), and keeps its own copy of each
 * prefix's best route: handle, owner, preference, metric and next hops (the
 * last three read with RtmGetRouteInfo as it drains).
 *
 * The test runs in rounds, and each round must be able to fail on its own:
 *
 *   - a round is a short burst (many prefixes, few changes each: most get 0
 *     to 3 per round), so a change the RTM lost is rarely hidden by a later
 *     one to the same prefix;
 *   - then the writers stop and the test waits for the drainer to be idle
 *     with no signal outstanding.  Every changing call signals before it
 *     returns (API-NOTES "One signal per empty-to-non-empty transition"), so
 *     once the writers have returned, an idle drainer with nothing signalled
 *     must have drained everything: a lost signal leaves changes behind,
 *     which RtmGetChangeStatus and the comparison then show;
 *   - the copy must equal the table exactly, prefix by prefix;
 *   - and every change the writers were told was a best change
 *     (RTM_ROUTE_CHANGE_BEST; the writers never "update" a route to the
 *     values it has, so the flag means the best route or its data changed)
 *     must have been drained after it was made — even if a later change put
 *     the prefix back as it was.  A global counter orders the two: a writer
 *     takes a ticket before its call, the drainer reads the counter after each
 *     RtmGetChangedDests; the prefix's last drain must read at least the
 *     ticket of its last best change.  (That can miss a loss only when a drain
 *     ran during the very call that lost it; it never blames a correct RTM.)
 *
 * The waits are bounded generously and no timing is asserted.  Run under
 * TSan by `make check-tsan`.
 */
#include "rtmtest.h"

#include <errno.h>
#include <stdatomic.h>

#define NPREFIX 3000       /* /24s: 10.0.0.0 .. 10.11.183.0 */
#define ROUNDS 20
#define OPS 1200           /* per writer per round */
#define SLOTS 2            /* routes per writer per prefix */
#define NNH 4              /* next hops per writer */
#define MAXNH 2            /* next hops per route */
#define IDLE_WAIT_MS 10000 /* generous: reaching it is a failure */

static RTM_ENTITY_HANDLE g_drainer;
static RTM_NOTIFY_HANDLE g_notify;
static RTM_REGN_PROFILE g_profile;
static atomic_ulong g_clock; /* tickets: see the header comment */

/* The handshake between the callback, the drainer and main; all under g_mu. */
static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;      /* to the drainer */
static pthread_cond_t g_idle_cv = PTHREAD_COND_INITIALIZER; /* to main */
static bool g_signalled;  /* a signal came since the drainer last started draining */
static bool g_waiting;    /* the drainer waits for a signal */
static bool g_hold;       /* main compares: the drainer must not touch the copy */
static bool g_stop;
static unsigned long g_signals;

/* The drainer's copy of the best route of each prefix.  Written by the
 * drainer only; main reads it while the drainer waits with g_hold set. */
struct best {
	RTM_ROUTE_HANDLE route;
	RTM_ENTITY_HANDLE owner;
	ULONG pref, metric;
	UINT n_nh;
	RTM_NEXTHOP_HANDLE nh[MAXNH];
};
static struct best g_copy[NPREFIX];
static unsigned long g_drained_at[NPREFIX]; /* the counter after the prefix's last drain */
static unsigned long g_changes;             /* destinations drained */

static DWORD WINAPI drainer_cb(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE type, PVOID c1, PVOID c2)
{
	(void)h;
	if (type == RTM_CHANGE_NOTIFICATION) {
		pthread_mutex_lock(&g_mu);
		CHECK(c1 == g_notify);
		CHECK(c2 == &g_notify);
		g_signals++;
		g_signalled = true;
		pthread_cond_signal(&g_cv);
		pthread_mutex_unlock(&g_mu);
	}
	return NO_ERROR;
}

static RTM_NET_ADDRESS prefix_addr(unsigned i)
{
	char text[32];
	snprintf(text, sizeof(text), "10.%u.%u.0", i / 256, i % 256);
	return rt_addr(text, 24);
}

static int index_of(const RTM_NET_ADDRESS *a)
{
	if (a->AddressFamily != AF_INET || a->NumBits != 24 || a->AddrBits[0] != 10 ||
	    a->AddrBits[3] != 0)
		return -1;
	unsigned i = a->AddrBits[1] * 256u + a->AddrBits[2];
	return i < NPREFIX ? (int)i : -1;
}

/* The best route r (NULL: none) as a struct best, read with RtmGetRouteInfo. */
static void read_best(RTM_ENTITY_HANDLE e, RTM_ROUTE_HANDLE r, RTM_ENTITY_HANDLE owner,
		      struct best *b)
{
	memset(b, 0, sizeof(*b));
	b->route = r;
	b->owner = owner;
	if (!r)
		return;
	rt_route_buf rb;
	DWORD rc = rt_route_info(e, r, &rb);
	CHECK_U(rc, NO_ERROR);
	if (rc != NO_ERROR)
		return;
	CHECK(rb.info.RouteOwner == owner);
	b->pref = rb.info.PrefInfo.Preference;
	b->metric = rb.info.PrefInfo.Metric;
	b->n_nh = rb.info.NextHopsList.NumNextHops;
	CHECK(b->n_nh >= 1 && b->n_nh <= MAXNH);
	/* Through a pointer: NextHops is declared with one element. */
	const RTM_NEXTHOP_HANDLE *nh = rb.info.NextHopsList.NextHops;
	for (UINT k = 0; k < b->n_nh && k < MAXNH; k++)
		b->nh[k] = nh[k];
	CHECK_U(RtmReleaseRouteInfo(e, &rb.info), NO_ERROR);
}

static bool best_eq(const struct best *a, const struct best *b)
{
	if (a->route != b->route || a->owner != b->owner)
		return false;
	if (!a->route)
		return true;
	if (a->pref != b->pref || a->metric != b->metric || a->n_nh != b->n_nh)
		return false;
	for (UINT k = 0; k < a->n_nh && k < MAXNH; k++)
		if (a->nh[k] != b->nh[k])
			return false;
	return true;
}

/* Drains everything pending into the copy; returns at ERROR_NO_MORE_ITEMS. */
static void drain_all(void)
{
	UINT cap = g_profile.MaxHandlesInEnum;
	size_t stride = RTM_SIZE_OF_DEST_INFO(1);
	char *buf = calloc(cap, stride);
	for (;;) {
		UINT n = cap;
		DWORD rc = RtmGetChangedDests(g_drainer, g_notify, &n, (PRTM_DEST_INFO)(void *)buf);
		unsigned long now = atomic_load(&g_clock);
		if (rc == ERROR_NO_MORE_ITEMS) {
			CHECK_U(n, 0);
			break;
		}
		CHECK_U(rc, NO_ERROR);
		if (rc != NO_ERROR)
			break;
		CHECK(n > 0 && n <= cap);
		for (UINT k = 0; k < n; k++) {
			PRTM_DEST_INFO di = (PRTM_DEST_INFO)(void *)(buf + k * stride);
			int i = index_of(&di->DestAddress);
			CHECK(i >= 0);
			CHECK_U(di->NumberOfViews, 1);
			if (i < 0 || di->NumberOfViews != 1)
				continue;
			read_best(g_drainer, RT_VIEW(di, 0).Route, RT_VIEW(di, 0).Owner,
				  &g_copy[i]);
			g_drained_at[i] = now;
			g_changes++;
		}
		CHECK_U(RtmReleaseChangedDests(g_drainer, g_notify, n, (PRTM_DEST_INFO)(void *)buf),
			NO_ERROR);
	}
	free(buf);
}

/* Drains on each signal, and only then. */
static void *drainer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&g_mu);
	for (;;) {
		while ((!g_signalled || g_hold) && !g_stop) {
			if (!g_waiting) {
				g_waiting = true;
				pthread_cond_broadcast(&g_idle_cv);
			}
			pthread_cond_wait(&g_cv, &g_mu);
		}
		g_waiting = false;
		if (g_stop)
			break;
		/* Cleared before draining: a change queued after this drain
		 * ends signals again, and the signal sets it. */
		g_signalled = false;
		pthread_mutex_unlock(&g_mu);
		drain_all();
		pthread_mutex_lock(&g_mu);
	}
	pthread_mutex_unlock(&g_mu);
	return NULL;
}

/* Waits (boundedly) until the drainer waits with no signal outstanding, and
 * holds it there.  False if it never got there. */
static bool drainer_idle_hold(void)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += IDLE_WAIT_MS / 1000;
	bool ok = true;
	pthread_mutex_lock(&g_mu);
	while (!(g_waiting && !g_signalled)) {
		if (pthread_cond_timedwait(&g_idle_cv, &g_mu, &deadline) == ETIMEDOUT &&
		    !(g_waiting && !g_signalled)) {
			ok = false;
			break;
		}
	}
	g_hold = ok;
	pthread_mutex_unlock(&g_mu);
	return ok;
}

static void drainer_release(void)
{
	pthread_mutex_lock(&g_mu);
	g_hold = false;
	pthread_cond_signal(&g_cv);
	pthread_mutex_unlock(&g_mu);
}

/* ---- writers ---------------------------------------------------------------- */

struct wroute {
	RTM_ROUTE_HANDLE h;
	ULONG pref, metric;
	unsigned nh[MAXNH], n_nh; /* indexes into writer.nh, ascending */
};

struct writer {
	RTM_ENTITY_HANDLE e;
	RTM_NEXTHOP_HANDLE nh[NNH];
	uint64_t rng;
	struct wroute r[NPREFIX][SLOTS];
	unsigned long best_ticket[NPREFIX]; /* ticket of the last call that said BEST */
	unsigned long adds, updates, deletes, best;
};

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random route data: preference 10-13 and metric 0-7 (so the best moves
 * between the writers), one or two of the writer's next hops. */
static void draw(uint64_t r, struct wroute *v)
{
	v->pref = 10 + (ULONG)(r % 4);
	v->metric = (ULONG)((r >> 2) % 8);
	unsigned a = (unsigned)((r >> 5) % NNH), b = (unsigned)((r >> 7) % NNH);
	if ((r >> 9) % 3 == 0 || a == b) {
		v->n_nh = 1;
		v->nh[0] = a;
	} else {
		v->n_nh = 2;
		v->nh[0] = a < b ? a : b;
		v->nh[1] = a < b ? b : a;
	}
}

static bool same_data(const struct wroute *a, const struct wroute *b)
{
	return a->pref == b->pref && a->metric == b->metric && a->n_nh == b->n_nh &&
	       a->nh[0] == b->nh[0] && (a->n_nh < 2 || a->nh[1] == b->nh[1]);
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	for (unsigned op = 0; op < OPS; op++) {
		uint64_t r = next_rand(&w->rng);
		unsigned i = (unsigned)(r % NPREFIX);
		struct wroute *cur = &w->r[i][(r >> 16) & 1];
		RTM_ROUTE_CHANGE_FLAGS fl = 0;
		unsigned long ticket = atomic_fetch_add(&g_clock, 1) + 1;
		if (cur->h && (r >> 17) % 3 == 0) {
			CHECK_U(RtmDeleteRouteToDest(w->e, cur->h, &fl), NO_ERROR);
			cur->h = NULL;
			w->deletes++;
		} else {
			/* A new route, or new data for this one: never the same
			 * data, so that BEST in the flags means a real change. */
			struct wroute next;
			uint64_t rr = r >> 20;
			do {
				draw(rr, &next);
				rr = next_rand(&w->rng);
			} while (cur->h && same_data(cur, &next));
			next.h = cur->h;
			RTM_NET_ADDRESS a = prefix_addr(i);
			rt_route_buf rb;
			rt_route_fill(&rb.info, next.pref, next.metric, RTM_VIEW_MASK_UCAST, NULL,
				      NULL);
			rb.info.NextHopsList.NumNextHops = (USHORT)next.n_nh;
			RTM_NEXTHOP_HANDLE *nh = rb.info.NextHopsList.NextHops;
			for (unsigned k = 0; k < next.n_nh; k++)
				nh[k] = w->nh[next.nh[k]];
			/* In place by handle, or (NEW) a second route of ours. */
			fl = cur->h ? 0 : RTM_ROUTE_CHANGE_NEW;
			DWORD rc = RtmAddRouteToDest(w->e, &next.h, &a, &rb.info, INFINITE, NULL, 0,
						     NULL, &fl);
			CHECK_U(rc, NO_ERROR);
			if (rc != NO_ERROR)
				continue;
			CHECK(cur->h ? next.h == cur->h && !(fl & RTM_ROUTE_CHANGE_NEW)
				     : next.h != NULL && (fl & RTM_ROUTE_CHANGE_NEW));
			if (cur->h)
				w->updates++;
			else
				w->adds++;
			*cur = next;
		}
		if (fl & RTM_ROUTE_CHANGE_BEST) {
			w->best_ticket[i] = ticket;
			w->best++;
		}
	}
	return NULL;
}

/* ---- the comparison ------------------------------------------------------------ */

/* The copy against the table, prefix by prefix, and nothing left pending.
 * The drainer is held idle.  Returns the number of prefixes that differ. */
static unsigned compare(unsigned round, struct writer *w, unsigned *with_route, unsigned by[2])
{
	unsigned bad = 0;
	*with_route = 0;
	by[0] = by[1] = 0;
	for (unsigned i = 0; i < NPREFIX; i++) {
		RTM_NET_ADDRESS a = prefix_addr(i);
		rt_dest_buf db;
		DWORD rc = RtmGetExactMatchDestination(g_drainer, &a, RTM_BEST_PROTOCOL,
						       RTM_VIEW_MASK_UCAST, &db.info);
		struct best t;
		memset(&t, 0, sizeof(t));
		BOOL pending = FALSE;
		if (rc == NO_ERROR) {
			CHECK_U(db.info.NumberOfViews, 1);
			read_best(g_drainer, RT_VIEW(&db.info, 0).Route, RT_VIEW(&db.info, 0).Owner,
				  &t);
			DWORD st = RtmGetChangeStatus(g_drainer, g_notify, db.info.DestHandle,
						      &pending);
			CHECK_U(st, NO_ERROR);
			CHECK_U(RtmReleaseDestInfo(g_drainer, &db.info), NO_ERROR);
		} else {
			CHECK_U(rc, ERROR_NOT_FOUND);
		}
		*with_route += t.route != NULL;
		for (unsigned k = 0; k < 2; k++)
			by[k] += t.owner == w[k].e;
		const struct best *c = &g_copy[i];
		unsigned long ticket = w[0].best_ticket[i] > w[1].best_ticket[i]
					       ? w[0].best_ticket[i]
					       : w[1].best_ticket[i];
		bool drained = g_drained_at[i] >= ticket;
		if (!best_eq(c, &t) || pending || !drained) {
			if (bad++ < 10)
				fprintf(stderr,
					"  round %u, 10.%u.%u.0/24:%s%s%s copy %p/%p %lu/%lu/%u, "
					"table %p/%p %lu/%lu/%u\n",
					round, i / 256, i % 256, pending ? " still pending," : "",
					drained ? "" : " best change never drained,",
					best_eq(c, &t) ? "" : " differs:", c->route, c->owner,
					(unsigned long)c->pref, (unsigned long)c->metric, c->n_nh,
					t.route, t.owner, (unsigned long)t.pref,
					(unsigned long)t.metric, t.n_nh);
		}
	}
	return bad;
}

static void test_best_copy_matches_table(void)
{
	REQUIRE(rt_register_ex(0, AF_INET, 300, 1, drainer_cb, FALSE, NULL, &g_drainer,
			       &g_profile) == NO_ERROR);
	REQUIRE(RtmRegisterForChangeNotification(g_drainer, RTM_VIEW_MASK_UCAST,
						 RTM_CHANGE_TYPE_BEST, &g_notify,
						 &g_notify) == NO_ERROR);
	static struct writer w[2];
	for (unsigned k = 0; k < 2; k++) {
		w[k].e = rt_register(AF_INET, 100 + k);
		REQUIRE(w[k].e);
		w[k].rng = 0x9E3779B97F4A7C15ull * (k + 3);
		for (unsigned j = 0; j < NNH; j++) {
			char text[32];
			snprintf(text, sizeof(text), "192.0.2.%u", 10 * k + j + 1);
			w[k].nh[j] = rt_nexthop(w[k].e, text, j + 1);
			REQUIRE(w[k].nh[j]);
		}
	}
	pthread_t td;
	REQUIRE(pthread_create(&td, NULL, drainer_main, NULL) == 0);

	unsigned long signals_before = 0, changes_before = 0, best_before = 0;
	unsigned by_total[2] = { 0, 0 };
	for (unsigned round = 0; round < ROUNDS; round++) {
		pthread_t tw[2];
		for (unsigned k = 0; k < 2; k++)
			REQUIRE(pthread_create(&tw[k], NULL, writer_main, &w[k]) == 0);
		for (unsigned k = 0; k < 2; k++)
			pthread_join(tw[k], NULL);
		/* Every writer call has returned, so every signal owed was given;
		 * the drainer must get everything from them alone. */
		bool idle = drainer_idle_hold();
		CHECK(idle);
		if (!idle) {
			fprintf(stderr, "  round %u: the drainer never finished draining\n", round);
			break;
		}
		unsigned long signals = g_signals, changes = g_changes;
		unsigned long best = w[0].best + w[1].best;
		unsigned with_route, by[2];
		unsigned bad = compare(round, w, &with_route, by);
		CHECK_U(bad, 0);
		/* Comparing changed nothing and signalled nothing. */
		pthread_mutex_lock(&g_mu);
		CHECK_U(g_signals, signals);
		pthread_mutex_unlock(&g_mu);
		/* The round made best changes, was signalled and drained them. */
		CHECK(best > best_before);
		CHECK(signals > signals_before);
		CHECK(changes > changes_before);
		CHECK(with_route > 0);
		by_total[0] += by[0];
		by_total[1] += by[1];
		signals_before = signals;
		changes_before = changes;
		best_before = best;
		drainer_release();
	}
	pthread_mutex_lock(&g_mu);
	g_stop = true;
	pthread_cond_signal(&g_cv);
	pthread_mutex_unlock(&g_mu);
	pthread_join(td, NULL);
	/* Nothing was left for anyone else to drain. */
	UINT n = 0;
	CHECK_U(RtmGetChangedDests(g_drainer, g_notify, &n, NULL), ERROR_NO_MORE_ITEMS);
	printf("test_mt_notify: %d rounds, %lu + %lu adds, %lu + %lu updates, %lu + %lu deletes "
	       "(%lu best changes); %lu signals, %lu changed destinations drained\n",
	       ROUNDS, w[0].adds, w[1].adds, w[0].updates, w[1].updates, w[0].deletes,
	       w[1].deletes, best_before, g_signals, g_changes);
	/* Both protocols were best somewhere (the churn really competed). */
	CHECK(by_total[0] > 0 && by_total[1] > 0);
	for (unsigned k = 0; k < 2; k++)
		for (unsigned i = 0; i < NPREFIX; i++)
			for (unsigned s = 0; s < SLOTS; s++)
				if (w[k].r[i][s].h)
					CHECK_U(RtmReleaseRoutes(w[k].e, 1, &w[k].r[i][s].h),
						NO_ERROR);
}

int main(void)
{
	RUN(test_best_copy_matches_table);
	TEST_MAIN_END();
}
