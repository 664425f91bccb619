/* Entries against the kconfig fragment this ktstr ships: matches, stale or untracked. */
#include "kcache.h"

#include <stdio.h>
#include <string.h>

#include "paths.h"

bool ktstr_kcache__current_kc(char out[9])
{
	char path[PATH_MAX];
	const char *scen = ktstr_paths__scenario_dir();
	const char *slash = strrchr(scen, '/');

	/* the fragment sits next to the scenario catalog: {configs}/ktstr.kconfig */
	if (slash == NULL) {
		return false;
	}
	snprintf(path, sizeof(path), "%.*s/ktstr.kconfig", (int)(slash - scen), scen);
	return ktstr_kcache__crc32_file(path, out) == 0;
}

const char *ktstr_kcache__kconfig_status(const struct ktstr_kcache_meta *m, const char *kc)
{
	if (m->kconfig_hash[0] == '\0') {
		return "untracked";
	}
	if (kc != NULL && strcmp(kc, m->kconfig_hash) != 0) {
		return "stale";
	}
	return "matches";
}
