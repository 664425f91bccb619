#include "guest_spec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

int ktstr_guest_spec__render(const struct ktstr_guest_spec *s, char **out)
{
	json_t *root = json_object(), *topo, *sched = json_null(), *checks;

	topo = json_pack("{s:i,s:i,s:i,s:i}", "numa_nodes", (json_int_t)s->topo.numa_nodes, "llcs",
			 (json_int_t)s->topo.llcs, "cores", (json_int_t)s->topo.cores, "threads",
			 (json_int_t)s->topo.threads);
	checks = json_pack("{s:b,s:i,s:f}", "not_starved", 1, "max_gap_ms",
			   (json_int_t)s->max_gap_ms, "max_spread_pct", s->max_spread_pct);
	if (s->sched_name != NULL) {
		json_t *args = json_array();

		for (size_t i = 0; s->sched_args != NULL && s->sched_args[i] != NULL; i++) {
			json_array_append_new(args, json_string(s->sched_args[i]));
		}
		sched = json_pack("{s:s,s:s,s:o}", "name", s->sched_name, "path",
				  "/" KTSTR_GUEST_SCHED_PATH, "args", args);
	}
	if (root == NULL || topo == NULL || checks == NULL || sched == NULL) {
		json_decref(root);
		json_decref(topo);
		json_decref(checks);
		json_decref(sched);
		return -ENOMEM;
	}
	json_object_set_new(root, "version", json_integer(1));
	json_object_set_new(root, "test_name", json_string(s->test_name));
	json_object_set_new(root, "scenario", json_string(s->scenario));
	json_object_set_new(root, "duration_ms", json_integer(s->duration_ms));
	json_object_set_new(root, "workers_per_cgroup", json_integer(s->workers_per_cgroup));
	json_object_set_new(root, "settle_ms", json_integer(s->settle_ms));
	json_object_set_new(root, "topology", topo);
	json_object_set_new(root, "scheduler", sched);
	json_object_set_new(root, "checks", checks);
	json_object_set_new(root, "emulated_timing", json_boolean(s->emulated_timing));
	*out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
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
