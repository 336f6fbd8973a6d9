/*
 * entity.c — registration, entity events, export methods.
 *
 * The entity table.  Entities are few, and every API call starts by checking
 * one (the caller's RtmRegHandle), so entity structs live in a global table
 * of chunks that are allocated once and never freed.  A handle names a slot
 * and a generation; checking it reads the slot's generation with one atomic
 * load and takes no lock.  Because the memory is never returned, a stale or
 * racing handle can at worst read a reused slot, whose generation then
 * differs.  A slot is reused only when the entity has deregistered and the
 * last client reference to its handle (RtmGetRegisteredEntities,
 * DestInfo.Owner, RouteInfo.RouteOwner …) is released.
 *
 * Events.  RTM_ENTITY_REGISTERED and RTM_ENTITY_DEREGISTERED are delivered on
 * the registering (deregistering) thread after all locks are dropped, to a
 * snapshot of the other entities taken under the RIB lock; each delivery
 * counts itself in the target's callbacks_running so that a target that
 * deregisters meanwhile waits for it and gets no callback after its
 * RtmDeregisterEntity returned.  The snapshot is allocated before any state
 * changes, so running out of memory leaves everything as it was.
 *
 * References.  refs counts everything that keeps the slot: the registration
 * itself, internal holders (the entity's routes and next hops, deliveries in
 * flight) and the handles given to clients.  client_refs is the clients'
 * share; release calls are checked against it, so a client that releases an
 * entity handle once too often gets ERROR_INVALID_HANDLE instead of freeing
 * the slot of an entity that is still registered (which would later corrupt
 * the RIB's entity list when the slot is reused).
 *
 * Methods.  A copy of the export table is kept.  RtmInvokeMethod waits while
 * the target has blocked its methods, and counts itself in methods_running so
 * that RtmBlockMethods and RtmDeregisterEntity can wait for calls in progress.
 */
#include "entity.h"

#include "alloc.h"
#include "error.h"
#include "notify.h"
#include "objects.h"

#include <stdio.h>
#include <string.h>

#define ENT_CHUNK_SHIFT 8u
#define ENT_CHUNK (1u << ENT_CHUNK_SHIFT)
#define ENT_MAX_CHUNKS 256u
#define NO_SLOT UINT32_MAX

static pthread_mutex_t table_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct rtm_entity *chunks[ENT_MAX_CHUNKS];
static atomic_uint initialised; /* slots handed out at least once */
static uint32_t free_head = NO_SLOT, free_tail = NO_SLOT;
static uint32_t free_next[ENT_MAX_CHUNKS * ENT_CHUNK];

/* Callbacks running on this thread, so that an entity deregistering from
 * inside its own callback does not wait for itself. */
static _Thread_local const struct rtm_entity *tl_in_callback[8];
static _Thread_local unsigned tl_depth;

static struct rtm_entity *slot_entity(uint32_t slot)
{
	return &chunks[slot >> ENT_CHUNK_SHIFT][slot & (ENT_CHUNK - 1)];
}

struct rtm_entity *rtm__entity_from_handle(HANDLE h)
{
	struct rtm_handle_parts p;
	if (rtm__handle_decode(h, &p) || p.type != RTM_HT_ENTITY || p.rib != 0)
		return NULL;
	if (p.slot >= atomic_load_explicit(&initialised, memory_order_acquire))
		return NULL;
	struct rtm_entity *e = slot_entity(p.slot);
	if (atomic_load_explicit(&e->gen, memory_order_acquire) != p.gen)
		return NULL;
	if (atomic_load_explicit(&e->state, memory_order_acquire) == RTM_ENT_FREE)
		return NULL;
	return e;
}

RTM_ENTITY_HANDLE rtm__entity_handle(const struct rtm_entity *e)
{
	return rtm__handle_encode(RTM_HT_ENTITY, 0, e->slot,
				  atomic_load_explicit(&e->gen, memory_order_relaxed));
}

struct rtm_entity *rtm__caller(RTM_ENTITY_HANDLE h)
{
	struct rtm_entity *e = rtm__entity_from_handle(h);
	if (!e || atomic_load_explicit(&e->state, memory_order_acquire) != RTM_ENT_LIVE)
		return NULL;
	return e;
}

