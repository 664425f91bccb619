/* Verdicts and reasons, the variant hash, and the record: encode -> decode, every key. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <ktstr/sink.h>

#include "msgpack_json.h"
#include "result.h"
#include "siphash.h"
#include "test_frame_fixture.h"

#define PASS_JSON                                                                                  \
	"{\"passed\":true,\"skipped\":false,\"details\":[],\"stats\":{\"total_workers\":4,"        \
	"\"worst_spread\":1.5},\"kernel_release\":\"7.2.13-cloud-amd64\",\"guest_topology\":"      \
	"{\"cpus\":4},\"scenario\":\"steady\",\"workers\":[{\"pid\":93,\"iterations\":812345}]}"
#define FAIL_JSON                                                                                  \
	"{\"passed\":false,\"skipped\":false,\"details\":[{\"kind\":\"Starved\",\"message\":"      \
	"\"tid 93 starved (0 work units)\"},{\"kind\":\"Stuck\",\"message\":\"second\"}]}"

/* A guest report as the parser builds it from COM2 text. */
static void guest_from(const char *com2, struct ktstr_guest_report *g)
{
	assert_int_equal(ktstr_guest_output__parse(com2, strlen(com2), g), 0);
}

static void guest_result(const char *json, struct ktstr_guest_report *g)
{
	char text[2048];

	snprintf(
	    text, sizeof(text),
	    "KTSTR_INIT_STARTED\nKTSTR_TOPOLOGY {\"cpus\":4,\"llcs\":2}\nKTSTR_PAYLOAD_STARTING\n"
	    "===KTSTR_TEST_RESULT_START===\n%s\n===KTSTR_TEST_RESULT_END===\nKTSTR_EXIT=0\n",
	    json);
	guest_from(text, g);
	assert_true(g->have_result);
}

static const char *const flags[] = { "steal", "llc", "borrow", NULL };

static struct ktstr_vm_outcome vm_ok = { .sz = sizeof(struct ktstr_vm_outcome),
					 .accel = KTSTR_ACCEL_TCG,
					 .wall_ms = 5000 };

static struct ktstr_result_in base_in(const struct ktstr_guest_report *g)
{
	return (struct ktstr_result_in){
		.test_name = "steady/1n2l2c1t/eevdf/default",
		.scenario = "steady",
		.topo = { 1, 2, 2, 1 },
		.scheduler = "eevdf",
		.flagset = "llc+borrow+steal",
		.active_flags = flags,
		.kernel_label = "sid",
		.kernel_image = "/cache/vmlinuz",
		.kernel_version = NULL,
		.project_commit = "3f9c2ab-dirty",
		.run_id = "20261128T120000Z-1",
		.timestamp = "2026-11-28T12:00:00Z",
		.ci = true,
		.accel = KTSTR_ACCEL_TCG,
		.wall_ms = 7345,
		.boot_ms = 3100,
		.vm = &vm_ok,
		.guest = g,
		.console_tail = "[ 3.0] last console line",
		.cleanup_ms = 41,
	};
}

static enum ktstr_verdict verdict(const struct ktstr_result_in *in, char *reason)
{
	return ktstr_result__verdict(in, reason, 256);
}

