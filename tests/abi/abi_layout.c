/*
 * The plugin ABI v1 layout on x86_64, pinned: every member's offset and size
 * and every struct's size, plus the enum values and version macros. A change
 * that moves anything fails to compile; append-only growth of a sized struct
 * means adding a line here and bumping KTSTR_ABI_MINOR.
 */
#include <stddef.h>

#include <ktstr/kernel_source.h>
#include <ktstr/log.h>
#include <ktstr/opts.h>
#include <ktstr/planner.h>
#include <ktstr/plugin.h>
#include <ktstr/sink.h>
#include <ktstr/topology.h>
#include <ktstr/vm.h>

#if !defined(__x86_64__)
#error "the pinned offsets below are those of x86_64"
#endif

#define MSZ(type, m) sizeof(((struct type *)0)->m)
#define PIN(type, m, off, size)                                                                    \
	_Static_assert(offsetof(struct type, m) == (off), #type "." #m " moved");                 \
	_Static_assert(MSZ(type, m) == (size), #type "." #m " changed size")
#define SIZE(type, size) _Static_assert(sizeof(struct type) == (size), #type " changed size")

/* plugin.h */
_Static_assert(KTSTR_ABI_MAJOR == 1, "ABI major");
_Static_assert(KTSTR_ABI_MINOR == 1, "ABI minor");
_Static_assert(sizeof(KTSTR_PLUGIN_ENTRY_SYMBOL) == sizeof("ktstr_plugin_entry_v1"), "entry");
_Static_assert(sizeof(enum ktstr_plugin_kind) == 4, "enum size");
_Static_assert(KTSTR_PLUGIN_KERNEL_SOURCE == 1 && KTSTR_PLUGIN_PLANNER == 2 &&
		       KTSTR_PLUGIN_VM == 3 && KTSTR_PLUGIN_SINK == 4,
	       "plugin kinds");
_Static_assert(KTSTR_OPT_STR == 1 && KTSTR_OPT_INT == 2 && KTSTR_OPT_BOOL == 3, "opt types");
_Static_assert(KTSTR_KERNEL_IMAGE == 1 && KTSTR_KERNEL_VMLINUX == 2 && KTSTR_KERNEL_VERSION == 3 &&
		       KTSTR_KERNEL_CACHE_KEY == 4 && KTSTR_KERNEL_CONFIG == 5 &&
		       KTSTR_KERNEL_ORIGIN == 6,
	       "kernel fields");

PIN(ktstr_opt_spec, type, 0, 4);
PIN(ktstr_opt_spec, name, 8, 8);
PIN(ktstr_opt_spec, dflt, 16, 8);
PIN(ktstr_opt_spec, offset, 24, 8);
PIN(ktstr_opt_spec, desc, 32, 8);
SIZE(ktstr_opt_spec, 40);

PIN(ktstr_host_api, sz, 0, 8);
PIN(ktstr_host_api, abi_major, 8, 2);
PIN(ktstr_host_api, abi_minor, 10, 2);
PIN(ktstr_host_api, log, 16, 8);
PIN(ktstr_host_api, set_error, 24, 8);
PIN(ktstr_host_api, priv, 32, 8);
PIN(ktstr_host_api, inst_name, 40, 8);
PIN(ktstr_host_api, cache_dir, 48, 8);
PIN(ktstr_host_api, scratch_dir, 56, 8);
PIN(ktstr_host_api, kernel_set, 64, 8);
PIN(ktstr_host_api, cancelled, 72, 8);
/* 1.1 */
PIN(ktstr_host_api, kernel_cache_root, 80, 8);
PIN(ktstr_host_api, kernel_cache_lookup, 88, 8);
PIN(ktstr_host_api, kernel_install, 96, 8);
PIN(ktstr_host_api, cpu_budget, 104, 8);
PIN(ktstr_host_api, progress, 112, 8);
SIZE(ktstr_host_api, 120);

PIN(ktstr_plugin_desc, sz, 0, 8);
PIN(ktstr_plugin_desc, abi_major, 8, 2);
PIN(ktstr_plugin_desc, abi_minor, 10, 2);
PIN(ktstr_plugin_desc, kind, 12, 4);
PIN(ktstr_plugin_desc, name, 16, 8);
PIN(ktstr_plugin_desc, version, 24, 8);
PIN(ktstr_plugin_desc, description, 32, 8);
PIN(ktstr_plugin_desc, ops, 40, 8);
PIN(ktstr_plugin_desc, opts, 48, 8);
PIN(ktstr_plugin_desc, priv_size, 56, 8);
SIZE(ktstr_plugin_desc, 64);

/* log.h */
_Static_assert(KTSTR_LOG_ERR == 3 && KTSTR_LOG_WARN == 4 && KTSTR_LOG_INFO == 6 &&
		       KTSTR_LOG_DEBUG == 7,
	       "log levels");

/* topology.h */
PIN(ktstr_topo, numa_nodes, 0, 4);
PIN(ktstr_topo, llcs, 4, 4);
PIN(ktstr_topo, cores, 8, 4);
PIN(ktstr_topo, threads, 12, 4);
SIZE(ktstr_topo, 16);

/* kernel_source.h */
PIN(ktstr_kernel_source_ops, sz, 0, 8);
PIN(ktstr_kernel_source_ops, init, 8, 8);
PIN(ktstr_kernel_source_ops, fini, 16, 8);
PIN(ktstr_kernel_source_ops, resolve, 24, 8);
/* 1.1 */
PIN(ktstr_kernel_source_ops, remote_fetch, 32, 8);
PIN(ktstr_kernel_source_ops, remote_store, 40, 8);
SIZE(ktstr_kernel_source_ops, 48);

PIN(ktstr_entry_meta, sz, 0, 8);
PIN(ktstr_entry_meta, image_name, 8, 8);
PIN(ktstr_entry_meta, version, 16, 8);
PIN(ktstr_entry_meta, source_json, 24, 8);
PIN(ktstr_entry_meta, config_hash, 32, 8);
PIN(ktstr_entry_meta, kconfig_hash, 40, 8);
PIN(ktstr_entry_meta, source_vmlinux_size, 48, 8);
PIN(ktstr_entry_meta, source_vmlinux_mtime_secs, 56, 8);
SIZE(ktstr_entry_meta, 64);

PIN(ktstr_kernel_install, sz, 0, 8);
PIN(ktstr_kernel_install, key, 8, 8);
PIN(ktstr_kernel_install, fill, 16, 8);
PIN(ktstr_kernel_install, ctx, 24, 8);
PIN(ktstr_kernel_install, force, 32, 1);
SIZE(ktstr_kernel_install, 40);

/* planner.h */
PIN(ktstr_plan_request, sz, 0, 8);
PIN(ktstr_plan_request, topo, 8, 16);
PIN(ktstr_plan_request, memory_mb, 24, 4);
PIN(ktstr_plan_request, test_name, 32, 8);
SIZE(ktstr_plan_request, 40);

PIN(ktstr_plan, sz, 0, 8);
PIN(ktstr_plan, vcpus, 8, 4);
PIN(ktstr_plan, memory_mb, 12, 4);
PIN(ktstr_plan, nr_host_cpus, 16, 4);
PIN(ktstr_plan, host_cpus, 24, 8);
SIZE(ktstr_plan, 32);

PIN(ktstr_planner_ops, sz, 0, 8);
PIN(ktstr_planner_ops, init, 8, 8);
PIN(ktstr_planner_ops, fini, 16, 8);
PIN(ktstr_planner_ops, plan, 24, 8);
PIN(ktstr_planner_ops, release, 32, 8);
/* 1.1 */
PIN(ktstr_planner_ops, budget, 40, 8);
SIZE(ktstr_planner_ops, 48);

/* vm.h */
_Static_assert(sizeof(enum ktstr_accel) == 4, "enum size");
_Static_assert(KTSTR_ACCEL_NONE == 0 && KTSTR_ACCEL_KVM == 1 && KTSTR_ACCEL_TCG == 2, "accel");

PIN(ktstr_vm_caps, sz, 0, 8);
PIN(ktstr_vm_caps, best, 8, 4);
PIN(ktstr_vm_caps, detail, 12, 256);
SIZE(ktstr_vm_caps, 272);

PIN(ktstr_vm_spec, sz, 0, 8);
PIN(ktstr_vm_spec, kernel_image, 8, 8);
PIN(ktstr_vm_spec, initramfs, 16, 8);
PIN(ktstr_vm_spec, cmdline, 24, 8);
PIN(ktstr_vm_spec, topo, 32, 16);
PIN(ktstr_vm_spec, memory_mb, 48, 4);
PIN(ktstr_vm_spec, nr_host_cpus, 52, 4);
PIN(ktstr_vm_spec, host_cpus, 56, 8);
PIN(ktstr_vm_spec, console_path, 64, 8);
PIN(ktstr_vm_spec, protocol_path, 72, 8);
PIN(ktstr_vm_spec, timeout_ms, 80, 8);
PIN(ktstr_vm_spec, cancel_fd, 88, 4);
SIZE(ktstr_vm_spec, 96);

PIN(ktstr_vm_outcome, sz, 0, 8);
PIN(ktstr_vm_outcome, accel, 8, 4);
PIN(ktstr_vm_outcome, exit_code, 12, 4);
PIN(ktstr_vm_outcome, timed_out, 16, 1);
PIN(ktstr_vm_outcome, cancelled, 17, 1);
PIN(ktstr_vm_outcome, wall_ms, 24, 8);
PIN(ktstr_vm_outcome, detail, 32, 256);
SIZE(ktstr_vm_outcome, 288);

PIN(ktstr_vm_ops, sz, 0, 8);
PIN(ktstr_vm_ops, init, 8, 8);
PIN(ktstr_vm_ops, fini, 16, 8);
PIN(ktstr_vm_ops, probe, 24, 8);
PIN(ktstr_vm_ops, run, 32, 8);
SIZE(ktstr_vm_ops, 40);

/* sink.h */
_Static_assert(KTSTR_RESULT_RECORD_VERSION == 1, "record version");

PIN(ktstr_sink_open_opts, sz, 0, 8);
PIN(ktstr_sink_open_opts, run_dir, 8, 8);
PIN(ktstr_sink_open_opts, run_id, 16, 8);
PIN(ktstr_sink_open_opts, planned_tests, 24, 4);
SIZE(ktstr_sink_open_opts, 32);

PIN(ktstr_sink_ops, sz, 0, 8);
PIN(ktstr_sink_ops, open, 8, 8);
PIN(ktstr_sink_ops, emit, 16, 8);
PIN(ktstr_sink_ops, close, 24, 8);
SIZE(ktstr_sink_ops, 32);

/* opts.h: the helpers read what they should. */
_Static_assert(KTSTR_OFFSET_END(struct ktstr_sink_ops, emit) == 24, "KTSTR_OFFSET_END");
