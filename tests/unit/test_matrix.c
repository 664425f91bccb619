/* The test matrix: order, names, the kernel dimension, globs, estimates and the budget. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "matrix.h"
#include "profile.h"

static const char *const one_kernel[] = {"k"};

static struct ktstr_profile *parse(const char *yaml)
{
	struct ktstr_profile *p = NULL;
	char err[512] = "";

	if (ktstr_profile__parse("m.yaml", yaml, strlen(yaml), &p, err, sizeof(err)) != 0) {
		fail_msg("profile: %s", err);
	}
	return p;
}

static void expand_ok(const struct ktstr_profile *p, const char *const *k, size_t nk,
		      struct ktstr_matrix *m)
{
	char err[512] = "";

	if (ktstr_matrix__expand(p, k, nk, m, err, sizeof(err)) != 0) {
		fail_msg("expand: %s", err);
	}
}

static void assert_names(const struct ktstr_matrix *m, const char *const *want, size_t n)
{
	if (m->n != n) {
		for (size_t i = 0; i < m->n; i++) {
			print_message("got %s\n", m->tests[i].name);
		}
		fail_msg("got %zu tests, want %zu", m->n, n);
	}
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(m->tests[i].name, want[i]);
	}
}

/* Two scenarios need a hand-built profile: the catalog knows only "steady" today. */
static void test_order_all_dimensions(void **state)
{
	struct ktstr_topo_entry topos[] = {{"t1", {1, 1, 1, 1}, 0}, {"t2", {1, 2, 1, 1}, 0}};
	char *noargs[] = {NULL};
	struct ktstr_sched_entry scheds[] = {{.name = "s1", .args = noargs},
					     {.name = "s2", .path = "/x", .args = noargs}};
	struct ktstr_flagset_entry flags[] = {{"f1", noargs, 0}, {"f2", noargs, 0}};
	struct ktstr_scenario_entry scens[] = {
		{.name = "a", .duration_ms = 2000, .workers_per_cgroup = 2},
		{.name = "b", .duration_ms = 2000, .workers_per_cgroup = 2}};
	struct ktstr_profile p = {
	    .path = "hand",
	    .topos = topos,
	    .ntopos = 2,
	    .scheds = scheds,
	    .nscheds = 2,
	    .flagsets = flags,
	    .nflagsets = 2,
	    .scenarios = scens,
	    .nscenarios = 2,
	    .defaults = {.duration_ms = 2000, .workers_per_cgroup = 2},
	};
	const char *const kernels[] = {"k1", "k2"};
	struct ktstr_matrix m;

	expand_ok(&p, kernels, 2, &m);
	assert_int_equal(m.n, 32);
	assert_int_equal(m.total_before_filter, 32);
	/* kernel-major, then topology, scheduler, flag set; scenario fastest */
	assert_string_equal(m.tests[0].name, "a/t1/s1/f1/k1");
	assert_string_equal(m.tests[1].name, "b/t1/s1/f1/k1");
	assert_string_equal(m.tests[2].name, "a/t1/s1/f2/k1");
	assert_string_equal(m.tests[4].name, "a/t1/s2/f1/k1");
	assert_string_equal(m.tests[8].name, "a/t2/s1/f1/k1");
	assert_string_equal(m.tests[16].name, "a/t1/s1/f1/k2");
	assert_string_equal(m.tests[31].name, "b/t2/s2/f2/k2");
	for (size_t i = 0; i < m.n; i++) {
		const struct ktstr_test *t = &m.tests[i];

		assert_int_equal(t->scenario, i % 2);
		assert_int_equal(t->flagset, (i / 2) % 2);
		assert_int_equal(t->sched, (i / 4) % 2);
		assert_int_equal(t->topo, (i / 8) % 2);
		assert_int_equal(t->kernel, i / 16);
	}
	ktstr_matrix__release(&m);
	assert_null(m.tests);
	assert_int_equal(m.n, 0);
}

