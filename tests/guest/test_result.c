#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "result.h"

/* The keys of @p obj in order, space-separated. */
static const char *keys(json_t *obj, char *buf, size_t len)
{
	const char *k;
	json_t *v;
	size_t used = 0;

	buf[0] = '\0';
	json_object_foreach(obj, k, v)
	{
		used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "", k);
	}
	return buf;
}

static const char cgroup_keys[] =
    "num_workers num_cpus avg_off_cpu_pct min_off_cpu_pct max_off_cpu_pct spread max_gap_ms "
    "max_gap_cpu total_migrations migration_ratio p99_wake_latency_us median_wake_latency_us "
    "wake_latency_cv total_iterations mean_run_delay_us worst_run_delay_us page_locality "
    "cross_node_migration_ratio wake_latency_tail_ratio iterations_per_worker";

static const char scenario_keys[] =
    "cgroups total_workers total_cpus total_migrations total_iterations worst_spread "
    "worst_gap_ms worst_gap_cpu worst_migration_ratio worst_p99_wake_latency_us "
    "worst_median_wake_latency_us worst_wake_latency_cv worst_mean_run_delay_us "
    "worst_run_delay_us worst_page_locality worst_cross_node_migration_ratio "
    "worst_wake_latency_tail_ratio worst_iterations_per_worker";

