/*
 * mrt.h — MRT (RFC 6396) files in and out of an RTM instance (librtmv2-mrt,
 * pkg-config rtmv2-mrt; docs/DESIGN.md, "MRT").  A client of the public
 * RTMv2 API like any other.  Nothing here exists on Windows.
 *
 * Import (rtm_mrt_load).  TABLE_DUMP_V2 (PEER_INDEX_TABLE and the unicast
 * RIB records, with and without ADD-PATH) and the older TABLE_DUMP, plain,
 * gzip or bzip2 (told by content).  Every RIB entry becomes a route of the
 * entity given for its prefix's family:
 *   - one route per peer and prefix: the peer's address is the route's
 *     Neighbour (a next hop of the entity, interface 0; an IPv4 peer of an
 *     IPv6 prefix as its IPv4-mapped address ::ffff:a.b.c.d); an ADD-PATH
 *     path is a route of its own, its Neighbour carrying the path
 *     identifier as InterfaceIndex; an IPv6 peer's IPv4 routes are refused
 *     (RTM would have no Neighbour to tell them apart), but for the peer ::
 *     (a writer's peer for routes of no BGP session, as BIRD's), which
 *     becomes 0.0.0.0, and IPv4-mapped ::ffff:a.b.c.d, which becomes
 *     a.b.c.d (the same for an IPv6 next hop of an IPv4 route);
 *   - its next hop: NEXT_HOP, or MP_REACH_NLRI's (the global address), or
 *     the peer's address when the entry has neither;
 *   - Preference: options->preference (0: RTM_MRT_DEFAULT_PREFERENCE);
 *     Metric: the AS-path length (an AS_SET counts one), or 0 with
 *     RTM_MRT_METRIC_ZERO;
 *   - the unicast view (multicast records are ignored: with the same
 *     Neighbour they would replace the unicast routes);
 *   - EntitySpecificInfo: the entry's BGP attributes, interned (routes with
 *     the same attributes share one copy) and kept for the life of the
 *     process: rtm_mrt_route_attrs finds them from the route.
 * A record that is malformed (truncated, a length past its end, a peer
 * index out of range, a prefix longer than its family, ...) is counted as
 * skipped with its offset and reason, and the rest of the file still loads;
 * a stream that cannot go on (a truncated record at its end, a read error)
 * ends the import there, with what was read before kept.  Other record
 * types are counted as ignored.
 */
#ifndef RTMV2_MRT_H
#define RTMV2_MRT_H

#include <rtmv2.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RTM_MRT_DEFAULT_PREFERENCE 20 /* eBGP's administrative distance */

/* rtm_mrt_options.flags */
#define RTM_MRT_METRIC_ZERO 0x0001 /* import: Metric 0 instead of the AS-path length */
#define RTM_MRT_BEST_ONLY   0x0002 /* export: each destination's best unicast route only */
#define RTM_MRT_REALTIME    0x0004 /* replay: at the pace the records' timestamps say */

/* Options of an import, export or replay.  Fields may be added at the end:
 * initialise it with designated initialisers or memset. */
typedef struct rtm_mrt_options {
	ULONG preference;       /* import: the routes' Preference; 0: RTM_MRT_DEFAULT_PREFERENCE */
	unsigned flags;         /* RTM_MRT_* */
	/* Import and replay: called (on the caller's thread) after each route
	 * added or replaced, with the entity, the destination and the route's
	 * Neighbour; NULL: none.  (rtmctl's daemon notes what a reload kept.) */
	void (*route_added)(void *context, RTM_ENTITY_HANDLE entity, const RTM_NET_ADDRESS *dest,
			    RTM_NEXTHOP_HANDLE neighbour);
	void *context;          /* route_added's first argument */
} rtm_mrt_options;

typedef struct rtm_mrt_stats {
	unsigned long records;      /* records read */
	unsigned long routes;       /* routes added or replaced */
	unsigned long peers;        /* peers named by the peer tables (or TABLE_DUMP records) */
	unsigned long skipped;      /* records refused as malformed */
	unsigned long ignored;      /* records of types this call does not take */
	unsigned long refused;      /* routes RTM refused (no entity for the family, or an error) */
	unsigned long withdrawn;    /* replay: routes withdrawn */
	unsigned long state_changes;/* replay: BGP4MP state-change records */
	unsigned long long last_error_offset; /* of the last skipped record, or the stream's end */
	char last_error[160];       /* what was wrong with it, "" if nothing */
} rtm_mrt_stats;

