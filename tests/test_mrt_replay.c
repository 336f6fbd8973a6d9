/*
 * test_mrt_replay.c — rtm_mrt_replay (<rtmv2/mrt.h>): a BGP4MP stream made
 * by hand replayed into RTM, in order: announcements add or replace the
 * peer's route (IPv4 NLRI, MP_REACH_NLRI IPv6; 4- and 2-byte AS paths),
 * withdrawals delete it (withdrawn routes, MP_UNREACH_NLRI), state changes
 * are counted, other messages and records pass, a malformed UPDATE is
 * skipped with its reason; the result exported and read by bgpdump; the
 * realtime pace; bad arguments.
 */
#include "mrtbuild.h"

#include <routprot.h>
#include <rtmv2.h>
#include <rtmv2/mrt.h>

/* ORIGIN, a 4- or 2-byte AS_PATH, NEXT_HOP (when nh). */
static void path_attrs(struct buf *a, bool as4, const uint32_t *as, unsigned n, const char *nh)
{
	a->n = 0;
	b8(a, 0x40), b8(a, MRTB_ORIGIN), b8(a, 1), b8(a, 0);
	b8(a, 0x40), b8(a, MRTB_AS_PATH), b8(a, 2 + (as4 ? 4 : 2) * n), b8(a, 2), b8(a, n);
	for (unsigned i = 0; i < n; i++) {
		if (as4)
			b32(a, as[i]);
		else
			b16(a, as[i]);
	}
	if (nh) {
		uint8_t g[4];
		ip4(g, nh);
		b8(a, 0x40), b8(a, MRTB_NEXT_HOP), b8(a, 4), bytes_in(a, g, 4);
	}
}

/* The stream: see the checks below for what each record does. */
static void make_stream(struct buf *f, uint32_t ts_step)
{
	struct buf w = { .n = 0 }, a = { .n = 0 }, n = { .n = 0 }, m = { .n = 0 };
	uint32_t ts = 1700000000u;
	f->n = 0;
	/* 1. A state change: Established (6). */
	m.n = 0, b16(&m, 2), b16(&m, 6);
	bgp4mp(f, ts, 5, "192.0.2.1", 64500, 0, &m);
	ts += ts_step;
	/* 2. 192.0.2.1 announces 10.1.0.0/16 and 10.2.0.0/16. */
	path_attrs(&a, true, (const uint32_t[]){ 64500, 3356 }, 2, "192.0.2.1");
	nlri(&n, "10.1.0.0", 16), nlri(&n, "10.2.0.0", 16);
	update(&m, &w, &a, &n);
	bgp4mp(f, ts, 4, "192.0.2.1", 64500, 2, &m);
	/* 3. 192.0.2.2 announces 10.1.0.0/16, a shorter path. */
	n.n = 0;
	path_attrs(&a, true, (const uint32_t[]){ 64501 }, 1, "192.0.2.2");
	nlri(&n, "10.1.0.0", 16);
	update(&m, &w, &a, &n);
	bgp4mp(f, ts, 4, "192.0.2.2", 64501, 2, &m);
	/* 4. 192.0.2.1 withdraws 10.2.0.0/16 and replaces 10.1.0.0/16. */
	w.n = 0, n.n = 0;
	nlri(&w, "10.2.0.0", 16);
	path_attrs(&a, true, (const uint32_t[]){ 64500, 174, 3356 }, 3, "192.0.2.1");
	nlri(&n, "10.1.0.0", 16);
	update(&m, &w, &a, &n);
	bgp4mp(f, ts, 4, "192.0.2.1", 64500, 2, &m);
	/* 5. 192.0.2.1 announces two IPv6 prefixes in MP_REACH_NLRI. */
	w.n = 0, n.n = 0;
	path_attrs(&a, true, (const uint32_t[]){ 64500 }, 1, NULL);
	struct buf mp = { .n = 0 };
	uint8_t g[16];
	ip6(g, "2001:db8::1");
	b16(&mp, 2), b8(&mp, 1), b8(&mp, 16), bytes_in(&mp, g, 16), b8(&mp, 0);
	nlri(&mp, "2001:db8:100::", 48), nlri(&mp, "2001:db8:200::", 48);
	b8(&a, 0x80), b8(&a, 14), b8(&a, (unsigned)mp.n), bytes_in(&a, mp.b, mp.n);
	update(&m, &w, &a, &n);
	bgp4mp(f, ts, 4, "192.0.2.1", 64500, 2, &m);
	/* 6. ... and withdraws one in MP_UNREACH_NLRI. */
	a.n = 0, mp.n = 0;
	b16(&mp, 2), b8(&mp, 1);
	nlri(&mp, "2001:db8:200::", 48);
	b8(&a, 0x80), b8(&a, 15), b8(&a, (unsigned)mp.n), bytes_in(&a, mp.b, mp.n);
	update(&m, &w, &a, &n);
	bgp4mp(f, ts, 4, "192.0.2.1", 64500, 2, &m);
	/* 7. A 2-byte speaker (MESSAGE) announces 10.3.0.0/16. */
	n.n = 0;
	path_attrs(&a, false, (const uint32_t[]){ 65001 }, 1, "198.51.100.1");
	nlri(&n, "10.3.0.0", 16);
	update(&m, &w, &a, &n);
	bgp4mp(f, ts, 1, "198.51.100.1", 65001, 2, &m);
	/* 8. A KEEPALIVE. */
	m.n = 0;
	bgp4mp(f, ts, 4, "192.0.2.1", 64500, 4, &m);
	/* 9. An UPDATE whose withdrawn length runs past the message. */
	m.n = 0, b16(&m, 40), b16(&m, 0);
	bgp4mp(f, ts, 4, "192.0.2.1", 64500, 2, &m);
	/* 10. A record of another type. */
	m.n = 0, b32(&m, 0), b16(&m, 0), b16(&m, 0);
	record(f, MRTB_TABLE_DUMP_V2, MRTB_PEER_INDEX_TABLE, &m);
}

