/*
 * host->kernel_install(): one entry installed at most once across processes.
 * Under LOCK_EX on the key: a valid entry is a hit; else a remote cache may
 * restore it, else the source fills .tmp-{key}-{pid}, which is completed
 * (vmlinux, metadata.json), synced and renamed into place.
 */
#define _GNU_SOURCE
#include "kcache_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "kchain.h"
#include "log.h"
#include "registry_internal.h"

struct install {
	struct ktstr_inst *inst;
	const struct ktstr_kernel_install *req;
	char root[PATH_MAX];
	char tmp[PATH_MAX];
	char final[PATH_MAX];
	struct ktstr_kcache_entry entry; /* the installed (or found) entry */
	const char *from;		 /* the remote cache that restored it, or NULL */
};

static bool install__cancelled(void)
{
	return ktstr_host_api_v1.cancelled();
}

/* A remote cache's restore: kept when it left a valid entry, else emptied again. */
static bool install__restore(struct install *in)
{
	struct ktstr_kchain *chain = ktstr_inst__chain(in->inst);
	char *slash;
	int rc;

	if (chain == NULL ||
	    ktstr_kchain__remote_fetch(chain, in->inst, in->req->key, in->tmp, &in->from) != 0) {
		return false;
	}
	slash = strrchr(in->tmp, '/');
	rc = ktstr_kcache_entry__load(in->root, slash + 1, &in->entry);
	if (rc == 0) {
		return true;
	}
	KTSTR_WARN("%s: remote cache read warning: entry %s is unusable (%s); building it here",
		   in->from, in->req->key, rc == -EINVAL ? in->entry.why : strerror(-rc));
	in->from = NULL;
	ktstr_fs__rm_rf(in->tmp);
	if (mkdir(in->tmp, 0755) < 0) {
		KTSTR_WARN("cannot recreate %s: %s", in->tmp, strerror(errno));
	}
	return false;
}

/* Ask the source to fill tmp, then complete the entry. */
static int install__fill(struct install *in)
{
	struct ktstr_entry_meta meta = {
	    .sz = sizeof(meta), .source_vmlinux_size = -1, .source_vmlinux_mtime_secs = -1};
	char path[PATH_MAX], err[1024];
	struct kcache_vmlinux vm;
	char *slash = strrchr(in->tmp, '/');
	int rc;

	rc = in->req->fill(in->inst, in->req->ctx, in->tmp, &meta);
	if (rc == 0 && install__cancelled()) {
		rc = -ECANCELED;
	}
	if (rc < 0) {
		if (ktstr_inst__last_error(in->inst)[0] == '\0') {
			ktstr_host_api_v1.set_error(in->inst, "filling cache entry %s: %s",
						    in->req->key, strerror(-rc));
		}
		return rc;
	}
	snprintf(path, sizeof(path), "%s/metadata.json", in->tmp);
	if (access(path, F_OK) != 0) {
		kcache__fill_vmlinux(in->req->key, in->tmp,
				     meta.image_name != NULL ? meta.image_name : "", &vm);
		rc = ktstr_kcache_meta__write(in->tmp, &meta, ktstr_inst__plugin_name(in->inst),
					      vm.has, vm.stripped, err, sizeof(err));
		if (rc < 0) {
			ktstr_host_api_v1.set_error(in->inst, "cache entry %s: %s", in->req->key,
						    err);
			return rc;
		}
	}
	rc = ktstr_kcache_entry__load(in->root, slash + 1, &in->entry);
	if (rc < 0) {
		ktstr_host_api_v1.set_error(in->inst, "cache entry %s as filled is unusable: %s",
					    in->req->key,
					    rc == -EINVAL ? in->entry.why : strerror(-rc));
		return -EIO;
	}
	return 0;
}

/*
 * Replace the existing @p in->final by tmp: exchange them atomically; where
 * the filesystem cannot (EINVAL), move the old one aside under a .tmp- name
 * (swept if we die) first. Either way tmp then holds the old entry.
 */
static int install__replace(struct install *in)
{
	char aside[PATH_MAX];

	if (renameat2(AT_FDCWD, in->tmp, AT_FDCWD, in->final, RENAME_EXCHANGE) == 0) {
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS) {
		return -errno;
	}
	snprintf(aside, sizeof(aside), "%s/.tmp-%s-old-%d", in->root, in->req->key, (int)getpid());
	ktstr_fs__rm_rf(aside);
	if (rename(in->final, aside) < 0) {
		return -errno;
	}
	if (rename(in->tmp, in->final) < 0) {
		int e = errno;

		if (rename(aside, in->final) < 0) {
			KTSTR_WARN("cache entry %s: the old entry is left in %s", in->req->key,
				   aside);
		}
		return -e;
	}
	return rename(aside, in->tmp) < 0 ? -errno : 0;
}

