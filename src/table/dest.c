/*
 * dest.c — destinations.
 *
 * A destination is a prefix with the routes that clients added to it.  It is
 * created by the first route added to its prefix and lives in the RIB's trie
 * (struct rtm_dest embeds the trie node, whose key is the prefix with the bits
 * beyond its length cleared).  Its routes are a singly linked list kept in
 * decide.h order, best first, so the best route of view v is the first route
 * whose BelongsToViews has bit v: no per-view array is stored, and a
 * destination costs the same whatever the number of configured views.  The
 * union of its routes' views (dest->views, and whether they differ:
 * views_mixed) is kept by route.c's link and unlink, so that a longest-match
 * query and a DestInfo need not walk the routes to learn which views the
 * destination is in and how many routes each has.
 *
 * Lifetime.  Every route holds a reference on its destination (also a dead
 * route a client still holds), so do a hold-down route and a pending change
 * notification; clients' handles hold the others.  A destination stays in the
 * trie while it has a route, a hold-down route, a pending notification or a
 * reference; when none is left it is taken out of the trie and freed
 * (rtm__dest_try_free).  A destination that only clients' handles keep has no
 * route: queries do not report it (rtm__dest_visible), but the handles stay
 * valid, and a route added to its prefix meanwhile brings it back.
 *
 * Lazily allocated extension (struct rtm_dest_ext): the opaque-pointer slots,
 * the hold-down state and notification marks.  Most destinations of a full
 * table never need it.
 */
#include "dest.h"

#include "alloc.h"
#include "entity.h"
#include "error.h"
#include "lock.h"
#include "netaddr.h"
#include "notify.h"
#include "objects.h"
#include "timerrec.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

struct rtm_dest *rtm__dest_find(struct rtm_rib *rib, const uint8_t *key, unsigned len)
{
	return rtm__dest_of_node(rtm__trie_find_exact(&rib->trie, key, len));
}

/* The key is the last thing in a destination, so the allocation ends with it
 * rather than with the struct's tail padding (which would cost a larger
 * malloc size class for every IPv4 destination). */
static size_t dest_size(const struct rtm_rib *rib)
{
	return offsetof(struct rtm_dest, node.key) + rib->width / 8;
}

/*
 * The destinations are also chained in the trie's walk order (dest->next,
 * from rib->first_dest), so that an enumeration goes from one destination to
 * the next with one load from the destination it has in hand, instead of a
 * walk through the trie's branch nodes, each a cache miss of its own.
 * Keeping the chain costs one step up and down the trie per insert and remove
 * (rtm__trie_prev), near where the insert or remove itself went.
 */
static void link_in_order(struct rtm_rib *rib, struct rtm_dest *dest)
{
	struct rtm_dest *prev = rtm__dest_of_node(rtm__trie_prev(&rib->trie, &dest->node));
	struct rtm_dest **link = prev ? &prev->next : &rib->first_dest;
	dest->next = *link;
	*link = dest;
}

static void unlink_in_order(struct rtm_rib *rib, struct rtm_dest *dest)
{
	struct rtm_dest *prev = rtm__dest_of_node(rtm__trie_prev(&rib->trie, &dest->node));
	struct rtm_dest **link = prev ? &prev->next : &rib->first_dest;
	*link = dest->next;
	dest->next = NULL;
}

int rtm__dests_check_order(struct rtm_rib *rib)
{
	const struct rtm_dest *d = rib->first_dest;
	size_t i = 0;
	for (const struct rtm_trie_node *n = rtm__trie_first(&rib->trie); n;
	     n = rtm__trie_next(&rib->trie, n), d = d->next, i++) {
		if (d != rtm__dest_of_node(n)) {
			fprintf(stderr, "rtm__dests_check_order: destination %zu is not the walk's\n", i);
			return -1;
		}
	}
	if (d) {
		fprintf(stderr, "rtm__dests_check_order: the chain goes on after the walk's end\n");
		return -1;
	}
	return 0;
}

