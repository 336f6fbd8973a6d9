/*
 * release.c — releases of client references, all or nothing, and the RIB's
 * deactivation (release.h).
 *
 * Reaping.  A client reference can be dropped under the shared lock (a
 * release call), but freeing needs the exclusive lock because other readers
 * may be looking at the object.  The thread whose release brought an object
 * to zero references and found it freeable sets obj.reap_pending; from then on
 * only that thread may free it, which it does after re-taking the lock
 * exclusively (rtm__obj_reap).  Writers that would otherwise free an object on
 * the spot leave it alone while reap_pending is set.
 *
 * Deactivation.  When the last entity of a RIB leaves, every object left is
 * kept only by references clients never released; nobody can use those
 * handles any more, so everything is freed.  A reap batch that lived through
 * a deactivation (the shared lock dropped before the exclusive one is taken)
 * is forgotten: rib->deactivations counts them.
 */
#include "release.h"

#include "dest.h"
#include "entity.h"
#include "error.h"
#include "lifetime.h"
#include "notify.h"
#include "registry.h"
#include "route.h"

#include <string.h>

enum { REAP_BATCH = 64 };

/*
 * A release is all or nothing, and a handle listed k times needs k client
 * references.  The first pass claims each item's client reference (takes it
 * from the clients' share, refusing at zero), so duplicates count and two
 * concurrent releases cannot both spend the same reference; if one item
 * fails, the claims made so far are given back and nothing has changed.  For
 * a RIB object the claim is the whole release; the second pass only reaps
 * what became unreferenced.  An entity's claim leaves the reference counted
 * in its refs (see entity.h), which the second pass drops.
 *
 * Entity handles come in runs: the releases of information structures name
 * the same owner over and over.  Each run of one entity handle is claimed,
 * and later dropped, in one atomic step (rtm__entity_claim_client_n), not one
 * per item.
 */

/* A run of one entity handle: its first item, its length, the entity, and
 * whether the calling thread's own counts met it (entity.h); last is its
 * last item (other kinds of items may lie between a run's items). */
struct entity_run {
	HANDLE h;
	unsigned start, n;
	struct rtm_entity *e;
	bool local;
	unsigned last;
};

/* What the first pass found, so that the second has little left to do. */
enum { CLAIMED = 256, RUNS = 8 };
struct claims {
	bool lockfree;                /* pass 1 runs in an epoch section, not under rib->lock */
	struct rtm_obj *obj[CLAIMED]; /* the objects of the first CLAIMED items */
	struct entity_run run[RUNS];  /* the entity runs claimed, in order */
	unsigned n_runs;              /* RUNS + 1: more than that, found again */
	bool reap;                    /* an object may have become freeable */
};

/* The object (h, type) names: under rib->lock, or lock-free (the client's
 * reference on a valid handle keeps the object; a stale one finds nothing,
 * or an object with no client reference left to claim). */
static struct rtm_obj *obj_find(struct rtm_rib *rib, HANDLE h, unsigned type, bool lockfree)
{
	return lockfree ? rtm__rib_lookup_optimistic(rib, h, type) : rtm__rib_lookup(rib, h, type);
}

/* Claims one client reference of RIB object (h, type). */
static struct rtm_obj *obj_claim(struct rtm_rib *rib, HANDLE h, unsigned type, bool lockfree)
{
	struct rtm_obj *obj = obj_find(rib, h, type, lockfree);
	return obj && rtm__obj_claim(obj) ? obj : NULL;
}

/* Is item i part of an entity run the thread's own counts met? */
static bool in_local_run(const struct claims *c, unsigned i)
{
	for (unsigned k = 0; k < c->n_runs && k < RUNS; k++)
		if (c->run[k].local && i >= c->run[k].start && i <= c->run[k].last)
			return true;
	return false;
}

/* Gives back the claims of items [0, end), where the entity items from
 * `unclaimed` on (the run not claimed yet) hold none; in the mode pass 1 ran. */
