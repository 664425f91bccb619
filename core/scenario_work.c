/*
 * A Work: type, workers, params (checked per type), policy, affinity,
 * mem_policy, payload (reference scenarios.md section 1 "Work", section 2).
 */
#include "scenario_internal.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"

enum group_rule { GROUP_NONE, GROUP_PAIR, GROUP_FAN_OUT, GROUP_CONTENDERS };

struct work_type {
	const char *name;
	const char *const *params; /* NULL-terminated */
	enum group_rule group;
};

static const char *const p_none[] = {NULL};
static const char *const p_bursty[] = {"burst_ms", "sleep_ms", NULL};
static const char *const p_pipe[] = {"burst_iters", NULL};
static const char *const p_spin[] = {"spin_iters", NULL};
static const char *const p_cache[] = {"size_kb", "stride", NULL};
static const char *const p_cache_pipe[] = {"size_kb", "burst_iters", NULL};
static const char *const p_fan_out[] = {"fan_out", "spin_iters", NULL};
static const char *const p_fan_compute[] = {"fan_out", "cache_footprint_kb", "operations",
					    "sleep_usec", NULL};
static const char *const p_sequence[] = {"phases", NULL};
static const char *const p_page_fault[] = {"region_kb", "touches_per_cycle", "spin_iters", NULL};
static const char *const p_mutex[] = {"contenders", "hold_iters", "work_iters", NULL};

/* clang-format off */
static const struct work_type types[] = {
	{ "CpuSpin", p_none, GROUP_NONE },
	{ "YieldHeavy", p_none, GROUP_NONE },
	{ "Mixed", p_none, GROUP_NONE },
	{ "IoSync", p_none, GROUP_NONE },
	{ "Bursty", p_bursty, GROUP_NONE },
	{ "PipeIo", p_pipe, GROUP_PAIR },
	{ "FutexPingPong", p_spin, GROUP_PAIR },
	{ "CachePressure", p_cache, GROUP_NONE },
	{ "CacheYield", p_cache, GROUP_NONE },
	{ "CachePipe", p_cache_pipe, GROUP_PAIR },
	{ "FutexFanOut", p_fan_out, GROUP_FAN_OUT },
	{ "FanOutCompute", p_fan_compute, GROUP_FAN_OUT },
	{ "Sequence", p_sequence, GROUP_NONE },
	{ "ForkExit", p_none, GROUP_NONE },
	{ "NiceSweep", p_none, GROUP_NONE },
	{ "AffinityChurn", p_spin, GROUP_NONE },
	{ "PolicyChurn", p_spin, GROUP_NONE },
	{ "PageFaultChurn", p_page_fault, GROUP_NONE },
	{ "MutexContention", p_mutex, GROUP_CONTENDERS },
	{ "payload", p_none, GROUP_NONE },
};
/* clang-format on */

#define NTYPES (sizeof(types) / sizeof(types[0]))
/* Upstream defaults of the params that set a group size. */
#define DEFAULT_FAN_OUT 4
#define DEFAULT_CONTENDERS 4

static const struct work_type *type_find(const char *name)
{
	for (size_t i = 0; i < NTYPES; i++) {
		if (strcmp(types[i].name, name) == 0) {
			return &types[i];
		}
	}
	return NULL;
}

static uint32_t param_or(const json_t *params, const char *key, uint32_t dflt)
{
	json_t *v = json_object_get(params, key);

	return json_is_integer(v) ? (uint32_t)json_integer_value(v) : dflt;
}

uint32_t ktstr_work__group_size(const char *type, const json_t *params)
{
	const struct work_type *t = type_find(type);

	if (t == NULL) {
		return 0;
	}
	switch (t->group) {
	case GROUP_PAIR:
		return 2;
	case GROUP_FAN_OUT:
		return param_or(params, "fan_out", DEFAULT_FAN_OUT) + 1;
	case GROUP_CONTENDERS:
		return param_or(params, "contenders", DEFAULT_CONTENDERS);
	default:
		return 1;
	}
}

/* ---- Sequence phases ---- */

static const char *const phase_kinds[] = {"spin", "sleep", "yield", "io"};

struct phase {
	size_t kind;
	uint32_t ms;
	bool has_kind;
};

static int phase_kind(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	struct phase *ph = obj;

	ph->has_kind = true;
	return ktstr_scen__kind(c, val, "phase kind", phase_kinds, 4, &ph->kind);
}

static int phase_ms(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	return ktstr_pctx__u32(c, val, "phase ms", 1, &((struct phase *)obj)->ms);
}

