/*
 * api/enum.c — enumerations of the table: destinations, routes, next hops
 * (RtmCreateDestEnum, RtmGetEnumDests, RtmReleaseDests, RtmCreateRouteEnum,
 * RtmGetEnumRoutes, RtmCreateNextHopEnum, RtmGetEnumNextHops), and
 * RtmDeleteEnumHandle for every kind.
 *
 * An enumeration walks the trie in its order (trie.h: by address, a prefix
 * before the prefixes it covers) and hands out at most MaxHandlesInEnum items
 * per call.  Between calls the table changes, so an enumeration relies on no
 * pointer into it.  Its position is the key of the last destination it looked
 * at, and each call resumes with rtm__trie_seek(key, after = 1) under the RIB
 * lock: O(depth) to find the place, then O(1) per destination, following the
 * chain of destinations in walk order (dest->next, see dest.c).  The seek is
 * skipped when no destination has been freed since the position was taken:
 * the destination it names is then still in the chain, and the walk goes on
 * from it (rib->dests_freed; a full enumeration of a quiet table never seeks,
 * which made it twice as fast).  A
 * call therefore costs O(batch + destinations skipped by the filters),
 * whatever the size of the table, and the guarantees follow from the order
 * being total and fixed:
 *
 *   - nothing is returned twice (every call starts strictly after the last
 *     key of the previous one);
 *   - a destination present during the whole enumeration is returned exactly
 *     once (it is in the trie, at its place, when the walk passes it), even
 *     when the destination the position names has been deleted meanwhile
 *     (seek does not need the key to be present);
 *   - destinations added or removed elsewhere may or may not be seen.
 *
 * RTM_ENUM_START starts at 0/0, RTM_ENUM_NEXT at the given prefix, and
 * RTM_ENUM_RANGE at the given prefix and stops at the first destination it
 * does not cover: the prefixes a prefix covers are one contiguous run of the
 * walk.  A route enumeration of one destination is a range of exactly that
 * key.
 *
 * Routes within a destination come best first (the destination's own order).
 * A batch may end inside a destination; since that order changes when routes
 * change, "the n-th route" is no position.  The enumeration instead keeps the
 * handles of the routes it still owes from that destination (a snapshot,
 * taken when the batch fills) and its position moves past the destination.
 * Handles, not pointers: a route deleted meanwhile no longer resolves (or is
 * dead) and is skipped, and one that no longer meets the criteria is skipped
 * too.  Growing that array is the only allocation of a Get call, hence
 * RtmGetEnumRoutes' documented ERROR_NOT_ENOUGH_MEMORY; when it fails after
 * some routes were gathered, the call returns those and stops before the
 * destination instead.
 *
 * Next hops are enumerated from the caller's own list, which is sorted by
 * (address, interface): the position is the last (address, interface)
 * returned and a call resumes by binary search.
 *
 * Views.  With RTM_VIEW_MASK_ANY a destination enumeration returns every
 * destination with a route or a hold-down route, and a route enumeration
 * also returns hold-down routes (after a destination's live routes); with
 * specific views only destinations with routes in those views and routes
 * in them ("Routes that are in the hold-down state are only enumerated when
 * a client requests data from all views using RTM_VIEW_MASK_ANY").
 *
 * Locking: RtmGetEnumDests and RtmGetEnumRoutes take no lock a writer holds
 * (below); RtmGetEnumNextHops runs under the shared RIB lock.  The
 * per-enumeration mutex (a leaf) serialises two threads using the same
 * enumeration handle.  Create and delete take the lock exclusive
 * (they allocate handles).
 */
#include "enter.h"

#include "alloc.h"
#include "dest.h"
#include "entity.h"
#include "enum.h"
#include "epoch.h"
#include "error.h"
#include "netaddr.h"
#include "nexthop.h"
#include "info.h"
#include "release.h"
#include "route.h"

#include <string.h>

#define POSITION (RTM_ENUM_NEXT | RTM_ENUM_RANGE)

