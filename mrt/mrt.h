/*
 * mrt.h (private) — the MRT codec (RFC 6396, RFC 8050): reading records from
 * plain, gzip or bzip2 files, decoding TABLE_DUMP_V2 and TABLE_DUMP records
 * and BGP path attributes, and writing TABLE_DUMP_V2.  No RTMv2 here: the
 * import and export on top of it are clients of the public API.
 *
 * Every decoder checks every length against what is there: a record that is
 * short, too long for its parts, or names what does not exist is refused
 * with a reason (mrt_error) and the caller skips it.
 */
#ifndef RTM_MRT_PRIVATE_H
#define RTM_MRT_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Record types and subtypes (RFC 6396 section 4, RFC 8050). */
#define MRT_TABLE_DUMP 12
#define MRT_TABLE_DUMP_V2 13
#define MRT_BGP4MP 16
#define MRT_BGP4MP_ET 17

#define MRT_TD_AFI_IPV4 1
#define MRT_TD_AFI_IPV6 2

#define MRT_TDV2_PEER_INDEX_TABLE 1
#define MRT_TDV2_RIB_IPV4_UNICAST 2
#define MRT_TDV2_RIB_IPV4_MULTICAST 3
#define MRT_TDV2_RIB_IPV6_UNICAST 4
#define MRT_TDV2_RIB_IPV6_MULTICAST 5
#define MRT_TDV2_RIB_GENERIC 6
#define MRT_TDV2_RIB_IPV4_UNICAST_ADDPATH 8
#define MRT_TDV2_RIB_IPV4_MULTICAST_ADDPATH 9
#define MRT_TDV2_RIB_IPV6_UNICAST_ADDPATH 10
#define MRT_TDV2_RIB_IPV6_MULTICAST_ADDPATH 11

/* BGP path attributes (RFC 4271, 4760, 6793). */
#define BGP_ATTR_ORIGIN 1
#define BGP_ATTR_AS_PATH 2
#define BGP_ATTR_NEXT_HOP 3
#define BGP_ATTR_MED 4
#define BGP_ATTR_LOCAL_PREF 5
#define BGP_ATTR_MP_REACH_NLRI 14
#define BGP_ATTR_MP_UNREACH_NLRI 15
#define BGP_ATTR_AGGREGATOR 7
#define BGP_ATTR_AS4_PATH 17
#define BGP_ATTR_AS4_AGGREGATOR 18
#define BGP_AS_TRANS 23456

#define BGP_ATTR_FLAG_OPTIONAL 0x80
#define BGP_ATTR_FLAG_TRANSITIVE 0x40
#define BGP_ATTR_FLAG_EXTENDED 0x10

#define MRT_HEADER 12
#define MRT_MAX_RECORD (16u << 20) /* larger records are refused, not read */

/* A reason, with the file offset of the record it is about. */
struct mrt_error {
	uint64_t offset;
	char what[120];
};

/* ---- input: records from a file ----------------------------------------------------- */

struct mrt_record {
	uint64_t offset;        /* of the header in the (uncompressed) stream */
	uint32_t timestamp;
	uint16_t type, subtype;
	uint32_t length;        /* of the body */
	const uint8_t *body;    /* valid until the next read */
};

struct mrt_in;
/* Opens path (gzip, bzip2 or plain, told by its first bytes); 0 or -errno. */
int mrt_in_open(struct mrt_in **in, const char *path);
/* Opens an in-memory stream (not compressed; the tests and the fuzz target). */
int mrt_in_open_mem(struct mrt_in **in, const void *data, size_t size);
void mrt_in_close(struct mrt_in *in);
/* The next record: 1; 0 at the end; -1 with *err (a truncated header or body,
 * a length over MRT_MAX_RECORD, a read or decompression error: the stream
 * cannot go on). */
int mrt_in_next(struct mrt_in *in, struct mrt_record *rec, struct mrt_error *err);

/* ---- decoding ------------------------------------------------------------------------- */

struct mrt_peer {
	uint32_t bgp_id;
	uint8_t family;         /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint32_t as;
};

