/*
 * kernel-source/gha against tests/tools/gha_cache_server.py on loopback:
 * both protocol generations through the plugin's ops (mock engine), the
 * quiet paths (off, miss, 409), failures (500 with its one retry, a cut
 * body, a closed port, a slow server past timeout_s) each reported once and
 * then left alone, and the token never appearing in anything said.
 * Skipped (77) without python3.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "dir_count.h"

#include <ktstr/kernel_source.h>

#include "gha_http.h"
#include "mock_host.h"

#define TOKEN "tok-3f9a1c-SECRET"

static struct ktstr_host_api host;
static char root[256], said[65536]; /* everything logged or set as an error */
static pid_t server;
static int port;
static unsigned installs, warnings;
static int install_fails; /* fake_install returns this when non-zero */
static struct {
	char what[128];
	uint64_t done, total;
	unsigned calls;
} progress;

static void note(const char *tag, const char *fmt, va_list ap)
{
	size_t n = strlen(said);

	snprintf(said + n, sizeof(said) - n, "%s", tag);
	n = strlen(said);
	vsnprintf(said + n, sizeof(said) - n, fmt, ap);
	n = strlen(said);
	snprintf(said + n, sizeof(said) - n, "\n");
}

static void cap_log(struct ktstr_inst *inst, enum ktstr_log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	note(lvl == KTSTR_LOG_WARN ? "W " : lvl == KTSTR_LOG_INFO ? "I " : "D ", fmt, ap);
	va_end(ap);
	warnings += lvl <= KTSTR_LOG_WARN;
	inst->nr_logs++;
}

static void cap_error(struct ktstr_inst *inst, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(inst->last_error, sizeof(inst->last_error), fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	note("E ", fmt, ap);
	va_end(ap);
	inst->nr_errors++;
}

static void cap_progress(struct ktstr_inst *inst, const char *what, uint64_t done, uint64_t total)
{
	snprintf(progress.what, sizeof(progress.what), "%s", what);
	progress.done = done;
	progress.total = total;
	progress.calls++;
}

static int fake_install(struct ktstr_inst *inst, const struct ktstr_kernel_install *req,
			struct ktstr_kernel *out)
{
	struct ktstr_entry_meta meta = {
	    .sz = sizeof(meta), .source_vmlinux_size = -1, .source_vmlinux_mtime_secs = -1};
	char dir[300], image[600];
	int ret;

	if (install_fails != 0) {
		return install_fails; /* the local cache's trouble, before any fill */
	}
	snprintf(dir, sizeof(dir), "%s/install-%u", root, installs);
	assert_int_equal(mkdir(dir, 0755), 0);
	ret = req->fill(inst, req->ctx, dir, &meta);
	if (ret < 0) {
		return ret;
	}
	assert_non_null(meta.image_name);
	snprintf(image, sizeof(image), "%s/%s", dir, meta.image_name);
	assert_int_equal(access(image, R_OK), 0);
	installs++;
	return host.kernel_set(out, KTSTR_KERNEL_IMAGE, image) == 0 ? 1 : -ENOMEM;
}

static const struct ktstr_kernel_source_ops *load(struct ktstr_inst *inst)
{
	const struct ktstr_plugin_desc *d = NULL;

	host = ktstr_mock_host;
	host.log = cap_log;
	host.set_error = cap_error;
	host.kernel_install = fake_install;
	host.progress = cap_progress;
	assert_int_equal(ktstr_plugin_entry_v1(&host, &d), 0);
	ktstr_mock_inst__new(inst, d);
	ktstr_mock_inst__set(inst, "retry_ms", "50");
	assert_int_equal(ktstr_mock_inst__init(inst), 0);
	return d->ops;
}

/* ---- the server ---- */

static char *server_log(void)
{
	static char buf[16384];
	char path[300];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/server.log", root);
	f = fopen(path, "r");
	buf[0] = '\0';
	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
	}
	return buf;
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle)) {
		n++;
	}
	return n;
}

static void use_v1(void)
{
	char url[64];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	setenv("KTSTR_GHA_CACHE", "1", 1);
	setenv("ACTIONS_CACHE_URL", url, 1);
	setenv("ACTIONS_RUNTIME_TOKEN", TOKEN, 1);
	unsetenv("ACTIONS_CACHE_SERVICE_V2");
	unsetenv("ACTIONS_RESULTS_URL");
	unsetenv("GITHUB_SERVER_URL");
}

