/* An entry's metadata.json (upstream kernel cache layout), checked field by field. */
#include "kcache.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* metadata.json is a few hundred bytes; anything this big is not one. */
#define META_MAX_BYTES (1024 * 1024)

static const char *const err_names[] = {
    [KTSTR_KCACHE_OK] = "ok",
    [KTSTR_KCACHE_MISSING] = "missing",
    [KTSTR_KCACHE_UNREADABLE] = "unreadable",
    [KTSTR_KCACHE_SCHEMA_DRIFT] = "schema_drift",
    [KTSTR_KCACHE_MALFORMED] = "malformed",
    [KTSTR_KCACHE_TRUNCATED] = "truncated",
    [KTSTR_KCACHE_PARSE_ERROR] = "parse_error",
    [KTSTR_KCACHE_IMAGE_MISSING] = "image_missing",
    [KTSTR_KCACHE_UNKNOWN] = "unknown",
};

const char *ktstr_kcache_err__name(enum ktstr_kcache_err kind)
{
	return (unsigned)kind < sizeof(err_names) / sizeof(err_names[0]) ? err_names[kind]
									 : "unknown";
}

/* The reason's words per kind, as upstream prints them. */
static const char *err_words(enum ktstr_kcache_err kind)
{
	switch (kind) {
	case KTSTR_KCACHE_SCHEMA_DRIFT:
		return "schema drift";
	case KTSTR_KCACHE_PARSE_ERROR:
		return "parse error";
	default:
		return ktstr_kcache_err__name(kind);
	}
}

struct meta_ctx {
	enum ktstr_kcache_err *kind;
	char *why;
	size_t whylen;
};

