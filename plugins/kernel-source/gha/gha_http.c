#include "gha_http.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#define GHA_CONNECT_TIMEOUT_S 10L
#define GHA_PROGRESS_STEP (1u << 20) /* report at most once per MiB */

/* State of one attempt, shared with libcurl's callbacks. */
struct http_xfer {
	const struct ktstr_gha_http_req *req;
	struct ktstr_gha_http_resp *resp;
	uint64_t received;
	uint64_t reported;
	bool too_big;
	bool write_failed;
};

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static CURLcode http_init_rc = CURLE_FAILED_INIT;

static void http__init_once(void)
{
	http_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int ktstr_gha_http__global_init(void)
{
	pthread_once(&http_once, http__init_once);
	return http_init_rc == CURLE_OK ? 0 : -ENOMEM;
}

void ktstr_gha_http__redact(const char *url, char *out, size_t len)
{
	size_t n = strcspn(url, "?#");

	snprintf(out, len, "%.*s", (int)n, url);
}

void ktstr_gha_http_resp__free(struct ktstr_gha_http_resp *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->len = 0;
}

static size_t http__write(char *data, size_t size, size_t nmemb, void *ctx)
{
	struct http_xfer *x = ctx;
	size_t n = size * nmemb;

	if (x->received + n > x->req->max_body) {
		x->too_big = true;
		return 0;
	}
	x->received += n;
	if (x->req->download != NULL) {
		if (fwrite(data, 1, n, x->req->download) != n) {
			x->write_failed = true;
			return 0;
		}
		return n;
	}
	char *grown = realloc(x->resp->body, x->resp->len + n + 1);

	if (grown == NULL) {
		x->write_failed = true;
		return 0;
	}
	memcpy(grown + x->resp->len, data, n);
	x->resp->body = grown;
	x->resp->len += n;
	grown[x->resp->len] = '\0';
	return n;
}

static int http__xferinfo(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
			  curl_off_t ulnow)
{
	struct http_xfer *x = ctx;
	const struct ktstr_gha_http_req *req = x->req;
	uint64_t done = (uint64_t)(req->upload != NULL ? ulnow : dlnow);
	uint64_t total = (uint64_t)(req->upload != NULL ? ultotal : dltotal);

	if (req->cancelled != NULL && req->cancelled()) {
		return 1;
	}
	if (req->progress != NULL && done > x->reported &&
	    (done - x->reported >= GHA_PROGRESS_STEP || (total > 0 && done >= total))) {
		x->reported = done;
		req->progress(req->progress_ctx, done, total);
	}
	return 0;
}

/* Set up @h for one attempt of @req. 0, or -ENOMEM. */
static int http__setup(CURL *h, struct http_xfer *x, struct curl_slist **hdrs, char *errbuf)
{
	const struct ktstr_gha_http_req *req = x->req;
	struct curl_slist *l = NULL;
	bool ok = true;

	/* curl adds "Expect: 100-continue" to big uploads; one round trip less without. */
	l = curl_slist_append(l, "Expect:");
	for (const char *const *p = req->headers; ok && p != NULL && *p != NULL; p++) {
		struct curl_slist *n = curl_slist_append(l, *p);

		ok = n != NULL;
		l = ok ? n : l;
	}
	if (l == NULL || !ok) {
		curl_slist_free_all(l);
		return -ENOMEM;
	}
	*hdrs = l;
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, l);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "ktstr-gha/0.1");
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, GHA_CONNECT_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, req->timeout_s);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, http__write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, http__xferinfo);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)req->max_body);
	if (req->token != NULL && req->token[0] != '\0') {
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BEARER);
		curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, req->token);
	}
	if (req->upload != NULL) {
		curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(h, CURLOPT_READDATA, req->upload);
		curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->upload_len);
	} else if (req->body != NULL) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	}
	if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "POST") != 0 &&
	    !(strcmp(req->method, "PUT") == 0 && req->upload != NULL)) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	}
	return 0;
}

