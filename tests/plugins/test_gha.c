/*
 * kernel-source/gha without a network: the environment rules that pick the
 * protocol, request URLs and bodies, the parsers of the service's answers,
 * which ids are cache keys, and the blob format (round trip, refusals).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "dir_count.h"

#include <archive.h>
#include <archive_entry.h>

#include "gha_blob.h"
#include "gha_env.h"
#include "gha_key.h"
#include "gha_wire.h"

/* ---- environment ---- */

static const char *const *env_table;

static const char *fake_getenv(const char *name)
{
	for (const char *const *p = env_table; p != NULL && *p != NULL; p += 2) {
		if (strcmp(p[0], name) == 0) {
			return p[1];
		}
	}
	return NULL;
}

static struct ktstr_gha_env *read_env(const char *const *table)
{
	static struct ktstr_gha_env env;
	char err[256];

	env_table = table;
	assert_int_equal(ktstr_gha_env__read(fake_getenv, &env, err, sizeof(err)), 0);
	return &env;
}

static void test_env_enabling(void **state)
{
	const char *const off[] = {"ACTIONS_CACHE_URL", "http://c/", NULL};
	const char *const yes_word[] = {"KTSTR_GHA_CACHE", "true", "ACTIONS_CACHE_URL", "http://c/",
					NULL};
	const char *const one_space[] = {"KTSTR_GHA_CACHE", "1 ", "ACTIONS_CACHE_URL", "http://c/",
					 NULL};
	const char *const no_url[] = {"KTSTR_GHA_CACHE", "1", "ACTIONS_RUNTIME_TOKEN", "t", NULL};
	const char *const empty_url[] = {"KTSTR_GHA_CACHE", "1", "ACTIONS_CACHE_URL", "", NULL};
	const char *const on[] = {"KTSTR_GHA_CACHE",
				  "1",
				  "ACTIONS_CACHE_URL",
				  "http://c/",
				  "ACTIONS_RUNTIME_TOKEN",
				  "tok",
				  NULL};
	struct ktstr_gha_env *e;

	assert_false(read_env(off)->enabled);
	assert_false(read_env(yes_word)->enabled);
	assert_false(read_env(one_space)->enabled);
	assert_false(read_env(no_url)->enabled);
	assert_false(read_env(empty_url)->enabled);
	e = read_env(on);
	assert_true(e->enabled);
	assert_int_equal(e->proto, KTSTR_GHA_V1);
	assert_string_equal(e->base, "http://c/");
	assert_string_equal(e->token, "tok");
}

