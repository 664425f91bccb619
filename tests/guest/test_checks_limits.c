/* Every optional check at its boundary, isolation, worker sets, timing scale, verdict skip/merge.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "checks.h"

#define MS 1000000ull

/* Two healthy workers: 1 s wall, 0.9 s CPU, 1000 units, 100 iterations, 2 migrations. */
static void pair(struct ktstr_worker_report r[2])
{
	memset(r, 0, 2 * sizeof(*r));
	for (int i = 0; i < 2; i++) {
		r[i].pid = 100 + i;
		r[i].work_units = 900;
		r[i].iterations = 100;
		r[i].wall_ns = 1000 * MS;
		r[i].cpu_ns = 900 * MS;
		r[i].migrations = 2;
		r[i].run_delay_ns = 500000; /* 500 us */
		ktstr_cpumask__set(&r[i].cpus_used, (unsigned)i);
	}
}

/* Only @p set's limit on: defaults with not_starved off. */
static struct ktstr_check_limits only(void)
{
	struct ktstr_check_limits l;

	ktstr_check_limits__defaults(&l);
	l.not_starved = false;
	return l;
}

static size_t run(const struct ktstr_check_limits *l, const struct ktstr_worker_report *r, size_t n,
		  const uint64_t *wake, size_t nwake, struct ktstr_verdict *v)
{
	struct ktstr_cgroup_stats st;

	assert_int_equal(ktstr_stats__cgroup(r, n, wake, nwake, &st), 0);
	ktstr_verdict__init(v);
	assert_int_equal(ktstr_checks__group(l, "cg_0", r, n, &st, NULL, v), 0);
	assert_int_equal(v->passed, v->n == 0);
	return v->n;
}

/* At the limit passes, just past it fails with @p kind and @p msg. */
static void boundary(const struct ktstr_check_limits *at, const struct ktstr_check_limits *past,
		     const struct ktstr_worker_report *r, size_t n, const uint64_t *wake,
		     size_t nwake, enum ktstr_detail_kind kind, const char *msg)
{
	struct ktstr_verdict v;

	assert_int_equal(run(at, r, n, wake, nwake, &v), 0);
	ktstr_verdict__release(&v);
	assert_int_equal(run(past, r, n, wake, nwake, &v), 1);
	assert_int_equal(v.details[0].kind, kind);
	assert_string_equal(v.details[0].message, msg);
	ktstr_verdict__release(&v);
}

static void defaults(void **state)
{
	struct ktstr_check_limits l;
	struct ktstr_worker_report r[2];
	struct ktstr_verdict v;

	(void)state;
	ktstr_check_limits__defaults(&l);
	assert_true(l.not_starved);
	assert_false(l.isolation);
	assert_int_equal(l.max_gap_ms, 2000);
	assert_true(l.max_spread_pct == 15.0);
	assert_true(isinf(l.max_throughput_cv) && l.min_work_rate == 0.0);
	assert_true(isinf(l.max_p99_wake_latency_ns) && isinf(l.max_median_wake_latency_ns));
	assert_true(isinf(l.max_wake_latency_cv) && l.min_iteration_rate == 0.0);
	assert_true(isinf(l.max_migration_ratio) && isinf(l.max_run_delay_us));
	/* Extreme but healthy-looking values pass every default. */
	pair(r);
	r[0].run_delay_ns = UINT64_MAX / 2;
	r[0].migrations = 1000000;
	assert_int_equal(run(&l, r, 2, NULL, 0, &v), 0);
	ktstr_verdict__release(&v);
}

/* Every spec key reaches the limits. */
static void from_spec(void **state)
{
	const struct ktstr_spec_checks c = {
	    .not_starved = false,
	    .isolation = true,
	    .max_gap_ms = 1,
	    .max_spread_pct = 2,
	    .max_throughput_cv = 3,
	    .min_work_rate = 4,
	    .max_p99_wake_latency_ns = 5,
	    .max_median_wake_latency_ns = 6,
	    .max_wake_latency_cv = 7,
	    .min_iteration_rate = 8,
	    .max_migration_ratio = 9,
	    .max_run_delay_us = 10,
	};
	struct ktstr_check_limits l;

	(void)state;
	ktstr_check_limits__from_spec(&c, &l);
	assert_false(l.not_starved);
	assert_true(l.isolation);
	assert_int_equal(l.max_gap_ms, 1);
	assert_true(l.max_spread_pct == 2 && l.max_throughput_cv == 3 && l.min_work_rate == 4);
	assert_true(l.max_p99_wake_latency_ns == 5 && l.max_median_wake_latency_ns == 6);
	assert_true(l.max_wake_latency_cv == 7 && l.min_iteration_rate == 8);
	assert_true(l.max_migration_ratio == 9 && l.max_run_delay_us == 10);
}

