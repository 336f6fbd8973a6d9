/*
 * test_owner_refs2.c — owner references counted per thread, continued
 * (test_owner_refs.c has the rest): a failed release gives back exactly
 * what it claimed, and counts given and claimed by several threads at once
 * through the entity's shared counts stay exact.
 */
#define TL_TIMEOUT_S 120
#include "rtmtest.h"

#include "entity.h"

#include <pthread.h>
#include <stdatomic.h>

/* A release that fails part-way gives back exactly what it claimed from
 * the thread's own counts: runs of one owner are not contiguous items (a
 * DestHandle and a Route lie between two Owners), and an item of such a run
 * was once given back twice, globally and locally, so every owner gained a
 * reference from each failed release. */
static void test_failed_release_gives_back_once(void)
{
	enum { N_OWNERS = 3, N_DESTS = 12 };
	RTM_ENTITY_HANDLE v = rt_register(AF_INET, 99), e[N_OWNERS];
	REQUIRE(v);
	for (unsigned k = 0; k < N_OWNERS; k++)
		REQUIRE((e[k] = rt_register(AF_INET, 10 + k)) != NULL);
	RTM_DEST_INFO infos[N_DESTS];
	for (unsigned i = 0; i < N_DESTS; i++) {
		char a[32], host[32];
		snprintf(a, sizeof(a), "10.%u.0.0", i);
		snprintf(host, sizeof(host), "10.%u.1.1", i);
		REQUIRE(rt_add_route(e[(i / 2) % N_OWNERS], a, 16, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL,
				     NULL, NULL) == NO_ERROR);
		RTM_NET_ADDRESS ad = rt_addr(host, 32);
		REQUIRE(RtmGetMostSpecificDestination(v, &ad, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_UCAST,
						      &infos[i]) == NO_ERROR);
		CHECK(infos[i].ViewInfo[0].Owner == e[(i / 2) % N_OWNERS]);
	}
	RTM_DEST_INFO bad[N_DESTS];
	memcpy(bad, infos, sizeof(bad));
	bad[N_DESTS - 1].DestHandle = (RTM_DEST_HANDLE)(uintptr_t)0x5a5a5a5a5a5a5a5aull;
	for (unsigned round = 0; round < 3; round++)
		CHECK_U(RtmReleaseDests(v, N_DESTS, bad), ERROR_INVALID_HANDLE);
	/* Each owner has exactly its four references: one short fails it all. */
	RTM_ENTITY_HANDLE one = e[0];
	CHECK_U(RtmReleaseEntities(v, 1, &one), NO_ERROR);
	CHECK_U(RtmReleaseDests(v, N_DESTS, infos), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReferenceHandles(v, 1, &one), NO_ERROR);
	CHECK_U(RtmReleaseDests(v, N_DESTS, infos), NO_ERROR);
	for (unsigned k = 0; k < N_OWNERS; k++) {
		RTM_ENTITY_HANDLE h = e[k];
		CHECK_U(RtmReleaseEntities(v, 1, &h), ERROR_INVALID_HANDLE);
	}
	for (unsigned k = 0; k < N_OWNERS; k++)
		CHECK_U(RtmDeregisterEntity(e[k]), NO_ERROR);
	rtm_stats st = rt_stats(v);
	CHECK_U(st.entities, 1);
	CHECK_U(st.dests, 0);
	CHECK_U(st.routes, 0);
	CHECK_U(st.handles, 0);
	CHECK_U(RtmDeregisterEntity(v), NO_ERROR);
}

/* Threads' own counts, given and claimed from several threads at once
 * through the entity's shared counts: a claim that found the shared count
 * short moved the others' counts once and gave up, though the total was
 * enough (the others had taken the moved counts first); and a move added
 * the client references before the references, so a claim and its unref
 * could run in between and the unref was lost. */
enum { RACE_THREADS = 3, RACE_ROUNDS = 20000 };
static struct rtm_entity *race_e;
static RTM_ENTITY_HANDLE race_h;
static atomic_uint race_fails;

static void *race_main(void *arg)
{
	(void)arg;
	for (unsigned it = 0; it < RACE_ROUNDS; it++) {
		unsigned k = 1 + it % 5;
		for (unsigned i = 0; i < k; i++)
			rtm__entity_ref_client_local(race_e);
		if (!rtm__entity_claim_client_n(race_e->rib, race_h, k)) {
			atomic_fetch_add(&race_fails, 1);
			continue;
		}
		rtm__entity_unref_n(race_e, k);
	}
	return NULL;
}

static void test_counts_race(void)
{
	RTM_ENTITY_HANDLE v = rt_register(AF_INET, 99);
	race_h = rt_register(AF_INET, 10);
	REQUIRE(v && race_h);
	race_e = rtm__entity_from_handle(race_h);
	REQUIRE(race_e);
	unsigned refs0 = atomic_load(&race_e->refs);
	atomic_store(&race_fails, 0);
	pthread_t t[RACE_THREADS];
	for (unsigned i = 0; i < RACE_THREADS; i++)
		REQUIRE(pthread_create(&t[i], NULL, race_main, NULL) == 0);
	for (unsigned i = 0; i < RACE_THREADS; i++)
		pthread_join(t[i], NULL);
	CHECK_U(atomic_load(&race_fails), 0);
	CHECK_U(atomic_load(&race_e->client_refs), 0);
	CHECK_U(atomic_load(&race_e->refs), refs0);
	RTM_ENTITY_HANDLE h = race_h;
	CHECK_U(RtmReleaseEntities(v, 1, &h), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterEntity(race_h), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(v), NO_ERROR);
}

int main(void)
{
	RUN(test_failed_release_gives_back_once);
	RUN(test_counts_race);
	TEST_MAIN_END();
}
