/*
 * Private to core/profile*.c: the node layer between libyaml's document tree
 * and the profile schema. It reports every error as "file:line:col: message"
 * and dispatches mapping keys through tables, so a new key is one table row
 * and one handler.
 */
#ifndef KTSTR_CORE_PROFILE_INTERNAL_H
#define KTSTR_CORE_PROFILE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <yaml.h>

#include "profile.h"

struct ktstr_pctx {
	const char *file; /* name used in messages (the profile path) */
	yaml_document_t *doc;
	char *err;
	size_t errlen;
	char *base_dir; /* absolute directory of the profile; computed on first use */
	/* the profile's scenario_dirs, read before its scenarios */
	const char *const *scenario_dirs;
	size_t nscenario_dirs;
};

struct ktstr_pkey;

/** @brief Handles the value of one key; @p obj is what the mapping fills. 0 or -errno. */
typedef int (*ktstr_pkey_fn)(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
			     void *obj);

/** @brief One row of a mapping's key table (at most 64 rows per table). */
struct ktstr_pkey {
	const char *name;
	ktstr_pkey_fn parse;
	size_t off;   /* offset of the field in obj, for the generic handlers */
	size_t off_n; /* offset of the count, for ktstr_pkey__strv */
	bool required;
};

/** @brief Called for each key of a mapping by ktstr_pctx__each_pair. */
typedef int (*ktstr_pair_fn)(struct ktstr_pctx *c, yaml_node_t *key, yaml_node_t *val, void *arg);

/** @brief The one document of the stream; a second is an error naming @p what ("profile"). */
int ktstr_pctx__load(struct ktstr_pctx *c, yaml_parser_t *y, const char *text, size_t len,
		     const char *what, yaml_document_t *doc);

