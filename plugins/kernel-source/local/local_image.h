/* What a kernel image file is: a bzImage (with its version string) or an ELF vmlinux. */
#ifndef KTSTR_LOCAL_IMAGE_H
#define KTSTR_LOCAL_IMAGE_H

#include <stddef.h>

enum ktstr_kimage_kind {
	KTSTR_KIMAGE_NONE = 0, /**< neither */
	KTSTR_KIMAGE_BZIMAGE,  /**< x86 boot protocol image ("HdrS" at 0x202) */
	KTSTR_KIMAGE_ELF,      /**< x86-64 ELF executable (vmlinux, bootable through PVH) */
};

/** @brief Bytes of a file's start that ktstr_kimage__parse may need. */
#define KTSTR_KIMAGE_HEAD_BYTES (0x200 + 0x10000 + 256)

/**
 * @brief Classify an image from its first bytes.
 * @param version  receives the bzImage's release (first word of the string
 *                 at 0x200 + the u16 at 0x20E), "" when absent or unreadable
 * @return the kind; never fails
 */
enum ktstr_kimage_kind ktstr_kimage__parse(const unsigned char *buf, size_t len, char *version,
					   size_t vlen);

/**
 * @brief Read the start of @p path and classify it.
 * @return 0 with @p kind set (KTSTR_KIMAGE_NONE for other files), or -errno
 *         when the file cannot be read
 */
int ktstr_kimage__inspect(const char *path, enum ktstr_kimage_kind *kind, char *version,
			  size_t vlen);

#endif
