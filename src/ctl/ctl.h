/*
 * ctl.h — the control socket (include/rtmv2/control.h): the server's state,
 * shared by its files.  The control socket is a client of the public API
 * like the kernel agent and the MRT component, built into the library: its
 * files include only the public headers and each other (server.c: the
 * socket, its threads and who may connect; out.c: answers, text and JSON,
 * written as they are made; query.c: the commands).  api/control.c holds its
 * entry points.
 */
#ifndef RTM_CTL_H
#define RTM_CTL_H

#include <rtmv2.h>
#include <rtmv2/control.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CTL_MAX_LINE 4096   /* a request line, with its newline */
#define CTL_MAX_NAMES 64
#define CTL_MAX_STATUS 8
#define CTL_MAX_REGS 128    /* one per instance and family: RTM's own limit */
#define CTL_MAX_CONNS 256

struct ctl_name {
	RTM_ENTITY_HANDLE h;
	char name[32];
	USHORT family, instance;   /* of its registration */
	ULONG protocol, proto_instance;
};

struct ctl_status {
	char name[32];
	rtm_control_status_fn fn;
	void *context;
};

/* The server's own registration in one instance and family. */
struct ctl_reg {
	USHORT instance, family;
	RTM_ENTITY_HANDLE h;
	RTM_REGN_PROFILE prof;
};

struct rtm_control {
	rtm_control_options opt;
	char path[108];
	int lfd;                   /* the listening socket */
	int wake[2];               /* a pipe: written to stop the acceptor */
	pthread_t acceptor;
	pthread_mutex_t mu;        /* everything below */
	pthread_cond_t cv;         /* a connection's thread ended */
	unsigned conns;            /* connections being served */
	int conn_fd[CTL_MAX_CONNS];/* their sockets (-1 free), shut down by close */
	bool stopping;
	struct ctl_name names[CTL_MAX_NAMES];
	unsigned n_names;
	struct ctl_status status[CTL_MAX_STATUS];
	unsigned n_status;
	/* The server's registrations, under reg_mu (not mu: RtmRegisterEntity
	 * calls the other entities' callbacks, which may call
	 * rtm_control_name_entity, which takes mu). */
	pthread_mutex_t reg_mu;
	struct ctl_reg regs[CTL_MAX_REGS];
	unsigned n_regs;
	time_t started;
	unsigned long served, refused, requests;
};

/* An answer being written: a buffer sent whenever it fills. */
struct rtm_control_out {
	int fd;
	unsigned timeout_ms;
	bool json;
	bool failed;               /* a write failed or timed out: the rest is dropped */
	bool kv_open;              /* JSON: a status provider's object is open */
	unsigned items;            /* JSON: members written in the current object or array */
	size_t n;
	char buf[65536];
};

/* out.c */
void ctl_out_init(struct rtm_control_out *o, int fd, unsigned timeout_ms);
void ctl_out_bytes(struct rtm_control_out *o, const char *p, size_t n);
void ctl_out_str(struct rtm_control_out *o, const char *s);
void ctl_out_fmt(struct rtm_control_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ctl_out_json_str(struct rtm_control_out *o, const char *s); /* a quoted, escaped JSON string */
void ctl_out_sep(struct rtm_control_out *o);                      /* "," before all but the first member */
bool ctl_out_flush(struct rtm_control_out *o);                    /* false: the client is gone or stuck */
bool ctl_send_all(int fd, const char *p, size_t n, unsigned timeout_ms);

/* query.c: runs one request line (changed in place) and writes its answer,
 * ending with the status line; false when the connection should close. */
bool ctl_request(rtm_control *c, struct rtm_control_out *o, char *line);
/* A copy of the server's registration in (instance, family), made (again)
 * when missing or gone; false if none can be made. */
bool ctl_reg_get(rtm_control *c, USHORT instance, USHORT family, struct ctl_reg *out);
void ctl_regs_release(rtm_control *c);

/* server.c */
void ctl_log(rtm_control *c, int priority, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
DWORD ctl_open(const rtm_control_options *options, rtm_control **out);
void ctl_close(rtm_control *c);
DWORD ctl_name_entity(rtm_control *c, const char *name, RTM_ENTITY_HANDLE h);
DWORD ctl_add_status(rtm_control *c, const char *name, rtm_control_status_fn fn, void *context);
void ctl_printf(rtm_control_out *out, const char *fmt, va_list ap);
rtm_control *ctl_from_env(void);
void ctl_env_open(void);

#endif
