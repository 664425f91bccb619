#include "profile_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"

int ktstr_pctx__error(struct ktstr_pctx *c, const yaml_node_t *at, const char *fmt, ...)
{
	unsigned line = at != NULL ? (unsigned)at->start_mark.line + 1 : 1;
	unsigned col = at != NULL ? (unsigned)at->start_mark.column + 1 : 1;
	va_list ap;
	int n;

	n = snprintf(c->err, c->errlen, "%s:%u:%u: ", c->file, line, col);
	if (n >= 0 && (size_t)n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const char *subject(const char *what)
{
	return what != NULL ? what : "the profile";
}

bool ktstr_pctx__is_null(const yaml_node_t *n)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
	const char *v;

	if (n == NULL) {
		return true;
	}
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		return false;
	}
	v = (const char *)n->data.scalar.value;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
		if (strcmp(v, nulls[i]) == 0) {
			return true;
		}
	}
	return false;
}

bool ktstr_pctx__is_scalar(const yaml_node_t *n)
{
	return n != NULL && n->type == YAML_SCALAR_NODE && !ktstr_pctx__is_null(n);
}

const char *ktstr_pctx__kind(const yaml_node_t *n)
{
	if (ktstr_pctx__is_null(n)) {
		return "nothing";
	}
	switch (n->type) {
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "a scalar";
	}
}

yaml_node_t *ktstr_pctx__node(struct ktstr_pctx *c, int id)
{
	return yaml_document_get_node(c->doc, id);
}

int ktstr_pctx__seq(struct ktstr_pctx *c, yaml_node_t *n, const char *what, const char *expect,
		    yaml_node_item_t **items, size_t *count)
{
	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		return ktstr_pctx__error(c, n, "%s: expected %s, got %s", what, expect,
					 ktstr_pctx__kind(n));
	}
	*items = n->data.sequence.items.start;
	*count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	return 0;
}

