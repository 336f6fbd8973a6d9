/*
 * bench_mrt.c — MRT files (librtmv2-mrt) on the full table: the table, added
 * to RTM through the API by a protocol with four next hops, exported as
 * TABLE_DUMP_V2 (rtm_mrt_dump), then imported into a fresh RTM instance
 * (rtm_mrt_load), in routes per second; next to `bgpdump -m FILE >/dev/null`
 * on the same file (the anchor: merely parsing it) where bgpdump is
 * installed.  Figures only.
 *
 *   bench_mrt TABLE.txt.gz
 */
#include "common.h"
#include "gateways.h"

#include <routprot.h>
#include <rtmv2.h>
#include <rtmv2/mrt.h>

#define NGW 4u

static RTM_ENTITY_HANDLE reg(int af, USHORT instance, ULONG proto)
{
	RTM_ENTITY_INFO ei;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h;
	memset(&ei, 0, sizeof(ei));
	ei.RtmInstanceId = instance;
	ei.AddressFamily = (USHORT)af;
	ei.EntityId.EntityProtocolId = proto;
	ei.EntityId.EntityInstanceId = 1;
	if (RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &h) != NO_ERROR)
		exit(2);
	return h;
}

/* The family's prefixes as routes of h, via four next hops. */
static void fill(RTM_ENTITY_HANDLE h, const struct bench_family *f)
{
	RTM_NEXTHOP_HANDLE nh[NGW];
	bench_gateways(h, f, nh, NGW);
	for (size_t i = 0; i < f->n; i++) {
		RTM_ROUTE_INFO r;
		RTM_NET_ADDRESS a;
		memset(&r, 0, sizeof(r));
		memset(&a, 0, sizeof(a));
		r.PrefInfo.Preference = 20;
		r.BelongsToViews = RTM_VIEW_MASK_UCAST;
		r.NextHopsList.NumNextHops = 1;
		r.NextHopsList.NextHops[0] = nh[i % NGW];
		a.AddressFamily = (USHORT)f->af;
		a.NumBits = f->lens[i];
		memcpy(a.AddrBits, bench_key(f, i), f->width / 8);
		DWORD fl = 0;
		if (RtmAddRouteToDest(h, NULL, &a, &r, INFINITE, NULL, 0, NULL, &fl) != NO_ERROR)
			exit(2);
	}
	RtmReleaseNextHops(h, NGW, nh);
}

int main(int argc, char **argv)
{
	char m[256];
	bench_machine(m, sizeof(m));
	printf("bench_mrt: %s\n", m);
	if (argc != 2) {
		fprintf(stderr, "usage: bench_mrt TABLE.txt.gz\n");
		return 2;
	}
	struct bench_family v4 = { "IPv4", AF_INET, 32, 0, 0, NULL, NULL };
	struct bench_family v6 = { "IPv6", AF_INET6, 128, 0, 0, NULL, NULL };
	bench_read_table("bench_mrt", argv[1], &v4, &v6);
	RTM_ENTITY_HANDLE a4 = reg(AF_INET, 0, PROTO_IP_BGP), a6 = reg(AF_INET6, 0, PROTO_IP_BGP);
	fill(a4, &v4);
	fill(a6, &v6);
	size_t routes = v4.n + v6.n;
	char path[64];
	snprintf(path, sizeof(path), "/tmp/bench_mrt.%d.mrt", (int)getpid());

	rtm_mrt_stats st;
	double t0 = bench_now();
	if (rtm_mrt_dump(path, a4, a6, NULL, &st) != NO_ERROR) {
		fprintf(stderr, "rtm_mrt_dump failed\n");
		return 2;
	}
	double t_dump = bench_now() - t0;
	printf("  export: %lu routes, %lu records in %.3f s\n", st.routes, st.records, t_dump);
	bench_result("mrt.dump", (double)st.routes / t_dump, (long)st.routes, "RTM -> TABLE_DUMP_V2 file, routes/s");

	/* A fresh instance (1) for the import. */
	RTM_ENTITY_HANDLE b4 = reg(AF_INET, 1, PROTO_IP_BGP), b6 = reg(AF_INET6, 1, PROTO_IP_BGP);
	t0 = bench_now();
	DWORD rc = rtm_mrt_load(path, b4, b6, NULL, &st);
	double t_load = bench_now() - t0;
	if (rc != NO_ERROR) {
		fprintf(stderr, "rtm_mrt_load failed: %lu\n", (unsigned long)rc);
		return 2;
	}
	printf("  import: %lu routes, %lu records, %lu skipped in %.3f s\n", st.routes, st.records, st.skipped,
	       t_load);
	bench_result("mrt.load", (double)st.routes / t_load, (long)st.routes,
		     "TABLE_DUMP_V2 file -> a fresh RTM instance, routes/s");

	char cmd[160];
	snprintf(cmd, sizeof(cmd), "bgpdump -m %s >/dev/null 2>&1", path);
	if (system("command -v bgpdump >/dev/null 2>&1") == 0) {
		t0 = bench_now();
		int r = system(cmd);
		double t_bgpdump = bench_now() - t0;
		if (r == 0) {
			bench_result("mrt.bgpdump", (double)routes / t_bgpdump, (long)routes,
				     "bgpdump -m FILE >/dev/null (parsing and printing), routes/s");
			printf("  import / bgpdump %.2f\n", t_bgpdump / t_load);
		}
	} else {
		printf("  bgpdump not measured: it is not installed (apt-get install bgpdump)\n");
	}
	unlink(path);
	printf("target: import >= 1 M routes/s and faster than bgpdump; export >= 2 M routes/s\n");
	return 0;
}
