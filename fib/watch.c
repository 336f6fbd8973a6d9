/*
 * watch.c — the kernel FIB agent's watcher: what the kernel announces
 * (<rtmv2/fib.h>; docs/DESIGN.md, "The kernel FIB agent").
 *
 * A thread of its own follows a non-blocking socket subscribed to the
 * family's route announcements (RTNLGRP_IPV4_ROUTE or RTNLGRP_IPV6_ROUTE),
 * to links (RTNLGRP_LINK) and to the family's addresses.  For the agent it
 * reports two things: a route of the agent's own that the kernel announces
 * gone (someone removed it, or its interface went), and a link going down or
 * an address going, after which the kernel may have taken routes out
 * without announcing them (IPv4 does so).  The agent then checks its routes
 * (agent.c).
 *
 * Learning (RTM_FIB_LEARN).  The routes of the agent's table that are not
 * its own (static, connected, DHCP, other daemons') become routes of an RTM
 * entity of the watcher's.  At start it subscribes first and lists the table
 * second, so no change falls between the two.  Then an RTM_NEWROUTE puts
 * the RTM route of its key (added, or updated in place), an RTM_DELROUTE
 * of the route RTM has deletes it.  What cannot be applied exactly — an
 * append (a second route with the same key), a removal that names other next
 * hops than RTM has (one next hop of a multipath route, or an appended
 * route), a link going down, an address going, or the kernel dropping
 * announcements because the socket overran (ENOBUFS) — makes the watcher
 * list the table again: every route listed is put, every learned route not
 * listed is deleted.  RTM never silently diverges from the kernel.
 *
 * A kernel route's key is (prefix, priority) among the routes without TOS
 * and source prefix (those are not learned and never touch a learned one);
 * of several routes with one key (appended), the first listed is learned,
 * the one the kernel uses, and once the kernel has announced an append, a
 * removal also lists the table again (another route of the key may be used
 * now).  Each key is one RTM route: Preference the user's
 * learn_preference, Metric the kernel's priority, next hops the watcher's,
 * one per (gateway, interface), shared by the routes that use them and
 * deleted with the last.  Not learned (counted as skipped): routes that are
 * not unicast (blackhole, unreachable, ...), with a gateway of the other
 * family (RTA_VIA), with more than FIB_MAX_NEXTHOPS next hops, or none alive;
 * such a route replacing a learned one takes it out of RTM.
 *
 * The maps are the watcher thread's alone (and the start's, before the
 * thread); counters and the idle handshake are under mu.
 */
#include "fib.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <routprot.h>

_Atomic int fib_watch_test_pause;

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000 /* <linux/if.h>'s, which <net/if.h> does not take */
#endif

#define READS_PER_ROUND 64 /* then the thread looks at stop and at waiters */

/* ---- next hops: one per (gateway, interface), shared ------------------------------- */

struct wnh {
	uint8_t gw[16];
	unsigned ifindex;
	RTM_NEXTHOP_HANDLE h;   /* the watcher's reference; NULL: a free entry */
	unsigned users;         /* learned routes that name it */
	uint32_t next_free;
};

/* ---- learned routes, by (prefix, priority) ----------------------------------------- */

struct wroute {
	struct fib_prefix p;
	uint32_t priority;
	uint8_t state;          /* 0 empty, 1 used, 2 removed */
	uint32_t mark;          /* the listing that last saw it */
	RTM_ROUTE_HANDLE h;     /* the watcher's reference */
	unsigned n_nh;
	uint32_t nh0;           /* its next hops (indices into nhs): the first ... */
	uint32_t *nh_more;      /* ... or all of them, when there are several */
};

struct fib_watch {
	USHORT family;
	unsigned table;
	bool learning;
	ULONG pref;
	struct fib_watch_hooks hooks;
	RTM_ENTITY_HANDLE reg;
	RTM_REGN_PROFILE prof;
	PRTM_ROUTE_INFO info;   /* room for MaxNextHopsInRoute */
	struct fib_nl dump;
	struct fib_mon mon;
	int wake[2];
	pthread_t thread;
	bool started;

