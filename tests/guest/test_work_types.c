/* Every work type runs in real worker processes through ktstr_worker_set__spawn_work(). */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "timeutil.h"
#include "work_internal.h"
#include "worker.h"

#define MS KTSTR_NSEC_PER_MSEC
#define RUN_MS 150

/* Spawn @p spec, let it run RUN_MS, stop and collect; the set is left to the caller. */
static void run_set(struct ktstr_worker_set *ws, const struct ktstr_work_spec *spec,
		    const struct ktstr_cpumask *affinity)
{
	struct ktstr_worker_launch l = {.spec = spec, .affinity = affinity};
	char err[256] = "";

	assert_int_equal(ktstr_worker_set__init(ws), 0);
	if (ktstr_worker_set__spawn_work(ws, &l, err, sizeof(err)) != 0) {
		fail_msg("spawn_work %s: %s", spec->type->name, err);
	}
	assert_int_equal(ws->n, spec->workers);
	assert_int_equal(ktstr_worker_set__start(ws), 0);
	ktstr_sleep_ms(RUN_MS);
	ktstr_worker_set__stop(ws);
	assert_true(ktstr_worker_set__collect(ws, ktstr_now_ns() + 10000 * MS) >= 0);
}

static void spec_of(struct ktstr_work_spec *s, const char *type)
{
	assert_non_null(ktstr_work__find(type));
	ktstr_work_spec__defaults(s, ktstr_work__find(type));
}

/* Every type with its group size: all report, iterate, and blocking ones sample wakes. */
static void every_type(void **state)
{
	static const struct {
		const char *name;
		unsigned group;
		bool wakes;
	} types[] = {
	    {"CpuSpin", 1, false},	   {"YieldHeavy", 1, false},
	    {"Mixed", 1, false},	   {"IoSync", 1, true},
	    {"Bursty", 1, true},	   {"PipeIo", 2, true},
	    {"FutexPingPong", 2, true},	   {"CachePressure", 1, false},
	    {"CacheYield", 1, true},	   {"CachePipe", 2, true},
	    {"FutexFanOut", 5, true},	   {"FanOutCompute", 5, true},
	    {"Sequence", 1, true},	   {"ForkExit", 1, true},
	    {"NiceSweep", 1, true},	   {"AffinityChurn", 1, true},
	    {"PolicyChurn", 1, true},	   {"PageFaultChurn", 1, false},
	    {"MutexContention", 4, false},
	};

	(void)state;
	for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
		struct ktstr_worker_set ws;
		struct ktstr_work_spec s;
		uint64_t wakes = 0;

		spec_of(&s, types[t].name);
		/* Short phases so Bursty and Sequence finish several rounds in RUN_MS. */
		s.params.burst_ms = 5;
		s.params.sleep_ms = 5;
		s.params.phases[0].ms = 5;
		s.params.phases[1].ms = 5;
		assert_int_equal(ktstr_work_spec__group_size(&s), types[t].group);
		s.workers = types[t].group;
		run_set(&ws, &s, NULL);
		for (size_t i = 0; i < ws.n; i++) {
			const struct ktstr_worker_report *r = &ws.w[i].rep;

			if (!ws.w[i].reported) {
				char why[128];

				ktstr_worker__describe(&ws.w[i], why, sizeof(why));
				fail_msg("%s worker %zu: %s", types[t].name, i, why);
			}
			if (r->iterations == 0 || r->work_units == 0) {
				fail_msg("%s worker %zu: no iterations", types[t].name, i);
			}
			assert_true(r->nwake <= r->wake_total);
			assert_true(r->wall_ns >= RUN_MS * MS / 2);
			wakes += r->wake_total;
		}
		if (types[t].wakes && wakes == 0) {
			fail_msg("%s: no wake samples", types[t].name);
		}
		/* The live counters end at the reported iterations. */
		uint64_t sum = 0;

		for (size_t i = 0; i < ws.n; i++) {
			sum += ws.w[i].rep.iterations;
		}
		assert_int_equal(ktstr_worker_set__iterations(&ws), sum);
		ktstr_worker_set__destroy(&ws);
	}
}

static void wake_pool(void **state)
{
	struct ktstr_worker_set ws;
	struct ktstr_work_spec s;
	uint64_t *pool;
	size_t n, want = 0;

	(void)state;
	spec_of(&s, "PipeIo");
	s.workers = 4;
	run_set(&ws, &s, NULL);
	for (size_t i = 0; i < ws.n; i++) {
		want += ws.w[i].rep.nwake;
	}
	assert_int_equal(ktstr_worker_set__wake_pool(&ws, &pool, &n), 0);
	assert_int_equal(n, want);
	assert_true(n > 0);
	assert_memory_equal(pool, ws.w[0].shm->wake_ns, ws.w[0].rep.nwake * sizeof(*pool));
	free(pool);
	ktstr_worker_set__destroy(&ws);
}

