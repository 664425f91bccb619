/*
 * The test spec the host hands the guest as /ktstr/test.json in the
 * initramfs suffix (docs/protocol.md), and the guest kernel command line.
 */
#ifndef KTSTR_CORE_GUEST_SPEC_H
#define KTSTR_CORE_GUEST_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktstr/topology.h>

/** @brief Archive path of the spec inside the initramfs. */
#define KTSTR_GUEST_SPEC_PATH "ktstr/test.json"
/** @brief Archive path of the scheduler binary inside the initramfs. */
#define KTSTR_GUEST_SCHED_PATH "scheduler"

struct ktstr_guest_spec {
	const char *test_name;
	const char *scenario;
	uint32_t duration_ms;
	uint32_t workers_per_cgroup;
	uint32_t settle_ms;
	struct ktstr_topo topo;
	const char *sched_name;        /* NULL for the kernel's own scheduler */
	const char *const *sched_args; /* NULL-terminated; scheduler args then flag-set args */
	bool emulated_timing;          /* no hardware virtualization: timing checks scale */
	uint32_t max_gap_ms;           /* 0: the default (or what checks says) */
	double max_spread_pct;         /* 0: the default (or what checks says) */
	/* appended for spec v2 */
	const struct ktstr_scenario *def; /* what to run (NULL: an empty scenario named scenario) */
	const struct json_t *checks;      /* merged checks (ktstr_profile__checks), or NULL */
};

struct json_t;
struct ktstr_scenario;

/**
 * @brief Render test spec v2 (docs/protocol.md) as JSON into a malloc'd string:
 *        checks are the defaults, then max_gap_ms / max_spread_pct when set,
 *        then @p s->checks. 0 or -ENOMEM.
 */
int ktstr_guest_spec__render(const struct ktstr_guest_spec *s, char **out);

/**
 * @brief Build the guest kernel command line into buf. -ENOSPC if it does not fit.
 * @param emulated  the VM runs under software emulation (no hardware KVM)
 */
int ktstr_guest_spec__cmdline(bool verbose, bool emulated, char *buf, size_t len);

#endif
