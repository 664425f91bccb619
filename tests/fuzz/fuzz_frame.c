/*
 * One COM2 frame line: decode anything without crashing; what decodes is a
 * JSON object that the guest's encoder (compiled in from guest/init) turns
 * back into a line decoding to the same value; what fails has a reason.
 * The same bytes as a COM2 transcript: frame counts and kept events agree.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <msgpack.h>

#include "../../guest/init/base64.c"
#include "../../guest/init/frame.c"
#include "frame.h"
#include "guest_output.h"
#include "msgpack_json.h"

static void reencode(const struct ktstr_frame *f)
{
	struct ktstr_frame again;
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	size_t len;
	char *line;

	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (ktstr_json__to_msgpack(f->payload, &pk) != 0 ||
	    ktstr_frame__encode(ktstr_frame_type__name(f->type), sbuf.data, sbuf.size, &line,
				&len) != 0) {
		abort();
	}
	/* The line minus its newline decodes to the same type and value. */
	if (ktstr_frame__decode(line, len - 1, &again, NULL, 0) != 0 || again.type != f->type ||
	    !json_equal(again.payload, f->payload)) {
		abort();
	}
	ktstr_frame__release(&again);
	free(line);
	msgpack_sbuffer_destroy(&sbuf);
}

static void transcript(const uint8_t *data, size_t size)
{
	struct ktstr_guest_report r;
	json_t *v;

	if (ktstr_guest_output__parse((const char *)data, size, &r) != 0) {
		return; /* out of memory */
	}
	if ((r.frames_bad > 0) != (r.frame_error != NULL) || r.frames_ok > size / 16 + 1) {
		abort();
	}
	if (r.frame_error != NULL && strchr(r.frame_error, '\n') != NULL) {
		abort();
	}
	if (r.stimulus_json != NULL) {
		v = json_loads(r.stimulus_json, 0, NULL);
		if (!json_is_array(v) || json_array_size(v) == 0 || json_array_size(v) > r.frames_ok) {
			abort();
		}
		json_decref(v);
	}
	if (r.result_from_frame && !r.have_result) {
		abort();
	}
	ktstr_guest_report__release(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktstr_frame f;
	char why[256] = "";
	int rc = ktstr_frame__decode((const char *)data, size, &f, why, sizeof(why));

	if (rc == 0) {
		if (!json_is_object(f.payload)) {
			abort();
		}
		reencode(&f);
		ktstr_frame__release(&f);
	} else if (rc == -EINVAL && why[0] == '\0') {
		abort(); /* every rejection says why */
	} else if (rc != -EINVAL && rc != -ENOMEM) {
		abort();
	}
	transcript(data, size);
	return 0;
}
