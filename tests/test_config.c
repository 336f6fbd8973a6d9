/*
 * test_config.c — the configuration file module (src/config.c).
 *
 * Every test writes its files into one mkdtemp directory made by main() and removed at the end.
 * Error cases check the return code, that the output structure was left alone, and the exact
 * message text including the line number.  Success cases check every value.
 */
#include "config.h"

#include "testlib.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/stat.h>

static char tmpdir[1024];
static unsigned file_seq;

/* A recognisable pattern that no successful load can produce. */
static void fill_sentinel(struct rtm_config_values *v)
{
	memset(v, 0xA5, sizeof(*v));
}

static int is_sentinel(const struct rtm_config_values *v)
{
	struct rtm_config_values s;
	fill_sentinel(&s);
	return memcmp(v, &s, sizeof(s)) == 0;
}

static void new_path(char *buf, size_t n)
{
	snprintf(buf, n, "%s/c%u-%d.conf", tmpdir, ++file_seq, (int)getpid());
}

static int write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(data, 1, len, f);
	return (fclose(f) == 0 && w == len) ? 0 : -1;
}

/* Write text to a fresh file (its name into path) and load (instance, family) from it. */
static int load_text(const char *text, unsigned instance, int family, struct rtm_config_values *out,
		     char *err, size_t errlen, char *path, size_t pathlen)
{
	new_path(path, pathlen);
	if (write_bytes(path, text, strlen(text)) != 0) {
		fprintf(stderr, "  cannot write %s\n", path);
		return -9999;
	}
	return rtm__config_load(path, instance, family, out, err, errlen);
}

/* Load bytes (may hold NULs) for instance 0 ipv4 and expect "path:line: what", -EBADMSG. */
static int expect_error_bytes(const char *data, size_t len, unsigned line, const char *what)
{
	char path[PATH_MAX], err[512], want[PATH_MAX + 600];
	struct rtm_config_values v;
	new_path(path, sizeof(path));
	if (write_bytes(path, data, len) != 0)
		return 0;
	fill_sentinel(&v);
	int rc = rtm__config_load(path, 0, AF_INET, &v, err, sizeof(err));
	snprintf(want, sizeof(want), "%s:%u: %s", path, line, what);
	int ok = rc == -EBADMSG && is_sentinel(&v) && strcmp(err, want) == 0;
	if (!ok)
		fprintf(stderr, "  rc %d (want %d)\n  got  \"%s\"\n  want \"%s\"\n", rc, -EBADMSG,
			err, want);
	return ok;
}

static int expect_error(const char *text, unsigned line, const char *what)
{
	return expect_error_bytes(text, strlen(text), line, what);
}

static void check_values(const struct rtm_config_values *v, unsigned handles, unsigned hops,
			 uint32_t views, unsigned opaque, unsigned notify)
{
	CHECK_U(v->max_handles_in_enum, handles);
	CHECK_U(v->max_next_hops_in_route, hops);
	CHECK_U(v->views_supported, views);
	CHECK_U(v->max_opaque_pointers, opaque);
	CHECK_U(v->max_change_notifications, notify);
}

/* ---- invalid arguments first ---------------------------------------------------------- */

static void test_unsupported_family(void)
{
	char path[PATH_MAX], err[256];
	struct rtm_config_values v;
	const int bad[] = { 0, AF_UNIX, AF_INET6 + 1, -1, AF_PACKET };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fill_sentinel(&v);
		err[0] = 'x';
		CHECK_EQ(rtm__config_load(NULL, 0, bad[i], &v, err, sizeof(err)), -EINVAL);
		CHECK(is_sentinel(&v));
		CHECK(strncmp(err, "unsupported address family ", 27) == 0);
	}
	/* The family is checked before the file is looked at, missing or malformed. */
	snprintf(path, sizeof(path), "%s/does-not-exist.conf", tmpdir);
	fill_sentinel(&v);
	CHECK_EQ(rtm__config_load(path, 0, AF_UNIX, &v, err, sizeof(err)), -EINVAL);
	CHECK(is_sentinel(&v));
	fill_sentinel(&v);
	CHECK_EQ(load_text("junk\n", 0, AF_UNIX, &v, err, sizeof(err), path, sizeof(path)),
		 -EINVAL);
	CHECK(is_sentinel(&v));
	char want[64];
	snprintf(want, sizeof(want), "unsupported address family %d", AF_UNIX);
	CHECK(strcmp(err, want) == 0);
}

