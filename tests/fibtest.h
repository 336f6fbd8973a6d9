/*
 * fibtest.h — what the kernel FIB agent's tests share (test_fib.c,
 * test_fib_learn.c): a private network namespace with a veth pair, the
 * kernel's table as `ip route show` prints it, and a protocol entity that
 * adds routes through the RTMv2 API.
 *
 * Each test runs in its own namespace (unshare(CLONE_NEWNET) in the forked
 * child): veth0 holds 192.0.2.1/24 and 2001:db8::1/64, so 192.0.2.2, .3 and
 * 2001:db8::2 are reachable gateways; the agent works on kernel table 100.
 * Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2: without them a
 * program says so and runs only what needs no kernel (CI runs them as root).
 * Not under MemorySanitizer: libmnl is not built with it.
 */
#ifndef RTM_FIBTEST_H
#define RTM_FIBTEST_H

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

static inline int sh(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

/* A namespace of the test's own with veth0 up and addressed.  A test never
 * goes on outside one: it would change the host's routes.  (The forked test
 * dies, and fails; main checked first that namespaces can be made.) */
static inline void netns_setup(void)
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
static inline bool netns_usable(void)
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
static inline void kernel_table(const char *family, char *out, size_t size)
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

static inline unsigned count_lines(const char *s)
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

static inline void addr_of(USHORT family, const char *text, unsigned len, RTM_NET_ADDRESS *a)
{
	memset(a, 0, sizeof(*a));
	a->AddressFamily = family;
	a->NumBits = (USHORT)len;
	REQUIRE(inet_pton(family, text, a->AddrBits) == 1);
}

static inline void proto_start(struct proto *p, USHORT family, const char *const *gws, unsigned n)
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
static inline void proto_route(struct proto *p, const char *prefix, unsigned len, const unsigned *idx, unsigned n)
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

static inline void proto_delete(struct proto *p, const char *prefix, unsigned len)
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

static inline rtm_fib_agent *agent_start(USHORT family, unsigned flags, rtm_fib_stats *st)
{
	rtm_fib_options o = { .family = family, .table = TABLE, .flags = flags };
	rtm_fib_agent *a = NULL;
	CHECK_U(rtm_fib_start(&o, &a, st), NO_ERROR);
	return a;
}

/* Why the kernel tests cannot run here, or NULL. */
static inline const char *fib_tests_unusable(void)
{
#ifdef NO_FIB_TESTS
	return NO_FIB_TESTS;
#else
	if (geteuid() != 0 || sh("ip -V >/dev/null 2>&1") != 0)
		return "needs root and iproute2 (CI runs it as root)";
	if (!netns_usable())
		return "no private network namespace with a veth pair here (CAP_SYS_ADMIN, veth)";
	return NULL;
#endif
}

#endif