__attribute__((format(printf, 3, 4))) static int
meta__bad(const struct meta_ctx *c, enum ktstr_kcache_err kind, const char *fmt, ...)
{
	int n = snprintf(c->why, c->whylen, "metadata.json %s: ", err_words(kind));
	va_list ap;

	*c->kind = kind;
	if (n >= 0 && (size_t)n < c->whylen) {
		va_start(ap, fmt);
		vsnprintf(c->why + n, c->whylen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* Copy string field @p name; null/absent allowed only when !required. */
static int meta__str(const struct meta_ctx *c, json_t *obj, const char *name, bool required,
		     char *out, size_t len)
{
	json_t *v = json_object_get(obj, name);

	out[0] = '\0';
	if (v == NULL || json_is_null(v)) {
		return required
			   ? meta__bad(c, KTSTR_KCACHE_SCHEMA_DRIFT, "field %s is missing", name)
			   : 0;
	}
	if (!json_is_string(v)) {
		return meta__bad(c, KTSTR_KCACHE_SCHEMA_DRIFT, "field %s is not a string", name);
	}
	/* jansson refuses \u0000 unless asked, so the length is the C string's */
	if (json_string_length(v) >= len) {
		return meta__bad(c, KTSTR_KCACHE_MALFORMED, "field %s is longer than %zu bytes",
				 name, len - 1);
	}
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int meta__bool(const struct meta_ctx *c, json_t *obj, const char *name, bool *out)
{
	json_t *v = json_object_get(obj, name);

	if (!json_is_boolean(v)) {
		return meta__bad(c, KTSTR_KCACHE_SCHEMA_DRIFT, "field %s is %s", name,
				 v == NULL ? "missing" : "not a boolean");
	}
	*out = json_is_true(v);
	return 0;
}

/* An optional integer >= 0; -1 when null or absent. */
static int meta__i64(const struct meta_ctx *c, json_t *obj, const char *name, int64_t *out)
{
	json_t *v = json_object_get(obj, name);

	*out = -1;
	if (v == NULL || json_is_null(v)) {
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		return meta__bad(c, KTSTR_KCACHE_SCHEMA_DRIFT,
				 "field %s is not a non-negative integer", name);
	}
	*out = json_integer_value(v);
	return 0;
}

static int meta__source(const struct meta_ctx *c, json_t *root, struct ktstr_kcache_meta *out)
{
	json_t *source = json_object_get(root, "source");
	char *text;
	int rc;

	if (!json_is_object(source)) {
		return meta__bad(c, KTSTR_KCACHE_SCHEMA_DRIFT, "field source is %s",
				 source == NULL ? "missing" : "not an object");
	}
	rc = meta__str(c, source, "type", true, out->source_type, sizeof(out->source_type));
	if (rc < 0) {
		return rc;
	}
	text = json_dumps(source, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text == NULL || strlen(text) >= sizeof(out->source_json)) {
		free(text);
		return meta__bad(c, KTSTR_KCACHE_MALFORMED, "field source is longer than %zu bytes",
				 sizeof(out->source_json) - 1);
	}
	memcpy(out->source_json, text, strlen(text) + 1);
	free(text);
	return 0;
}

static int meta__from_json(const struct meta_ctx *c, json_t *root, struct ktstr_kcache_meta *out)
{
	int rc;

	if (!json_is_object(root)) {
		return meta__bad(c, KTSTR_KCACHE_MALFORMED, "not a JSON object");
	}
	rc = meta__source(c, root, out);
	rc = rc ?: meta__str(c, root, "arch", true, out->arch, sizeof(out->arch));
	rc = rc ?: meta__str(c, root, "image_name", true, out->image_name, sizeof(out->image_name));
	rc = rc ?: meta__str(c, root, "built_at", true, out->built_at, sizeof(out->built_at));
	rc = rc ?: meta__bool(c, root, "has_vmlinux", &out->has_vmlinux);
	rc = rc ?: meta__bool(c, root, "vmlinux_stripped", &out->vmlinux_stripped);
	rc = rc ?: meta__str(c, root, "version", false, out->version, sizeof(out->version));
	rc = rc
		 ?: meta__str(c, root, "config_hash", false, out->config_hash,
			      sizeof(out->config_hash));
	rc = rc
		 ?: meta__str(c, root, "ktstr_kconfig_hash", false, out->kconfig_hash,
			      sizeof(out->kconfig_hash));
	rc = rc ?: meta__i64(c, root, "source_vmlinux_size", &out->source_vmlinux_size);
	rc = rc ?: meta__i64(c, root, "source_vmlinux_mtime_secs", &out->source_vmlinux_mtime_secs);
	if (rc < 0) {
		return rc;
	}
	/* the image is opened as {entry}/{image_name}: it must stay inside the entry */
	if (out->image_name[0] == '\0' || strchr(out->image_name, '/') != NULL ||
	    strcmp(out->image_name, ".") == 0 || strcmp(out->image_name, "..") == 0 ||
	    strcmp(out->image_name, "metadata.json") == 0) {
		return meta__bad(c, KTSTR_KCACHE_MALFORMED, "image_name \"%s\" is not a file name",
				 out->image_name);
	}
	if (out->built_at[0] == '\0') {
		return meta__bad(c, KTSTR_KCACHE_MALFORMED, "built_at is empty");
	}
	return 0;
}

/* jansson's error code -> the corrupt kind (serde's Eof / Syntax / Data split). */
static enum ktstr_kcache_err meta__json_kind(const json_error_t *jerr)
{
	switch (json_error_code(jerr)) {
	case json_error_premature_end_of_input:
		return KTSTR_KCACHE_TRUNCATED;
	case json_error_invalid_syntax:
	case json_error_invalid_format:
	case json_error_invalid_utf8:
	case json_error_null_character:
	case json_error_duplicate_key:
	case json_error_end_of_input_expected:
		return KTSTR_KCACHE_MALFORMED;
	default:
		return KTSTR_KCACHE_PARSE_ERROR;
	}
}

static int meta__finish(json_t *root, const json_error_t *jerr, struct ktstr_kcache_meta *out,
			const struct meta_ctx *c)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->source_vmlinux_size = -1;
	out->source_vmlinux_mtime_secs = -1;
	*c->kind = KTSTR_KCACHE_OK;
	if (root == NULL) {
		return meta__bad(c, meta__json_kind(jerr), "%s (line %d, column %d)", jerr->text,
				 jerr->line, jerr->column);
	}
	rc = meta__from_json(c, root, out);
	json_decref(root);
	return rc;
}

int ktstr_kcache_meta__parse(const char *text, size_t len, struct ktstr_kcache_meta *out,
			     enum ktstr_kcache_err *kind, char *why, size_t whylen)
{
	const struct meta_ctx c = {kind, why, whylen};
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);

	return meta__finish(root, &jerr, out, &c);
}

int ktstr_kcache_meta__load(const char *path, struct ktstr_kcache_meta *out,
			    enum ktstr_kcache_err *kind, char *why, size_t whylen)
{
	const struct meta_ctx c = {kind, why, whylen};
	json_error_t jerr;
	struct stat st = {0};
	json_t *root;
	FILE *f;
	long size;

	f = fopen(path, "rb");
	if (f == NULL && errno == ENOENT) {
		*kind = KTSTR_KCACHE_MISSING;
		snprintf(why, whylen, "metadata.json missing");
		return -ENOENT;
	}
	if (f != NULL && (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode))) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		fclose(f);
		f = NULL;
	}
	if (f == NULL || fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0) {
		int e = errno;

		if (f != NULL) {
			fclose(f);
		}
		meta__bad(&c, KTSTR_KCACHE_UNREADABLE, "%s: %s", path, strerror(e));
		return -e;
	}
	if (size > META_MAX_BYTES) {
		fclose(f);
		meta__bad(&c, KTSTR_KCACHE_MALFORMED, "larger than %d bytes", META_MAX_BYTES);
		return -EFBIG;
	}
	rewind(f);
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	return meta__finish(root, &jerr, out, &c);
}
