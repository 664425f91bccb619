/* vm/qemu: KVM usability decision over fake sysfs trees, /dev/kvm checks, PATH lookup. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "qemu_probe.h"

static const struct ktstr_kvm_check kvm_ok = {.open_err = 0, .api_version = 12};

/* A fresh fake sysfs root holding module/<name> for each listed module. */
static char *fake_sysfs(const char *m1, const char *m2)
{
	char *root = strdup("/tmp/ktstr-sysfs-XXXXXX");
	const char *mods[] = {m1, m2};
	char path[512];

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/module", root);
	assert_int_equal(mkdir(path, 0755), 0);
	for (int i = 0; i < 2; i++) {
		if (mods[i] != NULL) {
			snprintf(path, sizeof(path), "%s/module/%s", root, mods[i]);
			assert_int_equal(mkdir(path, 0755), 0);
		}
	}
	return root;
}

static void drop_sysfs(char *root)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	free(root);
}

static void decide_expect(const char *m1, const char *m2, const struct ktstr_kvm_check *chk,
			  enum ktstr_accel want, const char *needle)
{
	char *root = fake_sysfs(m1, m2);
	char detail[256] = "";

	assert_int_equal(ktstr_qemu_probe__decide(root, chk, detail, sizeof(detail)), want);
	if (strstr(detail, needle) == NULL) {
		fail_msg("detail \"%s\" lacks \"%s\"", detail, needle);
	}
	assert_null(strchr(detail, '\n'));
	drop_sysfs(root);
}

static void test_decide_pvm(void **state)
{
	decide_expect("kvm", "kvm_pvm", &kvm_ok, KTSTR_ACCEL_TCG,
		      "kvm: /dev/kvm is served by kvm_pvm, which cannot boot Linux; using TCG "
		      "(software emulation)");
	/* kvm_pvm wins even next to a hardware module */
	decide_expect("kvm_intel", "kvm_pvm", &kvm_ok, KTSTR_ACCEL_TCG, "kvm_pvm");
}

static void test_decide_hardware(void **state)
{
	decide_expect("kvm", "kvm_intel", &kvm_ok, KTSTR_ACCEL_KVM, "through kvm_intel");
	decide_expect("kvm_amd", NULL, &kvm_ok, KTSTR_ACCEL_KVM, "through kvm_amd");
}

static void test_decide_no_module(void **state)
{
	decide_expect("kvm", NULL, &kvm_ok, KTSTR_ACCEL_TCG,
		      "no hardware KVM module (kvm_intel or kvm_amd) is loaded; using TCG");
	decide_expect(NULL, NULL, &kvm_ok, KTSTR_ACCEL_TCG, "no hardware KVM module");
}

static void test_decide_ioctl_failures(void **state)
{
	struct ktstr_kvm_check no_dev = {.open_err = ENOENT, .api_version = -1};
	struct ktstr_kvm_check denied = {.open_err = EACCES, .api_version = -1};
	struct ktstr_kvm_check old_api = {.api_version = 11};
	struct ktstr_kvm_check no_vm = {.api_version = 12, .create_vm_err = EBUSY};

	decide_expect("kvm_intel", NULL, &no_dev, KTSTR_ACCEL_TCG,
		      "cannot open /dev/kvm read-write: No such file or directory; using TCG");
	decide_expect("kvm_intel", NULL, &denied, KTSTR_ACCEL_TCG, "Permission denied");
	decide_expect("kvm_intel", NULL, &old_api, KTSTR_ACCEL_TCG,
		      "KVM_GET_API_VERSION returned 11, expected 12");
	decide_expect("kvm_amd", NULL, &no_vm, KTSTR_ACCEL_TCG,
		      "KVM_CREATE_VM failed: Device or resource busy");
}

static void test_decide_missing_sysfs_root(void **state)
{
	char detail[256];

	assert_int_equal(
	    ktstr_qemu_probe__decide("/nonexistent-sysfs", &kvm_ok, detail, sizeof(detail)),
	    KTSTR_ACCEL_TCG);
	assert_non_null(strstr(detail, "no hardware KVM module"));
}

static void test_decide_truncates_detail(void **state)
{
	char *root = fake_sysfs("kvm_pvm", NULL);
	char detail[16];

	ktstr_qemu_probe__decide(root, &kvm_ok, detail, sizeof(detail));
	assert_int_equal(strlen(detail), sizeof(detail) - 1);
	drop_sysfs(root);
}

static void test_kvm_check_devices(void **state)
{
	struct ktstr_kvm_check chk;

	ktstr_qemu_probe__kvm_check("/nonexistent/kvm", &chk);
	assert_int_equal(chk.open_err, ENOENT);
	assert_int_equal(chk.api_version, -1);
	/* /dev/null opens but knows no KVM ioctl */
	ktstr_qemu_probe__kvm_check("/dev/null", &chk);
	assert_int_equal(chk.open_err, 0);
	assert_int_equal(chk.api_version, -1);
	assert_int_equal(chk.create_vm_err, 0);
}

static void test_which(void **state)
{
	char dir[] = "/tmp/ktstr-which-XXXXXX";
	char exe[256], plain[256], path_env[600], out[512];
	int fd;

	assert_non_null(mkdtemp(dir));
	snprintf(exe, sizeof(exe), "%s/fake-qemu", dir);
	snprintf(plain, sizeof(plain), "%s/not-exec", dir);
	fd = open(exe, O_WRONLY | O_CREAT, 0755);
	assert_true(fd >= 0);
	close(fd);
	fd = open(plain, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);

	snprintf(path_env, sizeof(path_env), "/nonexistent::%s", dir);
	assert_int_equal(ktstr_qemu_probe__which("fake-qemu", path_env, out, sizeof(out)), 0);
	assert_string_equal(out, exe);
	assert_int_equal(ktstr_qemu_probe__which("not-exec", path_env, out, sizeof(out)), -ENOENT);
	assert_int_equal(ktstr_qemu_probe__which("missing", path_env, out, sizeof(out)), -ENOENT);
	assert_int_equal(ktstr_qemu_probe__which("", path_env, out, sizeof(out)), -ENOENT);
	/* a name with '/' is not searched */
	assert_int_equal(ktstr_qemu_probe__which(exe, "/nonexistent", out, sizeof(out)), 0);
	assert_string_equal(out, exe);
	assert_int_equal(ktstr_qemu_probe__which(exe, NULL, out, 4), -ENAMETOOLONG);
	/* a PATH entry too long for out is skipped, not fatal */
	assert_int_equal(ktstr_qemu_probe__which("sh", "/a/very/long/dir/entry:/bin", out, 12), 0);
	assert_string_equal(out, "/bin/sh");
	/* NULL PATH falls back to /bin:/usr/bin */
	assert_int_equal(ktstr_qemu_probe__which("sh", NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "/bin/sh");

	unlink(exe);
	unlink(plain);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decide_pvm),
	    cmocka_unit_test(test_decide_hardware),
	    cmocka_unit_test(test_decide_no_module),
	    cmocka_unit_test(test_decide_ioctl_failures),
	    cmocka_unit_test(test_decide_missing_sysfs_root),
	    cmocka_unit_test(test_decide_truncates_detail),
	    cmocka_unit_test(test_kvm_check_devices),
	    cmocka_unit_test(test_which),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
