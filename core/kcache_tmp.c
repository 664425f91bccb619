/* Leftovers of interrupted stores (.tmp-{key}-{pid}) and removing entries safely. */
#include "kcache.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>

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

int ktstr_kcache__remove(const char *root, const char *key, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int fd, rc;

	if (snprintf(path, sizeof(path), "%s/%s", root, key) >= (int)sizeof(path)) {
		snprintf(err, errlen, "%s/%s: path too long", root, key);
		return -ENAMETOOLONG;
	}
	/* a corrupt entry may carry a name no lock can have: nobody can hold it */
	if (!ktstr_kcache__key_valid(key)) {
		fd = -1;
	} else {
		rc = ktstr_kcache__lock(root, key, LOCK_EX, 0, &fd, err, errlen);
		if (rc == -EWOULDBLOCK) {
			return -EBUSY;
		}
		if (rc < 0) {
			return rc;
		}
	}
	rc = ktstr_fs__rm_rf(path);
	ktstr_kcache__unlock(fd);
	if (rc < 0) {
		snprintf(err, errlen, "cannot remove %s: %s", path, strerror(-rc));
	}
	return rc;
}
