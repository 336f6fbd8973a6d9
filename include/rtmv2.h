/*
 * rtmv2.h — the Routing Table Manager version 2 (RTMv2) API, for Linux.
 *
 * This header is source-compatible with the Windows SDK header RtmV2.h: every
 * type, structure, field (name, order and type), constant and function of
 * that header is here under the same name, so code written against the SDK
 * compiles unchanged as long as it uses only what the API defines.  The
 * Windows base types come from rtmv2/wintypes.h and the error codes from
 * rtmv2/winerror.h; both are included here, so a client needs nothing but
 * `#include <rtmv2.h>`.  Our own extensions live in rtmv2/rtmv2_ext.h.
 *
 * Where the SDK header is wrong on a 64-bit Linux we keep the name and the
 * meaning and fix the definition, with a comment at each place:
 *   - RTM_SIZE_OF_ROUTE_INFO(n) gives the true size of a route information
 *     structure with n next hops (the SDK's is 8 bytes short on LP64);
 *   - RTM_IPV4_MASK_FROM_LEN shifts an unsigned value (the SDK shifts ~0,
 *     which is undefined behaviour), and the IPv4 address macros copy the
 *     address with memcpy instead of through a misaligned ULONG pointer;
 *   - RTM_ROUTE_FLAGS_SUBNET_BCAST and RTM_ROUTE_FLAGS_ANY_BCAST are defined
 *     (the SDK spells one of their operands wrongly, so they never compiled).
 * The IPv4/IPv6 address macros are single expressions here rather than the
 * SDK's bare statement lists, so they are safe under an unbraced `if`; end
 * each use with a semicolon, as the SDK's examples do.
 *
 * Conventions of the function documentation below:
 *   - Every function returns NO_ERROR (0) on success.
 *   - The return codes listed are complete.  Codes without a mark are the
 *     ones the Microsoft reference page of that function documents.  Codes
 *     marked (+) are not on the reference page but are returned by this
 *     implementation, which validates every argument before touching any
 *     state: ERROR_INVALID_HANDLE for a handle that is not a live handle of
 *     the expected kind (RtmRegHandle included), ERROR_INVALID_PARAMETER for
 *     a NULL pointer the call needs or a value out of range, and
 *     ERROR_NOT_ENOUGH_MEMORY where the call may allocate.  A failed call
 *     changes nothing.
 *   - Every handle the RTM returns, alone or inside an information structure
 *     (RTM_DEST_INFO, RTM_ROUTE_INFO, RTM_NEXTHOP_INFO, RTM_ENTITY_INFO),
 *     holds a reference on its object until the caller releases it with the
 *     release function for its kind; RtmReferenceHandles adds one.
 *   - Where the Microsoft documentation is silent and we had to choose, the
 *     note says so briefly; the choices are written down in API-NOTES.md.
 *
 * API-NOTES.md, DESIGN.md (how the library is built), CONFIG.md (the
 * configuration file) and rtmctl.md are installed with the documentation,
 * in share/doc/rtmv2 under the installation prefix (docs/ in the source
 * tree); "see API-NOTES.md" below means that file.
 *
 * Every function is exported with default visibility (RTMV2_API), so the
 * library itself can be built with -fvisibility=hidden.
 */
#ifndef RTMV2_H
#define RTMV2_H

#include "rtmv2/wintypes.h"
#include "rtmv2/winerror.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

/* Marks every API function as exported from the shared library. */
#ifndef RTMV2_API
#if defined(__GNUC__) || defined(__clang__)
#define RTMV2_API __attribute__((visibility("default")))
#else
#define RTMV2_API
#endif
#endif

/*
 * RTM_ENTITY_ID uses an anonymous struct inside an anonymous union, as the
 * SDK does.  That is standard C11, but a GNU/Microsoft extension in C++;
 * __extension__ keeps `g++ -pedantic` quiet about it.
 */
#if defined(__cplusplus) && (defined(__GNUC__) || defined(__clang__))
#define RTMV2_EXTENSION __extension__
#else
#define RTMV2_EXTENSION
#endif

/*
 * The header's private inline helpers.  `unused` because a translation unit
 * that includes the header but not the macros using them must not warn
 * (clang does, when the header itself is the file being compiled).
 */
#if defined(__GNUC__) || defined(__clang__)
#define RTMV2_PRIV_INLINE static inline __attribute__((unused))
#else
#define RTMV2_PRIV_INLINE static inline
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * General constants
 */

/* Maximum number of address bytes of any address family (AddrBits). */
#define RTM_MAX_ADDRESS_SIZE 16

/* Views: routing table views, e.g. unicast and multicast. */
#define RTM_MAX_VIEWS 32

#define RTM_VIEW_ID_UCAST 0
#define RTM_VIEW_ID_MCAST 1

/* Number of bits in a view mask (RTM_VIEW_SET). */
#define RTM_VIEW_MASK_SIZE 0x20

/* RTM_VIEW_MASK_ANY: all views, but no view-specific information. */
#define RTM_VIEW_MASK_NONE 0x00000000
#define RTM_VIEW_MASK_ANY 0x00000000

/* The mask bit of a view is 1 << its view id. */
#define RTM_VIEW_MASK_UCAST 0x00000001
#define RTM_VIEW_MASK_MCAST 0x00000002

#define RTM_VIEW_MASK_ALL 0xFFFFFFFF

/* Identifies one view (RTM_VIEW_ID_*). */
typedef INT RTM_VIEW_ID, *PRTM_VIEW_ID;

/* A set of views, as a bit mask of 1 << view id (RTM_VIEW_MASK_*). */
typedef DWORD RTM_VIEW_SET, *PRTM_VIEW_SET;

/* ------------------------------------------------------------------------
 * Registration profile
 */

/*
 * The limits of an RTM instance and address family, returned by
 * RtmRegisterEntity; clients must respect them in later calls.
 */
typedef struct _RTM_REGN_PROFILE {
	/*
	 * Maximum number of equal-cost next hops in a route, and maximum
	 * number of local next hops in any one remote next hop.
	 */
	UINT MaxNextHopsInRoute;
	/*
	 * Maximum number of handles returned by one call to RtmGetEnumDests,
	 * RtmGetChangedDests, RtmGetEnumRoutes or RtmGetListEnumRoutes.
	 */
	UINT MaxHandlesInEnum;
	/* Views supported by this address family. */
	RTM_VIEW_SET ViewsSupported;
	/* Number of views: the number of bits set in ViewsSupported. */
	UINT NumberOfViews;
} RTM_REGN_PROFILE, *PRTM_REGN_PROFILE;

/* ------------------------------------------------------------------------
 * Handles: opaque references to RTM objects, each with a pointer typedef.
 */
typedef HANDLE RTM_ENTITY_HANDLE, *PRTM_ENTITY_HANDLE;
typedef HANDLE RTM_DEST_HANDLE, *PRTM_DEST_HANDLE;
typedef HANDLE RTM_ROUTE_HANDLE, *PRTM_ROUTE_HANDLE;
typedef HANDLE RTM_NEXTHOP_HANDLE, *PRTM_NEXTHOP_HANDLE;
typedef HANDLE RTM_ENUM_HANDLE, *PRTM_ENUM_HANDLE;
typedef HANDLE RTM_ROUTE_LIST_HANDLE, *PRTM_ROUTE_LIST_HANDLE;
typedef HANDLE RTM_NOTIFY_HANDLE, *PRTM_NOTIFY_HANDLE;

/* ------------------------------------------------------------------------
 * Network addresses
 */

/*
 * A network address and prefix length, for any address family whose masks
 * are contiguous.  AddrBits holds the address in network byte order, from
 * AddrBits[0]; only the first NumBits bits are significant.
 */
typedef struct _RTM_NET_ADDRESS {
	USHORT AddressFamily;                 /* AF_INET, AF_INET6, ... */
	USHORT NumBits;                       /* prefix length in bits */
	UCHAR AddrBits[RTM_MAX_ADDRESS_SIZE]; /* the address, network order */
} RTM_NET_ADDRESS, *PRTM_NET_ADDRESS;

/*
 * Helpers of the IPv4 macros below; private to this header, not API.
 *
 * The SDK reads and writes the address as `*(ULONG *)AddrBits`.  An
 * RTM_NET_ADDRESS is only 2-byte aligned, so that access can be misaligned
 * (UBSan reports it, and strict aliasing forbids it); memcpy is the portable
 * way to move the four bytes, and compilers turn it into one load or store.
 */
RTMV2_PRIV_INLINE ULONG rtmv2_priv_ipv4_load(const UCHAR *bits)
{
	ULONG addr;

	memcpy(&addr, bits, sizeof(addr));
	return addr;
}

RTMV2_PRIV_INLINE void rtmv2_priv_ipv4_store(UCHAR *bits, ULONG addr)
{
	memcpy(bits, &addr, sizeof(addr));
}

/*
 * The SDK's RTM_IPV4_LEN_FROM_MASK computes, for a host-order mask m,
 * 32 minus the number of trailing zero bits of m (0 for m == 0): the prefix
 * length of a contiguous mask.  This loop gives that same result for every
 * mask, contiguous or not.
 */
RTMV2_PRIV_INLINE USHORT rtmv2_priv_ipv4_len_from_mask(ULONG mask)
{
	ULONG m = ntohl(mask);
	USHORT len = 0;

	while (m != 0) {
		len++;
		m <<= 1;
	}
	return len;
}

/*
 * Fix: the SDK computes htonl(~0 << (32 - Len)), which left-shifts a
 * negative int: undefined behaviour.  Shifting an unsigned ~0 gives the same
 * masks for 1..32 without it.  Lengths above 32 (a corrupt NumBits) give the
 * all-ones mask instead of another undefined shift.
 */
RTMV2_PRIV_INLINE ULONG rtmv2_priv_ipv4_mask_from_len(unsigned int len)
{
	if (len == 0)
		return 0;
	if (len >= 32)
		return 0xFFFFFFFFu;
	return htonl(~(ULONG)0 << (32 - len));
}

/*
 * IPv4 address macros.  Addr and Mask are ULONGs in network byte order (as
 * in struct in_addr's s_addr); Len is a prefix length.  The SET macros write
 * AddressFamily, NumBits and AddrBits[0..3] and leave AddrBits[4..15] as
 * they were, as the SDK does.  Each macro is one expression (the SDK's are
 * statement lists); NetAddress may be evaluated more than once.
 */
#define RTM_IPV4_MAKE_NET_ADDRESS(NetAddress, Addr, Len) \
	RTM_IPV4_SET_ADDR_AND_LEN(NetAddress, Addr, Len)

/*
 * One step of the SDK's RTM_IPV4_LEN_FROM_MASK, kept for source
 * compatibility: if bit N of Value is set, adds N to Len and shifts Value
 * left by N.  Value must be an unsigned 32-bit lvalue; N at most 16.
 */
#define RTM_CHECK_NTH_BIT(Value, N, Len)              \
	do {                                          \
		if ((Value) & (1U << (N))) {          \
			(Len) += (N);                 \
			(Value) <<= (N);              \
		}                                     \
	} while (0)

/* Sets Len to the prefix length of the network-order mask Mask. */
#define RTM_IPV4_LEN_FROM_MASK(Len, Mask) ((Len) = rtmv2_priv_ipv4_len_from_mask(Mask))

/*
 * The network-order mask of a Len-bit prefix (0 for Len 0).  Fix: see
 * rtmv2_priv_ipv4_mask_from_len; the SDK's version also ends in a stray `;`,
 * which made it unusable inside an expression.
 */
#define RTM_IPV4_MASK_FROM_LEN(Len) rtmv2_priv_ipv4_mask_from_len(Len)

#define RTM_IPV4_SET_ADDR_AND_LEN(NetAddress, Addr, Len)         \
	((NetAddress)->AddressFamily = (USHORT)AF_INET,          \
	 (NetAddress)->NumBits = (USHORT)(Len),                  \
	 rtmv2_priv_ipv4_store((NetAddress)->AddrBits, (Addr)))

#define RTM_IPV4_GET_ADDR_AND_LEN(Addr, Len, NetAddress)         \
	((Len) = (NetAddress)->NumBits,                          \
	 (Addr) = rtmv2_priv_ipv4_load((NetAddress)->AddrBits))

