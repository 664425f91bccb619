/*
 * Ops (reference scenarios.md section 1 "Op"): each is a mapping with "op"
 * and the fields of its kind. The cgroups an op names must exist at that
 * point of the scenario, and a step may not remove or stop a backdrop cgroup
 * nor move a backdrop cgroup's tasks into one of its own.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <string.h>

enum field { F_CGROUP, F_CPUSET, F_A, F_B, F_WORK, F_AFFINITY, F_FROM, F_TO, NFIELDS };

static const char *const field_names[NFIELDS] = {"cgroup", "cpuset",   "a",    "b",
						 "work",   "affinity", "from", "to"};

struct op_kind {
	const char *name; /* its index is its op_kinds bit */
	unsigned fields;  /* bitmask of enum field, all required */
};

#define B(f) (1u << (f))

/* clang-format off */
static const struct op_kind kinds[] = {
	{ "add_cgroup", B(F_CGROUP) },
	{ "remove_cgroup", B(F_CGROUP) },
	{ "set_cpuset", B(F_CGROUP) | B(F_CPUSET) },
	{ "clear_cpuset", B(F_CGROUP) },
	{ "swap_cpusets", B(F_A) | B(F_B) },
	{ "spawn", B(F_CGROUP) | B(F_WORK) },
	{ "stop_cgroup", B(F_CGROUP) },
	{ "set_affinity", B(F_CGROUP) | B(F_AFFINITY) },
	{ "spawn_host", B(F_WORK) },
	{ "move_all_tasks", B(F_FROM) | B(F_TO) },
};
/* clang-format on */

enum {
	OP_ADD,
	OP_REMOVE,
	OP_SET_CPUSET,
	OP_CLEAR,
	OP_SWAP,
	OP_SPAWN,
	OP_STOP,
	OP_AFFINITY,
	OP_SPAWN_HOST,
	OP_MOVE,
	NKINDS
};

_Static_assert(sizeof(kinds) / sizeof(kinds[0]) == NKINDS, "one row per op kind");

/* The origin of a live cgroup; a parent of a live nested one has its child's. */
static bool origin(const struct ktstr_scen_scope *sc, const char *name, int *out)
{
	size_t len = strlen(name);
	const char *key;
	json_t *v;

	json_object_foreach(sc->live, key, v)
	{
		if (strcmp(key, name) == 0 || (strncmp(key, name, len) == 0 && key[len] == '/')) {
			*out = (int)json_integer_value(v);
			return true;
		}
	}
	return false;
}

bool ktstr_scen_scope__has(const struct ktstr_scen_scope *sc, const char *name)
{
	int o;

	return origin(sc, name, &o);
}

struct op_nodes {
	yaml_node_t *op;
	yaml_node_t *f[NFIELDS];
};

static int op_pair(struct ktstr_pctx *c, yaml_node_t *key, yaml_node_t *val, void *arg)
{
	struct op_nodes *o = arg;
	const char *k = (const char *)key->data.scalar.value;

	if (strcmp(k, "op") == 0) {
		o->op = val;
		return 0;
	}
	for (size_t i = 0; i < NFIELDS; i++) {
		if (strcmp(k, field_names[i]) == 0) {
			o->f[i] = val;
			return 0;
		}
	}
	return ktstr_pctx__error(c, key,
				 "unknown key \"%s\" in op; valid keys: op, cgroup, "
				 "cpuset, a, b, work, affinity, from, to",
				 k);
}

/* A cgroup field: a valid name that exists now. */
static int cgroup_ref(struct ktstr_pctx *c, yaml_node_t *n, const char *what,
		      const struct ktstr_scen_scope *sc, const char **name)
{
	int rc = ktstr_scen__cgroup_name(c, n, what, name);

	if (rc == 0 && !ktstr_scen_scope__has(sc, *name)) {
		return ktstr_pctx__error(c, n,
					 "%s: no cgroup \"%s\" exists here; declare it in "
					 "the backdrop or this step, or add it with add_cgroup "
					 "first",
					 what, *name);
	}
	return rc;
}

