/*
 * test_control.c — the control socket (<rtmv2/control.h>) read through a
 * plain Unix-socket client: `show route` in each of its forms prints exactly
 * the routes the API holds (a model of a few hundred IPv4 and IPv6 routes of
 * two named entities, competing for some prefixes, some in the multicast
 * view), the counts equal rtm_get_stats, show protocols counts each
 * entity's routes; every command's JSON form parses (python3); a table of
 * 200,000 routes streams through the socket whole; and several clients at
 * once, while a writer changes the table, each get whole answers of their
 * own.  test_control2.c covers who may connect, abuse, the lifecycle,
 * writing, RTMV2_CONTROL and status providers.
 */
#include "controltest.h"
#include "ctl.h" /* ctl_request, for requests run side by side without the socket */

static RTM_ENTITY_HANDLE bgp4, ospf4, bgp6;

/* The model: in IPv4, bgp's 300 /24s (every 7th in both views), 10.0.0.0/16,
 * 10.0.0.0/8 and 172.16.0.0/12; ospf's better routes to every 10th /24 and a
 * multicast-only 10.250.0.0/16; in IPv6, bgp's 100 /48s.  Then a control
 * socket naming them. */
static rtm_control *fixture(void)
{
	ct_n_routes = 0;
	bgp4 = rt_register(AF_INET, PROTO_IP_BGP);
	ospf4 = rt_register(AF_INET, PROTO_IP_OSPF);
	bgp6 = rt_register(AF_INET6, PROTO_IP_BGP);
	if (!bgp4 || !ospf4 || !bgp6)
		return NULL;
	char a[64], nh[64];
	for (unsigned i = 0; i < 300; i++) {
		snprintf(a, sizeof(a), "10.%u.%u.0", i >> 8, i & 255);
		snprintf(nh, sizeof(nh), "192.0.2.%u", 1 + i % 50);
		ct_add(bgp4, "bgp", a, 24, nh, 170, i,
		       i % 7 ? RTM_VIEW_MASK_UCAST : RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST);
		if (i % 10 == 0)
			ct_add(ospf4, "ospf", a, 24, "198.51.100.1", 110, 5, RTM_VIEW_MASK_UCAST);
	}
	ct_add(bgp4, "bgp", "10.0.0.0", 16, "192.0.2.100", 170, 1000, RTM_VIEW_MASK_UCAST);
	ct_add(bgp4, "bgp", "10.0.0.0", 8, "192.0.2.101", 170, 1001, RTM_VIEW_MASK_UCAST);
	ct_add(bgp4, "bgp", "172.16.0.0", 12, "192.0.2.102", 170, 1002, RTM_VIEW_MASK_UCAST);
	ct_add(ospf4, "ospf", "10.250.0.0", 16, "198.51.100.2", 110, 7, RTM_VIEW_MASK_MCAST);
	for (unsigned i = 0; i < 100; i++) {
		snprintf(a, sizeof(a), "2001:db8:%x::", i);
		snprintf(nh, sizeof(nh), "2001:db8:ffff::%x", 1 + i % 20);
		ct_add(bgp6, "bgp", a, 48, nh, 170, i + 1, RTM_VIEW_MASK_UCAST);
	}
	rtm_control_options o = ct_options(ct_make_path("model"));
	rtm_control *c = NULL;
	if (rtm_control_open(&o, &c) != NO_ERROR)
		return NULL;
	CHECK_U(rtm_control_name_entity(c, "bgp", bgp4), NO_ERROR);
	CHECK_U(rtm_control_name_entity(c, "ospf", ospf4), NO_ERROR);
	CHECK_U(rtm_control_name_entity(c, "bgp", bgp6), NO_ERROR);
	return c;
}

/* The model's best routes are the API's: each prefix's best unicast route
 * (RtmGetExactMatchDestination) has the model's owner and metric. */
