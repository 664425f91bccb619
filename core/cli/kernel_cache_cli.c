/* Helpers shared by `ktstr kernel list` and `ktstr kernel clean`. */
#include "kernel_cache_cli.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "paths.h"

int kcli__root(const char *cmd, char *out, size_t len)
{
	char err[PATH_MAX + 256];
	int rc = ktstr_kcache__root(out, len, err, sizeof(err));

	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", cmd, err);
	}
	return rc;
}

bool kcli__current_kc(char out[9])
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

const char *kcli__kconfig_status(const struct ktstr_kcache_meta *m, const char *kc)
{
	if (m->kconfig_hash[0] == '\0') {
		return "untracked";
	}
	if (kc != NULL && strcmp(kc, m->kconfig_hash) != 0) {
		return "stale";
	}
	return "matches";
}

void kcli__human_size(uint64_t bytes, char *out, size_t len)
{
	static const char units[] = "KMGT";
	double v = (double)bytes;
	int u = -1;

	if (bytes < 1024) {
		snprintf(out, len, "%uB", (unsigned)bytes);
		return;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(out, len, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
}
