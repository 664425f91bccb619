/* kernel-source/local: a kernel image file, or a directory (build tree, install dir) holding one.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/kernel_source.h>
#include <ktstr/plugin.h>

#include "local_resolve.h"

static const struct ktstr_host_api *local_host;

static int local__resolve(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *k)
{
	struct ktstr_local_kernel *lk;
	char err[PATH_MAX + 256];
	int rc;

	lk = malloc(sizeof(*lk));
	if (lk == NULL) {
		return -ENOMEM;
	}
	rc = ktstr_local__resolve(id, getenv("HOME"), lk, err, sizeof(err));
	if (rc < 0) {
		if (err[0] != '\0') {
			local_host->set_error(inst, "%s", err);
		}
		goto out;
	}
	rc = local_host->kernel_set(k, KTSTR_KERNEL_IMAGE, lk->image);
	if (rc == 0 && lk->vmlinux[0] != '\0') {
		rc = local_host->kernel_set(k, KTSTR_KERNEL_VMLINUX, lk->vmlinux);
	}
	if (rc == 0 && lk->version[0] != '\0') {
		rc = local_host->kernel_set(k, KTSTR_KERNEL_VERSION, lk->version);
	}
	if (rc == 0 && lk->config[0] != '\0') {
		rc = local_host->kernel_set(k, KTSTR_KERNEL_CONFIG, lk->config);
	}
	if (rc == 0) {
		rc = local_host->kernel_set(k, KTSTR_KERNEL_ORIGIN, lk->origin);
	}
	if (rc < 0) {
		local_host->set_error(inst, "kernel path %s: cannot record the kernel: %s", id,
				      strerror(-rc));
	}
out:
	free(lk);
	return rc;
}

static const struct ktstr_kernel_source_ops local_ops = {
    .sz = sizeof(struct ktstr_kernel_source_ops),
    .resolve = local__resolve,
};

static const struct ktstr_plugin_desc local_desc = {
    KTSTR_PLUGIN_DESC_INIT,
    .kind = KTSTR_PLUGIN_KERNEL_SOURCE,
    .name = "local",
    .version = "0.1.0",
    .description = "kernel image files and directories holding one (path-shaped ids)",
    .ops = &local_ops,
};

KTSTR_PLUGIN_EXPORT int ktstr_plugin_entry_v1(const struct ktstr_host_api *host,
					      const struct ktstr_plugin_desc **out)
{
	if (host == NULL || !KTSTR_SZ_HAS(host, kernel_set)) {
		return -EPROTO;
	}
	local_host = host;
	*out = &local_desc;
	return 0;
}