static void check_model_is_api(void)
{
	for (unsigned i = 0; i < ct_n_routes; i++) {
		const struct ct_route *r = &ct_routes[i], *b = ct_best_of(r, RTM_VIEW_MASK_UCAST);
		if (!b)
			continue;
		RTM_ENTITY_HANDLE e = r->dest.AddressFamily == AF_INET ? bgp4 : bgp6;
		rt_dest_buf db;
		RTM_NET_ADDRESS d = r->dest;
		REQUIRE(RtmGetExactMatchDestination(e, &d, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST, &db.info) ==
			NO_ERROR);
		rt_route_buf rb;
		REQUIRE(rt_route_info(e, db.info.ViewInfo[0].Route, &rb) == NO_ERROR);
		RTM_ENTITY_HANDLE want = !strcmp(b->owner, "ospf") ? ospf4 : r->dest.AddressFamily == AF_INET ? bgp4 : bgp6;
		CHECK(rb.info.RouteOwner == want);
		CHECK_U(rb.info.PrefInfo.Metric, b->metric);
		RtmReleaseRouteInfo(e, &rb.info);
		RtmReleaseDestInfo(e, &db.info);
	}
}

static void test_show_route_equals_api(void)
{
	rtm_control *c = fixture();
	REQUIRE(c);
	check_model_is_api();
	int fd = ct_connect(ct_path);
	REQUIRE(fd >= 0);
	struct ct_sel s;
	char *ans;

	/* The best routes, both families: 300 + 3 + 100 unicast destinations. */
	memset(&s, 0, sizeof(s));
	ans = ct_ask(fd, "show route");
	CHECK_ANSWER(ans, &s);
	CHECK_U(ct_lines(ans), 403);
	CHECK(strstr(ans, "10.0.0.0/24 via 198.51.100.1 ospf pref 110 metric 5 unicast *\n") != NULL);
	CHECK(strstr(ans, "10.0.1.0/24 via 192.0.2.2 bgp pref 170 metric 1 unicast *\n") != NULL);
	CHECK(strstr(ans, "2001:db8:63::/48 via 2001:db8:ffff::14 bgp pref 170 metric 100 unicast *\n") != NULL);
	free(ans);

	/* Every route: the losers too, without the star. */
	s.all = true;
	ans = ct_ask(fd, "show route all");
	CHECK_ANSWER(ans, &s);
	CHECK_U(ct_lines(ans), 433);
	CHECK(strstr(ans, "10.0.0.0/24 via 192.0.2.1 bgp pref 170 metric 0 unicast,multicast\n") != NULL);
	free(ans);

	/* One prefix, exact. */
	ans = ct_ask(fd, "show route 10.0.20.0/24");
	CHECK_STATUS(ans, "%ok");
	CHECK(!strcmp(ans, "10.0.20.0/24 via 198.51.100.1 ospf pref 110 metric 5 unicast *\n%ok\n"));
	free(ans);
	ans = ct_ask(fd, "show route 10.0.20.0/24 all");
	CHECK_U(ct_lines(ans), 2);
	free(ans);
	ans = ct_ask(fd, "show route 10.77.0.0/16");
	CHECK(!strcmp(ans, "%ok\n"));
	free(ans);

	/* An address: the longest match. */
	ans = ct_ask(fd, "show route 10.0.5.77");
	CHECK(!strcmp(ans, "10.0.5.0/24 via 192.0.2.6 bgp pref 170 metric 5 unicast *\n%ok\n"));
	free(ans);
	ans = ct_ask(fd, "show route 10.1.200.9");
	CHECK(!strcmp(ans, "10.0.0.0/8 via 192.0.2.101 bgp pref 170 metric 1001 unicast *\n%ok\n"));
	free(ans);
	ans = ct_ask(fd, "show route 2001:db8:5:1::1");
	CHECK(!strcmp(ans, "2001:db8:5::/48 via 2001:db8:ffff::6 bgp pref 170 metric 6 unicast *\n%ok\n"));
	free(ans);
	ans = ct_ask(fd, "show route 192.0.2.1");
	CHECK(!strcmp(ans, "%ok\n"));
	free(ans);

	/* A prefix and the more specific ones. */
	RTM_NET_ADDRESS in = rt_addr("10.0.0.0", 16);
	memset(&s, 0, sizeof(s));
	s.in = &in;
	ans = ct_ask(fd, "show route 10.0.0.0/16 longer");
	CHECK_ANSWER(ans, &s);
	CHECK_U(ct_lines(ans), 257);
	free(ans);
	in = rt_addr("10.0.0.0", 8);
	s.all = true;
	ans = ct_ask(fd, "show route 10.0.0.0/8 longer all");
	CHECK_ANSWER(ans, &s);
	free(ans);

	/* protocol NAME: that entity's best routes (or all of its routes). */
	memset(&s, 0, sizeof(s));
	s.owner = "ospf";
	ans = ct_ask(fd, "show route protocol ospf");
	CHECK_ANSWER(ans, &s);
	CHECK_U(ct_lines(ans), 30);
	free(ans);
	s.owner = "bgp";
	ans = ct_ask(fd, "show route protocol bgp");
	CHECK_ANSWER(ans, &s);
	CHECK_U(ct_lines(ans), 373);
	free(ans);
	s.all = true;
	ans = ct_ask(fd, "show route protocol bgp all");
	CHECK_ANSWER(ans, &s);
	free(ans);
	ans = ct_ask(fd, "show route protocol nosuch");
	CHECK(!strcmp(ans, "%ok\n"));
	free(ans);

	/* The multicast view: every 7th /24 (bgp's) and ospf's 10.250.0.0/16. */
	memset(&s, 0, sizeof(s));
	s.view = RTM_VIEW_MASK_MCAST;
	ans = ct_ask(fd, "show route view multicast");
	CHECK_ANSWER(ans, &s);
	CHECK_U(ct_lines(ans), 44);
	CHECK(strstr(ans, "10.0.0.0/24 via 192.0.2.1 bgp pref 170 metric 0 unicast,multicast *\n") != NULL);
	CHECK(strstr(ans, "10.250.0.0/16 via 198.51.100.2 ospf pref 110 metric 7 multicast *\n") != NULL);
	free(ans);

	/* count: the numbers of what the same words would show. */
	ans = ct_ask(fd, "show route all count");
	CHECK(!strcmp(ans, "433 routes for 403 destinations\n%ok\n"));
	free(ans);
	ans = ct_ask(fd, "show route protocol ospf count");
	CHECK(!strcmp(ans, "30 routes for 30 destinations\n%ok\n"));
	free(ans);
	ans = ct_ask(fd, "show route 10.0.0.0/16 longer all count");
	CHECK(!strcmp(ans, "283 routes for 257 destinations\n%ok\n"));
	free(ans);
	ans = ct_ask(fd, "show route view multicast count");
	CHECK(!strcmp(ans, "44 routes for 44 destinations\n%ok\n"));
	free(ans);

	/* show route count: every table's counters, rtm_get_stats'. */
	rtm_stats s4 = rt_stats(bgp4), s6 = rt_stats(bgp6);
	CHECK_U(s4.routes, 334);
	CHECK_U(s6.routes, 100);
	char want[512];
	snprintf(want, sizeof(want),
		 "ipv4 instance 0: %lu routes for %lu destinations\n"
		 "ipv6 instance 0: %lu routes for %lu destinations\n"
		 "total: %lu routes for %lu destinations\n%%ok\n",
		 s4.routes, s4.dests, s6.routes, s6.dests, s4.routes + s6.routes, s4.dests + s6.dests);
	ans = ct_ask(fd, "show route count");
	CHECK(!strcmp(ans, want));
	if (strcmp(ans, want))
		fprintf(stderr, "  got:\n%s  expected:\n%s", ans, want);
	free(ans);

	/* show protocols: each entity's routes, the server's own entity with none. */
	ans = ct_ask(fd, "show protocols");
	CHECK_STATUS(ans, "%ok");
	char line[256];
	snprintf(line, sizeof(line), "  %-20s %-12s %10lu %10lu %10lu\n", "bgp", "14.1", 303ul, 303ul, 43ul);
	CHECK(strstr(ans, line) != NULL);
	snprintf(line, sizeof(line), "  %-20s %-12s %10lu %10lu %10lu\n", "ospf", "13.1", 31ul, 30ul, 1ul);
	CHECK(strstr(ans, line) != NULL);
	snprintf(line, sizeof(line), "  %-20s %-12s %10lu %10lu %10lu\n", "bgp", "14.1", 100ul, 100ul, 0ul);
	CHECK(strstr(ans, line) != NULL);
	CHECK(strstr(ans, "ipv4 instance 0: 3 entities, 334 routes for") != NULL);
	CHECK(strstr(ans, "ipv6 instance 0: 2 entities, 100 routes for") != NULL);
	CHECK(strstr(ans, "  control ") != NULL);
	free(ans);

	/* Words the route query does not know. */
	ans = ct_ask(fd, "show route 10.0.0.0/8 sideways");
	CHECK(!strcmp(ans, "%error unknown word: sideways\n"));
	free(ans);
	ans = ct_ask(fd, "show route longer");
	CHECK(!strcmp(ans, "%error longer needs a prefix\n"));
	free(ans);
	ans = ct_ask(fd, "show route view broadcast");
	CHECK(!strcmp(ans, "%error bad view: broadcast (unicast or multicast)\n"));
	free(ans);
	ans = ct_ask(fd, "show route 10.0.0.0/33");
	CHECK(!strcmp(ans, "%error unknown word: 10.0.0.0/33\n"));
	free(ans);

	close(fd);
	rtm_control_close(c);
}

