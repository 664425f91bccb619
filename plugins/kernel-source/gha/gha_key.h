/* Which kernel ids can name an entry of the remote cache (upstream KernelId rules). */
#ifndef KTSTR_GHA_KEY_H
#define KTSTR_GHA_KEY_H

#include <stdbool.h>

/**
 * @brief A valid cache key: not empty or blank, no '/', '\', ".." or control
 *        characters, not "." and not starting with ".tmp-".
 */
bool ktstr_gha_key__valid(const char *key);

/**
 * @brief An id the resolver should look up remotely: a valid key that
 *        KernelId::parse would not read as a path ('.' or '~' first), a
 *        version ("7.2", "7.2.13", "7.2-rc3") or a range, and not "latest"
 *        (the local cache's newest entry).
 */
bool ktstr_gha_key__is_cache_key(const char *id);

#endif