#define RTM_IPV4_SET_ADDR_AND_MASK(NetAddress, Addr, Mask)       \
	((NetAddress)->AddressFamily = (USHORT)AF_INET,          \
	 rtmv2_priv_ipv4_store((NetAddress)->AddrBits, (Addr)),  \
	 RTM_IPV4_LEN_FROM_MASK((NetAddress)->NumBits, (Mask)))

#define RTM_IPV4_GET_ADDR_AND_MASK(Addr, Mask, NetAddress)       \
	((Addr) = rtmv2_priv_ipv4_load((NetAddress)->AddrBits),  \
	 (Mask) = RTM_IPV4_MASK_FROM_LEN((NetAddress)->NumBits))

/*
 * IPv6 helpers (used by the RTM_IPV6_* macros; the SDK documents them only
 * by their prototypes).
 */

/**
 * Copies an IPv6 RTM_NET_ADDRESS out into an IPv6 address and prefix length.
 *
 * @param[in]  pNetAddress   the network address to read (AddrBits, NumBits).
 * @param[out] pAddress      receives the 16 address bytes (s6_addr).
 * @param[out] pLength       receives the prefix length, NumBits.
 * @param[in]  dwAddressSize address size in bytes; IPV6_ADDRESS_LEN_IN_BYTES.
 * @retval ERROR_INVALID_PARAMETER (+) a pointer is NULL, dwAddressSize is not
 *         IPV6_ADDRESS_LEN_IN_BYTES, or NumBits exceeds 128.
 * Does not check AddressFamily.  Undocumented by Microsoft; see
 * API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmConvertNetAddressToIpv6AddressAndLength(PRTM_NET_ADDRESS pNetAddress,
								 PIN6_ADDR pAddress,
								 PDWORD pLength,
								 DWORD dwAddressSize);

/**
 * Fills an RTM_NET_ADDRESS from an IPv6 address and prefix length.
 *
 * @param[out] pNetAddress   receives NumBits = dwLength and AddrBits =
 *                           Address; AddressFamily is left as it is (the
 *                           RTM_IPV6_SET_ADDR_AND_LEN macro sets it first).
 * @param[in]  Address       the IPv6 address, by value.
 * @param[in]  dwLength      the prefix length, 0..128.
 * @param[in]  dwAddressSize address size in bytes; IPV6_ADDRESS_LEN_IN_BYTES.
 * @retval ERROR_INVALID_PARAMETER (+) pNetAddress is NULL, dwAddressSize is
 *         not IPV6_ADDRESS_LEN_IN_BYTES, or dwLength exceeds 128; nothing is
 *         written then.
 * Undocumented by Microsoft; see API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmConvertIpv6AddressAndLengthToNetAddress(PRTM_NET_ADDRESS pNetAddress,
								 IN6_ADDR Address,
								 DWORD dwLength,
								 DWORD dwAddressSize);

#define IPV6_ADDRESS_LEN_IN_BYTES 16

/*
 * IPv6 address macros: Addr is an IN6_ADDR for SET (by value) and a
 * PIN6_ADDR for GET; Len is a DWORD for SET and a PDWORD for GET.  Both
 * yield the helper's DWORD status.
 */
#define RTM_IPV6_MAKE_NET_ADDRESS(NetAddress, Addr, Len) \
	RTM_IPV6_SET_ADDR_AND_LEN(NetAddress, Addr, Len)

#define RTM_IPV6_SET_ADDR_AND_LEN(NetAddress, Addr, Len)                                \
	((NetAddress)->AddressFamily = (USHORT)AF_INET6,                                \
	 RtmConvertIpv6AddressAndLengthToNetAddress((NetAddress), (Addr), (Len),        \
						    IPV6_ADDRESS_LEN_IN_BYTES))

#define RTM_IPV6_GET_ADDR_AND_LEN(Addr, Len, NetAddress)                                \
	(RtmConvertNetAddressToIpv6AddressAndLength((NetAddress), (Addr), (Len),        \
						    IPV6_ADDRESS_LEN_IN_BYTES))

/* ------------------------------------------------------------------------
 * Preference, next-hop lists, destinations
 */

/*
 * What two routes are compared by: Preference first, then Metric; for both,
 * the lower value is better.
 */
typedef struct _RTM_PREF_INFO {
	ULONG Metric;     /* routing-protocol-specific metric */
	ULONG Preference; /* determined by router policy */
} RTM_PREF_INFO, *PRTM_PREF_INFO;

/*
 * The equal-cost next hops of a route.  Variable size: NextHops really has
 * NumNextHops entries (at most RTM_REGN_PROFILE.MaxNextHopsInRoute).
 */
typedef struct _RTM_NEXTHOP_LIST {
	USHORT NumNextHops;
	RTM_NEXTHOP_HANDLE NextHops[1];
} RTM_NEXTHOP_LIST, *PRTM_NEXTHOP_LIST;

/*
 * Information about a destination (a prefix) as seen from one or more
 * views.  Variable size: ViewInfo has NumberOfViews entries, so a buffer for
 * n views is RTM_SIZE_OF_DEST_INFO(n) bytes, and arrays of these structures
 * (RtmGetEnumDests, RtmGetChangedDests) step by that size.  The handles in
 * it (DestHandle, ViewInfo[].Route, .Owner, .HoldRoute) are referenced;
 * release them with RtmReleaseDestInfo, RtmReleaseDests or
 * RtmReleaseChangedDests, whichever matches the call that filled it.
 */
typedef struct _RTM_DEST_INFO {
	RTM_DEST_HANDLE DestHandle;  /* the destination */
	RTM_NET_ADDRESS DestAddress; /* its address and prefix length */
	FILETIME LastChanged;        /* when it last changed */
	RTM_VIEW_SET BelongsToViews; /* views it belongs to */
	UINT NumberOfViews;          /* number of ViewInfo entries */
	struct {
		RTM_VIEW_ID ViewId;         /* view of this entry */
		UINT NumRoutes;             /* routes in this view */
		RTM_ROUTE_HANDLE Route;     /* best route (per ProtocolId) */
		RTM_ENTITY_HANDLE Owner;    /* owner of that route */
		DWORD DestFlags;            /* that route's flags */
		RTM_ROUTE_HANDLE HoldRoute; /* route in hold-down, or NULL */
	} ViewInfo[1];
} RTM_DEST_INFO, *PRTM_DEST_INFO;

/* Size macros for RTM_DEST_INFO, exactly as in the SDK (they are right). */
#define RTM_BASIC_DEST_INFO_SIZE FIELD_OFFSET(RTM_DEST_INFO, ViewInfo)

#define RTM_DEST_VIEW_INFO_SIZE (sizeof(RTM_DEST_INFO) - RTM_BASIC_DEST_INFO_SIZE)

#define RTM_SIZE_OF_DEST_INFO(NumViews) \
	(RTM_BASIC_DEST_INFO_SIZE + (NumViews) * RTM_DEST_VIEW_INFO_SIZE)

/* Destination flags (RTM_DEST_INFO.ViewInfo[].DestFlags). */
#define RTM_DEST_FLAG_NATURAL_NET 0x01
#define RTM_DEST_FLAG_FWD_ENGIN_ADD 0x02
#define RTM_DEST_FLAG_DONT_FORWARD 0x04

/* ------------------------------------------------------------------------
 * Routes
 */

/*
 * Information about a route.  Variable size: NextHopsList.NextHops has
 * NumNextHops entries, so a buffer for n next hops is
 * RTM_SIZE_OF_ROUTE_INFO(n) bytes; clients size theirs for
 * RTM_REGN_PROFILE.MaxNextHopsInRoute.  The handles in it (DestHandle,
 * RouteOwner, Neighbour, NextHopsList.NextHops[]) are referenced when the RTM
 * fills it; release them with RtmReleaseRouteInfo.  The first four fields are
 * read-only for the owner; the rest it may change in place under
 * RtmLockRoute (not State, and Flags1/Flags only through an update call).
 */
typedef struct _RTM_ROUTE_INFO {
	/* Read-only for the owner. */
	RTM_DEST_HANDLE DestHandle;   /* destination the route is for */
	RTM_ENTITY_HANDLE RouteOwner; /* entity that owns the route */
	RTM_NEXTHOP_HANDLE Neighbour; /* neighbour it was learnt from, or NULL */
	UCHAR State;                  /* RTM_ROUTE_STATE_* */

	/* Read/write for the owner. */
	UCHAR Flags1;                     /* RTMv1 compatibility flags */
	USHORT Flags;                     /* RTM_ROUTE_FLAGS_* */
	RTM_PREF_INFO PrefInfo;           /* preference and metric */
	RTM_VIEW_SET BelongsToViews;      /* views the route belongs to */
	PVOID EntitySpecificInfo;         /* the owner's private information */
	RTM_NEXTHOP_LIST NextHopsList;    /* equal-cost next hops */
} RTM_ROUTE_INFO, *PRTM_ROUTE_INFO;

/* As in the SDK: the size of the fixed part, up to NextHopsList. */
#define RTM_BASIC_ROUTE_INFO_SIZE FIELD_OFFSET(RTM_ROUTE_INFO, NextHopsList.NumNextHops)

/*
 * Fix: the SDK defines RTM_SIZE_OF_ROUTE_INFO(n) as RTM_BASIC_ROUTE_INFO_SIZE
 * + n * sizeof(RTM_NEXTHOP_HANDLE), which forgets NumNextHops and the padding
 * before NextHops[0]: on LP64 it is 8 bytes short of the memory n next hops
 * occupy, and a buffer sized with it overflows when NextHops[n-1] is
 * written.  This is the true size, offsetof(NextHopsList.NextHops) + n
 * handles, and never less than sizeof(RTM_ROUTE_INFO), so that a buffer of
 * this size can always be used as an RTM_ROUTE_INFO.  NumHops is evaluated
 * more than once.  See API-NOTES.md.
 */
#define RTMV2_PRIV_ROUTE_INFO_HOPS_SIZE(NumHops)                \
	(FIELD_OFFSET(RTM_ROUTE_INFO, NextHopsList.NextHops) +  \
	 (size_t)(NumHops) * sizeof(RTM_NEXTHOP_HANDLE))

#define RTM_SIZE_OF_ROUTE_INFO(NumHops)                                         \
	(RTMV2_PRIV_ROUTE_INFO_HOPS_SIZE(NumHops) > sizeof(RTM_ROUTE_INFO)      \
		 ? RTMV2_PRIV_ROUTE_INFO_HOPS_SIZE(NumHops)                     \
		 : sizeof(RTM_ROUTE_INFO))

/* Route state (RTM_ROUTE_INFO.State). */
#define RTM_ROUTE_STATE_CREATED 0
#define RTM_ROUTE_STATE_DELETING 1
#define RTM_ROUTE_STATE_DELETED 2

/* Route flags (RTM_ROUTE_INFO.Flags).  Forwarding flags: */
#define RTM_ROUTE_FLAGS_MARTIAN 0x0001
#define RTM_ROUTE_FLAGS_BLACKHOLE 0x0002
#define RTM_ROUTE_FLAGS_DISCARD 0x0004
#define RTM_ROUTE_FLAGS_INACTIVE 0x0008

/* Unicast flags: */
#define RTM_ROUTE_FLAGS_LOCAL 0x0010  /* destination directly reachable */
#define RTM_ROUTE_FLAGS_REMOTE 0x0020 /* destination not directly reachable */
#define RTM_ROUTE_FLAGS_MYSELF 0x0040 /* destination is one of our addresses */

#define RTM_ROUTE_FLAGS_LOOPBACK 0x0080

/* Broadcast and multicast flags: */
#define RTM_ROUTE_FLAGS_MCAST 0x0100
#define RTM_ROUTE_FLAGS_LOCAL_MCAST 0x0200

#define RTM_ROUTE_FLAGS_LIMITED_BC 0x0400

#define RTM_ROUTE_FLAGS_ZEROS_NETBC 0x1000
#define RTM_ROUTE_FLAGS_ZEROS_SUBNETBC 0x2000
#define RTM_ROUTE_FLAGS_ONES_NETBC 0x4000
#define RTM_ROUTE_FLAGS_ONES_SUBNETBC 0x8000