static void use_v2(void)
{
	char url[64];

	use_v1();
	unsetenv("ACTIONS_CACHE_URL");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port); /* no '/': the plugin adds it */
	setenv("ACTIONS_RESULTS_URL", url, 1);
	setenv("ACTIONS_CACHE_SERVICE_V2", "true", 1);
}

static void set_mode(const char *mode)
{
	struct ktstr_gha_http_resp resp;
	struct ktstr_gha_http_req req = {.method = "GET", .max_body = 4096, .timeout_s = 10};
	char url[128], err[256];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/_ktstr/mode/%s", port, mode);
	req.url = url;
	assert_int_equal(ktstr_gha_http__do(&req, &resp, err, sizeof(err)), 0);
	assert_int_equal(resp.status, 200);
	ktstr_gha_http_resp__free(&resp);
}

static int setup(void **state)
{
	char script[512], portfile[300], logfile[300], buf[16] = "";
	const char *src = getenv("KTSTR_SOURCE_DIR");

	snprintf(root, sizeof(root), "/tmp/ktstr-test-gha-svc-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(script, sizeof(script), "%s/tests/tools/gha_cache_server.py",
		 src != NULL ? src : ".");
	snprintf(portfile, sizeof(portfile), "%s/port", root);
	snprintf(logfile, sizeof(logfile), "%s/server.log", root);
	server = fork();
	assert_true(server >= 0);
	if (server == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		execlp("python3", "python3", script, "--token", TOKEN, "--port-file", portfile,
		       "--log", logfile, "--slow-s", "3", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && buf[0] == '\0'; i++) {
		FILE *f = fopen(portfile, "r");
		int status;

		if (f != NULL) {
			if (fgets(buf, sizeof(buf), f) == NULL) {
				buf[0] = '\0';
			}
			fclose(f);
		} else if (waitpid(server, &status, WNOHANG) == server) {
			server = 0;
			break;
		}
		usleep(50 * 1000);
	}
	port = atoi(buf);
	said[0] = '\0';
	installs = warnings = 0;
	memset(&progress, 0, sizeof(progress));
	ktstr_mock_scratch_dir = root;
	if (port <= 0) {
		print_message("gha_cache_server.py did not start (no python3?): skipped\n");
		exit(77);
	}
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	/* the token must never appear in anything the plugin said */
	if (strstr(said, TOKEN) != NULL) {
		fail_msg("the token leaked into:\n%s", said);
	}
	if (server > 0) {
		kill(server, SIGTERM);
		waitpid(server, NULL, 0);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- an entry to publish ---- */

static char *entry_dir(const char *name, const char *image_bytes)
{
	static char dir[300];
	char path[400];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/%s", root, name);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/metadata.json", dir);
	f = fopen(path, "w");
	fputs("{\"version\":\"6.99.0\",\"source\":{\"type\":\"fixture\"},\"arch\":\"x86_64\","
	      "\"image_name\":\"bzImage\",\"built_at\":\"2026-11-28T00:00:00Z\","
	      "\"has_vmlinux\":false,\"vmlinux_stripped\":false}",
	      f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/bzImage", dir);
	f = fopen(path, "w");
	fputs(image_bytes, f);
	fclose(f);
	return dir;
}

static char *empty_dir(const char *name)
{
	static char dir[300];

	snprintf(dir, sizeof(dir), "%s/%s", root, name);
	assert_int_equal(mkdir(dir, 0755), 0);
	return dir;
}


/* ---- tests ---- */

static void test_off_is_silent(void **state)
{
	struct ktstr_inst inst;
	const struct ktstr_kernel_source_ops *ops = load(&inst);
	struct ktstr_kernel k = {0};

	use_v1();
	setenv("KTSTR_GHA_CACHE", "yes", 1);
	assert_int_equal(ops->remote_fetch(&inst, "k1", empty_dir("d")), -ENOENT);
	assert_int_equal(ops->remote_store(&inst, "k1", entry_dir("e", "img")), -ENOENT);
	assert_int_equal(ops->resolve(&inst, "k1", &k), -ENOENT);
	assert_int_equal(inst.nr_errors + inst.nr_logs, 0);
	assert_string_equal(server_log(), "");
	ktstr_mock_inst__free(&inst);
}

static void round_trip(bool v2)
{
	struct ktstr_inst inst;
	const struct ktstr_kernel_source_ops *ops = load(&inst);
	char *src = entry_dir("e", "image bytes"), *hit, *log;

	v2 ? use_v2() : use_v1();
	assert_int_equal(ops->remote_fetch(&inst, "key-1", empty_dir("miss")), -ENOENT);
	assert_int_equal(inst.nr_errors, 0);
	assert_int_equal(ops->remote_store(&inst, "key-1", src), 0);
	assert_int_equal(ops->remote_store(&inst, "key-1", src), -EEXIST); /* already there */
	assert_int_equal(warnings, 0);
	hit = empty_dir("hit");
	assert_int_equal(ops->remote_fetch(&inst, "key-1", hit), 0);
	assert_int_equal(dir_count(hit), 2);
	assert_non_null(strstr(said, "I gha: fetched from remote cache: key-1"));
	assert_int_equal(inst.nr_errors, 0);
	log = server_log();
	if (v2) {
		assert_int_equal(count(log, "CreateCacheEntry 200"), 2);
		assert_int_equal(count(log, "PUT /_blob/1 201"), 1);
		assert_int_equal(count(log, "FinalizeCacheEntryUpload 200"), 1);
		assert_int_equal(count(log, "GetCacheEntryDownloadURL 200"), 2);
	} else {
		assert_int_equal(count(log, "GET /_apis/artifactcache/cache 204"), 1);
		assert_int_equal(count(log, "POST /_apis/artifactcache/caches 201"), 1);
		assert_int_equal(count(log, "PATCH /_apis/artifactcache/caches/1 204"), 1);
		assert_int_equal(count(log, "POST /_apis/artifactcache/caches/1 204"), 1);
		assert_int_equal(count(log, "POST /_apis/artifactcache/caches 409"), 1);
		assert_int_equal(count(log, "GET /_apis/artifactcache/cache 200"), 1);
	}
	assert_int_equal(count(log, " 400"), 0); /* the server understood every request */
	assert_int_equal(count(log, "GET /_blob/1 200"), 1);
	ktstr_mock_inst__free(&inst);
}

static void test_v1_round_trip(void **state)
{
	round_trip(false);
}

static void test_v2_round_trip(void **state)
{
	round_trip(true);
}

static void test_restored_files(void **state)
{
	struct ktstr_inst inst;
	const struct ktstr_kernel_source_ops *ops = load(&inst);
	char *dst, path[400], buf[64] = "";
	FILE *f;

	use_v2();
	assert_int_equal(ops->remote_store(&inst, "key-2", entry_dir("e", "the image")), 0);
	dst = empty_dir("dst");
	assert_int_equal(ops->remote_fetch(&inst, "key-2", dst), 0);
	assert_int_equal(dir_count(dst), 2); /* metadata.json, bzImage; the temp blob is gone */
	snprintf(path, sizeof(path), "%s/bzImage", dst);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "the image");
	ktstr_mock_inst__free(&inst);
}

static void test_resolve(void **state)
{
	struct ktstr_inst inst;
	const struct ktstr_kernel_source_ops *ops = load(&inst);
	struct ktstr_kernel k = {0};

	use_v1();
	assert_int_equal(ops->resolve(&inst, "key-3", &k), -ENOENT); /* a miss: next source */
	assert_int_equal(installs, 0);
	assert_int_equal(ops->remote_store(&inst, "key-3", entry_dir("e", "img")), 0);
	assert_int_equal(ops->resolve(&inst, "6.14", &k), -ENOENT); /* a version: not asked */
	assert_int_equal(ops->resolve(&inst, "../x", &k), -ENOENT);
	assert_int_equal(count(server_log(), "GET /_apis/artifactcache/cache "), 1);
	assert_int_equal(ops->resolve(&inst, "key-3", &k), 0);
	assert_int_equal(installs, 1);
	assert_non_null(k.fields[KTSTR_KERNEL_IMAGE]);
	assert_non_null(strstr(k.fields[KTSTR_KERNEL_IMAGE], "/bzImage"));
	assert_non_null(strstr(said, "fetched from remote cache: key-3"));
	assert_int_equal(warnings, 0);
	ktstr_mock_kernel__free(&k);
	ktstr_mock_inst__free(&inst);
}

/* The miss list keeps the last 32 misses: those are not asked again, older ones are. */
static void test_miss_list_evicts_oldest(void **state)
{
	struct ktstr_inst inst;
	const struct ktstr_kernel_source_ops *ops = load(&inst);
	struct ktstr_kernel k = {0};
	char key[32], dir[32];

	use_v1();
	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "key-miss-%d", i);
		assert_int_equal(ops->resolve(&inst, key, &k), -ENOENT);
	}
	assert_int_equal(count(server_log(), "GET /_apis/artifactcache/cache "), 40);
	for (int i = 39; i >= 0; i--) {
		snprintf(key, sizeof(key), "key-miss-%d", i);
		snprintf(dir, sizeof(dir), "d%d", i);
		assert_int_equal(ops->remote_fetch(&inst, key, empty_dir(dir)), -ENOENT);
		/* 8..39 remembered (no request); 0..7 evicted (one request each) */
		assert_int_equal(count(server_log(), "GET /_apis/artifactcache/cache "),
				 40 + (i < 8 ? 8 - i : 0));
	}
	assert_int_equal(warnings, 0);
	ktstr_mock_inst__free(&inst);
}

