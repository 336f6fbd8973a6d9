/*
 * test_entity.c — registration, configuration, entity events, the entity
 * list and information, deregistration (entity.c, rib.c's configuration
 * path).  Export methods are in test_methods.c.
 *
 * Each test runs in its own process, so the RIB of (instance 0, family) is
 * created fresh by its first registration and reads RTMV2_CONFIG then.
 */
#include "rtmtest.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "events.h"

static RTM_ENTITY_INFO ent_info(USHORT instance, USHORT family, ULONG proto, ULONG inst)
{
	RTM_ENTITY_INFO i;
	memset(&i, 0, sizeof(i));
	i.RtmInstanceId = instance;
	i.AddressFamily = family;
	i.EntityId.EntityProtocolId = proto;
	i.EntityId.EntityInstanceId = inst;
	return i;
}

static bool info_eq(const RTM_ENTITY_INFO *a, const RTM_ENTITY_INFO *b)
{
	return a->RtmInstanceId == b->RtmInstanceId && a->AddressFamily == b->AddressFamily &&
	       a->EntityId.EntityId == b->EntityId.EntityId;
}

/* ---- configuration files -------------------------------------------------- */

static char cfg_path[256];

static void write_config(const char *text)
{
	snprintf(cfg_path, sizeof(cfg_path), "/tmp/rtmv2-test-entity-%d.conf", (int)getpid());
	FILE *f = fopen(cfg_path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	setenv("RTMV2_CONFIG", cfg_path, 1);
}

/* Runs RtmRegisterEntity with stderr captured into buf. */
static DWORD register_capturing(RTM_ENTITY_INFO *info, RTM_ENTITY_HANDLE *h, RTM_REGN_PROFILE *prof,
				char *buf, size_t n)
{
	char path[256];
	snprintf(path, sizeof(path), "/tmp/rtmv2-test-entity-%d.err", (int)getpid());
	fflush(stderr);
	int saved = dup(2);
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
	dup2(fd, 2);
	close(fd);
	DWORD rc = RtmRegisterEntity(info, NULL, rt_cb_ignore, FALSE, prof, h);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	FILE *f = fopen(path, "r");
	size_t got = f ? fread(buf, 1, n - 1, f) : 0;
	buf[got] = 0;
	if (f)
		fclose(f);
	unlink(path);
	return rc;
}

/* ---- registration: invalid input ------------------------------------------ */

static void test_register_invalid(void)
{
	RTM_ENTITY_INFO info = ent_info(0, AF_INET, 10, 1);
	RTM_REGN_PROFILE prof;
	RTM_ENTITY_HANDLE h = (RTM_ENTITY_HANDLE)0x77;

	CHECK_U(RtmRegisterEntity(NULL, NULL, rt_cb_ignore, FALSE, &prof, &h), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmRegisterEntity(&info, NULL, rt_cb_ignore, FALSE, NULL, &h), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmRegisterEntity(&info, NULL, rt_cb_ignore, FALSE, &prof, NULL), ERROR_INVALID_PARAMETER);
	/* Address families other than AF_INET / AF_INET6. */
	RTM_ENTITY_INFO bad = ent_info(0, AF_UNIX, 10, 1);
	CHECK_U(RtmRegisterEntity(&bad, NULL, rt_cb_ignore, FALSE, &prof, &h), ERROR_INVALID_PARAMETER);
	bad.AddressFamily = 0;
	CHECK_U(RtmRegisterEntity(&bad, NULL, rt_cb_ignore, FALSE, &prof, &h), ERROR_INVALID_PARAMETER);
	bad.AddressFamily = 0xFFFF;
	CHECK_U(RtmRegisterEntity(&bad, NULL, rt_cb_ignore, FALSE, &prof, &h), ERROR_INVALID_PARAMETER);
	/* More methods than method-type bits. */
	union {
		RTM_ENTITY_EXPORT_METHODS m;
		char b[sizeof(RTM_ENTITY_EXPORT_METHODS) + 40 * sizeof(RTM_ENTITY_EXPORT_METHOD)];
	} mb;
	memset(&mb, 0, sizeof(mb));
	mb.m.NumMethods = 33;
	CHECK_U(RtmRegisterEntity(&info, &mb.m, rt_cb_ignore, FALSE, &prof, &h), ERROR_INVALID_PARAMETER);
	/* Nothing was written and nothing registered. */
	CHECK(h == (RTM_ENTITY_HANDLE)0x77);
	RTM_ENTITY_HANDLE e = rt_register(AF_INET, 10);
	REQUIRE(e);
	rtm_stats s = rt_stats(e);
	CHECK_U(s.entities, 1);
	CHECK_U(RtmDeregisterEntity(e), NO_ERROR);
}

static void test_register_profile_defaults(void)
{
	RTM_ENTITY_HANDLE h4, h6;
	RTM_REGN_PROFILE p4, p6;
	memset(&p4, 0xEE, sizeof(p4));
	memset(&p6, 0xEE, sizeof(p6));
	unsetenv("RTMV2_CONFIG");
	REQUIRE(rt_register_ex(0, AF_INET, 1, 1, NULL, FALSE, NULL, &h4, &p4) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET6, 1, 1, NULL, FALSE, NULL, &h6, &p6) == NO_ERROR);
	CHECK(h4 != NULL && h6 != NULL && h4 != h6);
	CHECK_U(p4.MaxNextHopsInRoute, 8);
	CHECK_U(p4.MaxHandlesInEnum, 100);
	CHECK_U(p4.ViewsSupported, RTM_VIEW_MASK_UCAST | RTM_VIEW_MASK_MCAST);
	CHECK_U(p4.NumberOfViews, 2);
	CHECK(memcmp(&p4, &p6, sizeof(p4)) == 0);
	/* The two families are separate tables. */
	CHECK_U(rt_stats(h4).entities, 1);
	CHECK_U(rt_stats(h6).entities, 1);
	CHECK_U(RtmDeregisterEntity(h4), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(h6), NO_ERROR);
}

