#include "scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct ktstr_scenario scenarios[] = {
    {.name = "steady", .run = ktstr_scenario__steady},
};

const struct ktstr_scenario *ktstr_scenario__find(const char *name)
{
	for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (strcmp(scenarios[i].name, name) == 0) {
			return &scenarios[i];
		}
	}
	return NULL;
}

const char *ktstr_scenario__names(void)
{
	static char names[256];

	if (names[0] == '\0') {
		for (size_t i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
			size_t used = strlen(names);

			snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
				 scenarios[i].name);
		}
	}
	return names;
}

void ktstr_scenario_out__init(struct ktstr_scenario_out *out)
{
	memset(out, 0, sizeof(*out));
	ktstr_verdict__init(&out->verdict);
	ktstr_stats__scenario(NULL, 0, &out->stats);
}

void ktstr_scenario_out__release(struct ktstr_scenario_out *out)
{
	ktstr_verdict__release(&out->verdict);
	free(out->cgroup_names);
	free(out->cgroup_stats);
	free(out->reports);
	free(out->workers);
	ktstr_scenario_out__init(out);
}
