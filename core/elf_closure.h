/*
 * Shared-library closure of ELF executables, found the way glibc's ld.so
 * finds them (breadth-first over DT_NEEDED), so the libraries can be packed
 * into an initramfs at the paths the guest's loader will open:
 *   1. DT_RPATH of the object and of the objects that loaded it, only when
 *      the object has no DT_RUNPATH
 *   2. LD_LIBRARY_PATH
 *   3. DT_RUNPATH ($ORIGIN, $LIB = lib64, $PLATFORM = x86_64 expanded)
 *   4. for an interpreter outside the default dirs: its dir, ../lib, ../lib64
 *   5. ld.so.cache
 *   6. /lib, /usr/lib, /lib64, /usr/lib64, /usr/local/lib{,64},
 *      /{usr/,}lib/x86_64-linux-gnu
 * A candidate of another ELF class or machine is skipped, as ld.so does.
 */
#ifndef KTSTR_CORE_ELF_CLOSURE_H
#define KTSTR_CORE_ELF_CLOSURE_H

#include <stddef.h>

#include "ldcache.h"

/** @brief One library of the closure (or the PT_INTERP of an executable). */
struct ktstr_elf_lib {
	char *path; /* absolute, lexically normalised: where the guest's loader looks */
	char *real; /* realpath() on the host: the content, and the dedup key */
};

struct ktstr_elf_closure {
	struct ktstr_elf_lib *libs; /* unique by path, in breadth-first order */
	size_t n, cap;
	/* private */
	char *ld_library_path;
	char *ldcache_path;
	struct ktstr_ldcache ldcache;
	int ldcache_state; /* 0 not read yet, 1 loaded, -1 unusable */
};

/**
 * @brief Start an empty closure.
 * @param ld_library_path  as in the environment (may be NULL)
 * @param ldcache_path     NULL for /etc/ld.so.cache; a missing or corrupt cache is skipped
 */
int ktstr_elf_closure__new(const char *ld_library_path, const char *ldcache_path,
			   struct ktstr_elf_closure **out);

/**
 * @brief Add the PT_INTERP and the DT_NEEDED closure of @p elf_path (the file
 *        itself is not added). A static executable adds nothing.
 * @return 0, -ENOEXEC (not an ELF file, or malformed), -ENOENT (a library was
 *         not found: @p err names the object that needs it and the library),
 *         -ENOMEM, other -errno from open/realpath; @p err says what failed
 */
int ktstr_elf_closure__add(struct ktstr_elf_closure *c, const char *elf_path, char *err,
			   size_t errlen);

void ktstr_elf_closure__free(struct ktstr_elf_closure *c);

#endif
