/*
 * Where ktstr's own files are: the build tree when the running binary is in
 * it, else the install tree located from the binary itself (so an install
 * under any prefix works without rebuilding).
 */
#ifndef KTSTR_CORE_PATHS_H
#define KTSTR_CORE_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/** @brief True when the running executable lives under the build tree. */
bool ktstr_paths__in_build_tree(void);

/** @brief The directory of ktstr's own plugins (build tree, else <prefix>/<libdir>/ktstr/plugins). */
const char *ktstr_paths__plugin_dir(void);

/** @brief The directory holding the guest programs (ktstr-init). KTSTR_GUEST_DIR overrides. */
const char *ktstr_paths__guest_dir(void);

/** @brief The shipped scenario catalog (configs/scenarios in the source tree, or installed). */
const char *ktstr_paths__scenario_dir(void);

/** @brief $XDG_CACHE_HOME/ktstr, else $HOME/.cache/ktstr, into buf. -ENOENT without HOME. */
int ktstr_paths__cache_root(char *buf, size_t len);

#endif
