/*
 * Test spec v2 as the guest gets it (golden JSON), and the host's decisions
 * before booting: skip when the topology cannot host the scenario.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "guest_spec.h"
#include "scenario.h"

static struct ktstr_scenario *ok(const char *yaml)
{
	struct ktstr_scenario *s = NULL;
	char err[512] = "";

	if (ktstr_scenario__parse("s.yaml", yaml, strlen(yaml), &s, err, sizeof(err)) != 0) {
		fail_msg("unexpected error: %s", err);
	}
	return s;
}

static void test_spec_golden(void **state)
{
	struct ktstr_scenario *s = ok("name: two_step\n"
				      "checks: {max_gap_ms: 2500}\n"
				      "backdrop:\n"
				      "  cgroups:\n"
				      "    - {name: cg_0, cpuset: {disjoint: {index: 0, of: 2}}}\n"
				      "    - {name: cg_1, cpuset: {disjoint: {index: 1, of: 2}}}\n"
				      "steps:\n"
				      "  - hold: {frac: 0.5, plus_settle: true}\n"
				      "  - ops: [{op: swap_cpusets, a: cg_0, b: cg_1}]\n"
				      "    hold: 0.5\n");
	static const char *const args[] = {"--a", "b c", NULL};
	json_t *checks = json_pack("{s:b,s:n}", "isolation", 1, "max_spread_pct");
	struct ktstr_guest_spec spec = {
	    .test_name = "two_step/1n2l2c1t/sx/default",
	    .scenario = s->name,
	    .duration_ms = 3000,
	    .workers_per_cgroup = 4,
	    .settle_ms = 500,
	    .topo = {1, 2, 2, 1},
	    .sched_name = "sx",
	    .sched_args = args,
	    .emulated_timing = true,
	    .max_gap_ms = 2500,
	    .def = s,
	    .checks = checks,
	};
	char *json = NULL;

	assert_int_equal(ktstr_guest_spec__render(&spec, &json), 0);
	assert_string_equal(
	    json,
	    "{\"version\":2,\"test_name\":\"two_step/1n2l2c1t/sx/default\",\"duration_ms\":3000,"
	    "\"workers_per_cgroup\":4,\"settle_ms\":500,\"topology\":{\"numa_nodes\":1,\"llcs\":2,"
	    "\"cores\":2,\"threads\":1},\"scheduler\":{\"name\":\"sx\",\"path\":\"/scheduler\","
	    "\"args\":[\"--a\",\"b c\"]},\"emulated_timing\":true,\"scenario\":{\"name\":"
	    "\"two_step\",\"backdrop\":{\"cgroups\":[{\"name\":\"cg_0\",\"cpuset\":{\"disjoint\":{"
	    "\"index\":0,\"of\":2}},\"works\":[]},{\"name\":\"cg_1\",\"cpuset\":{\"disjoint\":{"
	    "\"index\":1,\"of\":2}},\"works\":[]}],\"ops\":[]},\"steps\":[{\"hold\":{\"frac\":0.5,"
	    "\"plus_settle\":true},\"cgroups\":[],\"ops\":[]},{\"hold\":{\"frac\":0.5,"
	    "\"plus_settle\":false},\"cgroups\":[],\"ops\":[{\"op\":\"swap_cpusets\",\"a\":"
	    "\"cg_0\",\"b\":\"cg_1\"}]}]},\"checks\":{\"not_starved\":true,\"isolation\":true,"
	    "\"max_gap_ms\":2500,\"max_spread_pct\":null,\"max_throughput_cv\":null,"
	    "\"min_work_rate\":null,\"max_p99_wake_latency_ns\":null,"
	    "\"max_median_wake_latency_ns\":null,\"max_wake_latency_cv\":null,"
	    "\"min_iteration_rate\":null,\"max_migration_ratio\":null,\"max_run_delay_us\":null}}");
	free(json);
	json_decref(checks);
	ktstr_scenario__free(s);
}

static void test_spec_minimal(void **state)
{
	struct ktstr_guest_spec spec = {.test_name = "t",
					.scenario = "none",
					.duration_ms = 1,
					.workers_per_cgroup = 1,
					.topo = {1, 1, 1, 1},
					.max_spread_pct = 35.0};
	char *json = NULL;

	/* no scheduler and no scenario definition: null and an empty scenario */
	assert_int_equal(ktstr_guest_spec__render(&spec, &json), 0);
	assert_non_null(strstr(json, "\"scheduler\":null,\"emulated_timing\":false,"
				     "\"scenario\":{\"name\":\"none\",\"backdrop\":{\"cgroups\":[],"
				     "\"ops\":[]},\"steps\":[]}"));
	assert_non_null(strstr(json, "\"max_gap_ms\":2000,\"max_spread_pct\":35.0,"));
	free(json);
}

