#include "checks.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ktstr_check_limits__defaults(struct ktstr_check_limits *l)
{
	*l = (struct ktstr_check_limits){
	    .not_starved = true,
	    .max_gap_ms = KTSTR_CHECK_DEFAULT_GAP_MS,
	    .max_spread_pct = KTSTR_CHECK_DEFAULT_SPREAD_PCT,
	    .max_throughput_cv = INFINITY,
	    .max_p99_wake_latency_ns = INFINITY,
	    .max_median_wake_latency_ns = INFINITY,
	    .max_wake_latency_cv = INFINITY,
	    .max_migration_ratio = INFINITY,
	    .max_run_delay_us = INFINITY,
	};
}

void ktstr_check_limits__from_spec(const struct ktstr_spec_checks *c, struct ktstr_check_limits *l)
{
	/* Same fields, same "off" values (spec.h): a copy, kept explicit for the compiler's checks.
	 */
	*l = (struct ktstr_check_limits){
	    .not_starved = c->not_starved,
	    .isolation = c->isolation,
	    .max_gap_ms = c->max_gap_ms,
	    .max_spread_pct = c->max_spread_pct,
	    .max_throughput_cv = c->max_throughput_cv,
	    .min_work_rate = c->min_work_rate,
	    .max_p99_wake_latency_ns = c->max_p99_wake_latency_ns,
	    .max_median_wake_latency_ns = c->max_median_wake_latency_ns,
	    .max_wake_latency_cv = c->max_wake_latency_cv,
	    .min_iteration_rate = c->min_iteration_rate,
	    .max_migration_ratio = c->max_migration_ratio,
	    .max_run_delay_us = c->max_run_delay_us,
	};
}

/*
 * Under emulation the off-CPU spread is noisy too (vCPUs take turns on the
 * host's TCG thread; 32 Mixed workers on 8 vCPUs measured 16% under EEVDF
 * with the host busy), so the spread limit is at least upstream's own
 * debug-build limit, 35%, which upstream uses for the same reason: noise.
 */
#define EMULATED_MIN_SPREAD_PCT 35.0

void ktstr_check_limits__scale(struct ktstr_check_limits *l, double scale)
{
	double gap = (double)l->max_gap_ms * scale;

	if (!(scale > 1.0)) {
		return;
	}
	if (l->max_spread_pct < EMULATED_MIN_SPREAD_PCT) {
		l->max_spread_pct = EMULATED_MIN_SPREAD_PCT;
	}
	/* UINT64_MAX (off) stays off; doubles: INFINITY * s and 0 / s keep their meaning. */
	l->max_gap_ms = gap >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)gap;
	l->max_p99_wake_latency_ns *= scale;
	l->max_median_wake_latency_ns *= scale;
	l->max_run_delay_us *= scale;
	l->min_work_rate /= scale;
	l->min_iteration_rate /= scale;
}

void ktstr_checks__scale_spec(struct ktstr_spec_checks *c, double scale)
{
	struct ktstr_check_limits l;

	ktstr_check_limits__from_spec(c, &l);
	ktstr_check_limits__scale(&l, scale);
	c->max_gap_ms = l.max_gap_ms;
	c->max_spread_pct = l.max_spread_pct;
	c->max_p99_wake_latency_ns = l.max_p99_wake_latency_ns;
	c->max_median_wake_latency_ns = l.max_median_wake_latency_ns;
	c->max_run_delay_us = l.max_run_delay_us;
	c->min_work_rate = l.min_work_rate;
	c->min_iteration_rate = l.min_iteration_rate;
}

/* Keep the first error; every failure is still recorded as far as memory allows. */
#define FAIL(kind, ...)                                                                            \
	do {                                                                                       \
		int rc_ = ktstr_verdict__fail(v, kind, __VA_ARGS__);                               \
		err = err ? err : rc_;                                                             \
	} while (0)

static double per_sec(uint64_t count, uint64_t ns)
{
	return ns == 0 ? 0.0 : (double)count * 1e9 / (double)ns;
}

