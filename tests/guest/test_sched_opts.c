/*
 * ktstr-sched's command line (guest/sched/opts.c). The loader is not part of
 * ktstr_guest_modules (it needs libbpf), so its plain-C parser is compiled
 * into this test directly.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../guest/sched/opts.c"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

static int parse(char *const argv[], int argc, struct ktstr_sched_opts *o, char *err)
{
	return ktstr_sched_opts__parse(argc, argv, o, err, 256);
}

/* Expect -EINVAL with @p want somewhere in the one-line message. */
static void rejects(const char *a1, const char *a2, const char *want)
{
	char *argv[] = {"ktstr-sched", (char *)a1, (char *)a2, NULL};
	struct ktstr_sched_opts o;
	char err[256] = "";

	assert_int_equal(parse(argv, a2 != NULL ? 3 : 2, &o, err), -EINVAL);
	if (strstr(err, want) == NULL) {
		fail_msg("'%s %s': message '%s' lacks '%s'", a1, a2 ? a2 : "", err, want);
	}
	assert_null(strchr(err, '\n'));
}

static void defaults(void **state)
{
	char *argv[] = {"ktstr-sched", NULL};
	struct ktstr_sched_opts o;
	char err[256];

	assert_int_equal(parse(argv, ARGC(argv), &o, err), 0);
	assert_int_equal(o.fault, KTSTR_FAULT_NONE);
	assert_int_equal(o.slow_every, KTSTR_SCHED_SLOW_EVERY);
	assert_int_equal(o.timeout_ms, 0);
	assert_null(o.trigger);
	assert_false(o.help);
	assert_false(ktstr_sched_opts__deferred(&o));
}

static void every_fault_both_spellings(void **state)
{
	static const char *const names[] = {"stall", "crash", "slow", "degrade", "fail-verify"};
	static const enum ktstr_fault want[] = {KTSTR_FAULT_STALL, KTSTR_FAULT_CRASH,
						KTSTR_FAULT_SLOW, KTSTR_FAULT_DEGRADE,
						KTSTR_FAULT_FAIL_VERIFY};
	struct ktstr_sched_opts o;
	char err[256], eq[64];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *joined[] = {"ktstr-sched", eq, NULL};
		char *split[] = {"ktstr-sched", "--fault", (char *)names[i], NULL};

		snprintf(eq, sizeof(eq), "--fault=%s", names[i]);
		assert_int_equal(parse(joined, ARGC(joined), &o, err), 0);
		assert_int_equal(o.fault, want[i]);
		assert_string_equal(ktstr_fault__name(o.fault), names[i]);
		assert_int_equal(parse(split, ARGC(split), &o, err), 0);
		assert_int_equal(o.fault, want[i]);
	}
	assert_string_equal(ktstr_fault__name(KTSTR_FAULT_NONE), "none");
	assert_string_equal(ktstr_fault__name((enum ktstr_fault)99), "?");
}

static void stall_gets_a_short_watchdog(void **state)
{
	char *stall[] = {"ktstr-sched", "--fault=stall", NULL};
	char *given[] = {"ktstr-sched", "--timeout-ms=5000", "--fault=stall", NULL};
	char *crash[] = {"ktstr-sched", "--fault=crash", NULL};
	struct ktstr_sched_opts o;
	char err[256];

	assert_int_equal(parse(stall, ARGC(stall), &o, err), 0);
	assert_int_equal(o.timeout_ms, KTSTR_SCHED_STALL_TIMEOUT_MS);
	assert_int_equal(parse(given, ARGC(given), &o, err), 0);
	assert_int_equal(o.timeout_ms, 5000);
	assert_int_equal(parse(crash, ARGC(crash), &o, err), 0);
	assert_int_equal(o.timeout_ms, 0);
}

