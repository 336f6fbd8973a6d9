/*
 * ctl/commands.c — a request line split into words and dispatched; the
 * commands other than show route (query.c): show protocols, show memory,
 * show status, help, and the writing ones (add route, delete route) where
 * the program allowed them.  docs/control.md is the reference.
 */
#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef RTMV2_VERSION
#define RTMV2_VERSION "unknown"
#endif

static const char help_text[] =
	"show status\n"
	"show protocols\n"
	"show memory\n"
	"show route [PREFIX|ADDRESS] [exact|longer] [protocol NAME] [view unicast|multicast] [all|best] "
	"[instance N] [count]\n"
	"show route count\n"
	"add route PREFIX via ADDRESS [via ADDRESS]... protocol NAME [pref N] [metric N] "
	"[view unicast|multicast|both]   (when writing is enabled)\n"
	"delete route PREFIX protocol NAME   (when writing is enabled)\n"
	"help\n"
	"quit\n";

/* ---- show protocols ------------------------------------------------------------------- */

struct ent_count {
	RTM_ENTITY_HANDLE h;
	char name[40];
	ULONG protocol, instance;
	unsigned long routes, ucast, mcast;
};

/* One table's entities and their routes; false if nothing could be written. */
static bool protocols_table(struct req *q, const rtm_rib_info *rib, bool first)
{
	struct rtm_control_out *o = q->o;
	RTM_ENTITY_HANDLE reg = q->reg.h;
	RTM_ENTITY_HANDLE *hs;
	RTM_ENTITY_INFO *infos;
	UINT n = ctl_entities(q, &hs, &infos);
	struct ent_count *e = n ? calloc(n, sizeof(*e)) : NULL;
	if (!e) {
		if (n)
			RtmReleaseEntities(reg, n, hs);
		free(hs);
		free(infos);
		return false;
	}
	for (UINT i = 0; i < n; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		e[i].h = hs[i];
		e[i].protocol = infos[i].EntityId.EntityProtocolId;
		e[i].instance = infos[i].EntityId.EntityInstanceId;
		ctl_name_of_info(q->c, &infos[i], e[i].name, sizeof(e[i].name));
	}
	/* One pass over every route of the table: its owner and views. */
	RTM_ROUTE_INFO *ri = malloc(RTM_SIZE_OF_ROUTE_INFO(q->reg.prof.MaxNextHopsInRoute));
	RTM_ENUM_HANDLE en;
	if (ri && RtmCreateRouteEnum(reg, NULL, RTM_VIEW_MASK_ANY, RTM_ENUM_START | RTM_ENUM_ALL_ROUTES, NULL,
				     RTM_MATCH_NONE, NULL, 0, &en) == NO_ERROR) {
		RTM_ROUTE_HANDLE rh[256];
		UINT max = q->reg.prof.MaxHandlesInEnum < 256 ? q->reg.prof.MaxHandlesInEnum : 256;
		for (;;) {
			UINT k = max;
			DWORD rc = RtmGetEnumRoutes(reg, en, &k, rh);
			for (UINT i = 0; i < k; i++) {
				if (RtmGetRouteInfo(reg, rh[i], ri, NULL) != NO_ERROR)
					continue;
				for (UINT j = 0; j < n; j++)
					if (e[j].h == ri->RouteOwner) {
						e[j].routes++;
						e[j].ucast += !!(ri->BelongsToViews & RTM_VIEW_MASK_UCAST);
						e[j].mcast += !!(ri->BelongsToViews & RTM_VIEW_MASK_MCAST);
						break;
					}
				RtmReleaseRouteInfo(reg, ri);
			}
			if (k)
				RtmReleaseRoutes(reg, k, rh);
			if (rc != NO_ERROR)
				break;
		}
		RtmDeleteEnumHandle(reg, en);
	}
	free(ri);
	rtm_stats st;
	memset(&st, 0, sizeof(st));
	rtm_get_stats(reg, &st);
	const char *fam = ctl_family_name(rib->family);
	if (o->json) {
		if (!first)
			ctl_out_str(o, ",");
		ctl_out_fmt(o, "{\"instance\":%u,\"family\":\"%s\",\"destinations\":%lu,\"routes\":%lu,\"entities\":[",
			    (unsigned)rib->instance, fam, st.dests, st.routes);
	} else {
		ctl_out_fmt(o, "%s instance %u: %lu entities, %lu routes for %lu destinations\n", fam,
			    (unsigned)rib->instance, (unsigned long)n, st.routes, st.dests);
		ctl_out_fmt(o, "  %-20s %-12s %10s %10s %10s\n", "name", "protocol", "routes", "unicast", "multicast");
	}
	for (UINT i = 0; i < n; i++) {
		if (o->json) {
			ctl_out_str(o, i ? ",{\"name\":" : "{\"name\":");
			ctl_out_json_str(o, e[i].name);
			ctl_out_fmt(o, ",\"protocol_id\":%lu,\"protocol_instance\":%lu,\"routes\":%lu,\"unicast\":%lu,"
				       "\"multicast\":%lu}",
				    (unsigned long)e[i].protocol, (unsigned long)e[i].instance, e[i].routes, e[i].ucast,
				    e[i].mcast);
		} else {
			char proto[32];
			snprintf(proto, sizeof(proto), "%lu.%lu", (unsigned long)e[i].protocol,
				 (unsigned long)e[i].instance);
			ctl_out_fmt(o, "  %-20s %-12s %10lu %10lu %10lu\n", e[i].name, proto, e[i].routes, e[i].ucast,
				    e[i].mcast);
		}
	}
	if (o->json)
		ctl_out_str(o, "]}");
	RtmReleaseEntities(reg, n, hs);
	free(hs);
	free(infos);
	free(e);
	return true;
}

