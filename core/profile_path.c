#include "profile_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Drop "." and empty components and fold ".." into its parent, in place.
 * Lexical on purpose: the scheduler binary need not exist yet at parse time. */
static void clean(char *path)
{
	char *out = path;
	char *p = path;

	while (*p != '\0') {
		char *end = strchr(p, '/');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		if (len == 2 && p[0] == '.' && p[1] == '.') {
			while (out > path && *--out != '/') {
			}
		} else if (len > 0 && !(len == 1 && p[0] == '.')) {
			*out++ = '/';
			memmove(out, p, len);
			out += len;
		}
		p += len;
		if (*p == '/') {
			p++;
		}
	}
	if (out == path) {
		*out++ = '/';
	}
	*out = '\0';
}

static int join(const char *a, const char *b, char **out)
{
	size_t len = strlen(a) + strlen(b) + 2;

	*out = malloc(len);
	if (*out == NULL) {
		return -ENOMEM;
	}
	snprintf(*out, len, "%s/%s", a, b);
	return 0;
}

/* The profile's directory, absolute: physical when it exists, else against the cwd. */
static int base_dir(struct ktstr_pctx *c, char **out)
{
	const char *slash = strrchr(c->file, '/');
	char cwd[PATH_MAX];
	char *dir, *real;
	int n;

	if (slash == NULL) {
		dir = strdup(".");
	} else {
		dir = strndup(c->file, slash == c->file ? 1 : (size_t)(slash - c->file));
	}
	if (dir == NULL) {
		return -ENOMEM;
	}
	real = realpath(dir, NULL);
	if (real != NULL) {
		free(dir);
		*out = real;
		return 0;
	}
	if (dir[0] == '/') {
		*out = dir;
		return 0;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		free(dir);
		return -errno;
	}
	n = join(cwd, dir, out);
	free(dir);
	return n;
}

int ktstr_pctx__resolve_path(struct ktstr_pctx *c, yaml_node_t *at, const char *path, char **out)
{
	int rc;

	if (path[0] == '/') {
		*out = strdup(path);
		rc = *out != NULL ? 0 : -ENOMEM;
	} else {
		if (c->base_dir == NULL) {
			rc = base_dir(c, &c->base_dir);
			if (rc == -ENOMEM) {
				return rc;
			}
			if (rc != 0) {
				return ktstr_pctx__error(c, at,
							 "cannot find the profile's directory to "
							 "resolve \"%s\": %s",
							 path, strerror(-rc));
			}
		}
		rc = join(c->base_dir, path, out);
	}
	if (rc == 0) {
		clean(*out);
	}
	return rc;
}
