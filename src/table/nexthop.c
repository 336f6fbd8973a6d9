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
 * Locking: none taken here.  The calls (api/nexthop.c) change a next hop
 * with rib->lock exclusive and its client stripe held, so an owner editing
 * the record in place under RtmLockNextHop races with nobody.
 *
 * Lock-free readers (RtmGetNextHopInfo, rtm__nexthop_info_query) copy the
 * record inside an epoch section and trust the copy if the next hop's
 * sequence count did not move: writers open it around every change of the
 * record, and a freed next hop goes through the RIB's limbo.  The owner's
 * own edits in place open no count: the API keeps readers off a next hop
 * while its owner holds it locked exclusively (api/nexthop.c).
 */
#include "nexthop.h"

#include "alloc.h"
#include "arena.h"
#include "dest.h"
#include "entity.h"
#include "error.h"
#include "lifetime.h"
#include "netaddr.h"

#include <string.h>

static void normalise(RTM_NET_ADDRESS *a)
{
	unsigned full = a->NumBits / 8, rest = a->NumBits % 8;
	if (rest)
		a->AddrBits[full++] &= (UCHAR)(0xFFu << (8 - rest));
	if (full < RTM_MAX_ADDRESS_SIZE)
		memset(a->AddrBits + full, 0, RTM_MAX_ADDRESS_SIZE - full);
}

/* The key (address, interface) of nh, copied by code the race detector
 * leaves alone: lock-free enumerations read next hops a writer may have
 * added after their count was read (which the count then catches). */
RTM_OPTIMISTIC static void key_read(const struct rtm_nexthop *nh, RTM_NET_ADDRESS *addr, ULONG *ifindex)
{
	const RTM_NET_ADDRESS *a = &nh->info.NextHopAddress;
	addr->AddressFamily = a->AddressFamily;
	addr->NumBits = a->NumBits;
	for (unsigned i = 0; i < RTM_MAX_ADDRESS_SIZE; i++)
		addr->AddrBits[i] = a->AddrBits[i];
	*ifindex = nh->info.InterfaceIndex;
}

static int key_cmp(const RTM_NET_ADDRESS *addr, ULONG ifindex, const struct rtm_nexthop *nh)
{
	RTM_NET_ADDRESS a;
	ULONG i;
	key_read(nh, &a, &i);
	int c = rtm__netaddr_cmp(addr, &a);
	if (c)
		return c;
	if (ifindex != i)
		return ifindex < i ? -1 : 1;
	return 0;
}

