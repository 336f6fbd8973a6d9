/*
 * test_notify_state.c — change notification and the state of destinations:
 * deleted, held-down and expired destinations, entity deregistration,
 * ignoring changes, change status and marks, cleanup, the layout of views,
 * out of memory (what each change reports: test_notify_changes.c).
 *
 * Behaviour is always checked against the data (addresses, best-route
 * handles, counts, view ids), never just the return codes.
 */
#include "alloc.h"
#include "notifytest.h"

/* ---- deleted destinations, hold-down, expiry ------------------------------------------ */

static void test_delete_while_pending(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_ROUTE_HANDLE r;
	CHECK_U(add(w, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(w, r, NULL), NO_ERROR);
	/* The queue keeps the empty destination: not visible, but still there. */
	CHECK_U(rt_stats(e).routes, 0);
	CHECK_U(rt_stats(e).dests, 1);
	RTM_NET_ADDRESS a = rt_addr("10.0.0.0", 8);
	rt_dest_buf q;
	CHECK_U(RtmGetExactMatchDestination(e, &a, RTM_BEST_PROTOCOL, 0, &q.info), ERROR_NOT_FOUND);
	BOOL st = FALSE;
	rt_dest_buf db;
	UINT num = 2;
	CHECK_U(RtmGetChangedDests(e, n, &num, &db.info), NO_ERROR);
	REQUIRE(num == 1);
	CHECK(addr_is(&db.info.DestAddress, "10.0.0.0", 8));
	CHECK_U(db.info.BelongsToViews, 0);
	CHECK_U(RT_VIEW(&db.info, 0).NumRoutes, 0);
	CHECK(RT_VIEW(&db.info, 0).Route == NULL);
	CHECK(RT_VIEW(&db.info, 0).Owner == NULL);
	CHECK(RT_VIEW(&db.info, 0).HoldRoute == NULL);
	CHECK_U(RtmGetChangeStatus(e, n, db.info.DestHandle, &st), NO_ERROR);
	CHECK(st == FALSE);
	/* Our information keeps it until it is released; then it is gone. */
	CHECK_U(rt_stats(e).dests, 1);
	CHECK_U(RtmReleaseChangedDests(e, n, 1, &db.info), NO_ERROR);
	CHECK_U(rt_stats(e).dests, 0);
	CHECK_U(pending(e, n, 1), 0);
}

static void test_hold_while_pending(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_ROUTE_HANDLE r;
	CHECK_U(add(w, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r), NO_ERROR);
	rt_dest_buf dq;
	RTM_DEST_HANDLE d = dest_of(w, "10.0.0.0", 8, &dq);
	REQUIRE(d);
	CHECK_U(RtmHoldDestination(w, d, RTM_VIEW_MASK_UCAST, 60000), NO_ERROR);
	CHECK_U(pending(e, n, 1), 1);
	RTM_ROUTE_HANDLE keep = r;
	CHECK_U(RtmReferenceHandles(w, 1, &keep), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(w, r, NULL), NO_ERROR);
	struct change c[2];
	CHECK_U(drain(e, n, 1, c, 2), 1);
	CHECK(c[0].dest == d);
	CHECK_U(c[0].v[0].num, 0);
	CHECK(c[0].v[0].route == NULL);
	CHECK(c[0].v[0].hold == keep);
	rt_route_buf rb;
	CHECK_U(rt_route_info(w, keep, &rb), NO_ERROR);
	CHECK_U(rb.info.State, RTM_ROUTE_STATE_DELETED);
	CHECK_U(RtmReleaseRouteInfo(w, &rb.info), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(w, 1, &keep), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(w, &dq.info), NO_ERROR);
}

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;

static DWORD WINAPI cb_signal_cv(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE type, PVOID c1, PVOID c2)
{
	DWORD rc = cb_count(h, type, c1, c2);
	pthread_mutex_lock(&g_mu);
	pthread_cond_broadcast(&g_cv);
	pthread_mutex_unlock(&g_mu);
	return rc;
}

/* Waits (boundedly) until g_signals reaches n; no timing is asserted. */
static void wait_signals(int n)
{
	pthread_mutex_lock(&g_mu);
	for (int i = 0; i < 200 && atomic_load(&g_signals) < n; i++)
		rt_cond_wait_ms(&g_cv, &g_mu, 50);
	pthread_mutex_unlock(&g_mu);
}

/*
 * The two expiry tests run on real timers, and nothing bounds how long this
 * thread may be held up between starting a timer and draining.  So each tries
 * with a growing time (200 ms, then 4 and 16 times that): an attempt counts
 * when the first drain still saw the state before the timer fired — then the
 * timer's change must come on its own, with its own signal.  An attempt whose
 * timer fired first (the changes coalesced) is checked for consistency and
 * retried.  No timing is asserted.
 */
#define EXPIRY_FIRST_MS 200u
#define EXPIRY_ATTEMPTS 3

static void test_hold_expiry_notifies(void)
{
	RTM_ENTITY_HANDLE e = NULL;
	CHECK_U(rt_register_ex(0, AF_INET, 100, 1, cb_signal_cv, FALSE, NULL, &e, NULL), NO_ERROR);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_NOTIFY_HANDLE fwd = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_FORWARDING, NULL);
	bool seen = false;
	unsigned ms = EXPIRY_FIRST_MS;
	for (unsigned attempt = 0; attempt < EXPIRY_ATTEMPTS && !seen; attempt++, ms *= 4) {
		char text[16];
		snprintf(text, sizeof(text), "%u.0.0.0", 10 + attempt);
		RTM_ROUTE_HANDLE r;
		CHECK_U(add(w, text, 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r), NO_ERROR);
		CHECK_U(pending(e, n, 1), 1);
		CHECK_U(pending(e, fwd, 1), 1);
		rt_dest_buf dq;
		RTM_DEST_HANDLE d = dest_of(w, text, 8, &dq);
		REQUIRE(d);
		CHECK_U(RtmHoldDestination(w, d, RTM_VIEW_MASK_UCAST, ms), NO_ERROR);
		CHECK_U(RtmDeleteRouteToDest(w, r, NULL), NO_ERROR);
		/* Both queues were empty: the delete signalled both, before it
		 * returned.  From here on only the end of the hold-down signals. */
		int before = atomic_load(&g_signals);
		struct change c[2];
		CHECK_U(drain(e, n, 1, c, 2), 1);
		CHECK(c[0].dest == d);
		CHECK(c[0].v[0].route == NULL && c[0].v[0].num == 0);
		CHECK_U(pending(e, fwd, 1), 1); /* the best route went: forwarding changed */
		if (c[0].v[0].hold == NULL) {
			/* The hold-down ended before the drain: its change was
			 * coalesced with the delete's.  Try again, longer. */
			CHECK_U(RtmReleaseDestInfo(w, &dq.info), NO_ERROR);
			continue;
		}
		seen = true;
		/* The hold-down ends on the timer thread: a BEST change with no
		 * hold route, and its own signal. */
		wait_signals(before + 1);
		CHECK_U(atomic_load(&g_signals), before + 1);
		CHECK_U(drain(e, n, 1, c, 2), 1);
		CHECK(c[0].dest == d);
		CHECK(c[0].v[0].hold == NULL && c[0].v[0].route == NULL);
		/* The end of a hold-down does not change forwarding. */
		CHECK_U(pending(e, fwd, 1), 0);
		CHECK_U(atomic_load(&g_signals), before + 1);
		CHECK_U(RtmReleaseDestInfo(w, &dq.info), NO_ERROR);
	}
	CHECK(seen);
	CHECK_U(rt_stats(e).dests, 0);
}