static void unclaim_items(struct rtm_rib *rib, rtm_release_item_fn item, void *ctx, unsigned end,
			  unsigned unclaimed, const struct claims *c)
{
	for (unsigned i = 0; i < end; i++) {
		HANDLE h;
		unsigned type;
		item(ctx, i, &h, &type);
		if (type == 0)
			continue;
		if (type != RTM_HT_ENTITY) {
			struct rtm_obj *obj = obj_find(rib, h, type, c->lockfree);
			if (obj)
				rtm__obj_unclaim(obj);
		} else if (i < unclaimed && !in_local_run(c, i)) {
			struct rtm_entity *e = rtm__entity_of_rib(rib, h);
			if (e)
				rtm__entity_unclaim_client(e);
		}
	}
	for (unsigned k = 0; k < c->n_runs && k < RUNS; k++)
		if (c->run[k].local && c->run[k].start < unclaimed)
			rtm__entity_unclaim_client_local(c->run[k].e, c->run[k].h, c->run[k].n);
}

/* Pass 1: claims every item; 0, or RTM_EHANDLE with nothing claimed. */
static int claim_all(struct rtm_rib *rib, unsigned n, rtm_release_item_fn item, void *ctx,
		     struct claims *c)
{
	struct entity_run run = { 0, 0, 0, NULL, false, 0 };
	HANDLE h;
	unsigned type;
	c->n_runs = 0;
	c->reap = false;
	for (unsigned i = 0; i <= n; i++) {
		if (i < n) {
			item(ctx, i, &h, &type);
			if (type == 0)
				continue;
			if (type == RTM_HT_ENTITY && run.n && h == run.h) {
				run.n++;
				run.last = i;
				continue;
			}
		}
		/* The end, or an item that ends the pending run. */
		if (run.n && (i == n || type == RTM_HT_ENTITY)) {
			/* The thread's own counts first, for a run that can be
			 * listed (drop_entities must know it needs no unref). */
			struct rtm_entity *e = c->n_runs < RUNS ? rtm__entity_of_rib(rib, run.h) : NULL;
			run.local = e && rtm__entity_claim_client_local(e, run.h, run.n);
			run.e = run.local ? e : rtm__entity_claim_client_n(rib, run.h, run.n);
			if (!run.e) {
				unclaim_items(rib, item, ctx, i, run.start, c);
				return RTM_EHANDLE;
			}
			if (c->n_runs < RUNS)
				c->run[c->n_runs++] = run;
			else
				c->n_runs = RUNS + 1;
		}
		if (i == n)
			break;
		if (type == RTM_HT_ENTITY) {
			run = (struct entity_run){ h, i, 1, NULL, false, i };
			continue;
		}
		struct rtm_obj *obj = obj_claim(rib, h, type, c->lockfree);
		if (!obj) {
			unclaim_items(rib, item, ctx, i, run.n ? run.start : i, c);
			return RTM_EHANDLE;
		}
		if (i < CLAIMED)
			c->obj[i] = obj;
		/* Under the shared lock, whether it can be freed changes only
		 * under the exclusive one, so what is seen holds until the lock
		 * is dropped; only more references can come meanwhile.
		 * Lock-free, a writer may be making it freeable right now: the
		 * claim (a full barrier) came first, and a writer checks the
		 * references after its change (lifetime.h), so one of the two
		 * sees the other, and the reap looks again under the lock. */
		if (rtm__obj_refs(obj) == 0 &&
		    (c->lockfree ? rtm__obj_may_need_reap(obj) : rtm__obj_needs_reap(obj)))
			c->reap = true;
	}
	return 0;
}

static void drop_run(struct entity_run *run)
{
	if (run->n && run->e && !run->local)
		rtm__entity_unref_n(run->e, run->n);
	run->n = 0;
}

/* Drops the entity references pass 1 claimed: from its list, or (more runs
 * than it could list) by finding the runs again.  Needs no RIB lock: a
 * claimed reference keeps the entity's slot, so its handle still names it. */
static void drop_entities(struct rtm_rib *rib, unsigned n, rtm_release_item_fn item, void *ctx,
			  struct claims *c)
{
	if (c->n_runs <= RUNS) {
		for (unsigned k = 0; k < c->n_runs; k++)
			drop_run(&c->run[k]);
		return;
	}
	/* The runs come in pass 1's order: the first RUNS are listed, with
	 * whether the thread's own counts met them (nothing to drop then). */
	struct entity_run run = { 0, 0, 0, NULL, false, 0 };
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++) {
		HANDLE h;
		unsigned type;
		item(ctx, i, &h, &type);
		if (type != RTM_HT_ENTITY)
			continue;
		if (!run.n || h != run.h) {
			drop_run(&run);
			run = (struct entity_run){ h, i, 0, rtm__entity_of_rib(rib, h), k < RUNS && c->run[k].local, i };
			k++;
		}
		run.n++;
	}
	drop_run(&run);
}

