/*
 * The scenario engine end to end against a fake cgroup tree (a plain
 * directory with the interface files pre-created) and a hand-made topology;
 * real CpuSpin workers run for a few hundred milliseconds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_topo.h"
#include "fixture.h"
#include "scenario.h"

#define HEAD                                                                                       \
	"{\"version\":2,\"test_name\":\"t\",\"duration_ms\":300,\"settle_ms\":0,"                  \
	"\"workers_per_cgroup\":2,\"checks\":{\"not_starved\":false},"                             \
	"\"topology\":{\"numa_nodes\":1,\"llcs\":2,\"cores\":2,\"threads\":1},\"scenario\":"

struct fx {
	char dir[PATH_MAX];
	struct ktstr_guest_topo topo;
	struct ktstr_spec spec;
	struct ktstr_scenario_out out;
	unsigned nstim;
};

/* Interface files of a cgroup; cgroupfs makes them, a plain directory needs them written. */
static void fake_cgroup(const char *dir, const char *name)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "ktstr/%s/cgroup.procs", name);
	fx_write(dir, rel, "");
	snprintf(rel, sizeof(rel), "ktstr/%s/cgroup.subtree_control", name);
	fx_write(dir, rel, "");
	snprintf(rel, sizeof(rel), "ktstr/%s/cpuset.cpus", name);
	fx_write(dir, rel, "");
}

static void on_stimulus(const struct ktstr_result_stimulus *ev, void *arg)
{
	struct fx *f = arg;

	assert_int_equal(ev->step_index, f->nstim);
	f->nstim++;
}

/* Run HEAD + @p scenario in a fresh tree holding @p cgroups (NULL-ended), under @p sched. */
static void run_sched(struct fx *f, const char *scenario, const char *const *cgroups,
		      struct ktstr_sched *sched)
{
	struct ktstr_scenario_env env = {.spec = &f->spec,
					 .topo = &f->topo,
					 .sched = sched,
					 .sys_root = "/nonexistent",
					 .kmsg_path = "/nonexistent",
					 .on_stimulus = on_stimulus,
					 .arg = f};
	char text[4096], err[512] = "";

	memset(f, 0, sizeof(*f));
	fx_mkdtemp(f->dir, sizeof(f->dir));
	fx_write(f->dir, "cgroup.subtree_control", "");
	fx_write(f->dir, "cgroup.procs", "");
	fx_write(f->dir, "ktstr/cgroup.subtree_control", "");
	for (size_t i = 0; cgroups[i] != NULL; i++) {
		fake_cgroup(f->dir, cgroups[i]);
	}
	fake_topo(&f->topo, 4, 2, 2); /* usable 0-2; LLCs 0-1, 2-3 */
	snprintf(text, sizeof(text), HEAD "%s}", scenario);
	if (ktstr_spec__parse(text, strlen(text), "test.json", &f->spec, err, sizeof(err)) != 0) {
		fail_msg("%s", err);
	}
	env.cgroup_root = f->dir;
	ktstr_scenario_out__init(&f->out);
	assert_int_equal(ktstr_scenario__run(&env, &f->out), 0);
}

static void run(struct fx *f, const char *scenario, const char *const *cgroups)
{
	run_sched(f, scenario, cgroups, NULL);
}

static void done(struct fx *f)
{
	ktstr_scenario_out__release(&f->out);
	ktstr_spec__release(&f->spec);
	fake_topo_release(&f->topo);
	fx_rmtree(f->dir);
}

static const char *detail(const struct ktstr_verdict *v, size_t i)
{
	return i < v->n ? v->details[i].message : "(none)";
}

