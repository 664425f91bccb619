/* kernel-source/build: run git and make as child processes. */
#ifndef KTSTR_BUILD_PROC_H
#define KTSTR_BUILD_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * @brief Run @p argv (argv[0] looked up in PATH) in @p cwd, stdin /dev/null,
 *        stderr discarded, and keep its stdout in @p buf (NUL-terminated,
 *        truncated, trailing newlines removed).
 * @return its exit status (0..255), 128 + signal, or -errno when it could
 *         not be started
 */
int ktstr_build_proc__capture(const char *const *argv, const char *cwd, char *buf, size_t len);

/** @brief A long command whose output goes to a log (make). */
struct ktstr_build_run {
	const char *const *argv;
	const char *cwd;
	int log_fd;		 /**< stdout and stderr are appended here */
	unsigned timeout_s;	 /**< 0: none */
	bool (*cancelled)(void); /**< polled; true kills the process group */
	/** @brief Called (rate-limited by the caller) with the count of kbuild step lines. */
	void (*progress)(void *ctx, uint64_t steps);
	void *ctx;
};

/**
 * @brief Run @p r->argv in its own process group until it exits. Kbuild step
 *        lines ("  CC      kernel/fork.o") are counted for progress.
 *        Cancellation and the timeout kill the whole group (TERM, then KILL).
 * @return the exit status (0..255) or 128 + signal; -ECANCELED;
 *         -ETIMEDOUT; -errno when it could not be started
 */
int ktstr_build_proc__run(const struct ktstr_build_run *r);

/** @brief The last @p lines lines of the file @p path into @p buf ("" when unreadable). */
void ktstr_build_proc__tail(const char *path, unsigned lines, char *buf, size_t len);

#endif
