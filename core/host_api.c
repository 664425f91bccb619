/*
 * The host-services table plugins receive (struct ktstr_host_api), and the
 * engine-wide settings behind it: cache and scratch roots, the cancel flag.
 */
#include "registry_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "kcache.h"
#include "kchain.h"
#include "log.h"
#include "progress.h"

static pthread_mutex_t dirs_lock = PTHREAD_MUTEX_INITIALIZER;
static char *cache_root_set;   /* NULL: the XDG default */
static char *scratch_root_set; /* NULL: a per-registry mkdtemp dir */
static atomic_bool cancel_flag;
/* Guards the instances' lazily made directories: resolve may run on several threads. */
static pthread_mutex_t inst_dirs_lock = PTHREAD_MUTEX_INITIALIZER;

/* ktstr_registry__cancel runs in signal handlers: the store must not take a lock. */
_Static_assert(ATOMIC_BOOL_LOCK_FREE == 2, "atomic_bool must be lock-free");

static void replace(char **slot, const char *value)
{
	char *copy = NULL;

	if (value != NULL) {
		copy = strdup(value);
		if (copy == NULL) {
			KTSTR_WARN("out of memory keeping directory %s; using the default", value);
		}
	}
	free(*slot);
	*slot = copy;
}

void ktstr_registry__set_dirs(const char *cache_root, const char *scratch_root)
{
	pthread_mutex_lock(&dirs_lock);
	replace(&cache_root_set, cache_root);
	replace(&scratch_root_set, scratch_root);
	pthread_mutex_unlock(&dirs_lock);
}

void ktstr_registry__cancel(void)
{
	atomic_store(&cancel_flag, true);
}

/* The cache root: set_dirs' value, else $XDG_CACHE_HOME/ktstr, else $HOME/.cache/ktstr. */
static int cache_root(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int ret = 0;

	pthread_mutex_lock(&dirs_lock);
	if (cache_root_set != NULL) {
		snprintf(buf, len, "%s", cache_root_set);
	} else if (xdg != NULL && xdg[0] == '/') { /* the XDG spec ignores relative values */
		snprintf(buf, len, "%s/ktstr", xdg);
	} else if (home != NULL && home[0] != '\0') {
		snprintf(buf, len, "%s/.cache/ktstr", home);
	} else {
		ret = -ENOENT;
	}
	pthread_mutex_unlock(&dirs_lock);
	return ret;
}

