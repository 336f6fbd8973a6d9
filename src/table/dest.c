/*
 * dest.c — destinations.  (The calls are api/dest.c; the end of a hold-down
 * fires in api/timers.c.)
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

#include <assert.h>

#include "alloc.h"
#include "changes.h"
#include "clock.h"
#include "entity.h"
#include "error.h"
#include "lifetime.h"
#include "netaddr.h"
#include "timerrec.h"

#include <errno.h>
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
size_t rtm__dest_size(const struct rtm_rib *rib)
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
	/* An atomic store, though the destination is not published yet: an
	 * enumeration that found it by a seek (no order with this thread) may
	 * read the link, and its count, open since rtm__dest_get made it,
	 * then sends it back. */
	__atomic_store_n(&dest->next, *link, __ATOMIC_RELAXED);
	/* Published whole: lock-free enumerations follow the chain (acquire). */
	__atomic_store_n(link, dest, __ATOMIC_RELEASE);
}

static void unlink_in_order(struct rtm_rib *rib, struct rtm_dest *dest)
{
	struct rtm_dest *prev = rtm__dest_of_node(rtm__trie_prev(&rib->trie, &dest->node));
	struct rtm_dest **link = prev ? &prev->next : &rib->first_dest;
	__atomic_store_n(link, dest->next, __ATOMIC_RELEASE);
	__atomic_store_n(&dest->next, (struct rtm_dest *)NULL, __ATOMIC_RELEASE);
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


void (*rtm__dest_test_published)(struct rtm_rib *rib, struct rtm_dest *dest);

int rtm__dest_get(struct rtm_rib *rib, const RTM_NET_ADDRESS *addr, struct rtm_dest **out,
		  bool *created)
{
	/*
	 * One descent of the trie whether the prefix has a destination or
	 * not: a new destination is made ready and inserted, and when the
	 * prefix has one already, that is the answer and the new one waits for
	 * the next call (rib->spare_dest).  Without a spare (the first add, or
	 * after a failure) the prefix is looked up first: a change to an
	 * existing destination needs no memory.
	 */
	*created = false;
	struct rtm_dest *dest = rib->spare_dest;
	if (!dest) {
		uint8_t key[16];
		rtm__netaddr_key(addr, rib->width, key);
		if ((dest = rtm__dest_find(rib, key, addr->NumBits))) {
			*out = dest;
			return 0;
		}
		struct rtm_obj *o;
		if (rtm__arena_alloc(&rib->dest_arena, &o))
			return RTM_ENOMEM;
		dest = rib->spare_dest = (struct rtm_dest *)o;
		dest->node.ref = rtm__trie_user_ref(o->slot);
		/* Its count is open until it is in the chain of walk order: a
		 * lock-free enumeration that finds it in the trie before that
		 * would read an empty link and end there (link_in_order).  A
		 * spare keeps it open; one that never makes it is freed so. */
		(void)rtm__dest_write_begin(dest);
	}
	rtm__netaddr_key(addr, rib->width, dest->node.key);
	dest->node.len = (uint8_t)addr->NumBits;
	/* Every notification queue must have room for one more destination
	 * (notify.h), so that the change that follows cannot fail; asked
	 * before the insert, so that nothing slow lies between the insert and
	 * the publication (a lock-free reader that finds the destination in
	 * the trie before it is published seeks again and again). */
	if (rtm__notify_reserve(rib, rib->stats.dests + 1)) {
		/* No room for a new one; a change to an existing one needs none. */
		struct rtm_dest *had = rtm__dest_find(rib, dest->node.key, dest->node.len);
		if (had) {
			*out = had;
			return 0;
		}
		return RTM_ENOMEM;
	}
	struct rtm_trie_node *found;
	int err = rtm__trie_insert_or_find(&rib->trie, &dest->node, &found);
	if (err == -EEXIST) {
		*out = rtm__dest_of_node(found);
		return 0;
	}
	if (err)
		return RTM_ENOMEM;
	rib->spare_dest = NULL;
	rtm__arena_publish(&rib->dest_arena, &dest->obj);
	dest->in_trie = 1;
	if (rtm__dest_test_published)
		rtm__dest_test_published(rib, dest);
	link_in_order(rib, dest);
	rtm__dest_write_end(dest, true);
	rtm__dest_touch(dest);
	/* Read without the lock by a drain (api/notify.c). */
	__atomic_store_n(&rib->stats.dests, rib->stats.dests + 1, __ATOMIC_RELAXED);
	*out = dest;
	*created = true;
	return 0;
}

bool rtm__dest_is_empty(const struct rtm_dest *dest)
{
	/* pending: a drainer clears its bits without the lock (changes.c). */
	return dest->n_routes == 0 && __atomic_load_n(&dest->pending, __ATOMIC_ACQUIRE) == 0 &&
	       !(dest->ext && dest->ext->hold_route);
}

RTM_OPTIMISTIC bool rtm__dest_has_route_in(const struct rtm_dest *dest, RTM_VIEW_SET views)
{
	return views ? (dest->views & views) != 0 : dest->routes != NULL;
}

RTM_OPTIMISTIC bool rtm__dest_visible(const struct rtm_dest *dest)
{
	return dest->n_routes > 0 || (dest->ext && dest->ext->hold_route);
}

/* Lock-free readers may still be reading a freed destination: its memory
 * goes through the epoch (dest.h), and its sequence count is left odd, so
 * that whoever read it retries. */
static void dest_memory_free(void *p, void *arg)
{
	struct rtm_rib *rib = arg;
	struct rtm_dest *dest = p;
	rtm__free(dest->ext);
	rtm__arena_free(&rib->dest_arena, &dest->obj);
}

void rtm__dest_free(struct rtm_rib *rib, struct rtm_dest *dest)
{
	(void)rtm__dest_write_begin(dest);
	if (dest->in_trie) {
		unlink_in_order(rib, dest);
		rtm__trie_remove(&rib->trie, &dest->node);
	}
	if (dest->ext) {
		/* Hold-downs end before a destination can be empty, so no timer
		 * record is left; cancel anyway in case of deactivation. */
		rtm__timerrec_cancel(rib, &dest->ext->hold_timer);
	}
	rtm__arena_kill(&rib->dest_arena, &dest->obj);
	__atomic_store_n(&rib->stats.dests, rib->stats.dests - 1, __ATOMIC_RELAXED);
	/* Read without the lock by enumerations (api/enum.c). */
	__atomic_store_n(&rib->dests_freed, rib->dests_freed + 1, __ATOMIC_RELEASE);
	rtm__limbo_retire(&rib->limbo, dest, dest_memory_free, rib);
}

bool rtm__dest_try_free(struct rtm_rib *rib, struct rtm_dest *dest)
{
	if (!rtm__dest_is_empty(dest))
		return false;
	/* A lock-free reader takes its reference, then checks the count: with
	 * the count opened first, one of the two sees the other (dest.h). */
	bool opened = rtm__dest_write_begin(dest);
	if (rtm__obj_refs(&dest->obj) ||
	    atomic_load_explicit(&dest->obj.reap_pending, memory_order_relaxed)) {
		rtm__dest_write_end(dest, opened);
		return false;
	}
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

static struct rtm_dest_ext *ext_get(struct rtm_rib *rib, struct rtm_dest *dest)
{
	if (dest->ext)
		return dest->ext;
	struct rtm_dest_ext *ext = rtm__calloc(1, sizeof(*ext) + rib->cfg.max_opaque_pointers *
							  sizeof(void *));
	if (!ext)
		return NULL;
	__atomic_store_n(&dest->ext, ext, __ATOMIC_RELEASE); /* lock-free readers (dest.h) */
	return ext;
}

bool rtm__dest_hold_removed(struct rtm_rib *rib, struct rtm_dest *dest, struct rtm_route *route,
			    RTM_VIEW_SET emptied)
{
	struct rtm_dest_ext *ext = dest->ext;
	if (!ext || !(ext->hold_marked & emptied))
		return false;
	if (rtm__timerrec_arm(rib, &ext->hold_timer, rtm__rib_handle(rib, &dest->obj),
			      ext->hold_time_ms, rib->hooks->hold_ended))
		return false; /* no hold-down rather than a hold-down that never ends */
	if (ext->hold_route && ext->hold_route != route)
		rtm__obj_unpin_locked(rib, &ext->hold_route->obj);
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

void rtm__dest_hold_finish(struct rtm_rib *rib, struct rtm_dest *dest)
{
	struct rtm_dest_ext *ext = dest->ext;
	struct rtm_dest_state before, after;
	rtm__dest_state(rib, dest, &before);
	RTM_VIEW_SET views = ext->hold_views;
	struct rtm_route *held = ext->hold_route;
	bool opened = rtm__dest_write_begin(dest);
	ext->hold_route = NULL;
	ext->hold_views = 0;
	rtm__dest_touch(dest);
	rtm__dest_write_end(dest, opened);
	rtm__dest_state(rib, dest, &after);
	struct rtm_dest_change ch;
	rtm__dest_diff(rib, &before, &after, views, &ch);
	/* Keep dest alive across the report and the release of the held route. */
	rtm__obj_pin(&dest->obj);
	rtm__notify_changed(rib, dest, &ch);
	if (held)
		rtm__obj_unpin_locked(rib, &held->obj);
	rtm__obj_unpin_locked(rib, &dest->obj);
}

void rtm__dest_hold_end(struct rtm_rib *rib, struct rtm_dest *dest)
{
	if (!dest->ext || !dest->ext->hold_route)
		return;
	rtm__timerrec_cancel(rib, &dest->ext->hold_timer);
	rtm__dest_hold_finish(rib, dest);
}

/* Longest-match answers skip destinations with no route in the asked views:
 * a forwarding lookup must land on something that forwards. */
struct rtm_dest *rtm__dest_usable_or_up(struct rtm_rib *rib, struct rtm_trie_node *n, RTM_VIEW_SET views)
{
	while (n && !rtm__dest_has_route_in(rtm__dest_of_node(n), views & rib->cfg.views_supported))
		n = rtm__trie_find_less_specific(&rib->trie, n);
	return rtm__dest_of_node(n);
}

struct rtm_dest *rtm__dest_longest_match(struct rtm_rib *rib, const uint8_t *key, unsigned len,
					 RTM_VIEW_SET views)
{
	return rtm__dest_usable_or_up(rib, rtm__trie_find_longest(&rib->trie, key, len), views);
}

/* Clears an opaque slot in every destination (its entity deregistered). */
void rtm__dests_clear_opaque(struct rtm_rib *rib, int slot)
{
	for (struct rtm_dest *d = rib->first_dest; d; d = d->next)
		if (d->ext)
			d->ext->opaque[slot] = NULL;
}

/* ---- lock-free queries (dest.h) --------------------------------------------- */

enum { SEEN_MAX = 8, QUERY_AGAIN = 1, ROUTE_STEPS = 1u << 16 };
_Static_assert(RTM_REAP_LIST_MAX >= 1 + 2 * RTM_MAX_VIEWS, "an answer's references fit a reap list");

/* What one optimistic pass read: the destinations whose counts vouch for
 * it, and what the answer names. */
struct pass {
	uint32_t trie_seq;
	unsigned n_seen;
	struct rtm_dest *seen[SEEN_MAX];
	uint16_t seen_seq[SEEN_MAX];
	struct rtm_dest *dest; /* the answer, or NULL */
	uint64_t last_changed;
	RTM_VIEW_SET belongs;
	unsigned n_views;
	struct {
		RTM_VIEW_ID view;
		UINT count;
		USHORT flags;
		struct rtm_route *best;
		struct rtm_entity *owner;
		struct rtm_route *hold;
	} v[RTM_MAX_VIEWS];
};

/* Notes d's count: false when it is odd (a writer is in it) or no room is left. */
static bool note(struct pass *p, struct rtm_dest *d)
{
	if (p->n_seen == SEEN_MAX)
		return false;
	uint16_t seq = rtm__seq16_read(&d->node.aux);
	if (seq & 1u)
		return false;
	p->seen[p->n_seen] = d;
	p->seen_seq[p->n_seen++] = seq;
	return true;
}

/* Has nothing the pass read changed? */
static bool still_holds(const struct rtm_rib *rib, const struct pass *p)
{
	if (rtm__seq_changed(&rib->trie_seq, p->trie_seq))
		return false;
	for (unsigned i = 0; i < p->n_seen; i++)
		if (rtm__seq16_changed(&p->seen[i]->node.aux, p->seen_seq[i]))
			return false;
	return true;
}

/* What RtmGetDestInfo reports of d (the count of each view's routes, its
 * best route, of proto when not 0, its hold-down route), with every walk
 * bounded (a reader that crossed a change may meet a cycle). */
RTM_OPTIMISTIC static void read_info(const struct rtm_rib *rib, const struct rtm_dest *d, ULONG proto,
				     RTM_VIEW_SET views, struct pass *p)
{
	p->last_changed = d->last_changed;
	p->belongs = d->views;
	const struct rtm_dest_ext *ext = d->ext;
	unsigned k = 0;
	for (RTM_VIEW_SET m = views & rib->cfg.views_supported; m; m &= m - 1) {
		unsigned v = (unsigned)__builtin_ctz(m);
		RTM_VIEW_SET bit = (RTM_VIEW_SET)1u << v;
		UINT count = 0;
		struct rtm_route *best = NULL;
		if (d->views & bit) {
			unsigned steps = 0;
			for (struct rtm_route *r = d->routes; r && steps < ROUTE_STEPS; r = r->next, steps++) {
				if (!(r->views & bit))
					continue;
				count++;
				if (!best && (!proto || r->owner->info.EntityId.EntityProtocolId == proto))
					best = r;
			}
			if (!d->views_mixed)
				count = d->n_routes;
		}
		p->v[k].view = (RTM_VIEW_ID)v;
		p->v[k].count = count;
		p->v[k].best = best;
		p->v[k].flags = best ? best->flags : 0;
		p->v[k].owner = best ? best->owner : NULL;
		p->v[k].hold = ext && ext->hold_route && (ext->hold_views & bit) ? ext->hold_route : NULL;
		k++;
	}
	p->n_views = k;
}

/* One optimistic pass: 0 (p->dest the answer, or NULL: none), QUERY_AGAIN,
 * or RTM_EHANDLE. */
RTM_OPTIMISTIC static int read_pass(struct rtm_rib *rib, const struct rtm_dest_query *q, struct pass *p)
{
	p->n_seen = 0;
	p->dest = NULL;
	p->trie_seq = rtm__seq_read(&rib->trie_seq);
	if (p->trie_seq & 1u)
		return QUERY_AGAIN;
	RTM_VIEW_SET views = q->views & rib->cfg.views_supported;
	struct rtm_trie_node *n = NULL;
	struct rtm_dest *d;
	switch (q->kind) {
	case RTM_QUERY_HANDLE:
		d = (struct rtm_dest *)rtm__rib_lookup_optimistic(rib, q->h, RTM_HT_DEST);
		if (!d)
			return RTM_EHANDLE;
		if (!note(p, d))
			return QUERY_AGAIN;
		p->dest = d;
		break;
	case RTM_QUERY_EXACT:
		d = rtm__dest_of_node(rtm__trie_find_exact(&rib->trie, q->key, q->len));
		if (d) {
			if (!note(p, d))
				return QUERY_AGAIN;
			if (rtm__dest_visible(d))
				p->dest = d;
		}
		break;
	case RTM_QUERY_LESS:
		d = (struct rtm_dest *)rtm__rib_lookup_optimistic(rib, q->h, RTM_HT_DEST);
		if (!d)
			return RTM_EHANDLE;
		if (!note(p, d))
			return QUERY_AGAIN;
		n = d->in_trie ? rtm__trie_find_less_specific(&rib->trie, &d->node) : NULL;
		goto up;
	case RTM_QUERY_LONGEST:
		n = rtm__trie_find_longest(&rib->trie, q->key, q->len);
	up:
		for (; n; n = rtm__trie_find_less_specific(&rib->trie, n)) {
			d = rtm__dest_of_node(n);
			if (!note(p, d))
				return QUERY_AGAIN;
			if (rtm__dest_has_route_in(d, views)) {
				p->dest = d;
				break;
			}
		}
		break;
	}
	if (p->dest)
		read_info(rib, p->dest, q->proto, q->views, p);
	return 0;
}

/* The handle an object had when a pass read it (it may be gone since: a
 * stale handle then, which a reap does not find).  noinline: inlined into
 * rtm__reap_give_back, the read would lose RTM_OPTIMISTIC and ThreadSanitizer
 * would report it against the writer's rtm__arena_kill. */
RTM_OPTIMISTIC __attribute__((noinline)) static HANDLE handle_as_read(const struct rtm_rib *rib, const struct rtm_obj *obj)
{
	return rtm__handle_encode(obj->type, rib->index, obj->slot, obj->gen);
}

void rtm__reap_give_back(struct rtm_rib *rib, struct rtm_obj *obj, unsigned type, struct rtm_reap_list *reap)
{
	if (atomic_fetch_sub_explicit(&obj->crefs, 1, memory_order_acq_rel) == 1) {
		assert(reap->n < RTM_REAP_LIST_MAX);
		reap->h[reap->n] = handle_as_read(rib, obj);
		reap->type[reap->n++] = type;
	}
}

/* A reader's reference: seq_cst, the first half of its handshake with a
 * writer (rtm__seq_changed). */
static void ref_sc(struct rtm_obj *obj)
{
	atomic_fetch_add_explicit(&obj->crefs, 1, memory_order_seq_cst);
}

static void refs_take(struct pass *p)
{
	ref_sc(&p->dest->obj);
	for (unsigned k = 0; k < p->n_views; k++) {
		if (p->v[k].best)
			ref_sc(&p->v[k].best->obj);
		if (p->v[k].hold)
			ref_sc(&p->v[k].hold->obj);
	}
}

static bool refs_room(const struct pass *p, const struct rtm_reap_list *reap)
{
	return RTM_REAP_LIST_MAX - reap->n >= 1 + 2 * p->n_views;
}

/* Gives back what refs_take took (refs_room was checked before). */
static void refs_give_back(struct rtm_rib *rib, struct pass *p, struct rtm_reap_list *reap)
{
	rtm__reap_give_back(rib, &p->dest->obj, RTM_HT_DEST, reap);
	for (unsigned k = 0; k < p->n_views; k++) {
		if (p->v[k].best)
			rtm__reap_give_back(rib, &p->v[k].best->obj, RTM_HT_ROUTE, reap);
		if (p->v[k].hold)
			rtm__reap_give_back(rib, &p->v[k].hold->obj, RTM_HT_ROUTE, reap);
	}
}

/* Fills info from a pass whose references are taken: everything it names
 * is referenced, so what this reads stays put. */
static void fill_from_pass(struct rtm_rib *rib, const struct pass *p, PRTM_DEST_INFO info)
{
	struct rtm_dest *d = p->dest;
	info->DestHandle = rtm__rib_handle(rib, &d->obj);
	rtm__netaddr_from_key(&info->DestAddress, rib->family, rib->width, d->node.key, d->node.len);
	info->LastChanged = rtm__filetime(p->last_changed);
	info->BelongsToViews = p->belongs;
	for (unsigned k = 0; k < p->n_views; k++) {
		__typeof__(&info->ViewInfo[0]) vi = (void *)((char *)info->ViewInfo + k * sizeof(info->ViewInfo[0]));
		vi->ViewId = p->v[k].view;
		vi->NumRoutes = p->v[k].count;
		vi->Route = NULL;
		vi->Owner = NULL;
		vi->DestFlags = p->v[k].flags;
		vi->HoldRoute = NULL;
		if (p->v[k].best) {
			vi->Route = rtm__rib_handle(rib, &p->v[k].best->obj);
			rtm__entity_ref_client_local(p->v[k].owner);
			vi->Owner = rtm__entity_handle(p->v[k].owner);
		}
		if (p->v[k].hold)
			vi->HoldRoute = rtm__rib_handle(rib, &p->v[k].hold->obj);
	}
	info->NumberOfViews = p->n_views;
}

int rtm__dest_query(struct rtm_rib *rib, const struct rtm_dest_query *q, PRTM_DEST_INFO info,
		    struct rtm_reap_list *reap)
{
	struct pass p;
	for (unsigned tries = 0;; tries++) {
		int r = read_pass(rib, q, &p);
		if (r == QUERY_AGAIN || !still_holds(rib, &p)) {
			rtm__read_relax(tries + 1);
			continue;
		}
		if (r)
			return r;
		if (!p.dest)
			return RTM_ENOENT;
		/*
		 * Reference what the answer names, then check again.  A writer
		 * that would free the destination opens its count before it
		 * reads the references (rtm__dest_try_free): it sees these, or
		 * this sees its count move.  A route the answer names was
		 * linked while the count held, so it is not freed either.
		 */
		if (!refs_room(&p, reap))
			return RTM_ENOMORE; /* nothing taken */
		refs_take(&p);
		if (!still_holds(rib, &p)) {
			refs_give_back(rib, &p, reap);
			continue;
		}
		break;
	}
	fill_from_pass(rib, &p, info);
	return 0;
}

/* ---- lock-free enumeration (api/enum.c) -------------------------------------- */

/* Freed (killed: its handles are stale) since the caller found it? */
RTM_OPTIMISTIC static bool dest_gone(const struct rtm_dest *d)
{
	return __atomic_load_n(&d->obj.type, __ATOMIC_ACQUIRE) != RTM_HT_DEST;
}

/* What an enumeration asks of d, read as api/enum.c's filter reads it. */
RTM_OPTIMISTIC static bool wanted_read(const struct rtm_rib *rib, const struct rtm_dest *d,
				       const struct rtm_dest_filter *f)
{
	if (f->views ? !rtm__dest_has_route_in(d, f->views) : !rtm__dest_visible(d))
		return false;
	if (!f->own)
		return true;
	for (RTM_VIEW_SET m = f->views ? f->views : rib->cfg.views_supported; m; m &= m - 1) {
		RTM_VIEW_SET bit = m & -m;
		if (!(d->views & bit))
			continue;
		unsigned steps = 0;
		for (const struct rtm_route *r = d->routes; r && steps < ROUTE_STEPS; r = r->next, steps++)
			if (r->views & bit) {
				if (r->owner == f->own)
					return true;
				break;
			}
	}
	return false;
}

/* An acquire load: the destination it leads to was published with a
 * release store (link_in_order), which the race detector must see too. */
static struct rtm_dest *next_read(const struct rtm_dest *d)
{
	return __atomic_load_n(&d->next, __ATOMIC_ACQUIRE);
}

int rtm__dest_enum_one(struct rtm_rib *rib, struct rtm_dest *d, const struct rtm_dest_filter *f,
		       PRTM_DEST_INFO info, struct rtm_dest **next, bool *taken, struct rtm_reap_list *reap)
{
	struct pass p;
	for (unsigned tries = 0;; tries++) {
		if (dest_gone(d))
			return RTM_ENOENT;
		p.n_seen = 0;
		p.dest = d;
		if (!note(&p, d)) {
			rtm__read_relax(tries + 1);
			continue;
		}
		bool want = info && wanted_read(rib, d, f);
		struct rtm_dest *nx = next_read(d);
		if (want)
			read_info(rib, d, f->proto, f->views, &p);
		if (rtm__seq16_changed(&d->node.aux, p.seen_seq[0])) {
			rtm__read_relax(tries + 1);
			continue;
		}
		*next = nx;
		*taken = false;
		if (!want)
			return 0;
		if (!refs_room(&p, reap))
			return RTM_ENOMORE; /* nothing taken */
		refs_take(&p);
		if (rtm__seq16_changed(&d->node.aux, p.seen_seq[0])) {
			refs_give_back(rib, &p, reap);
			continue;
		}
		fill_from_pass(rib, &p, info);
		*taken = true;
		return 0;
	}
}

struct rtm_dest *rtm__dest_seek_optimistic(struct rtm_rib *rib, const uint8_t *key, unsigned len, bool after)
{
	for (unsigned tries = 0;; tries++) {
		uint32_t ts = rtm__seq_read(&rib->trie_seq);
		if (!(ts & 1u)) {
			struct rtm_trie_node *n = rtm__trie_seek(&rib->trie, key, len, after);
			if (!rtm__seq_changed(&rib->trie_seq, ts))
				return rtm__dest_of_node(n);
		}
		rtm__read_relax(tries + 1);
	}
}
