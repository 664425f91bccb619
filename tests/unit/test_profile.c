/*
 * Profile v1, top level: every key good and bad with the exact file:line:col
 * message, defaults, durations, plugins, YAML-level errors and loading files.
 * The list sections are in test_profile_sections.c.
 */
#include <dirent.h>
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
#include "matrix.h"
#include "profile.h"

#define MIN "topologies: [1n1l1c1t]\nscenarios: [steady]\n"

static struct ktstr_profile *parse_ok(const char *yaml)
{
	struct ktstr_profile *p = NULL;
	char err[512] = "";
	int rc = ktstr_profile__parse("p.yaml", yaml, strlen(yaml), &p, err, sizeof(err));

	if (rc != 0) {
		fail_msg("unexpected error %d: %s", rc, err);
	}
	return p;
}

static void parse_bad(const char *yaml, const char *want)
{
	struct ktstr_profile *p = (struct ktstr_profile *)0x1;
	char err[512] = "";
	int rc = ktstr_profile__parse("p.yaml", yaml, strlen(yaml), &p, err, sizeof(err));

	assert_int_equal(rc, -EINVAL);
	assert_string_equal(err, want);
	assert_ptr_equal(p, (struct ktstr_profile *)0x1);
}

static void test_minimal_defaults(void **state)
{
	struct ktstr_profile *p = parse_ok(MIN);

	assert_string_equal(p->path, "p.yaml");
	assert_int_equal(p->nkernels, 0);
	assert_int_equal(p->ntopos, 1);
	assert_int_equal(p->nscheds, 1);
	assert_string_equal(p->scheds[0].name, "eevdf");
	assert_null(p->scheds[0].path);
	assert_non_null(p->scheds[0].args);
	assert_null(p->scheds[0].args[0]);
	assert_int_equal(p->nflagsets, 0);
	assert_int_equal(p->nscenarios, 1);
	assert_int_equal(p->scenarios[0].duration_ms, 2000);
	assert_int_equal(p->scenarios[0].workers_per_cgroup, 2);
	assert_int_equal(p->defaults.duration_ms, 2000);
	assert_int_equal(p->defaults.workers_per_cgroup, 2);
	assert_int_equal(p->defaults.memory_mb, 0);
	assert_int_equal(p->defaults.timeout_ms, 0);
	assert_int_equal(p->ninclude, 0);
	assert_int_equal(p->nexclude, 0);
	assert_int_equal(p->budget_s, 0);
	assert_null(p->output_dir);
	assert_int_equal(p->nkernel_sources, 0); /* the engine chains the default sources */
	assert_null(p->kernel_sources);
	assert_string_equal(p->planner.plugin, "default");
	assert_string_equal(p->planner.instance, "default");
	assert_string_equal(p->vm.plugin, "qemu");
	assert_int_equal(p->vm.cfg.n, 0);
	assert_null(p->vm.cfg.file);
	assert_int_equal(p->nsinks, 1);
	assert_string_equal(p->sinks[0].plugin, "sidecar");
	ktstr_profile__free(p);
}

static void test_full_example(void **state)
{
	struct ktstr_profile *p =
	    parse_ok("version: 1\n"
		     "kernels: [../linux, 7.2, /boot/vmlinuz-x]\n"
		     "topologies: [1n2l2c1t]\n"
		     "scenarios: [steady]\n"
		     "defaults: {duration: 3s, workers_per_cgroup: 4, memory_mb: "
		     "1024, timeout: 120s}\n"
		     "include: [\"steady/*\"]\n"
		     "exclude: [\"*/tiny-2llc/*\", \"*/x/*\"]\n"
		     "budget: 10m\n"
		     "output: ./ktstr-runs\n");

	assert_int_equal(p->nkernels, 3);
	assert_string_equal(p->kernels[0], "../linux");
	assert_string_equal(p->kernels[1], "7.2");
	assert_string_equal(p->kernels[2], "/boot/vmlinuz-x");
	assert_null(p->kernels[3]);
	assert_int_equal(p->defaults.duration_ms, 3000);
	assert_int_equal(p->defaults.workers_per_cgroup, 4);
	assert_int_equal(p->defaults.memory_mb, 1024);
	assert_int_equal(p->defaults.timeout_ms, 120000);
	/* scenario entries carry the effective values */
	assert_int_equal(p->scenarios[0].duration_ms, 3000);
	assert_int_equal(p->scenarios[0].workers_per_cgroup, 4);
	assert_int_equal(p->ninclude, 1);
	assert_string_equal(p->include[0], "steady/*");
	assert_int_equal(p->nexclude, 2);
	assert_string_equal(p->exclude[1], "*/x/*");
	assert_int_equal(p->budget_s, 600);
	assert_string_equal(p->output_dir, "./ktstr-runs");
	ktstr_profile__free(p);
}

