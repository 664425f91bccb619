/* /proc/<pid>/schedstat: "<run ns> <run delay ns> <timeslices>". */
#ifndef KTSTR_GUEST_SCHEDSTAT_H
#define KTSTR_GUEST_SCHEDSTAT_H

#include <stdint.h>

struct ktstr_schedstat {
	uint64_t run_ns, delay_ns, timeslices;
};

/** @brief Parse the three fields. @return 0 or -EINVAL. */
int ktstr_schedstat__parse(const char *s, struct ktstr_schedstat *out);

/** @brief Read and parse @p path. @return 0, -errno, or -EINVAL. */
int ktstr_schedstat__read(const char *path, struct ktstr_schedstat *out);

#endif
