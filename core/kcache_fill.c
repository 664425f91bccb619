/* Completing a filled temporary entry: vmlinux (extracted, stripped), metadata.json, fsync. */
#include "kcache_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "vmlinux.h"

/* A bzImage carries "HdrS" at offset 0x202 (the x86 boot protocol header). */
static bool fill__is_bzimage(const char *path)
{
	char magic[4];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0) {
		return false;
	}
	ok = pread(fd, magic, sizeof(magic), 0x202) == (ssize_t)sizeof(magic) &&
	     memcmp(magic, "HdrS", 4) == 0;
	close(fd);
	return ok;
}

static bool fill__exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Leave {tmp}/vmlinux stripped when possible. @p raw is an unstripped ELF
 * (the fill's vmlinux, or one extracted from the image). A strip this build
 * cannot do (-ENOSYS) drops it; another strip failure keeps it unstripped
 * with a warning, as upstream does.
 */
static void fill__strip(const char *key, const char *raw, const char *vmlinux,
			struct kcache_vmlinux *out)
{
	char err[512];
	int rc = ktstr_vmlinux__strip(raw, vmlinux, err, sizeof(err));

	if (rc == 0) {
		unlink(raw);
		out->has = true;
		out->stripped = true;
		return;
	}
	unlink(vmlinux);
	if (rc == -ENOSYS) {
		KTSTR_DBG("cache entry %s: no vmlinux stored (%s)", key, err);
		unlink(raw);
		return;
	}
	KTSTR_WARN("cache entry %s: cannot strip vmlinux (%s); storing it unstripped", key, err);
	if (rename(raw, vmlinux) == 0) {
		out->has = true;
	}
}

void kcache__fill_vmlinux(const char *key, const char *tmp, const char *image_name,
			  struct kcache_vmlinux *out)
{
	char vmlinux[PATH_MAX], raw[PATH_MAX], image[PATH_MAX], err[512];
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(vmlinux, sizeof(vmlinux), "%s/vmlinux", tmp);
	snprintf(raw, sizeof(raw), "%s/vmlinux.raw", tmp);
	snprintf(image, sizeof(image), "%s/%s", tmp, image_name);
	if (fill__exists(vmlinux)) {
		if (rename(vmlinux, raw) == 0) {
			fill__strip(key, raw, vmlinux, out);
		}
		return;
	}
	if (!fill__is_bzimage(image)) {
		return;
	}
	rc = ktstr_vmlinux__extract(image, raw, err, sizeof(err));
	if (rc < 0) {
		unlink(raw);
		if (rc == -ENOEXEC || rc == -ENOSYS) {
			KTSTR_DBG("cache entry %s: no vmlinux extracted (%s)", key, err);
		} else {
			KTSTR_WARN("cache entry %s: cannot extract vmlinux from %s (%s); "
				   "storing none",
				   key, image_name, err);
		}
		return;
	}
	fill__strip(key, raw, vmlinux, out);
}

static int fill__fsync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);
	int rc = 0;

	if (fd < 0) {
		return -errno;
	}
	if (fsync(fd) < 0 && errno != EINVAL) {
		rc = -errno;
	}
	close(fd);
	return rc;
}

int kcache__fsync_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d = opendir(dir);
	int rc = 0;

	if (d == NULL) {
		return -errno;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		rc = fill__fsync_path(path, O_RDONLY);
	}
	closedir(d);
	return rc ?: fill__fsync_path(dir, O_RDONLY | O_DIRECTORY);
}
