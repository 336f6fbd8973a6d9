/*
 * ctl/server.c — the control socket itself: opening it (a stale socket file
 * replaced, a live one refused), the acceptor thread, one thread per
 * connection, who may connect (SO_PEERCRED), reading request lines with a
 * size and a time limit, and closing it all.
 *
 * Threads.  The acceptor polls the listening socket and a pipe that close
 * writes to.  It serves a connection on a thread of its own (detached; the
 * count of them is under c->mu, and close waits for it to reach 0 after
 * shutting their sockets down, which ends any read or write they are in).
 * Beyond max_clients, connections wait in the listen backlog.
 */
#include "ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

void ctl_log(rtm_control *c, int priority, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->opt.log)
		c->opt.log(c->opt.log_context, priority, msg);
	else
		syslog(LOG_DAEMON | priority, "rtmv2 control %s: %s", c->path, msg);
}

/* Is there a process serving path?  (A connect that succeeds says so.) */
static bool someone_serves(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	bool yes = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return yes;
}

/* The socket RTMV2_CONTROL opened (NULL once closed). */
static rtm_control *env_ctl;

struct conn {
	rtm_control *c;
	int fd;
	unsigned slot;
};

/* Reads one line (without its newline) into line, its length in *len; 1, 0
 * at the end of the stream, -1 on a line too long, a timeout or an error
 * (*why says which).  have: bytes already read past the last line, kept in
 * buf.  The wait for a line's first byte is idle_ms; once a line has begun,
 * all of it must come within timeout_ms (a client sending a byte now and
 * then cannot keep a thread for long). */
static int read_line(int fd, char *buf, size_t *have, char *line, size_t *len, unsigned idle_ms,
		     unsigned timeout_ms, const char **why)
{
	struct timespec begun = { 0, 0 };
	if (*have)
		clock_gettime(CLOCK_MONOTONIC, &begun);
	for (;;) {
		char *nl = memchr(buf, '\n', *have);
		if (nl) {
			size_t n = (size_t)(nl - buf);
			memcpy(line, buf, n);
			line[n] = 0;
			*len = n;
			if (n && line[n - 1] == '\r')
				line[--*len] = 0;
			*have -= n + 1;
			memmove(buf, nl + 1, *have);
			return 1;
		}
		if (*have >= CTL_MAX_LINE) {
			*why = "request line longer than 4096 bytes";
			return -1;
		}
		long wait_ms = idle_ms;
		if (*have) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			long spent = (long)(now.tv_sec - begun.tv_sec) * 1000 + (now.tv_nsec - begun.tv_nsec) / 1000000;
			wait_ms = spent >= (long)timeout_ms ? 0 : (long)timeout_ms - spent;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, wait_ms > INT_MAX ? INT_MAX : (int)wait_ms);
		if (r == 0) {
			*why = *have ? "request line not ended in time" : NULL; /* idle: a quiet close */
			return *have ? -1 : 0;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			*why = "poll failed";
			return -1;
		}
		ssize_t k = recv(fd, buf + *have, CTL_MAX_LINE - *have, 0);
		if (k == 0)
			return 0;
		if (!*have)
			clock_gettime(CLOCK_MONOTONIC, &begun); /* a line begins */
		if (k < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			*why = NULL;
			return 0;
		}
		*have += (size_t)k;
	}
}

/* May this peer connect?  Root, the process's own user, opt.uid, opt.gid. */
static bool allowed(const rtm_control *c, const struct ucred *cr)
{
	if (cr->uid == 0 || cr->uid == geteuid())
		return true;
	if (c->opt.uid != (uid_t)-1 && cr->uid == c->opt.uid)
		return true;
	return c->opt.gid != (gid_t)-1 && cr->gid == c->opt.gid;
}

