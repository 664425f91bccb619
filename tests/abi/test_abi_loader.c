/*
 * Real modules through the real loader: the fixtures in KTSTR_ABI_FIXTURE_DIR
 * are loaded with ktstr_registry__load_file / __load_default and checked for
 * return codes, the exact refusal lines, options, and the host table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <msgpack.h>

#include "cfg.h"
#include "fsutil.h"
#include "log.h"
#include "registry.h"

#define FIX KTSTR_ABI_FIXTURE_DIR

/* --- captured log lines ---------------------------------------------- */

#define MAX_LINES 256
static char *lines[MAX_LINES];
static enum ktstr_log_level levels[MAX_LINES];
static size_t nlines;

static void capture(enum ktstr_log_level lvl, const char *line)
{
	if (nlines < MAX_LINES) {
		levels[nlines] = lvl;
		lines[nlines++] = strdup(line);
	}
}

static void clear_lines(void)
{
	for (size_t i = 0; i < nlines; i++) {
		free(lines[i]);
	}
	nlines = 0;
}

/* The first captured line containing @needle, or NULL. */
static const char *find_line(const char *needle)
{
	for (size_t i = 0; i < nlines; i++) {
		if (strstr(lines[i], needle) != NULL) {
			return lines[i];
		}
	}
	return NULL;
}

static char tmproot[PATH_MAX];

static int setup(void **state)
{
	snprintf(tmproot, sizeof(tmproot), "%s/abi-loader-XXXXXX",
		 getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmproot) == NULL) {
		return -1;
	}
	ktstr_log_set_sink(capture);
	ktstr_log_set_level(KTSTR_LOG_DEBUG);
	return 0;
}

static int teardown(void **state)
{
	clear_lines();
	ktstr_log_set_sink(NULL);
	return ktstr_fs__rm_rf(tmproot);
}

static void fix_path(char *buf, size_t len, const char *module)
{
	snprintf(buf, len, "%s/%s", FIX, module);
}

/* A section of a profile, as the profile parser would hand it over. */
struct kv_in {
	const char *key, *value;
	unsigned line, col;
};

static void make_cfg(struct ktstr_cfg *c, const struct kv_in *in, size_t n)
{
	memset(c, 0, sizeof(*c));
	c->file = strdup("prof.yaml");
	c->line = 3;
	c->col = 5;
	c->kv = calloc(n, sizeof(*c->kv));
	assert_non_null(c->kv);
	for (size_t i = 0; i < n; i++) {
		c->kv[i].key = strdup(in[i].key);
		c->kv[i].value = strdup(in[i].value);
		c->kv[i].line = in[i].line;
		c->kv[i].col = in[i].col;
	}
	c->n = n;
}

/* --- loading ----------------------------------------------------------- */

static void test_good_sink_loads(void **state)
{
	struct ktstr_registry *reg;
	struct ktstr_plugin_info info;
	char path[PATH_MAX], real[PATH_MAX], err[1024] = "untouched";

	fix_path(path, sizeof(path), "good_sink.so");
	assert_non_null(realpath(path, real));
	assert_int_equal(ktstr_registry__new(&reg), 0);
	assert_int_equal(ktstr_registry__load_file(reg, path, err, sizeof(err)), 0);
	assert_int_equal(ktstr_registry__count(reg), 1);
	assert_int_equal(ktstr_registry__refusal_count(reg), 0);
	ktstr_registry__info(reg, 0, &info);
	assert_string_equal(info.name, "abi-good");
	assert_int_equal(info.kind, KTSTR_PLUGIN_SINK);
	assert_int_equal(info.abi_major, 1);
	assert_int_equal(info.abi_minor, KTSTR_ABI_MINOR);
	assert_string_equal(info.version, "1.2.3");
	assert_string_equal(info.description, "ABI fixture: a well-formed sink");
	assert_string_equal(info.path, real);
	assert_non_null(ktstr_registry__find(reg, KTSTR_PLUGIN_SINK, "abi-good"));
	assert_null(ktstr_registry__find(reg, KTSTR_PLUGIN_PLANNER, "abi-good"));
	assert_null(ktstr_registry__find(reg, KTSTR_PLUGIN_SINK, "abi-goo"));
	ktstr_registry__free(reg);
}

