/*
 * test_rtmctl.c — runs the rtmctl tool on scripts and checks what it prints.
 *
 * The tool is the one built beside this test: dirname(argv[0])/../bin/rtmctl
 * (the environment variable RTMCTL overrides it).  run_tool() forks and
 * execs it with stdout and stderr on one pipe and the script on stdin or in
 * its arguments, and returns everything it wrote and its exit status.
 * rtmctl flushes stdout before every error line, so the two streams keep
 * their order and a test can expect() answers and errors in sequence: each
 * expected piece must occur after the previous one.  Error lines are built
 * with rtm_strerror(), so the test checks that the tool reports the library's
 * message rather than repeating the message table.
 */
#include "tooltest.h"

/* ---- invalid input first ------------------------------------------------- */

static void test_bad_options(void)
{
	char *out;

	CHECK_U(RUN_TOOL(NULL, &out, "-x"), 2);
	EXPECT(out, "usage: rtmctl");
	free(out);
	CHECK_U(RUN_TOOL(NULL, &out, "-c", "help", "stray"), 2);
	EXPECT(out, "rtmctl: unexpected argument 'stray'", "usage: rtmctl");
	free(out);

	make_tmpdir();
	char missing[PATH_MAX + 32];
	snprintf(missing, sizeof(missing), "%s/no-such-script", tmpdir);
	CHECK_U(RUN_TOOL(NULL, &out, "-f", missing, "-c", "help"), 1);
	EXPECT(out, "rtmctl: ", missing, ": ", "register NAME PROTOCOL");
	free(out);
	remove_tmpdir();
}

/* Every kind of bad command gives one error line, and the tool goes on. */
static void test_bad_commands(void)
{
	char *out;
	int status = RUN_TOOL(NULL, &out, "-c",
			      "frob\n"
			      "register\n"
			      "register rip 8\n"
			      "register rip 9\n"
			      "register rip2 8\n"
			      "register bad/name 1\n"
			      "register ok 1 ipx\n"
			      "add rip 10.0.0.0/33 via 192.0.2.1\n"
			      "add rip 10.0.0.0/8 via 192.0.2.1 ttl 0\n"
			      "add rip 2001:db8::/32 via 192.0.2.1\n"
			      "add rip 10.0.0.0/8 pref 1\n"
			      "add rip 10.0.0.0/8 via 192.0.2.1 pref -1\n"
			      "add rip 10.0.0.0/8 via 192.0.2.1 colour red\n"
			      "add rip 10.0.0.0/8 via 192.0.2.1 views anycast\n"
			      "del rip 10.0.0.0/8\n"
			      "del nobody 10.0.0.0/8\n"
			      "lookup 2001:db8::1\n"
			      "lookup 10.0.0.300\n"
			      "nexthop rip 192.0.2.1/32\n"
			      "hold 10.0.0.0/8 1000\n"
			      "stats");

	CHECK_U(status, 1);
	EXPECT(out, "rtmctl: -c:1: unknown command 'frob' (try 'help')\n",
	       "rtmctl: -c:2: register: usage: register NAME PROTOCOL [INSTANCE] [ipv4|ipv6]\n",
	       "registered rip: protocol 8 (rip) instance 0 ipv4",
	       "rtmctl: -c:4: register: 'rip' is already registered\n",
	       "rtmctl: -c:5: register: ", api_error("RtmRegisterEntity", ERROR_ALREADY_EXISTS),
	       "rtmctl: -c:6: register: 'bad/name' is not a name",
	       "rtmctl: -c:7: register: 'ipx' is neither an instance id nor ipv4/ipv6\n",
	       "rtmctl: -c:8: add: '10.0.0.0/33' is not an address or prefix\n",
	       "rtmctl: -c:9: add: ", api_error("RtmAddRouteToDest", ERROR_INVALID_PARAMETER),
	       "rtmctl: -c:10: add: '2001:db8::/32' is not an ipv4 address\n",
	       "rtmctl: -c:11: add: a route needs 'via ADDRESS'\n",
	       "rtmctl: -c:12: add: pref: '-1' is not a number\n",
	       "rtmctl: -c:13: add: unknown option 'colour'\n",
	       "rtmctl: -c:14: add: 'anycast' is not a list of views",
	       "rtmctl: -c:15: del: ", api_error("RtmGetExactMatchRoute", ERROR_NOT_FOUND),
	       "rtmctl: -c:16: del: no entity named 'nobody'\n",
	       "rtmctl: -c:17: lookup: no ipv6 entity is registered\n",
	       "rtmctl: -c:18: lookup: '10.0.0.300' is not an address or prefix\n",
	       "rtmctl: -c:19: nexthop: '192.0.2.1/32' is not an address\n",
	       "rtmctl: -c:20: hold: ", api_error("RtmGetExactMatchDestination", ERROR_NOT_FOUND),
	       /* The failed commands changed nothing. */
	       "ipv4: entities 1, destinations 0, routes 0, next hops 1,");
	free(out);
}

