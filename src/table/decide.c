/*
 * decide.c — the best-route order (see decide.h).
 */
#include "decide.h"

#include "netaddr.h"

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_nexthop(const struct rtm_nexthop *a, const struct rtm_nexthop *b)
{
	if (a == b)
		return 0;
	if (!a || !b)
		return a ? 1 : -1;
	int c = rtm__netaddr_cmp(&a->info.NextHopAddress, &b->info.NextHopAddress);
	if (c)
		return c;
	return cmp_u32(a->info.InterfaceIndex, b->info.InterfaceIndex);
}

int rtm__decide_cmp(const struct rtm_route *a, const struct rtm_route *b)
{
	int c;
	if (a == b)
		return 0;
	if ((c = cmp_u32(a->pref.Preference, b->pref.Preference)))
		return c;
	if ((c = cmp_u32(a->pref.Metric, b->pref.Metric)))
		return c;
	if ((c = cmp_u32(a->owner->info.EntityId.EntityProtocolId,
			 b->owner->info.EntityId.EntityProtocolId)))
		return c;
	if ((c = cmp_u32(a->owner->info.EntityId.EntityInstanceId,
			 b->owner->info.EntityId.EntityInstanceId)))
		return c;
	if ((c = cmp_nexthop(a->neighbour, b->neighbour)))
		return c;
	const struct rtm_nexthop *na = a->n_nexthops ? rtm__route_nexthops(a)[0] : NULL;
	const struct rtm_nexthop *nb = b->n_nexthops ? rtm__route_nexthops(b)[0] : NULL;
	if ((c = cmp_nexthop(na, nb)))
		return c;
	if ((c = cmp_u32(a->n_nexthops, b->n_nexthops)))
		return c;
	if ((c = cmp_u32(a->flags, b->flags)))
		return c;
	if ((c = cmp_u32(a->views, b->views)))
		return c;
	return a->seq < b->seq ? -1 : 1;
}