	struct wroute *routes;  /* open addressing */
	size_t cap, n, removed;
	struct wnh *nhs;        /* dense; freed entries chained from free_nh (index + 1) */
	uint32_t n_nhs, cap_nhs, free_nh, live_nhs;
	uint32_t *nh_index;     /* linear probing over nhs: index + 1, 0 empty */
	size_t nh_index_cap;
	uint32_t mark;          /* the current listing */
	bool listing;
	bool need_resync;       /* learning: the table must be listed again */
	bool links_changed;     /* a link went down or an address went this round */
	bool appends_seen;      /* a key has had several routes: a removal may uncover another */
	uint8_t *down;          /* links seen down (link_note) */
	size_t n_down_bytes;

	pthread_mutex_t mu;     /* guards what follows */
	pthread_cond_t cv;
	uint64_t want, done;
	bool stop;
	unsigned long learned, changes, resyncs, skipped;
};

static size_t hash_bytes(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

static void count(struct fib_watch *w, unsigned long *what, long by)
{
	pthread_mutex_lock(&w->mu);
	*what += (unsigned long)by;
	pthread_mutex_unlock(&w->mu);
}

/* ---- the routes' map ------------------------------------------------------------------ */

static size_t route_hash(const struct fib_prefix *p, uint32_t priority)
{
	return hash_bytes(p->addr, 16, 1469598103934665603ull ^ ((uint64_t)priority << 16 | p->len));
}

/* The entry of (p, priority), or where it would go (*found false). */
static struct wroute *route_slot(struct fib_watch *w, const struct fib_prefix *p, uint32_t priority,
				 bool *found)
{
	size_t i = route_hash(p, priority) & (w->cap - 1);
	struct wroute *tomb = NULL;
	for (;; i = (i + 1) & (w->cap - 1)) {
		struct wroute *r = &w->routes[i];
		if (r->state == 0) {
			*found = false;
			return tomb ? tomb : r;
		}
		if (r->state == 2) {
			if (!tomb)
				tomb = r;
		} else if (r->priority == priority && r->p.len == p->len && !memcmp(r->p.addr, p->addr, 16)) {
			*found = true;
			return r;
		}
	}
}

/* The entry of (p, priority), or NULL. */
static struct wroute *route_find(struct fib_watch *w, const struct fib_prefix *p, uint32_t priority)
{
	bool found = false;
	struct wroute *r = w->cap ? route_slot(w, p, priority, &found) : NULL;
	return found ? r : NULL;
}

/* Room for one more entry; 0 or -ENOMEM (nothing changed).  Never called
 * while the map is being walked. */
static int routes_room(struct fib_watch *w)
{
	if ((w->n + w->removed + 1) * 4 <= w->cap * 3)
		return 0;
	size_t cap = 64;
	while ((w->n + 1) * 2 > cap)
		cap *= 2;
	struct wroute *fresh = calloc(cap, sizeof(*fresh));
	if (!fresh)
		return -ENOMEM;
	struct wroute *old = w->routes;
	size_t old_cap = w->cap;
	w->routes = fresh;
	w->cap = cap;
	w->removed = 0;
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].state != 1)
			continue;
		bool found;
		*route_slot(w, &old[i].p, old[i].priority, &found) = old[i];
	}
	free(old);
	return 0;
}

static const uint32_t *route_nhs(const struct wroute *r)
{
	return r->n_nh > 1 ? r->nh_more : &r->nh0;
}

/* ---- next hops -------------------------------------------------------------------------- */

static size_t nh_home(const struct fib_watch *w, const uint8_t *gw, unsigned ifindex)
{
	return hash_bytes(gw, 16, 1469598103934665603ull ^ ifindex) & (w->nh_index_cap - 1);
}

/* The index slot of (gw, ifindex), or the empty one where it would go
 * (the index always has an empty slot: it is kept at most half full). */
static uint32_t *nh_slot(struct fib_watch *w, const uint8_t *gw, unsigned ifindex)
{
	for (size_t i = nh_home(w, gw, ifindex);; i = (i + 1) & (w->nh_index_cap - 1)) {
		uint32_t k = w->nh_index[i];
		if (!k)
			return &w->nh_index[i];
		const struct wnh *e = &w->nhs[k - 1];
		if (e->ifindex == ifindex && !memcmp(e->gw, gw, 16))
			return &w->nh_index[i];
	}
}

