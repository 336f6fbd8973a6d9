/*
 * ctl/query.c — the control socket's commands (docs/control.md): parsing a
 * request line and answering it, in text or JSON, through the public API
 * only, as the server's own entity of each table (ctl_reg_get).
 *
 * Reading a table.  `show route` enumerates destinations (the best route of
 * each) or routes (all of them) in batches of the table's MaxHandlesInEnum;
 * each batch is formatted into the answer's buffer, which goes to the client
 * whenever it fills, and released before the next: a table of any size
 * streams in constant memory, and the table's writers never wait for it.
 * Owners' names and next hops' addresses are kept in small caches for the
 * length of one request (the handles they are keyed by stay referenced by
 * the routes being shown while they are used).
 */
#include "query.h"

#include <rtmv2/rtmv2_ext.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef RTMV2_VERSION
#define RTMV2_VERSION "unknown"
#endif

/* ---- the server's registrations --------------------------------------------------------- */

/* Is the registration still the server's?  (A program may deregister every
 * entity it is told of, the server's included.) */
static bool reg_live(const struct ctl_reg *r)
{
	RTM_ENTITY_INFO ei;
	if (!r->h || RtmGetEntityInfo(r->h, r->h, &ei) != NO_ERROR)
		return false;
	RtmReleaseEntityInfo(r->h, &ei);
	return true;
}

bool ctl_reg_get(rtm_control *c, USHORT instance, USHORT family, struct ctl_reg *out)
{
	pthread_mutex_lock(&c->reg_mu);
	struct ctl_reg *r = NULL;
	for (unsigned i = 0; i < c->n_regs && !r; i++)
		if (c->regs[i].instance == instance && c->regs[i].family == family)
			r = &c->regs[i];
	if (r && !reg_live(r))
		r->h = NULL; /* gone: registered again below */
	if (!r && c->n_regs < CTL_MAX_REGS) {
		r = &c->regs[c->n_regs++];
		r->instance = instance;
		r->family = family;
		r->h = NULL;
	}
	if (r && !r->h) {
		RTM_ENTITY_INFO ei;
		memset(&ei, 0, sizeof(ei));
		ei.RtmInstanceId = instance;
		ei.AddressFamily = family;
		ei.EntityId.EntityProtocolId = RTM_CONTROL_PROTOCOL_ID;
		ei.EntityId.EntityInstanceId = RTM_CONTROL_ENTITY_INSTANCE;
		if (RtmRegisterEntity(&ei, NULL, NULL, FALSE, &r->prof, &r->h) != NO_ERROR)
			r->h = NULL;
	}
	bool ok = r && r->h;
	if (ok)
		*out = *r; /* a copy: the slot may change under other requests */
	pthread_mutex_unlock(&c->reg_mu);
	return ok;
}

void ctl_regs_release(rtm_control *c)
{
	for (unsigned i = 0; i < c->n_regs; i++)
		if (c->regs[i].h)
			RtmDeregisterEntity(c->regs[i].h);
	c->n_regs = 0;
}

/* ---- one request ---------------------------------------------------------------------- */

void ctl_fail(struct req *q, const char *fmt, ...)
{
	if (q->error)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q->error_buf, sizeof(q->error_buf), fmt, ap);
	va_end(ap);
	q->error = q->error_buf;
}

const char *ctl_family_name(USHORT f)
{
	return f == AF_INET ? "ipv4" : f == AF_INET6 ? "ipv6" : "unknown";
}

/* n in decimal at p; the end.  (A route's line is written without printf:
 * three formatted calls per route were half of a dump's time.) */
static char *put_ulong(char *p, unsigned long n)
{
	char t[24];
	unsigned k = 0;
	do
		t[k++] = (char)('0' + n % 10);
	while (n /= 10);
	while (k)
		*p++ = t[--k];
	return p;
}

