/* The ten ops of a step (scenarios.md section 1, "Op"; scenario_internal.h). */
#include "scenario_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpuset.h"

static struct ktstr_scen_cgroup *existing(struct ktstr_scen *s, const struct ktstr_spec_op *op,
					  const char *name)
{
	struct ktstr_scen_cgroup *g = ktstr_scen__cgroup(s, name);

	if (g == NULL) {
		snprintf(s->err, sizeof(s->err),
			 "%s: cgroup '%s' does not exist (create it in \"cgroups\" or with "
			 "add_cgroup first)",
			 ktstr_op_kind__name(op->kind), name);
	}
	return g;
}

/* Upstream: a step may not remove, stop or move out of the backdrop's cgroups. */
static int backdrop_guard(struct ktstr_scen *s, const struct ktstr_spec_op *op,
			  const struct ktstr_scen_cgroup *g)
{
	if (s->step != KTSTR_SCEN_BACKDROP && g->owner == KTSTR_SCEN_BACKDROP) {
		snprintf(s->err, sizeof(s->err),
			 "%s: cgroup '%s' belongs to the backdrop, which steps may not change "
			 "this way",
			 ktstr_op_kind__name(op->kind), g->name);
		return -EPERM;
	}
	return 0;
}

static int set_cpuset(struct ktstr_scen *s, const struct ktstr_spec_op *op,
		      struct ktstr_scen_cgroup *g)
{
	struct ktstr_cpumask mask;
	int rc = ktstr_cpuset__resolve(&op->cpuset, s->env->topo, &mask, s->err, sizeof(s->err));

	return rc ? rc : ktstr_scen__write_cpuset(s, g, &mask);
}

static int swap_cpusets(struct ktstr_scen *s, const struct ktstr_spec_op *op)
{
	struct ktstr_scen_cgroup *a = existing(s, op, op->cgroup), *b;
	struct ktstr_cpumask ma, mb;
	bool ha, hb;
	int rc;

	b = a ? existing(s, op, op->other) : NULL;
	if (b == NULL) {
		return -ENOENT;
	}
	ma = a->cpuset;
	ha = a->has_cpuset;
	mb = b->cpuset;
	hb = b->has_cpuset;
	rc = ktstr_scen__write_cpuset(s, a, hb ? &mb : NULL);
	if (rc == 0) {
		/* The table may have moved: look b up again by name. */
		rc = ktstr_scen__write_cpuset(s, ktstr_scen__cgroup(s, op->other), ha ? &ma : NULL);
	}
	return rc;
}

static int set_affinity(struct ktstr_scen *s, const struct ktstr_spec_op *op)
{
	for (size_t i = 0; i < s->nhandles; i++) {
		struct ktstr_scen_handle *h = s->handles[i];

		if (h->cgroup == NULL || strcmp(h->cgroup, op->cgroup) != 0) {
			continue;
		}
		for (size_t k = 0; k < h->ws.n; k++) {
			struct ktstr_cpumask mask;
			bool has;
			int rc = ktstr_scen__affinity(s, h, op->affinity.kind, &op->affinity.cpus,
						      &mask, &has);

			/* inherit: every CPU of the pool again. */
			if (rc == 0 && !has) {
				const struct ktstr_scen_cgroup *g =
				    ktstr_scen__cgroup(s, h->cgroup);

				mask = g && g->has_cpuset ? g->cpuset : s->env->topo->online;
			}
			if (rc == 0) {
				rc = ktstr_scen__set_affinity(s, h->ws.w[k].pid, &mask);
			}
			if (rc) {
				return rc;
			}
		}
	}
	return 0;
}

static int move_all_tasks(struct ktstr_scen *s, const struct ktstr_spec_op *op)
{
	struct ktstr_scen_cgroup *from = existing(s, op, op->cgroup), *to;
	int rc;

	to = from ? existing(s, op, op->other) : NULL;
	if (to == NULL) {
		return -ENOENT;
	}
	if (from->owner == KTSTR_SCEN_BACKDROP && to->owner != KTSTR_SCEN_BACKDROP) {
		snprintf(s->err, sizeof(s->err),
			 "move_all_tasks: the backdrop's tasks in '%s' may not move into the "
			 "step-local cgroup '%s'",
			 from->name, to->name);
		return -EPERM;
	}
	rc = ktstr_cgroup__disable(&s->cg, to->name, s->err, sizeof(s->err));
	if (rc == 0) {
		rc = ktstr_cgroup__move_all(&s->cg, from->name, to->name, s->err, sizeof(s->err));
	}
	for (size_t i = 0; rc == 0 && i < s->nhandles; i++) {
		struct ktstr_scen_handle *h = s->handles[i];
		char *name;

		if (h->cgroup == NULL || strcmp(h->cgroup, from->name) != 0) {
			continue;
		}
		name = strdup(to->name);
		if (name == NULL) {
			return -ENOMEM;
		}
		free(h->cgroup);
		h->cgroup = name;
		h->restricted = h->restricted && to->has_cpuset;
		if (to->has_cpuset) {
			ktstr_cpumask__or(&h->allowed, &to->cpuset);
		}
	}
	return rc;
}

int ktstr_ops__apply(struct ktstr_scen *s, const struct ktstr_spec_op *op)
{
	struct ktstr_scen_handle *h;
	struct ktstr_scen_cgroup *g = NULL;
	int rc;

	switch (op->kind) {
	case KTSTR_OP_ADD_CGROUP:
		return ktstr_scen__add_cgroup(s, op->cgroup);
	case KTSTR_OP_SWAP_CPUSETS:
		return swap_cpusets(s, op);
	case KTSTR_OP_MOVE_ALL_TASKS:
		return move_all_tasks(s, op);
	case KTSTR_OP_SPAWN_HOST:
		rc = ktstr_scen__spawn(s, NULL, &op->work, &h);
		return rc ? rc : ktstr_scen__start(s);
	default:
		break;
	}
	g = existing(s, op, op->cgroup);
	if (g == NULL) {
		return -ENOENT;
	}
	switch (op->kind) {
	case KTSTR_OP_REMOVE_CGROUP:
		rc = backdrop_guard(s, op, g);
		if (rc == 0) {
			ktstr_scen__kill_handles(s, op->cgroup);
			rc = ktstr_scen__remove_cgroup(s, op->cgroup);
		}
		return rc;
	case KTSTR_OP_STOP_CGROUP:
		rc = backdrop_guard(s, op, g);
		if (rc == 0) {
			ktstr_scen__kill_handles(s, op->cgroup);
		}
		return rc;
	case KTSTR_OP_SET_CPUSET:
		return set_cpuset(s, op, g);
	case KTSTR_OP_CLEAR_CPUSET:
		return ktstr_scen__write_cpuset(s, g, NULL);
	case KTSTR_OP_SPAWN:
		rc = ktstr_scen__spawn(s, op->cgroup, &op->work, &h);
		return rc ? rc : ktstr_scen__start(s);
	case KTSTR_OP_SET_AFFINITY:
		return set_affinity(s, op);
	default:
		snprintf(s->err, sizeof(s->err), "op %d is not known", (int)op->kind);
		return -EINVAL;
	}
}
