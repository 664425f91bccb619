/* KTSTR_KERNEL_LIST: consumer parsing, producer checks, dedupe, label collisions, round trip. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kernel_list_env.h"

static void test_parse(void **state)
{
	struct ktstr_klist l;

	(void)state;
	assert_int_equal(ktstr_klist__parse(NULL, &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(ktstr_klist__parse("", &l), 0);
	assert_int_equal(l.n, 0);
	/* trim, skip empties and entries with an empty side, split at the first '=' */
	assert_int_equal(
	    ktstr_klist__parse(" 6.14.2 = /c/a ;;  ; =/x; y= ;novalue; 7.2=/c/b=c:d;", &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0].label, "6.14.2");
	assert_string_equal(l.v[0].dir, "/c/a");
	assert_string_equal(l.v[1].label, "7.2");
	assert_string_equal(l.v[1].dir, "/c/b=c:d");
	ktstr_klist__release(&l);
}

static void test_encode_checks(void **state)
{
	struct ktstr_klist l = {0};
	char err[512], *s;

	(void)state;
	assert_int_equal(ktstr_klist__encode(&l, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "");
	free(s);
	assert_int_equal(ktstr_klist__add(&l, "a;b", "/x"), 0);
	assert_int_equal(ktstr_klist__encode(&l, &s, err, sizeof(err)), -EINVAL);
	assert_null(s);
	assert_non_null(strstr(err, "kernel label \"a;b\" contains a `;`"));
	ktstr_klist__release(&l);
	assert_int_equal(ktstr_klist__add(&l, "a=b", "/x"), 0);
	assert_int_equal(ktstr_klist__encode(&l, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "kernel label \"a=b\" contains a `=`"));
	ktstr_klist__release(&l);
	assert_int_equal(ktstr_klist__add(&l, "6.14", "/x;y"), 0);
	assert_int_equal(ktstr_klist__encode(&l, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(
	    strstr(err, "kernel directory path for \"6.14\" contains a `;` (\"/x;y\")"));
	ktstr_klist__release(&l);
	/* '=' in a directory is fine: the consumer splits at the first '=' */
	assert_int_equal(ktstr_klist__add(&l, "6.14", "/x=y"), 0);
	assert_int_equal(ktstr_klist__encode(&l, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "6.14=/x=y");
	free(s);
	ktstr_klist__release(&l);
}

static void test_dedupe_and_collisions(void **state)
{
	struct ktstr_klist l = {0};
	char err[512];

	(void)state;
	assert_int_equal(ktstr_klist__add(&l, "7.2", "/c/a"), 0);
	assert_int_equal(ktstr_klist__add(&l, "6.12", "/c/b"), 0);
	assert_int_equal(ktstr_klist__add(&l, "7.2", "/c/a"), 0); /* exact repeat: dropped */
	assert_int_equal(ktstr_klist__dedupe(&l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[1].label, "6.12");
	/* same label, other directory: collides */
	assert_int_equal(ktstr_klist__add(&l, "7.2", "/c/z"), 0);
	assert_int_equal(ktstr_klist__dedupe(&l, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "kernel_7_2"));
	ktstr_klist__release(&l);
	/* different labels that sanitize alike collide too */
	assert_int_equal(ktstr_klist__add(&l, "git_foo_bar_v6.14", "/c/a"), 0);
	assert_int_equal(ktstr_klist__add(&l, "git_foo_bar_v6-14", "/c/b"), 0);
	assert_int_equal(ktstr_klist__dedupe(&l, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "git_foo_bar_v6.14 (/c/a) and git_foo_bar_v6-14 (/c/b)"));
	assert_non_null(strstr(err, "kernel_git_foo_bar_v6_14"));
	ktstr_klist__release(&l);
}

static void test_round_trip(void **state)
{
	struct ktstr_klist l = {0}, back;
	char err[256], *s;

	(void)state;
	assert_int_equal(ktstr_klist__add(&l, "7.2", "/home/u/.cache/ktstr/kernels/7.2.13-x"), 0);
	assert_int_equal(ktstr_klist__add(&l, "path_linux_2a63a6", "/home/u/linux"), 0);
	assert_int_equal(ktstr_klist__add(&l, "local_unknown", "/a b/c:d"), 0);
	assert_int_equal(ktstr_klist__encode(&l, &s, err, sizeof(err)), 0);
	assert_string_equal(s, "7.2=/home/u/.cache/ktstr/kernels/7.2.13-x;"
			       "path_linux_2a63a6=/home/u/linux;local_unknown=/a b/c:d");
	assert_int_equal(ktstr_klist__parse(s, &back), 0);
	assert_int_equal(back.n, l.n);
	for (size_t i = 0; i < l.n; i++) {
		assert_string_equal(back.v[i].label, l.v[i].label);
		assert_string_equal(back.v[i].dir, l.v[i].dir);
	}
	free(s);
	ktstr_klist__release(&back);
	ktstr_klist__release(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_encode_checks),
	    cmocka_unit_test(test_dedupe_and_collisions),
	    cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
