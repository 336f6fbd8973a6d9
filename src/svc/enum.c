/*
 * enum.c — enumeration handles: lifetime and RtmDeleteEnumHandle.
 *
 * The kinds' own logic lives with what they walk: route lists in
 * routelist.c, the table (destinations, routes, next hops) in tablenum.c.
 */
#include "enum.h"

#include "alloc.h"
#include "entity.h"
#include "error.h"
#include "objects.h"

struct rtm_enum *rtm__enum_new(struct rtm_rib *rib, struct rtm_entity *owner, unsigned kind)
{
	struct rtm_enum *en = rtm__calloc(1, sizeof(*en));
	if (!en)
		return NULL;
	if (rtm__handle_alloc(&rib->handles, &en->obj, RTM_HT_ENUM)) {
		rtm__free(en);
		return NULL;
	}
	en->owner = owner;
	en->kind = kind;
	rtm__link_add_tail(&owner->enums, &en->owner_link);
	rib->stats.enums++;
	return en;
}

struct rtm_enum *rtm__enum_lookup(struct rtm_rib *rib, struct rtm_entity *caller, HANDLE h, unsigned kind)
{
	struct rtm_obj *obj = rtm__rib_lookup(rib, h, RTM_HT_ENUM);
	if (!obj || obj->dead)
		return NULL;
	struct rtm_enum *en = (struct rtm_enum *)obj;
	if (en->owner != caller || (kind && en->kind != kind))
		return NULL;
	return en;
}

void rtm__enum_delete(struct rtm_rib *rib, struct rtm_enum *en)
{
	if (en->kind == RTM_ENUM_KIND_LIST)
		rtm__list_enum_fini(en);
	else
		rtm__table_enum_fini(rib, en);
	rtm__link_unlink(&en->owner_link);
	en->obj.dead = 1;
	rtm__enum_try_free(rib, &en->obj);
}

bool rtm__enum_try_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	if (!obj->dead || rtm__obj_refs(obj) ||
	    atomic_load_explicit(&obj->reap_pending, memory_order_relaxed))
		return false;
	rtm__handle_free(&rib->handles, obj);
	rib->stats.enums--;
	rtm__free(obj);
	return true;
}

void rtm__enums_remove_owned(struct rtm_rib *rib, struct rtm_entity *e)
{
	struct rtm_link *pos, *tmp;
	rtm_link_for_each_safe(pos, tmp, &e->enums)
	{
		rtm__enum_delete(rib, rtm_container_of(pos, struct rtm_enum, owner_link));
	}
}

DWORD WINAPI RtmDeleteEnumHandle(RTM_ENTITY_HANDLE RtmRegHandle, RTM_ENUM_HANDLE EnumHandle)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(RtmRegHandle, &caller, true);
	if (!rib)
		return ERROR_INVALID_HANDLE;
	struct rtm_enum *en = rtm__enum_lookup(rib, caller, EnumHandle, 0);
	if (en)
		rtm__enum_delete(rib, en);
	rtm__rib_unlock(rib);
	return en ? NO_ERROR : ERROR_INVALID_HANDLE;
}
