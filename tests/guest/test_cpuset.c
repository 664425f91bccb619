#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cpuset.h"
#include "fake_topo.h"

/* Resolve @p s on @p t and return the cpulist (or "ERR: <message>"). */
static const char *resolve(const struct ktstr_cpuset_spec *s, const struct ktstr_guest_topo *t)
{
	static char buf[512];
	struct ktstr_cpumask m;
	char err[256];

	if (ktstr_cpuset__resolve(s, t, &m, err, sizeof(err)) != 0) {
		snprintf(buf, sizeof(buf), "ERR: %s", err);
	} else {
		ktstr_cpuset__format(&m, buf, sizeof(buf));
	}
	return buf;
}

static struct ktstr_cpuset_spec part(enum ktstr_cpuset_kind k, unsigned index, unsigned of,
				     double frac)
{
	return (struct ktstr_cpuset_spec){.kind = k, .index = index, .of = of, .frac = frac};
}

static struct ktstr_cpuset_spec range(double s, double e)
{
	return (struct ktstr_cpuset_spec){.kind = KTSTR_CPUSET_RANGE, .start = s, .end = e};
}

static void usable(void **state)
{
	struct ktstr_guest_topo t;
	struct ktstr_cpumask m;
	char buf[64];

	(void)state;
	for (unsigned n = 1; n <= 4; n++) {
		static const char *const want[] = {"", "0", "0-1", "0-1", "0-2"};

		fake_topo(&t, n, 1, 1);
		ktstr_cpuset__usable(&t, &m);
		ktstr_cpuset__format(&m, buf, sizeof(buf));
		assert_string_equal(buf, want[n]); /* the last CPU is kept back above 2 */
		fake_topo_release(&t);
	}
}

static void disjoint_and_overlap(void **state)
{
	struct ktstr_guest_topo t;
	struct ktstr_cpuset_spec s;

	(void)state;
	fake_topo(&t, 8, 2, 1); /* usable 0-6: n = 7 */
	s = part(KTSTR_CPUSET_DISJOINT, 0, 3, 0);
	assert_string_equal(resolve(&s, &t), "0-1");
	s.index = 1;
	assert_string_equal(resolve(&s, &t), "2-3");
	s.index = 2; /* the last partition takes the remainder */
	assert_string_equal(resolve(&s, &t), "4-6");
	s = part(KTSTR_CPUSET_DISJOINT, 6, 7, 0);
	assert_string_equal(resolve(&s, &t), "6");
	s = part(KTSTR_CPUSET_DISJOINT, 0, 1, 0);
	assert_string_equal(resolve(&s, &t), "0-6");

	/* Overlap: chunk 2, widened by (size_t)(2 * 0.5) = 1 on each side, clamped. */
	s = part(KTSTR_CPUSET_OVERLAP, 0, 3, 0.5);
	assert_string_equal(resolve(&s, &t), "0-2");
	s.index = 1;
	assert_string_equal(resolve(&s, &t), "1-4");
	s.index = 2;
	assert_string_equal(resolve(&s, &t), "3-6");
	s = part(KTSTR_CPUSET_OVERLAP, 1, 3, 0.0); /* frac 0 is disjoint */
	assert_string_equal(resolve(&s, &t), "2-3");
	s = part(KTSTR_CPUSET_OVERLAP, 1, 2, 1.0); /* chunk 3, widen 3 */
	assert_string_equal(resolve(&s, &t), "0-6");
	s = part(KTSTR_CPUSET_OVERLAP, 0, 2, 0.4); /* (size_t)(3 * 0.4) = 1 */
	assert_string_equal(resolve(&s, &t), "0-3");
	fake_topo_release(&t);
}

static void ranges_and_groups(void **state)
{
	struct ktstr_guest_topo t;
	struct ktstr_cpuset_spec s;

	(void)state;
	fake_topo(&t, 8, 4, 2); /* LLCs 0-1,2-3,4-5,6-7; nodes 0-3,4-7; n = 7 */
	s = range(0.25, 0.75);	/* usable[1 .. 5) */
	assert_string_equal(resolve(&s, &t), "1-4");
	s = range(0.0, 1.0);
	assert_string_equal(resolve(&s, &t), "0-6");
	s = range(0.5, 0.5);
	assert_string_equal(resolve(&s, &t), ""); /* empty: the caller skips */
	s = range(0.0, 0.1);
	assert_string_equal(resolve(&s, &t), "");
	s = (struct ktstr_cpuset_spec){.kind = KTSTR_CPUSET_LLC, .index = 3};
	assert_string_equal(resolve(&s, &t), "6-7"); /* the whole LLC, last CPU included */
	s = (struct ktstr_cpuset_spec){.kind = KTSTR_CPUSET_NUMA, .index = 1};
	assert_string_equal(resolve(&s, &t), "4-7");
	s = (struct ktstr_cpuset_spec){.kind = KTSTR_CPUSET_EXACT};
	ktstr_cpumask__set(&s.cpus, 7);
	ktstr_cpumask__set(&s.cpus, 0);
	assert_string_equal(resolve(&s, &t), "0,7");
	fake_topo_release(&t);
}