static void *serve(void *arg)
{
	struct conn *k = arg;
	rtm_control *c = k->c;
	struct rtm_control_out *o = malloc(sizeof(*o));
	char *buf = malloc(CTL_MAX_LINE), *line = malloc(CTL_MAX_LINE + 1);
	/* An idle connection (a shell waiting for its user) may stay an hour;
	 * a request once begun must end within the timeout. */
	unsigned idle_ms = 3600 * 1000;
	size_t have = 0;
	if (o && buf && line) {
		for (;;) {
			const char *why = NULL;
			size_t len = 0;
			int r = read_line(k->fd, buf, &have, line, &len, idle_ms, c->opt.timeout_ms, &why);
			if (r < 0 && why) {
				ctl_log(c, LOG_NOTICE, "connection closed: %s", why);
				ctl_send_all(k->fd, "%error ", 7, c->opt.timeout_ms);
				ctl_send_all(k->fd, why, strlen(why), c->opt.timeout_ms);
				ctl_send_all(k->fd, "\n", 1, c->opt.timeout_ms);
			}
			if (r <= 0)
				break;
			ctl_out_init(o, k->fd, c->opt.timeout_ms);
			pthread_mutex_lock(&c->mu);
			c->requests++;
			pthread_mutex_unlock(&c->mu);
			/* A NUL would end the request early ("delete route P protocol X\0
			 * instance 5" would delete in instance 0): refused whole. */
			bool go_on = true;
			if (memchr(line, 0, len))
				ctl_out_str(o, "%error request line holds a NUL byte\n");
			else
				go_on = ctl_request(c, o, line);
			if (!ctl_out_flush(o) || !go_on)
				break;
		}
	}
	free(o);
	free(buf);
	free(line);
	pthread_mutex_lock(&c->mu);
	c->conn_fd[k->slot] = -1;
	close(k->fd);
	c->conns--;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	free(k);
	return NULL;
}

/* Serves fd on a thread of its own, or closes it (refused, stopping, no memory). */
static void take(rtm_control *c, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0) {
		ctl_log(c, LOG_WARNING, "connection refused: its credentials cannot be read (%s)", strerror(errno));
		close(fd);
		return;
	}
	if (!allowed(c, &cr)) {
		ctl_log(c, LOG_WARNING, "connection of pid %d refused: uid %u gid %u not allowed", (int)cr.pid,
			(unsigned)cr.uid, (unsigned)cr.gid);
		pthread_mutex_lock(&c->mu);
		c->refused++;
		pthread_mutex_unlock(&c->mu);
		ctl_send_all(fd, "%error permission denied\n", 25, 100);
		close(fd);
		return;
	}
	struct conn *k = malloc(sizeof(*k));
	pthread_mutex_lock(&c->mu);
	unsigned slot = 0;
	while (slot < CTL_MAX_CONNS && c->conn_fd[slot] >= 0)
		slot++;
	if (!k || c->stopping || slot == CTL_MAX_CONNS) {
		pthread_mutex_unlock(&c->mu);
		free(k);
		close(fd);
		return;
	}
	k->c = c;
	k->fd = fd;
	k->slot = slot;
	c->conn_fd[slot] = fd;
	c->conns++;
	c->served++;
	pthread_mutex_unlock(&c->mu);
	pthread_t t;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &at, serve, k) != 0) {
		pthread_mutex_lock(&c->mu);
		c->conn_fd[slot] = -1;
		c->conns--;
		pthread_mutex_unlock(&c->mu);
		close(fd);
		free(k);
		ctl_log(c, LOG_ERR, "connection dropped: no thread for it");
	}
	pthread_attr_destroy(&at);
}

static void *accept_loop(void *arg)
{
	rtm_control *c = arg;
	for (;;) {
		pthread_mutex_lock(&c->mu);
		bool full = c->conns >= c->opt.max_clients;
		pthread_mutex_unlock(&c->mu);
		struct pollfd p[2] = { { .fd = c->wake[0], .events = POLLIN }, { .fd = c->lfd, .events = POLLIN } };
		int r = poll(p, full ? 1 : 2, full ? 50 : -1); /* full: wait for a slot */
		if (r < 0 && errno != EINTR)
			break;
		if (p[0].revents)
			break;
		if (full || !(p[1].revents & POLLIN))
			continue;
		int fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd >= 0)
			take(c, fd);
	}
	return NULL;
}

