/*
 * "steady": two cgroups without cpuset limits, workers_per_cgroup CpuSpin
 * workers each, for duration_ms (docs/protocol.md section 7; upstream's
 * legacy Steady action).
 */
#include "scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "checks.h"
#include "diag.h"
#include "timeutil.h"
#include "work.h"
#include "worker.h"

#define STEADY_CGROUPS 2
#define COLLECT_GRACE_MS 5000 /* reports may arrive this long after duration_ms */
#define POLL_MS 100

struct steady {
	const struct ktstr_scenario_env *env;
	struct ktstr_scenario_out *out;
	struct ktstr_cgroup_mgr cg;
	struct ktstr_worker_set ws;
	bool base_ready; /* /sys/fs/cgroup/ktstr exists */
	size_t ncreated; /* cgroups created below it */
	char err[512];
};

/* Sleep @p ms; false (and a detail) when the scheduler dies meanwhile. */
static bool sched_sleep(struct steady *st, uint64_t ms, const char *during)
{
	char how[64];

	if (st->env->sched == NULL) {
		ktstr_sleep_ms(ms);
		return true;
	}
	if (ktstr_sched__survives(st->env->sched, (unsigned)ms, POLL_MS)) {
		return true;
	}
	ktstr_sched__describe(st->env->sched, how, sizeof(how));
	ktstr_verdict__fail(&st->out->verdict, KTSTR_DETAIL_SCHEDULER_DIED,
			    "scheduler process died during %s (%s)", during, how);
	return false;
}

static int setup_cgroups(struct steady *st)
{
	int rc = ktstr_cgroup__setup(&st->cg, st->env->cgroup_root, KTSTR_CGROUP_BASE, st->err,
				     sizeof(st->err));

	st->base_ready = rc == 0;
	for (size_t i = 0; rc == 0 && i < st->out->ncgroups; i++) {
		rc = ktstr_cgroup__create(&st->cg, st->out->cgroup_names[i], st->err,
					  sizeof(st->err));
		st->ncreated += rc == 0;
	}
	if (rc) {
		ktstr_verdict__fail(&st->out->verdict, KTSTR_DETAIL_OTHER, "cgroup setup: %s",
				    st->err);
	}
	return rc;
}

static void teardown_cgroups(struct steady *st)
{
	for (size_t i = 0; i < st->ncreated; i++) {
		if (ktstr_cgroup__remove(&st->cg, st->out->cgroup_names[i], st->err,
					 sizeof(st->err)) != 0) {
			ktstr_diag("%s", st->err);
		}
	}
	if (st->base_ready && ktstr_cgroup__teardown(&st->cg, st->err, sizeof(st->err)) != 0) {
		ktstr_diag("%s", st->err);
	}
}

static int spawn_all(struct steady *st)
{
	const struct ktstr_spec *spec = st->env->spec;
	const struct ktstr_work_type *wt = ktstr_work__find("CpuSpin");
	int rc = 0;

	for (size_t g = 0; rc == 0 && g < st->out->ncgroups; g++) {
		for (unsigned i = 0; rc == 0 && i < spec->workers_per_cgroup; i++) {
			struct ktstr_worker *w;

			rc = ktstr_worker_set__spawn(&st->ws, wt, spec->duration_ms, (unsigned)g, i,
						     &w);
			if (rc) {
				snprintf(st->err, sizeof(st->err), "cannot fork worker %s[%u]: %s",
					 st->out->cgroup_names[g], i, strerror(-rc));
				break;
			}
			rc = ktstr_cgroup__move(&st->cg, st->out->cgroup_names[g], w->pid, st->err,
						sizeof(st->err));
		}
	}
	if (rc) {
		ktstr_verdict__fail(&st->out->verdict, KTSTR_DETAIL_OTHER, "worker setup: %s",
				    st->err);
	}
	return rc;
}