static const struct ktstr_pkey phase_keys[] = {
    {"kind", phase_kind, 0, 0, true},
    {"ms", phase_ms, 0, 0, true},
};

static int phases(struct ktstr_pctx *c, yaml_node_t *n, json_t **out)
{
	yaml_node_item_t *items;
	size_t len;
	json_t *arr;
	int rc = ktstr_pctx__seq(c, n, "phases", "a list of {kind, ms}", &items, &len);

	if (rc != 0) {
		return rc;
	}
	if (len == 0) {
		return ktstr_pctx__error(c, n,
					 "phases: the list is empty; give at least one phase");
	}
	arr = json_array();
	if (arr == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < len; i++) {
		struct phase ph = {0};

		rc =
		    ktstr_pctx__walk(c, ktstr_pctx__node(c, items[i]), "phase", phase_keys, 2, &ph);
		if (rc != 0) {
			goto err_arr;
		}
		if (json_array_append_new(arr, json_pack("{s:s,s:i}", "kind", phase_kinds[ph.kind],
							 "ms", (json_int_t)ph.ms)) != 0) {
			rc = -ENOMEM;
			goto err_arr;
		}
	}
	*out = arr;
	return 0;

err_arr:
	json_decref(arr);
	return rc;
}

/* ---- params ---- */

struct params_state {
	const struct work_type *type;
	json_t *obj;
};

static int param_pair(struct ktstr_pctx *c, yaml_node_t *key, yaml_node_t *val, void *arg)
{
	struct params_state *st = arg;
	const char *name = (const char *)key->data.scalar.value;
	const char *const *valid = st->type->params;
	size_t n = 0, i = 0;
	json_t *v = NULL;
	uint32_t u;
	int rc;

	while (valid[n] != NULL) {
		n++;
	}
	while (i < n && strcmp(valid[i], name) != 0) {
		i++;
	}
	if (i == n && n == 0) {
		return ktstr_pctx__error(c, key, "params: %s takes no params, got \"%s\"",
					 st->type->name, name);
	}
	if (i == n) {
		const char *hint = ktstr_suggest__closest(name, valid, n);
		char list[256];

		ktstr_pctx__join(list, sizeof(list), valid, n);
		return ktstr_pctx__error(
		    c, key, "params: %s has no param \"%s\"%s%s%s; valid: %s", st->type->name, name,
		    hint != NULL ? " (did you mean \"" : "", hint != NULL ? hint : "",
		    hint != NULL ? "\"?)" : "", list);
	}
	if (strcmp(name, "phases") == 0) {
		rc = phases(c, val, &v);
	} else {
		/* a sleep may be zero; every size, count and iteration number is at least 1 */
		uint32_t min = strncmp(name, "sleep_", 6) == 0 ? 0 : 1;

		rc = ktstr_pctx__u32(c, val, name, min, &u);
		v = rc == 0 ? json_integer(u) : NULL;
		rc = rc == 0 && v == NULL ? -ENOMEM : rc;
	}
	if (rc != 0) {
		return rc;
	}
	return json_object_set_new(st->obj, name, v) == 0 ? 0 : -ENOMEM;
}

/* ---- policy, affinity, mem_policy ---- */

static const char *const policy_kinds[] = {"normal", "batch", "idle", "fifo", "rr"};
static const char *const affinity_kinds[] = {"inherit",	     "random_subset", "llc_aligned",
					     "cross_cgroup", "single_cpu",    "exact"};
static const char *const mem_kinds[] = {
    "default", "bind", "preferred", "interleave", "local", "preferred_many", "weighted_interleave"};
static const char *const mem_flags[] = {"static_nodes", "relative_nodes", "numa_balancing"};

#define POLICY_FIFO 3
#define AFFINITY_EXACT 5
#define MEM_DEFAULT 0
#define MEM_PREFERRED 2
#define MEM_LOCAL 4

struct kind_state {
	const char *what;
	const char *const *extra;
	size_t nextra;
	yaml_node_t *kind;
	yaml_node_t **vals;
};

static int kind_pair(struct ktstr_pctx *c, yaml_node_t *key, yaml_node_t *val, void *arg)
{
	struct kind_state *st = arg;
	const char *k = (const char *)key->data.scalar.value;
	char valid[128] = "kind";

	if (strcmp(k, "kind") == 0) {
		st->kind = val;
		return 0;
	}
	for (size_t i = 0; i < st->nextra; i++) {
		if (strcmp(st->extra[i], k) == 0) {
			st->vals[i] = val;
			return 0;
		}
	}
	for (size_t i = 0; i < st->nextra; i++) {
		strcat(valid, ", ");
		strcat(valid, st->extra[i]);
	}
	return ktstr_pctx__error(c, key, "unknown key \"%s\" in %s; valid keys: %s", k, st->what,
				 valid);
}