/* Groups of flags: */
#define RTM_ROUTE_FLAGS_FORWARDING                                       \
	(RTM_ROUTE_FLAGS_MARTIAN | RTM_ROUTE_FLAGS_BLACKHOLE |           \
	 RTM_ROUTE_FLAGS_DISCARD | RTM_ROUTE_FLAGS_INACTIVE)

#define RTM_ROUTE_FLAGS_ANY_UNICAST \
	(RTM_ROUTE_FLAGS_LOCAL | RTM_ROUTE_FLAGS_REMOTE | RTM_ROUTE_FLAGS_MYSELF)

#define RTM_ROUTE_FLAGS_ANY_MCAST (RTM_ROUTE_FLAGS_MCAST | RTM_ROUTE_FLAGS_LOCAL_MCAST)

/*
 * Fix: the SDK builds SUBNET_BCAST and ANY_BCAST from
 * RTM_ROUTE_FLAGS_ONES_SUBNET_BC, a misspelling of ONES_SUBNETBC that is
 * defined nowhere, so neither macro compiled.  These are the intended values:
 * SUBNET_BCAST = 0xA000, ANY_BCAST = 0xF400.
 */
#define RTM_ROUTE_FLAGS_SUBNET_BCAST \
	(RTM_ROUTE_FLAGS_ONES_SUBNETBC | RTM_ROUTE_FLAGS_ZEROS_SUBNETBC)

#define RTM_ROUTE_FLAGS_NET_BCAST (RTM_ROUTE_FLAGS_ONES_NETBC | RTM_ROUTE_FLAGS_ZEROS_NETBC)

#define RTM_ROUTE_FLAGS_ANY_BCAST                                        \
	(RTM_ROUTE_FLAGS_LIMITED_BC | RTM_ROUTE_FLAGS_ONES_NETBC |       \
	 RTM_ROUTE_FLAGS_ONES_SUBNETBC | RTM_ROUTE_FLAGS_ZEROS_NETBC |   \
	 RTM_ROUTE_FLAGS_ZEROS_SUBNETBC)

/* ------------------------------------------------------------------------
 * Next hops
 */

/*
 * Information about a next hop.  A next hop is identified, within its
 * owner's next-hop list, by NextHopAddress and InterfaceIndex.  The handles
 * in it (NextHopOwner, RemoteNextHop) are referenced when the RTM fills it;
 * release them with RtmReleaseNextHopInfo.
 */
typedef struct _RTM_NEXTHOP_INFO {
	/* Read-only for the owner. */
	RTM_NET_ADDRESS NextHopAddress; /* address of the next hop */
	RTM_ENTITY_HANDLE NextHopOwner; /* entity that owns it (set by RTM) */
	ULONG InterfaceIndex;           /* outgoing interface; 0 if remote */
	USHORT State;                   /* RTM_NEXTHOP_STATE_* (set by RTM) */

	/* Read/write for the owner. */
	USHORT Flags;                  /* RTM_NEXTHOP_FLAGS_* */
	PVOID EntitySpecificInfo;      /* the owner's private information */
	RTM_DEST_HANDLE RemoteNextHop; /* destination of a remote next hop */
} RTM_NEXTHOP_INFO, *PRTM_NEXTHOP_INFO;

/* Next-hop state (RTM_NEXTHOP_INFO.State). */
#define RTM_NEXTHOP_STATE_CREATED 0
#define RTM_NEXTHOP_STATE_DELETED 1

/* Next-hop flags (RTM_NEXTHOP_INFO.Flags); DOWN is reserved. */
#define RTM_NEXTHOP_FLAGS_REMOTE 0x0001
#define RTM_NEXTHOP_FLAGS_DOWN 0x0002

/* ------------------------------------------------------------------------
 * Entities (registered clients)
 */

/*
 * What identifies a client: protocol id and instance id together, or both
 * at once as EntityId.  On little-endian Linux EntityProtocolId is the low
 * 32 bits of EntityId.  8-byte aligned wherever ULONGLONG is.
 */
typedef struct _RTM_ENTITY_ID {
	RTMV2_EXTENSION union {
		struct {
			ULONG EntityProtocolId; /* protocol (RIP, OSPF, ...) */
			ULONG EntityInstanceId; /* instance of that protocol */
		};
		ULONGLONG EntityId; /* both of the above */
	};
} RTM_ENTITY_ID, *PRTM_ENTITY_ID;

/* Information about a client: where it registered and who it is. */
typedef struct _RTM_ENTITY_INFO {
	USHORT RtmInstanceId;   /* RTM instance it registered with */
	USHORT AddressFamily;   /* its address family (AF_INET, AF_INET6) */
	RTM_ENTITY_ID EntityId; /* uniquely identifies it */
} RTM_ENTITY_INFO, *PRTM_ENTITY_INFO;

/* ------------------------------------------------------------------------
 * Events and the event callback
 */

/* Events delivered to RTM_EVENT_CALLBACK. */
typedef enum _RTM_EVENT_TYPE {
	RTM_ENTITY_REGISTERED,   /* C1: entity handle, C2: PRTM_ENTITY_INFO */
	RTM_ENTITY_DEREGISTERED, /* C1: entity handle, C2: PRTM_ENTITY_INFO */
	RTM_ROUTE_EXPIRED,       /* C1: route handle,  C2: PRTM_ROUTE_INFO */
	RTM_CHANGE_NOTIFICATION  /* C1: notify handle, C2: NotifyContext */
} RTM_EVENT_TYPE, *PRTM_EVENT_TYPE;

/*
 * The event callback a client gives to RtmRegisterEntity.
 *
 * RtmRegHandle is the registration handle of the client being told.
 * Context1 and Context2 depend on EventType:
 *   RTM_ENTITY_REGISTERED, RTM_ENTITY_DEREGISTERED — Context1 is the handle
 *     of the entity that registered or deregistered, Context2 points to its
 *     RTM_ENTITY_INFO; valid only during the call (copy it to keep it).
 *   RTM_ROUTE_EXPIRED — sent to the route's owner when the route's
 *     TimeToLive has elapsed.  Context1 is the route's handle, referenced for
 *     the callee; Context2 points to the owner's in-place RTM_ROUTE_INFO of
 *     the route (the one RtmGetRoutePointer returns): the owner may lock the
 *     route, edit it there and commit with RtmUpdateAndUnlockRoute.  Returning ERROR_NOT_SUPPORTED asks the RTM to delete
 *     the route (and the RTM then drops that reference); any other return
 *     means the owner handled the expiry and must release the handle with
 *     RtmReleaseRoutes.
 *   RTM_CHANGE_NOTIFICATION — changes are pending for a notification
 *     registration: Context1 is its RTM_NOTIFY_HANDLE, Context2 the
 *     NotifyContext given to RtmRegisterForChangeNotification.  The client
 *     drains them with RtmGetChangedDests, here or later.
 * The return value is ignored except for RTM_ROUTE_EXPIRED.
 *
 * Callback contract (threads and locks):
 *   - Callbacks run with no internal lock held and may call the API, except
 *     as the documentation forbids: no RtmRegisterEntity,
 *     RtmDeregisterEntity or RtmGetRegisteredEntities inside
 *     RTM_ENTITY_REGISTERED / RTM_ENTITY_DEREGISTERED; no
 *     RtmRegisterForChangeNotification inside RTM_CHANGE_NOTIFICATION.
 *   - RTM_ENTITY_REGISTERED / RTM_ENTITY_DEREGISTERED are delivered on the
 *     thread that called RtmRegisterEntity / RtmDeregisterEntity, before
 *     that call returns, to every other entity of the same instance and
 *     address family.
 *   - RTM_CHANGE_NOTIFICATION is delivered on the thread whose API call (or
 *     timer) made the change pending, after that call's locks are released.
 *   - RTM_ROUTE_EXPIRED is delivered on the instance's timer thread.
 *   - Callbacks for one entity can therefore run at the same time on
 *     different threads (the timer thread and any thread calling the API):
 *     the client protects its own data with its own locks.
 *   - Callbacks may nest (a callback's API call causes another delivery on
 *     the same thread, e.g. a change in another instance); every nested
 *     delivery is made, to any depth.  A change made inside an
 *     RTM_CHANGE_NOTIFICATION callback to the same instance is signalled
 *     after that callback returns, when the outer delivery loops again,
 *     never from inside it.
 *   - After RtmDeregisterEntity returns, no callback for that entity starts,
 *     and any in progress on other threads has finished.  Called from the
 *     entity's own callback or method, it does not wait for that one.
 * See API-NOTES.md.
 */
typedef DWORD(WINAPI *_EVENT_CALLBACK)(RTM_ENTITY_HANDLE RtmRegHandle, RTM_EVENT_TYPE EventType,
				       PVOID Context1, PVOID Context2);

typedef _EVENT_CALLBACK RTM_EVENT_CALLBACK, *PRTM_EVENT_CALLBACK;

/* ------------------------------------------------------------------------
 * Methods exported by a client
 */

/* Method ids are bits of an RTM_ENTITY_METHOD_TYPE. */
#define METHOD_TYPE_ALL_METHODS 0xFFFFFFFF

#define METHOD_RIP2_NEIGHBOUR_ADDR 0x00000001
#define METHOD_RIP2_OUTBOUND_INTF 0x00000002
#define METHOD_RIP2_ROUTE_TAG 0x00000004
#define METHOD_RIP2_ROUTE_TIMESTAMP 0x00000008

#define METHOD_BGP4_AS_PATH 0x00000001
#define METHOD_BGP4_PEER_ID 0x00000002
#define METHOD_BGP4_PA_ORIGIN 0x00000004
#define METHOD_BGP4_NEXTHOP_ATTR 0x00000008

typedef DWORD RTM_ENTITY_METHOD_TYPE, *PRTM_ENTITY_METHOD_TYPE;

/* Input of a method call.  Variable size: InputData has InputSize bytes. */
typedef struct _RTM_ENTITY_METHOD_INPUT {
	RTM_ENTITY_METHOD_TYPE MethodType; /* method(s) to invoke */
	UINT InputSize;                    /* bytes in InputData */
	UCHAR InputData[1];                /* input buffer */
} RTM_ENTITY_METHOD_INPUT, *PRTM_ENTITY_METHOD_INPUT;

/* Output of one method.  Variable size: OutputData has OutputSize bytes. */
typedef struct _RTM_ENTITY_METHOD_OUTPUT {
	RTM_ENTITY_METHOD_TYPE MethodType; /* method that produced it */
	DWORD MethodStatus;                /* its status */
	UINT OutputSize;                   /* bytes in OutputData */
	UCHAR OutputData[1];               /* output buffer */
} RTM_ENTITY_METHOD_OUTPUT, *PRTM_ENTITY_METHOD_OUTPUT;

/*
 * An exported method.  CallerHandle is the calling client, CalleeHandle the
 * exporting one; called only through RtmInvokeMethod.
 */
typedef VOID(WINAPI *_ENTITY_METHOD)(RTM_ENTITY_HANDLE CallerHandle,
				     RTM_ENTITY_HANDLE CalleeHandle,
				     RTM_ENTITY_METHOD_INPUT *Input,
				     RTM_ENTITY_METHOD_OUTPUT *Output);

typedef _ENTITY_METHOD RTM_ENTITY_EXPORT_METHOD, *PRTM_ENTITY_EXPORT_METHOD;

/* The methods a client exports.  Variable size: Methods has NumMethods. */
typedef struct _RTM_ENTITY_EXPORT_METHODS {
	UINT NumMethods;
	RTM_ENTITY_EXPORT_METHOD Methods[1];
} RTM_ENTITY_EXPORT_METHODS, *PRTM_ENTITY_EXPORT_METHODS;

/* BlockingFlag of RtmBlockMethods. */
#define RTM_RESUME_METHODS 0
#define RTM_BLOCK_METHODS 1

/* ------------------------------------------------------------------------
 * Flags
 */

/* In/out flags of adding, updating and deleting routes. */
typedef DWORD RTM_ROUTE_CHANGE_FLAGS, *PRTM_ROUTE_CHANGE_FLAGS;

#define RTM_ROUTE_CHANGE_FIRST 0x01     /* in: match without the neighbour */
#define RTM_ROUTE_CHANGE_NEW 0x02       /* out: a route was created */
#define RTM_ROUTE_CHANGE_BEST 0x00010000 /* out: the best route changed */

