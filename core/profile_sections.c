/* The list sections of a profile: topologies, schedulers, flag sets (scenarios: see
 * profile_scenarios.c). */
#include "paths.h"
#include "profile_internal.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "scenario_internal.h"
#include "suggest.h"
#include "topo.h"

#define KTSTR_BASELINE_SCHED "eevdf"
/* The project's own sched_ext test scheduler (guest/sched), built beside ktstr-init. */
#define KTSTR_BUILTIN_SCHED "ktstr"
#define KTSTR_BUILTIN_SCHED_BIN "ktstr-sched"

static const char *entry_name(const struct ktstr_entry_list *l, const void *arr, size_t i)
{
	return *(char *const *)((const char *)arr + i * l->size + l->name_off);
}

/*
 * Parse a non-empty list into a zeroed array. *arr and *n are set before the
 * first item so that the profile frees a partly read list like a full one.
 */
int ktstr_pctx__list(struct ktstr_pctx *c, yaml_node_t *val, const char *key,
		     const struct ktstr_entry_list *l, void **arr, size_t *n)
{
	yaml_node_item_t *items = NULL;
	size_t len = 0;
	int rc;

	rc = ktstr_pctx__seq(c, val, key, l->expect, &items, &len);
	if (rc != 0) {
		return rc;
	}
	if (len == 0) {
		return ktstr_pctx__error(c, val, "%s: the list is empty; give at least one %s", key,
					 l->what);
	}
	*arr = calloc(len, l->size);
	if (*arr == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *item = ktstr_pctx__node(c, items[i]);
		const char *name;

		*n = i + 1;
		rc = l->parse(c, item, (char *)*arr + i * l->size);
		if (rc != 0) {
			return rc;
		}
		name = entry_name(l, *arr, i);
		for (size_t j = 0; j < i; j++) {
			if (strcmp(entry_name(l, *arr, j), name) == 0) {
				return ktstr_pctx__dup_error(c, item, l->what, name,
							     ktstr_pctx__node(c, items[j]));
			}
		}
	}
	return 0;
}

static int empty_args(char ***args)
{
	if (*args == NULL) {
		*args = calloc(1, sizeof(**args));
	}
	return *args != NULL ? 0 : -ENOMEM;
}

/* ---- topologies ---- */

/* clang-format off */
static const struct ktstr_pkey topo_keys[] = {
	{ "numa", ktstr_pkey__u32, offsetof(struct ktstr_topo_entry, topo.numa_nodes), 0, false },
	{ "llcs", ktstr_pkey__u32, offsetof(struct ktstr_topo_entry, topo.llcs), 0, true },
	{ "cores", ktstr_pkey__u32, offsetof(struct ktstr_topo_entry, topo.cores), 0, true },
	{ "threads", ktstr_pkey__u32, offsetof(struct ktstr_topo_entry, topo.threads), 0, false },
	{ "memory_mb", ktstr_pkey__u32, offsetof(struct ktstr_topo_entry, memory_mb), 0, false },
};
/* clang-format on */

static int parse_topo_map(struct ktstr_pctx *c, yaml_node_t *n, struct ktstr_topo_entry *e)
{
	char label[64], why[160];
	int rc;

	rc = ktstr_pctx__walk(c, n, "topology", topo_keys, sizeof(topo_keys) / sizeof(topo_keys[0]),
			      e);
	if (rc != 0) {
		return rc;
	}
	/* numa and threads may be left out: one node, no SMT */
	e->topo.numa_nodes = e->topo.numa_nodes != 0 ? e->topo.numa_nodes : 1;
	e->topo.threads = e->topo.threads != 0 ? e->topo.threads : 1;
	ktstr_topo__name(&e->topo, label, sizeof(label));
	if (ktstr_topo__validate(&e->topo, why, sizeof(why)) != 0) {
		return ktstr_pctx__error(c, n, "topology %s: %s", label, why);
	}
	e->label = strdup(label);
	return e->label != NULL ? 0 : -ENOMEM;
}

