/*
 * What the guest said on COM2 (docs/protocol.md): sentinel lines, the
 * topology report, the result JSON between markers, the scheduler's log.
 * The host classifies a run that ended early by the last sentinel seen.
 */
#ifndef KTSTR_CORE_GUEST_OUTPUT_H
#define KTSTR_CORE_GUEST_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>

enum ktstr_stage {
	KTSTR_STAGE_NONE = 0,        /* no sentinel: init never started */
	KTSTR_STAGE_INIT_STARTED,    /* KTSTR_INIT_STARTED seen */
	KTSTR_STAGE_PAYLOAD_STARTING,/* KTSTR_PAYLOAD_STARTING seen */
	KTSTR_STAGE_RESULT,          /* a complete result block seen */
	KTSTR_STAGE_EXITED,          /* KTSTR_EXIT=N seen */
};

struct ktstr_guest_report {
	enum ktstr_stage stage;       /* furthest stage reached */
	bool init_started, payload_starting, have_result, have_exit;
	int exit_code;                /* from KTSTR_EXIT=N */
	char *result_json;            /* text between the result markers (validated JSON), or NULL */
	char *topology_json;          /* the KTSTR_TOPOLOGY line's JSON, or NULL */
	bool sched_died;              /* SCHEDULER_DIED */
	char *sched_not_attached;     /* reason after "SCHEDULER_NOT_ATTACHED: ", or NULL */
	char *sched_log;              /* between SCHED_OUTPUT markers, or NULL */
	char *panic;                  /* text after "PANIC:", or NULL */
	char *malformed;              /* why a result block was rejected, or NULL */
};

/** @brief Parse COM2 text (need not be NUL-terminated; may be truncated anywhere). */
int ktstr_guest_output__parse(const char *buf, size_t len, struct ktstr_guest_report *out);
void ktstr_guest_report__release(struct ktstr_guest_report *r);

/**
 * @brief One line for a run that produced no result:
 *   NONE: "init never started (kernel or mount failure)"
 *   INIT_STARTED: "cgroup/scheduler setup failed"
 *   PAYLOAD_STARTING: "payload started but produced no test result"
 * and the scheduler verdicts when present.
 */
const char *ktstr_guest_report__stage_text(const struct ktstr_guest_report *r);

/** @brief The last @p nlines lines of a file as a malloc'd string (control chars escaped). */
int ktstr_console__tail(const char *path, size_t nlines, char **out);

#endif
