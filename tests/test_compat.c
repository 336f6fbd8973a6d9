/*
 * test_compat.c — the headers Windows routing code includes besides
 * <rtmv2.h>: <routprot.h> (protocol ids) and the Win32 error codes of
 * <rtmv2/winerror.h> that ported code compares against.
 *
 * <routprot.h> comes first and alone, as a ported protocol includes it: it
 * must stand without <rtmv2.h>.  Then the three lines Microsoft's RTMv2
 * samples define by hand "from routprot.h" follow, spelt as the samples
 * spell them: with the header included, PROTO_TYPE_UCAST and PROTOCOL_ID
 * must be the same token sequences (no redefinition warning, an error
 * under WERROR=1), and PROTO_VENDOR_ID must not be defined by the header
 * at all (the real one does not; the samples give it 0xFFFF).  The
 * header's Windows spellings, "Rtmv2.h" and <RtmV2.h>, are on the same
 * include path and bring <rtmv2.h>.
 */
#include <routprot.h>

#ifdef PROTO_VENDOR_ID
#error "<routprot.h> must not define PROTO_VENDOR_ID (the samples define it themselves)"
#endif

#define PROTO_TYPE_UCAST 0
#define PROTOCOL_ID(Type, VendorId, ProtocolId) (((Type & 0x03)<<30)|((VendorId & 0x3FFF)<<16)|(ProtocolId & 0xFFFF))
#define PROTO_VENDOR_ID 0xFFFF

/* The header as Windows code names it: the SDK's RtmV2.h and the samples'
 * "Rtmv2.h", both before and beside <rtmv2.h>. */
#include "Rtmv2.h"
#include <RtmV2.h>
#ifndef RTMV2_H
#error "\"Rtmv2.h\" must bring <rtmv2.h>"
#endif

#include "rtmtest.h"

/* The values are usable in constant expressions (case labels, static tables). */
_Static_assert(PROTO_IP_RIP == 8, "PROTO_IP_RIP");
_Static_assert(PROTOCOL_ID(PROTO_TYPE_UCAST, PROTO_VENDOR_MS0, PROTO_IP_OSPF) == 13, "PROTOCOL_ID");

static void test_ip_protocols(void)
{
	/* The IP forwarding MIB's route protocol numbers (RFC 1354, RFC 4292). */
	CHECK_U(PROTO_IP_OTHER, 1);
	CHECK_U(PROTO_IP_LOCAL, 2);
	CHECK_U(PROTO_IP_NETMGMT, 3);
	CHECK_U(PROTO_IP_ICMP, 4);
	CHECK_U(PROTO_IP_EGP, 5);
	CHECK_U(PROTO_IP_GGP, 6);
	CHECK_U(PROTO_IP_HELLO, 7);
	CHECK_U(PROTO_IP_RIP, 8);
	CHECK_U(PROTO_IP_IS_IS, 9);
	CHECK_U(PROTO_IP_ES_IS, 10);
	CHECK_U(PROTO_IP_CISCO, 11);
	CHECK_U(PROTO_IP_BBN, 12);
	CHECK_U(PROTO_IP_OSPF, 13);
	CHECK_U(PROTO_IP_BGP, 14);
	CHECK_U(PROTO_IP_IDPR, 15);
	CHECK_U(PROTO_IP_EIGRP, 16);
	CHECK_U(PROTO_IP_DVMRP, 17);
	CHECK_U(PROTO_IP_RPL, 18);
	CHECK_U(PROTO_IP_DHCP, 19);
}

static void test_ms_protocols(void)
{
	/* Multicast protocols (with PROTO_TYPE_MCAST; their numbers overlap the unicast ones). */
	CHECK_U(PROTO_IP_MSDP, 9);
	CHECK_U(PROTO_IP_IGMP, 10);
	CHECK_U(PROTO_IP_BGMP, 11);
	/* Microsoft's router components. */
	CHECK_U(PROTO_IP_VRRP, 112);
	CHECK_U(PROTO_IP_BOOTP, 9999);
	CHECK_U(PROTO_IP_NT_AUTOSTATIC, 10002);
	CHECK_U(PROTO_IP_DNS_PROXY, 10003);
	CHECK_U(PROTO_IP_DHCP_ALLOCATOR, 10004);
	CHECK_U(PROTO_IP_NAT, 10005);
	CHECK_U(PROTO_IP_NT_STATIC, 10006);
	CHECK_U(PROTO_IP_NT_STATIC_NON_DOD, 10007);
	CHECK_U(PROTO_IP_MGM, 10009);
	CHECK_U(PROTO_IP_ALG, 10010);
	CHECK_U(PROTO_IP_H323, 10011);
	CHECK_U(PROTO_IP_FTP, 10012);
	CHECK_U(PROTO_IP_DTP, 10013);
}

