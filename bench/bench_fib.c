/*
 * bench_fib.c — the kernel FIB agent (librtmv2-fib) against the kernel
 * itself: the full table (both families) from RTM into a kernel table, in
 * routes per second, next to raw batched rtnetlink in the same namespace
 * (the limit: the same requests with nothing around them), and the time a
 * change of 1,000 best routes takes to reach the kernel.
 *
 *   bench_fib TABLE.txt.gz
 *
 * Runs as root in a private network namespace of its own (veth pair,
 * gateways 192.0.2.2-5 and 2001:db8::2-5); elsewhere it says why it skips.
 * Where Debian's bird2 is installed, BIRD 2's kernel protocol is measured in
 * the same namespace too: the full table as static routes, exported into
 * another kernel table once BIRD holds them all (the time from enabling its
 * kernel protocol to the kernel's announcement of the last route).
 * Figures only.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <routprot.h>
#include <rtmv2.h>
#include <rtmv2/fib.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#define RAW_TABLE 200u
#define BIRD_TABLE 300u
#define FIB_TABLE 100u
#define NGW 4u
#define CHANGES 1000u

static unsigned ifx;

static int sh(const char *cmd)
{
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void gateway(int af, unsigned i, uint8_t *out)
{
	memset(out, 0, 16);
	if (af == AF_INET)
		out[0] = 192, out[1] = 0, out[2] = 2, out[3] = (uint8_t)(2 + i);
	else
		out[0] = 0x20, out[1] = 0x01, out[2] = 0x0d, out[3] = 0xb8, out[15] = (uint8_t)(2 + i);
}

/* The limit: every prefix into RAW_TABLE with batched RTM_NEWROUTE, each
 * acknowledged; routes per second. */
static double raw_netlink(const struct bench_family *f)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("mnl_socket");
		exit(2);
	}
	int one = 1, size = 4 << 20;
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	static char buf[256 << 10], rbuf[64 << 10];
	unsigned alen = f->width / 8, failed = 0;
	uint32_t seq = 1;
	double t0 = bench_now();
	for (size_t i = 0; i < f->n;) {
		size_t len = 0, n = 0;
		memset(buf, 0, sizeof(buf));
		for (; i < f->n && len < sizeof(buf) - 512 && n < 2048; i++, n++) {
			struct nlmsghdr *h = mnl_nlmsg_put_header(buf + len);
			h->nlmsg_type = RTM_NEWROUTE;
			h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
			h->nlmsg_seq = seq++;
			struct rtmsg *r = mnl_nlmsg_put_extra_header(h, sizeof(*r));
			r->rtm_family = (unsigned char)f->af;
			r->rtm_dst_len = f->lens[i];
			r->rtm_table = RAW_TABLE;
			r->rtm_protocol = RTPROT_STATIC;
			r->rtm_scope = RT_SCOPE_UNIVERSE;
			r->rtm_type = RTN_UNICAST;
			if (f->lens[i])
				mnl_attr_put(h, RTA_DST, alen, bench_key(f, i));
			uint8_t gw[16];
			gateway(f->af, (unsigned)(i % NGW), gw);
			mnl_attr_put(h, RTA_GATEWAY, alen, gw);
			mnl_attr_put_u32(h, RTA_OIF, ifx);
			len += h->nlmsg_len;
		}
		if (mnl_socket_sendto(nl, buf, len) < 0) {
			perror("sendto");
			exit(2);
		}
		for (size_t got = 0; got < n;) {
			ssize_t r = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
			if (r < 0) {
				perror("recvfrom");
				exit(2);
			}
			int left = (int)r;
			for (const struct nlmsghdr *h = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(h, left);
			     h = mnl_nlmsg_next(h, &left))
				if (h->nlmsg_type == NLMSG_ERROR) {
					const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
					failed += e->error != 0;
					got++;
				}
		}
	}
	double t = bench_now() - t0;
	mnl_socket_close(nl);
	if (failed)
		printf("  raw netlink %s: %u of %zu refused\n", f->name, failed, f->n);
	return (double)f->n / t;
}

