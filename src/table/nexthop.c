/*
 * nexthop.c — next hops.
 *
 * Each entity owns a list of next hops, kept as an array sorted by
 * (address, interface index) so that RtmAddNextHop and RtmFindNextHop find one
 * by binary search.  Addresses are stored with the bits beyond NumBits
 * cleared, so that two spellings of one address are one next hop.
 *
 * Lifetime: a next hop is referenced by the handles clients hold (obj.crefs)
 * and by the routes that name it (route_refs).  RtmDeleteNextHop takes it out
 * of its owner's list and marks it deleted (State RTM_NEXTHOP_STATE_DELETED);
 * it is freed when neither kind of reference is left.  So a route never points
 * to freed memory, and a deleted next hop still answers RtmGetNextHopInfo for
 * as long as someone holds its handle.
 *
 * Identity: on RtmAddNextHop the key is (NextHopAddress, InterfaceIndex), as
 * RtmFindNextHop's documentation says.  NextHopOwner and State are set by the
 * RTM whatever the caller passes.
 *
 * Locking: RtmLockNextHop takes the next hop's client stripe (lock.h, by a
 * hash of its slot); an update of an existing next hop and RtmDeleteNextHop
 * take it exclusively too, so they wait while another thread holds the next
 * hop locked, and the owner edits the record in place under its own lock.
 * The deregistration of the owner takes no stripe (see lock.h).
 */
#include "nexthop.h"

#include "alloc.h"
#include "dest.h"
#include "entity.h"
#include "error.h"
#include "lock.h"
#include "netaddr.h"
#include "objects.h"

#include <string.h>

static void normalise(RTM_NET_ADDRESS *a)
{
	unsigned full = a->NumBits / 8, rest = a->NumBits % 8;
	if (rest)
		a->AddrBits[full++] &= (UCHAR)(0xFFu << (8 - rest));
	if (full < RTM_MAX_ADDRESS_SIZE)
		memset(a->AddrBits + full, 0, RTM_MAX_ADDRESS_SIZE - full);
}

static int key_cmp(const RTM_NET_ADDRESS *addr, ULONG ifindex, const struct rtm_nexthop *nh)
{
	int c = rtm__netaddr_cmp(addr, &nh->info.NextHopAddress);
	if (c)
		return c;
	if (ifindex != nh->info.InterfaceIndex)
		return ifindex < nh->info.InterfaceIndex ? -1 : 1;
	return 0;
}

