/* A kernel-source chain with its own registry and planner, for `ktstr kernel ...`. */
#include "kchain.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "profile.h"

const char *const ktstr_kchain_default_sources[] = { "local", "cache", "gha", "debian" };
const size_t ktstr_kchain_default_nsources =
	sizeof(ktstr_kchain_default_sources) / sizeof(ktstr_kchain_default_sources[0]);

struct ktstr_kchain_set {
	struct ktstr_registry *reg;
	struct ktstr_inst **sources;
	size_t n;
	struct ktstr_inst *planner;
	struct ktstr_kchain *chain;
};

/* Instance @i of the list @o names; 1 when it is a default or optional one not loaded. */
static int open_one(struct ktstr_kchain_set *s, const struct ktstr_kchain_opts *o, size_t i,
		    bool dflt, char *err, size_t errlen)
{
	const struct ktstr_plugin_use *use = o->nuses > 0 ? &o->uses[i] : NULL;
	const char *name = use != NULL	? use->plugin
			   : dflt	? ktstr_kchain_default_sources[i]
					: o->names[i];
	struct ktstr_plugin *p = ktstr_registry__find(s->reg, KTSTR_PLUGIN_KERNEL_SOURCE, name);
	size_t count = o->nuses > 0 ? o->nuses : o->nnames;

	if (p == NULL && (dflt || i + o->noptional >= count)) {
		KTSTR_DBG("kernel source %s is not loaded; left out of the chain", name);
		return 1;
	}
	if (p == NULL) {
		snprintf(err, errlen,
			 "no kernel-source plugin named \"%s\" is loaded (see `ktstr plugin list`; "
			 "KTSTR_PLUGIN_PATH adds directories)",
			 name);
		return -EINVAL;
	}
	return ktstr_inst__new(p, use != NULL ? use->instance : NULL, use != NULL ? &use->cfg : NULL,
			       &s->sources[s->n], err, errlen);
}

int ktstr_kchain__open(const struct ktstr_kchain_opts *o, struct ktstr_kchain_set **out,
		       char *err, size_t errlen)
{
	bool dflt = o->nuses == 0 && o->nnames == 0;
	size_t count = o->nuses > 0 ? o->nuses : dflt ? ktstr_kchain_default_nsources : o->nnames;
	struct ktstr_kchain_set *s = calloc(1, sizeof(*s));
	struct ktstr_plugin *planner;
	int ret;

	*out = NULL;
	if (s == NULL || (s->sources = calloc(count, sizeof(*s->sources))) == NULL) {
		free(s);
		return -ENOMEM;
	}
	ret = ktstr_registry__new(&s->reg);
	if (ret == 0) {
		ret = ktstr_registry__load_default(s->reg);
	}
	if (ret != 0) {
		snprintf(err, errlen, "cannot load the plugins: %s", strerror(-ret));
		goto fail;
	}
	for (size_t i = 0; i < count; i++) {
		ret = open_one(s, o, i, dflt, err, errlen);
		if (ret < 0) {
			goto fail;
		}
		if (ret == 0) {
			s->n++;
		}
	}
	planner = ktstr_registry__find(s->reg, KTSTR_PLUGIN_PLANNER, "default");
	if (planner != NULL) {
		ret = ktstr_inst__new(planner, NULL, NULL, &s->planner, err, errlen);
		if (ret != 0) {
			goto fail;
		}
	}
	ret = ktstr_kchain__new(s->sources, s->n, s->planner, o->cpu_cap, &s->chain);
	if (ret != 0) {
		snprintf(err, errlen, "cannot chain the kernel sources: %s", strerror(-ret));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	ktstr_kchain_set__close(s);
	return ret;
}

struct ktstr_kchain *ktstr_kchain_set__chain(const struct ktstr_kchain_set *s)
{
	return s->chain;
}

void ktstr_kchain_set__close(struct ktstr_kchain_set *s)
{
	if (s == NULL) {
		return;
	}
	ktstr_kchain__free(s->chain);
	for (size_t i = 0; i < s->n; i++) {
		ktstr_inst__free(s->sources[i]);
	}
	ktstr_inst__free(s->planner);
	free(s->sources);
	if (s->reg != NULL) {
		ktstr_registry__free(s->reg);
	}
	free(s);
}
