/*
 * demo.c — the main job of rtmv2: two routing protocols share one routing
 * table manager, on a real full Internet table.
 *
 * usage: demo TABLE.txt.gz        (make demo runs it on data/full-table-2023.txt.gz)
 *
 * It uses only the public API (<rtmv2.h>, <rtmv2/rtmv2_ext.h>, and
 * <routprot.h> for the protocol ids) and says what happens as it goes:
 *
 *   1. "BGP" (PROTO_IP_BGP, 14) and "OSPF" (PROTO_IP_OSPF, 13) register for IPv4 and
 *      IPv6 and see each other's RTM_ENTITY_REGISTERED events; each adds its
 *      32 neighbours as next hops and finds one again; the registered
 *      entities are listed; OSPF invokes a method that BGP exports.
 *   2. Both load the whole table: BGP with preference 20, OSPF with
 *      preference 110 (lower wins), next hops drawn from their neighbours.
 *      Load time, memory, best routes per protocol and a few longest-match
 *      answers are printed.
 *   3. A third entity, a forwarding-table agent, registers for best-route
 *      changes; BGP withdraws (deregisters); the agent drains the changes it
 *      was told about, OSPF now answers the same lookups, and an enumeration
 *      lists the prefixes of 193.0.0.0/16.
 *   5. As root: the kernel FIB agent (librtmv2-fib, <rtmv2/fib.h>) puts the
 *      best routes of a second RTM instance into a kernel table of a private
 *      network namespace, and follows BGP's withdrawal there; otherwise it
 *      says why it skips.
 */
#include <routprot.h>
#include <rtmv2.h>
#include <rtmv2/fib.h>
#include <rtmv2/mrt.h>
#include <rtmv2/rtmv2_ext.h>

#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <sys/wait.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NEIGHBOURS 32u
/* The forwarding-table agent is no routing protocol: a private id, above the
 * 16 bits of the PROTO_IP_* numbers, so that it is nobody's. */
#define PROTO_FIB 0x10000u
#define PREF_BGP 20u
#define PREF_OSPF 110u

/* ---- small helpers ------------------------------------------------------------ */

static const char *proto_name(ULONG proto)
{
	switch (proto) {
	case PROTO_IP_BGP:
		return "BGP";
	case PROTO_IP_OSPF:
		return "OSPF";
	case PROTO_FIB:
		return "FIB agent";
	default:
		return "protocol ?";
	}
}