/*
 * A PipeIo partner that never answers (stopped): each 100 ms poll times out,
 * which is a block, not a stall, so the gap clock restarts after it.
 */
static void timed_out_block_is_no_gap(void **state)
{
	struct ktstr_worker_launch l;
	struct ktstr_worker_set ws;
	struct ktstr_work_spec s;
	char err[128];

	(void)state;
	spec_of(&s, "PipeIo");
	l = (struct ktstr_worker_launch){.spec = &s};
	assert_int_equal(ktstr_worker_set__init(&ws), 0);
	assert_int_equal(ktstr_worker_set__spawn_work(&ws, &l, err, sizeof(err)), 0);
	assert_int_equal(ktstr_worker_set__start(&ws), 0);
	ktstr_sleep_ms(20); /* both released and past the barrier */
	kill(ws.w[1].pid, SIGSTOP);
	ktstr_sleep_ms(350);
	ktstr_worker_set__stop(&ws);
	assert_int_equal(ktstr_worker_set__collect(&ws, ktstr_now_ns() + 1000 * MS), 1);
	assert_true(ws.w[0].reported);
	assert_true(ws.w[0].rep.iterations >= 2);
	assert_true(ws.w[0].rep.max_gap_ns < 80 * MS);
	ktstr_worker_set__destroy(&ws);
}

/* The worker applies the mask it was given: it runs only on that CPU. */
static void affinity_applied(void **state)
{
	struct ktstr_worker_set ws;
	struct ktstr_work_spec s;
	struct ktstr_cpumask m[1] = {{{0}}};
	cpu_set_t mine;
	int cpu = -1;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof(mine), &mine), 0);
	for (int c = CPU_SETSIZE - 1; c >= 0 && cpu < 0; c--) {
		cpu = CPU_ISSET(c, &mine) ? c : -1;
	}
	ktstr_cpumask__set(&m[0], (unsigned)cpu);
	spec_of(&s, "CpuSpin");
	s.workers = 1;
	run_set(&ws, &s, m);
	assert_true(ws.w[0].reported);
	assert_true(ktstr_cpumask__equal(&ws.w[0].rep.cpus_used, &m[0]));
	ktstr_worker_set__destroy(&ws);
}

/* A mask naming no online CPU: the worker exits with the affinity code, described. */
static void affinity_failure_described(void **state)
{
	struct ktstr_worker_set ws;
	struct ktstr_work_spec s;
	struct ktstr_cpumask m[1] = {{{0}}};
	char why[128];

	(void)state;
	ktstr_cpumask__set(&m[0], KTSTR_MAX_CPUS - 1);
	spec_of(&s, "CpuSpin");
	s.workers = 1;
	run_set(&ws, &s, m);
	assert_false(ws.w[0].reported);
	assert_false(ws.w[0].timed_out);
	ktstr_worker__describe(&ws.w[0], why, sizeof(why));
	assert_string_equal(why, "exited with status 10 (sched_setaffinity failed)");
	ktstr_worker_set__destroy(&ws);
}

static void mem_nodes_outside_cpuset(void **state)
{
	struct ktstr_worker_set ws;
	struct ktstr_work_spec s;
	struct ktstr_cpumask allowed = {{0}};
	struct ktstr_worker_launch l = {.spec = &s, .allowed_nodes = &allowed};
	char err[256] = "";

	(void)state;
	spec_of(&s, "CpuSpin");
	s.mem_policy = KTSTR_MPOL_BIND;
	ktstr_cpumask__set(&s.mem_nodes, 1);
	ktstr_cpumask__set(&allowed, 0);
	assert_int_equal(ktstr_worker_set__init(&ws), 0);
	assert_int_equal(ktstr_worker_set__spawn_work(&ws, &l, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "outside the cpuset's NUMA nodes"));
	assert_int_equal(ws.n, 0);
	/* Within: spawns; a second Work in the same set is refused. */
	ktstr_cpumask__set(&allowed, 1);
	s.mem_policy = KTSTR_MPOL_DEFAULT;
	assert_int_equal(ktstr_worker_set__spawn_work(&ws, &l, err, sizeof(err)), 0);
	assert_int_equal(ktstr_worker_set__spawn_work(&ws, &l, err, sizeof(err)), -EINVAL);
	ktstr_worker_set__destroy(&ws);
}

