/*
 * The backdrop and the steps of a scenario, read in execution order so each
 * op is checked against the cgroups that exist when it runs: the backdrop's
 * cgroups then its ops; per step its cgroup defs (ops of the same step may
 * name them) then its ops; a step's own cgroups end with it.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <string.h>

int ktstr_scen__cgroup_name(struct ktstr_pctx *c, yaml_node_t *n, const char *what,
			    const char **out)
{
	const char *s, *p;
	int rc = ktstr_pctx__str(c, n, what, &s);

	if (rc != 0) {
		return rc;
	}
	for (p = s; *p != '\0'; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.' ||
			  *p == '/';

		/* an empty, "." or ".." component would leave the scenario's cgroup tree */
		bool start = p == s || p[-1] == '/';
		bool bad_dir =
		    start &&
		    (*p == '/' || (*p == '.' && (p[1] == '/' || p[1] == '\0' ||
						 (p[1] == '.' && (p[2] == '/' || p[2] == '\0')))));

		if (!ok || bad_dir) {
			break;
		}
	}
	if (*p != '\0' || p == s || p[-1] == '/' || strlen(s) > 200) {
		return ktstr_pctx__error(c, n,
					 "%s \"%s\": a cgroup name is up to 200 letters, "
					 "digits, _ - . with / between nested names (a/b)",
					 what, s);
	}
	*out = s;
	return 0;
}

struct def_nodes {
	yaml_node_t *name, *cpuset, *works;
};

static int node_at(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	*(yaml_node_t **)((char *)obj + k->off) = val;
	return 0;
}

/* clang-format off */
static const struct ktstr_pkey def_keys[] = {
	{ "name", node_at, offsetof(struct def_nodes, name), 0, true },
	{ "cpuset", node_at, offsetof(struct def_nodes, cpuset), 0, false },
	{ "works", node_at, offsetof(struct def_nodes, works), 0, false },
};
/* clang-format on */

static int works(struct ktstr_pctx *c, yaml_node_t *n, json_t *arr)
{
	yaml_node_item_t *items = NULL;
	size_t len = 0;
	int rc = 0;

	if (n != NULL && !ktstr_pctx__is_null(n)) {
		rc = ktstr_pctx__seq(c, n, "works", "a list of works", &items, &len);
	}
	for (size_t i = 0; rc == 0 && i < len; i++) {
		json_t *w;

		rc = ktstr_scen__work(c, ktstr_pctx__node(c, items[i]), &w);
		if (rc == 0 && json_array_append_new(arr, w) != 0) {
			rc = -ENOMEM;
		}
	}
	return rc;
}

static int cgroup_def(struct ktstr_pctx *c, yaml_node_t *n, struct ktstr_scen_scope *sc,
		      json_t **out)
{
	struct def_nodes d = {0};
	json_t *obj, *cpuset = json_null();
	const char *name;
	int rc = 0;

	if (ktstr_pctx__is_scalar(n)) {
		d.name = n;
	} else if (n == NULL || n->type != YAML_MAPPING_NODE) {
		return ktstr_pctx__error(c, n,
					 "cgroup: expected a name or a mapping {name, cpuset, "
					 "works}, got %s",
					 ktstr_pctx__kind(n));
	} else {
		rc = ktstr_pctx__walk(c, n, "cgroup", def_keys, 3, &d);
	}
	rc = rc != 0 ? rc : ktstr_scen__cgroup_name(c, d.name, "cgroup", &name);
	if (rc != 0) {
		return rc;
	}
	if (json_object_get(sc->live, name) != NULL) {
		return ktstr_pctx__error(c, d.name, "cgroup \"%s\" already exists here", name);
	}
	if (d.cpuset != NULL && !ktstr_pctx__is_null(d.cpuset)) {
		rc = ktstr_scen__cpuset(c, d.cpuset, &cpuset);
		if (rc != 0) {
			return rc;
		}
	}
	obj = json_pack("{s:s,s:o,s:[]}", "name", name, "cpuset", cpuset, "works");
	if (obj == NULL) {
		return -ENOMEM;
	}
	rc = works(c, d.works, json_object_get(obj, "works"));
	if (rc == 0 && (json_object_set_new(sc->live, name, json_integer(sc->step)) != 0 ||
			json_object_set_new(sc->own, name, json_true()) != 0)) {
		rc = -ENOMEM;
	}
	if (rc != 0) {
		json_decref(obj);
		return rc;
	}
	*out = obj;
	return 0;
}

