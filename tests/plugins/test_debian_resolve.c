/*
 * kernel-source/debian through its descriptor, offline: the mock host plus
 * kernel_install/kernel_cache_lookup/progress stubs, and fake apt-get,
 * apt-cache and dpkg-deb scripts first in PATH (packages are tar files). It
 * checks options, which ids reach apt at all, what the private apt calls
 * look like, the entry a fill leaves (vmlinuz + config + metadata), the
 * sched_ext refusal, when the lists are updated and the no-network hit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <ktstr/kernel_source.h>

#include "mock_host.h"

int ktstr_plugin_entry_v1(const struct ktstr_host_api *host, const struct ktstr_plugin_desc **out);

#define REL "7.2.13+deb14-cloud-amd64"
#define KEY REL "-debian-x86_64"

static char root[64]; /* per test: fake/, cache/, kernels/ */
static char fake[128], cache[128], kernels[128], keyring[128];
static int cache_dir_calls, install_calls, lookup_calls, lookup_rc = -ENOENT;
static int install_rc_hit; /* what kernel_install answered last: 0 hit, 1 installed */
static char last_key[256], meta_image[64], meta_version[128], meta_source[512];
static uint64_t last_done, last_total;
static struct ktstr_host_api host;
static const struct ktstr_plugin_desc *desc;

static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static const char *stub_cache_dir(struct ktstr_inst *inst)
{
	cache_dir_calls++;
	return cache;
}

static int stub_install(struct ktstr_inst *inst, const struct ktstr_kernel_install *req,
			struct ktstr_kernel *out)
{
	char entry[512], tmp[512];
	struct ktstr_entry_meta meta = {
	    .sz = sizeof(meta), .source_vmlinux_size = -1, .source_vmlinux_mtime_secs = -1};
	int rc;

