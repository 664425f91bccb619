#include "fileio.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int ktstr_file__read(const char *path, char *buf, size_t len)
{
	size_t used = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	for (;;) {
		ssize_t n;

		if (used + 1 >= len) {
			char probe;

			/* Full: it fits only if nothing is left. */
			n = read(fd, &probe, 1);
			err = n == 0 ? 0 : n < 0 ? -errno : -EFBIG;
			break;
		}
		n = read(fd, buf + used, len - 1 - used);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			err = -errno;
			break;
		}
		if (n == 0) {
			break;
		}
		used += (size_t)n;
	}
	close(fd);
	if (err) {
		return err;
	}
	while (used > 0 && isspace((unsigned char)buf[used - 1])) {
		used--;
	}
	buf[used] = '\0';
	return 0;
}

int ktstr_file__read_at(const char *root, const char *rel, char *buf, size_t len)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof(path), "%s%s", root, rel);

	if (n < 0 || (size_t)n >= sizeof(path)) {
		return -ENAMETOOLONG;
	}
	return ktstr_file__read(path, buf, len);
}

int ktstr_file__write(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	/* cgroupfs takes one value per write(); never split it. */
	do {
		n = write(fd, text, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		err = -errno;
	} else if ((size_t)n != len) {
		err = -EIO;
	}
	if (close(fd) != 0 && err == 0) {
		err = -errno;
	}
	return err;
}

int ktstr_file__read_tail(const char *path, size_t max, char **out, size_t *outlen)
{
	struct stat st;
	size_t used = 0, cap;
	char *buf;
	int fd, err = 0;

	*out = NULL;
	*outlen = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		return -errno;
	}
	if (fstat(fd, &st) != 0) {
		err = -errno;
		goto err_fd;
	}
	if ((size_t)st.st_size > max && lseek(fd, st.st_size - (off_t)max, SEEK_SET) < 0) {
		err = -errno;
		goto err_fd;
	}
	cap = max;
	buf = malloc(cap + 1);
	if (buf == NULL) {
		err = -ENOMEM;
		goto err_fd;
	}
	while (used < cap) {
		ssize_t n = read(fd, buf + used, cap - used);

		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0) {
			err = -errno;
			free(buf);
			goto err_fd;
		}
		if (n == 0) {
			break;
		}
		used += (size_t)n;
	}
	buf[used] = '\0';
	*out = buf;
	*outlen = used;
err_fd:
	close(fd);
	return err;
}
