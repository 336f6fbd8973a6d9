/*
 * route.h — routes: add, update, delete, expiry, in-place edits, client
 * route-list membership.  Every function needs rib->lock exclusive unless it
 * says otherwise; none takes a lock (the calls are api/route.c).
 */
#ifndef RTM_ROUTE_H
#define RTM_ROUTE_H

#include "rib.h"
#include "timerrec.h"

#define RTM_MAX_NEXTHOPS 64u /* the configuration's upper bound of MaxNextHopsInRoute */

/* A checked copy of the writable fields of an RTM_ROUTE_INFO. */
struct rtm_route_spec {
	struct rtm_nexthop *neighbour;
	struct rtm_nexthop *nexthops[RTM_MAX_NEXTHOPS];
	unsigned n_nexthops;
	RTM_PREF_INFO pref;
	RTM_VIEW_SET views;
	USHORT flags;
	UCHAR flags1;
	PVOID entity_specific;
};

/* The route named by h (live or dead), or NULL.  rib->lock (either mode). */
struct rtm_route *rtm__route_lookup(struct rtm_rib *rib, HANDLE h);
/* Fills a client's RTM_ROUTE_INFO; with take_refs, every handle in it is
 * referenced (to be dropped by RtmReleaseRouteInfo).  rib->lock (either
 * mode). */
/* RtmGetRouteInfo without a lock, inside an epoch section (dest.h's rules:
 * the route's destination's sequence count vouches for what is read).  0
 * with info (when not NULL) filled and its handles referenced, the owner's
 * through the calling thread's counts, and addr (when not NULL) the
 * destination's prefix; RTM_EHANDLE when h names no route; RTM_ENOMORE when
 * reap must be emptied before the call is made again. */
struct rtm_reap_list;
int rtm__route_info_query(struct rtm_rib *rib, HANDLE h, PRTM_ROUTE_INFO info, RTM_NET_ADDRESS *addr,
			  struct rtm_reap_list *reap);
/* RtmIsBestRoute without a lock, as rtm__route_info_query: 0 with *best the
 * views in which the route h is its destination's best (none once deleted),
 * or RTM_EHANDLE. */
int rtm__route_best_query(struct rtm_rib *rib, HANDLE h, RTM_VIEW_SET *best);
/* RtmGetExactMatchRoute without a lock: the first route, best first, of the
 * destination with exactly this key that belongs to one of views (any, when
 * 0) and matches the criteria.  0 with info (when not NULL) filled as
 * rtm__route_info_query fills it and *out (when not NULL) a referenced
 * handle of the route; RTM_ENOENT; RTM_ENOMORE as rtm__route_info_query. */
struct rtm_route_match {
	const uint8_t *key;
	unsigned len;
	RTM_VIEW_SET views;
	RTM_MATCH_FLAGS flags;
	const RTM_ROUTE_INFO *criteria;
	ULONG ifindex;
};
int rtm__route_exact_query(struct rtm_rib *rib, const struct rtm_route_match *q, PRTM_ROUTE_INFO info,
			   HANDLE *out, struct rtm_reap_list *reap);
/*
 * Route enumerations without a lock (api/enum.c).  A filter: views (0: any,
 * and then a destination's hold-down route too), the owner (OWN_ROUTES) or
 * NULL, and the criteria.  rtm__route_enum_dest reads destination d's
 * candidates (its routes best first, then its hold-down route) at one
 * moment: the first of those f wants, up to room, referenced in out[]
 * (*n_out), the ones after them owed, as unreferenced handles in rest[]
 * (*n_rest).  RTM_EBUFFER: rest[] needs *n_rest places; RTM_ENOENT: d was
 * freed; RTM_ENOMORE: reap must be emptied first.  rtm__route_enum_handle
 * pays one owed handle: 0 with *out referenced, or RTM_ENOENT when the
 * route is gone or no longer wanted.
 */
struct rtm_route_filter {
	RTM_VIEW_SET views;
	const struct rtm_entity *own;
	RTM_MATCH_FLAGS match;
	const RTM_ROUTE_INFO *criteria;
	ULONG ifindex;
};
int rtm__route_enum_dest(struct rtm_rib *rib, struct rtm_dest *d, const struct rtm_route_filter *f,
			 HANDLE *out, uint32_t room, HANDLE *rest, uint32_t rest_cap, uint32_t *n_out,
			 uint32_t *n_rest, struct rtm_reap_list *reap);
int rtm__route_enum_handle(struct rtm_rib *rib, HANDLE h, const struct rtm_route_filter *f, HANDLE *out,
			   struct rtm_reap_list *reap);
