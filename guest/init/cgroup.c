#include "cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "timeutil.h"

#define CONTROLLERS "+cpuset +cpu"

static int path_of(char *buf, size_t len, const char *dir, const char *name, const char *file)
{
	int n = snprintf(buf, len, "%s/%s%s%s", dir, name, file[0] ? "/" : "", file);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int enable_controllers(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX + 32];
	int rc;

	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	rc = ktstr_file__write(path, CONTROLLERS);
	if (rc) {
		snprintf(err, errlen,
			 "cannot write '" CONTROLLERS "' to %s: %s (the guest kernel needs "
			 "CONFIG_CPUSETS and CONFIG_CGROUP_SCHED)",
			 path, strerror(-rc));
	}
	return rc;
}

int ktstr_cgroup__setup(struct ktstr_cgroup_mgr *m, const char *root, const char *base, char *err,
			size_t errlen)
{
	int rc;

	memset(m, 0, sizeof(*m));
	if (snprintf(m->root, sizeof(m->root), "%s", root) >= (int)sizeof(m->root) ||
	    path_of(m->base, sizeof(m->base), root, base, "") != 0) {
		snprintf(err, errlen, "cgroup path %s/%s too long", root, base);
		return -ENAMETOOLONG;
	}
	rc = enable_controllers(m->root, err, errlen);
	if (rc) {
		return rc;
	}
	if (mkdir(m->base, 0755) != 0 && errno != EEXIST) {
		rc = -errno;
		snprintf(err, errlen, "cannot create cgroup %s: %s", m->base, strerror(-rc));
		return rc;
	}
	return enable_controllers(m->base, err, errlen);
}

int ktstr_cgroup__create(const struct ktstr_cgroup_mgr *m, const char *name, char *err,
			 size_t errlen)
{
	char path[PATH_MAX];
	int rc = path_of(path, sizeof(path), m->base, name, "");

	if (rc == 0 && mkdir(path, 0755) != 0 && errno != EEXIST) {
		rc = -errno;
	}
	if (rc) {
		snprintf(err, errlen, "cannot create cgroup %s/%s: %s", m->base, name,
			 strerror(-rc));
	}
	return rc;
}

static int write_pid(const char *path, pid_t pid)
{
	char text[24];
	int rc;

	snprintf(text, sizeof(text), "%d", (int)pid);
	for (int attempt = 0;; attempt++) {
		rc = ktstr_file__write(path, text);
		if (rc != -EBUSY || attempt == 3) {
			break;
		}
		ktstr_sleep_ms(100);
	}
	return rc == -ESRCH ? 0 : rc;
}

int ktstr_cgroup__move(const struct ktstr_cgroup_mgr *m, const char *name, pid_t pid, char *err,
		       size_t errlen)
{
	char path[PATH_MAX];
	int rc = path_of(path, sizeof(path), m->base, name, "cgroup.procs");

	if (rc == 0) {
		rc = write_pid(path, pid);
	}
	if (rc) {
		snprintf(err, errlen, "cannot move pid %d into cgroup %s/%s: %s", (int)pid, m->base,
			 name, strerror(-rc));
	}
	return rc;
}

/* Move every pid listed in @p from to @p to_procs. */
static int drain(const char *from, const char *to_procs)
{
	char *text, *save = NULL;
	size_t len;
	int rc = ktstr_file__read_tail(from, 1 << 20, &text, &len);

	if (rc) {
		return rc;
	}
	for (char *tok = strtok_r(text, "\n", &save); tok != NULL && rc == 0;
	     tok = strtok_r(NULL, "\n", &save)) {
		rc = write_pid(to_procs, (pid_t)atoi(tok));
	}
	free(text);
	return rc;
}

int ktstr_cgroup__remove(const struct ktstr_cgroup_mgr *m, const char *name, char *err,
			 size_t errlen)
{
	char dir[PATH_MAX], procs[PATH_MAX], root_procs[PATH_MAX];
	int rc = path_of(dir, sizeof(dir), m->base, name, "");

	if (rc == 0) {
		rc = path_of(procs, sizeof(procs), m->base, name, "cgroup.procs");
	}
	if (rc == 0) {
		rc = path_of(root_procs, sizeof(root_procs), m->root, "cgroup.procs", "");
	}
	if (rc == 0) {
		rc = drain(procs, root_procs);
	}
	if (rc == 0 && rmdir(dir) != 0) {
		rc = -errno;
	}
	if (rc) {
		snprintf(err, errlen, "cannot remove cgroup %s/%s: %s", m->base, name,
			 strerror(-rc));
	}
	return rc;
}

static int write_in(const struct ktstr_cgroup_mgr *m, const char *name, const char *file,
		    const char *text, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int rc = path_of(path, sizeof(path), m->base, name, file);

	if (rc == 0) {
		rc = ktstr_file__write(path, text);
	}
	if (rc) {
		snprintf(err, errlen, "cannot write '%s' to %s/%s/%s: %s", text, m->base, name,
			 file, strerror(-rc));
	}
	return rc;
}

int ktstr_cgroup__enable(const struct ktstr_cgroup_mgr *m, const char *name, char *err,
			 size_t errlen)
{
	return write_in(m, name, "cgroup.subtree_control", CONTROLLERS, err, errlen);
}

int ktstr_cgroup__disable(const struct ktstr_cgroup_mgr *m, const char *name, char *err,
			  size_t errlen)
{
	return write_in(m, name, "cgroup.subtree_control", "-cpuset -cpu", err, errlen);
}

int ktstr_cgroup__set_cpus(const struct ktstr_cgroup_mgr *m, const char *name, const char *cpulist,
			   char *err, size_t errlen)
{
	/* write() of zero bytes does not reach cgroupfs: clearing writes a newline. */
	return write_in(m, name, "cpuset.cpus", cpulist[0] ? cpulist : "\n", err, errlen);
}

int ktstr_cgroup__move_all(const struct ktstr_cgroup_mgr *m, const char *from, const char *to,
			   char *err, size_t errlen)
{
	char procs[PATH_MAX], to_procs[PATH_MAX];
	int rc = path_of(procs, sizeof(procs), m->base, from, "cgroup.procs");

	if (rc == 0) {
		rc = path_of(to_procs, sizeof(to_procs), m->base, to, "cgroup.procs");
	}
	if (rc == 0) {
		rc = drain(procs, to_procs);
	}
	if (rc) {
		snprintf(err, errlen, "cannot move the tasks of cgroup %s/%s to %s: %s", m->base,
			 from, to, strerror(-rc));
	}
	return rc;
}

int ktstr_cgroup__teardown(const struct ktstr_cgroup_mgr *m, char *err, size_t errlen)
{
	int rc = 0;

	if (rmdir(m->base) != 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot remove cgroup %s: %s", m->base, strerror(-rc));
	}
	return rc;
}
