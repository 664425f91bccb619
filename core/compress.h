/*
 * The two initramfs compressions the kernel's decompressors read: the LZ4
 * legacy frame (lib/decompress_unlz4.c) and zstd. Encoders for building
 * archives, decoders for reading them back (tests, inspection).
 */
#ifndef KTSTR_CORE_COMPRESS_H
#define KTSTR_CORE_COMPRESS_H

#include <stdbool.h> /* initramfs.h uses bool without including it */
#include <stddef.h>
#include <stdint.h>

#include "initramfs.h"

/* Legacy frame magic 0x184C2102, stored little-endian: 02 21 4C 18. */
#define KTSTR_LZ4_LEGACY_MAGIC 0x184C2102u
/* The kernel's unlz4 decodes each block into an 8 MiB buffer. */
#define KTSTR_LZ4_LEGACY_CHUNK (8u << 20)
#define KTSTR_ZSTD_LEVEL 3

/** @brief "lz4" or "zst" (the cache file suffix); NULL for an unknown value. */
const char *ktstr_compress__ext(enum ktstr_compress comp);

/** @brief True when @p buf starts with the magic of @p comp. */
bool ktstr_compress__has_magic(enum ktstr_compress comp, const void *buf, size_t len);

/**
 * @brief Compress @p len bytes into a malloc'd buffer (*out, freed by the caller).
 *        LZ4: magic, then {u32 LE block size, LZ4 block} per 8 MiB of input.
 *        zstd: one frame at level 3 with the content size in its header.
 * @return 0, -EINVAL (unknown @p comp), -ENOMEM, -EIO (library failure)
 */
int ktstr_compress__encode(enum ktstr_compress comp, const void *in, size_t len, void **out,
			   size_t *outlen);

/**
 * @brief Decompress a whole buffer into a malloc'd one. Concatenated LZ4 legacy
 *        streams (a repeated magic) and concatenated zstd frames are accepted,
 *        as the kernel accepts them. Output beyond @p max_out bytes is refused.
 * @return 0, -EINVAL (unknown @p comp), -EBADMSG (corrupt or truncated input),
 *         -EFBIG (over @p max_out), -ENOMEM
 */
int ktstr_compress__decode(enum ktstr_compress comp, const void *in, size_t len, size_t max_out,
			   void **out, size_t *outlen);

#endif