void ctl_addr_text(const RTM_NET_ADDRESS *a, char *out, size_t size, bool with_len)
{
	char t[INET6_ADDRSTRLEN + 8] = "?";
	char *p = t + 1;
	if (a->AddressFamily == AF_INET) {
		/* inet_ntop's text, without its sprintf */
		p = t;
		for (unsigned i = 0; i < 4; i++) {
			if (i)
				*p++ = '.';
			p = put_ulong(p, a->AddrBits[i]);
		}
	} else if (a->AddressFamily == AF_INET6 && inet_ntop(AF_INET6, a->AddrBits, t, INET6_ADDRSTRLEN)) {
		p = t + strlen(t);
	}
	if (with_len) {
		*p++ = '/';
		p = put_ulong(p, a->NumBits);
	}
	if (size) { /* snprintf's truncation */
		size_t n = (size_t)(p - t) < size ? (size_t)(p - t) : size - 1;
		memcpy(out, t, n);
		out[n] = 0;
	}
}

/* "10.0.0.0/8", "2001:db8::/32" (*is_prefix true) or an address (false). */
bool ctl_parse_addr(const char *s, RTM_NET_ADDRESS *a, bool *is_prefix)
{
	char t[INET6_ADDRSTRLEN + 8];
	if (strlen(s) >= sizeof(t))
		return false;
	strcpy(t, s);
	char *slash = strchr(t, '/');
	long len = -1;
	if (slash) {
		*slash = 0;
		char *end;
		if (!isdigit((unsigned char)slash[1]))
			return false;
		len = strtol(slash + 1, &end, 10);
		if (*end)
			return false;
	}
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, t, a->AddrBits) == 1)
		a->AddressFamily = AF_INET;
	else if (inet_pton(AF_INET6, t, a->AddrBits) == 1)
		a->AddressFamily = AF_INET6;
	else
		return false;
	unsigned max = a->AddressFamily == AF_INET ? 32 : 128;
	if (len > (long)max)
		return false;
	a->NumBits = (USHORT)(len < 0 ? max : len);
	*is_prefix = slash != NULL;
	/* bits past the length cleared */
	for (unsigned b = a->NumBits; b < max; b++)
		a->AddrBits[b / 8] &= (UCHAR) ~(0x80 >> (b % 8));
	return true;
}

const char *ctl_nh_text(struct req *q, RTM_NEXTHOP_HANDLE h)
{
	size_t i = ((uintptr_t)h >> 4 ^ (uintptr_t)h >> 12) % NH_CACHE;
	if (q->nh[i].h != h) {
		RTM_NEXTHOP_INFO ni;
		q->nh[i].h = NULL;
		if (RtmGetNextHopInfo(q->reg.h, h, &ni) != NO_ERROR)
			return "?";
		ctl_addr_text(&ni.NextHopAddress, q->nh[i].text, sizeof(q->nh[i].text), false);
		RtmReleaseNextHopInfo(q->reg.h, &ni);
		q->nh[i].h = h;
	}
	return q->nh[i].text;
}

/* The name an entity is shown by: the program's name for it, or proto-P.I. */
void ctl_name_of_info(rtm_control *c, const RTM_ENTITY_INFO *ei, char *out, size_t size)
{
	pthread_mutex_lock(&c->mu);
	for (unsigned i = 0; i < c->n_names; i++) {
		const struct ctl_name *n = &c->names[i];
		if (n->family == ei->AddressFamily && n->instance == ei->RtmInstanceId &&
		    n->protocol == ei->EntityId.EntityProtocolId && n->proto_instance == ei->EntityId.EntityInstanceId) {
			snprintf(out, size, "%s", n->name);
			pthread_mutex_unlock(&c->mu);
			return;
		}
	}
	pthread_mutex_unlock(&c->mu);
	if (ei->EntityId.EntityProtocolId == RTM_CONTROL_PROTOCOL_ID)
		snprintf(out, size, "control");
	else
		snprintf(out, size, "proto-%lu.%lu", (unsigned long)ei->EntityId.EntityProtocolId,
			 (unsigned long)ei->EntityId.EntityInstanceId);
}

static const char *owner_name(struct req *q, RTM_ENTITY_HANDLE h)
{
	for (unsigned i = 0; i < q->n_owner; i++)
		if (q->owner[i].h == h)
			return q->owner[i].name;
	RTM_ENTITY_INFO ei;
	if (RtmGetEntityInfo(q->reg.h, h, &ei) != NO_ERROR)
		return "?";
	unsigned i = q->n_owner < OWNER_CACHE ? q->n_owner++ : OWNER_CACHE - 1;
	q->owner[i].h = h;
	ctl_name_of_info(q->c, &ei, q->owner[i].name, sizeof(q->owner[i].name));
	RtmReleaseEntityInfo(q->reg.h, &ei);
	return q->owner[i].name;
}

