/*
 * nl.c — the kernel FIB agent's rtnetlink side (libmnl): batched route
 * requests, each answer checked, and dumps of the agent's own routes.
 *
 * A batch is up to BATCH_BYTES of requests sent with one sendmsg, each with
 * NLM_F_ACK and its own sequence number; the answers (one NLMSG_ERROR each,
 * error 0 for success) are then read until every request has one, so a
 * refusal is matched to its prefix.  NETLINK_CAP_ACK keeps each answer to
 * its header, and the receive buffer holds a whole batch's answers.
 */
#include "fib.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <stdatomic.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <stddef.h>
#include <time.h>

#define BATCH_BYTES (128u << 10)
#define BATCH_MAX 2048u            /* requests in a batch */
#define REQ_MAX 2048u              /* the largest request (64 next hops) */
#define RCVBUF (4u << 20)
#define RBUF (64u << 10)

/* A new socket for the channel (the old one, if any, closed with whatever
 * answers it still held); 0 or -errno. */
static int nl_connect(struct fib_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = mnl_socket_open(NETLINK_ROUTE);
	if (!nl->sock)
		return -errno;
	int one = 1, size = RCVBUF;
	(void)mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	/* As root past rmem_max; else as much as the system allows. */
	if (setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		(void)setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;
		mnl_socket_close(nl->sock);
		nl->sock = NULL;
		return err;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	return 0;
}

int fib_nl_open(struct fib_nl *nl, unsigned table, fib_answer_fn answer, void *ctx)
{
	memset(nl, 0, sizeof(*nl));
	nl->table = table;
	nl->answer = answer;
	nl->ctx = ctx;
	nl->buf = calloc(1, BATCH_BYTES + REQ_MAX);
	nl->pending = calloc(BATCH_MAX, sizeof(*nl->pending));
	nl->rbuf = calloc(1, RBUF);
	if (!nl->buf || !nl->pending || !nl->rbuf) {
		fib_nl_close(nl);
		return -ENOMEM;
	}
	int err = nl_connect(nl);
	if (err) {
		fib_nl_close(nl);
		return err;
	}
	nl->seq = (uint32_t)time(NULL);
	return 0;
}

void fib_nl_close(struct fib_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl->pending);
	free(nl->rbuf);
	memset(nl, 0, sizeof(*nl));
}

static unsigned addr_len(uint8_t family)
{
	return family == AF_INET ? 4 : 16;
}

static bool is_zero(const uint8_t *a, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i])
			return false;
	return true;
}

/* The header of a route request for p into the batch. */
static struct nlmsghdr *route_header(struct fib_nl *nl, uint16_t type, uint16_t flags,
				     const struct fib_prefix *p, unsigned char scope)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf + nl->len);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = nl->seq + nl->n;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = p->family;
	rtm->rtm_dst_len = p->len;
	rtm->rtm_table = nl->table < 256 ? (unsigned char)nl->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTM_FIB_RTPROT;
	rtm->rtm_scope = scope;
	rtm->rtm_type = RTN_UNICAST;
	if (p->len)
		mnl_attr_put(nlh, RTA_DST, addr_len(p->family), p->addr);
	mnl_attr_put_u32(nlh, RTA_TABLE, nl->table);
	return nlh;
}

