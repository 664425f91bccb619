/* KTSTR_KERNEL_LIST: parse (consumer), dedupe, check and encode (producer). */
#include "kernel_list_env.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_label.h"

int ktstr_klist__add(struct ktstr_klist *l, const char *label, const char *dir)
{
	struct ktstr_klist_entry *v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (v == NULL) {
		return -ENOMEM;
	}
	l->v = v;
	v[l->n].label = strdup(label);
	v[l->n].dir = strdup(dir);
	if (v[l->n].label == NULL || v[l->n].dir == NULL) {
		free(v[l->n].label);
		free(v[l->n].dir);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

/* Trim [*s, *e) of surrounding whitespace. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s)) {
		(*s)++;
	}
	while (*e > *s && isspace((unsigned char)(*e)[-1])) {
		(*e)--;
	}
}

static int parse_entry(const char *s, const char *e, struct ktstr_klist *out)
{
	const char *eq, *ls, *le, *ds, *de;
	char *label, *dir;
	int ret;

	trim(&s, &e);
	eq = memchr(s, '=', (size_t)(e - s));
	if (s == e || eq == NULL) {
		return 0;
	}
	ls = s;
	le = eq;
	ds = eq + 1;
	de = e;
	trim(&ls, &le);
	trim(&ds, &de);
	if (ls == le || ds == de) {
		return 0;
	}
	label = strndup(ls, (size_t)(le - ls));
	dir = strndup(ds, (size_t)(de - ds));
	ret = label != NULL && dir != NULL ? ktstr_klist__add(out, label, dir) : -ENOMEM;
	free(label);
	free(dir);
	return ret;
}

int ktstr_klist__parse(const char *val, struct ktstr_klist *out)
{
	memset(out, 0, sizeof(*out));
	for (const char *p = val; p != NULL && *p != '\0';) {
		const char *semi = strchr(p, ';');
		const char *end = semi != NULL ? semi : p + strlen(p);
		int ret = parse_entry(p, end, out);

		if (ret != 0) {
			ktstr_klist__release(out);
			return ret;
		}
		p = semi != NULL ? semi + 1 : end;
	}
	return 0;
}

int ktstr_klist__dedupe(struct ktstr_klist *l, char *err, size_t errlen)
{
	size_t kept = 0;

	for (size_t i = 0; i < l->n; i++) {
		bool dup = false;

		for (size_t j = 0; j < kept && !dup; j++) {
			dup = strcmp(l->v[j].label, l->v[i].label) == 0 &&
			      strcmp(l->v[j].dir, l->v[i].dir) == 0;
		}
		if (dup) {
			free(l->v[i].label);
			free(l->v[i].dir);
		} else {
			l->v[kept++] = l->v[i];
		}
	}
	l->n = kept;
	for (size_t i = 0; i < l->n; i++) {
		char a[512], b[512];

		ktstr_kernel_label__sanitize(l->v[i].label, a, sizeof(a));
		for (size_t j = 0; j < i; j++) {
			ktstr_kernel_label__sanitize(l->v[j].label, b, sizeof(b));
			if (strcmp(a, b) == 0) {
				snprintf(
				    err, errlen,
				    "kernels %s (%s) and %s (%s) both get the test-name label %s; "
				    "name them so their labels differ (e.g. one version or "
				    "cache key each)",
				    l->v[j].label, l->v[j].dir, l->v[i].label, l->v[i].dir, a);
				return -EINVAL;
			}
		}
	}
	return 0;
}

static int check(const struct ktstr_klist_entry *e, char *err, size_t errlen)
{
	if (strchr(e->label, ';') != NULL) {
		snprintf(err, errlen,
			 "kernel label \"%s\" contains a `;`; KTSTR_KERNEL_LIST uses `;` as the "
			 "entry separator",
			 e->label);
		return -EINVAL;
	}
	if (strchr(e->label, '=') != NULL) {
		snprintf(err, errlen,
			 "kernel label \"%s\" contains a `=`; KTSTR_KERNEL_LIST uses `=` to "
			 "separate label from path within an entry",
			 e->label);
		return -EINVAL;
	}
	if (strchr(e->dir, ';') != NULL) {
		snprintf(err, errlen,
			 "kernel directory path for \"%s\" contains a `;` (\"%s\"); "
			 "KTSTR_KERNEL_LIST uses `;` as the entry separator and cannot encode such "
			 "paths. Move or symlink the kernel cache to a path without `;`.",
			 e->label, e->dir);
		return -EINVAL;
	}
	return 0;
}

int ktstr_klist__encode(const struct ktstr_klist *l, char **out, char *err, size_t errlen)
{
	size_t len = 1, used = 0;
	char *s;

	*out = NULL;
	for (size_t i = 0; i < l->n; i++) {
		int ret = check(&l->v[i], err, errlen);

		if (ret != 0) {
			return ret;
		}
		len += strlen(l->v[i].label) + strlen(l->v[i].dir) + 2;
	}
	s = malloc(len);
	if (s == NULL) {
		return -ENOMEM;
	}
	s[0] = '\0';
	for (size_t i = 0; i < l->n; i++) {
		used += (size_t)snprintf(s + used, len - used, "%s%s=%s", i ? ";" : "",
					 l->v[i].label, l->v[i].dir);
	}
	*out = s;
	return 0;
}

void ktstr_klist__release(struct ktstr_klist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].label);
		free(l->v[i].dir);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
