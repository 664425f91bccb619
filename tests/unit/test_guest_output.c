/*
 * The COM2 parser (sentinels, result blocks, frames), the stage line, the
 * console cleaning and the console tail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "guest_output.h"
#include "test_frame_fixture.h"

#define RESULT_JSON                                                                                \
	"{\"passed\":true,\"skipped\":false,\"details\":[],\"stats\":{\"total_workers\":4},"       \
	"\"kernel_release\":\"7.2.13-cloud-amd64\",\"workers\":[]}"
#define TOPO_JSON "{\"cpus\":4,\"numa_nodes\":1,\"llcs\":2,\"cores\":2,\"threads\":1}"

/* What ktstr-init writes for a scheduler run (docs/protocol.md section 3). */
static const char transcript[] = "KTSTR_INIT_STARTED\n"
				 "KTSTR_TOPOLOGY " TOPO_JSON "\n"
				 "KTSTR_PAYLOAD_STARTING\n"
				 "===SCHED_OUTPUT_START===\n"
				 "scx_ktstr: attached\n"
				 "PANIC: this is the scheduler talking\n"
				 "===SCHED_OUTPUT_END===\n"
				 "===KTSTR_TEST_RESULT_START===\n" RESULT_JSON "\n"
				 "===KTSTR_TEST_RESULT_END===\n"
				 "KTSTR_EXIT=0\n";

static void parse_ok(const char *text, size_t len, struct ktstr_guest_report *r)
{
	assert_int_equal(ktstr_guest_output__parse(text, len, r), 0);
}

static void parse_str(const char *text, struct ktstr_guest_report *r)
{
	parse_ok(text, strlen(text), r);
}

static void test_full_transcript(void **state)
{
	struct ktstr_guest_report r;

	parse_str(transcript, &r);
	assert_int_equal(r.stage, KTSTR_STAGE_EXITED);
	assert_true(r.init_started && r.payload_starting && r.have_result && r.have_exit);
	assert_int_equal(r.exit_code, 0);
	assert_string_equal(r.result_json, RESULT_JSON);
	assert_string_equal(r.topology_json, TOPO_JSON);
	assert_string_equal(r.sched_log,
			    "scx_ktstr: attached\nPANIC: this is the scheduler talking\n");
	/* A sentinel inside the scheduler log is log text, not a guest panic. */
	assert_null(r.panic);
	assert_null(r.malformed);
	assert_false(r.sched_died);
	assert_string_equal(ktstr_guest_report__stage_text(&r), "test result received");
	ktstr_guest_report__release(&r);
	assert_null(r.result_json);
}

/* Same transcript with CRLF endings, NULs in tokens and kernel noise between protocol lines. */
static void test_crlf_nul_noise(void **state)
{
	char buf[4096];
	size_t n = 0;
	bool in_result = false;
	struct ktstr_guest_report r;

	for (const char *p = transcript; *p != '\0'; p++) {
		if (*p != '\n') {
			buf[n++] = *p;
			if (*p == 'K') {
				buf[n++] = '\0';
			}
			continue;
		}
		memcpy(buf + n, "\r\n\0", 3);
		n += 3;
		/* Not inside the result block, where noise would break the JSON. */
		in_result = p[1] == '{' || strncmp(p + 1, "===KTSTR_TEST_RESULT_END", 24) == 0;
		if (!in_result) {
			n += (size_t)sprintf(buf + n, "[    1.234567] random: crng init done\r\n");
		}
	}
	parse_ok(buf, n, &r);
	assert_int_equal(r.stage, KTSTR_STAGE_EXITED);
	assert_true(r.have_result);
	assert_null(r.malformed);
	assert_int_equal(r.exit_code, 0);
	assert_string_equal(r.result_json, RESULT_JSON);
	assert_string_equal(r.topology_json, TOPO_JSON);
	assert_non_null(strstr(r.sched_log, "attached\n"));
	assert_null(strchr(r.sched_log, '\r'));
	ktstr_guest_report__release(&r);
}

