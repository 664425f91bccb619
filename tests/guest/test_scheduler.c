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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(dies_at_startup, setup, teardown),
	    cmocka_unit_test_setup_teardown(exec_failure, setup, teardown),
	    cmocka_unit_test_setup_teardown(runs_and_stops, setup, teardown),
	    cmocka_unit_test_setup_teardown(attach, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
