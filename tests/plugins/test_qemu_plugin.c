/* vm/qemu through its descriptor and a mock host: options, probe, run errors, outcome. */
#define _GNU_SOURCE
#include <dirent.h>
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

#include <ktstr/vm.h>

#include "mock_host.h"
#include "qemu_probe.h"

static char tmpdir[] = "/tmp/ktstr-qemu-plugin-XXXXXX";
static char fake_qemu[300], args_file[300];

static const struct ktstr_plugin_desc *load(void)
{
	const struct ktstr_plugin_desc *d = NULL;

	assert_int_equal(ktstr_mock__load(ktstr_plugin_entry_v1, &d), 0);
	return d;
}

static const struct ktstr_vm_ops *ops(const struct ktstr_plugin_desc *d)
{
	return d->ops;
}

static struct ktstr_vm_spec spec(void)
{
	static char console[320], com2[320];
	struct ktstr_vm_spec s = {
	    .sz = sizeof(s),
	    .kernel_image = "/k/bzImage",
	    .initramfs = "/i/initrd",
	    .cmdline = "console=ttyS0",
	    .topo = {1, 1, 2, 1},
	    .memory_mb = 256,
	    .console_path = console,
	    .protocol_path = com2,
	    .timeout_ms = 10000,
	    .cancel_fd = -1,
	};

	snprintf(console, sizeof(console), "%s/console", tmpdir);
	snprintf(com2, sizeof(com2), "%s/com2", tmpdir);
	return s;
}

/* A stand-in QEMU: records its argv, complains on stderr (and $FAKE_MSG), exits $FAKE_RC. */
static int setup(void **state)
{
	FILE *f;

	assert_non_null(mkdtemp(tmpdir));
	snprintf(fake_qemu, sizeof(fake_qemu), "%s/fake-qemu", tmpdir);
	snprintf(args_file, sizeof(args_file), "%s/args", tmpdir);
	f = fopen(fake_qemu, "w");
	assert_non_null(f);
	fprintf(f,
		"#!/bin/sh\necho \"$@\" > %s\n"
		"echo 'qemu-system-x86_64: warning: first' >&2\n"
		"echo 'qemu-system-x86_64: -numa node: boom' >&2\n"
		"if [ -n \"$FAKE_MSG\" ]; then echo \"$FAKE_MSG\" >&2; fi\n"
		"exit ${FAKE_RC:-0}\n",
		args_file);
	fclose(f);
	assert_int_equal(chmod(fake_qemu, 0755), 0);
	ktstr_mock_scratch_dir = tmpdir;
	return 0;
}

static int teardown(void **state)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd);
}

static void read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL) {
		n++;
	}
	closedir(d);
	return n;
}

static void test_descriptor(void **state)
{
	const struct ktstr_plugin_desc *d = load();
	struct ktstr_host_api short_host = ktstr_mock_host;

	assert_string_equal(d->name, "qemu");
	assert_int_equal(d->kind, KTSTR_PLUGIN_VM);
	assert_int_equal(d->abi_major, KTSTR_ABI_MAJOR);
	assert_int_equal(d->sz, sizeof(struct ktstr_plugin_desc));
	assert_true(KTSTR_OPS_HAS(ops(d), run));
	assert_true(KTSTR_OPS_HAS(ops(d), probe));
	short_host.sz = offsetof(struct ktstr_host_api, kernel_set);
	assert_int_equal(ktstr_plugin_entry_v1(&short_host, &d), -EPROTO);
	assert_int_equal(ktstr_plugin_entry_v1(NULL, &d), -EPROTO);
}

static void test_init_rejects_bad_options(void **state)
{
	const struct ktstr_plugin_desc *d = load();
	struct ktstr_inst inst;

	ktstr_mock_inst__new(&inst, d);
	assert_int_equal(ktstr_mock_inst__init(&inst), 0);
	ktstr_mock_inst__set(&inst, "accel", "hvf");
	assert_int_equal(ktstr_mock_inst__init(&inst), -EINVAL);
	assert_string_equal(inst.last_error, "option accel is \"hvf\"; use auto, kvm or tcg");
	ktstr_mock_inst__free(&inst);

	ktstr_mock_inst__new(&inst, d);
	ktstr_mock_inst__set(&inst, "machine", "");
	assert_int_equal(ktstr_mock_inst__init(&inst), -EINVAL);
	assert_string_equal(inst.last_error, "option machine must not be empty");
	ktstr_mock_inst__free(&inst);
}

