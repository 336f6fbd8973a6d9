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
			en->u.list.cursor.link.next = head->next;
			en->u.list.cursor.link.prev = head;
			head->next->prev = &en->u.list.cursor.link;
			head->next = &en->u.list.cursor.link;
			*RtmEnumHandle = rtm__rib_handle(rib, &en->obj);
		}
	}
	rtm__leave(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmGetListEnumRoutes(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle,
				  PUINT NumRoutes, PRTM_ROUTE_HANDLE RouteHandles)
{
	struct rtm_entity *caller;
	/* Exclusive: the cursor moves. */
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	int err = 0;
	struct rtm_enum *en = rtm__enum_of_caller(rib, caller, EnumHandle, RTM_ENUM_KIND_LIST);
	if (!en) {
		err = RTM_EHANDLE;
		goto out;
	}
	if (!NumRoutes || (*NumRoutes && !RouteHandles)) {
		err = RTM_EINVAL;
		goto out;
	}
	if (*NumRoutes > rib->cfg.max_handles_in_enum) {
		err = RTM_EINVAL;
		goto out;
	}
	UINT cap = *NumRoutes, n = 0;
	struct rtm_route_list *list = en->u.list.list;
	if (list) {
		struct rtm_link *cur = &en->u.list.cursor.link;
		struct rtm_link *pos = cur->next;
		struct rtm_link *last = cur->prev;
		while (n < cap && pos != &list->items) {
			struct rtm_list_item *item = rtm_container_of(pos, struct rtm_list_item, link);
			if (!item->cursor) {
				struct rtm_route_ext *ext =
					rtm_container_of(item, struct rtm_route_ext, list_item);
				rtm__obj_ref(&ext->self->obj);
				RouteHandles[n++] = rtm__rib_handle(rib, &ext->self->obj);
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
	*NumRoutes = n;
out:
	rtm__leave(rib);
	return rtm__win32(err);
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
