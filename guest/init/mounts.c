#include "mounts.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "diag.h"

struct mount_entry {
	const char *fstype, *target, *data;
	unsigned long flags;
	bool required;
};

static const struct mount_entry mounts[] = {
    {"proc", "/proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, true},
    {"sysfs", "/sys", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, true},
    {"devtmpfs", "/dev", "mode=0755", MS_NOSUID, true},
    {"tmpfs", "/tmp", "mode=1777", MS_NOSUID | MS_NODEV, true},
    {"cgroup2", "/sys/fs/cgroup", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, true},
    {"debugfs", "/sys/kernel/debug", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, false},
    {"tracefs", "/sys/kernel/tracing", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, false},
    {"bpf", "/sys/fs/bpf", "mode=0700", MS_NOSUID | MS_NODEV | MS_NOEXEC, false},
};

static int mount_one(const struct mount_entry *m)
{
	/* sysfs provides most targets itself; mkdir there fails with EEXIST. */
	if (mkdir(m->target, 0755) != 0 && errno != EEXIST) {
		return -errno;
	}
	if (mount(m->fstype, m->target, m->fstype, m->flags, m->data) != 0 && errno != EBUSY) {
		return -errno;
	}
	return 0;
}

int ktstr_mounts__setup(char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		const struct mount_entry *m = &mounts[i];
		int rc = mount_one(m);

		if (rc == 0) {
			continue;
		}
		if (m->required) {
			snprintf(err, errlen, "mount %s on %s: %s", m->fstype, m->target,
				 strerror(-rc));
			return rc;
		}
		ktstr_diag("optional mount %s on %s failed: %s", m->fstype, m->target,
			   strerror(-rc));
	}
	return 0;
}
