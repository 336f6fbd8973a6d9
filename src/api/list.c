/*
 * api/list.c — client route lists: RtmCreateRouteList, RtmInsertInRouteList,
 * RtmCreateRouteListEnum, RtmGetListEnumRoutes, RtmDeleteRouteList.  A list
 * object is svc/routelist.c's (which opens with the essay); membership
 * changes with the route (table/route.c).
 */
#include "enter.h"

#include "alloc.h"
#include "enum.h"
#include "error.h"
#include "route.h"
#include "routelist.h"

DWORD WINAPI RtmCreateRouteList(RTM_ENTITY_HANDLE RtmRegHandle, PRTM_ROUTE_LIST_HANDLE RouteListHandle)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	struct rtm_route_list *list = NULL;
	if (!RouteListHandle) {
		err = RTM_EINVAL;
	} else if (!(list = rtm__calloc(1, sizeof(*list)))) {
		err = RTM_ENOMEM;
	} else if (rtm__handle_alloc(&rib->handles, &list->obj, RTM_HT_LIST)) {
		rtm__free(list);
		err = RTM_ENOMEM;
	} else {
		list->owner = caller;
		rtm__link_init(&list->items);
		pthread_mutex_init(&list->mutex, NULL);
		rtm__link_add_tail(&caller->lists, &list->owner_link);
		rib->stats.lists++;
		*RouteListHandle = rtm__rib_handle(rib, &list->obj);
	}
	rtm__leave(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmInsertInRouteList(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_LIST_HANDLE RouteListHandle,
				  UINT NumRoutes, PRTM_ROUTE_HANDLE RouteHandles)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	struct rtm_route_list *list = NULL;
	if (NumRoutes && !RouteHandles) {
		err = RTM_EINVAL;
		goto out;
	}
	if (RouteListHandle && !(list = rtm__list_of_caller(rib, caller, RouteListHandle))) {
		err = RTM_EHANDLE;
		goto out;
	}
	/* Check every route and give each its extension first, so that the
	 * moves themselves cannot fail half-way. */
	for (UINT i = 0; i < NumRoutes; i++) {
		struct rtm_route *r = rtm__route_lookup(rib, RouteHandles[i]);
		if (!r || r->obj.dead) {
			err = RTM_EHANDLE;
			goto out;
		}
		if (r->owner != caller) {
			err = RTM_EACCES;
			goto out;
		}
	}
	for (UINT i = 0; i < NumRoutes; i++) {
		if (!rtm__route_ext(rtm__route_lookup(rib, RouteHandles[i]))) {
			err = RTM_ENOMEM;
			goto out;
		}
	}
	for (UINT i = 0; i < NumRoutes; i++)
		rtm__list_move(rtm__route_lookup(rib, RouteHandles[i]), list);
out:
	rtm__leave(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmCreateRouteListEnum(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_LIST_HANDLE RouteListHandle,
				    PRTM_ENUM_HANDLE RtmEnumHandle)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	struct rtm_route_list *list = rtm__list_of_caller(rib, caller, RouteListHandle);
	if (!list) {
		err = RTM_EHANDLE;
	} else if (!RtmEnumHandle) {
		err = RTM_EINVAL;
	} else {
		struct rtm_enum *en = rtm__enum_new(rib, caller, RTM_ENUM_KIND_LIST, rtm__list_enum_fini);
		if (!en) {
			err = RTM_ENOMEM;
		} else {
			en->u.list.list = list;
			en->u.list.cursor.cursor = true;
			/* The cursor starts at the head: everything is ahead of it. */
			rtm__link_init(&en->u.list.cursor.link);
			struct rtm_link *head = &list->items;
			pthread_mutex_lock(&list->mutex);
			en->u.list.cursor.link.next = head->next;
			en->u.list.cursor.link.prev = head;
			head->next->prev = &en->u.list.cursor.link;
			head->next = &en->u.list.cursor.link;
			pthread_mutex_unlock(&list->mutex);
			*RtmEnumHandle = rtm__rib_handle(rib, &en->obj);
		}
	}
	rtm__leave(rib);
	return rtm__win32(err);
}

/* Takes no lock a writer of the table holds: the walk holds the list's
 * mutex, inside an epoch section (svc/routelist.c). */
struct list_enum_args {
	HANDLE h;
	PUINT num;
	PRTM_ROUTE_HANDLE out;
};

static int list_enum_read(struct rtm_rib *rib, struct rtm_entity *caller, void *arg,
			  struct rtm_reap_list *reap)
{
	(void)reap;
	struct list_enum_args *a = arg;
	struct rtm_enum *en = rtm__enum_of_caller_optimistic(rib, caller, a->h, RTM_ENUM_KIND_LIST);
	if (!en)
		return RTM_EHANDLE;
	if (!a->num || (*a->num && !a->out) || *a->num > rib->cfg.max_handles_in_enum)
		return RTM_EINVAL;
	UINT cap = *a->num, n = 0;
	struct rtm_route_list *list = __atomic_load_n(&en->u.list.list, __ATOMIC_RELAXED);
	if (list) {
		pthread_mutex_lock(&list->mutex);
		/* Still this list's (a deletion of the list or of the
		 * enumeration clears it, holding the mutex)? */
		if (__atomic_load_n(&en->u.list.list, __ATOMIC_RELAXED) == list) {
			struct rtm_link *cur = &en->u.list.cursor.link;
			struct rtm_link *pos = cur->next;
			struct rtm_link *last = cur->prev;
			while (n < cap && pos != &list->items) {
				struct rtm_list_item *item = rtm_container_of(pos, struct rtm_list_item, link);
				if (!item->cursor) {
					/* In the list, so not freed: a route leaves its
					 * list before it goes. */
					struct rtm_route_ext *ext =
						rtm_container_of(item, struct rtm_route_ext, list_item);
					rtm__obj_ref(&ext->self->obj);
					a->out[n++] = rtm__rib_handle(rib, &ext->self->obj);
				}
				last = pos;
				pos = pos->next;
			}
			/* Move the cursor after the last item looked at. */
			rtm__link_unlink(cur);
			cur->prev = last;
			cur->next = last->next;
			last->next->prev = cur;
			last->next = cur;
		}
		pthread_mutex_unlock(&list->mutex);
	}
	*a->num = n;
	return 0;
}

DWORD WINAPI RtmGetListEnumRoutes(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle,
				  PUINT NumRoutes, PRTM_ROUTE_HANDLE RouteHandles)
{
	struct list_enum_args a = { EnumHandle, NumRoutes, RouteHandles };
	return rtm__read(RtmRegHandle, list_enum_read, &a);
}

DWORD WINAPI RtmDeleteRouteList(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_LIST_HANDLE RouteListHandle)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_route_list *list = rtm__list_of_caller(rib, caller, RouteListHandle);
	if (list)
		rtm__list_delete(rib, list);
	rtm__leave(rib);
	return list ? NO_ERROR : ERROR_INVALID_HANDLE;
}
