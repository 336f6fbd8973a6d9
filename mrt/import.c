/*
 * import.c — rtm_mrt_load and rtm_mrt_route_attrs (<rtmv2/mrt.h>): MRT RIB
 * records into RTM through the public API.
 *
 * Attribute blocks are interned in a process-wide table (a mutex; an
 * open-addressing set of pointers to blocks, keyed by their bytes): a route
 * carries the pointer as its EntitySpecificInfo, and rtm_mrt_route_attrs
 * recognises it by looking the pointer up in a second set, so a foreign
 * EntitySpecificInfo is never read.  Blocks stay for the life of the
 * process: routes are deleted by paths the importer never hears of.
 *
 * Next hops (peers as Neighbours, and the routes' next hops) are added once
 * per (entity, address) in a load and released at its end: they stay the
 * entity's, as its routes name them.
 */
#include <rtmv2/mrt.h>

#include "mrt.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* ---- interned attribute blocks ---------------------------------------------------------- */

struct block {
	size_t len;
	uint64_t hash;
	uint8_t bytes[];        /* TABLE_DUMP_V2's form (mrt_attrs_for_rib) */
};

static pthread_mutex_t intern_mu = PTHREAD_MUTEX_INITIALIZER;
static struct block **by_bytes; /* open addressing by the bytes' hash, NULL empty */
static struct block **by_ptr;   /* the same blocks by their address' hash */
static size_t cap_blocks, n_blocks; /* the two tables' capacity (equal) */

static uint64_t hash_of(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603ull ^ n;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ull;
	return h ^ (h >> 31);
}

static size_t ptr_hash(const void *p)
{
	uint64_t v = (uint64_t)(uintptr_t)p;
	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdull;
	return (size_t)(v ^ (v >> 33));
}

static void place(struct block **t, size_t cap, size_t h, struct block *b)
{
	size_t j = h & (cap - 1);
	while (t[j])
		j = (j + 1) & (cap - 1);
	t[j] = b;
}

static int intern_grow(void)
{
	size_t cap = cap_blocks ? 2 * cap_blocks : 1024;
	struct block **fb = calloc(cap, sizeof(*fb)), **fp = calloc(cap, sizeof(*fp));
	if (!fb || !fp) {
		free(fb);
		free(fp);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cap_blocks; i++) {
		struct block *b = by_bytes[i];
		if (b) {
			place(fb, cap, (size_t)b->hash, b);
			place(fp, cap, ptr_hash(b), b);
		}
	}
	free(by_bytes);
	free(by_ptr);
	by_bytes = fb;
	by_ptr = fp;
	cap_blocks = cap;
	return 0;
}

/* The interned copy of p[0..n), or NULL without memory. */
static struct block *intern(const uint8_t *p, size_t n)
{
	uint64_t h = hash_of(p, n);
	pthread_mutex_lock(&intern_mu);
	if ((n_blocks + 1) * 2 > cap_blocks && intern_grow()) {
		pthread_mutex_unlock(&intern_mu);
		return NULL;
	}
	size_t j = h & (cap_blocks - 1);
	for (; by_bytes[j]; j = (j + 1) & (cap_blocks - 1)) {
		struct block *b = by_bytes[j];
		if (b->hash == h && b->len == n && !memcmp(b->bytes, p, n)) {
			pthread_mutex_unlock(&intern_mu);
			return b;
		}
	}
	struct block *b = malloc(sizeof(*b) + n);
	if (b) {
		b->len = n;
		b->hash = h;
		memcpy(b->bytes, p, n);
		by_bytes[j] = b;
		place(by_ptr, cap_blocks, ptr_hash(b), b);
		n_blocks++;
	}
	pthread_mutex_unlock(&intern_mu);
	return b;
}

/* Is p one of the interned blocks?  Its address is looked up, never read. */
static bool interned(const void *p)
{
	bool yes = false;
	pthread_mutex_lock(&intern_mu);
	if (cap_blocks)
		for (size_t j = ptr_hash(p) & (cap_blocks - 1); by_ptr[j] && !yes; j = (j + 1) & (cap_blocks - 1))
			yes = by_ptr[j] == p;
	pthread_mutex_unlock(&intern_mu);
	return yes;
}