/* Every command's JSON form is one JSON document, with the model's values. */
static void test_json(void)
{
	rtm_control *c = fixture();
	REQUIRE(c);
	int fd = ct_connect(ct_path);
	REQUIRE(fd >= 0);
	bool py = ct_have_python();
	if (!py)
		printf("  test_json: python3 not found: the answers are not parsed\n");
	static const char *const requests[] = {
		"json show status",
		"json show protocols",
		"json show memory",
		"json show route",
		"json show route all",
		"json show route 10.0.20.0/24 all",
		"json show route 10.0.5.77",
		"json show route 10.77.0.0/16",
		"json show route 10.0.0.0/16 longer",
		"json show route protocol ospf",
		"json show route view multicast",
		"json show route count",
		"json show route all count",
		"json show route 2001:db8::/32 longer count",
		"json help",
	};
	for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		char *ans = ct_ask(fd, requests[i]);
		CHECK_STATUS(ans, "%ok");
		if (py && !ct_json_parses(ans)) {
			fprintf(stderr, "  %s: the answer does not parse\n", requests[i]);
			tl_failed_checks++;
		}
		if (i == 5) {
			CHECK(strstr(ans, "{\"prefix\":\"10.0.20.0/24\",\"family\":\"ipv4\",\"instance\":0,"
					  "\"protocol\":\"ospf\",\"preference\":110,\"metric\":5,"
					  "\"next_hops\":[\"198.51.100.1\"],\"neighbour\":null,\"views\":\"unicast\","
					  "\"best\":true}") != NULL);
			CHECK(strstr(ans, "\"protocol\":\"bgp\",\"preference\":170,\"metric\":20,"
					  "\"next_hops\":[\"192.0.2.21\"]") != NULL);
			CHECK(strstr(ans, "\"routes_shown\":2,\"destinations\":1}") != NULL);
		}
		if (i == 1) {
			CHECK(strstr(ans, "{\"name\":\"ospf\",\"protocol_id\":13,\"protocol_instance\":1,\"routes\":31,"
					  "\"unicast\":30,\"multicast\":1}") != NULL);
			CHECK(strstr(ans, "\"family\":\"ipv6\"") != NULL);
		}
		if (i == 12)
			CHECK(strstr(ans, "\"count\":true,\"routes_shown\":433,\"destinations\":403}") != NULL);
		if (i == 13)
			CHECK(strstr(ans, "\"routes_shown\":100,\"destinations\":100}") != NULL);
		if (i == 0)
			CHECK(strstr(ans, "\"write\":false") != NULL);
		if (i == 14)
			CHECK(strstr(ans, "show route count") != NULL);
		free(ans);
	}
	/* An error in JSON mode is the status line alone. */
	char *ans = ct_ask(fd, "json show route 10.0.0.0/8 sideways");
	CHECK(!strcmp(ans, "%error unknown word: sideways\n"));
	free(ans);
	close(fd);
	rtm_control_close(c);
}

