/*
 * The local kernel cache (upstream layout): {root}/{key}/ holding the image,
 * an optional vmlinux and metadata.json; {root}/.locks/{key}.lock; stores in
 * progress under {root}/.tmp-{key}-{pid}/. Plugins reach it through the
 * host table (kernel_cache_root, kernel_cache_lookup, kernel_install).
 */
#ifndef KTSTR_CORE_KCACHE_H
#define KTSTR_CORE_KCACHE_H

#include <stddef.h>

#include <ktstr/kernel_source.h>

#include "registry.h"

/**
 * @brief The cache root: KTSTR_CACHE_DIR, else $XDG_CACHE_HOME/ktstr/kernels,
 *        else $HOME/.cache/ktstr/kernels (HOME absolute and not "/").
 * @return 0 or -errno with @p err set
 */
int ktstr_kcache__root(char *out, size_t len, char *err, size_t errlen);

/**
 * @brief Resolve @p id ("latest", a cache key, a version) in the cache at
 *        @p root and describe the entry in @p out.
 * @return 0; -ENOENT (err "" when @p id cannot name an entry); -errno
 */
int ktstr_kcache__lookup(const char *root, const char *id, struct ktstr_kernel *out, char *err,
			 size_t errlen);

/**
 * @brief host->kernel_install(): see plugin.h. Errors are set on @p inst.
 * @return 0 already cached, 1 installed now, -errno
 */
int ktstr_kcache__install(struct ktstr_inst *inst, const struct ktstr_kernel_install *req,
			  struct ktstr_kernel *out);

#endif
