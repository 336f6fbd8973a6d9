/*
 * netaddr.c — RTM_NET_ADDRESS checks and conversions to and from trie keys.
 * (The API's two IPv6 helpers are in api/netaddr.c.)
 */
#include "netaddr.h"

#include "error.h"
#include "trie.h"

#include <string.h>

int rtm__netaddr_check(const RTM_NET_ADDRESS *addr, USHORT family, unsigned width)
{
	if (!addr || addr->AddressFamily != family || addr->NumBits > width)
		return RTM_EINVAL;
	return 0;
}

void rtm__netaddr_key(const RTM_NET_ADDRESS *addr, unsigned width, uint8_t *key)
{
	memcpy(key, addr->AddrBits, width / 8);
	rtm__trie_key_normalize(key, width, addr->NumBits);
}

void rtm__netaddr_from_key(RTM_NET_ADDRESS *out, USHORT family, unsigned width, const uint8_t *key,
			   unsigned len)
{
	memset(out, 0, sizeof(*out));
	out->AddressFamily = family;
	out->NumBits = (USHORT)len;
	memcpy(out->AddrBits, key, width / 8);
}

static int bits_cmp(const UCHAR *a, const UCHAR *b, unsigned nbits)
{
	unsigned full = nbits / 8, rest = nbits % 8;
	int c = memcmp(a, b, full);
	if (c || !rest)
		return c;
	UCHAR mask = (UCHAR)(0xFFu << (8 - rest));
	return (int)(a[full] & mask) - (int)(b[full] & mask);
}

bool rtm__netaddr_equal(const RTM_NET_ADDRESS *a, const RTM_NET_ADDRESS *b)
{
	return a->AddressFamily == b->AddressFamily && a->NumBits == b->NumBits &&
	       a->NumBits <= 8 * RTM_MAX_ADDRESS_SIZE && bits_cmp(a->AddrBits, b->AddrBits, a->NumBits) == 0;
}

int rtm__netaddr_cmp(const RTM_NET_ADDRESS *a, const RTM_NET_ADDRESS *b)
{
	if (a->AddressFamily != b->AddressFamily)
		return a->AddressFamily < b->AddressFamily ? -1 : 1;
	int c = memcmp(a->AddrBits, b->AddrBits, RTM_MAX_ADDRESS_SIZE);
	if (c)
		return c;
	return (int)a->NumBits - (int)b->NumBits;
}
