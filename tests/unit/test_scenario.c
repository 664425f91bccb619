/*
 * The scenario YAML parser (core/scenario.h): every key good and bad, with the
 * exact file:line:col message, and the spec v2 JSON each form turns into.
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

/* The first step's JSON for a scenario whose only step is @p step (YAML flow). */
static void step_is(const char *step, const char *want)
{
	char yaml[1024];
	struct ktstr_scenario *s;

	snprintf(yaml, sizeof(yaml), HEAD "steps: [%s]\n", step);
	s = ok(yaml);
	json_is(json_array_get(s->steps, 0), want);
	ktstr_scenario__free(s);
}

/* The first work of the only cgroup of the only step. */
static void work_is(const char *work, const char *want)
{
	char yaml[1024];
	struct ktstr_scenario *s;

	snprintf(yaml, sizeof(yaml), HEAD "steps: [{hold: 1, cgroups: [{name: a, works: [%s]}]}]\n",
		 work);
	s = ok(yaml);
	json_is(json_array_get(
		    json_object_get(
			json_array_get(json_object_get(json_array_get(s->steps, 0), "cgroups"), 0),
			"works"),
		    0),
		want);
	ktstr_scenario__free(s);
}

/* A work that fails; it starts at line 3, column 41. */
static void work_bad(const char *work, const char *want)
{
	char yaml[1024];

	snprintf(yaml, sizeof(yaml),
		 HEAD "steps:\n- {hold: 1, cgroups: [{name: a, works: [%s]}]}\n", work);
	bad(yaml, want);
}

static void test_minimal(void **state)
{
	struct ktstr_scenario *s = ok(HEAD "steps: [{hold: 1}]\n");

	assert_string_equal(s->name, "t");
	assert_null(s->description);
	assert_int_equal(s->req.min_cpus, 0);
	assert_false(s->req.smt);
	json_is(s->checks, "{}");
	json_is(s->backdrop, "{\"cgroups\":[],\"ops\":[]}");
	json_is(s->steps,
		"[{\"hold\":{\"frac\":1.0,\"plus_settle\":false},\"cgroups\":[],\"ops\":[]}]");
	json_t *spec = ktstr_scenario__spec(s);
	json_is(spec,
		"{\"name\":\"t\",\"backdrop\":{\"cgroups\":[],\"ops\":[]},\"steps\":[{\"hold\":"
		"{\"frac\":1.0,\"plus_settle\":false},\"cgroups\":[],\"ops\":[]}]}");
	json_decref(spec);
	ktstr_scenario__free(s);
	ktstr_scenario__free(NULL);
}

static void test_top_keys(void **state)
{
	struct ktstr_scenario *s =
	    ok("name: full.v2\ndescription: all of it\n"
	       "requires: {min_cpus: 4, min_llcs: 2, min_numa_nodes: 2, min_cpus_per_llc: 2, "
	       "smt: true}\n"
	       "checks: {max_gap_ms: 3000, isolation: true, max_spread_pct: null}\n"
	       "backdrop: {cgroups: [cg_0]}\nsteps: [{hold: 2s}]\n");

	assert_string_equal(s->name, "full.v2");
	assert_string_equal(s->description, "all of it");
	assert_int_equal(s->req.min_cpus, 4);
	assert_int_equal(s->req.min_llcs, 2);
	assert_int_equal(s->req.min_numa_nodes, 2);
	assert_int_equal(s->req.min_cpus_per_llc, 2);
	assert_true(s->req.smt);
	json_is(s->checks, "{\"max_gap_ms\":3000,\"isolation\":true,\"max_spread_pct\":null}");
	json_is(s->backdrop, "{\"cgroups\":[{\"name\":\"cg_0\",\"cpuset\":null,\"works\":[]}],"
			     "\"ops\":[]}");
	ktstr_scenario__free(s);
	s = ok(HEAD "requires:\nbackdrop:\nsteps: [{hold: 1}]\n");
	json_is(s->backdrop, "{\"cgroups\":[],\"ops\":[]}");
	ktstr_scenario__free(s);
}

