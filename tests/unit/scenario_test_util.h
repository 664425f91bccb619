/* Helpers shared by the scenario parser tests (included by test_scenario*.c only). */
#ifndef KTSTR_TESTS_SCENARIO_TEST_UTIL_H
#define KTSTR_TESTS_SCENARIO_TEST_UTIL_H

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

/* Parse @p yaml as "s.yaml"; any error fails the test. */
static struct ktstr_scenario *ok(const char *yaml)
{
	struct ktstr_scenario *s = NULL;
	char err[512] = "";
	int rc = ktstr_scenario__parse("s.yaml", yaml, strlen(yaml), &s, err, sizeof(err));

	if (rc != 0) {
		fail_msg("unexpected error %d: %s", rc, err);
	}
	return s;
}

/* Parsing @p yaml fails with exactly @p want and leaves the out pointer alone. */
static void bad(const char *yaml, const char *want)
{
	struct ktstr_scenario *s = (struct ktstr_scenario *)0x1;
	char err[512] = "";
	int rc = ktstr_scenario__parse("s.yaml", yaml, strlen(yaml), &s, err, sizeof(err));

	assert_int_equal(rc, -EINVAL);
	assert_string_equal(err, want);
	assert_ptr_equal(s, (struct ktstr_scenario *)0x1);
}

/* @p v as compact JSON, compared with @p want. */
static void json_is(const json_t *v, const char *want)
{
	char *got = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

#endif