/* Deleted: nothing to do at once; its mutex and owed routes go with its
 * memory, once no lock-free Get call can be in it (table_enum_release). */
static void table_enum_fini(struct rtm_rib *rib, struct rtm_enum *en)
{
	(void)rib;
	(void)en;
}

static void table_enum_release(struct rtm_enum *en)
{
	pthread_mutex_destroy(&en->u.table.mutex);
	rtm__free(en->u.table.rest);
	en->u.table.rest = NULL;
	en->u.table.n_rest = en->u.table.i_rest = en->u.table.cap_rest = 0;
}

/* ---- positions in the trie ------------------------------------------------ */

/* Sets the start (and range) from EnumFlags and the address. */
static int set_position(struct rtm_rib *rib, struct rtm_table_enum *t, RTM_ENUM_FLAGS pos,
			const RTM_NET_ADDRESS *addr)
{
	memset(t->key, 0, sizeof(t->key));
	t->len = 0;
	t->after = false;
	t->range = false;
	if (pos == RTM_ENUM_START)
		return 0;
	if (rtm__netaddr_check(addr, rib->family, rib->width))
		return RTM_EINVAL;
	rtm__netaddr_key(addr, rib->width, t->key);
	t->len = (uint8_t)addr->NumBits;
	if (pos == RTM_ENUM_RANGE) {
		t->range = true;
		memcpy(t->range_key, t->key, sizeof(t->key));
		t->range_len = t->len;
	}
	return 0;
}

RTM_OPTIMISTIC static bool in_range(const struct rtm_table_enum *t, const struct rtm_trie_node *n)
{
	if (!t->range)
		return true;
	if (t->one_dest && n->len != t->range_len)
		return false;
	return rtm__trie_covers(t->range_key, t->range_len, n->key, n->len);
}

/* Common start of the Get calls, which take no lock a writer holds: an
 * epoch section, the caller's enumeration of `kind`, the capacity checked,
 * and the enumeration's mutex taken (two threads on one enumeration);
 * finish() undoes them and reaps what the call gave back.  NULL with *rc
 * and nothing held on failure. */
static struct rtm_rib *enter_enum(RTM_ENTITY_HANDLE reg, RTM_ENUM_HANDLE h, unsigned kind, PUINT num,
				  const void *buf, UINT got, struct rtm_entity **caller, struct rtm_enum **en,
				  DWORD *rc, struct rtm_reap_list *reap)
{
	struct rtm_rib *rib = rtm__enter_read(reg, caller);
	if (!rib) {
		*rc = ERROR_INVALID_HANDLE;
		goto gone;
	}
	*en = rtm__enum_of_caller_optimistic(rib, *caller, h, kind);
	if (!*en)
		*rc = ERROR_INVALID_HANDLE;
	else if (!num || *num > rib->cfg.max_handles_in_enum || (*num && !buf))
		*rc = ERROR_INVALID_PARAMETER;
	else
		*rc = NO_ERROR;
	if (*rc != NO_ERROR) {
		rtm__epoch_exit();
		rtm__rib_reap_list(rib, reap);
		goto gone;
	}
	pthread_mutex_lock(&(*en)->u.table.mutex);
	return rib;
gone:
	/* The caller or the enumeration went while the call paused: what its
	 * earlier parts gave is the answer. */
	if (got) {
		*num = got;
		*rc = NO_ERROR;
	}
	return NULL;
}

/* The common end of the Get calls: unless the call pauses (to go on after
 * leaving, as below), the count, and the end of the enumeration when it got
 * nothing at its end (items never come with ERROR_NO_MORE_ITEMS,
 * docs/API-NOTES.md); then the exit.  True when the call pauses. */