static void test_invalid_arguments(void)
{
	char err[256];
	struct rtm_config_values v;
	unsetenv("RTMV2_CONFIG");
	CHECK_EQ(rtm__config_load(NULL, 0, AF_INET, NULL, err, sizeof(err)), -EINVAL);
	fill_sentinel(&v);
	CHECK_EQ(rtm__config_load(NULL, 65536, AF_INET, &v, err, sizeof(err)), -EINVAL);
	CHECK(is_sentinel(&v));
	CHECK(strcmp(err, "instance 65536 is out of range 0..65535") == 0);
	CHECK_EQ(rtm__config_load(NULL, 65535, AF_INET6, &v, NULL, 0), 0);
	check_values(&v, 100, 8, 0x3, 16, 32);
}

static void test_errbuf_handling(void)
{
	char path[PATH_MAX], err[16];
	struct rtm_config_values v;
	/* errlen 0: the buffer is not touched. */
	memset(err, '#', sizeof(err));
	fill_sentinel(&v);
	CHECK_EQ(load_text("[bogus]\n", 0, AF_INET, &v, err, 0, path, sizeof(path)), -EBADMSG);
	CHECK(err[0] == '#');
	CHECK(is_sentinel(&v));
	/* NULL errbuf is fine. */
	CHECK_EQ(load_text("[bogus]\n", 0, AF_INET, &v, NULL, 100, path, sizeof(path)), -EBADMSG);
	/* A short buffer receives a truncated, terminated message. */
	CHECK_EQ(load_text("[bogus]\n", 0, AF_INET, &v, err, sizeof(err), path, sizeof(path)),
		 -EBADMSG);
	CHECK_U(strlen(err), sizeof(err) - 1);
	CHECK(strncmp(err, path, sizeof(err) - 1) == 0);
	/* Success clears it. */
	CHECK_EQ(load_text("[default]\n", 0, AF_INET, &v, err, sizeof(err), path, sizeof(path)), 0);
	CHECK(err[0] == '\0');
}

static void test_missing_file(void)
{
	char path[PATH_MAX], err[PATH_MAX + 100], want[PATH_MAX + 100];
	struct rtm_config_values v;
	snprintf(path, sizeof(path), "%s/no-such-file.conf", tmpdir);
	setenv("RTMV2_CONFIG", path, 1);
	fill_sentinel(&v);
	CHECK_EQ(rtm__config_load(NULL, 0, AF_INET, &v, err, sizeof(err)), -ENOENT);
	CHECK(is_sentinel(&v));
	snprintf(want, sizeof(want), "%s: no such file or directory", path);
	CHECK(strcmp(err, want) == 0);
	/* The same file named explicitly. */
	CHECK_EQ(rtm__config_load(path, 3, AF_INET6, &v, err, sizeof(err)), -ENOENT);
	CHECK(is_sentinel(&v));
	unsetenv("RTMV2_CONFIG");

	/* A path through a regular file is "not found" too. */
	char file[PATH_MAX], below[PATH_MAX + 8];
	CHECK_EQ(load_text("[default]\n", 0, AF_INET, &v, err, sizeof(err), file, sizeof(file)), 0);
	snprintf(below, sizeof(below), "%s/x", file);
	fill_sentinel(&v);
	CHECK_EQ(rtm__config_load(below, 0, AF_INET, &v, err, sizeof(err)), -ENOENT);
	CHECK(is_sentinel(&v));
}

