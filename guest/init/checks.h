/* Upstream's assert_not_starved per cgroup: Starved, Unfair, Stuck (scenarios.md section 4). */
#ifndef KTSTR_GUEST_CHECKS_H
#define KTSTR_GUEST_CHECKS_H

#include <stddef.h>

#include "report.h"
#include "spec.h"
#include "stats.h"
#include "verdict.h"

/**
 * @brief Check one cgroup's reported workers; failures become details of @p v.
 *        Nothing is checked unless @p lim->not_starved. A value exactly at a
 *        limit passes.
 * @param name  the cgroup's name, for messages
 * @return 0 or -ENOMEM (the verdict still records the failure).
 */
int ktstr_checks__cgroup(const struct ktstr_spec_checks *lim, const char *name,
			 const struct ktstr_worker_report *reps, size_t n,
			 const struct ktstr_cgroup_stats *st, struct ktstr_verdict *v);

#endif
