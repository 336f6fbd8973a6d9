/*
 * ribcheck.h — the table's internal invariants, checked from a test through
 * an entity of the RIB: the trie's shape (rtm__trie_check) and the chain of
 * destinations in walk order (rtm__dests_check_order).
 */
#ifndef RTM_RIBCHECK_H
#define RTM_RIBCHECK_H

#include "dest.h"
#include "enter.h"
#include "trie_check.h"

#include <rtmv2.h>

/* 0 when both hold, -1 otherwise (and when e names no registered entity). */
static inline int rt_check_rib(RTM_ENTITY_HANDLE e)
{
	struct rtm_entity *caller;
	struct rtm_rib *rib = rtm__enter(e, &caller, false);
	if (!rib)
		return -1;
	int bad = rtm__trie_check(&rib->trie) || rtm__dests_check_order(rib);
	rtm__rib_unlock(rib);
	return bad ? -1 : 0;
}

#endif
