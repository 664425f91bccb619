#include "log.h"

#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static ktstr_log_sink_fn log_sink;
static enum ktstr_log_level log_max = KTSTR_LOG_INFO;

ktstr_log_sink_fn ktstr_log_set_sink(ktstr_log_sink_fn fn)
{
	pthread_mutex_lock(&log_lock);
	ktstr_log_sink_fn old = log_sink;
	log_sink = fn;
	pthread_mutex_unlock(&log_lock);
	return old;
}

void ktstr_log_set_level(enum ktstr_log_level max)
{
	log_max = max;
}

void ktstr_vlog(enum ktstr_log_level lvl, const char *fmt, va_list ap)
{
	char line[4096];

	if (lvl > log_max) {
		return;
	}
	vsnprintf(line, sizeof(line), fmt, ap);
	pthread_mutex_lock(&log_lock);
	if (log_sink != NULL) {
		log_sink(lvl, line);
	} else {
		const char *tag = lvl <= KTSTR_LOG_ERR ? "error: " : lvl == KTSTR_LOG_WARN ? "warning: " : "";
		fprintf(stderr, "ktstr: %s%s\n", tag, line);
	}
	pthread_mutex_unlock(&log_lock);
}

void ktstr_log(enum ktstr_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ktstr_vlog(lvl, fmt, ap);
	va_end(ap);
}