static void steady(void **state)
{
	static const char *const cgroups[] = {"cg_0", "cg_1", NULL};
	struct fx f;
	char buf[64];

	(void)state;
	run(&f,
	    "{\"name\":\"steady\",\"steps\":[{\"hold\":{\"frac\":1.0},\"cgroups\":[{\"name\":"
	    "\"cg_0\"},{\"name\":\"cg_1\",\"works\":[]}]}]}",
	    cgroups);
	if (!f.out.verdict.passed) {
		fail_msg("%s", detail(&f.out.verdict, 0));
	}
	assert_false(f.out.verdict.skipped);
	assert_int_equal(f.out.ngroups, 2);
	assert_string_equal(f.out.group_cgroups[0], "cg_0");
	assert_string_equal(f.out.group_cgroups[1], "cg_1");
	assert_int_equal(f.out.nworkers, 4);
	assert_int_equal(f.out.stats.total_workers, 4);
	assert_true(f.out.stats.total_iterations > 0);
	assert_string_equal(f.out.workers[3].cgroup, "cg_1");
	assert_ptr_equal(f.out.workers[3].rep, &f.out.reports[3]);
	/* No backdrop: only the step's entry, with the same groups. */
	assert_int_equal(f.out.nsteps, 1);
	assert_int_equal(f.out.steps[0].index, 0);
	assert_int_equal(f.out.steps[0].stats.total_workers, 4);
	assert_int_equal(f.out.nstimuli, 1);
	assert_int_equal(f.nstim, 1);
	assert_int_equal(f.out.stimuli[0].ncgroups, 2);
	assert_int_equal(f.out.stimuli[0].nworkers, 4);
	assert_int_equal(f.out.stimuli[0].op_kinds, 0);
	assert_int_equal(f.out.nisolation, 0);
	/* Workers were moved in; the controllers were enabled for the test's cgroups. */
	assert_string_not_equal(fx_read(f.dir, "ktstr/cg_1/cgroup.procs", buf, sizeof(buf)), "");
	assert_string_equal(fx_read(f.dir, "ktstr/cgroup.subtree_control", buf, sizeof(buf)),
			    "+cpuset +cpu");
	done(&f);
}

static void phased_swap(void **state)
{
	static const char *const cgroups[] = {"cg_0", "cg_1", "cg_2", NULL};
	struct fx f;
	char buf[64];

	(void)state;
	run(&f,
	    "{\"name\":\"swap\",\"backdrop\":{\"cgroups\":[{\"name\":\"cg_0\",\"cpuset\":"
	    "{\"disjoint\":{\"index\":0,\"of\":2}},\"works\":[{\"type\":\"CpuSpin\",\"workers\":1}]"
	    "},"
	    "{\"name\":\"cg_1\",\"cpuset\":{\"disjoint\":{\"index\":1,\"of\":2}}}]},"
	    "\"steps\":[{\"hold\":{\"fixed_ms\":100}},"
	    "{\"hold\":{\"fixed_ms\":100},\"ops\":[{\"op\":\"swap_cpusets\",\"a\":\"cg_0\","
	    "\"b\":\"cg_1\"}],\"cgroups\":[{\"name\":\"cg_2\",\"cpuset\":{\"exact\":[3]}}]}]}",
	    cgroups);
	if (!f.out.verdict.passed) {
		fail_msg("%s", detail(&f.out.verdict, 0));
	}
	assert_string_equal(fx_read(f.dir, "ktstr/cg_0/cpuset.cpus", buf, sizeof(buf)), "1-2");
	assert_string_equal(fx_read(f.dir, "ktstr/cg_1/cpuset.cpus", buf, sizeof(buf)), "0");
	assert_string_equal(fx_read(f.dir, "ktstr/cg_2/cpuset.cpus", buf, sizeof(buf)), "3");
	assert_int_equal(f.out.nstimuli, 2);
	assert_int_equal(f.out.stimuli[0].nops, 0);
	assert_int_equal(f.out.stimuli[1].op_kinds, 1u << KTSTR_OP_SWAP_CPUSETS);
	assert_int_equal(f.out.stimuli[1].ncgroups, 3);
	assert_int_equal(f.out.stimuli[1].nworkers, 1 + 2 + 2);
	/* Live counters: the backdrop's workers ran 100 ms between the two events. */
	assert_true(f.out.stimuli[1].total_iterations > f.out.stimuli[0].total_iterations);
	assert_true(f.out.timing_scale == 1.0); /* not emulated */
	assert_true(f.out.stimuli[1].elapsed_ms >= 100);
	/* Entries: backdrop first (collected last), then the steps. */
	assert_int_equal(f.out.nsteps, 3);
	assert_int_equal(f.out.steps[0].index, -1);
	assert_int_equal(f.out.steps[0].stats.total_workers, 3);
	assert_int_equal(f.out.steps[1].stats.total_workers, 0);
	assert_int_equal(f.out.steps[2].stats.total_workers, 2);
	assert_int_equal(f.out.stats.total_workers, 5);
	/* Collection order: step 1's cg_2, then the backdrop's groups. */
	assert_string_equal(f.out.group_cgroups[0], "cg_2");
	assert_string_equal(f.out.group_cgroups[1], "cg_0");
	/* Isolation: every group had a cpuset; the backdrop's saw both halves. */
	assert_int_equal(f.out.nisolation, 3);
	assert_string_equal(f.out.isolation[1].cgroup, "cg_0");
	assert_int_equal(ktstr_cpumask__count(&f.out.isolation[1].cpuset), 3);
	assert_int_equal(ktstr_cpumask__count(&f.out.isolation[0].cpuset), 1);
	for (size_t i = 0; i < f.out.nisolation; i++) {
		struct ktstr_cpumask in = f.out.isolation[i].used;

		ktstr_cpumask__and(&in, &f.out.isolation[i].cpuset);
		assert_int_equal(f.out.isolation[i].passed,
				 ktstr_cpumask__equal(&in, &f.out.isolation[i].used));
	}
	done(&f);
}

