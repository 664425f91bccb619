/*
 * The result record (docs/result-record.md): the verdict and its one-line
 * reason, the variant hash, and the msgpack map handed to every sink. The
 * record is assembled as a jansson object (insertion order = key order)
 * and packed in one go, so the guest's JSON goes in as-is.
 */
#include "result.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <msgpack.h>
#include <ktstr/sink.h>

#include "msgpack_json.h"
#include "siphash.h"
#include "topo.h"

#define WORK_TYPE "CpuSpin"
#define REASON_MAX 1024

const char *ktstr_verdict__name(enum ktstr_verdict v)
{
	switch (v) {
	case KTSTR_VERDICT_PASS:
		return "PASS";
	case KTSTR_VERDICT_FAIL:
		return "FAIL";
	case KTSTR_VERDICT_SKIP:
		return "SKIP";
	case KTSTR_VERDICT_ERROR:
		return "ERROR";
	}
	return "ERROR";
}

static const char *accel_name(enum ktstr_accel a)
{
	switch (a) {
	case KTSTR_ACCEL_KVM:
		return "kvm";
	case KTSTR_ACCEL_TCG:
		return "tcg";
	case KTSTR_ACCEL_NONE:
		break;
	}
	return "none";
}

/* The guest's result object, or NULL when there is none (or it does not parse). */
static json_t *guest_result(const struct ktstr_result_in *in)
{
	json_t *v;

	if (in->guest == NULL || !in->guest->have_result || in->guest->result_json == NULL) {
		return NULL;
	}
	v = json_loads(in->guest->result_json, JSON_DECODE_ANY, NULL);
	if (v != NULL && !json_is_object(v)) {
		json_decref(v);
		return NULL;
	}
	return v;
}

/* "Kind: message" of the first detail, or @p dflt. */
static void first_detail(const json_t *res, char *buf, size_t len, const char *dflt)
{
	const json_t *d = json_array_get(json_object_get(res, "details"), 0);
	const char *kind = json_string_value(json_object_get(d, "kind"));
	const char *msg = json_string_value(json_object_get(d, "message"));

	if (kind != NULL && msg != NULL) {
		snprintf(buf, len, "%s: %s", kind, msg);
	} else if (msg != NULL || kind != NULL) {
		snprintf(buf, len, "%s", msg != NULL ? msg : kind);
	} else {
		snprintf(buf, len, "%s", dflt);
	}
}

static enum ktstr_verdict no_result(const struct ktstr_result_in *in, char *buf, size_t len)
{
	const struct ktstr_guest_report *g = in->guest;
	const struct ktstr_vm_outcome *vm = in->vm;
	const char *stage = g != NULL ? ktstr_guest_report__stage_text(g) : "the VM did not run";

	if (vm != NULL && vm->cancelled) {
		snprintf(buf, len, "cancelled; %s", stage);
	} else if (vm != NULL && vm->timed_out) {
		snprintf(buf, len, "VM timed out after %" PRIu64 " s; %s",
			 (vm->wall_ms + 500) / 1000, stage);
	} else if (g != NULL && g->have_result) {
		/* Only a report filled by hand gets here: parse validates the result. */
		snprintf(buf, len, "the guest's result is not a JSON object");
	} else if (g != NULL && g->malformed != NULL) {
		snprintf(buf, len, "%s; %s", stage, g->malformed);
	} else {
		snprintf(buf, len, "%s", stage);
	}
	return KTSTR_VERDICT_ERROR;
}

static enum ktstr_verdict decide(const struct ktstr_result_in *in, char *buf, size_t len)
{
	enum ktstr_verdict v;
	json_t *res;

	if (in->skip_reason != NULL) {
		snprintf(buf, len, "%s", in->skip_reason);
		return KTSTR_VERDICT_SKIP;
	}
	if (in->error != NULL) {
		snprintf(buf, len, "%s", in->error);
		return KTSTR_VERDICT_ERROR;
	}
	res = guest_result(in);
	if (res == NULL || (in->vm != NULL && (in->vm->timed_out || in->vm->cancelled))) {
		json_decref(res);
		return no_result(in, buf, len);
	}
	if (json_is_true(json_object_get(res, "skipped"))) {
		first_detail(res, buf, len, "skipped by the guest");
		v = KTSTR_VERDICT_SKIP;
	} else if (json_is_true(json_object_get(res, "passed"))) {
		snprintf(buf, len, "all checks passed");
		v = KTSTR_VERDICT_PASS;
	} else {
		first_detail(res, buf, len, "the guest reported a failure without details");
		v = KTSTR_VERDICT_FAIL;
	}
	json_decref(res);
	return v;
}

enum ktstr_verdict ktstr_result__verdict(const struct ktstr_result_in *in, char *reason,
					 size_t reasonlen)
{
	char buf[REASON_MAX];
	enum ktstr_verdict v = decide(in, buf, sizeof(buf));

	/* One line: guest and harness texts may carry control characters. */
	for (char *p = buf; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			*p = ' ';
		}
	}
	if (reason != NULL && reasonlen > 0) {
		snprintf(reason, reasonlen, "%s", buf);
	}
	return v;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void hash_field(struct ktstr_siphash *s, const char *v)
{
	static const unsigned char sep = 0xff;

	if (v != NULL) {
		ktstr_siphash13__update(s, v, strlen(v));
	}
	ktstr_siphash13__update(s, &sep, 1);
}

