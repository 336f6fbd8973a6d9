/*
 * changes.h — the change queues of change notification: per-registration
 * queues of changed destinations, filled inside the commit of every change.
 *
 * The table calls rtm__notify_changed() for every change it makes (under the
 * exclusive lock) and rtm__notify_reserve() before creating a destination;
 * queueing never allocates, so a commit cannot fail.  The signal that a
 * queue became non-empty is delivered by svc/notify.c; changes.c opens with
 * the essay on the queues.
 */
#ifndef RTM_CHANGES_H
#define RTM_CHANGES_H

#include "dest.h"
#include "rib.h"

#define RTM_CHANGE_TYPES (RTM_CHANGE_TYPE_ALL | RTM_CHANGE_TYPE_BEST | RTM_CHANGE_TYPE_FORWARDING)

/* A change-notification registration (RtmRegisterForChangeNotification). */
struct rtm_notify {
	struct rtm_obj obj;
	struct rtm_entity *owner;
	struct rtm_link owner_link;  /* in owner->notifies */
	unsigned index;              /* its bit in the per-destination masks */
	RTM_NOTIFY_FLAGS flags;
	RTM_VIEW_SET views;          /* views whose changes count */
	RTM_VIEW_SET info_views;     /* TargetViews as given: the ViewInfo of each entry */
	unsigned n_info_views;       /* ViewInfo entries per RTM_DEST_INFO */
	PVOID context;               /* NotifyContext */
	/* The queue: cap slots holding the entries [head, tail), indexes that
	 * only grow (their slots: index % cap).  Writers push under rib->lock
	 * exclusive; a drainer pops holding drain and no RIB lock; what changes
	 * both ends (resizing the ring, removing the registration) holds both,
	 * rib->lock first (changes.c). */
	struct rtm_dest **ring;
	size_t cap;
	size_t head;                 /* atomic; the drainer's */
	size_t tail;                 /* atomic; the writers' */
	size_t head_slot, tail_slot; /* head % cap and tail % cap, each side's own (no division) */
	/* An entry a drain took off but could not report yet (its information
	 * could not be read before the drain had to pause): the head of the
	 * queue, ahead of the ring, with the entry's pin.  The drain's. */
	struct rtm_dest *carry;
	long visible;                /* atomic: entries not ignored (a moment at -1: changes.c) */
	pthread_mutex_t drain;       /* a leaf */
	size_t marked;               /* destinations it marked (an upper bound) */
};

/* Entries in n's queue. */
static inline size_t rtm__notify_count(const struct rtm_notify *n)
{
	size_t head = __atomic_load_n(&n->head, __ATOMIC_ACQUIRE);
	return __atomic_load_n(&n->tail, __ATOMIC_ACQUIRE) - head +
	       (__atomic_load_n(&n->carry, __ATOMIC_RELAXED) != NULL);
}

static inline uint32_t rtm__notify_bit(const struct rtm_notify *n)
{
	return UINT32_C(1) << n->index;
}

/* Queues dest for the registrations that asked for such a change. */
void rtm__notify_queue(struct rtm_rib *rib, struct rtm_dest *dest,
		       const struct rtm_dest_change *ch);
/* Grows every queue to hold `dests` destinations; 0 or RTM_ENOMEM. */
int rtm__notify_grow(struct rtm_rib *rib, size_t dests);
/* The ring capacity for a table of `dests` destinations (half as much again,
 * at least a minimum). */
size_t rtm__notify_ring_target(size_t dests);
/* Gives n's ring exactly cap slots (cap >= its count), keeping its order:
 * 0 or RTM_ENOMEM (nothing changed).  rib->lock exclusive and n->drain. */
int rtm__notify_ring_resize(struct rtm_notify *n, size_t cap);
/* Recomputes the smallest ring capacity (SIZE_MAX with no registration). */
void rtm__notify_update_room(struct rtm_rib *rib);
/* Takes the head entry off n's queue, holding n->drain (no RIB lock
 * needed): false when it is empty; else *dest, and *report false when the
 * entry was ignored.  The caller drops the entry's pin (after using the
 * destination). */
bool rtm__notify_pop(struct rtm_notify *n, struct rtm_dest **dest, bool *report);
/* Puts back dest, just popped for a report the drain could not make: it is
 * queued again, at the head (n->carry), with the pin it had.  n->drain. */
void rtm__notify_carry(struct rtm_notify *n, struct rtm_dest *dest);
/* RtmIgnoreChangedDests of dest for n: rib->lock exclusive and n->drain. */
void rtm__notify_ignore(struct rtm_notify *n, struct rtm_dest *dest);
/* Is dest queued for n, and not ignored?  Any lock, or none. */
bool rtm__notify_is_queued(const struct rtm_notify *n, const struct rtm_dest *dest);
/* Is dest marked for n?  Any lock, or none (marks change with atomic
 * read-modify-writes under rib->lock exclusive). */
bool rtm__notify_is_marked(const struct rtm_notify *n, const struct rtm_dest *dest);

/* A destination changed as ch says: queue it for every registration that
 * asked for such a change.  Never fails.  rib->lock exclusive.  Costs one
 * load when nobody is registered. */
static inline void rtm__notify_changed(struct rtm_rib *rib, struct rtm_dest *dest,
				       const struct rtm_dest_change *ch)
{
	if (rib->notify_used)
		rtm__notify_queue(rib, dest, ch);
}

/* Makes sure every registration's queue can hold `dests` destinations, so
 * that queueing a change never allocates.  Called before a destination is
 * created, with dests = the number there will then be.  0, or RTM_ENOMEM
 * (nothing changed that matters: queues that grew stay grown).
 * rib->lock exclusive. */
static inline int rtm__notify_reserve(struct rtm_rib *rib, size_t dests)
{
	return dests <= rib->notify_room ? 0 : rtm__notify_grow(rib, dests);
}

/* Entries in all the RIB's queues (statistics); rib->lock held (a drain may
 * be taking some off meanwhile). */
size_t rtm__notify_queued(const struct rtm_rib *rib);

#endif
