#include "cpuset.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "topology.h"

void ktstr_cpuset__usable(const struct ktstr_guest_topo *t, struct ktstr_cpumask *out)
{
	int last = -1;

	*out = t->online;
	for (int c = ktstr_cpumask__next(out, -1); c >= 0; c = ktstr_cpumask__next(out, c)) {
		last = c;
	}
	if (ktstr_cpumask__count(out) > 2) {
		out->bits[last / 64] &= ~(UINT64_C(1) << (last % 64));
	}
}

/* The usable CPUs with positions [lo, hi) in ascending order. */
static void slice(const struct ktstr_cpumask *usable, size_t lo, size_t hi,
		  struct ktstr_cpumask *out)
{
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	for (int c = ktstr_cpumask__next(usable, -1); c >= 0 && pos < hi;
	     c = ktstr_cpumask__next(usable, c), pos++) {
		if (pos >= lo) {
			ktstr_cpumask__set(out, (unsigned)c);
		}
	}
}

static bool is_frac(double f)
{
	return f >= 0.0 && f <= 1.0; /* false for NaN too */
}

static int bad(char *err, size_t errlen, const struct ktstr_cpuset_spec *s, const char *why)
{
	char what[64];

	ktstr_cpuset__describe(s, what, sizeof(what));
	snprintf(err, errlen, "cpuset %s: %s", what, why);
	return -EINVAL;
}

static int partition(const struct ktstr_cpuset_spec *s, const struct ktstr_cpumask *usable,
		     struct ktstr_cpumask *out, char *err, size_t errlen)
{
	size_t n = ktstr_cpumask__count(usable), chunk, lo, hi, widen = 0;
	char why[96];

	if (s->of == 0) {
		return bad(err, errlen, s, "'of' must be at least 1");
	}
	if (s->index >= s->of) {
		return bad(err, errlen, s, "'index' must be below 'of'");
	}
	if (n < s->of) {
		snprintf(why, sizeof(why), "%zu usable CPUs cannot make %u partitions", n, s->of);
		return bad(err, errlen, s, why);
	}
	if (s->kind == KTSTR_CPUSET_OVERLAP && !is_frac(s->frac)) {
		return bad(err, errlen, s, "'frac' must be within [0, 1]");
	}
	chunk = n / s->of;
	if (s->kind == KTSTR_CPUSET_OVERLAP) {
		widen = (size_t)((double)chunk * s->frac);
	}
	lo = s->index * chunk;
	lo = lo > widen ? lo - widen : 0;
	/* The last partition takes the remainder. */
	hi = s->index + 1 == s->of ? n : (s->index + 1) * chunk + widen;
	slice(usable, lo, hi < n ? hi : n, out);
	return 0;
}

static int group(const struct ktstr_cpuset_spec *s, const struct ktstr_cpumask *groups,
		 size_t ngroups, const char *what, struct ktstr_cpumask *out, char *err,
		 size_t errlen)
{
	char why[96];

	if (s->index >= ngroups) {
		snprintf(why, sizeof(why), "the guest has %zu %s%s (numbered from 0)", ngroups,
			 what, ngroups == 1 ? "" : "s");
		return bad(err, errlen, s, why);
	}
	*out = groups[s->index];
	return 0;
}

int ktstr_cpuset__resolve(const struct ktstr_cpuset_spec *s, const struct ktstr_guest_topo *t,
			  struct ktstr_cpumask *out, char *err, size_t errlen)
{
	struct ktstr_cpumask usable, off;
	size_t n;

	ktstr_cpuset__usable(t, &usable);
	n = ktstr_cpumask__count(&usable);
	switch (s->kind) {
	case KTSTR_CPUSET_LLC:
		return group(s, t->llc, t->nllc, "LLC", out, err, errlen);
	case KTSTR_CPUSET_NUMA:
		return group(s, t->node, t->nnode, "NUMA node", out, err, errlen);
	case KTSTR_CPUSET_RANGE:
		if (!is_frac(s->start) || !is_frac(s->end)) {
			return bad(err, errlen, s, "both ends must be fractions within [0, 1]");
		}
		if (s->end < s->start) {
			return bad(err, errlen, s, "the end lies before the start");
		}
		slice(&usable, (size_t)((double)n * s->start), (size_t)((double)n * s->end), out);
		return 0;
	case KTSTR_CPUSET_DISJOINT:
	case KTSTR_CPUSET_OVERLAP:
		return partition(s, &usable, out, err, errlen);
	case KTSTR_CPUSET_EXACT:
		off = s->cpus;
		for (int c = ktstr_cpumask__next(&t->online, -1); c >= 0;
		     c = ktstr_cpumask__next(&t->online, c)) {
			off.bits[c / 64] &= ~(UINT64_C(1) << (c % 64));
		}
		if (ktstr_cpumask__count(&s->cpus) == 0) {
			return bad(err, errlen, s, "the set is empty");
		}
		if (ktstr_cpumask__count(&off) != 0) {
			return bad(err, errlen, s, "it names CPUs the guest does not have online");
		}
		*out = s->cpus;
		return 0;
	}
	return bad(err, errlen, s, "unknown kind");
}

void ktstr_cpuset__format(const struct ktstr_cpumask *m, char *buf, size_t len)
{
	size_t used = 0;
	int c = ktstr_cpumask__next(m, -1);

	if (len == 0) {
		return;
	}
	buf[0] = '\0';
	while (c >= 0 && used < len) {
		int end = c;

		while (ktstr_cpumask__next(m, end) == end + 1) {
			end++;
		}
		used += (size_t)snprintf(buf + used, len - used, end == c ? "%s%d" : "%s%d-%d",
					 used ? "," : "", c, end);
		c = ktstr_cpumask__next(m, end);
	}
}

void ktstr_cpuset__describe(const struct ktstr_cpuset_spec *s, char *buf, size_t len)
{
	char cpus[48];

	switch (s->kind) {
	case KTSTR_CPUSET_LLC:
		snprintf(buf, len, "llc %u", s->index);
		break;
	case KTSTR_CPUSET_NUMA:
		snprintf(buf, len, "numa %u", s->index);
		break;
	case KTSTR_CPUSET_RANGE:
		snprintf(buf, len, "range [%g, %g]", s->start, s->end);
		break;
	case KTSTR_CPUSET_DISJOINT:
		snprintf(buf, len, "disjoint %u/%u", s->index, s->of);
		break;
	case KTSTR_CPUSET_OVERLAP:
		snprintf(buf, len, "overlap %u/%u frac %g", s->index, s->of, s->frac);
		break;
	case KTSTR_CPUSET_EXACT:
		ktstr_cpuset__format(&s->cpus, cpus, sizeof(cpus));
		snprintf(buf, len, "exact [%s]", cpus);
		break;
	}
}
