/*
 * test_fib.c — the kernel FIB agent (librtmv2-fib, <rtmv2/fib.h>) against a
 * real kernel routing table, in a private network namespace.
 *
 * Each test runs in its own namespace (unshare(CLONE_NEWNET) in the forked
 * child), with a veth pair (this kernel has no dummy driver): veth0 holds
 * 192.0.2.1/24 and 2001:db8::1/64, so 192.0.2.2, .3 and 2001:db8::2 are
 * reachable gateways.  A protocol entity adds routes through the RTMv2 API;
 * the agent puts them in kernel table 100; each check reads the kernel's
 * table with `ip route show` and compares it with what RTM has.
 *
 * Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2: without them
 * the program says so and runs nothing (CI runs it as root).  Not under
 * MemorySanitizer: libmnl is not built with it.
 */
#define TL_TIMEOUT_S 60
#include "testlib.h"

#include <net/if.h>
#include <rtmv2.h>
#include <rtmv2/fib.h>
#include <routprot.h>
#include <sched.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <sys/socket.h>

#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#define NO_FIB_TESTS "libmnl is not built with MemorySanitizer"
#endif
#endif

#define TABLE 100u
#define IDLE_MS 10000u

/* ---- the namespace and the kernel's table --------------------------------------- */

static int sh(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* A namespace of the test's own with veth0 up and addressed.  A test never
 * goes on outside one: it would change the host's routes.  (The forked test
 * dies, and fails; main checked first that namespaces can be made.) */
static void netns_setup(void)
{
	if (unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "  unshare(CLONE_NEWNET): %s: the test stops here\n", strerror(errno));
		_exit(1);
	}
	if (sh("ip link set lo up && ip link add veth0 type veth peer name veth1 && "
	       "ip link set veth0 up && ip link set veth1 up && "
	       "ip addr add 192.0.2.1/24 dev veth0 && "
	       "ip -6 addr add 2001:db8::1/64 dev veth0 nodad") != 0) {
		fprintf(stderr, "  the namespace's veth pair could not be made: the test stops here\n");
		_exit(1);
	}
}

/* Can this process make a network namespace with a veth pair?  Tried in a
 * child, which leaves the caller where it is (a root without CAP_SYS_ADMIN,
 * as in many containers, cannot). */
static bool netns_usable(void)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(unshare(CLONE_NEWNET) == 0 &&
				      sh("ip link add veth0 type veth peer name veth1 2>/dev/null") == 0
			      ? 0
			      : 1);
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* The kernel's table TABLE for a family, one route a line, as `ip` prints it. */
static void kernel_table(const char *family, char *out, size_t size)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "ip %s route show table %u 2>&1", family, TABLE);
	FILE *f = popen(cmd, "r");
	size_t n = 0;
	out[0] = 0;
	if (!f)
		return;
	while (n + 1 < size && fgets(out + n, (int)(size - n), f))
		n += strlen(out + n);
	pclose(f);
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* ---- the protocol side: an entity that adds routes --------------------------------- */

struct proto {
	RTM_ENTITY_HANDLE reg;
	RTM_NEXTHOP_HANDLE nh[4];
	USHORT family;
};

static void addr_of(USHORT family, const char *text, unsigned len, RTM_NET_ADDRESS *a)
{
	memset(a, 0, sizeof(*a));
	a->AddressFamily = family;
	a->NumBits = (USHORT)len;
	REQUIRE(inet_pton(family, text, a->AddrBits) == 1);
}

static void proto_start(struct proto *p, USHORT family, const char *const *gws, unsigned n)
{
	RTM_ENTITY_INFO ei;
	RTM_REGN_PROFILE prof;
	memset(&ei, 0, sizeof(ei));
	memset(p, 0, sizeof(*p));
	p->family = family;
	ei.AddressFamily = family;
	ei.EntityId.EntityProtocolId = PROTO_IP_RIP;
	ei.EntityId.EntityInstanceId = 1;
	REQUIRE(RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &p->reg) == NO_ERROR);
	for (unsigned i = 0; i < n; i++) {
		RTM_NEXTHOP_INFO ni;
		memset(&ni, 0, sizeof(ni));
		addr_of(family, gws[i], family == AF_INET ? 32 : 128, &ni.NextHopAddress);
		ni.InterfaceIndex = if_nametoindex("veth0");
		REQUIRE(ni.InterfaceIndex != 0);
		DWORD fl = 0;
		REQUIRE(RtmAddNextHop(p->reg, &ni, &p->nh[i], &fl) == NO_ERROR);
	}
}

