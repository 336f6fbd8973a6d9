/*
 * notify.c — change notification.
 *
 * A registration (RtmRegisterForChangeNotification) is a set of views, a set
 * of change types, an "only marked destinations" flag and a queue of the
 * destinations that changed since its owner last drained it.  A RIB has at
 * most 32 registrations (the configuration's max_change_notifications), each
 * with a fixed index 0..31 in rib->notify[], and every per-destination fact
 * about a registration is one bit of that index in a 32-bit mask:
 *
 *   dest->pending       the destination is in registration i's queue;
 *   dest->ext->ignored  ... but RtmIgnoreChangedDests discarded that change;
 *   dest->ext->marked   RtmMarkDestForChangeNotification marked it for i.
 *
 * The queue.  Each registration has a ring of destination pointers.  A
 * destination is queued at most once per registration (its pending bit says
 * whether it already is), so a destination that changes a hundred times
 * before the client drains costs one entry and is reported once, with its
 * state at the time it is drained — the documentation's "only the latest
 * change is returned".  Every entry holds a reference on its destination, so
 * a destination deleted while queued stays valid: draining it reports what it
 * is then (NumRoutes 0, Route NULL, and its HoldRoute if one is held), and
 * the reference goes when the entry is drained, ignored or the registration
 * removed.  Entries come out in the order the destinations first changed.
 *
 * Memory is bounded by the number of destinations, not of changes: each
 * queued destination is a distinct live destination.  The ring therefore
 * never needs more slots than the RIB has destinations, and it is given them
 * in advance: rtm__notify_reserve() runs before a destination is created and
 * grows every ring to the new count (by half again, so growth is amortised),
 * which may fail like any allocation of an add.  A change, found under the
 * exclusive lock in the middle of a commit that must not fail, then always
 * finds room.  The price is up to 1.5 pointers per destination per
 * registration even when the queues are empty (12 MB per registration for a
 * full table of 1 M destinations); the alternative, growing on demand with a
 * fall-back to rescanning the table when growth fails, costs nothing idle but
 * puts an O(table) scan on a path nobody tests.  A ring that becomes empty is
 * shrunk back when the table has shrunk a lot.
 *
 * Ignoring.  RtmIgnoreChangedDests must discard one queued entry from the
 * middle of a FIFO.  Instead of searching the ring, it sets the ignored bit
 * (in the destination's extension, allocated then) and the entry is dropped
 * silently when it reaches the head.  A new change to an ignored destination
 * clears the bit: the entry is live again, at its old place.
 *
 * Signalling.  `visible` counts a registration's queued, not ignored
 * entries.  When it goes from 0 to 1 the registration's bit is set in
 * rib->notify_due (an atomic word: set under the exclusive lock, taken with
 * an exchange without it), and rtm__notify_flush(), which every changing call
 * runs after dropping its locks, delivers RTM_CHANGE_NOTIFICATION (Context1
 * the notification handle, Context2 its NotifyContext) to the owner.  So a
 * client is signalled once per empty-to-non-empty transition: after a signal,
 * changes only pile up until it has drained everything, and the next change
 * after that signals again.  A client that stops draining early is not
 * signalled again; it knows more is pending.  Flushing costs one relaxed load
 * when nothing is due.  A flush reached again on the same thread from inside
 * a callback (the client changed routes there) leaves the work to the outer
 * flush, which loops until nothing is due, so callbacks do not nest.
 *
 * Who is told.  A registration gets a destination when the change types it
 * asked for (ALL: any route of the view; BEST: the best route or its
 * preference, metric, next hops or flags, or the hold-down route; FORWARDING:
 * as BEST without flags outside RTM_ROUTE_FLAGS_FORWARDING — dest.c computes
 * these per view) changed in one of its views (all supported views for
 * RTM_VIEW_MASK_ANY), and, with RTM_NOTIFY_ONLY_MARKED_DESTS, the destination
 * is marked for it.  The entity that made the change is told like anyone
 * else: the guide says changes go "to all clients that register to receive
 * them".
 *
 * Marks live in the destination's extension and last as long as the
 * destination object (a destination freed when its last route and reference
 * went takes its marks with it).  A registration counts the marks it set, so
 * removing it walks the table to clear them only when it has some.
 *
 * Locking: registrations, queues and bits change under rib->lock exclusive
 * (RtmGetChangedDests drains under it too: it pops entries and drops
 * references); RtmGetChangeStatus and RtmIsMarkedForChangeNotification read
 * under the shared lock.  notify_due is the only field touched without it.
 */
