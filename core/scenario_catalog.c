#include "scenario_catalog.h"

#include <string.h>

/* clang-format off */
static const struct ktstr_scenario_info catalog[] = {
	{ "steady", "two cgroups of CPU-spinning workers; checks starvation, fairness spread and "
		    "the largest scheduling gap" },
};
/* clang-format on */

#define NCATALOG (sizeof(catalog) / sizeof(catalog[0]))

const struct ktstr_scenario_info *ktstr_scenario_catalog__list(size_t *n)
{
	*n = NCATALOG;
	return catalog;
}

const struct ktstr_scenario_info *ktstr_scenario_catalog__find(const char *name)
{
	for (size_t i = 0; i < NCATALOG; i++) {
		if (strcmp(catalog[i].name, name) == 0) {
			return &catalog[i];
		}
	}
	return NULL;
}
