#include "gha_env.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

/* @s, or "" when unset. */
static const char *env__str(ktstr_gha_getenv_fn get, const char *name)
{
	const char *v = get(name);

	return v != NULL ? v : "";
}

static bool env__ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcasecmp(s + n - m, suffix) == 0;
}

bool ktstr_gha_env__hosted(const char *host)
{
	return strcasecmp(host, "github.com") == 0 || env__ends_with(host, ".ghe.com") ||
	       env__ends_with(host, ".localhost");
}

/* GITHUB_SERVER_URL names github.com or GHE.com (not a GitHub Enterprise Server). */
static bool env__server_hosted(ktstr_gha_getenv_fn get)
{
	const char *server = env__str(get, "GITHUB_SERVER_URL");
	CURLU *u;
	char *host = NULL;
	bool hosted;

	if (server[0] == '\0') {
		return true; /* the default, https://github.com */
	}
	u = curl_url();
	if (u == NULL ||
	    curl_url_set(u, CURLUPART_URL, server, CURLU_DEFAULT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		curl_url_cleanup(u);
		return false; /* unparsable: treat like an Enterprise Server (v1) */
	}
	hosted = ktstr_gha_env__hosted(host);
	curl_free(host);
	curl_url_cleanup(u);
	return hosted;
}

int ktstr_gha_env__read(ktstr_gha_getenv_fn get, struct ktstr_gha_env *out, char *err,
			size_t errlen)
{
	const char *cache_url = env__str(get, "ACTIONS_CACHE_URL");
	const char *results_url = env__str(get, "ACTIONS_RESULTS_URL");
	const char *token = env__str(get, "ACTIONS_RUNTIME_TOKEN");
	const char *base, *base_var;
	size_t n;

	memset(out, 0, sizeof(*out));
	err[0] = '\0';
	if (strcmp(env__str(get, "KTSTR_GHA_CACHE"), "1") != 0) {
		return 0;
	}
	if (env__str(get, "ACTIONS_CACHE_SERVICE_V2")[0] != '\0' && env__server_hosted(get)) {
		out->proto = KTSTR_GHA_V2;
		base = results_url;
		base_var = "ACTIONS_RESULTS_URL";
	} else {
		out->proto = KTSTR_GHA_V1;
		base = cache_url[0] != '\0' ? cache_url : results_url;
		base_var = cache_url[0] != '\0' ? "ACTIONS_CACHE_URL" : "ACTIONS_RESULTS_URL";
	}
	if (base[0] == '\0') {
		return 0;
	}
	n = strlen(base);
	if (n + 2 > sizeof(out->base)) {
		snprintf(err, errlen, "%s is longer than %zu bytes", base_var,
			 sizeof(out->base) - 2);
		return -ENAMETOOLONG;
	}
	if (strlen(token) >= sizeof(out->token)) {
		snprintf(err, errlen, "ACTIONS_RUNTIME_TOKEN is longer than %zu bytes",
			 sizeof(out->token) - 1);
		return -ENAMETOOLONG;
	}
	/* Paths are appended to the base; the runner's value always ends with '/'. */
	snprintf(out->base, sizeof(out->base), "%s%s", base, base[n - 1] == '/' ? "" : "/");
	snprintf(out->token, sizeof(out->token), "%s", token);
	out->enabled = true;
	return 0;
}
