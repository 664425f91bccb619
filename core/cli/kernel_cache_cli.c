/* Helpers shared by `ktstr kernel list` and `ktstr kernel clean`. */
#include "kernel_cache_cli.h"

#include <limits.h>
#include <stdio.h>

int kcli__root(const char *cmd, char *out, size_t len)
{
	char err[PATH_MAX + 256];
	int rc = ktstr_kcache__root(out, len, err, sizeof(err));

	if (rc < 0) {
		fprintf(stderr, "%s: %s\n", cmd, err);
	}
	return rc;
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
