/*
 * error.h — the library's one error table.
 *
 * Internal functions return 0 on success or a negative RTM_E* code.  The
 * X-macro below is the only place where those codes meet Win32: at the API
 * boundary rtm__win32() turns one into the DWORD the caller sees, and the
 * public rtm_strerror() gives the message.  Keeping the mapping in one table
 * means a code can never be translated two different ways by two functions.
 */
#ifndef RTM_ERROR_H
#define RTM_ERROR_H

#include <rtmv2.h>

/*      internal name          value  Win32 code                 message */
#define RTM_ERROR_TABLE(X)                                                                           \
	X(RTM_EHANDLE,         -1,  ERROR_INVALID_HANDLE,      "the handle is invalid")                  \
	X(RTM_ENOMEM,          -2,  ERROR_NOT_ENOUGH_MEMORY,   "not enough memory")                      \
	X(RTM_EINVAL,          -3,  ERROR_INVALID_PARAMETER,   "a parameter is incorrect")               \
	X(RTM_EDATA,           -4,  ERROR_INVALID_DATA,        "a parameter contains incorrect data")    \
	X(RTM_EACCES,          -5,  ERROR_ACCESS_DENIED,       "the caller does not own the object")    \
	X(RTM_ENOENT,          -6,  ERROR_NOT_FOUND,           "not found")                              \
	X(RTM_EEXIST,          -7,  ERROR_ALREADY_EXISTS,      "already exists")                         \
	X(RTM_EBUFFER,         -8,  ERROR_INSUFFICIENT_BUFFER, "the buffer is too small")                \
	X(RTM_ENOMORE,         -9,  ERROR_NO_MORE_ITEMS,       "no more items")                          \
	X(RTM_ENOTSUP,         -10, ERROR_NOT_SUPPORTED,       "not supported")                          \
	X(RTM_ENORES,          -11, ERROR_NO_SYSTEM_RESOURCES, "not enough system resources")            \
	X(RTM_ENOFILE,         -12, ERROR_FILE_NOT_FOUND,      "configuration file not found")           \
	X(RTM_EBADCONF,        -13, ERROR_BAD_CONFIGURATION,   "configuration is malformed")             \
	X(RTM_EDEADLK,         -14, ERROR_POSSIBLE_DEADLOCK,   "the call would wait for itself")         \

enum rtm_error {
	RTM_OK = 0,
#define RTM_X_ENUM(name, value, win32, msg) name = value,
	RTM_ERROR_TABLE(RTM_X_ENUM)
#undef RTM_X_ENUM
};

/* Maps 0 / RTM_E* to the Win32 code returned by the API. */
DWORD rtm__win32(int err);

#endif
