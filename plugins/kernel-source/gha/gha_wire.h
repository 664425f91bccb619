/*
 * The cache service's wire formats, with no I/O: request URLs and bodies,
 * and the parsers of its answers (untrusted input).
 */
#ifndef KTSTR_GHA_WIRE_H
#define KTSTR_GHA_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief The namespace ("version") of ktstr's entries: v1 verbatim... */
#define KTSTR_GHA_V1_VERSION "ktstr"
/** @brief ...and v2 as the hex sha256 of "ktstr" (a constant; the test server recomputes it). */
#define KTSTR_GHA_V2_VERSION "3b8cd7b2f7aae777736d488070a1625b85100e3196ae91ab51a883ad1ba5d3d0"
/** @brief Every v1 request asks for this API version. */
#define KTSTR_GHA_V1_ACCEPT "Accept: application/json;api-version=6.0-preview.1"

/** @brief {base}_apis/artifactcache/cache?keys={pct(key)}&version=ktstr. 0 or
 * -ENAMETOOLONG/-ENOMEM; -EINVAL for a key with ',' (keys= is a list). */
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

/**
 * @brief Whether a lookup's answer is for @p key: the key it names (v1
 *        "cacheKey", v2 "matched_key"; @p v2 says which) must be @p key. An
 *        answer that names none is taken as for @p key.
 * @param got the key named, for the debug line ("" when none); truncated to @p gotlen
 * @return true when it is; false for another key (the caller takes it as a miss)
 */
bool ktstr_gha_parse__key_matches(const char *body, size_t len, bool v2, const char *key, char *got,
				  size_t gotlen);

#endif
