/* Files in an extracted package tree: find the kernel image or config, remove the tree. */
#ifndef KTSTR_DEBIAN_TREE_H
#define KTSTR_DEBIAN_TREE_H

#include <stdbool.h>
#include <stddef.h>

/** @brief The image's name in a kernel package: "vmlinuz" or "vmlinuz-<release>". */
bool debian_tree__is_image(const char *base);
/** @brief The config's name: "config" (usr/lib/modules/<r>/) or "config-<release>" (boot/). */
bool debian_tree__is_config(const char *base);

/**
 * @brief The first regular file under @p root/usr/lib/modules, then under
 *        @p root/boot, whose name @p match accepts (depth-first, names sorted).
 * @return 0 (@p out set), -ENOENT, or -errno when a directory cannot be read
 */
int debian_tree__find(const char *root, bool (*match)(const char *base), char *out, size_t outlen);

/** @brief Remove @p path and everything below it (no symlink is followed). 0 or -errno. */
int debian_tree__rm(const char *path);

#endif