DWORD ctl_open(const rtm_control_options *options, rtm_control **out)
{
	if (!options || !out || !options->path || !*options->path || (options->flags & ~RTM_CONTROL_WRITE))
		return ERROR_INVALID_PARAMETER;
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(options->path) >= sizeof(sa.sun_path))
		return ERROR_INVALID_PARAMETER;
	strcpy(sa.sun_path, options->path);
	rtm_control *c = calloc(1, sizeof(*c));
	if (!c)
		return ERROR_NOT_ENOUGH_MEMORY;
	c->opt = *options;
	strcpy(c->path, options->path);
	c->opt.path = c->path;
	if (!c->opt.mode)
		c->opt.mode = 0600;
	if (!c->opt.max_clients)
		c->opt.max_clients = 16;
	if (c->opt.max_clients > CTL_MAX_CONNS)
		c->opt.max_clients = CTL_MAX_CONNS;
	if (!c->opt.timeout_ms)
		c->opt.timeout_ms = 10000;
	if (c->opt.timeout_ms > 86400000u)
		c->opt.timeout_ms = 86400000u; /* a day: poll takes an int */
	for (unsigned i = 0; i < CTL_MAX_CONNS; i++)
		c->conn_fd[i] = -1;
	c->started = time(NULL);
	c->wake[0] = c->wake[1] = -1;
	DWORD rc = ERROR_GEN_FAILURE;
	struct stat st;
	if (lstat(c->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode) || someone_serves(&sa)) {
			rc = ERROR_ALREADY_EXISTS;
			goto fail;
		}
		unlink(c->path); /* a socket nobody answers on: left by a process that died */
	}
	c->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->lfd < 0)
		goto fail;
	/* Created with no permission for anyone, then given its mode and group:
	 * no moment when others could connect. */
	mode_t old = umask(0777);
	int b = bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (b != 0) {
		rc = errno == EACCES || errno == EPERM ? ERROR_ACCESS_DENIED
		     : errno == EADDRINUSE	       ? ERROR_ALREADY_EXISTS
						       : ERROR_GEN_FAILURE;
		close(c->lfd);
		goto fail;
	}
	if ((c->opt.gid != (gid_t)-1 && chown(c->path, (uid_t)-1, c->opt.gid) != 0) ||
	    chmod(c->path, c->opt.mode & 0777) != 0 || listen(c->lfd, 64) != 0 || pipe2(c->wake, O_CLOEXEC) != 0) {
		rc = errno == EPERM || errno == EACCES ? ERROR_ACCESS_DENIED : ERROR_GEN_FAILURE;
		goto fail_socket;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_mutex_init(&c->reg_mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	if (pthread_create(&c->acceptor, NULL, accept_loop, c) != 0) {
		rc = ERROR_NOT_ENOUGH_MEMORY;
		pthread_mutex_destroy(&c->mu);
		pthread_mutex_destroy(&c->reg_mu);
		pthread_cond_destroy(&c->cv);
		goto fail_socket;
	}
	*out = c;
	return NO_ERROR;
fail_socket:
	close(c->lfd);
	unlink(c->path);
	if (c->wake[0] >= 0) {
		close(c->wake[0]);
		close(c->wake[1]);
	}
fail:
	free(c);
	return rc;
}

void ctl_close(rtm_control *c)
{
	if (!c)
		return;
	rtm_control *env = c;
	__atomic_compare_exchange_n(&env_ctl, &env, NULL, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	(void)!write(c->wake[1], "x", 1);
	pthread_join(c->acceptor, NULL);
	pthread_mutex_lock(&c->mu);
	c->stopping = true;
	for (unsigned i = 0; i < CTL_MAX_CONNS; i++)
		if (c->conn_fd[i] >= 0)
			shutdown(c->conn_fd[i], SHUT_RDWR);
	while (c->conns)
		pthread_cond_wait(&c->cv, &c->mu);
	pthread_mutex_unlock(&c->mu);
	close(c->lfd);
	unlink(c->path);
	close(c->wake[0]);
	close(c->wake[1]);
	ctl_regs_release(c);
	pthread_mutex_destroy(&c->mu);
	pthread_mutex_destroy(&c->reg_mu);
	pthread_cond_destroy(&c->cv);
	free(c);
}

static bool good_name(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 31)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '.' || *s == '-'))
			return false;
	return true;
}