static void test_register_already_exists(void)
{
	RTM_ENTITY_HANDLE a, b, c, d, e, x = (RTM_ENTITY_HANDLE)0x55;
	REQUIRE(rt_register_ex(0, AF_INET, 7, 1, NULL, FALSE, NULL, &a, NULL) == NO_ERROR);
	CHECK_U(rt_register_ex(0, AF_INET, 7, 1, NULL, FALSE, NULL, &x, NULL), ERROR_ALREADY_EXISTS);
	CHECK(x == (RTM_ENTITY_HANDLE)0x55);
	/* Another protocol instance, family or RTM instance is another entity. */
	CHECK_U(rt_register_ex(0, AF_INET, 7, 2, NULL, FALSE, NULL, &b, NULL), NO_ERROR);
	CHECK_U(rt_register_ex(0, AF_INET, 8, 1, NULL, FALSE, NULL, &c, NULL), NO_ERROR);
	CHECK_U(rt_register_ex(0, AF_INET6, 7, 1, NULL, FALSE, NULL, &d, NULL), NO_ERROR);
	CHECK_U(rt_register_ex(1, AF_INET, 7, 1, NULL, FALSE, NULL, &e, NULL), NO_ERROR);
	CHECK_U(rt_stats(a).entities, 3);
	CHECK_U(rt_stats(d).entities, 1);
	CHECK_U(rt_stats(e).entities, 1);
	/* After deregistering, the id is free again. */
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
	CHECK_U(rt_register_ex(0, AF_INET, 7, 1, NULL, FALSE, NULL, &x, NULL), NO_ERROR);
	CHECK(x != a);
	RtmDeregisterEntity(x);
	RtmDeregisterEntity(b);
	RtmDeregisterEntity(c);
	RtmDeregisterEntity(d);
	RtmDeregisterEntity(e);
}

static void test_register_opaque_exhausted(void)
{
	RTM_ENTITY_HANDLE h[17], extra, plain;
	unsetenv("RTMV2_CONFIG");
	/* Default: 16 opaque-pointer slots per instance and family. */
	for (unsigned i = 0; i < 16; i++)
		REQUIRE(rt_register_ex(0, AF_INET, 100 + i, 1, NULL, TRUE, NULL, &h[i], NULL) == NO_ERROR);
	CHECK_U(rt_register_ex(0, AF_INET, 200, 1, NULL, TRUE, NULL, &extra, NULL),
		ERROR_NO_SYSTEM_RESOURCES);
	/* The failed registration left nothing behind; one without a slot works. */
	CHECK_U(rt_stats(h[0]).entities, 16);
	CHECK_U(rt_register_ex(0, AF_INET, 200, 1, NULL, FALSE, NULL, &plain, NULL), NO_ERROR);
	/* Other families have their own slots. */
	RTM_ENTITY_HANDLE v6;
	CHECK_U(rt_register_ex(0, AF_INET6, 200, 1, NULL, TRUE, NULL, &v6, NULL), NO_ERROR);
	/* A deregistration frees its slot. */
	CHECK_U(RtmDeregisterEntity(h[5]), NO_ERROR);
	CHECK_U(rt_register_ex(0, AF_INET, 201, 1, NULL, TRUE, NULL, &h[5], NULL), NO_ERROR);
	CHECK_U(rt_register_ex(0, AF_INET, 202, 1, NULL, TRUE, NULL, &extra, NULL),
		ERROR_NO_SYSTEM_RESOURCES);
	for (unsigned i = 0; i < 16; i++)
		CHECK_U(RtmDeregisterEntity(h[i]), NO_ERROR);
	RtmDeregisterEntity(plain);
	RtmDeregisterEntity(v6);
}