/*
 * A "kind" scalar or a {kind, ...} mapping: *kind is the kind's node, vals[i]
 * the node of key extra[i] (left NULL when absent).
 */
static int kind_form(struct ktstr_pctx *c, yaml_node_t *n, const char *what, yaml_node_t **kind,
		     const char *const *extra, size_t nextra, yaml_node_t **vals)
{
	struct kind_state st = {.what = what, .extra = extra, .nextra = nextra, .vals = vals};
	int rc;

	if (ktstr_pctx__is_scalar(n)) {
		*kind = n;
		return 0;
	}
	if (n == NULL || n->type != YAML_MAPPING_NODE) {
		return ktstr_pctx__error(c, n,
					 "%s: expected a kind or a mapping {kind, ...}, got %s",
					 what, ktstr_pctx__kind(n));
	}
	rc = ktstr_pctx__each_pair(c, n, what, kind_pair, &st);
	if (rc == 0 && st.kind == NULL) {
		return ktstr_pctx__error(c, n, "%s is missing the required key \"kind\"", what);
	}
	*kind = st.kind;
	return rc;
}

static int policy(struct ktstr_pctx *c, yaml_node_t *n, json_t **out)
{
	static const char *const extra[] = {"priority"};
	yaml_node_t *kind, *vals[1] = {NULL};
	uint32_t prio = 0;
	size_t k;
	int rc = kind_form(c, n, "policy", &kind, extra, 1, vals);

	rc = rc != 0 ? rc : ktstr_scen__kind(c, kind, "policy", policy_kinds, 5, &k);
	if (rc != 0) {
		return rc;
	}
	if (k >= POLICY_FIFO) {
		prio = 1;
		rc = vals[0] != NULL ? ktstr_pctx__u32(c, vals[0], "priority", 1, &prio) : 0;
		if (rc == 0 && prio > 99) {
			rc = ktstr_pctx__error(c, vals[0],
					       "priority: a real-time priority is 1..99, "
					       "got %u",
					       prio);
		}
	} else if (vals[0] != NULL) {
		rc = ktstr_pctx__error(c, vals[0], "priority: only fifo and rr take a priority");
	}
	if (rc != 0) {
		return rc;
	}
	*out = json_pack("{s:s,s:i}", "kind", policy_kinds[k], "priority", (json_int_t)prio);
	return *out != NULL ? 0 : -ENOMEM;
}

int ktstr_scen__affinity(struct ktstr_pctx *c, yaml_node_t *n, json_t **out)
{
	static const char *const extra[] = {"cpus"};
	yaml_node_t *kind, *vals[1] = {NULL};
	json_t *cpus = NULL;
	size_t k;
	int rc = kind_form(c, n, "affinity", &kind, extra, 1, vals);

	rc = rc != 0 ? rc : ktstr_scen__kind(c, kind, "affinity", affinity_kinds, 6, &k);
	if (rc != 0) {
		return rc;
	}
	if (k == AFFINITY_EXACT && vals[0] == NULL) {
		return ktstr_pctx__error(c, n, "affinity exact needs cpus: [...]");
	}
	if (k != AFFINITY_EXACT && vals[0] != NULL) {
		return ktstr_pctx__error(c, vals[0], "cpus: only affinity exact takes cpus");
	}
	rc = vals[0] != NULL ? ktstr_scen__id_list(c, vals[0], "cpus", &cpus) : 0;
	if (rc != 0) {
		return rc;
	}
	*out = json_pack("{s:s,s:o}", "kind", affinity_kinds[k], "cpus",
			 cpus != NULL ? cpus : json_array());
	return *out != NULL ? 0 : -ENOMEM;
}

