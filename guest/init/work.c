#define _GNU_SOURCE
#include "work.h"

#include <sched.h>
#include <string.h>

#include "schedstat.h"
#include "timeutil.h"

#define SPIN_UNITS 1024 /* upstream CpuSpin: spin(1024) per iteration */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static void cpu_spin_run(struct ktstr_work_ctx *ctx)
{
	/* volatile: the spin must not be folded away. */
	static volatile uint64_t units;

	do {
		for (unsigned i = 0; i < SPIN_UNITS; i++) {
			units++;
			cpu_relax();
		}
	} while (!ktstr_work__checkpoint(ctx));
}

static const struct ktstr_work_type work_types[] = {
    {.name = "CpuSpin", .run = cpu_spin_run},
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

bool ktstr_work__checkpoint(struct ktstr_work_ctx *ctx)
{
	uint64_t now = ktstr_now_ns(), gap = now - ctx->last_ns;
	int cpu = sched_getcpu();

	ctx->rep->iterations++;
	if (gap > ctx->rep->max_gap_ns) {
		ctx->rep->max_gap_ns = gap;
		ctx->rep->max_gap_cpu = cpu;
		ctx->rep->max_gap_at_ns = now - ctx->start_ns;
	}
	ctx->last_ns = now;
	note_cpu(ctx, cpu);
	return *ctx->stop || now >= ctx->deadline_ns;
}

void ktstr_work__run(const struct ktstr_work_type *wt, uint64_t duration_ns,
		     volatile sig_atomic_t *stop, struct ktstr_worker_report *rep)
{
	struct ktstr_schedstat ss0 = {0}, ss1 = {0};
	struct ktstr_work_ctx ctx = {.stop = stop, .last_cpu = -1, .rep = rep};
	bool have_ss = ktstr_schedstat__read("/proc/self/schedstat", &ss0) == 0;
	uint64_t cpu0 = ktstr_clock_ns(CLOCK_THREAD_CPUTIME_ID);

	rep->magic = KTSTR_REPORT_MAGIC;
	rep->max_gap_cpu = -1;
	ctx.start_ns = ktstr_now_ns();
	ctx.last_ns = ctx.start_ns;
	ctx.deadline_ns = ctx.start_ns + duration_ns;
	note_cpu(&ctx, sched_getcpu());
	wt->run(&ctx);
	rep->wall_ns = ktstr_now_ns() - ctx.start_ns;
	rep->cpu_ns = ktstr_clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	if (have_ss && ktstr_schedstat__read("/proc/self/schedstat", &ss1) == 0) {
		rep->run_time_ns = ss1.run_ns - ss0.run_ns;
		rep->run_delay_ns = ss1.delay_ns - ss0.delay_ns;
		rep->timeslices = ss1.timeslices - ss0.timeslices;
	}
}
