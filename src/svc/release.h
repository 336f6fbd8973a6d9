/*
 * release.h — releasing client references, all or nothing, and freeing what
 * they kept; the RIB's deactivation when its last entity leaves.
 *
 * The two live in one file (release.c) because they coordinate: a release
 * that drops the shared lock to reap under the exclusive one must not reap
 * objects a deactivation freed meanwhile (rib->deactivations).
 */
#ifndef RTM_RELEASE_H
#define RTM_RELEASE_H

#include "rib.h"

/* Releases one client reference for each of n handles of one type, read at
 * `stride`-byte steps from `handles` (so that handle fields inside arrays of
 * structures can be released in place).  All handles are checked first: if one
 * is invalid nothing is released and RTM_EHANDLE is returned.  Takes rib->lock
 * itself (shared, and exclusive only to free what became unreferenced). */
int rtm__rib_release_handles(struct rtm_rib *rib, const HANDLE *handles, unsigned n,
			     unsigned type, unsigned stride);
/* A mixed set of handles to release together (an info structure's handles).
 * NULL handles are skipped.  Entity handles are released through entity.c. */
struct rtm_release {
	HANDLE handle;
	unsigned type;
};
int rtm__rib_release(struct rtm_rib *rib, const struct rtm_release *items, unsigned n);
/* The general form: item(ctx, i, ...) gives the handle and type of item i of
 * n (type 0: skip it), called for i = 0, 1, ... in each of the release's
 * passes over the items.  All three return 0, or RTM_EHANDLE
 * (nothing released) when an item names no object, or one with no client
 * reference left for it. */
typedef void (*rtm_release_item_fn)(void *ctx, unsigned i, HANDLE *h, unsigned *type);
int rtm__rib_release_items(struct rtm_rib *rib, unsigned n, rtm_release_item_fn item, void *ctx);
/* The same for items the caller knows are all destinations, routes, next
 * hops or entities (information structures): no look at their types first. */
int rtm__rib_release_items_lockfree(struct rtm_rib *rib, unsigned n, rtm_release_item_fn item,
				    void *ctx);

/* Reaps what a lock-free query left unreferenced (table/dest.h) and empties
 * the list.  No lock held; takes rib->lock exclusive when the list is not
 * empty. */
struct rtm_reap_list;
void rtm__rib_reap_list(struct rtm_rib *rib, struct rtm_reap_list *list);

/* Frees a RIB's contents after its last entity left: the objects only
 * unreleased client references kept.  Registry mutex held; takes rib->lock. */
void rtm__rib_deactivate(struct rtm_rib *rib);

#endif
