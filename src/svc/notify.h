/*
 * notify.h — change notification: per-registration queues of changed
 * destinations, marks, and the RTM_CHANGE_NOTIFICATION signal.
 *
 * The rest of the library calls four things: rtm__notify_changed() for every
 * change it makes (under the exclusive lock), rtm__notify_flush() after
 * every call or timer action that may have made one (with no lock held),
 * rtm__notify_reserve() before creating a destination, and the cleanup
 * functions.  notify.c opens with the essay on the queues.
 */
#ifndef RTM_NOTIFY_H
#define RTM_NOTIFY_H

#include "dest.h"
#include "rib.h"

/* Queues dest for the registrations that asked for such a change. */
void rtm__notify_queue(struct rtm_rib *rib, struct rtm_dest *dest,
		       const struct rtm_dest_change *ch);
/* Delivers the signals that became due (see rtm__notify_flush). */
void rtm__notify_deliver(struct rtm_rib *rib);
/* Grows every queue to hold `dests` destinations; 0 or RTM_ENOMEM. */
int rtm__notify_grow(struct rtm_rib *rib, size_t dests);

/* A destination changed as ch says: queue it for every registration that
 * asked for such a change.  Never fails.  rib->lock exclusive.  Costs one
 * load when nobody is registered. */
static inline void rtm__notify_changed(struct rtm_rib *rib, struct rtm_dest *dest,
				       const struct rtm_dest_change *ch)
{
	if (rib->notify_used)
		rtm__notify_queue(rib, dest, ch);
}

/* Delivers the RTM_CHANGE_NOTIFICATION callbacks that became due.  Called
 * with no lock held, after every call that may have queued changes; one
 * relaxed load when nothing is due. */
static inline void rtm__notify_flush(struct rtm_rib *rib)
{
	if (atomic_load_explicit(&rib->notify_due, memory_order_relaxed))
		rtm__notify_deliver(rib);
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

/* Removes all of e's registrations (deregistration).  rib->lock exclusive. */
void rtm__notify_remove_owned(struct rtm_rib *rib, struct rtm_entity *e);
/* Entries in all the RIB's queues (statistics); rib->lock held. */
size_t rtm__notify_queued(const struct rtm_rib *rib);
/* Forgets all registrations (RIB deactivation, after every object was
 * freed).  rib->lock exclusive. */
void rtm__notify_free_all(struct rtm_rib *rib);

#endif
