/*
 * mrt.c — `mrt load|dump|replay`: MRT files (<rtmv2/mrt.h>) into and out of the
 * RTM instance rtmctl works on.
 */
#include "rtmctl.h"

#include <rtmv2/mrt.h>

#include <errno.h>
#include <routprot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double since(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* NAME's registration for af: NAME itself if it is of that family, else
 * NAME.4 or NAME.6, registered as BGP when missing. */
static struct ctl_entity *registration(const char *name, USHORT af)
{
	struct ctl_entity *e = find_entity(name);
	if (e && e->info.AddressFamily == af) {
		e->seen = true; /* a reload (daemon.c) keeps it: its routes are noted */
		return e;
	}
	char other[MAX_NAME + 8];
	snprintf(other, sizeof(other), "%s.%c", name, af == AF_INET ? '4' : '6');
	if (strlen(other) >= MAX_NAME) {
		fail("'%s' is too long to name a second family's registration", name);
		return NULL;
	}
	if (!e) {
		/* Neither: NAME for IPv4, NAME.6 for IPv6. */
		if (af == AF_INET)
			snprintf(other, sizeof(other), "%s", name);
	}
	if ((e = find_entity(other)) != NULL) {
		if (e->info.AddressFamily != af)
			fail("'%s' is registered for the other family", other);
		else
			e->seen = true;
		return e->info.AddressFamily == af ? e : NULL;
	}
	/* BGP, with an instance id no BGP registration of the family has. */
	ULONG instance = 0;
	for (unsigned i = 0; i < n_ents; i++)
		if (ents[i].h && ents[i].info.AddressFamily == af &&
		    ents[i].info.EntityId.EntityProtocolId == PROTO_IP_BGP &&
		    ents[i].info.EntityId.EntityInstanceId >= instance)
			instance = ents[i].info.EntityId.EntityInstanceId + 1;
	char inst[16];
	snprintf(inst, sizeof(inst), "%lu", (unsigned long)instance);
	char *argv[] = { "register", other, "bgp", inst, af == AF_INET ? "ipv4" : "ipv6", NULL };
	if (cmd_register(5, argv) != 0)
		return NULL;
	return find_entity(other);
}

static void print_stats(const char *what, const char *file, const rtm_mrt_stats *st, double secs)
{
	printf("mrt %s %s: %lu records, %lu routes, %lu peers, %lu skipped", what, file, st->records, st->routes,
	       st->peers, st->skipped);
	if (st->ignored)
		printf(", %lu ignored", st->ignored);
	if (st->refused)
		printf(", %lu refused", st->refused);
	printf(" in %.3f s", secs);
	if (secs > 0 && st->routes)
		printf(" (%.0f routes/s)", (double)st->routes / secs);
	printf("\n");
	if (st->last_error[0])
		printf("mrt %s %s: at offset %llu: %s\n", what, file, st->last_error_offset, st->last_error);
}

/* mrt load and mrt replay: FILE [NAME] [pref N] (and [realtime] for replay). */
static int mrt_read(int argc, char **argv, bool replay)
{
	const char *file = argv[0], *name = "mrt";
	rtm_mrt_options o = { .route_added = touch_mrt_route };
	for (int i = 1; i < argc; i++) {
		unsigned long v;
		if (replay && !strcmp(argv[i], "realtime")) {
			o.flags |= RTM_MRT_REALTIME;
		} else if (!strcmp(argv[i], "pref") && i + 1 < argc) {
			if (!parse_ulong(argv[++i], 0xFFFFFFFFul, &v))
				return fail("bad preference '%s'", argv[i]);
			o.preference = (ULONG)v;
		} else if (i == 1 && valid_name(argv[i])) {
			name = argv[i];
		} else {
			return fail(replay ? "unexpected '%s' (mrt replay FILE [NAME] [pref N] [realtime])"
					   : "unexpected '%s' (mrt load FILE [NAME] [pref N])",
				    argv[i]);
		}
	}
	FILE *f = fopen(file, "rb"); /* (before anything is registered) */
	if (!f)
		return fail("%s: %s", file, strerror(errno));
	fclose(f);
	struct ctl_entity *v4 = registration(name, AF_INET), *v6 = v4 ? registration(name, AF_INET6) : NULL;
	if (!v4 || !v6)
		return -1;
	rtm_mrt_stats st;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	DWORD rc = replay ? rtm_mrt_replay(file, v4->h, v6->h, &o, &st) : rtm_mrt_load(file, v4->h, v6->h, &o, &st);
	double secs = since(&t0);
	if (rc == ERROR_FILE_NOT_FOUND)
		return fail("%s: no such file", file);
	if (rc == ERROR_ACCESS_DENIED)
		return fail("%s: permission denied", file);
	print_stats(replay ? "replay" : "load", file, &st, secs);
	if (replay)
		printf("mrt replay %s: %lu withdrawn, %lu state changes\n", file, st.withdrawn, st.state_changes);
	if (rc == ERROR_INVALID_DATA)
		return fail("%s: the file ends inside a record: what came before is %s", file,
			    replay ? "applied" : "loaded");
	return rc == NO_ERROR ? 0 : fail_api(replay ? "rtm_mrt_replay" : "rtm_mrt_load", rc);
}

static int mrt_dump(int argc, char **argv)
{
	const char *file = argv[0];
	rtm_mrt_options o = { .flags = 0 };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "best"))
			o.flags |= RTM_MRT_BEST_ONLY;
		else
			return fail("unexpected '%s' (mrt dump FILE [best])", argv[i]);
	}
	struct ctl_entity *v4 = first_entity(AF_INET), *v6 = first_entity(AF_INET6);
	if (!v4 && !v6)
		return fail("no entity is registered for ipv4 or ipv6: nothing to dump");
	rtm_mrt_stats st;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	DWORD rc = rtm_mrt_dump(file, v4 ? v4->h : NULL, v6 ? v6->h : NULL, &o, &st);
	double secs = since(&t0);
	if (rc == ERROR_FILE_NOT_FOUND || rc == ERROR_ACCESS_DENIED || rc == ERROR_GEN_FAILURE)
		return fail("%s: cannot be written", file);
	if (rc != NO_ERROR)
		return fail_api("rtm_mrt_dump", rc);
	print_stats("dump", file, &st, secs);
	return 0;
}

int cmd_mrt(int argc, char **argv)
{
	if (!strcmp(argv[1], "load") && argc >= 3)
		return mrt_read(argc - 2, argv + 2, false);
	if (!strcmp(argv[1], "replay") && argc >= 3)
		return mrt_read(argc - 2, argv + 2, true);
	if (!strcmp(argv[1], "dump") && argc >= 3)
		return mrt_dump(argc - 2, argv + 2);
	return fail("usage: mrt load FILE [NAME] [pref N] | mrt dump FILE [best] | "
		    "mrt replay FILE [NAME] [pref N] [realtime]");
}