static void test_unreadable_file(void)
{
	char path[PATH_MAX], err[PATH_MAX + 100], want[PATH_MAX + 100];
	struct rtm_config_values v;

	/* A directory opens but cannot be read. */
	fill_sentinel(&v);
	CHECK_EQ(rtm__config_load(tmpdir, 0, AF_INET, &v, err, sizeof(err)), -EIO);
	CHECK(is_sentinel(&v));
	snprintf(want, sizeof(want), "%s: cannot read: is a directory", tmpdir);
	CHECK(strcmp(err, want) == 0);

	/* Permission denied. */
	CHECK_EQ(load_text("[default]\n", 0, AF_INET, &v, err, sizeof(err), path, sizeof(path)), 0);
	REQUIRE(chmod(path, 0) == 0);
	fill_sentinel(&v);
	/*
	 * Root reads anything, so as root become "nobody" first; this runs in its own child
	 * process.  Under RTM_TEST_NOFORK the switch would be permanent, so skip it there.
	 */
	const char *nofork = getenv("RTM_TEST_NOFORK");
	if (geteuid() == 0 && !(nofork && *nofork == '1') && setuid(65534) != 0)
		return;
	if (geteuid() == 0)
		return;
	int rc = rtm__config_load(path, 0, AF_INET, &v, err, sizeof(err));
	CHECK_EQ(rc, -EACCES);
	CHECK(is_sentinel(&v));
	snprintf(want, sizeof(want), "%s: permission denied", path);
	CHECK(strcmp(err, want) == 0);
}

/* ---- every malformed-file error, with its line number --------------------------------- */

static void test_error_sections(void)
{
	CHECK(expect_error("# c\n\n[foo]\n", 3, "unknown section 'foo'"));
	CHECK(expect_error("[Default]\n", 1, "unknown section 'Default'"));
	CHECK(expect_error("[default]\n[instance 0 ipv4\n", 2, "missing ']' in section header"));
	CHECK(expect_error("[default] x\n", 1, "unexpected 'x' after ']'"));
	CHECK(expect_error("[default]]\n", 1, "unexpected ']' after ']'"));
	CHECK(expect_error("\n[]\n", 2, "empty section name"));
	CHECK(expect_error("[  ]\n", 1, "empty section name"));
	CHECK(expect_error("[default 1]\n", 1, "[default] takes no arguments"));
	CHECK(expect_error("[instance]\n", 1, "expected [instance <id> <family>]"));
	CHECK(expect_error("[instance 0]\n", 1, "expected [instance <id> <family>]"));
	CHECK(expect_error("[instance 0 ipv4 1]\n", 1, "expected [instance <id> <family>]"));
	CHECK(expect_error("[instance x ipv4]\n", 1, "instance id: 'x' is not a number"));
	CHECK(expect_error("[instance -1 ipv4]\n", 1, "instance id: '-1' is not a number"));
	CHECK(expect_error("[instance 0x1 ipv4]\n", 1, "instance id: '0x1' is not a number"));
	CHECK(expect_error("[instance 65536 ipv4]\n", 1,
			   "instance id: 65536 is out of range 0..65535"));
	CHECK(expect_error("[instance 0 ipx]\n", 1,
			   "unknown address family 'ipx' (expected ipv4, ipv6, inet or inet6)"));
	CHECK(expect_error("[instance 0 IPv4]\n", 1,
			   "unknown address family 'IPv4' (expected ipv4, ipv6, inet or inet6)"));
}

static void test_error_keys(void)
{
	CHECK(expect_error("max_handles_in_enum = 5\n", 1,
			   "max_handles_in_enum: key before any section"));
	CHECK(expect_error("# x\n  views = unicast\n[default]\n", 2,
			   "views: key before any section"));
	CHECK(expect_error("[default]\nmax_handles = 5\n", 2, "unknown key 'max_handles'"));
	CHECK(expect_error("[default]\nMAX_HANDLES_IN_ENUM = 5\n", 2,
			   "unknown key 'MAX_HANDLES_IN_ENUM'"));
	CHECK(expect_error("[default]\nmax handles in enum = 5\n", 2,
			   "unknown key 'max handles in enum'"));
	CHECK(expect_error("[default]\n\nmax_handles_in_enum 5\n", 3,
			   "missing '=' in 'max_handles_in_enum 5' (expected key = value)"));
	CHECK(expect_error("garbage\n", 1, "missing '=' in 'garbage' (expected key = value)"));
	CHECK(expect_error("[default]\n = 5\n", 2, "missing key before '='"));
	CHECK(expect_error("[default]\nmax_opaque_pointers =\n", 2,
			   "max_opaque_pointers: missing value"));
	CHECK(expect_error("[default]\nmax_opaque_pointers = # none\n", 2,
			   "max_opaque_pointers: missing value"));
	CHECK(expect_error("[default]\nviews =   \n", 2, "views: missing value"));
}