int ktstr_pctx__each_pair(struct ktstr_pctx *c, yaml_node_t *map, const char *what,
			  ktstr_pair_fn fn, void *arg)
{
	yaml_node_pair_t *first, *top;
	int rc;

	if (map == NULL || map->type != YAML_MAPPING_NODE) {
		return ktstr_pctx__error(c, map, "%s: expected a mapping of keys, got %s",
					 subject(what), ktstr_pctx__kind(map));
	}
	first = map->data.mapping.pairs.start;
	top = map->data.mapping.pairs.top;
	for (yaml_node_pair_t *p = first; p < top; p++) {
		yaml_node_t *key = ktstr_pctx__node(c, p->key);
		const char *name;

		rc = ktstr_pctx__str(c, key, "a key", &name);
		if (rc != 0) {
			return rc;
		}
		for (yaml_node_pair_t *q = first; q < p; q++) {
			yaml_node_t *prev = ktstr_pctx__node(c, q->key);

			if (strcmp((const char *)prev->data.scalar.value, name) == 0) {
				return ktstr_pctx__error(
				    c, key, "duplicate key \"%s\" in %s (first at line %u)", name,
				    subject(what), (unsigned)prev->start_mark.line + 1);
			}
		}
		rc = fn(c, key, ktstr_pctx__node(c, p->value), arg);
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

struct walk_state {
	const struct ktstr_pkey *keys;
	size_t nkeys;
	const char *what;
	void *obj;
	uint64_t seen;
};

void ktstr_pctx__join(char *buf, size_t len, const char *const *names, size_t n)
{
	size_t off = 0;

	if (len == 0) {
		return;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++) {
		int w = snprintf(buf + off, len - off, "%s%s", i > 0 ? ", " : "", names[i]);

		off += w > 0 ? (size_t)w : 0;
	}
}

static int unknown_key(struct ktstr_pctx *c, yaml_node_t *key, const char *name,
		       const struct walk_state *w)
{
	const char *names[64];
	char valid[512];
	const char *hint;

	for (size_t i = 0; i < w->nkeys; i++) {
		names[i] = w->keys[i].name;
	}
	hint = ktstr_suggest__closest(name, names, w->nkeys);
	if (hint != NULL) {
		return ktstr_pctx__error(c, key, "unknown key \"%s\"%s%s (did you mean \"%s\"?)",
					 name, w->what != NULL ? " in " : "",
					 w->what != NULL ? w->what : "", hint);
	}
	ktstr_pctx__join(valid, sizeof(valid), names, w->nkeys);
	return ktstr_pctx__error(c, key, "unknown key \"%s\" in %s; valid keys: %s", name,
				 subject(w->what), valid);
}

static int walk_pair(struct ktstr_pctx *c, yaml_node_t *key, yaml_node_t *val, void *arg)
{
	struct walk_state *w = arg;
	const char *name = (const char *)key->data.scalar.value;

	for (size_t i = 0; i < w->nkeys; i++) {
		if (strcmp(w->keys[i].name, name) == 0) {
			w->seen |= 1ULL << i;
			return w->keys[i].parse(c, &w->keys[i], val, w->obj);
		}
	}
	return unknown_key(c, key, name, w);
}

int ktstr_pctx__walk(struct ktstr_pctx *c, yaml_node_t *map, const char *what,
		     const struct ktstr_pkey *keys, size_t nkeys, void *obj)
{
	struct walk_state w = {.keys = keys, .nkeys = nkeys, .what = what, .obj = obj};
	int rc;

	/* seen is a 64-bit mask; a longer table is a bug in the schema code, not in the input */
	if (nkeys > 64) {
		snprintf(c->err, c->errlen, "%s: internal error: the key table of %s is too long",
			 c->file, subject(what));
		return -E2BIG;
	}
	rc = ktstr_pctx__each_pair(c, map, what, walk_pair, &w);
	if (rc != 0) {
		return rc;
	}
	for (size_t i = 0; i < nkeys; i++) {
		if (keys[i].required && !(w.seen & (1ULL << i))) {
			return ktstr_pctx__error(c, map, "%s is missing the required key \"%s\"",
						 subject(what), keys[i].name);
		}
	}
	return 0;
}

int ktstr_pctx__str(struct ktstr_pctx *c, yaml_node_t *n, const char *what, const char **out)
{
	if (!ktstr_pctx__is_scalar(n)) {
		return ktstr_pctx__error(c, n, "%s: expected a string, got %s", what,
					 ktstr_pctx__kind(n));
	}
	/* A double-quoted "\0" puts a NUL inside the scalar; C strings cannot hold it. */
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length) {
		return ktstr_pctx__error(c, n, "%s: a string may not contain a NUL character",
					 what);
	}
	*out = (const char *)n->data.scalar.value;
	return 0;
}

int ktstr_pctx__strdup(struct ktstr_pctx *c, yaml_node_t *n, const char *what, char **out)
{
	const char *s;
	int rc = ktstr_pctx__str(c, n, what, &s);

	if (rc != 0) {
		return rc;
	}
	*out = strdup(s);
	return *out != NULL ? 0 : -ENOMEM;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++) {
		free(v[i]);
	}
	free(v);
}

int ktstr_pctx__strv(struct ktstr_pctx *c, yaml_node_t *n, const char *what, char ***out,
		     size_t *count)
{
	yaml_node_item_t *items = NULL;
	size_t len = 0;
	char **v;
	int rc;

	rc = ktstr_pctx__seq(c, n, what, "a list of strings", &items, &len);
	if (rc != 0) {
		return rc;
	}
	v = calloc(len + 1, sizeof(*v));
	if (v == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < len; i++) {
		rc = ktstr_pctx__strdup(c, ktstr_pctx__node(c, items[i]), what, &v[i]);
		if (rc != 0) {
			goto err_v;
		}
	}
	*out = v;
	*count = len;
	return 0;

err_v:
	strv_free(v);
	return rc;
}

int ktstr_pctx__u32(struct ktstr_pctx *c, yaml_node_t *n, const char *what, uint32_t min,
		    uint32_t *out)
{
	const char *s;
	uint64_t v = 0;
	int rc;

	if (!ktstr_pctx__is_scalar(n)) {
		return ktstr_pctx__error(c, n, "%s: expected an integer >= %u, got %s", what, min,
					 ktstr_pctx__kind(n));
	}
	rc = ktstr_pctx__str(c, n, what, &s);
	if (rc != 0) {
		return rc;
	}
	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			return ktstr_pctx__error(c, n, "%s: expected an integer >= %u, got \"%s\"",
						 what, min, s);
		}
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX) {
			return ktstr_pctx__error(c, n, "%s: %s is too large (at most %u)", what, s,
						 UINT32_MAX);
		}
	}
	if (v < min) {
		return ktstr_pctx__error(c, n, "%s: must be at least %u, got %s", what, min, s);
	}
	*out = (uint32_t)v;
	return 0;
}

