/* Where the kernel cache lives (upstream rule, reference kernels.md section 2). */
#ifndef KTSTR_CACHE_ROOT_H
#define KTSTR_CACHE_ROOT_H

#include <stddef.h>

/**
 * @brief The cache root: @p cache_dir when non-empty, else
 *        @p xdg_cache_home/ktstr/kernels when non-empty, else
 *        @p home/.cache/ktstr/kernels (home set, absolute, not "/").
 *        Arguments are the environment variables' values (NULL: unset).
 * @return 0, -ENOENT (no usable variable) or -ENAMETOOLONG, with a message in @p err
 */
int ktstr_cache_root__find(const char *cache_dir, const char *xdg_cache_home, const char *home,
			   char *out, size_t len, char *err, size_t errlen);

#endif