struct mrt_peer_table {
	uint32_t collector_id;
	char view[64];
	unsigned n;
	struct mrt_peer *peer;  /* malloc'd */
};

/* What an attribute block says that the import uses; the block itself is
 * kept whole (raw). */
struct mrt_attrs {
	const uint8_t *raw;
	size_t len;
	bool has_origin, has_med, has_local_pref, has_nexthop;
	uint8_t origin;
	uint32_t med, local_pref;
	uint32_t path_len;      /* ASes on the path (an AS_SET counts one) */
	uint32_t first_as;      /* the neighbour AS: the first of the path, 0 if empty */
	uint8_t nh_family;      /* of nexthop: AF_INET or AF_INET6 */
	uint8_t nexthop[16];    /* NEXT_HOP, or MP_REACH_NLRI's (the global one) */
};

/* Attribute block p[0..n): as4 says whether AS_PATH holds 4-byte ASes; mp_abbrev
 * whether MP_REACH_NLRI is TABLE_DUMP_V2's abbreviated form (next hop only).
 * 0 or -1 with err->what. */
int mrt_parse_attrs(const uint8_t *p, size_t n, bool as4, bool mp_abbrev, struct mrt_attrs *a,
		    struct mrt_error *err);

/* Decodes a PEER_INDEX_TABLE into t (its peers replaced); 0 or -1. */
int mrt_decode_peer_index(const struct mrt_record *rec, struct mrt_peer_table *t, struct mrt_error *err);
void mrt_peer_table_free(struct mrt_peer_table *t);

/* One route of a RIB record. */
struct mrt_entry {
	unsigned peer;          /* index into the peer table */
	uint32_t originated;
	uint32_t path_id;       /* ADD-PATH's, 0 without */
	struct mrt_attrs attrs;
};

/* A RIB record's prefix and routes (entries: the caller's array, grown by
 * the decoder with realloc). */
struct mrt_rib {
	uint32_t seq;
	uint8_t family;
	uint8_t len;
	uint8_t prefix[16];
	unsigned n;
	struct mrt_entry *entry;
	unsigned cap;
};

/* Is this record a TABLE_DUMP_V2 RIB record this codec reads (unicast or
 * multicast, IPv4 or IPv6, with or without ADD-PATH)? */
bool mrt_is_tdv2_rib(const struct mrt_record *rec);
/* Decodes a TABLE_DUMP_V2 RIB record; peers must name every entry's peer.
 * 0, or -1 with err (the whole record is refused). */
int mrt_decode_rib(const struct mrt_record *rec, const struct mrt_peer_table *peers, struct mrt_rib *rib,
		   struct mrt_error *err);
/* Decodes a TABLE_DUMP record (one route) into rib (one entry) and *peer
 * (the record names its peer itself).  0 or -1. */
int mrt_decode_table_dump(const struct mrt_record *rec, struct mrt_rib *rib, struct mrt_peer *peer,
			  struct mrt_error *err);
void mrt_rib_free(struct mrt_rib *rib);

/* ---- BGP4MP (update streams) ------------------------------------------------------------ */

#define MRT_BGP4MP_STATE_CHANGE 0
#define MRT_BGP4MP_MESSAGE 1
#define MRT_BGP4MP_MESSAGE_AS4 4
#define MRT_BGP4MP_STATE_CHANGE_AS4 5
#define MRT_BGP4MP_MESSAGE_LOCAL 6
#define MRT_BGP4MP_MESSAGE_AS4_LOCAL 7
#define MRT_BGP4MP_MESSAGE_ADDPATH 8
#define MRT_BGP4MP_MESSAGE_AS4_ADDPATH 9
#define MRT_BGP4MP_MESSAGE_LOCAL_ADDPATH 10
#define MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH 11

struct mrt_prefix {
	uint8_t family, len;
	uint8_t addr[16];
	uint32_t path_id;
};

struct mrt_prefixes {
	unsigned n, cap;
	struct mrt_prefix *p;   /* grown by the decoder (realloc) */
};

/* A BGP4MP record: a state change, or a BGP message (only UPDATEs carry
 * routes).  The arrays are the caller's, reused from record to record. */
