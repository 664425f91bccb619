/* Stop and collect Work groups: reports, stats, checks, isolation (scenario_internal.h). */
#include "scenario_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"

#define COLLECT_GRACE_MS 5000 /* upstream's shared report deadline */

int ktstr_scen__merge(struct ktstr_verdict *dst, const struct ktstr_verdict *src)
{
	int rc = 0;

	for (size_t i = 0; i < src->n; i++) {
		if (ktstr_verdict__fail(dst, src->details[i].kind, "%s", src->details[i].message)) {
			rc = -ENOMEM;
		}
	}
	dst->passed = dst->passed && src->passed;
	return rc;
}

static void *grow(void *p, size_t n, size_t size)
{
	return realloc(p, (n ? n : 1) * size);
}

/* Room for one more group of @p nrep reports in out. */
static int reserve(struct ktstr_scenario_out *out, size_t nrep)
{
	void *p;

	p = grow(out->group_cgroups, out->ngroups + 1, sizeof(*out->group_cgroups));
	if (p == NULL) {
		return -ENOMEM;
	}
	out->group_cgroups = p;
	p = grow(out->group_stats, out->ngroups + 1, sizeof(*out->group_stats));
	if (p == NULL) {
		return -ENOMEM;
	}
	out->group_stats = p;
	p = grow(out->reports, out->nworkers + nrep, sizeof(*out->reports));
	if (p == NULL) {
		return -ENOMEM;
	}
	out->reports = p;
	p = grow(out->workers, out->nworkers + nrep, sizeof(*out->workers));
	if (p == NULL) {
		return -ENOMEM;
	}
	out->workers = p;
	return 0;
}

/* The result's isolation entry of a group that had a cpuset all along. */
static int isolation(struct ktstr_scenario_out *out, const struct ktstr_scen_handle *h,
		     const char *name, size_t first)
{
	struct ktstr_result_isolation *e;
	struct ktstr_cpumask outside;
	void *p = grow(out->isolation, out->nisolation + 1, sizeof(*out->isolation));

	if (p == NULL) {
		return -ENOMEM;
	}
	out->isolation = p;
	e = &out->isolation[out->nisolation];
	memset(e, 0, sizeof(*e));
	e->cgroup = strdup(name);
	if (e->cgroup == NULL) {
		return -ENOMEM;
	}
	out->nisolation++;
	e->cpuset = h->allowed;
	for (size_t i = first; i < out->nworkers; i++) {
		ktstr_cpumask__or(&e->used, &out->reports[i].cpus_used);
	}
	outside = e->used;
	for (size_t w = 0; w < sizeof(outside.bits) / sizeof(outside.bits[0]); w++) {
		outside.bits[w] &= ~e->cpuset.bits[w];
	}
	e->passed = ktstr_cpumask__count(&outside) == 0;
	return 0;
}

/*
 * Append @p h's reports as one group of out and check it (checks.c: every
 * check of the spec, an unreported worker as Starved, isolation against the
 * union of the cpusets it ran under).
 */
static int gather(struct ktstr_scen *s, struct ktstr_scen_handle *h, struct ktstr_verdict *v)
{
	struct ktstr_scenario_out *out = s->out;
	const char *name = h->cgroup ? h->cgroup : KTSTR_SCEN_HOST_CGROUP;
	size_t first = out->nworkers;
	char *cgroup;
	int rc = reserve(out, h->ws.n);

	if (rc) {
		return rc;
	}
	cgroup = strdup(name);
	if (cgroup == NULL) {
		return -ENOMEM;
	}
	out->group_cgroups[out->ngroups] = cgroup;
	rc = ktstr_checks__worker_set(&s->limits, name, &h->ws, h->restricted ? &h->allowed : NULL,
				      &out->group_stats[out->ngroups], v);
	out->ngroups++;
	for (size_t i = 0; i < h->ws.n; i++) {
		if (h->ws.w[i].reported) {
			out->workers[out->nworkers].cgroup = cgroup;
			out->reports[out->nworkers++] = h->ws.w[i].rep;
		}
	}
	if (rc == 0 && h->restricted) {
		rc = isolation(out, h, name, first);
	}
	return rc;
}

int ktstr_scen__collect(struct ktstr_scen *s, int owner, struct ktstr_verdict *v)
{
	uint64_t deadline;
	size_t kept = 0;
	int rc = 0;

	for (size_t i = 0; i < s->nhandles; i++) {
		if (s->handles[i]->owner == owner && s->handles[i]->started) {
			ktstr_worker_set__stop(&s->handles[i]->ws);
		}
	}
	deadline = ktstr_now_ns() + COLLECT_GRACE_MS * KTSTR_NSEC_PER_MSEC;
	for (size_t i = 0; i < s->nhandles; i++) {
		struct ktstr_scen_handle *h = s->handles[i];
		int got;

		if (h->owner != owner) {
			s->handles[kept++] = h;
			continue;
		}
		/* Never released (its setup failed, which the step reports): nothing to check. */
		if (h->started) {
			got = ktstr_worker_set__collect(&h->ws, deadline);
			if (got < 0) {
				ktstr_verdict__fail(v, KTSTR_DETAIL_OTHER,
						    "reading worker reports: %s", strerror(-got));
			}
			if (rc == 0) {
				rc = gather(s, h, v);
			}
		}
		ktstr_worker_set__destroy(&h->ws);
		free(h->cgroup);
		free(h);
	}
	s->nhandles = kept;
	return rc;
}