int rtm__dest_get(struct rtm_rib *rib, const RTM_NET_ADDRESS *addr, struct rtm_dest **out,
		  bool *created)
{
	uint8_t key[16];
	rtm__netaddr_key(addr, rib->width, key);
	struct rtm_dest *dest = rtm__dest_find(rib, key, addr->NumBits);
	*created = false;
	if (dest) {
		*out = dest;
		return 0;
	}
	/* Every notification queue must have room for one more destination
	 * (notify.h): the change that follows cannot fail. */
	if (rtm__notify_reserve(rib, rib->stats.dests + 1))
		return RTM_ENOMEM;
	dest = rtm__calloc(1, dest_size(rib));
	if (!dest)
		return RTM_ENOMEM;
	memcpy(dest->node.key, key, rib->width / 8);
	dest->node.len = (uint8_t)addr->NumBits;
	if (rtm__handle_alloc(&rib->handles, &dest->obj, RTM_HT_DEST)) {
		rtm__free(dest);
		return RTM_ENOMEM;
	}
	if (rtm__trie_insert(&rib->trie, &dest->node)) {
		rtm__handle_free(&rib->handles, &dest->obj);
		rtm__free(dest);
		return RTM_ENOMEM;
	}
	dest->in_trie = 1;
	link_in_order(rib, dest);
	rtm__dest_touch(dest);
	rib->stats.dests++;
	*out = dest;
	*created = true;
	return 0;
}

bool rtm__dest_is_empty(const struct rtm_dest *dest)
{
	return dest->n_routes == 0 && dest->pending == 0 && !(dest->ext && dest->ext->hold_route);
}

bool rtm__dest_has_route_in(const struct rtm_dest *dest, RTM_VIEW_SET views)
{
	return views ? (dest->views & views) != 0 : dest->routes != NULL;
}

bool rtm__dest_visible(const struct rtm_dest *dest)
{
	return dest->n_routes > 0 || (dest->ext && dest->ext->hold_route);
}

void rtm__dest_free(struct rtm_rib *rib, struct rtm_dest *dest)
{
	if (dest->in_trie) {
		unlink_in_order(rib, dest);
		rtm__trie_remove(&rib->trie, &dest->node);
	}
	if (dest->ext) {
		/* Hold-downs end before a destination can be empty, so no timer
		 * record is left; cancel anyway in case of deactivation. */
		rtm__timerrec_cancel(rib, &dest->ext->hold_timer);
		rtm__free(dest->ext);
	}
	rtm__handle_free(&rib->handles, &dest->obj);
	rib->stats.dests--;
	rib->dests_freed++;
	rtm__free(dest);
}

bool rtm__dest_try_free(struct rtm_rib *rib, struct rtm_dest *dest)
{
	if (!rtm__dest_is_empty(dest) || rtm__obj_refs(&dest->obj) ||
	    atomic_load_explicit(&dest->obj.reap_pending, memory_order_relaxed))
		return false;
	rtm__dest_free(rib, dest);
	return true;
}

ULONG rtm__protocol_filter(const struct rtm_entity *caller, ULONG protocol_id)
{
	if (protocol_id == RTM_THIS_PROTOCOL)
		return caller->info.EntityId.EntityProtocolId;
	return protocol_id;
}

struct rtm_route *rtm__dest_best(const struct rtm_dest *dest, unsigned view, ULONG proto)
{
	RTM_VIEW_SET bit = (RTM_VIEW_SET)1u << view;
	if (!(dest->views & bit))
		return NULL; /* no walk through routes of other views */
	for (struct rtm_route *r = dest->routes; r; r = r->next)
		if ((r->views & bit) && (!proto || r->owner->info.EntityId.EntityProtocolId == proto))
			return r;
	return NULL;
}

unsigned rtm__dest_info_views(const struct rtm_rib *rib, RTM_VIEW_SET views)
{
	return (unsigned)__builtin_popcount(views & rib->cfg.views_supported);
}

