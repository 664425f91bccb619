/*
 * Plugin options: check a plugin's option table when it loads, then fill
 * each instance's priv area from its profile section and the defaults.
 */
#include "registry_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "suggest.h"

/* A table this long has almost surely lost its all-zero terminator. */
#define MAX_OPTS 256

int ktstr_opt__parse_int(const char *s, int64_t *out)
{
	long long v;
	char *end;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s)) {
		return -EINVAL;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0') {
		return -EINVAL;
	}
	if (errno == ERANGE) {
		return -ERANGE;
	}
	*out = v;
	return 0;
}

int ktstr_opt__parse_bool(const char *s, bool *out)
{
	static const struct {
		const char *text;
		bool value;
	} words[] = {
		{ "true", true },   { "yes", true }, { "on", true },   { "1", true },
		{ "false", false }, { "no", false }, { "off", false }, { "0", false },
	};

	for (size_t i = 0; s != NULL && i < sizeof(words) / sizeof(words[0]); i++) {
		if (strcasecmp(s, words[i].text) == 0) {
			*out = words[i].value;
			return 0;
		}
	}
	return -EINVAL;
}

static size_t opt_size(enum ktstr_opt_type type)
{
	switch (type) {
	case KTSTR_OPT_STR:
		return sizeof(const char *);
	case KTSTR_OPT_INT:
		return sizeof(int64_t);
	case KTSTR_OPT_BOOL:
		return sizeof(bool);
	}
	return 0;
}

static bool dflt_valid(const struct ktstr_opt_spec *o)
{
	int64_t i;
	bool b;

	if (o->dflt == NULL || o->type == KTSTR_OPT_STR) {
		return true;
	}
	if (o->type == KTSTR_OPT_INT) {
		return ktstr_opt__parse_int(o->dflt, &i) == 0;
	}
	return ktstr_opt__parse_bool(o->dflt, &b) == 0;
}

int ktstr_opt__check_specs(const struct ktstr_opt_spec *specs, size_t priv_size, char *why,
			   size_t whylen)
{
	for (size_t i = 0; specs != NULL && specs[i].name != NULL; i++) {
		const struct ktstr_opt_spec *o = &specs[i];
		size_t size = opt_size(o->type);

		if (i >= MAX_OPTS) {
			snprintf(why, whylen,
				 "it declares more than %d options (is the all-zero terminator of "
				 "its option table missing?)",
				 MAX_OPTS);
			return -EPROTO;
		}
		if (!ktstr_plugin__name_valid(o->name)) {
			snprintf(why, whylen,
				 "option %zu has an invalid name (it must be 1-64 characters of "
				 "a-z, 0-9, '_' and '-')",
				 i);
			return -EPROTO;
		}
		if (size == 0) {
			snprintf(why, whylen, "option \"%s\" has unknown type %d (types: 1 str, "
				 "2 int, 3 bool)", o->name, (int)o->type);
			return -EPROTO;
		}
		if (o->offset > priv_size || size > priv_size - o->offset) {
			snprintf(why, whylen,
				 "option \"%s\" (offset %zu, %zu bytes) lies outside its priv area "
				 "of %zu bytes",
				 o->name, o->offset, size, priv_size);
			return -EPROTO;
		}
		if (!dflt_valid(o)) {
			snprintf(why, whylen, "option \"%s\" has default \"%.64s\", which is not a "
				 "valid %s", o->name, o->dflt,
				 o->type == KTSTR_OPT_INT ? "integer" : "boolean");
			return -EPROTO;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(specs[j].name, o->name) == 0) {
				snprintf(why, whylen, "option \"%s\" is declared twice", o->name);
				return -EPROTO;
			}
		}
	}
	return 0;
}

static const struct ktstr_opt_spec *find_spec(const struct ktstr_opt_spec *specs,
					      const char *name)
{
	for (size_t i = 0; specs != NULL && specs[i].name != NULL; i++) {
		if (strcmp(specs[i].name, name) == 0) {
			return &specs[i];
		}
	}
	return NULL;
}

/* file:line:col of @kv, or of the section when the value is a default. */
static void where(char *buf, size_t len, const struct ktstr_cfg *cfg,
		  const struct ktstr_cfg_kv *kv)
{
	const char *file = cfg != NULL && cfg->file != NULL ? cfg->file : "<profile>";

	if (kv != NULL) {
		snprintf(buf, len, "%s:%u:%u", file, kv->line, kv->col);
	} else if (cfg != NULL) {
		snprintf(buf, len, "%s:%u:%u (default)", file, cfg->line, cfg->col);
	} else {
		snprintf(buf, len, "%s (default)", file);
	}
}

