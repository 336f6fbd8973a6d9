/*
 * test_fib_learn.c — the kernel FIB agent learning the kernel's own routes
 * (RTM_FIB_LEARN) and following the kernel's announcements, against a real
 * kernel routing table in a private network namespace (fibtest.h): what RTM
 * has is checked against what the kernel has after each change.
 */
#include "fibtest.h"

#include <arpa/inet.h>

/* ---- learning the kernel's own routes ------------------------------------------------ */

/* librtmv2-fib's test hooks (fib/fib.h). */
extern int fib_watch_test_rcvbuf;
extern _Atomic int fib_watch_test_pause;

struct learned {
	bool found;
	ULONG pref, metric;
	USHORT proto, instance;
	unsigned n_nh;
	char nh[4][64]; /* "192.0.2.2%<ifindex>" or "-%<ifindex>" without a gateway */
};

/* The best unicast route RTM has for prefix, as reg sees it. */
static struct learned rtm_best(RTM_ENTITY_HANDLE reg, USHORT family, const char *prefix, unsigned len)
{
	struct learned out;
	memset(&out, 0, sizeof(out));
	RTM_NET_ADDRESS a;
	addr_of(family, prefix, len, &a);
	union {
		RTM_ROUTE_INFO info;
		char room[RTM_SIZE_OF_ROUTE_INFO(8)];
	} r;
	RTM_ROUTE_HANDLE h = NULL;
	if (RtmGetExactMatchRoute(reg, &a, RTM_MATCH_NONE, &r.info, 0, RTM_VIEW_MASK_UCAST, &h) != NO_ERROR)
		return out;
	out.found = true;
	out.pref = r.info.PrefInfo.Preference;
	out.metric = r.info.PrefInfo.Metric;
	RTM_ENTITY_INFO ei;
	if (RtmGetEntityInfo(reg, r.info.RouteOwner, &ei) == NO_ERROR) {
		out.proto = (USHORT)ei.EntityId.EntityProtocolId;
		out.instance = (USHORT)ei.EntityId.EntityInstanceId;
	}
	const RTM_NEXTHOP_HANDLE *hs = r.info.NextHopsList.NextHops;
	for (unsigned i = 0; i < r.info.NextHopsList.NumNextHops && i < 4; i++) {
		RTM_NEXTHOP_INFO ni;
		if (RtmGetNextHopInfo(reg, hs[i], &ni) != NO_ERROR)
			continue;
		char t[INET6_ADDRSTRLEN] = "";
		bool zero = true;
		for (unsigned k = 0; k < 16; k++)
			zero &= ni.NextHopAddress.AddrBits[k] == 0;
		if (!zero)
			inet_ntop(family, ni.NextHopAddress.AddrBits, t, sizeof(t));
		snprintf(out.nh[out.n_nh++], sizeof(out.nh[0]), "%s%%%lu", zero ? "-" : t,
			 (unsigned long)ni.InterfaceIndex);
		RtmReleaseNextHopInfo(reg, &ni);
	}
	RtmReleaseRouteInfo(reg, &r.info);
	RtmReleaseRoutes(reg, 1, &h);
	return out;
}

static bool has_nh(const struct learned *l, const char *nh)
{
	for (unsigned i = 0; i < l->n_nh; i++)
		if (!strcmp(l->nh[i], nh))
			return true;
	return false;
}

static rtm_fib_agent *learner_start(USHORT family, ULONG pref, rtm_fib_stats *st)
{
	rtm_fib_options o = { .family = family, .table = TABLE, .flags = RTM_FIB_LEARN, .learn_preference = pref };
	rtm_fib_agent *a = NULL;
	CHECK_U(rtm_fib_start(&o, &a, st), NO_ERROR);
	return a;
}

/* The table's other routes come into RTM as the learner's (its preference,
 * the kernel's metric and next hops), follow `ip route add`, `replace` and
 * `del`, a multipath route is one route with its next hops, types RTM has no
 * words for are skipped, and the agent does not install what the kernel has
 * itself.  At stop they leave RTM, and the kernel's routes stay. */
