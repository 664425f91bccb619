/*
 * Loading one module file through libltdl. libltdl is not thread-safe, so
 * every lt_dl* call holds one process-wide lock, and lt_dlerror() text is
 * copied before the lock is dropped. Modules are opened with
 * lt_dladvise_local (never RTLD_GLOBAL): plugins do not link engine symbols.
 */
#include "registry_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ltdl.h>

static pthread_mutex_t ltdl_lock = PTHREAD_MUTEX_INITIALIZER;
static bool ltdl_ready;

static void copy_dlerror(char *msg, size_t len, const char *fallback)
{
	const char *e = lt_dlerror();

	snprintf(msg, len, "%s", e != NULL ? e : fallback);
}

static int ltdl_open(const char *path, lt_dlhandle *out, char *msg, size_t len)
{
	lt_dladvise adv;
	int ret = 0;

	pthread_mutex_lock(&ltdl_lock);
	if (!ltdl_ready) {
		if (lt_dlinit() != 0) {
			copy_dlerror(msg, len, "lt_dlinit failed");
			ret = -EIO;
			goto out_unlock;
		}
		ltdl_ready = true;
	}
	if (lt_dladvise_init(&adv) != 0) {
		copy_dlerror(msg, len, "lt_dladvise_init failed");
		ret = -ENOMEM;
		goto out_unlock;
	}
	/* Exact file name (no lt_dladvise_ext), symbols kept local to the module. */
	if (lt_dladvise_local(&adv) != 0) {
		copy_dlerror(msg, len, "lt_dladvise_local failed");
		ret = -ENOMEM;
		goto out_advise;
	}
	*out = lt_dlopenadvise(path, adv);
	if (*out == NULL) {
		copy_dlerror(msg, len, "unknown libltdl error");
		ret = -ENOEXEC;
	}
out_advise:
	lt_dladvise_destroy(&adv);
out_unlock:
	pthread_mutex_unlock(&ltdl_lock);
	return ret;
}

static void *ltdl_sym(lt_dlhandle h, const char *sym)
{
	void *p;

	pthread_mutex_lock(&ltdl_lock);
	p = lt_dlsym(h, sym);
	if (p == NULL) {
		lt_dlerror(); /* clear it; the caller says what was missing */
	}
	pthread_mutex_unlock(&ltdl_lock);
	return p;
}

void ktstr_loader__close(void *handle)
{
	if (handle == NULL) {
		return;
	}
	pthread_mutex_lock(&ltdl_lock);
	lt_dlclose(handle);
	pthread_mutex_unlock(&ltdl_lock);
}

static bool ends_with_so(const char *path)
{
	size_t n = strlen(path);

	return n > 3 && strcmp(path + n - 3, ".so") == 0;
}

typedef int (*entry_fn)(const struct ktstr_host_api *host, const struct ktstr_plugin_desc **out);

int ktstr_registry__load_file(struct ktstr_registry *reg, const char *path, char *err,
			      size_t errlen)
{
	const struct ktstr_plugin_desc *desc = NULL;
	char real[PATH_MAX], msg[512];
	lt_dlhandle h;
	entry_fn entry;
	void *sym;
	int ret;

	if (!ends_with_so(path)) {
		return ktstr_registry__refuse_file(reg, path, err, errlen, -EINVAL,
						   "only files named *.so are loaded");
	}
	if (realpath(path, real) == NULL) {
		ret = -errno;
		return ktstr_registry__refuse_file(reg, path, err, errlen, ret,
						   "cannot resolve the path: %s", strerror(-ret));
	}
	ret = ltdl_open(real, &h, msg, sizeof(msg));
	if (ret != 0) {
		return ktstr_registry__refuse_file(reg, real, err, errlen, ret,
						   "cannot load it: %s", msg);
	}
	sym = ltdl_sym(h, KTSTR_PLUGIN_ENTRY_SYMBOL);
	if (sym == NULL) {
		ret = ktstr_registry__refuse_file(reg, real, err, errlen, -ENOENT,
						  "it exports no %s (not a ktstr plugin, or one "
						  "built for another ABI major)",
						  KTSTR_PLUGIN_ENTRY_SYMBOL);
		goto err_close;
	}
	/* dlsym hands back data pointers; POSIX guarantees this conversion works. */
	memcpy(&entry, &sym, sizeof(entry));
	ret = entry(&ktstr_host_api_v1, &desc);
	if (ret < 0) {
		ret = ktstr_registry__refuse_file(reg, real, err, errlen, ret,
						  "its entry function refused to load: %s",
						  strerror(-ret));
		goto err_close;
	}
	if (ret > 0) {
		ret = ktstr_registry__refuse_file(reg, real, err, errlen, -EPROTO,
						  "its entry function returned %d (it must return "
						  "0 or a negative errno)",
						  ret);
		goto err_close;
	}
	ret = ktstr_registry__adopt(reg, real, h, desc, err, errlen);
	if (ret != 0) {
		goto err_close;
	}
	return 0;

err_close:
	ktstr_loader__close(h);
	return ret;
}
