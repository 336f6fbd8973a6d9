/*
 * test_mt_enum.c — enumerations while the table changes.
 *
 * A table of /24s in which every other prefix is stable (added once, never
 * touched) and the rest churn: two writer threads delete and re-add them,
 * together with covering /16s and /22s, so that the trie's shape changes
 * around the stable destinations all the time.  Meanwhile the main thread
 * enumerates the whole table again and again — destinations in batches,
 * routes in batches, and a range — and checks in each pass that every
 * stable destination (and route) comes exactly once and nothing comes twice.
 * Run under TSan by `make check-tsan`.
 */
#include "rtmtest.h"

#include <stdatomic.h>

#define NPREFIX 2048 /* /24s: 10.0.0.0 .. 10.7.255.0 */
#define PASSES 12

static atomic_bool g_stop;

static void prefix24(unsigned i, char *text, size_t size)
{
	snprintf(text, size, "10.%u.%u.0", i / 256, i % 256);
}

static bool stable(unsigned i)
{
	return i % 2 == 0;
}

struct writer {
	RTM_ENTITY_HANDLE e;
	unsigned first; /* churns the odd prefixes i with i % 4 == first */
	uint64_t rng;
	RTM_ROUTE_HANDLE r24[NPREFIX];
	RTM_ROUTE_HANDLE r16[8], r22[NPREFIX / 4];
	atomic_ulong ops;
};

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void toggle(struct writer *w, RTM_ROUTE_HANDLE *slot, const char *text, unsigned len)
{
	if (*slot) {
		CHECK_U(RtmDeleteRouteToDest(w->e, *slot, NULL), NO_ERROR);
		*slot = NULL;
	} else {
		CHECK_U(rt_add_route(w->e, text, len, 20, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, slot,
				     NULL),
			NO_ERROR);
	}
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	char text[32];
	while (!atomic_load(&g_stop)) {
		uint64_t r = next_rand(&w->rng);
		unsigned kind = (unsigned)(r % 16);
		if (kind == 0) {
			/* A covering /16 (writer 1 only: one owner per prefix slot). */
			unsigned k = (unsigned)((r >> 8) % 8);
			snprintf(text, sizeof(text), "10.%u.0.0", k);
			if (w->first == 1)
				toggle(w, &w->r16[k], text, 16);
		} else if (kind == 1) {
			/* A covering /22 (4 /24s, two of them stable). */
			unsigned k = (unsigned)((r >> 8) % (NPREFIX / 4));
			prefix24(k * 4, text, sizeof(text));
			if (w->first == 3)
				toggle(w, &w->r22[k], text, 22);
		} else {
			unsigned i = (unsigned)((r >> 8) % (NPREFIX / 4)) * 4 + w->first;
			prefix24(i, text, sizeof(text));
			toggle(w, &w->r24[i], text, 24);
		}
		atomic_fetch_add(&w->ops, 1);
	}
	return NULL;
}

static int index_of(const RTM_NET_ADDRESS *a)
{
	if (a->AddrBits[0] != 10 || a->NumBits != 24)
		return -1;
	unsigned i = a->AddrBits[1] * 256u + a->AddrBits[2];
	return i < NPREFIX ? (int)i : -1;
}

/* One pass over the destinations; counts per /24. */
static void dest_pass(RTM_ENTITY_HANDLE e, RTM_ENUM_FLAGS flags, const char *addr, unsigned len,
		      unsigned *count, unsigned batch)
{
	RTM_NET_ADDRESS a;
	if (addr)
		a = rt_addr(addr, len);
	RTM_ENUM_HANDLE h = NULL;
	CHECK_U(RtmCreateDestEnum(e, RTM_VIEW_MASK_UCAST, flags, addr ? &a : NULL,
				  RTM_BEST_PROTOCOL, &h),
		NO_ERROR);
	size_t stride = RTM_SIZE_OF_DEST_INFO(1);
	char *buf = calloc(batch, stride);
	for (;;) {
		UINT n = batch;
		DWORD rc = RtmGetEnumDests(e, h, &n, (PRTM_DEST_INFO)(void *)buf);
		if (rc == ERROR_NO_MORE_ITEMS)
			break;
		CHECK_U(rc, NO_ERROR);
		if (rc != NO_ERROR)
			break;
		for (UINT k = 0; k < n; k++) {
			PRTM_DEST_INFO di = (PRTM_DEST_INFO)(void *)(buf + k * stride);
			int i = index_of(&di->DestAddress);
			if (i >= 0)
				count[i]++;
			/* What is returned has a route in the view. */
			CHECK(RT_VIEW(di, 0).Route != NULL);
		}
		CHECK_U(RtmReleaseDests(e, n, (PRTM_DEST_INFO)(void *)buf), NO_ERROR);
	}
	free(buf);
	CHECK_U(RtmDeleteEnumHandle(e, h), NO_ERROR);
}

