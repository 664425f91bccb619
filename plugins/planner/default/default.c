/*
 * planner/default: vCPUs from the topology, memory from upstream's formula,
 * no host pinning; a CPU budget for host-side work (no LLC locks yet).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/planner.h>
#include <ktstr/plugin.h>

#include "default_budget.h"
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

/* Largest CPU number sched_getaffinity is asked about. */
#define DEFAULT_MAX_CPUS 8192

/* A granted budget: the CPUs it lists (nothing is locked yet). */
struct default_budget_lease {
	uint32_t n;
	int32_t cpus[];
};

/*
 * The CPU budget of host-side work. Upstream also takes shared LLC locks and
 * a cgroup sandbox for the build; this planner only sizes it, so concurrent
 * builds on one host may oversubscribe.
 */
static int default__budget(struct ktstr_inst *inst, uint32_t cap, struct ktstr_plan *out,
			   void **lease)
{
	const char *bypass = getenv("KTSTR_BYPASS_LLC_LOCKS");
	size_t setsz = CPU_ALLOC_SIZE(DEFAULT_MAX_CPUS);
	cpu_set_t *set = CPU_ALLOC(DEFAULT_MAX_CPUS);
	struct default_budget_lease *l;
	uint32_t allowed, granted, i = 0;
	char err[256];
	int rc;

	if (set == NULL) {
		return -ENOMEM;
	}
	if (sched_getaffinity(0, setsz, set) != 0) {
		rc = -errno;
		CPU_FREE(set);
		default_host->set_error(inst, "sched_getaffinity: %s", strerror(-rc));
		return rc;
	}
	allowed = (uint32_t)CPU_COUNT_S(setsz, set);
	rc = ktstr_default_budget__compute(cap, getenv("KTSTR_CPU_CAP"),
					   bypass != NULL && bypass[0] != '\0',
					   allowed ? allowed : 1, &granted, err, sizeof(err));
	if (rc != 0) {
		CPU_FREE(set);
		default_host->set_error(inst, "%s", err);
		return rc;
	}
	l = malloc(sizeof(*l) + granted * sizeof(l->cpus[0]));
	if (l == NULL) {
		CPU_FREE(set);
		return -ENOMEM;
	}
	for (int cpu = 0; cpu < DEFAULT_MAX_CPUS && i < granted; cpu++) {
		if (CPU_ISSET_S((size_t)cpu, setsz, set)) {
			l->cpus[i++] = cpu;
		}
	}
	CPU_FREE(set);
	l->n = i;
	out->vcpus = granted;
	out->memory_mb = 0;
	out->nr_host_cpus = l->n;
	out->host_cpus = l->cpus;
	*lease = l;
	return 0;
}

/* plan() reserves nothing (NULL lease); budget() hands back its CPU list. */
static void default__release(struct ktstr_inst *inst, void *lease)
{
	free(lease);
}

static const struct ktstr_planner_ops default_ops = {
    .sz = sizeof(struct ktstr_planner_ops),
    .init = default__init,
    .plan = default__plan,
    .release = default__release,
    .budget = default__budget,
};

static const struct ktstr_plugin_desc default_desc = {
    KTSTR_PLUGIN_DESC_INIT,
    .kind = KTSTR_PLUGIN_PLANNER,
    .name = "default",
    .version = "0.1.0",
    .description = "sizes VMs from their topology, budgets CPUs for host work; reserves none",
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