void rtm__dest_fill_info(struct rtm_rib *rib, struct rtm_dest *dest, ULONG proto, RTM_VIEW_SET views,
			 struct rtm_owner_refs *owners, PRTM_DEST_INFO info)
{
	rtm__obj_ref(&dest->obj);
	info->DestHandle = rtm__rib_handle(rib, &dest->obj);
	rtm__netaddr_from_key(&info->DestAddress, rib->family, rib->width, dest->node.key,
			      dest->node.len);
	info->LastChanged = rtm__filetime(dest->last_changed);
	info->BelongsToViews = dest->views;

	const struct rtm_dest_ext *ext = dest->ext;
	unsigned n = 0;
	RTM_VIEW_SET want = views & rib->cfg.views_supported;
	for (unsigned v = 0; v < RTM_MAX_VIEWS; v++) {
		RTM_VIEW_SET bit = (RTM_VIEW_SET)1u << v;
		if (!(want & bit))
			continue;
		/* ViewInfo is declared with one element; the caller sized the buffer
		 * with RTM_SIZE_OF_DEST_INFO, so index through a plain pointer. */
		__typeof__(&info->ViewInfo[0]) vi = (void *)((char *)info->ViewInfo +
							     n * sizeof(info->ViewInfo[0]));
		UINT count = 0;
		if (!(dest->views & bit))
			count = 0;
		else if (!dest->views_mixed)
			count = dest->n_routes;
		else
			for (const struct rtm_route *r = dest->routes; r; r = r->next)
				count += (r->views & bit) != 0;
		struct rtm_route *best = rtm__dest_best(dest, v, proto);
		vi->ViewId = (RTM_VIEW_ID)v;
		vi->NumRoutes = count;
		vi->Route = NULL;
		vi->Owner = NULL;
		vi->DestFlags = 0;
		vi->HoldRoute = NULL;
		if (best) {
			rtm__obj_ref(&best->obj);
			vi->Route = rtm__rib_handle(rib, &best->obj);
			rtm__owner_refs_add(owners, best->owner);
			vi->Owner = rtm__entity_handle(best->owner);
			vi->DestFlags = best->flags;
		}
		if (ext && ext->hold_route && (ext->hold_views & bit)) {
			rtm__obj_ref(&ext->hold_route->obj);
			vi->HoldRoute = rtm__rib_handle(rib, &ext->hold_route->obj);
		}
		n++;
	}
	info->NumberOfViews = n;
}

/* One RTM_DEST_INFO, its owners' references given at once. */
static void fill_one(struct rtm_rib *rib, struct rtm_dest *dest, ULONG proto, RTM_VIEW_SET views,
		     PRTM_DEST_INFO info)
{
	struct rtm_owner_refs owners = { NULL, 0 };
	rtm__dest_fill_info(rib, dest, proto, views, &owners, info);
	rtm__owner_refs_flush(&owners);
}

/*
 * The handles of an array of RTM_DEST_INFO, as one release (all or nothing,
 * rib.c): item i is found by a cursor that moves through the array field by
 * field, since a release reads its items in order, from 0 up, in each pass
 * (each information has its own number of views, so i says nothing by
 * itself).  Fields: 0 DestHandle, then Route, Owner, HoldRoute of each view.
 */
struct info_cursor {
	const char *base;
	size_t stride;
	unsigned i;    /* the item the cursor is at */
	unsigned k, f; /* its information, and its field there */
};

static const RTM_DEST_INFO *cursor_info(const struct info_cursor *c)
{
	return (const void *)(c->base + c->k * c->stride);
}

static void info_item(void *ctx, unsigned i, HANDLE *h, unsigned *type)
{
	struct info_cursor *c = ctx;
	if (i < c->i)
		c->i = c->k = c->f = 0;
	for (; c->i < i; c->i++)
		if (++c->f == 1 + 3 * cursor_info(c)->NumberOfViews) {
			c->k++;
			c->f = 0;
		}
	const RTM_DEST_INFO *di = cursor_info(c);
	if (c->f == 0) {
		*h = di->DestHandle;
		*type = RTM_HT_DEST;
	} else {
		const __typeof__(di->ViewInfo[0]) *vi =
			(const void *)((const char *)di->ViewInfo + (c->f - 1) / 3 * sizeof(di->ViewInfo[0]));
		static const unsigned types[3] = { RTM_HT_ROUTE, RTM_HT_ENTITY, RTM_HT_ROUTE };
		unsigned j = (c->f - 1) % 3;
		*h = j == 0 ? vi->Route : j == 1 ? vi->Owner : vi->HoldRoute;
		*type = types[j];
	}
	if (!*h)
		*type = 0;
}

