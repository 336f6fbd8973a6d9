/*
 * info.h — the information structures the API hands out and takes back:
 * RTM_DEST_INFO and RTM_ROUTE_INFO, filled with referenced handles and
 * released all or nothing.  (The table fills them; the releases go through
 * svc/release.c.)
 */
#ifndef RTM_INFO_H
#define RTM_INFO_H

#include "rib.h"

/* Releases the handles of n RTM_DEST_INFO entries of `stride` bytes each, as
 * one release: 0; RTM_EINVAL (an entry with more than RTM_MAX_VIEWS views) or
 * RTM_EHANDLE (a NULL DestHandle, or a handle the caller holds no reference
 * to), and then nothing is released.  Takes rib->lock itself. */
int rtm__dest_release_infos(struct rtm_rib *rib, const RTM_DEST_INFO *infos, unsigned n, size_t stride);
/* Releases the handles of one RTM_ROUTE_INFO, as one release: 0 or
 * RTM_EHANDLE (nothing released).  Takes rib->lock itself. */
int rtm__route_release_info(struct rtm_rib *rib, const RTM_ROUTE_INFO *info);

#endif
