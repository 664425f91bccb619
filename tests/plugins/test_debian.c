/*
 * kernel-source/debian, without the network: ids, the package choice from
 * a captured `apt-cache pkgnames linux-` of Debian sid, the cache key, the
 * sched_ext check of a config, the archive of a debian.sources file, the
 * search of an extracted package tree and the program runner.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "debian_id.h"
#include "debian_pkg.h"
#include "debian_run.h"
#include "debian_tree.h"

/* `apt-cache pkgnames linux-` of sid on 2026-11-28, the linux-{base,binary,image} lines. */
static const char sid_names[] = "linux-base\n"
				"linux-base-7.2.13+deb14-amd64\n"
				"linux-base-7.2.13+deb14-cloud-amd64\n"
				"linux-base-7.2.13+deb14-rt-amd64\n"
				"linux-base-amd64\n"
				"linux-base-cloud-amd64\n"
				"linux-binary-7.2.13+deb14-amd64\n"
				"linux-binary-7.2.13+deb14-cloud-amd64\n"
				"linux-binary-7.2.13+deb14-rt-amd64\n"
				"linux-binary-unsigned-7.2.13+deb14-amd64\n"
				"linux-binary-unsigned-7.2.13+deb14-cloud-amd64\n"
				"linux-image-7.2.13+deb14-amd64\n"
				"linux-image-7.2.13+deb14-cloud-amd64\n"
				"linux-image-7.2.13+deb14-cloud-amd64-dbg\n"
				"linux-image-amd64\n"
				"linux-image-cloud-amd64\n"
				"linux-image-cloud-amd64-dbg\n";

static void parse_ok(const char *id, const char *suite, const char *version)
{
	struct debian_id d;

	assert_int_equal(debian_id__parse(id, "trixie-backports", &d), 0);
	assert_string_equal(d.suite, suite);
	assert_string_equal(d.version, version);
}

static void test_ids(void **state)
{
	struct debian_id d;

	parse_ok("sid", "sid", "");
	parse_ok("unstable", "sid", "");
	parse_ok("debian:sid", "sid", "");
	parse_ok("debian:unstable", "sid", "");
	parse_ok("debian:experimental", "experimental", "");
	parse_ok("debian:7.2", "trixie-backports", "7.2");
	parse_ok("7.2", "trixie-backports", "7.2");
	parse_ok("7.2.13", "trixie-backports", "7.2.13");
	/* not ours: the chain goes on */
	static const char *const others[] = {"7",
					     "v7.2",
					     "7.2-rc1",
					     "7.2.13.1",
					     "latest",
					     "./linux",
					     "/boot/x",
					     "7.2.",
					     ".7.2",
					     "debianx",
					     "7.2.13+deb14-cloud-amd64-debian-x86_64",
					     ""};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		assert_int_equal(debian_id__parse(others[i], "sid", &d), -ENOENT);
	}
	/* ours, but wrong */
	assert_int_equal(debian_id__parse("debian:", "sid", &d), -EINVAL);
	assert_int_equal(debian_id__parse("debian:Sid", "sid", &d), -EINVAL);
	assert_int_equal(debian_id__parse("debian:7", "sid", &d), -EINVAL);
	assert_int_equal(debian_id__parse("debian:sid/main", "sid", &d), -EINVAL);
	assert_true(debian_id__is_exact("7.2.13"));
	assert_false(debian_id__is_exact("7.2"));
	assert_false(debian_id__is_suite(
	    "a-very-long-suite-name-that-goes-on-and-on-and-on-and-on-and-on-and-on"));
}

static void test_matches(void **state)
{
	assert_true(debian_id__matches("7.2.13+deb14-cloud-amd64", ""));
	assert_true(debian_id__matches("7.2.13+deb14-cloud-amd64", "7.2"));
	assert_true(debian_id__matches("7.2.13+deb14-cloud-amd64", "7.2.13"));
	assert_true(debian_id__matches("7.2+deb14-cloud-amd64", "7.2"));
	assert_true(debian_id__matches("6.1.0-13-cloud-amd64", "6.1"));
	assert_false(debian_id__matches("7.20.1+deb14-cloud-amd64", "7.2"));
	assert_false(debian_id__matches("7.2.13+deb14-cloud-amd64", "7.2.1"));
	assert_false(debian_id__matches("7.2+deb14-cloud-amd64", "7.2.13"));
	assert_false(debian_id__matches("17.2.1-cloud-amd64", "7.2"));
}

