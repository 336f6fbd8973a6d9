/*
 * changes.c — the change queues of change notification (changes.h).  The
 * registrations' other parts: svc/notify.c (signals, removal) and
 * api/notify.c (the calls).
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
 * Locking.  Registrations and marks change under rib->lock exclusive, and so
 * do the writers' ends of the queues: a push, a revival, an ignore.  Draining
 * (RtmGetChangedDests) takes no lock a writer holds: the drainer holds the
 * registration's own mutex, `drain`, which serialises drainers (and the rare
 * calls that change both ends: growing or shrinking the ring, ignoring,
 * removing the registration, which hold rib->lock first), reads the
 * destination inside an epoch section like any lock-free query, and meets
 * the writers only in atomic words:
 *   - the ring is single-producer single-consumer: a writer fills the slot
 *     at tail and then publishes tail (release); the drainer reads the slot
 *     at head, then publishes head; neither index goes back;
 *   - dest->pending is changed with atomic read-modify-writes on both sides.
 *     A writer queues a destination with fetch_or: if the bit was set, the
 *     change coalesces into the queued entry; the drainer clears the bit
 *     with fetch_and after taking the entry off and only then reads the
 *     destination.  The two operations are ordered one way or the other: a
 *     writer that saw the bit set is read by the drainer (its fetch_and
 *     reads what the fetch_or wrote), and a writer that saw it clear queues
 *     a new entry;
 *   - an ignored entry is revived by the writer that coalesces into it, and
 *     the drainer consumes it as ignored: both clear the ignored bit with
 *     fetch_and, so exactly one of them finds it set.  A writer that finds
 *     it already cleared knows the drainer took the entry as ignored after
 *     the writer's change: it queues the destination again.  A writer that
 *     reads the ignored bit clear trusts it only if the pending bit is still
 *     set when read after it (the drainer clears pending first, then
 *     ignored), else it queues again too; the case is rare and costs at
 *     worst one report twice.  (MemorySanitizer's timing found a change
 *     lost when the writer trusted a clear ignored bit alone: test_mt_ignore);
 *   - visible is an atomic count; the drainer may count an entry off just
 *     before the writer that revived it counts it on, so it is signed.
 * A drained entry whose destination the drain cannot read before it must
 * pause (a writer keeps changing it, and each failed read fills the call's
 * reap list) is put back at the head of the queue, in the registration's
 * carry slot, pending bit set and counted again, and reported first after
 * the pause: no change is lost to a full reap list.
 *
 * The pin of a drained entry is dropped without the lock once the
 * information given for it holds a reference of its own; a destination left
 * with no reference goes to the reap list (svc/release.c), so it is still
 * freed only under the lock.
 */
#include "changes.h"

#include "alloc.h"
#include "error.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#define RING_MIN 64u

/* ---- rings ----------------------------------------------------------------- */

void rtm__notify_update_room(struct rtm_rib *rib)
{
	size_t room = SIZE_MAX;
	for (uint32_t used = rib->notify_used; used; used &= used - 1) {
		const struct rtm_notify *n = rib->notify[__builtin_ctz(used)];
		if (n->cap < room)
			room = n->cap;
	}
	rib->notify_room = room;
}

/* Gives n's ring exactly cap slots (cap >= its count), keeping its order;
 * the entries move to the start (indexes from 0 again). */
int rtm__notify_ring_resize(struct rtm_notify *n, size_t cap)
{
	size_t head = n->head, count = n->tail - head;
	assert(cap >= count);
	struct rtm_dest **ring = rtm__malloc(cap * sizeof(*ring));
	if (!ring)
		return RTM_ENOMEM;
	for (size_t i = 0, j = n->head_slot; i < count; i++) {
		ring[i] = n->ring[j];
		if (++j == n->cap)
			j = 0;
	}
	rtm__free(n->ring);
	n->ring = ring;
	n->cap = cap;
	__atomic_store_n(&n->head, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&n->tail, count, __ATOMIC_RELAXED);
	n->head_slot = 0;
	n->tail_slot = count == cap ? 0 : count;
	return 0;
}

