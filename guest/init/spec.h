/* The test spec /ktstr/test.json (docs/protocol.md section 1). */
#ifndef KTSTR_GUEST_SPEC_H
#define KTSTR_GUEST_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuset.h"
#include "hold.h"
#include "work.h"

#define KTSTR_SPEC_PATH "/ktstr/test.json"
#define KTSTR_SPEC_VERSION 2
#define KTSTR_SPEC_MAX_WORKERS 256

struct ktstr_spec_topo {
	uint32_t numa_nodes, llcs, cores, threads;
};

struct ktstr_spec_sched {
	char *name;
	char *path;
	char **argv; /* argv[0] = path, then "args", NULL-terminated */
};

/*
 * A limit given as null (off) is the value that never fails: UINT64_MAX or
 * INFINITY for a maximum, 0 for a minimum.
 */
struct ktstr_spec_checks {
	bool not_starved;
	bool isolation;
	uint64_t max_gap_ms;
	double max_spread_pct;
	double max_throughput_cv, min_work_rate;
	double max_p99_wake_latency_ns, max_median_wake_latency_ns, max_wake_latency_cv;
	double min_iteration_rate, max_migration_ratio, max_run_delay_us;
};

struct ktstr_spec_cgroup {
	char *name; /* relative to the ktstr cgroup; "a/b" nests */
	bool has_cpuset;
	struct ktstr_cpuset_spec cpuset;
	struct ktstr_work_spec *works; /* at least one (an empty list is one default Work) */
	size_t nworks;
};

/* Values are the op's bit in a stimulus event's op_kinds. */
enum ktstr_op_kind {
	KTSTR_OP_ADD_CGROUP,
	KTSTR_OP_REMOVE_CGROUP,
	KTSTR_OP_SET_CPUSET,
	KTSTR_OP_CLEAR_CPUSET,
	KTSTR_OP_SWAP_CPUSETS,
	KTSTR_OP_SPAWN,
	KTSTR_OP_STOP_CGROUP,
	KTSTR_OP_SET_AFFINITY,
	KTSTR_OP_SPAWN_HOST,
	KTSTR_OP_MOVE_ALL_TASKS,
	KTSTR_OP_COUNT,
};

struct ktstr_spec_op {
	enum ktstr_op_kind kind;
	char *cgroup; /* "cgroup", "a" of swap_cpusets, "from" of move_all_tasks; NULL for
			 spawn_host */
	char *other;  /* "b" of swap_cpusets, "to" of move_all_tasks */
	struct ktstr_cpuset_spec cpuset; /* set_cpuset */
	struct ktstr_affinity affinity;	 /* set_affinity */
	struct ktstr_work_spec work;	 /* spawn, spawn_host */
};

struct ktstr_spec_step {
	struct ktstr_hold hold; /* unused in the backdrop */
	struct ktstr_spec_cgroup *cgroups;
	size_t ncgroups;
	struct ktstr_spec_op *ops;
	size_t nops;
};

struct ktstr_spec_scenario {
	char *name;
	struct ktstr_spec_step backdrop;
	struct ktstr_spec_step *steps;
	size_t nsteps;
};

struct ktstr_spec {
	char *test_name;
	struct ktstr_spec_scenario scenario;
	uint64_t duration_ms;
	uint32_t workers_per_cgroup;
	uint64_t settle_ms;
	struct ktstr_spec_topo topo;
	struct ktstr_spec_sched *sched; /* NULL: the kernel's own scheduler */
	struct ktstr_spec_checks checks;
	bool emulated_timing;
};

/**
 * @brief Parse and validate a spec. Unknown keys are ignored.
 * @param origin  name used in messages (the file path)
 * @return 0; -EINVAL with a one-line reason in @p err ("<origin>:L:C: ..." for
 *         JSON syntax, "<origin>: key 'k': ..." for a bad value); -ENOMEM.
 *         On error @p out holds nothing to release.
 */
int ktstr_spec__parse(const char *text, size_t len, const char *origin, struct ktstr_spec *out,
		      char *err, size_t errlen);

/** @brief Read @p path and parse it; a missing file is -ENOENT with a message. */
int ktstr_spec__load(const char *path, struct ktstr_spec *out, char *err, size_t errlen);

void ktstr_spec__release(struct ktstr_spec *s);

/** @brief The op's name in the spec ("swap_cpusets"). */
const char *ktstr_op_kind__name(enum ktstr_op_kind kind);

/**
 * @brief Upper bound of the scenario's wall time in ms: every step's hold
 *        (a loop hold counts the whole duration), without setup and collection.
 */
uint64_t ktstr_spec__hold_budget_ms(const struct ktstr_spec *s);

#endif
