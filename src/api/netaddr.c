/*
 * api/netaddr.c — the two IPv6 address helpers of the API.  They touch no
 * table: plain checks and copies.
 */
#include <rtmv2.h>

#include <string.h>

DWORD WINAPI RtmConvertNetAddressToIpv6AddressAndLength(PRTM_NET_ADDRESS pNetAddress,
							 PIN6_ADDR pAddress, PDWORD pLength,
							 DWORD dwAddressSize)
{
	if (!pNetAddress || !pAddress || !pLength || dwAddressSize > RTM_MAX_ADDRESS_SIZE ||
	    dwAddressSize != sizeof(IN6_ADDR))
		return ERROR_INVALID_PARAMETER;
	if (pNetAddress->NumBits > 8 * dwAddressSize)
		return ERROR_INVALID_PARAMETER;
	memcpy(pAddress, pNetAddress->AddrBits, dwAddressSize);
	*pLength = pNetAddress->NumBits;
	return NO_ERROR;
}

DWORD WINAPI RtmConvertIpv6AddressAndLengthToNetAddress(PRTM_NET_ADDRESS pNetAddress,
							 IN6_ADDR Address, DWORD dwLength,
							 DWORD dwAddressSize)
{
	if (!pNetAddress || dwAddressSize != sizeof(IN6_ADDR) || dwLength > 8 * dwAddressSize)
		return ERROR_INVALID_PARAMETER;
	/* The RTM_IPV6_* macros set AddressFamily themselves; this sets the rest. */
	pNetAddress->NumBits = (USHORT)dwLength;
	memset(pNetAddress->AddrBits, 0, sizeof(pNetAddress->AddrBits));
	memcpy(pNetAddress->AddrBits, &Address, dwAddressSize);
	return NO_ERROR;
}
