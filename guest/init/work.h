/*
 * Work types: what a worker does between checkpoints (scenarios.md section 2),
 * and the work spec of the test spec's Work objects (docs/protocol.md).
 */
#ifndef KTSTR_GUEST_WORK_H
#define KTSTR_GUEST_WORK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "cpumask.h"
#include "report.h"

/* Upstream caps the wake-latency reservoir at this many samples per worker. */
#define KTSTR_WAKE_RESERVOIR 100000
#define KTSTR_WORK_MAX_PHASES 16
#define KTSTR_WORK_MAX_ARGS 32
#define KTSTR_WORK_MAX_ARG 256
#define KTSTR_WORK_MAX_PATH 256
#define KTSTR_WORK_MAX_WORKERS 256 /* per Work, like the spec's workers_per_cgroup cap */
#define KTSTR_WORK_MAX_GROUP 64	   /* fan_out + 1 and contenders */
/* A payload's stdout is captured up to this many bytes. */
#define KTSTR_PAYLOAD_STDOUT_MAX 65536

enum ktstr_sched_policy {
	KTSTR_POLICY_NORMAL,
	KTSTR_POLICY_BATCH,
	KTSTR_POLICY_IDLE,
	KTSTR_POLICY_FIFO,
	KTSTR_POLICY_RR,
};

enum ktstr_affinity_kind {
	KTSTR_AFFINITY_INHERIT,
	KTSTR_AFFINITY_RANDOM_SUBSET,
	KTSTR_AFFINITY_LLC_ALIGNED,
	KTSTR_AFFINITY_CROSS_CGROUP,
	KTSTR_AFFINITY_SINGLE_CPU,
	KTSTR_AFFINITY_EXACT,
};

/* Values of the kernel's MPOL_* modes, so they pass straight to set_mempolicy. */
enum ktstr_mem_policy {
	KTSTR_MPOL_DEFAULT = 0,
	KTSTR_MPOL_PREFERRED = 1,
	KTSTR_MPOL_BIND = 2,
	KTSTR_MPOL_INTERLEAVE = 3,
	KTSTR_MPOL_LOCAL = 4,
	KTSTR_MPOL_PREFERRED_MANY = 5,
	KTSTR_MPOL_WEIGHTED_INTERLEAVE = 6,
};

#define KTSTR_MPOL_F_STATIC_NODES (1u << 15)
#define KTSTR_MPOL_F_RELATIVE_NODES (1u << 14)
#define KTSTR_MPOL_F_NUMA_BALANCING (1u << 13)

enum ktstr_phase_kind {
	KTSTR_PHASE_SPIN,
	KTSTR_PHASE_SLEEP,
	KTSTR_PHASE_YIELD,
	KTSTR_PHASE_IO,
};

struct ktstr_work_phase {
	enum ktstr_phase_kind kind;
	uint32_t ms;
};

/* Type parameters; each type reads only its own (defaults from upstream). */
struct ktstr_work_params {
	uint32_t burst_ms, sleep_ms, burst_iters, spin_iters, size_kb, stride, fan_out;
	uint32_t cache_footprint_kb, operations, sleep_usec, region_kb, touches_per_cycle;
	uint32_t contenders, hold_iters, work_iters;
	struct ktstr_work_phase phases[KTSTR_WORK_MAX_PHASES];
	size_t nphases;
};

struct ktstr_work_ctx;

struct ktstr_work_type {
	const char *name; /* upstream's PascalCase name, or "payload" */
	/* Loop until ktstr_work__checkpoint() says stop. */
	void (*run)(struct ktstr_work_ctx *ctx);
};