/* Copy reports grouped by cgroup; a worker without one becomes a Starved detail. */
static int gather(struct steady *st)
{
	struct ktstr_scenario_out *out = st->out;
	const uint64_t waited_ms = st->env->spec->duration_ms + COLLECT_GRACE_MS;

	out->reports = calloc(st->ws.n ? st->ws.n : 1, sizeof(*out->reports));
	out->workers = calloc(st->ws.n ? st->ws.n : 1, sizeof(*out->workers));
	if (out->reports == NULL || out->workers == NULL) {
		return -ENOMEM;
	}
	for (size_t g = 0; g < out->ncgroups; g++) {
		size_t first = out->nworkers;

		for (size_t i = 0; i < st->ws.n; i++) {
			const struct ktstr_worker *w = &st->ws.w[i];

			if (w->group != g) {
				continue;
			}
			if (!w->reported) {
				ktstr_verdict__fail(
				    &out->verdict, KTSTR_DETAIL_STARVED,
				    "worker %s[%u] (pid %d) sent no report within %llums",
				    out->cgroup_names[g], w->index, (int)w->pid,
				    (unsigned long long)waited_ms);
				continue;
			}
			out->reports[out->nworkers] = w->rep;
			out->workers[out->nworkers].cgroup = out->cgroup_names[g];
			out->nworkers++;
		}
		if (ktstr_stats__cgroup(&out->reports[first], out->nworkers - first, NULL, 0,
					&out->cgroup_stats[g]) != 0) {
			return -ENOMEM;
		}
		ktstr_checks__cgroup(&st->env->spec->checks, out->cgroup_names[g],
				     &out->reports[first], out->nworkers - first,
				     &out->cgroup_stats[g], &out->verdict);
	}
	/* Pointers last: the reports array no longer moves. */
	for (size_t i = 0; i < out->nworkers; i++) {
		out->workers[i].rep = &out->reports[i];
	}
	ktstr_stats__scenario(out->cgroup_stats, out->ncgroups, &out->stats);
	return 0;
}

static int run_workers(struct steady *st)
{
	const struct ktstr_spec *spec = st->env->spec;
	uint64_t end_ns;
	int rc;

	rc = ktstr_worker_set__init(&st->ws);
	if (rc) {
		return ktstr_verdict__fail(&st->out->verdict, KTSTR_DETAIL_OTHER,
					   "cannot create worker pipes: %s", strerror(-rc));
	}
	rc = spawn_all(st);
	if (rc == 0) {
		rc = ktstr_worker_set__start(&st->ws);
	}
	if (rc == 0) {
		end_ns = st->ws.start_ns + spec->duration_ms * KTSTR_NSEC_PER_MSEC;
		sched_sleep(st, spec->duration_ms, "the workload");
		ktstr_worker_set__stop(&st->ws);
		rc = ktstr_worker_set__collect(&st->ws,
					       end_ns + COLLECT_GRACE_MS * KTSTR_NSEC_PER_MSEC);
		if (rc < 0) {
			ktstr_verdict__fail(&st->out->verdict, KTSTR_DETAIL_OTHER,
					    "reading worker reports: %s", strerror(-rc));
		}
		rc = gather(st);
	}
	ktstr_worker_set__destroy(&st->ws);
	return rc == -ENOMEM ? rc : 0;
}

int ktstr_scenario__steady(const struct ktstr_scenario_env *env, struct ktstr_scenario_out *out)
{
	struct steady st = {.env = env, .out = out};
	int rc = 0;

	out->ncgroups = STEADY_CGROUPS;
	out->cgroup_names = calloc(STEADY_CGROUPS, sizeof(*out->cgroup_names));
	out->cgroup_stats = calloc(STEADY_CGROUPS, sizeof(*out->cgroup_stats));
	if (out->cgroup_names == NULL || out->cgroup_stats == NULL) {
		return -ENOMEM;
	}
	for (size_t g = 0; g < STEADY_CGROUPS; g++) {
		snprintf(out->cgroup_names[g], sizeof(out->cgroup_names[g]), "cg_%zu", g);
		ktstr_stats__cgroup(NULL, 0, NULL, 0, &out->cgroup_stats[g]);
	}
	ktstr_stats__scenario(out->cgroup_stats, out->ncgroups, &out->stats);
	if (setup_cgroups(&st) != 0) {
		goto out_cgroups;
	}
	/* Upstream settles before spawning: the scheduler sees the cgroups first. */
	if (sched_sleep(&st, env->spec->settle_ms, "settle")) {
		rc = run_workers(&st);
	}
out_cgroups:
	teardown_cgroups(&st);
	return rc;
}
