/*
 * routprot.h — the routing protocol identifiers of the Windows SDK's
 * <routprot.h>, for RTMv2 code ported to Linux (rtmv2's own file).
 *
 * Only the protocol-id part is here: the PROTO_IP_* numbers a routing
 * protocol puts in RTM_ENTITY_ID.EntityProtocolId, the PROTO_TYPE_* and
 * PROTO_VENDOR_* parts of a 32-bit protocol id, and the macros that build
 * an id and take it apart:
 *
 *      bits 31-30  type      (PROTO_TYPE_UCAST, PROTO_TYPE_MCAST, ...)
 *      bits 29-16  vendor    (PROTO_VENDOR_MS0, _MS1, _MS2, or a vendor's own)
 *      bits 15-0   protocol  (PROTO_IP_RIP, PROTO_IP_OSPF, ...)
 *
 * This file is installed in include/rtmv2/compat, which
 * `pkg-config --cflags rtmv2` puts on the include path, so that
 * `#include <routprot.h>` finds it without shadowing a system header of
 * the same name elsewhere.  It needs nothing else; <rtmv2.h> does not
 * include it.
 *
 * The values are the public ones (the "Protocol Identifiers" page of the
 * RRAS documentation; RFC 1354 / RFC 4292 for 1-19).  Each name is
 * guarded, and PROTO_TYPE_UCAST and PROTOCOL_ID are spelt token for token
 * as Microsoft's RTMv2 samples define them by hand, so a sample that also
 * defines them compiles without a redefinition warning.  PROTO_VENDOR_ID,
 * which those samples define as 0xFFFF, is not a name of the SDK header and
 * is not defined here (see API-NOTES.md, installed with the documentation
 * in share/doc/rtmv2).
 */
#ifndef RTMV2_COMPAT_ROUTPROT_H
#define RTMV2_COMPAT_ROUTPROT_H

/* ---- protocol types (bits 31-30) ---------------------------------------- */
#ifndef PROTO_TYPE_UCAST
#define PROTO_TYPE_UCAST 0
#endif
#ifndef PROTO_TYPE_MCAST
#define PROTO_TYPE_MCAST 1
#endif
/* Unsigned, so that PROTOCOL_ID(PROTO_TYPE_MS0/MS1, ...) does not shift a
 * bit into the sign of an int. */
#ifndef PROTO_TYPE_MS0
#define PROTO_TYPE_MS0 2u
#endif
#ifndef PROTO_TYPE_MS1
#define PROTO_TYPE_MS1 3u
#endif

/* ---- vendors (bits 29-16) ------------------------------------------------ */
#ifndef PROTO_VENDOR_MS0
#define PROTO_VENDOR_MS0 0x0000
#endif
#ifndef PROTO_VENDOR_MS1
#define PROTO_VENDOR_MS1 0x137
#endif
#ifndef PROTO_VENDOR_MS2
#define PROTO_VENDOR_MS2 0x3FFF
#endif

/* ---- building and taking apart a protocol id ---------------------------- */
#ifndef PROTOCOL_ID
#define PROTOCOL_ID(Type, VendorId, ProtocolId) (((Type & 0x03)<<30)|((VendorId & 0x3FFF)<<16)|(ProtocolId & 0xFFFF))
#endif
#ifndef TYPE_FROM_PROTO_ID
#define TYPE_FROM_PROTO_ID(Id) ((((unsigned int)(Id)) >> 30) & 0x03u)
#endif
#ifndef VENDOR_FROM_PROTO_ID
#define VENDOR_FROM_PROTO_ID(Id) ((((unsigned int)(Id)) >> 16) & 0x3FFFu)
#endif
#ifndef PROTO_FROM_PROTO_ID
#define PROTO_FROM_PROTO_ID(Id) (((unsigned int)(Id)) & 0xFFFFu)
#endif

