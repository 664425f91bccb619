/* The QEMU command line for one VM: topology, NUMA layout, devices, serial ports. */
#ifndef KTSTR_QEMU_CMD_H
#define KTSTR_QEMU_CMD_H

#include <stddef.h>
#include <stdint.h>

#include <ktstr/vm.h>

#include "qemu_argv.h"

/** @brief Most vCPUs a topology may ask for (upstream's limit). */
#define KTSTR_QEMU_MAX_VCPUS 252

/** @brief The resolved settings of one launch (all strings borrowed). */
struct ktstr_qemu_cfg {
	const char *binary;	/**< name or path, looked up in PATH by execvp */
	enum ktstr_accel accel; /**< KTSTR_ACCEL_KVM or KTSTR_ACCEL_TCG */
	const char *cpu;	/**< -cpu model */
	const char *machine;	/**< -M machine type */
	const char *extra_args; /**< space-separated words appended as-is; may be NULL */
	const char *tcg_thread; /**< TCG only: "single" or "multi" (-accel tcg,thread=); NULL: QEMU's default */
};

/** @brief One guest NUMA node: an inclusive vCPU range and its memory. */
struct ktstr_qemu_node {
	uint32_t first_cpu;
	uint32_t last_cpu;
	uint64_t memory_mb;
};

/**
 * @brief The CPU model used when the cpu option is "auto".
 *
 * KVM passes the host CPU through. Under TCG every model is emulated; the
 * chosen one boots the Debian cloud kernels and was the fastest measured
 * (see docs/plugins-reference.md, vm/qemu).
 */
const char *ktstr_qemu_cmd__default_cpu(enum ktstr_accel accel);

/**
 * @brief Check a topology: every count >= 1, llcs a multiple of numa_nodes,
 *        at most KTSTR_QEMU_MAX_VCPUS vCPUs. 0, or -EINVAL with one line in @p err.
 */
int ktstr_qemu_topo__check(const struct ktstr_topo *t, char *err, size_t errlen);

/** @brief Guest memory rounded up so that every NUMA node gets the same whole MiB. */
uint64_t ktstr_qemu_numa__total_mb(const struct ktstr_topo *t, uint32_t memory_mb);

/**
 * @brief Node @p i of a checked topology: numa_nodes/llcs consecutive LLCs
 *        each, vCPUs numbered socket-major, then core, then thread.
 */
void ktstr_qemu_numa__node(const struct ktstr_topo *t, uint32_t memory_mb, uint32_t i,
			   struct ktstr_qemu_node *out);

/**
 * @brief Build the full argv (argv[0] = cfg->binary) for @p spec.
 * @return 0; -EINVAL (bad topology, memory or missing path; one line in
 *         @p err); -ENOMEM. On failure @p out is left empty.
 */
int ktstr_qemu_cmd__build(const struct ktstr_qemu_cfg *cfg, const struct ktstr_vm_spec *spec,
			  struct ktstr_argv *out, char *err, size_t errlen);

#endif
