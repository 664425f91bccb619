/*
 * The `sidecar` sink module, loaded with dlopen() from the build tree and
 * driven through a hand-made host table (no registry involved): file name,
 * field order, collision suffix, atomic write, KTSTR_SIDECAR_DIR, errors.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <msgpack.h>
#include <ktstr/plugin.h>
#include <ktstr/sink.h>

#include "fsutil.h"
#include "msgpack_json.h"
#include "result.h"

/* The engine's instance is opaque to plugins; this test makes its own. */
struct ktstr_inst {
	void *priv;
	char err[1024];
};

static void host_log(struct ktstr_inst *inst, enum ktstr_log_level lvl, const char *fmt, ...)
{
}

static void host_set_error(struct ktstr_inst *inst, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(inst->err, sizeof(inst->err), fmt, ap);
	va_end(ap);
}

static void *host_priv(struct ktstr_inst *inst)
{
	return inst->priv;
}

static const char *host_inst_name(struct ktstr_inst *inst)
{
	return "sidecar";
}

static const struct ktstr_host_api host = {
	.sz = sizeof(struct ktstr_host_api),
	.abi_major = KTSTR_ABI_MAJOR,
	.abi_minor = KTSTR_ABI_MINOR,
	.log = host_log,
	.set_error = host_set_error,
	.priv = host_priv,
	.inst_name = host_inst_name,
};

struct fixture {
	void *dl;
	const struct ktstr_plugin_desc *desc;
	const struct ktstr_sink_ops *ops;
	struct ktstr_inst inst;
	char dir[PATH_MAX];
};

static int setup(void **state)
{
	const char *build = getenv("KTSTR_BUILD_DIR");
	int (*entry)(const struct ktstr_host_api *, const struct ktstr_plugin_desc **);
	struct fixture *f = calloc(1, sizeof(*f));
	char path[PATH_MAX];

	if (build == NULL) {
		fprintf(stderr, "KTSTR_BUILD_DIR is not set: run this test through ctest\n");
		return -1;
	}
	snprintf(path, sizeof(path), "%s/plugins/sidecar.so", build);
	f->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (f->dl == NULL) {
		fprintf(stderr, "%s (build the ktstr_plugin_sidecar target)\n", dlerror());
		return -1;
	}
	*(void **)&entry = dlsym(f->dl, KTSTR_PLUGIN_ENTRY_SYMBOL);
	if (entry == NULL || entry(&host, &f->desc) != 0) {
		return -1;
	}
	f->ops = f->desc->ops;
	f->inst.priv = calloc(1, f->desc->priv_size);
	snprintf(f->dir, sizeof(f->dir), "/tmp/ktstr-sidecar-test-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		return -1;
	}
	unsetenv("KTSTR_SIDECAR_DIR");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unsetenv("KTSTR_SIDECAR_DIR");
	ktstr_fs__rm_rf(f->dir);
	free(f->inst.priv);
	dlclose(f->dl);
	free(f);
	return 0;
}

/* What the engine does with the profile's `dir:` key. */
static void set_dir_option(struct fixture *f, const char *value)
{
	for (const struct ktstr_opt_spec *o = f->desc->opts; o->name != NULL; o++) {
		if (strcmp(o->name, "dir") == 0) {
			*(const char **)((char *)f->inst.priv + o->offset) = value;
			return;
		}
	}
	fail_msg("no `dir` option");
}

static int sink_open(struct fixture *f, const char *run_dir)
{
	KTSTR_OPTS(ktstr_sink_open_opts, o, .run_dir = run_dir, .run_id = "r1", .planned_tests = 1);

	return f->ops->open(&f->inst, &o);
}