/* ---- IP unicast routing protocols (the IP forwarding MIB's numbers) ----- */
#ifndef PROTO_IP_OTHER
#define PROTO_IP_OTHER 1
#endif
#ifndef PROTO_IP_LOCAL
#define PROTO_IP_LOCAL 2
#endif
#ifndef PROTO_IP_NETMGMT
#define PROTO_IP_NETMGMT 3
#endif
#ifndef PROTO_IP_ICMP
#define PROTO_IP_ICMP 4
#endif
#ifndef PROTO_IP_EGP
#define PROTO_IP_EGP 5
#endif
#ifndef PROTO_IP_GGP
#define PROTO_IP_GGP 6
#endif
#ifndef PROTO_IP_HELLO
#define PROTO_IP_HELLO 7
#endif
#ifndef PROTO_IP_RIP
#define PROTO_IP_RIP 8
#endif
#ifndef PROTO_IP_IS_IS
#define PROTO_IP_IS_IS 9
#endif
#ifndef PROTO_IP_ES_IS
#define PROTO_IP_ES_IS 10
#endif
#ifndef PROTO_IP_CISCO
#define PROTO_IP_CISCO 11
#endif
#ifndef PROTO_IP_BBN
#define PROTO_IP_BBN 12
#endif
#ifndef PROTO_IP_OSPF
#define PROTO_IP_OSPF 13
#endif
#ifndef PROTO_IP_BGP
#define PROTO_IP_BGP 14
#endif
#ifndef PROTO_IP_IDPR
#define PROTO_IP_IDPR 15
#endif
#ifndef PROTO_IP_EIGRP
#define PROTO_IP_EIGRP 16
#endif
#ifndef PROTO_IP_DVMRP
#define PROTO_IP_DVMRP 17
#endif
#ifndef PROTO_IP_RPL
#define PROTO_IP_RPL 18
#endif
#ifndef PROTO_IP_DHCP
#define PROTO_IP_DHCP 19
#endif

/* ---- IP multicast protocols (used with PROTO_TYPE_MCAST) ---------------- */
#ifndef PROTO_IP_MSDP
#define PROTO_IP_MSDP 9
#endif
#ifndef PROTO_IP_IGMP
#define PROTO_IP_IGMP 10
#endif
#ifndef PROTO_IP_BGMP
#define PROTO_IP_BGMP 11
#endif

/* ---- Microsoft router components ---------------------------------------- */
#ifndef PROTO_IP_VRRP
#define PROTO_IP_VRRP 112
#endif
#ifndef PROTO_IP_BOOTP
#define PROTO_IP_BOOTP 9999
#endif
#ifndef PROTO_IP_NT_AUTOSTATIC
#define PROTO_IP_NT_AUTOSTATIC 10002
#endif
#ifndef PROTO_IP_DNS_PROXY
#define PROTO_IP_DNS_PROXY 10003
#endif
#ifndef PROTO_IP_DHCP_ALLOCATOR
#define PROTO_IP_DHCP_ALLOCATOR 10004
#endif
#ifndef PROTO_IP_NAT
#define PROTO_IP_NAT 10005
#endif
#ifndef PROTO_IP_NT_STATIC
#define PROTO_IP_NT_STATIC 10006
#endif
#ifndef PROTO_IP_NT_STATIC_NON_DOD
#define PROTO_IP_NT_STATIC_NON_DOD 10007
#endif
#ifndef PROTO_IP_MGM
#define PROTO_IP_MGM 10009
#endif
#ifndef PROTO_IP_ALG
#define PROTO_IP_ALG 10010
#endif
#ifndef PROTO_IP_H323
#define PROTO_IP_H323 10011
#endif
#ifndef PROTO_IP_FTP
#define PROTO_IP_FTP 10012
#endif
#ifndef PROTO_IP_DTP
#define PROTO_IP_DTP 10013
#endif

#endif /* RTMV2_COMPAT_ROUTPROT_H */
