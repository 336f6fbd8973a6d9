/*
 * rtmctl.c — a command shell over an in-process rtmv2 routing table.
 *
 * RTMv2 is a library, not a daemon: the table lives inside the process of
 * the protocols that share it.  So rtmctl cannot attach to somebody else's
 * table; it is the host process itself.  It registers entities (protocols)
 * under names the user chooses and runs commands against them, each command
 * being one or a few API calls.  It uses nothing but the public headers, so
 * it is also a worked example of the API: every handle the RTM returns, alone
 * or inside an information structure, is released with the matching call;
 * variable-size structures are sized with RTM_SIZE_OF_DEST_INFO and
 * RTM_SIZE_OF_ROUTE_INFO from the registration profile.
 *
 * State.  `ents` holds the registered entities in registration order: name,
 * registration handle, entity information, profile and the synthetic
 * neighbours of `load`.  Only the main thread changes it.  The event callback
 * reads it too, and runs on the main thread (entity events, inside
 * RtmRegisterEntity/RtmDeregisterEntity) and on the library's timer thread
 * (route expiry), so changes are made under ents_lock and the callback reads
 * under it.  The lock is never held across an API call: RtmDeregisterEntity
 * waits for callbacks in progress, and one of them waiting for the lock would
 * deadlock it.  The main thread reads the table without the lock, being its
 * only writer.
 *
 * Queries (lookup, exact, less, hold, show, entities, stats) go through the
 * first registered entity of the address family.  Every entity of an
 * instance and family sees the same table, and RTM_BEST_PROTOCOL makes the
 * answer independent of who asks, so there is no need to name one.  All
 * entities register with RTM instance 0.
 *
 * Input.  A command is words separated by blanks; ';' separates commands
 * and '#' at the start of a word begins a comment.  There is no quoting, so
 * a file name cannot contain blanks or ';': a shell's worth of parsing would
 * dwarf the rest.  The commands are one table (name, argument counts,
 * function, usage line); `help` prints the usage lines, and a command given
 * the wrong number of arguments prints its own.
 *
 * Errors.  A failed command prints one line on stderr: where it came from
 * (unless interactive), the command, and either what was wrong with the input
 * or the API function with its Win32 code and rtm_strerror() message.  The
 * tool goes on; the exit status is 1 if any command failed (0 when reading a
 * terminal), 2 for bad options.  "Not found" answers of lookup, exact and
 * less are answers, not failures.
 */
#include <routprot.h>
#include <rtmv2.h>
#include <rtmv2/rtmv2_ext.h>

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_ENTITIES 64
#define MAX_NAME 32
#define MAX_ARGS 32
#define N_NEIGHBOURS 32 /* synthetic next hops of `load` */
#define DEFAULT_PREF 100
#define ADDR_STR (INET6_ADDRSTRLEN + 16) /* an address, "/len" or "%ifindex" */
#define VIEWS_STR 384

struct ctl_entity {
	char name[MAX_NAME];
	RTM_ENTITY_HANDLE h; /* NULL while RtmRegisterEntity runs */
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE profile;
	bool have_neighbours;
	RTM_NEXTHOP_HANDLE neighbours[N_NEIGHBOURS]; /* referenced while have_neighbours */
};

static struct ctl_entity ents[MAX_ENTITIES];
static unsigned n_ents;
static pthread_mutex_t ents_lock = PTHREAD_MUTEX_INITIALIZER;
static bool events_quiet; /* under ents_lock: set while tearing down at exit */

/* The command being run, for error messages; main thread only. */
static struct {
	const char *src;    /* "-c", a file name, "<stdin>"; NULL if interactive or none */
	unsigned long line; /* line (or -c command) number */
	const char *cmd;    /* the command's name, once known */
	unsigned failures;
	bool interactive; /* reading commands from a terminal */
	bool stop;        /* `quit` */
} run;

/* A buffer for an RTM_DEST_INFO with any number of views, suitably aligned. */
union dest_buf {
	RTM_DEST_INFO info;
	unsigned char bytes[RTM_SIZE_OF_DEST_INFO(RTM_MAX_VIEWS)];
};

/* ---- errors ------------------------------------------------------------ */

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout); /* keep stdout and stderr in order when both go to one pipe */
	if (!run.interactive)
		fputs("rtmctl: ", stderr);
	if (run.src)
		fprintf(stderr, "%s:%lu: ", run.src, run.line);
	if (run.cmd)
		fprintf(stderr, "%s: ", run.cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	run.failures++;
	return -1;
}

static int fail_api(const char *function, DWORD rc)
{
	return fail("%s: error %lu (%s)", function, (unsigned long)rc, rtm_strerror(rc));
}

/* ---- parsing and formatting --------------------------------------------- */

/* A decimal number from 0 to max: digits only, no sign. */
static bool parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_u32(const char *s, ULONG *out)
{
	unsigned long v;

	if (!parse_ulong(s, 0xFFFFFFFFul, &v))
		return false;
	*out = (ULONG)v;
	return true;
}

/* ADDRESS or ADDRESS/LEN, IPv4 or IPv6; without /LEN, the host length. */
static bool parse_prefix(const char *s, RTM_NET_ADDRESS *a)
{
	char buf[INET6_ADDRSTRLEN + 8];
	struct in_addr v4;
	struct in6_addr v6;
	unsigned long width, len;
	size_t n = strlen(s);

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n + 1);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, &v4) == 1)
		width = 32;
	else if (inet_pton(AF_INET6, buf, &v6) == 1)
		width = 128;
	else
		return false;
	len = width;
	if (slash && !parse_ulong(slash + 1, width, &len))
		return false;
	if (width == 32) {
		RTM_IPV4_MAKE_NET_ADDRESS(a, v4.s_addr, len);
		return true;
	}
	return RTM_IPV6_MAKE_NET_ADDRESS(a, v6, (DWORD)len) == NO_ERROR;
}

/*
 * Protocol names: the unicast PROTO_IP_* ids of <routprot.h> (the names of
 * the multicast ids overlap these numbers and are left out), spelt in lower
 * case with '-' for '_'.  `register` takes a name or a number; output shows
 * the number and, when it has one, the name.
 */
