/*
 * api/notify.c — the change-notification calls: registration, draining,
 * ignoring, status and marks.  The queues are table/changes.c.
 */
#include "enter.h"

#include "alloc.h"
#include "dest.h"
#include "entity.h"
#include "error.h"
#include "info.h"
#include "lifetime.h"
#include "notify.h"
#include "release.h"

#include <assert.h>
#include <string.h>

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
	if (!NotifyHandle || !(NotifyFlags & RTM_CHANGE_TYPES) ||
	    (NotifyFlags & ~(RTM_NOTIFY_FLAGS)(RTM_CHANGE_TYPES | RTM_NOTIFY_ONLY_MARKED_DESTS))) {
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
	n->cap = rtm__notify_ring_target(rib->stats.dests);
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
	pthread_mutex_init(&n->drain, NULL);
	rtm__link_add_tail(&caller->notifies, &n->owner_link);
	rib->notify[index] = n;
	rib->notify_used |= UINT32_C(1) << index;
	rtm__notify_update_room(rib);
	rib->stats.notifies++;
	*NotifyHandle = rtm__rib_handle(rib, &n->obj);
out:
	rtm__leave(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmDeregisterFromChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle,
						 RTM_NOTIFY_HANDLE NotifyHandle)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_notify *n = rtm__notify_of_caller(rib, caller, NotifyHandle);
	if (n)
		rtm__notify_remove(rib, n);
	rtm__leave(rib);
	return n ? NO_ERROR : ERROR_INVALID_HANDLE;
}

/* ---- draining ---------------------------------------------------------------- */

/*
 * RtmGetChangedDests takes no lock a writer holds (table/changes.c): it
 * holds the registration's drain mutex, takes entries off the queue and
 * fills each destination's information as RtmGetDestInfo does, inside an
 * epoch section.  Each entry's pin goes after the information took its own
 * reference; a destination left with none goes to the reap list.  A queue left empty
 * in a table that shrank a lot is shrunk afterwards, under the lock.
 */
static void shrink(struct rtm_rib *rib, RTM_ENTITY_HANDLE reg, HANDLE h)
{
	struct rtm_entity *caller;
	if (!(rib = rtm__enter(reg, &caller, true)))
		return;
	struct rtm_notify *n = rtm__notify_of_caller(rib, caller, h);
	if (n) {
		pthread_mutex_lock(&n->drain);
		size_t target = rtm__notify_ring_target(rib->stats.dests);
		/* Failure is harmless: the ring keeps its slack. */
		if (rtm__notify_count(n) == 0 && n->cap > 2 * target && rtm__notify_ring_resize(n, target) == 0)
			rtm__notify_update_room(rib);
		pthread_mutex_unlock(&n->drain);
	}
	rtm__leave(rib);
}

DWORD WINAPI RtmGetChangedDests(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
				PUINT NumDests, PRTM_DEST_INFO ChangedDests)
{
	struct rtm_reap_list reap = { 0 };
	UINT got = 0;
	int err;
	bool pause, oversized = false;
	struct rtm_rib *rib;
	do {
		struct rtm_entity *caller;
		if (!(rib = rtm__enter_read(RtmRegHandle, &caller))) {
			if (!got)
				return ERROR_INVALID_HANDLE;
			*NumDests = got; /* what the call gave before its caller went */
			return NO_ERROR;
		}
		err = 0;
		pause = false;
		struct rtm_notify *n = rtm__notify_of_caller_optimistic(rib, caller, NotifyHandle);
		if (!n) {
			err = RTM_EHANDLE;
		} else if (!NumDests || *NumDests > rib->cfg.max_handles_in_enum || (*NumDests && !ChangedDests)) {
			err = RTM_EINVAL;
		} else {
			pthread_mutex_lock(&n->drain);
			if (n->obj.dead)
				err = RTM_EHANDLE; /* deregistered meanwhile */
			UINT cap = *NumDests;
			size_t stride = RTM_SIZE_OF_DEST_INFO(n->n_info_views);
			struct rtm_dest_query q = { .kind = RTM_QUERY_HANDLE, .views = n->info_views,
						    .proto = RTM_BEST_PROTOCOL };
			while (!err && got < cap) {
				/* Room for this entry's reference and for the query's. */
				if (RTM_REAP_LIST_MAX - reap.n < 2 + 2 * RTM_MAX_VIEWS) {
					pause = true;
					break;
				}
				struct rtm_dest *d;
				bool report;
				if (!rtm__notify_pop(n, &d, &report))
					break;
				/* The entry's pin keeps the destination through the
				 * query, which references it for the information. */
				HANDLE h = rtm__rib_handle(rib, &d->obj);
				if (report) {
					q.h = h;
					PRTM_DEST_INFO di = (void *)((char *)ChangedDests + got * stride);
					if (rtm__dest_query(rib, &q, di, &reap)) {
						/* Its reap list filled (a writer kept changing the
						 * destination): put the entry back, pin and all,
						 * reap, and report it first thing after. */
						rtm__notify_carry(n, d);
						pause = true;
						break;
					}
					got++;
				}
				/* Then the pin goes; left with nothing, the destination
				 * may be freeable, which a writer decides (the reap). */
				if (rtm__obj_unpin(&d->obj) == 0) {
					assert(reap.n < RTM_REAP_LIST_MAX);
					reap.h[reap.n] = h;
					reap.type[reap.n++] = RTM_HT_DEST;
				}
			}
			if (!err && !pause) {
				*NumDests = got;
				/* Items never come with ERROR_NO_MORE_ITEMS: a loop that
				 * stops on the status loses nothing, and one that stops
				 * on a count of 0 ends.  An empty answer to a buffer is
				 * the queue found empty; to no buffer, the count says
				 * whether there is more.  A change queued after this
				 * signals (table/changes.c). */
				if (got == 0 && (cap || __atomic_load_n(&n->visible, __ATOMIC_SEQ_CST) <= 0))
					err = RTM_ENOMORE;
				oversized = rtm__notify_count(n) == 0 &&
					    n->cap > 2 * rtm__notify_ring_target(
							     __atomic_load_n(&rib->stats.dests, __ATOMIC_RELAXED));
			}
			pthread_mutex_unlock(&n->drain);
		}
		rtm__epoch_exit();
		rtm__rib_reap_list(rib, &reap);
	} while (pause);
	if (err && got) {
		*NumDests = got; /* what the call gave before the registration went */
		err = 0;
	}
	if (oversized)
		shrink(rib, RtmRegHandle, NotifyHandle);
	return rtm__win32(err);
}

