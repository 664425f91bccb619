/* Work groups: fork into a cgroup, affinity, start (scenario_internal.h). */
#define _GNU_SOURCE
#include "scenario_internal.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpuset.h"

int ktstr_scen__affinity(struct ktstr_scen *s, const struct ktstr_scen_handle *h,
			 enum ktstr_affinity_kind kind, const struct ktstr_cpumask *cpus,
			 struct ktstr_cpumask *out, bool *has)
{
	const struct ktstr_scen_cgroup *g = h->cgroup ? ktstr_scen__cgroup(s, h->cgroup) : NULL;
	struct ktstr_affinity a = {.kind = kind, .cpus = *cpus};

	return ktstr_affinity__resolve(&a, g && g->has_cpuset ? &g->cpuset : NULL, s->env->topo,
				       &s->rng, out, has, s->err, sizeof(s->err));
}

int ktstr_scen__set_affinity(struct ktstr_scen *s, pid_t pid, const struct ktstr_cpumask *mask)
{
	cpu_set_t *set = CPU_ALLOC(KTSTR_MAX_CPUS);
	size_t size = CPU_ALLOC_SIZE(KTSTR_MAX_CPUS);
	int rc = 0;

	if (set == NULL) {
		return -ENOMEM;
	}
	CPU_ZERO_S(size, set);
	for (int c = ktstr_cpumask__next(mask, -1); c >= 0; c = ktstr_cpumask__next(mask, c)) {
		CPU_SET_S((size_t)c, size, set);
	}
	/* ESRCH: the worker is gone already, which its collection reports. */
	if (sched_setaffinity(pid, size, set) != 0 && errno != ESRCH) {
		rc = -errno;
		snprintf(s->err, sizeof(s->err), "sched_setaffinity of pid %d: %s", (int)pid,
			 strerror(-rc));
	}
	CPU_FREE(set);
	return rc;
}

static int add_handle(struct ktstr_scen *s, struct ktstr_scen_handle *h)
{
	if (s->nhandles == s->caphandles) {
		size_t cap = s->caphandles ? 2 * s->caphandles : 8;
		void *p = realloc(s->handles, cap * sizeof(*s->handles));

		if (p == NULL) {
			return -ENOMEM;
		}
		s->handles = p;
		s->caphandles = cap;
	}
	s->handles[s->nhandles++] = h;
	return 0;
}

/* One mask per worker, or NULL when every worker inherits (the default). */
static int affinity_masks(struct ktstr_scen *s, const struct ktstr_scen_handle *h,
			  struct ktstr_cpumask **out)
{
	const struct ktstr_scen_cgroup *g = h->cgroup ? ktstr_scen__cgroup(s, h->cgroup) : NULL;
	struct ktstr_cpumask *m;

	*out = NULL;
	if (h->work.affinity == KTSTR_AFFINITY_INHERIT) {
		return 0;
	}
	m = calloc(h->work.workers, sizeof(*m));
	if (m == NULL) {
		return -ENOMEM;
	}
	for (unsigned i = 0; i < h->work.workers; i++) {
		bool has;
		int rc = ktstr_scen__affinity(s, h, h->work.affinity, &h->work.affinity_cpus, &m[i],
					      &has);

		if (rc) {
			free(m);
			return rc;
		}
		/* Nothing to narrow to (llc_aligned without overlap): the whole pool. */
		if (!has) {
			m[i] = g && g->has_cpuset ? g->cpuset : s->env->topo->online;
		}
	}
	*out = m;
	return 0;
}

/* The NUMA nodes holding a CPU of @p cpuset. */
static void nodes_of(const struct ktstr_guest_topo *t, const struct ktstr_cpumask *cpuset,
		     struct ktstr_cpumask *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t n = 0; n < t->nnode; n++) {
		struct ktstr_cpumask m = t->node[n];

		ktstr_cpumask__and(&m, cpuset);
		if (ktstr_cpumask__count(&m) > 0) {
			ktstr_cpumask__set(out, (unsigned)n);
		}
	}
}