static void invalid(void **state)
{
	struct ktstr_guest_topo t;
	struct ktstr_cpuset_spec s;

	(void)state;
	fake_topo(&t, 4, 2, 2); /* usable 0-2: n = 3, 2 LLCs, 1 node */
	s = part(KTSTR_CPUSET_DISJOINT, 0, 0, 0);
	assert_string_equal(resolve(&s, &t), "ERR: cpuset disjoint 0/0: 'of' must be at least 1");
	s = part(KTSTR_CPUSET_DISJOINT, 2, 2, 0);
	assert_string_equal(resolve(&s, &t),
			    "ERR: cpuset disjoint 2/2: 'index' must be below 'of'");
	s = part(KTSTR_CPUSET_OVERLAP, 0, 4, 0.5);
	assert_string_equal(resolve(&s, &t),
			    "ERR: cpuset overlap 0/4 frac 0.5: 3 usable CPUs cannot make 4 "
			    "partitions");
	s = part(KTSTR_CPUSET_DISJOINT, 0, 3, 0);
	assert_string_equal(resolve(&s, &t), "0"); /* n == of is fine */
	s = part(KTSTR_CPUSET_OVERLAP, 0, 2, 1.5);
	assert_string_equal(resolve(&s, &t),
			    "ERR: cpuset overlap 0/2 frac 1.5: 'frac' must be within [0, 1]");
	s = part(KTSTR_CPUSET_OVERLAP, 0, 2, -0.1);
	assert_non_null(strstr(resolve(&s, &t), "'frac' must be within [0, 1]"));
	s = part(KTSTR_CPUSET_OVERLAP, 0, 2, NAN);
	assert_non_null(strstr(resolve(&s, &t), "'frac' must be within [0, 1]"));
	s = range(-0.1, 0.5);
	assert_non_null(strstr(resolve(&s, &t), "both ends must be fractions within [0, 1]"));
	s = range(0.5, 1.01);
	assert_non_null(strstr(resolve(&s, &t), "both ends must be fractions"));
	s = range(0.6, 0.5);
	assert_string_equal(resolve(&s, &t),
			    "ERR: cpuset range [0.6, 0.5]: the end lies before the start");
	s = (struct ktstr_cpuset_spec){.kind = KTSTR_CPUSET_LLC, .index = 2};
	assert_string_equal(resolve(&s, &t),
			    "ERR: cpuset llc 2: the guest has 2 LLCs (numbered from 0)");
	s = (struct ktstr_cpuset_spec){.kind = KTSTR_CPUSET_NUMA, .index = 1};
	assert_string_equal(resolve(&s, &t),
			    "ERR: cpuset numa 1: the guest has 1 NUMA node (numbered from 0)");
	s = (struct ktstr_cpuset_spec){.kind = KTSTR_CPUSET_EXACT};
	assert_string_equal(resolve(&s, &t), "ERR: cpuset exact []: the set is empty");
	ktstr_cpumask__set(&s.cpus, 4);
	assert_string_equal(resolve(&s, &t),
			    "ERR: cpuset exact [4]: it names CPUs the guest does not have online");
	fake_topo_release(&t);
}

static void format(void **state)
{
	struct ktstr_cpumask m = {{0}};
	char buf[64], small[6];
	const unsigned cpus[] = {0, 1, 2, 5, 7, 8, 9, 63, 64, 1023};

	(void)state;
	ktstr_cpuset__format(&m, buf, sizeof(buf));
	assert_string_equal(buf, "");
	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++) {
		ktstr_cpumask__set(&m, cpus[i]);
	}
	ktstr_cpuset__format(&m, buf, sizeof(buf));
	assert_string_equal(buf, "0-2,5,7-9,63-64,1023");
	ktstr_cpuset__format(&m, small, sizeof(small)); /* cut, still terminated */
	assert_string_equal(small, "0-2,5");
}

