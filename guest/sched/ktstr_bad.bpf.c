/*
 * The fail-verify fault: a scheduler whose enqueue reads through an
 * unchecked integer, which the kernel's verifier must reject, so loading
 * fails with the verifier's message.
 */
#include "sched_ext.bpf.h"

#include "shared.h"

char _license[] SEC("license") = "GPL";

void BPF_STRUCT_OPS(ktstr_enqueue, struct task_struct *p, u64 enq_flags)
{
	u64 *bad = (u64 *)(unsigned long)bpf_get_prandom_u32();

	scx_bpf_dsq_insert(p, SCX_DSQ_GLOBAL, SCX_SLICE_DFL, *bad);
}

SEC(".struct_ops.link")
struct sched_ext_ops ktstr_bad_ops = {
    .enqueue = (void *)ktstr_enqueue,
    .name = KTSTR_SCHED_NAME,
};
