#include "scenario.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpuset.h"
#include "diag.h"
#include "scenario_internal.h"
#include "timeutil.h"

#define SCHED_POLL_MS 100

void ktstr_scenario_out__init(struct ktstr_scenario_out *out)
{
	memset(out, 0, sizeof(*out));
	ktstr_verdict__init(&out->verdict);
	ktstr_stats__scenario(NULL, 0, &out->stats);
}

void ktstr_scenario_out__release(struct ktstr_scenario_out *out)
{
	ktstr_verdict__release(&out->verdict);
	for (size_t i = 0; i < out->ngroups; i++) {
		free(out->group_cgroups[i]);
	}
	for (size_t i = 0; i < out->nsteps; i++) {
		ktstr_verdict__release(&out->steps[i].verdict);
	}
	for (size_t i = 0; i < out->nisolation; i++) {
		free(out->isolation[i].cgroup);
	}
	free(out->group_cgroups);
	free(out->group_stats);
	free(out->reports);
	free(out->workers);
	free(out->steps);
	free(out->stimuli);
	free(out->isolation);
	ktstr_scenario_out__init(out);
}

static double elapsed_s(const struct ktstr_scen *s)
{
	return (double)(ktstr_now_ns() - s->start_ns) / 1e9;
}

/* Whether the scheduler still runs and sched_ext still has it; else s->sched_why says why. */
static bool sched_healthy(struct ktstr_scen *s)
{
	const struct ktstr_scenario_env *env = s->env;

	if (env->sched == NULL) {
		return true;
	}
	s->sched_health = ktstr_sched__health(env->sched, env->sys_root, env->kmsg_path,
					      s->sched_why, sizeof(s->sched_why));
	return s->sched_health == KTSTR_SCHED_HEALTHY;
}

/* Sleep @p ms, polling the scheduler; false as soon as it is found unhealthy. */
static bool hold_sleep(struct ktstr_scen *s, uint64_t ms)
{
	uint64_t deadline = ktstr_now_ns() + ms * KTSTR_NSEC_PER_MSEC, now;

	if (s->env->sched == NULL) {
		ktstr_sleep_ms(ms);
		return true;
	}
	while ((now = ktstr_now_ns()) < deadline) {
		uint64_t left_ms = (deadline - now + KTSTR_NSEC_PER_MSEC - 1) / KTSTR_NSEC_PER_MSEC;

		if (!sched_healthy(s)) {
			return false;
		}
		ktstr_sleep_ms(left_ms < SCHED_POLL_MS ? left_ms : SCHED_POLL_MS);
	}
	return sched_healthy(s);
}

/* Upstream's message for a dead scheduler; an ejected one (still running) is a SchedulerError. */
static void sched_died(struct ktstr_scen *s, size_t completed)
{
	bool gone = s->sched_health == KTSTR_SCHED_GONE;

	ktstr_verdict__fail(
	    &s->out->verdict, gone ? KTSTR_DETAIL_SCHEDULER_DIED : KTSTR_DETAIL_SCHEDULER_ERROR,
	    "scheduler %s unexpectedly after completing step %zu of %zu (%.1fs into "
	    "test): %s",
	    gone ? "process died" : "was ejected", completed, s->env->spec->scenario.nsteps,
	    elapsed_s(s), s->sched_why);
}

/* A cpuset that resolves to no CPU here makes the scenario meaningless: skip it. */
static bool empty_cpuset(struct ktstr_scen *s, const struct ktstr_cpuset_spec *c,
			 const char *cgroup)
{
	struct ktstr_cpumask mask, usable;
	char what[64], err[256];

	if (ktstr_cpuset__resolve(c, s->env->topo, &mask, err, sizeof(err)) != 0 ||
	    ktstr_cpumask__count(&mask) != 0) {
		return false; /* an invalid spec is the step's error, not a skip */
	}
	ktstr_cpuset__usable(s->env->topo, &usable);
	ktstr_cpuset__describe(c, what, sizeof(what));
	ktstr_verdict__skip(&s->out->verdict,
			    "cpuset %s of cgroup %s has no CPU on this topology (%u usable CPUs); "
			    "scenario %s skipped",
			    what, cgroup, ktstr_cpumask__count(&usable),
			    s->env->spec->scenario.name);
	return true;
}

