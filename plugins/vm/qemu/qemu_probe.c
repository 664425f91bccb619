#include "qemu_probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

void ktstr_qemu_probe__kvm_check(const char *dev, struct ktstr_kvm_check *out)
{
	int fd, vm;

	out->open_err = 0;
	out->api_version = -1;
	out->create_vm_err = 0;
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		out->open_err = errno;
		return;
	}
	out->api_version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (out->api_version == KTSTR_KVM_API_VERSION) {
		vm = ioctl(fd, KVM_CREATE_VM, 0);
		if (vm < 0) {
			out->create_vm_err = errno;
		} else {
			close(vm);
		}
	}
	close(fd);
}

static bool probe__module_loaded(const char *sysfs_root, const char *module)
{
	char path[4096];
	struct stat st;
	int n;

	n = snprintf(path, sizeof(path), "%s/module/%s", sysfs_root, module);
	if (n < 0 || (size_t)n >= sizeof(path)) {
		return false;
	}
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

enum ktstr_accel ktstr_qemu_probe__decide(const char *sysfs_root, const struct ktstr_kvm_check *chk,
					  char *detail, size_t len)
{
	static const char tcg[] = "using TCG (software emulation)";

	if (chk->open_err != 0) {
		snprintf(detail, len, "kvm: cannot open /dev/kvm read-write: %s; %s",
			 strerror(chk->open_err), tcg);
		return KTSTR_ACCEL_TCG;
	}
	/* kvm_pvm answers every ioctl, so the module must be checked by name. */
	if (probe__module_loaded(sysfs_root, "kvm_pvm")) {
		snprintf(detail, len,
			 "kvm: /dev/kvm is served by kvm_pvm, which cannot boot Linux; %s", tcg);
		return KTSTR_ACCEL_TCG;
	}
	if (!probe__module_loaded(sysfs_root, "kvm_intel") &&
	    !probe__module_loaded(sysfs_root, "kvm_amd")) {
		snprintf(detail, len,
			 "kvm: no hardware KVM module (kvm_intel or kvm_amd) is loaded; %s", tcg);
		return KTSTR_ACCEL_TCG;
	}
	if (chk->api_version != KTSTR_KVM_API_VERSION) {
		snprintf(detail, len, "kvm: KVM_GET_API_VERSION returned %d, expected %d; %s",
			 chk->api_version, KTSTR_KVM_API_VERSION, tcg);
		return KTSTR_ACCEL_TCG;
	}
	if (chk->create_vm_err != 0) {
		snprintf(detail, len, "kvm: KVM_CREATE_VM failed: %s; %s",
			 strerror(chk->create_vm_err), tcg);
		return KTSTR_ACCEL_TCG;
	}
	snprintf(detail, len, "kvm: hardware virtualization through %s",
		 probe__module_loaded(sysfs_root, "kvm_intel") ? "kvm_intel" : "kvm_amd");
	return KTSTR_ACCEL_KVM;
}

static bool probe__executable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int ktstr_qemu_probe__which(const char *name, const char *path_env, char *out, size_t len)
{
	const char *dir;

	if (name[0] == '\0') {
		return -ENOENT;
	}
	if (strchr(name, '/') != NULL) {
		if (strlen(name) >= len) {
			return -ENAMETOOLONG;
		}
		strcpy(out, name);
		return probe__executable(out) ? 0 : -ENOENT;
	}
	dir = path_env != NULL ? path_env : "/bin:/usr/bin";
	for (;;) {
		size_t dlen = strcspn(dir, ":");
		int n;

		/* an empty PATH element means the current directory; too long ones are skipped */
		n = snprintf(out, len, "%.*s%s%s", (int)dlen, dir, dlen ? "/" : "./", name);
		if (n >= 0 && (size_t)n < len && probe__executable(out)) {
			return 0;
		}
		if (dir[dlen] == '\0') {
			break;
		}
		dir += dlen + 1;
	}
	return -ENOENT;
}