static void show_protocols(struct req *q)
{
	rtm_rib_info ribs[CTL_MAX_REGS];
	UINT n = ctl_tables(q->c, ribs, CTL_MAX_REGS);
	if (q->o->json)
		ctl_out_str(q->o, "{\"tables\":[");
	bool first = true;
	for (UINT i = 0; i < n; i++) {
		if (!ctl_reg_get(q->c, ribs[i].instance, ribs[i].family, &q->reg))
			continue;
		if (protocols_table(q, &ribs[i], first))
			first = false;
	}
	if (q->o->json)
		ctl_out_str(q->o, "]}\n");
}

/* ---- show memory, show status ------------------------------------------------------------ */

/* The process's resident size and its peak, in KiB (0 where unknown). */
static void process_kib(unsigned long *rss, unsigned long *hwm)
{
	*rss = *hwm = 0;
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return;
	char line[128];
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "VmRSS:", 6))
			*rss = strtoul(line + 6, NULL, 10);
		else if (!strncmp(line, "VmHWM:", 6))
			*hwm = strtoul(line + 6, NULL, 10);
	}
	fclose(f);
}

/* Every table's counters: show memory (what is held) and show status (what
 * is waiting). */
static void table_counters(struct req *q, bool memory)
{
	struct rtm_control_out *o = q->o;
	rtm_rib_info ribs[CTL_MAX_REGS];
	UINT n = ctl_tables(q->c, ribs, CTL_MAX_REGS);
	if (o->json)
		ctl_out_str(o, "\"tables\":[");
	for (UINT i = 0; i < n; i++) {
		struct ctl_reg r;
		rtm_stats st;
		if (!ctl_reg_get(q->c, ribs[i].instance, ribs[i].family, &r) || rtm_get_stats(r.h, &st) != NO_ERROR)
			continue;
		const char *fam = ctl_family_name(ribs[i].family);
		if (o->json) {
			ctl_out_sep(o);
			ctl_out_fmt(o, "{\"instance\":%u,\"family\":\"%s\",\"entities\":%lu,", (unsigned)ribs[i].instance,
				    fam, st.entities);
			if (memory)
				ctl_out_fmt(o, "\"destinations\":%lu,\"routes\":%lu,\"next_hops\":%lu,\"handles\":%lu}",
					    st.dests, st.routes, st.next_hops, st.handles);
			else
				ctl_out_fmt(o, "\"queued_changes\":%lu,\"pending_timers\":%lu}", st.queued_changes,
					    st.pending_timers);
		} else if (memory) {
			ctl_out_fmt(o, "%s instance %u: %lu destinations, %lu routes, %lu next hops, %lu handles\n", fam,
				    (unsigned)ribs[i].instance, st.dests, st.routes, st.next_hops, st.handles);
		} else {
			ctl_out_fmt(o, "%s instance %u: %lu entities, %lu queued changes, %lu pending timers\n", fam,
				    (unsigned)ribs[i].instance, st.entities, st.queued_changes, st.pending_timers);
		}
	}
	if (o->json)
		ctl_out_str(o, "]");
	o->items = 0;
}

