/*
 * notify.c — change-notification registrations as objects (notify.h): the
 * RTM_CHANGE_NOTIFICATION signal, lookup, removal, freeing.  The essay on
 * queues and signals opens table/changes.c.
 */
#include "notify.h"

#include "alloc.h"
#include "entity.h"
#include "error.h"
#include "events.h"
#include "lifetime.h"
#include "registry.h"

#include <string.h>

/* ---- signals --------------------------------------------------------------- */

/* RIBs this thread is flushing (bit per RIB index): a flush reached from a
 * callback leaves the work to the outer one. */
static _Thread_local uint64_t tl_flushing[(RTM_HANDLE_MAX_RIBS + 63) / 64];

void rtm__notify_deliver(struct rtm_rib *rib)
{
	uint64_t mask = UINT64_C(1) << (rib->index % 64);
	uint64_t *word = &tl_flushing[rib->index / 64];
	if (*word & mask)
		return;
	*word |= mask;
	uint32_t due;
	while ((due = atomic_exchange_explicit(&rib->notify_due, 0, memory_order_acq_rel)) != 0) {
		struct {
			struct rtm_entity *owner;
			HANDLE handle;
			PVOID context;
		} sig[32];
		unsigned k = 0;
		rtm__rib_rdlock(rib);
		for (; due; due &= due - 1) {
			/* A registration removed (or replaced) since its bit was
			 * set gets no signal, or a harmless spurious one. */
			struct rtm_notify *n = rib->notify[__builtin_ctz(due)];
			if (!n)
				continue;
			rtm__entity_ref(n->owner);
			sig[k].owner = n->owner;
			sig[k].handle = rtm__rib_handle(rib, &n->obj);
			sig[k].context = n->context;
			k++;
		}
		rtm__rib_unlock(rib);
		for (unsigned i = 0; i < k; i++) {
			rtm__entity_deliver(sig[i].owner, RTM_CHANGE_NOTIFICATION, sig[i].handle,
					    sig[i].context, NULL);
			rtm__entity_unref(sig[i].owner);
		}
	}
	*word &= ~mask;
}

/* ---- registrations ----------------------------------------------------------- */

struct rtm_notify *rtm__notify_of_caller(struct rtm_rib *rib, struct rtm_entity *caller, HANDLE h)
{
	struct rtm_obj *obj = rtm__rib_lookup(rib, h, RTM_HT_NOTIFY);
	if (!obj || obj->dead)
		return NULL;
	struct rtm_notify *n = (struct rtm_notify *)obj;
	return n->owner == caller ? n : NULL;
}

static void notify_memory_free(void *p, void *unused)
{
	(void)unused;
	struct rtm_notify *n = p;
	pthread_mutex_destroy(&n->drain);
	rtm__free(n);
}

struct rtm_notify *rtm__notify_of_caller_optimistic(struct rtm_rib *rib, struct rtm_entity *caller, HANDLE h)
{
	struct rtm_notify *n = (struct rtm_notify *)rtm__rib_lookup_optimistic(rib, h, RTM_HT_NOTIFY);
	return n && n->owner == caller ? n : NULL;
}

static bool notify_try_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	if (!obj->dead || rtm__obj_refs(obj) ||
	    atomic_load_explicit(&obj->reap_pending, memory_order_relaxed))
		return false;
	rtm__handle_free(&rib->handles, obj);
	/* A drainer found it without the lock and may be waiting for its
	 * mutex: its memory waits for the epoch (its ring went already). */
	rtm__limbo_retire(&rib->limbo, obj, notify_memory_free, NULL);
	return true;
}

void rtm__notify_remove(struct rtm_rib *rib, struct rtm_notify *n)
{
	uint32_t bit = rtm__notify_bit(n);
	/* A drainer that waits for the mutex finds it dead, and the ring gone.
	 * The entries are taken off under the mutex and their pins dropped
	 * after it: an unpin may free a destination, and a free that finds no
	 * memory for the limbo waits for readers, a drainer among them. */
	pthread_mutex_lock(&n->drain);
	size_t slot = n->head_slot, left = n->tail - n->head, cap = n->cap;
	struct rtm_dest **ring = n->ring, *dest, *carried = n->carry;
	bool report;
	while (rtm__notify_pop(n, &dest, &report))
		; /* the slots keep the destinations */
	__atomic_store_n(&n->obj.dead, (uint8_t)1, __ATOMIC_RELEASE); /* read without the lock too */
	n->ring = NULL;
	n->cap = 0;
	pthread_mutex_unlock(&n->drain);
	if (carried)
		rtm__obj_unpin_locked(rib, &carried->obj);
	for (; left; left--) {
		rtm__obj_unpin_locked(rib, &ring[slot]->obj);
		if (++slot == cap)
			slot = 0;
	}
	rtm__free(ring);
	if (n->marked) {
		for (struct rtm_dest *d = rib->first_dest; d; d = d->next)
			if (d->ext)
				__atomic_fetch_and(&d->ext->marked, ~bit, __ATOMIC_RELAXED);
		n->marked = 0;
	}
	rib->notify[n->index] = NULL;
	rib->notify_used &= ~bit;
	atomic_fetch_and_explicit(&rib->notify_due, ~bit, memory_order_relaxed);
	rtm__notify_update_room(rib);
	rib->stats.notifies--;
	rtm__link_unlink(&n->owner_link);
	notify_try_free(rib, &n->obj);
}

void rtm__notify_remove_owned(struct rtm_rib *rib, struct rtm_entity *e)
{
	struct rtm_link *pos, *tmp;
	rtm_link_for_each_safe(pos, tmp, &e->notifies)
	{
		rtm__notify_remove(rib, rtm_container_of(pos, struct rtm_notify, owner_link));
	}
}

void rtm__notify_free_all(struct rtm_rib *rib)
{
	/* Every registration went with its owner; reset for the next life. */
	memset(rib->notify, 0, sizeof(rib->notify));
	rib->notify_used = 0;
	atomic_store_explicit(&rib->notify_due, 0, memory_order_relaxed);
	rib->notify_room = SIZE_MAX;
}

static const struct rtm_obj_class notify_class = { notify_try_free, NULL };

void rtm__notify_class_init(void)
{
	rtm__obj_class_set(RTM_HT_NOTIFY, &notify_class);
}
