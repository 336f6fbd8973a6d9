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
 * Which fields a lock-free or cb_mutex reader may trust.  gen, state, rib,
 * info, callback and methods change only under the slot's cb_mutex
 * (registration publishes them together with state LIVE; deregistration sets
 * GONE; slot_free moves the generation on and frees methods).  So a call
 * handed an entity handle by a client — possibly stale, possibly racing with
 * the entity's deregistration and a newcomer taking the slot — takes
 * cb_mutex and re-checks the handle's generation before it reads anything
 * (entity_lock); the lock-free check alone only filters garbage.
 *
 * Events.  RTM_ENTITY_REGISTERED and RTM_ENTITY_DEREGISTERED are delivered on
 * the registering (deregistering) thread after all locks are dropped, to the
 * entities of the RIB registered before the event: every registration and
 * deregistration takes the next number of one sequence (reg_seq, under the
 * registry mutex), and rib->entities is in registration order.  The walk
 * allocates nothing, so deregistration cannot fail: it holds a reference on
 * the entity it stands on and, when that one has left the list meanwhile,
 * finds its place again by number.  Each delivery counts itself in the
 * target's callbacks_running so that a target that deregisters meanwhile
 * waits for it and gets no callback after its RtmDeregisterEntity returned.
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
 * that RtmBlockMethods and RtmDeregisterEntity can wait for calls in progress;
 * it holds a reference on the target meanwhile, so the slot (and its copy of
 * the table) outlives a method that deregisters its own entity.
 *
 * This thread's frames.  Each delivery and each invocation pushes a frame on
 * a per-thread stack (kept on the C stack, so nesting has no limit): an
 * entity deregistering, or blocking its methods, from inside its own callback
 * or method must not wait for the frames of its own thread, which cannot
 * finish before it returns.
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

/* The sequence of registrations and deregistrations (registry mutex); each
 * entity's number in it is its reg_seq. */
static uint64_t event_seq;

/* A callback or method of an entity running on this thread. */
struct frame {
	const struct rtm_entity *e;
	bool method; /* an exported method (RtmInvokeMethod), else an event callback */
	struct frame *up;
};
static _Thread_local struct frame *tl_frames;

/* How many of this thread's frames run e's callbacks (method false) or methods. */
static unsigned frames_here(const struct rtm_entity *e, bool method)
{
	unsigned n = 0;
	for (const struct frame *f = tl_frames; f; f = f->up)
		n += f->e == e && f->method == method;
	return n;
}

static struct rtm_entity *slot_entity(uint32_t slot)
{
	return &chunks[slot >> ENT_CHUNK_SHIFT][slot & (ENT_CHUNK - 1)];
}

/* The slot an entity handle points at, whatever lives there now, and the
 * generation the handle expects in *gen; NULL for anything but an entity
 * handle of a slot ever handed out. */
static struct rtm_entity *slot_of_handle(HANDLE h, uint32_t *gen)
{
	struct rtm_handle_parts p;
	if (rtm__handle_decode(h, &p) || p.type != RTM_HT_ENTITY || p.rib != 0)
		return NULL;
	if (p.slot >= atomic_load_explicit(&initialised, memory_order_acquire))
		return NULL;
	*gen = p.gen;
	return slot_entity(p.slot);
}

struct rtm_entity *rtm__entity_from_handle(HANDLE h)
{
	uint32_t gen;
	struct rtm_entity *e = slot_of_handle(h, &gen);
	if (!e || atomic_load_explicit(&e->gen, memory_order_acquire) != gen)
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

/* A fresh slot from the table (registration path): 0, RTM_ENOMEM (a chunk could
 * not be allocated) or RTM_ENORES (all ENT_MAX_CHUNKS * ENT_CHUNK slots hold
 * entities, registered or still referenced). */
static int slot_alloc(struct rtm_entity **out)
{
	struct rtm_entity *e = NULL;
	int err = 0;
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
			} else {
				err = RTM_ENOMEM;
			}
		} else {
			err = RTM_ENORES;
		}
	}
	pthread_mutex_unlock(&table_mutex);
	*out = e;
	return err;
}