/* The index in arr[0, n) of the first next hop at or (after) past the key. */
RTM_OPTIMISTIC static uint32_t seek_in(struct rtm_nexthop *const *arr, uint32_t n, const RTM_NET_ADDRESS *addr,
				       ULONG ifindex, bool after)
{
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = key_cmp(addr, ifindex, arr[mid]);
		if (c > 0 || (after && c == 0))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static uint32_t seek(const struct rtm_entity *e, const RTM_NET_ADDRESS *addr, ULONG ifindex, bool after)
{
	return seek_in(e->nexthops, e->n_nexthops, addr, ifindex, after);
}

/* Index of the first next hop >= key; *found when it is equal. */
static uint32_t search(const struct rtm_entity *e, const RTM_NET_ADDRESS *addr, ULONG ifindex,
		       bool *found)
{
	uint32_t lo = seek(e, addr, ifindex, false);
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

/*
 * An entity's array is read by lock-free enumerations (rtm__nexthop_enum):
 * every change of the array, its length or its capacity is made inside the
 * entity's count (nh_seq), and an array replaced or dropped goes through the
 * RIB's limbo, so a reader that saw it may finish reading it.
 */
/* One entry of an array readers may be reading: a whole pointer, never a
 * torn one (memmove promises no such thing). */
static void slot_set(struct rtm_nexthop **arr, uint32_t i, struct rtm_nexthop *nh)
{
	__atomic_store_n(&arr[i], nh, __ATOMIC_RELAXED);
}

static void array_set(struct rtm_rib *rib, struct rtm_entity *e, struct rtm_nexthop **arr, uint32_t cap)
{
	struct rtm_nexthop **old = e->nexthops;
	rtm__seq_write_begin(&e->nh_seq);
	e->nexthops = arr;
	e->cap_nexthops = cap;
	rtm__seq_write_end(&e->nh_seq);
	rtm__limbo_retire(&rib->limbo, old, rtm__free_cb, NULL);
}

static void unlink_from_owner(struct rtm_entity *e, struct rtm_nexthop *nh)
{
	bool found;
	uint32_t i = search(e, &nh->info.NextHopAddress, nh->info.InterfaceIndex, &found);
	if (!found || e->nexthops[i] != nh)
		return;
	rtm__seq_write_begin(&e->nh_seq);
	for (uint32_t j = i; j + 1 < e->n_nexthops; j++)
		slot_set(e->nexthops, j, e->nexthops[j + 1]);
	e->n_nexthops--;
	rtm__seq_write_end(&e->nh_seq);
}

struct rtm_nexthop *rtm__nexthop_live(struct rtm_rib *rib, HANDLE h)
{
	struct rtm_nexthop *nh = rtm__nexthop_lookup(rib, h);
	return nh && !nh->obj.dead ? nh : NULL;
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
	/* Made dead before, references read after (lifetime.h). */
	rtm__full_fence();
	if (!nh->obj.dead || nh->route_refs || rtm__obj_refs(&nh->obj) ||
	    atomic_load_explicit(&nh->obj.reap_pending, memory_order_relaxed))
		return false;
	rtm__nexthop_free(rib, nh);
	return true;
}

void rtm__nexthop_free(struct rtm_rib *rib, struct rtm_nexthop *nh)
{
	/* Killed before the remote destination goes (as a route, route.c). */
	rtm__arena_kill(&rib->nexthop_arena, &nh->obj);
	if (nh->remote)
		rtm__obj_unpin_locked(rib, &nh->remote->obj);
	rib->stats.nexthops--;
	rtm__entity_unref(nh->owner);
	/* Lock-free readers may still be looking at it (svc/release.c, the
	 * info and enumeration reads below). */
	rtm__limbo_retire(&rib->limbo, nh, rtm__arena_free_cb, &rib->nexthop_arena);
}

/* Takes nh out of its owner's list and marks it deleted. */
void rtm__nexthop_delete(struct rtm_rib *rib, struct rtm_nexthop *nh)
{
	(void)rib;
	unlink_from_owner(nh->owner, nh);
	rtm__seq_write_begin(&nh->seq);
	nh->obj.dead = 1;
	nh->info.State = RTM_NEXTHOP_STATE_DELETED;
	rtm__seq_write_end(&nh->seq);
}

bool rtm__nexthops_remove_owned_if(struct rtm_rib *rib, struct rtm_entity *e,
				   bool (*may)(void *ctx, const struct rtm_nexthop *nh), void *ctx)
{
	bool skipped = false;
	/* From the end: a deletion moves only the entries after it. */
	for (uint32_t i = e->n_nexthops; i-- > 0;) {
		struct rtm_nexthop *nh = e->nexthops[i];
		if (may && !may(ctx, nh)) {
			skipped = true;
			continue;
		}
		rtm__nexthop_delete(rib, nh);
		rtm__nexthop_try_free(rib, nh);
	}
	if (!e->n_nexthops)
		array_set(rib, e, NULL, 0);
	return skipped;
}

void rtm__nexthops_remove_owned(struct rtm_rib *rib, struct rtm_entity *e)
{
	rtm__nexthops_remove_owned_if(rib, e, NULL, NULL);
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
			rtm__obj_unpin_locked(rib, &nh->remote->obj);
		nh->remote = d;
	}
	nh->info.RemoteNextHop = d ? rtm__rib_handle(rib, &d->obj) : NULL;
}

/* Copies the writable fields of a caller's record into nh. */
void rtm__nexthop_update(struct rtm_rib *rib, struct rtm_nexthop *nh, const RTM_NEXTHOP_INFO *info)
{
	rtm__seq_write_begin(&nh->seq);
	nh->info.Flags = info->Flags;
	nh->info.EntitySpecificInfo = info->EntitySpecificInfo;
	resolve_remote(rib, nh);
	rtm__seq_write_end(&nh->seq);
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
struct rtm_nexthop *rtm__nexthop_find(const struct rtm_entity *e, const RTM_NEXTHOP_INFO *info)
{
	RTM_NET_ADDRESS addr = info->NextHopAddress;
	normalise(&addr);
	return find_in(e, &addr, info->InterfaceIndex);
}

int rtm__nexthop_add(struct rtm_rib *rib, struct rtm_entity *caller, const RTM_NEXTHOP_INFO *info,
		     struct rtm_nexthop **out)
{
	RTM_NET_ADDRESS addr = info->NextHopAddress;
	normalise(&addr);
	bool found;
	uint32_t pos = search(caller, &addr, info->InterfaceIndex, &found);
	if (caller->n_nexthops == caller->cap_nexthops) {
		uint32_t cap = caller->cap_nexthops ? caller->cap_nexthops * 2 : 8;
		struct rtm_nexthop **arr = rtm__malloc(cap * sizeof(*arr));
		if (!arr)
			return RTM_ENOMEM;
		if (caller->n_nexthops)
			memcpy(arr, caller->nexthops, caller->n_nexthops * sizeof(*arr));
		array_set(rib, caller, arr, cap);
	}
	struct rtm_obj *o;
	if (rtm__arena_alloc(&rib->nexthop_arena, &o))
		return RTM_ENOMEM;
	struct rtm_nexthop *nh = (struct rtm_nexthop *)o;
	nh->owner = caller;
	/* The next hop may outlive its owner's registration (a client holds
	 * its handle): it keeps the owner's entity slot, and so its
	 * NextHopOwner handle, valid until it is freed. */
	rtm__entity_ref(caller);
	nh->info.NextHopAddress = addr;
	nh->info.InterfaceIndex = info->InterfaceIndex;
	nh->info.NextHopOwner = rtm__entity_handle(caller);
	nh->info.State = RTM_NEXTHOP_STATE_CREATED;
	rtm__nexthop_update(rib, nh, info);
	rtm__arena_publish(&rib->nexthop_arena, &nh->obj);
	rtm__seq_write_begin(&caller->nh_seq);
	for (uint32_t j = caller->n_nexthops; j > pos; j--)
		slot_set(caller->nexthops, j, caller->nexthops[j - 1]);
	slot_set(caller->nexthops, pos, nh);
	caller->n_nexthops++;
	rtm__seq_write_end(&caller->nh_seq);
	rib->stats.nexthops++;
	*out = nh;
	return 0;
}

/* ---- lock-free RtmGetNextHopInfo ----------------------------------------------- */

enum { NH_AGAIN = 1 };

/* One optimistic copy of nh's record, its owner and its remote destination. */
RTM_OPTIMISTIC static int info_read(const struct rtm_nexthop *nh, uint32_t *seq, RTM_NEXTHOP_INFO *out,
				    struct rtm_entity **owner, struct rtm_dest **remote)
{
	*seq = rtm__seq_read(&nh->seq);
	if (*seq & 1u)
		return NH_AGAIN;
	const RTM_NEXTHOP_INFO *in = &nh->info;
	out->NextHopAddress.AddressFamily = in->NextHopAddress.AddressFamily;
	out->NextHopAddress.NumBits = in->NextHopAddress.NumBits;
	for (unsigned i = 0; i < RTM_MAX_ADDRESS_SIZE; i++)
		out->NextHopAddress.AddrBits[i] = in->NextHopAddress.AddrBits[i];
	out->NextHopOwner = in->NextHopOwner;
	out->InterfaceIndex = in->InterfaceIndex;
	out->State = in->State;
	out->Flags = in->Flags;
	out->EntitySpecificInfo = in->EntitySpecificInfo;
	out->RemoteNextHop = in->RemoteNextHop;
	*owner = nh->owner;
	*remote = nh->remote;
	return 0;
}

int rtm__nexthop_info_query(struct rtm_rib *rib, HANDLE h, PRTM_NEXTHOP_INFO info, struct rtm_reap_list *reap)
{
	for (unsigned tries = 0;; tries++) {
		rtm__read_relax(tries);
		struct rtm_nexthop *nh = (struct rtm_nexthop *)rtm__rib_lookup_optimistic(rib, h, RTM_HT_NEXTHOP);
		if (!nh)
			return RTM_EHANDLE;
		if (!info)
			return RTM_EINVAL;
		uint32_t seq;
		RTM_NEXTHOP_INFO copy;
		struct rtm_entity *owner;
		struct rtm_dest *remote;
		if (info_read(nh, &seq, &copy, &owner, &remote) || rtm__seq_changed(&nh->seq, seq))
			continue;
		if (RTM_REAP_LIST_MAX - reap->n < 1)
			return RTM_ENOMORE; /* nothing taken */
		/*
		 * The handles in the copy are references (RtmReleaseNextHopInfo
		 * drops them).  While the next hop is not freed it keeps its
		 * owner's entity slot and pins its remote destination: taken,
		 * then the next hop looked up again and its count checked.
		 */
		rtm__entity_ref_client_local(owner);
		if (remote)
			atomic_fetch_add_explicit(&remote->obj.crefs, 1, memory_order_seq_cst);
		if (rtm__seq_changed(&nh->seq, seq) ||
		    rtm__rib_lookup_optimistic(rib, h, RTM_HT_NEXTHOP) != &nh->obj) {
			if (remote)
				rtm__reap_give_back(rib, &remote->obj, RTM_HT_DEST, reap);
			rtm__entity_unref_client_local(owner);
			continue;
		}
		*info = copy;
		return 0;
	}
}

/* ---- lock-free next-hop enumeration ------------------------------------------- */

static bool covered(const struct rtm_nexthop_cursor *c, const RTM_NET_ADDRESS *a, unsigned len)
{
	return !c->range || rtm__trie_covers(c->range_key, c->range_len, a->AddrBits, len);
}

/* One pass over e's array from the cursor: up to max next hops the range
 * covers in cand[] (*n), and whether nothing is left after them. */
RTM_OPTIMISTIC static int enum_read(const struct rtm_entity *e, const struct rtm_nexthop_cursor *c,
				    struct rtm_nexthop **cand, uint32_t max, uint32_t *n, bool *end,
				    uint32_t *seq)
{
	*seq = rtm__seq_read(&e->nh_seq);
	if (*seq & 1u)
		return NH_AGAIN;
	struct rtm_nexthop *const *arr = e->nexthops;
	uint32_t cnt = e->n_nexthops, cap = e->cap_nexthops;
	/* The three are one moment's: then arr holds cnt next hops, and stays
	 * allocated for this section even if it is replaced. */
	if (rtm__seq_changed(&e->nh_seq, *seq) || cnt > cap || (cnt && !arr))
		return NH_AGAIN;
	uint32_t i = seek_in(arr, cnt, &c->from, c->ifindex, c->after), k = 0;
	*end = false;
	RTM_NET_ADDRESS a;
	ULONG ifx;
	for (; i < cnt; i++) {
		key_read(arr[i], &a, &ifx);
		if (!covered(c, &a, a.NumBits)) {
			/* Covered addresses are one run; past it, nothing more. */
			if (!covered(c, &a, c->range_len))
				break;
			continue;
		}
		if (k == max)
			break;
		cand[k++] = arr[i];
	}
	*end = i >= cnt || !covered(c, &a, c->range_len);
	*n = k;
	return 0;
}

int rtm__nexthop_enum(struct rtm_rib *rib, const struct rtm_entity *e, struct rtm_nexthop_cursor *c,
		      HANDLE *out, uint32_t max, uint32_t *n, bool *end, struct rtm_reap_list *reap)
{
	uint32_t room = RTM_REAP_LIST_MAX - reap->n;
	if (max > room)
		max = room;
	if (!max)
		return RTM_ENOMORE;
	/* Pointers first in out[] (a HANDLE holds one), handles once the count
	 * vouches for them. */
	struct rtm_nexthop **cand = (struct rtm_nexthop **)(void *)out;
	for (unsigned tries = 0;; tries++) {
		rtm__read_relax(tries);
		uint32_t seq, k;
		if (enum_read(e, c, cand, max, &k, end, &seq) || rtm__seq_changed(&e->nh_seq, seq))
			continue;
		/* A next hop in the array is not freed: referenced, then checked. */
		for (uint32_t i = 0; i < k; i++)
			atomic_fetch_add_explicit(&cand[i]->obj.crefs, 1, memory_order_seq_cst);
		if (rtm__seq_changed(&e->nh_seq, seq)) {
			for (uint32_t i = 0; i < k; i++)
				rtm__reap_give_back(rib, &cand[i]->obj, RTM_HT_NEXTHOP, reap);
			continue;
		}
		if (k) {
			c->from = cand[k - 1]->info.NextHopAddress;
			c->ifindex = cand[k - 1]->info.InterfaceIndex;
			c->after = true;
		}
		for (uint32_t i = 0; i < k; i++)
			out[i] = rtm__rib_handle(rib, &cand[i]->obj);
		*n = k;
		return 0;
	}
}

int rtm__nexthop_find_query(struct rtm_rib *rib, const struct rtm_entity *e, const RTM_NEXTHOP_INFO *info,
			    bool ref, struct rtm_nexthop **out, struct rtm_reap_list *reap)
{
	struct rtm_nexthop_cursor c = { .from = info->NextHopAddress, .ifindex = info->InterfaceIndex };
	normalise(&c.from);
	for (unsigned tries = 0;; tries++) {
		rtm__read_relax(tries);
		struct rtm_nexthop *nh;
		uint32_t seq, k;
		bool end;
		if (enum_read(e, &c, &nh, 1, &k, &end, &seq) || rtm__seq_changed(&e->nh_seq, seq))
			continue;
		if (k == 0 || key_cmp(&c.from, c.ifindex, nh) != 0)
			return RTM_ENOENT;
		if (ref) {
			if (RTM_REAP_LIST_MAX - reap->n < 1)
				return RTM_ENOMORE;
			atomic_fetch_add_explicit(&nh->obj.crefs, 1, memory_order_seq_cst);
			if (rtm__seq_changed(&e->nh_seq, seq)) {
				rtm__reap_give_back(rib, &nh->obj, RTM_HT_NEXTHOP, reap);
				continue;
			}
		}
		*out = nh;
		return 0;
	}
}