static bool finish(struct rtm_rib *rib, struct rtm_enum *en, struct rtm_reap_list *reap, bool pause, UINT got,
		   UINT cap, bool end, PUINT num, DWORD *rc)
{
	struct rtm_table_enum *t = &en->u.table;
	if (!pause) {
		*num = got;
		if (*rc == NO_ERROR && got == 0 && (cap || t->done) && end) {
			t->done = true;
			*rc = ERROR_NO_MORE_ITEMS;
		}
	}
	pthread_mutex_unlock(&en->u.table.mutex);
	rtm__epoch_exit();
	rtm__rib_reap_list(rib, reap);
	return pause;
}

/*
 * A filtered enumeration (own destinations or routes, a protocol, matching
 * criteria) may pass over many destinations before a batch is full.  Every
 * PAUSE_EVERY destinations it passes, the call saves its position and
 * leaves its epoch section and the enumeration, then goes on, so that what
 * writers free meanwhile does not wait for a walk that grows with the table.
 * Meanwhile another thread may use the same enumeration: it goes on from the
 * saved position, and this call from wherever that one stopped, so no
 * destination is returned twice and each call's items stay in order.
 */
enum { PAUSE_EVERY = 4096 };

/* Creates an enumeration of kind with a copy of t.  rib->lock exclusive. */
static int create(struct rtm_rib *rib, struct rtm_entity *caller, unsigned kind,
		  const struct rtm_table_enum *t, PRTM_ENUM_HANDLE out)
{
	struct rtm_enum *en = rtm__enum_new(rib, caller, kind, table_enum_fini);
	if (!en)
		return RTM_ENOMEM;
	en->u.table = *t;
	pthread_mutex_init(&en->u.table.mutex, NULL);
	en->release = table_enum_release;
	*out = rtm__rib_handle(rib, &en->obj);
	return 0;
}

/* ---- destinations ----------------------------------------------------------- */

DWORD WINAPI RtmCreateDestEnum(RTM_ENTITY_HANDLE RtmRegHandle, RTM_VIEW_SET TargetViews,
			       RTM_ENUM_FLAGS EnumFlags, PRTM_NET_ADDRESS NetAddress,
			       ULONG ProtocolId, PRTM_ENUM_HANDLE RtmEnumHandle)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_table_enum t;
	memset(&t, 0, sizeof(t));
	RTM_ENUM_FLAGS pos = EnumFlags & POSITION;
	int err = 0;
	if (!RtmEnumHandle || pos == POSITION ||
	    (EnumFlags & ~(RTM_ENUM_FLAGS)(POSITION | RTM_ENUM_OWN_DESTS)) ||
	    set_position(rib, &t, pos, NetAddress))
		err = RTM_EINVAL;
	else if (!rtm__views_supported(rib, TargetViews))
		err = RTM_ENOTSUP;
	if (!err) {
		t.views = TargetViews;
		t.flags = EnumFlags;
		t.proto = rtm__protocol_filter(caller, ProtocolId);
		err = create(rib, caller, RTM_ENUM_KIND_DEST, &t, RtmEnumHandle);
	}
	rtm__leave(rib);
	return rtm__win32(err);
}

/*
 * RtmGetEnumDests takes no lock a writer holds: it reads inside an epoch
 * section, each destination checked against its sequence count
 * (rtm__dest_enum_one), the chain followed from a destination whose count
 * held while its link was read, and a seek checked against the trie's
 * count.  A destination freed under the walk sends it back to a seek after
 * the last one it examined, so the guarantees above hold as under the lock.
 * Only the enumeration's own mutex is taken (two threads on one
 * enumeration); its memory outlives the section (table_enum_release).
 */

/* in_range and remember for destinations found without the lock: the key
 * is read by code the race detector leaves alone (its writes came before
 * the destination was published, which this thread saw only through such
 * reads). */
static bool in_range_lf(const struct rtm_table_enum *t, const struct rtm_dest *d)
{
	return in_range(t, &d->node);
}

RTM_OPTIMISTIC static void remember_lf(const struct rtm_rib *rib, struct rtm_table_enum *t,
				       const struct rtm_dest *d, uint64_t freed_then)
{
	for (unsigned i = 0; i < rib->width / 8; i++)
		t->key[i] = d->node.key[i];
	t->len = d->node.len;
	t->after = true;
	t->at = &d->node;
	t->freed_then = freed_then;
}