/* Pass 2, when pass 1 saw that something may have become freeable: reaps it
 * under the exclusive lock, REAP_BATCH objects at a time.  Entered with the
 * shared lock held; returns with no lock held. */
static void reap_claimed(struct rtm_rib *rib, unsigned n, rtm_release_item_fn item, void *ctx,
			 const struct claims *c)
{
	bool dropped = false;
	unsigned i = 0;
	while (i < n) {
		struct rtm_obj *batch[REAP_BATCH];
		unsigned nb = 0;
		for (; i < n && nb < REAP_BATCH; i++) {
			HANDLE h;
			unsigned type;
			item(ctx, i, &h, &type);
			if (type == 0 || type == RTM_HT_ENTITY)
				continue;
			/* c->obj[] is good while the lock taken for the claims is
			 * held: once it was dropped (a reap), an object whose last
			 * reference this release took may have been freed, and
			 * handles are looked up again. */
			struct rtm_obj *obj = i < CLAIMED && !dropped ? c->obj[i]
								      : rtm__rib_lookup(rib, h, type);
			if (!obj || rtm__obj_refs(obj) != 0 || !rtm__obj_needs_reap(obj))
				continue;
			unsigned char expected = 0;
			if (atomic_compare_exchange_strong(&obj->reap_pending, &expected, 1))
				batch[nb++] = obj;
		}
		/*
		 * Between this unlock and the write lock, the RIB's last entity
		 * may leave: deactivation frees every object, those of the batch
		 * too (free_all below).  It counts itself, and a batch that lived
		 * through one is forgotten, not reaped.
		 */
		uint64_t deactivations = rib->deactivations;
		rtm__rib_unlock(rib);
		dropped = true;
		if (nb) {
			rtm__rib_wrlock(rib);
			if (rib->deactivations == deactivations)
				for (unsigned k = 0; k < nb; k++)
					rtm__obj_reap(rib, batch[k]);
			rtm__rib_unlock(rib);
		}
		if (i < n)
			rtm__rib_rdlock(rib);
	}
}

/* Frees, under the exclusive lock, what the handles name if it is freeable:
 * objects a lock-free release or query left unreferenced.  Each is found
 * again by its handle: a writer may have freed it meanwhile. */
static void reap_by_handle(struct rtm_rib *rib, unsigned n, rtm_release_item_fn item, void *ctx)
{
	rtm__rib_wrlock(rib);
	for (unsigned i = 0; i < n; i++) {
		HANDLE h;
		unsigned type;
		item(ctx, i, &h, &type);
		if (type == 0 || type == RTM_HT_ENTITY)
			continue;
		struct rtm_obj *obj = rtm__rib_lookup(rib, h, type);
		if (obj && rtm__obj_refs(obj) == 0 && rtm__obj_needs_reap(obj) &&
		    !atomic_load_explicit(&obj->reap_pending, memory_order_relaxed))
			rtm__obj_try_free(rib, obj);
	}
	rtm__rib_unlock(rib);
}

/* Can pass 1 run lock-free?  For destinations, routes, next hops and
 * entities, whose memory a writer frees through the RIB's limbo (dest.h). */
static bool type_lockfree(unsigned type)
{
	return type == 0 || type == RTM_HT_DEST || type == RTM_HT_ROUTE || type == RTM_HT_NEXTHOP ||
	       type == RTM_HT_ENTITY;
}

static bool all_lockfree(unsigned n, rtm_release_item_fn item, void *ctx)
{
	for (unsigned i = 0; i < n; i++) {
		HANDLE h;
		unsigned type;
		item(ctx, i, &h, &type);
		if (!type_lockfree(type))
			return false;
	}
	return true;
}

static int release_items(struct rtm_rib *rib, unsigned n, rtm_release_item_fn item, void *ctx,
			 bool lockfree)
{
	struct claims c;
	c.lockfree = lockfree;
	if (c.lockfree) {
		rtm__epoch_enter();
		int err = claim_all(rib, n, item, ctx, &c);
		rtm__epoch_exit();
		if (!err && c.reap)
			reap_by_handle(rib, n, item, ctx);
		if (!err)
			drop_entities(rib, n, item, ctx, &c);
		return err;
	}
	rtm__rib_rdlock(rib);
	int err = claim_all(rib, n, item, ctx, &c);
	if (err || !c.reap)
		rtm__rib_unlock(rib);
	else
		reap_claimed(rib, n, item, ctx, &c);
	if (!err)
		drop_entities(rib, n, item, ctx, &c);
	return err;
}