static const char *family_name(USHORT af)
{
	return af == AF_INET ? "IPv4" : af == AF_INET6 ? "IPv6" : "?";
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static size_t rss_bytes(void)
{
	char line[256];
	size_t kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = (size_t)strtoull(line + 6, NULL, 10);
	fclose(f);
	return kb * 1024;
}

/* Stops the demo with the failing call and its error. */
static void check(DWORD err, const char *what)
{
	if (err != NO_ERROR) {
		printf("  !! %s failed: %lu (%s)\n", what, (unsigned long)err, rtm_strerror(err));
		exit(1);
	}
}

/* "a.b.c.d/len" or "x:y::z/len" */
static const char *fmt_net(const RTM_NET_ADDRESS *a, char *buf, size_t size)
{
	char ip[INET6_ADDRSTRLEN];

	if (!inet_ntop(a->AddressFamily, a->AddrBits, ip, sizeof(ip)))
		snprintf(ip, sizeof(ip), "?");
	snprintf(buf, size, "%s/%u", ip, a->NumBits);
	return buf;
}

/* Parses "addr" or "addr/len" into an RTM_NET_ADDRESS (a host address without /len). */
static RTM_NET_ADDRESS net(const char *text)
{
	RTM_NET_ADDRESS a;
	char ip[INET6_ADDRSTRLEN + 4];
	const char *slash = strchr(text, '/');
	size_t n = slash ? (size_t)(slash - text) : strlen(text);

	memset(&a, 0, sizeof(a));
	snprintf(ip, sizeof(ip), "%.*s", (int)n, text);
	if (inet_pton(AF_INET, ip, a.AddrBits) == 1) {
		a.AddressFamily = AF_INET;
		a.NumBits = (USHORT)(slash ? atoi(slash + 1) : 32);
	} else if (inet_pton(AF_INET6, ip, a.AddrBits) == 1) {
		a.AddressFamily = AF_INET6;
		a.NumBits = (USHORT)(slash ? atoi(slash + 1) : 128);
	} else {
		printf("  !! bad address %s\n", text);
		exit(1);
	}
	return a;
}

/* ---- the entities ----------------------------------------------------------------- */

struct entity {
	const char *name;
	USHORT af;
	ULONG proto;
	RTM_ENTITY_HANDLE h;
	RTM_REGN_PROFILE profile;
	RTM_NEXTHOP_HANDLE nh[NEIGHBOURS];
	unsigned long changes_signalled; /* RTM_CHANGE_NOTIFICATION callbacks */
	unsigned long events;
	int quiet;                       /* don't print entity events */
};

/* The event callback of every entity; the context tells who is being called. */
static struct entity *entities[8];
static unsigned n_entities;

static struct entity *entity_of(RTM_ENTITY_HANDLE h)
{
	for (unsigned i = 0; i < n_entities; i++)
		if (entities[i]->h == h)
			return entities[i];
	return NULL;
}

static DWORD WINAPI on_event(RTM_ENTITY_HANDLE me, RTM_EVENT_TYPE type, PVOID c1, PVOID c2)
{
	struct entity *e = entity_of(me);
	const char *who = e ? e->name : "?";
	PRTM_ENTITY_INFO info = c2;

	(void)c1;
	if (e)
		e->events++;
	switch (type) {
	case RTM_ENTITY_REGISTERED:
	case RTM_ENTITY_DEREGISTERED:
		if (e && e->quiet)
			break;
		printf("    [%s %s callback] %s: %s (protocol %lu, instance %lu) in %s\n", who,
		       family_name(e ? e->af : 0),
		       type == RTM_ENTITY_REGISTERED ? "RTM_ENTITY_REGISTERED" : "RTM_ENTITY_DEREGISTERED",
		       proto_name(info->EntityId.EntityProtocolId),
		       (unsigned long)info->EntityId.EntityProtocolId,
		       (unsigned long)info->EntityId.EntityInstanceId, family_name(info->AddressFamily));
		break;
	case RTM_CHANGE_NOTIFICATION:
		/* Changes are pending; the agent drains them later, in its own time. */
		if (e && e->changes_signalled++ == 0)
			printf("    [%s callback] RTM_CHANGE_NOTIFICATION: best-route changes are "
			       "pending\n", who);
		break;
	case RTM_ROUTE_EXPIRED:
		break;
	}
	return NO_ERROR;
}

/* BGP's exported method: the AS path it "learnt" a prefix with. */
static VOID WINAPI bgp_as_path(RTM_ENTITY_HANDLE caller, RTM_ENTITY_HANDLE callee,
			       RTM_ENTITY_METHOD_INPUT *in, RTM_ENTITY_METHOD_OUTPUT *out)
{
	static const struct {
		const char *prefix, *path;
	} paths[] = {
		{ "8.8.8.0/24", "3356 15169" },
		{ "1.1.1.0/24", "174 13335" },
		{ "193.0.14.0/24", "1299 25152" },
	};
	char prefix[64];
	const char *path = "(not learnt by BGP)";

	(void)caller;
	(void)callee;
	snprintf(prefix, sizeof(prefix), "%.*s", (int)(in->InputSize < 63 ? in->InputSize : 63),
		 (const char *)in->InputData);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (strcmp(prefix, paths[i].prefix) == 0)
			path = paths[i].path;
	int n = snprintf((char *)out->OutputData, out->OutputSize, "AS path of %s: %s", prefix, path);
	if (n < 0 || (UINT)n >= out->OutputSize) {
		out->MethodStatus = ERROR_INSUFFICIENT_BUFFER;
		return;
	}
	out->OutputSize = (UINT)n + 1;
	out->MethodStatus = NO_ERROR;
}

static union {
	RTM_ENTITY_EXPORT_METHODS m;
	char bytes[sizeof(RTM_ENTITY_EXPORT_METHODS)];
} bgp_methods = { .m = { .NumMethods = 1, .Methods = { bgp_as_path } } };

static void register_entity(struct entity *e, const char *name, USHORT af, ULONG proto,
			    PRTM_ENTITY_EXPORT_METHODS methods)
{
	RTM_ENTITY_INFO info;

	memset(e, 0, sizeof(*e));
	e->name = name;
	e->af = af;
	e->proto = proto;
	entities[n_entities++] = e;
	memset(&info, 0, sizeof(info));
	info.RtmInstanceId = 0;
	info.AddressFamily = af;
	info.EntityId.EntityProtocolId = proto;
	info.EntityId.EntityInstanceId = 1;
	printf("  %s registers for %s%s\n", name, family_name(af),
	       methods ? " (exporting 1 method)" : "");
	check(RtmRegisterEntity(&info, methods, on_event, FALSE, &e->profile, &e->h),
	      "RtmRegisterEntity");
}

/* Adds the entity's 32 neighbours: 10.<k>.0.1..32 or 2001:db8:<k>::1..32. */
static void add_neighbours(struct entity *e, unsigned k, int verbose)
{
	for (unsigned i = 0; i < NEIGHBOURS; i++) {
		char text[64];
		RTM_NEXTHOP_INFO nhi;
		RTM_NEXTHOP_CHANGE_FLAGS fl = 0;

		if (e->af == AF_INET)
			snprintf(text, sizeof(text), "10.%u.0.%u", k, i + 1);
		else
			snprintf(text, sizeof(text), "2001:db8:%u::%u", k, i + 1);
		memset(&nhi, 0, sizeof(nhi));
		nhi.NextHopAddress = net(text);
		nhi.InterfaceIndex = i + 1;
		check(RtmAddNextHop(e->h, &nhi, &e->nh[i], &fl), "RtmAddNextHop");
		if (verbose && (i < 2 || i == NEIGHBOURS - 1))
			printf("    %s adds next hop %s on interface %u: %s\n", e->name, text, i + 1,
			       fl & RTM_NEXTHOP_CHANGE_NEW ? "RTM_NEXTHOP_CHANGE_NEW" : "updated");
		else if (verbose && i == 2)
			printf("    ...\n");
	}
}

static void release_neighbours(struct entity *e)
{
	check(RtmReleaseNextHops(e->h, NEIGHBOURS, e->nh), "RtmReleaseNextHops");
}

/* ---- part 1 ----------------------------------------------------------------------- */

static void find_next_hop(struct entity *asker, const char *addr, ULONG ifindex)
{
	RTM_NEXTHOP_INFO nhi, info;
	RTM_NEXTHOP_HANDLE h = NULL;
	char buf[64];

	memset(&nhi, 0, sizeof(nhi));
	nhi.NextHopAddress = net(addr);
	nhi.InterfaceIndex = ifindex;
	DWORD err = RtmFindNextHop(asker->h, &nhi, &h, NULL);
	if (err != NO_ERROR) {
		printf("    %s looks for next hop %s on interface %lu: error %lu, %s\n", asker->name,
		       addr, (unsigned long)ifindex, (unsigned long)err, rtm_strerror(err));
		return;
	}
	check(RtmGetNextHopInfo(asker->h, h, &info), "RtmGetNextHopInfo");
	RTM_ENTITY_INFO owner;
	check(RtmGetEntityInfo(asker->h, info.NextHopOwner, &owner), "RtmGetEntityInfo");
	printf("    %s finds next hop %s: interface %lu, owner %s, state %s\n", asker->name,
	       fmt_net(&info.NextHopAddress, buf, sizeof(buf)), (unsigned long)info.InterfaceIndex,
	       proto_name(owner.EntityId.EntityProtocolId),
	       info.State == RTM_NEXTHOP_STATE_CREATED ? "created" : "deleted");
	RtmReleaseEntityInfo(asker->h, &owner);
	RtmReleaseNextHopInfo(asker->h, &info);
	RtmReleaseNextHops(asker->h, 1, &h);
}

static void list_entities(struct entity *asker)
{
	RTM_ENTITY_HANDLE handles[8];
	RTM_ENTITY_INFO infos[8];
	UINT n = 8;

	check(RtmGetRegisteredEntities(asker->h, &n, handles, infos), "RtmGetRegisteredEntities");
	printf("  RtmGetRegisteredEntities (%s, asked by %s): %u entities\n", family_name(asker->af),
	       asker->name, n);
	for (UINT i = 0; i < n; i++)
		printf("    %u. %-5s protocol %2lu, instance %lu, RTM instance %u, %s\n", i + 1,
		       proto_name(infos[i].EntityId.EntityProtocolId),
		       (unsigned long)infos[i].EntityId.EntityProtocolId,
		       (unsigned long)infos[i].EntityId.EntityInstanceId, infos[i].RtmInstanceId,
		       family_name(infos[i].AddressFamily));
	RtmReleaseEntities(asker->h, n, handles);
}

static void invoke_method(struct entity *caller, struct entity *callee, const char *prefix)
{
	union {
		RTM_ENTITY_METHOD_INPUT in;
		char bytes[sizeof(RTM_ENTITY_METHOD_INPUT) + 64];
	} in;
	union {
		RTM_ENTITY_METHOD_OUTPUT out;
		char bytes[sizeof(RTM_ENTITY_METHOD_OUTPUT) + 128];
	} out;
	RTM_ENTITY_EXPORT_METHOD methods[4];
	UINT nmethods = 4, size = sizeof(out);

	check(RtmGetEntityMethods(caller->h, callee->h, &nmethods, methods), "RtmGetEntityMethods");
	printf("  %s asks for %s's methods: %u exported\n", caller->name, callee->name, nmethods);
	memset(&in, 0, sizeof(in));
	in.in.MethodType = METHOD_BGP4_AS_PATH;
	in.in.InputSize = (UINT)strlen(prefix) + 1;
	memcpy(in.in.InputData, prefix, in.in.InputSize);
	memset(&out, 0, sizeof(out));
	check(RtmInvokeMethod(caller->h, callee->h, &in.in, &size, &out.out), "RtmInvokeMethod");
	printf("  %s invokes METHOD_BGP4_AS_PATH(\"%s\") on %s: status %s, %u bytes out:\n"
	       "    \"%s\"\n",
	       caller->name, prefix, callee->name, rtm_strerror(out.out.MethodStatus), size,
	       out.out.MethodStatus == NO_ERROR ? (const char *)out.out.OutputData : "");
}

/* ---- part 2: the table ------------------------------------------------------------ */

struct table {
	size_t n;
	RTM_NET_ADDRESS *a; /* IPv4 and IPv6 mixed, in file order */
	size_t n4, n6;
};

static void read_table(const char *path, struct table *t)
{
	char cmd[4096], line[256];
	size_t cap = 0;

	memset(t, 0, sizeof(*t));
	if (strchr(path, '\'') || access(path, R_OK) != 0) {
		printf("demo: cannot read the table %s\n", path);
		exit(1);
	}
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
	FILE *p = popen(cmd, "r");
	if (!p) {
		perror("popen");
		exit(1);
	}
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (!strchr(line, '/'))
			continue;
		if (t->n == cap) {
			cap = cap ? cap * 2 : 1u << 20;
			t->a = realloc(t->a, cap * sizeof(*t->a));
			if (!t->a) {
				perror("realloc");
				exit(1);
			}
		}
		t->a[t->n] = net(line);
		if (t->a[t->n].AddressFamily == AF_INET)
			t->n4++;
		else
			t->n6++;
		t->n++;
	}
	if (pclose(p) != 0 || t->n == 0) {
		printf("demo: could not read the table %s\n", path);
		exit(1);
	}
}