/* ---- BIRD 2's kernel protocol ------------------------------------------------------ */

/* The number of routes BIRD's master table holds ("N of M routes for K
 * networks"), or -1 if birdc does not answer. */
static long bird_routes(const char *sock, int af)
{
	char cmd[256], line[512];
	snprintf(cmd, sizeof(cmd), "birdc -s %s show route count table %s 2>/dev/null", sock,
		 af == AF_INET ? "master4" : "master6");
	FILE *p = popen(cmd, "r");
	long n = -1;
	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		long a, b;
		if (sscanf(line, "%ld of %ld routes", &a, &b) == 2)
			n = a;
	}
	pclose(p);
	return n;
}

/* Counts the kernel's announcements of new routes in BIRD_TABLE until want
 * have come, or none for 10 s: the time of the last one, and *got. */
static double count_announced(struct mnl_socket *mon, long want, long *got)
{
	static char buf[256 << 10];
	double last = bench_now();
	*got = 0;
	while (*got < want) {
		struct pollfd pf = { mnl_socket_get_fd(mon), POLLIN, 0 };
		if (poll(&pf, 1, 10000) <= 0)
			break;
		ssize_t r = recv(pf.fd, buf, sizeof(buf), 0);
		if (r < 0) {
			if (errno == ENOBUFS)
				fprintf(stderr, "  BIRD: announcements overran the counter's socket\n");
			break;
		}
		int left = (int)r;
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(h, left);
		     h = mnl_nlmsg_next(h, &left)) {
			if (h->nlmsg_type != RTM_NEWROUTE)
				continue;
			const struct rtmsg *rm = mnl_nlmsg_get_payload(h);
			unsigned table = rm->rtm_table;
			const struct nlattr *a;
			mnl_attr_for_each(a, h, sizeof(*rm))
				if (mnl_attr_get_type(a) == RTA_TABLE)
					table = mnl_attr_get_u32(a);
			if (table == BIRD_TABLE) {
				(*got)++;
				last = bench_now();
			}
		}
	}
	return last;
}

/* BIRD 2 exporting the whole family into BIRD_TABLE: routes/s, or -1 where
 * it cannot be run. */
