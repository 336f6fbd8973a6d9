/*
 * timers.h — the fires of the table's timers (api/timers.c).
 */
#ifndef RTM_TIMERS_H
#define RTM_TIMERS_H

#include "rib.h"

/* Gives rib the table's hooks (rtm_table_hooks): the fires of route expiry
 * and of the end of a hold-down.  rib->lock exclusive, before any timer of
 * the RIB is armed (registration). */
void rtm__timers_install(struct rtm_rib *rib);

#endif
