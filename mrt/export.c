/*
 * export.c — rtm_mrt_dump (<rtmv2/mrt.h>): RTM's table as TABLE_DUMP_V2,
 * through the public API.
 *
 * Each family's routes are enumerated (RtmCreateRouteEnum over the whole
 * table, or, for the best routes only, RtmCreateDestEnum), in the order of
 * their destinations, and the routes of one destination become one RIB
 * record.  A peer is an (owner, Neighbour address) pair: its address is the
 * Neighbour's (an IPv4-mapped IPv6 one as the IPv4 address it stands for,
 * so that an import's peers come back as they were), its AS and BGP
 * identifier what an import's peer table said of it (0 otherwise).  Since
 * the peer table comes first in the file and the peers are known only at
 * the end, the RIB records are written into memory and the file gets the
 * peer table, then them.  A route's attributes: the block an import gave it
 * (TABLE_DUMP_V2's form), or else a minimal one made from its first next
 * hop (ORIGIN IGP, an empty AS_PATH, NEXT_HOP or MP_REACH_NLRI).
 */
#include <rtmv2/mrt.h>

#include "mrt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* ---- peers ------------------------------------------------------------------------------- */

struct peer_slot {
	RTM_ENTITY_HANDLE owner;
	uint8_t family;         /* of the Neighbour's address; 0: no Neighbour */
	uint8_t addr[16];
	unsigned index;         /* in the peer table */
	bool used;
};

struct nh_addr {
	RTM_NEXTHOP_HANDLE h;   /* NULL: empty */
	uint8_t addr[16];
};

struct dump {
	RTM_ENTITY_HANDLE reg;
	uint8_t family;
	const rtm_mrt_options *opt;
	rtm_mrt_stats *st;
	struct mrt_peer_table peers;
	unsigned peer_cap;
	struct peer_slot *slot;
	size_t slot_cap;
	struct nh_addr *nha;    /* next-hop addresses by handle */
	size_t nha_cap, nha_n;
	struct mrt_out *recs;
	struct mrt_rib rib;     /* the destination being gathered */
	uint8_t (*minimal)[64]; /* per entry of rib: a minimal block when it has none */
	unsigned minimal_cap;
	uint32_t seq;
	uint32_t now;           /* the records' timestamp */
	DWORD err;
};

static size_t mix(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29));
}

/* The address of next hop h (cached by handle); false if RTM has none. */
static bool nh_address(struct dump *d, RTM_NEXTHOP_HANDLE h, uint8_t *out)
{
	if ((d->nha_n + 1) * 2 > d->nha_cap) {
		size_t cap = d->nha_cap ? 2 * d->nha_cap : 256;
		struct nh_addr *fresh = calloc(cap, sizeof(*fresh));
		if (!fresh)
			return false;
		for (size_t i = 0; i < d->nha_cap; i++) {
			if (!d->nha[i].h)
				continue;
			size_t j = mix(&d->nha[i].h, sizeof(h), 7) & (cap - 1);
			while (fresh[j].h)
				j = (j + 1) & (cap - 1);
			fresh[j] = d->nha[i];
		}
		free(d->nha);
		d->nha = fresh;
		d->nha_cap = cap;
	}
	size_t j = mix(&h, sizeof(h), 7) & (d->nha_cap - 1);
	for (; d->nha[j].h; j = (j + 1) & (d->nha_cap - 1)) {
		if (d->nha[j].h == h) {
			memcpy(out, d->nha[j].addr, 16);
			return true;
		}
	}
	RTM_NEXTHOP_INFO ni;
	if (RtmGetNextHopInfo(d->reg, h, &ni) != NO_ERROR)
		return false;
	memcpy(d->nha[j].addr, ni.NextHopAddress.AddrBits, 16);
	RtmReleaseNextHopInfo(d->reg, &ni);
	d->nha[j].h = h;
	d->nha_n++;
	memcpy(out, d->nha[j].addr, 16);
	return true;
}

