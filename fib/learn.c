/*
 * learn.c — the kernel FIB agent's learner (RTM_FIB_LEARN, <rtmv2/fib.h>):
 * the routes of the agent's kernel table that are not its own (static,
 * connected, DHCP, other daemons') become routes of an RTM entity of the
 * learner's own, and follow the kernel as it changes.
 *
 * At start the learner subscribes to the family's route announcements
 * (RTNLGRP_IPV4_ROUTE or RTNLGRP_IPV6_ROUTE) and only then lists the table,
 * so no change falls between the two.  A thread of its own then applies every
 * announcement: an RTM_NEWROUTE adds or updates the RTM route of its key, an
 * RTM_DELROUTE deletes it.  When the kernel could not queue announcements
 * for us (the socket's buffer overran: ENOBUFS), what is queued is dropped
 * and the table is listed again: every route listed is put again, every
 * learned route not listed is deleted — a full resync, never a silent
 * divergence.
 *
 * A kernel route's key is (prefix, priority): the kernel may hold several
 * routes to one prefix with different metrics, and each is an RTM route of
 * its own (Preference: the user's learn_preference; Metric: the kernel's
 * priority).  Its next hops are the learner's next hops, one per (gateway,
 * interface), shared by the routes that use them and deleted with the last.
 * Routes the learner does not take: the agent's own (RTM_FIB_RTPROT), other
 * tables', types other than unicast (blackhole, unreachable, ...), routes
 * with a TOS, with a gateway of the other family (RTA_VIA) or with more next
 * hops than FIB_MAX_NEXTHOPS; they are counted as skipped.
 */
#include "fib.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/rtnetlink.h>
#include <routprot.h>

_Atomic int fib_learn_test_pause;

/* ---- next hops: one per (gateway, interface), shared ------------------------------- */

struct lnh {
	uint8_t gw[16];
	unsigned ifindex;
	RTM_NEXTHOP_HANDLE h;   /* the learner's reference; NULL: a free entry */
	unsigned users;         /* learned routes that name it */
	uint32_t next_free;
};

/* ---- learned routes, by (prefix, priority) ----------------------------------------- */

struct lroute {
	struct fib_prefix p;
	uint32_t priority;
	uint8_t state;          /* 0 empty, 1 used, 2 removed */
	uint32_t mark;          /* the listing that last saw it */
	RTM_ROUTE_HANDLE h;     /* the learner's reference */
	unsigned n_nh;
	uint32_t nh0;           /* its next hops (indices into nhs): the first ... */
	uint32_t *nh_more;      /* ... and the others */
};

struct fib_learn {
	USHORT family;
	unsigned table;
	ULONG pref;
	RTM_ENTITY_HANDLE reg;
	RTM_REGN_PROFILE prof;
	PRTM_ROUTE_INFO info;   /* room for MaxNextHopsInRoute */
	struct fib_nl dump;
	struct fib_mon mon;
	int wake[2];
	pthread_t thread;
	bool started;

	struct lroute *routes;  /* open addressing */
	size_t cap, n, removed;
	struct lnh *nhs;        /* dense; freed entries chained from free_nh (index + 1) */
	uint32_t n_nhs, cap_nhs, free_nh;
	uint32_t *nh_index;     /* open addressing over nhs: index + 1, 0 empty */
	size_t nh_index_cap;
	uint32_t mark;

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

static size_t route_hash(const struct fib_prefix *p, uint32_t priority)
{
	return hash_bytes(p->addr, 16, 1469598103934665603ull ^ ((uint64_t)priority << 16 | p->len));
}

static bool route_is(const struct lroute *r, const struct fib_prefix *p, uint32_t priority)
{
	return r->priority == priority && r->p.len == p->len && !memcmp(r->p.addr, p->addr, 16);
}

/* The entry of (p, priority), or where it would go (*found false). */
static struct lroute *route_slot(struct fib_learn *l, const struct fib_prefix *p, uint32_t priority,
				 bool *found)
{
	size_t i = route_hash(p, priority) & (l->cap - 1);
	struct lroute *tomb = NULL;
	for (;; i = (i + 1) & (l->cap - 1)) {
		struct lroute *r = &l->routes[i];
		if (r->state == 0) {
			*found = false;
			return tomb ? tomb : r;
		}
		if (r->state == 2) {
			if (!tomb)
				tomb = r;
		} else if (route_is(r, p, priority)) {
			*found = true;
			return r;
		}
	}
}

/* Room for one more entry; 0 or -ENOMEM (nothing changed). */
static int routes_room(struct fib_learn *l)
{
	if ((l->n + l->removed + 1) * 4 <= l->cap * 3)
		return 0;
	size_t cap = 64;
	while ((l->n + 1) * 2 > cap)
		cap *= 2;
	struct lroute *fresh = calloc(cap, sizeof(*fresh));
	if (!fresh)
		return -ENOMEM;
	struct lroute *old = l->routes;
	size_t old_cap = l->cap;
	l->routes = fresh;
	l->cap = cap;
	l->removed = 0;
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].state != 1)
			continue;
		bool found;
		struct lroute *r = route_slot(l, &old[i].p, old[i].priority, &found);
		*r = old[i];
	}
	free(old);
	return 0;
}