static int choose(const char *names, const char *flavour, const char *version, struct debian_pkg *p)
{
	return debian_pkg__choose(names, strlen(names), flavour, version, p);
}

static void test_choose_sid(void **state)
{
	struct debian_pkg p;

	assert_int_equal(choose(sid_names, "cloud-amd64", "", &p), 0);
	assert_string_equal(p.name, "linux-binary-7.2.13+deb14-cloud-amd64");
	assert_string_equal(p.release, "7.2.13+deb14-cloud-amd64");
	assert_int_equal(choose(sid_names, "cloud-amd64", "7.2", &p), 0);
	assert_string_equal(p.name, "linux-binary-7.2.13+deb14-cloud-amd64");
	/* flavour amd64 is not the tail of cloud-amd64's package */
	assert_int_equal(choose(sid_names, "amd64", "7.2.13", &p), 0);
	assert_string_equal(p.name, "linux-binary-7.2.13+deb14-amd64");
	assert_int_equal(choose(sid_names, "cloud-amd64", "7.3", &p), -ENOENT);
	assert_int_equal(choose(sid_names, "arm64", "", &p), -ENOENT);
	assert_int_equal(choose("", "cloud-amd64", "", &p), -ENOENT);
}

static void test_choose_order(void **state)
{
	/* `apt-cache search` lines, several versions, unsorted, CRLF, no final newline */
	static const char names[] =
	    "linux-binary-7.2.9+deb14-cloud-amd64 - Linux 7.2.9 for x86-64 cloud\n"
	    "linux-binary-7.10.1+deb14-cloud-amd64 - Linux 7.10.1\r\n"
	    "linux-binary-7.2.13+deb14-cloud-amd64 - Linux 7.2.13\n"
	    "linux-binary-7.9.4+deb14-cloud-amd64\n"
	    "linux-binary-7.2.13+deb14.1-cloud-amd64\n"
	    "linux-binary-7.20.1+deb14-cloud-amd64\n"
	    "\n"
	    "  \n"
	    "linux-binary-7.11-unsigned-cloud-amd64";
	struct debian_pkg p;

	assert_int_equal(choose(names, "cloud-amd64", "", &p), 0);
	assert_string_equal(p.name, "linux-binary-7.20.1+deb14-cloud-amd64");
	assert_int_equal(choose(names, "cloud-amd64", "8.0", &p), -ENOENT);
	assert_int_equal(choose(names, "cloud-amd64", "7.2", &p), 0);
	assert_string_equal(p.name, "linux-binary-7.2.13+deb14.1-cloud-amd64");
	assert_int_equal(choose(names, "cloud-amd64", "7.10", &p), 0);
	assert_string_equal(p.release, "7.10.1+deb14-cloud-amd64");
	assert_int_equal(choose(names, "cloud-amd64", "7.11", &p), -ENOENT);
}

static void test_choose_image_fallback(void **state)
{
	/* trixie: no linux-binary-*, image packages with an ABI number */
	static const char names[] = "linux-image-6.12.41+deb13-cloud-amd64\n"
				    "linux-image-6.12.41+deb13-cloud-amd64-dbg\n"
				    "linux-image-6.12.41+deb13-cloud-amd64-unsigned\n"
				    "linux-image-6.1.0-13-cloud-amd64\n"
				    "linux-image-cloud-amd64\n";
	struct debian_pkg p;

	assert_int_equal(choose(names, "cloud-amd64", "", &p), 0);
	assert_string_equal(p.name, "linux-image-6.12.41+deb13-cloud-amd64");
	assert_int_equal(choose(names, "cloud-amd64", "6.1", &p), 0);
	assert_string_equal(p.release, "6.1.0-13-cloud-amd64");
	/* linux-binary wins when both exist */
	assert_int_equal(choose(sid_names, "cloud-amd64", "", &p), 0);
	assert_int_equal(strncmp(p.name, "linux-binary-", 13), 0);
}

