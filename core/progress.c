/* host->progress(): a redrawn line on a terminal, sparse log lines elsewhere. */
#include "progress.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static pthread_mutex_t progress_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t last_draw_ms;
static bool line_open; /* a terminal line is drawn and not ended */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* "37% (12.3 of 33.0 MiB)", "12.3 MiB", "37%" or "1234" into @buf. */
static void amount(char *buf, size_t len, uint64_t done, uint64_t total)
{
	const double mib = 1024.0 * 1024.0;

	if (total > 0 && total >= 1024 * 1024) {
		snprintf(buf, len, "%3u%% (%.1f of %.1f MiB)", (unsigned)(done * 100 / total),
			 (double)done / mib, (double)total / mib);
	} else if (total > 0) {
		snprintf(buf, len, "%3u%%", (unsigned)(done * 100 / total));
	} else if (done >= 1024 * 1024) {
		snprintf(buf, len, "%.1f MiB", (double)done / mib);
	} else {
		snprintf(buf, len, "%llu", (unsigned long long)done);
	}
}

void ktstr_progress__report(const char *prefix, const char *what, uint64_t done,
			    uint64_t total)
{
	bool end = total > 0 && done >= total;
	bool tty = isatty(STDERR_FILENO) == 1;
	uint64_t now = now_ms();
	char buf[64];

	if (end) {
		done = total;
	}
	amount(buf, sizeof(buf), done, total);
	pthread_mutex_lock(&progress_lock);
	if (tty) {
		if (end || now - last_draw_ms >= 100) {
			fprintf(stderr, "\r\033[K%s %s: %s%s", prefix, what, buf, end ? "\n" : "");
			fflush(stderr);
			last_draw_ms = now;
			line_open = !end;
		}
	} else if (done == 0 || end || now - last_draw_ms >= 10000) {
		KTSTR_INFO("%s %s: %s%s", prefix, what, buf, end ? " done" : "");
		last_draw_ms = now;
	}
	pthread_mutex_unlock(&progress_lock);
}
