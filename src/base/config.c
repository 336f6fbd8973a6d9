/*
 * config.c — the configuration file: parse, check, and resolve one (instance, family).
 *
 * The file is small and read rarely (once per instance and family, when the first entity
 * registers), so there is no cache and no state: every call reads the whole file in one pass
 * and throws the parse away.  That makes a changed file take effect for the next instance
 * without any reload protocol, and keeps this module free of locks.
 *
 * One pass, two overlays.  While reading, the parser keeps two partial results: the values set
 * in [default] sections and the values set in sections for the asked (instance, family).  Each
 * overlay is a struct rtm_config_values plus a bit per key saying "set here"; a later line for
 * the same key simply overwrites the earlier one, which gives "later sections override earlier
 * ones key by key" for free.  Only at the end are they laid over the built-in defaults, defaults
 * first, so a [default] section at the bottom of the file still yields to a specific section
 * above it.  Sections for other instances are parsed and checked exactly the same way, and
 * their values dropped: a file is either wholly valid or rejected, so an error cannot hide
 * until the day a second instance starts.
 *
 * Lines are read with getc into a fixed buffer of RTM_CONFIG_MAX_LINE bytes on the stack.
 * That needs no heap at all (getline would allocate behind rtm__malloc's back), bounds the
 * work per line, and lets the reader see a NUL byte, which fgets would silently turn into an
 * early end of string.  A line is then cut at its first '#' or ';' (no value can contain
 * either), trimmed, and split in place into whitespace-separated tokens.
 *
 * Errors stop the pass at the first one.  The message names the file, the line and what is
 * wrong, and quotes at most a short, sanitised piece of the offending text so that it always
 * stays one printable line whatever bytes the file holds.  The caller's output structure is
 * written only after the whole file has been accepted.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define CFG_MAX_INSTANCE 65535u
/* Longest piece of file text quoted in a message, before "..." is appended. */
#define CFG_QUOTE_MAX 40u

enum cfg_key {
	CFG_HANDLES,
	CFG_HOPS,
	CFG_VIEWS,
	CFG_OPAQUE,
	CFG_NOTIFY,
	CFG_NKEYS
};

/* The scalar keys carry their range here; views are checked by cfg_parse_views. */
static const struct rtm_cfg_keyinfo {
	const char *name;
	unsigned min, max;
} cfg_keys[CFG_NKEYS] = {
	[CFG_HANDLES] = { "max_handles_in_enum", RTM_CONFIG_MIN_MAX_HANDLES_IN_ENUM,
			  RTM_CONFIG_MAX_MAX_HANDLES_IN_ENUM },
	[CFG_HOPS] = { "max_next_hops_in_route", RTM_CONFIG_MIN_MAX_NEXT_HOPS_IN_ROUTE,
		       RTM_CONFIG_MAX_MAX_NEXT_HOPS_IN_ROUTE },
	[CFG_VIEWS] = { "views", 0, 0 },
	[CFG_OPAQUE] = { "max_opaque_pointers", RTM_CONFIG_MIN_MAX_OPAQUE_POINTERS,
			 RTM_CONFIG_MAX_MAX_OPAQUE_POINTERS },
	[CFG_NOTIFY] = { "max_change_notifications", RTM_CONFIG_MIN_MAX_CHANGE_NOTIFICATIONS,
			 RTM_CONFIG_MAX_MAX_CHANGE_NOTIFICATIONS },
};

/* Values set by some sections; bit k of 'set' says key k was given. */
struct rtm_cfg_overlay {
	unsigned set;
	struct rtm_config_values v;
};

enum cfg_section {
	CFG_SEC_NONE,	 /* before the first section header */
	CFG_SEC_DEFAULT, /* [default] */
	CFG_SEC_MATCH,	 /* [instance I F] for the asked instance and family */
	CFG_SEC_OTHER	 /* [instance I F] for someone else: checked, then dropped */
};

