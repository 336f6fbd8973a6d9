/*
 * fib.h (private) — the kernel FIB agent's two halves: nl.c speaks rtnetlink
 * (libmnl), agent.c is the RTMv2 client.  Public API: <rtmv2/fib.h>.
 */
#ifndef RTM_FIB_PRIVATE_H
#define RTM_FIB_PRIVATE_H

#include <rtmv2.h>
#include <rtmv2/fib.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A prefix: family, length, address bytes (4 or 16, the rest zero). */
struct fib_prefix {
	uint8_t family;   /* AF_INET or AF_INET6 */
	uint8_t len;
	uint8_t addr[16];
};

/* One next hop of a kernel route: a gateway (all zero: none) and an output interface (0: any). */
struct fib_nexthop {
	uint8_t gw[16];
	unsigned ifindex;
};

#define FIB_MAX_NEXTHOPS 64

/* What a request is for: the answer counts it. */
enum fib_op { FIB_ADD, FIB_REPLACE, FIB_DEL, FIB_DEL_STALE };

/* A request's answer, for the caller's bookkeeping. */
typedef void (*fib_answer_fn)(void *ctx, const struct fib_prefix *p, enum fib_op op, int err);

struct mnl_socket;

/* An rtnetlink channel with a batch of requests on its way. */
struct fib_nl {
	struct mnl_socket *sock;
	unsigned portid;
	uint32_t seq;           /* sequence number of the batch's first request */
	unsigned table;
	char *buf;              /* the batch */
	size_t len;
	char *rbuf;             /* answers and dumps are read into it */
	struct fib_pending {
		struct fib_prefix p;
		enum fib_op op;
		bool answered;
	} *pending;             /* the batch's requests, by sequence number - seq */
	unsigned n;
	fib_answer_fn answer;
	void *ctx;
	bool lost;              /* a batch's answers were lost: what the kernel did is unknown */
};

/* Opens the channel for table; 0, or -errno. */
int fib_nl_open(struct fib_nl *nl, unsigned table, fib_answer_fn answer, void *ctx);
void fib_nl_close(struct fib_nl *nl);
/* Queues a route (FIB_ADD: NLM_F_CREATE | NLM_F_EXCL, so that another
 * protocol's route is never taken over; FIB_REPLACE: NLM_F_CREATE |
 * NLM_F_REPLACE of our own) or a removal of ours (FIB_DEL, FIB_DEL_STALE);
 * sends the batch when it is full.  Every request gets exactly one answer
 * through the callback: the kernel's, or, when the channel fails (a send or
 * a read error), that error, after which the channel is opened anew.
 * Returns 0, or -errno of a failed channel (its requests already answered). */
int fib_nl_route(struct fib_nl *nl, enum fib_op op, const struct fib_prefix *p,
		 const struct fib_nexthop *nh, unsigned n_nh);
/* Sends what is queued and reads every answer; 0, or -errno. */
int fib_nl_flush(struct fib_nl *nl);
/* Calls fn for every route of the table whose protocol is RTM_FIB_RTPROT and
 * family is family (a dump the kernel marks interrupted is made again);
 * 0, or -errno. */
int fib_nl_dump_own(struct fib_nl *nl, uint8_t family,
		    void (*fn)(void *ctx, const struct fib_prefix *p), void *ctx);

/* A kernel route as a dump or an announcement gives it. */
struct fib_route {
	struct fib_prefix p;
	unsigned table;
	uint8_t protocol;       /* rtm_protocol */
	uint8_t type;           /* rtm_type: RTN_UNICAST, ... */
	uint8_t tos;
	uint8_t src_len;        /* rtm_src_len: a source-specific route when not 0 */
	uint16_t nlflags;       /* the message's nlmsg_flags (NLM_F_APPEND, ...) */
	unsigned flags;         /* rtm_flags */
	uint32_t priority;      /* RTA_PRIORITY (the metric), 0 if none */
	int unsupported;        /* -EOPNOTSUPP (a gateway of the other family) or -E2BIG
				 * (more than FIB_MAX_NEXTHOPS): its next hops are not given */
	unsigned n_nh;
	struct fib_nexthop nh[FIB_MAX_NEXTHOPS];
};

struct nlmsghdr;
/* Reads an RTM_NEWROUTE or RTM_DELROUTE message: 0; -EINVAL (malformed: a
 * short message, an attribute of the wrong size), -EAFNOSUPPORT (neither IPv4
 * nor IPv6); -EOPNOTSUPP or -E2BIG with everything but the next hops read. */
