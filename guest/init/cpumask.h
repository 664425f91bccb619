/* A fixed-size CPU bitmap and the kernel's cpulist format ("0-3,8,10-11"). */
#ifndef KTSTR_GUEST_CPUMASK_H
#define KTSTR_GUEST_CPUMASK_H

#include <stdbool.h>
#include <stdint.h>

/* Enough for any topology the host can ask for (it caps vCPUs at 252). */
#define KTSTR_MAX_CPUS 1024

struct ktstr_cpumask {
	uint64_t bits[KTSTR_MAX_CPUS / 64];
};

/** @brief Set @p cpu; a CPU >= KTSTR_MAX_CPUS is ignored. */
void ktstr_cpumask__set(struct ktstr_cpumask *m, unsigned cpu);
bool ktstr_cpumask__test(const struct ktstr_cpumask *m, unsigned cpu);
unsigned ktstr_cpumask__count(const struct ktstr_cpumask *m);
bool ktstr_cpumask__equal(const struct ktstr_cpumask *a, const struct ktstr_cpumask *b);
/** @brief a &= b */
void ktstr_cpumask__and(struct ktstr_cpumask *a, const struct ktstr_cpumask *b);
/** @brief a |= b */
void ktstr_cpumask__or(struct ktstr_cpumask *a, const struct ktstr_cpumask *b);
/** @brief The lowest CPU above @p after (-1 for the first), or -1 when none. */
int ktstr_cpumask__next(const struct ktstr_cpumask *m, int after);

/**
 * @brief Parse a cpulist ("0-3,5", trailing whitespace allowed, "" = empty).
 * @return 0; -EINVAL on bad syntax or a reversed range; -ERANGE for a CPU
 *         >= KTSTR_MAX_CPUS. @p out is undefined on error.
 */
int ktstr_cpumask__parse(const char *s, struct ktstr_cpumask *out);

#endif
