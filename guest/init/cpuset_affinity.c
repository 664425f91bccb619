/* AffinityKind resolution (cpuset.h). */
#include "cpuset.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "topology.h"

static uint64_t xorshift64(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The @p k-th CPU (from 0) of @p m; @p m holds more than @p k CPUs. */
static int nth(const struct ktstr_cpumask *m, unsigned k)
{
	int c = ktstr_cpumask__next(m, -1);

	while (k-- > 0) {
		c = ktstr_cpumask__next(m, c);
	}
	return c;
}

/* max(1, |pool|/2) distinct CPUs of the pool. */
static void random_subset(const struct ktstr_cpumask *pool, uint64_t *rng,
			  struct ktstr_cpumask *out)
{
	struct ktstr_cpumask left = *pool;
	unsigned n = ktstr_cpumask__count(pool), want = n / 2 ? n / 2 : 1;

	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < want; i++, n--) {
		int c = nth(&left, (unsigned)(xorshift64(rng) % n));

		ktstr_cpumask__set(out, (unsigned)c);
		left.bits[c / 64] &= ~(UINT64_C(1) << (c % 64));
	}
}

/* The LLC sharing the most CPUs with the pool (the first on a tie), intersected with it. */
static bool llc_aligned(const struct ktstr_cpumask *pool, const struct ktstr_guest_topo *t,
			struct ktstr_cpumask *out)
{
	unsigned best = 0;

	for (size_t i = 0; i < t->nllc; i++) {
		struct ktstr_cpumask m = t->llc[i];

		ktstr_cpumask__and(&m, pool);
		if (ktstr_cpumask__count(&m) > best) {
			best = ktstr_cpumask__count(&m);
			*out = m;
		}
	}
	return best > 0;
}

int ktstr_affinity__resolve(const struct ktstr_affinity *a, const struct ktstr_cpumask *cpuset,
			    const struct ktstr_guest_topo *t, uint64_t *rng,
			    struct ktstr_cpumask *out, bool *has, char *err, size_t errlen)
{
	const struct ktstr_cpumask *pool = cpuset ? cpuset : &t->online;

	*has = false;
	memset(out, 0, sizeof(*out));
	if (a->kind == KTSTR_AFFINITY_INHERIT) {
		return 0;
	}
	if (ktstr_cpumask__count(pool) == 0) {
		snprintf(err, errlen, "affinity: the cgroup's cpuset is empty");
		return -EINVAL;
	}
	*has = true;
	switch (a->kind) {
	case KTSTR_AFFINITY_RANDOM_SUBSET:
		random_subset(pool, rng, out);
		break;
	case KTSTR_AFFINITY_LLC_ALIGNED:
		*has = llc_aligned(pool, t, out);
		break;
	case KTSTR_AFFINITY_CROSS_CGROUP:
		*out = t->online;
		break;
	case KTSTR_AFFINITY_SINGLE_CPU:
		ktstr_cpumask__set(out, (unsigned)ktstr_cpumask__next(pool, -1));
		break;
	case KTSTR_AFFINITY_EXACT:
		*out = a->cpus;
		ktstr_cpumask__and(out, pool);
		if (ktstr_cpumask__count(out) == 0) {
			*has = false;
			snprintf(err, errlen,
				 "affinity exact: none of its CPUs lies in the cgroup's cpuset");
			return -EINVAL;
		}
		break;
	case KTSTR_AFFINITY_INHERIT:
		break;
	}
	return 0;
}