int ktstr_result__variant_hash(const struct ktstr_result_in *in, char *buf, size_t len)
{
	const char **flags = NULL;
	struct ktstr_siphash s;
	char topo[64];
	size_t n = 0;

	while (in->active_flags != NULL && in->active_flags[n] != NULL) {
		n++;
	}
	if (n > 0) {
		flags = malloc(n * sizeof(*flags));
		if (flags == NULL) {
			return -ENOMEM;
		}
		memcpy(flags, in->active_flags, n * sizeof(*flags));
		qsort(flags, n, sizeof(*flags), cmp_str);
	}
	ktstr_topo__name(&in->topo, topo, sizeof(topo));
	ktstr_siphash13__init(&s, 0, 0);
	hash_field(&s, topo);
	hash_field(&s, in->scheduler);
	hash_field(&s, ""); /* payload: none yet */
	hash_field(&s, WORK_TYPE);
	for (size_t i = 0; i < n; i++) {
		if (i > 0) {
			ktstr_siphash13__update(&s, ",", 1);
		}
		ktstr_siphash13__update(&s, flags[i], strlen(flags[i]));
	}
	hash_field(&s, NULL);
	hash_field(&s, in->kernel_label);
	hash_field(&s, in->scenario);
	free(flags);
	snprintf(buf, len, "%016" PRIx64, ktstr_siphash13__final(&s));
	return 0;
}

/* The record under construction; the first failure sticks. */
struct rec {
	json_t *o;
	int err;
};

static void put(struct rec *r, const char *key, json_t *v)
{
	if (v == NULL) {
		r->err = r->err != 0 ? r->err : -ENOMEM;
		return;
	}
	if (json_object_set_new(r->o, key, v) != 0) {
		r->err = r->err != 0 ? r->err : -ENOMEM;
	}
}

/* A string, or null for NULL; text that is not UTF-8 is escaped rather than lost. */
static json_t *str(const char *s)
{
	json_t *v;
	char *clean;

	if (s == NULL) {
		return json_null();
	}
	v = json_string(s);
	if (v != NULL || ktstr_console__clean(s, strlen(s), false, &clean) != 0) {
		return v;
	}
	v = json_string(clean);
	free(clean);
	return v;
}

/* A field of the guest's result, copied; @p dflt (owned) when absent. */
static json_t *from_guest(const json_t *res, const char *key, json_t *dflt)
{
	json_t *v = json_object_get(res, key);

	if (v == NULL) {
		return dflt;
	}
	json_decref(dflt);
	return json_deep_copy(v);
}