static void test_verdict_table(void **state)
{
	struct ktstr_guest_report pass, fail, skip, nodetail, none, payload, bad, died;
	struct ktstr_vm_outcome timeout = vm_ok, cancel = vm_ok;
	char reason[256];

	guest_result(PASS_JSON, &pass);
	guest_result(FAIL_JSON, &fail);
	guest_result("{\"passed\":true,\"skipped\":true,\"details\":[{\"kind\":\"Skip\","
		     "\"message\":\"needs 2 NUMA nodes\"}]}",
		     &skip);
	guest_result("{\"passed\":false}", &nodetail);
	guest_from("", &none);
	guest_from("KTSTR_INIT_STARTED\nKTSTR_PAYLOAD_STARTING\n", &payload);
	guest_from(
	    "KTSTR_INIT_STARTED\nKTSTR_PAYLOAD_STARTING\n===KTSTR_TEST_RESULT_START===\n[1]\n"
	    "===KTSTR_TEST_RESULT_END===\n",
	    &bad);
	guest_from("KTSTR_INIT_STARTED\nSCHEDULER_DIED\nKTSTR_EXIT=1\n", &died);
	timeout.timed_out = true;
	timeout.wall_ms = 60012;
	cancel.cancelled = true;

	const struct {
		struct ktstr_result_in in;
		enum ktstr_verdict want;
		const char *reason;
	} cases[] = {
		{ base_in(&pass), KTSTR_VERDICT_PASS, "all checks passed" },
		{ base_in(&fail), KTSTR_VERDICT_FAIL, "Starved: tid 93 starved (0 work units)" },
		{ base_in(&skip), KTSTR_VERDICT_SKIP, "Skip: needs 2 NUMA nodes" },
		{ base_in(&nodetail), KTSTR_VERDICT_FAIL,
		  "the guest reported a failure without details" },
		{ base_in(&none), KTSTR_VERDICT_ERROR,
		  "init never started (kernel or mount failure)" },
		{ base_in(&payload), KTSTR_VERDICT_ERROR,
		  "payload started but produced no test result" },
		{ base_in(&bad), KTSTR_VERDICT_ERROR,
		  "payload started but produced no test result; result block at COM2 line 3: JSON "
		  "is "
		  "not an object" },
		{ base_in(&died), KTSTR_VERDICT_ERROR,
		  "cgroup/scheduler setup failed; scheduler died" },
		{ base_in(NULL), KTSTR_VERDICT_ERROR, "the VM did not run" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum ktstr_verdict v = verdict(&cases[i].in, reason);

		if (v != cases[i].want || strcmp(reason, cases[i].reason) != 0) {
			fail_msg("case %zu: %s '%s'", i, ktstr_verdict__name(v), reason);
		}
	}

	/* Host-side conditions come first. */
	struct ktstr_result_in in = base_in(&payload);
	in.vm = &timeout;
	assert_int_equal(verdict(&in, reason), KTSTR_VERDICT_ERROR);
	assert_string_equal(reason,
			    "VM timed out after 60 s; payload started but produced no test result");
	in.guest = &pass; /* a result does not excuse the timeout */
	assert_int_equal(verdict(&in, reason), KTSTR_VERDICT_ERROR);
	assert_string_equal(reason, "VM timed out after 60 s; test result received");
	in.vm = &cancel;
	assert_int_equal(verdict(&in, reason), KTSTR_VERDICT_ERROR);
	assert_string_equal(reason, "cancelled; test result received");
	in.error = "VM backend qemu could not start the VM:\nno such file";
	assert_int_equal(verdict(&in, reason), KTSTR_VERDICT_ERROR);
	assert_string_equal(reason, "VM backend qemu could not start the VM: no such file");
	in.skip_reason = "topology needs 8 host CPUs, 2 available";
	assert_int_equal(verdict(&in, reason), KTSTR_VERDICT_SKIP);
	assert_string_equal(reason, "topology needs 8 host CPUs, 2 available");

	/* A short buffer truncates; no buffer is allowed. */
	in = base_in(&fail);
	assert_int_equal(ktstr_result__verdict(&in, reason, 8), KTSTR_VERDICT_FAIL);
	assert_string_equal(reason, "Starved");
	assert_int_equal(ktstr_result__verdict(&in, NULL, 0), KTSTR_VERDICT_FAIL);

	assert_string_equal(ktstr_verdict__name(KTSTR_VERDICT_PASS), "PASS");
	assert_string_equal(ktstr_verdict__name(KTSTR_VERDICT_FAIL), "FAIL");
	assert_string_equal(ktstr_verdict__name(KTSTR_VERDICT_SKIP), "SKIP");
	assert_string_equal(ktstr_verdict__name(KTSTR_VERDICT_ERROR), "ERROR");

	struct ktstr_guest_report *all[] = { &pass, &fail,    &skip, &nodetail,
					     &none, &payload, &bad,  &died };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		ktstr_guest_report__release(all[i]);
	}
}