/* The index of the next hop (gw, ifindex), or -1. */
static long nh_find(struct fib_watch *w, const struct fib_nexthop *nh)
{
	if (!w->nh_index)
		return -1;
	uint32_t k = *nh_slot(w, nh->gw, nh->ifindex);
	return k ? (long)k - 1 : -1;
}

/* The index at cap (a power of two, more than twice the live next hops). */
static int nh_reindex(struct fib_watch *w, size_t cap)
{
	uint32_t *fresh = calloc(cap, sizeof(*fresh));
	if (!fresh)
		return -ENOMEM;
	free(w->nh_index);
	w->nh_index = fresh;
	w->nh_index_cap = cap;
	for (uint32_t k = 0; k < w->n_nhs; k++)
		if (w->nhs[k].h)
			*nh_slot(w, w->nhs[k].gw, w->nhs[k].ifindex) = k + 1;
	return 0;
}

/* Takes slot i out of the index (linear probing: the entries after it that
 * would no longer be found move back; nothing is allocated). */
static void nh_unindex(struct fib_watch *w, size_t i)
{
	size_t mask = w->nh_index_cap - 1;
	for (size_t j = (i + 1) & mask; w->nh_index[j]; j = (j + 1) & mask) {
		const struct wnh *e = &w->nhs[w->nh_index[j] - 1];
		size_t home = nh_home(w, e->gw, e->ifindex);
		/* j's entry may fill the hole at i if its home is not in (i, j]. */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (!stays) {
			w->nh_index[i] = w->nh_index[j];
			i = j;
		}
	}
	w->nh_index[i] = 0;
}

/* The next hop (gw, ifindex) with one more user: its index, or -errno
 * (nothing changed). */
static long nh_get(struct fib_watch *w, const struct fib_nexthop *nh)
{
	long k = nh_find(w, nh);
	if (k >= 0) {
		w->nhs[k].users++;
		return k;
	}
	/* Room first, in the index (at most half full) and in the array. */
	size_t cap = w->nh_index_cap ? w->nh_index_cap : 64;
	while ((size_t)(w->live_nhs + 1) * 2 > cap)
		cap *= 2;
	if (cap != w->nh_index_cap && nh_reindex(w, cap))
		return -ENOMEM;
	if (!w->free_nh && w->n_nhs == w->cap_nhs) {
		uint32_t n = w->cap_nhs ? 2 * w->cap_nhs : 16;
		struct wnh *bigger = realloc(w->nhs, n * sizeof(*bigger));
		if (!bigger)
			return -ENOMEM;
		w->nhs = bigger;
		w->cap_nhs = n;
	}
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress.AddressFamily = w->family;
	ni.NextHopAddress.NumBits = w->family == AF_INET ? 32 : 128;
	memcpy(ni.NextHopAddress.AddrBits, nh->gw, w->family == AF_INET ? 4 : 16);
	ni.InterfaceIndex = nh->ifindex;
	RTM_NEXTHOP_HANDLE h = NULL;
	DWORD flags = 0;
	DWORD rc = RtmAddNextHop(w->reg, &ni, &h, &flags);
	if (rc != NO_ERROR || !h)
		return rc == ERROR_NOT_ENOUGH_MEMORY ? -ENOMEM : -EINVAL;
	uint32_t i;
	if (w->free_nh) {
		i = w->free_nh - 1;
		w->free_nh = w->nhs[i].next_free;
	} else {
		i = w->n_nhs++;
	}
	struct wnh *e = &w->nhs[i];
	memset(e, 0, sizeof(*e));
	memcpy(e->gw, nh->gw, 16);
	e->ifindex = nh->ifindex;
	e->h = h;
	e->users = 1;
	w->live_nhs++;
	*nh_slot(w, e->gw, e->ifindex) = i + 1;
	return i;
}

/* One user less; the last takes the next hop out of RTM. */
static void nh_put(struct fib_watch *w, uint32_t k)
{
	struct wnh *e = &w->nhs[k];
	if (--e->users)
		return;
	nh_unindex(w, (size_t)(nh_slot(w, e->gw, e->ifindex) - w->nh_index));
	(void)RtmDeleteNextHop(w->reg, e->h, NULL); /* consumes the reference */
	e->h = NULL;
	e->next_free = w->free_nh;
	w->free_nh = k + 1;
	w->live_nhs--;
}

/* ---- routes into RTM ---------------------------------------------------------------- */

