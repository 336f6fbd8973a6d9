/*
 * gateways.h — the next hops the API benchmarks (bench_mrt, bench_ctl) route
 * the table through: n gateways of an entity, 192.0.2.2... or 2001:db8::2...
 * by the family's address family.  Over the public API only.
 */
#ifndef RTM_BENCH_GATEWAYS_H
#define RTM_BENCH_GATEWAYS_H

#include "common.h"

#include <rtmv2.h>

/* Makes n next hops of h for f's family into nh[]; exits (status 2) when RTM refuses one. */
BENCH_FN void bench_gateways(RTM_ENTITY_HANDLE h, const struct bench_family *f, RTM_NEXTHOP_HANDLE *nh, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		RTM_NEXTHOP_INFO ni;
		DWORD fl = 0;
		memset(&ni, 0, sizeof(ni));
		ni.NextHopAddress.AddressFamily = (USHORT)f->af;
		ni.NextHopAddress.NumBits = (USHORT)f->width;
		if (f->af == AF_INET) {
			ni.NextHopAddress.AddrBits[0] = 192, ni.NextHopAddress.AddrBits[2] = 2;
			ni.NextHopAddress.AddrBits[3] = (UCHAR)(2 + i);
		} else {
			ni.NextHopAddress.AddrBits[0] = 0x20, ni.NextHopAddress.AddrBits[1] = 0x01;
			ni.NextHopAddress.AddrBits[2] = 0x0d, ni.NextHopAddress.AddrBits[3] = 0xb8;
			ni.NextHopAddress.AddrBits[15] = (UCHAR)(2 + i);
		}
		nh[i] = NULL;
		if (RtmAddNextHop(h, &ni, &nh[i], &fl) != NO_ERROR)
			exit(2);
	}
}

#endif
