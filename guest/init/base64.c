#include "base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t ktstr_base64__encoded_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

size_t ktstr_base64__encode(const void *in, size_t n, char *out)
{
	const unsigned char *s = in;
	size_t o = 0, i = 0;

	for (; i + 3 <= n; i += 3) {
		unsigned v = (unsigned)s[i] << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 0x3f];
		out[o++] = alphabet[(v >> 6) & 0x3f];
		out[o++] = alphabet[v & 0x3f];
	}
	if (i < n) {
		/* One or two bytes left: the missing bits are zero, '=' fills the quad. */
		unsigned v = (unsigned)s[i] << 16 | (i + 1 < n ? (unsigned)s[i + 1] << 8 : 0);

		out[o++] = alphabet[v >> 18];
		out[o++] = alphabet[(v >> 12) & 0x3f];
		out[o++] = i + 1 < n ? alphabet[(v >> 6) & 0x3f] : '=';
		out[o++] = '=';
	}
	return o;
}
