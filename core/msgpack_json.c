/*
 * msgpack <-> jansson, both directions. Compiled into ktstr_core and into
 * sink plugins (see msgpack_json.h), so it uses nothing but msgpack-c,
 * jansson and libc.
 */
#include "msgpack_json.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

size_t ktstr_utf8__seq_len(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t len;

	if (n == 0) {
		return 0;
	}
	if (s[0] < 0x80) {
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2, cp = s[0] & 0x1f, min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3, cp = s[0] & 0x0f, min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4, cp = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len) {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8. */
	if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
		return 0;
	}
	return len;
}

/* A jansson string from bytes that may not be UTF-8: bad bytes become U+FFFD. */
static json_t *string_from_bytes(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t bad = 0, o = 0;
	json_t *v;
	char *fixed;

	for (size_t i = 0; i < n;) {
		size_t l = ktstr_utf8__seq_len(s + i, n - i);
		bad += l == 0;
		i += l == 0 ? 1 : l;
	}
	if (bad == 0) {
		return json_stringn(p, n);
	}
	fixed = malloc(n + bad * 2 + 1);
	if (fixed == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < n;) {
		size_t l = ktstr_utf8__seq_len(s + i, n - i);
		if (l == 0) {
			memcpy(fixed + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(fixed + o, p + i, l);
		o += l;
		i += l;
	}
	v = json_stringn(fixed, o);
	free(fixed);
	return v;
}

/* Keys go through the same repair, then into the object (last value wins). */
static int object_set(json_t *obj, const msgpack_object *key, json_t *val)
{
	json_t *k;
	int rc;

	if (key->type != MSGPACK_OBJECT_STR) {
		json_decref(val);
		return -EINVAL;
	}
	k = string_from_bytes(key->via.str.ptr, key->via.str.size);
	if (k == NULL) {
		json_decref(val);
		return -ENOMEM;
	}
	rc = json_object_setn_new(obj, json_string_value(k), json_string_length(k), val);
	json_decref(k);
	return rc == 0 ? 0 : -ENOMEM;
}

int ktstr_msgpack__object_to_json(const msgpack_object *o, json_t **out)
{
	json_t *v = NULL;
	int rc;

	*out = NULL;
	switch (o->type) {
	case MSGPACK_OBJECT_NIL:
		v = json_null();
		break;
	case MSGPACK_OBJECT_BOOLEAN:
		v = json_boolean(o->via.boolean);
		break;
	case MSGPACK_OBJECT_POSITIVE_INTEGER:
		v = o->via.u64 > INT64_MAX ? json_real((double)o->via.u64)
					   : json_integer((json_int_t)o->via.u64);
		break;
	case MSGPACK_OBJECT_NEGATIVE_INTEGER:
		v = json_integer((json_int_t)o->via.i64);
		break;
	case MSGPACK_OBJECT_FLOAT32:
	case MSGPACK_OBJECT_FLOAT64:
		v = isfinite(o->via.f64) ? json_real(o->via.f64) : json_null();
		break;
	case MSGPACK_OBJECT_STR:
		v = string_from_bytes(o->via.str.ptr, o->via.str.size);
		break;
	case MSGPACK_OBJECT_ARRAY:
		v = json_array();
		for (uint32_t i = 0; v != NULL && i < o->via.array.size; i++) {
			json_t *e;

			rc = ktstr_msgpack__object_to_json(&o->via.array.ptr[i], &e);
			if (rc != 0) {
				json_decref(v);
				return rc;
			}
			if (json_array_append_new(v, e) != 0) {
				json_decref(v);
				return -ENOMEM;
			}
		}
		break;
	case MSGPACK_OBJECT_MAP:
		v = json_object();
		for (uint32_t i = 0; v != NULL && i < o->via.map.size; i++) {
			const msgpack_object_kv *kv = &o->via.map.ptr[i];
			json_t *e;

			rc = ktstr_msgpack__object_to_json(&kv->val, &e);
			if (rc == 0) {
				rc = object_set(v, &kv->key, e);
			}
			if (rc != 0) {
				json_decref(v);
				return rc;
			}
		}
		break;
	default: /* bin and ext have no JSON form */
		return -EINVAL;
	}
	if (v == NULL) {
		return -ENOMEM;
	}
	*out = v;
	return 0;
}

int ktstr_msgpack__to_json(const void *buf, size_t len, json_t **out)
{
	msgpack_unpacked u;
	size_t off = 0;
	int rc;

	*out = NULL;
	if (buf == NULL) {
		return -EINVAL;
	}
	msgpack_unpacked_init(&u);
	switch (msgpack_unpack_next(&u, buf, len, &off)) {
	case MSGPACK_UNPACK_SUCCESS:
		/* Trailing bytes mean the buffer is not one record: refuse it. */
		rc = off == len ? ktstr_msgpack__object_to_json(&u.data, out) : -EINVAL;
		break;
	default:
		/*
		 * Including MSGPACK_UNPACK_NOMEM_ERROR: msgpack-c also reports
		 * nesting past its 32-level stack that way, which is bad input.
		 */
		rc = -EINVAL;
		break;
	}
	msgpack_unpacked_destroy(&u);
	return rc;
}

static int pack_value(const json_t *v, msgpack_packer *pk, int depth);

static int pack_str(msgpack_packer *pk, const char *s, size_t n)
{
	if (msgpack_pack_str(pk, n) != 0 || msgpack_pack_str_body(pk, s, n) != 0) {
		return -ENOMEM;
	}
	return 0;
}

static int pack_container(const json_t *v, msgpack_packer *pk, int depth)
{
	const char *key;
	size_t i, klen;
	json_t *e;
	int rc;

	if (depth > KTSTR_MSGPACK_MAX_DEPTH) {
		return -ELOOP;
	}
	if (json_is_array(v)) {
		if (msgpack_pack_array(pk, json_array_size(v)) != 0) {
			return -ENOMEM;
		}
		json_array_foreach(v, i, e) {
			rc = pack_value(e, pk, depth);
			if (rc != 0) {
				return rc;
			}
		}
		return 0;
	}
	if (msgpack_pack_map(pk, json_object_size(v)) != 0) {
		return -ENOMEM;
	}
	/* jansson iterates objects in insertion order, so the key order survives. */
	json_object_keylen_foreach((json_t *)v, key, klen, e) {
		rc = pack_str(pk, key, klen);
		if (rc == 0) {
			rc = pack_value(e, pk, depth);
		}
		if (rc != 0) {
			return rc;
		}
	}
	return 0;
}

static int pack_value(const json_t *v, msgpack_packer *pk, int depth)
{
	int rc = 0;

	if (v == NULL) {
		return -EINVAL;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		return pack_container(v, pk, depth + 1);
	case JSON_STRING:
		return pack_str(pk, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		rc = msgpack_pack_int64(pk, json_integer_value(v));
		break;
	case JSON_REAL:
		rc = msgpack_pack_double(pk, json_real_value(v));
		break;
	case JSON_TRUE:
		rc = msgpack_pack_true(pk);
		break;
	case JSON_FALSE:
		rc = msgpack_pack_false(pk);
		break;
	case JSON_NULL:
		rc = msgpack_pack_nil(pk);
		break;
	}
	return rc == 0 ? 0 : -ENOMEM;
}

int ktstr_json__to_msgpack(const json_t *v, msgpack_packer *pk)
{
	return pack_value(v, pk, 0);
}
