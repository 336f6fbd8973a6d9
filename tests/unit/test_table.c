/*
 * test_table.c — the table layer alone: destinations, routes, next hops,
 * best-route choice, change detection, lifetime and the timer hooks,
 * driven through table/ functions on a RIB built by hand.
 *
 * It links base/ and table/ only (the Makefile's unit rule): no registry,
 * no client locks, no events, no entry points.  The table's only upcalls,
 * the fires of its timers (rtm_table_hooks), are stubs here that count
 * what was armed.  Every function is called with the lock mode it says it
 * needs, which a single thread trivially has.
 */
#include "../testlib.h"

#include "alloc.h"
#include "changes.h"
#include "dest.h"
#include "entity.h"
#include "error.h"
#include "lifetime.h"
#include "netaddr.h"
#include "nexthop.h"
#include "route.h"
#include "trie_check.h"

#include <arpa/inet.h>

/* ---- a RIB built by hand ------------------------------------------------------ */

static unsigned fired_expired, fired_hold;

static void stub_expired(struct rtm_timer *timer, void *rib)
{
	(void)timer;
	(void)rib;
	fired_expired++;
}

static void stub_hold(struct rtm_timer *timer, void *rib)
{
	(void)timer;
	(void)rib;
	fired_hold++;
}

static const struct rtm_table_hooks stub_hooks = { stub_expired, stub_hold };

static struct rtm_rib *rib_make(void)
{
	struct rtm_rib *rib = calloc(1, sizeof(*rib));
	if (!rib)
		return NULL;
	rib->index = 5;
	rib->family = AF_INET;
	rib->width = 32;
	rtm__config_defaults(&rib->cfg);
	rtm__rib_tables_init(rib);
	rtm__link_init(&rib->entities);
	rib->notify_room = SIZE_MAX;
	rib->hooks = &stub_hooks;
	if (rtm__timer_service_init(&rib->timers, rib)) {
		free(rib);
		return NULL;
	}
	return rib;
}

/* An entity of rib, as registration would leave it. */
static struct rtm_entity *entity_make(struct rtm_rib *rib, ULONG proto)
{
	struct rtm_entity *e = NULL;
	if (rtm__entity_slot_alloc(&e))
		return NULL;
	e->opaque_slot = -1;
	e->nexthops = NULL;
	e->n_nexthops = e->cap_nexthops = 0;
	rtm__link_init(&e->lists);
	rtm__link_init(&e->enums);
	rtm__link_init(&e->notifies);
	atomic_store(&e->refs, 1);
	atomic_store(&e->client_refs, 0);
	rtm__link_add_tail(&rib->entities, &e->rib_link);
	rib->n_entities++;
	e->rib = rib;
	memset(&e->info, 0, sizeof(e->info));
	e->info.AddressFamily = AF_INET;
	e->info.EntityId.EntityProtocolId = proto;
	atomic_store(&e->state, RTM_ENT_LIVE);
	return e;
}

/* Takes e out as deregistration does: routes, next hops, its slot. */
static void entity_end(struct rtm_rib *rib, struct rtm_entity *e)
{
	atomic_store(&e->state, RTM_ENT_GONE);
	rtm__routes_remove_owned(rib, e);
	rtm__nexthops_remove_owned(rib, e);
	rtm__link_unlink(&e->rib_link);
	rib->n_entities--;
	rtm__entity_unref(e);
}

static void rib_end(struct rtm_rib *rib)
{
	rtm__timer_service_fini(&rib->timers);
	CHECK_U(rib->stats.dests, 0);
	CHECK_U(rib->stats.routes, 0);
	CHECK_U(rib->stats.nexthops, 0);
	CHECK_U(rib->handles.used, 0);
	CHECK_U(rib->dest_arena.live, 0);
	CHECK_U(rib->route_arena.live, 0);
	rtm__rib_tables_release_memory(rib);
	CHECK_U(rib->limbo.pending, 0);
	CHECK_U(rib->route_arena.in_use, 0);
	CHECK_U(rib->dest_arena.in_use, rib->spare_dest ? 1 : 0);
	rtm__rib_tables_fini(rib);
	CHECK_U(rib->route_arena.pool.mapped, 0);
	CHECK_U(rib->dest_arena.pool.mapped, 0);
	free(rib);
}

static RTM_NET_ADDRESS addr(const char *text, unsigned len)
{
	RTM_NET_ADDRESS a;
	memset(&a, 0, sizeof(a));
	a.AddressFamily = AF_INET;
	a.NumBits = (USHORT)len;
	struct in_addr in;
	inet_pton(AF_INET, text, &in);
	memcpy(a.AddrBits, &in, 4);
	return a;
}

