/* Cache-entry flocks: {root}/.locks/{key}.lock, timeouts by polling, holders from /proc/locks. */
#include "kcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "registry_internal.h"

#define LOCK_POLL_MS 100
#define LOCK_MAX_HOLDERS 8

static const struct {
	unsigned long magic;
	const char *name;
} bad_fs[] = {
    {0x6969, "NFS"},	  {0xFF534D42, "CIFS"}, {0xFE534D42, "SMB2"},
    {0x00C36400, "Ceph"}, {0x6B414653, "AFS"},	{0x65735546, "FUSE"},
};

const char *ktstr_kcache__fs_refused(unsigned long magic)
{
	for (size_t i = 0; i < sizeof(bad_fs) / sizeof(bad_fs[0]); i++) {
		if (bad_fs[i].magic == (magic & 0xffffffffUL)) {
			return bad_fs[i].name;
		}
	}
	return NULL;
}

int ktstr_kcache__lock_fs_check(const char *path, char *err, size_t errlen)
{
	char parent[PATH_MAX];
	struct statfs sf;
	const char *name;
	char *slash;

	if (statfs(path, &sf) < 0) {
		snprintf(parent, sizeof(parent), "%s", path);
		slash = strrchr(parent, '/');
		if (slash != NULL) {
			*slash = '\0';
		}
		if (slash == NULL || statfs(parent[0] != '\0' ? parent : "/", &sf) < 0) {
			return 0; /* nothing to look at: open() will say what is wrong */
		}
	}
	name = ktstr_kcache__fs_refused((unsigned long)sf.f_type);
	if (name == NULL) {
		return 0;
	}
	snprintf(err, errlen,
		 "%s: filesystem %s is not supported for ktstr lockfiles (flock there is not "
		 "coherent between clients, or not implemented). Move the lockfile path to a local "
		 "filesystem (set KTSTR_CACHE_DIR to a directory on local disk)",
		 path, name);
	return -ENOTSUP;
}

/* maj:min of the mount covering @p path (longest mountinfo prefix), else st_dev. */
static void lock__devno(const char *path, const struct stat *st, unsigned *maj, unsigned *min)
{
	char real[PATH_MAX], line[PATH_MAX * 2], mnt[PATH_MAX];
	size_t best = 0;
	unsigned a, b;
	FILE *f;

	*maj = major(st->st_dev);
	*min = minor(st->st_dev);
	f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL || realpath(path, real) == NULL) {
		if (f != NULL) {
			fclose(f);
		}
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n;

		if (sscanf(line, "%*s %*s %u:%u %*s %4095s", &a, &b, mnt) != 3) {
			continue;
		}
		n = strlen(mnt);
		if (strncmp(real, mnt, n) == 0 &&
		    (real[n] == '/' || real[n] == '\0' || strcmp(mnt, "/") == 0) && n >= best) {
			best = n;
			*maj = a;
			*min = b;
		}
	}
	fclose(f);
}

/* The pids holding an flock on @p fd's file (waiters excluded); @p excl: the first's is LOCK_EX. */
static size_t lock__holder_pids(int fd, const char *path, pid_t *pids, size_t max, bool *excl)
{
	char needle[64], by_stat[64], line[256], kind[16], mode[16], dev[64];
	unsigned maj, min;
	struct stat st;
	size_t n = 0;
	FILE *f;
	int pid;

	if (fstat(fd, &st) < 0 || (f = fopen("/proc/locks", "re")) == NULL) {
		return 0;
	}
	lock__devno(path, &st, &maj, &min);
	snprintf(needle, sizeof(needle), "%02x:%02x:%lu", maj, min, (unsigned long)st.st_ino);
	/* st_dev as well: mountinfo's escaped mount points (\040) can miss the mount */
	snprintf(by_stat, sizeof(by_stat), "%02x:%02x:%lu", major(st.st_dev), minor(st.st_dev),
		 (unsigned long)st.st_ino);
	while (n < max && fgets(line, sizeof(line), f) != NULL) {
		if (strstr(line, "->") != NULL ||
		    sscanf(line, "%*s %15s %*s %15s %d %63s", kind, mode, &pid, dev) != 4) {
			continue;
		}
		if (strcmp(kind, "FLOCK") == 0 && pid > 0 &&
		    (strcmp(dev, needle) == 0 || strcmp(dev, by_stat) == 0)) {
			if (n == 0 && excl != NULL) {
				*excl = strcmp(mode, "WRITE") == 0;
			}
			pids[n++] = pid;
		}
	}
	fclose(f);
	return n;
}

static void lock__cmdline(pid_t pid, char *out, size_t len)
{
	char path[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, out, len < 101 ? len - 1 : 100) : -1;
	if (fd >= 0) {
		close(fd);
	}
	if (n <= 0) {
		/* flock(1) and the like lock a descriptor their parent keeps */
		snprintf(out, len, "<exited; the lock lives on in a process that inherited it>");
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		out[i] = out[i] == '\0' ? ' ' : out[i];
	}
	while (n > 0 && out[n - 1] == ' ') {
		n--;
	}
	out[n] = '\0';
}