/* ---- configuration ---------------------------------------------------------- */

/* The entity table holds 65536 entities, deregistered ones whose handles are
 * still referenced included; one more is ERROR_NO_SYSTEM_RESOURCES (not
 * ERROR_NOT_ENOUGH_MEMORY: no allocation failed).  Each entity here
 * deregisters at once while the keeper holds a reference to its handle, so
 * the table fills without 65536 entities telling each other of themselves. */
static RTM_ENTITY_HANDLE held[65536];

static void test_register_table_full(void)
{
	RTM_ENTITY_HANDLE keeper = rt_register(AF_INET, 1);
	REQUIRE(keeper);
	unsigned n = 0;
	DWORD rc = NO_ERROR;
	RTM_ENTITY_HANDLE h = NULL;
	while (n < 65536) {
		h = (RTM_ENTITY_HANDLE)0x77;
		rc = rt_register_ex(0, AF_INET, 2, 1, NULL, FALSE, NULL, &h, NULL);
		if (rc != NO_ERROR)
			break;
		held[n] = h;
		if (RtmReferenceHandles(keeper, 1, &held[n]) != NO_ERROR ||
		    RtmDeregisterEntity(h) != NO_ERROR)
			break;
		n++;
	}
	/* The keeper has the first slot; the others hold 65535 entities. */
	CHECK_U(rc, ERROR_NO_SYSTEM_RESOURCES);
	CHECK_U(n, 65535);
	CHECK(h == (RTM_ENTITY_HANDLE)0x77); /* nothing written */
	CHECK_U(rt_stats(keeper).entities, 1);
	RTM_ENTITY_INFO ei;
	CHECK_U(RtmGetEntityInfo(keeper, held[n - 1], &ei), NO_ERROR);
	CHECK_U(ei.EntityId.EntityProtocolId, 2);
	/* Releasing one reference frees one slot. */
	CHECK_U(RtmReleaseEntities(keeper, 1, &held[0]), NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 2, 1, NULL, FALSE, NULL, &h, NULL) == NO_ERROR);
	CHECK(h != held[0]); /* the slot's generation moved on */
	CHECK_U(rt_stats(keeper).entities, 2);
	RTM_ENTITY_HANDLE x = (RTM_ENTITY_HANDLE)0x77;
	CHECK_U(rt_register_ex(0, AF_INET, 3, 1, NULL, FALSE, NULL, &x, NULL),
		ERROR_NO_SYSTEM_RESOURCES);
	CHECK_U(RtmDeregisterEntity(h), NO_ERROR);
	CHECK_U(RtmReleaseEntities(keeper, n - 1, &held[1]), NO_ERROR);
	CHECK_U(RtmGetEntityInfo(keeper, held[n - 1], &ei), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterEntity(keeper), NO_ERROR);
}

static void test_config_missing(void)
{
	char path[256], msg[1024];
	snprintf(path, sizeof(path), "/tmp/rtmv2-test-entity-missing-%d.conf", (int)getpid());
	unlink(path);
	setenv("RTMV2_CONFIG", path, 1);
	RTM_ENTITY_INFO info = ent_info(0, AF_INET, 1, 1);
	RTM_ENTITY_HANDLE h = (RTM_ENTITY_HANDLE)0x1;
	RTM_REGN_PROFILE prof;
	CHECK_U(register_capturing(&info, &h, &prof, msg, sizeof(msg)), ERROR_FILE_NOT_FOUND);
	CHECK(h == (RTM_ENTITY_HANDLE)0x1);
	CHECK(strstr(msg, path) != NULL);
	/* Without the variable, the defaults serve. */
	unsetenv("RTMV2_CONFIG");
	CHECK_U(register_capturing(&info, &h, &prof, msg, sizeof(msg)), NO_ERROR);
	CHECK_U(prof.MaxHandlesInEnum, 100);
	RtmDeregisterEntity(h);
}

