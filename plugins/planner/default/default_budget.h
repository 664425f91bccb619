/* planner/default: how many host CPUs host-side work (a kernel build) may use. */
#ifndef KTSTR_DEFAULT_BUDGET_H
#define KTSTR_DEFAULT_BUDGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** @brief Percent of the allowed CPUs granted when no cap is given (upstream's share). */
#define KTSTR_BUDGET_DEFAULT_PERCENT 30

/**
 * @brief The CPU budget, upstream's rule (reference kernels.md section 5):
 *        @p cap (--cpu-cap) when non-zero, else @p env_cap (KTSTR_CPU_CAP;
 *        NULL or "" is unset), else ceil(@p allowed * 30%), at least 1.
 * @param bypass   KTSTR_BYPASS_LLC_LOCKS is set: a cap is then refused
 * @param allowed  CPUs this process may run on (>= 1)
 * @return 0 with @p out >= 1, or -EINVAL with one line in @p err (a zero or
 *         malformed KTSTR_CPU_CAP, a cap above @p allowed, a cap with bypass)
 */
int ktstr_default_budget__compute(uint32_t cap, const char *env_cap, bool bypass, uint32_t allowed,
				  uint32_t *out, char *err, size_t errlen);

#endif
