/*
 * dest.h — destinations: lifetime, best routes per view, change detection,
 * DestInfo, hold-down.
 */
#ifndef RTM_DEST_H
#define RTM_DEST_H

#include "clock.h"
#include "rib.h"

/* Checks that the chain of destinations (rib->first_dest, dest->next) is the
 * trie's walk exactly: 0, or -1 with the first difference on stderr.  For
 * tests; rib->lock held. */
int rtm__dests_check_order(struct rtm_rib *rib);

/* The destination h names (live or not), NULL if h names none.  rib->lock
 * (either mode). */
static inline struct rtm_dest *rtm__dest_lookup(struct rtm_rib *rib, HANDLE h)
{
	return (struct rtm_dest *)rtm__rib_lookup(rib, h, RTM_HT_DEST);
}

/* Bytes of a destination of this RIB: the struct up to its key, and the key. */
size_t rtm__dest_size(const struct rtm_rib *rib);
/* The destination with exactly this key, whatever its state; NULL if none. */
struct rtm_dest *rtm__dest_find(struct rtm_rib *rib, const uint8_t *key, unsigned len);
/* Finds or creates the destination of addr (already checked).  RTM_ENOMEM
 * leaves the table unchanged.  *created says whether it is new. */
int rtm__dest_get(struct rtm_rib *rib, const RTM_NET_ADDRESS *addr, struct rtm_dest **out,
		  bool *created);
/*
 * Lock-free queries.  Readers find destinations and fill RTM_DEST_INFO
 * without a lock, inside an epoch section (epoch.h).  What they read is
 * checked afterwards against two sequence counts: the RIB's trie_seq (the
 * trie's shape) and each destination's own (node.aux: its routes, their
 * views and flags, its hold-down, LastChanged).  Writers open a
 * destination's count around every change of it, free what readers may
 * hold through the epoch, and leave a freed destination's count odd.
 */
static inline bool rtm__dest_write_begin(struct rtm_dest *dest)
{
	return rtm__seq16_write_begin(&dest->node.aux);
}
static inline void rtm__dest_write_end(struct rtm_dest *dest, bool opened)
{
	rtm__seq16_write_end(&dest->node.aux, opened);
}

enum rtm_dest_query_kind {
	RTM_QUERY_HANDLE,   /* the destination h names (RtmGetDestInfo) */
	RTM_QUERY_EXACT,    /* (key, len) exactly */
	RTM_QUERY_LONGEST,  /* the longest match of (key, len) with a route in views */
	RTM_QUERY_LESS,     /* the first less specific than h's with a route in views */
};
struct rtm_dest_query {
	enum rtm_dest_query_kind kind;
	const uint8_t *key;
	unsigned len;
	HANDLE h;
	ULONG proto;        /* rtm__protocol_filter's answer */
	RTM_VIEW_SET views;
};
/* Objects whose last reference a reader gave back after it lost a race with
 * a writer: they may be freeable, which only a writer can do
 * (svc/release.c's rtm__rib_reap_handles). */
#define RTM_REAP_LIST_MAX 80 /* more than one answer's references (route.c checks) */
struct rtm_reap_list {
	unsigned n;
	HANDLE h[RTM_REAP_LIST_MAX];
	unsigned type[RTM_REAP_LIST_MAX];
};
/* Gives back one reference a lock-free reader took on obj; an object left
 * with none is listed in reap (which must have room), as it may be freeable,
 * which a writer decides. */
void rtm__reap_give_back(struct rtm_rib *rib, struct rtm_obj *obj, unsigned type, struct rtm_reap_list *reap);
/*
 * Answers q inside an epoch section, taking no lock: 0 with info filled and
 * every handle in it referenced (its owners through the calling thread's
 * counts, entity.h), RTM_ENOENT, RTM_EHANDLE (a handle that names no
 * destination), or RTM_ENOMORE when reap is full and must be emptied before
 * the call is made again.  Whatever the answer, reap lists what to reap.
 */
int rtm__dest_query(struct rtm_rib *rib, const struct rtm_dest_query *q, PRTM_DEST_INFO info,
		    struct rtm_reap_list *reap);

/* Lock-free enumeration (api/enum.c), inside an epoch section.  The filter:
 * views 0 asks for destinations with any route or a hold-down route, else
 * for those with a route in views; own, when not NULL, only those whose
 * best route of some asked view is own's. */
struct rtm_dest_filter {
	ULONG proto;
	RTM_VIEW_SET views;
	const struct rtm_entity *own;
};
/* Reads d, found by the caller inside this section: 0 with *next the
 * destination after it in walk order (read while d's count held) and
 * *taken whether d passed the filter, in which case info is filled and
 * referenced (info NULL: only *next); RTM_ENOENT when d was freed meanwhile
 * (seek again from the last position); RTM_ENOMORE when reap must be
 * emptied first. */
int rtm__dest_enum_one(struct rtm_rib *rib, struct rtm_dest *d, const struct rtm_dest_filter *f,
		       PRTM_DEST_INFO info, struct rtm_dest **next, bool *taken, struct rtm_reap_list *reap);
