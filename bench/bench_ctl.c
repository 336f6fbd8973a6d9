/*
 * bench_ctl.c — the control socket (<rtmv2/control.h>) on the full table:
 * how fast `show route` streams the table to a client, and what a client
 * dumping the table costs a writer of that table.  Figures only.
 *
 *   bench_ctl TABLE.txt.gz
 *
 * The table is loaded as bench_mrt loads it (one BGP-like entity per
 * family, four next hops each), the entities are named ("bgp4", "bgp6"),
 * and a control socket is opened at /tmp/bench_ctl.PID.sock.  The client
 * is a thread of this process on a plain AF_UNIX socket, as rtmctl would
 * be: one connection per request, the request line, then it reads the
 * answer until the status line ("%ok" or "%error ...") and counts lines.
 *
 *   dump     `show route` three times: routes/s = data lines / time from
 *            connect to the status line; `json show route` once; `show
 *            route count` and `show protocols` (latency).  Each dump must
 *            show every destination of both tables (a wrong count fails).
 *   writer   a thread re-adds the IPv4 entity's routes (a replace: same
 *            owner, same next hop, the metric changed) over the table's
 *            prefixes for WRITE_SECONDS, alone, then while the client
 *            thread dumps `show route` in a loop; three rounds, alternately,
 *            and the medians.  With a client, three threads run (the
 *            writer, the client and the server's connection thread): on a
 *            machine of two CPUs they compete for them, and the output says
 *            how many there are and how busy they were.
 *
 * Targets (the issue's, absolute): the dump streams >= 1 M routes/s; the
 * writer keeps >= 0.8 of its rate alone while a client dumps the table.
 */
#include "common.h"
#include "gateways.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/un.h>

#include <routprot.h>
#include <rtmv2.h>
#include <rtmv2/control.h>
#include <rtmv2/rtmv2_ext.h>

#define NGW 4u
#define WRITE_SECONDS 2.0
#define ROUNDS 3

static RTM_ENTITY_HANDLE reg(int af, ULONG proto)
{
	RTM_ENTITY_INFO ei;
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h;
	memset(&ei, 0, sizeof(ei));
	ei.AddressFamily = (USHORT)af;
	ei.EntityId.EntityProtocolId = proto;
	ei.EntityId.EntityInstanceId = 1;
	if (RtmRegisterEntity(&ei, NULL, NULL, FALSE, &prof, &h) != NO_ERROR)
		exit(2);
	return h;
}

struct family_routes {
	RTM_ENTITY_HANDLE h;
	const struct bench_family *f;
	RTM_NEXTHOP_HANDLE nh[NGW];
};

/* Route i of the family, with metric m (the same owner and next hop each time: a replace). */
static DWORD add(struct family_routes *fr, size_t i, ULONG m)
{
	RTM_ROUTE_INFO r;
	RTM_NET_ADDRESS a;
	const struct bench_family *f = fr->f;
	memset(&r, 0, sizeof(r));
	memset(&a, 0, sizeof(a));
	r.PrefInfo.Preference = 20;
	r.PrefInfo.Metric = m;
	r.BelongsToViews = RTM_VIEW_MASK_UCAST;
	r.NextHopsList.NumNextHops = 1;
	r.NextHopsList.NextHops[0] = fr->nh[i % NGW];
	a.AddressFamily = (USHORT)f->af;
	a.NumBits = f->lens[i];
	memcpy(a.AddrBits, bench_key(f, i), f->width / 8);
	DWORD fl = 0;
	return RtmAddRouteToDest(fr->h, NULL, &a, &r, INFINITE, NULL, 0, NULL, &fl);
}

/* The family's prefixes as routes of fr->h, via four next hops (as bench_mrt). */
static void fill(struct family_routes *fr)
{
	const struct bench_family *f = fr->f;
	bench_gateways(fr->h, f, fr->nh, NGW);
	for (size_t i = 0; i < f->n; i++)
		if (add(fr, i, 0) != NO_ERROR)
			exit(2);
}

/* ---- the client ------------------------------------------------------------------------- */

static char sock_path[108];

struct answer {
	unsigned long lines;  /* data lines, the status line not counted */
	unsigned long long bytes;
	char status[128];     /* the status line, without its newline */
	double seconds;       /* connect to status line */
};

