/*
 * lock.c — client lock stripes and the thread-local record of the objects a
 * thread holds locked and of the stripes those holds share (see lock.h).
 */
#include "lock.h"

#include "error.h"
#include "lifetime.h"
#include "nexthop.h"
#include "registry.h"
#include "route.h"
#include "trie.h"

#include <string.h>

/* Objects a thread may hold locked at once; a stripe is held for at least one
 * of them, so as many stripe entries always suffice. */
#define RTM_MAX_HELD 16u

struct held_stripe {
	const struct rtm_rib *rib;
	unsigned stripe;
	unsigned holds; /* object holds sharing it; 0 = entry free */
	bool exclusive; /* the mode its rwlock is held in */
};

/* A route lock lends its holder a client reference on each next hop (and
 * the neighbour) of the route, for the in-place protocol (api/route.c):
 * at most RTM_MAX_NEXTHOPS and one. */
#define RTM_MAX_LENT (RTM_MAX_NEXTHOPS + 1u)

struct held_obj {
	struct rtm_rib *rib;
	HANDLE h;
	HANDLE caller_h;    /* the registration that locked it (an unlock after it left) */
	unsigned stripe;
	unsigned shared;    /* holds asked shared */
	unsigned exclusive; /* holds asked exclusive; both 0 = entry free */
	bool loaned;        /* lent[] holds the references this hold lent */
	unsigned n_lent;
	HANDLE lent[RTM_MAX_LENT];
	bool spent[RTM_MAX_LENT]; /* released by the holder (the in-place protocol) */
};

static _Thread_local struct held_stripe tl_stripes[RTM_MAX_HELD];
static _Thread_local struct held_obj tl_objs[RTM_MAX_HELD];
static _Thread_local unsigned tl_loans; /* loans among tl_objs: 0 makes spend free */

/* Lent references a commit left to the owner (next hops it took out of the
 * route), not yet released: a release spends one of these before any loan
 * still held.  Only a record: the oldest is forgotten when it overflows. */
#define RTM_MAX_OWED 64u
static _Thread_local struct {
	const struct rtm_rib *rib;
	HANDLE h;
} tl_owed[RTM_MAX_OWED];
static _Thread_local unsigned tl_n_owed;

static unsigned mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return (unsigned)(h % RTM_STRIPES);
}

unsigned rtm__stripe_of_key(const uint8_t *key, unsigned nbytes, unsigned len)
{
	uint64_t h = 1469598103934665603ULL ^ len;
	for (unsigned i = 0; i < nbytes; i++)
		h = (h ^ key[i]) * 1099511628211ULL;
	return mix(h);
}

unsigned rtm__stripe_of_dest(const struct rtm_rib *rib, const struct rtm_dest *dest)
{
	return rtm__stripe_of_key(dest->node.key, rib->width / 8, dest->node.len);
}

unsigned rtm__stripe_of_slot(uint32_t slot)
{
	return mix(((uint64_t)slot << 3) | 0x5u);
}

unsigned rtm__stripe_of_obj(const struct rtm_obj *obj)
{
	return rtm__stripe_of_slot(obj->slot);
}

static struct held_stripe *find_stripe(const struct rtm_rib *rib, unsigned stripe)
{
	for (unsigned i = 0; i < RTM_MAX_HELD; i++)
		if (tl_stripes[i].holds && tl_stripes[i].rib == rib && tl_stripes[i].stripe == stripe)
			return &tl_stripes[i];
	return NULL;
}

/* The entry of object h. */
static struct held_obj *find_obj(const struct rtm_rib *rib, HANDLE h, HANDLE caller_h)
{
	for (unsigned i = 0; i < RTM_MAX_HELD; i++) {
		struct held_obj *o = &tl_objs[i];
		if ((o->shared || o->exclusive) && o->rib == rib && o->h == h && o->caller_h == caller_h)
			return o;
	}
	return NULL;
}

bool rtm__client_holds(const struct rtm_rib *rib, unsigned stripe)
{
	return find_stripe(rib, stripe) != NULL;
}

bool rtm__client_holds_obj(const struct rtm_rib *rib, HANDLE h, HANDLE caller_h, bool *exclusive)
{
	struct held_obj *o = h ? find_obj(rib, h, caller_h) : NULL;
	if (exclusive)
		*exclusive = o && o->exclusive;
	return o != NULL;
}

/* Takes a stripe, counted in rib->waiting_locks while it has to wait (for
 * rtm_get_stats: tests see a thread blocked on a client's lock). */
