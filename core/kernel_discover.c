/* The no-kernel-named discovery chain (upstream find_kernel), on an injectable root. */
#define _GNU_SOURCE
#include "kernel_discover.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kernel_id.h"

const char ktstr_kdisc_hint[] =
    "set KTSTR_KERNEL to a kernel source directory, a version (e.g. `6.14.2`), or a cache "
    "key (see `ktstr kernel list`), or run `ktstr kernel fetch` to populate the cache";

/* Images a kernel directory holds, best first (x86-64). */
static const char *const dir_images[] = {"arch/x86/boot/bzImage", "bzImage"};

static const char *env_get(const struct ktstr_kdisc_env *env, const char *name)
{
	return env->getenv != NULL ? env->getenv(name) : getenv(name);
}

/* @p p as the filesystem sees it: absolute paths under env->root, relative ones under env->cwd. */
static bool fs_path(const struct ktstr_kdisc_env *env, const char *p, char *out, size_t len)
{
	const char *base = p[0] == '/' ? env->root : env->cwd;
	int n;

	if (base == NULL || base[0] == '\0') {
		n = snprintf(out, len, "%s", p);
	} else {
		n = snprintf(out, len, "%s%s%s", base, p[0] == '/' ? "" : "/", p);
	}
	return n >= 0 && (size_t)n < len;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static bool opens(const char *p)
{
	int fd = open(p, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		return false;
	}
	close(fd);
	return true;
}

/* {dir}/arch/x86/boot/bzImage, then {dir}/bzImage. */
static bool probe_dir(const char *dir, char *out, size_t len)
{
	for (size_t i = 0; i < sizeof(dir_images) / sizeof(dir_images[0]); i++) {
		int n = snprintf(out, len, "%s/%s", dir, dir_images[i]);

		if (n >= 0 && (size_t)n < len && is_file(out)) {
			return true;
		}
	}
	return false;
}

static bool has_artifacts(const char *dir)
{
	char p[PATH_MAX];
	int n = snprintf(p, sizeof(p), "%s/vmlinux", dir);

	if (n >= 0 && (size_t)n < sizeof(p) && is_file(p)) {
		return true;
	}
	return probe_dir(dir, p, sizeof(p));
}

static int found(struct ktstr_kdisc_result *out, enum ktstr_kdisc_kind kind, const char *path,
		 const char *step)
{
	out->kind = kind;
	out->step = step;
	snprintf(out->path, sizeof(out->path), "%s", path);
	return 0;
}

/* Step 2 for a path: its image, or a hard error. */
static int from_env_path(const struct ktstr_kdisc_env *env, const char *val,
			 struct ktstr_kdisc_result *out, char *err, size_t errlen)
{
	char dir[PATH_MAX], image[PATH_MAX];

	if (!fs_path(env, val, dir, sizeof(dir))) {
		snprintf(err, errlen, "KTSTR_KERNEL=%s: the path is too long", val);
		return -ENAMETOOLONG;
	}
	if (is_file(dir)) {
		return found(out, KTSTR_KDISC_IMAGE, dir, "KTSTR_KERNEL");
	}
	if (!is_dir(dir)) {
		snprintf(err, errlen, "KTSTR_KERNEL=%s: %s does not exist (%s). %s", val, val,
			 strerror(errno), ktstr_kdisc_hint);
		return -EINVAL;
	}
	if (probe_dir(dir, image, sizeof(image))) {
		return found(out, KTSTR_KDISC_IMAGE, image, "KTSTR_KERNEL");
	}
	snprintf(err, errlen, "KTSTR_KERNEL=%s does not contain a kernel image. %s", val,
		 ktstr_kdisc_hint);
	return -EINVAL;
}

/* Steps 1-2. 1: done (out set); 0: go on (*skip_cache set when a named id missed). */
static int from_env(const struct ktstr_kdisc_env *env, struct ktstr_kdisc_result *out,
		    bool *skip_cache, char *err, size_t errlen)
{
	const char *test = env_get(env, "KTSTR_TEST_KERNEL");
	struct ktstr_kernel_id id;
	int ret;

	if (test != NULL && test[0] != '\0') {
		if (!is_file(test)) {
			snprintf(err, errlen, "KTSTR_TEST_KERNEL not found: %s", test);
			return -EINVAL;
		}
		found(out, KTSTR_KDISC_IMAGE, test, "KTSTR_TEST_KERNEL");
		return 1;
	}
	ret = ktstr_kernel_id__from_env(env_get(env, "KTSTR_KERNEL"), &id, err, errlen);
	if (ret <= 0) {
		return ret;
	}
	if (id.kind == KTSTR_KID_PATH) {
		ret = from_env_path(env, id.text, out, err, errlen);
	} else {
		ret = env->resolve(env->ctx, id.text, err, errlen);
		if (ret == 0) {
			found(out, KTSTR_KDISC_RESOLVED, id.text, "KTSTR_KERNEL");
		} else if (ret == -ENOENT) {
			*skip_cache = true;
		}
	}
	ktstr_kernel_id__release(&id);
	return ret == 0 ? 1 : ret == -ENOENT ? 0 : ret;
}

/* Steps 4-5. */
static int from_fs(const struct ktstr_kdisc_env *env, struct ktstr_kdisc_result *out)
{
	char rel_buf[sizeof(((struct utsname *)0)->release)];
	const char *rel = env->release;
	char p[PATH_MAX], q[PATH_MAX], image[PATH_MAX];
	struct utsname u;

	if (rel == NULL) {
		rel = uname(&u) == 0 ? strcpy(rel_buf, u.release) : "";
	}
	static const char *const trees[] = {"./linux", "../linux"};
	const char *dir_step = NULL;
	for (size_t i = 0; i < 2 && dir_step == NULL; i++) {
		if (fs_path(env, trees[i], p, sizeof(p)) && is_dir(p) && has_artifacts(p)) {
			dir_step = trees[i];
		}
	}
	if (dir_step == NULL) {
		snprintf(q, sizeof(q), "/lib/modules/%s/build", rel);
		if (fs_path(env, q, p, sizeof(p)) && is_dir(p)) {
			dir_step = "/lib/modules/{rel}/build";
		}
	}
	if (dir_step != NULL && probe_dir(p, image, sizeof(image))) {
		return found(out, KTSTR_KDISC_IMAGE, image, dir_step);
	}
	const char *const steps[] = {"/lib/modules/{rel}/vmlinuz", "/boot/vmlinuz-{rel}",
				     "/boot/vmlinuz"};
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		if (i == 0) {
			snprintf(q, sizeof(q), "/lib/modules/%s/vmlinuz", rel);
		} else if (i == 1) {
			snprintf(q, sizeof(q), "/boot/vmlinuz-%s", rel);
		} else {
			snprintf(q, sizeof(q), "/boot/vmlinuz");
		}
		if (fs_path(env, q, p, sizeof(p)) && opens(p)) {
			return found(out, KTSTR_KDISC_IMAGE, p, steps[i]);
		}
	}
	return -ENOENT;
}

int ktstr_kernel__discover(const struct ktstr_kdisc_env *env, struct ktstr_kdisc_result *out,
			   char *err, size_t errlen)
{
	bool skip_cache = false;
	char why[512];
	int ret;

	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	ret = from_env(env, out, &skip_cache, err, errlen);
	if (ret != 0) {
		return ret > 0 ? 0 : ret;
	}
	why[0] = '\0';
	if (!skip_cache) {
		ret = env->resolve(env->ctx, "latest", why, sizeof(why));
		if (ret == 0) {
			return found(out, KTSTR_KDISC_RESOLVED, "latest", "cache");
		}
	}
	if (from_fs(env, out) == 0) {
		return 0;
	}
	snprintf(err, errlen,
		 "no kernel found\n  hint: %s\n  hint: or set KTSTR_TEST_KERNEL=/path/to/bzImage "
		 "to point at a pre-built bootable image directly (bypasses KTSTR_KERNEL "
		 "resolution)%s%s",
		 ktstr_kdisc_hint, why[0] != '\0' ? "\n  note: the kernel sources said: " : "",
		 why);
	return -ENOENT;
}
