/* planner/default: size the VM from the topology, no host pinning. */
#ifndef KTSTR_DEFAULT_PLAN_H
#define KTSTR_DEFAULT_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include <ktstr/topology.h>

/** @brief Most vCPUs a plan may give (upstream's limit). */
#define KTSTR_PLAN_MAX_VCPUS 252
/** @brief Guest memory floor and per-vCPU floor, MiB (upstream's formula). */
#define KTSTR_PLAN_MIN_MEMORY_MB 256
#define KTSTR_PLAN_MB_PER_VCPU 64

/** @brief The result of a plan: no host CPUs, just a size. */
struct ktstr_default_plan {
	uint32_t vcpus;
	uint32_t memory_mb;
};

/**
 * @brief vcpus = llcs * cores * threads; memory = max(vcpus * 64, 256,
 *        @p requested_mb ? @p requested_mb : @p default_mb).
 * @return 0, or -EINVAL (a zero count, llcs not a multiple of numa_nodes,
 *         more than KTSTR_PLAN_MAX_VCPUS vCPUs) with one line in @p err
 */
int ktstr_default_plan__compute(const struct ktstr_topo *t, uint32_t requested_mb,
				uint32_t default_mb, struct ktstr_default_plan *out, char *err,
				size_t errlen);

#endif
