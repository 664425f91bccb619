/*
 * Private to core/scenario*.c and core/profile*.c: the YAML readers of the
 * scenario schema, on the profile's node layer (profile_internal.h), so a
 * scenario inline in a profile and one in a catalog file read the same way.
 * Each reader returns 0 with a new JSON value in spec v2 shape, or -errno with
 * the message in the context.
 */
#ifndef KTSTR_CORE_SCENARIO_INTERNAL_H
#define KTSTR_CORE_SCENARIO_INTERNAL_H

#include <jansson.h>

#include "profile_internal.h"
#include "scenario.h"

/* Scalars */
/** @brief true/false (also yes/no, on/off). */
int ktstr_scen__bool(struct ktstr_pctx *c, yaml_node_t *n, const char *what, bool *out);
/** @brief A finite decimal number in [@p min, @p max]. */
int ktstr_scen__number(struct ktstr_pctx *c, yaml_node_t *n, const char *what, double min,
		       double max, double *out);
/** @brief A list of distinct integers >= 0 (CPUs or NUMA nodes), non-empty. */
int ktstr_scen__id_list(struct ktstr_pctx *c, yaml_node_t *n, const char *what, json_t **out);
/** @brief The one key of a single-key mapping (a "{llc: 0}" form), with its value. */
int ktstr_scen__single_key(struct ktstr_pctx *c, yaml_node_t *n, const char *what,
			   const char *const *kinds, size_t nkinds, size_t *kind,
			   yaml_node_t **val);
/** @brief A kind name out of @p kinds (error lists them, suggesting the closest). */
int ktstr_scen__kind(struct ktstr_pctx *c, yaml_node_t *n, const char *what,
		     const char *const *kinds, size_t nkinds, size_t *kind);

/* Schema pieces */
int ktstr_scen__work(struct ktstr_pctx *c, yaml_node_t *n, json_t **out);
int ktstr_scen__affinity(struct ktstr_pctx *c, yaml_node_t *n, json_t **out);
int ktstr_scen__cpuset(struct ktstr_pctx *c, yaml_node_t *n, json_t **out);
int ktstr_scen__hold(struct ktstr_pctx *c, yaml_node_t *n, json_t **out);
/** @brief A checks mapping: only the keys given, typed; null turns a check off. */
int ktstr_scen__checks(struct ktstr_pctx *c, yaml_node_t *n, json_t **out);
/** @brief Key handler: checks into the json_t * at k->off (a profile's, a scheduler's). */
int ktstr_pkey__checks(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
		       void *obj);

/*
 * The cgroups an op may name while reading in order: the backdrop's, those an
 * add_cgroup made (until a remove_cgroup), and the current step's own.
 */
struct ktstr_scen_scope {
	json_t *live; /* name -> origin: -1 the backdrop, else the step index */
	json_t *own;  /* the current step's cgroup defs (torn down at its end) */
	int step;     /* -1 while reading the backdrop */
};

/** @brief @p name is live, or a parent of a live nested cgroup ("a" for "a/b"). */
bool ktstr_scen_scope__has(const struct ktstr_scen_scope *sc, const char *name);
/** @brief The ops list of the backdrop or of a step, checked against and updating @p sc. */
int ktstr_scen__ops(struct ktstr_pctx *c, yaml_node_t *n, struct ktstr_scen_scope *sc,
		    json_t **out);
/** @brief A cgroup name: components of letters, digits, '_', '-', '.' joined by '/'. */
int ktstr_scen__cgroup_name(struct ktstr_pctx *c, yaml_node_t *n, const char *what,
			    const char **out);
/** @brief backdrop (may be NULL) and steps of a scenario into @p s. */
int ktstr_scen__phases(struct ktstr_pctx *c, yaml_node_t *map, yaml_node_t *backdrop,
		       yaml_node_t *steps, struct ktstr_scenario *s);

/**
 * @brief The body of a scenario mapping into @p s (name, description, requires,
 *        checks, backdrop, steps); @p extra (may be NULL) adds rows whose
 *        handlers get @p extra_obj (a profile entry's duration, workers_per_cgroup).
 */
int ktstr_scen__body(struct ktstr_pctx *c, yaml_node_t *map, struct ktstr_scenario *s,
		     const struct ktstr_pkey *extra, size_t nextra, void *extra_obj);

#endif
