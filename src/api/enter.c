/*
 * enter.c — rtm__enter_change (enter.h): the change protocol, written once
 * for every call and timer fire that changes one destination or next hop.
 */
#include "enter.h"

#include "dest.h"
#include "error.h"

DWORD rtm__read(RTM_ENTITY_HANDLE h, rtm_read_fn read, void *arg)
{
	struct rtm_reap_list reap = { 0 };
	int err;
	do {
		struct rtm_entity *caller;
		struct rtm_rib *rib = rtm__enter_read(h, &caller);
		if (!rib)
			return ERROR_INVALID_HANDLE;
		err = read(rib, caller, arg, &reap);
		rtm__epoch_exit();
		rtm__rib_reap_list(rib, &reap);
	} while (err == RTM_ENOMORE);
	return rtm__win32(err);
}

static int find(struct rtm_change *c, rtm_target_fn target, void *arg, unsigned *stripe, bool *want)
{
	if (c->caller && !rtm__caller_still_valid(c->caller, c->caller_h))
		return RTM_EHANDLE;
	*want = false;
	*stripe = 0;
	return target(c->rib, c->caller, arg, stripe, want);
}

static void unlock_both(struct rtm_change *c)
{
	rtm__rib_unlock(c->rib);
	if (c->want)
		rtm__stripe_leave(c->rib, c->stripe, c->taken);
}

/* No client holds a lock in the RIB: the change needs no stripe.  A client
 * that takes one meanwhile counts itself first and then waits for the RIB
 * lock (svc/lock.c), so it cannot slip in under this change. */
static bool no_client_locks(struct rtm_rib *rib)
{
	return atomic_load_explicit(&rib->client_stripes, memory_order_seq_cst) == 0;
}

int rtm__enter_change(struct rtm_change *c, rtm_target_fn target, void *arg)
{
	int err;
	c->taken = false;
	if (no_client_locks(c->rib)) {
		rtm__rib_wrlock(c->rib);
		if (no_client_locks(c->rib)) {
			unsigned stripe;
			bool want;
			c->want = false;
			err = find(c, target, arg, &stripe, &want);
			if (err)
				rtm__rib_unlock(c->rib);
			return err;
		}
		rtm__rib_unlock(c->rib);
	}
	if (c->want) {
		/* The caller knows the stripe without looking at the table (a
		 * change by key): no look under the shared lock first. */
	} else {
		c->stripe = 0;
		rtm__rib_rdlock(c->rib);
		err = find(c, target, arg, &c->stripe, &c->want);
		rtm__rib_unlock(c->rib);
		if (err)
			return err;
	}
	for (;;) {
		c->taken = c->want && rtm__stripe_enter(c->rib, c->stripe);
		rtm__rib_wrlock(c->rib);
		unsigned stripe;
		bool want;
		err = find(c, target, arg, &stripe, &want);
		if (err) {
			unlock_both(c);
			return err;
		}
		/* The stripe held is the target's, or the target needs none. */
		if (!want || (c->want && stripe == c->stripe))
			return 0;
		unlock_both(c);
		c->want = true;
		c->stripe = stripe;
	}
}

void rtm__leave_change(struct rtm_change *c, bool flush)
{
	unlock_both(c);
	if (flush)
		rtm__notify_flush(c->rib);
}
