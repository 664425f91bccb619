/* Runs one test of the matrix: plan, initramfs, boot, parse, verdict, sinks. */
#define _GNU_SOURCE
#include "engine_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"
#include "guest_output.h"
#include "guest_spec.h"
#include "log.h"
#include "runinfo.h"
#include "scenario.h"
#include "topo.h"

#define CONSOLE_TAIL_LINES 40
#define SETTLE_MS 500

/* Directory name for a test: its name with '/' turned into '-'. */
static void test_dir_name(const char *name, char *buf, size_t len)
{
	size_t i = 0;

	for (; name[i] != '\0' && i + 1 < len; i++) {
		buf[i] = name[i] == '/' ? '-' : name[i];
	}
	buf[i] = '\0';
}

/*
 * The VM's deadline: boot (slow under emulation, slower with more vCPUs on
 * few host cores), the scenario, and time to report and power off.
 */
static uint64_t test_timeout_ms(const struct ktstr_engine *e, uint32_t duration_ms,
				uint32_t vcpus)
{
	uint64_t boot_ms;

	if (e->profile->defaults.timeout_ms > 0) {
		return e->profile->defaults.timeout_ms;
	}
	boot_ms = e->caps.best == KTSTR_ACCEL_KVM ? 20000 : 60000 + (uint64_t)vcpus * 3000;
	return boot_ms + 2 * (uint64_t)duration_ms + SETTLE_MS + 30000;
}

/* Scheduler args then the flag set's args, NULL-terminated (pointers borrowed). */
static const char **sched_argv(const struct ktstr_sched_entry *s,
			       const struct ktstr_flagset_entry *f)
{
	size_t n = s->nargs + (f != NULL ? f->nargs : 0);
	const char **argv = calloc(n + 1, sizeof(*argv));

	if (argv == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < s->nargs; i++) {
		argv[i] = s->args[i];
	}
	for (size_t i = 0; f != NULL && i < f->nargs; i++) {
		argv[s->nargs + i] = f->args[i];
	}
	return argv;
}

struct test_ctx {
	struct ktstr_engine *e;
	const struct ktstr_test *t;
	const struct ktstr_topo_entry *topo;
	const struct ktstr_sched_entry *sched;
	const struct ktstr_flagset_entry *flags;
	const struct ktstr_scenario_entry *scen;
	const struct ktstr_engine_kernel *kern;
	char dir[PATH_MAX];
	char initrd[PATH_MAX];
	char com1[PATH_MAX];
	char com2[PATH_MAX];
	char error[1024];
	uint32_t duration_ms;
	uint32_t workers;
};

static int build_initrd(struct test_ctx *c, const char **args, const json_t *checks)
{
	struct ktstr_engine *e = c->e;
	struct ktstr_initramfs_file files[2] = {
		/* ktstr-init is static: no closure, and a broken one still boots (tests) */
		{ .host_path = e->init_path, .archive_path = "init", .mode = 0100755 },
		{ .host_path = c->sched->path, .archive_path = KTSTR_GUEST_SCHED_PATH,
		  .mode = 0100755, .elf_closure = true },
	};
	struct ktstr_guest_spec spec = {
		.test_name = c->t->name,
		.scenario = c->scen->name,
		.duration_ms = c->duration_ms,
		.workers_per_cgroup = c->workers,
		/* the settle lets a scheduler see the new cgroups; eevdf needs none */
		.settle_ms = c->sched->path != NULL ? SETTLE_MS : 0,
		.topo = c->topo->topo,
		.sched_name = c->sched->path != NULL ? c->sched->name : NULL,
		.sched_args = args,
		.emulated_timing = e->caps.best != KTSTR_ACCEL_KVM,
		.def = c->scen->def,
		.checks = checks,
	};
	char base[PATH_MAX], cache_dir[PATH_MAX], *json = NULL;
	void *suffix = NULL;
	size_t suffix_len = 0;
	int ret;

	snprintf(cache_dir, sizeof(cache_dir), "%s/initramfs", e->cache_root);
	ret = ktstr_initramfs__base(files, c->sched->path != NULL ? 2 : 1, KTSTR_COMPRESS_LZ4,
				    cache_dir, base, sizeof(base), NULL, c->error,
				    sizeof(c->error));
	if (ret != 0) {
		return ret;
	}
	ret = ktstr_guest_spec__render(&spec, &json);
	if (ret != 0) {
		snprintf(c->error, sizeof(c->error), "cannot render the guest test spec");
		return ret;
	}
	struct ktstr_initramfs_blob blob = { .archive_path = KTSTR_GUEST_SPEC_PATH,
					     .data = json, .len = strlen(json), .mode = 0100644 };
	ret = ktstr_initramfs__suffix(&blob, 1, KTSTR_COMPRESS_LZ4, &suffix, &suffix_len);
	if (ret == 0) {
		ret = ktstr_initramfs__assemble(base, suffix, suffix_len, c->initrd);
	}
	if (ret != 0) {
		snprintf(c->error, sizeof(c->error), "cannot write the initramfs %s: %s",
			 c->initrd, strerror(-ret));
	}
	free(suffix);
	free(json);
	return ret;
}

