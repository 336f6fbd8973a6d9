/*
 * testlib.h — a tiny fork-per-test runner.
 *
 * Each test is a void function.  main() lists them with RUN(); each runs in a
 * child process so that a crash, an abort or a sanitizer report fails that
 * test alone and the others still run.  RTM_TEST_NOFORK=1 runs them in
 * process (for a debugger); RTM_TEST_ONLY=name runs one, and a name that
 * matches no test fails the program (a typo must not pass as "0 failed").
 *
 * Every forked test has a deadline: TL_TIMEOUT_S seconds (300 unless the
 * program defines it before including this header; generous enough for the
 * stress and out-of-memory tests under the sanitizers on a slow 2-core
 * machine), or RTM_TEST_TIMEOUT seconds from the environment (0: none).  The
 * child leads a process group of its own, and at the deadline the whole group
 * is killed (the test's own children too) and the test is reported as
 * "FAIL name (timed out after N s)"; the next test runs.  A deadlock thus fails
 * one named test instead of hanging `make check`.  On SIGINT, SIGTERM or
 * SIGHUP the runner kills the running test's group before it dies itself, and
 * a test dies with its runner.  RTM_TEST_NOFORK runs without a deadline.
 *
 * A child ends with _exit, which skips LeakSanitizer's check at exit, so under
 * AddressSanitizer the child runs the leak check itself (tl_leaks) and a leak
 * fails the test.
 *
 * CHECK(cond) records a failure and goes on; REQUIRE(cond) stops the test.
 * CHECK_EQ / CHECK_U print both values.  The program ends with the line
 * "<file>: N passed, N failed" and exits non-zero if anything failed.
 */
#ifndef RTM_TESTLIB_H
#define RTM_TESTLIB_H

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The deadline of each forked test, in seconds (see above). */
#ifndef TL_TIMEOUT_S
#define TL_TIMEOUT_S 300
#endif

#if defined(__SANITIZE_ADDRESS__)
#define TL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TL_ASAN 1
#endif
#endif
#ifdef TL_ASAN
#include <sanitizer/lsan_interface.h>
#endif
/* Under a sanitizer that slows a run down many times (AddressSanitizer,
 * ThreadSanitizer): stress tests run fewer rounds. */
#if defined(TL_ASAN) || defined(__SANITIZE_THREAD__)
#define TL_SLOW 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TL_SLOW 1
#endif
#endif

/* The check counter is atomic: the stress tests CHECK from several threads. */
static _Atomic int tl_failed_checks;
static int tl_passed, tl_failed;

/* Non-zero when LeakSanitizer finds memory nobody references any more
 * (only under AddressSanitizer, and only if detect_leaks is on). */
static inline __attribute__((unused)) int tl_leaks(void)
{
#ifdef TL_ASAN
	return __lsan_do_recoverable_leak_check();
#else
	return 0;
#endif
}

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "  %s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
			tl_failed_checks++;                                           \
		}                                                                     \
	} while (0)

