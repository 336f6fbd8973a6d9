/*
 * test_mt_drain.c — a drain that cannot read a destination it took off the
 * queue keeps its change (found by review; run by `make check-tsan` too).
 *
 * RtmGetChangedDests takes an entry off the queue and then reads the
 * destination without a lock; a writer that keeps changing it makes each
 * read start over and give back its references into the call's reap list.
 * When that list filled, the read answered "no room" and the entry, already
 * taken off, was dropped: the change was lost.  Now the entry goes back to
 * the head of the queue (rtm__notify_carry) and the drain reports it after
 * reaping.
 *
 * The set-up makes one failed read enough to fill the list: 32 views and a
 * registration for all of them, 14 ignored destinations without routes
 * queued ahead of the target (each leaves one entry in the reap list as the
 * drain drops its pin), then the target's change; a writer changes a route
 * of the target that is not its best in a loop (its count moves, and no BEST
 * change is queued).  Each round the change must be reported, by that drain
 * or the next.  Rounds are counts; no timing is asserted.
 */
#define TL_TIMEOUT_S 120
#include "rtmtest.h"

#include <unistd.h>

#ifdef TL_SLOW
enum { ROUNDS = 2000 };
#else
enum { ROUNDS = 20000 };
#endif
enum { NIGN = 14 };
#define ALLV ((RTM_VIEW_SET)0xFFFFFFFFu)

static struct {
	RTM_ENTITY_HANDLE w, c;
	RTM_NOTIFY_HANDLE nh;
	RTM_NEXTHOP_HANDLE hop, nb1, nb2;
	atomic_bool stop, go;
	atomic_uint spins;
} g;

static DWORD set_route(const char *dest, unsigned len, ULONG pref, ULONG metric, RTM_NEXTHOP_HANDLE nb,
		       RTM_ROUTE_HANDLE *out, DWORD *fl)
{
	return rt_add_route(g.w, dest, len, pref, metric, ALLV, g.hop, nb, out, fl);
}

static void *writer_main(void *arg)
{
	(void)arg;
	ULONG m = 1000;
	while (!atomic_load(&g.stop)) {
		if (!atomic_load(&g.go)) {
			sched_yield();
			continue;
		}
		DWORD fl = 0;
		if (set_route("10.1.0.0", 16, 20, m++, g.nb2, NULL, &fl) != NO_ERROR || (fl & RTM_ROUTE_CHANGE_BEST))
			atomic_fetch_add(&rt_thread_errors, 1);
		atomic_fetch_add(&g.spins, 1);
	}
	return NULL;
}

