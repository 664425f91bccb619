/*
 * cpio "newc" writer (magic 070701) into a growable memory buffer, the format
 * the kernel's initramfs unpacker reads. Entries are reproducible: uid, gid and
 * mtime are 0, nlink is 1, inode numbers count up from 1 per archive.
 */
#ifndef KTSTR_CORE_CPIO_H
#define KTSTR_CORE_CPIO_H

#include <stddef.h>
#include <stdint.h>

/* Longest name the kernel accepts, NUL included (PATH_MAX in init/initramfs.c). */
#define KTSTR_CPIO_NAME_MAX 4096

struct ktstr_cpio {
	uint8_t *buf;
	size_t len, cap;
	uint32_t next_ino;
};

/** @brief Start an empty archive (no allocation yet). */
void ktstr_cpio__init(struct ktstr_cpio *c);

/** @brief Free the buffer; @p c is empty again afterwards. */
void ktstr_cpio__release(struct ktstr_cpio *c);

/**
 * @brief Append one entry: header, @p name, then @p len bytes of @p data, each
 *        padded to 4 bytes. The type comes from @p mode (S_IFREG, S_IFDIR, S_IFLNK).
 * @return 0, -EINVAL (empty name, data on a directory), -ENAMETOOLONG,
 *         -EFBIG (over 4 GiB - 1), -ENOMEM
 */
int ktstr_cpio__add(struct ktstr_cpio *c, const char *name, uint32_t mode, const void *data,
		    size_t len);

/** @brief A directory entry (S_IFDIR is added to @p perm). */
int ktstr_cpio__add_dir(struct ktstr_cpio *c, const char *name, uint32_t perm);

/** @brief A symlink entry, mode 0120777, whose data is @p target. */
int ktstr_cpio__add_symlink(struct ktstr_cpio *c, const char *name, const char *target);

/** @brief The "TRAILER!!!" entry that ends an archive. */
int ktstr_cpio__add_trailer(struct ktstr_cpio *c);

/** @brief Append zero bytes until the length is a multiple of @p align (a power of two). */
int ktstr_cpio__pad(struct ktstr_cpio *c, size_t align);

#endif
