/*
 * api/nexthop.c — next hops: RtmAddNextHop, RtmFindNextHop,
 * RtmDeleteNextHop, RtmGetNextHopInfo, RtmReleaseNextHopInfo,
 * RtmGetNextHopPointer, RtmLockNextHop, RtmReleaseNextHops.  The table's
 * side is table/nexthop.c.
 *
 * Locking: RtmLockNextHop takes the next hop's client stripe (by a hash of
 * its slot); an update of an existing next hop and RtmDeleteNextHop take it
 * exclusively too (rtm__enter_change), so they wait while another thread
 * holds the next hop locked, and the owner edits the record in place under
 * its own lock.  RtmGetNextHopInfo reads under the stripe shared.
 */
#include "enter.h"

#include "error.h"
#include "lifetime.h"
#include "netaddr.h"
#include "nexthop.h"
#include "release.h"

/* A change of one next hop: the target function finds it (NULL when the
 * call creates one) and its stripe. */
struct nh_arg {
	HANDLE handle;
	const RTM_NEXTHOP_INFO *info;
	struct rtm_nexthop *nh; /* out */
};

static int with_stripe(struct nh_arg *a, unsigned *stripe, bool *want)
{
	if (a->nh) {
		*stripe = rtm__stripe_of_obj(&a->nh->obj);
		*want = true;
	}
	return 0;
}

/* The next hop RtmAddNextHop updates: the one named by the handle, or the
 * caller's with the key; NULL when it creates one. */
static int add_target(struct rtm_rib *rib, struct rtm_entity *caller, void *arg, unsigned *stripe,
		      bool *want)
{
	struct nh_arg *a = arg;
	a->nh = NULL;
	if (a->handle) {
		struct rtm_nexthop *nh = rtm__nexthop_live(rib, a->handle);
		if (!nh)
			return RTM_EHANDLE;
		if (nh->owner != caller)
			return RTM_EACCES;
		a->nh = nh;
	} else {
		a->nh = rtm__nexthop_find(caller, a->info);
	}
	return with_stripe(a, stripe, want);
}

DWORD WINAPI RtmAddNextHop(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NEXTHOP_INFO NextHopInfo,
			   PRTM_NEXTHOP_HANDLE NextHopHandle, PRTM_NEXTHOP_CHANGE_FLAGS ChangeFlags)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	struct rtm_rib *rib = caller->rib;
	if (!NextHopInfo || !ChangeFlags ||
	    rtm__netaddr_check(&NextHopInfo->NextHopAddress, rib->family, rib->width))
		return ERROR_INVALID_PARAMETER;
	bool by_handle = NextHopHandle && *NextHopHandle;
	struct nh_arg arg = { by_handle ? *NextHopHandle : NULL, NextHopInfo, NULL };
	struct rtm_change c = { .rib = rib, .caller = caller, .caller_h = RtmRegHandle };
	int err = rtm__enter_change(&c, add_target, &arg);
	if (err)
		return rtm__win32(err);
	struct rtm_nexthop *nh = arg.nh;
	if (nh) {
		rtm__nexthop_update(rib, nh, NextHopInfo);
		*ChangeFlags = 0;
	} else if (!(err = rtm__nexthop_add(rib, caller, NextHopInfo, &nh))) {
		*ChangeFlags = RTM_NEXTHOP_CHANGE_NEW;
	}
	/* An update by handle returns no new handle. */
	if (!err && NextHopHandle && !by_handle) {
		rtm__obj_ref(&nh->obj);
		*NextHopHandle = rtm__rib_handle(rib, &nh->obj);
	}
	rtm__leave_change(&c, true);
	return rtm__win32(err);
}

/*
 * RtmFindNextHop finds the caller's own next hop without a lock, in its
 * sorted array read at one moment (table/nexthop.c).  Only a miss takes the
 * shared lock, to tell "someone else's" (ERROR_ACCESS_DENIED) from "none"
 * by looking through the other entities' arrays.
 */
