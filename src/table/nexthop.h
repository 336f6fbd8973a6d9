/*
 * nexthop.h — next hops: each entity's sorted list, lookups, lifetime.
 */
#ifndef RTM_NEXTHOP_H
#define RTM_NEXTHOP_H

#include "rib.h"

/* The caller's next hop named by h (live, not deleted), or NULL.  rib->lock held. */
struct rtm_nexthop *rtm__nexthop_lookup(struct rtm_rib *rib, HANDLE h);
/* A route starts / stops naming nh (as a next hop or as its neighbour). */
void rtm__nexthop_route_ref(struct rtm_nexthop *nh);
void rtm__nexthop_route_unref(struct rtm_rib *rib, struct rtm_nexthop *nh);
/* Deletes all of e's next hops (deregistration).  rib->lock exclusive. */
void rtm__nexthops_remove_owned(struct rtm_rib *rib, struct rtm_entity *e);

#endif
