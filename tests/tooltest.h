/*
 * tooltest.h — running the rtmctl tool from a test (test_rtmctl.c,
 * test_daemon.c): where it is (dirname(argv[0])/../bin/rtmctl, or the
 * environment variable RTMCTL: tool_locate), run_tool() (stdin in, stdout and
 * stderr on one pipe out, the exit status), EXPECT (pieces in order), and a
 * fresh temporary directory per test.
 */
#ifndef RTM_TOOLTEST_H
#define RTM_TOOLTEST_H

#include "testlib.h"

#include <rtmv2.h>
#include <rtmv2/rtmv2_ext.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>

static char tool[PATH_MAX];
static char tmpdir[PATH_MAX]; /* a fresh directory per test, made by make_tmpdir() */

/*
 * Runs the tool with args (NULL-terminated), input on its stdin (NULL: none),
 * and returns its exit status (-1 if it did not exit normally); *out receives
 * its output, NUL-terminated, to be freed.
 */
static int run_tool(const char *input, char **out, const char *const *args)
{
	const char *argv[32] = { "rtmctl" };
	int in[2], pipe_out[2], status = 0;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	ssize_t n;

	for (int i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	if (!buf || pipe(in) || pipe(pipe_out)) {
		perror("run_tool");
		exit(2);
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		dup2(in[0], STDIN_FILENO);
		dup2(pipe_out[1], STDOUT_FILENO);
		dup2(pipe_out[1], STDERR_FILENO);
		close(in[0]);
		close(in[1]);
		close(pipe_out[0]);
		close(pipe_out[1]);
		execv(tool, (char *const *)argv);
		fprintf(stderr, "cannot run %s: %s\n", tool, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(pipe_out[1]);
	/* Scripts are small: they fit in the pipe, so writing first cannot block. */
	signal(SIGPIPE, SIG_IGN);
	if (input && write(in[1], input, strlen(input)) < 0 && errno != EPIPE)
		perror("write");
	close(in[1]);
	while ((n = read(pipe_out[0], buf + len, cap - len - 1)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		len += (size_t)n;
		if (cap - len < 2 && !(buf = realloc(buf, cap *= 2))) {
			perror("realloc");
			exit(2);
		}
	}
	close(pipe_out[0]);
	buf[len] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*out = buf;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

#define RUN_TOOL(input, out, ...) run_tool(input, out, (const char *const[]){ __VA_ARGS__, NULL })

/* True if every piece occurs in out, each after the previous; else says which is missing. */
static bool expect_in_order(const char *out, const char *const *pieces)
{
	const char *pos = out;

	for (; *pieces; pieces++) {
		const char *hit = strstr(pos, *pieces);
		if (!hit) {
			fprintf(stderr, "  expected, in order: \"%s\"\n  output:\n%s\n", *pieces, out);
			return false;
		}
		pos = hit + strlen(*pieces);
	}
	return true;
}

#define EXPECT(out, ...) CHECK(expect_in_order(out, (const char *const[]){ __VA_ARGS__, NULL }))

/* "FUNCTION: error CODE (rtm_strerror's message)", as the tool reports an API error. */
static inline const char *api_error(const char *function, DWORD code)
{
	static char buf[8][160];
	static unsigned next;
	char *s = buf[next++ % 8];

	snprintf(s, sizeof(buf[0]), "%s: error %lu (%s)", function, (unsigned long)code,
		 rtm_strerror(code));
	return s;
}

static void make_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_rtmctl.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		exit(2);
	}
}

/* Writes text to tmpdir/name and returns the path (static until the next call). */
static const char *tmpfile_with(const char *name, const char *text)
{
	static char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	if (!(f = fopen(path, "w")) || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(2);
	}
	return path;
}

/* Removes tmpdir and the files the test put in it. */
static void remove_tmpdir(void)
{
	char path[PATH_MAX + 300];
	struct dirent *d;
	DIR *dir = opendir(tmpdir);

	while (dir && (d = readdir(dir)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
			snprintf(path, sizeof(path), "%s/%s", tmpdir, d->d_name);
			unlink(path);
		}
	if (dir)
		closedir(dir);
	if (rmdir(tmpdir))
		fprintf(stderr, "  could not remove %s: %s\n", tmpdir, strerror(errno));
}

/* Sets tool from RTMCTL or the test program's own path (argv0). */
static void tool_locate(const char *argv0, const char *test_name)
{
	const char *env = getenv("RTMCTL");
	char self[PATH_MAX];

	snprintf(self, sizeof(self), "%s", argv0);
	if (env && *env)
		snprintf(tool, sizeof(tool), "%s", env);
	else
		snprintf(tool, sizeof(tool), "%s/../bin/rtmctl", dirname(self));
	unsetenv("RTMV2_CONFIG"); /* the defaults, whatever the caller's environment */
	if (access(tool, X_OK))
		fprintf(stderr, "%s: %s: %s (make tests builds it)\n", test_name, tool, strerror(errno));
}

#endif