static bool step_skips(struct ktstr_scen *s, const struct ktstr_spec_step *st)
{
	for (size_t i = 0; i < st->ncgroups; i++) {
		if (st->cgroups[i].has_cpuset &&
		    empty_cpuset(s, &st->cgroups[i].cpuset, st->cgroups[i].name)) {
			return true;
		}
	}
	for (size_t i = 0; i < st->nops; i++) {
		if (st->ops[i].kind == KTSTR_OP_SET_CPUSET &&
		    empty_cpuset(s, &st->ops[i].cpuset, st->ops[i].cgroup)) {
			return true;
		}
	}
	return false;
}

static bool skips(struct ktstr_scen *s)
{
	const struct ktstr_spec_scenario *sc = &s->env->spec->scenario;

	if (step_skips(s, &sc->backdrop)) {
		return true;
	}
	for (size_t i = 0; i < sc->nsteps; i++) {
		if (step_skips(s, &sc->steps[i])) {
			return true;
		}
	}
	return false;
}

static int apply_ops(struct ktstr_scen *s, const struct ktstr_spec_step *st,
		     struct ktstr_verdict *v, const char *what)
{
	for (size_t i = 0; i < st->nops; i++) {
		int rc = ktstr_ops__apply(s, &st->ops[i]);

		if (rc) {
			ktstr_verdict__fail(v, KTSTR_DETAIL_OTHER, "%s failed: op %zu: %s", what, i,
					    s->err);
			return rc;
		}
	}
	return 0;
}

static int stimulus(struct ktstr_scen *s, size_t index, const struct ktstr_spec_step *st)
{
	struct ktstr_scenario_out *out = s->out;
	struct ktstr_result_stimulus *ev;
	void *p = realloc(out->stimuli, (out->nstimuli + 1) * sizeof(*out->stimuli));

	if (p == NULL) {
		return -ENOMEM;
	}
	out->stimuli = p;
	ev = &out->stimuli[out->nstimuli++];
	memset(ev, 0, sizeof(*ev));
	ev->elapsed_ms = (ktstr_now_ns() - s->start_ns) / KTSTR_NSEC_PER_MSEC;
	ev->step_index = (unsigned)index;
	ev->ops = st->ops;
	ev->nops = st->nops;
	for (size_t i = 0; i < st->nops; i++) {
		ev->op_kinds |= UINT32_C(1) << st->ops[i].kind;
	}
	ev->ncgroups = (unsigned)s->ncgroups;
	ev->nworkers = ktstr_scen__live_workers(s);
	ev->total_iterations = ktstr_scen__live_iterations(s);
	if (s->env->on_stimulus != NULL) {
		s->env->on_stimulus(ev, s->env->arg);
	}
	return 0;
}

enum step_end {
	STEP_DONE,
	STEP_FAILED,	 /* reported; later steps do not run (upstream's step error) */
	STEP_SCHED_DIED, /* found during the hold */
};

/* Loop hold: re-apply the ops every interval until the scenario's deadline. */
static bool hold_loop(struct ktstr_scen *s, const struct ktstr_spec_step *st,
		      struct ktstr_verdict *v, const char *what, enum step_end *end)
{
	uint64_t deadline = s->start_ns + s->env->spec->duration_ms * KTSTR_NSEC_PER_MSEC;

	for (;;) {
		uint64_t now = ktstr_now_ns(), left_ms;

		if (now >= deadline) {
			*end = STEP_DONE;
			return true;
		}
		left_ms = (deadline - now + KTSTR_NSEC_PER_MSEC - 1) / KTSTR_NSEC_PER_MSEC;
		if (!hold_sleep(s, left_ms < st->hold.ms ? left_ms : st->hold.ms)) {
			return false;
		}
		if (ktstr_now_ns() < deadline && apply_ops(s, st, v, what) != 0) {
			*end = STEP_FAILED;
			return true;
		}
	}
}

