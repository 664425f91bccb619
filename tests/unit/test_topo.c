/* Topology names: the 24 upstream presets, the compact form and the limits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "topo.h"

/* The table from upstream's gauntlet_presets() (reference/cli.md section 4). */
/* clang-format off */
static const struct {
	const char *name;
	uint32_t numa, llcs, cores, threads, vcpus, mem;
} expected[] = {
	{ "tiny-1llc", 1, 1, 4, 1, 4, 2048 },
	{ "tiny-2llc", 1, 2, 2, 1, 4, 2048 },
	{ "odd-3llc", 1, 3, 3, 1, 9, 2048 },
	{ "odd-5llc", 1, 5, 3, 1, 15, 2048 },
	{ "odd-7llc", 1, 7, 2, 1, 14, 2048 },
	{ "smt-2llc", 1, 2, 2, 2, 8, 2048 },
	{ "smt-3llc", 1, 3, 2, 2, 12, 2048 },
	{ "medium-4llc", 1, 4, 4, 2, 32, 2048 },
	{ "medium-8llc", 1, 8, 4, 2, 64, 2048 },
	{ "large-4llc", 1, 4, 16, 2, 128, 2048 },
	{ "large-8llc", 1, 8, 8, 2, 128, 2048 },
	{ "near-max-llc", 1, 15, 8, 2, 240, 2048 },
	{ "max-cpu", 1, 14, 9, 2, 252, 4096 },
	{ "medium-4llc-nosmt", 1, 4, 8, 1, 32, 2048 },
	{ "medium-8llc-nosmt", 1, 8, 8, 1, 64, 2048 },
	{ "large-4llc-nosmt", 1, 4, 32, 1, 128, 2048 },
	{ "large-8llc-nosmt", 1, 8, 16, 1, 128, 2048 },
	{ "near-max-llc-nosmt", 1, 15, 16, 1, 240, 2048 },
	{ "max-cpu-nosmt", 1, 14, 18, 1, 252, 4096 },
	{ "numa2-4llc", 2, 4, 4, 1, 16, 2048 },
	{ "numa2-8llc", 2, 8, 8, 2, 128, 2048 },
	{ "numa2-8llc-nosmt", 2, 8, 16, 1, 128, 2048 },
	{ "numa4-8llc", 4, 8, 4, 1, 32, 2048 },
	{ "numa4-12llc", 4, 12, 8, 2, 192, 4096 },
};
/* clang-format on */

#define NEXPECTED (sizeof(expected) / sizeof(expected[0]))

static void test_preset_table(void **state)
{
	size_t n;
	const struct ktstr_topo_preset *p = ktstr_topo__presets(&n);
	char err[256];

	assert_int_equal(n, 24);
	assert_int_equal(NEXPECTED, 24);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(p[i].name, expected[i].name);
		assert_int_equal(p[i].topo.numa_nodes, expected[i].numa);
		assert_int_equal(p[i].topo.llcs, expected[i].llcs);
		assert_int_equal(p[i].topo.cores, expected[i].cores);
		assert_int_equal(p[i].topo.threads, expected[i].threads);
		assert_int_equal(p[i].memory_mb, expected[i].mem);
		assert_int_equal(ktstr_topo__vcpus(&p[i].topo), expected[i].vcpus);
		assert_int_equal(ktstr_topo__validate(&p[i].topo, err, sizeof(err)), 0);
	}
}

static void test_preset_parse_each(void **state)
{
	for (size_t i = 0; i < NEXPECTED; i++) {
		struct ktstr_topo t = {0};
		char err[256] = "";

		assert_int_equal(ktstr_topo__parse(expected[i].name, &t, err, sizeof(err)), 0);
		assert_int_equal(t.numa_nodes, expected[i].numa);
		assert_int_equal(t.llcs, expected[i].llcs);
		assert_int_equal(t.cores, expected[i].cores);
		assert_int_equal(t.threads, expected[i].threads);
		assert_ptr_equal(ktstr_topo__preset_find(expected[i].name)->name,
				 ktstr_topo__presets(&(size_t){0})[i].name);
	}
	assert_null(ktstr_topo__preset_find("tiny-3llc"));
	assert_null(ktstr_topo__preset_find(""));
}

