/*
 * nexthop.h — next hops: each entity's sorted list, lookups, lifetime.
 * (The calls are api/nexthop.c.)
 */
#ifndef RTM_NEXTHOP_H
#define RTM_NEXTHOP_H

#include "rib.h"

/* The next hop h names (live or deleted), NULL if none.  rib->lock (either
 * mode). */
static inline struct rtm_nexthop *rtm__nexthop_lookup(struct rtm_rib *rib, HANDLE h)
{
	return (struct rtm_nexthop *)rtm__rib_lookup(rib, h, RTM_HT_NEXTHOP);
}
/* The same, live only (not deleted). */
struct rtm_nexthop *rtm__nexthop_live(struct rtm_rib *rib, HANDLE h);
/*
 * RtmGetEnumNextHops without a lock, inside an epoch section: from the
 * cursor (the first next hop of e at or, with after, past (from, ifindex);
 * with range, only addresses range_key/range_len covers), up to max next
 * hops of e's sorted array referenced in out[] (*n), read at one moment
 * (the entity's count, nexthop.c); the cursor moves past them; *end when no
 * more follow.  RTM_ENOMORE when reap must be emptied first.
 */
struct rtm_nexthop_cursor {
	RTM_NET_ADDRESS from;
	ULONG ifindex;
	bool after;
	bool range;
	const uint8_t *range_key;
	unsigned range_len;
};
struct rtm_reap_list;
int rtm__nexthop_enum(struct rtm_rib *rib, const struct rtm_entity *e, struct rtm_nexthop_cursor *c,
		      HANDLE *out, uint32_t max, uint32_t *n, bool *end, struct rtm_reap_list *reap);
/* RtmFindNextHop of e's own next hop with info's key, the same way: 0 with
 * *out (referenced when ref), RTM_ENOENT, or RTM_ENOMORE (reap is full). */
int rtm__nexthop_find_query(struct rtm_rib *rib, const struct rtm_entity *e, const RTM_NEXTHOP_INFO *info,
			    bool ref, struct rtm_nexthop **out, struct rtm_reap_list *reap);
/* e's next hop with the key (address, interface) of info, or NULL. */
struct rtm_nexthop *rtm__nexthop_find(const struct rtm_entity *e, const RTM_NEXTHOP_INFO *info);
/* Creates caller's next hop with the key and fields of info (checked):
 * 0 or RTM_ENOMEM (nothing changed).  rib->lock exclusive. */
int rtm__nexthop_add(struct rtm_rib *rib, struct rtm_entity *caller, const RTM_NEXTHOP_INFO *info,
		     struct rtm_nexthop **out);
/* Updates nh from info (the fields a client may set).  rib->lock exclusive,
 * nh's stripe held. */
void rtm__nexthop_update(struct rtm_rib *rib, struct rtm_nexthop *nh, const RTM_NEXTHOP_INFO *info);
/* Deletes nh: out of its owner's list, State DELETED; freed when the last
 * reference goes.  rib->lock exclusive. */
void rtm__nexthop_delete(struct rtm_rib *rib, struct rtm_nexthop *nh);
/* A route starts / stops naming nh (as a next hop or as its neighbour). */
void rtm__nexthop_route_ref(struct rtm_nexthop *nh);
void rtm__nexthop_route_unref(struct rtm_rib *rib, struct rtm_nexthop *nh);
/* Deletes all of e's next hops (deregistration).  rib->lock exclusive. */
void rtm__nexthops_remove_owned(struct rtm_rib *rib, struct rtm_entity *e);
/* The same, only the next hops may(ctx, nh) allows; true when some were
 * skipped. */
bool rtm__nexthops_remove_owned_if(struct rtm_rib *rib, struct rtm_entity *e,
				   bool (*may)(void *ctx, const struct rtm_nexthop *nh), void *ctx);

/* Lifetime (lifetime.h): a deleted next hop is freed when no handle and no
 * route keeps it.  rib->lock exclusive. */
bool rtm__nexthop_try_free(struct rtm_rib *rib, struct rtm_nexthop *nh);
void rtm__nexthop_free(struct rtm_rib *rib, struct rtm_nexthop *nh);
/* RtmGetNextHopInfo without a lock, inside an epoch section (nexthop.c): 0
 * with info the next hop's record, its NextHopOwner and RemoteNextHop
 * referenced (the owner through the calling thread's counts); RTM_EHANDLE;
 * RTM_EINVAL (info NULL); RTM_ENOMORE when reap must be emptied first.  The
 * caller keeps the owner's in-place edits out (api/nexthop.c). */
struct rtm_reap_list;
int rtm__nexthop_info_query(struct rtm_rib *rib, HANDLE h, PRTM_NEXTHOP_INFO info, struct rtm_reap_list *reap);

#endif