static void test_null_values_mean_absent(void **state)
{
	struct ktstr_profile *p = parse_ok(MIN "kernels:\nschedulers: ~\nflags: null\n"
					       "include:\nexclude:\ndefaults:\nplugins:\n");

	assert_int_equal(p->nkernels, 0);
	assert_int_equal(p->nscheds, 1);
	assert_int_equal(p->nflagsets, 0);
	assert_int_equal(p->nkernel_sources, 0);
	ktstr_profile__free(p);
}

static void test_version(void **state)
{
	ktstr_profile__free(parse_ok("version: 1\n" MIN));
	parse_bad("version: 2\n" MIN,
		  "p.yaml:1:10: unsupported profile version 2; this ktstr reads version 1");
	parse_bad("version: 0\n" MIN,
		  "p.yaml:1:10: unsupported profile version 0; this ktstr reads version 1");
	parse_bad(MIN "version: one\n",
		  "p.yaml:3:10: version: expected an integer >= 0, got \"one\"");
	parse_bad(MIN "version: [1]\n",
		  "p.yaml:3:10: version: expected an integer >= 0, got a list");
	parse_bad(MIN "version: 1.0\n",
		  "p.yaml:3:10: version: expected an integer >= 0, got \"1.0\"");
}

static void test_kernels(void **state)
{
	parse_bad(MIN "kernels: 7.2\n",
		  "p.yaml:3:10: kernels: expected a list of strings, got a scalar");
	parse_bad(MIN "kernels: {a: b}\n",
		  "p.yaml:3:10: kernels: expected a list of strings, got a mapping");
	parse_bad(MIN "kernels: [7.2, {a: b}]\n",
		  "p.yaml:3:16: kernels: expected a string, got a mapping");
	parse_bad(MIN "kernels: [7.2, ~]\n",
		  "p.yaml:3:16: kernels: expected a string, got nothing");
	parse_bad(MIN "kernels: [7.2, \"\"]\n",
		  "p.yaml:3:16: kernels: expected a version, path or other kernel identifier, got "
		  "\"\"");
	parse_bad(MIN "kernels:\n  - 7.2\n  - ../linux\n  - 7.2\n",
		  "p.yaml:6:5: duplicate kernel \"7.2\" (first at line 4)");
	parse_bad(MIN "kernels: [\"a\\0b\"]\n",
		  "p.yaml:3:11: kernels: a string may not contain a NUL character");
}

static void test_required_keys(void **state)
{
	parse_bad("scenarios: [steady]\n",
		  "p.yaml:1:1: the profile is missing the required key \"topologies\"");
	parse_bad("topologies: [tiny-1llc]\n",
		  "p.yaml:1:1: the profile is missing the required key \"scenarios\"");
}

static void test_unknown_and_duplicate_keys(void **state)
{
	parse_bad("version: 1\n"
		  "scenarios: [steady]\n"
		  "topolgies: [1n1l1c1t]\n",
		  "p.yaml:3:1: unknown key \"topolgies\" (did you mean \"topologies\"?)");
	parse_bad(MIN "frobnicate: 1\n",
		  "p.yaml:3:1: unknown key \"frobnicate\" in the profile; valid keys: version, "
		  "kernels, topologies, schedulers, flags, scenarios, defaults, include, exclude, "
		  "budget, output, plugins, checks, scenario_dirs");
	parse_bad(MIN "budget: 1m\nbudget: 2m\n",
		  "p.yaml:4:1: duplicate key \"budget\" in the profile (first at line 3)");
	parse_bad(MIN "? [a]\n: b\n", "p.yaml:3:3: a key: expected a string, got a list");
	parse_bad(MIN "~: 1\n", "p.yaml:3:1: a key: expected a string, got nothing");
}