static void test_replay(void)
{
	RTM_ENTITY_HANDLE v4 = bgp(AF_INET, 1), v6 = bgp(AF_INET6, 1);
	REQUIRE(v4 && v6);
	static struct buf f;
	make_stream(&f, 0);
	char path[64], out[64];
	snprintf(path, sizeof(path), "/tmp/test_mrt_replay.%d", (int)getpid());
	snprintf(out, sizeof(out), "/tmp/test_mrt_replay.%d.out", (int)getpid());
	write_file(path, f.b, f.n);
	rtm_mrt_stats st;
	CHECK_U(rtm_mrt_replay(path, v4, v6, NULL, &st), NO_ERROR);
	CHECK_U(st.records, 10);
	CHECK_U(st.routes, 7);
	CHECK_U(st.withdrawn, 2);
	CHECK_U(st.state_changes, 1);
	CHECK_U(st.skipped, 1);
	CHECK_U(st.ignored, 1);
	CHECK_U(st.refused, 0);
	CHECK(strstr(st.last_error, "UPDATE") != NULL);

	struct route_seen s = best(v4, AF_INET, "10.1.0.0", 16);
	CHECK_U(s.n_routes, 2); /* one per peer: 192.0.2.1's replaced, not added */
	CHECK_U(s.metric, 1);
	CHECK(strcmp(s.neighbour, "192.0.2.2") == 0);
	CHECK_U(best(v4, AF_INET, "10.2.0.0", 16).n_routes, 0);
	s = best(v4, AF_INET, "10.3.0.0", 16);
	CHECK(s.n_routes == 1 && s.metric == 1 && strcmp(s.nexthop, "198.51.100.1") == 0);
	s = best(v6, AF_INET6, "2001:db8:100::", 48);
	CHECK(s.n_routes == 1 && s.metric == 1 && strcmp(s.nexthop, "2001:db8::1") == 0);
	CHECK(strcmp(s.neighbour, "::ffff:192.0.2.1") == 0);
	CHECK_U(best(v6, AF_INET6, "2001:db8:200::", 48).n_routes, 0);

	/* What the replay left, exported: its paths and the peers' ASes. */
	CHECK_U(rtm_mrt_dump(out, v4, v6, NULL, &st), NO_ERROR);
	CHECK_U(st.routes, 4);
	if (system("command -v bgpdump >/dev/null 2>&1") == 0) {
		char cmd[160], t[4096];
		snprintf(cmd, sizeof(cmd), "bgpdump -m %s 2>/dev/null", out);
		FILE *p = popen(cmd, "r");
		REQUIRE(p);
		size_t k = fread(t, 1, sizeof(t) - 1, p);
		t[k] = 0;
		pclose(p);
		CHECK(strstr(t, "|192.0.2.1|64500|10.1.0.0/16|64500 174 3356|IGP|192.0.2.1|") != NULL);
		CHECK(strstr(t, "|192.0.2.2|64501|10.1.0.0/16|64501|IGP|192.0.2.2|") != NULL);
		CHECK(strstr(t, "|192.0.2.1|64500|2001:db8:100::/48|64500|IGP|2001:db8::1|") != NULL);
		/* The 2-byte speaker's AS_PATH, widened to 4-byte numbers. */
		CHECK(strstr(t, "|198.51.100.1|65001|10.3.0.0/16|65001|IGP|198.51.100.1|") != NULL);
	}
	unlink(out);

	/* Again at the records' pace (one second between the first two): the
	 * same table. */
	make_stream(&f, 1);
	write_file(path, f.b, f.n);
	rtm_mrt_options rt = { .preference = 0, .flags = RTM_MRT_REALTIME };
	CHECK_U(rtm_mrt_replay(path, v4, v6, &rt, &st), NO_ERROR);
	CHECK_U(st.routes, 7);
	CHECK_U(st.withdrawn, 2); /* (announced again, then withdrawn again) */
	CHECK_U(best(v4, AF_INET, "10.1.0.0", 16).n_routes, 2);

	rtm_mrt_options bad = { .preference = 0, .flags = RTM_MRT_BEST_ONLY };
	CHECK_U(rtm_mrt_replay(path, v4, v6, &bad, &st), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_mrt_replay(NULL, v4, v6, NULL, &st), ERROR_INVALID_PARAMETER);
	CHECK_U(rtm_mrt_replay("/nonexistent/x", v4, v6, NULL, &st), ERROR_FILE_NOT_FOUND);
	CHECK_U(rtm_mrt_replay(path, v6, NULL, NULL, &st), ERROR_INVALID_PARAMETER);
	/* A stream cut inside a record: what came before is applied. */
	write_file(path, f.b, f.n - 3);
	CHECK_U(rtm_mrt_replay(path, v4, v6, NULL, &st), ERROR_INVALID_DATA);
	CHECK_U(st.routes, 7);
	unlink(path);
	CHECK_U(RtmDeregisterEntity(v4), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(v6), NO_ERROR);
}

