/*
 * Initramfs for a test VM: a cached base archive (guest init, scheduler
 * binary, their shared-library closure) plus a small per-test suffix, each a
 * compressed cpio "newc" stream; the kernel unpacks concatenated streams.
 */
#ifndef KTSTR_CORE_INITRAMFS_H
#define KTSTR_CORE_INITRAMFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ktstr_compress {
	KTSTR_COMPRESS_LZ4 = 1,  /* LZ4 legacy frame (magic 02 21 4C 18), what the kernel's unlz4 reads */
	KTSTR_COMPRESS_ZSTD = 2, /* zstd frame */
};

/** @brief A host file to pack. */
struct ktstr_initramfs_file {
	const char *host_path;    /* file on the host */
	const char *archive_path; /* path inside the archive, no leading '/' (e.g. "init") */
	uint32_t mode;            /* e.g. 0100755 */
	bool elf_closure;         /* also pack its DT_NEEDED closure + PT_INTERP; missing lib = error */
};

/** @brief In-memory content for the per-test suffix. */
struct ktstr_initramfs_blob {
	const char *archive_path;
	const void *data;
	size_t len;
	uint32_t mode;
};

/**
 * @brief Return the path of the cached compressed base archive for these
 *        files, building it (atomically) when absent. The cache key is a
 *        hash of the content of every packed file (closure included), the
 *        archive paths and modes, and the compression.
 * @param cache_dir  directory for base archives (created)
 * @param out        receives the archive path
 * @param built      set to 1 when it was built now, 0 on a cache hit (may be NULL)
 */
int ktstr_initramfs__base(const struct ktstr_initramfs_file *files, size_t nfiles,
			  enum ktstr_compress comp, const char *cache_dir, char *out, size_t outlen,
			  int *built, char *err, size_t errlen);

/**
 * @brief Compress a cpio of @p blobs (with directory entries for parents and
 *        the TRAILER) into a malloc'd buffer.
 */
int ktstr_initramfs__suffix(const struct ktstr_initramfs_blob *blobs, size_t n,
			    enum ktstr_compress comp, void **out, size_t *outlen);

/** @brief Write base file + suffix buffer into @p dst (the VM's initrd). */
int ktstr_initramfs__assemble(const char *base_path, const void *suffix, size_t suffix_len,
			      const char *dst);

#endif
