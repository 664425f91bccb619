/* The run: profile, plugins, kernels, matrix, then every test in order. */
#define _GNU_SOURCE
#include "engine_internal.h"

#include <errno.h>
#include <fnmatch.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "log.h"
#include "paths.h"
#include "runinfo.h"

static bool cancel_requested(const struct ktstr_engine *e)
{
	struct pollfd pfd = { .fd = e->opts->cancel_fd, .events = POLLIN };

	return e->opts->cancel_fd >= 0 && poll(&pfd, 1, 0) > 0;
}

/* Keep only tests matching at least one --filter glob. */
static void apply_filters(struct ktstr_engine *e)
{
	const struct ktstr_run_opts *o = e->opts;
	struct ktstr_matrix *m = &e->matrix;
	size_t kept = 0;

	if (o->nfilters == 0) {
		return;
	}
	for (size_t i = 0; i < m->n; i++) {
		bool match = false;

		for (size_t f = 0; f < o->nfilters && !match; f++) {
			match = fnmatch(o->filters[f], m->tests[i].name, 0) == 0;
		}
		if (match) {
			m->tests[kept++] = m->tests[i];
		} else {
			free(m->tests[i].name);
		}
	}
	m->n = kept;
}

static int expand(struct ktstr_engine *e, char *err, size_t errlen)
{
	const char **labels = calloc(e->nkernels, sizeof(*labels));
	int ret;

	if (labels == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < e->nkernels; i++) {
		labels[i] = e->kernels[i].label;
	}
	ret = ktstr_matrix__expand(e->profile, labels, e->nkernels, &e->matrix, err, errlen);
	free(labels);
	if (ret == 0) {
		apply_filters(e);
	}
	return ret;
}

static int find_guest_init(struct ktstr_engine *e, char *err, size_t errlen)
{
	snprintf(e->init_path, sizeof(e->init_path), "%s/ktstr-init", ktstr_paths__guest_dir());
	if (access(e->init_path, R_OK) != 0) {
		snprintf(err, errlen,
			 "guest init %s is missing (%s); build the project, or set KTSTR_GUEST_DIR",
			 e->init_path, strerror(errno));
		return -ENOENT;
	}
	return 0;
}

static int probe_vm(struct ktstr_engine *e, char *err, size_t errlen)
{
	int ret = ktstr_inst__vm_probe(e->vm, &e->caps);

	if (ret != 0) {
		snprintf(err, errlen, "VM backend %s cannot probe this host: %s",
			 ktstr_inst__name(e->vm),
			 ktstr_inst__last_error(e->vm)[0] ? ktstr_inst__last_error(e->vm)
							  : strerror(-ret));
		return ret;
	}
	if (e->caps.best == KTSTR_ACCEL_NONE) {
		snprintf(err, errlen, "NO VM CAN BOOT on this host (%s): no test can run",
			 e->caps.detail);
		return -ENODEV;
	}
	fprintf(e->human, "accelerator: %s%s%s\n", e->caps.best == KTSTR_ACCEL_KVM ? "kvm" : "tcg",
		e->caps.detail[0] ? " - " : "", e->caps.detail);
	if (e->caps.best == KTSTR_ACCEL_TCG) {
		fprintf(e->human, "note: software emulation; timing-based checks run with emulated "
				  "timing and results record timing_emulated=true\n");
	}
	return 0;
}

static int open_sinks(struct ktstr_engine *e, char *err, size_t errlen)
{
	KTSTR_OPTS(ktstr_sink_open_opts, so, .run_dir = e->run_dir, .run_id = e->run_id,
		   .planned_tests = (uint32_t)e->matrix.n);

	for (size_t i = 0; i < e->nsinks; i++) {
		int ret = ktstr_inst__sink_open(e->sinks[i], &so);

		if (ret == -ENOTSUP) { /* open is optional: the sink only emits */
			ret = 0;
		}
		if (ret != 0) {
			snprintf(err, errlen, "result sink %s cannot open: %s",
				 ktstr_inst__name(e->sinks[i]),
				 ktstr_inst__last_error(e->sinks[i])[0]
					 ? ktstr_inst__last_error(e->sinks[i])
					 : strerror(-ret));
			return ret;
		}
		e->sink_open[i] = true;
	}
	return 0;
}

static void close_sinks(struct ktstr_engine *e)
{
	for (size_t i = 0; i < e->nsinks; i++) {
		int ret = e->sink_open[i] ? ktstr_inst__sink_close(e->sinks[i]) : 0;

		if (ret != 0 && ret != -ENOTSUP) { /* close is optional too */
			KTSTR_ERR("result sink %s failed to close: %s", ktstr_inst__name(e->sinks[i]),
				  ktstr_inst__last_error(e->sinks[i]));
		}
		e->sink_open[i] = false;
	}
}