static void throughput(void **state)
{
	struct ktstr_check_limits at = only(), past = only();
	struct ktstr_worker_report r[2];

	(void)state;
	pair(r);
	r[1].work_units = 1800;
	/* 900 units / 0.9 cpu-s = 1000 per cpu-second (worker 1: 2000). */
	at.min_work_rate = 1000.0;
	past.min_work_rate = 1000.5;
	boundary(&at, &past, r, 2, NULL, 0, KTSTR_DETAIL_BENCHMARK,
		 "cg_0: tid 100 work rate 1000.0 units/cpu-s below 1000.5");
	/* Rates 1000 and 3000: mean 2000, population sd 1000, CV 0.5. */
	r[1].work_units = 2700;
	at = only();
	past = only();
	at.max_throughput_cv = 0.5;
	past.max_throughput_cv = 0.499;
	boundary(&at, &past, r, 2, NULL, 0, KTSTR_DETAIL_BENCHMARK,
		 "cg_0: throughput CV 0.500 over 2 workers exceeds 0.499");
	/* One worker has no CV. */
	struct ktstr_verdict v;

	assert_int_equal(run(&past, r, 1, NULL, 0, &v), 0);
	ktstr_verdict__release(&v);
}

static void wake_latency(void **state)
{
	struct ktstr_check_limits at = only(), past = only();
	struct ktstr_worker_report r[2];
	uint64_t wake[100];

	(void)state;
	pair(r);
	for (int i = 0; i < 100; i++) {
		wake[i] = (uint64_t)(i + 1) * 1000; /* 1..100 us */
	}
	/* Nearest-rank p99 of 100 samples is the 99th: 99 us. */
	at.max_p99_wake_latency_ns = 99000;
	past.max_p99_wake_latency_ns = 98999;
	boundary(&at, &past, r, 2, wake, 100, KTSTR_DETAIL_BENCHMARK,
		 "cg_0: p99 wake latency 99000ns exceeds 98999ns");
	/* Median sorted[n/2] = 51 us. */
	at = only();
	past = only();
	at.max_median_wake_latency_ns = 51000;
	past.max_median_wake_latency_ns = 50999;
	boundary(&at, &past, r, 2, wake, 100, KTSTR_DETAIL_BENCHMARK,
		 "cg_0: median wake latency 51000ns exceeds 50999ns");
	/* Two samples 1 and 3 us: CV 0.5. */
	wake[0] = 1000;
	wake[1] = 3000;
	at = only();
	past = only();
	at.max_wake_latency_cv = 0.5;
	past.max_wake_latency_cv = 0.4999;
	boundary(&at, &past, r, 2, wake, 2, KTSTR_DETAIL_BENCHMARK,
		 "cg_0: wake latency CV 0.500 exceeds 0.500");
}

static void rates_delay_migrations(void **state)
{
	struct ktstr_check_limits at = only(), past = only();
	struct ktstr_worker_report r[2];

	(void)state;
	pair(r);
	r[1].iterations = 200;
	/* 100 iterations in 1 s of wall time (worker 1: 200). */
	at.min_iteration_rate = 100.0;
	past.min_iteration_rate = 100.1;
	boundary(&at, &past, r, 2, NULL, 0, KTSTR_DETAIL_BENCHMARK,
		 "cg_0: tid 100 iteration rate 100.0/s below 100.1/s");
	r[0].run_delay_ns = 400000;
	at = only();
	past = only();
	at.max_run_delay_us = 500.0;
	past.max_run_delay_us = 499.9;
	boundary(&at, &past, r, 2, NULL, 0, KTSTR_DETAIL_BENCHMARK,
		 "cg_0: tid 101 run delay 500.0us exceeds 499.9us");
	/* 4 migrations over 200 iterations. */
	r[1].iterations = 100;
	at = only();
	past = only();
	at.max_migration_ratio = 0.02;
	past.max_migration_ratio = 0.0199;
	boundary(&at, &past, r, 2, NULL, 0, KTSTR_DETAIL_MIGRATION,
		 "cg_0: migration ratio 0.020000 (4 migrations / 200 iterations) exceeds "
		 "0.019900");
}

/* A payload worker is exempt: no units, yet no Starved and no rate failure. */
static void payload_exempt(void **state)
{
	struct ktstr_check_limits l;
	struct ktstr_worker_report r[2];
	struct ktstr_verdict v;

	(void)state;
	ktstr_check_limits__defaults(&l);
	l.min_iteration_rate = 1.0;
	pair(r);
	r[1].flags = KTSTR_REPORT_F_PAYLOAD;
	r[1].work_units = 0;
	r[1].iterations = 0;
	assert_int_equal(run(&l, r, 2, NULL, 0, &v), 0);
	ktstr_verdict__release(&v);
	r[1].flags = 0;
	assert_int_equal(run(&l, r, 2, NULL, 0, &v), 2);
	assert_int_equal(v.details[0].kind, KTSTR_DETAIL_STARVED);
	ktstr_verdict__release(&v);
}

