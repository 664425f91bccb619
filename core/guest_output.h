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
	char *result_json;            /* validated result JSON: a TEST frame's, else the markers' */
	char *topology_json;          /* the KTSTR_TOPOLOGY line's JSON, or NULL */
	bool sched_died;              /* SCHEDULER_DIED */
	char *sched_not_attached;     /* reason after "SCHEDULER_NOT_ATTACHED: ", or NULL */
	char *sched_log;              /* between SCHED_OUTPUT markers, or NULL */
	char *panic;                  /* text after "PANIC:", or NULL */
	char *malformed;              /* why a result block was rejected, or NULL */
	char *init_failed;            /* text after "KTSTR_INIT_FAILED: ", or NULL */
	char *setup_failed;           /* text after "KTSTR_SETUP_FAILED: ", or NULL */
	char *stage_line;             /* ktstr_guest_report__stage_text(), built by parse */
	/* Frames (docs/protocol-frames.md); a bad frame is counted and never used. */
	unsigned frames_ok, frames_bad;
	char *frame_error;            /* "COM2 line N: <why>" of the first bad frame, or NULL */
	char *stimulus_json;          /* JSON array of the STIM payloads, in order, or NULL */
	bool result_from_frame;       /* result_json is a TEST frame's (preferred to markers) */
};

/* A result block larger than this is rejected (report->malformed says so). */
#define KTSTR_GUEST_RESULT_MAX (4u << 20)
/* Result and topology JSON nested deeper than this is rejected, so the record stays decodable. */
#define KTSTR_GUEST_JSON_MAX_DEPTH 24
/* The scheduler log keeps its last this many bytes. */
#define KTSTR_GUEST_SCHED_LOG_MAX (1u << 20)

/** @brief Parse COM2 text (need not be NUL-terminated; may be truncated anywhere). */
int ktstr_guest_output__parse(const char *buf, size_t len, struct ktstr_guest_report *out);
void ktstr_guest_report__release(struct ktstr_guest_report *r);

/**
 * @brief One line for a run that produced no result:
 *   NONE: "init never started (kernel or mount failure)"
 *   INIT_STARTED: "cgroup/scheduler setup failed"
 *   PAYLOAD_STARTING: "payload started but produced no test result"
 * and the scheduler verdicts when present.
 *   With KTSTR_INIT_FAILED / KTSTR_SETUP_FAILED seen, their text replaces the
 *   generic wording; a run with a result gives "test result received".
 *   The string lives as long as a report filled by parse; for a report
 *   filled by hand it is valid until the thread's next call.
 */
const char *ktstr_guest_report__stage_text(const struct ktstr_guest_report *r);

/** @brief The last @p nlines lines of a file as a malloc'd string (control chars escaped). */
int ktstr_console__tail(const char *path, size_t nlines, char **out);

/**
 * @brief Make raw serial bytes safe to show and to store as a JSON string:
 *        ANSI escape sequences removed, "\r\n" -> "\n", NULs dropped, other
 *        control bytes (except \t and \n) and bytes that are not UTF-8 written
 *        as "\xNN". With @p one_line, \n is escaped too.
 * @return 0 (*out malloc'd, NUL-terminated), -ENOMEM.
 */
int ktstr_console__clean(const char *buf, size_t len, bool one_line, char **out);

#endif
