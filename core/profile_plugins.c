/* The plugins: section of a profile, and the plugins used when it says nothing. */
#include "profile_internal.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void ktstr_plugin_use__release(struct ktstr_plugin_use *u)
{
	free(u->plugin);
	free(u->instance);
	ktstr_cfg__release(&u->cfg);
	memset(u, 0, sizeof(*u));
}

static int add_option(struct ktstr_pctx *c, yaml_node_t *key, yaml_node_t *val, void *arg)
{
	struct ktstr_cfg *cfg = arg;
	struct ktstr_cfg_kv *kv = &cfg->kv[cfg->n];
	const char *name = (const char *)key->data.scalar.value;

	if (val->type != YAML_SCALAR_NODE) {
		return ktstr_pctx__error(
		    c, val,
		    "option \"%s\": expected a single value (string or number), "
		    "got %s",
		    name, ktstr_pctx__kind(val));
	}
	if (strlen((const char *)val->data.scalar.value) != val->data.scalar.length) {
		return ktstr_pctx__error(c, val,
					 "option \"%s\": a value may not contain a NUL "
					 "character",
					 name);
	}
	kv->key = strdup(name);
	kv->value = strdup((const char *)val->data.scalar.value);
	kv->line = (unsigned)key->start_mark.line + 1;
	kv->col = (unsigned)key->start_mark.column + 1;
	cfg->n++;
	return kv->key != NULL && kv->value != NULL ? 0 : -ENOMEM;
}

static int use_options(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
		       void *obj)
{
	struct ktstr_plugin_use *u = obj;

	if (ktstr_pctx__is_null(val)) {
		return 0;
	}
	if (val->type != YAML_MAPPING_NODE) {
		return ktstr_pctx__error(c, val, "options: expected a mapping of keys, got %s",
					 ktstr_pctx__kind(val));
	}
	u->cfg.kv =
	    calloc((size_t)(val->data.mapping.pairs.top - val->data.mapping.pairs.start) + 1,
		   sizeof(*u->cfg.kv));
	if (u->cfg.kv == NULL) {
		return -ENOMEM;
	}
	return ktstr_pctx__each_pair(c, val, "options", add_option, &u->cfg);
}

/* clang-format off */
static const struct ktstr_pkey use_keys[] = {
	{ "plugin", ktstr_pkey__name, offsetof(struct ktstr_plugin_use, plugin), 0, true },
	{ "name", ktstr_pkey__name, offsetof(struct ktstr_plugin_use, instance), 0, false },
	{ "options", use_options, 0, 0, false },
};
/* clang-format on */

/* A plugin name, or {plugin, name, options}; the instance name defaults to the plugin's. */
static int parse_use(struct ktstr_pctx *c, yaml_node_t *n, const char *what,
		     struct ktstr_plugin_use *u)
{
	int rc;

	u->cfg.file = strdup(c->file);
	if (u->cfg.file == NULL) {
		return -ENOMEM;
	}
	u->cfg.line = (unsigned)n->start_mark.line + 1;
	u->cfg.col = (unsigned)n->start_mark.column + 1;
	if (n->type == YAML_MAPPING_NODE) {
		rc = ktstr_pctx__walk(c, n, what, use_keys, sizeof(use_keys) / sizeof(use_keys[0]),
				      u);
	} else if (ktstr_pctx__is_scalar(n)) {
		rc = ktstr_pctx__name(c, n, what, &u->plugin);
	} else {
		return ktstr_pctx__error(c, n,
					 "%s: expected a plugin name or a mapping {plugin, name, "
					 "options}, got %s",
					 what, ktstr_pctx__kind(n));
	}
	if (rc == 0 && u->instance == NULL) {
		u->instance = strdup(u->plugin);
		rc = u->instance != NULL ? 0 : -ENOMEM;
	}
	return rc;
}

/* A list of plugin uses with unique instance names. The array is allocated even for an
 * empty list, so an explicit [] stays distinguishable from "not given". */
