/* msgpack <-> jansson: every type, the lossy corners, the depth limit, UTF-8 checks. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "msgpack_json.h"

struct packed {
	msgpack_sbuffer sb;
	msgpack_packer pk;
};

static void packed_init(struct packed *p)
{
	msgpack_sbuffer_init(&p->sb);
	msgpack_packer_init(&p->pk, &p->sb, msgpack_sbuffer_write);
}

/* Convert what was packed; returns the rc, *out the value. */
static int convert(struct packed *p, json_t **out)
{
	int rc = ktstr_msgpack__to_json(p->sb.data, p->sb.size, out);

	msgpack_sbuffer_destroy(&p->sb);
	return rc;
}

static void test_scalars(void **state)
{
	struct packed p;
	json_t *v;

	packed_init(&p);
	msgpack_pack_array(&p.pk, 11);
	msgpack_pack_nil(&p.pk);
	msgpack_pack_true(&p.pk);
	msgpack_pack_false(&p.pk);
	msgpack_pack_uint64(&p.pk, 42);
	msgpack_pack_int64(&p.pk, -7);
	msgpack_pack_int64(&p.pk, INT64_MIN);
	msgpack_pack_float(&p.pk, 1.5f);
	msgpack_pack_double(&p.pk, -2.25);
	msgpack_pack_str_with_body(&p.pk, "hé", 3);
	msgpack_pack_str(&p.pk, 0);
	msgpack_pack_map(&p.pk, 1);
	msgpack_pack_str(&p.pk, 0);
	msgpack_pack_str(&p.pk, 0);
	assert_int_equal(convert(&p, &v), 0);
	assert_true(json_is_array(v));
	assert_int_equal(json_array_size(v), 11);
	assert_true(json_is_null(json_array_get(v, 0)));
	assert_true(json_is_true(json_array_get(v, 1)));
	assert_true(json_is_false(json_array_get(v, 2)));
	assert_int_equal(json_integer_value(json_array_get(v, 3)), 42);
	assert_int_equal(json_integer_value(json_array_get(v, 4)), -7);
	assert_true(json_integer_value(json_array_get(v, 5)) == INT64_MIN);
	assert_true(json_real_value(json_array_get(v, 6)) == 1.5);
	assert_true(json_real_value(json_array_get(v, 7)) == -2.25);
	assert_string_equal(json_string_value(json_array_get(v, 8)), "hé");
	/* Empty strings and keys (msgpack-c hands them over as NULL pointers). */
	assert_string_equal(json_string_value(json_array_get(v, 9)), "");
	assert_string_equal(json_string_value(json_object_get(json_array_get(v, 10), "")), "");
	json_decref(v);
}

/* Values JSON cannot hold exactly: big uint64 -> real, NaN/Inf -> null. */
static void test_lossy_numbers(void **state)
{
	struct packed p;
	json_t *v;

	packed_init(&p);
	msgpack_pack_array(&p.pk, 5);
	msgpack_pack_uint64(&p.pk, (uint64_t)INT64_MAX);
	msgpack_pack_uint64(&p.pk, UINT64_MAX);
	msgpack_pack_double(&p.pk, NAN);
	msgpack_pack_double(&p.pk, INFINITY);
	msgpack_pack_float(&p.pk, -INFINITY);
	assert_int_equal(convert(&p, &v), 0);
	assert_true(json_is_integer(json_array_get(v, 0)));
	assert_true(json_integer_value(json_array_get(v, 0)) == INT64_MAX);
	assert_true(json_is_real(json_array_get(v, 1)));
	assert_true(json_real_value(json_array_get(v, 1)) == (double)UINT64_MAX);
	assert_true(json_is_null(json_array_get(v, 2)));
	assert_true(json_is_null(json_array_get(v, 3)));
	assert_true(json_is_null(json_array_get(v, 4)));
	json_decref(v);
}

