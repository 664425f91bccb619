/*
 * ktstr: the harness's own sched_ext scheduler. One shared FIFO queue
 * (enqueue inserts into it, dispatch moves its head to the local CPU), plus
 * fault knobs the loader switches on to test that ktstr notices a broken
 * scheduler (shared.h, README.md).
 */
#include "sched_ext.bpf.h"

#include "shared.h"

char _license[] SEC("license") = "GPL";

#define KTSTR_DSQ 0ULL /* our shared FIFO (ids without the builtin bit are ours) */

/* the loader fills ctl before load (opts.c has the defaults) */
struct ktstr_sched_shared ktstr_shared SEC(KTSTR_SCHED_SHARED_SEC) = {};

static bool fault_active(enum ktstr_fault f)
{
	return ktstr_shared.ctl.fault == f && ktstr_shared.ctl.active;
}

s32 BPF_STRUCT_OPS(ktstr_select_cpu, struct task_struct *p, s32 prev_cpu, u64 wake_flags)
{
	bool is_idle = false;

	/*
	 * Wake on an idle CPU when there is one, but never insert directly into
	 * its local queue: every task goes through enqueue, so a stall stalls all.
	 */
	return scx_bpf_select_cpu_dfl(p, prev_cpu, wake_flags, &is_idle);
}

/*
 * A random CPU for a task that may run anywhere, or -1. Tasks with a narrower
 * affinity keep the shared queue: testing their mask would need a kfunc on
 * struct cpumask, whose full BTF this hand-written header does not carry.
 */
static s32 degraded_cpu(struct task_struct *p)
{
	u32 n = scx_bpf_nr_cpu_ids();

	if (n <= 1 || (u32)p->nr_cpus_allowed != n) {
		return -1;
	}
	return bpf_get_prandom_u32() % n;
}

void BPF_STRUCT_OPS(ktstr_enqueue, struct task_struct *p, u64 enq_flags)
{
	__sync_fetch_and_add(&ktstr_shared.enqueues, 1);
	if (fault_active(KTSTR_FAULT_DEGRADE)) {
		s32 cpu = degraded_cpu(p);

		if (cpu >= 0) {
			scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL_ON | cpu, SCX_SLICE_DFL, enq_flags);
			scx_bpf_kick_cpu(cpu, SCX_KICK_IDLE);
			return;
		}
	}
	/*
	 * SCX_OPS_ENQ_LAST: a CPU's last runnable task comes back here instead of
	 * simply running on, so a stall really stops every CPU.
	 */
	if ((enq_flags & SCX_ENQ_LAST) && !fault_active(KTSTR_FAULT_STALL)) {
		scx_bpf_dsq_insert(p, SCX_DSQ_LOCAL, SCX_SLICE_DFL, enq_flags);
		return;
	}
	scx_bpf_dsq_insert(p, KTSTR_DSQ, SCX_SLICE_DFL, enq_flags);
}

void BPF_STRUCT_OPS(ktstr_dispatch, s32 cpu, struct task_struct *prev)
{
	/* the format must live in map memory: a static array lands in .data */
	static char crash_fmt[] = "ktstr-sched: crash fault injected on cpu %d";
	u64 n = __sync_fetch_and_add(&ktstr_shared.dispatches, 1);
	unsigned long long arg = cpu;

	if (fault_active(KTSTR_FAULT_STALL)) {
		return;
	}
	if (fault_active(KTSTR_FAULT_CRASH)) {
		scx_bpf_error_bstr(crash_fmt, &arg, sizeof(arg));
		return;
	}
	if (fault_active(KTSTR_FAULT_SLOW) && ktstr_shared.ctl.slow_every > 1 &&
	    n % ktstr_shared.ctl.slow_every != 0) {
		/*
		 * Ask again rather than idle: an idle CPU is not woken for work
		 * that already waits, so skipping alone would be a stall.
		 */
		if (scx_bpf_dsq_nr_queued(KTSTR_DSQ) > 0) {
			scx_bpf_kick_cpu(cpu, 0);
		}
		return;
	}
	scx_bpf_dsq_move_to_local(KTSTR_DSQ);
}

s32 BPF_STRUCT_OPS_SLEEPABLE(ktstr_init)
{
	return scx_bpf_create_dsq(KTSTR_DSQ, NUMA_NO_NODE);
}

void BPF_STRUCT_OPS(ktstr_exit, struct scx_exit_info *ei)
{
	struct ktstr_sched_uei *u = &ktstr_shared.uei;

	bpf_probe_read_kernel_str(u->reason, sizeof(u->reason), ei->reason);
	bpf_probe_read_kernel_str(u->msg, sizeof(u->msg), ei->msg);
	u->exit_code = ei->exit_code;
	u->kind = ei->kind;
	__sync_fetch_and_add(&u->exited, 1); /* a full barrier: the loader reads this last */
}

SEC(".struct_ops.link")
struct sched_ext_ops ktstr_ops = {
    .select_cpu = (void *)ktstr_select_cpu,
    .enqueue = (void *)ktstr_enqueue,
    .dispatch = (void *)ktstr_dispatch,
    .init = (void *)ktstr_init,
    .exit = (void *)ktstr_exit,
    .flags = SCX_OPS_ENQ_LAST,
    .name = KTSTR_SCHED_NAME,
};
