#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "stats.h"

#define MS 1000000ull

static void assert_near(double got, double want)
{
	if (fabs(got - want) > 1e-9 * (fabs(want) + 1.0)) {
		fail_msg("got %.12g, want %.12g", got, want);
	}
}

static struct ktstr_worker_report rep(int pid, uint64_t iters, uint64_t cpu, uint64_t wall)
{
	struct ktstr_worker_report r;

	memset(&r, 0, sizeof(r));
	r.magic = KTSTR_REPORT_MAGIC;
	r.pid = pid;
	r.iterations = iters;
	r.cpu_ns = cpu;
	r.wall_ns = wall;
	r.max_gap_cpu = -1;
	return r;
}

static void percentiles(void **state)
{
	double v[200];

	(void)state;
	for (int i = 0; i < 200; i++) {
		v[i] = i + 1; /* 1..200 */
	}
	assert_near(ktstr_stats__p99(v, 0), 0.0);
	assert_near(ktstr_stats__p99(v, 1), 1.0);
	assert_near(ktstr_stats__p99(v, 2), 2.0);     /* ceil(1.98) = 2 */
	assert_near(ktstr_stats__p99(v, 100), 99.0);  /* ceil(99) = 99, exact */
	assert_near(ktstr_stats__p99(v, 101), 100.0); /* ceil(99.99) = 100 */
	assert_near(ktstr_stats__p99(v, 200), 198.0);
	assert_near(ktstr_stats__median(v, 0), 0.0);
	assert_near(ktstr_stats__median(v, 1), 1.0);
	assert_near(ktstr_stats__median(v, 2), 2.0); /* sorted[n/2], upper middle */
	assert_near(ktstr_stats__median(v, 5), 3.0);
}

static void cv(void **state)
{
	const double same[] = {4, 4, 4}, two[] = {1, 3}, zero[] = {0, 0};
	const double four[] = {2, 4, 4, 4, 5, 5, 7, 9}; /* mean 5, population sd 2 */

	(void)state;
	assert_near(ktstr_stats__cv(same, 0), 0.0);
	assert_near(ktstr_stats__cv(same, 3), 0.0);
	assert_near(ktstr_stats__cv(two, 2), 0.5);
	assert_near(ktstr_stats__cv(four, 8), 0.4);
	assert_near(ktstr_stats__cv(zero, 2), 0.0);
}

static void off_cpu(void **state)
{
	struct ktstr_worker_report r = rep(1, 1, 750, 1000);

	(void)state;
	assert_near(ktstr_stats__off_cpu_pct(&r), 25.0);
	r.cpu_ns = 1000;
	assert_near(ktstr_stats__off_cpu_pct(&r), 0.0);
	r.cpu_ns = 1200; /* clock granularity: never negative */
	assert_near(ktstr_stats__off_cpu_pct(&r), 0.0);
	r.wall_ns = 0;
	assert_near(ktstr_stats__off_cpu_pct(&r), 0.0);
}