static void record(const char *test_name, void **buf, size_t *len, char *hash)
{
	static const char com2[] =
	    "KTSTR_INIT_STARTED\nKTSTR_PAYLOAD_STARTING\n===KTSTR_TEST_RESULT_START===\n"
	    "{\"passed\":false,\"skipped\":false,\"details\":[{\"kind\":\"Stuck\",\"message\":"
	    "\"m\"}],"
	    "\"stats\":{\"total_workers\":2},\"workers\":[],\"stimulus_events\":[{\"elapsed_ms\":4,"
	    "\"label\":\"StepStart[0]\",\"ops\":[\"swap_cpusets\"]}],\"isolation\":[{\"cgroup\":"
	    "\"cg_0\",\"cpuset\":[0,1],\"cpus_used\":[1],\"passed\":true}]}\n"
	    "===KTSTR_TEST_RESULT_END===\nKTSTR_EXIT=1\n";
	struct ktstr_vm_outcome vm = { .sz = sizeof(vm), .accel = KTSTR_ACCEL_TCG };
	struct ktstr_guest_report g;
	struct ktstr_result_in in = {
		.test_name = test_name,
		.scenario = "steady",
		.topo = { 1, 2, 2, 1 },
		.scheduler = "eevdf",
		.kernel_label = "sid",
		.run_id = "r1",
		.timestamp = "2026-11-28T12:00:00Z",
		.accel = KTSTR_ACCEL_TCG,
		.vm = &vm,
		.guest = &g,
		.console_tail = "tail",
	};

	assert_int_equal(ktstr_guest_output__parse(com2, sizeof(com2) - 1, &g), 0);
	assert_int_equal(ktstr_result__encode(&in, buf, len), 0);
	assert_int_equal(ktstr_result__variant_hash(&in, hash, 17), 0);
	ktstr_guest_report__release(&g);
}

static json_t *load(const char *path)
{
	json_error_t err;
	json_t *v = json_load_file(path, 0, &err);

	if (v == NULL) {
		fail_msg("%s: %s", path, err.text);
	}
	return v;
}

/* Names in @p dir, sorted, joined by ' '. */
static void listing(const char *dir, char *out, size_t len)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort);
	size_t o = 0;

	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0) {
			o += (size_t)snprintf(out + o, len - o, "%s%s", o > 0 ? " " : "",
					      names[i]->d_name);
		}
		free(names[i]);
	}
	free(names);
}

static void test_descriptor(void **state)
{
	struct fixture *f = *state;
	const struct ktstr_plugin_desc *d;
	int (*entry)(const struct ktstr_host_api *, const struct ktstr_plugin_desc **);
	struct ktstr_host_api bad = host;

	assert_int_equal(f->desc->kind, KTSTR_PLUGIN_SINK);
	assert_string_equal(f->desc->name, "sidecar");
	assert_int_equal(f->desc->abi_major, KTSTR_ABI_MAJOR);
	assert_int_equal(f->desc->sz, sizeof(struct ktstr_plugin_desc));
	assert_true(KTSTR_OPS_HAS(f->ops, open) && KTSTR_OPS_HAS(f->ops, emit) &&
		    KTSTR_OPS_HAS(f->ops, close));
	assert_int_equal(f->desc->opts[0].type, KTSTR_OPT_STR);
	assert_null(f->desc->opts[1].name);

	*(void **)&entry = dlsym(f->dl, KTSTR_PLUGIN_ENTRY_SYMBOL);
	bad.abi_major = KTSTR_ABI_MAJOR + 1;
	assert_int_equal(entry(&bad, &d), -ENOTSUP);
	bad = host;
	bad.sz = offsetof(struct ktstr_host_api, priv);
	assert_int_equal(entry(&bad, &d), -ENOTSUP);
	assert_int_equal(entry(NULL, &d), -ENOTSUP);
	/* The module exports nothing else. */
	assert_null(dlsym(f->dl, "ktstr_msgpack__to_json"));
	assert_null(dlsym(f->dl, "ktstr_sidecar__doc"));
}