/* Adds every prefix of the entity's family; next hop i % 32 (BGP), (i + 7) % 32 (OSPF). */
static size_t load(struct entity *e, const struct table *t, ULONG pref, unsigned shift)
{
	union {
		RTM_ROUTE_INFO ri;
		char bytes[RTM_SIZE_OF_ROUTE_INFO(1)];
	} u;
	size_t added = 0;

	memset(&u, 0, sizeof(u));
	u.ri.PrefInfo.Preference = pref;
	u.ri.BelongsToViews = RTM_VIEW_MASK_UCAST;
	u.ri.NextHopsList.NumNextHops = 1;
	for (size_t i = 0; i < t->n; i++) {
		RTM_ROUTE_CHANGE_FLAGS fl = 0;

		if (t->a[i].AddressFamily != e->af)
			continue;
		RTM_NEXTHOP_HANDLE nh = e->nh[(added + shift) % NEIGHBOURS];
		u.ri.Neighbour = nh;
		u.ri.NextHopsList.NextHops[0] = nh;
		u.ri.PrefInfo.Metric = 1 + (ULONG)(added % 16);
		check(RtmAddRouteToDest(e->h, NULL, &t->a[i], &u.ri, INFINITE, NULL, 0, NULL, &fl),
		      "RtmAddRouteToDest");
		added++;
	}
	return added;
}

