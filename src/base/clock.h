/*
 * clock.h — wall-clock time stamps as Windows FILETIME values (100 ns units
 * since 1601-01-01), for RTM_DEST_INFO.LastChanged.
 */
#ifndef RTM_CLOCK_H
#define RTM_CLOCK_H

#include <rtmv2.h>
#include <stdint.h>

/* Now, from the coarse clock (a few ms of resolution is enough for
 * LastChanged and costs no TSC read). */
uint64_t rtm__filetime_now(void);

static inline FILETIME rtm__filetime(uint64_t v)
{
	FILETIME ft = { (DWORD)(v & 0xFFFFFFFFu), (DWORD)(v >> 32) };
	return ft;
}

#endif