/* Adds (or changes) p's route to prefix via next hops idx[0..n). */
static void proto_route(struct proto *p, const char *prefix, unsigned len, const unsigned *idx, unsigned n)
{
	union {
		RTM_ROUTE_INFO info;
		char room[RTM_SIZE_OF_ROUTE_INFO(4)];
	} r;
	memset(&r, 0, sizeof(r));
	r.info.PrefInfo.Preference = 120;
	r.info.PrefInfo.Metric = 1;
	r.info.BelongsToViews = RTM_VIEW_MASK_UCAST;
	r.info.NextHopsList.NumNextHops = (USHORT)n;
	RTM_NEXTHOP_HANDLE *hs = r.info.NextHopsList.NextHops; /* declared [1]; the union has room */
	for (unsigned i = 0; i < n; i++)
		hs[i] = p->nh[idx[i]];
	RTM_NET_ADDRESS a;
	addr_of(p->family, prefix, len, &a);
	RTM_ROUTE_HANDLE h = NULL;
	DWORD flags = 0;
	CHECK_U(RtmAddRouteToDest(p->reg, &h, &a, &r.info, INFINITE, NULL, 0, NULL, &flags), NO_ERROR);
	if (h)
		RtmReleaseRoutes(p->reg, 1, &h);
}

static void proto_delete(struct proto *p, const char *prefix, unsigned len)
{
	RTM_NET_ADDRESS a;
	addr_of(p->family, prefix, len, &a);
	union {
		RTM_ROUTE_INFO info;
		char room[RTM_SIZE_OF_ROUTE_INFO(4)];
	} r;
	RTM_ROUTE_HANDLE h = NULL;
	REQUIRE(RtmGetExactMatchRoute(p->reg, &a, RTM_MATCH_NONE, &r.info, 0, RTM_VIEW_MASK_UCAST, &h) ==
		NO_ERROR);
	RtmReleaseRouteInfo(p->reg, &r.info);
	DWORD flags = 0;
	CHECK_U(RtmDeleteRouteToDest(p->reg, h, &flags), NO_ERROR);
	RtmReleaseRoutes(p->reg, 1, &h);
}

static rtm_fib_agent *agent_start(USHORT family, unsigned flags, rtm_fib_stats *st)
{
	rtm_fib_options o = { .family = family, .table = TABLE, .flags = flags };
	rtm_fib_agent *a = NULL;
	CHECK_U(rtm_fib_start(&o, &a, st), NO_ERROR);
	return a;
}

/* ---- tests ---------------------------------------------------------------------- */

/* What RTM has at start goes in; a new route, a changed next hop (replaced,
 * not added twice), several next hops (one multipath route) and a deletion
 * follow; at stop the agent's routes leave the table. */
static void test_install_replace_ecmp_delete(void)
{
	netns_setup();
	static const char *const gw[] = { "192.0.2.2", "192.0.2.3" };
	struct proto p;
	proto_start(&p, AF_INET, gw, 2);
	proto_route(&p, "10.1.0.0", 16, (unsigned[]){ 0 }, 1);
	proto_route(&p, "10.2.0.0", 16, (unsigned[]){ 1 }, 1);
	rtm_fib_stats st;
	rtm_fib_agent *a = agent_start(AF_INET, 0, &st);
	REQUIRE(a);
	CHECK_U(st.installed, 2);
	CHECK_U(st.failed, 0);
	char t[4096];
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.1.0.0/16 via 192.0.2.2 dev veth0 proto 196") != NULL);
	CHECK(strstr(t, "10.2.0.0/16 via 192.0.2.3 dev veth0 proto 196") != NULL);
	CHECK_U(count_lines(t), 2);

	proto_route(&p, "10.3.0.0", 16, (unsigned[]){ 0 }, 1);            /* new */
	proto_route(&p, "10.1.0.0", 16, (unsigned[]){ 1 }, 1);            /* next hop changes */
	proto_route(&p, "10.2.0.0", 16, (unsigned[]){ 0, 1 }, 2);         /* two next hops */
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.3.0.0/16 via 192.0.2.2 dev veth0 proto 196") != NULL);
	CHECK(strstr(t, "10.1.0.0/16 via 192.0.2.3 dev veth0 proto 196") != NULL);
	CHECK(strstr(t, "10.1.0.0/16 via 192.0.2.2") == NULL);
	CHECK(strstr(t, "10.2.0.0/16 proto 196") != NULL);
	CHECK(strstr(t, "nexthop via 192.0.2.2 dev veth0") != NULL);
	CHECK(strstr(t, "nexthop via 192.0.2.3 dev veth0") != NULL);
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	CHECK_U(st.installed, 3);
	CHECK_U(st.replaced, 2);
	CHECK_U(st.in_kernel, 3);

	proto_delete(&p, "10.3.0.0", 16);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.3.0.0/16") == NULL);
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	CHECK_U(st.removed, 1);
	CHECK_U(st.in_kernel, 2);

	CHECK_U(rtm_fib_stop(a), NO_ERROR);
	kernel_table("-4", t, sizeof(t));
	CHECK_U(count_lines(t), 0);
	RtmDeregisterEntity(p.reg);
}

