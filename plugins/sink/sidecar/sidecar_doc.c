/* Record -> sidecar document, and the file name it is stored under. */
#include "sidecar_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Upstream SidecarResult, in its field order; every one is written. */
static const struct {
	const char *key;
	bool list; /* absent -> [] rather than null */
} upstream[] = {
	{ "test_name", false },	     { "topology", false },
	{ "scheduler", false },	     { "scheduler_commit", false },
	{ "project_commit", false }, { "payload", false },
	{ "metrics", true },	     { "passed", false },
	{ "skipped", false },	     { "stats", false },
	{ "monitor", false },	     { "stimulus_events", true },
	{ "work_type", false },	     { "active_flags", true },
	{ "verifier_stats", true },  { "kvm_stats", false },
	{ "sysctls", true },	     { "kargs", true },
	{ "kernel_version", false }, { "kernel_commit", false },
	{ "timestamp", false },	     { "run_id", false },
	{ "host", false },	     { "cleanup_duration_ms", false },
	{ "run_source", false },
};

/* ktstr's own keys come next in this order (when present), then any others in record order. */
static const char *const ours[] = {
	"record_version", "verdict",	     "reason",		"accelerator",
	"timing_emulated", "wall_ms",	     "boot_ms",		"stage",
	"scenario",	  "flagset",	     "kernel_label",	"kernel_image",
	"kernel_release", "guest_topology",  "details",		"workers",
	"steps",	  "isolation",	     "emulated_timing", "timing_scale",
	"vm_exit_code",	  "guest_exit_code", "timed_out",	"console_tail",
	"sched_log",	  "frames_ok",	     "frames_bad",	"frame_error",
	"error",	  "variant_hash",
};

json_t *ktstr_sidecar__doc(const json_t *rec)
{
	json_t *doc = json_object(), *v;
	const char *key;
	size_t klen;

	if (doc == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < sizeof(upstream) / sizeof(upstream[0]); i++) {
		v = json_object_get(rec, upstream[i].key);
		v = v != NULL ? json_incref(v) : upstream[i].list ? json_array() : json_null();
		if (json_object_set_new(doc, upstream[i].key, v) != 0) {
			goto err_doc;
		}
	}
	for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++) {
		v = json_object_get(rec, ours[i]);
		if (v != NULL && json_object_set(doc, ours[i], v) != 0) {
			goto err_doc;
		}
	}
	json_object_keylen_foreach((json_t *)rec, key, klen, v) {
		if (json_object_getn(doc, key, klen) == NULL &&
		    json_object_setn(doc, key, klen, v) != 0) {
			goto err_doc;
		}
	}
	return doc;

err_doc:
	json_decref(doc);
	return NULL;
}

/* Append @p s to buf at *n: '/' -> '-', anything but [A-Za-z0-9._-] -> '_'. */
static void put_safe(char *buf, size_t len, size_t *n, const char *s, size_t max)
{
	for (size_t i = 0; s[i] != '\0' && i < max && *n + 1 < len; i++) {
		char c = s[i];

		if (c == '/') {
			c = '-';
		} else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
			c = '_';
		}
		buf[(*n)++] = c;
	}
	buf[*n] = '\0';
}

void ktstr_sidecar__stem(const json_t *rec, char *buf, size_t len)
{
	const char *name = json_string_value(json_object_get(rec, "test_name"));
	const char *hash = json_string_value(json_object_get(rec, "variant_hash"));
	size_t n = 0;

	if (len == 0) {
		return;
	}
	buf[0] = '\0';
	/* 200 + '-' + 16 hex + "-9999.ktstr.json" stays under NAME_MAX (255). */
	put_safe(buf, len, &n, name != NULL && name[0] != '\0' ? name : "unknown", 200);
	put_safe(buf, len, &n, "-", 1);
	put_safe(buf, len, &n, hash != NULL && hash[0] != '\0' ? hash : "unknown", 16);
}
