/* The top level of a profile: libyaml in, struct ktstr_profile out (docs/profile.md). */
#include "profile.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsutil.h"
#include "profile_internal.h"
#include "scenario.h"
#include "scenario_internal.h"

#define KTSTR_PROFILE_VERSION 1
#define KTSTR_DEFAULT_DURATION_MS 2000
#define KTSTR_DEFAULT_WORKERS 2

static int version(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	uint32_t v;
	int rc = ktstr_pctx__u32(c, val, k->name, 0, &v);

	if (rc != 0) {
		return rc;
	}
	if (v != KTSTR_PROFILE_VERSION) {
		return ktstr_pctx__error(
		    c, val, "unsupported profile version %u; this ktstr reads version %d", v,
		    KTSTR_PROFILE_VERSION);
	}
	return 0;
}

static int kernels(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	struct ktstr_profile *p = obj;
	yaml_node_item_t *items;
	int rc = ktstr_pkey__strv(c, k, val, obj);

	if (rc != 0 || p->nkernels == 0) {
		return rc;
	}
	items = val->data.sequence.items.start;
	for (size_t i = 0; i < p->nkernels; i++) {
		yaml_node_t *item = ktstr_pctx__node(c, items[i]);

		if (p->kernels[i][0] == '\0') {
			return ktstr_pctx__error(
			    c, item,
			    "kernels: expected a version, path or other kernel "
			    "identifier, got \"\"");
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(p->kernels[j], p->kernels[i]) == 0) {
				return ktstr_pctx__dup_error(c, item, "kernel", p->kernels[i],
							     ktstr_pctx__node(c, items[j]));
			}
		}
	}
	return 0;
}

static int budget(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	struct ktstr_profile *p = obj;
	uint32_t ms;
	int rc = ktstr_pctx__duration_ms(c, val, k->name, &ms);

	if (rc != 0) {
		return rc;
	}
	if (ms < 1000) {
		return ktstr_pctx__error(c, val, "budget: must be at least 1s");
	}
	p->budget_s = ms / 1000;
	return 0;
}

static int output(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	struct ktstr_profile *p = obj;
	int rc = ktstr_pctx__strdup(c, val, k->name, &p->output_dir);

	if (rc == 0 && p->output_dir[0] == '\0') {
		return ktstr_pctx__error(c, val, "output: expected a directory, got \"\"");
	}
	return rc;
}

/* clang-format off */
static const struct ktstr_pkey defaults_keys[] = {
	{ "duration", ktstr_pkey__duration, offsetof(struct ktstr_profile_defaults, duration_ms), 0,
	  false },
	{ "workers_per_cgroup", ktstr_pkey__u32,
	  offsetof(struct ktstr_profile_defaults, workers_per_cgroup), 0, false },
	{ "memory_mb", ktstr_pkey__u32, offsetof(struct ktstr_profile_defaults, memory_mb), 0,
	  false },
	{ "timeout", ktstr_pkey__duration, offsetof(struct ktstr_profile_defaults, timeout_ms), 0,
	  false },
};
/* clang-format on */

static int defaults(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	struct ktstr_profile *p = obj;

	if (ktstr_pctx__is_null(val)) {
		return 0;
	}
	return ktstr_pctx__walk(c, val, k->name, defaults_keys,
				sizeof(defaults_keys) / sizeof(defaults_keys[0]), &p->defaults);
}

/* Read by find_scenario_dirs before the walk. */
static int scenario_dirs_again(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
			       void *obj)
{
	return 0;
}

/* clang-format off */
static const struct ktstr_pkey top_keys[] = {
	{ "version", version, 0, 0, false },
	{ "kernels", kernels, offsetof(struct ktstr_profile, kernels),
	  offsetof(struct ktstr_profile, nkernels), false },
	{ "topologies", ktstr_profile__parse_topos, 0, 0, true },
	{ "schedulers", ktstr_profile__parse_scheds, 0, 0, false },
	{ "flags", ktstr_profile__parse_flagsets, 0, 0, false },
	{ "scenarios", ktstr_profile__parse_scenarios, 0, 0, true },
	{ "defaults", defaults, 0, 0, false },
	{ "include", ktstr_pkey__strv, offsetof(struct ktstr_profile, include),
	  offsetof(struct ktstr_profile, ninclude), false },
	{ "exclude", ktstr_pkey__strv, offsetof(struct ktstr_profile, exclude),
	  offsetof(struct ktstr_profile, nexclude), false },
	{ "budget", budget, 0, 0, false },
	{ "output", output, 0, 0, false },
	{ "plugins", ktstr_profile__parse_plugins, 0, 0, false },
	{ "checks", ktstr_pkey__checks, offsetof(struct ktstr_profile, checks), 0, false },
	{ "scenario_dirs", scenario_dirs_again, 0, 0, false },
};
/* clang-format on */

