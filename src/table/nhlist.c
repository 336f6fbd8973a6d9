/*
 * nhlist.c — next-hop lists shared by routes.
 *
 * A route names its next hops through a list.  Routes with the same next
 * hops in the same order (the routes a protocol learned over one neighbour,
 * the equal-cost paths of a peer group) share one list, stored once per RIB
 * with a count of the routes that name it; a full table learned over a
 * handful of links has a handful of lists.  A route with none names the
 * static empty list.  Lists are found by a hash of their next hops in an
 * open-chained table that doubles when it holds more lists than buckets (a
 * doubling that fails leaves longer chains, never a failed add).
 *
 * A list never changes once made: a route that changes its next hops names
 * another list.  So a lock-free reader loads the route's one pointer and
 * takes the count and the array from the list, which are always one
 * moment's; a list no route names any more is unlinked at once and freed
 * through the RIB's limbo.
 */
#include "nhlist.h"

#include "alloc.h"
#include "epoch.h"

#include <string.h>

struct rtm_nh_list rtm__nhlist_none;

enum { BUCKETS_MIN = 64 };

static uint32_t hash_of(struct rtm_nexthop *const *nh, unsigned n)
{
	uint64_t h = n;
	for (unsigned i = 0; i < n; i++)
		h = (h ^ ((uintptr_t)nh[i] >> 4)) * 0x9E3779B97F4A7C15ull;
	return (uint32_t)(h >> 32);
}

/* Doubles the table (or makes it); false when out of memory. */
static bool grow(struct rtm_nh_lists *t)
{
	uint32_t nb = t->nbuckets ? t->nbuckets * 2 : BUCKETS_MIN;
	struct rtm_nh_list **b = rtm__calloc(nb, sizeof(*b));
	if (!b)
		return false;
	for (uint32_t i = 0; i < t->nbuckets; i++)
		for (struct rtm_nh_list *l = t->buckets[i], *next; l; l = next) {
			next = l->chain;
			l->chain = b[l->hash & (nb - 1)];
			b[l->hash & (nb - 1)] = l;
		}
	rtm__free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
	return true;
}

struct rtm_nh_list *rtm__nhlist_get(struct rtm_rib *rib, struct rtm_nexthop *const *nh, unsigned n)
{
	if (n == 0)
		return &rtm__nhlist_none;
	struct rtm_nh_lists *t = &rib->nhlists;
	uint32_t h = hash_of(nh, n);
	if (t->nbuckets) {
		for (struct rtm_nh_list *l = t->buckets[h & (t->nbuckets - 1)]; l; l = l->chain)
			if (l->hash == h && l->n == n && memcmp(l->nh, nh, n * sizeof(*nh)) == 0) {
				l->refs++;
				return l;
			}
	}
	if (!t->nbuckets && !grow(t))
		return NULL;
	struct rtm_nh_list *l = rtm__malloc(sizeof(*l) + n * sizeof(l->nh[0]));
	if (!l)
		return NULL;
	l->refs = 1;
	l->hash = h;
	l->n = (uint16_t)n;
	memcpy(l->nh, nh, n * sizeof(*nh));
	if (t->count >= t->nbuckets)
		(void)grow(t); /* longer chains if it fails */
	l->chain = t->buckets[h & (t->nbuckets - 1)];
	t->buckets[h & (t->nbuckets - 1)] = l;
	t->count++;
	return l;
}

void rtm__nhlist_put(struct rtm_rib *rib, struct rtm_nh_list *l)
{
	if (l == &rtm__nhlist_none || --l->refs)
		return;
	struct rtm_nh_lists *t = &rib->nhlists;
	struct rtm_nh_list **p = &t->buckets[l->hash & (t->nbuckets - 1)];
	while (*p != l)
		p = &(*p)->chain;
	*p = l->chain;
	t->count--;
	rtm__limbo_retire(&rib->limbo, l, rtm__free_cb, NULL);
}

void rtm__nhlists_fini(struct rtm_rib *rib)
{
	rtm__free(rib->nhlists.buckets);
	memset(&rib->nhlists, 0, sizeof(rib->nhlists));
}
