/*
 * The plugin search path: every dir of KTSTR_PLUGIN_PATH, then the build
 * tree's plugin dir when the running binary lives in the build tree, else
 * the installed plugin dir. Each dir's *.so files load in sorted order, so
 * which of two same-named modules wins does not depend on readdir order.
 */
#include "registry_internal.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "paths.h"

/* Directories already scanned (canonical), so a dir named twice loads once. */
struct scan_state {
	char **seen;
	size_t nseen;
	size_t scanned;
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_module_name(const char *name)
{
	size_t n = strlen(name);

	return n > 3 && strcmp(name + n - 3, ".so") == 0;
}

/* The *.so entries of @dir that are regular files (or links to them), sorted. */
static int list_modules(const char *dir, char ***out, size_t *nout)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int ret = 0;

	if (d == NULL) {
		return -errno;
	}
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX];
		struct stat st;
		char **grown;

		if (!is_module_name(de->d_name)) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			continue;
		}
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (grown == NULL) {
			ret = -ENOMEM;
			break;
		}
		names = grown;
		names[n] = strdup(de->d_name);
		if (names[n] == NULL) {
			ret = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (ret != 0) {
		for (size_t i = 0; i < n; i++) {
			free(names[i]);
		}
		free(names);
		return ret;
	}
	if (n > 1) {
		qsort(names, n, sizeof(*names), cmp_names);
	}
	*out = names;
	*nout = n;
	return 0;
}

static bool already_seen(struct scan_state *st, const char *real)
{
	for (size_t i = 0; i < st->nseen; i++) {
		if (strcmp(st->seen[i], real) == 0) {
			return true;
		}
	}
	return false;
}

static int remember(struct scan_state *st, const char *real)
{
	char **grown = realloc(st->seen, (st->nseen + 1) * sizeof(*grown));

	if (grown == NULL) {
		return -ENOMEM;
	}
	st->seen = grown;
	st->seen[st->nseen] = strdup(real);
	if (st->seen[st->nseen] == NULL) {
		return -ENOMEM;
	}
	st->nseen++;
	return 0;
}

/* 0 scanned (or skipped as a repeat), -ENOMEM, or -errno when unreadable. */
static int scan_dir(struct ktstr_registry *reg, struct scan_state *st, const char *dir)
{
	char real[PATH_MAX], err[1024];
	char **names = NULL;
	size_t n = 0;
	int ret;

	if (realpath(dir, real) == NULL) {
		return -errno;
	}
	if (already_seen(st, real)) {
		return 0;
	}
	ret = list_modules(real, &names, &n);
	if (ret != 0) {
		return ret;
	}
	ret = remember(st, real);
	st->scanned++;
	for (size_t i = 0; ret == 0 && i < n; i++) {
		char path[PATH_MAX];
		int lret;

		snprintf(path, sizeof(path), "%s/%s", real, names[i]);
		lret = ktstr_registry__load_file(reg, path, err, sizeof(err));
		if (lret == -ENOMEM) {
			ret = lret;
		} else if (lret != 0) {
			KTSTR_WARN("%s", err);
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
	}
	free(names);
	return ret;
}

static int scan_env(struct ktstr_registry *reg, struct scan_state *st, const char *env)
{
	char *copy = strdup(env), *rest = copy, *dir;
	int ret = 0;

	if (copy == NULL) {
		return -ENOMEM;
	}
	while (ret == 0 && (dir = strsep(&rest, ":")) != NULL) {
		if (*dir == '\0') {
			continue;
		}
		ret = scan_dir(reg, st, dir);
		if (ret != 0 && ret != -ENOMEM) {
			KTSTR_WARN("KTSTR_PLUGIN_PATH names %s, which cannot be read: %s; fix or "
				   "remove that entry",
				   dir, strerror(-ret));
			ret = 0;
		}
	}
	free(copy);
	return ret;
}

int ktstr_registry__load_default(struct ktstr_registry *reg)
{
	const char *env = getenv("KTSTR_PLUGIN_PATH");
	const char *dflt = ktstr_paths__plugin_dir();
	struct scan_state st = { 0 };
	int ret = 0;

	if (env != NULL) {
		ret = scan_env(reg, &st, env);
	}
	if (ret == 0) {
		ret = scan_dir(reg, &st, dflt);
		if (ret != 0 && ret != -ENOMEM) {
			KTSTR_DBG("plugin directory %s cannot be read: %s", dflt, strerror(-ret));
			ret = 0;
		}
	}
	if (ret == 0 && st.scanned == 0) {
		KTSTR_WARN("no plugin directory could be read (KTSTR_PLUGIN_PATH=%s, default %s); "
			   "install plugins into %s or point KTSTR_PLUGIN_PATH at them",
			   env != NULL ? env : "(unset)", dflt, dflt);
		ret = -ENOENT;
	}
	for (size_t i = 0; i < st.nseen; i++) {
		free(st.seen[i]);
	}
	free(st.seen);
	return ret;
}