/* A fresh slot from the table (registration path); NULL when out of memory or slots. */
static struct rtm_entity *slot_alloc(void)
{
	struct rtm_entity *e = NULL;
	pthread_mutex_lock(&table_mutex);
	if (free_head != NO_SLOT) {
		uint32_t slot = free_head;
		free_head = free_next[slot];
		if (free_head == NO_SLOT)
			free_tail = NO_SLOT;
		e = slot_entity(slot);
	} else {
		uint32_t slot = atomic_load_explicit(&initialised, memory_order_relaxed);
		uint32_t c = slot >> ENT_CHUNK_SHIFT;
		if (c < ENT_MAX_CHUNKS) {
			if (!chunks[c]) {
				struct rtm_entity *chunk = rtm__calloc(ENT_CHUNK, sizeof(*chunk));
				if (chunk) {
					for (unsigned i = 0; i < ENT_CHUNK; i++) {
						pthread_mutex_init(&chunk[i].cb_mutex, NULL);
						pthread_cond_init(&chunk[i].cb_cond, NULL);
						chunk[i].slot = c * ENT_CHUNK + i;
					}
					chunks[c] = chunk;
				}
			}
			if (chunks[c]) {
				e = slot_entity(slot);
				atomic_store_explicit(&e->gen, 1, memory_order_relaxed);
				atomic_store_explicit(&initialised, slot + 1, memory_order_release);
			}
		}
	}
	pthread_mutex_unlock(&table_mutex);
	return e;
}

/* Returns a slot that was never published (registration failed late). */
static void slot_free(struct rtm_entity *e)
{
	pthread_mutex_lock(&table_mutex);
	unsigned gen = atomic_load_explicit(&e->gen, memory_order_relaxed);
	/* Move the generation on so that every handle to the old entity is stale. */
	gen = (gen + 1) & RTM_HANDLE_GEN_MASK;
	atomic_store_explicit(&e->gen, gen ? gen : 1, memory_order_release);
	atomic_store_explicit(&e->state, RTM_ENT_FREE, memory_order_release);
	rtm__free(e->methods);
	e->methods = NULL;
	e->rib = NULL;
	free_next[e->slot] = NO_SLOT;
	if (free_tail == NO_SLOT)
		free_head = e->slot;
	else
		free_next[free_tail] = e->slot;
	free_tail = e->slot;
	pthread_mutex_unlock(&table_mutex);
}

void rtm__entity_ref(struct rtm_entity *e)
{
	atomic_fetch_add_explicit(&e->refs, 1, memory_order_relaxed);
}

void rtm__entity_unref(struct rtm_entity *e)
{
	unsigned cur = atomic_load_explicit(&e->refs, memory_order_relaxed);
	do {
		if (cur == 0)
			return;
	} while (!atomic_compare_exchange_weak_explicit(&e->refs, &cur, cur - 1, memory_order_acq_rel,
							memory_order_relaxed));
	if (cur == 1)
		slot_free(e);
}

void rtm__entity_ref_client(struct rtm_entity *e)
{
	atomic_fetch_add_explicit(&e->client_refs, 1, memory_order_relaxed);
	rtm__entity_ref(e);
}

int rtm__entity_unref_client(struct rtm_entity *e)
{
	unsigned cur = atomic_load_explicit(&e->client_refs, memory_order_relaxed);
	do {
		if (cur == 0)
			return RTM_EHANDLE;
	} while (!atomic_compare_exchange_weak_explicit(&e->client_refs, &cur, cur - 1,
							memory_order_acq_rel, memory_order_relaxed));
	rtm__entity_unref(e);
	return 0;
}

struct rtm_entity *rtm__entity_of_rib(struct rtm_rib *rib, HANDLE h)
{
	struct rtm_entity *e = rtm__entity_from_handle(h);
	return e && e->rib == rib ? e : NULL;
}

struct rtm_entity *rtm__entity_client_handle(struct rtm_rib *rib, HANDLE h)
{
	struct rtm_entity *e = rtm__entity_of_rib(rib, h);
	if (!e || atomic_load_explicit(&e->client_refs, memory_order_relaxed) == 0)
		return NULL;
	return e;
}

DWORD rtm__entity_deliver(struct rtm_entity *e, RTM_EVENT_TYPE type, PVOID context1, PVOID context2,
			  bool *called)
{
	DWORD ret = NO_ERROR;
	if (called)
		*called = false;
	pthread_mutex_lock(&e->cb_mutex);
	if (atomic_load_explicit(&e->state, memory_order_relaxed) != RTM_ENT_LIVE ||
	    !e->callback || tl_depth >= sizeof(tl_in_callback) / sizeof(tl_in_callback[0])) {
		pthread_mutex_unlock(&e->cb_mutex);
		return NO_ERROR;
	}
	RTM_EVENT_CALLBACK cb = e->callback;
	RTM_ENTITY_HANDLE self = rtm__entity_handle(e);
	e->callbacks_running++;
	pthread_mutex_unlock(&e->cb_mutex);

	tl_in_callback[tl_depth++] = e;
	ret = cb(self, type, context1, context2);
	tl_depth--;
	if (called)
		*called = true;

	pthread_mutex_lock(&e->cb_mutex);
	e->callbacks_running--;
	pthread_cond_broadcast(&e->cb_cond);
	pthread_mutex_unlock(&e->cb_mutex);
	return ret;
}