static void isolation(void **state)
{
	struct ktstr_check_limits l = only();
	struct ktstr_worker_report r[2];
	struct ktstr_cgroup_stats st;
	struct ktstr_cpumask cpuset = {{0}}, used;
	struct ktstr_verdict v;

	(void)state;
	pair(r); /* worker 0 on cpu0, worker 1 on cpu1 */
	ktstr_cpumask__set(&cpuset, 0);
	ktstr_cpumask__set(&cpuset, 1);
	ktstr_verdict__init(&v);
	assert_true(ktstr_checks__isolation("cg_0", &cpuset, r, 2, &used, &v));
	assert_int_equal(ktstr_cpumask__count(&used), 2);
	assert_int_equal(v.n, 0);
	for (unsigned c = 4; c <= 7; c++) {
		ktstr_cpumask__set(&r[1].cpus_used, c);
	}
	ktstr_cpumask__set(&r[1].cpus_used, 9);
	assert_false(ktstr_checks__isolation("cg_0", &cpuset, r, 2, &used, &v));
	assert_int_equal(v.n, 1);
	assert_int_equal(v.details[0].kind, KTSTR_DETAIL_ISOLATION);
	assert_string_equal(v.details[0].message, "cg_0: tid 101 ran on unexpected CPUs {4-7,9}");
	assert_int_equal(ktstr_cpumask__count(&used), 7);
	ktstr_verdict__release(&v);
	/* Through the group checks: only when isolation is on and a cpuset is given. */
	assert_int_equal(ktstr_stats__cgroup(r, 2, NULL, 0, &st), 0);
	assert_int_equal(ktstr_checks__group(&l, "cg_0", r, 2, &st, &cpuset, &v), 0);
	assert_int_equal(v.n, 0);
	l.isolation = true;
	assert_int_equal(ktstr_checks__group(&l, "cg_0", r, 2, &st, NULL, &v), 0);
	assert_int_equal(v.n, 0);
	assert_int_equal(ktstr_checks__group(&l, "cg_0", r, 2, &st, &cpuset, &v), 0);
	assert_int_equal(v.n, 1);
	ktstr_verdict__release(&v);
}

/* A set with one reported and one unreported worker. */
static void worker_set(void **state)
{
	struct ktstr_worker w[2];
	struct ktstr_worker_report r[2];
	struct ktstr_worker_set ws = {.w = w, .n = 2};
	struct ktstr_check_limits l;
	struct ktstr_cgroup_stats st;
	struct ktstr_verdict v;

	(void)state;
	memset(w, 0, sizeof(w));
	pair(r);
	w[0].rep = r[0];
	w[0].reported = w[0].reaped = true;
	w[0].pid = 100;
	w[1].pid = 777;
	w[1].reaped = true;
	w[1].status = 9; /* killed by SIGKILL */
	ktstr_check_limits__defaults(&l);
	ktstr_verdict__init(&v);
	assert_int_equal(ktstr_checks__worker_set(&l, "cg_0", &ws, NULL, &st, &v), 0);
	assert_int_equal(st.num_workers, 1);
	assert_int_equal(v.n, 1);
	assert_int_equal(v.details[0].kind, KTSTR_DETAIL_STARVED);
	assert_string_equal(v.details[0].message,
			    "cg_0: tid 777 sent no report: killed by signal 9 (Killed)");
	ktstr_verdict__release(&v);
	w[1].timed_out = true;
	assert_int_equal(ktstr_checks__worker_set(&l, "cg_0", &ws, NULL, &st, &v), 0);
	assert_string_equal(v.details[0].message, "cg_0: tid 777 sent no report: timed out: no "
						  "report by the collect deadline, killed");
	ktstr_verdict__release(&v);
}