int rtm__dest_release_infos(struct rtm_rib *rib, const RTM_DEST_INFO *infos, unsigned n, size_t stride)
{
	unsigned items = 0;
	for (unsigned i = 0; i < n; i++) {
		const RTM_DEST_INFO *di = (const void *)((const char *)infos + i * stride);
		if (di->NumberOfViews > RTM_MAX_VIEWS)
			return RTM_EINVAL;
		if (!di->DestHandle)
			return RTM_EHANDLE;
		if (items > UINT_MAX - (1 + 3 * RTM_MAX_VIEWS))
			return RTM_EINVAL;
		items += 1 + 3 * di->NumberOfViews;
	}
	struct info_cursor c = { (const char *)infos, stride, 0, 0, 0 };
	return rtm__rib_release_items(rib, items, info_item, &c);
}

/* ---- change detection -------------------------------------------------- */

/* A 64-bit mix of a route's next-hop array (the splitmix64 finaliser on each
 * step): two arrays that differ beyond their first two next hops compare
 * equal only if this collides. */
static uint64_t nexthop_sig(const struct rtm_route *r)
{
	uint64_t h = 0;
	struct rtm_nexthop *const *nh = rtm__route_nexthops(r);
	for (unsigned i = 0; i < r->n_nexthops; i++) {
		h += (uint64_t)(uintptr_t)nh[i] + 0x9e3779b97f4a7c15ull;
		h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ull;
		h = (h ^ (h >> 27)) * 0x94d049bb133111ebull;
		h ^= h >> 31;
	}
	return h;
}

/* Only the supported views are filled and compared: the others never hold a
 * route, and a RIB usually supports two views out of RTM_MAX_VIEWS. */
void rtm__dest_state(const struct rtm_rib *rib, const struct rtm_dest *dest, struct rtm_dest_state *out)
{
	for (RTM_VIEW_SET m = rib->cfg.views_supported; m; m &= m - 1) {
		unsigned v = (unsigned)__builtin_ctz(m);
		struct rtm_view_state *s = &out->v[v];
		memset(s, 0, sizeof(*s));
		const struct rtm_route *best = rtm__dest_best(dest, v, 0);
		if (best) {
			s->route = best;
			s->pref = best->pref.Preference;
			s->metric = best->pref.Metric;
			s->flags = best->flags;
			s->n_nexthops = best->n_nexthops;
			struct rtm_nexthop *const *nh = rtm__route_nexthops(best);
			s->nexthop0 = best->n_nexthops > 0 ? nh[0] : NULL;
			s->nexthop1 = best->n_nexthops > 1 ? nh[1] : NULL;
			s->nexthop_sig = best->n_nexthops > 2 ? nexthop_sig(best) : 0;
		}
		if (dest->ext && (dest->ext->hold_views & (1u << v)))
			s->hold = dest->ext->hold_route;
	}
}

void rtm__dest_diff(const struct rtm_rib *rib, const struct rtm_dest_state *before,
		    const struct rtm_dest_state *after, RTM_VIEW_SET touched, struct rtm_dest_change *out)
{
	out->all = touched & rib->cfg.views_supported;
	out->best = out->fwd = 0;
	for (RTM_VIEW_SET m = rib->cfg.views_supported; m; m &= m - 1) {
		unsigned v = (unsigned)__builtin_ctz(m);
		const struct rtm_view_state *a = &before->v[v], *b = &after->v[v];
		RTM_VIEW_SET bit = (RTM_VIEW_SET)1u << v;
		bool core = a->route != b->route || a->pref != b->pref || a->metric != b->metric ||
			    a->n_nexthops != b->n_nexthops || a->nexthop0 != b->nexthop0 ||
			    a->nexthop1 != b->nexthop1 || a->nexthop_sig != b->nexthop_sig;
		bool fwd_flags = ((a->flags ^ b->flags) & RTM_ROUTE_FLAGS_FORWARDING) != 0;
		bool any_flags = a->flags != b->flags;
		if (core || any_flags || a->hold != b->hold)
			out->best |= bit;
		if (core || fwd_flags)
			out->fwd |= bit;
		if (a->hold != b->hold)
			out->all |= bit;
	}
}

