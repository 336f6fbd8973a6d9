/*
 * test_mt_entity.c — entity handles in use on one thread while the entity
 * deregisters on another and a newcomer takes its slot (run under TSan by
 * `make check-tsan`).
 *
 * A churn thread registers entity B_i (exporting method "odd" or "even" by
 * the parity of i, with EntityInstanceId i + 1), publishes its handle, and
 * deregisters it; B_i+1 then takes B_i's slot with a new generation.  Reader
 * threads keep calling RtmGetEntityMethods, RtmGetEntityInfo and
 * RtmInvokeMethod with recently published handles, live or already stale.
 * Each call must fail with ERROR_INVALID_HANDLE or answer for the very
 * entity its handle named: never for the successor in the slot, and never
 * from the export table freed by the deregistration (which TSan and ASan
 * see as a race or a use after free).
 */
#include "rtmtest.h"

#include <sched.h>
#include <stdatomic.h>

enum { ROUNDS = 2000, READERS = 2 };

struct rec {
	RTM_ENTITY_HANDLE h;
	RTM_ENTITY_EXPORT_METHOD m;
	ULONG inst;
};

static struct rec recs[ROUNDS];
static atomic_uint published; /* recs[0 .. published) are written */
static atomic_bool churn_done;
static atomic_uint answered, refused, readers_ready, calls;
static RTM_ENTITY_HANDLE observer;

static void say(RTM_ENTITY_METHOD_OUTPUT *out, const char *what)
{
	size_t len = strlen(what);
	if (out->OutputSize < len) {
		out->OutputSize = 0;
		return;
	}
	memcpy(out->OutputData, what, len);
	out->OutputSize = (UINT)len;
	out->MethodStatus = NO_ERROR;
}

static VOID WINAPI m_odd(RTM_ENTITY_HANDLE a, RTM_ENTITY_HANDLE b, RTM_ENTITY_METHOD_INPUT *in,
			 RTM_ENTITY_METHOD_OUTPUT *out)
{
	(void)a;
	(void)b;
	(void)in;
	say(out, "odd");
}

static VOID WINAPI m_even(RTM_ENTITY_HANDLE a, RTM_ENTITY_HANDLE b, RTM_ENTITY_METHOD_INPUT *in,
			  RTM_ENTITY_METHOD_OUTPUT *out)
{
	(void)a;
	(void)b;
	(void)in;
	say(out, "even");
}

static void *churn_thread(void *arg)
{
	(void)arg;
	while (atomic_load(&readers_ready) < READERS)
		sched_yield();
	for (unsigned i = 0; i < ROUNDS; i++) {
		RTM_ENTITY_EXPORT_METHODS em;
		em.NumMethods = 1;
		em.Methods[0] = i % 2 ? m_odd : m_even;
		RTM_ENTITY_HANDLE h = NULL;
		DWORD rc = rt_register_ex(0, AF_INET, 2, i + 1, NULL, FALSE, &em, &h, NULL);
		T_CHECK(rc == NO_ERROR);
		if (rc != NO_ERROR)
			break;
		recs[i] = (struct rec){ h, em.Methods[0], i + 1 };
		atomic_store_explicit(&published, i + 1, memory_order_release);
		/* Let the readers start a few calls on the live handle: the
		 * deregistration then races with them. */
		unsigned c0 = atomic_load(&calls);
		for (unsigned spin = 0; atomic_load(&calls) < c0 + READERS && spin < 100000; spin++)
			sched_yield();
		T_CHECK(RtmDeregisterEntity(h) == NO_ERROR);
	}
	atomic_store(&churn_done, true);
	return NULL;
}

static void check_methods(const struct rec *r)
{
	RTM_ENTITY_EXPORT_METHOD got[4] = { 0 };
	UINT n = 4;
	DWORD rc = RtmGetEntityMethods(observer, r->h, &n, got);
	if (rc == NO_ERROR) {
		T_CHECK(n == 1);
		T_CHECK(got[0] == r->m);
		atomic_fetch_add(&answered, 1);
	} else {
		T_CHECK(rc == ERROR_INVALID_HANDLE);
		atomic_fetch_add(&refused, 1);
	}
}

