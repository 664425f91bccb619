/*
 * The scheduler under test: start it with its output in a log, watch that it
 * survives and attaches to sched_ext, stop it (docs/protocol.md section 3).
 */
#ifndef KTSTR_GUEST_SCHEDULER_H
#define KTSTR_GUEST_SCHEDULER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define KTSTR_SCHED_LOG "/tmp/sched.log"

struct ktstr_sched {
	pid_t pid;
	bool exited; /* reaped; status holds its wait status */
	int status;
};

enum ktstr_sched_attach {
	KTSTR_SCHED_ATTACHED,
	KTSTR_SCHED_ATTACH_TIMEOUT, /* sched_ext never showed an active scheduler */
	KTSTR_SCHED_NO_SYSFS,	    /* no <root>/sys/kernel/sched_ext */
	KTSTR_SCHED_DIED,	    /* it exited while we waited */
};

/**
 * @brief Fork and exec @p argv (argv[0] is the path) with stdout and stderr
 *        in @p log_path (truncated) and stdin from /dev/null. An exec failure is
 *        written to the log and shows as an exit with status 127.
 * @return 0 or -errno (with @p err).
 */
int ktstr_sched__start(struct ktstr_sched *s, char *const argv[], const char *log_path, char *err,
		       size_t errlen);

/** @brief Whether it still runs (reaps it when it has exited). */
bool ktstr_sched__alive(struct ktstr_sched *s);

/** @brief Check every @p step_ms for @p ms. @return false as soon as it has died. */
bool ktstr_sched__survives(struct ktstr_sched *s, unsigned ms, unsigned step_ms);

/**
 * @brief Whether sched_ext has an active scheduler: <root>/sys/kernel/sched_ext/root/ops
 *        is non-empty or .../state reads "enabled".
 */
bool ktstr_sched__attached(const char *root);

/**
 * @brief Poll ktstr_sched__attached() every @p step_ms for up to @p timeout_ms,
 *        and stop early when @p s dies.
 */
enum ktstr_sched_attach ktstr_sched__wait_attached(struct ktstr_sched *s, const char *root,
						   unsigned timeout_ms, unsigned step_ms);

/** @brief SIGTERM, SIGKILL after @p grace_ms, then reap. No-op once it has exited. */
void ktstr_sched__stop(struct ktstr_sched *s, unsigned grace_ms);

/** @brief "exit status N" or "killed by signal N (NAME)" for an exited scheduler. */
void ktstr_sched__describe(const struct ktstr_sched *s, char *buf, size_t len);

#endif
