/*
 * netaddr.h — RTM_NET_ADDRESS checks and conversions.
 *
 * One rule everywhere: an address given to the RTM must be of the RIB's
 * family and have NumBits no larger than the family's width (32 or 128);
 * otherwise the call fails with ERROR_INVALID_PARAMETER.  Bits beyond NumBits
 * are ignored: destinations are stored with them cleared (10.10.10.10/24 names
 * the destination 10.10.10.0/24, and DestInfo reports 10.10.10.0/24).  See
 * docs/API-NOTES.md.
 */
#ifndef RTM_NETADDR_H
#define RTM_NETADDR_H

#include <rtmv2.h>
#include <stdbool.h>
#include <stdint.h>

/* 0 if addr is a valid address of family/width, else RTM_EINVAL. */
int rtm__netaddr_check(const RTM_NET_ADDRESS *addr, USHORT family, unsigned width);
/* Copies the first width/8 bytes of addr with bits beyond NumBits cleared. */
void rtm__netaddr_key(const RTM_NET_ADDRESS *addr, unsigned width, uint8_t *key);
/* Builds an RTM_NET_ADDRESS from a key. */
void rtm__netaddr_from_key(RTM_NET_ADDRESS *out, USHORT family, unsigned width, const uint8_t *key,
			   unsigned len);
/* Exact equality of family, length and the first NumBits bits. */
bool rtm__netaddr_equal(const RTM_NET_ADDRESS *a, const RTM_NET_ADDRESS *b);
/* Total order: family, then address bytes, then length. */
int rtm__netaddr_cmp(const RTM_NET_ADDRESS *a, const RTM_NET_ADDRESS *b);

#endif
