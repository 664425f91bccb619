#include "gha_client.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gha_wire.h"

#define GHA_MAX_ANSWER (1u << 20) /* JSON answers; blobs have their own bound */
#define GHA_URL_MAX 4096

static const char *const v1_json[] = {KTSTR_GHA_V1_ACCEPT, "Content-Type: application/json", NULL};
static const char *const v2_json[] = {"Content-Type: application/json", "Accept: application/json",
				      NULL};

/* Map an HTTP status to 0 (2xx) or -errno, with @err naming the request. */
static int client__status(const struct ktstr_gha_http_req *req,
			  const struct ktstr_gha_http_resp *resp, char *err, size_t errlen)
{
	char where[GHA_URL_MAX];
	long s = resp->status;

	if (s >= 200 && s <= 299) {
		return 0;
	}
	ktstr_gha_http__redact(req->url, where, sizeof(where));
	if (s == 404) {
		snprintf(err, errlen, "%s %s: HTTP %ld (not found)", req->method, where, s);
		return -ENOENT;
	}
	if (s == 409) {
		snprintf(err, errlen, "%s %s: HTTP 409 (already exists)", req->method, where);
		return -EEXIST;
	}
	if (s == 401 || s == 403) {
		snprintf(err, errlen,
			 "%s %s: HTTP %ld (permission denied; is ACTIONS_RUNTIME_TOKEN this "
			 "job's token?)",
			 req->method, where, s);
		return -EACCES;
	}
	if (s == 429 || (s >= 500 && s <= 599)) {
		snprintf(err, errlen, "%s %s: HTTP %ld (%s; temporary, %s)", req->method, where, s,
			 s == 429 ? "rate limited" : "server error",
			 resp->retried ? "failed again after one retry" : "not retried");
		return -EAGAIN;
	}
	snprintf(err, errlen, "%s %s: unexpected HTTP %ld", req->method, where, s);
	return -EPROTO;
}

/* One JSON exchange: POST @body (or GET when NULL) and keep the answer. */
static int client__json(const struct ktstr_gha_client *c, const char *method, const char *url,
			const char *body, struct ktstr_gha_http_resp *resp, char *err,
			size_t errlen)
{
	struct ktstr_gha_http_req req = {
	    .method = method,
	    .url = url,
	    .token = c->env->token,
	    .headers = c->env->proto == KTSTR_GHA_V1 ? v1_json : v2_json,
	    .body = body,
	    .body_len = body != NULL ? strlen(body) : 0,
	    .max_body = GHA_MAX_ANSWER,
	    .timeout_s = c->timeout_s,
	    .retry_ms = c->retry_ms,
	    .cancelled = c->cancelled,
	};
	int ret = ktstr_gha_http__do(&req, resp, err, errlen);

	if (ret == 0) {
		ret = client__status(&req, resp, err, errlen);
	}
	if (ret < 0) {
		ktstr_gha_http_resp__free(resp);
	}
	return ret;
}

/* POST @body (freed here; NULL means out of memory) to v2 method @m. */
static int client__twirp(const struct ktstr_gha_client *c, const char *m, char *body,
			 struct ktstr_gha_http_resp *resp, char *err, size_t errlen)
{
	char url[GHA_URL_MAX];
	int ret = ktstr_gha_url__v2(c->env->base, m, url, sizeof(url));

	if (body == NULL) {
		ret = -ENOMEM;
	}
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", m, strerror(-ret));
	} else {
		ret = client__json(c, "POST", url, body, resp, err, errlen);
	}
	free(body);
	return ret;
}

/* A debug line "@key: @what@detail", escaped (@detail is the service's text). */
static void client__debug(const struct ktstr_gha_client *c, const char *key, const char *what,
			  const char *detail)
{
	char msg[768];
	size_t n;

	if (c->debug == NULL) {
		return;
	}
	n = (size_t)snprintf(msg, sizeof(msg), "%s: %s", key, what);
	n = n < sizeof(msg) ? n : sizeof(msg) - 1;
	for (const char *p = detail; *p != '\0' && n + 5 < sizeof(msg); p++) {
		unsigned char ch = (unsigned char)*p;

		n += (size_t)(ch >= 0x20 && ch < 0x7f
				  ? snprintf(msg + n, sizeof(msg) - n, "%c", ch)
				  : snprintf(msg + n, sizeof(msg) - n, "\\x%02x", ch));
	}
	c->debug(c->debug_ctx, msg);
}