static void payload_spec(struct ktstr_work_spec *s, const char *path, const char *arg)
{
	spec_of(s, "payload");
	s->workers = 1;
	snprintf(s->payload_path, sizeof(s->payload_path), "%s", path);
	if (arg != NULL) {
		snprintf(s->payload_args[0], sizeof(s->payload_args[0]), "%s", arg);
		s->npayload_args = 1;
	}
}

static void payload(void **state)
{
	struct ktstr_worker_set ws;
	struct ktstr_work_spec s;

	(void)state;
	payload_spec(&s, "/bin/echo", "hello payload");
	run_set(&ws, &s, NULL);
	assert_true(ws.w[0].reported);
	assert_int_equal(ws.w[0].rep.payload_exit, 0);
	assert_true(ws.w[0].rep.flags & KTSTR_REPORT_F_PAYLOAD);
	assert_int_equal(ws.w[0].rep.stdout_len, strlen("hello payload\n"));
	assert_memory_equal(ws.w[0].shm->stdout_buf, "hello payload\n", ws.w[0].rep.stdout_len);
	ktstr_worker_set__destroy(&ws);

	payload_spec(&s, "/bin/false", NULL);
	run_set(&ws, &s, NULL);
	assert_int_equal(ws.w[0].rep.payload_exit, 1);
	ktstr_worker_set__destroy(&ws);

	payload_spec(&s, "/nonexistent/payload", NULL);
	run_set(&ws, &s, NULL);
	assert_int_equal(ws.w[0].rep.payload_exit, 127);
	ktstr_worker_set__destroy(&ws);

	/* Still running at the stop: SIGTERM ends it, recorded as -15. */
	payload_spec(&s, "/bin/sleep", "30");
	run_set(&ws, &s, NULL);
	assert_true(ws.w[0].reported);
	assert_int_equal(ws.w[0].rep.payload_exit, -15);
	ktstr_worker_set__destroy(&ws);
}

/* More stdout than the cap: exactly the cap is kept, the payload still ends normally. */
static void payload_stdout_cap(void **state)
{
	struct ktstr_worker_set ws;
	struct ktstr_work_spec s;

	(void)state;
	payload_spec(&s, "/bin/sh", "");
	snprintf(s.payload_args[0], sizeof(s.payload_args[0]), "-c");
	snprintf(s.payload_args[1], sizeof(s.payload_args[1]), "head -c 200000 /dev/zero");
	s.npayload_args = 2;
	run_set(&ws, &s, NULL);
	assert_true(ws.w[0].reported);
	assert_int_equal(ws.w[0].rep.payload_exit, 0);
	assert_int_equal(ws.w[0].rep.stdout_len, KTSTR_PAYLOAD_STDOUT_MAX);
	ktstr_worker_set__destroy(&ws);
}

/* Reservoir: the first cap samples are kept in order, later ones replace at random. */
static void reservoir(void **state)
{
	struct ktstr_worker_report r;
	volatile sig_atomic_t stop = 0;
	uint64_t *buf = calloc(KTSTR_WAKE_RESERVOIR, sizeof(*buf));
	struct ktstr_work_ctx ctx = {.stop = &stop, .rep = &r, .wake_ns = buf, .rng = 1};
	size_t replaced = 0;

	(void)state;
	assert_non_null(buf);
	memset(&r, 0, sizeof(r));
	for (uint64_t i = 0; i < KTSTR_WAKE_RESERVOIR; i++) {
		ktstr_work__wake(&ctx, i + 1);
	}
	assert_int_equal(r.nwake, KTSTR_WAKE_RESERVOIR);
	assert_int_equal(buf[0], 1);
	assert_int_equal(buf[KTSTR_WAKE_RESERVOIR - 1], KTSTR_WAKE_RESERVOIR);
	for (uint64_t i = 0; i < KTSTR_WAKE_RESERVOIR; i++) {
		ktstr_work__wake(&ctx, UINT64_MAX);
	}
	assert_int_equal(r.nwake, KTSTR_WAKE_RESERVOIR);
	assert_int_equal(r.wake_total, 2 * KTSTR_WAKE_RESERVOIR);
	for (size_t i = 0; i < KTSTR_WAKE_RESERVOIR; i++) {
		replaced += buf[i] == UINT64_MAX;
	}
	/*
	 * The reservoir is a uniform sample of all 2N samples, so about half of
	 * it holds later ones (sd ~ 160 here; the seed is fixed). Keeping only the
	 * first N (no replacement) or the last N (always replacing) both fail.
	 */
	assert_true(replaced > KTSTR_WAKE_RESERVOIR * 45 / 100);
	assert_true(replaced < KTSTR_WAKE_RESERVOIR * 55 / 100);
	/* Without a reservoir only the total counts. */
	ctx.wake_ns = NULL;
	ktstr_work__wake(&ctx, 5);
	assert_int_equal(r.wake_total, 2 * KTSTR_WAKE_RESERVOIR + 1);
	free(buf);
}

