/*
 * enter.h — the one entry protocol of the API, and the one lock order.
 *
 * Every Rtm* call has the same shape: check its arguments, enter, call the
 * table and service layers, leave, and translate the internal result to a
 * Win32 code once (rtm__win32).  Entering validates the caller's
 * registration handle and takes the locks the call needs; leaving drops
 * them and delivers the change notifications the call made due.
 *
 * The lock order (every lock of the library, outermost first):
 *
 *   registry mutex  →  client stripe  →  rib->lock  →  leaf mutexes
 *                                                     (entity table, an
 *                                                      entity's cb_mutex, an
 *                                                      enumeration's mutex,
 *                                                      the timer service)
 *
 * rib->lock is a reader/writer lock over all of a RIB's tables: queries,
 * info calls and releases take it shared, changes exclusive.  A client
 * stripe (svc/lock.h) is what RtmLockDestination, RtmLockRoute and
 * RtmLockNextHop hold across calls; every change of a destination's routes
 * or of a next hop takes the object's stripe exclusively before rib->lock,
 * unless this thread holds it already, so a change waits while another
 * client holds the object locked.  While no client holds any lock in the
 * RIB (rib->client_stripes is 0) a change takes no stripe at all: a client
 * taking its first lock counts itself, takes the stripe, then waits for
 * rib->lock, so no change that skipped the stripe is still running when
 * the client's lock is in force.  No client callback runs while any of
 * these locks is held: events and signals are delivered after leaving.
 *
 * Three forms:
 *   rtm__enter / rtm__leave          a call that reads or changes the RIB as
 *                                     a whole (shared or exclusive lock; a
 *                                     change flushes after leaving);
 *   rtm__enter_change / _leave_change a call (or a timer fire) that changes
 *                                     one destination's routes or one next
 *                                     hop: stripe, then the exclusive lock;
 *   rtm__caller                       the lock-free check alone, for calls
 *                                     that take their locks in a service
 *                                     (releases, entity methods).
 */
#ifndef RTM_ENTER_H
#define RTM_ENTER_H

#include "entity.h"
#include "lock.h"
#include "notify.h"
#include "registry.h"
#include "release.h"

/* Validates the caller's handle and takes its RIB's lock (shared or
 * exclusive).  Returns the RIB, or NULL (no lock held) when the handle does
 * not name a registered entity. */
static inline struct rtm_rib *rtm__enter(RTM_ENTITY_HANDLE h, struct rtm_entity **caller, bool exclusive)
{
	struct rtm_entity *e = rtm__caller(h);
	if (!e)
		return NULL;
	struct rtm_rib *rib = __atomic_load_n(&e->rib, __ATOMIC_ACQUIRE);
	if (!rib)
		return NULL;
	if (exclusive)
		rtm__rib_wrlock(rib);
	else
		rtm__rib_rdlock(rib);
	/* Re-checked under the lock: deregistration changes the state under it,
	 * and a slot freed and registered again meanwhile has a new handle. */
	if (!rtm__caller_still_valid(e, h) || e->rib != rib) {
		rtm__rib_unlock(rib);
		return NULL;
	}
	*caller = e;
	return rib;
}

/* Validates the caller's handle and enters an epoch section, taking no lock:
 * the entry of the lock-free queries (table/dest.h).  Returns the RIB, or
 * NULL (and the section left) when the handle does not name a registered
 * entity.  The RIB cannot be torn down under the section: its deactivation
 * waits for the sections in progress (svc/release.c). */
static inline struct rtm_rib *rtm__enter_read(RTM_ENTITY_HANDLE h, struct rtm_entity **caller)
{
	rtm__epoch_enter();
	struct rtm_entity *e = rtm__caller(h);
	struct rtm_rib *rib = e ? __atomic_load_n(&e->rib, __ATOMIC_ACQUIRE) : NULL;
	if (!rib) {
		rtm__epoch_exit();
		return NULL;
	}
	*caller = e;
	return rib;
}

/*
 * A lock-free read, whole: validates the caller, enters an epoch section,
 * runs read, leaves, and reaps what read left unreferenced after losing a
 * race (table/dest.h); a read that answers RTM_ENOMORE (its reap list full)
 * is run again after the reap.  Returns read's answer as a Win32 code, or
 * ERROR_INVALID_HANDLE for the caller's handle.
 */
typedef int (*rtm_read_fn)(struct rtm_rib *rib, struct rtm_entity *caller, void *arg,
			   struct rtm_reap_list *reap);
DWORD rtm__read(RTM_ENTITY_HANDLE h, rtm_read_fn read, void *arg);

/* Drops the RIB lock: the exit of rtm__enter.  It delivers nothing: a
 * reader's thread runs no other client's callback; a call that changed the
 * table delivers what it made due with rtm__notify_flush after leaving. */
static inline void rtm__leave(struct rtm_rib *rib)
{
	rtm__rib_unlock(rib);
}

/* The object a change is about, found under rib->lock (either mode):
 * returns 0 with *stripe set and *want true when the object has a stripe to
 * take, 0 with *want false when there is no object (the call creates one),
 * or an RTM_E* code. */
typedef int (*rtm_target_fn)(struct rtm_rib *rib, struct rtm_entity *caller, void *arg,
			     unsigned *stripe, bool *want);

struct rtm_change {
	struct rtm_rib *rib;
	struct rtm_entity *caller; /* NULL for a timer fire */
	HANDLE caller_h;           /* the handle the caller was validated from */
	unsigned stripe;
	bool want;                 /* a stripe is held for the target */
	bool taken;                /* ... and this call took it (it was not already held) */
};

/*
 * Enters a change of one object: finds the target under the shared lock,
 * takes its stripe, takes the exclusive lock, finds the target again and,
 * should its stripe have changed meanwhile (another call created or deleted
 * it), starts over with the new one.  The caller (when not NULL) is
 * re-validated each time.  Returns 0 with the exclusive lock and the stripe
 * held (leave with rtm__leave_change), or an error with nothing held.
 * c->rib must be set; c->caller (with c->caller_h) may be NULL (timer
 * fires).  A caller that knows the target's stripe without the table (a
 * change by key) sets c->want and c->stripe: the first look, under the
 * shared lock, is skipped.
 */
int rtm__enter_change(struct rtm_change *c, rtm_target_fn target, void *arg);
/* Drops the exclusive lock and the stripe; delivers what became due when
 * flush is true (a caller that delivers events first passes false and
 * flushes itself). */
void rtm__leave_change(struct rtm_change *c, bool flush);

/* api/control.c: opens the control socket RTMV2_CONTROL names, the first time. */
void rtm__control_env(void);

#endif
