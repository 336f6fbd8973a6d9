/*
 * registry.c — the registry of RIBs (registry.h).
 *
 * The registry is a fixed array of at most 127 RIBs (index 0 is kept for
 * entity handles, which are global).  A RIB is found or created under the
 * registry mutex when an entity registers; its configuration is read each
 * time it goes from no entities to one, so an edited file takes effect for
 * the next generation of clients.  Creating the first RIB also installs the
 * object classes of the service layer (lifetime.h).
 */
#include "registry.h"

#include "alloc.h"
#include "enum.h"
#include "error.h"
#include "lifetime.h"
#include "notify.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

static pthread_mutex_t registry_mutex = PTHREAD_MUTEX_INITIALIZER;
static struct rtm_rib *ribs[RTM_HANDLE_MAX_RIBS];

void rtm__registry_lock(void)
{
	pthread_mutex_lock(&registry_mutex);
}

void rtm__registry_unlock(void)
{
	pthread_mutex_unlock(&registry_mutex);
}

struct rtm_rib *rtm__rib_by_index(unsigned index)
{
	if (index == 0 || index >= RTM_HANDLE_MAX_RIBS)
		return NULL;
	return __atomic_load_n(&ribs[index], __ATOMIC_ACQUIRE);
}

static int config_error(int err)
{
	switch (err) {
	case 0:
		return 0;
	case -ENOENT:
	case -EACCES:
		return RTM_ENOFILE;
	case -EBADMSG:
	case -EIO:
		return RTM_EBADCONF;
	case -ENOMEM:
		return RTM_ENOMEM;
	default:
		return RTM_EINVAL;
	}
}

static void fill_profile(struct rtm_rib *rib)
{
	rib->profile.MaxNextHopsInRoute = rib->cfg.max_next_hops_in_route;
	rib->profile.MaxHandlesInEnum = rib->cfg.max_handles_in_enum;
	rib->profile.ViewsSupported = rib->cfg.views_supported;
	rib->profile.NumberOfViews = (UINT)__builtin_popcount(rib->cfg.views_supported);
}

static struct rtm_rib *rib_new(unsigned index, USHORT instance, USHORT family)
{
	rtm__enum_classes_init();
	rtm__notify_class_init();
	struct rtm_rib *rib = rtm__calloc(1, sizeof(*rib));
	if (!rib)
		return NULL;
	if (pthread_rwlock_init(&rib->lock, NULL)) {
		rtm__free(rib);
		return NULL;
	}
	for (unsigned i = 0; i < RTM_STRIPES; i++)
		pthread_rwlock_init(&rib->stripes[i], NULL);
	rib->index = index;
	rib->instance_id = instance;
	rib->family = family;
	rib->width = family == AF_INET ? 32 : 128;
	rtm__rib_tables_init(rib);
	rtm__link_init(&rib->entities);
	if (rtm__timer_service_init(&rib->timers, rib)) {
		rtm__free(rib);
		return NULL;
	}
	return rib;
}

int rtm__rib_get(USHORT instance, USHORT family, struct rtm_rib **out, char *err, size_t errlen)
{
	struct rtm_config_values cfg;
	unsigned free_index = 0;

	if (family != AF_INET && family != AF_INET6)
		return RTM_EINVAL;
	for (unsigned i = 1; i < RTM_HANDLE_MAX_RIBS; i++) {
		struct rtm_rib *rib = ribs[i];
		if (!rib) {
			if (!free_index)
				free_index = i;
			continue;
		}
		if (rib->instance_id != instance || rib->family != family)
			continue;
		if (rib->n_entities == 0) {
			int e = config_error(rtm__config_load(NULL, instance, family, &cfg, err, errlen));
			if (e)
				return e;
			rtm__rib_wrlock(rib);
			rib->cfg = cfg;
			fill_profile(rib);
			rtm__rib_unlock(rib);
		}
		*out = rib;
		return 0;
	}
	if (!free_index)
		return RTM_ENORES;
	int e = config_error(rtm__config_load(NULL, instance, family, &cfg, err, errlen));
	if (e)
		return e;
	struct rtm_rib *rib = rib_new(free_index, instance, family);
	if (!rib)
		return RTM_ENOMEM;
	rib->cfg = cfg;
	fill_profile(rib);
	__atomic_store_n(&ribs[free_index], rib, __ATOMIC_RELEASE);
	*out = rib;
	return 0;
}
