#include "build_tree.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "build_conf.h"
#include "build_proc.h"

int ktstr_build_tree__git(const char *dir, struct ktstr_build_git *out, char *err, size_t errlen)
{
	const char *top_argv[] = {"git", "-C", dir, "rev-parse", "--show-toplevel", NULL};
	const char *head_argv[] = {"git", "-C", dir, "rev-parse", "--verify", "-q", "HEAD", NULL};
	const char *status_argv[] = {
	    "git", "-C", dir, "status", "--porcelain", "-uno", "--ignore-submodules=all", NULL};
	char buf[4096];
	int rc;

	memset(out, 0, sizeof(*out));
	out->dirty = true;
	rc = ktstr_build_proc__capture(top_argv, NULL, buf, sizeof(buf));
	if (rc < 0) {
		snprintf(err, errlen, "cannot run git to inspect %s: %s", dir, strerror(-rc));
		return rc;
	}
	if (rc == 127) {
		snprintf(err, errlen, "cannot run git to inspect %s: git is not installed", dir);
		return -ENOENT;
	}
	if (rc != 0 || strcmp(buf, dir) != 0) {
		return 0; /* not a work tree of its own */
	}
	rc = ktstr_build_proc__capture(head_argv, NULL, buf, sizeof(buf));
	if (rc != 0 || strlen(buf) < 7) {
		return 0; /* no commit yet */
	}
	memcpy(out->hash7, buf, 7);
	out->hash7[7] = '\0';
	out->is_git = true;
	rc = ktstr_build_proc__capture(status_argv, NULL, buf, sizeof(buf));
	if (rc != 0) {
		snprintf(err, errlen, "git status failed in %s (exit %d)", dir, rc);
		return -EIO;
	}
	out->dirty = buf[0] != '\0';
	return 0;
}

/* "  pid=N cmd=..." for each process /proc/locks says holds a lock on @fd's file. */
static void holders(int fd, char *out, size_t len)
{
	char needle[64], line[512];
	size_t used = 0;
	struct stat st;
	FILE *locks;

	out[0] = '\0';
	if (fstat(fd, &st) != 0 || (locks = fopen("/proc/locks", "re")) == NULL) {
		snprintf(out, len, "<none recorded>");
		return;
	}
	snprintf(needle, sizeof(needle), " %02x:%02x:%" PRIuMAX " ", major(st.st_dev),
		 minor(st.st_dev), (uintmax_t)st.st_ino);
	while (fgets(line, sizeof(line), locks) != NULL) {
		char path[64], cmd[101] = "";
		unsigned pid;
		ssize_t n;
		int cfd, w;

		if (strstr(line, "FLOCK") == NULL || strstr(line, needle) == NULL ||
		    sscanf(line, "%*s %*s %*s %*s %u", &pid) != 1) {
			continue;
		}
		snprintf(path, sizeof(path), "/proc/%u/cmdline", pid);
		cfd = open(path, O_RDONLY | O_CLOEXEC);
		if (cfd >= 0) {
			n = read(cfd, cmd, sizeof(cmd) - 1);
			close(cfd);
			for (ssize_t i = 0; i < n; i++) {
				cmd[i] = cmd[i] == '\0' ? ' ' : cmd[i];
			}
			cmd[n > 0 ? n : 0] = '\0';
		}
		w = snprintf(out + used, len - used, "%s  pid=%u cmd=%s", used ? "\n" : "", pid,
			     cmd);
		if (w > 0 && (size_t)w < len - used) {
			used += (size_t)w;
		}
	}
	fclose(locks);
	if (used == 0) {
		snprintf(out, len, "<none recorded>");
	}
}

int ktstr_build_tree__lock(const char *cache_root, const char *dir, char *err, size_t errlen)
{
	char path[4096], who[1024];
	int fd;

	snprintf(path, sizeof(path), "%s/.locks", cache_root);
	/* mkdir -p: the cache root is created lazily */
	for (char *s = strchr(path + 1, '/');; s = strchr(s + 1, '/')) {
		if (s != NULL) {
			*s = '\0';
		}
		if (mkdir(path, 0755) != 0 && errno != EEXIST) {
			int e = errno;

			snprintf(err, errlen, "cannot create %s: %s", path, strerror(e));
			return -e;
		}
		if (s == NULL) {
			break;
		}
		*s = '/';
	}
	snprintf(path, sizeof(path), "%s/.locks/source-%08x.lock", cache_root,
		 ktstr_build__crc32(0, dir, strlen(dir)));
	fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0666);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open the source-tree lock %s: %s", path,
			 strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		return fd;
	}
	if (errno != EWOULDBLOCK) {
		int e = errno;

		snprintf(err, errlen, "cannot lock %s: %s", path, strerror(e));
		close(fd);
		return -e;
	}
	holders(fd, who, sizeof(who));
	close(fd);
	snprintf(err, errlen,
		 "source tree %s is being built by another process (lockfile %s, holders:\n%s)\n"
		 "wait for it to finish, or build another copy of the tree",
		 dir, path, who);
	return -EBUSY;
}
