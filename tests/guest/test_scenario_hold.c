#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "hold.h"

static void arithmetic(void **state)
{
	struct ktstr_hold h = {.kind = KTSTR_HOLD_FRAC, .frac = 1.0};

	(void)state;
	assert_int_equal(ktstr_hold__ms(&h, 2000, 500, 0), 2000);
	h.frac = 0.5;
	assert_int_equal(ktstr_hold__ms(&h, 2000, 500, 1234), 1000); /* elapsed is ignored */
	h.plus_settle = true;
	assert_int_equal(ktstr_hold__ms(&h, 2000, 500, 0), 1500); /* settle + D/2 */
	h.frac = 0.2;
	h.plus_settle = false;
	assert_int_equal(ktstr_hold__ms(&h, 999, 500, 0), 200); /* 199.8 rounds */
	h.frac = 1e-9;
	assert_int_equal(ktstr_hold__ms(&h, 1000, 0, 0), 0);
	h = (struct ktstr_hold){.kind = KTSTR_HOLD_FIXED, .ms = 1500};
	assert_int_equal(ktstr_hold__ms(&h, 2000, 500, 700), 1500);
	h = (struct ktstr_hold){.kind = KTSTR_HOLD_LOOP, .ms = 100};
	/* A loop runs until the scenario's deadline: what is left of the duration. */
	assert_int_equal(ktstr_hold__ms(&h, 2000, 500, 0), 2000);
	assert_int_equal(ktstr_hold__ms(&h, 2000, 500, 1999), 1);
	assert_int_equal(ktstr_hold__ms(&h, 2000, 500, 2000), 0);
	assert_int_equal(ktstr_hold__ms(&h, 2000, 500, 5000), 0);
}

static void validation(void **state)
{
	struct ktstr_hold h = {.kind = KTSTR_HOLD_FRAC, .frac = 0.0};

	(void)state;
	assert_int_equal(ktstr_hold__validate(&h), -EINVAL);
	h.frac = -0.5;
	assert_int_equal(ktstr_hold__validate(&h), -EINVAL);
	h.frac = NAN;
	assert_int_equal(ktstr_hold__validate(&h), -EINVAL);
	h.frac = INFINITY;
	assert_int_equal(ktstr_hold__validate(&h), -EINVAL);
	h.frac = 1e-6;
	assert_int_equal(ktstr_hold__validate(&h), 0);
	h.frac = 3.0; /* longer than the duration is allowed */
	assert_int_equal(ktstr_hold__validate(&h), 0);
	h = (struct ktstr_hold){.kind = KTSTR_HOLD_FIXED};
	assert_int_equal(ktstr_hold__validate(&h), -EINVAL);
	h.ms = 1;
	assert_int_equal(ktstr_hold__validate(&h), 0);
	h = (struct ktstr_hold){.kind = KTSTR_HOLD_LOOP};
	assert_int_equal(ktstr_hold__validate(&h), -EINVAL);
	h.ms = 1;
	assert_int_equal(ktstr_hold__validate(&h), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(arithmetic),
	    cmocka_unit_test(validation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
