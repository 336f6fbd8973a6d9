/*
 * commands.c — rtmctl's commands, one function each (register, deregister,
 * nexthop, add, del, load, lookup and exact, less, hold, show, entities,
 * stats, help, quit), with their helpers: next hop lists, the synthetic
 * neighbours and table files of `load`; and the command table that main.c
 * dispatches through.  A command returns 0, or -1 having printed its error.
 */
#include "rtmctl.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int cmd_register(int argc, char **argv)
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
	struct ctl_entity *old = find_entity(argv[1]);
	if (old && !reloading)
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
	info.EntityId.EntityProtocolId = proto;
	info.EntityId.EntityInstanceId = instance;
	if (old) { /* a reload (daemon.c): the same registration is kept */
		old->seen = true; /* kept, as the message says, even when registered otherwise */
		if (old->info.AddressFamily != info.AddressFamily || old->info.EntityId.EntityId != info.EntityId.EntityId)
			return fail("'%s' is registered otherwise: not changed by a reload", argv[1]);
		return 0;
	}
	if (reloading) {
		/* A new name for a registration the reload has not met yet: the
		 * entity (and its routes) kept under it, not deregistered while
		 * the new registration fails with ERROR_ALREADY_EXISTS. */
		for (unsigned i = 0; i < n_ents; i++) {
			struct ctl_entity *r = &ents[i];
			if (r->h && !r->seen && r->info.AddressFamily == info.AddressFamily &&
			    r->info.RtmInstanceId == info.RtmInstanceId &&
			    r->info.EntityId.EntityId == info.EntityId.EntityId) {
				pthread_mutex_lock(&ents_lock);
				strcpy(r->name, argv[1]);
				pthread_mutex_unlock(&ents_lock);
				r->seen = true;
				return 0;
			}
		}
	}
	if (n_ents == MAX_ENTITIES) /* (after the reload's checks: a full table is kept whole) */
		return fail("too many entities (at most %d)", MAX_ENTITIES);

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
	touch_route(e->h, &dest, NULL);
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
		touch_route(e->h, &a, NULL);
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

const struct ctl_command commands[] = {
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
	{ "kernel", 1, 8, cmd_kernel,
	  "kernel sync [ipv4|ipv6] [table N] [learn PREF] [keep] | kernel status | kernel stop" },
	{ "mrt", 2, 6, cmd_mrt,
	  "mrt load FILE [NAME] [pref N] | mrt dump FILE [best] | mrt replay FILE [NAME] [pref N] [realtime]" },
	{ "help", 0, 0, cmd_help, "help" },
	{ "quit", 0, 0, cmd_quit, "quit" },
};

const size_t n_commands = sizeof(commands) / sizeof(commands[0]);

static int cmd_help(int argc, char **argv)
{
	(void)argc, (void)argv;
	for (size_t i = 0; i < n_commands; i++)
		printf("%s\n", commands[i].usage);
	return 0;
}