/* Test hook: called by rtm__dest_get with a new destination the moment it
 * is in the trie and published, before it is in the chain of walk order
 * (NULL: nothing; tests/unit/test_table.c). */
extern void (*rtm__dest_test_published)(struct rtm_rib *rib, struct rtm_dest *dest);
/* rtm__trie_seek without a lock, checked against the trie's count. */
struct rtm_dest *rtm__dest_seek_optimistic(struct rtm_rib *rib, const uint8_t *key, unsigned len, bool after);

/* Stamps a change of the destination: LastChanged becomes now, and always
 * later than its previous value (the clock is coarse, see rtm__filetime_now). */
static inline void rtm__dest_touch(struct rtm_dest *dest)
{
	uint64_t now = rtm__filetime_now();
	dest->last_changed = now > dest->last_changed ? now : dest->last_changed + 1;
}
/* Does the destination have a route in one of views (any route for views 0)? */
bool rtm__dest_has_route_in(const struct rtm_dest *dest, RTM_VIEW_SET views);
/* Visible to queries: has a route or a hold-down route. */
bool rtm__dest_visible(const struct rtm_dest *dest);

/* n, or the first less specific destination above it, that has a route in
 * views (a forwarding lookup must land on something that forwards); NULL if
 * none.  rib->lock held. */
struct rtm_dest *rtm__dest_usable_or_up(struct rtm_rib *rib, struct rtm_trie_node *n, RTM_VIEW_SET views);
/* The longest-prefix destination covering (key, len) that has a route in
 * views (any route for views 0); NULL if none.  rib->lock held. */
struct rtm_dest *rtm__dest_longest_match(struct rtm_rib *rib, const uint8_t *key, unsigned len,
					 RTM_VIEW_SET views);

/* ProtocolId filter of the info calls: 0 any owner, else this protocol id. */
ULONG rtm__protocol_filter(const struct rtm_entity *caller, ULONG protocol_id);
/* The best route of a view (view id), among routes of protocol `proto` when it is not 0. */
struct rtm_route *rtm__dest_best(const struct rtm_dest *dest, unsigned view, ULONG proto);

/* The number of ViewInfo entries filled for TargetViews. */
unsigned rtm__dest_info_views(const struct rtm_rib *rib, RTM_VIEW_SET views);
/* What a change did to a destination, per view (bit per view id). */
struct rtm_view_state {
	const struct rtm_route *route;
	uint32_t pref, metric;
	uint16_t flags, n_nexthops;
	/* Its next hops: the first two exactly (most routes have one or two),
	 * the rest through a 64-bit mix of the whole array. */
	const void *nexthop0, *nexthop1;
	uint64_t nexthop_sig;
	const void *hold;
};
struct rtm_dest_state {
	struct rtm_view_state v[RTM_MAX_VIEWS];
};
struct rtm_dest_change {
	RTM_VIEW_SET all;   /* any route of the view changed */
	RTM_VIEW_SET best;  /* the best route, or its preference, metric, next hops or flags */
	RTM_VIEW_SET fwd;   /* as best, but not for flags outside RTM_ROUTE_FLAGS_FORWARDING */
};
/* Fills out->v[v] for the views the RIB supports, and only those. */
void rtm__dest_state(const struct rtm_rib *rib, const struct rtm_dest *dest, struct rtm_dest_state *out);
/* Compares two states; touched = the views of the routes that changed. */
void rtm__dest_diff(const struct rtm_rib *rib, const struct rtm_dest_state *before,
		    const struct rtm_dest_state *after, RTM_VIEW_SET touched, struct rtm_dest_change *out);

/* Hold-down: a route was just removed from dest; `emptied` are the views in
 * which it was the last route.  Keeps it as the hold route if those views were
 * marked.  Returns true if it took the route (and a reference on it). */
bool rtm__dest_hold_removed(struct rtm_rib *rib, struct rtm_dest *dest, struct rtm_route *route,
			    RTM_VIEW_SET emptied);
/* Ends the hold-down of dest and reports the change.  rib->lock exclusive. */
void rtm__dest_hold_finish(struct rtm_rib *rib, struct rtm_dest *dest);
/* Ends any hold-down at once (deregistration of the hold route's owner). */
void rtm__dest_hold_end(struct rtm_rib *rib, struct rtm_dest *dest);

/* The destination's extension, allocated on first need; NULL when out of
 * memory.  rib->lock exclusive. */
struct rtm_dest_ext *rtm__dest_ext(struct rtm_rib *rib, struct rtm_dest *dest);

/* Clears an opaque-pointer slot in every destination (its entity deregistered). */
void rtm__dests_clear_opaque(struct rtm_rib *rib, int slot);

/* Lifetime (lifetime.h): a destination with no route, no hold-down route and
 * no pending change is empty; try_free frees it when nothing keeps it.
 * rib->lock exclusive. */
bool rtm__dest_is_empty(const struct rtm_dest *dest);
bool rtm__dest_try_free(struct rtm_rib *rib, struct rtm_dest *dest);
void rtm__dest_free(struct rtm_rib *rib, struct rtm_dest *dest);

#endif
