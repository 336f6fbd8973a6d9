/*
 * rib.h — the objects of one routing information base and how they hang
 * together.
 *
 * A RIB is one (RtmInstanceId, AddressFamily) pair.  It is created the first
 * time an entity registers with the pair, with its configuration read then
 * (config.h), and it holds everything registered entities put in it:
 *
 *   rtm_rib ──┬─ trie of rtm_dest (prefixes) ── each dest: sorted list of rtm_route
 *             ├─ entities (registration order) ── each: its rtm_nexthop array
 *             ├─ handle table (every object a client can name)
 *             ├─ timer service (route expiry, hold-down)
 *             └─ change-notification registrations
 *
 * Locking.  The table layer (this folder) takes no lock: each of its
 * functions says which mode of rib->lock it needs, and the API layer takes
 * it, in the one lock order written in api/enter.h.  RIBs are independent
 * of each other.
 *
 * Lifetime: RIB structs are never freed (there are at most 128 and they hold
 * the handle tables whose generations must outlive stale handles); what they
 * contain is freed when their last entity deregisters.
 */
#ifndef RTM_RIB_H
#define RTM_RIB_H

#include <pthread.h>
#include <rtmv2.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "epoch.h"
#include "handle.h"
#include "link.h"
#include "arena.h"
#include "timer.h"
#include "trie.h"

#define RTM_STRIPES 64u /* client lock stripes per RIB */

struct rtm_entity;
struct rtm_dest;
struct rtm_route;
struct rtm_nexthop;
struct rtm_notify;
struct rtm_timer_rec;
struct rtm_route_list;

/* An entity (a registered protocol instance).  Entity structs live in a global
 * table and are never freed, only reused (entity.c), so a stale RtmRegHandle
 * can be checked without any lock. */
enum rtm_entity_state { RTM_ENT_FREE = 0, RTM_ENT_LIVE, RTM_ENT_GONE };

struct rtm_entity {
	atomic_uint gen;             /* handle generation of this slot */
	uint32_t slot;
	atomic_uint refs;            /* 1 for the registration + internal holders + client handles */
	atomic_uint client_refs;     /* the client handles' share of refs (see entity.c) */
	atomic_int state;            /* enum rtm_entity_state */
	struct rtm_rib *rib;
	RTM_ENTITY_INFO info;
	RTM_EVENT_CALLBACK callback;
	RTM_ENTITY_EXPORT_METHODS *methods; /* private copy; NULL when none exported */
	int opaque_slot;             /* index of its opaque pointer in every dest, or -1 */
	/* Its registration's number in the sequence of registrations and
	 * deregistrations (entity.c; written under the registry mutex and
	 * rib->lock exclusive, read under rib->lock). */
	uint64_t reg_seq;
	struct rtm_link rib_link;    /* in rib->entities */

	/* Its next hops, sorted by (address, interface) for binary search.  rib->lock. */
	struct rtm_nexthop **nexthops;
	uint32_t n_nexthops, cap_nexthops;
	uint32_t nh_seq;             /* odd while the three above change (nexthop.c) */

	struct rtm_link lists;       /* its route lists (rtm_route_list.owner_link) */
	struct rtm_link enums;       /* its enumerations */
	struct rtm_link notifies;    /* its change-notification registrations */

	/* Callback and method bookkeeping; guarded by cb_mutex, a leaf. */
	pthread_mutex_t cb_mutex;
	pthread_cond_t cb_cond;
	unsigned callbacks_running;  /* event callbacks in progress */
	unsigned methods_running;    /* RtmInvokeMethod calls in progress into it */
	bool methods_blocked;        /* RtmBlockMethods(RTM_BLOCK_METHODS) */
};

/* A next hop, owned by one entity. */
struct rtm_nexthop {
	struct rtm_obj obj;
	uint32_t route_refs;         /* routes that name it (as next hop or neighbour) */
	uint32_t seq;                /* odd while a writer changes info (nexthop.c) */
	struct rtm_entity *owner;
	/* The public record.  The owner reads it through RtmGetNextHopPointer and
	 * may change Flags and EntitySpecificInfo while holding
	 * RtmLockNextHop; everyone else copies it under the stripe lock. */
	RTM_NEXTHOP_INFO info;
	struct rtm_dest *remote;     /* RTM_NEXTHOP_FLAGS_REMOTE: the resolving destination (pinned) */
};

