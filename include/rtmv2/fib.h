/*
 * fib.h — the kernel FIB agent: keeps a Linux routing table in step with the
 * best unicast routes of an RTM instance (librtmv2-fib, pkg-config
 * rtmv2-fib; docs/DESIGN.md, "The kernel FIB agent").
 *
 * The agent is an RTMv2 client like any other: it registers as an entity of
 * its own (protocol PROTO_IP_NETMGMT, instance RTM_FIB_ENTITY_INSTANCE),
 * follows the best-route changes of the unicast view through change
 * notification, and reads routes and next hops through the API.  Each
 * destination's best unicast route becomes a kernel route of protocol
 * RTM_FIB_RTPROT ("rtmv2" in iproute2's rt_protos.d, shipped with the
 * library) in the chosen table: its next hops' addresses as gateways, the
 * next hop's InterfaceIndex as the output interface where it is not 0, and
 * several next hops as one multipath route.  Requests go to the kernel in
 * batches, each one's answer checked; a route the kernel refuses is counted,
 * its reason kept, and synced again from RTM at the next change and at
 * least every second.  The agent never takes over another protocol's route:
 * a prefix the table holds from someone else is refused (EEXIST) and left
 * alone, so the table may be main; the agent replaces and removes only its
 * own routes (protocol RTM_FIB_RTPROT, so one table should have one agent).
 * A route of the agent's that someone else removes, or that the kernel
 * takes out with a link or an address, is put back (as soon as its gateway
 * is reachable again): the agent follows the kernel's announcements.
 *
 * Learning (RTM_FIB_LEARN).  The table's other routes — static, connected,
 * DHCP, other daemons' — become RTM routes of a second entity of the agent's
 * (PROTO_IP_NETMGMT, instance RTM_FIB_KERNEL_INSTANCE): one route per kernel
 * route (prefix and metric), with Preference learn_preference, Metric the
 * kernel's priority, and next hops (gateway, or none, and output interface)
 * of that entity, in the unicast view.  They follow the kernel's route
 * announcements; when the kernel drops announcements because the agent's
 * socket overran (ENOBUFS), the agent lists the table again and RTM is made
 * to match it (learn_resyncs counts these).  Where a learned route is best,
 * the agent installs nothing (the kernel has the route); where another
 * protocol's route is best for a prefix the kernel holds from someone else,
 * the agent's add is refused as above.  Not learned (learn_skipped):
 * routes that are not unicast (blackhole, unreachable, prohibit, ...), with a
 * TOS, with a gateway of the other family (RTA_VIA) or more than 64 next
 * hops.  The learned routes leave RTM when the agent stops.
 *
 * Nothing here exists on Windows.
 */
#ifndef RTMV2_FIB_H
#define RTMV2_FIB_H

#include <rtmv2.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The kernel routing protocol number of the agent's routes (rtm_protocol). */
#define RTM_FIB_RTPROT 196
/* The EntityInstanceId the agent registers with (protocol PROTO_IP_NETMGMT). */
#define RTM_FIB_ENTITY_INSTANCE 0x4649

/* The EntityInstanceId of the learner's entity (protocol PROTO_IP_NETMGMT),
 * the owner of the kernel's routes learned into RTM (RTM_FIB_LEARN). */
#define RTM_FIB_KERNEL_INSTANCE 0x4B52

/* rtm_fib_options.flags */
#define RTM_FIB_KEEP_AT_STOP 0x0001 /* rtm_fib_stop leaves the agent's routes in the kernel */
#define RTM_FIB_LEARN        0x0002 /* learn the table's other routes into RTM (below) */

typedef struct rtm_fib_options {
	USHORT instance_id;     /* the RTM instance (0 for the default) */
	USHORT family;          /* AF_INET or AF_INET6 */
	unsigned table;         /* kernel routing table; 0: main (254) */
	unsigned flags;         /* RTM_FIB_* */
	ULONG learn_preference; /* with RTM_FIB_LEARN: the Preference of learned routes */
} rtm_fib_options;

