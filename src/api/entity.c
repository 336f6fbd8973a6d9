/*
 * api/entity.c — registration: RtmRegisterEntity, RtmDeregisterEntity,
 * RtmGetRegisteredEntities, RtmReleaseEntities, RtmGetEntityInfo,
 * RtmReleaseEntityInfo.  The entity slot table is table/entity.c; event
 * delivery svc/events.c.
 *
 * Registration and deregistration run under the registry mutex (the
 * outermost lock), and take one number each of the sequence of entity
 * events, so that every entity hears of exactly the events after its own
 * registration.  Deregistration deletes everything the entity owns, in an
 * order that never leaves a pointer into freed memory (teardown), and
 * allocates nothing, so it cannot fail.
 */
#include "enter.h"

#include "alloc.h"
#include "dest.h"
#include "enum.h"
#include "error.h"
#include "events.h"
#include "nexthop.h"
#include "release.h"
#include "route.h"
#include "routelist.h"
#include "timers.h"

#include <stdio.h>
#include <string.h>

/* The sequence of registrations and deregistrations (registry mutex); each
 * entity's number in it is its reg_seq. */
static uint64_t event_seq;

/*
 * The deregistration deletes routes and next hops under the same discipline
 * as every other change: with the object's client stripe held, so that it
 * waits while another client holds the destination or next hop locked.  It
 * cannot take all the stripes first (it holds the RIB lock, and a client
 * holding one stripe may be waiting for another), so it goes in two passes.
 * The first, under the exclusive lock and the registry mutex, takes each
 * stripe it needs without waiting, one at a time, and deletes what it
 * could.  The second runs with neither held: for each stripe that was busy
 * it waits for that stripe alone, then takes the RIB lock and deletes what
 * is left there, in the one lock order.  The entity is GONE meanwhile (no
 * call of its own succeeds, RtmGetRegisteredEntities skips it) but still
 * counted, so its RIB cannot be deactivated under it.  Stripes this thread
 * holds count as taken.
 */
_Static_assert(RTM_STRIPES <= 64, "a 64-bit mask of stripes");

struct strip {
	struct rtm_rib *rib;
	uint64_t busy;
	int held;  /* the stripe taken for the object being deleted, or -1 */
	int only;  /* the second pass: only this stripe (-1: the first) */
};

/* The walkers ask before each object: the previous one is done, so the
 * stripe taken for it goes. */
static bool may_stripe(struct strip *t, unsigned s)
{
	uint64_t bit = UINT64_C(1) << s;
	if (t->only >= 0)
		return s == (unsigned)t->only;
	if (t->held == (int)s)
		return true;
	if (t->held >= 0) {
		rtm__stripe_leave(t->rib, (unsigned)t->held, true);
		t->held = -1;
	}
	if (t->busy & bit)
		return false;
	if (rtm__client_holds(t->rib, s))
		return true;
	if (rtm__stripe_try(t->rib, s)) {
		t->held = (int)s;
		return true;
	}
	t->busy |= bit;
	return false;
}

static void strip_release(struct strip *t)
{
	if (t->held >= 0)
		rtm__stripe_leave(t->rib, (unsigned)t->held, true);
	t->held = -1;
}

static bool may_dest(void *ctx, const struct rtm_dest *dest)
{
	struct strip *t = ctx;
	return may_stripe(t, rtm__stripe_of_dest(t->rib, dest));
}

static bool may_nexthop(void *ctx, const struct rtm_nexthop *nh)
{
	return may_stripe(ctx, rtm__stripe_of_obj(&nh->obj));
}

/* The first pass: removes everything e owns that it can without waiting
 * (lists, enumerations, notifications, routes, next hops).  rib->lock
 * exclusive.  Returns the busy stripes left for the second. */
