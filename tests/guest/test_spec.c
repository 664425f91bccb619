#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "spec.h"

/* The steady scenario as the host writes it. */
#define STEADY                                                                                     \
	"{\"name\":\"steady\",\"steps\":[{\"hold\":{\"frac\":1.0,\"plus_settle\":false},"          \
	"\"cgroups\":[{\"name\":\"cg_0\",\"cpuset\":null,\"works\":[]},{\"name\":\"cg_1\"}]}]}"

static const char full[] =
    "{\"version\":2,\"test_name\":\"steady/1n2l2c1t/eevdf/default\",\"scenario\":" STEADY ","
    "\"duration_ms\":2000,\"workers_per_cgroup\":3,\"settle_ms\":250,"
    "\"topology\":{\"numa_nodes\":1,\"llcs\":2,\"cores\":2,\"threads\":1},"
    "\"scheduler\":{\"name\":\"scx_x\",\"path\":\"/scheduler\",\"args\":[\"--a\",\"-v\"]},"
    "\"checks\":{\"not_starved\":false,\"max_gap_ms\":3000,\"max_spread_pct\":35.5},"
    "\"emulated_timing\":true,\"future_key\":{\"x\":[1,2]}}";

static const char minimal[] =
    "{\"version\":2,\"test_name\":\"t\",\"scenario\":" STEADY ",\"duration_ms\":1,"
    "\"topology\":{\"numa_nodes\":1,\"llcs\":1,\"cores\":1,\"threads\":1}}";

static int parse(const char *text, struct ktstr_spec *s, char *err, size_t errlen)
{
	return ktstr_spec__parse(text, strlen(text), "test.json", s, err, errlen);
}

/* Parse @p text expecting -EINVAL and @p want inside the message. */
static void expect_error(const char *text, const char *want)
{
	struct ktstr_spec s;
	char err[512] = "";

	assert_int_equal(parse(text, &s, err, sizeof(err)), -EINVAL);
	if (strstr(err, want) == NULL) {
		fail_msg("error '%s' lacks '%s'", err, want);
	}
	assert_null(s.test_name);
	assert_null(s.sched);
}

/* minimal[] with `"key":value` spliced in after the version. */
static const char *with(const char *member, char *buf, size_t len)
{
	snprintf(buf, len, "{%s,%s", member, minimal + 1);
	return buf;
}

static void full_spec(void **state)
{
	struct ktstr_spec s;
	char err[256];

	(void)state;
	assert_int_equal(parse(full, &s, err, sizeof(err)), 0);
	assert_string_equal(s.test_name, "steady/1n2l2c1t/eevdf/default");
	assert_string_equal(s.scenario.name, "steady");
	assert_int_equal(s.duration_ms, 2000);
	assert_int_equal(s.workers_per_cgroup, 3);
	assert_int_equal(s.settle_ms, 250);
	assert_int_equal(s.topo.numa_nodes, 1);
	assert_int_equal(s.topo.llcs, 2);
	assert_int_equal(s.topo.cores, 2);
	assert_int_equal(s.topo.threads, 1);
	assert_non_null(s.sched);
	assert_string_equal(s.sched->name, "scx_x");
	assert_string_equal(s.sched->path, "/scheduler");
	assert_string_equal(s.sched->argv[0], "/scheduler");
	assert_string_equal(s.sched->argv[1], "--a");
	assert_string_equal(s.sched->argv[2], "-v");
	assert_null(s.sched->argv[3]);
	assert_false(s.checks.not_starved);
	assert_int_equal(s.checks.max_gap_ms, 3000);
	assert_true(s.checks.max_spread_pct == 35.5);
	assert_true(s.emulated_timing);
	ktstr_spec__release(&s);
	assert_null(s.test_name);
}

static void defaults(void **state)
{
	struct ktstr_spec s;
	char err[256], buf[512];

	(void)state;
	assert_int_equal(parse(minimal, &s, err, sizeof(err)), 0);
	assert_int_equal(s.workers_per_cgroup, 2);
	assert_int_equal(s.settle_ms, 500);
	assert_null(s.sched);
	assert_true(s.checks.not_starved);
	assert_int_equal(s.checks.max_gap_ms, 2000);
	assert_true(s.checks.max_spread_pct == 15.0);
	assert_false(s.emulated_timing);
	ktstr_spec__release(&s);

	/* An explicit null scheduler, partial checks and an empty args list. */
	assert_int_equal(parse(with("\"scheduler\":null", buf, sizeof(buf)), &s, err, sizeof(err)),
			 0);
	assert_null(s.sched);
	ktstr_spec__release(&s);
	assert_int_equal(
	    parse(with("\"checks\":{\"max_gap_ms\":1}", buf, sizeof(buf)), &s, err, sizeof(err)),
	    0);
	assert_int_equal(s.checks.max_gap_ms, 1);
	assert_true(s.checks.not_starved);
	ktstr_spec__release(&s);
	assert_int_equal(
	    parse(with("\"scheduler\":{\"name\":\"a\",\"path\":\"/s\"}", buf, sizeof(buf)), &s, err,
		  sizeof(err)),
	    0);
	assert_string_equal(s.sched->argv[0], "/s");
	assert_null(s.sched->argv[1]);
	ktstr_spec__release(&s);
}