const uint8_t *mrt_route_block(const RTM_ROUTE_INFO *route, size_t *len)
{
	if (!route || !route->EntitySpecificInfo || !interned(route->EntitySpecificInfo))
		return NULL;
	const struct block *b = route->EntitySpecificInfo;
	if (len)
		*len = b->len;
	return b->bytes;
}

const uint8_t *rtm_mrt_route_attrs(const RTM_ROUTE_INFO *route, size_t *len)
{
	return mrt_route_block(route, len);
}

/* ---- peers met by imports --------------------------------------------------------------- */

/* What a peer table said of a Neighbour of an entity: its AS and BGP
 * identifier, for the export's peer table.  Process-wide, under intern_mu. */
struct peer_note {
	RTM_ENTITY_HANDLE reg;
	uint8_t family;
	uint8_t addr[16];
	uint32_t as, bgp_id;
	bool used;
};

static struct peer_note *notes;
static size_t notes_cap, notes_n;

static size_t note_home(RTM_ENTITY_HANDLE reg, uint8_t family, const uint8_t *addr)
{
	return (size_t)(hash_of(addr, 16) ^ ((uint64_t)(uintptr_t)reg * 31 + family));
}

static struct peer_note *note_slot(RTM_ENTITY_HANDLE reg, uint8_t family, const uint8_t *addr)
{
	for (size_t j = note_home(reg, family, addr) & (notes_cap - 1);; j = (j + 1) & (notes_cap - 1)) {
		struct peer_note *n = &notes[j];
		if (!n->used || (n->reg == reg && n->family == family && !memcmp(n->addr, addr, 16)))
			return n;
	}
}

static void peer_note(RTM_ENTITY_HANDLE reg, uint8_t family, const uint8_t *addr, uint32_t as, uint32_t bgp_id)
{
	pthread_mutex_lock(&intern_mu);
	if ((notes_n + 1) * 2 > notes_cap) {
		size_t cap = notes_cap ? 2 * notes_cap : 64;
		struct peer_note *fresh = calloc(cap, sizeof(*fresh)), *old = notes;
		size_t old_cap = notes_cap;
		if (!fresh) {
			pthread_mutex_unlock(&intern_mu);
			return; /* the export then says AS 0 */
		}
		notes = fresh;
		notes_cap = cap;
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].used)
				*note_slot(old[i].reg, old[i].family, old[i].addr) = old[i];
		free(old);
	}
	struct peer_note *n = note_slot(reg, family, addr);
	if (!n->used)
		notes_n++;
	n->used = true;
	n->reg = reg;
	n->family = family;
	memcpy(n->addr, addr, 16);
	n->as = as;
	n->bgp_id = bgp_id;
	pthread_mutex_unlock(&intern_mu);
}

bool mrt_peer_known(RTM_ENTITY_HANDLE reg, uint8_t family, const uint8_t *addr, uint32_t *as, uint32_t *bgp_id)
{
	bool found = false;
	pthread_mutex_lock(&intern_mu);
	if (notes_cap) {
		const struct peer_note *n = note_slot(reg, family, addr);
		if (n->used) {
			*as = n->as;
			*bgp_id = n->bgp_id;
			found = true;
		}
	}
	pthread_mutex_unlock(&intern_mu);
	return found;
}

/* ---- next hops of a load ------------------------------------------------------------------ */

struct nh_key {
	RTM_ENTITY_HANDLE reg;
	uint32_t ifindex;       /* an ADD-PATH path identifier for a Neighbour; else 0 */
	uint8_t family;
	uint8_t addr[16];
};

static bool nh_key_is(const struct nh_key *a, const struct nh_key *b)
{
	return a->reg == b->reg && a->ifindex == b->ifindex && a->family == b->family && !memcmp(a->addr, b->addr, 16);
}

struct nh_slot {
	struct nh_key key;
	RTM_NEXTHOP_HANDLE h; /* NULL: empty */
};

