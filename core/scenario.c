/* A scenario mapping (docs/scenarios.md): its keys, loading a file, and the spec v2 object. */
#include "scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "scenario_internal.h"

struct body {
	struct ktstr_scenario *s;
	yaml_node_t *backdrop, *steps;
	const struct ktstr_pkey *extra;
	size_t nextra;
	void *extra_obj;
};

static int name(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	return ktstr_pctx__name(c, val, "scenario name", &((struct body *)obj)->s->name);
}

static int description(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
		       void *obj)
{
	return ktstr_pctx__strdup(c, val, k->name, &((struct body *)obj)->s->description);
}

static int req_u32(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	return ktstr_pctx__u32(c, val, k->name, 1, (uint32_t *)((char *)obj + k->off));
}

static int req_smt(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	return ktstr_scen__bool(c, val, k->name, &((struct ktstr_scenario_requires *)obj)->smt);
}

/* clang-format off */
static const struct ktstr_pkey requires_keys[] = {
	{ "min_cpus", req_u32, offsetof(struct ktstr_scenario_requires, min_cpus), 0, false },
	{ "min_llcs", req_u32, offsetof(struct ktstr_scenario_requires, min_llcs), 0, false },
	{ "min_numa_nodes", req_u32, offsetof(struct ktstr_scenario_requires, min_numa_nodes), 0,
	  false },
	{ "min_cpus_per_llc", req_u32, offsetof(struct ktstr_scenario_requires, min_cpus_per_llc),
	  0, false },
	{ "smt", req_smt, 0, 0, false },
};
/* clang-format on */

static int requires(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	if (ktstr_pctx__is_null(val)) {
		return 0;
	}
	return ktstr_pctx__walk(c, val, "requires", requires_keys,
				sizeof(requires_keys) / sizeof(requires_keys[0]),
				&((struct body *)obj)->s->req);
}

static int checks(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	struct ktstr_scenario *s = ((struct body *)obj)->s;

	json_decref(s->checks);
	s->checks = NULL;
	return ktstr_scen__checks(c, val, &s->checks);
}

static int node_at(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	*(yaml_node_t **)((char *)obj + k->off) = val;
	return 0;
}

/* clang-format off */
static const struct ktstr_pkey body_keys[] = {
	{ "name", name, 0, 0, true },
	{ "description", description, 0, 0, false },
	{ "requires", requires, 0, 0, false },
	{ "checks", checks, 0, 0, false },
	{ "backdrop", node_at, offsetof(struct body, backdrop), 0, false },
	{ "steps", node_at, offsetof(struct body, steps), 0, false },
};
/* clang-format on */

#define NBODY (sizeof(body_keys) / sizeof(body_keys[0]))
#define MAX_EXTRA 8

/* An extra row runs its own handler on the caller's object. */
static int extra_key(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	const struct body *b = obj;
	const struct ktstr_pkey *row = &b->extra[k->off_n];

	return row->parse(c, row, val, b->extra_obj);
}

int ktstr_scen__body(struct ktstr_pctx *c, yaml_node_t *map, struct ktstr_scenario *s,
		     const struct ktstr_pkey *extra, size_t nextra, void *extra_obj)
{
	struct body b = {.s = s, .extra = extra, .nextra = nextra, .extra_obj = extra_obj};
	struct ktstr_pkey keys[NBODY + MAX_EXTRA];
	int rc;

	if (nextra > MAX_EXTRA) {
		return -E2BIG;
	}
	memcpy(keys, body_keys, sizeof(body_keys));
	for (size_t i = 0; i < nextra; i++) {
		/* off_n carries the row's index so extra_key finds the caller's row */
		keys[NBODY + i] =
		    (struct ktstr_pkey){extra[i].name, extra_key, 0, i, extra[i].required};
	}
	if (s->checks == NULL) {
		s->checks = json_object();
		if (s->checks == NULL) {
			return -ENOMEM;
		}
	}
	rc = ktstr_pctx__walk(c, map, "scenario", keys, NBODY + nextra, &b);
	if (rc != 0) {
		return rc;
	}
	return ktstr_scen__phases(c, map, b.backdrop, b.steps, s);
}

static int parse_root(struct ktstr_pctx *c, struct ktstr_scenario *s)
{
	yaml_node_t *root = yaml_document_get_root_node(c->doc);

	if (root == NULL || root->type != YAML_MAPPING_NODE) {
		return ktstr_pctx__error(c, root,
					 "expected the scenario to be a mapping of keys (name:, "
					 "steps:, ...), got %s",
					 root != NULL ? ktstr_pctx__kind(root) : "nothing");
	}
	return ktstr_scen__body(c, root, s, NULL, 0, NULL);
}

int ktstr_scenario__parse(const char *name, const char *text, size_t len,
			  struct ktstr_scenario **out, char *err, size_t errlen)
{
	struct ktstr_pctx c = {.file = name, .err = err, .errlen = errlen};
	struct ktstr_scenario *s;
	yaml_parser_t y;
	yaml_document_t doc;
	int rc;

	if (errlen > 0) {
		err[0] = '\0';
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL || !yaml_parser_initialize(&y)) {
		rc = -ENOMEM;
		goto err_s;
	}
	yaml_parser_set_input_string(&y, (const unsigned char *)text, len);
	rc = ktstr_pctx__load(&c, &y, text, len, "scenario", &doc);
	if (rc == 0) {
		c.doc = &doc;
		rc = parse_root(&c, s);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&y);
	free(c.base_dir);
	if (rc != 0) {
		goto err_s;
	}
	*out = s;
	return 0;

err_s:
	if (rc == -ENOMEM) {
		snprintf(err, errlen, "%s: out of memory while reading the scenario", name);
	}
	ktstr_scenario__free(s);
	return rc;
}

int ktstr_scenario__load(const char *path, struct ktstr_scenario **out, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc = ktstr_fs__read_file(path, &text, &len);

	if (rc != 0) {
		snprintf(err, errlen, "%s: cannot read the scenario: %s", path, strerror(-rc));
		return rc;
	}
	rc = ktstr_scenario__parse(path, text, len, out, err, errlen);
	free(text);
	return rc;
}

void ktstr_scenario__free(struct ktstr_scenario *s)
{
	if (s == NULL) {
		return;
	}
	free(s->name);
	free(s->description);
	json_decref(s->checks);
	json_decref(s->backdrop);
	json_decref(s->steps);
	free(s);
}

json_t *ktstr_scenario__spec(const struct ktstr_scenario *s)
{
	return json_pack("{s:s,s:O,s:O}", "name", s->name, "backdrop", s->backdrop, "steps",
			 s->steps);
}
