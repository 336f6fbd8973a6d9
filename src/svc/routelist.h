/*
 * routelist.h — client route lists (RtmCreateRouteList and friends).
 */
#ifndef RTM_ROUTELIST_H
#define RTM_ROUTELIST_H

#include "rib.h"

struct rtm_route_list {
	struct rtm_obj obj;
	struct rtm_entity *owner;
	struct rtm_link owner_link;  /* in owner->lists */
	struct rtm_link items;       /* routes (rtm_route_ext.list_link) and enumeration cursors */
	size_t count;
};

/* The caller's live list named by h, or NULL.  rib->lock held. */
struct rtm_route_list *rtm__list_lookup(struct rtm_rib *rib, struct rtm_entity *caller, HANDLE h);
/* Moves route (which has an ext) into list, or out of any list when list is
 * NULL.  rib->lock exclusive. */
void rtm__list_move(struct rtm_route *route, struct rtm_route_list *list);
/* Deletes all of e's lists (deregistration).  rib->lock exclusive. */
void rtm__lists_remove_owned(struct rtm_rib *rib, struct rtm_entity *e);

#endif