static bool v4_mapped(const uint8_t *a)
{
	static const uint8_t pre[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	return !memcmp(a, pre, 12);
}

static size_t slot_hash(const struct peer_slot *k)
{
	return mix(k->addr, 16, (uint64_t)(uintptr_t)k->owner * 31 + k->family);
}

static bool slot_is(const struct peer_slot *a, const struct peer_slot *b)
{
	return a->owner == b->owner && a->family == b->family && !memcmp(a->addr, b->addr, 16);
}

/* The peer index of (owner, Neighbour); -1 without memory. */
static long peer_of(struct dump *d, RTM_ENTITY_HANDLE owner, RTM_NEXTHOP_HANDLE neighbour)
{
	struct peer_slot k;
	memset(&k, 0, sizeof(k));
	k.owner = owner;
	if (neighbour && nh_address(d, neighbour, k.addr))
		k.family = d->family;
	if (k.family == AF_INET6 && v4_mapped(k.addr)) {
		k.family = AF_INET;
		memmove(k.addr, k.addr + 12, 4);
		memset(k.addr + 4, 0, 12);
	}
	if ((d->peers.n + 1) * 2 > d->slot_cap) {
		size_t cap = d->slot_cap ? 2 * d->slot_cap : 64;
		struct peer_slot *fresh = calloc(cap, sizeof(*fresh));
		if (!fresh)
			return -1;
		for (size_t i = 0; i < d->slot_cap; i++) {
			if (!d->slot[i].used)
				continue;
			size_t j = slot_hash(&d->slot[i]) & (cap - 1);
			while (fresh[j].used)
				j = (j + 1) & (cap - 1);
			fresh[j] = d->slot[i];
		}
		free(d->slot);
		d->slot = fresh;
		d->slot_cap = cap;
	}
	size_t j = slot_hash(&k) & (d->slot_cap - 1);
	for (; d->slot[j].used; j = (j + 1) & (d->slot_cap - 1))
		if (slot_is(&d->slot[j], &k))
			return d->slot[j].index;
	if (d->peers.n == 0xffff)
		return -1; /* the format's limit */
	if (d->peers.n == d->peer_cap) {
		unsigned cap = d->peer_cap ? 2 * d->peer_cap : 16;
		struct mrt_peer *p = realloc(d->peers.peer, cap * sizeof(*p));
		if (!p)
			return -1;
		d->peers.peer = p;
		d->peer_cap = cap;
	}
	struct mrt_peer *p = &d->peers.peer[d->peers.n];
	memset(p, 0, sizeof(*p));
	p->family = k.family ? k.family : d->family;
	memcpy(p->addr, k.addr, 16);
	if (k.family) {
		/* What the import knew of it (it noted the address as RTM has it). */
		uint8_t as_rtm[16];
		(void)nh_address(d, neighbour, as_rtm);
		(void)mrt_peer_known(owner, d->family, as_rtm, &p->as, &p->bgp_id);
	}
	k.index = d->peers.n++;
	k.used = true;
	d->slot[j] = k;
	return k.index;
}

/* ---- records ----------------------------------------------------------------------------- */

static void flush_rib(struct dump *d)
{
	if (!d->rib.n)
		return;
	/* Minimal blocks are pointed at only now: the array they are in may
	 * have moved while the record grew. */
	for (unsigned i = 0; i < d->rib.n; i++)
		if (!d->rib.entry[i].attrs.raw)
			d->rib.entry[i].attrs.raw = d->minimal[i];
	d->rib.seq = d->seq++;
	int err = mrt_write_rib(d->recs, d->now, &d->rib);
	if (err && !d->err)
		d->err = err == -ENOMEM ? ERROR_NOT_ENOUGH_MEMORY : ERROR_GEN_FAILURE;
	if (!err) {
		d->st->records++;
		d->st->routes += d->rib.n;
	}
	d->rib.n = 0;
}

/* Route info of dest addr into the record being gathered (a new record when
 * the destination changes). */
static void add_route(struct dump *d, const RTM_NET_ADDRESS *addr, const RTM_ROUTE_INFO *r)
{
	if (d->rib.n && (d->rib.len != addr->NumBits || memcmp(d->rib.prefix, addr->AddrBits, 16)))
		flush_rib(d);
	if (d->rib.n == 0xffff)
		flush_rib(d); /* (the format's limit: the rest in a record of its own) */
	if (d->rib.n == d->rib.cap) {
		unsigned cap = d->rib.cap ? 2 * d->rib.cap : 16;
		struct mrt_entry *e = realloc(d->rib.entry, cap * sizeof(*e));
		uint8_t(*m)[64] = e ? realloc(d->minimal, cap * sizeof(*m)) : NULL;
		if (e)
			d->rib.entry = e;
		if (!e || !m) {
			d->err = ERROR_NOT_ENOUGH_MEMORY;
			return;
		}
		d->minimal = m;
		d->rib.cap = cap;
	}
	d->rib.family = d->family;
	d->rib.len = (uint8_t)addr->NumBits;
	memcpy(d->rib.prefix, addr->AddrBits, 16);
	long peer = peer_of(d, r->RouteOwner, r->Neighbour);
	if (peer < 0) {
		d->err = ERROR_NOT_ENOUGH_MEMORY;
		return;
	}
	struct mrt_entry *e = &d->rib.entry[d->rib.n];
	memset(e, 0, sizeof(*e));
	e->peer = (unsigned)peer;
	size_t len = 0;
	const uint8_t *block = mrt_route_block(r, &len);
	if (block) {
		e->attrs.raw = block;
		e->attrs.len = len;
	} else {
		uint8_t nh[16] = { 0 };
		if (r->NextHopsList.NumNextHops)
			(void)nh_address(d, r->NextHopsList.NextHops[0], nh);
		e->attrs.len = mrt_minimal_attrs(d->minimal[d->rib.n], d->family, nh);
		e->attrs.raw = NULL; /* d->minimal[n], set by flush_rib */
	}
	d->rib.n++;
}

/* Every unicast route of the family (or each destination's best). */
static void dump_family(struct dump *d)
{
	/* The instance's MaxHandlesInEnum is not known here (it is
	 * configurable): a batch it refuses is halved. */
	UINT batch = 100;
	size_t one_route = RTM_SIZE_OF_ROUTE_INFO(64);
	PRTM_ROUTE_INFO r = malloc(one_route);
	RTM_ROUTE_HANDLE *hs = calloc(batch, sizeof(*hs));
	PRTM_DEST_INFO ds = calloc(batch, RTM_SIZE_OF_DEST_INFO(1));
	RTM_ENUM_HANDLE en = NULL;
	bool best = d->opt && (d->opt->flags & RTM_MRT_BEST_ONLY);
	DWORD rc = !r || !hs || !ds ? ERROR_NOT_ENOUGH_MEMORY
	     : best ? RtmCreateDestEnum(d->reg, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, RTM_BEST_PROTOCOL, &en)
		    : RtmCreateRouteEnum(d->reg, NULL, RTM_VIEW_MASK_UCAST, RTM_ENUM_START, NULL, RTM_MATCH_NONE, NULL,
					 0, &en);
	while (rc == NO_ERROR && !d->err) {
		UINT n = batch;
		if (best) {
			rc = RtmGetEnumDests(d->reg, en, &n, ds);
			if (rc == ERROR_INVALID_PARAMETER && batch > 1) {
				batch /= 2;
				rc = NO_ERROR;
				continue;
			}
			for (UINT i = 0; i < n && !d->err; i++) {
				PRTM_DEST_INFO di = (PRTM_DEST_INFO)((char *)ds + i * RTM_SIZE_OF_DEST_INFO(1));
				RTM_ROUTE_HANDLE h = di->ViewInfo[0].Route;
				memset(r, 0, one_route);
				if (h && RtmGetRouteInfo(d->reg, h, r, NULL) == NO_ERROR) {
					add_route(d, &di->DestAddress, r);
					RtmReleaseRouteInfo(d->reg, r);
				}
			}
			if (n)
				RtmReleaseDests(d->reg, n, ds);
		} else {
			rc = RtmGetEnumRoutes(d->reg, en, &n, hs);
			if (rc == ERROR_INVALID_PARAMETER && batch > 1) {
				batch /= 2;
				rc = NO_ERROR;
				continue;
			}
			for (UINT i = 0; i < n && !d->err; i++) {
				RTM_NET_ADDRESS a;
				memset(r, 0, one_route);
				if (RtmGetRouteInfo(d->reg, hs[i], r, &a) == NO_ERROR) {
					add_route(d, &a, r);
					RtmReleaseRouteInfo(d->reg, r);
				}
			}
			if (n)
				RtmReleaseRoutes(d->reg, n, hs);
		}
	}
	flush_rib(d);
	if (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS && !d->err)
		d->err = rc;
	if (en)
		RtmDeleteEnumHandle(d->reg, en);
	free(r);
	free(hs);
	free(ds);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

DWORD rtm_mrt_dump(const char *path, RTM_ENTITY_HANDLE reg4, RTM_ENTITY_HANDLE reg6,
		   const rtm_mrt_options *options, rtm_mrt_stats *stats)
{
	rtm_mrt_stats local;
	rtm_mrt_stats *st = stats ? stats : &local;
	memset(st, 0, sizeof(*st));
	if (!path || (!reg4 && !reg6) || (options && (options->flags & ~(unsigned)(RTM_MRT_METRIC_ZERO |
										 RTM_MRT_BEST_ONLY))))
		return ERROR_INVALID_PARAMETER;
	struct dump d;
	memset(&d, 0, sizeof(d));
	d.opt = options;
	d.st = st;
	strcpy(d.peers.view, "rtmv2");
	d.now = (uint32_t)time(NULL);
	if (mrt_out_open_mem(&d.recs))
		return ERROR_NOT_ENOUGH_MEMORY;
	RTM_ENTITY_HANDLE regs[2] = { reg4, reg6 };
	for (unsigned f = 0; f < 2; f++) {
		DWORD rc = mrt_check_registration(regs[f], f ? AF_INET6 : AF_INET);
		if (rc != NO_ERROR) {
			(void)mrt_out_close(d.recs);
			return rc;
		}
	}
	for (unsigned f = 0; f < 2 && !d.err; f++) {
		if (!regs[f])
			continue;
		d.reg = regs[f];
		d.family = f ? AF_INET6 : AF_INET;
		d.nha_n = 0; /* next-hop handles are the family's */
		if (d.nha)
			memset(d.nha, 0, d.nha_cap * sizeof(*d.nha));
		dump_family(&d);
	}
	DWORD rc = d.err;
	if (!rc) {
		struct mrt_out *out;
		int err = mrt_out_open(&out, path, ends_with(path, ".gz"));
		if (err) {
			rc = err == -ENOENT || err == -ENOTDIR ? ERROR_FILE_NOT_FOUND
			     : err == -EACCES || err == -EPERM ? ERROR_ACCESS_DENIED
							       : ERROR_GEN_FAILURE;
		} else {
			err = mrt_write_peer_index(out, 0, &d.peers);
			if (!err)
				err = mrt_out_append(out, d.recs);
			int cerr = mrt_out_close(out);
			if (err || cerr)
				rc = ERROR_GEN_FAILURE; /* (a write failed: the disk is full, say) */
			st->records++; /* the peer table */
		}
	}
	st->peers = d.peers.n;
	(void)mrt_out_close(d.recs);
	mrt_rib_free(&d.rib);
	mrt_peer_table_free(&d.peers);
	free(d.minimal);
	free(d.slot);
	free(d.nha);
	return rc;
}
