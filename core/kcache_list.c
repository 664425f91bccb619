/* Listing the cache (valid newest first, corrupt last) and resolving ids against it. */
#include "kcache.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_id.h"

void ktstr_kcache__tmp_parse(const char *name, struct ktstr_kcache_tmp *out)
{
	const char *dash = strrchr(name, '-');
	char *end;
	long pid = 0;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "%s", name);
	if (dash != NULL && dash[1] >= '0' && dash[1] <= '9') {
		errno = 0;
		pid = strtol(dash + 1, &end, 10);
		if (errno != 0 || *end != '\0' || pid <= 0 || pid > INT32_MAX) {
			pid = 0;
		}
	}
	out->pid = (pid_t)pid;
	/* no pid: nobody can be asked, so treat it as somebody's (never swept) */
	out->alive = pid == 0 || !(kill((pid_t)pid, 0) < 0 && errno == ESRCH);
}

/* Valid before corrupt; valid by built_at descending; ties and corrupt by key. */
static int list__cmp(const void *pa, const void *pb)
{
	const struct ktstr_kcache_entry *a = pa, *b = pb;
	bool ca = a->err != KTSTR_KCACHE_OK, cb = b->err != KTSTR_KCACHE_OK;
	int c;

	if (ca != cb) {
		return ca ? 1 : -1;
	}
	if (!ca && (c = strcmp(b->meta.built_at, a->meta.built_at)) != 0) {
		return c;
	}
	return strcmp(a->key, b->key);
}

static int list__grow(void **v, size_t n, size_t *cap, size_t size)
{
	void *nv;

	if (n < *cap) {
		return 0;
	}
	nv = realloc(*v, (*cap ? *cap * 2 : 8) * size);
	if (nv == NULL) {
		return -ENOMEM;
	}
	*v = nv;
	*cap = *cap ? *cap * 2 : 8;
	return 0;
}

static int list__add(struct ktstr_kcache_list *l, const char *root, const char *name, size_t *cap,
		     size_t *tcap)
{
	int rc;

	if (strncmp(name, ".tmp-", 5) == 0) {
		rc = list__grow((void **)&l->tmp, l->ntmp, tcap, sizeof(*l->tmp));
		if (rc == 0) {
			ktstr_kcache__tmp_parse(name, &l->tmp[l->ntmp++]);
		}
		return rc;
	}
	if (name[0] == '.') {
		return 0; /* ".", "..", ".locks" */
	}
	rc = list__grow((void **)&l->v, l->n, cap, sizeof(*l->v));
	if (rc < 0) {
		return rc;
	}
	rc = ktstr_kcache_entry__load(root, name, &l->v[l->n]);
	if (rc == 0 || rc == -EINVAL) {
		l->n++;
	}
	return 0; /* a stray file or an over-long name is not an entry */
}

int ktstr_kcache__list(const char *root, struct ktstr_kcache_list *out, char *err, size_t errlen)
{
	size_t cap = 0, tcap = 0;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	d = opendir(root);
	if (d == NULL && errno == ENOENT) {
		return 0;
	}
	if (d == NULL) {
		int e = errno;

		snprintf(err, errlen, "kernel cache %s: %s", root, strerror(e));
		return -e;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		rc = list__add(out, root, de->d_name, &cap, &tcap);
	}
	closedir(d);
	if (rc < 0) {
		snprintf(err, errlen, "kernel cache %s: %s", root, strerror(-rc));
		ktstr_kcache_list__free(out);
		return rc;
	}
	if (out->n > 1) {
		qsort(out->v, out->n, sizeof(*out->v), list__cmp);
	}
	return 0;
}

void ktstr_kcache_list__free(struct ktstr_kcache_list *l)
{
	free(l->v);
	free(l->tmp);
	memset(l, 0, sizeof(*l));
}

bool ktstr_kcache__entry_stale(const struct ktstr_kcache_entry *e)
{
	char kc[9];
	bool have_kc = ktstr_kcache__current_kc(kc);

	return strcmp(ktstr_kcache__kconfig_status(&e->meta, have_kc ? kc : NULL), "stale") == 0;
}

/*
 * The highest release matching @p want, among valid entries whose kconfig
 * is not stale; equal versions: the newer build, then the key.
 */
