/* A growable, NULL-terminated argument vector for execvp(). */
#ifndef KTSTR_QEMU_ARGV_H
#define KTSTR_QEMU_ARGV_H

#include <stddef.h>

/** @brief Owned strings; v[n] is always NULL once anything was pushed. */
struct ktstr_argv {
	char **v;
	size_t n;
	size_t cap;
};

/** @brief Append a copy of @p s. 0 or -ENOMEM. */
int ktstr_argv__push(struct ktstr_argv *a, const char *s);
/** @brief Append a formatted string. 0 or -ENOMEM. */
int ktstr_argv__pushf(struct ktstr_argv *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/** @brief Append each space/tab-separated word of @p s (no quoting). 0 or -ENOMEM. */
int ktstr_argv__split(struct ktstr_argv *a, const char *s);
/** @brief Free every string and the vector; leaves @p a empty and reusable. */
void ktstr_argv__free(struct ktstr_argv *a);

#endif
