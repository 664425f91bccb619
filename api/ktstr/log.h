/* SPDX-License-Identifier: MIT */
/**
 * @file log.h
 * @brief Log levels and the logging macros plugins use through the host table.
 */
#ifndef KTSTR_LOG_H
#define KTSTR_LOG_H

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Log severities, most severe first (syslog order). */
enum ktstr_log_level {
	KTSTR_LOG_ERR = 3,
	KTSTR_LOG_WARN = 4,
	KTSTR_LOG_INFO = 6,
	KTSTR_LOG_DEBUG = 7,
};

/*
 * Plugin-side helpers. They expect a `const struct ktstr_host_api *` named
 * by the first argument and an instance handle; the host adds the
 * "[kind:name:instance]" prefix.
 */
#define KTSTR_PLG_LOG(host, inst, lvl, ...)                                                        \
	do {                                                                                       \
		if ((host) != NULL && (host)->log != NULL)                                         \
			(host)->log((inst), (lvl), __VA_ARGS__);                                   \
	} while (0)
#define KTSTR_PLG_ERR(host, inst, ...) KTSTR_PLG_LOG(host, inst, KTSTR_LOG_ERR, __VA_ARGS__)
#define KTSTR_PLG_WARN(host, inst, ...) KTSTR_PLG_LOG(host, inst, KTSTR_LOG_WARN, __VA_ARGS__)
#define KTSTR_PLG_INFO(host, inst, ...) KTSTR_PLG_LOG(host, inst, KTSTR_LOG_INFO, __VA_ARGS__)
#define KTSTR_PLG_DBG(host, inst, ...) KTSTR_PLG_LOG(host, inst, KTSTR_LOG_DEBUG, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif /* KTSTR_LOG_H */