struct find_args {
	PRTM_NEXTHOP_INFO info;
	PRTM_NEXTHOP_HANDLE h;
	PRTM_NEXTHOP_INFO *ptr;
};

static int find_read(struct rtm_rib *rib, struct rtm_entity *caller, void *arg, struct rtm_reap_list *reap)
{
	struct find_args *a = arg;
	if (!a->info || rtm__netaddr_check(&a->info->NextHopAddress, rib->family, rib->width))
		return RTM_EINVAL;
	struct rtm_nexthop *nh;
	int err = rtm__nexthop_find_query(rib, caller, a->info, a->h != NULL, &nh, reap);
	if (err)
		return err;
	if (a->h)
		*a->h = rtm__rib_handle(rib, &nh->obj);
	if (a->ptr)
		*a->ptr = &nh->info;
	return 0;
}

static DWORD find_locked(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NEXTHOP_INFO NextHopInfo,
			 PRTM_NEXTHOP_HANDLE NextHopHandle, PRTM_NEXTHOP_INFO *NextHopPointer);

DWORD WINAPI RtmFindNextHop(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NEXTHOP_INFO NextHopInfo,
			    PRTM_NEXTHOP_HANDLE NextHopHandle, PRTM_NEXTHOP_INFO *NextHopPointer)
{
	struct find_args a = { NextHopInfo, NextHopHandle, NextHopPointer };
	DWORD rc = rtm__read(RtmRegHandle, find_read, &a);
	return rc == ERROR_NOT_FOUND ? find_locked(RtmRegHandle, NextHopInfo, NextHopHandle, NextHopPointer) : rc;
}

/* The whole answer under the shared lock (the miss of RtmFindNextHop). */
static DWORD find_locked(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NEXTHOP_INFO NextHopInfo,
			 PRTM_NEXTHOP_HANDLE NextHopHandle, PRTM_NEXTHOP_INFO *NextHopPointer)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	if (!NextHopInfo || rtm__netaddr_check(&NextHopInfo->NextHopAddress, rib->family, rib->width)) {
		err = RTM_EINVAL;
		goto out;
	}
	struct rtm_nexthop *nh = rtm__nexthop_find(caller, NextHopInfo);
	if (!nh) {
		/* Someone else's next hop with that key is "not owned", not "absent". */
		err = RTM_ENOENT;
		struct rtm_link *pos, *tmp;
		rtm_link_for_each_safe(pos, tmp, &rib->entities)
		{
			struct rtm_entity *o = rtm_container_of(pos, struct rtm_entity, rib_link);
			if (o != caller && rtm__nexthop_find(o, NextHopInfo))
				err = RTM_EACCES;
		}
		goto out;
	}
	if (NextHopHandle) {
		rtm__obj_ref(&nh->obj);
		*NextHopHandle = rtm__rib_handle(rib, &nh->obj);
	}
	if (NextHopPointer)
		*NextHopPointer = &nh->info;
out:
	rtm__leave(rib);
	return rtm__win32(err);
}

/* The next hop RtmDeleteNextHop deletes, with its checks. */
static int del_target(struct rtm_rib *rib, struct rtm_entity *caller, void *arg, unsigned *stripe,
		      bool *want)
{
	struct nh_arg *a = arg;
	a->nh = NULL;
	if (a->handle) {
		struct rtm_nexthop *nh = rtm__nexthop_lookup(rib, a->handle);
		if (!nh || rtm__obj_client_refs(&nh->obj) == 0)
			return RTM_EHANDLE;
		if (nh->owner != caller)
			return RTM_EACCES;
		if (nh->obj.dead)
			return RTM_ENOENT;
		a->nh = nh;
		return with_stripe(a, stripe, want);
	}
	if (!a->info)
		return RTM_EINVAL;
	if (rtm__netaddr_check(&a->info->NextHopAddress, rib->family, rib->width))
		return RTM_EINVAL;
	a->nh = rtm__nexthop_find(caller, a->info);
	if (!a->nh)
		return RTM_ENOENT;
	return with_stripe(a, stripe, want);
}