/* The errno and words for a failed transfer. */
static int http__failure(CURLcode rc, const struct http_xfer *x, const char *errbuf,
			 const char **why)
{
	*why = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
	if (x->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		*why = "the response is larger than the limit";
		return -EFBIG;
	}
	if (x->write_failed) {
		*why = "cannot keep the response (disk full or out of memory)";
		return -EIO;
	}
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_ABORTED_BY_CALLBACK:
		*why = "cancelled";
		return -ECANCELED;
	case CURLE_PARTIAL_FILE:
		*why = "the response body was cut short";
		return -EIO;
	default:
		return -EIO;
	}
}

/* Undo what a first attempt consumed or produced. 0 or -errno. */
static int http__rewind(const struct ktstr_gha_http_req *req, struct ktstr_gha_http_resp *resp)
{
	ktstr_gha_http_resp__free(resp);
	if (req->upload != NULL && fseeko(req->upload, 0, SEEK_SET) != 0) {
		return -errno;
	}
	if (req->download != NULL) {
		if (fflush(req->download) != 0 || ftruncate(fileno(req->download), 0) != 0 ||
		    fseeko(req->download, 0, SEEK_SET) != 0) {
			return -errno;
		}
	}
	return 0;
}

static bool http__temporary(long status)
{
	return status == 429 || (status >= 500 && status <= 599);
}

/* Sleep @ms, waking early when cancelled. */
static void http__backoff(const struct ktstr_gha_http_req *req)
{
	for (unsigned left = req->retry_ms; left > 0;) {
		unsigned step = left < 50 ? left : 50;
		struct timespec ts = {0, (long)step * 1000000L};

		if (req->cancelled != NULL && req->cancelled()) {
			return;
		}
		nanosleep(&ts, NULL);
		left -= step;
	}
}

static int http__attempt(CURL *h, const struct ktstr_gha_http_req *req,
			 struct ktstr_gha_http_resp *resp, char *err, size_t errlen)
{
	struct http_xfer x = {.req = req, .resp = resp};
	char errbuf[CURL_ERROR_SIZE] = "", where[512];
	struct curl_slist *hdrs = NULL;
	const char *why;
	CURLcode rc;
	int ret;

	curl_easy_reset(h);
	ret = http__setup(h, &x, &hdrs, errbuf);
	if (ret < 0) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	rc = curl_easy_perform(h);
	curl_slist_free_all(hdrs);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
		if (req->progress != NULL && x.reported > 0 && x.reported < x.received) {
			req->progress(req->progress_ctx, x.received, x.received);
		}
		if (req->download != NULL && fflush(req->download) != 0) {
			ret = -errno;
			snprintf(err, errlen, "cannot keep the response: %s", strerror(-ret));
			return ret;
		}
		return 0;
	}
	ret = http__failure(rc, &x, errbuf, &why);
	ktstr_gha_http__redact(req->url, where, sizeof(where));
	snprintf(err, errlen, "%s %s: %s", req->method, where, why);
	return ret;
}

int ktstr_gha_http__do(const struct ktstr_gha_http_req *req, struct ktstr_gha_http_resp *resp,
		       char *err, size_t errlen)
{
	CURL *h;
	int ret;

	memset(resp, 0, sizeof(*resp));
	err[0] = '\0';
	ret = ktstr_gha_http__global_init();
	h = ret == 0 ? curl_easy_init() : NULL;
	if (h == NULL) {
		snprintf(err, errlen, "cannot initialise libcurl");
		return -ENOMEM;
	}
	ret = http__attempt(h, req, resp, err, errlen);
	if (ret == 0 && http__temporary(resp->status)) {
		http__backoff(req);
		ret = http__rewind(req, resp);
		if (ret < 0) {
			snprintf(err, errlen, "cannot retry: %s", strerror(-ret));
		} else {
			ret = http__attempt(h, req, resp, err, errlen);
			resp->retried = true;
		}
	}
	curl_easy_cleanup(h);
	if (ret < 0) {
		ktstr_gha_http_resp__free(resp);
	}
	return ret;
}
