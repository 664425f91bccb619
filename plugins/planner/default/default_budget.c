#include "default_budget.h"

#include <errno.h>
#include <stdio.h>

/* KTSTR_CPU_CAP: decimal digits only, like upstream's usize parse. */
static int parse_env_cap(const char *s, uint32_t *out, char *err, size_t errlen)
{
	uint64_t v = 0;

	for (const char *p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || v > UINT32_MAX) {
			snprintf(err, errlen, "KTSTR_CPU_CAP is not a valid integer: \"%s\"", s);
			return -EINVAL;
		}
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (v > UINT32_MAX) {
		snprintf(err, errlen, "KTSTR_CPU_CAP is not a valid integer: \"%s\"", s);
		return -EINVAL;
	}
	if (v == 0) {
		snprintf(err, errlen, "--cpu-cap must be \xe2\x89\xa5 1 CPU (got 0)");
		return -EINVAL;
	}
	*out = (uint32_t)v;
	return 0;
}

int ktstr_default_budget__compute(uint32_t cap, const char *env_cap, bool bypass, uint32_t allowed,
				  uint32_t *out, char *err, size_t errlen)
{
	const char *what = "--cpu-cap";
	int ret;

	if (cap == 0 && env_cap != NULL && env_cap[0] != '\0') {
		ret = parse_env_cap(env_cap, &cap, err, errlen);
		if (ret != 0) {
			return ret;
		}
		what = "KTSTR_CPU_CAP";
	}
	if (cap != 0 && bypass) {
		snprintf(err, errlen,
			 "%s conflicts with KTSTR_BYPASS_LLC_LOCKS=1; unset one of them. %s is a "
			 "resource contract; bypass disables the contract entirely.",
			 what, what);
		return -EINVAL;
	}
	if (cap > allowed) {
		snprintf(err, errlen,
			 "%s %u exceeds the %u CPU(s) this process may use (sched_getaffinity); "
			 "lower it",
			 what, cap, allowed);
		return -EINVAL;
	}
	if (cap == 0) {
		cap = (uint32_t)(((uint64_t)allowed * KTSTR_BUDGET_DEFAULT_PERCENT + 99) / 100);
	}
	*out = cap > 0 ? cap : 1;
	return 0;
}