static uint64_t dests_freed(const struct rtm_rib *rib)
{
	return __atomic_load_n(&rib->dests_freed, __ATOMIC_ACQUIRE);
}

/* The first destination at the enumeration's position (resume, lock-free). */
static struct rtm_dest *resume_lf(struct rtm_rib *rib, const struct rtm_table_enum *t,
				  struct rtm_reap_list *reap)
{
	if (t->done)
		return NULL;
	struct rtm_dest *d = NULL;
	bool sought = false;
	if (t->after && t->at && t->freed_then == dests_freed(rib)) {
		/* Not freed since: it is memory of this section, and its link is
		 * read while its count holds (or it went meanwhile: seek). */
		bool taken;
		if (rtm__dest_enum_one(rib, rtm__dest_of_node(t->at), NULL, NULL, &d, &taken, reap) == 0)
			sought = true;
	}
	if (!sought)
		d = rtm__dest_seek_optimistic(rib, t->key, t->len, t->after);
	return d && in_range_lf(t, d) ? d : NULL;
}

/* The destination the walk was at was freed under it: on from the last
 * destination it examined (or the saved position). */
static struct rtm_dest *reseek(struct rtm_rib *rib, struct rtm_table_enum *t, const struct rtm_dest *last,
			       uint64_t last_freed)
{
	if (last)
		remember_lf(rib, t, last, last_freed);
	struct rtm_dest *d = rtm__dest_seek_optimistic(rib, t->key, t->len, t->after);
	return d && in_range_lf(t, d) ? d : NULL;
}

DWORD WINAPI RtmGetEnumDests(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle,
			     PUINT NumDests, PRTM_DEST_INFO DestInfos)
{
	struct rtm_reap_list reap = { 0 };
	UINT got = 0;
	DWORD rc;
again:;
	struct rtm_entity *caller;
	struct rtm_enum *en;
	struct rtm_rib *rib = enter_enum(RtmRegHandle, EnumHandle, RTM_ENUM_KIND_DEST, NumDests, DestInfos, got,
					 &caller, &en, &rc, &reap);
	if (!rib)
		return rc;
	struct rtm_table_enum *t = &en->u.table;
	size_t stride = RTM_SIZE_OF_DEST_INFO(rtm__dest_info_views(rib, t->views));
	struct rtm_dest_filter f = { t->proto, t->views,
				     (t->flags & RTM_ENUM_OWN_DESTS) ? caller : NULL };
	UINT cap = *NumDests;
	struct rtm_dest *d = got < cap ? resume_lf(rib, t, &reap) : NULL;
	struct rtm_dest *last = NULL;
	uint64_t last_freed = 0;
	unsigned examined = 0, gone = 0;
	bool pause = false;
	while (d && got < cap) {
		/* Read before d is: a free of d after that moves it on. */
		uint64_t freed = dests_freed(rib);
		struct rtm_dest *next;
		bool taken;
		PRTM_DEST_INFO di = (void *)((char *)DestInfos + got * stride);
		int e = rtm__dest_enum_one(rib, d, &f, di, &next, &taken, &reap);
		if (e == RTM_ENOENT) {
			/* Freed under the walk, or not published yet (found in the
			 * trie a moment before): the writer must get on. */
			rtm__read_relax(gone++);
			d = reseek(rib, t, last, last_freed);
			continue;
		}
		if (e == RTM_ENOMORE) {
			pause = true;
			break;
		}
		got += taken;
		last = d;
		last_freed = freed;
		d = next && in_range_lf(t, next) ? next : NULL;
		if (d && got < cap && ++examined == PAUSE_EVERY) {
			/* Leave the section now and then, so that what writers free
			 * meanwhile does not wait for a long filtered walk. */
			pause = true;
			break;
		}
	}
	if (last)
		remember_lf(rib, t, last, last_freed);
	bool end = !pause && !d;
	if (finish(rib, en, &reap, pause, got, cap, end, NumDests, &rc))
		goto again;
	return rc;
}

