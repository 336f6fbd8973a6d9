/*
 * route_read.c — the lock-free reads of routes: RtmGetRouteInfo,
 * RtmIsBestRoute and RtmGetExactMatchRoute's table side (route.h).
 *
 * The rules are the queries' (dest.h): a reader runs inside an epoch
 * section, reads a route and its destination without a lock, and trusts
 * what it read only if the destination's sequence count did not move
 * meanwhile, since every change of a destination's routes (a route added,
 * changed, deleted) opens that count.  A route names its destination for its
 * whole life, and the destination stays while the route does; a route found
 * by handle is looked up again at the end, so that a route freed and its
 * arena slot reused meanwhile is noticed.  References an answer hands out
 * are taken before the last check, and given back (to be reaped by a
 * writer, svc/release.c) when the check fails.
 */
#include "route.h"

#include "dest.h"
#include "entity.h"
#include "epoch.h"
#include "error.h"
#include "netaddr.h"


struct route_pass {
	struct rtm_dest *dest;
	uint16_t seq;
	struct rtm_entity *owner;
	struct rtm_nexthop *neighbour;
	UCHAR state, flags1;
	USHORT flags;
	RTM_PREF_INFO pref;
	RTM_VIEW_SET views;
	PVOID esi;
	unsigned n;
	struct rtm_nexthop *nh[RTM_MAX_NEXTHOPS];
	uint8_t key[16];
	uint8_t len;
};

enum { ROUTE_AGAIN = 1 };
_Static_assert(RTM_REAP_LIST_MAX >= 2 + RTM_MAX_NEXTHOPS, "a route's references fit a reap list");

/* A destination's `first` route by handle (rib.h), without a lock: the
 * destination's memory stays mapped, and a destination freed and made again
 * at the index has another generation. */
RTM_OPTIMISTIC struct rtm_obj *rtm__rib_inline_route_optimistic(const struct rtm_rib *rib, uint32_t slot,
								uint32_t gen)
{
	uint32_t index = slot & ~RTM_ROUTE_INLINE;
	if (index >= __atomic_load_n(&rib->dest_arena.next, __ATOMIC_ACQUIRE))
		return NULL;
	struct rtm_dest *d = (struct rtm_dest *)rtm__pool_at_optimistic(&rib->dest_arena.pool, index);
	if (__atomic_load_n(&d->obj.type, __ATOMIC_ACQUIRE) != RTM_HT_DEST ||
	    __atomic_load_n(&d->first.obj.type, __ATOMIC_ACQUIRE) != RTM_HT_ROUTE || d->first.obj.gen != gen)
		return NULL;
	return &d->first.obj;
}

/* A route's next hops as one moment had them: one load of its list, which
 * never changes and holds its own count (nhlist.c), so the count and the
 * array always go together, whatever a writer does meanwhile.  NULL: the
 * count is out of bounds (the route was being made): read again. */
RTM_OPTIMISTIC static struct rtm_nexthop *const *nexthops_read(const struct rtm_rib *rib, const struct rtm_route *r,
							       unsigned *n)
{
	const struct rtm_nh_list *l = __atomic_load_n(&r->nhl, __ATOMIC_ACQUIRE);
	if (!l || l->n > rib->cfg.max_next_hops_in_route || l->n > RTM_MAX_NEXTHOPS)
		return NULL;
	*n = l->n;
	return l->nh;
}

/* One optimistic read of route r: 0, ROUTE_AGAIN, or RTM_EHANDLE (r is a
 * route still being made, which no valid handle names). */
RTM_OPTIMISTIC static int route_read(const struct rtm_rib *rib, const struct rtm_route *r, struct route_pass *p)
{
	p->dest = r->dest;
	if (!p->dest)
		return RTM_EHANDLE;
	p->seq = rtm__seq16_read(&p->dest->node.aux);
	if (p->seq & 1u)
		return ROUTE_AGAIN;
	p->owner = r->owner;
	p->neighbour = r->neighbour;
	p->state = r->state;
	p->flags1 = r->flags1;
	p->flags = r->flags;
	p->pref = r->pref;
	p->views = r->views;
	p->esi = r->entity_specific;
	unsigned n;
	struct rtm_nexthop *const *nh = nexthops_read(rib, r, &n);
	if (!nh)
		return ROUTE_AGAIN;
	for (unsigned i = 0; i < n; i++)
		p->nh[i] = nh[i];
	p->n = n;
	unsigned bytes = rib->width / 8;
	for (unsigned i = 0; i < bytes; i++)
		p->key[i] = p->dest->node.key[i];
	p->len = p->dest->node.len;
	return 0;
}