static void skip_empty_cpuset(void **state)
{
	static const char *const cgroups[] = {NULL};
	struct fx f;

	(void)state;
	run(&f,
	    "{\"name\":\"narrow\",\"steps\":[{\"hold\":{\"frac\":1},\"cgroups\":[{\"name\":\"a\","
	    "\"cpuset\":{\"range\":[0.5,0.6]}}]}]}",
	    cgroups);
	assert_true(f.out.verdict.passed);
	assert_true(f.out.verdict.skipped);
	assert_int_equal(f.out.verdict.n, 1);
	assert_int_equal(f.out.verdict.details[0].kind, KTSTR_DETAIL_SKIP);
	assert_string_equal(detail(&f.out.verdict, 0),
			    "cpuset range [0.5, 0.6] of cgroup a has no CPU on this topology (3 "
			    "usable CPUs); scenario narrow skipped");
	assert_int_equal(f.out.ngroups, 0);
	assert_int_equal(f.out.nstimuli, 0);
	done(&f);
}

static void step_errors(void **state)
{
	static const char *const cgroups[] = {"a", NULL};
	struct fx f;

	(void)state;
	/* An invalid cpuset is the step's error; later steps do not run. */
	run(&f,
	    "{\"name\":\"bad\",\"steps\":[{\"hold\":{\"fixed_ms\":10},\"cgroups\":[{\"name\":\"a\","
	    "\"cpuset\":{\"llc\":5}}]},{\"hold\":{\"fixed_ms\":10}}]}",
	    cgroups);
	assert_false(f.out.verdict.passed);
	assert_string_equal(detail(&f.out.verdict, 0),
			    "step 0 failed: cpuset llc 5: the guest has 2 LLCs (numbered from 0)");
	assert_int_equal(f.out.nsteps, 1);
	assert_false(f.out.steps[0].verdict.passed);
	assert_int_equal(f.out.nstimuli, 0);
	done(&f);

	run(&f,
	    "{\"name\":\"bad\",\"steps\":[{\"hold\":{\"fixed_ms\":10},\"ops\":[{\"op\":"
	    "\"set_cpuset\",\"cgroup\":\"nope\",\"cpuset\":{\"llc\":0}}]}]}",
	    cgroups);
	assert_string_equal(detail(&f.out.verdict, 0),
			    "step 0 failed: op 0: set_cpuset: cgroup 'nope' does not exist (create "
			    "it in \"cgroups\" or with add_cgroup first)");
	done(&f);

	/* Steps may not remove the backdrop's cgroups. */
	run(&f,
	    "{\"name\":\"bad\",\"backdrop\":{\"cgroups\":[{\"name\":\"a\",\"works\":[{\"type\":"
	    "\"CpuSpin\",\"workers\":1}]}]},\"steps\":[{\"hold\":{\"fixed_ms\":10},\"ops\":[{"
	    "\"op\":"
	    "\"remove_cgroup\",\"cgroup\":\"a\"}]}]}",
	    cgroups);
	assert_string_equal(
	    detail(&f.out.verdict, 0),
	    "step 0 failed: op 0: remove_cgroup: cgroup 'a' belongs to the backdrop, "
	    "which steps may not change this way");
	assert_int_equal(f.out.ngroups, 1); /* the backdrop is still collected */
	done(&f);

	/* The backdrop's own failure: no step runs. */
	run(&f,
	    "{\"name\":\"bad\",\"backdrop\":{\"ops\":[{\"op\":\"clear_cpuset\",\"cgroup\":\"z\"}]},"
	    "\"steps\":[{\"hold\":{\"fixed_ms\":10}}]}",
	    cgroups);
	assert_false(f.out.verdict.passed);
	assert_string_equal(detail(&f.out.verdict, 0),
			    "Backdrop setup failed: op 0: clear_cpuset: cgroup 'z' does not exist "
			    "(create it in \"cgroups\" or with add_cgroup first)");
	assert_int_equal(f.out.nsteps, 1);
	assert_int_equal(f.out.steps[0].index, -1);
	done(&f);
}

