/* Work groups: fork into a cgroup, affinity, start (scenario_internal.h). */
#define _GNU_SOURCE
#include "scenario_internal.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpuset.h"

/* Workers run until stopped; this only bounds a worker whose stop was lost. */
#define WORKER_MAX_MS (24ull * 3600 * 1000)

int ktstr_scen__affinity(struct ktstr_scen *s, const struct ktstr_scen_handle *h,
			 enum ktstr_affinity_kind kind, const struct ktstr_cpumask *cpus, pid_t pid)
{
	const struct ktstr_scen_cgroup *g = h->cgroup ? ktstr_scen__cgroup(s, h->cgroup) : NULL;
	struct ktstr_affinity a = {.kind = kind, .cpus = *cpus};
	struct ktstr_cpumask mask;
	cpu_set_t *set;
	bool has;
	int rc;

	rc = ktstr_affinity__resolve(&a, g && g->has_cpuset ? &g->cpuset : NULL, s->env->topo,
				     &s->rng, &mask, &has, s->err, sizeof(s->err));
	if (rc || !has) {
		return rc;
	}
	set = CPU_ALLOC(KTSTR_MAX_CPUS);
	if (set == NULL) {
		return -ENOMEM;
	}
	CPU_ZERO_S(CPU_ALLOC_SIZE(KTSTR_MAX_CPUS), set);
	for (int c = ktstr_cpumask__next(&mask, -1); c >= 0; c = ktstr_cpumask__next(&mask, c)) {
		CPU_SET_S((size_t)c, CPU_ALLOC_SIZE(KTSTR_MAX_CPUS), set);
	}
	/* ESRCH: the worker is gone already, which its collection reports. */
	if (sched_setaffinity(pid, CPU_ALLOC_SIZE(KTSTR_MAX_CPUS), set) != 0 && errno != ESRCH) {
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

static int fork_workers(struct ktstr_scen *s, struct ktstr_scen_handle *h)
{
	for (unsigned i = 0; i < h->work.workers; i++) {
		struct ktstr_worker *w;
		int rc = ktstr_worker_set__spawn(&h->ws, h->work.type, WORKER_MAX_MS,
						 (unsigned)s->nhandles, i, &w);

		if (rc) {
			snprintf(s->err, sizeof(s->err), "cannot fork worker %s[%u]: %s",
				 h->cgroup ? h->cgroup : KTSTR_SCEN_HOST_CGROUP, i, strerror(-rc));
			return rc;
		}
		if (h->cgroup != NULL) {
			rc = ktstr_cgroup__move(&s->cg, h->cgroup, w->pid, s->err, sizeof(s->err));
		}
		if (rc == 0) {
			rc = ktstr_scen__affinity(s, h, h->work.affinity, &h->work.affinity_cpus,
						  w->pid);
		}
		if (rc) {
			return rc;
		}
	}
	return 0;
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

unsigned ktstr_scen__live_workers(const struct ktstr_scen *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < s->nhandles; i++) {
		n += (unsigned)s->handles[i]->ws.n;
	}
	return n;
}
