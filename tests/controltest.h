/*
 * controltest.h — what the control socket's tests (test_control.c,
 * test_control2.c) share: a plain AF_UNIX client (connect, one request and
 * its whole answer up to the status line, lines counted, the status line),
 * a socket path per process and test, a log sink for the server, a JSON
 * check through python3, and a model table: routes added through the API
 * and remembered, from which the lines `show route` must print are derived.
 */
#ifndef RTM_CONTROLTEST_H
#define RTM_CONTROLTEST_H

#include "rtmtest.h"

#include <rtmv2/control.h>

#include <errno.h>
#include <poll.h>
#include <routprot.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#define CT_MSAN 1
#endif
#endif

/* ---- the server's side ---------------------------------------------------------------- */

static char ct_path[108];

/* A fresh socket path under /tmp for this process (the pid) and tag. */
static inline const char *ct_make_path(const char *tag)
{
	snprintf(ct_path, sizeof(ct_path), "/tmp/rtmv2-ctltest-%ld-%s.sock", (long)getpid(), tag);
	unlink(ct_path);
	return ct_path;
}

/* What the server logged (refusals, closed connections), for the checks. */
static pthread_mutex_t ct_log_mu = PTHREAD_MUTEX_INITIALIZER;
static char ct_log_text[8192];

static inline void ct_log(void *context, int priority, const char *message)
{
	(void)context;
	(void)priority;
	pthread_mutex_lock(&ct_log_mu);
	size_t n = strlen(ct_log_text);
	if (n + strlen(message) + 2 < sizeof(ct_log_text))
		snprintf(ct_log_text + n, sizeof(ct_log_text) - n, "%s\n", message);
	pthread_mutex_unlock(&ct_log_mu);
}

static inline bool ct_logged(const char *s)
{
	pthread_mutex_lock(&ct_log_mu);
	bool yes = strstr(ct_log_text, s) != NULL;
	pthread_mutex_unlock(&ct_log_mu);
	return yes;
}

/* Options with the defaults and the test's log sink. */
static inline rtm_control_options ct_options(const char *path)
{
	rtm_control_options o;
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.uid = (uid_t)-1;
	o.gid = (gid_t)-1;
	o.log = ct_log;
	return o;
}

/* ---- the client's side ---------------------------------------------------------------- */

/* A connected client, or -1.  Reads give up after 60 s: a server that never
 * answers fails the check instead of hanging the test until its deadline. */
