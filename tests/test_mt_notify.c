/*
 * test_mt_notify.c — change notification under concurrent change.
 *
 * Two writer threads, of two protocols, churn routes (add, update, delete)
 * on a shared set of prefixes, so that the best route of each keeps moving
 * between them.  A third entity, registered for BEST changes in the unicast
 * view, drains on its own thread whenever its callback signals, and keeps
 * its own copy of the best route (and its owner) per prefix.  When the
 * writers have stopped and it has drained to ERROR_NO_MORE_ITEMS, its copy
 * must equal the table exactly, prefix by prefix.  Run under TSan by
 * `make check-tsan`.
 */
#include "rtmtest.h"

#include <stdatomic.h>

#define NPREFIX 512
#define OPS 60000

static RTM_ENTITY_HANDLE g_drainer;
static RTM_NOTIFY_HANDLE g_notify;
static RTM_REGN_PROFILE g_profile;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static bool g_signalled; /* g_mu */
static atomic_int g_signals;
static atomic_bool g_stop;

/* The drainer's copy; touched only by the drainer thread (and main after join). */
static RTM_ROUTE_HANDLE g_best[NPREFIX];
static RTM_ENTITY_HANDLE g_owner[NPREFIX];
static unsigned long g_changes;

static DWORD WINAPI drainer_cb(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE type, PVOID c1, PVOID c2)
{
	(void)h;
	if (type == RTM_CHANGE_NOTIFICATION) {
		CHECK(c1 == g_notify || g_notify == NULL);
		CHECK(c2 == &g_notify);
		atomic_fetch_add(&g_signals, 1);
		pthread_mutex_lock(&g_mu);
		g_signalled = true;
		pthread_cond_signal(&g_cv);
		pthread_mutex_unlock(&g_mu);
	}
	return NO_ERROR;
}

static void prefix(unsigned i, char *text, size_t size)
{
	snprintf(text, size, "10.%u.%u.0", i / 256, i % 256);
}

static int index_of(const RTM_NET_ADDRESS *a)
{
	if (a->NumBits != 24 || a->AddrBits[0] != 10 || a->AddrBits[3] != 0)
		return -1;
	unsigned i = a->AddrBits[1] * 256u + a->AddrBits[2];
	return i < NPREFIX ? (int)i : -1;
}

/* Drains everything pending into the copy; returns when ERROR_NO_MORE_ITEMS. */
static void drain_all(void)
{
	UINT cap = g_profile.MaxHandlesInEnum;
	size_t stride = RTM_SIZE_OF_DEST_INFO(1);
	char *buf = calloc(cap, stride);
	for (;;) {
		UINT n = cap;
		DWORD rc = RtmGetChangedDests(g_drainer, g_notify, &n, (PRTM_DEST_INFO)(void *)buf);
		if (rc == ERROR_NO_MORE_ITEMS) {
			CHECK_U(n, 0);
			break;
		}
		CHECK_U(rc, NO_ERROR);
		if (rc != NO_ERROR)
			break;
		for (UINT k = 0; k < n; k++) {
			PRTM_DEST_INFO di = (PRTM_DEST_INFO)(void *)(buf + k * stride);
			int i = index_of(&di->DestAddress);
			CHECK(i >= 0);
			CHECK_U(di->NumberOfViews, 1);
			if (i < 0)
				continue;
			g_best[i] = RT_VIEW(di, 0).Route;
			g_owner[i] = RT_VIEW(di, 0).Owner;
			g_changes++;
		}
		CHECK_U(RtmReleaseChangedDests(g_drainer, g_notify, n, (PRTM_DEST_INFO)(void *)buf),
			NO_ERROR);
	}
	free(buf);
}

static void *drainer_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&g_stop)) {
		pthread_mutex_lock(&g_mu);
		while (!g_signalled && !atomic_load(&g_stop))
			rt_cond_wait_ms(&g_cv, &g_mu, 20);
		g_signalled = false;
		pthread_mutex_unlock(&g_mu);
		drain_all();
	}
	return NULL;
}

