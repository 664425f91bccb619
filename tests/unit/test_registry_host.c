/*
 * The host-services table as a plugin sees it: log prefix and levels,
 * set_error, priv/inst_name, cache and scratch directories with their
 * defaults and failures, kernel fields, and the cancel flag (last: sticky).
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

#include "fsutil.h"
#include "log.h"
#include "registry_internal.h"

#define MAX_LINES 32
static char *lines[MAX_LINES];
static enum ktstr_log_level levels[MAX_LINES];
static size_t nlines;
static char tmproot[PATH_MAX];
static const struct ktstr_host_api *host = &ktstr_host_api_v1;

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

static int setup(void **state)
{
	snprintf(tmproot, sizeof(tmproot), "/tmp/registry-host-XXXXXX");
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

static int emit_ok(struct ktstr_inst *inst, const void *rec, size_t len)
{
	return 0;
}

static const struct ktstr_sink_ops sink_ops = { .sz = sizeof(sink_ops), .emit = emit_ok };

static struct ktstr_inst *make_inst(struct ktstr_registry **reg, const char *inst_name)
{
	struct ktstr_plugin_desc d = {
		KTSTR_PLUGIN_DESC_INIT,
		.kind = KTSTR_PLUGIN_SINK,
		.name = "hosted",
		.ops = &sink_ops,
		.priv_size = 16,
	};
	struct ktstr_inst *inst;
	char err[512];

	assert_int_equal(ktstr_registry__new(reg), 0);
	assert_int_equal(ktstr_registry__adopt(*reg, "/m/h.so", NULL, &d, err, sizeof(err)), 0);
	assert_int_equal(ktstr_inst__new(ktstr_registry__find(*reg, KTSTR_PLUGIN_SINK, "hosted"),
					 inst_name, NULL, &inst, err, sizeof(err)),
			 0);
	return inst;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_table(void **state)
{
	assert_int_equal(host->sz, sizeof(struct ktstr_host_api));
	assert_int_equal(host->abi_major, KTSTR_ABI_MAJOR);
	assert_int_equal(host->abi_minor, KTSTR_ABI_MINOR);
	assert_non_null(host->log);
	assert_non_null(host->set_error);
	assert_non_null(host->priv);
	assert_non_null(host->inst_name);
	assert_non_null(host->cache_dir);
	assert_non_null(host->scratch_dir);
	assert_non_null(host->kernel_set);
	assert_non_null(host->cancelled);
}

static void test_log_and_error(void **state)
{
	struct ktstr_registry *reg;
	struct ktstr_inst *inst = make_inst(&reg, "h1");
	char big[1000];

	clear_lines();
	host->log(inst, KTSTR_LOG_WARN, "n=%d", 5);
	host->log(NULL, KTSTR_LOG_INFO, "from the entry function");
	host->log(inst, (enum ktstr_log_level)1, "too severe");
	host->log(inst, (enum ktstr_log_level)42, "too chatty");
	assert_int_equal(nlines, 4);
	assert_string_equal(lines[0], "[sink:hosted:h1] n=5");
	assert_int_equal(levels[0], KTSTR_LOG_WARN);
	assert_string_equal(lines[1], "[plugin] from the entry function");
	assert_int_equal(levels[2], KTSTR_LOG_ERR);
	assert_int_equal(levels[3], KTSTR_LOG_DEBUG);

	clear_lines();
	host->set_error(inst, "bad thing %s", "here");
	assert_string_equal(ktstr_inst__last_error(inst), "bad thing here");
	assert_string_equal(lines[0], "[sink:hosted:h1] bad thing here");
	assert_int_equal(levels[0], KTSTR_LOG_DEBUG);
	memset(big, 'e', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	host->set_error(inst, "%s", big);
	assert_int_equal(strlen(ktstr_inst__last_error(inst)), KTSTR_INST_ERR_MAX - 1);
	host->set_error(NULL, "no instance");
	assert_string_equal(lines[nlines - 1], "[plugin] no instance");

	assert_non_null(host->priv(inst));
	assert_null(host->priv(NULL));
	assert_string_equal(host->inst_name(inst), "h1");
	assert_null(host->inst_name(NULL));
	assert_null(host->cache_dir(NULL));
	assert_null(host->scratch_dir(NULL));
	ktstr_inst__free(inst);
	ktstr_registry__free(reg);
}

static void test_cache_dir_defaults(void **state)
{
	struct ktstr_registry *reg;
	struct ktstr_inst *inst;
	char want[PATH_MAX], home[PATH_MAX], xdg[PATH_MAX], blocker[PATH_MAX];
	const char *dir;

	snprintf(home, sizeof(home), "%s/home", tmproot);
	snprintf(xdg, sizeof(xdg), "%s/xdg", tmproot);
	ktstr_registry__set_dirs(NULL, NULL);

	setenv("XDG_CACHE_HOME", xdg, 1);
	setenv("HOME", home, 1);
	inst = make_inst(&reg, NULL);
	dir = host->cache_dir(inst);
	snprintf(want, sizeof(want), "%s/ktstr/plugins/hosted", xdg);
	assert_string_equal(dir, want);
	assert_true(is_dir(want));
	assert_ptr_equal(host->cache_dir(inst), dir); /* made once, then kept */
	ktstr_inst__free(inst);
	ktstr_registry__free(reg);

	/* A relative XDG_CACHE_HOME is ignored (XDG base-dir spec): HOME is used. */
	setenv("XDG_CACHE_HOME", "relative/dir", 1);
	inst = make_inst(&reg, NULL);
	snprintf(want, sizeof(want), "%s/.cache/ktstr/plugins/hosted", home);
	assert_string_equal(host->cache_dir(inst), want);
	ktstr_inst__free(inst);
	ktstr_registry__free(reg);

	/* Neither: no cache dir, and the plugin's op can say why. */
	unsetenv("XDG_CACHE_HOME");
	unsetenv("HOME");
	inst = make_inst(&reg, NULL);
	assert_null(host->cache_dir(inst));
	assert_string_equal(ktstr_inst__last_error(inst),
			    "no cache directory: neither XDG_CACHE_HOME nor HOME is set");
	ktstr_inst__free(inst);
	ktstr_registry__free(reg);

	/* A file where the directory should go. */
	snprintf(blocker, sizeof(blocker), "%s/blocker", tmproot);
	assert_int_equal(ktstr_fs__write_atomic(blocker, "x", 1, 0644), 0);
	ktstr_registry__set_dirs(blocker, NULL);
	inst = make_inst(&reg, NULL);
	assert_null(host->cache_dir(inst));
	snprintf(want, sizeof(want), "cannot create cache directory %s/plugins/hosted: Not a "
		 "directory", blocker);
	assert_string_equal(ktstr_inst__last_error(inst), want);
	ktstr_inst__free(inst);
	ktstr_registry__free(reg);
	ktstr_registry__set_dirs(NULL, NULL);
}