int fib_nl_route(struct fib_nl *nl, enum fib_op op, const struct fib_prefix *p,
		 const struct fib_nexthop *nh, unsigned n_nh)
{
	unsigned alen = addr_len(p->family);
	if (op == FIB_ADD || op == FIB_REPLACE) {
		if (n_nh == 0 || n_nh > FIB_MAX_NEXTHOPS)
			return -EINVAL;
		bool any_gw = false;
		for (unsigned i = 0; i < n_nh; i++)
			any_gw |= !is_zero(nh[i].gw, alen);
		uint16_t how = op == FIB_REPLACE ? NLM_F_REPLACE : NLM_F_EXCL;
		struct nlmsghdr *nlh = route_header(nl, RTM_NEWROUTE, NLM_F_CREATE | how, p,
						    any_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK);
		if (n_nh == 1) {
			if (!is_zero(nh[0].gw, alen))
				mnl_attr_put(nlh, RTA_GATEWAY, alen, nh[0].gw);
			if (nh[0].ifindex)
				mnl_attr_put_u32(nlh, RTA_OIF, nh[0].ifindex);
		} else {
			struct nlattr *mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
			for (unsigned i = 0; i < n_nh; i++) {
				struct rtnexthop *rtnh = mnl_nlmsg_get_payload_tail(nlh);
				nlh->nlmsg_len += RTNH_ALIGN(sizeof(*rtnh));
				memset(rtnh, 0, sizeof(*rtnh));
				rtnh->rtnh_ifindex = (int)nh[i].ifindex;
				if (!is_zero(nh[i].gw, alen))
					mnl_attr_put(nlh, RTA_GATEWAY, alen, nh[i].gw);
				rtnh->rtnh_len = (unsigned short)((char *)mnl_nlmsg_get_payload_tail(nlh) -
								  (char *)rtnh);
			}
			mnl_attr_nest_end(nlh, mp);
		}
		nl->len += nlh->nlmsg_len;
	} else {
		struct nlmsghdr *nlh = route_header(nl, RTM_DELROUTE, 0, p, RT_SCOPE_NOWHERE);
		nl->len += nlh->nlmsg_len;
	}
	nl->pending[nl->n].p = *p;
	nl->pending[nl->n].op = op;
	nl->pending[nl->n].answered = false;
	nl->n++;
	if (nl->len >= BATCH_BYTES || nl->n == BATCH_MAX)
		return fib_nl_flush(nl);
	return 0;
}

_Atomic int fib_nl_fault_recv;

/* Reads answers until every request of the batch has one. */
static int read_answers(struct fib_nl *nl)
{
	char *rbuf = nl->rbuf;
	unsigned answered = 0;
	while (answered < nl->n) {
		ssize_t got = mnl_socket_recvfrom(nl->sock, rbuf, RBUF);
		int fault = atomic_load(&fib_nl_fault_recv);
		if (fault > 0 && atomic_compare_exchange_strong(&fib_nl_fault_recv, &fault, fault - 1) &&
		    fault == 1) {
			got = -1;
			errno = ENOBUFS;
		}
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		int left = (int)got;
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(h, left);
		     h = mnl_nlmsg_next(h, &left)) {
			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_pid != nl->portid)
				continue;
			uint32_t k = h->nlmsg_seq - nl->seq;
			if (k >= nl->n)
				continue; /* an answer to an older batch */
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			int err = -e->error;
			struct fib_pending *q = &nl->pending[k];
			if (q->answered)
				continue;
			q->answered = true;
			/* Removing what is not there is done. */
			if ((q->op == FIB_DEL || q->op == FIB_DEL_STALE) && (err == ESRCH || err == ENOENT))
				err = 0;
			if (nl->answer)
				nl->answer(nl->ctx, &q->p, q->op, err);
			answered++;
		}
	}
	return 0;
}

int fib_nl_flush(struct fib_nl *nl)
{
	if (nl->n == 0)
		return 0;
	int err = nl->sock ? 0 : nl_connect(nl);
	if (!err && mnl_socket_sendto(nl->sock, nl->buf, nl->len) < 0)
		err = -errno;
	if (!err)
		err = read_answers(nl);
	if (err) {
		/* The channel failed: every request not answered yet is answered
		 * with its error (the caller retries from RTM's state), and a new
		 * socket leaves the old one's late answers behind. */
		for (unsigned k = 0; k < nl->n; k++)
			if (!nl->pending[k].answered && nl->answer)
				nl->answer(nl->ctx, &nl->pending[k].p, nl->pending[k].op, -err);
		nl->lost = true;
		(void)nl_connect(nl);
	}
	nl->seq += nl->n;
	nl->n = 0;
	nl->len = 0;
	memset(nl->buf, 0, BATCH_BYTES + REQ_MAX);
	return err;
}

