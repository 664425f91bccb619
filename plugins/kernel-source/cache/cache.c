/* kernel-source/cache: kernels stored in the local ktstr kernel cache (upstream layout). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/kernel_source.h>
#include <ktstr/plugin.h>

#include "cache_lookup.h"
#include "cache_root.h"

static const struct ktstr_host_api *cache_host;

static void cache__skipped(void *ctx, const char *key, const char *why)
{
	KTSTR_PLG_DBG(cache_host, (struct ktstr_inst *)ctx, "cache entry %s skipped: %s", key, why);
}

static int cache__describe(const struct ktstr_cache_entry *e, struct ktstr_kernel *k)
{
	char origin[NAME_MAX + 32];
	int rc;

	rc = cache_host->kernel_set(k, KTSTR_KERNEL_IMAGE, e->image);
	if (rc == 0 && e->vmlinux[0] != '\0') {
		rc = cache_host->kernel_set(k, KTSTR_KERNEL_VMLINUX, e->vmlinux);
	}
	if (rc == 0 && e->meta.version[0] != '\0') {
		rc = cache_host->kernel_set(k, KTSTR_KERNEL_VERSION, e->meta.version);
	}
	if (rc == 0) {
		rc = cache_host->kernel_set(k, KTSTR_KERNEL_CACHE_KEY, e->key);
	}
	if (rc == 0 && e->config[0] != '\0') {
		rc = cache_host->kernel_set(k, KTSTR_KERNEL_CONFIG, e->config);
	}
	if (rc == 0) {
		strcpy(origin, "cache entry ");
		strcat(origin, e->key);
		rc = cache_host->kernel_set(k, KTSTR_KERNEL_ORIGIN, origin);
	}
	return rc;
}

static int cache__resolve(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *k)
{
	struct ktstr_cache_entry *e;
	char root[PATH_MAX], err[PATH_MAX + 256];
	int rc;

	rc = ktstr_cache_root__find(getenv("KTSTR_CACHE_DIR"), getenv("XDG_CACHE_HOME"),
				    getenv("HOME"), root, sizeof(root), err, sizeof(err));
	if (rc < 0) {
		cache_host->set_error(inst, "%s", err);
		return -ENOENT; /* another source may still know the id */
	}
	e = malloc(sizeof(*e));
	if (e == NULL) {
		return -ENOMEM;
	}
	rc = ktstr_cache__lookup(root, id, e, cache__skipped, inst, err, sizeof(err));
	if (rc < 0) {
		if (err[0] != '\0') {
			cache_host->set_error(inst, "%s", err);
		}
		goto out;
	}
	rc = cache__describe(e, k);
	if (rc < 0) {
		cache_host->set_error(inst, "cache entry %s: cannot record the kernel: %s", e->key,
				      strerror(-rc));
	}
out:
	free(e);
	return rc;
}

static const struct ktstr_kernel_source_ops cache_ops = {
    .sz = sizeof(struct ktstr_kernel_source_ops),
    .resolve = cache__resolve,
};

static const struct ktstr_plugin_desc cache_desc = {
    KTSTR_PLUGIN_DESC_INIT,
    .kind = KTSTR_PLUGIN_KERNEL_SOURCE,
    .name = "cache",
    .version = "0.1.0",
    .description = "kernels in the local ktstr kernel cache (latest, cache keys, versions)",
    .ops = &cache_ops,
};

KTSTR_PLUGIN_EXPORT int ktstr_plugin_entry_v1(const struct ktstr_host_api *host,
					      const struct ktstr_plugin_desc **out)
{
	if (host == NULL || !KTSTR_SZ_HAS(host, kernel_set)) {
		return -EPROTO;
	}
	cache_host = host;
	*out = &cache_desc;
	return 0;
}
