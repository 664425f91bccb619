/*
 * YAML run profile v1 (docs/profile.md): what to run. Parsed with libyaml;
 * every error names file:line:column.
 */
#ifndef KTSTR_CORE_PROFILE_H
#define KTSTR_CORE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ktstr/topology.h>

#include "cfg.h"

struct json_t;
struct ktstr_scenario;

/** @brief Exit code for bad input (profile errors, bad CLI usage). */
#define KTSTR_EXIT_USAGE 2

struct ktstr_topo_entry {
	char *label;          /* as written: preset name, compact form, or the compact name of a map */
	struct ktstr_topo topo;
	uint32_t memory_mb;   /* 0: defaults.memory_mb */
};

struct ktstr_sched_entry {
	char *name;           /* "eevdf" for the kernel's own scheduler */
	char *path;           /* scheduler binary on the host; NULL for eevdf */
	char **args;          /* NULL-terminated; never NULL */
	size_t nargs;
	struct json_t *checks; /* the checks it sets (jansson object), or NULL */
};

/** @brief A named set of extra scheduler args ("default" = none). */
struct ktstr_flagset_entry {
	char *name;
	char **args;          /* NULL-terminated; never NULL */
	size_t nargs;
};

struct ktstr_scenario_entry {
	char *name;           /* catalog name, or the inline scenario's name */
	uint32_t duration_ms; /* 0: defaults */
	uint32_t workers_per_cgroup; /* 0: defaults */
	struct ktstr_scenario *def; /* the scenario itself (core/scenario.h); never NULL once loaded */
	struct json_t *checks;      /* the entry's own checks (jansson object), or NULL */
};

/** @brief One plugin instance the profile asks for. */
struct ktstr_plugin_use {
	char *plugin;         /* plugin name */
	char *instance;       /* instance name (defaults to the plugin name) */
	struct ktstr_cfg cfg; /* its own options */
};

struct ktstr_profile_defaults {
	uint32_t duration_ms;        /* default 2000 */
	uint32_t workers_per_cgroup; /* default 2 */
	uint32_t memory_mb;          /* default 0: planner decides */
	uint32_t timeout_ms;         /* per-test VM deadline; default 0: engine derives from duration */
};

struct ktstr_profile {
	char *path;
	char **kernels; size_t nkernels;          /* identifiers as written; may be 0 (discover) */
	struct ktstr_topo_entry *topos; size_t ntopos;
	struct ktstr_sched_entry *scheds; size_t nscheds;
	struct ktstr_flagset_entry *flagsets; size_t nflagsets; /* 0 => one implicit "default" */
	struct ktstr_scenario_entry *scenarios; size_t nscenarios;
	struct ktstr_profile_defaults defaults;
	char **include; size_t ninclude;          /* fnmatch globs over test names */
	char **exclude; size_t nexclude;
	uint32_t budget_s;                        /* 0: no budget */
	char *output_dir;                         /* NULL: ./ktstr-runs */
	/* plugins */
	struct ktstr_plugin_use *kernel_sources; size_t nkernel_sources; /* NULL: the default chain (kchain.h) */
	struct ktstr_plugin_use planner;          /* default: "default" */
	struct ktstr_plugin_use vm;               /* default: "qemu" */
	struct ktstr_plugin_use *sinks; size_t nsinks; /* default: sidecar */
	struct json_t *checks;                    /* top-level checks (jansson object), or NULL */
	char **scenario_dirs; size_t nscenario_dirs; /* absolute; searched before the catalog */
};

/**
 * @brief Parse a profile file. On error returns -EINVAL (bad content) or
 *        -errno (I/O) and writes "file:line:col: message" into err.
 */
int ktstr_profile__load(const char *path, struct ktstr_profile **out, char *err, size_t errlen);
/** @brief Same, from memory (name used in messages). */
int ktstr_profile__parse(const char *name, const char *text, size_t len,
			 struct ktstr_profile **out, char *err, size_t errlen);
void ktstr_profile__free(struct ktstr_profile *p);

/**
 * @brief Parse a duration: a bare integer is seconds; otherwise an integer
 *        followed by "ms", "s" or "m" ("500ms", "2s", "1m").
 * @return 0; -EINVAL when @p s has another form; -ERANGE when it exceeds
 *         UINT32_MAX milliseconds.
 */
int ktstr_duration__parse_ms(const char *s, uint32_t *ms);

/**
 * @brief The checks test spec v2 carries for one test, in merge order: upstream
 *        defaults <- profile checks <- scheduler @p s checks <- the scenario's
 *        own checks <- the profile entry @p e checks. A new jansson object.
 * @return 0 or -ENOMEM.
 */
int ktstr_profile__checks(const struct ktstr_profile *p, const struct ktstr_sched_entry *s,
			  const struct ktstr_scenario_entry *e, struct json_t **out);

#endif