static void test_probe(void **state)
{
	const struct ktstr_plugin_desc *d = load();
	struct ktstr_vm_caps caps = {.sz = sizeof(caps)};
	struct ktstr_kvm_check chk;
	enum ktstr_accel host_best;
	struct ktstr_inst inst;
	char why[256];

	ktstr_qemu_probe__kvm_check("/dev/kvm", &chk);
	host_best = ktstr_qemu_probe__decide("/sys", &chk, why, sizeof(why));

	ktstr_mock_inst__new(&inst, d);
	ktstr_mock_inst__set(&inst, "binary", fake_qemu);
	assert_int_equal(ktstr_mock_inst__init(&inst), 0);
	assert_int_equal(ops(d)->probe(&inst, &caps), 0);
	assert_int_equal(caps.best, host_best);
	assert_string_equal(caps.detail, why);

	ktstr_mock_inst__set(&inst, "accel", "tcg");
	assert_int_equal(ktstr_mock_inst__init(&inst), 0);
	assert_int_equal(ops(d)->probe(&inst, &caps), 0);
	assert_int_equal(caps.best, KTSTR_ACCEL_TCG);
	assert_non_null(strstr(caps.detail, "set by option accel"));

	ktstr_mock_inst__set(&inst, "accel", "kvm");
	assert_int_equal(ktstr_mock_inst__init(&inst), 0);
	assert_int_equal(ops(d)->probe(&inst, &caps), 0);
	if (host_best == KTSTR_ACCEL_KVM) {
		assert_int_equal(caps.best, KTSTR_ACCEL_KVM);
	} else {
		assert_int_equal(caps.best, KTSTR_ACCEL_NONE);
		assert_non_null(strstr(caps.detail, "option accel is kvm but kvm: "));
	}

	ktstr_mock_inst__set(&inst, "binary", "/nonexistent/qemu-system-x86_64");
	assert_int_equal(ops(d)->probe(&inst, &caps), 0);
	assert_int_equal(caps.best, KTSTR_ACCEL_NONE);
	assert_non_null(strstr(caps.detail, "qemu binary not found: /nonexistent/qemu"));
	ktstr_mock_inst__free(&inst);
}

static void test_run_start_errors(void **state)
{
	const struct ktstr_plugin_desc *d = load();
	struct ktstr_vm_outcome out = {.sz = sizeof(out)};
	struct ktstr_vm_spec s = spec();
	struct ktstr_kvm_check chk;
	struct ktstr_inst inst;
	char why[256];

	ktstr_mock_inst__new(&inst, d);
	ktstr_mock_inst__set(&inst, "binary", "/nonexistent/qemu-system-x86_64");
	assert_int_equal(ktstr_mock_inst__init(&inst), 0);
	assert_int_equal(ops(d)->run(&inst, &s, &out), -ENOENT);
	assert_non_null(strstr(inst.last_error, "qemu binary not found: /nonexistent/qemu"));

	ktstr_mock_inst__set(&inst, "binary", fake_qemu);
	ktstr_mock_cancelled = true;
	assert_int_equal(ops(d)->run(&inst, &s, &out), -ECANCELED);
	ktstr_mock_cancelled = false;

	ktstr_qemu_probe__kvm_check("/dev/kvm", &chk);
	if (ktstr_qemu_probe__decide("/sys", &chk, why, sizeof(why)) != KTSTR_ACCEL_KVM) {
		ktstr_mock_inst__set(&inst, "accel", "kvm");
		assert_int_equal(ktstr_mock_inst__init(&inst), 0);
		assert_int_equal(ops(d)->run(&inst, &s, &out), -ENODEV);
		assert_non_null(strstr(inst.last_error, "set accel to auto or tcg"));
		ktstr_mock_inst__set(&inst, "accel", "tcg");
		assert_int_equal(ktstr_mock_inst__init(&inst), 0);
	}

	s.topo.llcs = 3;
	s.topo.numa_nodes = 2;
	assert_int_equal(ops(d)->run(&inst, &s, &out), -EINVAL);
	assert_non_null(strstr(inst.last_error, "cannot be split evenly"));

	s = spec();
	ktstr_mock_scratch_dir = NULL;
	assert_int_equal(ops(d)->run(&inst, &s, &out), -EIO);
	ktstr_mock_scratch_dir = tmpdir;
	ktstr_mock_inst__free(&inst);
}

