/* kernel-source/build, pure parts: crc32, keys, .config decisions, the shipped fragment. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "build_conf.h"

static void test_crc32(void **state)
{
	/* zlib's crc32 check value and the empty input */
	assert_int_equal(ktstr_build__crc32(0, "123456789", 9), 0xcbf43926u);
	assert_int_equal(ktstr_build__crc32(0, "", 0), 0);
	/* continuing a crc is the same as one pass */
	assert_int_equal(ktstr_build__crc32(ktstr_build__crc32(0, "1234", 4), "56789", 5),
			 0xcbf43926u);
}

static void test_key(void **state)
{
	char key[64];

	assert_int_equal(ktstr_build__key(key, sizeof(key), "abc1234", false, 0, 0x1a2b3c4d), 0);
	assert_string_equal(key, "local-abc1234-x86_64-kc1a2b3c4d");
	assert_int_equal(ktstr_build__key(key, sizeof(key), "abc1234", true, 0xff, 0x1a2b3c4d), 0);
	assert_string_equal(key, "local-abc1234-x86_64-cfg000000ff-kc1a2b3c4d");
	assert_int_equal(ktstr_build__key(key, 20, "abc1234", false, 0, 1), -ENAMETOOLONG);
}

static const char config[] = "#\n# Automatically generated\n#\nCONFIG_BPF=y\n"
			     "  CONFIG_SMP=y  \n# CONFIG_SOUND is not set\nCONFIG_HZ=250";

static void test_lines(void **state)
{
	size_t n = strlen(config);

	assert_true(ktstr_build__has_line(config, n, "CONFIG_BPF=y"));
	assert_true(ktstr_build__has_line(config, n, "CONFIG_HZ=250")); /* last, no newline */
	/* exact lines only: no prefixes, no trimming */
	assert_false(ktstr_build__has_line(config, n, "CONFIG_BP"));
	assert_false(ktstr_build__has_line(config, n, "CONFIG_SMP=y"));
	assert_false(ktstr_build__has_line(config, n, "CONFIG_BPF=m"));
	assert_false(ktstr_build__has_line("", 0, "CONFIG_BPF=y"));
}

static void present(const char *frag, bool want)
{
	if (ktstr_build__fragment_present(config, strlen(config), frag, strlen(frag)) != want) {
		fail_msg("fragment \"%s\": want %s", frag, want ? "present" : "absent");
	}
}

static void test_fragment(void **state)
{
	/* blank lines are ignored, lines compare trimmed on both sides */
	present("CONFIG_BPF=y\n\n   \nCONFIG_SMP=y\n", true);
	present("\tCONFIG_BPF=y\r\n# CONFIG_SOUND is not set", true);
	present("", true);
	/* one line missing or different is enough to configure */
	present("CONFIG_BPF=y\nCONFIG_NUMA=y\n", false);
	present("CONFIG_HZ=1000\n", false);
	/* a comment line that olddefconfig would drop: never present (upstream) */
	present("# ktstr fragment\nCONFIG_BPF=y\n", false);
}

static void test_missing(void **state)
{
	static const char all[] = "CONFIG_SCHED_CLASS_EXT=y\nCONFIG_DEBUG_INFO_BTF=y\n"
				  "CONFIG_BPF_SYSCALL=y\nCONFIG_FTRACE=y\nCONFIG_KPROBE_EVENTS=y\n"
				  "CONFIG_BPF_EVENTS=y\n";
	static const char some[] = "CONFIG_SCHED_CLASS_EXT=y\nCONFIG_DEBUG_INFO_BTF=m\n"
				   "CONFIG_BPF_SYSCALL=y\nCONFIG_FTRACE=y\n"
				   "# CONFIG_KPROBE_EVENTS is not set\n";
	char out[256];

	assert_int_equal(ktstr_build__missing(all, strlen(all), out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(ktstr_build__missing(some, strlen(some), out, sizeof(out)), 3);
	assert_string_equal(out, "DEBUG_INFO_BTF, KPROBE_EVENTS, BPF_EVENTS");
	assert_int_equal(ktstr_build__missing("", 0, out, sizeof(out)), 6);
	assert_string_equal(out, "SCHED_CLASS_EXT, DEBUG_INFO_BTF, BPF_SYSCALL, FTRACE, "
				 "KPROBE_EVENTS, BPF_EVENTS");
	/* a short buffer truncates the list, not the count */
	assert_int_equal(ktstr_build__missing("", 0, out, 20), 6);
	assert_true(strlen(out) < 20);
}

static void test_source_json(void **state)
{
	char out[128];

	assert_int_equal(ktstr_build__source_json(out, sizeof(out), "/src/linux", "abc1234"), 0);
	assert_string_equal(out, "{\"type\":\"local\",\"source_tree_path\":\"/src/linux\","
				 "\"git_hash\":\"abc1234\"}");
	assert_int_equal(ktstr_build__source_json(out, sizeof(out), "/a\"b\\c\nd", "abc1234"), 0);
	assert_string_equal(out,
			    "{\"type\":\"local\",\"source_tree_path\":\"/a\\\"b\\\\c\\u000ad\","
			    "\"git_hash\":\"abc1234\"}");
	assert_int_equal(ktstr_build__source_json(out, 40, "/src/linux", "abc1234"), -ENAMETOOLONG);
	assert_int_equal(ktstr_build__source_json(out, 60, "/src/linux", "abc1234"), -ENAMETOOLONG);
}

/* The shipped configs/ktstr.kconfig: well-formed, and it asks for every required option. */
static void test_shipped_fragment(void **state)
{
	const char *src = getenv("KTSTR_SOURCE_DIR");
	char path[4096], line[256], missing[256];
	char *text = NULL;
	size_t len = 0;
	FILE *f, *mem;
	unsigned lineno = 0;

	assert_non_null(src);
	snprintf(path, sizeof(path), "%s/configs/ktstr.kconfig", src);
	f = fopen(path, "r");
	assert_non_null(f);
	mem = open_memstream(&text, &len);
	while (fgets(line, sizeof(line), f) != NULL) {
		char name[128];
		int end = 0;

		lineno++;
		fputs(line, mem);
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' ||
		    (sscanf(line, "CONFIG_%127[A-Z0-9_]=y%n", name, &end) == 1 &&
		     line[end] == '\0') ||
		    (sscanf(line, "# CONFIG_%127[A-Z0-9_] is not set%n", name, &end) == 1 &&
		     line[end] == '\0') ||
		    (line[0] == '#' && strstr(line, "CONFIG_") == NULL)) {
			continue;
		}
		fail_msg("%s:%u: \"%s\" is not CONFIG_X=y, \"# CONFIG_X is not set\", a comment "
			 "or blank",
			 path, lineno, line);
	}
	fclose(f);
	fclose(mem);
	assert_int_equal(ktstr_build__missing(text, len, missing, sizeof(missing)), 0);
	/* what the guest needs beyond upstream's list */
	assert_true(ktstr_build__has_line(text, len, "CONFIG_PVH=y"));
	assert_true(ktstr_build__has_line(text, len, "CONFIG_RD_LZ4=y"));
	assert_true(ktstr_build__has_line(text, len, "CONFIG_CPUSETS=y"));
	assert_true(ktstr_build__has_line(text, len, "CONFIG_SERIAL_8250_CONSOLE=y"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crc32),
	    cmocka_unit_test(test_key),
	    cmocka_unit_test(test_lines),
	    cmocka_unit_test(test_fragment),
	    cmocka_unit_test(test_missing),
	    cmocka_unit_test(test_source_json),
	    cmocka_unit_test(test_shipped_fragment),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
