/*
 * The kernel cache's pure rules: keys, versions, the root, metadata.json
 * (parse, every corrupt kind, write/read round trip), entries, listing
 * order, lookup (latest, key, highest version), clean selection, leftovers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kcache.h"
#include "test_kcache_util.h"

static int setup(void **state)
{
	(void)state;
	if (kc_mkroot("kcache") < 0) {
		return -1;
	}
	kc_entry("6.14.2-tarball-x86_64-kc1a2b3c4d", "6.14.2", "2026-01-01T00:00:00Z", "bzImage",
		 true);
	kc_entry("7.2.13+deb14-cloud-amd64-debian-x86_64", "7.2.13+deb14-cloud-amd64",
		 "2026-11-28T14:39:21Z", "vmlinuz", false);
	/* 7.2.9 built last: "7.2" must still pick 7.2.13 (highest, not newest) */
	kc_entry("7.2.9-tarball-x86_64-kc1", "7.2.9", "2026-12-02T00:00:00Z", "bzImage", false);
	kc_entry("7.2-rc3-tarball-x86_64-kc1", "7.2-rc3", "2026-12-03T00:00:00Z", "bzImage", false);
	kc_entry("7.20.1-tarball-x86_64-kc1", "7.20.1", "2026-07-01T00:00:00Z", "bzImage", false);
	kc_entry("local-abc1234-x86_64-kc1", NULL, "2026-12-01T00:00:00Z", "bzImage", false);
	/* corrupt entries, some newer than every valid one */
	kc_put("broken-json/metadata.json", "{\"version\": ");
	kc_put("broken-json/bzImage", "x");
	kc_put("no-image/metadata.json", kc_meta_json("7.2.99", "2099-01-01T00:00:00Z", "bzImage"));
	kc_put("drift/metadata.json",
	       "{\"version\":\"7.2.50\",\"source\":{\"type\":\"git\"},"
	       "\"arch\":\"x86_64\",\"image_name\":\"bzImage\","
	       "\"built_at\":\"2099-01-01T00:00:00Z\",\"has_vmlinux\":\"yes\","
	       "\"vmlinux_stripped\":false}");
	kc_put("drift/bzImage", "x");
	kc_put("no-meta/bzImage", "x");
	/* never entries: a store in progress, lock files, stray files */
	kc_entry(".tmp-7.2.77-tarball-1", "7.2.77", "2099-01-01T00:00:00Z", "bzImage", false);
	kc_put(".locks/7.2.9-tarball-x86_64-kc1.lock", "");
	kc_put("stray-file", "x");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return kc_rmroot();
}

static void test_key_valid(void **state)
{
	char big[NAME_MAX + 2];

	(void)state;
	assert_true(ktstr_kcache__key_valid("6.14.2-tarball-x86_64-kc1a2b3c4d"));
	assert_true(ktstr_kcache__key_valid("local-unknown-1234-x86_64-kc1"));
	assert_true(ktstr_kcache__key_valid("7.2"));
	assert_true(ktstr_kcache__key_valid("a b"));
	assert_false(ktstr_kcache__key_valid(".hidden")); /* listings skip dot-names */
	assert_false(ktstr_kcache__key_valid(".locks"));
	assert_false(ktstr_kcache__key_valid(""));
	assert_false(ktstr_kcache__key_valid("   "));
	assert_false(ktstr_kcache__key_valid("."));
	assert_false(ktstr_kcache__key_valid(".."));
	assert_false(ktstr_kcache__key_valid("a..b"));
	assert_false(ktstr_kcache__key_valid("a/b"));
	assert_false(ktstr_kcache__key_valid("a\\b"));
	assert_false(ktstr_kcache__key_valid(".tmp-x-1"));
	assert_false(ktstr_kcache__key_valid("tab\there"));
	assert_false(ktstr_kcache__key_valid(NULL));
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_false(ktstr_kcache__key_valid(big));
}

