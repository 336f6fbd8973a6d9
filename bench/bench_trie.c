/*
 * bench_trie.c — the prefix trie on a real full routing table.
 *
 * usage: bench_trie TABLE.txt.gz [PAYLOAD_BYTES]
 *
 * TABLE is gzip'd text, one CIDR prefix per line (IPv4 and IPv6 mixed); it is
 * read through "gzip -dc" so that the bench needs no zlib.  Every IPv4 prefix
 * goes into a width-32 trie and every IPv6 prefix into a width-128 trie.  The
 * user nodes are allocated one by one by the bench, as the destination module
 * does; PAYLOAD_BYTES (default 0) adds that many bytes in front of each node
 * to mimic the destination object that embeds it (it changes how many nodes
 * share a cache line, so it changes lookup speed).
 *
 * Printed per family: ns per insert; million longest-match lookups per second
 * for (a) random addresses inside random table prefixes and (b) uniformly
 * random addresses; ns per node of a full walk; trie shape (depth); bytes per
 * prefix (user node + glue and spare nodes); ns per remove.  Figures only:
 * the bench fails only on wrong answers or unreadable input, never on speed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#ifdef __GLIBC__
#endif

#include "trie.h"

#define NKEYS (1u << 20)		/* distinct lookup keys, reused in a loop */
#define NLOOKUPS (10u * 1000 * 1000)	/* lookups per measurement */

struct family {
	const char *name;
	unsigned width;
	size_t n, cap;
	uint8_t *keys; /* n keys of width/8 bytes */
	uint8_t *lens;
};

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	/* xorshift64*: fast, and good enough to spread lookups over the table. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void print_machine(void)
{
	struct utsname u;
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
	if (uname(&u) != 0)
		snprintf(u.machine, sizeof(u.machine), "unknown");
	printf("bench_trie: %s, %s\n", u.machine, model);
}

static void add_prefix(struct family *f, const uint8_t *key, unsigned len)
{
	unsigned nb = f->width / 8;

	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 4096;
		f->keys = realloc(f->keys, f->cap * nb);
		f->lens = realloc(f->lens, f->cap);
		if (!f->keys || !f->lens) {
			perror("realloc");
			exit(2);
		}
	}
	memcpy(f->keys + f->n * nb, key, nb);
	f->lens[f->n] = (uint8_t)len;
	f->n++;
}

static void read_table(const char *path, struct family *v4, struct family *v6)
{
	char cmd[4096], line[256];
	FILE *p;

	if (strchr(path, '\'')) {
		fprintf(stderr, "bench_trie: path must not contain a quote\n");
		exit(2);
	}
	snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
	p = popen(cmd, "r");
	if (!p) {
		perror("popen");
		exit(2);
	}
	while (fgets(line, sizeof(line), p)) {
		char *slash = strchr(line, '/');
		uint8_t key[16];
		unsigned len;

		if (!slash)
			continue;
		*slash = '\0';
		len = (unsigned)strtoul(slash + 1, NULL, 10);
		if (inet_pton(AF_INET, line, key) == 1 && len <= 32)
			add_prefix(v4, key, len);
		else if (inet_pton(AF_INET6, line, key) == 1 && len <= 128)
			add_prefix(v6, key, len);
		else
			fprintf(stderr, "bench_trie: skipped bad line %s\n", line);
	}
	if (pclose(p) != 0 || v4->n + v6->n == 0) {
		fprintf(stderr, "bench_trie: cannot read %s\n", path);
		exit(2);
	}
}

/* Fill out[] with NKEYS lookup addresses: inside random table prefixes, or uniform. */
static uint8_t *make_keys(const struct family *f, int inside)
{
	unsigned nb = f->width / 8, i, j;
	uint8_t *out = malloc((size_t)NKEYS * nb);

	if (!out) {
		perror("malloc");
		exit(2);
	}
	for (i = 0; i < NKEYS; i++) {
		uint8_t *k = out + (size_t)i * nb;

		for (j = 0; j < nb; j += 8) {
			uint64_t r = rng();

			memcpy(k + j, &r, nb - j < 8 ? nb - j : 8);
		}
		if (inside) {
			size_t idx = (size_t)(rng() % f->n);
			const uint8_t *p = f->keys + idx * nb;
			unsigned len = f->lens[idx];

			/* Keep the prefix bits, randomise the host bits. */
			for (j = 0; j < len; j++) {
				unsigned byte = j / 8, mask = 0x80u >> (j % 8);

				k[byte] = (uint8_t)((k[byte] & ~mask) | (p[byte] & mask));
			}
		}
	}
	return out;
}

static void bench_lookups(const struct rtm_trie *t, const struct family *f, int inside)
{
	unsigned nb = f->width / 8, i;
	uint8_t *keys = make_keys(f, inside);
	size_t hits = 0;
	double t0, t1;

	t0 = now_ns();
	for (i = 0; i < NLOOKUPS; i++) {
		const uint8_t *k = keys + (size_t)(i % NKEYS) * nb;

		hits += rtm__trie_find_longest(t, k, f->width) != NULL;
	}
	t1 = now_ns();
	printf("  lookup %-22s %7.2f M/s  (%5.1f ns, %.1f%% matched)\n",
	       inside ? "inside table prefixes:" : "uniformly random:",
	       NLOOKUPS / (t1 - t0) * 1e3, (t1 - t0) / NLOOKUPS, 100.0 * hits / NLOOKUPS);
	free(keys);
}

