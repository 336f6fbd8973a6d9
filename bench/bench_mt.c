/*
 * bench_mt.c — readers and a writer at once on the full IPv4 table (issue 12,
 * item 5a).
 *
 * usage: bench_mt TABLE.txt.gz [SECONDS [ROUNDS]]     (default: 2 s, 3 rounds)
 *
 * Every IPv4 prefix of TABLE goes into an AF_INET RIB as protocol A ("BGP",
 * preference 20), as in bench_rib's step a.  A second entity, B ("OSPF",
 * preference 110, the worse), is the writer.  The roles:
 *
 *   reader  RtmGetMostSpecificDestination (best route, unicast view) +
 *           RtmReleaseDestInfo through A's handle, on the addresses inside
 *           table prefixes that bench_rib's c4in and bench_dpdk look up
 *           (bench/common.h); each reader starts at its own place in the set.
 *           Every lookup must find a destination (the address lies in a table
 *           prefix): a miss is a wrong answer and fails the bench.
 *   writer  RtmAddRouteToDest of a B route on a random table prefix, then
 *           RtmDeleteRouteToDest of it: B's routes churn over the whole table
 *           while A's stay the best.  Each call counts as one write.
 *
 * Configurations: 1 reader, 2 readers, the writer alone, 1 reader + the
 * writer, 2 readers + the writer.  Each runs SECONDS: its threads are created,
 * wait at a barrier with the main thread, and run until the main thread raises
 * the stop flag; each thread counts its own operations over its own time.
 * Nothing is pinned: the scheduler places the threads.  The configurations
 * are interleaved ROUNDS times and each figure is the median over the rounds.
 * Over each configuration the bench also takes the process's context switches
 * (getrusage RUSAGE_SELF, voluntary + involuntary) and its CPU time.
 *
 * Output (parsed by bench/run.sh; the ratios and targets are in its summary,
 * with bench_dpdk's rte_rib scaling next to them):
 *
 *     R <key> <operations per second> - <description>
 *     C <config> <context switches per second> <CPUs busy> <description>
 *
 * keys: mt.r1, mt.r2 (reads/s), mt.w (writes/s), mt.r1w.r, mt.r1w.w,
 * mt.r2w.r, mt.r2w.w (reads/s and writes/s with both roles running).
 *
 * Figures only: the exit status is non-zero on an API error or a wrong
 * answer, never because of speed.  Only <rtmv2.h> is used.
 */
#include <rtmv2.h>
#include <rtmv2/rtmv2_ext.h>

#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/resource.h>

#define NEIGHBOURS 32u
#define PROTO_A 14u  /* BGP */
#define PROTO_B 13u  /* OSPF */
#define PREF_A 20u
#define PREF_B 110u
#define MAX_ROUNDS 15
#define MAX_THREADS 3

struct table {
	const struct bench_family *f;
	RTM_ENTITY_HANDLE ent[2];                 /* A, B */
	RTM_NEXTHOP_HANDLE nh[2][NEIGHBOURS];
	const uint8_t *addrs;                     /* BENCH_NKEYS lookup addresses */
};

static void fail(const char *call, DWORD err, size_t i)
{
	printf("bench_mt: %s failed at item %zu: %lu (%s)\n", call, i, (unsigned long)err,
	       rtm_strerror(err));
	fflush(stdout);
	exit(1);
}

static DWORD WINAPI on_event(RTM_ENTITY_HANDLE me, RTM_EVENT_TYPE type, PVOID c1, PVOID c2)
{
	(void)me;
	(void)type;
	(void)c1;
	(void)c2;
	return NO_ERROR;
}

static void net_address(RTM_NET_ADDRESS *a, const struct bench_family *f, const uint8_t *key,
			unsigned len)
{
	memset(a, 0, sizeof(*a));
	a->AddressFamily = (USHORT)f->af;
	a->NumBits = (USHORT)len;
	memcpy(a->AddrBits, key, f->width / 8);
}

union route_buf {
	RTM_ROUTE_INFO info;
	char bytes[RTM_SIZE_OF_ROUTE_INFO(1)];
};

static void route_info(union route_buf *u, const struct table *t, int who, size_t i)
{
	RTM_NEXTHOP_HANDLE nh = t->nh[who][(i + (size_t)who * 7) % NEIGHBOURS];

	memset(u, 0, sizeof(*u));
	u->info.Neighbour = nh;
	u->info.PrefInfo.Preference = who == 0 ? PREF_A : PREF_B;
	u->info.PrefInfo.Metric = 1 + (ULONG)(i % 16);
	u->info.BelongsToViews = RTM_VIEW_MASK_UCAST;
	u->info.NextHopsList.NumNextHops = 1;
	u->info.NextHopsList.NextHops[0] = nh;
}

