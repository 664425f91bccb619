/*
 * kernel-source/build, pure parts: crc32, cache keys, and the decisions about
 * a tree's .config (configure or not, which required options are missing).
 */
#ifndef KTSTR_BUILD_CONF_H
#define KTSTR_BUILD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief The architecture in keys and metadata. */
#define KTSTR_BUILD_ARCH "x86_64"

/** @brief zlib's crc32 (IEEE 802.3) of @p len bytes, continuing from @p crc (start at 0). */
uint32_t ktstr_build__crc32(uint32_t crc, const void *buf, size_t len);

/**
 * @brief The cache key of a clean git tree: "local-{hash7}-x86_64-kc{kc}", or
 *        "local-{hash7}-x86_64-cfg{cfg}-kc{kc}" when @p has_cfg (the tree
 *        had a .config of its own before the build, crc32 @p cfg).
 * @return 0, or -ENAMETOOLONG
 */
int ktstr_build__key(char *out, size_t len, const char *hash7, bool has_cfg, uint32_t cfg,
		     uint32_t kc);

/**
 * @brief metadata.json's source object of a clean tree:
 *        {"type":"local","source_tree_path":"@p tree","git_hash":"@p hash7"},
 *        the path escaped for JSON.
 * @return 0, or -ENAMETOOLONG
 */
int ktstr_build__source_json(char *out, size_t len, const char *tree, const char *hash7);

/** @brief True when @p config has the exact line @p line (e.g. "CONFIG_SCHED_CLASS_EXT=y"). */
bool ktstr_build__has_line(const char *config, size_t len, const char *line);

/**
 * @brief True when every non-empty fragment line, trimmed, is a trimmed line
 *        of @p config: then the fragment is already applied and olddefconfig
 *        is not needed. A fragment with comment lines is never "present"
 *        (olddefconfig drops comments), as upstream.
 */
bool ktstr_build__fragment_present(const char *config, size_t len, const char *frag,
				   size_t fraglen);

/**
 * @brief The options a ktstr guest cannot run without, each as "CONFIG_X=y".
 *        NULL-terminated.
 */
extern const char *const ktstr_build_required[];

/**
 * @brief List the required options @p config lacks, as "SCHED_CLASS_EXT,
 *        DEBUG_INFO_BTF" in @p out.
 * @return how many are missing (0: all present)
 */
unsigned ktstr_build__missing(const char *config, size_t len, char *out, size_t outlen);

#endif