/* "... has no option KEY (did you mean X?; options: a, b)" for an unknown key. */
static int unknown_key(const struct ktstr_inst *inst, const struct ktstr_cfg *cfg,
		       const struct ktstr_cfg_kv *kv, char *err, size_t errlen)
{
	const struct ktstr_opt_spec *specs = inst->plugin->desc.opts;
	const char *cands[MAX_OPTS];
	char pos[512], names[1024] = "", hint[128] = "";
	const char *best;
	size_t n = 0, used = 0;

	for (; specs != NULL && specs[n].name != NULL; n++) {
		cands[n] = specs[n].name;
		if (used < sizeof(names)) {
			/* Truncates silently once full; the list is a hint. */
			used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
						 n > 0 ? ", " : "", cands[n]);
		}
	}
	where(pos, sizeof(pos), cfg, kv);
	if (n == 0) {
		snprintf(err, errlen,
			 "%s: plugin \"%s\" has no option \"%s\" (it takes no options)", pos,
			 inst->plugin->name, kv->key);
		return -EINVAL;
	}
	best = ktstr_suggest__closest(kv->key, cands, n);
	if (best != NULL) {
		snprintf(hint, sizeof(hint), "did you mean \"%s\"?; ", best);
	}
	snprintf(err, errlen, "%s: plugin \"%s\" has no option \"%s\" (%soptions: %s)", pos,
		 inst->plugin->name, kv->key, hint, names);
	return -EINVAL;
}

static int keep_string(struct ktstr_inst *inst, const char *s, char **out)
{
	char **grown = realloc(inst->strs, (inst->nstrs + 1) * sizeof(*grown));

	if (grown == NULL) {
		return -ENOMEM;
	}
	inst->strs = grown;
	inst->strs[inst->nstrs] = strdup(s);
	if (inst->strs[inst->nstrs] == NULL) {
		return -ENOMEM;
	}
	*out = inst->strs[inst->nstrs++];
	return 0;
}

/* Convert @text for @o and store it in priv; @kv is NULL for a default. */
static int store(struct ktstr_inst *inst, const struct ktstr_opt_spec *o, const char *text,
		 const struct ktstr_cfg *cfg, const struct ktstr_cfg_kv *kv, char *err,
		 size_t errlen)
{
	char *dst = (char *)inst->priv + o->offset;
	char pos[512];
	char *s;
	int64_t i;
	bool b;
	int ret;

	switch (o->type) {
	case KTSTR_OPT_STR:
		ret = keep_string(inst, text, &s);
		if (ret == 0) {
			memcpy(dst, &s, sizeof(s));
		}
		return ret;
	case KTSTR_OPT_INT:
		ret = ktstr_opt__parse_int(text, &i);
		if (ret == 0) {
			memcpy(dst, &i, sizeof(i));
			return 0;
		}
		where(pos, sizeof(pos), cfg, kv);
		snprintf(err, errlen,
			 ret == -ERANGE
				 ? "%s: plugin \"%s\" option \"%s\": \"%s\" is out of range for a "
				   "64-bit integer"
				 : "%s: plugin \"%s\" option \"%s\": \"%s\" is not an integer "
				   "(write a whole decimal number, e.g. 42)",
			 pos, inst->plugin->name, o->name, text);
		return -EINVAL;
	case KTSTR_OPT_BOOL:
		ret = ktstr_opt__parse_bool(text, &b);
		if (ret == 0) {
			memcpy(dst, &b, sizeof(b));
			return 0;
		}
		where(pos, sizeof(pos), cfg, kv);
		snprintf(err, errlen,
			 "%s: plugin \"%s\" option \"%s\": \"%s\" is not a boolean (use "
			 "true/false, yes/no, on/off or 1/0)",
			 pos, inst->plugin->name, o->name, text);
		return -EINVAL;
	}
	return -EINVAL;
}

int ktstr_opt__fill(struct ktstr_inst *inst, const struct ktstr_cfg *cfg, char *err,
		    size_t errlen)
{
	const struct ktstr_opt_spec *specs = inst->plugin->desc.opts;
	int ret;

	for (size_t i = 0; cfg != NULL && i < cfg->n; i++) {
		if (find_spec(specs, cfg->kv[i].key) == NULL) {
			return unknown_key(inst, cfg, &cfg->kv[i], err, errlen);
		}
	}
	for (size_t i = 0; specs != NULL && specs[i].name != NULL; i++) {
		const struct ktstr_cfg_kv *kv = ktstr_cfg__find(cfg, specs[i].name);
		const char *text = specs[i].dflt;

		if (kv != NULL) {
			text = kv->value != NULL ? kv->value : "";
		}

		if (text == NULL) {
			continue; /* no value and no default: priv stays zero / NULL */
		}
		ret = store(inst, &specs[i], text, cfg, kv, err, errlen);
		if (ret != 0) {
			return ret;
		}
	}
	return 0;
}