/* Output flags of RtmAddNextHop. */
typedef DWORD RTM_NEXTHOP_CHANGE_FLAGS, *PRTM_NEXTHOP_CHANGE_FLAGS;

#define RTM_NEXTHOP_CHANGE_NEW 0x01 /* a next hop was added (0: updated) */

/* Criteria for matching routes (RtmGetExactMatchRoute, RtmCreateRouteEnum). */
typedef DWORD RTM_MATCH_FLAGS, *PRTM_MATCH_FLAGS;

#define RTM_MATCH_NONE 0x00000000
#define RTM_MATCH_OWNER 0x00000001
#define RTM_MATCH_NEIGHBOUR 0x00000002
#define RTM_MATCH_PREF 0x00000004
#define RTM_MATCH_NEXTHOP 0x00000008
#define RTM_MATCH_INTERFACE 0x00000010
#define RTM_MATCH_FULL 0x0000FFFF

/*
 * ProtocolId values: which route a destination query reports as best.
 * Any other value is a protocol id (RTM_ENTITY_ID.EntityProtocolId).
 */
#define RTM_BEST_PROTOCOL ((ULONG)0)  /* the best route, whoever owns it */
#define RTM_THIS_PROTOCOL ((ULONG)~0) /* the caller's protocol's best route */

/* Enumeration flags: one of START/NEXT/RANGE, with one of the owner flags. */
typedef DWORD RTM_ENUM_FLAGS, *PRTM_ENUM_FLAGS;

#define RTM_ENUM_START 0x00000000 /* from 0/0; no address */
#define RTM_ENUM_NEXT 0x00000001  /* from the address to the end */
#define RTM_ENUM_RANGE 0x00000002 /* within the address's prefix */

#define RTM_ENUM_ALL_DESTS 0x00000000
#define RTM_ENUM_OWN_DESTS 0x01000000 /* dests whose best route is ours */

#define RTM_ENUM_ALL_ROUTES 0x00000000
#define RTM_ENUM_OWN_ROUTES 0x00010000 /* our routes only */

/* Notification flags: change types, optionally with ONLY_MARKED_DESTS. */
typedef DWORD RTM_NOTIFY_FLAGS, *PRTM_NOTIFY_FLAGS;

#define RTM_NUM_CHANGE_TYPES 3

#define RTM_CHANGE_TYPE_ALL 0x0001        /* any change to a destination */
#define RTM_CHANGE_TYPE_BEST 0x0002       /* changes of/to the best route */
#define RTM_CHANGE_TYPE_FORWARDING 0x0004 /* best-route changes that matter
					   * to forwarding */

#define RTM_NOTIFY_ONLY_MARKED_DESTS 0x00010000 /* only marked destinations */

/* ========================================================================
 * Functions.  RtmRegHandle, the first parameter of all but the IPv6
 * helpers, is always [in]: the caller's own registration handle from
 * RtmRegisterEntity.
 */

/* ------------------------------------------------------------------------
 * Registration
 */

/**
 * Registers a client with an RTM instance for one address family.
 *
 * @param[in]  RtmEntityInfo  the instance, address family and entity id.
 * @param[in]  ExportMethods  methods the client exports, or NULL for none.
 * @param[in]  EventCallback  the client's event callback, or NULL: the
 *                            client then gets no event, and its expiring
 *                            routes are deleted by the RTM.
 * @param[in]  ReserveOpaquePointer TRUE to reserve an opaque pointer for
 *                            this client in every destination.
 * @param[out] RtmRegProfile  receives the instance's limits and views.
 * @param[out] RtmRegHandle   receives the registration handle.
 * @retval ERROR_ALREADY_EXISTS  an entity with the same instance, address
 *         family and EntityId is registered.
 * @retval ERROR_BAD_CONFIGURATION  the RTM configuration is corrupt.
 * @retval ERROR_FILE_NOT_FOUND  the RTM configuration was not found.
 * @retval ERROR_INVALID_DATA  a parameter contains incorrect information.
 * @retval ERROR_INVALID_PARAMETER  a parameter contains incorrect
 *         information (a required pointer is NULL, among others).
 * @retval ERROR_NO_SYSTEM_RESOURCES  not enough system resources: every
 *         opaque pointer is reserved, 127 instance and family pairs are in
 *         use, or the 65536 entity slots are taken (by registered entities
 *         and by deregistered ones whose handles are still referenced).
 * @retval ERROR_NOT_ENOUGH_MEMORY  not enough memory.
 * Other entities of the instance and family receive RTM_ENTITY_REGISTERED
 * (see the callback contract).  Which configurations and address families
 * exist, and which condition gives which of the parameter and configuration
 * codes: see API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmRegisterEntity(PRTM_ENTITY_INFO RtmEntityInfo,
					 PRTM_ENTITY_EXPORT_METHODS ExportMethods,
					 RTM_EVENT_CALLBACK EventCallback,
					 BOOL ReserveOpaquePointer,
					 PRTM_REGN_PROFILE RtmRegProfile,
					 PRTM_ENTITY_HANDLE RtmRegHandle);

/**
 * Deregisters a client and releases its registration handle.
 *
 * @param[in] RtmRegHandle  the client to deregister.
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 * Nothing else can make it fail: it allocates nothing.  The client should
 * first release its locks, handles and information structures; afterwards
 * it must not call the API with this handle, except to unlock what another
 * of its threads still holds locked (the locks the calling thread holds for
 * it are released with it).  Its routes and next hops are deleted like any
 * change: it waits while another client holds one of them locked.  Other
 * entities receive
 * RTM_ENTITY_DEREGISTERED, and no callback or method of this client runs
 * after the call returns (it waits for those running on other threads; one
 * running on the calling thread, from which it is called, goes on to its
 * end).  What becomes of the client's routes, next hops, lists,
 * enumerations and notifications: see API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmDeregisterEntity(RTM_ENTITY_HANDLE RtmRegHandle);

/**
 * Returns the clients registered with the caller's instance and address
 * family, the caller included.
 *
 * @param[in]     RtmRegHandle   the caller.
 * @param[in,out] NumEntities    in: capacity of the arrays; out: number of
 *                               entities returned.
 * @param[out]    EntityHandles  receives referenced entity handles (release
 *                               with RtmReleaseEntities), or NULL.
 * @param[out]    EntityInfos    receives their RTM_ENTITY_INFO, or NULL.
 * @retval ERROR_INSUFFICIENT_BUFFER  more entities than the capacity;
 *         *NumEntities receives the number registered and nothing is
 *         written or referenced (call again with that capacity).
 * @retval ERROR_INVALID_HANDLE (+)  the handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  NumEntities is NULL.
 */
RTMV2_API DWORD WINAPI RtmGetRegisteredEntities(RTM_ENTITY_HANDLE RtmRegHandle,
						PUINT NumEntities,
						PRTM_ENTITY_HANDLE EntityHandles,
						PRTM_ENTITY_INFO EntityInfos);

/**
 * Releases entity handles (from RtmGetRegisteredEntities, callbacks and the
 * like).
 *
 * @param[in] RtmRegHandle   the caller.
 * @param[in] NumEntities    number of handles.
 * @param[in] EntityHandles  the handles to release.
 * @retval ERROR_INVALID_HANDLE  a handle is invalid, or is listed more
 *         often than the caller holds references to it; nothing is released.
 * @retval ERROR_INVALID_PARAMETER (+)  EntityHandles is NULL and NumEntities
 *         is not 0.
 */
RTMV2_API DWORD WINAPI RtmReleaseEntities(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumEntities,
					  PRTM_ENTITY_HANDLE EntityHandles);

/* ------------------------------------------------------------------------
 * Opaque pointers
 */

/**
 * Locks or unlocks a destination and its routes.
 *
 * @param[in] RtmRegHandle  the caller.
 * @param[in] DestHandle    the destination.
 * @param[in] Exclusive     TRUE for an exclusive lock, FALSE for shared; the
 *                          same value must be given to unlock.
 * @param[in] LockDest      TRUE to lock, FALSE to unlock.
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  unlocking: this thread does not hold
 *         the destination locked in that mode; locking exclusively: this
 *         thread holds it (or an object sharing its internal lock) shared.
 * @retval ERROR_NO_SYSTEM_RESOURCES (+)  this thread holds 16 locks.
 * Locks are per thread.  Hold it briefly.  While it is held, other clients'
 * calls, timers and deregistrations do not change the destination or its
 * routes (they wait for the unlock); an unlock by a client whose entity
 * deregistered meanwhile still works.  Any entity may lock any
 * destination: the SDK reference also lists ERROR_ACCESS_DENIED, for a
 * caller that does not own the destination, which rtmv2 never returns, since
 * the reference defines no owner of a destination (API-NOTES.md).
 */
RTMV2_API DWORD WINAPI RtmLockDestination(RTM_ENTITY_HANDLE RtmRegHandle,
					  RTM_DEST_HANDLE DestHandle, BOOL Exclusive,
					  BOOL LockDest);

/**
 * Returns the address of the caller's opaque pointer slot in a destination.
 *
 * @param[in]  RtmRegHandle       the caller.
 * @param[in]  DestHandle         the destination.
 * @param[out] OpaqueInfoPointer  receives a pointer to the caller's slot
 *                                (a PVOID the caller may read and write
 *                                while it holds the destination lock);
 *                                unchanged on failure.
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 * @retval ERROR_NOT_FOUND  the caller reserved no opaque pointer.
 * @retval ERROR_INVALID_PARAMETER (+)  OpaqueInfoPointer is NULL.
 */
RTMV2_API DWORD WINAPI RtmGetOpaqueInformationPointer(RTM_ENTITY_HANDLE RtmRegHandle,
						      RTM_DEST_HANDLE DestHandle,
						      PVOID *OpaqueInfoPointer);

/* ------------------------------------------------------------------------
 * Export methods
 */

/**
 * Returns the methods a client exports.
 *
 * @param[in]     RtmRegHandle  the caller.
 * @param[in]     EntityHandle  the client whose methods are wanted.
 * @param[in,out] NumMethods    in: capacity of ExptMethods (0 to ask only
 *                              for the count); out: number of methods the
 *                              client exports.
 * @param[out]    ExptMethods   receives the method entry points (NULL
 *                              allowed when *NumMethods is 0).
 * @retval ERROR_INSUFFICIENT_BUFFER  the capacity is too small; ExptMethods
 *         holds as many as fit.
 * @retval ERROR_INVALID_HANDLE (+)  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  NumMethods is NULL, or ExptMethods
 *         is NULL with a non-zero capacity.
 * Call the methods only through RtmInvokeMethod.  See API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmGetEntityMethods(RTM_ENTITY_HANDLE RtmRegHandle,
					   RTM_ENTITY_HANDLE EntityHandle, PUINT NumMethods,
					   PRTM_ENTITY_EXPORT_METHOD ExptMethods);

/**
 * Invokes a method (or methods) exported by another client.
 *
 * @param[in]     RtmRegHandle  the caller.
 * @param[in]     EntityHandle  the client whose method is invoked.
 * @param[in]     Input         the method id(s) and the input buffer.
 * @param[in,out] OutputSize    in: size of Output in bytes; out: bytes
 *                              written.
 * @param[out]    Output        receives one RTM_ENTITY_METHOD_OUTPUT per
 *                              method invoked.
 * @retval ERROR_INVALID_HANDLE  the handle is invalid, or the target is
 *         deregistering.
 * @retval ERROR_INSUFFICIENT_BUFFER (+)  Output has no room for the header
 *         of the next method's output; that method and the rest were not
 *         called, and *OutputSize holds the bytes used.
 * @retval ERROR_INVALID_PARAMETER (+)  a pointer is NULL.
 * @retval ERROR_POSSIBLE_DEADLOCK (+)  the caller is the target and has its
 *         methods blocked: it would wait for itself.
 * Waits while the target's methods are blocked (RtmBlockMethods).  How the
 * bits of MethodType map to methods and outputs: see API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmInvokeMethod(RTM_ENTITY_HANDLE RtmRegHandle,
				       RTM_ENTITY_HANDLE EntityHandle,
				       PRTM_ENTITY_METHOD_INPUT Input, PUINT OutputSize,
				       PRTM_ENTITY_METHOD_OUTPUT Output);

/**
 * Blocks or resumes the invocation of the caller's own methods.
 *
 * @param[in] RtmRegHandle  the caller.
 * @param[in] TargetHandle  a destination, route or next hop of the
 *                          caller's instance and family, or NULL for all
 *                          targets.
 * @param[in] TargetType    the kind of TargetHandle, or 0 for all targets
 *                          (not checked: its values are not defined by the
 *                          SDK; the handle's own kind is).
 * @param[in] BlockingFlag  RTM_BLOCK_METHODS or RTM_RESUME_METHODS.
 * @retval ERROR_INVALID_HANDLE  a handle is invalid (TargetHandle: not NULL
 *         and not a valid destination, route or next hop handle of the
 *         caller's instance and family).
 * @retval ERROR_INVALID_PARAMETER (+)  BlockingFlag is neither value.
 * As on Windows, blocking per target is not supported: a valid target
 * blocks or resumes all of the caller's methods, which covers it.
 * Blocking waits for invocations already inside a method, except one on the
 * calling thread (a method may block its own entity).  See
 * API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmBlockMethods(RTM_ENTITY_HANDLE RtmRegHandle, HANDLE TargetHandle,
				       UCHAR TargetType, DWORD BlockingFlag);

/* ------------------------------------------------------------------------
 * Handle to information
 */

