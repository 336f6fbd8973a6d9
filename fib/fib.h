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

/* Fault injection for the tests (test_fib declares it itself): when set to
 * n > 0, the n-th read of a batch's answers from then on fails with ENOBUFS,
 * as a receive buffer overrun would. */
extern _Atomic int fib_nl_fault_recv;

/* May this process change the kernel's routes?  0, -EPERM (it may not), or
 * another -errno of the channel.  Asks for a route the kernel rejects
 * anyway (a prefix longer than the family's addresses): the right to change
 * routes is checked first. */
int fib_nl_can_write(struct fib_nl *nl, uint8_t family);

/* "10.1.0.0/16" into buf (at least 64 bytes). */
void fib_prefix_text(const struct fib_prefix *p, char *buf, size_t size);

#endif
