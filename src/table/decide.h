/*
 * decide.h — which route is better: the best-route rule as a pure function.
 *
 * Routes of one destination are kept sorted by rtm__decide_cmp, better
 * first, so that the best route of a view is the first route of the list
 * that belongs to the view.  The order:
 *
 *   1. lower Preference        (RTM_PREF_INFO: preference outweighs metric)
 *   2. lower Metric
 *   3. lower owner EntityProtocolId, then EntityInstanceId
 *   4. lower neighbour address (no neighbour first), then its interface
 *   5. lower first next-hop address, then interface; fewer next hops first
 *   6. lower Flags, then BelongsToViews
 *   7. earlier creation (the route's sequence number)
 *
 * Steps 3–6 make the choice independent of the order in which routes were
 * added whenever two routes differ in anything a client can see; step 7 only
 * separates routes that are identical in all of it (possible only with
 * RTM_ROUTE_CHANGE_NEW).  It reads only the route and the objects it names, no
 * lock state and no time.
 */
#ifndef RTM_DECIDE_H
#define RTM_DECIDE_H

#include "rib.h"

/* <0 when a is better than b, >0 when worse; 0 only for a == b. */
int rtm__decide_cmp(const struct rtm_route *a, const struct rtm_route *b);

#endif
