#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

double ktstr_stats__off_cpu_pct(const struct ktstr_worker_report *r)
{
	if (r->wall_ns == 0 || r->cpu_ns >= r->wall_ns) {
		return 0.0;
	}
	return (double)(r->wall_ns - r->cpu_ns) * 100.0 / (double)r->wall_ns;
}

double ktstr_stats__p99(const double *sorted, size_t n)
{
	size_t rank;

	if (n == 0) {
		return 0.0;
	}
	/* ceil(0.99 n) in integers: no rounding surprise at n = 100, 200, ... */
	rank = (n * 99 + 99) / 100;
	return sorted[rank - 1];
}

double ktstr_stats__median(const double *sorted, size_t n)
{
	return n == 0 ? 0.0 : sorted[n / 2];
}

double ktstr_stats__cv(const double *v, size_t n)
{
	double mean = 0.0, var = 0.0;

	if (n == 0) {
		return 0.0;
	}
	for (size_t i = 0; i < n; i++) {
		mean += v[i];
	}
	mean /= (double)n;
	if (mean == 0.0) {
		return 0.0;
	}
	for (size_t i = 0; i < n; i++) {
		var += (v[i] - mean) * (v[i] - mean);
	}
	return sqrt(var / (double)n) / mean;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int wake_stats(const uint64_t *wake_ns, size_t n, struct ktstr_cgroup_stats *out)
{
	double *us;

	if (n == 0) {
		return 0;
	}
	us = malloc(n * sizeof(*us));
	if (us == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		us[i] = (double)wake_ns[i] / 1000.0;
	}
	qsort(us, n, sizeof(*us), cmp_double);
	out->p99_wake_latency_us = ktstr_stats__p99(us, n);
	out->median_wake_latency_us = ktstr_stats__median(us, n);
	out->wake_latency_cv = ktstr_stats__cv(us, n);
	if (out->median_wake_latency_us > 0.0) {
		out->wake_latency_tail_ratio =
		    out->p99_wake_latency_us / out->median_wake_latency_us;
	}
	free(us);
	return 0;
}

int ktstr_stats__cgroup(const struct ktstr_worker_report *reps, size_t n, const uint64_t *wake_ns,
			size_t nwake, struct ktstr_cgroup_stats *out)
{
	struct ktstr_cpumask cpus = {{0}};
	uint64_t max_gap_ns = 0;
	double delay_sum = 0.0;
	size_t timed = 0;

	memset(out, 0, sizeof(*out));
	out->num_workers = n;
	out->max_gap_cpu = -1;
	for (size_t i = 0; i < n; i++) {
		const struct ktstr_worker_report *r = &reps[i];
		double off = ktstr_stats__off_cpu_pct(r),
		       delay_us = (double)r->run_delay_ns / 1000.0;

		ktstr_cpumask__or(&cpus, &r->cpus_used);
		if (r->wall_ns > 0) {
			out->avg_off_cpu_pct += off;
			out->min_off_cpu_pct =
			    timed == 0 || off < out->min_off_cpu_pct ? off : out->min_off_cpu_pct;
			out->max_off_cpu_pct =
			    off > out->max_off_cpu_pct ? off : out->max_off_cpu_pct;
			timed++;
		}
		if (i == 0 || r->max_gap_ns > max_gap_ns) {
			max_gap_ns = r->max_gap_ns;
			out->max_gap_cpu = r->max_gap_cpu;
		}
		out->total_migrations += r->migrations;
		out->total_iterations += r->iterations;
		delay_sum += delay_us;
		out->worst_run_delay_us =
		    delay_us > out->worst_run_delay_us ? delay_us : out->worst_run_delay_us;
	}
	out->num_cpus = ktstr_cpumask__count(&cpus);
	if (timed > 0) {
		out->avg_off_cpu_pct /= (double)timed;
		out->spread = out->max_off_cpu_pct - out->min_off_cpu_pct;
	}
	out->max_gap_ms = max_gap_ns / 1000000;
	if (out->total_iterations > 0) {
		out->migration_ratio =
		    (double)out->total_migrations / (double)out->total_iterations;
	}
	if (n > 0) {
		out->mean_run_delay_us = delay_sum / (double)n;
		out->iterations_per_worker = (double)out->total_iterations / (double)n;
	}
	return wake_stats(wake_ns, nwake, out);
}

static double max_d(double a, double b)
{
	return a > b ? a : b;
}

/* The lowest value above zero: zero means "not measured". */
static double min_nonzero(double cur, double v)
{
	return v > 0.0 && (cur == 0.0 || v < cur) ? v : cur;
}

void ktstr_stats__scenario(const struct ktstr_cgroup_stats *cg, size_t n,
			   struct ktstr_scenario_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->cgroups = cg;
	out->ncgroups = n;
	out->worst_gap_cpu = -1;
	for (size_t i = 0; i < n; i++) {
		const struct ktstr_cgroup_stats *c = &cg[i];

		out->total_workers += c->num_workers;
		out->total_cpus += c->num_cpus;
		out->total_migrations += c->total_migrations;
		out->total_iterations += c->total_iterations;
		out->worst_spread = max_d(out->worst_spread, c->spread);
		if (c->max_gap_cpu >= 0 &&
		    (out->worst_gap_cpu < 0 || c->max_gap_ms > out->worst_gap_ms)) {
			out->worst_gap_ms = c->max_gap_ms;
			out->worst_gap_cpu = c->max_gap_cpu;
		}
		out->worst_migration_ratio = max_d(out->worst_migration_ratio, c->migration_ratio);
		out->worst_p99_wake_latency_us =
		    max_d(out->worst_p99_wake_latency_us, c->p99_wake_latency_us);
		out->worst_median_wake_latency_us =
		    max_d(out->worst_median_wake_latency_us, c->median_wake_latency_us);
		out->worst_wake_latency_cv = max_d(out->worst_wake_latency_cv, c->wake_latency_cv);
		out->worst_mean_run_delay_us =
		    max_d(out->worst_mean_run_delay_us, c->mean_run_delay_us);
		out->worst_run_delay_us = max_d(out->worst_run_delay_us, c->worst_run_delay_us);
		out->worst_page_locality = min_nonzero(out->worst_page_locality, c->page_locality);
		out->worst_cross_node_migration_ratio =
		    max_d(out->worst_cross_node_migration_ratio, c->cross_node_migration_ratio);
		out->worst_wake_latency_tail_ratio =
		    max_d(out->worst_wake_latency_tail_ratio, c->wake_latency_tail_ratio);
		out->worst_iterations_per_worker =
		    min_nonzero(out->worst_iterations_per_worker, c->iterations_per_worker);
	}
}
