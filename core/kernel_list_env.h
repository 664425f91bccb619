/*
 * KTSTR_KERNEL_LIST, the multi-kernel wire format "label1=dir1;label2=dir2"
 * (upstream): ';' separates entries, the first '=' separates a label from
 * its directory. There is no escaping.
 */
#ifndef KTSTR_CORE_KERNEL_LIST_ENV_H
#define KTSTR_CORE_KERNEL_LIST_ENV_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ktstr_klist_entry {
	char *label; /**< raw label (not sanitized) */
	char *dir;
};

/** @brief A list of entries; strings owned. */
struct ktstr_klist {
	struct ktstr_klist_entry *v;
	size_t n;
};

/**
 * @brief Consumer: split on ';', trim, skip empty entries, split at the first
 *        '=', trim both sides, skip the entry when a side is empty.
 *        NULL or "" gives an empty list (single-kernel mode).
 * @return 0 or -ENOMEM
 */
int ktstr_klist__parse(const char *val, struct ktstr_klist *out);

/** @brief Append a copy of (@p label, @p dir). @return 0 or -ENOMEM */
int ktstr_klist__add(struct ktstr_klist *l, const char *label, const char *dir);

/**
 * @brief Producer: drop exact duplicate (label, dir) pairs (first kept),
 *        then fail when two labels sanitize alike (both named).
 * @return 0 or -EINVAL with @p err set
 */
int ktstr_klist__dedupe(struct ktstr_klist *l, char *err, size_t errlen);

/**
 * @brief Producer: encode as "label=dir;...". A ';' or '=' in a label, or a
 *        ';' in a directory, is an error naming it.
 * @param out  malloc'd string ("" for an empty list), caller frees
 * @return 0, -EINVAL (@p err set) or -ENOMEM
 */
int ktstr_klist__encode(const struct ktstr_klist *l, char **out, char *err, size_t errlen);

void ktstr_klist__release(struct ktstr_klist *l);

#ifdef __cplusplus
}
#endif

#endif
