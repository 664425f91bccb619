#include "spec.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fileio.h"
#include "spec_internal.h"

#define SPEC_MAX_BYTES (1024 * 1024)

size_t ktstr_spec_ctx__push(struct ktstr_spec_ctx *c, const char *fmt, ...)
{
	size_t old = strlen(c->scope), len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->scope + old, sizeof(c->scope) - old, fmt, ap);
	va_end(ap);
	len = strlen(c->scope);
	snprintf(c->scope + len, sizeof(c->scope) - len, ".");
	return old;
}

void ktstr_spec_ctx__pop(struct ktstr_spec_ctx *c, size_t len)
{
	c->scope[len] = '\0';
}

int ktstr_spec_ctx__bad(struct ktstr_spec_ctx *c, const char *key, const char *what)
{
	size_t len = strlen(c->scope);

	/* An empty key names the enclosing object itself: drop the scope's last dot. */
	if (key[0] == '\0' && len > 0) {
		len--;
	}
	snprintf(c->err, c->errlen, "%s: key '%.*s%s': %s", c->origin, (int)len, c->scope, key,
		 what);
	return -EINVAL;
}

int ktstr_spec_ctx__uint(struct ktstr_spec_ctx *c, json_t *obj, const char *key, bool required,
			 uint64_t lo, uint64_t hi, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);
	char what[96];

	if (v == NULL) {
		return required ? ktstr_spec_ctx__bad(c, key, "missing (required)") : 0;
	}
	snprintf(what, sizeof(what), "must be an integer in %llu..%llu", (unsigned long long)lo,
		 (unsigned long long)hi);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) < lo || (uint64_t)json_integer_value(v) > hi) {
		return ktstr_spec_ctx__bad(c, key, what);
	}
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

int ktstr_spec_ctx__u32(struct ktstr_spec_ctx *c, json_t *obj, const char *key, bool required,
			uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t v = *out;
	int err = ktstr_spec_ctx__uint(c, obj, key, required, lo, hi, &v);

	*out = (uint32_t)v;
	return err;
}

int ktstr_spec_ctx__double(struct ktstr_spec_ctx *c, json_t *obj, const char *key, bool required,
			   double lo, double hi, double *out)
{
	json_t *v = json_object_get(obj, key);
	char what[96];

	if (v == NULL) {
		return required ? ktstr_spec_ctx__bad(c, key, "missing (required)") : 0;
	}
	if (!json_is_number(v) || !(json_number_value(v) >= lo && json_number_value(v) <= hi)) {
		snprintf(what, sizeof(what), "must be a number in %g..%g", lo, hi);
		return ktstr_spec_ctx__bad(c, key, what);
	}
	*out = json_number_value(v);
	return 0;
}

int ktstr_spec_ctx__string(struct ktstr_spec_ctx *c, json_t *obj, const char *key, char **out)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		return ktstr_spec_ctx__bad(c, key, "missing (required)");
	}
	/* No NUL inside: json_loadb() rejects \u0000 without JSON_ALLOW_NUL. */
	if (!json_is_string(v) || json_string_length(v) == 0) {
		return ktstr_spec_ctx__bad(c, key, "must be a non-empty string");
	}
	*out = strdup(json_string_value(v));
	return *out != NULL ? 0 : -ENOMEM;
}

int ktstr_spec_ctx__bool(struct ktstr_spec_ctx *c, json_t *obj, const char *key, bool *out)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		return 0;
	}
	if (!json_is_boolean(v)) {
		return ktstr_spec_ctx__bad(c, key, "must be true or false");
	}
	*out = json_is_true(v);
	return 0;
}

int ktstr_spec_ctx__object(struct ktstr_spec_ctx *c, json_t *obj, const char *key, json_t **out)
{
	*out = json_object_get(obj, key);
	if (*out == NULL) {
		return ktstr_spec_ctx__bad(c, key, "missing (required)");
	}
	return json_is_object(*out) ? 0 : ktstr_spec_ctx__bad(c, key, "must be an object");
}

static int parse_topo(struct ktstr_spec_ctx *c, json_t *root, struct ktstr_spec_topo *t)
{
	json_t *o = json_object_get(root, "topology");
	int err;

	if (o == NULL) {
		return ktstr_spec_ctx__bad(c, "topology", "missing (required)");
	}
	if (!json_is_object(o)) {
		return ktstr_spec_ctx__bad(c, "topology", "must be an object");
	}
	ktstr_spec_ctx__push(c, "topology");
	err = ktstr_spec_ctx__u32(c, o, "numa_nodes", true, 1, 1024, &t->numa_nodes);
	if (!err) {
		err = ktstr_spec_ctx__u32(c, o, "llcs", true, 1, 1024, &t->llcs);
	}
	if (!err) {
		err = ktstr_spec_ctx__u32(c, o, "cores", true, 1, 1024, &t->cores);
	}
	if (!err) {
		err = ktstr_spec_ctx__u32(c, o, "threads", true, 1, 1024, &t->threads);
	}
	ktstr_spec_ctx__pop(c, 0);
	return err;
}