/* Protocols by <routprot.h> name (any case, '_' or '-', PROTO_IP_ optional) or number. */
static void test_protocol_names(void)
{
	char *out;
	int status = RUN_TOOL(NULL, &out, "-c",
			      "register r rip; register o OSPF; register b PROTO_IP_BGP\n"
			      "register s nt_static; register n 1234; register z 14 2\n"
			      "register bad frob\n"
			      "entities");

	CHECK_U(status, 1);
	EXPECT(out, "registered r: protocol 8 (rip) instance 0 ipv4",
	       "registered o: protocol 13 (ospf) instance 0 ipv4",
	       "registered b: protocol 14 (bgp) instance 0 ipv4",
	       "registered s: protocol 10006 (nt-static) instance 0 ipv4",
	       "registered n: protocol 1234 instance 0 ipv4",
	       "registered z: protocol 14 (bgp) instance 2 ipv4",
	       "rtmctl: -c:7: register: 'frob' is not a protocol",
	       "r: protocol 8 (rip) instance 0 ipv4\n", "o: protocol 13 (ospf) instance 0 ipv4\n",
	       "b: protocol 14 (bgp) instance 0 ipv4\n", "s: protocol 10006 (nt-static) instance 0 ipv4\n",
	       "n: protocol 1234 instance 0 ipv4\n", "z: protocol 14 (bgp) instance 2 ipv4\n");
	free(out);
}

/* A configuration file that does not exist makes registration fail. */
static void test_missing_config(void)
{
	char *out, path[PATH_MAX + 32];

	make_tmpdir();
	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	setenv("RTMV2_CONFIG", path, 1);
	CHECK_U(RUN_TOOL(NULL, &out, "-c", "register rip 8; stats"), 1);
	unsetenv("RTMV2_CONFIG");
	EXPECT(out, "rtmctl: -c:1: register: ", api_error("RtmRegisterEntity", ERROR_FILE_NOT_FOUND),
	       "rtmctl: -c:2: stats: no entity is registered\n");
	free(out);
	remove_tmpdir();
}

/* ---- routes, preferences, lookups ----------------------------------------- */

