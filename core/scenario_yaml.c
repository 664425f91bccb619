/* Typed YAML scalars and kind selectors for the scenario schema. */
#include "scenario_internal.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"

int ktstr_scen__bool(struct ktstr_pctx *c, yaml_node_t *n, const char *what, bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "on"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "off"};
	const char *s;

	if (!ktstr_pctx__is_scalar(n) || ktstr_pctx__str(c, n, what, &s) != 0) {
		return ktstr_pctx__error(c, n, "%s: expected true or false, got %s", what,
					 ktstr_pctx__kind(n));
	}
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(s, yes[i]) == 0 || strcmp(s, no[i]) == 0) {
			*out = strcmp(s, yes[i]) == 0;
			return 0;
		}
	}
	return ktstr_pctx__error(c, n, "%s: expected true or false, got \"%s\"", what, s);
}

int ktstr_scen__number(struct ktstr_pctx *c, yaml_node_t *n, const char *what, double min,
		       double max, double *out)
{
	const char *s;
	char *end;
	double v;

	if (!ktstr_pctx__is_scalar(n) || ktstr_pctx__str(c, n, what, &s) != 0) {
		return ktstr_pctx__error(c, n, "%s: expected a number, got %s", what,
					 ktstr_pctx__kind(n));
	}
	errno = 0;
	v = strtod(s, &end);
	/* strtod also takes "inf", "nan" and hex floats; a plain decimal is what YAML means */
	if (end == s || *end != '\0' || errno != 0 || !isfinite(v) ||
	    strpbrk(s, "xXnNiI") != NULL) {
		return ktstr_pctx__error(c, n, "%s: expected a number, got \"%s\"", what, s);
	}
	if (v < min && max == DBL_MAX) {
		return ktstr_pctx__error(c, n, "%s: must be at least %g, got %s", what, min, s);
	}
	if (v < min || v > max) {
		return ktstr_pctx__error(c, n, "%s: %s is out of range [%g, %g]", what, s, min,
					 max);
	}
	*out = v;
	return 0;
}

int ktstr_scen__id_list(struct ktstr_pctx *c, yaml_node_t *n, const char *what, json_t **out)
{
	yaml_node_item_t *items;
	size_t len;
	json_t *arr;
	int rc = ktstr_pctx__seq(c, n, what, "a list of integers", &items, &len);

	if (rc != 0) {
		return rc;
	}
	if (len == 0) {
		return ktstr_pctx__error(c, n, "%s: the list is empty; give at least one", what);
	}
	arr = json_array();
	if (arr == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < len; i++) {
		yaml_node_t *item = ktstr_pctx__node(c, items[i]);
		uint32_t v;

		rc = ktstr_pctx__u32(c, item, what, 0, &v);
		if (rc != 0) {
			goto err_arr;
		}
		for (size_t j = 0; j < i; j++) {
			if (json_integer_value(json_array_get(arr, j)) == v) {
				rc = ktstr_pctx__error(c, item, "%s: %u is listed twice", what, v);
				goto err_arr;
			}
		}
		if (json_array_append_new(arr, json_integer(v)) != 0) {
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

static int unknown_kind(struct ktstr_pctx *c, yaml_node_t *n, const char *what, const char *s,
			const char *const *kinds, size_t nkinds)
{
	const char *hint = ktstr_suggest__closest(s, kinds, nkinds);
	char valid[512];

	if (hint != NULL) {
		return ktstr_pctx__error(c, n, "unknown %s \"%s\" (did you mean \"%s\"?)", what, s,
					 hint);
	}
	ktstr_pctx__join(valid, sizeof(valid), kinds, nkinds);
	return ktstr_pctx__error(c, n, "unknown %s \"%s\"; valid: %s", what, s, valid);
}

int ktstr_scen__kind(struct ktstr_pctx *c, yaml_node_t *n, const char *what,
		     const char *const *kinds, size_t nkinds, size_t *kind)
{
	const char *s;
	int rc = ktstr_pctx__str(c, n, what, &s);

	if (rc != 0) {
		return rc;
	}
	for (size_t i = 0; i < nkinds; i++) {
		if (strcmp(s, kinds[i]) == 0) {
			*kind = i;
			return 0;
		}
	}
	return unknown_kind(c, n, what, s, kinds, nkinds);
}

int ktstr_scen__single_key(struct ktstr_pctx *c, yaml_node_t *n, const char *what,
			   const char *const *kinds, size_t nkinds, size_t *kind, yaml_node_t **val)
{
	char valid[512];
	yaml_node_t *key;

	ktstr_pctx__join(valid, sizeof(valid), kinds, nkinds);
	if (n == NULL || n->type != YAML_MAPPING_NODE ||
	    n->data.mapping.pairs.top - n->data.mapping.pairs.start != 1) {
		return ktstr_pctx__error(c, n, "%s: expected a mapping with one key of: %s; got %s",
					 what, valid,
					 n != NULL && n->type == YAML_MAPPING_NODE
					     ? "a mapping with another number of keys"
					     : ktstr_pctx__kind(n));
	}
	key = ktstr_pctx__node(c, n->data.mapping.pairs.start->key);
	*val = ktstr_pctx__node(c, n->data.mapping.pairs.start->value);
	return ktstr_scen__kind(c, key, what, kinds, nkinds, kind);
}
