/* Leftovers of interrupted stores: .tmp-{key}-{pid} whose pid is gone. */
#include "kcache.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fsutil.h"
#include "log.h"

unsigned ktstr_kcache__sweep_tmp(const char *root, const char *keep)
{
	struct ktstr_kcache_tmp t;
	char path[PATH_MAX];
	struct dirent *de;
	unsigned n = 0;
	DIR *d = opendir(root);

	if (d == NULL) {
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, ".tmp-", 5) != 0 ||
		    (keep != NULL && strcmp(de->d_name, keep) == 0)) {
			continue;
		}
		ktstr_kcache__tmp_parse(de->d_name, &t);
		if (t.alive ||
		    snprintf(path, sizeof(path), "%s/%s", root, de->d_name) >= (int)sizeof(path)) {
			continue;
		}
		if (ktstr_fs__rm_rf(path) == 0) {
			KTSTR_DBG("removed %s, left by dead process %d", path, (int)t.pid);
			n++;
		}
	}
	closedir(d);
	return n;
}