static unsigned callbacks_on_this_thread(const struct rtm_entity *e)
{
	unsigned n = 0;
	for (unsigned i = 0; i < tl_depth; i++)
		n += tl_in_callback[i] == e;
	return n;
}

/* Marks e deregistered and waits for its callbacks and method calls running
 * on other threads. */
static void quiesce(struct rtm_entity *e)
{
	unsigned mine = callbacks_on_this_thread(e);
	pthread_mutex_lock(&e->cb_mutex);
	while (e->callbacks_running > mine || e->methods_running > 0)
		pthread_cond_wait(&e->cb_cond, &e->cb_mutex);
	pthread_mutex_unlock(&e->cb_mutex);
}

/* The other registered entities of e's RIB, each referenced; rib->lock held. */
static int snapshot_others(struct rtm_rib *rib, struct rtm_entity *e, struct rtm_entity ***out,
			   unsigned *n)
{
	*out = NULL;
	*n = 0;
	if (rib->n_entities <= 1)
		return 0;
	struct rtm_entity **arr = rtm__malloc(rib->n_entities * sizeof(*arr));
	if (!arr)
		return RTM_ENOMEM;
	struct rtm_link *pos, *tmp;
	rtm_list_for_each_safe(pos, tmp, &rib->entities)
	{
		struct rtm_entity *o = rtm_container_of(pos, struct rtm_entity, rib_link);
		if (o != e) {
			rtm__entity_ref(o);
			arr[(*n)++] = o;
		}
	}
	*out = arr;
	return 0;
}

static void deliver_all(struct rtm_entity **others, unsigned n, RTM_EVENT_TYPE type,
			RTM_ENTITY_HANDLE subject, const RTM_ENTITY_INFO *info)
{
	for (unsigned i = 0; i < n; i++) {
		/* Each target gets its own copy: it may scribble on what it was given. */
		RTM_ENTITY_INFO copy = *info;
		rtm__entity_deliver(others[i], type, subject, &copy, NULL);
		rtm__entity_unref(others[i]);
	}
	rtm__free(others);
}

static bool same_entity_id(const RTM_ENTITY_INFO *a, const RTM_ENTITY_INFO *b)
{
	return a->EntityId.EntityId == b->EntityId.EntityId;
}