int ktstr_gha__lookup(const struct ktstr_gha_client *c, const char *key, char **url, char *err,
		      size_t errlen)
{
	struct ktstr_gha_http_resp resp = {0};
	char where[GHA_URL_MAX], got[256];
	int ret;

	if (c->env->proto == KTSTR_GHA_V2) {
		ret = client__twirp(c, "GetCacheEntryDownloadURL", ktstr_gha_body__v2_download(key),
				    &resp, err, errlen);
		if (ret == 0) {
			ret = ktstr_gha_parse__v2_download(resp.body, resp.len, url, err, errlen);
		}
	} else {
		ret = ktstr_gha_url__v1_lookup(c->env->base, key, where, sizeof(where));
		if (ret == -EINVAL) {
			client__debug(c, key, "has ',': v1 cannot look it up; a miss", "");
			return -ENOENT;
		}
		if (ret < 0) {
			snprintf(err, errlen, "cache lookup URL: %s", strerror(-ret));
			return ret;
		}
		ret = client__json(c, "GET", where, NULL, &resp, err, errlen);
		if (ret == 0 && resp.status == 204) {
			ret = -ENOENT; /* v1's miss */
		} else if (ret == 0) {
			ret = ktstr_gha_parse__v1_lookup(resp.body, resp.len, url, err, errlen);
		}
	}
	if (ret == 0 &&
	    !ktstr_gha_parse__key_matches(resp.body, resp.len, c->env->proto == KTSTR_GHA_V2, key,
					  got, sizeof(got))) {
		client__debug(c, key, "the service answered for another key; a miss: ", got);
		free(*url);
		*url = NULL;
		ret = -ENOENT;
	}
	ktstr_gha_http_resp__free(&resp);
	return ret;
}

int ktstr_gha__download(const struct ktstr_gha_client *c, const char *url, FILE *out, char *err,
			size_t errlen)
{
	struct ktstr_gha_http_req req = {
	    .method = "GET",
	    .url = url,
	    .download = out,
	    .max_body = c->max_blob,
	    .timeout_s = c->timeout_s,
	    .retry_ms = c->retry_ms,
	    .progress = c->progress,
	    .progress_ctx = c->progress_ctx,
	    .cancelled = c->cancelled,
	};
	struct ktstr_gha_http_resp resp = {0};
	int ret = ktstr_gha_http__do(&req, &resp, err, errlen);

	if (ret == 0) {
		ret = client__status(&req, &resp, err, errlen);
	}
	ktstr_gha_http_resp__free(&resp);
	return ret;
}

/* Send the blob in one request: v1 PATCH with Content-Range, v2 an Azure block-blob PUT. */
static int client__put_blob(const struct ktstr_gha_client *c, const char *method, const char *url,
			    const char *const *headers, FILE *blob, uint64_t len, char *err,
			    size_t errlen)
{
	struct ktstr_gha_http_req req = {
	    .method = method,
	    .url = url,
	    .token = strcmp(method, "PATCH") == 0 ? c->env->token : NULL,
	    .headers = headers,
	    .upload = blob,
	    .upload_len = len,
	    .max_body = GHA_MAX_ANSWER,
	    .timeout_s = c->timeout_s,
	    .retry_ms = c->retry_ms,
	    .progress = c->progress,
	    .progress_ctx = c->progress_ctx,
	    .cancelled = c->cancelled,
	};
	struct ktstr_gha_http_resp resp = {0};
	int ret;

	if (fseeko(blob, 0, SEEK_SET) != 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot rewind the blob: %s", strerror(-ret));
		return ret;
	}
	ret = ktstr_gha_http__do(&req, &resp, err, errlen);
	if (ret == 0) {
		ret = client__status(&req, &resp, err, errlen);
	}
	ktstr_gha_http_resp__free(&resp);
	return ret;
}

