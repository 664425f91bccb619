/* SPDX-License-Identifier: MIT */
/**
 * @file vm.h
 * @brief VM-backend plugins: boot a kernel + initramfs with a topology, capture
 *        the two serial ports, enforce the deadline.
 */
#ifndef KTSTR_VM_H
#define KTSTR_VM_H

#include <ktstr/plugin.h>
#include <ktstr/topology.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief How guest code was executed. */
enum ktstr_accel {
	KTSTR_ACCEL_NONE = 0, /**< nothing can run a guest */
	KTSTR_ACCEL_KVM = 1,  /**< hardware virtualization */
	KTSTR_ACCEL_TCG = 2,  /**< software emulation (timing is emulated) */
};

/** @brief What the backend can do on this host (sized; filled by probe). */
struct ktstr_vm_caps {
	size_t sz;
	enum ktstr_accel best;  /**< the accelerator run() would use */
	char detail[256];       /**< why, in one line (e.g. "kvm_pvm cannot boot Linux") */
};

/** @brief One VM to boot (sized; all pointers borrowed for the run call). */
struct ktstr_vm_spec {
	size_t sz;
	const char *kernel_image;  /**< bzImage or ELF vmlinux (PVH) */
	const char *initramfs;     /**< compressed cpio, possibly several concatenated */
	const char *cmdline;       /**< kernel command line */
	struct ktstr_topo topo;
	uint32_t memory_mb;
	uint32_t nr_host_cpus;     /**< pin vCPU i to host_cpus[i % n] when n > 0 */
	const int32_t *host_cpus;
	const char *console_path;  /**< COM1 (kernel console) is written to this file */
	const char *protocol_path; /**< COM2 (guest protocol) is written to this file */
	uint64_t timeout_ms;       /**< the VM is killed this long after start */
	int cancel_fd;             /**< readable => stop the VM now; -1 if none */
};

/** @brief How the VM ended (sized; filled by run). */
struct ktstr_vm_outcome {
	size_t sz;
	enum ktstr_accel accel;  /**< the accelerator used */
	int exit_code;           /**< backend process / monitor exit code, -1 if killed */
	bool timed_out;          /**< the deadline killed it */
	bool cancelled;          /**< cancel_fd killed it */
	uint64_t wall_ms;        /**< start to exit */
	char detail[256];        /**< one line on what happened */
};

/** @brief VM-backend ops (sized; v1.0 members below, append only). */
struct ktstr_vm_ops {
	size_t sz;
	int (*init)(struct ktstr_inst *inst);
	void (*fini)(struct ktstr_inst *inst);
	/** @brief Find out which accelerator is usable. 0 (caps filled) or -errno. */
	int (*probe)(struct ktstr_inst *inst, struct ktstr_vm_caps *caps);
	/**
	 * @brief Boot the VM and wait until it powers off, times out or is cancelled.
	 *        Nothing it started may outlive this call.
	 * @return 0 when the VM ran (see outcome for how it ended), -errno when it
	 *         could not be started.
	 */
	int (*run)(struct ktstr_inst *inst, const struct ktstr_vm_spec *spec,
		   struct ktstr_vm_outcome *outcome);
};

#ifdef __cplusplus
}
#endif
#endif /* KTSTR_VM_H */
