/*
 * Kernel labels (upstream): the raw, readable label a kernel carries in
 * KTSTR_KERNEL_LIST, and its sanitized form kernel_[a-z0-9_]* used in
 * test names.
 */
#ifndef KTSTR_CORE_KERNEL_LABEL_H
#define KTSTR_CORE_KERNEL_LABEL_H

#include <stddef.h>

#include "kernel_id.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief The label of a cache key: "local-X-..." -> "local_{X[:6]}"
 *        ("local_unknown" for X "unknown", "local" when X is empty); else
 *        the text before "-tarball-", "-git-" or "-debian-"; else the key.
 */
void ktstr_kernel_label__cache_key(const char *key, char *out, size_t len);
/** @brief git_{owner}_{repo}_{ref} from the URL's last two path segments (.git stripped). */
void ktstr_kernel_label__git(const char *url, const char *ref, char *out, size_t len);
/** @brief path_{basename}_{crc32(@p canon) & 0xffffff, 6 hex digits}. */
void ktstr_kernel_label__path(const char *canon, char *out, size_t len);

/**
 * @brief The raw label of @p id: a Version as given, a CacheKey, Git or
 *        Path label as above (@p canon: the path's canonical form, NULL to
 *        use the text). A Range has no single label: its expanded versions do.
 */
void ktstr_kernel_label__raw(const struct ktstr_kernel_id *id, const char *canon, char *out,
			     size_t len);

/**
 * @brief "kernel_" + the lowercased ASCII alphanumerics of @p raw, each run
 *        of anything else one '_' (none right after the prefix), a trailing
 *        '_' trimmed: "6.14.2" -> "kernel_6_14_2". Truncated to @p len.
 */
void ktstr_kernel_label__sanitize(const char *raw, char *out, size_t len);

#ifdef __cplusplus
}
#endif

#endif