static const struct {
	const char *name;
	ULONG id;
} protocols[] = {
	{ "other", PROTO_IP_OTHER },
	{ "local", PROTO_IP_LOCAL },
	{ "netmgmt", PROTO_IP_NETMGMT },
	{ "icmp", PROTO_IP_ICMP },
	{ "egp", PROTO_IP_EGP },
	{ "ggp", PROTO_IP_GGP },
	{ "hello", PROTO_IP_HELLO },
	{ "rip", PROTO_IP_RIP },
	{ "is-is", PROTO_IP_IS_IS },
	{ "es-is", PROTO_IP_ES_IS },
	{ "cisco", PROTO_IP_CISCO },
	{ "bbn", PROTO_IP_BBN },
	{ "ospf", PROTO_IP_OSPF },
	{ "bgp", PROTO_IP_BGP },
	{ "idpr", PROTO_IP_IDPR },
	{ "eigrp", PROTO_IP_EIGRP },
	{ "dvmrp", PROTO_IP_DVMRP },
	{ "rpl", PROTO_IP_RPL },
	{ "dhcp", PROTO_IP_DHCP },
	{ "vrrp", PROTO_IP_VRRP },
	{ "bootp", PROTO_IP_BOOTP },
	{ "nt-autostatic", PROTO_IP_NT_AUTOSTATIC },
	{ "dns-proxy", PROTO_IP_DNS_PROXY },
	{ "dhcp-allocator", PROTO_IP_DHCP_ALLOCATOR },
	{ "nat", PROTO_IP_NAT },
	{ "nt-static", PROTO_IP_NT_STATIC },
	{ "nt-static-non-dod", PROTO_IP_NT_STATIC_NON_DOD },
	{ "mgm", PROTO_IP_MGM },
	{ "alg", PROTO_IP_ALG },
	{ "h323", PROTO_IP_H323 },
	{ "ftp", PROTO_IP_FTP },
	{ "dtp", PROTO_IP_DTP },
};

#define N_PROTOCOLS (sizeof(protocols) / sizeof(protocols[0]))

/* A protocol name (any case, '_' or '-', with or without PROTO_IP_) or a number. */
static bool parse_protocol(const char *s, ULONG *out)
{
	if (parse_u32(s, out))
		return true;
	if (!strncasecmp(s, "PROTO_IP_", 9))
		s += 9;
	for (size_t i = 0; i < N_PROTOCOLS; i++) {
		const char *a = s, *b = protocols[i].name;
		while (*a && *b && (tolower((unsigned char)*a) == *b || (*a == '_' && *b == '-')))
			a++, b++;
		if (!*a && !*b) {
			*out = protocols[i].id;
			return true;
		}
	}
	return false;
}

/* "8 (rip)", or the number alone when it has no name. */
static const char *fmt_protocol(ULONG id, char *buf, size_t size)
{
	for (size_t i = 0; i < N_PROTOCOLS; i++)
		if (protocols[i].id == id) {
			snprintf(buf, size, "%lu (%s)", (unsigned long)id, protocols[i].name);
			return buf;
		}
	snprintf(buf, size, "%lu", (unsigned long)id);
	return buf;
}

static const char *family_name(USHORT af)
{
	return af == AF_INET6 ? "ipv6" : "ipv4";
}

/*
 * Parses a prefix (or, with host, a bare address) of family af (0: any),
 * and says what is wrong if it cannot.
 */
static bool parse_addr(const char *s, USHORT af, bool host, RTM_NET_ADDRESS *a)
{
	if (!parse_prefix(s, a) || (host && strchr(s, '/'))) {
		fail("'%s' is not an %s", s, host ? "address" : "address or prefix");
		return false;
	}
	if (af && a->AddressFamily != af) {
		fail("'%s' is not an %s address", s, family_name(af));
		return false;
	}
	return true;
}

/*
 * Formats an address as ADDRESS/LEN with the bits beyond LEN cleared (the
 * RTM's name for the destination), or, without with_len, as the address.
 */
static const char *fmt_addr(const RTM_NET_ADDRESS *a, bool with_len, char *buf)
{
	unsigned char bytes[RTM_MAX_ADDRESS_SIZE];
	int af = a->AddressFamily == AF_INET6 ? AF_INET6 : AF_INET;
	unsigned width = af == AF_INET6 ? 128 : 32;
	unsigned len = a->NumBits < width ? a->NumBits : width;

	memcpy(bytes, a->AddrBits, sizeof(bytes));
	for (unsigned i = 0; with_len && i < width / 8; i++) {
		if (8 * i >= len)
			bytes[i] = 0;
		else if (8 * i + 8 > len)
			bytes[i] &= (unsigned char)(0xFFu << (8 - (len - 8 * i)));
	}
	inet_ntop(af, bytes, buf, INET6_ADDRSTRLEN);
	if (with_len)
		sprintf(buf + strlen(buf), "/%u", len);
	return buf;
}

static const char *view_name(unsigned v, char *buf, size_t size)
{
	if (v == RTM_VIEW_ID_UCAST)
		return "unicast";
	if (v == RTM_VIEW_ID_MCAST)
		return "multicast";
	snprintf(buf, size, "view%u", v);
	return buf;
}

/* "unicast,multicast,view5"; "none" for the empty set. */
static const char *fmt_views(RTM_VIEW_SET set, char *buf)
{
	size_t n = 0;
	char name[16];

	buf[0] = '\0';
	for (unsigned v = 0; v < RTM_MAX_VIEWS; v++)
		if (set & (1u << v))
			n += (size_t)snprintf(buf + n, VIEWS_STR - n, "%s%s", n ? "," : "",
					      view_name(v, name, sizeof(name)));
	return n ? buf : "none";
}

/* A comma-separated list of unicast, multicast, viewN, N or all (= supported). */
static bool parse_views(const char *s, RTM_VIEW_SET supported, RTM_VIEW_SET *out)
{
	char buf[VIEWS_STR], *save = NULL;
	RTM_VIEW_SET set = 0;
	unsigned long v;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "unicast"))
			set |= RTM_VIEW_MASK_UCAST;
		else if (!strcmp(t, "multicast"))
			set |= RTM_VIEW_MASK_MCAST;
		else if (!strcmp(t, "all"))
			set |= supported;
		else if (parse_ulong(strncmp(t, "view", 4) ? t : t + 4, RTM_MAX_VIEWS - 1, &v))
			set |= 1u << v;
		else
			goto bad;
	}
	if (set) {
		*out = set;
		return true;
	}
bad:
	fail("'%s' is not a list of views (unicast, multicast, viewN, all)", s);
	return false;
}

/* ---- the entity table ----------------------------------------------------- */

static struct ctl_entity *find_entity(const char *name)
{
	for (unsigned i = 0; i < n_ents; i++)
		if (ents[i].h && !strcmp(ents[i].name, name))
			return &ents[i];
	return NULL;
}

static struct ctl_entity *need_entity(const char *name)
{
	struct ctl_entity *e = find_entity(name);

	if (!e)
		fail("no entity named '%s'", name);
	return e;
}

/* The entity through which queries of family af are made: the first one. */
static struct ctl_entity *first_entity(USHORT af)
{
	for (unsigned i = 0; i < n_ents; i++)
		if (ents[i].h && ents[i].info.AddressFamily == af)
			return &ents[i];
	return NULL;
}

static struct ctl_entity *query_entity(USHORT af)
{
	struct ctl_entity *q = first_entity(af);

