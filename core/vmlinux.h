/*
 * The kernel's vmlinux: pulled out of a bzImage, stripped for the cache, and
 * read through libelf (BTF, symbols, version banner) for later features.
 */
#ifndef KTSTR_CORE_VMLINUX_H
#define KTSTR_CORE_VMLINUX_H

#include <stddef.h>

/**
 * @brief Write the uncompressed ELF vmlinux inside bzImage @p image to @p out.
 * @return 0; -ENOEXEC when @p image is not a bzImage with a payload this
 *         build can decompress (@p err says which); -errno (err set)
 */
int ktstr_vmlinux__extract(const char *image, const char *out, char *err, size_t errlen);

/**
 * @brief Copy ELF @p in to @p out keeping what later features read (symbols,
 *        .rodata, .BTF, section headers), per the reference's strip rules.
 * @return 0; -errno (err set) when it cannot, and @p out is then absent
 */
int ktstr_vmlinux__strip(const char *in, const char *out, char *err, size_t errlen);

#endif