static void stripe_take(struct rtm_rib *rib, unsigned stripe, bool exclusive)
{
	pthread_rwlock_t *l = &rib->stripes[stripe];
	if ((exclusive ? pthread_rwlock_trywrlock(l) : pthread_rwlock_tryrdlock(l)) == 0)
		return;
	atomic_fetch_add_explicit(&rib->waiting_locks, 1, memory_order_relaxed);
	if (exclusive)
		pthread_rwlock_wrlock(l);
	else
		pthread_rwlock_rdlock(l);
	atomic_fetch_sub_explicit(&rib->waiting_locks, 1, memory_order_relaxed);
}

static int lock_obj(struct rtm_rib *rib, HANDLE h, unsigned stripe, bool exclusive, HANDLE caller_h)
{
	struct held_obj *o = find_obj(rib, h, caller_h);
	for (unsigned i = 0; !o && i < RTM_MAX_HELD; i++)
		if (!tl_objs[i].shared && !tl_objs[i].exclusive) {
			o = &tl_objs[i];
			o->rib = rib;
			o->h = h;
			o->caller_h = caller_h;
			o->stripe = stripe;
			o->loaned = false;
			o->n_lent = 0;
		}
	if (!o)
		return RTM_ENORES;
	struct held_stripe *s = find_stripe(rib, o->stripe);
	if (s) {
		/* Held already, for this object or another of the stripe.  Any hold
		 * nests in an exclusive one; an exclusive one inside a shared one
		 * would be an upgrade, which deadlocks with another reader. */
		if (exclusive && !s->exclusive)
			return RTM_EINVAL;
		s->holds++;
	} else {
		for (unsigned i = 0; !s && i < RTM_MAX_HELD; i++)
			if (!tl_stripes[i].holds)
				s = &tl_stripes[i];
		if (!s)
			return RTM_ENORES; /* cannot happen: see RTM_MAX_HELD */
		/* Counted first, then taken, then every change that took no
		 * stripe (it saw no client lock) is waited for: from here on each
		 * change takes its stripe (api/enter.c). */
		atomic_fetch_add_explicit(&rib->client_stripes, 1, memory_order_seq_cst);
		stripe_take(rib, o->stripe, exclusive);
		rtm__rib_rdlock(rib);
		rtm__rib_unlock(rib);
		s->rib = rib;
		s->stripe = o->stripe;
		s->exclusive = exclusive;
		s->holds = 1;
	}
	if (exclusive)
		o->exclusive++;
	else
		o->shared++;
	return 0;
}

static int unlock_obj(struct rtm_rib *rib, struct held_obj *o, bool exclusive)
{
	if (!o || !(exclusive ? o->exclusive : o->shared))
		return RTM_EINVAL;
	if (exclusive)
		o->exclusive--;
	else
		o->shared--;
	if (!o->shared && !o->exclusive && o->loaned) {
		/* Freed with its loan (the caller gave it back first, or the
		 * references stay the holder's). */
		o->loaned = false;
		o->n_lent = 0;
		tl_loans--;
	}
	struct held_stripe *s = find_stripe(rib, o->stripe);
	if (s && --s->holds == 0) {
		pthread_rwlock_unlock(&rib->stripes[s->stripe]);
		atomic_fetch_sub_explicit(&rib->client_stripes, 1, memory_order_seq_cst);
	}
	return 0;
}

int rtm__client_lock_obj(struct rtm_rib *rib, HANDLE h, unsigned stripe, bool exclusive, HANDLE caller_h)
{
	return h ? lock_obj(rib, h, stripe, exclusive, caller_h) : RTM_EHANDLE;
}

struct rtm_rib *rtm__client_stale_rib(HANDLE h, HANDLE caller_h)
{
	for (unsigned i = 0; h && i < RTM_MAX_HELD; i++) {
		struct held_obj *o = &tl_objs[i];
		if ((o->shared || o->exclusive) && o->h == h && o->caller_h == caller_h)
			return o->rib;
	}
	return NULL;
}

HANDLE rtm__client_hold_of(const struct rtm_rib *rib, HANDLE caller_h)
{
	for (unsigned i = 0; i < RTM_MAX_HELD; i++) {
		struct held_obj *o = &tl_objs[i];
		if ((o->shared || o->exclusive) && o->rib == rib && o->caller_h == caller_h)
			return o->h;
	}
	return NULL;
}

void rtm__client_unlock_all(struct rtm_rib *rib, HANDLE h, HANDLE caller_h)
{
	struct held_obj *o;
	while ((o = find_obj(rib, h, caller_h)) != NULL)
		unlock_obj(rib, o, o->exclusive != 0);
}

