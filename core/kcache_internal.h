/* Shared between the kernel cache's install steps (never installed). */
#ifndef KTSTR_CORE_KCACHE_INTERNAL_H
#define KTSTR_CORE_KCACHE_INTERNAL_H

#include "kcache.h"

/** @brief What ended up in a temporary entry's vmlinux. */
struct kcache_vmlinux {
	bool has;
	bool stripped;
};

/**
 * @brief Give the entry being filled in @p tmp a stripped vmlinux: the fill's
 *        own, else one extracted from a bzImage. Never fails: an entry without
 *        vmlinux is still an entry.
 */
void kcache__fill_vmlinux(const char *key, const char *tmp, const char *image_name,
			  struct kcache_vmlinux *out);

/** @brief fsync every file in @p dir, then @p dir. 0 or -errno. */
int kcache__fsync_dir(const char *dir);

#endif
