/* Walking an extracted .deb (see debian_tree.h). */
#define _GNU_SOURCE
#include "debian_tree.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 16

bool debian_tree__is_image(const char *base)
{
	return strcmp(base, "vmlinuz") == 0 || strncmp(base, "vmlinuz-", 8) == 0;
}

bool debian_tree__is_config(const char *base)
{
	return strcmp(base, "config") == 0 || strncmp(base, "config-", 7) == 0;
}

static int find_in(const char *dir, bool (*match)(const char *), char *out, size_t outlen,
		   int depth)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), rc = -ENOENT;

	if (n < 0) {
		return errno == ENOENT || errno == ENOTDIR ? -ENOENT : -errno;
	}
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX];
		struct stat st;
		const char *base = names[i]->d_name;

		if (rc != -ENOENT || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 ||
		    snprintf(path, sizeof(path), "%s/%s", dir, base) >= (int)sizeof(path) ||
		    lstat(path, &st) != 0) {
			continue;
		}
		if (S_ISREG(st.st_mode) && match(base)) {
			snprintf(out, outlen, "%s", path);
			rc = 0;
		} else if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
			rc = find_in(path, match, out, outlen, depth + 1);
		}
	}
	for (int i = 0; i < n; i++) {
		free(names[i]);
	}
	free(names);
	return rc;
}

int debian_tree__find(const char *root, bool (*match)(const char *base), char *out, size_t outlen)
{
	static const char *const subs[] = {"usr/lib/modules", "boot"};
	char dir[PATH_MAX];
	int rc = -ENOENT;

	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]) && rc == -ENOENT; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, subs[i]);
		rc = find_in(dir, match, out, outlen, 0);
	}
	return rc;
}

static int rm_at(int dfd, const char *name, int depth)
{
	struct stat st;
	int rc = 0;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		return errno == ENOENT ? 0 : -errno;
	}
	if (S_ISDIR(st.st_mode)) {
		int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *d;
		struct dirent *e;

		if (fd < 0) {
			return -errno;
		}
		d = fdopendir(fd);
		if (d == NULL) {
			rc = -errno;
			close(fd);
			return rc;
		}
		while (rc == 0 && (e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
				rc = depth < 64 ? rm_at(fd, e->d_name, depth + 1) : -ELOOP;
			}
		}
		closedir(d);
		if (rc == 0 && unlinkat(dfd, name, AT_REMOVEDIR) != 0) {
			rc = -errno;
		}
		return rc;
	}
	return unlinkat(dfd, name, 0) != 0 && errno != ENOENT ? -errno : 0;
}

int debian_tree__rm(const char *path)
{
	return rm_at(AT_FDCWD, path, 0);
}