int rtm__client_unlock_obj(struct rtm_rib *rib, HANDLE h, bool exclusive, HANDLE caller_h)
{
	return unlock_obj(rib, h ? find_obj(rib, h, caller_h) : NULL, exclusive);
}

bool rtm__stripe_enter(struct rtm_rib *rib, unsigned stripe)
{
	if (find_stripe(rib, stripe))
		return false;
	stripe_take(rib, stripe, true);
	return true;
}

void rtm__stripe_leave(struct rtm_rib *rib, unsigned stripe, bool taken)
{
	if (taken)
		pthread_rwlock_unlock(&rib->stripes[stripe]);
}

bool rtm__stripe_try(struct rtm_rib *rib, unsigned stripe)
{
	return pthread_rwlock_trywrlock(&rib->stripes[stripe]) == 0;
}

bool rtm__stripe_enter_shared(struct rtm_rib *rib, unsigned stripe)
{
	if (find_stripe(rib, stripe))
		return false;
	stripe_take(rib, stripe, false);
	return true;
}

unsigned rtm__client_holds_count(const struct rtm_rib *rib, HANDLE h, HANDLE caller_h)
{
	struct held_obj *o = h ? find_obj(rib, h, caller_h) : NULL;
	return o ? o->shared + o->exclusive : 0;
}

int rtm__client_loan_set(const struct rtm_rib *rib, HANDLE h, HANDLE caller_h, const HANDLE *lent,
			  unsigned n)
{
	struct held_obj *o = h ? find_obj(rib, h, caller_h) : NULL;
	if (!o || o->loaned || n > RTM_MAX_LENT)
		return RTM_EINVAL;
	for (unsigned i = 0; i < n; i++) {
		o->lent[i] = lent[i];
		o->spent[i] = false;
	}
	o->n_lent = n;
	o->loaned = true;
	tl_loans++;
	return 0;
}

bool rtm__client_has_loan(const struct rtm_rib *rib, HANDLE h, HANDLE caller_h)
{
	if (!tl_loans)
		return false;
	struct held_obj *o = h ? find_obj(rib, h, caller_h) : NULL;
	return o && o->loaned;
}

void rtm__client_loan_owe(const struct rtm_rib *rib, HANDLE nexthop)
{
	if (tl_n_owed == RTM_MAX_OWED) {
		memmove(&tl_owed[0], &tl_owed[1], (RTM_MAX_OWED - 1) * sizeof(tl_owed[0]));
		tl_n_owed--;
	}
	tl_owed[tl_n_owed].rib = rib;
	tl_owed[tl_n_owed].h = nexthop;
	tl_n_owed++;
}

void rtm__client_loan_spend(const struct rtm_rib *rib, HANDLE nexthop)
{
	for (unsigned i = 0; i < tl_n_owed; i++)
		if (tl_owed[i].rib == rib && tl_owed[i].h == nexthop) {
			tl_owed[i] = tl_owed[--tl_n_owed];
			return;
		}
	if (!tl_loans)
		return;
	for (unsigned i = 0; i < RTM_MAX_HELD; i++) {
		struct held_obj *o = &tl_objs[i];
		if (!o->loaned || o->rib != rib || !(o->shared || o->exclusive))
			continue;
		for (unsigned k = 0; k < o->n_lent; k++)
			if (!o->spent[k] && o->lent[k] == nexthop) {
				o->spent[k] = true;
				return;
			}
	}
}

unsigned rtm__client_loan_take(const struct rtm_rib *rib, HANDLE h, HANDLE caller_h, HANDLE *out)
{
	struct held_obj *o = h ? find_obj(rib, h, caller_h) : NULL;
	if (!o || !o->loaned)
		return 0;
	unsigned n = 0;
	for (unsigned i = 0; i < o->n_lent; i++)
		if (!o->spent[i])
			out[n++] = o->lent[i];
	o->loaned = false;
	o->n_lent = 0;
	tl_loans--;
	return n;
}

void rtm__client_loan_give_back(struct rtm_rib *rib, HANDLE h, HANDLE caller_h)
{
	HANDLE lent[RTM_MAX_LENT];
	unsigned n = rtm__client_loan_take(rib, h, caller_h, lent);
	for (unsigned i = 0; i < n; i++) {
		struct rtm_nexthop *nh = rtm__nexthop_lookup(rib, lent[i]);
		if (nh && rtm__obj_client_refs(&nh->obj))
			rtm__obj_unref_locked(rib, &nh->obj);
	}
}