static const char *const upstream_order[] = {
	"test_name",	  "topology",	  "scheduler",	    "scheduler_commit",
	"project_commit", "payload",	  "metrics",	    "passed",
	"skipped",	  "stats",	  "monitor",	    "stimulus_events",
	"work_type",	  "active_flags", "verifier_stats", "kvm_stats",
	"sysctls",	  "kargs",	  "kernel_version", "kernel_commit",
	"timestamp",	  "run_id",	  "host",	    "cleanup_duration_ms",
	"run_source",
};

static const char *const ktstr_order[] = {
	"record_version", "verdict",	     "reason",		"accelerator",
	"timing_emulated", "wall_ms",	     "boot_ms",		"stage",
	"scenario",	  "flagset",	     "kernel_label",	"kernel_image",
	"kernel_release", "guest_topology",  "details",		"workers",
	"steps",	  "isolation",	     "emulated_timing", "timing_scale",
	"vm_exit_code",	  "guest_exit_code", "timed_out",	"console_tail",
	"sched_log",	  "frames_ok",	     "frames_bad",	"frame_error",
	"error",	  "variant_hash",
};

static void test_file_name_order_content(void **state)
{
	struct fixture *f = *state;
	char hash[17], path[PATH_MAX], names[4096], *text;
	const char *key;
	json_t *doc, *rec, *v;
	size_t len, i = 0, n;
	void *buf;

	record("steady/1n2l2c1t/eevdf/default", &buf, &len, hash);
	assert_int_equal(sink_open(f, f->dir), 0);
	assert_int_equal(f->ops->emit(&f->inst, buf, len), 0);
	assert_int_equal(f->ops->close(&f->inst), 0);

	snprintf(path, sizeof(path), "%s/steady-1n2l2c1t-eevdf-default-%s.ktstr.json", f->dir,
		 hash);
	doc = load(path);
	json_object_foreach(doc, key, v) {
		const char *want = i < 25 ? upstream_order[i] : ktstr_order[i - 25];

		assert_true(i < 25 + sizeof(ktstr_order) / sizeof(ktstr_order[0]));
		assert_string_equal(key, want);
		i++;
	}
	assert_int_equal(i, 25 + sizeof(ktstr_order) / sizeof(ktstr_order[0]));
	/* Every value is the record's. */
	assert_int_equal(ktstr_msgpack__to_json(buf, len, &rec), 0);
	assert_true(json_equal(doc, rec));
	assert_string_equal(json_string_value(json_object_get(doc, "verdict")), "FAIL");
	/* Arrays of objects pass through in place: the upstream slot and ktstr's. */
	v = json_array_get(json_object_get(doc, "stimulus_events"), 0);
	assert_string_equal(json_string_value(json_object_get(v, "label")), "StepStart[0]");
	v = json_array_get(json_object_get(doc, "isolation"), 0);
	assert_true(json_is_true(json_object_get(v, "passed")));
	json_decref(rec);
	json_decref(doc);

	/* Pretty, two-space indent, newline at the end; nothing else in the dir. */
	assert_int_equal(ktstr_fs__read_file(path, &text, &n), 0);
	assert_int_equal(
	    strncmp(text, "{\n  \"test_name\": \"steady/1n2l2c1t/eevdf/default\",\n", 50), 0);
	assert_int_equal(text[n - 1], '\n');
	free(text);
	listing(f->dir, names, sizeof(names));
	assert_string_equal(names, strrchr(path, '/') + 1);
	free(buf);
}

/* Never overwrite: the same name again gets -1, -2; the first file is untouched. */
static void test_collision_suffix(void **state)
{
	struct fixture *f = *state;
	char hash[17], want[4096], names[4096], path[PATH_MAX], *before, *after;
	size_t len, nb, na;
	void *buf;

	record("t", &buf, &len, hash);
	assert_int_equal(sink_open(f, f->dir), 0);
	assert_int_equal(f->ops->emit(&f->inst, buf, len), 0);
	snprintf(path, sizeof(path), "%s/t-%s.ktstr.json", f->dir, hash);
	assert_int_equal(ktstr_fs__read_file(path, &before, &nb), 0);
	assert_int_equal(f->ops->emit(&f->inst, buf, len), 0);
	assert_int_equal(f->ops->emit(&f->inst, buf, len), 0);
	assert_int_equal(f->ops->close(&f->inst), 0);

	snprintf(want, sizeof(want), "t-%s-1.ktstr.json t-%s-2.ktstr.json t-%s.ktstr.json", hash,
		 hash, hash);
	/* No temp file (".t-...") left behind. */
	listing(f->dir, names, sizeof(names));
	assert_string_equal(names, want);
	assert_int_equal(ktstr_fs__read_file(path, &after, &na), 0);
	assert_int_equal(nb, na);
	assert_memory_equal(before, after, nb);
	free(before);
	free(after);
	free(buf);
}

