/*
 * error.c — the mapping of error.h, and the public rtm_strerror().
 */
#include "error.h"

#include <rtmv2/rtmv2_ext.h>

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

const char *rtm_strerror(DWORD code)
{
	if (code == NO_ERROR)
		return "success";
#define RTM_X_MSG(name, value, win32, msg) \
	if (code == (DWORD)(win32))        \
		return msg;
	RTM_ERROR_TABLE(RTM_X_MSG)
#undef RTM_X_MSG
	return "unknown error";
}
