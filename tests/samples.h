/*
 * samples.h — shared by test_samples.c, test_samples2.c and test_samples3.c,
 * which rewrite the sample programs of Microsoft's RTMv2 programming guide
 * ("Using Routing Table Manager Version 2") and the examples of the
 * address-macro reference pages as tests: each follows its sample's call
 * sequence and checks what the sample relies on.  docs/API-NOTES.md,
 * "Microsoft's sample programs", lists them and what each sample gets wrong
 * as printed.
 *
 * Every test runs with a timeout: the harness's per-test deadline where
 * testlib.h has one (TL_TIMEOUT_S), else an alarm() armed in the forked
 * child (not with RTM_TEST_NOFORK=1, which runs in process for a debugger),
 * so that a test that hangs dies and is reported as failed.
 */
#ifndef RTM_TEST_SAMPLES_H
#define RTM_TEST_SAMPLES_H

#include <rtmv2.h>
#include <routprot.h>

#include "rtmtest.h"

#include <signal.h>
#include <unistd.h>

#ifdef TL_TIMEOUT_S
/* The harness kills a forked test at its deadline. */
#define RUN_TIMED(fn) RUN(fn)
#else
#define SMP_TIMEOUT_S 120

static void (*smp_test)(void);

static void smp_timed(void)
{
	const char *nofork = getenv("RTM_TEST_NOFORK");
	bool forked = !(nofork && *nofork == '1');
	if (forked)
		alarm(SMP_TIMEOUT_S);
	smp_test();
	if (forked)
		alarm(0);
}

/* RUN with a timeout; the test keeps its own name for RTM_TEST_ONLY. */
#define RUN_TIMED(fn)                           \
	do {                                    \
		smp_test = (fn);                \
		tl_run(#fn, smp_timed);         \
	} while (0)
#endif

/* Instance 0, AF_INET, (proto, inst): what every sample registers. */
static inline RTM_ENTITY_INFO smp_entity_info(ULONG proto, ULONG inst)
{
	RTM_ENTITY_INFO i;
	memset(&i, 0, sizeof(i));
	i.RtmInstanceId = 0;
	i.AddressFamily = AF_INET;
	i.EntityId.EntityProtocolId = proto;
	i.EntityId.EntityInstanceId = inst;
	return i;
}

/* Entry i of an array of RTM_DEST_INFO laid out size bytes apart. */
static inline PRTM_DEST_INFO smp_dest_at(PRTM_DEST_INFO base, UINT i, size_t size)
{
	return (PRTM_DEST_INFO)(void *)((PUCHAR)base + i * size);
}

/* Polls until the exact destination is gone (no route, no hold-down) or ms
 * pass; true if it went. */
static inline bool smp_wait_dest_gone(RTM_ENTITY_HANDLE e, const char *dest, unsigned len,
				      unsigned ms)
{
	RTM_NET_ADDRESS a = rt_addr(dest, len);
	for (unsigned waited = 0;; waited += 10) {
		rt_dest_buf db;
		DWORD rc = RtmGetExactMatchDestination(e, &a, RTM_BEST_PROTOCOL, RTM_VIEW_MASK_ANY,
						       &db.info);
		if (rc == ERROR_NOT_FOUND)
			return true;
		if (rc == NO_ERROR)
			RtmReleaseDestInfo(e, &db.info);
		if (waited >= ms)
			return false;
		rt_sleep_ms(10);
	}
}

/* IPv4 address in network order from text. */
static inline ULONG smp_ip(const char *text)
{
	return (ULONG)inet_addr(text);
}

#endif