#include "notify.h"

#include "alloc.h"
#include "entity.h"
#include "error.h"
#include "objects.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#define RING_MIN 64u

#define CHANGE_TYPES (RTM_CHANGE_TYPE_ALL | RTM_CHANGE_TYPE_BEST | RTM_CHANGE_TYPE_FORWARDING)

struct rtm_notify {
	struct rtm_obj obj;
	struct rtm_entity *owner;
	struct rtm_link owner_link;  /* in owner->notifies */
	unsigned index;              /* its bit in the per-destination masks */
	RTM_NOTIFY_FLAGS flags;
	RTM_VIEW_SET views;          /* views whose changes count */
	RTM_VIEW_SET info_views;     /* TargetViews as given: the ViewInfo of each entry */
	unsigned n_info_views;       /* ViewInfo entries per RTM_DEST_INFO */
	PVOID context;               /* NotifyContext */
	struct rtm_dest **ring;      /* cap slots; count entries from head */
	size_t cap, head, count;
	size_t visible;              /* entries not ignored */
	size_t marked;               /* destinations it marked (an upper bound) */
};

static inline uint32_t bit_of(const struct rtm_notify *n)
{
	return UINT32_C(1) << n->index;
}

/* ---- rings ----------------------------------------------------------------- */

/* Recomputes the smallest ring capacity (SIZE_MAX with no registration). */
static void update_room(struct rtm_rib *rib)
{
	size_t room = SIZE_MAX;
	for (uint32_t used = rib->notify_used; used; used &= used - 1) {
		const struct rtm_notify *n = rib->notify[__builtin_ctz(used)];
		if (n->cap < room)
			room = n->cap;
	}
	rib->notify_room = room;
}

/* Gives n's ring exactly cap slots (cap >= count), keeping its order.
 * Growing goes through realloc, which for a ring of megabytes moves pages
 * rather than copying them; then only the part of a wrapped queue that sat
 * at the end of the old ring moves, to the end of the new one. */
static int ring_resize(struct rtm_notify *n, size_t cap)
{
	if (cap >= n->cap) {
		struct rtm_dest **ring = rtm__realloc(n->ring, cap * sizeof(*ring));
		if (!ring)
			return RTM_ENOMEM;
		size_t old = n->cap;
		if (n->count && n->head + n->count > old) {
			size_t tail_part = old - n->head; /* entries [head, old) */
			memmove(ring + cap - tail_part, ring + n->head, tail_part * sizeof(*ring));
			n->head = cap - tail_part;
		}
		n->ring = ring;
		n->cap = cap;
		return 0;
	}
	struct rtm_dest **ring = rtm__malloc(cap * sizeof(*ring));
	if (!ring)
		return RTM_ENOMEM;
	for (size_t i = 0, j = n->head; i < n->count; i++) {
		ring[i] = n->ring[j];
		if (++j == n->cap)
			j = 0;
	}
	rtm__free(n->ring);
	n->ring = ring;
	n->cap = cap;
	n->head = 0;
	return 0;
}

static size_t ring_target(size_t dests)
{
	size_t cap = dests + dests / 2;
	return cap < RING_MIN ? RING_MIN : cap;
}

int rtm__notify_grow(struct rtm_rib *rib, size_t dests)
{
	int err = 0;
	for (uint32_t used = rib->notify_used; used && !err; used &= used - 1) {
		struct rtm_notify *n = rib->notify[__builtin_ctz(used)];
		if (n->cap < dests)
			err = ring_resize(n, ring_target(dests));
	}
	update_room(rib);
	return err;
}

/* Signals are owed for n: its queue just became non-empty. */
static void visible_inc(struct rtm_rib *rib, struct rtm_notify *n)
{
	if (n->visible++ == 0)
		atomic_fetch_or_explicit(&rib->notify_due, bit_of(n), memory_order_release);
}