/* The better preference wins whatever its metric; deleting it lets the other take over. */
static void test_preference_and_takeover(void)
{
	char *out;
	int status = RUN_TOOL(NULL, &out, "-c",
			      "register rip 8; register ospf ospf\n"
			      "add rip 10.0.0.0/8 via 192.0.2.1 pref 120 metric 2\n"
			      "add ospf 10.0.0.0/8 via 192.0.2.9,192.0.2.10%3 pref 110 metric 20\n"
			      "add rip 10.1.0.0/16 via 192.0.2.1 pref 120 metric 5\n"
			      "lookup 10.2.3.4\n"
			      "lookup 10.1.2.3\n"
			      "less 10.1.2.3\n"
			      "del ospf 10.0.0.0/8\n"
			      "lookup 10.2.3.4/32\n"
			      "exact 10.0.0.0/8\n"
			      "exact 10.3.0.0/16\n"
			      "lookup 11.0.0.1\n"
			      "less 10.0.0.0/8\n"
			      "stats");

	CHECK_U(status, 0);
	EXPECT(out, "registered rip: protocol 8 (rip) instance 0 ipv4", "event: rip: ospf registered\n",
	       "registered ospf: protocol 13 (ospf) instance 0 ipv4", "rip: added 10.0.0.0/8 (best)\n",
	       "ospf: added 10.0.0.0/8 (best)\n", "rip: added 10.1.0.0/16 (best)\n",
	       /* lookup 10.2.3.4 */
	       "10.0.0.0/8\n"
	       "  unicast: 2 routes, best ospf pref 110 metric 20 via 192.0.2.9,192.0.2.10%3\n"
	       "  multicast: 0 routes\n",
	       /* lookup 10.1.2.3: the longer prefix */
	       "10.1.0.0/16\n"
	       "  unicast: 1 route, best rip pref 120 metric 5 via 192.0.2.1\n",
	       /* less 10.1.2.3 */
	       "10.1.0.0/16\n", "10.0.0.0/8\n  unicast: 2 routes, best ospf",
	       "ospf: deleted 10.0.0.0/8 (best changed)\n",
	       /* lookup and exact: rip took over */
	       "10.0.0.0/8\n  unicast: 1 route, best rip pref 120 metric 2 via 192.0.2.1\n",
	       "10.0.0.0/8\n  unicast: 1 route, best rip pref 120 metric 2 via 192.0.2.1\n",
	       "10.3.0.0/16: no such destination\n", "11.0.0.1: no matching destination\n",
	       "10.0.0.0/8: no less specific destination\n",
	       "ipv4: entities 2, destinations 2, routes 2,");
	free(out);
}

/* IPv6, interface indexes, several next hops, and routes in one view only. */
static void test_ipv6_views_next_hops(void)
{
	char *out;
	int status = RUN_TOOL(NULL, &out, "-c",
			      "register v6 1 7 ipv6\n"
			      "nexthop v6 2001:db8::1 4\n"
			      "nexthop v6 2001:db8::1 4\n"
			      "add v6 2001:db8::/32 via 2001:db8::1%4,2001:db8::2 pref 10 "
			      "views unicast,multicast\n"
			      "add v6 2001:db8:1::/48 via 2001:db8::3 views multicast metric 9\n"
			      "lookup 2001:db8:1::1\n"
			      "lookup 2001:db8::5\n"
			      "entities");

	CHECK_U(status, 0);
	EXPECT(out, "registered v6: protocol 1 (other) instance 7 ipv6",
	       "v6: next hop 2001:db8::1%4 added\n", "v6: next hop 2001:db8::1%4 updated\n",
	       "v6: added 2001:db8::/32 (best)\n", "v6: added 2001:db8:1::/48 (best)\n",
	       "2001:db8:1::/48\n"
	       "  unicast: 0 routes\n"
	       "  multicast: 1 route, best v6 pref 100 metric 9 via 2001:db8::3\n",
	       "2001:db8::/32\n"
	       "  unicast: 1 route, best v6 pref 10 metric 0 via 2001:db8::1%4,2001:db8::2\n"
	       "  multicast: 1 route, best v6 pref 10 metric 0 via 2001:db8::1%4,2001:db8::2\n",
	       "v6: protocol 1 (other) instance 7 ipv6\n");
	free(out);
}

/* A held destination keeps its last route, shown as held, after that route is deleted. */
static void test_hold(void)
{
	char *out;
	int status = RUN_TOOL(NULL, &out, "-c",
			      "register rip 8; add rip 10.0.0.0/8 via 192.0.2.1 pref 120; "
			      "hold 10.0.0.0/8 600000; del rip 10.0.0.0/8; exact 10.0.0.0/8");

	CHECK_U(status, 0);
	EXPECT(out, "holding 10.0.0.0/8 for 600000 ms in unicast,multicast\n",
	       "rip: deleted 10.0.0.0/8",
	       "10.0.0.0/8\n  unicast: 0 routes, held rip pref 120 metric 0 via 192.0.2.1\n");
	free(out);
}

