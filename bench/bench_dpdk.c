/*
 * bench_dpdk.c — the anchor: DPDK's rte_rib / rte_rib6 on the same prefixes
 * and the same lookup addresses as bench_rib.
 *
 * usage: bench_dpdk TABLE.txt.gz
 *
 * rte_rib is DPDK's control-plane routing table: a path-compressed binary
 * trie whose nodes come from a mempool, with a 64-bit next-hop value per
 * prefix and no locking, no handles, no per-protocol routes.  It is the
 * closest widely used open-source structure to what RTMv2 keeps per prefix,
 * so its rates are the floor rtmv2 is measured against (issue #4, item 10):
 *
 *   a   rte_rib_insert + rte_rib_set_nh for every prefix (next hop i % 32);
 *   c   rte_rib_lookup + rte_rib_get_nh, 10 M IPv4 addresses inside table
 *       prefixes and 10 M uniformly random ones, 2 M + 2 M for IPv6 — the
 *       very addresses bench_rib looks up (bench/common.h);
 *   x   rte_rib_lookup_exact + rte_rib_get_nh of every table prefix once, in
 *       the shuffled order bench_rib looks them up in (bench_shuffled() in
 *       bench/common.h); a prefix not found is a wrong answer (exit 1);
 *   e   rte_rib_remove of every prefix;
 *   mt  rte_rib lookups of the inside addresses from 1 and 2 threads at once,
 *       each for a fixed time, median of rounds: the hardware's scaling, next
 *       to bench_mt's readers (issue 12, item 5a).  The EAL binds the main
 *       thread to core 0 (EAL_ARGS); the reader threads get back the CPU set
 *       the process had before rte_eal_init, so nothing is pinned, as in
 *       bench_mt.
 *
 * rte_rib_create needs DPDK's memory allocator, hence the EAL.  It is
 * started without hugepages, devices or telemetry, with no shared files, on one
 * core (EAL_ARGS below), which works as root and unprivileged alike in a
 * container.  If it cannot start, the bench says so and exits with status 1
 * and bench/run.sh prints rtmv2's figures without an anchor.
 *
 * Memory is printed for information only (M lines): rte_rib reserves and
 * touches its whole node pool (max_nodes, here 2 per prefix, enough for the
 * trie's branch nodes) when it is created, so its resident memory says how
 * big the pool was made; per pool node it is what one trie node really costs.
 * That is also why its insert rate includes no page faults, while rtmv2's
 * first load (a) does; bench_rib's a4w is rtmv2's load on a warm heap.
 *
 * Built only where DPDK is installed (pkg-config libdpdk); see the Makefile.
 */
#include "common.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/resource.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_rib.h>
#include <rte_rib6.h>
#include <rte_version.h>

#define NLOOKUPS4 (10u * 1000 * 1000)
#define NLOOKUPS6 (2u * 1000 * 1000)

/* DPDK 24.11 passes IPv6 addresses as struct rte_ipv6_addr, older releases as
 * uint8_t[16]; these wrappers take the bytes either way. */
#if RTE_VERSION >= RTE_VERSION_NUM(24, 11, 0, 0)
#define IP6(p) ((const struct rte_ipv6_addr *)(const void *)(p))
#else
#define IP6(p) ((const uint8_t *)(p))
#endif

static const char *const EAL_ARGS[] = {
	"bench_dpdk", "--no-huge", "-m", "1024", "--no-pci", "--no-telemetry",
	"--no-shconf", "-l", "0", "--log-level=error",
};

/* The concurrent lookups (mt): as bench_mt, 2 s per configuration, median of 3 rounds. */
#define MT_SECONDS 2.0
#define MT_ROUNDS 3
#define MT_MAX_THREADS 2

/* The CPUs the process could use before the EAL bound the main thread to core 0. */
static cpu_set_t all_cpus;
static int have_all_cpus;

static uint32_t v4_of(const uint8_t *key)
{
	return (uint32_t)key[0] << 24 | (uint32_t)key[1] << 16 | (uint32_t)key[2] << 8 | key[3];
}

/* ---- mt: rte_rib lookups from 1 and 2 threads ----------------------------------- */

