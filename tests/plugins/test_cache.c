/* kernel-source/cache: ids, metadata.json, cache root, entry selection, plugin glue. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <ktstr/kernel_source.h>

#include "cache_id.h"
#include "cache_lookup.h"
#include "cache_meta.h"
#include "cache_root.h"
#include "mock_host.h"

static char root[PATH_MAX];

static const char *meta_json(const char *version, const char *built_at, const char *image)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf),
		 "{\n  \"version\": %s%s%s,\n  \"source\": {\"type\": \"tarball\"},\n"
		 "  \"arch\": \"x86_64\",\n  \"image_name\": \"%s\",\n  \"config_hash\": null,\n"
		 "  \"built_at\": \"%s\",\n  \"ktstr_kconfig_hash\": null,\n"
		 "  \"has_vmlinux\": false,\n  \"vmlinux_stripped\": false\n}\n",
		 version ? "\"" : "", version ? version : "null", version ? "\"" : "", image,
		 built_at);
	return buf;
}

static void put(const char *rel, const char *text)
{
	char path[PATH_MAX], cmd[PATH_MAX + 32];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A valid entry: metadata + image, optionally vmlinux and config. */
static void entry(const char *key, const char *version, const char *built_at, const char *image,
		  bool extras)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "%s/metadata.json", key);
	put(rel, meta_json(version, built_at, image));
	snprintf(rel, sizeof(rel), "%s/%s", key, image);
	put(rel, "image");
	if (extras) {
		snprintf(rel, sizeof(rel), "%s/vmlinux", key);
		put(rel, "elf");
		snprintf(rel, sizeof(rel), "%s/config", key);
		put(rel, "CONFIG_SCHED_CLASS_EXT=y\n");
	}
}

static int setup(void **state)
{
	char tmpl[] = "/tmp/ktstr-cache-XXXXXX";

	if (mkdtemp(tmpl) == NULL) {
		return -1;
	}
	snprintf(root, sizeof(root), "%s", tmpl);
	entry("6.14.2-tarball-x86_64-kc1a2b3c4d", "6.14.2", "2026-01-01T00:00:00Z", "bzImage",
	      true);
	entry("7.2.13+deb14-cloud-amd64-debian-x86_64", "7.2.13+deb14-cloud-amd64",
	      "2026-11-28T14:39:21Z", "vmlinuz", false);
	entry("7.2.9-tarball-x86_64-kc1", "7.2.9", "2026-06-01T00:00:00Z", "bzImage", false);
	entry("7.20.1-tarball-x86_64-kc1", "7.20.1", "2026-07-01T00:00:00Z", "bzImage", false);
	entry("local-abc1234-x86_64-kc1", NULL, "2026-12-01T00:00:00Z", "bzImage", false);
	/* unusable entries, some newer than every valid one */
	put("broken-json/metadata.json", "{\"version\": ");
	put("broken-json/bzImage", "x");
	put("no-image/metadata.json", meta_json("7.2.99", "2099-01-01T00:00:00Z", "bzImage"));
	put("drift/metadata.json", "{\"version\":\"7.2.50\",\"source\":{\"type\":\"git\"},"
				   "\"arch\":\"x86_64\",\"image_name\":\"bzImage\","
				   "\"built_at\":\"2099-01-01T00:00:00Z\",\"has_vmlinux\":\"yes\","
				   "\"vmlinux_stripped\":false}");
	put("drift/bzImage", "x");
	put("no-meta/bzImage", "x");
	/* never looked at: stores in progress, lock files, stray files */
	entry(".tmp-7.2.77-tarball-1234", "7.2.77", "2099-01-01T00:00:00Z", "bzImage", false);
	put(".locks/7.2.9-tarball-x86_64-kc1.lock", "");
	put("stray-file", "x");
	return 0;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd);
}

