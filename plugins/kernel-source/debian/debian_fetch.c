/* Filling a cache entry from Debian packages (see debian_fetch.h). */
#define _GNU_SOURCE
#include "debian_fetch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "debian_tree.h"

#define APT_LOCK_TIMEOUT_S 900

/* The fill's steps for host->progress(): download and extract, for up to two packages. */
#define STEPS 4

static void step(struct ktstr_inst *inst, struct debian_fetch *f, int done)
{
	char what[DEBIAN_PKG_MAX + 16];

	snprintf(what, sizeof(what), "fetch %s", f->pkg.name);
	f->host->progress(inst, what, (uint64_t)done, STEPS);
}

struct waiting {
	struct debian_fetch *f;
	struct ktstr_inst *inst;
};

static void lock_waiting(void *ctx)
{
	struct waiting *w = ctx;

	KTSTR_PLG_INFO(w->f->host, w->inst, "waiting for another ktstr using %s", w->f->apt->dir);
}

/* Download @p pkg into @p dir/dl-<n>, extract it into @p root (@p dir/x-<n>): steps 2n, 2n+1. */
static int fetch_pkg(struct ktstr_inst *inst, struct debian_fetch *f, const char *pkg,
		     const char *dir, int n, char *root, size_t rootlen)
{
	struct waiting w = {.f = f, .inst = inst};
	char dl[PATH_MAX], deb[PATH_MAX];
	int rc;

	snprintf(dl, sizeof(dl), "%s/dl-%d", dir, n);
	snprintf(root, rootlen, "%s/x-%d", dir, n);
	if (mkdir(dl, 0755) != 0) {
		rc = -errno;
		f->host->set_error(inst, "cannot create %s: %s", dl, strerror(-rc));
		return rc;
	}
	step(inst, f, n * 2);
	rc = debian_apt__lock(f->apt, APT_LOCK_TIMEOUT_S, lock_waiting, &w);
	if (rc == 0) {
		KTSTR_PLG_INFO(f->host, inst, "downloading %s from %s (suite %s)", pkg,
			       f->apt->mirror, f->apt->suite);
		rc = debian_apt__download(f->apt, pkg, dl, deb, sizeof(deb));
		debian_apt__unlock(f->apt);
	}
	if (rc == 0) {
		step(inst, f, n * 2 + 1);
		rc = debian_apt__extract(f->apt, deb, root);
	}
	if (rc != 0) {
		f->host->set_error(inst, "%s", f->apt->err);
	}
	debian_tree__rm(dl);
	return rc;
}

static int read_file(const char *path, char **out, size_t *len)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	int rc = 0;

	if (fp == NULL) {
		return -errno;
	}
	for (;;) {
		if (n + 65536 + 1 > cap) {
			char *p;

			cap = cap != 0 ? cap * 2 : 262144;
			if (cap > (64u << 20) || (p = realloc(buf, cap)) == NULL) {
				rc = cap > (64u << 20) ? -EFBIG : -ENOMEM;
				break;
			}
			buf = p;
		}
		size_t got = fread(buf + n, 1, 65536, fp);

		n += got;
		if (got < 65536) {
			rc = ferror(fp) ? -EIO : 0;
			break;
		}
	}
	fclose(fp);
	if (rc != 0) {
		free(buf);
		return rc;
	}
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* The config, checked for sched_ext, moved to @p dir/config. */
static int take_config(struct ktstr_inst *inst, struct debian_fetch *f, const char *from,
		       const char *dir)
{
	char to[PATH_MAX], *text = NULL;
	size_t len = 0;
	bool scx;
	int rc = read_file(from, &text, &len);

	if (rc != 0) {
		f->host->set_error(inst, "cannot read %s: %s", from, strerror(-rc));
		return rc;
	}
	scx = debian_pkg__has_sched_ext(text, len);
	free(text);
	if (!scx) {
		f->host->set_error(
		    inst,
		    "%s (suite %s) has no sched_ext: its kernel config lacks "
		    "CONFIG_SCHED_CLASS_EXT=y; choose a suite whose kernels enable it "
		    "(sid has it; bookworm and trixie do not) or another flavour",
		    f->pkg.name, f->apt->suite);
		return -ENOTSUP;
	}
	snprintf(to, sizeof(to), "%s/config", dir);
	if (rename(from, to) != 0) {
		rc = -errno;
		f->host->set_error(inst, "cannot move %s to %s: %s", from, to, strerror(-rc));
	}
	return rc;
}

static int fill_in(struct ktstr_inst *inst, struct debian_fetch *f, const char *dir,
		   const char *work)
{
	char tree[PATH_MAX], found[PATH_MAX], to[PATH_MAX], base[DEBIAN_PKG_MAX + 16];
	int rc;

	rc = fetch_pkg(inst, f, f->pkg.name, work, 0, tree, sizeof(tree));
	if (rc != 0) {
		return rc;
	}
	rc = debian_tree__find(tree, debian_tree__is_image, found, sizeof(found));
	if (rc != 0) {
		f->host->set_error(inst, "%s has no vmlinuz under usr/lib/modules or boot",
				   f->pkg.name);
		return rc == -ENOENT ? -EPROTO : rc;
	}
	snprintf(to, sizeof(to), "%s/vmlinuz", dir);
	if (rename(found, to) != 0) {
		rc = -errno;
		f->host->set_error(inst, "cannot move %s to %s: %s", found, to, strerror(-rc));
		return rc;
	}
	/* Debian 13 and older ship the config in the image package; newer ones in linux-base. */
	snprintf(base, sizeof(base), "%s", f->pkg.name);
	if (debian_tree__find(tree, debian_tree__is_config, found, sizeof(found)) != 0) {
		if (f->host->cancelled()) {
			return -ECANCELED;
		}
		snprintf(base, sizeof(base), "linux-base-%s", f->pkg.release);
		rc = fetch_pkg(inst, f, base, work, 1, tree, sizeof(tree));
		if (rc != 0) {
			return rc;
		}
		rc = debian_tree__find(tree, debian_tree__is_config, found, sizeof(found));
		if (rc != 0) {
			f->host->set_error(inst, "neither %s nor %s has a kernel config",
					   f->pkg.name, base);
			return rc == -ENOENT ? -EPROTO : rc;
		}
	}
	return take_config(inst, f, found, dir);
}

int debian_fetch__fill(struct ktstr_inst *inst, void *ctx, const char *dir,
		       struct ktstr_entry_meta *meta)
{
	struct debian_fetch *f = ctx;
	char work[PATH_MAX];
	int rc;

	/* Scratch space inside the entry's temporary directory: same file system, so
	 * the image moves into place with rename(); removed before returning. */
	snprintf(work, sizeof(work), "%s/.debian-work", dir);
	if (mkdir(work, 0755) != 0) {
		rc = -errno;
		f->host->set_error(inst, "cannot create %s: %s", work, strerror(-rc));
		return rc;
	}
	rc = fill_in(inst, f, dir, work);
	debian_tree__rm(work);
	if (rc == 0) {
		step(inst, f, STEPS);
	}
	if (rc == 0 && f->host->cancelled()) {
		rc = -ECANCELED;
	}
	if (rc == -ECANCELED) {
		f->host->set_error(inst, "fetch of %s cancelled", f->pkg.name);
	}
	if (rc != 0) {
		return rc;
	}
	meta->image_name = "vmlinuz";
	meta->version = f->pkg.release;
	meta->source_json = f->source_json;
	return 0;
}
