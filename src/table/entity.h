/*
 * entity.h — registered entities: the global entity slot table, handles,
 * references, caller checks.  (Event delivery: svc/events.h; the calls:
 * api/entity.c.)
 */
#ifndef RTM_ENTITY_H
#define RTM_ENTITY_H

#include "rib.h"

/* The entity named by h, registered or deregistered-but-referenced; NULL if h
 * names none.  Takes no lock: entity memory is never freed. */
struct rtm_entity *rtm__entity_from_handle(HANDLE h);
/* The handle naming e. */
RTM_ENTITY_HANDLE rtm__entity_handle(const struct rtm_entity *e);

/* Validates the caller's RtmRegHandle: a registered entity.  Returns NULL if not. */
struct rtm_entity *rtm__caller(RTM_ENTITY_HANDLE h);

/* Is e registered (its state changes under rib->lock exclusive, so the
 * answer holds while the lock is held)? */
static inline bool rtm__entity_live(const struct rtm_entity *e)
{
	return atomic_load_explicit(&e->state, memory_order_relaxed) == RTM_ENT_LIVE;
}

/* After taking caller->rib->lock: is the caller, validated lock-free from
 * handle h, still the registered entity h names?  The lock makes the answer
 * stick until it is dropped.  The handle is compared too: should the entity
 * have deregistered and a newcomer taken its slot meanwhile, the slot is
 * live again, but under another generation, and a stale handle must not act
 * as the newcomer. */
static inline bool rtm__caller_still_valid(const struct rtm_entity *e, HANDLE h)
{
	return rtm__entity_live(e) && rtm__entity_handle(e) == h;
}

/* Internal references on an entity (its routes, its next hops, event
 * deliveries in flight): they keep its slot, and so its handle, valid. */
void rtm__entity_ref(struct rtm_entity *e);
void rtm__entity_unref(struct rtm_entity *e);
void rtm__entity_unref_n(struct rtm_entity *e, unsigned n);
/* References on entity handles given to clients (RtmGetRegisteredEntities,
 * DestInfo.Owner, RouteOwner, NextHopOwner, RtmReferenceHandles).  Counted
 * apart as well, so that a release without a matching handle is refused
 * rather than taking an internal reference — or the registration's own —
 * away.  A release is two steps, so that a call releasing many handles can
 * check them all first: claim_client takes one client reference of the
 * entity h names (if it belongs to rib and has one left; NULL otherwise)
 * away from the clients' share, leaving the reference itself in place; then
 * rtm__entity_unref drops it, or unclaim_client gives the claim back.  The
 * _n forms give, claim (all n or none) and drop n references in one atomic
 * step each. */
void rtm__entity_ref_client(struct rtm_entity *e);
void rtm__entity_ref_client_n(struct rtm_entity *e, unsigned n);
struct rtm_entity *rtm__entity_claim_client(struct rtm_rib *rib, HANDLE h);
struct rtm_entity *rtm__entity_claim_client_n(struct rtm_rib *rib, HANDLE h, unsigned n);
void rtm__entity_unclaim_client(struct rtm_entity *e);
/* Gives the client one more reference to the entity h names in rib, safely
 * against h going stale meanwhile; NULL (nothing changed) if it does not
 * name one.  Undone by rtm__entity_claim_client + rtm__entity_unref. */
struct rtm_entity *rtm__entity_ref_client_handle(struct rtm_rib *rib, HANDLE h);
/* Client references to entity handles counted by the calling thread (the
 * lock-free queries' owners; entity.c): give one; claim n back (true), or
 * false when this thread's count cannot meet them (then use
 * claim_client_n, which also finds other threads' counts); give a claim
 * back.  A claim made here is whole: no rtm__entity_unref follows it. */
void rtm__entity_ref_client_local(struct rtm_entity *e);
bool rtm__entity_claim_client_local(struct rtm_entity *e, HANDLE h, unsigned n);
void rtm__entity_unclaim_client_local(struct rtm_entity *e, HANDLE h, unsigned n);
/* Takes back one reference this thread just gave with ref_client_local
 * (a lock-free reader that lost a race), wherever it was counted. */
void rtm__entity_unref_client_local(struct rtm_entity *e);

/* The entity named by h if it belongs to rib (registered, or deregistered but
 * still referenced); NULL otherwise.  Entity handles are per instance and
 * address family, like all others. */
struct rtm_entity *rtm__entity_of_rib(struct rtm_rib *rib, HANDLE h);

/* A fresh slot from the table (registration path): 0, RTM_ENOMEM (a chunk
 * could not be allocated) or RTM_ENORES (all slots hold entities, registered
 * or still referenced).  The slot is the caller's to fill and publish under
 * its cb_mutex. */
int rtm__entity_slot_alloc(struct rtm_entity **out);

/* The entity h names if it belongs to rib and is not free (live_only: still
 * registered), with its cb_mutex held; NULL, and no lock held, otherwise.
 * The generation is compared under the mutex, where it cannot move on, so a
 * stale handle never reads a newcomer's information or methods. */
struct rtm_entity *rtm__entity_lock(struct rtm_rib *rib, HANDLE h, bool live_only);

#endif
