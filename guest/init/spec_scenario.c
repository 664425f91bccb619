/* The Scenario object of spec v2: backdrop, steps, cgroups, ops, holds (docs/protocol.md). */
#include "spec_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const op_names[KTSTR_OP_COUNT] = {
    [KTSTR_OP_ADD_CGROUP] = "add_cgroup",     [KTSTR_OP_REMOVE_CGROUP] = "remove_cgroup",
    [KTSTR_OP_SET_CPUSET] = "set_cpuset",     [KTSTR_OP_CLEAR_CPUSET] = "clear_cpuset",
    [KTSTR_OP_SWAP_CPUSETS] = "swap_cpusets", [KTSTR_OP_SPAWN] = "spawn",
    [KTSTR_OP_STOP_CGROUP] = "stop_cgroup",   [KTSTR_OP_SET_AFFINITY] = "set_affinity",
    [KTSTR_OP_SPAWN_HOST] = "spawn_host",     [KTSTR_OP_MOVE_ALL_TASKS] = "move_all_tasks",
};

const char *ktstr_op_kind__name(enum ktstr_op_kind kind)
{
	return kind < KTSTR_OP_COUNT ? op_names[kind] : "unknown";
}

/* A cgroup name: non-empty components of [A-Za-z0-9_.-] joined by '/', no "." or "..". */
static bool valid_cgroup_name(const char *s)
{
	const char *comp = s;

	for (const char *p = s;; p++) {
		if (*p == '/' || *p == '\0') {
			size_t len = (size_t)(p - comp);

			if (len == 0 || (len == 1 && comp[0] == '.') ||
			    (len == 2 && comp[0] == '.' && comp[1] == '.')) {
				return false;
			}
			if (*p == '\0') {
				return p - s < 200;
			}
			comp = p + 1;
		} else if (!(*p == '_' || *p == '-' || *p == '.' || (*p >= '0' && *p <= '9') ||
			     (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))) {
			return false;
		}
	}
}

static int cgroup_name(struct ktstr_spec_ctx *c, json_t *o, const char *key, char **out)
{
	int err = ktstr_spec_ctx__string(c, o, key, out);

	if (err == 0 && !valid_cgroup_name(*out)) {
		free(*out);
		*out = NULL;
		return ktstr_spec_ctx__bad(c, key,
					   "must be names of letters, digits, '_', '-', '.' "
					   "joined by '/' (no '.' or '..')");
	}
	return err;
}

/* Parse a member object through @p fn with the scope extended by @p key. */
static int nested(struct ktstr_spec_ctx *c, json_t *o, const char *key,
		  int (*fn)(struct ktstr_spec_ctx *, json_t *, void *), void *out)
{
	json_t *v;
	size_t scope;
	int err = ktstr_spec_ctx__object(c, o, key, &v);

	if (err) {
		return err;
	}
	scope = ktstr_spec_ctx__push(c, "%s", key);
	err = fn(c, v, out);
	ktstr_spec_ctx__pop(c, scope);
	return err;
}

static int cpuset_fn(struct ktstr_spec_ctx *c, json_t *o, void *out)
{
	return ktstr_spec__parse_cpuset(c, o, out);
}

static int affinity_fn(struct ktstr_spec_ctx *c, json_t *o, void *out)
{
	return ktstr_spec__parse_affinity(c, o, out);
}

static int work_fn(struct ktstr_spec_ctx *c, json_t *o, void *out)
{
	return ktstr_spec__parse_work(c, o, out);
}

static void release_op(struct ktstr_spec_op *op)
{
	free(op->cgroup);
	free(op->other);
}

static int parse_op_kind(struct ktstr_spec_ctx *c, json_t *o, enum ktstr_op_kind *out)
{
	json_t *name = json_object_get(o, "op");

	for (int i = 0; json_is_string(name) && i < KTSTR_OP_COUNT; i++) {
		if (strcmp(json_string_value(name), op_names[i]) == 0) {
			*out = (enum ktstr_op_kind)i;
			return 0;
		}
	}
	return ktstr_spec_ctx__bad(c, "op",
				   "must be one of add_cgroup, remove_cgroup, set_cpuset, "
				   "clear_cpuset, swap_cpusets, spawn, stop_cgroup, set_affinity, "
				   "spawn_host, move_all_tasks");
}

