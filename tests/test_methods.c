/*
 * test_methods.c — export methods (entity.c): RtmGetEntityMethods,
 * RtmInvokeMethod, RtmBlockMethods, and methods that deregister or block
 * their own entity.
 */
#include "rtmtest.h"

#include "events.h"

#include <errno.h>

/* ---- export methods ----------------------------------------------------------- */

static RTM_ENTITY_HANDLE seen_caller, seen_callee;
static unsigned calls[4];

/* Method i writes "m<i>:" followed by the input bytes, and status 1000 + i. */
static void method_body(unsigned i, RTM_ENTITY_HANDLE caller, RTM_ENTITY_HANDLE callee,
			RTM_ENTITY_METHOD_INPUT *in, RTM_ENTITY_METHOD_OUTPUT *out)
{
	seen_caller = caller;
	seen_callee = callee;
	calls[i]++;
	char text[64];
	int len = snprintf(text, sizeof(text), "m%u:%.*s", i, (int)in->InputSize, (const char *)in->InputData);
	if ((UINT)len > out->OutputSize) {
		out->MethodStatus = ERROR_INSUFFICIENT_BUFFER;
		out->OutputSize = 0;
		return;
	}
	memcpy(out->OutputData, text, (size_t)len);
	out->OutputSize = (UINT)len;
	out->MethodStatus = 1000 + i;
}

static VOID WINAPI m0(RTM_ENTITY_HANDLE a, RTM_ENTITY_HANDLE b, RTM_ENTITY_METHOD_INPUT *in,
		      RTM_ENTITY_METHOD_OUTPUT *out)
{
	method_body(0, a, b, in, out);
}

static VOID WINAPI m1(RTM_ENTITY_HANDLE a, RTM_ENTITY_HANDLE b, RTM_ENTITY_METHOD_INPUT *in,
		      RTM_ENTITY_METHOD_OUTPUT *out)
{
	method_body(1, a, b, in, out);
}

/* Sets nothing: the RTM's defaults show. */
static VOID WINAPI m2(RTM_ENTITY_HANDLE a, RTM_ENTITY_HANDLE b, RTM_ENTITY_METHOD_INPUT *in,
		      RTM_ENTITY_METHOD_OUTPUT *out)
{
	(void)a;
	(void)b;
	(void)in;
	calls[2]++;
	out->OutputSize = 0;
}

typedef union {
	RTM_ENTITY_EXPORT_METHODS m;
	char b[sizeof(RTM_ENTITY_EXPORT_METHODS) + 4 * sizeof(RTM_ENTITY_EXPORT_METHOD)];
} methods_buf;

/* An export table of n (at most 5) methods.  Methods is declared with one
 * element; the buffer has room for the rest, reached through a plain pointer. */
static void set_methods(methods_buf *mb, unsigned n, const RTM_ENTITY_EXPORT_METHOD *list)
{
	memset(mb, 0, sizeof(*mb));
	mb->m.NumMethods = n;
	RTM_ENTITY_EXPORT_METHOD *arr = mb->m.Methods;
	for (unsigned i = 0; i < n; i++)
		arr[i] = list[i];
}

static void three_methods(methods_buf *mb)
{
	set_methods(mb, 3, (const RTM_ENTITY_EXPORT_METHOD[]){ m0, m1, m2 });
}

typedef union {
	RTM_ENTITY_METHOD_INPUT in;
	char b[sizeof(RTM_ENTITY_METHOD_INPUT) + 32];
} input_buf;

static void set_input(input_buf *ib, DWORD type, const char *data)
{
	memset(ib, 0, sizeof(*ib));
	ib->in.MethodType = type;
	ib->in.InputSize = (UINT)strlen(data);
	memcpy(ib->in.InputData, data, strlen(data));
}

static size_t out_step(UINT size)
{
	return (offsetof(RTM_ENTITY_METHOD_OUTPUT, OutputData) + size + 7u) & ~(size_t)7u;
}

