/*
 * The scenario catalog: one YAML file per scenario, <dir>/<name>.yaml, read
 * with the parser users' scenarios go through (core/scenario.h). Directories
 * are searched in order: the caller's (a profile's scenario_dirs), then the
 * shipped catalog (configs/scenarios in the build tree, else
 * <prefix>/share/ktstr/configs/scenarios).
 */
#ifndef KTSTR_CORE_SCENARIO_CATALOG_H
#define KTSTR_CORE_SCENARIO_CATALOG_H

#include <stddef.h>

/** @brief The shipped catalog directory (static storage). */
const char *ktstr_scenario_catalog__default_dir(void);

/**
 * @brief The file of scenario @p name: the first <dir>/<name>.yaml in @p dirs
 *        (may be NULL when @p ndirs is 0) then the shipped catalog.
 * @return 0 with the path in @p path; -ENOENT when no directory has it;
 *         -ENAMETOOLONG when it does not fit; -EINVAL for a name that is no file name.
 */
int ktstr_scenario_catalog__find(const char *const *dirs, size_t ndirs, const char *name,
				 char *path, size_t len);

/**
 * @brief Every scenario name in @p dirs and the shipped catalog, sorted, each
 *        once (for "did you mean" and listings). Unreadable directories are
 *        skipped. Free with ktstr_scenario_catalog__free_names.
 * @return 0 or -ENOMEM.
 */
int ktstr_scenario_catalog__names(const char *const *dirs, size_t ndirs, char ***names, size_t *n);
void ktstr_scenario_catalog__free_names(char **names, size_t n);

#endif
