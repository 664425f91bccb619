/* The resolve loop of `ktstr kernel fetch`: the ids through the chain, KTSTR_KERNEL_PARALLELISM at once. */
#include "kernel_fetch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_resolve_set.h"
#include "registry.h"

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* An install says so in its origin line (kcache_install.c); a key alone is a hit. */
const char *kfetch__how(const struct ktstr_kernel *k)
{
	const char *origin = ktstr_kernel__get(k, KTSTR_KERNEL_ORIGIN);

	if (ktstr_kernel__get(k, KTSTR_KERNEL_CACHE_KEY) == NULL) {
		return "local";
	}
	if (origin != NULL &&
	    (strncmp(origin, "installed ", 10) == 0 || strncmp(origin, "restored ", 9) == 0)) {
		return "installed";
	}
	return "cached";
}

static void fetch__one(struct ktstr_kchain *chain, const char *id, struct kfetch_result *r)
{
	struct ktstr_kernel *k;
	const char *src = NULL;

	r->id = id;
	r->rc = ktstr_kernel__new(&k);
	if (r->rc < 0) {
		strcpy(r->err, "out of memory");
		return;
	}
	r->rc = ktstr_kchain__resolve(chain, id, k, &src, r->err, sizeof(r->err));
	if (r->rc == 0) {
		r->image = dup_or_null(ktstr_kernel__get(k, KTSTR_KERNEL_IMAGE));
		r->key = dup_or_null(ktstr_kernel__get(k, KTSTR_KERNEL_CACHE_KEY));
		r->version = dup_or_null(ktstr_kernel__get(k, KTSTR_KERNEL_VERSION));
		r->source = dup_or_null(src);
		r->how = kfetch__how(k);
		if (r->image == NULL || r->source == NULL) {
			r->rc = -ENOMEM;
			strcpy(r->err, "out of memory");
		}
	}
	ktstr_kernel__free(k);
}

struct fetch_set {
	struct ktstr_kchain *chain;
	char **ids;
	struct kfetch_result *out;
};

static int fetch__at(void *ctx, size_t i)
{
	struct fetch_set *s = ctx;

	fetch__one(s->chain, s->ids[i], &s->out[i]);
	return s->out[i].rc;
}

void kfetch__resolve_all(struct ktstr_kchain *chain, char **ids, size_t n,
			 struct kfetch_result *out)
{
	struct fetch_set s = {chain, ids, out};

	ktstr_kresolve__run(n, ktstr_kresolve__width(getenv("KTSTR_KERNEL_PARALLELISM"), 0),
			    fetch__at, &s, NULL);
}

void kfetch_result__free(struct kfetch_result *r)
{
	free(r->image);
	free(r->key);
	free(r->version);
	free(r->source);
}
