#include "result.h"

#include <stdbool.h>
#include <stdio.h>

/* Collects set errors so a builder checks once at the end. */
struct builder {
	json_t *obj;
	bool failed;
};

static void put(struct builder *b, const char *key, json_t *v)
{
	/* json_object_set_new() takes v even on failure, and fails for a NULL v or obj. */
	if (json_object_set_new(b->obj, key, v) != 0) {
		b->failed = true;
	}
}

static void put_u(struct builder *b, const char *key, uint64_t v)
{
	put(b, key, json_integer((json_int_t)v));
}

static void put_i(struct builder *b, const char *key, int64_t v)
{
	put(b, key, json_integer((json_int_t)v));
}

static void put_f(struct builder *b, const char *key, double v)
{
	put(b, key, json_real(v));
}

static json_t *finish(struct builder *b)
{
	if (b->failed) {
		json_decref(b->obj);
		return NULL;
	}
	return b->obj;
}

static json_t *cgroup_json(const struct ktstr_cgroup_stats *c)
{
	struct builder b = {.obj = json_object()};

	put_u(&b, "num_workers", c->num_workers);
	put_u(&b, "num_cpus", c->num_cpus);
	put_f(&b, "avg_off_cpu_pct", c->avg_off_cpu_pct);
	put_f(&b, "min_off_cpu_pct", c->min_off_cpu_pct);
	put_f(&b, "max_off_cpu_pct", c->max_off_cpu_pct);
	put_f(&b, "spread", c->spread);
	put_u(&b, "max_gap_ms", c->max_gap_ms);
	put_i(&b, "max_gap_cpu", c->max_gap_cpu);
	put_u(&b, "total_migrations", c->total_migrations);
	put_f(&b, "migration_ratio", c->migration_ratio);
	put_f(&b, "p99_wake_latency_us", c->p99_wake_latency_us);
	put_f(&b, "median_wake_latency_us", c->median_wake_latency_us);
	put_f(&b, "wake_latency_cv", c->wake_latency_cv);
	put_u(&b, "total_iterations", c->total_iterations);
	put_f(&b, "mean_run_delay_us", c->mean_run_delay_us);
	put_f(&b, "worst_run_delay_us", c->worst_run_delay_us);
	put_f(&b, "page_locality", c->page_locality);
	put_f(&b, "cross_node_migration_ratio", c->cross_node_migration_ratio);
	put_f(&b, "wake_latency_tail_ratio", c->wake_latency_tail_ratio);
	put_f(&b, "iterations_per_worker", c->iterations_per_worker);
	return finish(&b);
}

json_t *ktstr_result__stats_json(const struct ktstr_scenario_stats *s)
{
	struct builder b = {.obj = json_object()};
	json_t *cgroups = json_array();

	for (size_t i = 0; cgroups != NULL && i < s->ncgroups; i++) {
		if (json_array_append_new(cgroups, cgroup_json(&s->cgroups[i])) != 0) {
			b.failed = true;
		}
	}
	put(&b, "cgroups", cgroups);
	put_u(&b, "total_workers", s->total_workers);
	put_u(&b, "total_cpus", s->total_cpus);
	put_u(&b, "total_migrations", s->total_migrations);
	put_u(&b, "total_iterations", s->total_iterations);
	put_f(&b, "worst_spread", s->worst_spread);
	put_u(&b, "worst_gap_ms", s->worst_gap_ms);
	put_i(&b, "worst_gap_cpu", s->worst_gap_cpu);
	put_f(&b, "worst_migration_ratio", s->worst_migration_ratio);
	put_f(&b, "worst_p99_wake_latency_us", s->worst_p99_wake_latency_us);
	put_f(&b, "worst_median_wake_latency_us", s->worst_median_wake_latency_us);
	put_f(&b, "worst_wake_latency_cv", s->worst_wake_latency_cv);
	put_f(&b, "worst_mean_run_delay_us", s->worst_mean_run_delay_us);
	put_f(&b, "worst_run_delay_us", s->worst_run_delay_us);
	put_f(&b, "worst_page_locality", s->worst_page_locality);
	put_f(&b, "worst_cross_node_migration_ratio", s->worst_cross_node_migration_ratio);
	put_f(&b, "worst_wake_latency_tail_ratio", s->worst_wake_latency_tail_ratio);
	put_f(&b, "worst_iterations_per_worker", s->worst_iterations_per_worker);
	return finish(&b);
}