static void enqueue(struct rtm_rib *rib, struct rtm_notify *n, struct rtm_dest *dest)
{
	uint32_t bit = bit_of(n);
	if (dest->pending & bit) {
		/* Already queued: coalesce, and revive it if it was ignored. */
		if (dest->ext && (dest->ext->ignored & bit)) {
			dest->ext->ignored &= ~bit;
			visible_inc(rib, n);
		}
		return;
	}
	/* rtm__notify_reserve() keeps cap >= the number of destinations, and
	 * every queued entry is a distinct destination. */
	assert(n->count < n->cap);
	size_t tail = n->head + n->count;
	if (tail >= n->cap)
		tail -= n->cap;
	n->ring[tail] = dest;
	n->count++;
	dest->pending |= bit;
	rtm__obj_pin(&dest->obj);
	visible_inc(rib, n);
}

/* Takes the head entry off n's queue; *ignored says whether it was ignored.
 * The caller drops the entry's reference (after using the destination). */
static struct rtm_dest *dequeue(struct rtm_notify *n, bool *ignored)
{
	struct rtm_dest *dest = n->ring[n->head];
	if (++n->head == n->cap)
		n->head = 0;
	n->count--;
	uint32_t bit = bit_of(n);
	dest->pending &= ~bit;
	*ignored = dest->ext && (dest->ext->ignored & bit);
	if (*ignored)
		dest->ext->ignored &= ~bit;
	else
		n->visible--;
	return dest;
}

void rtm__notify_queue(struct rtm_rib *rib, struct rtm_dest *dest, const struct rtm_dest_change *ch)
{
	RTM_VIEW_SET any = ch->all | ch->best | ch->fwd;
	if (!any)
		return;
	uint32_t marked = dest->ext ? dest->ext->marked : 0;
	for (uint32_t used = rib->notify_used; used; used &= used - 1) {
		struct rtm_notify *n = rib->notify[__builtin_ctz(used)];
		RTM_VIEW_SET hit = 0;
		if (n->flags & RTM_CHANGE_TYPE_ALL)
			hit |= any;
		if (n->flags & RTM_CHANGE_TYPE_BEST)
			hit |= ch->best;
		if (n->flags & RTM_CHANGE_TYPE_FORWARDING)
			hit |= ch->fwd;
		if (!(hit & n->views))
			continue;
		if ((n->flags & RTM_NOTIFY_ONLY_MARKED_DESTS) && !(marked & bit_of(n)))
			continue;
		enqueue(rib, n, dest);
	}
}

size_t rtm__notify_queued(const struct rtm_rib *rib)
{
	size_t total = 0;
	for (uint32_t used = rib->notify_used; used; used &= used - 1)
		total += rib->notify[__builtin_ctz(used)]->count;
	return total;
}

/* ---- signals --------------------------------------------------------------- */

/* RIBs this thread is flushing (bit per RIB index): a flush reached from a
 * callback leaves the work to the outer one. */
static _Thread_local uint64_t tl_flushing[(RTM_HANDLE_MAX_RIBS + 63) / 64];

void rtm__notify_deliver(struct rtm_rib *rib)
{
	uint64_t mask = UINT64_C(1) << (rib->index % 64);
	uint64_t *word = &tl_flushing[rib->index / 64];
	if (*word & mask)
		return;
	*word |= mask;
	uint32_t due;
	while ((due = atomic_exchange_explicit(&rib->notify_due, 0, memory_order_acq_rel)) != 0) {
		struct {
			struct rtm_entity *owner;
			HANDLE handle;
			PVOID context;
		} sig[32];
		unsigned k = 0;
		rtm__rib_rdlock(rib);
		for (; due; due &= due - 1) {
			/* A registration removed (or replaced) since its bit was
			 * set gets no signal, or a harmless spurious one. */
			struct rtm_notify *n = rib->notify[__builtin_ctz(due)];
			if (!n)
				continue;
			rtm__entity_ref(n->owner);
			sig[k].owner = n->owner;
			sig[k].handle = rtm__rib_handle(rib, &n->obj);
			sig[k].context = n->context;
			k++;
		}
		rtm__rib_unlock(rib);
		for (unsigned i = 0; i < k; i++) {
			rtm__entity_deliver(sig[i].owner, RTM_CHANGE_NOTIFICATION, sig[i].handle,
					    sig[i].context, NULL);
			rtm__entity_unref(sig[i].owner);
		}
	}
	*word &= ~mask;
}