static int mem_policy(struct ktstr_pctx *c, yaml_node_t *n, json_t **out)
{
	static const char *const extra[] = {"nodes", "flags"};
	yaml_node_t *kind, *vals[2] = {NULL, NULL};
	json_t *nodes = NULL, *flags;
	size_t k, f;
	int rc = kind_form(c, n, "mem_policy", &kind, extra, 2, vals);

	rc = rc != 0 ? rc : ktstr_scen__kind(c, kind, "mem_policy", mem_kinds, 7, &k);
	if (rc != 0) {
		return rc;
	}
	if ((k == MEM_DEFAULT || k == MEM_LOCAL) && vals[0] != NULL) {
		return ktstr_pctx__error(c, vals[0], "nodes: mem_policy %s takes no nodes",
					 mem_kinds[k]);
	}
	if (k != MEM_DEFAULT && k != MEM_LOCAL && vals[0] == NULL) {
		return ktstr_pctx__error(c, n, "mem_policy %s needs nodes: [...]", mem_kinds[k]);
	}
	rc = vals[0] != NULL ? ktstr_scen__id_list(c, vals[0], "nodes", &nodes) : 0;
	if (rc == 0 && k == MEM_PREFERRED && json_array_size(nodes) != 1) {
		rc = ktstr_pctx__error(c, vals[0], "nodes: mem_policy preferred takes one node");
	}
	flags = json_array();
	if (rc == 0 && flags == NULL) {
		rc = -ENOMEM;
	}
	if (rc == 0 && vals[1] != NULL) {
		yaml_node_item_t *items;
		size_t len;

		rc = ktstr_pctx__seq(c, vals[1], "flags", "a list of flags", &items, &len);
		for (size_t i = 0; rc == 0 && i < len; i++) {
			rc = ktstr_scen__kind(c, ktstr_pctx__node(c, items[i]), "mem_policy flag",
					      mem_flags, 3, &f);
			rc = rc != 0 ? rc : json_array_append_new(flags, json_string(mem_flags[f]));
		}
	}
	if (rc != 0) {
		json_decref(nodes);
		json_decref(flags);
		return rc;
	}
	*out = json_pack("{s:s,s:o,s:o}", "kind", mem_kinds[k], "nodes",
			 nodes != NULL ? nodes : json_array(), "flags", flags);
	return *out != NULL ? 0 : -ENOMEM;
}

/* ---- the work mapping ---- */

struct work_nodes {
	yaml_node_t *type, *workers, *params, *policy, *affinity, *mem_policy, *payload;
};

static int node_at(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	*(yaml_node_t **)((char *)obj + k->off) = val;
	return 0;
}

/* clang-format off */
static const struct ktstr_pkey work_keys[] = {
	{ "type", node_at, offsetof(struct work_nodes, type), 0, true },
	{ "workers", node_at, offsetof(struct work_nodes, workers), 0, false },
	{ "params", node_at, offsetof(struct work_nodes, params), 0, false },
	{ "policy", node_at, offsetof(struct work_nodes, policy), 0, false },
	{ "affinity", node_at, offsetof(struct work_nodes, affinity), 0, false },
	{ "mem_policy", node_at, offsetof(struct work_nodes, mem_policy), 0, false },
	{ "payload", node_at, offsetof(struct work_nodes, payload), 0, false },
};
/* clang-format on */

struct payload {
	char *path;
	char **args;
	size_t nargs;
};

static const struct ktstr_pkey payload_keys[] = {
    {"path", ktstr_pkey__strdup, offsetof(struct payload, path), 0, true},
    {"args", ktstr_pkey__strv, offsetof(struct payload, args), offsetof(struct payload, nargs),
     false},
};

static int payload(struct ktstr_pctx *c, yaml_node_t *n, json_t **out)
{
	struct payload pl = {0};
	json_t *args = json_array();
	int rc = args != NULL ? 0 : -ENOMEM;

	rc = rc != 0 ? rc : ktstr_pctx__walk(c, n, "payload", payload_keys, 2, &pl);
	if (rc == 0 && pl.path[0] != '/') {
		rc = ktstr_pctx__error(c, n,
				       "payload path \"%s\": give the absolute path the "
				       "guest runs (/payload/NAME)",
				       pl.path);
	}
	for (size_t i = 0; rc == 0 && i < pl.nargs; i++) {
		rc = json_array_append_new(args, json_string(pl.args[i])) == 0 ? 0 : -ENOMEM;
	}
	if (rc == 0) {
		*out = json_pack("{s:s,s:O}", "path", pl.path, "args", args);
		rc = *out != NULL ? 0 : -ENOMEM;
	}
	json_decref(args);
	free(pl.path);
	for (size_t i = 0; i < pl.nargs; i++) {
		free(pl.args[i]);
	}
	free(pl.args);
	return rc;
}

static int work_type(struct ktstr_pctx *c, yaml_node_t *n, const struct work_type **out)
{
	const char *names[NTYPES];
	size_t k;
	int rc;

	for (size_t i = 0; i < NTYPES; i++) {
		names[i] = types[i].name;
	}
	rc = ktstr_scen__kind(c, n, "work type", names, NTYPES, &k);
	if (rc == 0) {
		*out = &types[k];
	}
	return rc;
}

