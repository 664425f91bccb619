#define _GNU_SOURCE
#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ktstr_fs__mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(buf)) {
		return -ENAMETOOLONG;
	}
	memcpy(buf, path, n + 1);
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/') {
			continue;
		}
		*p = '\0';
		if (mkdir(buf, mode) != 0 && errno != EEXIST) {
			return -errno;
		}
		*p = '/';
	}
	if (mkdir(buf, mode) != 0 && errno != EEXIST) {
		return -errno;
	}
	return 0;
}

int ktstr_fs__read_file(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0) {
		return -errno;
	}
	buf = malloc(cap);
	if (buf == NULL) {
		close(fd);
		return -ENOMEM;
	}
	for (;;) {
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (nb == NULL) {
				free(buf);
				close(fd);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR) {
				continue;
			}
			int err = -errno;
			free(buf);
			close(fd);
			return err;
		}
		if (r == 0) {
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	if (len != NULL) {
		*len = n;
	}
	return 0;
}

int ktstr_fs__write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int ktstr_fs__write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= (int)sizeof(tmp)) {
		return -ENAMETOOLONG;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	err = ktstr_fs__write_all(fd, data, len);
	if (err == 0 && fchmod(fd, mode) != 0) {
		err = -errno;
	}
	if (err == 0 && fsync(fd) != 0) {
		err = -errno;
	}
	if (close(fd) != 0 && err == 0) {
		err = -errno;
	}
	if (err == 0 && rename(tmp, path) != 0) {
		err = -errno;
	}
	if (err != 0) {
		unlink(tmp);
	}
	return err;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path) != 0 && errno != ENOENT ? -1 : 0;
}

int ktstr_fs__rm_rf(const char *path)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		return errno == ENOENT ? 0 : -errno;
	}
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) != 0) {
		return errno != 0 ? -errno : -EIO;
	}
	return 0;
}

/* Copy up to @p left bytes with read/write; returns bytes copied or -1 (errno set). */
static ssize_t copy_by_read(int in, int out, off_t left)
{
	char buf[65536];
	ssize_t r = read(in, buf, left < (off_t)sizeof(buf) ? (size_t)left : sizeof(buf));

	if (r > 0 && ktstr_fs__write_all(out, buf, (size_t)r) != 0) {
		return -1;
	}
	return r;
}

int ktstr_fs__copy_file(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out, err = 0;
	struct stat st;

	if (in < 0) {
		return -errno;
	}
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		err = -errno;
		close(in);
		return err;
	}
	if (fstat(in, &st) != 0) {
		err = -errno;
	}
	for (off_t left = st.st_size; err == 0 && left > 0;) {
		ssize_t n = copy_file_range(in, NULL, out, NULL, (size_t)left, 0);
		if (n < 0 && (errno == EXDEV || errno == EOPNOTSUPP || errno == ENOSYS ||
			      errno == EINVAL)) {
			n = copy_by_read(in, out, left); /* another filesystem, or no support */
		}
		if (n < 0) {
			err = errno == EINTR ? 0 : -errno;
			continue;
		}
		if (n == 0) {
			break;
		}
		left -= n;
	}
	close(in);
	if (close(out) != 0 && err == 0) {
		err = -errno;
	}
	return err;
}