static void test_names_and_kernel_dimension(void **state)
{
	struct ktstr_profile *p = parse("topologies: [tiny-2llc, 1n2l2c1t]\n"
					"schedulers: [eevdf, {name: mine, path: /bin/true}]\n"
					"scenarios: [steady]\n");
	const char *const want1[] = {
	    "steady/tiny-2llc/eevdf/default",
	    "steady/tiny-2llc/mine/default",
	    "steady/1n2l2c1t/eevdf/default",
	    "steady/1n2l2c1t/mine/default",
	};
	const char *const kernels[] = {"kernel_7_2", "kernel_6_12"};
	struct ktstr_matrix m;

	/* one kernel: no kernel part; no flags: the implicit "default" set at index 0 */
	expand_ok(p, one_kernel, 1, &m);
	assert_names(&m, want1, 4);
	assert_int_equal(m.tests[1].flagset, 0);
	assert_int_equal(m.tests[1].kernel, 0);
	ktstr_matrix__release(&m);

	expand_ok(p, kernels, 2, &m);
	assert_int_equal(m.n, 8);
	assert_int_equal(m.total_before_filter, 8);
	assert_string_equal(m.tests[0].name, "steady/tiny-2llc/eevdf/default/kernel_7_2");
	assert_string_equal(m.tests[3].name, "steady/1n2l2c1t/mine/default/kernel_7_2");
	assert_string_equal(m.tests[4].name, "steady/tiny-2llc/eevdf/default/kernel_6_12");
	assert_int_equal(m.tests[4].kernel, 1);
	ktstr_matrix__release(&m);
	ktstr_profile__free(p);
}

static void test_flag_sets_in_names(void **state)
{
	struct ktstr_profile *p = parse("topologies: [1n1l1c1t]\nscenarios: [steady]\n"
					"flags: [default, {name: llc, args: [--llc]}]\n");
	const char *const want[] = {"steady/1n1l1c1t/eevdf/default", "steady/1n1l1c1t/eevdf/llc"};
	struct ktstr_matrix m;

	expand_ok(p, one_kernel, 1, &m);
	assert_names(&m, want, 2);
	assert_int_equal(m.tests[1].flagset, 1);
	ktstr_matrix__release(&m);
	ktstr_profile__free(p);
}

static void test_estimates(void **state)
{
	struct ktstr_profile *p = parse("topologies: [tiny-1llc, numa2-4llc, 1n2l13c1t, max-cpu]\n"
					"scenarios: [{name: steady, duration: 500ms}]\n");
	struct ktstr_matrix m;

	expand_ok(p, one_kernel, 1, &m);
	assert_int_equal(m.n, 4);
	assert_int_equal(m.tests[0].est_s, 10 + 0 + 1 + 2);  /* 4 vCPUs; 500 ms rounds up */
	assert_int_equal(m.tests[1].est_s, 10 + 0 + 1 + 2);  /* 16 vCPUs */
	assert_int_equal(m.tests[2].est_s, 10 + 1 + 1 + 2);  /* 26 vCPUs */
	assert_int_equal(m.tests[3].est_s, 10 + 23 + 1 + 2); /* 252 vCPUs */
	ktstr_matrix__release(&m);
	ktstr_profile__free(p);

	p = parse("topologies: [tiny-1llc]\nscenarios: [steady]\ndefaults: {duration: 1m}\n");
	expand_ok(p, one_kernel, 1, &m);
	assert_int_equal(m.tests[0].est_s, 10 + 60 + 2);
	ktstr_matrix__release(&m);
	ktstr_profile__free(p);
}

