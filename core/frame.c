/*
 * COM2 frame decoder. Checks run cheapest first and nothing is allocated
 * before the announced length is known to be within KTSTR_FRAME_MAX_LEN and
 * to match the base64 text, so a hostile line costs at most its own size.
 */
#include "frame.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "msgpack_json.h"

static const char *const type_names[] = {
    [KTSTR_FRAME_TEST] = "TEST", [KTSTR_FRAME_STIM] = "STIM", [KTSTR_FRAME_WRKR] = "WRKR",
    [KTSTR_FRAME_SCHD] = "SCHD", [KTSTR_FRAME_EXIT] = "EXIT",
};

#define NTYPES (sizeof(type_names) / sizeof(type_names[0]))

const char *ktstr_frame_type__name(enum ktstr_frame_type t)
{
	return (size_t)t < NTYPES ? type_names[t] : "?";
}

bool ktstr_frame__is_frame(const char *line, size_t len)
{
	size_t n = strlen(KTSTR_FRAME_TAG);

	return len >= n && memcmp(line, KTSTR_FRAME_TAG, n) == 0 &&
	       (len == n || line[n] == ' ' || line[n] == '\r');
}

static int fail(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* The next space-terminated field at *pos: [*start, *start + *flen); false at the end. */
static bool field(const char *line, size_t len, size_t *pos, size_t *start, size_t *flen)
{
	const char *sp;

	if (*pos >= len) {
		return false;
	}
	sp = memchr(line + *pos, ' ', len - *pos);
	if (sp == NULL) {
		return false;
	}
	*start = *pos;
	*flen = (size_t)(sp - line) - *pos;
	*pos += *flen + 1;
	return true;
}

/* Decimal of at most @p maxdigits digits, no sign. */
static bool decimal(const char *s, size_t n, size_t maxdigits, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > maxdigits) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return false;
		}
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 26;
	}
	if (c >= '0' && c <= '9') {
		return c - '0' + 52;
	}
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/*
 * Strict base64 of exactly @p n bytes in @p s (4 * ceil(n / 3) characters):
 * padding only where n requires it, unused bits zero, so each payload has
 * one spelling. Returns the offending character's offset or -1 when fine.
 */
static long b64_decode(const char *s, size_t n, unsigned char *out)
{
	size_t o = 0, nchars = (n + 2) / 3 * 4, pad = (3 - n % 3) % 3;

	for (size_t i = 0; i < nchars; i += 4) {
		uint32_t v = 0;

		for (size_t j = 0; j < 4; j++) {
			int d;

			if (i + j >= nchars - pad) {
				if (s[i + j] != '=') {
					return (long)(i + j);
				}
				d = 0;
			} else if ((d = b64_value(s[i + j])) < 0) {
				return (long)(i + j);
			}
			v = v << 6 | (uint32_t)d;
		}
		for (size_t k = 0; k < 3 && o < n; k++) {
			out[o++] = (unsigned char)(v >> (16 - 8 * k));
		}
		/* The last quad's bits past the payload must be zero. */
		if (i + 4 == nchars && pad > 0 && (v & ((1u << (8 * pad)) - 1)) != 0) {
			return (long)(nchars - pad - 1);
		}
	}
	return -1;
}

static unsigned long crc32_of(const unsigned char *p, size_t n)
{
	/* n <= KTSTR_FRAME_MAX_LEN, which fits zlib's uInt. */
	return crc32(crc32(0L, Z_NULL, 0), p, (uInt)n) & 0xffffffffUL;
}

/* The payload: checked against @p crc, then msgpack -> JSON object. */
static int decode_payload(const char *b64, size_t len, unsigned long crc, json_t **out, char *why,
			  size_t whylen)
{
	unsigned char *raw = malloc(len > 0 ? len : 1);
	unsigned long got;
	long bad;
	int rc;

	if (raw == NULL) {
		return -ENOMEM;
	}
	bad = b64_decode(b64, len, raw);
	if (bad >= 0) {
		rc = fail(why, whylen, "bad base64 at payload character %ld", bad + 1);
		goto out_raw;
	}
	got = crc32_of(raw, len);
	if (got != crc) {
		rc = fail(why, whylen, "CRC-32 mismatch (header %08lx, payload %08lx)", crc, got);
		goto out_raw;
	}
	rc = ktstr_msgpack__to_json(raw, len, out);
	if (rc == -EINVAL) {
		rc = fail(why, whylen, "payload is not one well-formed msgpack object");
	} else if (rc == 0 && !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		rc = fail(why, whylen, "payload is not a msgpack map");
	}
out_raw:
	free(raw);
	return rc;
}

int ktstr_frame__decode(const char *line, size_t len, struct ktstr_frame *out, char *why,
			size_t whylen)
{
	size_t pos = 0, s, n, type = NTYPES;
	uint64_t version, plen;
	unsigned long crc;

	memset(out, 0, sizeof(*out));
	if (len > 0 && line[len - 1] == '\r') {
		len--;
	}
	if (!field(line, len, &pos, &s, &n) || n != strlen(KTSTR_FRAME_TAG) ||
	    memcmp(line, KTSTR_FRAME_TAG, n) != 0) {
		return fail(why, whylen, "not a frame line (no \"%s \" at its start)",
			    KTSTR_FRAME_TAG);
	}
	if (!field(line, len, &pos, &s, &n) || !decimal(line + s, n, 9, &version)) {
		return fail(why, whylen, "truncated frame or bad version field");
	}
	if (version != KTSTR_FRAME_VERSION) {
		return fail(why, whylen,
			    "unsupported frame version %llu (this host reads version %d)",
			    (unsigned long long)version, KTSTR_FRAME_VERSION);
	}
	if (!field(line, len, &pos, &s, &n)) {
		return fail(why, whylen, "truncated frame (no type field)");
	}
	for (size_t i = 0; n == 4 && i < NTYPES; i++) {
		if (memcmp(line + s, type_names[i], 4) == 0) {
			type = i;
		}
	}
	if (type == NTYPES) {
		return fail(why, whylen, "unknown frame type \"%.*s\"", n > 8 ? 8 : (int)n,
			    line + s);
	}
	if (!field(line, len, &pos, &s, &n) || !decimal(line + s, n, 10, &plen)) {
		return fail(why, whylen, "truncated frame or bad length field");
	}
	if (plen > KTSTR_FRAME_MAX_LEN) {
		return fail(why, whylen,
			    "frame announces %llu payload bytes, over the %u-byte limit",
			    (unsigned long long)plen, KTSTR_FRAME_MAX_LEN);
	}
	if (!field(line, len, &pos, &s, &n) || n != 8 || strspn(line + s, "0123456789abcdef") < 8) {
		return fail(why, whylen, "truncated frame or bad crc32 field (8 lower-case hex)");
	}
	crc = strtoul(line + s, NULL, 16);
	n = (size_t)(plen + 2) / 3 * 4;
	if (len - pos != n) {
		return fail(why, whylen,
			    "base64 text is %zu characters, %llu payload bytes need %zu "
			    "(line truncated or corrupted)",
			    len - pos, (unsigned long long)plen, n);
	}
	out->type = (enum ktstr_frame_type)type;
	return decode_payload(line + pos, (size_t)plen, crc, &out->payload, why, whylen);
}

void ktstr_frame__release(struct ktstr_frame *f)
{
	if (f == NULL) {
		return;
	}
	json_decref(f->payload);
	f->payload = NULL;
}