static void test_top_bad(void **state)
{
	bad("", "s.yaml:1:1: expected the scenario to be a mapping of keys (name:, steps:, ...), "
		"got nothing");
	bad("[1]\n", "s.yaml:1:1: expected the scenario to be a mapping of keys (name:, steps:, "
		     "...), got a list");
	bad("steps: [{hold: 1}]\n", "s.yaml:1:1: scenario is missing the required key \"name\"");
	bad(HEAD, "s.yaml:1:1: scenario is missing the required key \"steps\"");
	bad(HEAD "steps: []\n", "s.yaml:2:8: steps: the list is empty; give at least one step (it "
				"holds the scenario for its duration)");
	bad(HEAD "steps: {hold: 1}\n",
	    "s.yaml:2:8: steps: expected a list of steps, got a mapping");
	bad(HEAD "stpes: []\n", "s.yaml:2:1: unknown key \"stpes\" in scenario (did you mean "
				"\"steps\"?)");
	bad("name: a b\nsteps: [{hold: 1}]\n",
	    "s.yaml:1:7: scenario name \"a b\": use only letters, digits and . _ + -, starting "
	    "with a letter, digit or _ (names become part of test names)");
	bad(HEAD "name: u\nsteps: [{hold: 1}]\n",
	    "s.yaml:2:1: duplicate key \"name\" in scenario (first at line 1)");
	bad(HEAD "description: [x]\nsteps: [{hold: 1}]\n",
	    "s.yaml:2:14: description: expected a string, got a list");
	bad(HEAD "steps: [{hold: 1}]\n---\nname: u\n",
	    "s.yaml:4:1: a scenario is a single YAML document; remove this second one (or the "
	    "\"---\" before it)");
	bad(HEAD "steps: [{hold: 1}\n",
	    "s.yaml:3:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow "
	    "sequence)");
}

static void test_requires_bad(void **state)
{
	bad(HEAD "requires: {min_cpus: 0}\nsteps: [{hold: 1}]\n",
	    "s.yaml:2:22: min_cpus: must be at least 1, got 0");
	bad(HEAD "requires: {min_llc: 2}\nsteps: [{hold: 1}]\n",
	    "s.yaml:2:12: unknown key \"min_llc\" in requires (did you mean \"min_llcs\"?)");
	bad(HEAD "requires: {smt: maybe}\nsteps: [{hold: 1}]\n",
	    "s.yaml:2:17: smt: expected true or false, got \"maybe\"");
	bad(HEAD "requires: [1]\nsteps: [{hold: 1}]\n",
	    "s.yaml:2:11: requires: expected a mapping of keys, got a list");
}

static void test_checks(void **state)
{
	struct ktstr_scenario *s =
	    ok(HEAD "checks:\n  not_starved: false\n  isolation: yes\n  max_gap_ms: 10\n"
		    "  max_spread_pct: 2.5\n  max_throughput_cv: 0.1\n  min_work_rate: 1e3\n"
		    "  max_p99_wake_latency_ns: 1000\n  max_median_wake_latency_ns: 500\n"
		    "  max_wake_latency_cv: 1\n  min_iteration_rate: 3\n"
		    "  max_migration_ratio: 0.5\n  max_run_delay_us: 7\n"
		    "steps: [{hold: 1}]\n");

	json_is(
	    s->checks,
	    "{\"not_starved\":false,\"isolation\":true,\"max_gap_ms\":10,\"max_spread_pct\":2.5,"
	    "\"max_throughput_cv\":0.10000000000000001,\"min_work_rate\":1000.0,"
	    "\"max_p99_wake_latency_ns\":1000,\"max_median_wake_latency_ns\":500,"
	    "\"max_wake_latency_cv\":1.0,\"min_iteration_rate\":3.0,\"max_migration_ratio\":0.5,"
	    "\"max_run_delay_us\":7}");
	ktstr_scenario__free(s);
	bad(HEAD "checks: {max_gap_m: 1}\nsteps: [{hold: 1}]\n",
	    "s.yaml:2:10: unknown check \"max_gap_m\" (did you mean \"max_gap_ms\"?)");
	bad(HEAD "checks: {frobnicate: 1}\nsteps: [{hold: 1}]\n",
	    "s.yaml:2:10: unknown check \"frobnicate\"; valid: not_starved, isolation, max_gap_ms, "
	    "max_spread_pct, max_throughput_cv, min_work_rate, max_p99_wake_latency_ns, "
	    "max_median_wake_latency_ns, max_wake_latency_cv, min_iteration_rate, "
	    "max_migration_ratio, max_run_delay_us");
	bad(HEAD "checks: {max_gap_ms: 1.5}\nsteps: [{hold: 1}]\n",
	    "s.yaml:2:22: max_gap_ms: expected an integer >= 0, got \"1.5\"");
	bad(HEAD "checks: {max_spread_pct: -1}\nsteps: [{hold: 1}]\n",
	    "s.yaml:2:26: max_spread_pct: must be at least 0, got -1");
	bad(HEAD "checks: {max_spread_pct: nan}\nsteps: [{hold: 1}]\n",
	    "s.yaml:2:26: max_spread_pct: expected a number, got \"nan\"");
	bad(HEAD "checks: {max_spread_pct: 0x10}\nsteps: [{hold: 1}]\n",
	    "s.yaml:2:26: max_spread_pct: expected a number, got \"0x10\"");
	bad(HEAD "checks: {not_starved: 1}\nsteps: [{hold: 1}]\n",
	    "s.yaml:2:23: not_starved: expected true or false, got \"1\"");
	bad(HEAD "checks: [1]\nsteps: [{hold: 1}]\n",
	    "s.yaml:2:9: checks: expected a mapping of keys, got a list");
}