static void test_error_numbers(void)
{
	CHECK(expect_error("[default]\nmax_handles_in_enum = abc\n", 2,
			   "max_handles_in_enum: 'abc' is not a number"));
	CHECK(expect_error("[default]\nmax_handles_in_enum = 12abc\n", 2,
			   "max_handles_in_enum: '12abc' is not a number"));
	CHECK(expect_error("[default]\nmax_handles_in_enum = -1\n", 2,
			   "max_handles_in_enum: '-1' is not a number"));
	CHECK(expect_error("[default]\nmax_handles_in_enum = +1\n", 2,
			   "max_handles_in_enum: '+1' is not a number"));
	CHECK(expect_error("[default]\nmax_handles_in_enum = 1 2\n", 2,
			   "max_handles_in_enum: '1 2' is not a number"));
	CHECK(expect_error("[default]\nmax_handles_in_enum = 0x10\n", 2,
			   "max_handles_in_enum: '0x10' is not a number"));
	CHECK(expect_error("[default]\nmax_handles_in_enum = 1 = 2\n", 2,
			   "max_handles_in_enum: '1 = 2' is not a number"));
	/* A long value is quoted only in part. */
	CHECK(expect_error("[default]\nmax_handles_in_enum = "
			   "1234567890123456789012345678901234567890x\n",
			   2,
			   "max_handles_in_enum: '1234567890123456789012345678901234567890...' "
			   "is not a number"));
}

static void test_error_ranges(void)
{
	CHECK(expect_error("[default]\nmax_handles_in_enum = 0\n", 2,
			   "max_handles_in_enum: 0 is out of range 1..10000"));
	CHECK(expect_error("[default]\nmax_handles_in_enum = 10001\n", 2,
			   "max_handles_in_enum: 10001 is out of range 1..10000"));
	CHECK(expect_error("[default]\nmax_handles_in_enum = 99999999999999999999999\n", 2,
			   "max_handles_in_enum: 99999999999999999999999 is out of range 1..10000"));
	CHECK(expect_error("[default]\nmax_handles_in_enum = 4294967297\n", 2,
			   "max_handles_in_enum: 4294967297 is out of range 1..10000"));
	CHECK(expect_error("a=b\n", 1, "unknown key 'a'"));
	CHECK(expect_error("[instance 0 ipv4]\n\n\n\n\n\nmax_next_hops_in_route = 0\n", 7,
			   "max_next_hops_in_route: 0 is out of range 1..64"));
	CHECK(expect_error("[default]\nmax_next_hops_in_route = 65\n", 2,
			   "max_next_hops_in_route: 65 is out of range 1..64"));
	CHECK(expect_error("[default]\nmax_opaque_pointers = 256\n", 2,
			   "max_opaque_pointers: 256 is out of range 0..255"));
	CHECK(expect_error("[default]\nmax_change_notifications = 0\n", 2,
			   "max_change_notifications: 0 is out of range 1..32"));
	CHECK(expect_error("[default]\nmax_change_notifications = 33\n", 2,
			   "max_change_notifications: 33 is out of range 1..32"));
}

static void test_error_views(void)
{
	CHECK(expect_error("[default]\nviews = unicast anycast\n", 2,
			   "views: unknown view 'anycast' (expected unicast, multicast, "
			   "a number 0..31 or a 0x mask)"));
	CHECK(expect_error("[default]\nviews = Unicast\n", 2,
			   "views: unknown view 'Unicast' (expected unicast, multicast, "
			   "a number 0..31 or a 0x mask)"));
	CHECK(expect_error("[default]\nviews = unicast, multicast\n", 2,
			   "views: unknown view 'unicast,' (expected unicast, multicast, "
			   "a number 0..31 or a 0x mask)"));
	CHECK(expect_error("[default]\nviews = 0 32\n", 2, "views: 32 is out of range 0..31"));
	CHECK(expect_error("[default]\nviews = 0 3x\n", 2, "views: '3x' is not a number"));
	CHECK(expect_error("[default]\nviews = 0xg\n", 2, "views: '0xg' is not a number"));
	CHECK(expect_error("[default]\nviews = 0x\n", 2, "views: '0x' is not a number"));
	CHECK(expect_error("[default]\nviews = 0x100000001\n", 2,
			   "views: 0x100000001 is out of range 0x0..0xffffffff"));
	CHECK(expect_error("[default]\nviews = multicast\n", 2,
			   "views: must include unicast (view 0)"));
	CHECK(expect_error("[default]\nviews = 1 2 3\n", 2, "views: must include unicast (view 0)"));
	CHECK(expect_error("[default]\nviews = 0x2\n", 2, "views: must include unicast (view 0)"));
	CHECK(expect_error("[default]\nviews = 0x0\n", 2, "views: must include unicast (view 0)"));
}

