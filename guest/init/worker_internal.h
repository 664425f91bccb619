/* The fork-and-barrier core of worker.c, shared with worker_work.c. */
#ifndef KTSTR_GUEST_WORKER_INTERNAL_H
#define KTSTR_GUEST_WORKER_INTERNAL_H

#include <signal.h>

#include "worker.h"

/*
 * What a released worker runs: fill @p rep and return 0 (the report is then
 * sent), or return a KTSTR_WORKER_EXIT_* code to exit without a report.
 * @p index is the worker's position in the set.
 */
typedef int (*ktstr_worker_body_fn)(struct ktstr_worker_set *ws, unsigned index, const void *arg,
				    struct ktstr_worker_report *rep);

/** @brief Fork one worker that waits at the barrier, then runs @p body. @return 0 or -errno. */
int ktstr_worker_set__fork(struct ktstr_worker_set *ws, ktstr_worker_body_fn body, const void *arg,
			   unsigned group, unsigned index, struct ktstr_worker **out);

/** @brief The worker's stop flag, set by its SIGUSR1 handler. */
volatile sig_atomic_t *ktstr_worker__stop_flag(void);

#endif
