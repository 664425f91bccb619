/* Small filesystem helpers shared by the engine. All return 0 or -errno. */
#ifndef KTSTR_CORE_FSUTIL_H
#define KTSTR_CORE_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/** @brief mkdir -p with @p mode for every created component. */
int ktstr_fs__mkdir_p(const char *path, mode_t mode);

/** @brief Read a whole file into a NUL-terminated malloc'd buffer (*len excludes the NUL). */
int ktstr_fs__read_file(const char *path, char **out, size_t *len);

/** @brief write() all of @p data, retrying on EINTR and short writes. */
int ktstr_fs__write_all(int fd, const void *data, size_t len);

/** @brief Write @p len bytes to @p path atomically (temp file in the same dir, fsync, rename). */
int ktstr_fs__write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/** @brief rm -rf; a missing path is success. Does not follow symlinks. */
int ktstr_fs__rm_rf(const char *path);

/** @brief Copy @p src to @p dst (created/truncated with @p mode). */
int ktstr_fs__copy_file(const char *src, const char *dst, mode_t mode);

#endif