static void test_holds(void **state)
{
	step_is("{hold: 0.5}",
		"{\"hold\":{\"frac\":0.5,\"plus_settle\":false},\"cgroups\":[],\"ops\":[]}");
	step_is("{hold: 2s}", "{\"hold\":{\"fixed_ms\":2000},\"cgroups\":[],\"ops\":[]}");
	step_is("{hold: 250ms}", "{\"hold\":{\"fixed_ms\":250},\"cgroups\":[],\"ops\":[]}");
	step_is("{hold: {fixed: 1m}}", "{\"hold\":{\"fixed_ms\":60000},\"cgroups\":[],\"ops\":[]}");
	step_is("{hold: {loop: 100ms}}", "{\"hold\":{\"loop_ms\":100},\"cgroups\":[],\"ops\":[]}");
	step_is("{hold: {frac: 0.25, plus_settle: true}}",
		"{\"hold\":{\"frac\":0.25,\"plus_settle\":true},\"cgroups\":[],\"ops\":[]}");
	step_is("{hold: {frac: 1}}",
		"{\"hold\":{\"frac\":1.0,\"plus_settle\":false},\"cgroups\":[],\"ops\":[]}");
}

static void test_holds_bad(void **state)
{
	bad(HEAD "steps: [{hold: 0}]\n", "s.yaml:2:16: hold: 0 holds for no time; give a fraction "
					 "in (0, 1] or a time such as 2s");
	bad(HEAD "steps: [{hold: 1.5}]\n", "s.yaml:2:16: hold: expected a fraction of the duration "
					   "in (0, 1] or a time such as 2s or 500ms, got \"1.5\"");
	bad(HEAD "steps: [{hold: 0s}]\n", "s.yaml:2:16: hold: duration must be greater than zero");
	bad(HEAD "steps: [{hold: 2 s}]\n",
	    "s.yaml:2:16: hold: expected a duration: whole seconds, or a whole number with ms, s "
	    "or m (e.g. 500ms, 2s, 1m), got \"2 s\"");
	bad(HEAD "steps: [{hold: {loop: 0ms}}]\n",
	    "s.yaml:2:23: hold loop: duration must be greater than zero");
	bad(HEAD "steps: [{hold: {fixed: 0s}}]\n",
	    "s.yaml:2:24: hold fixed: duration must be greater than zero");
	bad(HEAD "steps: [{hold: {frac: 0}}]\n",
	    "s.yaml:2:23: hold frac: must be above 0 (a fraction of the duration in (0, 1])");
	bad(HEAD "steps: [{hold: {frac: 2}}]\n",
	    "s.yaml:2:23: hold frac: 2 is out of range [0, 1]");
	bad(HEAD "steps: [{hold: {frac: 0.5, fixed: 1s}}]\n",
	    "s.yaml:2:16: hold: give one of {frac, plus_settle}, {fixed} or {loop}");
	bad(HEAD "steps: [{hold: {}}]\n",
	    "s.yaml:2:16: hold: give one of {frac, plus_settle}, {fixed} or {loop}");
	bad(HEAD "steps: [{hold: {plus_settle: true}}]\n",
	    "s.yaml:2:16: hold: plus_settle needs frac");
	bad(HEAD "steps: [{hold: {frac: 0.5, plus_settle: 2}}]\n",
	    "s.yaml:2:41: plus_settle: expected true or false, got \"2\"");
	bad(HEAD "steps: [{hold: {lop: 1s}}]\n",
	    "s.yaml:2:17: unknown hold key \"lop\" (did you mean \"loop\"?)");
	bad(HEAD "steps: [{hold: [1]}]\n",
	    "s.yaml:2:16: hold: expected a fraction (0.5), a time (2s) or a mapping {frac, "
	    "plus_settle} / {fixed} / {loop}, got a list");
	bad(HEAD "steps: [{cgroups: [a]}]\n",
	    "s.yaml:2:9: step is missing the required key \"hold\"");
	bad(HEAD "steps: [~]\n", "s.yaml:2:9: step: expected a mapping of keys, got nothing");
	bad(HEAD "steps: [{hold: 1, opz: []}]\n",
	    "s.yaml:2:19: unknown key \"opz\" in step (did you mean \"ops\"?)");
}