/* The documented byte layout: each field then 0xff; flags sorted and joined by ','. */
static void test_variant_hash(void **state)
{
	const char layout[] = "1n2l2c1t\xff"
			      "eevdf\xff"
			      "\xff"
			      "CpuSpin\xff"
			      "borrow,llc,steal\xff"
			      "sid\xff"
			      "steady\xff";
	struct ktstr_result_in in = base_in(NULL);
	const char *const reordered[] = { "llc", "borrow", "steal", NULL };
	char got[17], want[17], other[17];

	snprintf(want, sizeof(want), "%016" PRIx64,
		 ktstr_siphash13(0, 0, layout, sizeof(layout) - 1));
	assert_int_equal(ktstr_result__variant_hash(&in, got, sizeof(got)), 0);
	assert_string_equal(got, want);
	assert_int_equal(strspn(got, "0123456789abcdef"), 16);

	in.active_flags = reordered;
	assert_int_equal(ktstr_result__variant_hash(&in, other, sizeof(other)), 0);
	assert_string_equal(other, want);

	in.scenario = "steady2";
	assert_int_equal(ktstr_result__variant_hash(&in, other, sizeof(other)), 0);
	assert_string_not_equal(other, want);

	/* No flags: the field is empty, not absent. */
	const char bare[] = "1n2l2c1t\xff"
			    "eevdf\xff"
			    "\xff"
			    "CpuSpin\xff"
			    "\xff"
			    "sid\xff"
			    "steady\xff";
	in = base_in(NULL);
	in.active_flags = NULL;
	snprintf(want, sizeof(want), "%016" PRIx64, ktstr_siphash13(0, 0, bare, sizeof(bare) - 1));
	assert_int_equal(ktstr_result__variant_hash(&in, got, sizeof(got)), 0);
	assert_string_equal(got, want);
}

static json_t *decode(const struct ktstr_result_in *in)
{
	void *buf;
	size_t len;
	json_t *rec;

	assert_int_equal(ktstr_result__encode(in, &buf, &len), 0);
	assert_int_equal(ktstr_msgpack__to_json(buf, len, &rec), 0);
	free(buf);
	assert_true(json_is_object(rec));
	return rec;
}

static const char *const record_keys[] = {
	"test_name",
	"topology",
	"scheduler",
	"scheduler_commit",
	"project_commit",
	"payload",
	"metrics",
	"passed",
	"skipped",
	"stats",
	"monitor",
	"stimulus_events",
	"work_type",
	"active_flags",
	"verifier_stats",
	"kvm_stats",
	"sysctls",
	"kargs",
	"kernel_version",
	"kernel_commit",
	"timestamp",
	"run_id",
	"host",
	"cleanup_duration_ms",
	"run_source",
	"record_version",
	"verdict",
	"reason",
	"accelerator",
	"timing_emulated",
	"wall_ms",
	"boot_ms",
	"stage",
	"scenario",
	"flagset",
	"kernel_label",
	"kernel_image",
	"kernel_release",
	"guest_topology",
	"details",
	"workers",
	"steps",
	"isolation",
	"emulated_timing",
	"timing_scale",
	"vm_exit_code",
	"guest_exit_code",
	"timed_out",
	"console_tail",
	"sched_log",
	"frames_ok",
	"frames_bad",
	"frame_error",
	"error",
	"variant_hash",
};

static void assert_keys_in_order(json_t *rec)
{
	size_t i = 0;
	const char *key;
	json_t *v;

	json_object_foreach(rec, key, v) {
		assert_true(i < sizeof(record_keys) / sizeof(record_keys[0]));
		assert_string_equal(key, record_keys[i]);
		i++;
	}
	assert_int_equal(i, sizeof(record_keys) / sizeof(record_keys[0]));
}

#define S(rec, k) json_string_value(json_object_get(rec, k))
#define I(rec, k) json_integer_value(json_object_get(rec, k))
#define IS_NULL(rec, k) json_is_null(json_object_get(rec, k))
#define IS_EMPTY_LIST(rec, k)                                                                      \
	(json_is_array(json_object_get(rec, k)) && json_array_size(json_object_get(rec, k)) == 0)

