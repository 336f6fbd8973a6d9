/*
 * enum.h — enumeration handles (destinations, routes, next hops, route
 * lists).  One handle type (RTM_HT_ENUM) for all four kinds; the kind is in
 * the object, so RtmDeleteEnumHandle serves every kind and a handle of one
 * kind given to another kind's Get call is ERROR_INVALID_HANDLE.
 */
#ifndef RTM_ENUM_H
#define RTM_ENUM_H

#include "rib.h"

enum rtm_enum_kind {
	RTM_ENUM_KIND_DEST = 1,
	RTM_ENUM_KIND_ROUTE,
	RTM_ENUM_KIND_NEXTHOP,
	RTM_ENUM_KIND_LIST,
};

struct rtm_enum {
	struct rtm_obj obj;
	struct rtm_entity *owner;
	struct rtm_link owner_link;   /* in owner->enums */
	unsigned kind;
	union {
		struct {
			struct rtm_route_list *list; /* NULL once the list is deleted */
			struct rtm_list_item cursor; /* sits in the list after the last route returned */
		} list;
		void *state;                 /* the other kinds' state (enum.c) */
	} u;
};

/* Allocates an enumeration of kind for owner, linked and with a handle.
 * NULL when out of memory.  rib->lock exclusive. */
struct rtm_enum *rtm__enum_new(struct rtm_rib *rib, struct rtm_entity *owner, unsigned kind);
/* The caller's enumeration of kind named by h, or NULL.  rib->lock held. */
struct rtm_enum *rtm__enum_lookup(struct rtm_rib *rib, struct rtm_entity *caller, HANDLE h, unsigned kind);
/* Deletes an enumeration (RtmDeleteEnumHandle, deregistration).  rib->lock exclusive. */
void rtm__enum_delete(struct rtm_rib *rib, struct rtm_enum *en);
/* Deletes all of e's enumerations.  rib->lock exclusive. */
void rtm__enums_remove_owned(struct rtm_rib *rib, struct rtm_entity *e);
/* Kind-specific cleanup, implemented by the kinds' modules. */
void rtm__list_enum_fini(struct rtm_enum *en);
void rtm__table_enum_fini(struct rtm_rib *rib, struct rtm_enum *en);

#endif
