/* Expand a kernel range over the versions in the local cache. */
#include "kernel_range.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kcache.h"
#include "kernel_id.h"

struct found {
	struct ktstr_kver v;
	char *text;
};

static int cmp_found(const void *x, const void *y)
{
	return ktstr_kver__cmp(&((const struct found *)x)->v, &((const struct found *)y)->v);
}

/* The version-shaped prefix of @p s ("7.2.13" of "7.2.13+deb14-cloud-amd64"), or NULL. */
static char *version_text(const char *s, struct ktstr_kver *v)
{
	size_t n;

	if (s == NULL || !ktstr_kver__parse_prefix(s, v)) {
		return NULL;
	}
	n = strspn(s, "0123456789.");
	if (strncmp(s + n, "-rc", 3) == 0) {
		n += 3 + strspn(s + n + 3, "0123456789");
	}
	while (n > 0 && s[n - 1] == '.') {
		n--;
	}
	return strndup(s, n);
}

int ktstr_kernel_range__expand(const char *root, const char *a, const char *b, char ***out,
			       size_t *n, char *err, size_t errlen)
{
	struct ktstr_kver lo, hi;
	struct ktstr_kcache_list list;
	struct found *v = NULL;
	size_t nv = 0;
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
	ret = ktstr_kcache__list(root, &list, err, errlen);
	if (ret < 0) {
		return ret;
	}
	/* usable entries only: a corrupt or stale-kconfig one would not resolve */
	for (size_t e = 0; e < list.n; e++) {
		struct ktstr_kver ver;
		char *text;

		if (list.v[e].err != KTSTR_KCACHE_OK || ktstr_kcache__entry_stale(&list.v[e])) {
			continue;
		}
		text = version_text(list.v[e].meta.version, &ver);
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
	ktstr_kcache_list__free(&list);
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
