/*
 * test_daemon.c — rtmctl as a daemon (-d) and as a client of its control
 * socket (-s), each a process of its own: the daemon loads the real table
 * (the whole of data/full-table-2023.txt.gz; 40,000 IPv4 and 10,000 IPv6
 * prefixes of it under the sanitizers), and rtmctl -s answers as this
 * process's own RTM, loaded from the same prefixes through the API, says it
 * should (counts, longest matches, JSON that parses); clients at once while
 * another writes through the socket; a user who may not connect; SIGHUP
 * (routes that left the script go, the rest stay); SIGTERM (socket file
 * removed, exit 0); --help, --version and the exit codes.
 */
#define TL_TIMEOUT_S 600
#include "tooltest.h"

#include <arpa/inet.h>
#include <routprot.h>
#include <sys/stat.h>
#include <sys/wait.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(memory_sanitizer) || __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define SANITIZED 1
#endif
#endif

static char data_file[PATH_MAX];
static char sock[PATH_MAX + 16];

/* Starts `rtmctl -d -F -s sock -f script [extra [extra2]]`, its output in tmpdir/daemon.log;
 * waits until the socket answers.  Its pid, or -1. */
static pid_t start_daemon(const char *script, const char *extra, const char *extra2)
{
	char log[PATH_MAX + 16];
	snprintf(sock, sizeof(sock), "%s/sock", tmpdir);
	snprintf(log, sizeof(log), "%s/daemon.log", tmpdir);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execl(tool, "rtmctl", "-d", "-F", "-s", sock, "-f", script, extra, extra2, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 6000; i++) { /* up to 10 minutes under the sanitizers: the table loads first */
		struct stat st;
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid)
			return -1;
		if (stat(sock, &st) == 0)
			return pid;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static int stop_daemon(pid_t pid, int sig)
{
	int status = 0;
	kill(pid, sig);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Does text parse as JSON?  (python3's json module; true where python3 is missing.) */
static bool json_parses(const char *text)
{
	if (system("command -v python3 >/dev/null 2>&1") != 0)
		return true;
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/answer.json", tmpdir);
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	fputs(text, f);
	fclose(f);
	char cmd[PATH_MAX + 96];
	snprintf(cmd, sizeof(cmd), "python3 -c 'import json,sys; json.load(open(sys.argv[1]))' %s", path);
	return system(cmd) == 0;
}

/* This process's own table of the same prefixes, through the API: its
 * destinations per family. */
static RTM_ENTITY_HANDLE own[2];

static void own_table(const char *file, unsigned long dests[2])
{
	for (unsigned f = 0; f < 2; f++) {
		RTM_ENTITY_INFO ei;
		RTM_REGN_PROFILE prof;
		memset(&ei, 0, sizeof(ei));
		ei.AddressFamily = f ? AF_INET6 : AF_INET;
		ei.EntityId.EntityProtocolId = PROTO_IP_BGP;
		REQUIRE(RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &own[f]) == NO_ERROR);
	}
	RTM_NEXTHOP_HANDLE nh[2] = { NULL, NULL }; /* in: NULL, a next hop to make */
	for (unsigned f = 0; f < 2; f++) {
		RTM_NEXTHOP_INFO ni;
		memset(&ni, 0, sizeof(ni));
		ni.NextHopAddress.AddressFamily = f ? AF_INET6 : AF_INET;
		ni.NextHopAddress.NumBits = f ? 128 : 32;
		inet_pton(ni.NextHopAddress.AddressFamily, f ? "2001:db8::1" : "192.0.2.1", ni.NextHopAddress.AddrBits);
		DWORD flags;
		REQUIRE(RtmAddNextHop(own[f], &ni, &nh[f], &flags) == NO_ERROR);
	}
	FILE *in = fopen(file, "r");
	REQUIRE(in);
	char line[256];
	while (fgets(line, sizeof(line), in)) {
		line[strcspn(line, " \t\r\n#")] = 0;
		char *slash = strchr(line, '/');
		if (!slash)
			continue;
		*slash = 0;
		RTM_NET_ADDRESS d;
		memset(&d, 0, sizeof(d));
		unsigned f = strchr(line, ':') != NULL;
		d.AddressFamily = f ? AF_INET6 : AF_INET;
		if (inet_pton(d.AddressFamily, line, d.AddrBits) != 1)
			continue;
		d.NumBits = (USHORT)atoi(slash + 1);
		union {
			RTM_ROUTE_INFO r;
			char room[RTM_SIZE_OF_ROUTE_INFO(1)];
		} ri;
		memset(&ri, 0, sizeof(ri));
		ri.r.PrefInfo.Preference = 100;
		ri.r.BelongsToViews = RTM_VIEW_MASK_UCAST;
		ri.r.NextHopsList.NumNextHops = 1;
		ri.r.NextHopsList.NextHops[0] = nh[f];
		RTM_ROUTE_CHANGE_FLAGS cf = 0;
		RtmAddRouteToDest(own[f], NULL, &d, &ri.r, INFINITE, NULL, 0, NULL, &cf);
	}
	fclose(in);
	for (unsigned f = 0; f < 2; f++) {
		rtm_stats st;
		REQUIRE(rtm_get_stats(own[f], &st) == NO_ERROR);
		dests[f] = st.dests;
		RtmReleaseNextHops(own[f], 1, &nh[f]);
	}
}

/* The longest match of addr in this process's table, as "PREFIX/LEN". */
static void own_longest(const char *addr, char *out, size_t size)
{
	RTM_NET_ADDRESS a;
	memset(&a, 0, sizeof(a));
	unsigned f = strchr(addr, ':') != NULL;
	a.AddressFamily = f ? AF_INET6 : AF_INET;
	a.NumBits = f ? 128 : 32;
	inet_pton(a.AddressFamily, addr, a.AddrBits);
	union {
		RTM_DEST_INFO d;
		char room[RTM_SIZE_OF_DEST_INFO(1)];
	} di;
	out[0] = 0;
	if (RtmGetMostSpecificDestination(own[f], &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &di.d) != NO_ERROR)
		return;
	char t[INET6_ADDRSTRLEN];
	inet_ntop(a.AddressFamily, di.d.DestAddress.AddrBits, t, sizeof(t));
	snprintf(out, size, "%s/%u ", t, (unsigned)di.d.DestAddress.NumBits);
	RtmReleaseDestInfo(own[f], &di.d);
}

/* The daemon with the real table: answers as the API's. */
static void test_full_table(void)
{
	make_tmpdir();
	char table[PATH_MAX + 32], script[PATH_MAX + 32], cmd[3 * PATH_MAX];
	snprintf(table, sizeof(table), "%s/table.txt", tmpdir);
#ifdef SANITIZED
	/* (IPv4 comes first in the file: some of each family) */
	snprintf(cmd, sizeof(cmd),
		 "gzip -dc %s | awk '/:/ { if (v6++ < 10000) print; next } { if (v4++ < 40000) print }' > %s",
		 data_file, table);
#else
	snprintf(cmd, sizeof(cmd), "gzip -dc %s > %s", data_file, table);
#endif
	REQUIRE(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd),
		 "register bgp bgp\nregister bgp6 bgp ipv6\nload bgp %s\nload bgp6 %s\n", table, table);
	snprintf(script, sizeof(script), "%s", tmpfile_with("start.rtm", cmd));
	unsigned long dests[2];
	own_table(table, dests);
	REQUIRE(dests[0] > 1000 && dests[1] > 100);

	pid_t pid = start_daemon(script, NULL, NULL);
	REQUIRE(pid > 0);
	char *out;
	CHECK_U(RUN_TOOL(NULL, &out, "-s", sock, "show", "route", "count"), 0);
	char want[160];
	snprintf(want, sizeof(want), "ipv4 instance 0: %lu routes for %lu destinations", dests[0], dests[0]);
	EXPECT(out, want);
	snprintf(want, sizeof(want), "total: %lu routes for %lu destinations", dests[0] + dests[1], dests[0] + dests[1]);
	EXPECT(out, want);
	free(out);
	/* Every route, one line each, through the socket as it is read. */
	CHECK_U(RUN_TOOL(NULL, &out, "-s", sock, "show", "route"), 0);
	CHECK_U(count_lines(out), dests[0] + dests[1]);
	EXPECT(out, " bgp pref 100 metric 0 unicast *\n", " bgp6 pref 100 metric 0 unicast *\n");
	free(out);
	CHECK_U(RUN_TOOL(NULL, &out, "-s", sock, "show", "route", "protocol", "bgp6", "count"), 0);
	snprintf(want, sizeof(want), "%lu routes for %lu destinations", dests[1], dests[1]);
	EXPECT(out, want);
	free(out);
	/* Longest matches: the same prefix as this process's table. */
	const char *probes[] = { "8.8.8.8", "1.1.1.1", "193.0.14.129", "2001:4860:4860::8888", "2a00:1450::1" };
	for (unsigned i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		char mine[64];
		own_longest(probes[i], mine, sizeof(mine));
		int rc = RUN_TOOL(NULL, &out, "-s", sock, "show", "route", probes[i]);
		CHECK_U(rc, 0);
		if (mine[0]) {
			CHECK(strncmp(out, mine, strlen(mine)) == 0);
			CHECK_U(count_lines(out), 1);
		} else {
			CHECK_U(count_lines(out), 0);
		}
		free(out);
	}
	/* JSON: every command's answer parses. */
	const char *const cmds[][4] = { { "show", "route", "count", NULL },   { "show", "protocols", NULL },
					{ "show", "status", NULL },	      { "show", "memory", NULL },
					{ "show", "route", "8.8.8.8", NULL }, { "show", "route", "10.0.0.0/8", "longer" } };
	for (unsigned i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		CHECK_U(RUN_TOOL(NULL, &out, "-j", "-s", sock, cmds[i][0], cmds[i][1], cmds[i][2], cmds[i][3]), 0);
		CHECK(json_parses(out));
		free(out);
	}
	CHECK_U(RUN_TOOL(NULL, &out, "-j", "-s", sock, "show", "route", "count"), 0);
	snprintf(want, sizeof(want), "\"destinations\":%lu,\"routes\":%lu}", dests[0] + dests[1], dests[0] + dests[1]);
	EXPECT(out, want);
	free(out);
	CHECK_U(RUN_TOOL(NULL, &out, "-j", "-s", sock, "show", "protocols"), 0);
	snprintf(want, sizeof(want), "{\"name\":\"bgp\",\"protocol_id\":14,\"protocol_instance\":0,\"routes\":%lu,", dests[0]);
	EXPECT(out, want);
	free(out);

	CHECK_U(stop_daemon(pid, SIGTERM), 0);
	struct stat st;
	CHECK(stat(sock, &st) != 0); /* the socket file is gone */
	for (unsigned f = 0; f < 2; f++)
		CHECK_U(RtmDeregisterEntity(own[f]), NO_ERROR);
	unlink(table);
	remove_tmpdir();
}

/* Clients at once, one of them writing through the socket (-w); a user who
 * may not connect. */
static void test_clients_and_credentials(void)
{
	make_tmpdir();
	const char *script = tmpfile_with("start.rtm", "register st rip\nadd st 10.1.0.0/16 via 192.0.2.1\n");
	/* The socket open to all (-m 0666) and its directory searchable: only the
	 * credentials check stands between another user and the table. */
	chmod(tmpdir, 0755);
	pid_t pid = start_daemon(script, "-w", "-m0666");
	REQUIRE(pid > 0);
	char loop[PATH_MAX * 6];
	/* 3 readers and a writer, each a shell loop of rtmctl -s calls; each
	 * exits 0 only if every call of its loop did. */
	pid_t kids[4];
	for (int k = 0; k < 4; k++) {
		if (k < 3)
			snprintf(loop, sizeof(loop),
				 "for i in $(seq 30); do %s -s %s show route all >/dev/null || exit 1; done", tool, sock);
		else
			snprintf(loop, sizeof(loop),
				 "for i in $(seq 30); do %s -s %s add route 10.$i.0.0/16 via 192.0.2.9 protocol st && "
				 "%s -s %s delete route 10.$i.0.0/16 protocol st || exit 1; done",
				 tool, sock, tool, sock);
		kids[k] = fork();
		if (kids[k] == 0) {
			execl("/bin/sh", "sh", "-c", loop, (char *)NULL);
			_exit(127);
		}
	}
	for (int k = 0; k < 4; k++) {
		int status = 0;
		waitpid(kids[k], &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	char *out;
	/* 10.1.0.0/16 was the script's and was deleted by the writer's first round. */
	CHECK_U(RUN_TOOL(NULL, &out, "-s", sock, "show", "route", "count"), 0);
	EXPECT(out, "total: 0 routes for 0 destinations");
	free(out);
	CHECK_U(RUN_TOOL(NULL, &out, "-s", sock, "show", "status"), 0);
	EXPECT(out, "writing enabled", "kernel:", "ipv4: no agent");
	free(out);

	if (geteuid() == 0) {
		/* As nobody: refused, with the reason; exit status 1. */
		fflush(stdout);
		pid_t p = fork();
		if (p == 0) {
			if (setgid(65534) || setuid(65534))
				_exit(3);
			int fd = open("/dev/null", O_WRONLY);
			dup2(fd, STDOUT_FILENO);
			execl(tool, "rtmctl", "-s", sock, "show", "status", (char *)NULL);
			_exit(127);
		}
		int status = 0;
		waitpid(p, &status, 0);
		/* The server refused (%error permission denied): exit status 1. */
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
		CHECK_U(RUN_TOOL(NULL, &out, "-s", sock, "show", "status"), 0);
		EXPECT(out, "1 refused");
		free(out);
	} else {
		printf("  (not root: the refused user is not tried)\n");
	}
	CHECK_U(stop_daemon(pid, SIGINT), 0);
	remove_tmpdir();
}

/* SIGHUP: what left the script goes, the rest stays. */
static void test_reload(void)
{
	make_tmpdir();
	const char *script = tmpfile_with("start.rtm", "register st rip\nregister b6 bgp ipv6\n"
						       "add st 10.1.0.0/16 via 192.0.2.1 metric 5\n"
						       "add st 10.2.0.0/16 via 192.0.2.2\n"
						       "add b6 2001:db8::/32 via 2001:db8::1\n");
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s", script);
	pid_t pid = start_daemon(path, NULL, NULL);
	REQUIRE(pid > 0);
	char *out;
	CHECK_U(RUN_TOOL(NULL, &out, "-s", sock, "show", "route"), 0);
	EXPECT(out, "10.1.0.0/16 via 192.0.2.1 st pref 100 metric 5", "10.2.0.0/16 via 192.0.2.2 st",
	       "2001:db8::/32 via 2001:db8::1 b6");
	free(out);
	/* The new script: 10.2 and the IPv6 entity gone, 10.3 new, 10.1 the same. */
	tmpfile_with("start.rtm", "register st rip\nadd st 10.1.0.0/16 via 192.0.2.1 metric 5\n"
				  "add st 10.3.0.0/16 via 192.0.2.3\n");
	kill(pid, SIGHUP);
	/* Done when the log says so. */
	char log[PATH_MAX + 16];
	snprintf(log, sizeof(log), "%s/daemon.log", tmpdir);
	bool done = false;
	for (int i = 0; i < 3000 && !done; i++) {
		FILE *f = fopen(log, "r");
		char line[512];
		while (f && fgets(line, sizeof(line), f))
			done |= strstr(line, "reload: 1 routes withdrawn, 1 entities deregistered") != NULL;
		if (f)
			fclose(f);
		if (!done)
			usleep(100000);
	}
	CHECK(done);
	CHECK_U(RUN_TOOL(NULL, &out, "-s", sock, "show", "route", "all"), 0);
	CHECK(strstr(out, "10.2.0.0/16") == NULL);
	CHECK(strstr(out, "2001:db8::/32") == NULL);
	EXPECT(out, "10.1.0.0/16 via 192.0.2.1 st pref 100 metric 5", "10.3.0.0/16 via 192.0.2.3 st");
	CHECK_U(count_lines(out), 2);
	free(out);
	CHECK_U(RUN_TOOL(NULL, &out, "-s", sock, "show", "protocols"), 0);
	CHECK(strstr(out, "b6") == NULL && strstr(out, "ipv6 instance") == NULL);
	free(out);
	CHECK_U(stop_daemon(pid, SIGTERM), 0);
	struct stat st;
	CHECK(stat(sock, &st) != 0);
	remove_tmpdir();
}

/* Waits for the daemon's log to hold what. */
static bool log_says(const char *what)
{
	char log[PATH_MAX + 16];
	snprintf(log, sizeof(log), "%s/daemon.log", tmpdir);
	for (int i = 0; i < 3000; i++) {
		bool done = false;
		FILE *f = fopen(log, "r");
		char line[512];
		while (f && fgets(line, sizeof(line), f))
			done |= strstr(line, what) != NULL;
		if (f)
			fclose(f);
		if (done)
			return true;
		usleep(100000);
	}
	return false;
}

/* SIGHUP keeps what the script still makes: the entities `mrt load`
 * registers, an entity renamed or registered otherwise, a full table of 64
 * entities.  (Each was deregistered with its routes once.) */
static void test_reload_keeps(void)
{
	char mrt[PATH_MAX];
	REQUIRE(realpath("tests/fuzz/seed-mrt/tdv2-two-routes.mrt", mrt) != NULL);
	make_tmpdir();
	char text[8192];
	int k = snprintf(text, sizeof(text), "mrt load %s\nregister a rip\nadd a 10.1.0.0/16 via 192.0.2.1\n"
					      "register c ospf\nadd c 10.2.0.0/16 via 192.0.2.1\n", mrt);
	for (unsigned i = 0; i < 59; i++) /* 64 entities in all */
		k += snprintf(text + k, sizeof(text) - (size_t)k, "register e%u rip %u\n", i, i + 1);
	const char *script = tmpfile_with("start.rtm", text);
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s", script);
	pid_t pid = start_daemon(path, NULL, NULL);
	REQUIRE(pid > 0);
	char *out;
	CHECK_U(RUN_TOOL(NULL, &out, "-s", sock, "show", "route"), 0);
	CHECK_U(count_lines(out), 4);
	free(out);
	/* a renamed b, c registered otherwise (kept), the rest the same */
	k = snprintf(text, sizeof(text), "mrt load %s\nregister b rip\nadd b 10.1.0.0/16 via 192.0.2.1\n"
					 "register c rip 77\nadd c 10.2.0.0/16 via 192.0.2.1\n", mrt);
	for (unsigned i = 0; i < 59; i++)
		k += snprintf(text + k, sizeof(text) - (size_t)k, "register e%u rip %u\n", i, i + 1);
	tmpfile_with("start.rtm", text);
	kill(pid, SIGHUP);
	CHECK(log_says("reload: 0 routes withdrawn, 0 entities deregistered"));
	CHECK_U(RUN_TOOL(NULL, &out, "-s", sock, "show", "route"), 0);
	EXPECT(out, "10.1.0.0/16 via 192.0.2.1 b ", "10.2.0.0/16 via 192.0.2.1 c ", "198.51.100.0/24 via 192.0.2.1 mrt",
	       "2001:db8:100::/48 via 2001:db8::1 mrt.6");
	CHECK_U(count_lines(out), 4);
	free(out);
	CHECK_U(stop_daemon(pid, SIGTERM), 0);
	remove_tmpdir();
}

/* --help, --version, usage errors, an unreachable socket, an %error answer. */
static void test_command_line(void)
{
	char *out;
	CHECK_U(RUN_TOOL(NULL, &out, "--help"), 0);
	EXPECT(out, "usage: rtmctl", "-s PATH", "-d -s PATH", "Exit status");
	free(out);
	CHECK_U(RUN_TOOL(NULL, &out, "--version"), 0);
	EXPECT(out, "rtmctl (rtmv2) ");
	free(out);
	CHECK_U(RUN_TOOL(NULL, &out, "-j", "-c", "help"), 2);
	EXPECT(out, "-j goes with -s");
	free(out);
	CHECK_U(RUN_TOOL(NULL, &out, "-d", "-f", "x"), 2);
	EXPECT(out, "-d needs -s PATH");
	free(out);
	CHECK_U(RUN_TOOL(NULL, &out, "-s", "/nonexistent/sock", "show", "status"), 2);
	EXPECT(out, "rtmctl: /nonexistent/sock: No such file or directory");
	free(out);
	make_tmpdir();
	const char *script = tmpfile_with("start.rtm", "register st rip\n");
	char path[PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s", script);
	pid_t pid = start_daemon(path, NULL, NULL);
	REQUIRE(pid > 0);
	CHECK_U(RUN_TOOL(NULL, &out, "-s", sock, "show", "nothing"), 1);
	EXPECT(out, "rtmctl: show what?");
	free(out);
	CHECK_U(RUN_TOOL(NULL, &out, "-s", sock, "add", "route", "10.0.0.0/8", "via", "1.2.3.4", "protocol", "st"), 1);
	EXPECT(out, "writing is not enabled");
	free(out);
	/* A shell on stdin (not a terminal): one command a line, status 1 if any failed. */
	CHECK_U(RUN_TOOL("show route count\nbogus\nhelp\n", &out, "-s", sock), 1);
	EXPECT(out, "total: 0 routes", "unknown command: bogus", "show route [PREFIX|ADDRESS]");
	free(out);
	CHECK_U(stop_daemon(pid, SIGTERM), 0);
	remove_tmpdir();
}

int main(int argc, char **argv)
{
	(void)argc;
	tool_locate(argv[0], "test_daemon");
	char self[PATH_MAX];
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(data_file, sizeof(data_file), "%s/../../data/full-table-2023.txt.gz", dirname(self));
	signal(SIGPIPE, SIG_IGN);
	RUN(test_command_line);
	RUN(test_reload);
	RUN(test_reload_keeps);
	RUN(test_clients_and_credentials);
	RUN(test_full_table);
	TEST_MAIN_END();
}
