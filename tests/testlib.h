/*
 * testlib.h — a tiny fork-per-test runner.
 *
 * Each test is a void function.  main() lists them with RUN(); each runs in a
 * child process so that a crash, an abort or a sanitizer report fails that
 * test alone and the others still run.  RTM_TEST_NOFORK=1 runs them in
 * process (for a debugger); RTM_TEST_ONLY=name runs one.
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

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
		fflush(stdout);
		fflush(stderr);
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			exit(2);
		}
		if (pid == 0) {
			tl_failed_checks = 0;
			fn();
			fflush(stdout);
			fflush(stderr);
			int leaked = tl_leaks();
			_exit(tl_failed_checks == 0 && !leaked ? 0 : 1);
		}
		int status = 0;
		while (waitpid(pid, &status, 0) < 0)
			;
		ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
		if (WIFSIGNALED(status))
			fprintf(stderr, "  %s: killed by signal %d\n", name, WTERMSIG(status));
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
	return tl_failed == 0 ? 0 : 1;
}

#define TEST_MAIN_END() return tl_finish(__FILE__)

#endif