/**
 * Returns information about a registered client.
 *
 * @param[in]  RtmRegHandle  the caller.
 * @param[in]  EntityHandle  the client to describe.
 * @param[out] EntityInfo    receives its RTM_ENTITY_INFO; release with
 *                           RtmReleaseEntityInfo.
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  EntityInfo is NULL.
 */
RTMV2_API DWORD WINAPI RtmGetEntityInfo(RTM_ENTITY_HANDLE RtmRegHandle,
					RTM_ENTITY_HANDLE EntityHandle,
					PRTM_ENTITY_INFO EntityInfo);

/**
 * Returns information about a destination.
 *
 * @param[in]  RtmRegHandle  the caller.
 * @param[in]  DestHandle    the destination.
 * @param[in]  ProtocolId    which route each view reports as best:
 *                           RTM_BEST_PROTOCOL, RTM_THIS_PROTOCOL or a
 *                           protocol id (not a search criterion).
 * @param[in]  TargetViews   views to report; RTM_VIEW_MASK_ANY for none.
 * @param[out] DestInfo      a buffer of RTM_SIZE_OF_DEST_INFO(number of
 *                           views in TargetViews) bytes; filled, and
 *                           released with RtmReleaseDestInfo.
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  DestInfo is NULL.
 * How a protocol id selects routes: see API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmGetDestInfo(RTM_ENTITY_HANDLE RtmRegHandle, RTM_DEST_HANDLE DestHandle,
				      ULONG ProtocolId, RTM_VIEW_SET TargetViews,
				      PRTM_DEST_INFO DestInfo);

/**
 * Returns information about a route.
 *
 * @param[in]  RtmRegHandle  the caller.
 * @param[in]  RouteHandle   the route.
 * @param[out] RouteInfo     a buffer of RTM_SIZE_OF_ROUTE_INFO(
 *                           MaxNextHopsInRoute) bytes, or NULL; release
 *                           with RtmReleaseRouteInfo.
 * @param[out] DestAddress   receives the route's destination address, or
 *                           NULL.
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 */
RTMV2_API DWORD WINAPI RtmGetRouteInfo(RTM_ENTITY_HANDLE RtmRegHandle,
				       RTM_ROUTE_HANDLE RouteHandle, PRTM_ROUTE_INFO RouteInfo,
				       PRTM_NET_ADDRESS DestAddress);

/**
 * Returns information about a next hop.
 *
 * @param[in]  RtmRegHandle   the caller.
 * @param[in]  NextHopHandle  the next hop.
 * @param[out] NextHopInfo    receives its RTM_NEXTHOP_INFO; release with
 *                            RtmReleaseNextHopInfo.
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  NextHopInfo is NULL.
 */
RTMV2_API DWORD WINAPI RtmGetNextHopInfo(RTM_ENTITY_HANDLE RtmRegHandle,
					 RTM_NEXTHOP_HANDLE NextHopHandle,
					 PRTM_NEXTHOP_INFO NextHopInfo);

/**
 * Releases an RTM_ENTITY_INFO filled by RtmGetEntityInfo.
 *
 * @param[in] RtmRegHandle  the caller.
 * @param[in] EntityInfo    the structure (its memory stays the caller's).
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  EntityInfo is NULL.
 */
RTMV2_API DWORD WINAPI RtmReleaseEntityInfo(RTM_ENTITY_HANDLE RtmRegHandle,
					    PRTM_ENTITY_INFO EntityInfo);

/**
 * Releases the handles inside one RTM_DEST_INFO (from RtmGetDestInfo or a
 * destination query).
 *
 * @param[in] RtmRegHandle  the caller.
 * @param[in] DestInfo      the structure (its memory stays the caller's).
 * @retval ERROR_INVALID_HANDLE  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  DestInfo is NULL.
 */
RTMV2_API DWORD WINAPI RtmReleaseDestInfo(RTM_ENTITY_HANDLE RtmRegHandle,
					  PRTM_DEST_INFO DestInfo);

/**
 * Releases the handles inside an RTM_ROUTE_INFO (from RtmGetRouteInfo or
 * RtmGetExactMatchRoute).
 *
 * @param[in] RtmRegHandle  the caller.
 * @param[in] RouteInfo     the structure (its memory stays the caller's).
 * @retval ERROR_INVALID_HANDLE  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  RouteInfo is NULL.
 */
RTMV2_API DWORD WINAPI RtmReleaseRouteInfo(RTM_ENTITY_HANDLE RtmRegHandle,
					   PRTM_ROUTE_INFO RouteInfo);

/**
 * Releases the handles inside an RTM_NEXTHOP_INFO (from RtmGetNextHopInfo).
 *
 * @param[in] RtmRegHandle  the caller.
 * @param[in] NextHopInfo   the structure (its memory stays the caller's).
 * @retval ERROR_INVALID_HANDLE  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  NextHopInfo is NULL.
 */
RTMV2_API DWORD WINAPI RtmReleaseNextHopInfo(RTM_ENTITY_HANDLE RtmRegHandle,
					     PRTM_NEXTHOP_INFO NextHopInfo);

/* ------------------------------------------------------------------------
 * Adding, deleting and updating routes
 */

/**
 * Adds a route to a destination, or updates an existing route.
 *
 * @param[in]     RtmRegHandle  the caller (the route's owner).
 * @param[in,out] RouteHandle   NULL: add or update the route RouteInfo
 *                              identifies, return no handle; pointer to
 *                              NULL: the same, and receive the route's
 *                              referenced handle (release with
 *                              RtmReleaseRoutes); pointer to a handle:
 *                              update that route (left unchanged).
 * @param[in]     DestAddress   the destination's address and length.
 * @param[in]     RouteInfo     the route: Neighbour, Flags, PrefInfo,
 *                              BelongsToViews, EntitySpecificInfo and
 *                              NextHopsList are taken from it.
 * @param[in]     TimeToLive    milliseconds until the route expires, or
 *                              INFINITE.
 * @param[in]     RouteListHandle  a route list to move the route to, or
 *                              NULL.
 * @param[in]     NotifyType    reserved; 0.
 * @param[in]     NotifyHandle  reserved; NULL.
 * @param[in,out] ChangeFlags   in: 0, RTM_ROUTE_CHANGE_FIRST (ignore the
 *                              neighbour when matching) or
 *                              RTM_ROUTE_CHANGE_NEW (always add); out:
 *                              RTM_ROUTE_CHANGE_NEW if a route was created,
 *                              RTM_ROUTE_CHANGE_BEST if the best route
 *                              changed or this route is the best.
 * @retval ERROR_ACCESS_DENIED  the caller does not own the route.
 * @retval ERROR_INVALID_HANDLE  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER  a parameter contains incorrect
 *         information.
 * @retval ERROR_NOT_ENOUGH_MEMORY  not enough memory.
 * A route is identified by destination, owner and neighbour.  A change of
 * best route makes a change notification pending.  What is validated
 * (next-hop count and owners, views, address length, host bits, TimeToLive
 * 0): see API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmAddRouteToDest(RTM_ENTITY_HANDLE RtmRegHandle,
					 PRTM_ROUTE_HANDLE RouteHandle,
					 PRTM_NET_ADDRESS DestAddress, PRTM_ROUTE_INFO RouteInfo,
					 ULONG TimeToLive, RTM_ROUTE_LIST_HANDLE RouteListHandle,
					 RTM_NOTIFY_FLAGS NotifyType,
					 RTM_NOTIFY_HANDLE NotifyHandle,
					 PRTM_ROUTE_CHANGE_FLAGS ChangeFlags);

/**
 * Deletes a route and releases the caller's handle to it.
 *
 * @param[in]  RtmRegHandle  the caller (the route's owner).
 * @param[in]  RouteHandle   the route; consumed on success, so the caller
 *                           must not release it again.
 * @param[out] ChangeFlags   receives RTM_ROUTE_CHANGE_BEST if the best
 *                           route changed, else 0; may be NULL (rtmv2).
 * @retval ERROR_ACCESS_DENIED  the caller does not own the route.
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 * @retval ERROR_NOT_FOUND  the route was not found (already deleted).
 * If it was the last route of the destination in a view and the
 * destination is held (RtmHoldDestination), the route goes into hold-down.
 */
RTMV2_API DWORD WINAPI RtmDeleteRouteToDest(RTM_ENTITY_HANDLE RtmRegHandle,
					    RTM_ROUTE_HANDLE RouteHandle,
					    PRTM_ROUTE_CHANGE_FLAGS ChangeFlags);

/**
 * Marks a destination for hold-down, should its last route in a view be
 * deleted.
 *
 * @param[in] RtmRegHandle  the caller.
 * @param[in] DestHandle    the destination.
 * @param[in] TargetViews   the views in which to hold it.
 * @param[in] HoldTime      hold-down time in milliseconds; not 0.
 * @retval ERROR_INVALID_PARAMETER  HoldTime is 0.
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 * @retval ERROR_NOT_ENOUGH_MEMORY (+)  not enough memory.
 * Which hold time applies (the documentation contradicts itself) and what
 * ends a hold-down: see API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmHoldDestination(RTM_ENTITY_HANDLE RtmRegHandle,
					  RTM_DEST_HANDLE DestHandle, RTM_VIEW_SET TargetViews,
					  ULONG HoldTime);

/**
 * Gives a route's owner direct read access to the route.
 *
 * @param[in]  RtmRegHandle  the caller (the route's owner).
 * @param[in]  RouteHandle   the route.
 * @param[out] RoutePointer  receives a pointer to the RTM's RTM_ROUTE_INFO
 *                           of the route, valid while the caller holds
 *                           RouteHandle.
 * @retval ERROR_ACCESS_DENIED  the caller does not own the route.
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  RoutePointer is NULL.
 */
RTMV2_API DWORD WINAPI RtmGetRoutePointer(RTM_ENTITY_HANDLE RtmRegHandle,
					  RTM_ROUTE_HANDLE RouteHandle,
					  PRTM_ROUTE_INFO *RoutePointer);

/**
 * Locks or unlocks a route so that its owner can change it in place.
 *
 * @param[in]  RtmRegHandle  the caller.
 * @param[in]  RouteHandle   the route.
 * @param[in]  Exclusive     TRUE for exclusive, FALSE for shared.
 * @param[in]  LockRoute     TRUE to lock, FALSE to unlock.
 * @param[out] RoutePointer  NULL, or receives a pointer to the RTM's
 *                           RTM_ROUTE_INFO if the caller owns the route.
 * @retval ERROR_ACCESS_DENIED  the caller does not own the route.
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  unlocking: this thread does not hold
 *         the route locked in that mode; locking exclusively: this thread
 *         holds it (or an object sharing its internal lock) shared.
 * @retval ERROR_NO_SYSTEM_RESOURCES (+)  this thread holds 16 locks.
 * @retval ERROR_NOT_ENOUGH_MEMORY (+)  no memory for the route pointer.
 * This locks the whole destination, for this thread.  While it is locked,
 * call nothing else until RtmLockRoute(..., FALSE, ...) or
 * RtmUpdateAndUnlockRoute.  Only Neighbour, PrefInfo, BelongsToViews,
 * EntitySpecificInfo and NextHopsList may be changed, and a change must be
 * committed with RtmUpdateAndUnlockRoute.  Other clients' calls, timers and
 * deregistrations do not change the destination meanwhile (they wait).
 * Unlocking works from the handle
 * even after the route was deleted, and after the caller's entity
 * deregistered (with its stale handle).  The first lock of a route by a thread
 * lends it a reference on each next hop of the route, for the in-place
 * protocol (see RtmUpdateAndUnlockRoute); an unlock without a commit gives
 * back what is left of it.
 */
