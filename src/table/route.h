/*
 * route.h — routes: add, update, delete, expiry, information.
 */
#ifndef RTM_ROUTE_H
#define RTM_ROUTE_H

#include "rib.h"

/* The route named by h (live or dead), or NULL.  rib->lock held. */
struct rtm_route *rtm__route_lookup(struct rtm_rib *rib, HANDLE h);
/* Fills a client's RTM_ROUTE_INFO; with take_refs, every handle in it is
 * referenced (to be dropped by RtmReleaseRouteInfo). */
void rtm__route_fill_info(struct rtm_rib *rib, const struct rtm_route *route, PRTM_ROUTE_INFO out,
			  bool take_refs);
/* Releases the handles inside a route info filled with take_refs. */
int rtm__route_release_info(struct rtm_rib *rib, const RTM_ROUTE_INFO *info);
/* Does route match the RTM_MATCH_* criteria? */
bool rtm__route_matches(struct rtm_rib *rib, const struct rtm_route *route, RTM_MATCH_FLAGS flags,
			const RTM_ROUTE_INFO *criteria, ULONG ifindex);
/* Route ext, allocated on first need; NULL when out of memory. */
struct rtm_route_ext *rtm__route_ext(struct rtm_route *route);
/* Deletes all of e's routes and ends hold-downs of its routes (deregistration).
 * rib->lock exclusive. */
void rtm__routes_remove_owned(struct rtm_rib *rib, struct rtm_entity *e);

#endif