struct rtm_cfg_parser {
	const char *path;
	unsigned lineno;
	unsigned instance;
	int family;
	enum cfg_section section;
	struct rtm_cfg_overlay dflt, match;
	char *errbuf;
	size_t errlen;
};

void rtm__config_defaults(struct rtm_config_values *out)
{
	out->max_handles_in_enum = RTM_CONFIG_DEF_MAX_HANDLES_IN_ENUM;
	out->max_next_hops_in_route = RTM_CONFIG_DEF_MAX_NEXT_HOPS_IN_ROUTE;
	out->views_supported = RTM_CONFIG_DEF_VIEWS_SUPPORTED;
	out->max_opaque_pointers = RTM_CONFIG_DEF_MAX_OPAQUE_POINTERS;
	out->max_change_notifications = RTM_CONFIG_DEF_MAX_CHANGE_NOTIFICATIONS;
}

static void cfg_set(struct rtm_config_values *v, enum cfg_key k, uint32_t val)
{
	switch (k) {
	case CFG_HANDLES:
		v->max_handles_in_enum = val;
		break;
	case CFG_HOPS:
		v->max_next_hops_in_route = val;
		break;
	case CFG_VIEWS:
		v->views_supported = val;
		break;
	case CFG_OPAQUE:
		v->max_opaque_pointers = val;
		break;
	case CFG_NOTIFY:
		v->max_change_notifications = val;
		break;
	case CFG_NKEYS:
		break;
	}
}

static uint32_t cfg_get(const struct rtm_config_values *v, enum cfg_key k)
{
	switch (k) {
	case CFG_HANDLES:
		return v->max_handles_in_enum;
	case CFG_HOPS:
		return v->max_next_hops_in_route;
	case CFG_VIEWS:
		return v->views_supported;
	case CFG_OPAQUE:
		return v->max_opaque_pointers;
	case CFG_NOTIFY:
		return v->max_change_notifications;
	case CFG_NKEYS:
		break;
	}
	return 0;
}

static void cfg_overlay_apply(struct rtm_config_values *dst, const struct rtm_cfg_overlay *o)
{
	for (int k = 0; k < CFG_NKEYS; k++)
		if (o->set & (1u << k))
			cfg_set(dst, (enum cfg_key)k, cfg_get(&o->v, (enum cfg_key)k));
}