static void test_key(void **state)
{
	char key[64];

	assert_int_equal(debian_pkg__key("7.2.13+deb14-cloud-amd64", key, sizeof(key)), 0);
	/* the key of entries cached before this plugin (by a shell script), still found */
	assert_string_equal(key, "7.2.13+deb14-cloud-amd64-debian-x86_64");
	assert_int_equal(debian_pkg__key("7.2.13+deb14-cloud-amd64", key, 20), -ENAMETOOLONG);
}

static bool has_scx(const char *text)
{
	return debian_pkg__has_sched_ext(text, strlen(text));
}

static void test_sched_ext(void **state)
{
	assert_true(has_scx("CONFIG_BPF=y\nCONFIG_SCHED_CLASS_EXT=y\nCONFIG_NUMA=y\n"));
	assert_true(has_scx("CONFIG_SCHED_CLASS_EXT=y"));
	assert_true(has_scx("CONFIG_X=y\r\nCONFIG_SCHED_CLASS_EXT=y\r\n"));
	assert_false(has_scx("# CONFIG_SCHED_CLASS_EXT is not set\n"));
	assert_false(has_scx("CONFIG_SCHED_CLASS_EXT=m\n"));
	assert_false(has_scx("CONFIG_SCHED_CLASS_EXT=yes\n"));
	assert_false(has_scx(" CONFIG_SCHED_CLASS_EXT=y\n"));
	assert_false(has_scx("XCONFIG_SCHED_CLASS_EXT=y\n"));
	assert_false(has_scx(""));
}

static void archive(const char *text, const char *uri, const char *keyring)
{
	char u[512], k[512];

	debian_pkg__archive(text, strlen(text), u, sizeof(u), k, sizeof(k));
	assert_string_equal(u, uri);
	assert_string_equal(k, keyring);
}

static void test_archive(void **state)
{
	/* this machine's /etc/apt/sources.list.d/debian.sources */
	archive("Types: deb\n"
		"# http://snapshot.debian.org/archive/debian/20250520T000000Z\n"
		"URIs: http://deb.debian.org/debian\n"
		"Suites: bookworm bookworm-updates\n"
		"Components: main\n"
		"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
		"\n"
		"Types: deb\n"
		"URIs: http://deb.debian.org/debian-security\n"
		"Suites: bookworm-security\n"
		"Components: main\n"
		"Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
		"http://deb.debian.org/debian", "/usr/share/keyrings/debian-archive-keyring.gpg");
	/* security first, deb-src only, an inline key, then the one to take */
	archive("Types: deb\nURIs: http://security.debian.org/debian-security\n\n"
		"Types: deb-src\nURIs: http://src.example/debian\n\n"
		"types: deb deb-src\n"
		"uris: http://mirror.example/debian  http://other.example/debian\n"
		"Signed-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n AAAA\n",
		"http://mirror.example/debian", "");
	archive("", "", "");
	archive("URIs: http://no-types.example/debian\n", "", "");
}

static void touch(const char *root, const char *rel)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(rel, f);
	fclose(f);
}

static void test_tree(void **state)
{
	char root[] = "/tmp/ktstr-debian-tree-XXXXXX", found[4096], want[4096];
	struct stat st;

	assert_non_null(mkdtemp(root));
	/* current layout: image and config under usr/lib/modules/<release>/ */
	touch(root, "usr/share/doc/linux/config");
	touch(root, "usr/lib/modules/7.2.13+deb14-cloud-amd64/kernel/fs/x.ko");
	touch(root, "usr/lib/modules/7.2.13+deb14-cloud-amd64/vmlinuz");
	mkdir(strcat(strcpy(want, root), "/usr/lib/modules/7.2.13+deb14-cloud-amd64/config"), 0755);
	assert_int_equal(debian_tree__find(root, debian_tree__is_image, found, sizeof(found)), 0);
	snprintf(want, sizeof(want), "%s/usr/lib/modules/7.2.13+deb14-cloud-amd64/vmlinuz", root);
	assert_string_equal(found, want);
	/* a directory named config does not count, nor one outside usr/lib/modules and boot */
	assert_int_equal(debian_tree__find(root, debian_tree__is_config, found, sizeof(found)),
			 -ENOENT);
	/* older layout: boot/config-<release> */
	touch(root, "boot/config-6.12.41+deb13-cloud-amd64");
	assert_int_equal(debian_tree__find(root, debian_tree__is_config, found, sizeof(found)), 0);
	snprintf(want, sizeof(want), "%s/boot/config-6.12.41+deb13-cloud-amd64", root);
	assert_string_equal(found, want);
	assert_false(debian_tree__is_image("vmlinux"));
	assert_false(debian_tree__is_config("configs"));
	assert_int_equal(debian_tree__rm(root), 0);
	assert_int_equal(stat(root, &st), -1);
	assert_int_equal(debian_tree__rm(root), 0); /* gone already: fine */
}

