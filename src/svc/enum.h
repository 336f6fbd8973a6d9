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

/*
 * The state of a destination, route or next-hop enumeration (api/enum.c).
 * It never points into the table: the position is the key of the last
 * destination (or next hop) looked at, and a route enumeration that stopped
 * inside a destination keeps the handles, not pointers, of the routes it
 * still owes from there.
 */
struct rtm_table_enum {
	pthread_mutex_t mutex;        /* serialises Get calls on this enumeration; a leaf */
	RTM_VIEW_SET views;           /* TargetViews (0: any) */
	RTM_ENUM_FLAGS flags;
	ULONG proto;                  /* dests: the ProtocolId filter of the information */
	bool range;                   /* stop at the first key outside range_key/range_len */
	bool one_dest;                /* routes of one destination: the range is that key exactly */
	bool after;                   /* resume after key (else at key) */
	bool done;                    /* ERROR_NO_MORE_ITEMS was returned */
	uint8_t range_len, len;
	uint8_t range_key[16], key[16];
	/* The destination at key, while rib->dests_freed still equals
	 * freed_then (it cannot have gone): the next call goes on from it
	 * instead of seeking key in the trie. */
	const struct rtm_trie_node *at;
	uint64_t freed_then;
	/* Route enumerations: the criteria, and the routes owed from the destination at key. */
	RTM_MATCH_FLAGS match;
	ULONG ifindex;
	RTM_ROUTE_INFO criteria;
	HANDLE *rest;
	uint32_t n_rest, i_rest, cap_rest;
	/* Next-hop enumerations: the start or range, and the last next hop returned. */
	RTM_NET_ADDRESS nh_from;
	ULONG nh_ifindex;
};

struct rtm_enum {
	struct rtm_obj obj;
	struct rtm_entity *owner;
	struct rtm_link owner_link;   /* in owner->enums */
	unsigned kind;
	void (*fini)(struct rtm_rib *rib, struct rtm_enum *en); /* the kind's cleanup */
	/* Run when its memory is freed, once lock-free readers are done with
	 * it (RtmGetEnumDests reads without the RIB lock); NULL: nothing. */
	void (*release)(struct rtm_enum *en);
	union {
		struct {
			struct rtm_route_list *list; /* NULL once the list is deleted */
			struct rtm_list_item cursor; /* sits in the list after the last route returned */
		} list;
		struct rtm_table_enum table; /* the other kinds (api/enum.c) */
	} u;
};

/* Allocates an enumeration of kind for owner, linked and with a handle;
 * fini is the kind's cleanup, run when it is deleted.  NULL when out of
 * memory.  rib->lock exclusive. */
struct rtm_enum *rtm__enum_new(struct rtm_rib *rib, struct rtm_entity *owner, unsigned kind,
			       void (*fini)(struct rtm_rib *rib, struct rtm_enum *en));
/* The caller's live enumeration of kind (0: any) named by h, or NULL.
 * rib->lock held. */
struct rtm_enum *rtm__enum_of_caller(struct rtm_rib *rib, struct rtm_entity *caller, HANDLE h,
				     unsigned kind);
/* The same without the RIB lock, inside an epoch section: the enumeration
 * stays memory (its release waits for the section), but may be deleted
 * meanwhile. */
struct rtm_enum *rtm__enum_of_caller_optimistic(struct rtm_rib *rib, struct rtm_entity *caller, HANDLE h,
						unsigned kind);
/* Deletes an enumeration (RtmDeleteEnumHandle, deregistration).  rib->lock exclusive. */
void rtm__enum_delete(struct rtm_rib *rib, struct rtm_enum *en);
/* Deletes all of e's enumerations.  rib->lock exclusive. */
void rtm__enums_remove_owned(struct rtm_rib *rib, struct rtm_entity *e);
/* Installs the object classes of enumerations and route lists (lifetime.h).
 * Registry mutex. */
void rtm__enum_classes_init(void);

#endif
