/*
 * api/methods.c — export methods: RtmGetEntityMethods, RtmInvokeMethod,
 * RtmBlockMethods.
 *
 * The RTM keeps a copy of each entity's export table in its slot, read
 * under the slot's cb_mutex for the entity the handle names (a stale handle
 * never reads a newcomer's table).  RtmInvokeMethod waits while the target
 * has blocked its methods, and counts itself in methods_running so that
 * RtmBlockMethods and RtmDeregisterEntity can wait for calls in progress; it
 * holds a reference on the target meanwhile, so the slot (and its copy of
 * the table) outlives a method that deregisters its own entity.
 */
#include "enter.h"

#include "error.h"
#include "events.h"

DWORD WINAPI RtmGetEntityMethods(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENTITY_HANDLE EntityHandle,
				 PUINT NumMethods, PRTM_ENTITY_EXPORT_METHOD ExptMethods)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	/* The table is freed with the slot: read it under the lock, for the
	 * entity the handle names, or not at all. */
	struct rtm_entity *e = rtm__entity_lock(caller->rib, EntityHandle, true);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (!NumMethods || (*NumMethods > 0 && !ExptMethods)) {
		pthread_mutex_unlock(&e->cb_mutex);
		return ERROR_INVALID_PARAMETER;
	}
	RTM_ENTITY_EXPORT_METHOD copy[32]; /* registration allows no more */
	UINT count = e->methods ? e->methods->NumMethods : 0;
	UINT cap = *NumMethods;
	UINT n = cap < count ? cap : count;
	for (UINT i = 0; i < n; i++)
		copy[i] = e->methods->Methods[i];
	pthread_mutex_unlock(&e->cb_mutex);
	if (cap == 0) {
		*NumMethods = count;
		return NO_ERROR;
	}
	for (UINT i = 0; i < n; i++)
		ExptMethods[i] = copy[i];
	*NumMethods = n;
	return count > cap ? ERROR_INSUFFICIENT_BUFFER : NO_ERROR;
}

/* Room taken in the output buffer by one method's output of `size` data bytes. */
static size_t output_stride(size_t size)
{
	size_t s = offsetof(RTM_ENTITY_METHOD_OUTPUT, OutputData) + size;
	return (s + 7u) & ~(size_t)7u;
}

DWORD WINAPI RtmInvokeMethod(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENTITY_HANDLE EntityHandle,
			     PRTM_ENTITY_METHOD_INPUT Input, PUINT OutputSize,
			     PRTM_ENTITY_METHOD_OUTPUT Output)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	struct rtm_entity *e = rtm__entity_lock(caller->rib, EntityHandle, true);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (!Input || !OutputSize || (*OutputSize > 0 && !Output)) {
		pthread_mutex_unlock(&e->cb_mutex);
		return ERROR_INVALID_PARAMETER;
	}

	/* An entity that invokes its own blocked methods would wait for itself
	 * to resume them: refused at once (docs/API-NOTES.md). */
	if (e == caller) {
		/* The caller's slot is the target's, and its mutex is held: the
		 * caller's handle is checked against it (a stale one is not the
		 * target that took the slot over). */
		if (!rtm__caller_still_valid(caller, RtmRegHandle)) {
			pthread_mutex_unlock(&e->cb_mutex);
			return ERROR_INVALID_HANDLE;
		}
		if (e->methods_blocked) {
			pthread_mutex_unlock(&e->cb_mutex);
			return rtm__win32(RTM_EDEADLK);
		}
	}
	/* While we wait, the target may deregister and its slot be reused: the
	 * generation tells the entity we were asked for from a newcomer. */
	unsigned gen = atomic_load_explicit(&e->gen, memory_order_relaxed);
	struct rtm_rib *rib = caller->rib;
	bool waited = false;
	while (e->methods_blocked && atomic_load_explicit(&e->gen, memory_order_relaxed) == gen &&
	       atomic_load_explicit(&e->state, memory_order_relaxed) == RTM_ENT_LIVE) {
		if (!waited)
			atomic_fetch_add_explicit(&rib->waiting_invokes, 1, memory_order_relaxed);
		waited = true;
		pthread_cond_wait(&e->cb_cond, &e->cb_mutex);
	}
	if (waited)
		atomic_fetch_sub_explicit(&rib->waiting_invokes, 1, memory_order_relaxed);
	if (atomic_load_explicit(&e->state, memory_order_relaxed) != RTM_ENT_LIVE ||
	    atomic_load_explicit(&e->gen, memory_order_relaxed) != gen) {
		pthread_mutex_unlock(&e->cb_mutex);
		return ERROR_INVALID_HANDLE;
	}
	e->methods_running++;
	/* Keeps the slot and its table should the method deregister its entity. */
	rtm__entity_ref(e);
	const RTM_ENTITY_EXPORT_METHODS *methods = e->methods;
	pthread_mutex_unlock(&e->cb_mutex);

	struct rtm_frame f;
	rtm__frame_push(&f, e, true);
	size_t room = *OutputSize, used = 0;
	DWORD ret = NO_ERROR;
	UINT count = methods ? methods->NumMethods : 0;
	unsigned called = 0;
	for (UINT i = 0; i < count; i++) {
		DWORD bit = (DWORD)1u << i;
		if (!(Input->MethodType & bit))
			continue;
		/* The entity may have deregistered meanwhile (one of its methods
		 * may have done it): no method of a deregistered entity starts
		 * (docs/DESIGN.md); if none was called, its handle was stale. */
		if (atomic_load_explicit(&e->state, memory_order_acquire) != RTM_ENT_LIVE) {
			if (!called)
				ret = ERROR_INVALID_HANDLE;
			break;
		}
		if (room - used < offsetof(RTM_ENTITY_METHOD_OUTPUT, OutputData)) {
			ret = ERROR_INSUFFICIENT_BUFFER;
			break;
		}
		RTM_ENTITY_METHOD_OUTPUT *out =
			(RTM_ENTITY_METHOD_OUTPUT *)(void *)((char *)Output + used);
		size_t data_room = room - used - offsetof(RTM_ENTITY_METHOD_OUTPUT, OutputData);
		out->MethodType = bit;
		out->MethodStatus = ERROR_NOT_SUPPORTED;
		out->OutputSize = (UINT)data_room;
		called++;
		if (methods->Methods[i])
			methods->Methods[i](RtmRegHandle, EntityHandle, Input, out);
		if (out->OutputSize > data_room)
			out->OutputSize = (UINT)data_room; /* a method cannot claim more than it had */
		size_t step = output_stride(out->OutputSize);
		used = step > room - used ? room : used + step;
	}
	rtm__frame_pop(&f);
	*OutputSize = (UINT)used;

	pthread_mutex_lock(&e->cb_mutex);
	e->methods_running--;
	pthread_cond_broadcast(&e->cb_cond);
	pthread_mutex_unlock(&e->cb_mutex);
	rtm__entity_unref(e);
	return ret;
}