static void test_cpusets(void **state)
{
	static const char *const forms[][2] = {
	    {"{llc: 1}", "{\"llc\":1}"},
	    {"{numa: 0}", "{\"numa\":0}"},
	    {"{range: [0, 0.5]}", "{\"range\":[0.0,0.5]}"},
	    {"{disjoint: {index: 1, of: 2}}", "{\"disjoint\":{\"index\":1,\"of\":2}}"},
	    {"{overlap: {index: 0, of: 3, frac: 0.5}}",
	     "{\"overlap\":{\"index\":0,\"of\":3,\"frac\":0.5}}"},
	    {"{exact: [3, 1]}", "{\"exact\":[3,1]}"},
	};

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		char yaml[256], want[512];

		snprintf(yaml, sizeof(yaml), "{hold: 1, cgroups: [{name: a, cpuset: %s}]}",
			 forms[i][0]);
		snprintf(want, sizeof(want),
			 "{\"hold\":{\"frac\":1.0,\"plus_settle\":false},\"cgroups\":[{\"name\":"
			 "\"a\",\"cpuset\":%s,\"works\":[]}],\"ops\":[]}",
			 forms[i][1]);
		step_is(yaml, want);
	}
	step_is("{hold: 1, cgroups: [{name: a, cpuset: ~}]}",
		"{\"hold\":{\"frac\":1.0,\"plus_settle\":false},\"cgroups\":[{\"name\":\"a\","
		"\"cpuset\":null,\"works\":[]}],\"ops\":[]}");
}

/* A cpuset that fails; it starts at line 2, column 47. */
static void cpuset_bad(const char *cpuset, const char *want)
{
	char yaml[512];

	snprintf(yaml, sizeof(yaml), HEAD "steps: [{hold: 1, cgroups: [{name: a, cpuset: %s}]}]\n",
		 cpuset);
	bad(yaml, want);
}