struct load {
	RTM_ENTITY_HANDLE reg[2];   /* IPv4, IPv6 */
	bool as4;                   /* the record's attributes have 4-byte AS numbers */
	uint8_t *wide;              /* MRT_RIB_ATTRS_MAX(65535) bytes: attributes made TABLE_DUMP_V2's */
	const rtm_mrt_options *opt;
	rtm_mrt_stats *st;
	struct nh_slot *nh;
	size_t nh_cap, nh_n;
	struct mrt_peer_table peers;
	union {
		RTM_ROUTE_INFO info;
		char room[RTM_SIZE_OF_ROUTE_INFO(1)];
	} route;
	union {
		RTM_ROUTE_INFO info;
		char room[RTM_SIZE_OF_ROUTE_INFO(64)];
	} found;                    /* the replay's exact-match answers */
	DWORD fatal;                /* a handle RTM refused: the load stops */
};

static size_t nh_hash(const struct nh_key *k)
{
	return (size_t)(hash_of(k->addr, 16) ^ ((uint64_t)(uintptr_t)k->reg * 31 + k->family) ^
			((uint64_t)k->ifindex << 20));
}

static int nh_grow(struct load *l)
{
	size_t cap = l->nh_cap ? 2 * l->nh_cap : 256;
	struct nh_slot *fresh = calloc(cap, sizeof(*fresh));
	if (!fresh)
		return -ENOMEM;
	for (size_t i = 0; i < l->nh_cap; i++) {
		if (!l->nh[i].h)
			continue;
		size_t j = nh_hash(&l->nh[i].key) & (cap - 1);
		while (fresh[j].h)
			j = (j + 1) & (cap - 1);
		fresh[j] = l->nh[i];
	}
	free(l->nh);
	l->nh = fresh;
	l->nh_cap = cap;
	return 0;
}

DWORD mrt_check_registration(RTM_ENTITY_HANDLE reg, uint8_t family)
{
	if (!reg)
		return NO_ERROR;
	RTM_ENTITY_INFO ei;
	DWORD rc = RtmGetEntityInfo(reg, reg, &ei);
	if (rc != NO_ERROR)
		return rc == ERROR_NOT_ENOUGH_MEMORY ? rc : ERROR_INVALID_HANDLE;
	RtmReleaseEntityInfo(reg, &ei);
	return ei.AddressFamily == family ? NO_ERROR : ERROR_INVALID_PARAMETER;
}

/* The next hop of reg at (family, addr, ifindex), added the first time
 * (*added says so); NULL if RTM refused. */
static RTM_NEXTHOP_HANDLE nexthop_if(struct load *l, RTM_ENTITY_HANDLE reg, uint8_t family, const uint8_t *addr,
				     uint32_t ifindex, bool *added)
{
	*added = false;
	struct nh_key k;
	memset(&k, 0, sizeof(k));
	k.reg = reg;
	k.ifindex = ifindex;
	k.family = family;
	memcpy(k.addr, addr, family == AF_INET ? 4 : 16);
	if ((l->nh_n + 1) * 2 > l->nh_cap && nh_grow(l))
		return NULL;
	size_t j = nh_hash(&k) & (l->nh_cap - 1);
	for (; l->nh[j].h; j = (j + 1) & (l->nh_cap - 1))
		if (nh_key_is(&l->nh[j].key, &k))
			return l->nh[j].h;
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.InterfaceIndex = ifindex;
	ni.NextHopAddress.AddressFamily = family;
	ni.NextHopAddress.NumBits = family == AF_INET ? 32 : 128;
	memcpy(ni.NextHopAddress.AddrBits, k.addr, 16);
	RTM_NEXTHOP_HANDLE h = NULL;
	DWORD flags = 0;
	DWORD rc = RtmAddNextHop(reg, &ni, &h, &flags);
	if (rc != NO_ERROR || !h) {
		if (rc == ERROR_INVALID_HANDLE)
			l->fatal = rc;
		return NULL;
	}
	l->nh[j].key = k;
	l->nh[j].h = h;
	l->nh_n++;
	*added = true;
	return h;
}