static void test_record_pass(void **state)
{
	struct ktstr_guest_report g;
	struct ktstr_result_in in;
	char hash[17];
	json_t *rec, *want;

	guest_result(PASS_JSON, &g);
	in = base_in(&g);
	rec = decode(&in);
	assert_keys_in_order(rec);
	assert_string_equal(S(rec, "test_name"), "steady/1n2l2c1t/eevdf/default");
	assert_string_equal(S(rec, "topology"), "1n2l2c1t");
	assert_string_equal(S(rec, "scheduler"), "eevdf");
	assert_true(IS_NULL(rec, "scheduler_commit"));
	assert_string_equal(S(rec, "project_commit"), "3f9c2ab-dirty");
	assert_true(IS_NULL(rec, "payload"));
	assert_true(IS_EMPTY_LIST(rec, "metrics"));
	assert_true(json_is_true(json_object_get(rec, "passed")));
	assert_true(json_is_false(json_object_get(rec, "skipped")));
	want = json_loads("{\"total_workers\":4,\"worst_spread\":1.5}", 0, NULL);
	assert_true(json_equal(json_object_get(rec, "stats"), want));
	json_decref(want);
	assert_true(IS_NULL(rec, "monitor"));
	assert_true(IS_EMPTY_LIST(rec, "stimulus_events"));
	assert_string_equal(S(rec, "work_type"), "CpuSpin");
	want = json_loads("[\"steal\",\"llc\",\"borrow\"]", 0, NULL);
	assert_true(json_equal(json_object_get(rec, "active_flags"), want));
	json_decref(want);
	assert_true(IS_EMPTY_LIST(rec, "verifier_stats"));
	assert_true(IS_NULL(rec, "kvm_stats"));
	assert_true(IS_EMPTY_LIST(rec, "sysctls"));
	assert_true(IS_EMPTY_LIST(rec, "kargs"));
	/* No version from the kernel source: the guest's uname -r. */
	assert_string_equal(S(rec, "kernel_version"), "7.2.13-cloud-amd64");
	assert_true(IS_NULL(rec, "kernel_commit"));
	assert_string_equal(S(rec, "timestamp"), "2026-11-28T12:00:00Z");
	assert_string_equal(S(rec, "run_id"), "20261128T120000Z-1");
	assert_true(IS_NULL(rec, "host"));
	assert_int_equal(I(rec, "cleanup_duration_ms"), 41);
	assert_string_equal(S(rec, "run_source"), "ci");
	assert_int_equal(I(rec, "record_version"), KTSTR_RESULT_RECORD_VERSION);
	assert_string_equal(S(rec, "verdict"), "PASS");
	assert_string_equal(S(rec, "reason"), "all checks passed");
	assert_string_equal(S(rec, "accelerator"), "tcg");
	assert_true(json_is_true(json_object_get(rec, "timing_emulated")));
	assert_int_equal(I(rec, "wall_ms"), 7345);
	assert_int_equal(I(rec, "boot_ms"), 3100);
	assert_true(IS_NULL(rec, "stage"));
	assert_string_equal(S(rec, "scenario"), "steady");
	assert_string_equal(S(rec, "flagset"), "llc+borrow+steal");
	assert_string_equal(S(rec, "kernel_label"), "sid");
	assert_string_equal(S(rec, "kernel_image"), "/cache/vmlinuz");
	assert_string_equal(S(rec, "kernel_release"), "7.2.13-cloud-amd64");
	assert_int_equal(I(json_object_get(rec, "guest_topology"), "cpus"), 4);
	assert_true(IS_EMPTY_LIST(rec, "details"));
	assert_int_equal(I(json_array_get(json_object_get(rec, "workers"), 0), "iterations"),
			 812345);
	assert_int_equal(I(rec, "vm_exit_code"), 0);
	assert_int_equal(I(rec, "guest_exit_code"), 0);
	assert_true(json_is_false(json_object_get(rec, "timed_out")));
	/* Passed: the console is not kept. */
	assert_true(IS_NULL(rec, "console_tail"));
	assert_true(IS_NULL(rec, "sched_log"));
	assert_true(IS_NULL(rec, "error"));
	assert_int_equal(ktstr_result__variant_hash(&in, hash, sizeof(hash)), 0);
	assert_string_equal(S(rec, "variant_hash"), hash);
	json_decref(rec);

	/* The source's kernel version wins over the guest's; KVM timing is real. */
	in.kernel_version = "7.2.13+deb14-cloud-amd64";
	in.accel = KTSTR_ACCEL_KVM;
	in.ci = false;
	in.boot_ms = 0;
	in.flagset = NULL;
	rec = decode(&in);
	assert_string_equal(S(rec, "kernel_version"), "7.2.13+deb14-cloud-amd64");
	assert_string_equal(S(rec, "accelerator"), "kvm");
	assert_true(json_is_false(json_object_get(rec, "timing_emulated")));
	assert_string_equal(S(rec, "run_source"), "local");
	assert_true(IS_NULL(rec, "boot_ms"));
	assert_string_equal(S(rec, "flagset"), "default");
	json_decref(rec);
	ktstr_guest_report__release(&g);
}