static void test_expiry_notifies(void)
{
	RTM_ENTITY_HANDLE e = NULL;
	CHECK_U(rt_register_ex(0, AF_INET, 100, 1, cb_signal_cv, FALSE, NULL, &e, NULL), NO_ERROR);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	bool seen = false;
	unsigned ms = EXPIRY_FIRST_MS;
	for (unsigned attempt = 0; attempt < EXPIRY_ATTEMPTS && !seen; attempt++, ms *= 4) {
		char text[16];
		snprintf(text, sizeof(text), "%u.0.0.0", 10 + attempt);
		RTM_NET_ADDRESS a = rt_addr(text, 8);
		rt_route_buf rb;
		rt_route_fill(&rb.info, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL);
		RTM_ROUTE_CHANGE_FLAGS fl = 0;
		int expired = atomic_load(&g_expired);
		CHECK_U(RtmAddRouteToDest(e, NULL, &a, &rb.info, ms, NULL, 0, NULL, &fl), NO_ERROR);
		/* The queue was empty: the add signalled before it returned. */
		int before = atomic_load(&g_signals);
		struct change c[2];
		CHECK_U(drain(e, n, 1, c, 2), 1);
		CHECK(addr_is(&c[0].addr, text, 8));
		if (c[0].v[0].route == NULL) {
			/* It expired before the drain (coalesced with the add):
			 * consistent, but try again, longer. */
			CHECK_U(c[0].v[0].num, 0);
			CHECK_U(atomic_load(&g_expired), expired + 1);
			continue;
		}
		seen = true;
		CHECK_U(c[0].v[0].num, 1);
		/* The owner lets it expire (ERROR_NOT_SUPPORTED): the deletion is a
		 * change, with its own signal. */
		wait_signals(before + 1);
		CHECK_U(atomic_load(&g_expired), expired + 1);
		CHECK_U(atomic_load(&g_signals), before + 1);
		CHECK_U(drain(e, n, 1, c, 2), 1);
		CHECK(addr_is(&c[0].addr, text, 8));
		CHECK(c[0].v[0].route == NULL && c[0].v[0].num == 0);
	}
	CHECK(seen);
	CHECK_U(rt_stats(e).dests, 0);
}

