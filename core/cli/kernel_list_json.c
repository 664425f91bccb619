/* `ktstr kernel list --json`: the cache as one JSON object. */
#include "kernel_cache_cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static json_t *str_or_null(const char *s)
{
	return s[0] != '\0' ? json_string(s) : json_null();
}

static json_t *int_or_null(int64_t v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

static json_t *valid_json(const struct ktstr_kcache_entry *e, const char *kc)
{
	const struct ktstr_kcache_meta *m = &e->meta;
	json_t *src = json_loads(m->source_json, 0, NULL);

	return json_pack(
	    "{s:s, s:s, s:s, s:I, s:s, s:b, s:o, s:o, s:s, s:s, s:o, s:s, s:o, s:b,"
	    " s:b, s:o, s:o}",
	    "key", e->key, "path", e->path, "image_path", e->image, "size_bytes",
	    (json_int_t)e->size_bytes, "kconfig_status", ktstr_kcache__kconfig_status(m, kc), "eol",
	    0, "version", str_or_null(m->version), "source", src != NULL ? src : json_null(),
	    "arch", m->arch, "image_name", m->image_name, "config_hash",
	    str_or_null(m->config_hash), "built_at", m->built_at, "ktstr_kconfig_hash",
	    str_or_null(m->kconfig_hash), "has_vmlinux", m->has_vmlinux, "vmlinux_stripped",
	    m->vmlinux_stripped, "source_vmlinux_size", int_or_null(m->source_vmlinux_size),
	    "source_vmlinux_mtime_secs", int_or_null(m->source_vmlinux_mtime_secs));
}

static json_t *tmp_json(const char *root, const struct ktstr_kcache_tmp *t)
{
	char path[PATH_MAX + NAME_MAX + 2];

	snprintf(path, sizeof(path), "%s/%s", root, t->name);
	return json_pack("{s:s, s:s, s:o}", "name", t->name, "path", path, "pid",
			 t->pid > 0 ? json_integer(t->pid) : json_null());
}

void kcli__print_json(const char *root, const struct ktstr_kcache_list *l, const char *kc)
{
	json_t *entries = json_array(), *busy = json_array(), *dead = json_array(), *top;
	char *text;

	for (size_t i = 0; i < l->n; i++) {
		const struct ktstr_kcache_entry *e = &l->v[i];
		json_t *o =
		    e->err == KTSTR_KCACHE_OK
			? valid_json(e, kc)
			: json_pack("{s:s, s:s, s:s, s:s}", "key", e->key, "path", e->path, "error",
				    e->why, "error_kind", ktstr_kcache_err__name(e->err));

		if (o == NULL) { /* a directory name that is not UTF-8 */
			fprintf(stderr,
				"ktstr kernel list: %s: name is not UTF-8; left out of the "
				"JSON\n",
				e->path);
		}
		json_array_append_new(entries, o);
	}
	for (size_t i = 0; i < l->ntmp; i++) {
		json_array_append_new(l->tmp[i].alive ? busy : dead, tmp_json(root, &l->tmp[i]));
	}
	/* upstream marks end-of-life series from kernel.org's releases.json; ktstr
	 * does not fetch it, which upstream reports as a failed fetch (eol false) */
	top = json_pack("{s:s, s:o, s:s, s:o, s:o, s:o}", "cache_root", root,
			"current_ktstr_kconfig_hash", kc != NULL ? json_string(kc) : json_null(),
			"active_prefixes_fetch_error",
			"not fetched: ktstr does not ask kernel.org which series are end-of-life",
			"entries", entries, "in_progress", busy, "leftovers", dead);
	text = json_dumps(top, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text != NULL) {
		printf("%s\n", text);
	}
	free(text);
	json_decref(top);
}
