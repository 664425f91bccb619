#include "default_plan.h"

#include <errno.h>
#include <stdio.h>

int ktstr_default_plan__compute(const struct ktstr_topo *t, uint32_t requested_mb,
				uint32_t default_mb, struct ktstr_default_plan *out, char *err,
				size_t errlen)
{
	uint64_t vcpus = (uint64_t)t->llcs * t->cores * t->threads;
	uint32_t mem = requested_mb ? requested_mb : default_mb;

	if (t->numa_nodes == 0 || vcpus == 0) {
		snprintf(err, errlen, "topology %un%ul%uc%ut: every count must be at least 1",
			 t->numa_nodes, t->llcs, t->cores, t->threads);
		return -EINVAL;
	}
	if (t->llcs % t->numa_nodes != 0) {
		snprintf(err, errlen,
			 "topology %un%ul%uc%ut: %u LLCs cannot be split evenly over %u "
			 "NUMA nodes",
			 t->numa_nodes, t->llcs, t->cores, t->threads, t->llcs, t->numa_nodes);
		return -EINVAL;
	}
	if (vcpus > KTSTR_PLAN_MAX_VCPUS) {
		snprintf(err, errlen,
			 "topology %un%ul%uc%ut has %llu vCPUs; at most %u are supported",
			 t->numa_nodes, t->llcs, t->cores, t->threads, (unsigned long long)vcpus,
			 KTSTR_PLAN_MAX_VCPUS);
		return -EINVAL;
	}
	out->vcpus = (uint32_t)vcpus;
	out->memory_mb = out->vcpus * KTSTR_PLAN_MB_PER_VCPU;
	out->memory_mb =
	    out->memory_mb > KTSTR_PLAN_MIN_MEMORY_MB ? out->memory_mb : KTSTR_PLAN_MIN_MEMORY_MB;
	out->memory_mb = mem > out->memory_mb ? mem : out->memory_mb;
	return 0;
}