DWORD ctl_name_entity(rtm_control *c, const char *name, RTM_ENTITY_HANDLE h)
{
	if (!c || !h || (name && !good_name(name)))
		return ERROR_INVALID_PARAMETER;
	RTM_ENTITY_INFO info;
	if (name && RtmGetEntityInfo(h, h, &info) != NO_ERROR)
		return ERROR_INVALID_PARAMETER;
	pthread_mutex_lock(&c->mu);
	unsigned i = 0;
	while (i < c->n_names && c->names[i].h != h)
		i++;
	DWORD rc = NO_ERROR;
	if (!name) {
		if (i < c->n_names)
			c->names[i] = c->names[--c->n_names];
	} else if (i == c->n_names && c->n_names == CTL_MAX_NAMES) {
		rc = ERROR_NOT_ENOUGH_MEMORY;
	} else {
		/* Another handle of the same entity ids in that table is a stale
		 * one (the ids are unique in a table): its name goes. */
		bool fresh = i == c->n_names;
		for (unsigned j = 0; j < c->n_names;) {
			struct ctl_name *o = &c->names[j];
			if (j != i && o->family == info.AddressFamily && o->instance == info.RtmInstanceId &&
			    o->protocol == info.EntityId.EntityProtocolId &&
			    o->proto_instance == info.EntityId.EntityInstanceId) {
				if (!fresh && i == c->n_names - 1)
					i = j; /* the entry being renamed moves into j */
				c->names[j] = c->names[--c->n_names];
				continue;
			}
			j++;
		}
		if (fresh)
			i = c->n_names++;
		struct ctl_name *n = &c->names[i];
		n->h = h;
		snprintf(n->name, sizeof(n->name), "%s", name);
		n->family = info.AddressFamily;
		n->instance = info.RtmInstanceId;
		n->protocol = info.EntityId.EntityProtocolId;
		n->proto_instance = info.EntityId.EntityInstanceId;
	}
	pthread_mutex_unlock(&c->mu);
	if (name)
		RtmReleaseEntityInfo(h, &info);
	return rc;
}

DWORD ctl_add_status(rtm_control *c, const char *name, rtm_control_status_fn fn, void *context)
{
	if (!c || !fn || !name || !good_name(name))
		return ERROR_INVALID_PARAMETER;
	pthread_mutex_lock(&c->mu);
	DWORD rc = ERROR_NOT_ENOUGH_MEMORY;
	if (c->n_status < CTL_MAX_STATUS) {
		struct ctl_status *s = &c->status[c->n_status++];
		snprintf(s->name, sizeof(s->name), "%s", name);
		s->fn = fn;
		s->context = context;
		rc = NO_ERROR;
	}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

/* ---- RTMV2_CONTROL --------------------------------------------------------------------- */

static pthread_once_t env_once = PTHREAD_ONCE_INIT;

static void env_open_once(void)
{
	const char *path = getenv("RTMV2_CONTROL");
	if (!path || !*path)
		return;
	rtm_control_options o;
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.uid = (uid_t)-1;
	o.gid = (gid_t)-1;
	rtm_control *c;
	DWORD rc = ctl_open(&o, &c);
	if (rc == NO_ERROR)
		__atomic_store_n(&env_ctl, c, __ATOMIC_RELEASE);
	else
		syslog(LOG_DAEMON | LOG_ERR, "rtmv2: RTMV2_CONTROL=%s: the control socket could not be opened (%lu)",
		       path, (unsigned long)rc);
}

void ctl_env_open(void)
{
	pthread_once(&env_once, env_open_once);
}

rtm_control *ctl_from_env(void)
{
	return __atomic_load_n(&env_ctl, __ATOMIC_ACQUIRE);
}
