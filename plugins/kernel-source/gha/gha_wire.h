/*
 * The cache service's wire formats, with no I/O: request URLs and bodies,
 * and the parsers of its answers (untrusted input).
 */
#ifndef KTSTR_GHA_WIRE_H
#define KTSTR_GHA_WIRE_H

#include <stddef.h>
#include <stdint.h>

/** @brief The namespace ("version") of ktstr's entries: v1 verbatim... */
#define KTSTR_GHA_V1_VERSION "ktstr"
/** @brief ...and v2 as the hex sha256 of "ktstr" (a constant; the test server recomputes it). */
#define KTSTR_GHA_V2_VERSION "3b8cd7b2f7aae777736d488070a1625b85100e3196ae91ab51a883ad1ba5d3d0"
/** @brief Every v1 request asks for this API version. */
#define KTSTR_GHA_V1_ACCEPT "Accept: application/json;api-version=6.0-preview.1"

/** @brief {base}_apis/artifactcache/cache?keys={pct(key)}&version=ktstr. 0 or
 * -ENAMETOOLONG/-ENOMEM. */
int ktstr_gha_url__v1_lookup(const char *base, const char *key, char *out, size_t len);
/** @brief {base}_apis/artifactcache/caches, or .../caches/{id} when @p id >= 0. */
int ktstr_gha_url__v1_caches(const char *base, int64_t id, char *out, size_t len);
/** @brief {base}twirp/github.actions.results.api.v1.CacheService/{method}. */
int ktstr_gha_url__v2(const char *base, const char *method, char *out, size_t len);

/*
 * Request bodies (malloc'd JSON text; NULL when out of memory):
 * v1 reserve {"key","version"}, v1 commit {"size"}, v2 GetCacheEntryDownloadURL
 * {"key","restore_keys":[],"version"}, v2 CreateCacheEntry {"key","version"},
 * v2 FinalizeCacheEntryUpload {"key","size_bytes","version"}.
 */
char *ktstr_gha_body__v1_reserve(const char *key);
char *ktstr_gha_body__v1_commit(uint64_t size);
char *ktstr_gha_body__v2_download(const char *key);
char *ktstr_gha_body__v2_create(const char *key);
char *ktstr_gha_body__v2_finalize(const char *key, uint64_t size);

/*
 * Answer parsers. Each returns 0 with its result (a malloc'd URL, or an id),
 * -ENOENT (v2 download: "ok" false, a miss), -EEXIST (v2 create: "ok" false,
 * another runner holds the key) or -EPROTO with @p err saying what was wrong.
 * URLs must be http(s) and are never quoted in @p err.
 */
int ktstr_gha_parse__v1_lookup(const char *body, size_t len, char **url, char *err, size_t errlen);
int ktstr_gha_parse__v1_reserve(const char *body, size_t len, int64_t *id, char *err,
				size_t errlen);
int ktstr_gha_parse__v2_download(const char *body, size_t len, char **url, char *err,
				 size_t errlen);
int ktstr_gha_parse__v2_create(const char *body, size_t len, char **url, char *err, size_t errlen);

#endif
