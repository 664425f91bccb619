/*
 * A kernel range A..B on the command line expands over the kernels the
 * local cache holds: every distinct version (the numeric part of an
 * entry's metadata.json "version", "7.2.13" of "7.2.13+deb14-cloud-amd64")
 * inside [A, B], ascending. Nothing is downloaded to fill a range.
 */
#ifndef KTSTR_CORE_KERNEL_RANGE_H
#define KTSTR_CORE_KERNEL_RANGE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Expand @p a..@p b (both version-shaped) over the cache at @p root.
 * @param out  malloc'd array of malloc'd version strings (free each, then it)
 * @return 0 (n may be 0 when nothing matches), -EINVAL for a bad endpoint,
 *         -errno when @p root cannot be read (@p err set)
 */
int ktstr_kernel_range__expand(const char *root, const char *a, const char *b, char ***out,
			       size_t *n, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