static void test_key_valid(void **state)
{
	assert_true(ktstr_cache_key__valid("6.14.2-tarball-x86_64-kc1a2b3c4d"));
	assert_true(ktstr_cache_key__valid("local-unknown-1234-x86_64-kc1"));
	assert_true(ktstr_cache_key__valid("7.2"));
	assert_true(ktstr_cache_key__valid("a b"));
	assert_false(ktstr_cache_key__valid(""));
	assert_false(ktstr_cache_key__valid("   "));
	assert_false(ktstr_cache_key__valid("."));
	assert_false(ktstr_cache_key__valid(".."));
	assert_false(ktstr_cache_key__valid("a..b"));
	assert_false(ktstr_cache_key__valid("a/b"));
	assert_false(ktstr_cache_key__valid("a\\b"));
	assert_false(ktstr_cache_key__valid(".tmp-x-1"));
	assert_false(ktstr_cache_key__valid("tab\there"));
}

static void test_version_valid(void **state)
{
	static const char *const ok[] = {"7.2", "7.2.13", "7.2-rc3", "6.10.1-rc12", "10.0"};
	static const char *const bad[] = {"",	   "7",	       "v7.2",	 "7.",	    ".2",
					  "7.2.",  "7.2.13.4", "7.2-rc", "7.2-rcx", "7.2-rc3-rc4",
					  "7.2-1", "7.2+",     "7..2",	 "latest",  "7.2a"};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (!ktstr_cache_version__valid(ok[i])) {
			fail_msg("%s should be a version", ok[i]);
		}
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ktstr_cache_version__valid(bad[i])) {
			fail_msg("%s should not be a version", bad[i]);
		}
	}
}

static void test_version_matches(void **state)
{
	assert_true(ktstr_cache_version__matches("7.2", "7.2"));
	assert_true(ktstr_cache_version__matches("7.2", "7.2.13+deb14-cloud-amd64"));
	assert_true(ktstr_cache_version__matches("7.2.13", "7.2.13+deb14-cloud-amd64"));
	assert_true(ktstr_cache_version__matches("7.2", "7.2-rc3"));
	assert_true(ktstr_cache_version__matches("7.2-rc3", "7.2-rc3"));
	assert_false(ktstr_cache_version__matches("7.2", "7.20.1"));
	assert_false(ktstr_cache_version__matches("7.2.1", "7.2.13"));
	assert_false(ktstr_cache_version__matches("7.2", "7.1.2"));
	assert_false(ktstr_cache_version__matches("7.2", ""));
	assert_false(ktstr_cache_version__matches("7.2", "7"));
}

static int parse(const char *text, struct ktstr_cache_meta *m, char *why)
{
	return ktstr_cache_meta__parse(text, strlen(text), m, why, 256);
}

static void test_meta_parse_valid(void **state)
{
	struct ktstr_cache_meta m;
	char why[256] = "";

	assert_int_equal(parse(meta_json("6.14.2", "2026-01-01T00:00:00Z", "bzImage"), &m, why), 0);
	assert_string_equal(m.version, "6.14.2");
	assert_string_equal(m.source_type, "tarball");
	assert_string_equal(m.arch, "x86_64");
	assert_string_equal(m.image_name, "bzImage");
	assert_string_equal(m.built_at, "2026-01-01T00:00:00Z");
	assert_string_equal(m.config_hash, "");
	assert_false(m.has_vmlinux);
	/* optional fields absent, unknown fields and source kinds accepted */
	assert_int_equal(parse("{\"source\":{\"type\":\"debian\",\"package\":\"p\"},\"arch\":\"x\","
			       "\"image_name\":\"vmlinuz\",\"built_at\":\"t\",\"has_vmlinux\":true,"
			       "\"vmlinux_stripped\":true,\"config_hash\":\"abcd\",\"new\":[1]}",
			       &m, why),
			 0);
	assert_string_equal(m.version, "");
	assert_string_equal(m.source_type, "debian");
	assert_string_equal(m.config_hash, "abcd");
	assert_true(m.has_vmlinux);
	assert_true(m.vmlinux_stripped);
}

static void expect_bad(const char *text, const char *needle)
{
	struct ktstr_cache_meta m;
	char why[256] = "";

	assert_int_equal(parse(text, &m, why), -EINVAL);
	if (strstr(why, needle) == NULL) {
		fail_msg("reason \"%s\" lacks \"%s\"", why, needle);
	}
}