/* obj[name] = v when rc is 0 (v NULL: out of memory); v is dropped otherwise. */
static int member(json_t *obj, const char *name, int rc, json_t *v)
{
	if (rc != 0) {
		json_decref(v);
		return rc;
	}
	return v != NULL && json_object_set_new(obj, name, v) == 0 ? 0 : -ENOMEM;
}

static int workers(struct ktstr_pctx *c, const struct work_nodes *w, const struct work_type *t,
		   const json_t *params, json_t **out)
{
	uint32_t n, group;
	int rc;

	if (w->workers == NULL || ktstr_pctx__is_null(w->workers)) {
		*out = json_null();
		return 0;
	}
	rc = ktstr_pctx__u32(c, w->workers, "workers", 1, &n);
	if (rc != 0) {
		return rc;
	}
	group = ktstr_work__group_size(t->name, params);
	if (n % group != 0) {
		return ktstr_pctx__error(c, w->workers,
					 "workers: %s runs in groups of %u; %u is not a multiple "
					 "of %u",
					 t->name, group, n, group);
	}
	*out = json_integer(n);
	return 0;
}

static int work_fields(struct ktstr_pctx *c, const struct work_nodes *w, const struct work_type *t,
		       json_t *obj)
{
	struct params_state ps = {.type = t, .obj = json_object()};
	bool is_payload = strcmp(t->name, "payload") == 0;
	json_t *v = NULL;
	int rc = 0;

	if (w->params != NULL && !ktstr_pctx__is_null(w->params)) {
		rc = ps.obj != NULL ? ktstr_pctx__each_pair(c, w->params, "params", param_pair, &ps)
				    : -ENOMEM;
	}
	rc = member(obj, "params", rc, ps.obj);
	rc = rc != 0 ? rc : workers(c, w, t, ps.obj, &v);
	rc = member(obj, "workers", rc, v);
	v = NULL;
	if (rc == 0 && w->policy != NULL) {
		rc = policy(c, w->policy, &v);
	} else if (rc == 0) {
		v = json_pack("{s:s,s:i}", "kind", "normal", "priority", 0);
	}
	rc = member(obj, "policy", rc, v);
	v = NULL;
	if (rc == 0 && w->affinity != NULL) {
		rc = ktstr_scen__affinity(c, w->affinity, &v);
	} else if (rc == 0) {
		v = json_pack("{s:s,s:[]}", "kind", "inherit", "cpus");
	}
	rc = member(obj, "affinity", rc, v);
	v = NULL;
	if (rc == 0 && w->mem_policy != NULL) {
		rc = mem_policy(c, w->mem_policy, &v);
	} else if (rc == 0) {
		v = json_pack("{s:s,s:[],s:[]}", "kind", "default", "nodes", "flags");
	}
	rc = member(obj, "mem_policy", rc, v);
	if (rc == 0 && is_payload != (w->payload != NULL)) {
		return ktstr_pctx__error(c, w->payload != NULL ? w->payload : w->type,
					 w->payload != NULL
					     ? "payload: only work type payload takes one"
					     : "work type payload needs payload: {path, args}");
	}
	if (rc == 0 && w->payload != NULL) {
		v = NULL;
		rc = payload(c, w->payload, &v);
		rc = member(obj, "payload", rc, v);
	}
	return rc;
}

int ktstr_scen__work(struct ktstr_pctx *c, yaml_node_t *n, json_t **out)
{
	struct work_nodes w = {0};
	const struct work_type *t;
	json_t *obj;
	int rc;

	if (ktstr_pctx__is_scalar(n)) {
		w.type = n;
	} else if (n == NULL || n->type != YAML_MAPPING_NODE) {
		return ktstr_pctx__error(c, n,
					 "work: expected a work type or a mapping {type, "
					 "workers, params, ...}, got %s",
					 ktstr_pctx__kind(n));
	} else {
		rc = ktstr_pctx__walk(c, n, "work", work_keys,
				      sizeof(work_keys) / sizeof(work_keys[0]), &w);
		if (rc != 0) {
			return rc;
		}
	}
	rc = work_type(c, w.type, &t);
	if (rc != 0) {
		return rc;
	}
	obj = json_pack("{s:s}", "type", t->name);
	if (obj == NULL) {
		return -ENOMEM;
	}
	rc = work_fields(c, &w, t, obj);
	if (rc != 0) {
		json_decref(obj);
		return rc;
	}
	*out = obj;
	return 0;
}
