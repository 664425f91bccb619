/* Instantiates the plugins a profile names (or the defaults) for one run. */
#include "engine_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static int make_inst(struct ktstr_engine *e, enum ktstr_plugin_kind kind,
		     const struct ktstr_plugin_use *use, const char *dflt, struct ktstr_inst **out,
		     char *err, size_t errlen)
{
	const char *name = use != NULL && use->plugin != NULL ? use->plugin : dflt;
	struct ktstr_plugin *p = ktstr_registry__find(e->reg, kind, name);

	if (p == NULL) {
		snprintf(err, errlen,
			 "%s: no %s plugin named \"%s\" is loaded (see `ktstr plugin list`; "
			 "KTSTR_PLUGIN_PATH adds directories)",
			 e->profile->path, ktstr_plugin_kind__name(kind), name);
		return -EINVAL;
	}
	return ktstr_inst__new(p, use != NULL ? use->instance : NULL,
			       use != NULL ? &use->cfg : NULL, out, err, errlen);
}

/* The profile's kernel_sources (each required), else the default chain (missing ones skipped). */
static int make_sources(struct ktstr_engine *e, char *err, size_t errlen)
{
	const struct ktstr_profile *p = e->profile;
	size_t count = p->nkernel_sources > 0 ? p->nkernel_sources : ktstr_kchain_default_nsources;
	int ret;

	e->sources = calloc(count, sizeof(*e->sources));
	if (e->sources == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		const char *dflt = p->nkernel_sources == 0 ? ktstr_kchain_default_sources[i] : NULL;

		if (dflt != NULL &&
		    ktstr_registry__find(e->reg, KTSTR_PLUGIN_KERNEL_SOURCE, dflt) == NULL) {
			KTSTR_DBG("kernel source %s is not loaded; left out of the default chain", dflt);
			continue;
		}
		ret = make_inst(e, KTSTR_PLUGIN_KERNEL_SOURCE,
				p->nkernel_sources > 0 ? &p->kernel_sources[i] : NULL, dflt,
				&e->sources[e->nsources], err, errlen);
		if (ret != 0) {
			return ret;
		}
		e->nsources++;
	}
	return 0;
}

static int make_list(struct ktstr_engine *e, enum ktstr_plugin_kind kind,
		     const struct ktstr_plugin_use *uses, size_t n, const char *const *dflt,
		     size_t ndflt, struct ktstr_inst ***out, size_t *nout, char *err, size_t errlen)
{
	size_t count = n > 0 ? n : ndflt;
	struct ktstr_inst **list = calloc(count, sizeof(*list));

	if (list == NULL) {
		return -ENOMEM;
	}
	*out = list;
	*nout = 0;
	for (size_t i = 0; i < count; i++) {
		int ret = make_inst(e, kind, n > 0 ? &uses[i] : NULL, n > 0 ? NULL : dflt[i],
				    &list[i], err, errlen);
		if (ret != 0) {
			return ret;
		}
		(*nout)++;
	}
	return 0;
}

int ktstr_engine__load_plugins(struct ktstr_engine *e, char *err, size_t errlen)
{
	static const char *const dflt_sinks[] = { "sidecar" };
	const struct ktstr_profile *p = e->profile;
	int ret;

	ret = ktstr_registry__new(&e->reg);
	if (ret != 0) {
		snprintf(err, errlen, "cannot create the plugin registry: %s", strerror(-ret));
		return ret;
	}
	ret = ktstr_registry__load_default(e->reg);
	if (ret != 0) {
		snprintf(err, errlen, "cannot scan the plugin directories: %s", strerror(-ret));
		return ret;
	}
	ret = make_sources(e, err, errlen);
	if (ret == 0) {
		ret = make_inst(e, KTSTR_PLUGIN_PLANNER, &p->planner, "default", &e->planner, err,
				errlen);
	}
	if (ret == 0) {
		ret = ktstr_kchain__new(e->sources, e->nsources, e->planner, 0, &e->kchain);
	}
	if (ret == 0) {
		ret = make_inst(e, KTSTR_PLUGIN_VM, &p->vm, "qemu", &e->vm, err, errlen);
	}
	if (ret == 0) {
		ret = make_list(e, KTSTR_PLUGIN_SINK, p->sinks, p->nsinks, dflt_sinks, 1, &e->sinks,
				&e->nsinks, err, errlen);
	}
	if (ret == 0) {
		e->sink_open = calloc(e->nsinks ? e->nsinks : 1, sizeof(*e->sink_open));
		ret = e->sink_open != NULL ? 0 : -ENOMEM;
	}
	return ret;
}

void ktstr_engine__unload_plugins(struct ktstr_engine *e)
{
	ktstr_kchain__free(e->kchain);
	e->kchain = NULL;
	for (size_t i = 0; i < e->nsinks; i++) {
		ktstr_inst__free(e->sinks[i]);
	}
	free(e->sinks);
	free(e->sink_open);
	for (size_t i = 0; i < e->nsources; i++) {
		ktstr_inst__free(e->sources[i]);
	}
	free(e->sources);
	ktstr_inst__free(e->planner);
	ktstr_inst__free(e->vm);
	if (e->reg != NULL) {
		ktstr_registry__free(e->reg);
	}
	e->sinks = NULL;
	e->sources = NULL;
	e->planner = NULL;
	e->vm = NULL;
	e->reg = NULL;
}
