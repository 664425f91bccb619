/*
 * The cache service's operations over both protocol generations: look an
 * entry up, download its blob, upload a blob under a key.
 */
#ifndef KTSTR_GHA_CLIENT_H
#define KTSTR_GHA_CLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "gha_env.h"
#include "gha_http.h"

/** @brief How to reach the service and what to bound (all borrowed). */
struct ktstr_gha_client {
	const struct ktstr_gha_env *env;
	long timeout_s;			/**< each exchange, whole */
	uint64_t max_blob;		/**< the largest blob downloaded */
	unsigned retry_ms;		/**< backoff before retrying a 429 or 5xx */
	ktstr_gha_progress_fn progress; /**< blob transfers only; may be NULL */
	void *progress_ctx;
	bool (*cancelled)(void);
	/** @brief Debug notes (ignored failures); may be NULL. */
	void (*debug)(void *ctx, const char *msg);
	void *debug_ctx;
};

/**
 * @brief Find the entry @p key.
 * @return 0 with @p url (malloc'd, a credential: never print it); -ENOENT a
 *         miss; -EAGAIN a temporary failure (429, 5xx after the retry);
 *         another -errno; @p err says why, naming no secret
 */
int ktstr_gha__lookup(const struct ktstr_gha_client *c, const char *key, char **url, char *err,
		      size_t errlen);

/** @brief GET the blob at @p url (no Authorization) into @p out. 0 or -errno with @p err. */
int ktstr_gha__download(const struct ktstr_gha_client *c, const char *url, FILE *out, char *err,
			size_t errlen);

/**
 * @brief Upload @p len bytes of @p blob (from its start) under @p key.
 * @return 0 stored; -EEXIST the key is already there (or being written by
 *         another runner); another -errno with @p err
 */
int ktstr_gha__upload(const struct ktstr_gha_client *c, const char *key, FILE *blob, uint64_t len,
		      char *err, size_t errlen);

#endif
