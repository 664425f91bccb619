#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool ktstr_paths__in_build_tree(void)
{
	char exe[PATH_MAX], bin[PATH_MAX];
	size_t n;

	if (realpath("/proc/self/exe", exe) == NULL || realpath(KTSTR_BUILD_BIN_DIR, bin) == NULL) {
		return false;
	}
	n = strlen(bin);
	return strncmp(exe, bin, n) == 0 && (exe[n] == '/' || bin[n - 1] == '/');
}

/*
 * <prefix>/<rel>, where <prefix> is the running binary's directory with
 * KTSTR_INSTALL_BIN_REL ("bin") taken off; the configured prefix when
 * /proc/self/exe cannot be read.
 */
static void install_path(const char *rel, char *buf, size_t len)
{
	char exe[PATH_MAX];
	int up = 1; /* the executable's own name */

	for (const char *p = KTSTR_INSTALL_BIN_REL; *p != '\0'; p++) {
		up += *p == '/';
	}
	up += KTSTR_INSTALL_BIN_REL[0] != '\0';
	if (realpath("/proc/self/exe", exe) == NULL) {
		snprintf(buf, len, "%s/%s", KTSTR_INSTALL_PREFIX, rel);
		return;
	}
	while (up-- > 0) {
		char *slash = strrchr(exe, '/');

		if (slash == NULL || slash == exe) {
			snprintf(buf, len, "%s/%s", KTSTR_INSTALL_PREFIX, rel);
			return;
		}
		*slash = '\0';
	}
	snprintf(buf, len, "%s/%s", exe, rel);
}

static char plugin_dir[PATH_MAX], guest_dir[PATH_MAX], scenario_dir[PATH_MAX];
static pthread_once_t dirs_once = PTHREAD_ONCE_INIT;

static void find_dirs(void)
{
	if (ktstr_paths__in_build_tree()) {
		snprintf(plugin_dir, sizeof(plugin_dir), "%s", KTSTR_BUILD_PLUGIN_DIR);
		snprintf(guest_dir, sizeof(guest_dir), "%s", KTSTR_BUILD_GUEST_DIR);
		snprintf(scenario_dir, sizeof(scenario_dir), "%s/scenarios", KTSTR_SOURCE_CONFIGS_DIR);
		return;
	}
	install_path(KTSTR_INSTALL_PLUGIN_REL, plugin_dir, sizeof(plugin_dir));
	install_path(KTSTR_INSTALL_GUEST_REL, guest_dir, sizeof(guest_dir));
	install_path(KTSTR_INSTALL_DATA_REL "/configs/scenarios", scenario_dir, sizeof(scenario_dir));
}

const char *ktstr_paths__plugin_dir(void)
{
	pthread_once(&dirs_once, find_dirs);
	return plugin_dir;
}

const char *ktstr_paths__guest_dir(void)
{
	const char *env = getenv("KTSTR_GUEST_DIR");

	if (env != NULL && env[0] != '\0') {
		return env;
	}
	pthread_once(&dirs_once, find_dirs);
	return guest_dir;
}

const char *ktstr_paths__scenario_dir(void)
{
	pthread_once(&dirs_once, find_dirs);
	return scenario_dir;
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