static void test_env_protocol(void **state)
{
	const char *const v1_results[] = {"KTSTR_GHA_CACHE", "1", "ACTIONS_RESULTS_URL",
					  "http://r/", NULL};
	const char *const v2[] = {"KTSTR_GHA_CACHE",
				  "1",
				  "ACTIONS_CACHE_URL",
				  "http://c/",
				  "ACTIONS_RESULTS_URL",
				  "http://r",
				  "ACTIONS_CACHE_SERVICE_V2",
				  "true",
				  NULL};
	const char *const v2_no_results[] = {"KTSTR_GHA_CACHE",
					     "1",
					     "ACTIONS_CACHE_URL",
					     "http://c/",
					     "ACTIONS_CACHE_SERVICE_V2",
					     "1",
					     NULL};
	const char *const ghes[] = {"KTSTR_GHA_CACHE",
				    "1",
				    "ACTIONS_CACHE_URL",
				    "http://c/",
				    "ACTIONS_RESULTS_URL",
				    "http://r/",
				    "ACTIONS_CACHE_SERVICE_V2",
				    "1",
				    "GITHUB_SERVER_URL",
				    "https://git.example.com",
				    NULL};
	const char *const ghe_com[] = {"KTSTR_GHA_CACHE",
				       "1",
				       "ACTIONS_RESULTS_URL",
				       "http://r/",
				       "ACTIONS_CACHE_SERVICE_V2",
				       "1",
				       "GITHUB_SERVER_URL",
				       "https://acme.ghe.com/",
				       NULL};
	const char *const bare_host[] = {"KTSTR_GHA_CACHE",
					 "1",
					 "ACTIONS_RESULTS_URL",
					 "http://r/",
					 "ACTIONS_CACHE_SERVICE_V2",
					 "1",
					 "GITHUB_SERVER_URL",
					 "github.com",
					 NULL};
	struct ktstr_gha_env *e;

	e = read_env(v1_results);
	assert_int_equal(e->proto, KTSTR_GHA_V1);
	assert_string_equal(e->base, "http://r/");
	e = read_env(v2);
	assert_int_equal(e->proto, KTSTR_GHA_V2);
	assert_string_equal(e->base, "http://r/");	/* the '/' the paths need is added */
	assert_false(read_env(v2_no_results)->enabled); /* v2 needs ACTIONS_RESULTS_URL */
	e = read_env(ghes);
	assert_int_equal(e->proto, KTSTR_GHA_V1); /* Enterprise Server: v1 */
	assert_string_equal(e->base, "http://c/");
	e = read_env(ghe_com);
	assert_int_equal(e->proto, KTSTR_GHA_V2);
	e = read_env(bare_host);
	assert_int_equal(e->proto, KTSTR_GHA_V2); /* "github.com" without a scheme */

	assert_true(ktstr_gha_env__hosted("github.com"));
	assert_true(ktstr_gha_env__hosted("GitHub.COM"));
	assert_true(ktstr_gha_env__hosted("acme.ghe.com"));
	assert_true(ktstr_gha_env__hosted("gh.localhost"));
	assert_false(ktstr_gha_env__hosted("ghe.com"));
	assert_false(ktstr_gha_env__hosted("evilgithub.com"));
	assert_false(ktstr_gha_env__hosted("github.com.evil.org"));
}

/* ---- wire ---- */

static void test_urls(void **state)
{
	char url[256];

	assert_int_equal(ktstr_gha_url__v1_lookup("http://h/", "a b+c&d", url, sizeof(url)), 0);
	assert_string_equal(url,
			    "http://h/_apis/artifactcache/cache?keys=a%20b%2Bc%26d&version=ktstr");
	assert_int_equal(ktstr_gha_url__v1_caches("http://h/", -1, url, sizeof(url)), 0);
	assert_string_equal(url, "http://h/_apis/artifactcache/caches");
	assert_int_equal(ktstr_gha_url__v1_caches("http://h/", 42, url, sizeof(url)), 0);
	assert_string_equal(url, "http://h/_apis/artifactcache/caches/42");
	assert_int_equal(ktstr_gha_url__v2("http://h/", "CreateCacheEntry", url, sizeof(url)), 0);
	assert_string_equal(
	    url, "http://h/twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry");
	assert_int_equal(ktstr_gha_url__v2("http://h/", "CreateCacheEntry", url, 20),
			 -ENAMETOOLONG);
}

