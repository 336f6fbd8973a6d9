/*
 * test_mrt_others.c — dumps rtmv2 did not write: the older TABLE_DUMP (2-byte
 * AS numbers, AS4_PATH and AS4_AGGREGATOR beside them) imported and written
 * back as TABLE_DUMP_V2 with its path whole; and a TABLE_DUMP_V2 dump written
 * by BIRD 2 (Debian's bird2), whose BGP session to a second BIRD carries
 * static routes with a prepended path, a community and a MED: loaded, then
 * written back, and `bgpdump -m` of BIRD's file and of rtmv2's lists the same
 * routes.  BIRD runs in a network namespace of its own (root, unshare);
 * where bird, birdc or the namespace is missing that test says so and passes.
 */
#define TL_TIMEOUT_S 120
#include "mrtbuild.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* A TABLE_DUMP record of prefix/len from peer (AS peer_as) with attrs. */
static void table_dump(struct buf *f, const char *prefix, unsigned len, const char *peer, unsigned peer_as,
		       const struct buf *a)
{
	struct buf r = { .n = 0 };
	uint8_t p[4], pa[4];
	ip4(p, prefix);
	ip4(pa, peer);
	b16(&r, 0), b16(&r, 1), bytes_in(&r, p, 4), b8(&r, len), b8(&r, 1);
	b32(&r, 1690000000u), bytes_in(&r, pa, 4), b16(&r, peer_as);
	b16(&r, (unsigned)a->n), bytes_in(&r, a->b, a->n);
	record(f, MRTB_TABLE_DUMP, 1, &r);
}

/* TABLE_DUMP in, TABLE_DUMP_V2 out: the 2-byte path widened, a 2-byte
 * speaker's AS4_PATH and AS4_AGGREGATOR merged (the route's attributes are
 * TABLE_DUMP_V2's already), so bgpdump reads the same path and aggregator
 * from both files. */
static void test_table_dump_written_back(void)
{
	RTM_ENTITY_HANDLE v4 = bgp(AF_INET, 40), v6 = bgp(AF_INET6, 40);
	REQUIRE(v4 && v6);
	static struct buf f, a;
	f.n = 0;
	/* 10.20.0.0/16 from 203.0.113.1 AS 65001: [65001 23456] + AS4_PATH
	 * [4200000001], AGGREGATOR AS_TRANS + AS4_AGGREGATOR 4200000009. */
	a.n = 0;
	b8(&a, 0x40), b8(&a, 1), b8(&a, 1), b8(&a, 0);
	b8(&a, 0x40), b8(&a, 2), b8(&a, 6), b8(&a, 2), b8(&a, 2), b16(&a, 65001), b16(&a, 23456);
	b8(&a, 0x40), b8(&a, 3), b8(&a, 4), b32(&a, 0xcb007101);
	b8(&a, 0xc0), b8(&a, 7), b8(&a, 6), b16(&a, 23456), b32(&a, 0x0a000009);
	b8(&a, 0xc0), b8(&a, 17), b8(&a, 6), b8(&a, 2), b8(&a, 1), b32(&a, 4200000001u);
	b8(&a, 0xc0), b8(&a, 18), b8(&a, 8), b32(&a, 4200000009u), b32(&a, 0x0a000009);
	table_dump(&f, "10.20.0.0", 16, "203.0.113.1", 65001, &a);
	/* 10.21.0.0/24 from 203.0.113.2 AS 65002: a plain 2-byte path of three. */
	a.n = 0;
	b8(&a, 0x40), b8(&a, 1), b8(&a, 1), b8(&a, 0);
	b8(&a, 0x40), b8(&a, 2), b8(&a, 8), b8(&a, 2), b8(&a, 3), b16(&a, 65002), b16(&a, 174), b16(&a, 3356);
	b8(&a, 0x40), b8(&a, 3), b8(&a, 4), b32(&a, 0xcb007102);
	table_dump(&f, "10.21.0.0", 24, "203.0.113.2", 65002, &a);

	char src[64], out[64];
	snprintf(src, sizeof(src), "/tmp/test_mrt_others.%d.td", (int)getpid());
	snprintf(out, sizeof(out), "/tmp/test_mrt_others.%d.out", (int)getpid());
	write_file(src, f.b, f.n);
	rtm_mrt_stats st;
	CHECK_U(rtm_mrt_load(src, v4, v6, NULL, &st), NO_ERROR);
	CHECK_U(st.routes, 2);
	CHECK_U(st.skipped, 0);

	struct route_seen s = best(v4, AF_INET, "10.20.0.0", 16);
	CHECK_U(s.n_routes, 1);
	CHECK_U(s.metric, 2);
	CHECK(strcmp(s.neighbour, "203.0.113.1") == 0);
	/* The attributes kept: ORIGIN, the 4-byte AS_PATH [65001 4200000001],
	 * NEXT_HOP, AGGREGATOR 4200000009; no AS4_PATH, no AS4_AGGREGATOR. */
	static const uint8_t want[] = { 0x40, 1, 1, 0, 0x40, 2, 10, 2, 2, 0, 0, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x01,
					0x40, 3, 4, 203, 0, 113, 1, 0xc0, 7, 8, 0xfa, 0x56, 0xea, 0x09, 10, 0, 0, 9 };
	CHECK_U(s.attrs_len, sizeof(want));
	CHECK(s.attrs && s.attrs_len == sizeof(want) && memcmp(s.attrs, want, sizeof(want)) == 0);
	s = best(v4, AF_INET, "10.21.0.0", 24);
	CHECK_U(s.metric, 3);
	CHECK(strcmp(s.nexthop, "203.0.113.2") == 0);

	CHECK_U(rtm_mrt_dump(out, v4, v6, NULL, &st), NO_ERROR);
	CHECK_U(st.routes, 2);
	static char t[4096];
	if (bgpdump_lines(out, t, sizeof(t))) {
		CHECK(strstr(t, "TABLE_DUMP2|T|B|203.0.113.1|65001|10.20.0.0/16|65001 4200000001|IGP|203.0.113.1|0|0||NAG|"
				"4200000009 10.0.0.9|") != NULL);
		CHECK(strstr(t, "TABLE_DUMP2|T|B|203.0.113.2|65002|10.21.0.0/24|65002 174 3356|IGP|203.0.113.2|0|0||NAG||") !=
		      NULL);
	}
	unlink(src);
	unlink(out);
	CHECK_U(RtmDeregisterEntity(v4), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(v6), NO_ERROR);
}

