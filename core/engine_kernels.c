/*
 * Decides which kernels a run uses and resolves them through the chain of
 * kernel sources: --kernel flags (each parsed alone), else the profile's
 * kernels, else KTSTR_KERNEL_LIST (2+ entries, labels and paths as given),
 * else discovery (kernel_discover.h). A range A..B expands over the
 * versions the cache holds (kernel_range.h); git ids are refused. The set
 * resolves in parallel (kernel_resolve_set.h). With 2+ kernels, tests get a
 * kernel dimension and child processes see KTSTR_KERNEL (the first kernel's
 * directory) and KTSTR_KERNEL_LIST.
 */
#define _GNU_SOURCE
#include "engine_internal.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kcache.h"
#include "kernel_discover.h"
#include "kernel_id.h"
#include "kernel_label.h"
#include "kernel_list_env.h"
#include "kernel_range.h"
#include "kernel_resolve_set.h"
#include "log.h"

#define KERR_MAX 1024

/* Path-shaped ids (kernel_id.h): what the local source answers. */
static bool is_path_id(const char *id)
{
	return strchr(id, '/') != NULL || id[0] == '.' || id[0] == '~';
}

/* Append a kernel; @p raw_label / @p dir NULL: derived once it is resolved. */
static int add_kernel(struct ktstr_engine *e, const char *id, const char *raw_label,
		      const char *dir, struct ktstr_kernel *k, const char *source)
{
	struct ktstr_engine_kernel *v = realloc(e->kernels, (e->nkernels + 1) * sizeof(*v));
	struct ktstr_engine_kernel *ek;

	if (v == NULL) {
		return -ENOMEM;
	}
	e->kernels = v;
	ek = &v[e->nkernels++];
	memset(ek, 0, sizeof(*ek));
	ek->k = k;
	ek->source = source;
	ek->id = strdup(id);
	ek->raw_label = raw_label != NULL ? strdup(raw_label) : NULL;
	ek->dir = dir != NULL ? strdup(dir) : NULL;
	if (ek->id == NULL || (raw_label != NULL && ek->raw_label == NULL) ||
	    (dir != NULL && ek->dir == NULL)) {
		return -ENOMEM;
	}
	return 0;
}

/* "--kernel ID" or "PROFILE: kernel ID", for messages. */
static void where(const char *profile, const char *id, char *out, size_t len)
{
	if (profile != NULL) {
		snprintf(out, len, "%s: kernel %s", profile, id);
	} else {
		snprintf(out, len, "--kernel %s", id);
	}
}

static int add_range(struct ktstr_engine *e, const struct ktstr_kernel_id *id, const char *w,
		     char *err, size_t errlen)
{
	char root[PATH_MAX], why[KERR_MAX];
	char **vers = NULL;
	size_t n = 0;
	int ret;

	ret = ktstr_kcache__root(root, sizeof(root), why, sizeof(why));
	if (ret == 0) {
		ret = ktstr_kernel_range__expand(root, id->a, id->b, &vers, &n, why, sizeof(why));
	}
	if (ret != 0) {
		snprintf(err, errlen, "%s: %s", w, why);
		return ret == -ENOMEM ? ret : -EINVAL;
	}
	if (n == 0) {
		snprintf(err, errlen,
			 "%s: no cached kernel has a version in [%s, %s] (a range expands over "
			 "the kernels in the cache at %s; see `ktstr kernel list`, add one with "
			 "`ktstr kernel fetch VERSION`)",
			 w, id->a, id->b, root);
		ret = -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (ret == 0) {
			ret = add_kernel(e, vers[i], vers[i], NULL, NULL, NULL);
		}
		free(vers[i]);
	}
	free(vers);
	return ret;
}

