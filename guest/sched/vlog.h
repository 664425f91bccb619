/*
 * The verifier's verdict out of libbpf's output: libbpf prints a rejected
 * program's verifier log between "-- BEGIN PROG LOAD LOG --" and
 * "-- END PROG LOAD LOG --"; the reason is its last line before the
 * statistics. Plain C, tested on the host (tests/guest/test_sched_vlog.c).
 */
#ifndef KTSTR_SCHED_VLOG_H
#define KTSTR_SCHED_VLOG_H

#include <stdbool.h>

#define KTSTR_VLOG_LINE_MAX 512

struct ktstr_vlog {
	bool in_log;
	char last[KTSTR_VLOG_LINE_MAX]; /* "" until a verifier log line was seen */
};

/** @brief Feed one libbpf message (any number of lines, the last one may lack '\n'). */
void ktstr_vlog__feed(struct ktstr_vlog *v, const char *text);

#endif
