/*
 * Worker processes: fork, hold at a start barrier, run a work type, send one
 * report over a shared pipe (docs/protocol.md section 7).
 */
#ifndef KTSTR_GUEST_WORKER_H
#define KTSTR_GUEST_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "report.h"
#include "work.h"

/* A worker waits this long at the barrier before giving up (upstream: 30 s). */
#define KTSTR_WORKER_BARRIER_MS 30000

struct ktstr_worker {
	pid_t pid;
	unsigned group; /* caller's tag (the cgroup index) */
	unsigned index; /* position within its group */
	bool reported, reaped;
	struct ktstr_worker_report rep;
};

struct ktstr_worker_set {
	int barrier[2]; /* workers block reading [0]; closing [1] releases them */
	int report[2];	/* workers write records to [1] */
	struct ktstr_worker *w;
	size_t n, cap;
	uint64_t start_ns; /* when the barrier was released */
	size_t rbuf_used;
	unsigned char rbuf[sizeof(struct ktstr_worker_report)];
};

/** @brief Create the barrier and report pipes. @return 0 or -errno. */
int ktstr_worker_set__init(struct ktstr_worker_set *ws);

/**
 * @brief Fork one worker that waits at the barrier, then runs @p wt for
 *        @p duration_ms. Must be called before ktstr_worker_set__start().
 * @param out  the new worker (valid until the next spawn or destroy)
 * @return 0 or -errno (-EINVAL after start).
 */
int ktstr_worker_set__spawn(struct ktstr_worker_set *ws, const struct ktstr_work_type *wt,
			    uint64_t duration_ms, unsigned group, unsigned index,
			    struct ktstr_worker **out);

/** @brief Release every worker at once. @return 0 or -errno. */
int ktstr_worker_set__start(struct ktstr_worker_set *ws);

/** @brief Send SIGUSR1 (stop) to every worker that has not reported. */
void ktstr_worker_set__stop(struct ktstr_worker_set *ws);

/**
 * @brief Read reports until every worker reported or CLOCK_MONOTONIC passes
 *        @p deadline_ns; then SIGKILL the rest and reap everyone.
 * @return the number of workers without a report, or -errno.
 */
int ktstr_worker_set__collect(struct ktstr_worker_set *ws, uint64_t deadline_ns);

/** @brief Kill and reap what is left, close the pipes, free the workers. */
void ktstr_worker_set__destroy(struct ktstr_worker_set *ws);

#endif