static void test_cpusets_bad(void **state)
{
	cpuset_bad("{disjoint: {index: 2, of: 2}}",
		   "s.yaml:2:58: disjoint: index 2 must be below of (2)");
	cpuset_bad("{disjoint: {index: 0, of: 0}}", "s.yaml:2:73: of: must be at least 1, got 0");
	cpuset_bad("{disjoint: {index: 0, of: 2, frac: 0.5}}",
		   "s.yaml:2:76: unknown key \"frac\" in disjoint; valid keys: index, of");
	cpuset_bad("{disjoint: {of: 2}}",
		   "s.yaml:2:58: disjoint is missing the required key \"index\"");
	cpuset_bad("{overlap: {index: 0, of: 2}}",
		   "s.yaml:2:57: overlap is missing the required key \"frac\"");
	cpuset_bad("{overlap: {index: 0, of: 2, frac: 1.5}}",
		   "s.yaml:2:81: frac: 1.5 is out of range [0, 1]");
	cpuset_bad("{range: [0.5, 0.5]}", "s.yaml:2:55: range: start 0.5 must be below end 0.5");
	cpuset_bad("{range: [0, 2]}", "s.yaml:2:59: range: 2 is out of range [0, 1]");
	cpuset_bad("{range: [0]}",
		   "s.yaml:2:55: range: expected [start, end] (two fractions of the usable CPUs), "
		   "got 1 values");
	cpuset_bad("{exact: []}", "s.yaml:2:55: exact: the list is empty; give at least one");
	cpuset_bad("{exact: [1, 1]}", "s.yaml:2:59: exact: 1 is listed twice");
	cpuset_bad("{exact: [-1]}", "s.yaml:2:56: exact: expected an integer >= 0, got \"-1\"");
	cpuset_bad("{llc: 0, numa: 0}",
		   "s.yaml:2:47: cpuset: expected a mapping with one key of: llc, numa, range, "
		   "disjoint, overlap, exact; got a mapping with another number of keys");
	cpuset_bad("{lcc: 0}", "s.yaml:2:48: unknown cpuset \"lcc\" (did you mean \"llc\"?)");
	cpuset_bad("llc", "s.yaml:2:47: cpuset: expected a mapping with one key of: llc, numa, "
			  "range, disjoint, overlap, exact; got a scalar");
}

static void test_works(void **state)
{
	static const char defaults[] =
	    "\"policy\":{\"kind\":\"normal\",\"priority\":0},\"affinity\":{\"kind\":\"inherit\","
	    "\"cpus\":[]},\"mem_policy\":{\"kind\":\"default\",\"nodes\":[],\"flags\":[]}}";
	char want[1024];

	snprintf(want, sizeof(want), "{\"type\":\"CpuSpin\",\"params\":{},\"workers\":null,%s",
		 defaults);
	work_is("CpuSpin", want);
	snprintf(want, sizeof(want),
		 "{\"type\":\"Bursty\",\"params\":{\"burst_ms\":5,\"sleep_ms\":0},\"workers\":3,%s",
		 defaults);
	work_is("{type: Bursty, workers: 3, params: {burst_ms: 5, sleep_ms: 0}}", want);
	work_is("{type: YieldHeavy, policy: fifo, affinity: random_subset, mem_policy: local}",
		"{\"type\":\"YieldHeavy\",\"params\":{},\"workers\":null,\"policy\":{\"kind\":"
		"\"fifo\",\"priority\":1},\"affinity\":{\"kind\":\"random_subset\",\"cpus\":[]},"
		"\"mem_policy\":{\"kind\":\"local\",\"nodes\":[],\"flags\":[]}}");
	work_is(
	    "{type: Mixed, policy: {kind: rr, priority: 99}, affinity: {kind: exact, cpus: "
	    "[0, 2]}, mem_policy: {kind: bind, nodes: [0, 1], flags: [static_nodes, "
	    "numa_balancing]}}",
	    "{\"type\":\"Mixed\",\"params\":{},\"workers\":null,\"policy\":{\"kind\":\"rr\","
	    "\"priority\":99},\"affinity\":{\"kind\":\"exact\",\"cpus\":[0,2]},\"mem_policy\":"
	    "{\"kind\":\"bind\",\"nodes\":[0,1],\"flags\":[\"static_nodes\",\"numa_balancing\"]}"
	    "}");
	work_is(
	    "{type: IoSync, policy: {kind: batch}, mem_policy: {kind: preferred, nodes: [1]}}",
	    "{\"type\":\"IoSync\",\"params\":{},\"workers\":null,\"policy\":{\"kind\":\"batch\","
	    "\"priority\":0},\"affinity\":{\"kind\":\"inherit\",\"cpus\":[]},\"mem_policy\":{"
	    "\"kind\":\"preferred\",\"nodes\":[1],\"flags\":[]}}");
	snprintf(want, sizeof(want),
		 "{\"type\":\"Sequence\",\"params\":{\"phases\":[{\"kind\":\"spin\",\"ms\":10},"
		 "{\"kind\":\"io\",\"ms\":5}]},\"workers\":null,%s",
		 defaults);
	work_is("{type: Sequence, params: {phases: [{kind: spin, ms: 10}, {kind: io, ms: 5}]}}",
		want);
	snprintf(want, sizeof(want), "{\"type\":\"payload\",\"params\":{},\"workers\":1,%s",
		 defaults);
	want[strlen(want) - 1] = '\0';
	strcat(want, ",\"payload\":{\"path\":\"/payload/stress\",\"args\":[\"-c\",\"1\"]}}");
	work_is("{type: payload, workers: 1, payload: {path: /payload/stress, args: [-c, '1']}}",
		want);
}