typedef struct rtm_fib_stats {
	unsigned long installed;    /* kernel routes added (the destination had none of ours) */
	unsigned long replaced;     /* kernel routes replaced (the best route changed) */
	unsigned long removed;      /* kernel routes removed (the destination lost its best route) */
	unsigned long stale;        /* routes of ours found at start that RTM does not have, removed */
	unsigned long failed;       /* requests the kernel refused (each counted once per try) */
	unsigned long pending;      /* destinations whose last request was refused, to try again */
	unsigned long in_kernel;    /* routes of ours the agent believes the kernel holds */
	int last_error;             /* the kernel's errno of the last refusal, 0 if none */
	char last_error_dest[64];   /* the destination it was for ("10.1.0.0/16"), "" if none */
	/* With RTM_FIB_LEARN: */
	unsigned long learned;      /* the table's other routes now in RTM as the learner's */
	unsigned long learn_changes;/* announcements of the kernel applied to RTM */
	unsigned long learn_resyncs;/* full re-reads of the table: after an overrun (ENOBUFS), a link
				     * going down, an address going, an append */
	unsigned long learn_skipped;/* routes not learned: not unicast, a type of next hop RTM
				     * has no words for, or refused by RTM */
} rtm_fib_stats;

typedef struct rtm_fib_agent rtm_fib_agent;

/*
 * Starts an agent: registers with the RTM instance and family, installs the
 * best route of every destination, removes the routes of ours the table had
 * that RTM does not have (after the installs, so that forwarding has no hole
 * across a restart), and returns once the kernel holds that state; changes
 * then follow on a thread of the agent's own.
 * With RTM_FIB_LEARN, the table's other routes are in RTM before that sync
 * (so it installs nothing where they are best).
 * Returns NO_ERROR and *agent; ERROR_INVALID_PARAMETER (NULL, a family that
 * is neither AF_INET nor AF_INET6, unknown flags), ERROR_ACCESS_DENIED (no
 * permission to change the kernel's routes), ERROR_NOT_ENOUGH_MEMORY,
 * ERROR_GEN_FAILURE (the kernel's routes could not be listed, or another
 * netlink error), or the error of RtmRegisterEntity or
 * RtmRegisterForChangeNotification.  After a failure the agent is gone; the
 * routes its sync had installed stay, and the next agent on that table takes
 * them over or removes them.  Routes the kernel refuses do not make the start
 * fail: they are counted.  stats (may be NULL): the initial sync's counts.
 */
DWORD rtm_fib_start(const rtm_fib_options *options, rtm_fib_agent **agent, rtm_fib_stats *stats);

/* Waits until every change made in RTM before the call has reached the
 * kernel (or was refused by it): a pass of the agent that starts after the
 * call ends; with RTM_FIB_LEARN, every route change the kernel announced
 * before the call is in RTM first; at most timeout_ms.  NO_ERROR, or ERROR_TIMEOUT.  Not to be
 * called at the same time as rtm_fib_stop of the agent. */
DWORD rtm_fib_wait_idle(rtm_fib_agent *agent, DWORD timeout_ms);

/* The agent's counters; NO_ERROR, or ERROR_INVALID_PARAMETER. */
DWORD rtm_fib_get_stats(rtm_fib_agent *agent, rtm_fib_stats *stats);

/* Stops the agent: its thread ends, it deregisters, and its routes leave the
 * kernel table unless it was started with RTM_FIB_KEEP_AT_STOP.  agent is
 * freed whatever the answer: NO_ERROR; ERROR_CAN_NOT_COMPLETE (the kernel
 * refused to remove some of its routes); ERROR_INVALID_PARAMETER (NULL).
 * No other call of the agent may run at the same time. */
DWORD rtm_fib_stop(rtm_fib_agent *agent);

#ifdef __cplusplus
}
#endif

#endif