/* How many destinations of the asker's family have their best route owned by
 * each protocol: one exact-match query per prefix. */
static void count_best(struct entity *asker, const struct table *t, const char *when)
{
	size_t bgp = 0, ospf = 0, other = 0, none = 0;
	double t0 = now();

	for (size_t i = 0; i < t->n; i++) {
		RTM_DEST_INFO di;
		RTM_ENTITY_INFO owner;

		if (t->a[i].AddressFamily != asker->af)
			continue;
		DWORD err = RtmGetExactMatchDestination(asker->h, &t->a[i], RTM_BEST_PROTOCOL,
							RTM_VIEW_MASK_UCAST, &di);
		if (err == ERROR_NOT_FOUND) {
			none++;
			continue;
		}
		check(err, "RtmGetExactMatchDestination");
		if (di.ViewInfo[0].Owner &&
		    RtmGetEntityInfo(asker->h, di.ViewInfo[0].Owner, &owner) == NO_ERROR) {
			ULONG p = owner.EntityId.EntityProtocolId;
			bgp += p == PROTO_IP_BGP;
			ospf += p == PROTO_IP_OSPF;
			other += p != PROTO_IP_BGP && p != PROTO_IP_OSPF;
			RtmReleaseEntityInfo(asker->h, &owner);
		} else {
			none++;
		}
		check(RtmReleaseDestInfo(asker->h, &di), "RtmReleaseDestInfo");
	}
	printf("  best routes %s, %s: BGP %zu, OSPF %zu, other %zu, no route %zu "
	       "(%.2f s of exact-match queries)\n", when, family_name(asker->af), bgp, ospf, other,
	       none, now() - t0);
}

/* The longest-match answer for one address: prefix, owner, preference,
 * metric and next hop of the best route. */
static void show_lookup(struct entity *asker, const char *addr)
{
	RTM_NET_ADDRESS a = net(addr);
	RTM_DEST_INFO di;
	char buf[64], nhbuf[64];

	DWORD err = RtmGetMostSpecificDestination(asker->h, &a, RTM_BEST_PROTOCOL,
						  RTM_VIEW_MASK_UCAST, &di);
	if (err == ERROR_NOT_FOUND) {
		printf("    %-22s -> no route\n", addr);
		return;
	}
	check(err, "RtmGetMostSpecificDestination");
	union {
		RTM_ROUTE_INFO ri;
		char bytes[RTM_SIZE_OF_ROUTE_INFO(64)];
	} u;
	RTM_ENTITY_INFO owner;
	RTM_NEXTHOP_INFO nh;
	check(RtmGetRouteInfo(asker->h, di.ViewInfo[0].Route, &u.ri, NULL), "RtmGetRouteInfo");
	check(RtmGetEntityInfo(asker->h, u.ri.RouteOwner, &owner), "RtmGetEntityInfo");
	snprintf(nhbuf, sizeof(nhbuf), "none");
	if (u.ri.NextHopsList.NumNextHops &&
	    RtmGetNextHopInfo(asker->h, u.ri.NextHopsList.NextHops[0], &nh) == NO_ERROR) {
		char ip[INET6_ADDRSTRLEN];
		inet_ntop(nh.NextHopAddress.AddressFamily, nh.NextHopAddress.AddrBits, ip, sizeof(ip));
		snprintf(nhbuf, sizeof(nhbuf), "%s if %lu", ip, (unsigned long)nh.InterfaceIndex);
		RtmReleaseNextHopInfo(asker->h, &nh);
	}
	printf("    %-22s -> %-20s %-4s pref %3lu metric %2lu via %s\n", addr,
	       fmt_net(&di.DestAddress, buf, sizeof(buf)), proto_name(owner.EntityId.EntityProtocolId),
	       (unsigned long)u.ri.PrefInfo.Preference, (unsigned long)u.ri.PrefInfo.Metric, nhbuf);
	RtmReleaseEntityInfo(asker->h, &owner);
	RtmReleaseRouteInfo(asker->h, &u.ri);
	RtmReleaseDestInfo(asker->h, &di);
}

