/* vm/qemu: argument vector, topology/NUMA layout, command line, log tail. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qemu_argv.h"
#include "qemu_cmd.h"
#include "qemu_run.h"

static const struct ktstr_qemu_cfg tcg_cfg = {
    .binary = "qemu-system-x86_64",
    .accel = KTSTR_ACCEL_TCG,
    .cpu = "qemu64",
    .machine = "pc",
};

static struct ktstr_vm_spec spec_for(uint32_t n, uint32_t l, uint32_t c, uint32_t t, uint32_t mb)
{
	struct ktstr_vm_spec s = {
	    .sz = sizeof(s),
	    .kernel_image = "/k/bzImage",
	    .initramfs = "/i/initrd",
	    .cmdline = "console=ttyS0 panic=-1",
	    .topo = {.numa_nodes = n, .llcs = l, .cores = c, .threads = t},
	    .memory_mb = mb,
	    .console_path = "/o/console",
	    .protocol_path = "/o/com2",
	    .cancel_fd = -1,
	};
	return s;
}

/* argv joined with single spaces (the cmdline element is checked on its own) */
static char *join(const struct ktstr_argv *a)
{
	size_t len = 1;
	char *s;

	for (size_t i = 0; i < a->n; i++) {
		len += strlen(a->v[i]) + 1;
	}
	s = calloc(1, len);
	assert_non_null(s);
	for (size_t i = 0; i < a->n; i++) {
		strcat(s, a->v[i]);
		if (i + 1 < a->n) {
			strcat(s, " ");
		}
	}
	return s;
}

