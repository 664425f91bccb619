/*
 * The search path of ktstr_registry__load_default: the build-tree check,
 * KTSTR_PLUGIN_PATH items (empty ones skipped, unreadable ones warned), and
 * which files of a dir are tried, in sorted order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "paths.h"
#include "registry_internal.h"

#define MAX_LINES 64
static char *lines[MAX_LINES];
static size_t nlines;
static char tmproot[PATH_MAX];

static void capture(enum ktstr_log_level lvl, const char *line)
{
	if (nlines < MAX_LINES) {
		lines[nlines++] = strdup(line);
	}
}

static int setup(void **state)
{
	snprintf(tmproot, sizeof(tmproot), "/tmp/registry-path-XXXXXX");
	if (mkdtemp(tmproot) == NULL) {
		return -1;
	}
	ktstr_log_set_sink(capture);
	return 0;
}

static void clear_lines(void)
{
	for (size_t i = 0; i < nlines; i++) {
		free(lines[i]);
	}
	nlines = 0;
}

static int teardown(void **state)
{
	clear_lines();
	ktstr_log_set_sink(NULL);
	return ktstr_fs__rm_rf(tmproot);
}

static void test_build_tree(void **state)
{
	const char *build = getenv("KTSTR_BUILD_DIR"); /* set by ktstr_add_test */
	char want[PATH_MAX];

	if (build == NULL) {
		skip();
	}
	/* This test binary lives in the build tree. */
	assert_true(ktstr_paths__in_build_tree());
	snprintf(want, sizeof(want), "%s/plugins", build);
	assert_string_equal(ktstr_paths__plugin_dir(), want);
}

static void put(const char *name, const char *text)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/mods/%s", tmproot, name);
	assert_int_equal(ktstr_fs__write_atomic(path, text, strlen(text), 0644), 0);
}

static void test_scan_order_and_filter(void **state)
{
	struct ktstr_registry *reg;
	char dir[PATH_MAX], sub[PATH_MAX], env[PATH_MAX * 2], want[PATH_MAX + 64];
	const char *mine[4];
	size_t n = 0;

	snprintf(dir, sizeof(dir), "%s/mods", tmproot);
	assert_int_equal(ktstr_fs__mkdir_p(dir, 0755), 0);
	/* Created out of order; none is a real module, so each is refused. */
	put("b.so", "not elf");
	put("a.so", "not elf");
	put("c.txt", "ignored: not *.so");
	put(".so", "ignored: no name");
	put("d.so.1", "ignored: not *.so");
	snprintf(sub, sizeof(sub), "%s/e.so", dir);
	assert_int_equal(ktstr_fs__mkdir_p(sub, 0755), 0); /* a directory: ignored */

	snprintf(env, sizeof(env), "::%s:", dir);
	setenv("KTSTR_PLUGIN_PATH", env, 1);
	assert_int_equal(ktstr_registry__new(&reg), 0);
	assert_int_equal(ktstr_registry__load_default(reg), 0);
	for (size_t i = 0; i < ktstr_registry__refusal_count(reg); i++) {
		const char *line = ktstr_registry__refusal(reg, i);

		if (strstr(line, dir) != NULL) {
			assert_true(n < 4);
			mine[n++] = line;
		}
	}
	assert_int_equal(n, 2);
	snprintf(want, sizeof(want), "refusing plugin module %s/a.so: cannot load it: ", dir);
	assert_true(strncmp(mine[0], want, strlen(want)) == 0);
	snprintf(want, sizeof(want), "refusing plugin module %s/b.so: cannot load it: ", dir);
	assert_true(strncmp(mine[1], want, strlen(want)) == 0);
	ktstr_registry__free(reg);
	unsetenv("KTSTR_PLUGIN_PATH");
}

static void test_unreadable_items(void **state)
{
	struct ktstr_registry *reg;
	char env[PATH_MAX * 2];
	bool warned = false;
	int want;

	snprintf(env, sizeof(env), "%s/missing", tmproot);
	setenv("KTSTR_PLUGIN_PATH", env, 1);
	clear_lines();
	assert_int_equal(ktstr_registry__new(&reg), 0);
	/* 0 as long as the default dir could be read; otherwise nothing was. */
	want = access(ktstr_paths__plugin_dir(), R_OK) == 0 ? 0 : -ENOENT;
	assert_int_equal(ktstr_registry__load_default(reg), want);
	for (size_t i = 0; i < nlines; i++) {
		warned |= strstr(lines[i], "KTSTR_PLUGIN_PATH names") != NULL &&
			  strstr(lines[i], "/missing, which cannot be read: No such file or "
					   "directory; fix or remove that entry") != NULL;
	}
	assert_true(warned);
	ktstr_registry__free(reg);
	unsetenv("KTSTR_PLUGIN_PATH");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_tree),
		cmocka_unit_test(test_scan_order_and_filter),
		cmocka_unit_test(test_unreadable_items),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
