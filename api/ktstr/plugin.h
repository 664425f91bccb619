/* SPDX-License-Identifier: MIT */
/**
 * @file plugin.h
 * @brief ktstr plugin ABI v1: the entry symbol, the descriptor, the host table.
 *
 * A plugin is a loadable module that exports exactly one symbol,
 * ::ktstr_plugin_entry_v1. The engine calls it once after loading the
 * module, hands it the host-services table and receives a descriptor that
 * names the plugin, its kind, its ABI version, its ops table and its options.
 *
 * Versioning:
 * - ::KTSTR_ABI_MAJOR changes on removal, reorder or semantic change of any
 *   member. The engine refuses a module with another major.
 * - ::KTSTR_ABI_MINOR grows when members are appended to a sized struct.
 *   Members marked "since 1.N" are read only when `sz` covers them and the
 *   pointer is set (::KTSTR_OPS_HAS); the engine falls back otherwise.
 *
 * Ownership (applies to every header in this directory):
 * - Whoever allocates frees. Arguments are borrowed for the duration of the
 *   call; a callee copies what it keeps unless the doc says "valid until X".
 * - Strings and tables in the descriptor live in the module; the engine
 *   copies the strings and unloads the module only after its last instance.
 * - The engine allocates `priv_size` zeroed bytes per instance and frees them.
 * - If an `init`/`open` op fails, the plugin has released what it took and
 *   the engine does not call the matching `fini`/`close`.
 *
 * Errors: every int-returning op returns 0 or a negative errno. Detail goes
 * through ktstr_host_api::set_error, which the engine prints with the
 * plugin's name.
 *
 * Thread-safety: the engine calls one instance from one thread at a time.
 */
#ifndef KTSTR_PLUGIN_H
#define KTSTR_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktstr/log.h>
#include <ktstr/opts.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KTSTR_ABI_MAJOR 1 /**< removal, reorder or semantic change */
#define KTSTR_ABI_MINOR 1 /**< members appended at the end of a sized struct */

/** @brief The name of the one symbol every plugin exports. */
#define KTSTR_PLUGIN_ENTRY_SYMBOL "ktstr_plugin_entry_v1"

#define KTSTR_PLUGIN_EXPORT __attribute__((visibility("default")))

/** @brief What a plugin provides; selects the type behind ktstr_plugin_desc::ops. */
enum ktstr_plugin_kind {
	KTSTR_PLUGIN_KERNEL_SOURCE = 1, /**< ops: struct ktstr_kernel_source_ops */
	KTSTR_PLUGIN_PLANNER = 2,       /**< ops: struct ktstr_planner_ops */
	KTSTR_PLUGIN_VM = 3,            /**< ops: struct ktstr_vm_ops */
	KTSTR_PLUGIN_SINK = 4,          /**< ops: struct ktstr_sink_ops */
};

/** @brief One configured instance of a plugin (opaque, engine-owned). */
struct ktstr_inst;

/** @brief A resolved kernel being described by a kernel source (opaque). */
struct ktstr_kernel;

/** @brief A request to install a kernel-cache entry (see kernel_source.h). */
struct ktstr_kernel_install;

/** @brief Types of plugin options (the plugin's section of the profile). */
enum ktstr_opt_type {
	KTSTR_OPT_STR = 1,  /**< stored as `const char *`, engine-owned, valid for the instance */
	KTSTR_OPT_INT = 2,  /**< stored as `int64_t` */
	KTSTR_OPT_BOOL = 3, /**< stored as `bool` */
};

/**
 * @brief One option of a plugin, filled into the instance's priv area.
 *
 * The engine reads the plugin's section of the profile, rejects keys that
 * no spec names (naming the plugin and the file:line:column), converts the
 * value and stores it at `offset` in the priv area. A missing key gets
 * `dflt` (NULL: zero / NULL). Arrays end with an all-zero entry.
 */
struct ktstr_opt_spec {
	enum ktstr_opt_type type;
	const char *name;
	const char *dflt;
	size_t offset;
	const char *desc;
};

/** @brief Fields a kernel source sets on a ::ktstr_kernel through kernel_set. */
enum ktstr_kernel_field {
	KTSTR_KERNEL_IMAGE = 1,     /**< bootable image path (bzImage or vmlinux); required */
	KTSTR_KERNEL_VMLINUX = 2,   /**< uncompressed ELF vmlinux path, when known */
	KTSTR_KERNEL_VERSION = 3,   /**< release string, e.g. "7.2.13+deb14-cloud-amd64" */
	KTSTR_KERNEL_CACHE_KEY = 4, /**< cache key, when the kernel came from a cache */
	KTSTR_KERNEL_CONFIG = 5,    /**< path of the kernel's .config, when known */
	KTSTR_KERNEL_ORIGIN = 6,    /**< one line telling where it came from */
};

/**
 * @brief Services the engine offers to plugins (sized; grows by appending).
 *
 * Passed to the entry function; valid until the module is unloaded.
 */
