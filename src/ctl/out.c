/*
 * ctl/out.c — an answer on its way out: a 64 KiB buffer sent to the client
 * each time it fills (so a table of any size streams in constant memory),
 * every send bounded by the timeout (a client that stops reading loses its
 * connection and blocks nobody); JSON strings escaped; and the writer the
 * status providers get (rtm_control_printf: "key: value" lines, which JSON
 * answers turn into members).
 */
#include "ctl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

bool ctl_send_all(int fd, const char *p, size_t n, unsigned timeout_ms)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k > 0) {
			p += k;
			n -= (size_t)k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			return false;
		struct pollfd pf = { .fd = fd, .events = POLLOUT };
		int r = poll(&pf, 1, (int)timeout_ms);
		if (r == 0 || (r < 0 && errno != EINTR) || (pf.revents & (POLLERR | POLLHUP)))
			return false; /* stuck or gone */
	}
	return true;
}

void ctl_out_init(struct rtm_control_out *o, int fd, unsigned timeout_ms)
{
	o->fd = fd;
	o->timeout_ms = timeout_ms;
	o->json = false;
	o->failed = false;
	o->kv_open = false;
	o->items = 0;
	o->n = 0;
}

bool ctl_out_flush(struct rtm_control_out *o)
{
	if (!o->failed && o->n && !ctl_send_all(o->fd, o->buf, o->n, o->timeout_ms))
		o->failed = true;
	o->n = 0;
	return !o->failed;
}

void ctl_out_bytes(struct rtm_control_out *o, const char *p, size_t n)
{
	while (n && !o->failed) {
		size_t room = sizeof(o->buf) - o->n;
		if (!room) {
			ctl_out_flush(o);
			continue;
		}
		size_t k = n < room ? n : room;
		memcpy(o->buf + o->n, p, k);
		o->n += k;
		p += k;
		n -= k;
	}
}

void ctl_out_str(struct rtm_control_out *o, const char *s)
{
	ctl_out_bytes(o, s, strlen(s));
}

static void out_vfmt(struct rtm_control_out *o, const char *fmt, va_list ap)
{
	if (sizeof(o->buf) - o->n < 1024)
		ctl_out_flush(o);
	if (o->failed)
		return;
	va_list copy;
	va_copy(copy, ap);
	int k = vsnprintf(o->buf + o->n, sizeof(o->buf) - o->n, fmt, copy);
	va_end(copy);
	if (k < 0)
		return;
	if ((size_t)k < sizeof(o->buf) - o->n) {
		o->n += (size_t)k;
		return;
	}
	char big[CTL_MAX_LINE * 2]; /* longer than the room left: through a bounded copy */
	vsnprintf(big, sizeof(big), fmt, ap);
	ctl_out_str(o, big);
}

void ctl_out_fmt(struct rtm_control_out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out_vfmt(o, fmt, ap);
	va_end(ap);
}

/* The length of the valid UTF-8 sequence at s (a lead byte >= 0x80), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) || (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
	    (n == 4 && s[0] == 0xf0 && s[1] < 0x90) || (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
		return 0; /* overlong, a surrogate, past U+10FFFF */
	return n;
}

void ctl_out_json_str(struct rtm_control_out *o, const char *s)
{
	ctl_out_bytes(o, "\"", 1);
	while (*s) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\') {
			char e[2] = { '\\', (char)ch };
			ctl_out_bytes(o, e, 2);
		} else if (ch < 0x20) {
			ctl_out_fmt(o, "\\u%04x", ch);
		} else if (ch >= 0x80) {
			/* A program's text may be anything: what is not UTF-8
			 * becomes U+FFFD, so the document stays JSON. */
			size_t n = utf8_len((const unsigned char *)s);
			if (n) {
				ctl_out_bytes(o, s, n);
				s += n;
				continue;
			}
			ctl_out_str(o, "\\ufffd");
		} else {
			ctl_out_bytes(o, (const char *)&ch, 1);
		}
		s++;
	}
	ctl_out_bytes(o, "\"", 1);
}

void ctl_out_sep(struct rtm_control_out *o)
{
	if (o->items++)
		ctl_out_bytes(o, ",", 1);
}

/* A status provider's line.  Text: as it is (a newline added when missing).
 * JSON: "key: value" becomes a member "key": "value" of the provider's
 * object; a line without ": " a member "line N". */
void ctl_printf(rtm_control_out *o, const char *fmt, va_list ap)
{
	char line[512];
	vsnprintf(line, sizeof(line), fmt, ap);
	size_t n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = 0;
	if (!o->json) {
		/* A data line never starts with '%', the status line's mark. */
		ctl_out_fmt(o, "%s%s\n", line[0] == '%' ? " " : "", line);
		return;
	}
	char *colon = strstr(line, ": ");
	ctl_out_sep(o);
	if (colon) {
		*colon = 0;
		ctl_out_json_str(o, line);
		ctl_out_bytes(o, ":", 1);
		ctl_out_json_str(o, colon + 2);
	} else {
		ctl_out_fmt(o, "\"line %u\":", o->items);
		ctl_out_json_str(o, line);
	}
}
