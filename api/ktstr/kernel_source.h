/* SPDX-License-Identifier: MIT */
/**
 * @file kernel_source.h
 * @brief Kernel-source plugins: turn a kernel identifier into a bootable image.
 *
 * Sources are chained in the order the profile names them. The engine asks
 * each in turn to resolve an identifier (a path, a version, a cache key);
 * the first that answers 0 wins.
 */
#ifndef KTSTR_KERNEL_SOURCE_H
#define KTSTR_KERNEL_SOURCE_H

#include <ktstr/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Kernel-source ops (sized; v1.0 members below, append only). */
struct ktstr_kernel_source_ops {
	size_t sz;
	/** @brief Optional: set up the instance after options are filled. 0 or -errno. */
	int (*init)(struct ktstr_inst *inst);
	/** @brief Optional: release what init took. */
	void (*fini)(struct ktstr_inst *inst);
	/**
	 * @brief Resolve @p id and describe the kernel through host->kernel_set().
	 * @param id   the identifier as the user wrote it (borrowed)
	 * @param out  the kernel being filled; KTSTR_KERNEL_IMAGE is required
	 * @return 0 resolved; -ENOENT "not mine / not found here" (the chain goes
	 *         on); any other -errno is an error that stops the chain.
	 */
	int (*resolve)(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *out);
};

#ifdef __cplusplus
}
#endif
#endif /* KTSTR_KERNEL_SOURCE_H */
