/*
 * agent.c — the kernel FIB agent's RTMv2 side (<rtmv2/fib.h>).
 *
 * The agent registers as an entity, asks for best-route changes of the
 * unicast view, and turns each changed destination into one kernel request:
 * its best unicast route (gateways and interfaces from its next hops) as an
 * add (never over another protocol's route) or replace of ours, or, when
 * it has none, the removal of our route.  A set of the prefixes the kernel
 * holds from us tells an install from a replacement; a set of "dirty"
 * prefixes, those whose last request failed (refused by the kernel, or lost
 * with a failed channel), is synced again from RTM's state at every
 * wake-up, and at least every second while it is not empty.
 * The event callback only wakes the agent's thread, which drains the
 * changes, so no RTM call is made inside a callback.
 */
#include "fib.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/rtnetlink.h>
#include <routprot.h>

/* ---- a set of prefixes (open addressing) ------------------------------------ */

struct pset {
	struct fib_prefix *slot;
	uint8_t *state; /* 0 empty, 1 used, 2 removed */
	size_t cap, n, removed;
};

static size_t phash(const struct fib_prefix *p)
{
	uint64_t h = 1469598103934665603ull ^ ((uint64_t)p->family << 8 | p->len);
	for (unsigned i = 0; i < 16; i++)
		h = (h ^ p->addr[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

static bool peq(const struct fib_prefix *a, const struct fib_prefix *b)
{
	return a->family == b->family && a->len == b->len && !memcmp(a->addr, b->addr, 16);
}

static void pset_free(struct pset *s)
{
	free(s->slot);
	free(s->state);
	memset(s, 0, sizeof(*s));
}

/* The slot of p, or of where it would go. */
static size_t pset_find(const struct pset *s, const struct fib_prefix *p, bool *found)
{
	size_t i = phash(p) & (s->cap - 1), first_free = SIZE_MAX;
	for (;;) {
		if (s->state[i] == 0) {
			*found = false;
			return first_free != SIZE_MAX ? first_free : i;
		}
		if (s->state[i] == 2) {
			if (first_free == SIZE_MAX)
				first_free = i;
		} else if (peq(&s->slot[i], p)) {
			*found = true;
			return i;
		}
		i = (i + 1) & (s->cap - 1);
	}
}

static bool pset_has(const struct pset *s, const struct fib_prefix *p)
{
	bool found = false;
	if (s->cap)
		(void)pset_find(s, p, &found);
	return found;
}

static int pset_add(struct pset *s, const struct fib_prefix *p)
{
	if ((s->n + s->removed + 1) * 4 > s->cap * 3) {
		/* Sized from the live entries alone: a table full of removed
		 * ones is rebuilt at its size, not doubled. */
		size_t cap = 64;
		while ((s->n + 1) * 2 > cap)
			cap *= 2;
		struct pset bigger = { calloc(cap, sizeof(*s->slot)), calloc(cap, 1), cap, 0, 0 };
		if (!bigger.slot || !bigger.state) {
			pset_free(&bigger);
			return -ENOMEM;
		}
		for (size_t i = 0; i < s->cap; i++)
			if (s->state[i] == 1) {
				bool f;
				size_t j = pset_find(&bigger, &s->slot[i], &f);
				bigger.slot[j] = s->slot[i];
				bigger.state[j] = 1;
				bigger.n++;
			}
		pset_free(s);
		*s = bigger;
	}
	bool found;
	size_t i = pset_find(s, p, &found);
	if (found)
		return 0;
	if (s->state[i] == 2)
		s->removed--;
	s->slot[i] = *p;
	s->state[i] = 1;
	s->n++;
	return 0;
}

static void pset_del(struct pset *s, const struct fib_prefix *p)
{
	bool found = false;
	size_t i = s->cap ? pset_find(s, p, &found) : 0;
	if (!found)
		return;
	s->state[i] = 2;
	s->n--;
	s->removed++;
}

/* ---- the agent ---------------------------------------------------------------- */

/* The agent asks for the unicast view alone, so the destinations of its
 * drains and enumerations have one ViewInfo entry each, and step by this. */
#define ONE_DEST RTM_SIZE_OF_DEST_INFO(1)

struct rtm_fib_agent {
	rtm_fib_options opt;
	RTM_ENTITY_HANDLE reg;
	RTM_NOTIFY_HANDLE notify;
	RTM_REGN_PROFILE profile;
	struct fib_nl nl;
	struct fib_watch *watch;    /* the watcher (watch.c) */
	struct pset kernel;         /* prefixes the kernel holds from us */
	struct pset dirty;          /* prefixes whose last request failed: to sync again */
	struct pset deleting;       /* prefixes with a removal of ours on its way */
	struct pset seen;           /* during the initial sync: prefixes RTM has */
	pthread_t thread;
	bool thread_started;
	bool syncing;               /* the initial sync: `seen` is being filled */
	pthread_mutex_t mu;         /* guards what follows */
	pthread_cond_t wake_cv, idle_cv;
	uint64_t wake_gen, done_gen;
	bool stop;
	bool recheck;               /* the watcher saw a link go down or an address go */
	rtm_fib_stats st;
	RTM_DEST_INFO *batch;       /* MaxHandlesInEnum destinations */
	PRTM_ROUTE_INFO route;      /* room for MaxNextHopsInRoute next hops */
};

static void to_prefix(const RTM_NET_ADDRESS *a, struct fib_prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = a->AddressFamily == AF_INET ? AF_INET : AF_INET6;
	p->len = (uint8_t)a->NumBits;
	memcpy(p->addr, a->AddrBits, p->family == AF_INET ? 4 : 16);
}

/* The kernel's answer to one request (called by nl.c while it reads). */
static void answered(void *ctx, const struct fib_prefix *p, enum fib_op op, int err)
{
	struct rtm_fib_agent *a = ctx;
	pthread_mutex_lock(&a->mu);
	if (err) {
		a->st.failed++;
		a->st.last_error = err;
		fib_prefix_text(p, a->st.last_error_dest, sizeof(a->st.last_error_dest));
		(void)pset_add(&a->dirty, p);
	} else {
		switch (op) {
		case FIB_ADD:
			a->st.installed++;
			break;
		case FIB_REPLACE:
			a->st.replaced++;
			break;
		case FIB_DEL:
			a->st.removed++;
			break;
		case FIB_DEL_STALE:
			a->st.stale++;
			break;
		}
		if (op == FIB_ADD || op == FIB_REPLACE) {
			(void)pset_add(&a->kernel, p);
		} else {
			pset_del(&a->kernel, p);
		}
		pset_del(&a->dirty, p);
	}
	if (op == FIB_DEL || op == FIB_DEL_STALE)
		pset_del(&a->deleting, p);
	pthread_mutex_unlock(&a->mu);
}

/* Nothing to ask the kernel for p: ours goes, and p is clean. */
static int sync_none(struct rtm_fib_agent *a, const struct fib_prefix *p, bool ours)
{
	if (ours) {
		/* Its announcement is ours, not news (own_gone). */
		pthread_mutex_lock(&a->mu);
		(void)pset_add(&a->deleting, p);
		pthread_mutex_unlock(&a->mu);
		return fib_nl_route(&a->nl, FIB_DEL, p, NULL, 0);
	}
	pthread_mutex_lock(&a->mu);
	pset_del(&a->dirty, p);
	pthread_mutex_unlock(&a->mu);
	return 0;
}

/* One destination as RTM has it now (info from a drain or an enumeration):
 * the request that makes the kernel agree. */
static int sync_dest(struct rtm_fib_agent *a, const RTM_DEST_INFO *info)
{
	struct fib_prefix p;
	to_prefix(&info->DestAddress, &p);
	RTM_ROUTE_HANDLE best = NULL;
	for (UINT v = 0; v < info->NumberOfViews; v++)
		if (info->ViewInfo[v].ViewId == RTM_VIEW_ID_UCAST)
			best = info->ViewInfo[v].Route;
	pthread_mutex_lock(&a->mu);
	bool ours = pset_has(&a->kernel, &p);
	pthread_mutex_unlock(&a->mu);
	if (!best)
		return sync_none(a, &p, ours);

	PRTM_ROUTE_INFO r = a->route;
	if (RtmGetRouteInfo(a->reg, best, r, NULL) != NO_ERROR)
		return sync_none(a, &p, false); /* gone meanwhile: its change is queued */
	if (a->watch && fib_watch_entity(a->watch) && r->RouteOwner == fib_watch_entity(a->watch)) {
		/* The best is the kernel's own route, learned: it is in the
		 * table already, and ours is not wanted there. */
		RtmReleaseRouteInfo(a->reg, r);
		return sync_none(a, &p, ours);
	}
	struct fib_nexthop nh[FIB_MAX_NEXTHOPS];
	unsigned n = 0;
	const RTM_NEXTHOP_HANDLE *hs = r->NextHopsList.NextHops; /* declared [1], allocated for all */
	for (UINT i = 0; i < r->NextHopsList.NumNextHops && n < FIB_MAX_NEXTHOPS; i++) {
		RTM_NEXTHOP_INFO ni;
		if (RtmGetNextHopInfo(a->reg, hs[i], &ni) != NO_ERROR)
			continue;
		memset(&nh[n], 0, sizeof(nh[n]));
		memcpy(nh[n].gw, ni.NextHopAddress.AddrBits, p.family == AF_INET ? 4 : 16);
		nh[n].ifindex = ni.InterfaceIndex;
		n++;
		RtmReleaseNextHopInfo(a->reg, &ni);
	}
	RtmReleaseRouteInfo(a->reg, r);
	if (n == 0) /* a route with no next hop forwards nowhere: not in the kernel */
		return sync_none(a, &p, ours);
	if (a->syncing && pset_add(&a->seen, &p))
		return -ENOMEM;
	return fib_nl_route(&a->nl, ours ? FIB_REPLACE : FIB_ADD, &p, nh, n);
}

/* The dirty prefixes now (a snapshot: those that fail again in this pass
 * wait for the next), in a new array (NULL when there are none). */
static struct fib_prefix *dirty_snapshot(struct rtm_fib_agent *a, size_t *n)
{
	pthread_mutex_lock(&a->mu);
	size_t k = 0;
	struct fib_prefix *v = a->dirty.n ? malloc(a->dirty.n * sizeof(*v)) : NULL;
	for (size_t i = 0; v && i < a->dirty.cap; i++)
		if (a->dirty.state[i] == 1)
			v[k++] = a->dirty.slot[i];
	pthread_mutex_unlock(&a->mu);
	*n = k;
	return v;
}

/* Syncs prefix p again from RTM's state (a dirty one). */
static void resync(struct rtm_fib_agent *a, const struct fib_prefix *p)
{
	RTM_NET_ADDRESS addr;
	memset(&addr, 0, sizeof(addr));
	addr.AddressFamily = p->family;
	addr.NumBits = p->len;
	memcpy(addr.AddrBits, p->addr, 16);
	RTM_DEST_INFO *info = a->batch;
	if (RtmGetExactMatchDestination(a->reg, &addr, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, info) ==
	    NO_ERROR) {
		(void)sync_dest(a, info);
		RtmReleaseDestInfo(a->reg, info);
		return;
	}
	pthread_mutex_lock(&a->mu);
	bool ours = pset_has(&a->kernel, p);
	pthread_mutex_unlock(&a->mu);
	(void)sync_none(a, p, ours); /* RTM has it no more */
}

static void collect(void *ctx, const struct fib_prefix *p);

/* After a failed channel the kernel may have done what it was asked without
 * our hearing it: the routes it holds from us are listed again, so that a
 * prefix synced again is replaced, not refused as someone else's. */
static void flush(struct rtm_fib_agent *a)
{
	(void)fib_nl_flush(&a->nl);
	if (!a->nl.lost)
		return;
	struct pset own = { 0 };
	if (fib_nl_dump_own(&a->nl, (uint8_t)a->opt.family, collect, &own) == 0) {
		a->nl.lost = false;
		pthread_mutex_lock(&a->mu);
		pset_free(&a->kernel);
		a->kernel = own;
		pthread_mutex_unlock(&a->mu);
	} else {
		pset_free(&own);
	}
}

/* Drains every queued change, then syncs the dirty prefixes again.  A
 * failed channel loses nothing: its requests come back dirty (nl.c). */
static void recheck_own(struct rtm_fib_agent *a);

static void drain(struct rtm_fib_agent *a)
{
	pthread_mutex_lock(&a->mu);
	bool recheck = a->recheck;
	a->recheck = false;
	pthread_mutex_unlock(&a->mu);
	if (recheck)
		recheck_own(a);
	size_t n_dirty;
	struct fib_prefix *dirty = dirty_snapshot(a, &n_dirty);
	for (;;) {
		UINT n = a->profile.MaxHandlesInEnum;
		DWORD rc = RtmGetChangedDests(a->reg, a->notify, &n, a->batch);
		for (UINT i = 0; i < n; i++)
			(void)sync_dest(a, (RTM_DEST_INFO *)((char *)a->batch + i * ONE_DEST));
		if (n)
			RtmReleaseChangedDests(a->reg, a->notify, n, a->batch);
		if (rc != NO_ERROR || n == 0)
			break;
	}
	flush(a);
	for (size_t i = 0; i < n_dirty; i++)
		resync(a, &dirty[i]);
	free(dirty);
	flush(a);
}

/* The watcher's hooks (its thread).  A route of ours the kernel announced
 * gone is synced again: replaced (recreated) if RTM still has a best route
 * for it. */
static void own_gone(void *ctx, const struct fib_prefix *p)
{
	struct rtm_fib_agent *a = ctx;
	pthread_mutex_lock(&a->mu);
	if (pset_has(&a->kernel, p) && !pset_has(&a->deleting, p) && pset_add(&a->dirty, p) == 0) {
		a->wake_gen++;
		pthread_cond_signal(&a->wake_cv);
	}
	pthread_mutex_unlock(&a->mu);
}

/* The kernel may have taken routes of ours out unannounced: the thread
 * lists them (recheck_own). */
static void links_changed(void *ctx)
{
	struct rtm_fib_agent *a = ctx;
	pthread_mutex_lock(&a->mu);
	a->recheck = true;
	a->wake_gen++;
	pthread_cond_signal(&a->wake_cv);
	pthread_mutex_unlock(&a->mu);
}

/* Every prefix the agent believes the kernel holds from it and a listing
 * does not show becomes dirty (synced again: recreated, or refused while
 * its gateway is unreachable and tried again every second). */
static void recheck_own(struct rtm_fib_agent *a)
{
	struct pset listed = { 0 };
	if (fib_nl_dump_own(&a->nl, (uint8_t)a->opt.family, collect, &listed) != 0) {
		pset_free(&listed);
		pthread_mutex_lock(&a->mu);
		a->recheck = true; /* the next pass tries again */
		pthread_mutex_unlock(&a->mu);
		return;
	}
	pthread_mutex_lock(&a->mu);
	for (size_t i = 0; i < a->kernel.cap; i++)
		if (a->kernel.state[i] == 1 && !pset_has(&listed, &a->kernel.slot[i]))
			(void)pset_add(&a->dirty, &a->kernel.slot[i]);
	pthread_mutex_unlock(&a->mu);
	pset_free(&listed);
}

static DWORD WINAPI on_event(RTM_ENTITY_HANDLE reg, RTM_EVENT_TYPE type, PVOID c1, PVOID c2)
{
	(void)reg;
	(void)c1;
	if (type == RTM_CHANGE_NOTIFICATION) {
		struct rtm_fib_agent *a = c2;
		pthread_mutex_lock(&a->mu);
		a->wake_gen++;
		pthread_cond_signal(&a->wake_cv);
		pthread_mutex_unlock(&a->mu);
	}
	return NO_ERROR;
}

/* The agent's thread: drains when woken, and every second while prefixes are dirty. */
static void *agent_main(void *arg)
{
	struct rtm_fib_agent *a = arg;
	pthread_mutex_lock(&a->mu);
	while (!a->stop) {
		uint64_t gen = a->wake_gen;
		if (gen == a->done_gen && !a->dirty.n && !a->recheck) {
			pthread_cond_wait(&a->wake_cv, &a->mu);
			continue;
		}
		if (gen == a->done_gen) {
			struct timespec ts;
			clock_gettime(CLOCK_MONOTONIC, &ts);
			ts.tv_sec += 1;
			if (pthread_cond_timedwait(&a->wake_cv, &a->mu, &ts) == 0 || a->stop)
				continue;
		}
		pthread_mutex_unlock(&a->mu);
		drain(a);
		pthread_mutex_lock(&a->mu);
		a->done_gen = gen;
		pthread_cond_broadcast(&a->idle_cv);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

static void stale_found(void *ctx, const struct fib_prefix *p)
{
	struct rtm_fib_agent *a = ctx;
	/* The watcher runs already: its hooks read the set. */
	pthread_mutex_lock(&a->mu);
	(void)pset_add(&a->kernel, p);
	pthread_mutex_unlock(&a->mu);
}

static void collect(void *ctx, const struct fib_prefix *p)
{
	(void)pset_add(ctx, p);
}

static void agent_free(struct rtm_fib_agent *a)
{
	fib_watch_stop(a->watch);
	if (a->notify)
		RtmDeregisterFromChangeNotification(a->reg, a->notify);
	if (a->reg)
		RtmDeregisterEntity(a->reg);
	fib_nl_close(&a->nl);
	pset_free(&a->kernel);
	pset_free(&a->dirty);
	pset_free(&a->deleting);
	pset_free(&a->seen);
	free(a->batch);
	free(a->route);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->wake_cv);
	pthread_cond_destroy(&a->idle_cv);
	free(a);
}

/* The initial sync: everything RTM has, then the stale ones out. */
static int initial_sync(struct rtm_fib_agent *a)
{
	/* What the table has from us already (an earlier run): replaced, not added. */
	int err = fib_nl_dump_own(&a->nl, (uint8_t)a->opt.family, stale_found, a);
	if (err)
		return err;
	a->syncing = true;
	RTM_ENUM_HANDLE e;
	if (RtmCreateDestEnum(a->reg, RTM_VIEW_MASK_UCAST, RTM_ENUM_ALL_DESTS, NULL, RTM_BEST_PROTOCOL, &e) !=
	    NO_ERROR)
		return -ENOMEM;
	for (;;) {
		UINT n = a->profile.MaxHandlesInEnum;
		DWORD rc = RtmGetEnumDests(a->reg, e, &n, a->batch);
		/* A failed channel's requests come back dirty (the thread syncs
		 * them again); only a lack of memory stops the start. */
		for (UINT i = 0; i < n && !err; i++)
			if (sync_dest(a, (RTM_DEST_INFO *)((char *)a->batch + i * ONE_DEST)) == -ENOMEM)
				err = -ENOMEM;
		if (n)
			RtmReleaseDests(a->reg, n, a->batch);
		if (err || rc != NO_ERROR)
			break;
	}
	RtmDeleteEnumHandle(a->reg, e);
	if (err)
		return err;
	flush(a); /* a refusal, or a lost batch, leaves its prefixes dirty for the thread */
	/* Ours in the kernel that RTM does not have, now that the rest is in:
	 * out.  The table's routes of ours are those the first listing found
	 * (one agent per table) and those just installed, all in `kernel`. */
	size_t n_stale = 0;
	pthread_mutex_lock(&a->mu);
	struct fib_prefix *stale = a->kernel.n ? malloc(a->kernel.n * sizeof(*stale)) : NULL;
	if (a->kernel.n && !stale)
		err = -ENOMEM;
	for (size_t i = 0; stale && i < a->kernel.cap; i++)
		if (a->kernel.state[i] == 1 && !pset_has(&a->seen, &a->kernel.slot[i]))
			stale[n_stale++] = a->kernel.slot[i];
	pthread_mutex_unlock(&a->mu);
	pthread_mutex_lock(&a->mu);
	for (size_t i = 0; i < n_stale; i++)
		(void)pset_add(&a->deleting, &stale[i]); /* their announcements are not news */
	pthread_mutex_unlock(&a->mu);
	for (size_t i = 0; i < n_stale; i++)
		(void)fib_nl_route(&a->nl, FIB_DEL_STALE, &stale[i], NULL, 0);
	free(stale);
	if (!err)
		flush(a);
	pset_free(&a->seen);
	a->syncing = false;
	return err;
}

DWORD fib_register(const rtm_fib_options *opt, ULONG instance, RTM_EVENT_CALLBACK callback,
		   PRTM_REGN_PROFILE profile, PRTM_ENTITY_HANDLE reg)
{
	RTM_ENTITY_INFO ei;
	memset(&ei, 0, sizeof(ei));
	ei.RtmInstanceId = opt->instance_id;
	ei.AddressFamily = opt->family;
	ei.EntityId.EntityProtocolId = PROTO_IP_NETMGMT;
	ei.EntityId.EntityInstanceId = instance;
	return RtmRegisterEntity(&ei, NULL, callback, FALSE, profile, reg);
}

DWORD rtm_fib_start(const rtm_fib_options *opt, rtm_fib_agent **out, rtm_fib_stats *stats)
{
	if (!opt || !out || (opt->family != AF_INET && opt->family != AF_INET6) ||
	    (opt->flags & ~(unsigned)(RTM_FIB_KEEP_AT_STOP | RTM_FIB_LEARN)))
		return ERROR_INVALID_PARAMETER;
	struct rtm_fib_agent *a = calloc(1, sizeof(*a));
	if (!a)
		return ERROR_NOT_ENOUGH_MEMORY;
	a->opt = *opt;
	if (!a->opt.table)
		a->opt.table = RT_TABLE_MAIN;
	pthread_mutex_init(&a->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* waits immune to clock steps */
	pthread_cond_init(&a->wake_cv, &ca);
	pthread_cond_init(&a->idle_cv, &ca);
	pthread_condattr_destroy(&ca);
	int err = fib_nl_open(&a->nl, a->opt.table, answered, a);
	if (!err)
		err = fib_nl_can_write(&a->nl, (uint8_t)a->opt.family);
	if (err) {
		agent_free(a);
		return fib_win32_of(err);
	}
	DWORD rc = fib_register(opt, RTM_FIB_ENTITY_INSTANCE, on_event, &a->profile, &a->reg);
	if (rc != NO_ERROR) {
		a->reg = NULL;
		agent_free(a);
		return rc;
	}
	a->batch = calloc(a->profile.MaxHandlesInEnum, RTM_SIZE_OF_DEST_INFO(a->profile.NumberOfViews));
	/* (room for every view: RtmGetExactMatchDestination of a retry fills one
	 * entry per view asked, here one, but the buffer serves all.) */
	a->route = calloc(1, RTM_SIZE_OF_ROUTE_INFO(a->profile.MaxNextHopsInRoute));
	if (!a->batch || !a->route) {
		agent_free(a);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	/* Changes from now on are queued; the enumeration then sees the rest. */
	rc = RtmRegisterForChangeNotification(a->reg, RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_BEST, a, &a->notify);
	if (rc != NO_ERROR) {
		a->notify = NULL;
		agent_free(a);
		return rc;
	}
	/* The watcher first: what the kernel does from now on is seen, and
	 * with RTM_FIB_LEARN the kernel's other routes are in RTM, so that the
	 * sync below finds them best where they are. */
	struct fib_watch_hooks hooks = { own_gone, links_changed, a };
	rc = fib_watch_start(&a->opt, &hooks, &a->watch);
	if (rc != NO_ERROR) {
		a->watch = NULL;
		agent_free(a);
		return rc;
	}
	err = initial_sync(a);
	if (err) {
		agent_free(a);
		return fib_win32_of(err);
	}
	if (pthread_create(&a->thread, NULL, agent_main, a) != 0) {
		agent_free(a);
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	pthread_mutex_lock(&a->mu);
	a->thread_started = true;
	a->wake_gen++; /* what was queued during the sync */
	pthread_cond_signal(&a->wake_cv);
	if (stats) {
		*stats = a->st;
		stats->pending = a->dirty.n;
		stats->in_kernel = a->kernel.n;
	}
	pthread_mutex_unlock(&a->mu);
	if (stats)
		fib_watch_stats(a->watch, stats);
	*out = a;
	return NO_ERROR;
}

DWORD rtm_fib_wait_idle(rtm_fib_agent *a, DWORD timeout_ms)
{
	if (!a)
		return ERROR_INVALID_PARAMETER;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	/* What the kernel announced before the call is in RTM first: the
	 * drain below then sees what it changed. */
	if (!fib_watch_wait_idle(a->watch, &ts))
		return ERROR_TIMEOUT;
	pthread_mutex_lock(&a->mu);
	/* A drain that starts after this call: it sees every change made
	 * before it, whether or not its notification has been delivered yet. */
	uint64_t want = ++a->wake_gen;
	pthread_cond_signal(&a->wake_cv);
	int rc = 0;
	while (a->done_gen < want && rc == 0)
		rc = pthread_cond_timedwait(&a->idle_cv, &a->mu, &ts);
	bool done = a->done_gen >= want;
	pthread_mutex_unlock(&a->mu);
	return done ? NO_ERROR : ERROR_TIMEOUT;
}

DWORD rtm_fib_get_stats(rtm_fib_agent *a, rtm_fib_stats *st)
{
	if (!a || !st)
		return ERROR_INVALID_PARAMETER;
	pthread_mutex_lock(&a->mu);
	*st = a->st;
	st->pending = a->dirty.n;
	st->in_kernel = a->kernel.n;
	pthread_mutex_unlock(&a->mu);
	fib_watch_stats(a->watch, st);
	return NO_ERROR;
}

DWORD rtm_fib_stop(rtm_fib_agent *a)
{
	if (!a)
		return ERROR_INVALID_PARAMETER;
	pthread_mutex_lock(&a->mu);
	a->stop = true;
	pthread_cond_signal(&a->wake_cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thread, NULL);
	RtmDeregisterFromChangeNotification(a->reg, a->notify);
	a->notify = NULL;
	/* The learned routes leave RTM (the agent follows RTM no more). */
	fib_watch_stop(a->watch);
	a->watch = NULL;
	DWORD rc = NO_ERROR;
	if (!(a->opt.flags & RTM_FIB_KEEP_AT_STOP)) {
		/* Every route of ours the table has; if it cannot be listed, the
		 * ones the agent knows of. */
		struct pset own = { 0 };
		const struct pset *gone = &own;
		if (fib_nl_dump_own(&a->nl, (uint8_t)a->opt.family, collect, &own))
			gone = &a->kernel;
		unsigned long failed = a->st.failed;
		for (size_t i = 0; i < gone->cap; i++)
			if (gone->state[i] == 1)
				(void)fib_nl_route(&a->nl, FIB_DEL, &gone->slot[i], NULL, 0);
		(void)fib_nl_flush(&a->nl);
		if (a->st.failed != failed)
			rc = ERROR_CAN_NOT_COMPLETE; /* some stayed in the kernel */
		pset_free(&own);
	}
	agent_free(a);
	return rc;
}