static bool learnable(const struct fib_watch *w, const struct fib_route *kr)
{
	return kr->type == RTN_UNICAST && !kr->unsupported && kr->n_nh > 0 && !(kr->flags & RTM_F_CLONED) &&
	       kr->n_nh <= w->prof.MaxNextHopsInRoute;
}

/* The learned route r leaves RTM and the map (not while the map grows). */
static void route_forget(struct fib_watch *w, struct wroute *r)
{
	DWORD flags = 0;
	(void)RtmDeleteRouteToDest(w->reg, r->h, &flags); /* consumes the reference */
	const uint32_t *k = route_nhs(r);
	for (unsigned i = 0; i < r->n_nh; i++)
		nh_put(w, k[i]);
	free(r->nh_more);
	r->nh_more = NULL;
	r->state = 2;
	w->n--;
	w->removed++;
	count(w, &w->learned, -1);
}

/* Does RTM's route r have exactly kr's next hops? */
static bool same_nexthops(struct fib_watch *w, const struct wroute *r, const struct fib_route *kr)
{
	if (r->n_nh != kr->n_nh)
		return false;
	const uint32_t *k = route_nhs(r);
	for (unsigned i = 0; i < kr->n_nh; i++) {
		long x = nh_find(w, &kr->nh[i]);
		bool in = false;
		for (unsigned j = 0; x >= 0 && j < r->n_nh && !in; j++)
			in = k[j] == (uint32_t)x;
		if (!in)
			return false;
	}
	return true;
}

/* The kernel has route kr at its key: RTM gets it (added, or updated in place). */
static void route_put(struct fib_watch *w, const struct fib_route *kr)
{
	struct wroute *r = route_find(w, &kr->p, kr->priority);
	if (r && w->listing && r->mark == w->mark)
		return; /* a second route of the key (appended): the kernel uses the first */
	if (!learnable(w, kr)) {
		/* What the kernel has at the key now is nothing RTM can hold. */
		if (r)
			route_forget(w, r);
		count(w, &w->skipped, 1);
		return;
	}
	if (r)
		r->mark = w->mark; /* the kernel has it: a failure below keeps it as it was */
	if (!r && routes_room(w)) {
		count(w, &w->skipped, 1);
		return;
	}
	/* The new next hops first: a failure leaves RTM's route as it was. */
	uint32_t k[FIB_MAX_NEXTHOPS];
	unsigned n = 0;
	for (; n < kr->n_nh; n++) {
		long got = nh_get(w, &kr->nh[n]);
		if (got < 0)
			break;
		k[n] = (uint32_t)got;
	}
	if (r && n == kr->n_nh && n == r->n_nh && !memcmp(route_nhs(r), k, n * sizeof(*k))) {
		for (unsigned i = 0; i < n; i++) /* as RTM has it: nothing to change */
			nh_put(w, k[i]);
		return;
	}
	uint32_t *more = NULL;
	bool ok = n == kr->n_nh && (n == 1 || (more = malloc(n * sizeof(*more))) != NULL);
	DWORD rc = ERROR_NOT_ENOUGH_MEMORY;
	RTM_ROUTE_HANDLE h = r ? r->h : NULL;
	if (ok) {
		PRTM_ROUTE_INFO info = w->info;
		memset(info, 0, RTM_SIZE_OF_ROUTE_INFO(w->prof.MaxNextHopsInRoute));
		info->PrefInfo.Preference = w->pref;
		info->PrefInfo.Metric = kr->priority;
		info->BelongsToViews = RTM_VIEW_MASK_UCAST;
		info->NextHopsList.NumNextHops = (USHORT)n;
		RTM_NEXTHOP_HANDLE *hs = info->NextHopsList.NextHops; /* declared [1], allocated for all */
		for (unsigned i = 0; i < n; i++)
			hs[i] = w->nhs[k[i]].h;
		RTM_NET_ADDRESS a;
		memset(&a, 0, sizeof(a));
		a.AddressFamily = w->family;
		a.NumBits = kr->p.len;
		memcpy(a.AddrBits, kr->p.addr, 16);
		DWORD flags = r ? 0 : RTM_ROUTE_CHANGE_NEW;
		rc = RtmAddRouteToDest(w->reg, &h, &a, info, INFINITE, NULL, 0, NULL, &flags);
	}
	if (rc != NO_ERROR) {
		for (unsigned i = 0; i < n; i++)
			nh_put(w, k[i]);
		free(more);
		count(w, &w->skipped, 1);
		return;
	}
	if (r) {
		const uint32_t *old = route_nhs(r);
		for (unsigned i = 0; i < r->n_nh; i++)
			nh_put(w, old[i]);
		free(r->nh_more);
	} else {
		bool found;
		r = route_slot(w, &kr->p, kr->priority, &found);
		if (r->state == 2)
			w->removed--;
		memset(r, 0, sizeof(*r));
		r->p = kr->p;
		r->priority = kr->priority;
		r->state = 1;
		r->h = h;
		w->n++;
		count(w, &w->learned, 1);
	}
	r->n_nh = n;
	r->nh_more = more;
	if (more)
		memcpy(more, k, n * sizeof(*more));
	else
		r->nh0 = k[0];
	r->mark = w->mark;
}

