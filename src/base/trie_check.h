/*
 * trie_check.h — the trie's invariant checker (trie_check.c), for tests and
 * debugging.
 */
#ifndef RTM_TRIE_CHECK_H
#define RTM_TRIE_CHECK_H

#include "trie.h"

/*
 * Check every structural invariant (see trie.c): parent links, key
 * ordering, glue nodes with two children, counts, normalised keys, spares.
 * Returns 0 if the trie is sound, -1 (and prints the first fault on stderr)
 * otherwise.  O(size): for tests and debugging only.
 */
int rtm__trie_check(const struct rtm_trie *t);

#endif
