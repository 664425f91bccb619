#include "cpumask.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

void ktstr_cpumask__set(struct ktstr_cpumask *m, unsigned cpu)
{
	if (cpu < KTSTR_MAX_CPUS) {
		m->bits[cpu / 64] |= UINT64_C(1) << (cpu % 64);
	}
}

bool ktstr_cpumask__test(const struct ktstr_cpumask *m, unsigned cpu)
{
	return cpu < KTSTR_MAX_CPUS && (m->bits[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned ktstr_cpumask__count(const struct ktstr_cpumask *m)
{
	unsigned n = 0;

	for (size_t i = 0; i < KTSTR_MAX_CPUS / 64; i++) {
		n += (unsigned)__builtin_popcountll(m->bits[i]);
	}
	return n;
}

bool ktstr_cpumask__equal(const struct ktstr_cpumask *a, const struct ktstr_cpumask *b)
{
	return memcmp(a->bits, b->bits, sizeof(a->bits)) == 0;
}

void ktstr_cpumask__and(struct ktstr_cpumask *a, const struct ktstr_cpumask *b)
{
	for (size_t i = 0; i < KTSTR_MAX_CPUS / 64; i++) {
		a->bits[i] &= b->bits[i];
	}
}

void ktstr_cpumask__or(struct ktstr_cpumask *a, const struct ktstr_cpumask *b)
{
	for (size_t i = 0; i < KTSTR_MAX_CPUS / 64; i++) {
		a->bits[i] |= b->bits[i];
	}
}

int ktstr_cpumask__next(const struct ktstr_cpumask *m, int after)
{
	for (unsigned cpu = (unsigned)(after + 1); cpu < KTSTR_MAX_CPUS; cpu++) {
		uint64_t word = m->bits[cpu / 64] >> (cpu % 64);

		if (word == 0) {
			cpu |= 63; /* skip the rest of this word */
			continue;
		}
		return (int)cpu + __builtin_ctzll(word);
	}
	return -1;
}

/* One decimal CPU number; strtoul alone would accept signs and spaces. */
static int parse_cpu(const char **p, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)**p)) {
		return -EINVAL;
	}
	errno = 0;
	v = strtoul(*p, &end, 10);
	if (errno != 0 || v >= KTSTR_MAX_CPUS) {
		return -ERANGE;
	}
	*p = end;
	*out = (unsigned)v;
	return 0;
}

int ktstr_cpumask__parse(const char *s, struct ktstr_cpumask *out)
{
	const char *p = s;
	size_t len = strlen(s);
	int err;

	memset(out, 0, sizeof(*out));
	while (len > 0 && isspace((unsigned char)s[len - 1])) {
		len--;
	}
	if (len == 0) {
		return 0;
	}
	for (;;) {
		unsigned lo, hi;

		err = parse_cpu(&p, &lo);
		if (err) {
			return err;
		}
		hi = lo;
		if (*p == '-') {
			p++;
			err = parse_cpu(&p, &hi);
			if (err) {
				return err;
			}
			if (hi < lo) {
				return -EINVAL;
			}
		}
		for (unsigned c = lo; c <= hi; c++) {
			ktstr_cpumask__set(out, c);
		}
		if ((size_t)(p - s) == len) {
			return 0;
		}
		if (*p != ',') {
			return -EINVAL;
		}
		p++;
	}
}