/* Deregistering an entity tells the others and takes its routes away. */
static void test_deregister(void)
{
	char *out;
	int status = RUN_TOOL(NULL, &out, "-c",
			      "register rip 8; register ospf ospf\n"
			      "add rip 10.0.0.0/8 via 192.0.2.1 pref 120\n"
			      "add ospf 10.0.0.0/8 via 192.0.2.9 pref 110\n"
			      "deregister ospf\n"
			      "lookup 10.0.0.1; entities; stats\n"
			      "deregister ospf");

	CHECK_U(status, 1);
	EXPECT(out, "event: rip: ospf deregistered\n", "deregistered ospf\n",
	       "10.0.0.0/8\n  unicast: 1 route, best rip pref 120 metric 0 via 192.0.2.1\n",
	       "rip: protocol 8 (rip) instance 0 ipv4\n", "ipv4: entities 1, destinations 1, routes 1,",
	       "rtmctl: -c:9: deregister: no entity named 'ospf'\n");
	CHECK(!strstr(out, "\nospf: protocol"));
	free(out);
}

/* ---- input sources ----------------------------------------------------- */

/* A script file: comments, ';', and errors located by file and line. */
static void test_script_file(void)
{
	char *out, path[PATH_MAX + 64];

	make_tmpdir();
	snprintf(path, sizeof(path), "%s",
		 tmpfile_with("script", "# a test script\n"
					"register rip 8   # RIP\n"
					"add rip 10.0.0.0/8 via 192.0.2.1; lookup 10.9.9.9\n"
					"\n"
					"del rip 10.1.0.0/16\n"
					"entities\n"));
	CHECK_U(RUN_TOOL(NULL, &out, "-f", path), 1);
	EXPECT(out, "registered rip", "rip: added 10.0.0.0/8", "10.0.0.0/8\n  unicast: 1 route",
	       "rtmctl: ", path, ":5: del: ",
	       api_error("RtmGetExactMatchRoute", ERROR_NOT_FOUND), "rip: protocol 8 (rip)");
	free(out);
	remove_tmpdir();
}

/* Commands on a stdin that is not a terminal: no prompt; `quit` ends them. */
static void test_stdin(void)
{
	char *out;

	CHECK_U(RUN_TOOL("register rip 8\nentities\nquit\nstats\n", &out, "-c", "help", "-f", "-"),
		0);
	EXPECT(out, "register NAME PROTOCOL", "quit\n", "registered rip",
	       "rip: protocol 8 (rip) instance 0 ipv4\n");
	CHECK(!strstr(out, "rtmctl>"));
	CHECK(!strstr(out, "ipv4: entities"));
	free(out);

	CHECK_U(RUN_TOOL("register rip 8\nfrob\n", &out, "-f", "-"), 1);
	EXPECT(out, "registered rip", "rtmctl: <stdin>:2: unknown command 'frob'");
	free(out);
}

/* ---- tables ------------------------------------------------------------- */

/* Runs "gzip -c src > dst"; false if gzip cannot be run. */
static bool gzip_file(const char *src, const char *dst)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0)
			_exit(127);
		execlp("gzip", "gzip", "-c", "--", src, (char *)NULL);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