static struct {
	_Alignas(64) atomic_int stop;
	char pad[64 - sizeof(atomic_int)];
} mt_ctl;

struct mt_reader {
	_Alignas(64) struct rte_rib *rib;
	const uint32_t *addrs;
	unsigned index;
	pthread_barrier_t *go;
	unsigned long ops, hits;
	uint64_t sum;
	double seconds;
};

static void *mt_read(void *arg)
{
	struct mt_reader *w = arg;
	unsigned long n = 0, hits = 0;
	uint64_t sum = 0;
	/* The same starting places as bench_mt's readers. */
	size_t i = (size_t)w->index * (BENCH_NKEYS / 3) + 12345u * w->index;

	pthread_barrier_wait(w->go);
	double t0 = bench_now();
	while (!atomic_load_explicit(&mt_ctl.stop, memory_order_relaxed)) {
		for (int k = 0; k < 16; k++, i++, n++) {
			struct rte_rib_node *nd = rte_rib_lookup(w->rib, w->addrs[i & (BENCH_NKEYS - 1)]);
			uint64_t nh;
			if (nd && rte_rib_get_nh(nd, &nh) == 0) {
				sum += nh;
				hits++;
			}
		}
	}
	w->seconds = bench_now() - t0;
	w->ops = n;
	w->hits = hits;
	w->sum = sum;
	return NULL;
}

static long mt_csw(double *cpu)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

/* n threads look up for MT_SECONDS; their summed rate, context switches/s and CPUs busy. */
static double mt_run(struct rte_rib *rib, const uint32_t *addrs, unsigned n, double *csw,
		     double *cpus)
{
	struct mt_reader w[MT_MAX_THREADS];
	pthread_t th[MT_MAX_THREADS];
	pthread_barrier_t go;
	pthread_attr_t attr;
	double rate = 0, cpu0, cpu1;

	atomic_store(&mt_ctl.stop, 0);
	pthread_barrier_init(&go, NULL, n + 1);
	pthread_attr_init(&attr);
	if (have_all_cpus)
		pthread_attr_setaffinity_np(&attr, sizeof(all_cpus), &all_cpus);
	for (unsigned k = 0; k < n; k++) {
		memset(&w[k], 0, sizeof(w[k]));
		w[k].rib = rib;
		w[k].addrs = addrs;
		w[k].index = k;
		w[k].go = &go;
		if (pthread_create(&th[k], &attr, mt_read, &w[k]) != 0) {
			perror("pthread_create");
			exit(1);
		}
	}
	pthread_attr_destroy(&attr);
	long c0 = mt_csw(&cpu0);
	double t0 = bench_now();
	pthread_barrier_wait(&go);
	struct timespec ts = { (time_t)MT_SECONDS,
			       (long)((MT_SECONDS - (double)(time_t)MT_SECONDS) * 1e9) };
	while (nanosleep(&ts, &ts) != 0)
		;
	atomic_store(&mt_ctl.stop, 1);
	for (unsigned k = 0; k < n; k++)
		pthread_join(th[k], NULL);
	double wall = bench_now() - t0;
	long c1 = mt_csw(&cpu1);
	pthread_barrier_destroy(&go);
	for (unsigned k = 0; k < n; k++) {
		if (w[k].hits != w[k].ops)
			printf("  (mt: %lu of %lu lookups inside table prefixes found nothing)\n",
			       w[k].ops - w[k].hits, w[k].ops);
		if (w[k].sum == 1)
			printf("(checksum)\n");
		rate += w[k].seconds > 0 ? (double)w[k].ops / w[k].seconds : 0;
	}
	*csw = (double)(c1 - c0) / wall;
	*cpus = (cpu1 - cpu0) / wall;
	return rate;
}