static int prepare_run_dir(struct ktstr_engine *e, char *err, size_t errlen)
{
	const char *base = e->opts->output_dir ? e->opts->output_dir
			   : e->profile->output_dir ? e->profile->output_dir
						    : "ktstr-runs";
	time_t now = time(NULL);
	int ret;

	ktstr_runinfo__run_id(now, e->run_id, sizeof(e->run_id));
	ktstr_runinfo__timestamp(now, e->timestamp, sizeof(e->timestamp));
	if (ktstr_runinfo__project_commit(".", e->project_commit, sizeof(e->project_commit)) != 0) {
		e->project_commit[0] = '\0';
	}
	e->ci = getenv("KTSTR_CI") != NULL && getenv("KTSTR_CI")[0] != '\0';
	snprintf(e->run_dir, sizeof(e->run_dir), "%s/%s", base, e->run_id);
	ret = ktstr_fs__mkdir_p(e->run_dir, 0755);
	if (ret != 0) {
		snprintf(err, errlen, "cannot create the run directory %s: %s", e->run_dir,
			 strerror(-ret));
		return ret;
	}
	snprintf(e->sum->run_dir, sizeof(e->sum->run_dir), "%s", e->run_dir);
	return 0;
}

static int run_tests(struct ktstr_engine *e, char *err, size_t errlen)
{
	uint64_t t0 = ktstr_runinfo__now_ms();
	int ret;

	ret = prepare_run_dir(e, err, errlen);
	if (ret == 0) {
		ret = open_sinks(e, err, errlen);
	}
	if (ret != 0) {
		close_sinks(e);
		return ret;
	}
	e->sum->total = e->matrix.n;
	for (size_t i = 0; i < e->matrix.n; i++) {
		if (cancel_requested(e)) {
			e->sum->cancelled = true;
			e->sum->not_run = e->matrix.n - i;
			break;
		}
		fprintf(e->human, "[%zu/%zu] ", i + 1, e->matrix.n);
		ktstr_engine__run_test(e, i);
	}
	if (!e->sum->cancelled && cancel_requested(e)) {
		e->sum->cancelled = true;
	}
	close_sinks(e);
	ktstr_engine__print_summary(e, ktstr_runinfo__now_ms() - t0);
	return e->sum->cancelled ? -ECANCELED : 0;
}

int ktstr_engine__run(const struct ktstr_run_opts *opts, struct ktstr_run_summary *sum, char *err,
		      size_t errlen)
{
	struct ktstr_engine e = { .opts = opts, .sum = sum };
	int ret;

	memset(sum, 0, sizeof(*sum));
	err[0] = '\0';
	if (opts == NULL || opts->sz < KTSTR_OFFSET_END(struct ktstr_run_opts, ktstr_run_opts__last_field)) {
		snprintf(err, errlen, "ktstr_run_opts: size %zu is not a known version",
			 opts ? opts->sz : 0);
		return -EINVAL;
	}
	e.human = opts->json ? stderr : stdout;
	ret = ktstr_profile__load(opts->profile_path, &e.profile, err, errlen);
	if (ret != 0) {
		return ret == -ENOENT || ret == -EACCES ? -EINVAL : ret;
	}
	ret = ktstr_paths__cache_root(e.cache_root, sizeof(e.cache_root));
	if (ret != 0) {
		snprintf(err, errlen, "no cache directory: set HOME or XDG_CACHE_HOME");
		goto out;
	}
	ktstr_registry__set_dirs(e.cache_root, NULL);
	ret = ktstr_engine__load_plugins(&e, err, errlen);
	if (ret == 0) {
		ret = ktstr_engine__resolve_kernels(&e, err, errlen);
	}
	if (ret == 0) {
		ret = expand(&e, err, errlen);
	}
	if (ret != 0) {
		goto out;
	}
	if (opts->dry_run) {
		ktstr_engine__print_plan(&e, stdout);
		goto out;
	}
	if (e.matrix.n == 0) {
		snprintf(err, errlen, "%s: no test selected (%zu in the matrix; check include, "
				      "exclude, budget and --filter)",
			 e.profile->path, e.matrix.total_before_filter);
		ret = -EINVAL;
		goto out;
	}
	ret = find_guest_init(&e, err, errlen);
	if (ret == 0) {
		ret = probe_vm(&e, err, errlen);
	}
	if (ret != 0) {
		goto out;
	}
	e.summary_tests = opts->json ? json_array() : NULL;
	ret = run_tests(&e, err, errlen);
	if (ret == -ECANCELED) {
		snprintf(err, errlen, "cancelled: %zu test(s) not run", sum->not_run);
	}
out:
	json_decref(e.summary_tests);
	ktstr_matrix__release(&e.matrix);
	ktstr_engine__free_kernels(&e);
	ktstr_engine__unload_plugins(&e);
	ktstr_profile__free(e.profile);
	return ret;
}
