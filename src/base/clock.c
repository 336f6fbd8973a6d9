/*
 * clock.c — FILETIME time stamps (clock.h).
 */
#include "clock.h"

#include <time.h>

uint64_t rtm__filetime_now(void)
{
	/* The coarse clock (the kernel's tick, a few ms) is enough for
	 * LastChanged and, unlike the precise one, costs no TSC read: in a
	 * virtual machine that read can cost more than the rest of an insert. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	/* 100 ns ticks from 1601-01-01 to 1970-01-01. */
	const uint64_t epoch_delta = 116444736000000000ULL;
	return epoch_delta + (uint64_t)ts.tv_sec * 10000000ULL + (uint64_t)ts.tv_nsec / 100u;
}
