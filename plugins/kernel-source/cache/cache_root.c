#include "cache_root.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int ktstr_cache_root__find(const char *cache_dir, const char *xdg_cache_home, const char *home,
			   char *out, size_t len, char *err, size_t errlen)
{
	int n;

	if (cache_dir != NULL && cache_dir[0] != '\0') {
		n = snprintf(out, len, "%s", cache_dir);
	} else if (xdg_cache_home != NULL && xdg_cache_home[0] != '\0') {
		n = snprintf(out, len, "%s/ktstr/kernels", xdg_cache_home);
	} else if (home != NULL && home[0] == '/' && home[1] != '\0') {
		n = snprintf(out, len, "%s/.cache/ktstr/kernels", home);
	} else {
		snprintf(err, errlen,
			 "kernel cache: no location (KTSTR_CACHE_DIR and XDG_CACHE_HOME "
			 "are unset and HOME is %s); set KTSTR_CACHE_DIR",
			 home == NULL	   ? "unset"
			 : home[0] == '\0' ? "empty"
			 : home[0] != '/'  ? "not absolute"
					   : "/");
		return -ENOENT;
	}
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "kernel cache: the cache path is too long");
		return -ENAMETOOLONG;
	}
	return 0;
}