UINT ctl_entities(struct req *q, RTM_ENTITY_HANDLE **hs, RTM_ENTITY_INFO **infos)
{
	*hs = NULL;
	*infos = NULL;
	UINT n = 0;
	for (int tries = 0; tries < 8; tries++) { /* entities may come between two calls */
		UINT room = n;
		DWORD rc = RtmGetRegisteredEntities(q->reg.h, &n, *hs, *infos);
		if (rc == NO_ERROR)
			return n;
		free(*hs);
		free(*infos);
		*hs = NULL;
		*infos = NULL;
		if (rc != ERROR_INSUFFICIENT_BUFFER || n <= room)
			break;
		n += 8;
		*hs = malloc(n * sizeof(**hs));
		*infos = malloc(n * sizeof(**infos));
		if (!*hs || !*infos)
			break;
	}
	free(*hs);
	free(*infos);
	*hs = NULL;
	*infos = NULL;
	return 0;
}

/* The handle, in the table being read, of the entity the program named NAME. */
RTM_ENTITY_HANDLE ctl_find_named(struct req *q, const char *name)
{
	RTM_ENTITY_HANDLE *hs;
	RTM_ENTITY_INFO *infos;
	UINT n = ctl_entities(q, &hs, &infos);
	RTM_ENTITY_HANDLE found = NULL;
	for (UINT i = 0; i < n; i++) {
		char t[40];
		ctl_name_of_info(q->c, &infos[i], t, sizeof(t));
		if (!found && strcmp(t, name) == 0)
			found = hs[i];
		else
			RtmReleaseEntities(q->reg.h, 1, &hs[i]);
	}
	free(hs);
	free(infos);
	return found;
}

static const char *views_text(RTM_VIEW_SET v)
{
	bool u = v & RTM_VIEW_MASK_UCAST, m = v & RTM_VIEW_MASK_MCAST;
	return u && m ? "unicast,multicast" : u ? "unicast" : m ? "multicast" : "none";
}

/* One route, a line or a JSON object. */
static void put_route(struct req *q, const char *prefix, const RTM_ROUTE_INFO *r, bool best)
{
	struct rtm_control_out *o = q->o;
	const char *owner = owner_name(q, r->RouteOwner);
	if (o->json) {
		ctl_out_sep(o);
		ctl_out_str(o, "{\"prefix\":");
		ctl_out_json_str(o, prefix);
		ctl_out_fmt(o, ",\"family\":\"%s\",\"instance\":%u,\"protocol\":", ctl_family_name(q->reg.family),
			    (unsigned)q->reg.instance);
		ctl_out_json_str(o, owner);
		ctl_out_fmt(o, ",\"preference\":%lu,\"metric\":%lu,\"next_hops\":[",
			    (unsigned long)r->PrefInfo.Preference, (unsigned long)r->PrefInfo.Metric);
		for (UINT i = 0; i < r->NextHopsList.NumNextHops; i++) {
			if (i)
				ctl_out_str(o, ",");
			ctl_out_json_str(o, ctl_nh_text(q, r->NextHopsList.NextHops[i]));
		}
		ctl_out_str(o, "],\"neighbour\":");
		if (r->Neighbour)
			ctl_out_json_str(o, ctl_nh_text(q, r->Neighbour));
		else
			ctl_out_str(o, "null");
		ctl_out_fmt(o, ",\"views\":\"%s\",\"best\":%s}\n", views_text(r->BelongsToViews),
			    best ? "true" : "false");
		return;
	}
	ctl_out_str(o, prefix);
	for (UINT i = 0; i < r->NextHopsList.NumNextHops; i++) {
		ctl_out_str(o, i ? "," : " via ");
		ctl_out_str(o, ctl_nh_text(q, r->NextHopsList.NextHops[i]));
	}
	char t[128], *p = t;
	*p++ = ' ';
	p = stpcpy(p, owner); /* at most 39 characters (OWNER_CACHE's names) */
	p = put_ulong(stpcpy(p, " pref "), r->PrefInfo.Preference);
	p = put_ulong(stpcpy(p, " metric "), r->PrefInfo.Metric);
	*p++ = ' ';
	p = stpcpy(p, views_text(r->BelongsToViews));
	ctl_out_bytes(o, t, (size_t)(p - t));
	if (q->reg.instance)
		ctl_out_fmt(o, " instance %u", (unsigned)q->reg.instance);
	ctl_out_str(o, best ? " *\n" : "\n");
}