/* A kernel route the watcher follows: this table and family, no TOS, no
 * source prefix (the agent's own are looked at before). */
static bool followed(const struct fib_watch *w, const struct fib_route *kr)
{
	return kr->p.family == w->family && kr->table == w->table && !kr->tos && !kr->src_len;
}

static void listed(void *ctx, const struct fib_route *kr)
{
	struct fib_watch *w = ctx;
	if (kr->protocol != RTM_FIB_RTPROT && followed(w, kr))
		route_put(w, kr);
}

static void restart_listing(void *ctx)
{
	struct fib_watch *w = ctx;
	w->mark++; /* what the interrupted listing saw counts for nothing */
}

/* Lists the table: every route listed is put, every learned route the
 * listing did not see leaves RTM.  0, or -errno (nothing deleted). */
static int resync(struct fib_watch *w)
{
	w->mark++;
	w->listing = true;
	int err = fib_nl_dump(&w->dump, (uint8_t)w->family, listed, w, restart_listing);
	w->listing = false;
	if (err)
		return err;
	for (size_t i = 0; i < w->cap; i++)
		if (w->routes[i].state == 1 && w->routes[i].mark != w->mark)
			route_forget(w, &w->routes[i]);
	return 0;
}

/* ---- announcements ---------------------------------------------------------------------- */

static void route_announced(struct fib_watch *w, const struct nlmsghdr *h)
{
	struct fib_route kr;
	bool present = h->nlmsg_type == RTM_NEWROUTE;
	int err = fib_nl_parse_route(h, &kr);
	if (err && err != -EOPNOTSUPP && err != -E2BIG) {
		if (err != -EAFNOSUPPORT && present && w->learning)
			count(w, &w->skipped, 1); /* malformed: nothing to go by */
		return;
	}
	if (kr.p.family != w->family || kr.table != w->table)
		return;
	if (kr.protocol == RTM_FIB_RTPROT) {
		if (!present && !kr.tos && !kr.src_len && w->hooks.own_gone)
			w->hooks.own_gone(w->hooks.ctx, &kr.p);
		/* Ours replaced a route of the key: it is the kernel's no more. */
		struct wroute *r = present && w->learning && followed(w, &kr) ? route_find(w, &kr.p, kr.priority)
									      : NULL;
		if (r)
			route_forget(w, r);
		return;
	}
	if (!w->learning)
		return;
	if (!followed(w, &kr)) {
		if (present && kr.p.family == w->family && kr.table == w->table)
			count(w, &w->skipped, 1); /* TOS or source prefix: not learned */
		return;
	}
	count(w, &w->changes, 1);
	if (present) {
		if ((kr.nlflags & NLM_F_APPEND) || !(kr.nlflags & (NLM_F_EXCL | NLM_F_REPLACE))) {
			/* A second route of a key, before or after the first
			 * (the kernel announces a prepend with neither EXCL nor
			 * REPLACE), or a next hop more (IPv6): the listing says
			 * which the kernel uses. */
			w->appends_seen = w->need_resync = true;
		} else {
			route_put(w, &kr);
		}
		return;
	}
	struct wroute *r = route_find(w, &kr.p, kr.priority);
	if (r && same_nexthops(w, r, &kr))
		route_forget(w, r);
	else if (r)
		w->need_resync = true; /* a part of it, or another route of the key */
	if (w->appends_seen)
		w->need_resync = true; /* another route of the key may be the kernel's now */
}

