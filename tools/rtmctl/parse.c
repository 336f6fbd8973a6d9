/*
 * parse.c — rtmctl's words into values: decimal numbers, addresses and
 * prefixes, protocol names (and their table, which output.c also uses to
 * name a protocol), lists of views, entity names and next hops.  A parser
 * that names what is wrong does so with fail(); the others only answer.
 */
#include "rtmctl.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A decimal number from 0 to max: digits only, no sign. */
bool parse_ulong(const char *s, unsigned long max, unsigned long *out)
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

bool parse_u32(const char *s, ULONG *out)
{
	unsigned long v;

	if (!parse_ulong(s, 0xFFFFFFFFul, &v))
		return false;
	*out = (ULONG)v;
	return true;
}

/* ADDRESS or ADDRESS/LEN, IPv4 or IPv6; without /LEN, the host length. */
bool parse_prefix(const char *s, RTM_NET_ADDRESS *a)
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
const struct ctl_protocol protocols[] = {
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

const size_t n_protocols = sizeof(protocols) / sizeof(protocols[0]);

/* A protocol name (any case, '_' or '-', with or without PROTO_IP_) or a number. */
bool parse_protocol(const char *s, ULONG *out)
{
	if (parse_u32(s, out))
		return true;
	if (!strncasecmp(s, "PROTO_IP_", 9))
		s += 9;
	for (size_t i = 0; i < n_protocols; i++) {
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

/*
 * Parses a prefix (or, with host, a bare address) of family af (0: any),
 * and says what is wrong if it cannot.
 */
bool parse_addr(const char *s, USHORT af, bool host, RTM_NET_ADDRESS *a)
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

/* A comma-separated list of unicast, multicast, viewN, N or all (= supported). */
bool parse_views(const char *s, RTM_VIEW_SET supported, RTM_VIEW_SET *out)
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

bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= MAX_NAME)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.", *s))
			return false;
	return true;
}

/* ADDRESS[%IFINDEX], of e's family, into a next hop's identity. */
bool parse_next_hop(struct ctl_entity *e, char *s, RTM_NEXTHOP_INFO *nhi)
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
