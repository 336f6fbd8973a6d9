/*
 * objects.h — freeing RIB objects, by type.
 *
 * Each module that owns a kind of handle-carrying object says here when one
 * of its objects may be freed and frees it.  rib.c dispatches on the object's
 * type; nobody else frees objects.  All of these run with rib->lock held
 * exclusive.
 */
#ifndef RTM_OBJECTS_H
#define RTM_OBJECTS_H

#include "rib.h"

/* A destination with no route, no hold-down route and no pending change. */
bool rtm__dest_is_empty(const struct rtm_dest *dest);

/* Frees obj when it has no references, is not queued for reaping, and its
 * type's condition holds (dead; for a dest, empty).  Returns true if freed. */
bool rtm__objects_try_free(struct rtm_rib *rib, struct rtm_obj *obj);

/* Frees every object left in the RIB (after its last entity left). */
void rtm__objects_free_all(struct rtm_rib *rib);

/* The per-type parts, implemented by their modules. */
bool rtm__dest_try_free(struct rtm_rib *rib, struct rtm_dest *dest);
void rtm__dest_free(struct rtm_rib *rib, struct rtm_dest *dest);
bool rtm__route_try_free(struct rtm_rib *rib, struct rtm_route *route);
void rtm__route_free(struct rtm_rib *rib, struct rtm_route *route);
bool rtm__nexthop_try_free(struct rtm_rib *rib, struct rtm_nexthop *nh);
void rtm__nexthop_free(struct rtm_rib *rib, struct rtm_nexthop *nh);
bool rtm__enum_try_free(struct rtm_rib *rib, struct rtm_obj *obj);
bool rtm__list_try_free(struct rtm_rib *rib, struct rtm_obj *obj);
bool rtm__notify_try_free(struct rtm_rib *rib, struct rtm_obj *obj);

#endif
