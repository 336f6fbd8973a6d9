/*
 * test_fib.c — the kernel FIB agent (librtmv2-fib, <rtmv2/fib.h>) against a
 * real kernel routing table, in a private network namespace (fibtest.h):
 * installs, replacements, multipath, removals, refusals and their retry,
 * restarts, channel failures, routes of the agent's the kernel loses, and
 * bad input.  Each check reads the kernel's table with `ip route show` and
 * compares it with what RTM has.  Learning: test_fib_learn.c.
 */
#include "fibtest.h"

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
	const char *why = fib_tests_unusable();
	if (why) {
		printf("test_fib: the kernel tests not run: %s\n", why);
	} else {
		RUN(test_install_replace_ecmp_delete);
		RUN(test_ipv6);
		RUN(test_refused_and_retried);
		RUN(test_stale_at_start_and_keep);
		RUN(test_other_protocols_route_kept);
		RUN(test_channel_failure_loses_nothing);
		RUN(test_own_route_removed_is_restored);
		RUN(test_start_while_kernel_changes);
		RUN(test_no_permission);
	}
	TEST_MAIN_END();
}