static uint32_t *route_nhs(struct lroute *r)
{
	return r->n_nh > 1 ? r->nh_more : &r->nh0;
}

/* ---- next hops ---------------------------------------------------------------------- */

static size_t nh_hash(const uint8_t *gw, unsigned ifindex)
{
	return hash_bytes(gw, 16, 1469598103934665603ull ^ ifindex);
}

/* The index slot of (gw, ifindex), or the empty one where it would go. */
static uint32_t *nh_slot(struct fib_learn *l, const uint8_t *gw, unsigned ifindex)
{
	size_t i = nh_hash(gw, ifindex) & (l->nh_index_cap - 1);
	for (;; i = (i + 1) & (l->nh_index_cap - 1)) {
		uint32_t k = l->nh_index[i];
		if (!k)
			return &l->nh_index[i];
		const struct lnh *e = &l->nhs[k - 1];
		if (e->ifindex == ifindex && !memcmp(e->gw, gw, 16))
			return &l->nh_index[i];
	}
}

/* Rebuilds the index at cap (a power of two) over the live next hops. */
static int nh_reindex(struct fib_learn *l, size_t cap)
{
	uint32_t *fresh = calloc(cap, sizeof(*fresh));
	if (!fresh)
		return -ENOMEM;
	free(l->nh_index);
	l->nh_index = fresh;
	l->nh_index_cap = cap;
	for (uint32_t k = 0; k < l->n_nhs; k++)
		if (l->nhs[k].h)
			*nh_slot(l, l->nhs[k].gw, l->nhs[k].ifindex) = k + 1;
	return 0;
}

/* The next hop (gw, ifindex) with one more user: its index, or -errno. */
static long nh_get(struct fib_learn *l, const struct fib_nexthop *nh)
{
	if (!l->nh_index && nh_reindex(l, 64))
		return -ENOMEM;
	uint32_t *slot = nh_slot(l, nh->gw, nh->ifindex);
	if (*slot) {
		l->nhs[*slot - 1].users++;
		return *slot - 1;
	}
	/* A new one: room in the array, then in the index (kept under 1/2). */
	if (!l->free_nh && l->n_nhs == l->cap_nhs) {
		uint32_t cap = l->cap_nhs ? 2 * l->cap_nhs : 16;
		struct lnh *bigger = realloc(l->nhs, cap * sizeof(*bigger));
		if (!bigger)
			return -ENOMEM;
		l->nhs = bigger;
		l->cap_nhs = cap;
	}
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress.AddressFamily = l->family;
	ni.NextHopAddress.NumBits = l->family == AF_INET ? 32 : 128;
	memcpy(ni.NextHopAddress.AddrBits, nh->gw, l->family == AF_INET ? 4 : 16);
	ni.InterfaceIndex = nh->ifindex;
	RTM_NEXTHOP_HANDLE h = NULL;
	DWORD flags = 0;
	DWORD rc = RtmAddNextHop(l->reg, &ni, &h, &flags);
	if (rc != NO_ERROR)
		return rc == ERROR_NOT_ENOUGH_MEMORY ? -ENOMEM : -EINVAL;
	uint32_t k;
	if (l->free_nh) {
		k = l->free_nh - 1;
		l->free_nh = l->nhs[k].next_free;
	} else {
		k = l->n_nhs++;
	}
	struct lnh *e = &l->nhs[k];
	memset(e, 0, sizeof(*e));
	memcpy(e->gw, nh->gw, 16);
	e->ifindex = nh->ifindex;
	e->h = h;
	e->users = 1;
	*slot = k + 1;
	if ((size_t)(l->n_nhs + 1) * 2 > l->nh_index_cap)
		(void)nh_reindex(l, l->nh_index_cap * 2); /* if it fails, the index is only fuller */
	return k;
}