static void test_unsafe_names(void **state)
{
	struct fixture *f = *state;
	char hash[17], want[512], names[4096];
	size_t len;
	void *buf;

	record("a b/c:d*e\xc3\xa9..", &buf, &len, hash);
	assert_int_equal(sink_open(f, f->dir), 0);
	assert_int_equal(f->ops->emit(&f->inst, buf, len), 0);
	assert_int_equal(f->ops->close(&f->inst), 0);
	snprintf(want, sizeof(want), "a_b-c_d_e__..-%s.ktstr.json", hash);
	listing(f->dir, names, sizeof(names));
	assert_string_equal(names, want);
	free(buf);
}

/* KTSTR_SIDECAR_DIR beats the option, which beats the run dir; files there are kept. */
static void test_dir_precedence(void **state)
{
	struct fixture *f = *state;
	char hash[17], env[PATH_MAX], opt[PATH_MAX], run[PATH_MAX], keep[PATH_MAX], same[PATH_MAX];
	char names[4096], want[4096], *text;
	size_t len, n;
	void *buf;

	record("t", &buf, &len, hash);
	snprintf(env, sizeof(env), "%s/env/deep", f->dir);
	snprintf(opt, sizeof(opt), "%s/opt", f->dir);
	snprintf(run, sizeof(run), "%s/run", f->dir);
	assert_int_equal(ktstr_fs__mkdir_p(env, 0755), 0);
	snprintf(keep, sizeof(keep), "%s/other.ktstr.json", env);
	snprintf(same, sizeof(same), "%s/t-%s.ktstr.json", env, hash);
	assert_int_equal(ktstr_fs__write_atomic(keep, "{}", 2, 0644), 0);
	assert_int_equal(ktstr_fs__write_atomic(same, "old", 3, 0644), 0);

	setenv("KTSTR_SIDECAR_DIR", env, 1);
	set_dir_option(f, opt);
	assert_int_equal(sink_open(f, run), 0);
	assert_int_equal(f->ops->emit(&f->inst, buf, len), 0);
	assert_int_equal(f->ops->close(&f->inst), 0);
	snprintf(want, sizeof(want), "other.ktstr.json t-%s-1.ktstr.json t-%s.ktstr.json", hash,
		 hash);
	listing(env, names, sizeof(names));
	assert_string_equal(names, want);
	assert_int_equal(ktstr_fs__read_file(same, &text, &n), 0);
	assert_string_equal(text, "old");
	free(text);
	assert_int_equal(access(opt, F_OK), -1);

	/* An empty KTSTR_SIDECAR_DIR counts as unset: the option wins. */
	setenv("KTSTR_SIDECAR_DIR", "", 1);
	assert_int_equal(sink_open(f, run), 0);
	assert_int_equal(f->ops->emit(&f->inst, buf, len), 0);
	assert_int_equal(f->ops->close(&f->inst), 0);
	snprintf(want, sizeof(want), "t-%s.ktstr.json", hash);
	listing(opt, names, sizeof(names));
	assert_string_equal(names, want);
	assert_int_equal(access(run, F_OK), -1);
	free(buf);
}

