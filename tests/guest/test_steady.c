#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fixture.h"
#include "scenario.h"

/*
 * The whole steady scenario on the host: a plain directory with the
 * interface files pre-created stands in for cgroupfs, so "moving" a worker
 * writes its pid into a file and the final rmdir fails (reported on stderr).
 */
static void fake_cgroupfs(const char *dir)
{
	fx_write(dir, "cgroup.subtree_control", "");
	fx_write(dir, "cgroup.procs", "");
	fx_write(dir, "ktstr/cgroup.subtree_control", "");
	fx_write(dir, "ktstr/cg_0/cgroup.procs", "");
	fx_write(dir, "ktstr/cg_1/cgroup.procs", "");
}

static struct ktstr_spec spec(uint64_t duration_ms, uint32_t workers)
{
	return (struct ktstr_spec){
	    .test_name = "t",
	    .scenario = "steady",
	    .duration_ms = duration_ms,
	    .workers_per_cgroup = workers,
	    .settle_ms = 20,
	    /* The host is shared: only starvation is checked here. */
	    .checks = {.not_starved = true, .max_gap_ms = 60000, .max_spread_pct = 100.0},
	};
}

static void runs_on_fake_cgroupfs(void **state)
{
	struct ktstr_spec sp = spec(200, 2);
	struct ktstr_scenario_out out;
	char dir[PATH_MAX], buf[64];
	struct ktstr_scenario_env env = {.spec = &sp, .cgroup_root = dir};
	const struct ktstr_scenario *sc = ktstr_scenario__find("steady");
	char *end;

	(void)state;
	assert_non_null(sc);
	assert_null(ktstr_scenario__find("nope"));
	assert_string_equal(ktstr_scenario__names(), "steady");
	fx_mkdtemp(dir, sizeof(dir));
	fake_cgroupfs(dir);
	ktstr_scenario_out__init(&out);
	assert_int_equal(sc->run(&env, &out), 0);
	for (size_t i = 0; i < out.verdict.n; i++) {
		print_error("detail: %s\n", out.verdict.details[i].message);
	}
	assert_true(out.verdict.passed);
	assert_int_equal(out.ncgroups, 2);
	assert_string_equal(out.cgroup_names[1], "cg_1");
	assert_int_equal(out.nworkers, 4);
	assert_int_equal(out.stats.ncgroups, 2);
	assert_int_equal(out.stats.total_workers, 4);
	assert_int_equal(out.cgroup_stats[0].num_workers, 2);
	assert_true(out.stats.total_iterations > 0);
	assert_string_equal(out.workers[0].cgroup, "cg_0");
	assert_string_equal(out.workers[3].cgroup, "cg_1");
	assert_ptr_equal(out.workers[3].rep, &out.reports[3]);
	for (size_t i = 0; i < out.nworkers; i++) {
		assert_true(out.reports[i].iterations > 0);
		assert_true(out.reports[i].wall_ns > 0);
	}
	/* The last worker moved into cg_1 is one of cg_1's reports. */
	fx_read(dir, "ktstr/cg_1/cgroup.procs", buf, sizeof(buf));
	assert_true(strtol(buf, &end, 10) == out.reports[3].pid ||
		    strtol(buf, &end, 10) == out.reports[2].pid);
	ktstr_scenario_out__release(&out);
	assert_int_equal(out.nworkers, 0);
	assert_true(out.verdict.passed);
	fx_rmtree(dir);
}

/* No cgroupfs at all: an Other detail, no workers, zeroed stats. */
static void no_cgroupfs(void **state)
{
	struct ktstr_spec sp = spec(100, 1);
	struct ktstr_scenario_out out;
	char dir[PATH_MAX];
	struct ktstr_scenario_env env = {.spec = &sp, .cgroup_root = dir};

	(void)state;
	fx_mkdtemp(dir, sizeof(dir));
	ktstr_scenario_out__init(&out);
	assert_int_equal(ktstr_scenario__steady(&env, &out), 0);
	assert_false(out.verdict.passed);
	assert_int_equal(out.verdict.n, 1);
	assert_int_equal(out.verdict.details[0].kind, KTSTR_DETAIL_OTHER);
	assert_non_null(strstr(out.verdict.details[0].message,
			       "cgroup setup: cannot write '+cpuset +cpu' to "));
	assert_int_equal(out.nworkers, 0);
	assert_int_equal(out.stats.ncgroups, 2);
	assert_int_equal(out.stats.total_workers, 0);
	assert_int_equal(out.stats.worst_gap_cpu, -1);
	ktstr_scenario_out__release(&out);
	fx_rmtree(dir);
}

/* A cgroup that cannot take workers: the spawned ones are cleaned up. */
static void move_fails(void **state)
{
	struct ktstr_spec sp = spec(100, 2);
	struct ktstr_scenario_out out;
	char dir[PATH_MAX];
	struct ktstr_scenario_env env = {.spec = &sp, .cgroup_root = dir};

	(void)state;
	fx_mkdtemp(dir, sizeof(dir));
	fx_write(dir, "cgroup.subtree_control", "");
	fx_write(dir, "ktstr/cgroup.subtree_control", "");
	fx_write(dir, "ktstr/cg_0/cgroup.procs", "");
	fx_mkparents(dir, "ktstr/cg_1/");
	ktstr_scenario_out__init(&out);
	assert_int_equal(ktstr_scenario__steady(&env, &out), 0);
	assert_false(out.verdict.passed);
	assert_int_equal(out.verdict.n, 1);
	assert_non_null(strstr(out.verdict.details[0].message, "worker setup: cannot move pid "));
	assert_non_null(strstr(out.verdict.details[0].message, "/ktstr/cg_1: No such file"));
	assert_int_equal(out.nworkers, 0);
	ktstr_scenario_out__release(&out);
	fx_rmtree(dir);
}

/* A scheduler that dies during settle: SchedulerDied, no workers. */
static void scheduler_dies(void **state)
{
	char *const argv[] = {"/bin/sh", "-c", "exit 7", NULL};
	struct ktstr_spec sp = spec(100, 1);
	struct ktstr_scenario_out out;
	struct ktstr_sched sched;
	char dir[PATH_MAX], log[PATH_MAX + 16], err[256];
	struct ktstr_scenario_env env = {.spec = &sp, .cgroup_root = dir, .sched = &sched};

	(void)state;
	fx_mkdtemp(dir, sizeof(dir));
	fake_cgroupfs(dir);
	snprintf(log, sizeof(log), "%s/sched.log", dir);
	sp.settle_ms = 3000;
	assert_int_equal(ktstr_sched__start(&sched, argv, log, err, sizeof(err)), 0);
	ktstr_scenario_out__init(&out);
	assert_int_equal(ktstr_scenario__steady(&env, &out), 0);
	assert_false(out.verdict.passed);
	assert_int_equal(out.verdict.n, 1);
	assert_int_equal(out.verdict.details[0].kind, KTSTR_DETAIL_SCHEDULER_DIED);
	assert_string_equal(out.verdict.details[0].message,
			    "scheduler process died during settle (exit status 7)");
	assert_int_equal(out.nworkers, 0);
	ktstr_scenario_out__release(&out);
	fx_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(runs_on_fake_cgroupfs),
	    cmocka_unit_test(no_cgroupfs),
	    cmocka_unit_test(move_fails),
	    cmocka_unit_test(scheduler_dies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
