/* Kernel ids the cache answers: cache keys and version strings (upstream grammar). */
#ifndef KTSTR_CACHE_ID_H
#define KTSTR_CACHE_ID_H

#include <stdbool.h>

/**
 * @brief A key names an entry directory: not empty or blank, no '/', '\',
 *        ".." or control characters, not "." and not starting with ".tmp-".
 */
bool ktstr_cache_key__valid(const char *key);

/** @brief "D+.D+", "D+.D+.D+", each optionally followed by "-rcD+" (no 'v' prefix). */
bool ktstr_cache_version__valid(const char *id);

/**
 * @brief True when @p have (an entry's version) is @p want or starts with
 *        it followed by '.', '+' or '-' ("7.2" matches "7.2.13+deb14-cloud-amd64").
 */
bool ktstr_cache_version__matches(const char *want, const char *have);

#endif