static int client__upload_v1(const struct ktstr_gha_client *c, const char *key, FILE *blob,
			     uint64_t len, char *err, size_t errlen)
{
	struct ktstr_gha_http_resp resp = {0};
	char url[GHA_URL_MAX], range[96];
	const char *patch_hdrs[] = {KTSTR_GHA_V1_ACCEPT, "Content-Type: application/octet-stream",
				    range, NULL};
	char *body;
	int64_t id;
	int ret;

	ret = ktstr_gha_url__v1_caches(c->env->base, -1, url, sizeof(url));
	body = ret == 0 ? ktstr_gha_body__v1_reserve(key) : NULL;
	if (body == NULL) {
		snprintf(err, errlen, "cache reserve: %s", strerror(ret < 0 ? -ret : ENOMEM));
		return ret < 0 ? ret : -ENOMEM;
	}
	ret = client__json(c, "POST", url, body, &resp, err, errlen);
	free(body);
	if (ret == 0) {
		ret = ktstr_gha_parse__v1_reserve(resp.body, resp.len, &id, err, errlen);
	}
	ktstr_gha_http_resp__free(&resp);
	if (ret < 0) {
		return ret;
	}
	ktstr_gha_url__v1_caches(c->env->base, id, url, sizeof(url));
	snprintf(range, sizeof(range), "Content-Range: bytes 0-%" PRIu64 "/*", len - 1);
	ret = client__put_blob(c, "PATCH", url, patch_hdrs, blob, len, err, errlen);
	if (ret < 0) {
		return ret;
	}
	body = ktstr_gha_body__v1_commit(len);
	if (body == NULL) {
		snprintf(err, errlen, "cache commit: out of memory");
		return -ENOMEM;
	}
	ret = client__json(c, "POST", url, body, &resp, err, errlen);
	free(body);
	ktstr_gha_http_resp__free(&resp);
	return ret;
}

static int client__upload_v2(const struct ktstr_gha_client *c, const char *key, FILE *blob,
			     uint64_t len, char *err, size_t errlen)
{
	static const char *const put_hdrs[] = {"x-ms-blob-type: BlockBlob",
					       "Content-Type: application/octet-stream", NULL};
	struct ktstr_gha_http_resp resp = {0};
	char *url = NULL, ignored[512];
	int ret;

	ret = client__twirp(c, "CreateCacheEntry", ktstr_gha_body__v2_create(key), &resp, err,
			    errlen);
	if (ret == 0) {
		ret = ktstr_gha_parse__v2_create(resp.body, resp.len, &url, err, errlen);
	}
	ktstr_gha_http_resp__free(&resp);
	if (ret < 0) {
		return ret;
	}
	ret = client__put_blob(c, "PUT", url, put_hdrs, blob, len, err, errlen);
	free(url);
	if (ret < 0) {
		return ret;
	}
	/* The blob is up; like upstream, a failed finalize is only noted. */
	if (client__twirp(c, "FinalizeCacheEntryUpload", ktstr_gha_body__v2_finalize(key, len),
			  &resp, ignored, sizeof(ignored)) < 0 &&
	    c->debug != NULL) {
		c->debug(c->debug_ctx, ignored);
	}
	ktstr_gha_http_resp__free(&resp);
	return 0;
}

int ktstr_gha__upload(const struct ktstr_gha_client *c, const char *key, FILE *blob, uint64_t len,
		      char *err, size_t errlen)
{
	if (len == 0) {
		snprintf(err, errlen, "refusing to upload an empty blob");
		return -EINVAL;
	}
	return c->env->proto == KTSTR_GHA_V2 ? client__upload_v2(c, key, blob, len, err, errlen)
					     : client__upload_v1(c, key, blob, len, err, errlen);
}
