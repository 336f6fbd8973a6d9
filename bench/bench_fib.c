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
 * BIRD's kernel protocol is not run here (bird2 is not a build dependency);
 * bench/README.md has its figure from the issue.  Figures only.
 */
#include "common.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <routprot.h>
#include <rtmv2.h>
#include <rtmv2/fib.h>
#include <sched.h>

#define RAW_TABLE 200u
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
	printf("target: >= 250 k IPv4 routes/s, >= 0.7x raw netlink; 1,000 changes in the kernel within 50 ms\n");
	return 0;
}