/* seq_cst, as the queries' (dest.c). */
static void route_refs_take(struct route_pass *p)
{
	atomic_fetch_add_explicit(&p->dest->obj.crefs, 1, memory_order_seq_cst);
	if (p->neighbour)
		atomic_fetch_add_explicit(&p->neighbour->obj.crefs, 1, memory_order_seq_cst);
	for (unsigned i = 0; i < p->n; i++)
		atomic_fetch_add_explicit(&p->nh[i]->obj.crefs, 1, memory_order_seq_cst);
}

static unsigned reap_room(const struct rtm_reap_list *reap)
{
	return RTM_REAP_LIST_MAX - reap->n;
}

/* Gives back what route_refs_take took (reap has room: checked before). */
static void route_refs_give_back(struct rtm_rib *rib, struct route_pass *p, struct rtm_reap_list *reap)
{
	rtm__reap_give_back(rib, &p->dest->obj, RTM_HT_DEST, reap);
	if (p->neighbour)
		rtm__reap_give_back(rib, &p->neighbour->obj, RTM_HT_NEXTHOP, reap);
	for (unsigned i = 0; i < p->n; i++)
		rtm__reap_give_back(rib, &p->nh[i]->obj, RTM_HT_NEXTHOP, reap);
}

/* Fills info from a pass whose references are taken. */
static void fill_info(struct rtm_rib *rib, const struct route_pass *p, PRTM_ROUTE_INFO info)
{
	info->DestHandle = rtm__rib_handle(rib, &p->dest->obj);
	info->RouteOwner = rtm__entity_handle(p->owner);
	info->Neighbour = p->neighbour ? rtm__rib_handle(rib, &p->neighbour->obj) : NULL;
	info->State = p->state;
	info->Flags1 = p->flags1;
	info->Flags = p->flags;
	info->PrefInfo = p->pref;
	info->BelongsToViews = p->views;
	info->EntitySpecificInfo = p->esi;
	info->NextHopsList.NumNextHops = (USHORT)p->n;
	for (unsigned i = 0; i < p->n; i++)
		info->NextHopsList.NextHops[i] = rtm__rib_handle(rib, &p->nh[i]->obj);
}

int rtm__route_info_query(struct rtm_rib *rib, HANDLE h, PRTM_ROUTE_INFO info, RTM_NET_ADDRESS *addr,
			  struct rtm_reap_list *reap)
{
	struct route_pass p;
	for (unsigned tries = 0;; tries++) {
		rtm__read_relax(tries);
		struct rtm_route *r = (struct rtm_route *)rtm__rib_lookup_optimistic(rib, h, RTM_HT_ROUTE);
		if (!r)
			return RTM_EHANDLE;
		int e = route_read(rib, r, &p);
		if (e == ROUTE_AGAIN || (!e && rtm__seq16_changed(&p.dest->node.aux, p.seq)))
			continue;
		if (e)
			return e;
		if (info) {
			/*
			 * The route keeps its destination, owner and next hops while
			 * it exists, and it still existed when looked up again after
			 * the references were taken (the owner's too: once the route
			 * is gone, nothing else may keep the owner's slot); a writer
			 * that frees the destination opens its count first (dest.h).
			 * Room to list what a failed check gives back is made before
			 * anything is taken.
			 */
			if (reap_room(reap) < 2 + p.n)
				return RTM_ENOMORE;
			route_refs_take(&p);
			rtm__entity_ref_client_local(p.owner);
			if (rtm__seq16_changed(&p.dest->node.aux, p.seq) ||
			    rtm__rib_lookup_optimistic(rib, h, RTM_HT_ROUTE) != &r->obj) {
				route_refs_give_back(rib, &p, reap);
				rtm__entity_unref_client_local(p.owner);
				continue;
			}
		}
		break;
	}
	if (info)
		fill_info(rib, &p, info);
	if (addr)
		rtm__netaddr_from_key(addr, rib->family, rib->width, p.key, p.len);
	return 0;
}

/* ---- matching criteria (RtmGetExactMatchRoute, route enumerations) ------------- */

/* What a match reads of a route, as a pass read it (checked afterwards). */
struct route_parts {
	struct rtm_entity *owner;
	struct rtm_nexthop *neighbour;
	RTM_PREF_INFO pref;
	unsigned n;
	struct rtm_nexthop *const *nh;
};

