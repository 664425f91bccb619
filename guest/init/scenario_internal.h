/* State shared by the scenario engine's files (scenario*.c, ops.c). */
#ifndef KTSTR_GUEST_SCENARIO_INTERNAL_H
#define KTSTR_GUEST_SCENARIO_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroup.h"
#include "checks.h"
#include "cpumask.h"
#include "scenario.h"
#include "worker.h"

#define KTSTR_SCEN_BACKDROP (-1)      /* owner of what the backdrop set up */
#define KTSTR_SCEN_HOST_CGROUP "host" /* the group name of spawn_host workers */

/* A cgroup the scenario created, with the cpuset it has now. */
struct ktstr_scen_cgroup {
	char *name;
	int owner; /* step index, or KTSTR_SCEN_BACKDROP */
	bool has_cpuset;
	struct ktstr_cpumask cpuset;
};

/* One Work's workers (upstream's WorkloadHandle). */
struct ktstr_scen_handle {
	char *cgroup; /* NULL: spawn_host, in init's own cgroup */
	int owner;
	struct ktstr_work_spec work;
	struct ktstr_worker_set ws;
	bool started;
	/* Isolation: restricted while every moment it ran had a cpuset; allowed = their union. */
	bool restricted;
	struct ktstr_cpumask allowed;
};

struct ktstr_scen {
	const struct ktstr_scenario_env *env;
	struct ktstr_scenario_out *out;
	struct ktstr_cgroup_mgr cg;
	bool base_ready;
	struct ktstr_scen_cgroup *cgroups;
	size_t ncgroups, capcgroups;
	struct ktstr_scen_handle **handles;
	size_t nhandles, caphandles;
	struct ktstr_check_limits limits; /* the spec's checks, scaled for emulated timing */
	int step;			  /* the step being run, or KTSTR_SCEN_BACKDROP */
	uint64_t start_ns;
	uint64_t rng;
	enum ktstr_sched_health sched_health; /* of the last check */
	char sched_why[1280];		      /* why it was not healthy */
	char err[768];
};

/* scenario_cgroups.c */
struct ktstr_scen_cgroup *ktstr_scen__cgroup(struct ktstr_scen *s, const char *name);
/** @brief mkdir @p name and its missing parents (owned by the current step). */
int ktstr_scen__add_cgroup(struct ktstr_scen *s, const char *name);
/** @brief Write @p mask (NULL clears) to the cgroup's cpuset.cpus and update its handles. */
int ktstr_scen__write_cpuset(struct ktstr_scen *s, struct ktstr_scen_cgroup *g,
			     const struct ktstr_cpumask *mask);
/** @brief SIGKILL (no reports) and drop the handles in @p name and below. */
void ktstr_scen__kill_handles(struct ktstr_scen *s, const char *name);
/** @brief Remove @p name's cgroup (and its children first), draining tasks to the root. */
int ktstr_scen__remove_cgroup(struct ktstr_scen *s, const char *name);
/** @brief Remove every cgroup of @p owner, children first; errors go to diagnostics. */
void ktstr_scen__remove_owned(struct ktstr_scen *s, int owner);

/* scenario_spawn.c */
/**
 * @brief Fork @p w's workers into @p cgroup (NULL: stay in init's cgroup),
 *        set their affinity; they wait at the barrier until ktstr_scen__start(),
 *        which must come before the next spawn (workers inherit the barrier).
 */
int ktstr_scen__spawn(struct ktstr_scen *s, const char *cgroup, const struct ktstr_work_spec *w,
		      struct ktstr_scen_handle **out);
/** @brief Release every handle not started yet. */
int ktstr_scen__start(struct ktstr_scen *s);
/** @brief Cgroup defs: mkdir (with parents) and write the resolved cpuset. */
int ktstr_scen__create_defs(struct ktstr_scen *s, const struct ktstr_spec_cgroup *defs, size_t n);
/** @brief Spawn and start every Work of the defs, one after the other. */
int ktstr_scen__spawn_defs(struct ktstr_scen *s, const struct ktstr_spec_cgroup *defs, size_t n);
/**
 * @brief One worker's affinity in @p h's cgroup (its cpuset is the pool);
 *        *has false: it keeps what it inherits.
 */
int ktstr_scen__affinity(struct ktstr_scen *s, const struct ktstr_scen_handle *h,
			 enum ktstr_affinity_kind kind, const struct ktstr_cpumask *cpus,
			 struct ktstr_cpumask *out, bool *has);
/** @brief sched_setaffinity() of @p pid (a worker already gone is not an error). */
int ktstr_scen__set_affinity(struct ktstr_scen *s, pid_t pid, const struct ktstr_cpumask *mask);
/** @brief The live iteration counters of every worker alive. */
uint64_t ktstr_scen__live_iterations(const struct ktstr_scen *s);
/** @brief Live workers over every handle. */
unsigned ktstr_scen__live_workers(const struct ktstr_scen *s);

/* ops.c */
/** @brief Apply one op; -errno with a reason in s->err. */
int ktstr_ops__apply(struct ktstr_scen *s, const struct ktstr_spec_op *op);

/* scenario_collect.c */
/**
 * @brief Stop and collect every handle of @p owner into out (reports, group
 *        stats, checks and isolation into @p v), then free them.
 * @return 0 or -ENOMEM.
 */
int ktstr_scen__collect(struct ktstr_scen *s, int owner, struct ktstr_verdict *v);
/** @brief Append @p src's details to @p dst and AND passed/skipped. @return 0 or -ENOMEM. */
int ktstr_scen__merge(struct ktstr_verdict *dst, const struct ktstr_verdict *src);

#endif