DWORD WINAPI RtmDeleteNextHop(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NEXTHOP_HANDLE NextHopHandle,
			      PRTM_NEXTHOP_INFO NextHopInfo)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	struct nh_arg arg = { NextHopHandle, NextHopInfo, NULL };
	struct rtm_change c = { .rib = caller->rib, .caller = caller, .caller_h = RtmRegHandle };
	int err = rtm__enter_change(&c, del_target, &arg);
	if (err)
		return rtm__win32(err);
	struct rtm_nexthop *nh = arg.nh;
	rtm__nexthop_delete(c.rib, nh);
	/* A handle passed in is consumed, as the documentation says. */
	if (NextHopHandle) {
		rtm__obj_unref(&nh->obj);
		rtm__client_loan_spend(c.rib, NextHopHandle);
	}
	rtm__nexthop_try_free(c.rib, nh);
	rtm__leave_change(&c, true);
	return rtm__win32(err);
}

/*
 * RtmGetNextHopInfo takes no lock a writer holds: it copies the record
 * inside an epoch section (table/nexthop.c).  The owner may edit its next
 * hop in place while it holds it locked exclusively (RtmLockNextHop), which
 * no count announces, so while any client holds a lock in the RIB the copy
 * is made holding the next hop's stripe shared, as a client lock would be;
 * an exclusive RtmLockNextHop waits for the copies that started before it
 * saw no client lock (rtm__epoch_synchronize, below).
 */
struct nh_info_args {
	HANDLE h;
	PRTM_NEXTHOP_INFO info;
	bool stripe_held;
	bool need_stripe;
};

static int nh_info_read(struct rtm_rib *rib, struct rtm_entity *caller, void *arg, struct rtm_reap_list *reap)
{
	(void)caller;
	struct nh_info_args *a = arg;
	if (!a->stripe_held && atomic_load_explicit(&rib->client_stripes, memory_order_seq_cst) != 0) {
		a->need_stripe = true;
		return 0;
	}
	return rtm__nexthop_info_query(rib, a->h, a->info, reap);
}

DWORD WINAPI RtmGetNextHopInfo(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NEXTHOP_HANDLE NextHopHandle,
			       PRTM_NEXTHOP_INFO NextHopInfo)
{
	struct nh_info_args a = { NextHopHandle, NextHopInfo, false, false };
	DWORD rc = rtm__read(RtmRegHandle, nh_info_read, &a);
	if (rc != NO_ERROR || !a.need_stripe)
		return rc;
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	struct rtm_rib *rib = caller ? __atomic_load_n(&caller->rib, __ATOMIC_ACQUIRE) : NULL;
	struct rtm_handle_parts parts;
	if (!rib || rtm__handle_decode(NextHopHandle, &parts))
		return ERROR_INVALID_HANDLE;
	unsigned stripe = rtm__stripe_of_slot(parts.slot);
	bool taken = rtm__stripe_enter_shared(rib, stripe);
	a.stripe_held = true;
	rc = rtm__read(RtmRegHandle, nh_info_read, &a);
	rtm__stripe_leave(rib, stripe, taken);
	return rc;
}

DWORD WINAPI RtmReleaseNextHopInfo(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NEXTHOP_INFO NextHopInfo)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	if (!NextHopInfo)
		return ERROR_INVALID_PARAMETER;
	if (!NextHopInfo->NextHopOwner)
		return ERROR_INVALID_HANDLE;
	struct rtm_release items[2] = {
		{ NextHopInfo->NextHopOwner, RTM_HT_ENTITY },
		{ NextHopInfo->RemoteNextHop, RTM_HT_DEST },
	};
	return rtm__win32(rtm__rib_release(caller->rib, items, 2));
}

struct pointer_args {
	HANDLE h;
	PRTM_NEXTHOP_INFO *out;
};

