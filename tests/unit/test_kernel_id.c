/* Kernel ids (parse order, version grammar and order, validate, env form) and labels. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kernel_id.h"
#include "kernel_label.h"

static void test_parse_order(void **state)
{
	static const struct {
		const char *in;
		enum ktstr_kid_kind kind;
		const char *a, *b;
	} cases[] = {
	    {"git+https://github.com/tj/sched_ext#for-next", KTSTR_KID_GIT,
	     "https://github.com/tj/sched_ext", "for-next"},
	    {"git+https://h/a#b#c", KTSTR_KID_GIT, "https://h/a#b", "c"}, /* rsplit at '#' */
	    {"git+https://h/a#", KTSTR_KID_PATH, NULL, NULL},		  /* empty ref: not git */
	    {"git+#main", KTSTR_KID_CACHE_KEY, NULL, NULL},		  /* empty URL */
	    {"6.12..6.14", KTSTR_KID_RANGE, "6.12", "6.14"},
	    {"6.10-rc1..6.10", KTSTR_KID_RANGE, "6.10-rc1", "6.10"},
	    {"7.2..6.1", KTSTR_KID_RANGE, "7.2", "6.1"}, /* parses; validate refuses */
	    {"../linux", KTSTR_KID_PATH, NULL, NULL},	 /* "" before ".." */
	    {"6..7", KTSTR_KID_CACHE_KEY, NULL, NULL},	 /* "6" is not a version */
	    {"/srv/linux", KTSTR_KID_PATH, NULL, NULL},
	    {"./linux", KTSTR_KID_PATH, NULL, NULL},
	    {".hidden", KTSTR_KID_PATH, NULL, NULL},
	    {"~/linux", KTSTR_KID_PATH, NULL, NULL},
	    {"linux/tree", KTSTR_KID_PATH, NULL, NULL},
	    {"6.14", KTSTR_KID_VERSION, NULL, NULL},
	    {"7.2", KTSTR_KID_VERSION, NULL, NULL},
	    {"6.14.2", KTSTR_KID_VERSION, NULL, NULL},
	    {"6.15-rc3", KTSTR_KID_VERSION, NULL, NULL},
	    {"6", KTSTR_KID_CACHE_KEY, NULL, NULL},
	    {"v6.14", KTSTR_KID_CACHE_KEY, NULL, NULL},
	    {"6.14.2.1", KTSTR_KID_CACHE_KEY, NULL, NULL},
	    {"6.14-rc", KTSTR_KID_CACHE_KEY, NULL, NULL},
	    {"6.14-rcx", KTSTR_KID_CACHE_KEY, NULL, NULL},
	    {"6.10,6.12", KTSTR_KID_CACHE_KEY, NULL, NULL}, /* no comma lists */
	    {"6.14.2-tarball-x86_64-kc1a2b3c4d", KTSTR_KID_CACHE_KEY, NULL, NULL},
	    {"7.2.13+deb14-cloud-amd64-debian-x86_64", KTSTR_KID_CACHE_KEY, NULL, NULL},
	    {"99999999999999999999.1", KTSTR_KID_CACHE_KEY, NULL, NULL}, /* overflows u64 */
	};
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ktstr_kernel_id id;

		assert_int_equal(ktstr_kernel_id__parse(cases[i].in, &id, err, sizeof(err)), 0);
		if (id.kind != cases[i].kind) {
			fail_msg("%s: kind %s, want %s", cases[i].in, ktstr_kid_kind__name(id.kind),
				 ktstr_kid_kind__name(cases[i].kind));
		}
		assert_string_equal(id.text, cases[i].in);
		if (cases[i].a != NULL) {
			assert_string_equal(id.a, cases[i].a);
			assert_string_equal(id.b, cases[i].b);
		} else {
			assert_null(id.a);
		}
		ktstr_kernel_id__release(&id);
	}
	struct ktstr_kernel_id id;
	assert_int_equal(ktstr_kernel_id__parse("", &id, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "empty kernel id"));
}

static int vcmp(const char *x, const char *y)
{
	struct ktstr_kver a, b;

	assert_true(ktstr_kver__parse(x, &a));
	assert_true(ktstr_kver__parse(y, &b));
	return ktstr_kver__cmp(&a, &b);
}

