/*
 * link.h — an intrusive doubly linked circular list.
 *
 * Used wherever an owner must find and unlink what it owns in O(1): an
 * entity's enumerations, route lists and notification registrations, a route
 * list's routes.  An unlinked node points to itself, so unlinking twice is
 * harmless and "is it linked" is one comparison.
 */
#ifndef RTM_LINK_H
#define RTM_LINK_H

#include <stddef.h>

struct rtm_link {
	struct rtm_link *prev, *next;
};

static inline void rtm__link_init(struct rtm_link *head)
{
	head->prev = head->next = head;
}

static inline int rtm__link_empty(const struct rtm_link *head)
{
	return head->next == head;
}

static inline void rtm__link_add_tail(struct rtm_link *head, struct rtm_link *node)
{
	node->prev = head->prev;
	node->next = head;
	head->prev->next = node;
	head->prev = node;
}

static inline void rtm__link_unlink(struct rtm_link *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->prev = node->next = node;
}

#define rtm_container_of(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

#define rtm_link_for_each_safe(pos, tmp, head) \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); (pos) = (tmp), (tmp) = (pos)->next)

#endif