/* One Work of the test spec, fully parsed; a plain value (no heap), safe across fork. */
struct ktstr_work_spec {
	const struct ktstr_work_type *type;
	uint32_t workers; /* > 0, a multiple of ktstr_work_spec__group_size() */
	struct ktstr_work_params params;
	enum ktstr_sched_policy policy;
	uint32_t priority; /* 1..99 for FIFO and RR, else 0 */
	enum ktstr_affinity_kind affinity;
	struct ktstr_cpumask affinity_cpus; /* "cpus" of an exact affinity */
	enum ktstr_mem_policy mem_policy;
	struct ktstr_cpumask mem_nodes; /* NUMA node numbers as bits */
	uint32_t mpol_flags;		/* KTSTR_MPOL_F_* */
	char payload_path[KTSTR_WORK_MAX_PATH];
	char payload_args[KTSTR_WORK_MAX_ARGS][KTSTR_WORK_MAX_ARG];
	size_t npayload_args;
};

/* Telemetry state shared by every work type's loop. */
struct ktstr_work_ctx {
	volatile sig_atomic_t *stop; /* set by SIGUSR1 */
	uint64_t start_ns, deadline_ns, last_ns;
	int last_cpu;
	struct ktstr_worker_report *rep;
	/* Below: optional, zero for the legacy ktstr_work__run() callers. */
	const struct ktstr_work_spec *spec; /* NULL: upstream defaults */
	struct ktstr_work_group *group;	    /* shared resources of a grouped type */
	unsigned index;			    /* position within the worker set */
	uint64_t *wake_ns;		    /* reservoir of KTSTR_WAKE_RESERVOIR, or NULL */
	volatile uint64_t *live_iterations; /* shared counter B reads, or NULL */
	uint64_t gap_limit_ns;		    /* 0: no watchdog */
	pid_t sched_pid;		    /* SIGUSR2 target when a gap passes the limit */
	uint64_t rng;			    /* xorshift state */
	unsigned char *stdout_buf;	    /* payload: KTSTR_PAYLOAD_STDOUT_MAX bytes, or NULL */
};

/** @brief The work type called @p name, or NULL. */
const struct ktstr_work_type *ktstr_work__find(const char *name);

/**
 * @brief Parse one Work object of the test spec.
 * @param work             the JSON object ({"type":..,"workers":..,"params":..,..})
 * @param default_workers  used when "workers" is absent or null (workers_per_cgroup)
 * @param out              filled on success, undefined on error
 * @return 0; -EINVAL with a one-line reason naming the key in @p err (unknown
 *         type, workers 0 or not a multiple of the group size, bad priority,
 *         unknown policy/affinity/mem policy/flag, a node or CPU out of range,
 *         payload without path, too many phases or args).
 */
int ktstr_work_spec__parse(const json_t *work, uint32_t default_workers,
			   struct ktstr_work_spec *out, char *err, size_t errlen);

/** @brief A spec with upstream defaults for @p type: one group of workers, normal policy. */
void ktstr_work_spec__defaults(struct ktstr_work_spec *out, const struct ktstr_work_type *type);

/** @brief Workers that share resources (PipeIo 2, FutexFanOut fan_out + 1, ...); 1 if none. */
unsigned ktstr_work_spec__group_size(const struct ktstr_work_spec *spec);

/**
 * @brief End of one iteration: count it, measure the gap since the previous
 *        checkpoint and the CPU. @return true when the worker must stop
 *        (stop flag or deadline).
 */
bool ktstr_work__checkpoint(struct ktstr_work_ctx *ctx);

/**
 * @brief Run @p wt for @p duration_ns (or until *stop) and fill @p rep:
 *        iterations, CPU and wall time, gaps, migrations, schedstat deltas.
 *        rep->pid is left to the caller.
 */
void ktstr_work__run(const struct ktstr_work_type *wt, uint64_t duration_ns,
		     volatile sig_atomic_t *stop, struct ktstr_worker_report *rep);

/**
 * @brief Like ktstr_work__run() for ctx->spec's type, with the optional ctx
 *        fields (group, index, wake_ns, live_iterations, watchdog) set by the
 *        caller; ctx->rep must be zeroed. @p duration_ns 0 runs until *stop.
 */
void ktstr_work__run_ctx(struct ktstr_work_ctx *ctx, uint64_t duration_ns);

#endif