static void test_strings_repaired(void **state)
{
	struct packed p;
	json_t *v;

	packed_init(&p);
	msgpack_pack_map(&p.pk, 2);
	msgpack_pack_str_with_body(&p.pk, "k\xff", 2);	      /* bad key byte */
	msgpack_pack_str_with_body(&p.pk, "a\xc3(b\0c", 6);   /* bad 2-byte seq, NUL kept */
	msgpack_pack_str_with_body(&p.pk, "n\0ul", 4);	      /* key with a NUL */
	msgpack_pack_str_with_body(&p.pk, "\xed\xa0\x80", 3); /* a UTF-16 surrogate */
	assert_int_equal(convert(&p, &v), 0);
	json_t *a = json_object_get(v, "k\xef\xbf\xbd");
	assert_non_null(a);
	assert_int_equal(json_string_length(a), 8);
	assert_memory_equal(json_string_value(a), "a\xef\xbf\xbd(b\0c", 8);
	json_t *b = json_object_getn(v, "n\0ul", 4);
	assert_non_null(b);
	assert_string_equal(json_string_value(b), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	json_decref(v);
}

static void test_map_order_and_duplicates(void **state)
{
	struct packed p;
	const char *key;
	const char *want[] = { "zeta", "alpha", "mid" };
	size_t i = 0;
	json_t *v, *e;

	packed_init(&p);
	msgpack_pack_map(&p.pk, 4);
	msgpack_pack_str_with_body(&p.pk, "zeta", 4);
	msgpack_pack_int64(&p.pk, 1);
	msgpack_pack_str_with_body(&p.pk, "alpha", 5);
	msgpack_pack_int64(&p.pk, 2);
	msgpack_pack_str_with_body(&p.pk, "mid", 3);
	msgpack_pack_int64(&p.pk, 3);
	msgpack_pack_str_with_body(&p.pk, "alpha", 5);
	msgpack_pack_int64(&p.pk, 9);
	assert_int_equal(convert(&p, &v), 0);
	assert_int_equal(json_object_size(v), 3);
	json_object_foreach(v, key, e) {
		assert_string_equal(key, want[i++]);
	}
	assert_int_equal(json_integer_value(json_object_get(v, "alpha")), 9);
	json_decref(v);
}

static void test_rejects(void **state)
{
	static const char ext[] = { (char)0xd4, 0x01, 0x02 };	   /* fixext1 */
	static const char trailing[] = { (char)0xc0, (char)0xc0 }; /* nil nil */
	static const char truncated[] = { (char)0x92, 0x01 };	   /* array of 2, one given */
	static const char bad[] = { (char)0xc1 };		   /* never used */
	struct packed p;
	json_t *v = (json_t *)1;

	packed_init(&p);
	msgpack_pack_map(&p.pk, 1);
	msgpack_pack_int64(&p.pk, 1);
	msgpack_pack_nil(&p.pk);
	assert_int_equal(convert(&p, &v), -EINVAL);
	assert_null(v);

	packed_init(&p);
	msgpack_pack_bin_with_body(&p.pk, "xy", 2);
	assert_int_equal(convert(&p, &v), -EINVAL);

	assert_int_equal(ktstr_msgpack__to_json(ext, sizeof(ext), &v), -EINVAL);
	assert_int_equal(ktstr_msgpack__to_json(trailing, sizeof(trailing), &v), -EINVAL);
	assert_int_equal(ktstr_msgpack__to_json(trailing, 1, &v), 0);
	json_decref(v);
	assert_int_equal(ktstr_msgpack__to_json(truncated, sizeof(truncated), &v), -EINVAL);
	assert_int_equal(ktstr_msgpack__to_json(bad, sizeof(bad), &v), -EINVAL);
	assert_int_equal(ktstr_msgpack__to_json(bad, 0, &v), -EINVAL);
	assert_int_equal(ktstr_msgpack__to_json(NULL, 0, &v), -EINVAL);
}

/* Counts and lengths the bytes cannot back are refused before msgpack-c allocates for them. */
static void test_implausible_sizes(void **state)
{
	static const struct {
		const char *b;
		size_t n;
		int want;
	} cases[] = {
		{ "\xdd\xff\xff\xff\xff", 5, -EINVAL },	    /* array32 of 4G elements */
		{ "\xdf\x80\x00\x00\x00\xc0", 6, -EINVAL }, /* map32 of 2G pairs */
		{ "\xdc\x00\x02\xc0", 4, -EINVAL },	    /* array16 of 2, one given */
		{ "\xdc\x00\x02\xc0\xc0", 5, 0 },
		{ "\xdb\xff\xff\xff\xff"
		  "ab",
		  7, -EINVAL }, /* str32 longer than the buffer */
		{ "\xd9\x02"
		  "ab",
		  4, 0 },
		{ "\xd9", 1, -EINVAL },				  /* str8 without its length */
		{ "\xc6\x00\x00\x00\x01", 5, -EINVAL },		  /* bin32 cut off */
		{ "\xd8\x01", 2, -EINVAL },			  /* fixext16 cut off */
		{ "\xcf\x00\x00\x00\x00\x00\x00\x00\x05", 9, 0 }, /* uint64 */
		{ "\xcf\x00", 2, -EINVAL },
		{ "\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00", 9, 0 }, /* float64 1.0 */
		{ "\x81\xa1k\x91\x90", 5, 0 },			  /* {"k":[[]]} */
		{ "\x81\xa1k", 3, -EINVAL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *v;
		int rc = ktstr_msgpack__to_json(cases[i].b, cases[i].n, &v);

		if (rc != cases[i].want) {
			fail_msg("case %zu: rc %d want %d", i, rc, cases[i].want);
		}
		json_decref(v);
	}
}

/* JSON -> msgpack -> JSON gives back an equal document with the same key order. */
static void test_round_trip(void **state)
{
	const char *text = "{\"b\":1,\"a\":[true,false,null,-3,2.5,\"x\\u0000y\"],"
			   "\"c\":{\"z\":{},\"y\":[]},\"big\":9223372036854775807}";
	json_t *in = json_loads(text, JSON_ALLOW_NUL, NULL), *out;
	const char *key;
	struct packed p;
	void *it;
	json_t *v;

	assert_non_null(in);
	assert_int_equal(json_object_setn_new(in, "e\0k", 3, json_string("")), 0);
	packed_init(&p);
	assert_int_equal(ktstr_json__to_msgpack(in, &p.pk), 0);
	assert_int_equal(convert(&p, &out), 0);
	it = json_object_iter(out);
	json_object_foreach(in, key, v) {
		assert_non_null(it);
		assert_string_equal(key, json_object_iter_key(it));
		assert_int_equal(json_object_iter_key_len(json_object_key_to_iter(key)),
				 json_object_iter_key_len(it));
		it = json_object_iter_next(out, it);
	}
	assert_null(it);
	/* json_equal() looks keys up by C string, so the NUL key is checked on its own. */
	assert_non_null(json_object_getn(out, "e\0k", 3));
	assert_int_equal(json_object_deln(in, "e\0k", 3), 0);
	assert_int_equal(json_object_deln(out, "e\0k", 3), 0);
	assert_true(json_equal(in, out));
	json_decref(in);
	json_decref(out);
}

static json_t *nest(int levels)
{
	json_t *v = json_integer(1);

	for (int i = 0; i < levels; i++) {
		json_t *a = json_array();
		json_array_append_new(a, v);
		v = a;
	}
	return v;
}

/* What the packer accepts, msgpack-c's unpacker reads back; one level more is refused. */
static void test_depth_limit(void **state)
{
	json_t *ok = nest(KTSTR_MSGPACK_MAX_DEPTH), *deep = nest(KTSTR_MSGPACK_MAX_DEPTH + 1), *out;
	struct packed p;

	packed_init(&p);
	assert_int_equal(ktstr_json__to_msgpack(ok, &p.pk), 0);
	assert_int_equal(convert(&p, &out), 0);
	assert_true(json_equal(ok, out));
	json_decref(out);

	packed_init(&p);
	assert_int_equal(ktstr_json__to_msgpack(deep, &p.pk), -ELOOP);
	msgpack_sbuffer_destroy(&p.sb);

	/* The same depth written by hand is beyond the unpacker: our limit is not too strict. */
	packed_init(&p);
	for (int i = 0; i < KTSTR_MSGPACK_MAX_DEPTH + 1; i++) {
		msgpack_pack_array(&p.pk, 1);
	}
	msgpack_pack_nil(&p.pk);
	assert_int_equal(convert(&p, &out), -EINVAL);

	packed_init(&p);
	assert_int_equal(ktstr_json__to_msgpack(NULL, &p.pk), -EINVAL);
	msgpack_sbuffer_destroy(&p.sb);
	json_decref(ok);
	json_decref(deep);
}

static void test_utf8_seq_len(void **state)
{
	static const struct {
		const char *s;
		size_t n, want;
	} cases[] = {
		{ "A", 1, 1 },
		{ "\xc3\xa9", 2, 2 },
		{ "\xe2\x82\xac", 3, 3 },
		{ "\xf0\x9f\x98\x80", 4, 4 },
		{ "\xf4\x8f\xbf\xbf", 4, 4 }, /* U+10FFFF */
		{ "\xf4\x90\x80\x80", 4, 0 }, /* past U+10FFFF */
		{ "\xc0\x80", 2, 0 },	      /* overlong NUL */
		{ "\xe0\x80\xaf", 3, 0 },     /* overlong '/' */
		{ "\xed\xa0\x80", 3, 0 },     /* surrogate */
		{ "\xe2\x82", 2, 0 },	      /* cut off */
		{ "\x80", 1, 0 },	      /* lone continuation */
		{ "\xf8\x88\x80\x80\x80", 5, 0 },
		{ "\xc3\x28", 2, 0 },
		{ "", 0, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t got = ktstr_utf8__seq_len((const unsigned char *)cases[i].s, cases[i].n);

		if (got != cases[i].want) {
			fail_msg("case %zu: got %zu want %zu", i, got, cases[i].want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_lossy_numbers),
		cmocka_unit_test(test_strings_repaired),
		cmocka_unit_test(test_map_order_and_duplicates),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_implausible_sizes),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_utf8_seq_len),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