/* Registers A and B, gives each its 32 next hops, loads every prefix as A. */
static void table_init(struct table *t, const struct bench_family *f)
{
	RTM_REGN_PROFILE profile;

	memset(t, 0, sizeof(*t));
	t->f = f;
	for (int who = 0; who < 2; who++) {
		RTM_ENTITY_INFO info = { .RtmInstanceId = 0, .AddressFamily = (USHORT)f->af };

		info.EntityId.EntityProtocolId = who == 0 ? PROTO_A : PROTO_B;
		info.EntityId.EntityInstanceId = 1;
		DWORD err = RtmRegisterEntity(&info, NULL, on_event, FALSE, &profile, &t->ent[who]);
		if (err)
			fail("RtmRegisterEntity", err, (size_t)who);
		for (unsigned k = 0; k < NEIGHBOURS; k++) {
			RTM_NEXTHOP_INFO nhi;
			uint8_t key[16] = { 10, (uint8_t)who, 0, (uint8_t)(k + 1) };
			RTM_NEXTHOP_CHANGE_FLAGS fl = 0;

			memset(&nhi, 0, sizeof(nhi));
			net_address(&nhi.NextHopAddress, f, key, f->width);
			nhi.InterfaceIndex = k + 1;
			err = RtmAddNextHop(t->ent[who], &nhi, &t->nh[who][k], &fl);
			if (err)
				fail("RtmAddNextHop", err, k);
		}
	}
	for (size_t i = 0; i < f->n; i++) {
		union route_buf u;
		RTM_NET_ADDRESS a;
		RTM_ROUTE_HANDLE h = NULL;
		RTM_ROUTE_CHANGE_FLAGS fl = 0;

		net_address(&a, f, bench_key(f, i), f->lens[i]);
		route_info(&u, t, 0, i);
		DWORD err = RtmAddRouteToDest(t->ent[0], &h, &a, &u.info, INFINITE, NULL, 0, NULL, &fl);
		if (err)
			fail("RtmAddRouteToDest (A)", err, i);
		/* The bench keeps no handle of A's routes: deregistration deletes them. */
		RtmReleaseRoutes(t->ent[0], 1, &h);
	}
}

/* ---- one configuration ------------------------------------------------------ */

static struct {
	_Alignas(64) atomic_int stop;
	char pad[64 - sizeof(atomic_int)];
} ctl;

struct worker {
	_Alignas(64) const struct table *t;
	int writer;         /* 0: reader */
	unsigned index;     /* among the threads of its role */
	pthread_barrier_t *go;
	/* results */
	unsigned long ops;
	double seconds;
	DWORD err;          /* first error; NO_ERROR if none */
	const char *call;
	unsigned long misses;
};

static void *reader(struct worker *w)
{
	const struct table *t = w->t;
	RTM_NET_ADDRESS a;
	RTM_DEST_INFO di;
	unsigned long n = 0, misses = 0;
	/* Each reader starts at its own place in the address set. */
	size_t i = (size_t)w->index * (BENCH_NKEYS / MAX_THREADS) + 12345u * w->index;

	net_address(&a, t->f, t->addrs, t->f->width);
	pthread_barrier_wait(w->go);
	double t0 = bench_now();
	while (!atomic_load_explicit(&ctl.stop, memory_order_relaxed)) {
		for (int k = 0; k < 16; k++, i++, n++) {
			memcpy(a.AddrBits, t->addrs + (i & (BENCH_NKEYS - 1)) * 4, 4);
			DWORD err = RtmGetMostSpecificDestination(t->ent[0], &a, RTM_BEST_PROTOCOL,
								  RTM_VIEW_MASK_UCAST, &di);
			if (err == NO_ERROR) {
				err = RtmReleaseDestInfo(t->ent[0], &di);
				if (err && !w->err)
					w->err = err, w->call = "RtmReleaseDestInfo";
			} else if (err == ERROR_NOT_FOUND) {
				misses++;
			} else if (!w->err) {
				w->err = err, w->call = "RtmGetMostSpecificDestination";
			}
		}
	}
	w->seconds = bench_now() - t0;
	w->ops = n;
	w->misses = misses;
	return NULL;
}

