/* kernel-source/local: image detection, directory probing, companions, errors, plugin glue. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <ktstr/kernel_source.h>

#include "kimage_fixture.h"
#include "local_image.h"
#include "local_resolve.h"
#include "mock_host.h"

static char root[PATH_MAX];

/* root/<rel>, in a rotating set of buffers so several can be used in one call */
static const char *at(const char *fmt, ...)
{
	static char bufs[8][PATH_MAX];
	static unsigned next;
	char *b = bufs[next++ % 8];
	char rel[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(b, PATH_MAX, "%s/%s", root, rel);
	return b;
}

static void mkdirs(const char *rel)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", at("%s", rel));
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/ktstr-local-XXXXXX";

	if (mkdtemp(tmpl) == NULL || realpath(tmpl, root) == NULL) {
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static struct ktstr_local_kernel lk;
static char err[PATH_MAX + 256];

static int resolve(const char *id)
{
	return ktstr_local__resolve(id, root, &lk, err, sizeof(err));
}

static void test_is_path(void **state)
{
	assert_true(ktstr_local__is_path("a/b"));
	assert_true(ktstr_local__is_path("/boot/vmlinuz"));
	assert_true(ktstr_local__is_path("./linux"));
	assert_true(ktstr_local__is_path("../linux"));
	assert_true(ktstr_local__is_path(".hidden"));
	assert_true(ktstr_local__is_path("~"));
	assert_true(ktstr_local__is_path("~/linux"));
	assert_false(ktstr_local__is_path(""));
	assert_false(ktstr_local__is_path("7.2"));
	assert_false(ktstr_local__is_path("latest"));
	assert_false(ktstr_local__is_path("6.14.2-tarball-x86_64-kc1a2b3c4d"));
}

static void test_not_mine(void **state)
{
	assert_int_equal(resolve("7.2.13"), -ENOENT);
	assert_string_equal(err, "");
	assert_int_equal(resolve("latest"), -ENOENT);
	assert_string_equal(err, "");
}

static void test_parse_bzimage(void **state)
{
	unsigned char buf[4096];
	char ver[64];

	fixture_bzimage(buf, sizeof(buf), "6.14.2-test (me@host) #1 SMP");
	assert_int_equal(ktstr_kimage__parse(buf, sizeof(buf), ver, sizeof(ver)),
			 KTSTR_KIMAGE_BZIMAGE);
	assert_string_equal(ver, "6.14.2-test");
	/* version ends the string without a space */
	fixture_bzimage(buf, sizeof(buf), "7.2.13+deb14-cloud-amd64");
	ktstr_kimage__parse(buf, sizeof(buf), ver, sizeof(ver));
	assert_string_equal(ver, "7.2.13+deb14-cloud-amd64");
	/* too long for the caller's buffer: no partial version */
	ktstr_kimage__parse(buf, sizeof(buf), ver, 8);
	assert_string_equal(ver, "");
	/* the string runs into the end of the buffer */
	ktstr_kimage__parse(buf, 0x500 + 5, ver, sizeof(ver));
	assert_string_equal(ver, "");
	/* pointer past the end of what was read */
	assert_int_equal(ktstr_kimage__parse(buf, 0x300, ver, sizeof(ver)), KTSTR_KIMAGE_BZIMAGE);
	assert_string_equal(ver, "");
	/* no version pointer */
	buf[0x20F] = 0;
	ktstr_kimage__parse(buf, sizeof(buf), ver, sizeof(ver));
	assert_string_equal(ver, "");
	/* protocol older than 2.00 has no such field */
	fixture_bzimage(buf, sizeof(buf), "6.1");
	buf[0x207] = 0x01;
	assert_int_equal(ktstr_kimage__parse(buf, sizeof(buf), ver, sizeof(ver)),
			 KTSTR_KIMAGE_BZIMAGE);
	assert_string_equal(ver, "");
	/* an empty string is no version */
	fixture_bzimage(buf, sizeof(buf), "");
	ktstr_kimage__parse(buf, sizeof(buf), ver, sizeof(ver));
	assert_string_equal(ver, "");
	/* the magic must be complete */
	assert_int_equal(ktstr_kimage__parse(buf, 0x205, ver, sizeof(ver)), KTSTR_KIMAGE_NONE);
	assert_int_equal(ktstr_kimage__parse(buf, 0, NULL, 0), KTSTR_KIMAGE_NONE);
}

static void test_parse_elf(void **state)
{
	unsigned char buf[256];
	char ver[16] = "junk";

	fixture_elf(buf, sizeof(buf), ELFCLASS64, ET_EXEC, EM_X86_64);
	assert_int_equal(ktstr_kimage__parse(buf, sizeof(buf), ver, sizeof(ver)), KTSTR_KIMAGE_ELF);
	assert_string_equal(ver, "");
	fixture_elf(buf, sizeof(buf), ELFCLASS64, ET_DYN, EM_X86_64);
	assert_int_equal(ktstr_kimage__parse(buf, sizeof(buf), ver, sizeof(ver)),
			 KTSTR_KIMAGE_NONE);
	fixture_elf(buf, sizeof(buf), ELFCLASS64, ET_EXEC, EM_AARCH64);
	assert_int_equal(ktstr_kimage__parse(buf, sizeof(buf), ver, sizeof(ver)),
			 KTSTR_KIMAGE_NONE);
	fixture_elf(buf, sizeof(buf), ELFCLASS32, ET_EXEC, EM_X86_64);
	assert_int_equal(ktstr_kimage__parse(buf, sizeof(buf), ver, sizeof(ver)),
			 KTSTR_KIMAGE_NONE);
	/* a truncated header */
	fixture_elf(buf, sizeof(buf), ELFCLASS64, ET_EXEC, EM_X86_64);
	assert_int_equal(ktstr_kimage__parse(buf, 20, ver, sizeof(ver)), KTSTR_KIMAGE_NONE);
	assert_int_equal(ktstr_kimage__parse((const unsigned char *)"\x7f"
								    "EL",
					     3, ver, sizeof(ver)),
			 KTSTR_KIMAGE_NONE);
}

static void test_inspect_errors(void **state)
{
	enum ktstr_kimage_kind kind;

	assert_int_equal(ktstr_kimage__inspect(at("missing"), &kind, NULL, 0), -ENOENT);
	mkdirs("adir");
	assert_int_equal(ktstr_kimage__inspect(at("adir"), &kind, NULL, 0), -EISDIR);
}

/* A FIFO (or device) is refused at once: opening one to read would wait for a writer. */
static void test_fifo_refused(void **state)
{
	enum ktstr_kimage_kind kind;
	char want[PATH_MAX + 100];

	assert_int_equal(mkfifo(at("fifo"), 0600), 0);
	alarm(10); /* a hang fails the test instead of stalling it */
	assert_int_equal(ktstr_kimage__inspect(at("fifo"), &kind, NULL, 0), -EINVAL);
	assert_int_equal(resolve(at("fifo")), -EINVAL);
	snprintf(want, sizeof(want),
		 "kernel path %s: %s is not a regular file (a FIFO, device or socket)", at("fifo"),
		 at("fifo"));
	assert_string_equal(err, want);
	assert_int_equal(resolve("/dev/null"), -EINVAL);
	alarm(0);
}

static void test_image_file(void **state)
{
	mkdirs("boot");
	assert_int_equal(fixture_bzimage_file(at("boot/vmlinuz-6.14"), "6.14.0 (x) #1"), 0);
	assert_int_equal(resolve(at("boot/vmlinuz-6.14")), 0);
	assert_string_equal(lk.image, at("boot/vmlinuz-6.14"));
	assert_string_equal(lk.version, "6.14.0");
	assert_string_equal(lk.vmlinux, "");
	assert_string_equal(lk.config, "");
	assert_int_equal(strncmp(lk.origin, "local path /", 12), 0);
}

static void test_kernel_tree(void **state)
{
	mkdirs("linux/arch/x86/boot");
	assert_int_equal(fixture_bzimage_file(at("linux/arch/x86/boot/bzImage"), "6.15.0-rc1+ x"),
			 0);
	assert_int_equal(fixture_bzimage_file(at("linux/bzImage"), "0.0.0-wrong x"), 0);
	assert_int_equal(fixture_vmlinux_file(at("linux/vmlinux")), 0);
	assert_int_equal(fixture_write(at("linux/.config"), "CONFIG_X=y\n", 11), 0);

	assert_int_equal(resolve(at("linux")), 0);
	assert_string_equal(lk.image, at("linux/arch/x86/boot/bzImage"));
	assert_string_equal(lk.version, "6.15.0-rc1+");
	assert_string_equal(lk.vmlinux, at("linux/vmlinux"));
	assert_string_equal(lk.config, at("linux/.config"));
	assert_string_equal(lk.origin + strlen("local path "), at("linux"));

	/* the image file itself: the tree root is found from arch/x86/boot */
	assert_int_equal(resolve(at("linux/arch/x86/boot/bzImage")), 0);
	assert_string_equal(lk.vmlinux, at("linux/vmlinux"));
	assert_string_equal(lk.config, at("linux/.config"));
}

static void test_install_dir(void **state)
{
	mkdirs("inst");
	assert_int_equal(fixture_bzimage_file(at("inst/vmlinuz"), "7.2.13+deb14-cloud-amd64 (d)"),
			 0);
	assert_int_equal(fixture_vmlinux_file(at("inst/vmlinux")), 0);
	assert_int_equal(fixture_write(at("inst/config"), "CONFIG_Y=y\n", 11), 0);
	assert_int_equal(resolve(at("inst")), 0);
	assert_string_equal(lk.image, at("inst/vmlinuz"));
	assert_string_equal(lk.version, "7.2.13+deb14-cloud-amd64");
	assert_string_equal(lk.vmlinux, at("inst/vmlinux"));
	assert_string_equal(lk.config, at("inst/config"));
}

static void test_vmlinux_only(void **state)
{
	mkdirs("elf");
	assert_int_equal(fixture_vmlinux_file(at("elf/vmlinux")), 0);
	assert_int_equal(resolve(at("elf")), 0);
	assert_string_equal(lk.image, at("elf/vmlinux"));
	assert_string_equal(lk.vmlinux, at("elf/vmlinux"));
	assert_string_equal(lk.version, "");
}

static void test_companion_must_be_elf(void **state)
{
	mkdirs("badcomp");
	assert_int_equal(fixture_bzimage_file(at("badcomp/bzImage"), "6.1 x"), 0);
	assert_int_equal(fixture_write(at("badcomp/vmlinux"), "not elf", 7), 0);
	assert_int_equal(resolve(at("badcomp")), 0);
	assert_string_equal(lk.image, at("badcomp/bzImage"));
	assert_string_equal(lk.vmlinux, "");
}

static void test_skips_invalid_candidate(void **state)
{
	mkdirs("mixed");
	assert_int_equal(fixture_write(at("mixed/bzImage"), "garbage", 7), 0);
	assert_int_equal(fixture_bzimage_file(at("mixed/vmlinuz"), "6.2 x"), 0);
	assert_int_equal(resolve(at("mixed")), 0);
	assert_string_equal(lk.image, at("mixed/vmlinuz"));

	mkdirs("junk");
	assert_int_equal(fixture_write(at("junk/bzImage"), "garbage", 7), 0);
	assert_int_equal(resolve(at("junk")), -ENOEXEC);
	assert_string_equal(strstr(err, ": bzImage"),
			    ": bzImage is not a bzImage or an x86-64 ELF vmlinux");
}

static void test_nothing_found(void **state)
{
	char want[PATH_MAX + 200];

	mkdirs("empty");
	assert_int_equal(resolve(at("empty")), -ENOENT);
	snprintf(want, sizeof(want),
		 "kernel path %s: no kernel image found (looked for "
		 "arch/x86/boot/bzImage, bzImage, vmlinuz, vmlinux)",
		 at("empty"));
	assert_string_equal(err, want);
	assert_null(strchr(err, '\n'));
}

static void test_missing_and_bad_paths(void **state)
{
	char want[PATH_MAX + 100];

	assert_int_equal(resolve(at("nope")), -ENOENT);
	snprintf(want, sizeof(want), "kernel path %s: No such file or directory", at("nope"));
	assert_string_equal(err, want);
	assert_int_equal(resolve("./ktstr-surely-missing"), -ENOENT);
	assert_non_null(strstr(err, "kernel path ./ktstr-surely-missing: No such file or "
				    "directory (relative to /"));
	assert_int_equal(fixture_write(at("plain"), "x", 1), 0);
	assert_int_equal(resolve(at("plain/sub")), -ENOENT);
	assert_int_equal(resolve(at("plain")), -ENOEXEC);
	snprintf(want, sizeof(want), "kernel path %s: not a bzImage or an x86-64 ELF vmlinux",
		 at("plain"));
	assert_string_equal(err, want);
	assert_int_equal(resolve("/bin/sh"), -ENOEXEC);
}

static void test_home_expansion(void **state)
{
	mkdirs("homek");
	assert_int_equal(fixture_bzimage_file(at("homek/bzImage"), "6.3 x"), 0);
	assert_int_equal(resolve("~/homek"), 0);
	assert_string_equal(lk.image, at("homek/bzImage"));
	assert_int_equal(ktstr_local__resolve("~/homek", NULL, &lk, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "kernel path ~/homek: HOME is not set, so ~ cannot be expanded; "
				 "give the path without ~");
	/* "~user" is not expanded: it is a relative path */
	assert_int_equal(resolve("~nosuchuser/k"), -ENOENT);
	assert_non_null(strstr(err, "No such file or directory"));
}

static void test_plugin_glue(void **state)
{
	const struct ktstr_plugin_desc *d = NULL;
	const struct ktstr_kernel_source_ops *ops;
	struct ktstr_kernel k = {0};
	struct ktstr_inst inst;

	assert_int_equal(ktstr_mock__load(ktstr_plugin_entry_v1, &d), 0);
	assert_string_equal(d->name, "local");
	assert_int_equal(d->kind, KTSTR_PLUGIN_KERNEL_SOURCE);
	ops = d->ops;
	ktstr_mock_inst__new(&inst, d);
	assert_int_equal(ktstr_mock_inst__init(&inst), 0);

	mkdirs("glue");
	assert_int_equal(fixture_bzimage_file(at("glue/bzImage"), "6.9.1 x"), 0);
	assert_int_equal(fixture_write(at("glue/.config"), "C=y\n", 4), 0);
	assert_int_equal(ops->resolve(&inst, at("glue"), &k), 0);
	assert_string_equal(k.fields[KTSTR_KERNEL_IMAGE], at("glue/bzImage"));
	assert_string_equal(k.fields[KTSTR_KERNEL_VERSION], "6.9.1");
	assert_string_equal(k.fields[KTSTR_KERNEL_CONFIG], at("glue/.config"));
	assert_null(k.fields[KTSTR_KERNEL_VMLINUX]);
	assert_null(k.fields[KTSTR_KERNEL_CACHE_KEY]);
	assert_non_null(strstr(k.fields[KTSTR_KERNEL_ORIGIN], "local path "));
	assert_int_equal(inst.nr_errors, 0);
	ktstr_mock_kernel__free(&k);

	assert_int_equal(ops->resolve(&inst, "6.9", &k), -ENOENT);
	assert_int_equal(inst.nr_errors, 0);
	assert_int_equal(ops->resolve(&inst, at("glue/none"), &k), -ENOENT);
	assert_int_equal(inst.nr_errors, 1);
	assert_non_null(strstr(inst.last_error, "No such file or directory"));
	assert_null(k.fields[KTSTR_KERNEL_IMAGE]);
	ktstr_mock_inst__free(&inst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_is_path),
	    cmocka_unit_test(test_not_mine),
	    cmocka_unit_test(test_parse_bzimage),
	    cmocka_unit_test(test_parse_elf),
	    cmocka_unit_test(test_inspect_errors),
	    cmocka_unit_test(test_fifo_refused),
	    cmocka_unit_test(test_image_file),
	    cmocka_unit_test(test_kernel_tree),
	    cmocka_unit_test(test_install_dir),
	    cmocka_unit_test(test_vmlinux_only),
	    cmocka_unit_test(test_companion_must_be_elf),
	    cmocka_unit_test(test_skips_invalid_candidate),
	    cmocka_unit_test(test_nothing_found),
	    cmocka_unit_test(test_missing_and_bad_paths),
	    cmocka_unit_test(test_home_expansion),
	    cmocka_unit_test(test_plugin_glue),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
