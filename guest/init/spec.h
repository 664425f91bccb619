/* The test spec /ktstr/test.json (docs/protocol.md section 1). */
#ifndef KTSTR_GUEST_SPEC_H
#define KTSTR_GUEST_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KTSTR_SPEC_PATH "/ktstr/test.json"
#define KTSTR_SPEC_VERSION 1
#define KTSTR_SPEC_MAX_WORKERS 256

struct ktstr_spec_topo {
	uint32_t numa_nodes, llcs, cores, threads;
};

struct ktstr_spec_sched {
	char *name;
	char *path;
	char **argv; /* argv[0] = path, then "args", NULL-terminated */
};

struct ktstr_spec_checks {
	bool not_starved;
	uint64_t max_gap_ms;
	double max_spread_pct;
};

struct ktstr_spec {
	char *test_name;
	char *scenario;
	uint64_t duration_ms;
	uint32_t workers_per_cgroup;
	uint64_t settle_ms;
	struct ktstr_spec_topo topo;
	struct ktstr_spec_sched *sched; /* NULL: the kernel's own scheduler */
	struct ktstr_spec_checks checks;
	bool emulated_timing;
};

/**
 * @brief Parse and validate a spec. Unknown keys are ignored.
 * @param origin  name used in messages (the file path)
 * @return 0; -EINVAL with a one-line reason in @p err ("<origin>:L:C: ..." for
 *         JSON syntax, "<origin>: key 'k': ..." for a bad value); -ENOMEM.
 *         On error @p out holds nothing to release.
 */
int ktstr_spec__parse(const char *text, size_t len, const char *origin, struct ktstr_spec *out,
		      char *err, size_t errlen);

/** @brief Read @p path and parse it; a missing file is -ENOENT with a message. */
int ktstr_spec__load(const char *path, struct ktstr_spec *out, char *err, size_t errlen);

void ktstr_spec__release(struct ktstr_spec *s);

#endif