static void test_defaults_section(void **state)
{
	parse_bad(MIN "defaults: {duraton: 2s}\n",
		  "p.yaml:3:12: unknown key \"duraton\" in defaults (did you mean \"duration\"?)");
	parse_bad(MIN "defaults: {zzzzzzzzz: 2s}\n",
		  "p.yaml:3:12: unknown key \"zzzzzzzzz\" in defaults; valid keys: duration, "
		  "workers_per_cgroup, memory_mb, timeout");
	parse_bad(MIN "defaults: [1]\n",
		  "p.yaml:3:11: defaults: expected a mapping of keys, got a list");
	parse_bad(MIN "defaults: {workers_per_cgroup: 0}\n",
		  "p.yaml:3:32: workers_per_cgroup: must be at least 1, got 0");
	parse_bad(MIN "defaults: {workers_per_cgroup: -1}\n",
		  "p.yaml:3:32: workers_per_cgroup: expected an integer >= 1, got \"-1\"");
	parse_bad(MIN "defaults: {memory_mb: 4294967296}\n",
		  "p.yaml:3:23: memory_mb: 4294967296 is too large (at most 4294967295)");
	parse_bad(MIN "defaults: {duration: 2h}\n",
		  "p.yaml:3:22: duration: expected a duration: whole seconds, or a whole number "
		  "with ms, s or m (e.g. 500ms, 2s, 1m), got \"2h\"");
	parse_bad(MIN "defaults: {duration: 0}\n",
		  "p.yaml:3:22: duration: duration must be greater than zero");
	parse_bad(MIN "defaults: {timeout: {a: 1}}\n",
		  "p.yaml:3:21: timeout: expected a duration (seconds, or e.g. 500ms, 2s, 1m), got "
		  "a mapping");
	parse_bad(MIN "defaults: {duration: 1s, duration: 2s}\n",
		  "p.yaml:3:26: duplicate key \"duration\" in defaults (first at line 3)");
}

static void test_budget_output_globs(void **state)
{
	struct ktstr_profile *p = parse_ok(MIN "budget: 90\n");

	assert_int_equal(p->budget_s, 90);
	ktstr_profile__free(p);
	p = parse_ok(MIN "budget: 1500ms\n");
	assert_int_equal(p->budget_s, 1);
	ktstr_profile__free(p);
	parse_bad(MIN "budget: 500ms\n", "p.yaml:3:9: budget: must be at least 1s");
	parse_bad(MIN "budget: 0\n", "p.yaml:3:9: budget: duration must be greater than zero");
	parse_bad(MIN "budget: 99999999999m\n",
		  "p.yaml:3:9: budget: duration \"99999999999m\" is too long (at most 49 days)");
	parse_bad(MIN "output: \"\"\n", "p.yaml:3:9: output: expected a directory, got \"\"");
	parse_bad(MIN "output: [a]\n", "p.yaml:3:9: output: expected a string, got a list");
	parse_bad(MIN "include: \"steady/*\"\n",
		  "p.yaml:3:10: include: expected a list of strings, got a scalar");
	parse_bad(MIN "exclude: [[a]]\n", "p.yaml:3:11: exclude: expected a string, got a list");
}

