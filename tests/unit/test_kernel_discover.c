/* The discovery chain on a fake filesystem root: each step, precedence, first-dir-only. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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

#include "kernel_discover.h"

#define REL "6.99.0-test"

struct fake {
	char root[PATH_MAX]; /* the fake "/" */
	char cwd[PATH_MAX];  /* {root}/work/proj */
	const char *env[2][2];
	const char *chain_has; /* id the fake chain resolves ("latest" included), or NULL */
	char asked[8][64];
	size_t nasked;
};

static struct fake *cur;

static const char *fake_getenv(const char *name)
{
	for (size_t i = 0; i < 2; i++) {
		if (cur->env[i][0] != NULL && strcmp(cur->env[i][0], name) == 0) {
			return cur->env[i][1];
		}
	}
	return NULL;
}

static int fake_resolve(void *ctx, const char *id, char *err, size_t errlen)
{
	struct fake *f = ctx;

	snprintf(f->asked[f->nasked++ % 8], sizeof(f->asked[0]), "%s", id);
	if (f->chain_has != NULL && strcmp(f->chain_has, id) == 0) {
		return 0;
	}
	if (strcmp(id, "boom") == 0) {
		snprintf(err, errlen, "cache: unreadable");
		return -EIO;
	}
	snprintf(err, errlen, "%s", "");
	return -ENOENT;
}

static void mkdirs(const char *rel)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", cur->root, rel);
	for (char *s = p + strlen(cur->root) + 1; *s != '\0'; s++) {
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0755);
			*s = '/';
		}
	}
	mkdir(p, 0755);
}