static void test_get_entity_methods(void)
{
	methods_buf mb;
	three_methods(&mb);
	RTM_ENTITY_HANDLE target, caller = rt_register(AF_INET, 1), none = rt_register(AF_INET, 3);
	REQUIRE(caller && none);
	REQUIRE(rt_register_ex(0, AF_INET, 2, 1, NULL, FALSE, &mb.m, &target, NULL) == NO_ERROR);
	/* The RTM keeps its own copy of the table. */
	memset(&mb, 0, sizeof(mb));
	RTM_ENTITY_EXPORT_METHOD got[4] = { 0 };
	UINT n = 4;
	CHECK_U(RtmGetEntityMethods(caller, target, NULL, got), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetEntityMethods(caller, target, &n, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetEntityMethods(caller, (RTM_ENTITY_HANDLE)0x88, &n, got), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEntityMethods(NULL, target, &n, got), ERROR_INVALID_HANDLE);
	/* Capacity 0 asks for the count. */
	n = 0;
	CHECK_U(RtmGetEntityMethods(caller, target, &n, NULL), NO_ERROR);
	CHECK_U(n, 3);
	n = 4;
	CHECK_U(RtmGetEntityMethods(caller, target, &n, got), NO_ERROR);
	CHECK_U(n, 3);
	CHECK(got[0] == m0 && got[1] == m1 && got[2] == m2 && got[3] == NULL);
	/* A short buffer holds what fits. */
	memset(got, 0, sizeof(got));
	n = 2;
	CHECK_U(RtmGetEntityMethods(caller, target, &n, got), ERROR_INSUFFICIENT_BUFFER);
	CHECK_U(n, 2);
	CHECK(got[0] == m0 && got[1] == m1 && got[2] == NULL);
	/* An entity without methods. */
	n = 4;
	CHECK_U(RtmGetEntityMethods(caller, none, &n, got), NO_ERROR);
	CHECK_U(n, 0);
	RtmDeregisterEntity(target);
	n = 4;
	CHECK_U(RtmGetEntityMethods(caller, target, &n, got), ERROR_INVALID_HANDLE);
	RtmDeregisterEntity(caller);
	RtmDeregisterEntity(none);
}

static void test_invoke_method(void)
{
	methods_buf mb;
	three_methods(&mb);
	RTM_ENTITY_HANDLE target, caller = rt_register(AF_INET, 1), other;
	REQUIRE(caller);
	REQUIRE(rt_register_ex(0, AF_INET, 2, 1, NULL, FALSE, &mb.m, &target, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET6, 2, 1, NULL, FALSE, &mb.m, &other, NULL) == NO_ERROR);
	input_buf ib;
	union {
		RTM_ENTITY_METHOD_OUTPUT out;
		char b[512];
	} ob;
	UINT size;

	set_input(&ib, METHOD_RIP2_OUTBOUND_INTF, "xy");
	size = sizeof(ob);
	CHECK_U(RtmInvokeMethod(caller, target, NULL, &size, &ob.out), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmInvokeMethod(caller, target, &ib.in, NULL, &ob.out), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmInvokeMethod(caller, target, &ib.in, &size, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmInvokeMethod(caller, NULL, &ib.in, &size, &ob.out), ERROR_INVALID_HANDLE);
	CHECK_U(RtmInvokeMethod((RTM_ENTITY_HANDLE)-1, target, &ib.in, &size, &ob.out), ERROR_INVALID_HANDLE);
	/* Methods of an entity in another family are not reachable from this one. */
	CHECK_U(RtmInvokeMethod(caller, other, &ib.in, &size, &ob.out), ERROR_INVALID_HANDLE);
	CHECK_U(calls[0] + calls[1] + calls[2], 0);

	/* Bit 1 calls Methods[1] only. */
	memset(&ob, 0xCC, sizeof(ob));
	size = sizeof(ob);
	CHECK_U(RtmInvokeMethod(caller, target, &ib.in, &size, &ob.out), NO_ERROR);
	CHECK_U(calls[1], 1);
	CHECK_U(calls[0] + calls[2], 0);
	CHECK(seen_caller == caller && seen_callee == target);
	CHECK_U(ob.out.MethodType, METHOD_RIP2_OUTBOUND_INTF);
	CHECK_U(ob.out.MethodStatus, 1001);
	CHECK_U(ob.out.OutputSize, 5);
	CHECK(memcmp(ob.out.OutputData, "m1:xy", 5) == 0);
	CHECK_U(size, out_step(5));

	/* Bits 0 and 2: two outputs, one after the other, 8-byte aligned. */
	set_input(&ib, 0x5, "abc");
	memset(&ob, 0xCC, sizeof(ob));
	size = sizeof(ob);
	CHECK_U(RtmInvokeMethod(caller, target, &ib.in, &size, &ob.out), NO_ERROR);
	CHECK_U(calls[0], 1);
	CHECK_U(calls[2], 1);
	CHECK_U(ob.out.MethodType, 0x1);
	CHECK_U(ob.out.MethodStatus, 1000);
	CHECK_U(ob.out.OutputSize, 6);
	CHECK(memcmp(ob.out.OutputData, "m0:abc", 6) == 0);
	RTM_ENTITY_METHOD_OUTPUT *second = (void *)(ob.b + out_step(6));
	CHECK_U(second->MethodType, 0x4);
	CHECK_U(second->MethodStatus, ERROR_NOT_SUPPORTED); /* m2 set no status */
	CHECK_U(second->OutputSize, 0);
	CHECK_U(size, out_step(6) + out_step(0));

	/* All methods; bits beyond NumMethods are ignored. */
	set_input(&ib, METHOD_TYPE_ALL_METHODS, "");
	size = sizeof(ob);
	CHECK_U(RtmInvokeMethod(caller, target, &ib.in, &size, &ob.out), NO_ERROR);
	CHECK_U(calls[0], 2);
	CHECK_U(calls[1], 2);
	CHECK_U(calls[2], 2);
	CHECK_U(size, out_step(3) + out_step(3) + out_step(0));
	RTM_ENTITY_METHOD_OUTPUT *third = (void *)(ob.b + 2 * out_step(3));
	CHECK_U(third->MethodType, 0x4);
	set_input(&ib, 0x30, "");
	size = sizeof(ob);
	CHECK_U(RtmInvokeMethod(caller, target, &ib.in, &size, &ob.out), NO_ERROR);
	CHECK_U(size, 0);
	CHECK_U(calls[0] + calls[1] + calls[2], 6);

	/* Room for the first output only: the rest are not called. */
	set_input(&ib, METHOD_TYPE_ALL_METHODS, "q");
	size = (UINT)out_step(4);
	CHECK_U(RtmInvokeMethod(caller, target, &ib.in, &size, &ob.out), ERROR_INSUFFICIENT_BUFFER);
	CHECK_U(calls[0], 3);
	CHECK_U(calls[1], 2);
	CHECK_U(size, out_step(4));
	CHECK(memcmp(ob.out.OutputData, "m0:q", 4) == 0);
	size = 4;
	CHECK_U(RtmInvokeMethod(caller, target, &ib.in, &size, &ob.out), ERROR_INSUFFICIENT_BUFFER);
	CHECK_U(size, 0);
	CHECK_U(calls[0], 3);

	/* A target without methods: nothing to call. */
	set_input(&ib, METHOD_TYPE_ALL_METHODS, "");
	size = sizeof(ob);
	CHECK_U(RtmInvokeMethod(target, caller, &ib.in, &size, &ob.out), NO_ERROR);
	CHECK_U(size, 0);

	/* A deregistered target, named by a handle still referenced. */
	RTM_ENTITY_HANDLE hs[2];
	UINT n = 2;
	REQUIRE(RtmGetRegisteredEntities(caller, &n, hs, NULL) == NO_ERROR && n == 2 && hs[1] == target);
	CHECK_U(RtmDeregisterEntity(target), NO_ERROR);
	size = sizeof(ob);
	CHECK_U(RtmInvokeMethod(caller, hs[1], &ib.in, &size, &ob.out), ERROR_INVALID_HANDLE);
	CHECK_U(calls[0], 3);
	CHECK_U(RtmReleaseEntities(caller, 2, hs), NO_ERROR);
	RtmDeregisterEntity(caller);
	RtmDeregisterEntity(other);
}

/* RtmBlockMethods: an invocation from another thread waits until resumed. */
struct invoker {
	RTM_ENTITY_HANDLE caller, target;
	pthread_mutex_t m;
	pthread_cond_t c;
	bool started, done;
	DWORD rc;
};

static void *invoke_thread(void *arg)
{
	struct invoker *iv = arg;
	input_buf ib;
	union {
		RTM_ENTITY_METHOD_OUTPUT out;
		char b[128];
	} ob;
	set_input(&ib, 0x1, "z");
	UINT size = sizeof(ob);
	pthread_mutex_lock(&iv->m);
	iv->started = true;
	pthread_cond_broadcast(&iv->c);
	pthread_mutex_unlock(&iv->m);
	DWORD rc = RtmInvokeMethod(iv->caller, iv->target, &ib.in, &size, &ob.out);
	pthread_mutex_lock(&iv->m);
	iv->rc = rc;
	iv->done = true;
	pthread_cond_broadcast(&iv->c);
	pthread_mutex_unlock(&iv->m);
	return NULL;
}

static unsigned calls_m0(void)
{
	pthread_mutex_lock(&ev_mutex);
	unsigned n = calls[0];
	pthread_mutex_unlock(&ev_mutex);
	return n;
}

static VOID WINAPI m0_locked(RTM_ENTITY_HANDLE a, RTM_ENTITY_HANDLE b, RTM_ENTITY_METHOD_INPUT *in,
			     RTM_ENTITY_METHOD_OUTPUT *out)
{
	pthread_mutex_lock(&ev_mutex);
	method_body(0, a, b, in, out);
	pthread_mutex_unlock(&ev_mutex);
}

static void test_block_methods(void)
{
	methods_buf mb;
	set_methods(&mb, 1, (const RTM_ENTITY_EXPORT_METHOD[]){ m0_locked });
	RTM_ENTITY_HANDLE target, caller = rt_register(AF_INET, 1);
	REQUIRE(caller);
	REQUIRE(rt_register_ex(0, AF_INET, 2, 1, NULL, FALSE, &mb.m, &target, NULL) == NO_ERROR);
	CHECK_U(RtmBlockMethods(target, NULL, 0, 2), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmBlockMethods(NULL, NULL, 0, RTM_BLOCK_METHODS), ERROR_INVALID_HANDLE);
	CHECK_U(RtmBlockMethods(target, NULL, 0, RTM_RESUME_METHODS), NO_ERROR); /* not blocked: no-op */

	CHECK_U(RtmBlockMethods(target, NULL, 0, RTM_BLOCK_METHODS), NO_ERROR);
	struct invoker iv = { .caller = caller, .target = target };
	pthread_mutex_init(&iv.m, NULL);
	pthread_cond_init(&iv.c, NULL);
	pthread_t t;
	REQUIRE(pthread_create(&t, NULL, invoke_thread, &iv) == 0);
	pthread_mutex_lock(&iv.m);
	while (!iv.started)
		pthread_cond_wait(&iv.c, &iv.m);
	pthread_mutex_unlock(&iv.m);
	/* Once the invocation waits in the library, it must not have run. */
	CHECK(rt_wait_waiters(target, RT_WAITING_INVOKES, 1, 20));
	pthread_mutex_lock(&iv.m);
	CHECK(!iv.done);
	pthread_mutex_unlock(&iv.m);
	CHECK_U(calls_m0(), 0);
	/* The owner itself is not blocked from other calls meanwhile. */
	CHECK_U(rt_stats(target).entities, 2);

	CHECK_U(RtmBlockMethods(target, NULL, 0, RTM_RESUME_METHODS), NO_ERROR);
	pthread_mutex_lock(&iv.m);
	while (!iv.done)
		if (rt_cond_wait_ms(&iv.c, &iv.m, 10000) == ETIMEDOUT)
			break;
	bool done = iv.done;
	pthread_mutex_unlock(&iv.m);
	CHECK(done);
	pthread_join(t, NULL);
	CHECK_U(iv.rc, NO_ERROR);
	CHECK_U(calls_m0(), 1);

	/* Blocked, then deregistered: the waiting invocation fails. */
	CHECK_U(RtmBlockMethods(target, NULL, 0, RTM_BLOCK_METHODS), NO_ERROR);
	iv.started = iv.done = false;
	REQUIRE(pthread_create(&t, NULL, invoke_thread, &iv) == 0);
	pthread_mutex_lock(&iv.m);
	while (!iv.started)
		pthread_cond_wait(&iv.c, &iv.m);
	pthread_mutex_unlock(&iv.m);
	CHECK(rt_wait_waiters(target, RT_WAITING_INVOKES, 1, 5));
	CHECK_U(RtmDeregisterEntity(target), NO_ERROR);
	pthread_join(t, NULL);
	CHECK_U(iv.rc, ERROR_INVALID_HANDLE);
	CHECK_U(calls_m0(), 1);
	RtmDeregisterEntity(caller);
}

/* Starts an invocation of the target's methods (bit 0) on another thread. */
static void invoker_start(struct invoker *iv, pthread_t *t)
{
	iv->started = iv->done = false;
	iv->rc = 0xDEAD;
	REQUIRE(pthread_create(t, NULL, invoke_thread, iv) == 0);
	pthread_mutex_lock(&iv->m);
	while (!iv->started)
		pthread_cond_wait(&iv->c, &iv->m);
	pthread_mutex_unlock(&iv->m);
}

/* Whether the invocation finished within ms milliseconds. */
static bool invoker_wait(struct invoker *iv, unsigned ms)
{
	pthread_mutex_lock(&iv->m);
	while (!iv->done)
		if (rt_cond_wait_ms(&iv->c, &iv->m, ms) == ETIMEDOUT)
			break;
	bool done = iv->done;
	pthread_mutex_unlock(&iv->m);
	return done;
}

/* RtmBlockMethods with a target handle: it must be a live destination,
 * route or next hop of the caller's instance (checked before anything
 * changes); a valid one blocks, or resumes, all of the caller's methods. */
static void test_block_methods_target(void)
{
	methods_buf mb;
	set_methods(&mb, 1, (const RTM_ENTITY_EXPORT_METHOD[]){ m0_locked });
	RTM_ENTITY_HANDLE target, far, caller = rt_register(AF_INET, 1);
	REQUIRE(caller);
	REQUIRE(rt_register_ex(0, AF_INET, 2, 1, NULL, FALSE, &mb.m, &target, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(3, AF_INET, 2, 1, NULL, FALSE, NULL, &far, NULL) == NO_ERROR);
	RTM_NEXTHOP_HANDLE nh = rt_nexthop(target, "10.0.0.1", 1);
	RTM_NEXTHOP_HANDLE gone = rt_nexthop(target, "10.0.0.2", 1);
	CHECK_U(RtmDeleteNextHop(target, gone, NULL), NO_ERROR); /* consumes the handle */
	RTM_ROUTE_HANDLE route, far_route;
	REQUIRE(rt_add_route(target, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, nh, NULL, &route, NULL) ==
		NO_ERROR);
	REQUIRE(rt_add_route(far, "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, &far_route,
			     NULL) == NO_ERROR);
	rt_route_buf rb;
	REQUIRE(rt_route_info(target, route, &rb) == NO_ERROR);
	RTM_DEST_HANDLE dest = rb.info.DestHandle;
	RTM_ROUTE_LIST_HANDLE list;
	REQUIRE(RtmCreateRouteList(target, &list) == NO_ERROR);

	/* Garbage, another kind, another instance, stale: refused, nothing blocked. */
	HANDLE bad[] = { (HANDLE)0x1234, (HANDLE)-1, (HANDLE)&mb, caller, target, list, far_route, gone };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_U(RtmBlockMethods(target, bad[i], 0, RTM_BLOCK_METHODS), ERROR_INVALID_HANDLE);
		CHECK_U(RtmBlockMethods(target, bad[i], 0, RTM_RESUME_METHODS), ERROR_INVALID_HANDLE);
	}
	/* The invalid-handle answer comes before the flag check, as for RtmRegHandle. */
	CHECK_U(RtmBlockMethods(target, bad[0], 0, 7), ERROR_INVALID_HANDLE);
	CHECK_U(RtmBlockMethods(target, nh, 0, 7), ERROR_INVALID_PARAMETER);
	struct invoker iv = { .caller = caller, .target = target };
	pthread_mutex_init(&iv.m, NULL);
	pthread_cond_init(&iv.c, NULL);
	pthread_t t;
	invoker_start(&iv, &t);
	bool done = invoker_wait(&iv, 10000);
	CHECK(done);
	if (!done) {
		RtmBlockMethods(target, NULL, 0, RTM_RESUME_METHODS);
		invoker_wait(&iv, 10000);
	}
	pthread_join(t, NULL);
	CHECK_U(iv.rc, NO_ERROR);
	CHECK_U(calls_m0(), 1);

	/* A valid target blocks every method of the caller, whatever the kind;
	 * a valid target of another kind resumes them all. */
	HANDLE blockers[] = { nh, route, dest };
	for (unsigned i = 0; i < 3; i++) {
		CHECK_U(RtmBlockMethods(target, blockers[i], 0, RTM_BLOCK_METHODS), NO_ERROR);
		invoker_start(&iv, &t);
		CHECK(rt_wait_waiters(target, RT_WAITING_INVOKES, 1, 20));
		CHECK(!invoker_wait(&iv, 0));
		CHECK_U(calls_m0(), 1 + i);
		CHECK_U(RtmBlockMethods(target, blockers[(i + 1) % 3], 0, RTM_RESUME_METHODS), NO_ERROR);
		CHECK(invoker_wait(&iv, 10000));
		pthread_join(t, NULL);
		CHECK_U(iv.rc, NO_ERROR);
		CHECK_U(calls_m0(), 2 + i);
	}
	CHECK_U(RtmReleaseRouteInfo(target, &rb.info), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(target), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(far), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(caller), NO_ERROR);
}

/* Methods that call RtmDeregisterEntity / RtmBlockMethods on their own
 * entity, and one that holds its thread until let go. */
static pthread_mutex_t gate_m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_c = PTHREAD_COND_INITIALIZER;
static bool slow_entered, slow_open, slow_finished, finished_before_dereg;
static DWORD self_rc = 0xDEAD;

static VOID WINAPI m_self_dereg(RTM_ENTITY_HANDLE a, RTM_ENTITY_HANDLE callee,
				RTM_ENTITY_METHOD_INPUT *in, RTM_ENTITY_METHOD_OUTPUT *out)
{
	(void)a;
	(void)in;
	DWORD rc = RtmDeregisterEntity(callee);
	pthread_mutex_lock(&gate_m);
	self_rc = rc;
	finished_before_dereg = slow_finished;
	pthread_mutex_unlock(&gate_m);
	memcpy(out->OutputData, "bye", 3);
	out->OutputSize = 3;
	out->MethodStatus = NO_ERROR;
}

static VOID WINAPI m_self_block(RTM_ENTITY_HANDLE a, RTM_ENTITY_HANDLE callee,
				RTM_ENTITY_METHOD_INPUT *in, RTM_ENTITY_METHOD_OUTPUT *out)
{
	(void)a;
	(void)in;
	DWORD rc = RtmBlockMethods(callee, NULL, 0, RTM_BLOCK_METHODS);
	pthread_mutex_lock(&gate_m);
	self_rc = rc;
	pthread_mutex_unlock(&gate_m);
	out->OutputSize = 0;
	out->MethodStatus = NO_ERROR;
}

static VOID WINAPI m_slow(RTM_ENTITY_HANDLE a, RTM_ENTITY_HANDLE callee, RTM_ENTITY_METHOD_INPUT *in,
			  RTM_ENTITY_METHOD_OUTPUT *out)
{
	(void)a;
	(void)callee;
	(void)in;
	pthread_mutex_lock(&gate_m);
	slow_entered = true;
	pthread_cond_broadcast(&gate_c);
	while (!slow_open)
		pthread_cond_wait(&gate_c, &gate_m);
	slow_finished = true;
	pthread_mutex_unlock(&gate_m);
	out->OutputSize = 0;
	out->MethodStatus = NO_ERROR;
}

/* Invokes the method(s) of `type` with a 64-byte output buffer, on its own thread. */
struct self_call {
	RTM_ENTITY_HANDLE caller, target;
	DWORD type;
	DWORD rc;
	UINT size;
	char out[64];
};

static void *self_call_thread(void *arg)
{
	struct self_call *sc = arg;
	input_buf ib;
	union {
		RTM_ENTITY_METHOD_OUTPUT out;
		char b[128];
	} ob;
	set_input(&ib, sc->type, "");
	UINT size = sizeof(ob);
	memset(&ob, 0, sizeof(ob));
	sc->rc = RtmInvokeMethod(sc->caller, sc->target, &ib.in, &size, &ob.out);
	sc->size = size;
	memcpy(sc->out, ob.out.OutputData, sizeof(sc->out));
	return NULL;
}

/* Joins t if it ends within ms milliseconds. */
static bool join_within(pthread_t t, unsigned ms)
{
	struct timespec ts = rt_deadline_ms(ms);
	return pthread_timedjoin_np(t, NULL, &ts) == 0;
}

/* An entity's own method deregisters it: the call does not wait for the
 * invocation it is made from (it used to wait forever), but it still waits
 * for the entity's methods running on other threads. */
static void test_method_deregisters_itself(void)
{
	methods_buf mb;
	set_methods(&mb, 2, (const RTM_ENTITY_EXPORT_METHOD[]){ m_self_dereg, m_slow });
	RTM_ENTITY_HANDLE caller, target;
	n_evs = 0;
	REQUIRE(rt_register_ex(0, AF_INET, 1, 1, record_cb, FALSE, NULL, &caller, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 2, 1, NULL, FALSE, &mb.m, &target, NULL) == NO_ERROR);
	REQUIRE(n_evs == 1);

	/* Thread A is inside the slow method when thread B's method deregisters. */
	struct self_call a = { .caller = caller, .target = target, .type = 0x2 };
	struct self_call b = { .caller = caller, .target = target, .type = 0x1 };
	pthread_t ta, tb;
	REQUIRE(pthread_create(&ta, NULL, self_call_thread, &a) == 0);
	pthread_mutex_lock(&gate_m);
	while (!slow_entered)
		pthread_cond_wait(&gate_c, &gate_m);
	pthread_mutex_unlock(&gate_m);
	REQUIRE(pthread_create(&tb, NULL, self_call_thread, &b) == 0);
	/* B waits for A's method, on another thread, to finish. */
	CHECK(rt_wait_waiters(caller, RT_WAITING_DRAINS, 1, 30));
	CHECK(!join_within(tb, 0));
	pthread_mutex_lock(&gate_m);
	CHECK_U(self_rc, 0xDEAD);
	slow_open = true;
	pthread_cond_broadcast(&gate_c);
	pthread_mutex_unlock(&gate_m);
	CHECK(join_within(ta, 10000));
	bool b_done = join_within(tb, 10000);
	CHECK(b_done); /* before the fix: B waited for itself forever */
	REQUIRE(b_done);
	CHECK_U(a.rc, NO_ERROR);
	CHECK_U(self_rc, NO_ERROR);
	CHECK(finished_before_dereg);
	CHECK_U(b.rc, NO_ERROR);
	CHECK_U(b.size, out_step(3));
	CHECK(memcmp(b.out, "bye", 3) == 0);
	/* The target is gone, and the caller was told. */
	RTM_ENTITY_INFO ei;
	CHECK_U(RtmGetEntityInfo(caller, target, &ei), ERROR_INVALID_HANDLE);
	CHECK_U(rt_stats(caller).entities, 1);
	REQUIRE(n_evs == 2);
	CHECK(evs[1].to == caller && evs[1].c1 == target && evs[1].type == RTM_ENTITY_DEREGISTERED);
	CHECK_U(evs[1].info.EntityId.EntityProtocolId, 2);
	CHECK_U(RtmDeregisterEntity(target), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterEntity(caller), NO_ERROR);
}

static int after_dereg_calls;

static VOID WINAPI m_count(RTM_ENTITY_HANDLE a, RTM_ENTITY_HANDLE callee, RTM_ENTITY_METHOD_INPUT *in,
			   RTM_ENTITY_METHOD_OUTPUT *out)
{
	(void)a;
	(void)callee;
	(void)in;
	after_dereg_calls++;
	out->OutputSize = 0;
	out->MethodStatus = NO_ERROR;
}

/* Methods 0 and 1 asked at once, and method 0 deregisters its entity: method
 * 1 is not called (no method of a deregistered entity starts). */
static void test_no_method_after_self_deregistration(void)
{
	methods_buf mb;
	set_methods(&mb, 2, (const RTM_ENTITY_EXPORT_METHOD[]){ m_self_dereg, m_count });
	RTM_ENTITY_HANDLE caller, target;
	REQUIRE(rt_register_ex(0, AF_INET, 1, 1, NULL, FALSE, NULL, &caller, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 2, 1, NULL, FALSE, &mb.m, &target, NULL) == NO_ERROR);
	after_dereg_calls = 0;
	struct self_call c = { .caller = caller, .target = target, .type = 0x3 };
	self_call_thread(&c);
	CHECK_U(c.rc, NO_ERROR);
	CHECK_U(self_rc, NO_ERROR);
	CHECK_U(after_dereg_calls, 0);
	CHECK_U(c.size, out_step(3)); /* method 0's output only */
	CHECK(memcmp(c.out, "bye", 3) == 0);
	CHECK_U(RtmDeregisterEntity(caller), NO_ERROR);
}

/* An entity's own method blocks its methods: the call does not wait for the
 * invocation it is made from, and the block holds for everyone afterwards. */
static void test_method_blocks_itself(void)
{
	methods_buf mb;
	set_methods(&mb, 1, (const RTM_ENTITY_EXPORT_METHOD[]){ m_self_block });
	RTM_ENTITY_HANDLE caller = rt_register(AF_INET, 1), target;
	REQUIRE(caller);
	REQUIRE(rt_register_ex(0, AF_INET, 2, 1, NULL, FALSE, &mb.m, &target, NULL) == NO_ERROR);
	struct self_call a = { .caller = caller, .target = target, .type = 0x1 };
	pthread_t ta;
	REQUIRE(pthread_create(&ta, NULL, self_call_thread, &a) == 0);
	bool done = join_within(ta, 10000);
	CHECK(done); /* before the fix: it waited for itself forever */
	REQUIRE(done);
	CHECK_U(a.rc, NO_ERROR);
	CHECK_U(self_rc, NO_ERROR);
	CHECK_U(a.size, out_step(0));
	/* Blocked now: the next invocation waits until the owner resumes. */
	REQUIRE(pthread_create(&ta, NULL, self_call_thread, &a) == 0);
	CHECK(rt_wait_waiters(caller, RT_WAITING_INVOKES, 1, 20));
	CHECK(!join_within(ta, 0));
	CHECK_U(RtmBlockMethods(target, NULL, 0, RTM_RESUME_METHODS), NO_ERROR);
	/* The method blocks again on its way out; resume from here once more. */
	CHECK(join_within(ta, 10000));
	CHECK_U(a.rc, NO_ERROR);
	CHECK_U(RtmBlockMethods(target, NULL, 0, RTM_RESUME_METHODS), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(target), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(caller), NO_ERROR);
}

int main(void)
{
	RUN(test_get_entity_methods);
	RUN(test_invoke_method);
	RUN(test_block_methods);
	RUN(test_block_methods_target);
	RUN(test_method_deregisters_itself);
	RUN(test_no_method_after_self_deregistration);
	RUN(test_method_blocks_itself);
	TEST_MAIN_END();
}