/* ---- hold-down ----------------------------------------------------------- */

static void hold_fire(struct rtm_timer *timer, void *arg);

static struct rtm_dest_ext *ext_get(struct rtm_rib *rib, struct rtm_dest *dest)
{
	if (dest->ext)
		return dest->ext;
	struct rtm_dest_ext *ext = rtm__calloc(1, sizeof(*ext) + rib->cfg.max_opaque_pointers *
							  sizeof(void *));
	if (!ext)
		return NULL;
	dest->ext = ext;
	return ext;
}

bool rtm__dest_hold_removed(struct rtm_rib *rib, struct rtm_dest *dest, struct rtm_route *route,
			    RTM_VIEW_SET emptied)
{
	struct rtm_dest_ext *ext = dest->ext;
	if (!ext || !(ext->hold_marked & emptied))
		return false;
	if (rtm__timerrec_arm(rib, &ext->hold_timer, rtm__rib_handle(rib, &dest->obj),
			      ext->hold_time_ms, hold_fire))
		return false; /* no hold-down rather than a hold-down that never ends */
	if (ext->hold_route && ext->hold_route != route)
		rtm__rib_unpin_locked(rib, &ext->hold_route->obj);
	if (ext->hold_route != route)
		rtm__obj_pin(&route->obj);
	ext->hold_route = route;
	ext->hold_views |= emptied & ext->hold_marked;
	ext->hold_marked &= ~emptied;
	return true;
}

struct rtm_dest_ext *rtm__dest_ext(struct rtm_rib *rib, struct rtm_dest *dest)
{
	return ext_get(rib, dest);
}

/* Ends the hold-down of dest and reports the change.  rib->lock exclusive. */
static void hold_finish(struct rtm_rib *rib, struct rtm_dest *dest)
{
	struct rtm_dest_ext *ext = dest->ext;
	struct rtm_dest_state before, after;
	rtm__dest_state(rib, dest, &before);
	RTM_VIEW_SET views = ext->hold_views;
	struct rtm_route *held = ext->hold_route;
	ext->hold_route = NULL;
	ext->hold_views = 0;
	rtm__dest_touch(dest);
	rtm__dest_state(rib, dest, &after);
	struct rtm_dest_change ch;
	rtm__dest_diff(rib, &before, &after, views, &ch);
	/* Keep dest alive across the report and the release of the held route. */
	rtm__obj_pin(&dest->obj);
	rtm__notify_changed(rib, dest, &ch);
	if (held)
		rtm__rib_unpin_locked(rib, &held->obj);
	rtm__rib_unpin_locked(rib, &dest->obj);
}

void rtm__dest_hold_end(struct rtm_rib *rib, struct rtm_dest *dest)
{
	if (!dest->ext || !dest->ext->hold_route)
		return;
	rtm__timerrec_cancel(rib, &dest->ext->hold_timer);
	hold_finish(rib, dest);
}

/* The hold time ran out (timer thread, no lock held).  Like a client's
 * change, the end of a hold-down takes the destination's stripe first
 * (lock.h), so it waits while a client holds the destination locked. */
