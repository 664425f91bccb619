/*
 * The verifier's verdict out of libbpf's messages (guest/sched/vlog.c), as
 * ktstr-sched prints it when loading fails. Compiled in directly: the loader
 * is not part of ktstr_guest_modules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../guest/sched/vlog.c"

/* libbpf 1.4's message for a rejected program: one call holds the whole log. */
static const char rejected[] =
    "libbpf: prog 'ktstr_enqueue': -- BEGIN PROG LOAD LOG --\n"
    "0: R1=ctx() R10=fp0\n"
    "4: (79) r4 = *(u64 *)(r0 +0)\n"
    "R0 invalid mem access 'scalar'\n"
    "processed 5 insns (limit 1000000) max_states_per_insn 0 total_states 0\n"
    "verification time 12 usec\n"
    "-- END PROG LOAD LOG --\n";

static void whole_log_in_one_message(void **state)
{
	struct ktstr_vlog v = {0};

	ktstr_vlog__feed(&v, "libbpf: prog 'ktstr_enqueue': BPF program load failed: -13\n");
	assert_string_equal(v.last, "");
	ktstr_vlog__feed(&v, rejected);
	assert_string_equal(v.last, "R0 invalid mem access 'scalar'");
	assert_false(v.in_log);
	/* later messages outside a log block leave the verdict alone */
	ktstr_vlog__feed(&v, "libbpf: failed to load object 'ktstr'\n");
	assert_string_equal(v.last, "R0 invalid mem access 'scalar'");
}

static void log_split_across_messages(void **state)
{
	struct ktstr_vlog v = {0};

	ktstr_vlog__feed(&v, "libbpf: prog 'x': -- BEGIN PROG LOAD LOG --\n");
	assert_true(v.in_log);
	ktstr_vlog__feed(&v, "R1 type=scalar expected=fp");		 /* no newline */
	ktstr_vlog__feed(&v, "\n\nprocessed 2 insns (limit 1000000)\n"); /* empty line skipped */
	assert_string_equal(v.last, "R1 type=scalar expected=fp");
	ktstr_vlog__feed(&v, "-- END PROG LOAD LOG --");
	assert_false(v.in_log);
	ktstr_vlog__feed(&v, "R2 not counted: outside the block\n");
	assert_string_equal(v.last, "R1 type=scalar expected=fp");
}

static void long_line_truncated(void **state)
{
	struct ktstr_vlog v = {0};
	char msg[2048];

	memset(msg, 'x', sizeof(msg));
	memcpy(msg, "-- BEGIN PROG LOAD LOG --\n", 26);
	msg[sizeof(msg) - 1] = '\0';
	ktstr_vlog__feed(&v, msg);
	assert_int_equal(strlen(v.last), KTSTR_VLOG_LINE_MAX - 1);
	ktstr_vlog__feed(&v, "");
	assert_int_equal(strlen(v.last), KTSTR_VLOG_LINE_MAX - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(whole_log_in_one_message),
	    cmocka_unit_test(log_split_across_messages),
	    cmocka_unit_test(long_line_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