static void test_run_output(void **state)
{
	const char *argv[] = {"sh", "-c", "printf 'out\\n'; echo first >&2; echo last >&2; exit 3",
			      NULL};
	struct debian_cmd c = {.argv = argv, .capture = true};

	assert_int_equal(debian_run(&c), -EIO);
	assert_int_equal(c.status, 3);
	assert_string_equal(c.out, "out\n");
	assert_string_equal(c.err, "first last");
	free(c.out);

	const char *ok[] = {"sh", "-c", "test \"$LC_ALL\" = C && pwd", NULL};
	struct debian_cmd d = {.argv = ok, .capture = true, .cwd = "/usr"};

	assert_int_equal(debian_run(&d), 0);
	assert_string_equal(d.out, "/usr\n");
	free(d.out);

	const char *none[] = {"ktstr-no-such-program", NULL};
	struct debian_cmd e = {.argv = none};

	assert_int_equal(debian_run(&e), -ENOENT);
}

/* The GitHub Actions cache credentials stay in ktstr; the rest of the environment goes. */
static void test_run_env_secrets(void **state)
{
	const char *argv[] = {"sh", "-c", "env | sort", NULL};
	struct debian_cmd c = {.argv = argv, .capture = true};

	setenv("ACTIONS_RUNTIME_TOKEN", "secret-token", 1);
	setenv("ACTIONS_RESULTS_URL", "https://results.example/", 1);
	setenv("ACTIONS_CACHE_URL", "https://cache.example/", 1);
	setenv("KTSTR_TEST_CANARY", "kept", 1);
	assert_int_equal(debian_run(&c), 0);
	assert_non_null(strstr(c.out, "KTSTR_TEST_CANARY=kept\n"));
	assert_null(strstr(c.out, "ACTIONS_RUNTIME_TOKEN"));
	assert_null(strstr(c.out, "secret-token"));
	assert_null(strstr(c.out, "ACTIONS_RESULTS_URL"));
	assert_null(strstr(c.out, "ACTIONS_CACHE_URL"));
	free(c.out);
	unsetenv("ACTIONS_RUNTIME_TOKEN");
	unsetenv("ACTIONS_RESULTS_URL");
	unsetenv("ACTIONS_CACHE_URL");
	unsetenv("KTSTR_TEST_CANARY");
}

/* The child's descriptors: its stdio and nothing else of ours (here an inheritable fd). */
static void test_run_fds(void **state)
{
	const char *argv[] = {"sh", "-c", "ls /proc/$$/fd; true", NULL};
	struct debian_cmd c = {.argv = argv, .capture = true};
	int leak = open("/dev/null", O_RDONLY); /* no O_CLOEXEC: a child would inherit it */

	assert_true(leak >= 3);
	assert_int_equal(debian_run(&c), 0);
	close(leak);
	assert_string_equal(c.out, "0\n1\n2\n");
	free(c.out);
}

static void test_run_long_stderr(void **state)
{
	/* 100 kB on stderr: the tail is kept, the child never blocks on a full pipe */
	const char *argv[] = {"sh", "-c",
			      "i=0; while [ $i -lt 2000 ]; do "
			      "echo 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' >&2; "
			      "i=$((i+1)); done; echo E: the end >&2; exit 100",
			      NULL};
	struct debian_cmd c = {.argv = argv};

	assert_int_equal(debian_run(&c), -EIO);
	assert_int_equal(c.status, 100);
	assert_true(strlen(c.err) < DEBIAN_RUN_ERR_MAX);
	assert_non_null(strstr(c.err, "E: the end"));
	assert_null(c.out);
}

static int ticks;

static bool cancel_after_ticks(void)
{
	return ticks >= 3;
}

static void count_tick(void *ctx)
{
	ticks++;
}

