/*
 * Scenario ops and cgroup scopes: every op kind and its fields, and the rules
 * on which cgroups an op may name at its point of the scenario.
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

#include "scenario.h"
#include "scenario_test_util.h"

#define HEAD "name: t\n"
#define BD "backdrop: {cgroups: [cg_0, cg_1]}\n"

/* The ops of the only step, after the BD backdrop, for one op written in flow style. */
static void op_is(const char *op, const char *want)
{
	char yaml[1024];
	struct ktstr_scenario *s;

	snprintf(yaml, sizeof(yaml), HEAD BD "steps: [{hold: 1, ops: [%s]}]\n", op);
	s = ok(yaml);
	json_is(json_object_get(json_array_get(s->steps, 0), "ops"), want);
	ktstr_scenario__free(s);
}

/* One op that fails; the op starts at line 3, column 25. */
static void op_bad(const char *op, const char *want)
{
	char yaml[1024];

	snprintf(yaml, sizeof(yaml), HEAD BD "steps: [{hold: 1, ops: [%s]}]\n", op);
	bad(yaml, want);
}

static void test_every_op(void **state)
{
	op_is("{op: add_cgroup, cgroup: cg_2}", "[{\"op\":\"add_cgroup\",\"cgroup\":\"cg_2\"}]");
	op_is("{op: add_cgroup, cgroup: cg_0/sub}",
	      "[{\"op\":\"add_cgroup\",\"cgroup\":\"cg_0/sub\"}]");
	op_is("{op: set_cpuset, cgroup: cg_0, cpuset: {llc: 0}}",
	      "[{\"op\":\"set_cpuset\",\"cgroup\":\"cg_0\",\"cpuset\":{\"llc\":0}}]");
	op_is("{op: clear_cpuset, cgroup: cg_1}",
	      "[{\"op\":\"clear_cpuset\",\"cgroup\":\"cg_1\"}]");
	op_is("{op: swap_cpusets, a: cg_0, b: cg_1}",
	      "[{\"op\":\"swap_cpusets\",\"a\":\"cg_0\",\"b\":\"cg_1\"}]");
	op_is("{op: spawn, cgroup: cg_0, work: {type: YieldHeavy, workers: 1}}",
	      "[{\"op\":\"spawn\",\"cgroup\":\"cg_0\",\"work\":{\"type\":\"YieldHeavy\",\"params\":"
	      "{},\"workers\":1,\"policy\":{\"kind\":\"normal\",\"priority\":0},\"affinity\":{"
	      "\"kind\":\"inherit\",\"cpus\":[]},\"mem_policy\":{\"kind\":\"default\",\"nodes\":[],"
	      "\"flags\":[]}}}]");
	op_is("{op: set_affinity, cgroup: cg_1, affinity: single_cpu}",
	      "[{\"op\":\"set_affinity\",\"cgroup\":\"cg_1\",\"affinity\":{\"kind\":\"single_cpu\","
	      "\"cpus\":[]}}]");
	op_is("{op: spawn_host, work: CpuSpin}",
	      "[{\"op\":\"spawn_host\",\"work\":{\"type\":\"CpuSpin\",\"params\":{},\"workers\":"
	      "null,\"policy\":{\"kind\":\"normal\",\"priority\":0},\"affinity\":{\"kind\":"
	      "\"inherit\",\"cpus\":[]},\"mem_policy\":{\"kind\":\"default\",\"nodes\":[],"
	      "\"flags\":[]}}}]");
	op_is("{op: move_all_tasks, from: cg_0, to: cg_1}",
	      "[{\"op\":\"move_all_tasks\",\"from\":\"cg_0\",\"to\":\"cg_1\"}]");
	/* a step's own cgroups: created, then removed or stopped by the step itself */
	op_is("{op: add_cgroup, cgroup: x}, {op: stop_cgroup, cgroup: x}, "
	      "{op: remove_cgroup, cgroup: x}, {op: add_cgroup, cgroup: x}",
	      "[{\"op\":\"add_cgroup\",\"cgroup\":\"x\"},{\"op\":\"stop_cgroup\",\"cgroup\":\"x\"},"
	      "{\"op\":\"remove_cgroup\",\"cgroup\":\"x\"},{\"op\":\"add_cgroup\",\"cgroup\":\"x\"}"
	      "]");
}