static RTM_NEXTHOP_HANDLE nexthop(struct load *l, RTM_ENTITY_HANDLE reg, uint8_t family, const uint8_t *addr,
				  bool *added)
{
	return nexthop_if(l, reg, family, addr, 0, added);
}

/* An address of family for an entity of want: as it is, or an IPv4 one as
 * IPv4-mapped IPv6; false if it cannot be (IPv6 for IPv4). */
static bool as_family(uint8_t family, const uint8_t *addr, uint8_t want, uint8_t *out)
{
	memset(out, 0, 16);
	if (family == want) {
		memcpy(out, addr, family == AF_INET ? 4 : 16);
		return true;
	}
	if (family == AF_INET && want == AF_INET6) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, addr, 4);
		return true;
	}
	/* IPv6 to IPv4: the unspecified address (a writer's peer 0 for routes
	 * of no BGP peer, as BIRD's) and IPv4-mapped ones. */
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff }, zero[16];
	if (family == AF_INET6 && want == AF_INET && (!memcmp(addr, zero, 16) || !memcmp(addr, mapped, 12))) {
		memcpy(out, addr + 12, 4);
		return true;
	}
	return false;
}

static void set_error(rtm_mrt_stats *st, const struct mrt_error *err)
{
	st->last_error_offset = err->offset;
	snprintf(st->last_error, sizeof(st->last_error), "%s", err->what);
}

/* The peer's route to dest (Neighbour nb), added or replaced: next hop nh,
 * the load's Preference, the AS-path length as Metric (or 0), views, the
 * interned attributes b. */
static void add_route(struct load *l, RTM_ENTITY_HANDLE reg, RTM_NET_ADDRESS *dest, RTM_NEXTHOP_HANDLE nb,
		      RTM_NEXTHOP_HANDLE nh, uint32_t path_len, RTM_VIEW_SET views, struct block *b)
{
	RTM_ROUTE_INFO *r = &l->route.info;
	memset(r, 0, sizeof(l->route));
	r->Neighbour = nb;
	r->PrefInfo.Preference = l->opt && l->opt->preference ? l->opt->preference : RTM_MRT_DEFAULT_PREFERENCE;
	r->PrefInfo.Metric = l->opt && (l->opt->flags & RTM_MRT_METRIC_ZERO) ? 0 : path_len;
	r->BelongsToViews = views;
	r->EntitySpecificInfo = b;
	r->NextHopsList.NumNextHops = 1;
	r->NextHopsList.NextHops[0] = nh;
	DWORD flags = 0;
	DWORD rc = RtmAddRouteToDest(reg, NULL, dest, r, INFINITE, NULL, 0, NULL, &flags);
	if (rc == NO_ERROR) {
		l->st->routes++;
		if (l->opt && l->opt->route_added)
			l->opt->route_added(l->opt->context, reg, dest, nb);
	} else {
		l->st->refused++;
		if (rc == ERROR_INVALID_HANDLE)
			l->fatal = rc;
	}
}