static int cgroup_defs(struct ktstr_pctx *c, yaml_node_t *n, struct ktstr_scen_scope *sc,
		       json_t **out)
{
	yaml_node_item_t *items = NULL;
	size_t len = 0;
	json_t *arr = json_array();
	int rc = arr != NULL ? 0 : -ENOMEM;

	if (rc == 0 && n != NULL && !ktstr_pctx__is_null(n)) {
		rc = ktstr_pctx__seq(c, n, "cgroups", "a list of cgroups", &items, &len);
	}
	for (size_t i = 0; rc == 0 && i < len; i++) {
		json_t *def = NULL;

		rc = cgroup_def(c, ktstr_pctx__node(c, items[i]), sc, &def);
		if (rc == 0 && json_array_append_new(arr, def) != 0) {
			rc = -ENOMEM;
		}
	}
	if (rc != 0) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return 0;
}

struct phase_nodes {
	yaml_node_t *hold, *cgroups, *ops;
};

/* clang-format off */
static const struct ktstr_pkey step_keys[] = {
	{ "hold", node_at, offsetof(struct phase_nodes, hold), 0, true },
	{ "cgroups", node_at, offsetof(struct phase_nodes, cgroups), 0, false },
	{ "ops", node_at, offsetof(struct phase_nodes, ops), 0, false },
};
/* clang-format on */

/* cgroups then ops of the backdrop (step_keys without hold) or of one step. */
static int phase(struct ktstr_pctx *c, yaml_node_t *n, struct ktstr_scen_scope *sc, json_t **out)
{
	struct phase_nodes p = {0};
	const char *what = sc->step < 0 ? "backdrop" : "step";
	json_t *obj, *v = NULL;
	int rc = 0;

	/* an empty backdrop is no backdrop; an empty step still needs its hold */
	if (sc->step >= 0 || !ktstr_pctx__is_null(n)) {
		rc = ktstr_pctx__walk(c, n, what, sc->step < 0 ? step_keys + 1 : step_keys,
				      sc->step < 0 ? 2 : 3, &p);
	}
	obj = json_object();
	if (rc != 0 || obj == NULL) {
		json_decref(obj);
		return rc != 0 ? rc : -ENOMEM;
	}
	if (p.hold != NULL) {
		rc = ktstr_scen__hold(c, p.hold, &v);
		rc = rc == 0 && json_object_set_new(obj, "hold", v) != 0 ? -ENOMEM : rc;
	}
	if (rc == 0) {
		rc = cgroup_defs(c, p.cgroups, sc, &v);
		rc = rc == 0 && json_object_set_new(obj, "cgroups", v) != 0 ? -ENOMEM : rc;
	}
	if (rc == 0) {
		rc = ktstr_scen__ops(c, p.ops, sc, &v);
		rc = rc == 0 && json_object_set_new(obj, "ops", v) != 0 ? -ENOMEM : rc;
	}
	if (rc != 0) {
		json_decref(obj);
		return rc;
	}
	*out = obj;
	return 0;
}

/* A step's own cgroups are torn down at its end. */
static void end_step(struct ktstr_scen_scope *sc)
{
	const char *key;
	json_t *v;

	json_object_foreach(sc->own, key, v)
	{
		json_object_del(sc->live, key);
	}
	json_object_clear(sc->own);
}

int ktstr_scen__phases(struct ktstr_pctx *c, yaml_node_t *map, yaml_node_t *backdrop,
		       yaml_node_t *steps, struct ktstr_scenario *s)
{
	struct ktstr_scen_scope sc = {.live = json_object(), .own = json_object(), .step = -1};
	yaml_node_item_t *items;
	size_t len;
	int rc = sc.live != NULL && sc.own != NULL ? 0 : -ENOMEM;

	if (rc == 0 && steps == NULL) {
		rc = ktstr_pctx__error(c, map, "scenario is missing the required key \"steps\"");
	}
	rc = rc != 0 ? rc : phase(c, backdrop, &sc, &s->backdrop);
	/* the backdrop's cgroups live for the whole scenario */
	json_object_clear(sc.own);
	rc = rc != 0 ? rc : ktstr_pctx__seq(c, steps, "steps", "a list of steps", &items, &len);
	if (rc == 0 && len == 0) {
		rc = ktstr_pctx__error(c, steps,
				       "steps: the list is empty; give at least one step "
				       "(it holds the scenario for its duration)");
	}
	if (rc == 0) {
		s->steps = json_array();
		rc = s->steps != NULL ? 0 : -ENOMEM;
	}
	for (size_t i = 0; rc == 0 && i < len; i++) {
		json_t *st;

		sc.step = (int)i;
		rc = phase(c, ktstr_pctx__node(c, items[i]), &sc, &st);
		if (rc == 0 && json_array_append_new(s->steps, st) != 0) {
			rc = -ENOMEM;
		}
		end_step(&sc);
	}
	json_decref(sc.live);
	json_decref(sc.own);
	return rc;
}