/* Do these parts match the RTM_MATCH_* criteria? */
RTM_OPTIMISTIC static bool parts_match(const struct rtm_rib *rib, const struct route_parts *m, RTM_MATCH_FLAGS flags,
				       const RTM_ROUTE_INFO *criteria, ULONG ifindex)
{
	if ((flags & RTM_MATCH_OWNER) && rtm__entity_handle(m->owner) != criteria->RouteOwner)
		return false;
	if (flags & RTM_MATCH_NEIGHBOUR) {
		HANDLE n = m->neighbour ? rtm__rib_handle(rib, &m->neighbour->obj) : NULL;
		if (n != criteria->Neighbour)
			return false;
	}
	if ((flags & RTM_MATCH_PREF) && (m->pref.Preference != criteria->PrefInfo.Preference ||
					 m->pref.Metric != criteria->PrefInfo.Metric))
		return false;
	if (flags & RTM_MATCH_NEXTHOP) {
		if (criteria->NextHopsList.NumNextHops == 0) {
			if (m->n)
				return false;
		} else {
			bool found = false;
			for (unsigned i = 0; i < m->n && !found; i++)
				found = rtm__rib_handle(rib, &m->nh[i]->obj) == criteria->NextHopsList.NextHops[0];
			if (!found)
				return false;
		}
	}
	if (flags & RTM_MATCH_INTERFACE) {
		/* The interface is part of a next hop's key: it never changes. */
		bool found = false;
		for (unsigned i = 0; i < m->n && !found; i++)
			found = m->nh[i]->info.InterfaceIndex == ifindex;
		if (!found)
			return false;
	}
	return true;
}

/* ---- RtmIsBestRoute and RtmGetExactMatchRoute ----------------------------------- */

enum { ROUTE_STEPS = 1u << 16 }; /* bounds each walk: a reader that crossed a change may meet a cycle */

/* One optimistic read: the views in which r is the first of its
 * destination's routes in that view (rtm__dest_best with no protocol). */
RTM_OPTIMISTIC static int best_read(const struct rtm_route *r, struct rtm_dest **dest, uint16_t *seq,
				    RTM_VIEW_SET *best)
{
	struct rtm_dest *d = r->dest;
	if (!d)
		return RTM_EHANDLE;
	*dest = d;
	*seq = rtm__seq16_read(&d->node.aux);
	if (*seq & 1u)
		return ROUTE_AGAIN;
	*best = 0;
	if (r->obj.dead)
		return 0;
	RTM_VIEW_SET views = r->views, seen = 0;
	unsigned steps = 0;
	for (const struct rtm_route *x = d->routes; x && (views & ~seen) && steps < ROUTE_STEPS;
	     x = x->next, steps++) {
		if (x == r)
			*best |= views & ~seen;
		seen |= x->views;
	}
	return 0;
}

int rtm__route_best_query(struct rtm_rib *rib, HANDLE h, RTM_VIEW_SET *best)
{
	for (unsigned tries = 0;; tries++) {
		rtm__read_relax(tries);
		struct rtm_route *r = (struct rtm_route *)rtm__rib_lookup_optimistic(rib, h, RTM_HT_ROUTE);
		if (!r)
			return RTM_EHANDLE;
		struct rtm_dest *d;
		uint16_t seq;
		RTM_VIEW_SET b;
		int e = best_read(r, &d, &seq, &b);
		if (e == ROUTE_AGAIN)
			continue;
		if (e)
			return e;
		if (rtm__seq16_changed(&d->node.aux, seq) ||
		    rtm__rib_lookup_optimistic(rib, h, RTM_HT_ROUTE) != &r->obj)
			continue;
		*best = b;
		return 0;
	}
}

/* One optimistic pass of an exact match: *found the first route that
 * matches, read whole into p, or NULL (p->dest the destination, if any). */
