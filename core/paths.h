/* Where ktstr's own files are: build tree when run from it, else the install dirs. */
#ifndef KTSTR_CORE_PATHS_H
#define KTSTR_CORE_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/** @brief True when the running executable lives under the build tree. */
bool ktstr_paths__in_build_tree(void);

/** @brief The directory holding the guest programs (ktstr-init). KTSTR_GUEST_DIR overrides. */
const char *ktstr_paths__guest_dir(void);

/** @brief $XDG_CACHE_HOME/ktstr, else $HOME/.cache/ktstr, into buf. -ENOENT without HOME. */
int ktstr_paths__cache_root(char *buf, size_t len);

#endif