/* The skip decision for @p yaml on topology @p t: NULL for none, else the reason. */
static void skip_is(const char *yaml, struct ktstr_topo t, const char *want)
{
	struct ktstr_scenario *s = ok(yaml);
	char why[256] = "";
	int rc = ktstr_scenario__skip(s, &t, why, sizeof(why));

	if (want == NULL) {
		assert_int_equal(rc, 0);
	} else {
		assert_int_equal(rc, 1);
		assert_string_equal(why, want);
	}
	ktstr_scenario__free(s);
}

#define T(n, l, c, h) ((struct ktstr_topo){n, l, c, h})
#define STEP_CS(cs) "name: t\nsteps: [{hold: 1, cgroups: [{name: a, cpuset: " cs "}]}]\n"

static void test_skip_requires(void **state)
{
	skip_is("name: t\nrequires: {min_llcs: 2}\nsteps: [{hold: 1}]\n", T(1, 1, 4, 1),
		"needs 2 LLCs, topology 1n1l4c1t has 1");
	skip_is("name: t\nrequires: {min_llcs: 2}\nsteps: [{hold: 1}]\n", T(1, 2, 1, 1), NULL);
	skip_is("name: t\nrequires: {min_cpus: 4}\nsteps: [{hold: 1}]\n", T(1, 1, 3, 1),
		"needs 4 CPUs, topology 1n1l3c1t has 3");
	skip_is("name: t\nrequires: {min_cpus: 4}\nsteps: [{hold: 1}]\n", T(1, 1, 2, 2), NULL);
	skip_is("name: t\nrequires: {min_numa_nodes: 2}\nsteps: [{hold: 1}]\n", T(1, 2, 2, 1),
		"needs 2 NUMA nodes, topology 1n2l2c1t has 1");
	skip_is("name: t\nrequires: {min_cpus_per_llc: 4}\nsteps: [{hold: 1}]\n", T(1, 4, 2, 1),
		"needs 4 CPUs per LLC, topology 1n4l2c1t has 2");
	skip_is("name: t\nrequires: {min_cpus_per_llc: 4}\nsteps: [{hold: 1}]\n", T(1, 1, 2, 2),
		NULL);
	skip_is("name: t\nrequires: {smt: true}\nsteps: [{hold: 1}]\n", T(1, 1, 4, 1),
		"needs SMT, topology 1n1l4c1t has 1 thread per core");
	skip_is("name: t\nrequires: {smt: true}\nsteps: [{hold: 1}]\n", T(1, 1, 2, 2), NULL);
	skip_is("name: t\nrequires: {smt: false}\nsteps: [{hold: 1}]\n", T(1, 1, 1, 1), NULL);
}