/* The scratch root: set_dirs' value, else the registry's own temp dir (made once). */
static int scratch_root(struct ktstr_registry *reg, char *buf, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	int ret = 0;

	pthread_mutex_lock(&dirs_lock);
	if (scratch_root_set != NULL) {
		snprintf(buf, len, "%s", scratch_root_set);
		pthread_mutex_unlock(&dirs_lock);
		return 0;
	}
	pthread_mutex_unlock(&dirs_lock);
	pthread_mutex_lock(&reg->lock);
	if (reg->scratch_tmp == NULL) {
		char templ[4096];

		snprintf(templ, sizeof(templ), "%s/ktstr-scratch-XXXXXX",
			 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
		if (mkdtemp(templ) == NULL) {
			ret = -errno;
		} else {
			reg->scratch_tmp = strdup(templ);
			if (reg->scratch_tmp == NULL) {
				ktstr_fs__rm_rf(templ);
				ret = -ENOMEM;
			}
		}
	}
	if (ret == 0) {
		snprintf(buf, len, "%s", reg->scratch_tmp);
	}
	pthread_mutex_unlock(&reg->lock);
	return ret;
}

static void log_prefixed(struct ktstr_inst *inst, enum ktstr_log_level lvl, const char *msg)
{
	if (inst == NULL) {
		ktstr_log(lvl, "[plugin] %s", msg);
		return;
	}
	ktstr_log(lvl, "[%s:%s:%s] %s", ktstr_plugin_kind__name(inst->plugin->desc.kind),
		  inst->plugin->name, inst->name, msg);
}

static void host_log(struct ktstr_inst *inst, enum ktstr_log_level lvl, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	/* A level outside the enum still lands somewhere sensible. */
	if (lvl < KTSTR_LOG_ERR) {
		lvl = KTSTR_LOG_ERR;
	} else if (lvl > KTSTR_LOG_DEBUG) {
		lvl = KTSTR_LOG_DEBUG;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_prefixed(inst, lvl, msg);
}

void ktstr_inst__set_errorv(struct ktstr_inst *inst, const char *fmt, va_list ap)
{
	char msg[KTSTR_INST_ERR_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (inst != NULL) {
		char *slot = ktstr_inst__error_slot(inst);

		memcpy(slot, msg, sizeof(msg));
	}
	log_prefixed(inst, KTSTR_LOG_DEBUG, msg);
}

static void host_set_error(struct ktstr_inst *inst, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktstr_inst__set_errorv(inst, fmt, ap);
	va_end(ap);
}

static void *host_priv(struct ktstr_inst *inst)
{
	return inst != NULL ? inst->priv : NULL;
}

static const char *host_inst_name(struct ktstr_inst *inst)
{
	return inst != NULL ? inst->name : NULL;
}

static const char *host_cache_dir_locked(struct ktstr_inst *inst)
{
	char root[4096], path[4096 + 256];
	int ret;

	if (inst == NULL) {
		return NULL;
	}
	if (inst->cache_dir != NULL) {
		return inst->cache_dir;
	}
	ret = cache_root(root, sizeof(root));
	if (ret != 0) {
		host_set_error(inst, "no cache directory: neither XDG_CACHE_HOME nor HOME is set");
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/plugins/%s", root, inst->plugin->name);
	ret = ktstr_fs__mkdir_p(path, 0755);
	if (ret != 0) {
		host_set_error(inst, "cannot create cache directory %s: %s", path, strerror(-ret));
		return NULL;
	}
	inst->cache_dir = strdup(path);
	if (inst->cache_dir == NULL) {
		host_set_error(inst, "out of memory");
	}
	return inst->cache_dir;
}

static const char *host_cache_dir(struct ktstr_inst *inst)
{
	const char *out;

	pthread_mutex_lock(&inst_dirs_lock);
	out = host_cache_dir_locked(inst);
	pthread_mutex_unlock(&inst_dirs_lock);
	return out;
}

static const char *host_scratch_dir_locked(struct ktstr_inst *inst)
{
	char root[4096], path[4096 + 256];
	int ret;

	if (inst == NULL) {
		return NULL;
	}
	if (inst->scratch_dir != NULL) {
		return inst->scratch_dir;
	}
	ret = scratch_root(inst->plugin->reg, root, sizeof(root));
	if (ret != 0) {
		host_set_error(inst, "cannot create a scratch directory: %s", strerror(-ret));
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/%s", root, inst->name);
	ret = ktstr_fs__mkdir_p(path, 0700);
	if (ret != 0) {
		host_set_error(inst, "cannot create scratch directory %s: %s", path,
			       strerror(-ret));
		return NULL;
	}
	inst->scratch_dir = strdup(path);
	if (inst->scratch_dir == NULL) {
		host_set_error(inst, "out of memory");
	}
	return inst->scratch_dir;
}

static const char *host_scratch_dir(struct ktstr_inst *inst)
{
	const char *out;

	pthread_mutex_lock(&inst_dirs_lock);
	out = host_scratch_dir_locked(inst);
	pthread_mutex_unlock(&inst_dirs_lock);
	return out;
}

bool ktstr_registry__cancelled(void)
{
	return atomic_load(&cancel_flag);
}

static bool host_cancelled(void)
{
	return ktstr_registry__cancelled();
}


static const char *host_kernel_cache_root(struct ktstr_inst *inst)
{
	char root[4096], err[4096 + 256];
	const char *out;
	int ret;

	if (inst == NULL) {
		return NULL;
	}
	pthread_mutex_lock(&inst_dirs_lock);
	out = inst->kcache_root;
	if (out == NULL) {
		ret = ktstr_kcache__root(root, sizeof(root), err, sizeof(err));
		if (ret != 0) {
			host_set_error(inst, "%s", err);
		} else if ((inst->kcache_root = strdup(root)) == NULL) {
			host_set_error(inst, "out of memory");
		}
		out = inst->kcache_root;
	}
	pthread_mutex_unlock(&inst_dirs_lock);
	return out;
}

static int host_kernel_cache_lookup(struct ktstr_inst *inst, const char *id,
				    struct ktstr_kernel *out)
{
	const char *root = host_kernel_cache_root(inst);
	char err[KTSTR_INST_ERR_MAX];
	int ret;

	if (root == NULL) {
		return -ENOENT;
	}
	if (id == NULL || out == NULL) {
		return -EINVAL;
	}
	ret = ktstr_kcache__lookup(root, id, out, err, sizeof(err));
	if (ret != 0 && err[0] != '\0') {
		host_set_error(inst, "%s", err);
	}
	return ret;
}

static int host_kernel_install(struct ktstr_inst *inst, const struct ktstr_kernel_install *req,
			       struct ktstr_kernel *out)
{
	if (inst == NULL || req == NULL || out == NULL || !KTSTR_SZ_HAS(req, force) ||
	    req->key == NULL || req->fill == NULL) {
		if (inst != NULL) {
			host_set_error(inst, "kernel_install: bad request");
		}
		return -EINVAL;
	}
	return ktstr_kcache__install(inst, req, out);
}

static int host_cpu_budget(struct ktstr_inst *inst)
{
	return inst != NULL ? ktstr_kchain__cpu_budget(inst->chain) : 1;
}

static void host_progress(struct ktstr_inst *inst, const char *what, uint64_t done,
			  uint64_t total)
{
	char prefix[160];

	if (inst == NULL) {
		snprintf(prefix, sizeof(prefix), "[plugin]");
	} else {
		snprintf(prefix, sizeof(prefix), "[%s:%s]",
			 ktstr_plugin_kind__name(inst->plugin->desc.kind), inst->name);
	}
	ktstr_progress__report(prefix, what != NULL ? what : "working", done, total);
}

const struct ktstr_host_api ktstr_host_api_v1 = {
	.sz = sizeof(struct ktstr_host_api),
	.abi_major = KTSTR_ABI_MAJOR,
	.abi_minor = KTSTR_ABI_MINOR,
	.log = host_log,
	.set_error = host_set_error,
	.priv = host_priv,
	.inst_name = host_inst_name,
	.cache_dir = host_cache_dir,
	.scratch_dir = host_scratch_dir,
	.kernel_set = ktstr_kernel__set,
	.cancelled = host_cancelled,
	.kernel_cache_root = host_kernel_cache_root,
	.kernel_cache_lookup = host_kernel_cache_lookup,
	.kernel_install = host_kernel_install,
	.cpu_budget = host_cpu_budget,
	.progress = host_progress,
};
