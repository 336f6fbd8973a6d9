/*
 * codec.c — decoding MRT records and BGP path attributes (mrt.h).
 *
 * A cursor walks each body: every read checks that the bytes are there, and
 * the first that is not ends the record with the reason.  Nothing is copied
 * but the peer table: routes point into the record's body.
 */
#include "mrt.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct cur {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static uint8_t u8(struct cur *c)
{
	if (c->left < 1) {
		c->bad = true;
		return 0;
	}
	c->left--;
	return *c->p++;
}

static uint16_t u16(struct cur *c)
{
	if (c->left < 2) {
		c->bad = true;
		c->left = 0;
		return 0;
	}
	uint16_t v = (uint16_t)(c->p[0] << 8 | c->p[1]);
	c->p += 2;
	c->left -= 2;
	return v;
}

static uint32_t u32(struct cur *c)
{
	if (c->left < 4) {
		c->bad = true;
		c->left = 0;
		return 0;
	}
	uint32_t v = (uint32_t)c->p[0] << 24 | (uint32_t)c->p[1] << 16 | (uint32_t)c->p[2] << 8 | c->p[3];
	c->p += 4;
	c->left -= 4;
	return v;
}

/* n bytes (a pointer into the body), or NULL when they are not there. */
static const uint8_t *bytes(struct cur *c, size_t n)
{
	if (c->left < n) {
		c->bad = true;
		c->left = 0;
		return NULL;
	}
	const uint8_t *p = c->p;
	c->p += n;
	c->left -= n;
	return p;
}

