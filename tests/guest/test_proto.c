#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fixture.h"
#include "proto.h"

struct ctx {
	char dir[PATH_MAX];
	char out[PATH_MAX + 16];
	struct ktstr_proto p;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	fx_mkdtemp(c->dir, sizeof(c->dir));
	fx_write(c->dir, "com2", "");
	snprintf(c->out, sizeof(c->out), "%s/com2", c->dir);
	assert_int_equal(ktstr_proto__open(&c->p, c->out), 0);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	ktstr_proto__close(&c->p);
	assert_int_equal(c->p.fd, -1);
	fx_rmtree(c->dir);
	free(c);
	return 0;
}

static const char *written(struct ctx *c)
{
	static char buf[1 << 20];

	return fx_read(c->dir, "com2", buf, sizeof(buf));
}

static void lines(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(ktstr_proto__line(&c->p, KTSTR_SENT_INIT_STARTED), 0);
	assert_int_equal(ktstr_proto__topology(&c->p, "{\"cpus\":4}"), 0);
	assert_int_equal(ktstr_proto__line(&c->p, KTSTR_SENT_PAYLOAD_STARTING), 0);
	assert_int_equal(ktstr_proto__result(&c->p, "{\"passed\":true}"), 0);
	assert_int_equal(ktstr_proto__exit(&c->p, 0), 0);
	ktstr_proto__drain(&c->p); /* a file: no-op */
	assert_string_equal(written(c), "KTSTR_INIT_STARTED\n"
					"KTSTR_TOPOLOGY {\"cpus\":4}\n"
					"KTSTR_PAYLOAD_STARTING\n"
					/* msgpack {"passed":true}: 81 a6 "passed" c3 */
					"KTSTR_FRAME 1 TEST 9 5edd4372 gaZwYXNzZWTD\n"
					"===KTSTR_TEST_RESULT_START===\n"
					"{\"passed\":true}\n"
					"===KTSTR_TEST_RESULT_END===\n"
					/* msgpack {"code":0}: 81 a4 "code" 00 */
					"KTSTR_FRAME 1 EXIT 7 db037b16 gaRjb2RlAA==\n"
					"KTSTR_EXIT=0\n");
}

static void reasons(void **state)
{
	struct ctx *c = *state;
	char big[2000];

	assert_int_equal(ktstr_proto__reason(&c->p, KTSTR_SENT_SETUP_FAILED,
					     "bad\nspec\r\tat\x7f"
					     "end"),
			 0);
	assert_int_equal(ktstr_proto__reason(&c->p, KTSTR_SENT_SCHED_NOT_ATTACHED, "timeout"), 0);
	assert_int_equal(ktstr_proto__exit(&c->p, 1), 0);
	assert_string_equal(written(c), "KTSTR_SETUP_FAILED: bad spec  at end\n"
					"SCHEDULER_NOT_ATTACHED: timeout\n"
					"KTSTR_FRAME 1 EXIT 7 ac044b80 gaRjb2RlAQ==\n"
					"KTSTR_EXIT=1\n");
	/* A long reason is cut, still one line. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(ktstr_proto__reason(&c->p, KTSTR_SENT_INIT_FAILED, big), 0);
	assert_int_equal(strlen(strstr(written(c), "KTSTR_INIT_FAILED: ")),
			 strlen("KTSTR_INIT_FAILED: ") + 1023 + 1);
}

static void long_line(void **state)
{
	struct ctx *c = *state;
	char *big = malloc(100001);

	memset(big, 'j', 100000);
	big[100000] = '\0';
	/* Not JSON: no frame, only the marker block. */
	assert_int_equal(ktstr_proto__result(&c->p, big), 0);
	assert_int_equal(strlen(written(c)), strlen(KTSTR_MARK_RESULT_START) + 1 + 100000 + 1 +
						 strlen(KTSTR_MARK_RESULT_END) + 1);
	free(big);
}

