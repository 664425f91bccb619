/* The scenarios the guest knows, by name, with a one-line description each. */
#ifndef KTSTR_CORE_SCENARIO_CATALOG_H
#define KTSTR_CORE_SCENARIO_CATALOG_H

#include <stddef.h>

struct ktstr_scenario_info {
	const char *name;
	const char *desc; /* one line, no trailing period */
};

/** @brief The catalog (static storage) and its size. */
const struct ktstr_scenario_info *ktstr_scenario_catalog__list(size_t *n);
/** @brief The entry named @p name, or NULL. */
const struct ktstr_scenario_info *ktstr_scenario_catalog__find(const char *name);

#endif