static json_t *flags_array(const struct ktstr_result_in *in)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && in->active_flags != NULL && in->active_flags[i] != NULL;
	     i++) {
		if (json_array_append_new(a, str(in->active_flags[i])) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* The guest topology: the result's own, else the KTSTR_TOPOLOGY line, else null. */
static json_t *guest_topology(const struct ktstr_result_in *in, const json_t *res)
{
	json_t *v = json_object_get(res, "guest_topology");

	if (v != NULL) {
		return json_deep_copy(v);
	}
	if (in->guest != NULL && in->guest->topology_json != NULL) {
		v = json_loads(in->guest->topology_json, JSON_DECODE_ANY, NULL);
		if (v != NULL) {
			return v;
		}
	}
	return json_null();
}

/*
 * The stimulus events: the result's own list, else the STIM frames (kept
 * even without a valid result: they show how far the scenario got), else [].
 */
static json_t *stimulus_events(const struct ktstr_result_in *in, const json_t *res)
{
	json_t *v = json_object_get(res, "stimulus_events");

	if (json_is_array(v)) {
		return json_deep_copy(v);
	}
	if (in->guest != NULL && in->guest->stimulus_json != NULL) {
		v = json_loads(in->guest->stimulus_json, 0, NULL);
		if (json_is_array(v)) {
			return v;
		}
		json_decref(v);
	}
	return json_array();
}

static json_t *u64_or_null(uint64_t v)
{
	return v == 0 ? json_null() : json_integer((json_int_t)v);
}

/* The upstream SidecarResult fields, in upstream order (docs/result-record.md). */
static void put_upstream(struct rec *r, const struct ktstr_result_in *in, const json_t *res)
{
	const char *kver = in->kernel_version;
	bool host_skip = in->skip_reason != NULL;
	char topo[64];

	if (kver == NULL) {
		kver = json_string_value(json_object_get(res, "kernel_release"));
	}
	ktstr_topo__name(&in->topo, topo, sizeof(topo));
	put(r, "test_name", str(in->test_name));
	put(r, "topology", str(topo));
	put(r, "scheduler", str(in->scheduler));
	put(r, "scheduler_commit", json_null());
	put(r, "project_commit", str(in->project_commit));
	put(r, "payload", json_null());
	put(r, "metrics", json_array());
	put(r, "passed", from_guest(res, "passed", json_boolean(host_skip)));
	put(r, "skipped", from_guest(res, "skipped", json_boolean(host_skip)));
	put(r, "stats", from_guest(res, "stats", json_null()));
	put(r, "monitor", json_null());
	put(r, "stimulus_events", stimulus_events(in, res));
	put(r, "work_type", json_string(WORK_TYPE));
	put(r, "active_flags", flags_array(in));
	put(r, "verifier_stats", json_array());
	put(r, "kvm_stats", json_null());
	put(r, "sysctls", json_array());
	put(r, "kargs", json_array());
	put(r, "kernel_version", str(kver));
	put(r, "kernel_commit", json_null());
	put(r, "timestamp", str(in->timestamp));
	put(r, "run_id", str(in->run_id));
	put(r, "host", json_null());
	put(r, "cleanup_duration_ms", json_integer((json_int_t)in->cleanup_ms));
	put(r, "run_source", json_string(in->ci ? "ci" : "local"));
}

static void put_ktstr(struct rec *r, const struct ktstr_result_in *in, const json_t *res,
		      enum ktstr_verdict v, const char *reason, const char *hash)
{
	const struct ktstr_guest_report *g = in->guest;
	const struct ktstr_vm_outcome *vm = in->vm;

	put(r, "record_version", json_integer(KTSTR_RESULT_RECORD_VERSION));
	put(r, "verdict", json_string(ktstr_verdict__name(v)));
	put(r, "reason", str(reason));
	put(r, "accelerator", json_string(accel_name(in->accel)));
	put(r, "timing_emulated", json_boolean(in->accel != KTSTR_ACCEL_KVM));
	put(r, "wall_ms", json_integer((json_int_t)in->wall_ms));
	put(r, "boot_ms", u64_or_null(in->boot_ms));
	put(r, "stage",
	    g != NULL && !g->have_result ? str(ktstr_guest_report__stage_text(g)) : json_null());
	put(r, "scenario", str(in->scenario));
	put(r, "flagset", str(in->flagset != NULL ? in->flagset : "default"));
	put(r, "kernel_label", str(in->kernel_label));
	put(r, "kernel_image", str(in->kernel_image));
	put(r, "kernel_release", from_guest(res, "kernel_release", json_null()));
	put(r, "guest_topology", guest_topology(in, res));
	put(r, "details", from_guest(res, "details", json_array()));
	put(r, "workers", from_guest(res, "workers", json_null()));
	put(r, "steps", from_guest(res, "steps", json_null()));
	put(r, "isolation", from_guest(res, "isolation", json_null()));
	put(r, "emulated_timing", from_guest(res, "emulated_timing", json_null()));
	put(r, "timing_scale", from_guest(res, "timing_scale", json_null()));
	put(r, "vm_exit_code", vm != NULL ? json_integer(vm->exit_code) : json_null());
	put(r, "guest_exit_code",
	    g != NULL && g->have_exit ? json_integer(g->exit_code) : json_null());
	put(r, "timed_out", json_boolean(vm != NULL && vm->timed_out));
	put(r, "console_tail", v != KTSTR_VERDICT_PASS ? str(in->console_tail) : json_null());
	put(r, "sched_log", str(g != NULL ? g->sched_log : NULL));
	put(r, "frames_ok", json_integer(g != NULL ? g->frames_ok : 0));
	put(r, "frames_bad", json_integer(g != NULL ? g->frames_bad : 0));
	put(r, "frame_error", str(g != NULL ? g->frame_error : NULL));
	put(r, "error", str(in->error));
	put(r, "variant_hash", json_string(hash));
}

int ktstr_result__encode(const struct ktstr_result_in *in, void **out, size_t *len)
{
	struct rec r = { .o = json_object() };
	char reason[REASON_MAX], hash[17];
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	enum ktstr_verdict v;
	json_t *res;
	int rc;

	*out = NULL;
	*len = 0;
	if (r.o == NULL) {
		return -ENOMEM;
	}
	rc = ktstr_result__variant_hash(in, hash, sizeof(hash));
	if (rc != 0) {
		goto err_obj;
	}
	v = ktstr_result__verdict(in, reason, sizeof(reason));
	/* Without a result (or with a timeout) the guest's fields are left out. */
	res = v == KTSTR_VERDICT_ERROR || in->skip_reason != NULL ? NULL : guest_result(in);
	put_upstream(&r, in, res);
	put_ktstr(&r, in, res, v, reason, hash);
	json_decref(res);
	rc = r.err;
	if (rc != 0) {
		goto err_obj;
	}
	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	rc = ktstr_json__to_msgpack(r.o, &pk);
	if (rc != 0) {
		msgpack_sbuffer_destroy(&sbuf);
		goto err_obj;
	}
	json_decref(r.o);
	*len = sbuf.size;
	*out = msgpack_sbuffer_release(&sbuf);
	return 0;

err_obj:
	json_decref(r.o);
	return rc;
}
