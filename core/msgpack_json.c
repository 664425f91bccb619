/*
 * msgpack <-> jansson, both directions. Compiled into ktstr_core and into
 * sink plugins (see msgpack_json.h), so it uses nothing but msgpack-c,
 * jansson and libc.
 */
#include "msgpack_json.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
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

	if (n == 0) {
		return json_string(""); /* msgpack-c gives an empty str a NULL pointer */
	}
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

/* Big-endian unsigned integer of @p n bytes at @p p. */
static uint64_t be(const unsigned char *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++) {
		v = (v << 8) | p[i];
	}
	return v;
}

/*
 * Check that @p b is exactly one complete msgpack object whose containers
 * could all be filled from the bytes that follow. msgpack-c allocates a
 * container's elements from the declared count before reading them, so
 * five bytes could otherwise ask for 128 GiB. Walks the bytes once,
 * counting the objects still owed; each needs at least one byte.
 */
static bool plausible(const unsigned char *b, size_t len)
{
	uint64_t owed = 1;
	size_t pos = 0;

	while (owed > 0) {
		uint64_t count = 0, body = 0;
		size_t head = 1;
		unsigned char t;

		if (pos >= len) {
			return false;
		}
		t = b[pos];
		if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3) {
			/* fixint, nil, bool: the type byte is all */
		} else if (t <= 0x8f) {
			count = 2 * (uint64_t)(t & 0x0f);
		} else if (t <= 0x9f) {
			count = t & 0x0f;
		} else if (t <= 0xbf) {
			body = t & 0x1f;
		} else if (t == 0xc1) {
			return false; /* never used */
		} else if (t >= 0xc4 && t <= 0xc9) {
			/* bin 8/16/32, ext 8/16/32 (ext adds a type byte) */
			size_t w = (size_t)1 << ((t - 0xc4) % 3);

			head = 1 + w + (t >= 0xc7);
			if (pos + 1 + w > len) {
				return false;
			}
			body = be(b + pos + 1, w);
		} else if (t <= 0xd3) {
			/* float32/64, uint 8..64, int 8..64 */
			static const unsigned char size[] = { 4, 8, 1, 2, 4, 8, 1, 2, 4, 8 };
			body = size[t - 0xca];
		} else if (t <= 0xd8) {
			body = 1 + ((uint64_t)1 << (t - 0xd4)); /* fixext: type byte + 1..16 */
		} else if (t <= 0xdb) {
			size_t w = (size_t)1 << (t - 0xd9); /* str 8/16/32 */

			head = 1 + w;
			if (pos + head > len) {
				return false;
			}
			body = be(b + pos + 1, w);
		} else {
			size_t w = t == 0xdc || t == 0xde ? 2 : 4; /* array/map 16/32 */

			head = 1 + w;
			if (pos + head > len) {
				return false;
			}
			count = be(b + pos + 1, w) * (t >= 0xde ? 2 : 1);
		}
		if (head > len - pos || body > len - pos - head) {
			return false;
		}
		pos += head + (size_t)body;
		owed = owed - 1 + count;
		if (owed > len - pos) {
			return false;
		}
	}
	return pos == len;
}

int ktstr_msgpack__to_json(const void *buf, size_t len, json_t **out)
{
	msgpack_unpacked u;
	size_t off = 0;
	int rc;

	*out = NULL;
	if (buf == NULL || !plausible(buf, len)) {
		return -EINVAL;
	}
	msgpack_unpacked_init(&u);
	switch (msgpack_unpack_next(&u, buf, len, &off)) {
	case MSGPACK_UNPACK_SUCCESS:
		/* plausible() has made sure this is the whole buffer. */
		rc = ktstr_msgpack__object_to_json(&u.data, out);
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