static int parse_uses(struct ktstr_pctx *c, yaml_node_t *val, const char *key, const char *what,
		      struct ktstr_plugin_use **arr, size_t *n)
{
	yaml_node_item_t *items = NULL;
	size_t len = 0;
	int rc;

	rc = ktstr_pctx__seq(c, val, key, "a list of plugins", &items, &len);
	if (rc != 0) {
		return rc;
	}
	*arr = calloc(len + 1, sizeof(**arr));
	if (*arr == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *item = ktstr_pctx__node(c, items[i]);

		*n = i + 1;
		rc = parse_use(c, item, what, &(*arr)[i]);
		if (rc != 0) {
			return rc;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp((*arr)[j].instance, (*arr)[i].instance) == 0) {
				return ktstr_pctx__dup_error(c, item, what, (*arr)[i].instance,
							     ktstr_pctx__node(c, items[j]));
			}
		}
	}
	return 0;
}

static int kernel_sources(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
			  void *obj)
{
	struct ktstr_profile *p = obj;
	int rc;

	if (ktstr_pctx__is_null(val)) {
		return 0;
	}
	rc = parse_uses(c, val, k->name, "kernel source", &p->kernel_sources, &p->nkernel_sources);
	if (rc == 0 && p->nkernel_sources == 0) {
		return ktstr_pctx__error(c, val,
					 "kernel_sources: the list is empty; give at least one "
					 "kernel source (leave the key out for the default chain: local, cache, "
					 "gha, debian)");
	}
	return rc;
}

static int sinks(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	struct ktstr_profile *p = obj;

	if (ktstr_pctx__is_null(val)) {
		return 0;
	}
	return parse_uses(c, val, k->name, "sink", &p->sinks, &p->nsinks);
}

static int planner(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	struct ktstr_profile *p = obj;

	return ktstr_pctx__is_null(val) ? 0 : parse_use(c, val, k->name, &p->planner);
}

static int vm(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	struct ktstr_profile *p = obj;

	return ktstr_pctx__is_null(val) ? 0 : parse_use(c, val, k->name, &p->vm);
}

/* clang-format off */
static const struct ktstr_pkey plugin_keys[] = {
	{ "kernel_sources", kernel_sources, 0, 0, false },
	{ "planner", planner, 0, 0, false },
	{ "vm", vm, 0, 0, false },
	{ "sinks", sinks, 0, 0, false },
};
/* clang-format on */

int ktstr_profile__parse_plugins(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
				 void *obj)
{
	if (ktstr_pctx__is_null(val)) {
		return 0;
	}
	return ktstr_pctx__walk(c, val, k->name, plugin_keys,
				sizeof(plugin_keys) / sizeof(plugin_keys[0]), obj);
}

static int default_use(struct ktstr_plugin_use *u, const char *name)
{
	u->plugin = strdup(name);
	u->instance = strdup(name);
	return u->plugin != NULL && u->instance != NULL ? 0 : -ENOMEM;
}

static int default_uses(struct ktstr_plugin_use **arr, size_t *n, const char *const *names,
			size_t count)
{
	int rc;

	*arr = calloc(count, sizeof(**arr));
	if (*arr == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < count; i++) {
		*n = i + 1;
		rc = default_use(&(*arr)[i], names[i]);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

int ktstr_profile__default_plugins(struct ktstr_profile *p)
{
	static const char *const sinks_dfl[] = {"sidecar"};
	int rc = 0;

	/* kernel_sources stays NULL when not given: the engine then chains the
	 * default sources (kchain.h) that are loaded, skipping missing ones. */
	if (p->planner.plugin == NULL) {
		rc = default_use(&p->planner, "default");
	}
	if (rc == 0 && p->vm.plugin == NULL) {
		rc = default_use(&p->vm, "qemu");
	}
	if (rc == 0 && p->sinks == NULL) {
		rc = default_uses(&p->sinks, &p->nsinks, sinks_dfl, 1);
	}
	return rc;
}
