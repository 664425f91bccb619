/* The sidecar sink's pieces: the ordered document, the file name, the no-clobber write. */
#ifndef KTSTR_SIDECAR_INTERNAL_H
#define KTSTR_SIDECAR_INTERNAL_H

#include <stddef.h>

#include <jansson.h>

/* "{stem}-{n}.ktstr.json" is tried for n = 1 .. this before giving up. */
#define KTSTR_SIDECAR_MAX_SUFFIX 9999

/**
 * @brief The sidecar document for record @p rec: upstream's SidecarResult
 *        fields in upstream order (absent ones null or []), then ktstr's keys.
 * @return a new object, or NULL when out of memory.
 */
json_t *ktstr_sidecar__doc(const json_t *rec);

/** @brief "{test_name}-{variant_hash}" made safe for a file name, into buf. */
void ktstr_sidecar__stem(const json_t *rec, char *buf, size_t len);

/** @brief mkdir -p with mode 0755. 0 or -errno. */
int ktstr_sidecar__mkdir_p(const char *dir);

/**
 * @brief Write @p data as "{dir}/{stem}.ktstr.json", or "{stem}-N.ktstr.json"
 *        when that exists: temp file in @p dir, fsync, rename without replace.
 * @param path  receives the file written, or on failure the one being written
 * @return 0, or -errno (no temp file is left behind).
 */
int ktstr_sidecar__write_new(const char *dir, const char *stem, const char *data, size_t len,
			     char *path, size_t pathlen);

#endif