static int mt_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void bench_v4_mt(struct rte_rib *rib, const uint32_t *addrs)
{
	double rate[MT_MAX_THREADS][MT_ROUNDS], csw[MT_MAX_THREADS][MT_ROUNDS];
	double cpus[MT_MAX_THREADS][MT_ROUNDS];

	printf("  mt: rte_rib lookup + get_nh inside table prefixes from 1 and 2 threads, "
	       "%.1f s each, median of %d rounds; threads not pinned%s\n", MT_SECONDS, MT_ROUNDS,
	       have_all_cpus ? "" : " (the CPU set before the EAL is unknown: they inherit its)");
	for (int r = 0; r < MT_ROUNDS; r++)
		for (unsigned n = 1; n <= MT_MAX_THREADS; n++)
			rate[n - 1][r] = mt_run(rib, addrs, n, &csw[n - 1][r], &cpus[n - 1][r]);
	for (unsigned n = 1; n <= MT_MAX_THREADS; n++) {
		char key[16], what[128];

		qsort(rate[n - 1], MT_ROUNDS, sizeof(double), mt_cmp);
		qsort(csw[n - 1], MT_ROUNDS, sizeof(double), mt_cmp);
		qsort(cpus[n - 1], MT_ROUNDS, sizeof(double), mt_cmp);
		snprintf(key, sizeof(key), "mt.dpdk%u", n);
		snprintf(what, sizeof(what), "rte_rib lookup + get_nh, IPv4 inside, %u thread%s at once "
			 "(reads/s, all threads)", n, n > 1 ? "s" : "");
		bench_result(key, rate[n - 1][MT_ROUNDS / 2], -1, what);
		printf("C %-8s %10.0f %5.2f context switches per second, CPUs busy: rte_rib, %u "
		       "reader%s\n", key, csw[n - 1][MT_ROUNDS / 2], cpus[n - 1][MT_ROUNDS / 2], n,
		       n > 1 ? "s" : "");
	}
	printf("  mt: rte_rib 2 readers / 1: %.2f\n", rate[1][MT_ROUNDS / 2] / rate[0][MT_ROUNDS / 2]);
	fflush(stdout);
}

