/* Engine-side logging: one process-wide sink, levels from api/ktstr/log.h. */
#ifndef KTSTR_CORE_LOG_H
#define KTSTR_CORE_LOG_H

#include <stdarg.h>

#include <ktstr/log.h>

/** @brief Receives every formatted log line (no trailing newline). */
typedef void (*ktstr_log_sink_fn)(enum ktstr_log_level lvl, const char *line);

/** @brief Install @p fn as the log sink; returns the previous one. NULL restores stderr. */
ktstr_log_sink_fn ktstr_log_set_sink(ktstr_log_sink_fn fn);

/** @brief Lines above this level are dropped (default KTSTR_LOG_INFO). */
void ktstr_log_set_level(enum ktstr_log_level max);

void ktstr_log(enum ktstr_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ktstr_vlog(enum ktstr_log_level lvl, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#define KTSTR_ERR(...) ktstr_log(KTSTR_LOG_ERR, __VA_ARGS__)
#define KTSTR_WARN(...) ktstr_log(KTSTR_LOG_WARN, __VA_ARGS__)
#define KTSTR_INFO(...) ktstr_log(KTSTR_LOG_INFO, __VA_ARGS__)
#define KTSTR_DBG(...) ktstr_log(KTSTR_LOG_DEBUG, __VA_ARGS__)

#endif