int fib_nl_parse_route(const struct nlmsghdr *nlh, struct fib_route *r);
/* Calls fn for every route of the channel's table and family (the kernel
 * marks a dump that a change interrupted: restart, when not NULL, is called
 * before it is made again); 0, or -errno. */
int fib_nl_dump(struct fib_nl *nl, uint8_t family, void (*fn)(void *ctx, const struct fib_route *r),
		void *ctx, void (*restart)(void *ctx));

/* The kernel's announcements that the agent follows, on a non-blocking
 * socket: routes of one family (RTNLGRP_IPV4_ROUTE or RTNLGRP_IPV6_ROUTE),
 * links (RTNLGRP_LINK) and the family's addresses (..._IFADDR): the kernel
 * takes routes out with an interface or an address without announcing it. */
struct fib_mon {
	struct mnl_socket *sock;
	char *rbuf;
};
/* learning: the route announcements of other protocols are wanted too
 * (else a socket filter keeps only the removals of the agent's routes). */
int fib_mon_open(struct fib_mon *m, uint8_t family, bool learning);
void fib_mon_close(struct fib_mon *m);
int fib_mon_fd(const struct fib_mon *m);
/* Reads what is queued, at most max_reads datagrams, calling fn for each
 * message the kernel sent: 0 once nothing is left, 1 when max_reads were
 * read (more may wait), -ENOBUFS when announcements were lost (the socket
 * overran, or one did not fit), or another -errno. */
int fib_mon_read(struct fib_mon *m, void (*fn)(void *ctx, const struct nlmsghdr *h), void *ctx,
		 unsigned max_reads);

/* The watcher (watch.c): what the kernel announces, for the agent, and with
 * RTM_FIB_LEARN the table's other routes as routes of an RTM entity of its
 * own (RTM_FIB_KERNEL_INSTANCE).  Its hooks run on its thread. */
struct fib_watch_hooks {
	/* The kernel announced a route of the agent's gone. */
	void (*own_gone)(void *ctx, const struct fib_prefix *p);
	/* A link went down or an address went: the kernel may have taken
	 * routes out without announcing it. */
	void (*links_changed)(void *ctx);
	void *ctx;
};
struct fib_watch;
/* NO_ERROR and *out, or a Win32 code (as rtm_fib_start's).  With
 * RTM_FIB_LEARN the table's routes are in RTM when it returns. */
DWORD fib_watch_start(const rtm_fib_options *opt, const struct fib_watch_hooks *hooks, struct fib_watch **out);
void fib_watch_stop(struct fib_watch *w);
/* The learning entity (the owner of the routes it added), or NULL. */
RTM_ENTITY_HANDLE fib_watch_entity(const struct fib_watch *w);
/* Waits until every announcement the kernel made before the call has been
 * dealt with; false at the deadline (CLOCK_MONOTONIC). */
struct timespec;
bool fib_watch_wait_idle(struct fib_watch *w, const struct timespec *deadline);
void fib_watch_stats(struct fib_watch *w, rtm_fib_stats *st);

/* Test hooks (test_fib declares them itself): the watcher socket's receive
 * buffer in bytes when non-zero (set before the start), and, while
 * fib_watch_test_pause is non-zero, the watcher reads nothing (so that a
 * burst overruns the socket). */
extern int fib_watch_test_rcvbuf;
extern _Atomic int fib_watch_test_pause;

/* Fault injection for the tests (test_fib declares it itself): when set to
 * n > 0, the n-th read of a batch's answers from then on fails with ENOBUFS,
 * as a receive buffer overrun would. */
extern _Atomic int fib_nl_fault_recv;

/* May this process change the kernel's routes?  0, -EPERM (it may not), or
 * another -errno of the channel.  Asks for a route the kernel rejects
 * anyway (a prefix longer than the family's addresses): the right to change
 * routes is checked first. */
int fib_nl_can_write(struct fib_nl *nl, uint8_t family);

/* Registers an entity of the agent's (PROTO_IP_NETMGMT, instance) for
 * opt's RTM instance and family (agent.c). */
DWORD fib_register(const rtm_fib_options *opt, ULONG instance, RTM_EVENT_CALLBACK callback,
		   PRTM_REGN_PROFILE profile, PRTM_ENTITY_HANDLE reg);

/* The Win32 code of a -errno (0: NO_ERROR). */
DWORD fib_win32_of(int err);

/* "10.1.0.0/16" into buf (at least 64 bytes). */
void fib_prefix_text(const struct fib_prefix *p, char *buf, size_t size);

#endif