/* The routes of one decoded RIB record. */
static void put_rib(struct load *l, const struct mrt_rib *rib, const struct mrt_peer *peers, bool multicast)
{
	unsigned f = rib->family == AF_INET6;
	RTM_ENTITY_HANDLE reg = l->reg[f];
	if (!reg) {
		l->st->refused += rib->n;
		return;
	}
	RTM_NET_ADDRESS dest;
	memset(&dest, 0, sizeof(dest));
	dest.AddressFamily = rib->family;
	dest.NumBits = rib->len;
	memcpy(dest.AddrBits, rib->prefix, 16);
	for (unsigned i = 0; i < rib->n && !l->fatal; i++) {
		const struct mrt_entry *e = &rib->entry[i];
		const struct mrt_peer *p = &peers[e->peer];
		uint8_t a[16];
		RTM_NEXTHOP_HANDLE nb = NULL, nh = NULL;
		bool added;
		if (!as_family(p->family, p->addr, rib->family, a)) {
			/* An IPv6 peer of an IPv4 prefix (other than :: and
			 * ::ffff:a.b.c.d): RTM would have no Neighbour to tell it
			 * from the other such peers. */
			l->st->refused++;
			continue;
		}
		/* An ADD-PATH path is a route of its own: its Neighbour carries the
		 * path identifier as its interface index. */
		nb = nexthop_if(l, reg, rib->family, a, e->path_id, &added);
		if (e->attrs.has_nexthop && as_family(e->attrs.nh_family, e->attrs.nexthop, rib->family, a))
			nh = nexthop(l, reg, rib->family, a, &added);
		if (!nh)
			nh = nb;
		const uint8_t *attrs = e->attrs.raw;
		size_t n = e->attrs.len;
		if (!l->as4) {
			n = mrt_attrs_for_rib(attrs, n, false, l->wide);
			attrs = l->wide;
		}
		struct block *b = n == SIZE_MAX ? NULL : intern(attrs, n);
		if (!nh || !b) {
			l->st->refused++;
			continue;
		}
		add_route(l, reg, &dest, nb, nh, e->attrs.path_len, multicast ? RTM_VIEW_MASK_MCAST : RTM_VIEW_MASK_UCAST,
			  b);
	}
}

/* What the peer table says of its peers, for an export's: noted for each
 * family's entity under the address RTM will have for the Neighbour. */
static void note_peers(struct load *l, const struct mrt_peer *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		for (unsigned f = 0; f < 2; f++) {
			uint8_t a[16];
			uint8_t fam = f ? AF_INET6 : AF_INET;
			if (l->reg[f] && as_family(p[i].family, p[i].addr, fam, a))
				peer_note(l->reg[f], fam, a, p[i].as, p[i].bgp_id);
		}
}

static bool multicast_subtype(unsigned st)
{
	return st == MRT_TDV2_RIB_IPV4_MULTICAST || st == MRT_TDV2_RIB_IPV6_MULTICAST ||
	       st == MRT_TDV2_RIB_IPV4_MULTICAST_ADDPATH || st == MRT_TDV2_RIB_IPV6_MULTICAST_ADDPATH;
}

/* The start of a load or a replay: the arguments checked, the stream opened. */
static DWORD load_open(struct load *l, const char *path, RTM_ENTITY_HANDLE reg4, RTM_ENTITY_HANDLE reg6,
		       const rtm_mrt_options *options, unsigned flags, rtm_mrt_stats *st, struct mrt_in **in)
{
	memset(st, 0, sizeof(*st));
	memset(l, 0, sizeof(*l));
	if (!path || (!reg4 && !reg6) || (options && (options->flags & ~flags)))
		return ERROR_INVALID_PARAMETER;
	for (unsigned f = 0; f < 2; f++) {
		DWORD rc = mrt_check_registration(f ? reg6 : reg4, f ? AF_INET6 : AF_INET);
		if (rc != NO_ERROR)
			return rc;
	}
	l->reg[0] = reg4;
	l->reg[1] = reg6;
	l->opt = options;
	l->st = st;
	if (!(l->wide = malloc(MRT_RIB_ATTRS_MAX(65535))))
		return ERROR_NOT_ENOUGH_MEMORY;
	int err = mrt_in_open(in, path);
	if (err) {
		free(l->wide);
		return err == -ENOENT || err == -ENOTDIR   ? ERROR_FILE_NOT_FOUND
		       : err == -EACCES || err == -EPERM ? ERROR_ACCESS_DENIED
		       : err == -ENOMEM			 ? ERROR_NOT_ENOUGH_MEMORY
							 : ERROR_GEN_FAILURE;
	}
	return NO_ERROR;
}

/* The end: the answer (r: the last mrt_in_next's, e its error), the load's
 * next-hop references released (the next hops stay the entities'). */
