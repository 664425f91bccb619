/*
 * A private apt configuration for one suite, under the plugin's cache
 * directory: its own sources list, package lists and cache, an empty dpkg
 * status. The system's apt sources and packages are never touched.
 *
 *   <cache_dir>/apt-<suite>/sources.list   deb [signed-by=K] <mirror> <suite> main
 *   <cache_dir>/apt-<suite>/lists/ cache/  apt's state for this suite only
 *   <cache_dir>/apt-<suite>/lock           flock: one apt-get at a time
 *   <cache_dir>/apt-<suite>/updated        touched after each apt-get update
 */
#ifndef KTSTR_DEBIAN_APT_H
#define KTSTR_DEBIAN_APT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "debian_run.h"

#define DEBIAN_APT_OPTS 14

struct debian_apt {
	char dir[PATH_MAX];
	char suite[64];
	char mirror[512];
	char opt[DEBIAN_APT_OPTS][PATH_MAX + 64]; /* "-o" values */
	int nopt;
	int lock_fd;
	bool (*cancelled)(void);
	char err[2 * PATH_MAX + DEBIAN_RUN_ERR_MAX]; /* why the last call failed */
};

/**
 * @brief Create (or reuse) the private configuration for @p suite from
 *        @p mirror, trusting @p keyring. No network.
 * @return 0 or -errno (a->err set)
 */
int debian_apt__open(struct debian_apt *a, const char *cache_dir, const char *suite,
		     const char *mirror, const char *keyring, bool (*cancelled)(void));

/**
 * @brief Take the configuration's lock, waiting up to @p timeout_s while
 *        another process (or instance) uses it; logs through @p waiting once.
 * @return 0, -ETIMEDOUT, -ECANCELED or -errno (a->err set)
 */
int debian_apt__lock(struct debian_apt *a, int timeout_s, void (*waiting)(void *ctx), void *ctx);
void debian_apt__unlock(struct debian_apt *a);

/** @brief Seconds since the last successful update; -1 when the lists were never fetched. */
long debian_apt__age(const struct debian_apt *a);

/** @brief `apt-get update` for this suite (lock held). 0 or -errno (a->err set). */
int debian_apt__update(struct debian_apt *a);

/**
 * @brief `apt-cache pkgnames linux-`: the kernel packages the lists know.
 * @param out  receives the malloc'd output (caller frees) and its length
 */
int debian_apt__names(struct debian_apt *a, char **out, size_t *len);

/** @brief `apt-get download @p pkg` into directory @p dir; @p path receives the .deb's path. */
int debian_apt__download(struct debian_apt *a, const char *pkg, const char *dir, char *path,
			 size_t pathlen);

/** @brief `dpkg-deb -x @p deb @p dir`. 0 or -errno (a->err set). */
int debian_apt__extract(struct debian_apt *a, const char *deb, const char *dir);

#endif