static void show_memory(struct req *q)
{
	unsigned long rss, hwm;
	process_kib(&rss, &hwm);
	if (q->o->json) {
		ctl_out_fmt(q->o, "{\"resident_kib\":%lu,\"peak_resident_kib\":%lu,", rss, hwm);
		table_counters(q, true);
		ctl_out_str(q->o, "}\n");
	} else {
		ctl_out_fmt(q->o, "process: %lu KiB resident, %lu KiB at most\n", rss, hwm);
		table_counters(q, true);
	}
}

static void show_status(struct req *q)
{
	rtm_control *c = q->c;
	struct rtm_control_out *o = q->o;
	pthread_mutex_lock(&c->mu);
	unsigned conns = c->conns;
	unsigned long served = c->served, refused = c->refused, requests = c->requests;
	unsigned n_status = c->n_status;
	struct ctl_status status[CTL_MAX_STATUS];
	memcpy(status, c->status, sizeof(status));
	pthread_mutex_unlock(&c->mu);
	long up = (long)(time(NULL) - c->started);
	bool write = c->opt.flags & RTM_CONTROL_WRITE;
	if (o->json) {
		ctl_out_fmt(o, "{\"version\":\"%s\",\"pid\":%ld,\"uptime_s\":%ld,\"write\":%s,\"connections\":%u,"
			       "\"served\":%lu,\"refused\":%lu,\"requests\":%lu,",
			    RTMV2_VERSION, (long)getpid(), up, write ? "true" : "false", conns, served, refused, requests);
		table_counters(q, false);
		ctl_out_str(o, ",\"status\":{");
		for (unsigned i = 0; i < n_status; i++) {
			ctl_out_str(o, i ? ",\"" : "\"");
			ctl_out_str(o, status[i].name); /* names are [A-Za-z0-9_.-] */
			ctl_out_str(o, "\":{");
			o->items = 0;
			status[i].fn(status[i].context, o);
			ctl_out_str(o, "}");
		}
		ctl_out_str(o, "}}\n");
		return;
	}
	ctl_out_fmt(o, "rtmv2 %s, pid %ld, up %ld s\n", RTMV2_VERSION, (long)getpid(), up);
	ctl_out_fmt(o, "control: %u connections, %lu served, %lu refused, %lu requests, writing %s\n", conns, served,
		    refused, requests, write ? "enabled" : "disabled");
	table_counters(q, false);
	for (unsigned i = 0; i < n_status; i++) {
		ctl_out_fmt(o, "%s:\n", status[i].name);
		status[i].fn(status[i].context, o);
	}
}

/* ---- add route, delete route ------------------------------------------------------------- */

/* The route to change: PREFIX ... protocol NAME, parsed into its table's
 * registration and the named entity's handle (referenced). */
struct change {
	RTM_NET_ADDRESS dest;
	RTM_NET_ADDRESS nh[8];
	unsigned n_nh;
	const char *protocol;
	unsigned long pref, metric;
	RTM_VIEW_SET views;
};

/* The program's handle for the entity named name in q->reg's table (the
 * one that writes), or NULL. */
static RTM_ENTITY_HANDLE writer(struct req *q, const char *name)
{
	rtm_control *c = q->c;
	RTM_ENTITY_HANDLE h = NULL;
	pthread_mutex_lock(&c->mu);
	for (unsigned i = 0; i < c->n_names && !h; i++)
		if (!strcmp(c->names[i].name, name) && c->names[i].family == q->reg.family &&
		    c->names[i].instance == q->reg.instance)
			h = c->names[i].h;
	pthread_mutex_unlock(&c->mu);
	return h;
}