	if (!q)
		fail("no %s entity is registered", family_name(af));
	return q;
}

static bool same_entity(const RTM_ENTITY_INFO *a, const RTM_ENTITY_INFO *b)
{
	return a->RtmInstanceId == b->RtmInstanceId && a->AddressFamily == b->AddressFamily &&
	       a->EntityId.EntityId == b->EntityId.EntityId;
}

/*
 * The name of an entity a query returned.  An entity's handle is the same
 * value wherever the RTM hands it out, so it is compared with ours; an
 * entity rtmctl does not know is described by RtmGetEntityInfo.
 */
static const char *owner_name(struct ctl_entity *q, RTM_ENTITY_HANDLE owner, char *buf,
			      size_t size)
{
	RTM_ENTITY_INFO info;

	for (unsigned i = 0; i < n_ents; i++)
		if (ents[i].h == owner)
			return ents[i].name;
	if (RtmGetEntityInfo(q->h, owner, &info) != NO_ERROR)
		return "?";
	snprintf(buf, size, "protocol-%lu/%lu", (unsigned long)info.EntityId.EntityProtocolId,
		 (unsigned long)info.EntityId.EntityInstanceId);
	RtmReleaseEntityInfo(q->h, &info);
	return buf;
}

static void release_neighbours(struct ctl_entity *e)
{
	if (e->have_neighbours)
		RtmReleaseNextHops(e->h, N_NEIGHBOURS, e->neighbours);
	e->have_neighbours = false;
}

/*
 * The event callback of every entity.  Context1 of the entity events is the
 * other entity's handle, not referenced; Context2 its information, which is
 * how an entity still registering (h not yet known) is recognised.  Expired
 * routes are left to the RTM to delete (ERROR_NOT_SUPPORTED).
 */
static DWORD WINAPI on_event(RTM_ENTITY_HANDLE self, RTM_EVENT_TYPE type, PVOID ctx1, PVOID ctx2)
{
	char me[MAX_NAME] = "?", other[MAX_NAME] = "?", dest[ADDR_STR] = "?";
	const RTM_ENTITY_INFO *info = ctx2;
	RTM_NET_ADDRESS addr;
	bool quiet;

	if (type == RTM_ROUTE_EXPIRED && RtmGetRouteInfo(self, ctx1, NULL, &addr) == NO_ERROR)
		fmt_addr(&addr, true, dest);
	pthread_mutex_lock(&ents_lock);
	quiet = events_quiet;
	for (unsigned i = 0; i < n_ents; i++) {
		if (ents[i].h && ents[i].h == self)
			strcpy(me, ents[i].name);
		if ((type == RTM_ENTITY_REGISTERED || type == RTM_ENTITY_DEREGISTERED) &&
		    same_entity(&ents[i].info, info))
			strcpy(other, ents[i].name);
	}
	pthread_mutex_unlock(&ents_lock);
	if (quiet)
		return type == RTM_ROUTE_EXPIRED ? ERROR_NOT_SUPPORTED : NO_ERROR;
	switch (type) {
	case RTM_ENTITY_REGISTERED:
		printf("event: %s: %s registered\n", me, other);
		break;
	case RTM_ENTITY_DEREGISTERED:
		printf("event: %s: %s deregistered\n", me, other);
		break;
	case RTM_ROUTE_EXPIRED:
		printf("event: %s: route to %s expired\n", me, dest);
		fflush(stdout);
		return ERROR_NOT_SUPPORTED;
	case RTM_CHANGE_NOTIFICATION:
		break;
	}
	return NO_ERROR;
}

/* ---- printing routes and destinations ------------------------------------- */

/* A route information buffer with room for the instance's most next hops. */
static PRTM_ROUTE_INFO alloc_route_info(const struct ctl_entity *e)
{
	PRTM_ROUTE_INFO ri = calloc(1, RTM_SIZE_OF_ROUTE_INFO(e->profile.MaxNextHopsInRoute));

	if (!ri)
		fail("out of memory");
	return ri;
}

static void print_next_hops(struct ctl_entity *q, const RTM_NEXTHOP_LIST *list)
{
	char a[ADDR_STR];
	RTM_NEXTHOP_INFO nhi;

	if (!list->NumNextHops)
		printf(" via nothing");
	for (USHORT i = 0; i < list->NumNextHops; i++) {
		DWORD rc = RtmGetNextHopInfo(q->h, list->NextHops[i], &nhi);
		if (rc != NO_ERROR) {
			fail_api("RtmGetNextHopInfo", rc);
			continue;
		}
		printf("%s%s", i ? "," : " via ", fmt_addr(&nhi.NextHopAddress, false, a));
		if (nhi.InterfaceIndex)
			printf("%%%lu", (unsigned long)nhi.InterfaceIndex);
		RtmReleaseNextHopInfo(q->h, &nhi);
	}
}

/* "OWNER pref P metric M via NH[,NH...]", then " views V" if asked. */
static void print_route(struct ctl_entity *q, RTM_ROUTE_HANDLE route, bool with_views)
{
	char name[48], views[VIEWS_STR];
	PRTM_ROUTE_INFO ri = alloc_route_info(q);

	if (!ri)
		return;
	DWORD rc = RtmGetRouteInfo(q->h, route, ri, NULL);
	if (rc != NO_ERROR) {
		fail_api("RtmGetRouteInfo", rc);
		free(ri);
		return;
	}
	printf("%s pref %lu metric %lu", owner_name(q, ri->RouteOwner, name, sizeof(name)),
	       (unsigned long)ri->PrefInfo.Preference, (unsigned long)ri->PrefInfo.Metric);
	print_next_hops(q, &ri->NextHopsList);
	if (with_views)
		printf(" views %s", fmt_views(ri->BelongsToViews, views));
	RtmReleaseRouteInfo(q->h, ri);
	free(ri);
}

/* The prefix, then per view: the number of routes, the best and any held route. */
static void print_dest(struct ctl_entity *q, const RTM_DEST_INFO *di)
{
	char a[ADDR_STR], name[16];

	printf("%s\n", fmt_addr(&di->DestAddress, true, a));
	for (UINT v = 0; v < di->NumberOfViews; v++) {
		UINT n = di->ViewInfo[v].NumRoutes;
		printf("  %s: %u route%s", view_name((unsigned)di->ViewInfo[v].ViewId, name, sizeof(name)),
		       n, n == 1 ? "" : "s");
		if (di->ViewInfo[v].Route) {
			printf(", best ");
			print_route(q, di->ViewInfo[v].Route, false);
		}
		if (di->ViewInfo[v].HoldRoute) {
			printf(", held ");
			print_route(q, di->ViewInfo[v].HoldRoute, false);
		}
		printf("\n");
	}
}