/* One pass over the routes; counts the stable entity's routes per /24. */
static void route_pass(RTM_ENTITY_HANDLE e, unsigned *count, unsigned batch)
{
	RTM_ENUM_HANDLE h = NULL;
	CHECK_U(RtmCreateRouteEnum(e, NULL, RTM_VIEW_MASK_UCAST, RTM_ENUM_OWN_ROUTES, NULL,
				   RTM_MATCH_NONE, NULL, 0, &h),
		NO_ERROR);
	RTM_ROUTE_HANDLE *buf = calloc(batch, sizeof(*buf));
	for (;;) {
		UINT n = batch;
		DWORD rc = RtmGetEnumRoutes(e, h, &n, buf);
		if (rc == ERROR_NO_MORE_ITEMS)
			break;
		CHECK_U(rc, NO_ERROR);
		if (rc != NO_ERROR)
			break;
		for (UINT k = 0; k < n; k++) {
			RTM_NET_ADDRESS a;
			CHECK_U(RtmGetRouteInfo(e, buf[k], NULL, &a), NO_ERROR);
			int i = index_of(&a);
			CHECK(i >= 0 && stable((unsigned)i));
			if (i >= 0)
				count[i]++;
		}
		CHECK_U(RtmReleaseRoutes(e, n, buf), NO_ERROR);
	}
	free(buf);
	CHECK_U(RtmDeleteEnumHandle(e, h), NO_ERROR);
}

static void test_exactly_once_under_churn(void)
{
	RTM_REGN_PROFILE p;
	RTM_ENTITY_HANDLE keeper = NULL;
	CHECK_U(rt_register_ex(0, AF_INET, 50, 1, NULL, FALSE, NULL, &keeper, &p), NO_ERROR);
	char text[32];
	for (unsigned i = 0; i < NPREFIX; i += 2) {
		prefix24(i, text, sizeof(text));
		CHECK_U(rt_add_route(keeper, text, 24, 10, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL,
				     NULL),
			NO_ERROR);
	}
	static struct writer w[2];
	for (unsigned k = 0; k < 2; k++) {
		w[k].e = rt_register(AF_INET, 100 + k);
		w[k].first = k ? 3 : 1;
		w[k].rng = 0x2545F4914F6CDD1Dull * (k + 7);
	}
	pthread_t tw[2];
	for (unsigned k = 0; k < 2; k++)
		REQUIRE(pthread_create(&tw[k], NULL, writer_main, &w[k]) == 0);

	static unsigned count[NPREFIX];
	/* At least PASSES passes, and until the writers have done real work. */
	unsigned pass = 0;
	for (; pass < PASSES ||
	       ((atomic_load(&w[0].ops) < 20000 || atomic_load(&w[1].ops) < 20000) && pass < 5000);
	     pass++) {
		unsigned batch = pass % 3 == 0 ? p.MaxHandlesInEnum : 7 + pass % 50;
		/* Destinations, whole table. */
		memset(count, 0, sizeof(count));
		dest_pass(keeper, RTM_ENUM_START, NULL, 0, count, batch);
		for (unsigned i = 0; i < NPREFIX; i++) {
			if (stable(i) && count[i] != 1)
				fprintf(stderr, "  pass %u: stable %u seen %u times\n", pass, i,
					count[i]);
			CHECK(stable(i) ? count[i] == 1 : count[i] <= 1);
		}
		/* A range: 10.2.0.0/15 holds 512 of the /24s. */
		memset(count, 0, sizeof(count));
		dest_pass(keeper, RTM_ENUM_RANGE, "10.2.0.0", 15, count, batch);
		for (unsigned i = 0; i < NPREFIX; i++) {
			bool inside = i >= 512 && i < 1024;
			CHECK(stable(i) && inside ? count[i] == 1 : count[i] <= (inside ? 1u : 0u));
		}
		/* The stable entity's routes. */
		memset(count, 0, sizeof(count));
		route_pass(keeper, count, batch);
		for (unsigned i = 0; i < NPREFIX; i++)
			CHECK_U(count[i], stable(i) ? 1 : 0);
	}
	atomic_store(&g_stop, true);
	for (unsigned k = 0; k < 2; k++)
		pthread_join(tw[k], NULL);
	printf("test_mt_enum: %u passes while the writers made %lu + %lu changes\n", pass,
	       atomic_load(&w[0].ops), atomic_load(&w[1].ops));
	CHECK(atomic_load(&w[0].ops) > 0 && atomic_load(&w[1].ops) > 0);
	/* The table is still consistent: everything a final pass sees exists. */
	memset(count, 0, sizeof(count));
	dest_pass(keeper, RTM_ENUM_START, NULL, 0, count, p.MaxHandlesInEnum);
	for (unsigned i = 0; i < NPREFIX; i++) {
		bool present = stable(i) || w[i % 4 == 1 ? 0 : 1].r24[i] != NULL;
		CHECK_U(count[i], present ? 1 : 0);
	}
	for (unsigned k = 0; k < 2; k++) {
		for (unsigned i = 0; i < NPREFIX; i++)
			if (w[k].r24[i])
				CHECK_U(RtmReleaseRoutes(w[k].e, 1, &w[k].r24[i]), NO_ERROR);
		for (unsigned i = 0; i < 8; i++)
			if (w[k].r16[i])
				CHECK_U(RtmReleaseRoutes(w[k].e, 1, &w[k].r16[i]), NO_ERROR);
		for (unsigned i = 0; i < NPREFIX / 4; i++)
			if (w[k].r22[i])
				CHECK_U(RtmReleaseRoutes(w[k].e, 1, &w[k].r22[i]), NO_ERROR);
	}
}

int main(void)
{
	RUN(test_exactly_once_under_churn);
	TEST_MAIN_END();
}
