#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fixture.h"
#include "scheduler.h"

struct ctx {
	char dir[PATH_MAX];
	char log[PATH_MAX + 16];
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	fx_mkdtemp(c->dir, sizeof(c->dir));
	snprintf(c->log, sizeof(c->log), "%s/sched.log", c->dir);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	fx_rmtree(c->dir);
	free(c);
	return 0;
}

static void dies_at_startup(void **state)
{
	struct ctx *c = *state;
	char *const argv[] = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3", NULL};
	struct ktstr_sched s;
	char err[256], how[64], buf[256];

	assert_int_equal(ktstr_sched__start(&s, argv, c->log, err, sizeof(err)), 0);
	assert_false(ktstr_sched__survives(&s, 5000, 20));
	assert_true(s.exited);
	assert_false(ktstr_sched__alive(&s));
	ktstr_sched__describe(&s, how, sizeof(how));
	assert_string_equal(how, "exit status 3");
	assert_string_equal(fx_read(c->dir, "sched.log", buf, sizeof(buf)), "out\nerr\n");
	ktstr_sched__stop(&s, 100); /* already gone: no-op */
}

static void exec_failure(void **state)
{
	struct ctx *c = *state;
	char *const argv[] = {"/nonexistent/scheduler", NULL};
	struct ktstr_sched s;
	char err[256], how[64], buf[256];

	assert_int_equal(ktstr_sched__start(&s, argv, c->log, err, sizeof(err)), 0);
	assert_false(ktstr_sched__survives(&s, 5000, 20));
	ktstr_sched__describe(&s, how, sizeof(how));
	assert_string_equal(how, "exit status 127");
	assert_string_equal(fx_read(c->dir, "sched.log", buf, sizeof(buf)),
			    "ktstr-init: cannot execute /nonexistent/scheduler: No such file or "
			    "directory\n");
}

static void runs_and_stops(void **state)
{
	struct ctx *c = *state;
	char *const argv[] = {"/bin/sh", "-c", "exec sleep 30", NULL};
	char *const stubborn[] = {"/bin/sh", "-c",
				  "trap '' TERM; echo ready; while :; do sleep 1; done", NULL};
	struct ktstr_sched s;
	char err[256], how[64], buf[64];

	assert_int_equal(ktstr_sched__start(&s, argv, c->log, err, sizeof(err)), 0);
	assert_true(ktstr_sched__survives(&s, 200, 50));
	ktstr_sched__stop(&s, 2000);
	assert_true(s.exited);
	ktstr_sched__describe(&s, how, sizeof(how));
	assert_string_equal(how, "killed by signal 15 (TERM)");

	/* Ignores SIGTERM: SIGKILL after the grace period. */
	assert_int_equal(ktstr_sched__start(&s, stubborn, c->log, err, sizeof(err)), 0);
	for (int i = 0;
	     i < 500 && strcmp(fx_read(c->dir, "sched.log", buf, sizeof(buf)), "ready\n"); i++) {
		usleep(10000);
	}
	ktstr_sched__stop(&s, 200);
	ktstr_sched__describe(&s, how, sizeof(how));
	assert_string_equal(how, "killed by signal 9 (KILL)");
}

static void attach(void **state)
{
	struct ctx *c = *state;
	char *const argv[] = {"/bin/sh", "-c", "exec sleep 30", NULL};
	char *const quitter[] = {"/bin/sh", "-c", "sleep 0.2", NULL};
	struct ktstr_sched s;
	char err[256];

	assert_int_equal(ktstr_sched__start(&s, argv, c->log, err, sizeof(err)), 0);
	assert_false(ktstr_sched__attached(c->dir));
	assert_int_equal(ktstr_sched__wait_attached(&s, c->dir, 100, 10), KTSTR_SCHED_NO_SYSFS);
	fx_write(c->dir, "sys/kernel/sched_ext/state", "disabled\n");
	fx_write(c->dir, "sys/kernel/sched_ext/root/ops", "\n");
	assert_false(ktstr_sched__attached(c->dir));
	assert_int_equal(ktstr_sched__wait_attached(&s, c->dir, 100, 10),
			 KTSTR_SCHED_ATTACH_TIMEOUT);
	fx_write(c->dir, "sys/kernel/sched_ext/state", "enabled\n");
	assert_true(ktstr_sched__attached(c->dir));
	fx_write(c->dir, "sys/kernel/sched_ext/state", "disabled\n");
	fx_write(c->dir, "sys/kernel/sched_ext/root/ops", "ktstr_sched\n");
	assert_int_equal(ktstr_sched__wait_attached(&s, c->dir, 100, 10), KTSTR_SCHED_ATTACHED);
	ktstr_sched__stop(&s, 2000);

	fx_write(c->dir, "sys/kernel/sched_ext/root/ops", "");
	assert_int_equal(ktstr_sched__start(&s, quitter, c->log, err, sizeof(err)), 0);
	assert_int_equal(ktstr_sched__wait_attached(&s, c->dir, 10000, 10), KTSTR_SCHED_DIED);
	assert_true(s.exited);
}