/* 200,000 routes through the socket: every one arrives, then %ok.  (The
 * server's buffer is 64 KiB: the answer is streamed, not built whole.) */
static void test_streaming(void)
{
#ifdef TL_SLOW
	const unsigned n = 50000;
#else
	const unsigned n = 200000;
#endif
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, PROTO_IP_BGP);
	REQUIRE(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "192.0.2.1", 1);
	REQUIRE(nh);
	for (unsigned i = 0; i < n; i++) {
		char a[32];
		snprintf(a, sizeof(a), "%u.%u.%u.0", 11 + (i >> 16), (i >> 8) & 255, i & 255);
		REQUIRE(rt_add_route(e, a, 24, 170, i, RTM_VIEW_MASK_UCAST, nh, NULL, NULL, NULL) == NO_ERROR);
	}
	RtmReleaseNextHops(e, 1, &nh);
	rtm_control_options o = ct_options(ct_make_path("stream"));
	rtm_control *c = NULL;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	int fd = ct_connect(ct_path);
	REQUIRE(fd >= 0);
	char *ans = ct_ask(fd, "show route");
	CHECK_U(ct_lines(ans), n);
	CHECK_STATUS(ans, "%ok");
	CHECK(strstr(ans, "11.0.0.0/24 via 192.0.2.1 proto-14.1 pref 170 metric 0 unicast *\n") != NULL);
	free(ans);
	ans = ct_ask(fd, "json show route");
	CHECK_STATUS(ans, "%ok");
	char tail[96];
	snprintf(tail, sizeof(tail), "\"routes_shown\":%u,\"destinations\":%u}\n%%ok\n", n, n);
	size_t len = strlen(ans);
	CHECK(len > strlen(tail) && !strcmp(ans + len - strlen(tail), tail));
	free(ans);
	close(fd);
	rtm_control_close(c);
}

