/*
 * Worker processes: fork, hold at a start barrier, run a work type, send one
 * report over a shared pipe (docs/protocol.md section 7). The fixed report
 * fits one atomic pipe write; what does not fit (the wake-latency reservoir,
 * a payload's stdout) and the live iteration counter live in a MAP_SHARED
 * area per worker that the parent reads once the report has arrived.
 */
#ifndef KTSTR_GUEST_WORKER_H
#define KTSTR_GUEST_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "report.h"
#include "work.h"
#include "work_group.h"

/* A worker waits this long at the barrier before giving up (upstream: 30 s). */
#define KTSTR_WORKER_BARRIER_MS 30000

/* Exit codes of a worker that could not set itself up (ktstr_worker__describe). */
enum {
	KTSTR_WORKER_EXIT_BARRIER = 1,
	KTSTR_WORKER_EXIT_AFFINITY = 10,
	KTSTR_WORKER_EXIT_POLICY = 11,
	KTSTR_WORKER_EXIT_MEMPOLICY = 12,
};

struct ktstr_worker_shm {
	uint64_t live_iterations; /* updated at every checkpoint */
	uint64_t wake_ns[KTSTR_WAKE_RESERVOIR];
	unsigned char stdout_buf[KTSTR_PAYLOAD_STDOUT_MAX];
};

struct ktstr_worker {
	pid_t pid;
	unsigned group; /* caller's tag (the cgroup index) */
	unsigned index; /* position within its group */
	bool reported, reaped;
	bool timed_out; /* still running at the collect deadline, then killed */
	int status;	/* waitpid status once reaped without timing out */
	struct ktstr_worker_report rep;
	struct ktstr_worker_shm *shm; /* NULL for ktstr_worker_set__spawn() workers */
};

/* What ktstr_worker_set__spawn_work() starts: all workers of one Work. */
struct ktstr_worker_launch {
	const struct ktstr_work_spec *spec; /* copied */
	uint64_t duration_ms;		    /* 0 (or past UINT64_MAX ns): until stopped */
	unsigned group;			    /* caller's tag */
	/* spec->workers masks, one per worker (resolved by the caller), or NULL: inherit */
	const struct ktstr_cpumask *affinity;
	/* NUMA nodes of the worker's cpuset; the mem policy's nodes must lie within. NULL: any */
	const struct ktstr_cpumask *allowed_nodes;
	pid_t sched_pid;       /* SIGUSR2 target of the gap watchdog; 0: none */
	uint64_t gap_limit_ms; /* watchdog limit; 0 or UINT64_MAX: off */
};

struct ktstr_worker_set {
	int barrier[2]; /* workers block reading [0]; closing [1] releases them */
	int report[2];	/* workers write records to [1] */
	struct ktstr_worker *w;
	size_t n, cap;
	uint64_t start_ns; /* when the barrier was released */
	size_t rbuf_used;
	unsigned char rbuf[sizeof(struct ktstr_worker_report)];
	struct ktstr_work_spec spec; /* of spawn_work */
	struct ktstr_work_group grp; /* its shared resources */
	bool has_work;
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

/**
 * @brief Fork every worker of @p l->spec (spec->workers of them) with the
 *        shared resources its type needs. Once per set, before start. Each
 *        worker, once released, applies its affinity mask, sched policy and
 *        mem policy, and exits with KTSTR_WORKER_EXIT_* when one fails.
 * @return 0; -EINVAL with a reason in @p err (second call, after start, mem
 *         policy nodes outside allowed_nodes); -errno. On error the workers
 *         already forked stay in the set (destroy kills them).
 */
int ktstr_worker_set__spawn_work(struct ktstr_worker_set *ws, const struct ktstr_worker_launch *l,
				 char *err, size_t errlen);

/** @brief Sum of the live iteration counters (B's stimulus total_iterations). */
uint64_t ktstr_worker_set__iterations(const struct ktstr_worker_set *ws);

/**
 * @brief Copy every reported worker's wake samples into one array.
 * @param out  malloc'd (caller frees; NULL when there are none)
 * @return 0 or -ENOMEM.
 */
int ktstr_worker_set__wake_pool(const struct ktstr_worker_set *ws, uint64_t **out, size_t *n);

/** @brief One line on how an unreported worker ended ("exited with status 11 (...)"). */
void ktstr_worker__describe(const struct ktstr_worker *w, char *buf, size_t len);

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
