/* SPDX-License-Identifier: MIT */
/**
 * @file topology.h
 * @brief The guest CPU topology a test asks for.
 */
#ifndef KTSTR_TOPOLOGY_H
#define KTSTR_TOPOLOGY_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief A guest topology: NUMA nodes x LLCs x cores per LLC x threads per core.
 *
 * Frozen layout (ABI 1.x never changes it). `llcs` is a multiple of
 * `numa_nodes`; vCPUs = llcs * cores * threads. The compact name is
 * "{numa}n{llcs}l{cores}c{threads}t".
 */
struct ktstr_topo {
	uint32_t numa_nodes;
	uint32_t llcs;
	uint32_t cores;   /**< cores per LLC */
	uint32_t threads; /**< hardware threads per core */
};

#ifdef __cplusplus
}
#endif
#endif /* KTSTR_TOPOLOGY_H */
