/*
 * Scenarios by name. Each run fills a verdict, per-cgroup stats and the
 * workers' reports; problems inside a scenario become details (kind Other
 * for setup errors), so a result is always produced.
 */
#ifndef KTSTR_GUEST_SCENARIO_H
#define KTSTR_GUEST_SCENARIO_H

#include <stddef.h>

#include "result.h"
#include "scheduler.h"
#include "spec.h"
#include "stats.h"
#include "verdict.h"

#define KTSTR_CGROUP_NAME_MAX 32

struct ktstr_scenario_env {
	const struct ktstr_spec *spec;
	const char *cgroup_root;   /* KTSTR_CGROUP_ROOT in the VM */
	struct ktstr_sched *sched; /* NULL under the kernel's own scheduler */
};

struct ktstr_scenario_out {
	struct ktstr_verdict verdict;
	size_t ncgroups;
	char (*cgroup_names)[KTSTR_CGROUP_NAME_MAX];
	struct ktstr_cgroup_stats *cgroup_stats;
	struct ktstr_worker_report *reports; /* grouped by cgroup */
	struct ktstr_result_worker *workers; /* one per report, in the same order */
	size_t nworkers;
	struct ktstr_scenario_stats stats; /* borrows cgroup_stats */
};

struct ktstr_scenario {
	const char *name;
	/* 0, or -ENOMEM when even the verdict could not be recorded. */
	int (*run)(const struct ktstr_scenario_env *env, struct ktstr_scenario_out *out);
};

/** @brief The scenario called @p name, or NULL. */
const struct ktstr_scenario *ktstr_scenario__find(const char *name);

/** @brief Comma-separated names of every scenario, for messages. */
const char *ktstr_scenario__names(void);

/** @brief An empty output with a passing verdict and zeroed stats. */
void ktstr_scenario_out__init(struct ktstr_scenario_out *out);
void ktstr_scenario_out__release(struct ktstr_scenario_out *out);

/* The scenarios (one file each). */
int ktstr_scenario__steady(const struct ktstr_scenario_env *env, struct ktstr_scenario_out *out);

#endif