#define BASE_OK "\"arch\":\"x\",\"image_name\":\"i\",\"built_at\":\"t\","
#define BOOLS_OK "\"has_vmlinux\":false,\"vmlinux_stripped\":false"
#define SRC_OK "\"source\":{\"type\":\"git\"},"

static void test_meta_parse_errors(void **state)
{
	expect_bad("{\"version\": ", "metadata.json parse error: ");
	expect_bad("{\n\"a\": 1,,\n}", "(line 2, column");
	expect_bad("[1, 2]", "not a JSON object");
	expect_bad("{" BASE_OK BOOLS_OK "}", "field source is missing");
	expect_bad("{\"source\":\"tarball\"," BASE_OK BOOLS_OK "}",
		   "field source is not an object");
	expect_bad("{\"source\":{}," BASE_OK BOOLS_OK "}", "field type is missing");
	expect_bad("{" SRC_OK "\"image_name\":\"i\",\"built_at\":\"t\"," BOOLS_OK "}",
		   "field arch is missing");
	expect_bad("{" SRC_OK "\"arch\":\"x\",\"built_at\":\"t\"," BOOLS_OK "}",
		   "field image_name is missing");
	expect_bad("{" SRC_OK "\"arch\":\"x\",\"image_name\":\"i\"," BOOLS_OK "}",
		   "field built_at is missing");
	expect_bad("{" SRC_OK BASE_OK "\"vmlinux_stripped\":false}",
		   "field has_vmlinux is missing");
	expect_bad("{" SRC_OK BASE_OK "\"has_vmlinux\":false}",
		   "field vmlinux_stripped is missing");
	expect_bad("{" SRC_OK BASE_OK "\"has_vmlinux\":1,\"vmlinux_stripped\":false}",
		   "field has_vmlinux is not a boolean");
	expect_bad("{" SRC_OK "\"arch\":7,\"image_name\":\"i\",\"built_at\":\"t\"," BOOLS_OK "}",
		   "field arch is not a string");
	expect_bad("{" SRC_OK BASE_OK BOOLS_OK ",\"version\":6.1}",
		   "field version is not a string");
	expect_bad("{" SRC_OK BASE_OK BOOLS_OK ",\"arch\":\"y\"}", "duplicate");
	expect_bad("{" SRC_OK
		   "\"arch\":\"x\",\"image_name\":\"../../etc/passwd\",\"built_at\":\"t\"," BOOLS_OK
		   "}",
		   "image_name \"../../etc/passwd\" is not a file name");
	expect_bad("{" SRC_OK "\"arch\":\"x\",\"image_name\":\"..\",\"built_at\":\"t\"," BOOLS_OK
		   "}",
		   "is not a file name");
	expect_bad("{" SRC_OK "\"arch\":\"x\",\"image_name\":\"\",\"built_at\":\"t\"," BOOLS_OK "}",
		   "is not a file name");
	expect_bad("{" SRC_OK "\"arch\":\"x\",\"image_name\":\"i\",\"built_at\":\"\"," BOOLS_OK "}",
		   "built_at is empty");
	expect_bad("{" SRC_OK
		   "\"arch\":\"a\\u0000b\",\"image_name\":\"i\",\"built_at\":\"t\"," BOOLS_OK "}",
		   "\\u0000 is not allowed");
	expect_bad("{" SRC_OK
		   "\"arch\":\"0123456789012345678901234567890123\",\"image_name\":\"i\","
		   "\"built_at\":\"t\"," BOOLS_OK "}",
		   "field arch is longer than 31 bytes");
}