DWORD WINAPI RtmReleaseDests(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumDests,
			     PRTM_DEST_INFO DestInfos)
{
	struct rtm_entity *caller = rtm__caller(RtmRegHandle);
	if (!caller)
		return ERROR_INVALID_HANDLE;
	if (NumDests == 0)
		return NO_ERROR;
	if (!DestInfos)
		return ERROR_INVALID_PARAMETER;
	/* All entries of one RtmGetEnumDests call have the same number of views,
	 * so the first entry gives the stride. */
	if (DestInfos->NumberOfViews > RTM_MAX_VIEWS)
		return ERROR_INVALID_PARAMETER;
	size_t stride = RTM_SIZE_OF_DEST_INFO(DestInfos->NumberOfViews);
	return rtm__win32(rtm__dest_release_infos(caller->rib, DestInfos, NumDests, stride));
}

/* ---- routes -------------------------------------------------------------------- */

/* Room for n owed handles; 0 or RTM_ENOMEM (nothing changed). */
static int rest_reserve(struct rtm_table_enum *t, uint32_t n)
{
	if (n <= t->cap_rest)
		return 0;
	uint32_t cap = t->cap_rest * 2 > n ? t->cap_rest * 2 : n;
	HANDLE *rest = rtm__realloc(t->rest, cap * sizeof(*rest));
	if (!rest)
		return RTM_ENOMEM;
	t->rest = rest;
	t->cap_rest = cap;
	return 0;
}

DWORD WINAPI RtmCreateRouteEnum(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
				RTM_VIEW_SET TargetViews, RTM_ENUM_FLAGS EnumFlags,
				PRTM_NET_ADDRESS StartDest, RTM_MATCH_FLAGS MatchingFlags,
				PRTM_ROUTE_INFO CriteriaRoute, ULONG CriteriaInterface,
				PRTM_ENUM_HANDLE RtmEnumHandle)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_table_enum t;
	memset(&t, 0, sizeof(t));
	RTM_ENUM_FLAGS pos = EnumFlags & POSITION;
	bool needs_criteria = (MatchingFlags & ~(RTM_MATCH_FLAGS)RTM_MATCH_INTERFACE) != 0;
	struct rtm_dest *dest = NULL;
	int err = 0;
	if (DestHandle)
		dest = (struct rtm_dest *)rtm__rib_lookup(rib, DestHandle, RTM_HT_DEST);
	if (DestHandle && !dest) {
		err = RTM_EHANDLE;
	} else if (!RtmEnumHandle || pos == POSITION ||
		   (EnumFlags & ~(RTM_ENUM_FLAGS)(POSITION | RTM_ENUM_OWN_ROUTES)) ||
		   (MatchingFlags & ~(RTM_MATCH_FLAGS)RTM_MATCH_FULL) ||
		   (needs_criteria && !CriteriaRoute)) {
		err = RTM_EINVAL;
	} else if (dest) {
		/* One destination, whatever the position flags say: a range of
		 * exactly its key. */
		memcpy(t.key, dest->node.key, rib->width / 8);
		t.len = dest->node.len;
		memcpy(t.range_key, t.key, sizeof(t.key));
		t.range_len = t.len;
		t.range = t.one_dest = true;
	} else if (set_position(rib, &t, pos, StartDest)) {
		err = RTM_EINVAL;
	}
	if (!err && !rtm__views_supported(rib, TargetViews))
		err = RTM_ENOTSUP;
	if (!err) {
		t.views = TargetViews;
		t.flags = EnumFlags;
		t.match = MatchingFlags;
		t.ifindex = CriteriaInterface;
		if (needs_criteria) {
			/* The fields a match reads (table/route_read.c); the client's buffer
			 * need not outlive this call. */
			t.criteria.RouteOwner = CriteriaRoute->RouteOwner;
			t.criteria.Neighbour = CriteriaRoute->Neighbour;
			t.criteria.PrefInfo = CriteriaRoute->PrefInfo;
			const RTM_NEXTHOP_LIST *nl = &CriteriaRoute->NextHopsList;
			t.criteria.NextHopsList.NumNextHops = nl->NumNextHops ? 1 : 0;
			if (nl->NumNextHops)
				t.criteria.NextHopsList.NextHops[0] = nl->NextHops[0];
		}
		err = create(rib, caller, RTM_ENUM_KIND_ROUTE, &t, RtmEnumHandle);
	}
	rtm__leave(rib);
	return rtm__win32(err);
}

