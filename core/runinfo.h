/* Facts about this run that go into every result: run id, timestamps, project commit. */
#ifndef KTSTR_CORE_RUNINFO_H
#define KTSTR_CORE_RUNINFO_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/** @brief "YYYY-MM-DDTHH:MM:SSZ" for @p t (UTC). */
void ktstr_runinfo__timestamp(time_t t, char *buf, size_t len);

/** @brief "YYYYMMDDTHHMMSSZ-<pid>" for @p t: unique per process and second. */
void ktstr_runinfo__run_id(time_t t, char *buf, size_t len);

/**
 * @brief Short HEAD of the git repository holding @p dir: 7 hex chars, plus
 *        "-dirty" when the work tree differs. -ENOENT when not in a repo.
 */
int ktstr_runinfo__project_commit(const char *dir, char *buf, size_t len);

/** @brief Milliseconds on CLOCK_MONOTONIC. */
uint64_t ktstr_runinfo__now_ms(void);

#endif
