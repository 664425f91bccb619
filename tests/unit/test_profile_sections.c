/*
 * Profile v1 list sections: topologies, schedulers, flag sets and scenarios,
 * each form good and bad with the exact file:line:col message, and
 * duplicate detection.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "profile.h"

#define TOPO "topologies: [1n1l1c1t]\n"
#define SCEN "scenarios: [steady]\n"

static struct ktstr_profile *parse_ok(const char *yaml)
{
	struct ktstr_profile *p = NULL;
	char err[512] = "";
	int rc =
	    ktstr_profile__parse("/etc/ktstr/p.yaml", yaml, strlen(yaml), &p, err, sizeof(err));

	if (rc != 0) {
		fail_msg("unexpected error %d: %s", rc, err);
	}
	return p;
}

static void parse_bad(const char *yaml, const char *want)
{
	struct ktstr_profile *p = NULL;
	char err[512] = "";
	int rc = ktstr_profile__parse("p.yaml", yaml, strlen(yaml), &p, err, sizeof(err));

	assert_int_equal(rc, -EINVAL);
	assert_string_equal(err, want);
	assert_null(p);
}

/* ---- topologies ---- */

static void test_topologies_forms(void **state)
{
	struct ktstr_profile *p =
	    parse_ok(SCEN "topologies:\n"
			  "  - 1n2l2c1t\n"
			  "  - tiny-2llc\n"
			  "  - max-cpu\n"
			  "  - {numa: 2, llcs: 4, cores: 1, threads: 1, memory_mb: 1024}\n"
			  "  - {llcs: 3, cores: 2}\n");

	assert_int_equal(p->ntopos, 5);
	assert_string_equal(p->topos[0].label, "1n2l2c1t");
	assert_int_equal(p->topos[0].topo.llcs, 2);
	assert_int_equal(p->topos[0].memory_mb, 0);
	assert_string_equal(p->topos[1].label, "tiny-2llc");
	assert_int_equal(p->topos[1].topo.cores, 2);
	assert_int_equal(p->topos[1].memory_mb, 2048);
	assert_int_equal(p->topos[2].memory_mb, 4096);
	assert_string_equal(p->topos[3].label, "2n4l1c1t");
	assert_int_equal(p->topos[3].topo.numa_nodes, 2);
	assert_int_equal(p->topos[3].memory_mb, 1024);
	/* numa and threads default to 1 */
	assert_string_equal(p->topos[4].label, "1n3l2c1t");
	assert_int_equal(p->topos[4].memory_mb, 0);
	ktstr_profile__free(p);
}

static void test_topologies_bad(void **state)
{
	parse_bad(SCEN "topologies: []\n",
		  "p.yaml:2:13: topologies: the list is empty; give at least one topology");
	parse_bad(SCEN "topologies:\n",
		  "p.yaml:2:12: topologies: expected a list of topologies, got nothing");
	parse_bad(SCEN "topologies: 1n1l1c1t\n",
		  "p.yaml:2:13: topologies: expected a list of topologies, got a scalar");
	parse_bad(SCEN "topologies:\n  - 1n1l1c1t\n  - 2n3l2c1t\n",
		  "p.yaml:4:5: topology \"2n3l2c1t\": 3 LLCs do not divide evenly into 2 NUMA "
		  "nodes (LLCs must be a multiple of NUMA nodes)");
	parse_bad(SCEN "topologies: [0n1l1c1t]\n",
		  "p.yaml:2:14: topology \"0n1l1c1t\": NUMA nodes must be at least 1");
	parse_bad(SCEN "topologies: [tiny-2lc]\n",
		  "p.yaml:2:14: unknown topology \"tiny-2lc\" (did you mean \"tiny-2llc\"?)");
	parse_bad(SCEN "topologies: [1n2l2c1tx]\n",
		  "p.yaml:2:14: unknown topology \"1n2l2c1tx\": expected a preset name (e.g. "
		  "tiny-2llc) or {numa}n{llcs}l{cores}c{threads}t (e.g. 1n2l4c1t)");
	parse_bad(SCEN "topologies: [1n99999999999l1c1t]\n",
		  "p.yaml:2:14: topology \"1n99999999999l1c1t\": a count is too large");
	parse_bad(SCEN "topologies: [[1]]\n",
		  "p.yaml:2:14: topology: expected a name (1n2l4c1t, tiny-2llc) or a mapping "
		  "{numa, llcs, cores, threads, memory_mb}, got a list");
	parse_bad(SCEN "topologies: [~]\n",
		  "p.yaml:2:14: topology: expected a name (1n2l4c1t, tiny-2llc) or a mapping "
		  "{numa, llcs, cores, threads, memory_mb}, got nothing");
	parse_bad(SCEN "topologies: [{numa: 2, llcs: 3, cores: 1}]\n",
		  "p.yaml:2:14: topology 2n3l1c1t: 3 LLCs do not divide evenly into 2 NUMA nodes "
		  "(LLCs must be a multiple of NUMA nodes)");
	parse_bad(SCEN "topologies: [{llcs: 14, cores: 10, threads: 2}]\n",
		  "p.yaml:2:14: topology 1n14l10c2t: 280 vCPUs (LLCs x cores x threads) exceed the "
		  "limit of 252");
	parse_bad(SCEN "topologies: [{llcs: 2}]\n",
		  "p.yaml:2:14: topology is missing the required key \"cores\"");
	parse_bad(SCEN "topologies: [{llcs: 2, cores: 0}]\n",
		  "p.yaml:2:31: cores: must be at least 1, got 0");
	parse_bad(SCEN "topologies: [{llcs: 2, cores: two}]\n",
		  "p.yaml:2:31: cores: expected an integer >= 1, got \"two\"");
	parse_bad(SCEN "topologies: [{llcs: 2, cores: 2, thread: 2}]\n",
		  "p.yaml:2:34: unknown key \"thread\" in topology (did you mean \"threads\"?)");
	parse_bad(SCEN "topologies: [{llcs: 2, cores: 2, memory_mb: 0}]\n",
		  "p.yaml:2:45: memory_mb: must be at least 1, got 0");
}