static const struct ktstr_kcache_entry *list__best_version(const struct ktstr_kcache_list *l,
							   const char *want, size_t *nvalid,
							   size_t *nstale)
{
	const struct ktstr_kcache_entry *best = NULL;
	struct ktstr_kver bv = {0}, v;

	*nvalid = 0;
	*nstale = 0;
	for (size_t i = 0; i < l->n; i++) {
		const struct ktstr_kcache_entry *e = &l->v[i];

		if (e->err != KTSTR_KCACHE_OK) {
			continue;
		}
		(*nvalid)++;
		if (ktstr_kcache__entry_stale(e)) {
			(*nstale)++;
			continue;
		}
		if (!ktstr_kcache__version_matches(want, e->meta.version) ||
		    !ktstr_kver__parse_prefix(e->meta.version, &v)) {
			continue;
		}
		/* the list is newest first, so the first of equal versions wins */
		if (best == NULL || ktstr_kver__cmp(&v, &bv) > 0) {
			best = e;
			bv = v;
		}
	}
	return best;
}

static size_t list__ncorrupt(const struct ktstr_kcache_list *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++) {
		n += l->v[i].err != KTSTR_KCACHE_OK;
	}
	return n;
}

/* The newest valid entry whose kconfig is not stale; *nstale counts those passed over. */
static const struct ktstr_kcache_entry *list__latest(const struct ktstr_kcache_list *l,
						     size_t *nstale)
{
	*nstale = 0;
	for (size_t i = 0; i < l->n && l->v[i].err == KTSTR_KCACHE_OK; i++) {
		if (!ktstr_kcache__entry_stale(&l->v[i])) {
			return &l->v[i];
		}
		(*nstale)++;
	}
	return NULL;
}

/* "latest" or a version, over the whole list. */
static int list__find_scan(const char *root, const char *id, bool latest,
			   struct ktstr_kcache_entry *out, char *err, size_t errlen)
{
	const struct ktstr_kcache_entry *best = NULL;
	struct ktstr_kcache_list l;
	size_t nvalid = 0, nstale = 0;
	int rc = ktstr_kcache__list(root, &l, err, errlen);

	if (rc < 0) {
		return rc;
	}
	if (latest) {
		best = list__latest(&l, &nstale);
	} else {
		best = list__best_version(&l, id, &nvalid, &nstale);
	}
	if (best != NULL) {
		*out = *best;
	} else if (latest) {
		snprintf(err, errlen,
			 "kernel cache %s: no usable entry (%zu corrupt, %zu built with another "
			 "configs/ktstr.kconfig)",
			 root, list__ncorrupt(&l), nstale);
	} else {
		snprintf(err, errlen,
			 "kernel cache %s: no entry with version %s (%zu other, %zu corrupt, %zu "
			 "built with another configs/ktstr.kconfig)",
			 root, id, nvalid - nstale, list__ncorrupt(&l), nstale);
	}
	ktstr_kcache_list__free(&l);
	return best != NULL ? 0 : -ENOENT;
}

int ktstr_kcache__find(const char *root, const char *id, struct ktstr_kcache_entry *out, char *err,
		       size_t errlen)
{
	bool latest = id[0] == '\0' || strcmp(id, "latest") == 0;
	int rc;

	err[0] = '\0';
	if (latest) {
		return list__find_scan(root, id, true, out, err, errlen);
	}
	if (!ktstr_kcache__key_valid(id)) {
		return -ENOENT;
	}
	rc = ktstr_kcache_entry__load(root, id, out);
	if (rc == 0) {
		return 0;
	}
	if (ktstr_kcache__version_valid(id)) {
		return list__find_scan(root, id, false, out, err, errlen);
	}
	if (rc == -EINVAL) {
		snprintf(err, errlen,
			 "kernel cache %s: entry %s is corrupt (%s); `ktstr kernel "
			 "clean --corrupt-only` removes it",
			 root, id, out->why);
	} else {
		snprintf(err, errlen, "kernel cache %s: no entry %s", root, id);
	}
	return -ENOENT;
}

int ktstr_kcache__lookup(const char *root, const char *id, struct ktstr_kernel *out, char *err,
			 size_t errlen)
{
	struct ktstr_kcache_entry *e = malloc(sizeof(*e));
	int rc;

	if (e == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = ktstr_kcache__find(root, id, e, err, errlen);
	if (rc == 0) {
		rc = ktstr_kcache__describe(e, "cache entry", out);
		if (rc < 0) {
			snprintf(err, errlen, "cache entry %s: cannot record the kernel: %s",
				 e->key, strerror(-rc));
		}
	}
	free(e);
	return rc;
}
