/*
 * The blob stored under a cache key (upstream format): a GNU tar, entries
 * mode 0644, of metadata.json (source_tree_path nulled), the image and
 * vmlinux when there is one, compressed with zstd level 3.
 */
#ifndef KTSTR_GHA_BLOB_H
#define KTSTR_GHA_BLOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** @brief What unpacking learned from the blob's metadata.json. */
struct ktstr_gha_blob_info {
	char image_name[256];
	char version[256]; /**< "" when the metadata has none */
	bool has_vmlinux;
};

/**
 * @brief An entry file name the blob may carry: not empty, no '/', no "..",
 *        no leading '.', printable ASCII only, shorter than NAME_MAX.
 */
bool ktstr_gha_blob__name_ok(const char *name);

/**
 * @brief Pack the cache entry in @p dir into @p out.
 * @return 0, or -errno with @p err naming the file and the problem
 */
int ktstr_gha_blob__pack(const char *dir, FILE *out, char *err, size_t errlen);

/**
 * @brief Unpack @p in (zstd-compressed when it starts with 28 B5 2F FD,
 *        else a plain tar) into @p dir: metadata.json, the image under the
 *        metadata's image_name, vmlinux. Metadata and image are required;
 *        links, directories, unsafe names, duplicates and entries above
 *        @p max_entry bytes are refused. On failure nothing is left in @p dir.
 * @return 0, or -EBADMSG (a blob that is not a valid entry), -EFBIG, -errno
 *         with @p err set
 */
int ktstr_gha_blob__unpack(FILE *in, const char *dir, uint64_t max_entry,
			   struct ktstr_gha_blob_info *info, char *err, size_t errlen);

#endif