static void test_versions(void **state)
{
	static const char *const ok[] = {"7.2", "7.2.13", "7.2-rc3", "6.10.1-rc12", "10.0"};
	static const char *const bad[] = {"",	   "7",	       "v7.2",	 "7.",	    ".2",
					  "7.2.",  "7.2.13.4", "7.2-rc", "7.2-rcx", "7.2-rc3-rc4",
					  "7.2-1", "7.2+",     "7..2",	 "latest",  "7.2a"};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (!ktstr_kcache__version_valid(ok[i])) {
			fail_msg("%s should be a version", ok[i]);
		}
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (ktstr_kcache__version_valid(bad[i])) {
			fail_msg("%s should not be a version", bad[i]);
		}
	}
	assert_true(ktstr_kcache__version_matches("7.2", "7.2"));
	assert_true(ktstr_kcache__version_matches("7.2", "7.2.13+deb14-cloud-amd64"));
	assert_true(ktstr_kcache__version_matches("7.2.13", "7.2.13+deb14-cloud-amd64"));
	assert_true(ktstr_kcache__version_matches("7.2", "7.2-rc3"));
	assert_false(ktstr_kcache__version_matches("7.2", "7.20.1"));
	assert_false(ktstr_kcache__version_matches("7.2.1", "7.2.13"));
	assert_false(ktstr_kcache__version_matches("7.2", ""));
}

static void root_expect(const char *c, const char *x, const char *h, int rc, const char *want)
{
	char out[64], err[256] = "";

	assert_int_equal(ktstr_kcache__root_from(c, x, h, out, sizeof(out), err, sizeof(err)), rc);
	assert_string_equal(rc == 0 ? out : err, want);
}

static void test_root(void **state)
{
	(void)state;
	root_expect("/c", "/x", "/h", 0, "/c");
	root_expect("", "/x", "/h", 0, "/x/ktstr/kernels");
	root_expect(NULL, "", "/h", 0, "/h/.cache/ktstr/kernels");
	root_expect(NULL, NULL, NULL, -ENOENT,
		    "kernel cache: no location (KTSTR_CACHE_DIR and XDG_CACHE_HOME are unset and "
		    "HOME is unset); set KTSTR_CACHE_DIR");
	root_expect(NULL, NULL, "/", -ENOENT,
		    "kernel cache: no location (KTSTR_CACHE_DIR and "
		    "XDG_CACHE_HOME are unset and HOME is /); set KTSTR_CACHE_DIR");
	root_expect(NULL, NULL, "rel", -ENOENT,
		    "kernel cache: no location (KTSTR_CACHE_DIR and "
		    "XDG_CACHE_HOME are unset and HOME is not absolute); set KTSTR_CACHE_DIR");
	root_expect("/caf\xc3\xa9", "/x", "/h", 0, "/caf\xc3\xa9");
	root_expect("/bad\xff", "/x", "/h", -EINVAL,
		    "KTSTR_CACHE_DIR is not valid UTF-8; set it to a UTF-8 path");
	root_expect("/over\xc0\xaf", NULL, NULL, -EINVAL,
		    "KTSTR_CACHE_DIR is not valid UTF-8; set it to a UTF-8 path");
	root_expect("/cut\xe2\x82", NULL, NULL, -EINVAL,
		    "KTSTR_CACHE_DIR is not valid UTF-8; set it to a UTF-8 path");
	root_expect(NULL, NULL, "/a/very/long/home/directory/that/does/not/fit/in/sixty/four",
		    -ENAMETOOLONG, "kernel cache: the cache path is too long");
}

static void expect_bad(const char *text, enum ktstr_kcache_err kind, const char *needle)
{
	struct ktstr_kcache_meta m;
	enum ktstr_kcache_err got;
	char why[256] = "";

	assert_int_equal(ktstr_kcache_meta__parse(text, strlen(text), &m, &got, why, sizeof(why)),
			 -EINVAL);
	if (strstr(why, needle) == NULL || got != kind) {
		fail_msg("%s: reason \"%s\" (%s) lacks \"%s\" (%s)", text, why,
			 ktstr_kcache_err__name(got), needle, ktstr_kcache_err__name(kind));
	}
}

#define BASE_OK "\"arch\":\"x\",\"image_name\":\"i\",\"built_at\":\"t\","
#define BOOLS_OK "\"has_vmlinux\":false,\"vmlinux_stripped\":false"
#define SRC_OK "\"source\":{\"type\":\"git\"},"