/* IPv6 the same way, into the same table number. */
static void test_ipv6(void)
{
	netns_setup();
	static const char *const gw[] = { "2001:db8::2", "2001:db8::3" };
	struct proto p;
	proto_start(&p, AF_INET6, gw, 2);
	proto_route(&p, "2001:db8:100::", 48, (unsigned[]){ 0 }, 1);
	rtm_fib_stats st;
	rtm_fib_agent *a = agent_start(AF_INET6, 0, &st);
	REQUIRE(a);
	CHECK_U(st.installed, 1);
	proto_route(&p, "2001:db8:200::", 48, (unsigned[]){ 0, 1 }, 2);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	char t[4096];
	kernel_table("-6", t, sizeof(t));
	CHECK(strstr(t, "2001:db8:100::/48 via 2001:db8::2 dev veth0 proto 196") != NULL);
	CHECK(strstr(t, "2001:db8:200::/48 proto 196") != NULL);
	CHECK(strstr(t, "nexthop via 2001:db8::3 dev veth0") != NULL);
	CHECK_U(rtm_fib_stop(a), NO_ERROR);
	kernel_table("-6", t, sizeof(t));
	CHECK(strstr(t, "proto 196") == NULL);
	RtmDeregisterEntity(p.reg);
}

/* A gateway the kernel cannot reach is refused: counted with the kernel's
 * reason, the rest goes in, and it goes in once the gateway becomes
 * reachable (tried again, here by the agent's periodic retry). */
static void test_refused_and_retried(void)
{
	netns_setup();
	static const char *const gw[] = { "192.0.2.2", "198.51.100.9" };
	struct proto p;
	proto_start(&p, AF_INET, gw, 2);
	proto_route(&p, "10.1.0.0", 16, (unsigned[]){ 0 }, 1);
	proto_route(&p, "10.9.0.0", 16, (unsigned[]){ 1 }, 1);
	rtm_fib_stats st;
	rtm_fib_agent *a = agent_start(AF_INET, 0, &st);
	REQUIRE(a);
	CHECK_U(st.installed, 1);
	CHECK_U(st.failed, 1);
	CHECK(st.last_error != 0);
	CHECK(strcmp(st.last_error_dest, "10.9.0.0/16") == 0);
	char t[4096];
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.1.0.0/16 via 192.0.2.2") != NULL);
	CHECK(strstr(t, "10.9.0.0/16") == NULL);
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	CHECK_U(st.pending, 1);
	/* The gateway becomes reachable. */
	REQUIRE(sh("ip addr add 198.51.100.1/24 dev veth0") == 0);
	for (unsigned i = 0; i < 100; i++) { /* the retry comes within a second or two */
		kernel_table("-4", t, sizeof(t));
		if (strstr(t, "10.9.0.0/16 via 198.51.100.9"))
			break;
		struct timespec ts = { 0, 100 * 1000000L };
		nanosleep(&ts, NULL);
	}
	CHECK(strstr(t, "10.9.0.0/16 via 198.51.100.9 dev veth0 proto 196") != NULL);
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	CHECK_U(st.pending, 0);
	CHECK_U(st.installed, 2);
	CHECK_U(rtm_fib_stop(a), NO_ERROR);
	RtmDeregisterEntity(p.reg);
}