/* Errors and positions */
int ktstr_pctx__error(struct ktstr_pctx *c, const yaml_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** @brief @p names joined with ", " into @p buf, truncated to fit. */
void ktstr_pctx__join(char *buf, size_t len, const char *const *names, size_t n);
/** @brief "a scalar", "a list", "a mapping" or "nothing" (a YAML null), for messages. */
const char *ktstr_pctx__kind(const yaml_node_t *n);

/* Structure */
yaml_node_t *ktstr_pctx__node(struct ktstr_pctx *c, int id);
bool ktstr_pctx__is_null(const yaml_node_t *n);
bool ktstr_pctx__is_scalar(const yaml_node_t *n);
/** @brief The items of a list, or the error "@p what: expected @p expect, got ...". */
int ktstr_pctx__seq(struct ktstr_pctx *c, yaml_node_t *n, const char *what, const char *expect,
		    yaml_node_item_t **items, size_t *count);
/**
 * @brief Calls @p fn for each key of mapping @p map in order. Keys must be
 *        non-empty scalars and unique; @p what names the mapping in messages
 *        (NULL: the profile's top level).
 */
int ktstr_pctx__each_pair(struct ktstr_pctx *c, yaml_node_t *map, const char *what,
			  ktstr_pair_fn fn, void *arg);
/**
 * @brief Dispatches each key of @p map to its row of @p keys; an unknown key
 *        is an error that suggests the closest valid one; a missing required
 *        key is an error at the mapping.
 */
int ktstr_pctx__walk(struct ktstr_pctx *c, yaml_node_t *map, const char *what,
		     const struct ktstr_pkey *keys, size_t nkeys, void *obj);

/* Typed reads; @p what completes "expected ..." in messages */
int ktstr_pctx__str(struct ktstr_pctx *c, yaml_node_t *n, const char *what, const char **out);
int ktstr_pctx__strdup(struct ktstr_pctx *c, yaml_node_t *n, const char *what, char **out);
/** @brief A list of strings as a NULL-terminated array (never NULL on success). */
int ktstr_pctx__strv(struct ktstr_pctx *c, yaml_node_t *n, const char *what, char ***out,
		     size_t *count);
/** @brief A decimal integer in [@p min, UINT32_MAX]. */
int ktstr_pctx__u32(struct ktstr_pctx *c, yaml_node_t *n, const char *what, uint32_t min,
		    uint32_t *out);
/** @brief A duration (see ktstr_duration__parse_ms) that is at least 1 ms. */
int ktstr_pctx__duration_ms(struct ktstr_pctx *c, yaml_node_t *n, const char *what, uint32_t *out);
/** @brief A name that can be part of a test name: letters, digits, '.', '_', '+', '-'. */
int ktstr_pctx__name(struct ktstr_pctx *c, yaml_node_t *n, const char *what, char **out);
bool ktstr_pctx__name_ok(const char *s);
/** @brief @p path made absolute against the profile's directory, cleaned lexically. */
int ktstr_pctx__resolve_path(struct ktstr_pctx *c, yaml_node_t *at, const char *path, char **out);

/* Generic key handlers: the field at k->off is a uint32_t (count >= 1), a duration in
 * ms (uint32_t), a char *, or a char ** with its size_t count at k->off_n (a YAML null
 * leaves the list empty). */
int ktstr_pkey__u32(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj);
int ktstr_pkey__duration(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
			 void *obj);
int ktstr_pkey__strdup(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
		       void *obj);
int ktstr_pkey__strv(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj);
/** @brief A char * at k->off that must pass ktstr_pctx__name_ok. */
int ktstr_pkey__name(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val, void *obj);
/** @brief The error "duplicate @p what "@p name" (first at line N)" at @p at. */
int ktstr_pctx__dup_error(struct ktstr_pctx *c, const yaml_node_t *at, const char *what,
			  const char *name, const yaml_node_t *first);

/** @brief How to read one list section: each item fills one entry, whose name must be unique. */
struct ktstr_entry_list {
	const char *what;   /* one item, for messages: "topology" */
	const char *expect; /* the whole list, for messages: "a list of topologies" */
	size_t size;	    /* sizeof one entry */
	size_t name_off;    /* offset of the entry's char * name (set by parse on success) */
	int (*parse)(struct ktstr_pctx *c, yaml_node_t *n, void *entry);
};

/**
 * @brief Parse a non-empty list into a zeroed array. *arr and *n are set before
 *        the first item so that the profile frees a partly read list like a full one.
 */
int ktstr_pctx__list(struct ktstr_pctx *c, yaml_node_t *val, const char *key,
		     const struct ktstr_entry_list *l, void **arr, size_t *n);

/* Schema sections (profile_sections.c, profile_plugins.c, profile_scenarios.c) */
int ktstr_profile__parse_topos(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
			       void *obj);
int ktstr_profile__parse_scheds(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
				void *obj);
int ktstr_profile__parse_flagsets(struct ktstr_pctx *c, const struct ktstr_pkey *k,
				  yaml_node_t *val, void *obj);
int ktstr_profile__parse_scenarios(struct ktstr_pctx *c, const struct ktstr_pkey *k,
				   yaml_node_t *val, void *obj);
/** @brief scenario_dirs: directories (relative to the profile) searched before the catalog. */
int ktstr_profile__parse_scenario_dirs(struct ktstr_pctx *c, const struct ktstr_pkey *k,
				       yaml_node_t *val, void *obj);
/** @brief Each scenario's default worker count against its grouped work types. */
int ktstr_profile__check_scenarios(struct ktstr_pctx *c, yaml_node_t *list,
				   const struct ktstr_profile *p);
int ktstr_profile__parse_plugins(struct ktstr_pctx *c, const struct ktstr_pkey *k, yaml_node_t *val,
				 void *obj);
/** @brief Fill the plugins the profile left out with the defaults. 0 or -ENOMEM. */
int ktstr_profile__default_plugins(struct ktstr_profile *p);
void ktstr_plugin_use__release(struct ktstr_plugin_use *u);

#endif
