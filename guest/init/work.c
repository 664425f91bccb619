#define _GNU_SOURCE
#include "work.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "schedstat.h"
#include "timeutil.h"
#include "work_internal.h"

static const struct ktstr_work_type work_types[] = {
    {.name = "CpuSpin", .run = ktstr_work_cpu_spin__run},
    {.name = "YieldHeavy", .run = ktstr_work_yield_heavy__run},
    {.name = "Mixed", .run = ktstr_work_mixed__run},
    {.name = "IoSync", .run = ktstr_work_io_sync__run},
    {.name = "Bursty", .run = ktstr_work_bursty__run},
    {.name = "PipeIo", .run = ktstr_work_pipe_io__run},
    {.name = "FutexPingPong", .run = ktstr_work_futex_ping_pong__run},
    {.name = "CachePressure", .run = ktstr_work_cache_pressure__run},
    {.name = "CacheYield", .run = ktstr_work_cache_yield__run},
    {.name = "CachePipe", .run = ktstr_work_cache_pipe__run},
    {.name = "FutexFanOut", .run = ktstr_work_futex_fan_out__run},
    {.name = "FanOutCompute", .run = ktstr_work_fan_out_compute__run},
    {.name = "Sequence", .run = ktstr_work_sequence__run},
    {.name = "ForkExit", .run = ktstr_work_fork_exit__run},
    {.name = "NiceSweep", .run = ktstr_work_nice_sweep__run},
    {.name = "AffinityChurn", .run = ktstr_work_affinity_churn__run},
    {.name = "PolicyChurn", .run = ktstr_work_policy_churn__run},
    {.name = "PageFaultChurn", .run = ktstr_work_page_fault_churn__run},
    {.name = "MutexContention", .run = ktstr_work_mutex_contention__run},
    {.name = "payload", .run = ktstr_work_payload__run},
};

