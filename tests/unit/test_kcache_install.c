/*
 * host->kernel_install() end to end against in-process sources: a fill and
 * a hit, --force, fill errors and bad fills leave nothing, a fill's own
 * metadata.json, restores from a remote cache (and a bad restore thrown
 * away), concurrent installers fill once, a SIGKILLed fill leaves only a
 * leftover that the next install sweeps, cancellation (last: sticky).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kcache.h"
#include "kchain.h"
#include "registry_internal.h"
#include "test_kcache_util.h"

static struct ktstr_registry *reg;
static struct ktstr_inst *src, *remote;
static struct ktstr_kchain *chain;
static int fills, stores;
static char log_path[PATH_MAX];

enum fill_mode {
	FILL_OK,
	FILL_FAIL,
	FILL_META,
	FILL_BAD_META,
	FILL_VMLINUX,
	FILL_HANG,
	FILL_BZIMAGE,
	FILL_CANCEL
};

static void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static int fill(struct ktstr_inst *inst, void *ctx, const char *dir, struct ktstr_entry_meta *meta)
{
	enum fill_mode mode = (enum fill_mode)(intptr_t)ctx;
	FILE *f = fopen(log_path, "a");

	fprintf(f, "fill %d\n", (int)getpid());
	fclose(f);
	fills++;
	assert_int_equal(meta->sz, sizeof(*meta));
	assert_null(meta->image_name);
	assert_int_equal(meta->source_vmlinux_size, -1);
	assert_int_equal(meta->source_vmlinux_mtime_secs, -1);
	write_file(dir, "vmlinuz", "image", 5);
	meta->image_name = "vmlinuz";
	meta->version = "6.14.2";
	meta->source_json = "{\"type\":\"tarball\"}";
	switch (mode) {
	case FILL_FAIL:
		ktstr_host_api_v1.set_error(inst, "mirror answered 503");
		return -EIO;
	case FILL_META:
		write_file(dir, "metadata.json",
			   kc_meta_json("9.9.9", "2020-01-01T00:00:00Z", "vmlinuz"),
			   strlen(kc_meta_json("9.9.9", "2020-01-01T00:00:00Z", "vmlinuz")));
		break;
	case FILL_BAD_META:
		write_file(dir, "metadata.json", "{", 1);
		break;
	case FILL_VMLINUX:
		write_file(dir, "vmlinux", "not an ELF", 10);
		break;
	case FILL_HANG:
		for (;;) {
			pause();
		}
	case FILL_BZIMAGE: {
		char img[1024] = {0};

		memcpy(img + 0x202, "HdrS", 4); /* a boot header with no payload */
		write_file(dir, "bzImage", img, sizeof(img));
		meta->image_name = "bzImage";
		break;
	}
	case FILL_CANCEL:
		ktstr_registry__cancel();
		break;
	case FILL_OK:
		write_file(dir, "config", "CONFIG_SCHED_CLASS_EXT=y\n", 25);
		break;
	}
	return 0;
}

/* "r": a remote cache that has "hit" (a whole entry) and "half" (no image) */
static int r_fetch(struct ktstr_inst *inst, const char *key, const char *dir)
{
	const char *meta = kc_meta_json("7.0.1", "2026-01-01T00:00:00Z", "bzImage");

	if (strcmp(key, "hit") != 0 && strcmp(key, "half") != 0) {
		return -ENOENT;
	}
	write_file(dir, "metadata.json", meta, strlen(meta));
	if (strcmp(key, "hit") == 0) {
		write_file(dir, "bzImage", "img", 3);
	}
	return 0;
}

static int r_store(struct ktstr_inst *inst, const char *key, const char *dir)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/metadata.json", dir);
	assert_int_equal(stat(path, &st), 0); /* the final entry, complete */
	stores++;
	return 0;
}

static int no_resolve(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *k)
{
	return -ENOENT;
}

static const struct ktstr_kernel_source_ops s_ops = {.sz = sizeof(s_ops), .resolve = no_resolve};
static const struct ktstr_kernel_source_ops r_ops = {
    .sz = sizeof(r_ops), .resolve = no_resolve, .remote_fetch = r_fetch, .remote_store = r_store};

static struct ktstr_inst *make(const char *name, const void *ops)
{
	struct ktstr_plugin_desc d = {KTSTR_PLUGIN_DESC_INIT, .kind = KTSTR_PLUGIN_KERNEL_SOURCE,
				      .name = name, .ops = ops};
	struct ktstr_inst *inst;
	char err[512];

	assert_int_equal(ktstr_registry__adopt(reg, "/m/x.so", NULL, &d, err, sizeof(err)), 0);
	assert_int_equal(
	    ktstr_inst__new(ktstr_registry__find(reg, KTSTR_PLUGIN_KERNEL_SOURCE, name), NULL, NULL,
			    &inst, err, sizeof(err)),
	    0);
	return inst;
}