static inline int ct_connect(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	struct timeval tv = { 60, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static inline bool ct_send(int fd, const void *p, size_t n)
{
	const char *s = p;
	while (n) {
		ssize_t k = send(fd, s, n, MSG_NOSIGNAL);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		s += k;
		n -= (size_t)k;
	}
	return true;
}

/* Does the text (of length n) end with a status line? */
static inline bool ct_complete(const char *s, size_t n)
{
	if (!n || s[n - 1] != '\n')
		return false;
	size_t i = n - 1;
	while (i && s[i - 1] != '\n')
		i--;
	return s[i] == '%';
}

/* Reads until a status line ends the answer, or the end of the stream (EOF,
 * a reset, or the 60 s receive timeout: *eof set).  The answer, to be freed. */
static inline char *ct_read_answer(int fd, bool *eof)
{
	size_t n = 0, cap = 1 << 16;
	char *s = malloc(cap + 1);
	if (!s)
		abort();
	if (eof)
		*eof = false;
	while (!ct_complete(s, n)) {
		if (n == cap) {
			cap *= 2;
			s = realloc(s, cap + 1);
			if (!s)
				abort();
		}
		ssize_t k = recv(fd, s + n, cap - n, 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			if (eof)
				*eof = true;
			break;
		}
		n += (size_t)k;
	}
	s[n] = 0;
	return s;
}

/* Sends one request (a newline added) and returns its answer, to be freed. */
static inline char *ct_ask(int fd, const char *request)
{
	size_t n = strlen(request);
	char *line = malloc(n + 2);
	if (!line)
		abort();
	memcpy(line, request, n);
	line[n] = '\n';
	bool sent = ct_send(fd, line, n + 1);
	free(line);
	if (!sent)
		return strdup("");
	return ct_read_answer(fd, NULL);
}

/* Is the stream at its end (EOF or reset: the server closed it)? */
static inline bool ct_closed(int fd)
{
	char c;
	ssize_t k;
	do
		k = recv(fd, &c, 1, 0);
	while (k < 0 && errno == EINTR);
	return k == 0 || (k < 0 && (errno == ECONNRESET || errno == EPIPE));
}

/* The status line of an answer ("%ok", "%error ..."), without its newline, in out. */
static inline const char *ct_status(const char *answer, char *out, size_t size)
{
	size_t n = strlen(answer);
	if (n && answer[n - 1] == '\n')
		n--;
	size_t i = n;
	while (i && answer[i - 1] != '\n')
		i--;
	snprintf(out, size, "%.*s", (int)(n - i), answer + i);
	return out;
}

#define CHECK_STATUS(answer, want)                                                                   \
	do {                                                                                         \
		char ct_st[512];                                                                     \
		ct_status((answer), ct_st, sizeof(ct_st));                                           \
		if (strcmp(ct_st, (want)) != 0) {                                                    \
			fprintf(stderr, "  %s:%d: status \"%s\", expected \"%s\"\n", __FILE__, __LINE__, \
				ct_st, (want));                                                      \
			tl_failed_checks++;                                                          \
		}                                                                                    \
	} while (0)

/* Data lines of an answer (the status line not counted). */
static inline unsigned long ct_lines(const char *answer)
{
	unsigned long n = 0;
	for (const char *s = answer; *s; s++)
		n += *s == '\n';
	return n ? n - 1 : 0;
}

/* The answer without its status line, to be freed. */
static inline char *ct_body(const char *answer)
{
	size_t n = strlen(answer);
	if (n && answer[n - 1] == '\n')
		n--;
	while (n && answer[n - 1] != '\n')
		n--;
	char *b = strndup(answer, n);
	if (!b)
		abort();
	return b;
}

static inline bool ct_have_python(void)
{
	return system("command -v python3 >/dev/null 2>&1") == 0;
}

/* Does python3 parse the answer (its status line removed) as one JSON document? */
static inline bool ct_json_parses(const char *answer)
{
	char *body = ct_body(answer);
	fflush(stdout);
	fflush(stderr);
	FILE *p = popen("python3 -c 'import json,sys; json.load(sys.stdin)'", "w");
	if (!p) {
		free(body);
		return false;
	}
	fwrite(body, 1, strlen(body), p);
	int st = pclose(p);
	if (st != 0)
		fprintf(stderr, "  not JSON: %.300s\n", body);
	free(body);
	return st == 0;
}

/* ---- a model table ---------------------------------------------------------------------- */

struct ct_route {
	char prefix[64];      /* as the server prints it: inet_ntop's form and /len */
	RTM_NET_ADDRESS dest;
	char nh[64];
	const char *owner;    /* the name given with rtm_control_name_entity */
	ULONG pref, metric;
	RTM_VIEW_SET views;
};

#define CT_MAX_ROUTES 1024
static struct ct_route ct_routes[CT_MAX_ROUTES];
static unsigned ct_n_routes;

/* Adds the route through the API and to the model. */
static inline void ct_add(RTM_ENTITY_HANDLE e, const char *owner, const char *addr, unsigned len, const char *nh,
			  ULONG pref, ULONG metric, RTM_VIEW_SET views)
{
	REQUIRE(ct_n_routes < CT_MAX_ROUTES);
	struct ct_route *r = &ct_routes[ct_n_routes++];
	r->dest = rt_addr(addr, len);
	char t[INET6_ADDRSTRLEN];
	inet_ntop(r->dest.AddressFamily, r->dest.AddrBits, t, sizeof(t));
	snprintf(r->prefix, sizeof(r->prefix), "%s/%u", t, len);
	snprintf(r->nh, sizeof(r->nh), "%s", nh);
	r->owner = owner;
	r->pref = pref;
	r->metric = metric;
	r->views = views;
	RTM_NEXTHOP_HANDLE h = rt_nexthop(e, nh, 1);
	REQUIRE(h);
	CHECK_U(rt_add_route(e, addr, len, pref, metric, views, h, NULL, NULL, NULL), NO_ERROR);
	RtmReleaseNextHops(e, 1, &h);
}

/* Is a inside the prefix p (as long or longer)? */
static inline bool ct_within(const RTM_NET_ADDRESS *a, const RTM_NET_ADDRESS *p)
{
	if (a->AddressFamily != p->AddressFamily || a->NumBits < p->NumBits)
		return false;
	for (unsigned b = 0; b < p->NumBits; b++)
		if ((a->AddrBits[b / 8] ^ p->AddrBits[b / 8]) & (0x80 >> (b % 8)))
			return false;
	return true;
}

/* The best route of r's prefix in view (the model's: lowest preference, then metric). */
static inline const struct ct_route *ct_best_of(const struct ct_route *r, RTM_VIEW_SET view)
{
	const struct ct_route *b = NULL;
	for (unsigned i = 0; i < ct_n_routes; i++) {
		const struct ct_route *x = &ct_routes[i];
		if (!(x->views & view) || !rt_addr_eq(&x->dest, &r->dest))
			continue;
		if (!b || x->pref < b->pref || (x->pref == b->pref && x->metric < b->metric))
			b = x;
	}
	return b;
}

static inline void ct_line_of(const struct ct_route *r, bool best, char *out, size_t size)
{
	bool u = r->views & RTM_VIEW_MASK_UCAST, m = r->views & RTM_VIEW_MASK_MCAST;
	snprintf(out, size, "%s via %s %s pref %lu metric %lu %s%s", r->prefix, r->nh, r->owner,
		 (unsigned long)r->pref, (unsigned long)r->metric,
		 u && m ? "unicast,multicast" : u ? "unicast" : "multicast", best ? " *" : "");
}

/* A selection of the model, as `show route` takes it. */
struct ct_sel {
	USHORT family;              /* 0: both */
	bool all;                   /* every route, not only the best */
	RTM_VIEW_SET view;          /* 0: unicast */
	const char *owner;          /* NULL: any */
	const RTM_NET_ADDRESS *in;  /* NULL: anywhere; else within it (longer) */
};

static int ct_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines the selection must print, sorted, in a NULL-terminated array (ct_free_lines). */
static inline char **ct_expect(const struct ct_sel *s, size_t *count)
{
	char **v = calloc(CT_MAX_ROUTES + 1, sizeof(char *));
	size_t n = 0;
	RTM_VIEW_SET view = s->view ? s->view : RTM_VIEW_MASK_UCAST;
	for (unsigned i = 0; v && i < ct_n_routes; i++) {
		const struct ct_route *r = &ct_routes[i];
		if ((s->family && r->dest.AddressFamily != s->family) || !(r->views & view) ||
		    (s->in && !ct_within(&r->dest, s->in)))
			continue;
		const struct ct_route *b = ct_best_of(r, view);
		if (!s->all && b != r)
			continue;
		if (s->owner && strcmp(r->owner, s->owner) != 0)
			continue;
		char line[256];
		ct_line_of(r, b == r, line, sizeof(line));
		v[n++] = strdup(line);
	}
	if (!v)
		abort();
	qsort(v, n, sizeof(char *), ct_cmp);
	*count = n;
	return v;
}

static inline void ct_free_lines(char **v)
{
	for (size_t i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

/* The data lines of an answer, sorted, in a NULL-terminated array (ct_free_lines). */
static inline char **ct_answer_lines(const char *answer, size_t *count)
{
	char *body = ct_body(answer);
	size_t n = 0, cap = 16;
	char **v = malloc((cap + 1) * sizeof(char *));
	char *save = NULL;
	for (char *l = strtok_r(body, "\n", &save); v && l; l = strtok_r(NULL, "\n", &save)) {
		if (n == cap)
			v = realloc(v, ((cap *= 2) + 1) * sizeof(char *));
		if (v)
			v[n++] = strdup(l);
	}
	if (!v)
		abort();
	v[n] = NULL;
	free(body);
	qsort(v, n, sizeof(char *), ct_cmp);
	*count = n;
	return v;
}

/* Does the answer hold exactly the selection's lines (and end with %ok)? */
#define CHECK_ANSWER(answer, sel)                                                                          \
	do {                                                                                               \
		size_t ct_ne, ct_na;                                                                       \
		char **ct_e = ct_expect((sel), &ct_ne), **ct_a = ct_answer_lines((answer), &ct_na);       \
		CHECK_STATUS((answer), "%ok");                                                             \
		CHECK_U(ct_na, ct_ne);                                                                     \
		for (size_t ct_i = 0; ct_i < ct_ne && ct_i < ct_na; ct_i++)                                \
			if (strcmp(ct_e[ct_i], ct_a[ct_i]) != 0) {                                         \
				fprintf(stderr, "  %s:%d: line %zu: \"%s\", expected \"%s\"\n", __FILE__,  \
					__LINE__, ct_i, ct_a[ct_i], ct_e[ct_i]);                           \
				tl_failed_checks++;                                                        \
				break;                                                                     \
			}                                                                                  \
		ct_free_lines(ct_e);                                                                       \
		ct_free_lines(ct_a);                                                                       \
	} while (0)

#endif