const struct ktstr_work_type *ktstr_work__find(const char *name)
{
	for (size_t i = 0; i < sizeof(work_types) / sizeof(work_types[0]); i++) {
		if (strcmp(work_types[i].name, name) == 0) {
			return &work_types[i];
		}
	}
	return NULL;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

void ktstr_work__spin(struct ktstr_work_ctx *ctx, uint64_t n)
{
	/* volatile: the spin must not be folded away. */
	static volatile uint64_t units;

	for (uint64_t i = 0; i < n; i++) {
		units++;
		cpu_relax();
	}
	ctx->rep->work_units += n;
}

uint64_t ktstr_work__rand(struct ktstr_work_ctx *ctx)
{
	uint64_t x = ctx->rng ? ctx->rng : 0x9e3779b97f4a7c15ull;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	ctx->rng = x;
	return x;
}

void ktstr_work__wake(struct ktstr_work_ctx *ctx, uint64_t ns)
{
	struct ktstr_worker_report *r = ctx->rep;

	r->wake_total++;
	if (ctx->wake_ns == NULL) {
		return;
	}
	if (r->nwake < KTSTR_WAKE_RESERVOIR) {
		ctx->wake_ns[r->nwake++] = ns;
		return;
	}
	/* Algorithm R: the k-th sample replaces a random slot with probability cap/k. */
	uint64_t j = ktstr_work__rand(ctx) % r->wake_total;

	if (j < KTSTR_WAKE_RESERVOIR) {
		ctx->wake_ns[j] = ns;
	}
}

void ktstr_work__unblock(struct ktstr_work_ctx *ctx, uint64_t t0_ns)
{
	uint64_t now = ktstr_now_ns();

	ktstr_work__wake(ctx, now - t0_ns);
	ctx->last_ns = now;
}

void ktstr_work__resume(struct ktstr_work_ctx *ctx)
{
	ctx->last_ns = ktstr_now_ns();
}

void ktstr_work__sleep_ns(struct ktstr_work_ctx *ctx, uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / KTSTR_NSEC_PER_SEC),
			      .tv_nsec = (long)(ns % KTSTR_NSEC_PER_SEC)};

	while (!*ctx->stop && nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

static const struct ktstr_work_params *default_params(void)
{
	static struct ktstr_work_spec dflt;

	if (dflt.params.stride == 0) {
		ktstr_work_spec__defaults(&dflt, NULL);
	}
	return &dflt.params;
}

const struct ktstr_work_params *ktstr_work__params(const struct ktstr_work_ctx *ctx)
{
	return ctx->spec != NULL ? &ctx->spec->params : default_params();
}

static void note_cpu(struct ktstr_work_ctx *ctx, int cpu)
{
	if (cpu < 0) {
		return;
	}
	if (ctx->last_cpu >= 0 && cpu != ctx->last_cpu) {
		ctx->rep->migrations++;
	}
	ctx->last_cpu = cpu;
	ktstr_cpumask__set(&ctx->rep->cpus_used, (unsigned)cpu);
}

void ktstr_work__tick(struct ktstr_work_ctx *ctx)
{
	uint64_t now = ktstr_now_ns(), gap = now - ctx->last_ns;
	int cpu = sched_getcpu();

	if (gap > ctx->rep->max_gap_ns) {
		ctx->rep->max_gap_ns = gap;
		ctx->rep->max_gap_cpu = cpu;
		ctx->rep->max_gap_at_ns = now - ctx->start_ns;
	}
	/*
	 * Upstream's watchdog: a worker stuck past the gap limit tells the
	 * scheduler (SIGUSR2 to SCHED_PID), which dumps its state and exits.
	 * Once per worker is enough to trigger it.
	 */
	if (ctx->gap_limit_ns > 0 && gap > ctx->gap_limit_ns && ctx->sched_pid > 0 &&
	    !(ctx->rep->flags & KTSTR_REPORT_F_WATCHDOG)) {
		kill(ctx->sched_pid, SIGUSR2);
		ctx->rep->flags |= KTSTR_REPORT_F_WATCHDOG;
	}
	ctx->last_ns = now;
	note_cpu(ctx, cpu);
}

bool ktstr_work__checkpoint(struct ktstr_work_ctx *ctx)
{
	ctx->rep->iterations++;
	if (ctx->live_iterations != NULL) {
		__atomic_store_n(ctx->live_iterations, ctx->rep->iterations, __ATOMIC_RELAXED);
	}
	ktstr_work__tick(ctx);
	return *ctx->stop || ctx->last_ns >= ctx->deadline_ns;
}

void ktstr_work__run_ctx(struct ktstr_work_ctx *ctx, uint64_t duration_ns)
{
	struct ktstr_schedstat ss0 = {0}, ss1 = {0};
	struct ktstr_worker_report *rep = ctx->rep;
	bool have_ss = ktstr_schedstat__read("/proc/self/schedstat", &ss0) == 0;
	uint64_t cpu0 = ktstr_clock_ns(CLOCK_THREAD_CPUTIME_ID);

	rep->magic = KTSTR_REPORT_MAGIC;
	rep->max_gap_cpu = -1;
	ctx->last_cpu = -1;
	ctx->rng = ctx->rng ? ctx->rng : ((uint64_t)getpid() << 32) ^ ktstr_now_ns();
	ctx->start_ns = ktstr_now_ns();
	ctx->last_ns = ctx->start_ns;
	ctx->deadline_ns = duration_ns == 0 || duration_ns > UINT64_MAX - ctx->start_ns
			       ? UINT64_MAX
			       : ctx->start_ns + duration_ns;
	note_cpu(ctx, sched_getcpu());
	ctx->spec->type->run(ctx);
	rep->wall_ns = ktstr_now_ns() - ctx->start_ns;
	rep->cpu_ns = ktstr_clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	if (have_ss && ktstr_schedstat__read("/proc/self/schedstat", &ss1) == 0) {
		rep->run_time_ns = ss1.run_ns - ss0.run_ns;
		rep->run_delay_ns = ss1.delay_ns - ss0.delay_ns;
		rep->timeslices = ss1.timeslices - ss0.timeslices;
	}
}

void ktstr_work__run(const struct ktstr_work_type *wt, uint64_t duration_ns,
		     volatile sig_atomic_t *stop, struct ktstr_worker_report *rep)
{
	struct ktstr_work_spec spec;
	struct ktstr_work_ctx ctx = {.stop = stop, .rep = rep, .spec = &spec};

	ktstr_work_spec__defaults(&spec, wt);
	ktstr_work__run_ctx(&ctx, duration_ns);
}