RTMV2_API DWORD WINAPI RtmLockRoute(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_HANDLE RouteHandle,
				    BOOL Exclusive, BOOL LockRoute,
				    PRTM_ROUTE_INFO *RoutePointer);

/**
 * Commits the in-place changes to a route locked with RtmLockRoute and
 * unlocks it.
 *
 * @param[in]  RtmRegHandle     the caller (the route's owner).
 * @param[in]  RouteHandle      the locked route.
 * @param[in]  TimeToLive       milliseconds until it expires, or INFINITE.
 * @param[in]  RouteListHandle  a route list to move it to, or NULL.
 * @param[in]  NotifyType       reserved; 0.
 * @param[in]  NotifyHandle     reserved; NULL.
 * @param[out] ChangeFlags      receives RTM_ROUTE_CHANGE_BEST if the best
 *                              route changed, else 0; may be NULL (rtmv2).
 * @retval ERROR_ACCESS_DENIED  the caller does not own the route.
 * @retval ERROR_INVALID_HANDLE (+)  a handle is invalid, or this thread has
 *         not locked this route with RtmLockRoute (a lock on another route or
 *         destination does not count), or a next hop put into the route has
 *         no reference of the caller's to hand over (see below).
 * @retval ERROR_NOT_FOUND (+)  the route was deleted while locked.
 * @retval ERROR_INVALID_PARAMETER (+)  the changed route is invalid.
 * @retval ERROR_NOT_ENOUGH_MEMORY (+)  not enough memory.
 * On success the route is unlocked; on failure it stays locked and the
 * caller unlocks it with RtmLockRoute(..., FALSE, ...).
 * References (the guide's in-place protocol): RtmLockRoute lends the
 * caller a reference on each next hop of the route; the commit takes over
 * one reference for every next hop (and the neighbour) the edited route
 * names: the lent one, or for a next hop the caller put in, the one it took
 * with RtmReferenceHandles.  A next hop taken out is released by the caller
 * with RtmReleaseNextHops, before or after this call.
 */
RTMV2_API DWORD WINAPI RtmUpdateAndUnlockRoute(RTM_ENTITY_HANDLE RtmRegHandle,
					       RTM_ROUTE_HANDLE RouteHandle, ULONG TimeToLive,
					       RTM_ROUTE_LIST_HANDLE RouteListHandle,
					       RTM_NOTIFY_FLAGS NotifyType,
					       RTM_NOTIFY_HANDLE NotifyHandle,
					       PRTM_ROUTE_CHANGE_FLAGS ChangeFlags);

/* ------------------------------------------------------------------------
 * Queries.  For the destination queries, ProtocolId chooses which route each
 * view reports as best (RTM_BEST_PROTOCOL, RTM_THIS_PROTOCOL or a protocol
 * id; not a search criterion), TargetViews the views reported
 * (RTM_VIEW_MASK_ANY: none), and DestInfo is a caller buffer of
 * RTM_SIZE_OF_DEST_INFO(views) bytes, released with RtmReleaseDestInfo.
 */

/**
 * Finds the destination with exactly this address and prefix length.
 *
 * @param[in]  RtmRegHandle  the caller.
 * @param[in]  DestAddress   the address and prefix length.
 * @param[in]  ProtocolId    see above.
 * @param[in]  TargetViews   see above.
 * @param[out] DestInfo      receives the destination's information.
 * @retval ERROR_NOT_FOUND  no such destination.
 * @retval ERROR_INVALID_HANDLE (+)  the handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  a pointer is NULL or the address is
 *         invalid (family, length).
 */
RTMV2_API DWORD WINAPI RtmGetExactMatchDestination(RTM_ENTITY_HANDLE RtmRegHandle,
						   PRTM_NET_ADDRESS DestAddress,
						   ULONG ProtocolId, RTM_VIEW_SET TargetViews,
						   PRTM_DEST_INFO DestInfo);

/**
 * Finds the destination with the longest prefix that contains the address
 * (an exact match first).
 *
 * @param[in]  RtmRegHandle  the caller.
 * @param[in]  DestAddress   the address and prefix length.
 * @param[in]  ProtocolId    see above.
 * @param[in]  TargetViews   see above.
 * @param[out] DestInfo      receives the destination's information.
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 * @retval ERROR_NOT_FOUND  no destination contains the address.
 * @retval ERROR_INVALID_PARAMETER (+)  a pointer is NULL or the address is
 *         invalid (family, length).
 */
RTMV2_API DWORD WINAPI RtmGetMostSpecificDestination(RTM_ENTITY_HANDLE RtmRegHandle,
						     PRTM_NET_ADDRESS DestAddress,
						     ULONG ProtocolId, RTM_VIEW_SET TargetViews,
						     PRTM_DEST_INFO DestInfo);

/**
 * Finds the next less specific destination: the longest prefix that
 * strictly contains the given destination's prefix.
 *
 * @param[in]  RtmRegHandle  the caller.
 * @param[in]  DestHandle    the destination to start from.
 * @param[in]  ProtocolId    see above.
 * @param[in]  TargetViews   see above.
 * @param[out] DestInfo      receives the destination's information.
 * @retval ERROR_INVALID_PARAMETER  a parameter contains incorrect
 *         information.
 * @retval ERROR_NOT_FOUND  there is no less specific destination.
 * @retval ERROR_INVALID_HANDLE (+)  a handle is invalid.
 * The default route (0/0), if present, is returned once; starting from it
 * gives ERROR_NOT_FOUND.  See API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmGetLessSpecificDestination(RTM_ENTITY_HANDLE RtmRegHandle,
						     RTM_DEST_HANDLE DestHandle,
						     ULONG ProtocolId, RTM_VIEW_SET TargetViews,
						     PRTM_DEST_INFO DestInfo);

/**
 * Finds a route of a destination that matches the given criteria.
 *
 * @param[in]     RtmRegHandle    the caller.
 * @param[in]     DestAddress     the destination's address and length.
 * @param[in]     MatchingFlags   RTM_MATCH_*: which of RouteInfo's fields
 *                                (RouteOwner, Neighbour, PrefInfo,
 *                                NextHopsList) and InterfaceIndex must match.
 * @param[in,out] RouteInfo       in: the criteria; out: the matched route's
 *                                information (a buffer of
 *                                RTM_SIZE_OF_ROUTE_INFO(MaxNextHopsInRoute)
 *                                bytes; release with RtmReleaseRouteInfo).
 * @param[in]     InterfaceIndex  with RTM_MATCH_INTERFACE, the interface a
 *                                next hop must be on.
 * @param[in]     TargetViews     views searched; RTM_VIEW_MASK_ANY for all.
 * @param[out]    RouteHandle     NULL, or receives the route's referenced
 *                                handle (release with RtmReleaseRoutes).
 * @retval ERROR_NOT_FOUND  no route matches.
 * @retval ERROR_INVALID_HANDLE (+)  the handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  a required pointer is NULL or the
 *         address is invalid.
 * What RTM_MATCH_PREF and RTM_MATCH_NEXTHOP compare: see API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmGetExactMatchRoute(RTM_ENTITY_HANDLE RtmRegHandle,
					     PRTM_NET_ADDRESS DestAddress,
					     RTM_MATCH_FLAGS MatchingFlags,
					     PRTM_ROUTE_INFO RouteInfo, ULONG InterfaceIndex,
					     RTM_VIEW_SET TargetViews,
					     PRTM_ROUTE_HANDLE RouteHandle);

/**
 * Tells in which views a route is the best route to its destination.
 *
 * @param[in]  RtmRegHandle  the caller.
 * @param[in]  RouteHandle   the route.
 * @param[out] BestInViews   receives the set of those views (0 if none).
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  BestInViews is NULL.
 */
RTMV2_API DWORD WINAPI RtmIsBestRoute(RTM_ENTITY_HANDLE RtmRegHandle,
				      RTM_ROUTE_HANDLE RouteHandle, PRTM_VIEW_SET BestInViews);

/* ------------------------------------------------------------------------
 * Next hops.  Each client has its own next-hop list; a next hop is
 * identified in it by NextHopAddress and InterfaceIndex.
 */

/**
 * Adds a next hop to the caller's next-hop list, or updates one.
 *
 * @param[in]     RtmRegHandle   the caller.
 * @param[in]     NextHopInfo    the next hop; NextHopOwner and State are
 *                               ignored; Flags may hold
 *                               RTM_NEXTHOP_FLAGS_REMOTE, and then the RTM
 *                               sets RemoteNextHop to the destination that
 *                               covers the address (see API-NOTES.md).
 * @param[in,out] NextHopHandle  NULL: add or update the next hop
 *                               NextHopInfo identifies, return no handle;
 *                               pointer to NULL: the same, and receive its
 *                               referenced handle (release with
 *                               RtmReleaseNextHops); pointer to a handle:
 *                               update that next hop (left unchanged).
 * @param[out]    ChangeFlags    receives RTM_NEXTHOP_CHANGE_NEW if a next
 *                               hop was added, 0 if one was updated.
 * @retval ERROR_ACCESS_DENIED  the caller does not own the next hop.
 * @retval ERROR_NOT_ENOUGH_MEMORY  not enough memory.
 * @retval ERROR_INVALID_HANDLE (+)  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  a required pointer is NULL or the
 *         address is invalid.
 */
RTMV2_API DWORD WINAPI RtmAddNextHop(RTM_ENTITY_HANDLE RtmRegHandle,
				     PRTM_NEXTHOP_INFO NextHopInfo,
				     PRTM_NEXTHOP_HANDLE NextHopHandle,
				     PRTM_NEXTHOP_CHANGE_FLAGS ChangeFlags);

/**
 * Finds a next hop in the caller's next-hop list.
 *
 * @param[in]  RtmRegHandle    the caller.
 * @param[in]  NextHopInfo     NextHopAddress and InterfaceIndex identify it.
 * @param[out] NextHopHandle   NULL, or receives its referenced handle
 *                             (release with RtmReleaseNextHops).
 * @param[out] NextHopPointer  NULL, or receives a pointer to the RTM's
 *                             RTM_NEXTHOP_INFO, valid while the caller holds
 *                             the handle.
 * @retval ERROR_ACCESS_DENIED  the caller does not own the next hop.
 * @retval ERROR_NOT_FOUND  no such next hop.
 * @retval ERROR_INVALID_HANDLE (+)  the handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  NextHopInfo is NULL.
 */
RTMV2_API DWORD WINAPI RtmFindNextHop(RTM_ENTITY_HANDLE RtmRegHandle,
				      PRTM_NEXTHOP_INFO NextHopInfo,
				      PRTM_NEXTHOP_HANDLE NextHopHandle,
				      PRTM_NEXTHOP_INFO *NextHopPointer);

/**
 * Deletes a next hop from the caller's next-hop list.
 *
 * @param[in] RtmRegHandle   the caller.
 * @param[in] NextHopHandle  the next hop (consumed on success: do not
 *                           release it again), or NULL to use NextHopInfo.
 * @param[in] NextHopInfo    identifies the next hop when NextHopHandle is
 *                           NULL; otherwise ignored and may be NULL.
 * @retval ERROR_ACCESS_DENIED  the caller does not own the next hop.
 * @retval ERROR_NOT_ENOUGH_MEMORY  not enough memory.
 * @retval ERROR_NOT_FOUND  no such next hop.
 * @retval ERROR_INVALID_HANDLE (+)  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  both NextHopHandle and NextHopInfo
 *         are NULL.
 * Routes that still use the next hop: see API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmDeleteNextHop(RTM_ENTITY_HANDLE RtmRegHandle,
					RTM_NEXTHOP_HANDLE NextHopHandle,
					PRTM_NEXTHOP_INFO NextHopInfo);

/**
 * Gives a next hop's owner direct read-only access to it.
 *
 * @param[in]  RtmRegHandle    the caller (the next hop's owner).
 * @param[in]  NextHopHandle   the next hop.
 * @param[out] NextHopPointer  receives a pointer to the RTM's
 *                             RTM_NEXTHOP_INFO, valid while the caller
 *                             holds NextHopHandle.
 * @retval ERROR_ACCESS_DENIED  the caller does not own the next hop.
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  NextHopPointer is NULL.
 */