RTM_OPTIMISTIC static int exact_read(const struct rtm_rib *rib, const struct rtm_route_match *q,
				     struct route_pass *p, uint32_t *trie_seq, struct rtm_route **found)
{
	*found = NULL;
	p->dest = NULL;
	*trie_seq = rtm__seq_read(&rib->trie_seq);
	if (*trie_seq & 1u)
		return ROUTE_AGAIN;
	struct rtm_dest *d = rtm__dest_of_node(rtm__trie_find_exact(&rib->trie, q->key, q->len));
	if (!d)
		return 0;
	uint16_t seq = rtm__seq16_read(&d->node.aux);
	if (seq & 1u)
		return ROUTE_AGAIN;
	p->dest = d;
	p->seq = seq;
	unsigned steps = 0;
	for (const struct rtm_route *r = d->routes; r && steps < ROUTE_STEPS; r = r->next, steps++) {
		if (q->views && !(r->views & q->views))
			continue;
		unsigned n;
		struct rtm_nexthop *const *nh = nexthops_read(rib, r, &n);
		if (!nh)
			return ROUTE_AGAIN;
		struct route_parts m = { r->owner, r->neighbour, r->pref, n, nh };
		if (!parts_match(rib, &m, q->flags, q->criteria, q->ifindex))
			continue;
		int e = route_read(rib, r, p);
		if (e || p->dest != d || p->seq != seq)
			return ROUTE_AGAIN;
		*found = (struct rtm_route *)r;
		return 0;
	}
	return 0;
}

int rtm__route_exact_query(struct rtm_rib *rib, const struct rtm_route_match *q, PRTM_ROUTE_INFO info,
			   HANDLE *out, struct rtm_reap_list *reap)
{
	struct route_pass p;
	struct rtm_route *r;
	for (unsigned tries = 0;; tries++) {
		rtm__read_relax(tries);
		uint32_t ts;
		if (exact_read(rib, q, &p, &ts, &r) == ROUTE_AGAIN)
			continue;
		if (!r) {
			/* No destination: the trie vouches; no route: its count. */
			if (p.dest ? rtm__seq16_changed(&p.dest->node.aux, p.seq) : rtm__seq_changed(&rib->trie_seq, ts))
				continue;
			return RTM_ENOENT;
		}
		if (rtm__seq16_changed(&p.dest->node.aux, p.seq))
			continue;
		/* As rtm__route_info_query: referenced, then checked again; a
		 * route still linked to its destination is not freed. */
		if (reap_room(reap) < 3 + p.n)
			return RTM_ENOMORE;
		if (out)
			atomic_fetch_add_explicit(&r->obj.crefs, 1, memory_order_seq_cst);
		if (info) {
			route_refs_take(&p);
			rtm__entity_ref_client_local(p.owner);
		}
		if (!rtm__seq16_changed(&p.dest->node.aux, p.seq))
			break;
		if (out)
			rtm__reap_give_back(rib, &r->obj, RTM_HT_ROUTE, reap);
		if (info) {
			route_refs_give_back(rib, &p, reap);
			rtm__entity_unref_client_local(p.owner);
		}
	}
	if (out)
		*out = rtm__rib_handle(rib, &r->obj);
	if (info)
		fill_info(rib, &p, info);
	return 0;
}

/* ---- route enumerations (api/enum.c) ------------------------------------------- */

/* Is r, a route of d (linked, or d's hold-down route), one f wants? */
RTM_OPTIMISTIC static bool wanted_read(const struct rtm_rib *rib, const struct rtm_route_filter *f,
				       const struct rtm_dest *d, const struct rtm_route *r)
{
	if (r->obj.dead) {
		const struct rtm_dest_ext *ext = d->ext;
		if (f->views || !ext || ext->hold_route != r)
			return false;
	} else if (f->views && !(r->views & f->views)) {
		return false;
	}
	if (f->own && r->owner != f->own)
		return false;
	unsigned n;
	struct rtm_nexthop *const *nh = nexthops_read(rib, r, &n);
	if (!nh)
		return false; /* being made: the count does not hold, and the caller sees it */
	struct route_parts m = { r->owner, r->neighbour, r->pref, n, nh };
	return parts_match(rib, &m, f->match, f->criteria, f->ifindex);
}

/* Route r (found by handle) and whether f wants it, in one read. */
RTM_OPTIMISTIC static int one_read(const struct rtm_rib *rib, const struct rtm_route_filter *f,
				   const struct rtm_route *r, struct rtm_dest **dest, uint16_t *seq, bool *want)
{
	struct rtm_dest *d = r->dest;
	if (!d)
		return RTM_EHANDLE;
	*dest = d;
	*seq = rtm__seq16_read(&d->node.aux);
	if (*seq & 1u)
		return ROUTE_AGAIN;
	*want = wanted_read(rib, f, d, r);
	return 0;
}

/* One pass over d's candidates (its routes, then its hold-down route): *m
 * wanted, the first n_first of them in first[], the next n_then as handles
 * in then[]. */