static int route_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	unsigned type = mnl_attr_get_type(a);
	if (type <= RTA_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

/* An address attribute of the family's length into out; false if it is not one. */
static bool addr_attr(const struct nlattr *a, unsigned alen, uint8_t *out)
{
	if (mnl_attr_get_payload_len(a) != alen)
		return false;
	memcpy(out, mnl_attr_get_payload(a), alen);
	return true;
}

static bool u32_attr(const struct nlattr *a, uint32_t *out)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return false;
	*out = mnl_attr_get_u32(a);
	return true;
}

/* The next hops of an RTA_MULTIPATH attribute; those the kernel marks dead
 * (RTNH_F_DEAD: their interface is down) are left out. */
static int parse_multipath(const struct nlattr *mp, unsigned alen, struct fib_route *r)
{
	const char *p = mnl_attr_get_payload(mp);
	size_t left = mnl_attr_get_payload_len(mp);
	while (left >= sizeof(struct rtnexthop)) {
		const struct rtnexthop *nh = (const void *)p;
		if (nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > left)
			return -EINVAL;
		/* The next hop's own attributes follow it, inside rtnh_len. */
		const struct nlattr *tb[RTA_MAX + 1] = { 0 };
		int room = (int)nh->rtnh_len - (int)RTNH_ALIGN(sizeof(*nh));
		const struct nlattr *at = (const void *)(p + RTNH_ALIGN(sizeof(*nh)));
		while (room > 0 && mnl_attr_ok(at, room)) {
			unsigned type = mnl_attr_get_type(at);
			if (type <= RTA_MAX)
				tb[type] = at;
			int step = (int)MNL_ALIGN(at->nla_len);
			room -= step;
			at = (const void *)((const char *)at + step);
		}
		if (tb[RTA_VIA])
			return -EOPNOTSUPP;
		if (!(nh->rtnh_flags & RTNH_F_DEAD)) {
			if (r->n_nh == FIB_MAX_NEXTHOPS)
				return -E2BIG;
			struct fib_nexthop *o = &r->nh[r->n_nh];
			memset(o, 0, sizeof(*o));
			o->ifindex = nh->rtnh_ifindex > 0 ? (unsigned)nh->rtnh_ifindex : 0;
			if (tb[RTA_GATEWAY] && !addr_attr(tb[RTA_GATEWAY], alen, o->gw))
				return -EINVAL;
			r->n_nh++;
		}
		size_t step = RTNH_ALIGN(nh->rtnh_len);
		if (step >= left)
			break;
		p += step;
		left -= step;
	}
	return 0;
}

static int parse_route(const struct nlmsghdr *nlh, struct fib_route *r);

int fib_nl_parse_route(const struct nlmsghdr *nlh, struct fib_route *r)
{
	int err = parse_route(nlh, r);
	if (err == -EOPNOTSUPP || err == -E2BIG) {
		/* Everything but the next hops was read: the route is there,
		 * and cannot be expressed. */
		r->unsupported = err;
		r->n_nh = 0;
	}
	return err;
}