static void test_config_malformed(void)
{
	char msg[1024], want[300];
	write_config("[default]\nmax_handles_in_enum = 20\n\n[instance 0 ipv4]\nbogus_key = 3\n");
	RTM_ENTITY_INFO info = ent_info(0, AF_INET, 1, 1);
	RTM_ENTITY_HANDLE h = (RTM_ENTITY_HANDLE)0x1;
	RTM_REGN_PROFILE prof;
	CHECK_U(register_capturing(&info, &h, &prof, msg, sizeof(msg)), ERROR_BAD_CONFIGURATION);
	CHECK(h == (RTM_ENTITY_HANDLE)0x1);
	/* The message names the file, the line and what is wrong. */
	snprintf(want, sizeof(want), "%s:5:", cfg_path);
	CHECK(strstr(msg, want) != NULL);
	CHECK(strstr(msg, "bogus_key") != NULL);
	/* An error in any section rejects the file, also for another family. */
	info.AddressFamily = AF_INET6;
	CHECK_U(register_capturing(&info, &h, &prof, msg, sizeof(msg)), ERROR_BAD_CONFIGURATION);
	unlink(cfg_path);
}

static void test_config_values(void)
{
	write_config("[default]\nmax_handles_in_enum = 20\nmax_opaque_pointers = 1\n"
		     "[instance 0 ipv4]\nmax_next_hops_in_route = 3\nviews = unicast\n"
		     "[instance 2 ipv6]\nviews = 0 1 5\n");
	RTM_ENTITY_HANDLE a, b, c, x;
	RTM_REGN_PROFILE pa, pb, pc;
	REQUIRE(rt_register_ex(0, AF_INET, 1, 1, NULL, TRUE, NULL, &a, &pa) == NO_ERROR);
	CHECK_U(pa.MaxHandlesInEnum, 20);
	CHECK_U(pa.MaxNextHopsInRoute, 3);
	CHECK_U(pa.ViewsSupported, RTM_VIEW_MASK_UCAST);
	CHECK_U(pa.NumberOfViews, 1);
	/* max_opaque_pointers = 1: a second reservation fails. */
	CHECK_U(rt_register_ex(0, AF_INET, 2, 1, NULL, TRUE, NULL, &x, NULL), ERROR_NO_SYSTEM_RESOURCES);
	REQUIRE(rt_register_ex(2, AF_INET6, 1, 1, NULL, FALSE, NULL, &b, &pb) == NO_ERROR);
	CHECK_U(pb.MaxHandlesInEnum, 20);
	CHECK_U(pb.MaxNextHopsInRoute, 8);
	CHECK_U(pb.ViewsSupported, 0x23);
	CHECK_U(pb.NumberOfViews, 3);

	/* The configuration is read only when the pair has no entity: a changed
	 * (even a broken) file does not affect a second registration. */
	write_config("[default]\nmax_handles_in_enum = 30\n");
	REQUIRE(rt_register_ex(0, AF_INET, 3, 1, NULL, FALSE, NULL, &c, &pc) == NO_ERROR);
	CHECK_U(pc.MaxHandlesInEnum, 20);
	CHECK_U(pc.MaxNextHopsInRoute, 3);
	write_config("garbage\n");
	REQUIRE(rt_register_ex(0, AF_INET, 4, 1, NULL, FALSE, NULL, &x, NULL) == NO_ERROR);
	RtmDeregisterEntity(x);
	/* Once the pair is empty, the next registration reads the file again. */
	RtmDeregisterEntity(a);
	RtmDeregisterEntity(c);
	RTM_ENTITY_INFO info5 = ent_info(0, AF_INET, 5, 1);
	char msg[512];
	CHECK_U(register_capturing(&info5, &x, &pc, msg, sizeof(msg)), ERROR_BAD_CONFIGURATION);
	CHECK(strstr(msg, ":1:") != NULL);
	write_config("[default]\nmax_handles_in_enum = 30\n");
	REQUIRE(rt_register_ex(0, AF_INET, 5, 1, NULL, FALSE, NULL, &x, &pc) == NO_ERROR);
	CHECK_U(pc.MaxHandlesInEnum, 30);
	CHECK_U(pc.MaxNextHopsInRoute, 8);
	CHECK_U(pc.ViewsSupported, 3);
	RtmDeregisterEntity(x);
	RtmDeregisterEntity(b);
	unlink(cfg_path);
}

/* ---- entity events ---------------------------------------------------------- */