static void test_record_fail(void **state)
{
	struct ktstr_guest_report g;
	struct ktstr_result_in in;
	json_t *rec;

	guest_from("KTSTR_INIT_STARTED\nKTSTR_TOPOLOGY {\"llcs\":2}\nKTSTR_PAYLOAD_STARTING\n"
		   "===SCHED_OUTPUT_START===\nbye\n"
		   "===SCHED_OUTPUT_END===\n===KTSTR_TEST_RESULT_START===\n" FAIL_JSON "\n"
		   "===KTSTR_TEST_RESULT_END===\nKTSTR_EXIT=1\n",
		   &g);
	in = base_in(&g);
	rec = decode(&in);
	assert_keys_in_order(rec);
	assert_string_equal(S(rec, "verdict"), "FAIL");
	assert_string_equal(S(rec, "reason"), "Starved: tid 93 starved (0 work units)");
	assert_true(json_is_false(json_object_get(rec, "passed")));
	assert_int_equal(json_array_size(json_object_get(rec, "details")), 2);
	assert_string_equal(S(rec, "console_tail"), "[ 3.0] last console line");
	assert_string_equal(S(rec, "sched_log"), "bye\n");
	assert_int_equal(I(rec, "guest_exit_code"), 1);
	/* No guest_topology in the result: the KTSTR_TOPOLOGY line stands in. */
	assert_int_equal(I(json_object_get(rec, "guest_topology"), "llcs"), 2);
	assert_true(IS_NULL(rec, "stats"));
	json_decref(rec);
	ktstr_guest_report__release(&g);
}