static int parse_route(const struct nlmsghdr *nlh, struct fib_route *r)
{
	memset(r, 0, sizeof(*r));
	r->nlflags = nlh->nlmsg_flags;
	if (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE)
		return -EINVAL;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct rtmsg))
		return -EINVAL;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return -EAFNOSUPPORT;
	unsigned alen = addr_len(rtm->rtm_family);
	if (rtm->rtm_dst_len > alen * 8)
		return -EINVAL;
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	if (mnl_attr_parse(nlh, sizeof(*rtm), route_attr, tb) < 0)
		return -EINVAL;
	r->p.family = rtm->rtm_family;
	r->p.len = rtm->rtm_dst_len;
	r->table = rtm->rtm_table;
	r->protocol = rtm->rtm_protocol;
	r->type = rtm->rtm_type;
	r->tos = rtm->rtm_tos;
	r->src_len = rtm->rtm_src_len;
	r->flags = rtm->rtm_flags;
	uint32_t v;
	if (tb[RTA_TABLE]) {
		if (!u32_attr(tb[RTA_TABLE], &v))
			return -EINVAL;
		r->table = v;
	}
	if (tb[RTA_DST] && !addr_attr(tb[RTA_DST], alen, r->p.addr))
		return -EINVAL;
	/* Bits past the length are not the prefix's. */
	for (unsigned i = 0; i < 16; i++) {
		unsigned lo = i * 8;
		if (lo >= r->p.len)
			r->p.addr[i] = 0;
		else if (lo + 8 > r->p.len)
			r->p.addr[i] &= (uint8_t)(0xff00u >> (r->p.len - lo));
	}
	if (tb[RTA_PRIORITY]) {
		if (!u32_attr(tb[RTA_PRIORITY], &v))
			return -EINVAL;
		r->priority = v;
	}
	if (tb[RTA_VIA])
		return -EOPNOTSUPP; /* a gateway of the other family */
	if (tb[RTA_MULTIPATH])
		return parse_multipath(tb[RTA_MULTIPATH], alen, r);
	if (tb[RTA_GATEWAY] || tb[RTA_OIF]) {
		struct fib_nexthop *o = &r->nh[0];
		if (tb[RTA_GATEWAY] && !addr_attr(tb[RTA_GATEWAY], alen, o->gw))
			return -EINVAL;
		if (tb[RTA_OIF] && !u32_attr(tb[RTA_OIF], &v))
			return -EINVAL;
		o->ifindex = tb[RTA_OIF] ? v : 0;
		r->n_nh = (r->flags & RTNH_F_DEAD) ? 0 : 1; /* a dead one: its interface is down */
	}
	return 0;
}

struct dump_ctx {
	struct fib_nl *nl;
	uint8_t family;
	void (*fn)(void *ctx, const struct fib_route *r);
	void *ctx;
};

static int dump_route(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *d = data;
	struct fib_route r;
	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	int err = fib_nl_parse_route(nlh, &r);
	/* A route this agent cannot express is passed on, marked
	 * (r.unsupported): the caller decides. */
	if (err && err != -EOPNOTSUPP && err != -E2BIG) {
		return MNL_CB_OK; /* not a route we can read: skipped */
	}
	if (r.p.family != d->family || r.table != d->nl->table)
		return MNL_CB_OK;
	d->fn(d->ctx, &r);
	return MNL_CB_OK;
}

static int dump_once(struct fib_nl *nl, uint8_t family, void (*fn)(void *ctx, const struct fib_route *r),
		     void *ctx)
{
	if (!nl->sock) {
		int err = nl_connect(nl);
		if (err)
			return err;
	}
	char req[MNL_SOCKET_BUFFER_SIZE];
	memset(req, 0, sizeof(req));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	uint32_t seq = nl->seq++;
	nlh->nlmsg_seq = seq;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	struct dump_ctx d = { nl, family, fn, ctx };
	for (;;) {
		ssize_t got = mnl_socket_recvfrom(nl->sock, nl->rbuf, RBUF);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		int rc = mnl_cb_run(nl->rbuf, (size_t)got, seq, nl->portid, dump_route, &d);
		if (rc == MNL_CB_STOP)
			return 0;
		if (rc < 0)
			return -errno;
	}
}