static void emit(struct test_ctx *c, const struct ktstr_result_in *in)
{
	struct ktstr_engine *e = c->e;
	void *rec = NULL;
	size_t len = 0;
	int ret = ktstr_result__encode(in, &rec, &len);

	if (ret != 0) {
		KTSTR_ERR("%s: cannot encode the result record: %s", c->t->name, strerror(-ret));
		return;
	}
	for (size_t i = 0; i < e->nsinks; i++) {
		if (!e->sink_open[i]) {
			continue;
		}
		ret = ktstr_inst__sink_emit(e->sinks[i], rec, len);
		if (ret != 0) {
			KTSTR_ERR("sink %s lost the result of %s: %s", ktstr_inst__name(e->sinks[i]),
				  c->t->name, ktstr_inst__last_error(e->sinks[i])[0] != '\0'
						      ? ktstr_inst__last_error(e->sinks[i])
						      : strerror(-ret));
		}
	}
	free(rec);
}

static void tally(struct ktstr_run_summary *sum, enum ktstr_verdict v)
{
	switch (v) {
	case KTSTR_VERDICT_PASS:
		sum->passed++;
		break;
	case KTSTR_VERDICT_FAIL:
		sum->failed++;
		break;
	case KTSTR_VERDICT_SKIP:
		sum->skipped++;
		break;
	case KTSTR_VERDICT_ERROR:
		sum->errors++;
		break;
	}
}

