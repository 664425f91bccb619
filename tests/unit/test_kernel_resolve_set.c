/* The kernel resolve pool: KTSTR_KERNEL_PARALLELISM parsing, bounded concurrency, once per item;
 * and range expansion over a fake cache. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel_range.h"
#include "kernel_resolve_set.h"

static void test_width(void **state)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t ncpu = cpus > 0 ? (size_t)cpus : 1;

	(void)state;
	assert_int_equal(ktstr_kresolve__width("4", 9), 4);
	assert_int_equal(ktstr_kresolve__width("  3 \n", 9), 3);
	assert_int_equal(ktstr_kresolve__width(NULL, 9), 9);
	assert_int_equal(ktstr_kresolve__width("", 9), 9);
	assert_int_equal(ktstr_kresolve__width("0", 9), 9); /* not > 0 */
	assert_int_equal(ktstr_kresolve__width("-2", 9), 9);
	assert_int_equal(ktstr_kresolve__width("abc", 9), 9);
	assert_int_equal(ktstr_kresolve__width("2x", 9), 9);
	assert_int_equal(ktstr_kresolve__width("99999999999999999999999", 9), 9);
	assert_int_equal(ktstr_kresolve__width("abc", 0), ncpu); /* the default: online CPUs */
	assert_true(ktstr_kresolve__width(NULL, 0) >= 1);
}

struct counters {
	pthread_mutex_t lock;
	int active, max_active;
	int calls[32];
};

static int fake_resolve(void *ctx, size_t i)
{
	struct counters *c = ctx;
	struct timespec ts = {0, 20 * 1000 * 1000};

	pthread_mutex_lock(&c->lock);
	c->calls[i]++;
	if (++c->active > c->max_active) {
		c->max_active = c->active;
	}
	pthread_mutex_unlock(&c->lock);
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&c->lock);
	c->active--;
	pthread_mutex_unlock(&c->lock);
	return i % 5 == 4 ? -ENOENT : (int)i;
}

static void run_pool(size_t n, size_t width, int want_max)
{
	struct counters c = {.lock = PTHREAD_MUTEX_INITIALIZER};
	int rets[32];

	ktstr_kresolve__run(n, width, fake_resolve, &c, rets);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(c.calls[i], 1);
		assert_int_equal(rets[i], i % 5 == 4 ? -ENOENT : (int)i);
	}
	assert_int_equal(c.active, 0);
	if (n == 12 && width == 3) { /* results are optional */
		struct counters again = {.lock = PTHREAD_MUTEX_INITIALIZER};

		ktstr_kresolve__run(n, width, fake_resolve, &again, NULL);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(again.calls[i], 1);
		}
	}
	/* never wider than asked; as wide as asked, since every call sleeps 20 ms */
	if (c.max_active != want_max) {
		fail_msg("n=%zu width=%zu: %d calls at once, want %d", n, width, c.max_active,
			 want_max);
	}
}

static void test_bounded_pool(void **state)
{
	(void)state;
	run_pool(12, 3, 3);
	run_pool(12, 1, 1);
	run_pool(2, 8, 2); /* no more threads than items */
	run_pool(1, 4, 1);
	run_pool(0, 4, 0);
}

static void write_file(const char *root, const char *key, const char *name, const char *text)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s/%s", root, key, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * Entry @key with metadata @meta verbatim (NULL: none); @version non-NULL
 * instead writes a valid entry of that version ("null" for none), with its
 * image unless @no_image.
 */
static void write_entry_full(const char *root, const char *key, const char *meta,
			     const char *version, bool no_image)
{
	char p[PATH_MAX], doc[1024];

	snprintf(p, sizeof(p), "%s/%s", root, key);
	assert_int_equal(mkdir(p, 0755), 0);
	if (version != NULL) {
		snprintf(doc, sizeof(doc),
			 "{\"version\": %s%s%s, \"source\": {\"type\": \"tarball\"}, "
			 "\"arch\": \"x86_64\", \"image_name\": \"bzImage\", "
			 "\"built_at\": \"2026-01-01T00:00:00Z\", \"has_vmlinux\": false, "
			 "\"vmlinux_stripped\": false}",
			 strcmp(version, "null") == 0 ? "" : "\"", version,
			 strcmp(version, "null") == 0 ? "" : "\"");
		meta = doc;
	}
	if (meta != NULL) {
		write_file(root, key, "metadata.json", meta);
	}
	if (version != NULL && !no_image) {
		write_file(root, key, "bzImage", "image");
	}
}

static void write_entry(const char *root, const char *key, const char *version)
{
	write_entry_full(root, key, NULL, version, false);
}

static void test_range_expand(void **state)
{
	char root[] = "/tmp/ktstr-krange-XXXXXX", err[512], cmd[64];
	char **v;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(root));
	write_entry(root, "7.2.13+deb14-cloud-amd64-debian-x86_64", "7.2.13+deb14-cloud-amd64");
	write_entry(root, "6.12.5-tarball-x86_64-kc1", "6.12.5");
	write_entry(root, "6.12.5-tarball-x86_64-kc2", "6.12.5"); /* same version */
	write_entry(root, "6.10-rc3-tarball-x86_64-kc1", "6.10-rc3");
	write_entry(root, "6.9.1-tarball-x86_64-kc1", "6.9.1");
	write_entry(root, "local-abc1234-x86_64-kc1", "null");
	write_entry_full(root, "broken", "{not json", NULL, false);
	write_entry_full(root, "nometa", NULL, NULL, false);
	write_entry_full(root, "6.11.1-noimage", NULL, "6.11.1", true); /* corrupt: skipped */
	write_entry(root, ".tmp-x-1", "6.11");

	assert_int_equal(
	    ktstr_kernel_range__expand(root, "6.10-rc1", "7.2.13", &v, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "6.10-rc3");
	assert_string_equal(v[1], "6.12.5");
	assert_string_equal(v[2], "7.2.13");
	for (size_t i = 0; i < n; i++) {
		free(v[i]);
	}
	free(v);
	/* 7.2 is 7.2.0: 7.2.13 lies outside 6.1..7.2 */
	assert_int_equal(ktstr_kernel_range__expand(root, "6.1", "7.2", &v, &n, err, sizeof(err)),
			 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "6.9.1");
	for (size_t i = 0; i < n; i++) {
		free(v[i]);
	}
	free(v);
	assert_int_equal(ktstr_kernel_range__expand(root, "5.1", "5.9", &v, &n, err, sizeof(err)),
			 0);
	assert_int_equal(n, 0);
	assert_null(v);
	assert_int_equal(ktstr_kernel_range__expand(root, "6", "7.1", &v, &n, err, sizeof(err)),
			 -EINVAL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	/* no cache yet: nothing in range, not an error */
	assert_int_equal(ktstr_kernel_range__expand(root, "6.1", "7.2", &v, &n, err, sizeof(err)),
			 0);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_width),
	    cmocka_unit_test(test_bounded_pool),
	    cmocka_unit_test(test_range_expand),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
