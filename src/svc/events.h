/*
 * events.h — calls into clients: event callbacks, and the per-thread frames
 * that tell an entity's own callbacks and methods from other threads'
 * (events.c opens with the essay).
 */
#ifndef RTM_EVENTS_H
#define RTM_EVENTS_H

#include "entity.h"

/* A callback or method of an entity running on this thread. */
/* A callback or method of an entity running on this thread. */
struct rtm_frame {
	const struct rtm_entity *e;
	bool method; /* an exported method (RtmInvokeMethod), else an event callback */
	struct rtm_frame *up;
};

/* Pushes (pops) this thread's frame for a callback (method false) or method
 * of e; f lives on the caller's stack. */
void rtm__frame_push(struct rtm_frame *f, const struct rtm_entity *e, bool method);
void rtm__frame_pop(struct rtm_frame *f);
/* How many of this thread's frames run e's callbacks (method false) or methods. */
unsigned rtm__frames_here(const struct rtm_entity *e, bool method);

/* Calls e's event callback, with no lock held, unless e has deregistered (or
 * is deregistering) or has no callback.  Returns the callback's answer, or
 * NO_ERROR when it was not called; *called (may be NULL) says which. */
DWORD rtm__entity_deliver(struct rtm_entity *e, RTM_EVENT_TYPE type, PVOID context1, PVOID context2,
			  bool *called);
/* Waits for e's callbacks and method calls running on other threads (e is
 * deregistered: no new ones start). */
void rtm__entity_quiesce(struct rtm_entity *e);
/* Tells every entity of rib registered before event number seq that subject
 * (registered or deregistered, named by handle) did so.  No lock held;
 * allocates nothing. */
void rtm__entity_deliver_all(struct rtm_rib *rib, const struct rtm_entity *subject, uint64_t seq,
			     RTM_EVENT_TYPE type, RTM_ENTITY_HANDLE handle, const RTM_ENTITY_INFO *info);

#endif
