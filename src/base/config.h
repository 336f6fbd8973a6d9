/*
 * config.h — per-instance, per-address-family settings from an optional text file.
 *
 * Windows RTMv2 reads these settings from the registry; rtmv2 reads them from the file named by
 * the environment variable RTMV2_CONFIG, or uses the built-in defaults when it is unset.  The
 * instance module asks once per (instance, family), when the first entity registers with it.
 * The file format, every key, its default and range are described in docs/CONFIG.md.
 *
 * This module keeps no state, takes no locks and prints nothing: each call parses the whole
 * file again and either fills the caller's structure or leaves it untouched and reports one
 * line of text for the caller to show.
 */
#ifndef RTM_CONFIG_H
#define RTM_CONFIG_H

#include <stddef.h>
#include <stdint.h>

/* Built-in defaults and accepted ranges (inclusive) of each value. */
#define RTM_CONFIG_DEF_MAX_HANDLES_IN_ENUM	100u
#define RTM_CONFIG_MIN_MAX_HANDLES_IN_ENUM	1u
#define RTM_CONFIG_MAX_MAX_HANDLES_IN_ENUM	10000u

#define RTM_CONFIG_DEF_MAX_NEXT_HOPS_IN_ROUTE	8u
#define RTM_CONFIG_MIN_MAX_NEXT_HOPS_IN_ROUTE	1u
#define RTM_CONFIG_MAX_MAX_NEXT_HOPS_IN_ROUTE	64u

/* Views are numbered 0..31; view 0 (unicast) must always be present. */
#define RTM_CONFIG_DEF_VIEWS_SUPPORTED		UINT32_C(0x3)
#define RTM_CONFIG_MAX_VIEW			31u

#define RTM_CONFIG_DEF_MAX_OPAQUE_POINTERS	16u
#define RTM_CONFIG_MIN_MAX_OPAQUE_POINTERS	0u
#define RTM_CONFIG_MAX_MAX_OPAQUE_POINTERS	255u

#define RTM_CONFIG_DEF_MAX_CHANGE_NOTIFICATIONS	32u
#define RTM_CONFIG_MIN_MAX_CHANGE_NOTIFICATIONS	1u
#define RTM_CONFIG_MAX_MAX_CHANGE_NOTIFICATIONS	32u

/* Longest accepted line, in bytes, not counting its '\n'. */
#define RTM_CONFIG_MAX_LINE			1024u

/* The settings of one instance and address family. */
struct rtm_config_values {
	unsigned max_handles_in_enum;		/* RTM_REGN_PROFILE.MaxHandlesInEnum */
	unsigned max_next_hops_in_route;	/* RTM_REGN_PROFILE.MaxNextHopsInRoute */
	uint32_t views_supported;		/* RTM_REGN_PROFILE.ViewsSupported: bit v = view v */
	unsigned max_opaque_pointers;		/* destination opaque-pointer slots */
	unsigned max_change_notifications;	/* notification registrations per instance+family */
};

/*
 * Fill *out with the built-in defaults (the values used when no file is configured).
 * out (out): must not be NULL.
 */
void rtm__config_defaults(struct rtm_config_values *out);

/*
 * Work out the settings of one instance and address family.
 *
 * The result is the built-in defaults, overridden by every [default] section of the file
 * (wherever they stand), then by every [instance <id> <family>] section matching the
 * arguments, in file order, key by key.  The whole file is checked on every call: an error in
 * any section, even one for another instance, rejects the file.
 *
 * path (in): the file to read; NULL means getenv("RTMV2_CONFIG"), and if that is unset or
 *            empty the defaults alone are returned.
 * instance (in): RTM instance id, 0..65535.
 * family (in): AF_INET or AF_INET6.
 * out (out): receives the values on success; untouched on any error.
 * errbuf (out, optional): on error receives a one-line message without a newline, in the form
 *            "<path>:<line>: <what is wrong>" for file content and "<path>: <reason>" when the
 *            file cannot be read; truncated to errlen bytes including the NUL.  Set to "" on
 *            success.  May be NULL, and is not written when errlen is 0.
 *
 * Returns:
 *   0         success.
 *   -EINVAL   family is neither AF_INET nor AF_INET6 (checked first), out is NULL, or
 *             instance > 65535.
 *   -ENOENT   the file does not exist (or a component of its path is not a directory).
 *   -EACCES   permission to open the file was denied.
 *   -EBADMSG  the file is malformed (see docs/CONFIG.md for the list of errors).
 *   -ENOMEM   the file could not be opened for lack of memory.
 *   -EIO      any other failure to open or read the file (e.g. it is a directory).
 */
int rtm__config_load(const char *path, unsigned instance, int family,
		     struct rtm_config_values *out, char *errbuf, size_t errlen);

#endif