static void test_meta_parse_kinds(void **state)
{
	(void)state;
	expect_bad("{\"version\": ", KTSTR_KCACHE_TRUNCATED, "metadata.json truncated: ");
	expect_bad("", KTSTR_KCACHE_TRUNCATED, "metadata.json truncated: ");
	expect_bad("{\n\"a\": 1,,\n}", KTSTR_KCACHE_MALFORMED, "(line 2, column");
	expect_bad("{} x", KTSTR_KCACHE_MALFORMED, "metadata.json malformed: ");
	expect_bad("[1, 2]", KTSTR_KCACHE_MALFORMED, "not a JSON object");
	expect_bad("{\"a\": 1e999999}", KTSTR_KCACHE_PARSE_ERROR, "metadata.json parse error: ");
	expect_bad("{" BASE_OK BOOLS_OK "}", KTSTR_KCACHE_SCHEMA_DRIFT,
		   "metadata.json schema drift: field source is missing");
	expect_bad("{\"source\":\"tarball\"," BASE_OK BOOLS_OK "}", KTSTR_KCACHE_SCHEMA_DRIFT,
		   "field source is not an object");
	expect_bad("{\"source\":{}," BASE_OK BOOLS_OK "}", KTSTR_KCACHE_SCHEMA_DRIFT,
		   "field type is missing");
	expect_bad("{" SRC_OK "\"image_name\":\"i\",\"built_at\":\"t\"," BOOLS_OK "}",
		   KTSTR_KCACHE_SCHEMA_DRIFT, "field arch is missing");
	expect_bad("{" SRC_OK "\"arch\":\"x\",\"image_name\":\"i\"," BOOLS_OK "}",
		   KTSTR_KCACHE_SCHEMA_DRIFT, "field built_at is missing");
	expect_bad("{" SRC_OK BASE_OK "\"vmlinux_stripped\":false}", KTSTR_KCACHE_SCHEMA_DRIFT,
		   "field has_vmlinux is missing");
	expect_bad("{" SRC_OK BASE_OK "\"has_vmlinux\":1,\"vmlinux_stripped\":false}",
		   KTSTR_KCACHE_SCHEMA_DRIFT, "field has_vmlinux is not a boolean");
	expect_bad("{" SRC_OK BASE_OK BOOLS_OK ",\"version\":6.1}", KTSTR_KCACHE_SCHEMA_DRIFT,
		   "field version is not a string");
	expect_bad("{" SRC_OK BASE_OK BOOLS_OK ",\"source_vmlinux_size\":-3}",
		   KTSTR_KCACHE_SCHEMA_DRIFT, "source_vmlinux_size is not a non-negative integer");
	expect_bad("{" SRC_OK BASE_OK BOOLS_OK ",\"arch\":\"y\"}", KTSTR_KCACHE_MALFORMED,
		   "duplicate");
	expect_bad("{" SRC_OK "\"arch\":\"x\",\"image_name\":\"../../etc/passwd\","
		   "\"built_at\":\"t\"," BOOLS_OK "}",
		   KTSTR_KCACHE_MALFORMED, "image_name \"../../etc/passwd\" is not a file name");
	expect_bad("{" SRC_OK "\"arch\":\"x\",\"image_name\":\"..\",\"built_at\":\"t\"," BOOLS_OK
		   "}",
		   KTSTR_KCACHE_MALFORMED, "is not a file name");
	expect_bad("{" SRC_OK "\"arch\":\"x\",\"image_name\":\"i\",\"built_at\":\"\"," BOOLS_OK "}",
		   KTSTR_KCACHE_MALFORMED, "built_at is empty");
	expect_bad("{" SRC_OK
		   "\"arch\":\"a\\u0000b\",\"image_name\":\"i\",\"built_at\":\"t\"," BOOLS_OK "}",
		   KTSTR_KCACHE_MALFORMED, "\\u0000 is not allowed");
	expect_bad("{" SRC_OK "\"arch\":\"0123456789012345678901234567890123\","
		   "\"image_name\":\"i\",\"built_at\":\"t\"," BOOLS_OK "}",
		   KTSTR_KCACHE_MALFORMED, "field arch is longer than 31 bytes");
	assert_string_equal(ktstr_kcache_err__name(KTSTR_KCACHE_IMAGE_MISSING), "image_missing");
	assert_string_equal(ktstr_kcache_err__name((enum ktstr_kcache_err)99), "unknown");
}