static enum step_end run_step(struct ktstr_scen *s, size_t i, struct ktstr_verdict *v, int *rc)
{
	const struct ktstr_spec *spec = s->env->spec;
	const struct ktstr_spec_step *st = &spec->scenario.steps[i];
	enum step_end end = STEP_FAILED;
	uint64_t elapsed_ms;
	bool alive;
	char what[32];

	snprintf(what, sizeof(what), "step %zu", i);
	s->step = (int)i;
	if (apply_ops(s, st, v, what) != 0) {
		goto collect;
	}
	if (ktstr_scen__create_defs(s, st->cgroups, st->ncgroups) != 0 ||
	    ktstr_scen__spawn_defs(s, st->cgroups, st->ncgroups) != 0) {
		ktstr_verdict__fail(v, KTSTR_DETAIL_OTHER, "%s failed: %s", what, s->err);
		goto collect;
	}
	*rc = stimulus(s, i, st);
	elapsed_ms = (ktstr_now_ns() - s->start_ns) / KTSTR_NSEC_PER_MSEC;
	if (st->hold.kind == KTSTR_HOLD_LOOP) {
		alive = hold_loop(s, st, v, what, &end);
	} else {
		alive = hold_sleep(
		    s, ktstr_hold__ms(&st->hold, spec->duration_ms, spec->settle_ms, elapsed_ms));
		end = STEP_DONE;
	}
	if (!alive) {
		end = STEP_SCHED_DIED;
	}
collect:
	if (ktstr_scen__collect(s, (int)i, v) != 0) {
		*rc = -ENOMEM;
	}
	ktstr_scen__remove_owned(s, (int)i);
	return end;
}

static void add_step(struct ktstr_scenario_out *out, int index)
{
	struct ktstr_result_step *st = &out->steps[out->nsteps++];

	st->index = index;
	ktstr_verdict__init(&st->verdict);
}

/* Whole-scenario and per-step stats and verdict, once out's arrays stop moving. */
static int finish(struct ktstr_scenario_out *out, const size_t *first, const size_t *count,
		  bool keep_backdrop)
{
	int rc = 0;

	/* Pointers last: the reports array no longer moves. */
	for (size_t w = 0; w < out->nworkers; w++) {
		out->workers[w].rep = &out->reports[w];
	}
	for (size_t i = 0; i < out->nsteps; i++) {
		ktstr_stats__scenario(out->group_stats + first[i], count[i], &out->steps[i].stats);
		if (ktstr_scen__merge(&out->verdict, &out->steps[i].verdict) != 0) {
			rc = -ENOMEM;
		}
	}
	ktstr_stats__scenario(out->group_stats, out->ngroups, &out->stats);
	/* An empty backdrop has nothing to show: drop its entry (merged above, details none). */
	if (!keep_backdrop && out->nsteps > 0 && out->steps[0].verdict.n == 0) {
		ktstr_verdict__release(&out->steps[0].verdict);
		memmove(&out->steps[0], &out->steps[1], (out->nsteps - 1) * sizeof(*out->steps));
		out->nsteps--;
	}
	return rc;
}

static int run_steps(struct ktstr_scen *s, size_t *first, size_t *count)
{
	const struct ktstr_spec_scenario *sc = &s->env->spec->scenario;
	struct ktstr_scenario_out *out = s->out;
	size_t done = 0;
	bool alive = true;
	int rc = 0;

	for (size_t i = 0; i < sc->nsteps; i++) {
		size_t k = out->nsteps;
		enum step_end end;

		if (i > 0 && !sched_healthy(s)) {
			alive = false;
			break;
		}
		add_step(out, (int)i);
		first[k] = out->ngroups;
		end = run_step(s, i, &out->steps[k].verdict, &rc);
		count[k] = out->ngroups - first[k];
		done = i + 1;
		if (end == STEP_SCHED_DIED) {
			alive = false;
		}
		if (end != STEP_DONE) {
			break;
		}
	}
	/* Upstream's liveness probe after the last step. */
	if (!alive || !sched_healthy(s)) {
		sched_died(s, done);
	}
	return rc;
}