static const struct {
	const char *text;
	enum ktstr_stage stage;
	const char *stage_line;
} stage_cases[] = {
	{ "", KTSTR_STAGE_NONE, "init never started (kernel or mount failure)" },
	{ "[ 0.1] noise only\n", KTSTR_STAGE_NONE, "init never started (kernel or mount failure)" },
	{ "KTSTR_INIT_FAILED: mount /proc: ENOENT\n", KTSTR_STAGE_NONE,
	  "init failed: mount /proc: ENOENT" },
	{ "KTSTR_INIT_STARTED\n", KTSTR_STAGE_INIT_STARTED, "cgroup/scheduler setup failed" },
	{ "KTSTR_INIT_STARTED\nKTSTR_SETUP_FAILED: unknown scenario 'x'\nKTSTR_EXIT=1\n",
	  KTSTR_STAGE_EXITED, "cgroup/scheduler setup failed: unknown scenario 'x'" },
	{ "KTSTR_INIT_STARTED\nKTSTR_PAYLOAD_STARTING\n", KTSTR_STAGE_PAYLOAD_STARTING,
	  "payload started but produced no test result" },
	{ "KTSTR_INIT_STARTED\nKTSTR_PAYLOAD_STARTING\nKTSTR_INIT_FAILED: watchdog\nKTSTR_EXIT=1\n",
	  KTSTR_STAGE_EXITED,
	  "payload started but produced no test result; init failed: watchdog" },
	{ "KTSTR_INIT_STARTED\n===SCHED_OUTPUT_START===\nboom\n===SCHED_OUTPUT_END===\n"
	  "SCHEDULER_DIED\nKTSTR_EXIT=1\n",
	  KTSTR_STAGE_EXITED, "cgroup/scheduler setup failed; scheduler died" },
	{ "KTSTR_INIT_STARTED\nSCHEDULER_NOT_ATTACHED: timeout\nKTSTR_EXIT=1\n", KTSTR_STAGE_EXITED,
	  "cgroup/scheduler setup failed; scheduler not attached: timeout" },
	{ "KTSTR_INIT_STARTED\nKTSTR_PAYLOAD_STARTING\nPANIC: oops \x1b[31mred\x1b[0m\x01\n",
	  KTSTR_STAGE_PAYLOAD_STARTING,
	  "payload started but produced no test result; guest panic: oops red\\x01" },
	{ "===KTSTR_TEST_RESULT_START===\n{\"passed\":false}\n===KTSTR_TEST_RESULT_END===\n",
	  KTSTR_STAGE_RESULT, "test result received" },
};

static void test_stages(void **state)
{
	for (size_t i = 0; i < sizeof(stage_cases) / sizeof(stage_cases[0]); i++) {
		struct ktstr_guest_report r;

		parse_str(stage_cases[i].text, &r);
		if (r.stage != stage_cases[i].stage ||
		    strcmp(ktstr_guest_report__stage_text(&r), stage_cases[i].stage_line) != 0) {
			fail_msg("case %zu: stage %d '%s'", i, r.stage,
				 ktstr_guest_report__stage_text(&r));
		}
		ktstr_guest_report__release(&r);
	}
}

static void test_sentinel_fields(void **state)
{
	struct ktstr_guest_report r;

	parse_str(
	    "KTSTR_INIT_FAILED: first\nKTSTR_INIT_FAILED: second\n"
	    "KTSTR_SETUP_FAILED:   spaced why  \nSCHEDULER_NOT_ATTACHED: sched_ext sysfs absent\n"
	    "PANIC:\tbad\n  KTSTR_EXIT=-3  \nKTSTR_EXIT=abc\nKTSTR_EXIT=99999999999\n"
	    "KTSTR_EXIT=\nKTSTR_EXIT=4x\n",
	    &r);
	assert_string_equal(r.init_failed, "first");
	assert_string_equal(r.setup_failed, "spaced why");
	assert_string_equal(r.sched_not_attached, "sched_ext sysfs absent");
	assert_string_equal(r.panic, "bad");
	assert_true(r.have_exit);
	assert_int_equal(r.exit_code, -3);
	assert_false(r.init_started);
	ktstr_guest_report__release(&r);

	/* Look-alikes are not sentinels. */
	parse_str("KTSTR_INIT_STARTED_NOT\nxKTSTR_PAYLOAD_STARTING\nSCHEDULER_DIED!\n"
		  "KTSTR_TOPOLOGY\n===KTSTR_TEST_RESULT_START=== x\n{\"passed\":true}\n"
		  "===KTSTR_TEST_RESULT_END===\n",
		  &r);
	assert_false(r.init_started || r.payload_starting || r.sched_died || r.have_result);
	assert_null(r.topology_json);
	assert_int_equal(r.stage, KTSTR_STAGE_NONE);
	ktstr_guest_report__release(&r);
}

