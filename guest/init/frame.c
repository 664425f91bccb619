#include "frame.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "base64.h"

/* "KTSTR_FRAME 1 TEST " + 20 digits of length + " " + 8 hex + " " */
#define HEAD_MAX 64

int ktstr_frame__encode(const char type[4], const void *payload, size_t len, char **line,
			size_t *linelen)
{
	char head[HEAD_MAX], *buf;
	unsigned long crc;
	size_t n, b64;
	int hn;

	*line = NULL;
	*linelen = 0;
	for (int i = 0; i < 4; i++) {
		if (type[i] < 'A' || type[i] > 'Z') {
			return -EINVAL;
		}
	}
	/* zlib's crc32() takes a uInt length: feed it in chunks. */
	crc = crc32(0L, Z_NULL, 0);
	for (size_t off = 0; off < len;) {
		size_t chunk = len - off > (1u << 30) ? (1u << 30) : len - off;

		crc = crc32(crc, (const Bytef *)payload + off, (uInt)chunk);
		off += chunk;
	}
	hn = snprintf(head, sizeof(head), "%s %d %.4s %zu %08lx ", KTSTR_FRAME_TAG,
		      KTSTR_FRAME_VERSION, type, len, crc & 0xffffffffUL);
	b64 = ktstr_base64__encoded_len(len);
	buf = malloc((size_t)hn + b64 + 2);
	if (buf == NULL) {
		return -ENOMEM;
	}
	memcpy(buf, head, (size_t)hn);
	n = (size_t)hn + ktstr_base64__encode(payload, len, buf + hn);
	buf[n++] = '\n';
	buf[n] = '\0';
	*line = buf;
	*linelen = n;
	return 0;
}