static void test_scratch_dirs(void **state)
{
	struct ktstr_registry *reg;
	struct ktstr_inst *a, *b;
	char root[PATH_MAX], tmp[PATH_MAX], want[PATH_MAX];
	const char *da, *db;
	DIR *d;
	struct dirent *de;
	size_t n = 0;

	/* A given root: <root>/<instance>, left in place. */
	snprintf(root, sizeof(root), "%s/scratch", tmproot);
	ktstr_registry__set_dirs(NULL, root);
	a = make_inst(&reg, "first");
	snprintf(want, sizeof(want), "%s/first", root);
	assert_string_equal(host->scratch_dir(a), want);
	assert_true(is_dir(want));
	ktstr_inst__free(a);
	ktstr_registry__free(reg);
	assert_true(is_dir(want));

	/* The default root: one mkdtemp dir per registry under TMPDIR, removed at free. */
	snprintf(tmp, sizeof(tmp), "%s/tmp", tmproot);
	assert_int_equal(ktstr_fs__mkdir_p(tmp, 0700), 0);
	setenv("TMPDIR", tmp, 1);
	ktstr_registry__set_dirs(NULL, NULL);
	a = make_inst(&reg, "a");
	assert_int_equal(ktstr_inst__new(a->plugin, "b", NULL, &b, NULL, 0), 0);
	da = host->scratch_dir(a);
	db = host->scratch_dir(b);
	assert_non_null(da);
	assert_non_null(db);
	assert_true(strncmp(da, tmp, strlen(tmp)) == 0);
	assert_non_null(strstr(da, "/ktstr-scratch-"));
	assert_int_equal(strlen(da), strlen(db)); /* same root, names of one letter */
	assert_int_equal(strncmp(da, db, strlen(da) - 1), 0);
	ktstr_inst__free(a);
	ktstr_inst__free(b);
	ktstr_registry__free(reg);
	d = opendir(tmp);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		n += de->d_name[0] != '.';
	}
	closedir(d);
	assert_int_equal(n, 0);
	unsetenv("TMPDIR");
}

static void test_kernel_fields(void **state)
{
	struct ktstr_kernel *k;

	assert_int_equal(ktstr_kernel__new(&k), 0);
	for (int f = KTSTR_KERNEL_IMAGE; f <= KTSTR_KERNEL_ORIGIN; f++) {
		assert_null(ktstr_kernel__get(k, (enum ktstr_kernel_field)f));
	}
	assert_int_equal(host->kernel_set(k, KTSTR_KERNEL_IMAGE, "/a"), 0);
	assert_int_equal(host->kernel_set(k, KTSTR_KERNEL_IMAGE, "/b"), 0); /* replaced */
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_IMAGE), "/b");
	assert_int_equal(ktstr_kernel__set(k, KTSTR_KERNEL_ORIGIN, ""), 0);
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_ORIGIN), "");
	assert_int_equal(ktstr_kernel__set(k, (enum ktstr_kernel_field)0, "x"), -EINVAL);
	assert_int_equal(ktstr_kernel__set(k, (enum ktstr_kernel_field)7, "x"), -EINVAL);
	assert_int_equal(ktstr_kernel__set(k, KTSTR_KERNEL_CONFIG, NULL), -EINVAL);
	assert_int_equal(ktstr_kernel__set(NULL, KTSTR_KERNEL_CONFIG, "x"), -EINVAL);
	assert_null(ktstr_kernel__get(k, (enum ktstr_kernel_field)7));
	assert_null(ktstr_kernel__get(NULL, KTSTR_KERNEL_IMAGE));
	ktstr_kernel__free(k);
	ktstr_kernel__free(NULL);
}

static void test_cancel(void **state)
{
	assert_false(host->cancelled());
	ktstr_registry__cancel();
	assert_true(host->cancelled());
	ktstr_registry__cancel();
	assert_true(host->cancelled());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_log_and_error),
		cmocka_unit_test(test_cache_dir_defaults),
		cmocka_unit_test(test_scratch_dirs),
		cmocka_unit_test(test_kernel_fields),
		cmocka_unit_test(test_cancel), /* sticky: keep last */
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
