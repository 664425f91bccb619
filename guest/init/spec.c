#include "spec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fileio.h"

#define SPEC_MAX_BYTES (1024 * 1024)

struct parse_ctx {
	const char *origin;
	const char *scope; /* "" or the enclosing object's key and a dot */
	char *err;
	size_t errlen;
};

static int bad_key(struct parse_ctx *c, const char *key, const char *what)
{
	snprintf(c->err, c->errlen, "%s: key '%s%s': %s", c->origin, c->scope, key, what);
	return -EINVAL;
}

/* An integer member within [lo, hi]; absent keeps *out unless required. */
static int get_uint(struct parse_ctx *c, json_t *obj, const char *key, bool required, uint64_t lo,
		    uint64_t hi, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);
	char what[96];

	if (v == NULL) {
		return required ? bad_key(c, key, "missing (required)") : 0;
	}
	snprintf(what, sizeof(what), "must be an integer in %llu..%llu", (unsigned long long)lo,
		 (unsigned long long)hi);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) < lo || (uint64_t)json_integer_value(v) > hi) {
		return bad_key(c, key, what);
	}
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int get_u32(struct parse_ctx *c, json_t *obj, const char *key, bool required, uint32_t lo,
		   uint32_t hi, uint32_t *out)
{
	uint64_t v = *out;
	int err = get_uint(c, obj, key, required, lo, hi, &v);

	*out = (uint32_t)v;
	return err;
}

static int get_string(struct parse_ctx *c, json_t *obj, const char *key, char **out)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		return bad_key(c, key, "missing (required)");
	}
	/* No NUL inside: json_loadb() rejects \u0000 without JSON_ALLOW_NUL. */
	if (!json_is_string(v) || json_string_length(v) == 0) {
		return bad_key(c, key, "must be a non-empty string");
	}
	*out = strdup(json_string_value(v));
	return *out != NULL ? 0 : -ENOMEM;
}

static int get_bool(struct parse_ctx *c, json_t *obj, const char *key, bool *out)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL) {
		return 0;
	}
	if (!json_is_boolean(v)) {
		return bad_key(c, key, "must be true or false");
	}
	*out = json_is_true(v);
	return 0;
}

static int parse_topo(struct parse_ctx *c, json_t *root, struct ktstr_spec_topo *t)
{
	json_t *o = json_object_get(root, "topology");
	int err;

	if (o == NULL) {
		return bad_key(c, "topology", "missing (required)");
	}
	if (!json_is_object(o)) {
		return bad_key(c, "topology", "must be an object");
	}
	c->scope = "topology.";
	err = get_u32(c, o, "numa_nodes", true, 1, 1024, &t->numa_nodes);
	if (!err) {
		err = get_u32(c, o, "llcs", true, 1, 1024, &t->llcs);
	}
	if (!err) {
		err = get_u32(c, o, "cores", true, 1, 1024, &t->cores);
	}
	if (!err) {
		err = get_u32(c, o, "threads", true, 1, 1024, &t->threads);
	}
	c->scope = "";
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

static int parse_sched(struct parse_ctx *c, json_t *root, struct ktstr_spec_sched **out)
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
		return bad_key(c, "scheduler", "must be null or an object {name, path, args}");
	}
	c->scope = "scheduler.";
	args = json_object_get(o, "args");
	if (args != NULL && !json_is_array(args)) {
		return bad_key(c, "args", "must be an array of strings");
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
	err = get_string(c, o, "name", &s->name);
	if (err) {
		goto err_sched;
	}
	err = get_string(c, o, "path", &s->argv[0]);
	if (err) {
		goto err_sched;
	}
	if (s->argv[0][0] != '/') {
		err = bad_key(c, "path", "must be an absolute path");
		goto err_sched;
	}
	s->path = s->argv[0];
	for (size_t i = 0; i < nargs; i++) {
		json_t *a = json_array_get(args, i);

		if (!json_is_string(a)) {
			err = bad_key(c, "args", "must be an array of strings");
			goto err_sched;
		}
		s->argv[i + 1] = strdup(json_string_value(a));
		if (s->argv[i + 1] == NULL) {
			err = -ENOMEM;
			goto err_sched;
		}
	}
	c->scope = "";
	*out = s;
	return 0;
err_sched:
	sched_free(s);
	return err;
}

static int parse_checks(struct parse_ctx *c, json_t *root, struct ktstr_spec_checks *k)
{
	json_t *o = json_object_get(root, "checks"), *v;
	int err;

	k->not_starved = true;
	k->max_gap_ms = 2000;
	k->max_spread_pct = 15.0;
	if (o == NULL) {
		return 0;
	}
	if (!json_is_object(o)) {
		return bad_key(c, "checks", "must be an object");
	}
	c->scope = "checks.";
	err = get_bool(c, o, "not_starved", &k->not_starved);
	if (!err) {
		err = get_uint(c, o, "max_gap_ms", false, 1, UINT32_MAX, &k->max_gap_ms);
	}
	if (err) {
		return err;
	}
	v = json_object_get(o, "max_spread_pct");
	if (v != NULL) {
		if (!json_is_number(v) || !isfinite(json_number_value(v)) ||
		    json_number_value(v) < 0.0 || json_number_value(v) > 100.0) {
			return bad_key(c, "max_spread_pct", "must be a number in 0..100");
		}
		k->max_spread_pct = json_number_value(v);
	}
	c->scope = "";
	return 0;
}

static int parse_root(struct parse_ctx *c, json_t *root, struct ktstr_spec *s)
{
	uint64_t version = 0;
	int err;

	if (!json_is_object(root)) {
		snprintf(c->err, c->errlen, "%s: the spec must be a JSON object", c->origin);
		return -EINVAL;
	}
	err = get_uint(c, root, "version", true, 0, UINT32_MAX, &version);
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
	err = get_string(c, root, "test_name", &s->test_name);
	if (!err) {
		err = get_string(c, root, "scenario", &s->scenario);
	}
	if (!err) {
		err = get_uint(c, root, "duration_ms", true, 1, 86400000, &s->duration_ms);
	}
	if (!err) {
		err = get_u32(c, root, "workers_per_cgroup", false, 1, KTSTR_SPEC_MAX_WORKERS,
			      &s->workers_per_cgroup);
	}
	if (!err) {
		err = get_uint(c, root, "settle_ms", false, 0, 600000, &s->settle_ms);
	}
	if (!err) {
		err = parse_topo(c, root, &s->topo);
	}
	if (!err) {
		err = parse_checks(c, root, &s->checks);
	}
	if (!err) {
		err = get_bool(c, root, "emulated_timing", &s->emulated_timing);
	}
	if (!err) {
		err = parse_sched(c, root, &s->sched);
	}
	return err;
}

int ktstr_spec__parse(const char *text, size_t len, const char *origin, struct ktstr_spec *out,
		      char *err, size_t errlen)
{
	struct parse_ctx c = {.origin = origin, .scope = "", .err = err, .errlen = errlen};
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
	free(s->scenario);
	sched_free(s->sched);
	memset(s, 0, sizeof(*s));
}
