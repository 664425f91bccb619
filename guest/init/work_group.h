/*
 * Resources a grouped work type's workers share, made before fork
 * (scenarios.md section 1, worker protocol step 1): a pipe pair per group
 * (PipeIo, CachePipe) and one MAP_SHARED slot of futex words per group.
 * Worker i belongs to group i / size at position i % size.
 */
#ifndef KTSTR_GUEST_WORK_GROUP_H
#define KTSTR_GUEST_WORK_GROUP_H

#include <stdint.h>

#include "work.h"

struct ktstr_work_slot {
	uint32_t turn; /* FutexPingPong: whose turn */
	uint32_t lock; /* MutexContention: 0 free, 1 held */
	uint32_t gen;  /* FutexFanOut, FanOutCompute: generation, bumped by the messenger */
	uint32_t pad;
	uint64_t stamp_ns; /* FanOutCompute: CLOCK_MONOTONIC when the messenger woke them */
} __attribute__((aligned(64)));

struct ktstr_work_group {
	unsigned size, ngroups;
	struct ktstr_work_slot *slots; /* MAP_SHARED, ngroups of them */
	int (*pipes)[2][2];	       /* per group: [0] carries 0 -> 1, [1] carries 1 -> 0 */
};

/**
 * @brief Make the resources for @p nworkers workers of @p spec (a multiple
 *        of its group size). @return 0 or -errno; nothing to release on error.
 */
int ktstr_work_group__init(struct ktstr_work_group *g, const struct ktstr_work_spec *spec,
			   unsigned nworkers);

/** @brief The parent's copies of the pipes, closed once every worker has forked. */
void ktstr_work_group__close_pipes(struct ktstr_work_group *g);

void ktstr_work_group__release(struct ktstr_work_group *g);

#endif