/* Sends one request on a new connection and reads its answer to the status line. */
static int ask(const char *request, struct answer *a)
{
	static __thread char buf[1 << 18];
	memset(a, 0, sizeof(*a));
	double t0 = bench_now();
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror("bench_ctl: connect");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	char line[256];
	int ln = snprintf(line, sizeof(line), "%s\n", request);
	if (send(fd, line, (size_t)ln, MSG_NOSIGNAL) != ln) {
		perror("bench_ctl: send");
		close(fd);
		return -1;
	}
	/* The current line's first bytes: enough to tell a status line. */
	char head[sizeof(a->status)];
	size_t hn = 0;
	int done = 0;
	while (!done) {
		ssize_t k = recv(fd, buf, sizeof(buf), 0);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		a->bytes += (unsigned long long)k;
		for (ssize_t i = 0; i < k && !done; i++) {
			char ch = buf[i];
			if (ch != '\n') {
				if (hn < sizeof(head) - 1)
					head[hn++] = ch;
				continue;
			}
			head[hn] = 0;
			if (head[0] == '%') {
				snprintf(a->status, sizeof(a->status), "%s", head);
				done = 1;
			} else {
				a->lines++;
			}
			hn = 0;
			/* Skip to the next newline quickly: the head is already known. */
			if (!done) {
				char *nl = memchr(buf + i + 1, '\n', (size_t)(k - i - 1));
				size_t take = nl ? (size_t)(nl - (buf + i + 1)) : (size_t)(k - i - 1);
				size_t keep = take < sizeof(head) - 1 ? take : sizeof(head) - 1;
				memcpy(head, buf + i + 1, keep);
				hn = keep;
				i += (ssize_t)take;
			}
		}
	}
	close(fd);
	a->seconds = bench_now() - t0;
	if (!done) {
		fprintf(stderr, "bench_ctl: %s: the answer ended without a status line\n", request);
		return -1;
	}
	return 0;
}

/* ---- the writer ------------------------------------------------------------------------- */

struct writer {
	struct family_routes *fr;
	double seconds;
	size_t next;            /* the next prefix, kept across runs: every run writes on */
	ULONG metric;
	unsigned long written;
	double rate;
	double cpu;             /* the writer thread's CPU time / its wall time */
	long vcsw, ivcsw;       /* its voluntary (waits) and involuntary (preempted) context switches */
	int failed;
};

static double ru_seconds(const struct rusage *ru)
{
	return (double)ru->ru_utime.tv_sec + (double)ru->ru_stime.tv_sec +
	       1e-6 * (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec);
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	size_t n = w->fr->f->n;
	unsigned long done = 0;
	struct rusage r0, r1;
	getrusage(RUSAGE_THREAD, &r0);
	double t0 = bench_now(), t = t0;
	while (t - t0 < w->seconds) {
		for (unsigned k = 0; k < 1024; k++) {
			if (w->next == n)
				w->next = 0, w->metric++;
			if (add(w->fr, w->next++, w->metric) != NO_ERROR) {
				w->failed = 1;
				return NULL;
			}
		}
		done += 1024;
		t = bench_now();
	}
	getrusage(RUSAGE_THREAD, &r1);
	w->written = done;
	w->rate = (double)done / (t - t0);
	w->cpu = (ru_seconds(&r1) - ru_seconds(&r0)) / (t - t0);
	w->vcsw = r1.ru_nvcsw - r0.ru_nvcsw;
	w->ivcsw = r1.ru_nivcsw - r0.ru_nivcsw;
	return NULL;
}

struct dumper {
	atomic_int stop;
	unsigned long dumps, lines;
	double seconds;
	double cpu;             /* the client thread's CPU seconds */
	int failed;
};

static void *dumper_main(void *arg)
{
	struct dumper *d = arg;
	struct rusage r0, r1;
	getrusage(RUSAGE_THREAD, &r0);
	while (!atomic_load(&d->stop)) {
		struct answer a;
		if (ask("show route", &a) != 0 || strcmp(a.status, "%ok") != 0) {
			d->failed = 1;
			return NULL;
		}
		d->dumps++;
		d->lines += a.lines;
		d->seconds += a.seconds;
	}
	getrusage(RUSAGE_THREAD, &r1);
	d->cpu = ru_seconds(&r1) - ru_seconds(&r0);
	return NULL;
}