static DWORD load_close(struct load *l, struct mrt_in *in, int r, const struct mrt_error *e)
{
	DWORD rc = NO_ERROR;
	if (l->fatal) {
		rc = l->fatal;
	} else if (r < 0) {
		set_error(l->st, e);
		rc = strstr(e->what, "out of memory") ? ERROR_NOT_ENOUGH_MEMORY : ERROR_INVALID_DATA;
	}
	for (size_t i = 0; i < l->nh_cap; i++)
		if (l->nh[i].h)
			RtmReleaseNextHops(l->nh[i].key.reg, 1, &l->nh[i].h);
	free(l->nh);
	free(l->wide);
	mrt_in_close(in);
	return rc;
}

DWORD rtm_mrt_load(const char *path, RTM_ENTITY_HANDLE reg4, RTM_ENTITY_HANDLE reg6,
		   const rtm_mrt_options *options, rtm_mrt_stats *stats)
{
	rtm_mrt_stats local;
	struct load l;
	struct mrt_in *in;
	DWORD rc = load_open(&l, path, reg4, reg6, options, RTM_MRT_METRIC_ZERO, stats ? stats : &local, &in);
	if (rc != NO_ERROR)
		return rc;
	rtm_mrt_stats *st = l.st;
	struct mrt_rib rib;
	memset(&rib, 0, sizeof(rib));
	struct mrt_record rec;
	struct mrt_error e;
	int r = 0;
	while (!l.fatal && (r = mrt_in_next(in, &rec, &e)) == 1) {
		st->records++;
		if (rec.type == MRT_TABLE_DUMP_V2 && rec.subtype == MRT_TDV2_PEER_INDEX_TABLE) {
			if (mrt_decode_peer_index(&rec, &l.peers, &e) == 0) {
				st->peers += l.peers.n;
				note_peers(&l, l.peers.peer, l.peers.n);
			} else {
				st->skipped++, set_error(st, &e);
			}
		} else if (mrt_is_tdv2_rib(&rec) && multicast_subtype(rec.subtype)) {
			/* RTM keeps one route per peer and prefix (its Neighbour):
			 * a multicast one would replace the unicast one. */
			st->ignored++;
		} else if (mrt_is_tdv2_rib(&rec)) {
			l.as4 = true;
			if (mrt_decode_rib(&rec, &l.peers, &rib, &e) == 0)
				put_rib(&l, &rib, l.peers.peer, multicast_subtype(rec.subtype));
			else
				st->skipped++, set_error(st, &e);
		} else if (rec.type == MRT_TABLE_DUMP) {
			struct mrt_peer peer;
			l.as4 = false;
			if (mrt_decode_table_dump(&rec, &rib, &peer, &e) == 0) {
				st->peers++;
				note_peers(&l, &peer, 1);
				put_rib(&l, &rib, &peer, false);
			} else {
				st->skipped++, set_error(st, &e);
			}
		} else {
			st->ignored++;
		}
	}
	mrt_rib_free(&rib);
	mrt_peer_table_free(&l.peers);
	return load_close(&l, in, r, &e);
}

/* ---- replay: BGP4MP update streams ------------------------------------------------------ */

/* The route of (reg, prefix) learned from Neighbour nb leaves RTM; true if
 * there was one. */
static bool withdraw(struct load *l, RTM_ENTITY_HANDLE reg, RTM_NET_ADDRESS *dest, RTM_NEXTHOP_HANDLE nb)
{
	/* The criteria go in, the route's information comes out. */
	RTM_ROUTE_INFO *crit = &l->found.info;
	memset(crit, 0, sizeof(l->found));
	crit->RouteOwner = reg;
	crit->Neighbour = nb;
	RTM_ROUTE_HANDLE h = NULL;
	if (RtmGetExactMatchRoute(reg, dest, RTM_MATCH_OWNER | RTM_MATCH_NEIGHBOUR, &l->found.info, 0,
				  RTM_VIEW_MASK_ANY, &h) != NO_ERROR)
		return false;
	RtmReleaseRouteInfo(reg, &l->found.info);
	DWORD flags = 0;
	return RtmDeleteRouteToDest(reg, h, &flags) == NO_ERROR; /* (consumes h) */
}

