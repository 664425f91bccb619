/*
 * The scenario engine: runs the spec's Scenario object (backdrop, then each
 * step: ops, cgroups and workers, a stimulus event, the hold, collection and
 * checks) to upstream's execute_scenario depth (scenarios.md section 1).
 * Problems inside a scenario become details, so a result is always produced.
 */
#ifndef KTSTR_GUEST_SCENARIO_H
#define KTSTR_GUEST_SCENARIO_H

#include <stddef.h>

#include "result.h"
#include "scheduler.h"
#include "spec.h"
#include "stats.h"
#include "topology.h"
#include "verdict.h"

struct ktstr_scenario_env {
	const struct ktstr_spec *spec;
	const struct ktstr_guest_topo *topo;
	const char *cgroup_root;   /* KTSTR_CGROUP_ROOT in the VM */
	struct ktstr_sched *sched; /* NULL under the kernel's own scheduler */
	const char *sys_root;	   /* "" in the VM: where sys/kernel/sched_ext is read */
	const char *kmsg_path;	   /* /dev/kmsg in the VM: the kernel's reason for an ejection */
	/* Called with each stimulus event as it happens (a STIM frame); may be NULL. */
	void (*on_stimulus)(const struct ktstr_result_stimulus *ev, void *arg);
	void *arg;
};

struct ktstr_scenario_out {
	struct ktstr_verdict verdict; /* every step's details, passed = all passed */
	/* One entry per collected Work group (upstream's WorkloadHandle). */
	size_t ngroups;
	char **group_cgroups; /* the cgroup each group ended in ("host" for spawn_host) */
	struct ktstr_cgroup_stats *group_stats;
	struct ktstr_worker_report *reports; /* grouped by Work group */
	struct ktstr_result_worker *workers; /* one per report; rep set once the run ends */
	size_t nworkers;
	struct ktstr_scenario_stats stats; /* over every group; borrows group_stats */
	struct ktstr_result_step *steps;   /* steps in order, then the backdrop (index -1) */
	size_t nsteps;
	struct ktstr_result_stimulus *stimuli;
	size_t nstimuli;
	struct ktstr_result_isolation *isolation;
	size_t nisolation;
	double timing_scale; /* what the timing limits were multiplied by (checks.h) */
};

/** @brief An empty output with a passing verdict and zeroed stats. */
void ktstr_scenario_out__init(struct ktstr_scenario_out *out);
void ktstr_scenario_out__release(struct ktstr_scenario_out *out);

/**
 * @brief Run env->spec's scenario and fill @p out (initialised by the caller).
 * @return 0, or -ENOMEM when the result could not be recorded.
 */
int ktstr_scenario__run(const struct ktstr_scenario_env *env, struct ktstr_scenario_out *out);

#endif
