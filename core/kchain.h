/*
 * A chain of kernel-source instances, asked in order: what a profile's
 * kernel_sources (or the default list) names. It also carries what the
 * sources' host calls need: the remote caches to consult before a fill,
 * and the planner that grants CPUs for host-side work.
 */
#ifndef KTSTR_CORE_KCHAIN_H
#define KTSTR_CORE_KCHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "registry.h"

struct ktstr_kchain;

/**
 * @brief Chain @p sources (borrowed, in order). @p planner (borrowed, may be
 *        NULL) grants CPU budgets; @p cpu_cap is --cpu-cap (0: none).
 *        Each source learns its chain through ktstr_inst__set_chain().
 */
int ktstr_kchain__new(struct ktstr_inst *const *sources, size_t n, struct ktstr_inst *planner,
		      uint32_t cpu_cap, struct ktstr_kchain **out);
/** @brief Release the budget lease, unlink the sources. NULL-safe. */
void ktstr_kchain__free(struct ktstr_kchain *chain);

size_t ktstr_kchain__count(const struct ktstr_kchain *chain);
struct ktstr_inst *ktstr_kchain__source(const struct ktstr_kchain *chain, size_t i);

/**
 * @brief Resolve @p id through the sources in order; the first that answers
 *        0 with an image wins.
 * @param src_out  the winning instance's name (borrowed from the instance)
 * @return 0; -ENOENT when every source said "not mine" (@p err lists what
 *         the sources had to say, "" when nothing); another -errno when a
 *         source failed (@p err names it)
 */
int ktstr_kchain__resolve(struct ktstr_kchain *chain, const char *id, struct ktstr_kernel *k,
			  const char **src_out, char *err, size_t errlen);

/**
 * @brief Ask each remote cache of the chain except @p skip to restore @p key
 *        into @p dir. A failure other than a miss is one warning line
 *        "<instance>: remote cache read warning: <why>".
 * @return 0 restored (@p from_out: the instance's name), -ENOENT otherwise
 */
int ktstr_kchain__remote_fetch(struct ktstr_kchain *chain, struct ktstr_inst *skip,
			       const char *key, const char *dir, const char **from_out);
/**
 * @brief Publish @p dir under @p key to each remote cache except @p skip;
 *        failures are one warning line each, successes one info line.
 */
void ktstr_kchain__remote_store(struct ktstr_kchain *chain, struct ktstr_inst *skip,
				const char *key, const char *dir);

/** @brief CPUs for host-side work, from the planner's budget (>= 1; reserved once). */
int ktstr_kchain__cpu_budget(struct ktstr_kchain *chain);

/**
 * @brief Reserve the CPU budget now, so a refusal (a cap above the CPUs this
 *        process may use, CPUs taken) is an error instead of a 1-CPU warning.
 * @return the CPUs granted (>= 1), or -errno with the planner's message in @p err
 */
int ktstr_kchain__reserve_budget(struct ktstr_kchain *chain, char *err, size_t errlen);


/* --- a chain with its own registry, for commands without a profile ----- */

struct ktstr_plugin_use;

/** @brief Which sources (and planner) to open. */
struct ktstr_kchain_opts {
	const struct ktstr_plugin_use *uses; /**< in order, with options; NULL: use names */
	size_t nuses;
	const char *const *names; /**< plugin names in order, no options; NULL and nuses 0: default */
	size_t nnames;
	uint32_t cpu_cap;        /**< --cpu-cap; 0: none */
	size_t noptional;        /**< the last noptional uses/names are skipped when not loaded */
};

/** @brief The default chain, in order; names whose plugin is not loaded are skipped. */
extern const char *const ktstr_kchain_default_sources[];
extern const size_t ktstr_kchain_default_nsources;

struct ktstr_kchain_set;

/**
 * @brief Load the plugins (KTSTR_PLUGIN_PATH and the default directory),
 *        create the named source instances and the default planner, and
 *        chain them. Named sources that are not loaded are an error; default
 *        ones are skipped.
 */
int ktstr_kchain__open(const struct ktstr_kchain_opts *o, struct ktstr_kchain_set **out,
		       char *err, size_t errlen);
struct ktstr_kchain *ktstr_kchain_set__chain(const struct ktstr_kchain_set *set);
/** @brief Free the chain, its instances and the registry. NULL-safe. */
void ktstr_kchain_set__close(struct ktstr_kchain_set *set);

#endif
