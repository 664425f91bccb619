#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "timeutil.h"
#include "work.h"

static void table(void **state)
{
	(void)state;
	assert_non_null(ktstr_work__find("CpuSpin"));
	assert_string_equal(ktstr_work__find("CpuSpin")->name, "CpuSpin");
	assert_null(ktstr_work__find("cpuspin"));
	assert_null(ktstr_work__find(""));
}

static void cpu_spin(void **state)
{
	volatile sig_atomic_t stop = 0;
	struct ktstr_worker_report r;

	(void)state;
	memset(&r, 0, sizeof(r));
	ktstr_work__run(ktstr_work__find("CpuSpin"), 50 * KTSTR_NSEC_PER_MSEC, &stop, &r);
	assert_int_equal(r.magic, KTSTR_REPORT_MAGIC);
	assert_true(r.iterations > 0);
	assert_true(r.wall_ns >= 50 * KTSTR_NSEC_PER_MSEC);
	assert_true(r.wall_ns < 5000 * KTSTR_NSEC_PER_MSEC);
	assert_true(r.cpu_ns > 0);
	assert_true(r.max_gap_ns > 0);
	assert_true(r.max_gap_at_ns <= r.wall_ns);
	assert_true(r.max_gap_cpu >= 0);
	assert_true(ktstr_cpumask__count(&r.cpus_used) >= 1);
	assert_true(ktstr_cpumask__test(&r.cpus_used, (unsigned)r.max_gap_cpu));
	assert_int_equal(r.migrations + 1 >= ktstr_cpumask__count(&r.cpus_used), 1);
}

/* A stop flag already set: exactly one iteration, far before the deadline. */
static void stop_flag(void **state)
{
	volatile sig_atomic_t stop = 1;
	struct ktstr_worker_report r;

	(void)state;
	memset(&r, 0, sizeof(r));
	ktstr_work__run(ktstr_work__find("CpuSpin"), 60 * KTSTR_NSEC_PER_SEC, &stop, &r);
	assert_int_equal(r.iterations, 1);
	assert_true(r.wall_ns < 10 * KTSTR_NSEC_PER_SEC);
}

/* Checkpoints see migrations and keep the largest gap with its CPU and offset. */
static void checkpoint(void **state)
{
	volatile sig_atomic_t stop = 0;
	struct ktstr_worker_report r;
	struct ktstr_work_ctx ctx = {.stop = &stop, .last_cpu = 5, .rep = &r};
	uint64_t now = ktstr_now_ns();

	(void)state;
	memset(&r, 0, sizeof(r));
	ctx.start_ns = now - 300 * KTSTR_NSEC_PER_MSEC;
	ctx.last_ns = now - 200 * KTSTR_NSEC_PER_MSEC; /* a 200 ms gap ends now */
	ctx.deadline_ns = now + 60 * KTSTR_NSEC_PER_SEC;
	ctx.last_cpu = sched_getcpu() + 1; /* pretend we ran elsewhere */
	assert_false(ktstr_work__checkpoint(&ctx));
	assert_int_equal(r.iterations, 1);
	assert_int_equal(r.migrations, 1);
	assert_true(r.max_gap_ns >= 200 * KTSTR_NSEC_PER_MSEC);
	assert_true(r.max_gap_at_ns >= 300 * KTSTR_NSEC_PER_MSEC);
	assert_int_equal(r.max_gap_cpu, sched_getcpu());
	/* A smaller gap does not replace it; the deadline stops the loop. */
	ctx.deadline_ns = ktstr_now_ns();
	assert_true(ktstr_work__checkpoint(&ctx));
	assert_true(r.max_gap_ns >= 200 * KTSTR_NSEC_PER_MSEC);
	assert_int_equal(r.iterations, 2);
	stop = 1;
	ctx.deadline_ns = UINT64_MAX;
	assert_true(ktstr_work__checkpoint(&ctx));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(table),
	    cmocka_unit_test(cpu_spin),
	    cmocka_unit_test(stop_flag),
	    cmocka_unit_test(checkpoint),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
