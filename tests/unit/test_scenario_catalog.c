/*
 * The scenario catalog and scenarios in a profile: every shipped catalog file
 * loads and renders, lookup order (scenario_dirs first), the three forms of a
 * profile's scenarios: item, the checks merge order, and the default worker
 * count against grouped work types.
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

#include "fsutil.h"
#include "guest_spec.h"
#include "profile.h"
#include "scenario.h"
#include "scenario_catalog.h"

#define TOPO "topologies: [1n2l2c1t]\n"

/* The canned scenarios of upstream's scenarios::* (reference scenarios.md section 3). */
static const char *const canned[] = {
    "steady",	       "steady_llc",	  "oversubscribed", "cpuset_apply",	"cpuset_clear",
    "cpuset_resize",   "cgroup_add",	  "cgroup_remove",  "affinity_change",	"affinity_pinned",
    "host_contention", "mixed_workloads", "nested_steady",  "nested_task_move",
};

static char tmp[PATH_MAX];

static int setup(void **state)
{
	snprintf(tmp, sizeof(tmp), "/tmp/ktstr-test-scen-XXXXXX");
	return mkdtemp(tmp) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
	return ktstr_fs__rm_rf(tmp);
}

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX], dir[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	assert_int_equal(ktstr_fs__mkdir_p(dir, 0755), 0);
	assert_int_equal(ktstr_fs__write_atomic(path, text, strlen(text), 0644), 0);
}

static struct ktstr_profile *load_ok(const char *rel)
{
	struct ktstr_profile *p = NULL;
	char path[PATH_MAX], err[1024] = "";

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	if (ktstr_profile__load(path, &p, err, sizeof(err)) != 0) {
		fail_msg("unexpected error: %s", err);
	}
	return p;
}

/* The error of loading profile @p rel, with the temporary directory shown as "T". */
static void load_bad(const char *rel, const char *want)
{
	struct ktstr_profile *p = NULL;
	char path[PATH_MAX], err[1024] = "", shown[1024];
	size_t n = strlen(tmp);

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	assert_int_equal(ktstr_profile__load(path, &p, err, sizeof(err)), -EINVAL);
	assert_null(p);
	shown[0] = '\0';
	for (char *s = err; *s != '\0';) {
		if (strncmp(s, tmp, n) == 0) {
			strcat(shown, "T");
			s += n;
		} else {
			size_t l = strlen(shown);

			shown[l] = *s++;
			shown[l + 1] = '\0';
		}
	}
	assert_string_equal(shown, want);
}

static void test_every_catalog_file_loads(void **state)
{
	const char *dir = ktstr_scenario_catalog__default_dir();
	char **names = NULL;
	size_t n = 0;

	assert_int_equal(ktstr_scenario_catalog__names(NULL, 0, &names, &n), 0);
	assert_true(n >= 38);
	for (size_t i = 0; i < n; i++) {
		struct ktstr_scenario *s = NULL;
		struct ktstr_guest_spec spec = {.test_name = "t",
						.duration_ms = 2000,
						.workers_per_cgroup = 2,
						.topo = {1, 2, 2, 1}};
		char path[PATH_MAX], err[1024] = "", *json = NULL;

		snprintf(path, sizeof(path), "%s/%s.yaml", dir, names[i]);
		if (ktstr_scenario__load(path, &s, err, sizeof(err)) != 0) {
			fail_msg("%s", err);
		}
		assert_string_equal(s->name, names[i]);
		assert_non_null(s->description);
		/* the default of 2 workers per cgroup fits every shipped scenario */
		assert_int_equal(ktstr_scenario__check_workers(s, 2, err, sizeof(err)), 0);
		spec.scenario = s->name;
		spec.def = s;
		assert_int_equal(ktstr_guest_spec__render(&spec, &json), 0);
		assert_non_null(strstr(json, "\"version\":2"));
		free(json);
		ktstr_scenario__free(s);
	}
	for (size_t i = 0; i < sizeof(canned) / sizeof(canned[0]); i++) {
		char path[PATH_MAX];

		assert_int_equal(
		    ktstr_scenario_catalog__find(NULL, 0, canned[i], path, sizeof(path)), 0);
	}
	ktstr_scenario_catalog__free_names(names, n);
}