static void test_run_outcome(void **state)
{
	const struct ktstr_plugin_desc *d = load();
	struct ktstr_vm_outcome out = {.sz = sizeof(out)};
	struct ktstr_vm_spec s = spec();
	struct ktstr_inst inst;
	char args[1024], logpath[300], log[2048];
	const char *at;
	int fds = count_fds();

	ktstr_mock_inst__new(&inst, d);
	ktstr_mock_inst__set(&inst, "binary", fake_qemu);
	ktstr_mock_inst__set(&inst, "accel", "tcg");
	ktstr_mock_inst__set(&inst, "extra_args", "-s -d guest_errors");
	assert_int_equal(ktstr_mock_inst__init(&inst), 0);

	setenv("FAKE_RC", "0", 1);
	assert_int_equal(ops(d)->run(&inst, &s, &out), 0);
	assert_int_equal(out.exit_code, 0);
	assert_int_equal(out.accel, KTSTR_ACCEL_TCG);
	assert_false(out.timed_out);
	assert_non_null(strstr(out.detail, "qemu (tcg, -cpu Nehalem) exited 0 after "));
	/* a clean exit says nothing of QEMU's stderr */
	assert_null(strstr(out.detail, "boom"));
	read_text(args_file, args, sizeof(args));
	assert_non_null(strstr(args, "-M pc -accel tcg,thread=single -cpu Nehalem -smp 2,sockets=1,cores=2,"
				     "threads=1 -m 256M -nodefaults"));
	assert_non_null(strstr(args, "-s -d guest_errors\n"));

	setenv("FAKE_RC", "1", 1);
	ktstr_mock_inst__set(&inst, "cpu", "Nehalem-v2");
	assert_int_equal(ops(d)->run(&inst, &s, &out), 0);
	assert_int_equal(out.exit_code, 1);
	assert_non_null(strstr(out.detail, "qemu (tcg, -cpu Nehalem-v2) exited 1 after "));
	assert_non_null(strstr(out.detail, ": qemu-system-x86_64: warning: first | "
					   "qemu-system-x86_64: -numa node: boom"));
	assert_null(strstr(out.detail, "(log "));

	/* QEMU stopped by someone else's SIGTERM exits 0 but says so */
	setenv("FAKE_RC", "0", 1);
	setenv("FAKE_MSG", "qemu-system-x86_64: terminating on signal 15 from pid 42", 1);
	assert_int_equal(ops(d)->run(&inst, &s, &out), 0);
	assert_int_equal(out.exit_code, 0);
	assert_non_null(strstr(out.detail, "exited 0 after "));
	assert_non_null(strstr(out.detail, "terminating on signal 15 from pid 42"));

	unsetenv("FAKE_MSG");
	setenv("FAKE_RC", "1", 1);
	ktstr_mock_inst__set(&inst, "keep_logs", "true");
	assert_int_equal(ops(d)->run(&inst, &s, &out), 0);
	at = strstr(out.detail, "(log ");
	assert_non_null(at);
	assert_int_equal(sscanf(at, "(log %299[^)])", logpath), 1);
	read_text(logpath, log, sizeof(log));
	/* the kept log starts with the command line */
	assert_memory_equal(log, "+ ", 2);
	assert_non_null(strstr(log, fake_qemu));
	assert_non_null(strstr(log, "boom"));
	unsetenv("FAKE_RC");
	assert_int_equal(count_fds(), fds);
	ktstr_mock_inst__free(&inst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_descriptor),	cmocka_unit_test(test_init_rejects_bad_options),
	    cmocka_unit_test(test_probe),	cmocka_unit_test(test_run_start_errors),
	    cmocka_unit_test(test_run_outcome),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
