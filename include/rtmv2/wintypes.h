/*
 * rtmv2/wintypes.h — the Windows base types that the RTMv2 API is written in,
 * defined for Linux.
 *
 * The RTMv2 structures are shared, field for field, with code written for the
 * Windows SDK, so every type here has the width it has on Windows in both
 * 32- and 64-bit builds.  The trap is LONG, ULONG and DWORD: Windows is LLP64
 * and keeps them at 32 bits, while `long` on 64-bit Linux is 64 bits.  They
 * are therefore built on int32_t / uint32_t and never on `long`; the static
 * assertions at the end stop the build if anything else got in first.
 *
 * Guards.  A program may also include another Windows-compatibility header.
 * Macros are each wrapped in #ifndef.  Typedefs cannot be tested for, so the
 * typedefs are grouped behind the guard macros the Windows headers themselves
 * use (VOID for CHAR/SHORT/LONG as in winnt.h, BASETYPES for the unsigned
 * basics as in minwindef.h, _FILETIME_ for FILETIME, _WINNT_ and
 * _MINWINDEF_/_WINDEF_ for the rest); a header that follows those conventions
 * and is included first wins, and ours steps aside.  Repeating an identical
 * typedef is legal in C11 and C++, so a second, identical definition does not
 * clash either.  Only a different definition of the same name can, and that
 * would be a real incompatibility the assertions below report.
 */
#ifndef RTMV2_WINTYPES_H
#define RTMV2_WINTYPES_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

/* winnt.h defines CHAR, SHORT and LONG together with VOID, behind VOID. */
#ifndef VOID
#define VOID void
typedef char CHAR;
typedef short SHORT;
typedef int32_t LONG;
#endif

/* minwindef.h keeps the unsigned basics behind BASETYPES. */
#ifndef BASETYPES
#define BASETYPES
typedef uint32_t ULONG;
typedef ULONG *PULONG;
typedef unsigned short USHORT;
typedef USHORT *PUSHORT;
typedef unsigned char UCHAR;
typedef UCHAR *PUCHAR;
#endif

/* The rest of winnt.h's basics. */
#ifndef _WINNT_
typedef void *PVOID;
typedef void *HANDLE;
typedef unsigned char BOOLEAN;
/*
 * `long long` rather than int64_t: it is 64 bits on every Linux ABI, and it
 * keeps "%llu"/"%lld" — what Windows code usually prints these with — correct.
 */
#if defined(__GNUC__) || defined(__clang__)
/*
 * C++98 has no long long, and -pedantic says so: clang is silenced by
 * __extension__, g++ only by the pragma.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wlong-long"
__extension__ typedef unsigned long long ULONGLONG;
__extension__ typedef long long LONGLONG;
#pragma GCC diagnostic pop
#else
typedef unsigned long long ULONGLONG;
typedef long long LONGLONG;
#endif
#endif

/* The rest of minwindef.h's basics. */
#if !defined(_MINWINDEF_) && !defined(_WINDEF_)
typedef uint32_t DWORD;
typedef DWORD *PDWORD;
typedef int BOOL;
typedef BOOL *PBOOL;
typedef unsigned char BYTE;
typedef unsigned short WORD;
typedef int INT;
typedef unsigned int UINT;
typedef UINT *PUINT;
#endif

/*
 * FILETIME: a 64-bit count of 100-nanosecond intervals since 1601-01-01 UTC,
 * split in two 32-bit halves (so the structure is only 4-byte aligned).
 */
#ifndef _FILETIME_
#define _FILETIME_
typedef struct _FILETIME {
	DWORD dwLowDateTime;
	DWORD dwHighDateTime;
} FILETIME, *PFILETIME;
#endif

/*
 * IPv6 addresses are the system's struct in6_addr.  Windows code that uses
 * IN6_ADDR's u.Byte[] member must use s6_addr[] on Linux instead; the size
 * (16 bytes) and byte order (network order) are the same.  AF_INET and
 * AF_INET6 come from <sys/socket.h>.
 */
typedef struct in6_addr IN6_ADDR, *PIN6_ADDR;

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

/* The calling convention: x86-64 and other Linux targets have only one. */
#ifndef WINAPI
#define WINAPI
#endif

/* Parameter annotations of the SDK prototypes; documentation only. */
#ifndef IN
#define IN
#endif
#ifndef OUT
#define OUT
#endif
#ifndef OPTIONAL
#define OPTIONAL
#endif

/*
 * Windows' FIELD_OFFSET yields a LONG; offsetof yields a size_t.  The RTM
 * size macros only add and multiply the result, so the unsigned form is the
 * one that mixes cleanly with sizeof.
 */
#ifndef FIELD_OFFSET
#define FIELD_OFFSET(type, field) offsetof(type, field)
#endif

/* "Never" for TimeToLive and HoldTime, in milliseconds. */
#ifndef INFINITE
#define INFINITE 0xFFFFFFFF
#endif

/* The widths the RTMv2 structures depend on; see the comment at the top. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define RTMV2_WINTYPES_ASSERT(cond, msg) static_assert(cond, msg)
#elif !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define RTMV2_WINTYPES_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif
#ifdef RTMV2_WINTYPES_ASSERT
RTMV2_WINTYPES_ASSERT(sizeof(DWORD) == 4, "DWORD must be 32 bits");
RTMV2_WINTYPES_ASSERT(sizeof(ULONG) == 4, "ULONG must be 32 bits");
RTMV2_WINTYPES_ASSERT(sizeof(LONG) == 4, "LONG must be 32 bits");
RTMV2_WINTYPES_ASSERT(sizeof(USHORT) == 2, "USHORT must be 16 bits");
RTMV2_WINTYPES_ASSERT(sizeof(ULONGLONG) == 8, "ULONGLONG must be 64 bits");
RTMV2_WINTYPES_ASSERT(sizeof(HANDLE) == sizeof(void *), "HANDLE must be a pointer");
RTMV2_WINTYPES_ASSERT(sizeof(IN6_ADDR) == 16, "IN6_ADDR must be 16 bytes");
#undef RTMV2_WINTYPES_ASSERT
#endif

#endif /* RTMV2_WINTYPES_H */
