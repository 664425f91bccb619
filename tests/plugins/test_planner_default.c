/* planner/default: vCPU and memory sizing, limits, options, plugin glue. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <ktstr/planner.h>

#include "default_budget.h"
#include "default_plan.h"
#include "mock_host.h"

static void plan_expect(uint32_t n, uint32_t l, uint32_t c, uint32_t t, uint32_t req, uint32_t dflt,
			uint32_t vcpus, uint32_t mem)
{
	struct ktstr_topo topo = {n, l, c, t};
	struct ktstr_default_plan p;
	char err[128] = "";

	assert_int_equal(ktstr_default_plan__compute(&topo, req, dflt, &p, err, sizeof(err)), 0);
	assert_int_equal(p.vcpus, vcpus);
	assert_int_equal(p.memory_mb, mem);
	assert_string_equal(err, "");
}

static void test_sizes(void **state)
{
	/* the option's default applies when the request has none */
	plan_expect(1, 2, 2, 1, 0, 2048, 4, 2048);
	/* a request wins over the option, floors still apply */
	plan_expect(1, 2, 2, 1, 512, 2048, 4, 512);
	plan_expect(1, 1, 1, 1, 100, 2048, 1, 256);
	plan_expect(1, 1, 1, 1, 0, 1, 1, 256);
	/* 64 MiB per vCPU beats a smaller request: 192 * 64 = 12288 */
	plan_expect(4, 12, 8, 2, 4096, 2048, 192, 12288);
	/* exactly at the boundaries: 252 vCPUs, 4 vCPUs * 64 = 256 */
	plan_expect(1, 14, 9, 2, 0, 2048, 252, 16128);
	plan_expect(1, 1, 4, 1, 0, 100, 4, 256);
	plan_expect(1, 1, 5, 1, 0, 100, 5, 320);
	plan_expect(2, 4, 1, 1, 300000, 2048, 4, 300000);
}

static void plan_error(uint32_t n, uint32_t l, uint32_t c, uint32_t t, const char *needle)
{
	struct ktstr_topo topo = {n, l, c, t};
	struct ktstr_default_plan p;
	char err[128] = "";

	assert_int_equal(ktstr_default_plan__compute(&topo, 0, 2048, &p, err, sizeof(err)),
			 -EINVAL);
	if (strstr(err, needle) == NULL) {
		fail_msg("\"%s\" lacks \"%s\"", err, needle);
	}
}

static void test_errors(void **state)
{
	plan_error(1, 14, 9, 3, "topology 1n14l9c3t has 378 vCPUs; at most 252 are supported");
	plan_error(1, 1, 253, 1, "253 vCPUs");
	plan_error(1, 65536, 65536, 65536, "281474976710656 vCPUs");
	plan_error(0, 1, 1, 1, "every count must be at least 1");
	plan_error(1, 0, 1, 1, "every count must be at least 1");
	plan_error(1, 1, 1, 0, "every count must be at least 1");
	plan_error(2, 3, 1, 1, "3 LLCs cannot be split evenly over 2 NUMA nodes");
}