static void test_cpuset_apply_shape(void **state)
{
	char path[PATH_MAX], err[512];
	struct ktstr_scenario *s;
	char *steps;

	assert_int_equal(ktstr_scenario_catalog__find(NULL, 0, "cpuset_apply", path, sizeof(path)),
			 0);
	assert_int_equal(ktstr_scenario__load(path, &s, err, sizeof(err)), 0);
	steps = json_dumps(s->steps, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(
	    steps,
	    "[{\"hold\":{\"frac\":0.5,\"plus_settle\":true},\"cgroups\":[],\"ops\":[]},"
	    "{\"hold\":{\"frac\":0.5,\"plus_settle\":false},\"cgroups\":[],\"ops\":[{\"op\":"
	    "\"set_cpuset\",\"cgroup\":\"cg_0\",\"cpuset\":{\"disjoint\":{\"index\":0,\"of\":"
	    "2}}},{\"op\":\"set_cpuset\",\"cgroup\":\"cg_1\",\"cpuset\":{\"disjoint\":{"
	    "\"index\":1,\"of\":2}}}]}]");
	free(steps);
	assert_int_equal(json_array_size(json_object_get(s->backdrop, "cgroups")), 2);
	ktstr_scenario__free(s);
}

static void test_find_and_names(void **state)
{
	char d1[PATH_MAX], d2[PATH_MAX], path[PATH_MAX], want[PATH_MAX], **names;
	const char *dirs[2] = {d1, d2};
	size_t n;

	put("d1/mine.yaml", "name: mine\nsteps: [{hold: 1}]\n");
	put("d1/steady.yaml", "name: steady\nsteps: [{hold: 1}]\n");
	put("d2/mine.yaml", "name: mine\nsteps: [{hold: 1}]\n");
	put("d2/notes.txt", "x");
	put("d2/.hidden.yaml", "x");
	snprintf(d1, sizeof(d1), "%s/d1", tmp);
	snprintf(d2, sizeof(d2), "%s/d2", tmp);
	/* the caller's directories come first, in order, then the shipped catalog */
	assert_int_equal(ktstr_scenario_catalog__find(dirs, 2, "mine", path, sizeof(path)), 0);
	snprintf(want, sizeof(want), "%s/mine.yaml", d1);
	assert_string_equal(path, want);
	assert_int_equal(ktstr_scenario_catalog__find(dirs, 2, "steady", path, sizeof(path)), 0);
	snprintf(want, sizeof(want), "%s/steady.yaml", d1);
	assert_string_equal(path, want);
	assert_int_equal(ktstr_scenario_catalog__find(dirs, 2, "cpuset_apply", path, sizeof(path)),
			 0);
	snprintf(want, sizeof(want), "%s/cpuset_apply.yaml", ktstr_scenario_catalog__default_dir());
	assert_string_equal(path, want);
	assert_int_equal(ktstr_scenario_catalog__find(dirs, 2, "nope", path, sizeof(path)),
			 -ENOENT);
	assert_int_equal(ktstr_scenario_catalog__find(dirs, 2, "../d1/mine", path, sizeof(path)),
			 -EINVAL);
	assert_int_equal(ktstr_scenario_catalog__find(dirs, 2, "", path, sizeof(path)), -EINVAL);
	assert_int_equal(ktstr_scenario_catalog__find(dirs, 2, "mine", path, 8), -ENAMETOOLONG);
	assert_int_equal(ktstr_scenario_catalog__names(dirs, 2, &names, &n), 0);
	/* sorted, each once, .yaml files only */
	for (size_t i = 1; i < n; i++) {
		assert_true(strcmp(names[i - 1], names[i]) < 0);
	}
	size_t mine = 0;
	for (size_t i = 0; i < n; i++) {
		mine += strcmp(names[i], "mine") == 0;
		assert_null(strstr(names[i], "notes"));
		assert_null(strstr(names[i], "hidden"));
	}
	assert_int_equal(mine, 1);
	ktstr_scenario_catalog__free_names(names, n);
}

static void test_profile_forms(void **state)
{
	struct ktstr_profile *p;

	put("cat/own.yaml", "name: own\ncheck"
			    "s: {max_gap_ms: 4000}\nsteps: [{hold: 1}]\n");
	put("prof/p.yaml", TOPO
	    "scenario_dirs: [../cat]\n"
	    "scenarios:\n"
	    "  - own\n"
	    "  - cpuset_apply\n"
	    "  - {name: steady, duration: 3s, workers_per_cgroup: 4, checks: {isolation: true}}\n"
	    "  - name: inline_one\n"
	    "    duration: 1s\n"
	    "    workers_per_cgroup: 3\n"
	    "    checks: {max_spread_pct: 50}\n"
	    "    steps: [{hold: 1, cgroups: [x]}]\n");
	p = load_ok("prof/p.yaml");
	assert_int_equal(p->nscenarios, 4);
	assert_int_equal(p->nscenario_dirs, 1);
	char want[PATH_MAX];
	snprintf(want, sizeof(want), "%s/cat", tmp);
	assert_string_equal(p->scenario_dirs[0], want);
	assert_string_equal(p->scenarios[0].name, "own");
	assert_string_equal(p->scenarios[0].def->name, "own");
	assert_null(p->scenarios[0].checks);
	assert_string_equal(p->scenarios[1].def->name, "cpuset_apply");
	assert_int_equal(p->scenarios[2].duration_ms, 3000);
	assert_int_equal(p->scenarios[2].workers_per_cgroup, 4);
	assert_non_null(p->scenarios[2].checks);
	assert_string_equal(p->scenarios[3].name, "inline_one");
	assert_int_equal(p->scenarios[3].duration_ms, 1000);
	assert_int_equal(p->scenarios[3].workers_per_cgroup, 3);
	assert_null(p->scenarios[3].checks);
	assert_true(json_is_real(json_object_get(p->scenarios[3].def->checks, "max_spread_pct")));
	ktstr_profile__free(p);
	/* scenario_dirs may come after scenarios */
	put("prof/q.yaml", TOPO "scenarios: [own]\nscenario_dirs: [../cat]\n");
	p = load_ok("prof/q.yaml");
	assert_string_equal(p->scenarios[0].def->name, "own");
	ktstr_profile__free(p);
}

static void test_profile_errors(void **state)
{
	put("cat/broken.yaml", "name: broken\nsteps: [{hold: 7}]\n");
	put("cat/alias.yaml", "name: other\nsteps: [{hold: 1}]\n");
	put("p1.yaml", TOPO "scenario_dirs: [cat]\nscenarios: [broken]\n");
	load_bad("p1.yaml", "T/cat/broken.yaml:2:16: hold: expected a fraction of the duration in "
			    "(0, 1] or a time such as 2s or 500ms, got \"7\"");
	put("p2.yaml", TOPO "scenario_dirs: [cat]\nscenarios: [alias]\n");
	load_bad("p2.yaml", "T/p2.yaml:3:13: scenario \"alias\": T/cat/alias.yaml names itself "
			    "\"other\"; make the file name and its name: match");
	put("p3.yaml", TOPO "scenarios: [zzzzzz_unknown]\n");
	struct ktstr_profile *p = NULL;
	char err[1024], path[PATH_MAX], want[1024];
	snprintf(path, sizeof(path), "%s/p3.yaml", tmp);
	assert_int_equal(ktstr_profile__load(path, &p, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:2:13: unknown scenario \"zzzzzz_unknown\": no zzzzzz_unknown.yaml in "
		 "scenario_dirs or the catalog %s (docs/scenarios.md lists it)",
		 path, ktstr_scenario_catalog__default_dir());
	assert_string_equal(err, want);
	put("p4.yaml", TOPO "scenarios: [cpuset_aply]\n");
	load_bad(
	    "p4.yaml",
	    "T/p4.yaml:2:13: unknown scenario \"cpuset_aply\" (did you mean \"cpuset_apply\"?)");
	put("p5.yaml", TOPO "scenarios: [{name: steady, checks: {max_gap: 1}}]\n");
	load_bad("p5.yaml",
		 "T/p5.yaml:2:37: unknown check \"max_gap\"; valid: not_starved, "
		 "isolation, max_gap_ms, max_spread_pct, max_throughput_cv, min_work_rate, "
		 "max_p99_wake_latency_ns, max_median_wake_latency_ns, max_wake_latency_cv, "
		 "min_iteration_rate, max_migration_ratio, max_run_delay_us");
	put("p6.yaml", TOPO "scenarios: [{name: x, steps: [{hold: 1}], duration: 0s}]\n");
	load_bad("p6.yaml", "T/p6.yaml:2:53: duration: duration must be greater than zero");
	put("p7.yaml", TOPO "scenario_dirs: ['']\nscenarios: [steady]\n");
	load_bad("p7.yaml", "T/p7.yaml:2:17: scenario_dirs: expected a directory, got \"\"");
	put("p8.yaml", TOPO "scenarios: [steady, {name: steady, steps: [{hold: 1}]}]\n");
	load_bad("p8.yaml", "T/p8.yaml:2:21: duplicate scenario \"steady\" (first at line 2)");
	put("p9.yaml", TOPO "scenarios: [{name: x, backdrop: ~, steps: [{hold: 1}], frob: 1}]\n");
	load_bad("p9.yaml", "T/p9.yaml:2:56: unknown key \"frob\" in scenario; valid keys: name, "
			    "description, requires, checks, backdrop, steps, duration, "
			    "workers_per_cgroup");
	put("pa.yaml", TOPO "checks: {isolation: 3}\nscenarios: [steady]\n");
	load_bad("pa.yaml", "T/pa.yaml:2:21: isolation: expected true or false, got \"3\"");
	put("pb.yaml", TOPO "schedulers: [{name: s, path: /bin/true, checks: [1]}]\n"
			    "scenarios: [steady]\n");
	load_bad("pb.yaml", "T/pb.yaml:2:49: checks: expected a mapping of keys, got a list");
}

/* A grouped work without workers: gets workers_per_cgroup, which must fit its group. */
static void test_profile_worker_groups(void **state)
{
	struct ktstr_profile *p;

	put("cat/pairs.yaml", "name: pairs\nsteps: [{hold: 1, cgroups: [{name: a, works: "
			      "[PipeIo]}]}]\n");
	put("w1.yaml", TOPO "scenario_dirs: [cat]\nscenarios: [pairs]\n");
	p = load_ok("w1.yaml");
	ktstr_profile__free(p);
	put("w2.yaml", TOPO "scenario_dirs: [cat]\ndefaults: {workers_per_cgroup: 3}\n"
			    "scenarios: [pairs]\n");
	load_bad("w2.yaml", "T/w2.yaml:4:13: scenario pairs: PipeIo runs in groups of 2 but gets "
			    "workers_per_cgroup 3; give its work workers: or use a multiple of 2");
	put("w3.yaml", TOPO "scenario_dirs: [cat]\nscenarios: [{name: pairs, workers_per_cgroup: "
			    "4}, {name: x, workers_per_cgroup: 1, steps: [{hold: 1, ops: [{op: "
			    "spawn_host, work: {type: FutexFanOut}}]}]}]\n");
	load_bad("w3.yaml", "T/w3.yaml:3:51: scenario x: FutexFanOut runs in groups of 5 but gets "
			    "workers_per_cgroup 1; give its work workers: or use a multiple of 5");
}

static void test_checks_merge_order(void **state)
{
	struct ktstr_profile *p;
	json_t *c;
	char *s;

	put("cat/layered.yaml", "name: layered\nchecks: {max_throughput_cv: 0.4, "
				"min_work_rate: 4, min_iteration_rate: 4}\nsteps: [{hold: 1}]\n");
	put("m.yaml",
	    TOPO "scenario_dirs: [cat]\n"
		 "checks: {max_gap_ms: 1, max_spread_pct: 1, max_throughput_cv: 1, "
		 "min_work_rate: 1, min_iteration_rate: 1}\n"
		 "schedulers:\n"
		 "  - {name: s, path: /bin/true, checks: {max_spread_pct: 2, "
		 "max_throughput_cv: 2, min_work_rate: 2, min_iteration_rate: 2}}\n"
		 "  - eevdf\n"
		 "scenarios:\n"
		 "  - {name: layered, checks: {min_iteration_rate: 5, not_starved: null}}\n"
		 "  - steady\n");
	p = load_ok("m.yaml");
	assert_int_equal(ktstr_profile__checks(p, &p->scheds[0], &p->scenarios[0], &c), 0);
	s = json_dumps(c, JSON_COMPACT | JSON_PRESERVE_ORDER);
	/* defaults <- profile <- scheduler <- scenario file <- profile entry */
	assert_string_equal(
	    s, "{\"not_starved\":null,\"isolation\":false,\"max_gap_ms\":1,\"max_spread_pct\":2.0,"
	       "\"max_throughput_cv\":0.40000000000000002,\"min_work_rate\":4.0,"
	       "\"max_p99_wake_latency_ns\":null,\"max_median_wake_latency_ns\":null,"
	       "\"max_wake_latency_cv\":null,\"min_iteration_rate\":5.0,"
	       "\"max_migration_ratio\":null,\"max_run_delay_us\":null}");
	free(s);
	json_decref(c);
	/* eevdf sets nothing; steady's file sets nothing: the profile's values stand */
	assert_int_equal(ktstr_profile__checks(p, &p->scheds[1], &p->scenarios[1], &c), 0);
	assert_int_equal(json_integer_value(json_object_get(c, "max_gap_ms")), 1);
	assert_true(json_real_value(json_object_get(c, "max_spread_pct")) == 1.0);
	assert_true(json_is_true(json_object_get(c, "not_starved")));
	json_decref(c);
	ktstr_profile__free(p);
	/* nothing set anywhere: upstream's defaults */
	put("d.yaml", TOPO "scenarios: [steady]\n");
	p = load_ok("d.yaml");
	assert_int_equal(ktstr_profile__checks(p, &p->scheds[0], &p->scenarios[0], &c), 0);
	s = json_dumps(c, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(
	    s,
	    "{\"not_starved\":true,\"isolation\":false,\"max_gap_ms\":2000,\"max_spread_pct\":"
	    "15.0,\"max_throughput_cv\":null,\"min_work_rate\":null,\"max_p99_wake_latency_ns\":"
	    "null,\"max_median_wake_latency_ns\":null,\"max_wake_latency_cv\":null,"
	    "\"min_iteration_rate\":null,\"max_migration_ratio\":null,\"max_run_delay_us\":null}");
	free(s);
	json_decref(c);
	ktstr_profile__free(p);
}

/* docs/scenarios.md: its example parses, and its catalog tables list every shipped file. */
static void test_docs(void **state)
{
	char path[PATH_MAX], err[512], *doc, *begin, *end, **names;
	struct ktstr_scenario *s;
	size_t len, n;

	snprintf(path, sizeof(path), "%s/../../docs/scenarios.md",
		 ktstr_scenario_catalog__default_dir());
	assert_int_equal(ktstr_fs__read_file(path, &doc, &len), 0);
	begin = strstr(doc, "<!-- example:begin -->\n```yaml\n");
	end = strstr(doc, "```\n<!-- example:end -->");
	assert_non_null(begin);
	assert_non_null(end);
	begin += strlen("<!-- example:begin -->\n```yaml\n");
	if (ktstr_scenario__parse("example", begin, (size_t)(end - begin), &s, err, sizeof(err)) !=
	    0) {
		fail_msg("%s", err);
	}
	assert_string_equal(s->name, "swap_halves");
	ktstr_scenario__free(s);
	assert_int_equal(ktstr_scenario_catalog__names(NULL, 0, &names, &n), 0);
	for (size_t i = 0; i < n; i++) {
		char row[128];

		snprintf(row, sizeof(row), "| `%s` |", names[i]);
		if (strstr(doc, row) == NULL) {
			fail_msg("docs/scenarios.md does not list %s", names[i]);
		}
	}
	ktstr_scenario_catalog__free_names(names, n);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_catalog_file_loads),
	    cmocka_unit_test(test_cpuset_apply_shape),
	    cmocka_unit_test(test_find_and_names),
	    cmocka_unit_test(test_profile_forms),
	    cmocka_unit_test(test_profile_errors),
	    cmocka_unit_test(test_profile_worker_groups),
	    cmocka_unit_test(test_checks_merge_order),
	    cmocka_unit_test(test_docs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
