/*
 * Per-cgroup and per-scenario statistics with upstream's names and
 * definitions (scenarios.md section 4). Pure functions.
 */
#ifndef KTSTR_GUEST_STATS_H
#define KTSTR_GUEST_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

struct ktstr_cgroup_stats {
	uint64_t num_workers;
	uint64_t num_cpus; /* |union of cpus_used| */
	double avg_off_cpu_pct, min_off_cpu_pct, max_off_cpu_pct;
	double spread; /* max - min off-CPU %, over workers with wall time */
	uint64_t max_gap_ms;
	int64_t max_gap_cpu; /* -1 when no worker reported */
	uint64_t total_migrations;
	double migration_ratio; /* migrations / iterations */
	double p99_wake_latency_us, median_wake_latency_us, wake_latency_cv;
	uint64_t total_iterations;
	double mean_run_delay_us, worst_run_delay_us;
	/* 0: no NUMA page data yet */
	double page_locality, cross_node_migration_ratio;
	/* p99 / median, 0 when median is 0 */
	double wake_latency_tail_ratio;
	double iterations_per_worker;
};

struct ktstr_scenario_stats {
	const struct ktstr_cgroup_stats *cgroups; /* borrowed */
	size_t ncgroups;
	uint64_t total_workers, total_cpus, total_migrations, total_iterations;
	double worst_spread;
	uint64_t worst_gap_ms;
	int64_t worst_gap_cpu;
	double worst_migration_ratio, worst_p99_wake_latency_us, worst_median_wake_latency_us;
	double worst_wake_latency_cv, worst_mean_run_delay_us, worst_run_delay_us;
	double worst_page_locality; /* lowest non-zero */
	double worst_cross_node_migration_ratio, worst_wake_latency_tail_ratio;
	double worst_iterations_per_worker; /* lowest non-zero */
};

/** @brief Off-CPU share of a worker's wall time in percent (0 when wall is 0, never < 0). */
double ktstr_stats__off_cpu_pct(const struct ktstr_worker_report *r);

/** @brief Nearest-rank p99 of sorted values: v[ceil(0.99 n) - 1]; 0 when n is 0. */
double ktstr_stats__p99(const double *sorted, size_t n);
/** @brief sorted[n / 2]; 0 when n is 0. */
double ktstr_stats__median(const double *sorted, size_t n);
/** @brief Population coefficient of variation (stddev / mean); 0 when n is 0 or the mean is 0. */
double ktstr_stats__cv(const double *v, size_t n);

/**
 * @brief Stats of one cgroup's reported workers.
 * @param wake_ns  pooled wake latencies in ns (may be NULL when @p nwake is 0)
 * @return 0 or -ENOMEM (sorting needs a copy of the latencies).
 */
int ktstr_stats__cgroup(const struct ktstr_worker_report *reps, size_t n, const uint64_t *wake_ns,
			size_t nwake, struct ktstr_cgroup_stats *out);

/** @brief Sums and worst values over @p cg, which @p out borrows. */
void ktstr_stats__scenario(const struct ktstr_cgroup_stats *cg, size_t n,
			   struct ktstr_scenario_stats *out);

#endif