static int run_family(const struct family *f, size_t payload)
{
	unsigned nb = f->width / 8;
	size_t node_size = rtm__trie_node_size(f->width), i, dup = 0, walked = 0;
	size_t depth_sum = 0, depth_max = 0, index_bytes;
	struct rtm_trie_node **nodes = calloc(f->n, sizeof(*nodes)), *n;
	struct rtm_trie t;
	struct rtm_pool users; /* the objects, as destinations in their arena */
	double t0, t1;

	if (!f->n)
		return 0;
	if (!nodes) {
		perror("calloc");
		return 2;
	}
	rtm__pool_init(&users, (payload + node_size + 7) & ~(size_t)7, NULL);
	for (i = 0; i < f->n; i++) {
		char *obj = rtm__pool_first_use(&users, (uint32_t)i);

		if (!obj) {
			perror("mmap");
			return 2;
		}
		nodes[i] = (struct rtm_trie_node *)(obj + payload);
		nodes[i]->ref = rtm__trie_user_ref((uint32_t)i);
		memcpy(nodes[i]->key, f->keys + i * nb, nb);
		nodes[i]->len = f->lens[i];
	}

	printf("%s: %zu prefixes, width %u, user node %zu bytes (+%zu payload)\n", f->name, f->n,
	       f->width, node_size, payload);
	rtm__trie_init(&t, f->width, &users, payload);
	t0 = now_ns();
	for (i = 0; i < f->n; i++) {
		int rc = rtm__trie_insert(&t, nodes[i]);

		if (rc == -EEXIST) {
			dup++;
			nodes[i] = NULL;
		} else if (rc != 0) {
			fprintf(stderr, "insert failed: %d\n", rc);
			return 1;
		}
	}
	t1 = now_ns();
	printf("  insert: %.1f ns/prefix (%zu duplicates skipped)\n", (t1 - t0) / f->n, dup);

	for (i = 0; i < f->n; i++) {
		const uint8_t *k = f->keys + i * nb;

		if (!nodes[i])
			continue;
		if (rtm__trie_find_exact(&t, k, f->lens[i]) != nodes[i] ||
		    rtm__trie_find_longest(&t, k, f->lens[i]) != nodes[i]) {
			fprintf(stderr, "wrong answer for prefix %zu\n", i);
			return 1;
		}
	}

	bench_lookups(&t, f, 1);
	bench_lookups(&t, f, 0);

	t0 = now_ns();
	for (n = rtm__trie_first(&t); n; n = rtm__trie_next(&t, n)) {
		const struct rtm_trie_node *p;
		size_t d = 0;

		walked++;
		for (p = rtm__trie_node(&t, n->parent); p; p = rtm__trie_node(&t, p->parent))
			d++;
		depth_sum += d;
		if (d > depth_max)
			depth_max = d;
	}
	t1 = now_ns();
	if (walked != t.count) {
		fprintf(stderr, "walk saw %zu of %zu nodes\n", walked, t.count);
		return 1;
	}
	printf("  walk + depth: %.1f ns/node; depth of user nodes: mean %.1f, max %zu\n",
	       (t1 - t0) / walked, (double)depth_sum / walked, depth_max);

	printf("  nodes: %zu user, %zu glue, %zu spare (%.2f glue+spare per prefix)\n", t.count,
	       t.glue_count, t.spare_count, (double)(t.glue_count + t.spare_count) / t.count);
	printf("  memory: %.1f bytes/prefix as requested (user %zu + glue share %.1f)",
	       node_size + (double)(t.glue_count + t.spare_count) * node_size / t.count,
	       node_size, (double)(t.glue_count + t.spare_count) * node_size / t.count);
	index_bytes = t.index ? ((size_t)1 << RTM_TRIE_INDEX_BITS) * sizeof(*t.index) : 0;
	printf("; glue+spare pool %.1f bytes/prefix mapped (%u B a node)",
	       (double)t.glue.mapped / t.count, t.glue.size);
	if (index_bytes)
		printf("; direct index %.1f bytes/prefix", (double)index_bytes / t.count);
	printf("\n");

	t0 = now_ns();
	for (i = 0; i < f->n; i++)
		if (nodes[i])
			rtm__trie_remove(&t, nodes[i]);
	t1 = now_ns();
	printf("  remove: %.1f ns/prefix; left: %zu user, %zu glue, %zu spare\n",
	       (t1 - t0) / (f->n - dup), t.count, t.glue_count, t.spare_count);
	rtm__trie_fini(&t);
	rtm__pool_fini(&users);
	free(nodes);
	return 0;
}

int main(int argc, char **argv)
{
	struct family v4 = { "IPv4", 32, 0, 0, NULL, NULL };
	struct family v6 = { "IPv6", 128, 0, 0, NULL, NULL };
	size_t payload = 0;
	int rc;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s TABLE.txt.gz [PAYLOAD_BYTES]\n", argv[0]);
		return 2;
	}
	if (argc == 3)
		payload = (size_t)strtoul(argv[2], NULL, 10) & ~(size_t)7;
	print_machine();
	read_table(argv[1], &v4, &v6);
	rc = run_family(&v4, payload);
	if (!rc)
		rc = run_family(&v6, payload);
	free(v4.keys);
	free(v4.lens);
	free(v6.keys);
	free(v6.lens);
	return rc;
}