/* The watchdog: a gap past the limit sends SIGUSR2 to sched_pid once. */
static void watchdog(void **state)
{
	struct ktstr_worker_report r;
	volatile sig_atomic_t stop = 0;
	struct ktstr_work_ctx ctx = {.stop = &stop, .rep = &r, .last_cpu = -1};
	pid_t child = fork();
	int status;

	(void)state;
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(30);
		close(STDOUT_FILENO);
		close(STDERR_FILENO);
		pause(); /* SIGUSR2's default action ends it */
		_exit(0);
	}
	assert_true(child > 0);
	memset(&r, 0, sizeof(r));
	ctx.sched_pid = child;
	ctx.gap_limit_ns = 50 * MS;
	ctx.deadline_ns = UINT64_MAX;
	ctx.start_ns = ktstr_now_ns();
	ctx.last_ns = ctx.start_ns - 40 * MS; /* under the limit: nothing */
	ktstr_work__checkpoint(&ctx);
	assert_false(r.flags & KTSTR_REPORT_F_WATCHDOG);
	ctx.last_ns = ktstr_now_ns() - 60 * MS;
	ktstr_work__checkpoint(&ctx);
	assert_true(r.flags & KTSTR_REPORT_F_WATCHDOG);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGUSR2);
}

/* A child that waits for a signal: the watchdog's SIGUSR2 ends it. */
static pid_t fake_scheduler(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		/* Never outlive the test, never hold its output open. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm(30);
		close(STDOUT_FILENO);
		close(STDERR_FILENO);
		for (;;) {
			pause();
		}
	}
	assert_true(pid > 0);
	return pid;
}

/*
 * Through spawn_work: a worker stopped for 50 ms (SIGSTOP) has a gap past a
 * 1 ms limit (SIGUSR2 to the scheduler); a limit too large for nanoseconds is
 * off rather than wrapped to a small one.
 */
static void watchdog_limits(void **state)
{
	const uint64_t wraps = UINT64_MAX / KTSTR_NSEC_PER_MSEC + 1; /* x 1e6 wraps to ~0.45 ms */
	const uint64_t limits[] = {1, wraps, UINT64_MAX, 0};

	(void)state;
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		struct ktstr_work_spec s;
		struct ktstr_worker_set ws;
		pid_t sched = fake_scheduler();
		struct ktstr_worker_launch l = {
		    .spec = &s, .sched_pid = sched, .gap_limit_ms = limits[i]};
		bool fired = i == 0;
		char err[128];
		int status;

		spec_of(&s, "CpuSpin");
		s.workers = 1;
		assert_int_equal(ktstr_worker_set__init(&ws), 0);
		assert_int_equal(ktstr_worker_set__spawn_work(&ws, &l, err, sizeof(err)), 0);
		assert_int_equal(ktstr_worker_set__start(&ws), 0);
		ktstr_sleep_ms(20);
		kill(ws.w[0].pid, SIGSTOP);
		ktstr_sleep_ms(50);
		kill(ws.w[0].pid, SIGCONT);
		ktstr_sleep_ms(RUN_MS);
		ktstr_worker_set__stop(&ws);
		assert_int_equal(ktstr_worker_set__collect(&ws, ktstr_now_ns() + 10000 * MS), 0);
		assert_true(ws.w[0].rep.max_gap_ns >= 50 * MS);
		assert_int_equal(!!(ws.w[0].rep.flags & KTSTR_REPORT_F_WATCHDOG), fired);
		if (!fired) {
			assert_int_equal(waitpid(sched, &status, WNOHANG), 0);
			kill(sched, SIGKILL);
		}
		assert_int_equal(waitpid(sched, &status, 0), sched);
		assert_int_equal(WTERMSIG(status), fired ? SIGUSR2 : SIGKILL);
		ktstr_worker_set__destroy(&ws);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_type),
	    cmocka_unit_test(wake_pool),
	    cmocka_unit_test(timed_out_block_is_no_gap),
	    cmocka_unit_test(affinity_applied),
	    cmocka_unit_test(affinity_failure_described),
	    cmocka_unit_test(mem_nodes_outside_cpuset),
	    cmocka_unit_test(payload),
	    cmocka_unit_test(payload_stdout_cap),
	    cmocka_unit_test(reservoir),
	    cmocka_unit_test(watchdog),
	    cmocka_unit_test(watchdog_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