size_t rtm__notify_ring_target(size_t dests)
{
	size_t cap = dests + dests / 2;
	return cap < RING_MIN ? RING_MIN : cap;
}

int rtm__notify_grow(struct rtm_rib *rib, size_t dests)
{
	int err = 0;
	for (uint32_t used = rib->notify_used; used && !err; used &= used - 1) {
		struct rtm_notify *n = rib->notify[__builtin_ctz(used)];
		if (n->cap < dests) {
			pthread_mutex_lock(&n->drain);
			err = rtm__notify_ring_resize(n, rtm__notify_ring_target(dests));
			pthread_mutex_unlock(&n->drain);
		}
	}
	rtm__notify_update_room(rib);
	return err;
}

/* Signals are owed for n: its queue just became non-empty. */
static void visible_inc(struct rtm_rib *rib, struct rtm_notify *n)
{
	if (__atomic_fetch_add(&n->visible, 1, __ATOMIC_SEQ_CST) == 0)
		atomic_fetch_or_explicit(&rib->notify_due, rtm__notify_bit(n), memory_order_release);
}

static void push(struct rtm_rib *rib, struct rtm_notify *n, struct rtm_dest *dest)
{
	/* rtm__notify_reserve() keeps cap >= the number of destinations, and
	 * every queued entry is a distinct destination. */
	size_t tail = n->tail;
	assert(tail - __atomic_load_n(&n->head, __ATOMIC_ACQUIRE) < n->cap);
	n->ring[n->tail_slot] = dest;
	if (++n->tail_slot == n->cap)
		n->tail_slot = 0;
	rtm__obj_pin(&dest->obj);
	__atomic_store_n(&n->tail, tail + 1, __ATOMIC_RELEASE);
	/* Counted once it can be drained: a drainer that finds the queue
	 * empty may answer "no more", and the count going from 0 to 1 here
	 * then signals the entry (or a drainer took it already, and counted
	 * it off first: the count passes through -1 and nobody is told). */
	visible_inc(rib, n);
}

static void enqueue(struct rtm_rib *rib, struct rtm_notify *n, struct rtm_dest *dest)
{
	uint32_t bit = rtm__notify_bit(n);
	if (!(__atomic_fetch_or(&dest->pending, bit, __ATOMIC_SEQ_CST) & bit)) {
		push(rib, n, dest);
		return;
	}
	/* Already queued: coalesce, and revive it if it was ignored.  A drain
	 * may be taking the entry right now (the essay above): it clears the
	 * pending bit, then the ignored one.  So an ignored bit found clear
	 * means "not ignored" only while the pending bit is still set after
	 * it; an ignored bit found set is claimed by one of the two. */
	struct rtm_dest_ext *ext = dest->ext;
	if (ext && (__atomic_load_n(&ext->ignored, __ATOMIC_SEQ_CST) & bit)) {
		if (__atomic_fetch_and(&ext->ignored, ~bit, __ATOMIC_SEQ_CST) & bit) {
			visible_inc(rib, n); /* revived: the drain reports it */
			return;
		}
		/* The drain took it as ignored after this change: queue again. */
	} else if (__atomic_load_n(&dest->pending, __ATOMIC_SEQ_CST) & bit) {
		return; /* queued, not ignored: the drain that takes it reads this change */
	}
	/* Taken meanwhile (if not as ignored, this change may be reported twice). */
	if (!(__atomic_fetch_or(&dest->pending, bit, __ATOMIC_SEQ_CST) & bit))
		push(rib, n, dest);
}

