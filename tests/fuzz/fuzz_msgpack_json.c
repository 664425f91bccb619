/*
 * msgpack -> JSON on arbitrary bytes; whatever converts must survive
 * JSON -> msgpack -> JSON unchanged (compared as compact text, because
 * json_equal() cannot see keys with NUL bytes).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <msgpack.h>

#include "msgpack_json.h"

static char *dump(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);

	if (s == NULL) {
		abort();
	}
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	json_t *a, *b;
	char *ta, *tb;

	if (ktstr_msgpack__to_json(data, size, &a) != 0) {
		return 0;
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if (ktstr_json__to_msgpack(a, &pk) != 0 ||
	    ktstr_msgpack__to_json(sb.data, sb.size, &b) != 0) {
		abort();
	}
	ta = dump(a);
	tb = dump(b);
	if (strcmp(ta, tb) != 0) {
		abort();
	}
	free(ta);
	free(tb);
	json_decref(a);
	json_decref(b);
	msgpack_sbuffer_destroy(&sb);
	return 0;
}