/* ---- show route -------------------------------------------------------------------------- */

struct route_query {
	bool have_addr, is_prefix, exact, longer, all, count;
	RTM_NET_ADDRESS addr;
	const char *protocol;
	RTM_VIEW_SET view;
	long instance;             /* -1: every instance */
	unsigned long routes, dests;
};

/* Shows (or counts) the routes of one destination. */
static void dest_routes(struct req *q, struct route_query *rq, const RTM_DEST_INFO *d, RTM_ROUTE_INFO *ri)
{
	char prefix[INET6_ADDRSTRLEN + 8];
	ctl_addr_text(&d->DestAddress, prefix, sizeof(prefix), true);
	RTM_ENTITY_HANDLE reg = q->reg.h;
	RTM_ROUTE_HANDLE best = d->ViewInfo[0].Route;
	bool counted = false;
	if (!rq->all) {
		if (!best || RtmGetRouteInfo(reg, best, ri, NULL) != NO_ERROR)
			return;
		if (!q->want_owner || ri->RouteOwner == q->want_owner) {
			rq->routes++, rq->dests++;
			if (!rq->count)
				put_route(q, prefix, ri, true);
		}
		RtmReleaseRouteInfo(reg, ri);
		return;
	}
	RTM_ENUM_HANDLE en;
	if (RtmCreateRouteEnum(reg, d->DestHandle, rq->view, RTM_ENUM_ALL_ROUTES, NULL, RTM_MATCH_NONE, NULL, 0,
			       &en) != NO_ERROR)
		return;
	RTM_ROUTE_HANDLE hs[64];
	UINT max = q->reg.prof.MaxHandlesInEnum < 64 ? q->reg.prof.MaxHandlesInEnum : 64;
	for (;;) {
		UINT n = max;
		DWORD rc = RtmGetEnumRoutes(reg, en, &n, hs);
		for (UINT i = 0; i < n; i++) {
			if (RtmGetRouteInfo(reg, hs[i], ri, NULL) != NO_ERROR)
				continue;
			if (!q->want_owner || ri->RouteOwner == q->want_owner) {
				rq->routes++;
				if (!counted)
					rq->dests++, counted = true;
				if (!rq->count)
					put_route(q, prefix, ri, hs[i] == best);
			}
			RtmReleaseRouteInfo(reg, ri);
		}
		if (n)
			RtmReleaseRoutes(reg, n, hs);
		if (rc != NO_ERROR || q->o->failed)
			break;
	}
	RtmDeleteEnumHandle(reg, en);
}