static uint64_t teardown_now(struct rtm_rib *rib, struct rtm_entity *e)
{
	/* Lists and enumerations first: they point into routes. */
	rtm__lists_remove_owned(rib, e);
	rtm__enums_remove_owned(rib, e);
	rtm__notify_remove_owned(rib, e);
	struct strip t = { rib, 0, -1, -1 };
	rtm__routes_remove_owned_if(rib, e, may_dest, &t);
	strip_release(&t);
	rtm__nexthops_remove_owned_if(rib, e, may_nexthop, &t);
	strip_release(&t);
	return t.busy;
}

/* The second pass, with no lock held: each busy stripe alone, then the RIB
 * lock. */
static void teardown_waiting(struct rtm_rib *rib, struct rtm_entity *e, uint64_t busy)
{
	for (unsigned s = 0; s < RTM_STRIPES; s++) {
		if (!(busy & (UINT64_C(1) << s)))
			continue;
		struct strip t = { rib, 0, -1, (int)s };
		bool taken = rtm__stripe_enter(rib, s);
		rtm__rib_wrlock(rib);
		rtm__routes_remove_owned_if(rib, e, may_dest, &t);
		rtm__nexthops_remove_owned_if(rib, e, may_nexthop, &t);
		rtm__rib_unlock(rib);
		rtm__stripe_leave(rib, s, taken);
	}
}

static bool same_entity_id(const RTM_ENTITY_INFO *a, const RTM_ENTITY_INFO *b)
{
	return a->EntityId.EntityId == b->EntityId.EntityId;
}

DWORD WINAPI RtmRegisterEntity(PRTM_ENTITY_INFO RtmEntityInfo, PRTM_ENTITY_EXPORT_METHODS ExportMethods,
			       RTM_EVENT_CALLBACK EventCallback, BOOL ReserveOpaquePointer,
			       PRTM_REGN_PROFILE RtmRegProfile, PRTM_ENTITY_HANDLE RtmRegHandle)
{
	if (!RtmEntityInfo || !RtmRegProfile || !RtmRegHandle)
		return ERROR_INVALID_PARAMETER;
	if (ExportMethods && ExportMethods->NumMethods > 32)
		return ERROR_INVALID_PARAMETER;

	RTM_ENTITY_EXPORT_METHODS *methods = NULL;
	if (ExportMethods && ExportMethods->NumMethods > 0) {
		size_t sz = offsetof(RTM_ENTITY_EXPORT_METHODS, Methods) +
			    ExportMethods->NumMethods * sizeof(RTM_ENTITY_EXPORT_METHOD);
		methods = rtm__malloc(sz);
		if (!methods)
			return ERROR_NOT_ENOUGH_MEMORY;
		memcpy(methods, ExportMethods, sz);
	}

	char msg[256] = "";
	struct rtm_rib *rib;
	rtm__registry_lock();
	int err = rtm__rib_get(RtmEntityInfo->RtmInstanceId, RtmEntityInfo->AddressFamily, &rib, msg,
			       sizeof(msg));
	if (err) {
		rtm__registry_unlock();
		rtm__free(methods);
		if (msg[0])
			fprintf(stderr, "rtmv2: %s\n", msg);
		return rtm__win32(err);
	}

	rtm__rib_wrlock(rib);
	rtm__timers_install(rib);
	struct rtm_link *pos, *tmp;
	rtm_link_for_each_safe(pos, tmp, &rib->entities)
	{
		struct rtm_entity *o = rtm_container_of(pos, struct rtm_entity, rib_link);
		if (same_entity_id(&o->info, RtmEntityInfo))
			err = RTM_EEXIST;
	}
	int opaque = -1;
	if (!err && ReserveOpaquePointer) {
		for (unsigned i = 0; i < rib->cfg.max_opaque_pointers; i++)
			if (!rib->opaque_used[i]) {
				opaque = (int)i;
				break;
			}
		if (opaque < 0)
			err = RTM_ENORES;
	}
	struct rtm_entity *e = NULL;
	if (!err)
		err = rtm__entity_slot_alloc(&e);
	if (err) {
		rtm__rib_unlock(rib);
		rtm__registry_unlock();
		rtm__free(methods);
		return rtm__win32(err);
	}

	e->opaque_slot = opaque;
	if (opaque >= 0)
		rib->opaque_used[opaque] = 1;
	e->nexthops = NULL;
	e->n_nexthops = e->cap_nexthops = 0;
	rtm__link_init(&e->lists);
	rtm__link_init(&e->enums);
	rtm__link_init(&e->notifies);
	atomic_store_explicit(&e->refs, 1, memory_order_relaxed);
	atomic_store_explicit(&e->client_refs, 0, memory_order_relaxed);
	uint64_t seq = ++event_seq;
	e->reg_seq = seq;
	rtm__link_add_tail(&rib->entities, &e->rib_link);
	rib->n_entities++;
	/* Published under cb_mutex: see the essay at the top. */
	pthread_mutex_lock(&e->cb_mutex);
	__atomic_store_n(&e->rib, rib, __ATOMIC_RELAXED);
	e->info = *RtmEntityInfo;
	e->callback = EventCallback;
	e->methods = methods;
	e->callbacks_running = 0;
	e->methods_running = 0;
	e->methods_blocked = false;
	atomic_store_explicit(&e->state, RTM_ENT_LIVE, memory_order_release);
	pthread_mutex_unlock(&e->cb_mutex);
	*RtmRegProfile = rib->profile;
	RTM_ENTITY_HANDLE handle = rtm__entity_handle(e);
	RTM_ENTITY_INFO info = *RtmEntityInfo;
	rtm__rib_unlock(rib);
	rtm__registry_unlock();

	*RtmRegHandle = handle;
	rtm__entity_deliver_all(rib, e, seq, RTM_ENTITY_REGISTERED, handle, &info);
	rtm__control_env(); /* RTMV2_CONTROL, read at the first registration */
	return NO_ERROR;
}

