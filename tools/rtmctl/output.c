/*
 * output.c — what rtmctl prints: the error line of a failed command (fail,
 * fail_api), values formatted for output (protocols, families, addresses,
 * views, the owner of a route), and routes and destinations as the query
 * commands show them.
 */
#include "rtmctl.h"

#include <rtmv2/fib.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors ------------------------------------------------------------ */

int fail(const char *fmt, ...)
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

int fail_api(const char *function, DWORD rc)
{
	return fail("%s: error %lu (%s)", function, (unsigned long)rc, rtm_strerror(rc));
}

/* ---- formatting ---------------------------------------------------------- */

/* "8 (rip)", or the number alone when it has no name. */
const char *fmt_protocol(ULONG id, char *buf, size_t size)
{
	for (size_t i = 0; i < n_protocols; i++)
		if (protocols[i].id == id) {
			snprintf(buf, size, "%lu (%s)", (unsigned long)id, protocols[i].name);
			return buf;
		}
	snprintf(buf, size, "%lu", (unsigned long)id);
	return buf;
}

const char *family_name(USHORT af)
{
	return af == AF_INET6 ? "ipv6" : "ipv4";
}

/*
 * Formats an address as ADDRESS/LEN with the bits beyond LEN cleared (the
 * RTM's name for the destination), or, without with_len, as the address.
 */
const char *fmt_addr(const RTM_NET_ADDRESS *a, bool with_len, char *buf)
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

const char *view_name(unsigned v, char *buf, size_t size)
{
	if (v == RTM_VIEW_ID_UCAST)
		return "unicast";
	if (v == RTM_VIEW_ID_MCAST)
		return "multicast";
	snprintf(buf, size, "view%u", v);
	return buf;
}

/* "unicast,multicast,view5"; "none" for the empty set. */
const char *fmt_views(RTM_VIEW_SET set, char *buf)
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

/*
 * The name of an entity a query returned.  An entity's handle is the same
 * value wherever the RTM hands it out, so it is compared with ours; an
 * entity rtmctl does not know is described by RtmGetEntityInfo.
 */
const char *owner_name(struct ctl_entity *q, RTM_ENTITY_HANDLE owner, char *buf, size_t size)
{
	RTM_ENTITY_INFO info;

	for (unsigned i = 0; i < n_ents; i++)
		if (ents[i].h == owner)
			return ents[i].name;
	if (RtmGetEntityInfo(q->h, owner, &info) != NO_ERROR)
		return "?";
	const char *fib = fib_entity_name(&info);
	if (fib)
		snprintf(buf, size, "%s", fib);
	else
		snprintf(buf, size, "protocol-%lu/%lu", (unsigned long)info.EntityId.EntityProtocolId,
			 (unsigned long)info.EntityId.EntityInstanceId);
	RtmReleaseEntityInfo(q->h, &info);
	return buf;
}

const char *fib_entity_name(const RTM_ENTITY_INFO *info)
{
	if (info->EntityId.EntityProtocolId != PROTO_IP_NETMGMT)
		return NULL;
	if (info->EntityId.EntityInstanceId == RTM_FIB_ENTITY_INSTANCE)
		return "kernel-agent";
	if (info->EntityId.EntityInstanceId == RTM_FIB_KERNEL_INSTANCE)
		return "kernel";
	return NULL;
}

/* ---- printing routes and destinations ------------------------------------- */

/* A route information buffer with room for the instance's most next hops. */
PRTM_ROUTE_INFO alloc_route_info(const struct ctl_entity *e)
{
	PRTM_ROUTE_INFO ri = calloc(1, RTM_SIZE_OF_ROUTE_INFO(e->profile.MaxNextHopsInRoute));

	if (!ri)
		fail("out of memory");
	return ri;
}

void print_next_hops(struct ctl_entity *q, const RTM_NEXTHOP_LIST *list)
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
void print_route(struct ctl_entity *q, RTM_ROUTE_HANDLE route, bool with_views)
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
void print_dest(struct ctl_entity *q, const RTM_DEST_INFO *di)
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
bool print_dest_routes(struct ctl_entity *q, RTM_DEST_HANDLE dest)
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
