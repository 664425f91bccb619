/*
 * ktstr-init: PID 1 of a test VM. Mounts, reads /ktstr/test.json, checks the
 * topology, starts the scheduler, runs the scenario and reports on COM2
 * (docs/protocol.md), then powers the VM off.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cgroup.h"
#include "diag.h"
#include "guard.h"
#include "mounts.h"
#include "proto.h"
#include "scenario.h"
#include "scheduler.h"
#include "spec.h"
#include "timeutil.h"
#include "topology.h"

#define INIT_OK_MARKER "/.ktstr_init_ok"
#define COM1_PATH "/dev/ttyS0"
#define KMSG_PATH "/dev/kmsg"
#define SCHED_SURVIVE_MS 1000
#define SCHED_ATTACH_MS 3000
#define SCHED_POLL_MS 50
#define SCHED_STOP_GRACE_MS 1000
#define SCHED_RELEASE_MS 2000
#define EMULATED_TIMING_FACTOR 5
#define WATCHDOG_SLACK_S 60
#define WATCHDOG_COLLECT_S 5
#define WATCHDOG_SCHED_S 20 /* scheduler start, attach (x5 emulated) and stop */

struct init {
	struct ktstr_proto com2;
	struct ktstr_spec spec;
	struct ktstr_guest_topo topo;
	json_t *topo_json;
	struct ktstr_sched sched;
	struct ktstr_scenario_out out;
	char err[1024];
};

static double uptime_s(void)
{
	return (double)ktstr_clock_ns(CLOCK_BOOTTIME) / 1e9;
}

static __attribute__((noreturn)) void finish(struct init *in, int code)
{
	ktstr_proto__exit(&in->com2, code);
	ktstr_diag("exit %d at %.2fs after boot", code, uptime_s());
	ktstr_guard__poweroff(in->com2.fd);
}

static __attribute__((noreturn)) void setup_failed(struct init *in, const char *why)
{
	ktstr_diag("setup failed: %s", why);
	ktstr_proto__reason(&in->com2, KTSTR_SENT_SETUP_FAILED, why);
	finish(in, 1);
}