static const char *const LOOKUPS[] = {
	"8.8.8.8", "1.1.1.1", "193.0.14.129", "2001:4860:4860::8888", "2606:4700:4700::1111",
};

static void show_lookups(struct entity *v4, struct entity *v6)
{
	for (size_t i = 0; i < sizeof(LOOKUPS) / sizeof(LOOKUPS[0]); i++)
		show_lookup(strchr(LOOKUPS[i], ':') ? v6 : v4, LOOKUPS[i]);
}

/* ---- part 3: notification and enumeration ---------------------------------------- */

/* Drains the agent's pending best-route changes; prints the first few. */
static void drain_changes(struct entity *agent, RTM_NOTIFY_HANDLE nh)
{
	UINT max = agent->profile.MaxHandlesInEnum;
	size_t entry = RTM_SIZE_OF_DEST_INFO(1);
	char *buf = malloc(entry * max);
	size_t total = 0, batches = 0, by_ospf = 0, gone = 0;
	double t0 = now();

	if (!buf)
		exit(1);
	for (;;) {
		UINT num = max;
		DWORD err = RtmGetChangedDests(agent->h, nh, &num, (PRTM_DEST_INFO)(void *)buf);
		if (err != NO_ERROR && err != ERROR_NO_MORE_ITEMS)
			check(err, "RtmGetChangedDests");
		for (UINT i = 0; i < num; i++) {
			PRTM_DEST_INFO di = (PRTM_DEST_INFO)(void *)(buf + i * entry);
			RTM_ENTITY_INFO owner;
			ULONG proto = 0;
			char pbuf[64];

			if (di->NumberOfViews && di->ViewInfo[0].Owner &&
			    RtmGetEntityInfo(agent->h, di->ViewInfo[0].Owner, &owner) == NO_ERROR) {
				proto = owner.EntityId.EntityProtocolId;
				RtmReleaseEntityInfo(agent->h, &owner);
			}
			by_ospf += proto == PROTO_IP_OSPF;
			gone += proto == 0;
			if (total + i < 5)
				printf("    changed: %-18s best route now %s\n",
				       fmt_net(&di->DestAddress, pbuf, sizeof(pbuf)),
				       proto ? proto_name(proto) : "none");
		}
		if (num)
			check(RtmReleaseChangedDests(agent->h, nh, num, (PRTM_DEST_INFO)(void *)buf),
			      "RtmReleaseChangedDests");
		total += num;
		batches++;
		if (err == ERROR_NO_MORE_ITEMS || num == 0)
			break;
	}
	printf("    ...\n  the agent drained %zu changed destinations in %zu batches of <= %u "
	       "(%.2f s): best route now OSPF's for %zu, none for %zu\n", total, batches, max,
	       now() - t0, by_ospf, gone);
	free(buf);
}

static void enumerate_range(struct entity *asker, const char *range)
{
	RTM_NET_ADDRESS a = net(range);
	RTM_ENUM_HANDLE eh = NULL;
	UINT max = asker->profile.MaxHandlesInEnum;
	size_t entry = RTM_SIZE_OF_DEST_INFO(1), total = 0, batches = 0;
	char *buf;

	DWORD err = RtmCreateDestEnum(asker->h, RTM_VIEW_MASK_UCAST,
				      RTM_ENUM_RANGE | RTM_ENUM_ALL_DESTS, &a, RTM_BEST_PROTOCOL, &eh);
	check(err, "RtmCreateDestEnum");
	buf = malloc(entry * max);
	if (!buf)
		exit(1);
	printf("  %s enumerates the destinations in %s (RTM_ENUM_RANGE):\n", asker->name, range);
	for (;;) {
		UINT num = max;
		err = RtmGetEnumDests(asker->h, eh, &num, (PRTM_DEST_INFO)(void *)buf);
		if (err != NO_ERROR && err != ERROR_NO_MORE_ITEMS)
			check(err, "RtmGetEnumDests");
		for (UINT i = 0; i < num; i++) {
			PRTM_DEST_INFO di = (PRTM_DEST_INFO)(void *)(buf + i * entry);
			char pbuf[64];

			printf("%s%-17s", (total + i) % 5 == 0 ? "    " : " ",
			       fmt_net(&di->DestAddress, pbuf, sizeof(pbuf)));
			if ((total + i) % 5 == 4)
				printf("\n");
		}
		if (num)
			check(RtmReleaseDests(asker->h, num, (PRTM_DEST_INFO)(void *)buf),
			      "RtmReleaseDests");
		total += num;
		batches++;
		if (err == ERROR_NO_MORE_ITEMS || num == 0)
			break;
	}
	if (total % 5)
		printf("\n");
	printf("  %zu destinations in %s, in address order, %zu batch%s of <= %u\n", total, range,
	       batches, batches == 1 ? "" : "es", max);
	check(RtmDeleteEnumHandle(asker->h, eh), "RtmDeleteEnumHandle");
	free(buf);
}

/* ---- main ----------------------------------------------------------------------------- */

/* ---- the table as an MRT file -------------------------------------------------------- */