static void *writer(struct worker *w)
{
	const struct table *t = w->t;
	const struct bench_family *f = t->f;
	uint64_t s = 0x452821e638d01377ull;
	unsigned long n = 0;
	union route_buf u;
	RTM_NET_ADDRESS a;

	pthread_barrier_wait(w->go);
	double t0 = bench_now();
	while (!atomic_load_explicit(&ctl.stop, memory_order_relaxed) && !w->err) {
		size_t p = (size_t)(bench_rng(&s) % f->n);
		RTM_ROUTE_HANDLE h = NULL;
		RTM_ROUTE_CHANGE_FLAGS fl = 0;

		net_address(&a, f, bench_key(f, p), f->lens[p]);
		route_info(&u, t, 1, p);
		DWORD err = RtmAddRouteToDest(t->ent[1], &h, &a, &u.info, INFINITE, NULL, 0, NULL, &fl);
		if (err) {
			w->err = err, w->call = "RtmAddRouteToDest (B)";
			break;
		}
		if (!(fl & RTM_ROUTE_CHANGE_NEW)) {
			/* B has no route anywhere between two iterations. */
			w->err = ERROR_INVALID_DATA, w->call = "RtmAddRouteToDest (B: not a new route)";
			break;
		}
		fl = 0;
		err = RtmDeleteRouteToDest(t->ent[1], h, &fl);
		if (err) {
			w->err = err, w->call = "RtmDeleteRouteToDest (B)";
			break;
		}
		n += 2;
	}
	w->seconds = bench_now() - t0;
	w->ops = n;
	return NULL;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	return w->writer ? writer(w) : reader(w);
}

struct figures {
	double reads, writes;    /* operations per second, summed over the role's threads */
	double csw;              /* context switches per second */
	double cpus;             /* CPU time / wall time */
};

static long csw_now(double *cpu)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static struct figures run(const struct table *t, unsigned readers, int with_writer, double seconds)
{
	struct worker w[MAX_THREADS];
	pthread_t th[MAX_THREADS];
	pthread_barrier_t go;
	unsigned n = readers + (with_writer ? 1u : 0u);
	struct figures fig = { 0, 0, 0, 0 };
	double cpu0, cpu1;

	atomic_store(&ctl.stop, 0);
	pthread_barrier_init(&go, NULL, n + 1);
	for (unsigned k = 0; k < n; k++) {
		memset(&w[k], 0, sizeof(w[k]));
		w[k].t = t;
		w[k].writer = k == readers;
		w[k].index = k;
		w[k].go = &go;
		if (pthread_create(&th[k], NULL, worker_main, &w[k]) != 0) {
			perror("pthread_create");
			exit(2);
		}
	}
	long c0 = csw_now(&cpu0);
	double t0 = bench_now();
	pthread_barrier_wait(&go);
	struct timespec ts = { (time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9) };
	while (nanosleep(&ts, &ts) != 0)
		;
	atomic_store(&ctl.stop, 1);
	for (unsigned k = 0; k < n; k++)
		pthread_join(th[k], NULL);
	double wall = bench_now() - t0;
	long c1 = csw_now(&cpu1);
	pthread_barrier_destroy(&go);

	for (unsigned k = 0; k < n; k++) {
		if (w[k].err)
			fail(w[k].call, w[k].err, w[k].ops);
		if (w[k].misses) {
			printf("bench_mt: %lu lookups of addresses inside table prefixes found nothing\n",
			       w[k].misses);
			exit(1);
		}
		double rate = w[k].seconds > 0 ? (double)w[k].ops / w[k].seconds : 0;
		if (w[k].writer)
			fig.writes += rate;
		else
			fig.reads += rate;
	}
	fig.csw = (double)(c1 - c0) / wall;
	fig.cpus = (cpu1 - cpu0) / wall;
	return fig;
}