static struct rtm_nexthop *nexthop(struct rtm_rib *rib, struct rtm_entity *e, const char *text)
{
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress = addr(text, 32);
	ni.InterfaceIndex = 1;
	struct rtm_nexthop *nh = NULL;
	CHECK_U(rtm__nexthop_add(rib, e, &ni, &nh), 0);
	return nh;
}

/* Adds (or changes) e's route to dest via n next hops; the route, or NULL. */
static struct rtm_route *add_n(struct rtm_rib *rib, struct rtm_entity *e, const char *dest, unsigned len,
			       ULONG pref, ULONG metric, RTM_VIEW_SET views, struct rtm_nexthop *const *nh,
			       unsigned n, ULONG ttl, DWORD *flags)
{
	union {
		RTM_ROUTE_INFO info;
		char bytes[RTM_SIZE_OF_ROUTE_INFO(8)];
	} b;
	memset(&b, 0, sizeof(b));
	b.info.PrefInfo.Preference = pref;
	b.info.PrefInfo.Metric = metric;
	b.info.BelongsToViews = views;
	b.info.NextHopsList.NumNextHops = (USHORT)n;
	RTM_NEXTHOP_HANDLE *hs = b.info.NextHopsList.NextHops; /* declared [1]; the union has room */
	for (unsigned i = 0; i < n && i < 8; i++)
		hs[i] = rtm__rib_handle(rib, &nh[i]->obj);
	RTM_NET_ADDRESS a = addr(dest, len);
	struct rtm_route *route = NULL;
	DWORD fl = 0;
	int err = rtm__route_add(rib, e, &a, NULL, &b.info, ttl, NULL, 0, &route, &fl);
	CHECK_U(err, 0);
	if (flags)
		*flags = fl;
	return err ? NULL : route;
}

/* The same via one next hop (or none). */
static struct rtm_route *add(struct rtm_rib *rib, struct rtm_entity *e, const char *dest, unsigned len,
			     ULONG pref, ULONG metric, RTM_VIEW_SET views, struct rtm_nexthop *nh,
			     ULONG ttl, DWORD *flags)
{
	return add_n(rib, e, dest, len, pref, metric, views, &nh, nh ? 1 : 0, ttl, flags);
}

static struct rtm_dest *dest_at(struct rtm_rib *rib, const char *text, unsigned len)
{
	RTM_NET_ADDRESS a = addr(text, len);
	uint8_t key[16];
	rtm__netaddr_key(&a, 32, key);
	return rtm__dest_find(rib, key, len);
}

/* ---- tests ---------------------------------------------------------------------- */

