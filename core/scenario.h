/*
 * A scenario as data (docs/scenarios.md): what the guest runs, read from YAML
 * (a catalog file or a profile entry) with file:line:col errors, validated as
 * far as the host can, and kept in the shape of test spec v2
 * (docs/protocol.md) so rendering the spec is a copy.
 */
#ifndef KTSTR_CORE_SCENARIO_H
#define KTSTR_CORE_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <ktstr/topology.h>

/** @brief What a topology must offer; 0 / false: no requirement. */
struct ktstr_scenario_requires {
	uint32_t min_cpus;
	uint32_t min_llcs;
	uint32_t min_numa_nodes;
	uint32_t min_cpus_per_llc;
	bool smt;
};

struct ktstr_scenario {
	char *name;
	char *description; /* NULL when not given */
	struct ktstr_scenario_requires req;
	json_t *checks;	  /* the keys the scenario sets (a null value turns a check off) */
	json_t *backdrop; /* spec v2 {"cgroups":[..],"ops":[..]} */
	json_t *steps;	  /* spec v2 [{"hold":..,"cgroups":[..],"ops":[..]}], at least one */
};

/**
 * @brief Read a scenario file. On error returns -EINVAL (bad content) or
 *        -errno (I/O) and writes "file:line:col: message" into @p err.
 */
int ktstr_scenario__load(const char *path, struct ktstr_scenario **out, char *err, size_t errlen);
/** @brief Same, from memory (@p name used in messages). */
int ktstr_scenario__parse(const char *name, const char *text, size_t len,
			  struct ktstr_scenario **out, char *err, size_t errlen);
void ktstr_scenario__free(struct ktstr_scenario *s);

/** @brief The spec v2 "scenario" object {name, backdrop, steps} (a new reference). */
json_t *ktstr_scenario__spec(const struct ktstr_scenario *s);

/**
 * @brief Workers of a grouped work type (PipeIo, FutexFanOut, ...) must come in
 *        whole groups; a work without "workers" gets @p workers_per_cgroup.
 * @return 0; -EINVAL with "where: message" in @p err when one does not fit.
 */
int ktstr_scenario__check_workers(const struct ktstr_scenario *s, uint32_t workers_per_cgroup,
				  char *err, size_t errlen);

/**
 * @brief Whether topology @p t can host @p s: its requires, and every cpuset
 *        spec and exact affinity resolving to existing, non-empty CPU sets.
 * @return 0 when it can; 1 with the reason ("needs 2 LLCs, topology 1n1l4c1t
 *         has 1") in @p why when the test must be skipped.
 */
int ktstr_scenario__skip(const struct ktstr_scenario *s, const struct ktstr_topo *t, char *why,
			 size_t len);

/** @brief Group size of work type @p type with @p params (a JSON object or NULL); 0 if unknown. */
uint32_t ktstr_work__group_size(const char *type, const json_t *params);

/* ---- checks (scenario_checks.c) ---- */

/** @brief Upstream's defaults: every check key, not_starved true, max_gap_ms 2000,
 *         max_spread_pct 15, the rest null (off). A new reference, NULL without memory. */
json_t *ktstr_checks__defaults(void);
/** @brief Overlay the keys of @p layer (NULL: nothing) onto @p dst. 0 or -ENOMEM. */
int ktstr_checks__merge(json_t *dst, const json_t *layer);

#endif
