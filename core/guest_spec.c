#include "guest_spec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "scenario.h"

#define KTSTR_GUEST_SPEC_VERSION 2

static json_t *checks_of(const struct ktstr_guest_spec *s)
{
	json_t *c = ktstr_checks__defaults();

	if (c == NULL) {
		return NULL;
	}
	if ((s->max_gap_ms != 0 &&
	     json_object_set_new(c, "max_gap_ms", json_integer(s->max_gap_ms)) != 0) ||
	    (s->max_spread_pct != 0 &&
	     json_object_set_new(c, "max_spread_pct", json_real(s->max_spread_pct)) != 0) ||
	    ktstr_checks__merge(c, s->checks) != 0) {
		json_decref(c);
		return NULL;
	}
	return c;
}

static json_t *scenario_of(const struct ktstr_guest_spec *s)
{
	if (s->def != NULL) {
		return ktstr_scenario__spec(s->def);
	}
	return json_pack("{s:s,s:{s:[],s:[]},s:[]}", "name", s->scenario, "backdrop", "cgroups",
			 "ops", "steps");
}

static json_t *sched_of(const struct ktstr_guest_spec *s)
{
	json_t *args;

	if (s->sched_name == NULL) {
		return json_null();
	}
	args = json_array();
	for (size_t i = 0; args != NULL && s->sched_args != NULL && s->sched_args[i] != NULL; i++) {
		if (json_array_append_new(args, json_string(s->sched_args[i])) != 0) {
			json_decref(args);
			return NULL;
		}
	}
	return json_pack("{s:s,s:s,s:o}", "name", s->sched_name, "path", "/" KTSTR_GUEST_SCHED_PATH,
			 "args", args);
}

int ktstr_guest_spec__render(const struct ktstr_guest_spec *s, char **out)
{
	json_t *root;

	/* json_pack's "o" takes each reference even on failure, so NULLs need no cleanup */
	root = json_pack("{s:i,s:s,s:i,s:i,s:i,s:{s:i,s:i,s:i,s:i},s:o,s:b,s:o,s:o}", "version",
			 KTSTR_GUEST_SPEC_VERSION, "test_name", s->test_name, "duration_ms",
			 (json_int_t)s->duration_ms, "workers_per_cgroup",
			 (json_int_t)s->workers_per_cgroup, "settle_ms", (json_int_t)s->settle_ms,
			 "topology", "numa_nodes", (json_int_t)s->topo.numa_nodes, "llcs",
			 (json_int_t)s->topo.llcs, "cores", (json_int_t)s->topo.cores, "threads",
			 (json_int_t)s->topo.threads, "scheduler", sched_of(s), "emulated_timing",
			 s->emulated_timing, "scenario", scenario_of(s), "checks", checks_of(s));
	if (root == NULL) {
		return -ENOMEM;
	}
	*out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(root);
	return *out != NULL ? 0 : -ENOMEM;
}

/*
 * Mostly upstream's base line (reference vmm.md 1.5) minus what only its own
 * VMM needs. reboot=k + panic=-1 with QEMU's -no-reboot make both a clean
 * exit and a panic end the VM at once.
 */
static const char base_cmdline[] =
    "console=ttyS0 nomodules mitigations=off no_timer_check random.trust_cpu=on "
    "swiotlb=noforce i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd reboot=k panic=-1 "
    "nokaslr lockdown=none sysctl.kernel.unprivileged_bpf_disabled=0 "
    "sysctl.kernel.sched_schedstats=1 numa_balancing=disable rdinit=/init "
    "initramfs_options=size=90%";

/*
 * Under emulation the TSC is neither stable nor checked reliably: the
 * clocksource watchdog times out reading remote vCPUs and may flip the
 * clocksource, and the late "sched_clock: Marking stable" live-patches
 * sched_clock_cpu() (an "Oops: int3" there was seen with multi-threaded TCG).
 * tsc=unstable decides both at boot: sched_clock stays unstable, the
 * clocksource is HPET for the whole run.
 */
static const char emulated_cmdline[] = "tsc=unstable";

int ktstr_guest_spec__cmdline(bool verbose, bool emulated, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s %s%s%s", base_cmdline,
			 verbose ? "earlyprintk=serial loglevel=7" : "loglevel=4",
			 emulated ? " " : "", emulated ? emulated_cmdline : "");

	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}