DWORD WINAPI RtmRegisterEntity(PRTM_ENTITY_INFO RtmEntityInfo, PRTM_ENTITY_EXPORT_METHODS ExportMethods,
			       RTM_EVENT_CALLBACK EventCallback, BOOL ReserveOpaquePointer,
			       PRTM_REGN_PROFILE RtmRegProfile, PRTM_ENTITY_HANDLE RtmRegHandle)
{
	if (!RtmEntityInfo || !RtmRegProfile || !RtmRegHandle || !EventCallback)
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
	struct rtm_link *pos, *tmp;
	rtm_list_for_each_safe(pos, tmp, &rib->entities)
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
	struct rtm_entity **others = NULL;
	unsigned n_others = 0;
	if (!err) {
		e = slot_alloc();
		if (!e)
			err = RTM_ENOMEM;
	}
	if (!err) {
		/* Counted before linking: the snapshot is of the entities already there. */
		rib->n_entities++;
		err = snapshot_others(rib, NULL, &others, &n_others);
		rib->n_entities--;
		if (err) {
			slot_free(e);
			e = NULL;
		}
	}
	if (err) {
		rtm__rib_unlock(rib);
		rtm__registry_unlock();
		rtm__free(methods);
		return rtm__win32(err);
	}

	e->rib = rib;
	e->info = *RtmEntityInfo;
	e->callback = EventCallback;
	e->methods = methods;
	e->opaque_slot = opaque;
	if (opaque >= 0)
		rib->opaque_used[opaque] = 1;
	e->nexthops = NULL;
	e->n_nexthops = e->cap_nexthops = 0;
	rtm__list_init(&e->lists);
	rtm__list_init(&e->enums);
	rtm__list_init(&e->notifies);
	e->callbacks_running = 0;
	e->methods_running = 0;
	e->methods_blocked = false;
	atomic_store_explicit(&e->refs, 1, memory_order_relaxed);
	atomic_store_explicit(&e->client_refs, 0, memory_order_relaxed);
	rtm__list_link_tail(&rib->entities, &e->rib_link);
	rib->n_entities++;
	pthread_mutex_lock(&e->cb_mutex);
	atomic_store_explicit(&e->state, RTM_ENT_LIVE, memory_order_release);
	pthread_mutex_unlock(&e->cb_mutex);
	*RtmRegProfile = rib->profile;
	RTM_ENTITY_HANDLE handle = rtm__entity_handle(e);
	RTM_ENTITY_INFO info = e->info;
	rtm__rib_unlock(rib);
	rtm__registry_unlock();

	*RtmRegHandle = handle;
	deliver_all(others, n_others, RTM_ENTITY_REGISTERED, handle, &info);
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
	if (!rtm__caller_still_valid(e)) {
		rtm__rib_unlock(rib);
		rtm__registry_unlock();
		return ERROR_INVALID_HANDLE;
	}
	struct rtm_entity **others;
	unsigned n_others;
	if (snapshot_others(rib, e, &others, &n_others)) {
		rtm__rib_unlock(rib);
		rtm__registry_unlock();
		return ERROR_NOT_ENOUGH_MEMORY;
	}
	pthread_mutex_lock(&e->cb_mutex);
	atomic_store_explicit(&e->state, RTM_ENT_GONE, memory_order_release);
	/* Invocations waiting for its blocked methods must wake up and fail. */
	pthread_cond_broadcast(&e->cb_cond);
	pthread_mutex_unlock(&e->cb_mutex);

	rtm__entity_free_owned(rib, e);
	if (e->opaque_slot >= 0)
		rib->opaque_used[e->opaque_slot] = 0;
	rtm__list_unlink(&e->rib_link);
	rib->n_entities--;
	RTM_ENTITY_INFO info = e->info;
	rtm__rib_unlock(rib);
	if (rib->n_entities == 0)
		rtm__rib_deactivate(rib);
	rtm__registry_unlock();
	/* The deletion of its routes may owe other entities a change signal. */
	rtm__notify_flush(rib);

	quiesce(e);
	deliver_all(others, n_others, RTM_ENTITY_DEREGISTERED, RtmRegHandle, &info);
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
	if (!rtm__caller_still_valid(caller)) {
		rtm__rib_unlock(rib);
		return ERROR_INVALID_HANDLE;
	}
	UINT cap = *NumEntities, n = 0;
	struct rtm_link *pos, *tmp;
	rtm_list_for_each_safe(pos, tmp, &rib->entities)
	{
		if (n == cap)
			break;
		struct rtm_entity *o = rtm_container_of(pos, struct rtm_entity, rib_link);
		if (EntityHandles) {
			rtm__entity_ref_client(o);
			EntityHandles[n] = rtm__entity_handle(o);
		}
		if (EntityInfos)
			EntityInfos[n] = o->info;
		n++;
	}
	bool short_buffer = rib->n_entities > cap;
	rtm__rib_unlock(rib);
	*NumEntities = n;
	return short_buffer ? ERROR_INSUFFICIENT_BUFFER : NO_ERROR;
}

DWORD WINAPI RtmReleaseEntities(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumEntities,
				PRTM_ENTITY_HANDLE EntityHandles)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	if (NumEntities && !EntityHandles)
		return ERROR_INVALID_PARAMETER;
	for (UINT i = 0; i < NumEntities; i++)
		if (!rtm__entity_client_handle(caller->rib, EntityHandles[i]))
			return ERROR_INVALID_HANDLE;
	for (UINT i = 0; i < NumEntities; i++) {
		struct rtm_entity *e = rtm__entity_of_rib(caller->rib, EntityHandles[i]);
		if (e)
			rtm__entity_unref_client(e); /* refused if released twice in one call */
	}
	return NO_ERROR;
}

