/* vm/qemu: boots each test VM with qemu-system-x86_64 (KVM when usable, else TCG). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ktstr/plugin.h>
#include <ktstr/vm.h>

#include "qemu_argv.h"
#include "qemu_probe.h"
#include "qemu_run.h"

enum qemu_accel_opt {
	QEMU_ACCEL_AUTO = 0,
	QEMU_ACCEL_KVM,
	QEMU_ACCEL_TCG,
};

struct qemu_priv {
	/* options, filled by the engine */
	const char *binary;
	const char *accel;
	const char *cpu;
	const char *machine;
	const char *extra_args;
	const char *tcg_thread;
	bool keep_logs;
	/* set by init */
	enum qemu_accel_opt accel_opt;
};

/* What the host offers and what the probe found, for one decision. */
struct qemu_choice {
	enum ktstr_accel accel; /* KTSTR_ACCEL_NONE: cannot run */
	int err;		/* why not, when accel is NONE: -ENOENT or -ENODEV */
	char detail[256];
};

static const struct ktstr_host_api *qemu_host;

static const struct ktstr_opt_spec qemu_opts[] = {
    {KTSTR_OPT_STR, "binary", "qemu-system-x86_64", offsetof(struct qemu_priv, binary),
     "QEMU binary, a path or a name looked up in PATH"},
    {KTSTR_OPT_STR, "accel", "auto", offsetof(struct qemu_priv, accel),
     "auto (KVM when it can boot Linux, else TCG), kvm or tcg"},
    {KTSTR_OPT_STR, "cpu", "auto", offsetof(struct qemu_priv, cpu),
     "-cpu model; auto: host under KVM, Nehalem under TCG"},
    {KTSTR_OPT_STR, "machine", "pc", offsetof(struct qemu_priv, machine), "-M machine type"},
    {KTSTR_OPT_STR, "extra_args", "", offsetof(struct qemu_priv, extra_args),
     "extra QEMU arguments, separated by spaces (no quoting)"},
    /*
     * Multi-threaded TCG runs vCPUs in parallel but, on QEMU 7.2, a vCPU
     * occasionally executes a stale int3 while the guest kernel live-patches
     * a static key (text_poke_bp): "Oops: int3" at boot or when cpusets or
     * sched_ext flip a key. One TCG thread has no such race.
     */
    {KTSTR_OPT_STR, "tcg_thread", "single", offsetof(struct qemu_priv, tcg_thread),
     "TCG vCPU threading: single (default; reliable) or multi (faster, may oops)"},
    {KTSTR_OPT_BOOL, "keep_logs", "false", offsetof(struct qemu_priv, keep_logs),
     "keep QEMU's own output in the scratch directory"},
    {0},
};

static int qemu__init(struct ktstr_inst *inst)
{
	struct qemu_priv *p = qemu_host->priv(inst);
	static const char *const names[] = {"binary", "cpu", "machine"};
	const char *vals[] = {p->binary, p->cpu, p->machine};

	for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		if (vals[i] == NULL || vals[i][0] == '\0') {
			qemu_host->set_error(inst, "option %s must not be empty", names[i]);
			return -EINVAL;
		}
	}
	if (p->accel == NULL || strcmp(p->accel, "auto") == 0) {
		p->accel_opt = QEMU_ACCEL_AUTO;
	} else if (strcmp(p->accel, "kvm") == 0) {
		p->accel_opt = QEMU_ACCEL_KVM;
	} else if (strcmp(p->accel, "tcg") == 0) {
		p->accel_opt = QEMU_ACCEL_TCG;
	} else {
		qemu_host->set_error(inst, "option accel is \"%s\"; use auto, kvm or tcg",
				     p->accel);
		return -EINVAL;
	}
	if (strcmp(p->tcg_thread, "single") != 0 && strcmp(p->tcg_thread, "multi") != 0) {
		qemu_host->set_error(inst, "option tcg_thread is \"%s\"; use single or multi",
				     p->tcg_thread);
		return -EINVAL;
	}
	return 0;
}

