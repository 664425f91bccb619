/*
 * The run engine: profile -> plugins -> kernels -> matrix -> for every test:
 * plan, initramfs, boot, parse, verdict, sinks.
 */
#ifndef KTSTR_CORE_ENGINE_H
#define KTSTR_CORE_ENGINE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

struct ktstr_run_opts {
	size_t sz;
	const char *profile_path;
	const char *const *kernels;   /* --kernel overrides (replace the profile's list) */
	size_t nkernels;
	const char *const *filters;   /* --filter globs, ANDed with the profile's include */
	size_t nfilters;
	const char *output_dir;       /* --output override */
	bool dry_run;                 /* list the tests, boot nothing */
	bool json;                    /* machine-readable summary on stdout */
	bool verbose;                 /* guest kernel console at loglevel 7 */
	int cancel_fd;                /* readable => stop (signal handler's pipe); -1 none */
};
#define ktstr_run_opts__last_field cancel_fd

struct ktstr_run_summary {
	size_t total, passed, failed, skipped, errors, not_run;
	bool cancelled;
	char run_dir[PATH_MAX];
};

/**
 * @brief Run a profile.
 * @return 0 when the run completed (see @p sum for verdicts), -EINVAL for bad
 *         input (profile, options, kernels: exit status 2), -ECANCELED when
 *         cancelled, other -errno when the harness failed; @p err says why.
 */
int ktstr_engine__run(const struct ktstr_run_opts *opts, struct ktstr_run_summary *sum,
		      char *err, size_t errlen);

#endif
