/*
 * The few kernel declarations the ktstr scheduler needs, written by hand so
 * the build never depends on the build host's BTF having sched_ext. Kernel
 * structs carry preserve_access_index (CO-RE: field offsets are fixed up
 * against the target kernel at load time); struct sched_ext_ops is matched
 * member by member, by name, against the target kernel's BTF by libbpf.
 * Values below are the kernel's ABI constants (include/linux/sched/ext.h).
 */
#ifndef KTSTR_SCHED_EXT_BPF_H
#define KTSTR_SCHED_EXT_BPF_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed char __s8;
typedef short __s16;
typedef int __s32;
typedef long long __s64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
typedef __u32 u32;
typedef __u64 u64;
typedef __s32 s32;
typedef __s64 s64;
typedef _Bool bool;
#define true 1
#define false 0

/* bpf_helper_defs.h names this enum in prototypes. */
enum bpf_stats_type { BPF_STATS_RUN_TIME = 0 };

#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#define SCX_DSQ_FLAG_BUILTIN (1ULL << 63)
#define SCX_DSQ_FLAG_LOCAL_ON (1ULL << 62)
#define SCX_DSQ_GLOBAL (SCX_DSQ_FLAG_BUILTIN | 1)
#define SCX_DSQ_LOCAL (SCX_DSQ_FLAG_BUILTIN | 2)
#define SCX_DSQ_LOCAL_ON (SCX_DSQ_FLAG_BUILTIN | SCX_DSQ_FLAG_LOCAL_ON)
#define SCX_SLICE_DFL 20000000ULL
#define SCX_KICK_IDLE 1
#define SCX_ENQ_LAST (1ULL << 41)
#define SCX_OPS_ENQ_LAST (1ULL << 1)
#define NUMA_NO_NODE (-1)

struct task_struct {
	int pid;
	int nr_cpus_allowed;
} __attribute__((preserve_access_index));

enum scx_exit_kind { SCX_EXIT_NONE };

struct scx_exit_info {
	enum scx_exit_kind kind;
	s64 exit_code;
	const char *reason;
	char *msg;
} __attribute__((preserve_access_index));

struct sched_ext_ops {
	s32 (*select_cpu)(struct task_struct *p, s32 prev_cpu, u64 wake_flags);
	void (*enqueue)(struct task_struct *p, u64 enq_flags);
	void (*dispatch)(s32 cpu, struct task_struct *prev);
	s32 (*init)(void);
	void (*exit)(struct scx_exit_info *ei);
	u64 flags;
	u32 timeout_ms;
	char name[128];
};

s32 scx_bpf_create_dsq(u64 dsq_id, s32 node) __ksym;
s32 scx_bpf_select_cpu_dfl(struct task_struct *p, s32 prev_cpu, u64 wake_flags,
			   bool *is_idle) __ksym;
void scx_bpf_kick_cpu(s32 cpu, u64 flags) __ksym;
u32 scx_bpf_nr_cpu_ids(void) __ksym;
s32 scx_bpf_dsq_nr_queued(u64 dsq_id) __ksym;
void scx_bpf_error_bstr(char *fmt, unsigned long long *data, u32 data__sz) __ksym;

/*
 * 6.13 renamed scx_bpf_dispatch to scx_bpf_dsq_insert and scx_bpf_consume to
 * scx_bpf_dsq_move_to_local. Both names are weak and the call goes to the
 * one the running kernel has (the verifier drops the other branch), so the
 * scheduler loads on 6.12 (longterm) too, as upstream's compat.bpf.h does.
 */
void scx_bpf_dsq_insert(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym __weak;
void scx_bpf_dispatch(struct task_struct *p, u64 dsq_id, u64 slice, u64 enq_flags) __ksym __weak;
bool scx_bpf_dsq_move_to_local(u64 dsq_id) __ksym __weak;
bool scx_bpf_consume(u64 dsq_id) __ksym __weak;

#define scx_bpf_dsq_insert(p, dsq_id, slice, enq_flags)                                          \
	(bpf_ksym_exists(scx_bpf_dsq_insert)                                                      \
	     ? scx_bpf_dsq_insert((p), (dsq_id), (slice), (enq_flags))                            \
	     : scx_bpf_dispatch((p), (dsq_id), (slice), (enq_flags)))
#define scx_bpf_dsq_move_to_local(dsq_id)                                                        \
	(bpf_ksym_exists(scx_bpf_dsq_move_to_local) ? scx_bpf_dsq_move_to_local(dsq_id)           \
						       : scx_bpf_consume(dsq_id))

#define BPF_STRUCT_OPS(name, args...) SEC("struct_ops/" #name) BPF_PROG(name, ##args)
#define BPF_STRUCT_OPS_SLEEPABLE(name, args...) SEC("struct_ops.s/" #name) BPF_PROG(name, ##args)

#endif
