/*
 * Command line of ktstr-sched, the loader of the ktstr test scheduler
 * (README.md). Plain C with no libbpf, so the host unit tests can
 * check it (tests/guest/test_sched_opts.c).
 */
#ifndef KTSTR_SCHED_OPTS_H
#define KTSTR_SCHED_OPTS_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

#include "shared.h"

#define KTSTR_SCHED_STALL_TIMEOUT_MS 3000 /* sched_ext watchdog under --fault=stall */
#define KTSTR_SCHED_MAX_TIMEOUT_MS 30000  /* the kernel's SCX_WATCHDOG_MAX_TIMEOUT */
#define KTSTR_SCHED_SLOW_EVERY 16

struct ktstr_sched_opts {
	enum ktstr_fault fault;
	unsigned after_ms; /* with has_after: the fault starts this long after attach */
	bool has_after;
	const char *trigger; /* or when this file appears (borrowed from argv) */
	unsigned slow_every; /* --fault=slow dispatches every Nth call */
	unsigned timeout_ms; /* ops.timeout_ms; 0 = the kernel's default */
	bool help;
};

/**
 * @brief Parse @p argv (argv[0] is the program) into @p o. Accepts
 *        `--opt=value` and `--opt value`.
 * @return 0, or -EINVAL with a one-line message in @p err.
 */
int ktstr_sched_opts__parse(int argc, char *const argv[], struct ktstr_sched_opts *o, char *err,
			    size_t errlen);

/** @brief Whether the fault waits for --after or --trigger rather than starting at attach. */
bool ktstr_sched_opts__deferred(const struct ktstr_sched_opts *o);

/** @brief The --fault spelling of @p f ("none" for KTSTR_FAULT_NONE). */
const char *ktstr_fault__name(enum ktstr_fault f);

/** @brief The usage text. */
const char *ktstr_sched_opts__usage(void);

#endif