DWORD WINAPI RtmReleaseChangedDests(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
				    UINT NumDests, PRTM_DEST_INFO ChangedDests)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_notify *n = rtm__notify_of_caller(rib, caller, NotifyHandle);
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
	struct rtm_notify *n = rtm__notify_of_caller(rib, caller, NotifyHandle);
	if (!n) {
		err = RTM_EHANDLE;
		goto out;
	}
	if (NumDests && !ChangedDests) {
		err = RTM_EINVAL;
		goto out;
	}
	uint32_t bit = rtm__notify_bit(n);
	/* Check every handle, and give every destination to change its
	 * extension, before changing anything. */
	for (UINT i = 0; i < NumDests && !err; i++) {
		struct rtm_dest *d = rtm__dest_lookup(rib, ChangedDests[i]);
		if (!d)
			err = RTM_EHANDLE;
		else if ((__atomic_load_n(&d->pending, __ATOMIC_RELAXED) & bit) && !rtm__dest_ext(rib, d))
			err = RTM_ENOMEM;
	}
	if (!err) {
		pthread_mutex_lock(&n->drain); /* no drain in between (table/changes.c) */
		for (UINT i = 0; i < NumDests; i++)
			rtm__notify_ignore(n, rtm__dest_lookup(rib, ChangedDests[i]));
		pthread_mutex_unlock(&n->drain);
	}
out:
	rtm__leave(rib);
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
	*n = rtm__notify_of_caller(rib, caller, nh);
	*dest = rtm__dest_lookup(rib, dh);
	if (!*n || !*dest) {
		rtm__rib_unlock(rib);
		return NULL;
	}
	return rib;
}

/* RtmGetChangeStatus and RtmIsMarkedForChangeNotification read two bits
 * without a lock (table/changes.c): the answer of one moment. */
struct status_args {
	HANDLE nh, dh;
	PBOOL out;
	bool marked; /* the mark, else the change status */
};

static int status_read(struct rtm_rib *rib, struct rtm_entity *caller, void *arg, struct rtm_reap_list *reap)
{
	(void)reap;
	struct status_args *a = arg;
	struct rtm_notify *n = rtm__notify_of_caller_optimistic(rib, caller, a->nh);
	struct rtm_dest *dest = (struct rtm_dest *)rtm__rib_lookup_optimistic(rib, a->dh, RTM_HT_DEST);
	if (!n || __atomic_load_n(&n->obj.dead, __ATOMIC_ACQUIRE) || !dest)
		return RTM_EHANDLE;
	if (!a->out)
		return RTM_EINVAL;
	*a->out = a->marked ? rtm__notify_is_marked(n, dest) : rtm__notify_is_queued(n, dest);
	return 0;
}

DWORD WINAPI RtmGetChangeStatus(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NOTIFY_HANDLE NotifyHandle,
				RTM_DEST_HANDLE DestHandle, PBOOL ChangeStatus)
{
	struct status_args a = { NotifyHandle, DestHandle, ChangeStatus, false };
	return rtm__read(RtmRegHandle, status_read, &a);
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
	uint32_t bit = rtm__notify_bit(n);
	if (MarkDest) {
		struct rtm_dest_ext *ext = rtm__dest_ext(rib, dest);
		if (!ext) {
			rc = ERROR_NOT_ENOUGH_MEMORY;
		} else if (!(__atomic_fetch_or(&ext->marked, bit, __ATOMIC_RELAXED) & bit)) {
			n->marked++; /* the mark is read without the lock (table/changes.c) */
		}
	} else if (dest->ext && (__atomic_fetch_and(&dest->ext->marked, ~bit, __ATOMIC_RELAXED) & bit)) {
		if (n->marked)
			n->marked--;
	}
	rtm__leave(rib);
	return rc;
}

DWORD WINAPI RtmIsMarkedForChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle,
					      RTM_NOTIFY_HANDLE NotifyHandle, RTM_DEST_HANDLE DestHandle,
					      PBOOL DestMarked)
{
	struct status_args a = { NotifyHandle, DestHandle, DestMarked, true };
	return rtm__read(RtmRegHandle, status_read, &a);
}