/* Without a result: passed=false, skipped=false, stats=nil, the stage says why. */
static void test_record_no_result(void **state)
{
	struct ktstr_guest_report g;
	struct ktstr_vm_outcome vm = vm_ok;
	struct ktstr_result_in in;
	json_t *rec;

	guest_from("KTSTR_INIT_STARTED\nKTSTR_PAYLOAD_STARTING\n", &g);
	vm.timed_out = true;
	vm.exit_code = -1;
	vm.wall_ms = 30000;
	in = base_in(&g);
	in.vm = &vm;
	in.error = NULL;
	rec = decode(&in);
	assert_keys_in_order(rec);
	assert_string_equal(S(rec, "verdict"), "ERROR");
	assert_string_equal(S(rec, "reason"),
			    "VM timed out after 30 s; payload started but produced no test result");
	assert_string_equal(S(rec, "stage"), "payload started but produced no test result");
	assert_true(json_is_false(json_object_get(rec, "passed")));
	assert_true(json_is_false(json_object_get(rec, "skipped")));
	assert_true(IS_NULL(rec, "stats"));
	assert_true(IS_EMPTY_LIST(rec, "details"));
	assert_true(IS_NULL(rec, "workers"));
	assert_true(IS_NULL(rec, "kernel_release"));
	assert_true(IS_NULL(rec, "kernel_version"));
	assert_true(json_is_true(json_object_get(rec, "timed_out")));
	assert_int_equal(I(rec, "vm_exit_code"), -1);
	assert_true(IS_NULL(rec, "guest_exit_code"));
	assert_string_equal(S(rec, "console_tail"), "[ 3.0] last console line");
	json_decref(rec);

	/* The VM never ran: no stage, the harness error is the reason. */
	in = base_in(NULL);
	in.vm = NULL;
	in.accel = KTSTR_ACCEL_NONE;
	in.error = "cannot write the initramfs /x: No space left on device\xff";
	in.project_commit = NULL;
	rec = decode(&in);
	assert_keys_in_order(rec);
	assert_true(IS_NULL(rec, "stage"));
	assert_true(IS_NULL(rec, "vm_exit_code"));
	assert_true(IS_NULL(rec, "project_commit"));
	assert_string_equal(S(rec, "accelerator"), "none");
	/* Text that is not UTF-8 is escaped, not lost. */
	assert_string_equal(S(rec, "error"),
			    "cannot write the initramfs /x: No space left on device\\xff");
	json_decref(rec);
	ktstr_guest_report__release(&g);
}

static void test_record_host_skip(void **state)
{
	struct ktstr_result_in in = base_in(NULL);
	json_t *rec;

	in.vm = NULL;
	in.skip_reason = "needs 16 host CPUs";
	rec = decode(&in);
	assert_string_equal(S(rec, "verdict"), "SKIP");
	assert_string_equal(S(rec, "reason"), "needs 16 host CPUs");
	assert_true(json_is_true(json_object_get(rec, "passed")));
	assert_true(json_is_true(json_object_get(rec, "skipped")));
	json_decref(rec);
}

/* A hand-filled report whose result text does not parse counts as no result. */
static void test_record_unreadable_result(void **state)
{
	struct ktstr_guest_report g = { .have_result = true, .result_json = "{not json" };
	struct ktstr_result_in in = base_in(&g);
	char reason[256];
	json_t *rec;

	assert_int_equal(verdict(&in, reason), KTSTR_VERDICT_ERROR);
	assert_string_equal(reason, "the guest's result is not a JSON object");
	rec = decode(&in);
	assert_true(json_is_false(json_object_get(rec, "passed")));
	assert_true(IS_NULL(rec, "stage"));
	json_decref(rec);
}

#define STEPS_JSON                                                                                 \
	"{\"passed\":true,\"skipped\":false,\"details\":[],\"steps\":[{\"index\":-1,\"label\":"    \
	"\"backdrop\",\"passed\":true},{\"index\":0,\"label\":\"step 0\",\"passed\":true}],"       \
	"\"stimulus_events\":[{\"elapsed_ms\":7,\"label\":\"StepStart[0]\",\"op_kinds\":16,"       \
	"\"ops\":[\"swap_cpusets\"]}],\"isolation\":[{\"cgroup\":\"cg_0\",\"cpuset\":[0,1],"       \
	"\"cpus_used\":[1],\"passed\":true}],\"emulated_timing\":true,\"timing_scale\":2.5}"

