/*
 * rtmctl.h — what the files of rtmctl share: limits, the entity table and the
 * state of the run (both defined in main.c), the command table (commands.c),
 * and the functions each file offers the others.  Private to the tool, which
 * includes nothing but the public headers of rtmv2 besides this one.
 *
 *   main.c      the state, the entity table, the event callback, reading and
 *               running commands, main()
 *   parse.c     words into values: numbers, addresses, protocols, views, names
 *   commands.c  one function per command, and the command table
 *   output.c    error lines, formatting values, printing routes and destinations
 *   kernel.c    `kernel`: the kernel FIB agents (<rtmv2/fib.h>)
 */
#ifndef RTMCTL_H
#define RTMCTL_H

#include <routprot.h>
#include <rtmv2.h>
#include <rtmv2/rtmv2_ext.h>

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define MAX_ENTITIES 64
#define MAX_NAME 32
#define MAX_ARGS 32
#define N_NEIGHBOURS 32 /* synthetic next hops of `load` */
#define DEFAULT_PREF 100
#define ADDR_STR (INET6_ADDRSTRLEN + 16) /* an address, "/len" or "%ifindex" */
#define VIEWS_STR 384

struct ctl_entity {
	char name[MAX_NAME];
	RTM_ENTITY_HANDLE h; /* NULL while RtmRegisterEntity runs */
	RTM_ENTITY_INFO info;
	RTM_REGN_PROFILE profile;
	bool have_neighbours;
	RTM_NEXTHOP_HANDLE neighbours[N_NEIGHBOURS]; /* referenced while have_neighbours */
	bool seen; /* daemon.c: registered (again) by the reload running */
};

/* The entity table, in registration order (main.c explains the locking). */
extern struct ctl_entity ents[MAX_ENTITIES];
extern unsigned n_ents;
extern pthread_mutex_t ents_lock;
extern bool events_quiet; /* under ents_lock: set while tearing down at exit */

/* The command being run, for error messages; main thread only. */
struct ctl_run {
	const char *src;    /* "-c", a file name, "<stdin>"; NULL if interactive or none */
	unsigned long line; /* line (or -c command) number */
	const char *cmd;    /* the command's name, once known */
	unsigned failures;
	bool interactive; /* reading commands from a terminal */
	bool stop;        /* `quit` */
};

extern struct ctl_run run;

/* A buffer for an RTM_DEST_INFO with any number of views, suitably aligned. */
union dest_buf {
	RTM_DEST_INFO info;
	unsigned char bytes[RTM_SIZE_OF_DEST_INFO(RTM_MAX_VIEWS)];
};

/* A protocol's name and PROTO_IP_* id (parse.c has the table). */
struct ctl_protocol {
	const char *name;
	ULONG id;
};

extern const struct ctl_protocol protocols[];
extern const size_t n_protocols;

struct ctl_command {
	const char *name;
	int min_args, max_args; /* not counting the command's name */
	int (*fn)(int argc, char **argv);
	const char *usage;
};

extern const struct ctl_command commands[];
extern const size_t n_commands;

/* main.c: the entity table and the event callback of every entity. */
struct ctl_entity *find_entity(const char *name);
struct ctl_entity *need_entity(const char *name);
struct ctl_entity *first_entity(USHORT af);
struct ctl_entity *query_entity(USHORT af);
void release_neighbours(struct ctl_entity *e);
DWORD WINAPI on_event(RTM_ENTITY_HANDLE self, RTM_EVENT_TYPE type, PVOID ctx1, PVOID ctx2);

/* parse.c: each returns false when the word is not what it should be. */
bool parse_ulong(const char *s, unsigned long max, unsigned long *out);
bool parse_u32(const char *s, ULONG *out);
bool parse_prefix(const char *s, RTM_NET_ADDRESS *a);
bool parse_protocol(const char *s, ULONG *out);
bool parse_addr(const char *s, USHORT af, bool host, RTM_NET_ADDRESS *a);
bool parse_views(const char *s, RTM_VIEW_SET supported, RTM_VIEW_SET *out);
bool valid_name(const char *s);
bool parse_next_hop(struct ctl_entity *e, char *s, RTM_NEXTHOP_INFO *nhi);

/* main.c: a script's commands; the end (kernel agents stopped, entities deregistered). */
void run_file(FILE *f, const char *name);
void teardown(void);

/* client.c: rtmctl -s PATH [COMMAND...]; daemon.c: rtmctl -d -s PATH. */
int client_main(const char *path, bool json, int argc, char **argv);
int daemon_main(const char *path, const char *file, bool foreground, unsigned flags, mode_t mode, gid_t gid);
/* daemon.c: true while a reload runs the script again: register and kernel
 * sync leave alone what is there, and the routes added are noted. */
extern bool reloading;
void touch_route(RTM_ENTITY_HANDLE e, const RTM_NET_ADDRESS *dest, RTM_NEXTHOP_HANDLE neighbour);
void touch_mrt_route(void *context, RTM_ENTITY_HANDLE entity, const RTM_NET_ADDRESS *dest,
		     RTM_NEXTHOP_HANDLE neighbour);

/* kernel.c: `kernel` (the kernel FIB agents); kernel_stop_all at exit. */
int cmd_kernel(int argc, char **argv);
/* commands.c: `register` (mrt.c registers NAME's other family with it). */
int cmd_register(int argc, char **argv);
/* mrt.c: `mrt load|dump`, MRT files (<rtmv2/mrt.h>). */
int cmd_mrt(int argc, char **argv);
void kernel_stop_all(void);
/* kernel.c: the agents' state as "key: value" lines of the control socket's show status. */
struct rtm_control_out;
void kernel_report(struct rtm_control_out *out);

/* output.c: errors (fail and fail_api return -1), formatting and printing. */
int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fail_api(const char *function, DWORD rc);
const char *fmt_protocol(ULONG id, char *buf, size_t size);
const char *family_name(USHORT af);
const char *fmt_addr(const RTM_NET_ADDRESS *a, bool with_len, char *buf);
const char *view_name(unsigned v, char *buf, size_t size);
const char *fmt_views(RTM_VIEW_SET set, char *buf);
const char *owner_name(struct ctl_entity *q, RTM_ENTITY_HANDLE owner, char *buf, size_t size);
/* "kernel-agent" and "kernel" for the kernel FIB agent's entities (<rtmv2/fib.h>), else NULL. */
const char *fib_entity_name(const RTM_ENTITY_INFO *info);
PRTM_ROUTE_INFO alloc_route_info(const struct ctl_entity *e);
void print_next_hops(struct ctl_entity *q, const RTM_NEXTHOP_LIST *list);
void print_route(struct ctl_entity *q, RTM_ROUTE_HANDLE route, bool with_views);
void print_dest(struct ctl_entity *q, const RTM_DEST_INFO *di);
bool print_dest_routes(struct ctl_entity *q, RTM_DEST_HANDLE dest);

#endif /* RTMCTL_H */
