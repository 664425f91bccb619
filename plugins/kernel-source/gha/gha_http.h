/*
 * One HTTP exchange with the cache service through libcurl: bearer auth,
 * bounded times and sizes, progress, cancellation, and the one retry of a
 * temporary answer (429, 5xx). Errors never carry the token or a URL's query
 * (signed URLs hold credentials there).
 */
#ifndef KTSTR_GHA_HTTP_H
#define KTSTR_GHA_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** @brief Reports transfer progress in bytes; total 0 when unknown. */
typedef void (*ktstr_gha_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/** @brief What to send and where the answer goes (all borrowed). */
struct ktstr_gha_http_req {
	const char *method; /**< "GET", "POST", "PATCH" or "PUT" */
	const char *url;
	const char *token;	    /**< Bearer token; NULL or "": no Authorization */
	const char *const *headers; /**< extra "Name: value" lines, NULL-terminated; may be NULL */
	const char *body;	    /**< request body in memory, or NULL */
	size_t body_len;
	FILE *upload; /**< request body read from this file, or NULL */
	uint64_t upload_len;
	FILE *download;			/**< response body written here; NULL: kept in memory */
	uint64_t max_body;		/**< a longer response body fails with -EFBIG */
	long timeout_s;			/**< the whole exchange; connecting has 10 s */
	unsigned retry_ms;		/**< wait before the one retry of a 429 or 5xx answer */
	ktstr_gha_progress_fn progress; /**< may be NULL */
	void *progress_ctx;
	bool (*cancelled)(void); /**< polled during the transfer; may be NULL */
};

/** @brief The answer: status, and the body when it was kept in memory (NUL-terminated). */
struct ktstr_gha_http_resp {
	long status;
	char *body;
	size_t len;
	bool retried; /**< the first answer was temporary and the request went out twice */
};

/**
 * @brief Perform @p req, once more after retry_ms when the answer is 429 or 5xx.
 * @return 0 with @p resp filled (any HTTP status: the caller maps it); or
 *         -ECONNREFUSED, -ETIMEDOUT, -EFBIG, -ECANCELED, -EIO for a transfer
 *         that failed, with @p err set ("METHOD url-without-query: why")
 */
int ktstr_gha_http__do(const struct ktstr_gha_http_req *req, struct ktstr_gha_http_resp *resp,
		       char *err, size_t errlen);

/** @brief Free the body of @p resp. */
void ktstr_gha_http_resp__free(struct ktstr_gha_http_resp *resp);

/** @brief @p url without its query and fragment, for messages. */
void ktstr_gha_http__redact(const char *url, char *out, size_t len);

/** @brief Initialise libcurl once per process (thread-safe). 0 or -ENOMEM. */
int ktstr_gha_http__global_init(void);

#endif