/* One user less; the last takes the next hop out of RTM. */
static void nh_put(struct fib_learn *l, uint32_t k)
{
	struct lnh *e = &l->nhs[k];
	if (--e->users)
		return;
	(void)RtmDeleteNextHop(l->reg, e->h, NULL); /* consumes the reference */
	e->h = NULL;
	e->next_free = l->free_nh;
	l->free_nh = k + 1;
	(void)nh_reindex(l, l->nh_index_cap); /* open addressing: rebuilt without it */
}

/* ---- routes into RTM ---------------------------------------------------------------- */

static bool learnable(const struct fib_learn *l, const struct fib_route *r)
{
	return r->type == RTN_UNICAST && !r->tos && !r->unsupported && r->n_nh > 0 &&
	       !(r->flags & RTM_F_CLONED) && r->n_nh <= l->prof.MaxNextHopsInRoute;
}

static void count(struct fib_learn *l, unsigned long *what)
{
	pthread_mutex_lock(&l->mu);
	(*what)++;
	pthread_mutex_unlock(&l->mu);
}

/* The learned route at r leaves RTM and the map. */
static void route_forget(struct fib_learn *l, struct lroute *r)
{
	DWORD flags = 0;
	(void)RtmDeleteRouteToDest(l->reg, r->h, &flags); /* consumes the reference */
	uint32_t *k = route_nhs(r);
	for (unsigned i = 0; i < r->n_nh; i++)
		nh_put(l, k[i]);
	free(r->nh_more);
	r->nh_more = NULL;
	r->state = 2;
	l->n--;
	l->removed++;
	pthread_mutex_lock(&l->mu);
	l->learned--;
	pthread_mutex_unlock(&l->mu);
}

/* The kernel has route kr: RTM gets it (added, or updated in place). */
static void route_put(struct fib_learn *l, const struct fib_route *kr)
{
	bool found;
	if (!l->cap && routes_room(l)) {
		count(l, &l->skipped);
		return;
	}
	struct lroute *r = route_slot(l, &kr->p, kr->priority, &found);
	if (!learnable(l, kr)) {
		/* What the kernel has there now is nothing RTM can hold. */
		if (found)
			route_forget(l, r);
		count(l, &l->skipped);
		return;
	}
	if (!found) {
		if (routes_room(l)) {
			count(l, &l->skipped);
			return;
		}
		r = route_slot(l, &kr->p, kr->priority, &found); /* the table may have moved */
	}
	/* The new next hops first: a failure leaves the old route as it was. */
	uint32_t k[FIB_MAX_NEXTHOPS];
	unsigned n = 0;
	for (; n < kr->n_nh; n++) {
		long got = nh_get(l, &kr->nh[n]);
		if (got < 0)
			break;
		k[n] = (uint32_t)got;
	}
	if (found && n == kr->n_nh && n == r->n_nh && !memcmp(route_nhs(r), k, n * sizeof(*k))) {
		/* As RTM has it already (a listing after an overrun sees most
		 * routes so): nothing to change. */
		for (unsigned i = 0; i < n; i++)
			nh_put(l, k[i]);
		r->mark = l->mark;
		return;
	}
	uint32_t *more = NULL;
	bool ok = n == kr->n_nh && (n == 1 || (more = malloc(n * sizeof(*more))) != NULL);
	if (!ok) {
		for (unsigned i = 0; i < n; i++)
			nh_put(l, k[i]);
		count(l, &l->skipped);
		return;
	}
	PRTM_ROUTE_INFO info = l->info;
	memset(info, 0, RTM_SIZE_OF_ROUTE_INFO(l->prof.MaxNextHopsInRoute));
	info->PrefInfo.Preference = l->pref;
	info->PrefInfo.Metric = kr->priority;
	info->BelongsToViews = RTM_VIEW_MASK_UCAST;
	info->NextHopsList.NumNextHops = (USHORT)n;
	RTM_NEXTHOP_HANDLE *hs = info->NextHopsList.NextHops; /* declared [1], allocated for all */
	for (unsigned i = 0; i < n; i++)
		hs[i] = l->nhs[k[i]].h;
	RTM_NET_ADDRESS a;
	memset(&a, 0, sizeof(a));
	a.AddressFamily = l->family;
	a.NumBits = kr->p.len;
	memcpy(a.AddrBits, kr->p.addr, 16);
	RTM_ROUTE_HANDLE h = found ? r->h : NULL;
	DWORD flags = found ? 0 : RTM_ROUTE_CHANGE_NEW;
	DWORD rc = RtmAddRouteToDest(l->reg, &h, &a, info, INFINITE, NULL, 0, NULL, &flags);
	if (rc != NO_ERROR) {
		for (unsigned i = 0; i < n; i++)
			nh_put(l, k[i]);
		free(more);
		count(l, &l->skipped);
		return;
	}
	if (found) {
		uint32_t *old = route_nhs(r);
		for (unsigned i = 0; i < r->n_nh; i++)
			nh_put(l, old[i]);
		free(r->nh_more);
	} else {
		if (r->state == 2)
			l->removed--;
		memset(r, 0, sizeof(*r));
		r->p = kr->p;
		r->priority = kr->priority;
		r->state = 1;
		r->h = h;
		l->n++;
		pthread_mutex_lock(&l->mu);
		l->learned++;
		pthread_mutex_unlock(&l->mu);
	}
	r->n_nh = n;
	r->nh_more = more;
	if (more)
		memcpy(more, k, n * sizeof(*more));
	else
		r->nh0 = k[0];
	r->mark = l->mark;
}