/* At start: a route of ours the kernel has and RTM does not (a previous run)
 * is removed, one RTM has is replaced, and other protocols' routes stay.
 * With RTM_FIB_KEEP_AT_STOP the routes stay after stop. */
static void test_stale_at_start_and_keep(void)
{
	netns_setup();
	REQUIRE(sh("ip route add 10.50.0.0/16 via 192.0.2.2 table 100 proto 196 && "
		   "ip route add 10.1.0.0/16 via 192.0.2.3 table 100 proto 196 && "
		   "ip route add 10.60.0.0/16 via 192.0.2.2 table 100 proto static") == 0);
	static const char *const gw[] = { "192.0.2.2" };
	struct proto p;
	proto_start(&p, AF_INET, gw, 1);
	proto_route(&p, "10.1.0.0", 16, (unsigned[]){ 0 }, 1);
	rtm_fib_stats st;
	rtm_fib_agent *a = agent_start(AF_INET, RTM_FIB_KEEP_AT_STOP, &st);
	REQUIRE(a);
	CHECK_U(st.replaced, 1);
	CHECK_U(st.installed, 0);
	CHECK_U(st.stale, 1);
	char t[4096];
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.50.0.0/16") == NULL);
	CHECK(strstr(t, "10.1.0.0/16 via 192.0.2.2 dev veth0 proto 196") != NULL);
	CHECK(strstr(t, "10.60.0.0/16 via 192.0.2.2 dev veth0 proto static") != NULL);
	CHECK_U(count_lines(t), 2);
	CHECK_U(rtm_fib_stop(a), NO_ERROR);
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.1.0.0/16 via 192.0.2.2 dev veth0 proto 196") != NULL);
	CHECK_U(count_lines(t), 2);
	RtmDeregisterEntity(p.reg);
}

/* Another protocol's route for a prefix RTM has is never taken over: the
 * agent's add is refused (EEXIST), counted, and the route stays, at start,
 * after a change and after stop. */
static void test_other_protocols_route_kept(void)
{
	netns_setup();
	REQUIRE(sh("ip route add 10.7.0.0/16 dev veth0 table 100 proto static") == 0);
	static const char *const gw[] = { "192.0.2.2" };
	struct proto p;
	proto_start(&p, AF_INET, gw, 1);
	proto_route(&p, "10.7.0.0", 16, (unsigned[]){ 0 }, 1);
	proto_route(&p, "10.8.0.0", 16, (unsigned[]){ 0 }, 1);
	rtm_fib_stats st;
	rtm_fib_agent *a = agent_start(AF_INET, 0, &st);
	REQUIRE(a);
	CHECK_U(st.installed, 1);
	CHECK_U(st.failed, 1);
	CHECK_U(st.last_error, EEXIST);
	CHECK(strcmp(st.last_error_dest, "10.7.0.0/16") == 0);
	CHECK_U(st.pending, 1);
	char t[4096];
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.7.0.0/16 dev veth0 proto static") != NULL);
	CHECK(strstr(t, "10.8.0.0/16 via 192.0.2.2 dev veth0 proto 196") != NULL);
	proto_route(&p, "10.7.0.0", 16, (unsigned[]){ 0 }, 1); /* a change of it: refused again */
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.7.0.0/16 dev veth0 proto static") != NULL);
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	CHECK(st.failed >= 2);
	CHECK_U(st.in_kernel, 1);
	CHECK_U(rtm_fib_stop(a), NO_ERROR);
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.7.0.0/16 dev veth0 proto static") != NULL);
	CHECK_U(count_lines(t), 1);
	RtmDeregisterEntity(p.reg);
}

/* librtmv2-fib's fault injection (fib/fib.h): the n-th read of a batch's
 * answers fails with ENOBUFS. */
extern _Atomic int fib_nl_fault_recv;

/* Waits (at most 10 s) until the kernel's table has `lines` routes of ours
 * and the agent has nothing left to sync; the table's count. */
static unsigned settle(rtm_fib_agent *a, unsigned lines, char *t, size_t size)
{
	for (unsigned i = 0; i < 100; i++) {
		rtm_fib_stats st;
		CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
		kernel_table("-4", t, size);
		CHECK_U(rtm_fib_get_stats(a, &st), NO_ERROR);
		if (count_lines(t) == lines && st.pending == 0)
			break;
		struct timespec ts = { 0, 100 * 1000000L };
		nanosleep(&ts, NULL);
	}
	return count_lines(t);
}