static bool have(const char *tool)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	write_file(path, text, strlen(text));
}

/* BIRD A (AS 65001) announces two IPv4 and one IPv6 static route over BGP to
 * BIRD B (AS 65002), which writes its tables as TABLE_DUMP_V2 ("mrt dump"). */
static bool bird_dump(const char *dir)
{
	char text[2048];
	snprintf(text, sizeof(text),
		 "router id 192.0.2.1;\n"
		 "ipv4 table t4;\nipv6 table t6;\n"
		 "protocol device {}\n"
		 "protocol static s4 { ipv4 { table t4; }; route 10.1.0.0/16 blackhole; route 10.2.0.0/24 blackhole; }\n"
		 "protocol static s6 { ipv6 { table t6; }; route 2001:db8:1::/48 blackhole; }\n"
		 "filter announce { bgp_path.prepend(64512); bgp_community.add((65001, 7)); bgp_med = 33; accept; }\n"
		 "protocol bgp p {\n"
		 "  local 127.0.0.1 port 1790 as 65001; multihop;\n"
		 "  neighbor 127.0.0.2 port 1791 as 65002;\n"
		 "  ipv4 { table t4; import none; export filter announce; next hop self; };\n"
		 "  ipv6 { table t6; import none; export filter announce; next hop address 2001:db8::1; };\n"
		 "}\n");
	put(dir, "a.conf", text);
	snprintf(text, sizeof(text),
		 "router id 192.0.2.2;\n"
		 "ipv4 table t4;\nipv6 table t6;\n"
		 "protocol device {}\n"
		 "protocol bgp p {\n"
		 "  local 127.0.0.2 port 1791 as 65002; multihop;\n"
		 "  neighbor 127.0.0.1 port 1790 as 65001;\n"
		 "  ipv4 { table t4; import all; export none; gateway recursive; igp table t4; };\n"
		 "  ipv6 { table t6; import all; export none; gateway recursive; igp table t6; };\n"
		 "}\n");
	put(dir, "b.conf", text);
	/* Both BIRDs in one namespace; B's dump once it holds the three routes
	 * (BGP's connect delay: a few seconds), then both stopped. */
	snprintf(text, sizeof(text),
		 "cd %s || exit 1\n"
		 "ip link set lo up && ip addr add 127.0.0.2/8 dev lo || exit 1\n"
		 "bird -c a.conf -s a.sock -P a.pid && bird -c b.conf -s b.sock -P b.pid || exit 1\n"
		 "for i in $(seq 120); do\n"
		 "  birdc -s b.sock show route table all count | grep -q '^Total: 3 of 3 routes' && break\n"
		 "  sleep 0.5\n"
		 "done\n"
		 "birdc -s b.sock 'mrt dump table \"t*\" to \"%s/bird.mrt\"' >/dev/null\n"
		 "birdc -s b.sock down >/dev/null; birdc -s a.sock down >/dev/null\n"
		 "test -s bird.mrt\n",
		 dir, dir);
	put(dir, "run.sh", text);
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "timeout 90 unshare -n sh %s/run.sh >%s/run.log 2>&1", dir, dir);
	return system(cmd) == 0;
}

