#include "cache_lookup.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cache_id.h"

/* What a scan keeps: the newest entry that passes a filter, and what it saw. */
struct lookup_scan {
	const char *version; /* NULL: any entry */
	unsigned nr_valid;
	unsigned nr_skipped;
	bool found;
};

static bool lookup__is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* {dir}/{name} into @p out when it is a regular file, else "" */
static void lookup__optional(const char *dir, const char *name, char *out, size_t len)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= len || !lookup__is_file(out)) {
		out[0] = '\0';
	}
}

int ktstr_cache_entry__load(const char *root, const char *key, struct ktstr_cache_entry *out,
			    char *why, size_t whylen)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct stat st;
	int n, rc;

	memset(out, 0, sizeof(*out));
	n = snprintf(dir, sizeof(dir), "%s/%s", root, key);
	if (n < 0 || (size_t)n >= sizeof(dir) - 32 || strlen(key) >= sizeof(out->key)) {
		snprintf(why, whylen, "entry path is too long");
		return -ENAMETOOLONG;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		snprintf(why, whylen, "no such entry directory");
		return -ENOTDIR;
	}
	snprintf(path, sizeof(path), "%s/metadata.json", dir);
	rc = ktstr_cache_meta__load(path, &out->meta, why, whylen);
	if (rc < 0) {
		return rc;
	}
	n = snprintf(out->image, sizeof(out->image), "%s/%s", dir, out->meta.image_name);
	if (n < 0 || (size_t)n >= sizeof(out->image) || !lookup__is_file(out->image)) {
		snprintf(why, whylen, "image file %s missing from entry directory",
			 out->meta.image_name);
		return -ENOENT;
	}
	lookup__optional(dir, "vmlinux", out->vmlinux, sizeof(out->vmlinux));
	lookup__optional(dir, "config", out->config, sizeof(out->config));
	snprintf(out->key, sizeof(out->key), "%s", key);
	return 0;
}

/* Newer = later built_at; equal times go to the smaller key, so the choice is stable. */
static bool lookup__newer(const struct ktstr_cache_entry *a, const struct ktstr_cache_entry *b)
{
	int c = strcmp(a->meta.built_at, b->meta.built_at);

	return c > 0 || (c == 0 && strcmp(a->key, b->key) < 0);
}

static int lookup__scan(const char *root, struct lookup_scan *scan, struct ktstr_cache_entry *best,
			ktstr_cache_skip_fn skip, void *ctx, char *err, size_t errlen)
{
	struct ktstr_cache_entry cand;
	struct dirent *de;
	char why[512];
	DIR *d;
	int rc;

	d = opendir(root);
	if (d == NULL) {
		int e = errno;

		snprintf(err, errlen, "kernel cache %s: %s", root, strerror(e));
		return e == ENOTDIR ? -ENOENT : -e;
	}
	while ((de = readdir(d)) != NULL) {
		/* dot names: ".", "..", ".locks", ".tmp-*" stores in progress */
		if (de->d_name[0] == '.') {
			continue;
		}
		rc = ktstr_cache_entry__load(root, de->d_name, &cand, why, sizeof(why));
		if (rc == -ENOTDIR) {
			continue; /* a stray file next to the entries */
		}
		if (rc < 0) {
			scan->nr_skipped++;
			skip(ctx, de->d_name, why);
			continue;
		}
		scan->nr_valid++;
		if (scan->version != NULL &&
		    !ktstr_cache_version__matches(scan->version, cand.meta.version)) {
			continue;
		}
		if (!scan->found || lookup__newer(&cand, best)) {
			*best = cand;
			scan->found = true;
		}
	}
	closedir(d);
	return 0;
}

int ktstr_cache__lookup(const char *root, const char *id, struct ktstr_cache_entry *out,
			ktstr_cache_skip_fn skip, void *ctx, char *err, size_t errlen)
{
	bool latest = id[0] == '\0' || strcmp(id, "latest") == 0;
	struct lookup_scan scan = {0};
	char why[512];
	int rc;

	err[0] = '\0';
	if (!latest && !ktstr_cache_key__valid(id)) {
		return -ENOENT;
	}
	if (!latest) {
		rc = ktstr_cache_entry__load(root, id, out, why, sizeof(why));
		if (rc == 0) {
			return 0;
		}
		if (rc != -ENOTDIR) {
			skip(ctx, id, why);
		}
		if (!ktstr_cache_version__valid(id)) {
			snprintf(err, errlen, "kernel cache %s: no usable entry %s (%s)", root, id,
				 why);
			return -ENOENT;
		}
		scan.version = id;
	}
	rc = lookup__scan(root, &scan, out, skip, ctx, err, errlen);
	if (rc < 0) {
		return rc;
	}
	if (!scan.found && latest) {
		snprintf(err, errlen, "kernel cache %s: no usable entry (%u unusable)", root,
			 scan.nr_skipped);
		return -ENOENT;
	}
	if (!scan.found) {
		snprintf(err, errlen,
			 "kernel cache %s: no entry with version %s (%u other, %u "
			 "unusable)",
			 root, id, scan.nr_valid, scan.nr_skipped);
		return -ENOENT;
	}
	return 0;
}