	install_calls++;
	snprintf(last_key, sizeof(last_key), "%s", req->key);
	snprintf(entry, sizeof(entry), "%s/%s", kernels, req->key);
	if (access(entry, F_OK) == 0) {
		install_rc_hit = 0;
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", kernels, req->key);
	assert_int_equal(mkdir(tmp, 0755), 0);
	rc = req->fill(inst, req->ctx, tmp, &meta);
	if (rc < 0) {
		sh("rm -rf '%s'", tmp);
		return rc;
	}
	snprintf(meta_image, sizeof(meta_image), "%s", meta.image_name);
	snprintf(meta_version, sizeof(meta_version), "%s", meta.version);
	snprintf(meta_source, sizeof(meta_source), "%s", meta.source_json);
	assert_int_equal(rename(tmp, entry), 0);
	install_rc_hit = 1;
	return 1;
}

static int stub_lookup(struct ktstr_inst *inst, const char *id, struct ktstr_kernel *out)
{
	lookup_calls++;
	snprintf(last_key, sizeof(last_key), "%s", id);
	return lookup_rc;
}

static void stub_progress(struct ktstr_inst *inst, const char *what, uint64_t done, uint64_t total)
{
	last_done = done;
	last_total = total;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* A package: a tar of @p files ("path=content" pairs, NULL-terminated) in fake/debs. */
static void package(const char *name, ...)
{
	char tree[256], path[512];
	const char *spec;
	va_list ap;

	snprintf(tree, sizeof(tree), "%s/tree-%s", fake, name);
	va_start(ap, name);
	while ((spec = va_arg(ap, const char *)) != NULL) {
		const char *eq = strchr(spec, '=');

		snprintf(path, sizeof(path), "%s/%.*s", tree, (int)(eq - spec), spec);
		assert_int_equal(sh("mkdir -p \"$(dirname '%s')\"", path), 0);
		write_file(path, eq + 1);
	}
	va_end(ap);
	assert_int_equal(
	    sh("mkdir -p '%s/debs' && tar -cf '%s/debs/%s.tar' -C '%s' .", fake, fake, name, tree),
	    0);
}

static int count_log(const char *prefix)
{
	char path[256], line[4096];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/log", fake);
	f = fopen(path, "r");
	if (f == NULL) {
		return 0;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		n += strncmp(line, prefix, strlen(prefix)) == 0;
	}
	fclose(f);
	return n;
}

static int setup(void **state)
{
	char path[256];

	snprintf(root, sizeof(root), "/tmp/ktstr-debian-resolve-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(fake, sizeof(fake), "%s/fake", root);
	snprintf(cache, sizeof(cache), "%s/cache", root);
	snprintf(kernels, sizeof(kernels), "%s/kernels", root);
	snprintf(keyring, sizeof(keyring), "%s/keyring.gpg", root);
	assert_int_equal(sh("mkdir -p '%s/bin' '%s' '%s'", fake, cache, kernels), 0);
	write_file(keyring, "not really a key\n");
	/* the fakes log each call; update logs its arguments */
	snprintf(path, sizeof(path), "%s/bin/apt-get", fake);
	write_file(
	    path,
	    "#!/bin/sh\n"
	    "for a; do last=$a; done\n"
	    "case \" $* \" in\n"
	    "*\" update \"*) echo \"update $*\" >>\"$FAKE_DIR/log\"\n"
	    "  if [ -f \"$FAKE_DIR/fail-update\" ]; then echo 'E: fake failure' >&2; "
	    "exit 100; fi; exit 0 ;;\n"
	    "*\" download \"*) echo \"download $last\" >>\"$FAKE_DIR/log\"\n"
	    "  [ -f \"$FAKE_DIR/debs/$last.tar\" ] || { echo \"E: no $last\" >&2; exit 100; }\n"
	    "  cp \"$FAKE_DIR/debs/$last.tar\" \"./${last}_1.0-1_amd64.deb\"; exit 0 ;;\n"
	    "esac\nexit 99\n");
	snprintf(path, sizeof(path), "%s/bin/apt-cache", fake);
	write_file(path, "#!/bin/sh\necho pkgnames >>\"$FAKE_DIR/log\"\ncat \"$FAKE_DIR/names\"\n");
	snprintf(path, sizeof(path), "%s/bin/dpkg-deb", fake);
	write_file(
	    path,
	    "#!/bin/sh\n[ \"$1\" = -x ] || exit 2\nmkdir -p \"$3\" && tar -xf \"$2\" -C \"$3\"\n");
	assert_int_equal(sh("chmod +x '%s/bin/'*", fake), 0);
	snprintf(path, sizeof(path), "%s/bin:%s", fake, getenv("PATH"));
	setenv("PATH", path, 1);
	setenv("FAKE_DIR", fake, 1);
	snprintf(path, sizeof(path), "%s/names", fake);
	write_file(path, "linux-base-" REL "\nlinux-binary-" REL "\n"
			 "linux-binary-7.2.13+deb14-amd64\nlinux-binary-unsigned-" REL "\n"
			 "linux-image-" REL "\n");
	cache_dir_calls = install_calls = lookup_calls = 0;
	lookup_rc = -ENOENT;
	install_rc_hit = -1;
	last_key[0] = meta_image[0] = meta_version[0] = meta_source[0] = '\0';
	last_done = last_total = 0;
	return 0;
}

static int teardown(void **state)
{
	const char *path = getenv("PATH");

	sh("rm -rf '%s'", root);
	/* drop our bin dir again */
	if (path != NULL && strncmp(path, fake, strlen(fake)) == 0) {
		setenv("PATH", strchr(path, ':') + 1, 1);
	}
	return 0;
}

static void new_inst(struct ktstr_inst *inst, const char *const *opts)
{
	ktstr_mock_inst__new(inst, desc);
	ktstr_mock_inst__set(inst, "mirror", "http://fake.invalid/debian");
	ktstr_mock_inst__set(inst, "keyring", keyring);
	for (; opts != NULL && opts[0] != NULL; opts += 2) {
		ktstr_mock_inst__set(inst, opts[0], opts[1]);
	}
	assert_int_equal(ktstr_mock_inst__init(inst), 0);
}

static int resolve(struct ktstr_inst *inst, const char *id)
{
	const struct ktstr_kernel_source_ops *ops = desc->ops;
	struct ktstr_kernel k = {{0}};
	int rc;

	inst->last_error[0] = '\0';
	rc = ops->resolve(inst, id, &k);
	ktstr_mock_kernel__free(&k);
	return rc;
}

static void std_packages(const char *config)
{
	package("linux-binary-" REL, "usr/lib/modules/" REL "/vmlinuz=IMAGE",
		"usr/lib/modules/" REL "/kernel/fs/x.ko=module", NULL);
	char spec[512];

	snprintf(spec, sizeof(spec), "usr/lib/modules/" REL "/config=%s", config);
	package("linux-base-" REL, spec, "usr/share/doc/x/copyright=c", NULL);
}

static void test_init_checks(void **state)
{
	static const char *const bad[][2] = {
	    {"suite", "Sid"}, {"flavour", "Cloud"}, {"refresh", "-1"}};
	static const char *const why[] = {"option suite \"Sid\" is not a suite name",
					  "option flavour \"Cloud\" is not a kernel flavour",
					  "option refresh must be >= 0"};
	static const char *const nokey[] = {"keyring", "/nonexistent.gpg", NULL};
	struct ktstr_inst inst;

	for (size_t i = 0; i < 3; i++) {
		ktstr_mock_inst__new(&inst, desc);
		ktstr_mock_inst__set(&inst, bad[i][0], bad[i][1]);
		assert_int_equal(ktstr_mock_inst__init(&inst), -EINVAL);
		assert_non_null(strstr(inst.last_error, why[i]));
		ktstr_mock_inst__free(&inst);
	}
	/* a missing keyring fails only the ids of this source, never the chain's setup */
	new_inst(&inst, nokey);
	assert_int_equal(resolve(&inst, "latest"), -ENOENT);
	assert_string_equal(inst.last_error, "");
	assert_int_equal(resolve(&inst, "sid"), -ENOENT);
	assert_string_equal(inst.last_error, "keyring /nonexistent.gpg cannot be read: install "
					     "debian-archive-keyring or set option keyring");
	assert_int_equal(count_log(""), 0);
	ktstr_mock_inst__free(&inst);
}

static void test_not_ours(void **state)
{
	static const char *const ids[] = {"latest", "./linux", "7", "", KEY, "v7.2", "7.2-rc1"};
	struct ktstr_inst inst;

	new_inst(&inst, NULL);
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		assert_int_equal(resolve(&inst, ids[i]), -ENOENT);
		assert_string_equal(inst.last_error, "");
	}
	/* no side effect at all: no directory asked for, no program run */
	assert_int_equal(cache_dir_calls, 0);
	assert_int_equal(count_log(""), 0);
	assert_int_equal(resolve(&inst, "debian:Foo"), -EINVAL);
	assert_non_null(strstr(inst.last_error, "after \"debian:\" comes a suite"));
	ktstr_mock_inst__free(&inst);
}

static void test_install_then_hit(void **state)
{
	char path[512], text[256];
	struct ktstr_inst inst;
	FILE *f;

	std_packages("CONFIG_BPF=y\nCONFIG_SCHED_CLASS_EXT=y\n");
	new_inst(&inst, NULL);
	assert_int_equal(resolve(&inst, "sid"), 0);
	assert_int_equal(install_rc_hit, 1);
	assert_string_equal(last_key, KEY);
	assert_string_equal(meta_image, "vmlinuz");
	assert_string_equal(meta_version, REL);
	assert_string_equal(meta_source, "{\"type\":\"debian\",\"package\":\"linux-binary-" REL
					 "\",\"suite\":\"sid\"}");
	/* exactly the image and the config, nothing else left in the entry */
	assert_int_equal(
	    sh("test \"$(ls -A '%s/%s' | tr '\\n' ' ')\" = 'config vmlinuz '", kernels, KEY), 0);
	assert_int_equal(sh("grep -qx IMAGE '%s/%s/vmlinuz'", kernels, KEY), 0);
	assert_int_equal(last_done, 4);
	assert_int_equal(last_total, 4);
	assert_int_equal(count_log("update"), 1);
	assert_int_equal(count_log("download linux-binary-" REL), 1);
	assert_int_equal(count_log("download linux-base-" REL), 1);
	/* apt ran on the private configuration only */
	snprintf(path, sizeof(path), "%s/log", fake);
	assert_int_equal(sh("grep '^update' '%s' | grep -q -- '-o Dir::Etc::SourceList=%s/apt-sid/"
			    "sources.list -o Dir::Etc::SourceParts=/dev/null'",
			    path, cache),
			 0);
	assert_int_equal(sh("grep '^update' '%s' | grep -q 'Dir::State::status=/dev/null'", path),
			 0);
	snprintf(path, sizeof(path), "%s/apt-sid/sources.list", cache);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	snprintf(path, sizeof(path), "deb [signed-by=%s] http://fake.invalid/debian sid main\n",
		 keyring);
	assert_string_equal(text, path);

	/* again: lists fresh, entry there: no update, no download */
	assert_int_equal(resolve(&inst, "unstable"), 0);
	assert_int_equal(install_rc_hit, 0);
	assert_int_equal(count_log("update"), 1);
	assert_int_equal(count_log("download"), 2);
	/* a version in the same lists: the same entry */
	assert_int_equal(resolve(&inst, "debian:7.2"), 0);
	assert_string_equal(last_key, KEY);
	assert_int_equal(count_log("update"), 1);
	ktstr_mock_inst__free(&inst);
}

static void test_mirror_change(void **state)
{
	static const char *const other[] = {"mirror", "http://other.invalid/debian", NULL};
	struct ktstr_inst a, b;

	std_packages("CONFIG_SCHED_CLASS_EXT=y\n");
	new_inst(&a, NULL);
	assert_int_equal(resolve(&a, "sid"), 0);
	assert_int_equal(resolve(&a, "sid"), 0);
	assert_int_equal(count_log("update"), 1);
	/* fresh lists of another archive do not count: updated from the new one */
	new_inst(&b, other);
	assert_int_equal(resolve(&b, "sid"), 0);
	assert_int_equal(count_log("update"), 2);
	assert_int_equal(sh("grep -q other.invalid '%s/apt-sid/sources.list'", cache), 0);
	ktstr_mock_inst__free(&a);
	ktstr_mock_inst__free(&b);
}

static void test_stale_lists_exact_hit(void **state)
{
	static const char *const opts[] = {"refresh", "60", NULL};
	struct timeval old[2] = {{time(NULL) - 3600, 0}, {time(NULL) - 3600, 0}};
	char stamp[512];
	struct ktstr_inst inst;

	std_packages("CONFIG_SCHED_CLASS_EXT=y\n");
	new_inst(&inst, opts);
	assert_int_equal(resolve(&inst, "sid"), 0);
	snprintf(stamp, sizeof(stamp), "%s/apt-sid/updated", cache);
	assert_int_equal(utimes(stamp, old), 0);
	/* a full release that the cache holds: looked up, no update, no install */
	lookup_rc = 0;
	install_calls = 0;
	assert_int_equal(resolve(&inst, "7.2.13"), 0);
	assert_int_equal(lookup_calls, 1);
	assert_string_equal(last_key, KEY);
	assert_int_equal(install_calls, 0);
	assert_int_equal(count_log("update"), 1);
	/* "sid" with stale lists must ask the archive again */
	assert_int_equal(resolve(&inst, "sid"), 0);
	assert_int_equal(count_log("update"), 2);
	ktstr_mock_inst__free(&inst);
}

static void test_refresh_zero(void **state)
{
	static const char *const opts[] = {"refresh", "0", NULL};
	struct ktstr_inst inst;

	std_packages("CONFIG_SCHED_CLASS_EXT=y\n");
	new_inst(&inst, opts);
	assert_int_equal(resolve(&inst, "sid"), 0);
	assert_int_equal(resolve(&inst, "sid"), 0);
	assert_int_equal(count_log("update"), 2);
	assert_int_equal(count_log("download"), 2); /* the second was a hit */
	ktstr_mock_inst__free(&inst);
}

static void test_config_in_image_package(void **state)
{
	char names[256];
	struct ktstr_inst inst;

	/* Debian 13's layout: linux-image-*, image and config under boot/ */
	snprintf(names, sizeof(names), "%s/names", fake);
	write_file(names, "linux-image-6.12.41+deb13-cloud-amd64\nlinux-image-cloud-amd64\n");
	package("linux-image-6.12.41+deb13-cloud-amd64",
		"boot/vmlinuz-6.12.41+deb13-cloud-amd64=IMG",
		"boot/config-6.12.41+deb13-cloud-amd64=CONFIG_SCHED_CLASS_EXT=y\n", NULL);
	new_inst(&inst, NULL);
	assert_int_equal(resolve(&inst, "debian:trixie"), 0);
	assert_string_equal(last_key, "6.12.41+deb13-cloud-amd64-debian-x86_64");
	assert_non_null(strstr(meta_source, "\"suite\":\"trixie\""));
	assert_int_equal(count_log("download"), 1); /* no linux-base */
	assert_int_equal(sh("test -f '%s/apt-trixie/sources.list'", cache), 0);
	ktstr_mock_inst__free(&inst);
}

static void test_no_sched_ext(void **state)
{
	struct ktstr_inst inst;

	std_packages("CONFIG_BPF=y\n# CONFIG_SCHED_CLASS_EXT is not set\n");
	new_inst(&inst, NULL);
	assert_int_equal(resolve(&inst, "sid"), -ENOTSUP);
	assert_non_null(
	    strstr(inst.last_error, "linux-binary-" REL " (suite sid) has no sched_ext"));
	assert_int_equal(sh("test -z \"$(ls -A '%s')\"", kernels), 0);
	ktstr_mock_inst__free(&inst);
}

static void test_no_image(void **state)
{
	struct ktstr_inst inst;

	package("linux-binary-" REL, "usr/share/doc/x=y", NULL);
	new_inst(&inst, NULL);
	assert_int_equal(resolve(&inst, "sid"), -EPROTO);
	assert_non_null(strstr(inst.last_error, "linux-binary-" REL " has no vmlinuz"));
	ktstr_mock_inst__free(&inst);
}

static void test_update_fails(void **state)
{
	char flag[256];
	struct ktstr_inst inst;

	snprintf(flag, sizeof(flag), "%s/fail-update", fake);
	write_file(flag, "");
	new_inst(&inst, NULL);
	assert_int_equal(resolve(&inst, "sid"), -EIO);
	assert_string_equal(inst.last_error,
			    "apt-get update of suite sid from "
			    "http://fake.invalid/debian failed (exit 100): E: fake "
			    "failure");
	assert_int_equal(install_calls, 0);
	ktstr_mock_inst__free(&inst);
}

static void test_no_such_version(void **state)
{
	struct ktstr_inst inst;

	std_packages("CONFIG_SCHED_CLASS_EXT=y\n");
	new_inst(&inst, NULL);
	assert_int_equal(resolve(&inst, "sid"), 0);
	/* fresh lists without 7.3: updated once more before giving up */
	assert_int_equal(resolve(&inst, "7.3"), -ENOENT);
	assert_string_equal(inst.last_error, "no linux-binary-7.3*-cloud-amd64 package in Debian "
					     "suite sid (http://fake.invalid/debian)");
	assert_int_equal(count_log("update"), 2);
	ktstr_mock_inst__free(&inst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_init_checks, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_ours, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_install_then_hit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mirror_change, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_lists_exact_hit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refresh_zero, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_config_in_image_package, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_sched_ext, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_image, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_update_fails, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_such_version, setup, teardown),
	};

	host = ktstr_mock_host;
	host.cache_dir = stub_cache_dir;
	host.kernel_install = stub_install;
	host.kernel_cache_lookup = stub_lookup;
	host.progress = stub_progress;
	if (ktstr_plugin_entry_v1(&host, &desc) != 0) {
		fprintf(stderr, "the debian plugin refused the mock host\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