static void test_bird_dump(void)
{
	if (geteuid() != 0 || !have("bird") || !have("birdc") || !have("unshare")) {
		printf("  (bird, birdc, unshare or root missing: BIRD's dump not made)\n");
		return;
	}
	char dir[64] = "/tmp/test_mrt_others.XXXXXX";
	REQUIRE(mkdtemp(dir));
	if (!bird_dump(dir)) {
		char cmd[160];
		snprintf(cmd, sizeof(cmd), "cat %s/run.log >&2", dir);
		(void)system(cmd);
		CHECK(!"BIRD wrote no dump");
		return;
	}
	RTM_ENTITY_HANDLE v4 = bgp(AF_INET, 41), v6 = bgp(AF_INET6, 41);
	REQUIRE(v4 && v6);
	char src[128], out[128];
	snprintf(src, sizeof(src), "%s/bird.mrt", dir);
	snprintf(out, sizeof(out), "%s/back.mrt", dir);
	rtm_mrt_stats st;
	CHECK_U(rtm_mrt_load(src, v4, v6, NULL, &st), NO_ERROR);
	CHECK_U(st.routes, 3);
	CHECK_U(st.skipped, 0);
	CHECK_U(st.refused, 0);
	/* The peer's path: A's AS in front of the prepended one. */
	struct route_seen s = best(v4, AF_INET, "10.1.0.0", 16);
	CHECK_U(s.n_routes, 1);
	CHECK_U(s.metric, 2);
	CHECK(strcmp(s.neighbour, "127.0.0.1") == 0);
	CHECK(strcmp(s.nexthop, "127.0.0.1") == 0);
	CHECK(s.attrs != NULL);
	s = best(v4, AF_INET, "10.2.0.0", 24);
	CHECK_U(s.metric, 2);
	s = best(v6, AF_INET6, "2001:db8:1::", 48);
	CHECK_U(s.n_routes, 1);
	CHECK_U(s.metric, 2);
	CHECK(strcmp(s.neighbour, "::ffff:127.0.0.1") == 0);
	CHECK(strcmp(s.nexthop, "2001:db8::1") == 0);

	CHECK_U(rtm_mrt_dump(out, v4, v6, NULL, &st), NO_ERROR);
	CHECK_U(st.routes, 3);
	static char x[8192], y[8192];
	if (bgpdump_lines(src, x, sizeof(x)) && bgpdump_lines(out, y, sizeof(y))) {
		CHECK(strcmp(x, y) == 0);
		CHECK(strstr(y, "|127.0.0.1|65001|10.1.0.0/16|65001 64512|IGP|127.0.0.1|100|33|65001:7|NAG||") != NULL);
		CHECK(strstr(y, "|127.0.0.1|65001|2001:db8:1::/48|65001 64512|IGP|2001:db8::1|100|33|65001:7|NAG||") !=
		      NULL);
	}
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)system(cmd);
	CHECK_U(RtmDeregisterEntity(v4), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(v6), NO_ERROR);
}

int main(void)
{
	RUN(test_table_dump_written_back);
	RUN(test_bird_dump);
	TEST_MAIN_END();
}
