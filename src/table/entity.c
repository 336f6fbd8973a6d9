/*
 * entity.c — the entity slot table: handles, references, caller checks.
 * (The calls are api/entity.c and api/methods.c; events svc/events.c.)
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
 * (rtm__entity_lock); the lock-free check alone only filters garbage.
 *
 * References.  refs counts everything that keeps the slot: the registration
 * itself, internal holders (the entity's routes and next hops, deliveries in
 * flight) and the handles given to clients.  client_refs is the clients'
 * share; release calls are checked against it, so a client that releases an
 * entity handle once too often gets ERROR_INVALID_HANDLE instead of freeing
 * the slot of an entity that is still registered (which would later corrupt
 * the RIB's entity list when the slot is reused).
 */
#include "entity.h"

#include "alloc.h"
#include "error.h"

#include <stdlib.h>
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
int rtm__entity_slot_alloc(struct rtm_entity **out)
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
	/* Under cb_mutex, so that a reader holding it (rtm__entity_lock) sees either
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

/* ---- client references counted by the thread that gave them -------------
 *
 * A lock-free query (dest.h) gives the owner of each best route a client
 * reference.  Counted on the entity, that would be a write to one cache line
 * shared by every reader of the RIB, on every lookup.  So each thread counts
 * the owner references it gave in a table of its own (TREF_SLOTS entries,
 * by entity slot), and a release by the same thread takes them back there.
 * Everything else sees ordinary counts: when a release cannot be met from
 * the entity's counts, and when the entity's last reference is about to go,
 * every thread's count of it is moved to the entity first (tref_migrate,
 * under tref_mutex, a leaf).  An entry's entity and generation are written
 * only by its thread, under tref_mutex; other threads only read them there,
 * and only take counts away.  A thread that ends leaves its table to the
 * next new thread, counts and all: they are references like any other.
 */
#define TREF_SLOTS 64u
struct tref {
	struct rtm_entity *e;
	uint32_t gen;
	atomic_uint n;
};
struct tref_table {
	struct tref t[TREF_SLOTS];
	struct tref_table *next;
	atomic_int in_use;
};
static pthread_mutex_t tref_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct tref_table *tref_tables; /* every table, under tref_mutex */
static __attribute__((tls_model("initial-exec"))) _Thread_local struct tref_table *my_trefs;
static pthread_once_t tref_once = PTHREAD_ONCE_INIT;
static pthread_key_t tref_key;

static void tref_give_back(void *p)
{
	struct tref_table *tt = p;
	atomic_store_explicit(&tt->in_use, 0, memory_order_release);
}

static void tref_make_key(void)
{
	(void)pthread_key_create(&tref_key, tref_give_back);
}

/* This thread's table (taken over from an ended thread, or new); NULL when
 * there is no memory for one. */
static struct tref_table *tref_table(void)
{
	if (my_trefs)
		return my_trefs;
	pthread_once(&tref_once, tref_make_key);
	pthread_mutex_lock(&tref_mutex);
	struct tref_table *tt;
	for (tt = tref_tables; tt; tt = tt->next)
		if (atomic_load_explicit(&tt->in_use, memory_order_acquire) == 0)
			break;
	if (!tt) {
		tt = calloc(1, sizeof(*tt)); /* not rtm__calloc: readers must not fail */
		if (tt) {
			tt->next = tref_tables;
			tref_tables = tt;
		}
	}
	if (tt) {
		atomic_store_explicit(&tt->in_use, 1, memory_order_relaxed);
		my_trefs = tt;
		(void)pthread_setspecific(tref_key, tt);
	}
	pthread_mutex_unlock(&tref_mutex);
	return tt;
}

void rtm__entity_ref_client_local(struct rtm_entity *e)
{
	struct tref_table *tt = tref_table();
	uint32_t gen = atomic_load_explicit(&e->gen, memory_order_relaxed);
	struct tref *r = tt ? &tt->t[e->slot % TREF_SLOTS] : NULL;
	if (r && r->e == e && r->gen == gen) {
		atomic_fetch_add_explicit(&r->n, 1, memory_order_relaxed);
		return;
	}
	if (r && atomic_load_explicit(&r->n, memory_order_relaxed) == 0) {
		/* Only this thread adds to its entries: 0 stays 0 meanwhile. */
		pthread_mutex_lock(&tref_mutex);
		r->e = e;
		r->gen = gen;
		atomic_store_explicit(&r->n, 1, memory_order_relaxed);
		pthread_mutex_unlock(&tref_mutex);
		return;
	}
	rtm__entity_ref_client(e); /* the entry is another entity's */
}

bool rtm__entity_claim_client_local(struct rtm_entity *e, HANDLE h, unsigned n)
{
	struct tref_table *tt = my_trefs;
	struct rtm_handle_parts p;
	if (!tt || rtm__handle_decode(h, &p))
		return false;
	struct tref *r = &tt->t[e->slot % TREF_SLOTS];
	if (r->e != e || r->gen != p.gen)
		return false;
	unsigned cur = atomic_load_explicit(&r->n, memory_order_relaxed);
	do {
		if (cur < n)
			return false;
	} while (!atomic_compare_exchange_weak_explicit(&r->n, &cur, cur - n, memory_order_acq_rel,
							memory_order_relaxed));
	return true;
}