static void test_types_and_vendors(void)
{
	CHECK_U(PROTO_TYPE_UCAST, 0);
	CHECK_U(PROTO_TYPE_MCAST, 1);
	CHECK_U(PROTO_TYPE_MS0, 2);
	CHECK_U(PROTO_TYPE_MS1, 3);
	CHECK_U(PROTO_VENDOR_MS0, 0x0000);
	CHECK_U(PROTO_VENDOR_MS1, 0x137);
	CHECK_U(PROTO_VENDOR_MS2, 0x3FFF);
}

static void test_protocol_id(void)
{
	/* type in bits 31-30, vendor in 29-16, protocol in 15-0 */
	CHECK_U(PROTOCOL_ID(PROTO_TYPE_UCAST, PROTO_VENDOR_MS0, PROTO_IP_RIP), 0x00000008u);
	CHECK_U(PROTOCOL_ID(PROTO_TYPE_UCAST, PROTO_VENDOR_MS0, PROTO_IP_BGP), 0x0000000Eu);
	CHECK_U(PROTOCOL_ID(PROTO_TYPE_MCAST, PROTO_VENDOR_MS1, PROTO_IP_IGMP), 0x4137000Au);
	CHECK_U(PROTOCOL_ID(PROTO_TYPE_MS0, PROTO_VENDOR_MS2, PROTO_IP_NAT), 0xBFFF2715u);
	CHECK_U(PROTOCOL_ID(PROTO_TYPE_MS1, PROTO_VENDOR_MS2, 0xFFFF), 0xFFFFFFFFu);
	/* The samples' PROTO_VENDOR_ID 0xFFFF is cut to 14 bits: Microsoft's vendor 2. */
	CHECK_U(PROTOCOL_ID(PROTO_TYPE_UCAST, PROTO_VENDOR_ID, PROTO_IP_RIP), 0x3FFF0008u);
	CHECK_U(VENDOR_FROM_PROTO_ID(PROTOCOL_ID(PROTO_TYPE_UCAST, PROTO_VENDOR_ID, PROTO_IP_RIP)),
		PROTO_VENDOR_MS2);
	/* Each part is masked to its width. */
	CHECK_U(PROTOCOL_ID(5, 0, 0), 0x40000000u);
	CHECK_U(PROTOCOL_ID(0, 0x4001, 0), 0x00010000u);
	CHECK_U(PROTOCOL_ID(0, 0, 0x12345), 0x00002345u);
}

static void test_protocol_id_apart(void)
{
	DWORD id = PROTOCOL_ID(PROTO_TYPE_MCAST, PROTO_VENDOR_MS1, PROTO_IP_IGMP);
	CHECK_U(TYPE_FROM_PROTO_ID(id), PROTO_TYPE_MCAST);
	CHECK_U(VENDOR_FROM_PROTO_ID(id), PROTO_VENDOR_MS1);
	CHECK_U(PROTO_FROM_PROTO_ID(id), PROTO_IP_IGMP);
	CHECK_U(TYPE_FROM_PROTO_ID(0xFFFFFFFFu), 3);
	CHECK_U(VENDOR_FROM_PROTO_ID(0xFFFFFFFFu), 0x3FFF);
	CHECK_U(PROTO_FROM_PROTO_ID(0xFFFFFFFFu), 0xFFFF);
	/* Every type and vendor, a spread of protocols: apart and together again. */
	static const unsigned types[] = { PROTO_TYPE_UCAST, PROTO_TYPE_MCAST, PROTO_TYPE_MS0, PROTO_TYPE_MS1 };
	static const unsigned vendors[] = { PROTO_VENDOR_MS0, PROTO_VENDOR_MS1, PROTO_VENDOR_MS2, 0x2AAA };
	static const unsigned protos[] = { 0, PROTO_IP_RIP, PROTO_IP_OSPF, PROTO_IP_BGP, PROTO_IP_NT_STATIC, 0xFFFF };
	unsigned bad = 0;
	for (unsigned t = 0; t < 4; t++)
		for (unsigned v = 0; v < 4; v++)
			for (unsigned p = 0; p < sizeof(protos) / sizeof(protos[0]); p++) {
				DWORD x = PROTOCOL_ID(types[t], vendors[v], protos[p]);
				bad += TYPE_FROM_PROTO_ID(x) != types[t] || VENDOR_FROM_PROTO_ID(x) != vendors[v] ||
				       PROTO_FROM_PROTO_ID(x) != protos[p] ||
				       PROTOCOL_ID(TYPE_FROM_PROTO_ID(x), VENDOR_FROM_PROTO_ID(x), PROTO_FROM_PROTO_ID(x)) != x;
			}
	CHECK_U(bad, 0);
}