static json_t *cpus_json(const struct ktstr_cpumask *m)
{
	json_t *a = json_array();

	for (int c = ktstr_cpumask__next(m, -1); a != NULL && c >= 0;
	     c = ktstr_cpumask__next(m, c)) {
		if (json_array_append_new(a, json_integer(c)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *worker_json(const struct ktstr_result_worker *w)
{
	const struct ktstr_worker_report *r = w->rep;
	struct builder b = {.obj = json_object()};

	put(&b, "cgroup", json_string(w->cgroup));
	put_i(&b, "pid", r->pid);
	put_u(&b, "iterations", r->iterations);
	put_u(&b, "cpu_ns", r->cpu_ns);
	put_u(&b, "wall_ns", r->wall_ns);
	put_u(&b, "max_gap_ms", r->max_gap_ns / 1000000);
	put_i(&b, "max_gap_cpu", r->max_gap_cpu);
	put_u(&b, "max_gap_at_ms", r->max_gap_at_ns / 1000000);
	put_u(&b, "migrations", r->migrations);
	put(&b, "cpus_used", cpus_json(&r->cpus_used));
	put_u(&b, "run_time_ns", r->run_time_ns);
	put_u(&b, "run_delay_ns", r->run_delay_ns);
	put_u(&b, "timeslices", r->timeslices);
	return finish(&b);
}

static json_t *details_json(const struct ktstr_verdict *v)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < v->n; i++) {
		json_t *d =
		    json_pack("{s:s,s:s}", "kind", ktstr_detail_kind__name(v->details[i].kind),
			      "message", v->details[i].message);

		if (json_array_append_new(a, d) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *ktstr_result__stimulus_json(const struct ktstr_result_stimulus *ev)
{
	struct builder b = {.obj = json_object()};
	json_t *ops = json_array();
	char text[64];

	for (size_t i = 0; ops != NULL && i < ev->nops; i++) {
		if (json_array_append_new(ops, json_string(ktstr_op_kind__name(ev->ops[i].kind)))) {
			b.failed = true;
		}
	}
	put_u(&b, "elapsed_ms", ev->elapsed_ms);
	snprintf(text, sizeof(text), "StepStart[%u]", ev->step_index);
	put(&b, "label", json_string(text));
	snprintf(text, sizeof(text), "ops=%zu", ev->nops);
	put(&b, "op_kind", json_string(text));
	snprintf(text, sizeof(text), "%u cgroups, %u workers", ev->ncgroups, ev->nworkers);
	put(&b, "detail", json_string(text));
	put(&b, "total_iterations",
	    ev->total_iterations ? json_integer((json_int_t)ev->total_iterations) : json_null());
	put_u(&b, "step_index", ev->step_index);
	put_u(&b, "op_kinds", ev->op_kinds);
	put(&b, "ops", ops);
	return finish(&b);
}

static json_t *step_json(const struct ktstr_result_step *st)
{
	struct builder b = {.obj = json_object()};
	char label[32];

	if (st->index < 0) {
		snprintf(label, sizeof(label), "backdrop");
	} else {
		snprintf(label, sizeof(label), "step %d", st->index);
	}
	put_i(&b, "index", st->index);
	put(&b, "label", json_string(label));
	put(&b, "passed", json_boolean(st->verdict.passed));
	put(&b, "details", details_json(&st->verdict));
	put(&b, "stats", ktstr_result__stats_json(&st->stats));
	return finish(&b);
}

static json_t *isolation_json(const struct ktstr_result_isolation *e)
{
	struct builder b = {.obj = json_object()};

	put(&b, "cgroup", json_string(e->cgroup));
	put(&b, "cpuset", cpus_json(&e->cpuset));
	put(&b, "cpus_used", cpus_json(&e->used));
	put(&b, "passed", json_boolean(e->passed));
	return finish(&b);
}

/* An array of @p n items of @p size bytes, each through @p fn; NULL on ENOMEM. */
static json_t *array_of(const void *items, size_t n, size_t size, json_t *(*fn)(const void *))
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++) {
		if (json_array_append_new(a, fn((const char *)items + i * size)) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *step_fn(const void *p)
{
	return step_json(p);
}

static json_t *stimulus_fn(const void *p)
{
	return ktstr_result__stimulus_json(p);
}

static json_t *isolation_fn(const void *p)
{
	return isolation_json(p);
}

char *ktstr_result__render(const struct ktstr_result_doc *d)
{
	struct builder b = {.obj = json_object()};
	json_t *workers = json_array(), *root;
	char *text;

	for (size_t i = 0; workers != NULL && i < d->nworkers; i++) {
		if (json_array_append_new(workers, worker_json(&d->workers[i])) != 0) {
			b.failed = true;
		}
	}
	put(&b, "passed", json_boolean(d->verdict->passed));
	put(&b, "skipped", json_boolean(d->verdict->skipped));
	put(&b, "details", details_json(d->verdict));
	put(&b, "stats", ktstr_result__stats_json(d->stats));
	put(&b, "kernel_release", json_string(d->kernel_release));
	put(&b, "guest_topology", d->guest_topology ? json_incref(d->guest_topology) : json_null());
	put(&b, "scenario", json_string(d->scenario));
	put_u(&b, "duration_ms", d->duration_ms);
	put(&b, "workers", workers);
	put(&b, "steps", array_of(d->steps, d->nsteps, sizeof(*d->steps), step_fn));
	put(&b, "stimulus_events",
	    array_of(d->stimuli, d->nstimuli, sizeof(*d->stimuli), stimulus_fn));
	put(&b, "isolation",
	    array_of(d->isolation, d->nisolation, sizeof(*d->isolation), isolation_fn));
	put(&b, "emulated_timing", json_boolean(d->emulated_timing));
	put_f(&b, "timing_scale", d->timing_scale);
	root = finish(&b);
	if (root == NULL) {
		return NULL;
	}
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return text;
}