/* Returns the slot of an entity whose last reference is gone. */
static void slot_free(struct rtm_entity *e)
{
	/* Under cb_mutex, so that a reader holding it (entity_lock) sees either
	 * the old entity whole or a generation that no longer matches. */
	pthread_mutex_lock(&e->cb_mutex);
	unsigned gen = atomic_load_explicit(&e->gen, memory_order_relaxed);
	/* Move the generation on so that every handle to the old entity is stale. */
	gen = (gen + 1) & RTM_HANDLE_GEN_MASK;
	atomic_store_explicit(&e->gen, gen ? gen : 1, memory_order_release);
	atomic_store_explicit(&e->state, RTM_ENT_FREE, memory_order_release);
	rtm__free(e->methods);
	e->methods = NULL;
	/* e->rib keeps naming the RIB (RIB structs are never freed): a call that
	 * validated the caller a moment before the slot was freed still finds a
	 * RIB to lock, and its re-check under that lock refuses it. */
	pthread_mutex_unlock(&e->cb_mutex);

	pthread_mutex_lock(&table_mutex);
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

void rtm__entity_unref_n(struct rtm_entity *e, unsigned n)
{
	unsigned cur = atomic_load_explicit(&e->refs, memory_order_relaxed);
	do {
		if (cur < n)
			return;
	} while (!atomic_compare_exchange_weak_explicit(&e->refs, &cur, cur - n, memory_order_acq_rel,
							memory_order_relaxed));
	if (cur == n)
		slot_free(e);
}

void rtm__entity_unref(struct rtm_entity *e)
{
	rtm__entity_unref_n(e, 1);
}

void rtm__entity_ref_client_n(struct rtm_entity *e, unsigned n)
{
	atomic_fetch_add_explicit(&e->client_refs, n, memory_order_relaxed);
	atomic_fetch_add_explicit(&e->refs, n, memory_order_relaxed);
}

void rtm__entity_ref_client(struct rtm_entity *e)
{
	rtm__entity_ref_client_n(e, 1);
}

void rtm__owner_refs_flush(struct rtm_owner_refs *run)
{
	if (run->n)
		rtm__entity_ref_client_n(run->e, run->n);
	run->e = NULL;
	run->n = 0;
}

struct rtm_entity *rtm__entity_of_rib(struct rtm_rib *rib, HANDLE h)
{
	struct rtm_entity *e = rtm__entity_from_handle(h);
	return e && __atomic_load_n(&e->rib, __ATOMIC_RELAXED) == rib ? e : NULL;
}

/* The entity h names if it belongs to rib and is not free (live_only: still
 * registered), with its cb_mutex held; NULL, and no lock held, otherwise.
 * The generation is compared under the mutex, where it cannot move on. */
static struct rtm_entity *entity_lock(struct rtm_rib *rib, HANDLE h, bool live_only)
{
	uint32_t gen;
	struct rtm_entity *e = slot_of_handle(h, &gen);
	if (!e)
		return NULL;
	pthread_mutex_lock(&e->cb_mutex);
	int state = atomic_load_explicit(&e->state, memory_order_relaxed);
	if (atomic_load_explicit(&e->gen, memory_order_relaxed) == gen && state != RTM_ENT_FREE &&
	    (!live_only || state == RTM_ENT_LIVE) && e->rib == rib)
		return e;
	pthread_mutex_unlock(&e->cb_mutex);
	return NULL;
}

struct rtm_entity *rtm__entity_claim_client_n(struct rtm_rib *rib, HANDLE h, unsigned n)
{
	/* Lock-free: every release of an information structure claims its
	 * owner's handle, so a mutex here would serialise readers on the
	 * busiest entity. */
	struct rtm_entity *e = rtm__entity_of_rib(rib, h);
	if (!e)
		return NULL;
	unsigned cur = atomic_load_explicit(&e->client_refs, memory_order_relaxed);
	do {
		if (cur < n)
			return NULL;
	} while (!atomic_compare_exchange_weak_explicit(&e->client_refs, &cur, cur - n,
							memory_order_acq_rel, memory_order_relaxed));
	/* A client reference keeps the slot, so with a valid handle it is the
	 * same entity still.  With a stale one the slot may have been freed and
	 * reused between the check and the claim: the claim then went to the
	 * newcomer, and is given back. */
	if (rtm__entity_handle(e) != h || atomic_load_explicit(&e->state, memory_order_acquire) ==
						  RTM_ENT_FREE) {
		atomic_fetch_add_explicit(&e->client_refs, n, memory_order_relaxed);
		return NULL;
	}
	return e;
}

struct rtm_entity *rtm__entity_claim_client(struct rtm_rib *rib, HANDLE h)
{
	return rtm__entity_claim_client_n(rib, h, 1);
}

struct rtm_entity *rtm__entity_ref_client_handle(struct rtm_rib *rib, HANDLE h)
{
	struct rtm_entity *e = rtm__entity_of_rib(rib, h);
	if (!e)
		return NULL;
	/* Never from 0: a slot whose last reference went is being freed. */
	unsigned cur = atomic_load_explicit(&e->refs, memory_order_relaxed);
	do {
		if (cur == 0)
			return NULL;
	} while (!atomic_compare_exchange_weak_explicit(&e->refs, &cur, cur + 1, memory_order_acq_rel,
							memory_order_relaxed));
	/* Freed and registered again between the check and the reference: the
	 * reference went to the newcomer; give it back. */
	if (rtm__entity_handle(e) != h ||
	    atomic_load_explicit(&e->state, memory_order_acquire) == RTM_ENT_FREE) {
		rtm__entity_unref(e);
		return NULL;
	}
	atomic_fetch_add_explicit(&e->client_refs, 1, memory_order_relaxed);
	return e;
}

void rtm__entity_unclaim_client(struct rtm_entity *e)
{
	atomic_fetch_add_explicit(&e->client_refs, 1, memory_order_relaxed);
}

DWORD rtm__entity_deliver(struct rtm_entity *e, RTM_EVENT_TYPE type, PVOID context1, PVOID context2,
			  bool *called)
{
	DWORD ret = NO_ERROR;
	if (called)
		*called = false;
	pthread_mutex_lock(&e->cb_mutex);
	if (atomic_load_explicit(&e->state, memory_order_relaxed) != RTM_ENT_LIVE || !e->callback) {
		pthread_mutex_unlock(&e->cb_mutex);
		return NO_ERROR;
	}
	RTM_EVENT_CALLBACK cb = e->callback;
	RTM_ENTITY_HANDLE self = rtm__entity_handle(e);
	e->callbacks_running++;
	pthread_mutex_unlock(&e->cb_mutex);

	struct frame f = { e, false, tl_frames };
	tl_frames = &f;
	ret = cb(self, type, context1, context2);
	tl_frames = f.up;
	if (called)
		*called = true;

	pthread_mutex_lock(&e->cb_mutex);
	e->callbacks_running--;
	pthread_cond_broadcast(&e->cb_cond);
	pthread_mutex_unlock(&e->cb_mutex);
	return ret;
}

/* Waits for e's callbacks and method calls running on other threads (e is
 * deregistered: no new ones start). */
static void quiesce(struct rtm_entity *e)
{
	unsigned cbs = frames_here(e, false), methods = frames_here(e, true);
	pthread_mutex_lock(&e->cb_mutex);
	while (e->callbacks_running > cbs || e->methods_running > methods)
		pthread_cond_wait(&e->cb_cond, &e->cb_mutex);
	pthread_mutex_unlock(&e->cb_mutex);
}

/* Tells every entity of rib registered before event number seq that subject
 * (registered or deregistered, named by handle) did so.  No lock held.
 * Allocates nothing: see the essay at the top. */
static void deliver_all(struct rtm_rib *rib, const struct rtm_entity *subject, uint64_t seq,
			RTM_EVENT_TYPE type, RTM_ENTITY_HANDLE handle, const RTM_ENTITY_INFO *info)
{
	struct rtm_entity *cur = NULL;
	uint64_t last = 0;
	for (;;) {
		struct rtm_entity *next = NULL;
		rtm__rib_rdlock(rib);
		/* cur is still in the list iff it is still registered (both change
		 * under the exclusive lock); if not, start again from the head. */
		struct rtm_link *pos = cur && rtm__caller_still_valid(cur) ? cur->rib_link.next
									   : rib->entities.next;
		for (; pos != &rib->entities; pos = pos->next) {
			struct rtm_entity *o = rtm_container_of(pos, struct rtm_entity, rib_link);
			if (o->reg_seq >= seq)
				break; /* registered after the event, like all after it */
			if (o->reg_seq > last && o != subject) {
				next = o;
				last = o->reg_seq;
				rtm__entity_ref(next);
				break;
			}
		}
		rtm__rib_unlock(rib);
		if (cur)
			rtm__entity_unref(cur);
		if (!next)
			return;
		/* Each target gets its own copy: it may scribble on what it was given. */
		RTM_ENTITY_INFO copy = *info;
		rtm__entity_deliver(next, type, handle, &copy, NULL);
		cur = next;
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
		err = slot_alloc(&e);
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
	deliver_all(rib, e, seq, RTM_ENTITY_REGISTERED, handle, &info);
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
	/* Nothing below can fail: deregistration allocates nothing. */
	uint64_t seq = ++event_seq;
	pthread_mutex_lock(&e->cb_mutex);
	atomic_store_explicit(&e->state, RTM_ENT_GONE, memory_order_release);
	/* Invocations waiting for its blocked methods must wake up and fail. */
	pthread_cond_broadcast(&e->cb_cond);
	pthread_mutex_unlock(&e->cb_mutex);

	rtm__entity_free_owned(rib, e);
	if (e->opaque_slot >= 0)
		rib->opaque_used[e->opaque_slot] = 0;
	rtm__link_unlink(&e->rib_link);
	rib->n_entities--;
	RTM_ENTITY_INFO info = e->info;
	rtm__rib_unlock(rib);
	if (rib->n_entities == 0)
		rtm__rib_deactivate(rib);
	rtm__registry_unlock();
	/* The deletion of its routes may owe other entities a change signal. */
	rtm__notify_flush(rib);

	quiesce(e);
	deliver_all(rib, e, seq, RTM_ENTITY_DEREGISTERED, RtmRegHandle, &info);
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
	/* The Win32 two-call pattern: a buffer too small for every entity gets
	 * nothing (no handle referenced, nothing written) and the number
	 * registered, so the caller can size the next call. */
	UINT cap = *NumEntities, n = 0;
	if (rib->n_entities > cap) {
		n = rib->n_entities;
		rtm__rib_unlock(rib);
		*NumEntities = n;
		return ERROR_INSUFFICIENT_BUFFER;
	}
	struct rtm_link *pos, *tmp;
	rtm_link_for_each_safe(pos, tmp, &rib->entities)
	{
		struct rtm_entity *o = rtm_container_of(pos, struct rtm_entity, rib_link);
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
	/* All or nothing, a handle listed k times needing k references (rib.c). */
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
	struct rtm_entity *e = entity_lock(caller->rib, EntityHandle, false);
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

/* ---- export methods ---------------------------------------------------- */

DWORD WINAPI RtmGetEntityMethods(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENTITY_HANDLE EntityHandle,
				 PUINT NumMethods, PRTM_ENTITY_EXPORT_METHOD ExptMethods)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	/* The table is freed with the slot: read it under the lock, for the
	 * entity the handle names, or not at all. */
	struct rtm_entity *e = entity_lock(caller->rib, EntityHandle, true);
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
	struct rtm_entity *e = entity_lock(caller->rib, EntityHandle, true);
	if (!e)
		return ERROR_INVALID_HANDLE;
	if (!Input || !OutputSize || (*OutputSize > 0 && !Output)) {
		pthread_mutex_unlock(&e->cb_mutex);
		return ERROR_INVALID_PARAMETER;
	}

	/* While we wait, the target may deregister and its slot be reused: the
	 * generation tells the entity we were asked for from a newcomer. */
	unsigned gen = atomic_load_explicit(&e->gen, memory_order_relaxed);
	while (e->methods_blocked && atomic_load_explicit(&e->gen, memory_order_relaxed) == gen &&
	       atomic_load_explicit(&e->state, memory_order_relaxed) == RTM_ENT_LIVE)
		pthread_cond_wait(&e->cb_cond, &e->cb_mutex);
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

	struct frame f = { e, true, tl_frames };
	tl_frames = &f;
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
	tl_frames = f.up;
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
		bool ok = rtm__caller_still_valid(e) && method_target_valid(rib, TargetHandle);
		rtm__rib_unlock(rib);
		if (!ok)
			return ERROR_INVALID_HANDLE;
	}
	if (BlockingFlag != RTM_BLOCK_METHODS && BlockingFlag != RTM_RESUME_METHODS)
		return ERROR_INVALID_PARAMETER;
	/* Per-target blocking is not supported (as on Windows): a valid target
	 * blocks or resumes all of the caller's methods, which covers it. */
	unsigned mine = frames_here(e, true);
	pthread_mutex_lock(&e->cb_mutex);
	if (BlockingFlag == RTM_BLOCK_METHODS) {
		e->methods_blocked = true;
		/* Calls already inside a method finish before the block holds,
		 * except this thread's own: it cannot finish before we return. */
		while (e->methods_running > mine)
			pthread_cond_wait(&e->cb_cond, &e->cb_mutex);
	} else {
		e->methods_blocked = false;
		pthread_cond_broadcast(&e->cb_cond);
	}
	pthread_mutex_unlock(&e->cb_mutex);
	return NO_ERROR;
}
