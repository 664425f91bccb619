/* Expand a kernel range over the versions in the local cache. */
#include "kernel_range.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_id.h"

struct found {
	struct ktstr_kver v;
	char *text;
};

static int cmp_found(const void *x, const void *y)
{
	return ktstr_kver__cmp(&((const struct found *)x)->v, &((const struct found *)y)->v);
}

/* The version-shaped prefix of the entry's metadata version, or NULL. */
static char *entry_version(const char *root, const char *key, struct ktstr_kver *v)
{
	char path[PATH_MAX];
	json_t *meta;
	const char *s;
	char *text = NULL;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s/metadata.json", root, key) >=
	    sizeof(path)) {
		return NULL;
	}
	meta = json_load_file(path, 0, NULL);
	s = json_string_value(json_object_get(meta, "version"));
	if (s != NULL && ktstr_kver__parse_prefix(s, v)) {
		size_t n = strspn(s, "0123456789.");

		if (strncmp(s + n, "-rc", 3) == 0) {
			n += 3 + strspn(s + n + 3, "0123456789");
		}
		while (n > 0 && s[n - 1] == '.') {
			n--;
		}
		text = strndup(s, n);
	}
	json_decref(meta);
	return text;
}

int ktstr_kernel_range__expand(const char *root, const char *a, const char *b, char ***out,
			       size_t *n, char *err, size_t errlen)
{
	struct ktstr_kver lo, hi;
	struct found *v = NULL;
	size_t nv = 0;
	struct dirent *d;
	DIR *dir;
	int ret = 0;

	*out = NULL;
	*n = 0;
	if (!ktstr_kver__parse(a, &lo) || !ktstr_kver__parse(b, &hi)) {
		snprintf(err, errlen,
			 "kernel range `%s..%s`: both ends must be versions "
			 "(MAJOR.MINOR[.PATCH][-rcN])",
			 a, b);
		return -EINVAL;
	}
	dir = opendir(root);
	if (dir == NULL) {
		ret = -errno;
		if (ret == -ENOENT) {
			return 0; /* no cache yet: nothing in range */
		}
		snprintf(err, errlen, "kernel cache %s: %s", root, strerror(errno));
		return ret;
	}
	while ((d = readdir(dir)) != NULL) {
		struct ktstr_kver ver;
		char *text;

		if (d->d_name[0] == '.') {
			continue;
		}
		text = entry_version(root, d->d_name, &ver);
		if (text == NULL) {
			continue;
		}
		bool keep = ktstr_kver__cmp(&ver, &lo) >= 0 && ktstr_kver__cmp(&ver, &hi) <= 0;
		for (size_t i = 0; keep && i < nv; i++) {
			keep = ktstr_kver__cmp(&v[i].v, &ver) != 0;
		}
		struct found *grown = keep ? realloc(v, (nv + 1) * sizeof(*v)) : NULL;
		if (grown == NULL) {
			free(text);
			if (keep) {
				ret = -ENOMEM;
				break;
			}
			continue;
		}
		v = grown;
		v[nv].v = ver;
		v[nv++].text = text;
	}
	closedir(dir);
	if (ret == 0 && nv > 0) {
		qsort(v, nv, sizeof(*v), cmp_found);
		*out = calloc(nv, sizeof(**out));
		ret = *out != NULL ? 0 : -ENOMEM;
	}
	for (size_t i = 0; i < nv; i++) {
		if (ret == 0) {
			(*out)[i] = v[i].text;
		} else {
			free(v[i].text);
		}
	}
	*n = ret == 0 ? nv : 0;
	free(v);
	return ret;
}
