/*
 * enum.c — enumeration handles: lifetime.
 *
 * The kinds' own logic lives with what they walk: route lists in
 * routelist.c, the table (destinations, routes, next hops) in api/enum.c;
 * each kind gives its cleanup (fini) when it creates an enumeration.
 */
#include "enum.h"

#include "alloc.h"
#include "entity.h"
#include "error.h"
#include "lifetime.h"
#include "routelist.h"

struct rtm_enum *rtm__enum_new(struct rtm_rib *rib, struct rtm_entity *owner, unsigned kind,
			       void (*fini)(struct rtm_rib *rib, struct rtm_enum *en))
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
	en->fini = fini;
	rtm__link_add_tail(&owner->enums, &en->owner_link);
	rib->stats.enums++;
	return en;
}

struct rtm_enum *rtm__enum_of_caller(struct rtm_rib *rib, struct rtm_entity *caller, HANDLE h, unsigned kind)
{
	struct rtm_obj *obj = rtm__rib_lookup(rib, h, RTM_HT_ENUM);
	if (!obj || obj->dead)
		return NULL;
	struct rtm_enum *en = (struct rtm_enum *)obj;
	if (en->owner != caller || (kind && en->kind != kind))
		return NULL;
	return en;
}

RTM_OPTIMISTIC static bool enum_matches(const struct rtm_enum *en, const struct rtm_entity *caller,
					 unsigned kind)
{
	return !en->obj.dead && en->owner == caller && (!kind || en->kind == kind);
}

struct rtm_enum *rtm__enum_of_caller_optimistic(struct rtm_rib *rib, struct rtm_entity *caller, HANDLE h,
						unsigned kind)
{
	struct rtm_enum *en = (struct rtm_enum *)rtm__rib_lookup_optimistic(rib, h, RTM_HT_ENUM);
	return en && enum_matches(en, caller, kind) ? en : NULL;
}

static bool enum_try_free(struct rtm_rib *rib, struct rtm_obj *obj);

void rtm__enum_delete(struct rtm_rib *rib, struct rtm_enum *en)
{
	en->fini(rib, en);
	rtm__link_unlink(&en->owner_link);
	en->obj.dead = 1;
	enum_try_free(rib, &en->obj);
}

/* Lock-free readers may be in it (RtmGetEnumDests): its memory, and what
 * its kind releases with it, wait for them (epoch.h). */
static void enum_memory_free(void *p, void *unused)
{
	(void)unused;
	struct rtm_enum *en = p;
	if (en->release)
		en->release(en);
	rtm__free(en);
}

static bool enum_try_free(struct rtm_rib *rib, struct rtm_obj *obj)
{
	if (!obj->dead || rtm__obj_refs(obj) ||
	    atomic_load_explicit(&obj->reap_pending, memory_order_relaxed))
		return false;
	rtm__handle_free(&rib->handles, obj);
	rib->stats.enums--;
	rtm__limbo_retire(&rib->limbo, obj, enum_memory_free, NULL);
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

static const struct rtm_obj_class enum_class = { enum_try_free, NULL };

void rtm__enum_classes_init(void)
{
	rtm__obj_class_set(RTM_HT_ENUM, &enum_class);
	rtm__list_class_init();
}