static int default_scheds(struct ktstr_profile *p)
{
	p->scheds = calloc(1, sizeof(*p->scheds));
	if (p->scheds == NULL) {
		return -ENOMEM;
	}
	p->nscheds = 1;
	p->scheds[0].name = strdup("eevdf");
	p->scheds[0].args = calloc(1, sizeof(char *));
	return p->scheds[0].name != NULL && p->scheds[0].args != NULL ? 0 : -ENOMEM;
}

/* Fill in what the file left out, so consumers see effective values. */
static int apply_defaults(struct ktstr_profile *p)
{
	struct ktstr_profile_defaults *d = &p->defaults;

	d->duration_ms = d->duration_ms != 0 ? d->duration_ms : KTSTR_DEFAULT_DURATION_MS;
	d->workers_per_cgroup =
	    d->workers_per_cgroup != 0 ? d->workers_per_cgroup : KTSTR_DEFAULT_WORKERS;
	for (size_t i = 0; i < p->nscenarios; i++) {
		struct ktstr_scenario_entry *s = &p->scenarios[i];

		s->duration_ms = s->duration_ms != 0 ? s->duration_ms : d->duration_ms;
		s->workers_per_cgroup =
		    s->workers_per_cgroup != 0 ? s->workers_per_cgroup : d->workers_per_cgroup;
	}
	if (p->scheds == NULL) {
		int rc = default_scheds(p);

		if (rc != 0) {
			return rc;
		}
	}
	return ktstr_profile__default_plugins(p);
}

static int yaml_error(struct ktstr_pctx *c, const yaml_parser_t *y, const char *text, size_t len)
{
	unsigned line = (unsigned)y->problem_mark.line + 1;
	unsigned col = (unsigned)y->problem_mark.column + 1;

	if (y->error == YAML_MEMORY_ERROR) {
		return -ENOMEM;
	}
	/* A reader error (bad encoding) has only a byte offset: the reader runs ahead of the
	 * scanner, so no mark points at the bad byte. */
	if (y->error == YAML_READER_ERROR) {
		line = 1;
		col = 1;
		for (size_t i = 0; i < y->problem_offset && i < len; i++) {
			col = text[i] == '\n' ? 1 : col + 1;
			line += text[i] == '\n' ? 1 : 0;
		}
	}
	snprintf(c->err, c->errlen, "%s:%u:%u: invalid YAML: %s%s%s%s", c->file, line, col,
		 y->problem != NULL ? y->problem : "syntax error", y->context != NULL ? " (" : "",
		 y->context != NULL ? y->context : "", y->context != NULL ? ")" : "");
	return -EINVAL;
}

int ktstr_pctx__load(struct ktstr_pctx *c, yaml_parser_t *y, const char *text, size_t len,
		     const char *what, yaml_document_t *doc)
{
	yaml_document_t extra;
	yaml_node_t *root;
	int rc = 0;

	if (!yaml_parser_load(y, doc)) {
		return yaml_error(c, y, text, len);
	}
	if (!yaml_parser_load(y, &extra)) {
		rc = yaml_error(c, y, text, len);
		goto err_doc;
	}
	root = yaml_document_get_root_node(&extra);
	if (root != NULL) {
		rc = ktstr_pctx__error(c, root,
				       "a %s is a single YAML document; remove this second one "
				       "(or the \"---\" before it)",
				       what);
	}
	yaml_document_delete(&extra);
	if (rc != 0) {
		goto err_doc;
	}
	return 0;

err_doc:
	yaml_document_delete(doc);
	return rc;
}

/* The value of top-level key @p name, or NULL. */
static yaml_node_t *top_value(struct ktstr_pctx *c, yaml_node_t *root, const char *name)
{
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *key = ktstr_pctx__node(c, p->key);

		if (ktstr_pctx__is_scalar(key) &&
		    strcmp((const char *)key->data.scalar.value, name) == 0) {
			return ktstr_pctx__node(c, p->value);
		}
	}
	return NULL;
}