static int parse_op(struct ktstr_spec_ctx *c, json_t *o, struct ktstr_spec_op *op)
{
	int err;

	if (!json_is_object(o)) {
		return ktstr_spec_ctx__bad(c, "", "an op must be an object {\"op\": ...}");
	}
	err = parse_op_kind(c, o, &op->kind);
	if (err) {
		return err;
	}
	switch (op->kind) {
	case KTSTR_OP_SWAP_CPUSETS:
		err = cgroup_name(c, o, "a", &op->cgroup);
		if (!err) {
			err = cgroup_name(c, o, "b", &op->other);
		}
		break;
	case KTSTR_OP_MOVE_ALL_TASKS:
		err = cgroup_name(c, o, "from", &op->cgroup);
		if (!err) {
			err = cgroup_name(c, o, "to", &op->other);
		}
		break;
	case KTSTR_OP_SPAWN_HOST:
		err = nested(c, o, "work", work_fn, &op->work);
		break;
	default:
		err = cgroup_name(c, o, "cgroup", &op->cgroup);
		break;
	}
	if (!err && op->kind == KTSTR_OP_SET_CPUSET) {
		err = nested(c, o, "cpuset", cpuset_fn, &op->cpuset);
	} else if (!err && op->kind == KTSTR_OP_SET_AFFINITY) {
		err = nested(c, o, "affinity", affinity_fn, &op->affinity);
	} else if (!err && op->kind == KTSTR_OP_SPAWN) {
		err = nested(c, o, "work", work_fn, &op->work);
	}
	if (err) {
		release_op(op);
	}
	return err;
}

static void release_cgroup(struct ktstr_spec_cgroup *g)
{
	free(g->works);
	free(g->name);
}

static int parse_works(struct ktstr_spec_ctx *c, json_t *a, struct ktstr_spec_cgroup *g)
{
	size_t n = json_is_array(a) ? json_array_size(a) : 0;
	int err = 0;

	if (a != NULL && !json_is_array(a)) {
		return ktstr_spec_ctx__bad(c, "works", "must be an array of Work objects");
	}
	g->works = calloc(n ? n : 1, sizeof(*g->works));
	if (g->works == NULL) {
		return -ENOMEM;
	}
	if (n == 0) {
		/* Upstream: an empty list is one default Work. */
		g->nworks = 1;
		ktstr_work_spec__defaults(&g->works[0], ktstr_work__find("CpuSpin"));
		g->works[0].workers = c->workers_per_cgroup;
		return 0;
	}
	for (size_t i = 0; i < n && !err; i++) {
		size_t scope = ktstr_spec_ctx__push(c, "works[%zu]", i);

		err = ktstr_spec__parse_work(c, json_array_get(a, i), &g->works[i]);
		ktstr_spec_ctx__pop(c, scope);
		g->nworks += err == 0;
	}
	return err;
}

static int parse_cgroup(struct ktstr_spec_ctx *c, json_t *o, struct ktstr_spec_cgroup *g)
{
	json_t *cpuset = json_object_get(o, "cpuset");
	int err;

	if (!json_is_object(o)) {
		return ktstr_spec_ctx__bad(c, "",
					   "a cgroup must be an object {name, cpuset, works}");
	}
	err = cgroup_name(c, o, "name", &g->name);
	if (!err && cpuset != NULL && !json_is_null(cpuset)) {
		g->has_cpuset = true;
		err = nested(c, o, "cpuset", cpuset_fn, &g->cpuset);
	}
	if (!err) {
		err = parse_works(c, json_object_get(o, "works"), g);
	}
	if (err) {
		release_cgroup(g);
	}
	return err;
}

/* An optional array member, each element parsed into a new array of @p size-byte items. */
static int parse_list(struct ktstr_spec_ctx *c, json_t *o, const char *key, size_t size,
		      int (*fn)(struct ktstr_spec_ctx *, json_t *, void *), void **items, size_t *n)
{
	json_t *a = json_object_get(o, key);
	size_t count;
	int err = 0;

	*items = NULL;
	*n = 0;
	if (a == NULL || json_is_null(a)) {
		return 0;
	}
	if (!json_is_array(a)) {
		return ktstr_spec_ctx__bad(c, key, "must be an array");
	}
	count = json_array_size(a);
	*items = calloc(count ? count : 1, size);
	if (*items == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < count && !err; i++) {
		size_t scope = ktstr_spec_ctx__push(c, "%s[%zu]", key, i);

		err = fn(c, json_array_get(a, i), (char *)*items + i * size);
		ktstr_spec_ctx__pop(c, scope);
		*n += err == 0;
	}
	return err;
}

static int cgroup_fn(struct ktstr_spec_ctx *c, json_t *o, void *out)
{
	return parse_cgroup(c, o, out);
}

static int op_fn(struct ktstr_spec_ctx *c, json_t *o, void *out)
{
	return parse_op(c, o, out);
}