struct ktstr_host_api {
	size_t sz;
	uint16_t abi_major;
	uint16_t abi_minor;
	/** @brief Log a line with the "[kind:name:instance]" prefix. */
	void (*log)(struct ktstr_inst *inst, enum ktstr_log_level lvl, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));
	/** @brief Record why the current op failed; the engine prints it once. */
	void (*set_error)(struct ktstr_inst *inst, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
	/** @brief The instance's priv area (priv_size zeroed bytes, options filled in). */
	void *(*priv)(struct ktstr_inst *inst);
	/** @brief The instance's name (the plugin name unless the profile renames it). */
	const char *(*inst_name)(struct ktstr_inst *inst);
	/** @brief A persistent cache directory for this plugin (created; engine-owned string). */
	const char *(*cache_dir)(struct ktstr_inst *inst);
	/** @brief A scratch directory for this run (created; removed by the engine at exit). */
	const char *(*scratch_dir)(struct ktstr_inst *inst);
	/** @brief Set one field of a kernel being resolved; the value is copied. 0 or -errno. */
	int (*kernel_set)(struct ktstr_kernel *k, enum ktstr_kernel_field field, const char *value);
	/** @brief True once the user asked the run to stop (Ctrl-C, SIGTERM). */
	bool (*cancelled)(void);

	/* ---- ABI 1.1: check KTSTR_SZ_HAS(host, member) before calling ---- */

	/**
	 * @brief The kernel cache root: KTSTR_CACHE_DIR, else
	 *        $XDG_CACHE_HOME/ktstr/kernels, else $HOME/.cache/ktstr/kernels.
	 * @return engine-owned string; NULL (error set) when none can be named
	 */
	const char *(*kernel_cache_root)(struct ktstr_inst *inst);
	/**
	 * @brief Resolve @p id in the local kernel cache and describe it in @p out.
	 *
	 * @p id is "latest" (newest valid entry), a cache key, or a version
	 * ("7.2" takes the highest matching release). Corrupt or half-written
	 * entries are never returned.
	 * @return 0; -ENOENT when nothing matches (error set when there is
	 *         something to say); another -errno (error set) when the cache
	 *         cannot be read
	 */
	int (*kernel_cache_lookup)(struct ktstr_inst *inst, const char *id,
				   struct ktstr_kernel *out);
	/**
	 * @brief Install one entry in the kernel cache, at most once across
	 *        processes, and describe it in @p out.
	 *
	 * Under the entry's exclusive lock: a valid entry already there is used
	 * as is (no fill); otherwise the remote caches of the chain are asked,
	 * then req->fill fills a temporary directory, the engine writes
	 * metadata.json, extracts a vmlinux from a bzImage when none was given,
	 * renames the directory into place and publishes it to the remote caches.
	 * @return 0 already cached, 1 installed now, or -errno (error set)
	 */
	int (*kernel_install)(struct ktstr_inst *inst, const struct ktstr_kernel_install *req,
			      struct ktstr_kernel *out);
	/**
	 * @brief How many host CPUs host-side work of this plugin (a kernel
	 *        build's make -j) may use: the planner's budget (KTSTR_CPU_CAP,
	 *        --cpu-cap, else its default share). Always >= 1.
	 */
	int (*cpu_budget)(struct ktstr_inst *inst);
	/**
	 * @brief Report progress of long work (downloads, builds). On a terminal
	 *        the engine keeps one updating line; elsewhere it logs sparingly.
	 * @param what   short label, e.g. "download linux-binary-7.2.13 (deb)"
	 * @param done   units done so far (bytes, steps)
	 * @param total  units in all; 0 when unknown. done >= total ends the line.
	 */
	void (*progress)(struct ktstr_inst *inst, const char *what, uint64_t done,
			 uint64_t total);
};

/**
 * @brief What a plugin tells the engine about itself (sized; grows by appending).
 *
 * Returned by the entry function; must stay valid until the module is
 * unloaded (normally a `static const` object).
 */
struct ktstr_plugin_desc {
	size_t sz;                        /**< sizeof(struct ktstr_plugin_desc) as compiled */
	uint16_t abi_major;               /**< KTSTR_ABI_MAJOR as compiled */
	uint16_t abi_minor;               /**< KTSTR_ABI_MINOR as compiled */
	enum ktstr_plugin_kind kind;      /**< which ops type `ops` points to */
	const char *name;                 /**< unique among loaded plugins; [a-z0-9_-]+ */
	const char *version;              /**< the plugin's own version string */
	const char *description;          /**< one line for `ktstr plugin list` */
	const void *ops;                  /**< kind-specific sized ops table */
	const struct ktstr_opt_spec *opts; /**< options, zero-terminated; may be NULL */
	size_t priv_size;                 /**< bytes of per-instance state the engine allocates */
};

/** @brief Initialise a descriptor's version fields from the headers being compiled. */
#define KTSTR_PLUGIN_DESC_INIT .sz = sizeof(struct ktstr_plugin_desc), \
	.abi_major = KTSTR_ABI_MAJOR, .abi_minor = KTSTR_ABI_MINOR

/**
 * @brief The one symbol a plugin exports.
 * @param host  services table, valid until unload; plugins may keep the pointer
 * @param out   receives the plugin's descriptor
 * @return 0, or -errno to refuse loading (e.g. host->abi_minor too old)
 */
KTSTR_PLUGIN_EXPORT int ktstr_plugin_entry_v1(const struct ktstr_host_api *host,
					      const struct ktstr_plugin_desc **out);

#ifdef __cplusplus
}
#endif
#endif /* KTSTR_PLUGIN_H */
