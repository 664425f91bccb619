/* The guest's CPU topology as sysfs shows it (docs/protocol.md section 4). */
#ifndef KTSTR_GUEST_TOPOLOGY_H
#define KTSTR_GUEST_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cpumask.h"
#include "spec.h"

struct ktstr_guest_topo {
	struct ktstr_cpumask online;
	unsigned cpus, numa_nodes, llcs, cores, threads;
	/* Distinct groups of online CPUs, sorted by their first CPU. */
	struct ktstr_cpumask *llc, *node, *smt;
	size_t nllc, nnode, nsmt;
};

/**
 * @brief Read the topology below @p root ("" for the real root, or a fake
 *        tree holding sys/devices/system/...).
 * @return 0; -errno with a one-line reason naming the sysfs file in @p err.
 *         On error @p out holds nothing to release.
 */
int ktstr_guest_topo__read(const char *root, struct ktstr_guest_topo *out, char *err,
			   size_t errlen);

void ktstr_guest_topo__release(struct ktstr_guest_topo *t);

/** @brief {"cpus",...,"smt_siblings"} as a new reference, or NULL on ENOMEM. */
json_t *ktstr_guest_topo__to_json(const struct ktstr_guest_topo *t);

/**
 * @brief Compare with what the test asked for.
 * @return true when they match; otherwise false and every difference in
 *         @p msg, e.g. "guest has 1 LLC, test asked for 2".
 */
bool ktstr_guest_topo__matches(const struct ktstr_guest_topo *t, const struct ktstr_spec_topo *want,
			       char *msg, size_t msglen);

#endif