static int pointer_read(struct rtm_rib *rib, struct rtm_entity *caller, void *arg, struct rtm_reap_list *reap)
{
	(void)reap;
	struct pointer_args *a = arg;
	struct rtm_nexthop *nh = (struct rtm_nexthop *)rtm__rib_lookup_optimistic(rib, a->h, RTM_HT_NEXTHOP);
	if (!nh)
		return RTM_EHANDLE;
	if (nh->owner != caller) /* set when it was made, before its handle */
		return RTM_EACCES;
	if (!a->out)
		return RTM_EINVAL;
	*a->out = &nh->info;
	return 0;
}

/* Lock-free: the record's address, which the caller's handle keeps. */
DWORD WINAPI RtmGetNextHopPointer(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NEXTHOP_HANDLE NextHopHandle,
				  PRTM_NEXTHOP_INFO *NextHopPointer)
{
	struct pointer_args a = { NextHopHandle, NextHopPointer };
	return rtm__read(RtmRegHandle, pointer_read, &a);
}

DWORD WINAPI RtmLockNextHop(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NEXTHOP_HANDLE NextHopHandle,
			    BOOL Exclusive, BOOL LockNextHop, PRTM_NEXTHOP_INFO *NextHopPointer)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib) {
		/* An entity that deregistered while this thread held the lock can
		 * still release it (api/route.c, RtmLockRoute). */
		if (!LockNextHop && (rib = rtm__client_stale_rib(NextHopHandle, RtmRegHandle)))
			return rtm__win32(rtm__client_unlock_obj(rib, NextHopHandle, Exclusive != FALSE, RtmRegHandle));
		return ERROR_INVALID_HANDLE;
	}
	struct rtm_obj *obj = rtm__rib_lookup(rib, NextHopHandle, RTM_HT_NEXTHOP);
	int err = 0;
	if (!obj)
		err = RTM_EHANDLE;
	else if (obj->dead)
		err = RTM_ENOENT;
	/* Read under the lock; the client's handle keeps the next hop alive after. */
	unsigned stripe = obj ? rtm__stripe_of_obj(obj) : 0;
	PRTM_NEXTHOP_INFO pointer = NULL;
	if (!err && ((struct rtm_nexthop *)obj)->owner == caller)
		pointer = &((struct rtm_nexthop *)obj)->info;
	rtm__rib_unlock(rib);
	if (!LockNextHop) {
		/* An unlock needs only this thread's record of what it locked: the
		 * next hop may have been deleted, even freed, since it was locked,
		 * and its stripe must be released all the same.  Without a record,
		 * say what is wrong with the handle, if anything. */
		int u = rtm__client_unlock_obj(rib, NextHopHandle, Exclusive != FALSE, RtmRegHandle);
		return rtm__win32(u && err ? err : u);
	}
	if (err)
		return rtm__win32(err);
	err = rtm__client_lock_obj(rib, NextHopHandle, stripe, Exclusive != FALSE, RtmRegHandle);
	/* The owner may edit the record from now on: lock-free copies that
	 * began before this lock was counted are waited for (RtmGetNextHopInfo). */
	if (!err && Exclusive && pointer)
		rtm__epoch_synchronize();
	if (!err && NextHopPointer && pointer)
		*NextHopPointer = pointer;
	return rtm__win32(err);
}

DWORD WINAPI RtmReleaseNextHops(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumNextHops,
				PRTM_NEXTHOP_HANDLE NextHopHandles)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	if (NumNextHops && !NextHopHandles)
		return ERROR_INVALID_PARAMETER;
	int err = rtm__rib_release_handles(caller->rib, NextHopHandles, NumNextHops, RTM_HT_NEXTHOP,
					   sizeof(HANDLE));
	/* A release of a next hop a route lock of this thread lent it spends
	 * that loan (the in-place protocol, api/route.c). */
	for (UINT i = 0; !err && i < NumNextHops; i++)
		rtm__client_loan_spend(caller->rib, NextHopHandles[i]);
	return rtm__win32(err);
}
