/*
 * State shared between the ktstr BPF scheduler and its loader: the single
 * variable in the object's ".data.ktstr" section, so it sits at offset 0 of
 * that map and both sides agree on its layout without a skeleton.
 */
#ifndef KTSTR_SCHED_SHARED_H
#define KTSTR_SCHED_SHARED_H

#define KTSTR_SCHED_NAME "ktstr"
#define KTSTR_SCHED_SHARED_SEC ".data.ktstr"
#define KTSTR_SCHED_REASON_LEN 128
#define KTSTR_SCHED_MSG_LEN 1024

enum ktstr_fault {
	KTSTR_FAULT_NONE,
	KTSTR_FAULT_STALL,	 /* stop dispatching */
	KTSTR_FAULT_CRASH,	 /* scx_bpf_error() */
	KTSTR_FAULT_SLOW,	 /* dispatch only every slow_every-th call */
	KTSTR_FAULT_DEGRADE,	 /* random CPU placement */
	KTSTR_FAULT_FAIL_VERIFY, /* load a program the verifier rejects (loader only) */
};

/* Written by the loader: which fault, and whether it is active yet. */
struct ktstr_sched_ctl {
	__u32 fault;
	__u32 active;
	__u32 slow_every;
	__u32 pad;
};

/* Written by ops.exit: why the kernel disabled the scheduler. */
struct ktstr_sched_uei {
	__s64 exit_code;
	__u32 kind;
	__u32 exited; /* set last */
	char reason[KTSTR_SCHED_REASON_LEN];
	char msg[KTSTR_SCHED_MSG_LEN];
};

struct ktstr_sched_shared {
	struct ktstr_sched_ctl ctl;
	__u64 enqueues;
	__u64 dispatches;
	struct ktstr_sched_uei uei;
};

#endif