static void test_op_fields_bad(void **state)
{
	op_bad("{op: ad_cgroup, cgroup: x}",
	       "s.yaml:3:30: unknown op \"ad_cgroup\" (did you mean \"add_cgroup\"?)");
	op_bad("{cgroup: x}", "s.yaml:3:25: op is missing the required key \"op\" (add_cgroup, "
			      "set_cpuset, spawn, ...)");
	op_bad("{op: set_cpuset, cgroup: cg_0}",
	       "s.yaml:3:25: op set_cpuset is missing the required key \"cpuset\"");
	op_bad("{op: clear_cpuset, cgroup: cg_0, cpuset: {llc: 0}}",
	       "s.yaml:3:66: cpuset: op clear_cpuset takes no cpuset");
	op_bad(
	    "{op: spawn, cgroup: cg_0, wrk: CpuSpin}",
	    "s.yaml:3:51: unknown key \"wrk\" in op; valid keys: op, cgroup, cpuset, a, b, work, "
	    "affinity, from, to");
	op_bad(
	    "{op: spawn, cgroup: cg_0, work: Spin}",
	    "s.yaml:3:57: unknown work type \"Spin\"; valid: CpuSpin, YieldHeavy, Mixed, IoSync, "
	    "Bursty, PipeIo, FutexPingPong, CachePressure, CacheYield, CachePipe, FutexFanOut, "
	    "FanOutCompute, Sequence, ForkExit, NiceSweep, AffinityChurn, PolicyChurn, "
	    "PageFaultChurn, MutexContention, payload");
	op_bad("{op: set_affinity, cgroup: cg_0, affinity: {kind: exact}}",
	       "s.yaml:3:68: affinity exact needs cpus: [...]");
	op_bad("{op: swap_cpusets, a: cg_0, b: cg_0}",
	       "s.yaml:3:56: swap_cpusets: a and b are the same cgroup \"cg_0\"");
	op_bad("{op: move_all_tasks, from: cg_1, to: cg_1}",
	       "s.yaml:3:62: move_all_tasks: from and to are the same cgroup \"cg_1\"");
	op_bad("{op: add_cgroup, cgroup: cg_0}",
	       "s.yaml:3:50: add_cgroup: cgroup \"cg_0\" already exists");
	op_bad("{op: add_cgroup, cgroup: [x]}",
	       "s.yaml:3:50: cgroup: expected a string, got a list");
	op_bad("[add_cgroup]", "s.yaml:3:25: op: expected a mapping of keys, got a list");
}

static void test_cgroup_names(void **state)
{
	static const char *const bad_names[] = {"a//b", "/a",  "a/",  "..", "a/../b",
						"a b",	"./a", "a/.", ""};

	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		char yaml[256], want[512];

		snprintf(yaml, sizeof(yaml), HEAD "steps: [{hold: 1, cgroups: ['%s']}]\n",
			 bad_names[i]);
		snprintf(
		    want, sizeof(want),
		    "s.yaml:2:29: cgroup \"%s\": a cgroup name is up to 200 letters, digits, _ - "
		    ". with / between nested names (a/b)",
		    bad_names[i]);
		bad(yaml, want);
	}
	bad(HEAD "steps: [{hold: 1, cgroups: [~]}]\n",
	    "s.yaml:2:29: cgroup: expected a name or a mapping {name, cpuset, works}, got nothing");
	struct ktstr_scenario *s = ok(HEAD "steps: [{hold: 1, cgroups: [a.b-c_d/e, A9, x/y/z]}]\n");
	ktstr_scenario__free(s);
	bad(HEAD "steps: [{hold: 1, cgroups: [a, {name: a}]}]\n",
	    "s.yaml:2:39: cgroup \"a\" already exists here");
	bad(HEAD BD "steps: [{hold: 1, cgroups: [cg_1]}]\n",
	    "s.yaml:3:29: cgroup \"cg_1\" already exists here");
	bad(HEAD "steps: [{hold: 1, cgroups: [{name: a, cpu_set: ~}]}]\n",
	    "s.yaml:2:39: unknown key \"cpu_set\" in cgroup (did you mean \"cpuset\"?)");
	bad(HEAD "steps: [{hold: 1, cgroups: [{cpuset: ~}]}]\n",
	    "s.yaml:2:29: cgroup is missing the required key \"name\"");
	bad(HEAD "steps: [{hold: 1, cgroups: [[a]]}]\n",
	    "s.yaml:2:29: cgroup: expected a name or a mapping {name, cpuset, works}, got a list");
	bad(HEAD "steps: [{hold: 1, cgroups: a}]\n",
	    "s.yaml:2:28: cgroups: expected a list of cgroups, got a scalar");
	bad(HEAD "steps: [{hold: 1, cgroups: [{name: a, works: CpuSpin}]}]\n",
	    "s.yaml:2:46: works: expected a list of works, got a scalar");
}

