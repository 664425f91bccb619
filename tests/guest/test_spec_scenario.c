#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "spec.h"

#define HEAD                                                                                       \
	"{\"version\":2,\"test_name\":\"t\",\"duration_ms\":2000,\"workers_per_cgroup\":3,"        \
	"\"topology\":{\"numa_nodes\":1,\"llcs\":2,\"cores\":2,\"threads\":1},\"scenario\":"

static const char phased[] =
    HEAD "{\"name\":\"cpuset_swap\","
	 "\"backdrop\":{\"cgroups\":[{\"name\":\"cg_0\",\"cpuset\":{\"disjoint\":{\"index\":0,"
	 "\"of\":2}},\"works\":[{\"type\":\"CpuSpin\",\"workers\":4}]},"
	 "{\"name\":\"cg_1/sub\",\"cpuset\":{\"overlap\":{\"index\":1,\"of\":2,\"frac\":0.25}}}],"
	 "\"ops\":[{\"op\":\"add_cgroup\",\"cgroup\":\"spare\"}]},"
	 "\"steps\":[{\"hold\":{\"frac\":0.5,\"plus_settle\":true},\"cgroups\":[],\"ops\":["
	 "{\"op\":\"swap_cpusets\",\"a\":\"cg_0\",\"b\":\"cg_1/sub\"},"
	 "{\"op\":\"set_cpuset\",\"cgroup\":\"spare\",\"cpuset\":{\"range\":[0.25,0.75]}},"
	 "{\"op\":\"clear_cpuset\",\"cgroup\":\"spare\"},"
	 "{\"op\":\"spawn\",\"cgroup\":\"spare\",\"work\":{\"type\":\"CpuSpin\",\"workers\":1}},"
	 "{\"op\":\"set_affinity\",\"cgroup\":\"cg_0\",\"affinity\":{\"kind\":\"exact\","
	 "\"cpus\":[0,2]}},"
	 "{\"op\":\"spawn_host\",\"work\":{\"type\":\"CpuSpin\"}},"
	 "{\"op\":\"move_all_tasks\",\"from\":\"spare\",\"to\":\"cg_0\"},"
	 "{\"op\":\"stop_cgroup\",\"cgroup\":\"spare\"},"
	 "{\"op\":\"remove_cgroup\",\"cgroup\":\"spare\"}]},"
	 "{\"hold\":{\"fixed_ms\":1500},\"cgroups\":[{\"name\":\"x\",\"cpuset\":{\"llc\":1}},"
	 "{\"name\":\"y\",\"cpuset\":{\"numa\":0}},{\"name\":\"z\",\"cpuset\":{\"exact\":[1,3]}}]},"
	 "{\"hold\":{\"loop_ms\":100},\"ops\":[{\"op\":\"set_affinity\",\"cgroup\":\"cg_0\","
	 "\"affinity\":{\"kind\":\"random_subset\"}}]}]}}";

static int parse(const char *text, struct ktstr_spec *s, char *err, size_t errlen)
{
	return ktstr_spec__parse(text, strlen(text), "test.json", s, err, errlen);
}