static void test_load(void)
{
	char *out, table[PATH_MAX + 64], gz[PATH_MAX + 64], script[3 * PATH_MAX];

	make_tmpdir();
	snprintf(table, sizeof(table), "%s",
		 tmpfile_with("table.txt", "# prefixes\n"
					   "10.0.0.0/8\n"
					   "  10.1.0.0/16   other words\n"
					   "\n"
					   "2001:db8::/32\n"
					   "bogus\n"
					   "10.0.0.0/8\n"));
	snprintf(script, sizeof(script),
		 "register rip 8; load rip %s pref 7; lookup 10.1.2.3; stats; load rip %s/none",
		 table, tmpdir);
	CHECK_U(RUN_TOOL(NULL, &out, "-c", script), 1);
	EXPECT(out, "rip: loaded 3 routes (2 new, 1 updated) from ", table, " in ",
	       "; skipped 1 ipv6 prefix\n", "rtmctl: -c:2: load: ", table,
	       ": 1 line is not a prefix (the first is line 6)\n",
	       "10.1.0.0/16\n  unicast: 1 route, best rip pref 7 metric 0 via 198.18.0.",
	       /* the 32 synthetic neighbours */
	       "ipv4: entities 1, destinations 2, routes 2, next hops 32,", "rtmctl: -c:5: load: ",
	       tmpdir, "/none: ");
	free(out);

	snprintf(gz, sizeof(gz), "%s/table.txt.gz", tmpdir);
	if (gzip_file(table, gz)) {
		snprintf(script, sizeof(script), "register rip 8; load rip %s; stats", gz);
		CHECK_U(RUN_TOOL(NULL, &out, "-c", script), 1);
		EXPECT(out, "rip: loaded 3 routes (2 new, 1 updated) from ", gz,
		       "1 line is not a prefix", "ipv4: entities 1, destinations 2, routes 2,");
		free(out);
	} else {
		fprintf(stderr, "  gzip is not available: the .gz case is not tested\n");
	}
	remove_tmpdir();
}

/* `show` lists the table, or a range of it, in address order. */
static void test_show(void)
{
	char *out;
	int status = RUN_TOOL(NULL, &out, "-c",
			      "register rip 8; add rip 10.0.0.0/8 via 192.0.2.1; "
			      "add rip 10.1.0.0/16 via 192.0.2.2 pref 5 views unicast,multicast; "
			      "show; show 10.1.0.0/16");

	CHECK_U(status, 0);
	EXPECT(out, "10.0.0.0/8\n  unicast: 1 route, best rip pref 100 metric 0",
	       "    rip pref 100 metric 0 via 192.0.2.1 views unicast (best in unicast)\n",
	       "10.1.0.0/16\n", "    rip pref 5 metric 0 via 192.0.2.2 views "
			     "unicast,multicast (best in unicast,multicast)\n",
	       "2 ipv4 destinations\n",
	       /* show 10.1.0.0/16: the range holds one destination */
	       "10.1.0.0/16\n", "1 ipv4 destination\n");
	free(out);
}

#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#define NO_KERNEL_TEST "libmnl is not built with MemorySanitizer"
#endif
#endif

/* `kernel sync|status|stop` in a private network namespace (root only; CI
 * runs as root): the kernel's table 100 follows rip's routes, a refused
 * route is reported with the kernel's reason, `keep` leaves the routes
 * after rtmctl exits and a later run takes them over (replaced) and removes
 * them at its exit; bad words get clear errors. */