/* Links seen down (a bit per interface index, grown as needed): only a
 * link coming back up from down is news. */
static bool link_was_down(const struct fib_watch *w, int ifindex)
{
	return ifindex > 0 && (size_t)ifindex / 8 < w->n_down_bytes && (w->down[ifindex / 8] >> (ifindex % 8) & 1);
}

static void link_note(struct fib_watch *w, int ifindex, bool up)
{
	if (ifindex <= 0)
		return;
	size_t byte = (size_t)ifindex / 8;
	if (byte >= w->n_down_bytes) {
		if (up)
			return;
		size_t n = byte + 64;
		uint8_t *bigger = realloc(w->down, n);
		if (!bigger)
			return; /* then its coming up is not noticed: the next event lists again */
		memset(bigger + w->n_down_bytes, 0, n - w->n_down_bytes);
		w->down = bigger;
		w->n_down_bytes = n;
	}
	if (up)
		w->down[byte] &= (uint8_t)~(1u << (ifindex % 8));
	else
		w->down[byte] |= (uint8_t)(1u << (ifindex % 8));
}

static void on_message(void *ctx, const struct nlmsghdr *h)
{
	struct fib_watch *w = ctx;
	switch (h->nlmsg_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		route_announced(w, h);
		break;
	case RTM_NEWLINK:
		/* Down: the kernel takes routes out with it, IPv4's
		 * unannounced.  Up again: next hops through it that were dead
		 * are alive, unannounced too. */
		if (mnl_nlmsg_get_payload_len(h) < sizeof(struct ifinfomsg)) {
			w->links_changed = true;
		} else {
			const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
			bool up = (ifi->ifi_flags & (IFF_UP | IFF_LOWER_UP)) == (IFF_UP | IFF_LOWER_UP);
			if (!up || link_was_down(w, ifi->ifi_index))
				w->links_changed = true;
			link_note(w, ifi->ifi_index, up);
		}
		break;
	case RTM_DELLINK:
	case RTM_DELADDR:
		w->links_changed = true;
		break;
	default:
		break;
	}
}

/* Drops what the socket holds (after an overrun: the listing that follows is newer). */
static void drop_queued(struct fib_watch *w)
{
	for (unsigned i = 0; i < 1024; i++)
		if (fib_mon_read(&w->mon, NULL, NULL, READS_PER_ROUND) == 0)
			return;
}

/* One round: what is queued (a bounded number of reads), then what it asks for. */
static bool round_once(struct fib_watch *w)
{
	bool more = false;
	if (!w->mon.sock && fib_mon_open(&w->mon, (uint8_t)w->family, w->learning) == 0)
		w->need_resync = w->links_changed = true; /* what the old one missed */
	if (w->mon.sock) {
		int err = fib_mon_read(&w->mon, on_message, w, READS_PER_ROUND);
		if (err == 1) {
			more = true;
		} else if (err == -ENOBUFS) {
			drop_queued(w);
			w->need_resync = w->links_changed = true;
		} else if (err) {
			/* Another failure of the socket: a new one next round. */
			fib_mon_close(&w->mon);
			w->need_resync = w->links_changed = true;
		}
	}
	if (w->links_changed) {
		w->links_changed = false;
		w->need_resync = true;
		if (w->hooks.links_changed)
			w->hooks.links_changed(w->hooks.ctx);
	}
	if (!w->learning)
		w->need_resync = false;
	if (w->need_resync && !more) {
		w->need_resync = resync(w) != 0;
		if (!w->need_resync)
			count(w, &w->resyncs, 1);
	}
	return more;
}

