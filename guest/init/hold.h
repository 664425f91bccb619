/* How long a step holds (upstream HoldSpec) and the scenario's time budget. */
#ifndef KTSTR_GUEST_HOLD_H
#define KTSTR_GUEST_HOLD_H

#include <stdbool.h>
#include <stdint.h>

enum ktstr_hold_kind {
	KTSTR_HOLD_FRAC,  /* settle * plus_settle + duration * frac */
	KTSTR_HOLD_FIXED, /* ms */
	KTSTR_HOLD_LOOP,  /* re-apply the step's ops every ms until start + duration */
};

struct ktstr_hold {
	enum ktstr_hold_kind kind;
	double frac;
	bool plus_settle;
	uint64_t ms;
};

/**
 * @brief Milliseconds a frac or fixed hold sleeps; for a loop hold, what is
 *        left of the scenario when the step begins at @p elapsed_ms.
 */
uint64_t ktstr_hold__ms(const struct ktstr_hold *h, uint64_t duration_ms, uint64_t settle_ms,
			uint64_t elapsed_ms);

/** @brief 0 for a valid hold; -EINVAL for frac <= 0 or NaN, fixed 0, loop 0. */
int ktstr_hold__validate(const struct ktstr_hold *h);

#endif
