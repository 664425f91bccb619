/* Small-file helpers for sysfs, procfs and cgroupfs (guest side, no core deps). */
#ifndef KTSTR_GUEST_FILEIO_H
#define KTSTR_GUEST_FILEIO_H

#include <stddef.h>

/**
 * @brief Read a whole small file into @p buf as a NUL-terminated string with
 *        trailing whitespace removed.
 * @return 0; -errno from open/read; -EFBIG when it does not fit in @p len - 1.
 */
int ktstr_file__read(const char *path, char *buf, size_t len);

/** @brief ktstr_file__read() of "<root><rel>" (root "" is the real root). */
int ktstr_file__read_at(const char *root, const char *rel, char *buf, size_t len);

/**
 * @brief Write @p text with a single write() to an existing file (no O_CREAT:
 *        kernel interface files must exist). @return 0 or -errno.
 */
int ktstr_file__write(const char *path, const char *text);

/**
 * @brief Read at most the last @p max bytes of a file into a malloc'd,
 *        NUL-terminated buffer. @return 0 or -errno; *out NULL on error.
 */
int ktstr_file__read_tail(const char *path, size_t max, char **out, size_t *outlen);

#endif
