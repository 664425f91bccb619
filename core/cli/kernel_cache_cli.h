/* Helpers shared by `ktstr kernel list` and `ktstr kernel clean`. */
#ifndef KTSTR_CLI_KERNEL_CACHE_CLI_H
#define KTSTR_CLI_KERNEL_CACHE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kcache.h"

/** @brief The cache root, or a message on stderr prefixed with @p cmd. 0 or -errno. */
int kcli__root(const char *cmd, char *out, size_t len);
/** @brief 1.2K, 34M, 5.0G style. */
void kcli__human_size(uint64_t bytes, char *out, size_t len);
/** @brief The list as JSON on stdout (`kernel list --json`). */
void kcli__print_json(const char *root, const struct ktstr_kcache_list *l, const char *kc);

#endif