static void test_meta_load(void **state)
{
	struct ktstr_cache_meta m;
	char why[256], path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/none/metadata.json", root);
	assert_int_equal(ktstr_cache_meta__load(path, &m, why, sizeof(why)), -ENOENT);
	assert_string_equal(why, "metadata.json missing: No such file or directory");
	snprintf(path, sizeof(path), "%s/huge.json", root);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fseek(f, 2 * 1024 * 1024, SEEK_SET), 0);
	fputc(' ', f);
	fclose(f);
	assert_int_equal(ktstr_cache_meta__load(path, &m, why, sizeof(why)), -EFBIG);
	unlink(path);
	snprintf(path, sizeof(path), "%s/6.14.2-tarball-x86_64-kc1a2b3c4d/metadata.json", root);
	assert_int_equal(ktstr_cache_meta__load(path, &m, why, sizeof(why)), 0);
	assert_string_equal(m.version, "6.14.2");
}

static void root_expect(const char *c, const char *x, const char *h, int rc, const char *want)
{
	char out[64], err[256] = "";

	assert_int_equal(ktstr_cache_root__find(c, x, h, out, sizeof(out), err, sizeof(err)), rc);
	assert_string_equal(rc == 0 ? out : err, want);
}

static void test_root(void **state)
{
	root_expect("/c", "/x", "/h", 0, "/c");
	root_expect("", "/x", "/h", 0, "/x/ktstr/kernels");
	root_expect(NULL, "", "/h", 0, "/h/.cache/ktstr/kernels");
	root_expect(NULL, NULL, NULL, -ENOENT,
		    "kernel cache: no location (KTSTR_CACHE_DIR and XDG_CACHE_HOME are unset and "
		    "HOME is unset); set KTSTR_CACHE_DIR");
	root_expect(NULL, NULL, "", -ENOENT,
		    "kernel cache: no location (KTSTR_CACHE_DIR and "
		    "XDG_CACHE_HOME are unset and HOME is empty); set KTSTR_CACHE_DIR");
	root_expect(NULL, NULL, "/", -ENOENT,
		    "kernel cache: no location (KTSTR_CACHE_DIR and "
		    "XDG_CACHE_HOME are unset and HOME is /); set KTSTR_CACHE_DIR");
	root_expect(NULL, NULL, "rel", -ENOENT,
		    "kernel cache: no location (KTSTR_CACHE_DIR and "
		    "XDG_CACHE_HOME are unset and HOME is not absolute); set KTSTR_CACHE_DIR");
	root_expect(NULL, NULL, "/a/very/long/home/directory/that/does/not/fit/in/sixty/four",
		    -ENAMETOOLONG, "kernel cache: the cache path is too long");
}

/* Records what the lookup skipped. */
struct skips {
	unsigned n;
	char keys[512];
};

static void on_skip(void *ctx, const char *key, const char *why)
{
	struct skips *s = ctx;

	s->n++;
	strcat(s->keys, key);
	strcat(s->keys, ";");
	assert_true(why[0] != '\0');
}

static struct ktstr_cache_entry ent;
static char err[PATH_MAX + 256];

static int lookup(const char *id, struct skips *s)
{
	return ktstr_cache__lookup(root, id, &ent, on_skip, s, err, sizeof(err));
}

static void test_lookup_latest(void **state)
{
	struct skips s = {0};
	char want[PATH_MAX];

	assert_int_equal(lookup("latest", &s), 0);
	assert_string_equal(ent.key, "local-abc1234-x86_64-kc1");
	assert_string_equal(ent.meta.version, "");
	snprintf(want, sizeof(want), "%s/local-abc1234-x86_64-kc1/bzImage", root);
	assert_string_equal(ent.image, want);
	/* every unusable entry was reported, nothing else */
	assert_int_equal(s.n, 4);
	assert_non_null(strstr(s.keys, "broken-json;"));
	assert_non_null(strstr(s.keys, "no-image;"));
	assert_non_null(strstr(s.keys, "drift;"));
	assert_non_null(strstr(s.keys, "no-meta;"));
	memset(&s, 0, sizeof(s));
	assert_int_equal(lookup("", &s), 0);
	assert_string_equal(ent.key, "local-abc1234-x86_64-kc1");
}

