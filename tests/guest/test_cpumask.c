#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "cpumask.h"

/* The CPUs of @p m as "a,b,c" for easy comparison. */
static const char *list(const struct ktstr_cpumask *m, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int c = ktstr_cpumask__next(m, -1); c >= 0; c = ktstr_cpumask__next(m, c)) {
		used += (size_t)snprintf(buf + used, len - used, "%s%d", used ? "," : "", c);
	}
	return buf;
}

static void parse_valid(void **state)
{
	struct ktstr_cpumask m;
	char buf[256];

	(void)state;
	assert_int_equal(ktstr_cpumask__parse("0", &m), 0);
	assert_string_equal(list(&m, buf, sizeof(buf)), "0");
	assert_int_equal(ktstr_cpumask__parse("0-3,8,10-11\n", &m), 0);
	assert_string_equal(list(&m, buf, sizeof(buf)), "0,1,2,3,8,10,11");
	assert_int_equal(ktstr_cpumask__count(&m), 7);
	assert_int_equal(ktstr_cpumask__parse("5-5", &m), 0);
	assert_string_equal(list(&m, buf, sizeof(buf)), "5");
	assert_int_equal(ktstr_cpumask__parse("", &m), 0);
	assert_int_equal(ktstr_cpumask__count(&m), 0);
	assert_int_equal(ktstr_cpumask__parse(" \n", &m), 0);
	assert_int_equal(ktstr_cpumask__count(&m), 0);
	/* The largest CPU that fits, and words crossed by a range. */
	assert_int_equal(ktstr_cpumask__parse("62-65,1023", &m), 0);
	assert_string_equal(list(&m, buf, sizeof(buf)), "62,63,64,65,1023");
}

static void parse_invalid(void **state)
{
	static const char *const bad[] = {"a",	 "3-1",	  "1,", ",1",	"0-",  "-1",
					  "0 1", "1-2-3", "+1", "0,,1", "0x1", "1;2"};
	struct ktstr_cpumask m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ktstr_cpumask__parse(bad[i], &m), -EINVAL);
	}
	assert_int_equal(ktstr_cpumask__parse("1024", &m), -ERANGE);
	assert_int_equal(ktstr_cpumask__parse("0-1024", &m), -ERANGE);
	assert_int_equal(ktstr_cpumask__parse("99999999999999999999999", &m), -ERANGE);
}

static void set_ops(void **state)
{
	struct ktstr_cpumask a = {{0}}, b = {{0}};
	char buf[64];

	(void)state;
	assert_int_equal(ktstr_cpumask__next(&a, -1), -1);
	ktstr_cpumask__set(&a, 1);
	ktstr_cpumask__set(&a, 70);
	ktstr_cpumask__set(&a, KTSTR_MAX_CPUS); /* ignored */
	assert_true(ktstr_cpumask__test(&a, 70));
	assert_false(ktstr_cpumask__test(&a, 69));
	assert_false(ktstr_cpumask__test(&a, KTSTR_MAX_CPUS));
	assert_int_equal(ktstr_cpumask__next(&a, 1), 70);
	assert_int_equal(ktstr_cpumask__next(&a, 70), -1);
	ktstr_cpumask__set(&b, 70);
	ktstr_cpumask__set(&b, 2);
	assert_false(ktstr_cpumask__equal(&a, &b));
	ktstr_cpumask__or(&b, &a);
	assert_string_equal(list(&b, buf, sizeof(buf)), "1,2,70");
	ktstr_cpumask__and(&a, &b);
	assert_string_equal(list(&a, buf, sizeof(buf)), "1,70");
	ktstr_cpumask__set(&a, 2);
	assert_true(ktstr_cpumask__equal(&a, &b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_valid),
	    cmocka_unit_test(parse_invalid),
	    cmocka_unit_test(set_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
