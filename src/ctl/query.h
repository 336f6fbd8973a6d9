/*
 * ctl/query.h — one request being answered, and the helpers the command
 * files share (query.c: show route; commands.c: the other commands and the
 * dispatch).
 */
#ifndef RTM_CTL_QUERY_H
#define RTM_CTL_QUERY_H

#include "ctl.h"

#include <rtmv2/rtmv2_ext.h>

#include <arpa/inet.h>

#define MAX_WORDS 32
#define NH_CACHE 256
#define OWNER_CACHE 32

struct req {
	rtm_control *c;
	struct rtm_control_out *o;
	char *w[MAX_WORDS];
	unsigned n, at;             /* words, and the next one to read */
	const char *error;          /* the status line's message; NULL: ok */
	char error_buf[160];
	struct ctl_reg reg;         /* the table being read: a copy of the server's registration */
	struct {
		RTM_NEXTHOP_HANDLE h;
		char text[INET6_ADDRSTRLEN];
	} nh[NH_CACHE];
	struct {
		RTM_ENTITY_HANDLE h;
		char name[40];
	} owner[OWNER_CACHE];
	unsigned n_owner;
	RTM_ENTITY_HANDLE want_owner; /* protocol NAME: its handle in this table, or NULL */
};

void ctl_fail(struct req *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *ctl_family_name(USHORT family);
void ctl_addr_text(const RTM_NET_ADDRESS *a, char *out, size_t size, bool with_len);
/* "10.0.0.0/8" or "2001:db8::/32" (*is_prefix true), or an address (false). */
bool ctl_parse_addr(const char *s, RTM_NET_ADDRESS *a, bool *is_prefix);
bool ctl_parse_ulong(const char *s, unsigned long max, unsigned long *v);
const char *ctl_nh_text(struct req *q, RTM_NEXTHOP_HANDLE h);
void ctl_name_of_info(rtm_control *c, const RTM_ENTITY_INFO *ei, char *out, size_t size);
/* The entities of q->reg's table (handles referenced: RtmReleaseEntities),
 * in arrays to free; their number (0 and NULLs when none or no memory). */
UINT ctl_entities(struct req *q, RTM_ENTITY_HANDLE **hs, RTM_ENTITY_INFO **infos);
/* The handle (referenced: RtmReleaseEntities) in q->reg's table of the entity named name. */
RTM_ENTITY_HANDLE ctl_find_named(struct req *q, const char *name);
bool ctl_word_is(struct req *q, const char *w);
const char *ctl_next_word(struct req *q, const char *what);
UINT ctl_tables(rtm_control *c, rtm_rib_info *ribs, UINT room);
void ctl_show_route(struct req *q);
void ctl_show_route_count(struct req *q);

#endif
