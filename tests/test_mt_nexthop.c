/*
 * test_mt_nexthop.c — RtmGetNextHopInfo racing the next hop's writers sees
 * only records the next hop had (under TSan too: `make check-tsan` runs
 * every tests/test_mt_*.c).
 *
 * RtmGetNextHopInfo takes no lock a writer holds (api/nexthop.c): it copies
 * the record inside an epoch section and checks the next hop's sequence
 * count.  Its owner may also edit the record in place while holding the next
 * hop locked exclusively, which opens no count: readers must keep off it
 * then.  So the owner's thread changes Flags and EntitySpecificInfo as a
 * pair, with version v: Flags = F(v), EntitySpecificInfo = E(F(v)); by
 * RtmAddNextHop (an update by handle) and, every third time, in place under
 * RtmLockNextHop, yielding between the two stores.  It also deletes and adds
 * again a second next hop.  Two readers copy both records and check each is
 * whole: the pair agrees, the address, interface, owner and state are the
 * next hop's, and every release succeeds.
 *
 * RtmGetEnumNextHops is lock-free too: a third thread enumerates the
 * owner's next hops (STABLE of them never change) in small batches while
 * the writer adds and deletes a run of others (the array grows, and entries
 * move under the reader): every pass comes in strictly increasing order and
 * has each stable next hop exactly once.  Run lengths are counts; no timing
 * is asserted.
 */
#define TL_TIMEOUT_S 120 /* a deadlock fails the test; it takes seconds */
#include "rtmtest.h"

#include <sched.h>

#ifdef TL_SLOW
enum { WRITER_OPS = 20000, READER_MIN = 20000, READER_MAX = 200000 };
#else
enum { WRITER_OPS = 60000, READER_MIN = 60000, READER_MAX = 1000000 };
#endif

enum { STABLE = 60, RUN = 40 };

static struct {
	RTM_ENTITY_HANDLE owner;
	RTM_NEXTHOP_HANDLE stable[STABLE];
	RTM_NEXTHOP_HANDLE nh;        /* updated */
	RTM_NET_ADDRESS addr, addr2;  /* the updated one's and the churned one's */
	atomic_bool writer_done;
} g;

/* Flags of version v (the low two bits, REMOTE and DOWN, stay clear) and the
 * EntitySpecificInfo that goes with them. */
static USHORT flags_of(unsigned v) { return (USHORT)((v % 16000u) << 2); }
static PVOID esi_of(USHORT f) { return (PVOID)(uintptr_t)(f * 7u + 3u); }

static void fill(RTM_NEXTHOP_INFO *ni, const RTM_NET_ADDRESS *a, unsigned v)
{
	memset(ni, 0, sizeof(*ni));
	ni->NextHopAddress = *a;
	ni->InterfaceIndex = 7;
	ni->Flags = flags_of(v);
	ni->EntitySpecificInfo = esi_of(ni->Flags);
}

static void *writer_main(void *arg)
{
	(void)arg;
	for (unsigned v = 1; v <= WRITER_OPS; v++) {
		if (v % 3 == 0) {
			PRTM_NEXTHOP_INFO p = NULL;
			T_CHECK(RtmLockNextHop(g.owner, g.nh, TRUE, TRUE, &p) == NO_ERROR && p);
			if (p) {
				p->Flags = flags_of(v);
				sched_yield(); /* a reader in between would see half an edit */
				p->EntitySpecificInfo = esi_of(p->Flags);
			}
			T_CHECK(RtmLockNextHop(g.owner, g.nh, TRUE, FALSE, NULL) == NO_ERROR);
		} else {
			RTM_NEXTHOP_INFO ni;
			fill(&ni, &g.addr, v);
			RTM_NEXTHOP_HANDLE h = g.nh;
			RTM_NEXTHOP_CHANGE_FLAGS fl = 0;
			T_CHECK(RtmAddNextHop(g.owner, &ni, &h, &fl) == NO_ERROR && h == g.nh);
		}
		if (v % 256 == 0) { /* a run of next hops among the stable ones comes and goes */
			RTM_NEXTHOP_HANDLE run[RUN];
			for (unsigned k = 0; k < RUN; k++) {
				RTM_NEXTHOP_INFO ni;
				RTM_NET_ADDRESS a = rt_addr("10.0.0.0", 32);
				a.AddrBits[3] = (UCHAR)(2 * k + 1); /* between stable 2k and 2k+2 */
				fill(&ni, &a, v);
				RTM_NEXTHOP_CHANGE_FLAGS fl = 0;
				run[k] = NULL;
				T_CHECK(RtmAddNextHop(g.owner, &ni, &run[k], &fl) == NO_ERROR && run[k]);
			}
			for (unsigned k = 0; k < RUN; k++)
				T_CHECK(RtmDeleteNextHop(g.owner, run[k], NULL) == NO_ERROR);
		}
		if (v % 16 == 0) { /* the second next hop comes and goes */
			RTM_NEXTHOP_INFO ni;
			fill(&ni, &g.addr2, v);
			RTM_NEXTHOP_HANDLE h = NULL;
			RTM_NEXTHOP_CHANGE_FLAGS fl = 0;
			T_CHECK(RtmAddNextHop(g.owner, &ni, &h, &fl) == NO_ERROR && h);
			T_CHECK(RtmDeleteNextHop(g.owner, h, NULL) == NO_ERROR); /* consumes h */
		}
	}
	atomic_store(&g.writer_done, true);
	return NULL;
}

