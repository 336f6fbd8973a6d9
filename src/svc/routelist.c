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
 */
#include "routelist.h"

#include "alloc.h"
#include "entity.h"
#include "enum.h"
#include "error.h"
#include "objects.h"
#include "route.h"

struct rtm_route_list *rtm__list_lookup(struct rtm_rib *rib, struct rtm_entity *caller, HANDLE h)
{
	struct rtm_obj *obj = rtm__rib_lookup(rib, h, RTM_HT_LIST);
	if (!obj || obj->dead)
		return NULL;
	struct rtm_route_list *list = (struct rtm_route_list *)obj;
	return list->owner == caller ? list : NULL;
}

void rtm__list_move(struct rtm_route *route, struct rtm_route_list *list)
{
	struct rtm_route_ext *ext = route->ext;
	/* Already there: it keeps its place, so that an enumeration in
	 * progress neither returns it twice nor misses it (a protocol
	 * refreshing its routes passes its list on every update). */
	if (ext->list == list)
		return;
	if (ext->list) {
		rtm__link_unlink(&ext->list_item.link);
		ext->list->count--;
		ext->list = NULL;
	}
	if (list) {
		rtm__link_add_tail(&list->items, &ext->list_item.link);
		list->count++;
		ext->list = list;
	}
}

static void list_delete(struct rtm_rib *rib, struct rtm_route_list *list)
{
	struct rtm_link *pos, *tmp;
	rtm_link_for_each_safe(pos, tmp, &list->items)
	{
		struct rtm_list_item *item = rtm_container_of(pos, struct rtm_list_item, link);
		if (item->cursor) {
			/* An enumeration of this list: it now has nothing left to return. */
			struct rtm_enum *en = rtm_container_of(item, struct rtm_enum, u.list.cursor);
			rtm__link_unlink(pos);
			en->u.list.list = NULL;
			continue;
		}
		struct rtm_route_ext *ext = rtm_container_of(item, struct rtm_route_ext, list_item);
		rtm__list_move(ext->self, NULL);
	}
	rtm__link_unlink(&list->owner_link);
	list->obj.dead = 1;
	rtm__list_try_free(rib, &list->obj);
}

bool rtm__list_try_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	if (!obj->dead || rtm__obj_refs(obj) ||
	    atomic_load_explicit(&obj->reap_pending, memory_order_relaxed))
		return false;
	rtm__handle_free(&rib->handles, obj);
	rib->stats.lists--;
	rtm__free(obj);
	return true;
}

void rtm__lists_remove_owned(struct rtm_rib *rib, struct rtm_entity *e)
{
	struct rtm_link *pos, *tmp;
	rtm_link_for_each_safe(pos, tmp, &e->lists)
	{
		list_delete(rib, rtm_container_of(pos, struct rtm_route_list, owner_link));
	}
}

void rtm__list_enum_fini(struct rtm_enum *en)
{
	if (en->u.list.list)
		rtm__link_unlink(&en->u.list.cursor.link);
	en->u.list.list = NULL;
}

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
	rtm__rib_unlock(rib);
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
	if (RouteListHandle && !(list = rtm__list_lookup(rib, caller, RouteListHandle))) {
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
	rtm__rib_unlock(rib);
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
	struct rtm_route_list *list = rtm__list_lookup(rib, caller, RouteListHandle);
	if (!list) {
		err = RTM_EHANDLE;
	} else if (!RtmEnumHandle) {
		err = RTM_EINVAL;
	} else {
		struct rtm_enum *en = rtm__enum_new(rib, caller, RTM_ENUM_KIND_LIST);
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
	rtm__rib_unlock(rib);
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
	struct rtm_enum *en = rtm__enum_lookup(rib, caller, EnumHandle, RTM_ENUM_KIND_LIST);
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
	rtm__rib_unlock(rib);
	return rtm__win32(err);
}

DWORD WINAPI RtmDeleteRouteList(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ROUTE_LIST_HANDLE RouteListHandle)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_route_list *list = rtm__list_lookup(rib, caller, RouteListHandle);
	if (list)
		list_delete(rib, list);
	rtm__rib_unlock(rib);
	return list ? NO_ERROR : ERROR_INVALID_HANDLE;
}
