#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "checks.h"

#define MS 1000000ull

/* The spec's defaults: the three starvation keys on, every other limit off. */
static const struct ktstr_spec_checks limits = {
    .not_starved = true,
    .max_gap_ms = 2000,
    .max_spread_pct = 15.0,
    .max_throughput_cv = INFINITY,
    .max_p99_wake_latency_ns = INFINITY,
    .max_median_wake_latency_ns = INFINITY,
    .max_wake_latency_cv = INFINITY,
    .max_migration_ratio = INFINITY,
    .max_run_delay_us = INFINITY,
};

/* Two workers with off-CPU 10% and 10 + spread %, 1 s wall each. */
static void pair(struct ktstr_worker_report r[2], double spread)
{
	memset(r, 0, 2 * sizeof(*r));
	for (int i = 0; i < 2; i++) {
		r[i].pid = 100 + i;
		r[i].iterations = 10;
		r[i].work_units = 10240;
		r[i].wall_ns = 1000 * MS;
		r[i].max_gap_cpu = i;
	}
	r[0].cpu_ns = 900 * MS;
	r[1].cpu_ns = (uint64_t)((900.0 - spread * 10.0) * (double)MS);
}

/* Run the checks; return the verdict's detail count. */
static size_t check(const struct ktstr_spec_checks *lim, struct ktstr_worker_report *r, size_t n,
		    struct ktstr_verdict *v)
{
	struct ktstr_cgroup_stats st;

	assert_int_equal(ktstr_stats__cgroup(r, n, NULL, 0, &st), 0);
	ktstr_verdict__init(v);
	assert_int_equal(ktstr_checks__cgroup(lim, "cg_0", r, n, &st, v), 0);
	assert_int_equal(v->passed, v->n == 0);
	return v->n;
}

static void spread_boundary(void **state)
{
	struct ktstr_worker_report r[2];
	struct ktstr_verdict v;

	(void)state;
	pair(r, 15.0); /* exactly at the limit: passes */
	assert_int_equal(check(&limits, r, 2, &v), 0);
	ktstr_verdict__release(&v);
	pair(r, 15.1);
	assert_int_equal(check(&limits, r, 2, &v), 1);
	assert_int_equal(v.details[0].kind, KTSTR_DETAIL_UNFAIR);
	assert_string_equal(v.details[0].message, "cg_0: off-CPU spread 15.10% (min 10.00%, max "
						  "25.10%) over 2 workers exceeds 15.00%");
	ktstr_verdict__release(&v);
	/* One worker with wall time cannot be unfair. */
	pair(r, 50.0);
	r[0].wall_ns = 0;
	r[0].cpu_ns = 0;
	assert_int_equal(check(&limits, r, 2, &v), 0);
	ktstr_verdict__release(&v);
	assert_int_equal(check(&limits, r + 1, 1, &v), 0);
	ktstr_verdict__release(&v);
}

static void gap_boundary(void **state)
{
	struct ktstr_worker_report r[2];
	struct ktstr_verdict v;

	(void)state;
	pair(r, 0.0);
	r[1].max_gap_ns = 2000 * MS + 999999; /* 2000 ms after truncation: passes */
	assert_int_equal(check(&limits, r, 2, &v), 0);
	ktstr_verdict__release(&v);
	r[1].max_gap_ns = 2001 * MS;
	r[1].max_gap_at_ns = 1234 * MS + 5;
	assert_int_equal(check(&limits, r, 2, &v), 1);
	assert_int_equal(v.details[0].kind, KTSTR_DETAIL_STUCK);
	assert_string_equal(v.details[0].message, "cg_0: tid 101 stuck 2001ms on cpu1 at +1234ms");
	assert_string_equal(ktstr_detail_kind__name(v.details[0].kind), "Stuck");
	ktstr_verdict__release(&v);
}

static void starved(void **state)
{
	struct ktstr_worker_report r[2];
	struct ktstr_verdict v;

	(void)state;
	pair(r, 0.0);
	r[0].work_units = 1; /* one unit of work is not starvation */
	assert_int_equal(check(&limits, r, 2, &v), 0);
	ktstr_verdict__release(&v);
	r[0].work_units = 0;
	assert_int_equal(check(&limits, r, 2, &v), 1);
	assert_int_equal(v.details[0].kind, KTSTR_DETAIL_STARVED);
	assert_string_equal(v.details[0].message, "cg_0: tid 100 starved (0 work units)");
	ktstr_verdict__release(&v);
}

static void all_fail_and_disabled(void **state)
{
	struct ktstr_spec_checks off = limits;
	struct ktstr_worker_report r[2];
	struct ktstr_verdict v;

	(void)state;
	pair(r, 40.0);
	r[0].work_units = 0;
	r[0].max_gap_ns = 5000 * MS;
	assert_int_equal(check(&limits, r, 2, &v), 3);
	assert_int_equal(v.details[0].kind, KTSTR_DETAIL_STARVED);
	assert_int_equal(v.details[1].kind, KTSTR_DETAIL_STUCK);
	assert_int_equal(v.details[2].kind, KTSTR_DETAIL_UNFAIR);
	ktstr_verdict__release(&v);
	/* Upstream: the limits apply only with not_starved. */
	off.not_starved = false;
	assert_int_equal(check(&off, r, 2, &v), 0);
	ktstr_verdict__release(&v);
}

static void verdict(void **state)
{
	struct ktstr_verdict v;

	(void)state;
	ktstr_verdict__init(&v);
	assert_true(v.passed);
	assert_false(v.skipped);
	for (int i = 0; i < 9; i++) { /* past the initial capacity */
		assert_int_equal(ktstr_verdict__fail(&v, KTSTR_DETAIL_OTHER, "n=%d", i), 0);
	}
	assert_false(v.passed);
	assert_int_equal(v.n, 9);
	assert_string_equal(v.details[8].message, "n=8");
	assert_string_equal(ktstr_detail_kind__name(KTSTR_DETAIL_OTHER), "Other");
	assert_string_equal(ktstr_detail_kind__name(KTSTR_DETAIL_TOPOLOGY), "Topology");
	assert_string_equal(ktstr_detail_kind__name(KTSTR_DETAIL_SCHEDULER_DIED), "SchedulerDied");
	assert_string_equal(ktstr_detail_kind__name(KTSTR_DETAIL_STARVED), "Starved");
	assert_string_equal(ktstr_detail_kind__name(KTSTR_DETAIL_UNFAIR), "Unfair");
	ktstr_verdict__release(&v);
	assert_true(v.passed);
	assert_int_equal(v.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(spread_boundary), cmocka_unit_test(gap_boundary),
	    cmocka_unit_test(starved),	       cmocka_unit_test(all_fail_and_disabled),
	    cmocka_unit_test(verdict),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