RTMV2_API DWORD WINAPI RtmGetNextHopPointer(RTM_ENTITY_HANDLE RtmRegHandle,
					    RTM_NEXTHOP_HANDLE NextHopHandle,
					    PRTM_NEXTHOP_INFO *NextHopPointer);

/**
 * Locks or unlocks a next hop so that its owner can change it in place.
 *
 * @param[in]  RtmRegHandle    the caller.
 * @param[in]  NextHopHandle   the next hop.
 * @param[in]  Exclusive       TRUE for exclusive, FALSE for shared.
 * @param[in]  LockNextHop     TRUE to lock, FALSE to unlock.
 * @param[out] NextHopPointer  NULL, or receives a pointer to the RTM's
 *                             RTM_NEXTHOP_INFO if the caller owns it (left
 *                             as it was otherwise).
 * @retval ERROR_NOT_FOUND  locking: the next hop was deleted.
 * @retval ERROR_INVALID_HANDLE (+)  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  unlocking: this thread does not hold
 *         the next hop locked in that mode; locking exclusively: this thread
 *         holds it (or an object sharing its internal lock) shared.
 * @retval ERROR_NO_SYSTEM_RESOURCES (+)  this thread holds 16 locks.
 * NextHopAddress and InterfaceIndex must not be changed.  Locks are per
 * thread.  While it is held, other clients' updates and deletes of the next
 * hop wait, and so does its owner's deregistration.  Unlocking works from
 * the handle even after the next hop was deleted or freed, and after the
 * caller's entity deregistered (with its stale handle).  Any entity may lock
 * any next hop: the SDK reference also lists ERROR_ACCESS_DENIED, for a
 * caller that does not own the next hop, which rtmv2 never returns, since a
 * lock only holds off changes, and the pointer, the one way to change the
 * next hop in place, is given to its owner alone (API-NOTES.md).
 */
RTMV2_API DWORD WINAPI RtmLockNextHop(RTM_ENTITY_HANDLE RtmRegHandle,
				      RTM_NEXTHOP_HANDLE NextHopHandle, BOOL Exclusive,
				      BOOL LockNextHop, PRTM_NEXTHOP_INFO *NextHopPointer);

/* ------------------------------------------------------------------------
 * Enumerations: Create...Enum, then Get... repeatedly (at most
 * MaxHandlesInEnum items per call), release what each call returned, and
 * finally RtmDeleteEnumHandle.  The order of the items, and whether items
 * come together with ERROR_NO_MORE_ITEMS: see API-NOTES.md.
 */

/**
 * Starts an enumeration of destinations.
 *
 * @param[in]  RtmRegHandle   the caller.
 * @param[in]  TargetViews    views to enumerate; RTM_VIEW_MASK_ANY for all.
 * @param[in]  EnumFlags      RTM_ENUM_START, _NEXT or _RANGE, with
 *                            RTM_ENUM_ALL_DESTS or RTM_ENUM_OWN_DESTS.
 * @param[in]  NetAddress     the start (NEXT) or range (RANGE); ignored
 *                            with START, where it may be NULL.
 * @param[in]  ProtocolId     which best route each item reports
 *                            (RTM_BEST_PROTOCOL, RTM_THIS_PROTOCOL or a
 *                            protocol id).
 * @param[out] RtmEnumHandle  receives the enumeration handle.
 * @retval ERROR_INVALID_PARAMETER  a parameter contains incorrect
 *         information.
 * @retval ERROR_NOT_ENOUGH_MEMORY  not enough memory.
 * @retval ERROR_NOT_SUPPORTED  a requested view is not supported.
 * @retval ERROR_INVALID_HANDLE (+)  the handle is invalid.
 */
RTMV2_API DWORD WINAPI RtmCreateDestEnum(RTM_ENTITY_HANDLE RtmRegHandle,
					 RTM_VIEW_SET TargetViews, RTM_ENUM_FLAGS EnumFlags,
					 PRTM_NET_ADDRESS NetAddress, ULONG ProtocolId,
					 PRTM_ENUM_HANDLE RtmEnumHandle);

/**
 * Returns the next destinations of a destination enumeration.
 *
 * @param[in]     RtmRegHandle  the caller.
 * @param[in]     EnumHandle    the enumeration.
 * @param[in,out] NumDests      in: capacity of DestInfos (at most
 *                              MaxHandlesInEnum); out: number returned.
 * @param[out]    DestInfos     an array of *NumDests entries of
 *                              RTM_SIZE_OF_DEST_INFO(views) bytes each,
 *                              views being the enumeration's number of
 *                              views; release with RtmReleaseDests.
 * @retval ERROR_INVALID_PARAMETER  *NumDests exceeds MaxHandlesInEnum.
 * @retval ERROR_NO_MORE_ITEMS  the enumeration is complete.
 * @retval ERROR_INVALID_HANDLE (+)  a handle is invalid.
 */
RTMV2_API DWORD WINAPI RtmGetEnumDests(RTM_ENTITY_HANDLE RtmRegHandle,
				       RTM_ENUM_HANDLE EnumHandle, PUINT NumDests,
				       PRTM_DEST_INFO DestInfos);

/**
 * Releases destinations returned by RtmGetEnumDests (never those of
 * RtmGetChangedDests).
 *
 * @param[in] RtmRegHandle  the caller.
 * @param[in] NumDests      number of entries.
 * @param[in] DestInfos     the entries (same variable-size layout).
 * @retval ERROR_INVALID_HANDLE  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  DestInfos is NULL and NumDests is
 *         not 0.
 */
RTMV2_API DWORD WINAPI RtmReleaseDests(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumDests,
				       PRTM_DEST_INFO DestInfos);

/**
 * Starts an enumeration of routes, of one destination or of a range.
 *
 * @param[in]  RtmRegHandle       the caller.
 * @param[in]  DestHandle         the destination whose routes to
 *                                enumerate, or NULL for all destinations.
 * @param[in]  TargetViews        views; RTM_VIEW_MASK_ANY for all.
 * @param[in]  EnumFlags          RTM_ENUM_START, _NEXT or _RANGE, with
 *                                RTM_ENUM_ALL_ROUTES or RTM_ENUM_OWN_ROUTES.
 * @param[in]  StartDest          the start (NEXT) or range (RANGE), or NULL
 *                                with START.
 * @param[in]  MatchingFlags      RTM_MATCH_*: criteria the routes must meet.
 * @param[in]  CriteriaRoute      the values to match, or NULL with
 *                                RTM_MATCH_NONE or RTM_MATCH_INTERFACE.
 * @param[in]  CriteriaInterface  with RTM_MATCH_INTERFACE, the interface.
 * @param[out] RtmEnumHandle      receives the enumeration handle.
 * @retval ERROR_INVALID_PARAMETER  a parameter contains incorrect
 *         information.
 * @retval ERROR_NOT_ENOUGH_MEMORY  not enough memory.
 * @retval ERROR_NOT_SUPPORTED  a requested view is not supported.
 * @retval ERROR_INVALID_HANDLE (+)  a handle is invalid.
 */
RTMV2_API DWORD WINAPI RtmCreateRouteEnum(RTM_ENTITY_HANDLE RtmRegHandle,
					  RTM_DEST_HANDLE DestHandle, RTM_VIEW_SET TargetViews,
					  RTM_ENUM_FLAGS EnumFlags, PRTM_NET_ADDRESS StartDest,
					  RTM_MATCH_FLAGS MatchingFlags,
					  PRTM_ROUTE_INFO CriteriaRoute,
					  ULONG CriteriaInterface,
					  PRTM_ENUM_HANDLE RtmEnumHandle);

/**
 * Returns the next routes of a route enumeration.
 *
 * @param[in]     RtmRegHandle  the caller.
 * @param[in]     EnumHandle    the enumeration.
 * @param[in,out] NumRoutes     in: capacity of RouteHandles (at most
 *                              MaxHandlesInEnum); out: number returned.
 * @param[out]    RouteHandles  receives referenced route handles; release
 *                              with RtmReleaseRoutes.
 * @retval ERROR_INVALID_PARAMETER  *NumRoutes exceeds MaxHandlesInEnum.
 * @retval ERROR_NO_MORE_ITEMS  the enumeration is complete.
 * @retval ERROR_NOT_ENOUGH_MEMORY  not enough memory.
 * @retval ERROR_INVALID_HANDLE (+)  a handle is invalid.
 */
RTMV2_API DWORD WINAPI RtmGetEnumRoutes(RTM_ENTITY_HANDLE RtmRegHandle,
					RTM_ENUM_HANDLE EnumHandle, PUINT NumRoutes,
					PRTM_ROUTE_HANDLE RouteHandles);

/**
 * Releases route handles (from RtmGetEnumRoutes, RtmGetListEnumRoutes,
 * RtmAddRouteToDest, RtmGetExactMatchRoute, RTM_ROUTE_EXPIRED, ...).
 *
 * @param[in] RtmRegHandle  the caller.
 * @param[in] NumRoutes     number of handles.
 * @param[in] RouteHandles  the handles.
 * @retval ERROR_INVALID_HANDLE  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  RouteHandles is NULL and NumRoutes
 *         is not 0.
 */
RTMV2_API DWORD WINAPI RtmReleaseRoutes(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumRoutes,
					PRTM_ROUTE_HANDLE RouteHandles);

/**
 * Starts an enumeration of next hops.
 *
 * @param[in]  RtmRegHandle   the caller.
 * @param[in]  EnumFlags      RTM_ENUM_START, RTM_ENUM_NEXT or
 *                            RTM_ENUM_RANGE.
 * @param[in]  NetAddress     the start (NEXT) or range (RANGE), or NULL
 *                            with START.
 * @param[out] RtmEnumHandle  receives the enumeration handle.
 * @retval ERROR_INVALID_PARAMETER  a parameter contains incorrect
 *         information.
 * @retval ERROR_NOT_ENOUGH_MEMORY  not enough memory.
 * @retval ERROR_INVALID_HANDLE (+)  the handle is invalid.
 * Whose next hops are enumerated: see API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmCreateNextHopEnum(RTM_ENTITY_HANDLE RtmRegHandle,
					    RTM_ENUM_FLAGS EnumFlags,
					    PRTM_NET_ADDRESS NetAddress,
					    PRTM_ENUM_HANDLE RtmEnumHandle);

/**
 * Returns the next next hops of a next-hop enumeration.
 *
 * @param[in]     RtmRegHandle    the caller.
 * @param[in]     EnumHandle      the enumeration.
 * @param[in,out] NumNextHops     in: capacity (at most MaxHandlesInEnum);
 *                                out: number returned.
 * @param[out]    NextHopHandles  receives referenced next-hop handles;
 *                                release with RtmReleaseNextHops.
 * @retval ERROR_INVALID_PARAMETER  *NumNextHops exceeds MaxHandlesInEnum.
 * @retval ERROR_NO_MORE_ITEMS  the enumeration is complete.
 * @retval ERROR_INVALID_HANDLE (+)  a handle is invalid.
 */
RTMV2_API DWORD WINAPI RtmGetEnumNextHops(RTM_ENTITY_HANDLE RtmRegHandle,
					  RTM_ENUM_HANDLE EnumHandle, PUINT NumNextHops,
					  PRTM_NEXTHOP_HANDLE NextHopHandles);

/**
 * Releases next-hop handles (from RtmGetEnumNextHops, RtmAddNextHop,
 * RtmFindNextHop).
 *
 * @param[in] RtmRegHandle    the caller.
 * @param[in] NumNextHops     number of handles.
 * @param[in] NextHopHandles  the handles.
 * @retval ERROR_INVALID_HANDLE  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  NextHopHandles is NULL and
 *         NumNextHops is not 0.
 */