static void test_topologies_duplicates(void **state)
{
	parse_bad(SCEN "topologies:\n  - 1n2l2c1t\n  - tiny-1llc\n  - 1n2l2c1t\n",
		  "p.yaml:5:5: duplicate topology \"1n2l2c1t\" (first at line 3)");
	/* a map is labelled with its compact name, so it collides with that name */
	parse_bad(SCEN "topologies:\n  - 1n2l2c1t\n  - {llcs: 2, cores: 2}\n",
		  "p.yaml:4:5: duplicate topology \"1n2l2c1t\" (first at line 3)");
	parse_bad(SCEN "topologies: [tiny-1llc, tiny-1llc]\n",
		  "p.yaml:2:25: duplicate topology \"tiny-1llc\" (first at line 2)");
}

/* ---- schedulers ---- */

static void test_schedulers_forms(void **state)
{
	struct ktstr_profile *p =
	    parse_ok(TOPO SCEN "schedulers:\n"
			       "  - eevdf\n"
			       "  - {name: mysched, path: ./scx_foo, args: [\"--slice-us\", "
			       "5000]}\n"
			       "  - {path: ../bin/scx_bar}\n"
			       "  - ./build/scx_baz\n"
			       "  - {name: eevdf2, path: /abs/scx, args: []}\n");

	assert_int_equal(p->nscheds, 5);
	assert_string_equal(p->scheds[0].name, "eevdf");
	assert_null(p->scheds[0].path);
	assert_int_equal(p->scheds[0].nargs, 0);
	assert_null(p->scheds[0].args[0]);
	assert_string_equal(p->scheds[1].name, "mysched");
	/* relative to the profile's directory, which need not exist */
	assert_string_equal(p->scheds[1].path, "/etc/ktstr/scx_foo");
	assert_int_equal(p->scheds[1].nargs, 2);
	assert_string_equal(p->scheds[1].args[0], "--slice-us");
	assert_string_equal(p->scheds[1].args[1], "5000");
	assert_null(p->scheds[1].args[2]);
	assert_string_equal(p->scheds[2].name, "scx_bar");
	assert_string_equal(p->scheds[2].path, "/etc/bin/scx_bar");
	assert_non_null(p->scheds[2].args);
	assert_string_equal(p->scheds[3].name, "scx_baz");
	assert_string_equal(p->scheds[3].path, "/etc/ktstr/build/scx_baz");
	assert_string_equal(p->scheds[4].path, "/abs/scx");
	assert_int_equal(p->scheds[4].nargs, 0);
	ktstr_profile__free(p);

	/* "ktstr" is the built-in test scheduler, found beside the guest init */
	setenv("KTSTR_GUEST_DIR", "/opt/ktstr-guest", 1);
	p = parse_ok(TOPO SCEN "schedulers:\n"
			       "  - {name: ktstr, args: [--fault=slow]}\n");
	assert_string_equal(p->scheds[0].name, "ktstr");
	assert_string_equal(p->scheds[0].path, "/opt/ktstr-guest/ktstr-sched");
	assert_string_equal(p->scheds[0].args[0], "--fault=slow");
	ktstr_profile__free(p);
	p = parse_ok(TOPO SCEN "schedulers: [ktstr]\n");
	assert_string_equal(p->scheds[0].path, "/opt/ktstr-guest/ktstr-sched");
	ktstr_profile__free(p);
	unsetenv("KTSTR_GUEST_DIR");

	p = parse_ok(TOPO SCEN "schedulers: [{name: eevdf}, {path: /../../x}]\n");
	assert_null(p->scheds[0].path);
	assert_string_equal(p->scheds[1].path, "/x");
	ktstr_profile__free(p);
}