/* A client route list (RtmCreateRouteList): routes of its owner, through
 * their extensions, in the order they were put in, and the cursors of the
 * enumerations walking it.  Membership changes with the route (route.c);
 * the list object itself is svc/routelist.c's. */
struct rtm_route_list {
	struct rtm_obj obj;
	struct rtm_entity *owner;
	struct rtm_link owner_link;  /* in owner->lists */
	struct rtm_link items;       /* routes (rtm_route_ext.list_item) and enumeration cursors */
	size_t count;
	/* A leaf, held over every change of items (and count) and by an
	 * enumeration's walk, which takes no RIB lock (api/list.c); writers
	 * take it under rib->lock exclusive. */
	pthread_mutex_t mutex;
};

/* An entry of a client route list: a route, or an enumeration's cursor. */
struct rtm_list_item {
	struct rtm_link link;
	bool cursor;
};

/* Lazily allocated parts of a route that most routes never need. */
struct rtm_route_ext {
	PRTM_ROUTE_INFO shadow;      /* owner's in-place view (RtmGetRoutePointer / RtmLockRoute) */
	struct rtm_timer_rec *expiry; /* TimeToLive, or NULL (timerrec.h) */
	struct rtm_route_list *list; /* the client route list it is in, or NULL */
	struct rtm_list_item list_item;
	struct rtm_route *self;
};

struct rtm_route {
	struct rtm_obj obj;
	RTM_VIEW_SET views;          /* BelongsToViews (here: fills the hole after obj) */
	struct rtm_route *next;      /* in dest->routes, best first (decide.h order) */
	struct rtm_dest *dest;
	struct rtm_entity *owner;
	struct rtm_nexthop *neighbour;
	RTM_PREF_INFO pref;
	USHORT flags;
	UCHAR flags1;
	UCHAR state;                 /* RTM_ROUTE_STATE_* */
	uint16_t n_nexthops;         /* nhl->n, for writers */
	PVOID entity_specific;
	struct rtm_route_ext *ext;
	uint64_t seq;                /* creation order: the last tie-break */
	struct rtm_nh_list *nhl;     /* its next hops: a shared list that never changes (nhlist.c) */
};

/* A list of next hops, shared by the routes that have these next hops in
 * this order, immutable once made (nhlist.c): a lock-free reader loads a
 * route's nhl once and takes the count and the array from it. */
struct rtm_nh_list {
	struct rtm_nh_list *chain;   /* the next list of its hash bucket */
	uint32_t refs;               /* routes that name it */
	uint32_t hash;
	uint16_t n;
	struct rtm_nexthop *nh[];
};

static inline struct rtm_nexthop *const *rtm__route_nexthops(const struct rtm_route *r)
{
	return r->nhl->nh;
}

/* Lazily allocated parts of a destination. */
struct rtm_dest_ext {
	struct rtm_route *hold_route;   /* the route in hold-down, or NULL */
	RTM_VIEW_SET hold_views;        /* views in which it is held */
	RTM_VIEW_SET hold_marked;       /* views marked by RtmHoldDestination */
	uint32_t hold_time_ms;          /* the longest hold time asked for */
	struct rtm_timer_rec *hold_timer; /* armed while a route is held (timerrec.h) */
	uint32_t marked;                /* notification registrations that marked it (bit per index) */
	uint32_t ignored;               /* its queued change is ignored, per registration (notify.c) */
	void *opaque[];                 /* rib->cfg.max_opaque_pointers slots */
};