/* One copy of next hop h (address a): whole, and released. */
static void check_copy(RTM_ENTITY_HANDLE e, RTM_NEXTHOP_HANDLE h, const RTM_NET_ADDRESS *a, bool churned)
{
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0xA5, sizeof(ni));
	DWORD rc = RtmGetNextHopInfo(e, h, &ni);
	T_CHECK(rc == NO_ERROR);
	if (rc != NO_ERROR)
		return;
	T_CHECK(rt_addr_eq(&ni.NextHopAddress, a) && ni.InterfaceIndex == 7);
	T_CHECK(ni.NextHopOwner == g.owner && ni.RemoteNextHop == NULL);
	T_CHECK((ni.Flags & 3u) == 0 && ni.EntitySpecificInfo == esi_of(ni.Flags));
	if (churned)
		T_CHECK(ni.State == RTM_NEXTHOP_STATE_CREATED || ni.State == RTM_NEXTHOP_STATE_DELETED);
	else
		T_CHECK(ni.State == RTM_NEXTHOP_STATE_CREATED);
	T_CHECK(RtmReleaseNextHopInfo(e, &ni) == NO_ERROR);
}

static void *reader_main(void *arg)
{
	RTM_ENTITY_HANDLE e = arg;
	unsigned op = 0, found = 0;
	for (; op < READER_MIN || (op < READER_MAX && !atomic_load(&g.writer_done)); op++) {
		check_copy(e, g.nh, &g.addr, false);
		if (op % 8 != 0)
			continue;
		/* The churned one, by the owner's key: a handle found is held, so
		 * the next hop stays, deleted or not, until it is released. */
		RTM_NEXTHOP_INFO key;
		fill(&key, &g.addr2, 0);
		RTM_NEXTHOP_HANDLE h = NULL;
		DWORD rc = RtmFindNextHop(g.owner, &key, &h, NULL);
		T_CHECK(rc == NO_ERROR || rc == ERROR_NOT_FOUND);
		if (rc == NO_ERROR) {
			found++;
			check_copy(e, h, &g.addr2, true);
			T_CHECK(RtmReleaseNextHops(g.owner, 1, &h) == NO_ERROR);
		}
	}
	printf("  reader: %u copies, %u of the churned next hop\n", op, found);
	return NULL;
}

/* (address, interface) order of two next-hop records. */
static int key_cmp(const RTM_NEXTHOP_INFO *a, const RTM_NEXTHOP_INFO *b)
{
	int c = memcmp(a->NextHopAddress.AddrBits, b->NextHopAddress.AddrBits, 4);
	if (c)
		return c;
	return a->InterfaceIndex < b->InterfaceIndex ? -1 : a->InterfaceIndex > b->InterfaceIndex;
}

