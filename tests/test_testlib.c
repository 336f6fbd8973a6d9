/*
 * test_testlib.c — the test runner itself (testlib.h).
 *
 * Each test runs this program again (/proc/self/exe) as an "inner" program
 * with TL_INNER=1 in its environment: three tests, of which the middle one
 * forks a grandchild and then both sleep forever.  With RTM_TEST_TIMEOUT=1
 * the inner runner must report that one test as timed out, kill its whole
 * process group (the grandchild too), run the test after it, and exit
 * non-zero.  An RTM_TEST_ONLY that names no test must fail the program; one
 * that names a test runs it alone.
 */
#include "testlib.h"

#include <stdbool.h>

/* ---- the inner program ------------------------------------------------------ */

static void inner_pass(void)
{
	CHECK(1 + 1 == 2);
}

static void inner_hang(void)
{
	pid_t g = fork();
	if (g == 0) {
		/* The grandchild: no descriptor of the outer pipe, so only its
		 * death, not its output, is what the outer test waits for. */
		close(0);
		close(1);
		close(2);
		for (;;)
			pause();
	}
	printf("grandchild %d\n", (int)g);
	fflush(stdout);
	for (;;)
		pause();
}

static void inner_after(void)
{
	printf("inner_after ran\n");
	fflush(stdout);
}

static int inner_main(void)
{
	RUN(inner_pass);
	RUN(inner_hang);
	RUN(inner_after);
	return tl_finish("inner");
}

/* ---- running it ---------------------------------------------------------------- */

struct inner_run {
	int status;        /* waitpid's */
	char out[8192];    /* stdout and stderr */
	size_t len;
};

/* Runs the inner program with NAME=VALUE set in its environment (value NULL:
 * unset), stdout and stderr captured. */
static bool run_inner(const char *name, const char *value, struct inner_run *r)
{
	int fd[2];
	if (pipe(fd))
		return false;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		dup2(fd[1], 1);
		dup2(fd[1], 2);
		close(fd[0]);
		close(fd[1]);
		setenv("TL_INNER", "1", 1);
		unsetenv("RTM_TEST_ONLY");
		unsetenv("RTM_TEST_NOFORK");
		unsetenv("RTM_TEST_TIMEOUT");
		if (value)
			setenv(name, value, 1);
		execl("/proc/self/exe", "test_testlib", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	r->len = 0;
	for (;;) {
		ssize_t n = read(fd[0], r->out + r->len, sizeof(r->out) - 1 - r->len);
		if (n > 0)
			r->len += (size_t)n;
		else if (n == 0 || errno != EINTR || r->len == sizeof(r->out) - 1)
			break;
	}
	r->out[r->len] = '\0';
	close(fd[0]);
	while (waitpid(pid, &r->status, 0) < 0)
		if (errno != EINTR)
			return false;
	return true;
}

static bool exited_with(const struct inner_run *r, int code)
{
	return WIFEXITED(r->status) && WEXITSTATUS(r->status) == code;
}

/* ---- the tests ------------------------------------------------------------------- */

/* A test that hangs is killed at its deadline, with what it forked, and
 * reported by name; the runner goes on with the next test. */
static void test_timeout_fails_one_test(void)
{
	/* Orphans of the inner program come to us, so that the grandchild's
	 * end can be seen (and it cannot outlive this test). */
	REQUIRE(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
	struct inner_run r;
	uint64_t t0 = tl_now_ms();
	REQUIRE(run_inner("RTM_TEST_TIMEOUT", "1", &r));
	uint64_t took = tl_now_ms() - t0;
	CHECK(exited_with(&r, 1));
	CHECK(strstr(r.out, "FAIL inner_hang (timed out after 1 s)\n") != NULL);
	CHECK(strstr(r.out, "inner_after ran\n") != NULL);
	CHECK(strstr(r.out, "inner: 2 passed, 1 failed\n") != NULL);
	CHECK(strstr(r.out, "FAIL inner_pass") == NULL);
	CHECK(strstr(r.out, "FAIL inner_after") == NULL);
	CHECK(took >= 1000);
	/* The grandchild was killed with its group. */
	const char *g = strstr(r.out, "grandchild ");
	REQUIRE(g != NULL);
	pid_t gpid = (pid_t)atoi(g + strlen("grandchild "));
	REQUIRE(gpid > 0);
	int st = 0;
	pid_t w = 0;
	for (int i = 0; i < 5000 && w == 0; i++) {
		w = waitpid(gpid, &st, WNOHANG);
		if (w == 0) {
			struct timespec ts = { 0, 1000000 };
			nanosleep(&ts, NULL);
		}
	}
	if (w == 0) {
		kill(gpid, SIGKILL);
		waitpid(gpid, &st, 0);
	}
	CHECK(w == gpid);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	if (r.len && tl_failed_checks)
		fprintf(stderr, "  inner output:\n%s", r.out);
}

/* A filter that names no test fails the program, and says so. */
static void test_only_matching_nothing_fails(void)
{
	struct inner_run r;
	REQUIRE(run_inner("RTM_TEST_ONLY", "no_such_test", &r));
	CHECK(exited_with(&r, 1));
	CHECK(strstr(r.out, "inner: 0 passed, 0 failed\n") != NULL);
	CHECK(strstr(r.out, "RTM_TEST_ONLY=no_such_test names no test") != NULL);
	if (tl_failed_checks)
		fprintf(stderr, "  inner output:\n%s", r.out);
}

/* A filter that names a test runs that one alone. */
static void test_only_runs_one(void)
{
	struct inner_run r;
	REQUIRE(run_inner("RTM_TEST_ONLY", "inner_after", &r));
	CHECK(exited_with(&r, 0));
	CHECK(strstr(r.out, "inner_after ran\n") != NULL);
	CHECK(strstr(r.out, "grandchild") == NULL);
	CHECK(strstr(r.out, "inner: 1 passed, 0 failed\n") != NULL);
	if (tl_failed_checks)
		fprintf(stderr, "  inner output:\n%s", r.out);
}

/* RTM_TEST_TIMEOUT is read as a number of seconds. */
static void test_timeout_setting(void)
{
	setenv("RTM_TEST_TIMEOUT", "7", 1);
	CHECK_U(tl_timeout_s(), 7);
	setenv("RTM_TEST_TIMEOUT", "0", 1);
	CHECK_U(tl_timeout_s(), 0);
	setenv("RTM_TEST_TIMEOUT", "soon", 1);
	CHECK_U(tl_timeout_s(), TL_TIMEOUT_S);
	unsetenv("RTM_TEST_TIMEOUT");
	CHECK_U(tl_timeout_s(), TL_TIMEOUT_S);
}

int main(void)
{
	const char *inner = getenv("TL_INNER");
	if (inner && strcmp(inner, "1") == 0)
		return inner_main();
	RUN(test_timeout_fails_one_test);
	RUN(test_only_matching_nothing_fails);
	RUN(test_only_runs_one);
	RUN(test_timeout_setting);
	TEST_MAIN_END();
}