/* The routes of a destination, by a route enumeration; false if it failed. */
static bool print_dest_routes(struct ctl_entity *q, RTM_DEST_HANDLE dest)
{
	char views[VIEWS_STR];
	RTM_ENUM_HANDLE en;
	RTM_VIEW_SET best;
	UINT max = q->profile.MaxHandlesInEnum;
	DWORD rc = RtmCreateRouteEnum(q->h, dest, q->profile.ViewsSupported, RTM_ENUM_START, NULL,
				      RTM_MATCH_NONE, NULL, 0, &en);

	if (rc != NO_ERROR) {
		fail_api("RtmCreateRouteEnum", rc);
		return false;
	}
	RTM_ROUTE_HANDLE *routes = calloc(max, sizeof(*routes));
	if (!routes) {
		fail("out of memory");
		RtmDeleteEnumHandle(q->h, en);
		return false;
	}
	do {
		UINT n = max;
		rc = RtmGetEnumRoutes(q->h, en, &n, routes);
		if (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) {
			fail_api("RtmGetEnumRoutes", rc);
			break;
		}
		for (UINT i = 0; i < n; i++) {
			printf("    ");
			print_route(q, routes[i], true);
			if (RtmIsBestRoute(q->h, routes[i], &best) == NO_ERROR && best)
				printf(" (best in %s)", fmt_views(best, views));
			printf("\n");
		}
		RtmReleaseRoutes(q->h, n, routes);
		if (!n)
			break;
	} while (rc == NO_ERROR);
	free(routes);
	RtmDeleteEnumHandle(q->h, en);
	return true;
}

/* ---- commands -------------------------------------------------------------- */

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= MAX_NAME)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.", *s))
			return false;
	return true;
}

static int cmd_register(int argc, char **argv)
{
	RTM_ENTITY_INFO info = { 0 };
	RTM_REGN_PROFILE profile;
	RTM_ENTITY_HANDLE h;
	ULONG proto, instance = 0;
	char views[VIEWS_STR];

	info.AddressFamily = AF_INET;
	if (!valid_name(argv[1]))
		return fail("'%s' is not a name (letters, digits, _ - ., at most %d)", argv[1],
			    MAX_NAME - 1);
	if (find_entity(argv[1]))
		return fail("'%s' is already registered", argv[1]);
	if (!parse_protocol(argv[2], &proto))
		return fail("'%s' is not a protocol (a number, or a name such as rip, ospf, bgp)",
			    argv[2]);
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "ipv4"))
			info.AddressFamily = AF_INET;
		else if (!strcmp(argv[i], "ipv6"))
			info.AddressFamily = AF_INET6;
		else if (!parse_u32(argv[i], &instance))
			return fail("'%s' is neither an instance id nor ipv4/ipv6", argv[i]);
	}
	if (n_ents == MAX_ENTITIES)
		return fail("too many entities (at most %d)", MAX_ENTITIES);
	info.EntityId.EntityProtocolId = proto;
	info.EntityId.EntityInstanceId = instance;

	/* In the table before the call, so that the events it causes can name it. */
	struct ctl_entity *e = &ents[n_ents];
	pthread_mutex_lock(&ents_lock);
	memset(e, 0, sizeof(*e));
	strcpy(e->name, argv[1]);
	e->info = info;
	n_ents++;
	pthread_mutex_unlock(&ents_lock);

	DWORD rc = RtmRegisterEntity(&info, NULL, on_event, FALSE, &profile, &h);
	pthread_mutex_lock(&ents_lock);
	if (rc == NO_ERROR) {
		e->h = h;
		e->profile = profile;
	} else {
		n_ents--;
	}
	pthread_mutex_unlock(&ents_lock);
	if (rc != NO_ERROR)
		return fail_api("RtmRegisterEntity", rc);
	char pname[48];
	printf("registered %s: protocol %s instance %lu %s; up to %u next hops per route, "
	       "%u handles per enumeration, views %s\n",
	       e->name, fmt_protocol(proto, pname, sizeof(pname)), (unsigned long)instance,
	       family_name(info.AddressFamily), profile.MaxNextHopsInRoute,
	       profile.MaxHandlesInEnum, fmt_views(profile.ViewsSupported, views));
	return 0;
}

static int cmd_deregister(int argc, char **argv)
{
	struct ctl_entity *e = need_entity(argv[1]);

	(void)argc;
	if (!e)
		return -1;
	release_neighbours(e);
	DWORD rc = RtmDeregisterEntity(e->h);
	if (rc != NO_ERROR)
		return fail_api("RtmDeregisterEntity", rc);
	printf("deregistered %s\n", e->name);
	pthread_mutex_lock(&ents_lock);
	memmove(e, e + 1, (size_t)(&ents[n_ents] - (e + 1)) * sizeof(*e));
	n_ents--;
	pthread_mutex_unlock(&ents_lock);
	return 0;
}

/* ADDRESS[%IFINDEX], of e's family, into a next hop's identity. */
static bool parse_next_hop(struct ctl_entity *e, char *s, RTM_NEXTHOP_INFO *nhi)
{
	char *pct = strchr(s, '%');

	memset(nhi, 0, sizeof(*nhi));
	if (pct) {
		*pct = '\0';
		if (!parse_u32(pct + 1, &nhi->InterfaceIndex)) {
			fail("'%s' is not an interface index", pct + 1);
			return false;
		}
	}
	return parse_addr(s, e->info.AddressFamily, true, &nhi->NextHopAddress);
}

static int cmd_nexthop(int argc, char **argv)
{
	struct ctl_entity *e = need_entity(argv[1]);
	RTM_NEXTHOP_CHANGE_FLAGS flags = 0;
	RTM_NEXTHOP_INFO nhi;
	char a[ADDR_STR];

	if (!e || !parse_next_hop(e, argv[2], &nhi))
		return -1;
	if (argc > 3 && !parse_u32(argv[3], &nhi.InterfaceIndex))
		return fail("'%s' is not an interface index", argv[3]);
	DWORD rc = RtmAddNextHop(e->h, &nhi, NULL, &flags);
	if (rc != NO_ERROR)
		return fail_api("RtmAddNextHop", rc);
	printf("%s: next hop %s", e->name, fmt_addr(&nhi.NextHopAddress, false, a));
	if (nhi.InterfaceIndex)
		printf("%%%lu", (unsigned long)nhi.InterfaceIndex);
	printf(" %s\n", flags & RTM_NEXTHOP_CHANGE_NEW ? "added" : "updated");
	return 0;
}

/*
 * Fills list with referenced handles of e's next hops named in "A[%I],B..."
 * (RtmAddNextHop adds each one, or finds it if it exists); the caller
 * releases them.
 */
