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
 * Who takes them: the Lock* calls, and every client call that changes a
 * destination's routes (add, delete, update, route expiry) or a next hop
 * (RtmAddNextHop's update, RtmDeleteNextHop), which take the stripe
 * exclusively before the RIB lock unless the calling thread already holds it
 * (a thread-local record says so).  So while a client holds a lock, no other
 * client's call changes that destination, its routes or that next hop, and
 * the owner may edit a route or next hop in place through the pointer.
 * The timers do the same (route expiry, the end of a hold-down).
 * The deregistration of an entity takes them too, one at a time (api/entity.c:
 * teardown), and the locks its own thread holds count as taken.  Readers
 * (queries, info calls) do not take
 * stripes: they read the committed state under the RIB lock, never a record
 * a client is editing (RtmGetNextHopInfo, whose record the owner edits in
 * place, reads under the stripe shared).
 *
 * Since any object may be deleted, and freed, while a thread holds it locked,
 * the record keeps the stripe of each locked object by its handle: unlocking
 * needs nothing but the handle.
 *
 * Order: stripe before rib->lock (api/enter.h).  A thread may hold a few stripes at
 * once (RTM_MAX_HELD); clients are told to hold them briefly and one at a
 * time, as the documentation asks.
 */
#ifndef RTM_LOCK_H
#define RTM_LOCK_H

#include "rib.h"

unsigned rtm__stripe_of_key(const uint8_t *key, unsigned nbytes, unsigned len);
unsigned rtm__stripe_of_dest(const struct rtm_rib *rib, const struct rtm_dest *dest);
unsigned rtm__stripe_of_obj(const struct rtm_obj *obj);
/* The same from a handle's slot number (rtm__handle_decode). */
unsigned rtm__stripe_of_slot(uint32_t slot);

/*
 * Client lock / unlock of one object, named by its handle h, on its stripe,
 * for the registration caller_h.  The record is per thread and per
 * (object, registration): two registrations served by one thread hold the
 * same object apart (the stripe's rwlock, per thread, is shared by them).
 *
 * The thread-local record has two tables.  Per object: the handle, its stripe
 * and how often this thread holds it shared and exclusive.  Per stripe: the
 * mode its rwlock is held in and how many object holds share it; the rwlock
 * is taken with the first hold and released with the last.  So lock, unlock
 * and RtmUpdateAndUnlockRoute match per object: unlocking or committing an
 * object this thread never locked fails even when its stripe is held for
 * another object, and a stripe held for two objects stays held until both
 * are unlocked.
 *
 * lock: RTM_EINVAL when exclusive is asked while this thread holds the stripe
 * shared (for this object or for another that shares the stripe: the upgrade
 * would deadlock); RTM_ENORES when the thread holds RTM_MAX_HELD objects.
 * unlock: needs nothing but the handle (the record keeps the stripe), so it
 * works after the object was deleted or even freed; RTM_EINVAL when this
 * thread holds no lock on h in that mode.
 */
int rtm__client_lock_obj(struct rtm_rib *rib, HANDLE h, unsigned stripe, bool exclusive,
			 HANDLE caller_h);
/* Holds outliving their registration.  stale_rib: the RIB of this thread's
 * hold on h taken by the registration caller_h, or NULL (an unlock by a
 * client whose entity deregistered meanwhile: its record still names the
 * lock).  hold_of: an object this thread holds locked for caller_h in rib,
 * or NULL.  unlock_all: releases every hold of this thread on h. */
struct rtm_rib *rtm__client_stale_rib(HANDLE h, HANDLE caller_h);
HANDLE rtm__client_hold_of(const struct rtm_rib *rib, HANDLE caller_h);
void rtm__client_unlock_all(struct rtm_rib *rib, HANDLE h, HANDLE caller_h);
int rtm__client_unlock_obj(struct rtm_rib *rib, HANDLE h, bool exclusive, HANDLE caller_h);
/* Does this thread hold a lock on h?  *exclusive (may be NULL) receives
 * whether one of its holds is exclusive, the mode to unlock first. */
bool rtm__client_holds_obj(const struct rtm_rib *rib, HANDLE h, HANDLE caller_h, bool *exclusive);

/* How many holds this thread has on h (shared and exclusive). */
unsigned rtm__client_holds_count(const struct rtm_rib *rib, HANDLE h, HANDLE caller_h);

/*
 * The loan of a route lock (api/route.c): the client references on the
 * route's next hops that this thread's hold lent it, kept with the hold.
 * set: RTM_EINVAL when h is not held or already has a loan.  spend: the
 * holder released (or deleted through) one of them, nexthop, with
 * RtmReleaseNextHops or RtmDeleteNextHop: one unspent entry of this
 * thread's loans in rib that names it is marked spent.  take: the unspent
 * lent handles (at most RTM_MAX_NEXTHOPS + 1) into out, and the loan is
 * gone; 0 when there was none.
 */
int rtm__client_loan_set(const struct rtm_rib *rib, HANDLE h, HANDLE caller_h, const HANDLE *lent,
			  unsigned n);
bool rtm__client_has_loan(const struct rtm_rib *rib, HANDLE h, HANDLE caller_h);
void rtm__client_loan_spend(const struct rtm_rib *rib, HANDLE nexthop);
/* A commit left the owner the lent reference on nexthop (a next hop it took
 * out): its release spends that, not another route's loan. */
void rtm__client_loan_owe(const struct rtm_rib *rib, HANDLE nexthop);
unsigned rtm__client_loan_take(const struct rtm_rib *rib, HANDLE h, HANDLE caller_h, HANDLE *out);
/* Takes the loan of h and gives back its unspent references.  rib->lock
 * exclusive. */
void rtm__client_loan_give_back(struct rtm_rib *rib, HANDLE h, HANDLE caller_h);

/* Does this thread hold the stripe, for any object, in any mode? */
bool rtm__client_holds(const struct rtm_rib *rib, unsigned stripe);

/* For calls that change a destination or next hop: takes the stripe
 * exclusively unless this thread holds it already; returns whether it took
 * it, to be passed to rtm__stripe_leave. */
bool rtm__stripe_enter(struct rtm_rib *rib, unsigned stripe);
/* Takes the stripe exclusively if nobody holds it; never waits.  true when
 * taken (release with rtm__stripe_leave(rib, stripe, true)). */
bool rtm__stripe_try(struct rtm_rib *rib, unsigned stripe);
/* The same, shared (a reader of a record its owner edits in place). */
bool rtm__stripe_enter_shared(struct rtm_rib *rib, unsigned stripe);
void rtm__stripe_leave(struct rtm_rib *rib, unsigned stripe, bool taken);

#endif