/* Resolve an affinity with pool @p pool (NULL: no cpuset) into text. */
static const char *affinity(enum ktstr_affinity_kind kind, const char *cpus, const char *pool,
			    const struct ktstr_guest_topo *t, uint64_t *rng)
{
	static char buf[512];
	struct ktstr_affinity a = {.kind = kind};
	struct ktstr_cpumask p, m;
	char err[256];
	bool has;

	if (cpus != NULL) {
		assert_int_equal(ktstr_cpumask__parse(cpus, &a.cpus), 0);
	}
	if (pool != NULL) {
		assert_int_equal(ktstr_cpumask__parse(pool, &p), 0);
	}
	if (ktstr_affinity__resolve(&a, pool ? &p : NULL, t, rng, &m, &has, err, sizeof(err))) {
		snprintf(buf, sizeof(buf), "ERR: %s", err);
	} else if (!has) {
		snprintf(buf, sizeof(buf), "none");
	} else {
		ktstr_cpuset__format(&m, buf, sizeof(buf));
	}
	return buf;
}

static void affinities(void **state)
{
	struct ktstr_guest_topo t;
	uint64_t rng = 42;
	bool differ = false;
	char first[64];

	(void)state;
	fake_topo(&t, 8, 2, 1); /* LLCs 0-3, 4-7 */
	assert_string_equal(affinity(KTSTR_AFFINITY_INHERIT, NULL, "1-2", &t, &rng), "none");
	assert_string_equal(affinity(KTSTR_AFFINITY_CROSS_CGROUP, NULL, "1-2", &t, &rng), "0-7");
	assert_string_equal(affinity(KTSTR_AFFINITY_SINGLE_CPU, NULL, "3-5", &t, &rng), "3");
	assert_string_equal(affinity(KTSTR_AFFINITY_SINGLE_CPU, NULL, NULL, &t, &rng), "0");
	assert_string_equal(affinity(KTSTR_AFFINITY_LLC_ALIGNED, NULL, "2-5", &t, &rng), "2-3");
	assert_string_equal(affinity(KTSTR_AFFINITY_LLC_ALIGNED, NULL, "3-6", &t, &rng), "4-6");
	assert_string_equal(affinity(KTSTR_AFFINITY_LLC_ALIGNED, NULL, "9", &t, &rng), "none");
	assert_string_equal(affinity(KTSTR_AFFINITY_EXACT, "1,5", "0-3", &t, &rng), "1");
	assert_string_equal(affinity(KTSTR_AFFINITY_EXACT, "1,5", NULL, &t, &rng), "1,5");
	assert_string_equal(affinity(KTSTR_AFFINITY_EXACT, "6", "0-3", &t, &rng),
			    "ERR: affinity exact: none of its CPUs lies in the cgroup's cpuset");
	assert_string_equal(affinity(KTSTR_AFFINITY_SINGLE_CPU, NULL, "", &t, &rng),
			    "ERR: affinity: the cgroup's cpuset is empty");
	assert_string_equal(affinity(KTSTR_AFFINITY_RANDOM_SUBSET, NULL, "5", &t, &rng), "5");
	/* max(1, |pool| / 2) distinct CPUs of the pool, drawn anew each time. */
	snprintf(first, sizeof(first), "%s",
		 affinity(KTSTR_AFFINITY_RANDOM_SUBSET, NULL, "0-5", &t, &rng));
	for (int i = 0; i < 50; i++) {
		const char *s = affinity(KTSTR_AFFINITY_RANDOM_SUBSET, NULL, "0-5", &t, &rng);
		struct ktstr_cpumask m, pool;

		assert_int_equal(ktstr_cpumask__parse(s, &m), 0);
		assert_int_equal(ktstr_cpumask__count(&m), 3);
		assert_int_equal(ktstr_cpumask__parse("0-5", &pool), 0);
		ktstr_cpumask__and(&m, &pool);
		assert_int_equal(ktstr_cpumask__count(&m), 3);
		differ = differ || strcmp(s, first) != 0;
	}
	assert_true(differ);
	fake_topo_release(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(usable),
	    cmocka_unit_test(disjoint_and_overlap),
	    cmocka_unit_test(ranges_and_groups),
	    cmocka_unit_test(invalid),
	    cmocka_unit_test(format),
	    cmocka_unit_test(affinities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
