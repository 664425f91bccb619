/*
 * Checks (reference scenarios.md section 4): a mapping of the keys a layer
 * sets, merged key by key over upstream's defaults; null turns a check off.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <float.h>
#include <string.h>

enum check_type { CT_BOOL, CT_INT, CT_NUM };

struct check {
	const char *name;
	enum check_type type;
};

/* clang-format off */
static const struct check checks[] = {
	{ "not_starved", CT_BOOL },
	{ "isolation", CT_BOOL },
	{ "max_gap_ms", CT_INT },
	{ "max_spread_pct", CT_NUM },
	{ "max_throughput_cv", CT_NUM },
	{ "min_work_rate", CT_NUM },
	{ "max_p99_wake_latency_ns", CT_INT },
	{ "max_median_wake_latency_ns", CT_INT },
	{ "max_wake_latency_cv", CT_NUM },
	{ "min_iteration_rate", CT_NUM },
	{ "max_migration_ratio", CT_NUM },
	{ "max_run_delay_us", CT_INT },
};
/* clang-format on */

#define NCHECKS (sizeof(checks) / sizeof(checks[0]))
#define DEFAULT_MAX_GAP_MS 2000
#define DEFAULT_MAX_SPREAD_PCT 15.0

json_t *ktstr_checks__defaults(void)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && i < NCHECKS; i++) {
		if (json_object_set_new(o, checks[i].name, json_null()) != 0) {
			json_decref(o);
			return NULL;
		}
	}
	if (o == NULL || json_object_set_new(o, "not_starved", json_true()) != 0 ||
	    json_object_set_new(o, "isolation", json_false()) != 0 ||
	    json_object_set_new(o, "max_gap_ms", json_integer(DEFAULT_MAX_GAP_MS)) != 0 ||
	    json_object_set_new(o, "max_spread_pct", json_real(DEFAULT_MAX_SPREAD_PCT)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

int ktstr_checks__merge(json_t *dst, const json_t *layer)
{
	const char *key;
	json_t *v;

	if (layer == NULL) {
		return 0;
	}
	json_object_foreach((json_t *)layer, key, v)
	{
		if (json_object_set(dst, key, v) != 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

static int check_value(struct ktstr_pctx *c, const struct check *ck, yaml_node_t *val, json_t **out)
{
	uint32_t u;
	double d;
	bool b;
	int rc;

	if (ktstr_pctx__is_null(val)) {
		*out = json_null();
		return 0;
	}
	switch (ck->type) {
	case CT_BOOL:
		rc = ktstr_scen__bool(c, val, ck->name, &b);
		*out = rc == 0 ? json_boolean(b) : NULL;
		break;
	case CT_INT:
		rc = ktstr_pctx__u32(c, val, ck->name, 0, &u);
		*out = rc == 0 ? json_integer(u) : NULL;
		break;
	default:
		rc = ktstr_scen__number(c, val, ck->name, 0.0, DBL_MAX, &d);
		*out = rc == 0 ? json_real(d) : NULL;
		break;
	}
	return rc != 0 ? rc : (*out != NULL ? 0 : -ENOMEM);
}

static int check_pair(struct ktstr_pctx *c, yaml_node_t *key, yaml_node_t *val, void *arg)
{
	const char *names[NCHECKS];
	size_t k;
	json_t *v;
	int rc;

	for (size_t i = 0; i < NCHECKS; i++) {
		names[i] = checks[i].name;
	}
	rc = ktstr_scen__kind(c, key, "check", names, NCHECKS, &k);
	rc = rc != 0 ? rc : check_value(c, &checks[k], val, &v);
	if (rc != 0) {
		return rc;
	}
	return json_object_set_new(arg, checks[k].name, v) == 0 ? 0 : -ENOMEM;
}

int ktstr_scen__checks(struct ktstr_pctx *c, yaml_node_t *n, json_t **out)
{
	json_t *o = json_object();
	int rc = o != NULL ? 0 : -ENOMEM;

	if (rc == 0 && !ktstr_pctx__is_null(n)) {
		rc = ktstr_pctx__each_pair(c, n, "checks", check_pair, o);
	}
	if (rc != 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}

int ktstr_pkey__checks(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
		       void *obj)
{
	/* reached once per key (duplicates are rejected), so the field is still unset */
	return ktstr_scen__checks(c, val, (json_t **)((char *)obj + k->off));
}

int ktstr_profile__checks(const struct ktstr_profile *p, const struct ktstr_sched_entry *s,
			  const struct ktstr_scenario_entry *e, json_t **out)
{
	json_t *o = ktstr_checks__defaults();
	int rc = o != NULL ? 0 : -ENOMEM;

	rc = rc != 0 ? rc : ktstr_checks__merge(o, p->checks);
	rc = rc != 0 ? rc : ktstr_checks__merge(o, s != NULL ? s->checks : NULL);
	rc = rc != 0 ? rc : ktstr_checks__merge(o, e->def != NULL ? e->def->checks : NULL);
	rc = rc != 0 ? rc : ktstr_checks__merge(o, e->checks);
	if (rc != 0) {
		json_decref(o);
		return rc;
	}
	*out = o;
	return 0;
}