static void checks_v2(void **state)
{
	struct ktstr_spec s;
	char err[256], buf[1024];

	(void)state;
	assert_int_equal(parse(minimal, &s, err, sizeof(err)), 0);
	/* Defaults: upstream's default_checks(), everything else off. */
	assert_false(s.checks.isolation);
	assert_true(isinf(s.checks.max_throughput_cv) && isinf(s.checks.max_run_delay_us));
	assert_true(isinf(s.checks.max_p99_wake_latency_ns));
	assert_true(s.checks.min_work_rate == 0.0 && s.checks.min_iteration_rate == 0.0);
	ktstr_spec__release(&s);
	assert_int_equal(
	    parse(
		with("\"checks\":{\"isolation\":true,\"max_gap_ms\":null,\"max_spread_pct\":null,"
		     "\"max_throughput_cv\":0.5,\"min_work_rate\":100,\"max_p99_wake_latency_ns\":"
		     "2e6,\"max_median_wake_latency_ns\":null,\"max_wake_latency_cv\":1,"
		     "\"min_iteration_rate\":null,\"max_migration_ratio\":0,"
		     "\"max_run_delay_us\":5000}",
		     buf, sizeof(buf)),
		&s, err, sizeof(err)),
	    0);
	assert_true(s.checks.isolation);
	assert_int_equal(s.checks.max_gap_ms, UINT64_MAX); /* null: off */
	assert_true(isinf(s.checks.max_spread_pct));
	assert_true(s.checks.max_throughput_cv == 0.5);
	assert_true(s.checks.min_work_rate == 100.0);
	assert_true(s.checks.max_p99_wake_latency_ns == 2e6);
	assert_true(isinf(s.checks.max_median_wake_latency_ns));
	assert_true(s.checks.max_wake_latency_cv == 1.0);
	assert_true(s.checks.min_iteration_rate == 0.0);
	assert_true(s.checks.max_migration_ratio == 0.0);
	assert_true(s.checks.max_run_delay_us == 5000.0);
	ktstr_spec__release(&s);
	assert_int_equal(parse(with("\"checks\":null", buf, sizeof(buf)), &s, err, sizeof(err)), 0);
	assert_true(s.checks.not_starved);
	ktstr_spec__release(&s);
	expect_error(with("\"checks\":{\"min_work_rate\":-1}", buf, sizeof(buf)),
		     "key 'checks.min_work_rate': must be a number in 0..inf");
	expect_error(with("\"checks\":{\"max_run_delay_us\":\"5\"}", buf, sizeof(buf)),
		     "key 'checks.max_run_delay_us'");
	expect_error(with("\"checks\":{\"isolation\":null}", buf, sizeof(buf)),
		     "key 'checks.isolation': must be true or false");
}

static void boundaries(void **state)
{
	struct ktstr_spec s;
	char err[256], buf[512];

	(void)state;
	assert_int_equal(
	    parse(with("\"workers_per_cgroup\":256", buf, sizeof(buf)), &s, err, sizeof(err)), 0);
	ktstr_spec__release(&s);
	expect_error(with("\"workers_per_cgroup\":257", buf, sizeof(buf)),
		     "key 'workers_per_cgroup': must be an integer in 1..256");
	expect_error(with("\"workers_per_cgroup\":0", buf, sizeof(buf)), "workers_per_cgroup");
	assert_int_equal(parse(with("\"checks\":{\"max_spread_pct\":100}", buf, sizeof(buf)), &s,
			       err, sizeof(err)),
			 0);
	ktstr_spec__release(&s);
	assert_int_equal(parse(with("\"checks\":{\"max_spread_pct\":0}", buf, sizeof(buf)), &s, err,
			       sizeof(err)),
			 0);
	ktstr_spec__release(&s);
	expect_error(with("\"checks\":{\"max_spread_pct\":100.01}", buf, sizeof(buf)),
		     "key 'checks.max_spread_pct': must be a number in 0..100");
	expect_error(with("\"checks\":{\"max_spread_pct\":-0.5}", buf, sizeof(buf)),
		     "max_spread_pct");
	expect_error(with("\"checks\":{\"max_gap_ms\":0}", buf, sizeof(buf)),
		     "key 'checks.max_gap_ms'");
	assert_int_equal(parse(with("\"settle_ms\":0", buf, sizeof(buf)), &s, err, sizeof(err)), 0);
	ktstr_spec__release(&s);
	expect_error(with("\"settle_ms\":600001", buf, sizeof(buf)), "key 'settle_ms'");
	expect_error("{\"version\":2,\"test_name\":\"t\",\"scenario\":" STEADY ",\"duration_ms\":0,"
		     "\"topology\":{\"numa_nodes\":1,\"llcs\":1,\"cores\":1,\"threads\":1}}",
		     "key 'duration_ms': must be an integer in 1..86400000");
	expect_error("{\"version\":2,\"test_name\":\"t\",\"scenario\":" STEADY ",\"duration_ms\":1,"
		     "\"topology\":{\"numa_nodes\":1,\"llcs\":1,\"cores\":1025,\"threads\":1}}",
		     "key 'topology.cores': must be an integer in 1..1024");
}

