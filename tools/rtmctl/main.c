/*
 * main.c — rtmctl, a command shell over an in-process rtmv2 routing table:
 * its state, the entity table and its event callback, reading and running
 * commands, and main().  rtmctl.h lists the other files.
 *
 * RTMv2 is a library, not a daemon: the table lives inside the process of
 * the protocols that share it.  So rtmctl cannot attach to somebody else's
 * table; it is the host process itself.  It registers entities (protocols)
 * under names the user chooses and runs commands against them, each command
 * being one or a few API calls.  It uses nothing but the public headers, so
 * it is also a worked example of the API: every handle the RTM returns, alone
 * or inside an information structure, is released with the matching call;
 * variable-size structures are sized with RTM_SIZE_OF_DEST_INFO and
 * RTM_SIZE_OF_ROUTE_INFO from the registration profile.
 *
 * State.  `ents` holds the registered entities in registration order: name,
 * registration handle, entity information, profile and the synthetic
 * neighbours of `load`.  Only the main thread changes it.  The event callback
 * reads it too, and runs on the main thread (entity events, inside
 * RtmRegisterEntity/RtmDeregisterEntity) and on the library's timer thread
 * (route expiry), so changes are made under ents_lock and the callback reads
 * under it.  The lock is never held across an API call: RtmDeregisterEntity
 * waits for callbacks in progress, and one of them waiting for the lock would
 * deadlock it.  The main thread reads the table without the lock, being its
 * only writer.
 *
 * Queries (lookup, exact, less, hold, show, entities, stats) go through the
 * first registered entity of the address family.  Every entity of an
 * instance and family sees the same table, and RTM_BEST_PROTOCOL makes the
 * answer independent of who asks, so there is no need to name one.  All
 * entities register with RTM instance 0.
 *
 * Input.  A command is words separated by blanks; ';' separates commands
 * and '#' at the start of a word begins a comment.  There is no quoting, so
 * a file name cannot contain blanks or ';': a shell's worth of parsing would
 * dwarf the rest.  The commands are one table (name, argument counts,
 * function, usage line); `help` prints the usage lines, and a command given
 * the wrong number of arguments prints its own.
 *
 * Errors.  A failed command prints one line on stderr: where it came from
 * (unless interactive), the command, and either what was wrong with the input
 * or the API function with its Win32 code and rtm_strerror() message.  The
 * tool goes on; the exit status is 1 if any command failed (0 when reading a
 * terminal), 2 for bad options.  "Not found" answers of lookup, exact and
 * less are answers, not failures.
 */
#include "rtmctl.h"

#include <rtmv2/fib.h>

#include <rtmv2/control.h>

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ctl_entity ents[MAX_ENTITIES];
unsigned n_ents;
pthread_mutex_t ents_lock = PTHREAD_MUTEX_INITIALIZER;
bool events_quiet; /* under ents_lock: set while tearing down at exit */

/* The command being run, for error messages; main thread only. */
struct ctl_run run;

/* ---- the entity table ----------------------------------------------------- */

struct ctl_entity *find_entity(const char *name)
{
	for (unsigned i = 0; i < n_ents; i++)
		if (ents[i].h && !strcmp(ents[i].name, name))
			return &ents[i];
	return NULL;
}

struct ctl_entity *need_entity(const char *name)
{
	struct ctl_entity *e = find_entity(name);

	if (!e)
		fail("no entity named '%s'", name);
	return e;
}

/* The entity through which queries of family af are made: the first one. */
struct ctl_entity *first_entity(USHORT af)
{
	for (unsigned i = 0; i < n_ents; i++)
		if (ents[i].h && ents[i].info.AddressFamily == af)
			return &ents[i];
	return NULL;
}

struct ctl_entity *query_entity(USHORT af)
{
	struct ctl_entity *q = first_entity(af);

	if (!q)
		fail("no %s entity is registered", family_name(af));
	return q;
}

static bool same_entity(const RTM_ENTITY_INFO *a, const RTM_ENTITY_INFO *b)
{
	return a->RtmInstanceId == b->RtmInstanceId && a->AddressFamily == b->AddressFamily &&
	       a->EntityId.EntityId == b->EntityId.EntityId;
}

