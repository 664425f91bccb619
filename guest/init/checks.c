#include "checks.h"

#include <inttypes.h>

int ktstr_checks__cgroup(const struct ktstr_spec_checks *lim, const char *name,
			 const struct ktstr_worker_report *reps, size_t n,
			 const struct ktstr_cgroup_stats *st, struct ktstr_verdict *v)
{
	size_t timed = 0;
	int err = 0, rc;

	if (!lim->not_starved) {
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ktstr_worker_report *r = &reps[i];
		uint64_t gap_ms = r->max_gap_ns / 1000000;

		timed += r->wall_ns > 0;
		if (r->iterations == 0) {
			rc = ktstr_verdict__fail(v, KTSTR_DETAIL_STARVED,
						 "tid %d starved (0 work units)", r->pid);
			err = err ? err : rc;
		}
		if (gap_ms > lim->max_gap_ms) {
			rc = ktstr_verdict__fail(
			    v, KTSTR_DETAIL_STUCK,
			    "tid %d stuck %" PRIu64 "ms on cpu%d at +%" PRIu64 "ms", r->pid, gap_ms,
			    r->max_gap_cpu, r->max_gap_at_ns / 1000000);
			err = err ? err : rc;
		}
	}
	if (timed >= 2 && st->spread > lim->max_spread_pct) {
		rc = ktstr_verdict__fail(
		    v, KTSTR_DETAIL_UNFAIR,
		    "%s: off-CPU spread %.2f%% (min %.2f%%, max %.2f%%) over %zu "
		    "workers exceeds %.2f%%",
		    name, st->spread, st->min_off_cpu_pct, st->max_off_cpu_pct, timed,
		    lim->max_spread_pct);
		err = err ? err : rc;
	}
	return err;
}