static void test_work_groups(void **state)
{
	static const char *const good[] = {
	    "{type: PipeIo, workers: 4}",
	    "{type: FutexPingPong, workers: 2}",
	    "{type: CachePipe, workers: 6, params: {size_kb: 64, burst_iters: 8}}",
	    "{type: FutexFanOut, workers: 5}",
	    "{type: FutexFanOut, workers: 8, params: {fan_out: 3}}",
	    "{type: FanOutCompute, workers: 10, params: {fan_out: 4, cache_footprint_kb: 8, "
	    "operations: 2, sleep_usec: 0}}",
	    "{type: MutexContention, workers: 6, params: {contenders: 3, hold_iters: 1, "
	    "work_iters: 1}}",
	    "{type: MutexContention, workers: 8}",
	    "{type: PipeIo}",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char yaml[512];
		struct ktstr_scenario *s;

		snprintf(yaml, sizeof(yaml),
			 HEAD "steps: [{hold: 1, cgroups: [{name: a, works: [%s]}]}]\n", good[i]);
		s = ok(yaml);
		ktstr_scenario__free(s);
	}
	work_bad("{type: PipeIo, workers: 3}", "s.yaml:3:65: workers: PipeIo runs in groups of 2; "
					       "3 is not a multiple of 2");
	work_bad("{type: FutexFanOut, workers: 4}",
		 "s.yaml:3:70: workers: FutexFanOut runs in groups of 5; 4 is not a multiple of 5");
	work_bad("{type: FutexFanOut, workers: 5, params: {fan_out: 3}}",
		 "s.yaml:3:70: workers: FutexFanOut runs in groups of 4; 5 is not a multiple of 4");
	work_bad("{type: MutexContention, workers: 6}",
		 "s.yaml:3:74: workers: MutexContention runs in groups of 4; 6 is not a multiple "
		 "of 4");
	work_bad("{type: CpuSpin, workers: 0}", "s.yaml:3:66: workers: must be at least 1, got 0");
}

