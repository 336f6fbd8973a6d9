/*
 * daemon.c — `rtmctl -d -s PATH [-f FILE]`: rtmctl as a small routing daemon.
 * It runs its startup script (rtmctl's own commands), opens the control
 * socket PATH with its entities named, and then waits for signals:
 *
 *   SIGHUP   the script is read and run again.  Commands that register an
 *            entity already registered the same way, or start a kernel agent
 *            that runs, do nothing; every route the script adds is added or
 *            replaced (and noted); afterwards the routes of rtmctl's entities
 *            that the new run did not add are withdrawn, and the entities it
 *            did not register again are deregistered.  So routes that left
 *            the script go, the others stay (untouched when the same).
 *   SIGTERM, SIGINT   the socket is closed (its file removed), the kernel
 *            agents stopped (their routes leave the kernel unless `keep`),
 *            the entities deregistered; exit status 0.
 *
 * Logging: syslog (facility daemon; the script's error lines too), or
 * stderr with -F (the foreground).
 * Signals are blocked in every thread and taken by sigwait in the main
 * thread, which alone runs commands: the control socket's threads only read.
 */
#include "rtmctl.h"

#include <rtmv2/control.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

bool reloading;

/* ---- the routes a run of the script added ------------------------------------------------ */

/* A set of 64-bit keys (entity, destination, neighbour), open addressing. */
static uint64_t *touched;
static size_t touched_cap, touched_n;
static bool touch_failed; /* no memory: the sweep is skipped (nothing withdrawn wrongly) */

static uint64_t route_key(RTM_ENTITY_HANDLE e, const RTM_NET_ADDRESS *d, RTM_NEXTHOP_HANDLE nb)
{
	uint64_t h = 1469598103934665603ull;
	const unsigned char *p = d->AddrBits;
	for (unsigned i = 0; i < (d->AddressFamily == AF_INET6 ? 16u : 4u); i++)
		h = (h ^ p[i]) * 1099511628211ull;
	h = (h ^ d->NumBits ^ (uint64_t)d->AddressFamily << 8) * 1099511628211ull;
	h = (h ^ (uint64_t)(uintptr_t)e) * 1099511628211ull;
	h = (h ^ (uint64_t)(uintptr_t)nb) * 1099511628211ull;
	return h | 1; /* 0 marks an empty slot */
}

static bool touched_has(uint64_t k)
{
	if (!touched_cap)
		return false;
	for (size_t i = k & (touched_cap - 1); touched[i]; i = (i + 1) & (touched_cap - 1))
		if (touched[i] == k)
			return true;
	return false;
}

void touch_route(RTM_ENTITY_HANDLE e, const RTM_NET_ADDRESS *dest, RTM_NEXTHOP_HANDLE neighbour)
{
	if (!reloading || touch_failed)
		return;
	if ((touched_n + 1) * 2 > touched_cap) {
		size_t cap = touched_cap ? touched_cap * 2 : 4096;
		uint64_t *fresh = calloc(cap, sizeof(*fresh));
		if (!fresh) {
			touch_failed = true;
			return;
		}
		for (size_t i = 0; i < touched_cap; i++)
			if (touched[i]) {
				size_t j = touched[i] & (cap - 1);
				while (fresh[j])
					j = (j + 1) & (cap - 1);
				fresh[j] = touched[i];
			}
		free(touched);
		touched = fresh;
		touched_cap = cap;
	}
	uint64_t k = route_key(e, dest, neighbour);
	size_t i = k & (touched_cap - 1);
	for (; touched[i]; i = (i + 1) & (touched_cap - 1))
		if (touched[i] == k)
			return;
	touched[i] = k;
	touched_n++;
}

void touch_mrt_route(void *context, RTM_ENTITY_HANDLE entity, const RTM_NET_ADDRESS *dest,
		     RTM_NEXTHOP_HANDLE neighbour)
{
	(void)context;
	touch_route(entity, dest, neighbour);
}

/* Withdraws e's routes that the reload did not add; their number. */
static unsigned long sweep(struct ctl_entity *e)
{
	unsigned long gone = 0;
	RTM_ENUM_HANDLE en;
	if (RtmCreateRouteEnum(e->h, NULL, RTM_VIEW_MASK_ANY, RTM_ENUM_START | RTM_ENUM_OWN_ROUTES, NULL,
			       RTM_MATCH_NONE, NULL, 0, &en) != NO_ERROR)
		return 0;
	PRTM_ROUTE_INFO ri = malloc(RTM_SIZE_OF_ROUTE_INFO(e->profile.MaxNextHopsInRoute));
	RTM_ROUTE_HANDLE hs[256];
	UINT max = e->profile.MaxHandlesInEnum < 256 ? e->profile.MaxHandlesInEnum : 256;
	for (bool more = ri != NULL; more;) {
		UINT n = max;
		more = RtmGetEnumRoutes(e->h, en, &n, hs) == NO_ERROR;
		for (UINT i = 0; i < n; i++) {
			RTM_NET_ADDRESS dest;
			bool keep = true;
			if (RtmGetRouteInfo(e->h, hs[i], ri, &dest) == NO_ERROR) {
				keep = touched_has(route_key(e->h, &dest, ri->Neighbour));
				RtmReleaseRouteInfo(e->h, ri);
			}
			RTM_ROUTE_CHANGE_FLAGS flags = 0;
			if (!keep && RtmDeleteRouteToDest(e->h, hs[i], &flags) == NO_ERROR)
				gone++;
			else
				RtmReleaseRoutes(e->h, 1, &hs[i]);
		}
	}
	RtmDeleteEnumHandle(e->h, en);
	free(ri);
	return gone;
}