static bool get_next_hops(struct ctl_entity *e, const char *spec, RTM_NEXTHOP_LIST *list)
{
	char buf[1024], *save = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS flags;
	RTM_NEXTHOP_INFO nhi;

	list->NumNextHops = 0;
	if (strlen(spec) >= sizeof(buf)) {
		fail("next hop list too long");
		return false;
	}
	strcpy(buf, spec);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		RTM_NEXTHOP_HANDLE nh = NULL;
		DWORD rc = ERROR_INVALID_PARAMETER;
		if (list->NumNextHops == e->profile.MaxNextHopsInRoute)
			fail("at most %u next hops per route", e->profile.MaxNextHopsInRoute);
		else if (parse_next_hop(e, t, &nhi) &&
			 (rc = RtmAddNextHop(e->h, &nhi, &nh, &flags)) != NO_ERROR)
			fail_api("RtmAddNextHop", rc);
		if (rc != NO_ERROR) {
			RtmReleaseNextHops(e->h, list->NumNextHops, list->NextHops);
			list->NumNextHops = 0;
			return false;
		}
		list->NextHops[list->NumNextHops++] = nh;
	}
	return true;
}

static int cmd_add(int argc, char **argv)
{
	struct ctl_entity *e = need_entity(argv[1]);
	RTM_NET_ADDRESS dest;
	ULONG pref = DEFAULT_PREF, metric = 0, ttl = INFINITE;
	RTM_VIEW_SET views = RTM_VIEW_MASK_UCAST;
	RTM_ROUTE_CHANGE_FLAGS flags = 0;
	const char *via = NULL;
	char a[ADDR_STR];

	if (!e || !parse_addr(argv[2], e->info.AddressFamily, false, &dest))
		return -1;
	for (int i = 3; i < argc; i += 2) {
		const char *key = argv[i], *value = argv[i + 1];
		if (!value)
			return fail("'%s' needs a value", key);
		if (!strcmp(key, "via"))
			via = value;
		else if (!strcmp(key, "pref") || !strcmp(key, "metric") || !strcmp(key, "ttl")) {
			ULONG *out = key[0] == 'p' ? &pref : key[0] == 'm' ? &metric : &ttl;
			if (!parse_u32(value, out))
				return fail("%s: '%s' is not a number", key, value);
		} else if (!strcmp(key, "views")) {
			if (!parse_views(value, e->profile.ViewsSupported, &views))
				return -1;
		} else {
			return fail("unknown option '%s'", key);
		}
	}
	if (!via)
		return fail("a route needs 'via ADDRESS'");
	PRTM_ROUTE_INFO ri = alloc_route_info(e);
	if (!ri)
		return -1;
	if (!get_next_hops(e, via, &ri->NextHopsList)) {
		free(ri);
		return -1;
	}
	ri->PrefInfo.Preference = pref;
	ri->PrefInfo.Metric = metric;
	ri->BelongsToViews = views;
	/* No route handle and no neighbour: the route is e's route to dest, added or replaced. */
	DWORD rc = RtmAddRouteToDest(e->h, NULL, &dest, ri, ttl, NULL, 0, NULL, &flags);
	RtmReleaseNextHops(e->h, ri->NextHopsList.NumNextHops, ri->NextHopsList.NextHops);
	free(ri);
	if (rc != NO_ERROR)
		return fail_api("RtmAddRouteToDest", rc);
	printf("%s: %s %s%s\n", e->name, flags & RTM_ROUTE_CHANGE_NEW ? "added" : "updated",
	       fmt_addr(&dest, true, a), flags & RTM_ROUTE_CHANGE_BEST ? " (best)" : "");
	return 0;
}

static int cmd_del(int argc, char **argv)
{
	struct ctl_entity *e = need_entity(argv[1]);
	RTM_ROUTE_CHANGE_FLAGS flags = 0;
	RTM_ROUTE_HANDLE route;
	RTM_NET_ADDRESS dest;
	char a[ADDR_STR];

	(void)argc;
	if (!e || !parse_addr(argv[2], e->info.AddressFamily, false, &dest))
		return -1;
	PRTM_ROUTE_INFO ri = alloc_route_info(e);
	if (!ri)
		return -1;
	ri->RouteOwner = e->h;
	DWORD rc = RtmGetExactMatchRoute(e->h, &dest, RTM_MATCH_OWNER, ri, 0, RTM_VIEW_MASK_ANY,
					 &route);
	if (rc == NO_ERROR)
		RtmReleaseRouteInfo(e->h, ri);
	free(ri);
	if (rc != NO_ERROR)
		return fail_api("RtmGetExactMatchRoute", rc);
	rc = RtmDeleteRouteToDest(e->h, route, &flags); /* consumes the handle on success */
	if (rc != NO_ERROR) {
		RtmReleaseRoutes(e->h, 1, &route);
		return fail_api("RtmDeleteRouteToDest", rc);
	}
	printf("%s: deleted %s%s\n", e->name, fmt_addr(&dest, true, a),
	       flags & RTM_ROUTE_CHANGE_BEST ? " (best changed)" : "");
	return 0;
}

/* The 32 neighbours of `load`: 198.18.0.1-32 or 2001:db8:ffff::1-20 (RFC 2544, 3849). */
static bool make_neighbours(struct ctl_entity *e)
{
	RTM_NEXTHOP_CHANGE_FLAGS flags;
	RTM_NEXTHOP_INFO nhi;

	for (unsigned i = 0; i < N_NEIGHBOURS; i++) {
		memset(&nhi, 0, sizeof(nhi));
		if (e->info.AddressFamily == AF_INET) {
			RTM_IPV4_MAKE_NET_ADDRESS(&nhi.NextHopAddress, htonl(0xC6120001u + i), 32);
		} else {
			struct in6_addr v6;
			inet_pton(AF_INET6, "2001:db8:ffff::", &v6);
			v6.s6_addr[15] = (unsigned char)(i + 1);
			RTM_IPV6_MAKE_NET_ADDRESS(&nhi.NextHopAddress, v6, 128);
		}
		e->neighbours[i] = NULL;
		DWORD rc = RtmAddNextHop(e->h, &nhi, &e->neighbours[i], &flags);
		if (rc != NO_ERROR) {
			RtmReleaseNextHops(e->h, i, e->neighbours);
			fail_api("RtmAddNextHop", rc);
			return false;
		}
	}
	e->have_neighbours = true;
	return true;
}

