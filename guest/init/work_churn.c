/* Work types that change their own scheduling attributes: NiceSweep, AffinityChurn, PolicyChurn. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <unistd.h>

#include "timeutil.h"
#include "work_internal.h"

#define NICE_SPIN 512 /* upstream NiceSweep: spin(512) */

/* sched_yield() as a blocking point: its duration is the wake sample. */
static void yield_sample(struct ktstr_work_ctx *ctx)
{
	uint64_t t0 = ktstr_now_ns();

	sched_yield();
	ktstr_work__unblock(ctx, t0);
}

void ktstr_work_nice_sweep__run(struct ktstr_work_ctx *ctx)
{
	/* Negative nice needs CAP_SYS_NICE; without it upstream sweeps 0..19. */
	int lo = setpriority(PRIO_PROCESS, 0, -20) == 0 ? -20 : 0, nice = lo;

	do {
		ktstr_work__spin(ctx, NICE_SPIN);
		setpriority(PRIO_PROCESS, 0, nice);
		nice = nice == 19 ? lo : nice + 1;
		yield_sample(ctx);
	} while (!ktstr_work__checkpoint(ctx));
}

void ktstr_work_affinity_churn__run(struct ktstr_work_ctx *ctx)
{
	const struct ktstr_work_params *p = ktstr_work__params(ctx);
	int cpus[CPU_SETSIZE], ncpus = 0;
	cpu_set_t initial, one;

	if (sched_getaffinity(0, sizeof(initial), &initial) != 0) {
		return;
	}
	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (CPU_ISSET(c, &initial)) {
			cpus[ncpus++] = c;
		}
	}
	do {
		ktstr_work__spin(ctx, p->spin_iters);
		CPU_ZERO(&one);
		CPU_SET(cpus[ktstr_work__rand(ctx) % (uint64_t)ncpus], &one);
		sched_setaffinity(0, sizeof(one), &one);
		yield_sample(ctx);
	} while (!ktstr_work__checkpoint(ctx));
}

void ktstr_work_policy_churn__run(struct ktstr_work_ctx *ctx)
{
	const struct ktstr_work_params *p = ktstr_work__params(ctx);
	struct sched_param rt = {.sched_priority = 1}, none = {.sched_priority = 0};
	int cycle[5] = {SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, SCHED_FIFO, SCHED_RR};
	int ncycle = 3, i = 0;

	/* RT steps only when allowed (CAP_SYS_NICE or an RT rlimit), as upstream. */
	if (sched_setscheduler(0, SCHED_FIFO, &rt) == 0) {
		ncycle = 5;
		sched_setscheduler(0, SCHED_OTHER, &none);
	}
	do {
		ktstr_work__spin(ctx, p->spin_iters);
		bool is_rt = cycle[i] == SCHED_FIFO || cycle[i] == SCHED_RR;

		sched_setscheduler(0, cycle[i], is_rt ? &rt : &none);
		i = (i + 1) % ncycle;
		yield_sample(ctx);
	} while (!ktstr_work__checkpoint(ctx));
	sched_setscheduler(0, SCHED_OTHER, &none);
}
