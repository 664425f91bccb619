#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "timeutil.h"
#include "worker.h"

#define MS KTSTR_NSEC_PER_MSEC

/* Never reports: ignores the stop flag and the deadline. */
static void hang_run(struct ktstr_work_ctx *ctx)
{
	(void)ctx;
	for (;;) {
		pause();
	}
}

static const struct ktstr_work_type hang = {.name = "Hang", .run = hang_run};

static void all_report(void **state)
{
	const struct ktstr_work_type *spin = ktstr_work__find("CpuSpin");
	struct ktstr_worker_set ws;
	struct ktstr_worker *w;

	(void)state;
	assert_int_equal(ktstr_worker_set__init(&ws), 0);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(ktstr_worker_set__spawn(&ws, spin, 100, i % 2, i, &w), 0);
		assert_true(w->pid > 0);
		assert_int_equal(w->group, i % 2);
	}
	assert_int_equal(ws.n, 3);
	assert_int_equal(ktstr_worker_set__start(&ws), 0);
	assert_int_equal(ktstr_worker_set__spawn(&ws, spin, 100, 0, 9, &w), -EINVAL);
	assert_int_equal(ktstr_worker_set__collect(&ws, ktstr_now_ns() + 10000 * MS), 0);
	for (size_t i = 0; i < ws.n; i++) {
		const struct ktstr_worker_report *r = &ws.w[i].rep;

		assert_true(ws.w[i].reported);
		assert_true(ws.w[i].reaped);
		assert_int_equal(r->pid, ws.w[i].pid);
		assert_true(r->iterations > 0);
		assert_true(r->wall_ns >= 100 * MS);
		assert_true(r->wall_ns < 5000 * MS);
		assert_true(r->cpu_ns > 0);
	}
	ktstr_worker_set__destroy(&ws);
	assert_null(ws.w);
}

/*
 * Held at the barrier: a 100 ms worker forked 300 ms before the release
 * cannot have a report 30 ms after it (without the barrier it would have
 * finished long before).
 */
static void barrier_holds(void **state)
{
	struct ktstr_worker_set ws;
	struct ktstr_worker *w;

	(void)state;
	assert_int_equal(ktstr_worker_set__init(&ws), 0);
	assert_int_equal(ktstr_worker_set__spawn(&ws, ktstr_work__find("CpuSpin"), 100, 0, 0, &w),
			 0);
	usleep(300000);
	assert_int_equal(ktstr_worker_set__start(&ws), 0);
	assert_int_equal(ktstr_worker_set__collect(&ws, ws.start_ns + 30 * MS), 1);
	assert_false(w->reported);
	assert_true(w->reaped);
	ktstr_worker_set__destroy(&ws);
}

/* SIGUSR1 ends a long run early; a worker that never reports is killed at the deadline. */
static void stop_and_deadline(void **state)
{
	const struct ktstr_work_type *spin = ktstr_work__find("CpuSpin");
	struct ktstr_worker_set ws;
	struct ktstr_worker *w;
	uint64_t t0;
	pid_t hung;

	(void)state;
	assert_int_equal(ktstr_worker_set__init(&ws), 0);
	assert_int_equal(ktstr_worker_set__spawn(&ws, spin, 60000, 0, 0, &w), 0);
	assert_int_equal(ktstr_worker_set__spawn(&ws, &hang, 60000, 1, 0, &w), 0);
	hung = w->pid;
	assert_int_equal(ktstr_worker_set__start(&ws), 0);
	usleep(100000);
	t0 = ktstr_now_ns();
	ktstr_worker_set__stop(&ws);
	assert_int_equal(ktstr_worker_set__collect(&ws, t0 + 1500 * MS), 1);
	assert_true(ktstr_now_ns() - t0 >= 1500 * MS); /* waited for the hung one */
	assert_true(ws.w[0].reported);
	assert_true(ws.w[0].rep.wall_ns < 10000 * MS);
	assert_false(ws.w[1].reported);
	assert_true(ws.w[1].reaped);
	assert_int_equal(waitpid(hung, NULL, WNOHANG), -1); /* already reaped */
	assert_int_equal(errno, ECHILD);
	ktstr_worker_set__destroy(&ws);
}

/* Destroy before start kills the workers waiting at the barrier. */
static void destroy_unstarted(void **state)
{
	struct ktstr_worker_set ws;
	struct ktstr_worker *w;
	pid_t pid;

	(void)state;
	assert_int_equal(ktstr_worker_set__init(&ws), 0);
	assert_int_equal(ktstr_worker_set__spawn(&ws, ktstr_work__find("CpuSpin"), 10, 0, 0, &w),
			 0);
	pid = w->pid;
	ktstr_worker_set__destroy(&ws);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(ws.report[0], -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(all_report),
	    cmocka_unit_test(barrier_holds),
	    cmocka_unit_test(stop_and_deadline),
	    cmocka_unit_test(destroy_unstarted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