static void test_error_line_bytes(void)
{
	/* Line 4 holds 1025 bytes before its newline. */
	char buf[2048];
	size_t n = 0;
	n += (size_t)sprintf(buf + n, "[default]\n\nviews = unicast\n");
	buf[n++] = '#';
	memset(buf + n, 'x', 1024);
	n += 1024;
	buf[n++] = '\n';
	CHECK(expect_error_bytes(buf, n, 4, "line longer than 1024 bytes"));
	/* The same without a final newline. */
	CHECK(expect_error_bytes(buf, n - 1, 4, "line longer than 1024 bytes"));

	static const char nul[] = "[default]\nviews = uni\0cast\n";
	CHECK(expect_error_bytes(nul, sizeof(nul) - 1, 2, "NUL byte in line"));
	static const char nul_comment[] = "[default]\n\n\n# \0\n";
	CHECK(expect_error_bytes(nul_comment, sizeof(nul_comment) - 1, 4, "NUL byte in line"));
	static const char nul_alone[] = "\0";
	CHECK(expect_error_bytes(nul_alone, 1, 1, "NUL byte in line"));
}

static void test_error_anywhere_rejects_file(void)
{
	/* The bad line is in a section for another instance and family; the file is still bad. */
	CHECK(expect_error("[instance 0 ipv4]\nmax_handles_in_enum = 5\n"
			   "[instance 9 ipv6]\nmax_handles_in_enum = 0\n",
			   4, "max_handles_in_enum: 0 is out of range 1..10000"));
	/* The first error is the one reported. */
	CHECK(expect_error("[default]\nviews = 1\n[foo]\n", 2,
			   "views: must include unicast (view 0)"));
	/* Control bytes in quoted text come out as '?'. */
	CHECK(expect_error("[default]\nfo\x01o\x7f = 1\n", 2, "unknown key 'fo?o?'"));
}

/* ---- successful loads ----------------------------------------------------------------- */

static void test_defaults(void)
{
	struct rtm_config_values v;
	fill_sentinel(&v);
	rtm__config_defaults(&v);
	check_values(&v, 100, 8, 0x3, 16, 32);
}

static void test_no_env_means_defaults(void)
{
	char err[64] = "stale";
	struct rtm_config_values v;
	unsetenv("RTMV2_CONFIG");
	fill_sentinel(&v);
	CHECK_EQ(rtm__config_load(NULL, 0, AF_INET, &v, err, sizeof(err)), 0);
	check_values(&v, 100, 8, 0x3, 16, 32);
	CHECK(err[0] == '\0');

	setenv("RTMV2_CONFIG", "", 1);
	fill_sentinel(&v);
	CHECK_EQ(rtm__config_load(NULL, 7, AF_INET6, &v, err, sizeof(err)), 0);
	check_values(&v, 100, 8, 0x3, 16, 32);
	unsetenv("RTMV2_CONFIG");
}

static void test_env_names_file(void)
{
	char path[PATH_MAX];
	struct rtm_config_values v;
	new_path(path, sizeof(path));
	static const char text[] = "[default]\nmax_handles_in_enum = 250\n";
	REQUIRE(write_bytes(path, text, strlen(text)) == 0);
	setenv("RTMV2_CONFIG", path, 1);
	CHECK_EQ(rtm__config_load(NULL, 0, AF_INET, &v, NULL, 0), 0);
	check_values(&v, 250, 8, 0x3, 16, 32);
	/* An explicit path wins over the environment. */
	char other[PATH_MAX];
	new_path(other, sizeof(other));
	static const char text2[] = "[default]\nmax_handles_in_enum = 7\n";
	REQUIRE(write_bytes(other, text2, strlen(text2)) == 0);
	CHECK_EQ(rtm__config_load(other, 0, AF_INET, &v, NULL, 0), 0);
	CHECK_U(v.max_handles_in_enum, 7);
	unsetenv("RTMV2_CONFIG");
}