/* A local install failure (-ENOSPC) is a warning, and the service stays on. */
static void test_local_install_failure(void **state)
{
	struct ktstr_inst inst;
	const struct ktstr_kernel_source_ops *ops = load(&inst);
	struct ktstr_kernel k = {0};

	use_v1();
	assert_int_equal(ops->remote_store(&inst, "key-9", entry_dir("e", "img")), 0);
	install_fails = -ENOSPC;
	assert_int_equal(ops->resolve(&inst, "key-9", &k), -ENOENT); /* the chain goes on */
	install_fails = 0;
	assert_int_equal(warnings, 1);
	assert_non_null(strstr(said, "could not be installed: No space left on device"));
	/* the service is still asked */
	assert_int_equal(ops->resolve(&inst, "key-9", &k), 0);
	assert_int_equal(installs, 1);
	assert_int_equal(count(server_log(), "GET /_apis/artifactcache/cache "), 2);
	ktstr_mock_kernel__free(&k);
	ktstr_mock_inst__free(&inst);
}

static void test_server_error_once(void **state)
{
	struct ktstr_inst inst;
	const struct ktstr_kernel_source_ops *ops = load(&inst);
	struct ktstr_kernel k = {0};
	char *src = entry_dir("e", "img");

	use_v1();
	set_mode("error");
	/* resolve: one warning line, and the chain goes on */
	assert_int_equal(ops->resolve(&inst, "key-4", &k), -ENOENT);
	assert_int_equal(warnings, 1);
	assert_non_null(strstr(said, "W gha: remote cache read warning: GET http://127.0.0.1:"));
	assert_non_null(
	    strstr(said, "HTTP 500 (server error; temporary, failed again after one retry)"));
	assert_int_equal(count(server_log(), "GET /_apis/artifactcache/cache 500"), 2);
	/* from now on the service is left alone, silently */
	assert_int_equal(ops->remote_fetch(&inst, "key-4", empty_dir("d")), -ENOENT);
	assert_int_equal(ops->remote_store(&inst, "key-4", src), -ENOENT);
	assert_int_equal(count(server_log(), "\n"), 3); /* the mode switch and the two lookups */
	assert_int_equal(warnings, 1);
	ktstr_mock_inst__free(&inst);
}

