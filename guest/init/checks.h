/*
 * Upstream's per-handle checks (scenarios.md section 4): not_starved
 * (Starved, Unfair, Stuck), isolation, throughput, wake-latency benchmarks,
 * migration ratio and run delay; plus the emulated-timing scale. Pure
 * functions except ktstr_timing__calibrate().
 */
#ifndef KTSTR_GUEST_CHECKS_H
#define KTSTR_GUEST_CHECKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpumask.h"
#include "report.h"
#include "spec.h"
#include "stats.h"
#include "verdict.h"
#include "worker.h"

/* Debug builds of upstream use 3000 ms and 35 %; ktstr uses the release limits. */
#define KTSTR_CHECK_DEFAULT_GAP_MS 2000
#define KTSTR_CHECK_DEFAULT_SPREAD_PCT 15.0

/*
 * The Checks of the test spec. A limit that is off (null in the spec) holds
 * the value that never fails: UINT64_MAX or INFINITY for a maximum, 0 for a
 * minimum (the same rule as spec.h's ktstr_spec_checks). A value exactly at
 * its limit passes.
 */
struct ktstr_check_limits {
	bool not_starved; /* Starved, and with it Unfair and Stuck */
	bool isolation;	  /* needs the cgroup's cpuset */
	uint64_t max_gap_ms;
	double max_spread_pct;
	double max_throughput_cv, min_work_rate; /* work units per CPU second */
	double max_p99_wake_latency_ns, max_median_wake_latency_ns, max_wake_latency_cv;
	double min_iteration_rate; /* iterations per wall second, per worker */
	double max_migration_ratio, max_run_delay_us;
};

/** @brief Upstream's default_checks(): not_starved with 2000 ms / 15 %, everything else off. */
void ktstr_check_limits__defaults(struct ktstr_check_limits *l);

/** @brief The spec's Checks as limits (every key; the same off values). */
void ktstr_check_limits__from_spec(const struct ktstr_spec_checks *c, struct ktstr_check_limits *l);

/**
 * @brief Loosen the timing limits by @p scale (>= 1, see ktstr_timing__calibrate):
 *        max_gap_ms, the wake-latency maxima and max_run_delay_us are
 *        multiplied, min_work_rate and min_iteration_rate divided. Ratios
 *        (spread, CVs, migration ratio) are not timing and stay.
 */
void ktstr_check_limits__scale(struct ktstr_check_limits *l, double scale);

/**
 * @brief ktstr_check_limits__scale() applied to the spec's Checks in place,
 *        for callers that pass the spec's Checks on (ktstr_checks__cgroup()).
 */
void ktstr_checks__scale_spec(struct ktstr_spec_checks *c, double scale);

/**
 * @brief All checks of one handle (one Work's workers in one cgroup) over its
 *        reported workers; failures become details of @p v.
 * @param name    the cgroup's name, for messages
 * @param reps    reported workers (payload workers are skipped by every check)
 * @param st      ktstr_stats__cgroup() of the same workers, wake samples pooled
 * @param cpuset  the cgroup's cpuset for the isolation check, or NULL
 * @return 0 or -ENOMEM (the verdict still records the failure).
 */
int ktstr_checks__group(const struct ktstr_check_limits *lim, const char *name,
			const struct ktstr_worker_report *reps, size_t n,
			const struct ktstr_cgroup_stats *st, const struct ktstr_cpumask *cpuset,
			struct ktstr_verdict *v);

/**
 * @brief Isolation of one handle: every worker's cpus_used within @p cpuset.
 *        Each worker outside fails as Isolation "tid N ran on unexpected CPUs {..}".
 * @param used  out: the union of cpus_used (the result's "cpus_used"), may be NULL
 * @return true when isolated (also for n == 0).
 */
bool ktstr_checks__isolation(const char *name, const struct ktstr_cpumask *cpuset,
			     const struct ktstr_worker_report *reps, size_t n,
			     struct ktstr_cpumask *used, struct ktstr_verdict *v);

/**
 * @brief Stats and checks of a collected worker set: reported workers go
 *        through ktstr_checks__group(); each worker without a report fails as
 *        Starved with how it ended (always: a worker that died is never healthy).
 * @param st  out: the stats of the reported (non-payload) workers
 * @return 0 or -ENOMEM.
 */
int ktstr_checks__worker_set(const struct ktstr_check_limits *lim, const char *name,
			     const struct ktstr_worker_set *ws, const struct ktstr_cpumask *cpuset,
			     struct ktstr_cgroup_stats *st, struct ktstr_verdict *v);

/**
 * @brief ktstr_checks__group() with the limits of ktstr_check_limits__from_spec()
 *        and no cpuset (the entry the scenario engine used first).
 */
int ktstr_checks__cgroup(const struct ktstr_spec_checks *lim, const char *name,
			 const struct ktstr_worker_report *reps, size_t n,
			 const struct ktstr_cgroup_stats *st, struct ktstr_verdict *v);

/* Reference: ns per calibration round on a native x86-64 core (Xeon, 2026). */
#define KTSTR_TIMING_NATIVE_NS_PER_ROUND 2.4
#define KTSTR_TIMING_MAX_SCALE 10.0

/**
 * @brief The emulated-timing rule: under software emulation (the spec's
 *        emulated_timing) the guest's clock runs at real speed but the vCPU
 *        executes many times slower, so a healthy scheduler shows longer gaps,
 *        run delays and wake latencies and lower rates. The scale is the
 *        measured slowdown of a fixed ALU chain against a native core,
 *        clamped to [1, KTSTR_TIMING_MAX_SCALE]; without emulation it is 1.
 * @return the scale for ktstr_check_limits__scale() (recorded as "timing_scale").
 */
double ktstr_timing__calibrate(bool emulated);

/** @brief The clamp of the rule above for a measured @p ns_per_round (pure). */
double ktstr_timing__scale_of(double ns_per_round);

#endif