static void test_meta_parse_valid(void **state)
{
	const char *t = "{\"source\":{\"type\":\"debian\",\"package\":\"p\"},\"arch\":\"x\","
			"\"image_name\":\"vmlinuz\",\"built_at\":\"t\",\"has_vmlinux\":true,"
			"\"vmlinux_stripped\":true,\"config_hash\":\"abcd\",\"new\":[1],"
			"\"source_vmlinux_size\":12,\"source_vmlinux_mtime_secs\":null}";
	struct ktstr_kcache_meta m;
	enum ktstr_kcache_err kind;
	char why[256];

	(void)state;
	assert_int_equal(ktstr_kcache_meta__parse(t, strlen(t), &m, &kind, why, sizeof(why)), 0);
	assert_int_equal(kind, KTSTR_KCACHE_OK);
	assert_string_equal(m.version, "");
	assert_string_equal(m.source_type, "debian");
	assert_string_equal(m.source_json, "{\"type\":\"debian\",\"package\":\"p\"}");
	assert_string_equal(m.config_hash, "abcd");
	assert_string_equal(m.kconfig_hash, "");
	assert_true(m.has_vmlinux);
	assert_true(m.vmlinux_stripped);
	assert_int_equal(m.source_vmlinux_size, 12);
	assert_int_equal(m.source_vmlinux_mtime_secs, -1);
}