int ktstr_engine__run_test(struct ktstr_engine *e, size_t i)
{
	const struct ktstr_test *t = &e->matrix.tests[i];
	const struct ktstr_profile *p = e->profile;
	struct test_ctx c = {
		.e = e,
		.t = t,
		.topo = &p->topos[t->topo],
		.sched = &p->scheds[t->sched],
		.flags = p->nflagsets > 0 ? &p->flagsets[t->flagset] : NULL,
		.scen = &p->scenarios[t->scenario],
		.kern = &e->kernels[t->kernel],
	};
	KTSTR_OPTS(ktstr_plan_request, req, .topo = c.topo->topo, .test_name = t->name);
	KTSTR_OPTS(ktstr_vm_outcome, outcome);
	struct ktstr_plan plan = { .sz = sizeof(plan) };
	struct ktstr_guest_report report = { 0 };
	struct ktstr_result_in in = { 0 };
	char dname[NAME_MAX], cmdline[2048], reason[512], skip[512], *tail = NULL, *com2 = NULL;
	json_t *checks = NULL;
	const char **args = NULL;
	const char *flagset = c.flags != NULL ? c.flags->name : "default";
	void *lease = NULL;
	bool planned = false, ran = false;
	uint64_t t0 = ktstr_runinfo__now_ms(), t_end = 0;
	size_t com2_len = 0;
	int ret;

	c.duration_ms = c.scen->duration_ms ? c.scen->duration_ms : p->defaults.duration_ms;
	c.workers = c.scen->workers_per_cgroup ? c.scen->workers_per_cgroup
					       : p->defaults.workers_per_cgroup;
	req.memory_mb = c.topo->memory_mb ? c.topo->memory_mb : p->defaults.memory_mb;
	test_dir_name(t->name, dname, sizeof(dname));
	snprintf(c.dir, sizeof(c.dir), "%s/tests/%s", e->run_dir, dname);
	snprintf(c.initrd, sizeof(c.initrd), "%s/initrd.img", c.dir);
	snprintf(c.com1, sizeof(c.com1), "%s/console.log", c.dir);
	snprintf(c.com2, sizeof(c.com2), "%s/protocol.log", c.dir);
	fprintf(e->human, "RUN   %s\n", t->name);
	fflush(e->human);

	ret = ktstr_fs__mkdir_p(c.dir, 0755);
	if (ret != 0) {
		snprintf(c.error, sizeof(c.error), "cannot create %s: %s", c.dir, strerror(-ret));
		goto out;
	}
	/* a topology that cannot host the scenario is a skip, decided without booting */
	if (c.scen->def != NULL && ktstr_scenario__skip(c.scen->def, &c.topo->topo, skip,
							  sizeof(skip)) != 0) {
		in.skip_reason = skip;
		goto out;
	}
	args = sched_argv(c.sched, c.flags);
	if (args == NULL || ktstr_profile__checks(p, c.sched, c.scen, &checks) != 0) {
		ret = -ENOMEM;
		snprintf(c.error, sizeof(c.error), "out of memory preparing the test");
		goto out;
	}
	ret = ktstr_inst__plan(e->planner, &req, &plan, &lease);
	if (ret != 0) {
		snprintf(c.error, sizeof(c.error), "planner %s: %s", ktstr_inst__name(e->planner),
			 ktstr_inst__last_error(e->planner)[0] ? ktstr_inst__last_error(e->planner)
								: strerror(-ret));
		goto out;
	}
	planned = true;
	ret = build_initrd(&c, args, checks);
	if (ret != 0) {
		goto out;
	}
	ret = ktstr_guest_spec__cmdline(e->opts->verbose, e->caps.best != KTSTR_ACCEL_KVM, cmdline,
					sizeof(cmdline));
	if (ret != 0) {
		goto out;
	}
	KTSTR_OPTS(ktstr_vm_spec, spec, .kernel_image = ktstr_kernel__get(c.kern->k, KTSTR_KERNEL_IMAGE),
		   .initramfs = c.initrd, .cmdline = cmdline, .topo = c.topo->topo,
		   .memory_mb = plan.memory_mb, .nr_host_cpus = plan.nr_host_cpus,
		   .host_cpus = plan.host_cpus, .console_path = c.com1, .protocol_path = c.com2,
		   .timeout_ms = test_timeout_ms(e, c.duration_ms, plan.vcpus),
		   .cancel_fd = e->opts->cancel_fd);
	ret = ktstr_inst__vm_run(e->vm, &spec, &outcome);
	if (ret != 0) {
		snprintf(c.error, sizeof(c.error), "VM backend %s could not start the VM: %s",
			 ktstr_inst__name(e->vm),
			 ktstr_inst__last_error(e->vm)[0] ? ktstr_inst__last_error(e->vm)
							  : strerror(-ret));
		goto out;
	}
	ran = true;
	if (ktstr_fs__read_file(c.com2, &com2, &com2_len) == 0) {
		ktstr_guest_output__parse(com2, com2_len, &report);
	}
out:
	t_end = ktstr_runinfo__now_ms();
	unlink(c.initrd);
	if (planned) {
		ktstr_inst__plan_release(e->planner, lease);
	}
	in.test_name = t->name;
	in.scenario = c.scen->name;
	in.topo = c.topo->topo;
	in.scheduler = c.sched->name;
	in.flagset = flagset;
	in.active_flags = c.flags != NULL ? (const char *const *)c.flags->args : NULL;
	in.kernel_label = c.kern->label;
	in.kernel_image = ktstr_kernel__get(c.kern->k, KTSTR_KERNEL_IMAGE);
	in.kernel_version = ktstr_kernel__get(c.kern->k, KTSTR_KERNEL_VERSION);
	in.project_commit = e->project_commit[0] ? e->project_commit : NULL;
	in.run_id = e->run_id;
	in.timestamp = e->timestamp;
	in.ci = e->ci;
	in.accel = ran ? outcome.accel : KTSTR_ACCEL_NONE;
	in.wall_ms = t_end - t0;
	in.vm = ran ? &outcome : NULL;
	in.guest = ran ? &report : NULL;
	in.error = c.error[0] ? c.error : NULL;
	in.cleanup_ms = ktstr_runinfo__now_ms() - t_end;
	enum ktstr_verdict v = ktstr_result__verdict(&in, reason, sizeof(reason));
	if (v != KTSTR_VERDICT_PASS && v != KTSTR_VERDICT_SKIP && ran) {
		ktstr_console__tail(c.com1, CONSOLE_TAIL_LINES, &tail);
		in.console_tail = tail;
	}
	emit(&c, &in);
	tally(e->sum, v);
	ktstr_engine__report_test(e, t, &in, v, reason);
	free(tail);
	free(com2);
	free(args);
	json_decref(checks);
	ktstr_guest_report__release(&report);
	return 0;
}
