#include "siphash.h"

#include <endian.h>
#include <string.h>

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

static void sipround(struct ktstr_siphash *s)
{
	s->v0 += s->v1;
	s->v1 = ROTL(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = ROTL(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = ROTL(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = ROTL(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = ROTL(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = ROTL(s->v2, 32);
}

static void absorb(struct ktstr_siphash *s, uint64_t m)
{
	s->v3 ^= m;
	sipround(s); /* c = 1 compression round */
	s->v0 ^= m;
}

void ktstr_siphash13__init(struct ktstr_siphash *s, uint64_t k0, uint64_t k1)
{
	s->v0 = 0x736f6d6570736575ULL ^ k0;
	s->v1 = 0x646f72616e646f6dULL ^ k1;
	s->v2 = 0x6c7967656e657261ULL ^ k0;
	s->v3 = 0x7465646279746573ULL ^ k1;
	s->tail = 0;
	s->ntail = 0;
	s->total = 0;
}

void ktstr_siphash13__update(struct ktstr_siphash *s, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i = 0;

	s->total += len;
	/* Finish a partial word, then take whole little-endian words. */
	for (; i < len && s->ntail != 0; i++) {
		s->tail |= (uint64_t)p[i] << (8 * s->ntail);
		if (++s->ntail == 8) {
			absorb(s, s->tail);
			s->tail = 0;
			s->ntail = 0;
		}
	}
	for (; i + 8 <= len; i += 8) {
		uint64_t m;

		memcpy(&m, p + i, 8);
		absorb(s, le64toh(m));
	}
	for (; i < len; i++) {
		s->tail |= (uint64_t)p[i] << (8 * s->ntail++);
	}
}

uint64_t ktstr_siphash13__final(struct ktstr_siphash *s)
{
	uint64_t b = (s->total << 56) | s->tail;

	absorb(s, b);
	s->v2 ^= 0xff;
	for (int i = 0; i < 3; i++) { /* d = 3 finalization rounds */
		sipround(s);
	}
	return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

uint64_t ktstr_siphash13(uint64_t k0, uint64_t k1, const void *data, size_t len)
{
	struct ktstr_siphash s;

	ktstr_siphash13__init(&s, k0, k1);
	ktstr_siphash13__update(&s, data, len);
	return ktstr_siphash13__final(&s);
}