/* Upstream's field order, pretty-printed, read back to the same values. */
static void test_meta_round_trip(void **state)
{
	static const char *const order[] = {"\"version\"",
					    "\"source\"",
					    "\"arch\"",
					    "\"image_name\"",
					    "\"config_hash\"",
					    "\"built_at\"",
					    "\"ktstr_kconfig_hash\"",
					    "\"has_vmlinux\"",
					    "\"vmlinux_stripped\"",
					    "\"source_vmlinux_size\"",
					    "\"source_vmlinux_mtime_secs\""};
	struct ktstr_entry_meta in = {.sz = sizeof(in),
				      .image_name = "bzImage",
				      .version = "6.14.2",
				      .source_json = "{\"type\":\"git\",\"git_hash\":\"abc1234\","
						     "\"ref\":\"main\"}",
				      .kconfig_hash = "1a2b3c4d",
				      .source_vmlinux_size = 1000,
				      .source_vmlinux_mtime_secs = -1};
	char dir[PATH_MAX], path[PATH_MAX], err[256], *text, crc[9];
	struct ktstr_kcache_meta m;
	enum ktstr_kcache_err kind;
	const char *p;
	size_t len;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/rt", kc_root);
	kc_put("rt/config", "CONFIG_X=y\n");
	assert_int_equal(
	    ktstr_kcache_meta__write(dir, &in, "fallback", true, true, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/metadata.json", dir);
	assert_int_equal(ktstr_fs__read_file(path, &text, &len), 0);
	p = text;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		const char *q = strstr(p, order[i]);

		if (q == NULL) {
			fail_msg("%s missing or out of order in\n%s", order[i], text);
		}
		p = q;
	}
	assert_non_null(strstr(text, "\n  \"arch\": \"x86_64\",\n"));
	assert_non_null(strstr(text, "\"source_vmlinux_mtime_secs\": null\n"));
	free(text);
	assert_int_equal(ktstr_kcache_meta__load(path, &m, &kind, err, sizeof(err)), 0);
	assert_string_equal(m.version, "6.14.2");
	assert_string_equal(m.source_type, "git");
	assert_string_equal(m.source_json, in.source_json);
	assert_string_equal(m.arch, "x86_64");
	assert_string_equal(m.image_name, "bzImage");
	assert_int_equal(ktstr_kcache__crc32_file(path, crc), 0);
	snprintf(path, sizeof(path), "%s/config", dir);
	assert_int_equal(ktstr_kcache__crc32_file(path, crc), 0);
	assert_string_equal(m.config_hash, crc); /* computed from {dir}/config */
	assert_int_equal(strlen(m.built_at), 20);
	assert_int_equal(m.built_at[19], 'Z');
	assert_string_equal(m.kconfig_hash, "1a2b3c4d");
	assert_true(m.has_vmlinux && m.vmlinux_stripped);
	assert_int_equal(m.source_vmlinux_size, 1000);
	assert_int_equal(m.source_vmlinux_mtime_secs, -1);

	/* defaults: {"type": <plugin>}, nulls; a bad source or image name is refused */
	in = (struct ktstr_entry_meta){.sz = sizeof(in),
				       .image_name = "vmlinuz",
				       .source_vmlinux_size = -1,
				       .source_vmlinux_mtime_secs = -1};
	assert_int_equal(
	    ktstr_kcache_meta__write(dir, &in, "debian", false, true, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/metadata.json", dir);
	assert_int_equal(ktstr_kcache_meta__load(path, &m, &kind, err, sizeof(err)), 0);
	assert_string_equal(m.source_json, "{\"type\":\"debian\"}");
	assert_string_equal(m.version, "");
	assert_false(m.vmlinux_stripped); /* nothing stored, nothing stripped */
	in.source_json = "{\"kind\":\"x\"}";
	assert_int_equal(ktstr_kcache_meta__write(dir, &in, "d", false, false, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "not a JSON object with a string \"type\""));
	in.source_json = "{nope";
	assert_int_equal(ktstr_kcache_meta__write(dir, &in, "d", false, false, err, sizeof(err)),
			 -EINVAL);
	in.source_json = NULL;
	in.image_name = "a/b";
	assert_int_equal(ktstr_kcache_meta__write(dir, &in, "d", false, false, err, sizeof(err)),
			 -EINVAL);
	in.image_name = NULL;
	assert_int_equal(ktstr_kcache_meta__write(dir, &in, "d", false, false, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(ktstr_fs__rm_rf(dir), 0);
}

static void test_entry_load(void **state)
{
	struct ktstr_kcache_entry *e = malloc(sizeof(*e));
	char path[PATH_MAX];

	(void)state;
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "6.14.2-tarball-x86_64-kc1a2b3c4d", e),
			 0);
	assert_int_equal(e->err, KTSTR_KCACHE_OK);
	snprintf(path, sizeof(path), "%s/6.14.2-tarball-x86_64-kc1a2b3c4d/vmlinux", kc_root);
	assert_string_equal(e->vmlinux, path);
	assert_true(e->size_bytes > 20); /* metadata + image + vmlinux + config */
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "no-meta", e), -EINVAL);
	assert_int_equal(e->err, KTSTR_KCACHE_MISSING);
	assert_string_equal(e->why, "metadata.json missing");
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "no-image", e), -EINVAL);
	assert_int_equal(e->err, KTSTR_KCACHE_IMAGE_MISSING);
	assert_string_equal(e->why, "image file bzImage missing from entry directory");
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "drift", e), -EINVAL);
	assert_int_equal(e->err, KTSTR_KCACHE_SCHEMA_DRIFT);
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "broken-json", e), -EINVAL);
	assert_int_equal(e->err, KTSTR_KCACHE_TRUNCATED);
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "stray-file", e), -ENOTDIR);
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "nope", e), -ENOTDIR);
	/* metadata.json that is a directory: unreadable */
	kc_put("dirmeta/metadata.json/x", "");
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "dirmeta", e), -EINVAL);
	assert_int_equal(e->err, KTSTR_KCACHE_UNREADABLE);
	assert_non_null(strstr(e->why, "metadata.json unreadable: "));
	snprintf(path, sizeof(path), "%s/dirmeta", kc_root);
	ktstr_fs__rm_rf(path);
	free(e);
}