static double bird_rate(const struct bench_family *f)
{
	if (sh("command -v bird >/dev/null 2>&1 && command -v birdc >/dev/null 2>&1") != 0) {
		printf("  %s: BIRD 2 not measured: bird2 is not installed (apt-get install bird2)\n", f->name);
		return -1;
	}
	char dir[] = "/tmp/bench_fib_bird.XXXXXX";
	if (!mkdtemp(dir))
		return -1;
	char conf[128], sock[128], cmd[512];
	snprintf(conf, sizeof(conf), "%s/bird.conf", dir);
	snprintf(sock, sizeof(sock), "%s/bird.ctl", dir);
	FILE *c = fopen(conf, "w");
	if (!c)
		return -1;
	const char *ch = f->af == AF_INET ? "ipv4" : "ipv6";
	fprintf(c, "router id 192.0.2.1;\nlog stderr { error, fatal };\nprotocol device { }\n"
		   "protocol static bench_static { %s;\n", ch);
	char gw[INET6_ADDRSTRLEN];
	uint8_t g[16];
	gateway(f->af, 0, g);
	inet_ntop(f->af, g, gw, sizeof(gw));
	for (size_t i = 0; i < f->n; i++) {
		char a[INET6_ADDRSTRLEN];
		uint8_t k[16] = { 0 };
		memcpy(k, bench_key(f, i), f->width / 8);
		inet_ntop(f->af, k, a, sizeof(a));
		fprintf(c, "route %s/%u via %s;\n", a, f->lens[i], gw);
	}
	fprintf(c, "};\nprotocol kernel bench_kernel { %s { import none; export all; }; kernel table %u; disabled; }\n", ch,
		BIRD_TABLE);
	fclose(c);
	char log[128];
	snprintf(log, sizeof(log), "%s/bird.log", dir);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0)
			dup2(fd, 2);
		execlp("bird", "bird", "-f", "-c", conf, "-s", sock, (char *)NULL);
		_exit(127);
	}
	double rate = -1;
	long held = -1;
	/* BIRD reads the configuration and takes the static routes in. */
	for (unsigned i = 0; i < 1200; i++) {
		struct timespec ts = { 0, 250 * 1000000L };
		nanosleep(&ts, NULL);
		if (waitpid(pid, NULL, WNOHANG) == pid) {
			pid = -1;
			break;
		}
		long n = bird_routes(sock, f->af);
		if (n > 0 && n == held)
			break; /* steady */
		held = n;
	}
	if (pid > 0 && held > 0) {
		struct mnl_socket *mon = mnl_socket_open(NETLINK_ROUTE);
		int group = f->af == AF_INET ? RTNLGRP_IPV4_ROUTE : RTNLGRP_IPV6_ROUTE, size = 256 << 20;
		if (mon && mnl_socket_bind(mon, 0, MNL_SOCKET_AUTOPID) == 0 &&
		    mnl_socket_setsockopt(mon, NETLINK_ADD_MEMBERSHIP, &group, sizeof(group)) == 0) {
			setsockopt(mnl_socket_get_fd(mon), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
			snprintf(cmd, sizeof(cmd), "birdc -s %s enable bench_kernel >/dev/null", sock);
			double t0 = bench_now();
			if (sh(cmd) == 0) {
				long got;
				double last = count_announced(mon, held, &got);
				if (got == held)
					rate = (double)got / (last - t0);
				else
					printf("  %s: BIRD 2: %ld of %ld routes reached the kernel\n", f->name, got, held);
			}
		}
		if (mon)
			mnl_socket_close(mon);
	} else {
		printf("  %s: BIRD 2 did not start (or took no route); its log:\n", f->name);
		snprintf(cmd, sizeof(cmd), "head -5 %s", log);
		(void)sh(cmd);
	}
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "ip %s route flush table %u 2>/dev/null; rm -rf %s", f->af == AF_INET ? "-4" : "-6",
		 BIRD_TABLE, dir);
	(void)sh(cmd);
	return rate;
}

static RTM_ENTITY_HANDLE proto(int af, RTM_NEXTHOP_HANDLE *nh)
{
	RTM_ENTITY_INFO ei;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h;
	memset(&ei, 0, sizeof(ei));
	ei.AddressFamily = (USHORT)af;
	ei.EntityId.EntityProtocolId = PROTO_IP_BGP;
	ei.EntityId.EntityInstanceId = 1;
	if (RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &h) != NO_ERROR)
		exit(2);
	for (unsigned i = 0; i < NGW; i++) {
		RTM_NEXTHOP_INFO ni;
		DWORD fl;
		memset(&ni, 0, sizeof(ni));
		ni.NextHopAddress.AddressFamily = (USHORT)af;
		ni.NextHopAddress.NumBits = af == AF_INET ? 32 : 128;
		gateway(af, i, ni.NextHopAddress.AddrBits);
		ni.InterfaceIndex = ifx;
		nh[i] = NULL;
		if (RtmAddNextHop(h, &ni, &nh[i], &fl) != NO_ERROR)
			exit(2);
	}
	return h;
}

static void add(RTM_ENTITY_HANDLE h, const struct bench_family *f, size_t i, RTM_NEXTHOP_HANDLE nh,
		ULONG metric)
{
	RTM_ROUTE_INFO r;
	RTM_NET_ADDRESS a;
	memset(&r, 0, sizeof(r));
	memset(&a, 0, sizeof(a));
	r.PrefInfo.Preference = 20;
	r.PrefInfo.Metric = metric;
	r.BelongsToViews = RTM_VIEW_MASK_UCAST;
	r.NextHopsList.NumNextHops = 1;
	r.NextHopsList.NextHops[0] = nh;
	a.AddressFamily = (USHORT)f->af;
	a.NumBits = f->lens[i];
	memcpy(a.AddrBits, bench_key(f, i), f->width / 8);
	RTM_ROUTE_HANDLE rh = NULL;
	DWORD fl = 0;
	if (RtmAddRouteToDest(h, &rh, &a, &r, INFINITE, NULL, 0, NULL, &fl) != NO_ERROR)
		exit(2);
	if (rh)
		RtmReleaseRoutes(h, 1, &rh);
}