static double cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru_seconds(&ru);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median3(double v[ROUNDS])
{
	double s[ROUNDS];
	memcpy(s, v, sizeof(s));
	qsort(s, ROUNDS, sizeof(double), cmp_double);
	return s[ROUNDS / 2];
}

/* ---- main ------------------------------------------------------------------------------- */

static int check(const char *what, const struct answer *a, unsigned long want)
{
	if (strcmp(a->status, "%ok") != 0) {
		fprintf(stderr, "bench_ctl: %s: %s\n", what, a->status);
		return -1;
	}
	if (want && a->lines != want) {
		fprintf(stderr, "bench_ctl: %s: %lu lines, the tables hold %lu destinations\n", what, a->lines, want);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char m[256];
	bench_machine(m, sizeof(m));
	printf("bench_ctl: %s\n", m);
	if (argc != 2) {
		fprintf(stderr, "usage: bench_ctl TABLE.txt.gz\n");
		return 2;
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct bench_family v4, v6;
	bench_read_table("bench_ctl", argv[1], &v4, &v6);
	struct family_routes r4 = { reg(AF_INET, PROTO_IP_BGP), &v4, { 0 } };
	struct family_routes r6 = { reg(AF_INET6, PROTO_IP_BGP), &v6, { 0 } };
	double t0 = bench_now();
	fill(&r4);
	fill(&r6);
	printf("  load: %zu + %zu prefixes in %.2f s\n", v4.n, v6.n, bench_now() - t0);
	rtm_stats s4, s6;
	if (rtm_get_stats(r4.h, &s4) != NO_ERROR || rtm_get_stats(r6.h, &s6) != NO_ERROR)
		return 2;
	unsigned long dests = s4.dests + s6.dests;

	snprintf(sock_path, sizeof(sock_path), "/tmp/bench_ctl.%d.sock", (int)getpid());
	rtm_control_options opt;
	memset(&opt, 0, sizeof(opt));
	opt.path = sock_path;
	opt.uid = (uid_t)-1;
	opt.gid = (gid_t)-1;
	rtm_control *ctl;
	DWORD rc = rtm_control_open(&opt, &ctl);
	if (rc != NO_ERROR) {
		fprintf(stderr, "bench_ctl: rtm_control_open(%s): %lu\n", sock_path, (unsigned long)rc);
		return 2;
	}
	if (rtm_control_name_entity(ctl, "bgp4", r4.h) != NO_ERROR ||
	    rtm_control_name_entity(ctl, "bgp6", r6.h) != NO_ERROR)
		return 2;
	printf("  socket %s; tables: %lu destinations (%lu IPv4, %lu IPv6)\n", sock_path, dests, s4.dests,
	       s6.dests);

	/* 1. The dump, alone. */
	struct answer a;
	double rates[ROUNDS];
	int bad = 0;
	for (int i = 0; i < ROUNDS && !bad; i++) {
		double c0 = cpu_seconds();
		bad |= ask("show route", &a) != 0 || check("show route", &a, dests) != 0;
		double cpu = cpu_seconds() - c0;
		rates[i] = (double)a.lines / a.seconds;
		printf("  show route #%d: %lu lines, %.1f MB in %.3f s: %.2f M routes/s, %.1f MB/s, %.2f CPUs busy "
		       "(%.2f M routes per CPU-second)\n",
		       i + 1, a.lines, (double)a.bytes / 1e6, a.seconds, rates[i] / 1e6,
		       (double)a.bytes / 1e6 / a.seconds, cpu / a.seconds, (double)a.lines / cpu / 1e6);
	}
	if (bad)
		goto fail;
	double dump = median3(rates);
	bench_result("ctl.dump", dump, (long)dests, "show route through the socket (median of 3), routes/s");

	if (ask("json show route", &a) != 0 || check("json show route", &a, 0) != 0)
		goto fail;
	/* One object per line, between "{"routes":[" and the closing line. */
	printf("  json show route: %lu lines, %.1f MB in %.3f s: %.2f M routes/s\n", a.lines, (double)a.bytes / 1e6,
	       a.seconds, (double)dests / a.seconds / 1e6);
	bench_result("ctl.json", (double)dests / a.seconds, (long)dests, "json show route, routes/s");

	if (ask("show route count", &a) != 0 || check("show route count", &a, 0) != 0)
		goto fail;
	printf("  show route count: %lu lines in %.3f ms\n", a.lines, a.seconds * 1e3);
	if (ask("show protocols", &a) != 0 || check("show protocols", &a, 0) != 0)
		goto fail;
	printf("  show protocols: %lu lines in %.3f ms\n", a.lines, a.seconds * 1e3);

	/* 2. The writer, alone and with a client dumping, alternately. */
	struct writer w = { .fr = &r4, .seconds = WRITE_SECONDS, .metric = 1 };
	double alone[ROUNDS], with[ROUNDS], per_cpu[ROUNDS], dumping[ROUNDS], busy_alone[ROUNDS], busy_with[ROUNDS];
	for (int i = 0; i < ROUNDS; i++) {
		pthread_t tw, td;
		double c0 = cpu_seconds(), w0 = bench_now();
		pthread_create(&tw, NULL, writer_main, &w);
		pthread_join(tw, NULL);
		busy_alone[i] = (cpu_seconds() - c0) / (bench_now() - w0);
		if (w.failed)
			goto fail;
		alone[i] = w.rate;
		double wcpu_alone = w.cpu;

		struct dumper d;
		memset(&d, 0, sizeof(d));
		c0 = cpu_seconds(), w0 = bench_now();
		pthread_create(&td, NULL, dumper_main, &d);
		pthread_create(&tw, NULL, writer_main, &w);
		pthread_join(tw, NULL);
		busy_with[i] = (cpu_seconds() - c0) / (bench_now() - w0);
		atomic_store(&d.stop, 1);
		pthread_join(td, NULL);
		if (w.failed || d.failed)
			goto fail;
		with[i] = w.rate;
		dumping[i] = d.seconds > 0 ? (double)d.lines / d.seconds : 0;
		per_cpu[i] = (with[i] / w.cpu) / (alone[i] / wcpu_alone);
		double client = d.seconds > 0 ? d.cpu / d.seconds : 0;
		printf("  round %d: writer alone %.2f M routes/s (writer thread %.2f CPUs, process %.2f)\n", i + 1,
		       alone[i] / 1e6, wcpu_alone, busy_alone[i]);
		printf("           with a client dumping %.2f M routes/s (writer thread %.2f CPUs, %ld waits, %ld "
		       "preemptions; process %.2f CPUs, client thread %.2f, server ~%.2f; %lu dumps at %.2f M "
		       "routes/s)\n",
		       with[i] / 1e6, w.cpu, w.vcsw, w.ivcsw, busy_with[i], client, busy_with[i] - w.cpu - client,
		       d.dumps, dumping[i] / 1e6);
		printf("           with / alone %.2f; per CPU-second of the writer thread %.2f\n", with[i] / alone[i],
		       per_cpu[i]);
	}
	double wa = median3(alone), ww = median3(with), dw = median3(dumping);
	bench_result("ctl.w", wa, -1, "the writer alone (replace, IPv4), routes/s (median of 3)");
	bench_result("ctl.ww", ww, -1, "the writer while a client dumps, routes/s (median of 3)");
	bench_result("ctl.dw", dw, -1, "show route while the writer writes, routes/s (median of 3)");

	printf("  %ld CPUs online: the writer, the client and the server's connection thread share them\n", ncpu);
	printf("  dump %.2f M routes/s: %.2f of the target (1 M routes/s)\n", dump / 1e6, dump / 1e6);
	printf("  writer with a client / alone %.2f: %.2f of the target (0.8); per CPU-second of the writer %.2f\n",
	       ww / wa, ww / wa / 0.8, median3(per_cpu));
	printf("target: show route >= 1 M routes/s: %s (%.2f M); the writer with a dumping client >= 0.8 of it alone: "
	       "%s (%.2f; %ld CPUs)\n",
	       dump >= 1e6 ? "met" : "NOT met", dump / 1e6, ww >= 0.8 * wa ? "met" : "NOT met", ww / wa, ncpu);
	rtm_control_close(ctl);
	free(v4.keys), free(v4.lens), free(v6.keys), free(v6.lens);
	return 0;
fail:
	rtm_control_close(ctl);
	return 1;
}