static void bench_v4(const struct bench_family *f)
{
	struct rte_rib_conf conf = { .ext_sz = 0, .max_nodes = (int)(2 * f->n + 64) };
	uint8_t *inside = bench_addrs(f, BENCH_NKEYS, 1, BENCH_SEED_INSIDE4);
	uint8_t *random = bench_addrs(f, BENCH_NKEYS, 0, BENCH_SEED_RANDOM4);
	uint32_t *in32 = bench_alloc(BENCH_NKEYS * sizeof(uint32_t));
	uint32_t *rnd32 = bench_alloc(BENCH_NKEYS * sizeof(uint32_t));
	uint32_t *pfx = bench_alloc(f->n * sizeof(uint32_t));
	struct bench_family ex = bench_shuffled(f, BENCH_SEED_EXACT4);
	uint32_t *ex32 = bench_alloc(f->n * sizeof(uint32_t));

	/* Host-order copies, made before the clock starts: that is rte_rib's input. */
	for (size_t i = 0; i < BENCH_NKEYS; i++) {
		in32[i] = v4_of(inside + 4 * i);
		rnd32[i] = v4_of(random + 4 * i);
	}
	for (size_t i = 0; i < f->n; i++) {
		pfx[i] = v4_of(bench_key(f, i));
		ex32[i] = v4_of(bench_key(&ex, i));
	}

	size_t rss0 = bench_rss();
	struct rte_rib *rib = rte_rib_create("bench4", -1, &conf);
	if (!rib) {
		printf("bench_dpdk: rte_rib_create failed: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	double t = bench_now();
	for (size_t i = 0; i < f->n; i++) {
		struct rte_rib_node *n = rte_rib_insert(rib, pfx[i], f->lens[i]);
		if (!n || rte_rib_set_nh(n, i % 32) != 0) {
			printf("bench_dpdk: rte_rib_insert failed at prefix %zu: %s\n", i,
			       rte_strerror(rte_errno));
			exit(1);
		}
	}
	t = bench_now() - t;
	size_t rss1 = bench_rss();
	bench_result("a4", (double)f->n / t, (long)f->n, "rte_rib insert + set_nh, IPv4");
	printf("  rte_rib IPv4: pool of %d nodes reserved at create; VmRSS +%.1f MB\n",
	       conf.max_nodes, (double)(rss1 - rss0) / 1e6);
	printf("M dpdk.node %6.1f bytes per pool node (node + mempool header and padding)\n",
	       (double)(rss1 - rss0) / conf.max_nodes);
	printf("M dpdk.a4   %6.1f bytes per prefix with this pool (2 nodes per prefix)\n",
	       (double)(rss1 - rss0) / (double)f->n);

	const uint32_t *sets[2] = { in32, rnd32 };
	const char *keys[2] = { "c4in", "c4rnd" };
	const char *what[2] = { "rte_rib lookup + get_nh, IPv4 inside table prefixes",
				"rte_rib lookup + get_nh, IPv4 uniformly random" };
	for (int s = 0; s < 2; s++) {
		uint64_t sum = 0;
		long hits = 0;
		t = bench_now();
		for (size_t i = 0; i < NLOOKUPS4; i++) {
			struct rte_rib_node *n = rte_rib_lookup(rib, sets[s][i & (BENCH_NKEYS - 1)]);
			uint64_t nh;
			if (n && rte_rib_get_nh(n, &nh) == 0) {
				sum += nh;
				hits++;
			}
		}
		t = bench_now() - t;
		bench_result(keys[s], NLOOKUPS4 / t, hits, what[s]);
		if (sum == 1)
			printf("(checksum)\n"); /* keeps the loop from being optimised away */
	}

	/* x: every prefix once, by exact match, in the shuffled order. */
	{
		uint64_t sum = 0;
		long hits = 0;
		t = bench_now();
		for (size_t i = 0; i < ex.n; i++) {
			struct rte_rib_node *n = rte_rib_lookup_exact(rib, ex32[i], ex.lens[i]);
			uint64_t nh;
			if (n && rte_rib_get_nh(n, &nh) == 0) {
				sum += nh;
				hits++;
			}
		}
		t = bench_now() - t;
		bench_result("x4", (double)ex.n / t, hits,
			     "rte_rib lookup_exact + get_nh, IPv4 (shuffled table prefixes)");
		if (sum == 1)
			printf("(checksum)\n");
		if ((size_t)hits != ex.n) {
			printf("bench_dpdk: x4: %zu of %zu table prefixes not found by exact match\n",
			       ex.n - (size_t)hits, ex.n);
			exit(1);
		}
	}
	bench_v4_mt(rib, in32);

	t = bench_now();
	for (size_t i = 0; i < f->n; i++)
		rte_rib_remove(rib, pfx[i], f->lens[i]);
	t = bench_now() - t;
	bench_result("e4", (double)f->n / t, (long)f->n, "rte_rib remove, IPv4");
	rte_rib_free(rib);
	free(inside);
	free(random);
	free(in32);
	free(rnd32);
	free(pfx);
	free(ex32);
	free(ex.keys);
	free(ex.lens);
}

static void bench_v6(const struct bench_family *f)
{
	struct rte_rib6_conf conf = { .ext_sz = 0, .max_nodes = (int)(2 * f->n + 64) };
	uint8_t *inside = bench_addrs(f, BENCH_NKEYS, 1, BENCH_SEED_INSIDE6);
	uint8_t *random = bench_addrs(f, BENCH_NKEYS, 0, BENCH_SEED_RANDOM6);
	struct bench_family ex = bench_shuffled(f, BENCH_SEED_EXACT6);

	struct rte_rib6 *rib = rte_rib6_create("bench6", -1, &conf);
	if (!rib) {
		printf("bench_dpdk: rte_rib6_create failed: %s\n", rte_strerror(rte_errno));
		exit(1);
	}
	double t = bench_now();
	for (size_t i = 0; i < f->n; i++) {
		struct rte_rib6_node *n = rte_rib6_insert(rib, IP6(bench_key(f, i)), f->lens[i]);
		if (!n || rte_rib6_set_nh(n, i % 32) != 0) {
			printf("bench_dpdk: rte_rib6_insert failed at prefix %zu: %s\n", i,
			       rte_strerror(rte_errno));
			exit(1);
		}
	}
	t = bench_now() - t;
	bench_result("a6", (double)f->n / t, (long)f->n, "rte_rib6 insert + set_nh, IPv6");
	/* The pages the freed IPv4 pool left behind are reused: no VmRSS figure. */
	printf("  rte_rib6 IPv6: pool of %d nodes reserved at create (in the IPv4 pool's pages)\n",
	       conf.max_nodes);

	const uint8_t *sets[2] = { inside, random };
	const char *keys[2] = { "c6in", "c6rnd" };
	const char *what[2] = { "rte_rib6 lookup + get_nh, IPv6 inside table prefixes",
				"rte_rib6 lookup + get_nh, IPv6 random in 2000::/3" };
	for (int s = 0; s < 2; s++) {
		uint64_t sum = 0;
		long hits = 0;
		t = bench_now();
		for (size_t i = 0; i < NLOOKUPS6; i++) {
			const uint8_t *a = sets[s] + 16 * (i & (BENCH_NKEYS - 1));
			struct rte_rib6_node *n = rte_rib6_lookup(rib, IP6(a));
			uint64_t nh;
			if (n && rte_rib6_get_nh(n, &nh) == 0) {
				sum += nh;
				hits++;
			}
		}
		t = bench_now() - t;
		bench_result(keys[s], NLOOKUPS6 / t, hits, what[s]);
		if (sum == 1)
			printf("(checksum)\n");
	}

	/* x: every prefix once, by exact match, in the shuffled order. */
	{
		uint64_t sum = 0;
		long hits = 0;
		t = bench_now();
		for (size_t i = 0; i < ex.n; i++) {
			struct rte_rib6_node *n =
				rte_rib6_lookup_exact(rib, IP6(bench_key(&ex, i)), ex.lens[i]);
			uint64_t nh;
			if (n && rte_rib6_get_nh(n, &nh) == 0) {
				sum += nh;
				hits++;
			}
		}
		t = bench_now() - t;
		bench_result("x6", (double)ex.n / t, hits,
			     "rte_rib6 lookup_exact + get_nh, IPv6 (shuffled table prefixes)");
		if (sum == 1)
			printf("(checksum)\n");
		if ((size_t)hits != ex.n) {
			printf("bench_dpdk: x6: %zu of %zu table prefixes not found by exact match\n",
			       ex.n - (size_t)hits, ex.n);
			exit(1);
		}
	}

	t = bench_now();
	for (size_t i = 0; i < f->n; i++)
		rte_rib6_remove(rib, IP6(bench_key(f, i)), f->lens[i]);
	t = bench_now() - t;
	bench_result("e6", (double)f->n / t, (long)f->n, "rte_rib6 remove, IPv6");
	rte_rib6_free(rib);
	free(inside);
	free(random);
	free(ex.keys);
	free(ex.lens);
}

int main(int argc, char **argv)
{
	struct bench_family v4, v6;
	char machine[512];

	if (argc != 2) {
		fprintf(stderr, "usage: %s TABLE.txt.gz\n", argv[0]);
		return 2;
	}
	bench_read_table("bench_dpdk", argv[1], &v4, &v6);
	bench_machine(machine, sizeof(machine));
	printf("bench_dpdk: %s rte_rib/rte_rib6 on %s; %zu IPv4 + %zu IPv6 prefixes\n",
	       rte_version(), machine, v4.n, v6.n);
	fflush(stdout);

	have_all_cpus = sched_getaffinity(0, sizeof(all_cpus), &all_cpus) == 0;
	char *eal_argv[sizeof(EAL_ARGS) / sizeof(EAL_ARGS[0]) + 1];
	int eal_argc = (int)(sizeof(EAL_ARGS) / sizeof(EAL_ARGS[0]));
	for (int i = 0; i < eal_argc; i++)
		eal_argv[i] = (char *)EAL_ARGS[i];
	eal_argv[eal_argc] = NULL;
	if (rte_eal_init(eal_argc, eal_argv) < 0) {
		printf("bench_dpdk: the EAL did not start (%s) with:", rte_strerror(rte_errno));
		for (int i = 1; i < eal_argc; i++)
			printf(" %s", EAL_ARGS[i]);
		printf("\n");
		return 1;
	}
	bench_v4(&v4);
	bench_v6(&v6);
	rte_eal_cleanup();
	free(v4.keys);
	free(v4.lens);
	free(v6.keys);
	free(v6.lens);
	return 0;
}