static void route_table(struct req *q, struct route_query *rq)
{
	RTM_ENTITY_HANDLE reg = q->reg.h;
	q->want_owner = NULL;
	if (rq->protocol && !(q->want_owner = ctl_find_named(q, rq->protocol)))
		return; /* no such entity in this table: nothing of it to show */
	size_t dsize = RTM_SIZE_OF_DEST_INFO(1);
	RTM_ROUTE_INFO *ri = malloc(RTM_SIZE_OF_ROUTE_INFO(q->reg.prof.MaxNextHopsInRoute));
	UINT batch = q->reg.prof.MaxHandlesInEnum ? q->reg.prof.MaxHandlesInEnum : 1;
	if (batch > 256)
		batch = 256;
	char *ds = malloc(dsize * batch);
	if (!ri || !ds) {
		ctl_fail(q, "out of memory");
		goto out;
	}
	if (rq->have_addr && !rq->longer) {
		RTM_DEST_INFO *d = (RTM_DEST_INFO *)ds;
		DWORD rc = rq->is_prefix || rq->exact
				   ? RtmGetExactMatchDestination(reg, &rq->addr, RTM_BEST_PROTOCOL, rq->view, d)
				   : RtmGetMostSpecificDestination(reg, &rq->addr, RTM_BEST_PROTOCOL, rq->view, d);
		if (rc == NO_ERROR) {
			dest_routes(q, rq, d, ri);
			RtmReleaseDestInfo(reg, d);
		}
		goto out;
	}
	RTM_ENUM_HANDLE en;
	DWORD rc = RtmCreateDestEnum(reg, rq->view, rq->have_addr ? RTM_ENUM_RANGE : RTM_ENUM_START,
				     rq->have_addr ? &rq->addr : NULL, RTM_BEST_PROTOCOL, &en);
	if (rc != NO_ERROR) {
		ctl_fail(q, "%s", rtm_strerror(rc));
		goto out;
	}
	for (;;) {
		UINT n = batch;
		rc = RtmGetEnumDests(reg, en, &n, (RTM_DEST_INFO *)ds);
		for (UINT i = 0; i < n && !q->o->failed; i++) {
			RTM_DEST_INFO *d = (RTM_DEST_INFO *)(ds + i * dsize);
			if (d->ViewInfo[0].NumRoutes)
				dest_routes(q, rq, d, ri);
		}
		if (n)
			RtmReleaseDests(reg, n, (RTM_DEST_INFO *)ds);
		if (rc != NO_ERROR || q->o->failed)
			break;
	}
	RtmDeleteEnumHandle(reg, en);
out:
	if (q->want_owner)
		RtmReleaseEntities(reg, 1, &q->want_owner);
	free(ri);
	free(ds);
}

bool ctl_word_is(struct req *q, const char *w)
{
	if (q->at < q->n && strcmp(q->w[q->at], w) == 0) {
		q->at++;
		return true;
	}
	return false;
}

const char *ctl_next_word(struct req *q, const char *what)
{
	if (q->at < q->n)
		return q->w[q->at++];
	ctl_fail(q, "%s expected", what);
	return NULL;
}

bool ctl_parse_ulong(const char *s, unsigned long max, unsigned long *v)
{
	char *end;
	if (!s || !isdigit((unsigned char)*s))
		return false;
	unsigned long x = strtoul(s, &end, 10);
	if (*end || x > max)
		return false;
	*v = x;
	return true;
}

/* The tables of the process, in rtm_get_ribs' order; their number. */
UINT ctl_tables(rtm_control *c, rtm_rib_info *ribs, UINT room)
{
	UINT n = room;
	DWORD rc = rtm_get_ribs(ribs, &n);
	n = rc == NO_ERROR || rc == ERROR_INSUFFICIENT_BUFFER ? (n < room ? n : room) : 0;
	/* A table whose only entity is the server's own (the program's have
	 * left it) is not shown, and the server leaves it too: a table re-reads
	 * its configuration when its first entity comes, which the server's
	 * staying would prevent. */
	UINT k = 0;
	for (UINT i = 0; i < n; i++) {
		bool ours = false;
		pthread_mutex_lock(&c->reg_mu);
		for (unsigned j = 0; j < c->n_regs; j++) {
			struct ctl_reg *r = &c->regs[j];
			if (r->instance != ribs[i].instance || r->family != ribs[i].family || !r->h)
				continue;
			if (!reg_live(r)) {
				r->h = NULL;
			} else if (ribs[i].entities <= 1) {
				RtmDeregisterEntity(r->h);
				r->h = NULL;
				ribs[i].entities = 0;
			} else {
				ours = true;
			}
		}
		pthread_mutex_unlock(&c->reg_mu);
		if (ribs[i].entities > (ours ? 1u : 0u))
			ribs[k++] = ribs[i];
	}
	return k;
}

