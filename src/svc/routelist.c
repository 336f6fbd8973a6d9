/*
 * routelist.c — client route lists.
 *
 * A route list is a client's private list of routes it owns; a route is in at
 * most one list.  The list is an intrusive doubly linked list through the
 * routes' extension (rtm_route_ext.list_item), so moving a route between
 * lists, and removing a deleted route, are O(1).
 *
 * Enumerating a list (RtmCreateRouteListEnum / RtmGetListEnumRoutes) must
 * survive routes being moved out of the list or deleted between calls.  The
 * enumeration therefore owns a cursor item that sits in the list right after
 * the last route it returned: each call walks on from the cursor and moves it.
 * Routes added to the list go to its tail, so an enumeration in progress also
 * sees routes added after it started.  Cursors are skipped by everything
 * else that walks a list.
 *
 * Locking: lists change under rib->lock exclusive, and every change of a
 * list's items also holds the list's own mutex, a leaf; an enumeration
 * walks the list and moves its cursor holding only that mutex, inside an
 * epoch section, so it takes no lock a writer of the table holds (only a
 * writer that moves a route into or out of that very list waits for it, as
 * long as one batch).  A list's memory goes through the limbo.
 */
#include "routelist.h"

#include "alloc.h"
#include "entity.h"
#include "enum.h"
#include "error.h"
#include "lifetime.h"
#include "route.h"

struct rtm_route_list *rtm__list_of_caller(struct rtm_rib *rib, struct rtm_entity *caller, HANDLE h)
{
	struct rtm_obj *obj = rtm__rib_lookup(rib, h, RTM_HT_LIST);
	if (!obj || obj->dead)
		return NULL;
	struct rtm_route_list *list = (struct rtm_route_list *)obj;
	return list->owner == caller ? list : NULL;
}

static bool list_try_free(struct rtm_rib *rib, struct rtm_obj *obj);

void rtm__list_delete(struct rtm_rib *rib, struct rtm_route_list *list)
{
	struct rtm_link *pos, *tmp;
	pthread_mutex_lock(&list->mutex);
	rtm_link_for_each_safe(pos, tmp, &list->items)
	{
		struct rtm_list_item *item = rtm_container_of(pos, struct rtm_list_item, link);
		rtm__link_unlink(pos);
		if (item->cursor) {
			/* An enumeration of this list: it now has nothing left to
			 * return (an enumeration reads this under the mutex). */
			struct rtm_enum *en = rtm_container_of(item, struct rtm_enum, u.list.cursor);
			__atomic_store_n(&en->u.list.list, (struct rtm_route_list *)NULL, __ATOMIC_RELAXED);
			continue;
		}
		rtm_container_of(item, struct rtm_route_ext, list_item)->list = NULL;
	}
	list->count = 0;
	pthread_mutex_unlock(&list->mutex);
	rtm__link_unlink(&list->owner_link);
	list->obj.dead = 1;
	list_try_free(rib, &list->obj);
}

/* An enumeration that found the list without the lock may be waiting for
 * its mutex (api/list.c): its memory waits for the epoch. */
static void list_memory_free(void *p, void *unused)
{
	(void)unused;
	struct rtm_route_list *list = p;
	pthread_mutex_destroy(&list->mutex);
	rtm__free(list);
}

static bool list_try_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	if (!obj->dead || rtm__obj_refs(obj) ||
	    atomic_load_explicit(&obj->reap_pending, memory_order_relaxed))
		return false;
	rtm__handle_free(&rib->handles, obj);
	rib->stats.lists--;
	rtm__limbo_retire(&rib->limbo, obj, list_memory_free, NULL);
	return true;
}

void rtm__lists_remove_owned(struct rtm_rib *rib, struct rtm_entity *e)
{
	struct rtm_link *pos, *tmp;
	rtm_link_for_each_safe(pos, tmp, &e->lists)
	{
		rtm__list_delete(rib, rtm_container_of(pos, struct rtm_route_list, owner_link));
	}
}

void rtm__list_enum_fini(struct rtm_rib *rib, struct rtm_enum *en)
{
	(void)rib;
	struct rtm_route_list *list = en->u.list.list;
	if (list) {
		pthread_mutex_lock(&list->mutex);
		rtm__link_unlink(&en->u.list.cursor.link);
		__atomic_store_n(&en->u.list.list, (struct rtm_route_list *)NULL, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&list->mutex);
	}
}

static const struct rtm_obj_class list_class = { list_try_free, NULL };

void rtm__list_class_init(void)
{
	rtm__obj_class_set(RTM_HT_LIST, &list_class);
}