static void test_empty_and_comment_only_files(void)
{
	char path[PATH_MAX];
	struct rtm_config_values v;
	fill_sentinel(&v);
	CHECK_EQ(load_text("", 0, AF_INET, &v, NULL, 0, path, sizeof(path)), 0);
	check_values(&v, 100, 8, 0x3, 16, 32);
	fill_sentinel(&v);
	CHECK_EQ(load_text("# nothing\n; at all\n\n   \t\n", 0, AF_INET, &v, NULL, 0, path,
			   sizeof(path)),
		 0);
	check_values(&v, 100, 8, 0x3, 16, 32);
	/* Sections with no keys change nothing. */
	fill_sentinel(&v);
	CHECK_EQ(load_text("[default]\n[instance 0 ipv4]\n", 0, AF_INET, &v, NULL, 0, path,
			   sizeof(path)),
		 0);
	check_values(&v, 100, 8, 0x3, 16, 32);
}

static void test_default_then_specific(void)
{
	char path[PATH_MAX];
	struct rtm_config_values v;
	/* [default] comes last but still yields to the specific section, key by key. */
	static const char text[] = "[instance 0 ipv4]\n"
				   "max_next_hops_in_route = 4\n"
				   "[default]\n"
				   "max_handles_in_enum = 200\n"
				   "max_next_hops_in_route = 16\n";
	CHECK_EQ(load_text(text, 0, AF_INET, &v, NULL, 0, path, sizeof(path)), 0);
	check_values(&v, 200, 4, 0x3, 16, 32);
	/* Another instance gets [default] only. */
	CHECK_EQ(rtm__config_load(path, 1, AF_INET, &v, NULL, 0), 0);
	check_values(&v, 200, 16, 0x3, 16, 32);

	/* Later sections override earlier ones key by key, for [default] and specific alike. */
	static const char text2[] = "[default]\n"
				    "max_handles_in_enum = 300\n"
				    "max_opaque_pointers = 3\n"
				    "[instance 0 ipv4]\n"
				    "max_next_hops_in_route = 2\n"
				    "max_change_notifications = 5\n"
				    "[default]\n"
				    "max_handles_in_enum = 400\n"
				    "[instance 0 ipv4]\n"
				    "max_change_notifications = 6\n"
				    "max_change_notifications = 7\n"
				    "[instance 0 ipv6]\n"
				    "max_next_hops_in_route = 9\n";
	CHECK_EQ(load_text(text2, 0, AF_INET, &v, NULL, 0, path, sizeof(path)), 0);
	check_values(&v, 400, 2, 0x3, 3, 7);
	CHECK_EQ(rtm__config_load(path, 0, AF_INET6, &v, NULL, 0), 0);
	check_values(&v, 400, 9, 0x3, 3, 32);
}

static void test_instances_and_families(void)
{
	char path[PATH_MAX];
	struct rtm_config_values v;
	static const char text[] = "[default]\n"
				   "max_opaque_pointers = 4\n"
				   "[instance 0 ipv4]\n"
				   "max_handles_in_enum = 10\n"
				   "views = unicast\n"
				   "[instance 0 ipv6]\n"
				   "max_handles_in_enum = 20\n"
				   "[instance 1 inet]\n"
				   "max_handles_in_enum = 30\n"
				   "max_next_hops_in_route = 1\n"
				   "[instance 1 inet6]\n"
				   "max_handles_in_enum = 40\n"
				   "views = 0 1 2\n"
				   "[instance 65535 ipv6]\n"
				   "max_change_notifications = 1\n";
	CHECK_EQ(load_text(text, 0, AF_INET, &v, NULL, 0, path, sizeof(path)), 0);
	check_values(&v, 10, 8, 0x1, 4, 32);
	CHECK_EQ(rtm__config_load(path, 0, AF_INET6, &v, NULL, 0), 0);
	check_values(&v, 20, 8, 0x3, 4, 32);
	CHECK_EQ(rtm__config_load(path, 1, AF_INET, &v, NULL, 0), 0);
	check_values(&v, 30, 1, 0x3, 4, 32);
	CHECK_EQ(rtm__config_load(path, 1, AF_INET6, &v, NULL, 0), 0);
	check_values(&v, 40, 8, 0x7, 4, 32);
	CHECK_EQ(rtm__config_load(path, 65535, AF_INET6, &v, NULL, 0), 0);
	check_values(&v, 100, 8, 0x3, 4, 1);
	CHECK_EQ(rtm__config_load(path, 65535, AF_INET, &v, NULL, 0), 0);
	check_values(&v, 100, 8, 0x3, 4, 32);
	CHECK_EQ(rtm__config_load(path, 2, AF_INET, &v, NULL, 0), 0);
	check_values(&v, 100, 8, 0x3, 4, 32);
}