static void test_lookup_key(void **state)
{
	struct skips s = {0};
	char want[PATH_MAX];

	assert_int_equal(lookup("6.14.2-tarball-x86_64-kc1a2b3c4d", &s), 0);
	assert_int_equal(s.n, 0);
	assert_string_equal(ent.meta.version, "6.14.2");
	snprintf(want, sizeof(want), "%s/6.14.2-tarball-x86_64-kc1a2b3c4d/vmlinux", root);
	assert_string_equal(ent.vmlinux, want);
	snprintf(want, sizeof(want), "%s/6.14.2-tarball-x86_64-kc1a2b3c4d/config", root);
	assert_string_equal(ent.config, want);

	assert_int_equal(lookup("7.2.13+deb14-cloud-amd64-debian-x86_64", &s), 0);
	assert_string_equal(ent.vmlinux, "");
	assert_string_equal(ent.config, "");

	/* a key naming an unusable entry says why */
	assert_int_equal(lookup("no-image", &s), -ENOENT);
	assert_int_equal(s.n, 1);
	assert_non_null(strstr(err, "no usable entry no-image (image file bzImage missing from "
				    "entry directory)"));
	assert_int_equal(lookup("nosuchkey", &s), -ENOENT);
	assert_non_null(strstr(err, "no usable entry nosuchkey (no such entry directory)"));
	assert_int_equal(s.n, 1);
	/* never a store in progress */
	assert_int_equal(lookup(".tmp-7.2.77-tarball-1234", &s), -ENOENT);
	assert_string_equal(err, "");
}

static void test_lookup_version(void **state)
{
	struct skips s = {0};

	/* 7.2.13 is newer than 7.2.9; 7.20.1 does not match; 7.2.99/7.2.50 are unusable */
	assert_int_equal(lookup("7.2", &s), 0);
	assert_string_equal(ent.key, "7.2.13+deb14-cloud-amd64-debian-x86_64");
	assert_int_equal(lookup("7.2.9", &s), 0);
	assert_string_equal(ent.key, "7.2.9-tarball-x86_64-kc1");
	assert_int_equal(lookup("7.2.13", &s), 0);
	assert_string_equal(ent.meta.version, "7.2.13+deb14-cloud-amd64");
	assert_int_equal(lookup("6.14", &s), 0);
	assert_string_equal(ent.key, "6.14.2-tarball-x86_64-kc1a2b3c4d");
	assert_int_equal(lookup("7.20", &s), 0);
	assert_string_equal(ent.key, "7.20.1-tarball-x86_64-kc1");
	assert_int_equal(lookup("7.2-rc3", &s), -ENOENT);
	assert_non_null(strstr(err, ": no entry with version 7.2-rc3 (5 other, 4 unusable)"));
	assert_int_equal(lookup("7.2.50", &s), -ENOENT);
}

static void test_lookup_not_mine(void **state)
{
	struct skips s = {0};

	assert_int_equal(lookup("./linux", &s), -ENOENT);
	assert_string_equal(err, "");
	assert_int_equal(lookup("/boot/vmlinuz", &s), -ENOENT);
	assert_string_equal(err, "");
	assert_int_equal(s.n, 0);
}

static void test_lookup_tie_and_missing_root(void **state)
{
	char saved[PATH_MAX], want[PATH_MAX + 64];
	struct skips s = {0};
	char tmpl[] = "/tmp/ktstr-cache-tie-XXXXXX";

	snprintf(saved, sizeof(saved), "%s", root);
	assert_non_null(mkdtemp(tmpl));
	snprintf(root, sizeof(root), "%s", tmpl);
	assert_int_equal(lookup("latest", &s), -ENOENT);
	snprintf(want, sizeof(want), "kernel cache %s: no usable entry (0 unusable)", root);
	assert_string_equal(err, want);
	entry("b-key", "6.1.1", "2026-01-01T00:00:00Z", "bzImage", false);
	entry("a-key", "6.1.2", "2026-01-01T00:00:00Z", "bzImage", false);
	assert_int_equal(lookup("latest", &s), 0);
	assert_string_equal(ent.key, "a-key");
	assert_int_equal(lookup("6.1", &s), 0);
	assert_string_equal(ent.key, "a-key");
	teardown(NULL);

	snprintf(root, sizeof(root), "%s/missing", tmpl);
	assert_int_equal(lookup("latest", &s), -ENOENT);
	snprintf(want, sizeof(want), "kernel cache %s: No such file or directory", root);
	assert_string_equal(err, want);
	assert_int_equal(lookup("7.2", &s), -ENOENT);
	assert_string_equal(err, want);
	snprintf(root, sizeof(root), "%s", saved);
}

