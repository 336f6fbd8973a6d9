/*
 * lock.h — the client-visible locks: RtmLockDestination, RtmLockRoute,
 * RtmLockNextHop.
 *
 * A client lock must be held across API calls and released by a later call,
 * so it cannot be the RIB lock (that would block every other client of the
 * RIB) and giving every destination its own lock would cost memory per
 * prefix.  Instead each RIB has RTM_STRIPES reader/writer locks; a
 * destination (and all its routes: "RtmLockRoute locks the entire
 * destination") maps to one stripe by a hash of its address, a next hop by a
 * hash of its slot.  Two objects may share a stripe; that only costs
 * contention.
 *
 * Who takes them: the Lock* calls, and every call that changes a
 * destination's routes (add, delete, update, expiry) or a next hop, which take
 * the stripe exclusively before the RIB lock unless the calling thread
 * already holds it (a thread-local record says so).  So a client holding a
 * destination lock knows nobody else changes that destination or its routes
 * until it unlocks, and the owner may edit a route in place through
 * RtmLockRoute's pointer.  Readers (queries, info calls) do not take stripes:
 * they read the committed state under the RIB lock, never a record a client
 * is editing.
 *
 * Lock order: stripe before rib->lock.  A thread may hold a few stripes at
 * once (RTM_MAX_HELD); clients are told to hold them briefly and one at a
 * time, as the documentation asks.
 */
#ifndef RTM_LOCK_H
#define RTM_LOCK_H

#include "rib.h"

unsigned rtm__stripe_of_key(const uint8_t *key, unsigned nbytes, unsigned len);
unsigned rtm__stripe_of_dest(const struct rtm_rib *rib, const struct rtm_dest *dest);
unsigned rtm__stripe_of_obj(const struct rtm_obj *obj);

/* Client lock / unlock.  unlock fails with RTM_EINVAL when this thread does
 * not hold the stripe in that mode; lock fails with RTM_ENORES when the thread
 * holds too many. */
int rtm__client_lock(struct rtm_rib *rib, unsigned stripe, bool exclusive);
int rtm__client_unlock(struct rtm_rib *rib, unsigned stripe, bool exclusive);
/* Does this thread hold the stripe in any mode? */
bool rtm__client_holds(const struct rtm_rib *rib, unsigned stripe);

/* For calls that change a destination or next hop: takes the stripe
 * exclusively unless this thread holds it already; returns whether it took
 * it, to be passed to rtm__stripe_leave. */
bool rtm__stripe_enter(struct rtm_rib *rib, unsigned stripe);
void rtm__stripe_leave(struct rtm_rib *rib, unsigned stripe, bool taken);

#endif