static void build_expect(const struct ktstr_qemu_cfg *cfg, const struct ktstr_vm_spec *spec,
			 const char *want)
{
	struct ktstr_argv a = {0};
	char err[256] = "";
	char *got;

	assert_int_equal(ktstr_qemu_cmd__build(cfg, spec, &a, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_null(a.v[a.n]);
	got = join(&a);
	assert_string_equal(got, want);
	free(got);
	ktstr_argv__free(&a);
}

#define TAIL_ARGS                                                                                  \
	"-nodefaults -no-user-config -display none -no-reboot -kernel /k/bzImage -initrd "         \
	"/i/initrd -append console=ttyS0 panic=-1 -serial file:/o/console -serial file:/o/com2"

static void test_argv_push_grow_and_free(void **state)
{
	struct ktstr_argv a = {0};
	char buf[16];

	for (int i = 0; i < 100; i++) {
		snprintf(buf, sizeof(buf), "a%d", i);
		assert_int_equal(ktstr_argv__push(&a, buf), 0);
	}
	assert_int_equal(ktstr_argv__pushf(&a, "x=%d,%s", 7, "y"), 0);
	assert_int_equal(a.n, 101);
	assert_string_equal(a.v[0], "a0");
	assert_string_equal(a.v[99], "a99");
	assert_string_equal(a.v[100], "x=7,y");
	assert_null(a.v[101]);
	ktstr_argv__free(&a);
	assert_null(a.v);
	assert_int_equal(a.n, 0);
	/* reusable after free */
	assert_int_equal(ktstr_argv__push(&a, "again"), 0);
	assert_int_equal(a.n, 1);
	ktstr_argv__free(&a);
}

static void test_argv_split(void **state)
{
	struct ktstr_argv a = {0};

	assert_int_equal(ktstr_argv__split(&a, NULL), 0);
	assert_int_equal(ktstr_argv__split(&a, ""), 0);
	assert_int_equal(ktstr_argv__split(&a, "   \t "), 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(ktstr_argv__split(&a, "  -s\t-S   -d  int,cpu_reset "), 0);
	assert_int_equal(a.n, 4);
	assert_string_equal(a.v[0], "-s");
	assert_string_equal(a.v[1], "-S");
	assert_string_equal(a.v[2], "-d");
	assert_string_equal(a.v[3], "int,cpu_reset");
	assert_null(a.v[4]);
	ktstr_argv__free(&a);
}

static void test_cmd_1n2l2c1t(void **state)
{
	struct ktstr_vm_spec s = spec_for(1, 2, 2, 1, 2048);

	build_expect(&tcg_cfg, &s,
		     "qemu-system-x86_64 -M pc -accel tcg -cpu qemu64 "
		     "-smp 4,sockets=2,cores=2,threads=1 -m 2048M " TAIL_ARGS);
}

static void test_cmd_1n2l2c2t(void **state)
{
	struct ktstr_vm_spec s = spec_for(1, 2, 2, 2, 512);

	build_expect(&tcg_cfg, &s,
		     "qemu-system-x86_64 -M pc -accel tcg -cpu qemu64 "
		     "-smp 8,sockets=2,cores=2,threads=2 -m 512M " TAIL_ARGS);
}

static void test_cmd_2n4l1c1t(void **state)
{
	struct ktstr_vm_spec s = spec_for(2, 4, 1, 1, 2048);

	build_expect(&tcg_cfg, &s,
		     "qemu-system-x86_64 -M pc -accel tcg -cpu qemu64 "
		     "-smp 4,sockets=4,cores=1,threads=1 -m 2048M "
		     "-object memory-backend-ram,id=m0,size=1024M "
		     "-numa node,nodeid=0,cpus=0-1,memdev=m0 "
		     "-object memory-backend-ram,id=m1,size=1024M "
		     "-numa node,nodeid=1,cpus=2-3,memdev=m1 " TAIL_ARGS);
}

/* upstream preset numa4-8llc */
static void test_cmd_numa4_8llc(void **state)
{
	struct ktstr_vm_spec s = spec_for(4, 8, 4, 1, 2048);

	build_expect(&tcg_cfg, &s,
		     "qemu-system-x86_64 -M pc -accel tcg -cpu qemu64 "
		     "-smp 32,sockets=8,cores=4,threads=1 -m 2048M "
		     "-object memory-backend-ram,id=m0,size=512M "
		     "-numa node,nodeid=0,cpus=0-7,memdev=m0 "
		     "-object memory-backend-ram,id=m1,size=512M "
		     "-numa node,nodeid=1,cpus=8-15,memdev=m1 "
		     "-object memory-backend-ram,id=m2,size=512M "
		     "-numa node,nodeid=2,cpus=16-23,memdev=m2 "
		     "-object memory-backend-ram,id=m3,size=512M "
		     "-numa node,nodeid=3,cpus=24-31,memdev=m3 " TAIL_ARGS);
}

/* upstream preset numa4-12llc: SMT, 3 LLCs per node, 192 vCPUs */
static void test_numa4_12llc_nodes(void **state)
{
	struct ktstr_topo t = {4, 12, 8, 2};
	struct ktstr_qemu_node n;
	char err[128];

	assert_int_equal(ktstr_qemu_topo__check(&t, err, sizeof(err)), 0);
	for (uint32_t i = 0; i < 4; i++) {
		ktstr_qemu_numa__node(&t, 4096, i, &n);
		assert_int_equal(n.first_cpu, i * 48);
		assert_int_equal(n.last_cpu, i * 48 + 47);
		assert_int_equal(n.memory_mb, 1024);
	}
}

static void test_memory_rounding(void **state)
{
	struct ktstr_topo one = {1, 1, 1, 1}, two = {2, 2, 1, 1}, three = {3, 3, 1, 1};
	struct ktstr_qemu_node n;

	assert_int_equal(ktstr_qemu_numa__total_mb(&one, 1001), 1001);
	assert_int_equal(ktstr_qemu_numa__total_mb(&two, 1024), 1024);
	assert_int_equal(ktstr_qemu_numa__total_mb(&two, 1025), 1026);
	assert_int_equal(ktstr_qemu_numa__total_mb(&three, 1000), 1002);
	assert_int_equal(ktstr_qemu_numa__total_mb(&three, 1), 3);
	/* no overflow near the top of uint32_t */
	assert_true(ktstr_qemu_numa__total_mb(&two, UINT32_MAX) == 4294967296ULL);
	ktstr_qemu_numa__node(&three, 1000, 2, &n);
	assert_int_equal(n.memory_mb, 334);
	assert_int_equal(n.first_cpu, 2);
	assert_int_equal(n.last_cpu, 2);
}

static void test_cmd_memory_rounded_in_argv(void **state)
{
	struct ktstr_vm_spec s = spec_for(2, 2, 1, 1, 1025);

	build_expect(&tcg_cfg, &s,
		     "qemu-system-x86_64 -M pc -accel tcg -cpu qemu64 "
		     "-smp 2,sockets=2,cores=1,threads=1 -m 1026M "
		     "-object memory-backend-ram,id=m0,size=513M "
		     "-numa node,nodeid=0,cpus=0-0,memdev=m0 "
		     "-object memory-backend-ram,id=m1,size=513M "
		     "-numa node,nodeid=1,cpus=1-1,memdev=m1 " TAIL_ARGS);
}

/* TCG threading reaches -accel; under KVM it is ignored. */
static void test_cmd_tcg_thread(void **state)
{
	struct ktstr_qemu_cfg cfg = tcg_cfg;
	struct ktstr_vm_spec s = spec_for(1, 2, 2, 1, 2048);

	cfg.tcg_thread = "single";
	build_expect(&cfg, &s,
		     "qemu-system-x86_64 -M pc -accel tcg,thread=single -cpu qemu64 "
		     "-smp 4,sockets=2,cores=2,threads=1 -m 2048M " TAIL_ARGS);
	cfg.accel = KTSTR_ACCEL_KVM;
	cfg.cpu = "host";
	build_expect(&cfg, &s,
		     "qemu-system-x86_64 -M pc -accel kvm -cpu host "
		     "-smp 4,sockets=2,cores=2,threads=1 -m 2048M " TAIL_ARGS);
}

static void test_cmd_kvm_machine_extra(void **state)
{
	struct ktstr_qemu_cfg cfg = {
	    .binary = "/opt/qemu/bin/qemu-system-x86_64",
	    .accel = KTSTR_ACCEL_KVM,
	    .cpu = "host",
	    .machine = "q35",
	    .extra_args = " -s  -d\tguest_errors ",
	};
	struct ktstr_vm_spec s = spec_for(1, 1, 1, 1, 256);

	s.cmdline = "";
	build_expect(&cfg, &s,
		     "/opt/qemu/bin/qemu-system-x86_64 -M q35 -accel kvm -cpu host "
		     "-smp 1,sockets=1,cores=1,threads=1 -m 256M "
		     "-nodefaults -no-user-config -display none -no-reboot -kernel /k/bzImage "
		     "-initrd /i/initrd -append  -serial file:/o/console -serial file:/o/com2 "
		     "-s -d guest_errors");
}

static void test_cmd_cmdline_is_one_argument(void **state)
{
	struct ktstr_vm_spec s = spec_for(1, 1, 2, 1, 256);
	struct ktstr_argv a = {0};
	char err[128];
	size_t i;

	assert_int_equal(ktstr_qemu_cmd__build(&tcg_cfg, &s, &a, err, sizeof(err)), 0);
	for (i = 0; i < a.n && strcmp(a.v[i], "-append") != 0; i++) {
	}
	assert_true(i + 1 < a.n);
	assert_string_equal(a.v[i + 1], "console=ttyS0 panic=-1");
	ktstr_argv__free(&a);
}

static void expect_build_error(struct ktstr_vm_spec *s, const char *needle)
{
	struct ktstr_argv a = {0};
	char err[256] = "";

	assert_int_equal(ktstr_qemu_cmd__build(&tcg_cfg, s, &a, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, needle));
	assert_null(strchr(err, '\n'));
	assert_int_equal(a.n, 0);
	assert_null(a.v);
}

static void test_cmd_errors(void **state)
{
	struct ktstr_vm_spec s;

	s = spec_for(1, 2, 0, 1, 256);
	expect_build_error(&s, "every count must be at least 1");
	s = spec_for(0, 2, 2, 1, 256);
	expect_build_error(&s, "0n2l2c1t");
	s = spec_for(2, 3, 1, 1, 256);
	expect_build_error(&s, "3 LLCs cannot be split evenly over 2 NUMA nodes");
	s = spec_for(1, 1, 253, 1, 256);
	expect_build_error(&s, "253 vCPUs is more than the limit of 252");
	s = spec_for(1, 65536, 65536, 65536, 256);
	expect_build_error(&s, "281474976710656 vCPUs");
	s = spec_for(1, 1, 1, 1, 0);
	expect_build_error(&s, "memory_mb is 0");
	s = spec_for(1, 1, 1, 1, 256);
	s.kernel_image = NULL;
	expect_build_error(&s, "kernel_image is not set");
	s = spec_for(1, 1, 1, 1, 256);
	s.initramfs = "";
	expect_build_error(&s, "initramfs is not set");
	s = spec_for(1, 1, 1, 1, 256);
	s.protocol_path = NULL;
	expect_build_error(&s, "protocol_path is not set");
	s = spec_for(1, 1, 1, 1, 256);
	s.cmdline = NULL;
	expect_build_error(&s, "cmdline is not set");
}

static void test_topo_limits(void **state)
{
	struct ktstr_topo max = {1, 14, 9, 2}, over = {1, 14, 9, 3};
	char err[128];

	assert_int_equal(ktstr_qemu_topo__check(&max, err, sizeof(err)), 0);
	assert_int_equal(ktstr_qemu_topo__check(&over, err, sizeof(err)), -EINVAL);
}

static void test_default_cpu(void **state)
{
	assert_string_equal(ktstr_qemu_cmd__default_cpu(KTSTR_ACCEL_KVM), "host");
	assert_string_equal(ktstr_qemu_cmd__default_cpu(KTSTR_ACCEL_TCG), "Nehalem");
}

static void tail_expect(const char *buf, unsigned lines, size_t outlen, const char *want)
{
	char out[256];

	memset(out, 'Z', sizeof(out));
	ktstr_qemu_log__tail(buf, strlen(buf), lines, out, outlen);
	assert_string_equal(out, want);
}

static void test_log_tail(void **state)
{
	tail_expect("", 3, 256, "");
	tail_expect("\n\n \n", 3, 256, "");
	tail_expect("one", 3, 256, "one");
	tail_expect("a\nb\n\nc\n", 3, 256, "a | b | c");
	tail_expect("a\nb\n\nc\n", 2, 256, "b | c");
	tail_expect("a\nb\n\nc\n", 1, 256, "c");
	tail_expect("a\nb\n\nc\n", 0, 256, "");
	tail_expect("x\r\ny\tz\x01!\r\n", 3, 256, "x | y z !");
	/* truncation keeps the string terminated within outlen */
	tail_expect("hello world\n", 3, 6, "hello");
	tail_expect("ab\ncd\n", 3, 4, "ab");
	tail_expect("ab\ncd\n", 3, 6, "ab");
	tail_expect("ab\ncd\n", 3, 7, "ab | c");
	tail_expect("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", 100, 256, "3 | 4 | 5 | 6 | 7 | 8 | 9 | 10");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_argv_push_grow_and_free),
	    cmocka_unit_test(test_argv_split),
	    cmocka_unit_test(test_cmd_1n2l2c1t),
	    cmocka_unit_test(test_cmd_1n2l2c2t),
	    cmocka_unit_test(test_cmd_2n4l1c1t),
	    cmocka_unit_test(test_cmd_numa4_8llc),
	    cmocka_unit_test(test_numa4_12llc_nodes),
	    cmocka_unit_test(test_memory_rounding),
	    cmocka_unit_test(test_cmd_memory_rounded_in_argv),
	    cmocka_unit_test(test_cmd_tcg_thread),
	    cmocka_unit_test(test_cmd_kvm_machine_extra),
	    cmocka_unit_test(test_cmd_cmdline_is_one_argument),
	    cmocka_unit_test(test_cmd_errors),
	    cmocka_unit_test(test_topo_limits),
	    cmocka_unit_test(test_default_cpu),
	    cmocka_unit_test(test_log_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