static void sched_free(struct ktstr_spec_sched *s)
{
	if (s == NULL) {
		return;
	}
	for (size_t i = 0; s->argv != NULL && s->argv[i] != NULL; i++) {
		free(s->argv[i]);
	}
	free(s->argv);
	free(s->name);
	free(s);
}

static int parse_sched(struct ktstr_spec_ctx *c, json_t *root, struct ktstr_spec_sched **out)
{
	json_t *o = json_object_get(root, "scheduler"), *args;
	struct ktstr_spec_sched *s;
	size_t nargs = 0;
	int err;

	*out = NULL;
	if (o == NULL || json_is_null(o)) {
		return 0;
	}
	if (!json_is_object(o)) {
		return ktstr_spec_ctx__bad(c, "scheduler",
					   "must be null or an object {name, path, args}");
	}
	ktstr_spec_ctx__push(c, "scheduler");
	args = json_object_get(o, "args");
	if (args != NULL && !json_is_array(args)) {
		return ktstr_spec_ctx__bad(c, "args", "must be an array of strings");
	}
	if (args != NULL) {
		nargs = json_array_size(args);
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return -ENOMEM;
	}
	s->argv = calloc(nargs + 2, sizeof(*s->argv));
	if (s->argv == NULL) {
		err = -ENOMEM;
		goto err_sched;
	}
	err = ktstr_spec_ctx__string(c, o, "name", &s->name);
	if (err) {
		goto err_sched;
	}
	err = ktstr_spec_ctx__string(c, o, "path", &s->argv[0]);
	if (err) {
		goto err_sched;
	}
	if (s->argv[0][0] != '/') {
		err = ktstr_spec_ctx__bad(c, "path", "must be an absolute path");
		goto err_sched;
	}
	s->path = s->argv[0];
	for (size_t i = 0; i < nargs; i++) {
		json_t *a = json_array_get(args, i);

		if (!json_is_string(a)) {
			err = ktstr_spec_ctx__bad(c, "args", "must be an array of strings");
			goto err_sched;
		}
		s->argv[i + 1] = strdup(json_string_value(a));
		if (s->argv[i + 1] == NULL) {
			err = -ENOMEM;
			goto err_sched;
		}
	}
	ktstr_spec_ctx__pop(c, 0);
	*out = s;
	return 0;
err_sched:
	sched_free(s);
	return err;
}

/* A limit that may be null (off: @p off) or a number within [0, hi]. */
static int get_limit(struct ktstr_spec_ctx *c, json_t *o, const char *key, double hi, double off,
		     double *out)
{
	json_t *v = json_object_get(o, key);

	if (v != NULL && json_is_null(v)) {
		*out = off;
		return 0;
	}
	return ktstr_spec_ctx__double(c, o, key, false, 0.0, hi, out);
}

static int parse_checks(struct ktstr_spec_ctx *c, json_t *root, struct ktstr_spec_checks *k)
{
	const struct {
		const char *key;
		double *field, off, hi;
	} limits[] = {
	    {"max_spread_pct", &k->max_spread_pct, INFINITY, 100.0},
	    {"max_throughput_cv", &k->max_throughput_cv, INFINITY, INFINITY},
	    {"min_work_rate", &k->min_work_rate, 0.0, INFINITY},
	    {"max_p99_wake_latency_ns", &k->max_p99_wake_latency_ns, INFINITY, INFINITY},
	    {"max_median_wake_latency_ns", &k->max_median_wake_latency_ns, INFINITY, INFINITY},
	    {"max_wake_latency_cv", &k->max_wake_latency_cv, INFINITY, INFINITY},
	    {"min_iteration_rate", &k->min_iteration_rate, 0.0, INFINITY},
	    {"max_migration_ratio", &k->max_migration_ratio, INFINITY, INFINITY},
	    {"max_run_delay_us", &k->max_run_delay_us, INFINITY, INFINITY},
	};
	json_t *o = json_object_get(root, "checks"), *gap;
	int err = 0;

	*k = (struct ktstr_spec_checks){.not_starved = true, .max_gap_ms = 2000};
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		*limits[i].field = limits[i].off;
	}
	k->max_spread_pct = 15.0;
	if (o == NULL || json_is_null(o)) {
		return 0;
	}
	if (!json_is_object(o)) {
		return ktstr_spec_ctx__bad(c, "checks", "must be an object");
	}
	ktstr_spec_ctx__push(c, "checks");
	gap = json_object_get(o, "max_gap_ms");
	err = ktstr_spec_ctx__bool(c, o, "not_starved", &k->not_starved);
	if (!err) {
		err = ktstr_spec_ctx__bool(c, o, "isolation", &k->isolation);
	}
	if (!err && gap != NULL && json_is_null(gap)) {
		k->max_gap_ms = UINT64_MAX;
	} else if (!err) {
		err =
		    ktstr_spec_ctx__uint(c, o, "max_gap_ms", false, 1, UINT32_MAX, &k->max_gap_ms);
	}
	for (size_t i = 0; !err && i < sizeof(limits) / sizeof(limits[0]); i++) {
		err = get_limit(c, o, limits[i].key, limits[i].hi, limits[i].off, limits[i].field);
	}
	ktstr_spec_ctx__pop(c, 0);
	return err;
}