RTM_OPTIMISTIC static int candidates_read(const struct rtm_rib *rib, const struct rtm_route_filter *f,
					  const struct rtm_dest *d, uint16_t *seq, struct rtm_route **first,
					  uint32_t n_first, HANDLE *then, uint32_t n_then, uint32_t *m)
{
	if (__atomic_load_n(&d->obj.type, __ATOMIC_ACQUIRE) != RTM_HT_DEST)
		return RTM_ENOENT;
	*seq = rtm__seq16_read(&d->node.aux);
	if (*seq & 1u)
		return ROUTE_AGAIN;
	const struct rtm_dest_ext *ext = d->ext;
	struct rtm_route *hold = ext ? ext->hold_route : NULL;
	uint32_t k = 0;
	unsigned steps = 0;
	for (struct rtm_route *r = d->routes ? d->routes : hold; r && steps < ROUTE_STEPS;
	     r = r == hold ? NULL : r->next ? r->next : hold, steps++) {
		if (!wanted_read(rib, f, d, r))
			continue;
		if (k < n_first)
			first[k] = r;
		else if (k - n_first < n_then)
			then[k - n_first] = rtm__handle_encode(r->obj.type, rib->index, r->obj.slot, r->obj.gen);
		k++;
	}
	*m = k;
	return 0;
}

int rtm__route_enum_dest(struct rtm_rib *rib, struct rtm_dest *d, const struct rtm_route_filter *f,
			 HANDLE *out, uint32_t room, HANDLE *rest, uint32_t rest_cap, uint32_t *n_out,
			 uint32_t *n_rest, struct rtm_reap_list *reap)
{
	/* Only as many are referenced as a failed check could give back; the
	 * others are owed (rest[]), as those beyond room are. */
	uint32_t take = room < reap_room(reap) ? room : reap_room(reap);
	if (take == 0 && room)
		return RTM_ENOMORE;
	/* The routes to reference go in out[] as pointers first (a HANDLE
	 * holds one), and become handles once the count vouches for them. */
	struct rtm_route **cand = (struct rtm_route **)(void *)out;
	for (unsigned tries = 0;; tries++) {
		rtm__read_relax(tries);
		uint16_t seq;
		uint32_t m;
		int e = candidates_read(rib, f, d, &seq, cand, take, rest, rest_cap, &m);
		if (e == ROUTE_AGAIN || (!e && rtm__seq16_changed(&d->node.aux, seq)))
			continue;
		if (e)
			return e;
		uint32_t got = m < take ? m : take, more = m - got;
		if (more > rest_cap) {
			*n_rest = more; /* the room rest[] needs: the caller makes it and asks again */
			return RTM_EBUFFER;
		}
		for (uint32_t k = 0; k < got; k++)
			atomic_fetch_add_explicit(&cand[k]->obj.crefs, 1, memory_order_seq_cst);
		if (rtm__seq16_changed(&d->node.aux, seq)) {
			for (uint32_t k = 0; k < got; k++)
				rtm__reap_give_back(rib, &cand[k]->obj, RTM_HT_ROUTE, reap);
			continue;
		}
		for (uint32_t k = 0; k < got; k++)
			out[k] = rtm__rib_handle(rib, &cand[k]->obj);
		*n_out = got;
		*n_rest = more;
		return 0;
	}
}

int rtm__route_enum_handle(struct rtm_rib *rib, HANDLE h, const struct rtm_route_filter *f, HANDLE *out,
			   struct rtm_reap_list *reap)
{
	if (reap_room(reap) < 1)
		return RTM_ENOMORE;
	for (unsigned tries = 0;; tries++) {
		rtm__read_relax(tries);
		struct rtm_route *r = (struct rtm_route *)rtm__rib_lookup_optimistic(rib, h, RTM_HT_ROUTE);
		if (!r)
			return RTM_ENOENT;
		struct rtm_dest *d;
		uint16_t seq;
		bool want;
		int e = one_read(rib, f, r, &d, &seq, &want);
		if (e == ROUTE_AGAIN || (!e && rtm__seq16_changed(&d->node.aux, seq)))
			continue;
		if (e || !want)
			return RTM_ENOENT;
		atomic_fetch_add_explicit(&r->obj.crefs, 1, memory_order_seq_cst);
		if (rtm__seq16_changed(&d->node.aux, seq) ||
		    rtm__rib_lookup_optimistic(rib, h, RTM_HT_ROUTE) != &r->obj) {
			rtm__reap_give_back(rib, &r->obj, RTM_HT_ROUTE, reap);
			continue;
		}
		*out = h;
		return 0;
	}
}
