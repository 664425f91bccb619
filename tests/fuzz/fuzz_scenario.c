/*
 * Arbitrary bytes through the scenario parser and, when it accepts them, what
 * the host does with a scenario: render spec v2, decide skips on a few
 * topologies, check default worker counts. Must never crash or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "guest_spec.h"
#include "scenario.h"

static const struct ktstr_topo topos[] = {
    {1, 1, 1, 1},
    {1, 2, 2, 1},
    {2, 4, 2, 2},
};

static void use(const struct ktstr_scenario *s)
{
	struct ktstr_guest_spec spec = {.test_name = "fuzz",
					.scenario = s->name,
					.duration_ms = 1,
					.workers_per_cgroup = 2,
					.def = s,
					.checks = s->checks};
	char why[256], *json = NULL;

	for (size_t i = 0; i < sizeof(topos) / sizeof(topos[0]); i++) {
		spec.topo = topos[i];
		(void)ktstr_scenario__skip(s, &topos[i], why, sizeof(why));
	}
	if (ktstr_guest_spec__render(&spec, &json) == 0) {
		free(json);
	}
	(void)ktstr_scenario__check_workers(s, 3, why, sizeof(why));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ktstr_scenario *s = NULL;
	char err[512];

	if (ktstr_scenario__parse("fuzz.yaml", (const char *)data, size, &s, err, sizeof(err)) ==
	    0) {
		use(s);
		ktstr_scenario__free(s);
	}
	return 0;
}
