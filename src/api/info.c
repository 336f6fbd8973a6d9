/*
 * info.c — information structures handed out and taken back (info.h).
 */
#include "info.h"

#include "dest.h"
#include "entity.h"
#include "error.h"
#include "release.h"
#include "route.h"

#include <limits.h>

/*
 * The handles of an array of RTM_DEST_INFO, as one release (all or nothing,
 * release.c): item i is found by a cursor that moves through the array field by
 * field, since a release reads its items in order, from 0 up, in each pass
 * (each information has its own number of views, so i says nothing by
 * itself).  Fields: 0 DestHandle, then Route, Owner, HoldRoute of each view.
 */
struct info_cursor {
	const char *base;
	size_t stride;
	unsigned i;    /* the item the cursor is at */
	unsigned k, f; /* its information, and its field there */
};

static const RTM_DEST_INFO *cursor_info(const struct info_cursor *c)
{
	return (const void *)(c->base + c->k * c->stride);
}

static void info_item(void *ctx, unsigned i, HANDLE *h, unsigned *type)
{
	struct info_cursor *c = ctx;
	if (i < c->i)
		c->i = c->k = c->f = 0;
	for (; c->i < i; c->i++)
		if (++c->f == 1 + 3 * cursor_info(c)->NumberOfViews) {
			c->k++;
			c->f = 0;
		}
	const RTM_DEST_INFO *di = cursor_info(c);
	if (c->f == 0) {
		*h = di->DestHandle;
		*type = RTM_HT_DEST;
	} else {
		const __typeof__(di->ViewInfo[0]) *vi =
			(const void *)((const char *)di->ViewInfo + (c->f - 1) / 3 * sizeof(di->ViewInfo[0]));
		static const unsigned types[3] = { RTM_HT_ROUTE, RTM_HT_ENTITY, RTM_HT_ROUTE };
		unsigned j = (c->f - 1) % 3;
		*h = j == 0 ? vi->Route : j == 1 ? vi->Owner : vi->HoldRoute;
		*type = types[j];
	}
	if (!*h)
		*type = 0;
}

int rtm__dest_release_infos(struct rtm_rib *rib, const RTM_DEST_INFO *infos, unsigned n, size_t stride)
{
	unsigned items = 0;
	for (unsigned i = 0; i < n; i++) {
		const RTM_DEST_INFO *di = (const void *)((const char *)infos + i * stride);
		if (di->NumberOfViews > RTM_MAX_VIEWS)
			return RTM_EINVAL;
		if (!di->DestHandle)
			return RTM_EHANDLE;
		if (items > UINT_MAX - (1 + 3 * RTM_MAX_VIEWS))
			return RTM_EINVAL;
		items += 1 + 3 * di->NumberOfViews;
	}
	struct info_cursor c = { (const char *)infos, stride, 0, 0, 0 };
	return rtm__rib_release_items_lockfree(rib, items, info_item, &c);
}

int rtm__route_release_info(struct rtm_rib *rib, const RTM_ROUTE_INFO *info)
{
	if (info->NextHopsList.NumNextHops > rib->cfg.max_next_hops_in_route || !info->DestHandle ||
	    !info->RouteOwner)
		return RTM_EHANDLE;
	struct rtm_release items[3 + RTM_MAX_NEXTHOPS];
	unsigned k = 0;
	items[k++] = (struct rtm_release){ info->DestHandle, RTM_HT_DEST };
	items[k++] = (struct rtm_release){ info->RouteOwner, RTM_HT_ENTITY };
	items[k++] = (struct rtm_release){ info->Neighbour, RTM_HT_NEXTHOP };
	for (unsigned i = 0; i < info->NextHopsList.NumNextHops; i++) {
		if (!info->NextHopsList.NextHops[i])
			return RTM_EHANDLE;
		items[k++] = (struct rtm_release){ info->NextHopsList.NextHops[i], RTM_HT_NEXTHOP };
	}
	return rtm__rib_release(rib, items, k);
}
