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

/* Claims one client reference of RIB object (h, type); rib->lock held. */
static struct rtm_obj *obj_claim(struct rtm_rib *rib, HANDLE h, unsigned type)
{
	struct rtm_obj *obj = rtm__rib_lookup(rib, h, type);
	return obj && rtm__obj_claim(obj) ? obj : NULL;
}

/* Gives back the claims of items [0, end), where the entity items from
 * `unclaimed` on (the run not claimed yet) hold none; rib->lock held since. */
static void unclaim_items(struct rtm_rib *rib, rtm_release_item_fn item, void *ctx, unsigned end,
			  unsigned unclaimed)
{
	for (unsigned i = 0; i < end; i++) {
		HANDLE h;
		unsigned type;
		item(ctx, i, &h, &type);
		if (type == 0)
			continue;
		if (type != RTM_HT_ENTITY) {
			struct rtm_obj *obj = rtm__rib_lookup(rib, h, type);
			if (obj)
				rtm__obj_unclaim(obj);
		} else if (i < unclaimed) {
			struct rtm_entity *e = rtm__entity_of_rib(rib, h);
			if (e)
				rtm__entity_unclaim_client(e);
		}
	}
}

/* A run of one entity handle: its first item, its length, the entity. */
struct entity_run {
	HANDLE h;
	unsigned start, n;
	struct rtm_entity *e;
};

/* What the first pass found, so that the second has little left to do. */
enum { CLAIMED = 256, RUNS = 8 };
struct claims {
	struct rtm_obj *obj[CLAIMED]; /* the objects of the first CLAIMED items */
	struct entity_run run[RUNS];  /* the entity runs claimed, in order */
	unsigned n_runs;              /* RUNS + 1: more than that, found again */
	bool reap;                    /* an object may have become freeable */
};

/* Pass 1: claims every item; 0, or RTM_EHANDLE with nothing claimed. */
static int claim_all(struct rtm_rib *rib, unsigned n, rtm_release_item_fn item, void *ctx,
		     struct claims *c)
{
	struct entity_run run = { 0, 0, 0, NULL };
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
				continue;
			}
		}
		/* The end, or an item that ends the pending run. */
		if (run.n && (i == n || type == RTM_HT_ENTITY)) {
			run.e = rtm__entity_claim_client_n(rib, run.h, run.n);
			if (!run.e) {
				unclaim_items(rib, item, ctx, i, run.start);
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
			run = (struct entity_run){ h, i, 1, NULL };
			continue;
		}
		struct rtm_obj *obj = obj_claim(rib, h, type);
		if (!obj) {
			unclaim_items(rib, item, ctx, i, run.n ? run.start : i);
			return RTM_EHANDLE;
		}
		if (i < CLAIMED)
			c->obj[i] = obj;
		/* Whether it can be freed changes only under the exclusive lock,
		 * so what is seen here holds until the lock is dropped; only
		 * more references can come meanwhile. */
		if (rtm__obj_refs(obj) == 0 && rtm__obj_needs_reap(obj))
			c->reap = true;
	}
	return 0;
}

static void drop_run(struct entity_run *run)
{
	if (run->n && run->e)
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
	struct entity_run run = { 0, 0, 0, NULL };
	for (unsigned i = 0; i < n; i++) {
		HANDLE h;
		unsigned type;
		item(ctx, i, &h, &type);
		if (type != RTM_HT_ENTITY)
			continue;
		if (!run.n || h != run.h) {
			drop_run(&run);
			run = (struct entity_run){ h, i, 0, rtm__entity_of_rib(rib, h) };
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

int rtm__rib_release_items(struct rtm_rib *rib, unsigned n, rtm_release_item_fn item, void *ctx)
{
	struct claims c;
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
	return rtm__rib_release_items(rib, n, strided_item, &s);
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
	rtm__handle_foreach(&rib->handles, free_routes, rib);
	rtm__handle_foreach(&rib->handles, free_rest, rib);
	rtm__notify_free_all(rib);
}

void rtm__rib_deactivate(struct rtm_rib *rib)
{
	/*
	 * Every entity has gone, and with it every route, next hop, list,
	 * enumeration and notification it owned.  What can remain are objects
	 * kept only by references clients never released; nobody can use those
	 * handles any more (their caller handles are gone), so free them now.
	 */
	rtm__rib_wrlock(rib);
	free_all(rib);
	rib->deactivations++;
	rtm__rib_unlock(rib);
}