static void test_kernel(void)
{
	const char *why = NULL;
#ifdef NO_KERNEL_TEST
	why = NO_KERNEL_TEST;
#endif
	if (!why && (geteuid() != 0 || system("ip -V >/dev/null 2>&1") != 0))
		why = "needs root and iproute2";
	if (why) {
		printf("  test_kernel: not run: %s\n", why);
		return;
	}
	/* A root without CAP_SYS_ADMIN (many containers) has no namespace of its own. */
	if (unshare(CLONE_NEWNET) != 0 ||
	    system("ip link set lo up && ip link add veth0 type veth peer name veth1 && "
		   "ip link set veth0 up && ip link set veth1 up && "
		   "ip addr add 192.0.2.1/24 dev veth0") != 0) {
		printf("  test_kernel: not run: no private network namespace with a veth pair here\n");
		return;
	}
	unsigned ifx = if_nametoindex("veth0");
	REQUIRE(ifx != 0);
	char cmds[1024], *out, t[2048];
	snprintf(cmds, sizeof(cmds),
		 "register rip rip; add rip 10.1.0.0/16 via 192.0.2.2%%%u; kernel sync table 100 keep; "
		 "add rip 10.3.0.0/16 via 198.51.100.1%%%u; kernel status; kernel sync ipv6; kernel bogus; "
		 "kernel sync learn x; kernel sync table 0; kernel sync ipv4",
		 ifx, ifx);
	CHECK_U(RUN_TOOL(NULL, &out, "-c", cmds), 1);
	EXPECT(out, "kernel ipv4 table 100: 1 installed, 0 replaced, 0 stale removed, 0 failed in ",
	       "kernel ipv4 table 100 (keep): 1 routes in the kernel, 1 installed, 0 replaced, 0 removed, "
	       "0 stale removed, ", /* failed: 1, or more once the retry within a second came */
	       " failed, 1 pending; last error: 10.3.0.0/16: Network is unreachable");
	CHECK(strstr(out, "kernel: ipv6: no entity is registered for this family") != NULL);
	CHECK(strstr(out, "kernel: usage: kernel sync [ipv4|ipv6] [table N] [learn PREF] [keep]") != NULL);
	CHECK(strstr(out, "kernel: bad learn preference 'x'") != NULL);
	CHECK(strstr(out, "kernel: bad table '0'") != NULL);
	CHECK(strstr(out, "kernel: ipv4: the agent runs already (kernel stop first)") != NULL);
	free(out);
	FILE *f = popen("ip -4 route show table 100", "r");
	REQUIRE(f);
	size_t n = fread(t, 1, sizeof(t) - 1, f);
	t[n] = 0;
	pclose(f);
	CHECK(strstr(t, "10.1.0.0/16 via 192.0.2.2 dev veth0 proto 196") != NULL); /* kept */
	CHECK(strstr(t, "10.3.0.0/16") == NULL);
	/* A second run takes the kept route over, and its exit removes it. */
	snprintf(cmds, sizeof(cmds),
		 "register rip rip; add rip 10.1.0.0/16 via 192.0.2.3%%%u; kernel sync; kernel status; "
		 "kernel stop; kernel status; kernel sync ipv4 table 100",
		 ifx);
	CHECK_U(RUN_TOOL(NULL, &out, "-c", cmds), 0);
	EXPECT(out, "kernel ipv4 table 254: 1 installed", "kernel ipv4 table 254: 1 routes in the kernel",
	       "kernel: no agent runs", "kernel ipv4 table 100: 0 installed, 1 replaced, 0 stale removed");
	free(out);
	f = popen("ip -4 route show table 100; ip -4 route show table main proto 196", "r");
	REQUIRE(f);
	n = fread(t, 1, sizeof(t) - 1, f);
	t[n] = 0;
	pclose(f);
	CHECK(strstr(t, "proto 196") == NULL);
	/* Learning: the table's own route comes into RTM as the kernel's. */
	REQUIRE(system("ip route add 10.9.0.0/16 via 192.0.2.2 table 100") == 0);
	snprintf(cmds, sizeof(cmds),
		 "register rip rip; kernel sync ipv4 table 100 learn 200; show 10.9.0.0/16; kernel status");
	CHECK_U(RUN_TOOL(NULL, &out, "-c", cmds), 0);
	char via[64];
	snprintf(via, sizeof(via), "best kernel pref 200 metric 0 via 192.0.2.2%%%u", ifx);
	EXPECT(out, "event: rip: kernel registered", "kernel ipv4 table 100: 0 installed, 0 replaced, 0 stale "
	       "removed, 0 failed, 1 learned in ", via,
	       "; 1 learned, 0 kernel changes, 0 resyncs, 0 not learned");
	free(out);
}

/* mrt dump and load: the table out as TABLE_DUMP_V2 and back in under
 * another name (its IPv6 registration made), the counts printed; errors. */
