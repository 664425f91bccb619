/* Find a valid cache entry for a kernel id: "latest", a cache key or a version. */
#ifndef KTSTR_CACHE_LOOKUP_H
#define KTSTR_CACHE_LOOKUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "cache_meta.h"

/** @brief A valid entry: metadata parsed, image present. "" for absent files. */
struct ktstr_cache_entry {
	char key[NAME_MAX + 1];
	char image[PATH_MAX];
	char vmlinux[PATH_MAX]; /**< {entry}/vmlinux when it exists */
	char config[PATH_MAX];	/**< {entry}/config when it exists */
	struct ktstr_cache_meta meta;
};

/** @brief Told about every entry that is skipped as unusable, and why. */
typedef void (*ktstr_cache_skip_fn)(void *ctx, const char *key, const char *why);

/**
 * @brief Load the entry @p root/@p key.
 * @return 0; -ENOTDIR when there is no such directory; another -errno when
 *         the entry is unusable (bad metadata, image missing); the reason in @p why
 */
int ktstr_cache_entry__load(const char *root, const char *key, struct ktstr_cache_entry *out,
			    char *why, size_t whylen);

/**
 * @brief Resolve @p id in the cache at @p root.
 *
 * "" or "latest": the newest valid entry (by built_at). A valid cache key
 * naming a valid entry: that entry. A version ("7.2", "7.2.13", "7.2-rc3"):
 * the newest valid entry whose version matches. Entries that are not
 * usable are reported through @p skip and never returned.
 * @return 0; -ENOENT with @p err empty when @p id cannot be a cache id, or
 *         with a message when nothing matches; another -errno (message set)
 *         when the cache cannot be read
 */
int ktstr_cache__lookup(const char *root, const char *id, struct ktstr_cache_entry *out,
			ktstr_cache_skip_fn skip, void *ctx, char *err, size_t errlen);

#endif