DWORD WINAPI RtmDeregisterEntity(RTM_ENTITY_HANDLE RtmRegHandle)
{
	rtm__registry_lock();
	struct rtm_entity *e = rtm__caller(RtmRegHandle);
	if (!e) {
		rtm__registry_unlock();
		return ERROR_INVALID_HANDLE;
	}
	struct rtm_rib *rib = e->rib;
	rtm__rib_wrlock(rib);
	if (!rtm__caller_still_valid(e, RtmRegHandle)) {
		rtm__rib_unlock(rib);
		rtm__registry_unlock();
		return ERROR_INVALID_HANDLE;
	}
	/* Nothing below can fail: deregistration allocates nothing. */
	uint64_t seq = ++event_seq;
	pthread_mutex_lock(&e->cb_mutex);
	atomic_store_explicit(&e->state, RTM_ENT_GONE, memory_order_release);
	/* Invocations waiting for its blocked methods must wake up and fail. */
	pthread_cond_broadcast(&e->cb_cond);
	pthread_mutex_unlock(&e->cb_mutex);

	/* Locks this thread still holds for the entity go with it (their
	 * loans given back); other threads' can still be released by handle
	 * (RtmLockRoute and the others, with the stale registration). */
	for (HANDLE h; (h = rtm__client_hold_of(rib, RtmRegHandle)) != NULL;) {
		rtm__client_loan_give_back(rib, h, RtmRegHandle);
		rtm__client_unlock_all(rib, h, RtmRegHandle);
	}
	uint64_t busy = teardown_now(rib, e);
	if (busy) {
		rtm__rib_unlock(rib);
		rtm__registry_unlock();
		teardown_waiting(rib, e, busy);
		rtm__registry_lock();
		rtm__rib_wrlock(rib);
	}
	if (e->opaque_slot >= 0) {
		rtm__dests_clear_opaque(rib, e->opaque_slot);
		rib->opaque_used[e->opaque_slot] = 0;
	}
	rtm__link_unlink(&e->rib_link);
	rib->n_entities--;
	RTM_ENTITY_INFO info = e->info;
	rtm__rib_unlock(rib);
	if (rib->n_entities == 0)
		rtm__rib_deactivate(rib);
	rtm__registry_unlock();
	/* The deletion of its routes may owe other entities a change signal. */
	rtm__notify_flush(rib);

	rtm__entity_quiesce(e);
	rtm__entity_deliver_all(rib, e, seq, RTM_ENTITY_DEREGISTERED, RtmRegHandle, &info);
	/* The registration's own reference. */
	rtm__entity_unref(e);
	return NO_ERROR;
}

