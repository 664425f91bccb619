/*
 * Private state of the plugin registry, shared by core/registry*.c,
 * core/host_api.c and the registry's unit tests. Never installed.
 */
#ifndef KTSTR_CORE_REGISTRY_INTERNAL_H
#define KTSTR_CORE_REGISTRY_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktstr/plugin.h>

#include "registry.h"

/* One loaded module: engine-owned copies of its descriptor and ops table. */
struct ktstr_plugin {
	struct ktstr_registry *reg;
	void *handle;  /* lt_dlhandle; NULL for descriptors adopted without a module */
	char *path;    /* canonical module path */
	char *name;    /* the strings below are copies; desc's pointers point at them */
	char *version;
	char *description;
	struct ktstr_plugin_desc desc; /* min(sz, sizeof) of the module's, rest zeroed */
	union {
		struct ktstr_kernel_source_ops kernel_source;
		struct ktstr_planner_ops planner;
		struct ktstr_vm_ops vm;
		struct ktstr_sink_ops sink;
	} ops; /* min(ops->sz, sizeof) of the module's, rest zeroed; sz says how much */
	atomic_size_t ninst; /* live instances; the module is unloaded only at 0 */
};

struct ktstr_registry {
	struct ktstr_plugin **plugins;
	size_t nplugins;
	char **refusals; /* one line per refused module */
	size_t nrefusals;
	pthread_mutex_t lock; /* guards scratch_tmp */
	char *scratch_tmp;    /* default scratch root (mkdtemp), removed at free */
};

#define KTSTR_INST_ERR_MAX 512

struct ktstr_inst {
	struct ktstr_plugin *plugin;
	char *name;
	void *priv;       /* desc.priv_size zeroed bytes, options filled in; NULL when 0 */
	char **strs;      /* engine-owned copies of KTSTR_OPT_STR values */
	size_t nstrs;
	bool sink_opened; /* a successful sink open() awaits its close() */
	char *cache_dir;  /* made on first host->cache_dir() */
	char *scratch_dir;
	char *kcache_root; /* made on first host->kernel_cache_root() */
	char last_error[KTSTR_INST_ERR_MAX]; /* errors set outside an op (init, plugin threads) */
	struct ktstr_kchain *chain; /* kernel sources: the chain the instance is in, or NULL */
};

/*
 * registry_inst.c: where set_error writes for @inst. Inside an op the engine
 * called on this thread it is a thread-local buffer, so one instance can
 * resolve several kernels at once (KTSTR_KERNEL_PARALLELISM); elsewhere it
 * is inst->last_error. ktstr_inst__error_begin() starts an op on this thread.
 */
char *ktstr_inst__error_slot(struct ktstr_inst *inst);
void ktstr_inst__error_begin(struct ktstr_inst *inst);
void ktstr_inst__error_forget(const struct ktstr_inst *inst);

/* registry_desc.c: validate a descriptor the entry function returned and add
 * it to @reg. @handle (may be NULL) is owned by the new plugin on success. On
 * refusal, @err gets the one-line message and the refusal is recorded. */
int ktstr_registry__adopt(struct ktstr_registry *reg, const char *path, void *handle,
			  const struct ktstr_plugin_desc *desc, char *err, size_t errlen);

/* registry_desc.c: refuse @path before its descriptor is known (same line format). */
int ktstr_registry__refuse_file(struct ktstr_registry *reg, const char *path, char *err,
				size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* registry_desc.c: free the engine-side copies of @p (not its module). */
void ktstr_plugin__drop(struct ktstr_plugin *p);

/* registry_desc.c: [a-z0-9_-]{1,64}, the rule for plugin and option names. */
bool ktstr_plugin__name_valid(const char *s);

/* registry.c: record one refusal line (copied); 0 or -ENOMEM. */
int ktstr_registry__add_refusal(struct ktstr_registry *reg, const char *line);

/* registry_load.c: lt_dlclose under the loader lock (NULL-safe). */
void ktstr_loader__close(void *handle);

/* registry_opts.c: option values, whole string only. 0 or -EINVAL/-ERANGE. */
int ktstr_opt__parse_int(const char *s, int64_t *out);
int ktstr_opt__parse_bool(const char *s, bool *out);
/* Check a plugin's option table against its priv_size; on error, a reason in @why. */
int ktstr_opt__check_specs(const struct ktstr_opt_spec *specs, size_t priv_size, char *why,
			   size_t whylen);
/* Fill @inst->priv from @cfg and the defaults; errors name file:line:col. */
int ktstr_opt__fill(struct ktstr_inst *inst, const struct ktstr_cfg *cfg, char *err,
		    size_t errlen);

/* host_api.c */
extern const struct ktstr_host_api ktstr_host_api_v1;
/* Store a message as the instance's last error and log it at debug level. */
void ktstr_inst__set_errorv(struct ktstr_inst *inst, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
