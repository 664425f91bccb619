#define _GNU_SOURCE
#include "local_resolve.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local_image.h"

/* Where a kernel tree or an install directory keeps its image, best first. */
static const char *const local_candidates[] = {"arch/x86/boot/bzImage", "bzImage", "vmlinuz",
					       "vmlinux"};

bool ktstr_local__is_path(const char *id)
{
	return strchr(id, '/') != NULL || id[0] == '.' || id[0] == '~';
}

static bool local__is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool local__join(char *out, size_t len, const char *dir, const char *name)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	return n >= 0 && (size_t)n < len;
}

/* "~" and "~/x" from @p home; other ids are copied. */
static int local__expand(const char *id, const char *home, char *out, size_t len, char *err,
			 size_t errlen)
{
	int n;

	if (id[0] == '~' && (id[1] == '\0' || id[1] == '/')) {
		if (home == NULL || home[0] == '\0') {
			snprintf(err, errlen,
				 "kernel path %s: HOME is not set, so ~ cannot be "
				 "expanded; give the path without ~",
				 id);
			return -ENOENT;
		}
		n = snprintf(out, len, "%s%s", home, id + 1);
	} else {
		n = snprintf(out, len, "%s", id);
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "kernel path %.64s...: path is too long", id);
		return -ENAMETOOLONG;
	}
	return 0;
}

/* The first candidate in @p dir that is an image; -ENOENT / -ENOEXEC with a message. */
static int local__probe_dir(const char *id, const char *dir, char *image, size_t len, char *err,
			    size_t errlen)
{
	char bad[PATH_MAX] = "";

	for (size_t i = 0; i < sizeof(local_candidates) / sizeof(local_candidates[0]); i++) {
		enum ktstr_kimage_kind kind;

		if (!local__join(image, len, dir, local_candidates[i]) || !local__is_file(image)) {
			continue;
		}
		if (ktstr_kimage__inspect(image, &kind, NULL, 0) == 0 &&
		    kind != KTSTR_KIMAGE_NONE) {
			return 0;
		}
		if (bad[0] == '\0') {
			snprintf(bad, sizeof(bad), "%s", local_candidates[i]);
		}
	}
	if (bad[0] != '\0') {
		snprintf(err, errlen,
			 "kernel path %s: %s is not a bzImage or an x86-64 ELF vmlinux", id, bad);
		return -ENOEXEC;
	}
	snprintf(err, errlen,
		 "kernel path %s: no kernel image found (looked for "
		 "arch/x86/boot/bzImage, bzImage, vmlinuz, vmlinux)",
		 id);
	return -ENOENT;
}

/* {d}/vmlinux, then {d}/../../../vmlinux (a tree's root seen from arch/x86/boot). */
static void local__find_vmlinux(const char *image_dir, char out[PATH_MAX])
{
	static const char *const rel[] = {"vmlinux", "../../../vmlinux"};
	char path[PATH_MAX];

	for (size_t i = 0; i < 2; i++) {
		enum ktstr_kimage_kind kind;

		if (local__join(path, sizeof(path), image_dir, rel[i]) && local__is_file(path) &&
		    ktstr_kimage__inspect(path, &kind, NULL, 0) == 0 && kind == KTSTR_KIMAGE_ELF &&
		    realpath(path, out) != NULL) {
			return;
		}
	}
	out[0] = '\0';
}

static bool local__find_config_in(const char *dir, char out[PATH_MAX])
{
	static const char *const names[] = {".config", "config"};
	char path[PATH_MAX];

	for (size_t i = 0; i < 2; i++) {
		if (local__join(path, sizeof(path), dir, names[i]) && local__is_file(path) &&
		    realpath(path, out) != NULL) {
			return true;
		}
	}
	return false;
}

/* .config or config in @p base, else in the tree root when the image is arch/x86/boot/x. */
static void local__find_config(const char *base, const char *image_dir, char out[PATH_MAX])
{
	static const char suffix[] = "/arch/x86/boot";
	size_t dlen = strlen(image_dir), slen = sizeof(suffix) - 1;
	char root[PATH_MAX];

	if (local__find_config_in(base, out)) {
		return;
	}
	if (dlen > slen && strcmp(image_dir + dlen - slen, suffix) == 0) {
		snprintf(root, sizeof(root), "%.*s", (int)(dlen - slen), image_dir);
		if (local__find_config_in(root, out)) {
			return;
		}
	}
	out[0] = '\0';
}

static int local__stat_error(const char *id, const char *path, int e, char *err, size_t errlen)
{
	char cwd[PATH_MAX];

	if (path[0] != '/' && e == ENOENT && getcwd(cwd, sizeof(cwd)) != NULL) {
		snprintf(err, errlen, "kernel path %s: %s (relative to %s)", id, strerror(e), cwd);
	} else {
		snprintf(err, errlen, "kernel path %s: %s", id, strerror(e));
	}
	return e == ENOTDIR ? -ENOENT : -e;
}

int ktstr_local__resolve(const char *id, const char *home, struct ktstr_local_kernel *out,
			 char *err, size_t errlen)
{
	char path[PATH_MAX], abs[PATH_MAX], image[PATH_MAX], image_dir[PATH_MAX];
	enum ktstr_kimage_kind kind;
	struct stat st;
	char *slash;
	int rc;

	memset(out, 0, sizeof(*out));
	if (errlen > 0) {
		err[0] = '\0';
	}
	if (!ktstr_local__is_path(id)) {
		return -ENOENT;
	}
	rc = local__expand(id, home, path, sizeof(path), err, errlen);
	if (rc < 0) {
		return rc;
	}
	if (stat(path, &st) < 0 || realpath(path, abs) == NULL) {
		return local__stat_error(id, path, errno, err, errlen);
	}
	if (S_ISDIR(st.st_mode)) {
		rc = local__probe_dir(id, abs, image, sizeof(image), err, errlen);
		if (rc < 0) {
			return rc;
		}
	} else if (S_ISREG(st.st_mode)) {
		snprintf(image, sizeof(image), "%s", abs);
	} else {
		snprintf(err, errlen,
			 "kernel path %s: %s is not a regular file (a FIFO, device or socket)", id,
			 abs);
		return -EINVAL;
	}
	rc = ktstr_kimage__inspect(image, &kind, out->version, sizeof(out->version));
	if (rc < 0) {
		snprintf(err, errlen, "kernel path %s: cannot read %s: %s", id, image,
			 strerror(-rc));
		return rc;
	}
	if (kind == KTSTR_KIMAGE_NONE) {
		snprintf(err, errlen, "kernel path %s: not a bzImage or an x86-64 ELF vmlinux", id);
		return -ENOEXEC;
	}
	if (realpath(image, out->image) == NULL) {
		return local__stat_error(id, image, errno, err, errlen);
	}
	snprintf(image_dir, sizeof(image_dir), "%s", out->image);
	slash = strrchr(image_dir, '/'); /* out->image is absolute */
	slash[slash == image_dir ? 1 : 0] = '\0';
	if (kind == KTSTR_KIMAGE_ELF) {
		snprintf(out->vmlinux, sizeof(out->vmlinux), "%s", out->image);
	} else {
		local__find_vmlinux(image_dir, out->vmlinux);
	}
	local__find_config(S_ISDIR(st.st_mode) ? abs : image_dir, image_dir, out->config);
	snprintf(out->origin, sizeof(out->origin), "local path %s", abs);
	return 0;
}
