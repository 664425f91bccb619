/*
 * Plugin registry: loads modules through libltdl, checks their ABI,
 * creates configured instances and calls their ops through typed wrappers
 * that honour each ops table's size (KTSTR_OPS_HAS).
 */
#ifndef KTSTR_CORE_REGISTRY_H
#define KTSTR_CORE_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktstr/kernel_source.h>
#include <ktstr/planner.h>
#include <ktstr/sink.h>
#include <ktstr/vm.h>

#include "cfg.h"

struct ktstr_registry;
struct ktstr_plugin; /* one loaded module (engine-side copy of its descriptor) */

/** @brief What `ktstr plugin list` shows about a loaded module. */
struct ktstr_plugin_info {
	const char *name;
	enum ktstr_plugin_kind kind;
	uint16_t abi_major, abi_minor;
	const char *version;
	const char *description;
	const char *path; /* the module file */
};

int ktstr_registry__new(struct ktstr_registry **out);
/** @brief Unloads every module; all instances must be freed first. */
void ktstr_registry__free(struct ktstr_registry *reg);

/**
 * @brief Load one module. A refused module (other ABI major, no entry symbol,
 *        short descriptor, duplicate name, bad kind) returns -EPROTO/-ENOENT/
 *        -EEXIST and writes ONE line naming the file, the plugin and both
 *        versions into @p err.
 */
int ktstr_registry__load_file(struct ktstr_registry *reg, const char *path, char *err,
			      size_t errlen);

/**
 * @brief Load every module of the search path: each dir of KTSTR_PLUGIN_PATH
 *        (colon list), then the build tree's plugin dir when the running
 *        binary is in the build tree, else <libdir>/ktstr/plugins. A name
 *        already loaded from an earlier dir is a refusal (logged as a
 *        warning, one line each). Returns 0 unless nothing could be scanned.
 */
int ktstr_registry__load_default(struct ktstr_registry *reg);

size_t ktstr_registry__count(const struct ktstr_registry *reg);

/**
 * @brief Modules refused so far by this registry (load_file or load_default),
 *        one line each, in the order they were met; for `ktstr plugin list`.
 */
size_t ktstr_registry__refusal_count(const struct ktstr_registry *reg);
/** @brief Refusal line @p i (registry-owned), or NULL when out of range. */
const char *ktstr_registry__refusal(const struct ktstr_registry *reg, size_t i);
void ktstr_registry__info(const struct ktstr_registry *reg, size_t i,
			  struct ktstr_plugin_info *out);
/** @brief Find a loaded plugin by kind and name, or NULL. */
struct ktstr_plugin *ktstr_registry__find(struct ktstr_registry *reg, enum ktstr_plugin_kind kind,
					  const char *name);

/** @brief Engine-side state of one instance (opaque to plugins). */
struct ktstr_inst;

/**
 * @brief Create an instance: allocate priv, fill options from @p cfg (unknown
 *        key => -EINVAL with "file:line:col: plugin NAME has no option KEY
 *        (did you mean ...?)" in @p err), call ops->init when present.
 * @param inst_name  NULL: the plugin's name
 * @param cfg        may be NULL (all defaults)
 */
int ktstr_inst__new(struct ktstr_plugin *plugin, const char *inst_name,
		    const struct ktstr_cfg *cfg, struct ktstr_inst **out, char *err, size_t errlen);
/** @brief Call ops->fini (if init succeeded) and free. NULL-safe. */
void ktstr_inst__free(struct ktstr_inst *inst);

const char *ktstr_inst__name(const struct ktstr_inst *inst);
const char *ktstr_inst__plugin_name(const struct ktstr_inst *inst);
enum ktstr_plugin_kind ktstr_inst__kind(const struct ktstr_inst *inst);
/** @brief The message of the last set_error() on this instance ("" if none). */
const char *ktstr_inst__last_error(const struct ktstr_inst *inst);

/** @brief The kernel-source chain @p inst belongs to (see kchain.h); NULL when none. */
struct ktstr_kchain;
void ktstr_inst__set_chain(struct ktstr_inst *inst, struct ktstr_kchain *chain);
struct ktstr_kchain *ktstr_inst__chain(const struct ktstr_inst *inst);

/** @brief Engine-wide settings handed to plugins through the host table. */
void ktstr_registry__set_dirs(const char *cache_root, const char *scratch_root);
/** @brief Mark the run cancelled (async-signal-safe); host->cancelled() then returns true. */
void ktstr_registry__cancel(void);
/** @brief True once ktstr_registry__cancel() ran. */
bool ktstr_registry__cancelled(void);

/* --- kernel ---------------------------------------------------------- */

/** @brief A kernel as described by a source (engine-owned). */
struct ktstr_kernel;
int ktstr_kernel__new(struct ktstr_kernel **out);
void ktstr_kernel__free(struct ktstr_kernel *k);
/** @brief A field set by the source, or NULL. */
const char *ktstr_kernel__get(const struct ktstr_kernel *k, enum ktstr_kernel_field f);
int ktstr_kernel__set(struct ktstr_kernel *k, enum ktstr_kernel_field f, const char *value);

/* --- typed op wrappers: -ENOTSUP when the op is absent or the kind is wrong --- */

int ktstr_inst__kernel_resolve(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *k);
int ktstr_inst__remote_fetch(struct ktstr_inst *inst, const char *key, const char *dir);
int ktstr_inst__remote_store(struct ktstr_inst *inst, const char *key, const char *dir);
/** @brief True when @p inst is a kernel source with a remote_fetch or remote_store op. */
bool ktstr_inst__is_remote_cache(struct ktstr_inst *inst);
int ktstr_inst__plan_budget(struct ktstr_inst *inst, uint32_t cap, struct ktstr_plan *out,
			    void **lease);
int ktstr_inst__plan(struct ktstr_inst *inst, const struct ktstr_plan_request *req,
		     struct ktstr_plan *out, void **lease);
void ktstr_inst__plan_release(struct ktstr_inst *inst, void *lease);
int ktstr_inst__vm_probe(struct ktstr_inst *inst, struct ktstr_vm_caps *caps);
int ktstr_inst__vm_run(struct ktstr_inst *inst, const struct ktstr_vm_spec *spec,
		       struct ktstr_vm_outcome *out);
int ktstr_inst__sink_open(struct ktstr_inst *inst, const struct ktstr_sink_open_opts *opts);
int ktstr_inst__sink_emit(struct ktstr_inst *inst, const void *rec, size_t len);
int ktstr_inst__sink_close(struct ktstr_inst *inst);

/** @brief "kernel-source", "planner", "vm", "sink" (or "unknown"). */
const char *ktstr_plugin_kind__name(enum ktstr_plugin_kind kind);
/** @brief Parse the names above; 0 or -EINVAL. */
int ktstr_plugin_kind__parse(const char *s, enum ktstr_plugin_kind *out);

#endif
