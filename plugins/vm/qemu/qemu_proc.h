/*
 * Run one QEMU process to its end: fork + execvp (no shell), then wait on a
 * pidfd, the cancel fd and the deadline; escalate SIGTERM -> SIGKILL; reap.
 * Nothing started here outlives the call.
 */
#ifndef KTSTR_QEMU_PROC_H
#define KTSTR_QEMU_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** @brief What to run and how long (all borrowed for the call). */
struct ktstr_proc_spec {
	char *const *argv;     /**< argv[0] is looked up in PATH */
	int log_fd;	       /**< the child's stdout and stderr; -1: /dev/null */
	uint32_t nr_host_cpus; /**< > 0: the child may run only on host_cpus */
	const int32_t *host_cpus;
	uint64_t timeout_ms;	/**< 0: no deadline */
	int cancel_fd;		/**< readable (or hung up) => stop now; -1: none */
	uint32_t kill_grace_ms; /**< SIGTERM, then SIGKILL this much later */
};

/** @brief How the process ended. */
struct ktstr_proc_result {
	pid_t pid;	 /**< the pid it had (already reaped) */
	int exit_code;	 /**< exit status, or -1 when a signal ended it */
	int term_signal; /**< the signal that ended it, or 0 */
	bool timed_out;	 /**< the deadline stopped it */
	bool cancelled;	 /**< cancel_fd stopped it */
	uint64_t wall_ms;
};

/**
 * @brief Start @p s->argv and wait until it exits or is stopped.
 * @return 0 when it ran (see @p r); -ENOENT when the binary is missing;
 *         -EINVAL for a bad host CPU; -EBADF for a bad cancel_fd; another
 *         -errno when it could not be started. One line in @p err on failure.
 */
int ktstr_proc__run(const struct ktstr_proc_spec *s, struct ktstr_proc_result *r, char *err,
		    size_t errlen);

#endif
