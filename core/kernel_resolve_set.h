/*
 * Resolve a set of kernels at once: a pool of at most N threads runs one
 * callback per kernel. N is KTSTR_KERNEL_PARALLELISM (a trimmed integer
 * > 0), else the number of online CPUs (at least 1).
 */
#ifndef KTSTR_CORE_KERNEL_RESOLVE_SET_H
#define KTSTR_CORE_KERNEL_RESOLVE_SET_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Resolve item @p i; may run on any pool thread, one call per item. */
typedef int (*ktstr_kresolve_fn)(void *ctx, size_t i);

/**
 * @brief The pool width for @p val (KTSTR_KERNEL_PARALLELISM's value, NULL:
 *        unset): a trimmed decimal > 0; otherwise (with a warning when set)
 *        @p dflt, or the online CPU count when @p dflt is 0; at least 1.
 */
size_t ktstr_kresolve__width(const char *val, size_t dflt);

/**
 * @brief Call @p fn once for each i in [0, @p n) on at most @p width threads
 *        (on the caller's thread when one suffices, or when no thread can be
 *        started); @p rets[i] (when @p rets is not NULL) gets each call's
 *        return. Returns when all ran.
 */
void ktstr_kresolve__run(size_t n, size_t width, ktstr_kresolve_fn fn, void *ctx, int *rets);

#ifdef __cplusplus
}
#endif

#endif