static int check_starved(const struct ktstr_check_limits *lim, const char *name,
			 const struct ktstr_worker_report *reps, size_t n,
			 const struct ktstr_cgroup_stats *st, struct ktstr_verdict *v)
{
	size_t timed = 0;
	int err = 0;

	for (size_t i = 0; i < n; i++) {
		const struct ktstr_worker_report *r = &reps[i];
		uint64_t gap_ms = r->max_gap_ns / 1000000;

		if (r->flags & KTSTR_REPORT_F_PAYLOAD) {
			continue;
		}
		timed += r->wall_ns > 0;
		if (r->work_units == 0) {
			FAIL(KTSTR_DETAIL_STARVED, "%s: tid %d starved (0 work units)", name, r->pid);
		}
		if (gap_ms > lim->max_gap_ms) {
			FAIL(KTSTR_DETAIL_STUCK,
			     "%s: tid %d stuck %" PRIu64 "ms on cpu%d at +%" PRIu64 "ms", name,
			     r->pid, gap_ms, r->max_gap_cpu, r->max_gap_at_ns / 1000000);
		}
	}
	if (timed >= 2 && st->spread > lim->max_spread_pct) {
		FAIL(KTSTR_DETAIL_UNFAIR,
		     "%s: off-CPU spread %.2f%% (min %.2f%%, max %.2f%%) over %zu workers exceeds "
		     "%.2f%%",
		     name, st->spread, st->min_off_cpu_pct, st->max_off_cpu_pct, timed,
		     lim->max_spread_pct);
	}
	return err;
}

/* Throughput: work units per CPU second; CV over >= 2 workers, minimum per worker. */
static int check_throughput(const struct ktstr_check_limits *lim, const char *name,
			    const struct ktstr_worker_report *reps, size_t n,
			    struct ktstr_verdict *v)
{
	double *rates;
	size_t m = 0;
	int err = 0;

	if (lim->max_throughput_cv == INFINITY && !(lim->min_work_rate > 0.0)) {
		return 0;
	}
	rates = malloc((n ? n : 1) * sizeof(*rates));
	if (rates == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ktstr_worker_report *r = &reps[i];

		if (r->flags & KTSTR_REPORT_F_PAYLOAD) {
			continue;
		}
		rates[m++] = per_sec(r->work_units, r->cpu_ns);
		if (rates[m - 1] < lim->min_work_rate) {
			FAIL(KTSTR_DETAIL_BENCHMARK,
			     "%s: tid %d work rate %.1f units/cpu-s below %.1f", name, r->pid,
			     rates[m - 1], lim->min_work_rate);
		}
	}
	if (m >= 2) {
		double cv = ktstr_stats__cv(rates, m);

		if (cv > lim->max_throughput_cv) {
			FAIL(KTSTR_DETAIL_BENCHMARK,
			     "%s: throughput CV %.3f over %zu workers exceeds %.3f", name, cv, m,
			     lim->max_throughput_cv);
		}
	}
	free(rates);
	return err;
}

static int check_benchmarks(const struct ktstr_check_limits *lim, const char *name,
			    const struct ktstr_worker_report *reps, size_t n,
			    const struct ktstr_cgroup_stats *st, struct ktstr_verdict *v)
{
	double p99_ns = st->p99_wake_latency_us * 1000.0;
	double median_ns = st->median_wake_latency_us * 1000.0;
	int err = 0;

	if (p99_ns > lim->max_p99_wake_latency_ns) {
		FAIL(KTSTR_DETAIL_BENCHMARK, "%s: p99 wake latency %.0fns exceeds %.0fns", name,
		     p99_ns, lim->max_p99_wake_latency_ns);
	}
	if (median_ns > lim->max_median_wake_latency_ns) {
		FAIL(KTSTR_DETAIL_BENCHMARK, "%s: median wake latency %.0fns exceeds %.0fns", name,
		     median_ns, lim->max_median_wake_latency_ns);
	}
	if (st->wake_latency_cv > lim->max_wake_latency_cv) {
		FAIL(KTSTR_DETAIL_BENCHMARK, "%s: wake latency CV %.3f exceeds %.3f", name,
		     st->wake_latency_cv, lim->max_wake_latency_cv);
	}
	for (size_t i = 0; i < n; i++) {
		const struct ktstr_worker_report *r = &reps[i];
		double rate = per_sec(r->iterations, r->wall_ns);
		double delay_us = (double)r->run_delay_ns / 1000.0;

		if (r->flags & KTSTR_REPORT_F_PAYLOAD) {
			continue;
		}
		if (rate < lim->min_iteration_rate) {
			FAIL(KTSTR_DETAIL_BENCHMARK,
			     "%s: tid %d iteration rate %.1f/s below %.1f/s", name, r->pid, rate,
			     lim->min_iteration_rate);
		}
		if (delay_us > lim->max_run_delay_us) {
			FAIL(KTSTR_DETAIL_BENCHMARK, "%s: tid %d run delay %.1fus exceeds %.1fus",
			     name, r->pid, delay_us, lim->max_run_delay_us);
		}
	}
	if (st->migration_ratio > lim->max_migration_ratio) {
		FAIL(KTSTR_DETAIL_MIGRATION,
		     "%s: migration ratio %.6f (%" PRIu64 " migrations / %" PRIu64
		     " iterations) exceeds %.6f",
		     name, st->migration_ratio, st->total_migrations, st->total_iterations,
		     lim->max_migration_ratio);
	}
	return err;
}