/* Write a whole message to the caller's buffer, if there is one. */
__attribute__((format(printf, 3, 4))) static void cfg_message(char *errbuf, size_t errlen,
							      const char *fmt, ...)
{
	if (!errbuf || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

/* Report a content error at the current line as "path:line: what"; returns -EBADMSG. */
__attribute__((format(printf, 2, 3))) static int cfg_error(struct rtm_cfg_parser *p,
							   const char *fmt, ...)
{
	if (!p->errbuf || p->errlen == 0)
		return -EBADMSG;
	int n = snprintf(p->errbuf, p->errlen, "%s:%u: ", p->path, p->lineno);
	if (n >= 0 && (size_t)n < p->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->errbuf + n, p->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

/*
 * Copy file text into dst for quoting in a message: control and non-ASCII bytes become '?'
 * (the message must stay one printable line) and anything past CFG_QUOTE_MAX becomes "...".
 */
static const char *cfg_quote(char dst[CFG_QUOTE_MAX + 4], const char *s)
{
	size_t i;
	for (i = 0; s[i] && i < CFG_QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		dst[i] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	if (s[i]) {
		memcpy(dst + i, "...", 3);
		i += 3;
	}
	dst[i] = '\0';
	return dst;
}

static bool cfg_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Trim whitespace at both ends, in place. */
static char *cfg_trim(char *s)
{
	while (cfg_is_space(*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && cfg_is_space(s[n - 1]))
		n--;
	s[n] = '\0';
	return s;
}

/* Next whitespace-separated token of *cur, NUL-terminated in place; NULL at the end. */
static char *cfg_token(char **cur)
{
	char *s = *cur;
	while (cfg_is_space(*s))
		s++;
	if (*s == '\0') {
		*cur = s;
		return NULL;
	}
	char *t = s;
	while (*s && !cfg_is_space(*s))
		s++;
	if (*s)
		*s++ = '\0';
	*cur = s;
	return t;
}

static int cfg_digit(char c, unsigned base)
{
	int d;
	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else
		return -1;
	return (unsigned)d < base ? d : -1;
}

/*
 * Parse a whole string of digits in base 10 or 16 (no sign, no prefix, no spaces).  A value too
 * big for 64 bits saturates at UINT64_MAX, which every range check then rejects.
 * Returns 0, or -1 if s is empty or holds anything but digits.
 */
static int cfg_parse_uint(const char *s, unsigned base, uint64_t *val)
{
	uint64_t v = 0;
	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		int d = cfg_digit(*s, base);
		if (d < 0)
			return -1;
		if (v > (UINT64_MAX - (unsigned)d) / base)
			v = UINT64_MAX;
		else
			v = v * base + (unsigned)d;
	}
	*val = v;
	return 0;
}

/* Parse "[...]"; line is trimmed and starts with '['. */
static int cfg_parse_section(struct rtm_cfg_parser *p, char *line)
{
	char q[CFG_QUOTE_MAX + 4];
	char *end = strchr(line, ']');
	if (!end)
		return cfg_error(p, "missing ']' in section header");
	if (end[1] != '\0')
		return cfg_error(p, "unexpected '%s' after ']'", cfg_quote(q, cfg_trim(end + 1)));
	*end = '\0';

	char *cur = line + 1;
	char *name = cfg_token(&cur);
	if (!name)
		return cfg_error(p, "empty section name");
	if (strcmp(name, "default") == 0) {
		if (cfg_token(&cur))
			return cfg_error(p, "[default] takes no arguments");
		p->section = CFG_SEC_DEFAULT;
		return 0;
	}
	if (strcmp(name, "instance") != 0)
		return cfg_error(p, "unknown section '%s'", cfg_quote(q, name));

	char *id = cfg_token(&cur);
	char *fam = cfg_token(&cur);
	if (!id || !fam || cfg_token(&cur))
		return cfg_error(p, "expected [instance <id> <family>]");
	uint64_t inst;
	if (cfg_parse_uint(id, 10, &inst) < 0)
		return cfg_error(p, "instance id: '%s' is not a number", cfg_quote(q, id));
	if (inst > CFG_MAX_INSTANCE)
		return cfg_error(p, "instance id: %s is out of range 0..%u", cfg_quote(q, id),
				 CFG_MAX_INSTANCE);
	int family;
	if (strcmp(fam, "ipv4") == 0 || strcmp(fam, "inet") == 0)
		family = AF_INET;
	else if (strcmp(fam, "ipv6") == 0 || strcmp(fam, "inet6") == 0)
		family = AF_INET6;
	else
		return cfg_error(p, "unknown address family '%s' (expected ipv4, ipv6, inet or inet6)",
				 cfg_quote(q, fam));
	p->section = (inst == p->instance && family == p->family) ? CFG_SEC_MATCH : CFG_SEC_OTHER;
	return 0;
}

/* Parse the value of "views": names, view numbers and 0x masks, united. */
static int cfg_parse_views(struct rtm_cfg_parser *p, char *value, uint32_t *out)
{
	char q[CFG_QUOTE_MAX + 4];
	uint32_t views = 0;
	char *cur = value, *t;
	while ((t = cfg_token(&cur)) != NULL) {
		uint64_t v;
		if (strcmp(t, "unicast") == 0) {
			views |= 1u << 0;
		} else if (strcmp(t, "multicast") == 0) {
			views |= 1u << 1;
		} else if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
			if (cfg_parse_uint(t + 2, 16, &v) < 0)
				return cfg_error(p, "views: '%s' is not a number", cfg_quote(q, t));
			if (v > UINT32_MAX)
				return cfg_error(p, "views: %s is out of range 0x0..0xffffffff",
						 cfg_quote(q, t));
			views |= (uint32_t)v;
		} else if (t[0] >= '0' && t[0] <= '9') {
			if (cfg_parse_uint(t, 10, &v) < 0)
				return cfg_error(p, "views: '%s' is not a number", cfg_quote(q, t));
			if (v > RTM_CONFIG_MAX_VIEW)
				return cfg_error(p, "views: %s is out of range 0..%u", cfg_quote(q, t),
						 RTM_CONFIG_MAX_VIEW);
			views |= UINT32_C(1) << v;
		} else {
			return cfg_error(p,
					 "views: unknown view '%s' (expected unicast, multicast, "
					 "a number 0..%u or a 0x mask)",
					 cfg_quote(q, t), RTM_CONFIG_MAX_VIEW);
		}
	}
	if (!(views & 1u))
		return cfg_error(p, "views: must include unicast (view 0)");
	*out = views;
	return 0;
}

/* Parse "key = value"; line is trimmed, non-empty and not a section header. */
static int cfg_parse_assignment(struct rtm_cfg_parser *p, char *line)
{
	char q[CFG_QUOTE_MAX + 4];
	char *eq = strchr(line, '=');
	if (!eq)
		return cfg_error(p, "missing '=' in '%s' (expected key = value)", cfg_quote(q, line));
	*eq = '\0';
	char *key = cfg_trim(line);
	char *value = cfg_trim(eq + 1);
	if (*key == '\0')
		return cfg_error(p, "missing key before '='");

	int k;
	for (k = 0; k < CFG_NKEYS; k++)
		if (strcmp(key, cfg_keys[k].name) == 0)
			break;
	if (k == CFG_NKEYS)
		return cfg_error(p, "unknown key '%s'", cfg_quote(q, key));
	const struct rtm_cfg_keyinfo *ki = &cfg_keys[k];
	if (p->section == CFG_SEC_NONE)
		return cfg_error(p, "%s: key before any section", ki->name);
	if (*value == '\0')
		return cfg_error(p, "%s: missing value", ki->name);

	uint32_t val = 0;
	if (k == CFG_VIEWS) {
		int rc = cfg_parse_views(p, value, &val);
		if (rc < 0)
			return rc;
	} else {
		uint64_t v;
		if (cfg_parse_uint(value, 10, &v) < 0)
			return cfg_error(p, "%s: '%s' is not a number", ki->name, cfg_quote(q, value));
		if (v < ki->min || v > ki->max)
			return cfg_error(p, "%s: %s is out of range %u..%u", ki->name,
					 cfg_quote(q, value), ki->min, ki->max);
		val = (uint32_t)v;
	}

	struct rtm_cfg_overlay *o = NULL;
	if (p->section == CFG_SEC_DEFAULT)
		o = &p->dflt;
	else if (p->section == CFG_SEC_MATCH)
		o = &p->match;
	if (o) {
		cfg_set(&o->v, (enum cfg_key)k, val);
		o->set |= 1u << k;
	}
	return 0;
}

static int cfg_parse_line(struct rtm_cfg_parser *p, char *line)
{
	/* No value contains '#' or ';', so the first one always starts a comment. */
	line[strcspn(line, "#;")] = '\0';
	line = cfg_trim(line);
	if (*line == '\0')
		return 0;
	if (*line == '[')
		return cfg_parse_section(p, line);
	return cfg_parse_assignment(p, line);
}

enum cfg_read {
	CFG_READ_LINE,
	CFG_READ_EOF,
	CFG_READ_TOO_LONG,
	CFG_READ_NUL,
	CFG_READ_ERROR
};

/*
 * Read one line without its '\n' into buf (RTM_CONFIG_MAX_LINE + 1 bytes), NUL-terminated.
 * A last line without '\n' still counts as a line.  On CFG_READ_ERROR errno says why.
 */
static enum cfg_read cfg_read_line(FILE *f, char *buf)
{
	size_t len = 0;
	for (;;) {
		int c = getc(f);
		if (c == EOF) {
			if (ferror(f))
				return CFG_READ_ERROR;
			if (len == 0)
				return CFG_READ_EOF;
			break;
		}
		if (c == '\n')
			break;
		if (c == '\0')
			return CFG_READ_NUL;
		if (len == RTM_CONFIG_MAX_LINE)
			return CFG_READ_TOO_LONG;
		buf[len++] = (char)c;
	}
	buf[len] = '\0';
	return CFG_READ_LINE;
}

/* A short reason for an open or read failure; strerror is not thread-safe everywhere. */
static const char *cfg_errno_text(int e)
{
	switch (e) {
	case ENOENT:
		return "no such file or directory";
	case ENOTDIR:
		return "a path component is not a directory";
	case EACCES:
	case EPERM:
		return "permission denied";
	case ENOMEM:
		return "out of memory";
	case EISDIR:
		return "is a directory";
	case ELOOP:
		return "too many levels of symbolic links";
	case ENAMETOOLONG:
		return "file name too long";
	case EMFILE:
	case ENFILE:
		return "too many open files";
	default:
		return "input/output error";
	}
}

/* Map an errno from fopen or a read to the codes rtm__config_load documents. */
static int cfg_errno_code(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
		return -ENOENT;
	case EACCES:
	case EPERM:
		return -EACCES;
	case ENOMEM:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

static int cfg_parse_file(struct rtm_cfg_parser *p, FILE *f)
{
	char buf[RTM_CONFIG_MAX_LINE + 1];
	for (;;) {
		p->lineno++;
		switch (cfg_read_line(f, buf)) {
		case CFG_READ_EOF:
			return 0;
		case CFG_READ_TOO_LONG:
			return cfg_error(p, "line longer than %u bytes", RTM_CONFIG_MAX_LINE);
		case CFG_READ_NUL:
			return cfg_error(p, "NUL byte in line");
		case CFG_READ_ERROR: {
			int e = errno;
			cfg_message(p->errbuf, p->errlen, "%s: cannot read: %s", p->path,
				    cfg_errno_text(e));
			return cfg_errno_code(e);
		}
		case CFG_READ_LINE: {
			int rc = cfg_parse_line(p, buf);
			if (rc < 0)
				return rc;
			break;
		}
		}
	}
}

int rtm__config_load(const char *path, unsigned instance, int family,
		     struct rtm_config_values *out, char *errbuf, size_t errlen)
{
	if (family != AF_INET && family != AF_INET6) {
		cfg_message(errbuf, errlen, "unsupported address family %d", family);
		return -EINVAL;
	}
	if (!out) {
		cfg_message(errbuf, errlen, "no place for the configuration values");
		return -EINVAL;
	}
	if (instance > CFG_MAX_INSTANCE) {
		cfg_message(errbuf, errlen, "instance %u is out of range 0..%u", instance,
			    CFG_MAX_INSTANCE);
		return -EINVAL;
	}

	struct rtm_config_values vals;
	rtm__config_defaults(&vals);
	if (!path) {
		path = getenv("RTMV2_CONFIG");
		if (!path || *path == '\0') {
			*out = vals;
			cfg_message(errbuf, errlen, "%s", "");
			return 0;
		}
	}

	/* "e" is O_CLOEXEC: another thread may fork and exec while the file is open. */
	FILE *f = fopen(path, "re");
	if (!f) {
		int e = errno;
		cfg_message(errbuf, errlen, "%s: %s", path, cfg_errno_text(e));
		return cfg_errno_code(e);
	}
	struct rtm_cfg_parser p = {
		.path = path,
		.instance = instance,
		.family = family,
		.section = CFG_SEC_NONE,
		.errbuf = errbuf,
		.errlen = errlen,
	};
	int rc = cfg_parse_file(&p, f);
	fclose(f);
	if (rc < 0)
		return rc;

	cfg_overlay_apply(&vals, &p.dflt);
	cfg_overlay_apply(&vals, &p.match);
	*out = vals;
	cfg_message(errbuf, errlen, "%s", "");
	return 0;
}