/* Whether h is a destination, route or next hop of rib (live, or deleted but
 * still referenced).  rib->lock held. */
static bool method_target_valid(struct rtm_rib *rib, HANDLE h)
{
	struct rtm_handle_parts p;
	if (rtm__handle_decode(h, &p))
		return false;
	if (p.type != RTM_HT_DEST && p.type != RTM_HT_ROUTE && p.type != RTM_HT_NEXTHOP)
		return false;
	return rtm__rib_lookup(rib, h, p.type) != NULL;
}

DWORD WINAPI RtmBlockMethods(RTM_ENTITY_HANDLE RtmRegHandle, HANDLE TargetHandle, UCHAR TargetType,
			     DWORD BlockingFlag)
{
	/* TargetType is not checked: its values (DEST_TYPE, ROUTE_TYPE,
	 * NEXTHOP_TYPE) are neither in the SDK header nor documented, and the
	 * handle says its kind itself. */
	(void)TargetType;
	struct rtm_entity *e = rtm__caller(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (TargetHandle) {
		struct rtm_rib *rib = e->rib;
		rtm__rib_rdlock(rib);
		bool ok = rtm__caller_still_valid(e, RtmRegHandle) && method_target_valid(rib, TargetHandle);
		rtm__rib_unlock(rib);
		if (!ok)
			return ERROR_INVALID_HANDLE;
	}
	if (BlockingFlag != RTM_BLOCK_METHODS && BlockingFlag != RTM_RESUME_METHODS)
		return ERROR_INVALID_PARAMETER;
	/* Per-target blocking is not supported (as on Windows): a valid target
	 * blocks or resumes all of the caller's methods, which covers it. */
	unsigned mine = rtm__frames_here(e, true);
	pthread_mutex_lock(&e->cb_mutex);
	/* Under the slot's mutex, where the generation cannot move on: a stale
	 * handle must not block or resume the methods of the newcomer that took
	 * its slot. */
	if (!rtm__caller_still_valid(e, RtmRegHandle)) {
		pthread_mutex_unlock(&e->cb_mutex);
		return ERROR_INVALID_HANDLE;
	}
	if (BlockingFlag == RTM_BLOCK_METHODS) {
		e->methods_blocked = true;
		/* Calls already inside a method finish before the block holds,
		 * except this thread's own: it cannot finish before we return. */
		if (e->methods_running > mine) {
			atomic_fetch_add_explicit(&e->rib->waiting_drains, 1, memory_order_relaxed);
			while (e->methods_running > mine)
				pthread_cond_wait(&e->cb_cond, &e->cb_mutex);
			atomic_fetch_sub_explicit(&e->rib->waiting_drains, 1, memory_order_relaxed);
		}
	} else {
		e->methods_blocked = false;
		pthread_cond_broadcast(&e->cb_cond);
	}
	pthread_mutex_unlock(&e->cb_mutex);
	return NO_ERROR;
}
