/* Shared by core/vmlinux_*.c: the temp file an output is written to before rename. */
#ifndef KTSTR_CORE_VMLINUX_INTERNAL_H
#define KTSTR_CORE_VMLINUX_INTERNAL_H

#include <limits.h>
#include <stddef.h>

struct ktstr_vmlinux_tmp {
	int fd;
	char path[PATH_MAX];
};

/** @brief Create "<out>.tmp-XXXXXX" (mode 0644) beside @p out. @return 0, -errno (err set) */
int ktstr_vmlinux_tmp__open(struct ktstr_vmlinux_tmp *t, const char *out, char *err, size_t errlen);

/** @brief fsync, close and rename onto @p out; removes the temp on failure. */
int ktstr_vmlinux_tmp__commit(struct ktstr_vmlinux_tmp *t, const char *out, char *err,
			      size_t errlen);

/** @brief Close and remove the temp file (after a failure). */
void ktstr_vmlinux_tmp__abort(struct ktstr_vmlinux_tmp *t);

#endif