static int parse_topo(struct ktstr_pctx *c, yaml_node_t *n, void *entry)
{
	struct ktstr_topo_entry *e = entry;
	const struct ktstr_topo_preset *preset;
	const char *s;
	char why[256];
	int rc;

	if (n->type == YAML_MAPPING_NODE) {
		return parse_topo_map(c, n, e);
	}
	if (!ktstr_pctx__is_scalar(n)) {
		return ktstr_pctx__error(c, n,
					 "topology: expected a name (1n2l4c1t, tiny-2llc) or a "
					 "mapping {numa, llcs, cores, threads, memory_mb}, got %s",
					 ktstr_pctx__kind(n));
	}
	rc = ktstr_pctx__str(c, n, "topology", &s);
	if (rc != 0) {
		return rc;
	}
	if (ktstr_topo__parse(s, &e->topo, why, sizeof(why)) != 0) {
		return ktstr_pctx__error(c, n, "%s", why);
	}
	preset = ktstr_topo__preset_find(s);
	e->memory_mb = preset != NULL ? preset->memory_mb : 0;
	e->label = strdup(s);
	return e->label != NULL ? 0 : -ENOMEM;
}

/* clang-format off */
static const struct ktstr_entry_list topo_list = {
	"topology", "a list of topologies", sizeof(struct ktstr_topo_entry),
	offsetof(struct ktstr_topo_entry, label), parse_topo,
};
/* clang-format on */

int ktstr_profile__parse_topos(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
			       void *obj)
{
	struct ktstr_profile *p = obj;
	void *arr = NULL;
	int rc = ktstr_pctx__list(c, val, k->name, &topo_list, &arr, &p->ntopos);

	p->topos = arr;
	return rc;
}

/* ---- schedulers ---- */

static int sched_path(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	struct ktstr_sched_entry *e = obj;
	const char *s;
	int rc = ktstr_pctx__str(c, val, k->name, &s);

	if (rc != 0) {
		return rc;
	}
	if (s[0] == '\0') {
		return ktstr_pctx__error(c, val, "path: expected the scheduler binary, got \"\"");
	}
	return ktstr_pctx__resolve_path(c, val, s, &e->path);
}

/* clang-format off */
static const struct ktstr_pkey sched_keys[] = {
	{ "name", ktstr_pkey__name, offsetof(struct ktstr_sched_entry, name), 0, false },
	{ "path", sched_path, 0, 0, false },
	{ "args", ktstr_pkey__strv, offsetof(struct ktstr_sched_entry, args),
	  offsetof(struct ktstr_sched_entry, nargs), false },
	{ "checks", ktstr_pkey__checks, offsetof(struct ktstr_sched_entry, checks), 0, false },
};
/* clang-format on */

/* name: basename of the resolved path, which must itself be a valid name. */
static int sched_name_from_path(struct ktstr_pctx *c, yaml_node_t *n, struct ktstr_sched_entry *e)
{
	const char *base = strrchr(e->path, '/') + 1;

	if (!ktstr_pctx__name_ok(base)) {
		return ktstr_pctx__error(
		    c, n,
		    "scheduler: cannot use \"%s\" (from the path) as its name; "
		    "add name: with letters, digits and . _ + -",
		    base);
	}
	e->name = strdup(base);
	return e->name != NULL ? 0 : -ENOMEM;
}

/* "ktstr" without a path: the built-in test scheduler from ktstr's guest dir. */
static int builtin_sched_path(struct ktstr_sched_entry *e)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", ktstr_paths__guest_dir(), KTSTR_BUILTIN_SCHED_BIN);
	e->path = strdup(path);
	return e->path != NULL ? 0 : -ENOMEM;
}

static int parse_sched_map(struct ktstr_pctx *c, yaml_node_t *n, struct ktstr_sched_entry *e)
{
	bool baseline;
	int rc;

	rc = ktstr_pctx__walk(c, n, "scheduler", sched_keys,
			      sizeof(sched_keys) / sizeof(sched_keys[0]), e);
	if (rc != 0) {
		return rc;
	}
	if (e->name == NULL && e->path == NULL) {
		return ktstr_pctx__error(c, n,
					 "scheduler: give path: (the scheduler binary), or name: "
					 "eevdf for the kernel's own scheduler");
	}
	if (e->name == NULL) {
		rc = sched_name_from_path(c, n, e);
		if (rc != 0) {
			return rc;
		}
	}
	baseline = strcmp(e->name, KTSTR_BASELINE_SCHED) == 0;
	if (baseline && e->path != NULL) {
		return ktstr_pctx__error(
		    c, n,
		    "scheduler: \"eevdf\" names the kernel's own scheduler and "
		    "takes no path; give your scheduler another name");
	}
	if (baseline && e->nargs > 0) {
		return ktstr_pctx__error(
		    c, n,
		    "scheduler: \"eevdf\" is the kernel's own scheduler and takes "
		    "no args");
	}
	if (!baseline && e->path == NULL && strcmp(e->name, KTSTR_BUILTIN_SCHED) == 0) {
		return builtin_sched_path(e);
	}
	if (!baseline && e->path == NULL) {
		return ktstr_pctx__error(
		    c, n,
		    "scheduler \"%s\" needs path: (its binary); only eevdf runs "
		    "without one",
		    e->name);
	}
	return 0;
}

