/*
 * events.c — calls into clients: event callbacks (RTM_ENTITY_REGISTERED,
 * _DEREGISTERED, RTM_ROUTE_EXPIRED, RTM_CHANGE_NOTIFICATION) and the
 * accounting that lets an entity deregister, or block its methods, without
 * waiting for itself (events.h).
 *
 * Each delivery and each method invocation pushes a frame on a per-thread
 * stack (kept on the C stack, so nesting has no limit) and counts itself in
 * the target's callbacks_running or methods_running, under its cb_mutex.  An
 * entity deregistering, or blocking its methods, from inside its own
 * callback or method must not wait for the frames of its own thread, which
 * cannot finish before it returns: rtm__frames_here counts them.
 *
 * Entity events (registration, deregistration) are delivered on the
 * registering (deregistering) thread after all locks are dropped, to the
 * entities of the RIB registered before the event: every registration and
 * deregistration takes the next number of one sequence (reg_seq, under the
 * registry mutex), and rib->entities is in registration order.  The walk
 * allocates nothing, so deregistration cannot fail: it holds a reference on
 * the entity it stands on and, when that one has left the list meanwhile,
 * finds its place again by number.
 */
#include "events.h"

#include "registry.h"

static _Thread_local struct rtm_frame *tl_frames;

void rtm__frame_push(struct rtm_frame *f, const struct rtm_entity *e, bool method)
{
	f->e = e;
	f->method = method;
	f->up = tl_frames;
	tl_frames = f;
}

void rtm__frame_pop(struct rtm_frame *f)
{
	tl_frames = f->up;
}

/* How many of this thread's frames run e's callbacks (method false) or methods. */
unsigned rtm__frames_here(const struct rtm_entity *e, bool method)
{
	unsigned n = 0;
	for (const struct rtm_frame *f = tl_frames; f; f = f->up)
		n += f->e == e && f->method == method;
	return n;
}

DWORD rtm__entity_deliver(struct rtm_entity *e, RTM_EVENT_TYPE type, PVOID context1, PVOID context2,
			  bool *called)
{
	DWORD ret = NO_ERROR;
	if (called)
		*called = false;
	pthread_mutex_lock(&e->cb_mutex);
	if (atomic_load_explicit(&e->state, memory_order_relaxed) != RTM_ENT_LIVE || !e->callback) {
		pthread_mutex_unlock(&e->cb_mutex);
		return NO_ERROR;
	}
	RTM_EVENT_CALLBACK cb = e->callback;
	RTM_ENTITY_HANDLE self = rtm__entity_handle(e);
	e->callbacks_running++;
	pthread_mutex_unlock(&e->cb_mutex);

	struct rtm_frame f;
	rtm__frame_push(&f, e, false);
	ret = cb(self, type, context1, context2);
	rtm__frame_pop(&f);
	if (called)
		*called = true;

	pthread_mutex_lock(&e->cb_mutex);
	e->callbacks_running--;
	pthread_cond_broadcast(&e->cb_cond);
	pthread_mutex_unlock(&e->cb_mutex);
	return ret;
}

/* Waits for e's callbacks and method calls running on other threads (e is
 * deregistered: no new ones start). */
void rtm__entity_quiesce(struct rtm_entity *e)
{
	unsigned cbs = rtm__frames_here(e, false), methods = rtm__frames_here(e, true);
	pthread_mutex_lock(&e->cb_mutex);
	if (e->callbacks_running > cbs || e->methods_running > methods) {
		atomic_fetch_add_explicit(&e->rib->waiting_drains, 1, memory_order_relaxed);
		while (e->callbacks_running > cbs || e->methods_running > methods)
			pthread_cond_wait(&e->cb_cond, &e->cb_mutex);
		atomic_fetch_sub_explicit(&e->rib->waiting_drains, 1, memory_order_relaxed);
	}
	pthread_mutex_unlock(&e->cb_mutex);
}

/* Tells every entity of rib registered before event number seq that subject
 * (registered or deregistered, named by handle) did so.  No lock held.
 * Allocates nothing: see the essay at the top. */
void rtm__entity_deliver_all(struct rtm_rib *rib, const struct rtm_entity *subject, uint64_t seq,
			RTM_EVENT_TYPE type, RTM_ENTITY_HANDLE handle, const RTM_ENTITY_INFO *info)
{
	struct rtm_entity *cur = NULL;
	uint64_t last = 0;
	for (;;) {
		struct rtm_entity *next = NULL;
		rtm__rib_rdlock(rib);
		/* cur is still in the list iff it is still registered (both change
		 * under the exclusive lock); if not, start again from the head. */
		struct rtm_link *pos = cur && rtm__entity_live(cur) ? cur->rib_link.next
									   : rib->entities.next;
		for (; pos != &rib->entities; pos = pos->next) {
			struct rtm_entity *o = rtm_container_of(pos, struct rtm_entity, rib_link);
			if (o->reg_seq >= seq)
				break; /* registered after the event, like all after it */
			if (o->reg_seq > last && o != subject) {
				next = o;
				last = o->reg_seq;
				rtm__entity_ref(next);
				break;
			}
		}
		rtm__rib_unlock(rib);
		if (cur)
			rtm__entity_unref(cur);
		if (!next)
			return;
		/* Each target gets its own copy: it may scribble on what it was given. */
		RTM_ENTITY_INFO copy = *info;
		rtm__entity_deliver(next, type, handle, &copy, NULL);
		cur = next;
	}
}
