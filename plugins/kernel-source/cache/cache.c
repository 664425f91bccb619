/*
 * kernel-source/cache: kernels already in the local ktstr kernel cache
 * ("latest", a cache key, a version). The cache itself (layout, metadata,
 * selection rules) lives in the engine; this source is its place in the
 * chain, answered through host->kernel_cache_lookup().
 */
#include <errno.h>

#include <ktstr/kernel_source.h>
#include <ktstr/plugin.h>

static const struct ktstr_host_api *cache_host;

static int cache__resolve(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *k)
{
	int rc = cache_host->kernel_cache_lookup(inst, id, k);

	/* a miss or an id the cache cannot name: another source may know it */
	return rc == -ENOENT || rc == -ENOTDIR ? -ENOENT : rc;
}

static const struct ktstr_kernel_source_ops cache_ops = {
    .sz = sizeof(struct ktstr_kernel_source_ops),
    .resolve = cache__resolve,
};

static const struct ktstr_plugin_desc cache_desc = {
    KTSTR_PLUGIN_DESC_INIT,
    .kind = KTSTR_PLUGIN_KERNEL_SOURCE,
    .name = "cache",
    .version = "0.2.0",
    .description = "kernels in the local ktstr kernel cache (latest, cache keys, versions)",
    .ops = &cache_ops,
};

KTSTR_PLUGIN_EXPORT int ktstr_plugin_entry_v1(const struct ktstr_host_api *host,
					      const struct ktstr_plugin_desc **out)
{
	if (host == NULL || !KTSTR_SZ_HAS(host, kernel_cache_lookup) ||
	    host->kernel_cache_lookup == NULL) {
		return -EPROTO;
	}
	cache_host = host;
	*out = &cache_desc;
	return 0;
}