static void change_route(struct req *q, bool add)
{
	struct change ch;
	memset(&ch, 0, sizeof(ch));
	ch.pref = 20; /* RTMv2's samples' static preference order: between local and RIP */
	ch.views = RTM_VIEW_MASK_UCAST;
	bool is_prefix;
	const char *w = ctl_next_word(q, "a prefix");
	if (!w)
		return;
	if (!ctl_parse_addr(w, &ch.dest, &is_prefix) || !is_prefix) {
		ctl_fail(q, "bad prefix: %s", w);
		return;
	}
	unsigned long instance = 0;
	while (q->at < q->n && !q->error) {
		w = q->w[q->at++];
		static const char *const keys[] = { "via", "protocol", "pref", "metric", "view", "instance" };
		bool known = false;
		for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			known |= !strcmp(w, keys[i]) && (add || i == 1 || i == 5);
		if (!known) {
			ctl_fail(q, "unknown word: %s", w);
			return;
		}
		const char *v = ctl_next_word(q, "a value");
		if (!v)
			return;
		if (add && !strcmp(w, "via")) {
			bool p;
			if (ch.n_nh == 8 || !ctl_parse_addr(v, &ch.nh[ch.n_nh], &p) || p ||
			    ch.nh[ch.n_nh].AddressFamily != ch.dest.AddressFamily)
				ctl_fail(q, "bad next hop: %s", v);
			ch.n_nh++;
		} else if (!strcmp(w, "protocol")) {
			ch.protocol = v;
		} else if (add && !strcmp(w, "pref")) {
			if (!ctl_parse_ulong(v, 0xffffffffUL, &ch.pref))
				ctl_fail(q, "bad pref: %s", v);
		} else if (add && !strcmp(w, "metric")) {
			if (!ctl_parse_ulong(v, 0xffffffffUL, &ch.metric))
				ctl_fail(q, "bad metric: %s", v);
		} else if (add && !strcmp(w, "view")) {
			ch.views = !strcmp(v, "unicast")     ? RTM_VIEW_MASK_UCAST
				   : !strcmp(v, "multicast") ? RTM_VIEW_MASK_MCAST
				   : !strcmp(v, "both")      ? RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST
							     : 0;
			if (!ch.views)
				ctl_fail(q, "bad view: %s", v);
		} else if (!strcmp(w, "instance")) {
			if (!ctl_parse_ulong(v, 65535, &instance))
				ctl_fail(q, "bad instance: %s", v);
		} else {
			ctl_fail(q, "unknown word: %s", w);
		}
	}
	if (q->error)
		return;
	if (!ch.protocol || (add && !ch.n_nh)) {
		ctl_fail(q, add ? "add route needs via ADDRESS and protocol NAME" : "delete route needs protocol NAME");
		return;
	}
	rtm_rib_info ribs[CTL_MAX_REGS];
	UINT n_ribs = ctl_tables(q->c, ribs, CTL_MAX_REGS);
	bool exists = false;
	for (UINT i = 0; i < n_ribs; i++)
		exists |= ribs[i].instance == instance && ribs[i].family == ch.dest.AddressFamily;
	if (!exists || !ctl_reg_get(q->c, (USHORT)instance, ch.dest.AddressFamily, &q->reg)) {
		ctl_fail(q, "no %s table of instance %lu", ctl_family_name(ch.dest.AddressFamily), instance);
		return;
	}
	RTM_ENTITY_HANDLE h = writer(q, ch.protocol);
	if (!h) {
		ctl_fail(q, "no entity named %s in that table", ch.protocol);
		return;
	}
	DWORD rc;
	if (add) {
		union {
			RTM_ROUTE_INFO r;
			char room[RTM_SIZE_OF_ROUTE_INFO(8)];
		} ri;
		memset(&ri, 0, sizeof(ri));
		ri.r.PrefInfo.Preference = ch.pref;
		ri.r.PrefInfo.Metric = ch.metric;
		ri.r.BelongsToViews = ch.views;
		rc = NO_ERROR;
		/* Through a pointer: NextHops is declared [1] and the union gives it
		 * room for 8; indexing the array itself past 0 is out of its bounds. */
		RTM_NEXTHOP_HANDLE *hops = ri.r.NextHopsList.NextHops;
		for (unsigned i = 0; i < ch.n_nh && rc == NO_ERROR; i++) {
			RTM_NEXTHOP_INFO ni;
			memset(&ni, 0, sizeof(ni));
			ni.NextHopAddress = ch.nh[i];
			RTM_NEXTHOP_HANDLE nh = NULL;
			DWORD ch_flags = 0;
			rc = RtmAddNextHop(h, &ni, &nh, &ch_flags);
			if (rc == NO_ERROR)
				hops[ri.r.NextHopsList.NumNextHops++] = nh;
		}
		if (rc == NO_ERROR) { /* no Neighbour: the entity's neighbourless route to the prefix */
			RTM_ROUTE_HANDLE rh = NULL;
			RTM_ROUTE_CHANGE_FLAGS flags = 0;
			rc = RtmAddRouteToDest(h, &rh, &ch.dest, &ri.r, INFINITE, NULL, 0, NULL, &flags);
			if (rc == NO_ERROR)
				RtmReleaseRoutes(h, 1, &rh);
		}
		if (ri.r.NextHopsList.NumNextHops)
			RtmReleaseNextHops(h, ri.r.NextHopsList.NumNextHops, ri.r.NextHopsList.NextHops);
	} else {
		/* The entity's routes to the prefix (it may have several, one per neighbour). */
		RTM_ROUTE_HANDLE rh[64];
		UINT n = 0;
		RTM_ENUM_HANDLE en;
		rc = ERROR_NOT_FOUND;
		union {
			RTM_DEST_INFO d;
			char room[RTM_SIZE_OF_DEST_INFO(2)];
		} di;
		if (RtmGetExactMatchDestination(h, &ch.dest, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ANY, &di.d) == NO_ERROR) {
			if (RtmCreateRouteEnum(h, di.d.DestHandle, RTM_VIEW_MASK_ANY, RTM_ENUM_OWN_ROUTES, NULL,
					       RTM_MATCH_NONE, NULL, 0, &en) == NO_ERROR) {
				n = q->reg.prof.MaxHandlesInEnum < 64 ? q->reg.prof.MaxHandlesInEnum : 64;
				if (RtmGetEnumRoutes(h, en, &n, rh) != NO_ERROR && !n)
					n = 0;
				RtmDeleteEnumHandle(h, en);
			}
			RtmReleaseDestInfo(h, &di.d);
		}
		for (UINT i = 0; i < n; i++) {
			RTM_ROUTE_CHANGE_FLAGS flags = 0;
			if (RtmDeleteRouteToDest(h, rh[i], &flags) == NO_ERROR)
				rc = NO_ERROR;
			else
				RtmReleaseRoutes(h, 1, &rh[i]);
		}
	}
	if (rc != NO_ERROR)
		ctl_fail(q, "%s", rtm_strerror(rc));
	else if (q->o->json)
		ctl_out_str(q->o, "{}\n");
}

