/* Resolve a path-shaped kernel id: a kernel image file or a directory holding one. */
#ifndef KTSTR_LOCAL_RESOLVE_H
#define KTSTR_LOCAL_RESOLVE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/** @brief What a resolved local kernel is made of; "" for what was not found. */
struct ktstr_local_kernel {
	char image[PATH_MAX];	/**< absolute, symlinks resolved */
	char vmlinux[PATH_MAX]; /**< the image itself when it is an ELF vmlinux */
	char config[PATH_MAX];
	char version[128]; /**< from the bzImage header */
	char origin[PATH_MAX + 16];
};

/** @brief Upstream's rule: a path has a '/' or starts with '.' or '~'. */
bool ktstr_local__is_path(const char *id);

/**
 * @brief Resolve @p id.
 * @param home  expands a leading "~" or "~/" (NULL: no expansion possible)
 * @return 0; -ENOENT with @p err empty when @p id is not path-shaped (not
 *         ours); -ENOENT with a message when nothing is there; -ENOEXEC when
 *         the file is not a kernel image; another -errno (message in @p err)
 */
int ktstr_local__resolve(const char *id, const char *home, struct ktstr_local_kernel *out,
			 char *err, size_t errlen);

#endif