RTMV2_API DWORD WINAPI RtmReleaseNextHops(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumNextHops,
					  PRTM_NEXTHOP_HANDLE NextHopHandles);

/**
 * Ends an enumeration (of destinations, routes, next hops or a route list)
 * and frees its resources.
 *
 * @param[in] RtmRegHandle  the caller.
 * @param[in] EnumHandle    the enumeration.
 * @retval ERROR_INVALID_HANDLE  the handle is invalid.
 */
RTMV2_API DWORD WINAPI RtmDeleteEnumHandle(RTM_ENTITY_HANDLE RtmRegHandle,
					   RTM_ENUM_HANDLE EnumHandle);

/* ------------------------------------------------------------------------
 * Change notification
 */

/**
 * Registers the caller for notification of changes to destinations.
 *
 * @param[in]  RtmRegHandle   the caller.
 * @param[in]  TargetViews    the views whose changes are wanted.
 * @param[in]  NotifyFlags    RTM_CHANGE_TYPE_ALL, _BEST and/or _FORWARDING,
 *                            optionally with RTM_NOTIFY_ONLY_MARKED_DESTS.
 * @param[in]  NotifyContext  passed back as Context2 of
 *                            RTM_CHANGE_NOTIFICATION.
 * @param[out] NotifyHandle   receives the notification handle.
 * @retval ERROR_INVALID_PARAMETER  a parameter contains incorrect
 *         information.
 * @retval ERROR_NO_SYSTEM_RESOURCES  the maximum number of notification
 *         registrations is reached.
 * @retval ERROR_NOT_ENOUGH_MEMORY  not enough memory.
 * @retval ERROR_NOT_SUPPORTED  a requested view is not supported.
 * @retval ERROR_INVALID_HANDLE (+)  the handle is invalid.
 * Must not be called inside an RTM_CHANGE_NOTIFICATION callback.  Whether
 * a client is told of its own changes: see API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmRegisterForChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle,
							RTM_VIEW_SET TargetViews,
							RTM_NOTIFY_FLAGS NotifyFlags,
							PVOID NotifyContext,
							PRTM_NOTIFY_HANDLE NotifyHandle);

/**
 * Returns destinations whose changes are pending for a notification
 * registration, and clears them.
 *
 * @param[in]     RtmRegHandle  the caller.
 * @param[in]     NotifyHandle  the notification registration.
 * @param[in,out] NumDests      in: capacity of ChangedDests (at most
 *                              MaxHandlesInEnum); out: number returned.
 * @param[out]    ChangedDests  an array of *NumDests entries of
 *                              RTM_SIZE_OF_DEST_INFO(views) bytes each;
 *                              release with RtmReleaseChangedDests.
 * @retval ERROR_INVALID_PARAMETER  a parameter contains incorrect
 *         information (e.g. *NumDests exceeds MaxHandlesInEnum).
 * @retval ERROR_NO_MORE_ITEMS  no more changed destinations.
 * @retval ERROR_INVALID_HANDLE (+)  a handle is invalid.
 * A destination that changed several times is returned once, with its
 * latest state.  Which views the entries hold, and how a deleted
 * destination is reported: see API-NOTES.md.
 */
RTMV2_API DWORD WINAPI RtmGetChangedDests(RTM_ENTITY_HANDLE RtmRegHandle,
					  RTM_NOTIFY_HANDLE NotifyHandle, PUINT NumDests,
					  PRTM_DEST_INFO ChangedDests);

/**
 * Releases destinations returned by RtmGetChangedDests.
 *
 * @param[in] RtmRegHandle  the caller.
 * @param[in] NotifyHandle  the notification registration.
 * @param[in] NumDests      number of entries.
 * @param[in] ChangedDests  the entries (same variable-size layout).
 * @retval ERROR_INVALID_HANDLE  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  ChangedDests is NULL and NumDests is
 *         not 0.
 */
RTMV2_API DWORD WINAPI RtmReleaseChangedDests(RTM_ENTITY_HANDLE RtmRegHandle,
					      RTM_NOTIFY_HANDLE NotifyHandle, UINT NumDests,
					      PRTM_DEST_INFO ChangedDests);

/**
 * Discards the pending change, if any, of each given destination for a
 * notification registration.
 *
 * @param[in] RtmRegHandle  the caller.
 * @param[in] NotifyHandle  the notification registration.
 * @param[in] NumDests      number of handles.
 * @param[in] ChangedDests  the destination handles (not consumed).
 * @retval ERROR_INVALID_HANDLE  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  ChangedDests is NULL and NumDests is
 *         not 0.
 */
RTMV2_API DWORD WINAPI RtmIgnoreChangedDests(RTM_ENTITY_HANDLE RtmRegHandle,
					     RTM_NOTIFY_HANDLE NotifyHandle, UINT NumDests,
					     PRTM_DEST_HANDLE ChangedDests);

/**
 * Tells whether a destination has a change pending for a notification
 * registration.
 *
 * @param[in]  RtmRegHandle  the caller.
 * @param[in]  NotifyHandle  the notification registration.
 * @param[in]  DestHandle    the destination.
 * @param[out] ChangeStatus  receives TRUE if a change is pending (not yet
 *                           returned by RtmGetChangedDests), else FALSE.
 * @retval ERROR_INVALID_HANDLE  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  ChangeStatus is NULL.
 */
RTMV2_API DWORD WINAPI RtmGetChangeStatus(RTM_ENTITY_HANDLE RtmRegHandle,
					  RTM_NOTIFY_HANDLE NotifyHandle,
					  RTM_DEST_HANDLE DestHandle, PBOOL ChangeStatus);

/**
 * Marks or unmarks a destination for a notification registration made with
 * RTM_NOTIFY_ONLY_MARKED_DESTS.
 *
 * @param[in] RtmRegHandle  the caller.
 * @param[in] NotifyHandle  the notification registration.
 * @param[in] DestHandle    the destination.
 * @param[in] MarkDest      TRUE to mark, FALSE to unmark.
 * @retval ERROR_INVALID_HANDLE  a handle is invalid.
 * @retval ERROR_NOT_ENOUGH_MEMORY (+)  not enough memory.
 */
RTMV2_API DWORD WINAPI RtmMarkDestForChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle,
							RTM_NOTIFY_HANDLE NotifyHandle,
							RTM_DEST_HANDLE DestHandle,
							BOOL MarkDest);

/**
 * Tells whether a destination is marked for a notification registration.
 *
 * @param[in]  RtmRegHandle  the caller.
 * @param[in]  NotifyHandle  the notification registration.
 * @param[in]  DestHandle    the destination.
 * @param[out] DestMarked    receives TRUE if marked, else FALSE.
 * @retval ERROR_INVALID_HANDLE  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  DestMarked is NULL.
 */
RTMV2_API DWORD WINAPI RtmIsMarkedForChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle,
							RTM_NOTIFY_HANDLE NotifyHandle,
							RTM_DEST_HANDLE DestHandle,
							PBOOL DestMarked);

/**
 * Ends a notification registration and frees its resources.
 *
 * @param[in] RtmRegHandle  the caller.
 * @param[in] NotifyHandle  the notification registration.
 * @retval ERROR_INVALID_HANDLE  a handle is invalid.
 */
RTMV2_API DWORD WINAPI RtmDeregisterFromChangeNotification(RTM_ENTITY_HANDLE RtmRegHandle,
							   RTM_NOTIFY_HANDLE NotifyHandle);

/* ------------------------------------------------------------------------
 * Route lists: client-private lists of the client's own routes; a route is
 * in at most one list.
 */

/**
 * Creates an empty route list.
 *
 * @param[in]  RtmRegHandle     the caller.
 * @param[out] RouteListHandle  receives the list's handle.
 * @retval ERROR_NOT_ENOUGH_MEMORY  not enough memory.
 * @retval ERROR_INVALID_HANDLE (+)  the handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  RouteListHandle is NULL.
 */
RTMV2_API DWORD WINAPI RtmCreateRouteList(RTM_ENTITY_HANDLE RtmRegHandle,
					  PRTM_ROUTE_LIST_HANDLE RouteListHandle);

/**
 * Moves routes into a route list, out of any list they were in.
 *
 * @param[in] RtmRegHandle     the caller (the routes' owner).
 * @param[in] RouteListHandle  the list, or NULL to take the routes out of
 *                             their lists.
 * @param[in] NumRoutes        number of routes.
 * @param[in] RouteHandles     the routes (not consumed).
 * @retval ERROR_INVALID_HANDLE  a handle is invalid.
 * @retval ERROR_ACCESS_DENIED (+)  the caller does not own a route or the
 *         list.
 * @retval ERROR_INVALID_PARAMETER (+)  RouteHandles is NULL and NumRoutes
 *         is not 0.
 */
RTMV2_API DWORD WINAPI RtmInsertInRouteList(RTM_ENTITY_HANDLE RtmRegHandle,
					    RTM_ROUTE_LIST_HANDLE RouteListHandle,
					    UINT NumRoutes, PRTM_ROUTE_HANDLE RouteHandles);

/**
 * Starts an enumeration of the routes in a route list.
 *
 * @param[in]  RtmRegHandle     the caller.
 * @param[in]  RouteListHandle  the list.
 * @param[out] RtmEnumHandle    receives the enumeration handle (use with
 *                              RtmGetListEnumRoutes; end with
 *                              RtmDeleteEnumHandle).
 * @retval ERROR_NOT_ENOUGH_MEMORY  not enough memory.
 * @retval ERROR_INVALID_HANDLE (+)  a handle is invalid.
 * @retval ERROR_INVALID_PARAMETER (+)  RtmEnumHandle is NULL.
 */
RTMV2_API DWORD WINAPI RtmCreateRouteListEnum(RTM_ENTITY_HANDLE RtmRegHandle,
					      RTM_ROUTE_LIST_HANDLE RouteListHandle,
					      PRTM_ENUM_HANDLE RtmEnumHandle);

/**
 * Returns the next routes of a route-list enumeration.
 *
 * @param[in]     RtmRegHandle  the caller.
 * @param[in]     EnumHandle    the route-list enumeration.
 * @param[in,out] NumRoutes     in: capacity (at most MaxHandlesInEnum);
 *                              out: number returned — 0 when the list is
 *                              exhausted (this call does not return
 *                              ERROR_NO_MORE_ITEMS).
 * @param[out]    RouteHandles  receives referenced route handles; release
 *                              with RtmReleaseRoutes.
 * @retval ERROR_INVALID_PARAMETER  *NumRoutes exceeds MaxHandlesInEnum.
 * @retval ERROR_INVALID_HANDLE (+)  a handle is invalid.
 */
RTMV2_API DWORD WINAPI RtmGetListEnumRoutes(RTM_ENTITY_HANDLE RtmRegHandle,
					    RTM_ENUM_HANDLE EnumHandle, PUINT NumRoutes,
					    PRTM_ROUTE_HANDLE RouteHandles);

/**
 * Deletes a route list: takes all routes out of it (they stay in the
 * table), frees it and releases its handle.
 *
 * @param[in] RtmRegHandle     the caller.
 * @param[in] RouteListHandle  the list.
 * @retval ERROR_INVALID_HANDLE  a handle is invalid.
 */
RTMV2_API DWORD WINAPI RtmDeleteRouteList(RTM_ENTITY_HANDLE RtmRegHandle,
					  RTM_ROUTE_LIST_HANDLE RouteListHandle);

/* ------------------------------------------------------------------------
 * Handles
 */

/**
 * Adds a reference to each of the given handles, of any kind.
 *
 * @param[in] RtmRegHandle  the caller.
 * @param[in] NumHandles    number of handles.
 * @param[in] RtmHandles    the handles; each must later be released with
 *                          the release function for its kind.
 * @retval ERROR_INVALID_HANDLE  a handle is invalid; no reference is taken.
 * @retval ERROR_INVALID_PARAMETER (+)  RtmHandles is NULL and NumHandles
 *         is not 0.
 */
RTMV2_API DWORD WINAPI RtmReferenceHandles(RTM_ENTITY_HANDLE RtmRegHandle, UINT NumHandles,
					   HANDLE *RtmHandles);

#ifdef __cplusplus
}
#endif

#endif /* RTMV2_H */
