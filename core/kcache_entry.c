/* One cache entry directory: load and check it, describe it as a kernel. */
#include "kcache.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"

static bool entry__is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* {dir}/{name} into @p out when it is a regular file, else "" */
static void entry__optional(const char *dir, const char *name, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= len || !entry__is_file(out)) {
		out[0] = '\0';
	}
}

/* Sum of the sizes of the files directly in @p dir (entries are flat). */
static uint64_t entry__size(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *de;
	uint64_t sum = 0;
	struct stat st;
	DIR *d = opendir(dir);

	if (d == NULL) {
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) < (int)sizeof(path) &&
		    lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			sum += (uint64_t)st.st_size;
		}
	}
	closedir(d);
	return sum;
}

int ktstr_kcache_entry__load(const char *root, const char *key, struct ktstr_kcache_entry *out)
{
	char path[PATH_MAX];
	struct stat st;
	int n, rc;

	memset(out, 0, sizeof(*out));
	n = snprintf(out->path, sizeof(out->path), "%s/%s", root, key);
	if (n < 0 || (size_t)n >= sizeof(out->path) - 32 || strlen(key) >= sizeof(out->key)) {
		return -ENAMETOOLONG;
	}
	snprintf(out->key, sizeof(out->key), "%s", key);
	if (stat(out->path, &st) < 0 || !S_ISDIR(st.st_mode)) {
		return -ENOTDIR;
	}
	out->size_bytes = entry__size(out->path);
	snprintf(path, sizeof(path), "%s/metadata.json", out->path);
	rc = ktstr_kcache_meta__load(path, &out->meta, &out->err, out->why, sizeof(out->why));
	if (rc < 0) {
		if (out->err == KTSTR_KCACHE_OK) {
			out->err = KTSTR_KCACHE_UNKNOWN;
		}
		return -EINVAL;
	}
	n = snprintf(out->image, sizeof(out->image), "%s/%s", out->path, out->meta.image_name);
	if (n < 0 || (size_t)n >= sizeof(out->image) || !entry__is_file(out->image)) {
		out->err = KTSTR_KCACHE_IMAGE_MISSING;
		snprintf(out->why, sizeof(out->why), "image file %s missing from entry directory",
			 out->meta.image_name);
		out->image[0] = '\0';
		return -EINVAL;
	}
	entry__optional(out->path, "vmlinux", out->vmlinux, sizeof(out->vmlinux));
	entry__optional(out->path, "config", out->config, sizeof(out->config));
	return 0;
}

int ktstr_kcache__describe(const struct ktstr_kcache_entry *e, const char *origin,
			   struct ktstr_kernel *k)
{
	char line[NAME_MAX + 128];
	int rc;

	if (e->meta.has_vmlinux && !e->meta.vmlinux_stripped) {
		KTSTR_WARN("cache entry %s holds an unstripped vmlinux (large); rebuild it to "
			   "store a stripped one",
			   e->key);
	}
	rc = ktstr_kernel__set(k, KTSTR_KERNEL_IMAGE, e->image);
	if (rc == 0 && e->vmlinux[0] != '\0') {
		rc = ktstr_kernel__set(k, KTSTR_KERNEL_VMLINUX, e->vmlinux);
	}
	if (rc == 0 && e->meta.version[0] != '\0') {
		rc = ktstr_kernel__set(k, KTSTR_KERNEL_VERSION, e->meta.version);
	}
	if (rc == 0) {
		rc = ktstr_kernel__set(k, KTSTR_KERNEL_CACHE_KEY, e->key);
	}
	if (rc == 0 && e->config[0] != '\0') {
		rc = ktstr_kernel__set(k, KTSTR_KERNEL_CONFIG, e->config);
	}
	if (rc == 0) {
		snprintf(line, sizeof(line), "%s %s", origin != NULL ? origin : "cache entry",
			 e->key);
		rc = ktstr_kernel__set(k, KTSTR_KERNEL_ORIGIN, line);
	}
	return rc;
}