void release_neighbours(struct ctl_entity *e)
{
	if (e->have_neighbours)
		RtmReleaseNextHops(e->h, N_NEIGHBOURS, e->neighbours);
	e->have_neighbours = false;
}

/*
 * The event callback of every entity.  Context1 of the entity events is the
 * other entity's handle, not referenced; Context2 its information, which is
 * how an entity still registering (h not yet known) is recognised.  Expired
 * routes are left to the RTM to delete (ERROR_NOT_SUPPORTED).
 */
DWORD WINAPI on_event(RTM_ENTITY_HANDLE self, RTM_EVENT_TYPE type, PVOID ctx1, PVOID ctx2)
{
	char me[MAX_NAME] = "?", other[MAX_NAME] = "?", dest[ADDR_STR] = "?";
	const RTM_ENTITY_INFO *info = ctx2;
	RTM_NET_ADDRESS addr;
	bool quiet;

	if (type == RTM_ROUTE_EXPIRED && RtmGetRouteInfo(self, ctx1, NULL, &addr) == NO_ERROR)
		fmt_addr(&addr, true, dest);
	pthread_mutex_lock(&ents_lock);
	quiet = events_quiet;
	for (unsigned i = 0; i < n_ents; i++) {
		if (ents[i].h && ents[i].h == self)
			strcpy(me, ents[i].name);
		if ((type == RTM_ENTITY_REGISTERED || type == RTM_ENTITY_DEREGISTERED) &&
		    same_entity(&ents[i].info, info))
			strcpy(other, ents[i].name);
	}
	if ((type == RTM_ENTITY_REGISTERED || type == RTM_ENTITY_DEREGISTERED) && !strcmp(other, "?") &&
	    fib_entity_name(info))
		snprintf(other, sizeof(other), "%s", fib_entity_name(info));
	if ((type == RTM_ENTITY_REGISTERED || type == RTM_ENTITY_DEREGISTERED) && !strcmp(other, "?") &&
	    info->EntityId.EntityProtocolId == RTM_CONTROL_PROTOCOL_ID)
		snprintf(other, sizeof(other), "control-socket");
	pthread_mutex_unlock(&ents_lock);
	if (quiet)
		return type == RTM_ROUTE_EXPIRED ? ERROR_NOT_SUPPORTED : NO_ERROR;
	switch (type) {
	case RTM_ENTITY_REGISTERED:
		printf("event: %s: %s registered\n", me, other);
		break;
	case RTM_ENTITY_DEREGISTERED:
		printf("event: %s: %s deregistered\n", me, other);
		break;
	case RTM_ROUTE_EXPIRED:
		printf("event: %s: route to %s expired\n", me, dest);
		fflush(stdout);
		return ERROR_NOT_SUPPORTED;
	case RTM_CHANGE_NOTIFICATION:
		break;
	}
	return NO_ERROR;
}


/* ---- reading and running commands ---------------------------------------- */

/* Runs one command: words separated by blanks; '#' at a word's start begins a comment. */
static void run_command(char *text)
{
	char *argv[MAX_ARGS + 1], *save = NULL;
	int argc = 0;

	for (char *t = strtok_r(text, " \t\r\n\v\f", &save); t && *t != '#';
	     t = strtok_r(NULL, " \t\r\n\v\f", &save)) {
		if (argc == MAX_ARGS) {
			fail("more than %d words", MAX_ARGS);
			return;
		}
		argv[argc++] = t;
	}
	argv[argc] = NULL;
	if (!argc)
		return;
	for (size_t i = 0; i < n_commands; i++) {
		const struct ctl_command *c = &commands[i];
		if (strcmp(argv[0], c->name))
			continue;
		run.cmd = c->name;
		if (argc - 1 < c->min_args || argc - 1 > c->max_args)
			fail("usage: %s", c->usage);
		else
			c->fn(argc, argv);
		run.cmd = NULL;
		fflush(stdout);
		return;
	}
	fail("unknown command '%s' (try 'help')", argv[0]);
}