static void ops_in_tree(void **state)
{
	static const char *const cgroups[] = {"a", "b", "b/c", NULL};
	struct fx f;
	char buf[64];

	(void)state;
	run(&f,
	    "{\"name\":\"ops\",\"steps\":[{\"hold\":{\"fixed_ms\":50},\"cgroups\":[{\"name\":\"a\","
	    "\"works\":[{\"type\":\"CpuSpin\",\"workers\":1}]},{\"name\":\"b/c\",\"works\":"
	    "[{\"type\":\"CpuSpin\",\"workers\":1}]}]},"
	    "{\"hold\":{\"fixed_ms\":50},\"cgroups\":[{\"name\":\"a\",\"cpuset\":{\"llc\":0},"
	    "\"works\":[{\"type\":\"CpuSpin\",\"workers\":1}]},{\"name\":\"b\"}],\"ops\":["
	    "{\"op\":\"add_cgroup\",\"cgroup\":\"b/c\"},"
	    "{\"op\":\"spawn\",\"cgroup\":\"b/c\",\"work\":{\"type\":\"CpuSpin\",\"workers\":1}},"
	    "{\"op\":\"set_affinity\",\"cgroup\":\"b/c\",\"affinity\":{\"kind\":\"single_cpu\"}},"
	    "{\"op\":\"spawn_host\",\"work\":{\"type\":\"CpuSpin\",\"workers\":1}},"
	    "{\"op\":\"set_cpuset\",\"cgroup\":\"b/c\",\"cpuset\":{\"exact\":[2]}},"
	    "{\"op\":\"clear_cpuset\",\"cgroup\":\"b/c\"},"
	    "{\"op\":\"move_all_tasks\",\"from\":\"b/c\",\"to\":\"b\"}]},"
	    "{\"hold\":{\"loop_ms\":40},\"cgroups\":[{\"name\":\"a\"}],\"ops\":["
	    "{\"op\":\"add_cgroup\",\"cgroup\":\"b\"},{\"op\":\"stop_cgroup\",\"cgroup\":\"b\"}]}]"
	    "}",
	    cgroups);
	if (!f.out.verdict.passed) {
		fail_msg("%s", detail(&f.out.verdict, 0));
	}
	/* Step 0: a and b/c (b made as c's parent, with the controllers for c). */
	assert_string_equal(f.out.group_cgroups[0], "a");
	assert_string_equal(f.out.group_cgroups[1], "b/c");
	/* Step 1: ops first (spawn into b/c, moved to b; spawn_host), then its cgroups. */
	assert_string_equal(f.out.group_cgroups[2], "b");
	assert_string_equal(f.out.group_cgroups[3], "host");
	assert_string_equal(f.out.group_cgroups[4], "a");
	assert_string_equal(f.out.group_cgroups[5], "b"); /* no works: one default Work */
	assert_int_equal(f.out.group_stats[5].num_workers, 2);
	assert_string_equal(fx_read(f.dir, "ktstr/b/cgroup.subtree_control", buf, sizeof(buf)),
			    "-cpuset -cpu");
	/* Cleared with a newline: cgroupfs never sees a zero-byte write. */
	assert_string_equal(fx_read(f.dir, "ktstr/b/c/cpuset.cpus", buf, sizeof(buf)), "\n");
	assert_string_equal(fx_read(f.dir, "ktstr/a/cpuset.cpus", buf, sizeof(buf)), "0-1");
	/* Isolation: only step 1's a kept a cpuset the whole time; b/c's was cleared. */
	assert_int_equal(f.out.nisolation, 1);
	assert_string_equal(f.out.isolation[0].cgroup, "a");
	/* Step 2: a loop hold to the deadline; stop_cgroup killed nothing in b (none there). */
	assert_int_equal(f.out.nsteps, 3);
	assert_int_equal(f.out.stimuli[2].op_kinds,
			 (1u << KTSTR_OP_ADD_CGROUP) | (1u << KTSTR_OP_STOP_CGROUP));
	assert_int_equal(f.out.ngroups, 7);
	done(&f);

	/* stop_cgroup kills without reports: the group is not collected. */
	run(&f,
	    "{\"name\":\"stop\",\"steps\":[{\"hold\":{\"fixed_ms\":50},\"cgroups\":[{\"name\":"
	    "\"a\","
	    "\"works\":[{\"type\":\"CpuSpin\",\"workers\":1}]}],\"ops\":[]},"
	    "{\"hold\":{\"fixed_ms\":50},\"ops\":[{\"op\":\"add_cgroup\",\"cgroup\":\"b\"},"
	    "{\"op\":\"spawn\",\"cgroup\":\"b\",\"work\":{\"type\":\"CpuSpin\",\"workers\":2}},"
	    "{\"op\":\"stop_cgroup\",\"cgroup\":\"b\"}]}]}",
	    cgroups);
	assert_true(f.out.verdict.passed);
	assert_int_equal(f.out.ngroups, 1);
	assert_int_equal(f.out.stimuli[1].nworkers, 0);
	done(&f);

	/* remove_cgroup: kill, drain to the root, rmdir (which a plain directory refuses). */
	run(&f,
	    "{\"name\":\"rm\",\"steps\":[{\"hold\":{\"fixed_ms\":50},\"ops\":[{\"op\":\"add_"
	    "cgroup\","
	    "\"cgroup\":\"b\"},{\"op\":\"spawn\",\"cgroup\":\"b\",\"work\":{\"type\":\"CpuSpin\","
	    "\"workers\":1}},{\"op\":\"remove_cgroup\",\"cgroup\":\"b\"}]}]}",
	    cgroups);
	assert_false(f.out.verdict.passed);
	assert_non_null(strstr(detail(&f.out.verdict, 0), "step 0 failed: op 2: cannot remove "
							  "cgroup "));
	assert_string_not_equal(fx_read(f.dir, "cgroup.procs", buf, sizeof(buf)), "");
	assert_int_equal(f.out.ngroups, 0);
	done(&f);
}

