/*
 * nhlist.h — next-hop lists shared by routes (nhlist.c).  rib->lock
 * exclusive for everything here.
 */
#ifndef RTM_NHLIST_H
#define RTM_NHLIST_H

#include "rib.h"

/* The list of no next hop: every route starts with it; never freed. */
extern struct rtm_nh_list rtm__nhlist_none;

/* The list of these n next hops, in this order, with a route's reference
 * taken: found, or made (n 0: the empty list).  NULL when out of memory,
 * and nothing changed. */
struct rtm_nh_list *rtm__nhlist_get(struct rtm_rib *rib, struct rtm_nexthop *const *nh, unsigned n);
/* Drops a route's reference to l; the last one frees it (through the
 * limbo: lock-free readers of a route read it). */
void rtm__nhlist_put(struct rtm_rib *rib, struct rtm_nh_list *l);
/* Frees the table of lists (every list is gone with its routes). */
void rtm__nhlists_fini(struct rtm_rib *rib);

#endif
