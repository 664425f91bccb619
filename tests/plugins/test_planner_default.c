/* planner/default: vCPU and memory sizing, limits, options, plugin glue. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <ktstr/planner.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_plugin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