#define REQUIRE(cond)                                                                   \
	do {                                                                            \
		if (!(cond)) {                                                          \
			fprintf(stderr, "  %s:%d: REQUIRE failed: %s\n", __FILE__, __LINE__, #cond); \
			tl_failed_checks++;                                             \
			return;                                                         \
		}                                                                       \
	} while (0)

/* Compare two unsigned integer values (DWORD, sizes, counts) and print both. */
#define CHECK_U(a, b)                                                                     \
	do {                                                                              \
		uint64_t tl_a = (uint64_t)(a), tl_b = (uint64_t)(b);                      \
		if (tl_a != tl_b) {                                                       \
			fprintf(stderr, "  %s:%d: CHECK_U failed: %s == %s (%" PRIu64 " != %" PRIu64 ")\n", \
				__FILE__, __LINE__, #a, #b, tl_a, tl_b);                  \
			tl_failed_checks++;                                               \
		}                                                                         \
	} while (0)

#define CHECK_EQ(a, b) CHECK_U(a, b)

/* The deadline in seconds: RTM_TEST_TIMEOUT if set (0: none), else TL_TIMEOUT_S. */
static inline unsigned tl_timeout_s(void)
{
	const char *env = getenv("RTM_TEST_TIMEOUT");
	if (env && *env) {
		char *end;
		unsigned long v = strtoul(env, &end, 10);
		if (*end == '\0' && v <= 86400 * 7)
			return (unsigned)v;
		fprintf(stderr, "RTM_TEST_TIMEOUT=%s: not a number of seconds; using %u\n", env,
			(unsigned)TL_TIMEOUT_S);
	}
	return TL_TIMEOUT_S;
}

static inline uint64_t tl_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The process group of the test running now, for the signal handler. */
static volatile sig_atomic_t tl_child_pgid;

static __attribute__((unused)) void tl_on_signal(int sig)
{
	pid_t g = (pid_t)tl_child_pgid;
	if (g > 0)
		kill(-g, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Waits for the child pid until the deadline (0: none).  Returns 0 with
 * *status set when it ended, 1 when the deadline passed (the child's group is
 * then killed and the child reaped), -1 when waitpid failed otherwise. */
static inline int tl_wait(pid_t pid, int *status, unsigned timeout_s)
{
	uint64_t deadline = timeout_s ? tl_now_ms() + (uint64_t)timeout_s * 1000u : 0;
	long pause_us = 200;
	for (;;) {
		pid_t r = waitpid(pid, status, deadline ? WNOHANG : 0);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (r == 0 && tl_now_ms() >= deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL); /* should it not lead its group yet */
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return 1;
		}
		if (r == 0) {
			/* Short at first (most tests end within milliseconds), then 20 ms. */
			struct timespec ts = { 0, pause_us * 1000 };
			nanosleep(&ts, NULL);
			if (pause_us < 20000)
				pause_us *= 2;
		}
	}
}

static inline void tl_run(const char *name, void (*fn)(void))
{
	const char *only = getenv("RTM_TEST_ONLY");
	if (only && strcmp(only, name) != 0)
		return;
	const char *nofork = getenv("RTM_TEST_NOFORK");
	int ok;
	if (nofork && *nofork == '1') {
		tl_failed_checks = 0;
		fn();
		ok = tl_failed_checks == 0;
	} else {
		static int handlers;
		if (!handlers) {
			handlers = 1;
			signal(SIGINT, tl_on_signal);
			signal(SIGTERM, tl_on_signal);
			signal(SIGHUP, tl_on_signal);
		}
		unsigned timeout_s = tl_timeout_s();
		fflush(stdout);
		fflush(stderr);
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			exit(2);
		}
		if (pid == 0) {
			/* Its own process group, so that a timeout kills what it forks
			 * too; and it dies with the runner. */
			setpgid(0, 0);
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			signal(SIGHUP, SIG_DFL);
			tl_failed_checks = 0;
			fn();
			fflush(stdout);
			fflush(stderr);
			int leaked = tl_leaks();
			_exit(tl_failed_checks == 0 && !leaked ? 0 : 1);
		}
		setpgid(pid, pid); /* as the child does: whichever runs first */
		tl_child_pgid = pid;
		int status = 0;
		int w = tl_wait(pid, &status, timeout_s);
		tl_child_pgid = 0;
		if (w == 1) {
			tl_failed++;
			fprintf(stderr, "FAIL %s (timed out after %u s)\n", name, timeout_s);
			return;
		}
		if (w < 0) {
			fprintf(stderr, "  %s: waitpid: %s\n", name, strerror(errno));
			ok = 0;
		} else {
			ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
			if (WIFSIGNALED(status))
				fprintf(stderr, "  %s: killed by signal %d\n", name, WTERMSIG(status));
		}
	}
	if (ok) {
		tl_passed++;
	} else {
		tl_failed++;
		fprintf(stderr, "FAIL %s\n", name);
	}
}

#define RUN(fn) tl_run(#fn, fn)

static inline int tl_finish(const char *file)
{
	printf("%s: %d passed, %d failed\n", file, tl_passed, tl_failed);
	const char *only = getenv("RTM_TEST_ONLY");
	if (only && tl_passed + tl_failed == 0) {
		fflush(stdout);
		fprintf(stderr, "%s: error: RTM_TEST_ONLY=%s names no test of this program\n", file,
			only);
		return 1;
	}
	return tl_failed == 0 ? 0 : 1;
}

#define TEST_MAIN_END() return tl_finish(__FILE__)

#endif