static int parse_hold(struct ktstr_spec_ctx *c, json_t *o, struct ktstr_hold *h)
{
	static const char shape[] = "must be {\"frac\": f, \"plus_settle\": b}, "
				    "{\"fixed_ms\": n} or {\"loop_ms\": n}";
	int err;

	memset(h, 0, sizeof(*h));
	if (json_object_get(o, "frac") != NULL) {
		h->kind = KTSTR_HOLD_FRAC;
		err = ktstr_spec_ctx__double(c, o, "frac", true, -1e9, 1e6, &h->frac);
		if (!err) {
			err = ktstr_spec_ctx__bool(c, o, "plus_settle", &h->plus_settle);
		}
	} else if (json_object_get(o, "fixed_ms") != NULL) {
		h->kind = KTSTR_HOLD_FIXED;
		err = ktstr_spec_ctx__uint(c, o, "fixed_ms", true, 0, 86400000, &h->ms);
	} else if (json_object_get(o, "loop_ms") != NULL) {
		h->kind = KTSTR_HOLD_LOOP;
		err = ktstr_spec_ctx__uint(c, o, "loop_ms", true, 0, 86400000, &h->ms);
	} else {
		return ktstr_spec_ctx__bad(c, "", shape);
	}
	if (!err && ktstr_hold__validate(h) != 0) {
		err = ktstr_spec_ctx__bad(c, "",
					  "must be longer than 0 (frac > 0, fixed_ms > 0, "
					  "loop_ms > 0)");
	}
	return err;
}

static int hold_fn(struct ktstr_spec_ctx *c, json_t *o, void *out)
{
	return parse_hold(c, o, out);
}

static void release_step(struct ktstr_spec_step *st)
{
	for (size_t i = 0; i < st->ncgroups; i++) {
		release_cgroup(&st->cgroups[i]);
	}
	for (size_t i = 0; i < st->nops; i++) {
		release_op(&st->ops[i]);
	}
	free(st->cgroups);
	free(st->ops);
	memset(st, 0, sizeof(*st));
}

static int parse_step_body(struct ktstr_spec_ctx *c, json_t *o, struct ktstr_spec_step *st)
{
	int err = parse_list(c, o, "cgroups", sizeof(*st->cgroups), cgroup_fn,
			     (void **)&st->cgroups, &st->ncgroups);

	if (!err) {
		err =
		    parse_list(c, o, "ops", sizeof(*st->ops), op_fn, (void **)&st->ops, &st->nops);
	}
	return err;
}

static int step_fn(struct ktstr_spec_ctx *c, json_t *o, void *out)
{
	struct ktstr_spec_step *st = out;
	int err;

	if (!json_is_object(o)) {
		return ktstr_spec_ctx__bad(c, "", "a step must be an object {hold, cgroups, ops}");
	}
	err = nested(c, o, "hold", hold_fn, &st->hold);
	if (!err) {
		err = parse_step_body(c, o, st);
	}
	if (err) {
		release_step(st);
	}
	return err;
}

static int backdrop_fn(struct ktstr_spec_ctx *c, json_t *o, void *out)
{
	int err = parse_step_body(c, o, out);

	if (err) {
		release_step(out);
	}
	return err;
}

static int scenario_fn(struct ktstr_spec_ctx *c, json_t *o, void *out)
{
	struct ktstr_spec_scenario *s = out;
	int err = ktstr_spec_ctx__string(c, o, "name", &s->name);

	if (!err && json_object_get(o, "backdrop") != NULL &&
	    !json_is_null(json_object_get(o, "backdrop"))) {
		err = nested(c, o, "backdrop", backdrop_fn, &s->backdrop);
	}
	if (!err) {
		err = parse_list(c, o, "steps", sizeof(*s->steps), step_fn, (void **)&s->steps,
				 &s->nsteps);
	}
	if (!err && s->nsteps == 0) {
		err = ktstr_spec_ctx__bad(c, "steps", "must hold at least one step");
	}
	return err;
}

int ktstr_spec__parse_scenario(struct ktstr_spec_ctx *c, json_t *root,
			       struct ktstr_spec_scenario *out)
{
	return nested(c, root, "scenario", scenario_fn, out);
}

void ktstr_spec__release_scenario(struct ktstr_spec_scenario *s)
{
	for (size_t i = 0; i < s->nsteps; i++) {
		release_step(&s->steps[i]);
	}
	free(s->steps);
	release_step(&s->backdrop);
	free(s->name);
	memset(s, 0, sizeof(*s));
}
