/*
 * common.h — what bench_rib.c and bench_dpdk.c share, so that both measure
 * exactly the same work: the table reader, the random lookup addresses, the
 * clock, the machine header, resident memory, and the result-line format.
 *
 * The table is gzip'd text, one CIDR prefix per line, IPv4 and IPv6 mixed,
 * read through "gzip -dc" so that no bench needs zlib.  Prefixes keep the
 * order of the file; host bits beyond the prefix length are cleared.
 *
 * Lookup addresses come from one seeded xorshift generator: "inside" picks a
 * table prefix uniformly and fills its host bits at random; "random" draws
 * uniformly from the whole IPv4 space, and for IPv6 from 2000::/3 (global
 * unicast: a uniform 128-bit address would miss every table prefix at once
 * and measure nothing).  Both benches call bench_addrs() with the same seed
 * and therefore look up the same addresses in the same order.
 *
 * Exact-match lookups (step x) go through every table prefix once, in an
 * order shuffled by the same generator (bench_shuffled(), seeded with
 * BENCH_SEED_EXACT4/6): both benches look up the same prefixes in the same
 * order, each of which must be found.
 *
 * Result lines, parsed by bench/run.sh (and by bench_rib --anchor):
 *
 *     R <key> <operations per second> <matched or -> <description>
 *
 * Every other line is for people.  Everything here is static: each bench is
 * one translation unit.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

/* Distinct lookup addresses per measurement, reused in a loop (a power of 2). */
#define BENCH_NKEYS (1u << 20)
/* Seeds of the address sets, shared by every bench. */
#define BENCH_SEED_INSIDE4 0x243f6a8885a308d3ull
#define BENCH_SEED_RANDOM4 0x13198a2e03707344ull
#define BENCH_SEED_INSIDE6 0xa4093822299f31d0ull
#define BENCH_SEED_RANDOM6 0x082efa98ec4e6c89ull
#define BENCH_SEED_EXACT4 0xbe5466cf34e90c6cull
#define BENCH_SEED_EXACT6 0x3f84d5b5b5470917ull

/* Every helper is static; unused ones must not warn. */
#define BENCH_FN static inline __attribute__((unused))

struct bench_family {
	const char *name; /* "IPv4", "IPv6" */
	int af;           /* AF_INET, AF_INET6 */
	unsigned width;   /* 32, 128 */
	size_t n, cap;
	uint8_t *keys;    /* n keys of width/8 bytes, network order */
	uint8_t *lens;    /* n prefix lengths */
};

BENCH_FN const uint8_t *bench_key(const struct bench_family *f, size_t i)
{
	return f->keys + i * (f->width / 8);
}

BENCH_FN double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* xorshift64*: fast, deterministic, good enough to spread lookups. */
BENCH_FN uint64_t bench_rng(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

BENCH_FN void *bench_alloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		perror("malloc");
		exit(2);
	}
	/* Touch it now, so that it is resident before any memory baseline. */
	memset(p, 0, n);
	return p;
}

BENCH_FN void bench_family_add(struct bench_family *f, const uint8_t *key, unsigned len)
{
	unsigned nb = f->width / 8;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 65536;
		f->keys = realloc(f->keys, f->cap * nb);
		f->lens = realloc(f->lens, f->cap);
		if (!f->keys || !f->lens) {
			perror("realloc");
			exit(2);
		}
	}
	uint8_t *k = f->keys + f->n * nb;
	memcpy(k, key, nb);
	for (unsigned b = len; b < f->width; b++)
		k[b / 8] &= (uint8_t) ~(0x80u >> (b % 8));
	f->lens[f->n++] = (uint8_t)len;
}

/* Reads the table at path into v4 and v6; exits with a message on failure. */
BENCH_FN void bench_read_table(const char *prog, const char *path, struct bench_family *v4,
			     struct bench_family *v6)
{
	char cmd[4096], line[256];