/* ---- several clients at once ------------------------------------------------------------ */

#define BASE_ROUTES 2000
#define CHURN_ROUTES 500

struct client_arg {
	int id;
	atomic_int *stop;
	unsigned long answers;
};

/* Two kinds of requests, alternately: the whole table (a line count between
 * the base table and all of it) and an error naming its last word, one of
 * its own (an answer to another client's request would name another word,
 * or none). */
static void *client_thread(void *p)
{
	struct client_arg *a = p;
	int fd = ct_connect(ct_path);
	if (fd < 0) {
		T_CHECK(fd >= 0);
		return NULL;
	}
	for (unsigned round = 0; round < 400 && (round < 20 || !atomic_load(a->stop)); round++) {
		char req[256], want[96], bests[200] = "";
		for (int i = 0; i < 28; i++)
			strcat(bests, " best");
		if (round % 8 == 0) {
			char *ans = ct_ask(fd, "show route");
			unsigned long n = ct_lines(ans);
			char st[64];
			ct_status(ans, st, sizeof(st));
			T_CHECK(!strcmp(st, "%ok") && n >= BASE_ROUTES && n <= BASE_ROUTES + CHURN_ROUTES);
			free(ans);
		} else {
			/* 31 words, the last one its own: the longer the split, the likelier two overlap */
			snprintf(req, sizeof(req), "show route%s client%d_%u", bests, a->id, round);
			snprintf(want, sizeof(want), "%%error unknown word: client%d_%u\n", a->id, round);
			char *ans = ct_ask(fd, req);
			if (strcmp(ans, want))
				fprintf(stderr, "  client %d: \"%s\" for \"%s\"\n", a->id, ans, req);
			T_CHECK(!strcmp(ans, want));
			free(ans);
		}
		a->answers++;
	}
	close(fd);
	return NULL;
}