/* One --kernel value or profile kernel. */
static int add_id(struct ktstr_engine *e, const char *text, const char *profile, char *err,
		  size_t errlen)
{
	struct ktstr_kernel_id id;
	char w[PATH_MAX + 64], why[KERR_MAX], label[PATH_MAX], canon[PATH_MAX];
	int ret;

	where(profile, text, w, sizeof(w));
	ret = ktstr_kernel_id__parse(text, &id, why, sizeof(why));
	if (ret == 0) {
		ret = ktstr_kernel_id__validate(&id, why, sizeof(why));
	}
	if (ret != 0) {
		if (ret != -ENOMEM) {
			snprintf(err, errlen, "%s: %s", w, why);
		}
		ktstr_kernel_id__release(&id);
		return ret;
	}
	switch (id.kind) {
	case KTSTR_KID_GIT:
		snprintf(
		    err, errlen,
		    "%s: no kernel source handles git ids (git+URL#REF) yet; clone the tree, "
		    "build it (`ktstr kernel build --source DIR`) and name its path or cache key",
		    w);
		ret = -EINVAL;
		break;
	case KTSTR_KID_RANGE:
		ret = add_range(e, &id, w, err, errlen);
		break;
	default:
		ktstr_kernel_label__raw(&id, realpath(text, canon), label, sizeof(label));
		ret = add_kernel(e, text, label, NULL, NULL, NULL);
		break;
	}
	ktstr_kernel_id__release(&id);
	return ret;
}

struct disc {
	struct ktstr_engine *e;
	struct ktstr_kernel *k;
	const char *src;
};

static int disc_resolve(void *ctx, const char *id, char *err, size_t errlen)
{
	struct disc *d = ctx;
	struct ktstr_kernel *k;
	const char *src = NULL;
	int ret = ktstr_kernel__new(&k);

	if (ret != 0) {
		return ret;
	}
	if (strcmp(id, "latest") == 0) {
		/* discovery's cache step reads the local cache only: it never downloads */
		char root[PATH_MAX];

		ret = ktstr_kcache__root(root, sizeof(root), err, errlen);
		if (ret == 0) {
			ret = ktstr_kcache__lookup(root, id, k, err, errlen);
		}
		src = "cache";
	} else {
		ret = ktstr_kchain__resolve(d->e->kchain, id, k, &src, err, errlen);
	}
	if (ret != 0) {
		ktstr_kernel__free(k);
		return ret;
	}
	ktstr_kernel__free(d->k);
	d->k = k;
	d->src = src;
	return 0;
}

static int add_discovered(struct ktstr_engine *e, char *err, size_t errlen)
{
	struct disc d = {.e = e};
	struct ktstr_kdisc_env env = {.resolve = disc_resolve, .ctx = &d};
	struct ktstr_kdisc_result r;
	struct ktstr_kernel_id id;
	char label[PATH_MAX], canon[PATH_MAX];
	const char *raw = NULL;
	int ret;

	ret = ktstr_kernel__discover(&env, &r, err, errlen);
	if (ret != 0) {
		ktstr_kernel__free(d.k);
		return ret == -ENOMEM ? ret : -EINVAL;
	}
	KTSTR_DBG("kernel discovery: %s (%s)", r.path, r.step);
	if (r.kind == KTSTR_KDISC_IMAGE) {
		ktstr_kernel_label__path(realpath(r.path, canon) ?: r.path, label, sizeof(label));
		raw = label;
	} else if (strcmp(r.path, "latest") != 0 &&
		   ktstr_kernel_id__parse(r.path, &id, label, sizeof(label)) == 0) {
		ktstr_kernel_label__raw(&id, NULL, label, sizeof(label));
		ktstr_kernel_id__release(&id);
		raw = label;
	}
	/* an image path must stay path-shaped for the local source ("bzImage" -> "./bzImage") */
	if (r.kind == KTSTR_KDISC_IMAGE && !is_path_id(r.path)) {
		char rel[sizeof(r.path)];

		snprintf(rel, sizeof(rel), "%s", r.path);
		snprintf(r.path, sizeof(r.path), "./%s", rel);
	}
	ret = add_kernel(e, r.path, raw, NULL, d.k, d.src);
	if (ret != 0) {
		ktstr_kernel__free(d.k);
		if (e->nkernels > 0) {
			e->kernels[e->nkernels - 1].k = NULL;
		}
	}
	return ret;
}

