/* `ktstr kernel fetch`: resolving ids through a chain (kept apart so it can go parallel). */
#ifndef KTSTR_CLI_KERNEL_FETCH_H
#define KTSTR_CLI_KERNEL_FETCH_H

#include <stddef.h>

#include "kchain.h"

/** @brief What one id resolved to, or why it did not. */
struct kfetch_result {
	const char *id;
	char *image;	 /**< malloc'd; NULL on failure */
	char *key;	 /**< cache key, or NULL */
	char *version;	 /**< or NULL */
	char *source;	 /**< the answering instance */
	const char *how; /**< "cached", "installed" or "local" */
	int rc;		 /**< 0 or -errno */
	char err[2048];
};

/** @brief Resolve each of @p n ids in order into @p out (zeroed by the caller). */
void kfetch__resolve_all(struct ktstr_kchain *chain, char **ids, size_t n,
			 struct kfetch_result *out);
void kfetch_result__free(struct kfetch_result *r);
/** @brief "cached" (a hit), "installed" (built, downloaded or restored now) or "local" (not cached). */
const char *kfetch__how(const struct ktstr_kernel *k);

#endif
