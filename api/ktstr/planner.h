/* SPDX-License-Identifier: MIT */
/**
 * @file planner.h
 * @brief Topology-planner plugins: decide the VM's vCPUs, memory and host CPUs.
 */
#ifndef KTSTR_PLANNER_H
#define KTSTR_PLANNER_H

#include <ktstr/plugin.h>
#include <ktstr/topology.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief What the engine asks for (sized; append only). */
struct ktstr_plan_request {
	size_t sz;
	struct ktstr_topo topo;   /**< requested guest topology */
	uint32_t memory_mb;       /**< requested guest memory (0: planner's default) */
	const char *test_name;    /**< borrowed, for messages */
};

/** @brief The planner's answer (sized; filled by the planner). */
struct ktstr_plan {
	size_t sz;
	uint32_t vcpus;            /**< vCPUs to give the VM */
	uint32_t memory_mb;        /**< guest memory */
	uint32_t nr_host_cpus;     /**< 0: no pinning */
	const int32_t *host_cpus;  /**< host CPUs for the vCPUs; planner-owned, valid until release */
};

/** @brief Planner ops (sized; v1.0 members below, append only). */
struct ktstr_planner_ops {
	size_t sz;
	int (*init)(struct ktstr_inst *inst);
	void (*fini)(struct ktstr_inst *inst);
	/**
	 * @brief Plan one VM. Locks or reservations taken here are held by the
	 *        lease until release().
	 * @param lease receives a planner-owned handle (may be NULL)
	 * @return 0, -EBUSY when host resources are taken, or -errno
	 */
	int (*plan)(struct ktstr_inst *inst, const struct ktstr_plan_request *req,
		    struct ktstr_plan *out, void **lease);
	/** @brief Give back what plan() or budget() took; called once per success. */
	void (*release)(struct ktstr_inst *inst, void *lease);

	/* ---- ABI 1.1 ---- */

	/**
	 * @brief Optional: reserve host CPUs for host-side work (a kernel build).
	 * @param cap  CPUs asked for (--cpu-cap); 0: KTSTR_CPU_CAP, else the
	 *             planner's default share of the CPUs this process may use
	 * @param out  vcpus = the number of CPUs granted (>= 1); host_cpus lists them
	 * @return 0, -EBUSY when they are taken, -EINVAL for a cap above what
	 *         is allowed, or -errno (error set)
	 */
	int (*budget)(struct ktstr_inst *inst, uint32_t cap, struct ktstr_plan *out,
		      void **lease);
};

#ifdef __cplusplus
}
#endif
#endif /* KTSTR_PLANNER_H */