static void test_fetch_error_is_reported(void **state)
{
	struct ktstr_inst inst;
	const struct ktstr_kernel_source_ops *ops = load(&inst);

	use_v2();
	set_mode("rate");
	assert_int_equal(ops->remote_fetch(&inst, "key-5", empty_dir("d")), -EAGAIN);
	assert_int_equal(inst.nr_errors, 1);
	assert_non_null(strstr(inst.last_error, "HTTP 429 (rate limited"));
	assert_int_equal(count(server_log(), "GetCacheEntryDownloadURL 429"), 2);
	ktstr_mock_inst__free(&inst);
}

static void test_cut_bodies(void **state)
{
	const char *modes[] = {"truncate", "cuttar"};
	char big[100000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 2; i++) {
		struct ktstr_inst inst;
		const struct ktstr_kernel_source_ops *ops = load(&inst);
		char key[16], dir[16], *dst;

		use_v1();
		set_mode("none");
		snprintf(key, sizeof(key), "key-6%d", i);
		snprintf(dir, sizeof(dir), "cut%d", i);
		assert_int_equal(ops->remote_store(&inst, key, entry_dir("e", big)), 0);
		set_mode(modes[i]);
		dst = empty_dir(dir);
		assert_int_equal(ops->remote_fetch(&inst, key, dst), i == 0 ? -EIO : -EBADMSG);
		assert_non_null(strstr(inst.last_error, i == 0 ? "cut short" : "runcated"));
		assert_int_equal(dir_count(dst), 0); /* nothing half-written */
		ktstr_mock_inst__free(&inst);
	}
}