struct writer {
	RTM_ENTITY_HANDLE e;
	RTM_NEXTHOP_HANDLE nh;
	uint64_t rng;
	RTM_ROUTE_HANDLE route[NPREFIX];
};

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	char text[32];
	for (unsigned op = 0; op < OPS; op++) {
		uint64_t r = next_rand(&w->rng);
		unsigned i = (unsigned)(r % NPREFIX);
		prefix(i, text, sizeof(text));
		if (w->route[i] && (r >> 32) % 3 == 0) {
			CHECK_U(RtmDeleteRouteToDest(w->e, w->route[i], NULL), NO_ERROR);
			w->route[i] = NULL;
		} else {
			/* Add, or update our route there (same neighbour): preference
			 * and metric drawn so that the best moves between writers. */
			ULONG pref = 10 + (ULONG)((r >> 20) % 4), metric = (ULONG)((r >> 40) % 8);
			RTM_ROUTE_HANDLE h = NULL;
			DWORD rc = rt_add_route(w->e, text, 24, pref, metric, RTM_VIEW_MASK_UCAST,
						w->nh, NULL, w->route[i] ? NULL : &h, NULL);
			CHECK_U(rc, NO_ERROR);
			if (!w->route[i])
				w->route[i] = h;
		}
	}
	return NULL;
}

static void test_best_copy_matches_table(void)
{
	CHECK_U(rt_register_ex(0, AF_INET, 300, 1, drainer_cb, FALSE, NULL, &g_drainer, &g_profile),
		NO_ERROR);
	CHECK_U(RtmRegisterForChangeNotification(g_drainer, RTM_VIEW_MASK_UCAST,
						 RTM_CHANGE_TYPE_BEST, &g_notify, &g_notify),
		NO_ERROR);
	static struct writer w[2];
	for (unsigned k = 0; k < 2; k++) {
		w[k].e = rt_register(AF_INET, 100 + k);
		w[k].nh = rt_nexthop(w[k].e, k ? "192.0.2.2" : "192.0.2.1", k + 1);
		w[k].rng = 0x9E3779B97F4A7C15ull * (k + 1);
	}
	pthread_t td, tw[2];
	REQUIRE(pthread_create(&td, NULL, drainer_main, NULL) == 0);
	for (unsigned k = 0; k < 2; k++)
		REQUIRE(pthread_create(&tw[k], NULL, writer_main, &w[k]) == 0);
	for (unsigned k = 0; k < 2; k++)
		pthread_join(tw[k], NULL);
	atomic_store(&g_stop, true);
	pthread_mutex_lock(&g_mu);
	pthread_cond_signal(&g_cv);
	pthread_mutex_unlock(&g_mu);
	pthread_join(td, NULL);
	/* The writers are done: whatever is still queued comes now. */
	drain_all();
	printf("test_mt_notify: %d signals, %lu changed destinations drained\n",
	       atomic_load(&g_signals), g_changes);
	CHECK(atomic_load(&g_signals) > 0);
	CHECK(g_changes > 0);

	/* The copy equals the table, prefix by prefix. */
	unsigned with_route = 0;
	char text[32];
	for (unsigned i = 0; i < NPREFIX; i++) {
		prefix(i, text, sizeof(text));
		RTM_NET_ADDRESS a = rt_addr(text, 24);
		rt_dest_buf db;
		DWORD rc = RtmGetExactMatchDestination(g_drainer, &a, RTM_BEST_PROTOCOL,
						       RTM_VIEW_MASK_UCAST, &db.info);
		RTM_ROUTE_HANDLE best = NULL;
		RTM_ENTITY_HANDLE owner = NULL;
		if (rc == NO_ERROR) {
			best = RT_VIEW(&db.info, 0).Route;
			owner = RT_VIEW(&db.info, 0).Owner;
			CHECK_U(RtmReleaseDestInfo(g_drainer, &db.info), NO_ERROR);
		} else {
			CHECK_U(rc, ERROR_NOT_FOUND);
		}
		with_route += best != NULL;
		if (g_best[i] != best || g_owner[i] != owner) {
			fprintf(stderr, "  %s/24: copy %p/%p, table %p/%p\n", text, g_best[i],
				g_owner[i], best, owner);
			CHECK(g_best[i] == best && g_owner[i] == owner);
		}
	}
	CHECK(with_route > 0);
	/* Both protocols ended up best somewhere (the churn really competed). */
	unsigned by[2] = { 0, 0 };
	for (unsigned i = 0; i < NPREFIX; i++)
		for (unsigned k = 0; k < 2; k++)
			by[k] += g_owner[i] == w[k].e;
	CHECK(by[0] > 0 && by[1] > 0);
	for (unsigned k = 0; k < 2; k++)
		for (unsigned i = 0; i < NPREFIX; i++)
			if (w[k].route[i])
				CHECK_U(RtmReleaseRoutes(w[k].e, 1, &w[k].route[i]), NO_ERROR);
}

int main(void)
{
	RUN(test_best_copy_matches_table);
	TEST_MAIN_END();
}