static void test_schedulers_bad(void **state)
{
	parse_bad(TOPO SCEN "schedulers: []\n",
		  "p.yaml:3:13: schedulers: the list is empty; give at least one scheduler");
	parse_bad(TOPO SCEN "schedulers: eevdf\n",
		  "p.yaml:3:13: schedulers: expected a list of schedulers, got a scalar");
	parse_bad(TOPO SCEN "schedulers: [scx_foo]\n",
		  "p.yaml:3:14: scheduler \"scx_foo\": write eevdf, ktstr (the built-in test "
		  "scheduler), a path to the binary "
		  "(./scx_foo), or a mapping {name, path, args}");
	parse_bad(TOPO SCEN "schedulers: [[eevdf]]\n",
		  "p.yaml:3:14: scheduler: expected eevdf, a path to a binary, or a mapping "
		  "{name, path, args}, got a list");
	parse_bad(TOPO SCEN "schedulers: [{name: foo}]\n",
		  "p.yaml:3:14: scheduler \"foo\" needs path: (its binary); only eevdf runs "
		  "without one");
	parse_bad(TOPO SCEN "schedulers: [{args: [-v]}]\n",
		  "p.yaml:3:14: scheduler: give path: (the scheduler binary), or name: eevdf for "
		  "the kernel's own scheduler");
	parse_bad(TOPO SCEN "schedulers: [{name: eevdf, path: ./x}]\n",
		  "p.yaml:3:14: scheduler: \"eevdf\" names the kernel's own scheduler and takes no "
		  "path; give your scheduler another name");
	parse_bad(TOPO SCEN "schedulers: [{name: eevdf, args: [-v]}]\n",
		  "p.yaml:3:14: scheduler: \"eevdf\" is the kernel's own scheduler and takes no "
		  "args");
	parse_bad(TOPO SCEN "schedulers: [{name: my/sched, path: ./x}]\n",
		  "p.yaml:3:21: name \"my/sched\": use only letters, digits and . _ + -, starting "
		  "with a letter, digit or _ (names become part of test names)");
	parse_bad(TOPO SCEN "schedulers: [{path: \"./scx foo\"}]\n",
		  "p.yaml:3:14: scheduler: cannot use \"scx foo\" (from the path) as its name; add "
		  "name: with letters, digits and . _ + -");
	parse_bad(TOPO SCEN "schedulers: [{path: /bin/..}]\n",
		  "p.yaml:3:14: scheduler: cannot use \"\" (from the path) as its name; add name: "
		  "with letters, digits and . _ + -");
	parse_bad(TOPO SCEN "schedulers: [{path: \"\"}]\n",
		  "p.yaml:3:21: path: expected the scheduler binary, got \"\"");
	parse_bad(TOPO SCEN "schedulers: [{path: ./x, args: -v}]\n",
		  "p.yaml:3:32: args: expected a list of strings, got a scalar");
	parse_bad(TOPO SCEN "schedulers: [{path: ./x, args: [{a: 1}]}]\n",
		  "p.yaml:3:33: args: expected a string, got a mapping");
	parse_bad(TOPO SCEN "schedulers: [{path: ./x, arg: [-v]}]\n",
		  "p.yaml:3:26: unknown key \"arg\" in scheduler (did you mean \"args\"?)");
}

static void test_schedulers_duplicates(void **state)
{
	parse_bad(TOPO SCEN "schedulers:\n  - eevdf\n  - {name: eevdf}\n",
		  "p.yaml:5:5: duplicate scheduler \"eevdf\" (first at line 4)");
	/* names derived from two paths collide too */
	parse_bad(TOPO SCEN "schedulers:\n  - ./a/scx\n  - {path: ./b/scx}\n",
		  "p.yaml:5:5: duplicate scheduler \"scx\" (first at line 4)");
	parse_bad(TOPO SCEN "schedulers: [{path: ./x, args: [-v], args: [-q]}]\n",
		  "p.yaml:3:38: duplicate key \"args\" in scheduler (first at line 3)");
}

/* ---- flag sets ---- */