static int setup(void **state)
{
	struct ktstr_inst *both[2];

	(void)state;
	if (kc_mkroot("kcache-install") < 0 || ktstr_registry__new(&reg) != 0) {
		return -1;
	}
	snprintf(log_path, sizeof(log_path), "%s.log", kc_root);
	setenv("KTSTR_CACHE_DIR", kc_root, 1);
	remote = make("r", &r_ops);
	src = make("s", &s_ops);
	both[0] = remote;
	both[1] = src;
	return ktstr_kchain__new(both, 2, NULL, 0, &chain);
}

static int teardown(void **state)
{
	(void)state;
	ktstr_kchain__free(chain);
	ktstr_inst__free(src);
	ktstr_inst__free(remote);
	ktstr_registry__free(reg);
	unlink(log_path);
	return kc_rmroot();
}

static int install(const char *key, enum fill_mode mode, bool force, struct ktstr_kernel **k)
{
	struct ktstr_kernel_install req = {.sz = sizeof(req),
					   .key = key,
					   .fill = fill,
					   .ctx = (void *)(intptr_t)mode,
					   .force = force};

	assert_int_equal(ktstr_kernel__new(k), 0);
	return ktstr_kcache__install(src, &req, *k);
}

/* The names in the root that start with ".tmp-". */
static int count_tmp(void)
{
	struct dirent *de;
	DIR *d = opendir(kc_root);
	int n = 0;

	while (d != NULL && (de = readdir(d)) != NULL) {
		n += strncmp(de->d_name, ".tmp-", 5) == 0;
	}
	if (d != NULL) {
		closedir(d);
	}
	return n;
}

static void test_fill_then_hit(void **state)
{
	struct ktstr_kcache_entry *e = malloc(sizeof(*e));
	struct ktstr_kernel *k;
	char want[PATH_MAX];

	(void)state;
	fills = stores = 0;
	assert_int_equal(install("6.14.2-tarball-x86_64-kc1", FILL_OK, false, &k), 1);
	assert_int_equal(fills, 1);
	assert_int_equal(stores, 1); /* published to the other remote-capable source */
	snprintf(want, sizeof(want), "%s/6.14.2-tarball-x86_64-kc1/vmlinuz", kc_root);
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_IMAGE), want);
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_VERSION), "6.14.2");
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_CACHE_KEY),
			    "6.14.2-tarball-x86_64-kc1");
	assert_non_null(ktstr_kernel__get(k, KTSTR_KERNEL_CONFIG));
	assert_null(ktstr_kernel__get(k, KTSTR_KERNEL_VMLINUX));
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_ORIGIN),
			    "installed cache entry 6.14.2-tarball-x86_64-kc1");
	ktstr_kernel__free(k);
	assert_int_equal(count_tmp(), 0);
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "6.14.2-tarball-x86_64-kc1", e), 0);
	assert_string_equal(e->meta.source_json, "{\"type\":\"tarball\"}");
	assert_string_equal(e->meta.arch, "x86_64");
	assert_int_equal(strlen(e->meta.config_hash), 8);
	assert_false(e->meta.has_vmlinux);

	assert_int_equal(install("6.14.2-tarball-x86_64-kc1", FILL_FAIL, false, &k), 0);
	assert_int_equal(fills, 1); /* a hit: no fill, no store */
	assert_int_equal(stores, 1);
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_ORIGIN),
			    "cache entry 6.14.2-tarball-x86_64-kc1");
	ktstr_kernel__free(k);

	/* --force replaces it (rename over a full directory: exchange, then removal) */
	assert_int_equal(install("6.14.2-tarball-x86_64-kc1", FILL_META, true, &k), 1);
	assert_int_equal(fills, 2);
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_VERSION), "9.9.9");
	ktstr_kernel__free(k);
	assert_int_equal(count_tmp(), 0);
	free(e);
}

static void test_failures_leave_nothing(void **state)
{
	struct ktstr_kcache_entry *e = malloc(sizeof(*e));
	struct ktstr_kernel *k;

	(void)state;
	assert_int_equal(install("fails", FILL_FAIL, false, &k), -EIO);
	assert_string_equal(ktstr_inst__last_error(src), "mirror answered 503");
	assert_null(ktstr_kernel__get(k, KTSTR_KERNEL_IMAGE));
	ktstr_kernel__free(k);
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "fails", e), -ENOTDIR);
	assert_int_equal(install("badmeta", FILL_BAD_META, false, &k), -EIO);
	assert_non_null(strstr(ktstr_inst__last_error(src),
			       "cache entry badmeta as filled is unusable: metadata.json"));
	ktstr_kernel__free(k);
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "badmeta", e), -ENOTDIR);
	assert_int_equal(install("../evil", FILL_OK, false, &k), -EINVAL);
	assert_non_null(strstr(ktstr_inst__last_error(src), "is not a valid cache key"));
	ktstr_kernel__free(k);
	assert_int_equal(count_tmp(), 0);
	free(e);
}