/* "{0-3,5}" for messages; truncated with "..." when it does not fit. */
static void format_cpus(const struct ktstr_cpumask *m, char *buf, size_t len)
{
	size_t at = 0;
	int c = ktstr_cpumask__next(m, -1);

	at += (size_t)snprintf(buf, len, "{");
	while (c >= 0 && at < len) {
		int end = c;

		while (ktstr_cpumask__next(m, end) == end + 1) {
			end++;
		}
		at +=
		    (size_t)(end > c ? snprintf(buf + at, len - at, "%s%d-%d", at > 1 ? "," : "", c,
						end)
				     : snprintf(buf + at, len - at, "%s%d", at > 1 ? "," : "", c));
		c = ktstr_cpumask__next(m, end);
	}
	if (at + 2 > len) {
		snprintf(buf + (len > 5 ? len - 5 : 0), len > 5 ? 5 : len, "...}");
		return;
	}
	snprintf(buf + at, len - at, "}");
}

bool ktstr_checks__isolation(const char *name, const struct ktstr_cpumask *cpuset,
			     const struct ktstr_worker_report *reps, size_t n,
			     struct ktstr_cpumask *used, struct ktstr_verdict *v)
{
	bool ok = true;

	if (used != NULL) {
		memset(used, 0, sizeof(*used));
	}
	for (size_t i = 0; i < n; i++) {
		struct ktstr_cpumask inside = reps[i].cpus_used, outside = reps[i].cpus_used;
		char cpus[256];

		if (used != NULL) {
			ktstr_cpumask__or(used, &reps[i].cpus_used);
		}
		ktstr_cpumask__and(&inside, cpuset);
		if (ktstr_cpumask__equal(&inside, &reps[i].cpus_used)) {
			continue;
		}
		/* outside = used & ~cpuset */
		for (size_t w = 0; w < KTSTR_MAX_CPUS / 64; w++) {
			outside.bits[w] &= ~cpuset->bits[w];
		}
		format_cpus(&outside, cpus, sizeof(cpus));
		ktstr_verdict__fail(v, KTSTR_DETAIL_ISOLATION,
				    "%s: tid %d ran on unexpected CPUs %s", name, reps[i].pid,
				    cpus);
		ok = false;
	}
	return ok;
}

int ktstr_checks__group(const struct ktstr_check_limits *lim, const char *name,
			const struct ktstr_worker_report *reps, size_t n,
			const struct ktstr_cgroup_stats *st, const struct ktstr_cpumask *cpuset,
			struct ktstr_verdict *v)
{
	int err = 0, rc;

	if (lim->not_starved) {
		err = check_starved(lim, name, reps, n, st, v);
	}
	if (lim->isolation && cpuset != NULL) {
		size_t before = v->n;

		if (!ktstr_checks__isolation(name, cpuset, reps, n, NULL, v) && v->n == before) {
			err = err ? err : -ENOMEM;
		}
	}
	rc = check_throughput(lim, name, reps, n, v);
	err = err ? err : rc;
	rc = check_benchmarks(lim, name, reps, n, st, v);
	return err ? err : rc;
}

int ktstr_checks__cgroup(const struct ktstr_spec_checks *c, const char *name,
			 const struct ktstr_worker_report *reps, size_t n,
			 const struct ktstr_cgroup_stats *st, struct ktstr_verdict *v)
{
	struct ktstr_check_limits lim;

	ktstr_check_limits__from_spec(c, &lim);
	return ktstr_checks__group(&lim, name, reps, n, st, NULL, v);
}