static void test_plugin(void **state)
{
	const struct ktstr_plugin_desc *d = NULL;
	const struct ktstr_planner_ops *ops;
	KTSTR_OPTS(ktstr_plan_request, req, .topo = {1, 2, 2, 2}, .test_name = "t1");
	struct ktstr_plan out = {.sz = sizeof(out), .nr_host_cpus = 9};
	struct ktstr_inst inst;
	void *lease = (void *)&out;

	assert_int_equal(ktstr_mock__load(ktstr_plugin_entry_v1, &d), 0);
	assert_string_equal(d->name, "default");
	assert_int_equal(d->kind, KTSTR_PLUGIN_PLANNER);
	ops = d->ops;
	assert_true(KTSTR_OPS_HAS(ops, release));

	ktstr_mock_inst__new(&inst, d);
	assert_int_equal(ktstr_mock_inst__init(&inst), 0);
	assert_int_equal(ops->plan(&inst, &req, &out, &lease), 0);
	assert_int_equal(out.vcpus, 8);
	assert_int_equal(out.memory_mb, 2048);
	assert_int_equal(out.nr_host_cpus, 0);
	assert_null(out.host_cpus);
	assert_null(lease);
	ops->release(&inst, lease);
	/* a NULL lease pointer is allowed */
	assert_int_equal(ops->plan(&inst, &req, &out, NULL), 0);

	ktstr_mock_inst__set(&inst, "memory_mb", "1024");
	assert_int_equal(ktstr_mock_inst__init(&inst), 0);
	assert_int_equal(ops->plan(&inst, &req, &out, &lease), 0);
	assert_int_equal(out.memory_mb, 1024);
	req.memory_mb = 3000;
	assert_int_equal(ops->plan(&inst, &req, &out, &lease), 0);
	assert_int_equal(out.memory_mb, 3000);

	req.topo.cores = 200;
	assert_int_equal(ops->plan(&inst, &req, &out, &lease), -EINVAL);
	assert_string_equal(inst.last_error,
			    "t1: topology 1n2l200c2t has 800 vCPUs; at most 252 are supported");
	req.test_name = NULL;
	assert_int_equal(ops->plan(&inst, &req, &out, &lease), -EINVAL);
	assert_int_equal(strncmp(inst.last_error, "topology 1n2l200c2t", 19), 0);

	ktstr_mock_inst__set(&inst, "memory_mb", "0");
	assert_int_equal(ktstr_mock_inst__init(&inst), -EINVAL);
	assert_string_equal(inst.last_error, "option memory_mb is 0; use 1 to 1048576 (MiB)");
	ktstr_mock_inst__set(&inst, "memory_mb", "-5");
	assert_int_equal(ktstr_mock_inst__init(&inst), -EINVAL);
	ktstr_mock_inst__set(&inst, "memory_mb", "1048577");
	assert_int_equal(ktstr_mock_inst__init(&inst), -EINVAL);
	ktstr_mock_inst__set(&inst, "memory_mb", "1048576");
	assert_int_equal(ktstr_mock_inst__init(&inst), 0);
	ktstr_mock_inst__free(&inst);
}

static void budget_ok(uint32_t cap, const char *env, uint32_t allowed, uint32_t want)
{
	uint32_t got = 0;
	char err[256] = "";

	assert_int_equal(
	    ktstr_default_budget__compute(cap, env, false, allowed, &got, err, sizeof(err)), 0);
	assert_int_equal(got, want);
	assert_string_equal(err, "");
}

static void budget_err(uint32_t cap, const char *env, bool bypass, uint32_t allowed,
		       const char *want)
{
	uint32_t got = 99;
	char err[256] = "";

	assert_int_equal(
	    ktstr_default_budget__compute(cap, env, bypass, allowed, &got, err, sizeof(err)),
	    -EINVAL);
	assert_int_equal(got, 99);
	if (strstr(err, want) == NULL) {
		fail_msg("\"%s\" lacks \"%s\"", err, want);
	}
}

