/*
 * kernel.c — `kernel sync|status|stop`: the kernel FIB agent (<rtmv2/fib.h>)
 * for each address family, started by rtmctl and stopped when it exits.
 */
#include "rtmctl.h"

#include <rtmv2/control.h>
#include <rtmv2/fib.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The running agents, by family (IPv4, IPv6), and whether each keeps its routes. */
static rtm_fib_agent *agents[2];
/* agents[] is changed by the main thread only, under agents_mu, which the
 * control socket's threads (kernel_report: rtmctl -d's show status) hold
 * while they use an agent. */
static pthread_mutex_t agents_mu = PTHREAD_MUTEX_INITIALIZER;
static bool keeps[2];
static unsigned tables[2];
static bool learns[2];
static const USHORT fams[2] = { AF_INET, AF_INET6 };

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int kernel_sync(int argc, char **argv)
{
	bool want[2] = { false, false }, keep = false, any = false;
	unsigned long table = 0, learn = 0;
	bool learning = false;
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "ipv4") || !strcmp(argv[i], "ipv6")) {
			want[argv[i][3] == '6'] = any = true;
		} else if (!strcmp(argv[i], "table") && i + 1 < argc) {
			if (table)
				return fail("table given twice");
			if (!parse_ulong(argv[++i], 0xFFFFFFFFul, &table) || table == 0)
				return fail("bad table '%s' (a number from 1 to 4294967295)", argv[i]);
		} else if (!strcmp(argv[i], "keep")) {
			keep = true;
		} else if (!strcmp(argv[i], "learn") && i + 1 < argc) {
			if (learning)
				return fail("learn given twice");
			if (!parse_ulong(argv[++i], 0xFFFFFFFFul, &learn))
				return fail("bad learn preference '%s' (a number from 0 to 4294967295)", argv[i]);
			learning = true;
		} else {
			return fail("unexpected '%s' (kernel sync [ipv4|ipv6] [table N] [learn PREF] [keep])",
				    argv[i]);
		}
	}
	if (!any) { /* each family that has an entity */
		for (unsigned f = 0; f < 2; f++) {
			want[f] = first_entity(fams[f]) != NULL;
			any |= want[f];
		}
	}
	if (!any)
		return fail("no entity is registered for ipv4 or ipv6: nothing to sync");
	int ret = 0;
	for (unsigned f = 0; f < 2; f++) {
		if (!want[f])
			continue;
		if (agents[f] && reloading)
			continue; /* a reload (daemon.c): the agent goes on */
		if (agents[f]) {
			ret = fail("%s: the agent runs already (kernel stop first)", family_name(fams[f]));
			continue;
		}
		if (!first_entity(fams[f])) {
			ret = fail("%s: no entity is registered for this family", family_name(fams[f]));
			continue;
		}
		rtm_fib_options o = { .instance_id = 0,
				      .family = fams[f],
				      .table = (unsigned)table,
				      .flags = (keep ? RTM_FIB_KEEP_AT_STOP : 0u) | (learning ? RTM_FIB_LEARN : 0u),
				      .learn_preference = (ULONG)learn };
		rtm_fib_stats st;
		struct timespec t0;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		rtm_fib_agent *agent = NULL;
		DWORD rc = rtm_fib_start(&o, &agent, &st);
		pthread_mutex_lock(&agents_mu);
		agents[f] = rc == NO_ERROR ? agent : NULL;
		keeps[f] = keep;
		tables[f] = table ? (unsigned)table : 254;
		pthread_mutex_unlock(&agents_mu);
		if (rc != NO_ERROR) {
			ret = rc == ERROR_ACCESS_DENIED
				      ? fail("%s: no permission to change the kernel's routes", family_name(fams[f]))
				      : fail_api("rtm_fib_start", rc);
			continue;
		}
		learns[f] = learning;
		printf("kernel %s table %u: %lu installed, %lu replaced, %lu stale removed, %lu failed",
		       family_name(fams[f]), tables[f], st.installed, st.replaced, st.stale, st.failed);
		if (learning)
			printf(", %lu learned", st.learned);
		printf(" in %.3f s\n", seconds_since(&t0));
	}
	return ret;
}

