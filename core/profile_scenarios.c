/*
 * The scenarios section of a profile: a catalog name, a mapping
 * {name, duration, workers_per_cgroup, checks} naming a catalog scenario, or
 * a whole scenario inline (a mapping with backdrop/steps, docs/scenarios.md).
 */
#include "profile_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_catalog.h"
#include "scenario_internal.h"
#include "suggest.h"

static int unknown_scenario(struct ktstr_pctx *c, yaml_node_t *val, const char *s)
{
	char **names = NULL;
	const char *hint;
	size_t n = 0;
	int rc = ktstr_scenario_catalog__names(c->scenario_dirs, c->nscenario_dirs, &names, &n);

	if (rc != 0) {
		return rc;
	}
	hint = ktstr_suggest__closest(s, (const char *const *)names, n);
	if (hint != NULL) {
		rc = ktstr_pctx__error(c, val, "unknown scenario \"%s\" (did you mean \"%s\"?)", s,
				       hint);
	} else {
		rc = ktstr_pctx__error(c, val,
				       "unknown scenario \"%s\": no %s.yaml in "
				       "scenario_dirs or the catalog %s (docs/scenarios.md "
				       "lists it)",
				       s, s, ktstr_scenario_catalog__default_dir());
	}
	ktstr_scenario_catalog__free_names(names, n);
	return rc;
}

/* A catalog scenario by name: <dir>/<name>.yaml through the scenario parser. */
static int catalog_name(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
			void *obj)
{
	struct ktstr_scenario_entry *e = obj;
	char path[PATH_MAX];
	const char *s;
	int rc = ktstr_pctx__str(c, val, "scenario", &s);

	if (rc != 0) {
		return rc;
	}
	rc = ktstr_scenario_catalog__find(c->scenario_dirs, c->nscenario_dirs, s, path,
					  sizeof(path));
	if (rc == -ENOENT || rc == -EINVAL) {
		return unknown_scenario(c, val, s);
	}
	if (rc != 0) {
		return ktstr_pctx__error(c, val, "scenario \"%s\": its file path is too long", s);
	}
	/* the scenario file's own errors name that file, line and column */
	rc = ktstr_scenario__load(path, &e->def, c->err, c->errlen);
	if (rc != 0) {
		return rc == -ENOMEM ? rc : -EINVAL;
	}
	if (strcmp(e->def->name, s) != 0) {
		return ktstr_pctx__error(c, val,
					 "scenario \"%s\": %s names itself \"%s\"; make the "
					 "file name and its name: match",
					 s, path, e->def->name);
	}
	e->name = strdup(s);
	return e->name != NULL ? 0 : -ENOMEM;
}

/* clang-format off */
static const struct ktstr_pkey entry_keys[] = {
	{ "name", catalog_name, 0, 0, true },
	{ "duration", ktstr_pkey__duration, offsetof(struct ktstr_scenario_entry, duration_ms), 0,
	  false },
	{ "workers_per_cgroup", ktstr_pkey__u32,
	  offsetof(struct ktstr_scenario_entry, workers_per_cgroup), 0, false },
	{ "checks", ktstr_pkey__checks, offsetof(struct ktstr_scenario_entry, checks), 0, false },
};
/* clang-format on */

static bool is_inline(struct ktstr_pctx *c, yaml_node_t *n)
{
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *key = ktstr_pctx__node(c, p->key);

		if (ktstr_pctx__is_scalar(key) &&
		    (strcmp((const char *)key->data.scalar.value, "steps") == 0 ||
		     strcmp((const char *)key->data.scalar.value, "backdrop") == 0)) {
			return true;
		}
	}
	return false;
}

static int parse_inline(struct ktstr_pctx *c, yaml_node_t *n, struct ktstr_scenario_entry *e)
{
	int rc;

	e->def = calloc(1, sizeof(*e->def));
	if (e->def == NULL) {
		return -ENOMEM;
	}
	/* entry_keys + 1: duration and workers_per_cgroup; checks is the scenario's own */
	rc = ktstr_scen__body(c, n, e->def, entry_keys + 1, 2, e);
	if (rc != 0) {
		return rc;
	}
	e->name = strdup(e->def->name);
	return e->name != NULL ? 0 : -ENOMEM;
}

static int parse_scenario(struct ktstr_pctx *c, yaml_node_t *n, void *entry)
{
	if (n->type == YAML_MAPPING_NODE && is_inline(c, n)) {
		return parse_inline(c, n, entry);
	}
	if (n->type == YAML_MAPPING_NODE) {
		return ktstr_pctx__walk(c, n, "scenario", entry_keys,
					sizeof(entry_keys) / sizeof(entry_keys[0]), entry);
	}
	return catalog_name(c, NULL, n, entry);
}

/* clang-format off */
static const struct ktstr_entry_list scenario_list = {
	"scenario", "a list of scenarios", sizeof(struct ktstr_scenario_entry),
	offsetof(struct ktstr_scenario_entry, name), parse_scenario,
};
/* clang-format on */

int ktstr_profile__parse_scenarios(struct ktstr_pctx *c, const struct ktstr_pkey *k,
				   yaml_node_t *val, void *obj)
{
	struct ktstr_profile *p = obj;
	void *arr = NULL;
	int rc = ktstr_pctx__list(c, val, k->name, &scenario_list, &arr, &p->nscenarios);

	p->scenarios = arr;
	return rc;
}

int ktstr_profile__parse_scenario_dirs(struct ktstr_pctx *c, const struct ktstr_pkey *k,
				       yaml_node_t *val, void *obj)
{
	struct ktstr_profile *p = obj;
	yaml_node_item_t *items;
	int rc;

	if (ktstr_pctx__is_null(val)) {
		return 0;
	}
	rc = ktstr_pctx__strv(c, val, k->name, &p->scenario_dirs, &p->nscenario_dirs);
	if (rc != 0) {
		return rc;
	}
	items = val->data.sequence.items.start;
	for (size_t i = 0; i < p->nscenario_dirs; i++) {
		char *abs = NULL;

		if (p->scenario_dirs[i][0] == '\0') {
			return ktstr_pctx__error(c, ktstr_pctx__node(c, items[i]),
						 "scenario_dirs: expected a directory, got \"\"");
		}
		rc = ktstr_pctx__resolve_path(c, ktstr_pctx__node(c, items[i]), p->scenario_dirs[i],
					      &abs);
		if (rc != 0) {
			return rc;
		}
		free(p->scenario_dirs[i]);
		p->scenario_dirs[i] = abs;
	}
	c->scenario_dirs = (const char *const *)p->scenario_dirs;
	c->nscenario_dirs = p->nscenario_dirs;
	return 0;
}

int ktstr_profile__check_scenarios(struct ktstr_pctx *c, yaml_node_t *list,
				   const struct ktstr_profile *p)
{
	yaml_node_item_t *items = list->data.sequence.items.start;
	char why[512];

	for (size_t i = 0; i < p->nscenarios; i++) {
		const struct ktstr_scenario_entry *e = &p->scenarios[i];

		if (ktstr_scenario__check_workers(e->def, e->workers_per_cgroup, why,
						  sizeof(why)) != 0) {
			return ktstr_pctx__error(c, ktstr_pctx__node(c, items[i]), "%s", why);
		}
	}
	return 0;
}
