/*
 * client.c — `rtmctl -s PATH [COMMAND...]`: a client of a control socket
 * (<rtmv2/control.h>, docs/control.md).  With a command, it sends it (the
 * words joined by blanks, "json " in front with -j) and prints the answer's
 * data lines on stdout; the status line "%error MESSAGE" goes to stderr and
 * makes the exit status 1.  Without one, it reads commands from stdin: a
 * shell on a terminal (with libedit's line editing and a history in
 * ~/.rtmctl_history where rtmctl was built with libedit), one command a line
 * otherwise.  Exit status 2: the socket cannot be reached, or the server
 * closed the connection before its status line.
 */
#include "rtmctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#ifdef HAVE_LIBEDIT
#include <editline/readline.h>
#endif

struct conn {
	int fd;
	FILE *in; /* the answers, read a line at a time */
};

static int dial(const char *path, struct conn *c)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "rtmctl: %s: path too long\n", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "rtmctl: %s: %s\n", path, strerror(errno));
		if (c->fd >= 0)
			close(c->fd);
		return -1;
	}
	int dup_fd = dup(c->fd);
	c->in = dup_fd >= 0 ? fdopen(dup_fd, "r") : NULL;
	if (!c->in) {
		fprintf(stderr, "rtmctl: %s\n", strerror(errno));
		close(c->fd);
		return -1;
	}
	return 0;
}

static void hang_up(struct conn *c)
{
	fclose(c->in);
	close(c->fd);
}

/* Sends one request and prints its answer: 0 (%ok), 1 (%error), 2 (the
 * connection broke). */
static int ask(struct conn *c, const char *request, bool json)
{
	size_t n = strlen(request);
	char *line = malloc(n + 8);
	if (!line)
		return 2;
	int k = snprintf(line, n + 8, "%s%s\n", json ? "json " : "", request);
	ssize_t sent = 0;
	while (sent < k) {
		ssize_t w = send(c->fd, line + sent, (size_t)(k - sent), MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break; /* the server closed: what it said first is still to read */
		sent += w;
	}
	free(line);
	char *ans = NULL;
	size_t cap = 0;
	int rc = 2;
	ssize_t len;
	while ((len = getline(&ans, &cap, c->in)) >= 0) {
		if (!strcmp(ans, "%ok\n")) {
			rc = 0;
			break;
		}
		if (!strncmp(ans, "%error", 6)) {
			fprintf(stderr, "rtmctl: %s", ans[6] == ' ' ? ans + 7 : ans + 6);
			rc = 1;
			break;
		}
		fwrite(ans, 1, (size_t)len, stdout);
	}
	free(ans);
	fflush(stdout);
	if (rc == 2)
		fprintf(stderr, "rtmctl: the server closed the connection before its answer ended\n");
	return rc;
}

#ifdef HAVE_LIBEDIT
static char history_path[512];
#endif

/* The next command of the shell (NULL at the end); free it. */
static char *next_command(bool tty)
{
#ifdef HAVE_LIBEDIT
	if (tty) {
		char *s = readline("rtmctl> ");
		if (s && *s) {
			add_history(s);
			if (history_path[0])
				append_history(1, history_path);
		}
		return s;
	}
#endif
	if (tty) {
		fputs("rtmctl> ", stdout);
		fflush(stdout);
	}
	char *s = NULL;
	size_t cap = 0;
	if (getline(&s, &cap, stdin) < 0) {
		free(s);
		return NULL;
	}
	s[strcspn(s, "\r\n")] = 0;
	return s;
}

int client_main(const char *path, bool json, int argc, char **argv)
{
	struct conn c;
	if (dial(path, &c))
		return 2;
	int rc = 0;
	if (argc) {
		size_t n = 1;
		for (int i = 0; i < argc; i++)
			n += strlen(argv[i]) + 1;
		char *req = malloc(n);
		if (!req) {
			hang_up(&c);
			return 2;
		}
		req[0] = 0;
		for (int i = 0; i < argc; i++) {
			if (i)
				strcat(req, " ");
			strcat(req, argv[i]);
		}
		rc = ask(&c, req, json);
		free(req);
		hang_up(&c);
		return rc;
	}
	bool tty = isatty(STDIN_FILENO);
#ifdef HAVE_LIBEDIT
	const char *home = getenv("HOME");
	if (tty && home) {
		snprintf(history_path, sizeof(history_path), "%s/.rtmctl_history", home);
		read_history(history_path);
		FILE *touch = fopen(history_path, "a"); /* append_history needs the file */
		if (touch)
			fclose(touch);
	}
#endif
	char *s;
	while ((s = next_command(tty))) {
		char *t = s + strspn(s, " \t");
		if (!*t || *t == '#') {
			free(s);
			continue;
		}
		bool quit = !strcmp(t, "quit") || !strcmp(t, "exit");
		int r = quit ? 0 : ask(&c, t, json);
		free(s);
		if (quit)
			break;
		if (r == 2) {
			rc = 2;
			break;
		}
		if (r && !tty)
			rc = 1;
	}
	if (tty)
		putchar('\n');
	hang_up(&c);
	return rc;
}