/* Index of the first next hop >= key; *found when it is equal. */
static uint32_t search(const struct rtm_entity *e, const RTM_NET_ADDRESS *addr, ULONG ifindex,
		       bool *found)
{
	uint32_t lo = 0, hi = e->n_nexthops;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (key_cmp(addr, ifindex, e->nexthops[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = lo < e->n_nexthops && key_cmp(addr, ifindex, e->nexthops[lo]) == 0;
	return lo;
}

static struct rtm_nexthop *find_in(const struct rtm_entity *e, const RTM_NET_ADDRESS *addr,
				   ULONG ifindex)
{
	bool found;
	uint32_t i = search(e, addr, ifindex, &found);
	return found ? e->nexthops[i] : NULL;
}

static void unlink_from_owner(struct rtm_entity *e, struct rtm_nexthop *nh)
{
	bool found;
	uint32_t i = search(e, &nh->info.NextHopAddress, nh->info.InterfaceIndex, &found);
	if (!found || e->nexthops[i] != nh)
		return;
	memmove(&e->nexthops[i], &e->nexthops[i + 1], (e->n_nexthops - i - 1) * sizeof(nh));
	e->n_nexthops--;
}

struct rtm_nexthop *rtm__nexthop_lookup(struct rtm_rib *rib, HANDLE h)
{
	struct rtm_obj *obj = rtm__rib_lookup(rib, h, RTM_HT_NEXTHOP);
	if (!obj || obj->dead)
		return NULL;
	return (struct rtm_nexthop *)obj;
}

void rtm__nexthop_route_ref(struct rtm_nexthop *nh)
{
	nh->route_refs++;
}

void rtm__nexthop_route_unref(struct rtm_rib *rib, struct rtm_nexthop *nh)
{
	nh->route_refs--;
	rtm__nexthop_try_free(rib, nh);
}

bool rtm__nexthop_try_free(struct rtm_rib *rib, struct rtm_nexthop *nh)
{
	if (!nh->obj.dead || nh->route_refs || rtm__obj_refs(&nh->obj) ||
	    atomic_load_explicit(&nh->obj.reap_pending, memory_order_relaxed))
		return false;
	rtm__nexthop_free(rib, nh);
	return true;
}

void rtm__nexthop_free(struct rtm_rib *rib, struct rtm_nexthop *nh)
{
	if (nh->remote)
		rtm__rib_unpin_locked(rib, &nh->remote->obj);
	rtm__handle_free(&rib->handles, &nh->obj);
	rib->stats.nexthops--;
	rtm__entity_unref(nh->owner);
	rtm__free(nh);
}

/* Takes nh out of its owner's list and marks it deleted. */
static void kill(struct rtm_rib *rib, struct rtm_nexthop *nh)
{
	(void)rib;
	unlink_from_owner(nh->owner, nh);
	nh->obj.dead = 1;
	nh->info.State = RTM_NEXTHOP_STATE_DELETED;
}

void rtm__nexthops_remove_owned(struct rtm_rib *rib, struct rtm_entity *e)
{
	while (e->n_nexthops) {
		struct rtm_nexthop *nh = e->nexthops[e->n_nexthops - 1];
		kill(rib, nh);
		rtm__nexthop_try_free(rib, nh);
	}
	rtm__free(e->nexthops);
	e->nexthops = NULL;
	e->cap_nexthops = 0;
}

/*
 * Remote next hops.  A next hop flagged RTM_NEXTHOP_FLAGS_REMOTE is not
 * directly reachable; its RemoteNextHop names the destination through which
 * the RTM reaches its address: the longest-prefix destination with a unicast
 * route that covers it, looked up when the next hop is added or updated (the
 * documentation calls it a cached handle that saves repeated lookups; adding
 * the next hop again refreshes it).  The next hop pins that destination so the
 * handle stays valid; whatever the client passes in RemoteNextHop is replaced.
 */
static void resolve_remote(struct rtm_rib *rib, struct rtm_nexthop *nh)
{
	struct rtm_dest *d = NULL;
	if (nh->info.Flags & RTM_NEXTHOP_FLAGS_REMOTE) {
		uint8_t key[16];
		rtm__netaddr_key(&nh->info.NextHopAddress, rib->width, key);
		d = rtm__dest_longest_match(rib, key, nh->info.NextHopAddress.NumBits,
					    RTM_VIEW_MASK_UCAST);
	}
	if (d != nh->remote) {
		if (d)
			rtm__obj_pin(&d->obj);
		if (nh->remote)
			rtm__rib_unpin_locked(rib, &nh->remote->obj);
		nh->remote = d;
	}
	nh->info.RemoteNextHop = d ? rtm__rib_handle(rib, &d->obj) : NULL;
}

/* Copies the writable fields of a caller's record into nh. */
static void update_from(struct rtm_rib *rib, struct rtm_nexthop *nh, const RTM_NEXTHOP_INFO *info)
{
	nh->info.Flags = info->Flags;
	nh->info.EntitySpecificInfo = info->EntitySpecificInfo;
	resolve_remote(rib, nh);
}

/*
 * Changes take the next hop's stripe (lock.h): an update or a delete waits
 * while another thread holds the next hop locked.  The stripe comes before
 * rib->lock, but which stripe depends on the next hop found under the lock:
 * so a change finds its target under the shared lock, takes that stripe
 * (unless this thread holds it), takes the lock exclusive and finds the target
 * again.  If it is now another next hop (the first was deleted and its key
 * added again meanwhile), it drops both and starts over with the new stripe.
 */
struct change {
	struct rtm_rib *rib;
	unsigned stripe;
	bool want; /* a next hop was found: its stripe is (to be) held */
	bool taken;
};

typedef int (*target_fn)(struct rtm_rib *rib, struct rtm_entity *caller, const void *arg,
			 struct rtm_nexthop **out);

static void change_leave(struct change *c)
{
	rtm__rib_unlock(c->rib);
	rtm__stripe_leave(c->rib, c->stripe, c->taken);
}

/* Returns 0 with rib->lock exclusive and the target's stripe held, *out
 * being the target (NULL when target found none; release with change_leave),
 * or an error with no lock held. */
static int change_enter(struct change *c, struct rtm_entity *caller, target_fn target,
			const void *arg, struct rtm_nexthop **out)
{
	c->want = c->taken = false;
	c->stripe = 0;
	rtm__rib_rdlock(c->rib);
	int err = rtm__caller_still_valid(caller) ? target(c->rib, caller, arg, out) : RTM_EHANDLE;
	if (!err && *out) {
		c->want = true;
		c->stripe = rtm__stripe_of_obj(&(*out)->obj);
	}
	rtm__rib_unlock(c->rib);
	if (err)
		return err;
	for (;;) {
		c->taken = c->want && rtm__stripe_enter(c->rib, c->stripe);
		rtm__rib_wrlock(c->rib);
		err = rtm__caller_still_valid(caller) ? target(c->rib, caller, arg, out) : RTM_EHANDLE;
		if (err) {
			change_leave(c);
			return err;
		}
		if (!*out || (c->want && rtm__stripe_of_obj(&(*out)->obj) == c->stripe))
			return 0;
		unsigned stripe = rtm__stripe_of_obj(&(*out)->obj);
		change_leave(c);
		c->want = true;
		c->stripe = stripe;
	}
}

struct add_arg {
	PRTM_NEXTHOP_HANDLE handle;
	const RTM_NEXTHOP_INFO *info;
};

/* The next hop RtmAddNextHop updates: the one named by the handle, or the
 * caller's with the key; NULL when it creates one. */
static int add_target(struct rtm_rib *rib, struct rtm_entity *caller, const void *arg,
		      struct rtm_nexthop **out)
{
	const struct add_arg *a = arg;
	*out = NULL;
	if (a->handle && *a->handle) {
		struct rtm_obj *obj = rtm__rib_lookup(rib, *a->handle, RTM_HT_NEXTHOP);
		if (!obj || obj->dead)
			return RTM_EHANDLE;
		if (((struct rtm_nexthop *)obj)->owner != caller)
			return RTM_EACCES;
		*out = (struct rtm_nexthop *)obj;
		return 0;
	}
	RTM_NET_ADDRESS addr = a->info->NextHopAddress;
	normalise(&addr);
	*out = find_in(caller, &addr, a->info->InterfaceIndex);
	return 0;
}

DWORD WINAPI RtmAddNextHop(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NEXTHOP_INFO NextHopInfo,
			   PRTM_NEXTHOP_HANDLE NextHopHandle, PRTM_NEXTHOP_CHANGE_FLAGS ChangeFlags)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	struct change c = { .rib = caller->rib };
	struct rtm_rib *rib = c.rib;
	if (!NextHopInfo || !ChangeFlags ||
	    rtm__netaddr_check(&NextHopInfo->NextHopAddress, rib->family, rib->width))
		return ERROR_INVALID_PARAMETER;
	struct add_arg arg = { NextHopHandle, NextHopInfo };
	struct rtm_nexthop *nh;
	int err = change_enter(&c, caller, add_target, &arg, &nh);
	if (err)
		return rtm__win32(err);
	if (nh) {
		update_from(rib, nh, NextHopInfo);
		*ChangeFlags = 0;
		/* An update by handle returns no new handle. */
		if (NextHopHandle && *NextHopHandle)
			goto out;
	} else {
		RTM_NET_ADDRESS addr = NextHopInfo->NextHopAddress;
		normalise(&addr);
		bool found;
		uint32_t pos = search(caller, &addr, NextHopInfo->InterfaceIndex, &found);
		if (caller->n_nexthops == caller->cap_nexthops) {
			uint32_t cap = caller->cap_nexthops ? caller->cap_nexthops * 2 : 8;
			struct rtm_nexthop **arr =
				rtm__realloc(caller->nexthops, cap * sizeof(*arr));
			if (!arr) {
				err = RTM_ENOMEM;
				goto out;
			}
			caller->nexthops = arr;
			caller->cap_nexthops = cap;
		}
		nh = rtm__calloc(1, sizeof(*nh));
		if (!nh) {
			err = RTM_ENOMEM;
			goto out;
		}
		if (rtm__handle_alloc(&rib->handles, &nh->obj, RTM_HT_NEXTHOP)) {
			rtm__free(nh);
			err = RTM_ENOMEM;
			goto out;
		}
		nh->owner = caller;
		/* The next hop may outlive its owner's registration (a client holds
		 * its handle): it keeps the owner's entity slot, and so its
		 * NextHopOwner handle, valid until it is freed. */
		rtm__entity_ref(caller);
		nh->info.NextHopAddress = addr;
		nh->info.InterfaceIndex = NextHopInfo->InterfaceIndex;
		nh->info.NextHopOwner = rtm__entity_handle(caller);
		nh->info.State = RTM_NEXTHOP_STATE_CREATED;
		update_from(rib, nh, NextHopInfo);
		memmove(&caller->nexthops[pos + 1], &caller->nexthops[pos],
			(caller->n_nexthops - pos) * sizeof(nh));
		caller->nexthops[pos] = nh;
		caller->n_nexthops++;
		rib->stats.nexthops++;
		*ChangeFlags = RTM_NEXTHOP_CHANGE_NEW;
	}
	if (NextHopHandle) {
		rtm__obj_ref(&nh->obj);
		*NextHopHandle = rtm__rib_handle(rib, &nh->obj);
	}
out:
	change_leave(&c);
	return rtm__win32(err);
}

DWORD WINAPI RtmFindNextHop(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_NEXTHOP_INFO NextHopInfo,
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
	RTM_NET_ADDRESS addr = NextHopInfo->NextHopAddress;
	normalise(&addr);
	struct rtm_nexthop *nh = find_in(caller, &addr, NextHopInfo->InterfaceIndex);
	if (!nh) {
		/* Someone else's next hop with that key is "not owned", not "absent". */
		err = RTM_ENOENT;
		struct rtm_link *pos, *tmp;
		rtm_link_for_each_safe(pos, tmp, &rib->entities)
		{
			struct rtm_entity *o = rtm_container_of(pos, struct rtm_entity, rib_link);
			if (o != caller && find_in(o, &addr, NextHopInfo->InterfaceIndex))
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
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

struct del_arg {
	RTM_NEXTHOP_HANDLE handle;
	const RTM_NEXTHOP_INFO *info;
};

/* The next hop RtmDeleteNextHop deletes, with its checks. */
static int del_target(struct rtm_rib *rib, struct rtm_entity *caller, const void *arg,
		      struct rtm_nexthop **out)
{
	const struct del_arg *a = arg;
	*out = NULL;
	if (a->handle) {
		struct rtm_obj *obj = rtm__rib_lookup(rib, a->handle, RTM_HT_NEXTHOP);
		if (!obj || rtm__obj_client_refs(obj) == 0)
			return RTM_EHANDLE;
		if (((struct rtm_nexthop *)obj)->owner != caller)
			return RTM_EACCES;
		if (obj->dead)
			return RTM_ENOENT;
		*out = (struct rtm_nexthop *)obj;
		return 0;
	}
	if (!a->info)
		return RTM_EINVAL;
	if (rtm__netaddr_check(&a->info->NextHopAddress, rib->family, rib->width))
		return RTM_EINVAL;
	RTM_NET_ADDRESS addr = a->info->NextHopAddress;
	normalise(&addr);
	*out = find_in(caller, &addr, a->info->InterfaceIndex);
	return *out ? 0 : RTM_ENOENT;
}

DWORD WINAPI RtmDeleteNextHop(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NEXTHOP_HANDLE NextHopHandle,
			      PRTM_NEXTHOP_INFO NextHopInfo)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	struct change c = { .rib = caller->rib };
	struct del_arg arg = { NextHopHandle, NextHopInfo };
	struct rtm_nexthop *nh;
	int err = change_enter(&c, caller, del_target, &arg, &nh);
	if (err)
		return rtm__win32(err);
	kill(c.rib, nh);
	/* A handle passed in is consumed, as the documentation says. */
	if (NextHopHandle)
		rtm__obj_unref(&nh->obj);
	rtm__nexthop_try_free(c.rib, nh);
	change_leave(&c);
	return rtm__win32(err);
}

DWORD WINAPI RtmGetNextHopInfo(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NEXTHOP_HANDLE NextHopHandle,
			       PRTM_NEXTHOP_INFO NextHopInfo)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	struct rtm_rib *rib = caller->rib;
	/* The owner may be editing the record under its lock: find the stripe
	 * first, then read under it (stripe before rib->lock). */
	rtm__rib_rdlock(rib);
	struct rtm_obj *obj = rtm__rib_lookup(rib, NextHopHandle, RTM_HT_NEXTHOP);
	bool ok = rtm__caller_still_valid(caller) && obj;
	unsigned stripe = ok ? rtm__stripe_of_obj(obj) : 0;
	rtm__rib_unlock(rib);
	if (!ok)
		return ERROR_INVALID_HANDLE;
	if (!NextHopInfo)
		return ERROR_INVALID_PARAMETER;

	bool held = rtm__client_holds(rib, stripe);
	if (!held)
		pthread_rwlock_rdlock(&rib->stripes[stripe]);
	rtm__rib_rdlock(rib);
	int err = 0;
	obj = rtm__rib_lookup(rib, NextHopHandle, RTM_HT_NEXTHOP);
	if (!obj || !rtm__caller_still_valid(caller)) {
		err = RTM_EHANDLE;
	} else {
		struct rtm_nexthop *nh = (struct rtm_nexthop *)obj;
		*NextHopInfo = nh->info;
		/* The handles inside are references, dropped by RtmReleaseNextHopInfo. */
		rtm__entity_ref_client(nh->owner);
		if (nh->remote)
			rtm__obj_ref(&nh->remote->obj);
	}
	rtm__rib_unlock(rib);
	if (!held)
		pthread_rwlock_unlock(&rib->stripes[stripe]);
	return rtm__win32(err);
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

DWORD WINAPI RtmGetNextHopPointer(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NEXTHOP_HANDLE NextHopHandle,
				  PRTM_NEXTHOP_INFO *NextHopPointer)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	struct rtm_obj *obj = rtm__rib_lookup(rib, NextHopHandle, RTM_HT_NEXTHOP);
	if (!obj)
		err = RTM_EHANDLE;
	else if (((struct rtm_nexthop *)obj)->owner != caller)
		err = RTM_EACCES;
	else if (!NextHopPointer)
		err = RTM_EINVAL;
	else
		*NextHopPointer = &((struct rtm_nexthop *)obj)->info;
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmLockNextHop(RTM_ENTITY_HANDLE RtmRegHandle, RTM_NEXTHOP_HANDLE NextHopHandle,
			    BOOL Exclusive, BOOL LockNextHop, PRTM_NEXTHOP_INFO *NextHopPointer)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, false);
	if (!rib)
		return ERROR_INVALID_HANDLE;
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
		int u = rtm__client_unlock_obj(rib, NextHopHandle, Exclusive != FALSE);
		return rtm__win32(u && err ? err : u);
	}
	if (err)
		return rtm__win32(err);
	err = rtm__client_lock_obj(rib, NextHopHandle, stripe, Exclusive != FALSE);
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
	return rtm__win32(rtm__rib_release_handles(caller->rib, NextHopHandles, NumNextHops,
						   RTM_HT_NEXTHOP, sizeof(HANDLE)));
}