static void test_wrong_major_refused(void **state)
{
	struct ktstr_registry *reg;
	char path[PATH_MAX], real[PATH_MAX], want[2048], err[1024];

	fix_path(path, sizeof(path), "wrong_major.so");
	assert_non_null(realpath(path, real));
	assert_int_equal(ktstr_registry__new(&reg), 0);
	assert_int_equal(ktstr_registry__load_file(reg, path, err, sizeof(err)), -EPROTO);
	snprintf(want, sizeof(want),
		 "refusing plugin module %s (plugin \"abi-wrong-major\"): built for ABI 2.0, this "
		 "ktstr supports ABI 1.1; rebuild it against this ktstr's plugin headers "
		 "(pkg-config ktstr-plugin)",
		 real);
	assert_string_equal(err, want);
	assert_null(strchr(err, '\n'));
	assert_int_equal(ktstr_registry__count(reg), 0);
	assert_int_equal(ktstr_registry__refusal_count(reg), 1);
	assert_string_equal(ktstr_registry__refusal(reg, 0), want);
	assert_null(ktstr_registry__refusal(reg, 1));
	ktstr_registry__free(reg);
}

static void test_no_entry_refused(void **state)
{
	struct ktstr_registry *reg;
	char path[PATH_MAX], real[PATH_MAX], want[2048], err[1024];

	fix_path(path, sizeof(path), "no_entry.so");
	assert_non_null(realpath(path, real));
	assert_int_equal(ktstr_registry__new(&reg), 0);
	assert_int_equal(ktstr_registry__load_file(reg, path, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want),
		 "refusing plugin module %s: it exports no ktstr_plugin_entry_v1 (not a ktstr "
		 "plugin, or one built for another ABI major); its ABI version is unknown, this "
		 "ktstr supports ABI 1.1",
		 real);
	assert_string_equal(err, want);
	ktstr_registry__free(reg);
}

static void test_duplicate_names_refused(void **state)
{
	struct ktstr_registry *reg;
	char a[PATH_MAX], b[PATH_MAX], ra[PATH_MAX], rb[PATH_MAX], want[3072], err[1024];

	fix_path(a, sizeof(a), "dup_a.so");
	fix_path(b, sizeof(b), "dup_b.so");
	assert_non_null(realpath(a, ra));
	assert_non_null(realpath(b, rb));
	assert_int_equal(ktstr_registry__new(&reg), 0);
	assert_int_equal(ktstr_registry__load_file(reg, a, err, sizeof(err)), 0);
	/* The second module is a planner: names are unique across kinds. */
	assert_int_equal(ktstr_registry__load_file(reg, b, err, sizeof(err)), -EEXIST);
	snprintf(want, sizeof(want),
		 "refusing plugin module %s (plugin \"abi-dup\"): a sink plugin named \"abi-dup\" "
		 "is already loaded from %s (rename one, or drop one of the modules from the "
		 "search path); built for ABI 1.1, this ktstr supports ABI 1.1",
		 rb, ra);
	assert_string_equal(err, want);
	/* The same file twice is a duplicate too. */
	assert_int_equal(ktstr_registry__load_file(reg, a, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, ra));
	assert_int_equal(ktstr_registry__count(reg), 1);
	assert_non_null(ktstr_registry__find(reg, KTSTR_PLUGIN_SINK, "abi-dup"));
	assert_null(ktstr_registry__find(reg, KTSTR_PLUGIN_PLANNER, "abi-dup"));
	ktstr_registry__free(reg);
}

static void test_short_descriptor_refused(void **state)
{
	struct ktstr_registry *reg;
	char path[PATH_MAX], real[PATH_MAX], want[2048], err[1024];

	fix_path(path, sizeof(path), "short_desc.so");
	assert_non_null(realpath(path, real));
	assert_int_equal(ktstr_registry__new(&reg), 0);
	assert_int_equal(ktstr_registry__load_file(reg, path, err, sizeof(err)), -EPROTO);
	snprintf(want, sizeof(want),
		 "refusing plugin module %s (plugin \"abi-short\"): its descriptor is 56 bytes, an "
		 "ABI 1.0 descriptor is at least 64 (through priv_size); built for ABI 1.1, this "
		 "ktstr supports ABI 1.1",
		 real);
	assert_string_equal(err, want);
	ktstr_registry__free(reg);
}

