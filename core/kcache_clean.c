/* `kernel clean`'s rules: which entries go, and removing one only when nobody holds it. */
#include "kcache.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>

#include "fsutil.h"

size_t ktstr_kcache__clean_select(const struct ktstr_kcache_list *l, long keep, bool corrupt_only,
				  bool *sel)
{
	size_t n = 0, valid = 0;

	for (size_t i = 0; i < l->n; i++) {
		bool corrupt = l->v[i].err != KTSTR_KCACHE_OK;

		/* the list is newest first, so the first @p keep valid ones stay */
		sel[i] = corrupt || (!corrupt_only && (keep < 0 || (long)valid >= keep));
		valid += !corrupt;
		n += sel[i];
	}
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