/* Before anything resolves (or downloads): two different ids whose labels sanitize alike. */
static int preflight(const struct ktstr_engine *e, char *err, size_t errlen)
{
	char a[PATH_MAX], b[PATH_MAX];

	for (size_t i = 0; i < e->nkernels; i++) {
		const struct ktstr_engine_kernel *x = &e->kernels[i];

		ktstr_kernel_label__sanitize(x->raw_label, a, sizeof(a));
		for (size_t j = 0; j < i; j++) {
			const struct ktstr_engine_kernel *y = &e->kernels[j];

			ktstr_kernel_label__sanitize(y->raw_label, b, sizeof(b));
			if (strcmp(x->id, y->id) != 0 && strcmp(a, b) == 0) {
				snprintf(err, errlen,
					 "kernels %s and %s both get the test-name label %s; name "
					 "them so their labels differ",
					 y->id, x->id, a);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* The kernel ids of this run, before resolution. */
static int gather(struct ktstr_engine *e, char *err, size_t errlen)
{
	const struct ktstr_run_opts *o = e->opts;
	const struct ktstr_profile *p = e->profile;
	struct ktstr_klist list;
	int ret = 0;

	if (o->nkernels > 0 || p->nkernels > 0) {
		size_t n = o->nkernels > 0 ? o->nkernels : p->nkernels;

		for (size_t i = 0; i < n && ret == 0; i++) {
			ret = o->nkernels > 0 ? add_id(e, o->kernels[i], NULL, err, errlen)
					      : add_id(e, p->kernels[i], p->path, err, errlen);
		}
		return ret == 0 ? preflight(e, err, errlen) : ret;
	}
	ret = ktstr_klist__parse(getenv("KTSTR_KERNEL_LIST"), &list);
	if (ret != 0) {
		return ret;
	}
	if (list.n >= 2) { /* 0 or 1 entries: single-kernel mode */
		for (size_t i = 0; i < list.n && ret == 0; i++) {
			ret = add_kernel(e, list.v[i].dir, list.v[i].label, list.v[i].dir, NULL,
					 NULL);
		}
		ktstr_klist__release(&list);
		return ret;
	}
	ktstr_klist__release(&list);
	return add_discovered(e, err, errlen);
}

struct rset {
	struct ktstr_engine *e;
	char (*errs)[KERR_MAX];
};

static int resolve_one(void *ctx, size_t i)
{
	struct rset *r = ctx;
	struct ktstr_engine_kernel *ek = &r->e->kernels[i];
	struct ktstr_kernel *k;
	int ret;

	if (ek->k != NULL) {
		return 0; /* discovery resolved it */
	}
	ret = ktstr_kernel__new(&k);
	if (ret == 0) {
		ret = ktstr_kchain__resolve(r->e->kchain, ek->id, k, &ek->source, r->errs[i],
					    KERR_MAX);
	}
	if (ret == 0) {
		ek->k = k;
	} else {
		ktstr_kernel__free(k);
	}
	return ret;
}

static int resolve_all(struct ktstr_engine *e, char *err, size_t errlen)
{
	struct rset r = {.e = e, .errs = calloc(e->nkernels, sizeof(*r.errs))};
	int *rets = calloc(e->nkernels, sizeof(*rets));
	int ret = 0;

	if (r.errs == NULL || rets == NULL) {
		ret = -ENOMEM;
		goto out;
	}
	ktstr_kresolve__run(e->nkernels,
			    ktstr_kresolve__width(getenv("KTSTR_KERNEL_PARALLELISM"), 0),
			    resolve_one, &r, rets);
	for (size_t i = 0; i < e->nkernels && ret == 0; i++) {
		const char *why = r.errs[i];

		if (rets[i] == 0) {
			continue;
		}
		ret = rets[i] == -ENOMEM ? -ENOMEM : -EINVAL;
		snprintf(err, errlen, "kernel \"%s\" could not be resolved%s%s%s%s",
			 e->kernels[i].id, why[0] ? " (" : "", why, why[0] ? ")" : "",
			 why[0]
			     ? ""
			     : "; name one with --kernel PATH|VERSION|CACHE_KEY or KTSTR_KERNEL, "
			       "or run `ktstr kernel fetch VERSION` to cache one");
	}
out:
	free(r.errs);
	free(rets);
	return ret;
}

/* The directory a resolved kernel lives in: the tree or cache entry, not arch/x86/boot. */
static char *kernel_dir(const struct ktstr_engine_kernel *ek)
{
	static const char boot[] = "/arch/x86/boot";
	char canon[PATH_MAX];
	struct stat st;
	size_t n;

	if (is_path_id(ek->id) && stat(ek->id, &st) == 0 && S_ISDIR(st.st_mode) &&
	    realpath(ek->id, canon) != NULL) {
		return strdup(canon);
	}
	if (realpath(ktstr_kernel__get(ek->k, KTSTR_KERNEL_IMAGE), canon) == NULL) {
		snprintf(canon, sizeof(canon), "%s", ktstr_kernel__get(ek->k, KTSTR_KERNEL_IMAGE));
	}
	char *slash = strrchr(canon, '/');
	if (slash != NULL) {
		*slash = slash == canon ? (slash[1] = '\0', '/') : '\0';
	}
	n = strlen(canon);
	if (n > sizeof(boot) - 1 && strcmp(canon + n - (sizeof(boot) - 1), boot) == 0) {
		canon[n - (sizeof(boot) - 1)] = '\0';
	}
	return strdup(canon);
}

/* Labels and directories of resolved kernels. */
static int describe(struct ktstr_engine_kernel *ek)
{
	char raw[PATH_MAX], label[PATH_MAX];

	if (ek->raw_label == NULL) {
		const char *key = ktstr_kernel__get(ek->k, KTSTR_KERNEL_CACHE_KEY);
		const char *ver = ktstr_kernel__get(ek->k, KTSTR_KERNEL_VERSION);

		if (key != NULL) {
			ktstr_kernel_label__cache_key(key, raw, sizeof(raw));
		} else {
			snprintf(raw, sizeof(raw), "%s", ver != NULL ? ver : ek->id);
		}
		ek->raw_label = strdup(raw);
	}
	if (ek->dir == NULL) {
		ek->dir = kernel_dir(ek);
	}
	if (ek->raw_label == NULL || ek->dir == NULL) {
		return -ENOMEM;
	}
	ktstr_kernel_label__sanitize(ek->raw_label, label, sizeof(label));
	ek->label = strdup(label);
	return ek->label != NULL ? 0 : -ENOMEM;
}

static void free_kernel(struct ktstr_engine_kernel *ek)
{
	free(ek->id);
	free(ek->raw_label);
	free(ek->label);
	free(ek->dir);
	ktstr_kernel__free(ek->k);
	if (ek->locked) {
		ktstr_kcache__unlock(ek->cache_lock);
	}
}

/*
 * Hold each cached kernel's entry shared until the run ends, so `kernel
 * clean` or `kernel build --force` cannot remove or swap it between tests.
 */
static int lock_entries(struct ktstr_engine *e, char *err, size_t errlen)
{
	for (size_t i = 0; i < e->nkernels; i++) {
		struct ktstr_engine_kernel *ek = &e->kernels[i];
		int fd, ret;

		ret = ktstr_kcache__read_lock(ktstr_kernel__get(ek->k, KTSTR_KERNEL_IMAGE), &fd,
					      err, errlen);
		if (ret != 0) {
			return ret;
		}
		ek->locked = fd >= 0;
		ek->cache_lock = fd;
	}
	return 0;
}

/* Drop exact (label, dir) repeats, refuse labels that sanitize alike, export the set. */
static int finish_set(struct ktstr_engine *e, char *err, size_t errlen)
{
	struct ktstr_klist list = {0};
	size_t kept = 0;
	char *enc = NULL;
	int ret = 0;

	for (size_t i = 0; i < e->nkernels; i++) {
		bool dup = false;

		for (size_t j = 0; j < kept && !dup; j++) {
			dup = strcmp(e->kernels[j].raw_label, e->kernels[i].raw_label) == 0 &&
			      strcmp(e->kernels[j].dir, e->kernels[i].dir) == 0;
		}
		if (dup) {
			free_kernel(&e->kernels[i]);
		} else {
			e->kernels[kept++] = e->kernels[i];
		}
	}
	e->nkernels = kept;
	for (size_t i = 0; i < e->nkernels && ret == 0; i++) {
		ret = ktstr_klist__add(&list, e->kernels[i].raw_label, e->kernels[i].dir);
	}
	if (ret == 0) {
		ret = ktstr_klist__dedupe(&list, err, errlen);
	}
	if (ret == 0 && e->nkernels >= 2) {
		ret = ktstr_klist__encode(&list, &enc, err, errlen);
		if (ret == 0 && (setenv("KTSTR_KERNEL", e->kernels[0].dir, 1) != 0 ||
				 setenv("KTSTR_KERNEL_LIST", enc, 1) != 0)) {
			ret = -errno;
			snprintf(err, errlen, "cannot set KTSTR_KERNEL_LIST: %s", strerror(errno));
		}
	}
	free(enc);
	ktstr_klist__release(&list);
	return ret;
}

int ktstr_engine__resolve_kernels(struct ktstr_engine *e, char *err, size_t errlen)
{
	int ret = gather(e, err, errlen);

	if (ret == 0) {
		ret = resolve_all(e, err, errlen);
	}
	for (size_t i = 0; i < e->nkernels && ret == 0; i++) {
		ret = describe(&e->kernels[i]);
	}
	if (ret == 0) {
		ret = finish_set(e, err, errlen);
	}
	if (ret == 0) {
		ret = lock_entries(e, err, errlen);
	}
	if (ret == -ENOMEM && err[0] == '\0') {
		snprintf(err, errlen, "out of memory while resolving kernels");
	}
	for (size_t i = 0; i < e->nkernels && ret == 0; i++) {
		const struct ktstr_engine_kernel *ek = &e->kernels[i];

		KTSTR_INFO("kernel %s: %s (%s, via %s)", ek->label,
			   ktstr_kernel__get(ek->k, KTSTR_KERNEL_IMAGE),
			   ktstr_kernel__get(ek->k, KTSTR_KERNEL_VERSION) ?: "version unknown",
			   ek->source);
	}
	return ret;
}

void ktstr_engine__print_kernels(const struct ktstr_engine *e, FILE *out)
{
	fprintf(out, "kernels (%zu):\n", e->nkernels);
	for (size_t i = 0; i < e->nkernels; i++) {
		const struct ktstr_engine_kernel *ek = &e->kernels[i];

		fprintf(out, "  %s  %s  %s (via %s)\n", ek->label, ek->raw_label,
			ktstr_kernel__get(ek->k, KTSTR_KERNEL_IMAGE), ek->source);
	}
}

json_t *ktstr_engine__kernels_json(const struct ktstr_engine *e)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < e->nkernels; i++) {
		const struct ktstr_engine_kernel *ek = &e->kernels[i];
		const char *ver = ktstr_kernel__get(ek->k, KTSTR_KERNEL_VERSION);

		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:s}", "label",
						     ek->label, "raw_label", ek->raw_label, "id",
						     ek->id, "dir", ek->dir, "image",
						     ktstr_kernel__get(ek->k, KTSTR_KERNEL_IMAGE),
						     "version", ver, "source", ek->source));
	}
	return arr;
}

void ktstr_engine__free_kernels(struct ktstr_engine *e)
{
	for (size_t i = 0; i < e->nkernels; i++) {
		free_kernel(&e->kernels[i]);
	}
	free(e->kernels);
	e->kernels = NULL;
	e->nkernels = 0;
}