static void *enumerator_main(void *arg)
{
	(void)arg;
	unsigned passes = 0;
	while (passes < 20 || (passes < 100000 && !atomic_load(&g.writer_done))) {
		RTM_ENUM_HANDLE h = NULL;
		T_CHECK(RtmCreateNextHopEnum(g.owner, RTM_ENUM_START, NULL, &h) == NO_ERROR);
		unsigned seen_stable[STABLE] = { 0 }, total = 0;
		RTM_NEXTHOP_INFO prev;
		bool have_prev = false;
		for (;;) {
			RTM_NEXTHOP_HANDLE b[7];
			UINT n = 7;
			DWORD rc = RtmGetEnumNextHops(g.owner, h, &n, b);
			if (rc == ERROR_NO_MORE_ITEMS)
				break;
			T_CHECK(rc == NO_ERROR && n >= 1 && n <= 7);
			if (rc != NO_ERROR)
				break;
			for (UINT i = 0; i < n; i++) {
				RTM_NEXTHOP_INFO ni;
				T_CHECK(RtmGetNextHopInfo(g.owner, b[i], &ni) == NO_ERROR);
				T_CHECK(!have_prev || key_cmp(&prev, &ni) < 0);
				prev = ni;
				have_prev = true;
				for (unsigned k = 0; k < STABLE; k++)
					seen_stable[k] += b[i] == g.stable[k];
				T_CHECK(RtmReleaseNextHopInfo(g.owner, &ni) == NO_ERROR);
				total++;
			}
			T_CHECK(RtmReleaseNextHops(g.owner, n, b) == NO_ERROR);
		}
		for (unsigned k = 0; k < STABLE; k++)
			T_CHECK(seen_stable[k] == 1);
		T_CHECK(total >= STABLE + 1 && total <= STABLE + 2 + RUN);
		T_CHECK(RtmDeleteEnumHandle(g.owner, h) == NO_ERROR);
		passes++;
	}
	printf("  enumerator: %u passes\n", passes);
	return NULL;
}

static void test_copies_are_whole(void)
{
	memset(&g, 0, sizeof(g));
	RTM_ENTITY_HANDLE r[2];
	g.owner = rt_register(AF_INET, 10);
	r[0] = rt_register(AF_INET, 20);
	r[1] = rt_register(AF_INET, 30);
	REQUIRE(g.owner && r[0] && r[1]);
	g.addr = rt_addr("192.0.2.1", 32);
	g.addr2 = rt_addr("192.0.2.2", 32);
	RTM_NEXTHOP_INFO ni;
	fill(&ni, &g.addr, 0);
	RTM_NEXTHOP_CHANGE_FLAGS fl = 0;
	REQUIRE(RtmAddNextHop(g.owner, &ni, &g.nh, &fl) == NO_ERROR && g.nh);
	for (unsigned k = 0; k < STABLE; k++) {
		RTM_NET_ADDRESS a = rt_addr("10.0.0.0", 32);
		a.AddrBits[3] = (UCHAR)(2 * k);
		fill(&ni, &a, 0);
		REQUIRE(RtmAddNextHop(g.owner, &ni, &g.stable[k], &fl) == NO_ERROR && g.stable[k]);
	}

	pthread_t w, rd[2], en;
	REQUIRE(pthread_create(&en, NULL, enumerator_main, NULL) == 0);
	REQUIRE(pthread_create(&rd[0], NULL, reader_main, r[0]) == 0);
	REQUIRE(pthread_create(&rd[1], NULL, reader_main, r[1]) == 0);
	REQUIRE(pthread_create(&w, NULL, writer_main, NULL) == 0);
	pthread_join(w, NULL);
	pthread_join(rd[0], NULL);
	pthread_join(rd[1], NULL);
	pthread_join(en, NULL);
	CHECK_U(atomic_load(&rt_thread_errors), 0);

	/* The last write is what a copy shows now. */
	RTM_NEXTHOP_INFO now;
	CHECK_U(RtmGetNextHopInfo(r[0], g.nh, &now), NO_ERROR);
	CHECK_U(now.Flags, flags_of(WRITER_OPS));
	CHECK(now.EntitySpecificInfo == esi_of(flags_of(WRITER_OPS)));
	CHECK_U(RtmReleaseNextHopInfo(r[0], &now), NO_ERROR);
	/* Nothing is left behind: the churned next hop is freed. */
	CHECK_U(RtmReleaseNextHops(g.owner, 1, &g.nh), NO_ERROR);
	CHECK_U(RtmReleaseNextHops(g.owner, STABLE, g.stable), NO_ERROR);
	RTM_NEXTHOP_INFO key;
	fill(&key, &g.addr2, 0);
	RTM_NEXTHOP_HANDLE h = NULL;
	CHECK_U(RtmFindNextHop(g.owner, &key, &h, NULL), ERROR_NOT_FOUND);
	rtm_stats st = rt_stats(g.owner);
	CHECK_U(st.next_hops, 1 + STABLE);
	CHECK_U(st.handles, 1 + STABLE); /* the next hops' slots */
	CHECK_U(RtmDeregisterEntity(r[0]), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(r[1]), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(g.owner), NO_ERROR);
}

int main(void)
{
	RUN(test_copies_are_whole);
	TEST_MAIN_END();
}