/* The kernel no longer has route kr. */
static void route_gone(struct fib_learn *l, const struct fib_route *kr)
{
	bool found = false;
	struct lroute *r = l->cap ? route_slot(l, &kr->p, kr->priority, &found) : NULL;
	if (found)
		route_forget(l, r);
}

static bool ours_to_learn(const struct fib_learn *l, const struct fib_route *kr)
{
	return kr->p.family == l->family && kr->table == l->table && kr->protocol != RTM_FIB_RTPROT;
}

static void listed(void *ctx, const struct fib_route *kr)
{
	struct fib_learn *l = ctx;
	if (ours_to_learn(l, kr))
		route_put(l, kr);
}

static void restart_listing(void *ctx)
{
	struct fib_learn *l = ctx;
	l->mark++; /* what the interrupted listing saw counts for nothing */
}

/* Lists the table: every route listed is put, every learned route the
 * listing did not see leaves RTM.  0, or -errno (nothing deleted). */
static int resync(struct fib_learn *l)
{
	l->mark++;
	int err = fib_nl_dump(&l->dump, (uint8_t)l->family, listed, l, restart_listing);
	if (err)
		return err;
	for (size_t i = 0; i < l->cap; i++)
		if (l->routes[i].state == 1 && l->routes[i].mark != l->mark)
			route_forget(l, &l->routes[i]);
	return 0;
}

static void announced(void *ctx, bool present, const struct fib_route *kr, int err)
{
	struct fib_learn *l = ctx;
	if (err && err != -EOPNOTSUPP && err != -E2BIG) {
		count(l, &l->skipped); /* malformed: nothing to go by */
		return;
	}
	if (!ours_to_learn(l, kr))
		return;
	if (present)
		route_put(l, kr);
	else
		route_gone(l, kr);
	count(l, &l->changes);
}

/* Drops what the socket holds (after an overrun: the listing that follows is newer). */
static void drop_queued(struct fib_learn *l)
{
	while (fib_mon_read(&l->mon, NULL, NULL) == -ENOBUFS)
		;
}

static void *learn_main(void *arg)
{
	struct fib_learn *l = arg;
	bool need_resync = false;
	pthread_mutex_lock(&l->mu);
	while (!l->stop) {
		uint64_t want = l->want;
		pthread_mutex_unlock(&l->mu);
		bool paused = atomic_load(&fib_learn_test_pause) != 0;
		if (!paused && !l->mon.sock && fib_mon_open(&l->mon, (uint8_t)l->family) == 0)
			need_resync = true;
		if (!paused && l->mon.sock) {
			int err = fib_mon_read(&l->mon, announced, l);
			if (err == -ENOBUFS) {
				/* An overrun: the table again, from a listing. */
				drop_queued(l);
				need_resync = true;
			} else if (err) {
				/* Another failure of the socket: a new one, and the
				 * table again (the old one's fd leaves the poll). */
				fib_mon_close(&l->mon);
				if (fib_mon_open(&l->mon, (uint8_t)l->family) == 0)
					need_resync = true;
			}
			if (need_resync) {
				need_resync = resync(l) != 0;
				if (!need_resync)
					count(l, &l->resyncs);
			}
		}
		pthread_mutex_lock(&l->mu);
		if (!paused && !need_resync) {
			l->done = want;
			pthread_cond_broadcast(&l->cv);
		}
		if (l->stop || l->want != want)
			continue;
		pthread_mutex_unlock(&l->mu);
		struct pollfd pf[2] = { { l->mon.sock ? fib_mon_fd(&l->mon) : -1, POLLIN, 0 },
					{ l->wake[0], POLLIN, 0 } };
		(void)poll(pf, 2, paused ? 10 : need_resync || !l->mon.sock ? 1000 : -1);
		char b[64];
		while (read(l->wake[0], b, sizeof(b)) > 0)
			;
		pthread_mutex_lock(&l->mu);
	}
	pthread_mutex_unlock(&l->mu);
	return NULL;
}

