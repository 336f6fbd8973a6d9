/*
 * routelist.h — client route lists as objects (the calls: api/list.c;
 * membership: table/route.c).
 */
#ifndef RTM_ROUTELIST_H
#define RTM_ROUTELIST_H

#include "rib.h"

struct rtm_enum;

/* The caller's live list named by h, or NULL.  rib->lock held. */
struct rtm_route_list *rtm__list_of_caller(struct rtm_rib *rib, struct rtm_entity *caller, HANDLE h);
/* Deletes a list: its routes leave it, its enumerations have nothing left to
 * return.  rib->lock exclusive. */
void rtm__list_delete(struct rtm_rib *rib, struct rtm_route_list *list);
/* The cleanup of a route-list enumeration (its fini). */
void rtm__list_enum_fini(struct rtm_rib *rib, struct rtm_enum *en);
/* Installs the lists' object class (lifetime.h).  Registry mutex. */
void rtm__list_class_init(void);
/* Deletes all of e's lists (deregistration).  rib->lock exclusive. */
void rtm__lists_remove_owned(struct rtm_rib *rib, struct rtm_entity *e);

#endif
