/*
 * A plugin's section of the profile: flat scalar key/values, each with the
 * position it came from, so the loader can reject an unknown key with
 * file:line:column.
 */
#ifndef KTSTR_CORE_CFG_H
#define KTSTR_CORE_CFG_H

#include <stddef.h>

struct ktstr_cfg_kv {
	char *key;
	char *value; /* scalar text as written */
	unsigned line, col; /* 1-based position of the key */
};

struct ktstr_cfg {
	char *file;           /* profile path the section came from (may be NULL) */
	unsigned line, col;   /* position of the section itself */
	struct ktstr_cfg_kv *kv;
	size_t n;
};

/** @brief Free what @p c holds (not @p c itself); safe on a zeroed struct. */
void ktstr_cfg__release(struct ktstr_cfg *c);

/** @brief The value of @p key, or NULL. */
const struct ktstr_cfg_kv *ktstr_cfg__find(const struct ktstr_cfg *c, const char *key);

#endif
