/* What the user sees of a run: the plan, one line per test, the summary. */
#include "engine_internal.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "log.h"
#include "topo.h"

static const char *accel_name(enum ktstr_accel a)
{
	return a == KTSTR_ACCEL_KVM ? "kvm" : a == KTSTR_ACCEL_TCG ? "tcg" : "none";
}

void ktstr_engine__print_plan(struct ktstr_engine *e, FILE *out)
{
	const struct ktstr_matrix *m = &e->matrix;

	if (e->opts->json) {
		json_t *root = json_object(), *tests = json_array();

		for (size_t i = 0; i < m->n; i++) {
			const struct ktstr_test *t = &m->tests[i];
			const struct ktstr_engine_kernel *k = &e->kernels[t->kernel];
			char topo[64];

			ktstr_topo__name(&e->profile->topos[t->topo].topo, topo, sizeof(topo));
			json_array_append_new(
				tests, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i}", "name", t->name,
						 "kernel", k->label, "kernel_image",
						 ktstr_kernel__get(k->k, KTSTR_KERNEL_IMAGE), "topology",
						 topo, "scheduler", e->profile->scheds[t->sched].name,
						 "scenario", e->profile->scenarios[t->scenario].name,
						 "est_s", (json_int_t)t->est_s));
		}
		json_object_set_new(root, "kernels", ktstr_engine__kernels_json(e));
		json_object_set_new(root, "tests", tests);
		json_object_set_new(root, "selected", json_integer((json_int_t)m->n));
		json_object_set_new(root, "total", json_integer((json_int_t)m->total_before_filter));
		json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', out);
		json_decref(root);
		return;
	}
	uint64_t est = 0;
	ktstr_engine__print_kernels(e, out);
	for (size_t i = 0; i < m->n; i++) {
		const struct ktstr_test *t = &m->tests[i];
		fprintf(out, "%s  (kernel %s, ~%us)\n", t->name, e->kernels[t->kernel].label, t->est_s);
		est += t->est_s;
	}
	fprintf(out, "%zu of %zu tests selected, estimated %llus\n", m->n, m->total_before_filter,
		(unsigned long long)est);
}

/* The last lines of the scheduler's own output: why it died or never attached. */
static void print_sched_log_tail(FILE *out, const struct ktstr_guest_report *g)
{
	const size_t max_lines = 10;
	const char *start, *p;
	size_t lines = 0;

	if (g == NULL || g->sched_log == NULL || g->sched_log[0] == '\0') {
		return;
	}
	start = g->sched_log + strlen(g->sched_log);
	while (start > g->sched_log && start[-1] == '\n') {
		start--;
	}
	for (p = start; p > g->sched_log; p--) {
		if (p[-1] == '\n' && ++lines == max_lines) {
			break;
		}
	}
	fprintf(out, "      scheduler log tail:\n");
	while (p < start) {
		const char *nl = memchr(p, '\n', (size_t)(start - p));
		int len = nl ? (int)(nl - p) : (int)(start - p);

		fprintf(out, "        | %.*s\n", len, p);
		p += len + 1;
	}
}

void ktstr_engine__report_test(struct ktstr_engine *e, const struct ktstr_test *t,
			       const struct ktstr_result_in *in, enum ktstr_verdict v,
			       const char *reason)
{
	char topo[64];
	FILE *out = e->human;

	ktstr_topo__name(&in->topo, topo, sizeof(topo));
	fprintf(out, "%-5s %s  kernel=%s topology=%s scheduler=%s accel=%s %.1fs\n",
		ktstr_verdict__name(v), t->name, in->kernel_version ? in->kernel_version : in->kernel_label,
		topo, in->scheduler, accel_name(in->accel), (double)in->wall_ms / 1000.0);
	if (in->guest != NULL && in->guest->frames_bad > 0) {
		/* a damaged channel is worth knowing even when the verdict came through */
		fprintf(out, "      warning: %u guest frame(s) failed their checks; first: %s\n",
			in->guest->frames_bad, in->guest->frame_error ? in->guest->frame_error : "?");
	}
	if (v != KTSTR_VERDICT_PASS) {
		fprintf(out, "      reason: %s\n", reason);
		print_sched_log_tail(out, in->guest);
		if (in->console_tail != NULL && in->console_tail[0] != '\0') {
			fprintf(out, "      console tail:\n");
			for (const char *p = in->console_tail; *p != '\0';) {
				const char *nl = strchr(p, '\n');
				int len = nl ? (int)(nl - p) : (int)strlen(p);
				fprintf(out, "        | %.*s\n", len, p);
				p += len + (nl ? 1 : 0);
			}
		} else if (in->console_tail != NULL) {
			fprintf(out, "      console tail: (empty; --verbose boots the kernel at "
				     "loglevel 7)\n");
		}
	}
	fflush(out);
	if (e->summary_tests != NULL) {
		json_array_append_new(
			e->summary_tests,
			json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I}", "name", t->name, "verdict",
				  ktstr_verdict__name(v), "reason", reason, "kernel",
				  in->kernel_version ? in->kernel_version : in->kernel_label,
				  "topology", topo, "scheduler", in->scheduler, "accelerator",
				  accel_name(in->accel), "wall_ms", (json_int_t)in->wall_ms));
	}
}

void ktstr_engine__print_summary(struct ktstr_engine *e, uint64_t wall_ms)
{
	const struct ktstr_run_summary *s = e->sum;
	struct rusage ru = { 0 };

	getrusage(RUSAGE_SELF, &ru); /* ktstr itself, not its VMs */
	fprintf(e->human, "\nrun %s: %zu tests in %.1fs; results in %s\n", e->run_id, s->total,
		(double)wall_ms / 1000.0, e->run_dir);
	fprintf(e->human, "%zu passed, %zu failed, %zu skipped, %zu errors%s\n", s->passed,
		s->failed, s->skipped, s->errors, s->cancelled ? " (cancelled)" : "");
	if (e->opts->json) {
		json_t *root = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:b,s:I,s:I,s:O}", "run_id",
					 e->run_id, "run_dir", e->run_dir, "total",
					 (json_int_t)s->total, "passed", (json_int_t)s->passed,
					 "failed", (json_int_t)s->failed, "skipped",
					 (json_int_t)s->skipped, "errors", (json_int_t)s->errors,
					 "not_run", (json_int_t)s->not_run, "cancelled", s->cancelled,
					 "wall_ms", (json_int_t)wall_ms, "peak_rss_kb",
					 (json_int_t)ru.ru_maxrss, "tests", e->summary_tests);
		json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(root);
	}
}