static void qemu__choose(const struct qemu_priv *p, struct qemu_choice *c)
{
	struct ktstr_kvm_check chk;
	char path[4096];
	char why[200];

	if (ktstr_qemu_probe__which(p->binary, getenv("PATH"), path, sizeof(path)) < 0) {
		c->accel = KTSTR_ACCEL_NONE;
		c->err = -ENOENT;
		snprintf(c->detail, sizeof(c->detail),
			 "qemu binary not found: %s (install qemu-system-x86 or set the binary "
			 "option)",
			 p->binary);
		return;
	}
	if (p->accel_opt == QEMU_ACCEL_TCG) {
		c->accel = KTSTR_ACCEL_TCG;
		snprintf(c->detail, sizeof(c->detail),
			 "tcg (software emulation): set by option accel");
		return;
	}
	ktstr_qemu_probe__kvm_check("/dev/kvm", &chk);
	c->accel = ktstr_qemu_probe__decide("/sys", &chk, why, sizeof(why));
	if (c->accel == KTSTR_ACCEL_TCG && p->accel_opt == QEMU_ACCEL_KVM) {
		c->accel = KTSTR_ACCEL_NONE;
		c->err = -ENODEV;
		snprintf(c->detail, sizeof(c->detail),
			 "option accel is kvm but %s; set accel to "
			 "auto or tcg",
			 why);
		return;
	}
	snprintf(c->detail, sizeof(c->detail), "%s", why);
}

static int qemu__probe(struct ktstr_inst *inst, struct ktstr_vm_caps *caps)
{
	struct qemu_choice c = {0};

	qemu__choose(qemu_host->priv(inst), &c);
	caps->best = c.accel;
	snprintf(caps->detail, sizeof(caps->detail), "%s", c.detail);
	return 0;
}

static int qemu__run(struct ktstr_inst *inst, const struct ktstr_vm_spec *spec,
		     struct ktstr_vm_outcome *outcome)
{
	struct qemu_priv *p = qemu_host->priv(inst);
	struct qemu_choice c = {0};
	struct ktstr_qemu_cfg cfg = {
	    .binary = p->binary,
	    .machine = p->machine,
	    .extra_args = p->extra_args,
	    .tcg_thread = p->tcg_thread,
	};
	struct ktstr_qemu_launch l = {
	    .cfg = &cfg,
	    .keep_log = p->keep_logs,
	    .kill_grace_ms = KTSTR_QEMU_KILL_GRACE_MS,
	};
	char err[256];
	int rc;

	if (qemu_host->cancelled()) {
		qemu_host->set_error(inst, "the run was cancelled before the VM started");
		return -ECANCELED;
	}
	qemu__choose(p, &c);
	if (c.accel == KTSTR_ACCEL_NONE) {
		qemu_host->set_error(inst, "%s", c.detail);
		return c.err;
	}
	cfg.accel = c.accel;
	cfg.cpu = strcmp(p->cpu, "auto") == 0 ? ktstr_qemu_cmd__default_cpu(c.accel) : p->cpu;
	l.log_dir = qemu_host->scratch_dir(inst);
	if (l.log_dir == NULL) {
		qemu_host->set_error(inst, "the engine gave no scratch directory for QEMU's log");
		return -EIO;
	}
	KTSTR_PLG_DBG(qemu_host, inst, "accelerator: %s", c.detail);
	rc = ktstr_qemu__run(&l, spec, outcome, err, sizeof(err));
	if (rc < 0) {
		qemu_host->set_error(inst, "%s", err);
	}
	return rc;
}

static const struct ktstr_vm_ops qemu_ops = {
    .sz = sizeof(struct ktstr_vm_ops),
    .init = qemu__init,
    .probe = qemu__probe,
    .run = qemu__run,
};

static const struct ktstr_plugin_desc qemu_desc = {
    KTSTR_PLUGIN_DESC_INIT,
    .kind = KTSTR_PLUGIN_VM,
    .name = "qemu",
    .version = "0.1.0",
    .description = "boots test VMs with qemu-system-x86_64 (KVM when usable, else TCG)",
    .ops = &qemu_ops,
    .opts = qemu_opts,
    .priv_size = sizeof(struct qemu_priv),
};

KTSTR_PLUGIN_EXPORT int ktstr_plugin_entry_v1(const struct ktstr_host_api *host,
					      const struct ktstr_plugin_desc **out)
{
	if (host == NULL || !KTSTR_SZ_HAS(host, cancelled)) {
		return -EPROTO;
	}
	qemu_host = host;
	*out = &qemu_desc;
	return 0;
}
