/*
 * registry.h — the registry of RIBs, and the RIB lock.
 *
 * A RIB is one (RtmInstanceId, AddressFamily) pair, found or created under
 * the registry mutex when an entity registers, with its configuration read
 * each time it goes from no entity to one (registry.c).  RIB structs are
 * never freed: they hold the handle tables whose generations must outlive
 * stale handles.
 *
 * rib->lock is a reader/writer lock over all of a RIB's tables: queries,
 * info calls and releases take it shared, changes take it exclusive.  Where
 * it sits in the one lock order, and who takes it, is written in
 * api/enter.h; the table layer below never takes it (each of its functions
 * says which mode it needs).
 */
#ifndef RTM_REGISTRY_H
#define RTM_REGISTRY_H

#include "rib.h"

struct rtm_rib *rtm__rib_by_index(unsigned index);
/* Finds or creates the RIB for (instance, family), reading the configuration
 * when it is (re)activated.  Called with the registry mutex held.  0,
 * RTM_EINVAL (family), RTM_ENORES (127 pairs in use), RTM_ENOMEM, or a
 * configuration error (RTM_ENOFILE, RTM_EBADCONF; err says what). */
int rtm__rib_get(USHORT instance, USHORT family, struct rtm_rib **out, char *err, size_t errlen);
void rtm__registry_lock(void);
void rtm__registry_unlock(void);

static inline void rtm__rib_rdlock(struct rtm_rib *rib) { pthread_rwlock_rdlock(&rib->lock); }
static inline void rtm__rib_wrlock(struct rtm_rib *rib) { pthread_rwlock_wrlock(&rib->lock); }
static inline void rtm__rib_unlock(struct rtm_rib *rib) { pthread_rwlock_unlock(&rib->lock); }

#endif