/* Each defective build of bad_desc.c: its code and what the line must say. */
static void test_defective_descriptors_refused(void **state)
{
	static const struct {
		const char *module;
		int ret;
		const char *reason;
	} cases[] = {
		{ "bad_entry_fails.so", -ENOTSUP, ": its entry function refused to load: " },
		{ "bad_entry_positive.so", -EPROTO, ": its entry function returned 1 (it must" },
		{ "bad_null_desc.so", -EPROTO, ": its entry function returned no descriptor" },
		{ "bad_kind.so", -EPROTO, "(plugin \"abi-bad\"): unknown plugin kind 9" },
		{ "bad_name.so", -EPROTO, ": plugin name \"Bad Name\" is invalid" },
		{ "bad_null_ops.so", -EPROTO, "(plugin \"abi-bad\"): the descriptor has no ops" },
		{ "bad_short_ops.so", -EPROTO,
		  "(plugin \"abi-bad\"): its sink ops table is 16 bytes, too short to hold emit" },
		{ "bad_null_emit.so", -EPROTO, "leaves the required op emit NULL" },
		{ "bad_opt_outside.so", -EPROTO,
		  "option \"n\" (offset 8, 8 bytes) lies outside its priv area of 8 bytes" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ktstr_registry *reg;
		char path[PATH_MAX], real[PATH_MAX], err[1024];

		fix_path(path, sizeof(path), cases[i].module);
		assert_non_null(realpath(path, real));
		assert_int_equal(ktstr_registry__new(&reg), 0);
		assert_int_equal(ktstr_registry__load_file(reg, path, err, sizeof(err)),
				 cases[i].ret);
		print_message("%s -> %s\n", cases[i].module, err);
		assert_true(strncmp(err, "refusing plugin module ", 23) == 0);
		assert_non_null(strstr(err, real));
		assert_non_null(strstr(err, cases[i].reason));
		assert_non_null(strstr(err, "this ktstr supports ABI 1.1"));
		assert_null(strchr(err, '\n'));
		assert_int_equal(ktstr_registry__count(reg), 0);
		ktstr_registry__free(reg);
	}
}

static void test_bad_paths_refused(void **state)
{
	struct ktstr_registry *reg;
	char not_elf[PATH_MAX], err[1024];

	snprintf(not_elf, sizeof(not_elf), "%s/not_elf.so", tmproot);
	assert_int_equal(ktstr_fs__write_atomic(not_elf, "not an ELF file\n", 16, 0644), 0);
	assert_int_equal(ktstr_registry__new(&reg), 0);
	assert_int_equal(ktstr_registry__load_file(reg, FIX "/good_sink.o", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "refusing plugin module " FIX "/good_sink.o: only files named "
				 "*.so are loaded; its ABI version is unknown, this ktstr "
				 "supports ABI 1.1");
	assert_int_equal(ktstr_registry__load_file(reg, FIX "/missing.so", err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/missing.so: cannot resolve the path: No such file"));
	/* A file that is not a shared object: libltdl's own words are kept. */
	assert_int_equal(ktstr_registry__load_file(reg, not_elf, err, sizeof(err)),
			 -ENOEXEC);
	assert_non_null(strstr(err, ": cannot load it: "));
	assert_int_equal(ktstr_registry__refusal_count(reg), 3);
	ktstr_registry__free(reg);
}

static void test_newer_minor_loads_and_sizes_clamped(void **state)
{
	struct ktstr_registry *reg;
	struct ktstr_plugin_info info;
	struct ktstr_plugin *p;
	struct ktstr_inst *inst;
	struct ktstr_vm_caps caps;
	struct ktstr_vm_outcome out;
	char path[PATH_MAX], err[1024];
	KTSTR_OPTS(ktstr_vm_spec, spec, .memory_mb = 321);

	fix_path(path, sizeof(path), "newer_vm.so");
	assert_int_equal(ktstr_registry__new(&reg), 0);
	assert_int_equal(ktstr_registry__load_file(reg, path, err, sizeof(err)), 0);
	ktstr_registry__info(reg, 0, &info);
	assert_int_equal(info.abi_major, 1);
	assert_int_equal(info.abi_minor, 3);
	p = ktstr_registry__find(reg, KTSTR_PLUGIN_VM, "abi-newer-vm");
	assert_non_null(p);
	assert_int_equal(ktstr_inst__new(p, NULL, NULL, &inst, err, sizeof(err)), 0);
	assert_int_equal(ktstr_inst__vm_probe(inst, &caps), 0);
	assert_int_equal(caps.sz, sizeof(caps));
	assert_int_equal(caps.best, KTSTR_ACCEL_TCG);
	assert_int_equal(strlen(caps.detail), sizeof(caps.detail) - 1);
	assert_int_equal(ktstr_inst__vm_run(inst, &spec, &out), 0);
	assert_int_equal(out.sz, sizeof(out));
	assert_int_equal(out.exit_code, 321);
	/* Wrong kind: a VM instance is neither a sink nor a planner. */
	assert_int_equal(ktstr_inst__sink_emit(inst, "x", 1), -ENOTSUP);
	ktstr_inst__free(inst);
	ktstr_registry__free(reg);
}

static void test_older_minor_loads_absent_ops_enotsup(void **state)
{
	struct ktstr_registry *reg;
	struct ktstr_plugin *p;
	struct ktstr_inst *inst;
	struct ktstr_plan plan;
	void *lease;
	char path[PATH_MAX], err[1024];
	KTSTR_OPTS(ktstr_sink_open_opts, o, .run_id = "r1");
	KTSTR_OPTS(ktstr_plan_request, req, .test_name = "t");

	fix_path(path, sizeof(path), "old_minor.so");
	assert_int_equal(ktstr_registry__new(&reg), 0);
	assert_int_equal(ktstr_registry__load_file(reg, path, err, sizeof(err)), 0);
	p = ktstr_registry__find(reg, KTSTR_PLUGIN_SINK, "abi-old-minor");
	assert_non_null(p);
	assert_int_equal(ktstr_inst__new(p, NULL, NULL, &inst, err, sizeof(err)), 0);
	assert_int_equal(ktstr_inst__sink_open(inst, &o), 0);
	assert_int_equal(ktstr_inst__sink_emit(inst, "\x80", 1), 0);
	assert_int_equal(ktstr_inst__sink_close(inst), -ENOTSUP);
	assert_int_equal(ktstr_inst__plan(inst, &req, &plan, &lease), -ENOTSUP);
	clear_lines();
	ktstr_inst__free(inst);
	assert_null(find_line("close failed")); /* an absent close is not a failure */
	ktstr_registry__free(reg);
}

/* --- options ----------------------------------------------------------- */

static struct ktstr_plugin *load_good(struct ktstr_registry **reg)
{
	char path[PATH_MAX], err[1024];

	fix_path(path, sizeof(path), "good_sink.so");
	assert_int_equal(ktstr_registry__new(reg), 0);
	assert_int_equal(ktstr_registry__load_file(*reg, path, err, sizeof(err)), 0);
	return ktstr_registry__find(*reg, KTSTR_PLUGIN_SINK, "abi-good");
}

static void test_options_filled_and_defaults(void **state)
{
	static const struct kv_in in[] = {
		{ "path", "/x/out", 4, 7 },
		{ "count", "-12", 5, 7 },
		{ "verbose", "Yes", 6, 7 },
	};
	struct ktstr_registry *reg;
	struct ktstr_plugin *p = load_good(&reg);
	struct ktstr_inst *inst;
	struct ktstr_cfg cfg;
	char err[1024];
	KTSTR_OPTS(ktstr_sink_open_opts, o, .run_id = "r1");

	make_cfg(&cfg, in, 3);
	assert_int_equal(ktstr_inst__new(p, "mine", &cfg, &inst, err, sizeof(err)), 0);
	ktstr_cfg__release(&cfg); /* the instance keeps its own copies */
	clear_lines();
	assert_int_equal(ktstr_inst__sink_open(inst, &o), 0);
	assert_non_null(find_line("[sink:abi-good:mine] open run=r1 path=/x/out count=-12 "
				  "verbose=1 label=lbl"));
	ktstr_inst__free(inst);

	/* No section at all: every default. */
	assert_int_equal(ktstr_inst__new(p, NULL, NULL, &inst, err, sizeof(err)), 0);
	assert_string_equal(ktstr_inst__name(inst), "abi-good");
	assert_string_equal(ktstr_inst__plugin_name(inst), "abi-good");
	assert_int_equal(ktstr_inst__kind(inst), KTSTR_PLUGIN_SINK);
	clear_lines();
	assert_int_equal(ktstr_inst__sink_open(inst, &o), 0);
	assert_non_null(find_line("[sink:abi-good:abi-good] open run=r1 path=(null) count=7 "
				  "verbose=0 label=lbl"));
	ktstr_inst__free(inst);
	ktstr_registry__free(reg);
}

static void test_option_errors(void **state)
{
	static const struct {
		struct kv_in kv;
		const char *want;
	} cases[] = {
		{ { "cuont", "1", 4, 7 },
		  "prof.yaml:4:7: plugin \"abi-good\" has no option \"cuont\" (did you mean "
		  "\"count\"?; options: path, count, verbose, label)" },
		{ { "colour", "1", 9, 3 },
		  "prof.yaml:9:3: plugin \"abi-good\" has no option \"colour\" (options: path, "
		  "count, verbose, label)" },
		{ { "count", "12x", 5, 7 },
		  "prof.yaml:5:7: plugin \"abi-good\" option \"count\": \"12x\" is not an integer "
		  "(write a whole decimal number, e.g. 42)" },
		{ { "count", "9223372036854775808", 5, 7 },
		  "prof.yaml:5:7: plugin \"abi-good\" option \"count\": \"9223372036854775808\" is "
		  "out of range for a 64-bit integer" },
		{ { "verbose", "maybe", 6, 9 },
		  "prof.yaml:6:9: plugin \"abi-good\" option \"verbose\": \"maybe\" is not a "
		  "boolean (use true/false, yes/no, on/off or 1/0)" },
	};
	struct ktstr_registry *reg;
	struct ktstr_plugin *p = load_good(&reg);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ktstr_inst *inst = NULL;
		struct ktstr_cfg cfg;
		char err[1024];

		make_cfg(&cfg, &cases[i].kv, 1);
		assert_int_equal(ktstr_inst__new(p, NULL, &cfg, &inst, err, sizeof(err)), -EINVAL);
		assert_null(inst);
		assert_string_equal(err, cases[i].want);
		ktstr_cfg__release(&cfg);
	}
	ktstr_registry__free(reg);
}

/* --- host table -------------------------------------------------------- */

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_host_log_error_and_dirs(void **state)
{
	struct ktstr_registry *reg;
	struct ktstr_plugin *p = load_good(&reg);
	struct ktstr_inst *inst;
	char cache[PATH_MAX], scratch[PATH_MAX], want[PATH_MAX * 3], err[1024];
	KTSTR_OPTS(ktstr_sink_open_opts, o, .run_id = "r2");

	snprintf(cache, sizeof(cache), "%s/cache", tmproot);
	snprintf(scratch, sizeof(scratch), "%s/scratch", tmproot);
	ktstr_registry__set_dirs(cache, scratch);
	assert_int_equal(ktstr_inst__new(p, "s1", NULL, &inst, err, sizeof(err)), 0);
	assert_string_equal(ktstr_inst__last_error(inst), "");
	clear_lines();
	assert_int_equal(ktstr_inst__sink_open(inst, &o), 0);
	snprintf(want, sizeof(want),
		 "[sink:abi-good:s1] dirs cache=%s/plugins/abi-good scratch=%s/s1 name=s1", cache,
		 scratch);
	assert_non_null(find_line(want));
	snprintf(want, sizeof(want), "%s/plugins/abi-good", cache);
	assert_true(is_dir(want));
	snprintf(want, sizeof(want), "%s/s1", scratch);
	assert_true(is_dir(want));
	assert_int_equal(ktstr_inst__sink_open(inst, &o), -EBUSY);

	/* set_error: kept as last_error, logged at debug with the prefix. */
	clear_lines();
	assert_int_equal(ktstr_inst__sink_emit(inst, "", 0), -EINVAL);
	assert_string_equal(ktstr_inst__last_error(inst), "empty record after 0 records");
	assert_non_null(find_line("[sink:abi-good:s1] empty record after 0 records"));
	assert_int_equal(levels[0], KTSTR_LOG_DEBUG);
	/* The next op starts with a clean slate. */
	assert_int_equal(ktstr_inst__sink_emit(inst, "\x80", 1), 0);
	assert_string_equal(ktstr_inst__last_error(inst), "");
	assert_int_equal(ktstr_inst__sink_close(inst), 0);
	assert_int_equal(ktstr_inst__sink_close(inst), -EINVAL); /* once per open */

	/* Freeing an open sink closes it first. */
	assert_int_equal(ktstr_inst__sink_open(inst, &o), 0);
	clear_lines();
	ktstr_inst__free(inst);
	assert_non_null(find_line("[sink:abi-good:s1] close emitted=1"));
	ktstr_registry__free(reg);
	ktstr_registry__set_dirs(NULL, NULL);
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	}
	closedir(d);
	return n;
}

static void test_default_dirs(void **state)
{
	struct ktstr_registry *reg;
	struct ktstr_plugin *p = load_good(&reg);
	struct ktstr_inst *inst;
	char tmp[PATH_MAX], xdg[PATH_MAX], want[PATH_MAX * 2], err[1024];
	char *old_tmp = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
	char *old_xdg = getenv("XDG_CACHE_HOME") ? strdup(getenv("XDG_CACHE_HOME")) : NULL;
	KTSTR_OPTS(ktstr_sink_open_opts, o, .run_id = "r3");

	snprintf(tmp, sizeof(tmp), "%s/tmp", tmproot);
	snprintf(xdg, sizeof(xdg), "%s/xdg", tmproot);
	assert_int_equal(ktstr_fs__mkdir_p(tmp, 0700), 0);
	setenv("TMPDIR", tmp, 1);
	setenv("XDG_CACHE_HOME", xdg, 1);
	ktstr_registry__set_dirs(NULL, NULL);
	assert_int_equal(ktstr_inst__new(p, "s2", NULL, &inst, err, sizeof(err)), 0);
	assert_int_equal(ktstr_inst__sink_open(inst, &o), 0);
	snprintf(want, sizeof(want), "%s/ktstr/plugins/abi-good", xdg);
	assert_true(is_dir(want));
	assert_int_equal(count_entries(tmp), 1); /* the registry's scratch root */
	ktstr_inst__free(inst);
	ktstr_registry__free(reg);
	assert_int_equal(count_entries(tmp), 0); /* removed with the registry */
	if (old_tmp != NULL) {
		setenv("TMPDIR", old_tmp, 1);
	} else {
		unsetenv("TMPDIR");
	}
	if (old_xdg != NULL) {
		setenv("XDG_CACHE_HOME", old_xdg, 1);
	} else {
		unsetenv("XDG_CACHE_HOME");
	}
	free(old_tmp);
	free(old_xdg);
}

static void test_kernel_source_lifecycle(void **state)
{
	static const struct kv_in fail[] = { { "fail_init", "on", 2, 3 } };
	struct ktstr_registry *reg;
	struct ktstr_plugin *p;
	struct ktstr_inst *inst = NULL;
	struct ktstr_kernel *k;
	struct ktstr_cfg cfg;
	struct ktstr_vm_caps caps;
	char path[PATH_MAX], err[1024];

	fix_path(path, sizeof(path), "good_source.so");
	assert_int_equal(ktstr_registry__new(&reg), 0);
	assert_int_equal(ktstr_registry__load_file(reg, path, err, sizeof(err)), 0);
	p = ktstr_registry__find(reg, KTSTR_PLUGIN_KERNEL_SOURCE, "abi-source");
	assert_non_null(p);

	/* init fails: the error says why, and fini is not called. */
	make_cfg(&cfg, fail, 1);
	clear_lines();
	assert_int_equal(ktstr_inst__new(p, "src", &cfg, &inst, err, sizeof(err)), -EIO);
	assert_string_equal(err, "plugin \"abi-source\" instance \"src\": init failed: init "
				 "refused as asked");
	assert_null(inst);
	assert_null(find_line("fini"));
	ktstr_cfg__release(&cfg);

	clear_lines();
	assert_int_equal(ktstr_inst__new(p, "src", NULL, &inst, err, sizeof(err)), 0);
	assert_non_null(find_line("[kernel-source:abi-source:src] init"));
	assert_int_equal(ktstr_kernel__new(&k), 0);
	assert_int_equal(ktstr_inst__kernel_resolve(inst, "other", k), -ENOENT);
	assert_null(ktstr_kernel__get(k, KTSTR_KERNEL_IMAGE));
	assert_int_equal(ktstr_inst__kernel_resolve(inst, "known", k), 0);
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_IMAGE), "/boot/vmlinuz-known");
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_VERSION), "6.99.0-known");
	assert_int_equal(ktstr_inst__vm_probe(inst, &caps), -ENOTSUP);

	/* Cancel is process-wide and sticky, so this test runs last. */
	ktstr_registry__cancel();
	assert_int_equal(ktstr_inst__kernel_resolve(inst, "known", k), -ECANCELED);
	assert_string_equal(ktstr_inst__last_error(inst), "cancelled");
	ktstr_kernel__free(k);
	clear_lines();
	ktstr_inst__free(inst);
	assert_non_null(find_line("[kernel-source:abi-source:src] fini"));
	ktstr_registry__free(reg);
}

