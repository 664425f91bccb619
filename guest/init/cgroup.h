/*
 * cgroup v2 manager: the test's cgroups live below <root>/<base>
 * (/sys/fs/cgroup/ktstr in the VM). Paths are taken relative to a root so
 * tests can use a plain directory.
 */
#ifndef KTSTR_GUEST_CGROUP_H
#define KTSTR_GUEST_CGROUP_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define KTSTR_CGROUP_ROOT "/sys/fs/cgroup"
#define KTSTR_CGROUP_BASE "ktstr"

struct ktstr_cgroup_mgr {
	char root[PATH_MAX];
	char base[PATH_MAX]; /* root/base */
};

/**
 * @brief Enable "+cpuset +cpu" in root's and base's cgroup.subtree_control,
 *        creating base (an existing one is reused).
 * @return 0 or -errno with a one-line reason in @p err.
 */
int ktstr_cgroup__setup(struct ktstr_cgroup_mgr *m, const char *root, const char *base, char *err,
			size_t errlen);

/** @brief mkdir base/name; an existing one is reused. @return 0 or -errno (with @p err). */
int ktstr_cgroup__create(const struct ktstr_cgroup_mgr *m, const char *name, char *err,
			 size_t errlen);

/**
 * @brief Write @p pid into base/name/cgroup.procs. EBUSY is retried 3 times
 *        100 ms apart; ESRCH (the task already exited) counts as success.
 * @return 0 or -errno (with @p err).
 */
int ktstr_cgroup__move(const struct ktstr_cgroup_mgr *m, const char *name, pid_t pid, char *err,
		       size_t errlen);

/**
 * @brief Move any task left in base/name to the root cgroup, then rmdir it.
 * @return 0 or -errno (with @p err).
 */
int ktstr_cgroup__remove(const struct ktstr_cgroup_mgr *m, const char *name, char *err,
			 size_t errlen);

/** @brief Enable "+cpuset +cpu" for base/name's children. @return 0 or -errno (with @p err). */
int ktstr_cgroup__enable(const struct ktstr_cgroup_mgr *m, const char *name, char *err,
			 size_t errlen);

/**
 * @brief Clear base/name's cgroup.subtree_control ("-cpuset -cpu"), so tasks
 *        may live in it (cgroup v2 allows no tasks in a cgroup with
 *        controllers enabled for children). @return 0 or -errno (with @p err).
 */
int ktstr_cgroup__disable(const struct ktstr_cgroup_mgr *m, const char *name, char *err,
			  size_t errlen);

/** @brief Write @p cpulist ("" clears) to base/name/cpuset.cpus. @return 0 or -errno (with @p err).
 */
int ktstr_cgroup__set_cpus(const struct ktstr_cgroup_mgr *m, const char *name, const char *cpulist,
			   char *err, size_t errlen);

/**
 * @brief Write every pid of base/from/cgroup.procs into base/to/cgroup.procs.
 * @return 0 or -errno (with @p err).
 */
int ktstr_cgroup__move_all(const struct ktstr_cgroup_mgr *m, const char *from, const char *to,
			   char *err, size_t errlen);

/** @brief rmdir base (its child cgroups must be gone). @return 0 or -errno (with @p err). */
int ktstr_cgroup__teardown(const struct ktstr_cgroup_mgr *m, char *err, size_t errlen);

#endif