static void test_scopes(void **state)
{
	struct ktstr_scenario *s;

	/* the same step's cgroups, nested parents and an earlier step's add_cgroup */
	s = ok(HEAD BD
	       "steps:\n"
	       "  - hold: 0.5\n"
	       "    cgroups: [n/a]\n"
	       "    ops:\n"
	       "      - {op: set_cpuset, cgroup: n/a, cpuset: {numa: 0}}\n"
	       "      - {op: set_cpuset, cgroup: n, cpuset: {numa: 0}}\n"
	       "      - {op: add_cgroup, cgroup: late}\n"
	       "  - hold: 0.5\n"
	       "    ops: [{op: stop_cgroup, cgroup: late}, {op: remove_cgroup, cgroup: late}]\n");
	ktstr_scenario__free(s);
	/* the backdrop's own ops see its cgroups and add_cgroups */
	s = ok(HEAD "backdrop:\n  cgroups: [b]\n  ops: [{op: add_cgroup, cgroup: c}, "
		    "{op: move_all_tasks, from: b, to: c}, {op: remove_cgroup, cgroup: b}]\n"
		    "steps: [{hold: 1, ops: [{op: stop_cgroup, cgroup: x}], cgroups: [x]}]\n");
	ktstr_scenario__free(s);
	/* a step-local cgroup ends with its step */
	bad(HEAD "steps:\n  - {hold: 0.5, cgroups: [x]}\n"
		 "  - {hold: 0.5, ops: [{op: stop_cgroup, cgroup: x}]}\n",
	    "s.yaml:4:49: cgroup: no cgroup \"x\" exists here; declare it in the backdrop or this "
	    "step, or add it with add_cgroup first");
	bad(HEAD "backdrop: {ops: [{op: clear_cpuset, cgroup: nowhere}]}\nsteps: [{hold: 1}]\n",
	    "s.yaml:2:45: cgroup: no cgroup \"nowhere\" exists here; declare it in the backdrop "
	    "or this step, or add it with add_cgroup first");
	bad(HEAD "steps: [{hold: 1, ops: [{op: add_cgroup, cgroup: y}, {op: remove_cgroup, "
		 "cgroup: y}, {op: spawn, cgroup: y, work: CpuSpin}]}]\n",
	    "s.yaml:2:106: cgroup: no cgroup \"y\" exists here; declare it in the backdrop or this "
	    "step, or add it with add_cgroup first");
	op_bad("{op: swap_cpusets, a: cg_0, b: cg_9}",
	       "s.yaml:3:56: b: no cgroup \"cg_9\" exists here; declare it in the backdrop or this "
	       "step, or add it with add_cgroup first");
	/* steps may not remove or stop backdrop cgroups, nor move their tasks into their own */
	op_bad("{op: remove_cgroup, cgroup: cg_0}",
	       "s.yaml:3:53: remove_cgroup: \"cg_0\" belongs to the backdrop; a step may not "
	       "remove or stop it");
	op_bad(
	    "{op: stop_cgroup, cgroup: cg_1}",
	    "s.yaml:3:51: stop_cgroup: \"cg_1\" belongs to the backdrop; a step may not remove or "
	    "stop it");
	bad(HEAD "backdrop: {ops: [{op: add_cgroup, cgroup: p}]}\n"
		 "steps: [{hold: 1, ops: [{op: remove_cgroup, cgroup: p}]}]\n",
	    "s.yaml:3:53: remove_cgroup: \"p\" belongs to the backdrop; a step may not remove or "
	    "stop it");
	bad(HEAD BD "steps: [{hold: 1, cgroups: [mine], ops: [{op: move_all_tasks, from: cg_0, "
		    "to: mine}]}]\n",
	    "s.yaml:3:79: move_all_tasks: a step may not move the tasks of backdrop cgroup "
	    "\"cg_0\" into its own \"mine\"");
	s = ok(HEAD BD "steps: [{hold: 1, cgroups: [mine], ops: [{op: move_all_tasks, from: mine, "
		       "to: cg_0}]}]\n");
	ktstr_scenario__free(s);
	bad(HEAD "steps: [{hold: 1, cgroups: [p/q], ops: [{op: remove_cgroup, cgroup: p}]}]\n",
	    "s.yaml:2:69: remove_cgroup: \"p\" still has nested cgroups; remove those first");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_op),
	    cmocka_unit_test(test_op_fields_bad),
	    cmocka_unit_test(test_cgroup_names),
	    cmocka_unit_test(test_scopes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