/* A batch whose answers cannot be read (a receive buffer overrun) loses
 * nothing: its requests come back as failed, are synced again from RTM, and
 * the kernel ends as RTM is, for additions and for removals; the changes
 * after it still reach the kernel, and stop still removes everything. */
static void test_channel_failure_loses_nothing(void)
{
	netns_setup();
	static const char *const gw[] = { "192.0.2.2" };
	struct proto p;
	proto_start(&p, AF_INET, gw, 1);
	rtm_fib_stats st;
	rtm_fib_agent *a = agent_start(AF_INET, 0, &st);
	REQUIRE(a);
	enum { N = 3000 }; /* more than one batch */
	char pfx[32];
	atomic_store(&fib_nl_fault_recv, 1);
	for (unsigned i = 0; i < N; i++) {
		snprintf(pfx, sizeof(pfx), "10.%u.%u.0", 100 + i / 256, i % 256);
		proto_route(&p, pfx, 24, (unsigned[]){ 0 }, 1);
	}
	static char t[1 << 20];
	CHECK_U(settle(a, N, t, sizeof(t)), N);
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	CHECK(st.failed > 0); /* the fault struck */
	CHECK_U(st.last_error, ENOBUFS);
	CHECK_U(st.in_kernel, N);
	/* Removals through a failing batch too. */
	atomic_store(&fib_nl_fault_recv, 1);
	for (unsigned i = 0; i < N; i += 2) {
		snprintf(pfx, sizeof(pfx), "10.%u.%u.0", 100 + i / 256, i % 256);
		proto_delete(&p, pfx, 24);
	}
	CHECK_U(settle(a, N / 2, t, sizeof(t)), N / 2);
	CHECK(strstr(t, "10.100.0.0/24") == NULL);
	CHECK(strstr(t, "10.100.1.0/24 via 192.0.2.2") != NULL);
	proto_route(&p, "10.99.0.0", 16, (unsigned[]){ 0 }, 1);
	CHECK_U(settle(a, N / 2 + 1, t, sizeof(t)), N / 2 + 1);
	CHECK(strstr(t, "10.99.0.0/16 via 192.0.2.2") != NULL);
	CHECK_U(rtm_fib_stop(a), NO_ERROR);
	kernel_table("-4", t, sizeof(t));
	CHECK_U(count_lines(t), 0);
	RtmDeregisterEntity(p.reg);
}

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

/* The kernel changes while the agent starts (its routes of an earlier run
 * being removed meanwhile): the start's listing and the watcher's hooks
 * meet on the agent's prefix set (under ThreadSanitizer a race once). */
static void test_start_while_kernel_changes(void)
{
	netns_setup();
	enum { N = 5000 };
	FILE *f = fopen("/tmp/test_fib_start_add", "w"), *g = fopen("/tmp/test_fib_start_del", "w");
	REQUIRE(f && g);
	for (unsigned i = 0; i < N; i++) {
		fprintf(f, "route add 10.90.%u.%u/32 via 192.0.2.2 table 100 proto 196\n", i / 256, i % 256);
		fprintf(g, "route del 10.90.%u.%u/32 table 100 proto 196\n", i / 256, i % 256);
	}
	fclose(f);
	fclose(g);
	REQUIRE(sh("ip -batch /tmp/test_fib_start_add") == 0);
	static const char *const gw[] = { "192.0.2.2" };
	struct proto p;
	proto_start(&p, AF_INET, gw, 1);
	proto_route(&p, "10.1.0.0", 16, (unsigned[]){ 0 }, 1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0)
		_exit(sh("ip -force -batch /tmp/test_fib_start_del >/dev/null 2>&1"));
	rtm_fib_stats st;
	rtm_fib_agent *a = agent_start(AF_INET, 0, &st);
	int status = 0;
	waitpid(pid, &status, 0);
	unlink("/tmp/test_fib_start_add");
	unlink("/tmp/test_fib_start_del");
	REQUIRE(a);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	static char t[1 << 20];
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.1.0.0/16 via 192.0.2.2 dev veth0 proto 196") != NULL);
	CHECK(strstr(t, "10.90.") == NULL);
	CHECK_U(count_lines(t), 1);
	CHECK_U(rtm_fib_stop(a), NO_ERROR);
	RtmDeregisterEntity(p.reg);
}

