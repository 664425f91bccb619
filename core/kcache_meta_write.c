/* Writing an entry's metadata.json: upstream field order, pretty-printed. */
#include "kcache.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "fsutil.h"

int ktstr_kcache__crc32_file(const char *path, char out[9])
{
	unsigned char buf[65536];
	uLong crc = crc32(0L, Z_NULL, 0);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		return -errno;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		crc = crc32(crc, buf, (uInt)n);
	}
	if (n < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	close(fd);
	snprintf(out, 9, "%08lx", (unsigned long)crc);
	return 0;
}

/* The "source" object: the fill's JSON (an object with a string "type") or {"type": dflt}. */
static json_t *write__source(const char *text, const char *dflt, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *src;

	if (text == NULL) {
		return json_pack("{s:s}", "type", dflt);
	}
	src = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(src) || !json_is_string(json_object_get(src, "type"))) {
		snprintf(err, errlen,
			 "metadata source %s is not a JSON object with a string \"type\"%s%s", text,
			 src == NULL ? ": " : "", src == NULL ? jerr.text : "");
		json_decref(src);
		return NULL;
	}
	return src;
}

static json_t *str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *int_or_null(int64_t v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

/* What a fill may leave NULL: config_hash from {dir}/config when there is one. */
static const char *write__config_hash(const char *dir, const struct ktstr_entry_meta *m,
				      char buf[9])
{
	char path[PATH_MAX];

	if (m->config_hash != NULL) {
		return m->config_hash;
	}
	snprintf(path, sizeof(path), "%s/config", dir);
	return ktstr_kcache__crc32_file(path, buf) == 0 ? buf : NULL;
}

int ktstr_kcache_meta__write(const char *dir, const struct ktstr_entry_meta *m,
			     const char *default_source_type, bool has_vmlinux, bool stripped,
			     char *err, size_t errlen)
{
	char path[PATH_MAX], crc[9], built_at[32];
	time_t now = time(NULL);
	json_t *root, *src;
	struct tm tm;
	char *text;
	int ret;

	if (m->image_name == NULL || m->image_name[0] == '\0' || strchr(m->image_name, '/')) {
		snprintf(err, errlen, "the fill named no image file (image_name)");
		return -EINVAL;
	}
	src = write__source(m->source_json, default_source_type, err, errlen);
	if (src == NULL) {
		return -EINVAL;
	}
	gmtime_r(&now, &tm);
	strftime(built_at, sizeof(built_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
	root = json_object();
	json_object_set_new(root, "version", str_or_null(m->version));
	json_object_set_new(root, "source", src);
	json_object_set_new(root, "arch", json_string("x86_64"));
	json_object_set_new(root, "image_name", json_string(m->image_name));
	json_object_set_new(root, "config_hash", str_or_null(write__config_hash(dir, m, crc)));
	json_object_set_new(root, "built_at", json_string(built_at));
	json_object_set_new(root, "ktstr_kconfig_hash", str_or_null(m->kconfig_hash));
	json_object_set_new(root, "has_vmlinux", json_boolean(has_vmlinux));
	json_object_set_new(root, "vmlinux_stripped", json_boolean(has_vmlinux && stripped));
	json_object_set_new(root, "source_vmlinux_size", int_or_null(m->source_vmlinux_size));
	json_object_set_new(root, "source_vmlinux_mtime_secs",
			    int_or_null(m->source_vmlinux_mtime_secs));
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (text == NULL) {
		snprintf(err, errlen, "cannot serialize metadata.json (out of memory?)");
		return -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/metadata.json", dir);
	ret = ktstr_fs__write_atomic(path, text, strlen(text), 0644);
	free(text);
	if (ret < 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(-ret));
	}
	return ret;
}