/* Diagnostics go to COM1 even if the kernel gave PID 1 no console. */
static void ensure_stderr(void)
{
	int fd;

	if (fcntl(STDERR_FILENO, F_GETFD) >= 0) {
		return;
	}
	fd = open(COM1_PATH, O_WRONLY | O_NOCTTY);
	if (fd >= 0 && fd != STDERR_FILENO) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

static void bring_up(struct init *in)
{
	int rc = ktstr_mounts__setup(in->err, sizeof(in->err));

	ensure_stderr();
	if (rc == 0) {
		rc = ktstr_proto__open(&in->com2, KTSTR_COM2_PATH);
		if (rc) {
			ktstr_diag("cannot open %s: %s; no verdict can reach the host",
				   KTSTR_COM2_PATH, strerror(-rc));
			ktstr_guard__poweroff(-1);
		}
	} else {
		ktstr_diag("%s", in->err);
		if (ktstr_proto__open(&in->com2, KTSTR_COM2_PATH) == 0) {
			ktstr_proto__reason(&in->com2, KTSTR_SENT_INIT_FAILED, in->err);
		}
		ktstr_guard__poweroff(in->com2.fd);
	}
	ktstr_guard__install(in->com2.fd);
	if (access(INIT_OK_MARKER, F_OK) != 0) {
		ktstr_diag("%s missing: the initramfs was not fully extracted", INIT_OK_MARKER);
		ktstr_proto__reason(&in->com2, KTSTR_SENT_INIT_FAILED, "initramfs incomplete");
		ktstr_guard__poweroff(in->com2.fd);
	}
	ktstr_proto__line(&in->com2, KTSTR_SENT_INIT_STARTED);
	ktstr_diag("started at %.2fs after boot", uptime_s());
}

static void read_inputs(struct init *in)
{
	uint64_t watchdog_s;
	char msg[512];

	if (ktstr_spec__load(KTSTR_SPEC_PATH, &in->spec, in->err, sizeof(in->err)) != 0) {
		setup_failed(in, in->err);
	}
	/* Every hold, plus collection (5 s per step at most) and slack. */
	watchdog_s = (ktstr_spec__hold_budget_ms(&in->spec) + 999) / 1000 +
		     WATCHDOG_COLLECT_S * (in->spec.scenario.nsteps + 1) + WATCHDOG_SLACK_S +
		     (in->spec.sched ? WATCHDOG_SCHED_S : 0);
	ktstr_guard__arm((unsigned)watchdog_s);
	ktstr_diag("test %s: scenario %s, %llu ms, watchdog %llus", in->spec.test_name,
		   in->spec.scenario.name, (unsigned long long)in->spec.duration_ms,
		   (unsigned long long)watchdog_s);
	if (ktstr_guest_topo__read("", &in->topo, msg, sizeof(msg)) != 0) {
		snprintf(in->err, sizeof(in->err), "guest topology: %s", msg);
		setup_failed(in, in->err);
	}
	in->topo_json = ktstr_guest_topo__to_json(&in->topo);
	if (in->topo_json == NULL) {
		setup_failed(in, "out of memory encoding the guest topology");
	}
}

static void dump_sched_log(struct init *in)
{
	if (ktstr_proto__sched_log(&in->com2, KTSTR_SCHED_LOG) != 0) {
		ktstr_diag("cannot copy %s to COM2", KTSTR_SCHED_LOG);
	}
}

static __attribute__((noreturn)) void sched_died(struct init *in)
{
	char how[64];

	ktstr_sched__describe(&in->sched, how, sizeof(how));
	ktstr_diag("scheduler %s died at startup (%s)", in->spec.sched->name, how);
	dump_sched_log(in);
	ktstr_proto__line(&in->com2, KTSTR_SENT_SCHED_DIED);
	finish(in, 1);
}

static void start_scheduler(struct init *in)
{
	unsigned timeout =
	    SCHED_ATTACH_MS * (in->spec.emulated_timing ? EMULATED_TIMING_FACTOR : 1);
	enum ktstr_sched_startup st;
	char pid[16], why[512];

	if (ktstr_sched__start(&in->sched, in->spec.sched->argv, KTSTR_SCHED_LOG, in->err,
			       sizeof(in->err)) != 0) {
		setup_failed(in, in->err);
	}
	ktstr_diag("scheduler %s started as pid %d", in->spec.sched->name, (int)in->sched.pid);
	st = ktstr_sched__startup(&in->sched, "", KTSTR_SCHED_LOG, SCHED_SURVIVE_MS, timeout,
				  SCHED_POLL_MS, why, sizeof(why));
	if (st == KTSTR_SCHED_STARTUP_DIED) {
		sched_died(in);
	}
	if (st != KTSTR_SCHED_STARTUP_ATTACHED) {
		ktstr_diag("scheduler %s not attached: %s", in->spec.sched->name, why);
		ktstr_proto__reason(&in->com2, KTSTR_SENT_SCHED_NOT_ATTACHED, why);
		ktstr_sched__stop(&in->sched, SCHED_STOP_GRACE_MS);
		dump_sched_log(in);
		finish(in, 1);
	}
	ktstr_diag("scheduler %s attached", in->spec.sched->name);
	snprintf(pid, sizeof(pid), "%d", (int)in->sched.pid);
	setenv("SCHED_PID", pid, 1);
}

static void announce_topology(struct init *in)
{
	char *topo = json_dumps(in->topo_json, JSON_COMPACT);

	if (topo == NULL) {
		setup_failed(in, "out of memory encoding the guest topology");
	}
	ktstr_proto__topology(&in->com2, topo);
	free(topo);
}

static __attribute__((noreturn)) void report(struct init *in)
{
	struct ktstr_result_doc doc = {
	    .verdict = &in->out.verdict,
	    .stats = &in->out.stats,
	    .guest_topology = in->topo_json,
	    .scenario = in->spec.scenario.name,
	    .duration_ms = in->spec.duration_ms,
	    .workers = in->out.workers,
	    .nworkers = in->out.nworkers,
	    .steps = in->out.steps,
	    .nsteps = in->out.nsteps,
	    .stimuli = in->out.stimuli,
	    .nstimuli = in->out.nstimuli,
	    .isolation = in->out.isolation,
	    .nisolation = in->out.nisolation,
	    .emulated_timing = in->spec.emulated_timing,
	    .timing_scale = in->out.timing_scale,
	};
	struct utsname uts;
	char *json;

	doc.kernel_release = uname(&uts) == 0 ? uts.release : "unknown";
	json = ktstr_result__render(&doc);
	if (json == NULL) {
		ktstr_diag("out of memory rendering the result");
		finish(in, 1);
	}
	ktstr_proto__result(&in->com2, json);
	free(json);
	for (size_t i = 0; i < in->out.verdict.n; i++) {
		ktstr_diag("%s: %s", ktstr_detail_kind__name(in->out.verdict.details[i].kind),
			   in->out.verdict.details[i].message);
	}
	finish(in, in->out.verdict.passed ? 0 : 1);
}

/* Each stimulus event also goes to the host as a STIM frame as it happens. */
static void send_stimulus(const struct ktstr_result_stimulus *ev, void *arg)
{
	struct init *in = arg;
	json_t *payload = ktstr_result__stimulus_json(ev);

	if (payload == NULL || ktstr_proto__frame(&in->com2, "STIM", payload) != 0) {
		ktstr_diag("cannot send the stimulus event of step %u", ev->step_index);
	}
	json_decref(payload);
}

static __attribute__((noreturn)) void run(void)
{
	static struct init in = {.com2 = {.fd = -1}};
	struct ktstr_scenario_env env = {.spec = &in.spec,
					 .topo = &in.topo,
					 .cgroup_root = KTSTR_CGROUP_ROOT,
					 .sys_root = "",
					 .kmsg_path = KMSG_PATH,
					 .on_stimulus = send_stimulus,
					 .arg = &in};
	char msg[512];
	uint64_t t0;

	bring_up(&in);
	read_inputs(&in);
	ktstr_scenario_out__init(&in.out);
	announce_topology(&in);
	if (!ktstr_guest_topo__matches(&in.topo, &in.spec.topo, msg, sizeof(msg))) {
		ktstr_verdict__fail(&in.out.verdict, KTSTR_DETAIL_TOPOLOGY, "%s", msg);
		report(&in);
	}
	if (in.spec.sched != NULL) {
		start_scheduler(&in);
		env.sched = &in.sched;
	}
	ktstr_proto__line(&in.com2, KTSTR_SENT_PAYLOAD_STARTING);
	t0 = ktstr_now_ns();
	if (ktstr_scenario__run(&env, &in.out) != 0) {
		ktstr_verdict__fail(&in.out.verdict, KTSTR_DETAIL_OTHER,
				    "out of memory while running the scenario");
	}
	ktstr_diag("scenario %s took %.2fs", in.spec.scenario.name,
		   (double)(ktstr_now_ns() - t0) / 1e9);
	if (env.sched != NULL) {
		/* The result is gathered under the kernel's own scheduler again. */
		if (ktstr_sched__release(&in.sched, "", SCHED_STOP_GRACE_MS, SCHED_RELEASE_MS) !=
		    0) {
			ktstr_diag("sched_ext still runs a scheduler %d ms after stopping it",
				   SCHED_RELEASE_MS);
		}
		dump_sched_log(&in);
	}
	report(&in);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (getpid() != 1) {
		fprintf(stderr,
			"ktstr-init: this is the init of a ktstr test VM and must run as PID 1 "
			"(this is pid %d); the tests in tests/guest exercise its modules\n",
			(int)getpid());
		return 2;
	}
	/*
	 * jansson seeds its hash tables from /dev/urandom, which blocks until the
	 * kernel's CRNG is ready: 1.4 s into an emulated boot. The seed only
	 * guards against hash flooding, which a test spec we packed ourselves
	 * cannot do, so the clock is seed enough.
	 */
	json_object_seed((size_t)ktstr_now_ns() | 1);
	run();
}
