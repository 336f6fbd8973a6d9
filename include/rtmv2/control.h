/*
 * control.h — the control socket: a running process's RTM tables seen from
 * outside (rtmctl -s PATH; docs/control.md has the protocol and the JSON
 * schema).
 *
 * A program embedding rtmv2 opens one with rtm_control_open, or sets the
 * environment variable RTMV2_CONTROL to a path: the first RtmRegisterEntity
 * of the process then opens a socket there with the default options (read
 * only).  The socket is a Unix stream socket served by threads of the
 * library: one accepts, one serves each connection (at most max_clients at
 * once).  Each request is one line; the answer is lines of text (or one JSON
 * document) and then a status line, "%ok" or "%error MESSAGE".
 *
 * Reading.  The server reads each instance and family of the process the way
 * any client does: through an entity of its own (protocol
 * RTM_CONTROL_PROTOCOL_ID, instance RTM_CONTROL_ENTITY_INSTANCE), registered
 * in a table the first time a request needs it (again if the program
 * deregistered it) and deregistered when the socket closes or when it is the
 * table's last entity, so other entities see it come (RTM_ENTITY_REGISTERED)
 * and go.
 * Enumerations never block the table's writers, and an answer is written as
 * it is read, a batch at a time, never built whole in memory.
 *
 * Who may connect.  The socket file gets `mode` (default 0600) and, when
 * `gid` is not (gid_t)-1, that group; a connection is served when its peer
 * (SO_PEERCRED) is root, the process's own user, options->uid or in
 * options->gid; any other is refused, closed, and logged with the reason.
 * A request line longer than 4,096 bytes, one that does not end within
 * `timeout_ms`, or a client that does not read its answer for `timeout_ms`
 * closes the connection; no client can block the tables or the other clients.
 *
 * Writing.  Only with RTM_CONTROL_WRITE: `add route` and `delete route` act
 * as an entity the program named with rtm_control_name_entity.
 */
#ifndef RTMV2_CONTROL_H
#define RTMV2_CONTROL_H

#include <rtmv2.h>

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The server's own entity, in every table it reads. */
#define RTM_CONTROL_PROTOCOL_ID 0x52544d43UL /* "RTMC" */
#define RTM_CONTROL_ENTITY_INSTANCE 0

/* options.flags */
#define RTM_CONTROL_WRITE 0x1 /* add route / delete route, as a named entity */

typedef struct rtm_control_options {
	const char *path;      /* the socket's path (at most 107 bytes); required */
	unsigned flags;        /* RTM_CONTROL_WRITE */
	mode_t mode;           /* the socket file's mode; 0: 0600 */
	uid_t uid;             /* a user allowed besides root and the process's own; (uid_t)-1 none */
	gid_t gid;             /* the socket's group and a group allowed; (gid_t)-1 none */
	unsigned max_clients;  /* connections served at once; 0: 16 (more wait to be accepted) */
	unsigned timeout_ms;   /* for a request line and for each write of an answer; 0: 10,000 */
	/* Where refusals and errors are logged; NULL: syslog(3), facility LOG_DAEMON. */
	void (*log)(void *context, int priority, const char *message);
	void *log_context;
} rtm_control_options;

typedef struct rtm_control rtm_control;

/*
 * Opens the socket (an existing socket file at the path is replaced when no
 * process answers on it) and starts serving.  NO_ERROR and *ctl;
 * ERROR_INVALID_PARAMETER (no path, a path too long, unknown flags),
 * ERROR_ALREADY_EXISTS (a process already serves that path),
 * ERROR_ACCESS_DENIED, ERROR_NOT_ENOUGH_MEMORY, ERROR_GEN_FAILURE (another
 * socket error).
 */
RTMV2_API DWORD rtm_control_open(const rtm_control_options *options, rtm_control **ctl);

/* Stops serving: waits for the connections' threads, removes the socket file,
 * deregisters the server's entities.  NULL does nothing. */
RTMV2_API void rtm_control_close(rtm_control *ctl);

/* Gives an entity of the program a name the socket shows (show protocols,
 * show route ... protocol NAME) and, with RTM_CONTROL_WRITE, writes as.
 * Unnamed entities are shown as "proto-P.I" (protocol and instance ids).
 * A name is at most 31 characters of [A-Za-z0-9_.-]; naming a handle again
 * renames it; NULL name forgets it (do that before deregistering it).
 * NO_ERROR, ERROR_INVALID_PARAMETER, ERROR_NOT_ENOUGH_MEMORY. */
RTMV2_API DWORD rtm_control_name_entity(rtm_control *ctl, const char *name, RTM_ENTITY_HANDLE entity);

/* Adds lines to `show status`: fn is called (on a server thread) with a
 * writer and its argument, and writes "key: value" lines with
 * rtm_control_printf (the kernel agent's state, say); name is the section's
 * heading (1 to 31 characters of [A-Za-z0-9_.-]).  At most 8 sections.
 * NO_ERROR; ERROR_INVALID_PARAMETER (ctl, name or fn NULL, a bad name);
 * ERROR_NOT_ENOUGH_MEMORY (8 sections already). */
typedef struct rtm_control_out rtm_control_out;
typedef void (*rtm_control_status_fn)(void *context, rtm_control_out *out);
RTMV2_API DWORD rtm_control_add_status(rtm_control *ctl, const char *name, rtm_control_status_fn fn,
				       void *context);
RTMV2_API void rtm_control_printf(rtm_control_out *out, const char *format, ...)
	__attribute__((format(printf, 2, 3)));

/* The control socket of RTMV2_CONTROL, if the first registration opened one. */
RTMV2_API rtm_control *rtm_control_from_env(void);

#ifdef __cplusplus
}
#endif

#endif
