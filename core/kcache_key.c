/* The kernel cache's root, its keys and the version grammar (reference kernels.md 1.1, 2). */
#include "kcache.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_id.h"

/* Well-formed UTF-8 (no overlongs, surrogates or values above U+10FFFF). */
static bool key__utf8(const unsigned char *p)
{
	while (*p != '\0') {
		unsigned c = *p, n = c < 0x80		  ? 0
				     : (c & 0xe0) == 0xc0 ? 1
				     : (c & 0xf0) == 0xe0 ? 2
				     : (c & 0xf8) == 0xf0 ? 3
							  : 4;
		unsigned long v = n == 0 ? c : c & (0x3f >> n);

		if (n == 4) {
			return false;
		}
		for (unsigned i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80) {
				return false;
			}
			v = v << 6 | (p[i] & 0x3f);
		}
		if ((n == 1 && v < 0x80) || (n == 2 && v < 0x800) || (n == 3 && v < 0x10000) ||
		    v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
			return false;
		}
		p += n + 1;
	}
	return true;
}

int ktstr_kcache__root_from(const char *cache_dir, const char *xdg_cache_home, const char *home,
			    char *out, size_t len, char *err, size_t errlen)
{
	int n;

	if (cache_dir != NULL && cache_dir[0] != '\0' &&
	    !key__utf8((const unsigned char *)cache_dir)) {
		snprintf(err, errlen, "KTSTR_CACHE_DIR is not valid UTF-8; set it to a UTF-8 path");
		return -EINVAL;
	}
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

int ktstr_kcache__root(char *out, size_t len, char *err, size_t errlen)
{
	return ktstr_kcache__root_from(getenv("KTSTR_CACHE_DIR"), getenv("XDG_CACHE_HOME"),
				       getenv("HOME"), out, len, err, errlen);
}

bool ktstr_kcache__key_valid(const char *key)
{
	bool blank = true;

	/* a leading '.' ("." , ".tmp-*", ".locks") names what listings skip */
	if (key == NULL || key[0] == '\0' || key[0] == '.' || strstr(key, "..") != NULL ||
	    strlen(key) > NAME_MAX) {
		return false;
	}
	for (const char *p = key; *p != '\0'; p++) {
		if (*p == '/' || *p == '\\' || iscntrl((unsigned char)*p)) {
			return false;
		}
		blank = blank && isspace((unsigned char)*p);
	}
	return !blank;
}

bool ktstr_kcache__version_valid(const char *id)
{
	struct ktstr_kver v;

	return ktstr_kver__parse(id, &v);
}

bool ktstr_kcache__version_matches(const char *want, const char *have)
{
	size_t n = strlen(want);

	return strncmp(have, want, n) == 0 &&
	       (have[n] == '\0' || have[n] == '.' || have[n] == '+' || have[n] == '-');
}
