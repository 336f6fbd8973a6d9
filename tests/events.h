/*
 * events.h — a test callback that records the entity events it receives
 * (test_entity.c, test_methods.c).
 */
#ifndef RTM_TEST_EVENTS_H
#define RTM_TEST_EVENTS_H

#include "rtmtest.h"

struct ev {
	RTM_ENTITY_HANDLE to;
	RTM_EVENT_TYPE type;
	PVOID c1;
	RTM_ENTITY_INFO info;
};

static pthread_mutex_t ev_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct ev evs[64];
static unsigned n_evs;

static DWORD WINAPI record_cb(RTM_ENTITY_HANDLE h, RTM_EVENT_TYPE t, PVOID c1, PVOID c2)
{
	pthread_mutex_lock(&ev_mutex);
	if (n_evs < 64) {
		evs[n_evs].to = h;
		evs[n_evs].type = t;
		evs[n_evs].c1 = c1;
		if (c2)
			evs[n_evs].info = *(RTM_ENTITY_INFO *)c2;
		n_evs++;
	}
	pthread_mutex_unlock(&ev_mutex);
	return NO_ERROR;
}

#endif