static void test_works_bad(void **state)
{
	work_bad("CpuSpn", "s.yaml:3:41: unknown work type \"CpuSpn\" (did you mean \"CpuSpin\"?)");
	work_bad("Frob", "s.yaml:3:41: unknown work type \"Frob\"; valid: CpuSpin, YieldHeavy, "
			 "Mixed, IoSync, Bursty, PipeIo, FutexPingPong, CachePressure, CacheYield, "
			 "CachePipe, FutexFanOut, FanOutCompute, Sequence, ForkExit, NiceSweep, "
			 "AffinityChurn, PolicyChurn, PageFaultChurn, MutexContention, payload");
	work_bad("{workers: 2}", "s.yaml:3:41: work is missing the required key \"type\"");
	work_bad("{type: CpuSpin, params: {spin_iters: 1}}",
		 "s.yaml:3:66: params: CpuSpin takes no params, got \"spin_iters\"");
	work_bad("{type: Bursty, params: {burst: 1}}",
		 "s.yaml:3:65: params: Bursty has no param \"burst\"; valid: burst_ms, sleep_ms");
	work_bad("{type: PipeIo, params: {burst_iter: 1}}",
		 "s.yaml:3:65: params: PipeIo has no param \"burst_iter\" (did you mean "
		 "\"burst_iters\"?); valid: burst_iters");
	work_bad("{type: Bursty, params: {burst_ms: 0}}",
		 "s.yaml:3:75: burst_ms: must be at least 1, got 0");
	work_bad("{type: Bursty, params: [1]}",
		 "s.yaml:3:64: params: expected a mapping of keys, got a list");
	work_bad("{type: Sequence, params: {phases: []}}",
		 "s.yaml:3:75: phases: the list is empty; give at least one phase");
	work_bad("{type: Sequence, params: {phases: [{kind: run, ms: 1}]}}",
		 "s.yaml:3:83: unknown phase kind \"run\"; valid: spin, sleep, yield, io");
	work_bad("{type: Sequence, params: {phases: [{kind: spin}]}}",
		 "s.yaml:3:76: phase is missing the required key \"ms\"");
	work_bad("{type: CpuSpin, policy: realtime}",
		 "s.yaml:3:65: unknown policy \"realtime\"; valid: normal, batch, idle, fifo, rr");
	work_bad("{type: CpuSpin, policy: {kind: rr, priority: 100}}",
		 "s.yaml:3:86: priority: a real-time priority is 1..99, got 100");
	work_bad("{type: CpuSpin, policy: {kind: normal, priority: 1}}",
		 "s.yaml:3:90: priority: only fifo and rr take a priority");
	work_bad("{type: CpuSpin, policy: {priority: 1}}",
		 "s.yaml:3:65: policy is missing the required key \"kind\"");
	work_bad("{type: CpuSpin, policy: {kind: fifo, prio: 1}}",
		 "s.yaml:3:78: unknown key \"prio\" in policy; valid keys: kind, priority");
	work_bad("{type: CpuSpin, policy: {kind: fifo, kind: rr}}",
		 "s.yaml:3:78: duplicate key \"kind\" in policy (first at line 3)");
	work_bad("{type: CpuSpin, affinity: exact}",
		 "s.yaml:3:67: affinity exact needs cpus: [...]");
	work_bad("{type: CpuSpin, affinity: {kind: inherit, cpus: [1]}}",
		 "s.yaml:3:89: cpus: only affinity exact takes cpus");
	work_bad("{type: CpuSpin, affinity: [1]}",
		 "s.yaml:3:67: affinity: expected a kind or a mapping {kind, ...}, got a list");
	work_bad("{type: CpuSpin, mem_policy: bind}",
		 "s.yaml:3:69: mem_policy bind needs nodes: [...]");
	work_bad("{type: CpuSpin, mem_policy: {kind: local, nodes: [0]}}",
		 "s.yaml:3:90: nodes: mem_policy local takes no nodes");
	work_bad("{type: CpuSpin, mem_policy: {kind: preferred, nodes: [0, 1]}}",
		 "s.yaml:3:94: nodes: mem_policy preferred takes one node");
	work_bad("{type: CpuSpin, mem_policy: {kind: interleave, nodes: [0], flags: [static]}}",
		 "s.yaml:3:108: unknown mem_policy flag \"static\"; valid: static_nodes, "
		 "relative_nodes, numa_balancing");
	work_bad("{type: payload}", "s.yaml:3:48: work type payload needs payload: {path, args}");
	work_bad("{type: CpuSpin, payload: {path: /x}}",
		 "s.yaml:3:66: payload: only work type payload takes one");
	work_bad("{type: payload, payload: {path: x}}",
		 "s.yaml:3:66: payload path \"x\": give the absolute path the guest runs "
		 "(/payload/NAME)");
	work_bad("{type: payload, payload: {args: [a]}}",
		 "s.yaml:3:66: payload is missing the required key \"path\"");
	work_bad("[CpuSpin]",
		 "s.yaml:3:41: work: expected a work type or a mapping {type, workers, "
		 "params, ...}, got a list");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_minimal),	cmocka_unit_test(test_top_keys),
	    cmocka_unit_test(test_top_bad),	cmocka_unit_test(test_requires_bad),
	    cmocka_unit_test(test_checks),	cmocka_unit_test(test_holds),
	    cmocka_unit_test(test_holds_bad),	cmocka_unit_test(test_cpusets),
	    cmocka_unit_test(test_cpusets_bad), cmocka_unit_test(test_works),
	    cmocka_unit_test(test_work_groups), cmocka_unit_test(test_works_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
