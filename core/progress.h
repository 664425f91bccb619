/* Progress of long host-side work (downloads, builds) for host->progress(). */
#ifndef KTSTR_CORE_PROGRESS_H
#define KTSTR_CORE_PROGRESS_H

#include <stdint.h>

/**
 * @brief Show progress of @p what. On a terminal (stderr) one line is
 *        redrawn at most 10 times a second and ended when done >= total > 0;
 *        elsewhere a line is logged at the start, every 10 s and at the end.
 *        @p total 0 means unknown. Thread-safe.
 */
void ktstr_progress__report(const char *prefix, const char *what, uint64_t done,
			    uint64_t total);

#endif