static void errors(void **state)
{
	char buf[512];

	(void)state;
	expect_error("", "test.json:1:0: invalid JSON");
	expect_error("{\n\"version\":2,\n\"x\": }", "test.json:3:");
	expect_error("[1]", "test.json: the spec must be a JSON object");
	expect_error("{\"version\":1}", "spec version 1, this ktstr-init reads version 2");
	expect_error("{\"version\":3}", "spec version 3, this ktstr-init reads version 2");
	expect_error("{\"test_name\":\"t\"}", "key 'version': missing (required)");
	expect_error("{\"version\":\"1\"}", "key 'version': must be an integer");
	expect_error("{\"version\":2,\"version\":2}", "invalid JSON");
	expect_error("{\"version\":2,\"scenario\":" STEADY "}",
		     "key 'test_name': missing (required)");
	expect_error("{\"version\":2,\"test_name\":\"\"}", "key 'test_name': must be a non-empty");
	expect_error("{\"version\":2,\"test_name\":\"a\\u0000b\"}", "invalid JSON");
	expect_error("{\"version\":2,\"test_name\":\"t\",\"scenario\":" STEADY
		     ",\"duration_ms\":1}",
		     "key 'topology': missing (required)");
	expect_error("{\"version\":2,\"test_name\":\"t\",\"scenario\":" STEADY ",\"duration_ms\":1,"
		     "\"topology\":[]}",
		     "key 'topology': must be an object");
	expect_error("{\"version\":2,\"test_name\":\"t\",\"scenario\":" STEADY
		     ",\"duration_ms\":1.5}",
		     "key 'duration_ms'");
	expect_error(with("\"scheduler\":\"scx\"", buf, sizeof(buf)), "key 'scheduler'");
	expect_error(with("\"scheduler\":{\"name\":\"a\",\"path\":\"s\"}", buf, sizeof(buf)),
		     "key 'scheduler.path': must be an absolute path");
	expect_error(with("\"scheduler\":{\"path\":\"/s\"}", buf, sizeof(buf)),
		     "key 'scheduler.name': missing");
	expect_error(
	    with("\"scheduler\":{\"name\":\"a\",\"path\":\"/s\",\"args\":[1]}", buf, sizeof(buf)),
	    "key 'scheduler.args': must be an array of strings");
	expect_error(with("\"scheduler\":{\"name\":\"a\",\"path\":\"/s\",\"args\":\"-v\"}", buf,
			  sizeof(buf)),
		     "key 'scheduler.args'");
	expect_error(with("\"checks\":{\"not_starved\":1}", buf, sizeof(buf)),
		     "key 'checks.not_starved': must be true or false");
	expect_error(with("\"checks\":true", buf, sizeof(buf)), "key 'checks': must be an object");
	expect_error(with("\"emulated_timing\":\"yes\"", buf, sizeof(buf)),
		     "key 'emulated_timing'");
}

/* Every proper prefix of a valid spec is rejected cleanly (no leak, no crash). */
static void truncations(void **state)
{
	struct ktstr_spec s;
	char err[256];

	(void)state;
	for (size_t len = 0; len < sizeof(full) - 1; len++) {
		assert_int_equal(ktstr_spec__parse(full, len, "t", &s, err, sizeof(err)), -EINVAL);
	}
	assert_int_equal(ktstr_spec__parse(full, sizeof(full) - 1, "t", &s, err, sizeof(err)), 0);
	ktstr_spec__release(&s);
}

static void load(void **state)
{
	struct ktstr_spec s;
	char dir[PATH_MAX], path[PATH_MAX + 16], err[512];

	(void)state;
	fx_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/test.json", dir);
	assert_int_equal(ktstr_spec__load(path, &s, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "cannot read"));
	assert_non_null(strstr(err, "No such file or directory"));
	fx_write(dir, "test.json", minimal);
	assert_int_equal(ktstr_spec__load(path, &s, err, sizeof(err)), 0);
	assert_string_equal(s.scenario.name, "steady");
	ktstr_spec__release(&s);
	fx_write(dir, "test.json", "{\"version\":2,\n  oops}");
	assert_int_equal(ktstr_spec__load(path, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/test.json:2:"));
	fx_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(full_spec),   cmocka_unit_test(defaults),
	    cmocka_unit_test(boundaries),  cmocka_unit_test(errors),
	    cmocka_unit_test(truncations), cmocka_unit_test(load),
	    cmocka_unit_test(checks_v2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
