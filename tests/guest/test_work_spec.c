#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "work.h"

/* Parse @p text as a Work with 2 default workers; the error text lands in @p err. */
static int parse(const char *text, struct ktstr_work_spec *out, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	int rc;

	assert_non_null(j);
	err[0] = '\0';
	rc = ktstr_work_spec__parse(j, 2, out, err, errlen);
	json_decref(j);
	return rc;
}

static void expect_error(const char *text, const char *needle)
{
	struct ktstr_work_spec s;
	char err[256];

	assert_int_equal(parse(text, &s, err, sizeof(err)), -EINVAL);
	if (strstr(err, needle) == NULL) {
		fail_msg("'%s': error '%s' lacks '%s'", text, err, needle);
	}
}

static void defaults(void **state)
{
	struct ktstr_work_spec s;
	char err[256];

	(void)state;
	assert_int_equal(parse("{\"type\":\"CpuSpin\",\"workers\":null}", &s, err, sizeof(err)), 0);
	assert_string_equal(s.type->name, "CpuSpin");
	assert_int_equal(s.workers, 2);
	assert_int_equal(s.policy, KTSTR_POLICY_NORMAL);
	assert_int_equal(s.affinity, KTSTR_AFFINITY_INHERIT);
	assert_int_equal(s.mem_policy, KTSTR_MPOL_DEFAULT);
	assert_int_equal(s.params.burst_ms, 50);
	assert_int_equal(s.params.sleep_ms, 100);
	assert_int_equal(s.params.size_kb, 32);
	assert_int_equal(s.params.stride, 64);
	assert_int_equal(s.params.fan_out, 4);
	assert_int_equal(s.params.cache_footprint_kb, 256);
	assert_int_equal(s.params.region_kb, 4096);
	assert_int_equal(s.params.contenders, 4);
	assert_int_equal(s.params.spin_iters, 1024);
	/* A missing type is CpuSpin, like upstream's Work::default(). */
	assert_int_equal(parse("{}", &s, err, sizeof(err)), 0);
	assert_string_equal(s.type->name, "CpuSpin");
}

static void full(void **state)
{
	struct ktstr_work_spec s;
	char err[256];
	const char *t = "{\"type\":\"CpuSpin\",\"workers\":3,\"params\":{\"burst_ms\":7,"
			"\"phases\":[{\"kind\":\"io\",\"ms\":5},{\"kind\":\"yield\",\"ms\":1}]},"
			"\"policy\":{\"kind\":\"fifo\",\"priority\":99},"
			"\"affinity\":{\"kind\":\"exact\",\"cpus\":[1,3]},"
			"\"mem_policy\":{\"kind\":\"bind\",\"nodes\":[0,1],"
			"\"flags\":[\"static_nodes\",\"numa_balancing\"]}}";

	(void)state;
	assert_int_equal(parse(t, &s, err, sizeof(err)), 0);
	assert_int_equal(s.workers, 3);
	assert_int_equal(s.params.burst_ms, 7);
	assert_int_equal(s.params.nphases, 2);
	assert_int_equal(s.params.phases[0].kind, KTSTR_PHASE_IO);
	assert_int_equal(s.params.phases[0].ms, 5);
	assert_int_equal(s.params.phases[1].kind, KTSTR_PHASE_YIELD);
	assert_int_equal(s.policy, KTSTR_POLICY_FIFO);
	assert_int_equal(s.priority, 99);
	assert_int_equal(s.affinity, KTSTR_AFFINITY_EXACT);
	assert_int_equal(ktstr_cpumask__count(&s.affinity_cpus), 2);
	assert_true(ktstr_cpumask__test(&s.affinity_cpus, 3));
	assert_int_equal(s.mem_policy, KTSTR_MPOL_BIND);
	assert_int_equal(ktstr_cpumask__count(&s.mem_nodes), 2);
	assert_int_equal(s.mpol_flags, KTSTR_MPOL_F_STATIC_NODES | KTSTR_MPOL_F_NUMA_BALANCING);
	/* RT priority boundaries: 1 and 99 pass, 0 and 100 fail. */
	assert_int_equal(
	    parse("{\"policy\":{\"kind\":\"rr\",\"priority\":1}}", &s, err, sizeof(err)), 0);
	expect_error("{\"policy\":{\"kind\":\"rr\",\"priority\":0}}", "policy.priority");
	expect_error("{\"policy\":{\"kind\":\"fifo\",\"priority\":100}}", "policy.priority");
	expect_error("{\"policy\":{\"kind\":\"fifo\"}}", "policy.priority");
	expect_error("{\"policy\":{\"kind\":\"normal\",\"priority\":3}}", "policy.priority");
}

static void errors(void **state)
{
	(void)state;
	expect_error("[]", "expected an object");
	expect_error("{\"type\":\"cpuspin\"}", "unknown work type 'cpuspin'");
	expect_error("{\"workers\":0}", "workers");
	expect_error("{\"workers\":257}", "workers");
	expect_error("{\"workers\":-1}", "workers");
	expect_error("{\"workers\":\"2\"}", "expected an integer");
	expect_error("{\"params\":{\"stride\":0}}", "must be > 0");
	expect_error("{\"params\":{\"burst_ms\":4294967296}}", "burst_ms");
	expect_error("{\"params\":{\"phases\":[]}}", "phases");
	expect_error("{\"params\":{\"phases\":[{\"kind\":\"nap\",\"ms\":1}]}}", "phases.kind");
	expect_error("{\"params\":{\"phases\":[{\"kind\":\"spin\",\"ms\":0}]}}", "phases.ms");
	expect_error("{\"policy\":{\"kind\":\"deadline\"}}", "policy.kind");
	expect_error("{\"affinity\":{\"kind\":\"exact\",\"cpus\":[]}}", "exact affinity");
	expect_error("{\"affinity\":{\"kind\":\"exact\",\"cpus\":[1024]}}", "affinity.cpus");
	expect_error("{\"affinity\":{\"kind\":\"everywhere\"}}", "affinity.kind");
	expect_error("{\"mem_policy\":{\"kind\":\"bind\"}}", "at least one node");
	expect_error("{\"mem_policy\":{\"kind\":\"preferred\",\"nodes\":[0,1]}}", "one node");
	expect_error("{\"mem_policy\":{\"kind\":\"local\",\"nodes\":[0]}}", "must be empty");
	expect_error("{\"mem_policy\":{\"kind\":\"bind\",\"nodes\":[0],\"flags\":[\"x\"]}}",
		     "mem_policy.flags");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults),
	    cmocka_unit_test(full),
	    cmocka_unit_test(errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