static void test_learn_follows_the_kernel(void)
{
	netns_setup();
	REQUIRE(sh("ip route add 10.70.0.0/16 via 192.0.2.2 table 100 && "
		   "ip route add 10.71.0.0/16 dev veth0 table 100 metric 7 && "
		   "ip route add blackhole 10.72.0.0/16 table 100 && "
		   "ip route add 10.75.0.0/16 via 192.0.2.2 table 101") == 0);
	char veth[32], veth0_gw2[64], veth0_gw3[64];
	snprintf(veth, sizeof(veth), "-%%%u", if_nametoindex("veth0"));
	snprintf(veth0_gw2, sizeof(veth0_gw2), "192.0.2.2%%%u", if_nametoindex("veth0"));
	snprintf(veth0_gw3, sizeof(veth0_gw3), "192.0.2.3%%%u", if_nametoindex("veth0"));
	static const char *const gw[] = { "192.0.2.2" };
	struct proto p;
	proto_start(&p, AF_INET, gw, 1);
	proto_route(&p, "10.1.0.0", 16, (unsigned[]){ 0 }, 1);
	rtm_fib_stats st;
	rtm_fib_agent *a = learner_start(AF_INET, 200, &st);
	REQUIRE(a);
	CHECK_U(st.learned, 2);
	CHECK_U(st.learn_skipped, 1); /* the blackhole */
	CHECK_U(st.installed, 1);
	CHECK_U(st.failed, 0);

	struct learned l = rtm_best(p.reg, AF_INET, "10.70.0.0", 16);
	CHECK(l.found);
	CHECK_U(l.pref, 200);
	CHECK_U(l.metric, 0);
	CHECK_U(l.proto, PROTO_IP_NETMGMT);
	CHECK_U(l.instance, RTM_FIB_KERNEL_INSTANCE);
	CHECK_U(l.n_nh, 1);
	CHECK(has_nh(&l, veth0_gw2));
	l = rtm_best(p.reg, AF_INET, "10.71.0.0", 16);
	CHECK(l.found);
	CHECK_U(l.metric, 7);
	CHECK(has_nh(&l, veth));
	CHECK(!rtm_best(p.reg, AF_INET, "10.72.0.0", 16).found);
	CHECK(!rtm_best(p.reg, AF_INET, "10.75.0.0", 16).found); /* another table */
	char t[4096];
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.70.0.0/16 via 192.0.2.2 dev veth0 proto 196") == NULL);
	CHECK(strstr(t, "10.1.0.0/16 via 192.0.2.2 dev veth0 proto 196") != NULL);
	CHECK_U(count_lines(t), 4);

	/* The kernel changes. */
	REQUIRE(sh("ip route add 10.73.0.0/16 via 192.0.2.3 table 100 metric 5 && "
		   "ip route replace 10.70.0.0/16 via 192.0.2.3 table 100 && "
		   "ip route del 10.71.0.0/16 table 100 && "
		   "ip route add 10.74.0.0/16 table 100 nexthop via 192.0.2.2 nexthop via 192.0.2.3") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	l = rtm_best(p.reg, AF_INET, "10.73.0.0", 16);
	CHECK(l.found && l.metric == 5 && l.pref == 200 && has_nh(&l, veth0_gw3));
	l = rtm_best(p.reg, AF_INET, "10.70.0.0", 16);
	CHECK(l.found && l.n_nh == 1 && has_nh(&l, veth0_gw3));
	CHECK(!rtm_best(p.reg, AF_INET, "10.71.0.0", 16).found);
	l = rtm_best(p.reg, AF_INET, "10.74.0.0", 16);
	CHECK(l.found && l.n_nh == 2 && has_nh(&l, veth0_gw2) && has_nh(&l, veth0_gw3));
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	CHECK_U(st.learned, 3);
	CHECK(st.learn_changes >= 4);
	CHECK_U(st.learn_resyncs, 0);

	/* A protocol's better route there (preference 120): the agent would
	 * install it, but the kernel's own route holds the prefix and is never
	 * taken over: refused (EEXIST) and pending, until the protocol's route
	 * goes and the learned one is best again. */
	proto_route(&p, "10.70.0.0", 16, (unsigned[]){ 0 }, 1);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	CHECK_U(st.last_error, EEXIST);
	CHECK(strcmp(st.last_error_dest, "10.70.0.0/16") == 0);
	CHECK_U(st.pending, 1);
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.70.0.0/16 via 192.0.2.3 dev veth0") != NULL);
	CHECK(strstr(t, "10.70.0.0/16 via 192.0.2.2") == NULL);
	proto_delete(&p, "10.70.0.0", 16);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	CHECK_U(st.pending, 0);
	l = rtm_best(p.reg, AF_INET, "10.70.0.0", 16);
	CHECK(l.found && l.pref == 200);

	CHECK_U(rtm_fib_stop(a), NO_ERROR);
	CHECK(!rtm_best(p.reg, AF_INET, "10.70.0.0", 16).found);
	CHECK(!rtm_best(p.reg, AF_INET, "10.74.0.0", 16).found);
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.70.0.0/16 via 192.0.2.3 dev veth0") != NULL);
	CHECK(strstr(t, "10.73.0.0/16 via 192.0.2.3 dev veth0") != NULL);
	CHECK(strstr(t, "proto 196") == NULL);
	RtmDeregisterEntity(p.reg);
}

/* IPv6: a connected prefix and a route through a gateway. */
static void test_learn_ipv6(void)
{
	netns_setup();
	REQUIRE(sh("ip -6 route add 2001:db8:70::/48 via 2001:db8::2 table 100 && "
		   "ip -6 route add 2001:db8:71::/48 dev veth0 table 100 metric 9") == 0);
	static const char *const gw[] = { "2001:db8::2" };
	struct proto p;
	proto_start(&p, AF_INET6, gw, 1);
	rtm_fib_stats st;
	rtm_fib_agent *a = learner_start(AF_INET6, 150, &st);
	REQUIRE(a);
	CHECK_U(st.learned, 2);
	char want[64];
	snprintf(want, sizeof(want), "2001:db8::2%%%u", if_nametoindex("veth0"));
	struct learned l = rtm_best(p.reg, AF_INET6, "2001:db8:70::", 48);
	CHECK(l.found && l.pref == 150 && l.metric == 1024 && has_nh(&l, want));
	l = rtm_best(p.reg, AF_INET6, "2001:db8:71::", 48);
	CHECK(l.found && l.metric == 9 && l.n_nh == 1);
	REQUIRE(sh("ip -6 route del 2001:db8:70::/48 table 100") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	CHECK(!rtm_best(p.reg, AF_INET6, "2001:db8:70::", 48).found);
	CHECK_U(rtm_fib_stop(a), NO_ERROR);
	RtmDeregisterEntity(p.reg);
}

/* What cannot be learned leaves the learned routes alone, and what cannot be
 * applied exactly is listed again: a multipath route with a gateway of the
 * other family is skipped; a route with a TOS neither replaces nor removes
 * the learned route of its prefix; of two routes of one key (append) the
 * kernel's first is learned, and removing either leaves RTM as the kernel
 * is; removing one next hop of an IPv4 multipath route leaves the other; a
 * route of the agent's replacing a learned one takes it out of RTM. */
static void test_learn_exactly(void)
{
	netns_setup();
	REQUIRE(sh("ip route add 10.70.0.0/16 via 192.0.2.2 table 100 && "
		   "ip route add 10.77.0.0/16 via 192.0.2.2 table 100") == 0);
	char gw2[64], gw3[64];
	snprintf(gw2, sizeof(gw2), "192.0.2.2%%%u", if_nametoindex("veth0"));
	snprintf(gw3, sizeof(gw3), "192.0.2.3%%%u", if_nametoindex("veth0"));
	static const char *const gw[] = { "192.0.2.2", "192.0.2.3" };
	struct proto p;
	proto_start(&p, AF_INET, gw, 2);
	rtm_fib_stats st;
	rtm_fib_agent *a = learner_start(AF_INET, 200, &st);
	REQUIRE(a);
	CHECK_U(st.learned, 2);

	/* Prepend (a route before the first of its key, announced with neither
	 * EXCL nor REPLACE): the kernel still uses the first; it stays learned
	 * when the prepended one goes. */
	REQUIRE(sh("ip route add 10.79.0.0/16 via 192.0.2.2 table 100 && "
		   "ip route prepend 10.79.0.0/16 via 192.0.2.3 table 100") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	REQUIRE(sh("ip route del 10.79.0.0/16 via 192.0.2.3 table 100") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	struct learned l = rtm_best(p.reg, AF_INET, "10.79.0.0", 16);
	CHECK(l.found && l.n_nh == 1 && has_nh(&l, gw2));

	/* RTA_VIA in a multipath route (an IPv6 gateway for an IPv4 prefix). */
	if (sh("ip route add 10.76.0.0/16 table 100 nexthop via 192.0.2.2 dev veth0 "
	       "nexthop via inet6 2001:db8::2 dev veth0 2>/dev/null") == 0) {
		CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
		CHECK(!rtm_best(p.reg, AF_INET, "10.76.0.0", 16).found);
	}
	/* TOS: not learned, and the learned route of the prefix stays. */
	REQUIRE(sh("ip route add 10.70.0.0/16 tos 0x10 via 192.0.2.3 table 100") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	l = rtm_best(p.reg, AF_INET, "10.70.0.0", 16);
	CHECK(l.found && l.n_nh == 1 && has_nh(&l, gw2));
	REQUIRE(sh("ip route del 10.70.0.0/16 tos 0x10 table 100") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	l = rtm_best(p.reg, AF_INET, "10.70.0.0", 16);
	CHECK(l.found && has_nh(&l, gw2));

	/* Append: the first stays learned; removing the second keeps it,
	 * removing the first uncovers the second. */
	REQUIRE(sh("ip route append 10.77.0.0/16 via 192.0.2.3 table 100") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	l = rtm_best(p.reg, AF_INET, "10.77.0.0", 16);
	CHECK(l.found && l.n_nh == 1 && has_nh(&l, gw2));
	REQUIRE(sh("ip route del 10.77.0.0/16 via 192.0.2.3 table 100") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	l = rtm_best(p.reg, AF_INET, "10.77.0.0", 16);
	CHECK(l.found && l.n_nh == 1 && has_nh(&l, gw2));
	REQUIRE(sh("ip route append 10.77.0.0/16 via 192.0.2.3 table 100 && "
		   "ip route del 10.77.0.0/16 via 192.0.2.2 table 100") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	l = rtm_best(p.reg, AF_INET, "10.77.0.0", 16);
	CHECK(l.found && l.n_nh == 1 && has_nh(&l, gw3));

	/* One next hop of a multipath route goes (the kernel re-announces the
	 * route with the other, or the listing finds it). */
	REQUIRE(sh("ip route add 10.78.0.0/16 table 100 nexthop via 192.0.2.2 nexthop via 192.0.2.3") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	l = rtm_best(p.reg, AF_INET, "10.78.0.0", 16);
	CHECK(l.found && l.n_nh == 2);
	REQUIRE(sh("ip route change 10.78.0.0/16 table 100 nexthop via 192.0.2.3") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	l = rtm_best(p.reg, AF_INET, "10.78.0.0", 16);
	CHECK(l.found && l.n_nh == 1 && has_nh(&l, gw3));

	/* The agent's route replaces the kernel's own at a key: not learned any more. */
	proto_route(&p, "10.1.0.0", 16, (unsigned[]){ 0 }, 1);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	REQUIRE(sh("ip route replace 10.1.0.0/16 via 192.0.2.3 table 100") == 0); /* someone takes it */
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	unsigned long learned = st.learned;
	proto_route(&p, "10.1.0.0", 16, (unsigned[]){ 1 }, 1); /* the agent replaces it again */
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	CHECK_U(st.learned, learned - 1);
	char t[4096];
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.1.0.0/16 via 192.0.2.3 dev veth0 proto 196") != NULL);
	CHECK_U(rtm_fib_stop(a), NO_ERROR);
	RtmDeregisterEntity(p.reg);
}

/* IPv6: one next hop of a multipath route removed by `ip -6 route del ... via`. */
static void test_learn_ipv6_multipath_hop(void)
{
	netns_setup();
	REQUIRE(sh("ip -6 route add 2001:db8:72::/48 table 100 nexthop via 2001:db8::2 dev veth0 "
		   "nexthop via 2001:db8::3 dev veth0") == 0);
	static const char *const gw[] = { "2001:db8::2" };
	struct proto p;
	proto_start(&p, AF_INET6, gw, 1);
	rtm_fib_stats st;
	rtm_fib_agent *a = learner_start(AF_INET6, 150, &st);
	REQUIRE(a);
	struct learned l = rtm_best(p.reg, AF_INET6, "2001:db8:72::", 48);
	CHECK(l.found && l.n_nh == 2);
	REQUIRE(sh("ip -6 route del 2001:db8:72::/48 table 100 via 2001:db8::2") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	char want[64];
	snprintf(want, sizeof(want), "2001:db8::3%%%u", if_nametoindex("veth0"));
	l = rtm_best(p.reg, AF_INET6, "2001:db8:72::", 48);
	CHECK(l.found && l.n_nh == 1 && has_nh(&l, want));
	CHECK_U(rtm_fib_stop(a), NO_ERROR);
	RtmDeregisterEntity(p.reg);
}

/* A link goes down: IPv4 takes the routes through it out without announcing
 * it.  The learned one leaves RTM; the agent's own is noticed, refused while
 * its gateway is unreachable, and back in the kernel once the link is up. */
static void test_link_down(void)
{
	netns_setup();
	REQUIRE(sh("ip route add 10.81.0.0/16 via 192.0.2.2 table 100") == 0);
	static const char *const gw[] = { "192.0.2.2" };
	struct proto p;
	proto_start(&p, AF_INET, gw, 1);
	proto_route(&p, "10.1.0.0", 16, (unsigned[]){ 0 }, 1);
	rtm_fib_stats st;
	rtm_fib_agent *a = learner_start(AF_INET, 200, &st);
	REQUIRE(a);
	CHECK_U(st.learned, 1);
	CHECK_U(st.installed, 1);
	REQUIRE(sh("ip link set veth0 down") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	CHECK(!rtm_best(p.reg, AF_INET, "10.81.0.0", 16).found);
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	CHECK_U(st.learned, 0);
	CHECK_U(st.pending, 1); /* 10.1.0.0/16: refused while the link is down */
	char t[4096];
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.1.0.0/16") == NULL);
	REQUIRE(sh("ip link set veth0 up") == 0);
	for (unsigned i = 0; i < 100; i++) { /* the retry comes within a second or two */
		kernel_table("-4", t, sizeof(t));
		if (strstr(t, "10.1.0.0/16 via 192.0.2.2"))
			break;
		struct timespec ts = { 0, 100 * 1000000L };
		nanosleep(&ts, NULL);
	}
	CHECK(strstr(t, "10.1.0.0/16 via 192.0.2.2 dev veth0 proto 196") != NULL);
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	CHECK_U(st.pending, 0);
	CHECK_U(rtm_fib_stop(a), NO_ERROR);
	RtmDeregisterEntity(p.reg);
}

/* A next hop through a link that goes down is dead, and alive again when
 * the link comes back: neither is announced (IPv4); RTM follows both. */
static void test_learn_dead_nexthop_revives(void)
{
	netns_setup();
	REQUIRE(sh("ip link add veth2 type veth peer name veth3 && ip link set veth2 up && "
		   "ip link set veth3 up && ip addr add 198.51.100.1/24 dev veth2 && "
		   "ip route add 10.82.0.0/16 table 100 nexthop via 192.0.2.2 dev veth0 "
		   "nexthop via 198.51.100.2 dev veth2") == 0);
	static const char *const gw[] = { "192.0.2.2" };
	struct proto p;
	proto_start(&p, AF_INET, gw, 1);
	rtm_fib_stats st;
	rtm_fib_agent *a = learner_start(AF_INET, 200, &st);
	REQUIRE(a);
	struct learned l = rtm_best(p.reg, AF_INET, "10.82.0.0", 16);
	CHECK(l.found && l.n_nh == 2);
	REQUIRE(sh("ip link set veth2 down") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	l = rtm_best(p.reg, AF_INET, "10.82.0.0", 16);
	CHECK(l.found && l.n_nh == 1);
	REQUIRE(sh("ip link set veth2 up") == 0);
	/* Up comes in two steps (IFF_UP, then the carrier): wait for the second. */
	for (unsigned i = 0; i < 100; i++) {
		CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
		l = rtm_best(p.reg, AF_INET, "10.82.0.0", 16);
		if (l.n_nh == 2)
			break;
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
	CHECK(l.found && l.n_nh == 2);
	CHECK_U(rtm_fib_stop(a), NO_ERROR);
	RtmDeregisterEntity(p.reg);
}

/* The announcements overrun the learner's socket (its buffer at the
 * minimum, its thread held while a burst of changes is made): the kernel
 * says ENOBUFS, the learner lists the table again, and RTM ends as the
 * kernel is, additions and removals alike. */
static void test_learn_overrun_resyncs(void)
{
	netns_setup();
	REQUIRE(sh("ip route add 10.70.0.0/16 via 192.0.2.2 table 100 && "
		   "ip route add 10.71.0.0/16 via 192.0.2.2 table 100") == 0);
	static const char *const gw[] = { "192.0.2.2" };
	struct proto p;
	proto_start(&p, AF_INET, gw, 1);
	fib_watch_test_rcvbuf = 1; /* the kernel makes it its minimum */
	rtm_fib_stats st;
	rtm_fib_agent *a = learner_start(AF_INET, 200, &st);
	fib_watch_test_rcvbuf = 0;
	REQUIRE(a);
	CHECK_U(st.learned, 2);
	atomic_store(&fib_watch_test_pause, 1);
	enum { N = 500 };
	FILE *f = fopen("/tmp/test_fib_batch", "w");
	REQUIRE(f);
	for (unsigned i = 0; i < N; i++)
		fprintf(f, "route add 10.80.%u.%u/32 via 192.0.2.2 table 100\n", i / 256, i % 256);
	fprintf(f, "route del 10.71.0.0/16 table 100\n");
	fclose(f);
	REQUIRE(sh("ip -batch /tmp/test_fib_batch") == 0);
	unlink("/tmp/test_fib_batch");
	atomic_store(&fib_watch_test_pause, 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	CHECK(st.learn_resyncs >= 1);
	CHECK_U(st.learned, N + 1);
	CHECK(rtm_best(p.reg, AF_INET, "10.80.0.0", 32).found);
	CHECK(rtm_best(p.reg, AF_INET, "10.80.1.243", 32).found);
	CHECK(rtm_best(p.reg, AF_INET, "10.70.0.0", 16).found);
	CHECK(!rtm_best(p.reg, AF_INET, "10.71.0.0", 16).found);
	/* And it follows on afterwards. */
	REQUIRE(sh("ip route del 10.80.0.7/32 table 100") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	CHECK(!rtm_best(p.reg, AF_INET, "10.80.0.7", 32).found);
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	CHECK_U(st.learned, N);
	CHECK_U(rtm_fib_stop(a), NO_ERROR);
	RtmDeregisterEntity(p.reg);
}

int main(void)
{
	const char *why = fib_tests_unusable();
	if (why) {
		printf("test_fib_learn: the kernel tests not run: %s\n", why);
	} else {
		RUN(test_learn_follows_the_kernel);
		RUN(test_learn_ipv6);
		RUN(test_learn_overrun_resyncs);
		RUN(test_learn_exactly);
		RUN(test_learn_ipv6_multipath_hop);
		RUN(test_link_down);
		RUN(test_learn_dead_nexthop_revives);
	}
	TEST_MAIN_END();
}
