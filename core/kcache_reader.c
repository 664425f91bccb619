/* The reader's side of the cache locks: a run booting a cached image holds its entry shared. */
#include "kcache.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>

int ktstr_kcache__read_lock(const char *image, int *fd_out, char *err, size_t errlen)
{
	char root[PATH_MAX], real_root[PATH_MAX], real_image[PATH_MAX], why[PATH_MAX + 256];
	char *slash, *key;

	*fd_out = -1;
	if (image == NULL || ktstr_kcache__root(root, sizeof(root), why, sizeof(why)) != 0 ||
	    realpath(root, real_root) == NULL || realpath(image, real_image) == NULL) {
		return 0; /* no cache, or an image that is not there: nothing to protect */
	}
	/* {root}/{key}/{image}, compared after canonicalizing */
	slash = strrchr(real_image, '/');
	if (slash == NULL) {
		return 0;
	}
	*slash = '\0';
	key = strrchr(real_image, '/');
	if (key == NULL) {
		return 0;
	}
	*key++ = '\0';
	if (strcmp(real_image, real_root) != 0 || !ktstr_kcache__key_valid(key)) {
		return 0;
	}
	return ktstr_kcache__lock(real_root, key, LOCK_SH, KTSTR_KCACHE_READ_TIMEOUT_MS, fd_out,
				  err, errlen);
}