static void test_compact_ok(void **state)
{
	struct ktstr_topo t;
	char err[256], name[64];

	assert_int_equal(ktstr_topo__parse("1n2l4c1t", &t, err, sizeof(err)), 0);
	assert_int_equal(t.numa_nodes, 1);
	assert_int_equal(t.llcs, 2);
	assert_int_equal(t.cores, 4);
	assert_int_equal(t.threads, 1);
	ktstr_topo__name(&t, name, sizeof(name));
	assert_string_equal(name, "1n2l4c1t");

	/* 3 LLCs on one node divide evenly: valid (odd-3llc is 1n3l3c1t) */
	assert_int_equal(ktstr_topo__parse("1n3l1c1t", &t, err, sizeof(err)), 0);
	assert_int_equal(ktstr_topo__vcpus(&t), 3);

	assert_int_equal(ktstr_topo__parse("4n12l8c2t", &t, err, sizeof(err)), 0);
	assert_int_equal(ktstr_topo__vcpus(&t), 192);
	/* exactly the limit */
	assert_int_equal(ktstr_topo__parse("2n14l9c2t", &t, err, sizeof(err)), 0);
	assert_int_equal(ktstr_topo__vcpus(&t), 252);
	assert_int_equal(ktstr_topo__parse("1n1l1c1t", &t, err, sizeof(err)), 0);
	assert_int_equal(ktstr_topo__parse("10n10l1c1t", &t, err, sizeof(err)), 0);
}

static void expect_bad(const char *s, const char *msg)
{
	struct ktstr_topo t = {7, 7, 7, 7};
	char err[256] = "";

	assert_int_equal(ktstr_topo__parse(s, &t, err, sizeof(err)), -EINVAL);
	if (strstr(err, msg) == NULL) {
		fail_msg("parse(\"%s\"): \"%s\" lacks \"%s\"", s, err, msg);
	}
	/* the output is untouched on error */
	assert_int_equal(t.numa_nodes, 7);
	assert_int_equal(t.threads, 7);
}

static void test_compact_bad(void **state)
{
	expect_bad("0n1l1c1t", "topology \"0n1l1c1t\": NUMA nodes must be at least 1");
	expect_bad("1n0l1c1t", "LLCs must be at least 1");
	expect_bad("1n1l0c1t", "cores per LLC must be at least 1");
	expect_bad("1n1l1c0t", "threads per core must be at least 1");
	expect_bad("2n3l1c1t", "3 LLCs do not divide evenly into 2 NUMA nodes");
	expect_bad("1n3l2c1tx", "unknown topology \"1n3l2c1tx\"");
	expect_bad("1n2l2c", "unknown topology");
	expect_bad("1n2l2c1t ", "unknown topology");
	expect_bad(" 1n2l2c1t", "unknown topology");
	expect_bad("", "unknown topology \"\"");
	expect_bad("n2l2c1t", "unknown topology");
	expect_bad("-1n2l2c1t", "unknown topology");
	expect_bad("+1n2l2c1t", "unknown topology");
	expect_bad("01n2l2c1t", "unknown topology");
	expect_bad("1n2l2c1t1n", "unknown topology");
	expect_bad("1l2n2c1t", "unknown topology");
	expect_bad("4294967296n1l1c1t", "a count is too large");
	expect_bad("1n99999999999999999999l1c1t", "a count is too large");
	/* fits in 32 bits per field but the product overflows 32 bits: still rejected */
	expect_bad("1n4294967295l4294967295c4294967295t", "vCPUs");
	expect_bad("1n1l253c1t", "253 vCPUs");
	expect_bad("1n14l9c3t", "378 vCPUs (LLCs x cores x threads) exceed the limit of 252");
	expect_bad("tiny-2lc", "(did you mean \"tiny-2llc\"?)");
	expect_bad("zzzzzzzzzzzz", "expected a preset name");
}

static void test_validate(void **state)
{
	struct ktstr_topo t = {1, 2, 2, 1};
	char err[256] = "";

	assert_int_equal(ktstr_topo__validate(&t, err, sizeof(err)), 0);
	t.numa_nodes = 0;
	assert_int_equal(ktstr_topo__validate(&t, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "NUMA nodes must be at least 1");
	t = (struct ktstr_topo){4, 6, 1, 1};
	assert_int_equal(ktstr_topo__validate(&t, err, sizeof(err)), -EINVAL);
	t = (struct ktstr_topo){3, 6, 1, 1};
	assert_int_equal(ktstr_topo__validate(&t, err, sizeof(err)), 0);
	t = (struct ktstr_topo){1, 1, 126, 2};
	assert_int_equal(ktstr_topo__validate(&t, err, sizeof(err)), 0);
	t.cores = 127;
	assert_int_equal(ktstr_topo__validate(&t, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "254 vCPUs (LLCs x cores x threads) exceed the limit of 252");
}

static void test_vcpus_saturates(void **state)
{
	struct ktstr_topo t = {1, UINT32_MAX, UINT32_MAX, 2};

	assert_int_equal(ktstr_topo__vcpus(&t), UINT32_MAX);
}

static void test_name_truncates(void **state)
{
	struct ktstr_topo t = {2, 8, 16, 1};
	char small[5];

	ktstr_topo__name(&t, small, sizeof(small));
	assert_string_equal(small, "2n8l");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_preset_table),   cmocka_unit_test(test_preset_parse_each),
	    cmocka_unit_test(test_compact_ok),	   cmocka_unit_test(test_compact_bad),
	    cmocka_unit_test(test_validate),	   cmocka_unit_test(test_vcpus_saturates),
	    cmocka_unit_test(test_name_truncates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