static void test_topology_line(void **state)
{
	struct ktstr_guest_report r;

	parse_str("KTSTR_TOPOLOGY {\"cpus\":2}\nKTSTR_TOPOLOGY {broken\n", &r);
	assert_string_equal(r.topology_json, "{\"cpus\":2}");
	ktstr_guest_report__release(&r);
	parse_str("KTSTR_TOPOLOGY {\"cpus\":2}\nKTSTR_TOPOLOGY [1]\n", &r);
	assert_string_equal(r.topology_json, "[1]");
	ktstr_guest_report__release(&r);
}

/* Every prefix of the transcript: no crash, and each flag set exactly when its line is whole. */
static void test_truncation_every_byte(void **state)
{
	const char *init = strstr(transcript, "KTSTR_INIT_STARTED");
	const char *payload = strstr(transcript, "KTSTR_PAYLOAD_STARTING");
	const char *end = strstr(transcript, "===KTSTR_TEST_RESULT_END===");
	const char *exit = strstr(transcript, "KTSTR_EXIT=0");
	size_t n = strlen(transcript);

	for (size_t len = 0; len <= n; len++) {
		struct ktstr_guest_report r;
		char *copy = malloc(len + 1);

		/* An exact-size heap copy so ASan sees any read past the end. */
		memcpy(copy, transcript, len);
		parse_ok(copy, len, &r);
		assert_int_equal(r.init_started,
				 len >= (size_t)(init - transcript) + strlen("KTSTR_INIT_STARTED"));
		assert_int_equal(r.payload_starting, len >= (size_t)(payload - transcript) +
								strlen("KTSTR_PAYLOAD_STARTING"));
		assert_int_equal(r.have_result, len >= (size_t)(end - transcript) +
							   strlen("===KTSTR_TEST_RESULT_END==="));
		assert_int_equal(r.have_exit,
				 len >= (size_t)(exit - transcript) + strlen("KTSTR_EXIT=0"));
		assert_true(r.stage_line != NULL && r.stage_line[0] != '\0');
		if (r.init_started && !r.payload_starting) {
			assert_string_equal(r.stage_line, "cgroup/scheduler setup failed");
		}
		if (r.payload_starting && !r.have_result) {
			assert_string_equal(r.stage_line,
					    "payload started but produced no test result");
		}
		if (!r.init_started) {
			assert_string_equal(r.stage_line,
					    "init never started (kernel or mount failure)");
		}
		ktstr_guest_report__release(&r);
		free(copy);
	}
}

static void test_two_blocks_last_wins(void **state)
{
	struct ktstr_guest_report r;

	parse_str("===KTSTR_TEST_RESULT_START===\n{\"passed\":false}\n===KTSTR_TEST_RESULT_END===\n"
		  "===KTSTR_TEST_RESULT_START===\n{\"passed\":true,\n \"skipped\":false}\n"
		  "===KTSTR_TEST_RESULT_END===\n",
		  &r);
	assert_string_equal(r.result_json, "{\"passed\":true,\n \"skipped\":false}");
	assert_null(r.malformed);
	ktstr_guest_report__release(&r);

	/* A later broken block does not replace a valid one, but is reported. */
	parse_str("===KTSTR_TEST_RESULT_START===\n{\"passed\":true}\n===KTSTR_TEST_RESULT_END===\n"
		  "===KTSTR_TEST_RESULT_START===\n{\"passed\":\n===KTSTR_TEST_RESULT_END===\n",
		  &r);
	assert_true(r.have_result);
	assert_string_equal(r.result_json, "{\"passed\":true}");
	assert_non_null(strstr(r.malformed, "COM2 line 4"));
	ktstr_guest_report__release(&r);

	/* A block without an end marker followed by a complete one. */
	parse_str(
	    "===KTSTR_TEST_RESULT_START===\n{\"passed\":tr\n"
	    "===KTSTR_TEST_RESULT_START===\n{\"passed\":false}\n===KTSTR_TEST_RESULT_END===\n",
	    &r);
	assert_true(r.have_result);
	assert_string_equal(r.result_json, "{\"passed\":false}");
	assert_non_null(strstr(r.malformed, "no end marker before the next block"));
	ktstr_guest_report__release(&r);
}

