/*
 * lifetime.h — when a RIB object is freed, by type.
 *
 * Every object a client can name carries a struct rtm_obj: a client count
 * (crefs), an internal one (pins), `dead` (unlinked from the table) and
 * `reap_pending` (release.c's claim to free it).  An object is freed when
 * both counts are zero, it is not claimed for reaping, and its type says it
 * may go (dead; for a destination, empty).  Each type says that, and frees,
 * through its class: a try_free hook.  The table's own types (destinations,
 * routes, next hops) have theirs here; the service layer's (enumerations,
 * route lists, notification registrations) register theirs once
 * (rtm__obj_class_set), so this file names no type above the table.
 *
 * Everything here runs with rib->lock held exclusive.
 */
#ifndef RTM_LIFETIME_H
#define RTM_LIFETIME_H

#include "rib.h"

struct rtm_obj_class {
	/* Frees obj when nothing keeps it (see above); true if freed. */
	bool (*try_free)(struct rtm_rib *rib, struct rtm_obj *obj);
	/* Frees obj whatever keeps it, touching no other object (the RIB's
	 * deactivation sweeps them all, routes first); NULL: try_free after
	 * marking it dead. */
	void (*sweep_free)(struct rtm_rib *rib, struct rtm_obj *obj);
};

/* A RIB's tables and the memory they live in: the handle table, the trie,
 * the arenas of destinations, routes and next hops, the trie's pool of
 * branch nodes,
 * and the limbo where what lock-free readers may still see waits
 * (epoch.h).  init on a zeroed RIB whose width is set; release_memory once
 * the RIB holds no object (its deactivation): waits for readers and frees
 * what waits, keeping the arenas' and the trie pool's chunks for the RIB's next
 * life (as malloc keeps a heap: a table loaded again runs warm); fini
 * gives everything back (a RIB made by a test). */
void rtm__rib_tables_init(struct rtm_rib *rib);
void rtm__rib_tables_release_memory(struct rtm_rib *rib);
void rtm__rib_tables_fini(struct rtm_rib *rib);

/* Installs the class of a type above the table (RTM_HT_ENUM, _LIST,
 * _NOTIFY).  Idempotent; called under the registry mutex. */
void rtm__obj_class_set(unsigned type, const struct rtm_obj_class *cls);

/* Frees obj through its class if nothing keeps it; true if freed. */
bool rtm__obj_try_free(struct rtm_rib *rib, struct rtm_obj *obj);
/* Frees obj through its class, whatever keeps it, touching no other object
 * (the deactivation's sweep). */
void rtm__obj_sweep_free(struct rtm_rib *rib, struct rtm_obj *obj);
/* Would obj be freed once unreferenced (dead, or an empty destination)? */
bool rtm__obj_needs_reap(struct rtm_obj *obj);

/* rtm__obj_needs_reap read without rib->lock, by a lock-free release: may be
 * wrong either way while a writer changes obj, so a true answer is only a
 * reason to look again under the lock.  Writers that make an object
 * freeable check its references after a full fence (rtm__route_try_free,
 * rtm__dest_try_free), so a release that claimed the last reference first
 * and then reads false here has left the free to the writer. */
bool rtm__obj_may_need_reap(const struct rtm_obj *obj);
/* Frees obj, claimed for reaping by this thread (obj.reap_pending), if it is
 * still unreferenced. */
void rtm__obj_reap(struct rtm_rib *rib, struct rtm_obj *obj);
/* Drop one client reference (rtm__obj_unref) or one internal one
 * (rtm__obj_unpin), freeing the object when that was the last reference and
 * it is freeable. */
void rtm__obj_unref_locked(struct rtm_rib *rib, struct rtm_obj *obj);
void rtm__obj_unpin_locked(struct rtm_rib *rib, struct rtm_obj *obj);

#endif