static int parse_root(struct ktstr_pctx *c, struct ktstr_profile *p)
{
	yaml_node_t *root = yaml_document_get_root_node(c->doc), *dirs;
	static const struct ktstr_pkey dirs_key = {"scenario_dirs", NULL, 0, 0, false};
	int rc;

	if (root == NULL || ktstr_pctx__is_null(root)) {
		return ktstr_pctx__error(c, root,
					 "the profile is empty; it needs at least topologies: and "
					 "scenarios: (see docs/profile.md)");
	}
	if (root->type != YAML_MAPPING_NODE) {
		return ktstr_pctx__error(
		    c, root,
		    "expected the profile to be a mapping of keys (topologies:, "
		    "scenarios:, ...), got %s",
		    ktstr_pctx__kind(root));
	}
	/* scenarios are looked up in scenario_dirs, wherever the key is written */
	dirs = top_value(c, root, dirs_key.name);
	if (dirs != NULL) {
		rc = ktstr_profile__parse_scenario_dirs(c, &dirs_key, dirs, p);
		if (rc != 0) {
			return rc;
		}
	}
	return ktstr_pctx__walk(c, root, NULL, top_keys, sizeof(top_keys) / sizeof(top_keys[0]), p);
}

int ktstr_profile__parse(const char *name, const char *text, size_t len, struct ktstr_profile **out,
			 char *err, size_t errlen)
{
	struct ktstr_pctx c = {.file = name, .err = err, .errlen = errlen};
	struct ktstr_profile *p;
	yaml_parser_t y;
	yaml_document_t doc;
	int rc;

	if (errlen > 0) {
		err[0] = '\0';
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL) {
		return -ENOMEM;
	}
	p->path = strdup(name);
	if (p->path == NULL || !yaml_parser_initialize(&y)) {
		rc = -ENOMEM;
		goto err_p;
	}
	yaml_parser_set_input_string(&y, (const unsigned char *)text, len);
	rc = ktstr_pctx__load(&c, &y, text, len, "profile", &doc);
	if (rc != 0) {
		goto err_parser;
	}
	c.doc = &doc;
	rc = parse_root(&c, p);
	if (rc == 0) {
		rc = apply_defaults(p);
	}
	if (rc == 0) {
		rc = ktstr_profile__check_scenarios(
		    &c, top_value(&c, yaml_document_get_root_node(&doc), "scenarios"), p);
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&y);
	free(c.base_dir);
	if (rc != 0) {
		goto err_p;
	}
	*out = p;
	return 0;

err_parser:
	yaml_parser_delete(&y);
err_p:
	if (rc == -ENOMEM) {
		snprintf(err, errlen, "%s: out of memory while reading the profile", name);
	}
	ktstr_profile__free(p);
	return rc;
}

int ktstr_profile__load(const char *path, struct ktstr_profile **out, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	rc = ktstr_fs__read_file(path, &text, &len);
	if (rc != 0) {
		snprintf(err, errlen, "%s: cannot read the profile: %s", path, strerror(-rc));
		return rc;
	}
	rc = ktstr_profile__parse(path, text, len, out, err, errlen);
	free(text);
	return rc;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i]);
	}
	free(v);
}

void ktstr_profile__free(struct ktstr_profile *p)
{
	if (p == NULL) {
		return;
	}
	free(p->path);
	strv_free(p->kernels, p->nkernels);
	for (size_t i = 0; i < p->ntopos; i++) {
		free(p->topos[i].label);
	}
	free(p->topos);
	for (size_t i = 0; i < p->nscheds; i++) {
		free(p->scheds[i].name);
		free(p->scheds[i].path);
		strv_free(p->scheds[i].args, p->scheds[i].nargs);
		json_decref(p->scheds[i].checks);
	}
	free(p->scheds);
	for (size_t i = 0; i < p->nflagsets; i++) {
		free(p->flagsets[i].name);
		strv_free(p->flagsets[i].args, p->flagsets[i].nargs);
	}
	free(p->flagsets);
	for (size_t i = 0; i < p->nscenarios; i++) {
		free(p->scenarios[i].name);
		ktstr_scenario__free(p->scenarios[i].def);
		json_decref(p->scenarios[i].checks);
	}
	free(p->scenarios);
	strv_free(p->include, p->ninclude);
	strv_free(p->exclude, p->nexclude);
	free(p->output_dir);
	for (size_t i = 0; i < p->nkernel_sources; i++) {
		ktstr_plugin_use__release(&p->kernel_sources[i]);
	}
	free(p->kernel_sources);
	ktstr_plugin_use__release(&p->planner);
	ktstr_plugin_use__release(&p->vm);
	for (size_t i = 0; i < p->nsinks; i++) {
		ktstr_plugin_use__release(&p->sinks[i]);
	}
	free(p->sinks);
	json_decref(p->checks);
	strv_free(p->scenario_dirs, p->nscenario_dirs);
	free(p);
}