static void test_skip_cpusets(void **state)
{
	skip_is(STEP_CS("{llc: 1}"), T(1, 1, 4, 1),
		"needs 2 LLCs (cpuset llc 1 of a), topology 1n1l4c1t has 1");
	skip_is(STEP_CS("{llc: 1}"), T(1, 2, 1, 1), NULL);
	skip_is(STEP_CS("{numa: 1}"), T(1, 2, 2, 1),
		"needs 2 NUMA nodes (cpuset numa 1 of a), topology 1n2l2c1t has 1");
	skip_is(STEP_CS("{numa: 1}"), T(2, 2, 2, 1), NULL);
	/* 4 CPUs: 3 usable; [0, 0.3) is floor(0.9) = 0 CPUs, [0, 0.34) is 1 */
	skip_is(STEP_CS("{range: [0, 0.3]}"), T(1, 1, 4, 1),
		"cpuset range of a is empty on 3 usable CPUs (topology 1n1l4c1t)");
	skip_is(STEP_CS("{range: [0, 0.34]}"), T(1, 1, 4, 1), NULL);
	/* 2 CPUs: both usable */
	skip_is(STEP_CS("{range: [0.5, 1]}"), T(1, 1, 2, 1), NULL);
	skip_is(STEP_CS("{disjoint: {index: 3, of: 4}}"), T(1, 1, 4, 1),
		"needs 4 usable CPUs (cpuset partition of a), topology 1n1l4c1t has 3");
	skip_is(STEP_CS("{disjoint: {index: 2, of: 3}}"), T(1, 1, 4, 1), NULL);
	skip_is(STEP_CS("{overlap: {index: 0, of: 2, frac: 0.5}}"), T(1, 1, 1, 1),
		"needs 2 usable CPUs (cpuset partition of a), topology 1n1l1c1t has 1");
	skip_is(STEP_CS("{exact: [0, 4]}"), T(1, 1, 4, 1),
		"needs CPU 4 (cpuset of a), topology 1n1l4c1t has 4 CPUs");
	skip_is(STEP_CS("{exact: [1]}"), T(1, 1, 1, 1),
		"needs CPU 1 (cpuset of a), topology 1n1l1c1t has 1 CPU");
	skip_is(STEP_CS("{exact: [3]}"), T(1, 1, 4, 1), NULL);
	/* in ops, in the backdrop, and exact affinities */
	skip_is("name: t\nbackdrop: {cgroups: [b], ops: [{op: set_cpuset, cgroup: b, cpuset: {llc: "
		"2}}]}\nsteps: [{hold: 1}]\n",
		T(1, 2, 2, 1), "needs 3 LLCs (cpuset llc 2 of b), topology 1n2l2c1t has 2");
	skip_is("name: t\nsteps: [{hold: 1, ops: [{op: spawn_host, work: {type: CpuSpin, affinity: "
		"{kind: exact, cpus: [8]}}}]}]\n",
		T(1, 2, 2, 1), "needs CPU 8 (affinity of a step), topology 1n2l2c1t has 4 CPUs");
	skip_is("name: t\nsteps: [{hold: 1, cgroups: [{name: a, works: [{type: CpuSpin, affinity: "
		"{kind: exact, cpus: [3]}}]}]}]\n",
		T(1, 2, 2, 1), NULL);
}

static void test_check_workers(void **state)
{
	struct ktstr_scenario *s =
	    ok("name: g\nsteps: [{hold: 1, cgroups: [{name: a, works: [{type: CachePipe}, "
	       "{type: PipeIo, workers: 2}]}]}]\n");
	char err[256];

	assert_int_equal(ktstr_scenario__check_workers(s, 4, err, sizeof(err)), 0);
	assert_int_equal(ktstr_scenario__check_workers(s, 3, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "scenario g: CachePipe runs in groups of 2 but gets "
				 "workers_per_cgroup 3; give its work workers: or use a multiple "
				 "of 2");
	ktstr_scenario__free(s);
	/* an explicit count is checked at parse time, not against workers_per_cgroup */
	s = ok("name: g\nsteps: [{hold: 1, cgroups: [{name: a, works: [{type: PipeIo, workers: "
	       "2}]}]}]\n");
	assert_int_equal(ktstr_scenario__check_workers(s, 3, err, sizeof(err)), 0);
	ktstr_scenario__free(s);
	assert_int_equal(ktstr_work__group_size("FanOutCompute", NULL), 5);
	assert_int_equal(ktstr_work__group_size("CpuSpin", NULL), 1);
	assert_int_equal(ktstr_work__group_size("Nope", NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spec_golden),	  cmocka_unit_test(test_spec_minimal),
	    cmocka_unit_test(test_skip_requires), cmocka_unit_test(test_skip_cpusets),
	    cmocka_unit_test(test_check_workers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