/* The sample's registration: EntityProtocolId a PROTO_IP_* number, EntityInstanceId a PROTOCOL_ID. */
static void test_ids_in_entity(void)
{
	RTM_ENTITY_HANDLE rip = NULL, ospf = NULL;
	DWORD rip_id = PROTOCOL_ID(PROTO_TYPE_UCAST, PROTO_VENDOR_ID, PROTO_IP_RIP);
	DWORD ospf_id = PROTOCOL_ID(PROTO_TYPE_UCAST, PROTO_VENDOR_MS0, PROTO_IP_OSPF);
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_RIP, rip_id, NULL, FALSE, NULL, &rip, NULL) == NO_ERROR);
	REQUIRE(rt_register_ex(0, AF_INET, PROTO_IP_OSPF, ospf_id, NULL, FALSE, NULL, &ospf, NULL) == NO_ERROR);
	RTM_ENTITY_HANDLE hs[4];
	RTM_ENTITY_INFO infos[4];
	UINT n = 4;
	REQUIRE(RtmGetRegisteredEntities(rip, &n, hs, infos) == NO_ERROR);
	CHECK_U(n, 2);
	unsigned seen_rip = 0, seen_ospf = 0;
	for (UINT i = 0; i < n && i < 4; i++) {
		ULONG proto = infos[i].EntityId.EntityProtocolId, inst = infos[i].EntityId.EntityInstanceId;
		seen_rip += proto == PROTO_IP_RIP && inst == rip_id && VENDOR_FROM_PROTO_ID(inst) == PROTO_VENDOR_MS2;
		seen_ospf += proto == PROTO_IP_OSPF && inst == ospf_id && PROTO_FROM_PROTO_ID(inst) == PROTO_IP_OSPF;
	}
	CHECK_U(seen_rip, 1);
	CHECK_U(seen_ospf, 1);
	CHECK_U(RtmReleaseEntities(rip, n, hs), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(ospf), NO_ERROR);
	CHECK_U(RtmDeregisterEntity(rip), NO_ERROR);
}

static void test_error_codes(void)
{
	/* The codes the API returns ... */
	CHECK_U(NO_ERROR, 0);
	CHECK_U(ERROR_SUCCESS, 0);
	CHECK_U(ERROR_INVALID_HANDLE, 6);
	CHECK_U(ERROR_NOT_ENOUGH_MEMORY, 8);
	CHECK_U(ERROR_INVALID_DATA, 13);
	CHECK_U(ERROR_NOT_SUPPORTED, 50);
	CHECK_U(ERROR_INVALID_PARAMETER, 87);
	CHECK_U(ERROR_INSUFFICIENT_BUFFER, 122);
	CHECK_U(ERROR_ALREADY_EXISTS, 183);
	CHECK_U(ERROR_NO_MORE_ITEMS, 259);
	CHECK_U(ERROR_CAN_NOT_COMPLETE, 1003);
	CHECK_U(ERROR_NOT_FOUND, 1168);
	CHECK_U(ERROR_TIMEOUT, 1460);
	/* ... and the common ones ported code compares against. */
	CHECK_U(ERROR_INVALID_FUNCTION, 1);
	CHECK_U(ERROR_PATH_NOT_FOUND, 3);
	CHECK_U(ERROR_TOO_MANY_OPEN_FILES, 4);
	CHECK_U(ERROR_OUTOFMEMORY, 14);
	CHECK_U(ERROR_NOT_READY, 21);
	CHECK_U(ERROR_BAD_LENGTH, 24);
	CHECK_U(ERROR_GEN_FAILURE, 31);
	CHECK_U(ERROR_HANDLE_EOF, 38);
	CHECK_U(ERROR_SEM_TIMEOUT, 121);
	CHECK_U(ERROR_INVALID_NAME, 123);
	CHECK_U(ERROR_INVALID_LEVEL, 124);
	CHECK_U(ERROR_BAD_ARGUMENTS, 160);
	CHECK_U(ERROR_BUSY, 170);
	CHECK_U(ERROR_NO_DATA, 232);
	CHECK_U(ERROR_MORE_DATA, 234);
	CHECK_U(ERROR_OPERATION_ABORTED, 995);
	CHECK_U(ERROR_IO_INCOMPLETE, 996);
	CHECK_U(ERROR_IO_PENDING, 997);
	CHECK_U(ERROR_NOACCESS, 998);
	CHECK_U(ERROR_INVALID_FLAGS, 1004);
	CHECK_U(ERROR_CANCELLED, 1223);
	CHECK_U(ERROR_NETWORK_UNREACHABLE, 1231);
	CHECK_U(ERROR_HOST_UNREACHABLE, 1232);
	CHECK_U(ERROR_INTERNAL_ERROR, 1359);
	CHECK_U(ERROR_OBJECT_ALREADY_EXISTS, 5010);
	CHECK_U(ERROR_INVALID_STATE, 5023);
	/* Comparable with a DWORD without a sign-compare warning (WERROR=1 builds this). */
	DWORD rc = 997;
	CHECK(rc == ERROR_IO_PENDING);
}

int main(void)
{
	RUN(test_ip_protocols);
	RUN(test_ms_protocols);
	RUN(test_types_and_vendors);
	RUN(test_protocol_id);
	RUN(test_protocol_id_apart);
	RUN(test_ids_in_entity);
	RUN(test_error_codes);
	TEST_MAIN_END();
}
