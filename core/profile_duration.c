#include "profile.h"

#include <errno.h>
#include <string.h>

int ktstr_duration__parse_ms(const char *s, uint32_t *ms)
{
	static const struct {
		const char *suffix;
		uint64_t mult;
	} units[] = {{"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60000}};
	uint64_t v = 0;
	const char *p = s;

	if (*p < '0' || *p > '9') {
		return -EINVAL;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > UINT32_MAX) {
			return -ERANGE;
		}
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(p, units[i].suffix) == 0) {
			v *= units[i].mult;
			if (v > UINT32_MAX) {
				return -ERANGE;
			}
			*ms = (uint32_t)v;
			return 0;
		}
	}
	return -EINVAL;
}