static int parse_sched(struct ktstr_pctx *c, yaml_node_t *n, void *entry)
{
	struct ktstr_sched_entry *e = entry;
	const char *s;
	int rc;

	if (n->type == YAML_MAPPING_NODE) {
		rc = parse_sched_map(c, n, e);
	} else if (!ktstr_pctx__is_scalar(n)) {
		return ktstr_pctx__error(
		    c, n,
		    "scheduler: expected eevdf, a path to a binary, or a mapping "
		    "{name, path, args}, got %s",
		    ktstr_pctx__kind(n));
	} else {
		rc = ktstr_pctx__str(c, n, "scheduler", &s);
		if (rc != 0) {
			return rc;
		}
		if (strcmp(s, KTSTR_BASELINE_SCHED) == 0) {
			e->name = strdup(s);
			rc = e->name != NULL ? 0 : -ENOMEM;
		} else if (strcmp(s, KTSTR_BUILTIN_SCHED) == 0) {
			e->name = strdup(s);
			rc = e->name != NULL ? builtin_sched_path(e) : -ENOMEM;
		} else if (strchr(s, '/') != NULL) {
			rc = ktstr_pctx__resolve_path(c, n, s, &e->path);
			rc = rc != 0 ? rc : sched_name_from_path(c, n, e);
		} else {
			return ktstr_pctx__error(
			    c, n,
			    "scheduler \"%s\": write eevdf, ktstr (the built-in test "
			    "scheduler), a path to the binary (./%s), or a mapping {name, path, args}",
			    s, s);
		}
	}
	return rc != 0 ? rc : empty_args(&e->args);
}

/* clang-format off */
static const struct ktstr_entry_list sched_list = {
	"scheduler", "a list of schedulers", sizeof(struct ktstr_sched_entry),
	offsetof(struct ktstr_sched_entry, name), parse_sched,
};
/* clang-format on */

int ktstr_profile__parse_scheds(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
				void *obj)
{
	struct ktstr_profile *p = obj;
	void *arr = NULL;
	int rc;

	if (ktstr_pctx__is_null(val)) {
		return 0;
	}
	rc = ktstr_pctx__list(c, val, k->name, &sched_list, &arr, &p->nscheds);
	p->scheds = arr;
	return rc;
}

/* ---- flag sets ---- */

/* clang-format off */
static const struct ktstr_pkey flagset_keys[] = {
	{ "name", ktstr_pkey__name, offsetof(struct ktstr_flagset_entry, name), 0, true },
	{ "args", ktstr_pkey__strv, offsetof(struct ktstr_flagset_entry, args),
	  offsetof(struct ktstr_flagset_entry, nargs), false },
};
/* clang-format on */

static int parse_flagset(struct ktstr_pctx *c, yaml_node_t *n, void *entry)
{
	struct ktstr_flagset_entry *e = entry;
	int rc;

	if (n->type == YAML_MAPPING_NODE) {
		rc = ktstr_pctx__walk(c, n, "flag set", flagset_keys,
				      sizeof(flagset_keys) / sizeof(flagset_keys[0]), e);
	} else if (!ktstr_pctx__is_scalar(n)) {
		return ktstr_pctx__error(
		    c, n, "flag set: expected a name or a mapping {name, args}, got %s",
		    ktstr_pctx__kind(n));
	} else {
		rc = ktstr_pctx__name(c, n, "flag set", &e->name);
	}
	return rc != 0 ? rc : empty_args(&e->args);
}

/* clang-format off */
static const struct ktstr_entry_list flagset_list = {
	"flag set", "a list of flag sets", sizeof(struct ktstr_flagset_entry),
	offsetof(struct ktstr_flagset_entry, name), parse_flagset,
};
/* clang-format on */

int ktstr_profile__parse_flagsets(struct ktstr_pctx *c, const struct ktstr_pkey *k,
				  yaml_node_t *val, void *obj)
{
	struct ktstr_profile *p = obj;
	void *arr = NULL;
	int rc;

	if (ktstr_pctx__is_null(val)) {
		return 0;
	}
	rc = ktstr_pctx__list(c, val, k->name, &flagset_list, &arr, &p->nflagsets);
	p->flagsets = arr;
	return rc;
}