static void after_and_trigger(void **state)
{
	char *after[] = {"ktstr-sched", "--fault=crash", "--after=2", NULL};
	char *frac[] = {"ktstr-sched", "--fault=slow", "--after", "0.5", NULL};
	char *zero[] = {"ktstr-sched", "--fault=slow", "--after=0", NULL};
	char *day[] = {"ktstr-sched", "--fault=slow", "--after=86400", NULL};
	char *trig[] = {"ktstr-sched", "--trigger=/tmp/go", "--fault=degrade", NULL};
	struct ktstr_sched_opts o;
	char err[256];

	assert_int_equal(parse(after, ARGC(after), &o, err), 0);
	assert_true(o.has_after);
	assert_int_equal(o.after_ms, 2000);
	assert_true(ktstr_sched_opts__deferred(&o));
	assert_int_equal(parse(frac, ARGC(frac), &o, err), 0);
	assert_int_equal(o.after_ms, 500);
	assert_int_equal(parse(zero, ARGC(zero), &o, err), 0);
	assert_true(o.has_after);
	assert_int_equal(o.after_ms, 0);
	assert_int_equal(parse(day, ARGC(day), &o, err), 0);
	assert_int_equal(o.after_ms, 86400000u);
	assert_int_equal(parse(trig, ARGC(trig), &o, err), 0);
	assert_string_equal(o.trigger, "/tmp/go");
	assert_false(o.has_after);
	assert_true(ktstr_sched_opts__deferred(&o));
}

static void bounds(void **state)
{
	char *lo[] = {"ktstr-sched", "--slow-every=2", "--timeout-ms=1", NULL};
	char *hi[] = {"ktstr-sched", "--slow-every=1000000", "--timeout-ms=30000", NULL};
	struct ktstr_sched_opts o;
	char err[256];

	assert_int_equal(parse(lo, ARGC(lo), &o, err), 0);
	assert_int_equal(o.slow_every, 2);
	assert_int_equal(o.timeout_ms, 1);
	assert_int_equal(parse(hi, ARGC(hi), &o, err), 0);
	assert_int_equal(o.slow_every, 1000000);
	assert_int_equal(o.timeout_ms, 30000);
	rejects("--slow-every=1", NULL,
		"--slow-every=1: expected a whole number from 2 to 1000000");
	rejects("--slow-every=1000001", NULL, "from 2 to 1000000");
	rejects("--slow-every=12x", NULL, "--slow-every=12x");
	rejects("--slow-every=-3", NULL, "--slow-every=-3");
	rejects("--slow-every=", NULL, "--slow-every=");
	rejects("--timeout-ms=0", NULL, "from 1 to 30000");
	rejects("--timeout-ms=30001", NULL, "from 1 to 30000");
	rejects("--timeout-ms=99999999999999999999", NULL, "from 1 to 30000");
	rejects("--fault=slow", "--after=86400.1", "--after=86400.1: expected seconds");
	rejects("--fault=slow", "--after=-1", "--after=-1");
	rejects("--fault=slow", "--after=abc", "--after=abc");
	rejects("--fault=slow", "--after=2s", "--after=2s");
	rejects("--fault=slow", "--after=", "--after=");
}

static void errors(void **state)
{
	rejects("--fault=bogus", NULL, "--fault=bogus: unknown fault (use stall, crash");
	rejects("--fault", NULL, "--fault: unknown option or missing value");
	rejects("--faultx=stall", NULL, "--faultx=stall: unknown option");
	rejects("stall", NULL, "stall: unknown option");
	rejects("--after=3", NULL, "--after needs --fault");
	rejects("--trigger=/x", NULL, "--trigger needs --fault");
	rejects("--trigger=", NULL, "--trigger needs a file path");
	rejects("--fault=fail-verify", "--after=1", "fail-verify fails at load time");
	rejects("--fault=fail-verify", "--trigger=/x", "--after and --trigger do not apply");
}

static void help(void **state)
{
	char *argv[] = {"ktstr-sched", "--fault=crash", "--help", NULL};
	char *bare[] = {"ktstr-sched", "--after=1", "-h", NULL};
	struct ktstr_sched_opts o;
	char err[256];

	assert_int_equal(parse(argv, ARGC(argv), &o, err), 0);
	assert_true(o.help);
	/* help wins over the consistency checks that would reject the rest */
	assert_int_equal(parse(bare, ARGC(bare), &o, err), 0);
	assert_true(o.help);
	assert_non_null(strstr(ktstr_sched_opts__usage(), "--fault=stall|crash|slow|degrade"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults),
	    cmocka_unit_test(every_fault_both_spellings),
	    cmocka_unit_test(stall_gets_a_short_watchdog),
	    cmocka_unit_test(after_and_trigger),
	    cmocka_unit_test(bounds),
	    cmocka_unit_test(errors),
	    cmocka_unit_test(help),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