static void scale(void **state)
{
	struct ktstr_check_limits l;

	(void)state;
	assert_true(ktstr_timing__scale_of(1.0) == 1.0);
	assert_true(ktstr_timing__scale_of(NAN) == 1.0);
	assert_true(fabs(ktstr_timing__scale_of(KTSTR_TIMING_NATIVE_NS_PER_ROUND * 4) - 4.0) <
		    1e-9);
	assert_true(ktstr_timing__scale_of(1e9) == KTSTR_TIMING_MAX_SCALE);
	assert_true(ktstr_timing__calibrate(false) == 1.0);
	double s = ktstr_timing__calibrate(true);

	assert_true(s >= 1.0 && s <= KTSTR_TIMING_MAX_SCALE);

	ktstr_check_limits__defaults(&l);
	l.max_p99_wake_latency_ns = 1000;
	l.min_work_rate = 100;
	l.min_iteration_rate = 10;
	l.max_run_delay_us = 50;
	l.max_throughput_cv = 0.1;
	ktstr_check_limits__scale(&l, 4.0);
	assert_int_equal(l.max_gap_ms, 8000);
	assert_true(l.max_p99_wake_latency_ns == 4000 && isinf(l.max_median_wake_latency_ns));
	assert_true(l.min_work_rate == 25 && l.min_iteration_rate == 2.5);
	assert_true(l.max_run_delay_us == 200);
	/* spread: at least upstream's debug-build 35% under emulation */
	assert_true(l.max_throughput_cv == 0.1 && l.max_spread_pct == 35.0);
	{
		struct ktstr_check_limits wide;

		ktstr_check_limits__defaults(&wide);
		wide.max_spread_pct = 50.0; /* a looser limit stays */
		ktstr_check_limits__scale(&wide, 4.0);
		assert_true(wide.max_spread_pct == 50.0);
	}
	l.max_gap_ms = UINT64_MAX;
	ktstr_check_limits__scale(&l, 2.0);
	assert_true(l.max_gap_ms == UINT64_MAX);
	ktstr_check_limits__scale(&l, 0.5); /* below 1: unchanged */
	assert_true(l.max_p99_wake_latency_ns == 8000);

	/* The spec's Checks in place: timing limits move, ratios and switches stay. */
	struct ktstr_spec_checks c = {
	    .not_starved = true,
	    .max_gap_ms = 2000,
	    .max_spread_pct = 15,
	    .max_throughput_cv = 0.2,
	    .min_work_rate = 30,
	    .max_p99_wake_latency_ns = 100,
	    .max_median_wake_latency_ns = INFINITY,
	    .max_wake_latency_cv = 1,
	    .min_iteration_rate = 0,
	    .max_migration_ratio = 0.5,
	    .max_run_delay_us = 7,
	};

	ktstr_checks__scale_spec(&c, 3.0);
	assert_int_equal(c.max_gap_ms, 6000);
	assert_true(c.max_p99_wake_latency_ns == 300 && isinf(c.max_median_wake_latency_ns));
	assert_true(c.min_work_rate == 10 && c.min_iteration_rate == 0);
	assert_true(c.max_run_delay_us == 21);
	assert_true(c.max_spread_pct == 35 && c.max_throughput_cv == 0.2);
	assert_true(c.max_wake_latency_cv == 1 && c.max_migration_ratio == 0.5 && c.not_starved);
}

static void skip_merge(void **state)
{
	struct ktstr_verdict a, b;

	(void)state;
	ktstr_verdict__init(&a);
	ktstr_verdict__init(&b);
	assert_int_equal(ktstr_verdict__skip(&b, "needs %d LLCs", 2), 0);
	assert_true(b.passed && b.skipped);
	assert_string_equal(ktstr_detail_kind__name(b.details[0].kind), "Skip");
	assert_int_equal(ktstr_verdict__fail(&a, KTSTR_DETAIL_STUCK, "x"), 0);
	assert_int_equal(ktstr_verdict__merge(&a, &b), 0);
	assert_false(a.passed);
	assert_false(a.skipped);
	assert_int_equal(a.n, 2);
	assert_string_equal(a.details[1].message, "needs 2 LLCs");
	assert_int_equal(b.n, 0);
	assert_true(b.passed);
	ktstr_verdict__release(&a);
	/* skip merged into skip stays skipped */
	ktstr_verdict__skip(&a, "a");
	ktstr_verdict__skip(&b, "b");
	assert_int_equal(ktstr_verdict__merge(&a, &b), 0);
	assert_true(a.passed && a.skipped);
	ktstr_verdict__release(&a);
	ktstr_verdict__release(&b);
	assert_string_equal(ktstr_detail_kind__name(KTSTR_DETAIL_ISOLATION), "Isolation");
	assert_string_equal(ktstr_detail_kind__name(KTSTR_DETAIL_BENCHMARK), "Benchmark");
	assert_string_equal(ktstr_detail_kind__name(KTSTR_DETAIL_MIGRATION), "Migration");
	assert_string_equal(ktstr_detail_kind__name(KTSTR_DETAIL_SCHEDULER_ERROR),
			    "SchedulerError");
	assert_string_equal(ktstr_detail_kind__name(KTSTR_DETAIL_NOT_ATTACHED), "NotAttached");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults),
	    cmocka_unit_test(from_spec),
	    cmocka_unit_test(throughput),
	    cmocka_unit_test(wake_latency),
	    cmocka_unit_test(rates_delay_migrations),
	    cmocka_unit_test(payload_exempt),
	    cmocka_unit_test(isolation),
	    cmocka_unit_test(worker_set),
	    cmocka_unit_test(scale),
	    cmocka_unit_test(skip_merge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
