/* Helpers the work type files share, and their run functions for work.c's table. */
#ifndef KTSTR_GUEST_WORK_INTERNAL_H
#define KTSTR_GUEST_WORK_INTERNAL_H

#include <stdint.h>

#include "work.h"
#include "work_group.h"

/* Upstream's spin(n): n x {work_units++; spin_loop()}. */
void ktstr_work__spin(struct ktstr_work_ctx *ctx, uint64_t n);

/**
 * @brief The gap part of a checkpoint without counting an iteration: for
 *        long spins inside one iteration (Bursty, Sequence), so a stall there
 *        is still seen (upstream checkpoints every 1024 work units).
 */
void ktstr_work__tick(struct ktstr_work_ctx *ctx);

/** @brief One wake-latency sample into the reservoir (reservoir sampling past the cap). */
void ktstr_work__wake(struct ktstr_work_ctx *ctx, uint64_t ns);

/**
 * @brief End of a block that began at @p t0_ns: record now - t0 as a wake
 *        sample and restart the gap clock (a sleep is not a gap).
 */
void ktstr_work__unblock(struct ktstr_work_ctx *ctx, uint64_t t0_ns);

/**
 * @brief End of a block that timed out or was cut short: no wake sample, but
 *        the gap clock restarts all the same (the wait was a block, not a stall).
 */
void ktstr_work__resume(struct ktstr_work_ctx *ctx);

/** @brief Sleep @p ns unless a stop arrives (SIGUSR1 interrupts it). */
void ktstr_work__sleep_ns(struct ktstr_work_ctx *ctx, uint64_t ns);

/** @brief The type's parameters: the spec's, or upstream defaults. */
const struct ktstr_work_params *ktstr_work__params(const struct ktstr_work_ctx *ctx);

/** @brief xorshift64 on ctx->rng. */
uint64_t ktstr_work__rand(struct ktstr_work_ctx *ctx);

/* work_cpu.c */
void ktstr_work_cpu_spin__run(struct ktstr_work_ctx *ctx);
void ktstr_work_yield_heavy__run(struct ktstr_work_ctx *ctx);
void ktstr_work_mixed__run(struct ktstr_work_ctx *ctx);
void ktstr_work_cache_pressure__run(struct ktstr_work_ctx *ctx);
void ktstr_work_cache_yield__run(struct ktstr_work_ctx *ctx);
void ktstr_work_page_fault_churn__run(struct ktstr_work_ctx *ctx);
/* work_churn.c */
void ktstr_work_nice_sweep__run(struct ktstr_work_ctx *ctx);
void ktstr_work_affinity_churn__run(struct ktstr_work_ctx *ctx);
void ktstr_work_policy_churn__run(struct ktstr_work_ctx *ctx);
/* work_block.c */
void ktstr_work_io_sync__run(struct ktstr_work_ctx *ctx);
void ktstr_work_bursty__run(struct ktstr_work_ctx *ctx);
void ktstr_work_sequence__run(struct ktstr_work_ctx *ctx);
void ktstr_work_fork_exit__run(struct ktstr_work_ctx *ctx);
/* work_pipe.c */
void ktstr_work_pipe_io__run(struct ktstr_work_ctx *ctx);
void ktstr_work_cache_pipe__run(struct ktstr_work_ctx *ctx);
/* work_futex.c */
void ktstr_work_futex_ping_pong__run(struct ktstr_work_ctx *ctx);
void ktstr_work_futex_fan_out__run(struct ktstr_work_ctx *ctx);
void ktstr_work_fan_out_compute__run(struct ktstr_work_ctx *ctx);
void ktstr_work_mutex_contention__run(struct ktstr_work_ctx *ctx);
/* work_payload.c */
void ktstr_work_payload__run(struct ktstr_work_ctx *ctx);

#endif