static int kernel_status(void)
{
	bool any = false;
	for (unsigned f = 0; f < 2; f++) {
		rtm_fib_stats st;
		if (!agents[f])
			continue;
		/* What the commands before this one changed: in the counts. */
		if (rtm_fib_wait_idle(agents[f], 2000) != NO_ERROR)
			printf("kernel %s: still catching up\n", family_name(fams[f]));
		if (rtm_fib_get_stats(agents[f], &st) != NO_ERROR)
			continue;
		any = true;
		printf("kernel %s table %u%s: %lu routes in the kernel, %lu installed, %lu replaced, "
		       "%lu removed, %lu stale removed, %lu failed, %lu pending",
		       family_name(fams[f]), tables[f], keeps[f] ? " (keep)" : "", st.in_kernel, st.installed,
		       st.replaced, st.removed, st.stale, st.failed, st.pending);
		if (learns[f])
			printf("; %lu learned, %lu kernel changes, %lu resyncs, %lu not learned", st.learned,
			       st.learn_changes, st.learn_resyncs, st.learn_skipped);
		if (st.last_error)
			printf("; last error: %s: %s", st.last_error_dest, strerror(st.last_error));
		printf("\n");
	}
	if (!any)
		printf("kernel: no agent runs\n");
	return 0;
}

void kernel_report(struct rtm_control_out *out)
{
	/* Read under the lock, written after it (writing may wait for a slow client). */
	bool have[2] = { false, false }, keep[2];
	unsigned table[2];
	rtm_fib_stats st[2];
	pthread_mutex_lock(&agents_mu);
	for (unsigned f = 0; f < 2; f++) {
		have[f] = agents[f] && rtm_fib_get_stats(agents[f], &st[f]) == NO_ERROR;
		keep[f] = keeps[f];
		table[f] = tables[f];
	}
	pthread_mutex_unlock(&agents_mu);
	for (unsigned f = 0; f < 2; f++) {
		if (!have[f]) {
			rtm_control_printf(out, "%s: no agent", family_name(fams[f]));
			continue;
		}
		rtm_control_printf(out, "%s: table %u%s, %lu routes in the kernel, %lu installed, %lu replaced, "
				   "%lu removed, %lu failed, %lu pending%s%s",
				   family_name(fams[f]), table[f], keep[f] ? " (keep)" : "", st[f].in_kernel,
				   st[f].installed, st[f].replaced, st[f].removed, st[f].failed, st[f].pending,
				   st[f].last_error ? ", last error " : "", st[f].last_error ? strerror(st[f].last_error) : "");
	}
}

void kernel_stop_all(void)
{
	for (unsigned f = 0; f < 2; f++) {
		if (!agents[f])
			continue;
		rtm_fib_agent *agent = agents[f];
		pthread_mutex_lock(&agents_mu);
		agents[f] = NULL;
		pthread_mutex_unlock(&agents_mu);
		DWORD rc = rtm_fib_stop(agent);
		if (rc != NO_ERROR)
			fail_api("rtm_fib_stop", rc);
	}
}

int cmd_kernel(int argc, char **argv)
{
	if (!strcmp(argv[1], "sync"))
		return kernel_sync(argc - 2, argv + 2);
	if (!strcmp(argv[1], "status") && argc == 2)
		return kernel_status();
	if (!strcmp(argv[1], "stop") && argc == 2) {
		bool any = agents[0] || agents[1];
		kernel_stop_all();
		if (!any)
			printf("kernel: no agent runs\n");
		return 0;
	}
	return fail("usage: kernel sync [ipv4|ipv6] [table N] [learn PREF] [keep] | kernel status | "
		    "kernel stop");
}