static void test_version_order(void **state)
{
	struct ktstr_kver v;

	(void)state;
	assert_true(vcmp("6.10", "6.10-rc3") > 0); /* no rc sorts after every rc */
	assert_true(vcmp("6.10-rc3", "6.10-rc10") < 0);
	assert_true(vcmp("6.10", "6.10.0") == 0); /* missing patch is 0 */
	assert_true(vcmp("6.9", "6.10") < 0);	  /* numeric, not lexical */
	assert_true(vcmp("7.2.13", "7.2.2") > 0);
	assert_true(vcmp("6.14.2", "6.15-rc1") < 0);
	assert_true(ktstr_kver__parse("6.15-rc3", &v));
	assert_int_equal(v.maj, 6);
	assert_int_equal(v.min, 15);
	assert_int_equal(v.patch, 0);
	assert_int_equal(v.rc, 3);
	assert_true(ktstr_kver__parse("6.14", &v));
	assert_int_equal(v.rc, UINT64_MAX);
	/* the prefix form reads what a distribution version starts with */
	assert_true(ktstr_kver__parse_prefix("7.2.13+deb14-cloud-amd64", &v));
	assert_int_equal(v.maj, 7);
	assert_int_equal(v.min, 2);
	assert_int_equal(v.patch, 13);
	assert_false(ktstr_kver__parse_prefix("linux-7.2", &v));
}