/* ---- registrations ----------------------------------------------------------- */

static struct rtm_dest *dest_lookup(struct rtm_rib *rib, HANDLE h)
{
	return (struct rtm_dest *)rtm__rib_lookup(rib, h, RTM_HT_DEST);
}

/* The caller's live registration named by h, or NULL.  rib->lock held. */
static struct rtm_notify *notify_lookup(struct rtm_rib *rib, struct rtm_entity *caller, HANDLE h)
{
	struct rtm_obj *obj = rtm__rib_lookup(rib, h, RTM_HT_NOTIFY);
	if (!obj || obj->dead)
		return NULL;
	struct rtm_notify *n = (struct rtm_notify *)obj;
	return n->owner == caller ? n : NULL;
}

bool rtm__notify_try_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	if (!obj->dead || rtm__obj_refs(obj) ||
	    atomic_load_explicit(&obj->reap_pending, memory_order_relaxed))
		return false;
	struct rtm_notify *n = (struct rtm_notify *)obj;
	rtm__free(n->ring);
	rtm__handle_free(&rib->handles, obj);
	rtm__free(n);
	return true;
}

/* Takes n out of the RIB: its queue (with the references), its marks, its
 * index and pending signal.  rib->lock exclusive. */
static void notify_remove(struct rtm_rib *rib, struct rtm_notify *n)
{
	uint32_t bit = bit_of(n);
	while (n->count) {
		bool ignored;
		struct rtm_dest *dest = dequeue(n, &ignored);
		rtm__rib_unpin_locked(rib, &dest->obj);
	}
	if (n->marked) {
		for (struct rtm_dest *d = rib->first_dest; d; d = d->next)
			if (d->ext)
				d->ext->marked &= ~bit;
		n->marked = 0;
	}
	rtm__free(n->ring);
	n->ring = NULL;
	n->cap = 0;
	rib->notify[n->index] = NULL;
	rib->notify_used &= ~bit;
	atomic_fetch_and_explicit(&rib->notify_due, ~bit, memory_order_relaxed);
	update_room(rib);
	rib->stats.notifies--;
	rtm__link_unlink(&n->owner_link);
	n->obj.dead = 1;
	rtm__notify_try_free(rib, &n->obj);
}

void rtm__notify_remove_owned(struct rtm_rib *rib, struct rtm_entity *e)
{
	struct rtm_link *pos, *tmp;
	rtm_link_for_each_safe(pos, tmp, &e->notifies)
	{
		notify_remove(rib, rtm_container_of(pos, struct rtm_notify, owner_link));
	}
}

void rtm__notify_free_all(struct rtm_rib *rib)
{
	/* Every registration went with its owner; reset for the next life. */
	memset(rib->notify, 0, sizeof(rib->notify));
	rib->notify_used = 0;
	atomic_store_explicit(&rib->notify_due, 0, memory_order_relaxed);
	rib->notify_room = SIZE_MAX;
}