/* rename tmp to final; an existing final (--force, a corrupt entry) is replaced, then removed. */
static int install__publish(struct install *in)
{
	int rc = kcache__fsync_dir(in->tmp);

	if (rc < 0) {
		ktstr_host_api_v1.set_error(in->inst, "cannot sync %s: %s", in->tmp, strerror(-rc));
		return rc;
	}
	if (rename(in->tmp, in->final) < 0) {
		rc = errno == ENOTEMPTY || errno == EEXIST ? install__replace(in) : -errno;
		if (rc < 0) {
			ktstr_host_api_v1.set_error(in->inst, "cannot move %s to %s: %s", in->tmp,
						    in->final, strerror(-rc));
			return rc;
		}
		ktstr_fs__rm_rf(in->tmp); /* now the old entry */
	}
	rc = open(in->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rc >= 0) {
		fsync(rc);
		close(rc);
	}
	return 0;
}

/* Under the lock: hit, restore or fill. 0 hit, 1 installed, -errno. */
static int install__locked(struct install *in)
{
	int rc;

	if (!in->req->force && ktstr_kcache_entry__load(in->root, in->req->key, &in->entry) == 0) {
		return 0;
	}
	snprintf(in->tmp, sizeof(in->tmp), "%s/.tmp-%s-%d", in->root, in->req->key, (int)getpid());
	ktstr_fs__rm_rf(in->tmp);
	ktstr_kcache__sweep_tmp(in->root, strrchr(in->tmp, '/') + 1);
	if (mkdir(in->tmp, 0755) < 0) {
		rc = -errno;
		ktstr_host_api_v1.set_error(in->inst, "cannot create %s: %s", in->tmp,
					    strerror(-rc));
		return rc;
	}
	rc = install__restore(in) ? 0 : install__fill(in);
	rc = rc ?: install__publish(in);
	if (rc < 0) {
		ktstr_fs__rm_rf(in->tmp);
		return rc;
	}
	rc = ktstr_kcache_entry__load(in->root, in->req->key, &in->entry);
	if (rc < 0) {
		ktstr_host_api_v1.set_error(in->inst, "cache entry %s vanished after install",
					    in->req->key);
		return -EIO;
	}
	return 1;
}

static int install__run(struct install *in, struct ktstr_kernel *out)
{
	char err[2048];
	int fd, rc;

	rc = ktstr_kcache__root(in->root, sizeof(in->root), err, sizeof(err));
	if (rc == 0 && snprintf(in->final, sizeof(in->final), "%s/%s", in->root, in->req->key) >=
			   (int)sizeof(in->final) - 64) {
		snprintf(err, sizeof(err), "cache entry path %s/%s is too long", in->root,
			 in->req->key);
		rc = -ENAMETOOLONG;
	}
	rc = rc
		 ?: ktstr_kcache__lock(in->root, in->req->key, LOCK_EX | KTSTR_KCACHE_LOCK_PATIENT,
				       KTSTR_KCACHE_WRITE_TIMEOUT_MS, &fd, err, sizeof(err));
	if (rc < 0) {
		ktstr_host_api_v1.set_error(in->inst, "%s", err);
		return rc;
	}
	rc = install__locked(in);
	if (rc == 1 && in->from == NULL) {
		/* readers may come in while it uploads; nobody replaces it meanwhile */
		flock(fd, LOCK_SH);
		ktstr_kchain__remote_store(ktstr_inst__chain(in->inst), in->inst, in->req->key,
					   in->final);
	}
	ktstr_kcache__unlock(fd);
	if (rc >= 0) {
		char origin[256];
		int d;

		snprintf(origin, sizeof(origin), "%s",
			 rc == 0 ? "cache entry" : "installed cache entry");
		if (in->from != NULL) {
			snprintf(origin, sizeof(origin),
				 "restored from remote cache %s: cache entry", in->from);
		}
		d = ktstr_kcache__describe(&in->entry, origin, out);

		if (d < 0) {
			ktstr_host_api_v1.set_error(in->inst, "cache entry %s: %s", in->req->key,
						    strerror(-d));
			return d;
		}
	}
	return rc;
}

int ktstr_kcache__install(struct ktstr_inst *inst, const struct ktstr_kernel_install *req,
			  struct ktstr_kernel *out)
{
	struct install *in;
	int rc;

	if (!ktstr_kcache__key_valid(req->key)) {
		ktstr_host_api_v1.set_error(inst,
					    "kernel_install: \"%s\" is not a valid cache key "
					    "(no '/', '\\\\', \"..\", control characters; "
					    "not \".\" or \".tmp-*\")",
					    req->key);
		return -EINVAL;
	}
	in = calloc(1, sizeof(*in));
	if (in == NULL) {
		return -ENOMEM;
	}
	in->inst = inst;
	in->req = req;
	rc = install__run(in, out);
	free(in);
	return rc;
}