DWORD WINAPI RtmGetEntityInfo(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENTITY_HANDLE EntityHandle,
			      PRTM_ENTITY_INFO EntityInfo)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	struct rtm_entity *e = rtm__entity_of_rib(caller->rib, EntityHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (!EntityInfo)
		return ERROR_INVALID_PARAMETER;
	pthread_mutex_lock(&e->cb_mutex);
	RTM_ENTITY_INFO info = e->info;
	bool live = atomic_load_explicit(&e->state, memory_order_relaxed) != RTM_ENT_FREE;
	pthread_mutex_unlock(&e->cb_mutex);
	if (!live)
		return ERROR_INVALID_HANDLE;
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

/* ---- export methods ---------------------------------------------------- */

DWORD WINAPI RtmGetEntityMethods(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENTITY_HANDLE EntityHandle,
				 PUINT NumMethods, PRTM_ENTITY_EXPORT_METHOD ExptMethods)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	struct rtm_entity *e = rtm__caller(EntityHandle);
	if (!e || e->rib != caller->rib)
		return ERROR_INVALID_HANDLE;
	if (!NumMethods || (*NumMethods > 0 && !ExptMethods))
		return ERROR_INVALID_PARAMETER;
	UINT count = e->methods ? e->methods->NumMethods : 0;
	UINT cap = *NumMethods;
	if (cap == 0) {
		*NumMethods = count;
		return NO_ERROR;
	}
	UINT n = cap < count ? cap : count;
	for (UINT i = 0; i < n; i++)
		ExptMethods[i] = e->methods->Methods[i];
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
	struct rtm_entity *e = rtm__caller(EntityHandle);
	if (!e || e->rib != caller->rib)
		return ERROR_INVALID_HANDLE;
	if (!Input || !OutputSize || (*OutputSize > 0 && !Output))
		return ERROR_INVALID_PARAMETER;

	/* While we wait, the target may deregister and its slot be reused: the
	 * generation tells the entity we were asked for from a newcomer. */
	unsigned gen = atomic_load_explicit(&e->gen, memory_order_acquire);
	pthread_mutex_lock(&e->cb_mutex);
	while (e->methods_blocked && atomic_load_explicit(&e->gen, memory_order_relaxed) == gen &&
	       atomic_load_explicit(&e->state, memory_order_relaxed) == RTM_ENT_LIVE)
		pthread_cond_wait(&e->cb_cond, &e->cb_mutex);
	if (atomic_load_explicit(&e->state, memory_order_relaxed) != RTM_ENT_LIVE ||
	    atomic_load_explicit(&e->gen, memory_order_relaxed) != gen) {
		pthread_mutex_unlock(&e->cb_mutex);
		return ERROR_INVALID_HANDLE;
	}
	e->methods_running++;
	const RTM_ENTITY_EXPORT_METHODS *methods = e->methods;
	pthread_mutex_unlock(&e->cb_mutex);

	size_t room = *OutputSize, used = 0;
	DWORD ret = NO_ERROR;
	UINT count = methods ? methods->NumMethods : 0;
	for (UINT i = 0; i < count; i++) {
		DWORD bit = (DWORD)1u << i;
		if (!(Input->MethodType & bit))
			continue;
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
		if (methods->Methods[i])
			methods->Methods[i](RtmRegHandle, EntityHandle, Input, out);
		if (out->OutputSize > data_room)
			out->OutputSize = (UINT)data_room; /* a method cannot claim more than it had */
		size_t step = output_stride(out->OutputSize);
		used = step > room - used ? room : used + step;
	}
	*OutputSize = (UINT)used;

	pthread_mutex_lock(&e->cb_mutex);
	e->methods_running--;
	pthread_cond_broadcast(&e->cb_cond);
	pthread_mutex_unlock(&e->cb_mutex);
	return ret;
}

DWORD WINAPI RtmBlockMethods(RTM_ENTITY_HANDLE RtmRegHandle, HANDLE TargetHandle, UCHAR TargetType,
			     DWORD BlockingFlag)
{
	(void)TargetHandle; /* per-target blocking is not supported: all methods are */
	(void)TargetType;
	struct rtm_entity *e = rtm__caller(RtmRegHandle);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (BlockingFlag != RTM_BLOCK_METHODS && BlockingFlag != RTM_RESUME_METHODS)
		return ERROR_INVALID_PARAMETER;
	pthread_mutex_lock(&e->cb_mutex);
	if (BlockingFlag == RTM_BLOCK_METHODS) {
		e->methods_blocked = true;
		/* Calls already inside a method finish before the block holds. */
		while (e->methods_running > 0)
			pthread_cond_wait(&e->cb_cond, &e->cb_mutex);
	} else {
		e->methods_blocked = false;
		pthread_cond_broadcast(&e->cb_cond);
	}
	pthread_mutex_unlock(&e->cb_mutex);
	return NO_ERROR;
}