/*
 * RtmGetEnumRoutes takes no lock a writer holds either: each destination's
 * routes are read at one moment (rtm__route_enum_dest, table/route_read.c),
 * and the walk goes on as RtmGetEnumDests's does.  Routes of a destination
 * beyond the batch are owed to the next call as unreferenced handles (the
 * enumeration's rest), each paid if its route is still there and wanted.
 */

/* Pays what is owed, up to cap: false when reap must be emptied first. */
static bool serve_rest_lf(struct rtm_rib *rib, struct rtm_table_enum *t, const struct rtm_route_filter *f,
			  PRTM_ROUTE_HANDLE out, UINT *got, UINT cap, struct rtm_reap_list *reap)
{
	while (*got < cap && t->i_rest < t->n_rest) {
		int e = rtm__route_enum_handle(rib, t->rest[t->i_rest], f, &out[*got], reap);
		if (e == RTM_ENOMORE)
			return false;
		t->i_rest++;
		*got += e == 0;
	}
	if (t->i_rest == t->n_rest)
		t->i_rest = t->n_rest = 0;
	return true;
}

DWORD WINAPI RtmGetEnumRoutes(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle,
			      PUINT NumRoutes, PRTM_ROUTE_HANDLE RouteHandles)
{
	struct rtm_reap_list reap = { 0 };
	UINT got = 0;
	DWORD rc;
again:;
	struct rtm_entity *caller;
	struct rtm_enum *en;
	struct rtm_rib *rib = enter_enum(RtmRegHandle, EnumHandle, RTM_ENUM_KIND_ROUTE, NumRoutes, RouteHandles, got,
					 &caller, &en, &rc, &reap);
	if (!rib)
		return rc;
	struct rtm_table_enum *t = &en->u.table;
	struct rtm_route_filter f = { t->views, (t->flags & RTM_ENUM_OWN_ROUTES) ? caller : NULL, t->match,
				      &t->criteria, t->ifindex };
	UINT cap = *NumRoutes;
	/* First what is owed from the destination where the last call stopped. */
	bool pause = !serve_rest_lf(rib, t, &f, RouteHandles, &got, cap, &reap);
	struct rtm_dest *d = !pause && got < cap && !t->n_rest ? resume_lf(rib, t, &reap) : NULL;
	struct rtm_dest *last = NULL;
	uint64_t last_freed = 0;
	unsigned examined = 0, gone = 0;
	while (d && got < cap) {
		uint64_t freed = dests_freed(rib);
		uint32_t n_out = 0, n_rest = 0;
		int e = rtm__route_enum_dest(rib, d, &f, RouteHandles + got, cap - got, t->rest, t->cap_rest,
					     &n_out, &n_rest, &reap);
		if (e == RTM_EBUFFER) {
			if (rest_reserve(t, n_rest)) {
				if (got == 0)
					rc = ERROR_NOT_ENOUGH_MEMORY;
				break; /* return what there is; this destination comes next time */
			}
			continue;
		}
		struct rtm_dest *next = NULL;
		bool taken;
		if (e == 0) {
			got += n_out;
			t->n_rest = n_rest;
			t->i_rest = 0;
			last = d;
			last_freed = freed;
			e = rtm__dest_enum_one(rib, d, NULL, NULL, &next, &taken, &reap);
		}
		if (e == RTM_ENOENT) {
			/* Freed under the walk, or not published yet (found in the
			 * trie a moment before): the writer must get on. */
			rtm__read_relax(gone++);
			d = reseek(rib, t, last, last_freed);
			continue;
		}
		if (e == RTM_ENOMORE) {
			pause = true;
			break;
		}
		d = next && in_range_lf(t, next) ? next : NULL;
		if (t->n_rest && !serve_rest_lf(rib, t, &f, RouteHandles, &got, cap, &reap)) {
			pause = true;
			break;
		}
		if (d && got < cap && ++examined == PAUSE_EVERY) {
			pause = true; /* as RtmGetEnumDests */
			break;
		}
	}
	if (last)
		remember_lf(rib, t, last, last_freed);
	if (finish(rib, en, &reap, pause, got, cap, !d && !t->n_rest, NumRoutes, &rc))
		goto again;
	return rc;
}