static void test_list_order(void **state)
{
	static const char *const want[] = {
	    "7.2-rc3-tarball-x86_64-kc1", "7.2.9-tarball-x86_64-kc1", "local-abc1234-x86_64-kc1",
	    "7.2.13+deb14-cloud-amd64-debian-x86_64", "7.20.1-tarball-x86_64-kc1",
	    "6.14.2-tarball-x86_64-kc1a2b3c4d",
	    /* corrupt, by key */
	    "broken-json", "drift", "no-image", "no-meta"};
	struct ktstr_kcache_list l;
	char err[256];

	(void)state;
	assert_int_equal(ktstr_kcache__list(kc_root, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < l.n; i++) {
		assert_string_equal(l.v[i].key, want[i]);
	}
	assert_int_equal(l.ntmp, 1);
	assert_string_equal(l.tmp[0].name, ".tmp-7.2.77-tarball-1");
	assert_int_equal(l.tmp[0].pid, 1);
	assert_true(l.tmp[0].alive); /* pid 1 lives */
	ktstr_kcache_list__free(&l);
}

static struct ktstr_kcache_entry ent;
static char err[PATH_MAX + 512];

static int find(const char *id)
{
	return ktstr_kcache__find(kc_root, id, &ent, err, sizeof(err));
}

static void test_find(void **state)
{
	(void)state;
	/* latest: newest valid by built_at; corrupt ones (2099) never */
	assert_int_equal(find("latest"), 0);
	assert_string_equal(ent.key, "7.2-rc3-tarball-x86_64-kc1");
	assert_int_equal(find(""), 0);
	assert_string_equal(ent.key, "7.2-rc3-tarball-x86_64-kc1");
	/* a key */
	assert_int_equal(find("6.14.2-tarball-x86_64-kc1a2b3c4d"), 0);
	assert_string_equal(ent.meta.version, "6.14.2");
	/* versions: the highest release, not the newest build; rc below release */
	assert_int_equal(find("7.2"), 0);
	assert_string_equal(ent.key, "7.2.13+deb14-cloud-amd64-debian-x86_64");
	assert_int_equal(find("7.2.9"), 0);
	assert_string_equal(ent.key, "7.2.9-tarball-x86_64-kc1");
	assert_int_equal(find("7.2-rc3"), 0);
	assert_string_equal(ent.key, "7.2-rc3-tarball-x86_64-kc1");
	assert_int_equal(find("7.20"), 0);
	assert_string_equal(ent.key, "7.20.1-tarball-x86_64-kc1");
	assert_int_equal(find("6.14"), 0);
	assert_string_equal(ent.key, "6.14.2-tarball-x86_64-kc1a2b3c4d");
	assert_int_equal(find("7.2.50"), -ENOENT); /* only in a corrupt entry */
	assert_non_null(strstr(err, "no entry with version 7.2.50 (6 other, 4 corrupt, 0 built with "));
	/* a corrupt key says why; unknown keys say so; non-ids are silent */
	assert_int_equal(find("no-image"), -ENOENT);
	assert_non_null(strstr(err, "entry no-image is corrupt (image file bzImage missing"));
	assert_int_equal(find("nosuchkey"), -ENOENT);
	assert_non_null(strstr(err, ": no entry nosuchkey"));
	assert_int_equal(find(".tmp-7.2.77-tarball-1"), -ENOENT);
	assert_string_equal(err, "");
	assert_int_equal(find("../linux"), -ENOENT);
	assert_string_equal(err, "");
	assert_int_equal(find("/boot/vmlinuz"), -ENOENT);
	assert_string_equal(err, "");
}

static void test_find_empty_and_ties(void **state)
{
	char saved[PATH_MAX], want[PATH_MAX + 64];

	(void)state;
	snprintf(saved, sizeof(saved), "%s", kc_root);
	assert_int_equal(kc_mkroot("kcache-tie"), 0);
	assert_int_equal(find("latest"), -ENOENT);
	snprintf(want, sizeof(want),
		 "kernel cache %s: no usable entry (0 corrupt, 0 built with another "
		 "configs/ktstr.kconfig)",
		 kc_root);
	assert_string_equal(err, want);
	kc_entry("b-key", "6.1.1", "2026-01-01T00:00:00Z", "bzImage", false);
	kc_entry("a-key", "6.1.1", "2026-01-01T00:00:00Z", "bzImage", false);
	kc_entry("c-key", "6.1.1", "2025-01-01T00:00:00Z", "bzImage", false);
	assert_int_equal(find("latest"), 0);
	assert_string_equal(ent.key, "a-key");
	assert_int_equal(find("6.1"), 0); /* equal versions: newest build, then key */
	assert_string_equal(ent.key, "a-key");
	assert_int_equal(kc_rmroot(), 0);
	/* a missing root is an empty cache */
	assert_int_equal(find("latest"), -ENOENT);
	assert_int_equal(find("7.2"), -ENOENT);
	assert_non_null(strstr(err, "no entry with version 7.2 (0 other, 0 corrupt, 0 built with "));
	snprintf(kc_root, sizeof(kc_root), "%s", saved);
}

/* "latest" passes over entries built with another kconfig fragment (reference 1.2). */
static void test_latest_skips_stale(void **state)
{
	char saved[PATH_MAX], kc[9], meta[1024];
	struct ktstr_kcache_meta m = {.kconfig_hash = ""};

	(void)state;
	if (!ktstr_kcache__current_kc(kc)) {
		skip(); /* configs/ktstr.kconfig not in this tree */
	}
	assert_string_equal(ktstr_kcache__kconfig_status(&m, kc), "untracked");
	snprintf(m.kconfig_hash, sizeof(m.kconfig_hash), "%s", kc);
	assert_string_equal(ktstr_kcache__kconfig_status(&m, kc), "matches");
	assert_string_equal(ktstr_kcache__kconfig_status(&m, "00000000"), "stale");
	assert_string_equal(ktstr_kcache__kconfig_status(&m, NULL), "matches");

	snprintf(saved, sizeof(saved), "%s", kc_root);
	assert_int_equal(kc_mkroot("kcache-stale"), 0);
	kc_entry("stale-only", "6.1.1", "2026-03-01T00:00:00Z", "bzImage", false);
	snprintf(meta, sizeof(meta), "%s",
		 kc_meta_json("6.1.1", "2026-03-01T00:00:00Z", "bzImage"));
	strcpy(strstr(meta, "\"ktstr_kconfig_hash\": null"),
	       "\"ktstr_kconfig_hash\": \"00000000\",\n"
	       "  \"has_vmlinux\": false,\n"
	       "  \"vmlinux_stripped\": false\n}\n");
	kc_put("stale-only/metadata.json", meta);
	assert_int_equal(find("latest"), -ENOENT);
	assert_non_null(strstr(err, "no usable entry (0 corrupt, 1 built with another "
				    "configs/ktstr.kconfig)"));
	assert_int_equal(find("stale-only"), 0); /* named, it is still there to use */
	/* a version passes over it too, as upstream's exact kc key would */
	assert_int_equal(find("6.1"), -ENOENT);
	assert_non_null(strstr(err, "no entry with version 6.1 (0 other, 0 corrupt, 1 built with "
				    "another configs/ktstr.kconfig)"));
	kc_entry("older-untracked", "6.1.2", "2026-02-01T00:00:00Z", "bzImage", false);
	assert_int_equal(find("latest"), 0);
	assert_string_equal(ent.key, "older-untracked");
	assert_int_equal(find("6.1"), 0);
	assert_string_equal(ent.key, "older-untracked");
	assert_int_equal(kc_rmroot(), 0);
	snprintf(kc_root, sizeof(kc_root), "%s", saved);
}

static void test_lookup_describes(void **state)
{
	struct ktstr_kernel *k;
	char want[PATH_MAX];

	(void)state;
	assert_int_equal(ktstr_kernel__new(&k), 0);
	assert_int_equal(ktstr_kcache__lookup(kc_root, "6.14", k, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/6.14.2-tarball-x86_64-kc1a2b3c4d/bzImage", kc_root);
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_IMAGE), want);
	assert_non_null(ktstr_kernel__get(k, KTSTR_KERNEL_VMLINUX));
	assert_non_null(ktstr_kernel__get(k, KTSTR_KERNEL_CONFIG));
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_VERSION), "6.14.2");
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_CACHE_KEY),
			    "6.14.2-tarball-x86_64-kc1a2b3c4d");
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_ORIGIN),
			    "cache entry 6.14.2-tarball-x86_64-kc1a2b3c4d");
	ktstr_kernel__free(k);
	assert_int_equal(ktstr_kernel__new(&k), 0);
	assert_int_equal(
	    ktstr_kcache__lookup(kc_root, "local-abc1234-x86_64-kc1", k, err, sizeof(err)), 0);
	assert_null(ktstr_kernel__get(k, KTSTR_KERNEL_VERSION));
	assert_null(ktstr_kernel__get(k, KTSTR_KERNEL_VMLINUX));
	assert_int_equal(ktstr_kcache__lookup(kc_root, "9.9", k, err, sizeof(err)), -ENOENT);
	ktstr_kernel__free(k);
}