static void run_family(const struct bench_family *f, const char *key)
{
	char cmd[128], k[16];
	double raw = raw_netlink(f);
	snprintf(cmd, sizeof(cmd), "ip %s route flush table %u", f->af == AF_INET ? "-4" : "-6", RAW_TABLE);
	(void)sh(cmd);
	double bird = bird_rate(f);

	RTM_NEXTHOP_HANDLE nh[NGW];
	RTM_ENTITY_HANDLE h = proto(f->af, nh);
	for (size_t i = 0; i < f->n; i++)
		add(h, f, i, nh[i % NGW], 1);
	rtm_fib_options o = { .family = (USHORT)f->af, .table = FIB_TABLE };
	rtm_fib_agent *agent;
	rtm_fib_stats st;
	double t0 = bench_now();
	if (rtm_fib_start(&o, &agent, &st) != NO_ERROR) {
		fprintf(stderr, "rtm_fib_start failed\n");
		exit(2);
	}
	double sync = bench_now() - t0;
	printf("  %s: initial sync %.3f s: %lu installed, %lu failed\n", f->name, sync, st.installed, st.failed);
	snprintf(k, sizeof(k), "%s.raw", key);
	bench_result(k, raw, (long)f->n, "raw batched rtnetlink, routes/s (the limit)");
	snprintf(k, sizeof(k), "%s.agent", key);
	bench_result(k, (double)st.installed / sync, (long)st.installed,
		     "RTM -> kernel by the FIB agent's initial sync, routes/s");
	printf("  %s: agent / raw netlink %.2f\n", f->name, (double)st.installed / sync / raw);
	if (bird > 0) {
		snprintf(k, sizeof(k), "%s.bird", key);
		bench_result(k, bird, (long)f->n, "BIRD 2's kernel protocol exporting the table, routes/s");
		printf("  %s: agent / BIRD 2 %.2f\n", f->name, (double)st.installed / sync / bird);
	}

	/* 1,000 best routes change (a new metric and next hop) in RTM; the time
	 * from the last change to the kernel holding all of them. */
	for (size_t i = 0; i < CHANGES && i < f->n; i++)
		add(h, f, i * (f->n / CHANGES), nh[(i + 1) % NGW], 2);
	double t1 = bench_now();
	if (rtm_fib_wait_idle(agent, 60000) != NO_ERROR)
		fprintf(stderr, "wait_idle timed out\n");
	printf("  %s: %u best routes changed: in the kernel %.1f ms after the last change\n", f->name,
	       CHANGES, (bench_now() - t1) * 1e3);
	rtm_fib_stop(agent);
	RtmDeregisterEntity(h);
}

int main(int argc, char **argv)
{
	char m[256];
	bench_machine(m, sizeof(m));
	printf("bench_fib: %s\n", m);
	if (argc != 2) {
		fprintf(stderr, "usage: bench_fib TABLE.txt.gz\n");
		return 2;
	}
	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0 ||
	    sh("ip link set lo up && ip link add veth0 type veth peer name veth1 && ip link set veth0 up && "
	       "ip link set veth1 up && ip addr add 192.0.2.1/24 dev veth0 && "
	       "ip -6 addr add 2001:db8::1/64 dev veth0 nodad") != 0) {
		printf("bench_fib: skipped: needs root and iproute2 (a private network namespace)\n");
		return 0;
	}
	ifx = if_nametoindex("veth0");
	struct bench_family v4 = { "IPv4", AF_INET, 32, 0, 0, NULL, NULL };
	struct bench_family v6 = { "IPv6", AF_INET6, 128, 0, 0, NULL, NULL };
	bench_read_table("bench_fib", argv[1], &v4, &v6);
	run_family(&v4, "fib4");
	run_family(&v6, "fib6");
	printf("target: >= 250 k IPv4 routes/s (>= 2.5x BIRD 2), >= 0.7x raw netlink; 1,000 changes in the "
	       "kernel within 50 ms\n");
	return 0;
}