/* Create {root}/@p rel (and its parents) as a small file. */
static void touch(const char *rel)
{
	char p[PATH_MAX], dir[PATH_MAX];
	int fd;

	snprintf(dir, sizeof(dir), "%s", rel);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	snprintf(p, sizeof(p), "%s/%s", cur->root, rel);
	fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "k", 1), 1);
	close(fd);
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	snprintf(f->root, sizeof(f->root), "/tmp/ktstr-kdisc-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(f->cwd, sizeof(f->cwd), "%s/work/proj", f->root);
	cur = f;
	mkdirs("work/proj");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static int discover(struct fake *f, struct ktstr_kdisc_result *r, char *err, size_t errlen)
{
	struct ktstr_kdisc_env env = {.getenv = fake_getenv,
				      .root = f->root,
				      .cwd = f->cwd,
				      .release = REL,
				      .resolve = fake_resolve,
				      .ctx = f};

	return ktstr_kernel__discover(&env, r, err, errlen);
}

/* @p r names {root}/@p rel, found at @p step. */
static void expect_image(struct fake *f, const struct ktstr_kdisc_result *r, const char *rel,
			 const char *step)
{
	char want[PATH_MAX];

	if (rel[0] == '/') {
		snprintf(want, sizeof(want), "%s%s", f->root, rel);
	} else {
		snprintf(want, sizeof(want), "%s/%s", f->cwd, rel);
	}
	assert_int_equal(r->kind, KTSTR_KDISC_IMAGE);
	assert_string_equal(r->path, want);
	assert_string_equal(r->step, step);
}

static void test_nothing_found(void **state)
{
	struct fake *f = *state;
	struct ktstr_kdisc_result r;
	char err[1024];

	assert_int_equal(discover(f, &r, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err,
			       "no kernel found\n  hint: set KTSTR_KERNEL to a kernel source "
			       "directory, a version (e.g. `6.14.2`), or a cache key (see "
			       "`ktstr kernel list`), or run `ktstr kernel fetch` to populate "
			       "the cache\n  hint: or set KTSTR_TEST_KERNEL=/path/to/bzImage"));
	assert_int_equal(f->nasked, 1);
	assert_string_equal(f->asked[0], "latest");
}

static void test_test_kernel_first(void **state)
{
	struct fake *f = *state;
	struct ktstr_kdisc_result r;
	char err[1024], img[PATH_MAX];

	touch("imgs/bzImage");
	touch("boot/vmlinuz");
	snprintf(img, sizeof(img), "%s/imgs/bzImage", f->root);
	f->env[0][0] = "KTSTR_TEST_KERNEL";
	f->env[0][1] = img;
	f->env[1][0] = "KTSTR_KERNEL";
	f->env[1][1] = "7.2";
	f->chain_has = "7.2";
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	assert_string_equal(r.path, img); /* verbatim */
	assert_string_equal(r.step, "KTSTR_TEST_KERNEL");
	assert_int_equal(f->nasked, 0);
	f->env[0][1] = "/no/such/bzImage";
	assert_int_equal(discover(f, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "KTSTR_TEST_KERNEL not found: /no/such/bzImage");
}

static void test_env_path(void **state)
{
	struct fake *f = *state;
	struct ktstr_kdisc_result r;
	char err[1024];

	f->env[0][0] = "KTSTR_KERNEL";
	f->env[0][1] = " ../linux ";
	touch("work/linux/bzImage");
	touch("boot/vmlinuz");
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	expect_image(f, &r, "../linux/bzImage", "KTSTR_KERNEL");
	touch("work/linux/arch/x86/boot/bzImage"); /* preferred */
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	expect_image(f, &r, "../linux/arch/x86/boot/bzImage", "KTSTR_KERNEL");
	/* a directory without an image is a hard error, never a fall through */
	mkdirs("work/empty");
	f->env[0][1] = "../empty";
	assert_int_equal(discover(f, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "KTSTR_KERNEL=../empty does not contain a kernel image. set "
				    "KTSTR_KERNEL to"));
	/* a path that does not exist says so, with the path */
	f->env[0][1] = "../no-such";
	assert_int_equal(discover(f, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "KTSTR_KERNEL=../no-such: ../no-such does not exist"));
	/* absolute paths live under the fake root */
	f->env[0][1] = "/work/linux";
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	expect_image(f, &r, "/work/linux/arch/x86/boot/bzImage", "KTSTR_KERNEL");
	assert_int_equal(f->nasked, 0); /* paths never ask the chain */
}

static void test_env_version_and_key(void **state)
{
	struct fake *f = *state;
	struct ktstr_kdisc_result r;
	char err[1024];

	f->env[0][0] = "KTSTR_KERNEL";
	f->env[0][1] = "7.2";
	f->chain_has = "7.2";
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	assert_int_equal(r.kind, KTSTR_KDISC_RESOLVED);
	assert_string_equal(r.path, "7.2");
	assert_string_equal(r.step, "KTSTR_KERNEL");
	/* a miss skips the cache scan and goes to the filesystem */
	f->chain_has = "latest";
	f->nasked = 0;
	touch("boot/vmlinuz");
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	expect_image(f, &r, "/boot/vmlinuz", "/boot/vmlinuz");
	assert_int_equal(f->nasked, 1);
	assert_string_equal(f->asked[0], "7.2");
	/* a cache key likewise */
	f->env[0][1] = "6.14.2-tarball-x86_64-kc1";
	f->chain_has = "6.14.2-tarball-x86_64-kc1";
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	assert_string_equal(r.path, "6.14.2-tarball-x86_64-kc1");
	/* a failing chain is an error */
	f->env[0][1] = "boom";
	assert_int_equal(discover(f, &r, err, sizeof(err)), -EIO);
	assert_string_equal(err, "cache: unreadable");
	/* ranges and git ids are refused in the env form */
	f->env[0][1] = "6.1..6.2";
	assert_int_equal(discover(f, &r, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not supported in env-var form"));
	/* blank is unset */
	f->env[0][1] = "  ";
	f->chain_has = "latest";
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	assert_string_equal(r.step, "cache");
}

static void test_cache_before_filesystem(void **state)
{
	struct fake *f = *state;
	struct ktstr_kdisc_result r;
	char err[1024];

	touch("work/proj/linux/arch/x86/boot/bzImage");
	f->chain_has = "latest";
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	assert_int_equal(r.kind, KTSTR_KDISC_RESOLVED);
	assert_string_equal(r.path, "latest");
	assert_string_equal(r.step, "cache");
	f->chain_has = NULL;
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	expect_image(f, &r, "./linux/arch/x86/boot/bzImage", "./linux");
}

static void test_tree_order(void **state)
{
	struct fake *f = *state;
	struct ktstr_kdisc_result r;
	char err[1024];

	touch("lib/modules/" REL "/build/arch/x86/boot/bzImage");
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	expect_image(f, &r, "/lib/modules/" REL "/build/arch/x86/boot/bzImage",
		     "/lib/modules/{rel}/build");
	touch("work/linux/bzImage"); /* ../linux beats /lib/modules */
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	expect_image(f, &r, "../linux/bzImage", "../linux");
	touch("work/proj/linux/bzImage"); /* ./linux beats ../linux */
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	expect_image(f, &r, "./linux/bzImage", "./linux");
}

static void test_first_dir_only(void **state)
{
	struct fake *f = *state;
	struct ktstr_kdisc_result r;
	char err[1024];

	/* ./linux qualifies (vmlinux) but has no image: ../linux is not probed */
	touch("work/proj/linux/vmlinux");
	touch("work/linux/bzImage");
	touch("boot/vmlinuz-" REL);
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	expect_image(f, &r, "/boot/vmlinuz-" REL, "/boot/vmlinuz-{rel}");
	/* a directory without artifacts does not qualify: the next one is used */
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/work/proj/linux/vmlinux", f->root);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	expect_image(f, &r, "../linux/bzImage", "../linux");
}

static void test_vmlinuz_order(void **state)
{
	struct fake *f = *state;
	struct ktstr_kdisc_result r;
	char err[1024];

	touch("boot/vmlinuz");
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	expect_image(f, &r, "/boot/vmlinuz", "/boot/vmlinuz");
	touch("boot/vmlinuz-" REL);
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	expect_image(f, &r, "/boot/vmlinuz-" REL, "/boot/vmlinuz-{rel}");
	touch("lib/modules/" REL "/vmlinuz");
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	expect_image(f, &r, "/lib/modules/" REL "/vmlinuz", "/lib/modules/{rel}/vmlinuz");
	/* /lib/modules/{rel}/build as a directory without an image falls to the files */
	mkdirs("lib/modules/" REL "/build");
	assert_int_equal(discover(f, &r, err, sizeof(err)), 0);
	expect_image(f, &r, "/lib/modules/" REL "/vmlinuz", "/lib/modules/{rel}/vmlinuz");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_nothing_found, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_test_kernel_first, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_env_path, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_env_version_and_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cache_before_filesystem, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tree_order, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_first_dir_only, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_vmlinuz_order, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
