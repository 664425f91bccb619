/* Sidecar files are written whole or not at all, and never over another file. */
#define _GNU_SOURCE
#include "sidecar_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ktstr_sidecar__mkdir_p(const char *dir)
{
	char buf[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(buf)) {
		return -ENAMETOOLONG;
	}
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/') {
			continue;
		}
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST) {
		return -errno;
	}
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR) {
			continue;
		}
		if (w < 0) {
			return -errno;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Fill a temp file in @p dir with @p data, durable before it gets its name. */
static int write_temp(char *tmp, const char *data, size_t len)
{
	int fd = mkostemp(tmp, O_CLOEXEC);
	int rc;

	if (fd < 0) {
		return -errno;
	}
	rc = write_all(fd, data, len);
	if (rc == 0 && fchmod(fd, 0644) != 0) {
		rc = -errno;
	}
	if (rc == 0 && fsync(fd) != 0) {
		rc = -errno;
	}
	if (close(fd) != 0 && rc == 0) {
		rc = -errno;
	}
	if (rc != 0) {
		unlink(tmp);
	}
	return rc;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* The file is complete under its name already; this only hastens the entry to disk. */
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int ktstr_sidecar__write_new(const char *dir, const char *stem, const char *data, size_t len,
			     char *path, size_t pathlen)
{
	char tmp[PATH_MAX];
	int rc;

	snprintf(path, pathlen, "%s/%s.ktstr.json", dir, stem);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, stem) >= sizeof(tmp)) {
		return -ENAMETOOLONG;
	}
	rc = write_temp(tmp, data, len);
	if (rc != 0) {
		return rc;
	}
	for (unsigned i = 0; i <= KTSTR_SIDECAR_MAX_SUFFIX; i++) {
		int n = i == 0 ? snprintf(path, pathlen, "%s/%s.ktstr.json", dir, stem)
			       : snprintf(path, pathlen, "%s/%s-%u.ktstr.json", dir, stem, i);

		if (n < 0 || (size_t)n >= pathlen) {
			rc = -ENAMETOOLONG;
			break;
		}
		/* RENAME_NOREPLACE: an existing result is never replaced, not even by a racing
		 * writer. */
		if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0) {
			sync_dir(dir);
			return 0;
		}
		if (errno != EEXIST) {
			rc = -errno;
			break;
		}
		rc = -EEXIST;
	}
	unlink(tmp);
	return rc;
}