/* steps, isolation, timing and the result's own stimulus events go into the record as sent. */
static void test_record_steps_and_stimulus(void **state)
{
	char *stim = fx_frame("STIM", "{\"elapsed_ms\":1,\"label\":\"from a frame\"}"), *t;
	struct ktstr_guest_report g;
	struct ktstr_result_in in;
	json_t *rec, *res = json_loads(STEPS_JSON, 0, NULL);

	/* The result's list wins over STIM frames. */
	assert_int_equal(asprintf(&t,
				  "%s\n===KTSTR_TEST_RESULT_START===\n" STEPS_JSON
				  "\n===KTSTR_TEST_RESULT_END===\nKTSTR_EXIT=0\n",
				  stim),
			 (int)strlen(stim) + (int)strlen(STEPS_JSON) + 73);
	guest_from(t, &g);
	free(t);
	in = base_in(&g);
	rec = decode(&in);
	assert_keys_in_order(rec);
	assert_true(json_equal(json_object_get(rec, "stimulus_events"),
			       json_object_get(res, "stimulus_events")));
	assert_true(json_equal(json_object_get(rec, "steps"), json_object_get(res, "steps")));
	assert_true(
	    json_equal(json_object_get(rec, "isolation"), json_object_get(res, "isolation")));
	assert_true(json_is_true(json_object_get(rec, "emulated_timing")));
	assert_true(json_real_value(json_object_get(rec, "timing_scale")) == 2.5);
	assert_int_equal(I(rec, "frames_ok"), 1);
	assert_int_equal(I(rec, "frames_bad"), 0);
	assert_true(IS_NULL(rec, "frame_error"));
	json_decref(rec);
	ktstr_guest_report__release(&g);
	json_decref(res);
	free(stim);
}

/* Without a list in the result, the STIM frames are the events, even when the run timed out. */
static void test_record_stimulus_from_frames(void **state)
{
	char *s0 = fx_frame("STIM", "{\"elapsed_ms\":3,\"label\":\"StepStart[0]\"}");
	char *s1 = fx_frame("STIM", "{\"elapsed_ms\":900,\"label\":\"StepStart[1]\"}");
	char *test = fx_frame("TEST", "{\"passed\":true,\"skipped\":false}"), *t;
	struct ktstr_vm_outcome vm = vm_ok;
	struct ktstr_guest_report g;
	struct ktstr_result_in in;
	json_t *rec, *ev;

	assert_int_equal(asprintf(&t,
				  "KTSTR_PAYLOAD_STARTING\n%s\n"
				  "KTSTR_FRAME 1 STIM 1 x y\n%s\n%s\n",
				  s0, s1, test),
			 (int)(strlen(s0) + strlen(s1) + strlen(test)) + 51);
	guest_from(t, &g);
	free(t);
	assert_true(g.result_from_frame);
	in = base_in(&g);
	rec = decode(&in);
	assert_keys_in_order(rec);
	assert_string_equal(S(rec, "verdict"), "PASS");
	ev = json_object_get(rec, "stimulus_events");
	assert_int_equal(json_array_size(ev), 2);
	assert_string_equal(S(json_array_get(ev, 1), "label"), "StepStart[1]");
	assert_true(IS_NULL(rec, "steps"));
	assert_true(IS_NULL(rec, "timing_scale"));
	assert_int_equal(I(rec, "frames_ok"), 3);
	assert_int_equal(I(rec, "frames_bad"), 1);
	assert_non_null(strstr(S(rec, "frame_error"), "COM2 line 3: "));
	json_decref(rec);

	/* A timeout drops the result's fields but keeps the checked STIM frames. */
	vm.timed_out = true;
	in.vm = &vm;
	rec = decode(&in);
	assert_string_equal(S(rec, "verdict"), "ERROR");
	assert_int_equal(json_array_size(json_object_get(rec, "stimulus_events")), 2);
	assert_true(IS_NULL(rec, "stats"));
	json_decref(rec);
	ktstr_guest_report__release(&g);

	/* No guest report at all: [] and zero counts. */
	in = base_in(NULL);
	in.vm = NULL;
	rec = decode(&in);
	assert_true(IS_EMPTY_LIST(rec, "stimulus_events"));
	assert_int_equal(I(rec, "frames_ok"), 0);
	assert_true(IS_NULL(rec, "frame_error"));
	json_decref(rec);
	free(s0);
	free(s1);
	free(test);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdict_table),
		cmocka_unit_test(test_variant_hash),
		cmocka_unit_test(test_record_pass),
		cmocka_unit_test(test_record_fail),
		cmocka_unit_test(test_record_no_result),
		cmocka_unit_test(test_record_host_skip),
		cmocka_unit_test(test_record_unreadable_result),
		cmocka_unit_test(test_record_steps_and_stimulus),
		cmocka_unit_test(test_record_stimulus_from_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