static int fork_workers(struct ktstr_scen *s, struct ktstr_scen_handle *h)
{
	const struct ktstr_scen_cgroup *g = h->cgroup ? ktstr_scen__cgroup(s, h->cgroup) : NULL;
	struct ktstr_sched *sched = s->env->sched;
	struct ktstr_worker_launch l = {.spec = &h->work, .group = (unsigned)s->nhandles};
	struct ktstr_cpumask *masks, nodes;
	int rc = affinity_masks(s, h, &masks);

	if (rc) {
		return rc;
	}
	l.affinity = masks;
	if (g != NULL && g->has_cpuset) {
		nodes_of(s->env->topo, &g->cpuset, &nodes);
		l.allowed_nodes = &nodes;
	}
	/* Upstream's gap watchdog: a worker stuck past the limit signals the scheduler. */
	if (sched != NULL && s->limits.max_gap_ms != UINT64_MAX) {
		l.sched_pid = sched->pid;
		l.gap_limit_ms = s->limits.max_gap_ms;
	}
	rc = ktstr_worker_set__spawn_work(&h->ws, &l, s->err, sizeof(s->err));
	free(masks);
	for (size_t i = 0; rc == 0 && h->cgroup != NULL && i < h->ws.n; i++) {
		rc = ktstr_cgroup__move(&s->cg, h->cgroup, h->ws.w[i].pid, s->err, sizeof(s->err));
	}
	return rc;
}

int ktstr_scen__spawn(struct ktstr_scen *s, const char *cgroup, const struct ktstr_work_spec *w,
		      struct ktstr_scen_handle **out)
{
	const struct ktstr_scen_cgroup *g = NULL;
	struct ktstr_scen_handle *h;
	int rc;

	if (cgroup != NULL) {
		g = ktstr_scen__cgroup(s, cgroup);
		if (g == NULL) {
			snprintf(s->err, sizeof(s->err),
				 "cgroup '%s' does not exist (create it in \"cgroups\" or with "
				 "add_cgroup first)",
				 cgroup);
			return -ENOENT;
		}
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL || (cgroup != NULL && (h->cgroup = strdup(cgroup)) == NULL)) {
		free(h);
		return -ENOMEM;
	}
	h->owner = s->step;
	h->work = *w;
	h->restricted = g != NULL && g->has_cpuset;
	if (h->restricted) {
		h->allowed = g->cpuset;
	}
	rc = ktstr_worker_set__init(&h->ws);
	if (rc) {
		snprintf(s->err, sizeof(s->err), "cannot create worker pipes: %s", strerror(-rc));
		free(h->cgroup);
		free(h);
		return rc;
	}
	/* Tracked before forking, so a failure part-way still kills what was forked. */
	rc = add_handle(s, h);
	if (rc) {
		ktstr_worker_set__destroy(&h->ws);
		free(h->cgroup);
		free(h);
		return rc;
	}
	*out = h;
	return fork_workers(s, h);
}

int ktstr_scen__start(struct ktstr_scen *s)
{
	for (size_t i = 0; i < s->nhandles; i++) {
		struct ktstr_scen_handle *h = s->handles[i];
		int rc;

		if (h->started) {
			continue;
		}
		rc = ktstr_worker_set__start(&h->ws);
		if (rc) {
			snprintf(s->err, sizeof(s->err), "cannot release the workers of %s: %s",
				 h->cgroup ? h->cgroup : KTSTR_SCEN_HOST_CGROUP, strerror(-rc));
			return rc;
		}
		h->started = true;
	}
	return 0;
}

int ktstr_scen__create_defs(struct ktstr_scen *s, const struct ktstr_spec_cgroup *defs, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		struct ktstr_cpumask mask;

		rc = ktstr_scen__add_cgroup(s, defs[i].name);
		if (rc == 0 && defs[i].has_cpuset) {
			rc = ktstr_cpuset__resolve(&defs[i].cpuset, s->env->topo, &mask, s->err,
						   sizeof(s->err));
			if (rc == 0) {
				rc = ktstr_scen__write_cpuset(
				    s, ktstr_scen__cgroup(s, defs[i].name), &mask);
			}
		}
	}
	return rc;
}

int ktstr_scen__spawn_defs(struct ktstr_scen *s, const struct ktstr_spec_cgroup *defs, size_t n)
{
	struct ktstr_scen_handle *h;
	int rc = 0;

	/*
	 * Each Work is spawned, moved and started before the next is forked
	 * (upstream's apply_setup order). It must be: a worker inherits every
	 * descriptor open at its fork, and one holding another set's unreleased
	 * barrier would keep that set's workers waiting.
	 */
	for (size_t i = 0; i < n && rc == 0; i++) {
		for (size_t k = 0; k < defs[i].nworks && rc == 0; k++) {
			rc = ktstr_scen__spawn(s, defs[i].name, &defs[i].works[k], &h);
			if (rc == 0) {
				rc = ktstr_scen__start(s);
			}
		}
	}
	return rc;
}

uint64_t ktstr_scen__live_iterations(const struct ktstr_scen *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->nhandles; i++) {
		n += ktstr_worker_set__iterations(&s->handles[i]->ws);
	}
	return n;
}

unsigned ktstr_scen__live_workers(const struct ktstr_scen *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < s->nhandles; i++) {
		n += (unsigned)s->handles[i]->ws.n;
	}
	return n;
}