/* One UPDATE: its withdrawals, then its announcements, as the peer's routes. */
static void replay_update(struct load *l, const struct mrt_update *u, struct block *b)
{
	for (unsigned k = 0; k < 2 && !l->fatal; k++) {
		const struct mrt_prefixes *list = k ? &u->announced : &u->withdrawn;
		for (unsigned i = 0; i < list->n && !l->fatal; i++) {
			const struct mrt_prefix *x = &list->p[i];
			unsigned f = x->family == AF_INET6;
			RTM_ENTITY_HANDLE reg = l->reg[f];
			uint8_t a[16];
			bool added;
			RTM_NEXTHOP_HANDLE nb = NULL, nh = NULL;
			if (reg && as_family(u->peer.family, u->peer.addr, x->family, a)) {
				nb = nexthop_if(l, reg, x->family, a, x->path_id, &added);
				if (added) /* the peer's AS, for an export's peer table */
					peer_note(reg, x->family, a, u->peer.as, 0);
			}
			if (!nb) {
				l->st->refused++;
				continue;
			}
			RTM_NET_ADDRESS dest;
			memset(&dest, 0, sizeof(dest));
			dest.AddressFamily = x->family;
			dest.NumBits = x->len;
			memcpy(dest.AddrBits, x->addr, 16);
			if (!k) {
				if (withdraw(l, reg, &dest, nb))
					l->st->withdrawn++;
				continue;
			}
			if (u->attrs.has_nexthop && as_family(u->attrs.nh_family, u->attrs.nexthop, x->family, a))
				nh = nexthop(l, reg, x->family, a, &added);
			if (!nh)
				nh = nb;
			add_route(l, reg, &dest, nb, nh, u->attrs.path_len, RTM_VIEW_MASK_UCAST, b);
		}
	}
}

/* Waits until the stream's clock (first record's timestamp + elapsed) reaches ts. */
static void pace(uint32_t first_ts, const struct timespec *start, uint32_t ts)
{
	if (ts <= first_ts)
		return;
	struct timespec due = *start;
	due.tv_sec += (time_t)(ts - first_ts);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR)
		;
}

DWORD rtm_mrt_replay(const char *path, RTM_ENTITY_HANDLE reg4, RTM_ENTITY_HANDLE reg6,
		     const rtm_mrt_options *options, rtm_mrt_stats *stats)
{
	rtm_mrt_stats local;
	struct load l;
	struct mrt_in *in;
	DWORD rc = load_open(&l, path, reg4, reg6, options, RTM_MRT_METRIC_ZERO | RTM_MRT_REALTIME,
			     stats ? stats : &local, &in);
	if (rc != NO_ERROR)
		return rc;
	rtm_mrt_stats *st = l.st;
	struct mrt_update u;
	memset(&u, 0, sizeof(u));
	struct mrt_record rec;
	struct mrt_error e;
	int r = 0;
	bool realtime = options && (options->flags & RTM_MRT_REALTIME), first = true;
	uint32_t first_ts = 0;
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!l.fatal && (r = mrt_in_next(in, &rec, &e)) == 1) {
		st->records++;
		if (!mrt_is_bgp4mp(&rec)) {
			st->ignored++;
			continue;
		}
		if (realtime) {
			if (first)
				first_ts = rec.timestamp;
			pace(first_ts, &start, rec.timestamp);
		}
		first = false;
		if (mrt_decode_bgp4mp(&rec, &u, &e)) {
			st->skipped++;
			set_error(st, &e);
			continue;
		}
		if (u.state_change) {
			st->state_changes++;
			continue;
		}
		if (!u.is_update)
			continue;
		struct block *b = NULL;
		if (u.announced.n) {
			size_t n = mrt_attrs_for_rib(u.attrs.raw, u.attrs.len, u.as4, l.wide);
			if (n == SIZE_MAX || !(b = intern(l.wide, n))) {
				st->refused += u.announced.n;
				u.announced.n = 0;
			}
		}
		replay_update(&l, &u, b);
	}
	mrt_update_free(&u);
	return load_close(&l, in, r, &e);
}