void rtm__entity_unclaim_client_local(struct rtm_entity *e, HANDLE h, unsigned n)
{
	struct tref_table *tt = my_trefs;
	struct rtm_handle_parts p;
	if (tt && !rtm__handle_decode(h, &p)) {
		struct tref *r = &tt->t[e->slot % TREF_SLOTS];
		if (r->e == e && r->gen == p.gen) {
			atomic_fetch_add_explicit(&r->n, n, memory_order_relaxed);
			return;
		}
	}
	rtm__entity_ref_client_n(e, n);
}

void rtm__entity_unref_client_local(struct rtm_entity *e)
{
	HANDLE h = rtm__entity_handle(e);
	if (rtm__entity_claim_client_local(e, h, 1))
		return;
	/* Counted on the entity (ref_client_local's fallback), or moved there
	 * meanwhile: the claim leaves the reference, which unref drops. */
	if (rtm__entity_claim_client_n(e->rib, h, 1))
		rtm__entity_unref(e);
}

/* Moves every thread's count of e (generation gen) to e's own counts;
 * returns how many.  tref_mutex held. */
static unsigned tref_migrate_locked(struct rtm_entity *e, uint32_t gen)
{
	unsigned moved = 0;
	for (struct tref_table *tt = tref_tables; tt; tt = tt->next) {
		struct tref *r = &tt->t[e->slot % TREF_SLOTS];
		if (r->e == e && r->gen == gen)
			moved += atomic_exchange_explicit(&r->n, 0, memory_order_acq_rel);
	}
	if (moved)
		rtm__entity_ref_client_n(e, moved);
	return moved;
}

static unsigned tref_migrate(struct rtm_entity *e, uint32_t gen)
{
	pthread_mutex_lock(&tref_mutex);
	unsigned moved = tref_migrate_locked(e, gen);
	pthread_mutex_unlock(&tref_mutex);
	return moved;
}

/* Takes n of e's own client references if it has them. */
static bool claim_counted(struct rtm_entity *e, unsigned n)
{
	unsigned cur = atomic_load_explicit(&e->client_refs, memory_order_relaxed);
	while (cur >= n)
		if (atomic_compare_exchange_weak_explicit(&e->client_refs, &cur, cur - n,
							  memory_order_acq_rel, memory_order_relaxed))
			return true;
	return false;
}

void rtm__entity_unref_n(struct rtm_entity *e, unsigned n)
{
	unsigned cur = atomic_load_explicit(&e->refs, memory_order_relaxed);
	for (;;) {
		if (cur < n)
			return;
		/* The last reference: threads' own counts are references too. */
		if (cur == n && tref_migrate(e, atomic_load_explicit(&e->gen, memory_order_relaxed))) {
			cur = atomic_load_explicit(&e->refs, memory_order_relaxed);
			continue;
		}
		if (atomic_compare_exchange_weak_explicit(&e->refs, &cur, cur - n, memory_order_acq_rel,
							  memory_order_relaxed))
			break;
	}
	if (cur == n)
		slot_free(e);
}

void rtm__entity_unref(struct rtm_entity *e)
{
	rtm__entity_unref_n(e, 1);
}

void rtm__entity_ref_client_n(struct rtm_entity *e, unsigned n)
{
	/* refs first: a claim of these client references may come at once, and
	 * the unref that follows it must find them in refs already. */
	atomic_fetch_add_explicit(&e->refs, n, memory_order_relaxed);
	atomic_fetch_add_explicit(&e->client_refs, n, memory_order_release);
}

void rtm__entity_ref_client(struct rtm_entity *e)
{
	rtm__entity_ref_client_n(e, 1);
}

struct rtm_entity *rtm__entity_of_rib(struct rtm_rib *rib, HANDLE h)
{
	struct rtm_entity *e = rtm__entity_from_handle(h);
	return e && __atomic_load_n(&e->rib, __ATOMIC_RELAXED) == rib ? e : NULL;
}

/* The entity h names if it belongs to rib and is not free (live_only: still
 * registered), with its cb_mutex held; NULL, and no lock held, otherwise.
 * The generation is compared under the mutex, where it cannot move on. */
struct rtm_entity *rtm__entity_lock(struct rtm_rib *rib, HANDLE h, bool live_only)
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
	/*
	 * Threads' own counts (above) may hold the rest.  Moving them here does
	 * not reserve them: a thread short of its own (they were moved away)
	 * takes what it is owed from here, leaving as many of its own behind.
	 * So under tref_mutex, where no other thread moves counts, this moves
	 * and tries again until a move finds nothing: only then is the total
	 * short of n.
	 */
	if (!claim_counted(e, n)) {
		struct rtm_handle_parts p;
		if (rtm__handle_decode(h, &p))
			return NULL;
		pthread_mutex_lock(&tref_mutex);
		bool got;
		while (!(got = claim_counted(e, n)) && tref_migrate_locked(e, p.gen))
			;
		pthread_mutex_unlock(&tref_mutex);
		if (!got)
			return NULL;
	}
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

/* ---- export methods ---------------------------------------------------- */