int rtm__rib_release_items(struct rtm_rib *rib, unsigned n, rtm_release_item_fn item, void *ctx)
{
	return release_items(rib, n, item, ctx, all_lockfree(n, item, ctx));
}

int rtm__rib_release_items_lockfree(struct rtm_rib *rib, unsigned n, rtm_release_item_fn item,
				    void *ctx)
{
	return release_items(rib, n, item, ctx, true);
}

static void reap_list_item(void *ctx, unsigned i, HANDLE *h, unsigned *type)
{
	const struct rtm_reap_list *l = ctx;
	*h = l->h[i];
	*type = l->type[i];
}

void rtm__rib_reap_list(struct rtm_rib *rib, struct rtm_reap_list *list)
{
	if (list->n)
		reap_by_handle(rib, list->n, reap_list_item, list);
	list->n = 0;
}

struct strided {
	const char *base;
	unsigned stride;
	unsigned type;
};

static void strided_item(void *ctx, unsigned i, HANDLE *h, unsigned *type)
{
	const struct strided *s = ctx;
	*h = *(const HANDLE *)(const void *)(s->base + (size_t)i * s->stride);
	*type = s->type;
}

int rtm__rib_release_handles(struct rtm_rib *rib, const HANDLE *handles, unsigned n,
			     unsigned type, unsigned stride)
{
	struct strided s = { (const char *)handles, stride, type };
	return release_items(rib, n, strided_item, &s, type_lockfree(type));
}

static void list_item(void *ctx, unsigned i, HANDLE *h, unsigned *type)
{
	const struct rtm_release *items = ctx;
	*h = items[i].handle;
	*type = items[i].handle ? items[i].type : 0;
}

int rtm__rib_release(struct rtm_rib *rib, const struct rtm_release *items, unsigned n)
{
	return rtm__rib_release_items(rib, n, list_item, (void *)items);
}

static void forget_refs(struct rtm_obj *obj, void *arg)
{
	(void)arg;
	atomic_store_explicit(&obj->pins, 0, memory_order_relaxed);
	atomic_store_explicit(&obj->crefs, 0, memory_order_relaxed);
	atomic_store_explicit(&obj->reap_pending, 0, memory_order_relaxed);
}

static void free_routes(struct rtm_obj *obj, void *arg)
{
	if (obj->type == RTM_HT_ROUTE)
		rtm__route_free(arg, (struct rtm_route *)obj);
}

static void free_rest(struct rtm_obj *obj, void *arg)
{
	rtm__obj_sweep_free(arg, obj);
}

static void free_all(struct rtm_rib *rib)
{
	/*
	 * Only objects that clients' unreleased handles kept can be left (every
	 * entity's own objects went with it).  Nobody can name them any more, so
	 * forget those references and free everything: routes first, since they
	 * reference destinations and next hops.
	 */
	rtm__handle_foreach(&rib->handles, forget_refs, NULL);
	rtm__arena_foreach(&rib->dest_arena, forget_refs, NULL);
	rtm__routes_foreach(rib, forget_refs, NULL);
	rtm__arena_foreach(&rib->nexthop_arena, forget_refs, NULL);
	rtm__routes_foreach(rib, free_routes, rib);
	rtm__handle_foreach(&rib->handles, free_rest, rib);
	rtm__arena_foreach(&rib->nexthop_arena, free_rest, rib);
	rtm__arena_foreach(&rib->dest_arena, free_rest, rib);
	rtm__notify_free_all(rib);
}

void rtm__rib_deactivate(struct rtm_rib *rib)
{
	/* Lock-free readers that validated a caller before it deregistered
	 * may still be in the RIB: let them leave first. */
	rtm__epoch_synchronize();
	/*
	 * Every entity has gone, and with it every route, next hop, list,
	 * enumeration and notification it owned.  What can remain are objects
	 * kept only by references clients never released; nobody can use those
	 * handles any more (their caller handles are gone), so free them now.
	 */
	rtm__rib_wrlock(rib);
	free_all(rib);
	rib->deactivations++;
	/* Nobody can reach the RIB's objects now: their memory goes back to
	 * the arenas at once (which keep their chunks for the next life). */
	rtm__rib_tables_release_memory(rib);
	rtm__rib_unlock(rib);
}
