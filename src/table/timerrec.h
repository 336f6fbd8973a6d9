/*
 * timerrec.h — timers of RIB objects (route expiry, hold-down).
 *
 * The timer service (timer.h) fires a struct rtm_timer on its own thread,
 * while the object the timer is for may be deleted or re-armed under the RIB
 * lock at the same moment.  So the timer does not live in the object: each
 * arming uses a small record {timer, handle of the object}.  The object points
 * to its current record; exactly one party frees a record:
 *
 *   - a cancel that takes it out of the heap (rtm__timer_cancel_nowait
 *     returned 1), or
 *   - the fire callback, once it holds the RIB lock.
 *
 * A cancel that finds the record already taken by the service thread (the
 * fire is on its way to the RIB lock) just forgets it: the object's pointer
 * is cleared, and the fire, finding that the object no longer points to its
 * record (or that the handle is stale), frees the record and does nothing
 * else.  No reference on the object is needed and cancel never waits, so it
 * is safe under the RIB lock, which the fire takes.
 */
#ifndef RTM_TIMERREC_H
#define RTM_TIMERREC_H

#include "rib.h"

struct rtm_timer_rec {
	struct rtm_timer timer;
	HANDLE handle; /* the object it is for */
};

/* Arms *slot for delay_ms (creating or replacing the record), calling fire on
 * expiry.  0, or RTM_ENOMEM with the previous arming kept.  rib->lock exclusive. */
int rtm__timerrec_arm(struct rtm_rib *rib, struct rtm_timer_rec **slot, HANDLE h, uint32_t delay_ms,
		      void (*fire)(struct rtm_timer *, void *));
/* Cancels *slot's arming, if any.  rib->lock exclusive. */
void rtm__timerrec_cancel(struct rtm_rib *rib, struct rtm_timer_rec **slot);
/* In a fire callback, rib->lock exclusive: true when rec is still *slot (the
 * arming was not cancelled or replaced); clears *slot then.  The caller frees
 * rec with rtm__timerrec_free in any case. */
bool rtm__timerrec_current(struct rtm_timer_rec **slot, struct rtm_timer_rec *rec);
void rtm__timerrec_free(struct rtm_timer_rec *rec);

#endif