/* A scheduler found dead during a hold ends the scenario after that step's collection. */
static void scheduler_died(void **state)
{
	static const char *const cgroups[] = {"a", NULL};
	struct ktstr_sched sched = {.pid = fork()};
	struct fx f;

	(void)state;
	assert_true(sched.pid >= 0);
	if (sched.pid == 0) {
		_exit(3);
	}
	/* Dead before the run (a zombie, left for the engine to reap and describe). */
	assert_int_equal(waitid(P_PID, (id_t)sched.pid, &(siginfo_t){0}, WEXITED | WNOWAIT), 0);
	run_sched(&f,
		  "{\"name\":\"died\",\"steps\":[{\"hold\":{\"fixed_ms\":5000},\"cgroups\":"
		  "[{\"name\":\"a\",\"works\":[{\"type\":\"CpuSpin\",\"workers\":1}]}]},"
		  "{\"hold\":{\"fixed_ms\":10}}]}",
		  cgroups, &sched);
	assert_false(f.out.verdict.passed);
	assert_int_equal(f.out.verdict.n, 1);
	assert_int_equal(f.out.verdict.details[0].kind, KTSTR_DETAIL_SCHEDULER_DIED);
	assert_non_null(
	    strstr(detail(&f.out.verdict, 0),
		   "scheduler process died unexpectedly after completing step 1 of 2 ("));
	assert_non_null(strstr(
	    detail(&f.out.verdict, 0),
	    "s into test): scheduler process exited (exit status 3; sched_ext state: unknown)"));
	assert_int_equal(f.out.nsteps, 1);  /* step 1 never ran */
	assert_int_equal(f.out.ngroups, 1); /* step 0 was still collected */
	done(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(steady),
	    cmocka_unit_test(phased_swap),
	    cmocka_unit_test(skip_empty_cpuset),
	    cmocka_unit_test(step_errors),
	    cmocka_unit_test(ops_in_tree),
	    cmocka_unit_test(scheduler_died),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