static void test_mrt(void)
{
	char cmds[1024], *out, path[64];
#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#define MRT_PLAIN /* zlib is not built with MemorySanitizer: no gzip */
#endif
#endif
#ifdef MRT_PLAIN
	snprintf(path, sizeof(path), "/tmp/test_rtmctl_mrt.%d", (int)getpid());
#else
	snprintf(path, sizeof(path), "/tmp/test_rtmctl_mrt.%d.gz", (int)getpid()); /* gzip, by the name */
#endif
	snprintf(cmds, sizeof(cmds),
		 "register rip rip; add rip 10.1.0.0/16 via 192.0.2.2; add rip 10.2.0.0/16 via 192.0.2.3; "
		 "register rip6 rip ipv6; add rip6 2001:db8:1::/48 via 2001:db8::2; mrt dump %s; "
		 "mrt load %s peer pref 170; show 10.1.0.0/16; entities; mrt dump %s best; "
		 "mrt load /nonexistent/x.mrt; mrt load %s bad!name; mrt bogus",
		 path, path, path, path);
	CHECK_U(RUN_TOOL(NULL, &out, "-c", cmds), 1);
	char dumped[160], loaded[160];
	snprintf(dumped, sizeof(dumped), "mrt dump %s: 4 records, 3 routes, 2 peers, 0 skipped in ", path);
	snprintf(loaded, sizeof(loaded), "mrt load %s: 4 records, 3 routes, 2 peers, 0 skipped in ", path);
	EXPECT(out, dumped, "registered peer: protocol 14 (bgp) instance 0 ipv4",
	       "registered peer.6: protocol 14 (bgp) instance 0 ipv6", loaded,
	       "unicast: 2 routes, best rip pref 100 metric 0 via 192.0.2.2",
	       "peer pref 170 metric 0 via 192.0.2.2 views unicast",
	       "peer.6: protocol 14 (bgp) instance 0 ipv6");
	CHECK(strstr(out, "mrt: /nonexistent/x.mrt: No such file or directory") != NULL);
	CHECK(strstr(out, "mrt: unexpected 'bad!name'") != NULL);
	CHECK(strstr(out, "mrt: usage: mrt load FILE [NAME] [pref N] | mrt dump FILE [best] | mrt replay") != NULL);
	/* best: one route per destination (the two peers' 10.1.0.0/16 are one). */
	char best[160];
	snprintf(best, sizeof(best), "mrt dump %s: 4 records, 3 routes", path);
	unsigned seen = 0;
	for (const char *q = out; (q = strstr(q, best)); q++)
		seen++;
	CHECK_U(seen, 2); /* the first dump's, and the best-only one's after the load */
	free(out);
	/* A replay of the fuzz target's seed stream (tests/fuzz/seed-mrt): its
	 * announcements and withdrawals applied. */
	snprintf(cmds, sizeof(cmds), "mrt replay tests/fuzz/seed-mrt/bgp4mp-updates.mrt upd; show 10.1.0.0/16; "
		 "mrt replay %s upd sometimes", path);
	CHECK_U(RUN_TOOL(NULL, &out, "-c", cmds), 1);
	EXPECT(out, "mrt replay tests/fuzz/seed-mrt/bgp4mp-updates.mrt: 10 records, 7 routes",
	       "1 skipped, 1 ignored", "mrt replay tests/fuzz/seed-mrt/bgp4mp-updates.mrt: 2 withdrawn, 1 state changes",
	       "unicast: 2 routes, best upd pref 20 metric 1 via 192.0.2.2");
	CHECK(strstr(out, "mrt: unexpected 'sometimes' (mrt replay FILE [NAME] [pref N] [realtime])") != NULL);
	free(out);
	unlink(path);
}

static void test_help(void)
{
	char *out;

	CHECK_U(RUN_TOOL(NULL, &out, "-c", "help"), 0);
	EXPECT(out, "register NAME", "deregister NAME", "nexthop NAME", "add NAME PREFIX via",
	       "del NAME PREFIX", "load NAME FILE", "lookup ", "exact PREFIX", "less PREFIX",
	       "hold PREFIX MS", "show [PREFIX]", "entities", "stats", "kernel sync", "mrt load", "help", "quit");
	free(out);
}

int main(int argc, char **argv)
{
	(void)argc;
	tool_locate(argv[0], "test_rtmctl");

	RUN(test_bad_options);
	RUN(test_bad_commands);
	RUN(test_protocol_names);
	RUN(test_missing_config);
	RUN(test_preference_and_takeover);
	RUN(test_ipv6_views_next_hops);
	RUN(test_hold);
	RUN(test_deregister);
	RUN(test_script_file);
	RUN(test_stdin);
	RUN(test_load);
	RUN(test_show);
	RUN(test_help);
	RUN(test_kernel);
	RUN(test_mrt);
	TEST_MAIN_END();
}