/* Opens a table file, through "gzip -dc" if its name ends in .gz (*child then set). */
static FILE *open_table(const char *path, pid_t *child)
{
	size_t n = strlen(path);
	posix_spawn_file_actions_t fa;
	int fd[2], err;
	FILE *f;

	*child = -1;
	if (n < 3 || strcmp(path + n - 3, ".gz")) {
		if (!(f = fopen(path, "r")))
			fail("%s: %s", path, strerror(errno));
		return f;
	}
	if (access(path, R_OK)) { /* our message rather than gzip's */
		fail("%s: %s", path, strerror(errno));
		return NULL;
	}
	if (pipe(fd)) {
		fail("pipe: %s", strerror(errno));
		return NULL;
	}
	char *args[] = { "gzip", "-dc", "--", (char *)path, NULL };
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	posix_spawn_file_actions_addclose(&fa, fd[1]);
	err = posix_spawnp(child, "gzip", &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (err || !(f = fdopen(fd[0], "r"))) {
		fail("cannot run gzip: %s", strerror(err ? err : errno));
		close(fd[0]);
		if (!err)
			waitpid(*child, NULL, 0);
		return NULL;
	}
	return f;
}

/* Closes a table; false if reading failed or (having read all) gzip did. */
static bool close_table(FILE *f, pid_t child, bool read_all)
{
	bool ok = !ferror(f);
	int status = 0;

	fclose(f);
	if (child > 0) {
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		if (read_all && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			ok = false;
	}
	return ok;
}

/* FNV-1a of a prefix: the same prefix always gets the same neighbour. */
static unsigned prefix_hash(const RTM_NET_ADDRESS *a)
{
	uint32_t h = 2166136261u;

	for (unsigned i = 0; i < RTM_MAX_ADDRESS_SIZE; i++)
		h = (h ^ a->AddrBits[i]) * 16777619u;
	return (unsigned)((h ^ a->NumBits) * 16777619u);
}

static int cmd_load(int argc, char **argv)
{
	struct ctl_entity *e = need_entity(argv[1]);
	unsigned long lineno = 0, added = 0, updated = 0, other = 0, bad = 0, first_bad = 0;
	ULONG pref = DEFAULT_PREF;
	struct timespec t0, t1;
	RTM_NET_ADDRESS a;
	char *line = NULL;
	size_t cap = 0;
	DWORD rc = NO_ERROR;
	pid_t child;

	if (!e)
		return -1;
	if (argc == 4 || (argc == 5 && strcmp(argv[3], "pref")))
		return fail("usage: load NAME FILE [pref N]");
	if (argc == 5 && !parse_u32(argv[4], &pref))
		return fail("pref: '%s' is not a number", argv[4]);
	if (!e->have_neighbours && !make_neighbours(e))
		return -1;
	FILE *f = open_table(argv[2], &child);
	if (!f)
		return -1;
	PRTM_ROUTE_INFO ri = alloc_route_info(e);
	if (!ri) {
		close_table(f, child, false);
		return -1;
	}
	ri->PrefInfo.Preference = pref;
	ri->BelongsToViews = RTM_VIEW_MASK_UCAST;
	ri->NextHopsList.NumNextHops = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (getline(&line, &cap, f) >= 0) {
		char *s = line + strspn(line, " \t");
		RTM_ROUTE_CHANGE_FLAGS flags = 0;

		lineno++;
		s[strcspn(s, " \t\r\n#")] = '\0'; /* the first word; the rest may be comment */
		if (!*s)
			continue;
		if (!parse_prefix(s, &a)) {
			if (!bad++)
				first_bad = lineno;
			continue;
		}
		if (a.AddressFamily != e->info.AddressFamily) {
			other++;
			continue;
		}
		ri->NextHopsList.NextHops[0] = e->neighbours[prefix_hash(&a) % N_NEIGHBOURS];
		rc = RtmAddRouteToDest(e->h, NULL, &a, ri, INFINITE, NULL, 0, NULL, &flags);
		if (rc != NO_ERROR)
			break;
		if (flags & RTM_ROUTE_CHANGE_NEW)
			added++;
		else
			updated++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	free(line);
	free(ri);
	bool read_ok = close_table(f, child, rc == NO_ERROR);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("%s: loaded %lu route%s (%lu new, %lu updated) from %s in %.3f s", e->name,
	       added + updated, added + updated == 1 ? "" : "s", added, updated, argv[2], secs);
	if (secs > 0)
		printf(", %.0f routes/s", (double)(added + updated) / secs);
	if (other)
		printf("; skipped %lu %s prefix%s", other,
		       family_name(e->info.AddressFamily == AF_INET ? AF_INET6 : AF_INET),
		       other == 1 ? "" : "es");
	printf("\n");
	if (rc != NO_ERROR)
		fail("%s:%lu: RtmAddRouteToDest: error %lu (%s)", argv[2], lineno,
		     (unsigned long)rc, rtm_strerror(rc));
	if (bad)
		fail("%s: %lu line%s not a prefix (the first is line %lu)", argv[2], bad,
		     bad == 1 ? " is" : "s are", first_bad);
	if (!read_ok)
		fail("%s: reading failed", argv[2]);
	return rc != NO_ERROR || bad || !read_ok ? -1 : 0;
}

/* Parses a query's address and finds the entity to ask. */
static struct ctl_entity *query_addr(const char *s, RTM_NET_ADDRESS *a)
{
	return parse_addr(s, 0, false, a) ? query_entity(a->AddressFamily) : NULL;
}

/* lookup (longest match) and exact: one query, one destination printed. */
static int cmd_lookup(int argc, char **argv)
{
	bool exact = !strcmp(argv[0], "exact");
	RTM_NET_ADDRESS a;
	union dest_buf d;
	DWORD rc;
	struct ctl_entity *q = query_addr(argv[1], &a);

	(void)argc;
	if (!q)
		return -1;
	if (exact)
		rc = RtmGetExactMatchDestination(q->h, &a, RTM_BEST_PROTOCOL,
						 q->profile.ViewsSupported, &d.info);
	else
		rc = RtmGetMostSpecificDestination(q->h, &a, RTM_BEST_PROTOCOL,
						   q->profile.ViewsSupported, &d.info);
	if (rc == ERROR_NOT_FOUND) {
		printf("%s: no %s destination\n", argv[1], exact ? "such" : "matching");
		return 0;
	}
	if (rc != NO_ERROR)
		return fail_api(exact ? "RtmGetExactMatchDestination" : "RtmGetMostSpecificDestination",
				rc);
	print_dest(q, &d.info);
	RtmReleaseDestInfo(q->h, &d.info);
	return 0;
}

/* The destinations that strictly contain PREFIX, longest first. */
static int cmd_less(int argc, char **argv)
{
	RTM_NET_ADDRESS a;
	union dest_buf d, up;
	unsigned count = 0;
	struct ctl_entity *q = query_addr(argv[1], &a);

	(void)argc;
	if (!q)
		return -1;
	DWORD rc = RtmGetMostSpecificDestination(q->h, &a, RTM_BEST_PROTOCOL,
						 q->profile.ViewsSupported, &d.info);
	if (rc != NO_ERROR && rc != ERROR_NOT_FOUND)
		return fail_api("RtmGetMostSpecificDestination", rc);
	/* The longest match is PREFIX itself or contains it: the walk starts there. */
	bool skip = rc == NO_ERROR && d.info.DestAddress.NumBits == a.NumBits;
	while (rc == NO_ERROR) {
		if (!skip) {
			print_dest(q, &d.info);
			count++;
		}
		skip = false;
		rc = RtmGetLessSpecificDestination(q->h, d.info.DestHandle, RTM_BEST_PROTOCOL,
						   q->profile.ViewsSupported, &up.info);
		RtmReleaseDestInfo(q->h, &d.info);
		if (rc == NO_ERROR)
			d = up;
		else if (rc != ERROR_NOT_FOUND)
			return fail_api("RtmGetLessSpecificDestination", rc);
	}
	if (!count)
		printf("%s: no less specific destination\n", argv[1]);
	return 0;
}

static int cmd_hold(int argc, char **argv)
{
	RTM_VIEW_SET views;
	RTM_NET_ADDRESS a;
	union dest_buf d;
	ULONG ms;
	char s[ADDR_STR], v[VIEWS_STR];
	struct ctl_entity *q = query_addr(argv[1], &a);

	if (!q)
		return -1;
	views = q->profile.ViewsSupported;
	if (!parse_u32(argv[2], &ms))
		return fail("'%s' is not a number of milliseconds", argv[2]);
	if (argc == 4 || (argc == 5 && strcmp(argv[3], "views")))
		return fail("usage: hold PREFIX MS [views LIST]");
	if (argc == 5 && !parse_views(argv[4], views, &views))
		return -1;
	DWORD rc = RtmGetExactMatchDestination(q->h, &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ANY,
					       &d.info);
	if (rc != NO_ERROR)
		return fail_api("RtmGetExactMatchDestination", rc);
	rc = RtmHoldDestination(q->h, d.info.DestHandle, views, ms);
	RtmReleaseDestInfo(q->h, &d.info);
	if (rc != NO_ERROR)
		return fail_api("RtmHoldDestination", rc);
	printf("holding %s for %lu ms in %s\n", fmt_addr(&a, true, s), (unsigned long)ms,
	       fmt_views(views, v));
	return 0;
}

static int show_family(struct ctl_entity *q, RTM_NET_ADDRESS *range)
{
	UINT max = q->profile.MaxHandlesInEnum;
	size_t step = RTM_SIZE_OF_DEST_INFO(q->profile.NumberOfViews);
	unsigned long count = 0;
	bool routes_ok = true;
	int ret = 0;
	RTM_ENUM_HANDLE en;
	DWORD rc = RtmCreateDestEnum(q->h, q->profile.ViewsSupported,
				     range ? RTM_ENUM_RANGE : RTM_ENUM_START, range,
				     RTM_BEST_PROTOCOL, &en);

	if (rc != NO_ERROR)
		return fail_api("RtmCreateDestEnum", rc);
	unsigned char *buf = calloc(max, step);
	if (!buf) {
		fail("out of memory");
		RtmDeleteEnumHandle(q->h, en);
		return -1;
	}
	do {
		UINT n = max;
		rc = RtmGetEnumDests(q->h, en, &n, (PRTM_DEST_INFO)buf);
		if (rc != NO_ERROR && rc != ERROR_NO_MORE_ITEMS) {
			ret = fail_api("RtmGetEnumDests", rc);
			break;
		}
		for (UINT i = 0; i < n; i++) {
			PRTM_DEST_INFO di = (PRTM_DEST_INFO)(buf + i * step);
			print_dest(q, di);
			/* One failure says it all: do not repeat it for every destination. */
			if (routes_ok)
				routes_ok = print_dest_routes(q, di->DestHandle);
		}
		count += n;
		RtmReleaseDests(q->h, n, (PRTM_DEST_INFO)buf);
		if (!n)
			break;
	} while (rc == NO_ERROR);
	free(buf);
	RtmDeleteEnumHandle(q->h, en);
	printf("%lu %s destination%s\n", count, family_name(q->info.AddressFamily),
	       count == 1 ? "" : "s");
	return routes_ok ? ret : -1;
}

static int cmd_show(int argc, char **argv)
{
	RTM_NET_ADDRESS a;
	struct ctl_entity *q;

	int ret = 0;

	if (argc > 1)
		return (q = query_addr(argv[1], &a)) ? show_family(q, &a) : -1;
	if (!first_entity(AF_INET) && !first_entity(AF_INET6))
		return fail("no entity is registered");
	if ((q = first_entity(AF_INET)))
		ret = show_family(q, NULL);
	if ((q = first_entity(AF_INET6)) && show_family(q, NULL))
		ret = -1;
	return ret;
}

static int cmd_entities(int argc, char **argv)
{
	static const USHORT families[] = { AF_INET, AF_INET6 };
	RTM_ENTITY_HANDLE handles[MAX_ENTITIES];
	RTM_ENTITY_INFO infos[MAX_ENTITIES];
	char name[48], pname[48];
	int ret = 0;

	(void)argc, (void)argv;
	if (!n_ents)
		printf("no entities\n");
	for (unsigned f = 0; f < 2; f++) {
		struct ctl_entity *q = first_entity(families[f]);
		UINT n = MAX_ENTITIES;
		if (!q)
			continue;
		DWORD rc = RtmGetRegisteredEntities(q->h, &n, handles, infos);
		if (rc != NO_ERROR && rc != ERROR_INSUFFICIENT_BUFFER) {
			ret = fail_api("RtmGetRegisteredEntities", rc);
			continue;
		}
		for (UINT i = 0; i < n; i++)
			printf("%s: protocol %s instance %lu %s\n",
			       owner_name(q, handles[i], name, sizeof(name)),
			       fmt_protocol(infos[i].EntityId.EntityProtocolId, pname, sizeof(pname)),
			       (unsigned long)infos[i].EntityId.EntityInstanceId,
			       family_name(infos[i].AddressFamily));
		RtmReleaseEntities(q->h, n, handles);
		if (rc != NO_ERROR)
			ret = fail_api("RtmGetRegisteredEntities", rc);
	}
	return ret;
}

static int cmd_stats(int argc, char **argv)
{
	static const USHORT families[] = { AF_INET, AF_INET6 };
	rtm_stats st;
	int ret = 0;

	(void)argc, (void)argv;
	if (!n_ents)
		return fail("no entity is registered");
	for (unsigned f = 0; f < 2; f++) {
		struct ctl_entity *q = first_entity(families[f]);
		if (!q)
			continue;
		DWORD rc = rtm_get_stats(q->h, &st);
		if (rc != NO_ERROR) {
			ret = fail_api("rtm_get_stats", rc);
			continue;
		}
		printf("%s: entities %lu, destinations %lu, routes %lu, next hops %lu, "
		       "handles %lu, timers %lu\n",
		       family_name(families[f]), st.entities, st.dests, st.routes, st.next_hops,
		       st.handles, st.pending_timers);
	}
	return ret;
}

static int cmd_help(int argc, char **argv);

static int cmd_quit(int argc, char **argv)
{
	(void)argc, (void)argv;
	run.stop = true;
	return 0;
}

struct ctl_command {
	const char *name;
	int min_args, max_args; /* not counting the command's name */
	int (*fn)(int argc, char **argv);
	const char *usage;
};

static const struct ctl_command commands[] = {
	{ "register", 2, 4, cmd_register, "register NAME PROTOCOL [INSTANCE] [ipv4|ipv6]" },
	{ "deregister", 1, 1, cmd_deregister, "deregister NAME" },
	{ "nexthop", 2, 3, cmd_nexthop, "nexthop NAME ADDRESS [IFINDEX]" },
	{ "add", 2, 12, cmd_add,
	  "add NAME PREFIX via ADDRESS[%IFINDEX][,...] [pref N] [metric N] [views LIST] [ttl MS]" },
	{ "del", 2, 2, cmd_del, "del NAME PREFIX" },
	{ "load", 2, 4, cmd_load, "load NAME FILE [pref N]" },
	{ "lookup", 1, 1, cmd_lookup, "lookup ADDRESS|PREFIX" },
	{ "exact", 1, 1, cmd_lookup, "exact PREFIX" },
	{ "less", 1, 1, cmd_less, "less PREFIX" },
	{ "hold", 2, 4, cmd_hold, "hold PREFIX MS [views LIST]" },
	{ "show", 0, 1, cmd_show, "show [PREFIX]" },
	{ "entities", 0, 0, cmd_entities, "entities" },
	{ "stats", 0, 0, cmd_stats, "stats" },
	{ "help", 0, 0, cmd_help, "help" },
	{ "quit", 0, 0, cmd_quit, "quit" },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int cmd_help(int argc, char **argv)
{
	(void)argc, (void)argv;
	for (size_t i = 0; i < N_COMMANDS; i++)
		printf("%s\n", commands[i].usage);
	return 0;
}

/* Runs one command: words separated by blanks; '#' at a word's start begins a comment. */
static void run_command(char *text)
{
	char *argv[MAX_ARGS + 1], *save = NULL;
	int argc = 0;

	for (char *t = strtok_r(text, " \t\r\n\v\f", &save); t && *t != '#';
	     t = strtok_r(NULL, " \t\r\n\v\f", &save)) {
		if (argc == MAX_ARGS) {
			fail("more than %d words", MAX_ARGS);
			return;
		}
		argv[argc++] = t;
	}
	argv[argc] = NULL;
	if (!argc)
		return;
	for (size_t i = 0; i < N_COMMANDS; i++) {
		const struct ctl_command *c = &commands[i];
		if (strcmp(argv[0], c->name))
			continue;
		run.cmd = c->name;
		if (argc - 1 < c->min_args || argc - 1 > c->max_args)
			fail("usage: %s", c->usage);
		else
			c->fn(argc, argv);
		run.cmd = NULL;
		fflush(stdout);
		return;
	}
	fail("unknown command '%s' (try 'help')", argv[0]);
}

/* Runs a line of a file or of stdin: commands separated by ';'. */
static void run_line(char *line)
{
	char *save = NULL;

	for (char *c = strtok_r(line, ";", &save); c && !run.stop; c = strtok_r(NULL, ";", &save))
		run_command(c);
}

/* Runs the argument of -c: commands separated by ';' or newlines, numbered from 1. */
static void run_string(const char *s)
{
	char *copy = strdup(s), *save = NULL;

	if (!copy) {
		fail("out of memory");
		return;
	}
	run.src = "-c";
	run.interactive = false;
	run.line = 0;
	for (char *c = strtok_r(copy, ";\n", &save); c && !run.stop;
	     c = strtok_r(NULL, ";\n", &save)) {
		run.line++;
		run_command(c);
	}
	free(copy);
}

static void run_stream(FILE *f, const char *name, bool interactive)
{
	char *line = NULL;
	size_t cap = 0;

	run.src = interactive ? NULL : name;
	run.interactive = interactive;
	run.line = 0;
	while (!run.stop) {
		if (interactive) {
			fputs("rtmctl> ", stdout);
			fflush(stdout);
		}
		if (getline(&line, &cap, f) < 0) {
			if (interactive)
				putchar('\n');
			break;
		}
		run.line++;
		run_line(line);
	}
	free(line);
}

/* Deregisters everything, newest first, without printing the events it causes. */
static void teardown(void)
{
	pthread_mutex_lock(&ents_lock);
	events_quiet = true;
	pthread_mutex_unlock(&ents_lock);
	run.src = NULL;
	run.interactive = false;
	run.cmd = "exit";
	while (n_ents) {
		struct ctl_entity *e = &ents[n_ents - 1];
		release_neighbours(e);
		DWORD rc = RtmDeregisterEntity(e->h);
		if (rc != NO_ERROR)
			fail_api("RtmDeregisterEntity", rc);
		pthread_mutex_lock(&ents_lock);
		n_ents--;
		pthread_mutex_unlock(&ents_lock);
	}
}

static void usage(FILE *out)
{
	fprintf(out, "usage: rtmctl [-c COMMANDS]... [-f FILE]...\n"
		     "Runs rtmv2 commands from -c arguments (separated by ';' or newlines)\n"
		     "and script files (- for standard input), in order; with neither, from\n"
		     "standard input.  'help' lists the commands.\n");
}

int main(int argc, char **argv)
{
	struct {
		char kind;
		const char *arg;
	} srcs[64];
	int nsrc = 0, opt;
	bool interactive = false;

	while ((opt = getopt(argc, argv, "c:f:h")) != -1) {
		if (opt == 'h') {
			usage(stdout);
			return 0;
		}
		if (opt == '?' || nsrc == 64) {
			usage(stderr);
			return 2;
		}
		srcs[nsrc].kind = (char)opt;
		srcs[nsrc++].arg = optarg;
	}
	if (optind < argc) {
		fprintf(stderr, "rtmctl: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!nsrc) {
		srcs[0].kind = 'f';
		srcs[nsrc++].arg = "-";
	}
	for (int i = 0; i < nsrc && !run.stop; i++) {
		if (srcs[i].kind == 'c') {
			run_string(srcs[i].arg);
		} else if (!strcmp(srcs[i].arg, "-")) {
			interactive = isatty(STDIN_FILENO);
			run_stream(stdin, "<stdin>", interactive);
		} else {
			FILE *f = fopen(srcs[i].arg, "r");
			if (!f) {
				run.src = NULL;
				run.interactive = false;
				fail("%s: %s", srcs[i].arg, strerror(errno));
				continue;
			}
			run_stream(f, srcs[i].arg, false);
			fclose(f);
		}
	}
	teardown();
	return run.failures && !interactive ? 1 : 0;
}