DWORD WINAPI RtmRegisterForChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle,
					      RTM_VIEW_SET TargetViews, RTM_NOTIFY_FLAGS NotifyFlags,
					      PVOID NotifyContext, PRTM_NOTIFY_HANDLE NotifyHandle)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	struct rtm_notify *n = NULL;
	unsigned index = 0;
	if (!NotifyHandle || !(NotifyFlags & CHANGE_TYPES) ||
	    (NotifyFlags & ~(RTM_NOTIFY_FLAGS)(CHANGE_TYPES | RTM_NOTIFY_ONLY_MARKED_DESTS))) {
		err = RTM_EINVAL;
		goto out;
	}
	if (!rtm__views_supported(rib, TargetViews)) {
		err = RTM_ENOTSUP;
		goto out;
	}
	while (index < rib->cfg.max_change_notifications && (rib->notify_used >> index & 1u))
		index++;
	if (index >= rib->cfg.max_change_notifications || index >= 32) {
		err = RTM_ENORES;
		goto out;
	}
	n = rtm__calloc(1, sizeof(*n));
	if (!n) {
		err = RTM_ENOMEM;
		goto out;
	}
	n->cap = ring_target(rib->stats.dests);
	n->ring = rtm__malloc(n->cap * sizeof(*n->ring));
	if (!n->ring || rtm__handle_alloc(&rib->handles, &n->obj, RTM_HT_NOTIFY)) {
		rtm__free(n->ring);
		rtm__free(n);
		err = RTM_ENOMEM;
		goto out;
	}
	n->owner = caller;
	n->index = index;
	n->flags = NotifyFlags;
	n->views = TargetViews ? TargetViews : rib->cfg.views_supported;
	n->info_views = TargetViews;
	n->n_info_views = rtm__dest_info_views(rib, TargetViews);
	n->context = NotifyContext;
	rtm__link_add_tail(&caller->notifies, &n->owner_link);
	rib->notify[index] = n;
	rib->notify_used |= UINT32_C(1) << index;
	update_room(rib);
	rib->stats.notifies++;
	*NotifyHandle = rtm__rib_handle(rib, &n->obj);
out:
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmDeregisterFromChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle,
						 RTM_NOTIFY_HANDLE NotifyHandle)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_notify *n = notify_lookup(rib, caller, NotifyHandle);
	if (n)
		notify_remove(rib, n);
	rtm__rib_unlock(rib);
	return n ? NO_ERROR : ERROR_INVALID_HANDLE;
}

/* ---- draining ---------------------------------------------------------------- */

DWORD WINAPI RtmGetChangedDests(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
				PUINT NumDests, PRTM_DEST_INFO ChangedDests)
{
	struct rtm_entity *caller;
	/* Exclusive: draining pops entries and drops their references. */
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	struct rtm_notify *n = notify_lookup(rib, caller, NotifyHandle);
	if (!n) {
		err = RTM_EHANDLE;
		goto out;
	}
	if (!NumDests || *NumDests > rib->cfg.max_handles_in_enum || (*NumDests && !ChangedDests)) {
		err = RTM_EINVAL;
		goto out;
	}
	UINT cap = *NumDests, got = 0;
	size_t stride = RTM_SIZE_OF_DEST_INFO(n->n_info_views);
	struct rtm_owner_refs owners = { NULL, 0 };
	while (got < cap && n->count) {
		bool ignored;
		struct rtm_dest *dest = dequeue(n, &ignored);
		if (!ignored) {
			PRTM_DEST_INFO di = (void *)((char *)ChangedDests + got * stride);
			rtm__dest_fill_info(rib, dest, RTM_BEST_PROTOCOL, n->info_views, &owners, di);
			got++;
		}
		/* The entry's reference; the information holds its own. */
		rtm__rib_unpin_locked(rib, &dest->obj);
	}
	rtm__owner_refs_flush(&owners);
	if (n->count == 0 && n->cap > 2 * ring_target(rib->stats.dests)) {
		/* The table shrank a lot: give the slack back (failure is harmless). */
		if (ring_resize(n, ring_target(rib->stats.dests)) == 0)
			update_room(rib);
	}
	*NumDests = got;
	/* Items never come with ERROR_NO_MORE_ITEMS: a loop that stops on the
	 * status loses nothing, and one that stops on a count of 0 ends. */
	if (got == 0 && n->visible == 0)
		err = RTM_ENOMORE;
out:
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmReleaseChangedDests(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
				    UINT NumDests, PRTM_DEST_INFO ChangedDests)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_notify *n = notify_lookup(rib, caller, NotifyHandle);
	size_t stride = n ? RTM_SIZE_OF_DEST_INFO(n->n_info_views) : 0;
	rtm__rib_unlock(rib);
	if (!n)
		return ERROR_INVALID_HANDLE;
	if (NumDests && !ChangedDests)
		return ERROR_INVALID_PARAMETER;
	return rtm__win32(rtm__dest_release_infos(rib, ChangedDests, NumDests, stride));
}