static void test_budget(void **state)
{
	/* the default share: ceil(30%), at least 1 */
	budget_ok(0, NULL, 1, 1);
	budget_ok(0, NULL, 2, 1);
	budget_ok(0, NULL, 4, 2);
	budget_ok(0, NULL, 10, 3);
	budget_ok(0, NULL, 11, 4);
	budget_ok(0, NULL, 64, 20);
	/* "" is unset; the flag wins over the variable; a cap may take every CPU */
	budget_ok(0, "", 10, 3);
	budget_ok(2, "7", 10, 2);
	budget_ok(0, "7", 10, 7);
	budget_ok(10, NULL, 10, 10);
	/* bypass without a cap is the default share */
	assert_int_equal(
	    ktstr_default_budget__compute(0, NULL, true, 10, &(uint32_t){0}, (char[64]){0}, 64), 0);

	budget_err(0, "0", false, 4, "--cpu-cap must be \xe2\x89\xa5 1 CPU (got 0)");
	budget_err(0, "x", false, 4, "KTSTR_CPU_CAP is not a valid integer: \"x\"");
	budget_err(0, "-1", false, 4, "KTSTR_CPU_CAP is not a valid integer: \"-1\"");
	budget_err(0, " 2", false, 4, "not a valid integer");
	budget_err(0, "2x", false, 4, "not a valid integer");
	budget_err(0, "99999999999", false, 4, "not a valid integer");
	budget_err(5, NULL, false, 4, "--cpu-cap 5 exceeds the 4 CPU(s)");
	budget_err(0, "5", false, 4, "KTSTR_CPU_CAP 5 exceeds the 4 CPU(s)");
	budget_err(2, NULL, true, 4,
		   "--cpu-cap conflicts with KTSTR_BYPASS_LLC_LOCKS=1; unset one of them. "
		   "--cpu-cap is a resource contract; bypass disables the contract entirely.");
	budget_err(0, "2", true, 4, "KTSTR_CPU_CAP is a resource contract");
}

/* The budget op through the descriptor: CPUs from sched_getaffinity, listed in the lease. */
static void test_budget_op(void **state)
{
	const struct ktstr_plugin_desc *d = NULL;
	const struct ktstr_planner_ops *ops;
	struct ktstr_plan out = {.sz = sizeof(out)};
	struct ktstr_inst inst;
	void *lease = NULL;
	cpu_set_t set;
	int allowed;

	assert_int_equal(sched_getaffinity(0, sizeof(set), &set), 0);
	allowed = CPU_COUNT(&set);
	assert_int_equal(ktstr_mock__load(ktstr_plugin_entry_v1, &d), 0);
	ops = d->ops;
	assert_true(KTSTR_OPS_HAS(ops, budget));
	ktstr_mock_inst__new(&inst, d);
	unsetenv("KTSTR_BYPASS_LLC_LOCKS");
	unsetenv("KTSTR_CPU_CAP");

	assert_int_equal(ops->budget(&inst, 1, &out, &lease), 0);
	assert_int_equal(out.vcpus, 1);
	assert_int_equal(out.nr_host_cpus, 1);
	assert_non_null(lease);
	assert_true(CPU_ISSET(out.host_cpus[0], &set));
	ops->release(&inst, lease);

	assert_int_equal(ops->budget(&inst, 0, &out, &lease), 0);
	assert_int_equal(out.vcpus, (uint32_t)(allowed * 30 + 99) / 100);
	assert_int_equal(out.nr_host_cpus, out.vcpus);
	for (uint32_t i = 1; i < out.nr_host_cpus; i++) {
		assert_true(out.host_cpus[i] > out.host_cpus[i - 1]);
	}
	ops->release(&inst, lease);

	setenv("KTSTR_CPU_CAP", "1", 1);
	assert_int_equal(ops->budget(&inst, 0, &out, &lease), 0);
	assert_int_equal(out.vcpus, 1);
	ops->release(&inst, lease);
	setenv("KTSTR_CPU_CAP", "0", 1);
	assert_int_equal(ops->budget(&inst, 0, &out, &lease), -EINVAL);
	assert_string_equal(inst.last_error, "--cpu-cap must be \xe2\x89\xa5 1 CPU (got 0)");
	unsetenv("KTSTR_CPU_CAP");

	assert_int_equal(ops->budget(&inst, (uint32_t)allowed + 1, &out, &lease), -EINVAL);
	assert_non_null(strstr(inst.last_error, "exceeds"));
	setenv("KTSTR_BYPASS_LLC_LOCKS", "1", 1);
	assert_int_equal(ops->budget(&inst, 1, &out, &lease), -EINVAL);
	assert_non_null(strstr(inst.last_error, "resource contract"));
	unsetenv("KTSTR_BYPASS_LLC_LOCKS");
	ktstr_mock_inst__free(&inst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sizes),     cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_plugin),    cmocka_unit_test(test_budget),
	    cmocka_unit_test(test_budget_op),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