static void test_include_exclude(void **state)
{
	struct ktstr_profile *p = parse("topologies: [tiny-1llc, tiny-2llc, smt-2llc]\n"
					"schedulers: [eevdf, {name: mine, path: /bin/true}]\n"
					"scenarios: [steady]\n"
					"include: [\"*/tiny-*\", \"*smt*/eevdf/*\"]\n"
					"exclude: [\"*/tiny-2llc/*\", \"*mine*\"]\n");
	const char *const want[] = {"steady/tiny-1llc/eevdf/default",
				    "steady/smt-2llc/eevdf/default"};
	struct ktstr_matrix m;

	expand_ok(p, one_kernel, 1, &m);
	assert_names(&m, want, 2);
	assert_int_equal(m.total_before_filter, 6);
	assert_int_equal(m.tests[1].topo, 2);
	ktstr_matrix__release(&m);
	ktstr_profile__free(p);

	/* '*' crosses '/' (no FNM_PATHNAME); [] and ? work as in fnmatch(3) */
	p = parse("topologies: [tiny-1llc, tiny-2llc]\nscenarios: [steady]\n"
		  "include: [\"s*default\"]\nexclude: [\"*tiny-?llc/eevdf/[d]efault\"]\n");
	expand_ok(p, one_kernel, 1, &m);
	assert_int_equal(m.n, 0);
	assert_int_equal(m.total_before_filter, 2);
	assert_null(m.tests);
	ktstr_matrix__release(&m);
	ktstr_profile__free(p);

	/* zero candidates is not an error: the caller says "nothing to run" */
	p = parse("topologies: [tiny-1llc]\nscenarios: [steady]\ninclude: [nothing]\nbudget: 1m\n");
	expand_ok(p, one_kernel, 1, &m);
	assert_int_equal(m.n, 0);
	assert_int_equal(m.total_before_filter, 1);
	ktstr_matrix__release(&m);
	ktstr_profile__free(p);
}

static void test_budget_fits_all(void **state)
{
	struct ktstr_profile *p = parse("topologies: [tiny-1llc, tiny-2llc]\n"
					"schedulers: [eevdf, {name: mine, path: /bin/true}]\n"
					"scenarios: [steady]\nbudget: 56\n");
	struct ktstr_matrix m;

	/* 4 tests x 14 s = 56 s: everything fits, so everything runs */
	expand_ok(p, one_kernel, 1, &m);
	assert_int_equal(m.n, 4);
	ktstr_matrix__release(&m);
	ktstr_profile__free(p);
}

static void test_budget_fits_one(void **state)
{
	struct ktstr_profile *p = parse("topologies: [tiny-1llc, smt-3llc]\n"
					"schedulers: [eevdf, {name: mine, path: /bin/true}]\n"
					"scenarios: [steady]\nbudget: 27\n");
	const char *const want[] = {"steady/smt-3llc/eevdf/default"};
	struct ktstr_matrix m;

	/* All cost 14 s; smt-3llc adds the SMT feature, so it covers most; eevdf < mine. */
	expand_ok(p, one_kernel, 1, &m);
	assert_names(&m, want, 1);
	ktstr_matrix__release(&m);
	ktstr_profile__free(p);
}

static void test_budget_fits_none(void **state)
{
	struct ktstr_profile *p = parse("topologies: [tiny-1llc]\nscenarios: [steady]\n"
					"budget: 13\n");
	struct ktstr_matrix m;

	expand_ok(p, one_kernel, 1, &m);
	assert_int_equal(m.n, 0);
	assert_int_equal(m.total_before_filter, 1);
	ktstr_matrix__release(&m);
	ktstr_profile__free(p);
}

static void test_budget_greedy_coverage(void **state)
{
	/* 3 x 3 tests of 14 s each; 3 fit. All start with 8 new features, so the
	 * smallest name goes first (odd-3llc/a). Next, every tiny-* test with another
	 * scheduler adds 4 (topology, vCPU and LLC buckets, scheduler): tiny-1llc/b wins
	 * on name. Last, tiny-2llc/eevdf adds 3. Coverage is then complete, so the
	 * 3 s left over go unused. Output keeps the matrix order. */
	struct ktstr_profile *p =
	    parse("topologies: [tiny-1llc, tiny-2llc, odd-3llc]\n"
		  "schedulers: [eevdf, {name: a, path: /a}, {name: b, path: /b}]\n"
		  "scenarios: [steady]\nbudget: 45\n");
	const char *const want[] = {"steady/tiny-1llc/b/default", "steady/tiny-2llc/eevdf/default",
				    "steady/odd-3llc/a/default"};
	struct ktstr_matrix m;

	expand_ok(p, one_kernel, 1, &m);
	assert_names(&m, want, 3);
	assert_int_equal(m.total_before_filter, 9);
	ktstr_matrix__release(&m);
	ktstr_profile__free(p);
}