/* ---- next hops ----------------------------------------------------------------- */

DWORD WINAPI RtmCreateNextHopEnum(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_FLAGS EnumFlags,
				  PRTM_NET_ADDRESS NetAddress, PRTM_ENUM_HANDLE RtmEnumHandle)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_table_enum t;
	memset(&t, 0, sizeof(t));
	int err = 0;
	if (!RtmEnumHandle || EnumFlags == POSITION || (EnumFlags & ~(RTM_ENUM_FLAGS)POSITION) ||
	    set_position(rib, &t, EnumFlags, NetAddress)) {
		err = RTM_EINVAL;
	} else {
		/* The start as a next-hop address: family, normalised bits, length. */
		t.nh_from.AddressFamily = rib->family;
		t.nh_from.NumBits = t.len;
		memcpy(t.nh_from.AddrBits, t.key, rib->width / 8);
		t.flags = EnumFlags;
		err = create(rib, caller, RTM_ENUM_KIND_NEXTHOP, &t, RtmEnumHandle);
	}
	rtm__leave(rib);
	return rtm__win32(err);
}

/* Lock-free too: the caller's array of next hops is read at one moment per
 * part of the batch (rtm__nexthop_enum, table/nexthop.c). */
DWORD WINAPI RtmGetEnumNextHops(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle,
				PUINT NumNextHops, PRTM_NEXTHOP_HANDLE NextHopHandles)
{
	struct rtm_reap_list reap = { 0 };
	UINT got = 0;
	DWORD rc;
again:;
	struct rtm_entity *caller;
	struct rtm_enum *en;
	struct rtm_rib *rib = enter_enum(RtmRegHandle, EnumHandle, RTM_ENUM_KIND_NEXTHOP, NumNextHops, NextHopHandles, got,
					 &caller, &en, &rc, &reap);
	if (!rib)
		return rc;
	struct rtm_table_enum *t = &en->u.table;
	UINT cap = *NumNextHops;
	bool end = t->done, pause = false;
	while (!end && got < cap) {
		struct rtm_nexthop_cursor c = { t->nh_from, t->nh_ifindex, t->after, t->range, t->range_key,
						t->range_len };
		uint32_t n = 0;
		if (rtm__nexthop_enum(rib, caller, &c, NextHopHandles + got, cap - got, &n, &end, &reap)) {
			pause = true; /* RTM_ENOMORE */
			break;
		}
		got += n;
		t->nh_from = c.from;
		t->nh_ifindex = c.ifindex;
		t->after = c.after;
	}
	if (finish(rib, en, &reap, pause, got, cap, end, NumNextHops, &rc))
		goto again;
	return rc;
}

DWORD WINAPI RtmDeleteEnumHandle(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_enum *en = rtm__enum_of_caller(rib, caller, EnumHandle, 0);
	if (en)
		rtm__enum_delete(rib, en);
	rtm__leave(rib);
	return en ? NO_ERROR : ERROR_INVALID_HANDLE;
}