static int parse_root(struct ktstr_spec_ctx *c, json_t *root, struct ktstr_spec *s)
{
	uint64_t version = 0;
	int err;

	if (!json_is_object(root)) {
		snprintf(c->err, c->errlen, "%s: the spec must be a JSON object", c->origin);
		return -EINVAL;
	}
	err = ktstr_spec_ctx__uint(c, root, "version", true, 0, UINT32_MAX, &version);
	if (err) {
		return err;
	}
	if (version != KTSTR_SPEC_VERSION) {
		snprintf(c->err, c->errlen,
			 "%s: spec version %llu, this ktstr-init reads version %d; rebuild the "
			 "guest and host from the same tree",
			 c->origin, (unsigned long long)version, KTSTR_SPEC_VERSION);
		return -EINVAL;
	}
	s->workers_per_cgroup = 2;
	s->settle_ms = 500;
	err = ktstr_spec_ctx__string(c, root, "test_name", &s->test_name);
	if (!err) {
		err = ktstr_spec_ctx__uint(c, root, "duration_ms", true, 1, 86400000,
					   &s->duration_ms);
	}
	if (!err) {
		err = ktstr_spec_ctx__u32(c, root, "workers_per_cgroup", false, 1,
					  KTSTR_SPEC_MAX_WORKERS, &s->workers_per_cgroup);
	}
	if (!err) {
		err = ktstr_spec_ctx__uint(c, root, "settle_ms", false, 0, 600000, &s->settle_ms);
	}
	if (!err) {
		err = parse_topo(c, root, &s->topo);
	}
	if (!err) {
		err = parse_checks(c, root, &s->checks);
	}
	if (!err) {
		err = ktstr_spec_ctx__bool(c, root, "emulated_timing", &s->emulated_timing);
	}
	if (!err) {
		err = parse_sched(c, root, &s->sched);
	}
	if (!err) {
		c->workers_per_cgroup = s->workers_per_cgroup;
		err = ktstr_spec__parse_scenario(c, root, &s->scenario);
	}
	return err;
}

int ktstr_spec__parse(const char *text, size_t len, const char *origin, struct ktstr_spec *out,
		      char *err, size_t errlen)
{
	struct ktstr_spec_ctx c = {.origin = origin, .err = err, .errlen = errlen};
	json_error_t jerr;
	json_t *root;
	int rc;

	memset(out, 0, sizeof(*out));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(err, errlen, "%s:%d:%d: invalid JSON: %s", origin, jerr.line, jerr.column,
			 jerr.text);
		return -EINVAL;
	}
	rc = parse_root(&c, root, out);
	json_decref(root);
	if (rc == -ENOMEM) {
		snprintf(err, errlen, "%s: out of memory", origin);
	}
	if (rc) {
		ktstr_spec__release(out);
	}
	return rc;
}

int ktstr_spec__load(const char *path, struct ktstr_spec *out, char *err, size_t errlen)
{
	char *text;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = ktstr_file__read_tail(path, SPEC_MAX_BYTES, &text, &len);
	if (rc) {
		snprintf(err, errlen, "cannot read %s: %s (the host writes it into the initramfs)",
			 path, strerror(-rc));
		return rc;
	}
	if (len == SPEC_MAX_BYTES) {
		snprintf(err, errlen, "%s: larger than %d bytes", path, SPEC_MAX_BYTES);
		free(text);
		return -EFBIG;
	}
	rc = ktstr_spec__parse(text, len, path, out, err, errlen);
	free(text);
	return rc;
}

void ktstr_spec__release(struct ktstr_spec *s)
{
	free(s->test_name);
	ktstr_spec__release_scenario(&s->scenario);
	sched_free(s->sched);
	memset(s, 0, sizeof(*s));
}

uint64_t ktstr_spec__hold_budget_ms(const struct ktstr_spec *s)
{
	uint64_t total = 0;

	for (size_t i = 0; i < s->scenario.nsteps; i++) {
		total +=
		    ktstr_hold__ms(&s->scenario.steps[i].hold, s->duration_ms, s->settle_ms, 0);
	}
	return total;
}