/* Deregistering an entity deletes its routes; others hear of it. */
static void test_entity_deregistration_notifies(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	RTM_ENTITY_HANDLE x = reg(300, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_ROUTE_HANDLE rx;
	CHECK_U(add(w, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(add(w, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(add(x, "11.0.0.0", 8, 20, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &rx), NO_ERROR);
	CHECK_U(pending(e, n, 1), 2);
	int before = atomic_load(&g_signals);
	CHECK_U(RtmDeregisterEntity(w), NO_ERROR);
	CHECK_U(atomic_load(&g_signals), before + 1);
	struct change c[4];
	CHECK_U(drain(e, n, 1, c, 4), 2);
	CHECK(addr_is(&c[0].addr, "10.0.0.0", 8));
	CHECK(c[0].v[0].route == NULL);
	CHECK(addr_is(&c[1].addr, "11.0.0.0", 8));
	CHECK(c[1].v[0].route == rx && c[1].v[0].owner == x);
	CHECK_U(RtmReleaseRoutes(x, 1, &rx), NO_ERROR);
}

/* ---- ignore, status, marks -------------------------------------------------------------- */

static void test_ignore(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_NOTIFY_HANDLE other = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	CHECK_U(add(e, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(add(e, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	rt_dest_buf bx, by;
	RTM_DEST_HANDLE x = dest_of(e, "10.0.0.0", 8, &bx), y = dest_of(e, "11.0.0.0", 8, &by);
	REQUIRE(x && y);
	CHECK(status(e, n, x) == TRUE && status(e, n, y) == TRUE);
	CHECK_U(RtmIgnoreChangedDests(e, n, 1, &x), NO_ERROR);
	CHECK(status(e, n, x) == FALSE && status(e, n, y) == TRUE);
	/* Only this registration's change was ignored. */
	CHECK(status(e, other, x) == TRUE);
	struct change c[4];
	CHECK_U(drain(e, n, 1, c, 4), 1);
	CHECK(c[0].dest == y);
	CHECK(status(e, n, y) == FALSE);
	/* Ignoring what is not pending does nothing; a new change is reported. */
	CHECK_U(RtmIgnoreChangedDests(e, n, 1, &x), NO_ERROR);
	CHECK_U(add(e, "10.0.0.0", 8, 10, 2, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK(status(e, n, x) == TRUE);
	/* Ignored, then changed again while still queued: pending again, once. */
	CHECK_U(RtmIgnoreChangedDests(e, n, 1, &x), NO_ERROR);
	CHECK_U(add(e, "10.0.0.0", 8, 10, 3, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK(status(e, n, x) == TRUE);
	CHECK_U(drain(e, n, 1, c, 4), 1);
	CHECK(c[0].dest == x);
	/* Everything pending ignored: the next change signals again. */
	CHECK_U(add(e, "10.0.0.0", 8, 10, 4, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	RTM_DEST_HANDLE both[2] = { x, x };
	CHECK_U(RtmIgnoreChangedDests(e, n, 2, both), NO_ERROR);
	CHECK_U(pending(e, other, 1), 2);
	int before = atomic_load(&g_signals);
	CHECK_U(add(e, "11.0.0.0", 8, 10, 5, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(atomic_load(&g_signals), before + 2); /* n and other */
	CHECK_U(drain(e, n, 1, c, 4), 1);
	CHECK(c[0].dest == y);
	CHECK_U(RtmReleaseDestInfo(e, &bx.info), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(e, &by.info), NO_ERROR);
}

static void test_marks(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	RTM_NOTIFY_HANDLE m1 = notify(e, RTM_VIEW_MASK_UCAST,
				      RTM_CHANGE_TYPE_BEST | RTM_NOTIFY_ONLY_MARKED_DESTS, NULL);
	RTM_NOTIFY_HANDLE m2 = notify(e, RTM_VIEW_MASK_UCAST,
				      RTM_CHANGE_TYPE_ALL | RTM_NOTIFY_ONLY_MARKED_DESTS, NULL);
	RTM_NOTIFY_HANDLE all = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	CHECK_U(add(w, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(add(w, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	/* Nothing is marked yet. */
	CHECK_U(pending(e, m1, 1), 0);
	CHECK_U(pending(e, m2, 1), 0);
	CHECK_U(pending(e, all, 1), 2);
	rt_dest_buf bx, by;
	RTM_DEST_HANDLE x = dest_of(e, "10.0.0.0", 8, &bx), y = dest_of(e, "11.0.0.0", 8, &by);
	REQUIRE(x && y);
	CHECK(marked(e, m1, x) == FALSE);
	CHECK_U(RtmMarkDestForChangeNotification(e, m1, x, TRUE), NO_ERROR);
	CHECK_U(RtmMarkDestForChangeNotification(e, m1, x, TRUE), NO_ERROR); /* twice is once */
	CHECK(marked(e, m1, x) == TRUE);
	CHECK(marked(e, m1, y) == FALSE);
	CHECK(marked(e, m2, x) == FALSE); /* per registration */
	CHECK_U(add(w, "10.0.0.0", 8, 10, 2, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(add(w, "11.0.0.0", 8, 10, 2, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	struct change c[4];
	CHECK_U(drain(e, m1, 1, c, 4), 1);
	CHECK(c[0].dest == x);
	CHECK_U(pending(e, m2, 1), 0);
	/* Marked and unmarked: no more. */
	CHECK_U(RtmMarkDestForChangeNotification(e, m1, x, FALSE), NO_ERROR);
	CHECK(marked(e, m1, x) == FALSE);
	CHECK_U(RtmMarkDestForChangeNotification(e, m1, y, FALSE), NO_ERROR); /* not marked: fine */
	CHECK_U(add(w, "10.0.0.0", 8, 10, 3, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(pending(e, m1, 1), 0);
	/* A marked destination's deletion is reported; the mark lives as long as
	 * the destination object (our handle keeps it). */
	CHECK_U(RtmMarkDestForChangeNotification(e, m2, y, TRUE), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(w), NO_ERROR);
	CHECK_U(drain(e, m2, 1, c, 4), 1);
	CHECK(c[0].dest == y && c[0].v[0].num == 0);
	CHECK(marked(e, m2, y) == TRUE);
	CHECK_U(RtmReleaseDestInfo(e, &bx.info), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(e, &by.info), NO_ERROR);
}

/* ---- cleanup --------------------------------------------------------------------------- */

static void test_deregister_frees(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_NOTIFY_HANDLE m = notify(e, RTM_VIEW_MASK_UCAST,
				     RTM_CHANGE_TYPE_BEST | RTM_NOTIFY_ONLY_MARKED_DESTS, NULL);
	RTM_ROUTE_HANDLE r[3];
	CHECK_U(add(w, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r[0]), NO_ERROR);
	CHECK_U(add(w, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r[1]), NO_ERROR);
	CHECK_U(add(w, "12.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r[2]), NO_ERROR);
	rt_dest_buf bx;
	RTM_DEST_HANDLE x = dest_of(e, "12.0.0.0", 8, &bx);
	CHECK_U(RtmMarkDestForChangeNotification(e, m, x, TRUE), NO_ERROR);
	/* And a destination earlier in the table, marked too. */
	RTM_ROUTE_HANDLE early;
	CHECK_U(add(w, "9.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &early), NO_ERROR);
	rt_dest_buf b9;
	RTM_DEST_HANDLE nine = dest_of(e, "9.0.0.0", 8, &b9);
	CHECK_U(RtmMarkDestForChangeNotification(e, m, nine, TRUE), NO_ERROR);
	for (int i = 0; i < 3; i++)
		CHECK_U(RtmDeleteRouteToDest(w, r[i], NULL), NO_ERROR);
	/* Queued deleted destinations are kept by the queue alone (9/8 lives). */
	CHECK_U(rt_stats(e).dests, 4);
	CHECK_U(RtmDeregisterFromChangeNotification(e, n), NO_ERROR);
	CHECK_U(rt_stats(e).dests, 2); /* 12/8: our handle and m's queue; 9/8 */
	CHECK(status(e, m, x) == TRUE);
	CHECK_U(RtmDeregisterFromChangeNotification(e, m), NO_ERROR);
	CHECK_U(rt_stats(e).dests, 2); /* 12/8: our handle; 9/8 */
	/* The marks went with the registration: a new one (same index) has none. */
	RTM_NOTIFY_HANDLE m2 = notify(e, RTM_VIEW_MASK_UCAST,
				      RTM_CHANGE_TYPE_BEST | RTM_NOTIFY_ONLY_MARKED_DESTS, NULL);
	RTM_NOTIFY_HANDLE m3 = notify(e, RTM_VIEW_MASK_UCAST,
				      RTM_CHANGE_TYPE_BEST | RTM_NOTIFY_ONLY_MARKED_DESTS, NULL);
	CHECK(marked(e, m2, x) == FALSE);
	CHECK(marked(e, m3, x) == FALSE);
	CHECK(marked(e, m2, nine) == FALSE);
	CHECK(marked(e, m3, nine) == FALSE);
	CHECK_U(RtmReleaseDestInfo(e, &bx.info), NO_ERROR);
	CHECK_U(RtmReleaseDestInfo(e, &b9.info), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(w, early, NULL), NO_ERROR);
	CHECK_U(rt_stats(e).dests, 0);
	/* Deregistering the entity frees its registrations (their handles). */
	rtm_stats s = rt_stats(w);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
	CHECK_U(rt_stats(w).handles, s.handles - 2);
	CHECK_U(RtmMarkDestForChangeNotification(e, m2, x, TRUE), ERROR_INVALID_HANDLE);
}

static void test_deregister_entity_with_pending(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_ENTITY_HANDLE w = reg(200, NULL);
	notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	RTM_ROUTE_HANDLE r;
	CHECK_U(add(w, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, &r), NO_ERROR);
	CHECK_U(RtmDeleteRouteToDest(w, r, NULL), NO_ERROR);
	CHECK_U(rt_stats(w).dests, 1);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
	CHECK_U(rt_stats(w).dests, 0);
	CHECK_U(rt_stats(w).handles, 0);
}

/* ---- views and layout ----------------------------------------------------------------- */

static void test_views_layout(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_NOTIFY_HANDLE two =
		notify(e, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST, RTM_CHANGE_TYPE_ALL, NULL);
	RTM_NOTIFY_HANDLE any = notify(e, RTM_VIEW_MASK_ANY, RTM_CHANGE_TYPE_ALL, NULL);
	RTM_ROUTE_HANDLE r1, r2;
	CHECK_U(add(e, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST, 0, NULL,
		    &r1),
		NO_ERROR);
	CHECK_U(add(e, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_MCAST, 0, NULL, &r2), NO_ERROR);
	/* Entries are RTM_SIZE_OF_DEST_INFO(2) apart, each with both views. */
	size_t stride = RTM_SIZE_OF_DEST_INFO(2);
	char *buf = calloc(2, stride);
	UINT num = 2;
	CHECK_U(RtmGetChangedDests(e, two, &num, (PRTM_DEST_INFO)(void *)buf), NO_ERROR);
	REQUIRE(num == 2);
	PRTM_DEST_INFO d0 = (void *)buf, d1 = (void *)(buf + stride);
	CHECK(addr_is(&d0->DestAddress, "10.0.0.0", 8) && addr_is(&d1->DestAddress, "11.0.0.0", 8));
	CHECK_U(d0->NumberOfViews, 2);
	CHECK_U(d1->NumberOfViews, 2);
	CHECK_U(d0->BelongsToViews, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST);
	CHECK_U(d1->BelongsToViews, RTM_VIEW_MASK_MCAST);
	CHECK(RT_VIEW(d0, 0).Route == r1 && RT_VIEW(d0, 1).Route == r1);
	CHECK_U(RT_VIEW(d1, 0).ViewId, RTM_VIEW_ID_UCAST);
	CHECK(RT_VIEW(d1, 0).Route == NULL);
	CHECK_U(RT_VIEW(d1, 1).ViewId, RTM_VIEW_ID_MCAST);
	CHECK(RT_VIEW(d1, 1).Route == r2);
	CHECK_U(RtmReleaseChangedDests(e, two, num, (PRTM_DEST_INFO)(void *)buf), NO_ERROR);
	/* RTM_VIEW_MASK_ANY: every view's changes, entries with no ViewInfo. */
	struct change c[4];
	CHECK_U(drain(e, any, 0, c, 4), 2);
	CHECK_U(c[0].nviews, 0);
	free(buf);
	CHECK_U(RtmReleaseRoutes(e, 1, &r1), NO_ERROR);
	CHECK_U(RtmReleaseRoutes(e, 1, &r2), NO_ERROR);
}

/* ---- out of memory ------------------------------------------------------------------- */

static void test_nomem(void)
{
	RTM_ENTITY_HANDLE e = reg(100, NULL);
	RTM_NOTIFY_HANDLE n = notify(e, 0, RTM_CHANGE_TYPE_BEST, NULL);
	CHECK_U(RtmDeregisterFromChangeNotification(e, n), NO_ERROR);
	/* Warmed up (the handle table has its memory): count the sites. */
	rtm_stats s0 = rt_stats(e);
	unsigned long at = rtm__alloc_count();
	n = notify(e, 0, RTM_CHANGE_TYPE_BEST, NULL);
	unsigned long sites = rtm__alloc_count() - at;
	CHECK(sites >= 2);
	CHECK_U(RtmDeregisterFromChangeNotification(e, n), NO_ERROR);
	for (unsigned long i = 1; i <= sites; i++) {
		rtm__alloc_fail_at(i);
		n = NULL;
		CHECK_U(RtmRegisterForChangeNotification(e, 0, RTM_CHANGE_TYPE_BEST, NULL, &n),
			ERROR_NOT_ENOUGH_MEMORY);
		rtm__alloc_fail_at(0);
		CHECK(n == NULL);
		CHECK_U(rt_stats(e).handles, s0.handles);
	}
	n = notify(e, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, NULL);
	/* A registration made on an empty table has room for 64 destinations;
	 * the 65th grows the queue before the destination is created.  When
	 * that fails the add fails and changes nothing. */
	char text[32];
	for (unsigned i = 0; i < 64; i++) {
		snprintf(text, sizeof(text), "10.0.%u.0", i);
		CHECK_U(add(e, text, 24, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	}
	rtm__alloc_fail_at(1);
	CHECK_U(add(e, "10.1.0.0", 24, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL),
		ERROR_NOT_ENOUGH_MEMORY);
	rtm__alloc_fail_at(0);
	CHECK_U(rt_stats(e).dests, 64);
	CHECK_U(rt_stats(e).routes, 64);
	/* A change to an existing destination needs no memory. */
	rtm__alloc_fail_at(1);
	CHECK_U(add(e, "10.0.0.0", 24, 10, 2, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	rtm__alloc_fail_at(0);
	CHECK_U(add(e, "10.1.0.0", 24, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	CHECK_U(pending(e, n, 1), 65);
	/* Ignore and mark need the destination's extension. */
	CHECK_U(add(e, "11.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, 0, NULL, NULL), NO_ERROR);
	rt_dest_buf bx;
	RTM_DEST_HANDLE x = dest_of(e, "11.0.0.0", 8, &bx);
	rtm__alloc_fail_at(1);
	CHECK_U(RtmIgnoreChangedDests(e, n, 1, &x), ERROR_NOT_ENOUGH_MEMORY);
	rtm__alloc_fail_at(1);
	CHECK_U(RtmMarkDestForChangeNotification(e, n, x, TRUE), ERROR_NOT_ENOUGH_MEMORY);
	rtm__alloc_fail_at(0);
	CHECK(status(e, n, x) == TRUE);
	CHECK(marked(e, n, x) == FALSE);
	CHECK_U(RtmReleaseDestInfo(e, &bx.info), NO_ERROR);
}

int main(void)
{
	RUN(test_delete_while_pending);
	RUN(test_hold_while_pending);
	RUN(test_hold_expiry_notifies);
	RUN(test_expiry_notifies);
	RUN(test_entity_deregistration_notifies);
	RUN(test_ignore);
	RUN(test_marks);
	RUN(test_deregister_frees);
	RUN(test_deregister_entity_with_pending);
	RUN(test_views_layout);
	RUN(test_nomem);
	TEST_MAIN_END();
}
