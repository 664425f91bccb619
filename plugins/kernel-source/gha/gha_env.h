/*
 * Where the GitHub Actions cache service is and how to talk to it, from the
 * environment a runner gives JavaScript actions (upstream opendal ghac rules).
 */
#ifndef KTSTR_GHA_ENV_H
#define KTSTR_GHA_ENV_H

#include <stdbool.h>
#include <stddef.h>

/** @brief The protocol generation: v1 REST (artifactcache) or v2 Twirp (results service). */
enum ktstr_gha_proto {
	KTSTR_GHA_V1 = 1,
	KTSTR_GHA_V2 = 2,
};

/** @brief The service as the environment names it; token is a secret, never printed. */
struct ktstr_gha_env {
	bool enabled;
	enum ktstr_gha_proto proto;
	char base[2048]; /**< ends with '/'; request paths are appended to it */
	char token[8192];
};

/** @brief Reads one environment variable (getenv in the plugin, a table in tests). */
typedef const char *(*ktstr_gha_getenv_fn)(const char *name);

/**
 * @brief Read the configuration: enabled iff KTSTR_GHA_CACHE is exactly "1"
 *        and a base URL is set. v2 when ACTIONS_CACHE_SERVICE_V2 is non-empty
 *        and the host of GITHUB_SERVER_URL (default github.com) is github.com,
 *        *.ghe.com or *.localhost (base ACTIONS_RESULTS_URL); otherwise v1
 *        (ACTIONS_CACHE_URL, else ACTIONS_RESULTS_URL). Token ACTIONS_RUNTIME_TOKEN.
 * @return 0, or -ENAMETOOLONG (err set) when a value does not fit
 */
int ktstr_gha_env__read(ktstr_gha_getenv_fn get, struct ktstr_gha_env *out, char *err,
			size_t errlen);

/** @brief True when @p host is github.com, *.ghe.com or *.localhost (case-insensitive). */
bool ktstr_gha_env__hosted(const char *host);

#endif
