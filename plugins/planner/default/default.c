/* planner/default: vCPUs from the topology, memory from upstream's formula, no host pinning. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <ktstr/planner.h>
#include <ktstr/plugin.h>

#include "default_plan.h"

/* The largest guest the memory_mb option may ask for: 1 TiB. */
#define DEFAULT_MAX_MEMORY_MB (1024 * 1024)

struct default_priv {
	int64_t memory_mb; /* option */
};

static const struct ktstr_host_api *default_host;

static const struct ktstr_opt_spec default_opts[] = {
    {KTSTR_OPT_INT, "memory_mb", "2048", offsetof(struct default_priv, memory_mb),
     "guest memory in MiB when a test asks for none (raised to 64 per vCPU, 256 at least)"},
    {0},
};

static int default__init(struct ktstr_inst *inst)
{
	struct default_priv *p = default_host->priv(inst);

	if (p->memory_mb < 1 || p->memory_mb > DEFAULT_MAX_MEMORY_MB) {
		default_host->set_error(inst, "option memory_mb is %lld; use 1 to %d (MiB)",
					(long long)p->memory_mb, DEFAULT_MAX_MEMORY_MB);
		return -EINVAL;
	}
	return 0;
}

static int default__plan(struct ktstr_inst *inst, const struct ktstr_plan_request *req,
			 struct ktstr_plan *out, void **lease)
{
	struct default_priv *p = default_host->priv(inst);
	struct ktstr_default_plan plan;
	char err[256];
	int rc;

	/* every member read here is a v1.0 one */
	rc = ktstr_default_plan__compute(&req->topo, req->memory_mb, (uint32_t)p->memory_mb, &plan,
					 err, sizeof(err));
	if (rc < 0) {
		default_host->set_error(inst, "%s%s%s", req->test_name ? req->test_name : "",
					req->test_name ? ": " : "", err);
		return rc;
	}
	out->vcpus = plan.vcpus;
	out->memory_mb = plan.memory_mb;
	out->nr_host_cpus = 0;
	out->host_cpus = NULL;
	if (lease != NULL) {
		*lease = NULL;
	}
	return 0;
}

/* Nothing was reserved, so nothing to give back. */
static void default__release(struct ktstr_inst *inst, void *lease)
{
}

static const struct ktstr_planner_ops default_ops = {
    .sz = sizeof(struct ktstr_planner_ops),
    .init = default__init,
    .plan = default__plan,
    .release = default__release,
};

static const struct ktstr_plugin_desc default_desc = {
    KTSTR_PLUGIN_DESC_INIT,
    .kind = KTSTR_PLUGIN_PLANNER,
    .name = "default",
    .version = "0.1.0",
    .description = "sizes each VM from its topology; no host CPU reservation",
    .ops = &default_ops,
    .opts = default_opts,
    .priv_size = sizeof(struct default_priv),
};

KTSTR_PLUGIN_EXPORT int ktstr_plugin_entry_v1(const struct ktstr_host_api *host,
					      const struct ktstr_plugin_desc **out)
{
	if (host == NULL || !KTSTR_SZ_HAS(host, priv)) {
		return -EPROTO;
	}
	default_host = host;
	*out = &default_desc;
	return 0;
}
