/* The scenario's cgroup table: creation with parents, cpusets, removal (scenario_internal.h). */
#include "scenario_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpuset.h"
#include "diag.h"

/* @p name is @p dir or lies below it. */
static bool within(const char *name, const char *dir)
{
	size_t len = strlen(dir);

	return strncmp(name, dir, len) == 0 && (name[len] == '\0' || name[len] == '/');
}

struct ktstr_scen_cgroup *ktstr_scen__cgroup(struct ktstr_scen *s, const char *name)
{
	for (size_t i = 0; i < s->ncgroups; i++) {
		if (strcmp(s->cgroups[i].name, name) == 0) {
			return &s->cgroups[i];
		}
	}
	return NULL;
}

static int track(struct ktstr_scen *s, const char *name)
{
	struct ktstr_scen_cgroup *g;

	if (s->ncgroups == s->capcgroups) {
		size_t cap = s->capcgroups ? 2 * s->capcgroups : 8;
		void *p = realloc(s->cgroups, cap * sizeof(*s->cgroups));

		if (p == NULL) {
			return -ENOMEM;
		}
		s->cgroups = p;
		s->capcgroups = cap;
	}
	g = &s->cgroups[s->ncgroups];
	memset(g, 0, sizeof(*g));
	g->name = strdup(name);
	if (g->name == NULL) {
		return -ENOMEM;
	}
	g->owner = s->step;
	s->ncgroups++;
	return 0;
}

int ktstr_scen__add_cgroup(struct ktstr_scen *s, const char *name)
{
	char path[256];
	int rc = 0;

	if (snprintf(path, sizeof(path), "%s", name) >= (int)sizeof(path)) {
		snprintf(s->err, sizeof(s->err), "cgroup name '%s' is too long", name);
		return -ENAMETOOLONG;
	}
	/* Each prefix in turn: "a", then "a/b"; a parent gets the controllers for its children. */
	for (char *p = path;; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last) {
			continue;
		}
		*p = '\0';
		if (ktstr_scen__cgroup(s, path) == NULL) {
			rc = ktstr_cgroup__create(&s->cg, path, s->err, sizeof(s->err));
			if (rc == 0) {
				rc = track(s, path);
			}
		}
		if (rc == 0 && !last) {
			rc = ktstr_cgroup__enable(&s->cg, path, s->err, sizeof(s->err));
		}
		if (rc || last) {
			return rc;
		}
		*p = '/';
	}
}

int ktstr_scen__write_cpuset(struct ktstr_scen *s, struct ktstr_scen_cgroup *g,
			     const struct ktstr_cpumask *mask)
{
	char list[4096] = "";
	int rc;

	if (mask != NULL) {
		ktstr_cpuset__format(mask, list, sizeof(list));
	}
	rc = ktstr_cgroup__set_cpus(&s->cg, g->name, list, s->err, sizeof(s->err));
	if (rc) {
		return rc;
	}
	g->has_cpuset = mask != NULL;
	memset(&g->cpuset, 0, sizeof(g->cpuset));
	if (mask != NULL) {
		g->cpuset = *mask;
	}
	for (size_t i = 0; i < s->nhandles; i++) {
		struct ktstr_scen_handle *h = s->handles[i];

		if (h->cgroup == NULL || strcmp(h->cgroup, g->name) != 0) {
			continue;
		}
		/* A worker that ran without a cpuset may have used any CPU. */
		h->restricted = h->restricted && mask != NULL;
		if (mask != NULL) {
			ktstr_cpumask__or(&h->allowed, mask);
		}
	}
	return 0;
}

void ktstr_scen__kill_handles(struct ktstr_scen *s, const char *name)
{
	size_t kept = 0;

	for (size_t i = 0; i < s->nhandles; i++) {
		struct ktstr_scen_handle *h = s->handles[i];

		if (h->cgroup != NULL && within(h->cgroup, name)) {
			ktstr_worker_set__destroy(&h->ws);
			free(h->cgroup);
			free(h);
		} else {
			s->handles[kept++] = h;
		}
	}
	s->nhandles = kept;
}

static void forget(struct ktstr_scen *s, size_t i)
{
	free(s->cgroups[i].name);
	memmove(&s->cgroups[i], &s->cgroups[i + 1], (s->ncgroups - i - 1) * sizeof(*s->cgroups));
	s->ncgroups--;
}

int ktstr_scen__remove_cgroup(struct ktstr_scen *s, const char *name)
{
	/* Newest first: children were created after their parents. */
	for (size_t i = s->ncgroups; i-- > 0;) {
		int rc;

		if (!within(s->cgroups[i].name, name)) {
			continue;
		}
		rc = ktstr_cgroup__remove(&s->cg, s->cgroups[i].name, s->err, sizeof(s->err));
		if (rc) {
			return rc;
		}
		forget(s, i);
	}
	return 0;
}

void ktstr_scen__remove_owned(struct ktstr_scen *s, int owner)
{
	for (size_t i = s->ncgroups; i-- > 0;) {
		if (s->cgroups[i].owner != owner) {
			continue;
		}
		if (ktstr_cgroup__remove(&s->cg, s->cgroups[i].name, s->err, sizeof(s->err)) != 0) {
			ktstr_diag("%s", s->err);
		}
		forget(s, i);
	}
}