static void full_result(void **state)
{
	struct ktstr_worker_report r[2];
	struct ktstr_cgroup_stats cg[2];
	struct ktstr_scenario_stats ss;
	struct ktstr_verdict v;
	struct ktstr_result_worker w[2] = {{"cg_0", &r[0]}, {"cg_1", &r[1]}};
	json_t *topo = json_pack("{s:i}", "cpus", 4), *root, *x;
	struct ktstr_spec_op ops[2] = {{.kind = KTSTR_OP_SET_CPUSET},
				       {.kind = KTSTR_OP_SWAP_CPUSETS}};
	struct ktstr_result_step steps[2];
	struct ktstr_result_stimulus ev;
	struct ktstr_result_isolation iso = {.cgroup = "cg_0"};
	json_error_t jerr;
	char buf[2048], *text, *text2;

	(void)state;
	memset(r, 0, sizeof(r));
	r[0] = (struct ktstr_worker_report){.pid = 7,
					    .iterations = 5,
					    .cpu_ns = 9,
					    .wall_ns = 10,
					    .max_gap_ns = 12345678,
					    .max_gap_cpu = 3,
					    .max_gap_at_ns = 2999999,
					    .migrations = 1,
					    .run_time_ns = 8,
					    .run_delay_ns = 11,
					    .timeslices = 4};
	ktstr_cpumask__set(&r[0].cpus_used, 3);
	ktstr_cpumask__set(&r[0].cpus_used, 1);
	r[1] = r[0];
	r[1].pid = 8;
	assert_int_equal(ktstr_stats__cgroup(&r[0], 1, NULL, 0, &cg[0]), 0);
	assert_int_equal(ktstr_stats__cgroup(&r[1], 1, NULL, 0, &cg[1]), 0);
	ktstr_stats__scenario(cg, 2, &ss);
	ktstr_verdict__init(&v);
	ktstr_verdict__fail(&v, KTSTR_DETAIL_STARVED, "tid %d starved (0 work units)", 7);
	steps[0].index = -1;
	ktstr_verdict__init(&steps[0].verdict);
	ktstr_stats__scenario(cg, 1, &steps[0].stats);
	steps[1].index = 0;
	ktstr_verdict__init(&steps[1].verdict);
	ktstr_verdict__fail(&steps[1].verdict, KTSTR_DETAIL_OTHER, "step 0 failed: %s", "x");
	ktstr_stats__scenario(cg + 1, 1, &steps[1].stats);
	ev = (struct ktstr_result_stimulus){.elapsed_ms = 1500,
					    .step_index = 1,
					    .op_kinds = (1u << KTSTR_OP_SET_CPUSET) |
							(1u << KTSTR_OP_SWAP_CPUSETS),
					    .ncgroups = 2,
					    .nworkers = 4,
					    .ops = ops,
					    .nops = 2};
	ktstr_cpumask__set(&iso.cpuset, 0);
	ktstr_cpumask__set(&iso.cpuset, 1);
	ktstr_cpumask__set(&iso.used, 1);
	ktstr_cpumask__set(&iso.used, 2);

	text =
	    ktstr_result__render(&(struct ktstr_result_doc){.verdict = &v,
							    .stats = &ss,
							    .kernel_release = "7.2.13-cloud-amd64",
							    .guest_topology = topo,
							    .scenario = "steady",
							    .duration_ms = 2000,
							    .workers = w,
							    .nworkers = 2,
							    .steps = steps,
							    .nsteps = 2,
							    .stimuli = &ev,
							    .nstimuli = 1,
							    .isolation = &iso,
							    .nisolation = 1,
							    .emulated_timing = true,
							    .timing_scale = 2.5});
	assert_non_null(text);
	assert_null(strchr(text, '\n')); /* one COM2 line */
	root = json_loads(text, 0, &jerr);
	assert_non_null(root);
	assert_string_equal(keys(root, buf, sizeof(buf)),
			    "passed skipped details stats kernel_release guest_topology scenario "
			    "duration_ms workers steps stimulus_events isolation emulated_timing "
			    "timing_scale");
	assert_true(json_is_true(json_object_get(root, "emulated_timing")));
	assert_true(json_real_value(json_object_get(root, "timing_scale")) == 2.5);
	x = json_array_get(json_object_get(root, "steps"), 0);
	assert_string_equal(keys(x, buf, sizeof(buf)), "index label passed details stats");
	assert_int_equal(json_integer_value(json_object_get(x, "index")), -1);
	assert_string_equal(json_string_value(json_object_get(x, "label")), "backdrop");
	assert_true(json_is_true(json_object_get(x, "passed")));
	assert_string_equal(keys(json_object_get(x, "stats"), buf, sizeof(buf)), scenario_keys);
	x = json_array_get(json_object_get(root, "steps"), 1);
	assert_string_equal(json_string_value(json_object_get(x, "label")), "step 0");
	assert_true(json_is_false(json_object_get(x, "passed")));
	assert_string_equal(json_string_value(json_object_get(
				json_array_get(json_object_get(x, "details"), 0), "message")),
			    "step 0 failed: x");
	x = json_array_get(json_object_get(root, "stimulus_events"), 0);
	text2 = json_dumps(x, JSON_COMPACT);
	assert_string_equal(text2,
			    "{\"elapsed_ms\":1500,\"label\":\"StepStart[1]\",\"op_kind\":\"ops=2\","
			    "\"detail\":\"2 cgroups, 4 workers\",\"total_iterations\":null,"
			    "\"step_index\":1,\"op_kinds\":20,\"ops\":[\"set_cpuset\","
			    "\"swap_cpusets\"]}");
	free(text2);
	ev.total_iterations = 77;
	x = ktstr_result__stimulus_json(&ev);
	assert_int_equal(json_integer_value(json_object_get(x, "total_iterations")), 77);
	json_decref(x);
	x = json_array_get(json_object_get(root, "isolation"), 0);
	text2 = json_dumps(x, JSON_COMPACT);
	assert_string_equal(text2, "{\"cgroup\":\"cg_0\",\"cpuset\":[0,1],\"cpus_used\":[1,2],"
				   "\"passed\":false}");
	free(text2);
	assert_true(json_is_false(json_object_get(root, "passed")));
	assert_true(json_is_false(json_object_get(root, "skipped")));
	x = json_array_get(json_object_get(root, "details"), 0);
	assert_string_equal(json_string_value(json_object_get(x, "kind")), "Starved");
	assert_string_equal(json_string_value(json_object_get(x, "message")),
			    "tid 7 starved (0 work units)");
	x = json_object_get(root, "stats");
	assert_string_equal(keys(x, buf, sizeof(buf)), scenario_keys);
	assert_int_equal(json_integer_value(json_object_get(x, "total_workers")), 2);
	assert_int_equal(json_integer_value(json_object_get(x, "worst_gap_ms")), 12);
	x = json_array_get(json_object_get(x, "cgroups"), 1);
	assert_string_equal(keys(x, buf, sizeof(buf)), cgroup_keys);
	assert_true(json_is_integer(json_object_get(x, "max_gap_cpu")));
	assert_true(json_is_real(json_object_get(x, "spread")));
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(root, "guest_topology"), "cpus")),
	    4);
	assert_string_equal(json_string_value(json_object_get(root, "kernel_release")),
			    "7.2.13-cloud-amd64");
	assert_int_equal(json_integer_value(json_object_get(root, "duration_ms")), 2000);
	x = json_array_get(json_object_get(root, "workers"), 1);
	assert_string_equal(keys(x, buf, sizeof(buf)),
			    "cgroup pid iterations cpu_ns wall_ns max_gap_ms max_gap_cpu "
			    "max_gap_at_ms migrations cpus_used run_time_ns run_delay_ns "
			    "timeslices");
	assert_string_equal(json_string_value(json_object_get(x, "cgroup")), "cg_1");
	assert_int_equal(json_integer_value(json_object_get(x, "pid")), 8);
	assert_int_equal(json_integer_value(json_object_get(x, "max_gap_ms")), 12);
	assert_int_equal(json_integer_value(json_object_get(x, "max_gap_at_ms")), 2);
	assert_int_equal(json_integer_value(json_object_get(x, "run_time_ns")), 8);
	assert_int_equal(json_integer_value(json_object_get(x, "timeslices")), 4);
	free(text);
	text = json_dumps(json_object_get(x, "cpus_used"), JSON_COMPACT);
	assert_string_equal(text, "[1,3]");
	free(text);
	json_decref(root);
	json_decref(topo);
	ktstr_verdict__release(&v);
	ktstr_verdict__release(&steps[0].verdict);
	ktstr_verdict__release(&steps[1].verdict);
}

/* A topology mismatch: no workers, no cgroups, null topology allowed. */
static void empty_result(void **state)
{
	struct ktstr_scenario_stats ss;
	struct ktstr_verdict v;
	char *text;

	(void)state;
	ktstr_stats__scenario(NULL, 0, &ss);
	ktstr_verdict__init(&v);
	text = ktstr_result__render(&(struct ktstr_result_doc){.verdict = &v,
							       .stats = &ss,
							       .kernel_release = "k",
							       .scenario = "steady",
							       .duration_ms = 1});
	assert_non_null(text);
	assert_non_null(strstr(text, "{\"passed\":true,\"skipped\":false,\"details\":[],"
				     "\"stats\":{\"cgroups\":[],\"total_workers\":0,"));
	assert_non_null(strstr(text, "\"worst_gap_cpu\":-1,"));
	assert_non_null(strstr(text, "\"guest_topology\":null,\"scenario\":\"steady\","
				     "\"duration_ms\":1,\"workers\":[],\"steps\":[],"
				     "\"stimulus_events\":[],\"isolation\":[],"
				     "\"emulated_timing\":false,\"timing_scale\":0.0}"));
	free(text);
	ktstr_verdict__release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(full_result),
	    cmocka_unit_test(empty_result),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
