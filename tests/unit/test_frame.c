/* COM2 frames: guest encoder -> host decoder round trips and every rejection. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "frame.h"
#include "test_frame_fixture.h"

static int decode(const char *line, struct ktstr_frame *f, char *why, size_t whylen)
{
	return ktstr_frame__decode(line, strlen(line), f, why, whylen);
}

/* Decoding @p line fails with a reason containing @p needle. */
static void assert_rejected(const char *line, const char *needle)
{
	struct ktstr_frame f;
	char why[256] = "";

	assert_int_equal(decode(line, &f, why, sizeof(why)), -EINVAL);
	assert_null(f.payload);
	if (strstr(why, needle) == NULL) {
		fail_msg("reason \"%s\" lacks \"%s\" for line \"%.80s\"", why, needle, line);
	}
}

static void test_base64_vectors(void **state)
{
	/* RFC 4648 section 10. */
	static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *const out[] = {"",	      "Zg==",	  "Zm8=",    "Zm9v",
					  "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	char buf[16];

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		size_t n = ktstr_base64__encode(in[i], strlen(in[i]), buf);

		assert_int_equal(n, ktstr_base64__encoded_len(strlen(in[i])));
		buf[n] = '\0';
		assert_string_equal(buf, out[i]);
	}
}

static void test_encode_format(void **state)
{
	char *line;
	size_t len;

	/* msgpack {"code":0}: the exact line of docs/protocol-frames.md. */
	assert_int_equal(ktstr_frame__encode("EXIT",
					     "\x81\xa4"
					     "code\x00",
					     7, &line, &len),
			 0);
	assert_string_equal(line, "KTSTR_FRAME 1 EXIT 7 db037b16 gaRjb2RlAA==\n");
	assert_int_equal(len, strlen(line));
	free(line);
	assert_int_equal(ktstr_frame__encode("Exit", "", 0, &line, &len), -EINVAL);
	assert_null(line);
	assert_int_equal(ktstr_frame__encode("EX T", "", 0, &line, &len), -EINVAL);
}

static void roundtrip(const char *type, const char *json, enum ktstr_frame_type want)
{
	json_t *expect = json_loads(json, 0, NULL);
	char *line = fx_frame(type, json), why[256];
	struct ktstr_frame f;

	assert_non_null(expect);
	assert_int_equal(decode(line, &f, why, sizeof(why)), 0);
	assert_int_equal(f.type, want);
	assert_string_equal(ktstr_frame_type__name(f.type), type);
	assert_true(json_equal(f.payload, expect));
	ktstr_frame__release(&f);
	assert_null(f.payload);
	json_decref(expect);
	free(line);
}

static void test_roundtrip_types(void **state)
{
	roundtrip("TEST", "{\"passed\":true,\"skipped\":false,\"details\":[]}", KTSTR_FRAME_TEST);
	roundtrip("STIM",
		  "{\"elapsed_ms\":4,\"label\":\"StepStart[0]\",\"op_kind\":\"ops=1\","
		  "\"total_iterations\":null,\"op_kinds\":16,\"ops\":[\"swap_cpusets\"]}",
		  KTSTR_FRAME_STIM);
	roundtrip("WRKR", "{\"pid\":93,\"iterations\":812345,\"cpu_ns\":1.5e9}", KTSTR_FRAME_WRKR);
	roundtrip("SCHD", "{\"event\":\"exit\",\"reason\":\"\\u00e9\"}", KTSTR_FRAME_SCHD);
	roundtrip("EXIT", "{\"code\":-1}", KTSTR_FRAME_EXIT);
	/* Payload lengths of every residue mod 3 (padding "", "==", "="). */
	roundtrip("STIM", "{\"a\":\"\"}", KTSTR_FRAME_STIM);
	roundtrip("STIM", "{\"a\":\"x\"}", KTSTR_FRAME_STIM);
	roundtrip("STIM", "{\"a\":\"xy\"}", KTSTR_FRAME_STIM);
	roundtrip("STIM", "{}", KTSTR_FRAME_STIM);
}

static void test_roundtrip_large(void **state)
{
	size_t n = 3u << 20;
	char *big = malloc(n + 16), *line, why[256];
	struct ktstr_frame f;

	memcpy(big, "{\"s\":\"", 6);
	memset(big + 6, 'q', n);
	memcpy(big + 6 + n, "\"}", 3);
	line = fx_frame("TEST", big);
	assert_int_equal(decode(line, &f, why, sizeof(why)), 0);
	assert_int_equal(json_string_length(json_object_get(f.payload, "s")), n);
	ktstr_frame__release(&f);
	free(line);
	free(big);
}