static void test_change_survives_a_full_reap_list(void)
{
	char path[] = "/tmp/rtmv2-drain-XXXXXX";
	int fd = mkstemp(path);
	REQUIRE(fd >= 0);
	const char text[] = "[default]\nviews = 0xffffffff\n";
	REQUIRE(write(fd, text, sizeof(text) - 1) == (ssize_t)(sizeof(text) - 1));
	close(fd);
	setenv("RTMV2_CONFIG", path, 1);
	g.w = rt_register(AF_INET, 10);
	g.c = rt_register(AF_INET, 20);
	unlink(path);
	REQUIRE(g.w && g.c);
	REQUIRE(RtmRegisterForChangeNotification(g.c, ALLV, RTM_CHANGE_TYPE_BEST, NULL, &g.nh) == NO_ERROR);
	g.hop = rt_nexthop(g.w, "192.0.2.1", 1);
	g.nb1 = rt_nexthop(g.w, "192.0.2.2", 1);
	g.nb2 = rt_nexthop(g.w, "192.0.2.3", 1);
	REQUIRE(set_route("10.1.0.0", 16, 10, 1, g.nb1, NULL, NULL) == NO_ERROR);
	DWORD fl = 0;
	REQUIRE(set_route("10.1.0.0", 16, 20, 1, g.nb2, NULL, &fl) == NO_ERROR);
	REQUIRE(!(fl & RTM_ROUTE_CHANGE_BEST));
	rt_dest_buf db;
	RTM_NET_ADDRESS ta = rt_addr("10.1.0.0", 16);
	REQUIRE(RtmGetExactMatchDestination(g.c, &ta, 0, RTM_VIEW_MASK_UCAST, &db.info) == NO_ERROR);
	/* The handle stays good without a reference: the routes keep the
	 * destination.  No client reference may be left on it or on its best
	 * route, or a give-back never empties them into the reap list. */
	RTM_DEST_HANDLE th = db.info.DestHandle;
	REQUIRE(RtmReleaseDestInfo(g.c, &db.info) == NO_ERROR);
	for (;;) { /* empty the queue */
		UINT n = 1;
		if (RtmGetChangedDests(g.c, g.nh, &n, &db.info) != NO_ERROR || !n)
			break;
		RtmReleaseChangedDests(g.c, g.nh, n, &db.info);
	}

	unsigned lost = 0, reported = 0;
	pthread_t w;
	REQUIRE(pthread_create(&w, NULL, writer_main, NULL) == 0);
	for (unsigned round = 0; round < ROUNDS && !lost; round++) {
		RTM_ROUTE_HANDLE rh[NIGN];
		RTM_DEST_HANDLE dh[NIGN];
		rt_dest_buf di[NIGN];
		char a[32];
		for (unsigned i = 0; i < NIGN; i++) {
			snprintf(a, sizeof(a), "10.2.%u.0", i);
			CHECK_U(set_route(a, 24, 10, 1, NULL, &rh[i], NULL), NO_ERROR);
		}
		/* The target's change, queued after the 14. */
		CHECK_U(set_route("10.1.0.0", 16, 10, round + 2, g.nb1, NULL, &fl), NO_ERROR);
		CHECK(fl & RTM_ROUTE_CHANGE_BEST);
		for (unsigned i = 0; i < NIGN; i++) {
			snprintf(a, sizeof(a), "10.2.%u.0", i);
			RTM_NET_ADDRESS da = rt_addr(a, 24);
			CHECK_U(RtmGetExactMatchDestination(g.c, &da, 0, RTM_VIEW_MASK_UCAST, &di[i].info), NO_ERROR);
			dh[i] = di[i].info.DestHandle;
			CHECK_U(RtmDeleteRouteToDest(g.w, rh[i], &fl), NO_ERROR);
		}
		CHECK_U(RtmIgnoreChangedDests(g.c, g.nh, NIGN, dh), NO_ERROR);
		for (unsigned i = 0; i < NIGN; i++)
			CHECK_U(RtmReleaseDestInfo(g.c, &di[i].info), NO_ERROR);
		BOOL q = FALSE;
		CHECK_U(RtmGetChangeStatus(g.c, g.nh, th, &q), NO_ERROR);
		CHECK(q);

		atomic_store(&g.spins, 0);
		atomic_store(&g.go, true);
		while (atomic_load(&g.spins) < 2)
			sched_yield();
		UINT n = 1;
		DWORD rc = RtmGetChangedDests(g.c, g.nh, &n, &db.info);
		atomic_store(&g.go, false);
		if (rc == NO_ERROR && n == 1) {
			reported++;
			CHECK(db.info.DestHandle == th);
			CHECK_U(RtmReleaseChangedDests(g.c, g.nh, 1, &db.info), NO_ERROR);
		} else {
			/* Nothing reported: is the target's change still queued? */
			CHECK_U(RtmGetChangeStatus(g.c, g.nh, th, &q), NO_ERROR);
			n = 1;
			DWORD rc2 = RtmGetChangedDests(g.c, g.nh, &n, &db.info);
			if (rc2 == NO_ERROR && n == 1) {
				reported++;
				CHECK_U(RtmReleaseChangedDests(g.c, g.nh, 1, &db.info), NO_ERROR);
			} else {
				lost++;
				printf("  round %u: drain answered %lu with %u dests; the target's change is %s\n", round,
				       (unsigned long)rc, n, q ? "queued" : "gone (lost)");
			}
		}
	}
	atomic_store(&g.stop, true);
	pthread_join(w, NULL);
	printf("  %u reported, %u lost\n", reported, lost);
	CHECK_U(lost, 0);
	CHECK_U(atomic_load(&rt_thread_errors), 0);
	CHECK_U(RtmDeregisterFromChangeNotification(g.c, g.nh), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(g.c), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(g.w), NO_ERROR);
}

int main(void)
{
	RUN(test_change_survives_a_full_reap_list);
	TEST_MAIN_END();
}
