/* The filesystems PID 1 mounts before anything else (docs/protocol.md section 2). */
#ifndef KTSTR_GUEST_MOUNTS_H
#define KTSTR_GUEST_MOUNTS_H

#include <stddef.h>

/**
 * @brief Mount proc, sysfs, devtmpfs, /tmp and cgroup2 (required), then
 *        debugfs, tracefs and bpf (failures only reported on stderr).
 *        Mount points are created; an already mounted target is fine.
 * @return 0, or -errno of the first required mount that failed, with
 *         "mount <fs> on <target>: <error>" in @p err.
 */
int ktstr_mounts__setup(char *err, size_t errlen);

#endif