/* Runs a line of a file or of stdin: commands separated by ';'. */
static void run_line(char *line)
{
	char *save = NULL;

	for (char *c = strtok_r(line, ";", &save); c && !run.stop; c = strtok_r(NULL, ";", &save))
		run_command(c);
}

/* Runs the argument of -c: commands separated by ';' or newlines, numbered from 1. */
static void run_string(const char *s)
{
	char *copy = strdup(s), *save = NULL;

	if (!copy) {
		fail("out of memory");
		return;
	}
	run.src = "-c";
	run.interactive = false;
	run.line = 0;
	for (char *c = strtok_r(copy, ";\n", &save); c && !run.stop;
	     c = strtok_r(NULL, ";\n", &save)) {
		run.line++;
		run_command(c);
	}
	free(copy);
}

/* SIGINT, SIGTERM, SIGHUP: stop reading commands and tear down as at the end
 * of input (the kernel agents take their routes out), then exit 128 + sig. */
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
	got_signal = sig;
}

static void run_stream(FILE *f, const char *name, bool interactive)
{
	char *line = NULL;
	size_t cap = 0;

	run.src = interactive ? NULL : name;
	run.interactive = interactive;
	run.line = 0;
	while (!run.stop && !got_signal) {
		if (interactive) {
			fputs("rtmctl> ", stdout);
			fflush(stdout);
		}
		if (getline(&line, &cap, f) < 0) {
			if (interactive)
				putchar('\n');
			break;
		}
		run.line++;
		run_line(line);
	}
	free(line);
}

void run_file(FILE *f, const char *name)
{
	run_stream(f, name, false);
}

/* Stops the kernel agents (their routes leave the kernel unless kept), then
 * deregisters everything, newest first, without printing the events it causes. */
void teardown(void)
{
	pthread_mutex_lock(&ents_lock);
	events_quiet = true;
	pthread_mutex_unlock(&ents_lock);
	run.src = NULL;
	run.interactive = false;
	run.cmd = "exit";
	kernel_stop_all();
	while (n_ents) {
		struct ctl_entity *e = &ents[n_ents - 1];
		release_neighbours(e);
		DWORD rc = RtmDeregisterEntity(e->h);
		if (rc != NO_ERROR)
			fail_api("RtmDeregisterEntity", rc);
		pthread_mutex_lock(&ents_lock);
		n_ents--;
		pthread_mutex_unlock(&ents_lock);
	}
}

static void catch_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocked read returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: rtmctl [-c COMMANDS]... [-f FILE]...       a table of its own, commands from -c, FILE, stdin\n"
		"       rtmctl [-j] -s PATH [COMMAND...]             a client of the control socket PATH\n"
		"       rtmctl -d -s PATH [-f FILE] [-F] [-w] [-m MODE] [-g GROUP]\n"
		"                                                    a daemon serving PATH, FILE its startup script\n"
		"       rtmctl -h | --help       this text\n"
		"       rtmctl -V | --version    the version\n"
		"\n"
		"  -c COMMANDS  commands separated by ';' or newlines (host mode)\n"
		"  -f FILE      a script of commands (- for standard input); with -d, the startup script\n"
		"  -s PATH      the control socket\n"
		"  -j           answers as JSON (with -s)\n"
		"  -d           run as a daemon: the script, then the socket; SIGHUP runs the script again\n"
		"               (routes that left it are withdrawn), SIGTERM stops\n"
		"  -F           with -d: stay in the foreground, log to stderr (else syslog)\n"
		"  -w           with -d: allow the socket's writing commands (add route, delete route)\n"
		"  -m MODE      with -d: the socket's mode, octal (default 0600)\n"
		"  -g GROUP     with -d: the socket's group, whose members may connect\n"
		"\n"
		"In host mode, 'help' lists the commands; through a socket, 'help' lists the socket's.\n"
		"Exit status: 0 success, 1 a command failed, 2 bad usage or the socket cannot be reached.\n"
		"Manual: rtmctl(1); docs/rtmctl.md, docs/control.md.\n");
}