int ktstr_pctx__duration_ms(struct ktstr_pctx *c, yaml_node_t *n, const char *what, uint32_t *out)
{
	const char *s;
	uint32_t ms;
	int rc;

	if (!ktstr_pctx__is_scalar(n)) {
		return ktstr_pctx__error(
		    c, n,
		    "%s: expected a duration (seconds, or e.g. 500ms, 2s, 1m), "
		    "got %s",
		    what, ktstr_pctx__kind(n));
	}
	rc = ktstr_pctx__str(c, n, what, &s);
	if (rc != 0) {
		return rc;
	}
	rc = ktstr_duration__parse_ms(s, &ms);
	if (rc == -ERANGE) {
		return ktstr_pctx__error(c, n, "%s: duration \"%s\" is too long (at most 49 days)",
					 what, s);
	}
	if (rc != 0) {
		return ktstr_pctx__error(
		    c, n,
		    "%s: expected a duration: whole seconds, or a whole number "
		    "with ms, s or m (e.g. 500ms, 2s, 1m), got \"%s\"",
		    what, s);
	}
	if (ms == 0) {
		return ktstr_pctx__error(c, n, "%s: duration must be greater than zero", what);
	}
	*out = ms;
	return 0;
}

bool ktstr_pctx__name_ok(const char *s)
{
	static const char extra[] = "._+-";

	if (s[0] == '\0' || s[0] == '.' || s[0] == '+' || s[0] == '-') {
		return false;
	}
	for (; *s != '\0'; s++) {
		bool alnum = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			     (*s >= '0' && *s <= '9') || *s == '_';

		if (!alnum && strchr(extra, *s) == NULL) {
			return false;
		}
	}
	return true;
}

int ktstr_pctx__name(struct ktstr_pctx *c, yaml_node_t *n, const char *what, char **out)
{
	const char *s;
	int rc = ktstr_pctx__str(c, n, what, &s);

	if (rc != 0) {
		return rc;
	}
	if (!ktstr_pctx__name_ok(s)) {
		return ktstr_pctx__error(
		    c, n,
		    "%s \"%s\": use only letters, digits and . _ + -, starting "
		    "with a letter, digit or _ (names become part of test names)",
		    what, s);
	}
	*out = strdup(s);
	return *out != NULL ? 0 : -ENOMEM;
}

int ktstr_pctx__dup_error(struct ktstr_pctx *c, const yaml_node_t *at, const char *what,
			  const char *name, const yaml_node_t *first)
{
	return ktstr_pctx__error(c, at, "duplicate %s \"%s\" (first at line %u)", what, name,
				 (unsigned)first->start_mark.line + 1);
}

int ktstr_pkey__name(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	return ktstr_pctx__name(c, val, k->name, (char **)((char *)obj + k->off));
}

int ktstr_pkey__u32(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	return ktstr_pctx__u32(c, val, k->name, 1, (uint32_t *)((char *)obj + k->off));
}

int ktstr_pkey__duration(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
			 void *obj)
{
	return ktstr_pctx__duration_ms(c, val, k->name, (uint32_t *)((char *)obj + k->off));
}

int ktstr_pkey__strdup(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
		       void *obj)
{
	return ktstr_pctx__strdup(c, val, k->name, (char **)((char *)obj + k->off));
}

int ktstr_pkey__strv(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj)
{
	char ***v = (char ***)((char *)obj + k->off);
	size_t *n = (size_t *)((char *)obj + k->off_n);

	if (ktstr_pctx__is_null(val)) {
		return 0;
	}
	/* Reached only once per key (duplicates are rejected), so *v is still unset. */
	return ktstr_pctx__strv(c, val, k->name, v, n);
}