static bool has_backdrop(const struct ktstr_spec_scenario *sc)
{
	return sc->backdrop.ncgroups > 0 || sc->backdrop.nops > 0;
}

/* Backdrop: cgroups, then ops, then its workers. @return 0 or -errno (reported in @p v). */
static int setup_backdrop(struct ktstr_scen *s, struct ktstr_verdict *v)
{
	const struct ktstr_spec_step *bd = &s->env->spec->scenario.backdrop;
	int rc = ktstr_scen__create_defs(s, bd->cgroups, bd->ncgroups);

	if (rc == 0) {
		rc = apply_ops(s, bd, v, "Backdrop setup");
		if (rc) {
			return rc;
		}
		rc = ktstr_scen__spawn_defs(s, bd->cgroups, bd->ncgroups);
	}
	if (rc) {
		ktstr_verdict__fail(v, KTSTR_DETAIL_OTHER, "Backdrop setup failed: %s", s->err);
	}
	return rc;
}

int ktstr_scenario__run(const struct ktstr_scenario_env *env, struct ktstr_scenario_out *out)
{
	const struct ktstr_spec_scenario *sc = &env->spec->scenario;
	struct ktstr_scen s = {.env = env, .out = out, .step = KTSTR_SCEN_BACKDROP};
	struct ktstr_verdict *bdv;
	size_t *first, *count;
	int rc = 0;

	ktstr_check_limits__from_spec(&env->spec->checks, &s.limits);
	out->timing_scale = ktstr_timing__calibrate(env->spec->emulated_timing);
	ktstr_check_limits__scale(&s.limits, out->timing_scale);
	s.start_ns = ktstr_now_ns();
	s.rng = s.start_ns | 1;
	if (skips(&s)) {
		return 0;
	}
	out->steps = calloc(sc->nsteps + 1, sizeof(*out->steps));
	first = calloc(sc->nsteps + 1, sizeof(*first));
	count = calloc(sc->nsteps + 1, sizeof(*count));
	if (out->steps == NULL || first == NULL || count == NULL) {
		rc = -ENOMEM;
		goto out_free;
	}
	if (ktstr_cgroup__setup(&s.cg, env->cgroup_root, KTSTR_CGROUP_BASE, s.err, sizeof(s.err)) !=
	    0) {
		ktstr_verdict__fail(&out->verdict, KTSTR_DETAIL_OTHER, "cgroup setup: %s", s.err);
		goto out_free;
	}
	/* The backdrop's entry comes first in "steps"; it is collected after the last step. */
	add_step(out, KTSTR_SCEN_BACKDROP);
	bdv = &out->steps[0].verdict;
	if (setup_backdrop(&s, bdv) == 0) {
		rc = run_steps(&s, first, count);
	}
	s.step = KTSTR_SCEN_BACKDROP;
	first[0] = out->ngroups;
	if (ktstr_scen__collect(&s, KTSTR_SCEN_BACKDROP, bdv) != 0) {
		rc = -ENOMEM;
	}
	count[0] = out->ngroups - first[0];
	ktstr_scen__remove_owned(&s, KTSTR_SCEN_BACKDROP);
	if (ktstr_cgroup__teardown(&s.cg, s.err, sizeof(s.err)) != 0) {
		ktstr_diag("%s", s.err);
	}
	if (finish(out, first, count, has_backdrop(sc)) != 0) {
		rc = -ENOMEM;
	}
out_free:
	free(s.cgroups);
	free(s.handles);
	free(first);
	free(count);
	return rc;
}