#ifndef RTMV2_VERSION
#define RTMV2_VERSION "unknown"
#endif

int main(int argc, char **argv)
{
	struct {
		char kind;
		const char *arg;
	} srcs[64];
	int nsrc = 0, opt;
	bool interactive = false, json = false, daemonize = false, fg = false;
	const char *sock = NULL, *script_file = NULL;
	unsigned flags = 0;
	mode_t mode = 0;
	gid_t gid = (gid_t)-1;
	static const struct option longs[] = { { "help", no_argument, NULL, 'h' },
					       { "version", no_argument, NULL, 'V' },
					       { NULL, 0, NULL, 0 } };

	while ((opt = getopt_long(argc, argv, "+c:f:hjs:dFwm:g:V", longs, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("rtmctl (rtmv2) %s\n", RTMV2_VERSION);
			return 0;
		case 'j':
			json = true;
			continue;
		case 's':
			sock = optarg;
			continue;
		case 'd':
			daemonize = true;
			continue;
		case 'F':
			fg = true;
			continue;
		case 'w':
			flags |= RTM_CONTROL_WRITE;
			continue;
		case 'm': {
			char *end;
			unsigned long m = strtoul(optarg, &end, 8);
			if (*end || !*optarg || m > 0777) {
				fprintf(stderr, "rtmctl: bad mode '%s' (octal, such as 0660)\n", optarg);
				return 2;
			}
			mode = (mode_t)m;
			continue;
		}
		case 'g': {
			struct group *g = getgrnam(optarg);
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (g)
				gid = g->gr_gid;
			else if (*optarg && !*end)
				gid = (gid_t)n;
			else {
				fprintf(stderr, "rtmctl: no group '%s'\n", optarg);
				return 2;
			}
			continue;
		}
		case 'c':
		case 'f':
			if (nsrc == 64)
				break;
			srcs[nsrc].kind = (char)opt;
			srcs[nsrc++].arg = optarg;
			script_file = optarg;
			continue;
		default:
			break;
		}
		usage(stderr);
		return 2;
	}
	if (daemonize) {
		bool only_files = true;
		for (int i = 0; i < nsrc; i++)
			only_files &= srcs[i].kind == 'f' && strcmp(srcs[i].arg, "-") != 0;
		if (!sock || optind < argc || json || nsrc > 1 || !only_files) {
			fprintf(stderr, "rtmctl: -d needs -s PATH, at most one -f FILE (not -), and no commands\n");
			return 2;
		}
		return daemon_main(sock, script_file, fg, flags, mode, gid);
	}
	if (fg || flags || mode || gid != (gid_t)-1) {
		fprintf(stderr, "rtmctl: -F, -w, -m and -g go with -d\n");
		return 2;
	}
	if (sock) {
		if (nsrc) {
			fprintf(stderr, "rtmctl: -c and -f do not go with -s (give the command as arguments)\n");
			return 2;
		}
		return client_main(sock, json, argc - optind, argv + optind);
	}
	if (json) {
		fprintf(stderr, "rtmctl: -j goes with -s (a control socket's answers)\n");
		return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "rtmctl: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!nsrc) {
		srcs[0].kind = 'f';
		srcs[nsrc++].arg = "-";
	}
	catch_signals();
	for (int i = 0; i < nsrc && !run.stop && !got_signal; i++) {
		if (srcs[i].kind == 'c') {
			run_string(srcs[i].arg);
		} else if (!strcmp(srcs[i].arg, "-")) {
			interactive = isatty(STDIN_FILENO);
			run_stream(stdin, "<stdin>", interactive);
		} else {
			FILE *f = fopen(srcs[i].arg, "r");
			if (!f) {
				run.src = NULL;
				run.interactive = false;
				fail("%s: %s", srcs[i].arg, strerror(errno));
				continue;
			}
			run_stream(f, srcs[i].arg, false);
			fclose(f);
		}
	}
	teardown();
	if (got_signal)
		return 128 + got_signal;
	return run.failures && !interactive ? 1 : 0;
}