/* --- search path ------------------------------------------------------- */

static void test_load_default(void **state)
{
	static const char *const loaded[] = { "abi-good", "abi-source", "abi-old-minor",
					      "abi-newer-vm", "abi-dup", "oot-sink" };
	struct ktstr_registry *reg;
	char env[PATH_MAX * 3];
	size_t ours = 0;

	/* Empty items are skipped, a dir named twice is scanned once, a missing one warned. */
	snprintf(env, sizeof(env), ":%s::%s/:%s/nonexistent", FIX, FIX, tmproot);
	setenv("KTSTR_PLUGIN_PATH", env, 1);
	clear_lines();
	assert_int_equal(ktstr_registry__new(&reg), 0);
	assert_int_equal(ktstr_registry__load_default(reg), 0);
	unsetenv("KTSTR_PLUGIN_PATH");
	for (size_t i = 0; i < sizeof(loaded) / sizeof(loaded[0]); i++) {
		bool found = false;

		for (size_t j = 0; j < ktstr_registry__count(reg); j++) {
			struct ktstr_plugin_info info;

			ktstr_registry__info(reg, j, &info);
			found |= strcmp(info.name, loaded[i]) == 0;
		}
		assert_true(found);
	}
	/* dup_a.so sorts before dup_b.so, so the sink wins. */
	assert_non_null(ktstr_registry__find(reg, KTSTR_PLUGIN_SINK, "abi-dup"));
	for (size_t i = 0; i < ktstr_registry__refusal_count(reg); i++) {
		const char *line = ktstr_registry__refusal(reg, i);

		if (strstr(line, FIX) != NULL) {
			ours++;
			assert_non_null(find_line(line)); /* also logged */
		}
	}
	/* wrong_major, no_entry, dup_b, short_desc and the nine bad_* builds. */
	assert_int_equal(ours, 13);
	assert_non_null(find_line("KTSTR_PLUGIN_PATH names"));
	assert_non_null(find_line("/nonexistent, which cannot be read"));
	ktstr_registry__free(reg);
}

