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

/* What the startup wait concluded (the COM2 line init writes, docs/protocol.md section 3). */
enum ktstr_sched_startup {
	KTSTR_SCHED_STARTUP_ATTACHED,
	KTSTR_SCHED_STARTUP_DIED,	  /* SCHEDULER_DIED */
	KTSTR_SCHED_STARTUP_NOT_ATTACHED, /* SCHEDULER_NOT_ATTACHED: <why> */
};

/* Mid-test: is the scheduler still in charge? */
enum ktstr_sched_health {
	KTSTR_SCHED_HEALTHY,
	KTSTR_SCHED_GONE,    /* the process exited on its own; sched_ext did not eject it */
	KTSTR_SCHED_EJECTED, /* sched_ext disabled it (error, stall): the kernel's reason */
};

/**
 * @brief The last non-empty line of the scheduler's log, control characters
 *        replaced by spaces (fit for a one-line reason).
 * @return 0; -ENOENT when the log has no such line; -errno reading it.
 */
int ktstr_sched__log_tail(const char *log_path, char *buf, size_t len);

/**
 * @brief Whether the log shows that loading or attaching the scheduler's BPF
 *        programs failed (libbpf's "-- BEGIN PROG LOAD LOG --" verifier block,
 *        "failed to load" or "failed to attach"); @p why then holds the log's
 *        last line, which libbpf-based loaders make the verdict (for
 *        ktstr-sched: "the verifier rejected the scheduler: <verifier message>").
 */
bool ktstr_sched__load_failed(const char *log_path, char *why, size_t len);

/**
 * @brief Survive @p survive_ms, then ktstr_sched__wait_attached() for @p attach_ms.
 *        A scheduler that exits before it attaches is DIED, unless its log shows
 *        a BPF load/verify failure (ktstr_sched__load_failed()): NOT_ATTACHED with
 *        that line. NOT_ATTACHED also for a timeout ("timeout after N ms; last log
 *        line: ...") and a kernel without sched_ext ("sched_ext sysfs absent").
 *        @p why gets the reason (for DIED: ktstr_sched__describe()). The scheduler
 *        is left as it is (running after a timeout).
 */
enum ktstr_sched_startup ktstr_sched__startup(struct ktstr_sched *s, const char *root,
					      const char *log_path, unsigned survive_ms,
					      unsigned attach_ms, unsigned step_ms, char *why,
					      size_t len);

/**
 * @brief The kernel's reason for the last time sched_ext disabled a BPF
 *        scheduler, from the kernel log records in @p kmsg_path (/dev/kmsg, or
 *        a file of such records): `BPF scheduler "ktstr" disabled (runtime error):
 *        ktstr: <message>`. @p error_exit: whether the kernel logged it as an
 *        error (an ejection), not as an orderly unregistration.
 * @return 0; -ENOENT when there is no such record; -errno opening @p kmsg_path.
 */
int ktstr_sched__kernel_exit_reason(const char *kmsg_path, char *buf, size_t len, bool *error_exit);

/**
 * @brief Mid-test check: the process runs and sched_ext still has it (state
 *        "enabled" or root/ops non-empty under @p root). Otherwise @p why says
 *        what happened, with the kernel's reason from @p kmsg_path when there
 *        is one, e.g. `sched_ext disabled the scheduler: BPF scheduler "ktstr"
 *        disabled (runnable task stall): ktstr: ... (state: disabled; process:
 *        exit status 1)`.
 */
enum ktstr_sched_health ktstr_sched__health(struct ktstr_sched *s, const char *root,
					    const char *kmsg_path, char *why, size_t len);

/**
 * @brief Give the CPU back to the kernel's scheduler: ktstr_sched__stop(), then
 *        wait up to @p timeout_ms for <root>/sys/kernel/sched_ext/state to read
 *        "disabled" (or to vanish). @return 0, or -ETIMEDOUT.
 */
int ktstr_sched__release(struct ktstr_sched *s, const char *root, unsigned grace_ms,
			 unsigned timeout_ms);

#endif