DWORD WINAPI RtmIgnoreChangedDests(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
				   UINT NumDests, PRTM_DEST_HANDLE ChangedDests)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	struct rtm_notify *n = notify_lookup(rib, caller, NotifyHandle);
	if (!n) {
		err = RTM_EHANDLE;
		goto out;
	}
	if (NumDests && !ChangedDests) {
		err = RTM_EINVAL;
		goto out;
	}
	uint32_t bit = bit_of(n);
	/* Check every handle, and give every destination to change its
	 * extension, before changing anything. */
	for (UINT i = 0; i < NumDests && !err; i++) {
		struct rtm_dest *d = dest_lookup(rib, ChangedDests[i]);
		if (!d)
			err = RTM_EHANDLE;
		else if ((d->pending & bit) && !rtm__dest_ext(rib, d))
			err = RTM_ENOMEM;
	}
	for (UINT i = 0; i < NumDests && !err; i++) {
		struct rtm_dest *d = dest_lookup(rib, ChangedDests[i]);
		if ((d->pending & bit) && !(d->ext->ignored & bit)) {
			d->ext->ignored |= bit;
			n->visible--;
		}
	}
out:
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

/* ---- status and marks ---------------------------------------------------------- */

/* Shared prologue: the caller's registration and a destination, both checked. */
static struct rtm_rib *enter_dest(RTM_ENTITY_HANDLE reg, RTM_NOTIFY_HANDLE nh, RTM_DEST_HANDLE dh,
				  bool exclusive, struct rtm_notify **n, struct rtm_dest **dest)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(reg, &caller, exclusive);
	if (!rib)
		return NULL;
	*n = notify_lookup(rib, caller, nh);
	*dest = dest_lookup(rib, dh);
	if (!*n || !*dest) {
		rtm__rib_unlock(rib);
		return NULL;
	}
	return rib;
}

DWORD WINAPI RtmGetChangeStatus(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
				RTM_DEST_HANDLE DestHandle, PBOOL ChangeStatus)
{
	struct rtm_notify *n;
	struct rtm_dest *dest;
	struct rtm_rib *rib = enter_dest(RtmRegHandle, NotifyHandle, DestHandle, false, &n, &dest);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	DWORD rc = NO_ERROR;
	if (!ChangeStatus) {
		rc = ERROR_INVALID_PARAMETER;
	} else {
		uint32_t bit = bit_of(n);
		*ChangeStatus = (dest->pending & bit) && !(dest->ext && (dest->ext->ignored & bit));
	}
	rtm__rib_unlock(rib);
	return rc;
}

DWORD WINAPI RtmMarkDestForChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle,
					      RTM_NOTIFY_HANDLE NotifyHandle, RTM_DEST_HANDLE DestHandle,
					      BOOL MarkDest)
{
	struct rtm_notify *n;
	struct rtm_dest *dest;
	struct rtm_rib *rib = enter_dest(RtmRegHandle, NotifyHandle, DestHandle, true, &n, &dest);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	DWORD rc = NO_ERROR;
	uint32_t bit = bit_of(n);
	if (MarkDest) {
		struct rtm_dest_ext *ext = rtm__dest_ext(rib, dest);
		if (!ext) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
		} else if (!(ext->marked & bit)) {
			ext->marked |= bit;
			n->marked++;
		}
	} else if (dest->ext && (dest->ext->marked & bit)) {
		dest->ext->marked &= ~bit;
		if (n->marked)
			n->marked--;
	}
	rtm__rib_unlock(rib);
	return rc;
}

DWORD WINAPI RtmIsMarkedForChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle,
					      RTM_NOTIFY_HANDLE NotifyHandle, RTM_DEST_HANDLE DestHandle,
					      PBOOL DestMarked)
{
	struct rtm_notify *n;
	struct rtm_dest *dest;
	struct rtm_rib *rib = enter_dest(RtmRegHandle, NotifyHandle, DestHandle, false, &n, &dest);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	DWORD rc = NO_ERROR;
	if (!DestMarked)
		rc = ERROR_INVALID_PARAMETER;
	else
		*DestMarked = dest->ext && (dest->ext->marked & bit_of(n));
	rtm__rib_unlock(rib);
	return rc;
}