int fib_nl_dump(struct fib_nl *nl, uint8_t family, void (*fn)(void *ctx, const struct fib_route *r),
		void *ctx, void (*restart)(void *ctx))
{
	(void)fib_nl_flush(nl); /* its failures are answered to the caller */
	int err = 0;
	for (unsigned tries = 0; tries < 4; tries++) {
		if (tries && restart)
			restart(ctx);
		if (!(err = dump_once(nl, family, fn, ctx)))
			return 0;
		/* Interrupted by a change (NLM_F_DUMP_INTR, EINTR) or a channel
		 * error: a new socket, and the dump again. */
		(void)nl_connect(nl);
	}
	return err;
}

struct own_ctx {
	void (*fn)(void *ctx, const struct fib_prefix *p);
	void *ctx;
};

static void own_route(void *ctx, const struct fib_route *r)
{
	const struct own_ctx *o = ctx;
	if (r->protocol == RTM_FIB_RTPROT)
		o->fn(o->ctx, &r->p);
}

int fib_nl_dump_own(struct fib_nl *nl, uint8_t family,
		    void (*fn)(void *ctx, const struct fib_prefix *p), void *ctx)
{
	struct own_ctx o = { fn, ctx };
	return fib_nl_dump(nl, family, own_route, &o, NULL);
}

/* ---- the monitor: the kernel's route announcements ------------------------------- */

int fib_watch_test_rcvbuf;

/* Classic BPF reads half-words in network order: a message type as the
 * filter sees the host's nlmsg_type. */
static uint32_t type_as_read(uint16_t type)
{
	const uint8_t *b = (const uint8_t *)&type;
	return (uint32_t)b[0] << 8 | b[1];
}

/* A socket filter, so that what the watcher does not want never reaches the
 * socket (a full table's installs would only overrun it).  Learning: every
 * route announcement but new routes of the agent's protocol that are not
 * replacements.  Not
 * learning: of the route announcements, only removals of the agent's
 * routes.  Links and addresses always.  A multicast announcement is one
 * message a datagram, so the first message's header decides. */
static void attach_filter(int fd, bool learning)
{
	enum { TYPE = offsetof(struct nlmsghdr, nlmsg_type),
	       FLAGS = offsetof(struct nlmsghdr, nlmsg_flags),
	       PROTO = sizeof(struct nlmsghdr) + offsetof(struct rtmsg, rtm_protocol) };
	uint32_t newr = type_as_read(RTM_NEWROUTE), delr = type_as_read(RTM_DELROUTE);
	struct sock_filter learn[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, TYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, newr, 0, 5),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, PROTO),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RTM_FIB_RTPROT, 0, 3),
		/* Ours: only a replace, which may have taken a learned key over. */
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, FLAGS),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, type_as_read(NLM_F_REPLACE), 1, 0),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
	};
	struct sock_filter watch[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, TYPE),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, newr, 4, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, delr, 0, 4),
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, PROTO),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, RTM_FIB_RTPROT, 2, 0),
		BPF_STMT(BPF_RET | BPF_K, 0), /* another's removal */
		BPF_STMT(BPF_RET | BPF_K, 0), /* a new route */
		BPF_STMT(BPF_RET | BPF_K, 0xffffffffu),
	};
	struct sock_fprog prog;
	if (learning)
		prog = (struct sock_fprog){ (unsigned short)(sizeof(learn) / sizeof(learn[0])), learn };
	else
		prog = (struct sock_fprog){ (unsigned short)(sizeof(watch) / sizeof(watch[0])), watch };
	/* Without it (an old kernel), the watcher reads them and passes them by. */
	(void)setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