void ctl_show_route(struct req *q)
{
	struct route_query rq;
	memset(&rq, 0, sizeof(rq));
	rq.view = RTM_VIEW_MASK_UCAST;
	rq.instance = -1;
	while (q->at < q->n && !q->error) {
		const char *w = q->w[q->at++];
		unsigned long v = 0; /* (read only when parsed; clang cannot tell) */
		if (!strcmp(w, "exact")) {
			rq.exact = true;
		} else if (!strcmp(w, "longer")) {
			rq.longer = true;
		} else if (!strcmp(w, "all")) {
			rq.all = true;
		} else if (!strcmp(w, "best")) {
			rq.all = false;
		} else if (!strcmp(w, "count")) {
			rq.count = true;
		} else if (!strcmp(w, "protocol")) {
			rq.protocol = ctl_next_word(q, "a protocol name");
		} else if (!strcmp(w, "instance")) {
			const char *s = ctl_next_word(q, "an instance number");
			if (s && !ctl_parse_ulong(s, 65535, &v))
				ctl_fail(q, "bad instance: %s", s);
			rq.instance = (long)v;
		} else if (!strcmp(w, "view")) {
			const char *s = ctl_next_word(q, "a view");
			if (s && !strcmp(s, "unicast"))
				rq.view = RTM_VIEW_MASK_UCAST;
			else if (s && !strcmp(s, "multicast"))
				rq.view = RTM_VIEW_MASK_MCAST;
			else if (s)
				ctl_fail(q, "bad view: %s (unicast or multicast)", s);
		} else if (!rq.have_addr && ctl_parse_addr(w, &rq.addr, &rq.is_prefix)) {
			rq.have_addr = true;
		} else {
			ctl_fail(q, "unknown word: %s", w);
		}
	}
	if (q->error)
		return;
	if (rq.longer && !rq.have_addr) {
		ctl_fail(q, "longer needs a prefix");
		return;
	}
	if (q->o->json)
		ctl_out_str(q->o, rq.count ? "{" : "{\"routes\":[\n");
	rtm_rib_info ribs[CTL_MAX_REGS];
	UINT n = ctl_tables(q->c, ribs, CTL_MAX_REGS);
	for (UINT i = 0; i < n && !q->o->failed; i++) {
		if (rq.instance >= 0 && ribs[i].instance != rq.instance)
			continue;
		if (rq.have_addr && ribs[i].family != rq.addr.AddressFamily)
			continue;
		if (!ctl_reg_get(q->c, ribs[i].instance, ribs[i].family, &q->reg))
			continue;
		route_table(q, &rq);
		if (q->error)
			break;
	}
	if (q->o->json) {
		/* Closed even after an error: the document stays JSON, the
		 * error a member of it (and the status line's message). */
		ctl_out_fmt(q->o, "%s\"routes_shown\":%lu,\"destinations\":%lu", rq.count ? "\"count\":true," : "],",
			    rq.routes, rq.dests);
		if (q->error) {
			ctl_out_str(q->o, ",\"error\":");
			ctl_out_json_str(q->o, q->error);
		}
		ctl_out_str(q->o, "}\n");
	}
	else if (rq.count && !q->error)
		ctl_out_fmt(q->o, "%lu routes for %lu destinations\n", rq.routes, rq.dests);
}

/* show route count with nothing else: every table's counters. */
void ctl_show_route_count(struct req *q)
{
	struct rtm_control_out *o = q->o;
	rtm_rib_info ribs[CTL_MAX_REGS];
	UINT n = ctl_tables(q->c, ribs, CTL_MAX_REGS);
	unsigned long dests = 0, routes = 0;
	if (o->json)
		ctl_out_str(o, "{\"tables\":[");
	for (UINT i = 0; i < n; i++) {
		struct ctl_reg r;
		rtm_stats st;
		if (!ctl_reg_get(q->c, ribs[i].instance, ribs[i].family, &r) || rtm_get_stats(r.h, &st) != NO_ERROR)
			continue;
		dests += st.dests;
		routes += st.routes;
		if (o->json) {
			ctl_out_sep(o);
			ctl_out_fmt(o, "{\"instance\":%u,\"family\":\"%s\",\"destinations\":%lu,\"routes\":%lu}",
				    (unsigned)ribs[i].instance, ctl_family_name(ribs[i].family), st.dests, st.routes);
		} else {
			ctl_out_fmt(o, "%s instance %u: %lu routes for %lu destinations\n", ctl_family_name(ribs[i].family),
				    (unsigned)ribs[i].instance, st.routes, st.dests);
		}
	}
	if (o->json)
		ctl_out_fmt(o, "],\"destinations\":%lu,\"routes\":%lu}\n", dests, routes);
	else
		ctl_out_fmt(o, "total: %lu routes for %lu destinations\n", routes, dests);
}

