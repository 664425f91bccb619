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
	 *
	 * The engine may call resolve from several threads at once for
	 * different ids (KTSTR_KERNEL_PARALLELISM); set_error is per thread.
	 */
	int (*resolve)(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *out);

	/* ---- ABI 1.1: remote caches (both optional) ---- */

	/**
	 * @brief Restore cache entry @p key from a remote cache into @p dir:
	 *        metadata.json, the image it names, and vmlinux when there is one.
	 *
	 * Called by host->kernel_install() of another source before it builds
	 * or downloads the kernel itself. The engine validates what is left in
	 * @p dir before using it.
	 * @return 0 restored; -ENOENT a miss (silent); another -errno: the engine
	 *         prints one warning line with the instance's error and goes on
	 */
	int (*remote_fetch)(struct ktstr_inst *inst, const char *key, const char *dir);
	/**
	 * @brief Publish the installed entry @p dir (read-only) under @p key.
	 *        Called after every successful local install that did not come
	 *        from this instance. Return -EEXIST when the remote already has
	 *        @p key (logged at debug level), -ENOENT when the cache is off;
	 *        other failures are one warning line, never fatal.
	 */
	int (*remote_store)(struct ktstr_inst *inst, const char *key, const char *dir);
};

/**
 * @brief What a source knows about the entry it fills (sized). The engine
 *        zeroes it, sets sz and sets the int64 members to -1 before fill();
 *        strings are the plugin's and must stay valid until
 *        host->kernel_install() returns.
 */
struct ktstr_entry_meta {
	size_t sz;
	const char *image_name;   /**< the image's file name in the directory; required */
	const char *version;      /**< kernel release, NULL when unknown */
	/**
	 * metadata.json's "source" object as JSON text, e.g.
	 * {"type":"debian","package":"linux-binary-7.2.13+deb14-cloud-amd64"};
	 * NULL: {"type":"<plugin name>"}
	 */
	const char *source_json;
	const char *config_hash;  /**< %08x crc32 of the .config; NULL: of {dir}/config if present */
	const char *kconfig_hash; /**< %08x crc32 of the ktstr kconfig fragment applied; NULL: untracked */
	int64_t source_vmlinux_size;       /**< local builds: the tree's vmlinux size, else -1 */
	int64_t source_vmlinux_mtime_secs; /**< local builds: its mtime, else -1 */
};

/**
 * @brief Fill @p dir (an empty temporary directory) with the entry's files:
 *        the image (named meta->image_name), optionally "vmlinux" and
 *        "config". A fill that restores a whole entry may also write
 *        metadata.json itself; the engine then validates and keeps it.
 * @return 0, or -errno with the instance's error set. Long fills should
 *         poll host->cancelled() and return -ECANCELED.
 */
typedef int (*ktstr_kernel_fill_fn)(struct ktstr_inst *inst, void *ctx, const char *dir,
				    struct ktstr_entry_meta *meta);

/** @brief Argument of host->kernel_install() (sized; append only). */
struct ktstr_kernel_install {
	size_t sz;
	/** the cache key: no '/', '\\', "..", control characters; not "." or ".tmp-*" */
	const char *key;
	ktstr_kernel_fill_fn fill;
	void *ctx;   /**< handed to fill */
	bool force;  /**< replace a valid entry already there (`kernel build --force`) */
};

#ifdef __cplusplus
}
#endif
#endif /* KTSTR_KERNEL_SOURCE_H */
