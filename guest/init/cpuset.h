/*
 * CpusetSpec and affinity resolution with upstream's formulas (scenarios.md
 * section 1, "CpusetSpec" and "AffinityKind"). Pure functions over a topology.
 */
#ifndef KTSTR_GUEST_CPUSET_H
#define KTSTR_GUEST_CPUSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpumask.h"
#include "work.h"

struct ktstr_guest_topo; /* topology.h, which includes spec.h and so this header */

enum ktstr_cpuset_kind {
	KTSTR_CPUSET_LLC,
	KTSTR_CPUSET_NUMA,
	KTSTR_CPUSET_RANGE,
	KTSTR_CPUSET_DISJOINT,
	KTSTR_CPUSET_OVERLAP,
	KTSTR_CPUSET_EXACT,
};

struct ktstr_cpuset_spec {
	enum ktstr_cpuset_kind kind;
	unsigned index, of;	   /* llc/numa use index only */
	double start, end, frac;   /* range: start..end; overlap: frac */
	struct ktstr_cpumask cpus; /* exact */
};

/* An affinity of a set_affinity op (a Work carries the same in its work spec). */
struct ktstr_affinity {
	enum ktstr_affinity_kind kind; /* work.h */
	struct ktstr_cpumask cpus;     /* exact */
};

/** @brief Every online CPU but the last when there are more than 2 (kept for the root cgroup). */
void ktstr_cpuset__usable(const struct ktstr_guest_topo *t, struct ktstr_cpumask *out);

/**
 * @brief Resolve @p s over the usable CPUs of @p t. The result may be empty
 *        (a range narrower than one CPU); the caller decides what that means.
 * @return 0; -EINVAL with a one-line reason in @p err for of 0, index >= of,
 *         fewer usable CPUs than partitions, a fraction outside [0,1], a
 *         range that ends before it starts, an LLC or node that does not
 *         exist, or an exact set that is empty or names an offline CPU.
 */
int ktstr_cpuset__resolve(const struct ktstr_cpuset_spec *s, const struct ktstr_guest_topo *t,
			  struct ktstr_cpumask *out, char *err, size_t errlen);

/** @brief The spec as text for messages, e.g. "disjoint 1/2" or "llc 0". */
void ktstr_cpuset__describe(const struct ktstr_cpuset_spec *s, char *buf, size_t len);

/** @brief The mask as a kernel cpulist ("0-3,8"); "" when empty; cut to @p len. */
void ktstr_cpuset__format(const struct ktstr_cpumask *m, char *buf, size_t len);

/**
 * @brief One worker's CPU affinity. @p cpuset is the cgroup's cpuset (NULL:
 *        none, every online CPU is the pool). inherit -> no mask;
 *        random_subset -> max(1, |pool|/2) CPUs of the pool drawn with
 *        @p rng; llc_aligned -> the LLC with the largest overlap with the
 *        pool, intersected with it (no mask when nothing overlaps);
 *        cross_cgroup -> every online CPU; single_cpu -> the pool's first
 *        CPU; exact -> the set intersected with the pool.
 * @param rng  xorshift64 state, advanced; must not be 0
 * @param has  false when the worker keeps the affinity it inherits
 * @return 0; -EINVAL (with @p err) when the pool or an exact intersection is empty.
 */
int ktstr_affinity__resolve(const struct ktstr_affinity *a, const struct ktstr_cpumask *cpuset,
			    const struct ktstr_guest_topo *t, uint64_t *rng,
			    struct ktstr_cpumask *out, bool *has, char *err, size_t errlen);

#endif
