#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool ktstr_paths__in_build_tree(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t blen = strlen(KTSTR_BUILD_BIN_DIR);

	if (n <= 0) {
		return false;
	}
	exe[n] = '\0';
	return strncmp(exe, KTSTR_BUILD_BIN_DIR, blen) == 0 && exe[blen] == '/';
}

const char *ktstr_paths__guest_dir(void)
{
	const char *env = getenv("KTSTR_GUEST_DIR");

	if (env != NULL && env[0] != '\0') {
		return env;
	}
	return ktstr_paths__in_build_tree() ? KTSTR_BUILD_GUEST_DIR : KTSTR_INSTALL_GUEST_DIR;
}

int ktstr_paths__cache_root(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;

	if (xdg != NULL && xdg[0] == '/') {
		n = snprintf(buf, len, "%s/ktstr", xdg);
	} else if (home != NULL && home[0] == '/' && strcmp(home, "/") != 0) {
		n = snprintf(buf, len, "%s/.cache/ktstr", home);
	} else {
		return -ENOENT;
	}
	return n > 0 && (size_t)n < len ? 0 : -ENAMETOOLONG;
}