/* Scope rules of one op, updating @p sc. names[] are the op's cgroup fields. */
static int scope_rules(struct ktstr_pctx *c, struct ktstr_scen_scope *sc, size_t kind,
		       const struct op_nodes *o, const char *const *names)
{
	int from = 0, to = 0;
	const char *what = kinds[kind].name;
	const char *cg = names[F_CGROUP];

	switch (kind) {
	case OP_ADD:
		if (ktstr_scen_scope__has(sc, cg)) {
			return ktstr_pctx__error(c, o->f[F_CGROUP],
						 "add_cgroup: cgroup \"%s\" "
						 "already exists",
						 cg);
		}
		return json_object_set_new(sc->live, cg, json_integer(sc->step)) == 0 ? 0 : -ENOMEM;
	case OP_REMOVE:
	case OP_STOP:
		origin(sc, cg, &from);
		if (sc->step >= 0 && from < 0) {
			return ktstr_pctx__error(c, o->f[F_CGROUP],
						 "%s: \"%s\" belongs to the "
						 "backdrop; a step may not "
						 "remove or stop it",
						 what, cg);
		}
		if (kind == OP_REMOVE && json_object_get(sc->live, cg) == NULL) {
			return ktstr_pctx__error(c, o->f[F_CGROUP],
						 "remove_cgroup: \"%s\" still "
						 "has nested cgroups; remove "
						 "those first",
						 cg);
		}
		if (kind == OP_REMOVE) {
			json_object_del(sc->live, cg);
			json_object_del(sc->own, cg);
		}
		return 0;
	case OP_SWAP:
		if (strcmp(names[F_A], names[F_B]) == 0) {
			return ktstr_pctx__error(c, o->f[F_B],
						 "swap_cpusets: a and b are the same "
						 "cgroup \"%s\"",
						 names[F_A]);
		}
		return 0;
	case OP_MOVE:
		if (strcmp(names[F_FROM], names[F_TO]) == 0) {
			return ktstr_pctx__error(c, o->f[F_TO],
						 "move_all_tasks: from and to are the "
						 "same cgroup \"%s\"",
						 names[F_TO]);
		}
		origin(sc, names[F_FROM], &from);
		origin(sc, names[F_TO], &to);
		if (sc->step >= 0 && from < 0 && to >= 0) {
			return ktstr_pctx__error(c, o->f[F_TO],
						 "move_all_tasks: a step may not move "
						 "the tasks of backdrop cgroup "
						 "\"%s\" into its own \"%s\"",
						 names[F_FROM], names[F_TO]);
		}
		return 0;
	default:
		return 0;
	}
}

static int field_value(struct ktstr_pctx *c, enum field f, yaml_node_t *n, json_t **out)
{
	switch (f) {
	case F_CPUSET:
		return ktstr_scen__cpuset(c, n, out);
	case F_WORK:
		return ktstr_scen__work(c, n, out);
	default:
		return ktstr_scen__affinity(c, n, out);
	}
}

static int op_fields(struct ktstr_pctx *c, yaml_node_t *n, size_t kind, const struct op_nodes *o,
		     struct ktstr_scen_scope *sc, json_t *obj)
{
	const char *names[NFIELDS] = {NULL};
	json_t *v;
	int rc;

	for (size_t f = 0; f < NFIELDS; f++) {
		bool want = (kinds[kind].fields & B(f)) != 0;

		if (!want && o->f[f] != NULL) {
			return ktstr_pctx__error(c, o->f[f], "%s: op %s takes no %s",
						 field_names[f], kinds[kind].name, field_names[f]);
		}
		if (want && o->f[f] == NULL) {
			return ktstr_pctx__error(c, n, "op %s is missing the required key \"%s\"",
						 kinds[kind].name, field_names[f]);
		}
		if (!want) {
			continue;
		}
		if (f == F_CPUSET || f == F_WORK || f == F_AFFINITY) {
			rc = field_value(c, f, o->f[f], &v);
		} else if (kind == OP_ADD) {
			rc = ktstr_scen__cgroup_name(c, o->f[f], field_names[f], &names[f]);
			v = rc == 0 ? json_string(names[f]) : NULL;
		} else {
			rc = cgroup_ref(c, o->f[f], field_names[f], sc, &names[f]);
			v = rc == 0 ? json_string(names[f]) : NULL;
		}
		if (rc != 0) {
			return rc;
		}
		if (v == NULL || json_object_set_new(obj, field_names[f], v) != 0) {
			return -ENOMEM;
		}
	}
	return scope_rules(c, sc, kind, o, names);
}

static int op(struct ktstr_pctx *c, yaml_node_t *n, struct ktstr_scen_scope *sc, json_t **out)
{
	const char *names[NKINDS];
	struct op_nodes o = {0};
	json_t *obj;
	size_t kind;
	int rc;

	for (size_t i = 0; i < NKINDS; i++) {
		names[i] = kinds[i].name;
	}
	rc = ktstr_pctx__each_pair(c, n, "op", op_pair, &o);
	if (rc != 0) {
		return rc;
	}
	if (o.op == NULL) {
		return ktstr_pctx__error(c, n,
					 "op is missing the required key \"op\" (add_cgroup, "
					 "set_cpuset, spawn, ...)");
	}
	rc = ktstr_scen__kind(c, o.op, "op", names, NKINDS, &kind);
	if (rc != 0) {
		return rc;
	}
	obj = json_pack("{s:s}", "op", kinds[kind].name);
	if (obj == NULL) {
		return -ENOMEM;
	}
	rc = op_fields(c, n, kind, &o, sc, obj);
	if (rc != 0) {
		json_decref(obj);
		return rc;
	}
	*out = obj;
	return 0;
}

int ktstr_scen__ops(struct ktstr_pctx *c, yaml_node_t *n, struct ktstr_scen_scope *sc, json_t **out)
{
	yaml_node_item_t *items = NULL;
	size_t len = 0;
	json_t *arr = json_array();
	int rc = arr != NULL ? 0 : -ENOMEM;

	if (rc == 0 && n != NULL && !ktstr_pctx__is_null(n)) {
		rc = ktstr_pctx__seq(c, n, "ops", "a list of ops", &items, &len);
	}
	for (size_t i = 0; rc == 0 && i < len; i++) {
		json_t *v = NULL;

		rc = op(c, ktstr_pctx__node(c, items[i]), sc, &v);
		if (rc == 0 && json_array_append_new(arr, v) != 0) {
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
