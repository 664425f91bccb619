/*
 * Progress off a terminal (the test's stderr is not one): a log line at the
 * start and at the end, nothing in between within 10 s, amounts in percent
 * and MiB, unknown totals as a count.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "progress.h"

static char lines[8][256];
static int nlines;

static void capture(enum ktstr_log_level lvl, const char *line)
{
	if (nlines < 8) {
		snprintf(lines[nlines++], sizeof(lines[0]), "%s", line);
	}
}

static void test_start_and_end_only(void **state)
{
	const uint64_t mib = 1024 * 1024;

	nlines = 0;
	ktstr_log_set_sink(capture);
	ktstr_progress__report("[kernel-source:debian]", "download x.deb", 0, 20 * mib);
	ktstr_progress__report("[kernel-source:debian]", "download x.deb", 5 * mib, 20 * mib);
	ktstr_progress__report("[kernel-source:debian]", "download x.deb", 25 * mib, 20 * mib);
	ktstr_log_set_sink(NULL);
	assert_int_equal(nlines, 2);
	assert_string_equal(lines[0],
			    "[kernel-source:debian] download x.deb:   0% (0.0 of 20.0 MiB)");
	assert_string_equal(lines[1],
			    "[kernel-source:debian] download x.deb: 100% (20.0 of 20.0 MiB) done");
}

static void test_small_and_unknown_totals(void **state)
{
	nlines = 0;
	ktstr_log_set_sink(capture);
	ktstr_progress__report("[p]", "steps", 0, 40);
	ktstr_progress__report("[p]", "steps", 40, 40);
	ktstr_progress__report("[p]", "make", 0, 0);
	ktstr_log_set_sink(NULL);
	assert_int_equal(nlines, 3);
	assert_string_equal(lines[0], "[p] steps:   0%");
	assert_string_equal(lines[1], "[p] steps: 100% done");
	assert_string_equal(lines[2], "[p] make: 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_and_end_only),
		cmocka_unit_test(test_small_and_unknown_totals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
