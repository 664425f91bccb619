#define _GNU_SOURCE
#include "qemu_argv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Takes ownership of @p s (freed on failure). */
static int argv__append_owned(struct ktstr_argv *a, char *s)
{
	if (s == NULL) {
		return -ENOMEM;
	}
	/* +2: the new string and the terminating NULL */
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 16;
		char **v = realloc(a->v, cap * sizeof(*v));

		if (v == NULL) {
			free(s);
			return -ENOMEM;
		}
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
	return 0;
}

int ktstr_argv__push(struct ktstr_argv *a, const char *s)
{
	return argv__append_owned(a, strdup(s));
}

int ktstr_argv__pushf(struct ktstr_argv *a, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		return -ENOMEM;
	}
	return argv__append_owned(a, s);
}

int ktstr_argv__split(struct ktstr_argv *a, const char *s)
{
	while (s != NULL && *s != '\0') {
		size_t len;
		int rc;

		s += strspn(s, " \t");
		len = strcspn(s, " \t");
		if (len == 0) {
			break;
		}
		rc = argv__append_owned(a, strndup(s, len));
		if (rc < 0) {
			return rc;
		}
		s += len;
	}
	return 0;
}

void ktstr_argv__free(struct ktstr_argv *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i]);
	}
	free(a->v);
	a->v = NULL;
	a->n = 0;
	a->cap = 0;
}