/* ADD-PATH: two paths of one peer to one prefix are two routes; withdrawing
 * one leaves the other. */
static void test_replay_addpath(void)
{
	RTM_ENTITY_HANDLE v4 = bgp(AF_INET, 2);
	REQUIRE(v4);
	static struct buf f;
	struct buf w = { .n = 0 }, a = { .n = 0 }, n = { .n = 0 }, m = { .n = 0 };
	f.n = 0;
	path_attrs(&a, true, (const uint32_t[]){ 64500 }, 1, "192.0.2.1");
	nlri_path(&n, 1, "10.5.0.0", 16), nlri_path(&n, 2, "10.5.0.0", 16);
	update(&m, &w, &a, &n);
	bgp4mp(&f, 1700000000u, 9 /* MESSAGE_AS4_ADDPATH */, "192.0.2.1", 64500, 2, &m);
	char path[64];
	snprintf(path, sizeof(path), "/tmp/test_mrt_replay.%d.ap", (int)getpid());
	write_file(path, f.b, f.n);
	rtm_mrt_stats st;
	CHECK_U(rtm_mrt_replay(path, v4, NULL, NULL, &st), NO_ERROR);
	CHECK_U(st.routes, 2);
	CHECK_U(best(v4, AF_INET, "10.5.0.0", 16).n_routes, 2);
	f.n = 0, w.n = 0, n.n = 0, a.n = 0;
	nlri_path(&w, 1, "10.5.0.0", 16);
	update(&m, &w, &a, &n);
	bgp4mp(&f, 1700000001u, 9, "192.0.2.1", 64500, 2, &m);
	write_file(path, f.b, f.n);
	CHECK_U(rtm_mrt_replay(path, v4, NULL, NULL, &st), NO_ERROR);
	CHECK_U(st.withdrawn, 1);
	CHECK_U(best(v4, AF_INET, "10.5.0.0", 16).n_routes, 1);
	unlink(path);
	CHECK_U(RtmDeregisterEntity(v4), NO_ERROR);
}

int main(void)
{
	RUN(test_replay);
	RUN(test_replay_addpath);
	TEST_MAIN_END();
}