static void wake(struct fib_learn *l)
{
	char c = 1;
	(void)!write(l->wake[1], &c, 1);
}

/* ---- the learner's life --------------------------------------------------------------- */

static void learn_free(struct fib_learn *l)
{
	/* Deregistration takes the entity's routes and next hops out of RTM. */
	if (l->reg)
		RtmDeregisterEntity(l->reg);
	for (size_t i = 0; i < l->cap; i++)
		free(l->routes[i].nh_more);
	free(l->routes);
	free(l->nhs);
	free(l->nh_index);
	free(l->info);
	fib_mon_close(&l->mon);
	fib_nl_close(&l->dump);
	if (l->wake[0] >= 0)
		close(l->wake[0]);
	if (l->wake[1] >= 0)
		close(l->wake[1]);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
	free(l);
}

DWORD fib_learn_start(const rtm_fib_options *opt, struct fib_learn **out)
{
	struct fib_learn *l = calloc(1, sizeof(*l));
	if (!l)
		return ERROR_NOT_ENOUGH_MEMORY;
	l->family = opt->family;
	l->table = opt->table ? opt->table : RT_TABLE_MAIN;
	l->pref = opt->learn_preference;
	l->wake[0] = l->wake[1] = -1;
	pthread_mutex_init(&l->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cv, &ca);
	pthread_condattr_destroy(&ca);
	int err = pipe2(l->wake, O_NONBLOCK | O_CLOEXEC) ? -errno : 0;
	if (!err)
		err = fib_nl_open(&l->dump, l->table, NULL, NULL);
	/* Announcements first, then the listing: no change falls between. */
	if (!err)
		err = fib_mon_open(&l->mon, (uint8_t)l->family);
	if (err) {
		learn_free(l);
		return fib_win32_of(err);
	}
	RTM_ENTITY_INFO ei;
	memset(&ei, 0, sizeof(ei));
	ei.RtmInstanceId = opt->instance_id;
	ei.AddressFamily = opt->family;
	ei.EntityId.EntityProtocolId = PROTO_IP_NETMGMT;
	ei.EntityId.EntityInstanceId = RTM_FIB_KERNEL_INSTANCE;
	DWORD rc = RtmRegisterEntity(&ei, NULL, NULL, FALSE, &l->prof, &l->reg);
	if (rc != NO_ERROR) {
		l->reg = NULL;
		learn_free(l);
		return rc;
	}
	l->info = calloc(1, RTM_SIZE_OF_ROUTE_INFO(l->prof.MaxNextHopsInRoute));
	if (!l->info) {
		learn_free(l);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	err = resync(l);
	if (!err && pthread_create(&l->thread, NULL, learn_main, l) != 0)
		err = -ENOMEM;
	if (err) {
		learn_free(l);
		return fib_win32_of(err);
	}
	l->started = true;
	*out = l;
	return NO_ERROR;
}

void fib_learn_stop(struct fib_learn *l)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->mu);
	l->stop = true;
	pthread_mutex_unlock(&l->mu);
	wake(l);
	if (l->started)
		pthread_join(l->thread, NULL);
	learn_free(l);
}

RTM_ENTITY_HANDLE fib_learn_entity(const struct fib_learn *l)
{
	return l ? l->reg : NULL;
}

bool fib_learn_wait_idle(struct fib_learn *l, const struct timespec *deadline)
{
	pthread_mutex_lock(&l->mu);
	uint64_t want = ++l->want;
	pthread_mutex_unlock(&l->mu);
	wake(l);
	pthread_mutex_lock(&l->mu);
	int rc = 0;
	while (l->done < want && rc == 0)
		rc = pthread_cond_timedwait(&l->cv, &l->mu, deadline);
	bool done = l->done >= want;
	pthread_mutex_unlock(&l->mu);
	return done;
}

void fib_learn_stats(struct fib_learn *l, rtm_fib_stats *st)
{
	pthread_mutex_lock(&l->mu);
	st->learned = l->learned;
	st->learn_changes = l->changes;
	st->learn_resyncs = l->resyncs;
	st->learn_skipped = l->skipped;
	pthread_mutex_unlock(&l->mu);
}