void ktstr_kcache__lock_holders(int fd, const char *path, char *out, size_t len)
{
	pid_t pids[LOCK_MAX_HOLDERS];
	size_t n = lock__holder_pids(fd, path, pids, LOCK_MAX_HOLDERS, NULL), used = 0;
	char cmd[128];

	snprintf(out, len, "<none recorded>");
	for (size_t i = 0; i < n && used < len; i++) {
		int w;

		lock__cmdline(pids[i], cmd, sizeof(cmd));
		w = snprintf(out + used, len - used, "%s  pid=%d cmd=%s", i ? "\n" : "",
			     (int)pids[i], cmd);
		used += w > 0 ? (size_t)w : 0;
	}
}

static uint64_t lock__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Said once per wait, on a terminal only: who we are waiting for. */
static void lock__say_waiting(int fd, const char *path, const char *key)
{
	bool excl = true;
	pid_t pid;

	if (!isatty(STDERR_FILENO)) {
		return;
	}
	if (lock__holder_pids(fd, path, &pid, 1, &excl) == 0) {
		KTSTR_INFO("waiting for another ktstr holding %s", key);
	} else if (excl) {
		KTSTR_INFO("waiting for another ktstr installing %s (pid %d)", key, (int)pid);
	} else {
		KTSTR_INFO("waiting for the ktstr runs using %s to finish (pid %d)", key, (int)pid);
	}
}

/* A patient wait goes on past its deadline while an installer (a LOCK_EX holder) is there. */
static bool lock__installer_busy(int fd, const char *path, const char *key)
{
	bool excl = false;
	pid_t pid;

	if (lock__holder_pids(fd, path, &pid, 1, &excl) == 0 || !excl) {
		return false;
	}
	KTSTR_INFO("still waiting for pid %d installing %s", (int)pid, key);
	return true;
}

static int lock__wait(int fd, const char *path, const char *key, int op, unsigned timeout_ms,
		      char *err, size_t errlen)
{
	uint64_t deadline = lock__now_ms() + timeout_ms;
	bool patient = (op & KTSTR_KCACHE_LOCK_PATIENT) != 0;
	char holders[1024];
	bool said = false;

	op &= ~KTSTR_KCACHE_LOCK_PATIENT;

	while (flock(fd, op | LOCK_NB) < 0) {
		const struct timespec poll = {0, LOCK_POLL_MS * 1000000L};

		if (errno == EINTR) {
			continue;
		}
		if (errno != EWOULDBLOCK) {
			int e = errno;

			snprintf(err, errlen, "flock %s: %s", path, strerror(e));
			return -e;
		}
		if (patient && timeout_ms != 0 && lock__now_ms() >= deadline &&
		    lock__installer_busy(fd, path, key)) {
			deadline = lock__now_ms() + timeout_ms;
		}
		if (timeout_ms == 0 || lock__now_ms() >= deadline) {
			const char *mode = op == LOCK_EX ? "LOCK_EX" : "LOCK_SH";

			ktstr_kcache__lock_holders(fd, path, holders, sizeof(holders));
			if (timeout_ms == 0) {
				snprintf(err, errlen,
					 "flock %s on cache entry \"%s\" is held (lockfile %s, "
					 "holders: %s).",
					 mode, key, path, holders);
				return -EWOULDBLOCK;
			}
			snprintf(err, errlen,
				 "flock %s on cache entry \"%s\" timed out after %us (lockfile %s, "
				 "holders: %s).",
				 mode, key, timeout_ms / 1000, path, holders);
			return -ETIMEDOUT;
		}
		if (ktstr_host_api_v1.cancelled()) {
			snprintf(err, errlen,
				 "interrupted while waiting for the lock on cache entry "
				 "\"%s\"",
				 key);
			return -ECANCELED;
		}
		if (!said) {
			lock__say_waiting(fd, path, key);
			said = true;
		}
		KTSTR_DBG("waiting on flock at \"%s\"", path);
		nanosleep(&poll, NULL);
	}
	return 0;
}

int ktstr_kcache__lock(const char *root, const char *key, int op, unsigned timeout_ms, int *fd_out,
		       char *err, size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX];
	int fd, rc;

	*fd_out = -1;
	if (!ktstr_kcache__key_valid(key)) {
		snprintf(err, errlen, "\"%s\" is not a valid cache key", key);
		return -EINVAL;
	}
	snprintf(dir, sizeof(dir), "%s/.locks", root);
	if (snprintf(path, sizeof(path), "%s/%s.lock", dir, key) >= (int)sizeof(path)) {
		snprintf(err, errlen, "lockfile path for %s is too long", key);
		return -ENAMETOOLONG;
	}
	rc = ktstr_fs__mkdir_p(dir, 0755);
	if (rc < 0) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(-rc));
		return rc;
	}
	rc = ktstr_kcache__lock_fs_check(path, err, errlen);
	if (rc < 0) {
		return rc;
	}
	fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0666);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open lockfile %s: %s", path, strerror(-rc));
		return rc;
	}
	rc = lock__wait(fd, path, key, op, timeout_ms, err, errlen);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	*fd_out = fd;
	return 0;
}

void ktstr_kcache__unlock(int fd)
{
	if (fd >= 0) {
		close(fd);
	}
}