static void cgroup(void **state)
{
	struct ktstr_worker_report r[3] = {
	    rep(10, 1000, 900 * MS, 1000 * MS), /* 10% off */
	    rep(11, 3000, 700 * MS, 1000 * MS), /* 30% off */
	    rep(12, 0, 0, 0),			/* no wall time: not in off-CPU stats */
	};
	const uint64_t wake[] = {3000, 1000, 2000, 4000};
	struct ktstr_cgroup_stats st;

	(void)state;
	r[0].max_gap_ns = 15 * MS + 999999;
	r[0].max_gap_cpu = 1;
	r[1].max_gap_ns = 40 * MS;
	r[1].max_gap_cpu = 3;
	r[0].migrations = 2;
	r[1].migrations = 6;
	r[0].run_delay_ns = 1000;
	r[1].run_delay_ns = 5000;
	ktstr_cpumask__set(&r[0].cpus_used, 0);
	ktstr_cpumask__set(&r[0].cpus_used, 1);
	ktstr_cpumask__set(&r[1].cpus_used, 1);
	ktstr_cpumask__set(&r[1].cpus_used, 3);
	assert_int_equal(ktstr_stats__cgroup(r, 3, wake, 4, &st), 0);
	assert_int_equal(st.num_workers, 3);
	assert_int_equal(st.num_cpus, 3);
	assert_near(st.avg_off_cpu_pct, 20.0);
	assert_near(st.min_off_cpu_pct, 10.0);
	assert_near(st.max_off_cpu_pct, 30.0);
	assert_near(st.spread, 20.0);
	assert_int_equal(st.max_gap_ms, 40);
	assert_int_equal(st.max_gap_cpu, 3);
	assert_int_equal(st.total_migrations, 8);
	assert_int_equal(st.total_iterations, 4000);
	assert_near(st.migration_ratio, 8.0 / 4000.0);
	assert_near(st.mean_run_delay_us, 2.0);
	assert_near(st.worst_run_delay_us, 5.0);
	assert_near(st.iterations_per_worker, 4000.0 / 3.0);
	/* wake latencies 1..4 us: p99 = 4, median = sorted[2] = 3 */
	assert_near(st.p99_wake_latency_us, 4.0);
	assert_near(st.median_wake_latency_us, 3.0);
	assert_near(st.wake_latency_tail_ratio, 4.0 / 3.0);
	assert_near(st.wake_latency_cv, sqrt(1.25) / 2.5);
	assert_near(st.page_locality, 0.0);

	/* Truncation to whole ms, no samples, no workers. */
	assert_int_equal(ktstr_stats__cgroup(r, 1, NULL, 0, &st), 0);
	assert_int_equal(st.max_gap_ms, 15);
	assert_int_equal(st.max_gap_cpu, 1);
	assert_near(st.spread, 0.0);
	assert_near(st.p99_wake_latency_us, 0.0);
	assert_near(st.wake_latency_tail_ratio, 0.0);
	assert_int_equal(ktstr_stats__cgroup(NULL, 0, NULL, 0, &st), 0);
	assert_int_equal(st.num_workers, 0);
	assert_int_equal(st.max_gap_cpu, -1);
	assert_near(st.iterations_per_worker, 0.0);
	assert_near(st.migration_ratio, 0.0);
}

static void scenario(void **state)
{
	struct ktstr_cgroup_stats cg[3];
	struct ktstr_scenario_stats s;

	(void)state;
	memset(cg, 0, sizeof(cg));
	cg[0] = (struct ktstr_cgroup_stats){.num_workers = 2,
					    .num_cpus = 2,
					    .spread = 5.0,
					    .max_gap_ms = 30,
					    .max_gap_cpu = 1,
					    .total_migrations = 4,
					    .migration_ratio = 0.1,
					    .total_iterations = 100,
					    .mean_run_delay_us = 7.0,
					    .worst_run_delay_us = 9.0,
					    .page_locality = 0.0,
					    .iterations_per_worker = 50.0};
	cg[1] = (struct ktstr_cgroup_stats){.num_workers = 3,
					    .num_cpus = 1,
					    .spread = 2.0,
					    .max_gap_ms = 80,
					    .max_gap_cpu = 2,
					    .total_migrations = 1,
					    .migration_ratio = 0.3,
					    .total_iterations = 60,
					    .mean_run_delay_us = 3.0,
					    .worst_run_delay_us = 11.0,
					    .page_locality = 0.8,
					    .iterations_per_worker = 20.0};
	cg[2] = (struct ktstr_cgroup_stats){.max_gap_cpu = -1}; /* no reports */
	ktstr_stats__scenario(cg, 3, &s);
	assert_ptr_equal(s.cgroups, cg);
	assert_int_equal(s.ncgroups, 3);
	assert_int_equal(s.total_workers, 5);
	assert_int_equal(s.total_cpus, 3);
	assert_int_equal(s.total_migrations, 5);
	assert_int_equal(s.total_iterations, 160);
	assert_near(s.worst_spread, 5.0);
	assert_int_equal(s.worst_gap_ms, 80);
	assert_int_equal(s.worst_gap_cpu, 2);
	assert_near(s.worst_migration_ratio, 0.3);
	assert_near(s.worst_mean_run_delay_us, 7.0);
	assert_near(s.worst_run_delay_us, 11.0);
	assert_near(s.worst_page_locality, 0.8);	  /* lowest non-zero */
	assert_near(s.worst_iterations_per_worker, 20.0); /* lowest non-zero */
	ktstr_stats__scenario(NULL, 0, &s);
	assert_int_equal(s.total_workers, 0);
	assert_int_equal(s.worst_gap_cpu, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(percentiles), cmocka_unit_test(cv),       cmocka_unit_test(off_cpu),
	    cmocka_unit_test(cgroup),	   cmocka_unit_test(scenario),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