static int fail(struct mrt_error *err, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->what, sizeof(err->what), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- attributes ----------------------------------------------------------------------- */

/* AS_PATH or AS4_PATH: the number of ASes (a set counts one) and the first. */
static int parse_path(const uint8_t *p, size_t n, unsigned asn_size, uint32_t *len, uint32_t *first,
		      struct mrt_error *err)
{
	struct cur c = { p, n, false };
	*len = 0;
	*first = 0;
	while (c.left) {
		uint8_t type = u8(&c), count = u8(&c);
		const uint8_t *as = bytes(&c, (size_t)count * asn_size);
		if (c.bad)
			return fail(err, "AS_PATH segment longer than its attribute");
		if (type != 1 && type != 2 && type != 3 && type != 4)
			return fail(err, "AS_PATH segment of unknown type %u", type);
		if (count && !*len && type == 2) {
			*first = asn_size == 4 ? (uint32_t)as[0] << 24 | (uint32_t)as[1] << 16 | (uint32_t)as[2] << 8 | as[3]
					       : (uint32_t)(as[0] << 8 | as[1]);
		}
		if (type == 2) /* AS_SEQUENCE */
			*len += count;
		else if (type == 1 && count) /* AS_SET */
			*len += 1;
		/* confederation segments do not count (RFC 5065) */
	}
	return 0;
}

int mrt_parse_attrs(const uint8_t *p, size_t n, bool as4, bool mp_abbrev, struct mrt_attrs *a,
		    struct mrt_error *err)
{
	memset(a, 0, sizeof(*a));
	a->raw = p;
	a->len = n;
	struct cur c = { p, n, false };
	const uint8_t *as_path = NULL, *as4_path = NULL;
	size_t as_path_len = 0, as4_path_len = 0;
	while (c.left) {
		uint8_t flags = u8(&c), type = u8(&c);
		size_t len = flags & BGP_ATTR_FLAG_EXTENDED ? u16(&c) : u8(&c);
		const uint8_t *v = bytes(&c, len);
		if (c.bad)
			return fail(err, "attribute %u longer than its record", type);
		switch (type) {
		case BGP_ATTR_ORIGIN:
			if (len != 1)
				return fail(err, "ORIGIN of %zu bytes", len);
			a->has_origin = true;
			a->origin = v[0];
			break;
		case BGP_ATTR_AS_PATH:
			as_path = v;
			as_path_len = len;
			break;
		case BGP_ATTR_AS4_PATH:
			as4_path = v;
			as4_path_len = len;
			break;
		case BGP_ATTR_NEXT_HOP:
			if (len != 4)
				return fail(err, "NEXT_HOP of %zu bytes", len);
			if (!a->has_nexthop || a->nh_family == AF_INET) {
				a->has_nexthop = true;
				a->nh_family = AF_INET;
				memset(a->nexthop, 0, 16);
				memcpy(a->nexthop, v, 4);
			}
			break;
		case BGP_ATTR_MED:
			if (len != 4)
				return fail(err, "MULTI_EXIT_DISC of %zu bytes", len);
			a->has_med = true;
			a->med = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
			break;
		case BGP_ATTR_LOCAL_PREF:
			if (len != 4)
				return fail(err, "LOCAL_PREF of %zu bytes", len);
			a->has_local_pref = true;
			a->local_pref = (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
			break;
		case BGP_ATTR_MP_REACH_NLRI: {
			/* Full form: AFI(2) SAFI(1) NH-len(1) NH ...; TABLE_DUMP_V2's
			 * abbreviated one: NH-len(1) NH (RFC 6396 4.3.4).  Some
			 * writers put the full form in dumps too: told by the
			 * first byte, which is 0 for an AFI and never a length. */
			struct cur m = { v, len, false };
			if (!mp_abbrev || (len >= 4 && v[0] == 0)) {
				(void)u16(&m);
				(void)u8(&m);
			}
			uint8_t nhl = u8(&m);
			const uint8_t *nh = bytes(&m, nhl);
			if (m.bad)
				return fail(err, "MP_REACH_NLRI next hop longer than its attribute");
			if (nhl == 16 || nhl == 32) { /* global (and link-local) IPv6 */
				a->has_nexthop = true;
				a->nh_family = AF_INET6;
				memcpy(a->nexthop, nh, 16);
			} else if (nhl == 4) {
				a->has_nexthop = true;
				a->nh_family = AF_INET;
				memset(a->nexthop, 0, 16);
				memcpy(a->nexthop, nh, 4);
			} else if (nhl != 0) {
				return fail(err, "MP_REACH_NLRI next hop of %u bytes", nhl);
			}
			break;
		}
		default:
			break; /* kept in raw, opaque */
		}
	}
	if (as_path) {
		unsigned size = as4 ? 4 : 2;
		if (parse_path(as_path, as_path_len, size, &a->path_len, &a->first_as, err))
			return -1;
	}
	if (as4_path && !as4) {
		/* A 2-byte speaker's path with AS4_PATH (RFC 6793, 4.2.3): the
		 * path is AS_PATH's first (AS_PATH - AS4_PATH) ASes followed by
		 * AS4_PATH, so its length is AS_PATH's; its first AS is
		 * AS4_PATH's when the two are as long.  An AS4_PATH longer than
		 * AS_PATH is ignored. */
		uint32_t l4, f4;
		if (parse_path(as4_path, as4_path_len, 4, &l4, &f4, err))
			return -1;
		if (l4 == a->path_len)
			a->first_as = f4;
	}
	return 0;
}

/* ---- TABLE_DUMP_V2 ---------------------------------------------------------------------- */

void mrt_peer_table_free(struct mrt_peer_table *t)
{
	free(t->peer);
	memset(t, 0, sizeof(*t));
}

int mrt_decode_peer_index(const struct mrt_record *rec, struct mrt_peer_table *t, struct mrt_error *err)
{
	struct cur c = { rec->body, rec->length, false };
	struct mrt_peer_table n;
	memset(&n, 0, sizeof(n));
	n.collector_id = u32(&c);
	uint16_t vlen = u16(&c);
	const uint8_t *view = bytes(&c, vlen);
	uint16_t count = u16(&c);
	if (c.bad) {
		mrt_peer_table_free(t);
		return fail(err, "PEER_INDEX_TABLE header truncated");
	}
	if (view)
		memcpy(n.view, view, vlen < sizeof(n.view) - 1 ? vlen : sizeof(n.view) - 1);
	n.peer = calloc(count ? count : 1, sizeof(*n.peer));
	if (!n.peer)
		return fail(err, "out of memory for %u peers", count);
	for (unsigned i = 0; i < count; i++) {
		uint8_t type = u8(&c);
		struct mrt_peer *p = &n.peer[i];
		p->bgp_id = u32(&c);
		p->family = type & 1 ? AF_INET6 : AF_INET;
		const uint8_t *a = bytes(&c, type & 1 ? 16 : 4);
		p->as = type & 2 ? u32(&c) : u16(&c);
		if (c.bad) {
			free(n.peer);
			mrt_peer_table_free(t); /* the records after it name peers nobody knows */
			return fail(err, "PEER_INDEX_TABLE: peer %u of %u truncated", i, count);
		}
		memcpy(p->addr, a, type & 1 ? 16 : 4);
	}
	n.n = count;
	mrt_peer_table_free(t);
	*t = n;
	return 0;
}

bool mrt_is_tdv2_rib(const struct mrt_record *rec)
{
	if (rec->type != MRT_TABLE_DUMP_V2)
		return false;
	switch (rec->subtype) {
	case MRT_TDV2_RIB_IPV4_UNICAST:
	case MRT_TDV2_RIB_IPV4_MULTICAST:
	case MRT_TDV2_RIB_IPV6_UNICAST:
	case MRT_TDV2_RIB_IPV6_MULTICAST:
	case MRT_TDV2_RIB_IPV4_UNICAST_ADDPATH:
	case MRT_TDV2_RIB_IPV4_MULTICAST_ADDPATH:
	case MRT_TDV2_RIB_IPV6_UNICAST_ADDPATH:
	case MRT_TDV2_RIB_IPV6_MULTICAST_ADDPATH:
		return true;
	default:
		return false;
	}
}

void mrt_rib_free(struct mrt_rib *rib)
{
	free(rib->entry);
	memset(rib, 0, sizeof(*rib));
}

static int rib_room(struct mrt_rib *rib, unsigned n, struct mrt_error *err)
{
	if (n <= rib->cap)
		return 0;
	struct mrt_entry *e = realloc(rib->entry, n * sizeof(*e));
	if (!e)
		return fail(err, "out of memory for %u routes", n);
	rib->entry = e;
	rib->cap = n;
	return 0;
}

/* A prefix of family: its length, then the bytes that hold it. */
static int read_prefix(struct cur *c, uint8_t family, struct mrt_rib *rib, struct mrt_error *err)
{
	unsigned max = family == AF_INET ? 32 : 128;
	rib->family = family;
	rib->len = u8(c);
	if (c->bad)
		return fail(err, "record truncated before its prefix");
	if (rib->len > max)
		return fail(err, "prefix length %u over %u", rib->len, max);
	const uint8_t *b = bytes(c, (rib->len + 7u) / 8);
	if (!b)
		return fail(err, "prefix truncated");
	memset(rib->prefix, 0, 16);
	memcpy(rib->prefix, b, (rib->len + 7u) / 8);
	if (rib->len % 8) /* bits past the length are not the prefix's */
		rib->prefix[rib->len / 8] &= (uint8_t)(0xff00u >> (rib->len % 8));
	return 0;
}

int mrt_decode_rib(const struct mrt_record *rec, const struct mrt_peer_table *peers, struct mrt_rib *rib,
		   struct mrt_error *err)
{
	struct cur c = { rec->body, rec->length, false };
	unsigned st = rec->subtype;
	bool v6 = st == MRT_TDV2_RIB_IPV6_UNICAST || st == MRT_TDV2_RIB_IPV6_MULTICAST ||
		  st == MRT_TDV2_RIB_IPV6_UNICAST_ADDPATH || st == MRT_TDV2_RIB_IPV6_MULTICAST_ADDPATH;
	bool addpath = st >= MRT_TDV2_RIB_IPV4_UNICAST_ADDPATH;
	rib->n = 0;
	rib->seq = u32(&c);
	if (read_prefix(&c, v6 ? AF_INET6 : AF_INET, rib, err))
		return -1;
	uint16_t count = u16(&c);
	if (c.bad)
		return fail(err, "RIB record truncated before its entry count");
	if (rib_room(rib, count, err))
		return -1;
	for (unsigned i = 0; i < count; i++) {
		struct mrt_entry *e = &rib->entry[i];
		e->peer = u16(&c);
		e->originated = u32(&c);
		e->path_id = addpath ? u32(&c) : 0;
		uint16_t alen = u16(&c);
		const uint8_t *attrs = bytes(&c, alen);
		if (c.bad)
			return fail(err, "RIB entry %u of %u: attributes past the end of the record", i, count);
		if (!peers || e->peer >= peers->n)
			return fail(err, "RIB entry %u: peer index %u out of range (%u peers)", i, e->peer,
				    peers ? peers->n : 0);
		if (mrt_parse_attrs(attrs, alen, true, true, &e->attrs, err))
			return -1;
	}
	if (c.left)
		return fail(err, "RIB record: %zu bytes after its last entry", c.left);
	rib->n = count;
	return 0;
}

/* ---- TABLE_DUMP ------------------------------------------------------------------------ */

int mrt_decode_table_dump(const struct mrt_record *rec, struct mrt_rib *rib, struct mrt_peer *peer,
			  struct mrt_error *err)
{
	if (rec->subtype != MRT_TD_AFI_IPV4 && rec->subtype != MRT_TD_AFI_IPV6)
		return fail(err, "TABLE_DUMP of unknown subtype %u", rec->subtype);
	bool v6 = rec->subtype == MRT_TD_AFI_IPV6;
	unsigned alen = v6 ? 16 : 4;
	struct cur c = { rec->body, rec->length, false };
	rib->n = 0;
	(void)u16(&c); /* view */
	rib->seq = u16(&c);
	const uint8_t *pfx = bytes(&c, alen);
	uint8_t len = u8(&c);
	(void)u8(&c); /* status */
	uint32_t originated = u32(&c);
	const uint8_t *paddr = bytes(&c, alen);
	uint16_t pas = u16(&c);
	uint16_t attr_len = u16(&c);
	const uint8_t *attrs = bytes(&c, attr_len);
	if (c.bad)
		return fail(err, "TABLE_DUMP record truncated");
	if (len > alen * 8)
		return fail(err, "prefix length %u over %u", len, alen * 8);
	if (c.left)
		return fail(err, "TABLE_DUMP record: %zu bytes after its attributes", c.left);
	if (rib_room(rib, 1, err))
		return -1;
	rib->family = v6 ? AF_INET6 : AF_INET;
	rib->len = len;
	memset(rib->prefix, 0, 16);
	memcpy(rib->prefix, pfx, alen);
	for (unsigned i = 0; i < 16; i++) {
		unsigned lo = i * 8;
		if (lo >= len)
			rib->prefix[i] = 0;
		else if (lo + 8 > len)
			rib->prefix[i] &= (uint8_t)(0xff00u >> (len - lo));
	}
	memset(peer, 0, sizeof(*peer));
	peer->family = rib->family;
	memcpy(peer->addr, paddr, alen);
	peer->as = pas;
	struct mrt_entry *e = &rib->entry[0];
	e->peer = 0;
	e->originated = originated;
	e->path_id = 0;
	if (mrt_parse_attrs(attrs, attr_len, false, false, &e->attrs, err))
		return -1;
	rib->n = 1;
	return 0;
}

/* ---- a minimal attribute block --------------------------------------------------------- */

size_t mrt_minimal_attrs(uint8_t *buf, uint8_t family, const uint8_t *nexthop)
{
	size_t n = 0;
	buf[n++] = BGP_ATTR_FLAG_TRANSITIVE; /* ORIGIN IGP */
	buf[n++] = BGP_ATTR_ORIGIN;
	buf[n++] = 1;
	buf[n++] = 0;
	buf[n++] = BGP_ATTR_FLAG_TRANSITIVE; /* an empty AS_PATH */
	buf[n++] = BGP_ATTR_AS_PATH;
	buf[n++] = 0;
	if (family == AF_INET) {
		buf[n++] = BGP_ATTR_FLAG_TRANSITIVE;
		buf[n++] = BGP_ATTR_NEXT_HOP;
		buf[n++] = 4;
		memcpy(buf + n, nexthop, 4);
		n += 4;
	} else {
		buf[n++] = BGP_ATTR_FLAG_OPTIONAL;
		buf[n++] = BGP_ATTR_MP_REACH_NLRI;
		buf[n++] = 17;
		buf[n++] = 16;
		memcpy(buf + n, nexthop, 16);
		n += 16;
	}
	return n;
}

/* ---- BGP4MP ------------------------------------------------------------------------------- */

bool mrt_is_bgp4mp(const struct mrt_record *rec)
{
	if (rec->type != MRT_BGP4MP && rec->type != MRT_BGP4MP_ET)
		return false;
	return rec->subtype <= MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH && rec->subtype != 2 && rec->subtype != 3;
}

void mrt_update_free(struct mrt_update *u)
{
	free(u->withdrawn.p);
	free(u->announced.p);
	memset(u, 0, sizeof(*u));
}

/* A list of prefixes of family (each with a path identifier first when
 * addpath) from p[0..n) into list. */
static int read_prefixes(const uint8_t *p, size_t n, uint8_t family, bool addpath, struct mrt_prefixes *list,
			 struct mrt_error *err)
{
	struct cur c = { p, n, false };
	unsigned max = family == AF_INET ? 32 : 128;
	while (c.left) {
		struct mrt_prefix x;
		memset(&x, 0, sizeof(x));
		x.family = family;
		x.path_id = addpath ? u32(&c) : 0;
		x.len = u8(&c);
		if (c.bad)
			return fail(err, "a prefix cut short");
		if (x.len > max)
			return fail(err, "prefix length %u over %u", x.len, max);
		const uint8_t *b = bytes(&c, (x.len + 7u) / 8);
		if (!b)
			return fail(err, "a prefix longer than its field");
		memcpy(x.addr, b, (x.len + 7u) / 8);
		if (x.len % 8)
			x.addr[x.len / 8] &= (uint8_t)(0xff00u >> (x.len % 8));
		if (list->n == list->cap) {
			unsigned cap = list->cap ? 2 * list->cap : 64;
			struct mrt_prefix *q = realloc(list->p, cap * sizeof(*q));
			if (!q)
				return fail(err, "out of memory for %u prefixes", cap);
			list->p = q;
			list->cap = cap;
		}
		list->p[list->n++] = x;
	}
	return 0;
}

static uint8_t family_of_afi(uint16_t afi)
{
	return afi == 1 ? AF_INET : afi == 2 ? AF_INET6 : 0;
}

int mrt_decode_bgp4mp(const struct mrt_record *rec, struct mrt_update *u, struct mrt_error *err)
{
	struct cur c = { rec->body, rec->length, false };
	unsigned st = rec->subtype;
	u->state_change = u->is_update = false;
	u->withdrawn.n = u->announced.n = 0;
	memset(&u->peer, 0, sizeof(u->peer));
	memset(&u->attrs, 0, sizeof(u->attrs));
	if (rec->type == MRT_BGP4MP_ET)
		(void)u32(&c); /* microseconds */
	bool as4 = st == MRT_BGP4MP_MESSAGE_AS4 || st == MRT_BGP4MP_STATE_CHANGE_AS4 ||
		   st == MRT_BGP4MP_MESSAGE_AS4_LOCAL || st == MRT_BGP4MP_MESSAGE_AS4_ADDPATH ||
		   st == MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH;
	bool addpath = st >= MRT_BGP4MP_MESSAGE_ADDPATH;
	u->as4 = as4;
	u->peer.as = as4 ? u32(&c) : u16(&c);
	(void)(as4 ? u32(&c) : u16(&c)); /* the local AS */
	(void)u16(&c);                    /* interface index */
	uint16_t afi = u16(&c);
	uint8_t family = family_of_afi(afi);
	if (c.bad)
		return fail(err, "BGP4MP header truncated");
	if (!family)
		return fail(err, "BGP4MP of address family %u", afi);
	unsigned alen = family == AF_INET ? 4 : 16;
	const uint8_t *peer = bytes(&c, alen);
	(void)bytes(&c, alen); /* the local address */
	if (c.bad)
		return fail(err, "BGP4MP addresses truncated");
	u->peer.family = family;
	memcpy(u->peer.addr, peer, alen);
	if (st == MRT_BGP4MP_STATE_CHANGE || st == MRT_BGP4MP_STATE_CHANGE_AS4) {
		u->old_state = u16(&c);
		u->new_state = u16(&c);
		if (c.bad)
			return fail(err, "BGP4MP state change truncated");
		u->state_change = true;
		return 0;
	}
	/* The BGP message: marker, length, type. */
	const uint8_t *marker = bytes(&c, 16);
	uint16_t mlen = u16(&c);
	uint8_t mtype = u8(&c);
	if (c.bad)
		return fail(err, "BGP message header truncated");
	for (unsigned i = 0; i < 16; i++)
		if (marker[i] != 0xff)
			return fail(err, "BGP message without its marker");
	if (mlen < 19 || (size_t)mlen - 19 > c.left)
		return fail(err, "BGP message length %u past its record", mlen);
	if (mtype != 2)
		return 0; /* OPEN, KEEPALIVE, NOTIFICATION: no routes */
	struct cur m = { c.p, (size_t)mlen - 19, false };
	uint16_t wlen = u16(&m);
	const uint8_t *w = bytes(&m, wlen);
	uint16_t plen = u16(&m);
	const uint8_t *pa = bytes(&m, plen);
	if (m.bad)
		return fail(err, "UPDATE: a length past its message");
	if (read_prefixes(w, wlen, AF_INET, addpath, &u->withdrawn, err) ||
	    read_prefixes(m.p, m.left, AF_INET, addpath, &u->announced, err))
		return -1;
	if (mrt_parse_attrs(pa, plen, as4, false, &u->attrs, err))
		return -1;
	/* MP_REACH_NLRI and MP_UNREACH_NLRI carry the other families' prefixes. */
	struct cur a = { pa, plen, false };
	while (a.left) {
		uint8_t flags = u8(&a), type = u8(&a);
		size_t len = flags & BGP_ATTR_FLAG_EXTENDED ? u16(&a) : u8(&a);
		const uint8_t *v = bytes(&a, len);
		if (a.bad)
			return fail(err, "attribute %u longer than its message", type);
		if (type != BGP_ATTR_MP_REACH_NLRI && type != BGP_ATTR_MP_UNREACH_NLRI)
			continue;
		struct cur x = { v, len, false };
		uint8_t fam = family_of_afi(u16(&x));
		uint8_t safi = u8(&x);
		if (type == BGP_ATTR_MP_REACH_NLRI) {
			uint8_t nhl = u8(&x);
			(void)bytes(&x, nhl);
			(void)u8(&x); /* reserved */
		}
		if (x.bad)
			return fail(err, "MP_%sREACH_NLRI truncated", type == BGP_ATTR_MP_UNREACH_NLRI ? "UN" : "");
		if (!fam || (safi != 1 && safi != 2))
			continue; /* another address family or SAFI: not routes of ours */
		if (read_prefixes(x.p, x.left, fam, addpath, type == BGP_ATTR_MP_REACH_NLRI ? &u->announced
												: &u->withdrawn,
				  err))
			return -1;
	}
	u->is_update = true;
	return 0;
}

/* The number of ASes in a valid AS_PATH of asn_size-byte numbers (a set counts one). */
static uint32_t path_count(const uint8_t *p, size_t n, unsigned asn_size)
{
	uint32_t len, first;
	struct mrt_error ignored;
	return parse_path(p, n, asn_size, &len, &first, &ignored) ? UINT32_MAX : len;
}

/* A 2-byte AS_PATH p[0..n) widened to 4-byte numbers into out: its first
 * `keep` ASes (all when keep is UINT32_MAX; confederation segments are
 * kept whole while any are wanted), then tail[0..tail_n) (AS4_PATH) as it
 * is.  Its length. */
static size_t widen_path(const uint8_t *p, size_t n, uint32_t keep, const uint8_t *tail, size_t tail_n,
			 uint8_t *out)
{
	struct cur c = { p, n, false };
	size_t o = 0, last = SIZE_MAX; /* the last segment's header */
	while (c.left && keep) {
		uint8_t type = u8(&c), count = u8(&c);
		const uint8_t *as = bytes(&c, (size_t)count * 2);
		if (c.bad)
			break;
		uint8_t take = type == 2 && count > keep ? (uint8_t)keep : count;
		last = o;
		out[o++] = type;
		out[o++] = take;
		for (unsigned i = 0; i < take; i++) {
			out[o++] = 0;
			out[o++] = 0;
			out[o++] = as[2 * i];
			out[o++] = as[2 * i + 1];
		}
		if (type == 2)
			keep -= take;
		else if (type == 1 && count)
			keep -= 1;
	}
	if (tail_n >= 2 && last != SIZE_MAX && out[last] == 2 && tail[0] == 2 && out[last + 1] + tail[1] <= 255) {
		/* two sequences meeting: one segment */
		out[last + 1] = (uint8_t)(out[last + 1] + tail[1]);
		tail += 2;
		tail_n -= 2;
	}
	if (tail_n)
		memcpy(out + o, tail, tail_n);
	return o + tail_n;
}

/* Appends an attribute (flags as given but for the extended-length bit,
 * set when len needs it) whose value is already at buf + o + 4; returns
 * the new end.  The value moves down a byte when one length byte is enough. */
static size_t put_attr(uint8_t *buf, size_t o, uint8_t flags, uint8_t type, size_t len)
{
	if (len > 255) {
		buf[o] = flags | BGP_ATTR_FLAG_EXTENDED;
		buf[o + 1] = type;
		buf[o + 2] = (uint8_t)(len >> 8);
		buf[o + 3] = (uint8_t)len;
		return o + 4 + len;
	}
	buf[o] = flags & (uint8_t)~BGP_ATTR_FLAG_EXTENDED;
	buf[o + 1] = type;
	buf[o + 2] = (uint8_t)len;
	memmove(buf + o + 3, buf + o + 4, len);
	return o + 3 + len;
}

size_t mrt_attrs_for_rib(const uint8_t *p, size_t n, bool as4, uint8_t *buf)
{
	/* A 2-byte speaker's AS4_PATH and AS4_AGGREGATOR (RFC 6793, 4.2.3):
	 * the path is AS_PATH's first (AS_PATH - AS4_PATH) ASes and then
	 * AS4_PATH, unless AS4_PATH is the longer or AGGREGATOR names an AS
	 * other than AS_TRANS while AS4_AGGREGATOR is there. */
	const uint8_t *path = NULL, *path4 = NULL, *agg = NULL, *agg4 = NULL;
	size_t path_n = 0, path4_n = 0, agg_n = 0, agg4_n = 0;
	struct cur a = { p, n, false };
	while (!as4 && a.left) {
		uint8_t flags = u8(&a), type = u8(&a);
		size_t len = flags & BGP_ATTR_FLAG_EXTENDED ? u16(&a) : u8(&a);
		const uint8_t *v = bytes(&a, len);
		if (a.bad)
			break;
		if (type == BGP_ATTR_AS_PATH)
			path = v, path_n = len;
		else if (type == BGP_ATTR_AS4_PATH)
			path4 = v, path4_n = len;
		else if (type == BGP_ATTR_AGGREGATOR)
			agg = v, agg_n = len;
		else if (type == BGP_ATTR_AS4_AGGREGATOR)
			agg4 = v, agg4_n = len;
	}
	if (agg4 && (agg4_n != 8 || (agg && agg_n == 6 && (agg[0] << 8 | agg[1]) != BGP_AS_TRANS)))
		path4 = NULL, agg4 = NULL;
	uint32_t keep = UINT32_MAX;
	if (path && path4) {
		uint32_t all = path_count(path, path_n, 2), tail = path_count(path4, path4_n, 4);
		if (all == UINT32_MAX || tail == UINT32_MAX || tail > all)
			path4 = NULL;
		else
			keep = all - tail;
	}

	a = (struct cur){ p, n, false };
	size_t out = 0;
	while (a.left) {
		const uint8_t *start = a.p;
		uint8_t flags = u8(&a), type = u8(&a);
		size_t len = flags & BGP_ATTR_FLAG_EXTENDED ? u16(&a) : u8(&a);
		const uint8_t *v = bytes(&a, len);
		if (a.bad)
			break;
		if (type == BGP_ATTR_MP_UNREACH_NLRI)
			continue;
		if (type == BGP_ATTR_MP_REACH_NLRI) {
			/* AFI(2) SAFI(1) NH-len(1) NH ...: the next hop alone. */
			if (len < 4 || (size_t)v[3] + 4 > len)
				continue;
			uint8_t nhl = v[3];
			buf[out++] = BGP_ATTR_FLAG_OPTIONAL;
			buf[out++] = BGP_ATTR_MP_REACH_NLRI;
			buf[out++] = (uint8_t)(nhl + 1);
			buf[out++] = nhl;
			memcpy(buf + out, v + 4, nhl);
			out += nhl;
			continue;
		}
		if (!as4 && (type == BGP_ATTR_AS4_PATH || type == BGP_ATTR_AS4_AGGREGATOR))
			continue; /* merged into AS_PATH and AGGREGATOR */
		if (!as4 && type == BGP_ATTR_AS_PATH) {
			/* One AS_PATH only, the one measured above (mrt_parse_attrs
			 * reads the last of several): AS4_PATH's tail appended to
			 * each of many would outgrow MRT_RIB_ATTRS_MAX. */
			if (v != path)
				continue;
			size_t wide = widen_path(v, len, keep, path4, path4 ? path4_n : 0, buf + out + 4);
			if (wide > 65535)
				return SIZE_MAX;
			out = put_attr(buf, out, flags, type, wide);
			continue;
		}
		if (!as4 && type == BGP_ATTR_AGGREGATOR) {
			if (len != 6 || v != agg)
				continue; /* malformed: discarded (RFC 7606, 7.7) */
			uint8_t *w = buf + out + 4;
			if (agg4) {
				memcpy(w, agg4, 8);
			} else {
				w[0] = w[1] = 0;
				memcpy(w + 2, v, 6);
			}
			out = put_attr(buf, out, flags, type, 8);
			continue;
		}
		size_t whole = (size_t)(a.p - start);
		memcpy(buf + out, start, whole);
		out += whole;
	}
	return out;
}