/* --- the out-of-tree sink's code, built in-tree ------------------------- */

static void pack_record(msgpack_sbuffer *sb, const char *name, bool passed)
{
	msgpack_packer pk;

	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, 3);
	msgpack_pack_str_with_body(&pk, "record_version", 14);
	msgpack_pack_int(&pk, 1);
	msgpack_pack_str_with_body(&pk, "test_name", 9);
	msgpack_pack_str_with_body(&pk, name, strlen(name));
	msgpack_pack_str_with_body(&pk, "passed", 6);
	if (passed) {
		msgpack_pack_true(&pk);
	} else {
		msgpack_pack_false(&pk);
	}
}

static void test_oot_sink_appends_records(void **state)
{
	struct ktstr_registry *reg;
	struct ktstr_plugin *p;
	struct ktstr_inst *inst;
	struct ktstr_cfg cfg;
	struct kv_in kv = { "path", NULL, 2, 3 };
	msgpack_sbuffer a, b;
	char out[PATH_MAX], path[PATH_MAX], err[1024], *text;
	size_t len;
	KTSTR_OPTS(ktstr_sink_open_opts, o, .run_id = "r4");

	snprintf(out, sizeof(out), "%s/records.txt", tmproot);
	kv.value = out;
	fix_path(path, sizeof(path), "oot_sink.so");
	assert_int_equal(ktstr_registry__new(&reg), 0);
	assert_int_equal(ktstr_registry__load_file(reg, path, err, sizeof(err)), 0);
	p = ktstr_registry__find(reg, KTSTR_PLUGIN_SINK, "oot-sink");
	assert_non_null(p);

	/* Without its required option, open fails with the plugin's reason. */
	assert_int_equal(ktstr_inst__new(p, NULL, NULL, &inst, err, sizeof(err)), 0);
	assert_int_equal(ktstr_inst__sink_open(inst, &o), -EINVAL);
	assert_string_equal(ktstr_inst__last_error(inst), "option \"path\" is required");
	ktstr_inst__free(inst);

	make_cfg(&cfg, &kv, 1);
	assert_int_equal(ktstr_inst__new(p, NULL, &cfg, &inst, err, sizeof(err)), 0);
	ktstr_cfg__release(&cfg);
	assert_int_equal(ktstr_inst__sink_open(inst, &o), 0);
	pack_record(&a, "steady/1n2l2c1t", true);
	pack_record(&b, "mixed/1n1l4c1t", false);
	assert_int_equal(ktstr_inst__sink_emit(inst, a.data, a.size), 0);
	assert_int_equal(ktstr_inst__sink_emit(inst, b.data, b.size), 0);
	assert_int_equal(ktstr_inst__sink_emit(inst, "\xc1", 1), -EINVAL); /* never-used byte */
	assert_string_equal(ktstr_inst__last_error(inst), "record 3 is not a msgpack map");
	assert_int_equal(ktstr_inst__sink_close(inst), 0);
	ktstr_inst__free(inst);
	msgpack_sbuffer_destroy(&a);
	msgpack_sbuffer_destroy(&b);
	ktstr_registry__free(reg);

	assert_int_equal(ktstr_fs__read_file(out, &text, &len), 0);
	assert_string_equal(text, "record 1 test_name=steady/1n2l2c1t passed=true\n"
				  "record 2 test_name=mixed/1n1l4c1t passed=false\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_sink_loads),
		cmocka_unit_test(test_wrong_major_refused),
		cmocka_unit_test(test_no_entry_refused),
		cmocka_unit_test(test_duplicate_names_refused),
		cmocka_unit_test(test_short_descriptor_refused),
		cmocka_unit_test(test_defective_descriptors_refused),
		cmocka_unit_test(test_bad_paths_refused),
		cmocka_unit_test(test_newer_minor_loads_and_sizes_clamped),
		cmocka_unit_test(test_older_minor_loads_absent_ops_enotsup),
		cmocka_unit_test(test_options_filled_and_defaults),
		cmocka_unit_test(test_option_errors),
		cmocka_unit_test(test_host_log_error_and_dirs),
		cmocka_unit_test(test_default_dirs),
		cmocka_unit_test(test_load_default),
		cmocka_unit_test(test_oot_sink_appends_records),
		cmocka_unit_test(test_kernel_source_lifecycle), /* cancels: keep last */
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