static void expect_body(char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_bodies(void **state)
{
	expect_body(ktstr_gha_body__v1_reserve("k\"1"),
		    "{\"key\":\"k\\\"1\",\"version\":\"ktstr\"}");
	expect_body(ktstr_gha_body__v1_commit(12345678901ULL), "{\"size\":12345678901}");
	expect_body(ktstr_gha_body__v2_download("k"),
		    "{\"key\":\"k\",\"restore_keys\":[],\"version\":\"" KTSTR_GHA_V2_VERSION "\"}");
	expect_body(ktstr_gha_body__v2_create("k"),
		    "{\"key\":\"k\",\"version\":\"" KTSTR_GHA_V2_VERSION "\"}");
	expect_body(ktstr_gha_body__v2_finalize("k", 7),
		    "{\"key\":\"k\",\"size_bytes\":7,\"version\":\"" KTSTR_GHA_V2_VERSION "\"}");
}

static int parse_url(int (*fn)(const char *, size_t, char **, char *, size_t), const char *body,
		     char *url_out)
{
	char err[256], *url = NULL;
	int ret = fn(body, strlen(body), &url, err, sizeof(err));

	if (ret == 0) {
		snprintf(url_out, 256, "%s", url);
		free(url);
	} else {
		assert_null(url);
	}
	if (ret == -EPROTO) {
		assert_null(strstr(err, "secret")); /* never quote a URL */
	}
	return ret;
}

/* The key a lookup answers for must be the one asked for; keys= takes no ','. */
static void test_answer_key(void **state)
{
	const char *v1 = "{\"cacheKey\":\"k-1\",\"archiveLocation\":\"https://b/1\"}";
	const char *v2 = "{\"ok\":true,\"signed_download_url\":\"https://b/2\","
			 "\"matched_key\":\"k-1\"}";
	char got[64], url[128];

	assert_true(ktstr_gha_parse__key_matches(v1, strlen(v1), false, "k-1", got, sizeof(got)));
	assert_string_equal(got, "k-1");
	assert_false(ktstr_gha_parse__key_matches(v1, strlen(v1), false, "k-10", got, sizeof(got)));
	assert_false(ktstr_gha_parse__key_matches(v1, strlen(v1), false, "k", got, sizeof(got)));
	assert_true(ktstr_gha_parse__key_matches(v2, strlen(v2), true, "k-1", got, sizeof(got)));
	assert_false(ktstr_gha_parse__key_matches(v2, strlen(v2), true, "k-2", got, sizeof(got)));
	assert_string_equal(got, "k-1");
	/* each protocol reads its own member */
	assert_true(ktstr_gha_parse__key_matches(v2, strlen(v2), false, "k-2", got, sizeof(got)));
	assert_string_equal(got, "");
	assert_true(ktstr_gha_parse__key_matches("{}", 2, true, "k-2", got, sizeof(got)));
	assert_int_equal(ktstr_gha_url__v1_lookup("http://h/", "a,b", url, sizeof(url)), -EINVAL);
	assert_int_equal(ktstr_gha_url__v1_lookup("http://h/", "a;b", url, sizeof(url)), 0);
}

static void test_parsers(void **state)
{
	char url[256], err[256];
	int64_t id = -1;

	assert_int_equal(parse_url(ktstr_gha_parse__v1_lookup,
				   "{\"archiveLocation\":\"https://blob/x?sig=1\"}", url),
			 0);
	assert_string_equal(url, "https://blob/x?sig=1");
	assert_int_equal(parse_url(ktstr_gha_parse__v1_lookup, "{}", url), -EPROTO);
	assert_int_equal(parse_url(ktstr_gha_parse__v1_lookup,
				   "{\"archiveLocation\":\"file:///etc/secret\"}", url),
			 -EPROTO);
	assert_int_equal(parse_url(ktstr_gha_parse__v1_lookup, "[1]", url), -EPROTO);
	assert_int_equal(parse_url(ktstr_gha_parse__v1_lookup, "not json", url), -EPROTO);

	assert_int_equal(ktstr_gha_parse__v1_reserve("{\"cacheId\":17}", 14, &id, err, sizeof(err)),
			 0);
	assert_int_equal(id, 17);
	assert_int_equal(
	    ktstr_gha_parse__v1_reserve("{\"cacheId\":\"17\"}", 16, &id, err, sizeof(err)),
	    -EPROTO);

	assert_int_equal(parse_url(ktstr_gha_parse__v2_download,
				   "{\"ok\":true,\"signed_download_url\":\"http://b/1\","
				   "\"matched_key\":\"k\"}",
				   url),
			 0);
	assert_string_equal(url, "http://b/1");
	assert_int_equal(parse_url(ktstr_gha_parse__v2_download,
				   "{\"ok\":true,\"signedDownloadUrl\":\"http://b/2\"}", url),
			 0);
	assert_string_equal(url, "http://b/2");
	assert_int_equal(parse_url(ktstr_gha_parse__v2_download, "{\"ok\":false}", url), -ENOENT);
	assert_int_equal(parse_url(ktstr_gha_parse__v2_download, "{}", url), -ENOENT);
	assert_int_equal(parse_url(ktstr_gha_parse__v2_download, "{\"ok\":\"yes\"}", url), -EPROTO);
	assert_int_equal(parse_url(ktstr_gha_parse__v2_download, "{\"ok\":true}", url), -EPROTO);
	assert_int_equal(parse_url(ktstr_gha_parse__v2_create, "{\"ok\":false}", url), -EEXIST);
	assert_int_equal(parse_url(ktstr_gha_parse__v2_create,
				   "{\"ok\":true,\"signed_upload_url\":\"https://u\"}", url),
			 0);
	assert_int_equal(parse_url(ktstr_gha_parse__v2_create, "{\"ok\":true,\"ok\":false}", url),
			 -EPROTO); /* duplicate keys */
}

static void test_keys(void **state)
{
	assert_true(ktstr_gha_key__valid("6.14.2-tarball-x86_64-kc1a2b3c4d"));
	assert_false(ktstr_gha_key__valid(""));
	assert_false(ktstr_gha_key__valid("  "));
	assert_false(ktstr_gha_key__valid("."));
	assert_false(ktstr_gha_key__valid("a/b"));
	assert_false(ktstr_gha_key__valid("a\\b"));
	assert_false(ktstr_gha_key__valid("a..b"));
	assert_false(ktstr_gha_key__valid(".tmp-x-1"));
	assert_false(ktstr_gha_key__valid("a\nb"));

	assert_true(ktstr_gha_key__is_cache_key("fixture-gha-1"));
	assert_true(ktstr_gha_key__is_cache_key("local-abc1234-x86_64-kc00000000"));
	assert_true(ktstr_gha_key__is_cache_key("6"));	   /* not a version upstream */
	assert_true(ktstr_gha_key__is_cache_key("v6.14")); /* no 'v' prefix in versions */
	assert_false(ktstr_gha_key__is_cache_key("6.14"));
	assert_false(ktstr_gha_key__is_cache_key("6.14.2"));
	assert_false(ktstr_gha_key__is_cache_key("6.15-rc3"));
	assert_false(ktstr_gha_key__is_cache_key("6.10..6.12"));
	assert_false(ktstr_gha_key__is_cache_key("~/linux"));
	assert_false(ktstr_gha_key__is_cache_key(".config"));
	assert_false(ktstr_gha_key__is_cache_key("../linux"));
	assert_false(ktstr_gha_key__is_cache_key("git+https://x/y#main"));
	assert_false(ktstr_gha_key__is_cache_key("latest"));
}

/* ---- blobs ---- */

static char root[256];

static int blob_setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/ktstr-test-gha-XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int blob_teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *slurp(const char *dir, const char *name)
{
	static char buf[8192];
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (f == NULL) {
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static char *subdir(const char *name)
{
	static char path[4][512];
	static int i;
	char *p = path[i++ % 4];

	snprintf(p, 512, "%s/%s", root, name);
	mkdir(p, 0755);
	return p;
}


#define META_LOCAL                                                                                 \
	"{\"version\":\"6.99.0\",\"source\":{\"type\":\"local\",\"source_tree_path\":"             \
	"\"/home/me/linux\",\"git_hash\":\"abc1234\"},\"arch\":\"x86_64\",\"image_name\":"         \
	"\"bzImage\",\"built_at\":\"2026-11-28T00:00:00Z\",\"has_vmlinux\":true,"                  \
	"\"vmlinux_stripped\":true}"

static void test_blob_round_trip(void **state)
{
	char *src = subdir("src"), *dst = subdir("dst"), err[512], magic[4];
	struct ktstr_gha_blob_info info;
	FILE *blob = tmpfile();

	put(src, "metadata.json", META_LOCAL);
	put(src, "bzImage", "the image bytes");
	put(src, "vmlinux", "\177ELF symbols");
	put(src, "config", "CONFIG_X=y\n"); /* not part of a blob */
	assert_int_equal(ktstr_gha_blob__pack(src, blob, err, sizeof(err)), 0);
	rewind(blob);
	assert_int_equal(fread(magic, 1, 4, blob), 4);
	assert_memory_equal(magic, "\x28\xb5\x2f\xfd", 4); /* zstd */
	rewind(blob);
	assert_int_equal(ktstr_gha_blob__unpack(blob, dst, 1 << 20, &info, err, sizeof(err)), 0);
	fclose(blob);
	assert_string_equal(info.image_name, "bzImage");
	assert_string_equal(info.version, "6.99.0");
	assert_true(info.has_vmlinux);
	assert_string_equal(slurp(dst, "bzImage"), "the image bytes");
	assert_string_equal(slurp(dst, "vmlinux"), "\177ELF symbols");
	assert_null(slurp(dst, "config"));
	assert_non_null(strstr(slurp(dst, "metadata.json"), "\"source_tree_path\": null"));
	assert_non_null(strstr(slurp(dst, "metadata.json"), "\"git_hash\": \"abc1234\""));
	assert_int_equal(dir_count(dst), 3);
}

static void test_blob_without_vmlinux(void **state)
{
	char *src = subdir("src"), *dst = subdir("dst"), err[512];
	struct ktstr_gha_blob_info info;
	FILE *blob = tmpfile();

	put(src, "metadata.json", "{\"image_name\":\"Image\",\"source\":{\"type\":\"tarball\"}}");
	put(src, "Image", "arm64 image");
	assert_int_equal(ktstr_gha_blob__pack(src, blob, err, sizeof(err)), 0);
	rewind(blob);
	assert_int_equal(ktstr_gha_blob__unpack(blob, dst, 1 << 20, &info, err, sizeof(err)), 0);
	fclose(blob);
	assert_false(info.has_vmlinux);
	assert_string_equal(info.version, "");
	/* no source_tree_path in the source: none is added */
	assert_null(strstr(slurp(dst, "metadata.json"), "source_tree_path"));
	assert_int_equal(dir_count(dst), 2);
}

static void test_blob_pack_refusals(void **state)
{
	char *src = subdir("src"), err[512];
	FILE *blob = tmpfile();

	assert_int_equal(ktstr_gha_blob__pack(src, blob, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "metadata.json"));
	put(src, "metadata.json", "{\"image_name\":\"../bzImage\"}");
	assert_int_equal(ktstr_gha_blob__pack(src, blob, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not a plain file name"));
	put(src, "metadata.json", "{\"image_name\":\"bzImage\"}");
	assert_true(ktstr_gha_blob__pack(src, blob, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, "/bzImage"));
	fclose(blob);
}

/* A blob built by hand: entries {name, data, type}; zstd or plain tar. */
struct entry {
	const char *name;
	const char *data;
	unsigned type; /* AE_IFREG when 0 */
};

static FILE *make_tar(const struct entry *e, size_t n, int zstd)
{
	FILE *f = tmpfile();
	struct archive *a = archive_write_new();

	assert_int_equal(archive_write_set_format_gnutar(a), ARCHIVE_OK);
	if (zstd) {
		assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
		archive_write_set_bytes_in_last_block(a, 1);
	}
	assert_int_equal(archive_write_open_FILE(a, f), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *ae = archive_entry_new();
		size_t len = strlen(e[i].data);

		archive_entry_set_pathname(ae, e[i].name);
		archive_entry_set_filetype(ae, e[i].type ? e[i].type : AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		if (e[i].type == AE_IFLNK) {
			archive_entry_set_symlink(ae, e[i].data);
			len = 0;
		}
		archive_entry_set_size(ae, (la_int64_t)len);
		assert_int_equal(archive_write_header(a, ae), ARCHIVE_OK);
		if (len > 0) {
			assert_int_equal(archive_write_data(a, e[i].data, len), (la_ssize_t)len);
		}
		archive_entry_free(ae);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	rewind(f);
	return f;
}

static int unpack_entries(const struct entry *e, size_t n, int zstd, const char *dst, uint64_t max,
			  char *err, size_t errlen)
{
	struct ktstr_gha_blob_info info;
	FILE *f = make_tar(e, n, zstd);
	int ret = ktstr_gha_blob__unpack(f, dst, max, &info, err, errlen);

	fclose(f);
	return ret;
}

#define META "{\"image_name\":\"bzImage\"}"

static void test_blob_plain_tar_and_rename(void **state)
{
	/* a plain (uncompressed) tar whose image entry has another name */
	const struct entry ok[] = {{"metadata.json", META, 0}, {"kernel.img", "img", 0}};
	char *dst = subdir("dst"), err[512];

	assert_int_equal(unpack_entries(ok, 2, 0, dst, 1 << 20, err, sizeof(err)), 0);
	assert_string_equal(slurp(dst, "bzImage"), "img");
	assert_int_equal(dir_count(dst), 2);
}

static void expect_refused(const struct entry *e, size_t n, uint64_t max, int want, const char *why)
{
	char *dst = subdir("dst"), err[512];

	assert_int_equal(unpack_entries(e, n, 1, dst, max, err, sizeof(err)), want);
	if (strstr(err, why) == NULL) {
		fail_msg("error \"%s\" does not say \"%s\"", err, why);
	}
	assert_int_equal(dir_count(dst), 0); /* nothing half-written is left */
	assert_null(slurp(root, "evil"));      /* and nothing outside */
}

static void test_blob_refusals(void **state)
{
	const struct entry up[] = {{"metadata.json", META, 0}, {"../evil", "x", 0}};
	const struct entry sub[] = {{"metadata.json", META, 0}, {"a/bzImage", "x", 0}};
	const struct entry abs[] = {{"metadata.json", META, 0}, {"/tmp/evil", "x", 0}};
	const struct entry dots[] = {{"metadata.json", META, 0}, {"..", "x", 0}};
	const struct entry hidden[] = {{"metadata.json", META, 0}, {".bzImage", "x", 0}};
	const struct entry link[] = {{"metadata.json", META, 0},
				     {"bzImage", "/etc/passwd", AE_IFLNK}};
	const struct entry dir[] = {{"metadata.json", META, 0}, {"bzImage", "", AE_IFDIR}};
	const struct entry big[] = {{"metadata.json", META, 0}, {"bzImage", "0123456789", 0}};
	const struct entry no_meta[] = {{"bzImage", "img", 0}};
	const struct entry no_image[] = {{"metadata.json", META, 0}, {"vmlinux", "v", 0}};
	const struct entry two[] = {
	    {"metadata.json", META, 0}, {"bzImage", "a", 0}, {"Image", "b", 0}};
	const struct entry dup[] = {{"metadata.json", META, 0}, {"metadata.json", META, 0}};
	const struct entry bad_meta[] = {{"metadata.json", "{\"image_name\":\"vmlinux\"}", 0},
					 {"bzImage", "a", 0}};
	const struct entry four[] = {{"metadata.json", META, 0},
				     {"bzImage", "a", 0},
				     {"vmlinux", "v", 0},
				     {"extra", "e", 0}};

	expect_refused(up, 2, 1 << 20, -EBADMSG, "not a plain file name");
	expect_refused(sub, 2, 1 << 20, -EBADMSG, "not a plain file name");
	expect_refused(abs, 2, 1 << 20, -EBADMSG, "not a plain file name");
	expect_refused(dots, 2, 1 << 20, -EBADMSG, "not a plain file name");
	expect_refused(hidden, 2, 1 << 20, -EBADMSG, "not a plain file name");
	expect_refused(link, 2, 1 << 20, -EBADMSG, "not a regular file");
	expect_refused(dir, 2, 1 << 20, -EBADMSG,
		       "bzImage/\" refused"); /* libarchive names it "bzImage/" */
	expect_refused(big, 2, 9, -EFBIG, "larger than 9 bytes");
	expect_refused(no_meta, 1, 1 << 20, -EBADMSG, "no metadata.json");
	expect_refused(no_image, 2, 1 << 20, -EBADMSG, "no image");
	expect_refused(two, 3, 1 << 20, -EBADMSG, "a second image");
	expect_refused(dup, 2, 1 << 20, -EBADMSG, "a second metadata.json");
	expect_refused(bad_meta, 2, 1 << 20, -EBADMSG, "not a plain file name");
	expect_refused(four, 4, 1 << 20, -EBADMSG, "more than 3 entries");
}

/* A hostile blob's text reaches the terminal escaped; a version with blanks or controls fails. */
static void test_blob_hostile_text(void **state)
{
	const struct entry esc_name[] = {{"metadata.json", META, 0},
					 {"\x1b]0;pwned\abzImage", "x", 0}};
	const struct entry esc_image[] = {
	    {"metadata.json", "{\"image_name\":\"a/\\u001b[2Jb\"}", 0}, {"bzImage", "x", 0}};
	const struct entry esc_fourth[] = {{"metadata.json", META, 0},
					   {"bzImage", "a", 0},
					   {"vmlinux", "v", 0},
					   {"e\x1b[31m", "e", 0}};
	const struct entry high[] = {{"metadata.json", META, 0}, {"bz\xc2\x9bImage", "x", 0}};
	const struct entry ver_ctl[] = {
	    {"metadata.json", "{\"image_name\":\"bzImage\",\"version\":\"6.1\\u001b[2J\"}", 0},
	    {"bzImage", "x", 0}};
	const struct entry ver_blank[] = {
	    {"metadata.json", "{\"image_name\":\"bzImage\",\"version\":\"6.1 evil\"}", 0},
	    {"bzImage", "x", 0}};
	const struct entry ver_ok[] = {
	    {"metadata.json", "{\"image_name\":\"bzImage\",\"version\":\"6.14.0-rc1+\"}", 0},
	    {"bzImage", "x", 0}};
	char *dst, err[512];

	expect_refused(esc_name, 2, 1 << 20, -EBADMSG,
		       "blob entry \"\\x1b]0;pwned\\x07bzImage\" refused");
	expect_refused(esc_image, 2, 1 << 20, -EBADMSG,
		       "image_name \"a/\\x1b[2Jb\" is not a plain file name");
	expect_refused(esc_fourth, 4, 1 << 20, -EBADMSG,
		       "blob entry \"e\\x1b[31m\" refused: more than 3 entries");
	expect_refused(high, 2, 1 << 20, -EBADMSG, "\"bz\\xc2\\x9bImage\" refused");
	expect_refused(ver_ctl, 2, 1 << 20, -EBADMSG,
		       "version \"6.1\\x1b[2J\" is not printable text without blanks");
	expect_refused(ver_blank, 2, 1 << 20, -EBADMSG, "version \"6.1 evil\" is not printable");
	dst = subdir("dst");
	assert_int_equal(unpack_entries(ver_ok, 2, 1, dst, 1 << 20, err, sizeof(err)), 0);
	assert_false(ktstr_gha_blob__name_ok("bz\xc3\xa9"));
}

static void test_blob_truncated_and_garbage(void **state)
{
	const struct entry ok[] = {{"metadata.json", META, 0}, {"bzImage", "image bytes", 0}};
	char *dst = subdir("dst"), err[512], buf[65536];
	struct ktstr_gha_blob_info info;
	FILE *full = make_tar(ok, 2, 1), *cut = tmpfile(), *junk;
	size_t n = fread(buf, 1, sizeof(buf), full);

	fclose(full);
	assert_true(n > 16);
	fwrite(buf, 1, n / 2, cut);
	rewind(cut);
	assert_int_equal(ktstr_gha_blob__unpack(cut, dst, 1 << 20, &info, err, sizeof(err)),
			 -EBADMSG);
	assert_int_equal(dir_count(dst), 0);
	fclose(cut);

	junk = fmemopen((void *)"this is not a tar", 17, "r");
	assert_int_equal(ktstr_gha_blob__unpack(junk, dst, 1 << 20, &info, err, sizeof(err)),
			 -EBADMSG);
	fclose(junk);
	assert_int_equal(dir_count(dst), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_env_enabling),
	    cmocka_unit_test(test_env_protocol),
	    cmocka_unit_test(test_urls),
	    cmocka_unit_test(test_bodies),
	    cmocka_unit_test(test_answer_key),
	    cmocka_unit_test(test_parsers),
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test_setup_teardown(test_blob_round_trip, blob_setup, blob_teardown),
	    cmocka_unit_test_setup_teardown(test_blob_without_vmlinux, blob_setup, blob_teardown),
	    cmocka_unit_test_setup_teardown(test_blob_pack_refusals, blob_setup, blob_teardown),
	    cmocka_unit_test_setup_teardown(test_blob_plain_tar_and_rename, blob_setup,
					    blob_teardown),
	    cmocka_unit_test_setup_teardown(test_blob_refusals, blob_setup, blob_teardown),
	    cmocka_unit_test_setup_teardown(test_blob_hostile_text, blob_setup, blob_teardown),
	    cmocka_unit_test_setup_teardown(test_blob_truncated_and_garbage, blob_setup,
					    blob_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