struct rtm_dest {
	struct rtm_obj obj;
	uint32_t pending;            /* notification registrations it is queued in (bit per index) */
	struct rtm_route *routes;    /* sorted, best first */
	struct rtm_dest *next;       /* the next destination of the trie's walk (dest.c) */
	struct rtm_dest_ext *ext;
	uint64_t last_changed;       /* FILETIME value of the last change */
	/* Its number of routes: 29 bits, sharing a word with three flags; the
	 * route arena stops short of 2^29 - 1 routes (lifetime.c), so with its
	 * first route a destination never holds more. */
	uint32_t n_routes : 29;
	uint32_t in_trie : 1;
	uint32_t views_mixed : 1;    /* its routes do not all belong to the same views */
	uint32_t first_used : 1;     /* `first` was handed out in this life of the destination */
	RTM_VIEW_SET views;          /* union of its routes' views: queries need not walk them */
	/* The first route added to it lives here, with no allocation of its
	 * own and next to what a lookup reads (route.c): its handle's slot is
	 * the destination's index with RTM_ROUTE_INLINE set, its generation the
	 * destination's, and it is used once per life of the destination. */
	struct rtm_route first;
	struct rtm_trie_node node;   /* last: the key follows */
};

/* In a route handle's slot: the route is its destination's `first`, and the
 * rest of the slot is the destination's index.  Arena routes have indexes
 * below it. */
#define RTM_ROUTE_INLINE (1u << 29)
_Static_assert(RTM_ROUTE_INLINE <= RTM_HANDLE_SLOT_MAX, "a handle's slot holds the flag");

static inline bool rtm__route_is_inline(const struct rtm_route *r)
{
	return (r->obj.slot & RTM_ROUTE_INLINE) != 0;
}

static inline struct rtm_dest *rtm__dest_of_node(const struct rtm_trie_node *n)
{
	return n ? rtm_container_of(n, struct rtm_dest, node) : NULL;
}

/* The table's only calls upward: the fires of its timers (route expiry, the
 * end of a hold-down), which must take locks and call clients.  Set once per
 * RIB by the API layer before any timer is armed (api/timers.c). */
struct rtm_table_hooks {
	void (*route_expired)(struct rtm_timer *timer, void *rib);
	void (*hold_ended)(struct rtm_timer *timer, void *rib);
};

struct rtm_rib_stats {
	size_t dests, routes, nexthops, enums, lists, notifies;
};

struct rtm_rib {
	pthread_rwlock_t lock;
	unsigned index;              /* in the registry; part of every handle */
	USHORT instance_id;
	USHORT family;
	unsigned width;              /* address bits: 32 or 128 */
	unsigned n_entities;
	struct rtm_config_values cfg;
	RTM_REGN_PROFILE profile;
	struct rtm_handle_table handles;
	struct rtm_trie trie;
	uint32_t trie_seq;           /* odd while the trie changes (epoch.h; dest.h) */
	/* Where destinations, routes and next hops live (arena.h: they are
	 * their own handle table; trie branch nodes are in a pool of the
	 * trie's own), and the memory lock-free readers may still see
	 * (epoch.h); rib->lock exclusive. */
	struct rtm_arena dest_arena, route_arena, nexthop_arena;
	/* The next-hop lists the routes name (nhlist.c). */
	struct rtm_nh_lists {
		struct rtm_nh_list **buckets;
		uint32_t nbuckets, count;
	} nhlists;
	struct rtm_dest *spare_dest;  /* made ready by a find that found (dest.c) */
	struct rtm_limbo limbo;
	struct rtm_dest *first_dest; /* the destinations in walk order, chained by next (dest.c) */
	uint64_t dests_freed;        /* destinations ever freed (the enumerations' resume, api/enum.c) */
	uint64_t deactivations;      /* times the last entity left and every object was freed (svc/release.c) */
	struct rtm_link entities;
	uint8_t opaque_used[256];    /* which opaque slots are reserved */
	struct rtm_timer_service timers;
	bool timers_ready;
	uint64_t route_seq;
	struct rtm_rib_stats stats;
	struct rtm_notify *notify[32]; /* registrations by index (notify.c) */
	uint32_t notify_used;        /* indexes of notify[] in use; rib->lock */
	atomic_uint notify_due;      /* registrations owed an RTM_CHANGE_NOTIFICATION (notify.c) */
	size_t notify_room;          /* smallest queue capacity of the registrations; rib->lock */
	pthread_rwlock_t stripes[RTM_STRIPES];
	/* Threads blocked in the library, for rtm_get_stats: on a client-lock
	 * stripe (svc/lock.c), in RtmInvokeMethod on blocked methods, and in
	 * RtmDeregisterEntity or RtmBlockMethods on other threads' callbacks
	 * and methods. */
	atomic_uint waiting_locks, waiting_invokes, waiting_drains;
	/* Stripes held by clients' locks (svc/lock.c): while there is none, a
	 * change takes no stripe (api/enter.c). */
	atomic_uint client_stripes;
	const struct rtm_table_hooks *hooks; /* cold: read when a timer is armed */
};