bool rtm__notify_pop(struct rtm_notify *n, struct rtm_dest **out, bool *report)
{
	struct rtm_dest *dest = n->carry;
	if (dest) {
		__atomic_store_n(&n->carry, (struct rtm_dest *)NULL, __ATOMIC_RELAXED);
	} else {
		size_t head = n->head;
		if (head == __atomic_load_n(&n->tail, __ATOMIC_ACQUIRE))
			return false;
		dest = n->ring[n->head_slot];
		if (++n->head_slot == n->cap)
			n->head_slot = 0;
		__atomic_store_n(&n->head, head + 1, __ATOMIC_RELEASE);
	}
	uint32_t bit = rtm__notify_bit(n);
	__atomic_fetch_and(&dest->pending, ~bit, __ATOMIC_SEQ_CST);
	struct rtm_dest_ext *ext = __atomic_load_n(&dest->ext, __ATOMIC_ACQUIRE);
	*report = !(ext && (__atomic_fetch_and(&ext->ignored, ~bit, __ATOMIC_SEQ_CST) & bit));
	if (*report)
		__atomic_fetch_sub(&n->visible, 1, __ATOMIC_SEQ_CST);
	*out = dest;
	return true;
}

void rtm__notify_carry(struct rtm_notify *n, struct rtm_dest *dest)
{
	/* Queued again as if never taken: a writer that finds the bit set
	 * coalesces into it (one that queued it anew meanwhile made a second
	 * entry, in the ring, which is reported too), and it counts again. */
	__atomic_fetch_or(&dest->pending, rtm__notify_bit(n), __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&n->visible, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&n->carry, dest, __ATOMIC_RELAXED);
}

void rtm__notify_ignore(struct rtm_notify *n, struct rtm_dest *dest)
{
	uint32_t bit = rtm__notify_bit(n);
	if ((__atomic_load_n(&dest->pending, __ATOMIC_RELAXED) & bit) &&
	    !(__atomic_fetch_or(&dest->ext->ignored, bit, __ATOMIC_SEQ_CST) & bit))
		__atomic_fetch_sub(&n->visible, 1, __ATOMIC_SEQ_CST);
}

bool rtm__notify_is_queued(const struct rtm_notify *n, const struct rtm_dest *dest)
{
	uint32_t bit = rtm__notify_bit(n);
	const struct rtm_dest_ext *ext = __atomic_load_n(&dest->ext, __ATOMIC_ACQUIRE);
	/* The ignored bit first: a drain clears pending and then ignored, so
	 * a clear ignored bit read first is followed by the pending bit of
	 * that moment or later, never by the pending bit of the entry the
	 * drain is consuming as ignored. */
	if (ext && (__atomic_load_n(&ext->ignored, __ATOMIC_ACQUIRE) & bit))
		return false;
	return (__atomic_load_n(&dest->pending, __ATOMIC_ACQUIRE) & bit) != 0;
}

void rtm__notify_queue(struct rtm_rib *rib, struct rtm_dest *dest, const struct rtm_dest_change *ch)
{
	RTM_VIEW_SET any = ch->all | ch->best | ch->fwd;
	if (!any)
		return;
	uint32_t marked = dest->ext ? __atomic_load_n(&dest->ext->marked, __ATOMIC_RELAXED) : 0;
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
		if ((n->flags & RTM_NOTIFY_ONLY_MARKED_DESTS) && !(marked & rtm__notify_bit(n)))
			continue;
		enqueue(rib, n, dest);
	}
}

size_t rtm__notify_queued(const struct rtm_rib *rib)
{
	size_t total = 0;
	for (uint32_t used = rib->notify_used; used; used &= used - 1)
		total += rtm__notify_count(rib->notify[__builtin_ctz(used)]);
	return total;
}

bool rtm__notify_is_marked(const struct rtm_notify *n, const struct rtm_dest *dest)
{
	const struct rtm_dest_ext *ext = __atomic_load_n(&dest->ext, __ATOMIC_ACQUIRE);
	return ext && (__atomic_load_n(&ext->marked, __ATOMIC_RELAXED) & rtm__notify_bit(n));
}