DWORD WINAPI RtmGetRegisteredEntities(RTM_ENTITY_HANDLE RtmRegHandle, PUINT NumEntities,
				      PRTM_ENTITY_HANDLE EntityHandles, PRTM_ENTITY_INFO EntityInfos)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	if (!NumEntities)
		return ERROR_INVALID_PARAMETER;
	struct rtm_rib *rib = caller->rib;
	rtm__rib_rdlock(rib);
	if (!rtm__caller_still_valid(caller, RtmRegHandle)) {
		rtm__rib_unlock(rib);
		return ERROR_INVALID_HANDLE;
	}
	/* The Win32 two-call pattern: a buffer too small for every entity gets
	 * nothing (no handle referenced, nothing written) and the number
	 * registered, so the caller can size the next call. */
	/* An entity still deregistering (waiting for client locks, see
	 * teardown_waiting) is in the list but no longer registered. */
	UINT cap = *NumEntities, n = 0, live = 0;
	struct rtm_link *pos, *tmp;
	rtm_link_for_each_safe(pos, tmp, &rib->entities)
	{
		live += rtm__entity_live(rtm_container_of(pos, struct rtm_entity, rib_link));
	}
	if (live > cap) {
		rtm__rib_unlock(rib);
		*NumEntities = live;
		return ERROR_INSUFFICIENT_BUFFER;
	}
	rtm_link_for_each_safe(pos, tmp, &rib->entities)
	{
		struct rtm_entity *o = rtm_container_of(pos, struct rtm_entity, rib_link);
		if (!rtm__entity_live(o))
			continue;
		if (EntityHandles) {
			rtm__entity_ref_client(o);
			EntityHandles[n] = rtm__entity_handle(o);
		}
		if (EntityInfos)
			EntityInfos[n] = o->info;
		n++;
	}
	rtm__rib_unlock(rib);
	*NumEntities = n;
	return NO_ERROR;
}

DWORD WINAPI RtmReleaseEntities(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumEntities,
				PRTM_ENTITY_HANDLE EntityHandles)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	if (NumEntities && !EntityHandles)
		return ERROR_INVALID_PARAMETER;
	/* All or nothing, a handle listed k times needing k references (svc/release.c). */
	return rtm__win32(rtm__rib_release_handles(caller->rib, EntityHandles, NumEntities,
						    RTM_HT_ENTITY, sizeof(*EntityHandles)));
}

DWORD WINAPI RtmGetEntityInfo(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENTITY_HANDLE EntityHandle,
			      PRTM_ENTITY_INFO EntityInfo)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	/* Registered, or deregistered but still referenced; checked under the
	 * lock so that a stale handle never reads the slot's next entity. */
	struct rtm_entity *e = rtm__entity_lock(caller->rib, EntityHandle, false);
	if (!e)
		return ERROR_INVALID_HANDLE;
	RTM_ENTITY_INFO info = e->info;
	pthread_mutex_unlock(&e->cb_mutex);
	if (!EntityInfo)
		return ERROR_INVALID_PARAMETER;
	*EntityInfo = info;
	return NO_ERROR;
}

DWORD WINAPI RtmReleaseEntityInfo(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_ENTITY_INFO EntityInfo)
{
	/* RTM_ENTITY_INFO holds no handle, so there is no reference to drop. */
	if (!rtm__caller(RtmRegHandle))
		return ERROR_INVALID_HANDLE;
	if (!EntityInfo)
		return ERROR_INVALID_PARAMETER;
	return NO_ERROR;
}
