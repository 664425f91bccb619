#include "cache_meta.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* metadata.json is a few hundred bytes; anything this big is not one. */
#define META_MAX_BYTES (1024 * 1024)

/* Copy string field @p name; NULL/absent allowed only when !required. */
static int meta__str(json_t *root, const char *name, bool required, char *out, size_t len,
		     char *why, size_t whylen)
{
	json_t *v = json_object_get(root, name);

	out[0] = '\0';
	if (v == NULL || json_is_null(v)) {
		if (!required) {
			return 0;
		}
		snprintf(why, whylen, "metadata.json schema drift: field %s is missing", name);
		return -EINVAL;
	}
	if (!json_is_string(v)) {
		snprintf(why, whylen, "metadata.json schema drift: field %s is not a string", name);
		return -EINVAL;
	}
	/* jansson refuses \u0000 unless asked, so the length is the C string's */
	if (json_string_length(v) >= len) {
		snprintf(why, whylen, "metadata.json malformed: field %s is longer than %zu bytes",
			 name, len - 1);
		return -EINVAL;
	}
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int meta__bool(json_t *root, const char *name, bool *out, char *why, size_t whylen)
{
	json_t *v = json_object_get(root, name);

	if (!json_is_boolean(v)) {
		snprintf(why, whylen, "metadata.json schema drift: field %s is %s", name,
			 v == NULL ? "missing" : "not a boolean");
		return -EINVAL;
	}
	*out = json_is_true(v);
	return 0;
}

static int meta__from_json(json_t *root, struct ktstr_cache_meta *out, char *why, size_t whylen)
{
	json_t *source = json_object_get(root, "source");
	int rc;

	if (!json_is_object(root)) {
		snprintf(why, whylen, "metadata.json malformed: not a JSON object");
		return -EINVAL;
	}
	if (!json_is_object(source)) {
		snprintf(why, whylen, "metadata.json schema drift: field source is %s",
			 source == NULL ? "missing" : "not an object");
		return -EINVAL;
	}
	rc = meta__str(source, "type", true, out->source_type, sizeof(out->source_type), why,
		       whylen);
	rc = rc ?: meta__str(root, "arch", true, out->arch, sizeof(out->arch), why, whylen);
	rc = rc
		 ?: meta__str(root, "image_name", true, out->image_name, sizeof(out->image_name),
			      why, whylen);
	rc = rc
		 ?: meta__str(root, "built_at", true, out->built_at, sizeof(out->built_at), why,
			      whylen);
	rc = rc ?: meta__bool(root, "has_vmlinux", &out->has_vmlinux, why, whylen);
	rc = rc ?: meta__bool(root, "vmlinux_stripped", &out->vmlinux_stripped, why, whylen);
	rc = rc
		 ?: meta__str(root, "version", false, out->version, sizeof(out->version), why,
			      whylen);
	rc = rc
		 ?: meta__str(root, "config_hash", false, out->config_hash,
			      sizeof(out->config_hash), why, whylen);
	if (rc < 0) {
		return rc;
	}
	/* the image is opened as {entry}/{image_name}: it must stay inside the entry */
	if (out->image_name[0] == '\0' || strchr(out->image_name, '/') != NULL ||
	    strcmp(out->image_name, ".") == 0 || strcmp(out->image_name, "..") == 0) {
		snprintf(why, whylen,
			 "metadata.json malformed: image_name \"%s\" is not a file name",
			 out->image_name);
		return -EINVAL;
	}
	if (out->built_at[0] == '\0') {
		snprintf(why, whylen, "metadata.json malformed: built_at is empty");
		return -EINVAL;
	}
	return 0;
}

static int meta__finish(json_t *root, const json_error_t *jerr, struct ktstr_cache_meta *out,
			char *why, size_t whylen)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (root == NULL) {
		snprintf(why, whylen, "metadata.json parse error: %s (line %d, column %d)",
			 jerr->text, jerr->line, jerr->column);
		return -EINVAL;
	}
	rc = meta__from_json(root, out, why, whylen);
	json_decref(root);
	return rc;
}

int ktstr_cache_meta__parse(const char *text, size_t len, struct ktstr_cache_meta *out, char *why,
			    size_t whylen)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);

	return meta__finish(root, &jerr, out, why, whylen);
}

int ktstr_cache_meta__load(const char *path, struct ktstr_cache_meta *out, char *why, size_t whylen)
{
	json_error_t jerr;
	json_t *root;
	FILE *f;
	long size;

	f = fopen(path, "rb");
	if (f == NULL) {
		int e = errno;

		snprintf(why, whylen, "metadata.json %s: %s",
			 e == ENOENT ? "missing" : "unreadable", strerror(e));
		return -e;
	}
	if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0) {
		int e = errno;

		fclose(f);
		snprintf(why, whylen, "metadata.json unreadable: %s", strerror(e));
		return -e;
	}
	if (size > META_MAX_BYTES) {
		fclose(f);
		snprintf(why, whylen, "metadata.json malformed: larger than %d bytes",
			 META_MAX_BYTES);
		return -EFBIG;
	}
	rewind(f);
	root = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	fclose(f);
	return meta__finish(root, &jerr, out, why, whylen);
}