/* The table both protocols loaded, written as TABLE_DUMP_V2 and read back
 * into a fresh RTM instance (<rtmv2/mrt.h>). */
static void mrt_part(struct entity *v4, struct entity *v6)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/rtmv2-demo.%d.mrt", (int)getpid());
	rtm_mrt_stats st;
	double t0 = now();
	check(rtm_mrt_dump(path, v4->h, v6->h, NULL, &st), "rtm_mrt_dump");
	double td = now() - t0;
	printf("  written as TABLE_DUMP_V2 to %s: %lu routes of %lu peers in %lu records, %.2f s "
	       "(%.2f M routes/s)\n", path, st.routes, st.peers, st.records, td, (double)st.routes / td / 1e6);
	if (system("command -v bgpdump >/dev/null 2>&1") == 0) {
		char cmd[160];
		snprintf(cmd, sizeof(cmd), "bgpdump -m %s 2>/dev/null | head -n 3 | sed 's/^/    bgpdump: /'", path);
		fflush(stdout);
		(void)!system(cmd);
	} else {
		printf("    (bgpdump is not installed: apt-get install bgpdump shows the file's first lines)\n");
	}
	RTM_ENTITY_HANDLE r4 = NULL, r6 = NULL;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_INFO ei;
	memset(&ei, 0, sizeof(ei));
	ei.RtmInstanceId = 2;
	ei.EntityId.EntityProtocolId = PROTO_IP_BGP;
	ei.AddressFamily = AF_INET;
	check(RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &r4), "RtmRegisterEntity");
	ei.AddressFamily = AF_INET6;
	check(RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &r6), "RtmRegisterEntity");
	t0 = now();
	check(rtm_mrt_load(path, r4, r6, NULL, &st), "rtm_mrt_load");
	double tl = now() - t0;
	rtm_stats s4, s6;
	check(rtm_get_stats(r4, &s4), "rtm_get_stats");
	check(rtm_get_stats(r6, &s6), "rtm_get_stats");
	printf("  read back into RTM instance 2: %lu routes, %lu peers, %lu skipped in %.2f s (%.2f M routes/s); "
	       "it holds %lu IPv4 and %lu IPv6 destinations, %lu routes\n",
	       st.routes, st.peers, st.skipped, tl, (double)st.routes / tl / 1e6, s4.dests, s6.dests,
	       s4.routes + s6.routes);
	check(RtmDeregisterEntity(r4), "RtmDeregisterEntity");
	check(RtmDeregisterEntity(r6), "RtmDeregisterEntity");
	unlink(path);
}

/* ---- part 5: the kernel's forwarding table ---------------------------------------- */

#define KERNEL_ROUTES 100000u
#define KERNEL_TABLE 100u

