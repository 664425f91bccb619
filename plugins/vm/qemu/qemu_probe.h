/* Which accelerator can boot Linux here, and where the QEMU binary is. */
#ifndef KTSTR_QEMU_PROBE_H
#define KTSTR_QEMU_PROBE_H

#include <stddef.h>

#include <ktstr/vm.h>

/** @brief The KVM API version every usable /dev/kvm reports. */
#define KTSTR_KVM_API_VERSION 12

/** @brief What the /dev/kvm ioctls said; each error is 0 or a positive errno. */
struct ktstr_kvm_check {
	int open_err;	   /**< open(O_RDWR) */
	int api_version;   /**< KVM_GET_API_VERSION result, -1 if not reached or failed */
	int create_vm_err; /**< KVM_CREATE_VM; 0 also when not reached (see api_version) */
};

/** @brief Run the /dev/kvm checks against @p dev (normally "/dev/kvm"). */
void ktstr_qemu_probe__kvm_check(const char *dev, struct ktstr_kvm_check *out);

/**
 * @brief Decide between KVM and TCG.
 *
 * KVM is usable only when the ioctl checks passed, a hardware module is
 * loaded (@p sysfs_root/module/kvm_intel or kvm_amd) and kvm_pvm is not
 * (it emulates guest kernel code and cannot boot Linux).
 * @param sysfs_root  normally "/sys"; tests pass a fake tree
 * @param detail      receives the reason in one line
 * @return KTSTR_ACCEL_KVM or KTSTR_ACCEL_TCG
 */
enum ktstr_accel ktstr_qemu_probe__decide(const char *sysfs_root, const struct ktstr_kvm_check *chk,
					  char *detail, size_t len);

/**
 * @brief Find @p name the way execvp would: a name with '/' is taken as is,
 *        otherwise each directory of @p path_env (NULL: "/bin:/usr/bin").
 * @return 0 with the path in @p out; -ENOENT; -ENAMETOOLONG when a name
 *         with '/' does not fit @p out (PATH entries that do not fit are skipped)
 */
int ktstr_qemu_probe__which(const char *name, const char *path_env, char *out, size_t len);

#endif
