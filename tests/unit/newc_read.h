/*
 * A minimal, independent cpio "newc" reader for the tests: it checks what the
 * kernel's unpacker relies on (magic, hex fields, 4-byte alignment, zero
 * padding) so the writer is not only checked against itself.
 */
#ifndef KTSTR_TESTS_NEWC_READ_H
#define KTSTR_TESTS_NEWC_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct newc_ent {
	char name[4096];
	uint32_t ino, mode, uid, gid, nlink, mtime, size;
	const uint8_t *data;
	size_t offset; /* of the header in the buffer */
};

struct newc {
	struct newc_ent *v;
	size_t n;
	bool trailer;  /* stopped at TRAILER!!! */
	size_t end;    /* bytes consumed (after the trailer, before any zero padding) */
};

static inline int newc_hex(const uint8_t *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		int c = p[i], d;

		if (c >= '0' && c <= '9') {
			d = c - '0';
		} else if (c >= 'A' && c <= 'F') {
			d = c - 'A' + 10;
		} else if (c >= 'a' && c <= 'f') {
			d = c - 'a' + 10;
		} else {
			return -1;
		}
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

static inline bool newc_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != 0) {
			return false;
		}
	}
	return true;
}

static inline void newc_free(struct newc *a)
{
	free(a->v);
	memset(a, 0, sizeof(*a));
}

/* Parses entries until TRAILER!!! or the end of @p buf; -1 on any format error. */
static inline int newc_parse(const uint8_t *buf, size_t len, struct newc *a)
{
	size_t pos = 0, cap = 0;

	memset(a, 0, sizeof(*a));
	while (pos < len) {
		uint32_t f[13];
		struct newc_ent *e;
		size_t namesz, npad, dpad;

		if (pos % 4 != 0 || len - pos < 110 || memcmp(buf + pos, "070701", 6) != 0) {
			return -1;
		}
		for (int i = 0; i < 13; i++) {
			if (newc_hex(buf + pos + 6 + 8 * i, &f[i]) != 0) {
				return -1;
			}
		}
		namesz = f[11];
		npad = (4 - ((110 + namesz) & 3)) & 3;
		dpad = (4 - (f[6] & 3)) & 3;
		if (namesz == 0 || namesz > 4096 || len - pos - 110 < namesz + npad ||
		    buf[pos + 110 + namesz - 1] != '\0' ||
		    strlen((const char *)buf + pos + 110) != namesz - 1 ||
		    !newc_zero(buf + pos + 110 + namesz, npad) ||
		    len - pos - 110 - namesz - npad < (size_t)f[6] + dpad ||
		    !newc_zero(buf + pos + 110 + namesz + npad + f[6], dpad)) {
			return -1;
		}
		if (a->n == cap) {
			cap = cap != 0 ? cap * 2 : 64;
			e = realloc(a->v, cap * sizeof(*e));
			if (e == NULL) {
				return -1;
			}
			a->v = e;
		}
		e = &a->v[a->n++];
		memcpy(e->name, buf + pos + 110, namesz);
		e->ino = f[0];
		e->mode = f[1];
		e->uid = f[2];
		e->gid = f[3];
		e->nlink = f[4];
		e->mtime = f[5];
		e->size = f[6];
		e->offset = pos;
		e->data = buf + pos + 110 + namesz + npad;
		pos += 110 + namesz + npad + f[6] + dpad;
		if (strcmp(e->name, "TRAILER!!!") == 0) {
			a->trailer = true;
			break;
		}
	}
	a->end = pos;
	return 0;
}

static inline const struct newc_ent *newc_find(const struct newc *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++) {
		if (strcmp(a->v[i].name, name) == 0) {
			return &a->v[i];
		}
	}
	return NULL;
}

#endif