static void test_closed_port(void **state)
{
	struct ktstr_inst inst;
	const struct ktstr_kernel_source_ops *ops = load(&inst);

	use_v1();
	setenv("ACTIONS_CACHE_URL", "http://127.0.0.1:1/", 1);
	assert_int_equal(ops->remote_fetch(&inst, "key-7", empty_dir("d")), -ECONNREFUSED);
	assert_non_null(strstr(inst.last_error, "127.0.0.1"));
	assert_int_equal(ops->remote_store(&inst, "key-7", entry_dir("e", "img")), -ENOENT);
	ktstr_mock_inst__free(&inst);
}

static void test_slow_server_times_out(void **state)
{
	struct ktstr_inst inst;
	const struct ktstr_kernel_source_ops *ops = load(&inst);
	time_t t0 = time(NULL);

	ktstr_mock_inst__set(&inst, "timeout_s", "1");
	use_v2();
	set_mode("slow");
	assert_int_equal(ops->remote_fetch(&inst, "key-8", empty_dir("d")), -ETIMEDOUT);
	assert_true(time(NULL) - t0 <= 3);
	ktstr_mock_inst__free(&inst);
}

static void test_wrong_token(void **state)
{
	struct ktstr_inst inst;
	const struct ktstr_kernel_source_ops *ops = load(&inst);

	use_v1();
	setenv("ACTIONS_RUNTIME_TOKEN", "not-" TOKEN, 1);
	assert_int_equal(ops->remote_fetch(&inst, "key-9", empty_dir("d")), -EACCES);
	assert_non_null(strstr(inst.last_error, "HTTP 401"));
	setenv("ACTIONS_RUNTIME_TOKEN", TOKEN, 1);
	ktstr_mock_inst__free(&inst);
}

static void test_progress_of_big_blobs(void **state)
{
	struct ktstr_inst inst;
	const struct ktstr_kernel_source_ops *ops = load(&inst);
	char *src = entry_dir("e", "small"), path[400], cmd[500];

	use_v1();
	assert_int_equal(ops->remote_store(&inst, "key-small", src), 0);
	assert_int_equal(progress.calls, 0); /* small blobs show nothing */
	/* 9 MiB of random bytes: zstd cannot shrink them below the 8 MiB mark */
	snprintf(path, sizeof(path), "%s/bzImage", src);
	snprintf(cmd, sizeof(cmd), "head -c 9437184 /dev/urandom > '%s'", path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(ops->remote_store(&inst, "key-big", src), 0);
	assert_true(progress.calls >= 2);
	assert_string_equal(progress.what, "upload key-big");
	assert_true(progress.total > 9437184 && progress.done == progress.total);
	memset(&progress, 0, sizeof(progress));
	assert_int_equal(ops->remote_fetch(&inst, "key-big", empty_dir("d")), 0);
	assert_true(progress.calls >= 2);
	assert_string_equal(progress.what, "download key-big");
	assert_true(progress.total > 9437184 && progress.done == progress.total);
	ktstr_mock_inst__free(&inst);
}

static void test_bad_options(void **state)
{
	const struct ktstr_plugin_desc *d = NULL;
	struct ktstr_inst inst;

	host = ktstr_mock_host;
	assert_int_equal(ktstr_plugin_entry_v1(&host, &d), 0);
	ktstr_mock_inst__new(&inst, d);
	ktstr_mock_inst__set(&inst, "timeout_s", "0");
	assert_int_equal(ktstr_mock_inst__init(&inst), -EINVAL);
	assert_non_null(strstr(inst.last_error, "timeout_s"));
	ktstr_mock_inst__free(&inst);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_off_is_silent),
	    T(test_v1_round_trip),
	    T(test_v2_round_trip),
	    T(test_restored_files),
	    T(test_resolve),
	    T(test_miss_list_evicts_oldest),
	    T(test_local_install_failure),
	    T(test_server_error_once),
	    T(test_fetch_error_is_reported),
	    T(test_cut_bodies),
	    T(test_closed_port),
	    T(test_slow_server_times_out),
	    T(test_wrong_token),
	    T(test_progress_of_big_blobs),
	    T(test_bad_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
