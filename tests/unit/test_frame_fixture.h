/*
 * Frame lines for host tests, written by the guest's own encoder: the
 * guest's frame.c and base64.c are compiled into the test, so every test
 * that uses this is a guest -> host round trip.
 */
#ifndef KTSTR_TEST_FRAME_FIXTURE_H
#define KTSTR_TEST_FRAME_FIXTURE_H

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <msgpack.h>

#include "../../guest/init/base64.c"
#include "../../guest/init/frame.c"
#include "msgpack_json.h"

/* The frame line for @p n raw payload bytes, without its newline (malloc'd). */
static char *fx_frame_raw(const char type[4], const void *bytes, size_t n)
{
	size_t len;
	char *line;

	if (ktstr_frame__encode(type, bytes, n, &line, &len) != 0) {
		abort();
	}
	line[len - 1] = '\0';
	return line;
}

/* The frame line for a JSON text, packed as the guest packs it (malloc'd, no newline). */
static char *fx_frame(const char type[4], const char *json)
{
	msgpack_sbuffer sbuf;
	msgpack_packer pk;
	json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
	char *line;

	if (v == NULL) {
		abort();
	}
	msgpack_sbuffer_init(&sbuf);
	msgpack_packer_init(&pk, &sbuf, msgpack_sbuffer_write);
	if (ktstr_json__to_msgpack(v, &pk) != 0) {
		abort();
	}
	line = fx_frame_raw(type, sbuf.data, sbuf.size);
	msgpack_sbuffer_destroy(&sbuf);
	json_decref(v);
	return line;
}

#endif