/* ---- the dispatch --------------------------------------------------------------------- */

bool ctl_request(rtm_control *c, struct rtm_control_out *o, char *line)
{
	struct req *q = calloc(1, sizeof(*q));
	if (!q) {
		ctl_out_str(o, "%error out of memory\n");
		return true;
	}
	q->c = c;
	q->o = o;
	/* strtok_r: strtok's position is one for the process, and connections
	 * run their requests on threads of their own at the same time. */
	char *save = NULL;
	for (char *s = strtok_r(line, " \t", &save); s && q->n < MAX_WORDS; s = strtok_r(NULL, " \t", &save))
		q->w[q->n++] = s;
	bool go_on = true;
	if (ctl_word_is(q, "json"))
		o->json = true;
	if (q->n == MAX_WORDS) {
		ctl_fail(q, "too many words");
	} else if (q->at == q->n) {
		/* an empty line: just the status */
	} else if (ctl_word_is(q, "quit")) {
		go_on = false;
	} else if (ctl_word_is(q, "help")) {
		if (o->json) { /* one JSON document, as every json answer */
			ctl_out_str(o, "{\"help\":");
			ctl_out_json_str(o, help_text);
			ctl_out_str(o, "}\n");
		} else {
			ctl_out_str(o, help_text);
		}
	} else if (ctl_word_is(q, "show")) {
		if (ctl_word_is(q, "status"))
			show_status(q);
		else if (ctl_word_is(q, "protocols"))
			show_protocols(q);
		else if (ctl_word_is(q, "memory"))
			show_memory(q);
		else if (ctl_word_is(q, "route") || ctl_word_is(q, "routes"))
			q->at + 1 == q->n && !strcmp(q->w[q->at], "count") ? ctl_show_route_count(q) : ctl_show_route(q);
		else
			ctl_fail(q, "show what? (status, protocols, memory, route)");
	} else if ((q->at + 1 < q->n && !strcmp(q->w[q->at], "add")) || !strcmp(q->w[q->at], "delete")) {
		bool add = !strcmp(q->w[q->at++], "add");
		if (!ctl_word_is(q, "route"))
			ctl_fail(q, "%s what? (route)", add ? "add" : "delete");
		else if (!(c->opt.flags & RTM_CONTROL_WRITE))
			ctl_fail(q, "writing is not enabled on this socket");
		else
			change_route(q, add);
	} else {
		ctl_fail(q, "unknown command: %s (try help)", q->w[q->at]);
	}
	if (q->error) {
		/* What was already written stays; the status says it went wrong. */
		ctl_out_str(o, "%error ");
		ctl_out_str(o, q->error);
		ctl_out_str(o, "\n");
	} else {
		ctl_out_str(o, "%ok\n");
	}
	free(q);
	return go_on;
}