static void log_tail(void **state)
{
	struct ctx *c = *state;
	char buf[64];

	assert_int_equal(ktstr_sched__log_tail(c->log, buf, sizeof(buf)), -ENOENT);
	fx_write(c->dir, "sched.log", "");
	assert_int_equal(ktstr_sched__log_tail(c->log, buf, sizeof(buf)), -ENOENT);
	fx_write(c->dir, "sched.log", "\n \n\r\n");
	assert_int_equal(ktstr_sched__log_tail(c->log, buf, sizeof(buf)), -ENOENT);
	fx_write(c->dir, "sched.log", "only");
	assert_int_equal(ktstr_sched__log_tail(c->log, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "only");
	fx_write(c->dir, "sched.log", "first\nsecond\tpart\x1b[0m\r\n\n  \n");
	assert_int_equal(ktstr_sched__log_tail(c->log, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "second part [0m");
	assert_int_equal(ktstr_sched__log_tail(c->log, buf, 7), 0);
	assert_string_equal(buf, "second");
}

static const char verifier_log[] =
    "libbpf: prog 'ktstr_enqueue': BPF program load failed: Permission denied\n"
    "libbpf: prog 'ktstr_enqueue': -- BEGIN PROG LOAD LOG --\n"
    "0: R1=ctx() R10=fp0\n"
    "R1 invalid mem access 'scalar'\n"
    "processed 5 insns (limit 1000000) max_states_per_insn 0\n"
    "-- END PROG LOAD LOG --\n"
    "ktstr-sched: the verifier rejected the scheduler: R1 invalid mem access 'scalar'\n";

static void load_failed(void **state)
{
	struct ctx *c = *state;
	char why[256] = "";

	assert_false(ktstr_sched__load_failed(c->log, why, sizeof(why)));
	fx_write(c->dir, "sched.log", "Error: no such device\n");
	assert_false(ktstr_sched__load_failed(c->log, why, sizeof(why)));
	assert_string_equal(why, "");
	fx_write(c->dir, "sched.log", verifier_log);
	assert_true(ktstr_sched__load_failed(c->log, why, sizeof(why)));
	assert_string_equal(why, "ktstr-sched: the verifier rejected the scheduler: R1 invalid mem "
				 "access 'scalar'");
	fx_write(c->dir, "sched.log", "libbpf: map 'ops': failed to attach struct_ops: -16\n");
	assert_true(ktstr_sched__load_failed(c->log, why, sizeof(why)));
	assert_string_equal(why, "libbpf: map 'ops': failed to attach struct_ops: -16");
}

static void startup(void **state)
{
	struct ctx *c = *state;
	char script[sizeof(verifier_log) + 64];
	char *const verify[] = {"/bin/sh", "-c", script, NULL};
	char *const quit[] = {"/bin/sh", "-c", "echo bye; exit 3", NULL};
	char *const sleeper[] = {"/bin/sh", "-c", "echo loading; exec sleep 30", NULL};
	struct ktstr_sched s;
	char err[256], why[256], buf[64];

	snprintf(script, sizeof(script), "printf '%%s' \"%s\"; exit 2", verifier_log);
	fx_write(c->dir, "sys/kernel/sched_ext/state", "disabled\n");
	assert_int_equal(ktstr_sched__start(&s, verify, c->log, err, sizeof(err)), 0);
	assert_int_equal(ktstr_sched__startup(&s, c->dir, c->log, 5000, 100, 10, why, sizeof(why)),
			 KTSTR_SCHED_STARTUP_NOT_ATTACHED);
	assert_string_equal(why, "ktstr-sched: the verifier rejected the scheduler: R1 invalid mem "
				 "access 'scalar'");

	assert_int_equal(ktstr_sched__start(&s, quit, c->log, err, sizeof(err)), 0);
	assert_int_equal(ktstr_sched__startup(&s, c->dir, c->log, 5000, 100, 10, why, sizeof(why)),
			 KTSTR_SCHED_STARTUP_DIED);
	assert_string_equal(why, "exit status 3");

	/* survives, never attaches: the timeout names the log's last line */
	assert_int_equal(ktstr_sched__start(&s, sleeper, c->log, err, sizeof(err)), 0);
	for (int i = 0;
	     i < 500 && strcmp(fx_read(c->dir, "sched.log", buf, sizeof(buf)), "loading\n") != 0;
	     i++) {
		usleep(10000);
	}
	assert_int_equal(ktstr_sched__startup(&s, c->dir, c->log, 50, 100, 10, why, sizeof(why)),
			 KTSTR_SCHED_STARTUP_NOT_ATTACHED);
	assert_string_equal(why, "timeout after 100 ms; last log line: loading");
	assert_true(ktstr_sched__alive(&s));
	fx_write(c->dir, "sys/kernel/sched_ext/state", "enabled\n");
	assert_int_equal(ktstr_sched__startup(&s, c->dir, c->log, 50, 100, 10, why, sizeof(why)),
			 KTSTR_SCHED_STARTUP_ATTACHED);
	ktstr_sched__stop(&s, 2000);
}

static void startup_without_sched_ext(void **state)
{
	struct ctx *c = *state;
	char *const sleeper[] = {"/bin/sh", "-c", "exec sleep 30", NULL};
	struct ktstr_sched s;
	char err[256], why[256];

	assert_int_equal(ktstr_sched__start(&s, sleeper, c->log, err, sizeof(err)), 0);
	assert_int_equal(ktstr_sched__startup(&s, c->dir, c->log, 20, 100, 10, why, sizeof(why)),
			 KTSTR_SCHED_STARTUP_NOT_ATTACHED);
	assert_string_equal(why, "sched_ext sysfs absent");
	ktstr_sched__stop(&s, 2000);
}

/* Records as /dev/kmsg shows them: "<prio>,<seq>,<usec>,<flags>;<text>", continuations indented. */
static const char kmsg_crash[] =
    "6,90,4000000,-;sched_ext: BPF scheduler \"older\" disabled (unregistered from user space)\n"
    "3,100,5525851,-;sched_ext: BPF scheduler \"ktstr\" disabled (scx_bpf_error)\n"
    " SUBSYSTEM=sched\n"
    "3,101,5526642,-;sched_ext: ktstr: ktstr-sched: crash fault injected on cpu 1\n"
    "4,102,5526700,-;   scx_bpf_error_bstr+0x60/0x80\n"
    "no semicolon here\n";

static void kernel_exit_reason(void **state)
{
	struct ctx *c = *state;
	char kmsg[PATH_MAX + 8], buf[256];
	bool err_exit = false;

	snprintf(kmsg, sizeof(kmsg), "%s/kmsg", c->dir);
	assert_int_equal(ktstr_sched__kernel_exit_reason(kmsg, buf, sizeof(buf), &err_exit),
			 -ENOENT);
	fx_write(c->dir, "kmsg", "6,1,1,-;Linux version 7.2\n6,2,2,-;sched_ext: something else\n");
	assert_int_equal(ktstr_sched__kernel_exit_reason(kmsg, buf, sizeof(buf), &err_exit),
			 -ENOENT);
	fx_write(c->dir, "kmsg", kmsg_crash);
	assert_int_equal(ktstr_sched__kernel_exit_reason(kmsg, buf, sizeof(buf), &err_exit), 0);
	assert_string_equal(buf, "BPF scheduler \"ktstr\" disabled (scx_bpf_error): ktstr: "
				 "ktstr-sched: crash fault injected on cpu 1");
	assert_true(err_exit);
	/* an orderly unregistration is the latest: not an error, and no message is taken */
	fx_write(c->dir, "kmsg",
		 "3,1,1,-;sched_ext: BPF scheduler \"a\" disabled (runnable task stall)\n"
		 "6,2,2,-;sched_ext: BPF scheduler \"b\" disabled (unregistered from user space)\n"
		 "6,3,3,-;sched_ext: b: not a message\n");
	assert_int_equal(ktstr_sched__kernel_exit_reason(kmsg, buf, sizeof(buf), &err_exit), 0);
	assert_string_equal(buf, "BPF scheduler \"b\" disabled (unregistered from user space)");
	assert_false(err_exit);
	/* no record without the last newline is lost */
	fx_write(c->dir, "kmsg",
		 "3,1,1,-;sched_ext: BPF scheduler \"a\" disabled (runnable task stall)");
	assert_int_equal(ktstr_sched__kernel_exit_reason(kmsg, buf, sizeof(buf), &err_exit), 0);
	assert_string_equal(buf, "BPF scheduler \"a\" disabled (runnable task stall)");
	assert_true(err_exit);
}

static void health(void **state)
{
	struct ctx *c = *state;
	char *const sleeper[] = {"/bin/sh", "-c", "exec sleep 30", NULL};
	char *const quit[] = {"/bin/sh", "-c", "exit 1", NULL};
	char kmsg[PATH_MAX + 8], why[512], err[256];
	struct ktstr_sched s;

	snprintf(kmsg, sizeof(kmsg), "%s/kmsg", c->dir);
	fx_write(c->dir, "sys/kernel/sched_ext/state", "enabled\n");
	assert_int_equal(ktstr_sched__start(&s, sleeper, c->log, err, sizeof(err)), 0);
	assert_int_equal(ktstr_sched__health(&s, c->dir, kmsg, why, sizeof(why)),
			 KTSTR_SCHED_HEALTHY);

	fx_write(c->dir, "sys/kernel/sched_ext/state", "disabled\n");
	assert_int_equal(ktstr_sched__health(&s, c->dir, kmsg, why, sizeof(why)),
			 KTSTR_SCHED_EJECTED);
	assert_string_equal(why, "sched_ext no longer runs the scheduler and the kernel logged no "
				 "reason (state: disabled; process: still running)");
	fx_write(c->dir, "kmsg", kmsg_crash);
	assert_int_equal(ktstr_sched__health(&s, c->dir, kmsg, why, sizeof(why)),
			 KTSTR_SCHED_EJECTED);
	assert_string_equal(why,
			    "sched_ext disabled the scheduler: BPF scheduler \"ktstr\" disabled "
			    "(scx_bpf_error): ktstr: ktstr-sched: crash fault injected on cpu "
			    "1 (state: disabled; process: still running)");
	ktstr_sched__stop(&s, 2000);

	/* exited after an ejection: still the kernel's reason */
	assert_int_equal(ktstr_sched__start(&s, quit, c->log, err, sizeof(err)), 0);
	assert_false(ktstr_sched__survives(&s, 5000, 10));
	assert_int_equal(ktstr_sched__health(&s, c->dir, kmsg, why, sizeof(why)),
			 KTSTR_SCHED_EJECTED);
	assert_non_null(strstr(why, "(state: disabled; process: exit status 1)"));

	/* exited on its own: the kernel only logged the unregistration */
	fx_write(
	    c->dir, "kmsg",
	    "6,1,1,-;sched_ext: BPF scheduler \"x\" disabled (unregistered from user space)\n");
	assert_int_equal(ktstr_sched__health(&s, c->dir, kmsg, why, sizeof(why)), KTSTR_SCHED_GONE);
	assert_string_equal(why,
			    "scheduler process exited (exit status 1; sched_ext state: disabled)");
}

static void release(void **state)
{
	struct ctx *c = *state;
	char *const sleeper[] = {"/bin/sh", "-c", "exec sleep 30", NULL};
	struct ktstr_sched s;
	char err[256];

	/* no sched_ext at all: nothing to give back */
	assert_int_equal(ktstr_sched__start(&s, sleeper, c->log, err, sizeof(err)), 0);
	assert_int_equal(ktstr_sched__release(&s, c->dir, 2000, 100), 0);
	assert_true(s.exited);

	fx_write(c->dir, "sys/kernel/sched_ext/state", "enabled\n");
	assert_int_equal(ktstr_sched__start(&s, sleeper, c->log, err, sizeof(err)), 0);
	assert_int_equal(ktstr_sched__release(&s, c->dir, 2000, 100), -ETIMEDOUT);
	assert_true(s.exited);
	fx_write(c->dir, "sys/kernel/sched_ext/state", "disabling\n");
	assert_int_equal(ktstr_sched__release(&s, c->dir, 2000, 100), -ETIMEDOUT);
	fx_write(c->dir, "sys/kernel/sched_ext/state", "disabled\n");
	assert_int_equal(ktstr_sched__release(&s, c->dir, 2000, 100), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(dies_at_startup, setup, teardown),
	    cmocka_unit_test_setup_teardown(exec_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(runs_and_stops, setup, teardown),
	    cmocka_unit_test_setup_teardown(attach, setup, teardown),
	    cmocka_unit_test_setup_teardown(log_tail, setup, teardown),
	    cmocka_unit_test_setup_teardown(load_failed, setup, teardown),
	    cmocka_unit_test_setup_teardown(startup, setup, teardown),
	    cmocka_unit_test_setup_teardown(startup_without_sched_ext, setup, teardown),
	    cmocka_unit_test_setup_teardown(kernel_exit_reason, setup, teardown),
	    cmocka_unit_test_setup_teardown(health, setup, teardown),
	    cmocka_unit_test_setup_teardown(release, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