static void test_clients_and_writer(void)
{
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, PROTO_IP_BGP);
	REQUIRE(e);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(e, "192.0.2.1", 1);
	for (unsigned i = 0; i < BASE_ROUTES; i++) {
		char a[32];
		snprintf(a, sizeof(a), "12.%u.%u.0", i >> 8, i & 255);
		REQUIRE(rt_add_route(e, a, 24, 170, i, RTM_VIEW_MASK_UCAST, nh, NULL, NULL, NULL) == NO_ERROR);
	}
	rtm_control_options o = ct_options(ct_make_path("clients"));
	rtm_control *c = NULL;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	CHECK_U(rtm_control_name_entity(c, "bgp", e), NO_ERROR);
	atomic_int stop = 0;
	struct client_arg args[4];
	pthread_t t[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (struct client_arg){ .id = i, .stop = &stop };
		REQUIRE(pthread_create(&t[i], NULL, client_thread, &args[i]) == 0);
	}
	/* The writer: routes of 13.0.0.0/16 come and go while the clients read. */
	for (unsigned round = 0; round < 6; round++)
		for (unsigned i = 0; i < CHURN_ROUTES; i++) {
			char a[32];
			snprintf(a, sizeof(a), "13.0.%u.%u", i >> 4, (i & 15) << 4);
			if (round % 2 == 0) {
				CHECK_U(rt_add_route(e, a, 28, 170, i, RTM_VIEW_MASK_UCAST, nh, NULL, NULL, NULL), NO_ERROR);
				continue;
			}
			RTM_ROUTE_HANDLE rh = rt_best(e, a, 28, RTM_VIEW_MASK_UCAST);
			if (rh) { /* referenced for the delete, which releases it */
				CHECK_U(RtmReferenceHandles(e, 1, (HANDLE *)&rh), NO_ERROR);
				RTM_ROUTE_CHANGE_FLAGS fl;
				CHECK_U(RtmDeleteRouteToDest(e, rh, &fl), NO_ERROR);
			}
		}
	atomic_store(&stop, 1);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK(args[i].answers >= 20);
	}
	CHECK_U(rt_thread_errors, 0);
	RtmReleaseNextHops(e, 1, &nh);
	rtm_control_close(c);
}

/* ctl_request itself on two threads at once, many times (the server runs it
 * on a thread per connection): each answer is to its own request. */
struct direct_arg {
	rtm_control *c;
	int id;
	unsigned bad;
};

static void *direct_thread(void *p)
{
	struct direct_arg *a = p;
	struct rtm_control_out *o = malloc(sizeof(*o));
	if (!o)
		return NULL;
	for (unsigned round = 0; round < 20000; round++) {
		char line[256], want[96];
		snprintf(line, sizeof(line), "show route best best best best best best best best best best best "
					     "best best best best best best best best best client%d_%u", a->id, round);
		snprintf(want, sizeof(want), "%%error unknown word: client%d_%u\n", a->id, round);
		ctl_out_init(o, -1, 100);
		ctl_request(a->c, o, line);
		if (o->n != strlen(want) || memcmp(o->buf, want, o->n) != 0)
			a->bad++;
	}
	free(o);
	return NULL;
}

static void test_requests_in_parallel(void)
{
	REQUIRE(rt_register(AF_INET, PROTO_IP_BGP));
	rtm_control_options o = ct_options(ct_make_path("direct"));
	rtm_control *c = NULL;
	REQUIRE(rtm_control_open(&o, &c) == NO_ERROR);
	struct direct_arg args[2] = { { c, 1, 0 }, { c, 2, 0 } };
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		REQUIRE(pthread_create(&t[i], NULL, direct_thread, &args[i]) == 0);
	for (int i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		CHECK_U(args[i].bad, 0);
	}
	rtm_control_close(c);
}

int main(void)
{
	RUN(test_show_route_equals_api);
	RUN(test_json);
	RUN(test_streaming);
	RUN(test_clients_and_writer);
	RUN(test_requests_in_parallel);
	TEST_MAIN_END();
}