static void test_vmlinux(void **state)
{
	struct ktstr_kcache_entry *e = malloc(sizeof(*e));
	struct ktstr_kernel *k;

	(void)state;
	/* a fill's vmlinux that cannot be stripped is kept unstripped */
	assert_int_equal(install("with-vmlinux", FILL_VMLINUX, false, &k), 1);
	assert_non_null(ktstr_kernel__get(k, KTSTR_KERNEL_VMLINUX));
	ktstr_kernel__free(k);
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "with-vmlinux", e), 0);
	assert_true(e->meta.has_vmlinux);
	assert_false(e->meta.vmlinux_stripped);
	/* a bzImage nothing can be extracted from: an entry without vmlinux */
	assert_int_equal(install("bz", FILL_BZIMAGE, false, &k), 1);
	assert_null(ktstr_kernel__get(k, KTSTR_KERNEL_VMLINUX));
	ktstr_kernel__free(k);
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "bz", e), 0);
	assert_false(e->meta.has_vmlinux);
	assert_int_equal(count_tmp(), 0);
	free(e);
}

static void test_remote_restore(void **state)
{
	struct ktstr_kernel *k;

	(void)state;
	fills = stores = 0;
	assert_int_equal(install("hit", FILL_FAIL, false, &k), 1);
	assert_int_equal(fills, 0);
	assert_int_equal(stores, 0); /* never written back to where it came from */
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_VERSION), "7.0.1");
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_ORIGIN),
			    "restored from remote cache r: cache entry hit");
	ktstr_kernel__free(k);
	/* a restore without its image is thrown away; the source fills, then publishes */
	assert_int_equal(install("half", FILL_OK, false, &k), 1);
	assert_int_equal(fills, 1);
	assert_int_equal(stores, 1);
	assert_string_equal(ktstr_kernel__get(k, KTSTR_KERNEL_VERSION), "6.14.2");
	ktstr_kernel__free(k);
	assert_int_equal(count_tmp(), 0);
}

static int log_lines(void)
{
	char line[64];
	FILE *f = fopen(log_path, "r");
	int n = 0;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		n++;
	}
	if (f != NULL) {
		fclose(f);
	}
	return n;
}

static void test_concurrent_fill_once(void **state)
{
	pid_t kids[4];
	int status;

	(void)state;
	unlink(log_path);
	for (int i = 0; i < 4; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			struct ktstr_kernel *k;
			int rc = install("together", FILL_OK, false, &k);

			_exit(rc == 0 || rc == 1 ? rc : 10);
		}
	}
	int installed = 0;

	for (int i = 0; i < 4; i++) {
		assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) <= 1);
		installed += WEXITSTATUS(status);
	}
	assert_int_equal(installed, 1);
	assert_int_equal(log_lines(), 1);
	assert_int_equal(count_tmp(), 0);
}

static void test_killed_fill(void **state)
{
	struct ktstr_kcache_list l;
	struct ktstr_kernel *k;
	char err[256];
	pid_t kid;

	(void)state;
	unlink(log_path);
	kid = fork();
	if (kid == 0) {
		install("killed", FILL_HANG, false, &k);
		_exit(0);
	}
	while (log_lines() == 0) {
		usleep(10 * 1000);
	}
	kill(kid, SIGKILL);
	waitpid(kid, NULL, 0);
	assert_int_equal(ktstr_kcache__list(kc_root, &l, err, sizeof(err)), 0);
	for (size_t i = 0; i < l.n; i++) {
		assert_string_not_equal(l.v[i].key, "killed");
	}
	assert_int_equal(l.ntmp, 1);
	assert_int_equal(l.tmp[0].pid, kid);
	assert_false(l.tmp[0].alive);
	ktstr_kcache_list__free(&l);
	/* the next install (of anything) sweeps the leftover */
	assert_int_equal(install("killed", FILL_OK, false, &k), 1);
	ktstr_kernel__free(k);
	assert_int_equal(count_tmp(), 0);
}

static void test_cancelled_fill_leaves_nothing(void **state)
{
	struct ktstr_kcache_entry *e = malloc(sizeof(*e));
	struct ktstr_kernel *k;

	(void)state;
	assert_int_equal(install("cancelled", FILL_CANCEL, false, &k), -ECANCELED);
	ktstr_kernel__free(k);
	assert_int_equal(ktstr_kcache_entry__load(kc_root, "cancelled", e), -ENOTDIR);
	assert_int_equal(count_tmp(), 0);
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fill_then_hit),
	    cmocka_unit_test(test_failures_leave_nothing),
	    cmocka_unit_test(test_vmlinux),
	    cmocka_unit_test(test_remote_restore),
	    cmocka_unit_test(test_concurrent_fill_once),
	    cmocka_unit_test(test_killed_fill),
	    cmocka_unit_test(test_cancelled_fill_leaves_nothing), /* last: cancel is sticky */
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
