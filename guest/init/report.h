/*
 * What one worker measured; sent as one fixed-size record over a pipe (the
 * bulky parts, wake samples and payload stdout, stay in shared memory: see
 * worker.h).
 */
#ifndef KTSTR_GUEST_REPORT_H
#define KTSTR_GUEST_REPORT_H

#include <limits.h>
#include <stdint.h>

#include "cpumask.h"

#define KTSTR_REPORT_MAGIC 0x4b545752u /* "KTWR" */

struct ktstr_worker_report {
	uint32_t magic;
	int32_t pid;
	int32_t max_gap_cpu; /* CPU the worker resumed on after its largest gap, -1 if none */
	uint32_t pad;
	uint64_t iterations;	/* outer work iterations (CpuSpin: 1024 spin units each) */
	uint64_t cpu_ns;	/* CLOCK_THREAD_CPUTIME_ID delta */
	uint64_t wall_ns;	/* CLOCK_MONOTONIC from release to stop */
	uint64_t max_gap_ns;	/* largest gap between consecutive checkpoints */
	uint64_t max_gap_at_ns; /* offset of that gap's end from the worker's start */
	uint64_t migrations;	/* CPU changes seen by sched_getcpu() */
	uint64_t run_time_ns;	/* /proc/self/schedstat deltas (0 when absent) */
	uint64_t run_delay_ns;
	uint64_t timeslices;
	struct ktstr_cpumask cpus_used;
	/* Appended with the work types beyond CpuSpin. */
	uint64_t work_units;  /* spin units, yields, bytes moved...: what min_work_rate counts */
	uint64_t wake_total;  /* wake-latency samples seen; the reservoir keeps up to nwake */
	uint64_t nwake;	      /* samples in the worker's shared reservoir */
	uint32_t flags;	      /* KTSTR_REPORT_F_* */
	int32_t payload_exit; /* payload: exit code, or -signal */
	uint64_t stdout_len;  /* payload: bytes of stdout captured in the shared buffer */
};

/* The worker ran a payload binary: no iteration checks apply to it. */
#define KTSTR_REPORT_F_PAYLOAD 0x1u
/* The worker sent SIGUSR2 to the scheduler (a gap passed the watchdog limit). */
#define KTSTR_REPORT_F_WATCHDOG 0x2u

/* Pipe writes up to PIPE_BUF are atomic: records from several workers never interleave. */
_Static_assert(sizeof(struct ktstr_worker_report) <= PIPE_BUF, "report must fit in PIPE_BUF");

#endif