static void test_budget_prefers_gain_per_second(void **state)
{
	/* max-cpu costs 37 s against 14 s for tiny-1llc; both cover 8 features from
	 * nothing, so tiny-1llc goes first; max-cpu then adds 4 (topology, vCPU and LLC
	 * buckets, SMT) but no longer fits in 40 - 14 = 26 s. */
	struct ktstr_profile *p = parse("topologies: [max-cpu, tiny-1llc]\n"
					"scenarios: [steady]\nbudget: 40\n");
	const char *const want[] = {"steady/tiny-1llc/eevdf/default"};
	struct ktstr_matrix m;

	expand_ok(p, one_kernel, 1, &m);
	assert_names(&m, want, 1);
	ktstr_matrix__release(&m);
	ktstr_profile__free(p);
}

static void test_budget_kernel_feature(void **state)
{
	/* The second kernel is a feature of its own: 3 of 4 tests fit, but two cover all. */
	struct ktstr_profile *p = parse("topologies: [tiny-1llc, tiny-2llc]\n"
					"scenarios: [steady]\nbudget: 42\n");
	const char *const kernels[] = {"k1", "k2"};
	const char *const want[] = {"steady/tiny-1llc/eevdf/default/k1",
				    "steady/tiny-2llc/eevdf/default/k2"};
	struct ktstr_matrix m;

	expand_ok(p, kernels, 2, &m);
	assert_names(&m, want, 2);
	ktstr_matrix__release(&m);
	ktstr_profile__free(p);
}

static void test_errors(void **state)
{
	struct ktstr_profile *p = parse("topologies: [tiny-1llc]\nscenarios: [steady]\n");
	const char *const dup[] = {"k", "k"};
	const char *const empty[] = {"k", ""};
	struct ktstr_matrix m = {(struct ktstr_test *)0x1, 5, 5};
	char err[256] = "";

	assert_int_equal(ktstr_matrix__expand(p, NULL, 0, &m, err, sizeof(err)), -EINVAL);
	assert_string_equal(err,
			    "m.yaml: no kernel to run the tests on (resolve the kernels first)");
	assert_null(m.tests);
	assert_int_equal(m.n, 0);
	assert_int_equal(ktstr_matrix__expand(p, dup, 2, &m, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "m.yaml: two kernels share the label \"k\"; test names would "
				 "collide");
	assert_int_equal(ktstr_matrix__expand(p, empty, 2, &m, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "m.yaml: kernel 2 has no label");
	ktstr_profile__free(p);
}

static void test_too_large(void **state)
{
	struct ktstr_topo_entry topo = {"t", {1, 1, 1, 1}, 0};
	char *noargs[] = {NULL};
	struct ktstr_sched_entry sched = {.name = "s", .args = noargs};
	struct ktstr_scenario_entry scen = {.name = "steady", .duration_ms = 2000,
					    .workers_per_cgroup = 2};
	/* The sizes are checked before any entry is read, so one entry stands in for all. */
	struct ktstr_profile p = {
	    .path = "big",
	    .topos = &topo,
	    .ntopos = 1000,
	    .scheds = &sched,
	    .nscheds = 1001,
	    .scenarios = &scen,
	    .nscenarios = 1,
	};
	struct ktstr_matrix m;
	char err[256] = "";

	assert_int_equal(ktstr_matrix__expand(&p, one_kernel, 1, &m, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "big: the profile expands to more than 1000000 tests; use fewer "
				 "kernels, topologies, schedulers, flag sets or scenarios");
	p.nscheds = 1000;
	p.ntopos = 1;
	p.nscenarios = 1;
	p.nscheds = 1;
	expand_ok(&p, one_kernel, 1, &m);
	assert_int_equal(m.n, 1);
	ktstr_matrix__release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_all_dimensions),
	    cmocka_unit_test(test_names_and_kernel_dimension),
	    cmocka_unit_test(test_flag_sets_in_names),
	    cmocka_unit_test(test_estimates),
	    cmocka_unit_test(test_include_exclude),
	    cmocka_unit_test(test_budget_fits_all),
	    cmocka_unit_test(test_budget_fits_one),
	    cmocka_unit_test(test_budget_fits_none),
	    cmocka_unit_test(test_budget_greedy_coverage),
	    cmocka_unit_test(test_budget_prefers_gain_per_second),
	    cmocka_unit_test(test_budget_kernel_feature),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_too_large),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