static void full(void **state)
{
	const struct ktstr_spec_scenario *sc;
	const struct ktstr_spec_op *op;
	struct ktstr_spec s;
	char err[512] = "";

	(void)state;
	if (parse(phased, &s, err, sizeof(err)) != 0) {
		fail_msg("%s", err);
	}
	sc = &s.scenario;
	assert_string_equal(sc->name, "cpuset_swap");
	assert_int_equal(sc->backdrop.ncgroups, 2);
	assert_string_equal(sc->backdrop.cgroups[0].name, "cg_0");
	assert_true(sc->backdrop.cgroups[0].has_cpuset);
	assert_int_equal(sc->backdrop.cgroups[0].cpuset.kind, KTSTR_CPUSET_DISJOINT);
	assert_int_equal(sc->backdrop.cgroups[0].cpuset.of, 2);
	assert_int_equal(sc->backdrop.cgroups[0].nworks, 1);
	assert_int_equal(sc->backdrop.cgroups[0].works[0].workers, 4);
	assert_string_equal(sc->backdrop.cgroups[0].works[0].type->name, "CpuSpin");
	/* No works: one default CpuSpin Work of workers_per_cgroup workers. */
	assert_string_equal(sc->backdrop.cgroups[1].name, "cg_1/sub");
	assert_int_equal(sc->backdrop.cgroups[1].cpuset.kind, KTSTR_CPUSET_OVERLAP);
	assert_true(sc->backdrop.cgroups[1].cpuset.frac == 0.25);
	assert_int_equal(sc->backdrop.cgroups[1].nworks, 1);
	assert_int_equal(sc->backdrop.cgroups[1].works[0].workers, 3);
	assert_string_equal(sc->backdrop.cgroups[1].works[0].type->name, "CpuSpin");
	assert_int_equal(sc->backdrop.nops, 1);
	assert_int_equal(sc->backdrop.ops[0].kind, KTSTR_OP_ADD_CGROUP);

	assert_int_equal(sc->nsteps, 3);
	assert_int_equal(sc->steps[0].hold.kind, KTSTR_HOLD_FRAC);
	assert_true(sc->steps[0].hold.frac == 0.5);
	assert_true(sc->steps[0].hold.plus_settle);
	assert_int_equal(sc->steps[0].ncgroups, 0);
	assert_int_equal(sc->steps[0].nops, 9);
	for (size_t i = 0; i < 9; i++) {
		static const enum ktstr_op_kind want[] = {
		    KTSTR_OP_SWAP_CPUSETS,   KTSTR_OP_SET_CPUSET,   KTSTR_OP_CLEAR_CPUSET,
		    KTSTR_OP_SPAWN,	     KTSTR_OP_SET_AFFINITY, KTSTR_OP_SPAWN_HOST,
		    KTSTR_OP_MOVE_ALL_TASKS, KTSTR_OP_STOP_CGROUP,  KTSTR_OP_REMOVE_CGROUP};

		assert_int_equal(sc->steps[0].ops[i].kind, want[i]);
	}
	op = sc->steps[0].ops;
	assert_string_equal(op[0].cgroup, "cg_0");
	assert_string_equal(op[0].other, "cg_1/sub");
	assert_int_equal(op[1].cpuset.kind, KTSTR_CPUSET_RANGE);
	assert_true(op[1].cpuset.start == 0.25 && op[1].cpuset.end == 0.75);
	assert_int_equal(op[3].work.workers, 1);
	assert_int_equal(op[4].affinity.kind, KTSTR_AFFINITY_EXACT);
	assert_true(ktstr_cpumask__test(&op[4].affinity.cpus, 2));
	assert_int_equal(ktstr_cpumask__count(&op[4].affinity.cpus), 2);
	assert_null(op[5].cgroup);
	assert_int_equal(op[5].work.workers, 3);
	assert_string_equal(op[6].cgroup, "spare");
	assert_string_equal(op[6].other, "cg_0");
	assert_string_equal(ktstr_op_kind__name(op[6].kind), "move_all_tasks");

	assert_int_equal(sc->steps[1].hold.kind, KTSTR_HOLD_FIXED);
	assert_int_equal(sc->steps[1].hold.ms, 1500);
	assert_int_equal(sc->steps[1].cgroups[0].cpuset.kind, KTSTR_CPUSET_LLC);
	assert_int_equal(sc->steps[1].cgroups[0].cpuset.index, 1);
	assert_int_equal(sc->steps[1].cgroups[1].cpuset.kind, KTSTR_CPUSET_NUMA);
	assert_int_equal(sc->steps[1].cgroups[2].cpuset.kind, KTSTR_CPUSET_EXACT);
	assert_int_equal(sc->steps[2].hold.kind, KTSTR_HOLD_LOOP);
	assert_int_equal(sc->steps[2].hold.ms, 100);
	assert_int_equal(sc->steps[2].ops[0].affinity.kind, KTSTR_AFFINITY_RANDOM_SUBSET);
	/* settle 500 + 2000 / 2, then 1500, then the whole duration for the loop. */
	assert_int_equal(ktstr_spec__hold_budget_ms(&s), 1500 + 1500 + 2000);
	ktstr_spec__release(&s);
	assert_null(s.scenario.steps);
}

