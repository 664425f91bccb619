#include "gha_wire.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#define GHA_TWIRP "twirp/github.actions.results.api.v1.CacheService/"

static int wire__fit(int n, size_t len)
{
	return n >= 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}

int ktstr_gha_url__v1_lookup(const char *base, const char *key, char *out, size_t len)
{
	char *pct;
	int ret;

	if (strchr(key, ',') != NULL) {
		return -EINVAL; /* keys= is a comma-separated list: it would ask for two keys */
	}
	pct = curl_easy_escape(NULL, key, 0);
	if (pct == NULL) {
		return -ENOMEM;
	}
	ret = wire__fit(snprintf(out, len, "%s_apis/artifactcache/cache?keys=%s&version=%s", base,
				 pct, KTSTR_GHA_V1_VERSION),
			len);
	curl_free(pct);
	return ret;
}

int ktstr_gha_url__v1_caches(const char *base, int64_t id, char *out, size_t len)
{
	if (id < 0) {
		return wire__fit(snprintf(out, len, "%s_apis/artifactcache/caches", base), len);
	}
	return wire__fit(snprintf(out, len, "%s_apis/artifactcache/caches/%" PRId64, base, id),
			 len);
}

int ktstr_gha_url__v2(const char *base, const char *method, char *out, size_t len)
{
	return wire__fit(snprintf(out, len, "%s" GHA_TWIRP "%s", base, method), len);
}

/* Serialize and free @j (compact, keys in the order given). */
static char *wire__dump(json_t *j)
{
	char *s = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

	json_decref(j);
	return s;
}

char *ktstr_gha_body__v1_reserve(const char *key)
{
	return wire__dump(json_pack("{s:s, s:s}", "key", key, "version", KTSTR_GHA_V1_VERSION));
}

char *ktstr_gha_body__v1_commit(uint64_t size)
{
	return wire__dump(json_pack("{s:I}", "size", (json_int_t)size));
}

char *ktstr_gha_body__v2_download(const char *key)
{
	return wire__dump(json_pack("{s:s, s:[], s:s}", "key", key, "restore_keys", "version",
				    KTSTR_GHA_V2_VERSION));
}

char *ktstr_gha_body__v2_create(const char *key)
{
	return wire__dump(json_pack("{s:s, s:s}", "key", key, "version", KTSTR_GHA_V2_VERSION));
}

char *ktstr_gha_body__v2_finalize(const char *key, uint64_t size)
{
	return wire__dump(json_pack("{s:s, s:I, s:s}", "key", key, "size_bytes", (json_int_t)size,
				    "version", KTSTR_GHA_V2_VERSION));
}

/* The JSON object in @body, or NULL with @err set. */
static json_t *wire__object(const char *body, size_t len, const char *what, char *err,
			    size_t errlen)
{
	json_error_t je;
	json_t *j = json_loadb(body != NULL ? body : "", len, JSON_REJECT_DUPLICATES, &je);

	if (j == NULL) {
		snprintf(err, errlen, "%s: the answer is not JSON (%s)", what, je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		snprintf(err, errlen, "%s: the answer is not a JSON object", what);
		json_decref(j);
		return NULL;
	}
	return j;
}

/* Copy the http(s) URL in member @name (or its camelCase @alt) of @j into @url. */
static int wire__url(json_t *j, const char *name, const char *alt, const char *what, char **url,
		     char *err, size_t errlen)
{
	json_t *v = json_object_get(j, name);
	const char *s;

	if (v == NULL && alt != NULL) {
		v = json_object_get(j, alt);
	}
	s = json_string_value(v);
	if (s == NULL || (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)) {
		snprintf(err, errlen, "%s: the answer has no http(s) URL in \"%s\"", what, name);
		return -EPROTO;
	}
	*url = strdup(s);
	return *url != NULL ? 0 : -ENOMEM;
}

int ktstr_gha_parse__v1_lookup(const char *body, size_t len, char **url, char *err, size_t errlen)
{
	json_t *j = wire__object(body, len, "cache lookup", err, errlen);
	int ret;

	if (j == NULL) {
		return -EPROTO;
	}
	ret = wire__url(j, "archiveLocation", NULL, "cache lookup", url, err, errlen);
	json_decref(j);
	return ret;
}

int ktstr_gha_parse__v1_reserve(const char *body, size_t len, int64_t *id, char *err, size_t errlen)
{
	json_t *j = wire__object(body, len, "cache reserve", err, errlen);
	json_t *v;
	int ret = 0;

	if (j == NULL) {
		return -EPROTO;
	}
	v = json_object_get(j, "cacheId");
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		snprintf(err, errlen, "cache reserve: the answer has no cacheId");
		ret = -EPROTO;
	} else {
		*id = json_integer_value(v);
	}
	json_decref(j);
	return ret;
}

/* A v2 answer: "ok" must be a boolean; when true, @name holds a URL. */
static int wire__v2(const char *body, size_t len, const char *what, const char *name,
		    const char *alt, int not_ok, char **url, char *err, size_t errlen)
{
	json_t *j = wire__object(body, len, what, err, errlen);
	json_t *ok;
	int ret;

	if (j == NULL) {
		return -EPROTO;
	}
	ok = json_object_get(j, "ok");
	if (ok != NULL && !json_is_boolean(ok)) {
		snprintf(err, errlen, "%s: \"ok\" is not a boolean", what);
		ret = -EPROTO;
	} else if (!json_is_true(ok)) { /* proto3 JSON leaves false out */
		ret = not_ok;
	} else {
		ret = wire__url(j, name, alt, what, url, err, errlen);
	}
	json_decref(j);
	return ret;
}

int ktstr_gha_parse__v2_download(const char *body, size_t len, char **url, char *err, size_t errlen)
{
	return wire__v2(body, len, "GetCacheEntryDownloadURL", "signed_download_url",
			"signedDownloadUrl", -ENOENT, url, err, errlen);
}

int ktstr_gha_parse__v2_create(const char *body, size_t len, char **url, char *err, size_t errlen)
{
	return wire__v2(body, len, "CreateCacheEntry", "signed_upload_url", "signedUploadUrl",
			-EEXIST, url, err, errlen);
}

bool ktstr_gha_parse__key_matches(const char *body, size_t len, bool v2, const char *key, char *got,
				  size_t gotlen)
{
	json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	const char *named = NULL;
	bool ok;

	if (j != NULL) {
		named = json_string_value(json_object_get(j, v2 ? "matched_key" : "cacheKey"));
	}
	if (gotlen > 0) {
		snprintf(got, gotlen, "%s", named != NULL ? named : "");
	}
	ok = named == NULL || strcmp(named, key) == 0;
	json_decref(j);
	return ok;
}
