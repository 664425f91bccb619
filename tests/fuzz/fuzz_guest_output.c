/*
 * COM2 transcripts: parse anything without crashing, and keep the report's
 * promises (a result is a JSON object with a boolean "passed", texts are
 * one line / valid UTF-8), then turn it into a record that decodes again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "guest_output.h"
#include "msgpack_json.h"
#include "result.h"

static void check_report(const struct ktstr_guest_report *r)
{
	const char *stage = ktstr_guest_report__stage_text(r);
	json_t *v;

	if (stage == NULL || stage[0] == '\0' || strchr(stage, '\n') != NULL) {
		abort();
	}
	if (r->have_result != (r->result_json != NULL)) {
		abort();
	}
	if (r->have_result) {
		v = json_loads(r->result_json, JSON_DECODE_ANY, NULL);
		if (!json_is_boolean(json_object_get(v, "passed"))) {
			abort();
		}
		json_decref(v);
	}
	if (r->sched_log != NULL) {
		v = json_string(r->sched_log);
		if (v == NULL) {
			abort(); /* not UTF-8 */
		}
		json_decref(v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktstr_vm_outcome vm = { .sz = sizeof(vm), .accel = KTSTR_ACCEL_TCG };
	struct ktstr_guest_report r;
	struct ktstr_result_in in = {
		.test_name = "fuzz",
		.scenario = "steady",
		.topo = { 1, 1, 1, 1 },
		.scheduler = "eevdf",
		.vm = &vm,
		.guest = &r,
	};
	json_t *rec;
	size_t len;
	void *buf;

	if (ktstr_guest_output__parse((const char *)data, size, &r) != 0) {
		return 0;
	}
	check_report(&r);
	if (ktstr_result__encode(&in, &buf, &len) != 0) {
		abort();
	}
	if (ktstr_msgpack__to_json(buf, len, &rec) != 0 || !json_is_object(rec)) {
		abort();
	}
	json_decref(rec);
	free(buf);
	ktstr_guest_report__release(&r);
	return 0;
}