static void *watch_main(void *arg)
{
	struct fib_watch *w = arg;
	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		uint64_t want = w->want;
		pthread_mutex_unlock(&w->mu);
		bool paused = atomic_load(&fib_watch_test_pause) != 0, more = false;
		if (!paused)
			more = round_once(w);
		pthread_mutex_lock(&w->mu);
		/* Idle: the socket read empty, nothing left to do. */
		if (!paused && !more && !w->need_resync && w->mon.sock) {
			w->done = want;
			pthread_cond_broadcast(&w->cv);
		}
		if (w->stop || more || w->want != want)
			continue;
		pthread_mutex_unlock(&w->mu);
		struct pollfd pf[2] = { { w->mon.sock ? fib_mon_fd(&w->mon) : -1, POLLIN, 0 },
					{ w->wake[0], POLLIN, 0 } };
		(void)poll(pf, 2, paused ? 10 : w->need_resync || !w->mon.sock ? 1000 : -1);
		char b[64];
		while (read(w->wake[0], b, sizeof(b)) > 0)
			;
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static void wake(struct fib_watch *w)
{
	char c = 1;
	(void)!write(w->wake[1], &c, 1);
}

/* ---- the watcher's life --------------------------------------------------------------- */

static void watch_free(struct fib_watch *w)
{
	/* Deregistration takes the entity's routes and next hops out of RTM. */
	if (w->reg)
		RtmDeregisterEntity(w->reg);
	for (size_t i = 0; i < w->cap; i++)
		free(w->routes[i].nh_more);
	free(w->routes);
	free(w->nhs);
	free(w->nh_index);
	free(w->down);
	free(w->info);
	fib_mon_close(&w->mon);
	fib_nl_close(&w->dump);
	if (w->wake[0] >= 0)
		close(w->wake[0]);
	if (w->wake[1] >= 0)
		close(w->wake[1]);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

DWORD fib_watch_start(const rtm_fib_options *opt, const struct fib_watch_hooks *hooks, struct fib_watch **out)
{
	struct fib_watch *w = calloc(1, sizeof(*w));
	if (!w)
		return ERROR_NOT_ENOUGH_MEMORY;
	w->family = opt->family;
	w->table = opt->table ? opt->table : RT_TABLE_MAIN;
	w->learning = (opt->flags & RTM_FIB_LEARN) != 0;
	w->pref = opt->learn_preference;
	if (hooks)
		w->hooks = *hooks;
	w->wake[0] = w->wake[1] = -1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	int err = pipe2(w->wake, O_NONBLOCK | O_CLOEXEC) ? -errno : 0;
	if (!err)
		err = fib_nl_open(&w->dump, w->table, NULL, NULL);
	/* Announcements first, then the listing: no change falls between. */
	if (!err)
		err = fib_mon_open(&w->mon, (uint8_t)w->family, w->learning);
	if (err) {
		watch_free(w);
		return fib_win32_of(err);
	}
	if (w->learning) {
		DWORD rc = fib_register(opt, RTM_FIB_KERNEL_INSTANCE, NULL, &w->prof, &w->reg);
		if (rc != NO_ERROR) {
			w->reg = NULL;
			watch_free(w);
			return rc;
		}
		w->info = calloc(1, RTM_SIZE_OF_ROUTE_INFO(w->prof.MaxNextHopsInRoute));
		if (!w->info) {
			watch_free(w);
			return ERROR_NOT_ENOUGH_MEMORY;
		}
		err = resync(w);
	}
	if (!err && pthread_create(&w->thread, NULL, watch_main, w) != 0)
		err = -ENOMEM;
	if (err) {
		watch_free(w);
		return fib_win32_of(err);
	}
	w->started = true;
	*out = w;
	return NO_ERROR;
}

void fib_watch_stop(struct fib_watch *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_mutex_unlock(&w->mu);
	wake(w);
	if (w->started)
		pthread_join(w->thread, NULL);
	watch_free(w);
}

RTM_ENTITY_HANDLE fib_watch_entity(const struct fib_watch *w)
{
	return w ? w->reg : NULL;
}

bool fib_watch_wait_idle(struct fib_watch *w, const struct timespec *deadline)
{
	pthread_mutex_lock(&w->mu);
	uint64_t want = ++w->want;
	pthread_mutex_unlock(&w->mu);
	wake(w);
	pthread_mutex_lock(&w->mu);
	int rc = 0;
	while (w->done < want && rc == 0)
		rc = pthread_cond_timedwait(&w->cv, &w->mu, deadline);
	bool done = w->done >= want;
	pthread_mutex_unlock(&w->mu);
	return done;
}

void fib_watch_stats(struct fib_watch *w, rtm_fib_stats *st)
{
	pthread_mutex_lock(&w->mu);
	st->learned = w->learned;
	st->learn_changes = w->changes;
	st->learn_resyncs = w->resyncs;
	st->learn_skipped = w->skipped;
	pthread_mutex_unlock(&w->mu);
}