static void hold_fire(struct rtm_timer *timer, void *arg)
{
	struct rtm_rib *rib = arg;
	struct rtm_timer_rec *rec = rtm_container_of(timer, struct rtm_timer_rec, timer);
	rtm__rib_rdlock(rib);
	struct rtm_dest *dest = (struct rtm_dest *)rtm__rib_lookup(rib, rec->handle, RTM_HT_DEST);
	bool found = dest != NULL;
	unsigned stripe = found ? rtm__stripe_of_dest(rib, dest) : 0;
	rtm__rib_unlock(rib);
	bool taken = found && rtm__stripe_enter(rib, stripe);
	rtm__rib_wrlock(rib);
	/* The handle names the same destination, or none now: the stripe held
	 * is its stripe. */
	dest = found ? (struct rtm_dest *)rtm__rib_lookup(rib, rec->handle, RTM_HT_DEST) : NULL;
	if (dest && dest->ext && rtm__timerrec_current(&dest->ext->hold_timer, rec) &&
	    dest->ext->hold_route)
		hold_finish(rib, dest);
	rtm__timerrec_free(rec);
	rtm__rib_unlock(rib);
	if (found)
		rtm__stripe_leave(rib, stripe, taken);
	rtm__notify_flush(rib);
}

/* ---- API ----------------------------------------------------------------- */

/* Looks up a destination handle of the caller's RIB (live or not). */
static struct rtm_dest *dest_lookup(struct rtm_rib *rib, HANDLE h)
{
	return (struct rtm_dest *)rtm__rib_lookup(rib, h, RTM_HT_DEST);
}

DWORD WINAPI RtmGetDestInfo(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle, ULONG ProtocolId,
			    RTM_VIEW_SET TargetViews, PRTM_DEST_INFO DestInfo)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	struct rtm_dest *dest = dest_lookup(rib, DestHandle);
	if (!dest)
		err = RTM_EHANDLE;
	else if (!DestInfo)
		err = RTM_EINVAL;
	else
		fill_one(rib, dest, rtm__protocol_filter(caller, ProtocolId), TargetViews, DestInfo);
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmReleaseDestInfo(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_DEST_INFO DestInfo)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	if (!DestInfo)
		return ERROR_INVALID_PARAMETER;
	return rtm__win32(rtm__dest_release_infos(caller->rib, DestInfo, 1, 0));
}

/* The query functions share their checks and their answer. */
static int query_answer(struct rtm_rib *rib, struct rtm_entity *caller, struct rtm_dest *dest,
			ULONG ProtocolId, RTM_VIEW_SET TargetViews, PRTM_DEST_INFO DestInfo)
{
	if (!dest)
		return RTM_ENOENT;
	fill_one(rib, dest, rtm__protocol_filter(caller, ProtocolId), TargetViews, DestInfo);
	return 0;
}

DWORD WINAPI RtmGetExactMatchDestination(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NET_ADDRESS DestAddress,
					 ULONG ProtocolId, RTM_VIEW_SET TargetViews,
					 PRTM_DEST_INFO DestInfo)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err;
	if (!DestInfo || rtm__netaddr_check(DestAddress, rib->family, rib->width)) {
		err = RTM_EINVAL;
	} else {
		uint8_t key[16];
		rtm__netaddr_key(DestAddress, rib->width, key);
		struct rtm_dest *dest = rtm__dest_find(rib, key, DestAddress->NumBits);
		if (dest && !rtm__dest_visible(dest))
			dest = NULL;
		err = query_answer(rib, caller, dest, ProtocolId, TargetViews, DestInfo);
	}
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

/* Longest-match answers skip destinations with no route in the asked views:
 * a forwarding lookup must land on something that forwards. */
static struct rtm_dest *usable_or_up(struct rtm_rib *rib, struct rtm_trie_node *n, RTM_VIEW_SET views)
{
	while (n && !rtm__dest_has_route_in(rtm__dest_of_node(n), views & rib->cfg.views_supported))
		n = rtm__trie_find_less_specific(&rib->trie, n);
	return rtm__dest_of_node(n);
}

struct rtm_dest *rtm__dest_longest_match(struct rtm_rib *rib, const uint8_t *key, unsigned len,
					 RTM_VIEW_SET views)
{
	return usable_or_up(rib, rtm__trie_find_longest(&rib->trie, key, len), views);
}

