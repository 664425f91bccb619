/*
 * CpusetSpec and HoldSpec (reference scenarios.md section 1): the formulas
 * are resolved by the guest against its usable CPUs; here each spec is read
 * and its parameters checked (of > 0, index < of, fractions in [0, 1], ...).
 */
#include "scenario_internal.h"

#include <errno.h>
#include <string.h>

static const char *const cpuset_kinds[] = {"llc", "numa", "range", "disjoint", "overlap", "exact"};

enum { CS_LLC, CS_NUMA, CS_RANGE, CS_DISJOINT, CS_OVERLAP, CS_EXACT };

struct partition {
	uint32_t index, of;
	double frac;
	bool has_frac;
};

static int part_u32(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	return ktstr_pctx__u32(c, val, k->name, strcmp(k->name, "of") == 0 ? 1 : 0,
			       (uint32_t *)((char *)obj + k->off));
}

static int part_frac(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	struct partition *p = obj;

	p->has_frac = true;
	return ktstr_scen__number(c, val, "frac", 0.0, 1.0, &p->frac);
}

/* clang-format off */
static const struct ktstr_pkey partition_keys[] = {
	{ "index", part_u32, offsetof(struct partition, index), 0, true },
	{ "of", part_u32, offsetof(struct partition, of), 0, true },
	{ "frac", part_frac, 0, 0, false }, /* overlap only: disjoint reads the first two rows */
};
/* clang-format on */

static int partition(struct ktstr_pctx *c, yaml_node_t *n, bool overlap, json_t **out)
{
	struct partition p = {0};
	const char *what = overlap ? "overlap" : "disjoint";
	int rc = ktstr_pctx__walk(c, n, what, partition_keys, overlap ? 3 : 2, &p);

	if (rc != 0) {
		return rc;
	}
	if (overlap && !p.has_frac) {
		return ktstr_pctx__error(c, n, "overlap is missing the required key \"frac\"");
	}
	if (p.index >= p.of) {
		return ktstr_pctx__error(c, n, "%s: index %u must be below of (%u)", what, p.index,
					 p.of);
	}
	if (overlap) {
		*out = json_pack("{s:{s:i,s:i,s:f}}", what, "index", (json_int_t)p.index, "of",
				 (json_int_t)p.of, "frac", p.frac);
	} else {
		*out = json_pack("{s:{s:i,s:i}}", what, "index", (json_int_t)p.index, "of",
				 (json_int_t)p.of);
	}
	return *out != NULL ? 0 : -ENOMEM;
}

static int range(struct ktstr_pctx *c, yaml_node_t *n, json_t **out)
{
	yaml_node_item_t *items;
	size_t len;
	double v[2];
	int rc = ktstr_pctx__seq(c, n, "range", "a list [start, end] of fractions", &items, &len);

	if (rc != 0) {
		return rc;
	}
	if (len != 2) {
		return ktstr_pctx__error(c, n,
					 "range: expected [start, end] (two fractions of the "
					 "usable CPUs), got %zu values",
					 len);
	}
	for (size_t i = 0; i < 2; i++) {
		rc = ktstr_scen__number(c, ktstr_pctx__node(c, items[i]), "range", 0.0, 1.0, &v[i]);
		if (rc != 0) {
			return rc;
		}
	}
	if (v[0] >= v[1]) {
		return ktstr_pctx__error(c, n, "range: start %g must be below end %g", v[0], v[1]);
	}
	*out = json_pack("{s:[f,f]}", "range", v[0], v[1]);
	return *out != NULL ? 0 : -ENOMEM;
}

int ktstr_scen__cpuset(struct ktstr_pctx *c, yaml_node_t *n, json_t **out)
{
	yaml_node_t *val;
	json_t *set;
	uint32_t i;
	size_t k;
	int rc = ktstr_scen__single_key(c, n, "cpuset", cpuset_kinds, 6, &k, &val);

	if (rc != 0) {
		return rc;
	}
	switch (k) {
	case CS_LLC:
	case CS_NUMA:
		rc = ktstr_pctx__u32(c, val, cpuset_kinds[k], 0, &i);
		if (rc != 0) {
			return rc;
		}
		*out = json_pack("{s:i}", cpuset_kinds[k], (json_int_t)i);
		return *out != NULL ? 0 : -ENOMEM;
	case CS_RANGE:
		return range(c, val, out);
	case CS_DISJOINT:
	case CS_OVERLAP:
		return partition(c, val, k == CS_OVERLAP, out);
	default:
		rc = ktstr_scen__id_list(c, val, "exact", &set);
		if (rc != 0) {
			return rc;
		}
		*out = json_pack("{s:o}", "exact", set);
		return *out != NULL ? 0 : -ENOMEM;
	}
}