static void check_info(const struct rec *r)
{
	RTM_ENTITY_INFO ei;
	memset(&ei, 0, sizeof(ei));
	DWORD rc = RtmGetEntityInfo(observer, r->h, &ei);
	if (rc == NO_ERROR) {
		T_CHECK(ei.EntityId.EntityProtocolId == 2);
		T_CHECK(ei.EntityId.EntityInstanceId == r->inst);
		atomic_fetch_add(&answered, 1);
	} else {
		T_CHECK(rc == ERROR_INVALID_HANDLE);
		atomic_fetch_add(&refused, 1);
	}
}

static void check_invoke(const struct rec *r)
{
	union {
		RTM_ENTITY_METHOD_INPUT in;
		char b[sizeof(RTM_ENTITY_METHOD_INPUT) + 8];
	} ib;
	union {
		RTM_ENTITY_METHOD_OUTPUT out;
		char b[128];
	} ob;
	memset(&ib, 0, sizeof(ib));
	memset(&ob, 0, sizeof(ob));
	ib.in.MethodType = 0x1;
	UINT size = sizeof(ob);
	DWORD rc = RtmInvokeMethod(observer, r->h, &ib.in, &size, &ob.out);
	if (rc == NO_ERROR) {
		const char *want = r->m == m_odd ? "odd" : "even";
		T_CHECK(size > 0);
		T_CHECK(ob.out.OutputSize == strlen(want));
		T_CHECK(memcmp(ob.out.OutputData, want, strlen(want)) == 0);
		atomic_fetch_add(&answered, 1);
	} else {
		T_CHECK(rc == ERROR_INVALID_HANDLE);
		atomic_fetch_add(&refused, 1);
	}
}

static void *reader_thread(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	atomic_fetch_add(&readers_ready, 1);
	while (!atomic_load(&churn_done)) {
		unsigned n = atomic_load_explicit(&published, memory_order_acquire);
		if (n == 0)
			continue;
		/* Mostly the newest handle (often live), sometimes an older one. */
		seed = seed * 1103515245u + 12345u;
		unsigned back = (seed >> 16) % 4;
		const struct rec *r = &recs[n - 1 - (back < n ? back : 0)];
		atomic_fetch_add(&calls, 1);
		switch ((seed >> 8) % 3) {
		case 0:
			check_methods(r);
			break;
		case 1:
			check_info(r);
			break;
		default:
			check_invoke(r);
			break;
		}
	}
	return NULL;
}

static void test_stale_entity_handles(void)
{
	REQUIRE(rt_register_ex(0, AF_INET, 1, 1, NULL, FALSE, NULL, &observer, NULL) == NO_ERROR);
	pthread_t churn, readers[READERS];
	REQUIRE(pthread_create(&churn, NULL, churn_thread, NULL) == 0);
	for (unsigned i = 0; i < READERS; i++)
		REQUIRE(pthread_create(&readers[i], NULL, reader_thread, (void *)(uintptr_t)(i + 1)) == 0);
	pthread_join(churn, NULL);
	for (unsigned i = 0; i < READERS; i++)
		pthread_join(readers[i], NULL);
	CHECK_U(atomic_load(&rt_thread_errors), 0);
	CHECK_U(atomic_load(&published), ROUNDS);
	/* Both answers happened: the race was run, not avoided. */
	CHECK(atomic_load(&answered) > 0);
	CHECK(atomic_load(&refused) > 0);
	/* Every handle is stale now, and the table holds the observer alone. */
	for (unsigned i = 0; i < ROUNDS; i += 97)
		check_info(&recs[i]);
	CHECK_U(atomic_load(&rt_thread_errors), 0);
	CHECK_U(rt_stats(observer).entities, 1);
	CHECK_U(RtmDeregisterEntity(observer), NO_ERROR);
}

int main(void)
{
	RUN(test_stale_entity_handles);
	TEST_MAIN_END();
}
