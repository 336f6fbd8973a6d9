/*
 * notify.h — change notification: per-registration queues of changed
 * destinations, marks, and the RTM_CHANGE_NOTIFICATION signal.
 */
#ifndef RTM_NOTIFY_H
#define RTM_NOTIFY_H

#include "dest.h"
#include "rib.h"

/* A destination changed as ch says: queue it for every registration that asked
 * for such a change.  rib->lock exclusive. */
void rtm__notify_changed(struct rtm_rib *rib, struct rtm_dest *dest, const struct rtm_dest_change *ch);
/* Delivers the RTM_CHANGE_NOTIFICATION callbacks that became due.  Called with
 * no lock held, after every call that may have queued changes. */
void rtm__notify_flush(struct rtm_rib *rib);
/* Removes all of e's registrations (deregistration).  rib->lock exclusive. */
void rtm__notify_remove_owned(struct rtm_rib *rib, struct rtm_entity *e);
/* Frees all registrations (RIB deactivation).  rib->lock exclusive. */
void rtm__notify_free_all(struct rtm_rib *rib);

#endif
