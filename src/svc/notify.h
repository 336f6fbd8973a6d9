/*
 * notify.h — change-notification registrations as objects: the
 * RTM_CHANGE_NOTIFICATION signal, lookup, removal and freeing.  The queues
 * are table/changes.h; the calls are api/notify.c.
 */
#ifndef RTM_NOTIFY_H
#define RTM_NOTIFY_H

#include "changes.h"

/* Delivers the signals that became due (see rtm__notify_flush). */
void rtm__notify_deliver(struct rtm_rib *rib);

/* Delivers the RTM_CHANGE_NOTIFICATION callbacks that became due.  Called
 * with no lock held, after every call that may have queued changes; one
 * relaxed load when nothing is due. */
static inline void rtm__notify_flush(struct rtm_rib *rib)
{
	if (atomic_load_explicit(&rib->notify_due, memory_order_relaxed))
		rtm__notify_deliver(rib);
}

/* The caller's live registration named by h, or NULL.  rib->lock held. */
struct rtm_notify *rtm__notify_of_caller(struct rtm_rib *rib, struct rtm_entity *caller, HANDLE h);
/* The same found without the lock, inside an epoch section: the memory
 * stays for the section; whether it is still registered is n->obj.dead,
 * read holding n->drain. */
struct rtm_notify *rtm__notify_of_caller_optimistic(struct rtm_rib *rib, struct rtm_entity *caller, HANDLE h);
/* Takes n out of the RIB: its queue (with the references), its marks, its
 * index and pending signal, then frees it unless referenced.  rib->lock
 * exclusive. */
void rtm__notify_remove(struct rtm_rib *rib, struct rtm_notify *n);
/* Removes all of e's registrations (deregistration).  rib->lock exclusive. */
void rtm__notify_remove_owned(struct rtm_rib *rib, struct rtm_entity *e);
/* Forgets all registrations (RIB deactivation, after every object was
 * freed).  rib->lock exclusive. */
void rtm__notify_free_all(struct rtm_rib *rib);
/* Installs the registrations' object class (lifetime.h).  Registry mutex. */
void rtm__notify_class_init(void);

#endif