static void test_events_registered_deregistered(void)
{
	RTM_ENTITY_HANDLE a, b, c, v6;
	n_evs = 0;
	REQUIRE(rt_register_ex(0, AF_INET, 1, 1, record_cb, FALSE, NULL, &a, NULL) == NO_ERROR);
	CHECK_U(n_evs, 0); /* nobody to tell; not told of itself */
	REQUIRE(rt_register_ex(0, AF_INET6, 9, 9, record_cb, FALSE, NULL, &v6, NULL) == NO_ERROR);
	CHECK_U(n_evs, 0); /* another family: a does not hear of it */

	REQUIRE(rt_register_ex(0, AF_INET, 2, 5, record_cb, FALSE, NULL, &b, NULL) == NO_ERROR);
	/* Only a hears of b; b is not told of a (registered before it) nor of itself. */
	REQUIRE(n_evs == 1);
	RTM_ENTITY_INFO bi = ent_info(0, AF_INET, 2, 5);
	CHECK(evs[0].to == a);
	CHECK_U(evs[0].type, RTM_ENTITY_REGISTERED);
	CHECK(evs[0].c1 == b);
	CHECK(info_eq(&evs[0].info, &bi));

	REQUIRE(rt_register_ex(0, AF_INET, 3, 1, record_cb, FALSE, NULL, &c, NULL) == NO_ERROR);
	REQUIRE(n_evs == 3);
	RTM_ENTITY_INFO ci = ent_info(0, AF_INET, 3, 1);
	bool to_a = false, to_b = false;
	for (unsigned i = 1; i < 3; i++) {
		CHECK_U(evs[i].type, RTM_ENTITY_REGISTERED);
		CHECK(evs[i].c1 == c);
		CHECK(info_eq(&evs[i].info, &ci));
		to_a |= evs[i].to == a;
		to_b |= evs[i].to == b;
	}
	CHECK(to_a && to_b);

	n_evs = 0;
	CHECK_U(RtmDeregisterEntity(b), NO_ERROR);
	REQUIRE(n_evs == 2);
	to_a = to_b = false;
	bool to_c = false;
	for (unsigned i = 0; i < 2; i++) {
		CHECK_U(evs[i].type, RTM_ENTITY_DEREGISTERED);
		CHECK(evs[i].c1 == b);
		CHECK(info_eq(&evs[i].info, &bi));
		to_a |= evs[i].to == a;
		to_b |= evs[i].to == b;
		to_c |= evs[i].to == c;
	}
	CHECK(to_a && to_c && !to_b);

	n_evs = 0;
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
	REQUIRE(n_evs == 1);
	CHECK(evs[0].to == c && evs[0].c1 == a && evs[0].type == RTM_ENTITY_DEREGISTERED);
	n_evs = 0;
	CHECK_U(RtmDeregisterEntity(c), NO_ERROR);
	CHECK_U(n_evs, 0);
	CHECK_U(RtmDeregisterEntity(v6), NO_ERROR);
	CHECK_U(n_evs, 0);
}

/* A callback that uses the API: keeps the new entity's handle and reads its
 * information, and adds a next hop of its own. */
static RTM_ENTITY_HANDLE kept;
static RTM_ENTITY_INFO kept_info;
static DWORD kept_rc[3];

static DWORD WINAPI api_cb(RTM_ENTITY_HANDLE me, RTM_EVENT_TYPE t, PVOID c1, PVOID c2)
{
	(void)c2;
	if (t != RTM_ENTITY_REGISTERED)
		return NO_ERROR;
	kept = c1;
	kept_rc[0] = RtmReferenceHandles(me, 1, &kept);
	kept_rc[1] = RtmGetEntityInfo(me, c1, &kept_info);
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress = rt_addr("192.0.2.1", 32);
	RTM_NEXTHOP_CHANGE_FLAGS fl;
	kept_rc[2] = RtmAddNextHop(me, &ni, NULL, &fl);
	return NO_ERROR;
}