static void test_plugin_glue(void **state)
{
	const struct ktstr_plugin_desc *d = NULL;
	const struct ktstr_kernel_source_ops *ops;
	struct ktstr_kernel k = {0};
	struct ktstr_inst inst;
	char want[PATH_MAX];

	assert_int_equal(ktstr_mock__load(ktstr_plugin_entry_v1, &d), 0);
	assert_string_equal(d->name, "cache");
	assert_int_equal(d->kind, KTSTR_PLUGIN_KERNEL_SOURCE);
	ops = d->ops;
	ktstr_mock_inst__new(&inst, d);
	setenv("KTSTR_CACHE_DIR", root, 1);

	assert_int_equal(ops->resolve(&inst, "6.14", &k), 0);
	snprintf(want, sizeof(want), "%s/6.14.2-tarball-x86_64-kc1a2b3c4d/bzImage", root);
	assert_string_equal(k.fields[KTSTR_KERNEL_IMAGE], want);
	assert_non_null(k.fields[KTSTR_KERNEL_VMLINUX]);
	assert_non_null(k.fields[KTSTR_KERNEL_CONFIG]);
	assert_string_equal(k.fields[KTSTR_KERNEL_VERSION], "6.14.2");
	assert_string_equal(k.fields[KTSTR_KERNEL_CACHE_KEY], "6.14.2-tarball-x86_64-kc1a2b3c4d");
	assert_string_equal(k.fields[KTSTR_KERNEL_ORIGIN],
			    "cache entry 6.14.2-tarball-x86_64-kc1a2b3c4d");
	ktstr_mock_kernel__free(&k);

	/* no version recorded for an entry without one; skips go to the debug log */
	inst.nr_logs = 0;
	assert_int_equal(ops->resolve(&inst, "latest", &k), 0);
	assert_null(k.fields[KTSTR_KERNEL_VERSION]);
	assert_null(k.fields[KTSTR_KERNEL_VMLINUX]);
	assert_int_equal(inst.nr_logs, 4);
	assert_non_null(strstr(inst.last_log, " skipped: "));
	ktstr_mock_kernel__free(&k);

	assert_int_equal(ops->resolve(&inst, "../linux", &k), -ENOENT);
	assert_int_equal(inst.nr_errors, 0);
	assert_int_equal(ops->resolve(&inst, "9.9", &k), -ENOENT);
	assert_int_equal(inst.nr_errors, 1);
	assert_non_null(strstr(inst.last_error, "no entry with version 9.9"));

	setenv("KTSTR_CACHE_DIR", "", 1);
	setenv("XDG_CACHE_HOME", "", 1);
	setenv("HOME", "relative", 1);
	assert_int_equal(ops->resolve(&inst, "latest", &k), -ENOENT);
	assert_non_null(strstr(inst.last_error, "HOME is not absolute"));
	assert_null(k.fields[KTSTR_KERNEL_IMAGE]);
	ktstr_mock_inst__free(&inst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_valid),
	    cmocka_unit_test(test_version_valid),
	    cmocka_unit_test(test_version_matches),
	    cmocka_unit_test(test_meta_parse_valid),
	    cmocka_unit_test(test_meta_parse_errors),
	    cmocka_unit_test(test_meta_load),
	    cmocka_unit_test(test_root),
	    cmocka_unit_test(test_lookup_latest),
	    cmocka_unit_test(test_lookup_key),
	    cmocka_unit_test(test_lookup_version),
	    cmocka_unit_test(test_lookup_not_mine),
	    cmocka_unit_test(test_lookup_tie_and_missing_root),
	    cmocka_unit_test(test_plugin_glue),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