static int sh(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* Routes of the kernel's table KERNEL_TABLE whose line contains match. */
static unsigned kernel_routes(const char *match)
{
	char line[512], cmd[64];
	unsigned n = 0;
	snprintf(cmd, sizeof(cmd), "ip -4 route show table %u", KERNEL_TABLE);
	FILE *f = popen(cmd, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, match) != NULL;
	pclose(f);
	return n;
}

/* One protocol of instance 1: registered, its gateway on veth0, the first
 * KERNEL_ROUTES IPv4 prefixes of the table. */
static RTM_ENTITY_HANDLE kernel_protocol(ULONG proto, const char *gw, ULONG pref, unsigned ifx,
					 const struct table *t)
{
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h;
	memset(&info, 0, sizeof(info));
	info.RtmInstanceId = 1;
	info.AddressFamily = AF_INET;
	info.EntityId.EntityProtocolId = proto;
	info.EntityId.EntityInstanceId = 1;
	check(RtmRegisterEntity(&info, NULL, NULL, FALSE, &prof, &h), "RtmRegisterEntity");
	RTM_NEXTHOP_INFO nhi;
	RTM_NEXTHOP_CHANGE_FLAGS nfl = 0;
	RTM_NEXTHOP_HANDLE nh = NULL;
	memset(&nhi, 0, sizeof(nhi));
	nhi.NextHopAddress = net(gw);
	nhi.InterfaceIndex = ifx;
	check(RtmAddNextHop(h, &nhi, &nh, &nfl), "RtmAddNextHop");
	RTM_ROUTE_INFO ri;
	memset(&ri, 0, sizeof(ri));
	ri.PrefInfo.Preference = pref;
	ri.BelongsToViews = RTM_VIEW_MASK_UCAST;
	ri.NextHopsList.NumNextHops = 1;
	ri.NextHopsList.NextHops[0] = nh;
	for (size_t i = 0, added = 0; i < t->n && added < KERNEL_ROUTES; i++) {
		RTM_ROUTE_CHANGE_FLAGS fl = 0;
		if (t->a[i].AddressFamily != AF_INET)
			continue;
		check(RtmAddRouteToDest(h, NULL, &t->a[i], &ri, INFINITE, NULL, 0, NULL, &fl),
		      "RtmAddRouteToDest");
		added++;
	}
	check(RtmReleaseNextHops(h, 1, &nh), "RtmReleaseNextHops");
	return h;
}

static void kernel_part(const struct table *t)
{
	printf("\n5. The kernel's forwarding table follows (the FIB agent, librtmv2-fib)\n");
	if (geteuid() != 0) {
		printf("  skipped: run as root to see it (it makes a private network namespace and "
		       "changes that namespace's routes)\n");
		return;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		printf("  skipped: no private network namespace here (%s)\n", strerror(errno));
		return;
	}
	if (sh("ip link set lo up && ip link add veth0 type veth peer name veth1 && "
	       "ip link set veth0 up && ip link set veth1 up && ip addr add 192.0.2.1/24 dev veth0") != 0) {
		printf("  skipped: iproute2's ip could not set up the namespace (apt-get install iproute2)\n");
		return;
	}
	unsigned ifx = if_nametoindex("veth0");
	printf("  in a private network namespace: veth0 192.0.2.1/24; RTM instance 1: BGP via 192.0.2.2 "
	       "(preference %u) and OSPF via 192.0.2.3 (preference %u) add the first %u IPv4 prefixes\n",
	       PREF_BGP, PREF_OSPF, KERNEL_ROUTES);
	RTM_ENTITY_HANDLE bgp = kernel_protocol(PROTO_IP_BGP, "192.0.2.2", PREF_BGP, ifx, t);
	RTM_ENTITY_HANDLE ospf = kernel_protocol(PROTO_IP_OSPF, "192.0.2.3", PREF_OSPF, ifx, t);
	rtm_fib_options o = { .instance_id = 1, .family = AF_INET, .table = KERNEL_TABLE };
	rtm_fib_agent *agent = NULL;
	rtm_fib_stats st;
	double t0 = now();
	check(rtm_fib_start(&o, &agent, &st), "rtm_fib_start");
	printf("  the agent starts: %lu best routes into kernel table %u in %.2f s (%.0f k routes/s); "
	       "%lu refused\n", st.installed, KERNEL_TABLE, now() - t0,
	       (double)st.installed / (now() - t0) / 1e3, st.failed);
	printf("  the kernel's table: %u routes via BGP's 192.0.2.2, %u via OSPF's 192.0.2.3\n",
	       kernel_routes("via 192.0.2.2 "), kernel_routes("via 192.0.2.3 "));
	t0 = now();
	check(RtmDeregisterEntity(bgp), "RtmDeregisterEntity");
	check(rtm_fib_wait_idle(agent, 60000), "rtm_fib_wait_idle");
	double tw = now() - t0;
	check(rtm_fib_get_stats(agent, &st), "rtm_fib_get_stats");
	printf("  BGP withdraws: %.2f s later the kernel has all %lu replacements: %u routes via BGP, "
	       "%u via OSPF\n", tw, st.replaced, kernel_routes("via 192.0.2.2 "),
	       kernel_routes("via 192.0.2.3 "));
	check(rtm_fib_stop(agent), "rtm_fib_stop");
	check(RtmDeregisterEntity(ospf), "RtmDeregisterEntity");
	printf("  the agent stops and takes its routes out: %u left in table %u\n", kernel_routes(""),
	       KERNEL_TABLE);
}

int main(int argc, char **argv)
{
	struct entity bgp4, ospf4, bgp6, ospf6, agent;
	struct table t;
	double t0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s TABLE.txt.gz\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("rtmv2 demo: two routing protocols sharing one Routing Table Manager (RTMv2 API)\n\n");

	printf("1. Registration, events, next hops, methods\n");
	/* RTM_ENTITY_REGISTERED goes to the entities already registered, so BGP
	 * registers first for IPv4 and OSPF first for IPv6: each sees the other. */
	register_entity(&bgp4, "BGP", AF_INET, PROTO_IP_BGP, &bgp_methods.m);
	register_entity(&ospf4, "OSPF", AF_INET, PROTO_IP_OSPF, NULL);
	register_entity(&ospf6, "OSPF", AF_INET6, PROTO_IP_OSPF, NULL);
	register_entity(&bgp6, "BGP", AF_INET6, PROTO_IP_BGP, &bgp_methods.m);
	printf("  registration profile: MaxNextHopsInRoute %u, MaxHandlesInEnum %u, "
	       "views 0x%lx (%u)\n", bgp4.profile.MaxNextHopsInRoute, bgp4.profile.MaxHandlesInEnum,
	       (unsigned long)bgp4.profile.ViewsSupported, bgp4.profile.NumberOfViews);
	printf("  next hops: each protocol adds its %u neighbours in each family\n", NEIGHBOURS);
	add_neighbours(&bgp4, 0, 1);
	add_neighbours(&ospf4, 1, 1);
	add_neighbours(&bgp6, 0, 0);
	add_neighbours(&ospf6, 1, 0);
	{
		/* Adding an existing next hop again updates it. */
		RTM_NEXTHOP_INFO nhi;
		RTM_NEXTHOP_CHANGE_FLAGS fl = 0;
		memset(&nhi, 0, sizeof(nhi));
		nhi.NextHopAddress = net("10.0.0.7");
		nhi.InterfaceIndex = 7;
		check(RtmAddNextHop(bgp4.h, &nhi, NULL, &fl), "RtmAddNextHop");
		printf("    BGP adds 10.0.0.7 on interface 7 again: %s\n",
		       fl & RTM_NEXTHOP_CHANGE_NEW ? "RTM_NEXTHOP_CHANGE_NEW" : "updated (flags 0)");
	}
	find_next_hop(&bgp4, "10.0.0.7", 7);
	find_next_hop(&ospf4, "10.1.0.7", 7);
	find_next_hop(&ospf4, "10.0.0.7", 7); /* BGP's: next-hop lists are private */
	list_entities(&ospf4);
	invoke_method(&ospf4, &bgp4, "8.8.8.0/24");

	printf("\n2. The full table, as both protocols\n");
	t0 = now();
	read_table(argv[1], &t);
	printf("  read %zu prefixes (%zu IPv4, %zu IPv6) from %s in %.2f s\n", t.n, t.n4, t.n6,
	       argv[1], now() - t0);
	size_t rss0 = rss_bytes();
	t0 = now();
	size_t nb = load(&bgp4, &t, PREF_BGP, 0) + load(&bgp6, &t, PREF_BGP, 0);
	double tb = now() - t0;
	size_t rss1 = rss_bytes();
	printf("  BGP  loads %zu routes (preference %u) in %.2f s: %.2f M routes/s, "
	       "%.0f bytes of memory per route\n", nb, PREF_BGP, tb, (double)nb / tb / 1e6,
	       (double)(rss1 - rss0) / (double)nb);
	t0 = now();
	size_t no = load(&ospf4, &t, PREF_OSPF, 7) + load(&ospf6, &t, PREF_OSPF, 7);
	double to = now() - t0;
	size_t rss2 = rss_bytes();
	printf("  OSPF loads %zu routes (preference %u) in %.2f s: %.2f M routes/s, "
	       "%.0f bytes of memory per route\n", no, PREF_OSPF, to, (double)no / to / 1e6,
	       (double)(rss2 - rss1) / (double)no);
	rtm_stats st4, st6;
	check(rtm_get_stats(ospf4.h, &st4), "rtm_get_stats");
	check(rtm_get_stats(ospf6.h, &st6), "rtm_get_stats");
	printf("  the table now: IPv4 %lu destinations, %lu routes; IPv6 %lu destinations, %lu "
	       "routes; resident memory %.0f MB\n", st4.dests, st4.routes, st6.dests, st6.routes,
	       (double)rss2 / 1e6);
	count_best(&ospf4, &t, "with both protocols");
	count_best(&ospf6, &t, "with both protocols");
	printf("  longest-match answers (RtmGetMostSpecificDestination, best route):\n");
	show_lookups(&ospf4, &ospf6);
	mrt_part(&ospf4, &ospf6);

	printf("\n3. BGP withdraws; OSPF takes over\n");
	register_entity(&agent, "FIB agent", AF_INET, PROTO_FIB, NULL);
	agent.quiet = 1;
	RTM_NOTIFY_HANDLE notify = NULL;
	DWORD err = RtmRegisterForChangeNotification(agent.h, RTM_VIEW_MASK_UCAST,
						     RTM_CHANGE_TYPE_BEST, &agent, &notify);
	check(err, "RtmRegisterForChangeNotification");
	printf("  the FIB agent registers for RTM_CHANGE_TYPE_BEST changes of the unicast view\n");
	printf("  BGP deregisters from IPv4 and IPv6 (its routes go with it):\n");
	release_neighbours(&bgp4);
	release_neighbours(&bgp6);
	t0 = now();
	check(RtmDeregisterEntity(bgp4.h), "RtmDeregisterEntity");
	check(RtmDeregisterEntity(bgp6.h), "RtmDeregisterEntity");
	double tw = now() - t0;
	bgp4.h = bgp6.h = NULL;
	printf("  withdrawal of %zu BGP routes took %.2f s\n", nb, tw);
	check(rtm_get_stats(ospf4.h, &st4), "rtm_get_stats");
	check(rtm_get_stats(ospf6.h, &st6), "rtm_get_stats");
	printf("  the table now: IPv4 %lu destinations, %lu routes; IPv6 %lu destinations, %lu "
	       "routes\n", st4.dests, st4.routes, st6.dests, st6.routes);
	if (notify) {
		printf("  the FIB agent was signalled %lu time%s; it drains its queue:\n",
		       agent.changes_signalled, agent.changes_signalled == 1 ? "" : "s");
		drain_changes(&agent, notify);
	}
	count_best(&ospf4, &t, "after the withdrawal");
	count_best(&ospf6, &t, "after the withdrawal");
	printf("  the same lookups, now answered by OSPF:\n");
	show_lookups(&ospf4, &ospf6);
	enumerate_range(&agent, "193.0.0.0/16");

	printf("\n4. Cleanup\n");
	if (notify)
		check(RtmDeregisterFromChangeNotification(agent.h, notify),
		      "RtmDeregisterFromChangeNotification");
	check(RtmDeregisterEntity(agent.h), "RtmDeregisterEntity");
	release_neighbours(&ospf4);
	release_neighbours(&ospf6);
	ospf6.quiet = 1;
	printf("  OSPF deregisters (IPv4 and IPv6)\n");
	t0 = now();
	check(RtmDeregisterEntity(ospf4.h), "RtmDeregisterEntity");
	check(RtmDeregisterEntity(ospf6.h), "RtmDeregisterEntity");
	printf("  done: %zu OSPF routes removed in %.2f s; every entity is gone\n", no, now() - t0);
	kernel_part(&t);
	free(t.a);
	return 0;
}