static void test_validate_inverted_range(void **state)
{
	struct ktstr_kernel_id id;
	char err[512];

	(void)state;
	assert_int_equal(ktstr_kernel_id__parse("7.2..6.1", &id, err, sizeof(err)), 0);
	assert_int_equal(ktstr_kernel_id__validate(&id, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "inverted kernel range `7.2..6.1`: start version is greater than "
				 "end version. Swap the endpoints (`6.1..7.2`) or omit the range "
				 "to pass a single version.");
	ktstr_kernel_id__release(&id);
	/* equal ends and rc-before-release are fine */
	assert_int_equal(ktstr_kernel_id__parse("6.10-rc1..6.10", &id, err, sizeof(err)), 0);
	assert_int_equal(ktstr_kernel_id__validate(&id, err, sizeof(err)), 0);
	ktstr_kernel_id__release(&id);
	assert_int_equal(ktstr_kernel_id__parse("6.10..6.10-rc1", &id, err, sizeof(err)), 0);
	assert_int_equal(ktstr_kernel_id__validate(&id, err, sizeof(err)), -EINVAL);
	ktstr_kernel_id__release(&id);
}

static void test_env_form(void **state)
{
	struct ktstr_kernel_id id;
	char err[512];

	(void)state;
	assert_int_equal(ktstr_kernel_id__from_env(NULL, &id, err, sizeof(err)), 0);
	assert_int_equal(ktstr_kernel_id__from_env("", &id, err, sizeof(err)), 0);
	assert_int_equal(ktstr_kernel_id__from_env(" \t ", &id, err, sizeof(err)), 0);
	assert_int_equal(ktstr_kernel_id__from_env("  7.2 \n", &id, err, sizeof(err)), 1);
	assert_int_equal(id.kind, KTSTR_KID_VERSION);
	assert_string_equal(id.text, "7.2");
	ktstr_kernel_id__release(&id);
	assert_int_equal(ktstr_kernel_id__from_env("  ../linux  ", &id, err, sizeof(err)), 1);
	assert_int_equal(id.kind, KTSTR_KID_PATH);
	assert_string_equal(id.text, "../linux");
	ktstr_kernel_id__release(&id);
	assert_int_equal(
	    ktstr_kernel_id__from_env("local-abc1234-x86_64-kc1", &id, err, sizeof(err)), 1);
	assert_int_equal(id.kind, KTSTR_KID_CACHE_KEY);
	ktstr_kernel_id__release(&id);

	assert_int_equal(ktstr_kernel_id__from_env("6.12..6.14", &id, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "KTSTR_KERNEL=6.12..6.14: multi-kernel specs (ranges, git "
				    "sources) are not supported in env-var form"));
	assert_int_equal(ktstr_kernel_id__from_env("git+https://h/o/r#main", &id, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "not supported in env-var form"));
	/* an inverted range names the inversion, not the generic refusal */
	assert_int_equal(ktstr_kernel_id__from_env("6.16..6.12", &id, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "KTSTR_KERNEL=6.16..6.12: inverted kernel range"));
	assert_non_null(strstr(err, "6.12..6.16"));
	assert_null(strstr(err, "not supported in env-var form"));
}

static void raw_label(const char *in, const char *canon, const char *want)
{
	struct ktstr_kernel_id id;
	char err[64], out[256];

	assert_int_equal(ktstr_kernel_id__parse(in, &id, err, sizeof(err)), 0);
	ktstr_kernel_label__raw(&id, canon, out, sizeof(out));
	if (strcmp(out, want) != 0) {
		fail_msg("label of %s: \"%s\", want \"%s\"", in, out, want);
	}
	ktstr_kernel_id__release(&id);
}

static void test_raw_labels(void **state)
{
	(void)state;
	raw_label("6.14.2", NULL, "6.14.2");
	raw_label("7.2", NULL, "7.2");
	raw_label("6.14.2-tarball-x86_64-kc1a2b3c4d", NULL, "6.14.2");
	raw_label("main-git-abc1234-x86_64-kc1a2b3c4d", NULL, "main");
	raw_label("local-abc1234def-x86_64-kc1a2b3c4d", NULL, "local_abc123");
	raw_label("local-unknown-1234abcd-x86_64-kc1", NULL, "local_unknown");
	raw_label("local--x86_64", NULL, "local");
	raw_label("7.2.13+deb14-cloud-amd64-debian-x86_64", NULL, "7.2.13+deb14-cloud-amd64");
	raw_label("my-own-kernel", NULL, "my-own-kernel");
	raw_label("git+https://github.com/tj/sched_ext#for-next", NULL,
		  "git_tj_sched_ext_for-next");
	raw_label("git+https://gitlab.com/foo/bar.git#v6.14", NULL, "git_foo_bar_v6.14");
	raw_label("git+https://host/linux.git/#main", NULL, "git_linux_main");
	raw_label("git+https://host#main", NULL, "git_host_main");
	raw_label("/home/u/linux", "/home/u/linux", "path_linux_2a63a6");
	raw_label("../linux-6.14", "/srv/k/linux-6.14", "path_linux-6.14_cd8ced");
	raw_label("/home/u/linux/", NULL, "path_linux_1efe6a");
}

static void sanitized(const char *raw, const char *want)
{
	char out[128];

	ktstr_kernel_label__sanitize(raw, out, sizeof(out));
	if (strcmp(out, want) != 0) {
		fail_msg("sanitize(\"%s\") = \"%s\", want \"%s\"", raw, out, want);
	}
}

static void test_sanitize(void **state)
{
	char small[10];

	(void)state;
	sanitized("6.14.2", "kernel_6_14_2");
	sanitized("6.15-rc3", "kernel_6_15_rc3");
	sanitized("git_tj_sched_ext_for-next", "kernel_git_tj_sched_ext_for_next");
	sanitized("path_linux_a3f2b1", "kernel_path_linux_a3f2b1");
	sanitized("6.14.2-tarball-x86_64-kcabc1234", "kernel_6_14_2_tarball_x86_64_kcabc1234");
	sanitized("7.2.13+deb14-cloud-amd64", "kernel_7_2_13_deb14_cloud_amd64");
	sanitized("..My--Kernel..", "kernel_my_kernel"); /* runs collapse, none after prefix */
	sanitized("for-next-", "kernel_for_next");	 /* trailing '_' trimmed */
	sanitized("", "kernel_");
	sanitized("---", "kernel_");
	sanitized("caf\xc3\xa9-1", "kernel_caf_1"); /* non-ASCII is "other" */
	ktstr_kernel_label__sanitize("6.14.2", small, sizeof(small));
	assert_string_equal(small, "kernel_6");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_order),
	    cmocka_unit_test(test_version_order),
	    cmocka_unit_test(test_validate_inverted_range),
	    cmocka_unit_test(test_env_form),
	    cmocka_unit_test(test_raw_labels),
	    cmocka_unit_test(test_sanitize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
