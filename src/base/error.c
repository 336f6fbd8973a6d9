/*
 * error.c — the mapping of error.h (rtm_strerror, its public face, is in api/ext.c).
 */
#include "error.h"

DWORD rtm__win32(int err)
{
	switch (err) {
	case RTM_OK:
		return NO_ERROR;
#define RTM_X_CASE(name, value, win32, msg) \
	case name:                          \
		return win32;
		RTM_ERROR_TABLE(RTM_X_CASE)
#undef RTM_X_CASE
	}
	return ERROR_INVALID_PARAMETER;
}