static void test_callback_calls_api(void)
{
	RTM_ENTITY_HANDLE a, b;
	REQUIRE(rt_register_ex(0, AF_INET, 1, 1, api_cb, FALSE, NULL, &a, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 2, 1, NULL, FALSE, NULL, &b, NULL) == NO_ERROR);
	CHECK(kept == b);
	CHECK_U(kept_rc[0], NO_ERROR);
	CHECK_U(kept_rc[1], NO_ERROR);
	CHECK_U(kept_rc[2], NO_ERROR);
	RTM_ENTITY_INFO bi = ent_info(0, AF_INET, 2, 1);
	CHECK(info_eq(&kept_info, &bi));
	CHECK_U(rt_stats(a).next_hops, 1);
	/* The referenced handle outlives b's registration. */
	CHECK_U(RtmDeregisterEntity(b), NO_ERROR);
	RTM_ENTITY_INFO again;
	CHECK_U(RtmGetEntityInfo(a, kept, &again), NO_ERROR);
	CHECK(info_eq(&again, &bi));
	CHECK_U(RtmReleaseEntities(a, 1, &kept), NO_ERROR);
	CHECK_U(RtmGetEntityInfo(a, kept, &again), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
}

/* ---- the entity list and information ----------------------------------------- */

static void test_get_registered_entities(void)
{
	RTM_ENTITY_HANDLE e[3], hs[4];
	RTM_ENTITY_INFO is[4];
	UINT n;
	REQUIRE(rt_register_ex(0, AF_INET, 30, 1, NULL, FALSE, NULL, &e[0], NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 10, 2, NULL, FALSE, NULL, &e[1], NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, 20, 3, NULL, FALSE, NULL, &e[2], NULL) == NO_ERROR);

	/* Invalid input first. */
	CHECK_U(RtmGetRegisteredEntities(e[0], NULL, hs, is), ERROR_INVALID_PARAMETER);
	n = 4;
	CHECK_U(RtmGetRegisteredEntities(NULL, &n, hs, is), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetRegisteredEntities((RTM_ENTITY_HANDLE)0x1234, &n, hs, is), ERROR_INVALID_HANDLE);
	CHECK_U(n, 4);

	/* All of them, the caller included, in registration order. */
	n = 4;
	memset(hs, 0, sizeof(hs));
	CHECK_U(RtmGetRegisteredEntities(e[1], &n, hs, is), NO_ERROR);
	REQUIRE(n == 3);
	ULONG protos[3] = { 30, 10, 20 };
	for (unsigned i = 0; i < 3; i++) {
		CHECK(hs[i] == e[i]);
		CHECK_U(is[i].EntityId.EntityProtocolId, protos[i]);
		CHECK_U(is[i].EntityId.EntityInstanceId, i + 1);
		CHECK_U(is[i].AddressFamily, AF_INET);
		CHECK_U(is[i].RtmInstanceId, 0);
	}
	CHECK_U(RtmReleaseEntities(e[1], n, hs), NO_ERROR);

	/* A short buffer (the Win32 two-call pattern): the error, the number
	 * registered, nothing written and nothing referenced. */
	n = 2;
	memset(hs, 0, sizeof(hs));
	memset(is, 0, sizeof(is));
	CHECK_U(RtmGetRegisteredEntities(e[2], &n, hs, is), ERROR_INSUFFICIENT_BUFFER);
	CHECK_U(n, 3);
	CHECK(hs[0] == NULL && hs[1] == NULL && hs[2] == NULL);
	CHECK_U(is[0].EntityId.EntityProtocolId, 0);
	n = 0;
	CHECK_U(RtmGetRegisteredEntities(e[2], &n, NULL, NULL), ERROR_INSUFFICIENT_BUFFER);
	CHECK_U(n, 3);
	/* Microsoft's sample: a count of 0 and one handle's room asks for the
	 * number; the second call with that many gets them all. */
	RTM_ENTITY_HANDLE one = NULL;
	n = 0;
	CHECK_U(RtmGetRegisteredEntities(e[0], &n, &one, NULL), ERROR_INSUFFICIENT_BUFFER);
	CHECK_U(n, 3);
	CHECK(one == NULL);
	CHECK_U(RtmGetRegisteredEntities(e[0], &n, hs, NULL), NO_ERROR);
	CHECK_U(n, 3);
	CHECK(hs[0] == e[0] && hs[1] == e[1] && hs[2] == e[2]);
	CHECK_U(RtmReleaseEntities(e[0], n, hs), NO_ERROR);
	/* Released once each: a second release is refused. */
	CHECK_U(RtmReleaseEntities(e[0], 1, &hs[1]), ERROR_INVALID_HANDLE);

	/* Only the information, no handles (nothing to release). */
	n = 3;
	memset(is, 0, sizeof(is));
	CHECK_U(RtmGetRegisteredEntities(e[0], &n, NULL, is), NO_ERROR);
	CHECK_U(n, 3);
	CHECK_U(is[2].EntityId.EntityProtocolId, 20);
	/* Only handles. */
	n = 3;
	CHECK_U(RtmGetRegisteredEntities(e[0], &n, hs, NULL), NO_ERROR);
	CHECK(n == 3 && hs[2] == e[2]);
	/* A handle of the list keeps the entity known after it deregisters. */
	CHECK_U(RtmDeregisterEntity(e[2]), NO_ERROR);
	RTM_ENTITY_INFO gone;
	CHECK_U(RtmGetEntityInfo(e[0], hs[2], &gone), NO_ERROR);
	CHECK_U(gone.EntityId.EntityProtocolId, 20);
	CHECK_U(RtmReleaseEntities(e[0], 3, hs), NO_ERROR);
	CHECK_U(RtmGetEntityInfo(e[0], hs[2], &gone), ERROR_INVALID_HANDLE);
	n = 4;
	CHECK_U(RtmGetRegisteredEntities(e[0], &n, NULL, NULL), NO_ERROR);
	CHECK_U(n, 2);
	RtmDeregisterEntity(e[0]);
	RtmDeregisterEntity(e[1]);
}

static void test_release_entities(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
	REQUIRE(a && b);
	RTM_ENTITY_HANDLE hs[2];
	UINT n = 2;
	REQUIRE(RtmGetRegisteredEntities(a, &n, hs, NULL) == NO_ERROR);
	CHECK_U(RtmReleaseEntities(a, 0, NULL), NO_ERROR);
	CHECK_U(RtmReleaseEntities(a, 1, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmReleaseEntities(NULL, 2, hs), ERROR_INVALID_HANDLE);
	/* One invalid handle: nothing is released. */
	RTM_ENTITY_HANDLE mixed[3] = { hs[0], (RTM_ENTITY_HANDLE)0x999, hs[1] };
	CHECK_U(RtmReleaseEntities(a, 3, mixed), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseEntities(a, 2, hs), NO_ERROR);
	/* Released once more: the references are gone; the entities are not. */
	CHECK_U(RtmReleaseEntities(a, 1, &hs[1]), ERROR_INVALID_HANDLE);
	CHECK_U(RtmReleaseEntities(a, 1, &hs[0]), ERROR_INVALID_HANDLE);
	/* The registration handle itself is not a reference a client may release. */
	CHECK_U(RtmReleaseEntities(a, 1, &b), ERROR_INVALID_HANDLE);
	RTM_ENTITY_INFO bi;
	CHECK_U(RtmGetEntityInfo(a, b, &bi), NO_ERROR);
	CHECK_U(rt_stats(a).entities, 2);
	CHECK_U(RtmDeregisterEntity(b), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
}

static void test_entity_info(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b, other;
	REQUIRE(a);
	REQUIRE(rt_register_ex(0, AF_INET, 44, 9, NULL, FALSE, NULL, &b, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(3, AF_INET, 44, 9, NULL, FALSE, NULL, &other, NULL) == NO_ERROR);
	RTM_ENTITY_INFO ei;
	CHECK_U(RtmGetEntityInfo(a, b, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmGetEntityInfo(a, NULL, &ei), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEntityInfo(NULL, b, &ei), ERROR_INVALID_HANDLE);
	/* An entity of another instance is not one of this table's entities. */
	CHECK_U(RtmGetEntityInfo(a, other, &ei), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEntityInfo(a, b, &ei), NO_ERROR);
	RTM_ENTITY_INFO want = ent_info(0, AF_INET, 44, 9);
	CHECK(info_eq(&ei, &want));
	CHECK_U(RtmReleaseEntityInfo(a, &ei), NO_ERROR);
	CHECK_U(RtmReleaseEntityInfo(a, NULL), ERROR_INVALID_PARAMETER);
	CHECK_U(RtmReleaseEntityInfo(NULL, &ei), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEntityInfo(a, a, &ei), NO_ERROR);
	CHECK_U(ei.EntityId.EntityProtocolId, 1);
	RtmDeregisterEntity(a);
	RtmDeregisterEntity(b);
	RtmDeregisterEntity(other);
}

static void test_deregister(void)
{
	RTM_ENTITY_HANDLE a = rt_register(AF_INET, 1), b = rt_register(AF_INET, 2);
	REQUIRE(a && b);
	RTM_NEXTHOP_HANDLE nh[2] = { rt_nexthop(b, "10.0.0.1", 1), rt_nexthop(b, "10.0.0.2", 1) };
	CHECK_U(RtmReleaseNextHops(b, 2, nh), NO_ERROR);
	CHECK_U(rt_stats(a).next_hops, 2);
	CHECK_U(RtmDeregisterEntity(NULL), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterEntity((RTM_ENTITY_HANDLE)0x4242), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterEntity(b), NO_ERROR);
	/* Its next hops went with it. */
	CHECK_U(rt_stats(a).next_hops, 0);
	CHECK_U(rt_stats(a).entities, 1);
	/* Its handle is dead everywhere. */
	CHECK_U(RtmDeregisterEntity(b), ERROR_INVALID_HANDLE);
	UINT n = 2;
	CHECK_U(RtmGetRegisteredEntities(b, &n, NULL, NULL), ERROR_INVALID_HANDLE);
	RTM_ENTITY_INFO ei;
	CHECK_U(RtmGetEntityInfo(a, b, &ei), ERROR_INVALID_HANDLE);
	CHECK_U(RtmGetEntityInfo(b, a, &ei), ERROR_INVALID_HANDLE);
	RTM_NEXTHOP_INFO ni;
	memset(&ni, 0, sizeof(ni));
	ni.NextHopAddress = rt_addr("10.0.0.3", 32);
	RTM_NEXTHOP_CHANGE_FLAGS fl;
	CHECK_U(RtmAddNextHop(b, &ni, NULL, &fl), ERROR_INVALID_HANDLE);
	rtm_stats s;
	CHECK_U(rtm_get_stats(b, &s), ERROR_INVALID_HANDLE);
	CHECK_U(RtmDeregisterEntity(a), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(a), ERROR_INVALID_HANDLE);
}

/* Change notifications nested twelve deep, one instance each: the callback
 * for instance i adds a route in instance i + 1, whose signal is delivered
 * from inside it.  Every one is delivered (deliveries nested more than 8
 * deep used to be dropped, and their signal lost). */
enum { CHAIN = 12 };
static RTM_ENTITY_HANDLE chain[CHAIN];
static unsigned chain_calls[CHAIN], chain_depth, chain_max;
static DWORD chain_rc[CHAIN];

static DWORD WINAPI chain_cb(RTM_ENTITY_HANDLE me, RTM_EVENT_TYPE t, PVOID c1, PVOID c2)
{
	(void)me;
	(void)c1;
	if (t != RTM_CHANGE_NOTIFICATION)
		return NO_ERROR;
	unsigned i = (unsigned)(uintptr_t)c2;
	chain_calls[i]++;
	if (++chain_depth > chain_max)
		chain_max = chain_depth;
	if (i + 1 < CHAIN)
		chain_rc[i + 1] = rt_add_route(chain[i + 1], "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST,
					       NULL, NULL, NULL, NULL);
	chain_depth--;
	return NO_ERROR;
}

static void test_nested_callbacks(void)
{
	RTM_NOTIFY_HANDLE nt[CHAIN];
	for (unsigned i = 0; i < CHAIN; i++) {
		REQUIRE(rt_register_ex((USHORT)(10 + i), AF_INET, 1, 1, chain_cb, FALSE, NULL, &chain[i],
				       NULL) == NO_ERROR);
		REQUIRE(RtmRegisterForChangeNotification(chain[i], RTM_VIEW_MASK_UCAST, RTM_CHANGE_TYPE_ALL,
							 (PVOID)(uintptr_t)i, &nt[i]) == NO_ERROR);
	}
	CHECK_U(rt_add_route(chain[0], "10.1.0.0", 16, 1, 1, RTM_VIEW_MASK_UCAST, NULL, NULL, NULL, NULL),
		NO_ERROR);
	for (unsigned i = 0; i < CHAIN; i++) {
		CHECK_U(chain_calls[i], 1);
		if (i > 0)
			CHECK_U(chain_rc[i], NO_ERROR);
		CHECK_U(rt_stats(chain[i]).routes, 1);
	}
	CHECK_U(chain_max, CHAIN);
	for (unsigned i = 0; i < CHAIN; i++)
		CHECK_U(RtmDeregisterEntity(chain[i]), NO_ERROR);
}

int main(void)
{
	RUN(test_register_invalid);
	RUN(test_register_profile_defaults);
	RUN(test_register_already_exists);
	RUN(test_register_opaque_exhausted);
	RUN(test_register_table_full);
	RUN(test_config_missing);
	RUN(test_config_malformed);
	RUN(test_config_values);
	RUN(test_events_registered_deregistered);
	RUN(test_callback_calls_api);
	RUN(test_get_registered_entities);
	RUN(test_release_entities);
	RUN(test_entity_info);
	RUN(test_deregister);
	RUN(test_nested_callbacks);
	TEST_MAIN_END();
}
