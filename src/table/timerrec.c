/*
 * timerrec.c — timer records of RIB objects (see timerrec.h).
 */
#include "timerrec.h"

#include "alloc.h"
#include "error.h"

int rtm__timerrec_arm(struct rtm_rib *rib, struct rtm_timer_rec **slot, HANDLE h, uint32_t delay_ms,
		      void (*fire)(struct rtm_timer *, void *))
{
	/* Allocated first, so that failing leaves the previous arming alone. */
	struct rtm_timer_rec *fresh = rtm__malloc(sizeof(*fresh));
	if (!fresh)
		return RTM_ENOMEM;
	struct rtm_timer_rec *old = *slot, *rec = fresh;
	if (old && rtm__timer_cancel_nowait(&rib->timers, &old->timer) == 1) {
		rec = old; /* back in our hands: reuse it */
	}
	if (rec == fresh) {
		rtm__timer_init(&fresh->timer, fire);
		fresh->handle = h;
	}
	if (rtm__timer_arm(&rib->timers, &rec->timer, delay_ms)) {
		if (rec == old) {
			/* Put the cancelled arming back as it was: the heap just gave
			 * up this entry, so re-arming it cannot need memory. */
			uint64_t now = rtm__timer_now_ms();
			uint64_t left = old->timer.deadline_ms > now ? old->timer.deadline_ms - now : 0;
			rtm__timer_arm(&rib->timers, &old->timer, (uint32_t)left);
		}
		rtm__free(fresh);
		return RTM_ENOMEM;
	}
	if (rec == old)
		rtm__free(fresh);
	*slot = rec; /* an old record in flight is now orphaned: its fire frees it */
	return 0;
}

void rtm__timerrec_cancel(struct rtm_rib *rib, struct rtm_timer_rec **slot)
{
	struct rtm_timer_rec *rec = *slot;
	if (!rec)
		return;
	*slot = NULL;
	if (rtm__timer_cancel_nowait(&rib->timers, &rec->timer) == 1)
		rtm__free(rec);
}

bool rtm__timerrec_current(struct rtm_timer_rec **slot, struct rtm_timer_rec *rec)
{
	if (*slot != rec)
		return false;
	*slot = NULL;
	return true;
}

void rtm__timerrec_free(struct rtm_timer_rec *rec)
{
	rtm__free(rec);
}