static uint32_t views_of(const char *value)
{
	char path[PATH_MAX], text[256];
	struct rtm_config_values v;
	snprintf(text, sizeof(text), "[instance 0 ipv4]\nviews = %s\n", value);
	int rc = load_text(text, 0, AF_INET, &v, NULL, 0, path, sizeof(path));
	if (rc != 0) {
		fprintf(stderr, "  views = %s: rc %d\n", value, rc);
		return 0xdeadbeef;
	}
	return v.views_supported;
}

static void test_views_forms(void)
{
	CHECK_U(views_of("unicast"), 0x1);
	CHECK_U(views_of("unicast multicast"), 0x3);
	CHECK_U(views_of("multicast unicast"), 0x3);
	CHECK_U(views_of("unicast multicast 5"), 0x23);
	CHECK_U(views_of("0"), 0x1);
	CHECK_U(views_of("0 1"), 0x3);
	CHECK_U(views_of("0 31"), 0x80000001);
	CHECK_U(views_of("000 07"), 0x81);
	CHECK_U(views_of("0x1"), 0x1);
	CHECK_U(views_of("0x3"), 0x3);
	CHECK_U(views_of("0XfF"), 0xff);
	CHECK_U(views_of("0xffffffff"), 0xffffffff);
	CHECK_U(views_of("0x00000000000000000001"), 0x1);
	/* Duplicates and mixtures are a union. */
	CHECK_U(views_of("unicast unicast 0 0x1"), 0x1);
	CHECK_U(views_of("multicast 1 0x1 4"), 0x13);
	CHECK_U(views_of("\tunicast  \t multicast\t"), 0x3);
	/* The last views line of a section replaces, it does not add. */
	char path[PATH_MAX];
	struct rtm_config_values v;
	CHECK_EQ(load_text("[default]\nviews = 0 1 2 3\n[instance 0 ipv4]\nviews = 0x1\n", 0,
			   AF_INET, &v, NULL, 0, path, sizeof(path)),
		 0);
	CHECK_U(v.views_supported, 0x1);
	CHECK_EQ(rtm__config_load(path, 0, AF_INET6, &v, NULL, 0), 0);
	CHECK_U(v.views_supported, 0xf);
}

static void test_range_ends(void)
{
	char path[PATH_MAX];
	struct rtm_config_values v;
	static const char low[] = "[default]\n"
				  "max_handles_in_enum = 1\n"
				  "max_next_hops_in_route = 1\n"
				  "views = unicast\n"
				  "max_opaque_pointers = 0\n"
				  "max_change_notifications = 1\n";
	CHECK_EQ(load_text(low, 0, AF_INET, &v, NULL, 0, path, sizeof(path)), 0);
	check_values(&v, 1, 1, 0x1, 0, 1);
	static const char high[] = "[default]\n"
				   "max_handles_in_enum = 10000\n"
				   "max_next_hops_in_route = 64\n"
				   "views = 0xffffffff\n"
				   "max_opaque_pointers = 255\n"
				   "max_change_notifications = 32\n";
	CHECK_EQ(load_text(high, 0, AF_INET6, &v, NULL, 0, path, sizeof(path)), 0);
	check_values(&v, 10000, 64, 0xffffffff, 255, 32);
	/* Leading zeros are still decimal. */
	CHECK_EQ(load_text("[default]\nmax_handles_in_enum = 0010\n", 0, AF_INET, &v, NULL, 0,
			   path, sizeof(path)),
		 0);
	CHECK_U(v.max_handles_in_enum, 10);
	/* Instance ids at both ends. */
	CHECK_EQ(load_text("[instance 00 ipv4]\nmax_opaque_pointers = 1\n"
			   "[instance 65535 ipv4]\nmax_opaque_pointers = 2\n",
			   0, AF_INET, &v, NULL, 0, path, sizeof(path)),
		 0);
	CHECK_U(v.max_opaque_pointers, 1);
	CHECK_EQ(rtm__config_load(path, 65535, AF_INET, &v, NULL, 0), 0);
	CHECK_U(v.max_opaque_pointers, 2);
}

