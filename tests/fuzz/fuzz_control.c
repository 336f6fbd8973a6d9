/*
 * fuzz_control.c — a libFuzzer target for the control socket's request
 * parser (src/ctl/): the input, split at newlines as the server splits what
 * a client sends (a CR before the newline dropped, at most 4,095 bytes a
 * line), goes line by line to ctl_request, the function each connection's
 * thread calls.  The setup, once: a small table (IPv4 and IPv6 routes of a
 * named entity and an unnamed one) and a control socket with writing on, so
 * add route and delete route run too.  Answers go to a socket pair whose
 * other end is drained after each line.  Nothing may crash, leak, or read
 * outside a line.  Built and run for a bounded time by `make fuzz-control`
 * (clang, -fsanitize=fuzzer,address,undefined); CI runs it.
 */
#include "ctl.h"

#include <routprot.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static rtm_control *ctl;
static int answer[2]; /* [0]: the server's end, [1]: drained */
static struct rtm_control_out out;
static char path[108];

static RTM_ENTITY_HANDLE entity(USHORT family, ULONG protocol)
{
	RTM_ENTITY_INFO ei;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h = NULL;
	memset(&ei, 0, sizeof(ei));
	ei.AddressFamily = family;
	ei.EntityId.EntityProtocolId = protocol;
	ei.EntityId.EntityInstanceId = 1;
	if (RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &h) != NO_ERROR)
		abort();
	return h;
}

static void route(RTM_ENTITY_HANDLE e, USHORT family, const char *dest, unsigned len, const char *nh,
		  ULONG metric, RTM_VIEW_SET views)
{
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress.AddressFamily = family;
	ni.NextHopAddress.NumBits = family == AF_INET ? 32 : 128;
	inet_pton(family, nh, ni.NextHopAddress.AddrBits);
	RTM_NEXTHOP_HANDLE h = NULL;
	RTM_NEXTHOP_CHANGE_FLAGS nf = 0;
	if (RtmAddNextHop(e, &ni, &h, &nf) != NO_ERROR)
		abort();
	union {
		RTM_ROUTE_INFO r;
		char room[RTM_SIZE_OF_ROUTE_INFO(1)];
	} ri;
	memset(&ri, 0, sizeof(ri));
	ri.r.PrefInfo.Preference = 170;
	ri.r.PrefInfo.Metric = metric;
	ri.r.BelongsToViews = views;
	ri.r.NextHopsList.NumNextHops = 1;
	ri.r.NextHopsList.NextHops[0] = h;
	RTM_NET_ADDRESS a;
	memset(&a, 0, sizeof(a));
	a.AddressFamily = family;
	a.NumBits = (USHORT)len;
	inet_pton(family, dest, a.AddrBits);
	RTM_ROUTE_CHANGE_FLAGS rf = 0;
	if (RtmAddRouteToDest(e, NULL, &a, &ri.r, INFINITE, NULL, 0, NULL, &rf) != NO_ERROR)
		abort();
	RtmReleaseNextHops(e, 1, &h);
}

static void drain(void)
{
	char sink[65536];
	while (read(answer[1], sink, sizeof(sink)) > 0)
		;
}

static void teardown(void)
{
	rtm_control_close(ctl);
}

static void setup(void)
{
	RTM_ENTITY_HANDLE bgp = entity(AF_INET, PROTO_IP_BGP), ospf = entity(AF_INET, PROTO_IP_OSPF),
			  bgp6 = entity(AF_INET6, PROTO_IP_BGP);
	char a[32];
	for (unsigned i = 0; i < 64; i++) {
		snprintf(a, sizeof(a), "10.0.%u.0", i);
		route(bgp, AF_INET, a, 24, "192.0.2.1", i, i % 3 ? RTM_VIEW_MASK_UCAST : RTM_VIEW_MASK_ANY);
		if (i % 4 == 0)
			route(ospf, AF_INET, a, 24, "192.0.2.2", 1, RTM_VIEW_MASK_UCAST);
	}
	route(bgp, AF_INET, "10.0.0.0", 8, "192.0.2.1", 0, RTM_VIEW_MASK_UCAST);
	route(bgp6, AF_INET6, "2001:db8::", 32, "2001:db8::1", 0, RTM_VIEW_MASK_UCAST);
	snprintf(path, sizeof(path), "/tmp/rtmv2-fuzz-control-%ld.sock", (long)getpid());
	rtm_control_options o;
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.flags = RTM_CONTROL_WRITE;
	o.uid = (uid_t)-1;
	o.gid = (gid_t)-1;
	if (rtm_control_open(&o, &ctl) != NO_ERROR)
		abort();
	rtm_control_name_entity(ctl, "bgp", bgp);
	rtm_control_name_entity(ctl, "bgp", bgp6);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, answer) != 0 || fcntl(answer[1], F_SETFL, O_NONBLOCK) != 0)
		abort();
	/* Room for a whole answer even when added routes grow the table (the
	 * other end is drained only between lines). */
	int room = 4 << 20;
	setsockopt(answer[0], SOL_SOCKET, SO_SNDBUF, &room, sizeof(room));
	setsockopt(answer[1], SOL_SOCKET, SO_RCVBUF, &room, sizeof(room));
	atexit(teardown);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ctl)
		setup();
	char line[CTL_MAX_LINE + 1];
	while (size) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t n = nl ? (size_t)(nl - data) : size;
		if (n < CTL_MAX_LINE) { /* longer ones never reach ctl_request */
			memcpy(line, data, n);
			line[n] = 0;
			if (n && line[n - 1] == '\r')
				line[n - 1] = 0;
			if (!memchr(line, 0, n)) { /* nor do lines with a NUL */
				ctl_out_init(&out, answer[0], 100);
				ctl_request(ctl, &out, line);
				ctl_out_flush(&out);
				drain();
			}
		}
		size -= nl ? n + 1 : n;
		data += nl ? n + 1 : n;
	}
	return 0;
}
