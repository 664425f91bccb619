/* An entry's metadata.json (upstream kernel cache layout), checked field by field. */
#ifndef KTSTR_CACHE_META_H
#define KTSTR_CACHE_META_H

#include <stdbool.h>
#include <stddef.h>

/** @brief The fields the cache source uses; strings are "" when null or absent. */
struct ktstr_cache_meta {
	char version[128];
	char source_type[64];
	char arch[32];
	char image_name[256];
	char built_at[64];
	char config_hash[64];
	bool has_vmlinux;
	bool vmlinux_stripped;
};

/**
 * @brief Parse metadata.json text.
 *
 * Required: source (an object with a string "type"), arch, image_name (a
 * plain file name), built_at (strings), has_vmlinux, vmlinux_stripped
 * (booleans). Optional: version, config_hash (string or null). Unknown
 * fields are ignored.
 * @return 0, or -EINVAL with the reason in @p why (one line)
 */
int ktstr_cache_meta__parse(const char *text, size_t len, struct ktstr_cache_meta *out, char *why,
			    size_t whylen);

/**
 * @brief Read and parse @p path.
 * @return 0; -ENOENT, -EFBIG, -EINVAL or another -errno, with the reason in @p why
 */
int ktstr_cache_meta__load(const char *path, struct ktstr_cache_meta *out, char *why,
			   size_t whylen);

#endif