static void test_malformed_results(void **state)
{
	static const struct {
		const char *body;
		const char *why;
	} cases[] = {
		{ "{\"passed\":tru}", "JSON does not parse (line 1, column" },
		{ "", "JSON does not parse" },
		{ "[{\"passed\":true}]", "JSON is not an object" },
		{ "42", "JSON is not an object" },
		{ "\"passed\"", "JSON is not an object" },
		{ "{\"skipped\":false}", "no boolean \"passed\"" },
		{ "{\"passed\":\"yes\"}", "no boolean \"passed\"" },
		{ "{\"passed\":1}", "no boolean \"passed\"" },
		{ "{\"passed\":true,\"skipped\":null}", "\"skipped\" is not a boolean" },
		{ "{\"passed\":true} {\"passed\":true}", "JSON does not parse" },
		{ "{\"passed\":true,\"stats\":[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]}",
		  "nested deeper than 24 levels" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ktstr_guest_report r;
		char text[512];

		snprintf(text, sizeof(text),
			 "KTSTR_INIT_STARTED\nKTSTR_PAYLOAD_STARTING\n===KTSTR_TEST_RESULT_START==="
			 "\n%s\n"
			 "===KTSTR_TEST_RESULT_END===\nKTSTR_EXIT=1\n",
			 cases[i].body);
		parse_str(text, &r);
		if (r.have_result || r.result_json != NULL || r.malformed == NULL ||
		    strstr(r.malformed, cases[i].why) == NULL ||
		    strstr(r.malformed, "result block at COM2 line 3") == NULL) {
			fail_msg("case %zu: malformed '%s'", i,
				 r.malformed ? r.malformed : "(null)");
		}
		assert_int_equal(r.stage, KTSTR_STAGE_EXITED);
		assert_string_equal(ktstr_guest_report__stage_text(&r),
				    "payload started but produced no test result");
		ktstr_guest_report__release(&r);
	}
	/* 24 levels is still fine. */
	struct ktstr_guest_report r;
	parse_str("===KTSTR_TEST_RESULT_START===\n"
		  "{\"passed\":true,\"a\":[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]}\n"
		  "===KTSTR_TEST_RESULT_END===\n",
		  &r);
	assert_true(r.have_result);
	ktstr_guest_report__release(&r);
}

static void test_unterminated_blocks(void **state)
{
	struct ktstr_guest_report r;

	parse_str("KTSTR_INIT_STARTED\nKTSTR_PAYLOAD_STARTING\n===KTSTR_TEST_RESULT_START===\n"
		  "{\"passed\":true}\n",
		  &r);
	assert_false(r.have_result);
	assert_non_null(strstr(r.malformed, "no end marker (output ends inside it"));
	ktstr_guest_report__release(&r);

	/* A scheduler log cut off keeps what arrived; sentinels inside it are log text. */
	parse_str("KTSTR_INIT_STARTED\n===SCHED_OUTPUT_START===\nline1\nKTSTR_EXIT=0\nli", &r);
	assert_string_equal(r.sched_log, "line1\nKTSTR_EXIT=0\nli");
	assert_false(r.have_exit);
	ktstr_guest_report__release(&r);

	/* Two log blocks are joined; control bytes and colours are cleaned. */
	parse_str("===SCHED_OUTPUT_START===\n\x1b[1ma\x1b[0m\x07\n===SCHED_OUTPUT_END===\n"
		  "===SCHED_OUTPUT_START===\nb\xff\n===SCHED_OUTPUT_END===\n",
		  &r);
	assert_string_equal(r.sched_log, "a\\x07\nb\\xff\n");
	ktstr_guest_report__release(&r);
}

static void test_oversized(void **state)
{
	size_t big = KTSTR_GUEST_RESULT_MAX + 100;
	const char *head = "===KTSTR_TEST_RESULT_START===\n{\"passed\":true,\"pad\":\"";
	const char *tail = "\"}\n===KTSTR_TEST_RESULT_END===\n";
	char *buf = malloc(big + 200);
	struct ktstr_guest_report r;
	size_t n;

	n = (size_t)sprintf(buf, "%s", head);
	memset(buf + n, 'x', big);
	n += big;
	n += (size_t)sprintf(buf + n, "%s", tail);
	parse_ok(buf, n, &r);
	assert_false(r.have_result);
	assert_non_null(strstr(r.malformed, "over the 4194304-byte limit"));
	ktstr_guest_report__release(&r);

	/* One huge line of garbage with no newline. */
	memset(buf, 'K', big);
	parse_ok(buf, big, &r);
	assert_int_equal(r.stage, KTSTR_STAGE_NONE);
	ktstr_guest_report__release(&r);

	/* A scheduler log over the cap keeps its end. */
	n = (size_t)sprintf(buf, "===SCHED_OUTPUT_START===\n");
	for (size_t i = 0; n < KTSTR_GUEST_SCHED_LOG_MAX + 1000; i++) {
		n += (size_t)sprintf(buf + n, "log line %zu\n", i);
	}
	n += (size_t)sprintf(buf + n, "LAST\n===SCHED_OUTPUT_END===\n");
	parse_ok(buf, n, &r);
	assert_int_equal(strncmp(r.sched_log, "[... earlier scheduler output dropped ...]\n", 43),
			 0);
	assert_non_null(strstr(r.sched_log, "LAST\n"));
	assert_null(strstr(r.sched_log, "log line 0\n"));
	assert_true(strlen(r.sched_log) <= KTSTR_GUEST_SCHED_LOG_MAX + 43);
	ktstr_guest_report__release(&r);
	free(buf);
}

static void test_args_and_hand_built(void **state)
{
	struct ktstr_guest_report r = { 0 };

	assert_int_equal(ktstr_guest_output__parse(NULL, 1, &r), -EINVAL);
	assert_int_equal(ktstr_guest_output__parse("x", 1, NULL), -EINVAL);
	parse_ok(NULL, 0, &r);
	assert_int_equal(r.stage, KTSTR_STAGE_NONE);
	ktstr_guest_report__release(&r);
	ktstr_guest_report__release(NULL);

	/* A report filled by hand gets its text formatted on demand. */
	r.init_started = true;
	r.sched_died = true;
	assert_string_equal(ktstr_guest_report__stage_text(&r),
			    "cgroup/scheduler setup failed; scheduler died");
	r.payload_starting = true;
	assert_string_equal(ktstr_guest_report__stage_text(&r),
			    "payload started but produced no test result; scheduler died");
}

static void test_clean(void **state)
{
	static const struct {
		const char *in;
		size_t n;
		bool one_line;
		const char *want;
	} cases[] = {
		{ "plain text\tok", 13, false, "plain text\tok" },
		{ "a\r\nb\rc", 6, false, "a\nb\\x0dc" },
		{ "a\nb", 3, true, "a\\x0ab" },
		{ "n\0ul", 4, false, "nul" },
		{ "\x1b[1;31mred\x1b[0m", 14, false, "red" },
		{ "\x1b]0;title\x07x", 11, false, "x" },
		{ "\x1b]0;t\x1b\\y", 8, false, "y" },
		{ "\x1b]0;lost\nz", 10, false, "\nz" },
		{ "\x1b(Bq\x1b"
		  "7r",
		  7, false, "qr" },
		{ "cut\x1b[12", 7, false, "cut" },
		{ "esc\x1b", 4, false, "esc" },
		{ "caf\xc3\xa9 \xe2\x82\xac", 9, false, "caf\xc3\xa9 \xe2\x82\xac" },
		{ "bad\xc3(\xff\x7f", 7, false, "bad\\xc3(\\xff\\x7f" },
		{ "cut\xe2\x82", 5, false, "cut\\xe2\\x82" },
		{ "", 0, false, "" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out;

		assert_int_equal(
		    ktstr_console__clean(cases[i].in, cases[i].n, cases[i].one_line, &out), 0);
		if (strcmp(out, cases[i].want) != 0) {
			fail_msg("case %zu: got '%s' want '%s'", i, out, cases[i].want);
		}
		free(out);
	}
}

static char *tmpfile_with(const char *data, size_t len)
{
	char *path = strdup("/tmp/ktstr-tail-XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void test_tail(void **state)
{
	const char text[] = "one\ntwo\n\x1b[32mthree\x1b[0m\r\nfour\x01\n";
	char *path = tmpfile_with(text, sizeof(text) - 1), *out;

	assert_int_equal(ktstr_console__tail(path, 2, &out), 0);
	assert_string_equal(out, "three\nfour\\x01");
	free(out);
	assert_int_equal(ktstr_console__tail(path, 100, &out), 0);
	assert_string_equal(out, "one\ntwo\nthree\nfour\\x01");
	free(out);
	assert_int_equal(ktstr_console__tail(path, 1, &out), 0);
	assert_string_equal(out, "four\\x01");
	free(out);
	assert_int_equal(ktstr_console__tail(path, 0, &out), 0);
	assert_string_equal(out, "");
	free(out);
	unlink(path);
	free(path);

	/* No final newline; empty file. */
	path = tmpfile_with("a\nb", 3);
	assert_int_equal(ktstr_console__tail(path, 1, &out), 0);
	assert_string_equal(out, "b");
	free(out);
	unlink(path);
	free(path);
	path = tmpfile_with("", 0);
	assert_int_equal(ktstr_console__tail(path, 5, &out), 0);
	assert_string_equal(out, "");
	free(out);
	unlink(path);
	free(path);

	assert_int_equal(ktstr_console__tail("/nonexistent/ktstr/console.log", 5, &out), -ENOENT);
	assert_null(out);
	assert_int_equal(ktstr_console__tail("/tmp", 5, &out), -EINVAL);
}

/* Only the last 64 KiB is read, and the fragment at its start is dropped. */
static void test_tail_large(void **state)
{
	size_t cap = 200000, n = 0;
	char *big = malloc(cap), *path, *out;

	char last[32];
	unsigned i;

	for (i = 0; n + 32 < cap; i++) {
		n += (size_t)sprintf(big + n, "line %06u\n", i);
	}
	snprintf(last, sizeof(last), "line %06u", i - 1);
	path = tmpfile_with(big, n);
	assert_int_equal(ktstr_console__tail(path, 1000000, &out), 0);
	assert_true(strlen(out) <= 64 * 1024);
	/* Whole lines only: the fragment at the window's start is gone. */
	assert_true(strncmp(out, "line ", 5) == 0 && out[11] == '\n');
	assert_non_null(strstr(out, last));
	assert_null(strstr(out, "line 000000"));
	free(out);
	assert_int_equal(ktstr_console__tail(path, 1, &out), 0);
	assert_string_equal(out, last);
	free(out);
	unlink(path);
	free(path);

	/* One line longer than the window: kept, cut at the window's start. */
	memset(big, 'x', cap);
	path = tmpfile_with(big, cap);
	assert_int_equal(ktstr_console__tail(path, 1, &out), 0);
	assert_int_equal(strlen(out), 64 * 1024);
	free(out);
	unlink(path);
	free(path);
	free(big);
}


/* A transcript from pieces: NULL ends the list; each piece is one line. */
static char *joined(const char *first, ...)
{
	size_t len = 0, n;
	const char *s;
	char *out = NULL;
	va_list ap;

	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *)) {
		n = strlen(s);
		out = realloc(out, len + n + 2);
		memcpy(out + len, s, n);
		len += n;
		out[len++] = '\n';
	}
	va_end(ap);
	out[len] = '\0';
	return out;
}

static void test_frame_wins_over_markers(void **state)
{
	char *test = fx_frame("TEST", "{\"passed\":false,\"details\":[{\"kind\":\"Stuck\"}]}");
	char *exitf = fx_frame("EXIT", "{\"code\":1}");
	struct ktstr_guest_report r;
	char *t;

	/* Frame first, markers after (what ktstr-init writes): the frame wins. */
	t = joined("KTSTR_INIT_STARTED", test, "===KTSTR_TEST_RESULT_START===", "{\"passed\":true}",
		   "===KTSTR_TEST_RESULT_END===", exitf, "KTSTR_EXIT=1", NULL);
	parse_str(t, &r);
	assert_true(r.have_result && r.result_from_frame && r.have_exit);
	assert_string_equal(r.result_json,
			    "{\"passed\":false,\"details\":[{\"kind\":\"Stuck\"}]}");
	assert_int_equal(r.frames_ok, 2);
	assert_int_equal(r.frames_bad, 0);
	assert_null(r.frame_error);
	assert_null(r.stimulus_json);
	assert_int_equal(r.exit_code, 1);
	assert_int_equal(r.stage, KTSTR_STAGE_EXITED);
	ktstr_guest_report__release(&r);
	free(t);

	/* Markers first, frame after: still the frame. */
	t = joined("===KTSTR_TEST_RESULT_START===", "{\"passed\":true}",
		   "===KTSTR_TEST_RESULT_END===", test, NULL);
	parse_str(t, &r);
	assert_true(r.result_from_frame);
	assert_non_null(strstr(r.result_json, "Stuck"));
	assert_false(r.have_exit);
	ktstr_guest_report__release(&r);
	free(t);

	/* Only a frame, no markers at all: a result, with the EXIT frame as exit code. */
	t = joined("KTSTR_INIT_STARTED", "KTSTR_PAYLOAD_STARTING", test, exitf, NULL);
	parse_str(t, &r);
	assert_true(r.have_result && r.have_exit);
	assert_int_equal(r.exit_code, 1);
	assert_int_equal(r.stage, KTSTR_STAGE_EXITED);
	assert_string_equal(ktstr_guest_report__stage_text(&r), "test result received");
	ktstr_guest_report__release(&r);
	free(t);
	free(test);
	free(exitf);
}

static void test_bad_frames_ignored(void **state)
{
	char *test = fx_frame("TEST", "{\"passed\":false}");
	char *nopassed = fx_frame("TEST", "{\"skipped\":false}");
	char *badexit = fx_frame("EXIT", "{\"code\":\"zero\"}");
	char *bigexit = fx_frame("EXIT", "{\"code\":4294967296}");
	struct ktstr_guest_report r;
	char *t, *b64;

	/* A corrupted TEST frame: the marker block is the result; the reason names the line. */
	b64 = strrchr(test, ' ') + 1;
	b64[2] = b64[2] == 'A' ? 'B' : 'A';
	t = joined("KTSTR_INIT_STARTED", test, nopassed, badexit, bigexit,
		   "===KTSTR_TEST_RESULT_START===", "{\"passed\":true}",
		   "===KTSTR_TEST_RESULT_END===", "KTSTR_FRAME",
		   "KTSTR_FRAME 1 WHAT 1 00000000 AA==",
		   "KTSTR_EXIT=0", NULL);
	parse_str(t, &r);
	assert_true(r.have_result);
	assert_false(r.result_from_frame);
	assert_string_equal(r.result_json, "{\"passed\":true}");
	assert_int_equal(r.frames_ok, 0);
	assert_int_equal(r.frames_bad, 6);
	assert_string_equal(r.frame_error,
			    "COM2 line 2: CRC-32 mismatch (header 29da73e4, payload abbe0f1a)");
	assert_int_equal(r.exit_code, 0);
	ktstr_guest_report__release(&r);
	free(t);

	/* The first bad reason is kept, whatever comes later. */
	t = joined(nopassed, badexit, NULL);
	parse_str(t, &r);
	assert_string_equal(r.frame_error, "COM2 line 1: TEST frame: no boolean \"passed\"");
	assert_false(r.have_result);
	ktstr_guest_report__release(&r);
	free(t);
	t = joined(badexit, NULL);
	parse_str(t, &r);
	assert_string_equal(r.frame_error, "COM2 line 1: EXIT frame without an integer \"code\"");
	assert_false(r.have_exit);
	ktstr_guest_report__release(&r);
	free(t);
	/* Guest bytes echoed in a reason are made printable. */
	parse_str("KTSTR_FRAME 1 \x1b[1m 1 00000000 AA==\n", &r);
	assert_non_null(r.frame_error);
	assert_null(strchr(r.frame_error, '\x1b'));
	ktstr_guest_report__release(&r);
	free(test);
	free(nopassed);
	free(badexit);
	free(bigexit);
}

static void test_stim_frames_in_order(void **state)
{
	char *s0 =
	    fx_frame("STIM", "{\"elapsed_ms\":4,\"label\":\"StepStart[0]\",\"step_index\":0}");
	char *s1 =
	    fx_frame("STIM", "{\"elapsed_ms\":1004,\"label\":\"StepStart[1]\",\"step_index\":1}");
	char *bad = fx_frame("STIM", "{\"elapsed_ms\":9,\"label\":\"bad\"}");
	char *w = fx_frame("WRKR", "{\"pid\":3}"), *sc = fx_frame("SCHD", "{\"event\":\"x\"}");
	struct ktstr_guest_report r;
	char *t;

	bad[strlen(bad) - 2] = '\0'; /* cut: the base64 no longer matches the length */
	t = joined("KTSTR_PAYLOAD_STARTING", s0, bad, w, "  \t", sc, s1, NULL);
	parse_str(t, &r);
	assert_string_equal(r.stimulus_json,
			    "[{\"elapsed_ms\":4,\"label\":\"StepStart[0]\",\"step_index\":0},"
			    "{\"elapsed_ms\":1004,\"label\":\"StepStart[1]\",\"step_index\":1}]");
	assert_int_equal(r.frames_ok, 4);
	assert_int_equal(r.frames_bad, 1);
	assert_non_null(strstr(r.frame_error, "COM2 line 3: base64 text is"));
	ktstr_guest_report__release(&r);
	free(t);

	/* Frames inside a scheduler-log block are log text: neither used nor counted. */
	t = joined("===SCHED_OUTPUT_START===", s0, bad, "===SCHED_OUTPUT_END===", NULL);
	parse_str(t, &r);
	assert_null(r.stimulus_json);
	assert_int_equal(r.frames_ok + r.frames_bad, 0);
	assert_non_null(strstr(r.sched_log, "KTSTR_FRAME 1 STIM"));
	ktstr_guest_report__release(&r);
	free(t);

	/* CRLF line ends, leading blanks and NUL noise around a frame are tolerated. */
	assert_int_equal(asprintf(&t, "\r\n X%s\r\n", s1), (int)strlen(s1) + 6);
	t[3] = '\0';
	parse_ok(t, strlen(s1) + 6, &r);
	assert_int_equal(r.frames_ok, 1);
	assert_non_null(r.stimulus_json);
	ktstr_guest_report__release(&r);
	free(t);
	free(s0);
	free(s1);
	free(bad);
	free(w);
	free(sc);
}

/* A TEST frame longer than the sentinel scan window (64 KiB) still decodes. */
static void test_long_frame(void **state)
{
	size_t n = 200 * 1024;
	char *json = malloc(n + 64), *line;
	struct ktstr_guest_report r;

	n = (size_t)sprintf(json, "{\"passed\":true,\"pad\":\"");
	memset(json + n, 'p', 200 * 1024);
	strcpy(json + n + 200 * 1024, "\"}");
	line = fx_frame("TEST", json);
	assert_true(strlen(line) > 256 * 1024);
	parse_str(line, &r);
	assert_true(r.have_result && r.result_from_frame);
	assert_int_equal(strlen(r.result_json), strlen(json));
	ktstr_guest_report__release(&r);
	free(line);
	free(json);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_transcript),
		cmocka_unit_test(test_crlf_nul_noise),
		cmocka_unit_test(test_stages),
		cmocka_unit_test(test_sentinel_fields),
		cmocka_unit_test(test_topology_line),
		cmocka_unit_test(test_truncation_every_byte),
		cmocka_unit_test(test_two_blocks_last_wins),
		cmocka_unit_test(test_malformed_results),
		cmocka_unit_test(test_unterminated_blocks),
		cmocka_unit_test(test_oversized),
		cmocka_unit_test(test_args_and_hand_built),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_tail),
		cmocka_unit_test(test_tail_large),
		cmocka_unit_test(test_frame_wins_over_markers),
		cmocka_unit_test(test_bad_frames_ignored),
		cmocka_unit_test(test_stim_frames_in_order),
		cmocka_unit_test(test_long_frame),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
