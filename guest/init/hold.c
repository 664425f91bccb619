#include "hold.h"

#include <errno.h>
#include <math.h>

uint64_t ktstr_hold__ms(const struct ktstr_hold *h, uint64_t duration_ms, uint64_t settle_ms,
			uint64_t elapsed_ms)
{
	switch (h->kind) {
	case KTSTR_HOLD_FRAC:
		return (h->plus_settle ? settle_ms : 0) +
		       (uint64_t)llround((double)duration_ms * h->frac);
	case KTSTR_HOLD_FIXED:
		return h->ms;
	case KTSTR_HOLD_LOOP:
		return elapsed_ms < duration_ms ? duration_ms - elapsed_ms : 0;
	}
	return 0;
}

int ktstr_hold__validate(const struct ktstr_hold *h)
{
	switch (h->kind) {
	case KTSTR_HOLD_FRAC:
		/* !(x > 0) also catches NaN; an upper bound keeps llround() defined. */
		return !(h->frac > 0.0) || h->frac > 1e6 ? -EINVAL : 0;
	case KTSTR_HOLD_FIXED:
	case KTSTR_HOLD_LOOP:
		return h->ms == 0 ? -EINVAL : 0;
	}
	return -EINVAL;
}
