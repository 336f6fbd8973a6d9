/*
 * api/control.c — the control socket's entry points (<rtmv2/control.h>).
 * The server is ctl/, a client of the public API inside the library; this
 * file hands the calls to it.  RtmRegisterEntity calls rtm__control_env
 * (the RTMV2_CONTROL variable, read once).
 */
#include "ctl.h"
#include "enter.h"

#include <stdarg.h>

DWORD rtm_control_open(const rtm_control_options *options, rtm_control **ctl)
{
	return ctl_open(options, ctl);
}

void rtm_control_close(rtm_control *ctl)
{
	ctl_close(ctl);
}

DWORD rtm_control_name_entity(rtm_control *ctl, const char *name, RTM_ENTITY_HANDLE entity)
{
	return ctl_name_entity(ctl, name, entity);
}

DWORD rtm_control_add_status(rtm_control *ctl, const char *name, rtm_control_status_fn fn, void *context)
{
	return ctl_add_status(ctl, name, fn, context);
}

void rtm_control_printf(rtm_control_out *out, const char *format, ...)
{
	if (!out || !format)
		return;
	va_list ap;
	va_start(ap, format);
	ctl_printf(out, format, ap);
	va_end(ap);
}

rtm_control *rtm_control_from_env(void)
{
	return ctl_from_env();
}

void rtm__control_env(void)
{
	ctl_env_open();
}