void rtm__route_fill_info(struct rtm_rib *rib, const struct rtm_route *route, PRTM_ROUTE_INFO out,
			  bool take_refs);
/* Route ext, allocated on first need; NULL when out of memory. */
struct rtm_route_ext *rtm__route_ext(struct rtm_route *route);

/* Checks a client's RTM_ROUTE_INFO into a spec: 0, RTM_EINVAL (too many next
 * hops, unsupported views), RTM_EHANDLE (a next hop that is none) or
 * RTM_EACCES (another entity's next hop).  rib->lock (either mode). */
int rtm__route_spec_from_info(struct rtm_rib *rib, struct rtm_entity *caller, const RTM_ROUTE_INFO *info,
			      struct rtm_route_spec *spec);
/* Applies spec (and lifetime and list) to route, which is new or live, and
 * reports the change.  Everything that can fail (RTM_ENOMEM) happens before
 * the first change. */
int rtm__route_apply(struct rtm_rib *rib, struct rtm_route *route, const struct rtm_route_spec *spec,
		     ULONG ttl, struct rtm_route_list *list, bool is_new, DWORD *change_flags);
/* RtmAddRouteToDest's work: the route named by route_handle (when not NULL),
 * else the caller's route found by the identity rules of flags_in, else a
 * new one, gets info.  *out is the route.  0, or RTM_E* with the table
 * unchanged. */
int rtm__route_add(struct rtm_rib *rib, struct rtm_entity *caller, const RTM_NET_ADDRESS *addr,
		   HANDLE route_handle, const RTM_ROUTE_INFO *info, ULONG ttl,
		   struct rtm_route_list *list, DWORD flags_in, struct rtm_route **out,
		   DWORD *change_flags);
/* RtmUpdateAndUnlockRoute's work: commits the owner's in-place edit, taking
 * over a client reference for every next hop (and the neighbour) the edited
 * route names, as the guide's protocol says (route.c).  0, RTM_ENOENT
 * (deleted), RTM_EINVAL (no edit, or an invalid one), RTM_EHANDLE,
 * RTM_EACCES, RTM_ENOMEM; on error nothing changed. */
int rtm__route_update_inplace(struct rtm_rib *rib, struct rtm_entity *caller, struct rtm_route *route,
			      ULONG ttl, struct rtm_route_list *list, DWORD *change_flags);
/* Deletes a live route: unlink, hold-down, report.  Returns whether the best
 * route of some view changed. */
bool rtm__route_delete(struct rtm_rib *rib, struct rtm_route *route);
/* Deletes all of e's routes and ends hold-downs of its routes (deregistration). */
void rtm__routes_remove_owned(struct rtm_rib *rib, struct rtm_entity *e);
/* The same, only in the destinations may(ctx, dest) allows (the caller's
 * lock discipline: the deregistration takes each destination's client
 * stripe); true when some destination with something of e's was skipped. */
bool rtm__routes_remove_owned_if(struct rtm_rib *rib, struct rtm_entity *e,
				 bool (*may)(void *ctx, const struct rtm_dest *dest), void *ctx);

/* The owner's in-place RTM_ROUTE_INFO (RtmGetRoutePointer, RtmLockRoute),
 * rewritten from the route; NULL when out of memory. */
PRTM_ROUTE_INFO rtm__route_shadow_get(struct rtm_rib *rib, struct rtm_route *route);

/* Expiry.  A route's lifetime timer fired with record rec: frees rec and
 * returns the route when it is still due (not deleted, not re-armed), else
 * NULL. */
struct rtm_route *rtm__route_expiry_fired(struct rtm_rib *rib, struct rtm_timer_rec *rec);
/* The owner let route expire: deletes it unless it was deleted or given a
 * new lifetime since; true if it deleted it. */
bool rtm__route_expire(struct rtm_rib *rib, struct rtm_route *route);

/* Moves route (which has an ext) into a client route list, or out of any
 * list when list is NULL. */
void rtm__list_move(struct rtm_route *route, struct rtm_route_list *list);

/* Lifetime (lifetime.h): a deleted route is freed when nothing keeps it.
 * rib->lock exclusive. */
bool rtm__route_try_free(struct rtm_rib *rib, struct rtm_route *route);
void rtm__route_free(struct rtm_rib *rib, struct rtm_route *route);
/* Calls fn for every route of the RIB not yet freed (live or dead): those
 * of the route arena, then the destinations' first routes.  fn may free the
 * route it is given.  rib->lock exclusive. */
void rtm__routes_foreach(struct rtm_rib *rib, void (*fn)(struct rtm_obj *obj, void *arg), void *arg);

#endif
