/* "Did you mean ...?" for misspelt keys and names. */
#ifndef KTSTR_CORE_SUGGEST_H
#define KTSTR_CORE_SUGGEST_H

#include <stddef.h>

/** @brief Levenshtein distance of two strings (case-sensitive). */
size_t ktstr_suggest__distance(const char *a, const char *b);

/**
 * @brief The candidate closest to @p word, or NULL when none is close enough
 *        (distance > max(2, strlen(word) / 3)).
 */
const char *ktstr_suggest__closest(const char *word, const char *const *cands, size_t n);

#endif