/* ---- logging, the script ------------------------------------------------------------------ */

static bool foreground;

static void say(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int priority, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (foreground) {
		fputs("rtmctl: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	} else {
		vsyslog(priority, fmt, ap);
	}
	va_end(ap);
}

/* Detached, the daemon's standard error (the script's error lines) goes to
 * syslog a line at a time. */
static char err_line[512];
static size_t err_n;

static ssize_t err_write(void *cookie, const char *buf, size_t n)
{
	(void)cookie;
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n' && err_n < sizeof(err_line) - 1) {
			err_line[err_n++] = buf[i];
			continue;
		}
		if (buf[i] != '\n')
			continue; /* a line too long: cut */
		err_line[err_n] = 0;
		syslog(LOG_WARNING, "%s", err_line);
		err_n = 0;
	}
	return (ssize_t)n;
}

static void stderr_to_syslog(void)
{
	cookie_io_functions_t io = { .write = err_write };
	FILE *f = fopencookie(NULL, "w", io);
	if (f) {
		setvbuf(f, NULL, _IOLBF, 0);
		stderr = f;
	}
}

static void log_control(void *context, int priority, const char *message)
{
	(void)context;
	say(priority, "control socket: %s", message);
}

static char script[PATH_MAX];

/* Runs the script; false if it could not be read. */
static bool run_script(void)
{
	if (!script[0])
		return true;
	FILE *f = fopen(script, "r");
	if (!f) {
		say(LOG_ERR, "%s: %s", script, strerror(errno));
		return false;
	}
	unsigned before = run.failures;
	run_file(f, script);
	fclose(f);
	if (run.failures != before)
		say(LOG_WARNING, "%s: %u command%s failed", script, run.failures - before,
		    run.failures - before == 1 ? "" : "s");
	return true;
}

static void name_entities(rtm_control *c)
{
	for (unsigned i = 0; i < n_ents; i++)
		if (ents[i].h)
			rtm_control_name_entity(c, ents[i].name, ents[i].h);
}

static void reload(rtm_control *c)
{
	say(LOG_INFO, "SIGHUP: running %s again", script[0] ? script : "(no script)");
	for (unsigned i = 0; i < n_ents; i++)
		ents[i].seen = false;
	free(touched);
	touched = NULL;
	touched_cap = touched_n = 0;
	touch_failed = false;
	reloading = true;
	bool read = run_script();
	reloading = false;
	if (!read || touch_failed) {
		say(LOG_ERR, "reload: %s; nothing withdrawn", read ? "out of memory" : "the script was not read");
		return;
	}
	unsigned long gone = 0, dropped = 0;
	for (unsigned i = 0; i < n_ents;) {
		struct ctl_entity *e = &ents[i];
		if (e->seen) {
			gone += sweep(e);
			i++;
			continue;
		}
		/* Not registered by the new script: it goes, with its routes. */
		rtm_control_name_entity(c, NULL, e->h);
		release_neighbours(e);
		RtmDeregisterEntity(e->h);
		pthread_mutex_lock(&ents_lock);
		memmove(e, e + 1, (n_ents - i - 1) * sizeof(*e));
		n_ents--;
		pthread_mutex_unlock(&ents_lock);
		dropped++;
	}
	name_entities(c);
	say(LOG_INFO, "reload: %lu routes withdrawn, %lu entities deregistered", gone, dropped);
}

static void kernel_status_line(void *context, rtm_control_out *out)
{
	(void)context;
	kernel_report(out);
}

int daemon_main(const char *path, const char *file, bool fg, unsigned flags, mode_t mode, gid_t gid)
{
	foreground = fg;
	if (file && !realpath(file, script)) { /* reloads find it wherever the cwd is */
		fprintf(stderr, "rtmctl: %s: %s\n", file, strerror(errno));
		return 2;
	}
	if (!foreground) {
		openlog("rtmctl", LOG_PID, LOG_DAEMON);
		if (daemon(1, 0) != 0) { /* the script's relative paths stay as they were */
			fprintf(stderr, "rtmctl: daemon: %s\n", strerror(errno));
			return 2;
		}
		stderr_to_syslog();
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread: they all inherit it */
	run.interactive = false;
	run_script();
	rtm_control_options o;
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.flags = flags;
	o.mode = mode;
	o.uid = (uid_t)-1;
	o.gid = gid;
	o.log = log_control;
	rtm_control *c;
	DWORD rc = rtm_control_open(&o, &c);
	if (rc != NO_ERROR) {
		say(LOG_ERR, "%s: the control socket cannot be opened: %s", path, rtm_strerror(rc));
		teardown();
		return 2;
	}
	name_entities(c);
	rtm_control_add_status(c, "kernel", kernel_status_line, NULL);
	say(LOG_INFO, "serving %s (pid %ld)", path, (long)getpid());
	int sig = 0;
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig != SIGHUP)
			break;
		reload(c);
	}
	say(LOG_INFO, "%s: stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
	rtm_control_close(c);
	teardown();
	free(touched);
	return 0;
}