/* HEAD with @p scenario; expect -EINVAL with @p want in the message. */
static void expect(const char *scenario, const char *want)
{
	struct ktstr_spec s;
	char text[2048], err[512] = "";

	snprintf(text, sizeof(text), HEAD "%s}", scenario);
	assert_int_equal(parse(text, &s, err, sizeof(err)), -EINVAL);
	if (strstr(err, want) == NULL) {
		fail_msg("error '%s' lacks '%s'", err, want);
	}
	assert_null(s.test_name);
	assert_null(s.scenario.name);
}

#define STEP(body) "{\"name\":\"s\",\"steps\":[{\"hold\":{\"frac\":1}," body "}]}"

static void errors(void **state)
{
	(void)state;
	expect("\"steady\"", "test.json: key 'scenario': must be an object");
	expect("{\"steps\":[]}", "key 'scenario.name': missing (required)");
	expect("{\"name\":\"s\",\"steps\":[]}",
	       "key 'scenario.steps': must hold at least one step");
	expect("{\"name\":\"s\"}", "key 'scenario.steps': must hold at least one step");
	expect("{\"name\":\"s\",\"steps\":{}}", "key 'scenario.steps': must be an array");
	expect("{\"name\":\"s\",\"steps\":[{}]}", "key 'scenario.steps[0].hold': missing");
	expect("{\"name\":\"s\",\"steps\":[{\"hold\":{}}]}",
	       "key 'scenario.steps[0].hold': must be {\"frac\": f");
	expect("{\"name\":\"s\",\"steps\":[{\"hold\":{\"frac\":0}}]}",
	       "key 'scenario.steps[0].hold': must be longer than 0");
	expect("{\"name\":\"s\",\"steps\":[{\"hold\":{\"fixed_ms\":0}}]}", "must be longer than 0");
	expect("{\"name\":\"s\",\"steps\":[{\"hold\":{\"loop_ms\":-1}}]}",
	       "key 'scenario.steps[0].hold.loop_ms': must be an integer");
	expect("{\"name\":\"s\",\"steps\":[{\"hold\":{\"frac\":\"1\"}}]}",
	       "key 'scenario.steps[0].hold.frac': must be a number");
	expect(STEP("\"cgroups\":[{\"name\":\"../x\"}]"),
	       "key 'scenario.steps[0].cgroups[0].name': must be names of letters");
	expect(STEP("\"cgroups\":[{\"name\":\"a//b\"}]"), "must be names of letters");
	expect(STEP("\"cgroups\":[{\"name\":\"a/\"}]"), "must be names of letters");
	expect(STEP("\"cgroups\":[{\"name\":\"a b\"}]"), "must be names of letters");
	expect(STEP("\"cgroups\":[{\"name\":\"a\",\"cpuset\":{}}]"),
	       "key 'scenario.steps[0].cgroups[0].cpuset': must have exactly one of llc");
	expect(STEP("\"cgroups\":[{\"name\":\"a\",\"cpuset\":{\"llc\":0,\"numa\":0}}]"),
	       "must have exactly one of");
	expect(STEP("\"cgroups\":[{\"name\":\"a\",\"cpuset\":{\"llc\":-1}}]"),
	       "key 'scenario.steps[0].cgroups[0].cpuset.llc': must be an integer");
	expect(STEP("\"cgroups\":[{\"name\":\"a\",\"cpuset\":{\"range\":[0.5]}}]"),
	       "cpuset.range': must be [start, end] fractions");
	expect(STEP("\"cgroups\":[{\"name\":\"a\",\"cpuset\":{\"disjoint\":{\"index\":0}}}]"),
	       "key 'scenario.steps[0].cgroups[0].cpuset.disjoint.of': missing (required)");
	expect(STEP("\"cgroups\":[{\"name\":\"a\",\"cpuset\":{\"overlap\":{\"index\":0,"
		    "\"of\":2}}}]"),
	       "cpuset.overlap.frac': missing (required)");
	expect(STEP("\"cgroups\":[{\"name\":\"a\",\"cpuset\":{\"exact\":[]}}]"),
	       "cpuset.exact': must be a non-empty array of CPU numbers");
	expect(STEP("\"cgroups\":[{\"name\":\"a\",\"cpuset\":{\"exact\":[1024]}}]"),
	       "cpuset.exact': must hold CPU numbers in 0..1023");
	expect(STEP("\"cgroups\":[{\"name\":\"a\",\"works\":{}}]"),
	       "key 'scenario.steps[0].cgroups[0].works': must be an array");
	expect(STEP("\"cgroups\":[{\"name\":\"a\",\"works\":[{\"type\":\"Nope\"}]}]"),
	       "test.json: in 'scenario.steps[0].cgroups[0].works[0]': ");
	expect(STEP("\"ops\":[{\"op\":\"explode\"}]"),
	       "key 'scenario.steps[0].ops[0].op': must be one of add_cgroup");
	expect(STEP("\"ops\":[3]"), "key 'scenario.steps[0].ops[0]': an op must be an object");
	expect(STEP("\"ops\":[{\"op\":\"add_cgroup\"}]"),
	       "key 'scenario.steps[0].ops[0].cgroup': missing (required)");
	expect(STEP("\"ops\":[{\"op\":\"swap_cpusets\",\"a\":\"x\"}]"),
	       "key 'scenario.steps[0].ops[0].b': missing (required)");
	expect(STEP("\"ops\":[{\"op\":\"move_all_tasks\",\"from\":\"x\",\"to\":\"\"}]"),
	       "key 'scenario.steps[0].ops[0].to': must be a non-empty string");
	expect(STEP("\"ops\":[{\"op\":\"set_cpuset\",\"cgroup\":\"x\"}]"),
	       "key 'scenario.steps[0].ops[0].cpuset': missing (required)");
	expect(STEP("\"ops\":[{\"op\":\"set_affinity\",\"cgroup\":\"x\",\"affinity\":{\"kind\":"
		    "\"sideways\"}}]"),
	       "key 'scenario.steps[0].ops[0].affinity.kind': must be one of inherit");
	expect(STEP("\"ops\":[{\"op\":\"set_affinity\",\"cgroup\":\"x\",\"affinity\":{\"kind\":"
		    "\"exact\"}}]"),
	       "affinity.cpus': must be a non-empty array");
	expect(STEP("\"ops\":[{\"op\":\"spawn\",\"cgroup\":\"x\"}]"),
	       "key 'scenario.steps[0].ops[0].work': missing (required)");
	expect(
	    STEP("\"ops\":[{\"op\":\"spawn_host\",\"work\":{\"type\":\"CpuSpin\",\"workers\":0}}]"),
	    "in 'scenario.steps[0].ops[0].work': ");
	expect("{\"name\":\"s\",\"backdrop\":[],\"steps\":[{\"hold\":{\"frac\":1}}]}",
	       "key 'scenario.backdrop': must be an object");
	expect("{\"name\":\"s\",\"backdrop\":{\"ops\":[{\"op\":\"stop_cgroup\"}]},"
	       "\"steps\":[{\"hold\":{\"frac\":1}}]}",
	       "key 'scenario.backdrop.ops[0].cgroup': missing");
	/* A later step's error after earlier steps parsed: nothing leaks (ASan). */
	expect("{\"name\":\"s\",\"steps\":[{\"hold\":{\"frac\":1},\"cgroups\":[{\"name\":\"a\"}],"
	       "\"ops\":[{\"op\":\"add_cgroup\",\"cgroup\":\"b\"}]},{\"hold\":{\"frac\":-1}}]}",
	       "key 'scenario.steps[1].hold': must be longer than 0");
}

/* Every proper prefix of the phased spec fails cleanly (no leak, no crash under ASan). */
static void truncations(void **state)
{
	struct ktstr_spec s;
	char err[512];

	(void)state;
	for (size_t len = 0; len < sizeof(phased) - 1; len++) {
		assert_int_equal(ktstr_spec__parse(phased, len, "t", &s, err, sizeof(err)),
				 -EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(full),
	    cmocka_unit_test(errors),
	    cmocka_unit_test(truncations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