static void test_flags(void **state)
{
	struct ktstr_profile *p =
	    parse_ok(TOPO SCEN "flags:\n"
			       "  - default\n"
			       "  - {name: llc, args: [--llc]}\n"
			       "  - {name: llc+steal, args: [--llc, --steal]}\n");

	assert_int_equal(p->nflagsets, 3);
	assert_string_equal(p->flagsets[0].name, "default");
	assert_int_equal(p->flagsets[0].nargs, 0);
	assert_null(p->flagsets[0].args[0]);
	assert_string_equal(p->flagsets[1].name, "llc");
	assert_string_equal(p->flagsets[1].args[0], "--llc");
	assert_int_equal(p->flagsets[2].nargs, 2);
	assert_string_equal(p->flagsets[2].args[1], "--steal");
	ktstr_profile__free(p);

	parse_bad(TOPO SCEN "flags: []\n",
		  "p.yaml:3:8: flags: the list is empty; give at least one flag set");
	parse_bad(TOPO SCEN "flags: default\n",
		  "p.yaml:3:8: flags: expected a list of flag sets, got a scalar");
	parse_bad(TOPO SCEN "flags: [{args: [--llc]}]\n",
		  "p.yaml:3:9: flag set is missing the required key \"name\"");
	parse_bad(TOPO SCEN "flags: [[a]]\n",
		  "p.yaml:3:9: flag set: expected a name or a mapping {name, args}, got a list");
	parse_bad(
	    TOPO SCEN "flags: [\"a b\"]\n",
	    "p.yaml:3:9: flag set \"a b\": use only letters, digits and . _ + -, starting with "
	    "a letter, digit or _ (names become part of test names)");
	parse_bad(TOPO SCEN "flags: [-llc]\n",
		  "p.yaml:3:9: flag set \"-llc\": use only letters, digits and . _ + -, starting "
		  "with a letter, digit or _ (names become part of test names)");
	parse_bad(TOPO SCEN "flags: [default, {name: llc}, {name: default, args: [-x]}]\n",
		  "p.yaml:3:31: duplicate flag set \"default\" (first at line 3)");
	parse_bad(TOPO SCEN "flags: [{name: llc, args: [--llc], flags: 1}]\n",
		  "p.yaml:3:36: unknown key \"flags\" in flag set; valid keys: name, args");
}

/* ---- scenarios ---- */

static void test_scenarios(void **state)
{
	struct ktstr_profile *p =
	    parse_ok(TOPO "scenarios:\n"
			  "  - {name: steady, duration: 3s, workers_per_cgroup: 4}\n"
			  "defaults: {duration: 5}\n");

	assert_int_equal(p->nscenarios, 1);
	assert_string_equal(p->scenarios[0].name, "steady");
	assert_int_equal(p->scenarios[0].duration_ms, 3000);
	assert_int_equal(p->scenarios[0].workers_per_cgroup, 4);
	assert_int_equal(p->defaults.duration_ms, 5000);
	ktstr_profile__free(p);

	p = parse_ok(TOPO "scenarios: [{name: steady, duration: 750ms}]\n");
	assert_int_equal(p->scenarios[0].duration_ms, 750);
	assert_int_equal(p->scenarios[0].workers_per_cgroup, 2);
	ktstr_profile__free(p);
}

static void test_scenarios_bad(void **state)
{
	parse_bad(TOPO "scenarios: []\n",
		  "p.yaml:2:12: scenarios: the list is empty; give at least one scenario");
	parse_bad(TOPO "scenarios: steady\n",
		  "p.yaml:2:12: scenarios: expected a list of scenarios, got a scalar");
	parse_bad(TOPO "scenarios: [stedy]\n",
		  "p.yaml:2:13: unknown scenario \"stedy\" (did you mean \"steady\"?)");
	parse_bad(TOPO "scenarios: [[steady]]\n",
		  "p.yaml:2:13: scenario: expected a string, got a list");
	parse_bad(TOPO "scenarios: [{duration: 3s}]\n",
		  "p.yaml:2:13: scenario is missing the required key \"name\"");
	parse_bad(TOPO "scenarios: [{name: steady, duration: fast}]\n",
		  "p.yaml:2:38: duration: expected a duration: whole seconds, or a whole number "
		  "with ms, s or m (e.g. 500ms, 2s, 1m), got \"fast\"");
	parse_bad(TOPO "scenarios: [{name: steady, workers_per_cgroup: 0}]\n",
		  "p.yaml:2:48: workers_per_cgroup: must be at least 1, got 0");
	parse_bad(TOPO "scenarios: [{name: steady, workers: 3}]\n",
		  "p.yaml:2:28: unknown key \"workers\" in scenario; valid keys: name, duration, "
		  "workers_per_cgroup, checks");
	parse_bad(TOPO "scenarios:\n  - steady\n  - {name: steady, duration: 3s}\n",
		  "p.yaml:4:5: duplicate scenario \"steady\" (first at line 3)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_topologies_forms),
	    cmocka_unit_test(test_topologies_bad),
	    cmocka_unit_test(test_topologies_duplicates),
	    cmocka_unit_test(test_schedulers_forms),
	    cmocka_unit_test(test_schedulers_bad),
	    cmocka_unit_test(test_schedulers_duplicates),
	    cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_scenarios),
	    cmocka_unit_test(test_scenarios_bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