int fib_mon_open(struct fib_mon *m, uint8_t family, bool learning)
{
	memset(m, 0, sizeof(*m));
	m->rbuf = calloc(1, RBUF);
	m->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (!m->rbuf || !m->sock) {
		int err = m->rbuf ? -errno : -ENOMEM;
		fib_mon_close(m);
		return err;
	}
	attach_filter(mnl_socket_get_fd(m->sock), learning);
	int size = fib_watch_test_rcvbuf ? fib_watch_test_rcvbuf : (int)RCVBUF;
	if (setsockopt(mnl_socket_get_fd(m->sock), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		(void)setsockopt(mnl_socket_get_fd(m->sock), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	int groups[3] = { family == AF_INET ? RTNLGRP_IPV4_ROUTE : RTNLGRP_IPV6_ROUTE, RTNLGRP_LINK,
			  family == AF_INET ? RTNLGRP_IPV4_IFADDR : RTNLGRP_IPV6_IFADDR };
	bool ok = mnl_socket_bind(m->sock, 0, MNL_SOCKET_AUTOPID) == 0;
	for (unsigned i = 0; ok && i < 3; i++)
		ok = mnl_socket_setsockopt(m->sock, NETLINK_ADD_MEMBERSHIP, &groups[i], sizeof(groups[i])) == 0;
	if (!ok) {
		int err = -errno;
		fib_mon_close(m);
		return err;
	}
	return 0;
}

void fib_mon_close(struct fib_mon *m)
{
	if (m->sock)
		mnl_socket_close(m->sock);
	free(m->rbuf);
	memset(m, 0, sizeof(*m));
}

int fib_mon_fd(const struct fib_mon *m)
{
	return mnl_socket_get_fd(m->sock);
}

int fib_mon_read(struct fib_mon *m, void (*fn)(void *ctx, const struct nlmsghdr *h), void *ctx,
		 unsigned max_reads)
{
	for (unsigned reads = 0; reads < max_reads; reads++) {
		struct sockaddr_nl from;
		socklen_t flen = sizeof(from);
		memset(&from, 0, sizeof(from));
		ssize_t got = recvfrom(mnl_socket_get_fd(m->sock), m->rbuf, RBUF, MSG_TRUNC,
				       (struct sockaddr *)&from, &flen);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		if ((size_t)got > RBUF)
			return -ENOBUFS; /* cut short: something was lost, as in an overrun */
		if (from.nl_pid != 0)
			continue; /* not the kernel's */
		int left = (int)got;
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)m->rbuf; mnl_nlmsg_ok(h, left);
		     h = mnl_nlmsg_next(h, &left))
			if (fn)
				fn(ctx, h);
	}
	return 1;
}

int fib_nl_can_write(struct fib_nl *nl, uint8_t family)
{
	char req[MNL_SOCKET_BUFFER_SIZE];
	memset(req, 0, sizeof(req));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	uint32_t seq = nl->seq++;
	nlh->nlmsg_seq = seq;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = 255; /* no such prefix: refused by any kernel that lets us ask */
	rtm->rtm_table = RT_TABLE_UNSPEC;
	rtm->rtm_protocol = RTM_FIB_RTPROT;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, nl->table);
	if (!nl->sock && nl_connect(nl))
		return -EIO;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		ssize_t got = mnl_socket_recvfrom(nl->sock, nl->rbuf, RBUF);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		int left = (int)got;
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)nl->rbuf; mnl_nlmsg_ok(h, left);
		     h = mnl_nlmsg_next(h, &left)) {
			if (h->nlmsg_type != NLMSG_ERROR || h->nlmsg_seq != seq)
				continue;
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			return e->error == -EPERM || e->error == -EACCES ? -EPERM : 0;
		}
	}
}

DWORD fib_win32_of(int err)
{
	switch (-err) {
	case 0:
		return NO_ERROR;
	case ENOMEM:
	case ENOBUFS:
		return ERROR_NOT_ENOUGH_MEMORY;
	case EPERM:
	case EACCES:
		return ERROR_ACCESS_DENIED;
	default:
		return ERROR_GEN_FAILURE;
	}
}

void fib_prefix_text(const struct fib_prefix *p, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";
	inet_ntop(p->family, p->addr, a, sizeof(a));
	snprintf(buf, size, "%s/%u", a, p->len);
}
