/* The result JSON between the COM2 result markers (docs/protocol.md section 6). */
#ifndef KTSTR_GUEST_RESULT_H
#define KTSTR_GUEST_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "report.h"
#include "spec.h"
#include "stats.h"
#include "verdict.h"

struct ktstr_result_worker {
	const char *cgroup;
	const struct ktstr_worker_report *rep;
};

/* One entry of "steps": a step's own verdict and the stats of its Work groups. */
struct ktstr_result_step {
	int index; /* -1 for the backdrop */
	struct ktstr_verdict verdict;
	struct ktstr_scenario_stats stats;
};

/* One entry of "stimulus_events" (written when a step has applied its ops and cgroups). */
struct ktstr_result_stimulus {
	uint64_t elapsed_ms; /* since the scenario started */
	unsigned step_index;
	uint32_t op_kinds; /* bit n: an op of enum ktstr_op_kind n */
	unsigned ncgroups, nworkers;
	uint64_t total_iterations;	 /* 0 becomes null */
	const struct ktstr_spec_op *ops; /* the step's ops, borrowed from the spec */
	size_t nops;
};

/* One entry of "isolation": a Work group whose cgroup had a cpuset. */
struct ktstr_result_isolation {
	char *cgroup;
	struct ktstr_cpumask cpuset; /* every cpuset that applied while it ran */
	struct ktstr_cpumask used;
	bool passed;
};

struct ktstr_result_doc {
	const struct ktstr_verdict *verdict;
	const struct ktstr_scenario_stats *stats;
	const char *kernel_release;
	json_t *guest_topology; /* borrowed; NULL becomes null */
	const char *scenario;
	uint64_t duration_ms;
	const struct ktstr_result_worker *workers;
	size_t nworkers;
	const struct ktstr_result_step *steps;
	size_t nsteps;
	const struct ktstr_result_stimulus *stimuli;
	size_t nstimuli;
	const struct ktstr_result_isolation *isolation;
	size_t nisolation;
	bool emulated_timing;
	double timing_scale;
};

/** @brief One stimulus event as JSON (also a STIM frame's payload). NULL on ENOMEM. */
json_t *ktstr_result__stimulus_json(const struct ktstr_result_stimulus *ev);

/** @brief ScenarioStats as JSON, upstream key names and order. NULL on ENOMEM. */
json_t *ktstr_result__stats_json(const struct ktstr_scenario_stats *s);

/** @brief The whole result as compact one-line JSON (malloc'd), or NULL on ENOMEM. */
char *ktstr_result__render(const struct ktstr_result_doc *d);

#endif