	memset(v4, 0, sizeof(*v4));
	memset(v6, 0, sizeof(*v6));
	v4->name = "IPv4", v4->af = AF_INET, v4->width = 32;
	v6->name = "IPv6", v6->af = AF_INET6, v6->width = 128;
	if (strchr(path, '\'')) {
		fprintf(stderr, "%s: the table path must not contain a quote\n", prog);
		exit(2);
	}
	if (access(path, R_OK) != 0) {
		fprintf(stderr, "%s: cannot read %s\n", prog, path);
		exit(2);
	}
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
	FILE *p = popen(cmd, "r");
	if (!p) {
		perror("popen");
		exit(2);
	}
	while (fgets(line, sizeof(line), p)) {
		char *slash = strchr(line, '/');
		uint8_t key[16];

		if (!slash)
			continue;
		*slash = '\0';
		unsigned len = (unsigned)strtoul(slash + 1, NULL, 10);
		if (inet_pton(AF_INET, line, key) == 1 && len <= 32)
			bench_family_add(v4, key, len);
		else if (inet_pton(AF_INET6, line, key) == 1 && len <= 128)
			bench_family_add(v6, key, len);
	}
	if (pclose(p) != 0 || v4->n + v6->n == 0) {
		fprintf(stderr, "%s: could not read the table %s\n", prog, path);
		exit(2);
	}
}

/*
 * count lookup addresses of f's width: inside table prefixes (inside != 0)
 * or random (see the top of this file).  The caller frees the array.
 */
BENCH_FN uint8_t *bench_addrs(const struct bench_family *f, size_t count, int inside, uint64_t seed)
{
	unsigned nb = f->width / 8;
	uint8_t *out = bench_alloc(count * nb);
	uint64_t s = seed;

	for (size_t i = 0; i < count; i++) {
		uint8_t *a = out + i * nb;

		for (unsigned b = 0; b < nb; b += 8) {
			uint64_t r = bench_rng(&s);
			memcpy(a + b, &r, nb - b < 8 ? nb - b : 8);
		}
		if (inside && f->n) {
			size_t p = (size_t)(bench_rng(&s) % f->n);
			const uint8_t *k = bench_key(f, p);
			unsigned len = f->lens[p];

			/* The prefix's first len bits, random bits after them. */
			for (unsigned b = 0; b < len; b++) {
				uint8_t m = (uint8_t)(0x80u >> (b % 8));
				a[b / 8] = (uint8_t)((a[b / 8] & ~m) | (k[b / 8] & m));
			}
		} else if (f->width == 128) {
			a[0] = (uint8_t)((a[0] & 0x1f) | 0x20); /* 2000::/3 */
		}
	}
	return out;
}

/*
 * A copy of f's prefixes in a shuffled order (Fisher-Yates, from seed): the
 * exact-match lookups' sequence, laid out in order so that the loop reads it
 * sequentially.  Its keys and lens are allocated and touched here; the caller
 * frees them.
 */
BENCH_FN struct bench_family bench_shuffled(const struct bench_family *f, uint64_t seed)
{
	unsigned nb = f->width / 8;
	struct bench_family out = *f;
	size_t *perm = bench_alloc(f->n * sizeof(size_t));
	uint64_t s = seed;

	out.cap = f->n;
	out.keys = bench_alloc(f->n * nb);
	out.lens = bench_alloc(f->n);
	for (size_t i = 0; i < f->n; i++)
		perm[i] = i;
	for (size_t i = f->n; i > 1; i--) {
		size_t j = (size_t)(bench_rng(&s) % i), t = perm[i - 1];

		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	for (size_t i = 0; i < f->n; i++) {
		memcpy(out.keys + i * nb, bench_key(f, perm[i]), nb);
		out.lens[i] = f->lens[perm[i]];
	}
	free(perm);
	return out;
}

/* "CPU model, N CPUs (nproc), Linux release, machine" for the header line. */
BENCH_FN void bench_machine(char *buf, size_t size)
{
	char line[512], model[256] = "unknown CPU";
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *colon = strchr(line, ':');

			if (strncmp(line, "model name", 10) == 0 && colon) {
				snprintf(model, sizeof(model), "%s", colon + 2);
				model[strcspn(model, "\n")] = '\0';
				break;
			}
		}
		fclose(f);
	}
	snprintf(buf, size, "%s, %ld CPUs online", model, sysconf(_SC_NPROCESSORS_ONLN));
}

/* VmRSS of this process in bytes (0 if unknown). */
BENCH_FN size_t bench_rss(void)
{
	char line[256];
	size_t kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = (size_t)strtoull(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kb * 1024;
}

/* Bytes of malloc'd memory in use, including malloc's chunk headers (0 if unknown). */
BENCH_FN size_t bench_heap(void)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
	return mallinfo2().uordblks;
#else
	return 0;
#endif
}

BENCH_FN void bench_result(const char *key, double ops_per_s, long matched, const char *what)
{
	if (matched >= 0)
		printf("R %-8s %14.0f %9ld %s\n", key, ops_per_s, matched, what);
	else
		printf("R %-8s %14.0f %9s %s\n", key, ops_per_s, "-", what);
	fflush(stdout);
}

#endif
