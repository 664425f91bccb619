#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fileio.h"
#include "fixture.h"
#include "schedstat.h"

static void read_trim(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 8], buf[8];

	(void)state;
	fx_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/f", dir);
	fx_write(dir, "f", "0-3 \n\n");
	assert_int_equal(ktstr_file__read(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "0-3");
	fx_write(dir, "f", "1234567"); /* exactly len - 1 fits */
	assert_int_equal(ktstr_file__read(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1234567");
	fx_write(dir, "f", "12345678");
	assert_int_equal(ktstr_file__read(path, buf, sizeof(buf)), -EFBIG);
	fx_write(dir, "f", "");
	assert_int_equal(ktstr_file__read(path, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(ktstr_file__read_at(dir, "/f", buf, sizeof(buf)), 0);
	assert_int_equal(ktstr_file__read_at(dir, "/missing", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(ktstr_file__read(dir, buf, sizeof(buf)), -EISDIR);
	fx_rmtree(dir);
}

static void write_existing_only(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 8], buf[64];

	(void)state;
	fx_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/procs", dir);
	assert_int_equal(ktstr_file__write(path, "42"), -ENOENT); /* never created */
	fx_write(dir, "procs", "old content");
	assert_int_equal(ktstr_file__write(path, "42"), 0);
	assert_string_equal(fx_read(dir, "procs", buf, sizeof(buf)), "42");
	fx_rmtree(dir);
}

static void read_tail(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 8], *out;
	size_t len;

	(void)state;
	fx_mkdtemp(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	assert_int_equal(ktstr_file__read_tail(path, 4, &out, &len), -ENOENT);
	assert_null(out);
	fx_write(dir, "log", "abcdefgh");
	assert_int_equal(ktstr_file__read_tail(path, 3, &out, &len), 0);
	assert_string_equal(out, "fgh");
	assert_int_equal(len, 3);
	free(out);
	assert_int_equal(ktstr_file__read_tail(path, 8, &out, &len), 0);
	assert_string_equal(out, "abcdefgh");
	free(out);
	assert_int_equal(ktstr_file__read_tail(path, 100, &out, &len), 0);
	assert_int_equal(len, 8);
	free(out);
	fx_rmtree(dir);
}

static void schedstat(void **state)
{
	struct ktstr_schedstat s;

	(void)state;
	assert_int_equal(ktstr_schedstat__parse("123 456 7\n", &s), 0);
	assert_int_equal(s.run_ns, 123);
	assert_int_equal(s.delay_ns, 456);
	assert_int_equal(s.timeslices, 7);
	assert_int_equal(ktstr_schedstat__parse("18446744073709551615 0 0", &s), 0);
	assert_int_equal(s.run_ns, UINT64_MAX);
	assert_int_equal(ktstr_schedstat__parse("1 2", &s), -EINVAL);
	assert_int_equal(ktstr_schedstat__parse("1 2 3 4", &s), -EINVAL);
	assert_int_equal(ktstr_schedstat__parse("1 -2 3", &s), -EINVAL);
	assert_int_equal(ktstr_schedstat__parse("18446744073709551616 0 0", &s), -EINVAL);
	assert_int_equal(ktstr_schedstat__parse("", &s), -EINVAL);
	assert_int_equal(ktstr_schedstat__read("/nonexistent", &s), -ENOENT);
	/* The host's own file parses (when the kernel has it). */
	if (access("/proc/self/schedstat", R_OK) == 0) {
		assert_int_equal(ktstr_schedstat__read("/proc/self/schedstat", &s), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(read_trim),
	    cmocka_unit_test(write_existing_only),
	    cmocka_unit_test(read_tail),
	    cmocka_unit_test(schedstat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