static void frame_errors(void **state)
{
	struct ctx *c = *state;
	json_t *deep = json_object(), *arr = json_array();
	char *big;

	assert_int_equal(ktstr_proto__frame(&c->p, "test", deep), -EINVAL);
	assert_int_equal(ktstr_proto__frame(&c->p, "TES1", deep), -EINVAL);
	assert_int_equal(ktstr_proto__frame(&c->p, "STIM", arr), -EINVAL);
	assert_int_equal(ktstr_proto__frame(&c->p, "STIM", NULL), -EINVAL);
	/* Deeper than msgpack-c can read back (32 levels): refused, nothing written. */
	for (int i = 0; i < 33; i++) {
		json_t *outer = json_object();

		json_object_set_new(outer, "a", deep);
		deep = outer;
	}
	assert_int_equal(ktstr_proto__frame(&c->p, "STIM", deep), -ELOOP);
	assert_string_equal(written(c), "");
	json_decref(deep);
	json_decref(arr);
	/* Over the host's 8 MiB payload limit: refused, nothing written. */
	big = malloc(9u << 20);
	memset(big, 'b', 9u << 20);
	arr = json_pack("{s:s%}", "big", big, (size_t)(9u << 20));
	free(big);
	assert_int_equal(ktstr_proto__frame(&c->p, "TEST", arr), -EFBIG);
	assert_string_equal(written(c), "");
	json_decref(arr);
	/* A write error comes back as -errno. */
	close(c->p.fd);
	c->p.fd = open("/dev/null", O_RDONLY);
	arr = json_object();
	assert_int_equal(ktstr_proto__frame(&c->p, "STIM", arr), -EBADF);
	json_decref(arr);
}

static void sched_log(void **state)
{
	struct ctx *c = *state;
	char log[PATH_MAX + 16];
	char *big;

	snprintf(log, sizeof(log), "%s/sched.log", c->dir);
	/* Missing log: an empty block. */
	assert_int_equal(ktstr_proto__sched_log(&c->p, log), 0);
	fx_write(c->dir, "sched.log", "line1\nno newline");
	assert_int_equal(ktstr_proto__sched_log(&c->p, log), 0);
	fx_write(c->dir, "sched.log", "ends\n");
	assert_int_equal(ktstr_proto__sched_log(&c->p, log), 0);
	assert_string_equal(written(c), "===SCHED_OUTPUT_START===\n===SCHED_OUTPUT_END===\n"
					"===SCHED_OUTPUT_START===\nline1\nno newline\n"
					"===SCHED_OUTPUT_END===\n"
					"===SCHED_OUTPUT_START===\nends\n===SCHED_OUTPUT_END===\n");
	/* Only the tail of a huge log. */
	big = malloc(KTSTR_SCHED_LOG_MAX + 11);
	memset(big, 'a', 10);
	memset(big + 10, 'b', KTSTR_SCHED_LOG_MAX);
	big[KTSTR_SCHED_LOG_MAX + 10] = '\0';
	fx_write(c->dir, "sched.log", big);
	free(big);
	ftruncate(c->p.fd, 0);
	lseek(c->p.fd, 0, SEEK_SET);
	assert_int_equal(ktstr_proto__sched_log(&c->p, log), 0);
	assert_null(strchr(written(c), 'a'));
	assert_int_equal(strlen(written(c)), 25 + KTSTR_SCHED_LOG_MAX + 1 + 23);
}

static void open_errors(void **state)
{
	struct ktstr_proto p;

	(void)state;
	assert_int_equal(ktstr_proto__open(&p, "/nonexistent/ttyS1"), -ENOENT);
	assert_int_equal(p.fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(lines, setup, teardown),
	    cmocka_unit_test_setup_teardown(reasons, setup, teardown),
	    cmocka_unit_test_setup_teardown(long_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(frame_errors, setup, teardown),
	    cmocka_unit_test_setup_teardown(sched_log, setup, teardown),
	    cmocka_unit_test(open_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
