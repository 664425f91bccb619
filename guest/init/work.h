/*
 * Work types: what a worker does between checkpoints. Only CpuSpin exists so
 * far; the table grows with upstream's other types (scenarios.md section 2).
 */
#ifndef KTSTR_GUEST_WORK_H
#define KTSTR_GUEST_WORK_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "report.h"

/* Telemetry state shared by every work type's loop. */
struct ktstr_work_ctx {
	volatile sig_atomic_t *stop; /* set by SIGUSR1 */
	uint64_t start_ns, deadline_ns, last_ns;
	int last_cpu;
	struct ktstr_worker_report *rep;
};

struct ktstr_work_type {
	const char *name; /* upstream's PascalCase name */
	/* Loop until ktstr_work__checkpoint() says stop. */
	void (*run)(struct ktstr_work_ctx *ctx);
};

/** @brief The work type called @p name, or NULL. */
const struct ktstr_work_type *ktstr_work__find(const char *name);

/**
 * @brief End of one iteration: count it, measure the gap since the previous
 *        checkpoint and the CPU. @return true when the worker must stop
 *        (stop flag or deadline).
 */
bool ktstr_work__checkpoint(struct ktstr_work_ctx *ctx);

/**
 * @brief Run @p wt for @p duration_ns (or until *stop) and fill @p rep:
 *        iterations, CPU and wall time, gaps, migrations, schedstat deltas.
 *        rep->pid is left to the caller.
 */
void ktstr_work__run(const struct ktstr_work_type *wt, uint64_t duration_ns,
		     volatile sig_atomic_t *stop, struct ktstr_worker_report *rep);

#endif