struct mrt_update {
	bool state_change;
	uint16_t old_state, new_state;
	bool is_update;         /* a BGP UPDATE (other messages carry no routes) */
	bool as4;               /* its AS_PATH holds 4-byte AS numbers */
	struct mrt_peer peer;   /* family, addr, as */
	struct mrt_attrs attrs; /* the UPDATE's path attributes (MP_REACH_NLRI in full) */
	struct mrt_prefixes withdrawn, announced;
};

/* Is this a BGP4MP or BGP4MP_ET record this codec reads? */
bool mrt_is_bgp4mp(const struct mrt_record *rec);
/* Decodes it; 0, or -1 with err. */
int mrt_decode_bgp4mp(const struct mrt_record *rec, struct mrt_update *u, struct mrt_error *err);
void mrt_update_free(struct mrt_update *u);
/* A valid attribute block p[0..n) (mrt_parse_attrs took it) in
 * TABLE_DUMP_V2's form: without MP_REACH_NLRI's and MP_UNREACH_NLRI's
 * prefixes (MP_REACH_NLRI abbreviated to its next hop) and, when as4 is
 * false, with 4-byte AS numbers (AS_PATH and AGGREGATOR widened, AS4_PATH
 * and AS4_AGGREGATOR merged into them as RFC 6793 says and dropped).  Into
 * buf (at least MRT_RIB_ATTRS_MAX(n) bytes), its length; SIZE_MAX when the
 * widened AS_PATH would be longer than an attribute can be. */
#define MRT_RIB_ATTRS_MAX(n) (2 * (size_t)(n) + 64)
size_t mrt_attrs_for_rib(const uint8_t *p, size_t n, bool as4, uint8_t *buf);

/* ---- output: TABLE_DUMP_V2 ------------------------------------------------------------- */

struct mrt_out;
/* Creates path (plain; gzip when gz); 0 or -errno. */
int mrt_out_open(struct mrt_out **out, const char *path, bool gz);
/* A writer into memory (its records appended to a file's later: a table's
 * peers are known only after its routes). */
int mrt_out_open_mem(struct mrt_out **out);
/* Appends what from holds; 0 or -errno. */
int mrt_out_append(struct mrt_out *out, const struct mrt_out *from);
/* Finishes the file: 0, or -errno of the first failed write. */
int mrt_out_close(struct mrt_out *out);
int mrt_write_peer_index(struct mrt_out *out, uint32_t timestamp, const struct mrt_peer_table *t);
/* One RIB record of rib's entries (their attrs.raw as the attribute blocks,
 * TABLE_DUMP_V2's form: 4-byte AS_PATH, abbreviated MP_REACH_NLRI). */
int mrt_write_rib(struct mrt_out *out, uint32_t timestamp, const struct mrt_rib *rib);

/* ---- shared by the import and the export (import.c) ------------------------------------- */

#include <rtmv2.h>

/* The interned attribute block a route carries (rtm_mrt_route_attrs), in
 * TABLE_DUMP_V2's form; NULL if none. */
const uint8_t *mrt_route_block(const RTM_ROUTE_INFO *route, size_t *len);
/* NO_ERROR if reg is NULL or a live registration of family;
 * ERROR_INVALID_HANDLE, or ERROR_INVALID_PARAMETER for another family. */
DWORD mrt_check_registration(RTM_ENTITY_HANDLE reg, uint8_t family);
/* The AS and BGP identifier an import's peer table gave the Neighbour at
 * (family, addr) of entity reg; false if none did. */
bool mrt_peer_known(RTM_ENTITY_HANDLE reg, uint8_t family, const uint8_t *addr, uint32_t *as, uint32_t *bgp_id);

/* A minimal attribute block for a route that has none (ORIGIN IGP, an empty
 * AS_PATH, NEXT_HOP or the abbreviated MP_REACH_NLRI): its length (at most
 * 64 bytes into buf). */
size_t mrt_minimal_attrs(uint8_t *buf, uint8_t family, const uint8_t *nexthop);

#endif
