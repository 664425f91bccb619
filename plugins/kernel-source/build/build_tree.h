/* kernel-source/build: what a source tree is (git state) and its build lock. */
#ifndef KTSTR_BUILD_TREE_H
#define KTSTR_BUILD_TREE_H

#include <stdbool.h>
#include <stddef.h>

/** @brief A tree's git state. */
struct ktstr_build_git {
	bool is_git; /**< @p dir is the top of a git work tree with a HEAD commit */
	bool dirty;  /**< tracked changes (`git status --porcelain -uno --ignore-submodules=all`) */
	char hash7[8]; /**< HEAD's abbreviated hash, "" when not git */
};

/**
 * @brief Inspect @p dir (canonical). A directory inside another repository
 *        is not git (its own files are what counts); a non-git tree counts
 *        as dirty. Fails only when git cannot be run at all.
 * @return 0, or -errno with @p err set
 */
int ktstr_build_tree__git(const char *dir, struct ktstr_build_git *out, char *err, size_t errlen);

/**
 * @brief Take the source-tree lock {cache_root}/.locks/source-{crc32 of
 *        @p dir}.lock: exclusive, non-blocking.
 * @return the lock's fd (close it to release); -EBUSY when another process
 *         holds it (@p err names the lockfile and the holders); -errno
 */
int ktstr_build_tree__lock(const char *cache_root, const char *dir, char *err, size_t errlen);

#endif
