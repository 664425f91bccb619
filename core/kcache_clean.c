/* `kernel clean`'s rules: which entries go, and removing one only when nobody holds it. */
#include "kcache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* True when {root}/{seen->key} is still what the listing saw. */
static bool clean__unchanged(const char *root, const struct ktstr_kcache_entry *seen)
{
	struct ktstr_kcache_entry *now = malloc(sizeof(*now));
	bool same;

	if (now == NULL) {
		return false;
	}
	ktstr_kcache_entry__load(root, seen->key, now);
	same = seen->err != KTSTR_KCACHE_OK ? now->err != KTSTR_KCACHE_OK
					     : now->err == KTSTR_KCACHE_OK &&
						   strcmp(now->meta.built_at, seen->meta.built_at) == 0;
	free(now);
	return same;
}

int ktstr_kcache__remove(const char *root, const struct ktstr_kcache_entry *seen, char *err,
			 size_t errlen)
{
	const char *key = seen->key;
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
	if (fd >= 0 && !clean__unchanged(root, seen)) {
		ktstr_kcache__unlock(fd);
		snprintf(err, errlen, "%s changed since it was listed; left alone", key);
		return -ESTALE;
	}
	rc = ktstr_fs__rm_rf(path);
	ktstr_kcache__unlock(fd);
	if (rc < 0) {
		snprintf(err, errlen, "cannot remove %s: %s", path, strerror(-rc));
	}
	return rc;
}