/* Without learning, the agent's own route that someone removes is put back. */
static void test_own_route_removed_is_restored(void)
{
	netns_setup();
	static const char *const gw[] = { "192.0.2.2" };
	struct proto p;
	proto_start(&p, AF_INET, gw, 1);
	proto_route(&p, "10.1.0.0", 16, (unsigned[]){ 0 }, 1);
	rtm_fib_stats st;
	rtm_fib_agent *a = agent_start(AF_INET, 0, &st);
	REQUIRE(a);
	CHECK_U(st.installed, 1);
	REQUIRE(sh("ip route del 10.1.0.0/16 table 100 proto 196") == 0);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	CHECK_U(rtm_fib_wait_idle(a, IDLE_MS), NO_ERROR);
	char t[4096];
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.1.0.0/16 via 192.0.2.2 dev veth0 proto 196") != NULL);
	CHECK(rtm_fib_get_stats(a, &st) == NO_ERROR);
	CHECK_U(st.replaced, 1);
	CHECK_U(st.in_kernel, 1);
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

/* Without the right to change the kernel's routes (a process that gave up
 * root), the start says so and starts nothing. */
static void test_no_permission(void)
{
	netns_setup();
	static const char *const gw[] = { "192.0.2.2" };
	struct proto p;
	proto_start(&p, AF_INET, gw, 1);
	proto_route(&p, "10.1.0.0", 16, (unsigned[]){ 0 }, 1);
	REQUIRE(setresgid(65534, 65534, 65534) == 0 && setresuid(65534, 65534, 65534) == 0);
	rtm_fib_options o = { .family = AF_INET, .table = TABLE };
	rtm_fib_agent *a = NULL;
	CHECK_U(rtm_fib_start(&o, &a, NULL), ERROR_ACCESS_DENIED);
	CHECK(a == NULL);
	char t[1024];
	kernel_table("-4", t, sizeof(t));
	CHECK(strstr(t, "10.1.0.0/16") == NULL);
	RtmDeregisterEntity(p.reg);
}

/* Bad input gets a clear error and starts nothing. */
static void test_bad_input(void)
{
	rtm_fib_options o = { .family = AF_INET, .table = TABLE };
	rtm_fib_agent *a = NULL;
	CHECK_U(rtm_fib_start(NULL, &a, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_fib_start(&o, NULL, NULL), ERROR_INVALID_PARAMETER);
	o.family = 12345;
	CHECK_U(rtm_fib_start(&o, &a, NULL), ERROR_INVALID_PARAMETER);
	o.family = AF_INET;
	o.flags = 0x80;
	CHECK_U(rtm_fib_start(&o, &a, NULL), ERROR_INVALID_PARAMETER);
	CHECK(a == NULL);
	CHECK_U(rtm_fib_stop(NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_fib_wait_idle(NULL, 0), ERROR_INVALID_PARAMETER);
	rtm_fib_stats st;
	CHECK_U(rtm_fib_get_stats(NULL, &st), ERROR_INVALID_PARAMETER);
}

int main(void)
{
	/* Argument checks reach no socket: they run everywhere. */
	RUN(test_bad_input);
	const char *why = NULL;
#ifdef NO_FIB_TESTS
	why = NO_FIB_TESTS;
#endif
	if (!why && (geteuid() != 0 || sh("ip -V >/dev/null 2>&1") != 0))
		why = "needs root and iproute2 (CI runs it as root)";
	if (!why && !netns_usable())
		why = "no private network namespace with a veth pair here (CAP_SYS_ADMIN, veth)";
	if (why) {
		printf("test_fib: the kernel tests not run: %s\n", why);
	} else {
		RUN(test_install_replace_ecmp_delete);
		RUN(test_ipv6);
		RUN(test_refused_and_retried);
		RUN(test_stale_at_start_and_keep);
		RUN(test_other_protocols_route_kept);
		RUN(test_channel_failure_loses_nothing);
		RUN(test_learn_follows_the_kernel);
		RUN(test_learn_ipv6);
		RUN(test_learn_overrun_resyncs);
		RUN(test_learn_exactly);
		RUN(test_learn_ipv6_multipath_hop);
		RUN(test_link_down);
		RUN(test_own_route_removed_is_restored);
		RUN(test_learn_dead_nexthop_revives);
		RUN(test_start_while_kernel_changes);
		RUN(test_no_permission);
	}
	TEST_MAIN_END();
}
