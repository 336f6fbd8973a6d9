/*
 * lock.c — client lock stripes and the thread-local record of held stripes
 * (see lock.h).
 */
#include "lock.h"

#include "error.h"
#include "trie.h"

#define RTM_MAX_HELD 16u

struct held {
	const struct rtm_rib *rib;
	unsigned stripe;
	unsigned shared;    /* shared holds (rdlock is recursive) */
	unsigned exclusive; /* nested exclusive holds (one write lock) */
};

static _Thread_local struct held tl_held[RTM_MAX_HELD];

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

unsigned rtm__stripe_of_obj(const struct rtm_obj *obj)
{
	return mix(((uint64_t)obj->slot << 3) | 0x5u);
}

static struct held *find(const struct rtm_rib *rib, unsigned stripe)
{
	for (unsigned i = 0; i < RTM_MAX_HELD; i++)
		if (tl_held[i].rib == rib && tl_held[i].stripe == stripe &&
		    (tl_held[i].shared || tl_held[i].exclusive))
			return &tl_held[i];
	return NULL;
}

static struct held *slot_for(const struct rtm_rib *rib, unsigned stripe)
{
	struct held *h = find(rib, stripe);
	if (h)
		return h;
	for (unsigned i = 0; i < RTM_MAX_HELD; i++)
		if (!tl_held[i].shared && !tl_held[i].exclusive) {
			tl_held[i].rib = rib;
			tl_held[i].stripe = stripe;
			return &tl_held[i];
		}
	return NULL;
}

bool rtm__client_holds(const struct rtm_rib *rib, unsigned stripe)
{
	return find(rib, stripe) != NULL;
}

int rtm__client_lock(struct rtm_rib *rib, unsigned stripe, bool exclusive)
{
	struct held *h = slot_for(rib, stripe);
	if (!h)
		return RTM_ENORES;
	if (h->exclusive) {
		/* Held exclusively by this thread (maybe for another object of the
		 * same stripe): nest without touching the lock. */
		h->exclusive++;
		return 0;
	}
	if (h->shared) {
		/* A shared hold nests; an upgrade to exclusive would deadlock. */
		if (exclusive)
			return RTM_EINVAL;
		pthread_rwlock_rdlock(&rib->stripes[stripe]);
		h->shared++;
		return 0;
	}
	if (exclusive) {
		pthread_rwlock_wrlock(&rib->stripes[stripe]);
		h->exclusive = 1;
	} else {
		pthread_rwlock_rdlock(&rib->stripes[stripe]);
		h->shared = 1;
	}
	return 0;
}

int rtm__client_unlock(struct rtm_rib *rib, unsigned stripe, bool exclusive)
{
	struct held *h = find(rib, stripe);
	if (!h)
		return RTM_EINVAL;
	if (h->exclusive) {
		/* Every hold nested inside an exclusive one shares its write lock. */
		if (--h->exclusive)
			return 0;
	} else if (!exclusive && h->shared) {
		h->shared--;
	} else {
		return RTM_EINVAL;
	}
	pthread_rwlock_unlock(&rib->stripes[stripe]);
	return 0;
}

bool rtm__stripe_enter(struct rtm_rib *rib, unsigned stripe)
{
	if (find(rib, stripe))
		return false;
	pthread_rwlock_wrlock(&rib->stripes[stripe]);
	return true;
}

void rtm__stripe_leave(struct rtm_rib *rib, unsigned stripe, bool taken)
{
	if (taken)
		pthread_rwlock_unlock(&rib->stripes[stripe]);
}