/* ---- main ---------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, unsigned n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static const struct config {
	const char *key, *what;
	unsigned readers;
	int writer;
} configs[] = {
	{ "mt.r1", "1 reader", 1, 0 },
	{ "mt.r2", "2 readers", 2, 0 },
	{ "mt.w", "the writer alone", 0, 1 },
	{ "mt.r1w", "1 reader + the writer", 1, 1 },
	{ "mt.r2w", "2 readers + the writer", 2, 1 },
};
#define NCONFIGS (sizeof(configs) / sizeof(configs[0]))

int main(int argc, char **argv)
{
	struct bench_family v4, v6;
	struct table t;
	char machine[512];
	double seconds = 2.0;
	unsigned rounds = 3;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: %s TABLE.txt.gz [SECONDS [ROUNDS]]\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		seconds = strtod(argv[2], NULL);
	if (argc > 3)
		rounds = (unsigned)strtoul(argv[3], NULL, 10);
	if (!(seconds > 0 && seconds <= 600) || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "%s: SECONDS in (0, 600], ROUNDS in 1..%d\n", argv[0], MAX_ROUNDS);
		return 2;
	}
	bench_read_table("bench_mt", argv[1], &v4, &v6);
	free(v6.keys);
	free(v6.lens);
	bench_machine(machine, sizeof(machine));
	printf("bench_mt: rtmv2 on %s; %zu IPv4 prefixes as A; %.1f s per configuration, "
	       "median of %u rounds; threads not pinned\n", machine, v4.n, seconds, rounds);
	fflush(stdout);

	uint8_t *in4 = bench_addrs(&v4, BENCH_NKEYS, 1, BENCH_SEED_INSIDE4);
	double tl = bench_now();
	table_init(&t, &v4);
	t.addrs = in4;
	tl = bench_now() - tl;
	printf("  loaded in %.2f s; readers: RtmGetMostSpecificDestination + RtmReleaseDestInfo "
	       "inside table prefixes; writer: RtmAddRouteToDest + RtmDeleteRouteToDest of a B "
	       "route on a random prefix (each call one write)\n", tl);

	double reads[NCONFIGS][MAX_ROUNDS], writes[NCONFIGS][MAX_ROUNDS];
	double csw[NCONFIGS][MAX_ROUNDS], cpus[NCONFIGS][MAX_ROUNDS];
	for (unsigned r = 0; r < rounds; r++) {
		printf("  round %u:", r + 1);
		for (unsigned c = 0; c < NCONFIGS; c++) {
			struct figures fig = run(&t, configs[c].readers, configs[c].writer, seconds);
			reads[c][r] = fig.reads;
			writes[c][r] = fig.writes;
			csw[c][r] = fig.csw;
			cpus[c][r] = fig.cpus;
			printf(" %s", configs[c].key + 3);
			if (configs[c].readers)
				printf(" %.3fM r/s", fig.reads / 1e6);
			if (configs[c].writer)
				printf(" %.3fM w/s", fig.writes / 1e6);
			printf(" (%.0f cs/s);", fig.csw);
			fflush(stdout);
		}
		printf("\n");
	}

	double mr[NCONFIGS], mw[NCONFIGS];
	for (unsigned c = 0; c < NCONFIGS; c++) {
		const struct config *k = &configs[c];
		char key[32], what[256];

		mr[c] = median(reads[c], rounds);
		mw[c] = median(writes[c], rounds);
		if (k->readers && k->writer) {
			snprintf(key, sizeof(key), "%s.r", k->key);
			snprintf(what, sizeof(what), "reads/s, %s (%.0f ns per read per reader)", k->what,
				 1e9 * k->readers / mr[c]);
			bench_result(key, mr[c], -1, what);
			snprintf(key, sizeof(key), "%s.w", k->key);
			snprintf(what, sizeof(what), "writes/s, %s", k->what);
			bench_result(key, mw[c], -1, what);
		} else if (k->readers) {
			snprintf(what, sizeof(what), "reads/s, %s (%.0f ns per read per reader)", k->what,
				 1e9 * k->readers / mr[c]);
			bench_result(k->key, mr[c], -1, what);
		} else {
			snprintf(what, sizeof(what), "writes/s, %s (%.0f ns per call)", k->what,
				 1e9 / mw[c]);
			bench_result(k->key, mw[c], -1, what);
		}
		printf("C %-8s %10.0f %5.2f context switches per second, CPUs busy: %s\n",
		       k->key, median(csw[c], rounds), median(cpus[c], rounds), k->what);
	}
	/* For people; run.sh prints the same ratios against their targets. */
	printf("  reads with the writer / alone %.3f (target >= 0.8); writes with a reader / alone "
	       "%.3f (>= 0.5);\n  2 readers / 1 %.2f (>= 1.7); the writer with 2 readers / alone "
	       "%.3f (>= 0.3)\n", mr[3] / mr[0], mw[3] / mw[2], mr[1] / mr[0], mw[4] / mw[2]);

	for (int who = 0; who < 2; who++) {
		RtmReleaseNextHops(t.ent[who], NEIGHBOURS, t.nh[who]);
		DWORD err = RtmDeregisterEntity(t.ent[who]);
		if (err)
			fail("RtmDeregisterEntity", err, (size_t)who);
	}
	free(in4);
	free(v4.keys);
	free(v4.lens);
	printf("bench_mt: done\n");
	return 0;
}
