/* Monotonic time in nanoseconds and a sleep that survives signals. */
#ifndef KTSTR_GUEST_TIMEUTIL_H
#define KTSTR_GUEST_TIMEUTIL_H

#include <errno.h>
#include <stdint.h>
#include <time.h>

#define KTSTR_NSEC_PER_MSEC UINT64_C(1000000)
#define KTSTR_NSEC_PER_SEC UINT64_C(1000000000)

static inline uint64_t ktstr_ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * KTSTR_NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

static inline uint64_t ktstr_clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ktstr_ts_ns(&ts);
}

static inline uint64_t ktstr_now_ns(void)
{
	return ktstr_clock_ns(CLOCK_MONOTONIC);
}

/** Sleep @p ms milliseconds, resuming after signal interruptions. */
static inline void ktstr_sleep_ms(uint64_t ms)
{
	struct timespec ts = {.tv_sec = (time_t)(ms / 1000),
			      .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

#endif
