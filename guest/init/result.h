/* The result JSON between the COM2 result markers (docs/protocol.md section 6). */
#ifndef KTSTR_GUEST_RESULT_H
#define KTSTR_GUEST_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "report.h"
#include "stats.h"
#include "verdict.h"

struct ktstr_result_worker {
	const char *cgroup;
	const struct ktstr_worker_report *rep;
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
};

/** @brief ScenarioStats as JSON, upstream key names and order. NULL on ENOMEM. */
json_t *ktstr_result__stats_json(const struct ktstr_scenario_stats *s);

/** @brief The whole result as compact one-line JSON (malloc'd), or NULL on ENOMEM. */
char *ktstr_result__render(const struct ktstr_result_doc *d);

#endif
