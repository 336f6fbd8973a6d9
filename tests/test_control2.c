/*
 * test_control2.c — the control socket's edges (<rtmv2/control.h>): who may
 * connect (SO_PEERCRED: a child that became nobody is refused, served when
 * options.uid or options.gid names it; the socket file's mode and group);
 * abusive input (a line over 4,096 bytes, a line never ended, binary
 * garbage and NUL bytes, unknown commands, too many words, a client that
 * never reads its answer); the lifecycle (a live socket, a stale one, a
 * regular file, bad options, close with clients connected; rtm_get_ribs);
 * writing (add route, delete route, only where enabled); RTMV2_CONTROL in a
 * child process; and status providers' lines in show status.
 * test_control.c checks the answers' contents.
 */
#include "controltest.h"

#include <grp.h>

/* ---- who may connect ---------------------------------------------------------------------- */

/* A child that drops to uid/gid, connects, sends request (NULL: nothing),
 * reads one answer and, when check_closed, whether the server then closed
 * the connection ("<closed>" appended).  What it saw, in out. */
static void as_other_user(uid_t uid, gid_t gid, const char *request, bool check_closed, char *out, size_t size)
{
	int p[2];
	out[0] = 0;
	REQUIRE(pipe(p) == 0);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		if (setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
			_exit(3);
		int fd = ct_connect(ct_path);
		if (fd < 0) {
			dprintf(p[1], "connect: %s", strerror(errno));
			_exit(0);
		}
		if (request)
			ct_send(fd, request, strlen(request));
		char *ans = ct_read_answer(fd, NULL);
		dprintf(p[1], "%s%s", ans, check_closed && ct_closed(fd) ? "<closed>" : "");
		_exit(0);
	}
	close(p[1]);
	size_t n = 0;
	ssize_t k;
	while (n + 1 < size && (k = read(p[0], out + n, size - 1 - n)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			break;
		n += (size_t)k;
	}
	out[n] = 0;
	close(p[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_peer_credentials(void)
{
	if (geteuid() != 0) {
		printf("  test_peer_credentials: skipped (not root: no other user to connect as)\n");
		return;
	}
	REQUIRE(rt_register(AF_INET, PROTO_IP_BGP));
	/* Mode 0666, so that the file lets anyone connect: the refusal is SO_PEERCRED's. */
	rtm_control_options o = ct_options(ct_make_path("cred"));
	o.mode = 0666;
	rtm_control *c = NULL;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	char out[4096];
	as_other_user(65534, 65534, NULL, true, out, sizeof(out));
	CHECK(!strcmp(out, "%error permission denied\n<closed>"));
	if (strcmp(out, "%error permission denied\n<closed>"))
		fprintf(stderr, "  nobody saw: \"%s\"\n", out);
	CHECK(ct_logged("uid 65534 gid 65534 not allowed"));
	/* A request sent at once changes nothing. */
	as_other_user(65534, 65534, "show status\n", true, out, sizeof(out));
	CHECK(!strncmp(out, "%error permission denied\n", 25));
	int fd = ct_connect(ct_path);
	char *ans = ct_ask(fd, "show status");
	CHECK(strstr(ans, "control: 1 connections, 1 served, 2 refused") != NULL);
	free(ans);
	close(fd);
	rtm_control_close(c);

	/* options.uid: that user is served. */
	o = ct_options(ct_make_path("cred-uid"));
	o.mode = 0666;
	o.uid = 65534;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	as_other_user(65534, 65534, "show route count\n", false, out, sizeof(out));
	CHECK(strstr(out, "total: 0 routes for ") != NULL);
	CHECK_STATUS(out, "%ok");
	as_other_user(12345, 12345, NULL, true, out, sizeof(out));
	CHECK(!strcmp(out, "%error permission denied\n<closed>"));
	rtm_control_close(c);

	/* options.gid: the socket's group, and its members are served. */
	o = ct_options(ct_make_path("cred-gid"));
	o.mode = 0660;
	o.gid = 65534;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	struct stat st;
	REQUIRE(stat(ct_path, &st) == 0);
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_U(st.st_mode & 07777, 0660);
	CHECK_U(st.st_gid, 65534);
	as_other_user(12345, 65534, "show status\n", false, out, sizeof(out));
	CHECK_STATUS(out, "%ok");
	/* Outside the group the file itself keeps it out. */
	as_other_user(12345, 12345, NULL, false, out, sizeof(out));
	CHECK(!strncmp(out, "connect: ", 9));
	rtm_control_close(c);
}

static void test_socket_mode(void)
{
	rtm_control_options o = ct_options(ct_make_path("mode"));
	rtm_control *c = NULL;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	struct stat st;
	REQUIRE(stat(ct_path, &st) == 0);
	CHECK(S_ISSOCK(st.st_mode));
	CHECK_U(st.st_mode & 07777, 0600);
	CHECK_U(st.st_uid, geteuid());
	rtm_control_close(c);
	o.mode = 0640;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	REQUIRE(stat(ct_path, &st) == 0);
	CHECK_U(st.st_mode & 07777, 0640);
	rtm_control_close(c);
}

/* ---- malformed and abusive input ------------------------------------------------------------ */

static void test_long_line(void)
{
	rtm_control_options o = ct_options(ct_make_path("long"));
	rtm_control *c = NULL;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	/* 4,095 bytes and the newline: the longest line, served. */
	char *line = malloc(6000);
	REQUIRE(line);
	memset(line, ' ', 6000);
	memcpy(line, "show route count", 16);
	line[4095] = 0;
	int fd = ct_connect(ct_path);
	REQUIRE(fd >= 0);
	char *ans = ct_ask(fd, line);
	CHECK(strstr(ans, "total: 0 routes for 0 destinations\n%ok\n") != NULL);
	free(ans);
	/* One more: the line is refused, the connection closed. */
	line[4095] = ' ';
	line[4096] = 0;
	ans = ct_ask(fd, line);
	CHECK(!strcmp(ans, "%error request line longer than 4096 bytes\n"));
	free(ans);
	CHECK(ct_closed(fd));
	close(fd);
	/* Much more, no newline at all. */
	fd = ct_connect(ct_path);
	REQUIRE(fd >= 0);
	memset(line, 'x', 6000);
	REQUIRE(ct_send(fd, line, 6000));
	bool eof;
	ans = ct_read_answer(fd, &eof);
	CHECK(!strcmp(ans, "%error request line longer than 4096 bytes\n"));
	free(ans);
	CHECK(ct_closed(fd));
	close(fd);
	CHECK(ct_logged("connection closed: request line longer than 4096 bytes"));
	free(line);
	rtm_control_close(c);
}

static void test_partial_line(void)
{
	rtm_control_options o = ct_options(ct_make_path("partial"));
	o.timeout_ms = 200;
	rtm_control *c = NULL;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	int fd = ct_connect(ct_path);
	REQUIRE(fd >= 0);
	struct timeval tv = { 20, 0 }; /* the server's 200 ms, generously */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	char *ans = ct_ask(fd, "show status"); /* a whole line first: the timeout is per line */
	CHECK_STATUS(ans, "%ok");
	free(ans);
	REQUIRE(ct_send(fd, "show rou", 8));
	bool eof;
	ans = ct_read_answer(fd, &eof);
	CHECK(!strcmp(ans, "%error request line not ended in time\n"));
	free(ans);
	CHECK(ct_closed(fd));
	close(fd);
	CHECK(ct_logged("connection closed: request line not ended in time"));
	rtm_control_close(c);
}

static void test_garbage(void)
{
	rtm_control_options o = ct_options(ct_make_path("garbage"));
	rtm_control *c = NULL;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	int fd = ct_connect(ct_path);
	REQUIRE(fd >= 0);
	char *ans;
	/* NUL bytes: the request is refused whole, not cut at the NUL. */
	static const char nul1[] = "show status\0 please\n", nul2[] = "\0\0\0\n";
	REQUIRE(ct_send(fd, nul1, sizeof(nul1) - 1));
	ans = ct_read_answer(fd, NULL);
	CHECK(!strcmp(ans, "%error request line holds a NUL byte\n"));
	free(ans);
	REQUIRE(ct_send(fd, nul2, sizeof(nul2) - 1));
	ans = ct_read_answer(fd, NULL);
	CHECK(!strcmp(ans, "%error request line holds a NUL byte\n"));
	free(ans);
	/* Lines of bytes no command has (a pseudo-random generator, seeded). */
	unsigned seed = 12345;
	for (int i = 0; i < 200; i++) {
		char g[300];
		size_t n = 2 + (size_t)rand_r(&seed) % 298;
		for (size_t j = 0; j < n; j++) {
			int b = rand_r(&seed) % 256;
			g[j] = (char)(b == '\n' ? 0x80 : b);
		}
		g[0] = (char)(0x80 | rand_r(&seed)); /* never a command's first letter */
		g[n - 1] = '\n';
		REQUIRE(ct_send(fd, g, n));
		ans = ct_read_answer(fd, NULL);
		char st[512];
		ct_status(ans, st, sizeof(st));
		CHECK(!strncmp(st, "%error ", 7));
		CHECK_U(ct_lines(ans), 0);
		free(ans);
	}
	/* A CR LF line, and then the connection still serves. */
	REQUIRE(ct_send(fd, "show route count\r\n", 18));
	ans = ct_read_answer(fd, NULL);
	CHECK(strstr(ans, "total: 0 routes") && ct_lines(ans) == 1);
	free(ans);

	/* Unknown commands and words. */
	static const char *const bad[][2] = {
		{ "frobnicate", "%error unknown command: frobnicate (try help)\n" },
		{ "show", "%error show what? (status, protocols, memory, route)\n" },
		{ "show tables", "%error show what? (status, protocols, memory, route)\n" },
		{ "add", "%error unknown command: add (try help)\n" },
		{ "add table x", "%error add what? (route)\n" },
		{ "delete", "%error delete what? (route)\n" },
		{ "json frobnicate", "%error unknown command: frobnicate (try help)\n" },
		{ "show route instance", "%error an instance number expected\n" },
		{ "show route instance 70000", "%error bad instance: 70000\n" },
		{ "show route protocol", "%error a protocol name expected\n" },
		{ "", "%ok\n" },
		{ " \t ", "%ok\n" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ans = ct_ask(fd, bad[i][0]);
		if (strcmp(ans, bad[i][1]))
			fprintf(stderr, "  \"%s\": \"%s\"\n", bad[i][0], ans);
		CHECK(!strcmp(ans, bad[i][1]));
		free(ans);
	}
	/* Words: 31 are served, more are too many. */
	char many[512] = "show route";
	for (int i = 0; i < 29; i++)
		strcat(many, " best");
	ans = ct_ask(fd, many);
	CHECK(!strcmp(ans, "%ok\n"));
	free(ans);
	for (int i = 0; i < 10; i++)
		strcat(many, " best");
	ans = ct_ask(fd, many);
	CHECK(!strcmp(ans, "%error too many words\n"));
	free(ans);
	/* help, then quit: %ok and the end of the connection. */
	ans = ct_ask(fd, "help");
	CHECK(strstr(ans, "show route count\n") && strstr(ans, "quit\n%ok\n"));
	free(ans);
	ans = ct_ask(fd, "quit");
	CHECK(!strcmp(ans, "%ok\n"));
	free(ans);
	CHECK(ct_closed(fd));
	close(fd);
	rtm_control_close(c);
}

struct conns_arg {
	const char *path;
	unsigned want;
};

/* Does show status (on a connection of its own) count want connections? */
static bool connections_are(void *p)
{
	const struct conns_arg *a = p;
	int fd = ct_connect(a->path);
	if (fd < 0)
		return false;
	char *ans = ct_ask(fd, "show status"), want[64];
	snprintf(want, sizeof(want), "control: %u connections,", a->want);
	bool yes = strstr(ans, want) != NULL;
	free(ans);
	close(fd);
	return yes;
}

/* A client asks for a big table and never reads: the others are served, its
 * connection is dropped after the timeout, and close returns. */
static void test_stuck_client(void)
{
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, PROTO_IP_BGP);
	REQUIRE(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "192.0.2.1", 1);
	for (unsigned i = 0; i < 30000; i++) {
		char a[32];
		snprintf(a, sizeof(a), "14.%u.%u.0", i >> 8, i & 255);
		REQUIRE(rt_add_route(e, a, 24, 170, i, RTM_VIEW_MASK_UCAST, nh, NULL, NULL, NULL) == NO_ERROR);
	}
	RtmReleaseNextHops(e, 1, &nh);
	rtm_control_options o = ct_options(ct_make_path("stuck"));
	o.timeout_ms = 300;
	rtm_control *c = NULL;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	int stuck = ct_connect(ct_path);
	REQUIRE(stuck >= 0);
	REQUIRE(ct_send(stuck, "show route\n", 11));
	int fd = ct_connect(ct_path);
	REQUIRE(fd >= 0);
	for (int i = 0; i < 5; i++) {
		char *ans = ct_ask(fd, "show route 14.0.0.0/16 longer count");
		CHECK(!strcmp(ans, "256 routes for 256 destinations\n%ok\n"));
		free(ans);
	}
	close(fd);
	/* Dropped: one connection left, the one asking. */
	struct conns_arg ca = { ct_path, 1 };
	CHECK(rt_wait_until(connections_are, &ca));
	bool eof;
	char *ans = ct_read_answer(stuck, &eof);
	CHECK(eof);
	CHECK(ct_lines(ans) < 30000);
	free(ans);
	close(stuck);
	rtm_control_close(c);

	/* With the default timeout (10 s): close does not wait for it. */
	o.timeout_ms = 0;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	stuck = ct_connect(ct_path);
	REQUIRE(stuck >= 0);
	REQUIRE(ct_send(stuck, "show route\n", 11));
	ca.want = 2;
	CHECK(rt_wait_until(connections_are, &ca));
	rtm_control_close(c);
	ans = ct_read_answer(stuck, &eof);
	CHECK(eof);
	free(ans);
	close(stuck);
}

/* ---- the lifecycle -------------------------------------------------------------------------- */

static void test_open_and_close(void)
{
	rtm_control_options o = ct_options(ct_make_path("life"));
	rtm_control *c = NULL, *c2 = NULL;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	/* A live server: not replaced. */
	CHECK_U(rtm_control_open(&o, &c2), ERROR_ALREADY_EXISTS);
	int fd = ct_connect(ct_path);
	char *ans = ct_ask(fd, "show status");
	CHECK_STATUS(ans, "%ok");
	free(ans);
	/* Clients connected at close see the end of their stream. */
	int idle = ct_connect(ct_path), half = ct_connect(ct_path);
	REQUIRE(idle >= 0 && half >= 0);
	REQUIRE(ct_send(half, "show sta", 8));
	rtm_control_close(c);
	CHECK(ct_closed(fd));
	CHECK(ct_closed(idle));
	CHECK(ct_closed(half));
	close(fd);
	close(idle);
	close(half);
	/* The file is gone. */
	struct stat st;
	CHECK(stat(ct_path, &st) != 0 && errno == ENOENT);

	/* A stale socket (bound, closed, never unlinked): replaced. */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ct_path);
	REQUIRE(bind(s, (struct sockaddr *)&sa, sizeof(sa)) == 0);
	close(s);
	REQUIRE(stat(ct_path, &st) == 0 && S_ISSOCK(st.st_mode));
	CHECK_U(rtm_control_open(&o, &c), NO_ERROR);
	fd = ct_connect(ct_path);
	ans = ct_ask(fd, "show status");
	CHECK_STATUS(ans, "%ok");
	free(ans);
	close(fd);
	rtm_control_close(c);

	/* A regular file: left alone. */
	FILE *f = fopen(ct_path, "w");
	REQUIRE(f);
	fputs("precious\n", f);
	fclose(f);
	CHECK_U(rtm_control_open(&o, &c), ERROR_ALREADY_EXISTS);
	REQUIRE(stat(ct_path, &st) == 0);
	CHECK(S_ISREG(st.st_mode));
	CHECK_U(st.st_size, 9);
	unlink(ct_path);

	/* Bad options. */
	CHECK_U(rtm_control_open(NULL, &c), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_control_open(&o, NULL), ERROR_INVALID_PARAMETER);
	rtm_control_options b = o;
	b.path = NULL;
	CHECK_U(rtm_control_open(&b, &c), ERROR_INVALID_PARAMETER);
	b.path = "";
	CHECK_U(rtm_control_open(&b, &c), ERROR_INVALID_PARAMETER);
	char longpath[200];
	memset(longpath, 'a', sizeof(longpath));
	memcpy(longpath, "/tmp/", 5);
	longpath[108] = 0;
	b.path = longpath;
	CHECK_U(rtm_control_open(&b, &c), ERROR_INVALID_PARAMETER);
	b = o;
	b.flags = 0x2;
	CHECK_U(rtm_control_open(&b, &c), ERROR_INVALID_PARAMETER);
	/* A folder that does not exist: a socket error. */
	char nodir[108];
	snprintf(nodir, sizeof(nodir), "/tmp/rtmv2-ctltest-%ld-nodir/x.sock", (long)getpid());
	b = o;
	b.path = nodir;
	CHECK_U(rtm_control_open(&b, &c), ERROR_GEN_FAILURE);
	rtm_control_close(NULL);

	/* Naming: bad names and handles. */
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, PROTO_IP_RIP);
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	CHECK_U(rtm_control_name_entity(c, "bad name", e), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_control_name_entity(c, "", e), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_control_name_entity(c, "a23456789012345678901234567890123", e), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_control_name_entity(c, "rip", NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_control_name_entity(NULL, "rip", e), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_control_name_entity(c, "rip", e), NO_ERROR);
	fd = ct_connect(ct_path);
	ans = ct_ask(fd, "show protocols");
	CHECK(strstr(ans, "  rip ") != NULL);
	free(ans);
	CHECK_U(rtm_control_name_entity(c, "rip-2", e), NO_ERROR); /* renamed */
	CHECK_U(rtm_control_name_entity(c, NULL, e), NO_ERROR);    /* forgotten */
	ans = ct_ask(fd, "show protocols");
	CHECK(strstr(ans, "  rip") == NULL && strstr(ans, "  proto-8.1 ") != NULL);
	free(ans);
	close(fd);
	rtm_control_close(c);
}

static void test_get_ribs(void)
{
	UINT n = 0;
	CHECK_U(rtm_get_ribs(NULL, &n), NO_ERROR);
	CHECK_U(n, 0);
	RTM_ENTITY_HANDLE h4, h6, h4b, h3;
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_BGP, 1, NULL, FALSE, NULL, &h4, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET6, PROTO_IP_BGP, 1, NULL, FALSE, NULL, &h6, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_OSPF, 1, NULL, FALSE, NULL, &h4b, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(3, AF_INET, PROTO_IP_BGP, 1, NULL, FALSE, NULL, &h3, NULL) == NO_ERROR);
	rtm_rib_info ribs[8];
	n = 8;
	CHECK_U(rtm_get_ribs(ribs, &n), NO_ERROR);
	CHECK_U(n, 3);
	CHECK(ribs[0].instance == 0 && ribs[0].family == AF_INET && ribs[0].entities == 2);
	CHECK(ribs[1].instance == 0 && ribs[1].family == AF_INET6 && ribs[1].entities == 1);
	CHECK(ribs[2].instance == 3 && ribs[2].family == AF_INET && ribs[2].entities == 1);
	n = 1;
	memset(ribs, 0, sizeof(ribs));
	CHECK_U(rtm_get_ribs(ribs, &n), ERROR_INSUFFICIENT_BUFFER);
	CHECK_U(n, 3);
	CHECK(ribs[0].family == AF_INET && ribs[0].entities == 2 && ribs[1].family == 0);
	n = 0; /* how many: more than 0 */
	CHECK_U(rtm_get_ribs(NULL, &n), ERROR_INSUFFICIENT_BUFFER);
	CHECK_U(n, 3);
	n = 2;
	CHECK_U(rtm_get_ribs(NULL, &n), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_get_ribs(ribs, NULL), ERROR_INVALID_PARAMETER);
	/* A table whose entities are all gone is not listed. */
	CHECK_U(RtmDeregisterEntity(h3), NO_ERROR);
	n = 8;
	CHECK_U(rtm_get_ribs(ribs, &n), NO_ERROR);
	CHECK_U(n, 2);
	/* show route count, through the socket, lists the same tables. */
	rtm_control_options o = ct_options(ct_make_path("ribs"));
	rtm_control *c = NULL;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	int fd = ct_connect(ct_path);
	char *ans = ct_ask(fd, "show route count");
	CHECK(!strcmp(ans, "ipv4 instance 0: 0 routes for 0 destinations\n"
			   "ipv6 instance 0: 0 routes for 0 destinations\n"
			   "total: 0 routes for 0 destinations\n%ok\n"));
	free(ans);
	close(fd);
	rtm_control_close(c);
	(void)h4, (void)h6, (void)h4b;
}

/* ---- writing ------------------------------------------------------------------------------- */

static void test_write(void)
{
	RTM_ENTITY_HANDLE bgp = rt_register(AF_INET, PROTO_IP_BGP), bgp6 = rt_register(AF_INET6, PROTO_IP_BGP);
	REQUIRE(bgp && bgp6);
	/* Read only: refused. */
	rtm_control_options o = ct_options(ct_make_path("ro"));
	rtm_control *c = NULL;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	CHECK_U(rtm_control_name_entity(c, "bgp", bgp), NO_ERROR);
	int fd = ct_connect(ct_path);
	char *ans = ct_ask(fd, "add route 10.9.0.0/16 via 192.0.2.7 protocol bgp metric 3");
	CHECK(!strcmp(ans, "%error writing is not enabled on this socket\n"));
	free(ans);
	ans = ct_ask(fd, "delete route 10.9.0.0/16 protocol bgp");
	CHECK(!strcmp(ans, "%error writing is not enabled on this socket\n"));
	free(ans);
	CHECK(!rt_best(bgp, "10.9.0.0", 16, RTM_VIEW_MASK_UCAST));
	close(fd);
	rtm_control_close(c);

	o = ct_options(ct_make_path("rw"));
	o.flags = RTM_CONTROL_WRITE;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	CHECK_U(rtm_control_name_entity(c, "bgp", bgp), NO_ERROR);
	CHECK_U(rtm_control_name_entity(c, "bgp", bgp6), NO_ERROR);
	fd = ct_connect(ct_path);
	ans = ct_ask(fd, "add route 10.9.0.0/16 via 192.0.2.7 protocol bgp metric 3");
	CHECK(!strcmp(ans, "%ok\n"));
	free(ans);
	/* The route, through the API: bgp's, that next hop, that metric. */
	RTM_ROUTE_HANDLE rh = rt_best(bgp, "10.9.0.0", 16, RTM_VIEW_MASK_UCAST);
	REQUIRE(rh);
	rt_route_buf rb;
	REQUIRE(rt_route_info(bgp, rh, &rb) == NO_ERROR);
	CHECK(rb.info.RouteOwner == bgp);
	CHECK_U(rb.info.PrefInfo.Metric, 3);
	CHECK_U(rb.info.PrefInfo.Preference, 20);
	CHECK_U(rb.info.BelongsToViews, RTM_VIEW_MASK_UCAST);
	REQUIRE(rb.info.NextHopsList.NumNextHops == 1);
	RTM_NEXTHOP_INFO ni;
	REQUIRE(RtmGetNextHopInfo(bgp, rb.info.NextHopsList.NextHops[0], &ni) == NO_ERROR);
	RTM_NET_ADDRESS want = rt_addr("192.0.2.7", 32);
	CHECK(rt_addr_eq(&ni.NextHopAddress, &want));
	RtmReleaseNextHopInfo(bgp, &ni);
	RtmReleaseRouteInfo(bgp, &rb.info);
	ans = ct_ask(fd, "show route 10.9.0.0/16");
	CHECK(!strcmp(ans, "10.9.0.0/16 via 192.0.2.7 bgp pref 20 metric 3 unicast *\n%ok\n"));
	free(ans);

	/* IPv6, two next hops, both views, in JSON. */
	ans = ct_ask(fd, "json add route 2001:db8:9::/48 via 2001:db8::7 via 2001:db8::8 protocol bgp pref 5 "
			 "metric 9 view both");
	CHECK(!strcmp(ans, "{}\n%ok\n"));
	free(ans);
	rh = rt_best(bgp6, "2001:db8:9::", 48, RTM_VIEW_MASK_MCAST);
	REQUIRE(rh);
	REQUIRE(rt_route_info(bgp6, rh, &rb) == NO_ERROR);
	CHECK(rb.info.RouteOwner == bgp6);
	CHECK_U(rb.info.NextHopsList.NumNextHops, 2);
	CHECK_U(rb.info.PrefInfo.Preference, 5);
	CHECK_U(rb.info.BelongsToViews, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST);
	RtmReleaseRouteInfo(bgp6, &rb.info);

	/* What cannot be written. */
	static const char *const bad[][2] = {
		{ "add route 10.9.0.0/16 via 192.0.2.7 protocol nosuch", "%error no entity named nosuch in that table\n" },
		{ "add route 10.9.0.0/33 via 192.0.2.7 protocol bgp", "%error bad prefix: 10.9.0.0/33\n" },
		{ "add route 10.9.0.1 via 192.0.2.7 protocol bgp", "%error bad prefix: 10.9.0.1\n" },
		{ "add route banana via 192.0.2.7 protocol bgp", "%error bad prefix: banana\n" },
		{ "add route 10.9.0.0/16 via 2001:db8::1 protocol bgp", "%error bad next hop: 2001:db8::1\n" },
		{ "add route 10.9.0.0/16 via 10.0.0.0/8 protocol bgp", "%error bad next hop: 10.0.0.0/8\n" },
		{ "add route 10.9.0.0/16 protocol bgp", "%error add route needs via ADDRESS and protocol NAME\n" },
		{ "add route 10.9.0.0/16 via 192.0.2.7", "%error add route needs via ADDRESS and protocol NAME\n" },
		{ "add route 10.9.0.0/16 via 192.0.2.7 protocol bgp metric x", "%error bad metric: x\n" },
		{ "add route 10.9.0.0/16 via 192.0.2.7 protocol bgp view none", "%error bad view: none\n" },
		{ "add route 10.9.0.0/16 via 192.0.2.7 protocol bgp metric", "%error a value expected\n" },
		{ "add route", "%error a prefix expected\n" },
		{ "delete route 10.9.0.0/16", "%error delete route needs protocol NAME\n" },
		{ "delete route 10.9.0.0/16 protocol nosuch", "%error no entity named nosuch in that table\n" },
		{ "delete route 10.9.0.0/16 via 192.0.2.7 protocol bgp", "%error unknown word: via\n" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ans = ct_ask(fd, bad[i][0]);
		if (strcmp(ans, bad[i][1]))
			fprintf(stderr, "  \"%s\": \"%s\"\n", bad[i][0], ans);
		CHECK(!strcmp(ans, bad[i][1]));
		free(ans);
	}
	CHECK_U(rt_stats(bgp).routes, 1);

	/* delete: gone from the API; once more: not found. */
	ans = ct_ask(fd, "delete route 10.9.0.0/16 protocol bgp");
	CHECK(!strcmp(ans, "%ok\n"));
	free(ans);
	CHECK(!rt_best(bgp, "10.9.0.0", 16, RTM_VIEW_MASK_UCAST));
	CHECK_U(rt_stats(bgp).routes, 0);
	char nf[128];
	snprintf(nf, sizeof(nf), "%%error %s\n", rtm_strerror(ERROR_NOT_FOUND));
	ans = ct_ask(fd, "delete route 10.9.0.0/16 protocol bgp");
	CHECK(!strcmp(ans, nf));
	free(ans);
	ans = ct_ask(fd, "delete route 2001:db8:9::/48 protocol bgp");
	CHECK(!strcmp(ans, "%ok\n"));
	free(ans);
	CHECK_U(rt_stats(bgp6).routes, 0);
	ans = ct_ask(fd, "json show status");
	CHECK(strstr(ans, "\"write\":true") != NULL);
	free(ans);
	close(fd);
	rtm_control_close(c);
}

/* ---- RTMV2_CONTROL ------------------------------------------------------------------------- */

static void test_env(void)
{
	ct_make_path("env");
	int ready[2], done[2];
	REQUIRE(pipe(ready) == 0 && pipe(done) == 0);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		/* The child: no socket before its first registration, one after. */
		close(ready[0]);
		close(done[1]);
		setenv("RTMV2_CONTROL", ct_path, 1);
		char ok = rtm_control_from_env() == NULL ? 'y' : 'n';
		RTM_ENTITY_HANDLE h = NULL;
		if (rt_register_ex(0, AF_INET, PROTO_IP_BGP, 1, NULL, FALSE, NULL, &h, NULL) != NO_ERROR)
			ok = 'n';
		rtm_control *c = rtm_control_from_env();
		if (!c || rtm_control_name_entity(c, "bgp", h) != NO_ERROR)
			ok = 'n';
		(void)!write(ready[1], &ok, 1);
		char x;
		(void)!read(done[0], &x, 1);
		rtm_control_close(c);
		RtmDeregisterEntity(h);
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	char ok = 0;
	CHECK(read(ready[0], &ok, 1) == 1 && ok == 'y');
	struct stat st;
	CHECK(stat(ct_path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600);
	int fd = ct_connect(ct_path);
	CHECK(fd >= 0);
	if (fd >= 0) {
		char *ans = ct_ask(fd, "show status"), want[64];
		snprintf(want, sizeof(want), ", pid %ld, up ", (long)pid);
		CHECK_STATUS(ans, "%ok");
		CHECK(strstr(ans, want) != NULL);
		CHECK(strstr(ans, "writing disabled") != NULL);
		CHECK(strstr(ans, "ipv4 instance 0: 2 entities") != NULL); /* bgp and the server's own */
		free(ans);
		ans = ct_ask(fd, "show protocols");
		CHECK(strstr(ans, "  bgp ") != NULL);
		free(ans);
		close(fd);
	}
	(void)!write(done[1], "q", 1);
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(stat(ct_path, &st) != 0); /* closed by the child */
	close(ready[0]);
	close(done[1]);
	/* In this process, without the variable, none. */
	CHECK(rtm_control_from_env() == NULL);
}

/* ---- status providers ------------------------------------------------------------------------ */

static void kernel_status(void *context, rtm_control_out *out)
{
	rtm_control_printf(out, "state: %s", (const char *)context);
	rtm_control_printf(out, "routes installed: %d\n", 42);
	rtm_control_printf(out, "a line without a colon");
	rtm_control_printf(out, "path: a\"b\\c");
}

static void mrt_status(void *context, rtm_control_out *out)
{
	(void)context;
	rtm_control_printf(out, "files: %u", 2u);
}

static void percent_status(void *context, rtm_control_out *out)
{
	(void)context;
	rtm_control_printf(out, "%%ok");
	rtm_control_printf(out, "%%error not really");
	rtm_control_printf(out, "text: caf\xc3\xa9 \xff\xc3(");
}

/* What the program does to the tables under the socket: it deregisters every
 * entity it is told of (the server's too), so the server registers again
 * and answers right; a handle named, deregistered without being unnamed and
 * replaced by a new entity of the same ids: the new name is shown; a table
 * left with only the server's entity is left by it too (so a later first
 * registration re-reads the configuration); a status line that starts with
 * '%' cannot pass for the status line. */
static void test_program_changes(void)
{
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, PROTO_IP_BGP);
	REQUIRE(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "192.0.2.1", 1);
	REQUIRE(nh);
	CHECK_U(rt_add_route(e, "10.1.0.0", 16, 20, 1, RTM_VIEW_MASK_UCAST, nh, NULL, NULL, NULL), NO_ERROR);
	RtmReleaseNextHops(e, 1, &nh);
	rtm_control_options o = ct_options(ct_make_path("changes"));
	rtm_control *c = NULL;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	CHECK_U(rtm_control_name_entity(c, "alpha", e), NO_ERROR);
	CHECK_U(rtm_control_add_status(c, "odd", percent_status, NULL), NO_ERROR);
	int fd = ct_connect(ct_path);
	REQUIRE(fd >= 0);
	char *ans = ct_ask(fd, "show route");
	CHECK_STATUS(ans, "%ok");
	CHECK(strstr(ans, "10.1.0.0/16 via 192.0.2.1 alpha pref 20 metric 1 unicast *\n") != NULL);
	free(ans);

	/* The program deregisters the server's entity (it is one of the table's). */
	UINT n = 8;
	RTM_ENTITY_HANDLE hs[8];
	RTM_ENTITY_INFO infos[8];
	REQUIRE(RtmGetRegisteredEntities(e, &n, hs, infos) == NO_ERROR);
	CHECK_U(n, 2);
	for (UINT i = 0; i < n; i++)
		if (infos[i].EntityId.EntityProtocolId == RTM_CONTROL_PROTOCOL_ID)
			CHECK_U(RtmDeregisterEntity(hs[i]), NO_ERROR);
	RtmReleaseEntities(e, n, hs);
	ans = ct_ask(fd, "json show route");
	CHECK_STATUS(ans, "%ok");
	CHECK(strstr(ans, "\"prefix\":\"10.1.0.0/16\"") != NULL);
	CHECK(strstr(ans, "\"routes_shown\":1,") != NULL);
	if (ct_have_python())
		CHECK(ct_json_parses(ans));
	free(ans);

	/* Deregistered without being unnamed; a new entity of the same ids named beta. */
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
	e = rt_register(AF_INET, PROTO_IP_BGP);
	REQUIRE(e);
	CHECK_U(rtm_control_name_entity(c, "beta", e), NO_ERROR);
	ans = ct_ask(fd, "show protocols");
	CHECK_STATUS(ans, "%ok");
	CHECK(strstr(ans, "  beta ") != NULL);
	CHECK(strstr(ans, "alpha") == NULL);
	free(ans);

	/* The program leaves the table: so does the server, at its next look. */
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
	ans = ct_ask(fd, "show route count");
	CHECK_STATUS(ans, "%ok");
	CHECK(strstr(ans, "total: 0 routes for 0 destinations") != NULL);
	CHECK(strstr(ans, "ipv4 instance 0") == NULL);
	free(ans);
	rtm_rib_info ribs[8];
	UINT k = 8;
	CHECK_U(rtm_get_ribs(ribs, &k), NO_ERROR);
	for (UINT i = 0; i < k; i++)
		CHECK(!(ribs[i].instance == 0 && ribs[i].family == AF_INET)); /* nobody is left in it */

	ans = ct_ask(fd, "show status");
	CHECK_STATUS(ans, "%ok");
	CHECK(strstr(ans, "\nodd:\n %ok\n %error not really\ntext: caf\xc3\xa9 \xff\xc3(\n%ok\n") != NULL);
	free(ans);
	/* In JSON, what is not UTF-8 becomes U+FFFD: the document parses. */
	ans = ct_ask(fd, "json show status");
	CHECK_STATUS(ans, "%ok");
	CHECK(strstr(ans, "\"text\":\"caf\xc3\xa9 \\ufffd\\ufffd(\"") != NULL);
	if (ct_have_python())
		CHECK(ct_json_parses(ans));
	free(ans);
	close(fd);
	rtm_control_close(c);
}

static void test_status(void)
{
	REQUIRE(rt_register(AF_INET, PROTO_IP_BGP));
	rtm_control_options o = ct_options(ct_make_path("status"));
	rtm_control *c = NULL;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	CHECK_U(rtm_control_add_status(c, "kernel", kernel_status, (void *)"up"), NO_ERROR);
	CHECK_U(rtm_control_add_status(c, "mrt", mrt_status, NULL), NO_ERROR);
	CHECK_U(rtm_control_add_status(c, "bad name", mrt_status, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_control_add_status(c, "x", NULL, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_control_add_status(NULL, "x", mrt_status, NULL), ERROR_INVALID_PARAMETER);
	int fd = ct_connect(ct_path);
	REQUIRE(fd >= 0);
	char *ans = ct_ask(fd, "show status");
	CHECK_STATUS(ans, "%ok");
	CHECK(strstr(ans, "\nkernel:\nstate: up\nroutes installed: 42\na line without a colon\npath: a\"b\\c\n"
			  "mrt:\nfiles: 2\n%ok\n") != NULL);
	free(ans);
	ans = ct_ask(fd, "json show status");
	CHECK_STATUS(ans, "%ok");
	CHECK(strstr(ans, "\"status\":{\"kernel\":{\"state\":\"up\",\"routes installed\":\"42\","
			  "\"line 3\":\"a line without a colon\",\"path\":\"a\\\"b\\\\c\"},"
			  "\"mrt\":{\"files\":\"2\"}}}\n") != NULL);
	if (ct_have_python())
		CHECK(ct_json_parses(ans));
	else
		printf("  test_status: python3 not found: the answer is not parsed\n");
	free(ans);
	/* At most 8 providers. */
	for (int i = 2; i < 8; i++)
		CHECK_U(rtm_control_add_status(c, "more", mrt_status, NULL), NO_ERROR);
	CHECK_U(rtm_control_add_status(c, "ninth", mrt_status, NULL), ERROR_NOT_ENOUGH_MEMORY);
	ans = ct_ask(fd, "json show status");
	if (ct_have_python())
		CHECK(ct_json_parses(ans));
	free(ans);
	close(fd);
	rtm_control_close(c);
}

int main(void)
{
	RUN(test_peer_credentials);
	RUN(test_socket_mode);
	RUN(test_long_line);
	RUN(test_partial_line);
	RUN(test_garbage);
	RUN(test_stuck_client);
	RUN(test_open_and_close);
	RUN(test_get_ribs);
	RUN(test_write);
	RUN(test_env);
	RUN(test_status);
	RUN(test_program_changes);
	TEST_MAIN_END();
}