static void test_duration_parse(void **state)
{
	static const struct {
		const char *s;
		int rc;
		uint32_t ms;
	} cases[] = {
	    {"0", 0, 0},
	    {"2", 0, 2000},
	    {"500ms", 0, 500},
	    {"2s", 0, 2000},
	    {"1m", 0, 60000},
	    {"007s", 0, 7000},
	    {"4294967295ms", 0, UINT32_MAX},
	    {"4294967296ms", -ERANGE, 0},
	    {"4294968s", -ERANGE, 0},
	    {"71582m", 0, 71582u * 60000u},
	    {"71583m", -ERANGE, 0},
	    {"71583", 0, 71583000u},
	    {"4294968", -ERANGE, 0},
	    {"99999999999999999999", -ERANGE, 0},
	    {"", -EINVAL, 0},
	    {"s", -EINVAL, 0},
	    {"-1s", -EINVAL, 0},
	    {"+1s", -EINVAL, 0},
	    {" 1s", -EINVAL, 0},
	    {"1s ", -EINVAL, 0},
	    {"1 s", -EINVAL, 0},
	    {"1.5s", -EINVAL, 0},
	    {"1h", -EINVAL, 0},
	    {"1S", -EINVAL, 0},
	    {"1mss", -EINVAL, 0},
	    {"1sm", -EINVAL, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t ms = 12345;
		int rc = ktstr_duration__parse_ms(cases[i].s, &ms);

		if (rc != cases[i].rc || (rc == 0 && ms != cases[i].ms) ||
		    (rc != 0 && ms != 12345)) {
			fail_msg("\"%s\": rc %d ms %u, want rc %d ms %u", cases[i].s, rc, ms,
				 cases[i].rc, cases[i].ms);
		}
	}
}

static void test_plugins(void **state)
{
	struct ktstr_profile *p =
	    parse_ok(MIN "plugins:\n"
			 "  kernel_sources:\n"
			 "    - local\n"
			 "    - {plugin: cache, name: c2, options: {dir: /tmp/k, "
			 "max: 3}}\n"
			 "  planner: {plugin: llc, options: {spread: yes}}\n"
			 "  vm: {plugin: qemu, options: {accel: tcg}}\n"
			 "  sinks: []\n");
	const struct ktstr_cfg_kv *kv;

	assert_int_equal(p->nkernel_sources, 2);
	assert_string_equal(p->kernel_sources[0].plugin, "local");
	assert_string_equal(p->kernel_sources[0].cfg.file, "p.yaml");
	assert_int_equal(p->kernel_sources[0].cfg.line, 5);
	assert_int_equal(p->kernel_sources[0].cfg.col, 7);
	assert_string_equal(p->kernel_sources[1].plugin, "cache");
	assert_string_equal(p->kernel_sources[1].instance, "c2");
	assert_int_equal(p->kernel_sources[1].cfg.n, 2);
	assert_int_equal(p->kernel_sources[1].cfg.line, 6);
	assert_int_equal(p->kernel_sources[1].cfg.col, 7);
	kv = ktstr_cfg__find(&p->kernel_sources[1].cfg, "max");
	assert_non_null(kv);
	assert_string_equal(kv->value, "3");
	assert_int_equal(kv->line, 6);
	assert_int_equal(kv->col, 56);
	assert_string_equal(p->planner.plugin, "llc");
	assert_string_equal(p->planner.instance, "llc");
	assert_string_equal(ktstr_cfg__find(&p->planner.cfg, "spread")->value, "yes");
	assert_string_equal(p->vm.cfg.kv[0].key, "accel");
	assert_string_equal(p->vm.cfg.kv[0].value, "tcg");
	assert_int_equal(p->vm.cfg.kv[0].line, 8);
	assert_int_equal(p->vm.cfg.kv[0].col, 32);
	/* an explicit empty sink list stays empty */
	assert_int_equal(p->nsinks, 0);
	ktstr_profile__free(p);

	p = parse_ok(MIN "plugins: {vm: {plugin: qemu, options: }}\n");
	assert_int_equal(p->vm.cfg.n, 0);
	assert_int_equal(p->nsinks, 1);
	ktstr_profile__free(p);
}

static void test_plugins_bad(void **state)
{
	parse_bad(MIN "plugins: {vm: {plugin: qemu, options: {accel: [tcg]}}}\n",
		  "p.yaml:3:47: option \"accel\": expected a single value (string or number), got "
		  "a list");
	parse_bad(MIN "plugins: {vm: {plugin: qemu, options: {a: 1, a: 2}}}\n",
		  "p.yaml:3:46: duplicate key \"a\" in options (first at line 3)");
	parse_bad(MIN "plugins: {vm: {plugin: qemu, options: [a]}}\n",
		  "p.yaml:3:39: options: expected a mapping of keys, got a list");
	parse_bad(MIN "plugins: {vm: {name: q}}\n",
		  "p.yaml:3:15: vm is missing the required key \"plugin\"");
	parse_bad(MIN "plugins: {vm: {plugn: qemu}}\n",
		  "p.yaml:3:16: unknown key \"plugn\" in vm (did you mean \"plugin\"?)");
	parse_bad(MIN "plugins: {vms: qemu}\n",
		  "p.yaml:3:11: unknown key \"vms\" in plugins (did you mean \"vm\"?)");
	parse_bad(MIN "plugins: {vm: [qemu]}\n",
		  "p.yaml:3:15: vm: expected a plugin name or a mapping {plugin, name, options}, "
		  "got a list");
	parse_bad(
	    MIN "plugins: {vm: \"q emu\"}\n",
	    "p.yaml:3:15: vm \"q emu\": use only letters, digits and . _ + -, starting with a "
	    "letter, digit or _ (names become part of test names)");
	parse_bad(MIN "plugins: {kernel_sources: []}\n",
		  "p.yaml:3:27: kernel_sources: the list is empty; give at least one kernel source "
		  "(leave the key out for the default chain: local, cache, gha, debian)");
	parse_bad(MIN "plugins: {kernel_sources: local}\n",
		  "p.yaml:3:27: kernel_sources: expected a list of plugins, got a scalar");
	parse_bad(MIN "plugins: {sinks: [sidecar, {plugin: junit, name: sidecar}]}\n",
		  "p.yaml:3:28: duplicate sink \"sidecar\" (first at line 3)");
	parse_bad(MIN "plugins: {kernel_sources: [local, local]}\n",
		  "p.yaml:3:35: duplicate kernel source \"local\" (first at line 3)");
	parse_bad(MIN "plugins: [qemu]\n",
		  "p.yaml:3:10: plugins: expected a mapping of keys, got a list");
}

static void test_yaml_level_errors(void **state)
{
	parse_bad("", "p.yaml:1:1: the profile is empty; it needs at least topologies: and "
		      "scenarios: (see docs/profile.md)");
	parse_bad("# only a comment\n", "p.yaml:1:1: the profile is empty; it needs at least "
					"topologies: and scenarios: (see docs/profile.md)");
	parse_bad("- a\n- b\n", "p.yaml:1:1: expected the profile to be a mapping of keys "
				"(topologies:, scenarios:, ...), got a list");
	parse_bad("just text\n", "p.yaml:1:1: expected the profile to be a mapping of keys "
				 "(topologies:, scenarios:, ...), got a scalar");
	parse_bad(
	    MIN "kernels: [7.2\n",
	    "p.yaml:4:1: invalid YAML: did not find expected ',' or ']' (while parsing a flow "
	    "sequence)");
	parse_bad(MIN "  bad: indent\n",
		  "p.yaml:3:3: invalid YAML: did not find expected key (while parsing a block "
		  "mapping)");
	parse_bad("topologies: [1n1l1c1t]\nscenarios: steady: x\n",
		  "p.yaml:2:18: invalid YAML: mapping values are not allowed in this context");
	parse_bad(MIN "---\n" MIN,
		  "p.yaml:4:1: a profile is a single YAML document; remove this second one (or the "
		  "\"---\" before it)");
	parse_bad(MIN "kernels: [*nope]\n", "p.yaml:3:11: invalid YAML: found undefined alias");
	parse_bad("topologies: [1n1l1c1t]\nscenarios: [\xff]\n",
		  "p.yaml:2:13: invalid YAML: invalid leading UTF-8 octet");
}

static void test_aliases_resolve(void **state)
{
	struct ktstr_profile *p = parse_ok("topologies: &t [tiny-1llc]\n"
					   "scenarios: [steady]\n"
					   "kernels: [&k 7.2, 6.12]\n"
					   "include: [*k]\n");

	assert_string_equal(p->include[0], "7.2");
	ktstr_profile__free(p);
	/* a list that holds itself is just a wrong type, never a loop */
	parse_bad(MIN "kernels: &a [*a]\n", "p.yaml:3:10: kernels: expected a string, got a list");
}

static void test_load_file_and_paths(void **state)
{
	char dir[] = "/tmp/ktstr-test-profile-XXXXXX";
	char path[PATH_MAX], want[PATH_MAX], err[512];
	static const char text[] = "topologies: [1n1l1c1t]\nscenarios: [steady]\n"
				   "schedulers: [./bin/../scx_a, {name: b, path: sub/./scx_b}, "
				   "/opt/x//scx_c]\n";
	struct ktstr_profile *p = NULL;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/run.yaml", dir);
	assert_int_equal(ktstr_fs__write_atomic(path, text, sizeof(text) - 1, 0644), 0);
	assert_int_equal(ktstr_profile__load(path, &p, err, sizeof(err)), 0);
	assert_string_equal(p->path, path);
	snprintf(want, sizeof(want), "%s/scx_a", dir);
	assert_string_equal(p->scheds[0].path, want);
	assert_string_equal(p->scheds[0].name, "scx_a");
	snprintf(want, sizeof(want), "%s/sub/scx_b", dir);
	assert_string_equal(p->scheds[1].path, want);
	assert_string_equal(p->scheds[2].path, "/opt/x/scx_c");
	ktstr_profile__free(p);

	snprintf(path, sizeof(path), "%s/missing.yaml", dir);
	p = (struct ktstr_profile *)0x1;
	assert_int_equal(ktstr_profile__load(path, &p, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "missing.yaml: cannot read the profile: No such file"));
	assert_ptr_equal(p, (struct ktstr_profile *)0x1);
	snprintf(path, sizeof(path), "%s/run.yaml", dir);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_relative_name_resolves_against_cwd(void **state)
{
	char cwd[PATH_MAX], want[PATH_MAX + 32];
	struct ktstr_profile *p = NULL;
	char err[512];
	static const char text[] = MIN "schedulers: [{name: a, path: ../x/scx}]\n";

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(ktstr_profile__parse("no-such-dir/p.yaml", text, sizeof(text) - 1, &p, err,
					      sizeof(err)),
			 0);
	snprintf(want, sizeof(want), "%s/x/scx", cwd);
	assert_string_equal(p->scheds[0].path, want);
	ktstr_profile__free(p);
}

static void test_error_buffer_small(void **state)
{
	struct ktstr_profile *p = NULL;
	char err[12];

	memset(err, 'x', sizeof(err));
	assert_int_equal(ktstr_profile__parse("p.yaml", "x: 1\n", 5, &p, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "p.yaml:1:1:");
}

/* Every shipped example must load and expand, so the docs never show a broken profile. */
static void test_examples_load(void **state)
{
	const char *src = getenv("KTSTR_SOURCE_DIR");
	const char *const kernels[] = {"k1", "k2"};
	char dir[PATH_MAX], path[PATH_MAX + 256], err[512];
	struct dirent *e;
	size_t loaded = 0;
	DIR *d;

	if (src == NULL) {
		skip();
	}
	snprintf(dir, sizeof(dir), "%s/configs/examples", src);
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		struct ktstr_profile *p = NULL;
		struct ktstr_matrix m;
		size_t len = strlen(e->d_name);

		if (len < 5 || strcmp(e->d_name + len - 5, ".yaml") != 0) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (ktstr_profile__load(path, &p, err, sizeof(err)) != 0) {
			fail_msg("%s", err);
		}
		if (ktstr_matrix__expand(p, kernels, p->nkernels > 1 ? 2 : 1, &m, err,
					 sizeof(err)) != 0) {
			fail_msg("%s", err);
		}
		if (m.n == 0) {
			fail_msg("%s selects no test", path);
		}
		ktstr_matrix__release(&m);
		ktstr_profile__free(p);
		loaded++;
	}
	closedir(d);
	assert_true(loaded >= 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_minimal_defaults),
	    cmocka_unit_test(test_full_example),
	    cmocka_unit_test(test_null_values_mean_absent),
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_kernels),
	    cmocka_unit_test(test_required_keys),
	    cmocka_unit_test(test_unknown_and_duplicate_keys),
	    cmocka_unit_test(test_defaults_section),
	    cmocka_unit_test(test_budget_output_globs),
	    cmocka_unit_test(test_duration_parse),
	    cmocka_unit_test(test_plugins),
	    cmocka_unit_test(test_plugins_bad),
	    cmocka_unit_test(test_yaml_level_errors),
	    cmocka_unit_test(test_aliases_resolve),
	    cmocka_unit_test(test_load_file_and_paths),
	    cmocka_unit_test(test_relative_name_resolves_against_cwd),
	    cmocka_unit_test(test_error_buffer_small),
	    cmocka_unit_test(test_examples_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