static void test_comments_and_whitespace(void)
{
	char path[PATH_MAX];
	struct rtm_config_values v;
	static const char text[] = "# leading comment\n"
				   "; another style\n"
				   "   \n"
				   "\t[ default ]   # trailing comment\n"
				   "max_handles_in_enum=123;no spaces, trailing ; comment\n"
				   "  max_next_hops_in_route\t=\t5\t\t# tabs\n"
				   "[instance\t0   ipv4]\r\n"
				   "views = unicast multicast 7 ; crlf line\r\n"
				   "max_opaque_pointers = 9#\r\n"
				   "\f\vmax_change_notifications = 3"; /* no final newline */
	CHECK_EQ(load_text(text, 0, AF_INET, &v, NULL, 0, path, sizeof(path)), 0);
	check_values(&v, 123, 5, 0x83, 9, 3);
	CHECK_EQ(rtm__config_load(path, 0, AF_INET6, &v, NULL, 0), 0);
	check_values(&v, 123, 5, 0x3, 16, 32);
}

static void test_line_length_limit(void)
{
	char path[PATH_MAX], buf[2200];
	struct rtm_config_values v;
	size_t n = 0;
	/* A comment line of exactly 1024 bytes before its newline. */
	buf[n++] = '#';
	memset(buf + n, 'x', 1023);
	n += 1023;
	buf[n++] = '\n';
	/* A key line padded to exactly 1024 bytes, the last line, without a newline. */
	n += (size_t)sprintf(buf + n, "[default]\n");
	size_t start = n;
	n += (size_t)sprintf(buf + n, "max_handles_in_enum = 42");
	memset(buf + n, ' ', 1024 - (n - start));
	n = start + 1024;
	buf[n] = '\0';
	CHECK_EQ(load_text(buf, 0, AF_INET, &v, NULL, 0, path, sizeof(path)), 0);
	CHECK_U(v.max_handles_in_enum, 42);
}

static void test_file_is_read_each_time(void)
{
	char path[PATH_MAX];
	struct rtm_config_values v;
	CHECK_EQ(load_text("[default]\nmax_handles_in_enum = 11\n", 0, AF_INET, &v, NULL, 0, path,
			   sizeof(path)),
		 0);
	CHECK_U(v.max_handles_in_enum, 11);
	static const char text[] = "[default]\nmax_handles_in_enum = 12\n";
	REQUIRE(write_bytes(path, text, strlen(text)) == 0);
	CHECK_EQ(rtm__config_load(path, 0, AF_INET, &v, NULL, 0), 0);
	CHECK_U(v.max_handles_in_enum, 12);
}

/* ---- runner --------------------------------------------------------------------------- */

/* Tests run in child processes and name their files themselves, so scan the directory. */
static void remove_tmpdir(void)
{
	DIR *d = opendir(tmpdir);
	if (d) {
		struct dirent *e;
		char path[PATH_MAX + 300];
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	if (rmdir(tmpdir) != 0)
		fprintf(stderr, "warning: could not remove %s\n", tmpdir);
}

int main(void)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/rtmv2-test-config-XXXXXX", base);
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 2;
	}

	RUN(test_unsupported_family);
	RUN(test_invalid_arguments);
	RUN(test_errbuf_handling);
	RUN(test_missing_file);
	RUN(test_unreadable_file);
	RUN(test_error_sections);
	RUN(test_error_keys);
	RUN(test_error_numbers);
	RUN(test_error_ranges);
	RUN(test_error_views);
	RUN(test_error_line_bytes);
	RUN(test_error_anywhere_rejects_file);
	RUN(test_defaults);
	RUN(test_no_env_means_defaults);
	RUN(test_env_names_file);
	RUN(test_empty_and_comment_only_files);
	RUN(test_default_then_specific);
	RUN(test_instances_and_families);
	RUN(test_views_forms);
	RUN(test_range_ends);
	RUN(test_comments_and_whitespace);
	RUN(test_line_length_limit);
	RUN(test_file_is_read_each_time);

	remove_tmpdir();
	TEST_MAIN_END();
}