/* Handle helpers bound to a RIB; need rib->lock (but _optimistic).
 * Destinations and routes are found in their arenas, the other objects in
 * the handle table. */
static inline HANDLE rtm__rib_handle(const struct rtm_rib *rib, const struct rtm_obj *obj)
{
	return rtm__handle_make(rib->index, obj);
}
static inline struct rtm_arena *rtm__rib_arena(struct rtm_rib *rib, unsigned type)
{
	switch (type) {
	case RTM_HT_DEST:
		return &rib->dest_arena;
	case RTM_HT_ROUTE:
		return &rib->route_arena;
	case RTM_HT_NEXTHOP:
		return &rib->nexthop_arena;
	default:
		return NULL;
	}
}
/* The route a slot and generation name inside destination memory (a
 * destination's `first`), or NULL; rib->lock held.  Without the lock:
 * rtm__rib_inline_route_optimistic (route_read.c). */
static inline struct rtm_obj *rtm__rib_inline_route(const struct rtm_rib *rib, uint32_t slot,
						    uint32_t gen)
{
	uint32_t index = slot & ~RTM_ROUTE_INLINE;
	if (index >= rib->dest_arena.next)
		return NULL;
	struct rtm_dest *d = (struct rtm_dest *)rtm__pool_at(&rib->dest_arena.pool, index);
	/* A first route not yet freed pins its destination, so the destination
	 * is live; a freed one's memory past its header may be poisoned (arena.c). */
	if (d->obj.type != RTM_HT_DEST || d->first.obj.type != RTM_HT_ROUTE || d->first.obj.gen != gen)
		return NULL;
	return &d->first.obj;
}
struct rtm_obj *rtm__rib_inline_route_optimistic(const struct rtm_rib *rib, uint32_t slot,
						uint32_t gen); /* route_read.c */

static inline struct rtm_obj *rtm__rib_lookup(struct rtm_rib *rib, HANDLE h, unsigned type)
{
	struct rtm_arena *a = rtm__rib_arena(rib, type);
	if (!a)
		return rtm__handle_lookup(&rib->handles, rib->index, h, type);
	struct rtm_handle_parts p;
	if (rtm__handle_decode(h, &p) || p.type != type || p.rib != rib->index)
		return NULL;
	if (type == RTM_HT_ROUTE && (p.slot & RTM_ROUTE_INLINE))
		return rtm__rib_inline_route(rib, p.slot, p.gen);
	return rtm__arena_lookup(a, p.slot, p.gen);
}

static inline struct rtm_obj *rtm__rib_lookup_optimistic(struct rtm_rib *rib, HANDLE h, unsigned type)
{
	struct rtm_arena *a = rtm__rib_arena(rib, type);
	if (!a)
		return rtm__handle_lookup_optimistic(&rib->handles, rib->index, h, type);
	struct rtm_handle_parts p;
	if (rtm__handle_decode(h, &p) || p.type != type || p.rib != rib->index)
		return NULL;
	if (type == RTM_HT_ROUTE && (p.slot & RTM_ROUTE_INLINE))
		return rtm__rib_inline_route_optimistic(rib, p.slot, p.gen);
	return rtm__arena_lookup_optimistic(a, p.slot, p.gen);
}

/* The view set of a RIB and a view id's index in it. */
static inline bool rtm__views_supported(const struct rtm_rib *rib, RTM_VIEW_SET views)
{
	return (views & ~rib->cfg.views_supported) == 0;
}

#endif