static void test_run_cancel(void **state)
{
	/* the child and its own child: both gone when the call returns */
	char pidfile[] = "/tmp/ktstr-debian-run-XXXXXX", cmd[256];
	struct timespec t0, t1;
	int fd = mkstemp(pidfile);
	FILE *f;
	int grandchild = 0;

	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "sleep 30 & echo $! > %s; wait", pidfile);
	const char *argv[] = {"sh", "-c", cmd, NULL};
	struct debian_cmd c = {.argv = argv, .cancelled = cancel_after_ticks, .tick = count_tick};

	ticks = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(debian_run(&c), -ECANCELED);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 10);
	f = fopen(pidfile, "r");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &grandchild), 1);
	fclose(f);
	unlink(pidfile);
	assert_true(grandchild > 0);
	/* killed with the group; it may linger as a zombie of init for a moment */
	for (int i = 0; i < 50 && kill(grandchild, 0) == 0; i++) {
		char stat_path[64], st = 0;
		FILE *s;

		snprintf(stat_path, sizeof(stat_path), "/proc/%d/stat", grandchild);
		s = fopen(stat_path, "r");
		if (s != NULL && fscanf(s, "%*d %*s %c", &st) == 1 && st == 'Z') {
			fclose(s);
			break;
		}
		if (s != NULL) {
			fclose(s);
		}
		usleep(20000);
	}
	{
		char stat_path[64], st = 'Z';
		FILE *s;

		snprintf(stat_path, sizeof(stat_path), "/proc/%d/stat", grandchild);
		s = fopen(stat_path, "r");
		if (s != NULL) {
			assert_int_equal(fscanf(s, "%*d %*s %c", &st), 1);
			fclose(s);
		}
		assert_int_equal(st, 'Z');
	}
}

/* Whether @pid is gone or a zombie within @ms milliseconds. */
static bool gone_within(pid_t pid, int ms)
{
	for (int i = 0; i <= ms / 20; i++) {
		char path[64], st = 0;
		FILE *s;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		s = fopen(path, "r");
		if (s == NULL) {
			return true;
		}
		if (fscanf(s, "%*d %*s %c", &st) != 1) {
			st = 'Z'; /* went while read */
		}
		fclose(s);
		if (st == 'Z') {
			return true;
		}
		usleep(20000);
	}
	return false;
}

/* ktstr killed outright (SIGKILL) while a program runs: the program's group goes too. */
static void test_run_parent_killed(void **state)
{
	char pidfile[] = "/tmp/ktstr-debian-run-XXXXXX", cmd[256];
	int fd = mkstemp(pidfile), grandchild = 0;
	pid_t runner;
	FILE *f = NULL;

	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "sleep 30 & echo $! > %s.tmp; mv %s.tmp %s; wait", pidfile,
		 pidfile, pidfile);
	unlink(pidfile);
	runner = fork(); /* stands in for ktstr */
	assert_true(runner >= 0);
	if (runner == 0) {
		const char *argv[] = {"sh", "-c", cmd, NULL};
		struct debian_cmd c = {.argv = argv};

		_exit(debian_run(&c) == 0 ? 0 : 1);
	}
	for (int i = 0; i < 250 && f == NULL; i++) {
		f = fopen(pidfile, "r");
		if (f == NULL) {
			usleep(20000);
		}
	}
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &grandchild), 1);
	fclose(f);
	unlink(pidfile);
	assert_true(grandchild > 0);
	assert_false(gone_within(grandchild, 200)); /* it runs while the runner lives */
	kill(runner, SIGKILL);
	waitpid(runner, NULL, 0);
	if (!gone_within(grandchild, 2000)) {
		kill(grandchild, SIGKILL);
		fail_msg("the program's child outlived a SIGKILL of its runner");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ids),
	    cmocka_unit_test(test_matches),
	    cmocka_unit_test(test_choose_sid),
	    cmocka_unit_test(test_choose_order),
	    cmocka_unit_test(test_choose_image_fallback),
	    cmocka_unit_test(test_key),
	    cmocka_unit_test(test_sched_ext),
	    cmocka_unit_test(test_archive),
	    cmocka_unit_test(test_tree),
	    cmocka_unit_test(test_run_output),
	    cmocka_unit_test(test_run_env_secrets),
	    cmocka_unit_test(test_run_fds),
	    cmocka_unit_test(test_run_parent_killed),
	    cmocka_unit_test(test_run_long_stderr),
	    cmocka_unit_test(test_run_cancel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