static void test_trailing_cr_and_why_null(void **state)
{
	char *line = fx_frame("EXIT", "{\"code\":3}"), *cr;
	struct ktstr_frame f;

	assert_int_equal(asprintf(&cr, "%s\r", line), (int)strlen(line) + 1);
	assert_int_equal(decode(cr, &f, NULL, 0), 0);
	assert_int_equal(json_integer_value(json_object_get(f.payload, "code")), 3);
	ktstr_frame__release(&f);
	/* A second CR or a trailing blank is damage. */
	cr[strlen(cr) - 1] = ' ';
	assert_int_equal(decode(cr, &f, NULL, 0), -EINVAL);
	free(cr);
	free(line);
	ktstr_frame__release(NULL);
}

static void test_is_frame(void **state)
{
	assert_true(ktstr_frame__is_frame("KTSTR_FRAME 1", 13));
	assert_true(ktstr_frame__is_frame("KTSTR_FRAME", 11));
	assert_true(ktstr_frame__is_frame("KTSTR_FRAME\r", 12));
	assert_false(ktstr_frame__is_frame("KTSTR_FRAMES 1", 14));
	assert_false(ktstr_frame__is_frame("KTSTR_FRAM", 10));
	assert_false(ktstr_frame__is_frame("KTSTR_FRAME 1", 10));
	assert_false(ktstr_frame__is_frame(" KTSTR_FRAME 1", 14));
	assert_string_equal(ktstr_frame_type__name((enum ktstr_frame_type)99), "?");
}

/* A copy of @p line with the @p field'th space-separated field (0-based) replaced. */
static char *with_field(const char *line, int field, const char *value)
{
	const char *s = line, *e;
	char *out;

	for (int i = 0; i < field; i++) {
		s = strchr(s, ' ') + 1;
	}
	e = strchr(s, ' ');
	if (e == NULL) {
		e = s + strlen(s);
	}
	out = malloc(strlen(line) + strlen(value) + 1);
	memcpy(out, line, (size_t)(s - line));
	strcpy(out + (s - line), value);
	strcat(out, e);
	return out;
}

static void reject_field(const char *line, int field, const char *value, const char *needle)
{
	char *bad = with_field(line, field, value);

	assert_rejected(bad, needle);
	free(bad);
}

static void test_reject_header(void **state)
{
	char *line = fx_frame("TEST", "{\"passed\":true}");

	reject_field(line, 0, "KTSTR_FRAMEX", "not a frame line");
	reject_field(line, 1, "2", "unsupported frame version 2");
	reject_field(line, 1, "0", "unsupported frame version 0");
	reject_field(line, 1, "x", "bad version");
	reject_field(line, 1, "", "bad version");
	reject_field(line, 1, "1234567890", "bad version");
	reject_field(line, 2, "ABCD", "unknown frame type \"ABCD\"");
	reject_field(line, 2, "test", "unknown frame type \"test\"");
	reject_field(line, 2, "TESTS", "unknown frame type \"TESTS\"");
	reject_field(line, 2, "TES", "unknown frame type");
	reject_field(line, 3, "-9", "bad length");
	reject_field(line, 3, "+9", "bad length");
	reject_field(line, 3, "9x", "bad length");
	reject_field(line, 3, "12345678901", "bad length");
	reject_field(line, 4, "5EDD4372", "bad crc32");
	reject_field(line, 4, "5edd437", "bad crc32");
	reject_field(line, 4, "5edd43720", "bad crc32");
	reject_field(line, 4, "5edd437g", "bad crc32");
	free(line);
}

static void test_reject_length(void **state)
{
	char *line = fx_frame("TEST", "{\"passed\":true}");

	/* One more or one less announced byte than the base64 holds. */
	reject_field(line, 3, "10", "base64 text is 12 characters, 10 payload bytes need 16");
	reject_field(line, 3, "6", "base64 text is 12 characters, 6 payload bytes need 8");
	/* 8 bytes also take 12 characters, the last one '=': the unpadded text is bad base64. */
	reject_field(line, 3, "8", "bad base64 at payload character 12");
	/* 8 MiB is the limit; one byte more is refused before any base64 is read. */
	reject_field(line, 3, "8388609", "8388609 payload bytes, over the 8388608-byte limit");
	reject_field(line, 3, "9999999999", "over the 8388608-byte limit");
	reject_field(line, 3, "8388608", "base64 text is 12 characters");
	free(line);
}