/* A record with only a name still yields every upstream key. */
static void test_minimal_record(void **state)
{
	struct fixture *f = *state;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	char path[PATH_MAX];
	json_t *doc;

	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 2);
	msgpack_pack_str_with_body(&pk, "test_name", 9);
	msgpack_pack_str_with_body(&pk, "x", 1);
	msgpack_pack_str_with_body(&pk, "future_key", 10);
	msgpack_pack_int64(&pk, 7);
	assert_int_equal(sink_open(f, f->dir), 0);
	assert_int_equal(f->ops->emit(&f->inst, sb.data, sb.size), 0);
	assert_int_equal(f->ops->close(&f->inst), 0);
	msgpack_sbuffer_destroy(&sb);

	snprintf(path, sizeof(path), "%s/x-unknown.ktstr.json", f->dir);
	doc = load(path);
	assert_int_equal(json_object_size(doc), 26);
	for (size_t i = 0; i < 25; i++) {
		json_t *v = json_object_get(doc, upstream_order[i]);
		bool list = strcmp(upstream_order[i], "metrics") == 0 ||
			    strcmp(upstream_order[i], "stimulus_events") == 0 ||
			    strcmp(upstream_order[i], "active_flags") == 0 ||
			    strcmp(upstream_order[i], "verifier_stats") == 0 ||
			    strcmp(upstream_order[i], "sysctls") == 0 ||
			    strcmp(upstream_order[i], "kargs") == 0;

		assert_non_null(v);
		if (i == 0) {
			assert_string_equal(json_string_value(v), "x");
		} else if (list) {
			assert_true(json_is_array(v) && json_array_size(v) == 0);
		} else {
			assert_true(json_is_null(v));
		}
	}
	/* Unknown keys are kept, after the known ones. */
	assert_int_equal(json_integer_value(json_object_get(doc, "future_key")), 7);
	json_decref(doc);
}

static void test_emit_errors(void **state)
{
	struct fixture *f = *state;
	static const char nil[] = { (char)0xc0 }, junk[] = { (char)0xc1, 0x00 };
	char hash[17], want[PATH_MAX + 64];
	size_t len;
	void *buf;

	assert_int_equal(sink_open(f, f->dir), 0);
	assert_int_equal(f->ops->emit(&f->inst, nil, sizeof(nil)), -EINVAL);
	assert_non_null(strstr(f->inst.err, "not a msgpack map"));
	assert_non_null(strstr(f->inst.err, f->dir));
	f->inst.err[0] = '\0';
	assert_int_equal(f->ops->emit(&f->inst, junk, sizeof(junk)), -EINVAL);
	assert_non_null(strstr(f->inst.err, "nothing written"));

	/* The directory vanished after open: the error names the file that was lost. */
	record("t", &buf, &len, hash);
	assert_int_equal(rmdir(f->dir), 0);
	assert_int_equal(f->ops->emit(&f->inst, buf, len), -ENOENT);
	snprintf(want, sizeof(want), "cannot write sidecar %s/t-%s.ktstr.json: ", f->dir, hash);
	assert_int_equal(strncmp(f->inst.err, want, strlen(want)), 0);
	assert_int_equal(f->ops->close(&f->inst), 0);
	assert_int_equal(mkdir(f->dir, 0700), 0);
	free(buf);
}

static void test_open_errors(void **state)
{
	struct fixture *f = *state;
	char file[PATH_MAX], under[PATH_MAX];

	assert_int_equal(sink_open(f, NULL), -EINVAL);
	assert_non_null(strstr(f->inst.err, "KTSTR_SIDECAR_DIR"));

	snprintf(file, sizeof(file), "%s/plain", f->dir);
	snprintf(under, sizeof(under), "%s/sub", file);
	assert_int_equal(ktstr_fs__write_atomic(file, "x", 1, 0644), 0);
	assert_int_equal(sink_open(f, under), -ENOTDIR);
	assert_non_null(strstr(f->inst.err, under));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_descriptor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_name_order_content, setup, teardown),
		cmocka_unit_test_setup_teardown(test_collision_suffix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsafe_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_minimal_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emit_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
