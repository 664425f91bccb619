#include "scenario_catalog.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "paths.h"

#define SUFFIX ".yaml"
#define SUFFIX_LEN (sizeof(SUFFIX) - 1)
const char *ktstr_scenario_catalog__default_dir(void)
{
	return ktstr_paths__scenario_dir();
}

int ktstr_scenario_catalog__find(const char *const *dirs, size_t ndirs, const char *name,
				 char *path, size_t len)
{
	struct stat st;

	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL) {
		return -EINVAL;
	}
	for (size_t i = 0; i <= ndirs; i++) {
		const char *dir = i < ndirs ? dirs[i] : ktstr_scenario_catalog__default_dir();
		int n = snprintf(path, len, "%s/%s" SUFFIX, dir, name);

		if (n < 0 || (size_t)n >= len) {
			return -ENAMETOOLONG;
		}
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			return 0;
		}
	}
	return -ENOENT;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_dir(const char *dir, char ***names, size_t *n, size_t *cap)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL) {
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (len <= SUFFIX_LEN || de->d_name[0] == '.' ||
		    strcmp(de->d_name + len - SUFFIX_LEN, SUFFIX) != 0) {
			continue;
		}
		if (*n == *cap) {
			size_t ncap = *cap != 0 ? *cap * 2 : 64;
			char **v = realloc(*names, ncap * sizeof(*v));

			if (v == NULL) {
				closedir(d);
				return -ENOMEM;
			}
			*names = v;
			*cap = ncap;
		}
		(*names)[*n] = strndup(de->d_name, len - SUFFIX_LEN);
		if ((*names)[*n] == NULL) {
			closedir(d);
			return -ENOMEM;
		}
		(*n)++;
	}
	closedir(d);
	return 0;
}

int ktstr_scenario_catalog__names(const char *const *dirs, size_t ndirs, char ***names, size_t *n)
{
	char **v = NULL;
	size_t len = 0, cap = 0, out = 0;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i <= ndirs; i++) {
		rc = add_dir(i < ndirs ? dirs[i] : ktstr_scenario_catalog__default_dir(), &v, &len,
			     &cap);
	}
	if (rc != 0) {
		ktstr_scenario_catalog__free_names(v, len);
		return rc;
	}
	if (len > 0) {
		qsort(v, len, sizeof(*v), cmp_str);
	}
	/* a name in two directories is listed once */
	for (size_t i = 0; i < len; i++) {
		if (out > 0 && strcmp(v[out - 1], v[i]) == 0) {
			free(v[i]);
			continue;
		}
		v[out++] = v[i];
	}
	*names = v;
	*n = out;
	return 0;
}

void ktstr_scenario_catalog__free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
	}
	free(names);
}