static void test_reject_truncated_every_byte(void **state)
{
	char *line = fx_frame("STIM", "{\"elapsed_ms\":4,\"label\":\"StepStart[0]\"}");
	size_t n = strlen(line);
	struct ktstr_frame f;
	char why[256];

	for (size_t cut = 0; cut < n; cut++) {
		why[0] = '\0';
		assert_int_equal(ktstr_frame__decode(line, cut, &f, why, sizeof(why)), -EINVAL);
		assert_true(why[0] != '\0');
	}
	assert_int_equal(ktstr_frame__decode(line, n, &f, why, sizeof(why)), 0);
	ktstr_frame__release(&f);
	free(line);
}

static void test_reject_crc_and_base64(void **state)
{
	char *line = fx_frame("TEST", "{\"passed\":true}"), *b64;
	char *exitl = fx_frame("EXIT", "{\"code\":0}");

	reject_field(line, 4, "5edd4373", "CRC-32 mismatch (header 5edd4373, payload 5edd4372)");
	/* A flipped payload character is caught by the CRC. */
	b64 = strrchr(line, ' ') + 1;
	b64[3] = b64[3] == 'A' ? 'B' : 'A';
	assert_rejected(line, "CRC-32 mismatch");
	b64[3] = '*';
	assert_rejected(line, "bad base64 at payload character 4");
	b64[3] = '=';
	assert_rejected(line, "bad base64 at payload character 4");
	/* Padding where the length needs none, none where it needs some. */
	reject_field(exitl, 5, "gaRjb2RlAAA=", "bad base64 at payload character 11");
	reject_field(exitl, 5, "gaRjb2RlAA=A", "bad base64 at payload character 12");
	/* Bits past the payload must be zero: one spelling per payload. */
	reject_field(exitl, 5, "gaRjb2RlAB==", "bad base64 at payload character 10");
	free(line);
	free(exitl);
}

static void test_reject_msgpack(void **state)
{
	/* Valid frames around payloads that are not one msgpack map. */
	static const unsigned char arr[] = {0x91, 0x01}, never[] = {0xc1}, two[] = {0x80, 0x80},
				   cut[] = {0x81, 0xa1, 'a'},
				   bin[] = {0x81, 0xa1, 'a', 0xc4, 0x01, 0x00},
				   huge[] = {0xdd, 0xff, 0xff, 0xff, 0xff};
	char *line;

	line = fx_frame_raw("STIM", arr, sizeof(arr));
	assert_rejected(line, "not a msgpack map");
	free(line);
	line = fx_frame_raw("STIM", "", 0);
	assert_rejected(line, "not one well-formed msgpack object");
	free(line);
	line = fx_frame_raw("STIM", never, sizeof(never));
	assert_rejected(line, "not one well-formed msgpack object");
	free(line);
	line = fx_frame_raw("STIM", two, sizeof(two));
	assert_rejected(line, "not one well-formed msgpack object");
	free(line);
	line = fx_frame_raw("STIM", cut, sizeof(cut));
	assert_rejected(line, "not one well-formed msgpack object");
	free(line);
	line = fx_frame_raw("STIM", bin, sizeof(bin));
	assert_rejected(line, "not one well-formed msgpack object");
	free(line);
	line = fx_frame_raw("STIM", huge, sizeof(huge));
	assert_rejected(line, "not one well-formed msgpack object");
	free(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_base64_vectors),
	    cmocka_unit_test(test_encode_format),
	    cmocka_unit_test(test_roundtrip_types),
	    cmocka_unit_test(test_roundtrip_large),
	    cmocka_unit_test(test_trailing_cr_and_why_null),
	    cmocka_unit_test(test_is_frame),
	    cmocka_unit_test(test_reject_header),
	    cmocka_unit_test(test_reject_length),
	    cmocka_unit_test(test_reject_truncated_every_byte),
	    cmocka_unit_test(test_reject_crc_and_base64),
	    cmocka_unit_test(test_reject_msgpack),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