DWORD WINAPI RtmGetMostSpecificDestination(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NET_ADDRESS DestAddress,
					   ULONG ProtocolId, RTM_VIEW_SET TargetViews,
					   PRTM_DEST_INFO DestInfo)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err;
	if (!DestInfo || rtm__netaddr_check(DestAddress, rib->family, rib->width)) {
		err = RTM_EINVAL;
	} else {
		struct rtm_trie_node *n = rtm__trie_find_longest(&rib->trie, DestAddress->AddrBits,
								 DestAddress->NumBits);
		err = query_answer(rib, caller, usable_or_up(rib, n, TargetViews), ProtocolId,
				   TargetViews, DestInfo);
	}
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmGetLessSpecificDestination(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
					   ULONG ProtocolId, RTM_VIEW_SET TargetViews,
					   PRTM_DEST_INFO DestInfo)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err;
	struct rtm_dest *dest = dest_lookup(rib, DestHandle);
	if (!dest) {
		err = RTM_EHANDLE;
	} else if (!DestInfo) {
		err = RTM_EINVAL;
	} else if (!dest->in_trie) {
		err = RTM_ENOENT;
	} else {
		struct rtm_trie_node *n = rtm__trie_find_less_specific(&rib->trie, &dest->node);
		err = query_answer(rib, caller, usable_or_up(rib, n, TargetViews), ProtocolId,
				   TargetViews, DestInfo);
	}
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmHoldDestination(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
				RTM_VIEW_SET TargetViews, ULONG HoldTime)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	struct rtm_dest *dest = dest_lookup(rib, DestHandle);
	if (!dest) {
		err = RTM_EHANDLE;
	} else if (HoldTime == 0 || !rtm__views_supported(rib, TargetViews)) {
		err = RTM_EINVAL;
	} else {
		struct rtm_dest_ext *ext = ext_get(rib, dest);
		if (!ext) {
			err = RTM_ENOMEM;
		} else {
			/* One hold time for all views: the longest asked for (INFINITE
			 * is held as the longest a timer can wait). */
			uint32_t ms = HoldTime == INFINITE ? INFINITE - 1 : HoldTime;
			ext->hold_marked |= TargetViews ? TargetViews : rib->cfg.views_supported;
			if (ms > ext->hold_time_ms)
				ext->hold_time_ms = ms;
		}
	}
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmLockDestination(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle, BOOL Exclusive,
				BOOL LockDest)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_dest *dest = dest_lookup(rib, DestHandle);
	unsigned stripe = dest ? rtm__stripe_of_dest(rib, dest) : 0;
	rtm__rib_unlock(rib);
	if (!LockDest) {
		/* As for routes: an unlock needs only this thread's record, so it
		 * works after the destination was released and freed. */
		int u = rtm__client_unlock_obj(rib, DestHandle, Exclusive != FALSE);
		return rtm__win32(u && !dest ? RTM_EHANDLE : u);
	}
	if (!dest)
		return ERROR_INVALID_HANDLE;
	return rtm__win32(rtm__client_lock_obj(rib, DestHandle, stripe, Exclusive != FALSE));
}

DWORD WINAPI RtmGetOpaqueInformationPointer(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
					    PVOID *OpaqueInfoPointer)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	struct rtm_dest *dest = dest_lookup(rib, DestHandle);
	if (!dest) {
		err = RTM_EHANDLE;
	} else if (!OpaqueInfoPointer) {
		err = RTM_EINVAL;
	} else if (caller->opaque_slot < 0) {
		err = RTM_ENOENT;
	} else {
		struct rtm_dest_ext *ext = ext_get(rib, dest);
		if (!ext)
			err = RTM_ENOMEM;
		else
			*OpaqueInfoPointer = &ext->opaque[caller->opaque_slot];
	}
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

/* Clears an opaque slot in every destination (its entity deregistered). */
void rtm__dests_clear_opaque(struct rtm_rib *rib, int slot)
{
	for (struct rtm_dest *d = rib->first_dest; d; d = d->next)
		if (d->ext)
			d->ext->opaque[slot] = NULL;
}