static void test_clean_select(void **state)
{
	struct ktstr_kcache_list l;
	bool sel[16];

	(void)state;
	assert_int_equal(ktstr_kcache__list(kc_root, &l, err, sizeof(err)), 0);
	assert_int_equal(l.n, 10); /* 6 valid, newest first, then 4 corrupt */
	assert_int_equal(ktstr_kcache__clean_select(&l, -1, false, sel), 10);
	assert_int_equal(ktstr_kcache__clean_select(&l, 0, false, sel), 10);
	assert_int_equal(ktstr_kcache__clean_select(&l, 2, false, sel), 8);
	assert_false(sel[0]);
	assert_false(sel[1]);
	assert_true(sel[2]);
	assert_true(sel[9]);
	assert_int_equal(ktstr_kcache__clean_select(&l, 100, false, sel), 4);
	assert_int_equal(ktstr_kcache__clean_select(&l, -1, true, sel), 4);
	for (size_t i = 0; i < l.n; i++) {
		assert_int_equal(sel[i], l.v[i].err != KTSTR_KCACHE_OK);
	}
	ktstr_kcache_list__free(&l);
}

static void test_tmp_parse_and_sweep(void **state)
{
	struct ktstr_kcache_tmp t;
	char dead[64], path[PATH_MAX];
	struct stat st;
	pid_t pid = fork();

	(void)state;
	if (pid == 0) {
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, NULL, 0), pid); /* reaped: its pid is free */
	ktstr_kcache__tmp_parse(".tmp-6.1-tarball-x86_64-kc1-1", &t);
	assert_int_equal(t.pid, 1);
	assert_true(t.alive);
	ktstr_kcache__tmp_parse(".tmp-nopid", &t);
	assert_int_equal(t.pid, 0);
	assert_true(t.alive); /* never swept */
	ktstr_kcache__tmp_parse(".tmp-k-12x", &t);
	assert_int_equal(t.pid, 0);
	snprintf(dead, sizeof(dead), ".tmp-k-%d", (int)pid);
	ktstr_kcache__tmp_parse(dead, &t);
	assert_int_equal(t.pid, pid);
	assert_false(t.alive);

	snprintf(path, sizeof(path), "%s/bzImage", dead);
	kc_put(path, "x");
	kc_put(".tmp-k-nopid/bzImage", "x");
	kc_put(".tmp-mine-7/bzImage", "x");
	assert_int_equal(ktstr_kcache__sweep_tmp(kc_root, ".tmp-mine-7"), 1);
	snprintf(path, sizeof(path), "%s/%s", kc_root, dead);
	assert_int_equal(stat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/.tmp-k-nopid", kc_root);
	assert_int_equal(stat(path, &st), 0);
	ktstr_fs__rm_rf(path);
	snprintf(path, sizeof(path), "%s/.tmp-mine-7", kc_root);
	assert_int_equal(stat(path, &st), 0);
	ktstr_fs__rm_rf(path);
	/* the live store in progress is kept */
	snprintf(path, sizeof(path), "%s/.tmp-7.2.77-tarball-1", kc_root);
	assert_int_equal(stat(path, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_key_valid),
	    cmocka_unit_test(test_versions),
	    cmocka_unit_test(test_root),
	    cmocka_unit_test(test_meta_parse_kinds),
	    cmocka_unit_test(test_meta_parse_valid),
	    cmocka_unit_test(test_meta_round_trip),
	    cmocka_unit_test(test_entry_load),
	    cmocka_unit_test(test_list_order),
	    cmocka_unit_test(test_find),
	    cmocka_unit_test(test_find_empty_and_ties),
	    cmocka_unit_test(test_latest_skips_stale),
	    cmocka_unit_test(test_lookup_describes),
	    cmocka_unit_test(test_clean_select),
	    cmocka_unit_test(test_tmp_parse_and_sweep),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