/* ---- holds ---- */

static const char *const hold_kinds[] = {"frac", "plus_settle", "fixed", "loop"};

static int frac(struct ktstr_pctx *c, yaml_node_t *n, double *out)
{
	int rc = ktstr_scen__number(c, n, "hold frac", 0.0, 1.0, out);

	if (rc == 0 && *out == 0.0) {
		return ktstr_pctx__error(c, n,
					 "hold frac: must be above 0 (a fraction of the "
					 "duration in (0, 1])");
	}
	return rc;
}

/* A bare number is a fraction of the duration; with a unit it is a fixed time. */
static int hold_scalar(struct ktstr_pctx *c, yaml_node_t *n, json_t **out)
{
	const char *s = (const char *)n->data.scalar.value;
	size_t len = strlen(s);
	uint32_t ms;
	double f;
	int rc;

	if (len > 0 && ((s[len - 1] >= 'a' && s[len - 1] <= 'z'))) {
		rc = ktstr_pctx__duration_ms(c, n, "hold", &ms);
		if (rc != 0) {
			return rc;
		}
		*out = json_pack("{s:i}", "fixed_ms", (json_int_t)ms);
		return *out != NULL ? 0 : -ENOMEM;
	}
	rc = ktstr_scen__number(c, n, "hold", 0.0, 1.0, &f);
	if (rc != 0) {
		return ktstr_pctx__error(c, n,
					 "hold: expected a fraction of the duration in (0, 1] "
					 "or a time such as 2s or 500ms, got \"%s\"",
					 s);
	}
	if (f == 0.0) {
		return ktstr_pctx__error(c, n,
					 "hold: 0 holds for no time; give a fraction in "
					 "(0, 1] or a time such as 2s");
	}
	*out = json_pack("{s:f,s:b}", "frac", f, "plus_settle", 0);
	return *out != NULL ? 0 : -ENOMEM;
}

struct hold_nodes {
	yaml_node_t *v[4];
};

static int hold_pair(struct ktstr_pctx *c, yaml_node_t *key, yaml_node_t *val, void *arg)
{
	struct hold_nodes *h = arg;
	size_t k;
	int rc = ktstr_scen__kind(c, key, "hold key", hold_kinds, 4, &k);

	if (rc == 0) {
		h->v[k] = val;
	}
	return rc;
}

static int hold_map(struct ktstr_pctx *c, yaml_node_t *n, json_t **out)
{
	struct hold_nodes h = {{NULL}};
	bool settle = false;
	uint32_t ms;
	double f;
	int rc = ktstr_pctx__each_pair(c, n, "hold", hold_pair, &h);
	int forms = (h.v[0] != NULL || h.v[1] != NULL) + (h.v[2] != NULL) + (h.v[3] != NULL);

	if (rc != 0) {
		return rc;
	}
	if (forms != 1) {
		return ktstr_pctx__error(c, n,
					 "hold: give one of {frac, plus_settle}, {fixed} or "
					 "{loop}");
	}
	if (h.v[2] != NULL || h.v[3] != NULL) {
		const char *what = h.v[2] != NULL ? "hold fixed" : "hold loop";

		rc = ktstr_pctx__duration_ms(c, h.v[2] != NULL ? h.v[2] : h.v[3], what, &ms);
		if (rc != 0) {
			return rc;
		}
		*out = json_pack("{s:i}", h.v[2] != NULL ? "fixed_ms" : "loop_ms", (json_int_t)ms);
		return *out != NULL ? 0 : -ENOMEM;
	}
	if (h.v[0] == NULL) {
		return ktstr_pctx__error(c, n, "hold: plus_settle needs frac");
	}
	rc = frac(c, h.v[0], &f);
	if (rc == 0 && h.v[1] != NULL) {
		rc = ktstr_scen__bool(c, h.v[1], "plus_settle", &settle);
	}
	if (rc != 0) {
		return rc;
	}
	*out = json_pack("{s:f,s:b}", "frac", f, "plus_settle", settle);
	return *out != NULL ? 0 : -ENOMEM;
}

int ktstr_scen__hold(struct ktstr_pctx *c, yaml_node_t *n, json_t **out)
{
	if (ktstr_pctx__is_scalar(n)) {
		return hold_scalar(c, n, out);
	}
	if (n == NULL || n->type != YAML_MAPPING_NODE) {
		return ktstr_pctx__error(c, n,
					 "hold: expected a fraction (0.5), a time (2s) or a "
					 "mapping {frac, plus_settle} / {fixed} / {loop}, got %s",
					 ktstr_pctx__kind(n));
	}
	return hold_map(c, n, out);
}