/* Best route per view by preference, then metric; change flags; counts. */
static void test_best_route(void)
{
	struct rtm_rib *rib = rib_make();
	REQUIRE(rib);
	struct rtm_entity *a = entity_make(rib, 8), *b = entity_make(rib, 13);
	REQUIRE(a && b);
	struct rtm_nexthop *na = nexthop(rib, a, "192.0.2.1"), *nb = nexthop(rib, b, "192.0.2.2");
	DWORD fl;
	struct rtm_route *ra = add(rib, a, "10.0.0.0", 8, 20, 5, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST,
				   na, INFINITE, &fl);
	CHECK_U(fl, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	struct rtm_route *rb = add(rib, b, "10.0.0.0", 8, 10, 9, RTM_VIEW_MASK_UCAST, nb, INFINITE, &fl);
	CHECK_U(fl, RTM_ROUTE_CHANGE_NEW | RTM_ROUTE_CHANGE_BEST);
	struct rtm_dest *d = dest_at(rib, "10.0.0.0", 8);
	REQUIRE(d);
	CHECK_U(d->n_routes, 2);
	CHECK(rtm__dest_best(d, 0, 0) == rb); /* unicast: preference 10 beats 20 */
	CHECK(rtm__dest_best(d, 1, 0) == ra); /* multicast: b's route is not in it */
	CHECK(rtm__dest_best(d, 0, 8) == ra); /* among protocol 8's routes */
	/* b's route gets worse than a's: the best moves. */
	add(rib, b, "10.0.0.0", 8, 30, 9, RTM_VIEW_MASK_UCAST, nb, INFINITE, &fl);
	CHECK_U(fl, RTM_ROUTE_CHANGE_BEST);
	CHECK(rtm__dest_best(d, 0, 0) == ra);
	CHECK_U(rib->stats.routes, 2);
	CHECK_U(rib->stats.dests, 1);
	CHECK_U(rib->stats.nexthops, 2);
	CHECK(rtm__trie_check(&rib->trie) == 0);
	CHECK(rtm__dests_check_order(rib) == 0);
	entity_end(rib, a);
	CHECK(rtm__dest_best(d, 0, 0) == rb);
	CHECK(rtm__dest_best(d, 1, 0) == NULL);
	entity_end(rib, b);
	rib_end(rib);
}

/* What a change did, per view, as the notification queues see it. */
static void test_change_detection(void)
{
	struct rtm_rib *rib = rib_make();
	REQUIRE(rib);
	struct rtm_entity *a = entity_make(rib, 8);
	REQUIRE(a);
	struct rtm_nexthop *n1 = nexthop(rib, a, "192.0.2.1");
	struct rtm_route *r = add(rib, a, "10.1.0.0", 16, 10, 1, RTM_VIEW_MASK_UCAST, n1, INFINITE, NULL);
	REQUIRE(r);
	struct rtm_dest *d = r->dest;
	struct rtm_dest_state before, after;
	struct rtm_dest_change ch;
	/* A metric change of the best route: BEST and FORWARDING in unicast. */
	rtm__dest_state(rib, d, &before);
	add(rib, a, "10.1.0.0", 16, 10, 2, RTM_VIEW_MASK_UCAST, n1, INFINITE, NULL);
	rtm__dest_state(rib, d, &after);
	rtm__dest_diff(rib, &before, &after, RTM_VIEW_MASK_UCAST, &ch);
	CHECK_U(ch.all, RTM_VIEW_MASK_UCAST);
	CHECK_U(ch.best, RTM_VIEW_MASK_UCAST);
	CHECK_U(ch.fwd, RTM_VIEW_MASK_UCAST);
	/* No change at all: nothing in any view but ALL for the touched view. */
	rtm__dest_state(rib, d, &before);
	rtm__dest_state(rib, d, &after);
	rtm__dest_diff(rib, &before, &after, 0, &ch);
	CHECK_U(ch.all | ch.best | ch.fwd, 0);
	entity_end(rib, a);
	rib_end(rib);
}

/* The in-place protocol's reference moves, counted exactly. */
static void test_inplace_references(void)
{
	struct rtm_rib *rib = rib_make();
	REQUIRE(rib);
	struct rtm_entity *a = entity_make(rib, 8);
	REQUIRE(a);
	struct rtm_nexthop *n1 = nexthop(rib, a, "192.0.2.1"), *n2 = nexthop(rib, a, "192.0.2.2");
	struct rtm_route *r = add(rib, a, "10.1.0.0", 16, 10, 1, RTM_VIEW_MASK_UCAST, n1, INFINITE, NULL);
	REQUIRE(r);
	CHECK_U(n1->route_refs, 1);
	CHECK_U(rtm__obj_client_refs(&n1->obj), 0);
	PRTM_ROUTE_INFO p = rtm__route_shadow_get(rib, r);
	REQUIRE(p);
	/* The client puts n2 in without a reference: refused, nothing moved. */
	p->NextHopsList.NextHops[0] = rtm__rib_handle(rib, &n2->obj);
	DWORD fl;
	CHECK_U(rtm__route_update_inplace(rib, a, r, INFINITE, NULL, &fl), RTM_EHANDLE);
	CHECK_U(n1->route_refs, 1);
	CHECK_U(n2->route_refs, 0);
	/* With the client's reference: the route takes it over; n1's route
	 * reference goes with the commit (the API's lock lent its holder one,
	 * which the holder releases: not here, no lock at this layer). */
	rtm__obj_ref(&n2->obj);
	CHECK_U(rtm__route_update_inplace(rib, a, r, INFINITE, NULL, &fl), 0);
	CHECK_U(n2->route_refs, 1);
	CHECK_U(rtm__obj_client_refs(&n2->obj), 0);
	CHECK_U(n1->route_refs, 0);
	CHECK_U(rtm__obj_refs(&n1->obj), 0);
	/* An edit naming n2 twice needs two references: one is not enough. */
	p = rtm__route_shadow_get(rib, r);
	p->NextHopsList.NumNextHops = 2;
	(&p->NextHopsList.NextHops[0])[1] = rtm__rib_handle(rib, &n2->obj);
	rtm__obj_ref(&n2->obj);
	CHECK_U(rtm__route_update_inplace(rib, a, r, INFINITE, NULL, &fl), RTM_EHANDLE);
	CHECK_U(rtm__obj_client_refs(&n2->obj), 1); /* the failed commit took nothing */
	CHECK_U(n2->route_refs, 1);
	rtm__obj_unref_locked(rib, &n2->obj);
	entity_end(rib, a);
	rib_end(rib);
}

/* A lifetime arms the expiry hook; a delete cancels it; a route's deletion
 * frees it and its destination once nothing keeps them. */
static void test_lifetime_and_timers(void)
{
	struct rtm_rib *rib = rib_make();
	REQUIRE(rib);
	struct rtm_entity *a = entity_make(rib, 8);
	REQUIRE(a);
	struct rtm_nexthop *n1 = nexthop(rib, a, "192.0.2.1");
	struct rtm_route *r = add(rib, a, "10.2.0.0", 16, 10, 1, RTM_VIEW_MASK_UCAST, n1, 600000, NULL);
	REQUIRE(r);
	CHECK_U(rtm__timer_pending(&rib->timers), 1);
	CHECK(r->ext && r->ext->shadow); /* Context2 of the expiry, allocated with the timer */
	HANDLE h = rtm__rib_handle(rib, &r->obj);
	rtm__obj_ref(&r->obj); /* a client's handle */
	CHECK(rtm__route_delete(rib, r));
	CHECK_U(rtm__timer_pending(&rib->timers), 0);
	/* Deleted but referenced: it answers, its destination stays. */
	CHECK(rtm__route_lookup(rib, h) == r);
	CHECK_U(r->state, RTM_ROUTE_STATE_DELETED);
	CHECK_U(rib->stats.dests, 1);
	rtm__obj_unref_locked(rib, &r->obj);
	CHECK(rtm__route_lookup(rib, h) == NULL);
	CHECK_U(rib->stats.routes, 0);
	CHECK_U(rib->stats.dests, 0);
	/* Hold-down: the last route of a marked destination is held, with the
	 * hold hook armed; finishing the hold frees it all. */
	r = add(rib, a, "10.3.0.0", 16, 10, 1, RTM_VIEW_MASK_UCAST, n1, INFINITE, NULL);
	REQUIRE(r);
	struct rtm_dest *d = r->dest;
	struct rtm_dest_ext *ext = rtm__dest_ext(rib, d);
	REQUIRE(ext);
	ext->hold_marked = RTM_VIEW_MASK_UCAST;
	ext->hold_time_ms = 600000;
	rtm__route_delete(rib, r);
	CHECK(ext->hold_route == r);
	CHECK_U(rtm__timer_pending(&rib->timers), 1);
	CHECK(rtm__dest_visible(d));
	rtm__dest_hold_finish(rib, d);
	CHECK_U(rib->stats.dests, 0);
	CHECK_U(rib->stats.routes, 0);
	CHECK_U(fired_expired + fired_hold, 0); /* nothing fired: all cancelled or ended */
	entity_end(rib, a);
	rib_end(rib);
}

/* Longest match skips destinations without a route in the asked views. */
static void test_longest_match(void)
{
	struct rtm_rib *rib = rib_make();
	REQUIRE(rib);
	struct rtm_entity *a = entity_make(rib, 8);
	REQUIRE(a);
	struct rtm_nexthop *n1 = nexthop(rib, a, "192.0.2.1");
	add(rib, a, "10.0.0.0", 8, 10, 1, RTM_VIEW_MASK_UCAST, n1, INFINITE, NULL);
	add(rib, a, "10.1.0.0", 16, 10, 1, RTM_VIEW_MASK_MCAST, n1, INFINITE, NULL);
	RTM_NET_ADDRESS q = addr("10.1.2.3", 32);
	uint8_t key[16];
	rtm__netaddr_key(&q, 32, key);
	struct rtm_dest *d = rtm__dest_longest_match(rib, key, 32, RTM_VIEW_MASK_UCAST);
	REQUIRE(d);
	CHECK_U(d->node.len, 8);
	d = rtm__dest_longest_match(rib, key, 32, RTM_VIEW_MASK_MCAST);
	REQUIRE(d);
	CHECK_U(d->node.len, 16);
	entity_end(rib, a);
	rib_end(rib);
}

/* Fails the insert of prefix at each allocation in turn until one failure
 * leaves a spare destination behind (a branch node that could not be had):
 * true once there is one, the table unchanged. */
static bool leave_a_spare(struct rtm_rib *rib, const char *prefix, unsigned len)
{
	RTM_NET_ADDRESS q = addr(prefix, len);
	struct rtm_dest *got = NULL;
	bool created = false;
	for (unsigned long n = 1; n < 20 && !rib->spare_dest; n++) {
		rtm__alloc_fail_at(n);
		int err = rtm__dest_get(rib, &q, &got, &created);
		rtm__alloc_fail_at(0);
		if (err != RTM_ENOMEM)
			return false;
	}
	return rib->spare_dest != NULL;
}

/*
 * A new destination is in the trie (a lock-free enumeration that seeks finds
 * it) a moment before it is in the chain of walk order.  In that moment a
 * reader that takes its link must be sent back by its count: once, the count
 * was even and the link empty, and a range enumeration that sought its way
 * there ended early (test_mt_enum, 543 destinations missed).
 */
static unsigned published_seen;
static uint8_t published_after_key[16];
static unsigned published_after_len;
static struct rtm_dest *published_succ;

static void check_published(struct rtm_rib *rib, struct rtm_dest *x)
{
	published_seen++;
	/* What an enumeration resuming after the previous destination finds. */
	struct rtm_dest *d = rtm__dest_seek_optimistic(rib, published_after_key, published_after_len, true);
	CHECK(d == x);
	uint16_t seq = __atomic_load_n(&x->node.aux, __ATOMIC_ACQUIRE);
	struct rtm_dest *next = __atomic_load_n(&x->next, __ATOMIC_ACQUIRE);
	/* Either the reader retries (odd count), or the link it reads is right. */
	CHECK((seq & 1u) || next == published_succ);
}

static void test_new_dest_before_its_link(void)
{
	struct rtm_rib *rib = rib_make();
	REQUIRE(rib);
	struct rtm_entity *a = entity_make(rib, 8);
	REQUIRE(a);
	struct rtm_nexthop *n1 = nexthop(rib, a, "192.0.2.1");
	add(rib, a, "10.1.0.0", 16, 10, 1, RTM_VIEW_MASK_UCAST, n1, INFINITE, NULL);
	add(rib, a, "10.3.0.0", 16, 10, 1, RTM_VIEW_MASK_UCAST, n1, INFINITE, NULL);
	RTM_NET_ADDRESS p = addr("10.1.0.0", 16), y = addr("10.3.0.0", 16);
	rtm__netaddr_key(&p, 32, published_after_key);
	published_after_len = 16;
	uint8_t ykey[16];
	rtm__netaddr_key(&y, 32, ykey);
	published_succ = rtm__dest_find(rib, ykey, 16);
	REQUIRE(published_succ);

	/* Between the two. */
	rtm__dest_test_published = check_published;
	add(rib, a, "10.2.0.0", 16, 10, 1, RTM_VIEW_MASK_UCAST, n1, INFINITE, NULL);
	rtm__dest_test_published = NULL;
	CHECK_U(published_seen, 1);

	/* Again from a spare destination: one that a failed insert left behind
	 * and that an add to an existing destination kept (rtm__dest_get).
	 * 10.2.1.0/24 next to 10.2.2.0/24 needs a branch node, whose allocation
	 * fails. */
	add(rib, a, "10.2.2.0", 24, 10, 1, RTM_VIEW_MASK_UCAST, n1, INFINITE, NULL);
	struct rtm_dest *got = NULL;
	bool created = false;
	REQUIRE(leave_a_spare(rib, "10.2.1.0", 24));
	CHECK_U(rtm__dest_get(rib, &p, &got, &created), 0);
	CHECK(!created && got->node.len == 16 && rib->spare_dest);
	RTM_NET_ADDRESS x = addr("10.2.0.0", 16), z = addr("10.2.2.0", 24);
	rtm__netaddr_key(&x, 32, published_after_key);
	rtm__netaddr_key(&z, 32, ykey);
	published_succ = rtm__dest_find(rib, ykey, 24);
	REQUIRE(published_succ);
	rtm__dest_test_published = check_published;
	add(rib, a, "10.2.1.0", 24, 10, 1, RTM_VIEW_MASK_UCAST, n1, INFINITE, NULL);
	rtm__dest_test_published = NULL;
	CHECK_U(published_seen, 2);
	CHECK(rib->spare_dest == NULL);
	CHECK_U(rib->stats.dests, 5);
	/* Every destination's count is even again once it is linked. */
	for (struct rtm_dest *d = rib->first_dest; d; d = d->next)
		CHECK_U(d->node.aux & 1u, 0);
	CHECK_U(rtm__dests_check_order(rib), 0);
	entity_end(rib, a);
	rib_end(rib);
}

/* A change to an existing destination needs no memory, even when a spare
 * destination is at hand and the notification queues have no room for one
 * more (their growth fails): the reservation is for new destinations. */
static void test_existing_dest_needs_no_memory(void)
{
	struct rtm_rib *rib = rib_make();
	REQUIRE(rib);
	struct rtm_entity *a = entity_make(rib, 8);
	REQUIRE(a);
	struct rtm_nexthop *n1 = nexthop(rib, a, "192.0.2.1");
	add(rib, a, "10.1.0.0", 16, 10, 1, RTM_VIEW_MASK_UCAST, n1, INFINITE, NULL);
	/* A spare, left by an insert whose branch node could not be had. */
	add(rib, a, "10.2.2.0", 24, 10, 1, RTM_VIEW_MASK_UCAST, n1, INFINITE, NULL);
	RTM_NET_ADDRESS q = addr("10.2.1.0", 24), p = addr("10.1.0.0", 16);
	struct rtm_dest *got = NULL;
	bool created = false;
	REQUIRE(leave_a_spare(rib, "10.2.1.0", 24));
	/* One queue, full: room for the destinations there are, no more. */
	struct rtm_notify n;
	memset(&n, 0, sizeof(n));
	pthread_mutex_init(&n.drain, NULL);
	REQUIRE(rtm__notify_ring_resize(&n, rib->stats.dests) == 0);
	rib->notify[0] = &n;
	rib->notify_used = 1;
	rtm__notify_update_room(rib);
	REQUIRE(rib->notify_room == rib->stats.dests);
	rtm__alloc_fail_at(1);
	CHECK_U(rtm__dest_get(rib, &p, &got, &created), 0);
	rtm__alloc_fail_at(0);
	CHECK(got && !created && got->node.len == 16);
	rtm__alloc_fail_at(1);
	CHECK_U(rtm__dest_get(rib, &q, &got, &created), RTM_ENOMEM); /* a new one does need it */
	rtm__alloc_fail_at(0);
	CHECK_U(rib->stats.dests, 2);
	rib->notify_used = 0;
	rib->notify[0] = NULL;
	rtm__notify_update_room(rib);
	free(n.ring);
	pthread_mutex_destroy(&n.drain);
	entity_end(rib, a);
	rib_end(rib);
}

/* Routes with the same next hops in the same order share one list; a list
 * goes with the last route that names it. */
static void test_shared_nexthop_lists(void)
{
	struct rtm_rib *rib = rib_make();
	REQUIRE(rib);
	struct rtm_entity *e = entity_make(rib, 8);
	REQUIRE(e);
	struct rtm_nexthop *a = nexthop(rib, e, "192.0.2.1"), *b = nexthop(rib, e, "192.0.2.2");
	struct rtm_nexthop *c = nexthop(rib, e, "192.0.2.3"), *d = nexthop(rib, e, "192.0.2.4");
	struct rtm_nexthop *abc[3] = { a, b, c }, *acb[3] = { a, c, b }, *abd[3] = { a, b, d };
	RTM_VIEW_SET u = RTM_VIEW_MASK_UCAST;
	struct rtm_route *r1 = add_n(rib, e, "10.0.0.0", 8, 10, 1, u, abc, 3, INFINITE, NULL);
	struct rtm_route *r2 = add_n(rib, e, "11.0.0.0", 8, 10, 1, u, abc, 3, INFINITE, NULL);
	struct rtm_route *r3 = add_n(rib, e, "12.0.0.0", 8, 10, 1, u, acb, 3, INFINITE, NULL);
	REQUIRE(r1 && r2 && r3);
	CHECK(r1->nhl == r2->nhl); /* stored once */
	CHECK(r3->nhl != r1->nhl); /* another order, another list */
	CHECK(r1->nhl->n == 3 && r1->nhl->nh[0] == a && r1->nhl->nh[1] == b && r1->nhl->nh[2] == c);
	CHECK(r3->nhl->nh[1] == c && r3->nhl->nh[2] == b);
	CHECK_U(rib->nhlists.count, 2);
	CHECK_U(a->route_refs, 3);
	/* r2 moves to other next hops: a new list; r1 keeps its own. */
	CHECK(add_n(rib, e, "11.0.0.0", 8, 10, 1, u, abd, 3, INFINITE, NULL) == r2);
	CHECK(r2->nhl != r1->nhl && r2->nhl->nh[2] == d);
	CHECK(r1->nhl->nh[2] == c);
	CHECK_U(rib->nhlists.count, 3);
	/* The same next hops again: the same list, still one reference each. */
	struct rtm_nh_list *before = r2->nhl;
	CHECK(add_n(rib, e, "11.0.0.0", 8, 20, 1, u, abd, 3, INFINITE, NULL) == r2);
	CHECK(r2->nhl == before);
	CHECK_U(rib->nhlists.count, 3);
	/* r1 and r3 go down to one next hop, the same: one list of one; r1's
	 * list of three goes. */
	CHECK(add(rib, e, "10.0.0.0", 8, 10, 1, u, a, INFINITE, NULL) == r1);
	CHECK(add(rib, e, "12.0.0.0", 8, 10, 1, u, a, INFINITE, NULL) == r3);
	CHECK(r1->n_nexthops == 1 && r1->nhl->n == 1 && r1->nhl->nh[0] == a && r3->nhl == r1->nhl);
	CHECK_U(rib->nhlists.count, 2);
	CHECK_U(b->route_refs, 1);
	/* No next hop: the empty list, which is not counted. */
	CHECK(add(rib, e, "12.0.0.0", 8, 10, 1, u, NULL, INFINITE, NULL) == r3);
	CHECK(r3->nhl->n == 0 && r3->n_nexthops == 0);
	CHECK_U(rib->nhlists.count, 2);
	entity_end(rib, e);
	CHECK_U(rib->nhlists.count, 0);
	rib_end(rib);
}

/* A destination's first route lives inside it (rib.h): no arena object, a
 * handle with RTM_ROUTE_INLINE and the destination's index and generation.
 * The place serves once per life of the destination; a destination freed
 * and made again at the same index gives its first route a new generation,
 * so the old handle stays stale.  Found by handle with and without the lock. */
static void test_first_route_inline(void)
{
	struct rtm_rib *rib = rib_make();
	REQUIRE(rib);
	struct rtm_entity *a = entity_make(rib, 8), *b = entity_make(rib, 13);
	REQUIRE(a && b);
	struct rtm_nexthop *na = nexthop(rib, a, "192.0.2.1"), *nb = nexthop(rib, b, "192.0.2.2");
	struct rtm_route *ra = add(rib, a, "10.0.0.0", 8, 20, 5, RTM_VIEW_MASK_UCAST, na, INFINITE, NULL);
	REQUIRE(ra);
	struct rtm_dest *d = dest_at(rib, "10.0.0.0", 8);
	REQUIRE(d);
	CHECK(ra == &d->first);
	CHECK(rtm__route_is_inline(ra));
	CHECK_U(ra->obj.slot, d->obj.slot | RTM_ROUTE_INLINE);
	CHECK_U(ra->obj.gen, d->obj.gen);
	CHECK_U(rib->route_arena.in_use, 0);
	HANDLE h = rtm__rib_handle(rib, &ra->obj);
	CHECK(rtm__route_lookup(rib, h) == ra);
	CHECK(rtm__rib_lookup_optimistic(rib, h, RTM_HT_ROUTE) == &ra->obj);
	/* Not a destination handle, and a destination handle is not a route's. */
	CHECK(rtm__rib_lookup(rib, h, RTM_HT_DEST) == NULL);
	CHECK(rtm__route_lookup(rib, rtm__rib_handle(rib, &d->obj)) == NULL);
	/* The second route of the destination comes from the arena. */
	struct rtm_route *rb = add(rib, b, "10.0.0.0", 8, 10, 9, RTM_VIEW_MASK_UCAST, nb, INFINITE, NULL);
	REQUIRE(rb);
	CHECK(rb != &d->first && !rtm__route_is_inline(rb));
	CHECK_U(rib->route_arena.in_use, 1);
	CHECK(rtm__dest_best(d, 0, 0) == rb);
	/* The first goes: its handle is stale, and the place is not used again
	 * while the destination lives. */
	rtm__route_delete(rib, ra);
	CHECK(rtm__route_lookup(rib, h) == NULL);
	CHECK(rtm__rib_lookup_optimistic(rib, h, RTM_HT_ROUTE) == NULL);
	CHECK_U(d->first.obj.type, 0);
	struct rtm_route *ra2 = add(rib, a, "10.0.0.0", 8, 20, 5, RTM_VIEW_MASK_UCAST, na, INFINITE, NULL);
	REQUIRE(ra2);
	CHECK(!rtm__route_is_inline(ra2));
	CHECK_U(rib->route_arena.in_use, 2);
	CHECK(rtm__route_lookup(rib, h) == NULL);
	CHECK_U(rib->stats.routes, 2);
	/* Every route goes, and the destination with them; destinations made
	 * after take its index again, with a new generation. */
	uint32_t index = d->obj.slot, gen = d->obj.gen;
	rtm__route_delete(rib, ra2);
	rtm__route_delete(rib, rb);
	CHECK_U(rib->stats.dests, 0);
	/* Freed, its index not yet reused: the handle finds nothing, read from
	 * the destination's header alone (ASan: the rest is poisoned). */
	CHECK(rtm__route_lookup(rib, h) == NULL);
	CHECK(rtm__rib_lookup_optimistic(rib, h, RTM_HT_ROUTE) == NULL);
	rtm__rib_tables_release_memory(rib);
	CHECK(rtm__route_lookup(rib, h) == NULL);
	CHECK(rtm__rib_lookup_optimistic(rib, h, RTM_HT_ROUTE) == NULL);
	static const char *const more[] = { "10.1.0.0", "10.2.0.0", "10.3.0.0", "10.4.0.0" };
	struct rtm_route *again = NULL;
	for (unsigned i = 0; i < 4 && !again; i++) {
		struct rtm_route *r = add(rib, a, more[i], 16, 20, 5, RTM_VIEW_MASK_UCAST, na, INFINITE, NULL);
		REQUIRE(r);
		CHECK(rtm__route_is_inline(r)); /* each a first route */
		if (r->dest->obj.slot == index)
			again = r;
	}
	REQUIRE(again);
	CHECK(again->obj.gen != gen);
	CHECK_U(again->obj.slot, index | RTM_ROUTE_INLINE);
	CHECK(rtm__route_lookup(rib, h) == NULL);
	CHECK(rtm__rib_lookup_optimistic(rib, h, RTM_HT_ROUTE) == NULL);
	CHECK(rtm__route_lookup(rib, rtm__rib_handle(rib, &again->obj)) == again);
	CHECK(rtm__trie_check(&rib->trie) == 0);
	entity_end(rib, a);
	entity_end(rib, b);
	rib_end(rib);
}

/* A first route's add failing at each allocation in turn (fault injection,
 * alloc.h): nothing is left behind, neither route nor destination, and the
 * add that gets through makes a first route whose handle goes stale with it. */
static void test_first_route_add_faults(void)
{
	struct rtm_rib *rib = rib_make();
	REQUIRE(rib);
	struct rtm_entity *a = entity_make(rib, 8);
	REQUIRE(a);
	struct rtm_nexthop *na = nexthop(rib, a, "192.0.2.1");
	union {
		RTM_ROUTE_INFO info;
		char bytes[RTM_SIZE_OF_ROUTE_INFO(8)];
	} b;
	unsigned failures = 0;
	bool added = false;
	for (unsigned long n = 1; n < 40 && !added; n++) {
		memset(&b, 0, sizeof(b));
		b.info.PrefInfo.Preference = 20;
		b.info.BelongsToViews = RTM_VIEW_MASK_UCAST;
		b.info.NextHopsList.NumNextHops = 1;
		b.info.NextHopsList.NextHops[0] = rtm__rib_handle(rib, &na->obj);
		RTM_NET_ADDRESS ad = addr("10.0.0.0", 8);
		struct rtm_route *route = NULL;
		DWORD fl = 0;
		rtm__alloc_fail_at(n);
		int err = rtm__route_add(rib, a, &ad, NULL, &b.info, 60000, NULL, 0, &route, &fl);
		rtm__alloc_fail_at(0);
		if (!err) {
			added = true;
			CHECK(rtm__route_is_inline(route));
			HANDLE h = rtm__rib_handle(rib, &route->obj);
			rtm__route_delete(rib, route);
			CHECK(rtm__route_lookup(rib, h) == NULL);
			CHECK(rtm__rib_lookup_optimistic(rib, h, RTM_HT_ROUTE) == NULL);
			break;
		}
		failures++;
		CHECK_U(err, RTM_ENOMEM);
		CHECK_U(rib->stats.routes, 0);
		CHECK_U(rib->stats.dests, 0);
		CHECK_U(rib->route_arena.in_use, 0);
		CHECK(dest_at(rib, "10.0.0.0", 8) == NULL);
	}
	CHECK(added);
	CHECK(failures > 2); /* the route, its next-hop list, its expiry timer at least */
	entity_end(rib, a);
	rib_end(rib);
}

int main(void)
{
	RUN(test_best_route);
	RUN(test_change_detection);
	RUN(test_inplace_references);
	RUN(test_lifetime_and_timers);
	RUN(test_longest_match);
	RUN(test_new_dest_before_its_link);
	RUN(test_existing_dest_needs_no_memory);
	RUN(test_shared_nexthop_lists);
	RUN(test_first_route_inline);
	RUN(test_first_route_add_faults);
	TEST_MAIN_END();
}