/*
 * Reads the MRT file path into RTM: IPv4 prefixes as routes of reg4, IPv6
 * ones as routes of reg6 (either may be NULL: that family's routes are
 * counted as refused).  options may be NULL.  NO_ERROR when the file was
 * read to its end (skipped records are in stats); ERROR_INVALID_PARAMETER
 * (no path, no entity at all, an entity of the other family, a flag other
 * than RTM_MRT_METRIC_ZERO); ERROR_FILE_NOT_FOUND or ERROR_ACCESS_DENIED
 * (the file cannot be opened; ERROR_GEN_FAILURE for another reason);
 * ERROR_INVALID_DATA (the stream ended inside a
 * record, or could not be decompressed: stats say where; what came before
 * is loaded); ERROR_NOT_ENOUGH_MEMORY; ERROR_INVALID_HANDLE (a registration
 * handle RTM does not know).  stats may be NULL.
 */
DWORD rtm_mrt_load(const char *path, RTM_ENTITY_HANDLE reg4, RTM_ENTITY_HANDLE reg6,
		   const rtm_mrt_options *options, rtm_mrt_stats *stats);

/*
 * Writes RTM's unicast routes to path as TABLE_DUMP_V2 (gzip when path ends
 * in ".gz"): the IPv4 ones read through reg4, the IPv6 ones through reg6
 * (any registration of the instance; either may be NULL), all of them, or
 * with RTM_MRT_BEST_ONLY each destination's best.  A PEER_INDEX_TABLE comes
 * first: a peer per (owner entity, Neighbour address), the address the
 * Neighbour's (an IPv4-mapped one as IPv4), AS and BGP identifier what an
 * import's peer table said of it, 0 otherwise; routes without a Neighbour
 * share a peer of address 0 per owner.  Then a RIB record per destination,
 * in prefix order, stamped with the time of the export.  A route's attributes are the ones an import of
 * TABLE_DUMP_V2 gave it; others get ORIGIN IGP, an empty AS_PATH and
 * NEXT_HOP (IPv4) or MP_REACH_NLRI (IPv6) with the address of their first
 * next hop.  NO_ERROR; ERROR_INVALID_PARAMETER (no path, no entity, an
 * entity of the other family, unknown flags); ERROR_INVALID_HANDLE; ERROR_FILE_NOT_FOUND, ERROR_ACCESS_DENIED or
 * ERROR_GEN_FAILURE (the file cannot be written); ERROR_NOT_ENOUGH_MEMORY
 * (nothing written).  stats: records and routes written, peers.
 */
DWORD rtm_mrt_dump(const char *path, RTM_ENTITY_HANDLE reg4, RTM_ENTITY_HANDLE reg6,
		   const rtm_mrt_options *options, rtm_mrt_stats *stats);

/*
 * Replays a BGP4MP / BGP4MP_ET update stream (MESSAGE and MESSAGE_AS4, their
 * LOCAL and ADD-PATH forms; IPv4 NLRI and MP_REACH_NLRI / MP_UNREACH_NLRI of
 * IPv4 and IPv6 unicast and multicast) into RTM, in order: each UPDATE's
 * withdrawals delete the peer's route to the prefix (found by its
 * Neighbour: the peer's address, as rtm_mrt_load makes it), then its
 * announcements add or replace the peer's route, mapped as rtm_mrt_load maps
 * a RIB entry (its attributes kept in TABLE_DUMP_V2's form: MP_REACH_NLRI
 * cut to its next hop).  State changes are counted; other messages and
 * other records are ignored.  As fast as possible, or with RTM_MRT_REALTIME
 * at the pace of the records' timestamps.  Codes as rtm_mrt_load's;
 * stats: routes added or replaced, withdrawn, state changes, skipped,
 * ignored, refused.
 */
DWORD rtm_mrt_replay(const char *path, RTM_ENTITY_HANDLE reg4, RTM_ENTITY_HANDLE reg6,
		     const rtm_mrt_options *options, rtm_mrt_stats *stats);

/* The BGP path attributes that rtm_mrt_load or rtm_mrt_replay gave the
 * route info describes, and their length in *len; NULL for a route that did
 * not come from an MRT import.  They are in TABLE_DUMP_V2's form whatever the
 * record: 4-byte AS numbers (a TABLE_DUMP record's or a 2-byte BGP4MP
 * message's AS_PATH and AGGREGATOR are widened, with AS4_PATH and
 * AS4_AGGREGATOR merged into them as RFC 6793 says and left out), and
 * MP_REACH_NLRI cut to its next-hop length and next hop. */
const uint8_t *rtm_mrt_route_attrs(const RTM_ROUTE_INFO *route, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
